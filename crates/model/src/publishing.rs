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
    #[serde(deserialize_with = "crate::dates::rfc3339")]
    pub scheduled_at: DateTime<Utc>,
    pub status: PostStatus,
    /// Instagram's id once published (unknown when a crash hid it; the post is still published).
    pub media_id: Option<String>,
    #[serde(default, deserialize_with = "crate::dates::rfc3339_or_none")]
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
    /// Collaborators, people tagged, a place, a reel's cover and sound.
    #[serde(default)]
    pub options: PostOptions,
}

/// A person tagged on one of a post's images (or on a reel): where, in thousandths of the
/// picture's width and height from its top left, as the creator clicked it.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct PersonTag {
    /// Which of the post's files (0 for the first).
    #[serde(default)]
    pub item: u8,
    pub username: String,
    pub x: u16,
    pub y: u16,
}

/// A place (a Facebook Page with a location), found by name or typed as its id.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Place {
    pub id: String,
    #[serde(default)]
    pub name: String,
}

/// Everything Instagram's publishing API takes beyond a post's files and words. Each is
/// checked against Meta's rules (`crealia_graph::rules`) before the post is kept.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(default)]
pub struct PostOptions {
    /// Up to 3 usernames invited to co-author (feed posts and reels).
    pub collaborators: Vec<String>,
    /// People tagged on images (and reels), up to 20 per file.
    pub tags: Vec<PersonTag>,
    pub place: Option<Place>,
    /// Reels: also shown in the feed (Instagram's default when not said).
    pub share_to_feed: Option<bool>,
    /// Reels: an uploaded image as the cover (it takes precedence over `thumb_offset_ms`).
    pub cover_media_id: Option<i64>,
    /// Set by Crealia from `cover_media_id` (a value sent is replaced).
    pub cover_url: Option<String>,
    /// Reels: the frame shown as the cover, in milliseconds from the start.
    pub thumb_offset_ms: Option<u64>,
    /// Reels: the name given to its original sound.
    pub audio_name: Option<String>,
    /// Reels: a trial reel, shown to non-followers first, and how it reaches followers.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, example = "MANUAL"))]
    pub trial: Option<crealia_graph::rules::TrialGraduation>,
}

/// A file uploaded with a bulk CSV: the name the CSV uses, and the upload it became.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BulkFile {
    pub name: String,
    pub media_id: i64,
}

/// A line of a bulk file as it will be queued.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BulkLine {
    /// Its number in the file (the column names are line 1).
    pub line: u32,
    pub kind: PostKind,
    /// The wall-clock date and time ("2026-11-24", "14:05") in `time_zone`.
    pub date: String,
    pub time: String,
    pub time_zone: String,
    pub caption: String,
    pub files: Vec<String>,
}

/// A line of a bulk file refused, and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BulkRefusal {
    pub line: u32,
    pub problem: crate::problem::Problem,
}

/// A bulk file read and checked: the posts it would queue, the lines refused.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BulkCheck {
    pub posts: Vec<BulkLine>,
    pub refused: Vec<BulkRefusal>,
}

/// What a post's options are checked against: each file's kind and a video's length.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FileFacts {
    pub video: bool,
    pub duration_ms: Option<u64>,
}

impl PostOptions {
    pub fn is_empty(&self) -> bool {
        self == &PostOptions::default()
    }

    /// These options without those a container like `target` does not take (set for one kind
    /// of post before the creator chose another).
    pub fn kept_for(&self, target: crealia_graph::rules::Target) -> PostOptions {
        use crealia_graph::rules::Param;
        let takes = |p: Param| p.allowed_on(target);
        let reel = takes(Param::ShareToFeed);
        PostOptions {
            collaborators: if takes(Param::Collaborators) { self.collaborators.clone() } else { Vec::new() },
            tags: self.tags.clone(),
            place: self.place.clone().filter(|_| takes(Param::LocationId)),
            share_to_feed: self.share_to_feed.filter(|_| reel),
            cover_media_id: self.cover_media_id.filter(|_| reel),
            cover_url: None,
            thumb_offset_ms: self.thumb_offset_ms.filter(|_| reel),
            audio_name: self.audio_name.clone().filter(|_| reel),
            trial: self.trial.filter(|_| reel),
        }
    }

