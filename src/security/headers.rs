//! Security headers on every response. Each request gets a nonce (a request extension the app
//! shell gives to every inline script: Leptos's hydration and streaming scripts carry it); an
//! HTML page's Content-Security-Policy allows scripts with that nonce only (`wasm-unsafe-eval`
//! lets the WebAssembly bundle start); everything else gets a policy that allows nothing, so an
//! uploaded file can never run as a page.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{header, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;

use app::CspNonce;

#[derive(Clone)]
pub struct SecurityHeaders {
    /// `Strict-Transport-Security` (only when PUBLIC_BASE_URL is https).
    hsts: bool,
    /// Where forms may lead besides Crealia itself: the OAuth consent page's origin.
    form_targets: Arc<str>,
    /// Development only: the cargo-leptos live-reload websocket.
    dev_reload: bool,
}

/// What a page's policy allows beyond 'self', with `{nonce}` in the script sources.
fn page_policy(nonce: &str, form_targets: &str, dev_reload: bool) -> String {
    let reload = if dev_reload { " ws://127.0.0.1:* ws://localhost:*" } else { "" };
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; style-src 'self' 'unsafe-inline'; \
         img-src 'self' data: blob: https:; media-src 'self' blob: https:; connect-src 'self'{reload}; font-src 'self'; \
         object-src 'none'; base-uri 'none'; form-action 'self'{form_targets}; frame-ancestors 'none'"
    )
}

/// The sandbox's consent page: its own inline style, a form back to itself.
const SANDBOX_POLICY: &str =
    "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data: https:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";
/// Anything that is not a page: JSON, media, scripts and styles themselves.
const NOTHING_POLICY: &str = "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

impl SecurityHeaders {
    /// `form_origins`: origins other than Crealia's that a form may lead to (the consent page).
    pub fn new(hsts: bool, form_origins: &[String], dev_reload: bool) -> Self {
        let form_targets: String = form_origins.iter().map(|o| format!(" {o}")).collect();
        SecurityHeaders { hsts, form_targets: form_targets.into(), dev_reload }
    }
}

pub async fn apply(State(settings): State<SecurityHeaders>, mut request: Request, next: Next) -> Response {
    let sandbox = request.uri().path().starts_with("/sandbox/");
    // Hex: nothing in it can end the policy early.
    let nonce = hex::encode(crealia_core::crypto::random_bytes::<16>());
    request.extensions_mut().insert(CspNonce(nonce.clone()));
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    let page = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|t| t.starts_with("text/html"));
    let policy = match (sandbox, page) {
        (true, _) => SANDBOX_POLICY.to_string(),
        (false, true) => page_policy(&nonce, &settings.form_targets, settings.dev_reload),
        (false, false) => NOTHING_POLICY.to_string(),
    };
    if let Ok(value) = HeaderValue::from_str(&policy) {
        headers.insert(header::CONTENT_SECURITY_POLICY, value);
    }
    if page && !sandbox {
        // A page is written for one visitor: their session, their language (the cookie, else
        // `Accept-Language`). No shared cache may hand it to another.
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-cache"));
        headers.insert(header::VARY, HeaderValue::from_static("Cookie, Accept-Language"));
    }
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("strict-origin-when-cross-origin"));
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert("cross-origin-opener-policy", HeaderValue::from_static("same-origin"));
    if settings.hsts {
        headers.insert(header::STRICT_TRANSPORT_SECURITY, HeaderValue::from_static("max-age=31536000; includeSubDomains"));
    }
    response
}
