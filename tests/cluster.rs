//! Three servers, one deployment, under faults (issue 12). Three `crealia serve` processes on
//! their own ports share one PostgreSQL database, one Redis, one S3 media store and one Graph
//! API (the sandbox, here); a round-robin balancer in front spreads a mixed workload over them:
//! dashboard loads, uploads, publishing now and later, webhook deliveries (the sandbox sends
//! them as Meta does, retrying what is not answered 200) and inbox replies. While it runs:
//! the Graph API answers 5xx, slowly, with rate limits and a 190; Redis is killed and started
//! again; the database refuses every connection and drops the open ones; a server is SIGKILLed
//! and started again. Afterwards: no acknowledged webhook lost, no post published twice or
//! lost, no 5xx (or unanswered request) outside a fault's window, and `/readyz` ok on every
//! server within 5 s of each fault's end.
//!
//! `CREALIA_SOAK_SECS=600 cargo test --test cluster -- --nocapture` repeats the faults for that
//! long (BENCHMARKS.md has a soak run's figures); the default is one round of each.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::Utc;
use common::{database_url, free_port, spawn_app, wait_until, OwnS3, Server};
use crealia_core::connections::NewConnection;
use crealia_core::crypto::SecretToken;
use crealia_sandbox::faults::{FaultKind, FaultRule};
use crealia_sandbox::{Sandbox, SandboxConfig};
use serde_json::json;
use sqlx::PgPool;
use tokio::net::{TcpListener, TcpStream};

const ACCOUNTS: [&str; 3] = ["nordlys.cafe", "lumen.studio", "mira.moves"];
const VERIFY_TOKEN: &str = "cluster-verify-token";
/// The Graph API's publishing quota is 100 posts a day per account: stay well below.
const MAX_POSTS_PER_ACCOUNT: usize = 30;
/// How long after a fault's end every server must answer `/readyz` ok.
const READY_WITHIN: Duration = Duration::from_secs(5);

/// A round-robin TCP balancer: each connection goes to the next server that accepts it (a
/// server that is down is skipped, as a load balancer's health checks would).
async fn balancer(upstreams: Vec<SocketAddr>) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let next = Arc::new(AtomicU64::new(0));
    tokio::spawn(async move {
        loop {
            let Ok((mut inbound, _)) = listener.accept().await else {
                continue;
            };
            let (upstreams, start) = (upstreams.clone(), next.fetch_add(1, Ordering::Relaxed) as usize);
            tokio::spawn(async move {
                for i in 0..upstreams.len() {
                    if let Ok(mut outbound) = TcpStream::connect(upstreams[(start + i) % upstreams.len()]).await {
                        let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                        return;
                    }
                }
            });
        }
    });
    addr
}

struct Cluster {
    database_url: String,
    vars: Vec<(String, String)>,
    ports: Vec<u16>,
    servers: Vec<Option<Server>>,
}

impl Cluster {
    fn start(&mut self, i: usize) {
        let addr = format!("127.0.0.1:{}", self.ports[i]);
        let mut vars: Vec<(&str, &str)> = self.vars.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        vars.push(("LEPTOS_SITE_ADDR", &addr));
        self.servers[i] = Some(Server::start(&self.database_url, &vars));
    }

    fn kill(&mut self, i: usize) {
        if let Some(server) = self.servers[i].take() {
            server.kill();
        }
    }

