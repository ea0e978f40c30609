//! The sandbox's clock: real time plus an offset that tests move forward, so that tokens
//! expire, videos finish processing and scheduled times pass without waiting.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

#[derive(Clone, Default)]
pub struct Clock {
    offset_secs: Arc<AtomicI64>,
}

impl Clock {
    /// Unix seconds, as the sandbox sees them.
    pub fn now(&self) -> i64 {
        chrono::Utc::now().timestamp() + self.offset_secs.load(Ordering::Relaxed)
    }

    pub fn advance(&self, secs: i64) -> i64 {
        self.offset_secs.fetch_add(secs, Ordering::Relaxed) + secs
    }

    pub fn offset(&self) -> i64 {
        self.offset_secs.load(Ordering::Relaxed)
    }

    pub fn reset(&self) {
        self.offset_secs.store(0, Ordering::Relaxed);
    }
}
