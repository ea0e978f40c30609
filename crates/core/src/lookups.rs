//! What nearly every request looks up, kept in this process: the session behind a cookie
//! ([`crate::accounts`]) and a creator's connections with their tokens still encrypted
//! ([`crate::connections`]; a decrypted token is never kept, here or in Redis).
//!
//! An entry is dropped on every server when its row changes: triggers NOTIFY [`CHANNEL`] at
//! commit, whoever made the change (migration `…_lookup_notifications`), with `name:key`; the
//! process's one listener hands the key to the cache registered under that name.
//!
//! Kept entries are trusted only while the listener is known to hear: from the moment its
//! connection breaks, or a ping it sends itself every [`PING_EVERY`] is not heard back within
//! [`PING_WITHIN`] (a connection that died silently), every cache is emptied and nothing is
//! kept until it hears again. A load that raced a notification for its key is not kept (a
//! counter per key shard, read before loading and checked after storing). Entries also age out
//! after [`KEEP_FOR`], a safety net.

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::time::{Duration, Instant};

use sqlx::PgPool;

use crate::db::{Heard, Listener};

/// The channel the triggers notify: `session:<hex of the token hash>`, `user:<id>`, or a
/// payload without a colon (a TRUNCATE: forget everything).
pub const CHANNEL: &str = "crealia_lookups";
/// How long an entry is kept without a notification.
pub const KEEP_FOR: Duration = Duration::from_secs(300);
/// How often the listener checks that it still hears (a ping through the request pool)...
pub const PING_EVERY: Duration = Duration::from_secs(5);
/// ...and how soon the ping must come back.
pub const PING_WITHIN: Duration = Duration::from_secs(2);
/// Entries of one kind a process keeps, at most.
const MAX_ENTRIES: u64 = 100_000;
/// Keys are spread over this many change counters: a notification for one creator does not
/// stop every other creator's load from being kept.
const SHARDS: usize = 64;

/// The process's listener, shared by its caches.
#[derive(Clone)]
pub struct Hub {
    inner: Arc<HubInner>,
}

struct HubInner {
    db: PgPool,
    /// Whether the listener hears right now (kept entries are trusted only then).
    hearing: AtomicBool,
    started: AtomicBool,
    caches: Mutex<Vec<(&'static str, Weak<dyn Forget>)>>,
}

trait Forget: Send + Sync {
    fn forget(&self, key: &str);
    fn forget_all(&self);
}

impl Hub {
    pub fn new(db: PgPool) -> Self {
        Hub { inner: Arc::new(HubInner { db, hearing: AtomicBool::new(false), started: AtomicBool::new(false), caches: Mutex::new(Vec::new()) }) }
    }

    /// Starts the listener, once (the first lookup runs inside the Tokio runtime).
    fn start(&self) {
        if self.inner.started.swap(true, Ordering::AcqRel) {
            return;
        }
        let hub = Arc::downgrade(&self.inner);
        let db = self.inner.db.clone();
        tokio::spawn(async move {
            let nonce = hex::encode(crate::crypto::random_bytes::<8>());
            let mut listener = Listener::new(&db, &[CHANNEL]).await;
            let mut ping = tokio::time::interval(PING_EVERY);
            let (mut sent, mut awaited): (u64, Option<(u64, Instant)>) = (0, None);
            loop {
                // The hub is held only while an event is handled: a hub no one uses any more
                // ends its task at the next event.
                let heard = tokio::select! {
                    heard = listener.next() => Some(heard),
                    _ = ping.tick() => None,
                };
                let Some(inner) = hub.upgrade() else { return };
                match heard {
                    Some(Heard::Payload(p)) => match p.strip_prefix("ping:") {
                        Some(ping) => {
                            if awaited.is_some_and(|(n, _)| ping == format!("{nonce}:{n}")) {
                                awaited = None;
                                inner.set_hearing(true);
                            }
                        }
                        None => inner.forget(&p),
                    },
                    Some(Heard::Broken | Heard::Tick) => inner.set_hearing(false),
                    // What was sent while it was down is missed: nothing kept is trusted until a
                    // ping comes back through the new connection.
                    Some(Heard::Reconnected) => {
                        inner.set_hearing(false);
                        awaited = None;
                        ping.reset_immediately();
                    }
                    None => {
                        if let Some((_, since)) = awaited {
                            if since.elapsed() > PING_WITHIN {
                                tracing::warn!("the lookups' LISTEN connection no longer hears; reopening it");
                                inner.set_hearing(false);
                                listener.reset();
                                awaited = None;
                            }
                            continue;
                        }
                        sent += 1;
                        let payload = format!("ping:{nonce}:{sent}");
                        if sqlx::query("SELECT pg_notify($1, $2)").bind(CHANNEL).bind(&payload).execute(&db).await.is_ok() {
                            awaited = Some((sent, Instant::now()));
                        } else {
                            inner.set_hearing(false);
                        }
                    }
                }
            }
        });
    }
}

impl HubInner {
    fn caches(&self) -> Vec<(&'static str, Arc<dyn Forget>)> {
        let mut caches = self.caches.lock().unwrap_or_else(|p| p.into_inner());
        caches.retain(|(_, c)| c.strong_count() > 0);
        caches.iter().filter_map(|(name, c)| Some((*name, c.upgrade()?))).collect()
    }

