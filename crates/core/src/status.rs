//! The control room's health (`GET /api/status`, `/dashboard/instagram`): each service
//! Crealia depends on, judged green, amber or red with a reason a creator understands.
//!
//! The shared probes (database, Redis, the Graph API's reachability, the webhook backlog) come
//! from [`HealthService`] (at most one probe a second, whoever asks); usage comes from the
//! Graph client's answers, hit ratios and refusals from this process's tallies; the scheduler
//! and tokens are the signed-in creator's own.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};
use crealia_graph::client::GraphClient;
use crealia_model::status::{
    AccountFigures, AccountStatus, CacheFigures, DatabaseFigures, Figure, GraphFigures, Item, Level, Reason, SchedulerFigures, ServiceHealth, Status,
    TokenFigures, WebhookFigures,
};
use crealia_model::ConnectionState;
use sqlx::PgPool;

use crate::cache::Cache;
use crate::connections::Connections;
use crate::creator_memo::CreatorMemo;
use crate::health::{HealthService, Status as Probe};
use crate::insights::Insights;
use crate::webhooks::Webhooks;
use crate::Result;

/// Usage of Meta's budgets (percent) from which the Graph API item turns amber, and red.
pub const USAGE_AMBER: u32 = 75;
pub const USAGE_RED: u32 = 95;
/// A Graph API slower than this is amber.
pub const GRAPH_SLOW: Duration = Duration::from_millis(1_500);
/// A database slower than this is amber, and so is a pool this full (percent).
pub const DATABASE_SLOW: Duration = Duration::from_millis(250);
pub const POOL_AMBER_PERCENT: u32 = 80;
/// A post this late is amber, and this late red.
pub const OVERDUE_AMBER: Duration = Duration::from_secs(60);
pub const OVERDUE_RED: Duration = Duration::from_secs(300);
/// Tokens ending within this are amber.
pub const TOKEN_WARNING_DAYS: i64 = 10;
/// Refusals in the last hour, the latest after the last good delivery, that make webhooks amber.
pub const REFUSALS_AMBER: u64 = 5;
/// Deliveries counted for "the last hour" at most.
pub const DELIVERY_COUNT_CAP: i64 = 10_000;
/// The publishing quota is read from Instagram at most this often per account.
const QUOTA_TTL: Duration = Duration::from_secs(60);
/// "Since" is remembered for this many (item, creator) pairs at most.
const SINCE_CAP: usize = 10_000;
/// A creator's status is assembled at most this often: an open control room asks every few
/// seconds and on every event of its live feed, and other tabs and API clients ask too.
pub const STATUS_MAX_AGE: Duration = Duration::from_secs(1);

#[derive(Clone)]
pub struct StatusService {
    db: PgPool,
    health: HealthService,
    cache: Cache,
    connections: Connections,
    insights: Insights,
    webhooks: Webhooks,
    /// The last count of deliveries in the last hour and when it was made (shared by every
    /// request of the next second, like the health probes).
    deliveries: Arc<tokio::sync::Mutex<Option<(std::time::Instant, i64)>>>,
    /// When each item (per creator where it is theirs) took its current level.
    since: Arc<Mutex<HashMap<(&'static str, i64), (Level, DateTime<Utc>)>>>,
    /// Each creator's status of the last [`STATUS_MAX_AGE`]; dropped at once when their live
    /// feed reports a change (a post scheduled, cancelled, published — on any server).
    memo: CreatorMemo<Status>,
}

impl StatusService {
    pub fn new(db: PgPool, health: HealthService, cache: Cache, connections: Connections, insights: Insights, webhooks: Webhooks) -> Self {
        StatusService {
            db,
            health,
            cache,
            connections,
            insights,
            webhooks,
            deliveries: Default::default(),
            since: Default::default(),
            memo: CreatorMemo::new(STATUS_MAX_AGE, None),
        }
    }

    /// Keeps each creator's status for [`STATUS_MAX_AGE`], dropped when their live feed reports
    /// a change. Without it (no change could drop it) nothing is kept.
    pub fn with_live(mut self, live: crate::inbox::LiveInbox) -> Self {
        self.memo = CreatorMemo::new(STATUS_MAX_AGE, Some(live));
        self
    }

