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
    /// A wall-clock time skipped when the clocks move forward (`date` YYYY-MM-DD, `time` HH:MM).
    SkippedTime {
        date: String,
        time: String,
        zone: String,
    },
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

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
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
            Problem::UnknownTimeZone { zone } => write!(f, "“{zone}” is not a time zone Crealia knows."),
            Problem::SkippedTime { date, time, zone } => {
                write!(f, "{date} {time} does not exist in {zone} (the clocks move forward then). Choose another time.")
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
