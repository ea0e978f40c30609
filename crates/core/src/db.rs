//! The PostgreSQL pool and the migrations in the repository's `migrations/` folder.

use std::time::Duration;

use sqlx::migrate::MigrateDatabase;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{PgPool, Postgres};
use thiserror::Error;

/// The migrations, embedded at compile time.
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../../migrations");

#[derive(Debug, Error)]
pub enum DbError {
    #[error("cannot connect to PostgreSQL at {target}: {reason}")]
    Connect { target: String, reason: String },
    #[error("cannot create the database {database} at {target}: {reason}")]
    Create { target: String, database: String, reason: String },
    #[error("cannot apply the migrations: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

/// How the pool connects. `url` may hold a password: it is parsed here and never logged.
#[derive(Clone)]
pub struct DbSettings {
    pub url: String,
    pub max_connections: u32,
    pub acquire_timeout: Duration,
    /// Create the database when the server answers but the database does not exist yet.
    pub create_if_missing: bool,
}

impl std::fmt::Debug for DbSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DbSettings")
            .field("target", &describe_target(&self.url))
            .field("max_connections", &self.max_connections)
            .field("acquire_timeout", &self.acquire_timeout)
            .field("create_if_missing", &self.create_if_missing)
            .finish()
    }
}

/// `host:port/database` of a PostgreSQL URL, for messages: never the user or password.
pub fn describe_target(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(u) => format!("{}:{}{}", u.host_str().unwrap_or("localhost"), u.port().unwrap_or(5432), u.path()),
        Err(_) => "an unparsable URL".into(),
    }
}

/// Opens the pool, creating the database first when allowed and missing.
pub async fn connect(settings: &DbSettings) -> Result<PgPool, DbError> {
    let target = describe_target(&settings.url);
    let connect_err = |e: sqlx::Error| DbError::Connect { target: target.clone(), reason: short_reason(&e) };
    let options: PgConnectOptions = settings.url.parse().map_err(connect_err)?;

    if settings.create_if_missing {
        let exists = tokio::time::timeout(settings.acquire_timeout, Postgres::database_exists(&settings.url))
            .await
            .map_err(|_| DbError::Connect { target: target.clone(), reason: "timed out".into() })?
            .map_err(connect_err)?;
        if !exists {
            let database = options.get_database().unwrap_or("postgres").to_string();
            tracing::info!(%target, "creating database");
            Postgres::create_database(&settings.url).await.map_err(|e| DbError::Create { target: target.clone(), database, reason: short_reason(&e) })?;
        }
    }

    let pool = PgPoolOptions::new()
        .max_connections(settings.max_connections)
        .acquire_timeout(settings.acquire_timeout)
        .connect_with(options)
        .await
        .map_err(connect_err)?;
    Ok(pool)
}

/// Applies every pending migration.
pub async fn migrate(pool: &PgPool) -> Result<(), DbError> {
    MIGRATOR.run(pool).await?;
    Ok(())
}

/// A one-line reason without the URL (sqlx errors can embed it).
fn short_reason(e: &sqlx::Error) -> String {
    let text = match e {
        sqlx::Error::Io(io) => io.to_string(),
        sqlx::Error::PoolTimedOut => "timed out waiting for a connection".into(),
        sqlx::Error::Database(db) => db.message().to_string(),
        sqlx::Error::Configuration(c) => c.to_string(),
        other => other.to_string(),
    };
    text.lines().next().unwrap_or_default().to_string()
}

/// This database's identity on its server (its OID: a dropped and re-created database gets a
/// new one), so that caches shared between databases never mix their entries.
pub async fn identity(pool: &PgPool) -> Result<String, sqlx::Error> {
    let oid: i64 = sqlx::query_scalar("SELECT oid::int8 FROM pg_database WHERE datname = current_database()").fetch_one(pool).await?;
    Ok(format!("db{oid}"))
}

/// Takes the transaction-scoped advisory lock named `key` (released at commit or rollback):
/// what serialises a check and the write that depends on it, such as counting attempts before
/// recording one.
pub async fn xact_lock(conn: &mut sqlx::PgConnection, key: &str) -> Result<(), sqlx::Error> {
    sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))").bind(key).execute(conn).await?;
    Ok(())
}

/// The name under which the sandbox mode's webhook signing secret is kept.
pub const SANDBOX_WEBHOOK_SECRET: &str = "sandbox_webhook_secret";

