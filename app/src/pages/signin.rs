use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;

use crate::api::auth::{SignIn, SignUp};

/// `/auth/signin`: email and password; back to `next` afterwards.
#[component]
pub fn SignInPage() -> impl IntoView {
    let action = ServerAction::<SignIn>::new();
    let query = use_query_map();
    let next = move || query.read().get("next").unwrap_or_default();
    let error = move || action.value().get().and_then(Result::err).map(|e| e.to_string());
    let signup_href = move || format!("/auth/signup?next={}", urlencode(&next()));

    view! {
        <Title text="Sign in" />
        <section class="auth card">
            <h1>"Sign in to Crealia"</h1>
            <ActionForm action=action attr:class="form">
                <input type="hidden" name="next" prop:value=next />
                <Credentials new_account=false />
                {move || error().map(|e| view! { <p class="error" role="alert">{e}</p> })}
                <button type="submit" class="button button-primary" disabled=move || action.pending().get()>
                    "Sign in"
                </button>
            </ActionForm>
            <p class="muted">"New to Crealia? " <A href=signup_href>"Create an account"</A></p>
        </section>
    }
}

/// `/auth/signup`: a new creator account, signed in at once.
#[component]
pub fn SignUpPage() -> impl IntoView {
    let action = ServerAction::<SignUp>::new();
    let query = use_query_map();
    let next = move || query.read().get("next").unwrap_or_default();
    let error = move || action.value().get().and_then(Result::err).map(|e| e.to_string());

    view! {
        <Title text="Create your account" />
        <section class="auth card">
            <h1>"Create your Crealia account"</h1>
            <ActionForm action=action attr:class="form">
                <input type="hidden" name="next" prop:value=next />
                <label>
                    <span>"Your name"</span>
                    <input type="text" name="display_name" autocomplete="name" />
                </label>
                <Credentials new_account=true />
                {move || error().map(|e| view! { <p class="error" role="alert">{e}</p> })}
                <button type="submit" class="button button-primary" disabled=move || action.pending().get()>
                    "Create account"
                </button>
            </ActionForm>
            <p class="muted">"Already have an account? " <A href="/auth/signin">"Sign in"</A></p>
        </section>
    }
}

/// The email and password fields both forms share; a new account's password asks for 10
/// characters and lets the browser suggest one.
#[component]
fn Credentials(new_account: bool) -> impl IntoView {
    view! {
        <label>
            <span>"Email"</span>
            <input type="email" name="email" autocomplete="username" required />
        </label>
        <label>
            <span>"Password"</span>
            <input
                type="password"
                name="password"
                autocomplete=if new_account { "new-password" } else { "current-password" }
                minlength=if new_account { Some("10") } else { None }
                required
            />
            {new_account.then(|| view! { <small class="muted">"At least 10 characters."</small> })}
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
