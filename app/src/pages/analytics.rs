//! `/instagram-analytics?account=ID`: when to post (the weekday × hour map of the followers
//! online and the suggested times with their evidence), what works (formats and hashtags
//! against the account's median) and who the audience is. Every chart is a table a screen
//! reader reads as one; the colour only repeats the figure in the cell.

use crealia_model::analytics::{Analytics, Audience, BestTimes, Breakdown, NotEnough, Performance, SuggestedTime, WhatWorks, MIN_POSTS};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::api::analytics::load_analytics;
use crate::components::auth::{load_failed, signed_in_or_redirect};
use crate::components::title::PageTitle;
use crate::i18n::{td_string, use_i18n, Locale};
use crate::locale::{decimal, number, times, weekday};

const PATH: &str = "/instagram-analytics";

#[component]
pub fn AnalyticsPage() -> impl IntoView {
    let i18n = use_i18n();
    if !signed_in_or_redirect(PATH) {
        return view! { <p class="muted">{td_string!(i18n.get_locale_untracked(), common.taking_you_to_sign_in)}</p> }.into_any();
    }
    let query = use_query_map();
    let account = move || query.read().get("account").and_then(|a| a.parse::<i64>().ok());
    let data = Resource::new(account, load_analytics);
    view! {
        <PageTitle text=|l| td_string!(l, analytics.title).to_string() />
        <Suspense fallback=move || view! { <p class="muted">{td_string!(i18n.get_locale_untracked(), analytics.loading)}</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(a) => view! { <AnalyticsView a /> }.into_any(),
                    Err(e) => load_failed(e, PATH),
                }
            })}
        </Suspense>
    }
    .into_any()
}

#[component]
fn AnalyticsView(a: Analytics) -> impl IntoView {
    let i18n = use_i18n();
    let username = a.username.clone();
    let zone = a.time_zone.clone();
    view! {
        <section class="dash-head">
            <div>
                <h1>{move || td_string!(i18n.get_locale_untracked(), analytics.heading, username = username.clone()).to_string()}</h1>
                <p class="muted">{move || td_string!(i18n.get_locale_untracked(), analytics.intro, zone = zone.clone()).to_string()}</p>
            </div>
            <div class="dash-controls">
                <a href="/instagram-dashboard" class="button">{td_string!(i18n.get_locale_untracked(), analytics.compose)}</a>
            </div>
        </section>
        <BestTimesCard b=a.best_times zone=a.time_zone.clone() />
        <WhatWorksCard w=a.what_works />
        <AudienceCard audience=a.audience />
    }
}

/// Why a part of the page is not shown yet, with the figures behind it.
fn not_enough(locale: Locale, why: &NotEnough) -> String {
    match *why {
        NotEnough::OnlineDays { have, need } => {
            td_string!(locale, analytics.not_enough_days, have = number(locale, have.into()), need = number(locale, need.into())).to_string()
        }
        NotEnough::Posts { have, need } => {
            td_string!(locale, analytics.not_enough_posts, have = number(locale, have.into()), need = number(locale, need.into())).to_string()
        }
        NotEnough::Followers { have, need } => td_string!(
            locale,
            analytics.not_enough_followers,
            have = number(locale, i64::try_from(have).unwrap_or(i64::MAX)),
            need = number(locale, i64::try_from(need).unwrap_or(i64::MAX))
        )
        .to_string(),
    }
}

/// "Tuesday 19:00", "mardi 19:00".
fn suggestion_label(locale: Locale, s: &SuggestedTime) -> String {
    format!("{} {:02}:00", weekday(locale, s.weekday as usize), s.hour)
}

