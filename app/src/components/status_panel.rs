use leptos::prelude::*;

use crate::api::system::{system_status, SystemHealth};

/// Asks the server for the state of its dependencies when the visitor clicks "Check now".
#[component]
pub fn StatusPanel() -> impl IntoView {
    let check = Action::new(|_: &()| system_status());
    let pending = check.pending();

    view! {
        <section class="card status-panel" aria-labelledby="status-title">
            <div class="card-head">
                <h2 id="status-title">"System status"</h2>
                <button type="button" class="button" disabled=pending on:click=move |_| { check.dispatch(()); }>
                    {move || if pending.get() { "Checking…" } else { "Check now" }}
                </button>
            </div>
            {move || match check.value().get() {
                None => view! { <p class="muted">"Database, cache, Graph API and webhooks, checked live."</p> }.into_any(),
                Some(Ok(status)) => view! { <StatusList status /> }.into_any(),
                Some(Err(e)) => view! { <p class="error" role="alert">{e.to_string()}</p> }.into_any(),
            }}
        </section>
    }
}

#[component]
fn StatusList(status: SystemHealth) -> impl IntoView {
    let row = |label: &'static str, value: String, detail: Option<String>| {
        let class = format!("pill pill-{value}");
        view! {
            <li>
                <span class="status-label">{label}</span>
                <span class=class data-testid=format!("status-{}", label.to_lowercase().replace(' ', "-"))>{value}</span>
                {detail.map(|d| view! { <span class="muted">{d}</span> })}
            </li>
        }
    };
    view! {
        <ul class="status-list">
            {row("Database", status.database, None)}
            {row("Cache", status.cache, Some(status.cache_backend))}
            {row("Graph API", status.graph_api, Some(status.graph_mode))}
            {row("Webhooks", status.webhooks, status.webhooks_pending.map(|n| format!("{n} waiting")))}
        </ul>
    }
}
