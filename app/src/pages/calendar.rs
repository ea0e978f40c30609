//! `/instagram-calendar?view=week|month&date=YYYY-MM-DD`: the creator's scheduled and published
//! posts on their wall clock.

use chrono::{Datelike, Days, Duration, NaiveDate};
use crealia_model::dates::{iso_date_and_clock, parse_clock};
use crealia_model::publishing::{Calendar, CalendarView, PostStatus};
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;

use crate::api::publishing::{load_calendar, move_post};
use crate::components::auth::{load_failed, signed_in_or_redirect};
use crate::components::hydrated::hydrated;
use crate::components::title::PageTitle;
use crate::i18n::{td_string, use_i18n, Locale};
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
        return view! { <p class="muted">{td_string!(i18n.get_locale_untracked(), common.taking_you_to_sign_in)}</p> }.into_any();
    }
    let query = use_query_map();
    let view_kind = move || if query.read().get("view").as_deref() == Some("week") { CalendarView::Week } else { CalendarView::Month };
    let date = move || query.read().get("date");
    let mover = Action::new(|(id, date, time): &(i64, String, String)| move_post(*id, date.clone(), time.clone()));
    let data = Resource::new(move || (view_kind(), date(), mover.version().get()), |(v, d, _)| load_calendar(v, d));
    let refused = move || mover.value().get().and_then(Result::err).map(|e| e.localized(i18n.get_locale()));
    view! {
        <PageTitle text=|l| td_string!(l, calendar.title).to_string() />
        {move || refused().map(|e| view! { <p class="error" role="alert" data-testid="move-refused">{e}</p> })}
        <Transition fallback=move || view! { <p class="muted">{td_string!(i18n.get_locale_untracked(), calendar.loading)}</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(c) => view! { <CalendarView c mover /> }.into_any(),
                    Err(e) => load_failed(e, "/instagram-calendar"),
                }
            })}
        </Transition>
    }
    .into_any()
}

/// A post's wall-clock date and time moved by `days` and `hours`: ("2026-11-24", "14:05").
pub fn shifted(date: NaiveDate, time: &str, days: i64, hours: i64) -> Option<(String, String)> {
    let at = date.and_time(parse_clock(time)?) + Duration::days(days) + Duration::hours(hours);
    Some(iso_date_and_clock(at))
}

/// Moves a post to a date and time (the creator's wall clock).
type Mover = Action<(i64, String, String), Result<(), crate::error::AppError>>;

