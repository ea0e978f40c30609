//! A creator's requests of one kind counted per minute on this server (a place search, a bulk
//! file checked): what one browser tab can spend of Instagram's rate budget and of the database.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::Duration;

use crate::{Error, Result};

pub struct PerMinute {
    counts: moka::sync::Cache<i64, Arc<AtomicU32>>,
    max: u32,
}

impl PerMinute {
    /// At most `max` a minute per creator (the minute starts at their first request).
    pub fn new(max: u32) -> PerMinute {
        PerMinute { counts: moka::sync::Cache::builder().max_capacity(100_000).time_to_live(Duration::from_secs(60)).build(), max }
    }

    /// Counts one request of `user_id`; Throttled once they have made `max` this minute.
    pub fn spend(&self, user_id: i64) -> Result<()> {
        let count = self.counts.get_with(user_id, || Arc::new(AtomicU32::new(0)));
        if count.fetch_add(1, Ordering::Relaxed) >= self.max {
            return Err(Error::Throttled { retry_after_secs: 60 });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_creator_is_held_to_the_limit_and_others_are_not() {
        let limit = super::PerMinute::new(2);
        assert!(limit.spend(1).is_ok() && limit.spend(1).is_ok());
        assert!(limit.spend(1).is_err());
        assert!(limit.spend(2).is_ok());
    }
}
