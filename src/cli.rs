//! The command line: `serve` (default), `migrate`, `seed`, `tokens`, `config`.

use chrono::Utc;
use clap::{Parser, Subcommand};
use crealia_core::cache::Cache;
use crealia_core::connections::NewConnection;
use crealia_core::crypto::SecretToken;

use crate::config::{Config, GraphSource, VARIABLES};
use crate::startup::{build_services, Application, StartupError};

#[derive(Debug, Parser)]
#[command(name = "crealia", version, about = "Crealia: the Instagram control room for creators")]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the web app (the default). Applies pending migrations first.
    Serve,
    /// Create the database if needed and apply pending migrations, then exit.
    Migrate,
    /// Create the demo creator test@crealia.com with a connected sandbox account (safe to run twice).
    Seed,
    /// Instagram tokens: refresh, rotate, cleanup.
    Tokens {
        #[command(subcommand)]
        action: TokensCommand,
    },
    /// Webhook deliveries: how many wait, failed or were refused, and events for accounts no
    /// one has connected.
    Webhooks,
    /// List every configuration variable with its default.
    Config,
}

#[derive(Debug, Subcommand)]
pub enum TokensCommand {
    /// Refresh every token near its expiry now.
    Refresh,
    /// Re-encrypt every token under the current TOKEN_ENCRYPTION_KEY.
    Rotate,
    /// Delete expired tokens (their accounts then need a reconnect), sessions and OAuth states.
    Cleanup,
}

/// Runs one command. Every failure comes back as one line for the terminal.
pub async fn run(cli: Cli) -> Result<(), StartupError> {
    let command = cli.command.unwrap_or(Command::Serve);
    if let Command::Config = command {
        for (name, default, meaning) in VARIABLES {
            println!("{name:<32} {default:<40} {meaning}");
        }
        return Ok(());
    }
    let config = Config::from_env()?;
    crate::telemetry::init(config.log_format);
    if let Command::Serve = command {
        let app = Application::build(config).await?;
        return app.run_until_stopped().await.map_err(StartupError::Serve);
    }

    let pool = crealia_core::db::connect(&config.database).await.map_err(StartupError::Database)?;
    crealia_core::db::migrate(&pool).await.map_err(StartupError::Migrate)?;
    let secret = crate::startup::webhook_secret(&config, &pool).await?;
    let services = build_services(&config, pool.clone(), Cache::in_process(100), config.addr, secret)?;
    match command {
        Command::Migrate => println!("migrations applied"),
        Command::Seed => seed(&config, &pool, &services).await?,
        Command::Tokens { action: TokensCommand::Refresh } => {
            let report = services.tokens.refresh_due(Utc::now()).await.map_err(StartupError::Seed)?;
            println!("tokens refreshed: {}, need a reconnect: {}, failed: {}", report.refreshed, report.needs_reconnect, report.failed);
        }
        Command::Tokens { action: TokensCommand::Rotate } => {
            let n = services.tokens.rotate().await.map_err(StartupError::Seed)?;
            println!("tokens re-encrypted under key {}: {n}", services.connections.cipher().current_key_id());
        }
        Command::Tokens { action: TokensCommand::Cleanup } => {
            let r = services.tokens.cleanup(Utc::now()).await.map_err(StartupError::Seed)?;
            println!(
                "expired tokens deleted: {}, sessions: {}, OAuth states: {}, old sign-in attempts: {}",
                r.expired_tokens, r.expired_sessions, r.expired_oauth_states, r.old_sign_in_attempts
            );
        }
        Command::Webhooks => {
            let s = services.webhooks.stats().await.map_err(StartupError::Seed)?;
            let age = |secs: Option<i64>| secs.map(|s| format!("{s} s ago")).unwrap_or_else(|| "never".into());
            println!(
                "webhook deliveries stored: {}, waiting: {} (oldest received {}), failed: {}",
                s.received,
                s.pending,
                age(s.oldest_pending_secs),
                s.failed
            );
            println!("refused as unreadable (kept in webhook_rejects): {}; last delivery received {}", s.rejected, age(s.last_received_secs_ago));
            for (ig_user_id, events) in &s.unrouted {
                println!("events for Instagram account {ig_user_id}, which no one has connected: {events}");
            }
        }
        Command::Serve | Command::Config => unreachable!("handled above"),
    }
    Ok(())
}

/// The demo creator, and in sandbox mode the sandbox's `lumen.studio` connected to it with the
/// token any sandbox of the same seed accepts.
async fn seed(config: &Config, pool: &sqlx::PgPool, services: &crealia_core::Services) -> Result<(), StartupError> {
    let (password, reset) = match &config.demo_password {
        Some(p) => (p.expose().to_string(), true),
        None => (generate_password(), false),
    };
    let demo_account = match &config.graph {
        GraphSource::Sandbox { seed, .. } => {
            let world = crealia_sandbox::World::seeded(*seed, Utc::now().timestamp());
            world.account_by_username("lumen.studio").map(|a| NewConnection {
                ig_user_id: a.ig_id.clone(),
                app_scoped_id: Some(a.app_scoped_id.clone()),
                username: a.username.clone(),
                name: Some(a.name.clone()),
                account_type: Some(a.account_type.to_string()),
                profile_picture_url: Some(a.profile_picture_url.clone()),
                permissions: crealia_core::connections::SCOPES.iter().map(|s| s.to_string()).collect(),
                token: SecretToken::new(crealia_sandbox::demo_token(*seed, &a.username)),
                expires_at: Utc::now() + chrono::Duration::days(60),
            })
        }
        GraphSource::Meta { .. } => None,
    };
    let report =
        crealia_core::seed::demo(pool, &services.accounts, Some(&services.connections), &password, reset, demo_account).await.map_err(StartupError::Seed)?;
    let email = crealia_core::seed::DEMO_EMAIL;
    match (report.created_user, report.password_set, reset) {
        (true, _, false) => println!("demo creator: {email}  password: {password}  (shown once; set DEMO_PASSWORD to choose it)"),
        (_, true, true) => println!("demo creator: {email}  password: from DEMO_PASSWORD"),
        _ => println!("demo creator: {email} exists; its password is unchanged (set DEMO_PASSWORD to reset it)"),
    }
    if let Some(username) = report.connected {
        println!("connected sandbox account: @{username}");
    }
    Ok(())
}

fn generate_password() -> String {
    use argon2::password_hash::rand_core::{OsRng, RngCore};
    const WORDS: &[&str] = &["amber", "harbour", "lumen", "cardamom", "fjord", "velvet", "orbit", "meadow", "copper", "willow", "ember", "tide"];
    let pick = || WORDS[(OsRng.next_u32() as usize) % WORDS.len()];
    format!("{}-{}-{}-{}", pick(), pick(), pick(), OsRng.next_u32() % 1000)
}
