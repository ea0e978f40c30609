//! The token manager: refreshes long-lived tokens before they expire, marks connections whose
//! token Instagram refuses (190) as needing a reconnect, re-encrypts under a new key, and cleans
//! up what has expired.

use std::time::Duration;

use chrono::{DateTime, Duration as ChronoDuration, Utc};
use serde::Serialize;
use sqlx::PgPool;

use crate::account::{mark_needs_reconnect, short_error};
use crate::connections::Connections;
use crate::crypto::SecretToken;
use crate::Result;

/// How long a claim on a connection's refresh lasts: a process that dies mid-batch leaves its
/// claims to expire (tokens are refreshed days before they expire).
const REFRESH_CLAIM: ChronoDuration = ChronoDuration::minutes(30);

#[derive(Clone, Debug)]
pub struct RefreshPolicy {
    /// Refresh once a token is this close to its expiry...
    pub window: Duration,
    /// ...and at least this old (Meta refuses younger tokens).
    pub min_age: Duration,
    /// Spread refreshes over this much time so they do not all happen at once.
    pub jitter: Duration,
    pub batch: i64,
}

impl Default for RefreshPolicy {
    fn default() -> Self {
        RefreshPolicy { window: Duration::from_secs(10 * 86_400), min_age: Duration::from_secs(86_400), jitter: Duration::from_secs(12 * 3_600), batch: 100 }
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct RefreshReport {
    pub refreshed: u32,
    pub needs_reconnect: u32,
    pub failed: u32,
}

/// "Check connection" asks Instagram at most this often per account.
pub const CHECK_COOLDOWN: std::time::Duration = std::time::Duration::from_secs(5);

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct CleanupReport {
    pub expired_tokens: u64,
    pub expired_sessions: u64,
    pub expired_oauth_states: u64,
    pub old_sign_in_attempts: u64,
}

#[derive(Clone)]
pub struct TokenManager {
    db: PgPool,
    connections: Connections,
    policy: RefreshPolicy,
}

/// A stable offset in [0, jitter) for a connection, so its refresh time does not move.
fn jitter_for(connection_id: i64, jitter: Duration) -> ChronoDuration {
    let spread = jitter.as_secs().max(1);
    let mixed = (connection_id as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 11;
    ChronoDuration::seconds((mixed % spread) as i64)
}

type DueRow = (i64, Vec<u8>, String, DateTime<Utc>);

impl TokenManager {
    pub fn new(db: PgPool, connections: Connections, policy: RefreshPolicy) -> Self {
        TokenManager { db, connections, policy }
    }

    /// Refreshes every active token that is due at `now` (Crealia's clock; tests pass a future
    /// instant). A batch is claimed in one short statement (`FOR NO KEY UPDATE SKIP LOCKED` and
    /// a `refreshing_until` mark another process respects), the Graph API is called outside any
    /// transaction, and each result is written on its own: no lock is held across a call, and
    /// one failure never undoes another token's refresh.
    pub async fn refresh_due(&self, now: DateTime<Utc>) -> Result<RefreshReport> {
        let window = ChronoDuration::from_std(self.policy.window + self.policy.jitter).unwrap_or_default();
        let min_age = ChronoDuration::from_std(self.policy.min_age).unwrap_or_default();
        // Candidates: within the window plus the largest jitter; the exact moment is per row.
        let rows: Vec<DueRow> = sqlx::query_as(
            "UPDATE instagram_connections SET refreshing_until = $5
             WHERE id IN (
                 SELECT id FROM instagram_connections
                 WHERE state = 'active' AND token_ciphertext IS NOT NULL
                   AND token_expires_at < $1 AND token_expires_at > $2
                   AND COALESCE(refreshed_at, token_issued_at, created_at) <= $3
                   AND (refreshing_until IS NULL OR refreshing_until < $2)
                 ORDER BY token_expires_at LIMIT $4 FOR NO KEY UPDATE SKIP LOCKED)
             RETURNING id, token_ciphertext, token_key_id, token_expires_at",
        )
        .bind(now + window)
        .bind(now)
        .bind(now - min_age)
        .bind(self.policy.batch)
        .bind(now + REFRESH_CLAIM)
        .fetch_all(&self.db)
        .await?;

        let mut report = RefreshReport::default();
        let base_window = ChronoDuration::from_std(self.policy.window).unwrap_or_default();
        for (id, blob, key_id, expires_at) in rows {
            let result = self.refresh_one(id, &blob, &key_id, expires_at, now, base_window, &mut report).await;
            // Whatever happened, the claim ends (a crash ends it when `refreshing_until` passes).
            let released = sqlx::query("UPDATE instagram_connections SET refreshing_until = NULL WHERE id = $1").bind(id).execute(&self.db).await;
            result?;
            released?;
        }
        // This process sees the new tokens and states at once (the others through the rows'
        // notifications).
        self.connections.forget_all();
        for (outcome, n) in [("refreshed", report.refreshed), ("needs_reconnect", report.needs_reconnect), ("failed", report.failed)] {
            metrics::counter!("crealia_token_refreshes_total", "outcome" => outcome).increment(u64::from(n));
        }
        Ok(report)
    }

    /// One claimed connection: its token refreshed and stored, unless the connection changed
    /// meanwhile (a reconnect stored a new token, a disconnect removed it).
    #[allow(clippy::too_many_arguments)]
    async fn refresh_one(
        &self,
        id: i64,
        blob: &[u8],
        key_id: &str,
        expires_at: DateTime<Utc>,
        now: DateTime<Utc>,
        base_window: ChronoDuration,
        report: &mut RefreshReport,
    ) -> Result<()> {
        if expires_at - now > base_window + jitter_for(id, self.policy.jitter) {
            return Ok(()); // not this one's moment yet
        }
        let token = match self.connections.cipher().decrypt(id, key_id, blob) {
            Ok(t) => t,
            Err(e) => {
                tracing::error!(connection_id = id, error = %e, "a stored token does not decrypt");
                report.failed += 1;
                return Ok(());
            }
        };
        match self.connections.graph().refresh(token.expose()).await {
            Ok(fresh) => {
                let (ciphertext, new_key) = self.connections.cipher().encrypt(id, &SecretToken::new(fresh.access_token));
                let stored = sqlx::query(
                    "UPDATE instagram_connections SET token_ciphertext = $2, token_key_id = $3, token_expires_at = $4,
                     refreshed_at = $5, last_error = NULL, updated_at = now() WHERE id = $1 AND token_ciphertext = $6",
                )
                .bind(id)
                .bind(ciphertext)
                .bind(new_key)
                .bind(crate::connections::expiry_after(now, fresh.expires_in))
                .bind(now)
                .bind(blob)
                .execute(&self.db)
                .await?;
                if stored.rows_affected() == 1 {
                    tracing::info!(connection_id = id, "Instagram token refreshed");
                    report.refreshed += 1;
                } else {
                    tracing::info!(connection_id = id, "the connection changed while its token was refreshed; left as it is");
                }
            }
            Err(e) if e.is_invalid_token() => {
                mark_needs_reconnect(&self.db, id, Some(blob), &e).await?;
                report.needs_reconnect += 1;
            }
            Err(e) => {
                tracing::warn!(connection_id = id, error = %e, "token refresh failed; will retry");
                sqlx::query("UPDATE instagram_connections SET last_error = $2 WHERE id = $1").bind(id).bind(short_error(&e)).execute(&self.db).await?;
                report.failed += 1;
            }
        }
        Ok(())
    }

    /// Asks Instagram whether a connection's token still works; a 190 marks it for reconnect.
    pub async fn validate(&self, user_id: i64, connection_id: i64) -> Result<bool> {
        let account = self.connections.account(user_id, Some(connection_id)).await?;
        match account.call(async |graph, token, _| graph.me(token).await).await {
            Ok(_) => Ok(true),
            Err(e) if e.is_invalid_token() => Ok(false),
            Err(e) => Err(e.into()),
        }
    }

    /// [`TokenManager::validate`] for a person's button: Instagram is asked at most once per
    /// [`CHECK_COOLDOWN`] per account (the answer in between is the last one), so a loop of
    /// clicks cannot spend the app's Graph API budget. False when the account must be
    /// reconnected (also when it already was).
    pub async fn check_now(&self, cache: &crate::cache::Cache, user_id: i64, connection_id: i64) -> Result<bool> {
        let account = match self.connections.account(user_id, Some(connection_id)).await {
            Err(crate::Error::NeedsReconnect) => return Ok(false),
            other => other?,
        };
        let key = account.keys().connection_check();
        cache.get_or_load(&key, CHECK_COOLDOWN, async || self.validate(user_id, connection_id).await).await
    }

    /// Re-encrypts every token that is not under the current key. Returns how many.
    pub async fn rotate(&self) -> Result<u64> {
        let cipher = self.connections.cipher();
        let rows: Vec<(i64, Vec<u8>, String)> = sqlx::query_as(
            "SELECT id, token_ciphertext, token_key_id FROM instagram_connections
             WHERE token_ciphertext IS NOT NULL AND token_key_id <> $1",
        )
        .bind(cipher.current_key_id())
        .fetch_all(&self.db)
        .await?;
        let mut rotated = 0;
        for (id, blob, key_id) in rows {
            let token = cipher.decrypt(id, &key_id, &blob).map_err(|e| crate::Error::Internal(format!("connection {id}: {e}")))?;
            let (ciphertext, new_key) = cipher.encrypt(id, &token);
            rotated += sqlx::query(
                "UPDATE instagram_connections SET token_ciphertext = $2, token_key_id = $3, updated_at = now()
                 WHERE id = $1 AND token_key_id = $4",
            )
            .bind(id)
            .bind(ciphertext)
            .bind(new_key)
            .bind(key_id)
            .execute(&self.db)
            .await?
            .rows_affected();
        }
        self.connections.forget_all();
        Ok(rotated)
    }

    /// Deletes expired tokens (their connections then need a reconnect), expired sessions and
    /// OAuth states, and sign-in attempts older than a day.
    pub async fn cleanup(&self, now: DateTime<Utc>) -> Result<CleanupReport> {
        let expired_tokens = sqlx::query(
            "UPDATE instagram_connections SET token_ciphertext = NULL, token_key_id = NULL, state = 'needs_reconnect',
             last_error = 'The Instagram token expired.', updated_at = now()
             WHERE token_ciphertext IS NOT NULL AND token_expires_at <= $1",
        )
        .bind(now)
        .execute(&self.db)
        .await?
        .rows_affected();
        let expired_sessions = sqlx::query("DELETE FROM sessions WHERE expires_at <= $1").bind(now).execute(&self.db).await?.rows_affected();
        let expired_oauth_states = sqlx::query("DELETE FROM oauth_states WHERE expires_at <= $1").bind(now).execute(&self.db).await?.rows_affected();
        // Failures matter for a day; a success is remembered for 90, since it is what lets a
        // creator sign in from their own address while someone guesses at their account.
        let old_sign_in_attempts = sqlx::query(
            "DELETE FROM sign_in_attempts
             WHERE (NOT succeeded AND attempted_at <= $1 - interval '1 day') OR attempted_at <= $1 - interval '90 days'",
        )
        .bind(now)
        .execute(&self.db)
        .await?
        .rows_affected();
        sqlx::query("DELETE FROM sign_up_attempts WHERE attempted_at <= $1 - interval '1 day'").bind(now).execute(&self.db).await?;
        self.connections.forget_all();
        Ok(CleanupReport { expired_tokens, expired_sessions, expired_oauth_states, old_sign_in_attempts })
    }
}
