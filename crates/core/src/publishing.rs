//! Publishing and the durable scheduler. PostgreSQL is the queue: a due post is claimed with
//! `FOR UPDATE SKIP LOCKED` and a lease; each Graph API step is stored before the next, so a
//! process that dies mid-way is resumed by the next claimer — a container already published is
//! never published again, an expired one is made anew.

use std::time::Duration;

use chrono::{DateTime, Duration as ChronoDuration, Utc};
use crealia_graph::client::Error as GraphError;
use crealia_graph::wire::ContainerStatusCode;
use serde::{Deserialize, Serialize};
use sqlx::PgPool;

use crate::connections::Connections;
use crate::{Error, Result};

pub use crealia_graph::rules::{caption_counts, MAX_ALT_TEXT_CHARS, MAX_CAPTION_CHARS, MAX_HASHTAGS, MAX_MENTIONS};
const MAX_ATTEMPTS: i32 = 8;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PostKind {
    Image,
    Carousel,
    Reel,
    Story,
}

impl PostKind {
    pub fn as_str(self) -> &'static str {
        match self {
            PostKind::Image => "image",
            PostKind::Carousel => "carousel",
            PostKind::Reel => "reel",
            PostKind::Story => "story",
        }
    }
    fn parse(s: &str) -> PostKind {
        match s {
            "carousel" => PostKind::Carousel,
            "reel" => PostKind::Reel,
            "story" => PostKind::Story,
            _ => PostKind::Image,
        }
    }
}

