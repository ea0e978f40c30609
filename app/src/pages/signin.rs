use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;

use crate::api::auth::{SignIn, SignUp};
use crate::components::title::PageTitle;
use crate::i18n::{td_string, use_i18n};
use crate::locale;

/// `/auth/signin`: email and password; back to `next` afterwards.
#[component]
pub fn SignInPage() -> impl IntoView {
    let i18n = use_i18n();
    let action = ServerAction::<SignIn>::new();
    let query = use_query_map();
    let next = move || query.read().get("next").unwrap_or_default();
    let error = move || action.value().get().and_then(Result::err).map(|e| e.localized(i18n.get_locale()));
    // The creator's own language follows them to this browser.
    Effect::new(move |_| {
        if let Some(Ok(Some(language))) = action.value().get() {
            i18n.set_locale(locale::locale(language));
        }
    });
    let signup_href = move || format!("/auth/signup?next={}", urlencode(&next()));

    view! {
        <PageTitle text=|l| td_string!(l, auth.sign_in_title).to_string() />
        <section class="auth card">
            <h1>{td_string!(i18n.get_locale_untracked(), auth.sign_in_heading)}</h1>
            <ActionForm action=action attr:class="form">
                <input type="hidden" name="next" prop:value=next />
                <Credentials new_account=false />
                {move || error().map(|e| view! { <p class="error" role="alert">{e}</p> })}
                <button type="submit" class="button button-primary" disabled=move || action.pending().get()>
                    {td_string!(i18n.get_locale_untracked(), auth.sign_in_button)}
                </button>
            </ActionForm>
            <p class="muted">{td_string!(i18n.get_locale_untracked(), auth.new_here)}" " <A href=signup_href>{td_string!(i18n.get_locale_untracked(), auth.create_link)}</A></p>
        </section>
    }
}

/// `/auth/signup`: a new creator account, signed in at once.
#[component]
pub fn SignUpPage() -> impl IntoView {
    let i18n = use_i18n();
    let action = ServerAction::<SignUp>::new();
    let query = use_query_map();
    let next = move || query.read().get("next").unwrap_or_default();
    let error = move || action.value().get().and_then(Result::err).map(|e| e.localized(i18n.get_locale()));

    view! {
        <PageTitle text=|l| td_string!(l, auth.sign_up_title).to_string() />
        <section class="auth card">
            <h1>{td_string!(i18n.get_locale_untracked(), auth.sign_up_heading)}</h1>
            <ActionForm action=action attr:class="form">
                <input type="hidden" name="next" prop:value=next />
                <label>
                    <span>{td_string!(i18n.get_locale_untracked(), auth.your_name)}</span>
                    <input type="text" name="display_name" autocomplete="name" />
                </label>
                <Credentials new_account=true />
                {move || error().map(|e| view! { <p class="error" role="alert">{e}</p> })}
                <button type="submit" class="button button-primary" disabled=move || action.pending().get()>
                    {td_string!(i18n.get_locale_untracked(), auth.create_button)}
                </button>
            </ActionForm>
            <p class="muted">{td_string!(i18n.get_locale_untracked(), auth.have_account)}" " <A href="/auth/signin">{td_string!(i18n.get_locale_untracked(), auth.sign_in_link)}</A></p>
        </section>
    }
}

/// The email and password fields both forms share; a new account's password asks for 10
/// characters and lets the browser suggest one.
#[component]
fn Credentials(new_account: bool) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <label>
            <span>{td_string!(i18n.get_locale_untracked(), auth.email)}</span>
            <input type="email" name="email" autocomplete="username" required />
        </label>
        <label>
            <span>{td_string!(i18n.get_locale_untracked(), auth.password)}</span>
            <input
                type="password"
                name="password"
                autocomplete=if new_account { "new-password" } else { "current-password" }
                minlength=if new_account { Some("10") } else { None }
                required
            />
            {new_account.then(|| view! { <small class="muted">{td_string!(i18n.get_locale_untracked(), auth.password_hint)}</small> })}
        </label>
    }
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => (b as char).to_string(),
            other => format!("%{other:02X}"),
        })
        .collect()
}
