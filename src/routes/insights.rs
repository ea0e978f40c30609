//! `GET /api/instagram/insights?account=ID&days=7[&include=analytics]`: the dashboard's data as
//! JSON for the signed-in creator (the seed's route), with the same errors as the page; with
//! `include=analytics`, also the best times to post, what works and the audience.

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use crealia_core::accounts::CurrentSession;
use crealia_core::Services;
use crealia_model::analytics::Analytics;
use crealia_model::Dashboard;
use serde::{Deserialize, Serialize};

use super::api_error::{from_error, message};

#[derive(Deserialize)]
pub struct InsightsQuery {
    account: Option<i64>,
    #[serde(default = "seven")]
    days: u32,
    include: Option<String>,
}

/// The dashboard, and the analytics when asked for.
#[derive(Serialize, utoipa::ToSchema)]
pub struct InsightsAnswer {
    #[serde(flatten)]
    dashboard: Dashboard,
    #[serde(skip_serializing_if = "Option::is_none")]
    analytics: Option<Analytics>,
}

fn seven() -> u32 {
    7
}

#[utoipa::path(get, path = "/api/instagram/insights", tag = "insights",
    description = "The dashboard of one of the creator's accounts (the first when `account` is absent) over 7, 14 or 30 days.",
    params(
        ("account" = Option<i64>, Query, description = "A connection id of the creator's"),
        ("days" = Option<u32>, Query, description = "7 (default), 14 or 30"),
        ("include" = Option<String>, Query, description = "`analytics`: also the best times to post (a weekday × hour map of the followers online and three suggested times with their evidence), what works (formats and hashtags against the account's median) and the audience (demographics)"),
    ),
    responses(
        (status = 200, description = "Profile, metrics against the previous range, trends, recent posts", body = InsightsAnswer),
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
    let with_analytics = match q.include.as_deref() {
        None | Some("") => false,
        Some("analytics") => true,
        Some(_) => return message(StatusCode::BAD_REQUEST, "include takes one value: analytics."),
    };
    let now = chrono::Utc::now();
    let dashboard = match services.insights.dashboard(user.id, q.account, q.days, now).await {
        Ok(d) => d,
        Err(e) => return from_error(e),
    };
    let analytics = if with_analytics {
        match services.analytics.load(user.id, Some(dashboard.insights.connection_id), now).await {
            Ok(a) => Some(a),
            Err(e) => return from_error(e),
        }
    } else {
        None
    };
    Json(InsightsAnswer { dashboard, analytics }).into_response()
}
