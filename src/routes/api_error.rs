//! The one mapping from a service error to a JSON API answer: a status and a message that says
//! what to do. Internal details are logged, never sent.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use crealia_core::Error;

pub fn message(status: StatusCode, text: &str) -> Response {
    (status, Json(serde_json::json!({ "error": text }))).into_response()
}

/// A 500 that tells nothing of what failed (that is logged).
pub fn internal() -> Response {
    message(StatusCode::INTERNAL_SERVER_ERROR, "Something went wrong on our side. Please try again.")
}

/// A service's answer as JSON with `status`, or its error.
pub fn json<T: serde::Serialize>(status: StatusCode, result: crealia_core::Result<T>) -> Response {
    match result {
        Ok(value) => (status, Json(value)).into_response(),
        Err(e) => from_error(e),
    }
}

pub fn from_error(e: Error) -> Response {
    match e {
        Error::NotFound | Error::Forbidden => message(StatusCode::NOT_FOUND, "Not found in your Crealia account."),
        Error::Invalid(m) => message(StatusCode::UNPROCESSABLE_ENTITY, &m),
        Error::NeedsReconnect => message(StatusCode::CONFLICT, "This Instagram account needs to be reconnected."),
        Error::Unauthorized | Error::InvalidCredentials => message(StatusCode::UNAUTHORIZED, "Sign in first."),
        Error::Throttled { retry_after_secs } => {
            message(StatusCode::TOO_MANY_REQUESTS, &format!("Too many requests; try again in {retry_after_secs} seconds."))
        }
        Error::Unavailable(m) => message(StatusCode::SERVICE_UNAVAILABLE, &format!("{m} Please try again in a moment.")),
        other => {
            tracing::error!(error = %other, "API route failed");
            internal()
        }
    }
}
