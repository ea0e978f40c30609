//! One claimed post moved on through the Graph API. Every step's result is stored before the
//! next step runs, under the claim's fencing number (`claim_seq`, drawn anew at every claim and
//! never reset): a process whose lease was taken over stops at its next step instead of racing
//! the new owner. Errors are counted (a post fails after [`MAX_ERRORS`]); waits for Instagram
//! (a video processing, a used quota) are not, and are bounded by time instead.

use chrono::{DateTime, Duration as ChronoDuration, Utc};
use crealia_graph::client::Error as GraphError;
use crealia_graph::wire::ContainerStatusCode;
use crealia_model::post_note::PostNote;
use sqlx::types::Json;

use super::{PostKind, PostOptions, PostRow, Publishing, POST_COLUMNS};
use crate::account_cache::Change;
use crate::media::is_video_url as is_video;
use crate::{Error, Result};

/// After this many temporary errors in a row a post fails.
const MAX_ERRORS: i32 = 8;
/// How often to look again at a video still processing, or a used quota.
const PROCESSING_WAIT_SECS: i64 = 5;
const QUOTA_WAIT_MINUTES: i64 = 15;
/// A video still processing after this long has failed (Meta's own guidance: minutes).
pub const MAX_PROCESSING_WAIT: ChronoDuration = ChronoDuration::minutes(30);
/// A quota window is 24 hours: a post still waiting for room after this long has failed.
pub const MAX_QUOTA_WAIT: ChronoDuration = ChronoDuration::hours(26);

/// What one pass over a claimed post came to.
pub(crate) enum Outcome {
    /// The media id, when known (a crash between publishing and storing it hides it).
    Published(Option<String>),
    /// A temporary error: try again at this time, with a note. Counted.
    Later(DateTime<Utc>, Option<PostNote>),
    /// Instagram is not ready yet (processing, quota): look again at this time, with what the
    /// post waits for. Not counted; failed once it has waited longer than `limit`.
    Wait(DateTime<Utc>, PostNote, ChronoDuration),
    /// Why, and the Graph API's `code/subcode` for support.
    Failed(PostNote, Option<String>),
    /// The account was disconnected while the post was being published: it will not go out.
    Cancelled(PostNote),
    /// Another process took the post over (our lease ran out): leave it alone.
    Lost,
}

/// 5 s, 10 s, 20 s … capped at 10 minutes, with up to 25 % jitter.
pub(crate) fn backoff(attempts: i32) -> ChronoDuration {
    let base = (5i64 << attempts.clamp(0, 7)).min(600);
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.subsec_nanos() as i64).unwrap_or(0);
    ChronoDuration::seconds(base) + ChronoDuration::milliseconds(nanos % (base * 250).max(1))
}

