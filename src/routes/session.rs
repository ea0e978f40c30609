//! Resolves the session cookie once per request into a [`CurrentSession`] request extension,
//! which pages and server functions read (Leptos hands them the request's parts).

use axum::extract::{Request, State};
use axum::http::header::COOKIE;
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use crealia_core::accounts::{token_from_cookie_header, CurrentSession};
use crealia_core::Services;

/// Pages only a signed-in creator sees: a signed-out visitor is sent to sign in (and back) before
/// anything renders.
const PROTECTED: &[&str] = &["/instagram-auth", "/instagram-dashboard", "/instagram-calendar"];

/// Paths that never need to know who is signed in.
fn is_static(path: &str) -> bool {
    path.starts_with("/pkg/") || path.starts_with("/sandbox/") || path.starts_with("/media/") || matches!(path, "/healthz" | "/favicon.svg")
}

pub async fn resolve(State(services): State<Services>, mut request: Request, next: Next) -> Response {
    if !is_static(request.uri().path()) {
        let token = request.headers().get(COOKIE).and_then(|v| v.to_str().ok()).and_then(token_from_cookie_header);
        let user = match &token {
            Some(t) => services.accounts.session_user(t).await.unwrap_or_else(|e| {
                tracing::warn!(error = %e, "session lookup failed; treating the request as signed out");
                None
            }),
            None => None,
        };
        let path = request.uri().path();
        if user.is_none() && request.method() == axum::http::Method::GET && PROTECTED.contains(&path) {
            let next: String = url::form_urlencoded::byte_serialize(path.as_bytes()).collect();
            return Redirect::to(&format!("/auth/signin?next={next}")).into_response();
        }
        request.extensions_mut().insert(CurrentSession { user, token });
    }
    next.run(request).await
}

/// The signed-in creator of a JSON API request (the extractor server functions use too); a
/// signed-out request is answered 401.
pub use app::api::auth::SignedIn;
