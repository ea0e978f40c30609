//! Publishing and the durable scheduler. PostgreSQL is the queue: a due post is claimed with
//! `FOR UPDATE SKIP LOCKED` and a lease; each Graph API step is stored before the next, so a
//! process that dies mid-way is resumed by the next claimer — a container already published is
//! never published again, an expired one is made anew.
//!
//! - this module: what a creator asks for (schedule, edit, cancel, retry, list) and Meta's rules
//!   checked before anything reaches the API;
//! - [`steps`]: one claimed post moved on through the Graph API, each step recorded;
//! - [`scheduler`]: the worker that claims due posts, woken by NOTIFY or the next due time.

pub mod bulk;
pub(crate) mod calendar;
pub mod drafts;
pub mod feed;
pub mod places;
mod scheduler;
mod steps;

use std::time::Duration;

use chrono::{DateTime, Utc};
use sqlx::PgPool;

use crate::account_cache::Change;
use crate::connections::Connections;
use crate::creator_memo::CreatorMemo;
use crate::media::MediaStore;
use crate::{Error, Result};

pub use calendar::item;
pub use crealia_graph::rules::{caption_counts, MAX_ALT_TEXT_CHARS, MAX_CAPTION_CHARS, MAX_HASHTAGS, MAX_MENTIONS};
use crealia_model::post_note::PostNote;
use crealia_model::problem::{PostChange, PostText, Problem};
pub use crealia_model::publishing::{FileFacts, Place, PostItem, PostKind, PostOptions, PostStatus, QueuedItem, ScheduledPost, UNDO_SECS};
pub use scheduler::SchedulerSettings;

/// Posts to come one creator may have queued (far beyond a daily quota of 100 for a year's
/// worth of accounts; a bound on what one creator can make the scheduler hold).
pub const MAX_PENDING: usize = 5_000;

/// The longest place name kept with a post (Crealia shows it; Instagram reads the id).
pub const MAX_PLACE_NAME_CHARS: usize = 200;

/// Posts of each kind (next, waiting, failed) the control room shows.
pub const OUTLOOK: i64 = 10;

/// The channel `NOTIFY` wakes schedulers on when a post becomes due earlier than they thought.
pub const CHANNEL: &str = "crealia_posts";
/// A time in the past up to this long ago still counts as "now" (the form took a while).
const PAST_GRACE_SECS: i64 = 120;

#[derive(Clone, Debug)]
pub struct NewPost {
    pub connection_id: i64,
    pub kind: PostKind,
    pub caption: String,
    pub alt_text: Option<String>,
    pub first_comment: Option<String>,
    /// The creator's own uploads, by id, in order: Crealia builds their public URLs itself,
    /// so nothing a creator types is ever fetched.
    pub media_ids: Vec<i64>,
    pub scheduled_at: DateTime<Utc>,
    /// Collaborators, people tagged, a place, a reel's cover and sound.
    pub options: PostOptions,
}

/// What a creator may change on a post that has not gone out yet.
#[derive(Clone, Debug, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PostEdit {
    pub caption: Option<String>,
    pub alt_text: Option<Option<String>>,
    pub first_comment: Option<Option<String>>,
    pub media_ids: Option<Vec<i64>>,
    pub scheduled_at: Option<DateTime<Utc>>,
    pub options: Option<PostOptions>,
}

/// What Meta would reject, said before anything reaches it. `media_urls`: the post's files,
/// as Crealia serves them.
pub fn validate(post: &NewPost, media_urls: &[String]) -> Result<()> {
    validate_text(post)?;
    let n = media_urls.len();
    match post.kind {
        PostKind::Carousel if !crealia_graph::rules::CAROUSEL_ITEMS.contains(&n) => return Err(Error::Refused(Problem::CarouselSize { found: n })),
        PostKind::Image | PostKind::Reel | PostKind::Story if n != 1 => return Err(Error::Refused(Problem::OneMediaFile)),
        _ => {}
    }
    match post.kind {
        PostKind::Image if crate::media::is_video_url(&media_urls[0]) => return Err(Error::Refused(Problem::ImageNeedsImage)),
        PostKind::Reel if !crate::media::is_video_url(&media_urls[0]) => return Err(Error::Refused(Problem::ReelNeedsVideo)),
        _ => {}
    }
    Ok(())
}

