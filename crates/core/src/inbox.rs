//! The creator's inbox: what the webhook processor stored for their accounts, unread counts,
//! and the actions through the Graph API: reply to, hide or delete a comment, answer a message. [`LiveInbox`]
//! tells this process's open pages when something changed, whichever process stored it.

use std::sync::{Arc, OnceLock};

use chrono::{DateTime, Utc};
use crealia_graph::client::Error as GraphError;
use crealia_model::inbox::{Inbox as InboxView, InboxItem, InboxKind, PostContext, UnreadCounts};
use sqlx::PgPool;
use tokio::sync::broadcast;

use crate::account_cache::Change;
use crate::cache::Cache;
use crate::connections::Connections;
use crate::{Error, Result};
use crealia_model::problem::Problem;

/// Announces (at commit) that a user's inbox changed; the payload is the user id.
pub const LIVE_CHANNEL: &str = "crealia_inbox";
/// Items shown at once (their replies come with them).
const PAGE: i64 = 50;
/// A post's caption, picture and link are read from Instagram at most this often (and a post
/// that could not be read is not asked again sooner).
const POST_CONTEXT_TTL: std::time::Duration = std::time::Duration::from_secs(3_600);
/// Posts read at once for one inbox, and the longest an inbox waits for them.
const POST_CONTEXT_CONCURRENCY: usize = 4;
const POST_CONTEXT_WITHIN: std::time::Duration = std::time::Duration::from_secs(2);
/// Characters of a caption shown beside a comment.
const CONTEXT_CAPTION_CHARS: usize = 80;
/// At most this many message senders are looked up in one pass of [`Inbox::name_senders`].
pub const SENDERS_PER_PASS: i64 = 20;
/// Longest reply Instagram takes (a comment's limit).
pub const MAX_REPLY_CHARS: usize = 2_200;

#[derive(Clone)]
pub struct Inbox {
    db: PgPool,
    cache: Cache,
    connections: Connections,
    live: LiveInbox,
}

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    kind: String,
    external_id: String,
    parent_id: Option<String>,
    media_id: Option<String>,
    from_username: Option<String>,
    body: Option<String>,
    occurred_at: DateTime<Utc>,
    own: bool,
    read_at: Option<DateTime<Utc>>,
    hidden: bool,
    ig_user_id: String,
    username: String,
    connection_id: i64,
}

/// The comment or message an action is about, with what the Graph API call needs.
#[derive(sqlx::FromRow)]
struct Target {
    kind: String,
    external_id: String,
    media_id: Option<String>,
    from_id: Option<String>,
    ig_user_id: String,
    connection_id: i64,
}

const SELECT: &str = "SELECT i.id, i.kind, i.external_id, i.parent_id, i.media_id, i.from_username, i.body, i.occurred_at,
                             i.own, i.read_at, i.hidden, i.ig_user_id, c.username, i.connection_id
                      FROM inbox_items i JOIN instagram_connections c ON c.id = i.connection_id AND c.state <> 'disconnected'";

impl Inbox {
    pub fn new(db: PgPool, cache: Cache, connections: Connections) -> Self {
        let live = LiveInbox::new(db.clone());
        Inbox { db, cache, connections, live }
    }

    pub fn live(&self) -> &LiveInbox {
        &self.live
    }

