//! `/instagram-analytics?account=ID`: when to post (the weekday × hour map of the followers
//! online and the suggested times with their evidence), what works (formats and hashtags
//! against the account's median) and who the audience is. Every chart is a table a screen
//! reader reads as one; the colour only repeats the figure in the cell.

use crealia_model::analytics::{Analytics, Audience, BestTimes, Breakdown, Performance, WhatWorks, MIN_POSTS, WEEKDAYS};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::api::analytics::load_analytics;
use crate::components::auth::{load_failed, signed_in_or_redirect};

const PATH: &str = "/instagram-analytics";

#[component]
pub fn AnalyticsPage() -> impl IntoView {
    if !signed_in_or_redirect(PATH) {
        return view! { <p class="muted">"Taking you to sign in…"</p> }.into_any();
    }
    let query = use_query_map();
    let account = move || query.read().get("account").and_then(|a| a.parse::<i64>().ok());
    let data = Resource::new(account, load_analytics);
    view! {
        <Title text="Analytics" />
        <Suspense fallback=|| view! { <p class="muted">"Reading your posts and your audience…"</p> }>
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
    view! {
        <section class="dash-head">
            <div>
                <h1>{format!("Analytics of @{}", a.username)}</h1>
                <p class="muted">{format!("From the account's own posts and Instagram's figures; times in {}.", a.time_zone)}</p>
            </div>
            <div class="dash-controls">
                <a href="/instagram-dashboard" class="button">"Compose"</a>
            </div>
        </section>
        <BestTimesCard b=a.best_times zone=a.time_zone.clone() />
        <WhatWorksCard w=a.what_works />
        <AudienceCard audience=a.audience />
    }
}

#[component]
fn BestTimesCard(b: BestTimes, zone: String) -> impl IntoView {
    let max = b.online_percent.iter().flatten().flatten().copied().fold(0f32, f32::max);
    view! {
        <section class="card" aria-labelledby="best-times-title">
            <h2 id="best-times-title">"Best time to post"</h2>
            {match &b.not_enough {
                Some(why) => view! { <p class="muted" data-testid="no-suggested-time">{why.message()}</p> }.into_any(),
                None => view! {
                    <ol class="suggestion-list" data-testid="best-times">
                        {b.suggestions.iter().map(|s| view! {
                            <li><strong>{s.label()}</strong>" — "<span>{s.evidence()}</span></li>
                        }).collect_view()}
                    </ol>
                }.into_any(),
            }}
            {heat_map(
                "heat-map",
                format!(
                    "Followers online, in per cent of all followers, by weekday and hour ({zone}); average of the {} days Instagram reported; {} posts compared by the hour they went out.",
                    b.days_reported, b.posts_compared
                ),
                b.online_percent
                    .iter()
                    .map(|row| {
                        row.iter()
                            .map(|cell| match cell {
                                Some(p) => HeatCell { level: Some(if max > 0.0 { (p / max * 4.0).round() as u8 } else { 0 }), text: format!("{p:.0}"), title: None },
                                None => HeatCell { level: None, text: "–".into(), title: None },
                            })
                            .collect()
                    })
                    .collect(),
            )}
            {heat_map(
                "posts-by-hour",
                format!(
                    "Your posts by the hour they went out ({zone}): how they did against your median (reach and interactions) where {MIN_POSTS} or more went out, else how many went out."
                ),
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
                                    text: format!("{l:.1}×"),
                                    title: Some(format!("{n} posts")),
                                },
                                None if *n == 0 => HeatCell { level: None, text: String::new(), title: None },
                                None => HeatCell { level: None, text: n.to_string(), title: None },
                            })
                            .collect()
                    })
                    .collect(),
            )}
        </section>
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
fn heat_map(testid: &'static str, caption: String, rows: Vec<Vec<HeatCell>>) -> impl IntoView {
    view! {
        <div class="table-scroll">
            <table class="heat-map" data-testid=testid>
                <caption>{caption}</caption>
                <thead>
                    <tr>
                        <th scope="col">"Day"</th>
                        {(0..24).map(|h| view! { <th scope="col">{format!("{h:02}")}</th> }).collect_view()}
                    </tr>
                </thead>
                <tbody>
                    {rows.into_iter().enumerate().map(|(d, row)| view! {
                        <tr>
                            <th scope="row">{WEEKDAYS.get(d).copied().unwrap_or_default()}</th>
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

fn figure(v: Option<i64>) -> String {
    v.map(|v| v.to_string()).unwrap_or_else(|| "–".into())
}

fn performance_table(caption: String, first: &'static str, rows: Vec<Performance>, testid: &'static str) -> impl IntoView {
    view! {
        <div class="table-scroll">
            <table class="data-table" data-testid=testid>
                <caption>{caption}</caption>
                <thead>
                    <tr>
                        <th scope="col">{first}</th>
                        <th scope="col">"Posts"</th>
                        <th scope="col">"Against your median"</th>
                        <th scope="col">"Median reach"</th>
                        <th scope="col">"Median interactions"</th>
                        <th scope="col">"Median saves"</th>
                        <th scope="col">"Median shares"</th>
                    </tr>
                </thead>
                <tbody>
                    {rows.into_iter().map(|p| view! {
                        <tr>
                            <th scope="row">{format_label(&p.label)}</th>
                            <td>{p.posts}</td>
                            <td class:above={p.lift >= 1.0}>{p.lift_label()}</td>
                            <td>{figure(p.median_reach)}</td>
                            <td>{figure(p.median_interactions)}</td>
                            <td>{figure(p.median_saves)}</td>
                            <td>{figure(p.median_shares)}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

/// Instagram's format names as a creator says them (hashtags as they are).
fn format_label(label: &str) -> String {
    match label {
        "IMAGE" => "Image".into(),
        "CAROUSEL_ALBUM" => "Carousel".into(),
        "REELS" => "Reel".into(),
        "VIDEO" => "Video".into(),
        other => other.into(),
    }
}

#[component]
fn WhatWorksCard(w: WhatWorks) -> impl IntoView {
    view! {
        <section class="card" aria-labelledby="what-works-title">
            <h2 id="what-works-title">"What works"</h2>
            {match w.not_enough.clone() {
                Some(why) => view! { <p class="muted">{why.message()}</p> }.into_any(),
                None => view! {
                    <p class="muted">{format!(
                        "{} posts of the last 90 days; a median post reached {} and had {} interactions.",
                        w.posts, figure(w.median_reach), figure(w.median_interactions)
                    )}</p>
                    {performance_table("By format".into(), "Format", w.formats.clone(), "formats")}
                    {performance_table("By hashtag (used on at least 3 posts)".into(), "Hashtag", w.hashtags.clone(), "hashtags")}
                    <p data-testid="hashtag-advice">
                        {if w.suggested_hashtags.is_empty() {
                            "No hashtag of yours stands out above your median yet.".to_string()
                        } else {
                            format!("Above your median: {}.", w.suggested_hashtags.iter().map(|h| format!("{} ({} posts, {})", h.label, h.posts, h.lift_label())).collect::<Vec<_>>().join(", "))
                        }}
                        {(!w.weak_hashtags.is_empty()).then(|| format!(
                            " Never reached your median: {}.",
                            w.weak_hashtags.iter().map(|h| format!("{} ({} posts)", h.label, h.posts)).collect::<Vec<_>>().join(", ")
                        ))}
                    </p>
                }.into_any(),
            }}
        </section>
    }
}

fn dimension_label(d: &str) -> &'static str {
    match d {
        "age" => "Age",
        "gender" => "Gender",
        "country" => "Country",
        _ => "City",
    }
}

fn gender_label(v: &str) -> String {
    match v {
        "F" => "Women".into(),
        "M" => "Men".into(),
        "U" => "Not said".into(),
        other => other.into(),
    }
}

fn breakdown_table(who: &'static str, b: Breakdown) -> impl IntoView {
    let total = b.total().max(1) as f64;
    let gender = b.dimension == "gender";
    view! {
        <table class="data-table bars">
            <caption>{format!("{who} by {}", dimension_label(&b.dimension).to_lowercase())}</caption>
            <thead><tr><th scope="col">{dimension_label(&b.dimension)}</th><th scope="col">"Accounts"</th><th scope="col">"Share"</th></tr></thead>
            <tbody>
                {b.entries.into_iter().take(10).map(|e| {
                    let share = e.value as f64 / total * 100.0;
                    view! {
                        <tr>
                            <th scope="row">{if gender { gender_label(&e.label) } else { e.label.clone() }}</th>
                            <td>{e.value}</td>
                            <td><span class="bar" style=format!("width: {share:.1}%") aria-hidden="true"></span>{format!("{share:.0} %")}</td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
}

#[component]
fn AudienceCard(audience: Audience) -> impl IntoView {
    view! {
        <section class="card" aria-labelledby="audience-title" data-testid="audience">
            <h2 id="audience-title">"Audience"</h2>
            {match audience.not_enough {
                Some(why) => view! { <p class="muted">{why.message()}</p> }.into_any(),
                None => view! {
                    <p class="muted">"This month, Instagram's top 45 of each, the first 10 shown."</p>
                    <div class="audience-grid">
                        {audience.followers.into_iter().map(|b| breakdown_table("Followers", b)).collect_view()}
                        {audience.engaged.into_iter().map(|b| breakdown_table("Engaged audience", b)).collect_view()}
                    </div>
                }.into_any(),
            }}
        </section>
    }
}
