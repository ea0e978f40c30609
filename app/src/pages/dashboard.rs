use crealia_model::{Dashboard, MetricSummary, Post, RANGES};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;

use crate::api::insights::{dashboard_account, load_dashboard, RefreshInsights};
use crate::components::auth::{redirect_to_sign_in, signed_in_or_redirect};
use crate::components::chart::{group, LineChart};
use crate::components::composer::Composer;
use crate::components::inbox::InboxPanel;
use crate::components::posts::PostsList;
use crate::error::AppError;

fn href(account: Option<i64>, days: u32) -> String {
    match account {
        Some(a) => format!("/instagram-dashboard?account={a}&days={days}"),
        None => format!("/instagram-dashboard?days={days}"),
    }
}

/// `/instagram-dashboard`: an account's profile, metrics against the previous range, trends
/// and recent posts; the composer, the creator's posts and the live inbox. `?account=` picks the
/// account, `?days=` the range (7, 14 or 30).
///
/// Two loads: which account is shown (it changes only with `?account=`), and its insights (also
/// with the range and the Refresh button). What depends only on the first — the composer, the
/// posts and the inbox — is not redrawn when the insights reload, so a caption being written or
/// a reply being typed stays.
#[component]
pub fn DashboardPage() -> impl IntoView {
    if !signed_in_or_redirect("/instagram-dashboard") {
        return view! { <p class="muted">"Taking you to sign in…"</p> }.into_any();
    }
    let query = use_query_map();
    // A memo of a plain signal: the page below is built again only when `?account=` changes.
    let account = Memo::new(move |_| query.read().get("account").and_then(|a| a.parse::<i64>().ok()));
    view! {
        <Title text="Dashboard" />
        {move || {
            let account = account.get();
            view! { <AccountDashboard account /> }
        }}
    }
    .into_any()
}

#[component]
fn AccountDashboard(account: Option<i64>) -> impl IntoView {
    let query = use_query_map();
    let days = move || query.read().get("days").and_then(|d| d.parse::<u32>().ok()).filter(|d| RANGES.contains(d)).unwrap_or(7);
    let refresh = ServerAction::<RefreshInsights>::new();
    let shown = Resource::new(|| (), move |_| dashboard_account(account));
    // Also after every change the live feed reports (a post published, here or by the
    // scheduler): the post count and the recent posts follow without a reload.
    let feed = crate::components::live::InboxFeed::get();
    let data = Resource::new(move || (days(), refresh.version().get(), feed.version.get()), move |(days, ..)| load_dashboard(account, days));
    view! {
        <Transition fallback=|| view! { <p class="muted">"Loading your insights…"</p> }>
            {move || Suspend::new(async move {
                match shown.await {
                    Ok(current) => view! { <DashboardView current account data refresh /> }.into_any(),
                    Err(e) => not_shown(e).into_any(),
                }
            })}
        </Transition>
    }
}

/// Why there is no dashboard to show, and what to do.
fn not_shown(e: AppError) -> impl IntoView {
    match e {
        AppError::Unauthorized => {
            redirect_to_sign_in("/instagram-dashboard");
            view! { <p class="muted">"Taking you to sign in…"</p> }.into_any()
        }
        AppError::NotFound => view! {
            <div class="card empty">
                <h1>"No Instagram account here yet"</h1>
                <p class="muted">"Connect an Instagram professional account to see its insights."</p>
                <A href="/instagram-auth" attr:class="button button-primary">"Connect an account"</A>
            </div>
        }
        .into_any(),
        AppError::NeedsReconnect => view! {
            <div class="notice notice-error" role="status">
                <span>"Instagram no longer accepts this account's access. Reconnect it to see its insights again."</span>
                <a href="/api/auth/instagram/start" rel="external" class="button">"Reconnect"</a>
            </div>
        }
        .into_any(),
        e => view! { <p class="error" role="alert">{e.to_string()}</p> }.into_any(),
    }
}

type DashboardData = Resource<Result<Dashboard, AppError>>;