/// A secret this deployment made for itself: drawn at random the first time any of its servers
/// asks, then the same for all of them. Never logged.
pub async fn instance_secret(pool: &PgPool, name: &str) -> Result<String, sqlx::Error> {
    let fresh = hex::encode(crate::crypto::random_bytes::<32>());
    sqlx::query("INSERT INTO instance_secrets (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING").bind(name).bind(&fresh).execute(pool).await?;
    sqlx::query_scalar("SELECT value FROM instance_secrets WHERE name = $1").bind(name).fetch_one(pool).await
}

/// What a [`Listener`] heard.
#[derive(Debug, PartialEq, Eq)]
pub enum Heard {
    /// A notification's payload.
    Payload(String),
    /// The LISTEN connection broke just now: what is sent until it is open again is missed.
    Broken,
    /// The LISTEN connection was (re)opened: whatever was sent while it was down was missed,
    /// and whoever keeps state from notifications should read it again.
    Reconnected,
    /// A second went by without a LISTEN connection (the caller polls on it).
    Tick,
}

/// A LISTEN on some channels that reconnects by itself: every worker that wakes on NOTIFY
/// (the scheduler, the webhook processor, the live inbox, the lookups) reads it the same way.
/// It holds a connection of its own, outside the request pool.
pub struct Listener {
    /// One connection, made with the request pool's options.
    own: PgPool,
    channels: Vec<String>,
    connection: Option<sqlx::postgres::PgListener>,
}

impl Listener {
    pub async fn new(pool: &PgPool, channels: &[&str]) -> Self {
        let channels: Vec<String> = channels.iter().map(|c| c.to_string()).collect();
        let own = sqlx::postgres::PgPoolOptions::new()
            .max_connections(1)
            .acquire_timeout(Duration::from_secs(5))
            .connect_lazy_with((*pool.connect_options()).clone());
        let connection = open(&own, &channels).await;
        Listener { own, channels, connection }
    }

    /// Waits for what comes next. A broken connection is reported at once ([`Heard::Broken`]),
    /// then its reopening ([`Heard::Reconnected`]): never silently re-made, because whoever
    /// keeps state from notifications must learn that some may have been missed.
    pub async fn next(&mut self) -> Heard {
        match &mut self.connection {
            Some(l) => {
                let why = match l.try_recv().await {
                    Ok(Some(n)) => return Heard::Payload(n.payload().to_string()),
                    Ok(None) => "closed".to_string(),
                    Err(e) => e.to_string(),
                };
                tracing::warn!(error = why, channels = ?self.channels, "the LISTEN connection broke; reconnecting");
                self.connection = None;
                Heard::Broken
            }
            None => {
                tokio::time::sleep(Duration::from_secs(1)).await;
                self.connection = open(&self.own, &self.channels).await;
                if self.connection.is_some() {
                    Heard::Reconnected
                } else {
                    Heard::Tick
                }
            }
        }
    }

    /// Drops the connection (one that no longer hears what is sent); the next call reopens it.
    pub fn reset(&mut self) {
        self.connection = None;
    }
}

async fn open(own: &PgPool, channels: &[String]) -> Option<sqlx::postgres::PgListener> {
    let attempt = async {
        let mut listener = sqlx::postgres::PgListener::connect_with(own).await?;
        // A lost connection is reported (try_recv's None), then reopened by `next`.
        listener.eager_reconnect(false);
        listener.listen_all(channels.iter().map(String::as_str)).await?;
        Ok::<_, sqlx::Error>(listener)
    };
    match attempt.await {
        Ok(l) => Some(l),
        Err(e) => {
            tracing::warn!(error = %e, ?channels, "cannot LISTEN; polling until it can");
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn target_description_hides_credentials() {
        let d = describe_target("postgres://alice:s3cret@db.example:6543/crealia");
        assert_eq!(d, "db.example:6543/crealia");
        assert!(!d.contains("s3cret") && !d.contains("alice"));
        let settings = DbSettings {
            url: "postgres://alice:s3cret@db.example:6543/crealia".into(),
            max_connections: 1,
            acquire_timeout: std::time::Duration::from_secs(1),
            create_if_missing: false,
        };
        assert!(!format!("{settings:?}").contains("s3cret"));
    }
}
