//! Posts as the composer, the lists and the calendar show them.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PostKind {
    Image,
    Carousel,
    Reel,
    Story,
}

impl PostKind {
    pub const ALL: [PostKind; 4] = [PostKind::Image, PostKind::Carousel, PostKind::Reel, PostKind::Story];

    pub fn as_str(self) -> &'static str {
        match self {
            PostKind::Image => "image",
            PostKind::Carousel => "carousel",
            PostKind::Reel => "reel",
            PostKind::Story => "story",
        }
    }

    pub fn parse(s: &str) -> Option<PostKind> {
        PostKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            PostKind::Image => "Image",
            PostKind::Carousel => "Carousel",
            PostKind::Reel => "Reel",
            PostKind::Story => "Story",
        }
    }

    /// Alt text is for images (single, carousel items and image stories are not given it by Meta).
    pub fn takes_alt_text(self) -> bool {
        matches!(self, PostKind::Image | PostKind::Carousel)
    }

    /// Stories have no caption on Instagram.
    pub fn takes_caption(self) -> bool {
        self != PostKind::Story
    }
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum PostStatus {
    /// Kept without a time; checked against Meta's rules when scheduled.
    Draft,
    Pending,
    Publishing,
    Published,
    Failed,
    Cancelled,
}

impl PostStatus {
    pub const ALL: [PostStatus; 6] =
        [PostStatus::Draft, PostStatus::Pending, PostStatus::Publishing, PostStatus::Published, PostStatus::Failed, PostStatus::Cancelled];

    pub fn as_str(self) -> &'static str {
        match self {
            PostStatus::Draft => "DRAFT",
            PostStatus::Pending => "PENDING",
            PostStatus::Publishing => "PUBLISHING",
            PostStatus::Published => "PUBLISHED",
            PostStatus::Failed => "FAILED",
            PostStatus::Cancelled => "CANCELLED",
        }
    }

    pub fn parse(s: &str) -> Option<PostStatus> {
        PostStatus::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// Still on its way: the page keeps watching it.
    pub fn is_open(self) -> bool {
        matches!(self, PostStatus::Pending | PostStatus::Publishing)
    }

    /// The creator may still change or cancel it.
    pub fn is_editable(self) -> bool {
        matches!(self, PostStatus::Pending | PostStatus::Draft)
    }
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ScheduledPost {
    pub id: i64,
    pub connection_id: i64,
    pub username: String,
    pub kind: PostKind,
    pub caption: String,
    pub alt_text: Option<String>,
    pub first_comment: Option<String>,
    pub media_urls: Vec<String>,
    pub scheduled_at: DateTime<Utc>,
    pub status: PostStatus,
    /// Instagram's id once published (unknown when a crash hid it; the post is still published).
    pub media_id: Option<String>,
    pub published_at: Option<DateTime<Utc>>,
    /// What went wrong or why it waits, in words a creator understands.
    pub last_error: Option<String>,
    /// The same as data, said in the creator's language by the pages (none on posts from before
    /// notes were kept: they show `last_error`).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub note: Option<crate::post_note::PostNote>,
    /// The Graph API's `code/subcode`, for support.
    pub error_code: Option<String>,
}

/// What a creator uploaded, ready to be used in a post.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MediaAsset {
    pub id: i64,
    /// Public, unguessable: Instagram fetches it from here.
    pub url: String,
    /// `image` or `video`.
    pub kind: String,
    pub width: Option<u32>,
    pub height: Option<u32>,
    pub bytes: u64,
    /// `png` or `webp` when Crealia converted it to JPEG.
    pub converted_from: Option<String>,
    /// A video's length, read from its container.
    #[serde(default)]
    pub duration_ms: Option<u64>,
    /// Why Instagram would refuse it as a feed image (its shape), with what can be done.
    pub problem: Option<String>,
}

/// A creator's cancel can be undone for this long (seconds).
pub const UNDO_SECS: u64 = 10;

/// The shapes an image can be padded or cropped to.
pub const FRAMES: [(&str, u32, u32); 3] = [("4:5", 4, 5), ("1:1", 1, 1), ("1.91:1", 191, 100)];

/// A post in a list, with its time on the creator's wall clock. Equal and hashed by everything
/// shown, so a list keyed by items redraws only the rows that changed.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct PostItem {
    pub post: ScheduledPost,
    /// e.g. "Tue 24 Nov 2026, 14:05".
    pub when: String,
    /// The same wall-clock time for the edit form: "2026-11-24" and "14:05".
    pub date: String,
    pub time: String,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PostList {
    pub time_zone: String,
    pub posts: Vec<PostItem>,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CalendarView {
    Week,
    Month,
}

impl CalendarView {
    pub fn as_str(self) -> &'static str {
        match self {
            CalendarView::Week => "week",
            CalendarView::Month => "month",
        }
    }
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CalendarEntry {
    pub id: i64,
    /// "14:05" on the creator's wall clock.
    pub time: String,
    pub username: String,
    pub kind: PostKind,
    pub status: PostStatus,
    pub caption: String,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CalendarDay {
    pub date: chrono::NaiveDate,
    /// False for the leading and trailing days of a month grid.
    pub in_range: bool,
    pub is_today: bool,
    pub posts: Vec<CalendarEntry>,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Calendar {
    pub view: CalendarView,
    /// "November 2026" or "23 – 29 Nov 2026".
    pub title: String,
    pub time_zone: String,
    pub prev: chrono::NaiveDate,
    pub next: chrono::NaiveDate,
    /// Whole weeks, Monday first.
    pub days: Vec<CalendarDay>,
}

impl TryFrom<String> for PostKind {
    type Error = String;

    /// A stored kind; an unknown one is an error, never a guess.
    fn try_from(s: String) -> Result<Self, String> {
        PostKind::parse(&s).ok_or_else(|| format!("unknown post kind `{s}`"))
    }
}

impl TryFrom<String> for PostStatus {
    type Error = String;

    /// A stored status; an unknown one is an error, never a guess.
    fn try_from(s: String) -> Result<Self, String> {
        PostStatus::parse(&s).ok_or_else(|| format!("unknown post status `{s}`"))
    }
}
