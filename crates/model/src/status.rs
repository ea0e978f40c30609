//! The control room's health: one item per service Crealia depends on, each green, amber or
//! red with a reason a creator understands and the time it last changed, and the figures
//! behind it. Served by `GET /api/status` and shown at `/dashboard/instagram`.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::connections::ConnectionState;

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Green,
    Amber,
    Red,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Green => "green",
            Level::Amber => "amber",
            Level::Red => "red",
        }
    }
}

/// One service's state: its level, why, since when (this level), and its figures.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Item<F> {
    pub level: Level,
    pub reason: String,
    pub since: DateTime<Utc>,
    #[serde(flatten)]
    pub figures: F,
}

/// Instagram's API: reachable, how fast, and how much of Meta's hourly budgets is used.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct GraphFigures {
    pub reachable: bool,
    pub latency_ms: Option<f64>,
    /// `X-App-Usage`: the most used of the app's budgets, in percent.
    pub app_usage_percent: Option<u32>,
    /// `X-Business-Use-Case-Usage`: the most used budget among the creator's accounts.
    pub account_usage_percent: Option<u32>,
    /// Minutes until Meta lets a throttled account call again.
    pub regain_access_minutes: Option<u32>,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct DatabaseFigures {
    pub latency_ms: Option<f64>,
    pub pool_in_use: u32,
    pub pool_max: u32,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct CacheFigures {
    pub redis_configured: bool,
    pub redis_up: bool,
    /// Share of requests answered by the cache over the last five minutes (this server).
    pub hit_ratio: Option<f64>,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct WebhookFigures {
    pub last_delivery_secs_ago: Option<i64>,
    /// Stored in the last hour (counted up to 10,000).
    pub deliveries_last_hour: i64,
    /// Refused by this server in the last hour (wrong signature, unreadable body).
    pub refusals_last_hour: u64,
    pub last_refusal_secs_ago: Option<i64>,
    /// Stored, waiting to become inbox items.
    pub backlog: i64,
    pub backlog_oldest_secs: Option<i64>,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SchedulerFigures {
    /// The creator's posts waiting to go out (scheduled or retrying).
    pub queued: i64,
    /// The post most behind its time, and by how long.
    pub oldest_overdue_post: Option<i64>,
    pub oldest_overdue_secs: Option<i64>,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct TokenFigures {
    /// The creator's accounts whose access ends within 10 days.
    pub expiring_soon: Vec<String>,
    /// Accounts Instagram no longer accepts: reconnect them.
    pub needs_reconnect: Vec<String>,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ServiceHealth {
    pub graph_api: Item<GraphFigures>,
    pub database: Item<DatabaseFigures>,
    pub cache: Item<CacheFigures>,
    pub webhooks: Item<WebhookFigures>,
    pub scheduler: Item<SchedulerFigures>,
    pub tokens: Item<TokenFigures>,
}

impl ServiceHealth {
    /// The worst of the items.
    pub fn level(&self) -> Level {
        [self.graph_api.level, self.database.level, self.cache.level, self.webhooks.level, self.scheduler.level, self.tokens.level]
            .into_iter()
            .max()
            .unwrap_or(Level::Green)
    }
}

/// One connected account, as the control room's card shows it.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AccountStatus {
    pub connection_id: i64,
    pub username: String,
    pub state: ConnectionState,
    pub token_expires_at: Option<DateTime<Utc>>,
    /// Followers, posts, views and reach over the last 7 days (None: Instagram could not be
    /// read, or the account must be reconnected).
    pub figures: Option<AccountFigures>,
    /// Posts published in the last 24 hours, and Instagram's limit (`content_publishing_limit`).
    pub quota_used: Option<u32>,
    pub quota_total: Option<u32>,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AccountFigures {
    pub followers: Option<u64>,
    pub posts: Option<u64>,
    pub views: Figure,
    pub reach: Figure,
}

/// A 7-day total and its change against the 7 days before, in percent.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Figure {
    pub total: Option<i64>,
    pub change_percent: Option<f64>,
}

/// `GET /api/status`: the signed-in creator's accounts and the services' health.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Status {
    pub generated_at: DateTime<Utc>,
    pub level: Level,
    pub accounts: Vec<AccountStatus>,
    pub services: ServiceHealth,
}
