//! Rate-limit headers, fault injection, paging and comments over real HTTP.

mod common;

use std::collections::HashSet;

use common::{assert_graph_error, spawn};
use serde_json::{json, Value};

#[tokio::test]
async fn every_answer_carries_the_usage_headers_as_json_strings() {
    let s = spawn().await;
    let token = s.token("lumen.studio").await;
    let (ig, _) = s.account("lumen.studio");
    let r = s.http.get(s.url(&format!("/v25.0/me?access_token={token}"))).send().await.unwrap();
    let app: Value = serde_json::from_str(r.headers()["x-app-usage"].to_str().unwrap()).unwrap();
    for key in ["call_count", "total_time", "total_cputime"] {
        assert!(app[key].is_u64(), "{app}");
    }
    let buc: Value = serde_json::from_str(r.headers()["x-business-use-case-usage"].to_str().unwrap()).unwrap();
    let entry = &buc[&ig][0];
    assert_eq!(entry["type"], "instagram");
    assert_eq!(entry["estimated_time_to_regain_access"], 0);
}

#[tokio::test]
async fn an_exhausted_account_budget_answers_80002_and_says_when_it_comes_back() {
    let s = spawn().await;
    let token = s.token("lumen.studio").await;
    let (ig, _) = s.account("lumen.studio");
    s.http.put(s.url("/__admin/config")).json(&json!({ "account_calls_per_hour": 3 })).send().await.unwrap();
    for _ in 0..3 {
        assert_eq!(s.get("/me", &token).await.0, 200);
    }
    let r = s.http.get(s.url(&format!("/me?access_token={token}"))).send().await.unwrap();
    let buc: Value = serde_json::from_str(r.headers()["x-business-use-case-usage"].to_str().unwrap()).unwrap();
    assert_eq!(buc[&ig][0]["call_count"], 100);
    assert!(buc[&ig][0]["estimated_time_to_regain_access"].as_u64().unwrap() > 0);
    let body: Value = r.json().await.unwrap();
    assert_graph_error(400, &body, 80002, None);
    assert_eq!(body["error"]["is_transient"], true);

    s.advance(3_600).await;
    assert_eq!(s.get("/me", &token).await.0, 200, "a new hour, a new budget");
}

#[tokio::test]
async fn faults_hit_the_named_endpoint_for_n_calls() {
    let s = spawn().await;
    let token = s.token("lumen.studio").await;
    s.fault(json!({ "kind": "server_error", "endpoint": "GET /me", "times": 2 })).await;
    for _ in 0..2 {
        let r = s.http.get(s.url(&format!("/me?access_token={token}"))).send().await.unwrap();
        assert_eq!(r.status().as_u16(), 500);
        let body: Value = r.json().await.unwrap();
        assert_eq!((body["error"]["code"].as_i64(), body["error"]["is_transient"].as_bool()), (Some(2), Some(true)));
    }
    assert_eq!(s.get("/me", &token).await.0, 200, "the fault is spent");

    s.fault(json!({ "kind": "rate_limit", "code": 17, "times": 1 })).await;
    let (status, body) = s.get("/me", &token).await;
    assert_graph_error(status, &body, 17, None);

    s.fault(json!({ "kind": "revoke_token", "subcode": 460, "endpoint": "/media", "times": 1 })).await;
    assert_eq!(s.get("/me", &token).await.0, 200, "other endpoints are spared");
    let (ig, _) = s.account("lumen.studio");
    let (status, body) = s.get(&format!("/{ig}/media"), &token).await;
    assert_graph_error(status, &body, 190, Some(460));
    let (status, _) = s.get("/me", &token).await;
    assert_eq!(status, 400, "a revoked token stays revoked");
}

#[tokio::test]
async fn a_fault_with_probability_zero_never_hits_and_clearing_removes_all() {
    let s = spawn().await;
    let token = s.token("lumen.studio").await;
    s.fault(json!({ "kind": "server_error", "probability": 0.0 })).await;
    for _ in 0..5 {
        assert_eq!(s.get("/me", &token).await.0, 200);
    }
    s.fault(json!({ "kind": "server_error" })).await;
    assert_eq!(s.http.get(s.url(&format!("/me?access_token={token}"))).send().await.unwrap().status().as_u16(), 500);
    s.http.delete(s.url("/__admin/faults")).send().await.unwrap();
    assert_eq!(s.get("/me", &token).await.0, 200);
}

#[tokio::test]
async fn media_pages_follow_next_until_it_is_missing() {
    let s = spawn().await;
    let token = s.token("lumen.studio").await;
    let (ig, _) = s.account("lumen.studio");
    let expected = s.sandbox.world().media_order[&ig].len();
    assert!(expected > 300, "the long-history account");

    let mut url = s.url(&format!("/v25.0/{ig}/media?fields=id,timestamp,media_type&limit=50&access_token={token}"));
    let mut seen = HashSet::new();
    let mut last_timestamp = String::from("9999");
    loop {
        let page: Value = s.http.get(&url).send().await.unwrap().json().await.unwrap();
        for m in page["data"].as_array().unwrap() {
            assert!(seen.insert(m["id"].as_str().unwrap().to_string()), "no duplicates across pages");
            let ts = m["timestamp"].as_str().unwrap().to_string();
            assert!(ts <= last_timestamp, "newest first");
            assert!(ts.ends_with("+0000"));
            last_timestamp = ts;
        }
        assert!(page["paging"]["cursors"]["after"].is_string());
        match page["paging"]["next"].as_str() {
            Some(next) => url = next.to_string(),
            None => break,
        }
    }
    assert_eq!(seen.len(), expected);
}

