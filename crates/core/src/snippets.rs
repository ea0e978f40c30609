//! Caption snippets, hashtag groups and saved replies: a creator's own words, named, kept to be
//! inserted again. Each is checked against the limit of where it goes (a caption snippet or a
//! hashtag group against Meta's caption rules, a reply against the inbox's), so inserting one
//! never starts a post or an answer over a limit; a creator keeps at most
//! [`MAX_PER_KIND`] of each kind.

use crealia_model::problem::{PostText, Problem};
use crealia_model::snippets::{Snippet, SnippetKind, MAX_NAME_CHARS, MAX_PER_KIND};
use sqlx::PgPool;

use crate::inbox::MAX_REPLY_CHARS;
use crate::{Error, Result};

#[derive(Clone)]
pub struct Snippets {
    db: PgPool,
}

type Row = (i64, String, String, String);

fn view((id, kind, name, body): Row) -> Option<Snippet> {
    Some(Snippet { id, kind: SnippetKind::parse(&kind)?, name, body })
}

/// What is wrong with a snippet's words, if anything.
fn check(kind: SnippetKind, name: &str, body: &str) -> Option<Problem> {
    if name.is_empty() || name.chars().count() > MAX_NAME_CHARS || name.chars().any(char::is_control) {
        return Some(Problem::SnippetName { max: MAX_NAME_CHARS });
    }
    if body.is_empty() {
        return Some(Problem::SnippetEmpty);
    }
    match kind {
        SnippetKind::Caption => Problem::text_over_limit(PostText::Caption, body),
        SnippetKind::Hashtags => match body.split_whitespace().all(|w| w.starts_with('#') && w.chars().count() > 1) {
            true => Problem::text_over_limit(PostText::Caption, body),
            false => Some(Problem::NotHashtags),
        },
        SnippetKind::Reply => (body.chars().count() > MAX_REPLY_CHARS).then_some(Problem::ReplyTooLong { max: MAX_REPLY_CHARS }),
    }
}

impl Snippets {
    pub fn new(db: PgPool) -> Self {
        Snippets { db }
    }

    /// The creator's snippets of `kind`, by name.
    pub async fn list(&self, user_id: i64, kind: SnippetKind) -> Result<Vec<Snippet>> {
        let rows: Vec<Row> = sqlx::query_as("SELECT id, kind, name, body FROM snippets WHERE user_id = $1 AND kind = $2 ORDER BY lower(name), id")
            .bind(user_id)
            .bind(kind.as_str())
            .fetch_all(&self.db)
            .await?;
        Ok(rows.into_iter().filter_map(view).collect())
    }

    /// Keeps `body` under `name` (a snippet of that name is replaced).
    pub async fn save(&self, user_id: i64, kind: SnippetKind, name: &str, body: &str) -> Result<Snippet> {
        let (name, body) = (name.trim(), body.trim());
        if let Some(problem) = check(kind, name, body) {
            return Err(Error::Refused(problem));
        }
        // Counted under the creator's row lock: two saves at once cannot pass the limit.
        let mut tx = self.db.begin().await?;
        sqlx::query("SELECT 1 FROM users WHERE id = $1 FOR UPDATE").bind(user_id).execute(&mut *tx).await?;
        let row: Option<Row> = sqlx::query_as(
            "INSERT INTO snippets (user_id, kind, name, body)
             SELECT $1, $2, $3, $4
             WHERE EXISTS (SELECT 1 FROM snippets WHERE user_id = $1 AND kind = $2 AND name = $3)
                OR (SELECT count(*) FROM snippets WHERE user_id = $1 AND kind = $2) < $5
             ON CONFLICT (user_id, kind, name) DO UPDATE SET body = EXCLUDED.body, updated_at = now()
             RETURNING id, kind, name, body",
        )
        .bind(user_id)
        .bind(kind.as_str())
        .bind(name)
        .bind(body)
        .bind(MAX_PER_KIND as i64)
        .fetch_optional(&mut *tx)
        .await?;
        tx.commit().await?;
        row.and_then(view).ok_or(Error::Refused(Problem::TooManySnippets { max: MAX_PER_KIND }))
    }

    /// Forgets one of the creator's snippets (another creator's is NotFound).
    pub async fn delete(&self, user_id: i64, id: i64) -> Result<()> {
        let done = sqlx::query("DELETE FROM snippets WHERE id = $1 AND user_id = $2").bind(id).bind(user_id).execute(&self.db).await?;
        if done.rows_affected() == 0 {
            return Err(Error::NotFound);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_kind_is_held_to_the_limit_of_where_it_goes() {
        assert_eq!(check(SnippetKind::Caption, "", "x"), Some(Problem::SnippetName { max: MAX_NAME_CHARS }));
        assert_eq!(check(SnippetKind::Caption, "Sign-off", ""), Some(Problem::SnippetEmpty));
        assert_eq!(check(SnippetKind::Hashtags, "Coffee", "#fika #coffee"), None);
        assert_eq!(check(SnippetKind::Hashtags, "Coffee", "#fika and coffee"), Some(Problem::NotHashtags));
        let tags: String = (0..31).map(|i| format!("#t{i} ")).collect();
        assert!(matches!(check(SnippetKind::Hashtags, "Many", tags.trim()), Some(Problem::TextOverLimit { found: 31, .. })));
        assert_eq!(check(SnippetKind::Reply, "Thanks", "Thanks {username}!"), None);
        assert_eq!(check(SnippetKind::Reply, "Long", &"x".repeat(MAX_REPLY_CHARS + 1)), Some(Problem::ReplyTooLong { max: MAX_REPLY_CHARS }));
    }
}
