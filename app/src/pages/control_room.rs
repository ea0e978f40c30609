//! `/dashboard/instagram`: the control room. One card per connected account with its quick
//! actions, the posts that are next, failed or waiting (across accounts, with a live
//! countdown), and the health of every service Crealia depends on, each with a reason.
//!
//! It stays current without a reload: every event on the creator's live feed (an inbox item,
//! a post scheduled, edited, cancelled or moved on — in this tab or another, on any server)
//! reloads it, and the health is looked at again every few seconds.

use std::collections::HashMap;

use crealia_model::publishing::{PostItem, PostStatus};
use crealia_model::status::{AccountStatus, Figure, Item, Level, ServiceHealth, Status};
use crealia_model::ConnectionState;
use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::insights::refresh_insights;
use crate::api::publishing::{load_outlook, retry_post};
use crate::api::status::{check_connection, load_status};
use crate::components::auth::signed_in_or_redirect;
use crate::components::cancel::CancelPost;
use crate::components::chart::group;
use crate::components::live::InboxFeed;

/// Health is looked at again this often (seconds); countdowns tick every second.
#[cfg(feature = "hydrate")]
const HEALTH_EVERY_SECS: u32 = 5;

/// Milliseconds since the Unix epoch, in the browser or on the server.
fn now_ms() -> i64 {
    #[cfg(feature = "hydrate")]
    {
        js_sys::Date::now() as i64
    }
    #[cfg(not(feature = "hydrate"))]
    {
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0)
    }
}

/// "in 3 d 4 h", "in 2 h 05 min 10 s", "in 4 min 12 s", "in 9 s", "due now", "3 min 00 s late".
pub fn countdown(until_ms: i64, now_ms: i64) -> String {
    let secs = (until_ms - now_ms) / 1000;
    let span = |s: i64| match s {
        s if s >= 86_400 => format!("{} d {} h", s / 86_400, (s % 86_400) / 3600),
        s if s >= 3600 => format!("{} h {:02} min {:02} s", s / 3600, (s % 3600) / 60, s % 60),
        s if s >= 60 => format!("{} min {:02} s", s / 60, s % 60),
        s => format!("{s} s"),
    };
    match secs {
        s if s > 0 => format!("in {}", span(s)),
        s if s > -60 => "due now".to_string(),
        s => format!("{} late", span(-s)),
    }
}

#[component]
pub fn ControlRoomPage() -> impl IntoView {
    if !signed_in_or_redirect("/dashboard/instagram") {
        return view! { <p class="muted">"Taking you to sign in…"</p> }.into_any();
    }
    let feed = InboxFeed::get();
    // Bumped by this page's own actions and every few seconds (health has no events).
    let changed = RwSignal::new(0u32);
    let tick = RwSignal::new(0u32);
    let now = RwSignal::new(now_ms());
    #[cfg(feature = "hydrate")]
    {
        let seconds = StoredValue::new(0u32);
        let handle = set_interval_with_handle(
            move || {
                now.set(now_ms());
                seconds.update_value(|s| *s += 1);
                if seconds.get_value() % HEALTH_EVERY_SECS == 0 {
                    tick.update(|t| *t += 1);
                }
            },
            std::time::Duration::from_secs(1),
        );
        if let Ok(h) = handle {
            on_cleanup(move || h.clear());
        }
    }
    let status = Resource::new(move || (feed.version.get(), changed.get(), tick.get()), |_| load_status());
    let posts = Resource::new(move || (feed.version.get(), changed.get()), |_| load_outlook());
    // What "check connection" found, per account, kept across reloads.
    let checked = RwSignal::new(HashMap::<i64, Result<bool, String>>::new());

    view! {
        <Title text="Control room" />
        <section class="control-room" data-testid="control-room">
            <div class="section-head">
                <h1>"Control room"</h1>
                <a href="/settings/api-tokens">"API tokens"</a>
                <span class="muted" data-testid="live-state">{move || if feed.live.get() { "Live" } else { "Connecting…" }}</span>
            </div>
            <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match status.await {
                        Ok(s) => view! { <Overview status=s changed checked /> }.into_any(),
                        Err(e) => view! { <p class="error" role="alert">{e.to_string()}</p> }.into_any(),
                    }
                })}
            </Transition>
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    match posts.await {
                        Ok(list) => view! { <PostSections posts=list.posts time_zone=list.time_zone now changed /> }.into_any(),
                        Err(e) => view! { <p class="error" role="alert">{e.to_string()}</p> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
    .into_any()
}

#[component]
fn Overview(status: Status, changed: RwSignal<u32>, checked: RwSignal<HashMap<i64, Result<bool, String>>>) -> impl IntoView {
    let Status { accounts, services, level, .. } = status;
    view! {
        <section class="card" aria-labelledby="accounts-title">
            <h2 id="accounts-title">"Accounts"</h2>
            {if accounts.is_empty() {
                view! { <p class="muted">"No Instagram account yet. " <a href="/instagram-auth">"Connect one"</a>"."</p> }.into_any()
            } else {
                view! {
                    <ul class="account-cards">
                        {accounts.into_iter().map(|account| view! { <AccountCard account changed checked /> }).collect_view()}
                    </ul>
                }.into_any()
            }}
        </section>
        <section class="card" aria-labelledby="health-title" data-testid="health" data-level=level.as_str()>
            <h2 id="health-title">"Services"</h2>
            <HealthList services />
        </section>
    }
}

fn level_class(level: Level) -> &'static str {
    match level {
        Level::Green => "pill pill-ok",
        Level::Amber => "pill pill-degraded",
        Level::Red => "pill pill-down",
    }
}

