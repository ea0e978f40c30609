//! The token manager against the in-process sandbox: refresh at the right moment, 190 →
//! needs reconnect, key rotation, cleanup.

mod common;

use chrono::{Duration, Utc};
use common::{connect, spawn_app, TestApp};
use serde_json::json;
use sqlx::PgPool;

const DAY: i64 = 86_400;

/// Ana with lumen.studio connected; returns (user id, connection id).
async fn connected(app: &TestApp) -> (i64, i64) {
    let browser = app.signed_in("ana@example.com").await;
    assert!(connect(app, &browser, "lumen.studio", "allow").await.contains("connected"));
    let user = app.services.accounts.sign_in("ana@example.com", "a long enough password", "127.0.0.1", None).await.unwrap().0;
    let id = app.services.connections.list(user.id).await.unwrap()[0].id;
    (user.id, id)
}

async fn expiry(pool: &PgPool, id: i64) -> chrono::DateTime<Utc> {
    sqlx::query_scalar("SELECT token_expires_at FROM instagram_connections WHERE id = $1").bind(id).fetch_one(pool).await.unwrap()
}

#[sqlx::test(migrations = false)]
async fn a_token_is_refreshed_near_its_expiry_and_left_alone_right_after(pool: PgPool) {
    let app = spawn_app(pool.clone(), &[]).await;
    let (user, id) = connected(&app).await;
    let before = app.services.connections.token(user, id).await.unwrap();

    // Today: 60 days left, nothing to do.
    let report = app.services.tokens.refresh_due(Utc::now()).await.unwrap();
    assert_eq!(report.refreshed, 0);

    // 55 days on (both clocks): 5 days left, inside the 10-day window → refreshed.
    app.sandbox_admin(reqwest::Method::POST, "/clock/advance", json!({ "seconds": 55 * DAY })).await;
    let later = Utc::now() + Duration::days(55);
    let report = app.services.tokens.refresh_due(later).await.unwrap();
    assert_eq!(report.refreshed, 1, "{report:?}");
    let after = app.services.connections.token(user, id).await.unwrap();
    assert_ne!(before, after, "a new token is stored");
    assert!(expiry(&pool, id).await > later + Duration::days(59), "60 more days");
    let me = app.services.connections.graph().me(after.expose()).await.unwrap();
    assert_eq!(me.username.as_deref(), Some("lumen.studio"));

    // An hour later the fresh token is not refreshed again.
    let report = app.services.tokens.refresh_due(later + Duration::hours(1)).await.unwrap();
    assert_eq!(report.refreshed, 0);
}

#[sqlx::test(migrations = false)]
async fn a_token_refreshed_less_than_a_day_ago_is_left_alone_even_near_expiry(pool: PgPool) {
    let app = spawn_app(pool.clone(), &[]).await;
    let (_, id) = connected(&app).await;
    // As if the token had 3 days left but was refreshed an hour ago.
    sqlx::query("UPDATE instagram_connections SET token_expires_at = now() + interval '3 days', refreshed_at = now() - interval '1 hour' WHERE id = $1")
        .bind(id)
        .execute(&pool)
        .await
        .unwrap();
    let report = app.services.tokens.refresh_due(Utc::now()).await.unwrap();
    assert_eq!(report.refreshed, 0, "{report:?}");
}