/// The words of a post against Meta's limits (what a draft is held to as well).
pub fn validate_text(post: &NewPost) -> Result<()> {
    if let Some(problem) = Problem::text_over_limit(PostText::Caption, &post.caption) {
        return Err(Error::Refused(problem));
    }
    if !post.kind.takes_caption() && !post.caption.trim().is_empty() {
        return Err(Error::Refused(Problem::StoryCaption));
    }
    if let Some(alt) = &post.alt_text {
        if alt.chars().count() > MAX_ALT_TEXT_CHARS {
            return Err(Error::Refused(Problem::AltTextTooLong { allowed: MAX_ALT_TEXT_CHARS }));
        }
        if !post.kind.takes_alt_text() && !alt.is_empty() {
            return Err(Error::Refused(Problem::AltTextNotForKind));
        }
    }
    if let Some(comment) = &post.first_comment {
        if let Some(problem) = Problem::text_over_limit(PostText::FirstComment, comment) {
            return Err(Error::Refused(problem));
        }
        if post.kind == PostKind::Story && !comment.is_empty() {
            return Err(Error::Refused(Problem::StoryComment));
        }
    }
    Ok(())
}

#[derive(sqlx::FromRow)]
pub(crate) struct PostRow {
    pub id: i64,
    pub user_id: i64,
    pub connection_id: i64,
    pub username: String,
    #[sqlx(try_from = "String")]
    pub kind: PostKind,
    pub caption: String,
    pub alt_text: Option<String>,
    pub first_comment: Option<String>,
    pub first_comment_id: Option<String>,
    pub media_urls: Vec<String>,
    pub scheduled_at: DateTime<Utc>,
    #[sqlx(try_from = "String")]
    pub status: PostStatus,
    pub child_container_ids: Vec<String>,
    pub container_id: Option<String>,
    pub media_id: Option<String>,
    /// This claim's fencing number: drawn anew at every claim, never reset.
    pub claim_seq: i64,
    /// Errors met since the post was queued (or retried); waits are not errors.
    pub errors: i32,
    /// Since when the post waits for Instagram (processing, quota), if it does.
    pub waiting_since: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
    pub note: Option<sqlx::types::Json<PostNote>>,
    pub error_code: Option<String>,
    pub published_at: Option<DateTime<Utc>>,
    pub options: sqlx::types::Json<PostOptions>,
}

impl PostRow {
    fn view(&self) -> ScheduledPost {
        ScheduledPost {
            id: self.id,
            connection_id: self.connection_id,
            username: self.username.clone(),
            kind: self.kind,
            caption: self.caption.clone(),
            alt_text: self.alt_text.clone(),
            first_comment: self.first_comment.clone(),
            media_urls: self.media_urls.clone(),
            scheduled_at: self.scheduled_at,
            status: self.status,
            media_id: self.media_id.clone().filter(|m| !m.is_empty()),
            published_at: self.published_at,
            last_error: self.last_error.clone(),
            note: self.note.as_ref().map(|n| n.0.clone()),
            error_code: self.error_code.clone(),
            options: self.options.0.clone(),
        }
    }
}

/// The columns of a [`PostRow`], for `SELECT … FROM scheduled_posts p JOIN instagram_connections c`.
pub(crate) const POST_COLUMNS: &str = "p.id, p.user_id, p.connection_id, c.username, p.kind, p.caption, p.alt_text,
    p.first_comment, p.first_comment_id, p.media_urls, p.scheduled_at, p.status, p.child_container_ids, p.container_id,
    p.media_id, p.claim_seq, p.errors, p.waiting_since, p.last_error, p.note, p.error_code, p.published_at, p.options";

/// How long a disconnect asks Instagram about posts holding a container before it goes on.
pub const DISCONNECT_SETTLE_WITHIN: Duration = Duration::from_secs(8);

#[derive(Clone)]
pub struct Publishing {
    db: PgPool,
    connections: Connections,
    media: MediaStore,
    lease: Duration,
    /// Each creator's [`Publishing::outlook_items`] of the last [`OUTLOOK_MAX_AGE`] (with the
    /// time zone its times are in), dropped at once when their live feed reports a change.
    outlooks: CreatorMemo<(String, Vec<QueuedItem>)>,
    /// What one creator may spend a minute: place searches (Graph API calls), bulk files checked.
    place_searches: std::sync::Arc<crate::per_minute::PerMinute>,
    bulk_checks: std::sync::Arc<crate::per_minute::PerMinute>,
}

/// The control room's posts are read at most this often per creator (it asks on every event
/// of its live feed and every few seconds, in every open tab).
pub const OUTLOOK_MAX_AGE: Duration = Duration::from_secs(1);

