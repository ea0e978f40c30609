use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_router::components::A;
use leptos_router::hooks::use_location;

use super::cancel::{UndoBar, UndoCancel};
use super::language::LanguageSwitch;
use super::live::provide_inbox_feed;
use super::theme_toggle::ThemeToggle;
use crate::api::auth::{current_creator, SignOut};
use crate::i18n::{t_string, use_i18n};

/// The frame of every page: brand, navigation (which knows who is signed in), theme toggle.
/// The one part of a page that outlives a navigation in the browser, so its words follow the
/// language (signing in brings the creator's own); pages write theirs once.
#[component]
pub fn Layout(children: Children) -> impl IntoView {
    let i18n = use_i18n();
    let location = use_location();
    // Asked in the browser only (the server renders no links for it, the browser fills them in
    // after hydration), again on every navigation. Signing out is a plain form: the server
    // answers with the landing page, loaded anew (and the WASM carries no form-encoding code).
    let creator = LocalResource::new(move || {
        let _ = location.pathname.get();
        current_creator()
    });
    // One live inbox stream per tab while someone is signed in: the unread count below, and
    // the dashboard's inbox, follow it.
    UndoCancel::provide();
    let feed = provide_inbox_feed(move || matches!(creator.get(), Some(Ok(Some(_)))));
    let unread = move || {
        feed.unread.get().map(|u| u.total()).filter(|n| *n > 0).map(|n| {
            view! { <span class="badge nav-badge" data-testid="nav-unread" aria-label=t_string!(i18n, common.unread, count = n)>{n}</span> }
        })
    };

    view! {
        <div class="app">
            <header class="topbar">
                <A href="/" attr:class="brand">
                    <span class="brand-mark" aria-hidden="true"></span>
                    <span class="brand-name">"Crealia"</span>
                </A>
                <nav class="topnav" aria-label=move || t_string!(i18n, common.nav_label)>
                    <A href="/" exact=true>{move || t_string!(i18n, common.nav_home)}</A>
                    // Nothing until the browser knows (the server never does; a LocalResource
                    // keeps its last answer while it asks again after a navigation).
                    {move || creator.get().map(|answer| match answer {
                        Ok(Some(c)) => view! {
                            <A href="/instagram-dashboard">{t_string!(i18n, common.nav_dashboard)} {unread}</A>
                            <A href="/instagram-calendar">{t_string!(i18n, common.nav_calendar)}</A>
                            <A href="/instagram-analytics">{t_string!(i18n, common.nav_analytics)}</A>
                            <A href="/dashboard/instagram">{t_string!(i18n, common.nav_control_room)}</A>
                            <A href="/instagram-auth">{t_string!(i18n, common.nav_accounts)}</A>
                            <span class="whoami" data-testid="whoami" translate="no" title=c.email.clone()>{c.display_name.clone()}</span>
                            <form method="post" action=SignOut::PATH class="inline-form">
                                <button type="submit" class="linklike">{t_string!(i18n, common.nav_sign_out)}</button>
                            </form>
                        }.into_any(),
                        _ => view! { <A href="/auth/signin">{t_string!(i18n, common.nav_sign_in)}</A> }.into_any(),
                    })}
                </nav>
                <LanguageSwitch />
                <ThemeToggle />
            </header>
            <main class="content">{children()}</main>
            <UndoBar />
            <footer class="footer">
                <span>{move || t_string!(i18n, common.footer)}</span>
            </footer>
        </div>
    }
}
