//! What Crealia refuses in a creator's request, as data: the services return it, the pages say
//! it in the creator's language (`app/locales/*/problems.json`), and its `Display` is the
//! English sentence the JSON API answers with.

use serde::{Deserialize, Serialize};

use crate::publishing::PostStatus;

/// Which text of a post a limit is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PostText {
    Caption,
    FirstComment,
}

/// Which of Meta's text limits.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TextLimit {
    Characters,
    Hashtags,
    Mentions,
}

/// What a refused change to a post was.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PostChange {
    Cancel,
    Retry,
    /// A draft given its time.
    Schedule,
}

/// Why a video file cannot be used.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VideoFault {
    NotIsoMedia,
    Damaged,
    NoMovieHeader,
    NoVideoTrack,
    HeaderTooLarge,
    Unreadable,
}

impl std::fmt::Display for VideoFault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            VideoFault::NotIsoMedia => "it is not an MP4 or MOV file",
            VideoFault::Damaged => "it is cut off or damaged (a part of it does not fit the file)",
            VideoFault::NoMovieHeader => "it has no movie header (is it still being exported?)",
            VideoFault::NoVideoTrack => "it has no video track",
            VideoFault::HeaderTooLarge => "its header is too large to read",
            VideoFault::Unreadable => "it could not be read",
        })
    }
}

impl From<&crealia_graph::video::VideoError> for VideoFault {
    fn from(e: &crealia_graph::video::VideoError) -> VideoFault {
        use crealia_graph::video::VideoError;
        match e {
            VideoError::NotIsoMedia => VideoFault::NotIsoMedia,
            VideoError::Damaged => VideoFault::Damaged,
            VideoError::NoMovieHeader => VideoFault::NoMovieHeader,
            VideoError::NoVideoTrack => VideoFault::NoVideoTrack,
            VideoError::TooLarge => VideoFault::HeaderTooLarge,
            VideoError::Io => VideoFault::Unreadable,
        }
    }
}

