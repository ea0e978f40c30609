use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

use crate::components::status_panel::StatusPanel;
use crate::i18n::{td_string, use_i18n};

/// `/`: what Crealia is, for a creator who has not signed in yet.
#[component]
pub fn LandingPage() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <Title text="" />
        <section class="hero">
            <p class="eyebrow">{td_string!(i18n.get_locale_untracked(), landing.eyebrow)}</p>
            <h1>{td_string!(i18n.get_locale_untracked(), landing.heading)}</h1>
            <p class="lede">
                {td_string!(i18n.get_locale_untracked(), landing.lede_1)}" "{td_string!(i18n.get_locale_untracked(), landing.lede_2)}
            </p>
            <div class="hero-actions">
                <A href="/auth/signup" attr:class="button button-primary">{td_string!(i18n.get_locale_untracked(), landing.create)}</A>
                <A href="/auth/signin" attr:class="button">{td_string!(i18n.get_locale_untracked(), landing.sign_in)}</A>
                <a href="#features" class="button button-quiet">{td_string!(i18n.get_locale_untracked(), landing.see_features)}</a>
            </div>
        </section>

        <section id="features" class="features" aria-label=td_string!(i18n.get_locale_untracked(), landing.features_label)>
            <article class="card feature">
                <h2>{td_string!(i18n.get_locale_untracked(), landing.insights_title)}</h2>
                <p>{td_string!(i18n.get_locale_untracked(), landing.insights_text)}</p>
            </article>
            <article class="card feature">
                <h2>{td_string!(i18n.get_locale_untracked(), landing.publish_title)}</h2>
                <p>{td_string!(i18n.get_locale_untracked(), landing.publish_text)}</p>
            </article>
            <article class="card feature">
                <h2>{td_string!(i18n.get_locale_untracked(), landing.inbox_title)}</h2>
                <p>{td_string!(i18n.get_locale_untracked(), landing.inbox_text)}</p>
            </article>
            <article class="card feature">
                <h2>{td_string!(i18n.get_locale_untracked(), landing.safe_title)}</h2>
                <p>{td_string!(i18n.get_locale_untracked(), landing.safe_text)}</p>
            </article>
        </section>

        <StatusPanel />
    }
}
