use leptos::prelude::*;

use crate::i18n::{td_string, use_i18n};

/// Runs before the first paint: applies the remembered theme, or the system's preference.
pub const THEME_BOOT_SCRIPT: &str = "(function(){try{var t=localStorage.getItem('crealia-theme');\
if(!t){t=window.matchMedia('(prefers-color-scheme: dark)').matches?'dark':'light';}\
document.documentElement.setAttribute('data-theme',t);}catch(e){}})();";

/// Switches between the light and dark themes and remembers the choice in this browser.
/// It works only once the page has hydrated, which is what the end-to-end test relies on.
#[component]
pub fn ThemeToggle() -> impl IntoView {
    let i18n = use_i18n();
    // Both the server and the first client render start from "light", so hydration matches;
    // the effect (browser only) then reads the theme the boot script applied.
    let (dark, set_dark) = signal(false);
    Effect::new(move |_| set_dark.set(current_theme_is_dark()));

    let toggle = move |_| {
        let next = !dark.get_untracked();
        apply_theme(next);
        set_dark.set(next);
    };

    view! {
        <button
            type="button"
            class="theme-toggle"
            aria-pressed=move || if dark.get() { "true" } else { "false" }
            title=td_string!(i18n.get_locale_untracked(), common.theme_title)
            on:click=toggle
        >
            <span class="theme-toggle-icon" aria-hidden="true"></span>
            <span>{move || if dark.get() { td_string!(i18n.get_locale_untracked(), common.theme_dark) } else { td_string!(i18n.get_locale_untracked(), common.theme_light) }}</span>
        </button>
    }
}

#[cfg(feature = "hydrate")]
fn current_theme_is_dark() -> bool {
    document().document_element().and_then(|el| el.get_attribute("data-theme")).is_some_and(|t| t == "dark")
}

#[cfg(not(feature = "hydrate"))]
fn current_theme_is_dark() -> bool {
    false
}

#[cfg(feature = "hydrate")]
fn apply_theme(dark: bool) {
    let theme = if dark { "dark" } else { "light" };
    if let Some(el) = document().document_element() {
        let _ = el.set_attribute("data-theme", theme);
    }
    if let Ok(Some(storage)) = window().local_storage() {
        let _ = storage.set_item("crealia-theme", theme);
    }
}

#[cfg(not(feature = "hydrate"))]
fn apply_theme(_dark: bool) {}
