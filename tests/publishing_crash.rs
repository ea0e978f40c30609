//! Crash test: a real `crealia serve` process is killed with SIGKILL at each step of a
//! publication — just before the Graph API call of that step takes effect, and just after it took
//! effect but before the server heard back — then a new process is started. Every post must end
//! PUBLISHED, exactly once in the sandbox: no duplicate, none lost.

mod common;

use std::time::Duration;

use chrono::Utc;
use common::{database_url, spawn_app, wait_until, Server};
use crealia_core::connections::NewConnection;
use crealia_core::crypto::SecretToken;
use crealia_core::publishing::{NewPost, PostKind, PostStatus};
use crealia_sandbox::faults::{FaultKind, FaultRule};
use crealia_sandbox::{Sandbox, SandboxConfig};
use sqlx::PgPool;

/// The Graph API calls of a two-item carousel, in order: item, item, carousel container,
/// container status, publishing quota, publish.
const STEPS: [&str; 6] = [
    "POST /{id}/media (item 1)",
    "POST /{id}/media (item 2)",
    "POST /{id}/media (carousel)",
    "GET /{id}",
    "GET /{id}/content_publishing_limit",
    "POST /{id}/media_publish",
];

#[sqlx::test(migrations = false)]
async fn a_server_killed_at_every_step_of_a_publication_publishes_each_post_exactly_once(pool: PgPool) {
    // The sandbox outlives every server process: it runs here, on its own port.
    let sandbox = Sandbox::new(SandboxConfig::default());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let graph = format!("http://{}/", listener.local_addr().unwrap());
    tokio::spawn(crealia_sandbox::serve(listener, sandbox.clone()));

    // The creator and their account, through the app's own services (its jobs stay off).
    let app = spawn_app(pool.clone(), &[("GRAPH_API_BASE_URL", &graph)]).await;
    let user = app.services.accounts.sign_up("ana@example.com", "a long enough password", "Ana").await.unwrap().id;
    let (ig_id, token, username) = {
        let world = sandbox.world();
        let a = world.account_by_username("nordlys.cafe").unwrap();
        (a.ig_id.clone(), crealia_sandbox::demo_token(SandboxConfig::default().seed, &a.username), a.username.clone())
    };
    let connection = app
        .services
        .connections
        .store(user, NewConnection::from_token(ig_id.clone(), username, SecretToken::new(token), Utc::now() + chrono::Duration::days(59)))
        .await
        .unwrap()
        .id;
    // The creator's image, served by the test app for the sandbox to fetch.
    let image = common::stored_media(&app, user, &common::encoded(1080, 1080, image::ImageFormat::Jpeg)).await;
    let media_count = || sandbox.world().media_order.get(&ig_id).map_or(0, Vec::len);
    let before = media_count();
    let database_url = database_url(&pool);

    let mut posts = Vec::new();
    for (step, name) in STEPS.iter().enumerate() {
        for after in [false, true] {
            let post = NewPost {
                connection_id: connection,
                kind: PostKind::Carousel,
                caption: format!("Killed at step {step} ({name}), after it took effect: {after}"),
                alt_text: None,
                first_comment: None,
                media_ids: vec![image, image],
                scheduled_at: Utc::now(),
                options: Default::default(),
            };
            let id = app.services.publishing.schedule(user, post).await.unwrap().id;
            posts.push(id);

            // The step-th call hangs (before or after it took effect) until the server is killed.
            sandbox.faults().add(FaultRule {
                kind: FaultKind::Latency { ms: 120_000, after },
                endpoint: None,
                times: Some(1),
                skip: step as u32,
                probability: None,
            });
            let server = Server::start(&database_url, &[("GRAPH_API_BASE_URL", &graph), ("PUBLISH_LEASE_SECS", "2")]);
            wait_until(&format!("the server reaches {name}"), Duration::from_secs(30), async || sandbox.faults().list().is_empty()).await;
            server.kill();
            sandbox.faults().clear();

            let server = Server::start(&database_url, &[("GRAPH_API_BASE_URL", &graph), ("PUBLISH_LEASE_SECS", "2")]);
            let publishing = app.services.publishing.clone();
            wait_until(&format!("the post killed at {name} (after: {after}) is published"), Duration::from_secs(30), async || {
                publishing.get(user, id).await.unwrap().status == PostStatus::Published
            })
            .await;
            server.kill();
        }
    }

    for id in &posts {
        assert_eq!(app.services.publishing.get(user, *id).await.unwrap().status, PostStatus::Published);
    }
    assert_eq!(media_count(), before + posts.len(), "each post is in the sandbox exactly once");
}
