//! Latency of the dashboard's server function with an L1 hit, an L2 (Redis) hit and a miss,
//! each against a bare axum JSON route measured in the same run, over loopback HTTP.
//!
//! Run through `scripts/bench-insights` (release build, a scratch database, the local Redis).

mod common;

use common::{bare_route, ms, stats};

use std::time::Instant;

use chrono::Utc;
use crealia::config::Config;
use crealia::startup::Application;
use crealia_core::connections::NewConnection;
use crealia_core::crypto::SecretToken;

const N: usize = 2_000;
const N_MISS: usize = 300;

#[tokio::main]
async fn main() {
    let database_url = std::env::var("DATABASE_URL").expect("DATABASE_URL of a scratch database");
    let redis_url = std::env::var("REDIS_URL").expect("REDIS_URL");
    let namespace = format!("bench-{}", Utc::now().timestamp_nanos_opt().unwrap_or_default());
    let vars = |extra: &[(&str, &str)]| {
        let mut map = std::collections::HashMap::new();
        for (k, v) in [
            ("LEPTOS_SITE_ADDR", "127.0.0.1:0"),
            ("DATABASE_URL", database_url.as_str()),
            ("REDIS_URL", redis_url.as_str()),
            ("CACHE_NAMESPACE", namespace.as_str()),
            ("JOBS_ENABLED", "false"),
            ("RUST_LOG", "error"),
        ] {
            map.insert(k.to_string(), v.to_string());
        }
        for (k, v) in extra {
            map.insert(k.to_string(), v.to_string());
        }
        Config::from_map(&map).expect("configuration")
    };

    let app = Application::build(vars(&[])).await.expect("app starts");
    let addr = app.local_addr();
    let services = app.services().clone();
    tokio::spawn(app.run_until_stopped());

    let bare_url = bare_route().await;

    // A creator with the sandbox's lumen.studio connected.
    let email = format!("bench-{}@example.com", Utc::now().timestamp_nanos_opt().unwrap_or_default());
    services.accounts.sign_up(&email, "a long enough password", "Bench").await.unwrap();
    let (user, session) = services.accounts.sign_in(&email, "a long enough password", "127.0.0.1", None).await.unwrap();
    let seed = crealia_sandbox::SandboxConfig::default().seed;
    let world = crealia_sandbox::World::seeded(seed, Utc::now().timestamp());
    let account = world.account_by_username("lumen.studio").unwrap();
    // Make sure no one else holds this account in the scratch database.
    sqlx::query("DELETE FROM instagram_connections WHERE ig_user_id = $1").bind(&account.ig_id).execute(&services.db).await.unwrap();
    let connection = services
        .connections
        .store(
            user.id,
            NewConnection {
                ig_user_id: account.ig_id.clone(),
                app_scoped_id: None,
                username: account.username.clone(),
                name: None,
                account_type: None,
                profile_picture_url: None,
                permissions: crealia_core::connections::SCOPES.iter().map(|s| s.to_string()).collect(),
                token: SecretToken::new(crealia_sandbox::demo_token(seed, "lumen.studio")),
                expires_at: Utc::now() + chrono::Duration::days(60),
            },
        )
        .await
        .unwrap();

    let path = leptos::server_fn::axum::server_fn_paths().map(|(p, _)| p.to_string()).find(|p| p.contains("load_dashboard")).unwrap();
    let client = reqwest::Client::new();
    let cookie = format!("crealia_session={}", session.as_str());
    let call = || {
        client.post(format!("http://{addr}{path}")).header("cookie", &cookie).header("content-type", "application/x-www-form-urlencoded").body("days=7").send()
    };
    let check = call().await.unwrap();
    assert_eq!(check.status().as_u16(), 200, "{}", check.text().await.unwrap());

    let mut bare_samples = Vec::with_capacity(N);
    let mut l1 = Vec::with_capacity(N);
    let mut l2 = Vec::with_capacity(N);
    let mut miss = Vec::with_capacity(N_MISS);
    // Interleave the kinds so that machine noise hits them alike.
    for i in 0..N {
        let t = Instant::now();
        client.get(&bare_url).send().await.unwrap().bytes().await.unwrap();
        bare_samples.push(t.elapsed());

        let t = Instant::now();
        call().await.unwrap().bytes().await.unwrap();
        l1.push(t.elapsed());

        services.cache.clear_local();
        let t = Instant::now();
        call().await.unwrap().bytes().await.unwrap();
        l2.push(t.elapsed());

        if i < N_MISS {
            services.connections.invalidate_cache(connection.id, crealia_core::account_cache::Change::Everything).await.unwrap();
            let t = Instant::now();
            call().await.unwrap().bytes().await.unwrap();
            miss.push(t.elapsed());
        }
    }

    let bare = stats(bare_samples);
    println!("| request | p50 | p99 | p50 ÷ bare | p99 ÷ bare |");
    println!("|---|---:|---:|---:|---:|");
    println!("| bare axum JSON route | {:.3} ms | {:.3} ms | 1.0 | 1.0 |", ms(bare.p50), ms(bare.p99));
    for (name, samples) in
        [("dashboard, L1 hit", l1), ("dashboard, L2 hit (Redis)", l2), ("dashboard, miss (12 Graph API calls to the in-process sandbox)", miss)]
    {
        let n = samples.len();
        let s = stats(samples);
        println!("| {name} (n={n}) | {:.3} ms | {:.3} ms | {:.1} | {:.1} |", ms(s.p50), ms(s.p99), ms(s.p50) / ms(bare.p50), ms(s.p99) / ms(bare.p99));
    }
}
