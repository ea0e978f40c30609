use crealia_model::{Dashboard, MetricSummary, Post, RANGES};
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;

use crate::api::insights::{dashboard_account, load_dashboard, refresh_insights};
use crate::components::auth::{redirect_to_sign_in, signed_in_or_redirect};
use crate::components::chart::LineChart;
use crate::components::composer::ComposerSlot;
use crate::components::inbox::InboxPanel;
use crate::components::posts::PostsList;
use crate::components::title::PageTitle;
use crate::error::AppError;
use crate::i18n::{td_string, use_i18n, Locale};
use crate::locale::{clock_utc, month_short, number, parse_date, percent};

type I18n = leptos_i18n::I18nContext<Locale>;

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
    let i18n = use_i18n();
    if !signed_in_or_redirect("/instagram-dashboard") {
        return view! { <p class="muted">{td_string!(i18n.get_locale_untracked(), common.taking_you_to_sign_in)}</p> }.into_any();
    }
    let query = use_query_map();
    // A memo of a plain signal: the page below is built again only when `?account=` changes.
    let account = Memo::new(move |_| query.read().get("account").and_then(|a| a.parse::<i64>().ok()));
    view! {
        <PageTitle text=|l| td_string!(l, dashboard.title).to_string() />
        {move || {
            let account = account.get();
            view! { <AccountDashboard account /> }
        }}
    }
    .into_any()
}

#[component]
fn AccountDashboard(account: Option<i64>) -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let days = move || query.read().get("days").and_then(|d| d.parse::<u32>().ok()).filter(|d| RANGES.contains(d)).unwrap_or(7);
    // A plain action, not a `ServerAction`: that one also reads a no-JS form's error from the
    // address (a base64 decoder in the WASM), and Refresh is a button, never a form.
    let refresh: Refresh = Action::new(|account: &i64| refresh_insights(*account));
    let shown = Resource::new(|| (), move |_| dashboard_account(account));
    // Also after every change the live feed reports (a post published, here or by the
    // scheduler): the post count and the recent posts follow without a reload.
    let feed = crate::components::live::InboxFeed::get();
    let data = Resource::new(move || (days(), refresh.version().get(), feed.version.get()), move |(days, ..)| load_dashboard(account, days));
    view! {
        <Transition fallback=move || view! { <p class="muted">{td_string!(i18n.get_locale_untracked(), dashboard.loading)}</p> }>
            {move || Suspend::new(async move {
                match shown.await {
                    Ok(current) => view! { <DashboardView current account data refresh /> }.into_any(),
                    Err(e) => not_shown(i18n, e).into_any(),
                }
            })}
        </Transition>
    }
}

/// Why there is no dashboard to show, and what to do.
fn not_shown(i18n: I18n, e: AppError) -> impl IntoView {
    match e {
        AppError::Unauthorized => {
            redirect_to_sign_in("/instagram-dashboard");
            view! { <p class="muted">{td_string!(i18n.get_locale_untracked(), common.taking_you_to_sign_in)}</p> }.into_any()
        }
        AppError::NotFound => view! {
            <div class="card empty">
                <h1>{td_string!(i18n.get_locale_untracked(), dashboard.no_account_heading)}</h1>
                <p class="muted">{td_string!(i18n.get_locale_untracked(), dashboard.no_account_text)}</p>
                <A href="/instagram-auth" attr:class="button button-primary">{td_string!(i18n.get_locale_untracked(), dashboard.connect_account)}</A>
            </div>
        }
        .into_any(),
        AppError::NeedsReconnect => view! {
            <div class="notice notice-error" role="status">
                <span>{td_string!(i18n.get_locale_untracked(), dashboard.reconnect_text)}</span>
                <a href="/api/auth/instagram/start" rel="external" class="button">{td_string!(i18n.get_locale_untracked(), dashboard.reconnect)}</a>
            </div>
        }
        .into_any(),
        e => view! { <p class="error" role="alert">{e.localized(i18n.get_locale_untracked())}</p> }.into_any(),
    }
}

type DashboardData = Resource<Result<Dashboard, AppError>>;
/// Reads an account's insights again from Instagram.
type Refresh = Action<i64, Result<(), AppError>>;

