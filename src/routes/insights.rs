//! `GET /api/instagram/insights?account=ID&days=7`: the dashboard's data as JSON for the
//! signed-in creator (the seed's route), with the same errors as the page.

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use crealia_core::accounts::CurrentSession;
use crealia_core::{Error, Services};
use serde::Deserialize;

#[derive(Deserialize)]
pub struct InsightsQuery {
    account: Option<i64>,
    #[serde(default = "seven")]
    days: u32,
}

fn seven() -> u32 {
    7
}

fn error(status: StatusCode, message: &str) -> Response {
    (status, Json(serde_json::json!({ "error": message }))).into_response()
}

pub async fn get(State(services): State<Services>, Extension(session): Extension<CurrentSession>, Query(q): Query<InsightsQuery>) -> Response {
    let Some(user) = session.user else { return error(StatusCode::UNAUTHORIZED, "Sign in to see insights.") };
    match services.insights.dashboard(user.id, q.account, q.days, chrono::Utc::now()).await {
        Ok(d) => Json(d).into_response(),
        Err(Error::NotFound) => error(StatusCode::NOT_FOUND, "No such Instagram account in your Crealia account."),
        Err(Error::Invalid(m)) => error(StatusCode::UNPROCESSABLE_ENTITY, &m),
        Err(Error::NeedsReconnect) => error(StatusCode::CONFLICT, "This Instagram account needs to be reconnected."),
        Err(Error::Unavailable(m)) => error(StatusCode::SERVICE_UNAVAILABLE, &format!("{m} Please try again in a moment.")),
        Err(e) => {
            tracing::error!(error = %e, "insights route failed");
            error(StatusCode::INTERNAL_SERVER_ERROR, "Something went wrong on our side. Please try again.")
        }
    }
}