    /// The newest items of `kind` (all kinds when None) across the user's accounts.
    pub async fn list(&self, user_id: i64, kind: Option<InboxKind>, time_zone: &str) -> Result<InboxView> {
        let kinds = kinds(kind);
        let top: Vec<Row> = sqlx::query_as(&format!(
            "{SELECT} WHERE c.user_id = $1 AND i.kind = ANY($2) AND i.parent_id IS NULL AND i.deleted_at IS NULL
             ORDER BY i.occurred_at DESC, i.id DESC LIMIT $3"
        ))
        .bind(user_id)
        .bind(&kinds)
        .bind(PAGE)
        .fetch_all(&self.db)
        .await?;
        let parents: Vec<String> = top.iter().filter(|r| r.kind != "mention").map(|r| r.external_id.clone()).collect();
        let replies: Vec<Row> = sqlx::query_as(&format!(
            "{SELECT} WHERE c.user_id = $1 AND i.kind IN ('comment', 'message') AND i.parent_id = ANY($2) AND i.deleted_at IS NULL
             ORDER BY i.occurred_at, i.id"
        ))
        .bind(user_id)
        .bind(&parents)
        .fetch_all(&self.db)
        .await?;
        let tz = crate::time_zones::zone(time_zone);
        let view = |r: &Row| InboxItem {
            id: r.id,
            kind: InboxKind::parse(&r.kind).unwrap_or(InboxKind::Comment),
            account: r.username.clone(),
            from_username: if r.own { Some(r.username.clone()) } else { r.from_username.clone() },
            text: r.body.clone(),
            media_id: r.media_id.clone(),
            when: r.occurred_at.with_timezone(&tz).format("%-d %b %H:%M").to_string(),
            local: r.occurred_at.with_timezone(&tz).format("%Y-%m-%dT%H:%M").to_string(),
            unread: r.read_at.is_none() && !r.own,
            hidden: r.hidden,
            own: r.own,
            post: None,
            replies: Vec::new(),
        };
        let posts = self.post_contexts(user_id, &top).await;
        let items = top
            .iter()
            .map(|r| {
                let mut item = view(r);
                item.post = r.media_id.as_ref().and_then(|m| posts.get(&(r.connection_id, m.clone())).cloned());
                item.replies = replies
                    .iter()
                    .filter(|x| x.parent_id.as_deref() == Some(r.external_id.as_str()) && x.ig_user_id == r.ig_user_id && x.kind == r.kind)
                    .map(view)
                    .collect();
                item
            })
            .collect();
        Ok(InboxView { items, unread: self.unread(user_id).await? })
    }

    /// The posts the items' comments are about, each read from Instagram at most once per
    /// [`POST_CONTEXT_TTL`] (through the cache; a post that cannot be read is remembered as such
    /// just as long, and its items show without it). A few at a time, within
    /// [`POST_CONTEXT_WITHIN`]: an inbox never waits long for them, nor spends the account's
    /// Graph API budget because strangers comment. Mentions are left out: their posts are
    /// other people's, which the creator's token cannot read this way.
    async fn post_contexts(&self, user_id: i64, rows: &[Row]) -> std::collections::HashMap<(i64, String), PostContext> {
        use futures_util::StreamExt;
        let mut wanted: Vec<(i64, String)> = rows
            .iter()
            .filter(|r| r.kind == "comment")
            .filter_map(|r| Some((r.connection_id, r.media_id.clone()?)))
            // Instagram's ids are numbers: anything else never reaches a Graph API path.
            .filter(|(_, m)| !m.is_empty() && m.len() <= 32 && m.bytes().all(|b| b.is_ascii_digit()))
            .collect();
        wanted.sort();
        wanted.dedup();
        let mut accounts = std::collections::HashMap::new();
        for connection_id in wanted.iter().map(|(c, _)| *c).collect::<std::collections::BTreeSet<_>>() {
            if let Ok(account) = self.connections.account(user_id, Some(connection_id)).await {
                accounts.insert(connection_id, account);
            }
        }
        let loads = wanted.into_iter().filter_map(|(connection_id, media_id)| {
            let account = accounts.get(&connection_id)?;
            Some(async move {
                let key = account.keys().media_summary(&media_id);
                let media: Option<crealia_graph::wire::Media> = self
                    .cache
                    .get_or_load(&key, POST_CONTEXT_TTL, async || {
                        Ok(account.call(async |graph, token, _| graph.media_summary(token, &media_id).await).await.ok())
                    })
                    .await
                    .ok()
                    .flatten();
                media.map(|m| ((connection_id, media_id.clone()), post_context(m)))
            })
        });
        let mut found = std::collections::HashMap::new();
        let mut stream = futures_util::stream::iter(loads).buffer_unordered(POST_CONTEXT_CONCURRENCY);
        let _ = tokio::time::timeout(POST_CONTEXT_WITHIN, async {
            while let Some(next) = stream.next().await {
                if let Some((key, context)) = next {
                    found.insert(key, context);
                }
            }
        })
        .await;
        found
    }