#[sqlx::test(migrations = false)]
async fn a_revoked_token_marks_the_connection_for_reconnect(pool: PgPool) {
    let app = spawn_app(pool.clone(), &[]).await;
    let (user, id) = connected(&app).await;
    assert!(app.services.tokens.validate(user, id).await.unwrap());

    app.sandbox_admin(reqwest::Method::POST, "/tokens/revoke", json!({ "account": "lumen.studio", "subcode": 460 })).await;
    assert!(!app.services.tokens.validate(user, id).await.unwrap());
    let list = app.services.connections.list(user).await.unwrap();
    assert_eq!(list[0].state.as_str(), "needs_reconnect", "the creator sees it");
    assert!(matches!(app.services.connections.token(user, id).await, Err(crealia_core::Error::NeedsReconnect)), "work stops for it");

    // The refresh job meets the same 190 and marks it too (on a second connection).
    let browser = app.signed_in("bo@example.com").await;
    connect(&app, &browser, "nordlys.cafe", "allow").await;
    app.sandbox_admin(reqwest::Method::POST, "/tokens/revoke", json!({ "account": "nordlys.cafe", "subcode": 460 })).await;
    app.sandbox_admin(reqwest::Method::POST, "/clock/advance", json!({ "seconds": 55 * DAY })).await;
    let report = app.services.tokens.refresh_due(Utc::now() + Duration::days(55)).await.unwrap();
    assert_eq!(report.needs_reconnect, 1, "{report:?}");
    let state: String = sqlx::query_scalar("SELECT state FROM instagram_connections WHERE username = 'nordlys.cafe'").fetch_one(&pool).await.unwrap();
    assert_eq!(state, "needs_reconnect");
}

#[sqlx::test(migrations = false)]
async fn rotation_re_encrypts_and_old_rows_decrypt_before_it(pool: PgPool) {
    let old_key = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=";
    let new_key = "ZmVkY2JhOTg3NjU0MzIxMGZlZGNiYTk4NzY1NDMyMTA=";
    let app = spawn_app(pool.clone(), &[("TOKEN_ENCRYPTION_KEY", old_key)]).await;
    let (user, id) = connected(&app).await;
    let token = app.services.connections.token(user, id).await.unwrap();
    let old_id: String = sqlx::query_scalar("SELECT token_key_id FROM instagram_connections").fetch_one(&pool).await.unwrap();

    // A server with the new key and the old one retired still reads the row...
    let rotated = spawn_app(pool.clone(), &[("TOKEN_ENCRYPTION_KEY", new_key), ("TOKEN_ENCRYPTION_RETIRED_KEYS", old_key)]).await;
    assert_eq!(rotated.services.connections.token(user, id).await.unwrap(), token);
    // ...and `tokens rotate` moves it to the new key.
    assert_eq!(rotated.services.tokens.rotate().await.unwrap(), 1);
    let new_id: String = sqlx::query_scalar("SELECT token_key_id FROM instagram_connections").fetch_one(&pool).await.unwrap();
    assert_ne!(new_id, old_id);
    assert_eq!(rotated.services.tokens.rotate().await.unwrap(), 0, "nothing left to rotate");

    // Once rotated, the new key alone is enough.
    let fresh = spawn_app(pool.clone(), &[("TOKEN_ENCRYPTION_KEY", new_key)]).await;
    assert_eq!(fresh.services.connections.token(user, id).await.unwrap(), token);
}

#[sqlx::test(migrations = false)]
async fn cleanup_deletes_expired_tokens_and_sessions_and_reports_counts(pool: PgPool) {
    let app = spawn_app(pool.clone(), &[]).await;
    let (_, id) = connected(&app).await;
    let report = app.services.tokens.cleanup(Utc::now()).await.unwrap();
    assert_eq!(report.expired_tokens, 0);

    let report = app.services.tokens.cleanup(Utc::now() + Duration::days(61)).await.unwrap();
    assert_eq!(report.expired_tokens, 1);
    assert!(report.expired_sessions >= 1, "{report:?}");
    let (blob, state): (Option<Vec<u8>>, String) =
        sqlx::query_as("SELECT token_ciphertext, state FROM instagram_connections WHERE id = $1").bind(id).fetch_one(&pool).await.unwrap();
    assert!(blob.is_none());
    assert_eq!(state, "needs_reconnect");
}

#[sqlx::test(migrations = false)]
async fn two_processes_refreshing_at_once_refresh_each_token_once(pool: PgPool) {
    let a = spawn_app(pool.clone(), &[]).await;
    let (_, id) = connected(&a).await;
    let b = spawn_app(pool.clone(), &[]).await;
    a.sandbox_admin(reqwest::Method::POST, "/clock/advance", json!({ "seconds": 55 * DAY })).await;
    let later = Utc::now() + Duration::days(55);
    let (r1, r2) = tokio::join!(a.services.tokens.refresh_due(later), a.services.tokens.refresh_due(later));
    let (r1, r2) = (r1.unwrap(), r2.unwrap());
    // Whichever order they ran in (the lock taken, or the first already done), one refresh.
    assert_eq!(r1.refreshed + r2.refreshed, 1, "{r1:?} {r2:?}");
    // The other process, later, finds nothing due.
    assert_eq!(b.services.tokens.refresh_due(later).await.unwrap().refreshed, 0);
    assert!(expiry(&pool, id).await > later + Duration::days(59));
}

