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

/// Why a service is at its level, as data: the app says it in the creator's language, and its
/// `Display` is the English sentence the JSON API also carries (`Item::reason`).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum Reason {
    DatabaseSlow,
    DatabaseBusy,
    DatabaseOk,
    DatabaseDown,
    CacheMemoryOnly,
    CacheOk,
    CacheDown,
    WebhooksUnreadable,
    WebhooksBehind,
    WebhooksRefused { count: u64 },
    WebhooksOk,
    SchedulerStopped { minutes: i64 },
    SchedulerLate { seconds: i64 },
    SchedulerQueued { queued: i64 },
    SchedulerIdle,
    TokensRejected { accounts: Vec<String> },
    TokensExpiring { accounts: Vec<String>, days: i64 },
    TokensOk,
    GraphDown,
    GraphPaused { minutes: u32 },
    GraphUsageRed { percent: u32 },
    GraphUsageAmber { percent: u32 },
    GraphSlow,
    GraphOk,
}

impl std::fmt::Display for Reason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Reason::DatabaseSlow => f.write_str("The database answers slowly: pages may take longer."),
            Reason::DatabaseBusy => f.write_str("The database's connections are nearly all in use: pages may wait."),
            Reason::DatabaseOk => f.write_str("The database answers quickly."),
            Reason::DatabaseDown => f.write_str("The database cannot be reached: nothing can be saved until it is back."),
            Reason::CacheMemoryOnly => f.write_str("Cached in this server's memory (no Redis configured)."),
            Reason::CacheOk => f.write_str("Redis and this server's memory answer."),
            Reason::CacheDown => f.write_str("Redis cannot be reached: figures come from this server's memory or from Instagram, more slowly."),
            Reason::WebhooksUnreadable => f.write_str("Deliveries from Instagram cannot be read from the database."),
            Reason::WebhooksBehind => f.write_str("Comments and messages from Instagram wait to be shown: the server that handles them is behind or stopped."),
            Reason::WebhooksRefused { count } => {
                write!(f, "{count} deliveries were refused in the last hour (wrong signature or unreadable): check the Instagram app secret.")
            }
            Reason::WebhooksOk => f.write_str("Comments and messages arrive as Instagram sends them."),
            Reason::SchedulerStopped { minutes } => write!(f, "A post is {minutes} minutes late: the scheduler may be stopped."),
            Reason::SchedulerLate { seconds } => write!(f, "A post is {seconds} seconds late."),
            Reason::SchedulerQueued { queued } => write!(f, "{queued} posts queued, all on time."),
            Reason::SchedulerIdle => f.write_str("No posts waiting."),
            Reason::TokensRejected { accounts } => write!(f, "Instagram no longer accepts @{}: reconnect it.", accounts.join(", @")),
            Reason::TokensExpiring { accounts, days } => {
                write!(f, "The access to @{} ends within {days} days; Crealia renews it on its own, or reconnect now.", accounts.join(", @"))
            }
            Reason::TokensOk => f.write_str("Every account's access is current."),
            Reason::GraphDown => f.write_str("Instagram cannot be reached: figures are from the cache and posts wait."),
            Reason::GraphPaused { minutes } => write!(f, "Instagram has paused calls for one of your accounts for about {minutes} minutes; Crealia waits."),
            Reason::GraphUsageRed { percent } => write!(f, "{percent} % of Instagram's hourly allowance is used: calls will be refused until it resets."),
            Reason::GraphUsageAmber { percent } => write!(f, "{percent} % of Instagram's hourly allowance is used: Crealia slows down."),
            Reason::GraphSlow => f.write_str("Instagram answers slowly."),
            Reason::GraphOk => f.write_str("Instagram answers normally."),
        }
    }
}

/// One service's state: its level, why (`cause`, and `reason`: the same in English), since
/// when (this level), and its figures.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Item<F> {
    pub level: Level,
    pub reason: String,
    pub cause: Reason,
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
