//! What every benchmark example measures with: percentiles of sorted latencies, milliseconds,
//! and settings from the environment; and the allocator the server binary ships with
//! (`src/main.rs`), so a benchmark measures what production runs.

#![allow(dead_code)]

use std::time::Duration;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The `p` percentile (0.0–1.0) of latencies sorted in ascending order (not empty).
pub fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

pub fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// The variable `name` parsed, or `default` when it is unset or not a number.
pub fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// The median and the 99th percentile of a run.
pub struct Stats {
    pub p50: Duration,
    pub p99: Duration,
}

pub fn stats(mut samples: Vec<Duration>) -> Stats {
    samples.sort();
    Stats { p50: percentile(&samples, 0.50), p99: percentile(&samples, 0.99) }
}

/// The baseline of the latency benchmarks: a bare axum route on 127.0.0.1 answering ~2 KB of
/// JSON with no work. Returns its URL.
pub async fn bare_route() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let body = serde_json::json!({ "data": vec![serde_json::json!({ "day": "2026-11-24", "value": 12345 }); 60] });
    let router = axum::Router::new().route("/bare", axum::routing::get(move || async move { axum::Json(body.clone()) }));
    tokio::spawn(async move { axum::serve(listener, router).await });
    format!("http://{addr}/bare")
}
