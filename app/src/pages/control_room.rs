//! `/dashboard/instagram`: the control room. One card per connected account with its quick
//! actions, the posts that are next, failed or waiting (across accounts, with a live
//! countdown), and the health of every service Crealia depends on, each with a reason.
//!
//! It stays current without a reload: every event on the creator's live feed (an inbox item,
//! a post scheduled, edited, cancelled or moved on — in this tab or another, on any server)
//! reloads it, and the health is looked at again every few seconds.

use std::collections::HashMap;

use crealia_model::publishing::{PostStatus, QueuedItem};
use crealia_model::status::{AccountStatus, Figure, Item, Level, Reason, ServiceHealth, Status};
use crealia_model::ConnectionState;
use leptos::prelude::*;

use crate::api::insights::refresh_insights;
use crate::api::publishing::{load_outlook, retry_post};
use crate::api::status::{check_connection, load_status};
use crate::components::auth::signed_in_or_redirect;
use crate::components::cancel::CancelPost;
use crate::components::live::InboxFeed;
use crate::components::posts::post_reason;
use crate::components::settle::settle;
use crate::components::title::PageTitle;
use crate::error::AppError;
use crate::i18n::{td_string, use_i18n, Locale};
use crate::locale::{clock_utc, day_month_year, decimal, number, post_when};

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
pub fn countdown(locale: Locale, until_ms: i64, now_ms: i64) -> String {
    let secs = (until_ms - now_ms) / 1000;
    let span = |s: i64| match s {
        s if s >= 86_400 => td_string!(locale, control_room.span_days, days = s / 86_400, hours = (s % 86_400) / 3600).to_string(),
        s if s >= 3600 => format!("{} h {:02} min {:02} s", s / 3600, (s % 3600) / 60, s % 60),
        s if s >= 60 => format!("{} min {:02} s", s / 60, s % 60),
        s => format!("{s} s"),
    };
    match secs {
        s if s > 0 => td_string!(locale, control_room.countdown_in, span = span(s)).to_string(),
        s if s > -60 => td_string!(locale, control_room.due_now).to_string(),
        s => td_string!(locale, control_room.countdown_late, span = span(-s)).to_string(),
    }
}

