//! The OpenAPI document walked against the running app: every documented operation is asked,
//! with a personal API token and without one, and answers with a status the document lists.

mod common;

use common::spawn_app;
use crealia_model::api_tokens::Scope;
use crealia_sandbox::webhooks::signature_256 as sign;
use serde_json::{json, Value};
use sqlx::PgPool;

#[sqlx::test]
async fn every_documented_route_answers_as_documented(pool: PgPool) {
    let app = spawn_app(pool, &[]).await;
    let ana = common::creator(&app, "ana@example.com", "lumen.studio").await;
    let token = app.services.api_tokens.create(ana.user, "walker", &Scope::ALL).await.unwrap().value;

    // Something for every {id}: an upload, a post, an inbox item.
    let jpg = common::encoded(1080, 1080, image::ImageFormat::Jpeg);
    let media = common::stored_media(&app, ana.user, &jpg).await;
    let at = (chrono::Utc::now() + chrono::Duration::hours(3)).to_rfc3339();
    let post: Value = app
        .client
        .post(app.url("/api/instagram/schedule"))
        .bearer_auth(&token)
        .json(&json!({ "connection_id": ana.connection, "kind": "image", "caption": "walk", "media_ids": [media], "scheduled_at": at }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let post = post["id"].as_i64().unwrap();
    let ig = app.sandbox_account("lumen.studio").await;
    let delivery = json!({ "object": "instagram", "entry": [{ "id": ig, "time": 1785412106, "changes": [{ "field": "comments", "value": {
        "id": "18000000000000077", "from": { "id": "742084212153673", "username": "someone" }, "text": "hi", "media": { "id": "1808", "media_product_type": "FEED" } } }] }] })
    .to_string();
    app.client
        .post(app.url("/api/webhooks/instagram"))
        .header("x-hub-signature-256", sign(&app.webhook_secret, delivery.as_bytes()))
        .body(delivery)
        .send()
        .await
        .unwrap();
    app.services.webhooks.process_pending(10).await.unwrap();
    let inbox: Value = app.client.get(app.url("/api/instagram/inbox")).bearer_auth(&token).send().await.unwrap().json().await.unwrap();
    let item = inbox["items"][0]["id"].as_i64().expect("an inbox item");

    let r = app.client.get(app.url("/api/openapi.json")).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let doc: Value = r.json().await.unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"), "OpenAPI 3.1");
    assert!(doc["components"]["securitySchemes"]["token"].is_object());
    let docs = app.client.get(app.url("/api/docs")).send().await.unwrap();
    assert_eq!(docs.status().as_u16(), 200);
    let docs = docs.text().await.unwrap();

    let mut asked = 0;
    for (path, item_ops) in doc["paths"].as_object().unwrap() {
        for (method, op) in item_ops.as_object().unwrap() {
            let documented: Vec<u16> = op["responses"].as_object().unwrap().keys().map(|k| k.parse().unwrap()).collect();
            assert!(docs.contains(&format!("{} {}", method.to_uppercase(), path)), "the docs page shows {method} {path}");
            let id = if path.contains("/schedule/") {
                post
            } else if path.contains("/media/") {
                media
            } else {
                item
            };
            let url = app.url(&path.replace("{id}", &id.to_string()).replace("{file}", "figures.csv"));
            let method = reqwest::Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            for with_token in [true, false] {
                let mut request = app.client.request(method.clone(), &url);
                if with_token {
                    request = request.bearer_auth(&token);
                }
                request = if path == "/api/media" {
                    request.header("content-type", "image/jpeg").body(jpg.clone())
                } else if op.get("requestBody").is_some() {
                    request.json(&json!({}))
                } else {
                    request
                };
                let status = request.send().await.unwrap().status().as_u16();
                assert!(documented.contains(&status), "{method} {path} (token: {with_token}) answered {status}, documented: {documented:?}");
                if !with_token {
                    assert_eq!(status, 401, "{method} {path} without credentials");
                } else if method == reqwest::Method::GET || path == "/api/media" {
                    assert!((200..300).contains(&status), "{method} {path} with a token answered {status}");
                }
                asked += 1;
            }
        }
    }
    assert!(asked >= 32, "every operation, twice");
}
