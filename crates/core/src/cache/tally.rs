//! Hits and misses per tier: counted in the metrics (`crealia_cache_requests_total{tier,result}`)
//! and kept for the last five minutes in this process, for the health page's hit ratio.

use std::time::Duration;

use crate::recent::Recent;

/// The window the hit ratio covers.
pub const WINDOW: Duration = Duration::from_secs(300);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tier {
    /// This process's memory (moka).
    L1,
    /// Redis.
    L2,
}

impl Tier {
    fn as_str(self) -> &'static str {
        match self {
            Tier::L1 => "l1",
            Tier::L2 => "l2",
        }
    }
}

/// Counts of the last five minutes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct HitCounts {
    pub hits: u64,
    pub loads: u64,
}

impl HitCounts {
    /// Share of requests answered by the cache (either tier), if there were any.
    pub fn ratio(&self) -> Option<f64> {
        let all = self.hits + self.loads;
        (all > 0).then(|| self.hits as f64 / all as f64)
    }
}

pub struct Tally {
    /// Requests answered from a tier.
    hits: Recent,
    /// Requests that had to be loaded from the source.
    loads: Recent,
}

impl Default for Tally {
    fn default() -> Self {
        Tally { hits: Recent::new(WINDOW, 30), loads: Recent::new(WINDOW, 30) }
    }
}

impl Tally {
    /// A lookup in `tier`: found there or not.
    pub fn lookup(&self, tier: Tier, found: bool) {
        metrics::counter!("crealia_cache_requests_total", "tier" => tier.as_str(), "result" => if found { "hit" } else { "miss" }).increment(1);
        if found {
            self.hits.add(1);
        }
    }

    /// A request no tier could answer (the value is loaded from its source).
    pub fn loaded(&self) {
        self.loads.add(1);
    }

    /// Hits and loads of the last five minutes.
    pub fn recent(&self) -> HitCounts {
        HitCounts { hits: self.hits.sum(), loads: self.loads.sum() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ratio_counts_answers_from_either_tier_against_loads() {
        let tally = Tally::default();
        assert_eq!(tally.recent().ratio(), None, "no requests, no ratio");
        tally.lookup(Tier::L1, true);
        tally.lookup(Tier::L1, false);
        tally.lookup(Tier::L2, true);
        tally.lookup(Tier::L1, false);
        tally.lookup(Tier::L2, false);
        tally.loaded();
        assert_eq!(tally.recent(), HitCounts { hits: 2, loads: 1 });
        assert!((tally.recent().ratio().unwrap() - 2.0 / 3.0).abs() < 1e-9);
    }
}
