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
use crealia_core::media::files::{ByteRange, Opened};
use crealia_core::media::{Reframe, UPLOAD_GRACE, UPLOAD_IDLE};
use crealia_core::Services;
use futures_util::StreamExt;
use serde::Deserialize;
use tokio::io::AsyncWriteExt;

use super::api_error::{from_error, message, refusal};
use super::session::SignedIn;
use super::stopping::Stopping;
use crealia_model::problem::Problem;

/// Why receiving an upload stopped.
enum Cut {
    TooLarge,
    TooSlow,
    Stopping,
    Broken,
    Disk,
}

#[utoipa::path(post, path = "/api/media", tag = "media",
    description = "Uploads an image (JPEG, PNG, WebP) or a video (MP4, MOV) as the raw body, with its Content-Type.",
    request_body(content = Vec<u8>, content_type = "image/jpeg", description = "The file's bytes"),
    responses(
        (status = 201, description = "Stored, ready to use in a post", body = crealia_model::publishing::MediaAsset),
        crate::openapi::SignedOut,
        crate::openapi::Refused,
        crate::openapi::TooLarge,
        crate::openapi::NotJson,
        crate::openapi::Invalid,
        crate::openapi::TooMany,
        crate::openapi::Unavailable
    ))]
pub async fn upload(State(s): State<Services>, Extension(Stopping(stopping)): Extension<Stopping>, SignedIn(user): SignedIn, body: Body) -> Response {
    let ticket = match s.media.begin_upload(user.id).await {
        Ok(t) => t,
        Err(e) => return from_error(e),
    };
    let min_rate = s.media.limits().min_bytes_per_sec;
    let received = receive(body, &ticket.path, ticket.max_bytes, min_rate, stopping).await;
    let refuse = |status: StatusCode, problem: Problem| {
        let path = ticket.path.clone();
        async move {
            let _ = tokio::fs::remove_file(&path).await;
            refusal(status, &problem)
        }
    };
    match received {
        Ok(0) => return refuse(StatusCode::UNPROCESSABLE_ENTITY, Problem::FileEmpty).await,
        Ok(_) => {}
        Err(Cut::TooLarge) if ticket.limited_by_quota => {
            let used = s.media.limits().quota_bytes_per_user - ticket.max_bytes;
            return refuse(StatusCode::PAYLOAD_TOO_LARGE, s.media.storage_full(used)).await;
        }
        Err(Cut::TooLarge) => {
            return refuse(StatusCode::PAYLOAD_TOO_LARGE, Problem::FileTooLarge { megabytes: ticket.max_bytes / (1024 * 1024) }).await;
        }
        Err(Cut::TooSlow) => {
            return refuse(StatusCode::REQUEST_TIMEOUT, Problem::UploadTooSlow).await;
        }
        Err(Cut::Stopping) => {
            return refuse(StatusCode::SERVICE_UNAVAILABLE, Problem::UploadRestarting).await;
        }
        Err(Cut::Broken) => return refuse(StatusCode::BAD_REQUEST, Problem::UploadInterrupted).await,
        Err(Cut::Disk) => return refuse(StatusCode::INTERNAL_SERVER_ERROR, Problem::UploadNotStored).await,
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

#[derive(Deserialize, utoipa::ToSchema)]
pub struct ReframeRequest {
    frame: String,
    how: Reframe,
}

#[utoipa::path(post, path = "/api/media/{id}/reframe", tag = "media",
    description = "A copy of an upload padded or cropped to a frame Instagram accepts (`4:5`, `1:1`, `1.91:1`).",
    params(("id" = i64, Path, description = "The upload's id")),
    request_body = ReframeRequest,
    responses(
        (status = 201, description = "The reframed copy", body = crealia_model::publishing::MediaAsset),
        crate::openapi::Unreadable,
        crate::openapi::SignedOut,
        crate::openapi::Refused,
        crate::openapi::NotTheirs,
        crate::openapi::NotJson,
        crate::openapi::Invalid
    ))]
