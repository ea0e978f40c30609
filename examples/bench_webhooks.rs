//! Signed webhook deliveries accepted and durably stored per second, with p50/p99 latency, as
//! a ratio to a bare axum route that answers 200 with no work, measured in the same run with the
//! same load generator (the same requests, bodies and signatures, the same concurrency).
//!
//! Then the batch shape alone: the same rows written straight to PostgreSQL as multi-row
//! `VALUES`, `unnest` arrays and binary `COPY`, 64 rows a statement, 4 writers at once.
//!
//! Run through `scripts/bench-webhooks` (release build, a scratch database). Environment:
//! `DELIVERIES` (default 20000), `CONCURRENCY` (default 32), `DATABASE_MAX_CONNECTIONS`
//! (Crealia's default 10).

mod common;

use common::{env_or, ms, percentile};

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::http::StatusCode;
use axum::routing::post;
use chrono::Utc;
use crealia::config::Config;
use crealia::startup::Application;
use crealia_sandbox::webhooks::signature_256;

struct Run {
    per_sec: f64,
    p50: Duration,
    p99: Duration,
}

/// Sends every delivery to `url`, `concurrency` at a time over keep-alive connections.
async fn load(url: String, deliveries: Arc<Vec<(Vec<u8>, String)>>, concurrency: usize) -> Run {
    let client = reqwest::Client::builder().pool_max_idle_per_host(concurrency).build().unwrap();
    let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let started = Instant::now();
    let workers: Vec<_> = (0..concurrency)
        .map(|_| {
            let (client, url, deliveries, next) = (client.clone(), url.clone(), deliveries.clone(), next.clone());
            tokio::spawn(async move {
                let mut latencies = Vec::new();
                loop {
                    let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    let Some((body, signature)) = deliveries.get(i) else { break };
                    let t = Instant::now();
                    let r = client
                        .post(&url)
                        .header("content-type", "application/json")
                        .header("x-hub-signature-256", signature)
                        .body(body.clone())
                        .send()
                        .await
                        .expect("the server answers");
                    assert_eq!(r.status(), 200, "delivery {i} was refused");
                    latencies.push(t.elapsed());
                }
                latencies
            })
        })
        .collect();
    let mut all = Vec::with_capacity(deliveries.len());
    for w in workers {
        all.extend(w.await.unwrap());
    }
    let elapsed = started.elapsed();
    all.sort();
    Run { per_sec: all.len() as f64 / elapsed.as_secs_f64(), p50: percentile(&all, 0.5), p99: percentile(&all, 0.99) }
}