#[component]
pub fn ControlRoomPage() -> impl IntoView {
    let i18n = use_i18n();
    if !signed_in_or_redirect("/dashboard/instagram") {
        return view! { <p class="muted">{td_string!(i18n.get_locale_untracked(), common.taking_you_to_sign_in)}</p> }.into_any();
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
    let checked = RwSignal::new(HashMap::<i64, Result<bool, AppError>>::new());

    view! {
        <PageTitle text=|l| td_string!(l, control_room.title).to_string() />
        <section class="control-room" data-testid="control-room">
            <div class="section-head">
                <h1>{td_string!(i18n.get_locale_untracked(), control_room.title)}</h1>
                <a href="/settings/api-tokens">{td_string!(i18n.get_locale_untracked(), control_room.api_tokens)}</a>
                <span class="muted" data-testid="live-state">
                    {move || if feed.live.get() { td_string!(i18n.get_locale_untracked(), control_room.live) } else { td_string!(i18n.get_locale_untracked(), control_room.connecting) }}
                </span>
            </div>
            <Transition fallback=move || view! { <p class="muted">{td_string!(i18n.get_locale_untracked(), common.loading)}</p> }>
                {move || Suspend::new(async move {
                    let status = status.await;
                    settle().await;
                    match status {
                        Ok(s) => view! { <Overview status=s changed checked /> }.into_any(),
                        Err(e) => view! { <p class="error" role="alert">{e.localized(i18n.get_locale_untracked())}</p> }.into_any(),
                    }
                })}
            </Transition>
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    let posts = posts.await;
                    settle().await;
                    match posts {
                        Ok(list) => view! { <PostSections posts=list.posts time_zone=list.time_zone now changed /> }.into_any(),
                        Err(e) => view! { <p class="error" role="alert">{e.localized(i18n.get_locale_untracked())}</p> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
    .into_any()
}

#[component]
fn Overview(status: Status, changed: RwSignal<u32>, checked: RwSignal<HashMap<i64, Result<bool, AppError>>>) -> impl IntoView {
    let i18n = use_i18n();
    let Status { accounts, services, level, .. } = status;
    view! {
        <section class="card" aria-labelledby="accounts-title">
            <h2 id="accounts-title">{td_string!(i18n.get_locale_untracked(), control_room.accounts)}</h2>
            {if accounts.is_empty() {
                view! {
                    <p class="muted">
                        {td_string!(i18n.get_locale_untracked(), control_room.no_account)}" "<a href="/instagram-auth">{td_string!(i18n.get_locale_untracked(), control_room.connect_one)}</a>"."
                    </p>
                }.into_any()
            } else {
                view! {
                    <ul class="account-cards">
                        {accounts.into_iter().map(|account| view! { <AccountCard account changed checked /> }).collect_view()}
                    </ul>
                }.into_any()
            }}
        </section>
        <section class="card" aria-labelledby="health-title" data-testid="health" data-level=level.as_str()>
            <h2 id="health-title">{td_string!(i18n.get_locale_untracked(), control_room.services)}</h2>
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

/// "green", "vert": a level as the pill says it.
fn level_word(locale: Locale, level: Level) -> String {
    match level {
        Level::Green => td_string!(locale, control_room.level_green),
        Level::Amber => td_string!(locale, control_room.level_amber),
        Level::Red => td_string!(locale, control_room.level_red),
    }
    .to_string()
}

/// Why a service is at its level, in the creator's language, with its figures and accounts.
fn health_reason(locale: Locale, reason: &Reason) -> String {
    let n = |x: i64| number(locale, x);
    let names = |accounts: &[String]| accounts.join(", @");
    match reason {
        Reason::DatabaseSlow => td_string!(locale, control_room.reason_database_slow).to_string(),
        Reason::DatabaseBusy => td_string!(locale, control_room.reason_database_busy).to_string(),
        Reason::DatabaseOk => td_string!(locale, control_room.reason_database_ok).to_string(),
        Reason::DatabaseDown => td_string!(locale, control_room.reason_database_down).to_string(),
        Reason::CacheMemoryOnly => td_string!(locale, control_room.reason_cache_memory).to_string(),
        Reason::CacheOk => td_string!(locale, control_room.reason_cache_ok).to_string(),
        Reason::CacheDown => td_string!(locale, control_room.reason_cache_down).to_string(),
        Reason::WebhooksUnreadable => td_string!(locale, control_room.reason_webhooks_unreadable).to_string(),
        Reason::WebhooksBehind => td_string!(locale, control_room.reason_webhooks_behind).to_string(),
        Reason::WebhooksRefused { count } => td_string!(locale, control_room.reason_webhooks_refused, count = n(*count as i64)).to_string(),
        Reason::WebhooksOk => td_string!(locale, control_room.reason_webhooks_ok).to_string(),
        Reason::SchedulerStopped { minutes } => td_string!(locale, control_room.reason_scheduler_stopped, minutes = n(*minutes)).to_string(),
        Reason::SchedulerLate { seconds } => td_string!(locale, control_room.reason_scheduler_late, seconds = n(*seconds)).to_string(),
        Reason::SchedulerQueued { queued } => td_string!(locale, control_room.reason_scheduler_queued, queued = n(*queued)).to_string(),
        Reason::SchedulerIdle => td_string!(locale, control_room.reason_scheduler_idle).to_string(),
        Reason::TokensRejected { accounts } => td_string!(locale, control_room.reason_tokens_rejected, names = names(accounts)).to_string(),
        Reason::TokensExpiring { accounts, days } => {
            td_string!(locale, control_room.reason_tokens_expiring, names = names(accounts), days = n(*days)).to_string()
        }
        Reason::TokensOk => td_string!(locale, control_room.reason_tokens_ok).to_string(),
        Reason::GraphDown => td_string!(locale, control_room.reason_graph_down).to_string(),
        Reason::GraphPaused { minutes } => td_string!(locale, control_room.reason_graph_paused, minutes = n((*minutes).into())).to_string(),
        Reason::GraphUsageRed { percent } => {
            td_string!(locale, control_room.reason_graph_usage_red, percent = crate::locale::per_cent(locale, n((*percent).into()))).to_string()
        }
        Reason::GraphUsageAmber { percent } => {
            td_string!(locale, control_room.reason_graph_usage_amber, percent = crate::locale::per_cent(locale, n((*percent).into()))).to_string()
        }
        Reason::GraphSlow => td_string!(locale, control_room.reason_graph_slow).to_string(),
        Reason::GraphOk => td_string!(locale, control_room.reason_graph_ok).to_string(),
    }
}

#[component]
fn HealthList(services: ServiceHealth) -> impl IntoView {
    fn row<F>(locale: Locale, name: &'static str, label: String, item: &Item<F>, detail: String) -> impl IntoView {
        view! {
            <li class="health-item" data-testid=format!("health-{name}") data-level=item.level.as_str()>
                <span class=level_class(item.level)>{level_word(locale, item.level)}</span>
                <strong>{label}</strong>
                <span>{health_reason(locale, &item.cause)}</span>
                <span class="muted">{detail}" · "{td_string!(locale, control_room.since, time = clock_utc(item.since)).to_string()}</span>
            </li>
        }
    }
    let locale = use_i18n().get_locale_untracked();
    let s = &services;
    let percent = |p: Option<u32>| p.map(|p| crate::locale::per_cent(locale, number(locale, p.into()))).unwrap_or_else(|| "—".into());
    let no_answer = || td_string!(locale, control_room.no_answer).to_string();
    let graph = td_string!(
        locale,
        control_room.graph_detail,
        latency = s.graph_api.figures.latency_ms.map(|ms| format!("{} ms", decimal(locale, ms, 0))).unwrap_or_else(no_answer),
        app = percent(s.graph_api.figures.app_usage_percent),
        accounts = percent(s.graph_api.figures.account_usage_percent)
    )
    .to_string();
    let database = td_string!(
        locale,
        control_room.database_detail,
        latency = s.database.figures.latency_ms.map(|ms| format!("{} ms", decimal(locale, ms, 1))).unwrap_or_else(no_answer),
        in_use = number(locale, s.database.figures.pool_in_use.into()),
        max = number(locale, s.database.figures.pool_max.into())
    )
    .to_string();
    let cache = td_string!(
        locale,
        control_room.cache_detail,
        state = match (s.cache.figures.redis_configured, s.cache.figures.redis_up) {
            (false, _) => td_string!(locale, control_room.cache_memory_only),
            (true, true) => td_string!(locale, control_room.cache_redis_up),
            (true, false) => td_string!(locale, control_room.cache_redis_down),
        },
        ratio = s.cache.figures.hit_ratio.map(|r| crate::locale::per_cent(locale, decimal(locale, r * 100.0, 0))).unwrap_or_else(|| "—".into())
    )
    .to_string();
    let w = &s.webhooks.figures;
    let webhooks = td_string!(
        locale,
        control_room.webhooks_detail,
        last = w
            .last_delivery_secs_ago
            .map(|secs| td_string!(locale, control_room.secs_ago, secs = number(locale, secs)).to_string())
            .unwrap_or_else(|| td_string!(locale, control_room.never).to_string()),
        deliveries = number(locale, w.deliveries_last_hour),
        refused = number(locale, i64::try_from(w.refusals_last_hour).unwrap_or(i64::MAX)),
        backlog = number(locale, w.backlog),
        oldest = w.backlog_oldest_secs.map(|secs| format!(" ({})", td_string!(locale, control_room.oldest, secs = number(locale, secs)))).unwrap_or_default()
    )
    .to_string();
    let scheduler = td_string!(
        locale,
        control_room.scheduler_detail,
        queued = number(locale, s.scheduler.figures.queued),
        late = s
            .scheduler
            .figures
            .oldest_overdue_secs
            .map(|secs| format!(" · {}", td_string!(locale, control_room.most_late, secs = number(locale, secs))))
            .unwrap_or_default()
    )
    .to_string();
    let tokens = td_string!(
        locale,
        control_room.tokens_detail,
        soon = number(locale, s.tokens.figures.expiring_soon.len() as i64),
        reconnect = number(locale, s.tokens.figures.needs_reconnect.len() as i64)
    )
    .to_string();
    view! {
        <ul class="health-list">
            {row(locale, "graph_api", td_string!(locale, control_room.service_graph_api).to_string(), &s.graph_api, graph)}
            {row(locale, "database", td_string!(locale, control_room.service_database).to_string(), &s.database, database)}
            {row(locale, "cache", td_string!(locale, control_room.service_cache).to_string(), &s.cache, cache)}
            {row(locale, "webhooks", td_string!(locale, control_room.service_webhooks).to_string(), &s.webhooks, webhooks)}
            {row(locale, "scheduler", td_string!(locale, control_room.service_scheduler).to_string(), &s.scheduler, scheduler)}
            {row(locale, "tokens", td_string!(locale, control_room.service_tokens).to_string(), &s.tokens, tokens)}
        </ul>
    }
}

/// Where a card's refresh stands.
#[derive(Clone, Debug, PartialEq)]
enum Phase {
    Idle,
    Busy,
    Failed(AppError),
}

#[component]
fn AccountCard(account: AccountStatus, changed: RwSignal<u32>, checked: RwSignal<HashMap<i64, Result<bool, AppError>>>) -> impl IntoView {
    let i18n = use_i18n();
    let id = account.connection_id;
    // One signal per action (no `Action`: ten cards rendered on every reload, clicked rarely).
    let refreshing = RwSignal::new(Phase::Idle);
    let checking = RwSignal::new(false);
    let refresh = move || {
        refreshing.set(Phase::Busy);
        leptos::task::spawn_local(async move {
            let r = refresh_insights(id).await;
            refreshing.try_set(r.err().map_or(Phase::Idle, Phase::Failed));
            changed.try_update(|c| *c += 1);
        });
    };
    let check = move || {
        checking.set(true);
        leptos::task::spawn_local(async move {
            let r = check_connection(id).await;
            checked.try_update(|c| {
                c.insert(id, r);
            });
            checking.try_set(false);
            changed.try_update(|c| *c += 1);
        });
    };
    let needs_reconnect = account.state == ConnectionState::NeedsReconnect;
    let found = move || checked.with(|c| c.get(&id).cloned());
    let state = account.state;
    let state_word = move || match state {
        ConnectionState::Active => td_string!(i18n.get_locale_untracked(), control_room.state_connected),
        ConnectionState::ExpiringSoon => td_string!(i18n.get_locale_untracked(), control_room.state_expiring_soon),
        ConnectionState::NeedsReconnect => td_string!(i18n.get_locale_untracked(), control_room.state_needs_reconnect),
        ConnectionState::Disconnected => td_string!(i18n.get_locale_untracked(), control_room.state_disconnected),
    };
    let expires = account.token_expires_at;
    let figures = account.figures.clone();
    // Written once, in the page's language (a change of language reloads the page).
    let locale = i18n.get_locale_untracked();
    let quota = account.quota_used.map(|used| (used, account.quota_total));
    view! {
        <li class="account-card" data-testid="account-card" data-account=account.username.clone() data-state=account.state.as_str()>
            <p><strong translate="no">"@"{account.username.clone()}</strong> " " <span class=if needs_reconnect { "pill pill-down" } else { "pill pill-ok" }>{state_word}</span></p>
            <p class="muted">
                {expires.map(|t| td_string!(locale, control_room.access_until, date = day_month_year(locale, t.date_naive())).to_string())}
            </p>
            {figures.map(|f| {
                let count = |v: Option<u64>| v.map(|n| number(locale, i64::try_from(n).unwrap_or(i64::MAX))).unwrap_or_else(|| "—".into());
                let figure = |label: String, f: Figure| view! {
                    <span class="figure">
                        <span class="muted">{label}</span> " " <strong>{f.total.map(|n| number(locale, n)).unwrap_or_else(|| "—".into())}</strong>
                        {f.change_percent.map(|c| view! { " " <span class=if c < 0.0 { "change down" } else { "change up" }>{crate::locale::per_cent(locale, format!("{c:+.0}"))}</span> })}
                    </span>
                };
                view! {
                    <p class="account-figures" data-testid="account-figures">
                        <span class="figure"><span class="muted">{td_string!(locale, control_room.followers)}</span> " " <strong>{count(f.followers)}</strong></span>
                        <span class="figure"><span class="muted">{td_string!(locale, control_room.posts)}</span> " " <strong>{count(f.posts)}</strong></span>
                        {figure(td_string!(locale, control_room.views_7d).to_string(), f.views)}
                        {figure(td_string!(locale, control_room.reach_7d).to_string(), f.reach)}
                    </p>
                }
            })}
            {quota.map(|(used, total)| view! {
                <p class="muted" data-testid="quota">
                    {td_string!(
                        locale,
                        control_room.quota,
                        used = number(locale, used.into()),
                        total = total.map(|t| number(locale, t.into())).unwrap_or_else(|| "?".into())
                    )
                    .to_string()}
                </p>
            })}
            <div class="account-actions">
                <a class="button" href=format!("/instagram-dashboard?account={id}#composer")>{td_string!(i18n.get_locale_untracked(), control_room.compose)}</a>
                <button type="button" class="button" disabled=move || refreshing.get() == Phase::Busy on:click=move |_| refresh()>
                    {move || if refreshing.get() == Phase::Busy { td_string!(i18n.get_locale_untracked(), control_room.refreshing) } else { td_string!(i18n.get_locale_untracked(), control_room.refresh) }}
                </button>
                <button type="button" class="button" data-testid="check-connection" disabled=move || checking.get() on:click=move |_| check()>
                    {move || if checking.get() { td_string!(i18n.get_locale_untracked(), control_room.checking) } else { td_string!(i18n.get_locale_untracked(), control_room.check) }}
                </button>
                {move || {
                    let broken = needs_reconnect || matches!(found(), Some(Ok(false)));
                    broken.then(|| view! { <a class="button button-primary" data-testid="reconnect" href="/instagram-auth">{td_string!(i18n.get_locale_untracked(), control_room.reconnect)}</a> })
                }}
            </div>
            {move || match found() {
                Some(Ok(true)) => Some(view! { <p class="muted" role="status">{td_string!(i18n.get_locale_untracked(), control_room.access_accepted)}</p> }.into_any()),
                Some(Ok(false)) => Some(view! { <p class="error" role="alert">{td_string!(i18n.get_locale_untracked(), control_room.access_refused)}</p> }.into_any()),
                Some(Err(e)) => Some(view! { <p class="error" role="alert">{e.localized(i18n.get_locale_untracked())}</p> }.into_any()),
                None => None,
            }}
            {move || match refreshing.get() {
                Phase::Failed(e) => Some(view! { <p class="error" role="alert">{e.localized(i18n.get_locale_untracked())}</p> }),
                _ => None,
            }}
        </li>
    }
}

#[component]
fn PostSections(posts: Vec<QueuedItem>, time_zone: String, now: RwSignal<i64>, changed: RwSignal<u32>) -> impl IntoView {
    let i18n = use_i18n();
    let (mut upcoming, mut waiting, mut failed) = (Vec::new(), Vec::new(), Vec::new());
    for post in posts {
        match (post.status, &post.last_error) {
            (PostStatus::Pending, None) => upcoming.push(post),
            (PostStatus::Pending | PostStatus::Publishing, Some(_)) => waiting.push(post),
            (PostStatus::Failed, _) => failed.push(post),
            _ => {}
        }
    }
    view! {
        <section class="card" aria-labelledby="next-title">
            <div class="section-head">
                <h2 id="next-title">{td_string!(i18n.get_locale_untracked(), control_room.next_posts)}</h2>
                <a href="/instagram-calendar" class="button">{td_string!(i18n.get_locale_untracked(), control_room.calendar)}</a>
            </div>
            <p class="muted">{td_string!(i18n.get_locale_untracked(), control_room.times_in, zone = time_zone).to_string()}</p>
            {if upcoming.is_empty() {
                view! { <p class="muted">{td_string!(i18n.get_locale_untracked(), control_room.nothing_scheduled)}</p> }.into_any()
            } else {
                view! { <ul class="post-list" data-testid="upcoming">{upcoming.into_iter().map(|item| view! { <QueuedPost item now changed /> }).collect_view()}</ul> }.into_any()
            }}
        </section>
        {(!failed.is_empty()).then(|| view! {
            <section class="card" aria-labelledby="failed-title">
                <h2 id="failed-title">{td_string!(i18n.get_locale_untracked(), control_room.failed)}</h2>
                <ul class="post-list" data-testid="failed">{failed.into_iter().map(|item| view! { <QueuedPost item now changed /> }).collect_view()}</ul>
            </section>
        })}
        {(!waiting.is_empty()).then(|| view! {
            <section class="card" aria-labelledby="waiting-title">
                <h2 id="waiting-title">{td_string!(i18n.get_locale_untracked(), control_room.waiting)}</h2>
                <ul class="post-list" data-testid="waiting">{waiting.into_iter().map(|item| view! { <QueuedPost item now changed /> }).collect_view()}</ul>
            </section>
        })}
    }
}

/// A post with its countdown, what it waits for or why it failed, and Cancel / Edit / Retry.
#[component]
fn QueuedPost(item: QueuedItem, now: RwSignal<i64>, changed: RwSignal<u32>) -> impl IntoView {
    let i18n = use_i18n();
    let QueuedItem { id, username, kind, status, due_ms, date, time, excerpt, note, last_error } = item;
    view! {
        <li class="post-row" data-testid="queued-post" data-post=id.to_string() data-status=status.as_str()>
            <div class="post-row-body">
                <p class="post-meta">
                    <span class="pill">{crate::locale::post_kind(i18n.get_locale_untracked(), kind)}</span>
                    <span translate="no">"@"{username}</span>
                    <span class="muted">{post_when(i18n.get_locale_untracked(), &date, &time)}</span>
                    {(status == PostStatus::Pending).then(|| view! { <strong data-testid="countdown">{move || countdown(i18n.get_locale(), due_ms, now.get())}</strong> })}
                </p>
                <p class="post-caption" translate="no">{excerpt}</p>
                {post_reason(status, note.as_ref(), last_error.as_deref(), None)}
            </div>
            <div class="post-row-actions">
                {(status == PostStatus::Pending).then(|| view! {
                    <a class="button" href=format!("/instagram-dashboard#post-{id}")>{td_string!(i18n.get_locale_untracked(), control_room.edit_post)}</a>
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
    let i18n = use_i18n();
    let retry = Action::new(move |_: &()| async move {
        let r = retry_post(id).await;
        changed.update(|c| *c += 1);
        r
    });
    view! {
        <button type="button" class="button button-primary" disabled=move || retry.pending().get() on:click=move |_| { retry.dispatch(()); }>{td_string!(i18n.get_locale_untracked(), control_room.retry)}</button>
        {move || retry.value().get().and_then(Result::err).map(|e| view! { <p class="error" role="alert">{e.localized(i18n.get_locale())}</p> })}
    }
}

#[cfg(test)]
mod tests {
    use super::{countdown, health_reason};
    use crate::i18n::Locale;

    #[test]
    fn countdowns_read_as_a_person_says_them() {
        let now = 1_000_000_000;
        let en = |until| countdown(Locale::en, until, now);
        assert_eq!(en(now + 9_500), "in 9 s");
        assert_eq!(en(now + 252_000), "in 4 min 12 s");
        assert_eq!(en(now + 7_510_000), "in 2 h 05 min 10 s");
        assert_eq!(en(now + 273_600_000), "in 3 d 4 h");
        assert_eq!(en(now - 30_000), "due now");
        assert_eq!(en(now - 180_000), "3 min 00 s late");
        assert_eq!(countdown(Locale::fr, now + 273_600_000, now), "dans 3 j 4 h");
        assert_eq!(countdown(Locale::fr, now - 180_000, now), "en retard de 3 min 00 s");
    }

    #[test]
    fn the_health_reasons_read_in_english_as_the_api_says_them_and_in_french() {
        use crealia_model::status::Reason;
        let accounts = vec!["ana".to_string(), "bo".to_string()];
        for reason in [
            Reason::DatabaseOk,
            Reason::WebhooksRefused { count: 12 },
            Reason::SchedulerStopped { minutes: 7 },
            Reason::SchedulerLate { seconds: 90 },
            Reason::SchedulerQueued { queued: 3 },
            Reason::TokensRejected { accounts: accounts.clone() },
            Reason::TokensExpiring { accounts: vec!["ana".into()], days: 10 },
            Reason::GraphPaused { minutes: 12 },
            Reason::GraphUsageRed { percent: 95 },
            Reason::GraphUsageAmber { percent: 80 },
        ] {
            assert_eq!(health_reason(Locale::en, &reason), reason.to_string());
            assert_ne!(health_reason(Locale::fr, &reason), reason.to_string());
        }
        assert!(health_reason(Locale::fr, &Reason::TokensRejected { accounts }).contains("@ana, @bo"));
    }
}
