//! The bodies this process stored last, by SHA-256: a body sent again while it is among them
//! (one of Meta's retries that reached this process, or a replay of a captured signed body) is
//! answered without a new row. Bounded: past [`RECENT_BODIES`] the oldest is forgotten. What
//! this does not catch (a copy stored by another server, or long after) is a row of its own,
//! and the processor makes no inbox item twice from it.

use std::collections::{HashSet, VecDeque};
use std::sync::Mutex;

/// Digests remembered (about 6 MB).
pub const RECENT_BODIES: usize = 65_536;

pub(super) struct RecentBodies {
    capacity: usize,
    inner: Mutex<Inner>,
}

#[derive(Default)]
struct Inner {
    seen: HashSet<[u8; 32]>,
    /// Oldest first.
    order: VecDeque<[u8; 32]>,
}

impl RecentBodies {
    pub fn new(capacity: usize) -> Self {
        RecentBodies { capacity: capacity.max(1), inner: Mutex::default() }
    }

    /// Whether a body with this digest was stored recently.
    pub fn contains(&self, digest: &[u8; 32]) -> bool {
        self.inner.lock().is_ok_and(|inner| inner.seen.contains(digest))
    }

    /// Notes a stored body (call it once the row is committed: a body noted but never stored
    /// would turn Meta's retry of it away).
    pub fn remember(&self, digest: [u8; 32]) {
        let Ok(mut inner) = self.inner.lock() else { return };
        if !inner.seen.insert(digest) {
            return;
        }
        inner.order.push_back(digest);
        if inner.order.len() > self.capacity {
            if let Some(oldest) = inner.order.pop_front() {
                inner.seen.remove(&oldest);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remembers_the_last_ones_and_forgets_the_oldest_first() {
        let recent = RecentBodies::new(2);
        let (a, b, c) = ([1; 32], [2; 32], [3; 32]);
        assert!(!recent.contains(&a));
        recent.remember(a);
        recent.remember(b);
        recent.remember(a); // already there: not a second place in the order
        assert!(recent.contains(&a) && recent.contains(&b));
        recent.remember(c);
        assert!(!recent.contains(&a), "the oldest goes first");
        assert!(recent.contains(&b) && recent.contains(&c));
    }
}
