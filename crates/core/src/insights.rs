//! The insights dashboard: profile, metric totals against the previous range, reach and
//! follower series, recent posts with their own insights. Every Graph API read goes through
//! the two-tier cache under a key scoped to the connection and the query.

use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use crealia_graph::client::{Error as GraphError, GraphClient};
use crealia_graph::wire::{InsightMetric, Page};
use crealia_model::{AccountInsights, AccountOption, Dashboard, MetricSummary, Point, Post, Profile, RANGES};

use crate::account::Account;
use crate::account_cache::{AccountKeys, Change};
use crate::cache::Cache;
use crate::connections::Connections;
use crate::{Error, Result};
use crealia_model::problem::Problem;

/// The metrics the current API offers, in the order the dashboard shows them.
pub const METRICS: &[(&str, &str)] = &[
    ("views", "Views"),
    ("reach", "Accounts reached"),
    ("accounts_engaged", "Accounts engaged"),
    ("total_interactions", "Interactions"),
    ("likes", "Likes"),
    ("comments", "Comments"),
    ("shares", "Shares"),
    ("saves", "Saves"),
    ("follows_and_unfollows", "Follows and unfollows"),
    ("profile_links_taps", "Profile link taps"),
];

const POSTS: u32 = 6;

/// The insights of a post the dashboard and the analytics ask Instagram for.
pub fn post_metrics(media_product_type: Option<&str>) -> &'static [&'static str] {
    match media_product_type {
        Some("STORY") => &["reach", "views", "shares"],
        _ => &["reach", "views", "saved", "shares", "total_interactions"],
    }
}
/// How long a dashboard missing a post's insights is kept.
pub(crate) const INCOMPLETE_TTL: Duration = Duration::from_secs(30);
const DAY: i64 = 86_400;
/// Instagram reports a day up to 48 h after it ends: the last days before today are looked at
/// to find the last one it has reported.
const DELAY_PROBE_DAYS: i64 = 4;
/// Assumed when none of those days is reported yet (the documented longest delay).
const DOCUMENTED_DELAY_DAYS: i64 = 2;

/// How long each kind of data stays cached.
#[derive(Clone, Debug)]
pub struct InsightsTtl {
    pub insights: Duration,
    pub profile: Duration,
    pub media: Duration,
    /// The refresh button works once per this long per account.
    pub refresh_cooldown: Duration,
}

impl Default for InsightsTtl {
    fn default() -> Self {
        InsightsTtl {
            insights: Duration::from_secs(24 * 3_600),
            profile: Duration::from_secs(3_600),
            media: Duration::from_secs(3_600),
            refresh_cooldown: Duration::from_secs(60),
        }
    }
}

#[derive(Clone)]
pub struct Insights {
    cache: Cache,
    connections: Connections,
    ttl: InsightsTtl,
}

fn day_string(ts: i64) -> String {
    Utc.timestamp_opt(ts, 0).single().map(|d| d.format("%Y-%m-%d").to_string()).unwrap_or_default()
}

