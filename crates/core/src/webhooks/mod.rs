//! Meta's webhooks in: a delivery is checked (signature over the raw bytes, then JSON syntax)
//! and stored (one INSERT, shared with the deliveries arriving at the same moment) before it
//! is answered; the processor turns stored deliveries
//! into inbox items afterwards, so a slow step or a crash never loses an event and Meta never
//! waits for more than that one insert.

mod ingest;
mod processor;
mod recent_bodies;
pub mod signature;

use std::time::Duration;

use sha2::{Digest, Sha256};

pub use ingest::{Arrivals, ANNOUNCE_EVERY};
pub use processor::{ProcessReport, ProcessorSettings};
pub use recent_bodies::RECENT_BODIES;
pub use signature::SignatureError;

/// The channel new deliveries are announced on to the other servers (a few times a second at
/// most; see [`ANNOUNCE_EVERY`]).
pub const CHANNEL: &str = "crealia_webhooks";
/// How long processed deliveries (and rejected bodies) are kept; the items made from them stay.
pub const KEEP_DELIVERIES: chrono::Duration = chrono::Duration::days(30);
/// The longest a delivery waits for the database before Meta is told to come back.
const STORE_TIMEOUT: Duration = Duration::from_secs(10);

/// What happened to an accepted delivery.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ingested {
    Stored,
    /// The same bytes were stored by this process recently (see [`RECENT_BODIES`]).
    Repeated,
}

/// Why a delivery was not accepted; the web edge maps each to its status.
#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    /// 401 (missing) or 403 (wrong).
    #[error(transparent)]
    Signature(#[from] SignatureError),
    /// 400: correctly signed but not a delivery the processor can read (not JSON, too deep,
    /// no entries, ids that are not ids). The body is kept in `webhook_rejects`.
    #[error("the body is not a webhook delivery: {0}")]
    Malformed(String),
    /// 503: not stored in time (a delivery that timed out may still be committed later); Meta
    /// retries, and a second copy adds no inbox item twice.
    #[error("the delivery could not be stored: {0}")]
    Unavailable(String),
}

/// How many deliveries wait, and what went wrong, for the health page and `crealia webhooks`.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct WebhookStats {
    pub received: i64,
    pub pending: i64,
    pub oldest_pending_secs: Option<i64>,
    pub failed: i64,
    pub rejected: i64,
    pub last_received_secs_ago: Option<i64>,
    /// Instagram accounts with events but no connection in Crealia, and how many events.
    pub unrouted: Vec<(String, i64)>,
}

#[derive(Clone)]
pub struct Webhooks {
    db: sqlx::PgPool,
    app_secret: std::sync::Arc<[u8]>,
    /// Started with the first delivery (it needs the runtime).
    writer: std::sync::Arc<std::sync::OnceLock<ingest::Writer>>,
    /// Wakes this process's processor when deliveries are committed here.
    arrivals: std::sync::Arc<Arrivals>,
    /// Connections inserting deliveries at the same time.
    writers: u32,
    /// Bodies stored here lately: a repeat is answered without a row.
    recent_bodies: std::sync::Arc<recent_bodies::RecentBodies>,
    /// Deliveries refused by this process in the last hour (bad signature, unreadable body).
    refused: std::sync::Arc<crate::recent::Recent>,
    /// When this process last refused one (Unix milliseconds; 0: never).
    last_refused_ms: std::sync::Arc<std::sync::atomic::AtomicI64>,
}

impl Webhooks {
    pub fn new(db: sqlx::PgPool, app_secret: &str, writers: u32) -> Self {
        Webhooks {
            db,
            app_secret: app_secret.as_bytes().into(),
            writer: Default::default(),
            arrivals: Default::default(),
            writers: writers.max(1),
            recent_bodies: std::sync::Arc::new(recent_bodies::RecentBodies::new(RECENT_BODIES)),
            refused: std::sync::Arc::new(crate::recent::Recent::new(Duration::from_secs(3600), 60)),
            last_refused_ms: Default::default(),
        }
    }