#[sqlx::test(migrations = false)]
async fn the_window_is_configurable_and_a_near_expiry_shows_as_expiring_soon(pool: PgPool) {
    let app = spawn_app(pool.clone(), &[("TOKEN_REFRESH_WINDOW_DAYS", "3")]).await;
    let (user, id) = connected(&app).await;
    app.sandbox_admin(reqwest::Method::POST, "/clock/advance", json!({ "seconds": 55 * DAY })).await;
    // 5 days left: outside a 3-day window (plus at most 12 h of jitter).
    assert_eq!(app.services.tokens.refresh_due(Utc::now() + Duration::days(55)).await.unwrap().refreshed, 0);

    sqlx::query("UPDATE instagram_connections SET token_expires_at = now() + interval '5 days' WHERE id = $1").bind(id).execute(&pool).await.unwrap();
    // The process learns of the changed row through its notification.
    common::wait_until("the connection shows as expiring soon", std::time::Duration::from_secs(1), async || {
        app.services.connections.list(user).await.unwrap()[0].state.as_str() == "expiring_soon"
    })
    .await;
}

#[sqlx::test(migrations = false)]
async fn a_refresh_holds_no_lock_while_instagram_answers(pool: PgPool) {
    let app = spawn_app(pool.clone(), &[]).await;
    let (_, id) = connected(&app).await;
    sqlx::query("UPDATE instagram_connections SET token_expires_at = now() + interval '3 days', refreshed_at = now() - interval '30 days' WHERE id = $1")
        .bind(id)
        .execute(&pool)
        .await
        .unwrap();
    // Two days on at Instagram (a token is refreshed only once a day old), which takes three
    // seconds to answer the refresh.
    app.sandbox_admin(reqwest::Method::POST, "/clock/advance", json!({ "seconds": 2 * DAY })).await;
    app.sandbox_admin(reqwest::Method::POST, "/faults", json!({ "kind": "latency", "ms": 3_000, "endpoint": "/refresh_access_token", "times": 1 })).await;
    let tokens = app.services.tokens.clone();
    let refresh = tokio::spawn(async move { tokens.refresh_due(Utc::now()).await });
    tokio::time::sleep(std::time::Duration::from_millis(700)).await;

    // Meanwhile the connection's row can be locked at once: a disconnect, a reconnect or a
    // scheduling that touches it is not held up by Instagram's answer.
    let mut tx = pool.begin().await.unwrap();
    sqlx::query("SET LOCAL lock_timeout = '300ms'").execute(&mut *tx).await.unwrap();
    let locked = sqlx::query("SELECT id FROM instagram_connections WHERE id = $1 FOR UPDATE").bind(id).fetch_one(&mut *tx).await;
    assert!(locked.is_ok(), "the row was locked during the Graph API call: {locked:?}");
    tx.rollback().await.unwrap();
    assert!(!refresh.is_finished(), "the refresh was still waiting for Instagram");

    let report = refresh.await.unwrap().unwrap();
    assert_eq!(report.refreshed, 1, "{report:?}");
    let claimed: Option<chrono::DateTime<Utc>> =
        sqlx::query_scalar("SELECT refreshing_until FROM instagram_connections WHERE id = $1").bind(id).fetch_one(&pool).await.unwrap();
    assert!(claimed.is_none(), "the claim ends with the refresh");
}