    /// The creator's accounts and every service's health, as the creator may see them: at most
    /// [`STATUS_MAX_AGE`] old, and never older than their last change this server heard of.
    pub async fn status(&self, user_id: i64, now: DateTime<Utc>) -> Result<Status> {
        Ok(Status::clone(&*self.memo.get_or_load(user_id, || self.assemble(user_id, now)).await?))
    }

    async fn assemble(&self, user_id: i64, now: DateTime<Utc>) -> Result<Status> {
        let connections = self.connections.list(user_id).await?;
        let report = self.health.report().await;
        let (deliveries, scheduler) = tokio::join!(self.deliveries_last_hour(), self.scheduler(user_id, now));
        let checks = &report.checks;

        let graph = self.connections.graph();
        let ig_ids: Vec<&str> = connections.iter().map(|c| c.ig_user_id.as_str()).collect();
        let graph_item = graph_item(graph, &checks.graph_api.probe, &ig_ids);
        let database = {
            let (size, idle, max) = (self.db.size(), self.db.num_idle() as u32, self.db.options().get_max_connections());
            let figures = DatabaseFigures { latency_ms: checks.database.latency_ms, pool_in_use: size.saturating_sub(idle), pool_max: max };
            let (level, reason) = match checks.database.status {
                Probe::Ok if figures.latency_ms.is_some_and(|ms| ms > DATABASE_SLOW.as_secs_f64() * 1000.0) => (Level::Amber, Reason::DatabaseSlow),
                Probe::Ok if max > 0 && figures.pool_in_use * 100 >= max * POOL_AMBER_PERCENT => (Level::Amber, Reason::DatabaseBusy),
                Probe::Ok => (Level::Green, Reason::DatabaseOk),
                _ => (Level::Red, Reason::DatabaseDown),
            };
            (level, reason, figures)
        };
        let cache = {
            let hits = self.cache.recent_hits();
            let figures =
                CacheFigures { redis_configured: self.cache.redis_configured(), redis_up: checks.cache.redis.status == Probe::Ok, hit_ratio: hits.ratio() };
            let (level, reason) = match (figures.redis_configured, figures.redis_up) {
                (false, _) => (Level::Green, Reason::CacheMemoryOnly),
                (true, true) => (Level::Green, Reason::CacheOk),
                (true, false) => (Level::Red, Reason::CacheDown),
            };
            (level, reason, figures)
        };
        let webhooks = {
            let w = &checks.webhooks;
            let figures = WebhookFigures {
                last_delivery_secs_ago: w.last_received_secs_ago,
                deliveries_last_hour: deliveries.unwrap_or(0),
                refusals_last_hour: self.webhooks.refused_last_hour(),
                last_refusal_secs_ago: self.webhooks.last_refusal_secs_ago(),
                backlog: w.pending,
                backlog_oldest_secs: w.oldest_pending_secs,
            };
            let (level, reason) = if w.status == Probe::Down {
                (Level::Red, Reason::WebhooksUnreadable)
            } else if w.status == Probe::Degraded {
                (Level::Red, Reason::WebhooksBehind)
            } else if figures.refusals_last_hour >= REFUSALS_AMBER
                && figures.last_refusal_secs_ago.is_some_and(|refused| figures.last_delivery_secs_ago.is_none_or(|stored| refused < stored))
            {
                // Several refused and the last thing to arrive among them: Meta's deliveries may
                // all be (a wrong app secret). Junk between good deliveries does not count, and
                // one stranger's post is not enough to raise it.
                (Level::Amber, Reason::WebhooksRefused { count: figures.refusals_last_hour })
            } else {
                (Level::Green, Reason::WebhooksOk)
            };
            (level, reason, figures)
        };
        let scheduler = {
            let figures = scheduler?;
            let late = figures.oldest_overdue_secs.unwrap_or(0);
            let (level, reason) = if late >= OVERDUE_RED.as_secs() as i64 {
                (Level::Red, Reason::SchedulerStopped { minutes: late / 60 })
            } else if late >= OVERDUE_AMBER.as_secs() as i64 {
                (Level::Amber, Reason::SchedulerLate { seconds: late })
            } else if figures.queued > 0 {
                (Level::Green, Reason::SchedulerQueued { queued: figures.queued })
            } else {
                (Level::Green, Reason::SchedulerIdle)
            };
            (level, reason, figures)
        };
        let tokens = {
            let soon = now + chrono::Duration::days(TOKEN_WARNING_DAYS);
            let mut figures = TokenFigures::default();
            for c in &connections {
                match c.state {
                    ConnectionState::NeedsReconnect => figures.needs_reconnect.push(c.username.clone()),
                    ConnectionState::Active | ConnectionState::ExpiringSoon if c.token_expires_at.is_some_and(|at| at < soon) => {
                        figures.expiring_soon.push(c.username.clone())
                    }
                    _ => {}
                }
            }
            let (level, reason) = if !figures.needs_reconnect.is_empty() {
                (Level::Red, Reason::TokensRejected { accounts: figures.needs_reconnect.clone() })
            } else if !figures.expiring_soon.is_empty() {
                (Level::Amber, Reason::TokensExpiring { accounts: figures.expiring_soon.clone(), days: TOKEN_WARNING_DAYS })
            } else {
                (Level::Green, Reason::TokensOk)
            };
            (level, reason, figures)
        };

        let services = ServiceHealth {
            // Per creator: its level depends on their accounts' usage.
            graph_api: self.item("graph_api", user_id, graph_item, now),
            database: self.item("database", 0, database, now),
            cache: self.item("cache", 0, cache, now),
            webhooks: self.item("webhooks", 0, webhooks, now),
            scheduler: self.item("scheduler", user_id, scheduler, now),
            tokens: self.item("tokens", user_id, tokens, now),
        };
        let shown = connections.iter().filter(|c| c.state != ConnectionState::Disconnected);
        let accounts = futures_util::future::join_all(shown.map(|c| async move {
            let (figures, quota) = if c.state.is_usable() { tokio::join!(self.figures(user_id, c.id, now), self.quota(user_id, c.id)) } else { (None, None) };
            AccountStatus {
                connection_id: c.id,
                username: c.username.clone(),
                state: c.state,
                token_expires_at: c.token_expires_at,
                figures,
                quota_used: quota.map(|(used, _)| used),
                quota_total: quota.and_then(|(_, total)| total),
            }
        }))
        .await;
        Ok(Status { generated_at: now, level: services.level(), accounts, services })
    }

