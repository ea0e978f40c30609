use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

/// Any unknown path. On the server it also sets the 404 status.
#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    {
        if let Some(resp) = use_context::<leptos_axum::ResponseOptions>() {
            resp.set_status(http::StatusCode::NOT_FOUND);
        }
    }
    view! {
        <Title text="Not found" />
        <section class="card narrow">
            <h1>"This page does not exist"</h1>
            <p>"The address may be mistyped, or the page has moved."</p>
            <A href="/" attr:class="button">"Back to the start"</A>
        </section>
    }
}