    /// Waits until every server answers `/readyz` with status ok; how long that took.
    async fn all_ready(&self, client: &reqwest::Client, within: Duration) -> Duration {
        let started = Instant::now();
        for port in &self.ports {
            let url = format!("http://127.0.0.1:{port}/readyz");
            loop {
                let ok = match client.get(&url).send().await {
                    Ok(r) if r.status() == 200 => r.json::<serde_json::Value>().await.is_ok_and(|b| b["status"] == "ok"),
                    _ => false,
                };
                if ok {
                    break;
                }
                assert!(started.elapsed() < within, "server :{port} not ready {within:?} after the fault ended");
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
        started.elapsed()
    }
}

/// One request of the workload: when, what, and the answer (None: no answer at all).
struct Sample {
    /// When the step began and when its answer came: a step in flight while a fault lasted
    /// may fail.
    began: Instant,
    ended: Instant,
    what: &'static str,
    status: Option<u16>,
}

struct Creator {
    cookie: String,
    connection_id: i64,
    account: &'static str,
}

/// The workload's shared state.
#[derive(Default)]
struct Ledger {
    samples: Vec<Sample>,
    /// Accepted posts: (post id, caption).
    posts: Vec<(i64, String)>,
    /// Uploaded media per creator.
    media: BTreeMap<usize, Vec<i64>>,
}

#[sqlx::test(migrations = false)]
async fn three_servers_keep_every_promise_through_faults_under_a_mixed_workload(pool: PgPool) {
    let soak = std::env::var("CREALIA_SOAK_SECS").ok().and_then(|s| s.parse::<u64>().ok()).map(Duration::from_secs);

    // The shared services: the sandbox (Graph API), Redis, S3.
    // Meta's hourly budget of Graph calls per account (4,800) is not what this test is about:
    // four clients reloading dashboards without pause spend it within minutes, after which
    // every call waits for the hour to end.
    let sandbox = Sandbox::new(SandboxConfig { account_calls_per_hour: 1_000_000, ..SandboxConfig::default() });
    let graph_listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let graph = format!("http://{}/", graph_listener.local_addr().unwrap());
    tokio::spawn(crealia_sandbox::serve(graph_listener, sandbox.clone()));
    let redis_port = free_port();
    let mut redis = common::OwnRedis::start(redis_port);
    let s3 = OwnS3::start();

    // The setup process (no jobs): creators, their accounts, the webhook secret.
    let app = spawn_app(pool.clone(), &[("GRAPH_API_BASE_URL", &graph)]).await;
    let ports: Vec<u16> = (0..3).map(|_| free_port()).collect();
    let lb = balancer(ports.iter().map(|p| SocketAddr::from(([127, 0, 0, 1], *p))).collect()).await;
    let public = format!("http://{lb}");
    let namespace = format!("cluster-{}", Utc::now().timestamp_nanos_opt().unwrap());
    let mut vars: Vec<(String, String)> = vec![
        ("GRAPH_API_BASE_URL".into(), graph.clone()),
        ("PUBLIC_BASE_URL".into(), public.clone()),
        ("REDIS_URL".into(), redis.url()),
        ("CACHE_NAMESPACE".into(), namespace),
        ("WEBHOOK_VERIFY_TOKEN".into(), VERIFY_TOKEN.into()),
        ("PUBLISH_LEASE_SECS".into(), "5".into()),
        ("MEDIA_UPLOADS_PER_MINUTE".into(), "1000".into()),
        ("SIGN_UPS_PER_HOUR".into(), "1000".into()),
        ("DATABASE_CONNECT_TIMEOUT_SECS".into(), "2".into()),
    ];
    vars.extend(s3.vars("cluster"));
    let mut cluster = Cluster { database_url: database_url(&pool), vars, ports: ports.clone(), servers: (0..3).map(|_| None).collect() };
    for i in 0..3 {
        cluster.start(i);
    }
    let probe = reqwest::Client::builder().timeout(Duration::from_secs(2)).build().unwrap();
    cluster.all_ready(&probe, Duration::from_secs(60)).await;

    let mut creators = Vec::new();
    for (i, username) in ACCOUNTS.iter().enumerate() {
        let email = format!("creator{i}@example.com");
        let user = app.services.accounts.sign_up(&email, "a long enough password", "").await.unwrap().id;
        let (_, session) = app.services.accounts.sign_in(&email, "a long enough password", "127.0.0.1", None).await.unwrap();
        let ig = sandbox.world().account_by_username(username).unwrap().ig_id.clone();
        let token = crealia_sandbox::demo_token(SandboxConfig::default().seed, username);
        let connection = NewConnection::from_token(ig.clone(), username.to_string(), SecretToken::new(token.clone()), Utc::now() + chrono::Duration::days(59));
        let connection_id = app.services.connections.store(user, connection).await.unwrap().id;
        app.services.connections.graph().subscribe_webhooks(&token, &ig, crealia_core::connections::WEBHOOK_FIELDS).await.unwrap();
        creators.push(Creator { cookie: format!("crealia_session={}", session.as_str()), connection_id, account: username });
    }
    let secret = crealia_core::db::instance_secret(&pool, crealia_core::db::SANDBOX_WEBHOOK_SECRET).await.unwrap();
    let subscription = crealia_sandbox::webhooks::Subscription {
        callback_url: format!("{public}/api/webhooks/instagram"),
        verify_token: VERIFY_TOKEN.into(),
        app_secret: Some(secret),
        timeout_ms: Some(5_000),
    };
    crealia_sandbox::webhooks::subscribe(&sandbox, subscription).await.unwrap();

    // The workload, until told to stop.
    let ledger = Arc::new(Mutex::new(Ledger::default()));
    let stop = Arc::new(AtomicBool::new(false));
    let creators = Arc::new(creators);
    let image = Arc::new(common::encoded(1080, 1080, image::ImageFormat::Jpeg));
    let mut workers = Vec::new();
    for worker in 0..4usize {
        let (ledger, stop, creators, image, sandbox, public) = (ledger.clone(), stop.clone(), creators.clone(), image.clone(), sandbox.clone(), public.clone());
        workers.push(tokio::spawn(async move {
            // A new connection per request: the balancer spreads requests, not connections.
            let client = reqwest::Client::builder().pool_max_idle_per_host(0).timeout(Duration::from_secs(15)).build().unwrap();
            let mut n = worker;
            while !stop.load(Ordering::Relaxed) {
                n += 4;
                let c = n % creators.len();
                let began = Instant::now();
                let step = step(&client, &public, &creators[c], c, n, &ledger, &image, &sandbox).await;
                if let Some((what, status)) = step {
                    ledger.lock().unwrap().samples.push(Sample { began, ended: Instant::now(), what, status });
                } else {
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
            }
        }));
    }

    // The faults, each while the workload runs: (name, start, ready again).
    let mut windows: Vec<(&'static str, Instant, Instant)> = Vec::new();
    let started = Instant::now();
    let mut round = 0;
    loop {
        round += 1;
        tokio::time::sleep(Duration::from_secs(4)).await;

        // The Graph API: 5xx, slow answers, rate limits, and one 190 on a dashboard read.
        let from = Instant::now();
        for (kind, probability) in [
            (FaultKind::ServerError, 0.3),
            (FaultKind::Latency { ms: 2_500, after: false }, 0.1),
            (FaultKind::RateLimit { code: 4 }, 0.2),
            (FaultKind::GraphError { code: -1, subcode: Some(2207001) }, 0.1),
        ] {
            sandbox.faults().add(FaultRule { kind, endpoint: None, times: None, skip: 0, probability: Some(probability) });
        }
        sandbox.faults().add(FaultRule {
            kind: FaultKind::GraphError { code: 190, subcode: Some(460) },
            endpoint: Some("GET /{id}/insights".into()),
            times: Some(1),
            skip: 0,
            probability: None,
        });
        tokio::time::sleep(Duration::from_secs(5)).await;
        sandbox.faults().clear();
        // The creator whose account got the 190 reconnects it (a new token), as the page asks.
        reconnect_all(&app, &pool, &sandbox).await;
        cluster.all_ready(&probe, READY_WITHIN).await;
        windows.push(("graph api errors", from, Instant::now()));
        tokio::time::sleep(Duration::from_secs(2)).await;

        // Redis killed, then started again.
        let from = Instant::now();
        redis.stop();
        tokio::time::sleep(Duration::from_secs(3)).await;
        redis = common::OwnRedis::start(redis_port);
        cluster.all_ready(&probe, READY_WITHIN).await;
        windows.push(("redis down", from, Instant::now()));
        tokio::time::sleep(Duration::from_secs(2)).await;

        // PostgreSQL: every connection dropped and new ones refused for 3 s, as in a restart.
        let from = Instant::now();
        database_outage(&pool, Duration::from_secs(3)).await;
        cluster.all_ready(&probe, READY_WITHIN).await;
        windows.push(("database restart", from, Instant::now()));
        tokio::time::sleep(Duration::from_secs(2)).await;

        // A server SIGKILLed at a random moment of its work, started again a second later.
        let from = Instant::now();
        let victim = (round + started.elapsed().subsec_nanos() as usize) % 3;
        cluster.kill(victim);
        tokio::time::sleep(Duration::from_secs(1)).await;
        cluster.start(victim);
        cluster.all_ready(&probe, READY_WITHIN + Duration::from_secs(10)).await;
        windows.push(("server killed", from, Instant::now()));

        if soak.is_none_or(|d| started.elapsed() >= d) {
            break;
        }
    }
    tokio::time::sleep(Duration::from_secs(3)).await;
    stop.store(true, Ordering::Relaxed);
    for w in workers {
        w.await.unwrap();
    }

    // Settle: failed posts (a 190 fails a post with "reconnect, then retry") are retried as a
    // creator would; every accepted post goes out; every delivered webhook is processed.
    let (posts, samples) = {
        let mut l = ledger.lock().unwrap();
        (l.posts.clone(), std::mem::take(&mut l.samples))
    };
    let settled = settle_posts(&app, &pool, &posts).await;
    let acknowledged: Vec<String> = sandbox
        .webhooks()
        .deliveries()
        .into_iter()
        .filter(|d| d.status == crealia_sandbox::webhooks::DeliveryStatus::Delivered)
        .flat_map(|d| comment_ids(&d.body))
        .collect();
    wait_until("every acknowledged delivery is in the inbox", Duration::from_secs(60), async || {
        let stored: i64 = sqlx::query_scalar("SELECT count(*) FROM inbox_items WHERE kind = 'comment' AND external_id = ANY($1)")
            .bind(&acknowledged)
            .fetch_one(&pool)
            .await
            .unwrap();
        stored as usize == acknowledged.iter().collect::<BTreeSet<_>>().len()
    })
    .await;

    // What Instagram shows: each accepted post exactly once.
    let captions: Vec<String> = sandbox.world().media.values().filter_map(|m| m.caption.clone()).collect();
    let duplicated = posts.iter().filter(|(_, c)| captions.iter().filter(|x| *x == c).count() > 1).count();
    let lost = posts.iter().filter(|(_, c)| !captions.contains(c)).count();
    let outside: Vec<&Sample> = samples
        .iter()
        .filter(|s| s.status.is_none_or(|code| code >= 500))
        .filter(|s| !windows.iter().any(|(_, from, to)| s.ended >= *from && s.began <= *to + Duration::from_secs(1)))
        .collect();
    let mut by_kind: BTreeMap<&str, usize> = BTreeMap::new();
    for s in &samples {
        *by_kind.entry(s.what).or_default() += 1;
    }
    println!(
        "cluster: {} s, {} requests {by_kind:?}, {} faults injected, {} posts, {} webhooks acknowledged; errors outside fault windows {}, webhooks lost 0, posts duplicated {duplicated}, posts lost {lost}; every post out {} s after the workload",
        started.elapsed().as_secs(),
        samples.len(),
        windows.len(),
        posts.len(),
        acknowledged.len(),
        outside.len(),
        settled.as_secs(),
    );
    assert!(posts.len() >= 6 && acknowledged.len() >= 3 && samples.len() >= 50, "the workload ran");
    assert_eq!((duplicated, lost), (0, 0), "every post exactly once on Instagram");
    let described: Vec<String> = outside
        .iter()
        .map(|s| {
            let last = windows.iter().filter(|(_, _, to)| *to <= s.began).max_by_key(|(_, _, to)| *to);
            let after = last.map(|(name, _, to)| format!("{} ms after {name} ended", (s.began - *to).as_millis())).unwrap_or_default();
            format!("{} {:?}: began {after}, took {} ms", s.what, s.status, (s.ended - s.began).as_millis())
        })
        .collect();
    assert!(outside.is_empty(), "5xx or no answer outside a fault: {described:#?}");
    for i in 0..3 {
        cluster.kill(i);
    }
}

/// One request of the workload for creator `c`; None when there was nothing to do.
#[allow(clippy::too_many_arguments)]
async fn step(
    client: &reqwest::Client,
    public: &str,
    creator: &Creator,
    c: usize,
    n: usize,
    ledger: &Mutex<Ledger>,
    image: &[u8],
    sandbox: &Sandbox,
) -> Option<(&'static str, Option<u16>)> {
    let request =
        |method: reqwest::Method, path: &str| client.request(method, format!("{public}{path}")).header("cookie", &creator.cookie).header("origin", public);
    let status = |r: Result<reqwest::Response, reqwest::Error>| r.ok().map(|r| r.status().as_u16());
    match n / 3 % 6 {
        0 | 3 => {
            Some(("dashboard", status(request(reqwest::Method::GET, &format!("/api/instagram/insights?connection_id={}", creator.connection_id)).send().await)))
        }
        1 => {
            let r = request(reqwest::Method::POST, "/api/media").header("content-type", "image/jpeg").body(image.to_vec()).send().await;
            let Ok(r) = r else {
                return Some(("upload", None));
            };
            let code = r.status().as_u16();
            if code == 201 {
                let body: serde_json::Value = r.json().await.unwrap_or_default();
                if let Some(id) = body["id"].as_i64() {
                    ledger.lock().unwrap().media.entry(c).or_default().push(id);
                }
            }
            Some(("upload", Some(code)))
        }
        2 | 5 => {
            let (media, mine) = {
                let l = ledger.lock().unwrap();
                let mine = l.posts.iter().filter(|(_, caption)| caption.starts_with(&format!("{}:", creator.account))).count();
                (l.media.get(&c).and_then(|m| m.last().copied()), mine)
            };
            let media = media.filter(|_| mine < MAX_POSTS_PER_ACCOUNT)?;
            let caption = format!("{}: cluster post {n}", creator.account);
            let body = json!({
                "connection_id": creator.connection_id, "kind": "image", "caption": caption, "media_ids": [media],
                "scheduled_at": (Utc::now() + chrono::Duration::seconds(3)).to_rfc3339(),
            });
            let path = if n.is_multiple_of(2) { "/api/instagram/schedule" } else { "/api/instagram/publish" };
            let Ok(r) = request(reqwest::Method::POST, path).json(&body).send().await else {
                return Some(("publish", None));
            };
            let code = r.status().as_u16();
            if code == 202 {
                let post: serde_json::Value = r.json().await.unwrap_or_default();
                ledger.lock().unwrap().posts.push((post["id"].as_i64().expect("a post id"), caption));
            }
            Some(("publish", Some(code)))
        }
        _ => {
            // A comment (the sandbox delivers it through the balancer, as Meta would), and a
            // reply to the creator's newest comment.
            let events =
                serde_json::from_value(json!({ "events": [{ "kind": "comment", "account": creator.account, "text": format!("comment {n}") }] })).unwrap();
            let _ = crealia_sandbox::webhooks::produce(sandbox, events);
            let Ok(r) = request(reqwest::Method::GET, "/api/instagram/inbox?kind=comment").send().await else {
                return Some(("inbox", None));
            };
            if r.status() != 200 {
                return Some(("inbox", Some(r.status().as_u16())));
            }
            let body: serde_json::Value = r.json().await.unwrap_or_default();
            let id = body["items"].as_array().and_then(|a| a.first()).and_then(|i| i["id"].as_i64())?;
            Some((
                "reply",
                status(request(reqwest::Method::POST, &format!("/api/instagram/inbox/{id}/reply")).json(&json!({ "text": "Thank you!" })).send().await),
            ))
        }
    }
}

/// A post not out yet: id, user id, status, errors, next attempt, last error.
type UnpublishedPost = (i64, i64, String, i32, chrono::DateTime<Utc>, Option<String>);

/// Waits until every accepted post is published, retrying failed ones as their creator would
/// (a 190 fails a post with "reconnect, then retry"). A post that met many errors during the
/// faults waits out its back-off (up to ten minutes): the wait lasts until a minute past the
/// latest attempt the queue holds. Stuck posts are listed when it runs out.
async fn settle_posts(app: &common::TestApp, pool: &PgPool, posts: &[(i64, String)]) -> Duration {
    let ids: Vec<i64> = posts.iter().map(|(id, _)| *id).collect();
    let started = Instant::now();
    let mut deadline = started + Duration::from_secs(120);
    loop {
        let rows: Vec<UnpublishedPost> = sqlx::query_as(
            "SELECT id, user_id, status, errors, next_attempt_at, last_error FROM scheduled_posts WHERE id = ANY($1) AND status <> 'PUBLISHED' ORDER BY id",
        )
        .bind(&ids)
        .fetch_all(pool)
        .await
        .unwrap();
        if rows.is_empty() {
            return started.elapsed();
        }
        for (id, user, status, ..) in &rows {
            if status == "FAILED" {
                let _ = app.services.publishing.retry(*user, *id).await;
            }
        }
        let latest = rows.iter().map(|r| r.4).max().unwrap_or_else(Utc::now);
        if let Ok(backoff) = (latest - Utc::now()).to_std() {
            deadline = deadline.max(Instant::now() + backoff + Duration::from_secs(60)).min(started + Duration::from_secs(20 * 60));
        }
        assert!(Instant::now() < deadline, "posts not published {:?} after the workload: {rows:#?}", started.elapsed());
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

/// Every account that needs a reconnect gets a fresh token, as its creator would.
async fn reconnect_all(app: &common::TestApp, pool: &PgPool, sandbox: &Sandbox) {
    let rows: Vec<(i64, String, String)> =
        sqlx::query_as("SELECT user_id, ig_user_id, username FROM instagram_connections WHERE state = 'needs_reconnect'").fetch_all(pool).await.unwrap();
    for (user, ig, username) in rows {
        let _ = sandbox;
        let token = crealia_sandbox::demo_token(SandboxConfig::default().seed, &username);
        let connection = NewConnection::from_token(ig, username, SecretToken::new(token), Utc::now() + chrono::Duration::days(59));
        app.services.connections.store(user, connection).await.unwrap();
    }
}

/// The database as a restart shows it to its clients: open connections dropped, new ones
/// refused for `downtime`.
async fn database_outage(pool: &PgPool, downtime: Duration) {
    let database: String = sqlx::query_scalar("SELECT current_database()").fetch_one(pool).await.unwrap();
    let admin_url = database_url(pool).replace(&format!("/{database}"), "/postgres");
    let admin = sqlx::PgPool::connect(&admin_url).await.unwrap();
    sqlx::query(&format!("ALTER DATABASE \"{database}\" ALLOW_CONNECTIONS false")).execute(&admin).await.unwrap();
    sqlx::query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()")
        .bind(&database)
        .execute(&admin)
        .await
        .unwrap();
    tokio::time::sleep(downtime).await;
    sqlx::query(&format!("ALTER DATABASE \"{database}\" ALLOW_CONNECTIONS true")).execute(&admin).await.unwrap();
    admin.close().await;
}

/// The comment ids a delivery body carries.
fn comment_ids(body: &str) -> Vec<String> {
    crealia_graph::webhooks::parse(body.as_bytes())
        .map(|events| events.into_iter().filter(|e| e.kind == crealia_graph::webhooks::EventKind::Comment).filter_map(|e| e.object_id).collect())
        .unwrap_or_default()
}
