//! What nearly every request looks up, kept in this process: the session behind a cookie
//! ([`crate::accounts`]) and a creator's connections with their tokens still encrypted
//! ([`crate::connections`]; a decrypted token is never kept, here or in Redis).
//!
//! An entry is dropped on every server when its row changes: triggers NOTIFY [`CHANNEL`] at
//! commit, whoever made the change (migration `…_lookup_notifications`), with `name:key`; the
//! process's one listener hands the key to the cache registered under that name. When the
//! listener had to reconnect (it may have missed some) every cache is emptied. A load that
//! raced a notification is not kept: [`Hub::mark`] is read before loading, and a notification
//! since then moves it. Entries also age out after [`KEEP_FOR`], a safety net.

use std::hash::Hash;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::time::Duration;

use sqlx::PgPool;

use crate::db::{Heard, Listener};

/// The channel the triggers notify: `session:<hex of the token hash>` or `user:<id>`.
pub const CHANNEL: &str = "crealia_lookups";
/// How long an entry is kept without a notification.
pub const KEEP_FOR: Duration = Duration::from_secs(300);
/// Entries of one kind a process keeps, at most.
const MAX_ENTRIES: u64 = 100_000;

/// The process's listener, shared by its caches.
#[derive(Clone)]
pub struct Hub {
    inner: Arc<HubInner>,
}

struct HubInner {
    db: PgPool,
    changes: AtomicU64,
    listening: AtomicBool,
    caches: Mutex<Vec<(&'static str, Weak<dyn Forget>)>>,
}

trait Forget: Send + Sync {
    fn forget(&self, key: &str);
    fn forget_all(&self);
}

impl Hub {
    pub fn new(db: PgPool) -> Self {
        Hub { inner: Arc::new(HubInner { db, changes: AtomicU64::new(0), listening: AtomicBool::new(false), caches: Mutex::new(Vec::new()) }) }
    }

    /// What to read before loading a value, and to hand to [`NotifiedCache::keep`].
    pub fn mark(&self) -> u64 {
        self.listen();
        self.inner.changes.load(Ordering::Acquire)
    }

    /// Starts the listener, once (the first lookup runs inside the Tokio runtime).
    fn listen(&self) {
        if self.inner.listening.swap(true, Ordering::AcqRel) {
            return;
        }
        let (hub, db) = (Arc::downgrade(&self.inner), self.inner.db.clone());
        tokio::spawn(async move {
            let mut listener = Listener::new(&db, &[CHANNEL]).await;
            // What was loaded before the listener was in place may be stale.
            if let Some(hub) = hub.upgrade() {
                hub.forget_everything();
            }
            loop {
                let heard = listener.next().await;
                let Some(hub) = hub.upgrade() else { return };
                match heard {
                    Heard::Payload(p) => hub.forget(&p),
                    // Notifications may have been missed, or none can arrive: trust nothing kept.
                    Heard::Reconnected | Heard::Tick => hub.forget_everything(),
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

    fn forget(&self, payload: &str) {
        self.changes.fetch_add(1, Ordering::AcqRel);
        let Some((name, key)) = payload.split_once(':') else { return self.forget_everything() };
        for (cache_name, cache) in self.caches() {
            if cache_name == name {
                cache.forget(key);
            }
        }
    }

    fn forget_everything(&self) {
        self.changes.fetch_add(1, Ordering::AcqRel);
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
    /// A notification's key as this cache's key (None: drop everything).
    parse: fn(&str) -> Option<K>,
}

impl<K: Hash + Eq + Send + Sync + 'static, V: Clone + Send + Sync + 'static> Forget for CacheInner<K, V> {
    fn forget(&self, key: &str) {
        match (self.parse)(key) {
            Some(key) => self.entries.invalidate(&key),
            None => self.entries.invalidate_all(),
        }
    }

    fn forget_all(&self) {
        self.entries.invalidate_all();
    }
}

impl<K: Hash + Eq + Send + Sync + 'static, V: Clone + Send + Sync + 'static> NotifiedCache<K, V> {
    /// A cache registered on `hub` under `name` (what its trigger writes before the colon).
    pub fn new(hub: &Hub, name: &'static str, parse: fn(&str) -> Option<K>) -> Self {
        let inner = Arc::new(CacheInner { entries: moka::sync::CacheBuilder::new(MAX_ENTRIES).time_to_live(KEEP_FOR).build(), parse });
        let weak: Weak<dyn Forget> = Arc::downgrade(&inner) as Weak<dyn Forget>;
        hub.inner.caches.lock().unwrap_or_else(|p| p.into_inner()).push((name, weak));
        NotifiedCache { hub: hub.clone(), inner }
    }

    pub fn hub(&self) -> &Hub {
        &self.hub
    }

    pub fn get(&self, key: &K) -> Option<V> {
        self.hub.listen();
        self.inner.entries.get(key)
    }

    /// Keeps a value loaded since `mark` ([`Hub::mark`]), unless a notification came meanwhile.
    pub fn keep(&self, mark: u64, key: K, value: V) {
        if self.hub.inner.changes.load(Ordering::Acquire) == mark {
            self.inner.entries.insert(key, value);
        }
    }

    /// Drops every entry in this process at once (after a change to many rows).
    pub fn forget_all(&self) {
        self.hub.inner.changes.fetch_add(1, Ordering::AcqRel);
        self.inner.entries.invalidate_all();
    }

    /// Drops a key in this process at once (its notification drops it everywhere).
    pub fn forget(&self, key: &K) {
        self.hub.inner.changes.fetch_add(1, Ordering::AcqRel);
        self.inner.entries.invalidate(key);
    }
}