/// "38 % of your followers online, your posts at that hour reached 1.6× your median, from 12 posts".
fn evidence(locale: Locale, s: &SuggestedTime) -> String {
    let online = td_string!(locale, analytics.online_share, percent = share_text(locale, f64::from(s.online_percent))).to_string();
    let posts = number(locale, s.posts.into());
    match s.lift {
        Some(lift) => td_string!(locale, analytics.evidence_lift, online, lift = times(locale, f64::from(lift)), posts).to_string(),
        None if s.posts == 0 => td_string!(locale, analytics.evidence_none, online).to_string(),
        None => td_string!(locale, analytics.evidence_too_few, online, posts).to_string(),
    }
}

/// "38 %": a share in per cent, without decimals.
fn share_text(locale: Locale, x: f64) -> String {
    crate::locale::per_cent(locale, decimal(locale, x, 0))
}

#[component]
fn BestTimesCard(b: BestTimes, zone: String) -> impl IntoView {
    let i18n = use_i18n();
    let max = b.online_percent.iter().flatten().flatten().copied().fold(0f32, f32::max);
    move || {
        let locale = i18n.get_locale();
        let zone = zone.clone();
        view! {
            <section class="card" aria-labelledby="best-times-title">
                <h2 id="best-times-title">{td_string!(locale, analytics.best_time)}</h2>
                {match &b.not_enough {
                    Some(why) => view! { <p class="muted" data-testid="no-suggested-time">{not_enough(locale, why)}</p> }.into_any(),
                    None => view! {
                        <ol class="suggestion-list" data-testid="best-times">
                            {b.suggestions.iter().map(|s| view! {
                                <li><strong>{suggestion_label(locale, s)}</strong>" — "<span>{evidence(locale, s)}</span></li>
                            }).collect_view()}
                        </ol>
                    }.into_any(),
                }}
                {heat_map(
                    locale,
                    "heat-map",
                    td_string!(
                        locale,
                        analytics.online_caption,
                        zone = zone.clone(),
                        days = number(locale, b.days_reported.into()),
                        posts = number(locale, b.posts_compared.into())
                    )
                    .to_string(),
                    b.online_percent
                        .iter()
                        .map(|row| {
                            row.iter()
                                .map(|cell| match cell {
                                    Some(p) => HeatCell {
                                        level: Some(if max > 0.0 { (p / max * 4.0).round() as u8 } else { 0 }),
                                        text: decimal(locale, f64::from(*p), 0),
                                        title: None,
                                    },
                                    None => HeatCell { level: None, text: "–".into(), title: None },
                                })
                                .collect()
                        })
                        .collect(),
                )}
                {heat_map(
                    locale,
                    "posts-by-hour",
                    td_string!(locale, analytics.posts_caption, zone, min = MIN_POSTS).to_string(),
                    b.posts_by_hour
                        .iter()
                        .zip(&b.lift_by_hour)
                        .map(|(counts, lifts)| {
                            counts
                                .iter()
                                .zip(lifts)
                                .map(|(n, lift)| match lift {
                                    Some(l) => HeatCell {
                                        level: Some(if *l >= 1.5 { 4 } else if *l >= 1.2 { 3 } else if *l >= 1.0 { 2 } else { 1 }),
                                        text: times(locale, f64::from(*l)),
                                        title: Some(td_string!(locale, analytics.cell_posts, posts = number(locale, (*n).into())).to_string()),
                                    },
                                    None if *n == 0 => HeatCell { level: None, text: String::new(), title: None },
                                    None => HeatCell { level: None, text: number(locale, (*n).into()), title: None },
                                })
                                .collect()
                        })
                        .collect(),
                )}
            </section>
        }
    }
}

/// One cell of a weekday × hour map: its colour level (None: not coloured), its text and its
/// tooltip.
struct HeatCell {
    level: Option<u8>,
    text: String,
    title: Option<String>,
}