    pub async fn unread(&self, user_id: i64) -> Result<UnreadCounts> {
        let rows: Vec<(String, i64)> = sqlx::query_as(
            "SELECT i.kind, count(*) FROM inbox_items i JOIN instagram_connections c ON c.id = i.connection_id AND c.state <> 'disconnected'
             WHERE c.user_id = $1 AND i.read_at IS NULL AND i.deleted_at IS NULL AND NOT i.own AND i.kind <> 'other'
             GROUP BY i.kind",
        )
        .bind(user_id)
        .fetch_all(&self.db)
        .await?;
        let mut counts = UnreadCounts::default();
        for (kind, n) in rows {
            let n = n.clamp(0, u32::MAX as i64) as u32;
            match InboxKind::parse(&kind) {
                Some(InboxKind::Comment) => counts.comments = n,
                Some(InboxKind::Mention) => counts.mentions = n,
                Some(InboxKind::Message) => counts.messages = n,
                None => {}
            }
        }
        Ok(counts)
    }

    /// Marks items read: the given ones with the replies under them, or every item of `kind`
    /// (all kinds when None).
    pub async fn mark_read(&self, user_id: i64, ids: Option<&[i64]>, kind: Option<InboxKind>) -> Result<UnreadCounts> {
        self.set_read(user_id, ids, &kinds(kind)).await?;
        self.changed(user_id).await;
        self.unread(user_id).await
    }

    /// Answers a comment on one of the user's posts (a reply under it) or a message (in the
    /// conversation), through the Graph API; the answer is in the inbox under it at once.
    pub async fn reply(&self, user_id: i64, item_id: i64, text: &str) -> Result<()> {
        let text = text.trim();
        if text.is_empty() {
            return Err(Error::Refused(Problem::ReplyEmpty));
        }
        if text.chars().count() > MAX_REPLY_CHARS {
            return Err(Error::Refused(Problem::ReplyTooLong { max: MAX_REPLY_CHARS }));
        }
        let target = self.target(user_id, item_id, &["comment", "message"]).await?;
        let account = self.connections.account(user_id, Some(target.connection_id)).await?;
        let sent = if target.kind == "message" {
            let to = target.from_id.as_deref().ok_or(Error::Refused(Problem::SenderUnknown))?;
            account.call(async |graph, token, ig| graph.send_message(token, ig, to, text).await).await
        } else {
            account.call(async |graph, token, _| graph.reply(token, &target.external_id, text).await).await
        };
        let reply_id = sent.map_err(inbox_error)?;
        let field = if target.kind == "message" { "messages" } else { "comments" };
        sqlx::query(
            "INSERT INTO inbox_items (ig_user_id, kind, field, external_id, parent_id, media_id, body, occurred_at, payload, own, read_at, connection_id)
             VALUES ($1, $2, $3, $4, $5, $6, $7, now(), '{}'::jsonb, true, now(), $8)
             ON CONFLICT (ig_user_id, kind, external_id) DO NOTHING",
        )
        .bind(&target.ig_user_id)
        .bind(&target.kind)
        .bind(field)
        .bind(&reply_id)
        .bind(&target.external_id)
        .bind(&target.media_id)
        .bind(text)
        .bind(target.connection_id)
        .execute(&self.db)
        .await?;
        self.set_read(user_id, Some(&[item_id]), &[target.kind.as_str()]).await?;
        if target.kind == "comment" {
            self.after_comment_change(user_id, target.connection_id).await;
        } else {
            self.changed(user_id).await;
        }
        Ok(())
    }

