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

/// "2026-11-24" read, as a date field gives it.
pub fn parse_iso_date(text: &str) -> Option<NaiveDate> {
    let mut parts = text.splitn(3, '-');
    let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
    if y.len() != 4 || m.len() != 2 || d.len() != 2 {
        return None;
    }
    NaiveDate::from_ymd_opt(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?)
}

/// "14:05" read, as a time field gives it.
pub fn parse_clock(text: &str) -> Option<chrono::NaiveTime> {
    let (h, m) = text.split_once(':')?;
    if h.len() != 2 || m.len() != 2 {
        return None;
    }
    chrono::NaiveTime::from_hms_opt(h.parse().ok()?, m.parse().ok()?, 0)
}

/// ("2026-11-24", "14:05"): a wall-clock time as date and time fields hold it.
pub fn iso_date_and_clock(at: chrono::NaiveDateTime) -> (String, String) {
    (format!("{:04}-{:02}-{:02}", at.year(), at.month(), at.day()), format!("{:02}:{:02}", at.hour(), at.minute()))
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

    #[test]
    fn date_and_time_fields_are_read_and_written_as_chrono_would() {
        let at = NaiveDate::from_ymd_opt(2026, 3, 9).unwrap().and_hms_opt(7, 5, 0).unwrap();
        assert_eq!(iso_date_and_clock(at), (at.format("%Y-%m-%d").to_string(), at.format("%H:%M").to_string()));
        assert_eq!(parse_iso_date("2026-03-09"), Some(at.date()));
        assert_eq!(parse_clock("07:05"), Some(at.time()));
        for bad in ["2026-3-9", "2026-02-30", "26-03-09", "x"] {
            assert_eq!(parse_iso_date(bad), None, "{bad}");
        }
        for bad in ["7:05", "25:00", "07:5", "0705"] {
            assert_eq!(parse_clock(bad), None, "{bad}");
        }
    }
}
