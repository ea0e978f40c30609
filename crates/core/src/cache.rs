//! The two-tier cache: moka in this process (L1), Redis shared by every process (L2).
//!
//! Nothing is ever looked up by prefix: what changes together carries a generation number in
//! its key (an account's keys: [`crate::account_cache`]), so invalidating a group is one
//! counter bumped in PostgreSQL, not a scan of Redis or a message to every process.
//!
//! Redis is optional. When it is not configured, or is unreachable, the cache works on moka
//! alone. A small circuit breaker keeps a dead Redis from slowing requests down: after a
//! failure, Redis is skipped for `retry_after` and then tried again.

mod tally;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crealia_model::Shared;
use moka::Expiry;
use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use serde::{de::DeserializeOwned, Serialize};
use serde_json::value::RawValue;
use tally::Tally;
pub use tally::{HitCounts, Tier};

#[derive(Clone)]
pub struct CacheSettings {
    pub redis_url: Option<String>,
    /// Separates deployments (or test runs) that share one Redis.
    pub namespace: String,
    pub max_entries: u64,
    pub default_ttl: Duration,
    /// How long one Redis call may take before it counts as a failure.
    pub redis_timeout: Duration,
    /// How long Redis is skipped after a failure.
    pub retry_after: Duration,
}

impl std::fmt::Debug for CacheSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CacheSettings")
            .field("redis", &self.redis_url.as_ref().map(|_| "[configured]"))
            .field("max_entries", &self.max_entries)
            .field("default_ttl", &self.default_ttl)
            .finish()
    }
}

impl Default for CacheSettings {
    fn default() -> Self {
        Self {
            redis_url: None,
            namespace: "crealia".into(),
            max_entries: 10_000,
            default_ttl: Duration::from_secs(24 * 3600),
            redis_timeout: Duration::from_millis(500),
            retry_after: Duration::from_secs(2),
        }
    }
}

/// Which tiers answer right now.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub enum Backend {
    #[serde(rename = "moka")]
    MokaOnly,
    #[serde(rename = "moka+redis")]
    MokaAndRedis,
}

impl Backend {
    pub fn as_str(self) -> &'static str {
        match self {
            Backend::MokaOnly => "moka",
            Backend::MokaAndRedis => "moka+redis",
        }
    }
}

#[derive(Clone)]
struct Entry {
    bytes: Arc<[u8]>,
    ttl: Duration,
    /// The value itself, once decoded (or as it was loaded), for [`Cache::get_or_load_shared`]:
    /// an L1 hit then decodes nothing.
    decoded: Arc<std::sync::OnceLock<Arc<dyn std::any::Any + Send + Sync>>>,
}

impl Entry {
    fn new(bytes: Arc<[u8]>, ttl: Duration) -> Self {
        Entry { bytes, ttl, decoded: Default::default() }
    }
}

struct EntryTtl;

impl Expiry<String, Entry> for EntryTtl {
    fn expire_after_create(&self, _key: &String, value: &Entry, _now: Instant) -> Option<Duration> {
        Some(value.ttl)
    }
}

fn l1_cache(max_entries: u64) -> moka::future::Cache<String, Entry> {
    moka::future::Cache::builder().max_capacity(max_entries).expire_after(EntryTtl).build()
}

#[derive(Clone)]
pub struct Cache {
    inner: Arc<Inner>,
}

struct Inner {
    l1: moka::future::Cache<String, Entry>,
    l2: Option<RedisTier>,
    default_ttl: Duration,
    tally: Tally,
}

impl Cache {
    /// Builds the cache and makes a first attempt at Redis (bounded by `redis_timeout`).
    /// An unreachable Redis is logged and leaves the cache on moka alone.
    pub async fn connect(settings: &CacheSettings) -> Result<Self, redis::RedisError> {
        let l1 = l1_cache(settings.max_entries);
        let l2 = match &settings.redis_url {
            Some(url) => {
                let tier = RedisTier::new(url, &settings.namespace, settings.redis_timeout, settings.retry_after)?;
                if let Err(e) = tier.ping().await {
                    tracing::warn!(error = %e, "Redis is unreachable; caching in this process only until it answers");
                }
                Some(tier)
            }
            None => None,
        };
        Ok(Self { inner: Arc::new(Inner { l1, l2, default_ttl: settings.default_ttl, tally: Tally::default() }) })
    }

