//! The seed's publishing routes for the signed-in creator:
//! `POST /api/instagram/publish` (now), `POST /api/instagram/schedule` (at `scheduled_at`),
//! `GET /api/instagram/schedule` (their posts), `DELETE /api/instagram/schedule/{id}` (cancel).

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use chrono::{DateTime, Utc};
use crealia_core::accounts::CurrentSession;
use crealia_core::publishing::{NewPost, PostKind};
use crealia_core::Services;
use serde::Deserialize;

use super::api_error::{from_error, message};

#[derive(Deserialize)]
pub struct PostRequest {
    connection_id: i64,
    kind: PostKind,
    #[serde(default)]
    caption: String,
    alt_text: Option<String>,
    media_urls: Vec<String>,
    scheduled_at: Option<DateTime<Utc>>,
}

fn signed_out() -> Response {
    message(StatusCode::UNAUTHORIZED, "Sign in to publish.")
}

async fn create(services: Services, session: CurrentSession, body: PostRequest, now: bool) -> Response {
    let Some(user) = session.user else { return signed_out() };
    let scheduled_at = match (now, body.scheduled_at) {
        (true, _) => Utc::now(),
        (false, Some(at)) => at,
        (false, None) => return message(StatusCode::UNPROCESSABLE_ENTITY, "Give `scheduled_at` (RFC 3339), or use /api/instagram/publish."),
    };
    let post = NewPost {
        connection_id: body.connection_id,
        kind: body.kind,
        caption: body.caption,
        alt_text: body.alt_text,
        media_urls: body.media_urls,
        scheduled_at,
    };
    match services.publishing.schedule(user.id, post).await {
        Ok(view) => (StatusCode::ACCEPTED, Json(view)).into_response(),
        Err(e) => from_error(e),
    }
}

pub async fn publish(State(s): State<Services>, Extension(session): Extension<CurrentSession>, Json(body): Json<PostRequest>) -> Response {
    create(s, session, body, true).await
}

pub async fn schedule(State(s): State<Services>, Extension(session): Extension<CurrentSession>, Json(body): Json<PostRequest>) -> Response {
    create(s, session, body, false).await
}

pub async fn list(State(services): State<Services>, Extension(session): Extension<CurrentSession>) -> Response {
    let Some(user) = session.user else { return signed_out() };
    match services.publishing.list(user.id).await {
        Ok(posts) => Json(posts).into_response(),
        Err(e) => from_error(e),
    }
}

pub async fn cancel(State(services): State<Services>, Extension(session): Extension<CurrentSession>, Path(id): Path<i64>) -> Response {
    let Some(user) = session.user else { return signed_out() };
    match services.publishing.cancel(user.id, id).await {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(e) => from_error(e),
    }
}
