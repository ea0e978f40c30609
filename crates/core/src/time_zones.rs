//! Time zones: the creator's wall clock and the instants Crealia stores (UTC).

use chrono::{DateTime, NaiveDate, NaiveTime, TimeZone, Utc};

use crate::{Error, Result};
use crealia_model::problem::Problem;

/// The IANA zone `name`, or UTC when Crealia does not know it.
pub fn zone(name: &str) -> chrono_tz::Tz {
    name.parse().unwrap_or(chrono_tz::UTC)
}

/// A date and time on the wall clock of `time_zone` (an IANA name), as a UTC instant.
pub fn local_time(date: NaiveDate, time: NaiveTime, time_zone: &str) -> Result<DateTime<Utc>> {
    let tz: chrono_tz::Tz = time_zone.parse().map_err(|_| Error::Refused(Problem::UnknownTimeZone { zone: time_zone.to_string() }))?;
    match tz.from_local_datetime(&date.and_time(time)) {
        chrono::LocalResult::Single(t) => Ok(t.with_timezone(&Utc)),
        // The hour clocks turn back: the first of the two.
        chrono::LocalResult::Ambiguous(first, _) => Ok(first.with_timezone(&Utc)),
        chrono::LocalResult::None => {
            Err(Error::Refused(Problem::SkippedTime { date: date.to_string(), time: time.format("%H:%M").to_string(), zone: time_zone.to_string() }))
        }
    }
}

/// Whether `name` is an IANA time zone Crealia can schedule in.
pub fn is_time_zone(name: &str) -> bool {
    name.parse::<chrono_tz::Tz>().is_ok()
}

/// Every time zone, for the composer's picker.
pub fn time_zones() -> Vec<String> {
    chrono_tz::TZ_VARIANTS.iter().map(|tz| tz.name().to_string()).filter(|n| n.contains('/') || n == "UTC").collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wall_clock_times_become_utc_in_the_creators_zone() {
        let d = NaiveDate::from_ymd_opt(2026, 7, 1).unwrap();
        let t = NaiveTime::from_hms_opt(9, 30, 0).unwrap();
        assert_eq!(local_time(d, t, "Europe/Oslo").unwrap().to_rfc3339(), "2026-07-01T07:30:00+00:00");
        assert_eq!(local_time(d, t, "UTC").unwrap().to_rfc3339(), "2026-07-01T09:30:00+00:00");
        // 02:30 does not exist in Oslo on the last Sunday of March.
        let gap = local_time(NaiveDate::from_ymd_opt(2026, 3, 29).unwrap(), NaiveTime::from_hms_opt(2, 30, 0).unwrap(), "Europe/Oslo");
        assert!(matches!(gap, Err(Error::Refused(Problem::SkippedTime { .. }))));
        assert!(local_time(d, t, "Mars/Olympus").is_err());
    }
}