    /// Deliveries in the last hour, counted at most once per [`crate::health::REPORT_MAX_AGE`].
    async fn deliveries_last_hour(&self) -> Result<i64> {
        let mut last = self.deliveries.lock().await;
        if let Some((at, n)) = *last {
            if at.elapsed() < crate::health::REPORT_MAX_AGE {
                return Ok(n);
            }
        }
        let n = deliveries_last_hour(&self.db).await?;
        *last = Some((std::time::Instant::now(), n));
        Ok(n)
    }

    /// The account's 7-day figures, from the dashboard's cache (read from Instagram on a miss).
    async fn figures(&self, user_id: i64, connection_id: i64, now: DateTime<Utc>) -> Option<AccountFigures> {
        let dashboard = self.insights.dashboard(user_id, Some(connection_id), 7, now).await.ok()?;
        let d = &dashboard.insights;
        let figure =
            |name: &str| d.metrics.iter().find(|m| m.name == name).map(|m| Figure { total: m.total, change_percent: m.change_percent() }).unwrap_or_default();
        Some(AccountFigures { followers: d.profile.followers, posts: d.profile.media_count, views: figure("views"), reach: figure("reach") })
    }

    /// Posts published in the last 24 h and the quota, cached for a minute.
    async fn quota(&self, user_id: i64, connection_id: i64) -> Option<(u32, Option<u32>)> {
        let account = self.connections.account(user_id, Some(connection_id)).await.ok()?;
        let key = account.keys().publishing_limit();
        self.cache.get_or_load(&key, QUOTA_TTL, async || Ok(account.call(async |graph, token, ig| graph.publishing_limit(token, ig).await).await?)).await.ok()
    }