fn series(page: &Page<InsightMetric>, name: &str) -> Vec<Point> {
    page.data
        .iter()
        .find(|m| m.name == name)
        .and_then(|m| m.values.as_ref())
        .map(|values| {
            values
                .iter()
                .filter_map(|v| {
                    let end = graph_time(v.end_time.as_deref()?)?;
                    Some(Point { day: day_string(end.timestamp() - DAY), value: v.value.as_i64()? })
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The end (exclusive, unix seconds) of the last day Instagram has reported, from a daily
/// series over the days before `until` (today's start): ranges end there, so the current and
/// the previous range both hold whole reported days and compare like with like.
fn reported_until(probe: &[Point], until: i64) -> i64 {
    probe
        .iter()
        .filter_map(|p| chrono::NaiveDate::parse_from_str(&p.day, "%Y-%m-%d").ok())
        .map(|day| day.and_hms_opt(0, 0, 0).map(|t| t.and_utc().timestamp()).unwrap_or(0) + DAY)
        .filter(|end| *end <= until)
        .max()
        .unwrap_or(until - DOCUMENTED_DELAY_DAYS * DAY)
}

fn total(page: &Page<InsightMetric>, name: &str) -> Option<i64> {
    page.data.iter().find(|m| m.name == name).and_then(|m| m.total_value.as_ref()).map(|t| t.value)
}

/// A time as the Graph API writes it (`2017-05-04T07:00:00+0000`).
pub(crate) fn graph_time(text: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%z").ok().map(|t| t.with_timezone(&Utc))
}

/// A post's lifetime figure `name` from its insights.
pub(crate) fn lifetime(page: &Page<InsightMetric>, name: &str) -> Option<i64> {
    page.data.iter().find(|m| m.name == name).and_then(|m| m.values.as_ref()?.first()?.value.as_i64())
}

impl Insights {
    pub fn new(cache: Cache, connections: Connections, ttl: InsightsTtl) -> Self {
        Insights { cache, connections, ttl }
    }

    /// How long each kind of data stays cached (the analytics keep theirs as long).
    pub fn ttl(&self) -> &InsightsTtl {
        &self.ttl
    }

    /// The dashboard of one of the user's connections (the first when `connection_id` is None)
    /// over the `range_days` days before today (UTC).
    pub async fn dashboard(&self, user_id: i64, connection_id: Option<i64>, range_days: u32, now: DateTime<Utc>) -> Result<Dashboard> {
        if !RANGES.contains(&range_days) {
            return Err(Error::Refused(Problem::RangeNotOffered));
        }
        let account = self.connections.account(user_id, connection_id).await?;
        let (account, keys) = (&account, account.keys());
        // Whole UTC days, so every load in a day asks the same queries (and hits the cache).
        let until = now.timestamp().div_euclid(DAY) * DAY;

        // Assembled once and shared: a hit decodes and computes nothing. A dashboard with a
        // post whose insights failed is kept briefly, so the next load asks for them again.
        let whole = self.ttl.insights.min(self.ttl.profile).min(self.ttl.media);
        let shared = self
            .cache
            .get_or_load_shared(&keys.dashboard(range_days, until), async || {
                // Boxed: the assembly's future is large, and this one sits inside the cache's.
                let (dashboard, complete) = Box::pin(self.assemble(account, &keys, range_days, until)).await?;
                Ok((dashboard, if complete { whole } else { whole.min(INCOMPLETE_TTL) }))
            })
            .await?;
        // The creator's other accounts: this request's list, never cached.
        let accounts = account.all().iter().map(|c| AccountOption { connection_id: c.id, username: c.username.clone() }).collect();
        Ok(Dashboard { accounts, insights: shared })
    }

    /// The dashboard from its cached parts (each read from Instagram on a miss); false when a
    /// post's insights could not be read.
    async fn assemble(&self, account: &Account, keys: &AccountKeys, range_days: u32, until: i64) -> Result<(AccountInsights, bool)> {
        let span = range_days as i64 * DAY;
        // The ranges end at the last reported day: found first, while the profile and the
        // posts load.
        let windows = async {
            let probe = self.series(account, keys, "reach", until - DELAY_PROBE_DAYS * DAY, until, self.ttl.profile).await?;
            let end = reported_until(&series(&probe, "reach"), until);
            let (since, before) = (end - span, end - 2 * span);
            let (current, previous, reach, followers) = tokio::join!(
                self.totals(account, keys, since, end),
                self.totals(account, keys, before, since),
                self.series(account, keys, "reach", since, end, self.ttl.insights),
                self.series(account, keys, "follower_count", since, end, self.ttl.insights),
            );
            Ok::<_, Error>((since, end, current?, previous?, reach?, followers?))
        };
        let (profile, media, windows) = tokio::join!(self.profile(account, keys), self.media(account, keys), windows);
        let (profile, media, (since, end, current, previous, reach, followers)) = (profile?, media?, windows?);

        let complete = std::sync::atomic::AtomicBool::new(true);
        let posts = futures_util::future::join_all(media.data.into_iter().map(|m| {
            let complete = &complete;
            async move {
                let metrics = post_metrics(m.media_product_type.as_deref());
                let insights = self.media_insights(account, keys, &m.id.0, metrics).await;
                // One post's insights failing must not hide the others.
                let insights = insights.unwrap_or_else(|_| {
                    complete.store(false, std::sync::atomic::Ordering::Relaxed);
                    Page { data: Vec::new(), paging: None }
                });
                Post {
                    id: m.id.0.clone(),
                    caption: m.caption,
                    media_type: m.media_type,
                    media_product_type: m.media_product_type,
                    permalink: m.permalink,
                    timestamp: m.timestamp,
                    likes: m.like_count,
                    comments: m.comments_count,
                    reach: lifetime(&insights, "reach"),
                    views: lifetime(&insights, "views"),
                    saves: lifetime(&insights, "saved"),
                    shares: lifetime(&insights, "shares"),
                }
            }
        }))
        .await;

        let dashboard = AccountInsights {
            connection_id: account.id(),
            profile: Profile {
                username: profile.username.unwrap_or_else(|| account.connection().username.clone()),
                name: profile.name,
                profile_picture_url: profile.profile_picture_url,
                followers: profile.followers_count,
                follows: profile.follows_count,
                media_count: profile.media_count,
            },
            range_days,
            since: day_string(since),
            until: day_string(end - DAY),
            delay_days: ((until - end) / DAY).max(0) as u32,
            fetched_at: Utc::now().timestamp(),
            metrics: METRICS
                .iter()
                .map(|(name, label)| MetricSummary {
                    name: name.to_string(),
                    label: label.to_string(),
                    total: total(&current, name),
                    previous: total(&previous, name),
                })
                .collect(),
            reach: series(&reach, "reach"),
            followers: series(&followers, "follower_count"),
            posts,
        };
        Ok((dashboard, complete.into_inner()))
    }

    /// One Graph API read on the account through the cache; a failure becomes the error the
    /// creator meets.
    pub(crate) async fn cached<T, F>(&self, account: &Account, key: &str, ttl: Duration, call: F) -> Result<T>
    where
        T: serde::Serialize + serde::de::DeserializeOwned,
        F: AsyncFnOnce(&GraphClient, &str, &str) -> std::result::Result<T, GraphError>,
    {
        self.cache.get_or_load(key, ttl, || async { Ok(account.call(call).await?) }).await
    }

    pub(crate) async fn profile(&self, account: &Account, keys: &AccountKeys) -> Result<crealia_graph::wire::Profile> {
        self.cached(account, &keys.profile(), self.ttl.profile, async |graph, token, _| graph.me(token).await).await
    }

    async fn totals(&self, account: &Account, keys: &AccountKeys, since: i64, until: i64) -> Result<Page<InsightMetric>> {
        let metrics: Vec<&str> = METRICS.iter().map(|(m, _)| *m).collect();
        self.cached(account, &keys.totals(since, until), self.ttl.insights, async |graph, token, ig| {
            graph.account_insights(token, ig, &metrics, "total_value", since, until).await
        })
        .await
    }

    async fn series(&self, account: &Account, keys: &AccountKeys, metric: &str, since: i64, until: i64, ttl: Duration) -> Result<Page<InsightMetric>> {
        self.cached(account, &keys.series(metric, since, until), ttl, async |graph, token, ig| {
            graph.account_insights(token, ig, &[metric], "time_series", since, until).await
        })
        .await
    }

    async fn media(&self, account: &Account, keys: &AccountKeys) -> Result<Page<crealia_graph::wire::Media>> {
        self.cached(account, &keys.media(POSTS), self.ttl.media, async |graph, token, ig| graph.recent_media(token, ig, POSTS).await).await
    }

    async fn media_insights(&self, account: &Account, keys: &AccountKeys, media_id: &str, metrics: &[&str]) -> Result<Page<InsightMetric>> {
        self.cached(account, &keys.media_insights(media_id), self.ttl.insights, async |graph, token, _| graph.media_insights(token, media_id, metrics).await)
            .await
    }

    /// The refresh button: drops the account's cached data everywhere, at most once per cooldown.
    pub async fn refresh(&self, user_id: i64, connection_id: i64) -> Result<()> {
        if !self.connections.list(user_id).await?.iter().any(|c| c.id == connection_id) {
            return Err(Error::NotFound);
        }
        let gate = format!("refresh-gate:{connection_id}");
        if self.cache.get_bytes(&gate).await.is_some() {
            return Err(Error::Throttled { retry_after_secs: self.ttl.refresh_cooldown.as_secs() });
        }
        self.cache.set_bytes(&gate, Vec::new().into(), Some(self.ttl.refresh_cooldown)).await;
        self.connections.invalidate_cache(connection_id, Change::Everything).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn points(days: &[&str]) -> Vec<Point> {
        days.iter().map(|d| Point { day: d.to_string(), value: 100 }).collect()
    }

    fn start(day: &str) -> i64 {
        chrono::NaiveDate::parse_from_str(day, "%Y-%m-%d").unwrap().and_hms_opt(0, 0, 0).unwrap().and_utc().timestamp()
    }

    #[test]
    fn ranges_end_at_the_last_reported_day() {
        let today = start("2026-11-30");
        // The sandbox at 13:00 with its 48 h delay: the 26th and 27th are reported, not the
        // 28th and 29th.
        assert_eq!(reported_until(&points(&["2026-11-26", "2026-11-27"]), today), start("2026-11-28"));
        assert_eq!(reported_until(&points(&["2026-11-26", "2026-11-27", "2026-11-28", "2026-11-29"]), today), today, "no delay");
        assert_eq!(reported_until(&[], today), start("2026-11-28"), "nothing reported: the documented 48 h");
        assert_eq!(reported_until(&points(&["2026-12-03", "garbage"]), today), start("2026-11-28"), "never past today, never a panic");
    }

    #[test]
    fn a_steady_decline_reads_as_itself_not_as_the_missing_days() {
        // 60 days of a series falling 2 % a day, the last two not reported: 7 reported days
        // against the 7 before them fall by 1 - 0.98^7 ≈ 13 %, where 5 against 7 looked like 38 %.
        let today = start("2026-11-30");
        let value = |day: i64| (10_000.0 * 0.98f64.powi(day as i32)) as i64;
        let reported: Vec<Point> = (0..58).map(|d| Point { day: day_string(today - (60 - d) * DAY), value: value(d) }).collect();
        let end = reported_until(&reported[reported.len() - DELAY_PROBE_DAYS as usize + 2..], today);
        let sum = |from: i64, to: i64| -> i64 { reported.iter().filter(|p| (start(&p.day) >= from) && (start(&p.day) < to)).map(|p| p.value).sum() };
        let (current, previous) = (sum(end - 7 * DAY, end), sum(end - 14 * DAY, end - 7 * DAY));
        let change = MetricSummary { name: "reach".into(), label: String::new(), total: Some(current), previous: Some(previous) }.change_percent().unwrap();
        assert!((change + 13.2).abs() < 0.5, "{change}");
    }
}
