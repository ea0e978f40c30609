//! The insights dashboard through the two-tier cache: single flight, warm loads, Redis going
//! away and coming back, invalidation across processes.

mod common;

use std::time::Duration;

use chrono::Utc;
use common::{connect, free_port, redis_url, spawn_app, OwnRedis, TestApp};
use serde_json::Value;
use sqlx::PgPool;

/// Ana with lumen.studio connected; returns her user id.
async fn creator(app: &TestApp) -> i64 {
    common::creator(app, "ana@example.com", "lumen.studio").await.user
}

async fn sandbox_calls(sandbox: &TestApp) -> Value {
    sandbox.admin_json("/sandbox/__admin/calls").await.1
}

async fn reset_calls(sandbox: &TestApp) {
    sandbox.sandbox_admin.delete(sandbox.url("/sandbox/__admin/calls")).send().await.unwrap();
}

#[sqlx::test(migrations = false)]
async fn concurrent_cold_loads_make_one_call_per_query_and_warm_loads_none(pool: PgPool) {
    let app = spawn_app(pool, &[("REDIS_URL", &redis_url())]).await;
    let user = creator(&app).await;
    reset_calls(&app).await;

    let loads = (0..20).map(|_| app.services.insights.dashboard(user, None, 7, Utc::now()));
    let results = futures_util::future::join_all(loads).await;
    let first = results[0].as_ref().unwrap();
    assert!(results.iter().all(|r| r.as_ref().unwrap() == first), "every load sees the same data");
    assert_eq!(first.insights.profile.username, "lumen.studio");
    assert_eq!(first.insights.posts.len(), 6);

    let calls = sandbox_calls(&app).await;
    assert_eq!(calls["GET /me"], 1, "{calls}");
    assert_eq!(calls["GET /{id}/media"], 1, "{calls}");
    // The last reported days, totals now and before, reach and follower series, and one per post.
    assert_eq!(calls["GET /{id}/insights"], 1 + 4 + 6, "{calls}");

    reset_calls(&app).await;
    for _ in 0..5 {
        app.services.insights.dashboard(user, None, 7, Utc::now()).await.unwrap();
    }
    assert_eq!(sandbox_calls(&app).await, serde_json::json!({}), "warm loads call nothing");
}

#[sqlx::test(migrations = false)]
async fn the_dashboard_matches_the_sandbox_and_says_not_available_instead_of_zero(pool: PgPool) {
    let app = spawn_app(pool, &[]).await;
    let user = creator(&app).await;
    let d = app.services.insights.dashboard(user, None, 7, Utc::now()).await.unwrap();
    let (_, world) = app.admin_json("/sandbox/__admin/world").await;
    assert_eq!(d.insights.profile.followers, world["accounts"][0]["followers_count"].as_u64());
    let reach = d.insights.metrics.iter().find(|m| m.name == "reach").unwrap();
    assert!(reach.total.unwrap() > 0 && reach.previous.unwrap() > 0);
    assert_eq!(d.insights.reach.len(), 7, "7 reported days (the range ends before the 48 h data delay)");
    assert_eq!(reach.total.unwrap(), d.insights.reach.iter().map(|p| p.value).sum::<i64>(), "totals and series agree");
    assert!(!d.insights.followers.is_empty());

    // 14 days: more data, different figures.
    let wider = app.services.insights.dashboard(user, None, 14, Utc::now()).await.unwrap();
    assert!(wider.insights.metrics[1].total.unwrap() > reach.total.unwrap());

    // An account under 100 followers: follows_and_unfollows is absent → None, not 0.
    let browser = app.signed_in("tiny@example.com").await;
    connect(&app, &browser, "tiny.sprout", "allow").await;
    let tiny_user = app.services.accounts.sign_in("tiny@example.com", "a long enough password", "127.0.0.1", None).await.unwrap().0.id;
    let tiny = app.services.insights.dashboard(tiny_user, None, 7, Utc::now()).await.unwrap();
    let follows = tiny.insights.metrics.iter().find(|m| m.name == "follows_and_unfollows").unwrap();
    assert_eq!(follows.total, None);
    assert!(tiny.insights.followers.is_empty());
}

