//! Background jobs of a server process: the publishing scheduler (woken by NOTIFY or the next
//! due time), the webhook processor (woken by NOTIFY), token refresh (hourly, with jitter) and
//! cleanup (daily). Several processes may run them: posts and webhook deliveries are claimed
//! with SKIP LOCKED, the token manager takes a PostgreSQL advisory lock.

use std::time::Duration;

use chrono::Utc;
use crealia_core::publishing::SchedulerSettings;
use crealia_core::webhooks::ProcessorSettings;
use crealia_core::Services;

use crate::config::JobSettings;

const CLEANUP_EVERY: Duration = Duration::from_secs(24 * 3_600);

pub fn spawn(services: Services, settings: JobSettings) {
    let scheduler = SchedulerSettings { concurrency: settings.publish_concurrency, ..Default::default() };
    tokio::spawn(services.publishing.clone().run_scheduler(scheduler));
    tokio::spawn(services.webhooks.clone().run_processor(ProcessorSettings::default(), services.inbox.clone()));
    tokio::spawn(async move {
        // A first pass soon after start, so a restart never delays a due refresh by an hour.
        tokio::time::sleep(Duration::from_secs(5 + jitter_secs(25))).await;
        let mut last_cleanup: Option<tokio::time::Instant> = None;
        loop {
            match services.tokens.refresh_due(Utc::now()).await {
                Ok(report) if report.refreshed + report.needs_reconnect + report.failed > 0 => {
                    tracing::info!(refreshed = report.refreshed, needs_reconnect = report.needs_reconnect, failed = report.failed, "token refresh")
                }
                Ok(_) => {}
                Err(e) => tracing::error!(error = %e, "token refresh failed"),
            }
            // Senders whose lookup failed after their batch (the Graph API was down) are named
            // here once their 10 minutes are over.
            if let Err(e) = services.inbox.name_senders(crealia_core::inbox::SENDERS_PER_PASS).await {
                tracing::warn!(error = %e, "cannot name the senders of messages");
            }
            if last_cleanup.is_none_or(|at| at.elapsed() >= CLEANUP_EVERY) {
                match services.tokens.cleanup(Utc::now()).await {
                    Ok(report) => tracing::info!(?report, "cleanup"),
                    Err(e) => tracing::error!(error = %e, "cleanup failed"),
                }
                match services.webhooks.cleanup(Utc::now()).await {
                    Ok(deleted) => tracing::info!(deleted, "old webhook deliveries deleted"),
                    Err(e) => tracing::error!(error = %e, "webhook cleanup failed"),
                }
                match services.media.cleanup(Utc::now()).await {
                    Ok(deleted) => tracing::info!(deleted, "unused media deleted"),
                    Err(e) => tracing::error!(error = %e, "media cleanup failed"),
                }
                last_cleanup = Some(tokio::time::Instant::now());
            }
            let interval = settings.token_refresh_interval.as_secs();
            tokio::time::sleep(Duration::from_secs(interval + jitter_secs(interval / 10))).await;
        }
    });
}

/// A few seconds of spread so that servers started together do not call Meta together.
fn jitter_secs(max: u64) -> u64 {
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.subsec_nanos()).unwrap_or(0);
    (nanos as u64 ^ std::process::id() as u64) % max.max(1)
}
