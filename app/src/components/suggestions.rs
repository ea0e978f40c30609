//! The composer's suggestions from the account's own results: three times to post, each with
//! its evidence (choosing one fills the scheduler), and the hashtags that went with
//! above-median posts, with their counts (choosing one adds it to the caption). Loaded only
//! when the creator asks for them (the analytics read up to 100 posts on a cold cache), and
//! their code with them: each is a `#[lazy]` split point of `cargo leptos build --split`, so the
//! dashboard's WASM does not carry them until then.

use crealia_model::analytics::Analytics;
use leptos::lazy;
use leptos::prelude::*;

use crate::api::analytics::load_analytics;

/// The best times for `account`; `pick` receives (date, time, time zone).
#[component]
pub fn SuggestedTimes(account: Signal<Option<i64>>, pick: Callback<(String, String, String)>) -> impl IntoView {
    let analytics = Resource::new(move || account.get(), load_analytics);
    view! {
        <div class="suggestions" data-testid="suggested-times">
            <Suspense fallback=|| view! { <p class="muted">"Looking for your best times…"</p> }>
                {move || Suspend::new(async move {
                    match analytics.await {
                        Ok(a) => times(a, pick).into_any(),
                        Err(e) => view! { <p class="muted">{format!("No suggested times: {e}")}</p> }.into_any(),
                    }
                })}
            </Suspense>
        </div>
    }
}

fn times(a: Analytics, pick: Callback<(String, String, String)>) -> impl IntoView {
    let b = a.best_times;
    if b.suggestions.is_empty() {
        let why = b.not_enough.map(|n| n.message()).unwrap_or_else(|| "Not enough data yet to suggest a time.".into());
        return view! { <p class="muted" data-testid="no-suggested-time">{why}</p> }.into_any();
    }
    let zone = a.time_zone;
    view! {
        <p class="muted">{format!("Best times for @{}, in {zone}:", a.username)}</p>
        <ul class="suggestion-list">
            {b.suggestions.into_iter().map(|s| {
                let (date, time, tz) = (s.next_date.clone(), s.next_time.clone(), zone.clone());
                let label = format!("{} ({} {})", s.label(), s.next_date, s.next_time);
                view! {
                    <li>
                        <button type="button" class="button" data-testid="suggested-time"
                            on:click=move |_| pick.run((date.clone(), time.clone(), tz.clone()))>{label}</button>
                        <span class="muted evidence">{s.evidence()}</span>
                    </li>
                }
            }).collect_view()}
        </ul>
    }
    .into_any()
}

/// The hashtags that went with above-median posts of `account`; `pick` receives one.
#[component]
pub fn SuggestedHashtags(account: Signal<Option<i64>>, pick: Callback<String>) -> impl IntoView {
    let analytics = Resource::new(move || account.get(), load_analytics);
    view! {
        <div class="suggestions" data-testid="suggested-hashtags">
            <Suspense fallback=|| view! { <p class="muted">"Looking at your hashtags…"</p> }>
                {move || Suspend::new(async move {
                    match analytics.await {
                        Ok(a) => {
                            let w = a.what_works;
                            if w.suggested_hashtags.is_empty() {
                                let why = w.not_enough.map(|n| n.message()).unwrap_or_else(|| "None of your hashtags stands out yet.".into());
                                return view! { <p class="muted">{why}</p> }.into_any();
                            }
                            view! {
                                <ul class="chip-list" aria-label="Hashtags that worked">
                                    {w.suggested_hashtags.into_iter().map(|h| {
                                        let tag = h.label.clone();
                                        let title = format!("{} posts, {} your median", h.posts, h.lift_label());
                                        view! {
                                            <li><button type="button" class="chip" title=title.clone() aria-label=format!("{tag}: {title}")
                                                on:click={let tag = tag.clone(); move |_| pick.run(tag.clone())}>
                                                {format!("{tag} · {} · {}", h.lift_label(), h.posts)}
                                            </button></li>
                                        }
                                    }).collect_view()}
                                </ul>
                                {(!w.weak_hashtags.is_empty()).then(|| view! {
                                    <p class="muted" data-testid="weak-hashtags">
                                        {format!("Never above your median: {}", w.weak_hashtags.iter().map(|h| format!("{} ({} posts)", h.label, h.posts)).collect::<Vec<_>>().join(", "))}
                                    </p>
                                })}
                            }
                            .into_any()
                        }
                        Err(e) => view! { <p class="muted">{format!("No suggested hashtags: {e}")}</p> }.into_any(),
                    }
                })}
            </Suspense>
        </div>
    }
}

#[lazy]
fn suggested_times_view(account: Signal<Option<i64>>, pick: Callback<(String, String, String)>) -> AnyView {
    view! { <SuggestedTimes account pick /> }.into_any()
}

#[lazy]
fn suggested_hashtags_view(account: Signal<Option<i64>>, pick: Callback<String>) -> AnyView {
    view! { <SuggestedHashtags account pick /> }.into_any()
}

/// [`SuggestedTimes`], its code fetched when it is first shown.
#[component]
pub fn LazySuggestedTimes(account: Signal<Option<i64>>, pick: Callback<(String, String, String)>) -> impl IntoView {
    view! {
        <Suspense fallback=|| view! { <p class="muted">"Looking for your best times…"</p> }>
            {move || Suspend::new(async move { suggested_times_view(account, pick).await })}
        </Suspense>
    }
}

/// [`SuggestedHashtags`], its code fetched when it is first shown.
#[component]
pub fn LazySuggestedHashtags(account: Signal<Option<i64>>, pick: Callback<String>) -> impl IntoView {
    view! {
        <Suspense fallback=|| view! { <p class="muted">"Looking at your hashtags…"</p> }>
            {move || Suspend::new(async move { suggested_hashtags_view(account, pick).await })}
        </Suspense>
    }
}