#[derive(Clone, Debug)]
pub struct NewPost {
    pub connection_id: i64,
    pub kind: PostKind,
    pub caption: String,
    pub alt_text: Option<String>,
    pub media_urls: Vec<String>,
    pub scheduled_at: DateTime<Utc>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PostView {
    pub id: i64,
    pub connection_id: i64,
    pub kind: PostKind,
    pub caption: String,
    pub scheduled_at: DateTime<Utc>,
    pub status: String,
    pub media_id: Option<String>,
    /// What went wrong, in words a creator understands.
    pub last_error: Option<String>,
    /// The Graph API's `code/subcode`, for support.
    pub error_code: Option<String>,
}

/// What Meta would reject, said before anything reaches it.
pub fn validate(post: &NewPost) -> Result<()> {
    let (chars, hashtags, mentions) = caption_counts(&post.caption);
    if chars > MAX_CAPTION_CHARS {
        return Err(Error::Invalid(format!("The caption has {chars} characters; Instagram allows {MAX_CAPTION_CHARS}.")));
    }
    if hashtags > MAX_HASHTAGS {
        return Err(Error::Invalid(format!("The caption has {hashtags} hashtags; Instagram allows {MAX_HASHTAGS}.")));
    }
    if mentions > MAX_MENTIONS {
        return Err(Error::Invalid(format!("The caption mentions {mentions} accounts; Instagram allows {MAX_MENTIONS}.")));
    }
    let n = post.media_urls.len();
    match post.kind {
        PostKind::Carousel if !crealia_graph::rules::CAROUSEL_ITEMS.contains(&n) => {
            return Err(Error::Invalid(format!("A carousel needs 2 to 10 images or videos; this one has {n}.")))
        }
        PostKind::Image | PostKind::Reel | PostKind::Story if n != 1 => {
            return Err(Error::Invalid("Choose exactly one image or video for this kind of post.".into()))
        }
        _ => {}
    }
    if let Some(alt) = &post.alt_text {
        if alt.chars().count() > MAX_ALT_TEXT_CHARS {
            return Err(Error::Invalid(format!("Alt text can have at most {MAX_ALT_TEXT_CHARS} characters.")));
        }
        if post.kind == PostKind::Reel {
            return Err(Error::Invalid("Alt text is for images only.".into()));
        }
    }
    if post.media_urls.iter().any(|u| url::Url::parse(u).map(|u| !matches!(u.scheme(), "http" | "https")).unwrap_or(true)) {
        return Err(Error::Invalid("Every media file needs a public http(s) address.".into()));
    }
    Ok(())
}

fn is_video(url: &str) -> bool {
    let path = url.split('?').next().unwrap_or_default().to_ascii_lowercase();
    path.ends_with(".mp4") || path.ends_with(".mov")
}

/// A publishing error as the creator reads it.
fn reason(e: &GraphError) -> (String, Option<String>) {
    match e {
        GraphError::Api { code, subcode, .. } => {
            let text = match subcode {
                Some(2207004) => "The image is larger than Instagram's 8 MB.",
                Some(2207005) => "Instagram accepts JPEG images only for this post.",
                Some(2207009) => "The image's shape is outside what Instagram allows (4:5 to 1.91:1).",
                Some(2207010) => "The caption is too long, or has too many hashtags or mentions.",
                Some(2207052) | Some(2207003) => "Instagram could not download the media from its address.",
                Some(2207026) => "Instagram does not accept this video format (use MP4 or MOV).",
                Some(2207050) => "Instagram has restricted this account.",
                Some(2207028) => "A carousel needs 2 to 10 items.",
                _ if *code == 190 => "Instagram no longer accepts this account's access. Reconnect it, then retry.",
                _ => "Instagram refused the post.",
            };
            (text.to_string(), Some(format!("{code}/{}", subcode.unwrap_or(0))))
        }
        GraphError::OAuth(_) => ("Instagram refused the account's access.".into(), None),
        GraphError::Transport(_) => ("Instagram could not be reached.".into(), None),
        GraphError::Decode(_) => ("Instagram answered something unexpected.".into(), None),
    }
}

type PostRow = (i64, i64, i64, String, String, Option<String>, Vec<String>, DateTime<Utc>, String, Vec<String>, Option<String>, Option<String>, i32, Option<String>, Option<String>);

const POST_COLUMNS: &str = "id, user_id, connection_id, kind, caption, alt_text, media_urls, scheduled_at, status, child_container_ids, container_id, media_id, attempts, last_error, error_code";

fn view(r: &PostRow) -> PostView {
    PostView {
        id: r.0,
        connection_id: r.2,
        kind: PostKind::parse(&r.3),
        caption: r.4.clone(),
        scheduled_at: r.7,
        status: r.8.clone(),
        media_id: r.11.clone(),
        last_error: r.13.clone(),
        error_code: r.14.clone(),
    }
}

#[derive(Clone)]
pub struct Publishing {
    db: PgPool,
    connections: Connections,
    lease: Duration,
}

/// What one step of a claimed post came to.
enum Outcome {
    Published(String),
    /// Try again at this time (processing, quota, transient errors), with a note.
    Later(DateTime<Utc>, Option<String>),
    Failed(String, Option<String>),
}

impl Publishing {
    pub fn new(db: PgPool, connections: Connections) -> Self {
        Publishing { db, connections, lease: Duration::from_secs(120) }
    }

    pub async fn schedule(&self, user_id: i64, post: NewPost) -> Result<PostView> {
        validate(&post)?;
        let owned = self.connections.list(user_id).await?.into_iter().find(|c| c.id == post.connection_id).ok_or(Error::NotFound)?;
        if owned.state == "needs_reconnect" {
            return Err(Error::NeedsReconnect);
        }
        let row: PostRow = sqlx::query_as(&format!(
            "INSERT INTO scheduled_posts (user_id, connection_id, kind, caption, alt_text, media_urls, scheduled_at, next_attempt_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING {POST_COLUMNS}"
        ))
        .bind(user_id)
        .bind(post.connection_id)
        .bind(post.kind.as_str())
        .bind(&post.caption)
        .bind(&post.alt_text)
        .bind(&post.media_urls)
        .bind(post.scheduled_at)
        .fetch_one(&self.db)
        .await?;
        sqlx::query("SELECT pg_notify('crealia_posts', $1)").bind(row.0.to_string()).execute(&self.db).await?;
        Ok(view(&row))
    }

