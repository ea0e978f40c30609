//! Demo data for a newcomer's first run. Every step is idempotent.

use sqlx::PgPool;

pub const DEMO_EMAIL: &str = "test@crealia.com";

/// Creates what is missing of the demo data; returns how many records it created.
pub async fn demo(pool: &PgPool) -> crate::Result<u64> {
    let created = sqlx::query(
        "INSERT INTO users (email, display_name) VALUES ($1, 'Demo Creator')
         ON CONFLICT ((lower(email))) DO NOTHING",
    )
    .bind(DEMO_EMAIL)
    .execute(pool)
    .await?
    .rows_affected();
    Ok(created)
}