#[component]
fn DashboardView(current: i64, account: Option<i64>, data: DashboardData, refresh: Refresh) -> impl IntoView {
    let i18n = use_i18n();
    let refresh_error = move || refresh.value().get().and_then(Result::err).map(|e| e.localized(i18n.get_locale()));
    let posted = RwSignal::new(0u32);
    view! {
        <Transition fallback=move || view! { <p class="muted">{td_string!(i18n.get_locale_untracked(), dashboard.loading)}</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(d) => view! { <ProfileHead d account refresh /> }.into_any(),
                    Err(e) => not_shown(i18n, e).into_any(),
                }
            })}
        </Transition>
        {move || refresh_error().map(|e| view! { <p class="error" role="alert">{e}</p> })}
        <div class="publish-grid">
            <ComposerSlot current posted />
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
fn ProfileHead(d: Dashboard, account: Option<i64>, refresh: Refresh) -> impl IntoView {
    let current = d.insights.connection_id;
    let days = d.insights.range_days;
    let p = d.insights.profile.clone();
    let initial = p.username.chars().next().unwrap_or('@').to_ascii_uppercase().to_string();
    let i18n = use_i18n();
    let locale = i18n.get_locale_untracked();
    let count = move |v: Option<u64>| v.map(|n| number(locale, n as i64)).unwrap_or_else(|| "—".into());
    let fetched = d.insights.fetched_at;

    view! {
        <section class="dash-head">
            <div class="profile">
                <div class="avatar avatar-lg" aria-hidden="true" translate="no">{initial}</div>
                <div>
                    <h1 translate="no">"@"{p.username.clone()}</h1>
                    {p.name.clone().map(|n| view! { <p class="muted" translate="no">{n}</p> })}
                    <dl class="profile-counts">
                        <div><dt>{td_string!(locale, dashboard.followers)}</dt><dd data-testid="followers">{count(p.followers)}</dd></div>
                        <div><dt>{td_string!(locale, dashboard.following)}</dt><dd>{count(p.follows)}</dd></div>
                        <div><dt>{td_string!(locale, dashboard.posts)}</dt><dd data-testid="post-count">{count(p.media_count)}</dd></div>
                    </dl>
                </div>
            </div>
            <div class="dash-controls">
                {(d.accounts.len() > 1).then(|| view! {
                    <nav class="segmented" aria-label=td_string!(locale, dashboard.account_nav)>
                        {d.accounts.clone().into_iter().map(|a| {
                            let selected = a.connection_id == current;
                            // A plain link (the router still takes the click): `A` marks every link
                            // to this path as the current page, whatever its query.
                            view! { <a href=href(Some(a.connection_id), days) aria-current=selected.then_some("true") translate="no">"@"{a.username.clone()}</a> }
                        }).collect_view()}
                    </nav>
                })}
                <nav class="segmented" aria-label=td_string!(locale, dashboard.range_nav)>
                    {RANGES.iter().map(|r| {
                        let r = *r;
                        let selected = r == days;
                        view! { <a href=href(account, r) aria-current=selected.then_some("true")>{td_string!(locale, dashboard.range_days, count = r).to_string()}</a> }
                    }).collect_view()}
                </nav>
                <button type="button" class="button" data-testid="refresh" aria-busy=move || refresh.pending().get().to_string()
                    on:click=move |_| { refresh.dispatch(current); } disabled=move || refresh.pending().get()>
                    {move || if refresh.pending().get() { td_string!(locale, dashboard.refreshing) } else { td_string!(locale, dashboard.refresh) }}
                </button>
                <span class="muted fetched" data-testid="fetched-at">{fetched_at(locale, fetched)}</span>
            </div>
        </section>
    }
}

/// "Fetched at 14:05 UTC" (the figures are cached; Refresh reads them again).
fn fetched_at(locale: Locale, unix: i64) -> String {
    match chrono::DateTime::from_timestamp(unix, 0).filter(|_| unix > 0) {
        Some(t) => td_string!(locale, dashboard.fetched_at, time = clock_utc(t)).to_string(),
        None => String::new(),
    }
}

/// "20 Nov to 26 Nov (UTC), compared with the 7 days before. Up to 26 Nov: Instagram reports
/// with a delay of up to 48 hours."
pub fn range_note(locale: Locale, d: &crealia_model::AccountInsights) -> String {
    let short = |day: &str| -> String {
        match parse_date(day) {
            Some(date) => {
                use chrono::Datelike;
                format!("{} {}", date.day(), month_short(locale, date.month()))
            }
            None => day.to_string(),
        }
    };
    let (since, until) = (short(&d.since), short(&d.until));
    if d.delay_days > 0 {
        td_string!(locale, dashboard.range_note_delayed, since = &since, until = &until, days = d.range_days).to_string()
    } else {
        td_string!(locale, dashboard.range_note, since = &since, until = &until, days = d.range_days).to_string()
    }
}

/// A metric's name in the page's language (`None` for one this version does not know).
fn metric_label(locale: Locale, name: &str) -> Option<String> {
    let label = match name {
        "views" => td_string!(locale, dashboard.metric_views),
        "reach" => td_string!(locale, dashboard.metric_reach),
        "accounts_engaged" => td_string!(locale, dashboard.metric_accounts_engaged),
        "total_interactions" => td_string!(locale, dashboard.metric_total_interactions),
        "likes" => td_string!(locale, dashboard.metric_likes),
        "comments" => td_string!(locale, dashboard.metric_comments),
        "shares" => td_string!(locale, dashboard.metric_shares),
        "saves" => td_string!(locale, dashboard.metric_saves),
        "follows_and_unfollows" => td_string!(locale, dashboard.metric_follows_and_unfollows),
        "profile_links_taps" => td_string!(locale, dashboard.metric_profile_links_taps),
        _ => return None,
    };
    Some(label.to_string())
}