/// Instagram reports a day up to 48 h late: a 7-day range of "the last 7 days" holds 5 reported
/// days against 7 before them, and every figure reads as a fall of ~30 %. The range ends at the
/// last reported day instead, and the previous range is as long.
#[sqlx::test(migrations = false)]
async fn ranges_compare_whole_reported_days_with_as_many_days_before(pool: PgPool) {
    const DAY: i64 = 86_400;
    let app = spawn_app(pool, &[]).await;
    let user = creator(&app).await;
    let now = Utc::now();
    let today = now.timestamp().div_euclid(DAY) * DAY;
    // The account's daily reach over the last 30 days, as Instagram (the sandbox) reports it.
    let account = app.services.connections.account(user, None).await.unwrap();
    let page =
        account.call(async |graph, token, ig| graph.account_insights(token, ig, &["reach"], "time_series", today - 30 * DAY, today).await).await.unwrap();
    let daily: Vec<(String, i64)> = page.data[0]
        .values
        .as_ref()
        .unwrap()
        .iter()
        .map(|v| {
            let end = chrono::DateTime::parse_from_str(v.end_time.as_deref().unwrap(), "%Y-%m-%dT%H:%M:%S%z").unwrap();
            ((end - chrono::Duration::days(1)).format("%Y-%m-%d").to_string(), v.value.as_i64().unwrap())
        })
        .collect();
    assert_eq!(daily.len(), 28, "the sandbox holds back the last two days");
    let last = &daily.last().unwrap().0;

    for range in [7usize, 14] {
        let d = app.services.insights.dashboard(user, None, range as u32, now).await.unwrap().insights;
        let reach = d.metrics.iter().find(|m| m.name == "reach").unwrap();
        let current: i64 = daily[daily.len() - range..].iter().map(|(_, v)| v).sum();
        let previous: i64 = daily[daily.len() - 2 * range..daily.len() - range].iter().map(|(_, v)| v).sum();
        assert_eq!((&d.until, d.delay_days), (last, 2), "{range} days end at the last reported day");
        assert_eq!(d.since, daily[daily.len() - range].0);
        assert_eq!(d.reach.len(), range, "{range} whole days in the chart");
        assert_eq!((reach.total, reach.previous), (Some(current), Some(previous)), "{range} days against the {range} before");
    }
}

#[sqlx::test(migrations = false)]
async fn another_creators_connection_is_not_found_and_190_asks_for_a_reconnect(pool: PgPool) {
    let app = spawn_app(pool, &[]).await;
    let ana = creator(&app).await;
    let cid = app.services.connections.list(ana).await.unwrap()[0].id;
    let _ = app.signed_in("bo@example.com").await;
    let bo = app.services.accounts.sign_in("bo@example.com", "a long enough password", "127.0.0.1", None).await.unwrap().0.id;
    assert!(matches!(app.services.insights.dashboard(bo, Some(cid), 7, Utc::now()).await, Err(crealia_core::Error::NotFound)));
    assert!(matches!(app.services.insights.refresh(bo, cid).await, Err(crealia_core::Error::NotFound)));

    app.sandbox_admin(reqwest::Method::POST, "/tokens/revoke", serde_json::json!({ "account": "lumen.studio" })).await;
    let e = app.services.insights.dashboard(ana, Some(cid), 30, Utc::now()).await.unwrap_err();
    assert!(matches!(e, crealia_core::Error::NeedsReconnect), "{e:?}");
    assert_eq!(app.services.connections.list(ana).await.unwrap()[0].state.as_str(), "needs_reconnect");
}

#[sqlx::test(migrations = false)]
async fn refresh_bypasses_the_cache_once_per_cooldown(pool: PgPool) {
    let app = spawn_app(pool, &[]).await;
    let user = creator(&app).await;
    let cid = app.services.connections.list(user).await.unwrap()[0].id;
    app.services.insights.dashboard(user, None, 7, Utc::now()).await.unwrap();
    reset_calls(&app).await;
    app.services.insights.refresh(user, cid).await.unwrap();
    app.services.insights.dashboard(user, None, 7, Utc::now()).await.unwrap();
    assert_eq!(sandbox_calls(&app).await["GET /me"], 1, "fetched again after the refresh");
    assert!(matches!(app.services.insights.refresh(user, cid).await, Err(crealia_core::Error::Throttled { .. })), "rate-limited");
}

