//! Crealia's web application: every page renders on the server and hydrates in the browser.
//!
//! - `pages/`: one module per route.
//! - `components/`: pieces shared by pages (layout, navigation, theme toggle).
//! - `api/`: server functions; thin, they check the caller and call a `crealia_core` service.
//! - `error`: the one error type server functions return, with what a creator should read.

#![recursion_limit = "256"]

pub mod api;
pub mod components;
pub mod error;
pub mod pages;

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, Link, Meta, Stylesheet, Title};
use leptos_router::{
    components::{Route, Router, Routes},
    path, SsrMode,
};

use components::layout::Layout;
use pages::{
    calendar::CalendarPage,
    dashboard::DashboardPage,
    instagram_auth::InstagramAuthPage,
    landing::LandingPage,
    not_found::NotFound,
    signin::{SignInPage, SignUpPage},
};

/// The response header through which the shell hands its CSP nonce to the server's security
/// headers (which remove it and write the Content-Security-Policy).
pub const CSP_NONCE_HEADER: &str = "x-crealia-csp-nonce";

/// The HTML document around the app. Its inline script applies the remembered theme before
/// the first paint, so a dark-mode user never sees a white flash. Every inline script carries
/// this response's nonce, the only inline code the Content-Security-Policy lets run.
#[cfg(feature = "ssr")]
pub fn shell(options: LeptosOptions) -> impl IntoView {
    use leptos::nonce::use_nonce;
    use leptos_meta::MetaTags;
    // leptos_axum draws a nonce for every response it renders.
    let nonce = use_nonce();
    if let (Some(n), Some(response)) = (&nonce, use_context::<leptos_axum::ResponseOptions>()) {
        if let Ok(value) = http::HeaderValue::from_str(n) {
            response.insert_header(http::HeaderName::from_static(CSP_NONCE_HEADER), value);
        }
    }
    view! {
        <!DOCTYPE html>
        <html lang="en">
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
        <Stylesheet id="leptos" href="/pkg/crealia.css" />
        <Link rel="icon" type_="image/svg+xml" href="/favicon.svg" />
        <Meta name="description" content="Crealia: the Instagram control room for creators." />
        <Title formatter=|page: String| if page.is_empty() { "Crealia".to_string() } else { format!("{page} · Crealia") } />
        <Router>
            <Layout>
                <Routes fallback=NotFound>
                    <Route path=path!("") view=LandingPage />
                    <Route path=path!("/auth/signin") view=SignInPage />
                    <Route path=path!("/auth/signup") view=SignUpPage />
                    // Protected pages render whole before answering, so a signed-out visitor
                    // gets a real redirect to sign-in.
                    <Route path=path!("/instagram-auth") view=InstagramAuthPage ssr=SsrMode::Async />
                    <Route path=path!("/instagram-dashboard") view=DashboardPage ssr=SsrMode::Async />
                    <Route path=path!("/instagram-calendar") view=CalendarPage ssr=SsrMode::Async />
                </Routes>
            </Layout>
        </Router>
    }
}

#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(App);
}
