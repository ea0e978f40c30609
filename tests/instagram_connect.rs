//! Connecting an Instagram account through the in-process sandbox, over real HTTP: the whole
//! Instagram Login flow and each way it can fail.

mod common;

use common::{connect, spawn_app, Browser};
use serde_json::json;
use sqlx::PgPool;

#[sqlx::test(migrations = false)]
async fn a_creator_connects_an_account_and_the_token_is_stored_encrypted(pool: PgPool) {
    let app = spawn_app(pool.clone(), &[]).await;
    let browser = app.signed_in("ana@example.com").await;
    assert_eq!(connect(&app, &browser, "lumen.studio", "allow").await, "/instagram-auth?connected=lumen.studio");

    let user = app.services.accounts.sign_in("ana@example.com", "a long enough password", "127.0.0.1", None).await.unwrap().0;
    let list = app.services.connections.list(user.id).await.unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].username, "lumen.studio");
    assert_eq!(list[0].state.as_str(), "active");
    let ig_id = app.sandbox_account("lumen.studio").await;
    assert_eq!(list[0].ig_user_id, ig_id);

    // The user_id of the token exchange is above 2^53 and kept digit for digit.
    let (_, world) = app.admin_json("/sandbox/__admin/world").await;
    let app_scoped = world["accounts"][0]["app_scoped_id"].as_str().unwrap().to_string();
    let stored: String = sqlx::query_scalar("SELECT app_scoped_id FROM instagram_connections").fetch_one(&pool).await.unwrap();
    assert_eq!(stored, app_scoped);

    // The stored token works against the Graph API, and no table holds it in clear.
    let token = app.services.connections.token(user.id, list[0].id).await.unwrap();
    let me = app.services.connections.graph().me(token.expose()).await.unwrap();
    assert_eq!(me.username.as_deref(), Some("lumen.studio"));
    let tables: Vec<String> = sqlx::query_scalar("SELECT tablename::text FROM pg_tables WHERE schemaname = 'public'").fetch_all(&pool).await.unwrap();
    assert!(tables.len() >= 6, "{tables:?}");
    let mut dump = Vec::new();
    for table in tables {
        let rows: Vec<String> = sqlx::query_scalar(&format!("SELECT row_to_json(t)::text FROM \"{table}\" t")).fetch_all(&pool).await.unwrap();
        dump.extend(rows);
    }
    let needle = &token.expose()[..24];
    assert!(dump.iter().all(|row| !row.contains(needle)), "a table holds the plain token");
    assert!(dump.iter().all(|row| !row.contains("IGAA")), "no token of the sandbox in any table");
}

#[sqlx::test(migrations = false)]
async fn the_wrapped_token_answer_works_too(pool: PgPool) {
    let app = spawn_app(pool, &[]).await;
    app.sandbox_admin(reqwest::Method::PUT, "/config", json!({ "token_shape": "wrapped" })).await;
    let browser = app.signed_in("ana@example.com").await;
    assert_eq!(connect(&app, &browser, "nordlys.cafe", "allow").await, "/instagram-auth?connected=nordlys.cafe");
}

