//! The publishing JSON routes for the signed-in creator (the seed's routes and their siblings):
//! - `POST /api/instagram/publish`: queue a post due now;
//! - `POST /api/instagram/schedule`: queue a post for `scheduled_at`;
//! - `GET /api/instagram/schedule`: their posts; `GET …/{id}`: one;
//! - `PATCH /api/instagram/schedule/{id}`: change a post that has not gone out;
//! - `DELETE /api/instagram/schedule/{id}`: cancel it; `POST …/{id}/retry`: retry a failed one.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::{DateTime, Utc};
use crealia_core::publishing::{NewPost, PostEdit, PostKind, PostOptions};
use crealia_core::Services;
use serde::Deserialize;

use super::api_error::{from_error, json, message};
use super::session::SignedIn;

#[derive(Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PostRequest {
    /// One account, or several with `connection_ids`.
    connection_id: Option<i64>,
    #[serde(default)]
    connection_ids: Vec<i64>,
    kind: PostKind,
    #[serde(default)]
    caption: String,
    alt_text: Option<String>,
    first_comment: Option<String>,
    /// The creator's uploads (`POST /api/media` answers their ids), in order.
    media_ids: Vec<i64>,
    scheduled_at: Option<DateTime<Utc>>,
    /// Collaborators, people tagged, a place, a reel's cover, frame, sound and trial.
    #[serde(default)]
    options: PostOptions,
}

impl PostRequest {
    /// The accounts and the post asked for (`now`: publish at once), or what is missing.
    pub fn into_post(self, now: bool) -> Result<(Vec<i64>, NewPost), &'static str> {
        let scheduled_at = match (now, self.scheduled_at) {
            (true, _) => Utc::now(),
            (false, Some(at)) => at,
            (false, None) => return Err("Give `scheduled_at` (RFC 3339), or use /api/instagram/publish."),
        };
        let mut accounts = self.connection_ids;
        accounts.extend(self.connection_id);
        accounts.sort_unstable();
        accounts.dedup();
        let Some(&first) = accounts.first() else {
            return Err("Give `connection_id` (or `connection_ids`): the account(s) to publish to.");
        };
        let post = NewPost {
            connection_id: first,
            kind: self.kind,
            caption: self.caption,
            alt_text: self.alt_text,
            first_comment: self.first_comment,
            media_ids: self.media_ids,
            scheduled_at,
            options: self.options,
        };
        Ok((accounts, post))
    }
}

async fn create(services: Services, user_id: i64, body: PostRequest, now: bool) -> Response {
    let (accounts, post) = match body.into_post(now) {
        Ok(asked) => asked,
        Err(missing) => return message(StatusCode::UNPROCESSABLE_ENTITY, missing),
    };
    match services.publishing.schedule_for(user_id, &accounts, post).await {
        // One account: the post itself, as the seed's clients expect; several: the list.
        Ok(mut posts) if posts.len() == 1 => (StatusCode::ACCEPTED, Json(posts.remove(0))).into_response(),
        Ok(posts) => (StatusCode::ACCEPTED, Json(posts)).into_response(),
        Err(e) => from_error(e),
    }
}

#[utoipa::path(post, path = "/api/instagram/publish", tag = "publishing",
    description = "Queues a post due now on one account (`connection_id`) or several (`connection_ids`).",
    request_body = PostRequest,
    responses(
        (status = 202, description = "Queued: the post (one account) or the posts (several)", body = crealia_model::publishing::ScheduledPost),
        crate::openapi::Unreadable,
        crate::openapi::SignedOut,
        crate::openapi::Refused,
        crate::openapi::NotTheirs,
        crate::openapi::Reconnect,
        crate::openapi::NotJson,
        crate::openapi::Invalid
    ))]
pub async fn publish(State(s): State<Services>, SignedIn(user): SignedIn, Json(body): Json<PostRequest>) -> Response {
    create(s, user.id, body, true).await
}