/// "5,000": digits in groups of three, as the English refusals write counts.
fn grouped(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// "12.3 MB": a file's size as the refusals say it.
pub fn megabytes(bytes: u64) -> f64 {
    bytes as f64 / (1024.0 * 1024.0)
}

/// "Item 2 of the post" / "The media file".
struct Which(Option<usize>);

impl std::fmt::Display for Which {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.0 {
            Some(n) => write!(f, "Item {n} of the post"),
            None => f.write_str("The media file"),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum Problem {
    /// A caption or first comment over one of Meta's limits.
    TextOverLimit {
        text: PostText,
        limit: TextLimit,
        found: usize,
        allowed: usize,
    },
    StoryCaption,
    StoryComment,
    /// One of Instagram's other publishing parameters (collaborators, tags, a place, a reel's
    /// cover or sound) as Meta would refuse it.
    Param(crealia_graph::rules::ParamProblem),
    /// A reel's cover is an uploaded image.
    CoverNotImage,
    /// A creator's posts to come are at their limit.
    TooManyPending {
        max: usize,
    },
    /// Instagram did not answer a place search (Meta offers it to some apps only).
    PlaceSearchUnavailable,
    /// An upload still used by posts cannot be deleted.
    MediaInUse {
        posts: u32,
    },
    /// Bulk scheduling: the file as a whole, then one of its lines.
    BulkTooLarge {
        max_kb: usize,
    },
    BulkTooManyLines {
        max: usize,
    },
    BulkColumn {
        name: String,
    },
    BulkEmpty,
    BulkNotCsv,
    BulkDate {
        value: String,
    },
    BulkTime {
        value: String,
    },
    BulkFileUnknown {
        name: String,
    },
    BulkKind {
        value: String,
    },
    /// Some lines are refused: nothing is scheduled.
    BulkRefused {
        lines: usize,
    },
    CarouselSize {
        found: usize,
    },
    OneMediaFile,
    ImageNeedsImage,
    ReelNeedsVideo,
    AltTextTooLong {
        allowed: usize,
    },
    AltTextNotForKind,
    NoAccountChosen,
    /// `publish_now`: the composer offers to publish now instead.
    TimePassed {
        publish_now: bool,
    },
    UndoExpired {
        seconds: u64,
    },
    AlreadyPublished,
    NotEditable {
        status: PostStatus,
    },
    BeingPublished,
    WrongStatus {
        status: PostStatus,
        change: PostChange,
    },
    UnknownTimeZone {
        zone: String,
    },
    TooManyDrafts {
        max: usize,
    },
    /// A wall-clock time skipped when the clocks move forward (`date` YYYY-MM-DD, `time` HH:MM).
    SkippedTime {
        date: String,
        time: String,
        zone: String,
    },

    // Uploads and media files.
    /// Neither JPEG, PNG, WebP, MP4 nor MOV.
    NotMedia,
    NotAnImage,
    ImageUnreadable,
    /// Over `megapixels` or `side` pixels a side.
    ImageTooManyPixels {
        width: u32,
        height: u32,
        megapixels: u64,
        side: u32,
    },
    /// Far too narrow or too wide for Instagram.
    ImageTooExtreme {
        width: u32,
        height: u32,
    },
    VideoUnusable {
        fault: VideoFault,
    },
    /// Over Instagram's 8 MB (`as_jpeg` once Crealia made it a JPEG).
    ImageFileTooLarge {
        bytes: u64,
        as_jpeg: bool,
    },
    /// The creator's uploads fill their quota.
    StorageFull {
        used: u64,
        quota: u64,
    },
    FileEmpty,
    /// Over what one upload may be.
    FileTooLarge {
        megabytes: u64,
    },
    UploadTooSlow,
    UploadInterrupted,
    /// The server is restarting.
    UploadRestarting,
    UploadNotStored,
    FrameUnknown,
    OnlyImagesReframed,
    /// Padding would make a picture too large to send.
    PaddedTooLarge {
        width: u32,
        height: u32,
        frame: String,
        new_width: u64,
        new_height: u64,
    },
    /// A post's file (`item`, 1-based, when the post has several) was deleted.
    MediaGone {
        item: Option<usize>,
    },
    /// A reel was given an image.
    ReelGotImage,
    MediaTooLarge {
        item: Option<usize>,
        bytes: u64,
    },
    /// An image outside the feed's 4:5 to 1.91:1.
    ImageShape {
        item: Option<usize>,
        width: u32,
        height: u32,
    },
    /// A video too short or too long (`tenths` of a second) for a reel or for a story/carousel.
    VideoLength {
        item: Option<usize>,
        tenths: u64,
        reel: bool,
    },

    // Accounts and API tokens.
    EmailInvalid,
    PasswordTooShort {
        min: usize,
    },
    /// Sign-up refused for an email, taken or not (the same words either way).
    EmailUnavailable,
    TokenName,
    TokenNoScope,
    TooManyTokens {
        max: usize,
    },

    // Saved snippets.
    SnippetName {
        max: usize,
    },
    SnippetEmpty,
    /// A hashtag group with a word that is not a hashtag.
    NotHashtags,
    TooManySnippets {
        max: usize,
    },

    // The inbox.
    ReplyEmpty,
    ReplyTooLong {
        max: usize,
    },
    SenderUnknown,
    CommentGone,
    MessageWindowClosed,
    SenderGone,

    // Pages.
    YearOutOfRange {
        from: i32,
        to: i32,
    },
    RangeNotOffered,
}

impl Problem {
    /// Meta's limit a caption or first comment is over, if any (`crealia_graph::rules`): the
    /// server refuses with it, and the composer says it as the creator types.
    pub fn text_over_limit(text: PostText, value: &str) -> Option<Problem> {
        use crealia_graph::rules::TextProblem;
        let problem = TextProblem::of(value)?;
        let (limit, found) = match problem {
            TextProblem::Characters(n) => (TextLimit::Characters, n),
            TextProblem::Hashtags(n) => (TextLimit::Hashtags, n),
            TextProblem::Mentions(n) => (TextLimit::Mentions, n),
        };
        Some(Problem::TextOverLimit { text, limit, found, allowed: problem.allowed() })
    }
}

/// A publishing parameter as the refusals name it.
pub fn param_name(param: crealia_graph::rules::Param) -> &'static str {
    use crealia_graph::rules::Param;
    match param {
        Param::Collaborators => "Collaborators",
        Param::UserTags => "Tagged people",
        Param::LocationId => "A place",
        Param::ShareToFeed => "Sharing to the feed",
        Param::CoverUrl => "A cover image",
        Param::ThumbOffset => "A cover frame",
        Param::AudioName => "An audio name",
        Param::TrialParams => "A trial",
    }
}

impl std::fmt::Display for crate::problem::ParamDisplay<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        use crealia_graph::rules::{Param, ParamProblem, MAX_AUDIO_NAME_CHARS, MAX_COLLABORATORS, MAX_USER_TAGS};
        match self.0 {
            ParamProblem::NotForKind { param } => {
                let on = match param {
                    Param::Collaborators | Param::LocationId => "feed posts and reels",
                    Param::UserTags => "images and reels",
                    _ => "reels",
                };
                write!(f, "{} can only be added to {on}.", param_name(*param))
            }
            ParamProblem::TooManyCollaborators { found } => write!(f, "A post can have {MAX_COLLABORATORS} collaborators at most; this one has {found}."),
            ParamProblem::Username { name } => write!(f, "“{name}” is not an Instagram username (letters, digits, periods and underscores, 30 at most)."),
            ParamProblem::TooManyTags { found } => write!(f, "A picture can have {MAX_USER_TAGS} people tagged at most; this one has {found}."),
            ParamProblem::TagOutside => f.write_str("A tag is outside the picture: click on the picture to place it."),
            ParamProblem::ThumbOffset { offset_ms, length_ms } => {
                write!(f, "The cover frame at {:.1} s is past the end of the video ({:.1} s).", *offset_ms as f64 / 1000.0, *length_ms as f64 / 1000.0)
            }
            ParamProblem::AudioName { found } => write!(f, "The audio name has {found} characters; {MAX_AUDIO_NAME_CHARS} at most."),
            ParamProblem::LocationId => f.write_str("A place is given by its number (a Facebook Page id): search for it by name instead."),
        }
    }
}

