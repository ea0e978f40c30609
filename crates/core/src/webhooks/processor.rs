//! Stored deliveries → inbox items. Deliveries are claimed with SKIP LOCKED inside one
//! transaction, so several processes share the work and a process killed half-way leaves its
//! claim to the next (its transaction never committed). Each delivery runs in a savepoint: one
//! that cannot be stored is retried a few times, then set aside with its error, without
//! holding up the others. Items are unique per account, kind and id, so a copy of a delivery
//! that was stored again (by another server, or after this one forgot it: see
//! [`super::recent_bodies`]) and a delivery processed twice add nothing.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use crealia_graph::webhooks::{self as payload, Event, EventKind};
use serde_json::Value;
use sha2::{Digest, Sha256};
use sqlx::{Postgres, Transaction};

use super::{Webhooks, CHANNEL};
use crate::account_cache::{self, Change};

/// Events dated before this (2010-01-01, before Instagram) are dated when they arrived.
const EARLIEST_EVENT_SECS: i64 = 1_262_304_000;

/// A delivery that fails this many times is set aside (its error kept, never dropped).
const MAX_ATTEMPTS: i32 = 5;

#[derive(Clone, Debug)]
pub struct ProcessorSettings {
    /// Deliveries claimed per transaction.
    pub batch: i64,
    /// The longest sleep without a look at the table (deliveries stored by this process wake
    /// the processor at once, other servers' through their NOTIFY).
    pub max_idle: Duration,
}