#[tokio::main]
async fn main() {
    let database_url = std::env::var("DATABASE_URL").expect("DATABASE_URL of a scratch database");
    let n: usize = env_or("DELIVERIES", 20_000);
    let concurrency: usize = env_or("CONCURRENCY", 32);
    let mut map = std::collections::HashMap::new();
    for (k, v) in [("LEPTOS_SITE_ADDR", "127.0.0.1:0"), ("DATABASE_URL", database_url.as_str()), ("JOBS_ENABLED", "false"), ("RUST_LOG", "error")] {
        map.insert(k.to_string(), v.to_string());
    }
    if let Ok(n) = std::env::var("DATABASE_MAX_CONNECTIONS") {
        map.insert("DATABASE_MAX_CONNECTIONS".into(), n);
    }
    let config = Config::from_map(&map).expect("configuration");
    let app = Application::build(config).await.expect("app starts");
    let addr = app.local_addr();
    let services = app.services().clone();
    let secret = crealia_core::db::instance_secret(&services.db, crealia_core::db::SANDBOX_WEBHOOK_SECRET).await.expect("the sandbox's webhook secret");
    tokio::spawn(app.run_until_stopped());

    let bare = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let bare_addr = bare.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(bare, axum::Router::new().route("/bare", post(|| async { StatusCode::OK }))).await });

    // Distinct deliveries (none is a retry of another) of one comment each, about 400 bytes,
    // with non-ASCII text escaped as Meta sends it.
    let run_id = Utc::now().timestamp_nanos_opt().unwrap_or_default();
    let make = |round: &str| -> Arc<Vec<(Vec<u8>, String)>> {
        Arc::new(
            (0..n)
                .map(|i| {
                    let body = format!(
                        r#"{{"object":"instagram","entry":[{{"id":"17841400006862718","time":1785412106,"changes":[{{"field":"comments","value":{{"id":"{run_id}{round}{i}","from":{{"id":"742084212153673","username":"ks.___.hyeon"}},"text":"Sch\u00f6n! Where can I buy a print? #{i}","media":{{"id":"18083495273654753","media_product_type":"FEED"}}}}}}]}}]}}"#
                    );
                    let signature = signature_256(&secret, body.as_bytes());
                    (body.into_bytes(), signature)
                })
                .collect(),
        )
    };

    println!(
        "{n} signed deliveries of one comment each, {concurrency} at a time, over loopback HTTP/1.1 keep-alive; {} database connections",
        services.db.options().get_max_connections()
    );
    // Warm-up of both servers (connections, the pool, the statement cache).
    let warm = Arc::new(make("w").iter().take(500).cloned().collect::<Vec<_>>());
    load(format!("http://{bare_addr}/bare"), warm.clone(), concurrency).await;
    load(format!("http://{addr}/api/webhooks/instagram"), warm, concurrency).await;
    let before: i64 = sqlx::query_scalar("SELECT count(*) FROM webhook_deliveries").fetch_one(&services.db).await.unwrap();

    let bare_run = load(format!("http://{bare_addr}/bare"), make("b"), concurrency).await;
    let crealia_run = load(format!("http://{addr}/api/webhooks/instagram"), make("c"), concurrency).await;

    let stored: i64 = sqlx::query_scalar("SELECT count(*) FROM webhook_deliveries").fetch_one(&services.db).await.unwrap();
    assert_eq!(stored - before, n as i64, "every acknowledged delivery is in the table");

    println!("{:<34} {:>12} {:>10} {:>10}", "", "deliveries/s", "p50 ms", "p99 ms");
    for (name, r) in [("bare axum route (200, no work)", &bare_run), ("Crealia: verify + store, then 200", &crealia_run)] {
        println!("{name:<34} {:>12.0} {:>10.2} {:>10.2}", r.per_sec, ms(r.p50), ms(r.p99));
    }
    println!(
        "ratio Crealia / bare: throughput {:.2}, p50 {:.1}x, p99 {:.1}x; {} deliveries stored",
        crealia_run.per_sec / bare_run.per_sec,
        ms(crealia_run.p50) / ms(bare_run.p50),
        ms(crealia_run.p99) / ms(bare_run.p99),
        stored - before
    );

    println!();
    shapes(&services.db, n).await;
}

/// Rows per statement and statements committing at once in the shape comparison.
const SHAPE_BATCH: usize = 64;
const SHAPE_WRITERS: usize = 4;

#[derive(Clone, Copy, Debug)]
enum Shape {
    Values,
    Unnest,
    Copy,
}

