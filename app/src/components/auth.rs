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

/// What a protected page shows when its data did not load: a signed-out visitor is taken to sign
/// in (and back to `next`); anything else is said where the page would be.
pub fn load_failed(e: crate::error::AppError, next: &str) -> leptos::prelude::AnyView {
    use crate::i18n::{td_string, use_i18n};
    use leptos::prelude::*;
    let i18n = use_i18n();
    if e == crate::error::AppError::Unauthorized {
        redirect_to_sign_in(next);
        return view! { <p class="muted">{td_string!(i18n.get_locale_untracked(), common.taking_you_to_sign_in)}</p> }.into_any();
    }
    view! { <p class="error" role="alert">{e.localized(i18n.get_locale_untracked())}</p> }.into_any()
}
