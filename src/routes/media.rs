//! Media uploads and the public media files.
//! - `POST /api/media`: the raw file as the body (what a browser's XHR sends with a progress
//!   bar), streamed to disk under its own size limit, then checked and stored;
//! - `POST /api/media/{id}/reframe`: pad or crop an image to 4:5, 1:1 or 1.91:1;
//! - `GET /media/{file}`: the stored files, at unguessable names, for Instagram to fetch.

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use crealia_core::media::Reframe;
use crealia_core::Services;
use futures_util::StreamExt;
use serde::Deserialize;
use tokio::io::AsyncWriteExt;

use super::api_error::{from_error, message};
use super::session::SignedIn;

/// The upload route's own limit (the global body limit is far smaller).
#[derive(Clone, Copy)]
pub struct UploadLimit(pub u64);

pub async fn upload(State(s): State<Services>, axum::Extension(UploadLimit(limit)): axum::Extension<UploadLimit>, SignedIn(user): SignedIn, body: Body) -> Response {
    let path = match s.media.upload_path().await {
        Ok(p) => p,
        Err(e) => return from_error(e),
    };
    match receive(body, &path, limit).await {
        Ok(0) => {
            let _ = tokio::fs::remove_file(&path).await;
            return message(StatusCode::UNPROCESSABLE_ENTITY, "The file is empty. Choose an image or a video.");
        }
        Ok(_) => {}
        Err(status) => {
            let _ = tokio::fs::remove_file(&path).await;
            let text = if status == StatusCode::PAYLOAD_TOO_LARGE {
                format!("The file is larger than the {} MB Crealia accepts.", limit / (1024 * 1024))
            } else {
                "The upload was interrupted. Try again.".to_string()
            };
            return message(status, &text);
        }
    }
    match s.media.ingest(user.id, &path).await {
        Ok(asset) => (StatusCode::CREATED, Json(asset)).into_response(),
        Err(e) => from_error(e),
    }
}

/// Streams the body into `path`, refusing it past `limit` bytes. Returns its size.
async fn receive(body: Body, path: &std::path::Path, limit: u64) -> Result<u64, StatusCode> {
    let mut file = tokio::fs::File::create(path).await.map_err(|_| StatusCode::INTERNAL_SERVER_ERROR)?;
    let mut stream = body.into_data_stream();
    let mut size = 0u64;
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|_| StatusCode::BAD_REQUEST)?;
        size += chunk.len() as u64;
        if size > limit {
            return Err(StatusCode::PAYLOAD_TOO_LARGE);
        }
        file.write_all(&chunk).await.map_err(|_| StatusCode::INTERNAL_SERVER_ERROR)?;
    }
    file.flush().await.map_err(|_| StatusCode::INTERNAL_SERVER_ERROR)?;
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