/// "14:05 UTC": when an item last changed.
fn since<F>(item: &Item<F>) -> String {
    crealia_model::dates::clock_utc(item.since)
}

#[component]
fn HealthList(services: ServiceHealth) -> impl IntoView {
    fn row<F>(name: &'static str, label: &'static str, item: &Item<F>, detail: String) -> impl IntoView {
        view! {
            <li class="health-item" data-testid=format!("health-{name}") data-level=item.level.as_str()>
                <span class=level_class(item.level)>{item.level.as_str()}</span>
                <strong>{label}</strong>
                <span>{item.reason.clone()}</span>
                <span class="muted">{detail}" · since "{since(item)}</span>
            </li>
        }
    }
    let s = services;
    let percent = |p: Option<u32>| p.map(|p| format!("{p} %")).unwrap_or_else(|| "—".into());
    let graph = format!(
        "{} · app usage {} · accounts {}",
        s.graph_api.figures.latency_ms.map(|ms| format!("{ms:.0} ms")).unwrap_or_else(|| "no answer".into()),
        percent(s.graph_api.figures.app_usage_percent),
        percent(s.graph_api.figures.account_usage_percent)
    );
    let database = format!(
        "{} · {} of {} connections in use",
        s.database.figures.latency_ms.map(|ms| format!("{ms:.1} ms")).unwrap_or_else(|| "no answer".into()),
        s.database.figures.pool_in_use,
        s.database.figures.pool_max
    );
    let cache = format!(
        "{} · hit ratio (5 min) {}",
        match (s.cache.figures.redis_configured, s.cache.figures.redis_up) {
            (false, _) => "memory only",
            (true, true) => "Redis up",
            (true, false) => "Redis down",
        },
        s.cache.figures.hit_ratio.map(|r| format!("{:.0} %", r * 100.0)).unwrap_or_else(|| "—".into())
    );
    let w = &s.webhooks.figures;
    let webhooks = format!(
        "last {} · {} in the last hour, {} refused · {} waiting{}",
        w.last_delivery_secs_ago.map(|s| format!("{s} s ago")).unwrap_or_else(|| "never".into()),
        w.deliveries_last_hour,
        w.refusals_last_hour,
        w.backlog,
        w.backlog_oldest_secs.map(|s| format!(" (oldest {s} s)")).unwrap_or_default()
    );
    let scheduler = format!(
        "{} queued{}",
        s.scheduler.figures.queued,
        s.scheduler.figures.oldest_overdue_secs.map(|secs| format!(" · most late {secs} s")).unwrap_or_default()
    );
    let tokens = format!("{} expiring soon · {} to reconnect", s.tokens.figures.expiring_soon.len(), s.tokens.figures.needs_reconnect.len());
    view! {
        <ul class="health-list">
            {row("graph_api", "Instagram API", &s.graph_api, graph)}
            {row("database", "Database", &s.database, database)}
            {row("cache", "Cache", &s.cache, cache)}
            {row("webhooks", "Webhooks", &s.webhooks, webhooks)}
            {row("scheduler", "Scheduler", &s.scheduler, scheduler)}
            {row("tokens", "Access tokens", &s.tokens, tokens)}
        </ul>
    }
}

/// Where a card's refresh stands.
#[derive(Clone, Debug, PartialEq)]
enum Phase {
    Idle,
    Busy,
    Failed(String),
}

