//! What every request looks up (the session, the creator's connections) is kept in each
//! process (issue 13): a dashboard answered from the in-process cache asks PostgreSQL nothing,
//! and neither does the control room rendered again within a second (issue 14).
//! One test in this binary: it counts every statement the process runs. (A sign-out reaching
//! another server: tests/auth.rs.)

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use common::{connect, spawn_app};
use sqlx::PgPool;
use tracing_subscriber::layer::SubscriberExt;

/// Counts the statements sqlx runs in this test process (its `sqlx::query` events).
static STATEMENTS: AtomicUsize = AtomicUsize::new(0);

struct CountStatements;

impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for CountStatements {
    fn on_event(&self, event: &tracing::Event<'_>, _: tracing_subscriber::layer::Context<'_, S>) {
        if event.metadata().target().starts_with("sqlx::query") {
            STATEMENTS.fetch_add(1, Ordering::SeqCst);
        }
    }
}

#[sqlx::test(migrations = false)]
async fn a_dashboard_from_the_in_process_cache_asks_the_database_nothing(pool: PgPool) {
    let _ = tracing::subscriber::set_global_default(tracing_subscriber::registry().with(CountStatements));
    let app = spawn_app(pool, &[]).await;
    let browser = app.signed_in("ana@example.com").await;
    assert!(connect(&app, &browser, "lumen.studio", "allow").await.contains("connected"));
    let cookie = browser.cookie.clone().unwrap();
    let load = async || {
        let r = app.client.get(app.url("/api/instagram/insights")).header("cookie", &cookie).send().await.unwrap();
        assert_eq!(r.status(), 200);
    };
    // The first loads fill the caches (and this process's listener starts, which empties
    // them once when it is in place): load until five in a row ask nothing.
    let (mut quiet, mut filled) = (0, false);
    for _ in 0..100 {
        let before = STATEMENTS.load(Ordering::SeqCst);
        load().await;
        quiet = if STATEMENTS.load(Ordering::SeqCst) == before { quiet + 1 } else { 0 };
        if quiet == 5 {
            filled = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(filled && STATEMENTS.load(Ordering::SeqCst) > 0, "statements are counted, and the caches fill");
    let before = STATEMENTS.load(Ordering::SeqCst);
    for _ in 0..20 {
        load().await;
    }
    assert_eq!(STATEMENTS.load(Ordering::SeqCst) - before, 0, "an L1 hit asks PostgreSQL nothing (session, connections, insights)");

    // The control room (issue 14): its status and posts are kept for a second per creator and
    // its time zone until it changes, so a page rendered again within the second asks nothing.
    let page = async || {
        let r = app.client.get(app.url("/dashboard/instagram")).header("cookie", &cookie).send().await.unwrap();
        assert_eq!(r.status(), 200);
        assert!(r.text().await.unwrap().contains("lumen.studio"), "the page shows the account");
    };
    let mut quiet_renders = 0;
    for _ in 0..20 {
        page().await;
        let before = STATEMENTS.load(Ordering::SeqCst);
        page().await;
        if STATEMENTS.load(Ordering::SeqCst) == before {
            quiet_renders += 1;
        }
    }
    // Rendered twice in a row 20 times: only a pair straddling the end of a kept second asks.
    assert!(quiet_renders >= 15, "the control room rendered again at once asks PostgreSQL nothing ({quiet_renders} of 20 pairs did)");
}
