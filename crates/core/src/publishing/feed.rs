//! The feed preview: an account's posts to come as its grid will show them, and their order
//! changed by swapping two posts' times.

use crealia_model::problem::{PostChange, Problem};
use crealia_model::publishing::ScheduledPost;

use super::{notify, PostRow, PostStatus, Publishing, POST_COLUMNS};
use crate::{Error, Result};

/// The most posts to come the preview shows.
pub const FEED_PLAN: i64 = 60;

impl Publishing {
    /// The account's posts to come that will show in its grid (images, carousels, reels not kept
    /// out of the feed), the last to go out first, as the grid will show them.
    pub async fn feed_plan(&self, user_id: i64, connection_id: i64) -> Result<Vec<ScheduledPost>> {
        let rows: Vec<PostRow> = sqlx::query_as(&format!(
            "SELECT {POST_COLUMNS} FROM scheduled_posts p JOIN instagram_connections c ON c.id = p.connection_id
             WHERE p.user_id = $1 AND p.connection_id = $2 AND p.status = 'PENDING' AND p.kind IN ('image', 'carousel', 'reel')
               AND coalesce(p.options->>'share_to_feed', 'true') <> 'false'
             ORDER BY p.scheduled_at DESC, p.id DESC LIMIT $3"
        ))
        .bind(user_id)
        .bind(connection_id)
        .bind(FEED_PLAN)
        .fetch_all(&self.db)
        .await?;
        Ok(rows.iter().map(PostRow::view).collect())
    }

    /// Swaps the times of two of the creator's posts to come (the preview's reorder): both
    /// move, or neither (another creator's post is NotFound; one already going out is refused).
    pub async fn swap_times(&self, user_id: i64, a: i64, b: i64) -> Result<()> {
        let mut tx = self.db.begin().await?;
        let rows: Vec<(i64, chrono::DateTime<chrono::Utc>, String)> =
            sqlx::query_as("SELECT id, scheduled_at, status FROM scheduled_posts WHERE user_id = $1 AND id = ANY($2) ORDER BY id FOR UPDATE")
                .bind(user_id)
                .bind([a, b])
                .fetch_all(&mut *tx)
                .await?;
        if a == b || rows.len() != 2 {
            return Err(Error::NotFound);
        }
        if let Some((_, _, status)) = rows.iter().find(|r| r.2 != PostStatus::Pending.as_str()) {
            let status = PostStatus::parse(status).unwrap_or(PostStatus::Publishing);
            return Err(Error::Refused(Problem::WrongStatus { status, change: PostChange::Schedule }));
        }
        for (from, to) in [(&rows[0], &rows[1]), (&rows[1], &rows[0])] {
            sqlx::query("UPDATE scheduled_posts SET scheduled_at = $2, next_attempt_at = $2, updated_at = now() WHERE id = $1")
                .bind(from.0)
                .bind(to.1)
                .execute(&mut *tx)
                .await?;
        }
        notify(&mut tx, user_id).await?;
        tx.commit().await?;
        Ok(())
    }
}
