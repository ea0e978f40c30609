use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

use crate::components::status_panel::StatusPanel;

/// `/`: what Crealia is, for a creator who has not signed in yet.
#[component]
pub fn LandingPage() -> impl IntoView {
    view! {
        <Title text="" />
        <section class="hero">
            <p class="eyebrow">"For creators who run their Instagram like a studio"</p>
            <h1>"Your Instagram control room"</h1>
            <p class="lede">
                "Crealia brings your insights, your publishing calendar and your conversations into one place. "
                "Connect your professional accounts once, then see what works, plan what is next and answer your community as it happens."
            </p>
            <div class="hero-actions">
                <A href="/auth/signup" attr:class="button button-primary">"Create an account"</A>
                <A href="/auth/signin" attr:class="button">"Sign in"</A>
                <a href="#features" class="button button-quiet">"See what it does"</a>
            </div>
        </section>

        <section id="features" class="features" aria-label="What Crealia does">
            <Feature title="Insights that make sense"
                text="Followers, views, reach and interactions, with 7-day totals and trends you can read at a glance." />
            <Feature title="Publish and schedule"
                text="Images, carousels, reels and stories, now or later. Crealia checks what Instagram would reject before it gets there." />
            <Feature title="A live inbox"
                text="Comments, mentions and messages arrive as they happen, so you can reply, hide or delete without switching apps." />
            <Feature title="Nothing gets lost"
                text="Scheduled posts survive restarts and outages; tokens are encrypted and renewed before they expire." />
        </section>

        <StatusPanel />
    }
}

#[component]
fn Feature(title: &'static str, text: &'static str) -> impl IntoView {
    view! {
        <article class="card feature">
            <h2>{title}</h2>
            <p>{text}</p>
        </article>
    }
}
