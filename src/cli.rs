//! The command line: `serve` (default), `migrate`, `seed`, `config`.

use clap::{Parser, Subcommand};

use crate::config::{Config, VARIABLES};
use crate::startup::{Application, StartupError};

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
    /// Insert the demo data a newcomer needs to try Crealia (safe to run twice).
    Seed,
    /// List every configuration variable with its default.
    Config,
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
    match command {
        Command::Serve => {
            let app = Application::build(config).await?;
            app.run_until_stopped().await.map_err(StartupError::Serve)
        }
        Command::Migrate => {
            let pool = crealia_core::db::connect(&config.database).await.map_err(StartupError::Database)?;
            crealia_core::db::migrate(&pool).await.map_err(StartupError::Migrate)?;
            println!("migrations applied");
            Ok(())
        }
        Command::Seed => {
            let pool = crealia_core::db::connect(&config.database).await.map_err(StartupError::Database)?;
            crealia_core::db::migrate(&pool).await.map_err(StartupError::Migrate)?;
            let created = crealia_core::seed::demo(&pool).await.map_err(StartupError::Seed)?;
            println!("seed: {created} demo record(s) created");
            Ok(())
        }
        Command::Config => unreachable!("handled above"),
    }
}