    pub async fn list(&self, user_id: i64) -> Result<Vec<PostView>> {
        let rows: Vec<PostRow> =
            sqlx::query_as(&format!("SELECT {POST_COLUMNS} FROM scheduled_posts WHERE user_id = $1 ORDER BY scheduled_at DESC, id DESC"))
                .bind(user_id)
                .fetch_all(&self.db)
                .await?;
        Ok(rows.iter().map(view).collect())
    }

    /// Cancels a post that has not started publishing. Another user's post is NotFound.
    pub async fn cancel(&self, user_id: i64, post_id: i64) -> Result<()> {
        let status: Option<(String,)> = sqlx::query_as("SELECT status FROM scheduled_posts WHERE id = $1 AND user_id = $2 FOR UPDATE")
            .bind(post_id)
            .bind(user_id)
            .fetch_optional(&self.db)
            .await?;
        match status.map(|s| s.0) {
            None => Err(Error::NotFound),
            Some(s) if s == "PENDING" || s == "FAILED" => {
                let done = sqlx::query("UPDATE scheduled_posts SET status = 'CANCELLED', updated_at = now() WHERE id = $1 AND status IN ('PENDING', 'FAILED')")
                    .bind(post_id)
                    .execute(&self.db)
                    .await?;
                if done.rows_affected() == 1 {
                    Ok(())
                } else {
                    Err(Error::Invalid("This post is being published right now and can no longer be cancelled.".into()))
                }
            }
            Some(s) => Err(Error::Invalid(format!("This post is {} and can no longer be cancelled.", s.to_lowercase()))),
        }
    }

    /// Claims the posts due at `now` (and any whose lease ran out) and moves each one step on.
    /// Returns how many were claimed. Several processes may call it at once.
    pub async fn run_due(&self, now: DateTime<Utc>, batch: i64) -> Result<usize> {
        let lease = ChronoDuration::from_std(self.lease).unwrap_or_default();
        let claimed: Vec<PostRow> = sqlx::query_as(&format!(
            "UPDATE scheduled_posts SET status = 'PUBLISHING', lease_until = $1, attempts = attempts + 1, updated_at = now()
             WHERE id IN (
                SELECT id FROM scheduled_posts
                WHERE (status = 'PENDING' AND next_attempt_at <= $2) OR (status = 'PUBLISHING' AND lease_until < $2)
                ORDER BY next_attempt_at LIMIT $3 FOR UPDATE SKIP LOCKED)
             RETURNING {POST_COLUMNS}"
        ))
        .bind(now + lease)
        .bind(now)
        .bind(batch)
        .fetch_all(&self.db)
        .await?;
        let n = claimed.len();
        for row in claimed {
            let outcome = self.advance(&row, now).await;
            self.record(row.0, row.12, outcome, now).await?;
        }
        Ok(n)
    }

