//! What every benchmark example measures with: percentiles of sorted latencies, milliseconds,
//! and settings from the environment.

#![allow(dead_code)]

use std::time::Duration;

/// The `p` percentile (0.0–1.0) of latencies sorted in ascending order (not empty).
pub fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

pub fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// The variable `name` parsed, or `default` when it is unset or not a number.
pub fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}
