//! Crealia's web application: every page renders on the server and hydrates in the browser.
//!
//! - `pages/`: one module per route.
//! - `components/`: pieces shared by pages (layout, navigation, theme toggle).
//! - `api/`: server functions; thin, they check the caller and call a `crealia_core` service.
//! - `error`: the one error type server functions return, with what a creator should read.
//! - `i18n` (generated from `locales/` by `build.rs`) and `locale`: every word a creator reads,
//!   in English and French, and the dates and numbers written the way each language writes them.

#![recursion_limit = "256"]

pub mod api;
pub mod components;
pub mod error;
pub mod locale;
pub mod pages;

include!(concat!(env!("OUT_DIR"), "/i18n/mod.rs"));

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, Link, Meta, Stylesheet, Title};
use leptos_router::{
    components::{Route, Router, Routes},
    path, Lazy, SsrMode,
};

use components::layout::Layout;
use i18n::{td_string, use_i18n};
use pages::not_found::NotFound;

/// The Content-Security-Policy nonce the server drew for this request (a request extension):
/// its security-headers layer writes it into the policy, and the shell gives it to every inline
/// script.
#[derive(Clone, Debug)]
pub struct CspNonce(pub String);

/// The HTML document around the app. Its inline script applies the remembered theme before
/// the first paint, so a dark-mode user never sees a white flash. Every inline script carries
/// this request's nonce, the only inline code the Content-Security-Policy lets run.
#[cfg(feature = "ssr")]
pub fn shell(options: LeptosOptions) -> impl IntoView {
    use leptos::nonce::{use_nonce, Nonce};
    use leptos_meta::MetaTags;
    // The server's nonce replaces the one leptos_axum drew, so the policy and the scripts agree.
    if let Some(CspNonce(n)) = use_context::<http::request::Parts>().and_then(|p| p.extensions.get::<CspNonce>().cloned()) {
        provide_context(Nonce::from_value(n));
    }
    let nonce = use_nonce();
    view! {
        <!DOCTYPE html>
        // `lang` is set by the i18n context (leptos_meta's `<Html>`): the creator's language.
        <html>
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <script nonce=nonce>{components::theme_toggle::THEME_BOOT_SCRIPT}</script>
                <AutoReload options=options.clone() />
                <HydrationScripts options />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();

    view! {
        <I18nProvider>
            <Head />
            <Pages />
        </I18nProvider>
    }
}

/// The creator's language for everything below (`use_i18n`), from the `crealia_lang` cookie or
/// the browser's preference, and `<html lang>` to match. (leptos_i18n's own provider also
/// renders an empty `<script>`, which the Content-Security-Policy's nonce rule does not allow.)
#[component]
fn I18nProvider(children: Children) -> impl IntoView {
    use leptos_i18n::Locale as _;
    use leptos_meta::Html;
    let i18n = locale::page_context();
    provide_context(i18n);
    // The children first: should they change the language, `<html lang>` says the new one.
    let children = children();
    view! {
        {children}
        <Html attr:lang=move || i18n.get_locale().as_str() />
    }
}

/// What every page has in its `<head>`, in the creator's language.
#[component]
fn Head() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <Stylesheet id="leptos" href="/pkg/crealia.css" />
        <Link rel="icon" type_="image/svg+xml" href="/favicon.svg" />
        <Meta name="description" content=td_string!(i18n.get_locale_untracked(), common.meta_description) />
        <Title formatter=|page: String| if page.is_empty() { "Crealia".to_string() } else { format!("{page} · Crealia") } />
    }
}

#[component]
fn Pages() -> impl IntoView {
    view! {
        <Router>
            <Layout>
                <Routes fallback=NotFound>
                    <Route path=path!("") view={Lazy::<pages::Landing>::new()} />
                    <Route path=path!("/auth/signin") view={Lazy::<pages::SignIn>::new()} />
                    <Route path=path!("/auth/signup") view={Lazy::<pages::SignUp>::new()} />
                    // Protected pages render whole before answering, so a signed-out visitor
                    // gets a real redirect to sign-in.
                    <Route path=path!("/instagram-auth") view={Lazy::<pages::Connect>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/instagram-dashboard") view=pages::dashboard::DashboardPage ssr=SsrMode::Async />
                    <Route path=path!("/instagram-calendar") view={Lazy::<pages::Calendar>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/instagram-bulk") view={Lazy::<pages::Bulk>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/instagram-feed") view={Lazy::<pages::Feed>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/instagram-media") view={Lazy::<pages::MediaLibrary>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/instagram-analytics") view={Lazy::<pages::AnalyticsRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/dashboard/instagram") view={Lazy::<pages::ControlRoom>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/settings/api-tokens") view={Lazy::<pages::ApiTokens>::new()} ssr=SsrMode::Async />
                </Routes>
            </Layout>
        </Router>
    }
}

#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    // Waits for the chunks of the lazy page being shown before hydrating it.
    leptos::mount::hydrate_lazy(App);
}