impl Publishing {
    pub fn new(db: PgPool, connections: Connections, media: MediaStore) -> Self {
        Publishing {
            db,
            connections,
            media,
            lease: Duration::from_secs(120),
            outlooks: CreatorMemo::new(OUTLOOK_MAX_AGE, None),
            place_searches: std::sync::Arc::new(crate::per_minute::PerMinute::new(places::SEARCHES_PER_MINUTE)),
            bulk_checks: std::sync::Arc::new(crate::per_minute::PerMinute::new(bulk::FILES_PER_MINUTE)),
        }
    }

    /// Keeps each creator's outlook for [`OUTLOOK_MAX_AGE`], dropped when their live feed
    /// reports a change. Without it nothing is kept.
    pub fn with_live(mut self, live: crate::inbox::LiveInbox) -> Self {
        self.outlooks = CreatorMemo::new(OUTLOOK_MAX_AGE, Some(live));
        self
    }

    /// How long a claim holds a post before another process may take it over (renewed at
    /// every step).
    pub fn with_lease(mut self, lease: Duration) -> Self {
        self.lease = lease;
        self
    }

    /// Queues one post (due now or later) and wakes the schedulers.
    pub async fn schedule(&self, user_id: i64, post: NewPost) -> Result<ScheduledPost> {
        let connection_id = post.connection_id;
        Ok(self.schedule_for(user_id, &[connection_id], post).await?.remove(0))
    }

    /// Queues the same post for each of the creator's `connections`: all or none.
    pub async fn schedule_for(&self, user_id: i64, connections: &[i64], mut post: NewPost) -> Result<Vec<ScheduledPost>> {
        let connections = &distinct(connections);
        let media_urls = self.media.urls_of(user_id, &post.media_ids).await?;
        self.check_post(user_id, &mut post, &media_urls).await?;
        if connections.is_empty() {
            return Err(Error::Refused(Problem::NoAccountChosen));
        }
        if post.scheduled_at < Utc::now() - chrono::Duration::seconds(PAST_GRACE_SECS) {
            return Err(Error::Refused(Problem::TimePassed { publish_now: true }));
        }
        self.check_accounts(user_id, connections).await?;
        let mut tx = self.db.begin().await?;
        reserve_pending(&mut tx, user_id, connections.len()).await?;
        let ids = insert_posts(&mut tx, user_id, connections, &post, &media_urls, PostStatus::Pending).await?;
        notify(&mut tx, user_id).await?;
        tx.commit().await?;
        tracing::info!(user_id, posts = ids.len(), kind = post.kind.as_str(), at = %post.scheduled_at, "posts scheduled");
        self.get_each(user_id, &ids).await
    }

    /// The creator's posts, newest schedule first.
    pub async fn list(&self, user_id: i64) -> Result<Vec<ScheduledPost>> {
        self.query_posts("WHERE p.user_id = $1 ORDER BY p.scheduled_at DESC, p.id DESC", user_id, None).await
    }

    /// What the control room shows, however many posts the creator has: the next
    /// [`OUTLOOK`] on time, and up to as many waiting for Instagram (processing, quota) and
    /// failed (newest first). Each part is read through the `(user_id, scheduled_at)` index.
    pub async fn outlook(&self, user_id: i64) -> Result<Vec<ScheduledPost>> {
        self.read_outlook(user_id).await
    }

    /// The [`Publishing::outlook`] with its times in `time_zone`, as the control room shows it:
    /// kept for [`OUTLOOK_MAX_AGE`] (see [`Publishing::with_live`]).
    pub async fn outlook_items(&self, user_id: i64, time_zone: &str) -> Result<Vec<QueuedItem>> {
        let read = async || Ok::<_, Error>(self.read_outlook(user_id).await?.into_iter().map(|p| item(p, time_zone).into()).collect::<Vec<_>>());
        let kept = self.outlooks.get_or_load(user_id, async || Ok::<_, Error>((time_zone.to_string(), read().await?))).await?;
        if kept.0 == time_zone {
            return Ok(kept.1.clone());
        }
        // Asked in another zone within the second (the creator just changed theirs).
        read().await
    }