    /// Checks and stores one delivery (see [`Webhooks::check_and_store`]), counting the
    /// outcome in the metrics (`crealia_webhook_deliveries_total{outcome}`) and refusals in
    /// the last hour's tally.
    pub async fn receive(&self, signature: Option<&str>, headers: String, body: bytes::Bytes) -> Result<Ingested, IngestError> {
        let result = self.check_and_store(signature, headers, body).await;
        let outcome = match &result {
            Ok(Ingested::Stored) => "stored",
            Ok(Ingested::Repeated) => "repeated",
            Err(IngestError::Signature(_)) => "refused_signature",
            Err(IngestError::Malformed(_)) => "refused_malformed",
            Err(IngestError::Unavailable(_)) => "unavailable",
        };
        metrics::counter!("crealia_webhook_deliveries_total", "outcome" => outcome).increment(1);
        if matches!(result, Err(IngestError::Signature(_) | IngestError::Malformed(_))) {
            self.refused.add(1);
            self.last_refused_ms.store(chrono::Utc::now().timestamp_millis(), std::sync::atomic::Ordering::Relaxed);
        }
        result
    }

    /// Deliveries this process refused in the last hour (wrong signature, unreadable body).
    pub fn refused_last_hour(&self) -> u64 {
        self.refused.sum()
    }

    /// Whole seconds since this process last refused a delivery, if it ever did.
    pub fn last_refusal_secs_ago(&self) -> Option<i64> {
        let at = self.last_refused_ms.load(std::sync::atomic::Ordering::Relaxed);
        (at > 0).then(|| (chrono::Utc::now().timestamp_millis() - at).max(0) / 1000)
    }

    /// Checks and stores one delivery. `headers` are the request's (without credentials), as a
    /// JSON object.
    async fn check_and_store(&self, signature: Option<&str>, headers: String, body: bytes::Bytes) -> Result<Ingested, IngestError> {
        signature::verify(&self.app_secret, signature, &body)?;
        // What the processor could not read is refused now, with the same parser.
        if let Err(e) = crealia_graph::webhooks::parse(&body) {
            self.reject(&headers, &body, &e.to_string()).await;
            return Err(IngestError::Malformed(e.to_string()));
        }
        let digest: [u8; 32] = Sha256::digest(&body).into();
        if self.recent_bodies.contains(&digest) {
            return Ok(Ingested::Repeated);
        }
        // Committed before this returns: alone when idle, with whatever else arrived meanwhile
        // under load (one WAL flush for many deliveries).
        let writer = self.writer.get_or_init(|| ingest::Writer::start(self.db.clone(), self.arrivals.clone(), self.writers));
        match tokio::time::timeout(STORE_TIMEOUT, writer.store(body, headers)).await {
            Ok(Ok(())) => {
                self.recent_bodies.remember(digest);
                Ok(Ingested::Stored)
            }
            Ok(Err(e)) => Err(IngestError::Unavailable(e)),
            Err(_) => Err(IngestError::Unavailable("the database took too long".into())),
        }
    }

    /// What this process's processor waits on between passes.
    pub fn arrivals(&self) -> &Arrivals {
        &self.arrivals
    }

    /// Keeps a signed body that cannot be read as a delivery, for inspection. Best effort: Meta gets its 400
    /// whether or not this works.
    async fn reject(&self, headers: &str, body: &[u8], reason: &str) {
        let kept = sqlx::query("INSERT INTO webhook_rejects (body, headers, reason) VALUES ($1, $2::jsonb, $3)")
            .bind(body)
            .bind(headers)
            .bind(reason)
            .execute(&self.db)
            .await;
        match kept {
            Ok(_) => tracing::warn!(bytes = body.len(), reason, "a signed webhook delivery cannot be read; kept in webhook_rejects"),
            Err(e) => tracing::error!(error = %e, "a signed webhook delivery cannot be read and could not be kept"),
        }
    }

