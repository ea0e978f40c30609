//! JSON API answers: a service error goes through the web layer's one error type, `AppError`
//! (what server functions return too): the same status and the same words, internals logged
//! under a reference, never sent.

use app::error::AppError;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use crealia_core::Error;

/// A fixed answer that is not a service's error (a refused cross-site request, a bad body).
pub fn message(status: StatusCode, text: &str) -> Response {
    (status, Json(serde_json::json!({ "error": text }))).into_response()
}

/// A refusal with its own status (an upload too large, too slow): the English words, and the
/// problem as data for a page to say in the creator's language.
pub fn refusal(status: StatusCode, problem: &crealia_model::problem::Problem) -> Response {
    (status, Json(serde_json::json!({ "error": problem.to_string(), "problem": problem }))).into_response()
}

/// A 500 that tells nothing of what failed (a caught panic: that is logged).
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
    AppError::from(e).into_response()
}
