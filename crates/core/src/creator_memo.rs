//! What a creator's open pages ask for again and again (the control room's status and its
//! posts: every few seconds, on every event of its live feed, from every tab and API client),
//! assembled at most once per [`CreatorMemo`]'s age and dropped at once when the creator's
//! live feed reports a change ([`crate::inbox::LiveInbox`]: a post scheduled, cancelled,
//! published, an inbox item — made on any server). A page that reloads because of a change
//! therefore sees it.
//!
//! A load that began before a change of its creator is handed to its caller but not kept (a
//! change counter per key shard, read before loading and checked after storing, as in
//! [`crate::lookups`]).

use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use tokio::sync::broadcast::error::RecvError;

use crate::inbox::LiveInbox;

/// Creators whose answer is kept at most, per memo.
const CAPACITY: u64 = 10_000;
/// Creators are spread over this many change counters.
const SHARDS: usize = 64;

/// One kind of per-creator answer, kept for a moment.
#[derive(Clone)]
pub struct CreatorMemo<T> {
    inner: Arc<Inner<T>>,
}

struct Inner<T> {
    kept: moka::sync::Cache<i64, Arc<T>>,
    /// Moves at every change of a creator in the shard.
    changes: [AtomicU64; SHARDS],
    /// Without a live feed nothing could drop an answer: nothing is kept.
    live: Option<LiveInbox>,
    /// The task that drops answers on live events, started with the first kept answer.
    watching: OnceLock<()>,
}

fn shard(user_id: i64) -> usize {
    user_id.rem_euclid(SHARDS as i64) as usize
}

impl<T: Send + Sync + 'static> CreatorMemo<T> {
    /// Keeps each creator's answer for `max_age` when `live` is given; else keeps nothing.
    pub fn new(max_age: Duration, live: Option<LiveInbox>) -> Self {
        let kept = moka::sync::Cache::builder().max_capacity(CAPACITY).time_to_live(max_age).build();
        CreatorMemo { inner: Arc::new(Inner { kept, changes: std::array::from_fn(|_| AtomicU64::new(0)), live, watching: OnceLock::new() }) }
    }

    /// The creator's kept answer, or a new one from `load` (kept unless the creator changed
    /// something while it loaded).
    pub async fn get_or_load<E, F, Fut>(&self, user_id: i64, load: F) -> Result<Arc<T>, E>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<T, E>>,
    {
        let Some(live) = &self.inner.live else { return load().await.map(Arc::new) };
        if let Some(kept) = self.inner.kept.get(&user_id) {
            return Ok(kept);
        }
        self.watch(live);
        let counter = &self.inner.changes[shard(user_id)];
        let mark = counter.load(Ordering::SeqCst);
        let fresh = Arc::new(load().await?);
        if counter.load(Ordering::SeqCst) == mark {
            self.inner.kept.insert(user_id, fresh.clone());
            if counter.load(Ordering::SeqCst) != mark {
                self.inner.kept.invalidate(&user_id);
            }
        }
        Ok(fresh)
    }

    /// Drops the creator's answer in this process (their live feed does it on every server).
    pub fn forget(&self, user_id: i64) {
        self.inner.changed(user_id);
    }

    fn watch(&self, live: &LiveInbox) {
        self.inner.watching.get_or_init(|| {
            let mut events = live.subscribe();
            let inner = Arc::downgrade(&self.inner);
            tokio::spawn(async move {
                loop {
                    let event = events.recv().await;
                    let Some(inner) = inner.upgrade() else { return };
                    match event {
                        Ok(user_id) => inner.changed(user_id),
                        Err(RecvError::Lagged(_)) => inner.changed_all(),
                        Err(RecvError::Closed) => return inner.changed_all(),
                    }
                }
            });
        });
    }
}

impl<T> Inner<T>
where
    T: Send + Sync + 'static,
{
    fn changed(&self, user_id: i64) {
        self.changes[shard(user_id)].fetch_add(1, Ordering::SeqCst);
        self.kept.invalidate(&user_id);
    }

    fn changed_all(&self) {
        for c in &self.changes {
            c.fetch_add(1, Ordering::SeqCst);
        }
        self.kept.invalidate_all();
    }
}
