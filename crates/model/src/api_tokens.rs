//! Personal API tokens: what a creator sees of them in settings.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// What a token may do with the JSON API.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Scope {
    /// Insights, status, posts and media: look, never change.
    Read,
    /// Publish, schedule, edit, cancel and retry posts; upload media.
    Publish,
    /// The inbox: read it, mark read, reply, hide, delete.
    Inbox,
}

impl Scope {
    pub const ALL: [Scope; 3] = [Scope::Read, Scope::Publish, Scope::Inbox];

    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Read => "read",
            Scope::Publish => "publish",
            Scope::Inbox => "inbox",
        }
    }

    pub fn parse(s: &str) -> Option<Scope> {
        Scope::ALL.into_iter().find(|k| k.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            Scope::Read => "Read insights, status and posts",
            Scope::Publish => "Publish and schedule",
            Scope::Inbox => "Inbox",
        }
    }
}

/// A token as listed: never its value (shown once, when made; only its hash is kept).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiTokenView {
    pub id: i64,
    pub name: String,
    pub scopes: Vec<Scope>,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
}

/// A token just made: its value, shown this once (its `Debug` never prints it).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewApiToken {
    pub token: ApiTokenView,
    pub value: String,
}

impl std::fmt::Debug for NewApiToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewApiToken").field("token", &self.token).field("value", &"[redacted]").finish()
    }
}
