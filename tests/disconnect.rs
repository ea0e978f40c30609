//! Disconnecting an Instagram account keeps its history (issue 12, item 4): the token goes,
//! the posts, media and inbox items stay; pending posts are cancelled with a reason (after
//! Instagram is asked about any that may already be out); the same creator reconnecting gets
//! the history back; another creator connecting the account later sees none of it.

mod common;

use chrono::{Duration, Utc};
use common::{connect, spawn_app, TestApp};
use crealia_core::publishing::{NewPost, PostKind, PostStatus};
use crealia_model::post_note::PostNote;
use sqlx::PgPool;

const PASSWORD: &str = "a long enough password";

async fn user_id(app: &TestApp, email: &str) -> i64 {
    app.services.accounts.sign_in(email, PASSWORD, "127.0.0.1", None).await.unwrap().0.id
}

/// Ana, signed up, with lumen.studio connected and one image uploaded: (app, her id, the
/// connection's id, the image's id).
async fn ana_with_lumen(pool: &PgPool) -> (TestApp, i64, i64, i64) {
    let app = spawn_app(pool.clone(), &[]).await;
    let browser = app.signed_in("ana@example.com").await;
    connect(&app, &browser, "lumen.studio", "allow").await;
    let ana = user_id(&app, "ana@example.com").await;
    let cid = app.services.connections.list(ana).await.unwrap()[0].id;
    let jpg = common::stored_media(&app, ana, &common::encoded(1080, 1080, image::ImageFormat::Jpeg)).await;
    (app, ana, cid, jpg)
}

fn image_post(connection_id: i64, media_id: i64, at: chrono::DateTime<Utc>) -> NewPost {
    NewPost {
        connection_id,
        kind: PostKind::Image,
        caption: "Kept #history".into(),
        alt_text: None,
        first_comment: None,
        media_ids: vec![media_id],
        scheduled_at: at,
        options: Default::default(),
    }
}

async fn inbox_count(app: &TestApp, user: i64) -> usize {
    app.services.inbox.list(user, None, "UTC").await.unwrap().items.len()
}

