//! The language switch in the top bar: the other language, named in that language (with its
//! `lang`, so a screen reader says it right). The choice is this browser's cookie at once and,
//! for a signed-in creator, remembered on their account for every browser they sign in from;
//! then the page loads again in that language. Every word on a page is written once, in the
//! page's language, not watched for a change of language: a reactive binding per word weighed
//! on the WASM (BENCHMARKS.md), for a switch a creator makes once.

use leptos::prelude::*;
use leptos_i18n::Locale as _;

use crate::i18n::{td_string, use_i18n, Locale};
#[cfg(feature = "hydrate")]
use crate::{api::auth::set_language, locale};

#[component]
pub fn LanguageSwitch() -> impl IntoView {
    let current = use_i18n().get_locale_untracked();
    let other = match current {
        Locale::en => Locale::fr,
        Locale::fr => Locale::en,
    };
    let switching = RwSignal::new(false);
    let switch = move |_| {
        switching.set(true);
        #[cfg(feature = "hydrate")]
        leptos::task::spawn_local(async move {
            locale::remember_in_browser(locale::language(other));
            // On the account too; the cookie alone already gives the next page its language.
            let _ = set_language(locale::language(other)).await;
            let _ = window().location().reload();
        });
    };
    // The label and its title name the other language in its own words (the current
    // language's file holds them).
    view! {
        <button
            type="button"
            class="language-switch"
            data-testid="language-switch"
            lang=other.as_str()
            title=td_string!(current, common.switch_to_title)
            aria-busy=move || switching.get().to_string()
            disabled=move || switching.get()
            on:click=switch
        >
            {td_string!(current, common.switch_to)}
        </button>
    }
}
