//! What the account's own data says: when its followers are online and its posts do best,
//! which formats and hashtags work, and who the audience is. Every figure carries the number
//! of days or posts behind it, and a suggestion is never made without enough of them.

use serde::{Deserialize, Serialize};

/// Days of `online_followers` needed before a time is suggested (each weekday seen once).
pub const MIN_ONLINE_DAYS: u32 = 7;
/// Posts needed at an hour (or with a format or hashtag) before their results are compared.
pub const MIN_POSTS: u32 = 3;
/// Posts with figures needed before anything is compared.
pub const MIN_POSTS_IN_ALL: u32 = 6;

/// Monday first, as the heat map's rows.
pub const WEEKDAYS: [&str; 7] = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Analytics {
    pub connection_id: i64,
    pub username: String,
    /// The creator's time zone: the heat map's hours and the suggested times are on its clock.
    pub time_zone: String,
    pub best_times: BestTimes,
    pub what_works: WhatWorks,
    pub audience: Audience,
}

/// When to post.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BestTimes {
    /// 7 rows (Monday first) of 24 hours on the creator's clock: the average share of the
    /// followers online then, in per cent; `None` where Instagram reported nothing.
    pub online_percent: Vec<Vec<Option<f32>>>,
    /// Days of `online_followers` behind the map (Instagram keeps 30).
    pub days_reported: u32,
    /// Posts whose results were compared by the hour they went out.
    pub posts_compared: u32,
    /// The same 7 × 24 grid: how many of the account's posts went out in each hour, and
    /// (where at least [`MIN_POSTS`] did) their median result against the account's median.
    pub posts_by_hour: Vec<Vec<u32>>,
    pub lift_by_hour: Vec<Vec<Option<f32>>>,
    /// Up to three times, best first; empty when there is not enough data.
    pub suggestions: Vec<SuggestedTime>,
    pub not_enough: Option<NotEnough>,
}

/// A time to post, with its evidence.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SuggestedTime {
    /// 0 = Monday.
    pub weekday: u8,
    pub hour: u8,
    /// Followers online at that hour, in per cent, on average.
    pub online_percent: f32,
    /// The account's posts at that hour against its median (reach and interactions), when at
    /// least [`MIN_POSTS`] went out then.
    pub lift: Option<f32>,
    /// The account's posts that went out at that hour.
    pub posts: u32,
    /// Its next occurrence on the creator's clock, for the scheduler: `YYYY-MM-DD` and `HH:MM`.
    pub next_date: String,
    pub next_time: String,
}

/// Why something is not shown.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum NotEnough {
    /// Instagram reported fewer days of online followers than needed.
    OnlineDays { have: u32, need: u32 },
    /// Fewer posts with figures than needed.
    Posts { have: u32, need: u32 },
    /// Instagram gives these figures from 100 followers on.
    Followers { have: u64, need: u64 },
}

/// How the account's posts did, by format and by hashtag.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WhatWorks {
    /// Posts with figures behind everything below.
    pub posts: u32,
    pub median_reach: Option<i64>,
    pub median_interactions: Option<i64>,
    pub formats: Vec<Performance>,
    /// Hashtags used on at least [`MIN_POSTS`] posts, best first.
    pub hashtags: Vec<Performance>,
    /// Hashtags whose posts did better than the account's median (for the composer).
    pub suggested_hashtags: Vec<Performance>,
    /// Hashtags none of whose posts reached the account's median.
    pub weak_hashtags: Vec<Performance>,
    pub not_enough: Option<NotEnough>,
}

/// Posts sharing a format or a hashtag, against the account's median.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Performance {
    /// `IMAGE`, `CAROUSEL_ALBUM`, `REELS` (formats) or the hashtag with its `#`.
    pub label: String,
    pub posts: u32,
    pub median_reach: Option<i64>,
    pub median_saves: Option<i64>,
    pub median_shares: Option<i64>,
    pub median_interactions: Option<i64>,
    /// The median of its posts' results against the account's median (1.0 = the median).
    pub lift: f32,
}

/// Who the followers and the engaged audience are.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Audience {
    /// `this_month` (Meta's longest timeframe).
    pub timeframe: String,
    pub followers: Vec<Breakdown>,
    pub engaged: Vec<Breakdown>,
    pub not_enough: Option<NotEnough>,
}

/// One breakdown (age, gender, country or city): Meta's top 45, largest first.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Breakdown {
    pub dimension: String,
    pub entries: Vec<Share>,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Share {
    pub label: String,
    pub value: i64,
}

impl Breakdown {
    pub fn total(&self) -> i64 {
        self.entries.iter().map(|e| e.value).sum()
    }
}

impl Performance {
    /// "1.6×" — how a figure compares with the median.
    pub fn lift_label(&self) -> String {
        format!("{:.1}×", self.lift)
    }
}

impl SuggestedTime {
    /// "Tuesday 19:00".
    pub fn label(&self) -> String {
        format!("{} {:02}:00", WEEKDAYS.get(self.weekday as usize).unwrap_or(&""), self.hour)
    }

    /// The evidence in a sentence: "38 % of your followers online, your posts at that hour
    /// reached 1.6× your median, from 12 posts".
    pub fn evidence(&self) -> String {
        let online = format!("{:.0} % of your followers online", self.online_percent);
        match self.lift {
            Some(lift) => format!("{online}, your posts at that hour reached {lift:.1}× your median, from {} posts", self.posts),
            None if self.posts == 0 => format!("{online}; none of your posts went out at that hour yet"),
            None => format!("{online}; {} of your posts went out at that hour, too few to compare", self.posts),
        }
    }
}

impl NotEnough {
    pub fn message(&self) -> String {
        match self {
            NotEnough::OnlineDays { have, need } => {
                format!("Instagram has reported {have} day(s) of when your followers are online; suggestions start at {need}.")
            }
            NotEnough::Posts { have, need } => format!("{have} of your posts have figures; comparisons start at {need}."),
            NotEnough::Followers { have, need } => format!("Instagram shows these figures from {need} followers on; the account has {have}."),
        }
    }
}
