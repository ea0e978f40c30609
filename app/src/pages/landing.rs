use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

use crate::components::status_panel::StatusPanel;
use crate::i18n::{t_string, use_i18n};

/// `/`: what Crealia is, for a creator who has not signed in yet.
#[component]
pub fn LandingPage() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <Title text="" />
        <section class="hero">
            <p class="eyebrow">{t_string!(i18n, landing.eyebrow)}</p>
            <h1>{t_string!(i18n, landing.heading)}</h1>
            <p class="lede">
                {t_string!(i18n, landing.lede_1)}" "{t_string!(i18n, landing.lede_2)}
            </p>
            <div class="hero-actions">
                <A href="/auth/signup" attr:class="button button-primary">{t_string!(i18n, landing.create)}</A>
                <A href="/auth/signin" attr:class="button">{t_string!(i18n, landing.sign_in)}</A>
                <a href="#features" class="button button-quiet">{t_string!(i18n, landing.see_features)}</a>
            </div>
        </section>

        <section id="features" class="features" aria-label=t_string!(i18n, landing.features_label)>
            <article class="card feature">
                <h2>{t_string!(i18n, landing.insights_title)}</h2>
                <p>{t_string!(i18n, landing.insights_text)}</p>
            </article>
            <article class="card feature">
                <h2>{t_string!(i18n, landing.publish_title)}</h2>
                <p>{t_string!(i18n, landing.publish_text)}</p>
            </article>
            <article class="card feature">
                <h2>{t_string!(i18n, landing.inbox_title)}</h2>
                <p>{t_string!(i18n, landing.inbox_text)}</p>
            </article>
            <article class="card feature">
                <h2>{t_string!(i18n, landing.safe_title)}</h2>
                <p>{t_string!(i18n, landing.safe_text)}</p>
            </article>
        </section>

        <StatusPanel />
    }
}
