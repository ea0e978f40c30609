//! Webhook acknowledgement latency while sign-ins hammer the server: does password hashing
//! (argon2, tens of milliseconds of CPU each) stall the rest of the server?
//!
//! It talks HTTP to a running `crealia serve` (so that the same harness measures any build,
//! before and after a change) and to its database. Run through `scripts/bench-signin-load`.
//! Environment: `CREALIA_URL`, `DATABASE_URL` (the server's), `SIGNINS_PER_SEC` (50),
//! `SECONDS` (20), `DELIVERY_CONCURRENCY` (4). The server should trust 127.0.0.1 as a proxy
//! (`TRUSTED_PROXIES=127.0.0.1`): the sign-ins come from 500 creators at many addresses.

mod common;

use common::{env_or, ms, percentile};

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crealia_sandbox::webhooks::signature_256;

/// A percentile in milliseconds (NaN when nothing was measured).
fn ms_at(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        f64::NAN
    } else {
        ms(percentile(sorted, p))
    }
}

/// Signed deliveries, `concurrency` at a time, until `stop`: their latencies.
async fn deliveries(base: String, secret: String, concurrency: usize, stop: Arc<AtomicBool>, tag: &'static str) -> Vec<Duration> {
    let client = reqwest::Client::new();
    let counter = Arc::new(AtomicUsize::new(0));
    let workers: Vec<_> = (0..concurrency)
        .map(|_| {
            let (client, base, secret, stop, counter) = (client.clone(), base.clone(), secret.clone(), stop.clone(), counter.clone());
            tokio::spawn(async move {
                let mut latencies = Vec::new();
                let run = chrono::Utc::now().timestamp_nanos_opt().unwrap_or_default();
                while !stop.load(Ordering::Relaxed) {
                    let i = counter.fetch_add(1, Ordering::Relaxed);
                    let body = format!(
                        r#"{{"object":"instagram","entry":[{{"id":"17841400006862718","time":1785412106,"changes":[{{"field":"comments","value":{{"id":"{run}{tag}{i}","from":{{"id":"742084212153673","username":"bench"}},"text":"Lovely #{i}","media":{{"id":"18083495273654753"}}}}}}]}}]}}"#
                    );
                    let signature = signature_256(&secret, body.as_bytes());
                    let t = Instant::now();
                    let r = client
                        .post(format!("{base}/api/webhooks/instagram"))
                        .header("content-type", "application/json")
                        .header("x-hub-signature-256", signature)
                        .body(body)
                        .send()
                        .await
                        .expect("the server answers");
                    assert_eq!(r.status(), 200, "a delivery was refused");
                    latencies.push(t.elapsed());
                }
                latencies
            })
        })
        .collect();
    let mut all = Vec::new();
    for w in workers {
        all.extend(w.await.unwrap());
    }
    all.sort();
    all
}

