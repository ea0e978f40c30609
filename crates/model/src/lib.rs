//! What Crealia's pages display. Plain serde types with no server dependency, so the services
//! build them and the WASM front end reads them.

use serde::{Deserialize, Serialize};

/// The ranges the dashboard offers (the Graph API allows at most 30 days per call).
pub const RANGES: [u32; 3] = [7, 14, 30];

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountOption {
    pub connection_id: i64,
    pub username: String,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Profile {
    pub username: String,
    pub name: Option<String>,
    pub profile_picture_url: Option<String>,
    pub followers: Option<u64>,
    pub follows: Option<u64>,
    pub media_count: Option<u64>,
}

/// One metric over the range and the range before it. `None`: the API has no data (yet).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MetricSummary {
    pub name: String,
    pub label: String,
    pub total: Option<i64>,
    pub previous: Option<i64>,
}

impl MetricSummary {
    /// Percentage change against the previous range, when both are known and the previous is
    /// not zero.
    pub fn change_percent(&self) -> Option<f64> {
        match (self.total, self.previous) {
            (Some(now), Some(before)) if before != 0 => Some((now - before) as f64 * 100.0 / before as f64),
            _ => None,
        }
    }
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Point {
    /// `YYYY-MM-DD` of the day the value belongs to.
    pub day: String,
    pub value: i64,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Post {
    pub id: String,
    pub caption: Option<String>,
    pub media_type: Option<String>,
    pub media_product_type: Option<String>,
    pub permalink: Option<String>,
    pub timestamp: Option<String>,
    pub likes: Option<u64>,
    pub comments: Option<u64>,
    pub reach: Option<i64>,
    pub views: Option<i64>,
    pub saves: Option<i64>,
    pub shares: Option<i64>,
}

/// What the dashboard page shows: the creator's accounts (this request's list) and the
/// account's figures (the same for every request until the cache changes, so shared).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dashboard {
    pub accounts: Vec<AccountOption>,
    #[cfg_attr(feature = "openapi", schema(value_type = AccountInsights))]
    pub insights: Shared<AccountInsights>,
}

/// One account's figures over a range.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountInsights {
    pub connection_id: i64,
    pub profile: Profile,
    pub range_days: u32,
    /// `YYYY-MM-DD` of the range's first and last day (UTC).
    pub since: String,
    pub until: String,
    /// Days between the range's last day and yesterday: Instagram has not reported them yet
    /// (up to 48 h), so the range ends before them and the previous range is as long.
    #[serde(default)]
    pub delay_days: u32,
    /// When these figures were read from Instagram (unix seconds): they are cached.
    #[serde(default)]
    pub fetched_at: i64,
    pub metrics: Vec<MetricSummary>,
    pub reach: Vec<Point>,
    /// Net follower change per day (follows minus unfollows), when the account has 100+
    /// followers.
    pub followers: Vec<Point>,
    pub posts: Vec<Post>,
}

pub mod analytics;
pub mod api_tokens;
pub mod connections;
pub mod dates;
pub mod inbox;
pub mod language;
pub mod post_note;
pub mod problem;
pub mod publishing;
pub mod shared;
pub mod snippets;
pub mod status;

pub use connections::ConnectionState;
pub use shared::Shared;