    /// Hides a comment from the post's other viewers, or shows it again.
    pub async fn hide(&self, user_id: i64, item_id: i64, hide: bool) -> Result<()> {
        let target = self.target(user_id, item_id, &["comment"]).await?;
        let account = self.connections.account(user_id, Some(target.connection_id)).await?;
        account.call(async |graph, token, _| graph.hide_comment(token, &target.external_id, hide).await).await.map_err(inbox_error)?;
        sqlx::query("UPDATE inbox_items SET hidden = $2, read_at = coalesce(read_at, now()) WHERE id = $1").bind(item_id).bind(hide).execute(&self.db).await?;
        self.after_comment_change(user_id, target.connection_id).await;
        Ok(())
    }

    /// Deletes a comment on Instagram; it leaves the inbox (kept in the table, marked deleted).
    pub async fn delete(&self, user_id: i64, item_id: i64) -> Result<()> {
        let target = self.target(user_id, item_id, &["comment"]).await?;
        let account = self.connections.account(user_id, Some(target.connection_id)).await?;
        account.call(async |graph, token, _| graph.delete_comment(token, &target.external_id).await).await.map_err(inbox_error)?;
        // Instagram deletes the replies with the comment.
        sqlx::query(
            "UPDATE inbox_items i SET deleted_at = now(), read_at = coalesce(i.read_at, now()) FROM inbox_items p
             WHERE p.id = $1 AND i.ig_user_id = p.ig_user_id AND i.kind = p.kind AND (i.id = p.id OR i.parent_id = p.external_id)",
        )
        .bind(item_id)
        .execute(&self.db)
        .await?;
        self.after_comment_change(user_id, target.connection_id).await;
        Ok(())
    }

    /// Marks read the given items of `kinds` and the replies under them (every item of `kinds`
    /// when `ids` is None), on the user's accounts only.
    async fn set_read(&self, user_id: i64, ids: Option<&[i64]>, kinds: &[&str]) -> Result<()> {
        sqlx::query(
            "UPDATE inbox_items i SET read_at = now() FROM instagram_connections c
             WHERE c.id = i.connection_id AND c.state <> 'disconnected' AND c.user_id = $1 AND i.read_at IS NULL AND i.kind = ANY($2)
               AND ($3::bigint[] IS NULL OR i.id = ANY($3) OR EXISTS (
                    SELECT 1 FROM inbox_items p
                    WHERE p.id = ANY($3) AND p.ig_user_id = i.ig_user_id AND p.kind = i.kind AND p.external_id = i.parent_id))",
        )
        .bind(user_id)
        .bind(kinds)
        .bind(ids.map(<[i64]>::to_vec))
        .execute(&self.db)
        .await?;
        Ok(())
    }

    /// An item of one of `kinds` on one of the user's accounts.
    async fn target(&self, user_id: i64, item_id: i64, kinds: &[&str]) -> Result<Target> {
        let target: Option<Target> = sqlx::query_as(
            "SELECT i.kind, i.external_id, i.media_id, i.from_id, i.ig_user_id, c.id AS connection_id
             FROM inbox_items i JOIN instagram_connections c ON c.id = i.connection_id AND c.state <> 'disconnected'
             WHERE i.id = $1 AND c.user_id = $2 AND i.kind = ANY($3) AND i.deleted_at IS NULL",
        )
        .bind(item_id)
        .bind(user_id)
        .bind(kinds)
        .fetch_optional(&self.db)
        .await?;
        target.ok_or(Error::NotFound)
    }

