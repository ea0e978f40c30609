//! The two ends of the Instagram Login flow: `POST /api/auth/instagram/start` sends the signed-in
//! creator to Instagram's consent page; `/api/auth/callback` is where Instagram sends them back.

use std::collections::HashMap;

use axum::extract::{Query, State};
use axum::response::Redirect;
use axum::Extension;
use crealia_core::accounts::CurrentSession;
use crealia_core::Services;

const PAGE: &str = "/instagram-auth";

fn sign_in_first() -> Redirect {
    Redirect::to("/auth/signin?next=%2Finstagram-auth")
}

/// A GET (an old bookmark, a link from elsewhere) only leads to the accounts page, whose
/// Connect button posts.
pub async fn start_page() -> Redirect {
    Redirect::to(PAGE)
}

pub async fn start(State(services): State<Services>, Extension(session): Extension<CurrentSession>) -> Redirect {
    let (Some(user), Some(token)) = (session.user, session.token) else { return sign_in_first() };
    match services.connections.start(user.id, &token).await {
        Ok(url) => Redirect::to(url.as_str()),
        Err(e) => {
            tracing::error!(error = %e, "could not start the Instagram connection");
            Redirect::to(&format!("{PAGE}?error=internal"))
        }
    }
}

/// Every outcome ends on the accounts page with a message: connected, or what went wrong.
pub async fn callback(State(services): State<Services>, Extension(session): Extension<CurrentSession>, Query(q): Query<HashMap<String, String>>) -> Redirect {
    let Some(token) = session.token.filter(|_| session.user.is_some()) else { return sign_in_first() };
    if q.contains_key("error") {
        return Redirect::to(&format!("{PAGE}?error=denied"));
    }
    let (Some(state), Some(code)) = (q.get("state"), q.get("code")) else {
        return Redirect::to(&format!("{PAGE}?error=state"));
    };
    match services.connections.complete(&token, state, code).await {
        Ok(view) => {
            let username: String = url::form_urlencoded::byte_serialize(view.username.as_bytes()).collect();
            Redirect::to(&format!("{PAGE}?connected={username}"))
        }
        Err(e) => {
            tracing::warn!(error = %e, kind = e.code(), "Instagram connection failed");
            Redirect::to(&format!("{PAGE}?error={}", e.code()))
        }
    }
}