/// The range's metrics, trends and recent posts.
#[component]
fn Insights(d: Dashboard) -> impl IntoView {
    let i18n = use_i18n();
    let d = d.insights;
    let locale = i18n.get_locale_untracked();
    let download = move |file: &'static str| -> &'static str {
        match file {
            "figures.csv" => td_string!(locale, dashboard.download_figures),
            "daily.csv" => td_string!(locale, dashboard.download_daily),
            "posts.csv" => td_string!(locale, dashboard.download_posts),
            "reach.svg" => td_string!(locale, dashboard.download_reach),
            "reach.png" => td_string!(locale, dashboard.download_reach_png),
            "followers.svg" => td_string!(locale, dashboard.download_followers),
            _ => td_string!(locale, dashboard.download_followers_png),
        }
    };
    view! {
        <p class="muted range-note" data-testid="range-note">{range_note(locale, &d)}</p>
        <section class="metrics" aria-label=td_string!(locale, dashboard.metrics_label)>
            {d.metrics.iter().cloned().map(|m| view! { <MetricCard m /> }).collect_view()}
        </section>
        <section class="charts">
            <LineChart title=td_string!(locale, dashboard.chart_reach_title) points=d.reach.clone() />
            <LineChart title=td_string!(locale, dashboard.chart_followers_title) points=d.followers.clone() bars=true />
        </section>
        <nav class="downloads" aria-label=td_string!(locale, dashboard.downloads_label)>
            {["figures.csv", "daily.csv", "posts.csv", "reach.svg", "reach.png", "followers.svg", "followers.png"]
                .into_iter()
                .map(|file| view! {
                    <a href=format!("/api/instagram/export/{file}?account={}&days={}", d.connection_id, d.range_days) download="" rel="external">{download(file)}</a>
                })
                .collect_view()}
        </nav>
        <section aria-labelledby="recent-posts">
            <h2 id="recent-posts">{td_string!(locale, dashboard.recent_posts)}</h2>
            {if d.posts.is_empty() {
                view! { <p class="muted">{td_string!(locale, dashboard.no_posts)}</p> }.into_any()
            } else {
                view! { <ul class="posts">{d.posts.iter().cloned().map(|post| view! { <PostCard post /> }).collect_view()}</ul> }.into_any()
            }}
        </section>
    }
}

#[component]
fn MetricCard(m: MetricSummary) -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.get_locale_untracked();
    let change = m.change_percent();
    let (name, fallback) = (m.name.clone(), m.label.clone());
    view! {
        <article class="card metric" data-testid=format!("metric-{}", m.name)>
            <h3>{metric_label(locale, &name).unwrap_or(fallback)}</h3>
            {match m.total {
                Some(v) => view! { <p class="metric-value">{number(locale, v)}</p> }.into_any(),
                None => view! { <p class="metric-value metric-missing">{td_string!(locale, dashboard.not_available)}</p> }.into_any(),
            }}
            {change.map(|c| {
                let (class, arrow) = if c >= 0.0 { ("change up", "▲") } else { ("change down", "▼") };
                view! { <p class=class>{td_string!(locale, dashboard.metric_change, arrow = arrow, change = percent(locale, c.abs(), 1)).to_string()}</p> }
            })}
        </article>
    }
}

#[component]
fn PostCard(post: Post) -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.get_locale_untracked();
    let caption: String = post.caption.clone().unwrap_or_default().chars().take(90).collect();
    let kind = post.media_product_type.clone().or(post.media_type.clone()).unwrap_or_default();
    let date = post.timestamp.clone().map(|t| t.chars().take(10).collect::<String>()).unwrap_or_default();
    // A kind this version does not know is shown as Instagram names it.
    let kind_view = if crate::locale::media_code(Locale::en, &kind).is_some() {
        view! { <span class="pill">{crate::locale::media_code(locale, &kind)}</span> }.into_any()
    } else {
        view! { <span class="pill" translate="no">{kind}</span> }.into_any()
    };
    view! {
        <li class="card post">
            <p class="post-meta">{kind_view}<span class="muted">{date}</span></p>
            <p class="post-caption" translate="no">{caption}</p>
            <dl class="post-stats">
                {stat(locale, td_string!(locale, dashboard.stat_reach), post.reach)}
                {stat(locale, td_string!(locale, dashboard.stat_views), post.views)}
                {stat(locale, td_string!(locale, dashboard.stat_likes), post.likes.map(|v| v as i64))}
                {stat(locale, td_string!(locale, dashboard.stat_comments), post.comments.map(|v| v as i64))}
                {stat(locale, td_string!(locale, dashboard.stat_saves), post.saves)}
            </dl>
            {post.permalink.map(|l| view! { <a href=l class="muted" rel="external noopener" target="_blank">{td_string!(locale, dashboard.open_on_instagram)}</a> })}
        </li>
    }
}

/// One figure of a post: its label and its value, or "—" when Instagram has none.
fn stat(locale: Locale, label: &'static str, v: Option<i64>) -> impl IntoView {
    view! { <div><dt>{label}</dt><dd>{v.map(|n| number(locale, n)).unwrap_or_else(|| "—".into())}</dd></div> }
}
