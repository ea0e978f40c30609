//! `/instagram-calendar?view=week|month&date=YYYY-MM-DD`: the creator's scheduled and published
//! posts on their wall clock.

use chrono::{Datelike, Days};
use crealia_model::publishing::{Calendar, CalendarView, PostStatus};
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;

use crate::api::publishing::load_calendar;
use crate::components::auth::{load_failed, signed_in_or_redirect};
use crate::components::title::PageTitle;
use crate::i18n::{t, t_string, td_string, use_i18n, Locale};
use crate::locale::{day_month_year, month_short, month_year, weekday_short};

fn href(view: CalendarView, date: impl std::fmt::Display) -> String {
    format!("/instagram-calendar?view={}&date={date}", view.as_str())
}

/// The calendar's heading: "November 2026" for a month, "23 Nov – 29 Nov 2026" for a week
/// (the days of the grid, Monday first).
fn title(locale: Locale, c: &Calendar) -> String {
    let Some(first) = c.days.first().map(|d| d.date) else { return String::new() };
    match c.view {
        CalendarView::Week => {
            let last = first.checked_add_days(Days::new(6)).unwrap_or(first);
            format!("{} {} – {}", first.day(), month_short(locale, first.month()), day_month_year(locale, last))
        }
        CalendarView::Month => {
            let anchor = c.days.iter().find(|d| d.in_range).map(|d| d.date).unwrap_or(first);
            month_year(locale, anchor)
        }
    }
}

#[component]
pub fn CalendarPage() -> impl IntoView {
    let i18n = use_i18n();
    if !signed_in_or_redirect("/instagram-calendar") {
        return view! { <p class="muted">{t!(i18n, common.taking_you_to_sign_in)}</p> }.into_any();
    }
    let query = use_query_map();
    let view_kind = move || if query.read().get("view").as_deref() == Some("week") { CalendarView::Week } else { CalendarView::Month };
    let date = move || query.read().get("date");
    let data = Resource::new(move || (view_kind(), date()), |(v, d)| load_calendar(v, d));
    view! {
        <PageTitle text=|l| td_string!(l, calendar.title).to_string() />
        <Suspense fallback=move || view! { <p class="muted">{t!(i18n, calendar.loading)}</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(c) => view! { <CalendarView c /> }.into_any(),
                    Err(e) => load_failed(e, "/instagram-calendar"),
                }
            })}
        </Suspense>
    }
    .into_any()
}

#[component]
fn CalendarView(c: Calendar) -> impl IntoView {
    let i18n = use_i18n();
    let view_kind = c.view;
    let anchor = c.days.iter().find(|d| d.in_range).map(|d| d.date).unwrap_or(c.prev);
    let class = if view_kind == CalendarView::Week { "calendar calendar-week" } else { "calendar calendar-month" };
    view! {
        <section class="dash-head">
            <div>
                <h1 data-testid="calendar-title">{let c = c.clone(); move || title(i18n.get_locale(), &c)}</h1>
                <p class="muted">{let zone = c.time_zone.clone(); move || t_string!(i18n, calendar.subtitle, zone = zone.clone()).to_string()}</p>
            </div>
            <div class="dash-controls">
                <nav class="segmented" aria-label=move || t_string!(i18n, calendar.view_label)>
                    <A href=href(CalendarView::Week, anchor) attr:aria-current=(view_kind == CalendarView::Week).then_some("true")>{t!(i18n, calendar.week)}</A>
                    <A href=href(CalendarView::Month, anchor) attr:aria-current=(view_kind == CalendarView::Month).then_some("true")>{t!(i18n, calendar.month)}</A>
                </nav>
                <nav class="segmented" aria-label=move || t_string!(i18n, calendar.move_label)>
                    <A href=href(view_kind, c.prev)>{t!(i18n, calendar.previous)}</A>
                    <A href=format!("/instagram-calendar?view={}", view_kind.as_str())>{t!(i18n, calendar.today)}</A>
                    <A href=href(view_kind, c.next)>{t!(i18n, calendar.next)}</A>
                </nav>
                <a href="/instagram-dashboard" class="button">{t!(i18n, calendar.compose)}</a>
                <a href="/instagram-bulk" class="button" data-testid="bulk-link">{t!(i18n, calendar.bulk)}</a>
            </div>
        </section>
        <div class=class role="grid" aria-label=move || t_string!(i18n, calendar.grid_label)>
            <div class="calendar-row calendar-weekdays" role="row">
                {(0..7).map(|d| view! { <div role="columnheader">{move || weekday_short(i18n.get_locale(), d)}</div> }).collect_view()}
            </div>
            {c.days.chunks(7).map(|week| view! {
                <div class="calendar-row" role="row">
                    {week.iter().cloned().map(|day| view! {
                        <div role="gridcell" class="calendar-day" class:outside=!day.in_range class:today=day.is_today data-date=day.date.to_string()>
                            <span class="calendar-date">{crealia_model::dates::day_of_month(day.date)}</span>
                            <ul>
                                {day.posts.into_iter().map(|p| {
                                    let kind = p.kind;
                                    let status = match p.status {
                                        PostStatus::Published => "entry entry-ok",
                                        PostStatus::Failed => "entry entry-failed",
                                        PostStatus::Cancelled => "entry entry-muted",
                                        _ => "entry entry-pending",
                                    };
                                    view! {
                                        // The caption (its title) and the account are the creator's own: not
                                        // translated; the kind is, by the app.
                                        <li class=status data-testid="calendar-entry" data-status=p.status.as_str() title=p.caption.clone() translate="no">
                                            // A whole page load: the dashboard arrives rendered, and the browser
                                            // scrolls to the post and marks it (`:target`).
                                            <a href=format!("/instagram-dashboard#post-{}", p.id) rel="external">
                                                <strong>{p.time}</strong>" "<span translate="yes">{move || crate::locale::post_kind(i18n.get_locale(), kind)}</span>" @"{p.username}
                                            </a>
                                        </li>
                                    }
                                }).collect_view()}
                            </ul>
                        </div>
                    }).collect_view()}
                </div>
            }).collect_view()}
        </div>
    }
}