    async fn record(&self, id: i64, attempts: i32, outcome: Result<Outcome>, now: DateTime<Utc>) -> Result<()> {
        let outcome = outcome.unwrap_or_else(|e| match e {
            Error::NeedsReconnect => Outcome::Failed("Instagram no longer accepts this account's access. Reconnect it, then retry.".into(), None),
            other => {
                tracing::error!(post_id = id, error = %other, "publishing step failed");
                Outcome::Later(now + backoff(attempts), Some("A temporary problem on our side; retrying.".into()))
            }
        });
        let outcome = match outcome {
            Outcome::Later(_, note) if attempts >= MAX_ATTEMPTS => {
                Outcome::Failed(note.unwrap_or_else(|| "Instagram kept failing; retry later.".into()), None)
            }
            other => other,
        };
        match outcome {
            Outcome::Published(media_id) => {
                sqlx::query(
                    "UPDATE scheduled_posts SET status = 'PUBLISHED', media_id = $2, published_at = now(), lease_until = NULL,
                     last_error = NULL, error_code = NULL, updated_at = now() WHERE id = $1",
                )
                .bind(id)
                .bind(media_id)
                .execute(&self.db)
                .await?;
                tracing::info!(post_id = id, "post published");
            }
            Outcome::Later(at, note) => {
                sqlx::query(
                    "UPDATE scheduled_posts SET status = 'PENDING', next_attempt_at = $2, lease_until = NULL, last_error = $3,
                     updated_at = now() WHERE id = $1 AND status = 'PUBLISHING'",
                )
                .bind(id)
                .bind(at)
                .bind(note)
                .execute(&self.db)
                .await?;
            }
            Outcome::Failed(reason, code) => {
                sqlx::query(
                    "UPDATE scheduled_posts SET status = 'FAILED', lease_until = NULL, last_error = $2, error_code = $3,
                     updated_at = now() WHERE id = $1",
                )
                .bind(id)
                .bind(&reason)
                .bind(code)
                .execute(&self.db)
                .await?;
                tracing::warn!(post_id = id, reason, "post failed");
            }
        }
        Ok(())
    }

    /// Stores one step's result (a container id) before the next step runs.
    async fn store_step(&self, id: i64, column: &str, value: &str) -> Result<()> {
        let sql = match column {
            "container_id" => "UPDATE scheduled_posts SET container_id = $2, updated_at = now() WHERE id = $1",
            _ => "UPDATE scheduled_posts SET child_container_ids = array_append(child_container_ids, $2), updated_at = now() WHERE id = $1",
        };
        sqlx::query(sql).bind(id).bind(value).execute(&self.db).await?;
        Ok(())
    }