#[component]
fn DashboardView(current: i64, account: Option<i64>, data: DashboardData, refresh: ServerAction<RefreshInsights>) -> impl IntoView {
    let refresh_error = move || refresh.value().get().and_then(Result::err).map(|e| e.to_string());
    let posted = RwSignal::new(0u32);
    view! {
        <Transition fallback=|| view! { <p class="muted">"Loading your insights…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(d) => view! { <ProfileHead d account refresh /> }.into_any(),
                    Err(e) => not_shown(e).into_any(),
                }
            })}
        </Transition>
        {move || refresh_error().map(|e| view! { <p class="error" role="alert">{e}</p> })}
        <div class="publish-grid">
            <Composer current posted />
            <PostsList posted />
        </div>
        <InboxPanel />
        <Transition fallback=|| ()>
            {move || Suspend::new(async move { data.await.ok().map(|d| view! { <Insights d /> }) })}
        </Transition>
    }
}

/// `account` is the URL's: the range links keep it as it is, so choosing a range never looks
/// like choosing another account (which would build the page again).
#[component]
fn ProfileHead(d: Dashboard, account: Option<i64>, refresh: ServerAction<RefreshInsights>) -> impl IntoView {
    let current = d.insights.connection_id;
    let days = d.insights.range_days;
    let p = d.insights.profile.clone();
    let initial = p.username.chars().next().unwrap_or('@').to_ascii_uppercase().to_string();
    let count = |v: Option<u64>| v.map(|n| group(n as i64)).unwrap_or_else(|| "—".into());

    view! {
        <section class="dash-head">
            <div class="profile">
                <div class="avatar avatar-lg" aria-hidden="true">{initial}</div>
                <div>
                    <h1>"@"{p.username.clone()}</h1>
                    {p.name.clone().map(|n| view! { <p class="muted">{n}</p> })}
                    <dl class="profile-counts">
                        <div><dt>"Followers"</dt><dd data-testid="followers">{count(p.followers)}</dd></div>
                        <div><dt>"Following"</dt><dd>{count(p.follows)}</dd></div>
                        <div><dt>"Posts"</dt><dd data-testid="post-count">{count(p.media_count)}</dd></div>
                    </dl>
                </div>
            </div>
            <div class="dash-controls">
                {(d.accounts.len() > 1).then(|| view! {
                    <nav class="segmented" aria-label="Account">
                        {d.accounts.clone().into_iter().map(|a| {
                            let selected = a.connection_id == current;
                            // A plain link (the router still takes the click): `A` marks every link
                            // to this path as the current page, whatever its query.
                            view! { <a href=href(Some(a.connection_id), days) aria-current=selected.then_some("true")>"@"{a.username.clone()}</a> }
                        }).collect_view()}
                    </nav>
                })}
                <nav class="segmented" aria-label="Range">
                    {RANGES.iter().map(|r| {
                        let selected = *r == days;
                        view! { <a href=href(account, *r) aria-current=selected.then_some("true")>{format!("{r} days")}</a> }
                    }).collect_view()}
                </nav>
                <button type="button" class="button" data-testid="refresh" aria-busy=move || refresh.pending().get().to_string()
                    on:click=move |_| { refresh.dispatch(RefreshInsights { account: current }); } disabled=move || refresh.pending().get()>
                    {move || if refresh.pending().get() { "Refreshing…" } else { "Refresh" }}
                </button>
                <span class="muted fetched" data-testid="fetched-at">{fetched_at(d.insights.fetched_at)}</span>
            </div>
        </section>
    }
}

/// "Fetched at 14:05 UTC" (the figures are cached; Refresh reads them again).
fn fetched_at(unix: i64) -> String {
    if unix <= 0 {
        return String::new();
    }
    let minutes = unix.rem_euclid(86_400) / 60;
    format!("Fetched at {:02}:{:02} UTC", minutes / 60, minutes % 60)
}