    /// What Meta would refuse in these options on a post of `kind` made of `files`.
    pub fn problem(&self, kind: PostKind, files: &[FileFacts]) -> Option<crealia_graph::rules::ParamProblem> {
        use crealia_graph::rules::{self as rules, Param, ParamProblem, Target};
        let first_video = files.first().is_some_and(|f| f.video);
        let target = match kind {
            PostKind::Image => Target::Image,
            PostKind::Carousel => Target::Carousel,
            PostKind::Reel => Target::Reel,
            PostKind::Story => Target::Story { video: first_video },
        };
        let used = [
            (Param::Collaborators, !self.collaborators.is_empty()),
            (Param::LocationId, self.place.is_some()),
            (Param::ShareToFeed, self.share_to_feed.is_some()),
            (Param::CoverUrl, self.cover_media_id.is_some()),
            (Param::ThumbOffset, self.thumb_offset_ms.is_some()),
            (Param::AudioName, self.audio_name.as_deref().is_some_and(|a| !a.trim().is_empty())),
            (Param::TrialParams, self.trial.is_some()),
        ];
        if let Some((param, _)) = used.iter().find(|(param, used)| *used && !param.allowed_on(target)) {
            return Some(ParamProblem::NotForKind { param: *param });
        }
        if let Some(problem) = rules::collaborators_problem(&self.collaborators) {
            return Some(problem);
        }
        if self.place.as_ref().is_some_and(|p| !rules::location_id_ok(&p.id)) {
            return Some(ParamProblem::LocationId);
        }
        if let (Some(offset), Some(length)) = (self.thumb_offset_ms, files.first().and_then(|f| f.duration_ms)) {
            if let Some(problem) = rules::thumb_offset_problem(offset, length) {
                return Some(problem);
            }
        }
        if let Some(problem) = self.audio_name.as_deref().and_then(rules::audio_name_problem) {
            return Some(problem);
        }
        for (i, file) in files.iter().enumerate() {
            let on_file: Vec<&PersonTag> = self.tags.iter().filter(|t| t.item as usize == i).collect();
            if on_file.is_empty() {
                continue;
            }
            let file_target = if kind == PostKind::Carousel { Target::CarouselItem { video: file.video } } else { target };
            if !Param::UserTags.allowed_on(file_target) {
                return Some(ParamProblem::NotForKind { param: Param::UserTags });
            }
            let placed = on_file.iter().map(|t| (t.username.as_str(), t.x as f64 / 1000.0, t.y as f64 / 1000.0));
            if let Some(problem) = rules::user_tags_problem(placed.collect::<Vec<_>>().into_iter()) {
                return Some(problem);
            }
        }
        // A tag on a file the post does not have is not on the picture.
        if self.tags.iter().any(|t| t.item as usize >= files.len()) {
            return Some(ParamProblem::TagOutside);
        }
        None
    }

    /// The tags on file `item`, as Meta's `user_tags` (x and y from 0 to 1).
    pub fn user_tags_of(&self, item: usize) -> Option<String> {
        let tags: Vec<serde_json::Value> = self
            .tags
            .iter()
            .filter(|t| t.item as usize == item)
            .map(|t| serde_json::json!({ "username": t.username.trim_start_matches('@'), "x": t.x as f64 / 1000.0, "y": t.y as f64 / 1000.0 }))
            .collect();
        (!tags.is_empty()).then(|| serde_json::Value::Array(tags).to_string())
    }
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

/// One upload in the media library.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LibraryItem {
    pub asset: MediaAsset,
    /// "2026-11-24".
    pub uploaded_at: String,
    /// Posts (of any status) that use it: it can be deleted at 0.
    pub used_in: u32,
}

/// A creator's uploads and their storage against the quota.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MediaLibrary {
    pub items: Vec<LibraryItem>,
    pub used_bytes: u64,
    pub quota_bytes: u64,
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

/// A post as a row of the control room shows it, and nothing more: the page's server render
/// carries this to the browser for every post it shows (a whole [`PostItem`], with its media,
/// options and dates as text, was about three times the size).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueuedItem {
    pub id: i64,
    pub username: String,
    pub kind: PostKind,
    pub status: PostStatus,
    /// When it is due, in milliseconds since the Unix epoch (where its countdown ends).
    pub due_ms: i64,
    /// Its time on the creator's wall clock: "2026-11-24" and "14:05".
    pub date: String,
    pub time: String,
    /// The caption's first [`QueuedItem::EXCERPT`] characters.
    pub excerpt: String,
    /// Why it failed or what it waits for (see [`ScheduledPost::note`] and `last_error`).
    pub note: Option<crate::post_note::PostNote>,
    pub last_error: Option<String>,
}

impl QueuedItem {
    /// How much of a caption a row shows (characters).
    pub const EXCERPT: usize = 90;
}

impl From<PostItem> for QueuedItem {
    fn from(item: PostItem) -> Self {
        let PostItem { post, date, time, .. } = item;
        QueuedItem {
            id: post.id,
            excerpt: post.caption.chars().take(Self::EXCERPT).collect(),
            username: post.username,
            kind: post.kind,
            status: post.status,
            due_ms: post.scheduled_at.timestamp_millis(),
            date,
            time,
            note: post.note,
            last_error: post.last_error,
        }
    }
}

/// The control room's posts: the next ones, those waiting for Instagram, the failed ones.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Outlook {
    pub time_zone: String,
    pub posts: Vec<QueuedItem>,
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
    /// Before today on the creator's wall clock: nothing can be scheduled there.
    #[serde(default)]
    pub is_past: bool,
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