    /// A cache with moka alone, for tools and tests that need no Redis.
    pub fn in_process(max_entries: u64) -> Self {
        let l1 = l1_cache(max_entries);
        Self { inner: Arc::new(Inner { l1, l2: None, default_ttl: CacheSettings::default().default_ttl, tally: Tally::default() }) }
    }

    pub fn redis_configured(&self) -> bool {
        self.inner.l2.is_some()
    }

    /// The tiers in use at this moment.
    pub fn backend(&self) -> Backend {
        match &self.inner.l2 {
            Some(tier) if tier.is_available() => Backend::MokaAndRedis,
            _ => Backend::MokaOnly,
        }
    }

    pub async fn get_bytes(&self, key: &str) -> Option<Arc<[u8]>> {
        let l1 = self.inner.l1.get(key).await;
        self.inner.tally.lookup(Tier::L1, l1.is_some());
        if let Some(entry) = l1 {
            return Some(entry.bytes);
        }
        let Some(tier) = self.inner.l2.as_ref() else {
            self.inner.tally.loaded();
            return None;
        };
        let l2 = tier.get(key).await;
        self.inner.tally.lookup(Tier::L2, l2.is_some());
        let Some((bytes, ttl)) = l2 else {
            self.inner.tally.loaded();
            return None;
        };
        self.inner.l1.insert(key.to_string(), Entry::new(bytes.clone(), ttl)).await;
        Some(bytes)
    }

    pub async fn set_bytes(&self, key: &str, bytes: Arc<[u8]>, ttl: Option<Duration>) {
        let ttl = ttl.unwrap_or(self.inner.default_ttl);
        self.inner.l1.insert(key.to_string(), Entry::new(bytes.clone(), ttl)).await;
        if let Some(tier) = &self.inner.l2 {
            tier.set(key, &bytes, ttl).await;
        }
    }

    pub async fn get_json<T: DeserializeOwned>(&self, key: &str) -> Option<T> {
        let bytes = self.get_bytes(key).await?;
        match serde_json::from_slice(&bytes) {
            Ok(value) => Some(value),
            Err(e) => {
                tracing::warn!(key, error = %e, "dropping an unreadable cache entry");
                self.invalidate(key).await;
                None
            }
        }
    }

    pub async fn set_json<T: Serialize>(&self, key: &str, value: &T, ttl: Option<Duration>) {
        match serde_json::to_vec(value) {
            Ok(bytes) => self.set_bytes(key, bytes.into(), ttl).await,
            Err(e) => tracing::warn!(key, error = %e, "value not cached: it does not serialise"),
        }
    }

    pub async fn invalidate(&self, key: &str) {
        self.inner.l1.invalidate(key).await;
        if let Some(tier) = &self.inner.l2 {
            tier.delete(key).await;
        }
    }

    /// The value under `key`, loading it once with `load` on a miss: concurrent misses in this
    /// process share one load (single flight), and a value another process loaded comes from
    /// Redis. Errors are not cached.
    pub async fn get_or_load<T, F, Fut>(&self, key: &str, ttl: Duration, load: F) -> crate::Result<T>
    where
        T: Serialize + DeserializeOwned,
        F: FnOnce() -> Fut,
        Fut: std::future::Future<Output = crate::Result<T>>,
    {
        self.get_or_load_kept(key, async || Ok((load().await?, ttl))).await
    }

    /// Like [`Cache::get_or_load`], where `load` also says how long its value may be kept (an
    /// answer missing a part is kept briefly, so the next load asks for it again).
    pub async fn get_or_load_kept<T, F, Fut>(&self, key: &str, load: F) -> crate::Result<T>
    where
        T: Serialize + DeserializeOwned,
        F: FnOnce() -> Fut,
        Fut: std::future::Future<Output = crate::Result<(T, Duration)>>,
    {
        let entry = self
            .entry_or_load(key, async || {
                let (value, ttl) = load().await?;
                Ok((encode(&value)?, ttl, None))
            })
            .await?;
        decode(&entry.bytes)
    }

