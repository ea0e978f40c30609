//! `GET /api/instagram/insights?account=ID&days=7`: the dashboard's data as JSON for the
//! signed-in creator (the seed's route), with the same errors as the page.

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use crealia_core::accounts::CurrentSession;
use crealia_core::Services;
use serde::Deserialize;

use super::api_error::{from_error, message};

#[derive(Deserialize)]
pub struct InsightsQuery {
    account: Option<i64>,
    #[serde(default = "seven")]
    days: u32,
}

fn seven() -> u32 {
    7
}

#[utoipa::path(get, path = "/api/instagram/insights", tag = "insights",
    description = "The dashboard of one of the creator's accounts (the first when `account` is absent) over 7, 14 or 30 days.",
    params(
        ("account" = Option<i64>, Query, description = "A connection id of the creator's"),
        ("days" = Option<u32>, Query, description = "7 (default), 14 or 30"),
    ),
    responses(
        (status = 200, description = "Profile, metrics against the previous range, trends, recent posts", body = crealia_model::Dashboard),
        crate::openapi::Unreadable,
        crate::openapi::SignedOut,
        crate::openapi::Refused,
        crate::openapi::NotTheirs,
        crate::openapi::Reconnect,
        crate::openapi::Invalid,
        crate::openapi::Unavailable
    ))]
pub async fn get(State(services): State<Services>, Extension(session): Extension<CurrentSession>, Query(q): Query<InsightsQuery>) -> Response {
    let Some(user) = session.user else { return message(StatusCode::UNAUTHORIZED, "Sign in to see insights.") };
    match services.insights.dashboard(user.id, q.account, q.days, chrono::Utc::now()).await {
        Ok(d) => Json(d).into_response(),
        Err(e) => from_error(e),
    }
}
