//! The composer's suggestions from the account's own results: three times to post, each with
//! its evidence (choosing one fills the scheduler), and the hashtags that went with
//! above-median posts, with their counts (choosing one adds it to the caption). Loaded only
//! when the creator asks for them (the analytics read up to 100 posts on a cold cache), and
//! their code with them: each is a `#[lazy]` split point of `cargo leptos build --split`, so the
//! dashboard's WASM does not carry them until then.

use crealia_model::analytics::{Analytics, NotEnough, Performance, SuggestedTime};
use leptos::lazy;
use leptos::prelude::*;
use leptos_i18n::I18nContext;

use crate::api::analytics::load_analytics;
use crate::i18n::{t, td_string, use_i18n, Locale};
use crate::locale::{decimal, number, times as ratio, weekday};

/// "Tuesday 19:00", "mardi 19:00".
fn time_label(locale: Locale, s: &SuggestedTime) -> String {
    format!("{} {:02}:00", weekday(locale, usize::from(s.weekday)), s.hour)
}

/// The evidence in a sentence: "38 % of your followers online, your posts at that hour reached
/// 1.6× your median, from 12 posts".
fn evidence(locale: Locale, s: &SuggestedTime) -> String {
    let online = decimal(locale, f64::from(s.online_percent), 0);
    let posts = s.posts;
    match s.lift {
        Some(lift) => td_string!(locale, composer.evidence_lift, online, lift = ratio(locale, f64::from(lift)), posts).to_string(),
        None if posts == 0 => td_string!(locale, composer.evidence_none, online).to_string(),
        None => td_string!(locale, composer.evidence_few, online, posts).to_string(),
    }
}

/// Why there is nothing to suggest yet.
pub fn not_enough_message(locale: Locale, n: &NotEnough) -> String {
    match *n {
        NotEnough::OnlineDays { have, need } => td_string!(locale, composer.not_enough_online_days, have, need).to_string(),
        NotEnough::Posts { have, need } => td_string!(locale, composer.not_enough_posts, have, need).to_string(),
        NotEnough::Followers { have, need } => {
            let (have, need) = (number(locale, i64::try_from(have).unwrap_or(i64::MAX)), number(locale, i64::try_from(need).unwrap_or(i64::MAX)));
            td_string!(locale, composer.not_enough_followers, have, need).to_string()
        }
    }
}

/// "3 posts, 1.6× your median".
fn hashtag_title(locale: Locale, h: &Performance) -> String {
    td_string!(locale, composer.hashtag_title, posts = h.posts, lift = ratio(locale, f64::from(h.lift))).to_string()
}

/// The best times for `account`; `pick` receives (date, time, time zone).
#[component]
pub fn SuggestedTimes(account: Signal<Option<i64>>, pick: Callback<(String, String, String)>) -> impl IntoView {
    let i18n = use_i18n();
    let analytics = Resource::new(move || account.get(), load_analytics);
    view! {
        <div class="suggestions" data-testid="suggested-times">
            <Suspense fallback=move || view! { <p class="muted">{td_string!(i18n.get_locale_untracked(), composer.looking_for_best_times)}</p> }>
                {move || Suspend::new(async move {
                    match analytics.await {
                        Ok(a) => times(i18n, a, pick).into_any(),
                        Err(e) => view! { <p class="muted">{td_string!(i18n.get_locale_untracked(), composer.no_suggested_times, error = e.localized(i18n.get_locale_untracked())).to_string()}</p> }.into_any(),
                    }
                })}
            </Suspense>
        </div>
    }
}

