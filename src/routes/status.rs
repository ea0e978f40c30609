//! `GET /api/status`: the control room's figures for the signed-in creator (their accounts
//! only) and the health of every service Crealia depends on.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use crealia_core::Services;

use super::api_error::json;
use super::session::SignedIn;

#[utoipa::path(get, path = "/api/status", tag = "status",
    description = "The signed-in creator's accounts (state, access end, 7-day figures, publishing quota) and the health of every service Crealia depends on, each green, amber or red with a reason.",
    responses(
        (status = 200, description = "The creator's status", body = crealia_model::status::Status),
        crate::openapi::SignedOut,
        crate::openapi::Refused
    ))]
pub async fn get(State(services): State<Services>, SignedIn(user): SignedIn) -> Response {
    json(StatusCode::OK, services.status.status(user.id, chrono::Utc::now()).await)
}
