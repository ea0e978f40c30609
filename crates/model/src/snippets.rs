//! Words a creator keeps to use again: caption snippets and hashtag groups for the composer,
//! saved replies for the inbox.

use serde::{Deserialize, Serialize};

/// What a snippet is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SnippetKind {
    /// Caption text inserted into the composer's caption.
    Caption,
    /// Hashtags only (`#fika #coffee`), inserted into the caption.
    Hashtags,
    /// An inbox answer; `{username}` becomes the author's handle.
    Reply,
}

impl SnippetKind {
    pub const ALL: [SnippetKind; 3] = [SnippetKind::Caption, SnippetKind::Hashtags, SnippetKind::Reply];

    pub fn as_str(self) -> &'static str {
        match self {
            SnippetKind::Caption => "caption",
            SnippetKind::Hashtags => "hashtags",
            SnippetKind::Reply => "reply",
        }
    }

    pub fn parse(s: &str) -> Option<SnippetKind> {
        SnippetKind::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Snippet {
    pub id: i64,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub kind: SnippetKind,
    pub name: String,
    pub body: String,
}

/// Snippets of one kind a creator may keep.
pub const MAX_PER_KIND: usize = 100;
/// A snippet's name, in characters.
pub const MAX_NAME_CHARS: usize = 60;
/// Where a saved reply puts the author's handle.
pub const USERNAME: &str = "{username}";

/// A saved reply for `username`'s comment or message: `{username}` is their `@handle`.
pub fn fill_reply(body: &str, username: Option<&str>) -> String {
    match username {
        Some(u) if !u.trim_start_matches('@').is_empty() => {
            let handle = format!("@{}", u.trim_start_matches('@'));
            body.replace(&format!("@{USERNAME}"), &handle).replace(USERNAME, &handle)
        }
        _ => body.replace(&format!("@{USERNAME}"), "").replace(USERNAME, ""),
    }
}

/// `text` with `snippet` added where the creator's words end: on a new line after text, alone
/// in an empty field.
pub fn append(text: &str, snippet: &str) -> String {
    let text = text.trim_end();
    if text.is_empty() {
        snippet.to_string()
    } else {
        format!("{text}\n{snippet}")
    }
}

/// The snippets whose name starts with (or contains) what follows a `/` typed at the start of
/// a reply: `/than` → "thanks", "thank you (FR)".
pub fn matching<'a>(snippets: &'a [Snippet], typed: &str) -> Vec<&'a Snippet> {
    let typed = typed.trim().to_lowercase();
    let mut found: Vec<&Snippet> = snippets.iter().filter(|s| s.name.to_lowercase().contains(&typed)).collect();
    found.sort_by_key(|s| !s.name.to_lowercase().starts_with(&typed));
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reply_greets_its_author_and_reads_well_without_one() {
        assert_eq!(fill_reply("Thanks {username}! See you soon", Some("ana.k")), "Thanks @ana.k! See you soon");
        assert_eq!(fill_reply("Hi @{username}, merci", Some("@bo")), "Hi @bo, merci");
        assert_eq!(fill_reply("Hi @{username}, merci", None), "Hi , merci");
        assert_eq!(append("Fresh buns  ", "#fika #coffee"), "Fresh buns\n#fika #coffee");
        assert_eq!(append("", "#fika"), "#fika");
    }

    #[test]
    fn a_slash_finds_names_starting_with_it_first() {
        let s = |id, name: &str| Snippet { id, kind: SnippetKind::Reply, name: name.into(), body: String::new() };
        let all = [s(1, "Big thanks"), s(2, "thanks"), s(3, "Opening hours")];
        let found: Vec<i64> = matching(&all, "than").iter().map(|s| s.id).collect();
        assert_eq!(found, vec![2, 1]);
        assert_eq!(matching(&all, "").len(), 3);
    }
}
