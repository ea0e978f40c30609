//! `crealia seed` as a newcomer runs it: the demo creator, a connected sandbox account, once.

mod common;

use std::process::Command;

use common::spawn_app;
use sqlx::PgPool;

/// The URL of the isolated test database (the server of DATABASE_URL, this pool's database).
fn database_url(pool: &PgPool) -> String {
    let mut url = url::Url::parse(&std::env::var("DATABASE_URL").expect("DATABASE_URL")).unwrap();
    url.set_path(pool.connect_options().get_database().unwrap());
    url.to_string()
}

fn seed(pool: &PgPool, password: Option<&str>) -> String {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_crealia"));
    cmd.arg("seed").env("DATABASE_URL", database_url(pool)).env("RUST_LOG", "error").env_remove("DEMO_PASSWORD");
    for key in ["INSTAGRAM_APP_ID", "INSTAGRAM_APP_SECRET", "GRAPH_API_BASE_URL", "TOKEN_ENCRYPTION_KEY", "SANDBOX_SEED"] {
        cmd.env_remove(key);
    }
    if let Some(p) = password {
        cmd.env("DEMO_PASSWORD", p);
    }
    let out = cmd.output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

#[sqlx::test]
async fn seed_creates_a_demo_creator_who_can_sign_in_with_a_connected_account(pool: PgPool) {
    let first = seed(&pool, None);
    let password = first.split("password: ").nth(1).unwrap().split_whitespace().next().unwrap().to_string();
    assert!(first.contains("test@crealia.com") && first.contains("shown once"), "{first}");
    assert!(first.contains("connected sandbox account: @lumen.studio"), "{first}");

    let second = seed(&pool, None);
    assert!(second.contains("exists; its password is unchanged"), "the password is printed once only: {second}");
    let users: i64 = sqlx::query_scalar("SELECT count(*) FROM users").fetch_one(&pool).await.unwrap();
    let connections: i64 = sqlx::query_scalar("SELECT count(*) FROM instagram_connections").fetch_one(&pool).await.unwrap();
    assert_eq!((users, connections), (1, 1), "running it again creates nothing");

    // A server (its own in-process sandbox, same seed) accepts the demo connection's token.
    let app = spawn_app(pool.clone(), &[]).await;
    let (user, _) = app.services.accounts.sign_in("test@crealia.com", &password, "127.0.0.1", None).await.unwrap();
    let list = app.services.connections.list(user.id).await.unwrap();
    assert_eq!(list[0].username, "lumen.studio");
    let token = app.services.connections.token(user.id, list[0].id).await.unwrap();
    let me = app.services.connections.graph().me(token.expose()).await.unwrap();
    assert_eq!(me.username.as_deref(), Some("lumen.studio"));

    // DEMO_PASSWORD resets it.
    assert!(seed(&pool, Some("a chosen demo password")).contains("from DEMO_PASSWORD"));
    assert!(app.services.accounts.sign_in("test@crealia.com", "a chosen demo password", "127.0.0.1", None).await.is_ok());
}
