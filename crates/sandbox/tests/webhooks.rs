//! Webhook deliveries received on a local listener, their signatures checked by an
//! independent HMAC over the raw bytes.

mod common;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::get;
use axum::Router;
use common::{spawn, TestSandbox};
use hmac::{Hmac, Mac};
use serde_json::{json, Value};
use sha2::Sha256;

const VERIFY: &str = "crealia-verify-token";

#[derive(Clone, Default)]
struct Receiver {
    received: Arc<Mutex<Vec<(HeaderMap, Bytes)>>>,
    /// Status codes to answer in turn; 200 once they run out.
    answers: Arc<Mutex<Vec<u16>>>,
}

async fn verify(Query(q): Query<HashMap<String, String>>) -> (StatusCode, String) {
    if q.get("hub.mode").map(String::as_str) == Some("subscribe") && q.get("hub.verify_token").map(String::as_str) == Some(VERIFY) {
        (StatusCode::OK, q["hub.challenge"].clone())
    } else {
        (StatusCode::FORBIDDEN, String::new())
    }
}

async fn receive(State(r): State<Receiver>, headers: HeaderMap, body: Bytes) -> StatusCode {
    r.received.lock().unwrap().push((headers, body));
    let next = {
        let mut answers = r.answers.lock().unwrap();
        if answers.is_empty() {
            200
        } else {
            answers.remove(0)
        }
    };
    StatusCode::from_u16(next).unwrap()
}

async fn receiver() -> (String, Receiver) {
    let r = Receiver::default();
    let app = Router::new().route("/hook", get(verify).post(receive)).with_state(r.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, r)
}

async fn subscribed(secret: Option<&str>) -> (TestSandbox, Receiver) {
    let s = spawn().await;
    let (url, r) = receiver().await;
    let resp = s.http.put(s.url("/__admin/webhooks")).json(&json!({ "callback_url": url, "verify_token": VERIFY, "app_secret": secret })).send().await.unwrap();
    assert_eq!(resp.status().as_u16(), 200, "{}", resp.text().await.unwrap());
    s.subscribe_all().await;
    (s, r)
}

async fn events(s: &TestSandbox, body: Value) -> Value {
    let r = s.http.post(s.url("/__admin/webhooks/events")).json(&body).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 201);
    r.json().await.unwrap()
}

