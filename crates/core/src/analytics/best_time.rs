//! When to post: a weekday × hour map of the followers online (Instagram's `online_followers`,
//! averaged over the days it reported, on the creator's clock), and how the account's own
//! posts did by the hour they went out. Up to three suggestions come from both, each with its
//! evidence; none without enough days.

use chrono::{DateTime, Datelike, Duration, NaiveTime, TimeZone, Timelike, Utc};
use chrono_tz::Tz;
use crealia_model::analytics::{BestTimes, NotEnough, SuggestedTime, MIN_ONLINE_DAYS, MIN_POSTS};

use super::figures::{median_f64, PostFigures};

/// One day of `online_followers`: the instant its hour "0" starts, and the followers online in
/// each of its 24 hours (None where Instagram left the hour out).
#[derive(Clone, Debug, PartialEq)]
pub struct OnlineDay {
    pub start: DateTime<Utc>,
    pub by_hour: [Option<i64>; 24],
}

/// Suggestions on the same day are at least this many hours apart.
const SPACING_HOURS: i32 = 3;
/// A suggested time is at least this far ahead.
const LEAD: Duration = Duration::minutes(15);

/// The map and the suggestions. `scores` are the posts' results against the account's median
/// (see [`super::figures::scores`]), one per post.
pub fn best_times(days: &[OnlineDay], followers: u64, posts: &[PostFigures], scores: &[Option<f64>], tz: Tz, now: DateTime<Utc>) -> BestTimes {
    // Followers online by local weekday and hour: sum and count.
    let mut sum = [[0f64; 24]; 7];
    let mut seen = [[0u32; 24]; 7];
    for day in days {
        for (h, online) in day.by_hour.iter().enumerate() {
            let Some(online) = online else { continue };
            let Some(at) = day.start.checked_add_signed(Duration::hours(h as i64)) else { continue };
            let local = at.with_timezone(&tz);
            let (d, h) = (local.weekday().num_days_from_monday() as usize, local.hour() as usize);
            sum[d][h] += *online as f64;
            seen[d][h] += 1;
        }
    }
    let online_percent: Vec<Vec<Option<f32>>> = (0..7)
        .map(|d| (0..24).map(|h| (seen[d][h] > 0 && followers > 0).then(|| (100.0 * sum[d][h] / seen[d][h] as f64 / followers as f64) as f32)).collect())
        .collect();

    // The posts' results by the local weekday and hour they went out.
    let mut by_slot: Vec<Vec<Vec<f64>>> = vec![vec![Vec::new(); 24]; 7];
    let mut posts_compared = 0;
    for (post, score) in posts.iter().zip(scores) {
        let Some(score) = score else { continue };
        let local = post.at.with_timezone(&tz);
        by_slot[local.weekday().num_days_from_monday() as usize][local.hour() as usize].push(*score);
        posts_compared += 1;
    }

    let posts_by_hour: Vec<Vec<u32>> = by_slot.iter().map(|row| row.iter().map(|slot| slot.len() as u32).collect()).collect();
    let lift_by_hour: Vec<Vec<Option<f32>>> = by_slot
        .iter()
        .map(|row| row.iter().map(|slot| if slot.len() as u32 >= MIN_POSTS { median_f64(&mut slot.clone()).map(|l| l as f32) } else { None }).collect())
        .collect();
    let days_reported = days.len() as u32;
    let mut result = BestTimes { online_percent, days_reported, posts_compared, posts_by_hour, lift_by_hour, suggestions: Vec::new(), not_enough: None };
    if days_reported < MIN_ONLINE_DAYS {
        result.not_enough = Some(NotEnough::OnlineDays { have: days_reported, need: MIN_ONLINE_DAYS });
        return result;
    }

    // Each hour of the week by the followers online then, weighed by how the account's posts
    // did at that hour when enough went out (a slot where posts do twice the median counts up
    // to twice as much).
    let mut candidates: Vec<(f64, usize, usize, Option<f64>, u32)> = Vec::new();
    for d in 0..7 {
        for h in 0..24 {
            let Some(online) = result.online_percent[d][h] else { continue };
            let posts = result.posts_by_hour[d][h];
            let lift = result.lift_by_hour[d][h].map(f64::from);
            let weight = lift.map_or(1.0, |l| l.clamp(0.5, 2.0));
            candidates.push((online as f64 * weight, d, h, lift, posts));
        }
    }
    candidates.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
    let mut chosen: Vec<(usize, usize, Option<f64>, u32)> = Vec::new();
    for (_, d, h, lift, posts) in candidates {
        if chosen.iter().any(|(cd, ch, ..)| *cd == d && (*ch as i32 - h as i32).abs() < SPACING_HOURS) {
            continue;
        }
        chosen.push((d, h, lift, posts));
        if chosen.len() == 3 {
            break;
        }
    }
    result.suggestions = chosen
        .into_iter()
        .filter_map(|(d, h, lift, posts)| {
            let next = next_occurrence(d as u32, h as u32, tz, now)?;
            Some(SuggestedTime {
                weekday: d as u8,
                hour: h as u8,
                online_percent: result.online_percent[d][h].unwrap_or(0.0),
                lift: lift.map(|l| l as f32),
                posts,
                next_date: next.format("%Y-%m-%d").to_string(),
                next_time: next.format("%H:%M").to_string(),
            })
        })
        .collect();
    result
}

