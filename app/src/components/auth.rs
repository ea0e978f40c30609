/// Sends a signed-out visitor to sign in, to come back to `next` afterwards. On the server it
/// answers with a redirect (the protected routes render in `SsrMode::Async`, so the headers are
/// not yet sent); in the browser it navigates.
pub fn redirect_to_sign_in(next: &str) {
    let target = format!("/auth/signin?next={}", next.replace('/', "%2F"));
    #[cfg(feature = "ssr")]
    leptos_axum::redirect(&target);
    #[cfg(feature = "hydrate")]
    {
        let _ = leptos::prelude::window().location().set_href(&target);
    }
    #[cfg(not(any(feature = "ssr", feature = "hydrate")))]
    let _ = target;
}

/// For protected pages: on the server, a signed-out visitor is redirected before anything else
/// renders (nothing of the page runs, no server function answers 401 over the redirect). In
/// the browser the page's own data calls answer `Unauthorized` and redirect.
pub fn signed_in_or_redirect(next: &str) -> bool {
    #[cfg(feature = "ssr")]
    {
        if crate::api::auth::session().user.is_none() {
            redirect_to_sign_in(next);
            return false;
        }
    }
    let _ = next;
    true
}
