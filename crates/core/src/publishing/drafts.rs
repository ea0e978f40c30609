//! Drafts: a post kept without a time. Its words are held to Meta's limits as they are typed
//! (a draft never grows past what could be posted), but its files, kind and time are checked
//! only when it is scheduled, the way any post is. A draft never goes out by itself (only
//! PENDING posts are claimed); its `scheduled_at` is when it was last saved.

use chrono::{DateTime, Utc};
use crealia_model::problem::{PostChange, Problem};

use super::{insert_posts, notify, validate_text, FileFacts, NewPost, PostRow, Publishing, PAST_GRACE_SECS, POST_COLUMNS};
use crate::{Error, Result};
use crealia_model::publishing::{PostStatus, ScheduledPost};

/// Drafts one creator may keep.
pub const MAX_DRAFTS: usize = 500;

impl Publishing {
    /// Keeps `post` as a draft for each of the creator's `connections` (its files must be the
    /// creator's; nothing else is checked beyond the words and the options).
    pub async fn save_drafts(&self, user_id: i64, connections: &[i64], mut post: NewPost) -> Result<Vec<ScheduledPost>> {
        validate_text(&post)?;
        let media_urls = self.media.urls_of(user_id, &post.media_ids).await?;
        self.settle_options(user_id, &mut post, &draft_files(&media_urls)).await?;
        let mut connections = connections.to_vec();
        connections.sort_unstable();
        connections.dedup();
        if connections.is_empty() {
            return Err(Error::Refused(Problem::NoAccountChosen));
        }
        let owned = self.connections.list(user_id).await?;
        if connections.iter().any(|id| !owned.iter().any(|c| c.id == *id)) {
            return Err(Error::NotFound);
        }
        let mut tx = self.db.begin().await?;
        let post = NewPost { scheduled_at: Utc::now(), ..post };
        let ids = self
            .insert_drafts(&mut tx, user_id, connections.len(), async |tx| insert_posts(tx, user_id, &connections, &post, &media_urls, PostStatus::Draft).await)
            .await?;
        notify(&mut tx, user_id).await?;
        tx.commit().await?;
        tracing::info!(user_id, drafts = ids.len(), "drafts saved");
        self.get_each(user_id, &ids).await
    }

    /// A new draft with the words, kind, files and account of one of the creator's posts
    /// (whatever its status).
    pub async fn duplicate(&self, user_id: i64, post_id: i64) -> Result<ScheduledPost> {
        let mut tx = self.db.begin().await?;
        let ids = self
            .insert_drafts(&mut tx, user_id, 1, async |tx| {
                let copied: Option<(i64,)> = sqlx::query_as(
                    "INSERT INTO scheduled_posts (user_id, connection_id, kind, caption, alt_text, first_comment, media_urls, status, scheduled_at, next_attempt_at, options)
                     SELECT user_id, connection_id, kind, caption, alt_text, first_comment, media_urls, 'DRAFT', now(), now(), options
                     FROM scheduled_posts WHERE id = $1 AND user_id = $2 RETURNING id",
                )
                .bind(post_id)
                .bind(user_id)
                .fetch_optional(&mut **tx)
                .await?;
                copied.map(|(id,)| vec![id]).ok_or(Error::NotFound)
            })
            .await?;
        notify(&mut tx, user_id).await?;
        tx.commit().await?;
        self.get(user_id, ids[0]).await
    }

    /// Gives a draft its time: it is checked as any post being scheduled (its files, its kind,
    /// the time, its account), then queued. The draft is locked from the check to the change:
    /// an edit arriving meanwhile waits, and is refused once the post is queued.
    pub async fn schedule_draft(&self, user_id: i64, post_id: i64, at: DateTime<Utc>) -> Result<ScheduledPost> {
        let mut tx = self.db.begin().await?;
        match self.queue_draft(&mut tx, user_id, post_id, at).await {
            Ok(()) => tx.commit().await?,
            Err(refused) => {
                // Released before answering: a dropped transaction rolls back only when its
                // connection is next used, and its row lock would hide the post from a
                // scheduler's claim (`SKIP LOCKED`) meanwhile.
                let _ = tx.rollback().await;
                return Err(refused);
            }
        }
        tracing::info!(user_id, post_id, at = %at, "draft scheduled");
        self.get(user_id, post_id).await
    }