    /// Deletes processed deliveries and rejected bodies received before `now - KEEP_DELIVERIES`;
    /// returns how many. Unprocessed ones are never deleted.
    pub async fn cleanup(&self, now: chrono::DateTime<chrono::Utc>) -> crate::Result<u64> {
        let before = now - KEEP_DELIVERIES;
        let deliveries = sqlx::query("DELETE FROM webhook_deliveries WHERE processed_at IS NOT NULL AND received_at < $1")
            .bind(before)
            .execute(&self.db)
            .await?
            .rows_affected();
        let rejects = sqlx::query("DELETE FROM webhook_rejects WHERE received_at < $1").bind(before).execute(&self.db).await?.rows_affected();
        Ok(deliveries + rejects)
    }

    pub async fn stats(&self) -> crate::Result<WebhookStats> {
        let b = backlog(&self.db).await?;
        let rejected: i64 = sqlx::query_scalar("SELECT count(*) FROM webhook_rejects").fetch_one(&self.db).await?;
        let unrouted: Vec<(String, i64)> = sqlx::query_as(
            "SELECT i.ig_user_id, count(*) FROM inbox_items i
             WHERE i.connection_id IS NULL
             GROUP BY i.ig_user_id ORDER BY count(*) DESC LIMIT 20",
        )
        .fetch_all(&self.db)
        .await?;
        Ok(WebhookStats {
            received: b.received,
            pending: b.pending,
            oldest_pending_secs: b.oldest_pending_secs,
            failed: b.failed,
            rejected,
            last_received_secs_ago: b.last_received_secs_ago,
            unrouted,
        })
    }
}

/// At most this many waiting deliveries are counted by [`pending_backlog`].
pub const PENDING_COUNT_CAP: i64 = 10_000;

/// What readiness needs, from indexes only (never a count over the whole table): deliveries
/// waiting (counted up to [`PENDING_COUNT_CAP`]), the oldest one's age and the last arrival's.
pub async fn pending_backlog<'e, E: sqlx::PgExecutor<'e>>(db: E) -> sqlx::Result<Backlog> {
    let (pending, oldest, last): (i64, Option<f64>, Option<f64>) = sqlx::query_as(
        "SELECT (SELECT count(*) FROM (SELECT 1 FROM webhook_deliveries WHERE processed_at IS NULL LIMIT $1) waiting),
                extract(epoch FROM now() - (SELECT received_at FROM webhook_deliveries WHERE processed_at IS NULL ORDER BY id LIMIT 1))::float8,
                extract(epoch FROM now() - (SELECT received_at FROM webhook_deliveries ORDER BY id DESC LIMIT 1))::float8",
    )
    .bind(PENDING_COUNT_CAP)
    .fetch_one(db)
    .await?;
    Ok(Backlog { pending, oldest_pending_secs: oldest.map(|s| s as i64), last_received_secs_ago: last.map(|s| s as i64), ..Backlog::default() })
}

/// The deliveries table in one look (one query over all of it, for `crealia webhooks`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Backlog {
    pub received: i64,
    /// Stored, not yet processed.
    pub pending: i64,
    pub oldest_pending_secs: Option<i64>,
    /// Set aside after failing.
    pub failed: i64,
    pub last_received_secs_ago: Option<i64>,
}

pub async fn backlog<'e, E: sqlx::PgExecutor<'e>>(db: E) -> sqlx::Result<Backlog> {
    let (received, pending, oldest, failed, last): (i64, i64, Option<f64>, i64, Option<f64>) = sqlx::query_as(
        "SELECT count(*),
                count(*) FILTER (WHERE processed_at IS NULL),
                extract(epoch FROM now() - min(received_at) FILTER (WHERE processed_at IS NULL))::float8,
                count(*) FILTER (WHERE last_error IS NOT NULL AND processed_at IS NOT NULL),
                extract(epoch FROM now() - max(received_at))::float8
         FROM webhook_deliveries",
    )
    .fetch_one(db)
    .await?;
    Ok(Backlog { received, pending, oldest_pending_secs: oldest.map(|s| s as i64), failed, last_received_secs_ago: last.map(|s| s as i64) })
}
