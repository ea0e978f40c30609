//! The inbox over JSON, and its live feed:
//! - `GET /api/instagram/inbox?kind=comment|mention|message`: items and unread counts;
//! - `POST /api/instagram/inbox/read` `{ids?, kind?}`: mark read;
//! - `POST /api/instagram/inbox/{id}/reply` `{text}`, `POST …/{id}/hide` `{hidden}`,
//!   `DELETE …/{id}`: act on a comment through the Graph API;
//! - `GET /api/instagram/inbox/stream`: server-sent events, one `inbox` event with the unread
//!   counts now and after every change (whichever server process stored it); it ends when the
//!   server stops, so a graceful shutdown never waits for open pages.

use std::convert::Infallible;

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::Json;
use crealia_core::Services;
use crealia_model::inbox::InboxKind;
use futures_util::{Stream, StreamExt};
use serde::Deserialize;
use tokio::sync::broadcast::error::RecvError;

use super::api_error::{json, message};
use super::session::SignedIn;
use super::stopping::Stopping;

#[derive(Deserialize)]
pub struct KindQuery {
    kind: Option<String>,
}

/// The `kind` asked for (None: every kind), or the 422 to answer.
fn kind(raw: Option<&str>) -> Result<Option<InboxKind>, Box<Response>> {
    match raw {
        None | Some("") | Some("all") => Ok(None),
        Some(k) => InboxKind::parse(k).map(Some).ok_or_else(|| Box::new(message(StatusCode::UNPROCESSABLE_ENTITY, "kind is comment, mention or message."))),
    }
}

#[utoipa::path(get, path = "/api/instagram/inbox", tag = "inbox",
    description = "Comments, mentions and messages for the creator's accounts, with unread counts.",
    params(("kind" = Option<String>, Query, description = "comment, mention or message (default: all)")),
    responses(
        (status = 200, description = "The inbox", body = crealia_model::inbox::Inbox),
        crate::openapi::SignedOut,
        crate::openapi::Refused,
        crate::openapi::Invalid
    ))]
pub async fn list(State(s): State<Services>, SignedIn(user): SignedIn, Query(q): Query<KindQuery>) -> Response {
    let kind = match kind(q.kind.as_deref()) {
        Ok(k) => k,
        Err(r) => return *r,
    };
    let zone = s.accounts.time_zone(user.id).await.ok().flatten().unwrap_or_else(|| "UTC".into());
    json(StatusCode::OK, s.inbox.list(user.id, kind, &zone).await)
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct ReadRequest {
    ids: Option<Vec<i64>>,
    kind: Option<String>,
}

#[utoipa::path(post, path = "/api/instagram/inbox/read", tag = "inbox",
    description = "Marks items read: these `ids`, or every item of a `kind`, or all.",
    request_body = ReadRequest,
    responses(
        (status = 200, description = "The unread counts after", body = crealia_model::inbox::UnreadCounts),
        crate::openapi::Unreadable,
        crate::openapi::SignedOut,
        crate::openapi::Refused,
        crate::openapi::NotJson,
        crate::openapi::Invalid
    ))]
pub async fn read(State(s): State<Services>, SignedIn(user): SignedIn, Json(r): Json<ReadRequest>) -> Response {
    let kind = match kind(r.kind.as_deref()) {
        Ok(k) => k,
        Err(r) => return *r,
    };
    json(StatusCode::OK, s.inbox.mark_read(user.id, r.ids.as_deref(), kind).await)
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct ReplyRequest {
    text: String,
}

#[utoipa::path(post, path = "/api/instagram/inbox/{id}/reply", tag = "inbox",
    description = "Replies to a comment or a message through Instagram.",
    params(("id" = i64, Path, description = "The inbox item's id")),
    request_body = ReplyRequest,
    responses(
        (status = 201, description = "Sent", body = Object),
        crate::openapi::Unreadable,
        crate::openapi::SignedOut,
        crate::openapi::Refused,
        crate::openapi::NotTheirs,
        crate::openapi::Reconnect,
        crate::openapi::NotJson,
        crate::openapi::Invalid,
        crate::openapi::Unavailable
    ))]
pub async fn reply(State(s): State<Services>, SignedIn(user): SignedIn, Path(id): Path<i64>, Json(r): Json<ReplyRequest>) -> Response {
    json(StatusCode::CREATED, s.inbox.reply(user.id, id, &r.text).await.map(|()| serde_json::json!({ "replied": true })))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct HideRequest {
    hidden: bool,
}

#[utoipa::path(post, path = "/api/instagram/inbox/{id}/hide", tag = "inbox",
    description = "Hides or shows a comment on Instagram.",
    params(("id" = i64, Path, description = "The inbox item's id")),
    request_body = HideRequest,
    responses(
        (status = 200, description = "Done", body = Object),
        crate::openapi::Unreadable,
        crate::openapi::SignedOut,
        crate::openapi::Refused,
        crate::openapi::NotTheirs,
        crate::openapi::Reconnect,
        crate::openapi::NotJson,
        crate::openapi::Invalid,
        crate::openapi::Unavailable
    ))]
pub async fn hide(State(s): State<Services>, SignedIn(user): SignedIn, Path(id): Path<i64>, Json(r): Json<HideRequest>) -> Response {
    json(StatusCode::OK, s.inbox.hide(user.id, id, r.hidden).await.map(|()| serde_json::json!({ "hidden": r.hidden })))
}

#[utoipa::path(delete, path = "/api/instagram/inbox/{id}", tag = "inbox",
    description = "Deletes a comment on Instagram and the item here.",
    params(("id" = i64, Path, description = "The inbox item's id")),
    responses(
        (status = 204, description = "Deleted"),
        crate::openapi::Unreadable,
        crate::openapi::SignedOut,
        crate::openapi::Refused,
        crate::openapi::NotTheirs,
        crate::openapi::Reconnect,
        crate::openapi::Invalid,
        crate::openapi::Unavailable
    ))]
pub async fn delete(State(s): State<Services>, SignedIn(user): SignedIn, Path(id): Path<i64>) -> Response {
    match s.inbox.delete(user.id, id).await {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(e) => super::api_error::from_error(e),
    }
}

pub async fn stream(
    State(s): State<Services>,
    axum::Extension(Stopping(mut stopping)): axum::Extension<Stopping>,
    SignedIn(user): SignedIn,
) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let changes = s.inbox.live().subscribe();
    let inbox = s.inbox.clone();
    let user_id = user.id;
    let events = futures_util::stream::unfold((changes, true), move |(mut changes, first)| {
        let inbox = inbox.clone();
        async move {
            if !first {
                loop {
                    match changes.recv().await {
                        Ok(u) if u == user_id => break,
                        Ok(_) => continue,
                        // Missed some: send the counts anyway, the page reloads.
                        Err(RecvError::Lagged(_)) => break,
                        Err(RecvError::Closed) => return None,
                    }
                }
            }
            let event = match inbox.unread(user_id).await {
                Ok(counts) => Event::default().event("inbox").json_data(counts).unwrap_or_else(|_| Event::default().event("inbox")),
                Err(e) => {
                    tracing::warn!(error = %e, "cannot count unread inbox items");
                    Event::default().event("inbox")
                }
            };
            Some((Ok(event), (changes, false)))
        }
    });
    // Ends when the server stops (the browser reconnects to the next one by itself).
    let stop = async move {
        let _ = stopping.wait_for(|stopping| *stopping).await;
    };
    Sse::new(events.take_until(stop)).keep_alive(KeepAlive::default())
}
