//! A page's `<title>`, in the creator's language.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::i18n::{use_i18n, Locale};

/// `text` gives the title in a language. On the server it is written while the page renders:
/// leptos_meta reads the title once the page is done, outside the page's reactive owner, where
/// no signal can be read (a closure over the language would panic there). In the browser it
/// follows a switch of language.
#[component]
pub fn PageTitle(text: fn(Locale) -> String) -> impl IntoView {
    let i18n = use_i18n();
    #[cfg(feature = "ssr")]
    let title = TextProp::from(text(i18n.get_locale_untracked()));
    #[cfg(not(feature = "ssr"))]
    let title = TextProp::from(move || text(i18n.get_locale()));
    view! { <Title text=title /> }
}