/// "20 Nov to 26 Nov (UTC), compared with the 7 days before — up to 26 Nov: Instagram reports
/// with a delay of up to 48 hours."
pub fn range_note(d: &crealia_model::AccountInsights) -> String {
    const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    let short = |day: &str| -> String {
        let mut parts = day.split('-').skip(1).map(|p| p.parse::<usize>().ok());
        match (parts.next().flatten(), parts.next().flatten()) {
            (Some(month @ 1..=12), Some(date)) => format!("{date} {}", MONTHS[month - 1]),
            _ => day.to_string(),
        }
    };
    let (since, until) = (short(&d.since), short(&d.until));
    let compared = format!("{since} to {until} (UTC), compared with the {} days before", d.range_days);
    if d.delay_days > 0 {
        format!("{compared}. Up to {until}: Instagram reports with a delay of up to 48 hours.")
    } else {
        format!("{compared}.")
    }
}

/// The range's metrics, trends and recent posts.
#[component]
fn Insights(d: Dashboard) -> impl IntoView {
    let d = d.insights;
    view! {
        <p class="muted range-note" data-testid="range-note">{range_note(&d)}</p>
        <section class="metrics" aria-label="Metrics">
            {d.metrics.iter().cloned().map(|m| view! { <MetricCard m /> }).collect_view()}
        </section>
        <section class="charts">
            <LineChart title="Accounts reached per day" points=d.reach.clone() />
            <LineChart title="Follower change per day" points=d.followers.clone() bars=true />
        </section>
        <nav class="downloads" aria-label="Download">
            {[("figures.csv", "Figures (CSV)"), ("daily.csv", "Daily figures (CSV)"), ("posts.csv", "Your posts (CSV)"), ("reach.svg", "Reach chart (SVG)"), ("followers.svg", "Follower chart (SVG)")]
                .into_iter()
                .map(|(file, label)| view! {
                    <a href=format!("/api/instagram/export/{file}?account={}&days={}", d.connection_id, d.range_days) download="" rel="external">{label}</a>
                })
                .collect_view()}
        </nav>
        <section aria-labelledby="recent-posts">
            <h2 id="recent-posts">"Recent posts"</h2>
            {if d.posts.is_empty() {
                view! { <p class="muted">"No posts yet."</p> }.into_any()
            } else {
                view! { <ul class="posts">{d.posts.iter().cloned().map(|post| view! { <PostCard post /> }).collect_view()}</ul> }.into_any()
            }}
        </section>
    }
}

#[component]
fn MetricCard(m: MetricSummary) -> impl IntoView {
    let change = m.change_percent();
    view! {
        <article class="card metric" data-testid=format!("metric-{}", m.name)>
            <h3>{m.label.clone()}</h3>
            {match m.total {
                Some(v) => view! { <p class="metric-value">{group(v)}</p> }.into_any(),
                None => view! { <p class="metric-value metric-missing">"Not available yet"</p> }.into_any(),
            }}
            {change.map(|c| {
                let (class, arrow) = if c >= 0.0 { ("change up", "▲") } else { ("change down", "▼") };
                view! { <p class=class>{format!("{arrow} {:.1}% vs previous period", c.abs())}</p> }
            })}
        </article>
    }
}

#[component]
fn PostCard(post: Post) -> impl IntoView {
    let caption: String = post.caption.clone().unwrap_or_default().chars().take(90).collect();
    let kind = post.media_product_type.clone().or(post.media_type.clone()).unwrap_or_default();
    let date = post.timestamp.clone().map(|t| t.chars().take(10).collect::<String>()).unwrap_or_default();
    let stat = |label: &'static str, v: Option<i64>| view! { <div><dt>{label}</dt><dd>{v.map(group).unwrap_or_else(|| "—".into())}</dd></div> };
    view! {
        <li class="card post">
            <p class="post-meta"><span class="pill">{kind}</span><span class="muted">{date}</span></p>
            <p class="post-caption">{caption}</p>
            <dl class="post-stats">
                {stat("Reach", post.reach)}
                {stat("Views", post.views)}
                {stat("Likes", post.likes.map(|v| v as i64))}
                {stat("Comments", post.comments.map(|v| v as i64))}
                {stat("Saves", post.saves)}
            </dl>
            {post.permalink.map(|l| view! { <a href=l class="muted" rel="external noopener" target="_blank">"Open on Instagram"</a> })}
        </li>
    }
}