fn times(i18n: I18nContext<Locale>, a: Analytics, pick: Callback<(String, String, String)>) -> impl IntoView {
    let b = a.best_times;
    if b.suggestions.is_empty() {
        let not_enough = b.not_enough;
        let why = move || match &not_enough {
            Some(n) => not_enough_message(i18n.get_locale(), n),
            None => td_string!(i18n.get_locale_untracked(), composer.not_enough_to_suggest_time).to_string(),
        };
        return view! { <p class="muted" data-testid="no-suggested-time">{why}</p> }.into_any();
    }
    let zone = a.time_zone;
    let username = a.username;
    view! {
        <p class="muted">
            {t!(i18n, composer.best_times_for, <handle> = <span translate="no" />, username = move || username.clone(), <tz> = <span translate="no" />, zone = { let zone = zone.clone(); move || zone.clone() })}
        </p>
        <ul class="suggestion-list">
            {b.suggestions.into_iter().map(|s| {
                let (date, time, tz) = (s.next_date.clone(), s.next_time.clone(), zone.clone());
                let s2 = s.clone();
                let label = move || format!("{} ({} {})", time_label(i18n.get_locale(), &s), s.next_date, s.next_time);
                view! {
                    <li>
                        <button type="button" class="button" data-testid="suggested-time"
                            on:click=move |_| pick.run((date.clone(), time.clone(), tz.clone()))>{label}</button>
                        <span class="muted evidence">{evidence(i18n.get_locale_untracked(), &s2)}</span>
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
    let i18n = use_i18n();
    let analytics = Resource::new(move || account.get(), load_analytics);
    view! {
        <div class="suggestions" data-testid="suggested-hashtags">
            <Suspense fallback=move || view! { <p class="muted">{td_string!(i18n.get_locale_untracked(), composer.looking_at_hashtags)}</p> }>
                {move || Suspend::new(async move {
                    match analytics.await {
                        Ok(a) => {
                            let w = a.what_works;
                            if w.suggested_hashtags.is_empty() {
                                let not_enough = w.not_enough;
                                let why = move || match &not_enough {
                                    Some(n) => not_enough_message(i18n.get_locale(), n),
                                    None => td_string!(i18n.get_locale_untracked(), composer.no_hashtag_stands_out).to_string(),
                                };
                                return view! { <p class="muted">{why}</p> }.into_any();
                            }
                            let weak = w.weak_hashtags;
                            view! {
                                <ul class="chip-list" aria-label=td_string!(i18n.get_locale_untracked(), composer.hashtags_that_worked)>
                                    {w.suggested_hashtags.into_iter().map(|h| {
                                        let tag = h.label.clone();
                                        let (h_title, h_aria, h_text) = (h.clone(), h.clone(), h.clone());
                                        let title = move || hashtag_title(i18n.get_locale(), &h_title);
                                        let aria = {
                                            let tag = tag.clone();
                                            move || td_string!(i18n.get_locale_untracked(), composer.hashtag_aria, tag = tag.clone(), title = hashtag_title(i18n.get_locale(), &h_aria)).to_string()
                                        };
                                        let figures = move || format!(" · {} · {}", ratio(i18n.get_locale(), f64::from(h_text.lift)), h_text.posts);
                                        view! {
                                            <li><button type="button" class="chip" title=title aria-label=aria
                                                on:click={let tag = tag.clone(); move |_| pick.run(tag.clone())}>
                                                <span translate="no">{tag.clone()}</span>{figures}
                                            </button></li>
                                        }
                                    }).collect_view()}
                                </ul>
                                {(!weak.is_empty()).then(|| view! {
                                    <p class="muted" data-testid="weak-hashtags">
                                        {move || {
                                            let locale = i18n.get_locale();
                                            let list = weak.iter().map(|h| td_string!(locale, composer.weak_hashtag, tag = h.label.clone(), posts = h.posts).to_string()).collect::<Vec<_>>().join(", ");
                                            td_string!(locale, composer.never_above_median, list).to_string()
                                        }}
                                    </p>
                                })}
                            }
                            .into_any()
                        }
                        Err(e) => view! { <p class="muted">{td_string!(i18n.get_locale_untracked(), composer.no_suggested_hashtags, error = e.localized(i18n.get_locale_untracked())).to_string()}</p> }.into_any(),
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
    let i18n = use_i18n();
    view! {
        <Suspense fallback=move || view! { <p class="muted">{td_string!(i18n.get_locale_untracked(), composer.looking_for_best_times)}</p> }>
            {move || Suspend::new(async move { suggested_times_view(account, pick).await })}
        </Suspense>
    }
}

/// [`SuggestedHashtags`], its code fetched when it is first shown.
#[component]
pub fn LazySuggestedHashtags(account: Signal<Option<i64>>, pick: Callback<String>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <Suspense fallback=move || view! { <p class="muted">{td_string!(i18n.get_locale_untracked(), composer.looking_at_hashtags)}</p> }>
            {move || Suspend::new(async move { suggested_hashtags_view(account, pick).await })}
        </Suspense>
    }
}
