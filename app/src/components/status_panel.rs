use leptos::prelude::*;

use crate::api::system::{system_status, SystemHealth};
use crate::i18n::{td_string, use_i18n, Locale};

/// Asks the server for the state of its dependencies when the visitor clicks "Check now".
#[component]
pub fn StatusPanel() -> impl IntoView {
    let i18n = use_i18n();
    let check = Action::new(|_: &()| system_status());
    let pending = check.pending();

    view! {
        <section class="card status-panel" aria-labelledby="status-title">
            <div class="card-head">
                <h2 id="status-title">{td_string!(i18n.get_locale_untracked(), dashboard.status_title)}</h2>
                <button type="button" class="button" disabled=pending on:click=move |_| { check.dispatch(()); }>
                    {move || if pending.get() { td_string!(i18n.get_locale_untracked(), dashboard.status_checking) } else { td_string!(i18n.get_locale_untracked(), dashboard.status_check) }}
                </button>
            </div>
            {move || match check.value().get() {
                None => view! { <p class="muted">{td_string!(i18n.get_locale_untracked(), dashboard.status_intro)}</p> }.into_any(),
                Some(Ok(status)) => view! { <StatusList status /> }.into_any(),
                Some(Err(e)) => view! { <p class="error" role="alert">{e.localized(i18n.get_locale())}</p> }.into_any(),
            }}
        </section>
    }
}

#[component]
fn StatusList(status: SystemHealth) -> impl IntoView {
    let i18n = use_i18n();
    // `detail`: a word to translate (its key's words), or a name shown as it is (the cache's
    // back ends, "moka+redis").
    let row = move |check: Check, value: String, detail: Option<Detail>| {
        let class = format!("pill pill-{value}");
        view! {
            <li>
                <span class="status-label">{check.label(i18n.get_locale_untracked())}</span>
                <span class=class data-testid=check.test_id()>{health_word(i18n.get_locale_untracked(), &value)}</span>
                {detail.map(|d| match d {
                    Detail::Words(words) => view! { <span class="muted">{words(i18n.get_locale_untracked())}</span> }.into_any(),
                    Detail::Name(name) => view! { <span class="muted" translate="no">{name}</span> }.into_any(),
                })}
            </li>
        }
    };
    let mode = status.graph_mode.clone();
    let graph_detail = match mode.as_str() {
        "sandbox" | "meta" => Detail::Words(std::sync::Arc::new(move |locale| match mode.as_str() {
            "sandbox" => td_string!(locale, dashboard.status_mode_sandbox).to_string(),
            _ => td_string!(locale, dashboard.status_mode_meta).to_string(),
        })),
        _ => Detail::Name(status.graph_mode),
    };
    let waiting =
        status.webhooks_pending.map(|n| Detail::Words(std::sync::Arc::new(move |locale| td_string!(locale, dashboard.status_waiting, count = n).to_string())));
    view! {
        <ul class="status-list">
            {row(Check::Database, status.database, None)}
            {row(Check::Cache, status.cache, Some(Detail::Name(status.cache_backend)))}
            {row(Check::GraphApi, status.graph_api, Some(graph_detail))}
            {row(Check::Webhooks, status.webhooks, waiting)}
        </ul>
    }
}

/// What a check's detail says.
enum Detail {
    Words(std::sync::Arc<dyn Fn(Locale) -> String + Send + Sync>),
    Name(String),
}

#[derive(Clone, Copy)]
enum Check {
    Database,
    Cache,
    GraphApi,
    Webhooks,
}

impl Check {
    fn label(self, locale: Locale) -> String {
        match self {
            Check::Database => td_string!(locale, dashboard.status_database),
            Check::Cache => td_string!(locale, dashboard.status_cache),
            Check::GraphApi => td_string!(locale, dashboard.status_graph_api),
            Check::Webhooks => td_string!(locale, dashboard.status_webhooks),
        }
        .to_string()
    }

    /// The end-to-end tests' names (from the English labels).
    fn test_id(self) -> &'static str {
        match self {
            Check::Database => "status-database",
            Check::Cache => "status-cache",
            Check::GraphApi => "status-graph-api",
            Check::Webhooks => "status-webhooks",
        }
    }
}

/// "ok", "degraded", "down", "disabled" in the page's language (the pill's class keeps the code).
fn health_word(locale: Locale, value: &str) -> String {
    match value {
        "ok" => td_string!(locale, dashboard.status_ok).to_string(),
        "degraded" => td_string!(locale, dashboard.status_degraded).to_string(),
        "down" => td_string!(locale, dashboard.status_down).to_string(),
        "disabled" => td_string!(locale, dashboard.status_disabled).to_string(),
        other => other.to_string(),
    }
}
