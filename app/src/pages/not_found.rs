use leptos::prelude::*;
use leptos_router::components::A;

use crate::components::title::PageTitle;
use crate::i18n::{td_string, use_i18n};

/// Any unknown path. On the server it also sets the 404 status.
#[component]
pub fn NotFound() -> impl IntoView {
    let i18n = use_i18n();
    #[cfg(feature = "ssr")]
    {
        if let Some(resp) = use_context::<leptos_axum::ResponseOptions>() {
            resp.set_status(http::StatusCode::NOT_FOUND);
        }
    }
    view! {
        <PageTitle text=|l| td_string!(l, common.not_found_title).to_string() />
        <section class="card narrow">
            <h1>{td_string!(i18n.get_locale_untracked(), common.not_found_heading)}</h1>
            <p>{td_string!(i18n.get_locale_untracked(), common.not_found_text)}</p>
            <A href="/" attr:class="button">{td_string!(i18n.get_locale_untracked(), common.not_found_back)}</A>
        </section>
    }
}