#[component]
fn CalendarView(c: Calendar, mover: Mover) -> impl IntoView {
    let i18n = use_i18n();
    // The post being dragged, and its time of day (kept when it lands on another day).
    let dragging = RwSignal::new(None::<(i64, String)>);
    let hydrated = hydrated();
    let view_kind = c.view;
    let anchor = c.days.iter().find(|d| d.in_range).map(|d| d.date).unwrap_or(c.prev);
    let class = if view_kind == CalendarView::Week { "calendar calendar-week" } else { "calendar calendar-month" };
    view! {
        <section class="dash-head">
            <div>
                <h1 data-testid="calendar-title">{let c = c.clone(); move || title(i18n.get_locale(), &c)}</h1>
                <p class="muted">{let zone = c.time_zone.clone(); move || td_string!(i18n.get_locale_untracked(), calendar.subtitle, zone = zone.clone()).to_string()}</p>
            </div>
            <div class="dash-controls">
                <nav class="segmented" aria-label=td_string!(i18n.get_locale_untracked(), calendar.view_label)>
                    <A href=href(CalendarView::Week, anchor) attr:aria-current=(view_kind == CalendarView::Week).then_some("true")>{td_string!(i18n.get_locale_untracked(), calendar.week)}</A>
                    <A href=href(CalendarView::Month, anchor) attr:aria-current=(view_kind == CalendarView::Month).then_some("true")>{td_string!(i18n.get_locale_untracked(), calendar.month)}</A>
                </nav>
                <nav class="segmented" aria-label=td_string!(i18n.get_locale_untracked(), calendar.move_label)>
                    <A href=href(view_kind, c.prev)>{td_string!(i18n.get_locale_untracked(), calendar.previous)}</A>
                    <A href=format!("/instagram-calendar?view={}", view_kind.as_str())>{td_string!(i18n.get_locale_untracked(), calendar.today)}</A>
                    <A href=href(view_kind, c.next)>{td_string!(i18n.get_locale_untracked(), calendar.next)}</A>
                </nav>
                <a href="/instagram-dashboard" class="button">{td_string!(i18n.get_locale_untracked(), calendar.compose)}</a>
                <a href="/instagram-bulk" class="button" data-testid="bulk-link">{td_string!(i18n.get_locale_untracked(), calendar.bulk)}</a>
                <a href="/instagram-feed" class="button" data-testid="feed-link">{td_string!(i18n.get_locale_untracked(), calendar.feed)}</a>
            </div>
        </section>
        <p id="move-hint" class="visually-hidden">{td_string!(i18n.get_locale_untracked(), calendar.move_hint)}</p>
        <div class=class role="grid" data-hydrated=move || hydrated.get().to_string() aria-label=td_string!(i18n.get_locale_untracked(), calendar.grid_label)>
            <div class="calendar-row calendar-weekdays" role="row">
                {(0..7).map(|d| view! { <div role="columnheader">{weekday_short(i18n.get_locale_untracked(), d)}</div> }).collect_view()}
            </div>
            {c.days.chunks(7).map(|week| view! {
                <div class="calendar-row" role="row">
                    {week.iter().cloned().map(|day| {
                        let date = day.date;
                        let open = !day.is_past;
                        view! {
                        <div role="gridcell" class="calendar-day" class:outside=!day.in_range class:today=day.is_today data-date=day.date.to_string()
                            on:dragover=move |ev| if open && dragging.get_untracked().is_some() { ev.prevent_default(); }
                            on:drop=move |ev| {
                                ev.prevent_default();
                                if let Some((id, time)) = dragging.get_untracked() {
                                    dragging.set(None);
                                    mover.dispatch((id, date.to_string(), time));
                                }
                            }>
                            <span class="calendar-date">{crealia_model::dates::day_of_month(day.date)}</span>
                            // The empty part of a day to come opens the composer on that day.
                            {open.then(|| view! {
                                <a class="calendar-slot" href=format!("/instagram-dashboard?at={date}#composer") rel="external" data-testid="calendar-slot"
                                    aria-label=move || td_string!(i18n.get_locale(), calendar.new_post_on, day = day_month_year(i18n.get_locale(), date)).to_string()></a>
                            })}
                            <ul>
                                {day.posts.into_iter().map(|p| {
                                    let kind = p.kind;
                                    let status = match p.status {
                                        PostStatus::Published => "entry entry-ok",
                                        PostStatus::Failed => "entry entry-failed",
                                        PostStatus::Cancelled => "entry entry-muted",
                                        _ => "entry entry-pending",
                                    };
                                    let movable = p.status == PostStatus::Pending;
                                    let (id, time) = (p.id, p.time.clone());
                                    let keys = {
                                        let time = time.clone();
                                        move |ev: leptos::ev::KeyboardEvent| {
                                            if !movable || !ev.alt_key() {
                                                return;
                                            }
                                            let (days, hours) = match ev.key().as_str() {
                                                "ArrowLeft" => (-1, 0),
                                                "ArrowRight" => (1, 0),
                                                "ArrowUp" => (0, -1),
                                                "ArrowDown" => (0, 1),
                                                _ => return,
                                            };
                                            ev.prevent_default();
                                            if let Some((d, t)) = shifted(date, &time, days, hours) {
                                                mover.dispatch((id, d, t));
                                            }
                                        }
                                    };
                                    view! {
                                        // The caption (its title) and the account are the creator's own: not
                                        // translated; the kind is, by the app.
                                        <li class=status data-testid="calendar-entry" data-status=p.status.as_str() title=p.caption.clone() translate="no"
                                            draggable=movable.then_some("true")
                                            on:dragstart=move |_| if movable { dragging.set(Some((id, time.clone()))); }
                                            on:dragend=move |_| dragging.set(None)
                                            on:keydown=keys>
                                            // A whole page load: the dashboard arrives rendered, and the browser
                                            // scrolls to the post and marks it (`:target`).
                                            <a href=format!("/instagram-dashboard#post-{}", p.id) rel="external"
                                                aria-keyshortcuts=movable.then_some("Alt+ArrowLeft Alt+ArrowRight Alt+ArrowUp Alt+ArrowDown")
                                                aria-describedby=movable.then_some("move-hint")>
                                                <strong>{p.time}</strong>" "<span translate="yes">{crate::locale::post_kind(i18n.get_locale_untracked(), kind)}</span>" @"{p.username}
                                            </a>
                                        </li>
                                    }
                                }).collect_view()}
                            </ul>
                        </div>
                    }}).collect_view()}
                </div>
            }).collect_view()}
        </div>
    }
}
