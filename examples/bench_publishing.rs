//! 10,000 posts across 1,000 sandbox accounts, all due at the same second, with 50 ms of
//! sandbox latency on every Graph API call: how long until every post is published, and the
//! p50/p99 lag of each post after its due time. Two scheduler "processes" (two independent
//! application stacks, each with its own pool and worker) share the database, as two servers
//! would.
//!
//! Run through `scripts/bench-publishing` (release build, a scratch database).

use std::time::{Duration, Instant};

use chrono::Utc;
use crealia::config::Config;
use crealia::startup::Application;
use crealia_core::connections::NewConnection;
use crealia_core::crypto::SecretToken;
use crealia_core::publishing::SchedulerSettings;
use crealia_sandbox::faults::{FaultKind, FaultRule};
use crealia_sandbox::{Sandbox, SandboxConfig};

const ACCOUNTS: usize = 1_000;
const POSTS_PER_ACCOUNT: usize = 10;
const LATENCY_MS: u64 = 50;

#[tokio::main]
async fn main() {
    let database_url = std::env::var("DATABASE_URL").expect("DATABASE_URL of a scratch database");
    let concurrency: usize = std::env::var("PUBLISH_CONCURRENCY").ok().and_then(|v| v.parse().ok()).unwrap_or(64);

    // The sandbox on its own port, every call 50 ms slower, quotas out of the way.
    let sandbox = Sandbox::new(SandboxConfig { account_calls_per_hour: 1_000_000, app_calls_per_hour: 100_000_000, ..Default::default() });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let graph = format!("http://{}/", listener.local_addr().unwrap());
    tokio::spawn(crealia_sandbox::serve(listener, sandbox.clone()));

    let vars = || {
        let mut map = std::collections::HashMap::new();
        for (k, v) in [
            ("LEPTOS_SITE_ADDR", "127.0.0.1:0"),
            ("DATABASE_URL", database_url.as_str()),
            ("GRAPH_API_BASE_URL", graph.as_str()),
            ("DATABASE_MAX_CONNECTIONS", "20"),
            ("JOBS_ENABLED", "false"),
            ("RUST_LOG", "error"),
            ("LEPTOS_SITE_ROOT", "/tmp/crealia-bench-site"),
        ] {
            map.insert(k.to_string(), v.to_string());
        }
        Config::from_map(&map).expect("configuration")
    };
    let a = Application::build(vars()).await.expect("app A starts");
    let b = Application::build(vars()).await.expect("app B starts");
    let (services_a, services_b) = (a.services().clone(), b.services().clone());
    let image_url = format!("http://{}/bench.jpg", a.local_addr());
    std::fs::create_dir_all("/tmp/crealia-bench-site").unwrap();
    let mut jpeg = std::io::Cursor::new(Vec::new());
    image::DynamicImage::ImageRgb8(image::RgbImage::new(1080, 1080)).write_to(&mut jpeg, image::ImageFormat::Jpeg).unwrap();
    std::fs::write("/tmp/crealia-bench-site/bench.jpg", jpeg.into_inner()).unwrap();
    tokio::spawn(a.run_until_stopped());
    tokio::spawn(b.run_until_stopped());

    // 1,000 accounts, each connected to one creator.
    let user = services_a.accounts.sign_up(&format!("bench-{}@example.com", Utc::now().timestamp()), "a long enough password", "Bench").await.unwrap().id;
    let made: Vec<(String, String, String)> = {
        let now = sandbox.clock().now();
        let mut world = sandbox.world();
        (0..ACCOUNTS)
            .map(|i| {
                let username = format!("bench.{i:05}");
                let (ig, token) = world.add_plain_account(&username, now);
                (ig, token, username)
            })
            .collect()
    };
    let mut connections = Vec::new();
    for (ig, token, username) in made {
        let c = services_a
            .connections
            .store(user, NewConnection::from_token(ig, username, SecretToken::new(token), Utc::now() + chrono::Duration::days(59)))
            .await
            .unwrap();
        connections.push(c.id);
    }

    // 10,000 posts due at the same second, a little ahead.
    let due = Utc::now() + chrono::Duration::seconds(3);
    sqlx::query(
        "INSERT INTO scheduled_posts (user_id, connection_id, kind, caption, media_urls, scheduled_at, next_attempt_at)
         SELECT $1, c, 'image', 'Bench #load', ARRAY[$3], $4, $4 FROM unnest($2::bigint[]) AS c, generate_series(1, $5)",
    )
    .bind(user)
    .bind(&connections)
    .bind(&image_url)
    .bind(due)
    .bind(POSTS_PER_ACCOUNT as i32)
    .execute(&services_a.db)
    .await
    .unwrap();
    let total = ACCOUNTS * POSTS_PER_ACCOUNT;
    sandbox.faults().add(FaultRule { kind: FaultKind::Latency { ms: LATENCY_MS, after: false }, endpoint: None, times: None, skip: 0, probability: None });

    let settings = SchedulerSettings { concurrency, ..Default::default() };
    tokio::spawn(services_a.publishing.clone().run_scheduler(settings.clone()));
    tokio::spawn(services_b.publishing.clone().run_scheduler(settings));
    tokio::time::sleep((due - Utc::now()).to_std().unwrap_or_default()).await;
    let started = Instant::now();
    loop {
        let (done,): (i64,) = sqlx::query_as("SELECT count(*) FROM scheduled_posts WHERE status = 'PUBLISHED'").fetch_one(&services_a.db).await.unwrap();
        if done as usize >= total {
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(1_800), "not done after 30 minutes: {done} of {total}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let elapsed = started.elapsed();
    let (p50, p99, max): (f64, f64, f64) = sqlx::query_as(
        "SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY lag), percentile_cont(0.99) WITHIN GROUP (ORDER BY lag), max(lag)
         FROM (SELECT extract(epoch FROM published_at - scheduled_at)::float8 AS lag FROM scheduled_posts) l",
    )
    .fetch_one(&services_a.db)
    .await
    .unwrap();
    let published = sandbox.world().published_at.values().map(Vec::len).sum::<usize>();
    println!("posts: {total} across {ACCOUNTS} accounts, sandbox latency {LATENCY_MS} ms per call, 2 schedulers x {concurrency} at once");
    println!("all published after {:.1} s ({:.0} posts/s); published in the sandbox: {published}", elapsed.as_secs_f64(), total as f64 / elapsed.as_secs_f64());
    println!("lag after the due time: p50 {p50:.2} s, p99 {p99:.2} s, max {max:.2} s");
    assert_eq!(published, total, "each post published exactly once");
}
