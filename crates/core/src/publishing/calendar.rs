//! The creator's posts on their wall clock: lists and the week and month calendar.

use chrono::{DateTime, Datelike, Days, Months, NaiveDate, Utc};
use crealia_model::publishing::{Calendar, CalendarDay, CalendarEntry, CalendarView, PostItem, ScheduledPost};

use super::Publishing;
use crate::time_zones::zone;
use crate::Result;

/// When a post shows on the calendar: when it went out, else when it is due.
fn shown_at(post: &ScheduledPost) -> DateTime<Utc> {
    post.published_at.unwrap_or(post.scheduled_at)
}

/// A post with its time written on the wall clock of `time_zone`.
pub fn item(post: ScheduledPost, time_zone: &str) -> PostItem {
    let local = shown_at(&post).with_timezone(&zone(time_zone));
    PostItem {
        when: local.format("%a %-d %b %Y, %H:%M").to_string(),
        date: local.format("%Y-%m-%d").to_string(),
        time: local.format("%H:%M").to_string(),
        post,
    }
}

/// The first day of the grid and how many days it shows, for `view` around `date`.
fn range(view: CalendarView, date: NaiveDate) -> (NaiveDate, NaiveDate, u64) {
    let monday = |d: NaiveDate| d - Days::new(d.weekday().num_days_from_monday() as u64);
    match view {
        CalendarView::Week => {
            let start = monday(date);
            (start, start, 7)
        }
        CalendarView::Month => {
            let first = date.with_day(1).unwrap_or(date);
            let last = first + Months::new(1) - Days::new(1);
            let start = monday(first);
            let weeks = (last - start).num_days() as u64 / 7 + 1;
            (first, start, weeks * 7)
        }
    }
}

/// The years a calendar can show: dates far outside would overflow the grid's arithmetic.
const YEARS: std::ops::RangeInclusive<i32> = 1970..=9999;

/// The date to show: the one asked for (within [`YEARS`]) or today.
fn shown_date(date: Option<NaiveDate>, today: NaiveDate) -> Result<NaiveDate> {
    match date {
        None => Ok(today),
        Some(d) if YEARS.contains(&d.year()) => Ok(d),
        Some(_) => Err(crate::Error::Refused(crealia_model::problem::Problem::YearOutOfRange { from: *YEARS.start(), to: *YEARS.end() })),
    }
}

impl Publishing {
    /// The calendar of `view` around `date` (today when None), in `time_zone`.
    pub async fn calendar(&self, user_id: i64, view: CalendarView, date: Option<NaiveDate>, time_zone: &str, now: DateTime<Utc>) -> Result<Calendar> {
        let tz = zone(time_zone);
        let today = now.with_timezone(&tz).date_naive();
        let date = shown_date(date, today)?;
        let (anchor, start, days) = range(view, date);
        let end = start + Days::new(days);
        let instant =
            |d: NaiveDate| crate::time_zones::local_time(d, chrono::NaiveTime::MIN, tz.name()).unwrap_or_else(|_| d.and_time(chrono::NaiveTime::MIN).and_utc());
        let posts = self.between(user_id, instant(start), instant(end)).await?;
        let mut grid: Vec<CalendarDay> = (0..days)
            .map(|i| {
                let date = start + Days::new(i);
                let in_range = view == CalendarView::Week || date.month() == anchor.month();
                CalendarDay { date, in_range, is_today: date == today, is_past: date < today, posts: Vec::new() }
            })
            .collect();
        for post in posts {
            let local = shown_at(&post).with_timezone(&tz);
            let index = (local.date_naive() - start).num_days();
            if let Some(day) = usize::try_from(index).ok().and_then(|i| grid.get_mut(i)) {
                day.posts.push(CalendarEntry {
                    id: post.id,
                    time: local.format("%H:%M").to_string(),
                    username: post.username,
                    kind: post.kind,
                    status: post.status,
                    caption: post.caption.chars().take(60).collect(),
                });
            }
        }
        let (title, prev, next) = match view {
            CalendarView::Week => {
                let last = start + Days::new(6);
                (format!("{} – {}", start.format("%-d %b"), last.format("%-d %b %Y")), start - Days::new(7), start + Days::new(7))
            }
            CalendarView::Month => (anchor.format("%B %Y").to_string(), anchor - Months::new(1), anchor + Months::new(1)),
        };
        Ok(Calendar { view, title, time_zone: tz.name().to_string(), prev, next, days: grid })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_month_grid_is_whole_weeks_from_monday() {
        let d = NaiveDate::from_ymd_opt(2026, 11, 24).unwrap();
        let (first, start, days) = range(CalendarView::Month, d);
        assert_eq!(first, NaiveDate::from_ymd_opt(2026, 11, 1).unwrap());
        assert_eq!(start, NaiveDate::from_ymd_opt(2026, 10, 26).unwrap(), "the Monday before the 1st (a Sunday)");
        assert_eq!(days, 42);
        let (_, start, days) = range(CalendarView::Week, d);
        assert_eq!((start, days), (NaiveDate::from_ymd_opt(2026, 11, 23).unwrap(), 7));
    }

    #[test]
    fn dates_a_grid_cannot_reach_are_refused_and_the_edges_work() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 24).unwrap();
        for far in [NaiveDate::MAX, NaiveDate::MIN, NaiveDate::from_ymd_opt(262142, 12, 15).unwrap(), NaiveDate::from_ymd_opt(10000, 1, 1).unwrap()] {
            assert!(matches!(shown_date(Some(far), today), Err(crate::Error::Refused(_))), "{far}");
        }
        assert_eq!(shown_date(None, today).unwrap(), today);
        for edge in [NaiveDate::from_ymd_opt(1970, 1, 1).unwrap(), NaiveDate::from_ymd_opt(9999, 12, 31).unwrap()] {
            let d = shown_date(Some(edge), today).unwrap();
            for view in [CalendarView::Week, CalendarView::Month] {
                let (anchor, start, days) = range(view, d);
                let _ = (start + Days::new(days), anchor - Months::new(1), anchor + Months::new(1), start - Days::new(7));
            }
        }
    }
}
