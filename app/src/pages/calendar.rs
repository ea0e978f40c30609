//! `/instagram-calendar?view=week|month&date=YYYY-MM-DD`: the creator's scheduled and published
//! posts on their wall clock.

use crealia_model::publishing::{Calendar, CalendarView, PostStatus};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;

use crate::api::publishing::load_calendar;
use crate::components::auth::{load_failed, signed_in_or_redirect};

fn href(view: CalendarView, date: impl std::fmt::Display) -> String {
    format!("/instagram-calendar?view={}&date={date}", view.as_str())
}

#[component]
pub fn CalendarPage() -> impl IntoView {
    if !signed_in_or_redirect("/instagram-calendar") {
        return view! { <p class="muted">"Taking you to sign in…"</p> }.into_any();
    }
    let query = use_query_map();
    let view_kind = move || if query.read().get("view").as_deref() == Some("week") { CalendarView::Week } else { CalendarView::Month };
    let date = move || query.read().get("date");
    let data = Resource::new(move || (view_kind(), date()), |(v, d)| load_calendar(v, d));
    view! {
        <Title text="Calendar" />
        <Suspense fallback=|| view! { <p class="muted">"Loading your calendar…"</p> }>
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
    let view_kind = c.view;
    let anchor = c.days.iter().find(|d| d.in_range).map(|d| d.date).unwrap_or(c.prev);
    let class = if view_kind == CalendarView::Week { "calendar calendar-week" } else { "calendar calendar-month" };
    view! {
        <section class="dash-head">
            <div>
                <h1 data-testid="calendar-title">{c.title.clone()}</h1>
                <p class="muted">{format!("Scheduled and published posts, times in {}.", c.time_zone)}</p>
            </div>
            <div class="dash-controls">
                <nav class="segmented" aria-label="View">
                    <A href=href(CalendarView::Week, anchor) attr:aria-current=(view_kind == CalendarView::Week).then_some("true")>"Week"</A>
                    <A href=href(CalendarView::Month, anchor) attr:aria-current=(view_kind == CalendarView::Month).then_some("true")>"Month"</A>
                </nav>
                <nav class="segmented" aria-label="Move">
                    <A href=href(view_kind, c.prev)>"‹ Previous"</A>
                    <A href=format!("/instagram-calendar?view={}", view_kind.as_str())>"Today"</A>
                    <A href=href(view_kind, c.next)>"Next ›"</A>
                </nav>
                <a href="/instagram-dashboard" class="button">"Compose"</a>
            </div>
        </section>
        <div class=class role="grid" aria-label="Calendar">
            <div class="calendar-row calendar-weekdays" role="row">
                {["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"].into_iter().map(|d| view! { <div role="columnheader">{d}</div> }).collect_view()}
            </div>
            {c.days.chunks(7).map(|week| view! {
                <div class="calendar-row" role="row">
                    {week.iter().cloned().map(|day| view! {
                        <div role="gridcell" class="calendar-day" class:outside=!day.in_range class:today=day.is_today data-date=day.date.to_string()>
                            <span class="calendar-date">{crealia_model::dates::day_of_month(day.date)}</span>
                            <ul>
                                {day.posts.into_iter().map(|p| {
                                    let status = match p.status {
                                        PostStatus::Published => "entry entry-ok",
                                        PostStatus::Failed => "entry entry-failed",
                                        PostStatus::Cancelled => "entry entry-muted",
                                        _ => "entry entry-pending",
                                    };
                                    view! {
                                        <li class=status data-testid="calendar-entry" data-status=p.status.as_str() title=p.caption.clone()>
                                            // A whole page load: the dashboard arrives rendered, and the browser
                                            // scrolls to the post and marks it (`:target`).
                                            <a href=format!("/instagram-dashboard#post-{}", p.id) rel="external">
                                                <strong>{p.time}</strong>" "{p.kind.label()}" @"{p.username}
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