/// Writes `n` distinct deliveries (about 400 bytes, the callback's headers) into a copy of
/// `webhook_deliveries` (same columns and indexes) in each shape; prints rows/s and the p99 of a
/// statement's commit.
async fn shapes(db: &sqlx::PgPool, n: usize) {
    println!("{n} rows into a copy of webhook_deliveries, {SHAPE_BATCH} a statement, {SHAPE_WRITERS} writers");
    println!("{:<34} {:>12} {:>10} {:>10}", "batch shape", "rows/s", "p50 ms", "p99 ms");
    let headers = r#"{"content-type":"application/json","host":"127.0.0.1:3000","x-hub-signature-256":"sha256=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"}"#;
    for shape in [Shape::Values, Shape::Unnest, Shape::Copy] {
        sqlx::query("DROP TABLE IF EXISTS bench_shapes").execute(db).await.unwrap();
        sqlx::query("CREATE TABLE bench_shapes (LIKE webhook_deliveries INCLUDING ALL)").execute(db).await.unwrap();
        let rows: Arc<Vec<Vec<u8>>> = Arc::new(
            (0..n)
                .map(|i| {
                    format!(r#"{{"object":"instagram","entry":[{{"id":"17841400006862718","time":1785412106,"changes":[{{"field":"comments","value":{{"id":"{shape:?}{i}","text":"Sch\u00f6n! #{i}"}}}}]}}]}}{}"#, " ".repeat(200))
                        .into_bytes()
                })
                .collect(),
        );
        let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let started = Instant::now();
        let writers: Vec<_> = (0..SHAPE_WRITERS)
            .map(|_| {
                let (db, rows, next) = (db.clone(), rows.clone(), next.clone());
                tokio::spawn(async move {
                    let mut latencies = Vec::new();
                    loop {
                        let from = next.fetch_add(SHAPE_BATCH, std::sync::atomic::Ordering::Relaxed);
                        if from >= rows.len() {
                            break latencies;
                        }
                        let batch = &rows[from..(from + SHAPE_BATCH).min(rows.len())];
                        let t = Instant::now();
                        write(&db, shape, batch, headers).await;
                        latencies.push(t.elapsed());
                    }
                })
            })
            .collect();
        let mut all = Vec::new();
        for w in writers {
            all.extend(w.await.unwrap());
        }
        let elapsed = started.elapsed();
        all.sort();
        let stored: i64 = sqlx::query_scalar("SELECT count(*) FROM bench_shapes").fetch_one(db).await.unwrap();
        assert_eq!(stored, n as i64);
        let name = match shape {
            Shape::Values => "multi-row VALUES",
            Shape::Unnest => "unnest($1::bytea[], …) (Crealia's)",
            Shape::Copy => "COPY … FROM STDIN (FORMAT binary)",
        };
        println!("{name:<34} {:>12.0} {:>10.2} {:>10.2}", n as f64 / elapsed.as_secs_f64(), ms(percentile(&all, 0.5)), ms(percentile(&all, 0.99)));
    }
    sqlx::query("DROP TABLE bench_shapes").execute(db).await.unwrap();
}

async fn write(db: &sqlx::PgPool, shape: Shape, batch: &[Vec<u8>], headers: &str) {
    match shape {
        Shape::Values => {
            let mut q = sqlx::QueryBuilder::new("INSERT INTO bench_shapes (body, headers) ");
            q.push_values(batch, |mut row, body| {
                row.push_bind(body).push_bind(headers).push_unseparated("::jsonb");
            });
            q.build().execute(db).await.unwrap();
        }
        Shape::Unnest => {
            let bodies: Vec<&[u8]> = batch.iter().map(Vec::as_slice).collect();
            let headers = vec![headers; batch.len()];
            sqlx::query("INSERT INTO bench_shapes (body, headers) SELECT b, h::jsonb FROM unnest($1::bytea[], $2::text[]) AS t(b, h)")
                .bind(&bodies)
                .bind(&headers)
                .execute(db)
                .await
                .unwrap();
        }
        Shape::Copy => {
            // PostgreSQL's binary COPY: a signature, then per row its field count and each field
            // as a length and bytes (jsonb: a version byte, then the text); -1 ends the data.
            let mut data = Vec::with_capacity(batch.len() * 700);
            data.extend_from_slice(b"PGCOPY\n\xff\r\n\0");
            data.extend_from_slice(&[0; 8]);
            for body in batch {
                data.extend_from_slice(&2i16.to_be_bytes());
                data.extend_from_slice(&(body.len() as i32).to_be_bytes());
                data.extend_from_slice(body);
                data.extend_from_slice(&(headers.len() as i32 + 1).to_be_bytes());
                data.push(1);
                data.extend_from_slice(headers.as_bytes());
            }
            data.extend_from_slice(&(-1i16).to_be_bytes());
            let mut conn = db.acquire().await.unwrap();
            let mut copy = conn.copy_in_raw("COPY bench_shapes (body, headers) FROM STDIN (FORMAT binary)").await.unwrap();
            copy.send(data).await.unwrap();
            copy.finish().await.unwrap();
        }
    }
}
