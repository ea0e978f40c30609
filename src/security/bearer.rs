//! Routes for operators and their tools, reached only with `Authorization: Bearer TOKEN`:
//! the in-process sandbox's admin API (`SANDBOX_ADMIN_TOKEN`: its clock, faults, tokens, every
//! tenant's messages) and the Prometheus metrics (`METRICS_TOKEN`). Without the header they
//! do not exist (404); with a wrong token, 401.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

#[derive(Clone)]
pub struct BearerToken(Arc<[u8; 32]>);

impl BearerToken {
    pub fn new(token: &str) -> Self {
        BearerToken(Arc::new(Sha256::digest(token.as_bytes()).into()))
    }

    /// Compared as digests, in constant time: the time taken says nothing about the token.
    fn matches(&self, presented: &str) -> bool {
        let digest: [u8; 32] = Sha256::digest(presented.as_bytes()).into();
        digest.ct_eq(self.0.as_ref()).into()
    }
}

pub async fn require(State(token): State<BearerToken>, request: Request, next: Next) -> Response {
    let presented = request.headers().get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).and_then(|v| v.strip_prefix("Bearer "));
    match presented {
        None => StatusCode::NOT_FOUND.into_response(),
        Some(t) if token.matches(t.trim()) => next.run(request).await,
        Some(_) => (StatusCode::UNAUTHORIZED, [(header::WWW_AUTHENTICATE, "Bearer")]).into_response(),
    }
}