pub async fn reframe(State(s): State<Services>, SignedIn(user): SignedIn, Path(id): Path<i64>, Json(r): Json<ReframeRequest>) -> Response {
    match s.media.reframe(user.id, id, &r.frame, r.how).await {
        Ok(asset) => (StatusCode::CREATED, Json(asset)).into_response(),
        Err(e) => from_error(e),
    }
}

/// `GET /media/{name}` (and HEAD): a stored file from the media store, whichever server stored
/// it. One byte range is honoured (`Range: bytes=…`, as video players and Meta's fetchers ask);
/// names never change, so the file may be cached for good.
pub async fn serve(State(s): State<Services>, Path(name): Path<String>, headers: axum::http::HeaderMap) -> Response {
    // Only names Crealia gives its files: nothing else under the store's prefix is served.
    let Some(content_type) = crealia_core::media::content_type_of(&name) else {
        return message(StatusCode::NOT_FOUND, "No such file.");
    };
    let range = headers.get(axum::http::header::RANGE).and_then(|v| v.to_str().ok()).and_then(byte_range);
    let read = match s.media.files().open_read(&name, range.clone()).await {
        Ok(Opened::Read(read)) => read,
        Ok(Opened::Unsatisfiable { size }) => {
            let headers = [(axum::http::header::ACCEPT_RANGES, "bytes".to_string()), (axum::http::header::CONTENT_RANGE, format!("bytes */{size}"))];
            return (StatusCode::RANGE_NOT_SATISFIABLE, headers).into_response();
        }
        Err(crealia_core::Error::NotFound) => return message(StatusCode::NOT_FOUND, "No such file."),
        Err(e) => return from_error(e),
    };
    let mut response = Response::builder()
        .header(axum::http::header::CONTENT_TYPE, content_type)
        .header(axum::http::header::CONTENT_LENGTH, read.range.end - read.range.start)
        .header(axum::http::header::ACCEPT_RANGES, "bytes")
        .header(axum::http::header::CACHE_CONTROL, "public, max-age=31536000, immutable");
    if range.is_some() {
        let content_range = format!("bytes {}-{}/{}", read.range.start, read.range.end.saturating_sub(1), read.size);
        response = response.status(StatusCode::PARTIAL_CONTENT).header(axum::http::header::CONTENT_RANGE, content_range);
    }
    response.body(Body::from_stream(read.body)).unwrap_or_else(|_| message(StatusCode::INTERNAL_SERVER_ERROR, "The file cannot be sent."))
}

/// One range of `bytes=first-last`, `bytes=first-` or `bytes=-suffix`; anything else (several
/// ranges, other units) is ignored and the whole file is sent, as RFC 9110 allows.
fn byte_range(value: &str) -> Option<ByteRange> {
    let spec = value.trim().strip_prefix("bytes=")?;
    if spec.contains(',') {
        return None;
    }
    let (first, last) = spec.split_once('-')?;
    let (first, last) = (first.trim(), last.trim());
    match (first.is_empty(), last.is_empty()) {
        (true, false) => Some(ByteRange::Suffix(last.parse().ok().filter(|n| *n > 0)?)),
        (false, true) => Some(ByteRange::Offset(first.parse().ok()?)),
        (false, false) => {
            let (a, b): (u64, u64) = (first.parse().ok()?, last.parse().ok()?);
            (a <= b).then(|| ByteRange::Bounded(a..b.saturating_add(1)))
        }
        (true, true) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::byte_range;
    use crealia_core::media::files::ByteRange;

    #[test]
    fn one_byte_range_is_read_and_anything_else_means_the_whole_file() {
        assert_eq!(byte_range("bytes=0-99"), Some(ByteRange::Bounded(0..100)));
        assert_eq!(byte_range("bytes=100-"), Some(ByteRange::Offset(100)));
        assert_eq!(byte_range("bytes=-500"), Some(ByteRange::Suffix(500)));
        for ignored in ["bytes=5-1", "bytes=0-1,5-9", "items=0-1", "bytes=-", "bytes=a-b", "bytes=-0", "bytes=0-18446744073709551616"] {
            assert_eq!(byte_range(ignored), None, "{ignored}");
        }
    }
}
