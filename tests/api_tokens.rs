//! Personal API tokens: shown once, stored hashed, within their scopes, usable without the
//! browser's origin check, refused everywhere but the JSON API, dead once revoked.

mod common;

use common::spawn_app;
use crealia_model::api_tokens::Scope;
use serde_json::{json, Value};
use sqlx::PgPool;

#[sqlx::test]
async fn tokens_are_shown_once_keep_to_their_scopes_and_stop_when_revoked(pool: PgPool) {
    let app = spawn_app(pool.clone(), &[]).await;
    let ana = common::creator(&app, "ana@example.com", "lumen.studio").await;
    let bo = common::creator(&app, "bo@example.com", "nordlys.cafe").await;
    let tokens = &app.services.api_tokens;

    let reader = tokens.create(ana.user, "dashboard script", &[Scope::Read]).await.unwrap();
    assert!(reader.value.starts_with("crealia_pat_") && reader.value.len() == 55);
    // Shown once: the list and the database hold no value, only its hash.
    let listed = serde_json::to_string(&tokens.list(ana.user).await.unwrap()).unwrap();
    assert!(listed.contains("dashboard script") && !listed.contains(&reader.value));
    let stored: Vec<Vec<u8>> = sqlx::query_scalar("SELECT token_sha256 FROM api_tokens").fetch_all(&pool).await.unwrap();
    assert!(stored.iter().all(|h| h.len() == 32 && !reader.value.as_bytes().windows(h.len()).any(|w| w == h.as_slice())));

    let get = |path: &str, token: &str| app.client.get(app.url(path)).bearer_auth(token).send();
    // Read: status and insights, Ana's only.
    let r = get("/api/status", &reader.value).await.unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let status: Value = r.json().await.unwrap();
    assert_eq!(status["accounts"][0]["username"], "lumen.studio");
    assert_eq!(get(&format!("/api/instagram/insights?account={}", bo.connection), &reader.value).await.unwrap().status().as_u16(), 404, "never Bo's");
    assert!(tokens.list(ana.user).await.unwrap()[0].last_used_at.is_some(), "its last use is recorded");

    // Not publish, not the inbox.
    let post = json!({ "connection_id": ana.connection, "kind": "image", "caption": "x", "media_ids": [1] });
    let r = app.client.post(app.url("/api/instagram/publish")).bearer_auth(&reader.value).json(&post).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 403);
    assert!(r.text().await.unwrap().contains("publish"));
    assert_eq!(get("/api/instagram/inbox", &reader.value).await.unwrap().status().as_u16(), 403);

    // A publishing token posts, even with another site's Origin (no browser can send it
    // cross-site); the same request with Ana's cookie and that Origin is refused.
    let publisher = tokens.create(ana.user, "scheduler", &[Scope::Publish, Scope::Read]).await.unwrap();
    let jpg = common::stored_media(&app, ana.user, &common::encoded(1080, 1080, image::ImageFormat::Jpeg)).await;
    let at = (chrono::Utc::now() + chrono::Duration::hours(2)).to_rfc3339();
    let body = json!({ "connection_id": ana.connection, "kind": "image", "caption": "From a script", "media_ids": [jpg], "scheduled_at": at });
    let r = app
        .client
        .post(app.url("/api/instagram/schedule"))
        .bearer_auth(&publisher.value)
        .header("origin", "https://evil.example")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 202, "{}", r.text().await.unwrap_or_default());
    let r = app
        .client
        .post(app.url("/api/instagram/schedule"))
        .header("cookie", ana.browser.cookie.clone().unwrap())
        .header("origin", "https://evil.example")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 403, "cookies still need Crealia's own origin");

    // Tokens are for the JSON API only: not pages, not server functions.
    assert_eq!(get("/instagram-dashboard", &publisher.value).await.unwrap().status().as_u16(), 403);
    let server_fn = leptos::server_fn::axum::server_fn_paths().map(|(p, _)| p.to_string()).find(|p| p.contains("list_api_tokens")).unwrap();
    assert_eq!(app.client.post(app.url(&server_fn)).bearer_auth(&publisher.value).send().await.unwrap().status().as_u16(), 403);

    // Unknown and revoked tokens: 401, never the cookie's user.
    let r = app
        .client
        .get(app.url("/api/status"))
        .bearer_auth("crealia_pat_0000000000000000000000000000000000000000000")
        .header("cookie", ana.browser.cookie.clone().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 401);
    assert_eq!(r.headers()["www-authenticate"], "Bearer");
    assert!(matches!(tokens.revoke(bo.user, reader.token.id).await, Err(crealia_core::Error::NotFound)), "Bo cannot revoke Ana's");
    tokens.revoke(ana.user, reader.token.id).await.unwrap();
    assert_eq!(get("/api/status", &reader.value).await.unwrap().status().as_u16(), 401);
    assert_eq!(get("/api/status", &publisher.value).await.unwrap().status().as_u16(), 200, "the other still works");
    assert_eq!(tokens.list(ana.user).await.unwrap().len(), 1);
}

#[sqlx::test]
async fn a_creator_holds_a_bounded_number_of_tokens_with_sane_names(pool: PgPool) {
    let app = spawn_app(pool, &[]).await;
    let ana = common::creator(&app, "ana@example.com", "lumen.studio").await;
    let tokens = &app.services.api_tokens;
    assert!(tokens.create(ana.user, "  ", &[Scope::Read]).await.is_err());
    assert!(tokens.create(ana.user, &"n".repeat(61), &[Scope::Read]).await.is_err());
    assert!(tokens.create(ana.user, "no scope", &[]).await.is_err());
    assert!(tokens.create(ana.user, "nul\0byte", &[Scope::Read]).await.is_err(), "refused, not a database error");
    let made = futures_util::future::join_all((0..25).map(|i| tokens.create(ana.user, format!("t{i}").leak(), &[Scope::Read]))).await;
    assert_eq!(made.iter().filter(|r| r.is_ok()).count() as i64, crealia_core::api_tokens::MAX_PER_USER, "even when asked at once");
    // Revoking deletes: making and revoking in a loop leaves nothing behind.
    for t in tokens.list(ana.user).await.unwrap() {
        tokens.revoke(ana.user, t.id).await.unwrap();
    }
    let left: i64 = sqlx::query_scalar("SELECT count(*) FROM api_tokens").fetch_one(&app.services.db).await.unwrap();
    assert_eq!(left, 0);
}
