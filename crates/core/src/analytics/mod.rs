//! Analytics from the account's own data, without any outside service: when to post
//! ([`best_time`]), what works ([`what_works`]) and who the audience is ([`audience`]). The
//! Graph API reads go through the two-tier cache under the account's keys, all under its
//! account-wide generation: a post published reads them again, a comment does not (anyone can
//! write one, and a load reads up to 100 posts' insights). The assembled answer is kept for an
//! hour per day and time zone, 30 s when a post's insights could not be read; the posts are read
//! 5 pages at most.

pub mod audience;
pub mod best_time;
pub mod figures;
pub mod what_works;

use std::time::Duration;

use chrono::{DateTime, Utc};
use crealia_graph::client::GraphClient;
use crealia_graph::wire::{InsightMetric, Media, Page};
use crealia_model::analytics::{Analytics as AccountAnalytics, Audience, NotEnough};
use futures_util::StreamExt;

use self::best_time::OnlineDay;
use self::figures::PostFigures;
use crate::account::Account;
use crate::accounts::Accounts;
use crate::cache::Cache;
use crate::connections::Connections;
use crate::insights::{graph_time, Insights, INCOMPLETE_TTL};
use crate::{time_zones, Result};

const DAY: i64 = 86_400;
/// Instagram keeps `online_followers` for 30 days.
const ONLINE_DAYS: i64 = 30;
/// Posts compared at most, and how far back.
const POSTS: usize = 100;
const POSTS_SINCE_DAYS: i64 = 90;
/// Posts' insights read at once.
const CONCURRENT_READS: usize = 8;
/// Instagram shows demographics and online followers from this many followers.
const MIN_FOLLOWERS: u64 = 100;

/// Pages of posts read at most (50 a page).
const MAX_PAGES: usize = 5;

const ASSEMBLED_TTL: Duration = Duration::from_secs(3_600);

#[derive(Clone)]
pub struct Analytics {
    cache: Cache,
    connections: Connections,
    accounts: Accounts,
    /// Its cached Graph API reads and their lifetimes.
    insights: Insights,
}

impl Analytics {
    pub fn new(cache: Cache, connections: Connections, accounts: Accounts, insights: Insights) -> Self {
        Analytics { cache, connections, accounts, insights }
    }

    /// The analytics of one of the user's connections (the first when `connection_id` is None),
    /// on the user's clock.
    pub async fn load(&self, user_id: i64, connection_id: Option<i64>, now: DateTime<Utc>) -> Result<AccountAnalytics> {
        let time_zone = self.accounts.time_zone(user_id).await?.unwrap_or_else(|| "UTC".into());
        let account = self.connections.account(user_id, connection_id).await?;
        let today = now.timestamp().div_euclid(DAY) * DAY;
        let key = account.keys().analytics(today, &time_zone);
        // An answer missing posts (their insights could not be read) is kept briefly.
        self.cache
            .get_or_load_kept(&key, || async {
                let (analytics, complete) = Box::pin(self.assemble(&account, time_zone.clone(), today, now)).await?;
                Ok((analytics, if complete { ASSEMBLED_TTL } else { INCOMPLETE_TTL }))
            })
            .await
    }

    /// The analytics, and whether every post's insights were read.
    async fn assemble(&self, account: &Account, time_zone: String, today: i64, now: DateTime<Utc>) -> Result<(AccountAnalytics, bool)> {
        let tz = time_zones::zone(&time_zone);
        let keys = account.keys();
        let (profile, (posts, complete)) = tokio::try_join!(self.insights.profile(account, &keys), self.posts(account, now))?;
        let followers = profile.followers_count.unwrap_or(0);

        let (online, audience) = if followers >= MIN_FOLLOWERS {
            tokio::try_join!(self.online(account, today), self.audience(account))?
        } else {
            let not_enough = Some(NotEnough::Followers { have: followers, need: MIN_FOLLOWERS });
            (Vec::new(), Audience { timeframe: audience::TIMEFRAME.into(), followers: Vec::new(), engaged: Vec::new(), not_enough })
        };
        let scores = figures::scores(&posts);
        let mut best_times = best_time::best_times(&online, followers, &posts, &scores, tz, now);
        if followers < MIN_FOLLOWERS {
            best_times.not_enough = Some(NotEnough::Followers { have: followers, need: MIN_FOLLOWERS });
        }
        let analytics = AccountAnalytics {
            connection_id: account.id(),
            username: account.connection().username.clone(),
            time_zone,
            best_times,
            what_works: what_works::what_works(&posts, &scores),
            audience,
        };
        Ok((analytics, complete))
    }

    /// The days of `online_followers` Instagram reports among the last 30.
    async fn online(&self, account: &Account, today: i64) -> Result<Vec<OnlineDay>> {
        let (since, until) = (today - ONLINE_DAYS * DAY, today);
        let key = account.keys().series("online_followers", since, until);
        let page: Page<InsightMetric> =
            self.insights.cached(account, &key, self.insights.ttl().insights, async |g, t, ig| g.online_followers(t, ig, since, until).await).await?;
        Ok(online_days(&page))
    }