#[utoipa::path(post, path = "/api/instagram/schedule", tag = "publishing",
    description = "Queues a post for `scheduled_at` (RFC 3339).",
    request_body = PostRequest,
    responses(
        (status = 202, description = "Queued: the post (one account) or the posts (several)", body = crealia_model::publishing::ScheduledPost),
        crate::openapi::Unreadable,
        crate::openapi::SignedOut,
        crate::openapi::Refused,
        crate::openapi::NotTheirs,
        crate::openapi::Reconnect,
        crate::openapi::NotJson,
        crate::openapi::Invalid
    ))]
pub async fn schedule(State(s): State<Services>, SignedIn(user): SignedIn, Json(body): Json<PostRequest>) -> Response {
    create(s, user.id, body, false).await
}

#[utoipa::path(get, path = "/api/instagram/schedule", tag = "publishing",
    description = "The creator's posts, newest schedule first.",
    responses(
        (status = 200, description = "Their posts", body = Vec<crealia_model::publishing::ScheduledPost>),
        crate::openapi::SignedOut,
        crate::openapi::Refused
    ))]
pub async fn list(State(s): State<Services>, SignedIn(user): SignedIn) -> Response {
    json(StatusCode::OK, s.publishing.list(user.id).await)
}

#[utoipa::path(get, path = "/api/instagram/schedule/{id}", tag = "publishing",
    description = "One of the creator's posts.",
    params(("id" = i64, Path, description = "The post's id")),
    responses(
        (status = 200, description = "The post", body = crealia_model::publishing::ScheduledPost),
        crate::openapi::Unreadable,
        crate::openapi::SignedOut,
        crate::openapi::Refused,
        crate::openapi::NotTheirs
    ))]
pub async fn get(State(s): State<Services>, SignedIn(user): SignedIn, Path(id): Path<i64>) -> Response {
    json(StatusCode::OK, s.publishing.get(user.id, id).await)
}

#[utoipa::path(patch, path = "/api/instagram/schedule/{id}", tag = "publishing",
    description = "Changes a post that has not gone out: caption, alt text, first comment, media, time.",
    params(("id" = i64, Path, description = "The post's id")),
    request_body = crealia_core::publishing::PostEdit,
    responses(
        (status = 200, description = "The changed post", body = crealia_model::publishing::ScheduledPost),
        crate::openapi::Unreadable,
        crate::openapi::SignedOut,
        crate::openapi::Refused,
        crate::openapi::NotTheirs,
        crate::openapi::NotJson,
        crate::openapi::Invalid,
        crate::openapi::Unavailable
    ))]
pub async fn edit(State(s): State<Services>, SignedIn(user): SignedIn, Path(id): Path<i64>, Json(edit): Json<PostEdit>) -> Response {
    json(StatusCode::OK, s.publishing.edit(user.id, id, edit).await)
}

#[utoipa::path(delete, path = "/api/instagram/schedule/{id}", tag = "publishing",
    description = "Cancels a pending or failed post.",
    params(("id" = i64, Path, description = "The post's id")),
    responses(
        (status = 204, description = "Cancelled"),
        crate::openapi::Unreadable,
        crate::openapi::SignedOut,
        crate::openapi::Refused,
        crate::openapi::NotTheirs,
        crate::openapi::Invalid,
        crate::openapi::Unavailable
    ))]
pub async fn cancel(State(s): State<Services>, SignedIn(user): SignedIn, Path(id): Path<i64>) -> Response {
    match s.publishing.cancel(user.id, id).await {
        Ok(_) => StatusCode::NO_CONTENT.into_response(),
        Err(e) => from_error(e),
    }
}

#[utoipa::path(post, path = "/api/instagram/schedule/{id}/retry", tag = "publishing",
    description = "Queues a failed post again.",
    params(("id" = i64, Path, description = "The post's id")),
    responses(
        (status = 202, description = "Queued again", body = crealia_model::publishing::ScheduledPost),
        crate::openapi::Unreadable,
        crate::openapi::SignedOut,
        crate::openapi::Refused,
        crate::openapi::NotTheirs,
        crate::openapi::Invalid,
        crate::openapi::Unavailable
    ))]
pub async fn retry(State(s): State<Services>, SignedIn(user): SignedIn, Path(id): Path<i64>) -> Response {
    json(StatusCode::ACCEPTED, s.publishing.retry(user.id, id).await)
}