impl Publishing {
    /// Claims up to `limit` posts due at `now` (and any whose lease ran out).
    pub(crate) async fn claim(&self, now: DateTime<Utc>, limit: i64) -> Result<Vec<PostRow>> {
        let lease = ChronoDuration::from_std(self.lease).unwrap_or_default();
        let rows = sqlx::query_as(&format!(
            "WITH claimed AS (
                UPDATE scheduled_posts SET status = 'PUBLISHING', lease_until = $1, attempts = attempts + 1,
                    claim_seq = nextval('scheduled_posts_claim_seq'), updated_at = now()
                WHERE id IN (
                    SELECT id FROM scheduled_posts
                    WHERE (status = 'PENDING' AND next_attempt_at <= $2) OR (status = 'PUBLISHING' AND lease_until < $2)
                    ORDER BY next_attempt_at LIMIT $3 FOR UPDATE SKIP LOCKED)
                RETURNING *)
             SELECT {POST_COLUMNS} FROM claimed p JOIN instagram_connections c ON c.id = p.connection_id"
        ))
        .bind(now + lease)
        .bind(now)
        .bind(limit)
        .fetch_all(&self.db)
        .await?;
        Ok(rows)
    }

    /// When the next post falls due (a pending one, or a lease that runs out).
    pub(crate) async fn next_due(&self) -> Result<Option<DateTime<Utc>>> {
        let (at,): (Option<DateTime<Utc>>,) = sqlx::query_as(
            "SELECT least(
                (SELECT min(next_attempt_at) FROM scheduled_posts WHERE status = 'PENDING'),
                (SELECT min(lease_until) FROM scheduled_posts WHERE status = 'PUBLISHING'))",
        )
        .fetch_one(&self.db)
        .await?;
        Ok(at)
    }

    /// Claims the posts due at `now` and moves each one step on, `limit` at a time in parallel.
    /// Returns how many were claimed. Several processes may call it at once.
    pub async fn run_due(&self, now: DateTime<Utc>, limit: i64) -> Result<usize> {
        let claimed = self.claim(now, limit).await?;
        let n = claimed.len();
        let results = futures_util::future::join_all(claimed.into_iter().map(|row| self.process(row, now))).await;
        results.into_iter().collect::<Result<Vec<()>>>()?;
        Ok(n)
    }

    /// Moves one claimed post on and records where it got to.
    pub(crate) async fn process(&self, row: PostRow, now: DateTime<Utc>) -> Result<()> {
        let outcome = self.advance(&row, now).await;
        self.record(&row, outcome, now).await
    }

    async fn record(&self, row: &PostRow, outcome: Result<Outcome>, now: DateTime<Utc>) -> Result<()> {
        let (id, claim) = (row.id, row.claim_seq);
        let outcome = outcome.unwrap_or_else(|e| match e {
            Error::NeedsReconnect => Outcome::Failed(PostNote::NeedsReconnect, None),
            // The account was disconnected under a claim (the post's connection row never goes).
            Error::NotFound if row.container_id.is_some() => Outcome::Failed(PostNote::DisconnectedUnsettled, None),
            Error::NotFound => Outcome::Cancelled(PostNote::Disconnected),
            other => {
                tracing::error!(post_id = id, error = %other, "publishing step failed");
                Outcome::Later(now + backoff(row.errors), Some(PostNote::OurSide))
            }
        });
        let outcome = match outcome {
            Outcome::Later(_, note) if row.errors + 1 >= MAX_ERRORS => {
                Outcome::Failed(PostNote::GaveUp { last: note.map(Box::new), tries: (row.errors + 1) as u32 }, row.error_code.clone())
            }
            Outcome::Wait(_, what, limit) if row.waiting_since.is_some_and(|since| now - since > limit) => Outcome::Failed(
                PostNote::WaitedTooLong { waited: Box::new(what), minutes: limit.num_minutes().clamp(0, u32::MAX as i64) as u32 },
                row.error_code.clone(),
            ),
            other => other,
        };
        let counted = match &outcome {
            Outcome::Lost => "lost",
            Outcome::Published(_) => "published",
            Outcome::Later(..) => "retry_later",
            Outcome::Wait(..) => "waiting",
            Outcome::Cancelled(_) => "cancelled",
            Outcome::Failed(..) => "failed",
        };
        metrics::counter!("crealia_publishing_steps_total", "outcome" => counted).increment(1);
        // Each update is fenced by the claim's number: a process that lost its lease changes nothing.
        match outcome {
            Outcome::Lost => tracing::warn!(post_id = id, "another process took this post over"),
            Outcome::Published(media_id) => {
                let done = sqlx::query(
                    "UPDATE scheduled_posts SET status = 'PUBLISHED', media_id = $3, published_at = now(), lease_until = NULL,
                     last_error = NULL, note = NULL, error_code = NULL, waiting_since = NULL, updated_at = now()
                     WHERE id = $1 AND claim_seq = $2 AND status = 'PUBLISHING'",
                )
                .bind(id)
                .bind(claim)
                .bind(&media_id)
                .execute(&self.db)
                .await?;
                if done.rows_affected() == 1 {
                    tracing::info!(post_id = id, connection_id = row.connection_id, "post published");
                    // From the time the creator chose to the post being out.
                    metrics::histogram!("crealia_publishing_lag_seconds").record(((Utc::now() - row.scheduled_at).num_milliseconds().max(0) as f64) / 1000.0);
                    // The account's media list, counts and insights have changed.
                    if let Err(e) = self.connections.invalidate_cache(row.connection_id, Change::Everything).await {
                        tracing::warn!(post_id = id, error = %e, "the account's cached figures may lag behind this post");
                    }
                    if let Some(media_id) = media_id {
                        self.first_comment(row, &media_id).await;
                    }
                }
            }
            Outcome::Later(at, note) => {
                sqlx::query(
                    "UPDATE scheduled_posts SET status = 'PENDING', next_attempt_at = $3, lease_until = NULL, last_error = $4, note = $5,
                     errors = errors + 1, waiting_since = NULL, updated_at = now() WHERE id = $1 AND claim_seq = $2 AND status = 'PUBLISHING'",
                )
                .bind(id)
                .bind(claim)
                .bind(at)
                .bind(note.as_ref().map(PostNote::to_string))
                .bind(note.as_ref().map(Json))
                .execute(&self.db)
                .await?;
            }
            Outcome::Wait(at, what, _) => {
                sqlx::query(
                    "UPDATE scheduled_posts SET status = 'PENDING', next_attempt_at = $3, lease_until = NULL, last_error = $4,
                     note = $6, waiting_since = coalesce(waiting_since, $5), updated_at = now() WHERE id = $1 AND claim_seq = $2 AND status = 'PUBLISHING'",
                )
                .bind(id)
                .bind(claim)
                .bind(at)
                .bind(what.to_string())
                .bind(now)
                .bind(Json(&what))
                .execute(&self.db)
                .await?;
            }
            Outcome::Cancelled(reason) => {
                sqlx::query(
                    "UPDATE scheduled_posts SET status = 'CANCELLED', lease_until = NULL, last_error = $3, note = $4, waiting_since = NULL,
                     updated_at = now() WHERE id = $1 AND claim_seq = $2 AND status = 'PUBLISHING'",
                )
                .bind(id)
                .bind(claim)
                .bind(reason.to_string())
                .bind(Json(&reason))
                .execute(&self.db)
                .await?;
            }
            Outcome::Failed(reason, code) => {
                sqlx::query(
                    "UPDATE scheduled_posts SET status = 'FAILED', lease_until = NULL, last_error = $3, error_code = $4,
                     note = $5, waiting_since = NULL, updated_at = now() WHERE id = $1 AND claim_seq = $2 AND status = 'PUBLISHING'",
                )
                .bind(id)
                .bind(claim)
                .bind(reason.to_string())
                .bind(code)
                .bind(Json(&reason))
                .execute(&self.db)
                .await?;
                tracing::warn!(post_id = id, reason = %reason, "post failed");
            }
        }
        // The creator's open pages show the new state without a reload.
        if let Err(e) = crate::inbox::announce(&self.db, row.user_id).await {
            tracing::warn!(post_id = id, error = %e, "cannot tell the creator's pages that a post moved on");
        }
        Ok(())
    }

    /// Posts the first comment once. A crash between publishing and this step skips it rather
    /// than risking a second copy; a failure is noted on the post, which stays published.
    async fn first_comment(&self, row: &PostRow, media_id: &str) {
        let Some(text) = row.first_comment.as_deref().filter(|_| row.first_comment_id.is_none()) else {
            return;
        };
        let result = match self.connections.account(row.user_id, Some(row.connection_id)).await {
            Ok(account) => account.call(async |graph, token, _| graph.comment(token, media_id, text).await).await.map_err(|e| Some(e.failure())),
            Err(e) => {
                tracing::warn!(post_id = row.id, error = %e, "no account to post the first comment with");
                Err(None)
            }
        };
        let (comment_id, note) = match result {
            Ok(id) => (Some(id), None),
            Err(failure) => {
                let note = PostNote::FirstCommentFailed { failure };
                tracing::warn!(post_id = row.id, why = %note, "first comment not posted");
                (Some(String::new()), Some(note))
            }
        };
        if let Err(e) = sqlx::query("UPDATE scheduled_posts SET first_comment_id = $2, last_error = $3, note = $4 WHERE id = $1")
            .bind(row.id)
            .bind(comment_id)
            .bind(note.as_ref().map(PostNote::to_string))
            .bind(note.as_ref().map(Json))
            .execute(&self.db)
            .await
        {
            tracing::error!(post_id = row.id, error = %e, "cannot record the first comment");
        }
    }

    /// Stores one step's result (`$3` in `set`) before the next step runs, and renews the lease.
    /// `false`: the post is no longer ours.
    async fn store_step(&self, row: &PostRow, set: &str, value: Option<&str>) -> Result<bool> {
        let lease = ChronoDuration::from_std(self.lease).unwrap_or_default();
        let done = sqlx::query(&format!(
            "UPDATE scheduled_posts SET {set}, lease_until = greatest(lease_until, now() + $4), updated_at = now()
             WHERE id = $1 AND claim_seq = $2 AND status = 'PUBLISHING'"
        ))
        .bind(row.id)
        .bind(row.claim_seq)
        .bind(value)
        .bind(lease)
        .execute(&self.db)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn advance(&self, row: &PostRow, now: DateTime<Utc>) -> Result<Outcome> {
        let kind = row.kind;
        let account = self.connections.account(row.user_id, Some(row.connection_id)).await?;
        let graph_outcome = |e: GraphError| -> Outcome {
            let failure = e.failure();
            if e.is_transient() || matches!(&e, GraphError::Api { code: 9007, .. }) {
                Outcome::Later(now + backoff(row.errors), Some(PostNote::Instagram { failure, retrying: true }))
            } else {
                Outcome::Failed(PostNote::Instagram { failure, retrying: false }, e.support_code())
            }
        };

        // 1. Carousel items, one by one, each stored as soon as it exists.
        let mut children = row.child_container_ids.clone();
        if kind == PostKind::Carousel && row.container_id.is_none() {
            for (i, url) in row.media_urls.iter().enumerate().skip(children.len()) {
                let mut params = vec![("is_carousel_item", "true".to_string())];
                params.extend(row.options.user_tags_of(i).map(|tags| ("user_tags", tags)));
                if is_video(url) {
                    params.push(("media_type", "VIDEO".into()));
                    params.push(("video_url", url.clone()));
                } else {
                    params.push(("image_url", url.clone()));
                    if let Some(alt) = &row.alt_text {
                        params.push(("alt_text", alt.clone()));
                    }
                }
                match account.call(async |graph, token, ig| graph.create_container(token, ig, &params).await).await {
                    Ok(child) => {
                        if !self.store_step(row, "child_container_ids = array_append(child_container_ids, $3)", Some(&child)).await? {
                            return Ok(Outcome::Lost);
                        }
                        children.push(child);
                    }
                    Err(e) => return Ok(graph_outcome(e)),
                }
            }
        }

        // 2. The container.
        let container = match &row.container_id {
            Some(c) => c.clone(),
            None => {
                let url = row.media_urls.first().cloned().unwrap_or_default();
                let mut params: Vec<(&str, String)> = Vec::new();
                match kind {
                    PostKind::Image => params.push(("image_url", url)),
                    PostKind::Carousel => {
                        params.push(("media_type", "CAROUSEL".into()));
                        params.push(("children", children.join(",")));
                    }
                    PostKind::Reel => {
                        params.push(("media_type", "REELS".into()));
                        params.push(("video_url", url));
                    }
                    PostKind::Story => {
                        params.push(("media_type", "STORIES".into()));
                        params.push((if is_video(&url) { "video_url" } else { "image_url" }, url));
                    }
                }
                if kind.takes_caption() && !row.caption.is_empty() {
                    params.push(("caption", row.caption.clone()));
                }
                if let (Some(alt), PostKind::Image) = (&row.alt_text, kind) {
                    params.push(("alt_text", alt.clone()));
                }
                params.extend(option_params(kind, &row.options.0));
                match account.call(async |graph, token, ig| graph.create_container(token, ig, &params).await).await {
                    Ok(c) => {
                        if !self.store_step(row, "container_id = $3", Some(&c)).await? {
                            return Ok(Outcome::Lost);
                        }
                        c
                    }
                    Err(e) => return Ok(graph_outcome(e)),
                }
            }
        };

        // 3. Where the container stands.
        match account.call(async |graph, token, _| graph.container_status(token, &container).await).await {
            Ok(s) => match s.status_code {
                ContainerStatusCode::Finished => {}
                ContainerStatusCode::InProgress => {
                    return Ok(Outcome::Wait(now + ChronoDuration::seconds(PROCESSING_WAIT_SECS), PostNote::Processing, MAX_PROCESSING_WAIT))
                }
                // Published by a process that died before storing the media id: never again.
                ContainerStatusCode::Published => return Ok(Outcome::Published(None)),
                ContainerStatusCode::Expired => {
                    if !self.store_step(row, "container_id = NULL, child_container_ids = '{}'", None).await? {
                        return Ok(Outcome::Lost);
                    }
                    return Ok(Outcome::Later(now, Some(PostNote::UploadExpired)));
                }
                ContainerStatusCode::Error => {
                    return Ok(Outcome::Failed(PostNote::ProcessingFailed, s.status.clone()));
                }
            },
            Err(e) => return Ok(graph_outcome(e)),
        }

        // 4. The rolling 24-hour quota.
        match account.call(async |graph, token, ig| graph.publishing_limit(token, ig).await).await {
            Ok((used, Some(total))) if used >= total => {
                return Ok(Outcome::Wait(
                    now + ChronoDuration::minutes(QUOTA_WAIT_MINUTES),
                    PostNote::QuotaUsed { total: u32::try_from(total).ok() },
                    MAX_QUOTA_WAIT,
                ))
            }
            Ok(_) => {}
            Err(e) => return Ok(graph_outcome(e)),
        }

        // 5. Publish.
        match account.call(async |graph, token, ig| graph.publish_container(token, ig, &container).await).await {
            Ok(media_id) => Ok(Outcome::Published(Some(media_id))),
            Err(GraphError::Api { subcode: Some(2207042), .. }) => {
                Ok(Outcome::Wait(now + ChronoDuration::minutes(QUOTA_WAIT_MINUTES), PostNote::QuotaUsed { total: None }, MAX_QUOTA_WAIT))
            }
            Err(e) => Ok(graph_outcome(e)),
        }
    }
}

