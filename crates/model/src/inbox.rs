//! The live inbox: comments (with the replies under them), mentions and messages.

use serde::{Deserialize, Serialize};

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum InboxKind {
    Comment,
    Mention,
    Message,
}

impl InboxKind {
    pub const ALL: [InboxKind; 3] = [InboxKind::Comment, InboxKind::Mention, InboxKind::Message];

    pub fn as_str(self) -> &'static str {
        match self {
            InboxKind::Comment => "comment",
            InboxKind::Mention => "mention",
            InboxKind::Message => "message",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// The tab's name.
    pub fn label(self) -> &'static str {
        match self {
            InboxKind::Comment => "Comments",
            InboxKind::Mention => "Mentions",
            InboxKind::Message => "Messages",
        }
    }
}

/// Equal and hashed by everything shown, so a list keyed by items redraws only those that changed.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct InboxItem {
    pub id: i64,
    pub kind: InboxKind,
    /// The creator's account it came to.
    pub account: String,
    pub from_username: Option<String>,
    pub text: Option<String>,
    pub media_id: Option<String>,
    /// When, on the creator's wall clock (`25 Nov 14:03`).
    pub when: String,
    /// The same wall-clock time as data (`2026-11-25T14:03`), for a page to write in its language.
    #[serde(default)]
    pub local: String,
    pub unread: bool,
    pub hidden: bool,
    /// Written by the creator's account (a reply sent from Crealia, a message echo).
    pub own: bool,
    /// The post a comment or mention is about: its caption's start, picture and link.
    #[serde(default)]
    pub post: Option<PostContext>,
    /// Replies to this comment, oldest first.
    #[cfg_attr(feature = "openapi", schema(no_recursion))]
    pub replies: Vec<InboxItem>,
}

/// The post an inbox item is about, as Instagram describes it.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct PostContext {
    /// The caption's first words (at most 80 characters).
    pub caption: Option<String>,
    /// The image, or a video's cover (http(s) only).
    pub picture_url: Option<String>,
    /// The post on Instagram (http(s) only).
    pub permalink: Option<String>,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnreadCounts {
    pub comments: u32,
    pub mentions: u32,
    pub messages: u32,
}

impl UnreadCounts {
    pub fn total(&self) -> u32 {
        self.comments + self.mentions + self.messages
    }

    pub fn of(&self, kind: InboxKind) -> u32 {
        match kind {
            InboxKind::Comment => self.comments,
            InboxKind::Mention => self.mentions,
            InboxKind::Message => self.messages,
        }
    }
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Inbox {
    pub items: Vec<InboxItem>,
    pub unread: UnreadCounts,
}
