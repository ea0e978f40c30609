use leptos::prelude::*;
use leptos_meta::Title;

/// `/auth/signin`: the sign-in form. Accounts and sessions are wired up by the accounts work;
/// until then the form explains that sign-in is not open yet.
#[component]
pub fn SignInPage() -> impl IntoView {
    view! {
        <Title text="Sign in" />
        <section class="auth card">
            <h1>"Sign in to Crealia"</h1>
            <form class="form" method="post" action="/auth/signin" on:submit=|ev| ev.prevent_default()>
                <label>
                    <span>"Email"</span>
                    <input type="email" name="email" autocomplete="username" required />
                </label>
                <label>
                    <span>"Password"</span>
                    <input type="password" name="password" autocomplete="current-password" required />
                </label>
                <button type="submit" class="button button-primary" disabled=true>"Sign in"</button>
                <p class="muted">"Accounts open in the next release of Crealia."</p>
            </form>
        </section>
    }
}