#[component]
fn AccountCard(account: AccountStatus, changed: RwSignal<u32>, checked: RwSignal<HashMap<i64, Result<bool, String>>>) -> impl IntoView {
    let id = account.connection_id;
    // One signal per action (no `Action`: ten cards rendered on every reload, clicked rarely).
    let refreshing = RwSignal::new(Phase::Idle);
    let checking = RwSignal::new(false);
    let refresh = move || {
        refreshing.set(Phase::Busy);
        leptos::task::spawn_local(async move {
            let r = refresh_insights(id).await;
            refreshing.try_set(r.err().map_or(Phase::Idle, |e| Phase::Failed(e.to_string())));
            changed.try_update(|c| *c += 1);
        });
    };
    let check = move || {
        checking.set(true);
        leptos::task::spawn_local(async move {
            let r = check_connection(id).await.map_err(|e| e.to_string());
            checked.try_update(|c| {
                c.insert(id, r);
            });
            checking.try_set(false);
            changed.try_update(|c| *c += 1);
        });
    };
    let needs_reconnect = account.state == ConnectionState::NeedsReconnect;
    let found = move || checked.with(|c| c.get(&id).cloned());
    let state = match account.state {
        ConnectionState::Active => "connected",
        ConnectionState::ExpiringSoon => "access ends soon",
        ConnectionState::NeedsReconnect => "needs reconnect",
        ConnectionState::Disconnected => "disconnected",
    };
    view! {
        <li class="account-card" data-testid="account-card" data-account=account.username.clone() data-state=account.state.as_str()>
            <p><strong>"@"{account.username.clone()}</strong> " " <span class=if needs_reconnect { "pill pill-down" } else { "pill pill-ok" }>{state}</span></p>
            <p class="muted">{account.token_expires_at.map(|t| format!("Access until {}", crealia_model::dates::day_month_year(t)))}</p>
            {account.figures.clone().map(|f| {
                let count = |v: Option<u64>| v.map(|n| group(n as i64)).unwrap_or_else(|| "—".into());
                let figure = |label: &'static str, f: Figure| view! {
                    <span class="figure">
                        <span class="muted">{label}</span> " " <strong>{f.total.map(group).unwrap_or_else(|| "—".into())}</strong>
                        {f.change_percent.map(|c| view! { " " <span class=if c < 0.0 { "change down" } else { "change up" }>{format!("{c:+.0} %")}</span> })}
                    </span>
                };
                view! {
                    <p class="account-figures" data-testid="account-figures">
                        <span class="figure"><span class="muted">"Followers"</span> " " <strong>{count(f.followers)}</strong></span>
                        <span class="figure"><span class="muted">"Posts"</span> " " <strong>{count(f.posts)}</strong></span>
                        {figure("Views (7 d)", f.views)}
                        {figure("Reach (7 d)", f.reach)}
                    </p>
                }
            })}
            {account.quota_used.map(|used| view! {
                <p class="muted" data-testid="quota">{format!("{used} of {} posts in the last 24 h", account.quota_total.map(|t| t.to_string()).unwrap_or_else(|| "?".into()))}</p>
            })}
            <div class="account-actions">
                <a class="button" href=format!("/instagram-dashboard?account={id}#composer")>"Compose"</a>
                <button type="button" class="button" disabled=move || refreshing.get() == Phase::Busy on:click=move |_| refresh()>
                    {move || if refreshing.get() == Phase::Busy { "Refreshing…" } else { "Refresh insights" }}
                </button>
                <button type="button" class="button" data-testid="check-connection" disabled=move || checking.get() on:click=move |_| check()>
                    {move || if checking.get() { "Checking…" } else { "Check connection" }}
                </button>
                {move || {
                    let broken = needs_reconnect || matches!(found(), Some(Ok(false)));
                    broken.then(|| view! { <a class="button button-primary" data-testid="reconnect" href="/instagram-auth">"Reconnect"</a> })
                }}
            </div>
            {move || match found() {
                Some(Ok(true)) => Some(view! { <p class="muted" role="status">"Instagram accepts this account's access."</p> }.into_any()),
                Some(Ok(false)) => Some(view! { <p class="error" role="alert">"Instagram no longer accepts this account's access: reconnect it."</p> }.into_any()),
                Some(Err(e)) => Some(view! { <p class="error" role="alert">{e}</p> }.into_any()),
                None => None,
            }}
            {move || match refreshing.get() {
                Phase::Failed(e) => Some(view! { <p class="error" role="alert">{e}</p> }),
                _ => None,
            }}
        </li>
    }
}

