//! One module per route, and the routes themselves.
//!
//! The dashboard, where a creator spends their day, is in the main WASM. Every other page
//! reaches the browser only where it is shown: the router takes it through a
//! [`LazyRoute`](leptos_router::LazyRoute), a split point of `cargo leptos build --split`, so
//! the dashboard does not carry the control room, the calendar, the settings or the sign-in
//! forms (issue 15, point 8). The server renders them all as before; in the browser, the
//! chunks a page needs are preloaded beside its HTML and awaited before it hydrates.
//!
//! The dashboard itself is not split: measured, it is most of the app, a chunk of its own
//! compressed worse and its dozens of shared chunks, loaded one after another, took its time
//! to interactive from 1.2 s to 2.2 s (BENCHMARKS.md).

pub mod analytics;
pub mod api_tokens;
pub mod bulk;
pub mod calendar;
pub mod control_room;
pub mod dashboard;
pub mod feed;
pub mod instagram_auth;
pub mod landing;
pub mod media_library;
pub mod not_found;
pub mod signin;

use leptos::prelude::*;
use leptos_router::{lazy_route, LazyRoute};

use analytics::AnalyticsPage;
use api_tokens::ApiTokensPage;
use bulk::BulkPage;
use calendar::CalendarPage;
use control_room::ControlRoomPage;
use feed::FeedPage;
use instagram_auth::InstagramAuthPage;
use landing::LandingPage;
use media_library::MediaLibraryPage;
use signin::{SignInPage, SignUpPage};

/// `Route => Page`: a route whose view is the page component, loaded on demand.
macro_rules! lazy_pages {
    ($($route:ident => $page:ident),* $(,)?) => {$(
        #[doc = concat!("The route of [`", stringify!($page), "`], loaded on demand.")]
        pub struct $route;

        #[lazy_route]
        impl LazyRoute for $route {
            fn data() -> Self {
                $route
            }

            fn view(_route: Self) -> AnyView {
                view! { <$page /> }.into_any()
            }
        }
    )*};
}

lazy_pages! {
    Landing => LandingPage,
    SignIn => SignInPage,
    SignUp => SignUpPage,
    Connect => InstagramAuthPage,
    Calendar => CalendarPage,
    Bulk => BulkPage,
    Feed => FeedPage,
    MediaLibrary => MediaLibraryPage,
    AnalyticsRoute => AnalyticsPage,
    ControlRoom => ControlRoomPage,
    ApiTokens => ApiTokensPage,
}
