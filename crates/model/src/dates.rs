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

/// An RFC 3339 time as chrono writes it ("2026-12-03T21:55:00Z", with a fraction of a second or
/// an offset such as "+02:00"), read by hand: chrono's parser, behind its `Deserialize`, was
/// ~12 KB of the browser's WASM for the two times of a post (issue 15, point 8).
pub fn parse_rfc3339(text: &str) -> Option<DateTime<Utc>> {
    let digits = |from: usize, to: usize| text.get(from..to).and_then(ascii_number);
    let at = |i: usize| text.as_bytes().get(i).copied();
    if at(4) != Some(b'-') || at(7) != Some(b'-') || !matches!(at(10), Some(b'T' | b't' | b' ')) || at(13) != Some(b':') || at(16) != Some(b':') {
        return None;
    }
    let date = NaiveDate::from_ymd_opt(digits(0, 4)? as i32, digits(5, 7)?, digits(8, 10)?)?;
    let mut rest = text.get(19..)?;
    let mut nanos = 0;
    if let Some(fraction) = rest.strip_prefix('.') {
        // Nanoseconds: the first nine digits; more are dropped, as chrono does.
        let count = fraction.bytes().take_while(u8::is_ascii_digit).count();
        let kept = count.min(9);
        nanos = ascii_number(&fraction[..kept])? * 10u32.pow(9 - kept as u32);
        rest = &fraction[count..];
    }
    let east_seconds = match rest.as_bytes() {
        [b'Z' | b'z'] => 0,
        [sign @ (b'+' | b'-'), _, _, b':', _, _] => {
            let seconds = i64::from(ascii_number(rest.get(1..3)?)? * 3600 + ascii_number(rest.get(4..6)?)? * 60);
            if *sign == b'-' {
                -seconds
            } else {
                seconds
            }
        }
        _ => return None,
    };
    let local = date.and_hms_nano_opt(digits(11, 13)?, digits(14, 16)?, digits(17, 19)?, nanos)?;
    Some(local.checked_sub_signed(chrono::TimeDelta::seconds(east_seconds))?.and_utc())
}

/// The number written by `text` (one to nine ASCII digits, no sign or space), or None.
fn ascii_number(text: &str) -> Option<u32> {
    if text.is_empty() || text.len() > 9 {
        return None;
    }
    text.bytes().try_fold(0u32, |n, c| c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0')))
}

/// `#[serde(deserialize_with = "dates::rfc3339")]`: a time through [`parse_rfc3339`]; chrono
/// still writes it.
pub fn rfc3339<'de, D: serde::Deserializer<'de>>(d: D) -> Result<DateTime<Utc>, D::Error> {
    read_rfc3339(&<String as serde::Deserialize>::deserialize(d)?)
}

/// [`rfc3339`] for a time that may be missing (`null`).
pub fn rfc3339_or_none<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<DateTime<Utc>>, D::Error> {
    <Option<String> as serde::Deserialize>::deserialize(d)?.map(|text| read_rfc3339(&text)).transpose()
}

fn read_rfc3339<E: serde::de::Error>(text: &str) -> Result<DateTime<Utc>, E> {
    parse_rfc3339(text).ok_or_else(|| E::custom(format!("not an RFC 3339 time: {text:?}")))
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

    #[test]
    fn rfc3339_times_read_as_chrono_reads_them() {
        let times = [
            Utc.with_ymd_and_hms(2026, 12, 3, 21, 55, 0).unwrap(),
            Utc.with_ymd_and_hms(1999, 1, 1, 0, 0, 1).unwrap() + chrono::TimeDelta::nanoseconds(123_456_789),
            Utc.with_ymd_and_hms(2028, 2, 29, 23, 59, 59).unwrap() + chrono::TimeDelta::microseconds(500),
            Utc.with_ymd_and_hms(2026, 6, 30, 12, 0, 0).unwrap() + chrono::TimeDelta::milliseconds(7),
        ];
        for t in times {
            // As the server writes it, in the JSON of a post.
            let json = serde_json::to_string(&t).unwrap();
            let text: String = serde_json::from_str(&json).unwrap();
            assert_eq!(parse_rfc3339(&text), Some(t), "{text}");
            assert_eq!(rfc3339(&mut serde_json::Deserializer::from_str(&json)).unwrap(), t);
        }
        for text in ["2026-12-03T23:55:00+02:00", "2026-12-03t16:25:00.5-05:30", "2026-12-03 21:55:00z", "2026-12-03T21:55:00.1234567891Z"] {
            let chrono: DateTime<Utc> = serde_json::from_value(serde_json::Value::String(text.into())).unwrap();
            assert_eq!(parse_rfc3339(text), Some(chrono), "{text}");
        }
        for bad in [
            "",
            "2026-12-03",
            "2026-12-03T21:55:00",
            "2026-13-03T21:55:00Z",
            "2026-12-03T21:55:00.Z",
            "2026-12-03T21:55:00+0200",
            "2026-12-03T24:00:00Z",
            "2026-12-03T21:55:00Zx",
            "2026-12-03T21:55:00++1:00",
            "2026-12-03T21:55:00+ 1:00",
            "２０２６-12-03T21:55:00Z",
        ] {
            assert_eq!(parse_rfc3339(bad), None, "{bad}");
        }
        let missing: Option<DateTime<Utc>> = rfc3339_or_none(&mut serde_json::Deserializer::from_str("null")).unwrap();
        assert_eq!(missing, None);
        assert!(rfc3339(&mut serde_json::Deserializer::from_str("\"yesterday\"")).is_err());
    }
}
