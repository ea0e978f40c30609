//! Dates and times as a creator reads them ("05 Dec 2026", "14:05 UTC"), written by hand:
//! chrono's `format` (its `strftime` machinery) would add its whole formatter to the browser's
//! WASM for three patterns (issue 15, point 8).

use chrono::{DateTime, Datelike, NaiveDate, Timelike, Utc};

const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/// "05 Dec 2026".
pub fn day_month_year(t: DateTime<Utc>) -> String {
    format!("{:02} {} {}", t.day(), MONTHS[t.month0() as usize], t.year())
}

/// "14:05 UTC".
pub fn clock_utc(t: DateTime<Utc>) -> String {
    format!("{:02}:{:02} UTC", t.hour(), t.minute())
}

/// "5": the day of the month, as a calendar's cell shows it.
pub fn day_of_month(date: NaiveDate) -> u32 {
    date.day()
}

/// "05 Dec 2026 14:05 UTC".
pub fn day_month_year_clock_utc(t: DateTime<Utc>) -> String {
    format!("{} {}", day_month_year(t), clock_utc(t))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn each_pattern_reads_as_chronos_strftime_would_write_it() {
        for (y, m, d, h, min) in [(2026, 1, 5, 0, 0), (2026, 12, 31, 23, 59), (1999, 7, 14, 9, 7), (2028, 2, 29, 12, 30)] {
            let t = Utc.with_ymd_and_hms(y, m, d, h, min, 42).unwrap();
            assert_eq!(day_month_year(t), t.format("%d %b %Y").to_string());
            assert_eq!(clock_utc(t), t.format("%H:%M UTC").to_string());
            assert_eq!(day_month_year_clock_utc(t), t.format("%d %b %Y %H:%M UTC").to_string());
        }
    }
}
