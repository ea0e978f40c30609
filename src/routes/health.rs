use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::Json;
use crealia_core::health::Status;
use crealia_core::Services;

/// `GET /healthz`: the process is alive. It checks nothing else, so an orchestrator never
/// restarts Crealia because a dependency is down.
pub async fn healthz() -> impl IntoResponse {
    Json(serde_json::json!({ "status": "ok" }))
}

/// `GET /readyz`: the database, the cache tiers and the Graph API target, each with its
/// latency. 503 only when the database is down: Crealia cannot serve anything without it.
pub async fn readyz(State(services): State<Services>) -> impl IntoResponse {
    let report = services.health.report().await;
    let status = if report.status == Status::Down { StatusCode::SERVICE_UNAVAILABLE } else { StatusCode::OK };
    (status, Json(report))
}
