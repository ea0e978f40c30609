//! What happened to a post on its way out, as data: the scheduler stores it beside the English
//! sentence (`scheduled_posts.note`, `last_error`), and the pages say it in the creator's
//! language (`app/locales/*/problems.json`). `Display` is that English sentence.

use crealia_graph::failure::Failure;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum PostNote {
    /// The Graph API refused or failed; `retrying` when the scheduler tries again.
    Instagram { failure: Failure, retrying: bool },
    /// Crealia's own temporary failure (retried).
    OurSide,
    /// The account's access is gone.
    NeedsReconnect,
    /// Cancelled: its account was disconnected before it went out.
    Disconnected,
    /// Its account was disconnected while Instagram could not say whether it went out.
    DisconnectedUnsettled,
    /// Waiting for Instagram to process the video.
    Processing,
    /// The container expired; made again.
    UploadExpired,
    /// Instagram could not process the media.
    ProcessingFailed,
    /// Waiting for the 24-hour publishing quota (`total` when Instagram said it).
    QuotaUsed { total: Option<u32> },
    /// Failed after `tries` temporary errors in a row; `last` was the last one.
    GaveUp { last: Option<Box<PostNote>>, tries: u32 },
    /// Failed after waiting `minutes` for what `waited` says.
    WaitedTooLong { waited: Box<PostNote>, minutes: u32 },
    /// Published, but the first comment could not be posted (`failure` when Instagram said why).
    FirstCommentFailed { failure: Option<Failure> },
}

impl std::fmt::Display for PostNote {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PostNote::Instagram { failure, retrying: false } => write!(f, "{failure}"),
            PostNote::Instagram { failure, retrying: true } => write!(f, "{failure} Retrying."),
            PostNote::OurSide => f.write_str("A temporary problem on our side; retrying."),
            PostNote::NeedsReconnect => f.write_str("Instagram no longer accepts this account's access. Reconnect it, then retry."),
            PostNote::Disconnected => f.write_str("Cancelled: its Instagram account was disconnected."),
            PostNote::DisconnectedUnsettled => f.write_str(
                "Its Instagram account was disconnected before Instagram could say whether this post went out. Reconnect the account, then Retry or Cancel it.",
            ),
            PostNote::Processing => f.write_str("Instagram is still processing the video."),
            PostNote::UploadExpired => f.write_str("The upload expired; making it again."),
            PostNote::ProcessingFailed => f.write_str("Instagram could not process the media."),
            PostNote::QuotaUsed { total: Some(total) } => {
                write!(f, "Instagram allows {total} posts a day and they are used; this one goes out as soon as the window allows.")
            }
            PostNote::QuotaUsed { total: None } => {
                f.write_str("Instagram's daily publishing limit is reached; this post goes out as soon as the window allows.")
            }
            PostNote::GaveUp { last: Some(last), tries } => write!(f, "{last} Crealia tried {tries} times; retry when Instagram is back."),
            PostNote::GaveUp { last: None, tries } => write!(f, "Crealia tried {tries} times; retry when Instagram is back."),
            PostNote::WaitedTooLong { waited, minutes } => {
                write!(f, "{waited} Crealia waited {minutes} minutes, longer than Instagram should take; retry later.")
            }
            PostNote::FirstCommentFailed { failure: Some(failure) } => write!(f, "Published, but the first comment could not be posted: {failure}"),
            PostNote::FirstCommentFailed { failure: None } => f.write_str("Published, but the first comment could not be posted."),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_note_travels_as_a_code_and_reads_as_before() {
        let note = PostNote::GaveUp { last: Some(Box::new(PostNote::Instagram { failure: Failure::Temporary, retrying: true })), tries: 8 };
        assert_eq!(note.to_string(), "Instagram had a temporary problem. Retrying. Crealia tried 8 times; retry when Instagram is back.");
        let json = serde_json::to_value(&note).unwrap();
        assert_eq!(json["code"], "gave_up");
        assert_eq!(json["last"]["failure"], "temporary");
        assert_eq!(serde_json::from_value::<PostNote>(json).unwrap(), note);
    }
}