    /// Like [`Cache::get_or_load`] for a value read far more often than it changes: it is
    /// handed out shared with its JSON, decoded at most once per process, so an L1 hit costs a
    /// lookup and a pointer, and sending it writes the stored bytes. `load` also says how long
    /// its value may be kept.
    pub async fn get_or_load_shared<T, F, Fut>(&self, key: &str, load: F) -> crate::Result<Shared<T>>
    where
        T: Serialize + DeserializeOwned + Send + Sync + 'static,
        F: FnOnce() -> Fut,
        Fut: std::future::Future<Output = crate::Result<(T, Duration)>>,
    {
        let entry = self
            .entry_or_load(key, async || {
                let (value, ttl) = load().await?;
                let shared = Shared::encoded(value).map_err(|e| crate::Error::Internal(format!("cache encode: {e}")))?;
                let bytes: Arc<[u8]> = shared.json().unwrap_or_default().as_bytes().into();
                Ok((bytes, ttl, Some(Arc::new(shared) as Arc<dyn std::any::Any + Send + Sync>)))
            })
            .await?;
        if let Some(shared) = entry.decoded.get().and_then(|d| d.downcast_ref::<Shared<T>>()) {
            return Ok(shared.clone());
        }
        // Read from Redis, or another type under the same key (a bug; decoded, not shared).
        let json: Box<RawValue> = decode(&entry.bytes)?;
        let shared = Shared::with_json(Arc::new(decode::<T>(&entry.bytes)?), json.into());
        let _ = entry.decoded.set(Arc::new(shared.clone()));
        Ok(shared)
    }

    /// The entry under `key` (L1, then L2), or what `load` gives: the encoded value (stored in
    /// L2 too), how long to keep it, and the value itself to keep in the entry.
    async fn entry_or_load<F, Fut>(&self, key: &str, load: F) -> crate::Result<Entry>
    where
        F: FnOnce() -> Fut,
        Fut: std::future::Future<Output = crate::Result<(Arc<[u8]>, Duration, Option<Arc<dyn std::any::Any + Send + Sync>>)>>,
    {
        if let Some(entry) = self.inner.l1.get(key).await {
            self.inner.tally.lookup(Tier::L1, true);
            return Ok(entry);
        }
        self.inner.tally.lookup(Tier::L1, false);
        let inner = self.inner.clone();
        let owned_key = key.to_string();
        self.inner
            .l1
            // Boxed: the loader's future would otherwise be carried inline by every caller's.
            .try_get_with(
                key.to_string(),
                Box::pin(async move {
                    if let Some(tier) = &inner.l2 {
                        let found = tier.get(&owned_key).await;
                        inner.tally.lookup(Tier::L2, found.is_some());
                        if let Some((bytes, remaining)) = found {
                            return Ok(Entry::new(bytes, remaining));
                        }
                    }
                    inner.tally.loaded();
                    let (bytes, ttl, decoded) = load().await?;
                    if let Some(tier) = &inner.l2 {
                        tier.set(&owned_key, &bytes, ttl).await;
                    }
                    let entry = Entry::new(bytes, ttl);
                    if let Some(decoded) = decoded {
                        let _ = entry.decoded.set(decoded);
                    }
                    Ok::<_, crate::Error>(entry)
                }),
            )
            .await
            .map_err(|e| e.duplicate())
    }

    /// Requests answered by a tier and requests loaded from the source, in this process over
    /// the last five minutes.
    pub fn recent_hits(&self) -> HitCounts {
        self.inner.tally.recent()
    }

    /// Empties this process's L1 only (benchmarks measure L2 hits with it).
    pub fn clear_local(&self) {
        self.inner.l1.invalidate_all();
    }

    /// Whether this process holds `key` in its L1 (for tests and diagnostics).
    pub async fn l1_contains(&self, key: &str) -> bool {
        self.inner.l1.get(key).await.is_some()
    }

    /// Pings Redis now (ignoring the breaker) and reports what it found.
    pub async fn redis_health(&self) -> Option<Result<Duration, String>> {
        let tier = self.inner.l2.as_ref()?;
        let started = Instant::now();
        Some(tier.ping().await.map(|_| started.elapsed()))
    }
}

fn decode<T: DeserializeOwned>(bytes: &[u8]) -> crate::Result<T> {
    serde_json::from_slice(bytes).map_err(|e| crate::Error::Internal(format!("cache decode: {e}")))
}

fn encode<T: Serialize>(value: &T) -> crate::Result<Arc<[u8]>> {
    Ok(serde_json::to_vec(value).map_err(|e| crate::Error::Internal(format!("cache encode: {e}")))?.into())
}