    /// [`Publishing::schedule_draft`] within `tx`, the draft locked from the check to the change.
    async fn queue_draft(&self, tx: &mut sqlx::Transaction<'_, sqlx::Postgres>, user_id: i64, post_id: i64, at: DateTime<Utc>) -> Result<()> {
        let draft: Option<PostRow> = sqlx::query_as(&format!(
            "SELECT {POST_COLUMNS} FROM scheduled_posts p JOIN instagram_connections c ON c.id = p.connection_id
             WHERE p.id = $1 AND p.user_id = $2 FOR UPDATE OF p"
        ))
        .bind(post_id)
        .bind(user_id)
        .fetch_optional(&mut **tx)
        .await?;
        let draft = draft.ok_or(Error::NotFound)?.view();
        if draft.status != PostStatus::Draft {
            return Err(Error::Refused(Problem::WrongStatus { status: draft.status, change: PostChange::Schedule }));
        }
        let (connection_id, kind, media_urls) = (draft.connection_id, draft.kind, draft.media_urls);
        let mut post = NewPost {
            connection_id,
            kind,
            caption: draft.caption,
            alt_text: draft.alt_text,
            first_comment: draft.first_comment,
            media_ids: Vec::new(),
            scheduled_at: at,
            options: draft.options,
        };
        self.check_post(user_id, &mut post, &media_urls).await?;
        if at < Utc::now() - chrono::Duration::seconds(PAST_GRACE_SECS) {
            return Err(Error::Refused(Problem::TimePassed { publish_now: false }));
        }
        let account = self.connections.list(user_id).await?.into_iter().find(|c| c.id == connection_id).ok_or(Error::NotFound)?;
        if !account.state.is_usable() {
            return Err(Error::NeedsReconnect);
        }
        sqlx::query(
            "UPDATE scheduled_posts SET status = 'PENDING', scheduled_at = $3, next_attempt_at = $3, options = $4, updated_at = now()
             WHERE id = $1 AND user_id = $2",
        )
        .bind(post_id)
        .bind(user_id)
        .bind(at)
        .bind(sqlx::types::Json(&post.options))
        .execute(&mut **tx)
        .await?;
        notify(tx, user_id).await
    }

    /// A draft's words and files changed (held to Meta's limits on words only); with a time
    /// (`at`), then scheduled as [`Publishing::schedule_draft`] does.
    pub(super) async fn edit_draft(
        &self,
        user_id: i64,
        post_id: i64,
        changed: &mut NewPost,
        media_urls: &[String],
        at: Option<DateTime<Utc>>,
    ) -> Result<ScheduledPost> {
        validate_text(changed)?;
        self.settle_options(user_id, changed, &draft_files(media_urls)).await?;
        let mut tx = self.db.begin().await?;
        let done = sqlx::query(
            "UPDATE scheduled_posts SET caption = $3, alt_text = $4, first_comment = $5, media_urls = $6, options = $7, scheduled_at = now(), updated_at = now()
             WHERE id = $1 AND user_id = $2 AND status = 'DRAFT'",
        )
        .bind(post_id)
        .bind(user_id)
        .bind(&changed.caption)
        .bind(changed.alt_text.as_deref().filter(|a| !a.is_empty()))
        .bind(changed.first_comment.as_deref().filter(|c| !c.trim().is_empty()))
        .bind(media_urls)
        .bind(sqlx::types::Json(&changed.options))
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            let now = self.get(user_id, post_id).await?;
            return Err(Error::Refused(Problem::NotEditable { status: now.status }));
        }
        notify(&mut tx, user_id).await?;
        tx.commit().await?;
        match at {
            Some(at) => self.schedule_draft(user_id, post_id, at).await,
            None => self.get(user_id, post_id).await,
        }
    }

    /// Runs `insert` (adding `adding` drafts) under the creator's row lock, once their drafts
    /// leave room: two saves at once cannot pass [`MAX_DRAFTS`].
    async fn insert_drafts(
        &self,
        tx: &mut sqlx::Transaction<'_, sqlx::Postgres>,
        user_id: i64,
        adding: usize,
        insert: impl AsyncFnOnce(&mut sqlx::Transaction<'_, sqlx::Postgres>) -> Result<Vec<i64>>,
    ) -> Result<Vec<i64>> {
        sqlx::query("SELECT 1 FROM users WHERE id = $1 FOR UPDATE").bind(user_id).execute(&mut **tx).await?;
        let (drafts,): (i64,) =
            sqlx::query_as("SELECT count(*) FROM scheduled_posts WHERE user_id = $1 AND status = 'DRAFT'").bind(user_id).fetch_one(&mut **tx).await?;
        if drafts as usize + adding > MAX_DRAFTS {
            return Err(Error::Refused(Problem::TooManyDrafts { max: MAX_DRAFTS }));
        }
        insert(tx).await
    }
}

/// What a draft's options are held to before its files are checked: which files are videos (by
/// the names Crealia gave them), their lengths not yet.
fn draft_files(media_urls: &[String]) -> Vec<FileFacts> {
    media_urls.iter().map(|u| FileFacts { video: crate::media::is_video_url(u), duration_ms: None }).collect()
}