/// A weekday × hour map as a table: a row per weekday (Monday first), a column per hour.
fn heat_map(locale: Locale, testid: &'static str, caption: String, rows: Vec<Vec<HeatCell>>) -> impl IntoView {
    view! {
        <div class="table-scroll">
            <table class="heat-map" data-testid=testid>
                <caption>{caption}</caption>
                <thead>
                    <tr>
                        <th scope="col">{td_string!(locale, analytics.day)}</th>
                        {(0..24).map(|h| view! { <th scope="col">{format!("{h:02}")}</th> }).collect_view()}
                    </tr>
                </thead>
                <tbody>
                    {rows.into_iter().enumerate().map(|(d, row)| view! {
                        <tr>
                            <th scope="row">{weekday(locale, d)}</th>
                            {row.into_iter().map(|c| {
                                let class = c.level.map_or_else(|| "heat".to_string(), |level| format!("heat heat-{level}"));
                                view! { <td class=class title=c.title>{c.text}</td> }
                            }).collect_view()}
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

fn figure(locale: Locale, v: Option<i64>) -> String {
    v.map(|v| number(locale, v)).unwrap_or_else(|| "–".into())
}

fn performance_table(locale: Locale, caption: String, first: String, rows: Vec<Performance>, testid: &'static str) -> impl IntoView {
    view! {
        <div class="table-scroll">
            <table class="data-table" data-testid=testid>
                <caption>{caption}</caption>
                <thead>
                    <tr>
                        <th scope="col">{first}</th>
                        <th scope="col">{td_string!(locale, analytics.posts)}</th>
                        <th scope="col">{td_string!(locale, analytics.against_median)}</th>
                        <th scope="col">{td_string!(locale, analytics.median_reach)}</th>
                        <th scope="col">{td_string!(locale, analytics.median_interactions)}</th>
                        <th scope="col">{td_string!(locale, analytics.median_saves)}</th>
                        <th scope="col">{td_string!(locale, analytics.median_shares)}</th>
                    </tr>
                </thead>
                <tbody>
                    {rows.into_iter().map(|p| {
                        // A hashtag is the creator's own word; a format's name is ours.
                        let format = crate::locale::media_format(locale, &p.label);
                        let own_word = format.is_none();
                        view! {
                            <tr>
                                <th scope="row" translate=own_word.then_some("no")>{format.unwrap_or_else(|| p.label.clone())}</th>
                                <td>{number(locale, p.posts.into())}</td>
                                <td class:above={p.lift >= 1.0}>{times(locale, f64::from(p.lift))}</td>
                                <td>{figure(locale, p.median_reach)}</td>
                                <td>{figure(locale, p.median_interactions)}</td>
                                <td>{figure(locale, p.median_saves)}</td>
                                <td>{figure(locale, p.median_shares)}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

#[component]
fn WhatWorksCard(w: WhatWorks) -> impl IntoView {
    let i18n = use_i18n();
    move || {
        let locale = i18n.get_locale();
        view! {
            <section class="card" aria-labelledby="what-works-title">
                <h2 id="what-works-title">{td_string!(locale, analytics.what_works)}</h2>
                {match w.not_enough.clone() {
                    Some(why) => view! { <p class="muted">{not_enough(locale, &why)}</p> }.into_any(),
                    None => view! {
                        <p class="muted">{td_string!(
                            locale,
                            analytics.what_works_summary,
                            posts = number(locale, w.posts.into()),
                            reach = figure(locale, w.median_reach),
                            interactions = figure(locale, w.median_interactions)
                        ).to_string()}</p>
                        {performance_table(
                            locale,
                            td_string!(locale, analytics.by_format).to_string(),
                            td_string!(locale, analytics.format).to_string(),
                            w.formats.clone(),
                            "formats",
                        )}
                        {performance_table(
                            locale,
                            td_string!(locale, analytics.by_hashtag).to_string(),
                            td_string!(locale, analytics.hashtag).to_string(),
                            w.hashtags.clone(),
                            "hashtags",
                        )}
                        <p data-testid="hashtag-advice">
                            {if w.suggested_hashtags.is_empty() {
                                td_string!(locale, analytics.no_standout).to_string()
                            } else {
                                let list = w.suggested_hashtags
                                    .iter()
                                    .map(|h| td_string!(
                                        locale,
                                        analytics.above_item,
                                        tag = h.label.clone(),
                                        posts = number(locale, h.posts.into()),
                                        lift = times(locale, f64::from(h.lift))
                                    ).to_string())
                                    .collect::<Vec<_>>()
                                    .join(", ");
                                td_string!(locale, analytics.above, list).to_string()
                            }}
                            {(!w.weak_hashtags.is_empty()).then(|| {
                                let list = w.weak_hashtags
                                    .iter()
                                    .map(|h| td_string!(locale, analytics.never_item, tag = h.label.clone(), posts = number(locale, h.posts.into())).to_string())
                                    .collect::<Vec<_>>()
                                    .join(", ");
                                format!(" {}", td_string!(locale, analytics.never, list))
                            })}
                        </p>
                    }.into_any(),
                }}
            </section>
        }
    }
}

fn dimension_label(locale: Locale, d: &str) -> String {
    match d {
        "age" => td_string!(locale, analytics.dimension_age),
        "gender" => td_string!(locale, analytics.dimension_gender),
        "country" => td_string!(locale, analytics.dimension_country),
        _ => td_string!(locale, analytics.dimension_city),
    }
    .to_string()
}

fn gender_label(locale: Locale, v: &str) -> String {
    match v {
        "F" => td_string!(locale, analytics.gender_women).to_string(),
        "M" => td_string!(locale, analytics.gender_men).to_string(),
        "U" => td_string!(locale, analytics.gender_not_said).to_string(),
        other => other.into(),
    }
}

fn breakdown_table(locale: Locale, who: String, b: Breakdown) -> impl IntoView {
    let total = b.total().max(1) as f64;
    let gender = b.dimension == "gender";
    let dimension = dimension_label(locale, &b.dimension);
    view! {
        <table class="data-table bars">
            <caption>{td_string!(locale, analytics.by_dimension, who, dimension = dimension.to_lowercase()).to_string()}</caption>
            <thead>
                <tr>
                    <th scope="col">{dimension}</th>
                    <th scope="col">{td_string!(locale, analytics.accounts)}</th>
                    <th scope="col">{td_string!(locale, analytics.share)}</th>
                </tr>
            </thead>
            <tbody>
                {b.entries.into_iter().take(10).map(|e| {
                    let share = e.value as f64 / total * 100.0;
                    // Ages, countries and cities are Instagram's data; only the genders are words.
                    view! {
                        <tr>
                            <th scope="row" translate=(!gender).then_some("no")>{if gender { gender_label(locale, &e.label) } else { e.label.clone() }}</th>
                            <td>{number(locale, e.value)}</td>
                            <td><span class="bar" style=format!("width: {share:.1}%") aria-hidden="true"></span>{share_text(locale, share)}</td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
}

#[component]
fn AudienceCard(audience: Audience) -> impl IntoView {
    let i18n = use_i18n();
    move || {
        let locale = i18n.get_locale();
        view! {
            <section class="card" aria-labelledby="audience-title" data-testid="audience">
                <h2 id="audience-title">{td_string!(locale, analytics.audience)}</h2>
                {match &audience.not_enough {
                    Some(why) => view! { <p class="muted">{not_enough(locale, why)}</p> }.into_any(),
                    None => view! {
                        <p class="muted">{td_string!(locale, analytics.audience_note)}</p>
                        <div class="audience-grid">
                            {audience.followers.iter().cloned().map(|b| breakdown_table(locale, td_string!(locale, analytics.followers).to_string(), b)).collect_view()}
                            {audience.engaged.iter().cloned().map(|b| breakdown_table(locale, td_string!(locale, analytics.engaged).to_string(), b)).collect_view()}
                        </div>
                    }.into_any(),
                }}
            </section>
        }
    }
}