    async fn read_outlook(&self, user_id: i64) -> Result<Vec<ScheduledPost>> {
        let from = format!("SELECT {POST_COLUMNS} FROM scheduled_posts p JOIN instagram_connections c ON c.id = p.connection_id WHERE p.user_id = $1");
        let sql = format!(
            "({from} AND p.status = 'PENDING' AND p.last_error IS NULL ORDER BY p.scheduled_at, p.id LIMIT $2)
             UNION ALL ({from} AND p.status IN ('PENDING', 'PUBLISHING') AND p.last_error IS NOT NULL ORDER BY p.scheduled_at, p.id LIMIT $2)
             UNION ALL ({from} AND p.status = 'FAILED' ORDER BY p.updated_at DESC, p.id DESC LIMIT $2)"
        );
        let rows = sqlx::query_as::<_, PostRow>(&sql).bind(user_id).bind(OUTLOOK).fetch_all(&self.db).await?;
        Ok(rows.iter().map(PostRow::view).collect())
    }

    /// The creator's posts scheduled or published within [from, to), for the calendar (a
    /// draft has no time yet: none).
    pub async fn between(&self, user_id: i64, from: DateTime<Utc>, to: DateTime<Utc>) -> Result<Vec<ScheduledPost>> {
        self.query_posts(
            "WHERE p.user_id = $1 AND p.status <> 'DRAFT' AND coalesce(p.published_at, p.scheduled_at) >= $2 AND coalesce(p.published_at, p.scheduled_at) < $3
             ORDER BY coalesce(p.published_at, p.scheduled_at), p.id",
            user_id,
            Some((from, to)),
        )
        .await
    }

    /// One of the creator's posts; another creator's is NotFound.
    pub async fn get(&self, user_id: i64, post_id: i64) -> Result<ScheduledPost> {
        let rows: Vec<PostRow> = sqlx::query_as(&format!(
            "SELECT {POST_COLUMNS} FROM scheduled_posts p JOIN instagram_connections c ON c.id = p.connection_id WHERE p.id = $1 AND p.user_id = $2"
        ))
        .bind(post_id)
        .bind(user_id)
        .fetch_all(&self.db)
        .await?;
        rows.first().map(PostRow::view).ok_or(Error::NotFound)
    }

    /// The creator's posts `ids`, in order (those just inserted).
    async fn get_each(&self, user_id: i64, ids: &[i64]) -> Result<Vec<ScheduledPost>> {
        let mut posts = Vec::with_capacity(ids.len());
        for id in ids {
            posts.push(self.get(user_id, *id).await?);
        }
        Ok(posts)
    }

    async fn query_posts(&self, filter: &str, user_id: i64, range: Option<(DateTime<Utc>, DateTime<Utc>)>) -> Result<Vec<ScheduledPost>> {
        let sql = format!("SELECT {POST_COLUMNS} FROM scheduled_posts p JOIN instagram_connections c ON c.id = p.connection_id {filter}");
        let mut query = sqlx::query_as::<_, PostRow>(&sql).bind(user_id);
        if let Some((from, to)) = range {
            query = query.bind(from).bind(to);
        }
        Ok(query.fetch_all(&self.db).await?.iter().map(PostRow::view).collect())
    }

    /// Cancels a post that has not started publishing (or failed), or a draft. Another user's
    /// is NotFound.
    pub async fn cancel(&self, user_id: i64, post_id: i64) -> Result<ScheduledPost> {
        self.refuse_if_published_meanwhile(user_id, post_id).await?;
        self.transition(user_id, post_id, &["PENDING", "FAILED", "DRAFT"], PostChange::Cancel, "status = 'CANCELLED', cancelled_from = status").await
    }

