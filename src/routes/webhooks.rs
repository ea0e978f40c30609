//! Meta's webhook callback, `/api/webhooks/instagram`:
//! - `GET`: the subscription handshake (`hub.mode=subscribe`, `hub.verify_token`,
//!   `hub.challenge`): the challenge back, or 403 on a wrong token;
//! - `POST`: a delivery. The signature is checked over the raw bytes before anything is
//!   parsed, the body is stored with one INSERT, and only then is Meta answered 200.
//!   Missing signature 401, wrong 403, too large 413 (the route's body limit), signed but not
//!   a delivery the processor can read 400 (kept for inspection), database unavailable 503 (Meta retries).

use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use crealia_core::webhooks::{IngestError, Ingested, SignatureError};
use crealia_core::Services;

use crate::config::Secret;

/// The verify token the handshake must present.
#[derive(Clone)]
pub struct VerifyToken(pub Secret);

/// Headers never stored with a delivery: credentials, and the signature (with the body, it
/// would let whoever reads the table send the delivery again).
const PRIVATE_HEADERS: &[&str] = &["authorization", "cookie", "proxy-authorization", "x-hub-signature-256", "x-hub-signature"];

pub async fn handshake(axum::Extension(VerifyToken(token)): axum::Extension<VerifyToken>, Query(q): Query<HashMap<String, String>>) -> Response {
    let mode = q.get("hub.mode").map(String::as_str);
    let presented = q.get("hub.verify_token").map(String::as_bytes).unwrap_or_default();
    match (mode, q.get("hub.challenge")) {
        (Some("subscribe"), Some(challenge)) if constant_time_eq(presented, token.expose().as_bytes()) => {
            tracing::info!("webhook subscription verified");
            (StatusCode::OK, [("content-type", "text/plain")], challenge.clone()).into_response()
        }
        _ => {
            tracing::warn!(mode, "webhook handshake refused: wrong mode or verify token");
            (StatusCode::FORBIDDEN, "wrong verify token").into_response()
        }
    }
}

pub async fn deliver(State(services): State<Services>, headers: HeaderMap, body: Bytes) -> Response {
    let signature = headers.get("x-hub-signature-256").and_then(|v| v.to_str().ok());
    let bytes = body.len();
    match services.webhooks.receive(signature, kept_headers(&headers), body).await {
        Ok(Ingested::Stored) => {
            tracing::debug!(bytes, "webhook delivery stored");
            StatusCode::OK.into_response()
        }
        Ok(Ingested::Repeated) => {
            tracing::debug!(bytes, "webhook delivery stored before (a retry)");
            StatusCode::OK.into_response()
        }
        Err(IngestError::Signature(e)) => {
            tracing::warn!(error = %e, bytes, "webhook delivery refused");
            let status = if e == SignatureError::Missing { StatusCode::UNAUTHORIZED } else { StatusCode::FORBIDDEN };
            (status, e.to_string()).into_response()
        }
        Err(IngestError::Malformed(e)) => (StatusCode::BAD_REQUEST, format!("the body is not a webhook delivery: {e}")).into_response(),
        Err(IngestError::Unavailable(e)) => {
            tracing::error!(error = %e, "webhook delivery not stored; Meta will retry");
            (StatusCode::SERVICE_UNAVAILABLE, [("retry-after", "30")], "try again later").into_response()
        }
    }
}

/// The request's headers as a JSON object, minus any that could carry a credential (a header
/// sent twice keeps its last value).
fn kept_headers(headers: &HeaderMap) -> String {
    let kept = headers.iter().filter(|(name, _)| !PRIVATE_HEADERS.contains(&name.as_str()));
    let map: std::collections::BTreeMap<&str, std::borrow::Cow<str>> =
        kept.map(|(name, value)| (name.as_str(), String::from_utf8_lossy(value.as_bytes()))).collect();
    serde_json::to_string(&map).unwrap_or_else(|_| "{}".into())
}

/// Equal bytes, in time that depends on the lengths only.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
