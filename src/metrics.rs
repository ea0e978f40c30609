//! Prometheus metrics: one recorder per process, the layer that counts every HTTP request by
//! route, and `GET /metrics` for the scraper (behind `METRICS_TOKEN`; see
//! [`crate::security::bearer`]).
//!
//! What is counted, by whom: `crealia_http_requests_total{method,route,status}` and
//! `crealia_http_request_duration_seconds{method,route}` here; Graph API calls
//! (`crealia_graph_api_calls_total{endpoint,outcome}`, `…_call_duration_seconds`,
//! `…_app_usage_ratio{measure}`) by the Graph client; cache lookups
//! (`crealia_cache_requests_total{tier,result}`), webhook deliveries
//! (`crealia_webhook_deliveries_total{outcome}`, `crealia_webhook_processing_lag_seconds`),
//! publishing (`crealia_publishing_steps_total{outcome}`, `crealia_publishing_lag_seconds`) and
//! token refreshes (`crealia_token_refreshes_total{outcome}`) by the services; the database
//! pool (`crealia_db_pool_connections{state}`) when scraped.

use std::sync::OnceLock;
use std::time::{Duration, Instant};

use axum::extract::{MatchedPath, Request, State};
use axum::http::{header, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};

use crate::startup::AppState;

/// Histogram buckets, in seconds: from a fast route (1 ms) to a slow publishing lag (1 h).
const BUCKETS: &[f64] = &[0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0, 900.0, 3600.0];
/// How often histograms are folded between scrapes (bounds their memory).
const UPKEEP_EVERY: Duration = Duration::from_secs(5);

static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();

/// The process's recorder, installed the first time (several apps in one test process share
/// it). Starts its upkeep on the current runtime.
pub fn install() -> PrometheusHandle {
    HANDLE
        .get_or_init(|| {
            let recorder = PrometheusBuilder::new().set_buckets(BUCKETS).expect("the buckets are not empty").build_recorder();
            let handle = recorder.handle();
            if metrics::set_global_recorder(recorder).is_err() {
                tracing::warn!("another metrics recorder is installed; /metrics shows nothing");
            }
            let upkeep = handle.clone();
            tokio::spawn(async move {
                loop {
                    tokio::time::sleep(UPKEEP_EVERY).await;
                    upkeep.run_upkeep();
                }
            });
            handle
        })
        .clone()
}

/// Counts the request under its route's pattern (`/api/instagram/schedule/:id`; `unmatched`
/// for paths no route knows), so the labels stay few whatever visitors send.
pub async fn track(request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = match *request.method() {
        Method::GET => "GET",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::HEAD => "HEAD",
        Method::OPTIONS => "OPTIONS",
        _ => "other",
    };
    // `/api/instagram/schedule/{id}` is labelled `…/:id` (braces inside a label value trip up
    // some Prometheus parsers).
    let route = match request.extensions().get::<MatchedPath>() {
        Some(p) => p.as_str().replace('{', ":").replace('}', ""),
        // The in-process sandbox is a service of its own under /sandbox.
        None if request.uri().path().starts_with("/sandbox/") => "/sandbox/*".into(),
        None => "unmatched".into(),
    };
    let response = next.run(request).await;
    let status = response.status().as_u16().to_string();
    metrics::histogram!("crealia_http_request_duration_seconds", "method" => method, "route" => route.clone()).record(started.elapsed().as_secs_f64());
    metrics::counter!("crealia_http_requests_total", "method" => method, "route" => route, "status" => status).increment(1);
    response
}

/// `GET /metrics`: Prometheus's text format.
pub async fn render(State(state): State<AppState>) -> Response {
    let db = &state.services.db;
    let (size, idle) = (db.size(), db.num_idle() as u32);
    metrics::gauge!("crealia_db_pool_connections", "state" => "idle").set(f64::from(idle));
    metrics::gauge!("crealia_db_pool_connections", "state" => "in_use").set(f64::from(size.saturating_sub(idle)));
    metrics::gauge!("crealia_db_pool_connections", "state" => "max").set(f64::from(db.options().get_max_connections()));
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")], install().render()).into_response()
}