    /// Undoes the creator's own cancel within [`UNDO_SECS`]: the post is again what it was
    /// (a pending post that became due meanwhile is published at once). Not on an account
    /// disconnected or to reconnect since: its posts wait for nothing.
    pub async fn restore(&self, user_id: i64, post_id: i64) -> Result<ScheduledPost> {
        let mut tx = self.db.begin().await?;
        // A draft brought back counts against the creator's drafts, under the same lock.
        sqlx::query("SELECT 1 FROM users WHERE id = $1 FOR UPDATE").bind(user_id).execute(&mut *tx).await?;
        let full: bool = sqlx::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM scheduled_posts WHERE id = $1 AND user_id = $2 AND cancelled_from = 'DRAFT')
                AND (SELECT count(*) FROM scheduled_posts WHERE user_id = $2 AND status = 'DRAFT') >= $3",
        )
        .bind(post_id)
        .bind(user_id)
        .bind(drafts::MAX_DRAFTS as i64)
        .fetch_one(&mut *tx)
        .await?;
        if full {
            return Err(Error::Refused(Problem::TooManyDrafts { max: drafts::MAX_DRAFTS }));
        }
        let done = sqlx::query(
            "UPDATE scheduled_posts SET status = cancelled_from, cancelled_from = NULL, next_attempt_at = greatest(next_attempt_at, now()), updated_at = now()
             WHERE id = $1 AND user_id = $2 AND status = 'CANCELLED' AND cancelled_from IS NOT NULL AND updated_at > now() - make_interval(secs => $3)
               AND EXISTS (SELECT 1 FROM instagram_connections c WHERE c.id = connection_id AND c.state = 'active')",
        )
        .bind(post_id)
        .bind(user_id)
        .bind(UNDO_SECS as f64)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            self.get(user_id, post_id).await?; // another creator's post is not found
            return Err(Error::Refused(Problem::UndoExpired { seconds: UNDO_SECS }));
        }
        notify(&mut tx, user_id).await?;
        tx.commit().await?;
        self.get(user_id, post_id).await
    }

    /// A post that still holds a container may already be on Instagram (a `media_publish` whose
    /// answer was lost, then the post failed or waits). Before anything discards that container,
    /// Instagram is asked: a published one is recorded as PUBLISHED and the change is refused.
    /// When Instagram cannot say, nothing is guessed: the change waits.
    async fn refuse_if_published_meanwhile(&self, user_id: i64, post_id: i64) -> Result<()> {
        match self.settle_container(user_id, post_id).await? {
            ContainerFate::Published => Err(Error::Refused(Problem::AlreadyPublished)),
            ContainerFate::None | ContainerFate::NotPublished => Ok(()),
        }
    }

    /// Asks Instagram about the container of a PENDING or FAILED post, and records PUBLISHED when
    /// it went out. Unavailable when Instagram cannot say.
    async fn settle_container(&self, user_id: i64, post_id: i64) -> Result<ContainerFate> {
        let row: Option<(i64, Option<String>)> =
            sqlx::query_as("SELECT connection_id, container_id FROM scheduled_posts WHERE id = $1 AND user_id = $2 AND status IN ('PENDING', 'FAILED')")
                .bind(post_id)
                .bind(user_id)
                .fetch_optional(&self.db)
                .await?;
        let Some((connection_id, Some(container))) = row else {
            return Ok(ContainerFate::None);
        };
        let account = self.connections.account(user_id, Some(connection_id)).await?;
        let status = account.call(async |graph, token, _| graph.container_status(token, &container).await).await.map_err(|e| {
            tracing::warn!(post_id, error = %e, "cannot ask Instagram whether a post went out");
            match e.into() {
                Error::NeedsReconnect => Error::NeedsReconnect,
                _ => Error::Unavailable("Instagram could not say whether this post has already gone out.".into()),
            }
        })?;
        if status.status_code != crealia_graph::wire::ContainerStatusCode::Published {
            return Ok(ContainerFate::NotPublished);
        }
        let done = sqlx::query(
            "UPDATE scheduled_posts SET status = 'PUBLISHED', published_at = coalesce(published_at, now()), lease_until = NULL,
             last_error = NULL, note = NULL, error_code = NULL, waiting_since = NULL, updated_at = now()
             WHERE id = $1 AND user_id = $2 AND container_id = $3 AND status IN ('PENDING', 'FAILED')",
        )
        .bind(post_id)
        .bind(user_id)
        .bind(&container)
        .execute(&self.db)
        .await?;
        if done.rows_affected() == 1 {
            tracing::info!(post_id, "a post found already published on Instagram");
            account.invalidate(Change::Everything).await?;
        }
        Ok(ContainerFate::Published)
    }

    /// How many posts of each of the creator's accounts wait to go out: what disconnecting it
    /// would cancel.
    pub async fn pending_per_connection(&self, user_id: i64) -> Result<std::collections::HashMap<i64, i64>> {
        let rows: Vec<(i64, i64)> =
            sqlx::query_as("SELECT connection_id, count(*) FROM scheduled_posts WHERE user_id = $1 AND status = 'PENDING' GROUP BY connection_id")
                .bind(user_id)
                .fetch_all(&self.db)
                .await?;
        Ok(rows.into_iter().collect())
    }

    /// Disconnects one of the creator's accounts, keeping its history
    /// ([`Connections::disconnect`]). While its token still works, every post of the account that
    /// holds a container is settled with Instagram first: one already out is recorded PUBLISHED,
    /// one that is not loses its container and is cancelled; one Instagram cannot speak for
    /// fails with a reason, to be checked after a reconnect. Returns how many were cancelled.
    pub async fn disconnect_account(&self, user_id: i64, connection_id: i64) -> Result<u64> {
        let held: Vec<i64> = sqlx::query_scalar(
            "SELECT id FROM scheduled_posts
             WHERE connection_id = $1 AND user_id = $2 AND status IN ('PENDING', 'FAILED') AND container_id IS NOT NULL",
        )
        .bind(connection_id)
        .bind(user_id)
        .fetch_all(&self.db)
        .await?;
        // Disconnecting is the creator's way to revoke: it never waits on Instagram for long.
        // Posts not settled by then fail with what to do (`PostNote::DisconnectedUnsettled`).
        let settle = async {
            for post_id in held {
                match self.settle_container(user_id, post_id).await {
                    Ok(ContainerFate::NotPublished) => {
                        sqlx::query(
                            "UPDATE scheduled_posts SET container_id = NULL, child_container_ids = '{}', updated_at = now()
                             WHERE id = $1 AND status IN ('PENDING', 'FAILED')",
                        )
                        .bind(post_id)
                        .execute(&self.db)
                        .await?;
                    }
                    Ok(_) => {}
                    Err(e) => {
                        tracing::warn!(post_id, error = %e, "a post's fate is unknown at disconnect; it fails, to be checked after a reconnect")
                    }
                }
            }
            Ok::<(), Error>(())
        };
        match tokio::time::timeout(DISCONNECT_SETTLE_WITHIN, settle).await {
            Ok(settled) => settled?,
            Err(_) => tracing::warn!(connection_id, "Instagram was slow to answer about posts at disconnect; disconnecting anyway"),
        }
        self.connections.disconnect(user_id, connection_id).await
    }

    /// Puts a FAILED post back in the queue, due now, with no errors counted and fresh
    /// containers (its next claim still draws a new fencing number).
    pub async fn retry(&self, user_id: i64, post_id: i64) -> Result<ScheduledPost> {
        self.refuse_if_published_meanwhile(user_id, post_id).await?;
        self.transition(
            user_id,
            post_id,
            &["FAILED"],
            PostChange::Retry,
            "status = 'PENDING', errors = 0, waiting_since = NULL, next_attempt_at = now(), last_error = NULL, note = NULL, error_code = NULL,
             container_id = NULL, child_container_ids = '{}'",
        )
        .await
    }

    /// Changes a post that has not gone out yet. Its containers are made anew from the change.
    pub async fn edit(&self, user_id: i64, post_id: i64, edit: PostEdit) -> Result<ScheduledPost> {
        self.refuse_if_published_meanwhile(user_id, post_id).await?;
        let current = self.get(user_id, post_id).await?;
        if !current.status.is_editable() {
            return Err(Error::Refused(Problem::NotEditable { status: current.status }));
        }
        let media_urls = match &edit.media_ids {
            Some(ids) => self.media.urls_of(user_id, ids).await?,
            None => current.media_urls,
        };
        let mut changed = NewPost {
            connection_id: current.connection_id,
            kind: current.kind,
            caption: edit.caption.unwrap_or(current.caption),
            alt_text: edit.alt_text.unwrap_or(current.alt_text),
            first_comment: edit.first_comment.unwrap_or(current.first_comment),
            media_ids: edit.media_ids.unwrap_or_default(),
            scheduled_at: edit.scheduled_at.unwrap_or(current.scheduled_at),
            options: edit.options.unwrap_or(current.options),
        };
        if current.status == PostStatus::Draft {
            return self.edit_draft(user_id, post_id, &mut changed, &media_urls, edit.scheduled_at).await;
        }
        self.check_post(user_id, &mut changed, &media_urls).await?;
        if edit.scheduled_at.is_some_and(|at| at < Utc::now() - chrono::Duration::seconds(PAST_GRACE_SECS)) {
            return Err(Error::Refused(Problem::TimePassed { publish_now: false }));
        }
        let mut tx = self.db.begin().await?;
        let done = sqlx::query(
            "UPDATE scheduled_posts SET caption = $3, alt_text = $4, first_comment = $5, media_urls = $6, scheduled_at = $7,
                next_attempt_at = $7, options = $8, container_id = NULL, child_container_ids = '{}', last_error = NULL, note = NULL, waiting_since = NULL,
                updated_at = now()
             WHERE id = $1 AND user_id = $2 AND status = 'PENDING'",
        )
        .bind(post_id)
        .bind(user_id)
        .bind(&changed.caption)
        .bind(changed.alt_text.as_deref().filter(|a| !a.is_empty()))
        .bind(changed.first_comment.as_deref().filter(|c| !c.trim().is_empty()))
        .bind(&media_urls)
        .bind(changed.scheduled_at)
        .bind(sqlx::types::Json(&changed.options))
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            return Err(Error::Refused(Problem::BeingPublished));
        }
        notify(&mut tx, user_id).await?;
        tx.commit().await?;
        self.get(user_id, post_id).await
    }

    /// Each of `connections` is one of the creator's (else NotFound) and usable (else
    /// NeedsReconnect).
    pub(super) async fn check_accounts(&self, user_id: i64, connections: &[i64]) -> Result<()> {
        let owned = self.connections.list(user_id).await?;
        for id in connections {
            match owned.iter().find(|c| c.id == *id) {
                None => return Err(Error::NotFound),
                Some(c) if !c.state.is_usable() => return Err(Error::NeedsReconnect),
                Some(_) => {}
            }
        }
        Ok(())
    }

    /// Everything Meta would refuse about a post about to be queued: its words and kind
    /// ([`validate`]), its files ([`MediaStore::check_post`](crate::media::MediaStore::check_post))
    /// and its options ([`Publishing::settle_options`]).
    async fn check_post(&self, user_id: i64, post: &mut NewPost, media_urls: &[String]) -> Result<()> {
        validate(post, media_urls)?;
        let files = self.media.check_post(user_id, post.kind, media_urls).await?;
        self.settle_options(user_id, post, &files).await
    }

    /// The post's options tidied (an `@` before a name dropped, blanks removed), held to Meta's
    /// rules for its kind and `files`, and the cover's URL set from the creator's own upload:
    /// a URL sent with the options is never used.
    pub(super) async fn settle_options(&self, user_id: i64, post: &mut NewPost, files: &[FileFacts]) -> Result<()> {
        let options = &mut post.options;
        options.collaborators = options.collaborators.iter().map(|c| c.trim().trim_start_matches('@').to_string()).filter(|c| !c.is_empty()).collect();
        for tag in &mut options.tags {
            tag.username = tag.username.trim().trim_start_matches('@').to_string();
        }
        options.audio_name = options.audio_name.take().map(|a| a.trim().to_string()).filter(|a| !a.is_empty());
        options.place = options.place.take().filter(|p| !p.id.trim().is_empty()).map(|p| Place {
            id: p.id.trim().to_string(),
            // Shown only: a name as long as a place's can be, no more.
            name: p.name.chars().take(MAX_PLACE_NAME_CHARS).collect(),
        });
        if let Some(problem) = options.problem(post.kind, files) {
            return Err(Error::Refused(Problem::Param(problem)));
        }
        options.cover_url = match options.cover_media_id {
            None => None,
            Some(id) => {
                let cover = self.media.get(user_id, id).await?;
                if cover.kind != "image" {
                    return Err(Error::Refused(Problem::CoverNotImage));
                }
                Some(cover.url)
            }
        };
        Ok(())
    }

    /// Applies `set` to one of the creator's posts when its status is one of `from`.
    async fn transition(&self, user_id: i64, post_id: i64, from: &[&str], change: PostChange, set: &str) -> Result<ScheduledPost> {
        let from: Vec<String> = from.iter().map(|s| s.to_string()).collect();
        let mut tx = self.db.begin().await?;
        let done = sqlx::query(&format!("UPDATE scheduled_posts SET {set}, updated_at = now() WHERE id = $1 AND user_id = $2 AND status = ANY($3)"))
            .bind(post_id)
            .bind(user_id)
            .bind(&from)
            .execute(&mut *tx)
            .await?;
        if done.rows_affected() == 0 {
            let current = self.get(user_id, post_id).await?;
            return Err(Error::Refused(Problem::WrongStatus { status: current.status, change }));
        }
        notify(&mut tx, user_id).await?;
        tx.commit().await?;
        self.get(user_id, post_id).await
    }
}