    /// The account's posts of the last 90 days (100 at most) with their figures, and whether
    /// every one's insights were read (a post whose insights cannot be read is left out).
    async fn posts(&self, account: &Account, now: DateTime<Utc>) -> Result<(Vec<PostFigures>, bool)> {
        let oldest = now - chrono::Duration::days(POSTS_SINCE_DAYS);
        let media: Vec<Media> = self
            .cache
            .get_or_load(&account.keys().media_history(POSTS), self.insights.ttl().media, || async {
                let mut kept: Vec<Media> = Vec::new();
                let mut after: Option<String> = None;
                // A few pages at most, whatever Instagram answers (an empty page or a cursor
                // seen before ends it too).
                for _ in 0..MAX_PAGES {
                    let cursor = after.clone();
                    let page = account.call(async |g: &GraphClient, t: &str, ig: &str| g.media_page(t, ig, 50, cursor.as_deref()).await).await?;
                    let next = page.paging.as_ref().filter(|p| p.next.is_some()).and_then(|p| p.cursors.as_ref()?.after.clone());
                    let done = page.data.is_empty() || page.data.iter().any(|m| posted_at(m).is_some_and(|at| at < oldest));
                    kept.extend(page.data.into_iter().filter(|m| posted_at(m).is_some_and(|at| at >= oldest)));
                    match next {
                        Some(cursor) if !done && kept.len() < POSTS && after.as_ref() != Some(&cursor) => after = Some(cursor),
                        _ => break,
                    }
                }
                kept.truncate(POSTS);
                Ok::<_, crate::Error>(kept)
            })
            .await?;
        let keys = account.keys();
        let read = futures_util::stream::iter(media.into_iter().filter(|m| m.media_product_type.as_deref() != Some("STORY")))
            .map(|m| {
                let keys = &keys;
                async move {
                    let metrics = crate::insights::post_metrics(m.media_product_type.as_deref());
                    let key = keys.post_figures(&m.id.0);
                    let insights: Result<Page<InsightMetric>> =
                        self.insights.cached(account, &key, self.insights.ttl().insights, async |g, t, _| g.media_insights(t, &m.id.0, metrics).await).await;
                    insights.ok().map(|i| figures_of(&m, i))
                }
            })
            .buffered(CONCURRENT_READS)
            .collect::<Vec<Option<Option<PostFigures>>>>()
            .await;
        let complete = read.iter().all(Option::is_some);
        Ok((read.into_iter().flatten().flatten().collect(), complete))
    }

    /// Followers and engaged audience by each dimension (one call per dimension).
    async fn audience(&self, account: &Account) -> Result<Audience> {
        let keys = account.keys();
        let pages = futures_util::future::try_join_all(audience::DIMENSIONS.iter().map(|dimension| {
            let key = keys.demographics(dimension, audience::TIMEFRAME);
            async move {
                let ttl = self.insights.ttl().insights;
                self.insights.cached(account, &key, ttl, async |g, t, ig| g.demographics(t, ig, dimension, audience::TIMEFRAME).await).await
            }
        }))
        .await?;
        let of = |metric: &str| {
            audience::DIMENSIONS.iter().zip(&pages).map(|(d, page)| audience::breakdown(page, metric, d)).filter(|b| !b.entries.is_empty()).collect()
        };
        Ok(Audience {
            timeframe: audience::TIMEFRAME.into(),
            followers: of("follower_demographics"),
            engaged: of("engaged_audience_demographics"),
            not_enough: None,
        })
    }
}

fn posted_at(m: &Media) -> Option<DateTime<Utc>> {
    graph_time(m.timestamp.as_deref()?)
}

/// A post as the analytics compare it; None without a time.
fn figures_of(m: &Media, insights: Page<InsightMetric>) -> Option<PostFigures> {
    let format = match m.media_product_type.as_deref() {
        Some("REELS") => "REELS".to_string(),
        _ => m.media_type.clone().unwrap_or_else(|| "IMAGE".into()),
    };
    let interactions = crate::insights::lifetime(&insights, "total_interactions").or_else(|| Some(m.like_count? as i64 + m.comments_count.unwrap_or(0) as i64));
    Some(PostFigures {
        at: posted_at(m)?,
        format,
        hashtags: m.caption.as_deref().map(figures::hashtags).unwrap_or_default(),
        reach: crate::insights::lifetime(&insights, "reach"),
        saves: crate::insights::lifetime(&insights, "saved"),
        shares: crate::insights::lifetime(&insights, "shares"),
        interactions,
    })
}

/// The days of an `online_followers` answer: each value's hours are counted from its
/// `end_time` less a day.
fn online_days(page: &Page<InsightMetric>) -> Vec<OnlineDay> {
    page.data
        .iter()
        .filter(|m| m.name == "online_followers")
        .filter_map(|m| m.values.as_ref())
        .flatten()
        .filter_map(|v| {
            let end = graph_time(v.end_time.as_deref()?)?;
            let hours = v.value.as_object()?;
            let mut by_hour = [None; 24];
            for (h, slot) in by_hour.iter_mut().enumerate() {
                *slot = hours.get(&h.to_string()).and_then(|n| n.as_i64());
            }
            let start = end.checked_sub_signed(chrono::Duration::days(1))?;
            by_hour.iter().any(Option::is_some).then_some(OnlineDay { start, by_hour })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn online_days_start_a_day_before_their_end_time_and_skip_empty_days() {
        let page: Page<InsightMetric> = serde_json::from_value(serde_json::json!({"data": [{
            "name": "online_followers", "period": "lifetime", "id": "1/insights/online_followers/lifetime",
            "values": [
                {"value": {"0": 5, "23": 9}, "end_time": "2026-11-29T08:00:00+0000"},
                {"value": {}, "end_time": "2026-11-30T08:00:00+0000"}
            ]
        }]}))
        .unwrap();
        let days = online_days(&page);
        assert_eq!(days.len(), 1);
        assert_eq!(days[0].start.to_rfc3339(), "2026-11-28T08:00:00+00:00");
        assert_eq!((days[0].by_hour[0], days[0].by_hour[1], days[0].by_hour[23]), (Some(5), None, Some(9)));
    }
}
