//! The control room's cost for a creator with 10 connected accounts and 1,000 scheduled posts:
//! `GET /api/status` and the server render of `/dashboard/instagram`, each against a bare axum
//! JSON route measured in the same run, over loopback HTTP (caches warm, as a page that is
//! open and polling finds them).
//!
//! Run through `scripts/bench-status` (release build, a scratch database, the local Redis).

mod common;

use common::{bare_route, ms, stats};

use std::time::Instant;

use chrono::Utc;
use crealia::config::Config;
use crealia::startup::Application;
use crealia_core::connections::NewConnection;
use crealia_core::crypto::SecretToken;

const N: usize = 1_000;
const ACCOUNTS: usize = 10;
const POSTS: i64 = 1_000;
const ADMIN: &str = "bench-status-admin-token-0123456789abcdef";

#[tokio::main]
async fn main() {
    let database_url = std::env::var("DATABASE_URL").expect("DATABASE_URL of a scratch database");
    let redis_url = std::env::var("REDIS_URL").expect("REDIS_URL");
    let namespace = format!("bench-status-{}", Utc::now().timestamp_nanos_opt().unwrap_or_default());
    let mut vars = std::collections::HashMap::new();
    for (k, v) in [
        ("LEPTOS_SITE_ADDR", "127.0.0.1:0"),
        ("DATABASE_URL", database_url.as_str()),
        ("REDIS_URL", redis_url.as_str()),
        ("CACHE_NAMESPACE", namespace.as_str()),
        ("JOBS_ENABLED", "false"),
        ("RUST_LOG", "error"),
        ("SANDBOX_ADMIN_TOKEN", ADMIN),
    ] {
        vars.insert(k.to_string(), v.to_string());
    }
    let app = Application::build(Config::from_map(&vars).expect("configuration")).await.expect("app starts");
    let addr = app.local_addr();
    let services = app.services().clone();
    tokio::spawn(app.run_until_stopped());

    let bare_url = bare_route().await;

    // A creator with 10 accounts of the sandbox's, and 1,000 posts queued over the next weeks.
    let email = format!("bench-{}@example.com", Utc::now().timestamp_nanos_opt().unwrap_or_default());
    services.accounts.sign_up(&email, "a long enough password", "Bench").await.unwrap();
    let (user, session) = services.accounts.sign_in(&email, "a long enough password", "127.0.0.1", None).await.unwrap();
    let client = reqwest::Client::new();
    let made: serde_json::Value = client
        .post(format!("http://{addr}/sandbox/__admin/accounts"))
        .bearer_auth(ADMIN)
        .json(&serde_json::json!({ "count": ACCOUNTS, "prefix": "room" }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    for a in made["accounts"].as_array().unwrap() {
        services
            .connections
            .store(
                user.id,
                NewConnection {
                    ig_user_id: a["ig_id"].as_str().unwrap().to_string(),
                    app_scoped_id: None,
                    username: a["username"].as_str().unwrap().to_string(),
                    name: None,
                    account_type: None,
                    profile_picture_url: None,
                    permissions: crealia_core::connections::SCOPES.iter().map(|s| s.to_string()).collect(),
                    token: SecretToken::new(a["access_token"].as_str().unwrap().to_string()),
                    expires_at: Utc::now() + chrono::Duration::days(60),
                },
            )
            .await
            .unwrap();
    }
    sqlx::query(
        "INSERT INTO scheduled_posts (user_id, connection_id, kind, caption, media_urls, scheduled_at, next_attempt_at)
         SELECT $1, c.id, 'image', 'Queued post ' || g, ARRAY['http://127.0.0.1/media/x.jpg'], now() + g * interval '20 minutes', now() + g * interval '20 minutes'
         FROM generate_series(1, $2) g
         JOIN LATERAL (SELECT id FROM instagram_connections WHERE user_id = $1 ORDER BY id OFFSET (g % $3) LIMIT 1) c ON true",
    )
    .bind(user.id)
    .bind(POSTS)
    .bind(ACCOUNTS as i64)
    .execute(&services.db)
    .await
    .unwrap();

    let cookie = format!("crealia_session={}", session.as_str());
    let status_url = format!("http://{addr}/api/status");
    let page_url = format!("http://{addr}/dashboard/instagram");
    // The frame every page pays for (shell, layout, language, session): a page with nothing on it.
    let empty_url = format!("http://{addr}/nothing-here");
    // Warm: the accounts' figures and quotas are read from the sandbox once, then cached.
    for url in [&status_url, &page_url] {
        let r = client.get(url).header("cookie", &cookie).send().await.unwrap();
        assert_eq!(r.status().as_u16(), 200, "{url}");
        let text = r.text().await.unwrap();
        assert!(url.ends_with("status") || text.contains("Queued post 1"), "the page shows the queue");
    }
    let (mut bare_samples, mut status, mut page, mut empty) = (Vec::with_capacity(N), Vec::with_capacity(N), Vec::with_capacity(N), Vec::with_capacity(N));
    let mut page_bytes = 0;
    for _ in 0..N {
        let t = Instant::now();
        client.get(&bare_url).send().await.unwrap().bytes().await.unwrap();
        bare_samples.push(t.elapsed());

        let t = Instant::now();
        client.get(&status_url).header("cookie", &cookie).send().await.unwrap().bytes().await.unwrap();
        status.push(t.elapsed());

        let t = Instant::now();
        page_bytes = client.get(&page_url).header("cookie", &cookie).send().await.unwrap().bytes().await.unwrap().len();
        page.push(t.elapsed());

        let t = Instant::now();
        client.get(&empty_url).header("cookie", &cookie).send().await.unwrap().bytes().await.unwrap();
        empty.push(t.elapsed());
    }
    let bare = stats(bare_samples);
    println!("{ACCOUNTS} accounts, {POSTS} scheduled posts; the page is {page_bytes} bytes");
    // To see what the page is made of: BENCH_STATUS_PAGE=/tmp/control-room.html.
    if let Ok(path) = std::env::var("BENCH_STATUS_PAGE") {
        let html = client.get(&page_url).header("cookie", &cookie).send().await.unwrap().text().await.unwrap();
        std::fs::write(path, html).expect("the page is written");
    }
    println!("| request | p50 | p99 | p50 ÷ bare | p99 ÷ bare |");
    println!("|---|---:|---:|---:|---:|");
    println!("| bare axum JSON route | {:.3} ms | {:.3} ms | 1.0 | 1.0 |", ms(bare.p50), ms(bare.p99));
    for (name, samples) in
        [("GET /api/status", status), ("GET /dashboard/instagram (server render)", page), ("a page with nothing on it (404: shell and layout)", empty)]
    {
        let s = stats(samples);
        println!("| {name} (n={N}) | {:.3} ms | {:.3} ms | {:.1} | {:.1} |", ms(s.p50), ms(s.p99), ms(s.p50) / ms(bare.p50), ms(s.p99) / ms(bare.p99));
    }
}