#[tokio::test]
async fn comments_are_listed_replied_to_hidden_and_deleted() {
    let s = spawn().await;
    let token = s.token("lumen.studio").await;
    let (ig, _) = s.account("lumen.studio");
    let (media_id, comment_id) = {
        let world = s.sandbox.world();
        let media = world.media_order[&ig].iter().find(|m| world.comment_order.get(*m).is_some_and(|c| !c.is_empty())).unwrap().clone();
        let comment = world.comment_order[&media][0].clone();
        (media, comment)
    };
    let (status, page) = s.get(&format!("/v25.0/{media_id}/comments?fields=id,text,username,from,hidden,timestamp"), &token).await;
    assert_eq!(status, 200, "{page}");
    let first = &page["data"][0];
    assert_eq!(first["id"], comment_id.as_str());
    assert!(first["from"]["username"].is_string() && first["hidden"] == false);

    let (status, reply) = s.post(&format!("/v25.0/{comment_id}/replies"), &token, &[("message", "Thank you! äöå")]).await;
    assert_eq!(status, 200, "{reply}");
    let (_, replies) = s.get(&format!("/{comment_id}/replies?fields=id,text,username"), &token).await;
    assert_eq!(replies["data"][0]["text"], "Thank you! äöå");
    assert_eq!(replies["data"][0]["username"], "lumen.studio");

    let (_, ok) = s.post(&format!("/{comment_id}"), &token, &[("hide", "true")]).await;
    assert_eq!(ok, json!({ "success": true }));
    let (_, c) = s.get(&format!("/{comment_id}?fields=hidden"), &token).await;
    assert_eq!(c["hidden"], true);

    let r = s.http.delete(s.url(&format!("/{comment_id}?access_token={token}"))).send().await.unwrap();
    assert_eq!(r.json::<Value>().await.unwrap(), json!({ "success": true }));
    let (status, body) = s.get(&format!("/{comment_id}"), &token).await;
    assert_graph_error(status, &body, 100, Some(33));
}

#[tokio::test]
async fn the_admin_api_counts_calls_per_endpoint() {
    let s = spawn().await;
    let token = s.token("lumen.studio").await;
    s.http.delete(s.url("/__admin/calls")).send().await.unwrap();
    s.get("/me", &token).await;
    s.get("/v25.0/me", &token).await;
    let calls: Value = s.http.get(s.url("/__admin/calls")).send().await.unwrap().json().await.unwrap();
    assert_eq!(calls["GET /me"], 2);
}

#[tokio::test]
async fn the_same_seed_makes_the_same_world() {
    let a = crealia_sandbox::World::seeded(7, 1_790_000_000);
    let b = crealia_sandbox::World::seeded(7, 1_790_000_000);
    let c = crealia_sandbox::World::seeded(8, 1_790_000_000);
    let ids = |w: &crealia_sandbox::World| w.accounts.iter().map(|a| (a.ig_id.clone(), a.days.values().map(|d| d.reach).sum::<i64>())).collect::<Vec<_>>();
    assert_eq!(ids(&a), ids(&b));
    assert_ne!(ids(&a), ids(&c));
    let tiny = a.accounts.iter().find(|x| x.username == "tiny.sprout").unwrap();
    assert!(tiny.followers < 100, "one account is under the 100-follower threshold");
}

#[tokio::test]
async fn the_app_budget_answers_code_4_and_latency_faults_still_answer() {
    let s = spawn().await;
    let token = s.token("lumen.studio").await;
    s.fault(json!({ "kind": "latency", "ms": 50, "times": 1 })).await;
    assert_eq!(s.get("/me", &token).await.0, 200, "a slow answer is still an answer");

    s.http.put(s.url("/__admin/config")).json(&json!({ "app_calls_per_hour": 1 })).send().await.unwrap();
    let (status, body) = s.get("/me", &token).await;
    assert_graph_error(status, &body, 4, None);
    assert_eq!(body["error"]["message"], "(#4) Application request limit reached");
}

#[tokio::test]
async fn a_media_fetch_fault_fails_container_creation_like_an_unreachable_url() {
    let s = spawn().await;
    let files = common::media_server().await;
    let token = s.token("nordlys.cafe").await;
    let (ig, _) = s.account("nordlys.cafe");
    s.fault(json!({ "kind": "media_fetch_failure", "times": 1 })).await;
    let url = format!("{files}/square.jpg");
    let (status, body) = s.post(&format!("/{ig}/media"), &token, &[("image_url", &url)]).await;
    assert_graph_error(status, &body, 9004, Some(2207052));
    let (status, _) = s.post(&format!("/{ig}/media"), &token, &[("image_url", &url)]).await;
    assert_eq!(status, 200, "the fault is spent");
}
