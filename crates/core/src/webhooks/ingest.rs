//! Group commit of verified deliveries: each request hands its delivery to a writer and waits
//! for the commit of the INSERT that holds it. A writer (`WEBHOOK_WRITERS` of them, on a
//! thread of their own) takes whatever has queued while the previous inserts were committing
//! (up to [`MAX_BATCH`]), so under load one commit (one WAL flush) acknowledges many
//! deliveries, and when idle a delivery is inserted at once, alone.
//! Nothing is acknowledged before its row is committed; a failed insert fails all its waiters
//! (Meta retries them). The insert checks nothing (a unique index over the bodies' hashes was
//! ~40 % of a row's cost): a body this process stored lately never gets here (`super::recent_bodies`),
//! any other copy is a row of its own, and the processor makes no item twice from it.
//!
//! Committed deliveries wake this process's processor directly ([`Arrivals`]), with no
//! database round trip; other servers hear of them through one `NOTIFY` at most every
//! [`ANNOUNCE_EVERY`]. (A `NOTIFY` inside the inserting transaction would take PostgreSQL's
//! global notify lock until the commit's WAL flush, serialising every writer's commit.)

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use sqlx::postgres::{PgConnectOptions, PgConnection};
use sqlx::ConnectOptions;
use tokio::sync::{mpsc, oneshot, Mutex, Notify};

use super::CHANNEL;

/// Deliveries in one INSERT at most.
const MAX_BATCH: usize = 256;
/// Deliveries waiting for a writer before new ones wait for room (back-pressure).
const QUEUE: usize = 4_096;
/// Other servers' processors are told of new deliveries at most this often.
pub const ANNOUNCE_EVERY: Duration = Duration::from_millis(250);

pub(super) struct Delivery {
    pub body: Bytes,
    pub headers: String,
    pub done: oneshot::Sender<Result<(), String>>,
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
    /// The writers run on a thread of their own, each with a connection of its own (opened
    /// when first needed, without the pool's ping): a commit's answer and the next batch never
    /// wait in the request runtime's queues behind the requests it is serving, and a flood of
    /// deliveries never takes the pages' connections. A connection that broke fails its batch
    /// (answered 503, retried by Meta) and is replaced by the next batch.
    pub fn start(db: sqlx::PgPool, arrivals: Arc<Arrivals>, writers: u32) -> Writer {
        let (queue, incoming) = mpsc::channel(QUEUE);
        let connect = db.connect_options().as_ref().clone();
        tokio::spawn(announce(db, arrivals.clone()));
        // Taken by the thread once it runs; left for the request runtime if none could start.
        let job = Arc::new(std::sync::Mutex::new(Some(write(connect, incoming, arrivals, writers))));
        let on_thread = job.clone();
        let started = tokio::runtime::Builder::new_current_thread().enable_all().build().and_then(|runtime| {
            std::thread::Builder::new().name("webhook-writers".into()).spawn(move || {
                if let Some(write) = on_thread.lock().ok().and_then(|mut job| job.take()) {
                    runtime.block_on(write);
                }
            })
        });
        if let Err(e) = started {
            tracing::warn!(error = %e, "no thread for the webhook writers; they share the request threads");
            if let Some(write) = job.lock().ok().and_then(|mut job| job.take()) {
                tokio::spawn(write);
            }
        }
        Writer { queue }
    }

    /// Stores one delivery; returns once its row is committed.
    pub async fn store(&self, body: Bytes, headers: String) -> Result<(), String> {
        let (done, committed) = oneshot::channel();
        self.queue.send(Delivery { body, headers, done }).await.map_err(|_| "the webhook writer has stopped".to_string())?;
        committed.await.map_err(|_| "the webhook writer dropped the delivery".to_string())?
    }
}

/// `writers` writers take turns at the queue: the one waiting takes the first delivery to
/// arrive and everything queued behind it (up to [`MAX_BATCH`]), then inserts while the next
/// one waits. Ends when every [`Writer`] is gone.
async fn write(connect: PgConnectOptions, incoming: mpsc::Receiver<Delivery>, arrivals: Arc<Arrivals>, writers: u32) {
    let incoming = Arc::new(Mutex::new(incoming));
    let writers = (0..writers.max(1)).map(|_| {
        let (connect, incoming, arrivals) = (connect.clone(), incoming.clone(), arrivals.clone());
        async move {
            let mut connection: Option<PgConnection> = None;
            let mut batch = Vec::new();
            loop {
                if incoming.lock().await.recv_many(&mut batch, MAX_BATCH).await == 0 {
                    return;
                }
                if insert(&mut connection, &connect, std::mem::take(&mut batch)).await {
                    arrivals.committed();
                }
            }
        }
    });
    futures_util::future::join_all(writers).await;
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

/// Inserts the batch on the writer's connection (opened first if there is none) and answers
/// each waiter; true if it was committed. On an error the connection is dropped: the next
/// batch opens a new one.
async fn insert(connection: &mut Option<PgConnection>, connect: &PgConnectOptions, batch: Vec<Delivery>) -> bool {
    let stored = match connection {
        Some(c) => statement(c, &batch).await,
        None => match tokio::time::timeout(super::STORE_TIMEOUT, connect.connect()).await {
            Ok(Ok(c)) => statement(connection.insert(c), &batch).await,
            Ok(Err(e)) => Err(e),
            Err(_) => Err(sqlx::Error::Io(std::io::Error::new(std::io::ErrorKind::TimedOut, "the database did not accept a connection in time"))),
        },
    };
    match stored {
        Ok(()) => {
            for d in batch {
                let _ = d.done.send(Ok(()));
            }
            true
        }
        Err(e) => {
            *connection = None;
            let e = e.to_string();
            for d in batch {
                let _ = d.done.send(Err(e.clone()));
            }
            false
        }
    }
}

/// The batch's INSERT, one row per delivery.
async fn statement(connection: &mut PgConnection, batch: &[Delivery]) -> Result<(), sqlx::Error> {
    let bodies: Vec<&[u8]> = batch.iter().map(|d| d.body.as_ref()).collect();
    let headers: Vec<&str> = batch.iter().map(|d| d.headers.as_str()).collect();
    sqlx::query("INSERT INTO webhook_deliveries (body, headers) SELECT b, h::jsonb FROM unnest($1::bytea[], $2::text[]) AS t(b, h)")
        .bind(&bodies)
        .bind(&headers)
        .execute(connection)
        .await?;
    Ok(())
}