    /// From not hearing to hearing, or back: either way, what is kept is dropped.
    fn set_hearing(&self, hearing: bool) {
        if self.hearing.swap(hearing, Ordering::SeqCst) != hearing || !hearing {
            self.forget_everything();
        }
    }

    fn forget(&self, payload: &str) {
        let Some((name, key)) = payload.split_once(':') else { return self.forget_everything() };
        for (cache_name, cache) in self.caches() {
            if cache_name == name {
                cache.forget(key);
            }
        }
    }

    fn forget_everything(&self) {
        for (_, cache) in self.caches() {
            cache.forget_all();
        }
    }
}

/// One kind of looked-up value, dropped when a notification `name:key` names its key.
pub struct NotifiedCache<K, V> {
    hub: Hub,
    inner: Arc<CacheInner<K, V>>,
}

impl<K, V> Clone for NotifiedCache<K, V> {
    fn clone(&self) -> Self {
        NotifiedCache { hub: self.hub.clone(), inner: self.inner.clone() }
    }
}

struct CacheInner<K, V> {
    entries: moka::sync::Cache<K, V>,
    /// Moves at every change of a key in the shard: a load that began before is not kept.
    changes: [AtomicU64; SHARDS],
    /// A notification's key as this cache's key (None: drop everything).
    parse: fn(&str) -> Option<K>,
}

fn shard<K: Hash>(key: &K) -> usize {
    let mut hasher = DefaultHasher::new();
    key.hash(&mut hasher);
    (hasher.finish() % SHARDS as u64) as usize
}

impl<K: Hash + Eq + Clone + Send + Sync + 'static, V: Clone + Send + Sync + 'static> CacheInner<K, V> {
    fn changed(&self, key: &K) {
        self.changes[shard(key)].fetch_add(1, Ordering::SeqCst);
        self.entries.invalidate(key);
    }

    fn changed_all(&self) {
        for c in &self.changes {
            c.fetch_add(1, Ordering::SeqCst);
        }
        self.entries.invalidate_all();
    }
}

impl<K: Hash + Eq + Clone + Send + Sync + 'static, V: Clone + Send + Sync + 'static> Forget for CacheInner<K, V> {
    fn forget(&self, key: &str) {
        match (self.parse)(key) {
            Some(key) => self.changed(&key),
            None => self.changed_all(),
        }
    }

    fn forget_all(&self) {
        self.changed_all();
    }
}

/// What [`NotifiedCache::mark`] read: hand it back to [`NotifiedCache::keep`].
#[derive(Clone, Copy, Debug)]
pub struct Mark(u64);

impl<K: Hash + Eq + Clone + Send + Sync + 'static, V: Clone + Send + Sync + 'static> NotifiedCache<K, V> {
    /// A cache registered on `hub` under `name` (what its trigger writes before the colon).
    pub fn new(hub: &Hub, name: &'static str, parse: fn(&str) -> Option<K>) -> Self {
        let entries = moka::sync::CacheBuilder::new(MAX_ENTRIES).time_to_live(KEEP_FOR).build();
        let inner = Arc::new(CacheInner { entries, changes: std::array::from_fn(|_| AtomicU64::new(0)), parse });
        let weak: Weak<dyn Forget> = Arc::downgrade(&inner) as Weak<dyn Forget>;
        hub.inner.caches.lock().unwrap_or_else(|p| p.into_inner()).push((name, weak));
        NotifiedCache { hub: hub.clone(), inner }
    }

    /// Read before loading `key`.
    pub fn mark(&self, key: &K) -> Mark {
        self.hub.start();
        Mark(self.inner.changes[shard(key)].load(Ordering::SeqCst))
    }

    /// The kept value, while the listener hears.
    pub fn get(&self, key: &K) -> Option<V> {
        self.hub.start();
        if !self.hub.inner.hearing.load(Ordering::SeqCst) {
            return None;
        }
        self.inner.entries.get(key)
    }

    /// Keeps a value loaded since `mark`, unless its key changed meanwhile (checked again after
    /// storing: a notification between the check and the store removes it) or the listener does
    /// not hear.
    pub fn keep(&self, mark: Mark, key: K, value: V) {
        let counter = &self.inner.changes[shard(&key)];
        if !self.hub.inner.hearing.load(Ordering::SeqCst) || counter.load(Ordering::SeqCst) != mark.0 {
            return;
        }
        self.inner.entries.insert(key.clone(), value);
        if counter.load(Ordering::SeqCst) != mark.0 || !self.hub.inner.hearing.load(Ordering::SeqCst) {
            self.inner.entries.invalidate(&key);
        }
    }

    /// Drops every entry in this process at once (after a change to many rows).
    pub fn forget_all(&self) {
        self.inner.changed_all();
    }

    /// Drops a key in this process at once (its notification drops it everywhere).
    pub fn forget(&self, key: &K) {
        self.inner.changed(key);
    }
}
