//! Demo data for a newcomer's first run. Every step is idempotent.

use sqlx::PgPool;

use crate::accounts::{hash_password, Accounts};
use crate::connections::{Connections, NewConnection};

pub const DEMO_EMAIL: &str = "test@crealia.com";

#[derive(Debug, Default, PartialEq, Eq)]
pub struct SeedReport {
    /// The demo creator was created by this run.
    pub created_user: bool,
    /// The password was set by this run (created, or reset from `DEMO_PASSWORD`).
    pub password_set: bool,
    pub connected: Option<String>,
}

/// Creates the demo creator (test@crealia.com) if missing. `password` is set when the account
/// is created, or when given explicitly (`reset`). `demo_account`, when given, is connected.
pub async fn demo(
    pool: &PgPool,
    accounts: &Accounts,
    connections: Option<&Connections>,
    password: &str,
    reset: bool,
    demo_account: Option<NewConnection>,
) -> crate::Result<SeedReport> {
    let hash = hash_password(password)?;
    let created = sqlx::query(
        "INSERT INTO users (email, display_name, password_hash) VALUES ($1, 'Demo Creator', $2)
         ON CONFLICT ((lower(email))) DO NOTHING",
    )
    .bind(DEMO_EMAIL)
    .bind(&hash)
    .execute(pool)
    .await?
    .rows_affected()
        == 1;
    if !created && reset {
        accounts.set_password(DEMO_EMAIL, password).await?;
    }
    let mut report = SeedReport { created_user: created, password_set: created || reset, connected: None };
    if let (Some(connections), Some(account)) = (connections, demo_account) {
        let (user_id,): (i64,) = sqlx::query_as("SELECT id FROM users WHERE lower(email) = $1").bind(DEMO_EMAIL).fetch_one(pool).await?;
        let username = account.username.clone();
        match connections.store(user_id, account).await {
            Ok(_) => report.connected = Some(username),
            Err(crate::connections::ConnectError::OwnedByAnotherUser) => {
                tracing::warn!(%username, "the demo account is connected to another user; left as it is")
            }
            Err(e) => return Err(crate::Error::Internal(e.to_string())),
        }
    }
    Ok(report)
}
