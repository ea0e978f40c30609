//! Sign-up, sign-in, sign-out and "who am I", as server functions. The session cookie is set
//! here (HttpOnly, SameSite=Lax, Secure over HTTPS); everything else is in `crealia_core`.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// What the pages know about the signed-in creator.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Creator {
    pub email: String,
    pub display_name: String,
}

/// A same-site path to return to after signing in; anything else falls back to `fallback`.
pub fn safe_next(next: Option<&str>, fallback: &str) -> String {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.contains('\\') => n.to_string(),
        _ => fallback.to_string(),
    }
}

#[cfg(feature = "ssr")]
pub(crate) fn session() -> crealia_core::accounts::CurrentSession {
    use_context::<http::request::Parts>()
        .and_then(|parts| parts.extensions.get::<crealia_core::accounts::CurrentSession>().cloned())
        .unwrap_or_default()
}

/// The signed-in user, or `Unauthorized` (401).
#[cfg(feature = "ssr")]
pub(crate) fn require_user() -> Result<crealia_core::accounts::User, AppError> {
    session().user.ok_or_else(|| {
        let e = AppError::Unauthorized;
        crate::error::set_status(&e);
        e
    })
}

#[cfg(feature = "ssr")]
async fn client_address() -> String {
    use std::net::SocketAddr;
    leptos_axum::extract::<axum_connect_info::ConnectInfo<SocketAddr>>()
        .await
        .map(|info| info.0.ip().to_string())
        .unwrap_or_else(|_| "unknown".into())
}

#[cfg(feature = "ssr")]
mod axum_connect_info {
    pub use axum::extract::ConnectInfo;
}

#[cfg(feature = "ssr")]
async fn open_session(email: &str, password: &str) -> Result<(), AppError> {
    let services = super::services()?;
    let previous = session().token;
    let address = client_address().await;
    let (_, token) = services.accounts.sign_in(email, password, &address, previous.as_ref()).await?;
    let cookie = crealia_core::accounts::session_cookie(Some(&token), services.accounts.session_lifetime().as_secs(), services.secure_cookies);
    let response = expect_context::<leptos_axum::ResponseOptions>();
    response.append_header(http::header::SET_COOKIE, http::HeaderValue::from_str(&cookie).map_err(|e| crealia_core::Error::Internal(e.to_string()))?);
    Ok(())
}

#[server]
pub async fn sign_in(email: String, password: String, next: Option<String>) -> Result<(), AppError> {
    open_session(&email, &password).await?;
    leptos_axum::redirect(&safe_next(next.as_deref(), "/instagram-auth"));
    Ok(())
}

#[server]
pub async fn sign_up(email: String, password: String, display_name: String, next: Option<String>) -> Result<(), AppError> {
    let services = super::services()?;
    services.accounts.sign_up(&email, &password, &display_name).await?;
    open_session(&email, &password).await?;
    leptos_axum::redirect(&safe_next(next.as_deref(), "/instagram-auth"));
    Ok(())
}

#[server]
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
#[server]
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
    }
}