/// [`ParamProblem`](crealia_graph::rules::ParamProblem) said in English.
pub struct ParamDisplay<'a>(pub &'a crealia_graph::rules::ParamProblem);

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Problem::Param(p) => ParamDisplay(p).fmt(f),
            Problem::CoverNotImage => f.write_str("A reel's cover is an image: choose one of your uploaded images."),
            Problem::TooManyPending { max } => {
                write!(f, "You have {} posts to come, the most Crealia keeps: let some go out, or cancel some, first.", grouped(*max))
            }
            Problem::PlaceSearchUnavailable => f.write_str("Instagram did not answer the place search: type the place's Page id instead, or try again later."),
            Problem::MediaInUse { posts } => write!(f, "This file is used by {posts} posts: it stays as long as they do."),
            Problem::BulkTooLarge { max_kb } => write!(f, "The file is larger than {max_kb} KB: split it in two."),
            Problem::BulkTooManyLines { max } => write!(f, "The file has more than {max} posts: split it in two."),
            Problem::BulkColumn { name } => write!(f, "The file has no “{name}” column: its first line names the columns (date, time, caption, media)."),
            Problem::BulkEmpty => f.write_str("The file has no posts: one line per post after the line of column names."),
            Problem::BulkNotCsv => f.write_str("This line cannot be read as CSV (a quote left open?)."),
            Problem::BulkDate { value } => write!(f, "“{value}” is not a date: write it as 2026-11-24."),
            Problem::BulkTime { value } => write!(f, "“{value}” is not a time: write it as 14:05."),
            Problem::BulkFileUnknown { name } => write!(f, "“{name}” is not among the files added with the CSV."),
            Problem::BulkKind { value } => write!(f, "“{value}” is not a kind of post: image, carousel, reel or story."),
            Problem::BulkRefused { lines } => write!(f, "{lines} lines are refused: correct them, nothing was scheduled."),
            Problem::TextOverLimit { text, limit, found, allowed } => {
                let what = match text {
                    PostText::Caption => "The caption",
                    PostText::FirstComment => "The first comment",
                };
                match limit {
                    TextLimit::Characters => write!(f, "{what} has {found} characters; Instagram allows {allowed}."),
                    TextLimit::Hashtags => write!(f, "{what} has {found} hashtags; Instagram allows {allowed}."),
                    TextLimit::Mentions => write!(f, "{what} mentions {found} accounts; Instagram allows {allowed}."),
                }
            }
            Problem::StoryCaption => f.write_str("Stories have no caption on Instagram: leave it empty."),
            Problem::StoryComment => f.write_str("Stories cannot have comments."),
            Problem::CarouselSize { found } => write!(f, "A carousel needs 2 to 10 images or videos; this one has {found}."),
            Problem::OneMediaFile => f.write_str("Choose exactly one image or video for this kind of post."),
            Problem::ImageNeedsImage => f.write_str("An image post needs an image; for a video choose Reel."),
            Problem::ReelNeedsVideo => f.write_str("A reel needs an MP4 or MOV video."),
            Problem::AltTextTooLong { allowed } => write!(f, "Alt text can have at most {allowed} characters."),
            Problem::AltTextNotForKind => f.write_str("Alt text is for image and carousel posts only."),
            Problem::NoAccountChosen => f.write_str("Choose at least one account to publish to."),
            Problem::TimePassed { publish_now: true } => f.write_str("That time has already passed. Choose a later time, or publish now."),
            Problem::TimePassed { publish_now: false } => f.write_str("That time has already passed. Choose a later time."),
            Problem::UndoExpired { seconds } => write!(f, "This cancel can no longer be undone (only within {seconds} seconds). Schedule the post again."),
            Problem::AlreadyPublished => f.write_str("This post had already gone out on Instagram; it now shows as published."),
            Problem::NotEditable { status } => write!(f, "This post is {} and can no longer be changed.", status.as_str().to_lowercase()),
            Problem::BeingPublished => f.write_str("This post is being published right now and can no longer be changed."),
            Problem::WrongStatus { status, change: PostChange::Cancel } => {
                write!(f, "This post is {} and cannot be cancelled.", status.as_str().to_lowercase())
            }
            Problem::WrongStatus { status, change: PostChange::Retry } => {
                write!(f, "This post is {} and cannot be retried (only failed posts can be).", status.as_str().to_lowercase())
            }
            Problem::WrongStatus { status, change: PostChange::Schedule } => {
                write!(f, "This post is {} and is not a draft to schedule.", status.as_str().to_lowercase())
            }
            Problem::TooManyDrafts { max } => write!(f, "You keep {max} drafts already: schedule or cancel one first."),
            Problem::UnknownTimeZone { zone } => write!(f, "“{zone}” is not a time zone Crealia knows."),
            Problem::SkippedTime { date, time, zone } => {
                write!(f, "{date} {time} does not exist in {zone} (the clocks move forward then). Choose another time.")
            }
            Problem::NotMedia => f.write_str("Crealia takes JPEG, PNG or WebP images and MP4 or MOV videos."),
            Problem::NotAnImage => f.write_str("This file is not an image Crealia can read."),
            Problem::ImageUnreadable => f.write_str("This image cannot be read. Export it again as JPEG or PNG."),
            Problem::ImageTooManyPixels { width, height, megapixels, side } => write!(
                f,
                "This image is {width}×{height} pixels; Crealia takes up to {megapixels} megapixels and {side} pixels a side. Export it smaller (Instagram shows at most 1440 pixels wide)."
            ),
            Problem::ImageTooExtreme { width, height } => write!(
                f,
                "This image is {width}×{height}: far too narrow or too wide for Instagram. Crop it closer to 4:5, 1:1 or 1.91:1 and upload it again."
            ),
            Problem::VideoUnusable { fault } => write!(f, "This video cannot be used: {fault}. Export it again as MP4 (H.264) and upload it."),
            Problem::ImageFileTooLarge { bytes, as_jpeg } => write!(
                f,
                "This image is {:.1} MB{}; Instagram takes at most 8 MB. Export it smaller and try again.",
                megabytes(*bytes),
                if *as_jpeg { " as JPEG" } else { "" }
            ),
            Problem::StorageFull { used, quota } => write!(
                f,
                "Your uploads take {:.1} MB of the {:.1} MB Crealia keeps for you. Uploads no post uses are deleted after a week; try again then, or ask support for more room.",
                megabytes(*used),
                megabytes(*quota)
            ),
            Problem::FileEmpty => f.write_str("The file is empty. Choose an image or a video."),
            Problem::FileTooLarge { megabytes } => write!(f, "The file is larger than the {megabytes} MB Crealia accepts."),
            Problem::UploadTooSlow => f.write_str("The upload was too slow and was stopped. Check your connection and try again."),
            Problem::UploadInterrupted => f.write_str("The upload was interrupted. Try again."),
            Problem::UploadRestarting => f.write_str("Crealia is restarting. Try the upload again in a moment."),
            Problem::UploadNotStored => f.write_str("Crealia could not store the file. Try again."),
            Problem::FrameUnknown => f.write_str("Choose 4:5, 1:1 or 1.91:1."),
            Problem::OnlyImagesReframed => f.write_str("Only images can be padded or cropped."),
            Problem::PaddedTooLarge { width, height, frame, new_width, new_height } => write!(
                f,
                "Padding this {width}×{height} image to {frame} would make a {new_width}×{new_height} picture, too large to send. Crop it instead."
            ),
            Problem::MediaGone { item } => write!(f, "{} is no longer available. Upload it again.", Which(*item)),
            Problem::ReelGotImage => f.write_str("A reel needs a video; for an image choose Image."),
            Problem::MediaTooLarge { item, bytes } => write!(f, "{} is {:.1} MB; Instagram takes at most 8 MB.", Which(*item), megabytes(*bytes)),
            Problem::ImageShape { item, width, height } => write!(
                f,
                "{}: this image is {width}×{height} ({:.2}:1); Instagram feed posts need a shape between 4:5 and 1.91:1. Pad or crop it to 4:5, 1:1 or 1.91:1.",
                Which(*item),
                f64::from(*width) / f64::from((*height).max(1))
            ),
            Problem::VideoLength { item, tenths, reel } => write!(
                f,
                "{} lasts {}.{} seconds. {} on Instagram.",
                Which(*item),
                tenths / 10,
                tenths % 10,
                if *reel { "A reel lasts 3 seconds to 15 minutes" } else { "A video in a story or a carousel lasts 3 to 60 seconds" }
            ),
            Problem::EmailInvalid => f.write_str("Enter an email address such as you@example.com."),
            Problem::PasswordTooShort { min } => write!(f, "Choose a password of at least {min} characters."),
            Problem::EmailUnavailable => f.write_str(
                "Crealia could not create an account with this email. If you already have one, sign in (or reset it with support); otherwise check the address.",
            ),
            Problem::TokenName => f.write_str("Give the token a name of 1 to 60 characters, such as the tool that will use it."),
            Problem::TokenNoScope => f.write_str("Choose at least one thing the token may do."),
            Problem::TooManyTokens { max } => write!(f, "You have {max} tokens already: revoke one you no longer use first."),
            Problem::SnippetName { max } => write!(f, "Give it a name of 1 to {max} characters."),
            Problem::SnippetEmpty => f.write_str("Write the words to keep first."),
            Problem::NotHashtags => f.write_str("A hashtag group holds hashtags only, such as #fika #coffee."),
            Problem::TooManySnippets { max } => write!(f, "You keep {max} of these already: delete one you no longer use first."),
            Problem::ReplyEmpty => f.write_str("Write a reply first."),
            Problem::ReplyTooLong { max } => write!(f, "A reply can have at most {max} characters."),
            Problem::SenderUnknown => f.write_str("Instagram did not say who sent this message."),
            Problem::CommentGone => f.write_str("Instagram says this comment no longer exists."),
            Problem::MessageWindowClosed => f.write_str("Instagram lets you answer a message only within 24 hours of it. Reply in the Instagram app."),
            Problem::SenderGone => f.write_str("Instagram no longer knows who sent this message."),
            Problem::YearOutOfRange { from, to } => write!(f, "Pick a date between the years {from} and {to}."),
            Problem::RangeNotOffered => {
                let [a, b, c] = crate::RANGES;
                write!(f, "Choose a range of {a}, {b} or {c} days.")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_problem_travels_as_a_code_with_its_figures() {
        let p = Problem::TextOverLimit { text: PostText::FirstComment, limit: TextLimit::Hashtags, found: 31, allowed: 30 };
        let json = serde_json::to_value(&p).unwrap();
        assert_eq!(json, serde_json::json!({"code": "text_over_limit", "text": "first_comment", "limit": "hashtags", "found": 31, "allowed": 30}));
        assert_eq!(serde_json::from_value::<Problem>(json).unwrap(), p);
        assert_eq!(p.to_string(), "The first comment has 31 hashtags; Instagram allows 30.");
        let tags: String = (0..31).map(|i| format!("#t{i} ")).collect();
        assert_eq!(Problem::text_over_limit(PostText::FirstComment, &tags), Some(p));
        assert_eq!(Problem::text_over_limit(PostText::Caption, "Fresh #fika @ana"), None);
    }
}
