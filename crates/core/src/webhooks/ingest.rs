//! Group commit of verified deliveries: each request hands its delivery to a writer and waits
//! for the commit of the INSERT that holds it. The writer takes whatever has queued while the
//! previous inserts were committing (up to [`MAX_BATCH`]), so under load one commit (one WAL
//! flush) acknowledges many deliveries, and when idle a delivery is inserted at once, alone.
//! Nothing is acknowledged before its row is committed; a failed insert fails all its waiters
//! (Meta retries them, and the body hash makes a retry of a stored one a no-op).

use std::collections::HashMap;
use std::sync::Arc;

use tokio::sync::{mpsc, oneshot, Semaphore};

use super::Ingested;

/// Deliveries in one INSERT at most.
const MAX_BATCH: usize = 256;
/// INSERTs committing at the same time.
const WRITERS: usize = 4;
/// Deliveries waiting for a writer before new ones wait for room (back-pressure).
const QUEUE: usize = 4_096;

pub(super) struct Delivery {
    pub digest: Vec<u8>,
    pub body: Vec<u8>,
    pub headers: String,
    pub done: oneshot::Sender<Result<Ingested, String>>,
}

/// The writers' end: cloned into every request.
#[derive(Clone)]
pub(super) struct Writer {
    queue: mpsc::Sender<Delivery>,
}

impl Writer {
    pub fn start(db: sqlx::PgPool) -> Writer {
        let (queue, incoming) = mpsc::channel(QUEUE);
        tokio::spawn(dispatch(db, incoming));
        Writer { queue }
    }

    /// Stores one delivery; returns once its row is committed.
    pub async fn store(&self, digest: Vec<u8>, body: Vec<u8>, headers: String) -> Result<Ingested, String> {
        let (done, committed) = oneshot::channel();
        self.queue.send(Delivery { digest, body, headers, done }).await.map_err(|_| "the webhook writer has stopped".to_string())?;
        committed.await.map_err(|_| "the webhook writer dropped the delivery".to_string())?
    }
}

async fn dispatch(db: sqlx::PgPool, mut incoming: mpsc::Receiver<Delivery>) {
    let writers = Arc::new(Semaphore::new(WRITERS));
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
        let db = db.clone();
        tokio::spawn(async move {
            insert(&db, batch).await;
            drop(permit);
        });
    }
}

async fn insert(db: &sqlx::PgPool, batch: Vec<Delivery>) {
    let digests: Vec<&[u8]> = batch.iter().map(|d| d.digest.as_slice()).collect();
    let bodies: Vec<&[u8]> = batch.iter().map(|d| d.body.as_slice()).collect();
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
        }
        Err(e) => {
            let e = e.to_string();
            for d in batch {
                let _ = d.done.send(Err(e.clone()));
            }
        }
    }
}
