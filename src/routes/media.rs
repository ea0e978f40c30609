//! Media uploads and the public media files.
//! - `POST /api/media`: the raw file as the body (what a browser's XHR sends with a progress
//!   bar), streamed to disk under its own size limit, then checked and stored;
//! - `POST /api/media/{id}/reframe`: pad or crop an image to 4:5, 1:1 or 1.91:1;
//! - `GET /media/{file}`: the stored files, at unguessable names, for Instagram to fetch.

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use crealia_core::media::{Reframe, UPLOAD_GRACE, UPLOAD_IDLE};
use crealia_core::Services;
use futures_util::StreamExt;
use serde::Deserialize;
use tokio::io::AsyncWriteExt;

use super::api_error::{from_error, message};
use super::session::SignedIn;
use crate::startup::Stopping;

/// Why receiving an upload stopped.
enum Cut {
    TooLarge,
    TooSlow,
    Stopping,
    Broken,
    Disk,
}

pub async fn upload(State(s): State<Services>, Extension(Stopping(stopping)): Extension<Stopping>, SignedIn(user): SignedIn, body: Body) -> Response {
    let ticket = match s.media.begin_upload(user.id).await {
        Ok(t) => t,
        Err(e) => return from_error(e),
    };
    let min_rate = s.media.limits().min_bytes_per_sec;
    let received = receive(body, &ticket.path, ticket.max_bytes, min_rate, stopping).await;
    let refuse = |status: StatusCode, text: String| {
        let path = ticket.path.clone();
        async move {
            let _ = tokio::fs::remove_file(&path).await;
            message(status, &text)
        }
    };
    match received {
        Ok(0) => return refuse(StatusCode::UNPROCESSABLE_ENTITY, "The file is empty. Choose an image or a video.".into()).await,
        Ok(_) => {}
        Err(Cut::TooLarge) if ticket.limited_by_quota => {
            let used = s.media.limits().quota_bytes_per_user - ticket.max_bytes;
            return refuse(StatusCode::PAYLOAD_TOO_LARGE, s.media.quota_message(used)).await;
        }
        Err(Cut::TooLarge) => {
            let text = format!("The file is larger than the {} MB Crealia accepts.", ticket.max_bytes / (1024 * 1024));
            return refuse(StatusCode::PAYLOAD_TOO_LARGE, text).await;
        }
        Err(Cut::TooSlow) => {
            let text = "The upload was too slow and was stopped. Check your connection and try again.".to_string();
            return refuse(StatusCode::REQUEST_TIMEOUT, text).await;
        }
        Err(Cut::Stopping) => {
            return refuse(StatusCode::SERVICE_UNAVAILABLE, "Crealia is restarting. Try the upload again in a moment.".into()).await;
        }
        Err(Cut::Broken) => return refuse(StatusCode::BAD_REQUEST, "The upload was interrupted. Try again.".into()).await,
        Err(Cut::Disk) => return refuse(StatusCode::INTERNAL_SERVER_ERROR, "Crealia could not store the file. Try again.".into()).await,
    }
    match s.media.ingest(user.id, &ticket.path).await {
        Ok(asset) => (StatusCode::CREATED, Json(asset)).into_response(),
        Err(e) => from_error(e),
    }
}

/// Streams the body into `path`, refusing it past `limit` bytes, when it sends nothing for
/// [`UPLOAD_IDLE`], when it averages less than `min_rate` bytes a second after
/// [`UPLOAD_GRACE`], and when the server is stopping (a stalled upload never holds a
/// shutdown). Returns its size.
async fn receive(body: Body, path: &std::path::Path, limit: u64, min_rate: u64, mut stopping: tokio::sync::watch::Receiver<bool>) -> Result<u64, Cut> {
    let mut file = tokio::fs::File::create(path).await.map_err(|_| Cut::Disk)?;
    let mut stream = body.into_data_stream();
    let started = tokio::time::Instant::now();
    let mut size = 0u64;
    loop {
        if *stopping.borrow() {
            return Err(Cut::Stopping);
        }
        let next = tokio::select! {
            next = tokio::time::timeout(UPLOAD_IDLE, stream.next()) => next,
            _ = stopping.changed() => return Err(Cut::Stopping),
        };
        let chunk = match next {
            Err(_) => return Err(Cut::TooSlow),
            Ok(None) => break,
            Ok(Some(chunk)) => chunk.map_err(|_| Cut::Broken)?,
        };
        size += chunk.len() as u64;
        if size > limit {
            return Err(Cut::TooLarge);
        }
        let elapsed = started.elapsed();
        if elapsed > UPLOAD_GRACE && (size as f64) < min_rate as f64 * elapsed.as_secs_f64() {
            return Err(Cut::TooSlow);
        }
        file.write_all(&chunk).await.map_err(|_| Cut::Disk)?;
    }
    file.flush().await.map_err(|_| Cut::Disk)?;
    Ok(size)
}

#[derive(Deserialize)]
pub struct ReframeRequest {
    frame: String,
    how: Reframe,
}

pub async fn reframe(State(s): State<Services>, SignedIn(user): SignedIn, Path(id): Path<i64>, Json(r): Json<ReframeRequest>) -> Response {
    match s.media.reframe(user.id, id, &r.frame, r.how).await {
        Ok(asset) => (StatusCode::CREATED, Json(asset)).into_response(),
        Err(e) => from_error(e),
    }
}
