//! Sign-up, sign-in, sign-out and "who am I", as server functions. The session cookie is set
//! here (HttpOnly, SameSite=Lax, Secure over HTTPS); everything else is in `crealia_core`.

use crealia_model::language::Language;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use serde::{Deserialize, Serialize};

use super::json::JsonAnswer;
use crate::error::AppError;

/// What the pages know about the signed-in creator.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Creator {
    pub email: String,
    pub display_name: String,
}

/// The pages a creator may be sent back to after signing in.
const NEXT_PAGES: &[&str] =
    &["/", "/instagram-auth", "/instagram-dashboard", "/instagram-calendar", "/instagram-analytics", "/dashboard/instagram", "/settings/api-tokens"];

/// Where to go after signing in: one of the app's own pages (with a plain query string), or
/// `fallback`. Nothing else is followed: no other site, no odd path, no control character.
pub fn safe_next(next: Option<&str>, fallback: &str) -> String {
    let Some(next) = next else { return fallback.to_string() };
    let (path, query) = match next.split_once('?') {
        Some((path, query)) => (path, Some(query)),
        None => (next, None),
    };
    let plain_query = query.is_none_or(|q| q.len() <= 200 && q.bytes().all(|b| b.is_ascii_alphanumeric() || b"=&%_.-+".contains(&b)));
    if NEXT_PAGES.contains(&path) && plain_query {
        next.to_string()
    } else {
        fallback.to_string()
    }
}

#[cfg(feature = "ssr")]
pub(crate) fn session() -> crealia_core::accounts::CurrentSession {
    use_context::<http::request::Parts>().and_then(|parts| parts.extensions.get::<crealia_core::accounts::CurrentSession>().cloned()).unwrap_or_default()
}

/// The signed-in creator of a request: the one way both server functions
/// ([`require_user`]) and JSON routes (as an axum extractor) ask. Signed out: `Unauthorized`
/// (401).
#[cfg(feature = "ssr")]
pub struct SignedIn(pub crealia_core::accounts::User);

#[cfg(feature = "ssr")]
impl SignedIn {
    pub fn from_parts(parts: &http::request::Parts) -> Result<Self, AppError> {
        parts.extensions.get::<crealia_core::accounts::CurrentSession>().and_then(|s| s.user.clone()).map(SignedIn).ok_or(AppError::Unauthorized)
    }
}

#[cfg(feature = "ssr")]
impl<S: Send + Sync> axum::extract::FromRequestParts<S> for SignedIn {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut http::request::Parts, _: &S) -> Result<Self, AppError> {
        SignedIn::from_parts(parts)
    }
}

/// The signed-in user of the server function's request, or `Unauthorized` (401).
#[cfg(feature = "ssr")]
pub(crate) fn require_user() -> Result<crealia_core::accounts::User, AppError> {
    let signed_in = use_context::<http::request::Parts>().ok_or(AppError::Unauthorized).and_then(|parts| SignedIn::from_parts(&parts));
    signed_in.map(|s| s.0).inspect_err(crate::error::set_status)
}

/// The client's address as the server resolved it (behind trusted proxies, the real one).
#[cfg(feature = "ssr")]
fn client_address() -> String {
    use_context::<http::request::Parts>()
        .and_then(|parts| parts.extensions.get::<crealia_core::accounts::ClientAddress>().copied())
        .map_or_else(|| "unknown".into(), |a| a.0.to_string())
}

#[cfg(feature = "ssr")]
async fn open_session(email: &str, password: &str) -> Result<crealia_core::accounts::User, AppError> {
    let services = super::services()?;
    let previous = session().token;
    let address = client_address();
    let (user, token) = services.accounts.sign_in(email, password, &address, previous.as_ref()).await?;
    let cookie = crealia_core::accounts::session_cookie(Some(&token), services.accounts.session_lifetime().as_secs(), services.secure_cookies);
    let response = expect_context::<leptos_axum::ResponseOptions>();
    response.append_header(http::header::SET_COOKIE, http::HeaderValue::from_str(&cookie).map_err(|e| crealia_core::Error::Internal(e.to_string()))?);
    Ok(user)
}