/// A post's options as the parameters of its container (a carousel's tags go on its items).
fn option_params(kind: PostKind, options: &PostOptions) -> Vec<(&'static str, String)> {
    let mut params = Vec::new();
    if kind != PostKind::Carousel {
        params.extend(options.user_tags_of(0).map(|tags| ("user_tags", tags)));
    }
    if !options.collaborators.is_empty() {
        params.push(("collaborators", serde_json::json!(options.collaborators).to_string()));
    }
    if let Some(place) = &options.place {
        params.push(("location_id", place.id.clone()));
    }
    if kind == PostKind::Reel {
        params.extend(options.share_to_feed.map(|share| ("share_to_feed", share.to_string())));
        params.extend(options.cover_url.clone().map(|url| ("cover_url", url)));
        params.extend(options.thumb_offset_ms.map(|ms| ("thumb_offset", ms.to_string())));
        params.extend(options.audio_name.clone().map(|name| ("audio_name", name)));
        params.extend(options.trial.map(|trial| ("trial_params", trial.wire())));
    }
    params
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn back_off_grows_and_is_capped() {
        assert!(backoff(0) >= ChronoDuration::seconds(5) && backoff(0) < ChronoDuration::seconds(7));
        assert!(backoff(20) <= ChronoDuration::seconds(750));
    }
}