/// Whatever meets a refused token (a 190) marks the account for a reconnect, so that the
/// creator is told and work for it stops: a post being published, an inbox reply, a dashboard
/// load, a token refresh. A 190 met with a token the account no longer holds (it was
/// reconnected meanwhile) leaves it alone.
#[sqlx::test(migrations = false)]
async fn a_refused_token_marks_the_account_whatever_meets_it(pool: PgPool) {
    let app = spawn_app(pool.clone(), &[]).await;
    let browser = app.signed_in("ana@example.com").await;
    let user = app.services.accounts.sign_in("ana@example.com", "a long enough password", "127.0.0.1", None).await.unwrap().0.id;
    let state = async || -> String { sqlx::query_scalar("SELECT state FROM instagram_connections").fetch_one(&pool).await.unwrap() };
    let reconnect = async || {
        assert!(connect(&app, &browser, "lumen.studio", "allow").await.contains("connected"));
        assert_eq!(state().await, "active");
        app.services.connections.list(user).await.unwrap()[0].id
    };
    let revoke = async || app.sandbox_admin(reqwest::Method::POST, "/tokens/revoke", json!({ "account": "lumen.studio", "subcode": 460 })).await;

    // Publishing.
    let id = reconnect().await;
    let media = common::stored_media(&app, user, &common::encoded(1080, 1080, image::ImageFormat::Jpeg)).await;
    let post = crealia_core::publishing::NewPost {
        connection_id: id,
        kind: crealia_core::publishing::PostKind::Image,
        caption: "Out with a revoked token".into(),
        alt_text: None,
        first_comment: None,
        media_ids: vec![media],
        scheduled_at: Utc::now(),
        options: Default::default(),
    };
    let queued = app.services.publishing.schedule(user, post).await.unwrap();
    revoke().await;
    app.services.publishing.run_due(Utc::now(), 10).await.unwrap();
    let failed = app.services.publishing.get(user, queued.id).await.unwrap();
    assert_eq!(failed.status, crealia_core::publishing::PostStatus::Failed);
    assert!(failed.last_error.unwrap().contains("Reconnect"));
    assert_eq!(state().await, "needs_reconnect", "publishing marks the account");

    // An inbox reply.
    let id = reconnect().await;
    let ig: String = sqlx::query_scalar("SELECT ig_user_id FROM instagram_connections").fetch_one(&pool).await.unwrap();
    let item: i64 = sqlx::query_scalar(
        "INSERT INTO inbox_items (ig_user_id, kind, field, external_id, body, occurred_at, payload, connection_id)
         VALUES ($1, 'comment', 'comments', '17890000000000001', 'Love it', now(), '{}'::jsonb, $2) RETURNING id",
    )
    .bind(&ig)
    .bind(id)
    .fetch_one(&pool)
    .await
    .unwrap();
    revoke().await;
    let e = app.services.inbox.reply(user, item, "Thank you!").await.unwrap_err();
    assert!(matches!(e, crealia_core::Error::NeedsReconnect), "{e:?}");
    assert_eq!(state().await, "needs_reconnect", "a reply marks the account");

    // A dashboard load.
    reconnect().await;
    revoke().await;
    let e = app.services.insights.dashboard(user, None, 7, Utc::now()).await.unwrap_err();
    assert!(matches!(e, crealia_core::Error::NeedsReconnect), "{e:?}");
    assert_eq!(state().await, "needs_reconnect", "a dashboard marks the account");

    // A token refresh.
    reconnect().await;
    revoke().await;
    let report = app.services.tokens.refresh_due(Utc::now() + Duration::days(55)).await.unwrap();
    assert_eq!(report.needs_reconnect, 1, "{report:?}");
    assert_eq!(state().await, "needs_reconnect", "a refresh marks the account");

    // A late 190 for a token the account no longer holds.
    let old: Vec<u8> = sqlx::query_scalar("SELECT token_ciphertext FROM instagram_connections").fetch_optional(&pool).await.unwrap().unwrap_or_default();
    let id = reconnect().await;
    let refused =
        crealia_graph::client::Error::Api { status: 400, code: 190, subcode: Some(460), message: String::new(), transient: false, user_message: None };
    crealia_core::account::mark_needs_reconnect(&pool, id, Some(&old), &refused).await.unwrap();
    assert_eq!(state().await, "active", "the new token is left working");
}
