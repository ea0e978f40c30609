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

pub async fn get(State(services): State<Services>, Extension(session): Extension<CurrentSession>, Query(q): Query<InsightsQuery>) -> Response {
    let Some(user) = session.user else { return message(StatusCode::UNAUTHORIZED, "Sign in to see insights.") };
    match services.insights.dashboard(user.id, q.account, q.days, chrono::Utc::now()).await {
        Ok(d) => Json(d).into_response(),
        Err(e) => from_error(e),
    }
}