#[tokio::main]
async fn main() {
    let base = std::env::var("CREALIA_URL").expect("CREALIA_URL of a running server");
    let database_url = std::env::var("DATABASE_URL").expect("DATABASE_URL of the server's database");
    let rate: u64 = env_or("SIGNINS_PER_SEC", 50);
    let seconds: u64 = env_or("SECONDS", 20);
    let concurrency: usize = env_or("DELIVERY_CONCURRENCY", 4);
    let pool = sqlx::PgPool::connect(&database_url).await.expect("the database");

    // What the server checks deliveries with: this database's own secret, or (before it had
    // one) the sandbox's constant.
    let secret: String = sqlx::query_scalar("SELECT value FROM instance_secrets WHERE name = 'sandbox_webhook_secret'")
        .fetch_one(&pool)
        .await
        .unwrap_or_else(|_| "sandbox-app-secret".into());
    // Many creators behind many addresses (the server trusts this harness as its proxy), so
    // that every sign-in really checks a password: no throttle answers in its place.
    let password = "a long enough password";
    let run = chrono::Utc::now().timestamp_millis();
    // One sign-in per creator at most in flight (each signs in every 10 s at 50/s), as people do.
    let hash = crealia_core::accounts::hash_password(password).expect("a password hash");
    let emails: Vec<String> = (0..500).map(|i| format!("bench-{run}-{i}@example.com")).collect();
    sqlx::query("INSERT INTO users (email, display_name, password_hash) SELECT e, 'Bench', $2 FROM unnest($1::text[]) e")
        .bind(&emails)
        .bind(&hash)
        .execute(&pool)
        .await
        .expect("the bench creators");

    // The sign-in form's own action: the server function's path in this build.
    let page = reqwest::get(format!("{base}/auth/signin")).await.unwrap().text().await.unwrap();
    let action = page.split("action=\"").nth(1).and_then(|rest| rest.split('"').next()).expect("the sign-in form").to_string();
    let sign_in_url = format!("{base}{action}");

    // Alone.
    let stop = Arc::new(AtomicBool::new(false));
    let quiet = tokio::spawn(deliveries(base.clone(), secret.clone(), concurrency, stop.clone(), "q"));
    tokio::time::sleep(Duration::from_secs(seconds / 2)).await;
    stop.store(true, Ordering::Relaxed);
    let quiet = quiet.await.unwrap();

    // With sign-ins at `rate` a second (open loop: each fires on time whatever the last did).
    let stop = Arc::new(AtomicBool::new(false));
    let loaded = tokio::spawn(deliveries(base.clone(), secret.clone(), concurrency, stop.clone(), "l"));
    let client = reqwest::Client::new();
    let mut tick = tokio::time::interval(Duration::from_secs_f64(1.0 / rate as f64));
    let mut sign_ins = Vec::new();
    let started = Instant::now();
    let mut n = 0usize;
    while started.elapsed() < Duration::from_secs(seconds) {
        tick.tick().await;
        n += 1;
        let (client, url, email) = (client.clone(), sign_in_url.clone(), emails[n % emails.len()].clone());
        let address = format!("198.51.{}.{}", (n / 250) % 250, n % 250);
        sign_ins.push(tokio::spawn(async move {
            let t = Instant::now();
            let r = client
                .post(url)
                .header("x-forwarded-for", address)
                .form(&[("email", email.as_str()), ("password", password)])
                .send()
                .await
                .expect("the server answers");
            (r.status().as_u16(), t.elapsed())
        }));
    }
    let mut sign_in_latencies = Vec::new();
    let mut statuses = std::collections::BTreeMap::new();
    for s in sign_ins {
        let (status, latency) = s.await.unwrap();
        *statuses.entry(status).or_insert(0) += 1;
        sign_in_latencies.push(latency);
    }
    let wall = started.elapsed();
    stop.store(true, Ordering::Relaxed);
    let loaded = loaded.await.unwrap();
    sign_in_latencies.sort();

    println!("webhook deliveries, {concurrency} at a time, against {base}");
    println!("{:<44} {:>10} {:>10} {:>10} {:>12}", "", "requests", "p50 ms", "p99 ms", "max ms");
    println!("{:<44} {:>10} {:>10.2} {:>10.2} {:>12.1}", "deliveries alone", quiet.len(), ms_at(&quiet, 0.5), ms_at(&quiet, 0.99), ms_at(&quiet, 1.0));
    println!(
        "{:<44} {:>10} {:>10.2} {:>10.2} {:>12.1}",
        format!("deliveries during {rate} sign-ins/s"),
        loaded.len(),
        ms_at(&loaded, 0.5),
        ms_at(&loaded, 0.99),
        ms_at(&loaded, 1.0)
    );
    println!(
        "{:<44} {:>10} {:>10.2} {:>10.2} {:>12.1}",
        "the sign-ins themselves",
        sign_in_latencies.len(),
        ms_at(&sign_in_latencies, 0.5),
        ms_at(&sign_in_latencies, 0.99),
        ms_at(&sign_in_latencies, 1.0)
    );
    println!(
        "sign-in answers by status: {statuses:?}; {:.1} sign-ins/s sent over {:.1} s",
        sign_in_latencies.len() as f64 / wall.as_secs_f64(),
        wall.as_secs_f64()
    );
}