struct RedisTier {
    client: redis::Client,
    /// `{namespace}:`, before every key.
    key_prefix: String,
    timeout: Duration,
    retry_after: Duration,
    conn: tokio::sync::Mutex<Option<ConnectionManager>>,
    /// Redis is skipped until this instant after a failure.
    open_until: Mutex<Option<Instant>>,
}

impl RedisTier {
    fn new(url: &str, namespace: &str, timeout: Duration, retry_after: Duration) -> Result<Self, redis::RedisError> {
        Ok(Self {
            client: redis::Client::open(url)?,
            key_prefix: format!("{namespace}:"),
            timeout,
            retry_after,
            conn: tokio::sync::Mutex::new(None),
            open_until: Mutex::new(None),
        })
    }

    fn is_available(&self) -> bool {
        match *self.open_until.lock().expect("breaker lock") {
            Some(until) => Instant::now() >= until,
            None => true,
        }
    }

    fn trip(&self, error: &str) {
        let mut open = self.open_until.lock().expect("breaker lock");
        if open.is_none() {
            tracing::warn!(error, "Redis failed; serving from the in-process cache");
        }
        *open = Some(Instant::now() + self.retry_after);
    }

    fn close(&self) {
        let mut open = self.open_until.lock().expect("breaker lock");
        if open.take().is_some() {
            tracing::info!("Redis answers again; using it as the shared cache");
        }
    }

    async fn connection(&self) -> Result<ConnectionManager, String> {
        let mut slot = self.conn.lock().await;
        if let Some(conn) = slot.as_ref() {
            return Ok(conn.clone());
        }
        let config =
            ConnectionManagerConfig::new().set_connection_timeout(Some(self.timeout)).set_response_timeout(Some(self.timeout)).set_number_of_retries(0);
        let conn = tokio::time::timeout(self.timeout, ConnectionManager::new_with_config(self.client.clone(), config))
            .await
            .map_err(|_| "connection timed out".to_string())?
            .map_err(|e| e.to_string())?;
        *slot = Some(conn.clone());
        Ok(conn)
    }

    /// Runs one Redis operation, bounded by the timeout; a failure trips the breaker and
    /// drops the connection so that the next attempt reconnects.
    async fn run<T, F, Fut>(&self, respect_breaker: bool, op: F) -> Result<T, String>
    where
        F: FnOnce(ConnectionManager) -> Fut,
        Fut: std::future::Future<Output = redis::RedisResult<T>>,
    {
        if respect_breaker && !self.is_available() {
            return Err("skipped: Redis failed recently".into());
        }
        let result = async {
            let conn = self.connection().await?;
            tokio::time::timeout(self.timeout, op(conn)).await.map_err(|_| "command timed out".to_string())?.map_err(|e| e.to_string())
        }
        .await;
        match &result {
            Ok(_) => self.close(),
            Err(e) => {
                *self.conn.lock().await = None;
                self.trip(e);
            }
        }
        result
    }

    async fn ping(&self) -> Result<(), String> {
        self.run(false, |mut c| async move { redis::cmd("PING").query_async::<String>(&mut c).await }).await.map(|_| ())
    }

    async fn get(&self, key: &str) -> Option<(Arc<[u8]>, Duration)> {
        let full = format!("{}{key}", self.key_prefix);
        let (bytes, pttl) = self
            .run(true, |mut c| async move { redis::pipe().cmd("GET").arg(&full).cmd("PTTL").arg(&full).query_async::<(Option<Vec<u8>>, i64)>(&mut c).await })
            .await
            .ok()?;
        Some((bytes?.into(), Duration::from_millis(pttl.max(1) as u64)))
    }

    async fn set(&self, key: &str, bytes: &[u8], ttl: Duration) {
        let mut cmd = redis::cmd("SET");
        cmd.arg(format!("{}{key}", self.key_prefix)).arg(bytes).arg("PX").arg(ttl.as_millis().max(1) as u64);
        let _ = self.run(true, |mut c| async move { cmd.query_async::<()>(&mut c).await }).await;
    }

    async fn delete(&self, key: &str) {
        let mut cmd = redis::cmd("DEL");
        cmd.arg(format!("{}{key}", self.key_prefix));
        let _ = self.run(true, |mut c| async move { cmd.query_async::<i64>(&mut c).await }).await;
    }
}
