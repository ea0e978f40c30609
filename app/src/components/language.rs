//! The language switch in the top bar: the other language, named in that language (with its
//! `lang`, so a screen reader says it right). The choice is this browser's cookie at once and,
//! for a signed-in creator, remembered on their account for every browser they sign in from.

use leptos::prelude::*;
use leptos_i18n::Locale as _;

use crate::api::auth::SetLanguage;
use crate::i18n::{t, use_i18n, Locale};
use crate::locale;

#[component]
pub fn LanguageSwitch() -> impl IntoView {
    let i18n = use_i18n();
    let remember = ServerAction::<SetLanguage>::new();
    let other = move || match i18n.get_locale() {
        Locale::en => Locale::fr,
        Locale::fr => Locale::en,
    };
    let switch = move |_| {
        let next = other();
        i18n.set_locale(next);
        #[cfg(feature = "hydrate")]
        locale::remember_in_browser(locale::language(next));
        remember.dispatch(SetLanguage { language: locale::language(next) });
    };
    view! {
        <button
            type="button"
            class="language-switch"
            data-testid="language-switch"
            lang=move || other().as_str()
            title=move || t_title(i18n.get_locale())
            on:click=switch
        >
            {move || t!(i18n, common.switch_to)}
        </button>
    }
}

/// The title is in the language it offers, like the label.
fn t_title(current: Locale) -> String {
    crate::i18n::td_string!(current, common.switch_to_title).to_string()
}