    /// Names the people who sent messages: Meta's messaging webhooks carry only a scoped id
    /// (IGSID), so up to `limit` unnamed senders of the last week are asked of the User Profile
    /// API with their account's token, and every item of theirs gets the username (someone named
    /// before is named again without a call). A lookup that fails is not tried again for 10
    /// minutes (remembered in the cache). Returns how many senders the Graph API named.
    pub async fn name_senders(&self, limit: i64) -> Result<usize> {
        // Someone already named in an earlier message needs no call.
        let known: Vec<String> = sqlx::query_scalar(
            "UPDATE inbox_items i SET from_username = k.from_username
             FROM (SELECT DISTINCT ON (u.ig_user_id, u.from_id) u.ig_user_id, u.from_id, n.from_username
                   FROM inbox_items u
                   JOIN inbox_items n ON n.ig_user_id = u.ig_user_id AND n.from_id = u.from_id
                                     AND n.kind = 'message' AND n.from_username IS NOT NULL
                   WHERE u.kind = 'message' AND NOT u.own AND u.from_username IS NULL AND u.from_id IS NOT NULL
                     AND u.created_at > now() - interval '7 days'
                   ORDER BY u.ig_user_id, u.from_id, n.occurred_at DESC) k
             WHERE i.ig_user_id = k.ig_user_id AND i.from_id = k.from_id AND i.kind = 'message' AND i.from_username IS NULL
             RETURNING i.ig_user_id",
        )
        .fetch_all(&self.db)
        .await?;
        let mut touched: std::collections::BTreeSet<String> = known.into_iter().collect();
        let unnamed: Vec<(String, String, i64, i64)> = sqlx::query_as(
            "SELECT DISTINCT ON (i.ig_user_id, i.from_id) i.ig_user_id, i.from_id, c.user_id, c.id
             FROM inbox_items i JOIN instagram_connections c ON c.id = i.connection_id AND c.state <> 'disconnected'
             WHERE i.kind = 'message' AND NOT i.own AND i.from_username IS NULL AND i.from_id IS NOT NULL
               AND i.deleted_at IS NULL AND i.created_at > now() - interval '7 days'
               AND c.state = 'active'
             ORDER BY i.ig_user_id, i.from_id, c.id
             LIMIT $1",
        )
        .bind(limit)
        .fetch_all(&self.db)
        .await?;
        let mut named = 0;
        for (ig_user_id, igsid, user_id, connection_id) in unnamed {
            let missed = format!("inbox:sender-miss:{ig_user_id}:{igsid}");
            if self.cache.get_json::<bool>(&missed).await.is_some() {
                continue;
            }
            let found = match self.connections.account(user_id, Some(connection_id)).await {
                Ok(account) => account.call(async |graph, token, _| graph.messaging_user(token, &igsid).await).await.map_err(|e| e.to_string()),
                Err(e) => Err(e.to_string()),
            };
            let Some(username) = found.as_ref().ok().and_then(|u| u.username.clone()).filter(|u| !u.is_empty()) else {
                tracing::warn!(ig_user_id, connection_id, error = ?found.err(), "cannot name a message's sender; trying again later");
                self.cache.set_json(&missed, &true, Some(std::time::Duration::from_secs(600))).await;
                continue;
            };
            sqlx::query("UPDATE inbox_items SET from_username = $3 WHERE ig_user_id = $1 AND from_id = $2 AND from_username IS NULL")
                .bind(&ig_user_id)
                .bind(&igsid)
                .bind(&username)
                .execute(&self.db)
                .await?;
            named += 1;
            touched.insert(ig_user_id);
        }
        // The creators of these accounts see the names.
        if !touched.is_empty() {
            let accounts: Vec<String> = touched.into_iter().collect();
            let users: Vec<i64> =
                sqlx::query_scalar("SELECT DISTINCT user_id FROM instagram_connections WHERE ig_user_id = ANY($1) AND state <> 'disconnected'")
                    .bind(&accounts)
                    .fetch_all(&self.db)
                    .await?;
            for user in users {
                self.changed(user).await;
            }
        }
        Ok(named)
    }

    /// The post's comment count changed; the user's other tabs and devices hear of it.
    async fn after_comment_change(&self, user_id: i64, connection_id: i64) {
        if let Err(e) = self.connections.invalidate_cache(connection_id, Change::Media).await {
            tracing::warn!(connection_id, error = %e, "the account's cached media list may show old comment counts");
        }
        self.changed(user_id).await;
    }

    async fn changed(&self, user_id: i64) {
        if let Err(e) = announce(&self.db, user_id).await {
            tracing::warn!(error = %e, "cannot announce an inbox change");
        }
    }
}

/// The shown kinds: `kind`, or all of them.
fn kinds(kind: Option<InboxKind>) -> Vec<&'static str> {
    match kind {
        Some(k) => vec![k.as_str()],
        None => InboxKind::ALL.iter().map(|k| k.as_str()).collect(),
    }
}