#[component]
fn PostSections(posts: Vec<PostItem>, time_zone: String, now: RwSignal<i64>, changed: RwSignal<u32>) -> impl IntoView {
    let upcoming: Vec<PostItem> = posts.iter().filter(|p| p.post.status == PostStatus::Pending && p.post.last_error.is_none()).cloned().collect();
    let waiting: Vec<PostItem> =
        posts.iter().filter(|p| matches!(p.post.status, PostStatus::Pending | PostStatus::Publishing) && p.post.last_error.is_some()).cloned().collect();
    let failed: Vec<PostItem> = posts.iter().filter(|p| p.post.status == PostStatus::Failed).cloned().collect();
    view! {
        <section class="card" aria-labelledby="next-title">
            <div class="section-head">
                <h2 id="next-title">"Next posts"</h2>
                <a href="/instagram-calendar" class="button">"Calendar"</a>
            </div>
            <p class="muted">{format!("Times in {time_zone}.")}</p>
            {if upcoming.is_empty() {
                view! { <p class="muted">"Nothing scheduled."</p> }.into_any()
            } else {
                view! { <ul class="post-list" data-testid="upcoming">{upcoming.into_iter().map(|item| view! { <QueuedPost item now changed /> }).collect_view()}</ul> }.into_any()
            }}
        </section>
        {(!failed.is_empty()).then(|| view! {
            <section class="card" aria-labelledby="failed-title">
                <h2 id="failed-title">"Failed"</h2>
                <ul class="post-list" data-testid="failed">{failed.into_iter().map(|item| view! { <QueuedPost item now changed /> }).collect_view()}</ul>
            </section>
        })}
        {(!waiting.is_empty()).then(|| view! {
            <section class="card" aria-labelledby="waiting-title">
                <h2 id="waiting-title">"Waiting for Instagram"</h2>
                <ul class="post-list" data-testid="waiting">{waiting.into_iter().map(|item| view! { <QueuedPost item now changed /> }).collect_view()}</ul>
            </section>
        })}
    }
}

/// A post with its countdown, what it waits for or why it failed, and Cancel / Edit / Retry.
#[component]
fn QueuedPost(item: PostItem, now: RwSignal<i64>, changed: RwSignal<u32>) -> impl IntoView {
    let PostItem { post, when, .. } = item;
    let id = post.id;
    let due_ms = post.scheduled_at.timestamp_millis();
    let status = post.status;
    let excerpt: String = post.caption.chars().take(90).collect();
    view! {
        <li class="post-row" data-testid="queued-post" data-post=id.to_string() data-status=status.as_str()>
            <div class="post-row-body">
                <p class="post-meta">
                    <span class="pill">{post.kind.label()}</span>
                    <span>"@"{post.username.clone()}</span>
                    <span class="muted">{when}</span>
                    {(status == PostStatus::Pending).then(|| view! { <strong data-testid="countdown">{move || countdown(due_ms, now.get())}</strong> })}
                </p>
                <p class="post-caption">{excerpt}</p>
                {post.last_error.clone().map(|e| view! { <p class=if status == PostStatus::Failed { "error" } else { "muted" }>{e}</p> })}
            </div>
            <div class="post-row-actions">
                {(status == PostStatus::Pending).then(|| view! {
                    <a class="button" href=format!("/instagram-dashboard#post-{id}")>"Edit post"</a>
                })}
                {matches!(status, PostStatus::Pending | PostStatus::Failed).then(|| view! {
                    <CancelPost id on_done=move |_| changed.update(|c| *c += 1) />
                })}
                {(status == PostStatus::Failed).then(|| view! { <RetryPost id changed /> })}
            </div>
        </li>
    }
}

/// Retry, on a failed post only (a page of pending posts builds no action for it).
#[component]
fn RetryPost(id: i64, changed: RwSignal<u32>) -> impl IntoView {
    let retry = Action::new(move |_: &()| async move {
        let r = retry_post(id).await;
        changed.update(|c| *c += 1);
        r
    });
    view! {
        <button type="button" class="button button-primary" disabled=move || retry.pending().get() on:click=move |_| { retry.dispatch(()); }>"Retry"</button>
        {move || retry.value().get().and_then(Result::err).map(|e| view! { <p class="error" role="alert">{e.to_string()}</p> })}
    }
}

#[cfg(test)]
mod tests {
    use super::countdown;

    #[test]
    fn countdowns_read_as_a_person_says_them() {
        let now = 1_000_000_000;
        assert_eq!(countdown(now + 9_500, now), "in 9 s");
        assert_eq!(countdown(now + 252_000, now), "in 4 min 12 s");
        assert_eq!(countdown(now + 7_510_000, now), "in 2 h 05 min 10 s");
        assert_eq!(countdown(now + 273_600_000, now), "in 3 d 4 h");
        assert_eq!(countdown(now - 30_000, now), "due now");
        assert_eq!(countdown(now - 180_000, now), "3 min 00 s late");
    }
}
