//! One live connection per browser tab to the server's inbox event stream, held by the layout
//! while a creator is signed in: the navigation shows the unread count on every page, and the
//! dashboard's inbox reloads on each change.

use crealia_model::inbox::UnreadCounts;
use leptos::prelude::*;

/// Where the server sends an `inbox` event (the unread counts) whenever the creator's inbox
/// changes.
#[cfg(feature = "hydrate")]
const STREAM_URL: &str = "/api/instagram/inbox/stream";

/// What the stream has said, shared through context.
#[derive(Clone, Copy)]
pub struct InboxFeed {
    /// Bumped by every event (and by every (re)connection): whatever shows the inbox reloads.
    pub version: RwSignal<u32>,
    /// The stream is open.
    pub live: RwSignal<bool>,
    /// The latest counts (None until the first event).
    pub unread: RwSignal<Option<UnreadCounts>>,
}

impl InboxFeed {
    /// The layout's feed, or a silent one outside it.
    pub fn get() -> InboxFeed {
        use_context::<InboxFeed>().unwrap_or_else(InboxFeed::new)
    }

    fn new() -> InboxFeed {
        InboxFeed { version: RwSignal::new(0), live: RwSignal::new(false), unread: RwSignal::new(None) }
    }

    /// Something changed here (an action on this page): reload, as an event would.
    pub fn changed(&self) {
        self.version.update(|v| *v += 1);
    }
}

/// Provides the feed and keeps the stream open while `signed_in` says so (browser only).
pub fn provide_inbox_feed(signed_in: impl Fn() -> bool + Send + Sync + 'static) -> InboxFeed {
    let feed = InboxFeed::new();
    provide_context(feed);
    #[cfg(feature = "hydrate")]
    {
        let source: StoredValue<Option<web_sys::EventSource>, LocalStorage> = StoredValue::new_local(None);
        Effect::new(move |_| {
            let want = signed_in();
            let open = source.with_value(Option::is_some);
            if want && !open {
                source.set_value(connect(feed));
            } else if !want && open {
                source.update_value(|s| {
                    if let Some(s) = s.take() {
                        s.close();
                    }
                });
                feed.live.set(false);
                feed.unread.set(None);
            }
        });
        on_cleanup(move || {
            source.with_value(|s| {
                if let Some(s) = s {
                    s.close();
                }
            })
        });
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = signed_in;
    feed
}

#[cfg(feature = "hydrate")]
fn connect(feed: InboxFeed) -> Option<web_sys::EventSource> {
    use wasm_bindgen::closure::Closure;
    use wasm_bindgen::JsCast;

    let source = web_sys::EventSource::new(STREAM_URL).ok()?;
    let on_change = Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |e: web_sys::MessageEvent| {
        if let Some(counts) = e.data().as_string().and_then(|d| serde_json::from_str::<UnreadCounts>(&d).ok()) {
            feed.unread.set(Some(counts));
        }
        feed.changed();
    });
    let on_open = Closure::<dyn FnMut(web_sys::Event)>::new(move |_| feed.live.set(true));
    // The browser reconnects by itself; the page says so meanwhile.
    let on_error = Closure::<dyn FnMut(web_sys::Event)>::new(move |_| feed.live.set(false));
    let _ = source.add_event_listener_with_callback("inbox", on_change.as_ref().unchecked_ref());
    let _ = source.add_event_listener_with_callback("open", on_open.as_ref().unchecked_ref());
    let _ = source.add_event_listener_with_callback("error", on_error.as_ref().unchecked_ref());
    // They live as long as the stream, which is closed on sign-out or when the app goes away.
    on_change.forget();
    on_open.forget();
    on_error.forget();
    Some(source)
}
