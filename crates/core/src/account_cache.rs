//! The cache keys of one connected Instagram account, and their invalidation.
//!
//! Every key carries the account's generation numbers, kept on its connection row (which each
//! process keeps with the creator's connections, [`crate::lookups`], dropped when the row
//! changes). Invalidating is one `UPDATE` that bumps a number: O(1) whatever the size of Redis
//! or who else uses it, and it cannot be lost while Redis is down; the row's notification tells
//! every process. Entries of an old generation are never read again and age out by their TTL.

use sqlx::PgExecutor;

use crate::Result;

/// An account's generation numbers: `all` covers every key, `media` the media list and
/// per-post insights (what a new comment changes).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Generations {
    pub all: i64,
    pub media: i64,
}

/// What changed on Instagram, hence which keys are replaced.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Change {
    /// A post published, a refresh asked for: everything read for the account.
    Everything,
    /// A comment came or went: the media list's counts and the posts' insights.
    Media,
}

/// The cache keys of one account at its current generations.
#[derive(Clone, Debug)]
pub struct AccountKeys {
    base: String,
    media: String,
}

impl AccountKeys {
    pub fn new(connection_id: i64, Generations { all, media }: Generations) -> Self {
        let base = format!("ig:{connection_id}:{all}:");
        let media = format!("{base}media.{media}");
        AccountKeys { base, media }
    }

    pub fn profile(&self) -> String {
        format!("{}profile", self.base)
    }

    pub fn totals(&self, since: i64, until: i64) -> String {
        format!("{}totals:{since}:{until}", self.base)
    }

    pub fn series(&self, metric: &str, since: i64, until: i64) -> String {
        format!("{}series:{metric}:{since}:{until}", self.base)
    }

    pub fn media(&self, limit: u32) -> String {
        format!("{}:{limit}", self.media)
    }

    /// The posts of the last weeks the analytics compare. Under the account's generation, not
    /// the media's: a comment (anyone can write one) must not make the analytics read 100 posts
    /// again; a post published replaces it.
    pub fn media_history(&self, limit: usize) -> String {
        format!("{}media-history:{limit}", self.base)
    }

    /// One post's lifetime insights as the analytics read them (under the account's generation,
    /// as above; they are kept a day).
    pub fn post_figures(&self, media_id: &str) -> String {
        format!("{}post-figures:{media_id}", self.base)
    }

    /// The analytics assembled for a day on the creator's clock (under the account's
    /// generation, as above).
    pub fn analytics(&self, day: i64, time_zone: &str) -> String {
        format!("{}analytics:{day}:{time_zone}", self.base)
    }

    pub fn demographics(&self, dimension: &str, timeframe: &str) -> String {
        format!("{}demographics:{dimension}:{timeframe}", self.base)
    }

    pub fn media_insights(&self, media_id: &str) -> String {
        format!("{}-insights:{media_id}", self.media)
    }

    /// One post's caption, picture and link (the inbox shows them beside its comments). Under
    /// the account's generation, not the media's: a new comment does not change them.
    pub fn media_summary(&self, media_id: &str) -> String {
        format!("{}media-summary:{media_id}", self.base)
    }

    /// Posts published in the last 24 h against Instagram's quota (changes with the media).
    pub fn publishing_limit(&self) -> String {
        format!("{}-publishing-limit", self.media)
    }

    /// What the last "check connection" found (asked of Instagram once per cooldown).
    pub fn connection_check(&self) -> String {
        format!("{}connection-check", self.base)
    }

    /// The dashboard assembled from all the above (under both generations, so replacing any
    /// of them replaces it).
    pub fn dashboard(&self, range_days: u32, until: i64) -> String {
        format!("{}-dashboard:{range_days}:{until}", self.media)
    }
}

/// Replaces the account's keys for `change`: every process reads fresh data from now on. Call
/// it after the change happened on Instagram (a load that began earlier may still store what
/// it read, under the old keys, where no one looks any more). Returns the account's creator
/// (None: no such connection). Prefer [`crate::connections::Connections::invalidate_cache`],
/// which this process sees at once; the others see it when the row's notification arrives.
pub async fn invalidate<'e, E: PgExecutor<'e>>(db: E, connection_id: i64, change: Change) -> Result<Option<i64>> {
    let sql = match change {
        Change::Everything => "UPDATE instagram_connections SET cache_generation = cache_generation + 1 WHERE id = $1 RETURNING user_id",
        Change::Media => "UPDATE instagram_connections SET media_cache_generation = media_cache_generation + 1 WHERE id = $1 RETURNING user_id",
    };
    Ok(sqlx::query_scalar(sql).bind(connection_id).fetch_optional(db).await?)
}