#[sqlx::test(migrations = false)]
async fn redis_stopping_mid_test_degrades_without_errors_and_its_return_is_noticed(pool: PgPool) {
    let port = free_port();
    let mut redis = OwnRedis::start(port);
    let app = spawn_app(pool, &[("REDIS_URL", &redis.url())]).await;
    let user = creator(&app).await;
    app.services.insights.dashboard(user, None, 7, Utc::now()).await.unwrap();
    assert_eq!(app.readyz_details().await.1["checks"]["cache"]["backend"], "moka+redis");

    redis.stop();
    for days in [7, 14, 30] {
        app.services.insights.dashboard(user, None, days, Utc::now()).await.expect("served without Redis");
    }
    // Readiness is probed at most once a second.
    tokio::time::sleep(crealia_core::health::REPORT_MAX_AGE).await;
    let (status, body) = app.readyz_details().await;
    assert_eq!(status, 200);
    assert_eq!(body["status"], "degraded");
    assert_eq!(body["checks"]["cache"]["redis"]["status"], "down");
    assert_eq!(app.services.cache.backend(), crealia_core::cache::Backend::MokaOnly, "the breaker skips Redis");

    let redis = OwnRedis::start(port);
    // The breaker tries again after its pause.
    let mut back = false;
    for _ in 0..40 {
        let (_, body) = app.readyz_details().await;
        if body["checks"]["cache"]["backend"] == "moka+redis" && body["status"] == "ok" {
            back = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    assert!(back, "Redis is used again");
    // And it holds data again: a value written now is readable from a second cache on it.
    app.services.cache.set_json("probe", &42, None).await;
    let mut conn = redis::Client::open(redis.url()).unwrap().get_multiplexed_async_connection().await.unwrap();
    conn.set_response_timeout(Duration::from_secs(60));
    let keys: Vec<String> = redis::cmd("KEYS").arg("*probe").query_async(&mut conn).await.unwrap();
    assert_eq!(keys.len(), 1, "{keys:?}");
}

/// An invalidation is a generation number bumped in PostgreSQL (issue 12, item 6): it takes
/// effect in this process at once and in every other within a second (the row's notification), however many keys Redis holds (a SCAN for a prefix timed
/// out at a million and left every process stale) and while Redis is down (a broadcast was lost).
#[sqlx::test(migrations = false)]
async fn an_invalidation_reaches_every_process_within_a_second_beside_a_million_foreign_keys_and_with_redis_down(pool: PgPool) {
    let mut redis = OwnRedis::start_with(free_port(), &["--enable-debug-command", "yes"]);
    let a = spawn_app(pool.clone(), &[("REDIS_URL", &redis.url())]).await;
    let user = creator(&a).await;
    let sandbox = format!("{}/sandbox/", a.url(""));
    let b = spawn_app(pool.clone(), &[("REDIS_URL", &redis.url()), ("GRAPH_API_BASE_URL", &sandbox), ("CACHE_NAMESPACE", &a.namespace)]).await;
    let cid = a.services.connections.list(user).await.unwrap()[0].id;
    let posts_on = async |app: &TestApp| app.services.insights.dashboard(user, None, 7, Utc::now()).await.unwrap().insights.profile.media_count.unwrap();
    let jpg = common::stored_media(&a, user, &common::encoded(1080, 1080, image::ImageFormat::Jpeg)).await;
    let publish_on_a = async || {
        let post = crealia_core::publishing::NewPost {
            connection_id: cid,
            kind: crealia_core::publishing::PostKind::Image,
            caption: "New".into(),
            alt_text: None,
            first_comment: None,
            media_ids: vec![jpg],
            scheduled_at: Utc::now(),
            options: Default::default(),
        };
        a.services.publishing.schedule(user, post).await.unwrap();
        assert_eq!(a.services.publishing.run_due(Utc::now(), 10).await.unwrap(), 1);
    };

    let before = posts_on(&a).await;
    assert_eq!(posts_on(&b).await, before, "both processes hold the figures (B read them from Redis)");
    // A million keys of other applications share this Redis.
    let mut conn = redis::Client::open(redis.url()).unwrap().get_multiplexed_async_connection().await.unwrap();
    conn.set_response_timeout(Duration::from_secs(60));
    let _: () = redis::cmd("DEBUG").arg("POPULATE").arg(1_000_000).arg("another-app").query_async(&mut conn).await.unwrap();
    let size: i64 = redis::cmd("DBSIZE").query_async(&mut conn).await.unwrap();
    assert!(size >= 1_000_000, "{size}");

    // B learns of the new generation when the connection row's notification arrives (B keeps
    // the creator's connections in memory, issue 13): within a second.
    let shows = async |app: &TestApp, count: u64, what: &str| {
        let started = std::time::Instant::now();
        while posts_on(app).await != count {
            assert!(started.elapsed() < Duration::from_secs(1), "{what}");
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    };
    publish_on_a().await;
    assert_eq!(posts_on(&a).await, before + 1, "A shows the new post at once");
    shows(&b, before + 1, "B shows the new post within a second, beside a million foreign keys").await;

    // Redis goes down; A publishes again; B's memory still holds the previous figures.
    redis.stop();
    publish_on_a().await;
    shows(&b, before + 2, "B shows it within a second with Redis down").await;
}

#[sqlx::test(migrations = false)]
async fn the_dashboard_page_and_the_json_route_serve_the_signed_in_creator(pool: PgPool) {
    let app = spawn_app(pool, &[]).await;
    let browser = app.signed_in("ana@example.com").await;
    connect(&app, &browser, "lumen.studio", "allow").await;

    let (status, _, html) = browser.get(&app.url("/instagram-dashboard?days=14")).await;
    assert_eq!(status, 200);
    assert!(html.contains("Accounts reached per day") && html.contains("Recent posts"), "server-rendered");
    assert!(html.contains("48,210"), "followers from the sandbox");
    assert!(html.contains(r#"data-testid="chart-column""#), "the chart is in the HTML");

    let r = browser.client.get(app.url("/api/instagram/insights?days=30")).header("cookie", browser.cookie.clone().unwrap()).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let d: Value = r.json().await.unwrap();
    assert_eq!(d["insights"]["range_days"], 30);
    assert_eq!(d["insights"]["profile"]["username"], "lumen.studio");
    assert_eq!(d["insights"]["metrics"].as_array().unwrap().len(), crealia_core::insights::METRICS.len());

    let r = app.client.get(app.url("/api/instagram/insights")).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 401);
    let r = browser.client.get(app.url("/api/instagram/insights?days=9")).header("cookie", browser.cookie.clone().unwrap()).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 422, "only 7, 14 or 30 days");
    let (status, location, _) = common::Browser::new().get(&app.url("/instagram-dashboard")).await;
    assert_eq!((status, location.as_deref()), (303, Some("/auth/signin?next=%2Finstagram-dashboard")));
}

/// Connection ids start again in every database; two databases sharing one Redis and one
/// `CACHE_NAMESPACE` (test runs, a re-created development database) must not serve each
/// other's cached data under the same id.
#[sqlx::test(migrations = false)]
async fn databases_sharing_a_redis_never_share_cached_data(pool: PgPool) {
    let namespace = format!("shared-{}", Utc::now().timestamp_nanos_opt().unwrap());
    let vars = [("REDIS_URL", redis_url()), ("CACHE_NAMESPACE", namespace)];
    let vars: Vec<(&str, &str)> = vars.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let a = spawn_app(pool.clone(), &vars).await;
    let user_a = creator(&a).await;
    let first = a.services.insights.dashboard(user_a, None, 7, Utc::now()).await.unwrap();
    assert_eq!(first.insights.profile.username, "lumen.studio");

    // A second database on the same server, same Redis, same namespace.
    let other_db = format!("crealia_other_{}", Utc::now().timestamp_nanos_opt().unwrap());
    sqlx::query(&format!("CREATE DATABASE \"{other_db}\"")).execute(&pool).await.unwrap();
    let url = common::database_url(&pool).replace(pool.connect_options().get_database().unwrap(), &other_db);
    let other = PgPool::connect(&url).await.unwrap();
    let b = spawn_app(other.clone(), &vars).await;
    let browser = b.signed_in("bo@example.com").await;
    assert!(connect(&b, &browser, "nordlys.cafe", "allow").await.contains("connected"));
    let user_b = b.services.accounts.sign_in("bo@example.com", "a long enough password", "127.0.0.1", None).await.unwrap().0.id;
    let cid_a = a.services.connections.list(user_a).await.unwrap()[0].id;
    let cid_b = b.services.connections.list(user_b).await.unwrap()[0].id;
    assert_eq!(cid_a, cid_b, "the same connection id in both databases");
    let second = b.services.insights.dashboard(user_b, None, 7, Utc::now()).await.unwrap();
    assert_eq!(second.insights.profile.username, "nordlys.cafe", "B sees its own account, not A's cached one");

    other.close().await;
    drop(b);
    let _ = sqlx::query(&format!("DROP DATABASE \"{other_db}\" WITH (FORCE)")).execute(&pool).await;
}

/// In sandbox mode the Graph API lives in the server's process: a connection made through
/// OAuth still works after the server starts again (the sandbox of the same seed recognises the
/// tokens it issued), instead of asking the creator to reconnect.
#[sqlx::test(migrations = false)]
async fn a_connection_made_through_oauth_outlives_a_restart_in_sandbox_mode(pool: PgPool) {
    let first = spawn_app(pool.clone(), &[]).await;
    let user = creator(&first).await;
    first.services.insights.dashboard(user, None, 7, Utc::now()).await.unwrap();
    drop(first);

    let again = spawn_app(pool.clone(), &[]).await;
    let d = again.services.insights.dashboard(user, None, 7, Utc::now()).await.expect("no reconnect needed");
    assert_eq!(d.insights.profile.username, "lumen.studio");
    let state: String = sqlx::query_scalar("SELECT state FROM instagram_connections").fetch_one(&pool).await.unwrap();
    assert_eq!(state, "active");
}
