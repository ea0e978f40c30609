//! Refuses state-changing requests a browser sends from another site (login CSRF, forged
//! posts): an `Origin` that is not Crealia's, or, without `Origin`, `Sec-Fetch-Site:
//! cross-site` or `same-site`. Plain HTTP clients (no `Origin`, no `Sec-Fetch-Site`) keep
//! working. Meta's webhook deliveries, signed, are routed outside this layer. A request with
//! `Authorization: Bearer` (a personal API token) passes: a page on another site cannot make a
//! browser send that header (it would need a CORS preflight Crealia never grants), and such a
//! request is never answered with the browser's session (see `routes::session`).

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{header, Method, StatusCode};
use axum::middleware::Next;
use axum::response::Response;

/// The origins (`scheme://host[:port]`) Crealia's own pages are served from.
#[derive(Clone)]
pub struct SameOrigin {
    origins: Arc<Vec<String>>,
}

impl SameOrigin {
    pub fn new(origins: Vec<String>) -> Self {
        SameOrigin { origins: Arc::new(origins) }
    }

    fn allows(&self, method: &Method, origin: Option<&str>, fetch_site: Option<&str>) -> bool {
        if matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS) {
            return true;
        }
        match origin {
            Some(origin) => self.origins.iter().any(|o| o.eq_ignore_ascii_case(origin)),
            None => !matches!(fetch_site, Some("cross-site" | "same-site")),
        }
    }
}

/// `scheme://host[:port]` of a URL, as browsers send it in `Origin`.
pub fn origin_of(url: &url::Url) -> String {
    url.origin().ascii_serialization()
}

pub async fn refuse(State(same): State<SameOrigin>, request: Request, next: Next) -> Response {
    if crate::routes::session::bearer(&request).is_some() {
        return next.run(request).await;
    }
    let headers = request.headers();
    let origin = headers.get(header::ORIGIN).map(|v| v.to_str().unwrap_or("invalid"));
    let fetch_site = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok());
    if same.allows(request.method(), origin, fetch_site) {
        return next.run(request).await;
    }
    tracing::warn!(method = %request.method(), path = request.uri().path(), origin, fetch_site, "cross-site request refused");
    crate::routes::api_error::message(StatusCode::FORBIDDEN, "This request came from another site and was refused. Open Crealia itself and try again.")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_crealias_own_pages_may_change_state() {
        let same = SameOrigin::new(vec!["https://crealia.example".into()]);
        let post = Method::POST;
        assert!(same.allows(&post, Some("https://crealia.example"), Some("same-origin")));
        assert!(same.allows(&post, Some("HTTPS://CREALIA.EXAMPLE"), None));
        assert!(!same.allows(&post, Some("https://evil.example"), Some("cross-site")));
        assert!(!same.allows(&post, Some("null"), None), "a sandboxed frame's opaque origin");
        assert!(!same.allows(&post, Some("https://crealia.example.evil.example"), None));
        assert!(!same.allows(&post, None, Some("cross-site")));
        assert!(!same.allows(&post, None, Some("same-site")), "a sibling subdomain is another site's page");
        assert!(same.allows(&post, None, None), "curl and server-to-server clients");
        assert!(same.allows(&post, None, Some("none")), "typed in the address bar");
        assert!(same.allows(&Method::GET, Some("https://evil.example"), Some("cross-site")), "a link is not a write");
        assert!(!same.allows(&Method::DELETE, None, Some("cross-site")));
    }
}
