//! The language switch in the top bar: the other language, named in that language (with its
//! `lang`, so a screen reader says it right). The choice is this browser's cookie at once and,
//! for a signed-in creator, remembered on their account for every browser they sign in from;
//! then the page loads again in that language. Pages write every word once, in the page's
//! language, rather than watching for a change of language: a reactive binding per word weighed
//! on the WASM (BENCHMARKS.md), for a switch a creator makes once. The switch itself, like the
//! rest of the layout, follows the language (signing in brings the creator's own).

use leptos::prelude::*;
use leptos_i18n::Locale as _;

use crate::i18n::{td_string, use_i18n, Locale};
#[cfg(feature = "hydrate")]
use crate::{api::auth::set_language, locale};

#[component]
pub fn LanguageSwitch() -> impl IntoView {
    let i18n = use_i18n();
    let other = move || match i18n.get_locale() {
        Locale::en => Locale::fr,
        Locale::fr => Locale::en,
    };
    let switching = RwSignal::new(false);
    let switch = move |_| {
        switching.set(true);
        #[cfg(feature = "hydrate")]
        {
            let next = other();
            leptos::task::spawn_local(async move {
                locale::remember_in_browser(locale::language(next));
                // On the account too; the cookie alone already gives the next page its language.
                let _ = set_language(locale::language(next)).await;
                let _ = window().location().reload();
            });
        }
    };
    // The label and its title name the other language in its own words (the current
    // language's file holds them).
    view! {
        <button
            type="button"
            class="language-switch"
            data-testid="language-switch"
            lang=move || other().as_str()
            title=move || td_string!(i18n.get_locale(), common.switch_to_title)
            aria-busy=move || switching.get().to_string()
            disabled=move || switching.get()
            on:click=switch
        >
            {move || td_string!(i18n.get_locale(), common.switch_to)}
        </button>
    }
}