#[sqlx::test(migrations = false)]
async fn disconnecting_keeps_history_and_only_the_same_creator_gets_it_back(pool: PgPool) {
    let app = spawn_app(pool.clone(), &[]).await;
    let ana_browser = app.signed_in("ana@example.com").await;
    assert_eq!(connect(&app, &ana_browser, "lumen.studio", "allow").await, "/instagram-auth?connected=lumen.studio");
    let ana = user_id(&app, "ana@example.com").await;
    let cid = app.services.connections.list(ana).await.unwrap()[0].id;
    let ig = app.sandbox_account("lumen.studio").await;
    let jpg = common::stored_media(&app, ana, &common::encoded(1080, 1080, image::ImageFormat::Jpeg)).await;
    let publishing = &app.services.publishing;

    // History: one post out, one due tomorrow, one whose publish answer was lost (it is live).
    let out = publishing.schedule(ana, image_post(cid, jpg, Utc::now())).await.unwrap();
    publishing.run_due(Utc::now(), 10).await.unwrap();
    assert_eq!(publishing.get(ana, out.id).await.unwrap().status, PostStatus::Published);
    let tomorrow = publishing.schedule(ana, image_post(cid, jpg, Utc::now() + Duration::days(1))).await.unwrap();
    let lost = publishing.schedule(ana, image_post(cid, jpg, Utc::now() + Duration::days(1))).await.unwrap();
    let token = app.services.connections.token(ana, cid).await.unwrap();
    let graph = app.services.connections.graph();
    let url = app.services.media.urls_of(ana, &[jpg]).await.unwrap().remove(0);
    let container = graph.create_container(token.expose(), &ig, &[("image_url", url)]).await.unwrap();
    graph.publish_container(token.expose(), &ig, &container).await.unwrap();
    sqlx::query("UPDATE scheduled_posts SET container_id = $2 WHERE id = $1").bind(lost.id).bind(&container).execute(&pool).await.unwrap();
    // And a comment in the inbox.
    sqlx::query(
        "INSERT INTO inbox_items (ig_user_id, kind, field, external_id, body, occurred_at, payload, connection_id)
         VALUES ($1, 'comment', 'comments', 'c-1', 'Lovely!', now(), '{}', $2)",
    )
    .bind(&ig)
    .bind(cid)
    .execute(&pool)
    .await
    .unwrap();
    assert_eq!(inbox_count(&app, ana).await, 1);

    // Disconnect, through the server function's service.
    let cancelled = publishing.disconnect_account(ana, cid).await.unwrap();
    assert_eq!(cancelled, 1, "only the post due tomorrow is cancelled");
    let (state, token_gone): (String, bool) =
        sqlx::query_as("SELECT state, token_ciphertext IS NULL FROM instagram_connections WHERE id = $1").bind(cid).fetch_one(&pool).await.unwrap();
    assert_eq!((state.as_str(), token_gone), ("disconnected", true));
    assert!(app.services.connections.list(ana).await.unwrap().is_empty(), "no longer among the live accounts");
    let kept = publishing.list(ana).await.unwrap();
    assert_eq!(kept.len(), 3, "every post stays");
    assert_eq!(publishing.get(ana, out.id).await.unwrap().status, PostStatus::Published);
    let t = publishing.get(ana, tomorrow.id).await.unwrap();
    assert_eq!((t.status, t.note.clone()), (PostStatus::Cancelled, Some(PostNote::Disconnected)));
    assert_eq!(t.last_error, Some(PostNote::Disconnected.to_string()));
    assert_eq!(publishing.get(ana, lost.id).await.unwrap().status, PostStatus::Published, "asked Instagram, never guessed");
    // Media stay, even when the cleanup looks far ahead; no cascade can take the history.
    assert_eq!(app.services.media.cleanup(Utc::now() + Duration::days(365)).await.unwrap(), 0);
    assert!(app.services.media.get(ana, jpg).await.is_ok());
    let delete = sqlx::query("DELETE FROM instagram_connections WHERE id = $1").bind(cid).execute(&pool).await;
    assert!(delete.is_err_and(|e| e.to_string().contains("foreign key")), "RESTRICT: a connection with posts cannot be deleted");
    let inbox_rows: i64 = sqlx::query_scalar("SELECT count(*) FROM inbox_items").fetch_one(&pool).await.unwrap();
    assert_eq!(inbox_rows, 1, "inbox items stay");
    assert_eq!(inbox_count(&app, ana).await, 0, "a disconnected account's inbox is not shown");

    // Another creator connects the same Instagram account: none of Ana's posts or media.
    let bo_browser = app.signed_in("bo@example.com").await;
    assert_eq!(connect(&app, &bo_browser, "lumen.studio", "allow").await, "/instagram-auth?connected=lumen.studio");
    let bo = user_id(&app, "bo@example.com").await;
    let bo_cid = app.services.connections.list(bo).await.unwrap()[0].id;
    assert_ne!(bo_cid, cid, "a row of Bo's own");
    assert!(publishing.list(bo).await.unwrap().is_empty());
    assert!(matches!(publishing.get(bo, out.id).await, Err(crealia_core::Error::NotFound)));
    assert!(matches!(app.services.media.get(bo, jpg).await, Err(crealia_core::Error::NotFound)));
    assert_eq!(inbox_count(&app, bo).await, 0, "nor Ana's inbox");
    // While Bo holds it, Ana cannot take it back.
    assert_eq!(connect(&app, &ana_browser, "lumen.studio", "allow").await, "/instagram-auth?error=taken");

    // Bo lets it go; Ana reconnects and her history is back, on the same connection.
    publishing.disconnect_account(bo, bo_cid).await.unwrap();
    assert_eq!(connect(&app, &ana_browser, "lumen.studio", "allow").await, "/instagram-auth?connected=lumen.studio");
    let again = app.services.connections.list(ana).await.unwrap();
    assert_eq!(again.iter().map(|c| (c.id, c.state.as_str())).collect::<Vec<_>>(), vec![(cid, "active")]);
    assert_eq!(publishing.list(ana).await.unwrap().len(), 3);
    assert_eq!(inbox_count(&app, ana).await, 1);
    assert!(app.services.connections.token(ana, cid).await.is_ok(), "a working token again");
}

