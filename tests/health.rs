//! `/healthz` and `/readyz` against a real PostgreSQL, a real Redis and a dead one.

mod common;

use common::{redis_url, spawn_app, DEAD_REDIS_URL};
use sqlx::PgPool;

#[sqlx::test(migrations = false)]
async fn healthz_answers_without_touching_dependencies(pool: PgPool) {
    let app = spawn_app(pool, &[]).await;
    let (status, body) = app.get_json("/healthz").await;
    assert_eq!(status, 200);
    assert_eq!(body["status"], "ok");
}

#[sqlx::test(migrations = false)]
async fn readyz_reports_redis_down_and_the_cache_on_moka_alone(pool: PgPool) {
    let app = spawn_app(pool, &[("REDIS_URL", DEAD_REDIS_URL)]).await;
    let (status, body) = app.readyz_details().await;

    assert_eq!(status, 200, "a dead Redis degrades Crealia, it does not take it down: {body}");
    assert_eq!(body["status"], "degraded");
    assert_eq!(body["checks"]["database"]["status"], "ok");
    assert!(body["checks"]["database"]["latency_ms"].as_f64().is_some());
    assert_eq!(body["checks"]["cache"]["status"], "degraded");
    assert_eq!(body["checks"]["cache"]["backend"], "moka");
    assert_eq!(body["checks"]["cache"]["redis"]["status"], "down");
    assert!(body["checks"]["cache"]["redis"]["error"].is_string());
}

#[sqlx::test(migrations = false)]
async fn readyz_reports_redis_ok_when_it_answers(pool: PgPool) {
    let app = spawn_app(pool, &[("REDIS_URL", &redis_url())]).await;
    let (status, body) = app.readyz_details().await;

    assert_eq!(status, 200);
    assert_eq!(body["status"], "ok", "{body}");
    assert_eq!(body["checks"]["cache"]["status"], "ok");
    assert_eq!(body["checks"]["cache"]["backend"], "moka+redis");
    assert_eq!(body["checks"]["cache"]["redis"]["status"], "ok");
    assert!(body["checks"]["cache"]["redis"]["latency_ms"].as_f64().is_some());
}

#[sqlx::test(migrations = false)]
async fn readyz_without_redis_configured_is_ok_on_moka(pool: PgPool) {
    let app = spawn_app(pool, &[]).await;
    let (_, body) = app.readyz_details().await;
    assert_eq!(body["checks"]["cache"]["status"], "ok");
    assert_eq!(body["checks"]["cache"]["backend"], "moka");
    assert_eq!(body["checks"]["cache"]["redis"]["status"], "disabled");
}

#[sqlx::test(migrations = false)]
async fn readyz_names_the_graph_api_target(pool: PgPool) {
    let app = spawn_app(pool, &[]).await;
    let (_, body) = app.readyz_details().await;
    let graph = &body["checks"]["graph_api"];
    assert_eq!(graph["mode"], "sandbox");
    assert_eq!(graph["base_url"], format!("http://{}/sandbox/", app.addr));
    assert_eq!(graph["status"], "ok", "the in-process target answers: {graph}");
}

#[sqlx::test(migrations = false)]
async fn readyz_says_down_when_the_database_is_gone(pool: PgPool) {
    let app = spawn_app(pool.clone(), &[]).await;
    pool.close().await;
    // Anyone may see that much (a signed-in view needs the database to know who is signed in).
    let (status, body) = app.get_json("/readyz").await;
    assert_eq!(status, 503);
    assert_eq!(body["status"], "down");
    assert_eq!(body["checks"]["database"]["status"], "down");
}

#[sqlx::test(migrations = false)]
async fn every_response_carries_a_request_id(pool: PgPool) {
    let app = spawn_app(pool, &[]).await;
    let response = app.client.get(app.url("/healthz")).send().await.unwrap();
    let id = response.headers().get("x-request-id").expect("x-request-id header");
    assert_eq!(id.to_str().unwrap().len(), 36, "a UUID");

    let response = app.client.get(app.url("/healthz")).header("x-request-id", "from-the-proxy").send().await.unwrap();
    assert_eq!(response.headers()["x-request-id"], "from-the-proxy", "an incoming id is kept");
}

#[sqlx::test(migrations = false)]
async fn oversized_bodies_are_refused_with_413(pool: PgPool) {
    let app = spawn_app(pool, &[("BODY_LIMIT_BYTES", "1024")]).await;
    let response = app.client.post(app.url("/api/anything")).body(vec![b'x'; 4096]).send().await.unwrap();
    assert_eq!(response.status().as_u16(), 413);
}

#[sqlx::test(migrations = false)]
async fn the_sandbox_is_mounted_in_process_by_default(pool: PgPool) {
    let app = spawn_app(pool, &[]).await;
    let (status, world) = app.admin_json("/sandbox/__admin/world").await;
    assert_eq!(status, 200);
    assert!(world["accounts"].as_array().unwrap().iter().any(|a| a["username"] == "lumen.studio"));

    let (status, body) = app.get_json("/sandbox/v25.0/me").await;
    assert_eq!(status, 400);
    assert_eq!(body["error"]["code"], 2500, "Meta's answer to a call without a token: {body}");
}

#[sqlx::test(migrations = false)]
async fn an_external_graph_api_url_replaces_the_in_process_sandbox(pool: PgPool) {
    let app = spawn_app(pool, &[("GRAPH_API_BASE_URL", "http://127.0.0.1:1/")]).await;
    let response = app.sandbox_admin.get(app.url("/sandbox/__admin/world")).send().await.unwrap();
    assert_eq!(response.status().as_u16(), 404, "nothing is mounted");
    let (status, body) = app.readyz_details().await;
    assert_eq!(status, 200);
    assert_eq!(body["checks"]["graph_api"]["status"], "down");
    assert_eq!(body["status"], "degraded");
}

#[sqlx::test(migrations = false)]
async fn readyz_reports_a_webhook_backlog_as_degraded(pool: PgPool) {
    let app = spawn_app(pool.clone(), &[]).await;
    let (_, body) = app.readyz_details().await;
    assert_eq!(body["checks"]["webhooks"]["status"], "ok", "{body}");
    assert_eq!(body["checks"]["webhooks"]["pending"], 0);
    assert!(body["checks"]["webhooks"]["last_received_secs_ago"].is_null());

    // A delivery stored two minutes ago and still not processed: no processor keeps up.
    sqlx::query("INSERT INTO webhook_deliveries (body, headers, received_at) VALUES ('{}', '{}', now() - interval '2 minutes')").execute(&pool).await.unwrap();
    tokio::time::sleep(crealia_core::health::REPORT_MAX_AGE).await;
    let (status, body) = app.readyz_details().await;
    assert_eq!(status, 200, "a backlog degrades, it does not make the server unready");
    assert_eq!(body["status"], "degraded");
    assert_eq!(body["checks"]["webhooks"]["status"], "degraded");
    assert_eq!(body["checks"]["webhooks"]["pending"], 1);
    assert!(body["checks"]["webhooks"]["oldest_pending_secs"].as_i64().unwrap() >= 120);
    assert!(body["checks"]["webhooks"]["error"].as_str().unwrap().contains("JOBS_ENABLED"));

    sqlx::query("UPDATE webhook_deliveries SET processed_at = now()").execute(&pool).await.unwrap();
    tokio::time::sleep(crealia_core::health::REPORT_MAX_AGE).await;
    let (_, body) = app.readyz_details().await;
    assert_eq!(body["checks"]["webhooks"]["status"], "ok");
}