/// Tells every server process (at commit, inside a transaction) that something the creator's
/// live pages show changed: their inbox, or their posts.
pub(crate) async fn announce<'e, E: sqlx::PgExecutor<'e>>(db: E, user_id: i64) -> sqlx::Result<()> {
    sqlx::query("SELECT pg_notify($1, $2)").bind(LIVE_CHANNEL).bind(user_id.to_string()).execute(db).await?;
    Ok(())
}

/// What the inbox shows of a post: the caption's first words, and links only over http(s).
fn post_context(m: crealia_graph::wire::Media) -> PostContext {
    let web = |u: Option<String>| u.filter(|u| u.starts_with("https://") || u.starts_with("http://"));
    let caption = m.caption.filter(|c| !c.trim().is_empty()).map(|c| {
        let mut start: String = c.chars().take(CONTEXT_CAPTION_CHARS).collect();
        if c.chars().count() > CONTEXT_CAPTION_CHARS {
            start.push('…');
        }
        start
    });
    let picture = if m.media_type.as_deref() == Some("VIDEO") { m.thumbnail_url.or(m.media_url) } else { m.media_url.or(m.thumbnail_url) };
    PostContext { caption, picture_url: web(picture), permalink: web(m.permalink) }
}

/// A Graph API failure of an inbox action: the inbox's own cases, then the one mapping.
fn inbox_error(e: GraphError) -> Error {
    match &e {
        // 100/33: the comment is gone on Instagram (deleted there, or its post removed).
        GraphError::Api { code: 100, subcode: Some(33), .. } => Error::Refused(Problem::CommentGone),
        GraphError::Api { subcode: Some(2_534_022), .. } => Error::Refused(Problem::MessageWindowClosed),
        GraphError::Api { subcode: Some(2_018_001), .. } => Error::Refused(Problem::SenderGone),
        _ => e.into(),
    }
}

/// This process's end of the inbox notifications: one LISTEN connection (opened when the first
/// page subscribes) fanned out to every open page as user ids.
#[derive(Clone)]
pub struct LiveInbox {
    db: PgPool,
    sender: Arc<OnceLock<broadcast::Sender<i64>>>,
}

impl LiveInbox {
    fn new(db: PgPool) -> Self {
        LiveInbox { db, sender: Arc::new(OnceLock::new()) }
    }

    /// User ids whose inbox changed, from now on. A lagging receiver should reload.
    pub fn subscribe(&self) -> broadcast::Receiver<i64> {
        let mut started = false;
        let sender = self.sender.get_or_init(|| {
            started = true;
            broadcast::channel(1024).0
        });
        let receiver = sender.subscribe();
        if started {
            let (db, sender) = (self.db.clone(), sender.clone());
            tokio::spawn(async move {
                let mut listener = crate::db::Listener::new(&db, &[LIVE_CHANNEL]).await;
                loop {
                    if let crate::db::Heard::Payload(p) = listener.next().await {
                        if let Ok(user) = p.parse::<i64>() {
                            // No receiver left is fine: the next page to open subscribes again.
                            let _ = sender.send(user);
                        }
                    }
                }
            });
        }
        receiver
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_posts_context_is_short_and_links_only_to_the_web() {
        let media = crealia_graph::wire::Media {
            caption: Some("x".repeat(100)),
            media_type: Some("VIDEO".into()),
            media_url: Some("https://cdn.example/video.mp4".into()),
            thumbnail_url: Some("https://cdn.example/cover.jpg".into()),
            permalink: Some("javascript:alert(1)".into()),
            ..Default::default()
        };
        let context = post_context(media);
        assert_eq!(context.caption.as_deref().map(|c| c.chars().count()), Some(CONTEXT_CAPTION_CHARS + 1), "80 characters and an ellipsis");
        assert_eq!(context.picture_url.as_deref(), Some("https://cdn.example/cover.jpg"), "a video shows its cover");
        assert_eq!(context.permalink, None, "never a javascript: link");
    }
}