    /// An item with the time its level last changed (as this process saw it).
    fn item<F>(&self, name: &'static str, owner: i64, (level, cause, figures): (Level, Reason, F), now: DateTime<Utc>) -> Item<F> {
        let mut since = self.since.lock().unwrap_or_else(|p| p.into_inner());
        if since.len() >= SINCE_CAP && !since.contains_key(&(name, owner)) {
            since.clear();
        }
        let entry = since.entry((name, owner)).or_insert((level, now));
        if entry.0 != level {
            *entry = (level, now);
        }
        Item { level, reason: cause.to_string(), cause, since: entry.1, figures }
    }

    /// The creator's queued posts, and the one most behind its time (a post waiting for
    /// Instagram — processing, quota — is not late).
    async fn scheduler(&self, user_id: i64, now: DateTime<Utc>) -> Result<SchedulerFigures> {
        let (queued, post, late): (i64, Option<i64>, Option<f64>) = sqlx::query_as(
            "WITH queued AS (
                 SELECT id, CASE WHEN status = 'PENDING' THEN next_attempt_at ELSE lease_until END AS due, waiting_since
                 FROM scheduled_posts WHERE user_id = $1 AND status IN ('PENDING', 'PUBLISHING'))
             SELECT (SELECT count(*) FROM queued), late.id, extract(epoch FROM $2 - late.due)::float8
             FROM (SELECT 1) one
             LEFT JOIN LATERAL (SELECT id, due FROM queued WHERE waiting_since IS NULL AND due < $2 ORDER BY due LIMIT 1) late ON true",
        )
        .bind(user_id)
        .bind(now)
        .fetch_one(&self.db)
        .await?;
        Ok(SchedulerFigures { queued, oldest_overdue_post: post, oldest_overdue_secs: late.map(|s| s as i64) })
    }
}

/// Deliveries stored in the last hour, newest first through the primary key, counted up to
/// [`DELIVERY_COUNT_CAP`] (never a scan of the whole table).
async fn deliveries_last_hour(db: &PgPool) -> Result<i64> {
    Ok(sqlx::query_scalar(
        "SELECT count(*) FROM (SELECT received_at FROM webhook_deliveries ORDER BY id DESC LIMIT $1) recent
         WHERE received_at > now() - interval '1 hour'",
    )
    .bind(DELIVERY_COUNT_CAP)
    .fetch_one(db)
    .await?)
}

/// Reachability and latency from the probe; usage from the answers to Crealia's calls.
fn graph_item(graph: &GraphClient, probe: &crate::health::Check, ig_ids: &[&str]) -> (Level, Reason, GraphFigures) {
    let usage = graph.usage();
    let app = usage.app().map(|s| s.value.highest());
    let accounts: Vec<_> = ig_ids.iter().filter_map(|id| usage.account(id)).map(|s| s.value).collect();
    let account = accounts.iter().map(|u| u.highest()).max();
    let regain = accounts.iter().map(|u| u.estimated_time_to_regain_access).max().filter(|m| *m > 0);
    let figures = GraphFigures {
        reachable: probe.status == Probe::Ok,
        latency_ms: probe.latency_ms,
        app_usage_percent: app,
        account_usage_percent: account,
        regain_access_minutes: regain,
    };
    let busiest = app.into_iter().chain(account).max().unwrap_or(0);
    let (level, reason) = if !figures.reachable {
        (Level::Red, Reason::GraphDown)
    } else if let Some(minutes) = regain {
        (Level::Red, Reason::GraphPaused { minutes })
    } else if busiest >= USAGE_RED {
        (Level::Red, Reason::GraphUsageRed { percent: busiest })
    } else if busiest >= USAGE_AMBER {
        (Level::Amber, Reason::GraphUsageAmber { percent: busiest })
    } else if figures.latency_ms.is_some_and(|ms| ms > GRAPH_SLOW.as_secs_f64() * 1000.0) {
        (Level::Amber, Reason::GraphSlow)
    } else {
        (Level::Green, Reason::GraphOk)
    };
    (level, reason, figures)
}