impl Default for ProcessorSettings {
    fn default() -> Self {
        ProcessorSettings { batch: 100, max_idle: Duration::from_secs(10) }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProcessReport {
    pub deliveries: usize,
    /// Items new to the inbox (duplicates are not counted).
    pub items: usize,
    /// Accounts with new items that no Crealia user has connected.
    pub unrouted: usize,
    /// Deliveries that could not be processed this time.
    pub failed: usize,
}

impl Webhooks {
    /// Runs until the task is dropped. After new items, their messages' senders are named
    /// through `inbox` (a Graph API call each, so after the items are stored and shown).
    pub async fn run_processor(self, settings: ProcessorSettings, inbox: crate::inbox::Inbox) {
        let mut listener = crate::db::Listener::new(&self.db, &[CHANNEL]).await;
        loop {
            let processed = self.process_pending(settings.batch).await;
            if processed.as_ref().is_ok_and(|r| r.items > 0) {
                if let Err(e) = inbox.name_senders(crate::inbox::SENDERS_PER_PASS).await {
                    tracing::warn!(error = %e, "cannot name the senders of new messages");
                }
            }
            match processed {
                Ok(report) if report.deliveries as i64 >= settings.batch => continue,
                Ok(report) => {
                    if report.deliveries > 0 {
                        tracing::debug!(?report, "webhook deliveries processed");
                    }
                }
                Err(e) => {
                    tracing::error!(error = %e, "cannot process webhook deliveries");
                    tokio::time::sleep(Duration::from_secs(1)).await;
                }
            }
            tokio::select! {
                _ = tokio::time::sleep(settings.max_idle) => {}
                _ = listener.next() => {}
                _ = self.arrivals.stored() => {}
            }
        }
    }

    /// Processes up to `batch` stored deliveries, oldest first.
    pub async fn process_pending(&self, batch: i64) -> crate::Result<ProcessReport> {
        let mut tx = self.db.begin().await?;
        let claimed: Vec<(i64, Vec<u8>, i32, f64)> = sqlx::query_as(
            "SELECT id, body, attempts, extract(epoch FROM clock_timestamp() - received_at)::float8 FROM webhook_deliveries WHERE processed_at IS NULL
             ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED",
        )
        .bind(batch)
        .fetch_all(&mut *tx)
        .await?;
        let mut report = ProcessReport { deliveries: claimed.len(), ..Default::default() };
        // Accounts with new items, and whether any is a comment (for the cache).
        let mut touched: BTreeMap<String, bool> = BTreeMap::new();
        let mut waited = Vec::with_capacity(claimed.len());
        for (id, body, attempts, waited_secs) in claimed {
            waited.push(waited_secs);
            let outcome = match payload::parse(&body) {
                Ok(events) => {
                    let mut savepoint = sqlx::Acquire::begin(&mut tx).await?;
                    match store_events(&mut savepoint, id, &events).await {
                        Ok(new) => {
                            savepoint.commit().await?;
                            Ok(new)
                        }
                        Err(e) => {
                            savepoint.rollback().await?;
                            Err((e.to_string(), attempts + 1 >= MAX_ATTEMPTS))
                        }
                    }
                }
                // The same bytes will never parse: no point retrying.
                Err(e) => Err((e.to_string(), true)),
            };
            match outcome {
                Ok(new) => {
                    report.items += new.len();
                    for (account, kind) in new {
                        *touched.entry(account).or_default() |= kind == EventKind::Comment.as_str();
                    }
                    sqlx::query("UPDATE webhook_deliveries SET processed_at = now(), attempts = attempts + 1, last_error = NULL WHERE id = $1")
                        .bind(id)
                        .execute(&mut *tx)
                        .await?;
                }
                Err((error, give_up)) => {
                    report.failed += 1;
                    tracing::warn!(delivery_id = id, error, give_up, "a webhook delivery could not be processed");
                    sqlx::query(
                        "UPDATE webhook_deliveries SET attempts = attempts + 1, last_error = $2,
                         processed_at = CASE WHEN $3 THEN now() END WHERE id = $1",
                    )
                    .bind(id)
                    .bind(error)
                    .bind(give_up)
                    .execute(&mut *tx)
                    .await?;
                }
            }
        }

        // Who the new items are for: tell their browsers (at commit), note the others.
        let accounts: Vec<String> = touched.keys().cloned().collect();
        let owners: Vec<(i64, i64, String)> = if accounts.is_empty() {
            Vec::new()
        } else {
            sqlx::query_as("SELECT id, user_id, ig_user_id FROM instagram_connections WHERE ig_user_id = ANY($1) AND state <> 'disconnected' ORDER BY id")
                .bind(&accounts)
                .fetch_all(&mut *tx)
                .await?
        };
        let users: BTreeSet<i64> = owners.iter().map(|(_, user, _)| *user).collect();
        for user in &users {
            crate::inbox::announce(&mut *tx, *user).await?;
        }
        // Comments change the media list's counts: with the items, or not at all (in id order,
        // so that two processors never wait on each other's rows).
        for (connection, _, ig) in &owners {
            if touched.get(ig).copied().unwrap_or(false) {
                account_cache::invalidate(&mut *tx, *connection, Change::Media).await?;
                // seen everywhere at commit (its notification)
            }
        }
        tx.commit().await?;
        // From arrival to inbox item (metrics: crealia_webhook_processing_lag_seconds).
        for secs in waited {
            metrics::histogram!("crealia_webhook_processing_lag_seconds").record(secs.max(0.0));
        }

        for account in &accounts {
            if !owners.iter().any(|(_, _, ig)| ig == account) {
                report.unrouted += 1;
                tracing::warn!(ig_user_id = %account, "webhook events for an Instagram account that is not connected; kept");
            }
        }
        Ok(report)
    }
}

/// Inserts the events as items (one statement); returns (account, kind) of the new ones.
async fn store_events(tx: &mut Transaction<'_, Postgres>, delivery_id: i64, events: &[Event]) -> crate::Result<Vec<(String, String)>> {
    if events.is_empty() {
        return Ok(Vec::new());
    }
    let now = Utc::now();
    let mut cols = Columns::default();
    for e in events {
        let value = without_nul(e.value.clone());
        cols.account.push(clean(&e.account_id));
        cols.kind.push(e.kind.as_str().to_string());
        cols.field.push(clean(&e.field));
        cols.external_id.push(match &e.object_id {
            Some(id) => clean(id),
            None => digest(&e.field, &value),
        });
        cols.parent_id.push(e.parent_id.as_deref().map(clean));
        cols.media_id.push(e.media_id.as_deref().map(clean));
        cols.from_id.push(e.from_id.as_deref().map(clean));
        cols.from_username.push(e.from_username.as_deref().map(clean));
        cols.body.push(e.text.as_deref().map(clean));
        // A time PostgreSQL cannot hold (or no time) is the time it was stored.
        let time =
            e.time.and_then(|t| Utc.timestamp_opt(t, 0).single()).filter(|t| t.timestamp() >= EARLIEST_EVENT_SECS && *t <= now + chrono::Duration::days(1));
        cols.occurred_at.push(time.unwrap_or(now));
        cols.payload.push(value.to_string());
        cols.own.push(e.own);
    }
    let rows: Vec<(String, String)> = sqlx::query_as(
        "INSERT INTO inbox_items (ig_user_id, kind, field, external_id, parent_id, media_id, from_id, from_username, body,
                                  occurred_at, payload, own, read_at, delivery_id, connection_id)
         SELECT a, k, f, x, p, m, fi, fu, b, o, pl::jsonb, ow, CASE WHEN ow OR k = 'other' THEN now() END, $13,
                (SELECT c.id FROM instagram_connections c WHERE c.ig_user_id = a AND c.state <> 'disconnected')
         FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
                     $9::text[], $10::timestamptz[], $11::text[], $12::bool[]) AS t(a, k, f, x, p, m, fi, fu, b, o, pl, ow)
         ON CONFLICT (ig_user_id, kind, external_id) DO NOTHING
         RETURNING ig_user_id, kind",
    )
    .bind(&cols.account)
    .bind(&cols.kind)
    .bind(&cols.field)
    .bind(&cols.external_id)
    .bind(&cols.parent_id)
    .bind(&cols.media_id)
    .bind(&cols.from_id)
    .bind(&cols.from_username)
    .bind(&cols.body)
    .bind(&cols.occurred_at)
    .bind(&cols.payload)
    .bind(&cols.own)
    .bind(delivery_id)
    .fetch_all(&mut **tx)
    .await?;
    Ok(rows)
}

#[derive(Default)]
struct Columns {
    account: Vec<String>,
    kind: Vec<String>,
    field: Vec<String>,
    external_id: Vec<String>,
    parent_id: Vec<Option<String>>,
    media_id: Vec<Option<String>>,
    from_id: Vec<Option<String>>,
    from_username: Vec<Option<String>>,
    body: Vec<Option<String>>,
    occurred_at: Vec<DateTime<Utc>>,
    payload: Vec<String>,
    own: Vec<bool>,
}

/// PostgreSQL text cannot hold NUL, which JSON can (`\u0000`): it is dropped.
fn clean(s: &str) -> String {
    s.replace('\0', "")
}

fn without_nul(v: Value) -> Value {
    match v {
        Value::String(s) => Value::String(clean(&s)),
        Value::Array(items) => Value::Array(items.into_iter().map(without_nul).collect()),
        Value::Object(map) => Value::Object(map.into_iter().map(|(k, v)| (clean(&k), without_nul(v))).collect()),
        other => other,
    }
}

/// The id of an event that has none: the same event sent twice gets the same id.
fn digest(field: &str, value: &Value) -> String {
    let mut h = Sha256::new();
    h.update(field.as_bytes());
    h.update([0]);
    h.update(value.to_string().as_bytes());
    format!("sha256:{}", hex::encode(&h.finalize()[..16]))
}