/// The next time the creator's clock shows `hour`:00 on `weekday` (0 = Monday), at least
/// [`LEAD`] from now; a local time the clocks skip is passed over.
pub fn next_occurrence(weekday: u32, hour: u32, tz: Tz, now: DateTime<Utc>) -> Option<DateTime<Tz>> {
    let today = now.with_timezone(&tz).date_naive();
    let time = NaiveTime::from_hms_opt(hour, 0, 0)?;
    (0..15).filter_map(|ahead| today.checked_add_signed(Duration::days(ahead))).filter(|date| date.weekday().num_days_from_monday() == weekday).find_map(
        |date| {
            let at = tz.from_local_datetime(&date.and_time(time)).earliest()?;
            (at.with_timezone(&Utc) >= now + LEAD).then_some(at)
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(start: &str, peaks: &[(usize, i64)]) -> OnlineDay {
        let mut by_hour = [Some(30); 24];
        for (h, v) in peaks {
            by_hour[*h] = Some(*v);
        }
        OnlineDay { start: DateTime::parse_from_rfc3339(start).unwrap().with_timezone(&Utc), by_hour }
    }

    fn post(at: &str, reach: i64) -> PostFigures {
        PostFigures {
            at: DateTime::parse_from_rfc3339(at).unwrap().with_timezone(&Utc),
            format: "IMAGE".into(),
            hashtags: vec![],
            reach: Some(reach),
            saves: None,
            shares: None,
            interactions: None,
        }
    }

    #[test]
    fn the_map_is_on_the_creators_clock_and_suggests_the_peaks_with_their_evidence() {
        // Two weeks of days starting at UTC midnight (2026-11-02 was a Monday), followers
        // online at 18:00 UTC every day (400 of 1,000) and on Tuesdays at 09:00 UTC (300).
        let days: Vec<OnlineDay> = (0..14)
            .map(|i| {
                let start = format!("2026-11-{:02}T00:00:00Z", 2 + i);
                if i % 7 == 1 {
                    day(&start, &[(18, 400), (9, 300)])
                } else {
                    day(&start, &[(18, 400)])
                }
            })
            .collect();
        // Posts on Tuesdays at 18:05 UTC did twice the median, three of them.
        let posts = vec![
            post("2026-11-03T18:05:00Z", 200),
            post("2026-11-10T18:05:00Z", 200),
            post("2026-11-17T18:05:00Z", 200),
            post("2026-11-04T07:00:00Z", 100),
            post("2026-11-05T07:00:00Z", 100),
            post("2026-11-06T07:00:00Z", 100),
            post("2026-11-07T07:00:00Z", 100),
        ];
        let scores = super::super::figures::scores(&posts);
        let now = DateTime::parse_from_rfc3339("2026-11-30T12:00:00Z").unwrap().with_timezone(&Utc);
        let tokyo: Tz = "Asia/Tokyo".parse().unwrap();
        let b = best_times(&days, 1_000, &posts, &scores, tokyo, now);

        // 18:00 UTC is 03:00 the next day in Tokyo: Tuesday's peak is Wednesday 03:00 there.
        assert_eq!(b.online_percent[2][3], Some(40.0));
        assert_eq!(b.online_percent[1][18], Some(30.0), "Tuesday 09:00 UTC is Tuesday 18:00 in Tokyo");
        assert_eq!(b.online_percent[0][0], Some(3.0));
        assert_eq!(b.days_reported, 14);
        assert_eq!(b.posts_compared, 7);
        assert_eq!((b.posts_by_hour[2][3], b.lift_by_hour[2][3]), (3, Some(2.0)), "three posts there, twice the median");
        assert_eq!((b.posts_by_hour[3][16], b.lift_by_hour[3][16]), (1, None), "one post: too few to compare");
        assert!(b.not_enough.is_none());
        let s = &b.suggestions;
        assert_eq!(s.len(), 3);
        // First the slot where both the followers and the posts point (Wednesday 03:00 in Tokyo).
        assert_eq!((s[0].weekday, s[0].hour, s[0].posts), (2, 3, 3));
        assert_eq!(s[0].lift, Some(2.0));
        assert_eq!(s[0].evidence(), "40 % of your followers online, your posts at that hour reached 2.0× your median, from 3 posts");
        assert_eq!(s[0].label(), "Wednesday 03:00");
        // Then the 40 % hours of other days (no posts there yet), never two close on one day.
        assert!(s[1..].iter().all(|t| t.hour == 3 && t.online_percent == 40.0 && t.lift.is_none() && t.posts == 0), "{s:?}");
        assert!(s[1].evidence().contains("none of your posts went out at that hour yet"));
        // The scheduler gets the next Wednesday 03:00 in Tokyo after now (Monday 30 November).
        assert_eq!((s[0].next_date.as_str(), s[0].next_time.as_str()), ("2026-12-02", "03:00"));
    }

    #[test]
    fn no_suggestion_without_enough_days() {
        let days: Vec<OnlineDay> = (0..6).map(|i| day(&format!("2026-11-{:02}T00:00:00Z", 2 + i), &[(18, 400)])).collect();
        let b = best_times(&days, 1_000, &[], &[], chrono_tz::UTC, Utc::now());
        assert!(b.suggestions.is_empty());
        assert_eq!(b.not_enough, Some(NotEnough::OnlineDays { have: 6, need: MIN_ONLINE_DAYS }));
        assert_eq!(b.online_percent[0][18], Some(40.0), "the map still shows what there is");
    }

    #[test]
    fn the_next_occurrence_skips_what_the_clocks_skip_and_what_is_too_close() {
        let paris: Tz = "Europe/Paris".parse().unwrap();
        // Sunday 2026-03-29, 02:00 does not exist in Paris: the Sunday after.
        let now = DateTime::parse_from_rfc3339("2026-03-28T12:00:00Z").unwrap().with_timezone(&Utc);
        assert_eq!(next_occurrence(6, 2, paris, now).unwrap().to_rfc3339(), "2026-04-05T02:00:00+02:00");
        // Monday 10:00 at Monday 09:50 in Paris is too close: next week's.
        let now = DateTime::parse_from_rfc3339("2026-11-30T08:50:00Z").unwrap().with_timezone(&Utc);
        assert_eq!(next_occurrence(0, 10, paris, now).unwrap().to_rfc3339(), "2026-12-07T10:00:00+01:00");
    }
}
