use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use crealia_core::accounts::CurrentSession;
use crealia_core::health::Status;
use crealia_core::Services;

/// `GET /healthz`: the process is alive. It checks nothing else, so an orchestrator never
/// restarts Crealia because a dependency is down.
pub async fn healthz() -> impl IntoResponse {
    Json(serde_json::json!({ "status": "ok" }))
}

/// `GET /readyz`: the database, the cache tiers, the Graph API target and the webhook backlog.
/// Anyone gets each one's state (ok, degraded, down); a signed-in creator also gets latencies,
/// targets and reasons. Probed at most once a second, whoever asks. 503 only when the database
/// is down: Crealia cannot serve anything without it.
pub async fn readyz(State(services): State<Services>, Extension(session): Extension<CurrentSession>) -> Response {
    let report = services.health.report().await;
    let status = if report.status == Status::Down { StatusCode::SERVICE_UNAVAILABLE } else { StatusCode::OK };
    if session.user.is_some() {
        (status, Json(report)).into_response()
    } else {
        (status, Json(report.public())).into_response()
    }
}
