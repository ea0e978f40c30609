use leptos::prelude::*;
use leptos_router::components::A;

use super::theme_toggle::ThemeToggle;

/// The frame of every page: brand, navigation, theme toggle, footer.
#[component]
pub fn Layout(children: Children) -> impl IntoView {
    view! {
        <div class="app">
            <header class="topbar">
                <A href="/" attr:class="brand">
                    <span class="brand-mark" aria-hidden="true"></span>
                    <span class="brand-name">"Crealia"</span>
                </A>
                <nav class="topnav" aria-label="Main">
                    <A href="/" exact=true>"Home"</A>
                    <A href="/auth/signin">"Sign in"</A>
                </nav>
                <ThemeToggle />
            </header>
            <main class="content">{children()}</main>
            <footer class="footer">
                <span>"Crealia · the Instagram control room for creators"</span>
            </footer>
        </div>
    }
}