    async fn advance(&self, row: &PostRow, now: DateTime<Utc>) -> Result<Outcome> {
        let (id, user_id, connection_id) = (row.0, row.1, row.2);
        let kind = PostKind::parse(&row.3);
        let token = self.connections.token(user_id, connection_id).await?;
        let (ig,): (String,) = sqlx::query_as("SELECT ig_user_id FROM instagram_connections WHERE id = $1").bind(connection_id).fetch_one(&self.db).await?;
        let graph = self.connections.graph();
        let token = token.expose();
        let attempts = row.12;
        let graph_outcome = |e: GraphError| -> Outcome {
            if e.is_transient() || matches!(&e, GraphError::Api { code: 9007, .. }) {
                let (text, _) = reason(&e);
                Outcome::Later(now + backoff(attempts), Some(format!("{text} Retrying.")))
            } else {
                let (text, code) = reason(&e);
                Outcome::Failed(text, code)
            }
        };

        // 1. Carousel items, one by one, each stored as soon as it exists.
        let mut children = row.9.clone();
        if kind == PostKind::Carousel && row.10.is_none() {
            for url in row.6.iter().skip(children.len()) {
                let mut params = vec![("is_carousel_item", "true".to_string())];
                if is_video(url) {
                    params.push(("media_type", "VIDEO".into()));
                    params.push(("video_url", url.clone()));
                } else {
                    params.push(("image_url", url.clone()));
                }
                match graph.create_container(token, &ig, &params).await {
                    Ok(child) => {
                        self.store_step(id, "child_container_ids", &child).await?;
                        children.push(child);
                    }
                    Err(e) => return Ok(graph_outcome(e)),
                }
            }
        }

        // 2. The container.
        let container = match &row.10 {
            Some(c) => c.clone(),
            None => {
                let url = row.6.first().cloned().unwrap_or_default();
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
                if kind != PostKind::Story && !row.4.is_empty() {
                    params.push(("caption", row.4.clone()));
                }
                if let Some(alt) = &row.5 {
                    params.push(("alt_text", alt.clone()));
                }
                match graph.create_container(token, &ig, &params).await {
                    Ok(c) => {
                        self.store_step(id, "container_id", &c).await?;
                        c
                    }
                    Err(e) => return Ok(graph_outcome(e)),
                }
            }
        };

        // 3. Where the container stands.
        match graph.container_status(token, &container).await {
            Ok(s) => match s.status_code {
                ContainerStatusCode::Finished => {}
                ContainerStatusCode::InProgress => {
                    return Ok(Outcome::Later(now + ChronoDuration::seconds(5), Some("Instagram is still processing the video.".into())))
                }
                ContainerStatusCode::Published => {
                    // Published by a process that died before storing the media id: never again.
                    return Ok(Outcome::Published(String::new()));
                }
                ContainerStatusCode::Expired => {
                    sqlx::query("UPDATE scheduled_posts SET container_id = NULL, child_container_ids = '{}' WHERE id = $1").bind(id).execute(&self.db).await?;
                    return Ok(Outcome::Later(now, Some("The upload expired; making it again.".into())));
                }
                ContainerStatusCode::Error => {
                    return Ok(Outcome::Failed("Instagram could not process the media.".into(), s.status.clone()));
                }
            },
            Err(e) => return Ok(graph_outcome(e)),
        }

        // 4. The rolling 24-hour quota.
        match graph.publishing_limit(token, &ig).await {
            Ok((used, Some(total))) if used >= total => {
                return Ok(Outcome::Later(
                    now + ChronoDuration::minutes(15),
                    Some(format!("Instagram allows {total} posts a day and they are used; this one goes out as soon as the window allows.")),
                ))
            }
            Ok(_) => {}
            Err(e) => return Ok(graph_outcome(e)),
        }

        // 5. Publish.
        match graph.publish_container(token, &ig, &container).await {
            Ok(media_id) => Ok(Outcome::Published(media_id)),
            Err(GraphError::Api { subcode: Some(2207042), .. }) => Ok(Outcome::Later(
                now + ChronoDuration::minutes(15),
                Some("Instagram's daily publishing limit is reached; this post goes out as soon as the window allows.".into()),
            )),
            Err(e) => Ok(graph_outcome(e)),
        }
    }
}

/// 5 s, 10 s, 20 s … capped at 10 minutes, with up to 25 % jitter.
fn backoff(attempts: i32) -> ChronoDuration {
    let base = 5i64 << attempts.clamp(0, 7);
    let base = base.min(600);
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.subsec_nanos() as i64).unwrap_or(0);
    ChronoDuration::seconds(base) + ChronoDuration::milliseconds(nanos % (base * 250).max(1))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn post(kind: PostKind, caption: &str, urls: usize) -> NewPost {
        NewPost {
            connection_id: 1,
            kind,
            caption: caption.into(),
            alt_text: None,
            media_urls: (0..urls).map(|i| format!("https://example.com/{i}.jpg")).collect(),
            scheduled_at: Utc::now(),
        }
    }

    #[test]
    fn what_meta_would_reject_is_refused_first() {
        assert!(validate(&post(PostKind::Image, "fine #ok @ana", 1)).is_ok());
        assert!(validate(&post(PostKind::Image, &"a".repeat(2_201), 1)).is_err());
        let tags: String = (0..31).map(|i| format!("#t{i} ")).collect();
        assert!(validate(&post(PostKind::Image, &tags, 1)).is_err());
        let mentions: String = (0..21).map(|i| format!("@u{i} ")).collect();
        assert!(validate(&post(PostKind::Image, &mentions, 1)).is_err());
        assert!(validate(&post(PostKind::Carousel, "", 1)).is_err());
        assert!(validate(&post(PostKind::Carousel, "", 11)).is_err());
        assert!(validate(&post(PostKind::Carousel, "", 10)).is_ok());
        assert!(validate(&post(PostKind::Image, "", 2)).is_err());
    }

    #[test]
    fn back_off_grows_and_is_capped() {
        assert!(backoff(0) >= ChronoDuration::seconds(5) && backoff(0) < ChronoDuration::seconds(7));
        assert!(backoff(20) <= ChronoDuration::seconds(750));
    }
}
