//! `/instagram-feed?account=ID`: the account's grid as it will look, the posts to come in
//! place (three columns, cropped to 4:5 as Instagram shows them now), above what is published.
//! Dragging a post to come onto another swaps their times (so their places); each post also
//! has buttons to move it one place, for the keyboard.

use crealia_model::publishing::{PostItem, PostKind};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::api::publishing::{load_feed, swap_posts, FeedPlan};
use crate::components::auth::{load_failed, signed_in_or_redirect};
use crate::components::hydrated::hydrated;
use crate::components::title::PageTitle;
use crate::i18n::{td_string, use_i18n};
use crate::locale::{post_kind, post_when};

#[component]
pub fn FeedPage() -> impl IntoView {
    let i18n = use_i18n();
    if !signed_in_or_redirect("/instagram-feed") {
        return view! { <p class="muted">{td_string!(i18n.get_locale_untracked(), common.taking_you_to_sign_in)}</p> }.into_any();
    }
    let query = use_query_map();
    let account = move || query.read().get("account").and_then(|a| a.parse::<i64>().ok());
    let swap = Action::new(|(a, b): &(i64, i64)| swap_posts(*a, *b));
    let feed = crate::components::live::InboxFeed::get();
    let plan = Resource::new(move || (account(), swap.version().get(), feed.version.get()), |(account, ..)| load_feed(account));
    let refused = move || swap.value().get().and_then(Result::err).map(|e| e.localized(i18n.get_locale()));
    view! {
        <PageTitle text=|l| td_string!(l, feed.title).to_string() />
        <section class="card feed-preview">
            <h1>{td_string!(i18n.get_locale_untracked(), feed.title)}</h1>
            <p class="muted">{td_string!(i18n.get_locale_untracked(), feed.intro)}</p>
            {move || refused().map(|e| view! { <p class="error" role="alert">{e}</p> })}
            <Transition fallback=move || view! { <p class="muted">{td_string!(i18n.get_locale_untracked(), common.loading)}</p> }>
                {move || Suspend::new(async move {
                    match plan.await {
                        Ok(plan) => view! { <FeedGrid plan swap /> }.into_any(),
                        Err(e) => load_failed(e, "/instagram-feed"),
                    }
                })}
            </Transition>
        </section>
    }
    .into_any()
}

type Swap = Action<(i64, i64), Result<(), crate::error::AppError>>;

#[component]
fn FeedGrid(plan: FeedPlan, swap: Swap) -> impl IntoView {
    let i18n = use_i18n();
    let dragging = RwSignal::new(None::<i64>);
    let hydrated = hydrated();
    let ids: Vec<i64> = plan.scheduled.iter().map(|p| p.post.id).collect();
    let n = ids.len();
    view! {
        <p class="muted" translate="no">"@"{plan.username.clone()}</p>
        {(n == 0).then(|| view! { <p class="muted">{td_string!(i18n.get_locale_untracked(), feed.nothing_scheduled)}</p> })}
        <ol class="feed-grid" data-testid="feed-grid" data-hydrated=move || hydrated.get().to_string()>
            {plan.scheduled.into_iter().enumerate().map(|(i, item)| {
                let id = item.post.id;
                let (before, after) = (i.checked_sub(1).map(|j| ids[j]), ids.get(i + 1).copied());
                view! {
                    <li class="feed-tile feed-scheduled" data-testid="feed-tile" data-post=id draggable="true"
                        on:dragstart=move |_| dragging.set(Some(id))
                        on:dragend=move |_| dragging.set(None)
                        on:dragover=move |ev| if dragging.get_untracked().is_some_and(|d| d != id) { ev.prevent_default(); }
                        on:drop=move |ev| {
                            ev.prevent_default();
                            if let Some(from) = dragging.get_untracked().filter(|d| *d != id) {
                                dragging.set(None);
                                swap.dispatch((from, id));
                            }
                        }>
                        <Tile item=item.clone() />
                        <div class="feed-moves">
                            {before.map(|b| view! {
                                <button type="button" class="linklike" on:click=move |_| { swap.dispatch((id, b)); }
                                    aria-label=td_string!(i18n.get_locale_untracked(), feed.move_earlier_label)>{td_string!(i18n.get_locale_untracked(), feed.move_earlier)}</button>
                            })}
                            {after.map(|a| view! {
                                <button type="button" class="linklike" on:click=move |_| { swap.dispatch((id, a)); }
                                    aria-label=td_string!(i18n.get_locale_untracked(), feed.move_later_label)>{td_string!(i18n.get_locale_untracked(), feed.move_later)}</button>
                            })}
                        </div>
                    </li>
                }
            }).collect_view()}
            {plan.published.into_iter().map(|p| {
                let caption: String = p.caption.clone().unwrap_or_default().chars().take(80).collect();
                view! {
                    <li class="feed-tile feed-published">
                        <div class="feed-frame feed-placeholder">
                            <span translate="no">{caption}</span>
                        </div>
                        <span class="feed-when muted">{td_string!(i18n.get_locale_untracked(), feed.published)}</span>
                    </li>
                }
            }).collect_view()}
        </ol>
    }
}

/// A post to come as its tile: the first image (or a reel's cover) cropped to 4:5, its time.
#[component]
fn Tile(item: PostItem) -> impl IntoView {
    let i18n = use_i18n();
    let PostItem { post, date, time, .. } = item;
    let kind = post.kind;
    let first = post.media_urls.first().cloned().unwrap_or_default();
    let is_video = first.ends_with(".mp4") || first.ends_with(".mov");
    let cover = post.options.cover_url.clone();
    view! {
        <div class="feed-frame">
            {match (cover, is_video) {
                (Some(cover), _) => view! { <img src=cover alt="" draggable="false" /> }.into_any(),
                (None, true) => view! { <video src=first muted=true preload="metadata"></video> }.into_any(),
                (None, false) => view! { <img src=first alt="" draggable="false" /> }.into_any(),
            }}
            {(kind != PostKind::Image).then(|| view! { <span class="feed-kind">{post_kind(i18n.get_locale_untracked(), kind)}</span> })}
        </div>
        <span class="feed-when" data-testid="feed-when">{post_when(i18n.get_locale_untracked(), &date, &time)}</span>
    }
}