/// What Instagram says of a post's container.
enum ContainerFate {
    /// The post holds none.
    None,
    NotPublished,
    Published,
}

/// Each account once, whatever a request repeats.
pub(crate) fn distinct(connections: &[i64]) -> Vec<i64> {
    let mut ids = connections.to_vec();
    ids.sort_unstable();
    ids.dedup();
    ids
}

/// Waits for the creator's row lock, then refuses `adding` more posts to come beyond
/// [`MAX_PENDING`]: two requests at once cannot pass it.
pub(crate) async fn reserve_pending(tx: &mut sqlx::Transaction<'_, sqlx::Postgres>, user_id: i64, adding: usize) -> Result<()> {
    sqlx::query("SELECT 1 FROM users WHERE id = $1 FOR UPDATE").bind(user_id).execute(&mut **tx).await?;
    let (pending,): (i64,) =
        sqlx::query_as("SELECT count(*) FROM scheduled_posts WHERE user_id = $1 AND status = 'PENDING'").bind(user_id).fetch_one(&mut **tx).await?;
    if pending as usize + adding > MAX_PENDING {
        return Err(Error::Refused(Problem::TooManyPending { max: MAX_PENDING }));
    }
    Ok(())
}

/// Inserts `post` for each of `connections` with `status`, at `post.scheduled_at` (a draft's is
/// when it was saved).
async fn insert_posts(
    tx: &mut sqlx::Transaction<'_, sqlx::Postgres>,
    user_id: i64,
    connections: &[i64],
    post: &NewPost,
    media_urls: &[String],
    status: PostStatus,
) -> Result<Vec<i64>> {
    let mut ids = Vec::with_capacity(connections.len());
    for id in connections {
        let (post_id,): (i64,) = sqlx::query_as(
            "INSERT INTO scheduled_posts (user_id, connection_id, kind, caption, alt_text, first_comment, media_urls, status, scheduled_at, next_attempt_at, options)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9, $10) RETURNING id",
        )
        .bind(user_id)
        .bind(id)
        .bind(post.kind.as_str())
        .bind(&post.caption)
        .bind(post.alt_text.as_deref().filter(|a| !a.is_empty()))
        .bind(post.first_comment.as_deref().filter(|c| !c.trim().is_empty()))
        .bind(media_urls)
        .bind(status.as_str())
        .bind(post.scheduled_at)
        .bind(sqlx::types::Json(&post.options))
        .fetch_one(&mut **tx)
        .await?;
        ids.push(post_id);
    }
    Ok(ids)
}

