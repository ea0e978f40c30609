//! A page's `<title>`, in the creator's language.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::i18n::{use_i18n, Locale};

/// `text` gives the title in a language; it is written once, in the page's language (a switch
/// of language loads the page again). On the server leptos_meta reads the title once the page
/// is done, outside the page's reactive owner, where no signal could be read.
#[component]
pub fn PageTitle(text: fn(Locale) -> String) -> impl IntoView {
    let i18n = use_i18n();
    view! { <Title text=TextProp::from(text(i18n.get_locale_untracked())) /> }
}
