//! Many concurrent page renders in one process: none may hang.

mod common;

use common::spawn_app;
use sqlx::PgPool;

#[sqlx::test(migrations = false)]
async fn concurrent_renders_all_finish(pool: PgPool) {
    let app = spawn_app(pool, &[("REQUEST_TIMEOUT_SECS", "5")]).await;
    for round in 0..10 {
        let requests = (0..40).map(|i| {
            let url = app.url(if i % 2 == 0 { "/no/such/page" } else { "/" });
            let client = app.client.clone();
            async move { client.get(url).send().await.unwrap().status().as_u16() }
        });
        let statuses = futures_util::future::join_all(requests).await;
        assert!(statuses.iter().all(|s| *s == 200 || *s == 404), "round {round}: {statuses:?}");
    }
}