/// Wakes every scheduler, and tells the creator's open pages (their live feed) that their
/// posts changed; both delivered when the transaction commits.
async fn notify(tx: &mut sqlx::Transaction<'_, sqlx::Postgres>, user_id: i64) -> Result<()> {
    sqlx::query("SELECT pg_notify($1, '')").bind(CHANNEL).execute(&mut **tx).await?;
    crate::inbox::announce(&mut **tx, user_id).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_comment_is_held_to_a_captions_limits() {
        let (mut p, urls) = post(PostKind::Image, "Fresh #fika", 1);
        p.first_comment = Some((0..31).map(|i| format!("#t{i} ")).collect());
        let refused = validate(&p, &urls).unwrap_err().to_string();
        assert!(refused.contains("The first comment has 31 hashtags"), "{refused}");
    }

    fn post(kind: PostKind, caption: &str, urls: usize) -> (NewPost, Vec<String>) {
        let ext = if kind == PostKind::Reel { "mp4" } else { "jpg" };
        let post = NewPost {
            connection_id: 1,
            kind,
            caption: caption.into(),
            alt_text: None,
            first_comment: None,
            media_ids: (0..urls as i64).collect(),
            scheduled_at: Utc::now(),
            options: PostOptions::default(),
        };
        (post, (0..urls).map(|i| format!("https://crealia.example/media/{i}.{ext}")).collect())
    }

    fn check(kind: PostKind, caption: &str, urls: usize) -> Result<()> {
        let (post, media) = post(kind, caption, urls);
        validate(&post, &media)
    }

    #[test]
    fn what_meta_would_reject_is_refused_first() {
        assert!(check(PostKind::Image, "fine #ok @ana", 1).is_ok());
        assert!(check(PostKind::Image, &"a".repeat(2_201), 1).is_err());
        let tags: String = (0..31).map(|i| format!("#t{i} ")).collect();
        assert!(check(PostKind::Image, &tags, 1).is_err());
        let mentions: String = (0..21).map(|i| format!("@u{i} ")).collect();
        assert!(check(PostKind::Image, &mentions, 1).is_err());
        assert!(check(PostKind::Carousel, "", 1).is_err());
        assert!(check(PostKind::Carousel, "", 11).is_err());
        assert!(check(PostKind::Carousel, "", 10).is_ok());
        assert!(check(PostKind::Image, "", 2).is_err());
        assert!(check(PostKind::Reel, "", 1).is_ok());
        assert!(check(PostKind::Story, "a caption", 1).is_err(), "stories have no caption");
    }
}
