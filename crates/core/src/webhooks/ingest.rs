//! Group commit of verified deliveries: each request hands its delivery to a writer and waits
//! for the commit of the INSERT that holds it. A writer (`WEBHOOK_WRITERS` of them) takes
//! whatever has queued while the previous inserts were committing (up to [`MAX_BATCH`]), so under load one commit (one WAL
//! flush) acknowledges many deliveries, and when idle a delivery is inserted at once, alone.
//! Nothing is acknowledged before its row is committed; a failed insert fails all its waiters
//! (Meta retries them, and the body hash makes a retry of a stored one a no-op).
//!
//! Committed deliveries wake this process's processor directly ([`Arrivals`]), with no
//! database round trip; other servers hear of them through one `NOTIFY` at most every
//! [`ANNOUNCE_EVERY`]. (A `NOTIFY` inside the inserting transaction would take PostgreSQL's
//! global notify lock until the commit's WAL flush, serialising every writer's commit.)

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use tokio::sync::{mpsc, oneshot, Notify, Semaphore};

use super::{Ingested, CHANNEL};

/// Deliveries in one INSERT at most.
const MAX_BATCH: usize = 256;
/// Deliveries waiting for a writer before new ones wait for room (back-pressure).
const QUEUE: usize = 4_096;
/// Other servers' processors are told of new deliveries at most this often.
pub const ANNOUNCE_EVERY: Duration = Duration::from_millis(250);

pub(super) struct Delivery {
    pub digest: [u8; 32],
    pub body: Bytes,
    pub headers: String,
    pub done: oneshot::Sender<Result<Ingested, String>>,
}

/// "Deliveries were committed": this process's processor waits on `local`; the announcer
/// waits on `remote` and passes it on to the other servers.
#[derive(Default)]
pub struct Arrivals {
    local: Notify,
    remote: Notify,
}

impl Arrivals {
    /// Resolves after deliveries were stored by this process (at once if some were stored
    /// since the last wait).
    pub async fn stored(&self) {
        self.local.notified().await
    }

    fn committed(&self) {
        self.local.notify_one();
        self.remote.notify_one();
    }
}

/// The writers' end: cloned into every request.
#[derive(Clone)]
pub(super) struct Writer {
    queue: mpsc::Sender<Delivery>,
}

impl Writer {
    /// The writers get connections of their own (opened when first needed), so a flood of
    /// deliveries never takes the pages' connections, and without the pool's ping before each
    /// use: a connection that broke fails its batch (answered 503, retried by Meta) and is
    /// replaced.
    pub fn start(db: sqlx::PgPool, arrivals: Arc<Arrivals>, writers: u32) -> Writer {
        let (queue, incoming) = mpsc::channel(QUEUE);
        let pool = sqlx::postgres::PgPoolOptions::new()
            .max_connections(writers)
            .min_connections(0)
            .test_before_acquire(false)
            .acquire_timeout(super::STORE_TIMEOUT)
            .connect_lazy_with(db.connect_options().as_ref().clone());
        tokio::spawn(announce(db, arrivals.clone()));
        tokio::spawn(dispatch(pool, incoming, arrivals, writers));
        Writer { queue }
    }

    /// Stores one delivery; returns once its row is committed.
    pub async fn store(&self, digest: [u8; 32], body: Bytes, headers: String) -> Result<Ingested, String> {
        let (done, committed) = oneshot::channel();
        self.queue.send(Delivery { digest, body, headers, done }).await.map_err(|_| "the webhook writer has stopped".to_string())?;
        committed.await.map_err(|_| "the webhook writer dropped the delivery".to_string())?
    }
}

async fn dispatch(db: sqlx::PgPool, mut incoming: mpsc::Receiver<Delivery>, arrivals: Arc<Arrivals>, writers: u32) {
    let writers = Arc::new(Semaphore::new(writers as usize));
    loop {
        let Ok(permit) = writers.clone().acquire_owned().await else { return };
        let Some(first) = incoming.recv().await else { return };
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match incoming.try_recv() {
                Ok(d) => batch.push(d),
                Err(_) => break,
            }
        }
        let (db, arrivals) = (db.clone(), arrivals.clone());
        tokio::spawn(async move {
            if insert(&db, batch).await {
                arrivals.committed();
            }
            drop(permit);
        });
    }
}

/// One `NOTIFY` for whatever was committed since the last one, then a pause: a few a second
/// at most, however many deliveries arrive.
async fn announce(db: sqlx::PgPool, arrivals: Arc<Arrivals>) {
    loop {
        arrivals.remote.notified().await;
        if let Err(e) = sqlx::query("SELECT pg_notify($1, '')").bind(CHANNEL).execute(&db).await {
            // The other servers' processors look at the table on their own within a few seconds.
            tracing::warn!(error = %e, "cannot announce new webhook deliveries to the other servers");
        }
        tokio::time::sleep(ANNOUNCE_EVERY).await;
    }
}

/// Inserts the batch and answers each waiter; true if it was committed.
async fn insert(db: &sqlx::PgPool, batch: Vec<Delivery>) -> bool {
    let digests: Vec<&[u8]> = batch.iter().map(|d| d.digest.as_slice()).collect();
    let bodies: Vec<&[u8]> = batch.iter().map(|d| d.body.as_ref()).collect();
    let headers: Vec<&str> = batch.iter().map(|d| d.headers.as_str()).collect();
    let stored: Result<Vec<(i64, Vec<u8>)>, sqlx::Error> = sqlx::query_as(
        "INSERT INTO webhook_deliveries (body_sha256, body, headers)
         SELECT d, b, h::jsonb FROM unnest($1::bytea[], $2::bytea[], $3::text[]) AS t(d, b, h)
         ON CONFLICT (body_sha256) DO NOTHING
         RETURNING id, body_sha256",
    )
    .bind(&digests)
    .bind(&bodies)
    .bind(&headers)
    .fetch_all(db)
    .await;
    match stored {
        Ok(rows) => {
            let ids: HashMap<&[u8], i64> = rows.iter().map(|(id, digest)| (digest.as_slice(), *id)).collect();
            for d in batch {
                let outcome = match ids.get(d.digest.as_slice()) {
                    Some(id) => Ingested::Stored(*id),
                    // Stored before (a retry of Meta's), or twice in this batch.
                    None => Ingested::Duplicate,
                };
                let _ = d.done.send(Ok(outcome));
            }
            !rows.is_empty()
        }
        Err(e) => {
            let e = e.to_string();
            for d in batch {
                let _ = d.done.send(Err(e.clone()));
            }
            false
        }
    }
}
