//! The migrations in migrations/ against an empty database.

use crealia_core::db;
use sqlx::PgPool;

#[sqlx::test(migrations = false)]
async fn migrations_apply_to_an_empty_database_and_twice_is_harmless(pool: PgPool) {
    let tables: i64 = sqlx::query_scalar("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'").fetch_one(&pool).await.unwrap();
    assert_eq!(tables, 0, "the database starts empty");

    db::migrate(&pool).await.expect("migrations apply");
    db::migrate(&pool).await.expect("a second run finds nothing to do");

    let applied: i64 = sqlx::query_scalar("SELECT count(*) FROM _sqlx_migrations WHERE success").fetch_one(&pool).await.unwrap();
    assert_eq!(applied as usize, db::MIGRATOR.iter().count());

    let users: Option<String> = sqlx::query_scalar("SELECT to_regclass('public.users')::text").fetch_one(&pool).await.unwrap();
    assert_eq!(users.as_deref(), Some("users"));
}
