//! [`Recent`]: how many times something happened in this process over a recent window (the
//! last five minutes, the last hour), in fixed buckets, so memory stays the same however much
//! happens.

use std::sync::Mutex;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

pub struct Recent {
    bucket_secs: u64,
    /// (which slot of time, count), one per bucket, reused round-robin.
    buckets: Mutex<Vec<(u64, u64)>>,
}

impl Recent {
    /// Counts over `window`, in `buckets` steps (the oldest step drops out whole).
    pub fn new(window: Duration, buckets: usize) -> Self {
        let buckets = buckets.max(1);
        Recent { bucket_secs: (window.as_secs() / buckets as u64).max(1), buckets: Mutex::new(vec![(0, 0); buckets]) }
    }

    fn slot_now(&self) -> u64 {
        SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default().as_secs() / self.bucket_secs
    }

    pub fn add(&self, n: u64) {
        let slot = self.slot_now();
        let mut buckets = self.buckets.lock().unwrap_or_else(|p| p.into_inner());
        let len = buckets.len() as u64;
        let bucket = &mut buckets[(slot % len) as usize];
        if bucket.0 != slot {
            *bucket = (slot, 0);
        }
        bucket.1 += n;
    }

    /// The count over the window.
    pub fn sum(&self) -> u64 {
        let now = self.slot_now();
        let buckets = self.buckets.lock().unwrap_or_else(|p| p.into_inner());
        let len = buckets.len() as u64;
        buckets.iter().filter(|(slot, _)| now.saturating_sub(*slot) < len).map(|(_, n)| n).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_add_up_within_the_window() {
        let recent = Recent::new(Duration::from_secs(300), 30);
        assert_eq!(recent.sum(), 0);
        recent.add(2);
        recent.add(3);
        assert_eq!(recent.sum(), 5);
    }
}
