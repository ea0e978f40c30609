//! The two-tier cache against a real Redis, and against one that is not there.

use std::time::Duration;

use crealia_core::cache::{Backend, Cache, CacheSettings};

fn redis_url() -> String {
    std::env::var("TEST_REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".into())
}

fn unique_key(name: &str) -> String {
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos();
    format!("test:{name}:{}:{nanos}", std::process::id())
}

fn settings(redis_url: Option<String>) -> CacheSettings {
    CacheSettings { redis_url, ..CacheSettings::default() }
}

#[tokio::test]
async fn a_value_written_by_one_process_is_read_by_another_through_redis() {
    let writer = Cache::connect(&settings(Some(redis_url()))).await.unwrap();
    let reader = Cache::connect(&settings(Some(redis_url()))).await.unwrap();
    assert_eq!(writer.backend(), Backend::MokaAndRedis);
    let key = unique_key("shared");

    writer.set_json(&key, &vec![1, 2, 3], Some(Duration::from_secs(30))).await;
    let read: Option<Vec<i32>> = reader.get_json(&key).await;
    assert_eq!(read, Some(vec![1, 2, 3]), "the second cache has an empty L1: the value came from Redis");

    writer.invalidate(&key).await;
    let fresh = Cache::connect(&settings(Some(redis_url()))).await.unwrap();
    assert_eq!(fresh.get_json::<Vec<i32>>(&key).await, None, "invalidation removed it from Redis");
}

#[tokio::test]
async fn without_redis_the_cache_works_in_process() {
    let cache = Cache::connect(&settings(Some("redis://127.0.0.1:1".into()))).await.unwrap();
    let key = unique_key("dead");
    cache.set_json(&key, &"still cached", None).await;
    assert_eq!(cache.get_json::<String>(&key).await.as_deref(), Some("still cached"));
    assert_eq!(cache.backend(), Backend::MokaOnly, "the breaker is open after Redis failed");
    assert!(matches!(cache.redis_health().await, Some(Err(_))));
}

#[tokio::test]
async fn entries_expire_after_their_ttl() {
    let cache = Cache::in_process(100);
    let key = unique_key("ttl");
    cache.set_json(&key, &42, Some(Duration::from_millis(50))).await;
    assert_eq!(cache.get_json::<i32>(&key).await, Some(42));
    tokio::time::sleep(Duration::from_millis(120)).await;
    assert_eq!(cache.get_json::<i32>(&key).await, None);
}

/// A shared value is loaded once, handed out as the same allocation on every L1 hit (nothing
/// decoded) with its JSON (sent as stored), read from Redis by a process that did not load it, and loaded again once
/// invalidated; its loader's time to live is kept.
#[tokio::test]
async fn shared_values_are_decoded_once_per_process() {
    let loads = std::sync::atomic::AtomicUsize::new(0);
    let load = async || {
        loads.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        Ok((vec!["a".to_string(), "b".to_string()], Duration::from_secs(30)))
    };
    let here = Cache::connect(&settings(Some(redis_url()))).await.unwrap();
    let key = unique_key("shared-value");
    let first = here.get_or_load_shared(&key, load).await.unwrap();
    let again = here.get_or_load_shared(&key, load).await.unwrap();
    assert!(crealia_model::Shared::ptr_eq(&first, &again), "an L1 hit hands out the value itself");
    assert_eq!(loads.load(std::sync::atomic::Ordering::SeqCst), 1);
    assert_eq!(first.json(), Some(r#"["a","b"]"#), "carries its JSON");

    let there = Cache::connect(&settings(Some(redis_url()))).await.unwrap();
    let from_redis = there.get_or_load_shared(&key, load).await.unwrap();
    assert_eq!(*from_redis, *first, "another process decodes what Redis holds");
    assert_eq!(from_redis.json(), first.json(), "and carries the same JSON");
    assert!(crealia_model::Shared::ptr_eq(&from_redis, &there.get_or_load_shared(&key, load).await.unwrap()), "decoded once there too");
    assert_eq!(loads.load(std::sync::atomic::Ordering::SeqCst), 1, "neither loaded it again");

    here.invalidate(&key).await;
    let reloaded = here.get_or_load_shared(&key, load).await.unwrap();
    assert!(!crealia_model::Shared::ptr_eq(&first, &reloaded));
    assert_eq!(loads.load(std::sync::atomic::Ordering::SeqCst), 2);
}