/// A post being published when its account is disconnected does not go on: its next step
/// finds no account and cancels it with the reason (or, holding a container Instagram could not
/// be asked about, fails it with what to do).
#[sqlx::test(migrations = false)]
async fn a_post_caught_mid_publish_by_a_disconnect_is_cancelled_with_the_reason(pool: PgPool) {
    let (app, ana, cid, jpg) = ana_with_lumen(&pool).await;
    let publishing = &app.services.publishing;
    let first = publishing.schedule(ana, image_post(cid, jpg, Utc::now())).await.unwrap();
    let second = publishing.schedule(ana, image_post(cid, jpg, Utc::now())).await.unwrap();
    // Both claimed (PUBLISHING) by a worker that then stalls; the second holds a container.
    sqlx::query("UPDATE scheduled_posts SET status = 'PUBLISHING', lease_until = now() - interval '1 second' WHERE id = ANY($1)")
        .bind(vec![first.id, second.id])
        .execute(&pool)
        .await
        .unwrap();
    sqlx::query("UPDATE scheduled_posts SET container_id = 'unknown-container' WHERE id = $1").bind(second.id).execute(&pool).await.unwrap();
    assert_eq!(publishing.disconnect_account(ana, cid).await.unwrap(), 0, "posts in flight are not touched by the disconnect itself");

    publishing.run_due(Utc::now(), 10).await.unwrap();
    let first = publishing.get(ana, first.id).await.unwrap();
    assert_eq!((first.status, first.note.clone()), (PostStatus::Cancelled, Some(PostNote::Disconnected)));
    let second = publishing.get(ana, second.id).await.unwrap();
    assert_eq!(second.status, PostStatus::Failed);
    assert!(second.last_error.unwrap().contains("Reconnect the account"));
}

/// Disconnecting is how a creator revokes Crealia's access: a slow Instagram cannot hold it
/// up. Posts it could not ask about in time fail with what to do, and the token is gone.
#[sqlx::test(migrations = false)]
async fn a_slow_instagram_never_holds_up_a_disconnect(pool: PgPool) {
    let (app, ana, cid, jpg) = ana_with_lumen(&pool).await;
    let publishing = &app.services.publishing;
    let mut held = Vec::new();
    for _ in 0..3 {
        let post = publishing.schedule(ana, image_post(cid, jpg, Utc::now() + Duration::days(1))).await.unwrap();
        sqlx::query("UPDATE scheduled_posts SET container_id = $2 WHERE id = $1").bind(post.id).bind(format!("c-{}", post.id)).execute(&pool).await.unwrap();
        held.push(post.id);
    }
    // Every Graph API answer now takes a minute.
    app.sandbox_admin(reqwest::Method::POST, "/faults", serde_json::json!({ "kind": "latency", "ms": 60_000 })).await;

    let started = std::time::Instant::now();
    publishing.disconnect_account(ana, cid).await.unwrap();
    assert!(started.elapsed() < crealia_core::publishing::DISCONNECT_SETTLE_WITHIN + std::time::Duration::from_secs(5), "{:?}", started.elapsed());
    let (state, token_gone): (String, bool) =
        sqlx::query_as("SELECT state, token_ciphertext IS NULL FROM instagram_connections WHERE id = $1").bind(cid).fetch_one(&pool).await.unwrap();
    assert_eq!((state.as_str(), token_gone), ("disconnected", true));
    for id in held {
        let post = publishing.get(ana, id).await.unwrap();
        assert_eq!((post.status, post.note.clone()), (PostStatus::Failed, Some(PostNote::DisconnectedUnsettled)));
    }
}