/// Signs in; the answer is the language the creator chose, if any, which this browser takes on
/// (its cookie is set here too, for a browser without JavaScript).
#[server(output = JsonAnswer)]
pub async fn sign_in(email: String, password: String, next: Option<String>) -> Result<Option<Language>, AppError> {
    let user = open_session(&email, &password).await?;
    // Signed in already: a language that cannot be read is the browser's, not an error.
    let language = super::services()?.accounts.language(user.id).await.unwrap_or_else(|e| {
        tracing::warn!(error = %e, "the creator's language could not be read");
        None
    });
    if let Some(language) = language {
        set_language_cookie(language);
    }
    leptos_axum::redirect(&safe_next(next.as_deref(), "/instagram-auth"));
    Ok(language)
}

/// Creates the account in the language the visitor is reading, and signs in.
#[server(output = JsonAnswer)]
pub async fn sign_up(email: String, password: String, display_name: String, next: Option<String>) -> Result<(), AppError> {
    let services = super::services()?;
    let user = services.accounts.register(&email, &password, &display_name, &client_address()).await?;
    if let Err(e) = services.accounts.set_language(user.id, crate::locale::language(crate::locale::of_request())).await {
        tracing::warn!(error = %e, "the new creator's language could not be stored");
    }
    open_session(&email, &password).await?;
    leptos_axum::redirect(&safe_next(next.as_deref(), "/instagram-auth"));
    Ok(())
}

/// Remembers the language the creator switched to, for every browser they sign in from.
/// Signed out, the browser's cookie alone remembers it.
#[server(input = Json, output = JsonAnswer)]
pub async fn set_language(language: Language) -> Result<(), AppError> {
    if let Some(user) = session().user {
        super::services()?.accounts.set_language(user.id, language).await?;
    }
    Ok(())
}

#[cfg(feature = "ssr")]
fn set_language_cookie(language: Language) {
    if let (Some(response), Ok(value)) = (use_context::<leptos_axum::ResponseOptions>(), http::HeaderValue::from_str(&crate::locale::cookie_header(language))) {
        response.append_header(http::header::SET_COOKIE, value);
    }
}

#[server(output = JsonAnswer)]
pub async fn sign_out() -> Result<(), AppError> {
    let services = super::services()?;
    if let Some(token) = session().token {
        services.accounts.sign_out(&token).await?;
    }
    let cookie = crealia_core::accounts::session_cookie(None, 0, services.secure_cookies);
    let response = expect_context::<leptos_axum::ResponseOptions>();
    if let Ok(v) = http::HeaderValue::from_str(&cookie) {
        response.append_header(http::header::SET_COOKIE, v);
    }
    leptos_axum::redirect("/");
    Ok(())
}

/// The signed-in creator, or `None`.
#[server(input = Json, output = JsonAnswer)]
pub async fn current_creator() -> Result<Option<Creator>, AppError> {
    Ok(session().user.map(|u| Creator { email: u.email, display_name: u.display_name }))
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn only_same_site_paths_are_followed_after_sign_in() {
        assert_eq!(safe_next(Some("/instagram-auth"), "/"), "/instagram-auth");
        assert_eq!(safe_next(Some("//evil.example"), "/"), "/");
        assert_eq!(safe_next(Some("https://evil.example"), "/"), "/");
        assert_eq!(safe_next(Some("/\\evil.example"), "/"), "/");
        assert_eq!(safe_next(None, "/home"), "/home");
        assert_eq!(safe_next(Some("/\t/evil.example"), "/"), "/", "a tab browsers drop");
        assert_eq!(safe_next(Some("/instagram-auth\r\nSet-Cookie: x=1"), "/"), "/", "no header injection");
        assert_eq!(safe_next(Some("/instagram-dashboard?account=3&days=7"), "/"), "/instagram-dashboard?account=3&days=7");
        assert_eq!(safe_next(Some("/instagram-dashboard?x=\n"), "/"), "/");
        assert_eq!(safe_next(Some("/sandbox/__admin/world"), "/"), "/", "only pages of the app");
        assert_eq!(safe_next(Some("/instagram-auth/../../evil"), "/"), "/");
    }
}
