//! Resolves who is asking, once per request, into a [`CurrentSession`] request extension, which
//! pages, server functions and JSON routes read (Leptos hands them the request's parts): the
//! session cookie, or, for the JSON API, a personal API token (`Authorization: Bearer
//! crealia_pat_…`) within its scopes. A request with a token never uses a cookie.

use axum::extract::{Request, State};
use axum::http::header::{AUTHORIZATION, COOKIE, WWW_AUTHENTICATE};
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use crealia_core::accounts::{token_from_cookie_header, CurrentSession};
use crealia_core::api_tokens::PresentedToken;
use crealia_core::Services;
use crealia_model::api_tokens::Scope;

/// Pages only a signed-in creator sees: a signed-out visitor is sent to sign in (and back) before
/// anything renders.
const PROTECTED: &[&str] =
    &["/instagram-auth", "/instagram-dashboard", "/instagram-calendar", "/instagram-analytics", "/dashboard/instagram", "/settings/api-tokens"];

/// Paths that never need to know who is signed in.
fn is_static(path: &str) -> bool {
    path.starts_with("/pkg/") || path.starts_with("/sandbox/") || path.starts_with("/media/") || matches!(path, "/healthz" | "/favicon.svg")
}

/// What a token needs for this JSON API request; None: not a route tokens may use (pages,
/// server functions, sign-in, settings).
pub fn scope_for(method: &Method, path: &str) -> Option<Scope> {
    let reads = matches!(*method, Method::GET | Method::HEAD);
    if path == "/api/instagram/inbox" || path.starts_with("/api/instagram/inbox/") {
        Some(Scope::Inbox)
    } else if path == "/api/status" || path == "/api/instagram/insights" || path.starts_with("/api/instagram/export/") {
        reads.then_some(Scope::Read)
    } else if path == "/api/instagram/schedule" || path.starts_with("/api/instagram/schedule/") {
        Some(if reads { Scope::Read } else { Scope::Publish })
    } else if path == "/api/instagram/publish" || path == "/api/media" || (path.starts_with("/api/media/") && path.ends_with("/reframe")) {
        (!reads).then_some(Scope::Publish)
    } else {
        None
    }
}

/// The token of `Authorization: Bearer …`, if the request carries one.
pub fn bearer(request: &Request) -> Option<&str> {
    request.headers().get(AUTHORIZATION).and_then(|v| v.to_str().ok()).and_then(|v| v.strip_prefix("Bearer ")).map(str::trim)
}

fn refused(status: StatusCode, message: &str) -> Response {
    let mut response = super::api_error::message(status, message);
    if status == StatusCode::UNAUTHORIZED {
        response.headers_mut().insert(WWW_AUTHENTICATE, axum::http::HeaderValue::from_static("Bearer"));
    }
    response
}

pub async fn resolve(State(services): State<Services>, mut request: Request, next: Next) -> Response {
    if is_static(request.uri().path()) {
        // Including the sandbox's admin API, which has a bearer token of its own.
        return next.run(request).await;
    }
    if let Some(value) = bearer(&request) {
        let path = request.uri().path();
        let Some(scope) = scope_for(request.method(), path) else {
            return refused(StatusCode::FORBIDDEN, "API tokens work with the JSON API only (insights, status, posts, media, inbox).");
        };
        let access = match services.api_tokens.authenticate(&PresentedToken::new(value)).await {
            Ok(Some(access)) => access,
            Ok(None) => return refused(StatusCode::UNAUTHORIZED, "This API token is unknown or was revoked. Make a new one in Settings."),
            Err(e) => return super::api_error::from_error(e),
        };
        if !access.allows(scope) {
            return refused(StatusCode::FORBIDDEN, &format!("This API token may not do this: it needs the `{}` scope.", scope.as_str()));
        }
        request.extensions_mut().insert(CurrentSession { user: Some(access.user.clone()), token: None });
        request.extensions_mut().insert(access);
        return next.run(request).await;
    }
    let token = request.headers().get(COOKIE).and_then(|v| v.to_str().ok()).and_then(token_from_cookie_header);
    let user = match &token {
        Some(t) => services.accounts.session_user(t).await.unwrap_or_else(|e| {
            tracing::warn!(error = %e, "session lookup failed; treating the request as signed out");
            None
        }),
        None => None,
    };
    let path = request.uri().path();
    if user.is_none() && request.method() == Method::GET && PROTECTED.contains(&path) {
        let next: String = url::form_urlencoded::byte_serialize(path.as_bytes()).collect();
        return Redirect::to(&format!("/auth/signin?next={next}")).into_response();
    }
    request.extensions_mut().insert(CurrentSession { user, token });
    next.run(request).await
}

/// The signed-in creator of a JSON API request (the extractor server functions use too); a
/// signed-out request is answered 401.
pub use app::api::auth::SignedIn;
