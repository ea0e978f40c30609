//! The scheduler worker of one server process. The database is the source of truth: the worker
//! keeps no timers of its own beyond "when is the next post due", claims due posts with SKIP
//! LOCKED (so several processes share the work), publishes up to `concurrency` at once, and
//! sleeps until a NOTIFY, the next due time, or a free slot.

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use tokio::sync::{Notify, Semaphore};

use super::{Publishing, CHANNEL};

#[derive(Clone, Debug)]
pub struct SchedulerSettings {
    /// Posts published at the same time by this process.
    pub concurrency: usize,
    /// The longest sleep without a look at the queue (a safety net: NOTIFY and the next due
    /// time normally wake the worker).
    pub max_idle: Duration,
}

impl Default for SchedulerSettings {
    fn default() -> Self {
        SchedulerSettings { concurrency: 16, max_idle: Duration::from_secs(10) }
    }
}

impl Publishing {
    /// Runs until the task is dropped.
    pub async fn run_scheduler(self, settings: SchedulerSettings) {
        let slots = Arc::new(Semaphore::new(settings.concurrency.max(1)));
        let finished = Arc::new(Notify::new());
        let mut listener = crate::db::Listener::new(&self.db, &[CHANNEL]).await;
        loop {
            let free = slots.available_permits();
            let mut claimed = 0;
            if free > 0 {
                match self.claim(Utc::now(), free as i64).await {
                    Ok(rows) => {
                        claimed = rows.len();
                        for row in rows {
                            let permit = slots.clone().acquire_owned().await.expect("the semaphore is never closed");
                            let (me, finished) = (self.clone(), finished.clone());
                            tokio::spawn(async move {
                                let id = row.id;
                                if let Err(e) = me.process(row, Utc::now()).await {
                                    // The lease runs out and the post is taken up again.
                                    tracing::error!(post_id = id, error = %e, "cannot record a publishing step");
                                }
                                drop(permit);
                                finished.notify_one();
                            });
                        }
                    }
                    Err(e) => {
                        tracing::error!(error = %e, "cannot claim due posts");
                        tokio::time::sleep(Duration::from_secs(1)).await;
                        continue;
                    }
                }
            }
            if free > 0 && claimed == free {
                continue; // every slot taken: more may be due
            }
            let sleep = if free == 0 {
                settings.max_idle
            } else {
                match self.next_due().await {
                    Ok(Some(at)) => (at - Utc::now()).to_std().unwrap_or_default().min(settings.max_idle),
                    Ok(None) => settings.max_idle,
                    Err(e) => {
                        tracing::warn!(error = %e, "cannot read the next due time");
                        Duration::from_secs(1)
                    }
                }
            };
            if sleep.is_zero() && free > 0 {
                // Due but not claimable yet (another process holds it): look again shortly.
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
            tokio::select! {
                _ = tokio::time::sleep(sleep) => {}
                // A post finished: a slot is free, and it may be due again soon (a retry).
                _ = finished.notified() => {}
                _ = listener.next() => {}
            }
        }
    }
}