/// Waits (bounded) until the receiver has `n` requests.
async fn wait_for(r: &Receiver, n: usize) -> Vec<(HeaderMap, Bytes)> {
    for _ in 0..100 {
        if r.received.lock().unwrap().len() >= n {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    r.received.lock().unwrap().clone()
}

fn independent_hmac(secret: &str, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

#[tokio::test]
async fn the_handshake_must_echo_the_challenge() {
    let s = spawn().await;
    let (url, _) = receiver().await;
    let r = s.http.put(s.url("/__admin/webhooks")).json(&json!({ "callback_url": url, "verify_token": "wrong" })).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 400);
    let r = s.http.put(s.url("/__admin/webhooks")).json(&json!({ "callback_url": url, "verify_token": VERIFY })).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 200);
}

#[tokio::test]
async fn a_signed_comment_with_non_ascii_text_arrives_as_escaped_json() {
    let (s, r) = subscribed(Some("shh-app-secret")).await;
    let made = events(&s, json!({ "events": [{ "kind": "comment", "account": "lumen.studio", "text": "Café äöå 🎞" }] })).await;
    let got = wait_for(&r, 1).await;
    let (headers, body) = &got[0];

    assert!(body.is_ascii(), "Meta sends ASCII-escaped JSON");
    let text = std::str::from_utf8(body).unwrap();
    assert!(text.contains(r"Caf\u00e9 \u00e4\u00f6\u00e5 \ud83c\udf9e"), "{text}");
    assert_eq!(headers["x-hub-signature-256"].to_str().unwrap(), independent_hmac("shh-app-secret", body));
    assert!(headers["x-hub-signature"].to_str().unwrap().starts_with("sha1="));
    assert_eq!(headers["content-type"], "application/json");
    assert_ne!(
        headers["x-hub-signature-256"].to_str().unwrap(),
        independent_hmac("shh-app-secret", serde_json::to_string(&serde_json::from_slice::<Value>(body).unwrap()).unwrap().as_bytes()),
        "the signature covers the exact bytes, not a re-serialisation"
    );

    let v: Value = serde_json::from_slice(body).unwrap();
    let (ig, _) = s.account("lumen.studio");
    assert_eq!(v["object"], "instagram");
    let entry = &v["entry"][0];
    assert_eq!(entry["id"], ig.as_str());
    let change = &entry["changes"][0];
    assert_eq!(change["field"], "comments");
    assert_eq!(change["value"]["text"], "Café äöå 🎞");
    assert_eq!(change["value"]["id"], made["created"][0]);
    assert!(change["value"]["media"]["id"].is_string());

    // The comment exists in the API too.
    let token = s.token("lumen.studio").await;
    let (_, c) = s.get(&format!("/{}?fields=text", made["created"][0].as_str().unwrap()), &token).await;
    assert_eq!(c["text"], "Café äöå 🎞");
}

#[tokio::test]
async fn batched_events_share_one_delivery_and_shapes_vary() {
    let (s, r) = subscribed(None).await;
    events(
        &s,
        json!({ "batch": true, "events": [
            { "kind": "comment", "account": "lumen.studio", "shape": "flat" },
            { "kind": "comment", "account": "lumen.studio", "id_field": "comment_id" },
            { "kind": "mention", "account": "lumen.studio" },
            { "kind": "message", "account": "lumen.studio", "text": "hi there" },
        ]}),
    )
    .await;
    let got = wait_for(&r, 1).await;
    assert_eq!(got.len(), 1);
    let secret = s.sandbox.config().app_secret;
    assert_eq!(got[0].0["x-hub-signature-256"].to_str().unwrap(), independent_hmac(&secret, &got[0].1));
    let v: Value = serde_json::from_slice(&got[0].1).unwrap();
    let entries = v["entry"].as_array().unwrap();
    assert_eq!(entries.len(), 4);
    assert_eq!(entries[0]["field"], "comments", "flat shape: field/value on the entry");
    assert!(entries[0]["value"]["id"].is_string());
    assert!(entries[1]["changes"][0]["value"]["comment_id"].is_string());
    assert_eq!(entries[2]["changes"][0]["field"], "mentions");
    let msg = &entries[3]["messaging"][0];
    assert_eq!(msg["message"]["text"], "hi there");
    assert!(entries[3]["time"].as_i64().unwrap() > 1_000_000_000_000, "messaging times are in milliseconds");
}

#[tokio::test]
async fn a_failing_receiver_is_retried_with_back_off_and_then_dropped() {
    let (s, r) = subscribed(None).await;
    r.answers.lock().unwrap().extend([500, 503]);
    events(&s, json!({ "events": [{ "kind": "comment", "account": "nordlys.cafe" }] })).await;
    wait_for(&r, 1).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(r.received.lock().unwrap().len(), 1, "the next try waits for its back-off");
    s.advance(15).await;
    wait_for(&r, 2).await;
    s.advance(60).await;
    let got = wait_for(&r, 3).await;
    assert_eq!(got.len(), 3);
    assert!(got.iter().all(|(_, b)| b == &got[0].1), "retries resend the same bytes");
    let status: Value = s.http.get(s.url("/__admin/webhooks")).send().await.unwrap().json().await.unwrap();
    assert_eq!(status["deliveries"][0]["status"], "delivered");
    assert_eq!(status["deliveries"][0]["attempts"], 3);

    // A receiver that never recovers: dropped once 36 hours have passed.
    r.answers.lock().unwrap().extend(vec![500; 100]);
    events(&s, json!({ "events": [{ "kind": "comment", "account": "nordlys.cafe" }] })).await;
    wait_for(&r, 4).await;
    s.advance(37 * 3_600).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let status: Value = s.http.get(s.url("/__admin/webhooks")).send().await.unwrap().json().await.unwrap();
    assert_eq!(status["deliveries"][1]["status"], "dropped");
}

#[tokio::test]
async fn a_receiver_timeout_fault_makes_meta_send_the_same_delivery_again() {
    let (s, r) = subscribed(None).await;
    s.fault(json!({ "kind": "webhook_timeout", "times": 1 })).await;
    events(&s, json!({ "events": [{ "kind": "comment", "account": "nordlys.cafe" }] })).await;
    wait_for(&r, 1).await;
    s.advance(15).await;
    let got = wait_for(&r, 2).await;
    assert_eq!(got.len(), 2);
    assert_eq!(got[0].1, got[1].1, "a duplicate the receiver must recognise");
}

#[tokio::test]
async fn demo_mode_produces_events_by_itself() {
    let s = common::spawn_with(crealia_sandbox::SandboxConfig { demo_event_interval: Some(Duration::from_millis(100)), ..Default::default() }).await;
    let (url, r) = receiver().await;
    s.http.put(s.url("/__admin/webhooks")).json(&json!({ "callback_url": url, "verify_token": VERIFY })).send().await.unwrap();
    s.subscribe_all().await;
    let got = wait_for(&r, 2).await;
    assert!(got.len() >= 2, "random events arrive without being asked for");
    let secret = s.sandbox.config().app_secret;
    assert!(got.iter().all(|(h, b)| h["x-hub-signature-256"].to_str().unwrap() == independent_hmac(&secret, b)));
}

#[tokio::test]
async fn only_subscribed_accounts_and_fields_are_delivered() {
    let s = spawn().await;
    let (url, r) = receiver().await;
    s.http.put(s.url("/__admin/webhooks")).json(&json!({ "callback_url": url, "verify_token": VERIFY })).send().await.unwrap();
    let (ig, _) = s.account("nordlys.cafe");
    let token = s.token("nordlys.cafe").await;

    // Not subscribed: the comment happens, no webhook is sent.
    let out = events(&s, json!({ "events": [{ "kind": "comment", "account": "nordlys.cafe" }] })).await;
    assert_eq!(out["not_subscribed"].as_array().unwrap().len(), 1);
    assert_eq!(out["deliveries"], json!([]));

    // Bad requests are Meta's errors; only the caller's own account can be subscribed.
    let (status, body) = s.post(&format!("/v25.0/{ig}/subscribed_apps"), &token, &[]).await;
    common::assert_graph_error(status, &body, 100, None);
    let (status, body) = s.post(&format!("/v25.0/{ig}/subscribed_apps"), &token, &[("subscribed_fields", "feed")]).await;
    common::assert_graph_error(status, &body, 100, None);
    let (other, _) = s.account("lumen.studio");
    let (status, body) = s.post(&format!("/v25.0/{other}/subscribed_apps"), &token, &[("subscribed_fields", "comments")]).await;
    common::assert_graph_error(status, &body, 100, Some(33));

    // Subscribed to messages only: a message is delivered, a comment is not.
    let (status, _) = s.post(&format!("/v25.0/{ig}/subscribed_apps"), &token, &[("subscribed_fields", "messages")]).await;
    assert_eq!(status, 200);
    let (_, listed) = s.get(&format!("/v25.0/{ig}/subscribed_apps"), &token).await;
    assert_eq!(listed["data"][0]["subscribed_fields"], json!(["messages"]));
    let out = events(&s, json!({ "events": [{ "kind": "comment", "account": "nordlys.cafe" }, { "kind": "message", "account": "nordlys.cafe" }] })).await;
    assert_eq!(out["not_subscribed"].as_array().unwrap().len(), 1);
    let got = wait_for(&r, 1).await;
    assert!(String::from_utf8_lossy(&got[0].1).contains("\"messaging\""));
}

/// The User Profile API answers about someone who wrote to the account (their scoped id is the
/// same in each of their messages), only once they have written, and for nobody else's account.
#[tokio::test]
async fn the_user_profile_api_names_who_sent_a_message() {
    let s = spawn().await;
    let out = events(
        &s,
        json!({ "events": [
        { "kind": "message", "account": "nordlys.cafe", "text": "hi", "from_username": "fika.fan" },
        { "kind": "message", "account": "nordlys.cafe", "text": "again", "from_username": "fika.fan" },
        { "kind": "comment", "account": "nordlys.cafe", "text": "nice", "from_username": "only.comments" },
    ] }),
    )
    .await;
    assert_eq!(out["created"].as_array().unwrap().len(), 3);
    let messages: Value = s.http.get(s.url("/__admin/messages")).send().await.unwrap().json().await.unwrap();
    let peers: Vec<String> = messages["messages"].as_array().unwrap().iter().map(|m| m["peer"].as_str().unwrap().to_string()).collect();
    assert_eq!(peers.len(), 2);
    assert_eq!(peers[0], peers[1], "one person, one scoped id");

    let token = s.token("nordlys.cafe").await;
    let (status, who) = s.get(&format!("/v25.0/{}?fields=name,username", peers[0]), &token).await;
    assert_eq!(status, 200, "{who}");
    assert_eq!(who, json!({ "id": peers[0], "name": "Fika Fan", "username": "fika.fan" }));
    let (status, body) = s.get(&format!("/v25.0/{}", peers[0]), &token).await;
    common::assert_graph_error(status, &body, 100, None);

    // Someone who only commented has not consented (Meta's 230).
    let commenter = s.sandbox.world().people.iter().find(|(_, p)| p.username == "only.comments").map(|(id, _)| id.clone()).unwrap();
    let (status, body) = s.get(&format!("/v25.0/{commenter}?fields=username"), &token).await;
    common::assert_graph_error(status, &body, 230, None);

    let other = s.token("lumen.studio").await;
    let (status, body) = s.get(&format!("/v25.0/{}?fields=username", peers[0]), &other).await;
    common::assert_graph_error(status, &body, 100, Some(33));
}