#[sqlx::test(migrations = false)]
async fn cancel_bad_state_reused_code_and_graph_errors_each_end_with_their_message(pool: PgPool) {
    let app = spawn_app(pool, &[]).await;
    let browser = app.signed_in("ana@example.com").await;
    assert_eq!(connect(&app, &browser, "lumen.studio", "deny").await, "/instagram-auth?error=denied");

    // A state this session did not start.
    let (status, end, _) = browser.get(&app.url("/api/auth/callback?code=AQBforged&state=not-ours")).await;
    assert_eq!((status, end.as_deref()), (303, Some("/instagram-auth?error=state")));

    // Another session cannot finish this session's flow (state bound to the session).
    let (_, consent) = browser.post_form(&app.url("/api/auth/instagram/start"), &[]).await;
    let state: String = url::Url::parse(&consent.unwrap()).unwrap().query_pairs().find(|(k, _)| k == "state").unwrap().1.into_owned();
    let other = app.signed_in("bo@example.com").await;
    let (_, end, _) = other.get(&app.url(&format!("/api/auth/callback?code=AQBx&state={state}"))).await;
    assert_eq!(end.as_deref(), Some("/instagram-auth?error=state"));

    // A reused code: Instagram refuses it.
    let end = connect(&app, &browser, "lumen.studio", "allow").await;
    assert_eq!(end, "/instagram-auth?connected=lumen.studio");
    let (_, consent) = browser.post_form(&app.url("/api/auth/instagram/start"), &[]).await;
    let fresh_state: String = url::Url::parse(&consent.unwrap()).unwrap().query_pairs().find(|(k, _)| k == "state").unwrap().1.into_owned();
    let (_, end, _) = browser.get(&app.url(&format!("/api/auth/callback?code=AQBused&state={fresh_state}"))).await;
    assert_eq!(end.as_deref(), Some("/instagram-auth?error=code"));

    // The Graph API failing during the exchange.
    app.sandbox_admin(reqwest::Method::POST, "/faults", json!({ "kind": "server_error", "endpoint": "/access_token", "times": 1 })).await;
    assert_eq!(connect(&app, &browser, "nordlys.cafe", "allow").await, "/instagram-auth?error=graph");
}

#[sqlx::test(migrations = false)]
async fn reconnecting_updates_and_another_creators_account_is_refused(pool: PgPool) {
    let app = spawn_app(pool.clone(), &[]).await;
    let ana = app.signed_in("ana@example.com").await;
    connect(&app, &ana, "lumen.studio", "allow").await;
    connect(&app, &ana, "lumen.studio", "allow").await;
    let rows: i64 = sqlx::query_scalar("SELECT count(*) FROM instagram_connections").fetch_one(&pool).await.unwrap();
    assert_eq!(rows, 1, "the same account is updated, not duplicated");

    let bo = app.signed_in("bo@example.com").await;
    assert_eq!(connect(&app, &bo, "lumen.studio", "allow").await, "/instagram-auth?error=taken");
    assert_eq!(connect(&app, &bo, "nordlys.cafe", "allow").await, "/instagram-auth?connected=nordlys.cafe");
}

#[sqlx::test(migrations = false)]
async fn signed_out_visitors_are_sent_to_sign_in(pool: PgPool) {
    let app = spawn_app(pool, &[]).await;
    let (status, location) = Browser::new().post_form(&app.url("/api/auth/instagram/start"), &[]).await;
    assert_eq!((status, location.as_deref()), (303, Some("/auth/signin?next=%2Finstagram-auth")));
    // A GET (a link, an old bookmark) starts nothing: it leads to the accounts page.
    let (status, location, _) = Browser::new().get(&app.url("/api/auth/instagram/start")).await;
    assert_eq!((status, location.as_deref()), (303, Some("/instagram-auth")));
}

#[sqlx::test(migrations = false)]
async fn disconnect_is_scoped_to_the_owner(pool: PgPool) {
    let app = spawn_app(pool, &[]).await;
    let ana = app.signed_in("ana@example.com").await;
    connect(&app, &ana, "lumen.studio", "allow").await;
    let ana_id = app.services.accounts.sign_in("ana@example.com", "a long enough password", "127.0.0.1", None).await.unwrap().0.id;
    let connection = app.services.connections.list(ana_id).await.unwrap()[0].id;

    let _bo = app.signed_in("bo@example.com").await;
    let bo_id = app.services.accounts.sign_in("bo@example.com", "a long enough password", "127.0.0.1", None).await.unwrap().0.id;
    assert!(matches!(app.services.connections.disconnect(bo_id, connection).await, Err(crealia_core::Error::NotFound)));
    assert!(matches!(app.services.connections.token(bo_id, connection).await, Err(crealia_core::Error::NotFound)));
    assert_eq!(app.services.connections.list(bo_id).await.unwrap(), vec![]);

    app.services.connections.disconnect(ana_id, connection).await.unwrap();
    assert_eq!(app.services.connections.list(ana_id).await.unwrap(), vec![]);
}
