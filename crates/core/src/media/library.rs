//! The media library: every upload of a creator with where it is used (a post's files or a
//! reel's cover), their storage against the quota, and deleting what no post uses.

use crealia_model::problem::Problem;
use crealia_model::publishing::{LibraryItem, MediaLibrary};

use super::{AssetRow, MediaStore, ASSET_COLUMNS};
use crate::{Error, Result};

/// The most uploads the library lists (newest first).
pub const LIBRARY_LIMIT: i64 = 500;

/// The posts (of any status) that name a file: in their files, or as a reel's cover. Binds
/// `$1` (the creator) and `$2` (the public URL prefix with its `/`); `a` is the asset.
const USES: &str = "(SELECT count(*) FROM scheduled_posts p
     WHERE p.user_id = $1 AND (($2 || a.file_name) = ANY(p.media_urls) OR p.options->>'cover_url' = $2 || a.file_name))";

/// An upload with how many posts use it.
#[derive(sqlx::FromRow)]
struct Used {
    #[sqlx(flatten)]
    asset: AssetRow,
    uses: i64,
    created_at: chrono::DateTime<chrono::Utc>,
}

impl MediaStore {
    /// The creator's uploads, newest first, each with how many posts use it, and their storage.
    pub async fn library(&self, user_id: i64) -> Result<MediaLibrary> {
        let prefix = format!("{}/", self.public_prefix);
        // One read: each upload with its uses, however the creator's files change meanwhile.
        let rows: Vec<Used> = sqlx::query_as(&format!(
            "SELECT {ASSET_COLUMNS}, {USES} AS uses, a.created_at FROM media_assets a WHERE a.user_id = $1 ORDER BY a.created_at DESC, a.id DESC LIMIT $3"
        ))
        .bind(user_id)
        .bind(&prefix)
        .bind(LIBRARY_LIMIT)
        .fetch_all(&self.db)
        .await?;
        let used_bytes: i64 =
            sqlx::query_scalar("SELECT COALESCE(sum(bytes), 0)::int8 FROM media_assets WHERE user_id = $1").bind(user_id).fetch_one(&self.db).await?;
        let items = rows
            .iter()
            .map(|r| LibraryItem { asset: self.view(&r.asset), uploaded_at: r.created_at.date_naive().to_string(), used_in: r.uses.max(0) as u32 })
            .collect();
        Ok(MediaLibrary { items, used_bytes: used_bytes.max(0) as u64, quota_bytes: self.limits.quota_bytes_per_user })
    }

    /// Deletes one of the creator's uploads and its file, when no post (of any status) uses it;
    /// another creator's is NotFound.
    pub async fn delete_unused(&self, user_id: i64, asset_id: i64) -> Result<()> {
        let prefix = format!("{}/", self.public_prefix);
        let mut tx = self.db.begin().await?;
        let found: Option<(String, i64)> =
            sqlx::query_as(&format!("SELECT a.file_name, {USES} FROM media_assets a WHERE a.user_id = $1 AND a.id = $3 FOR UPDATE"))
                .bind(user_id)
                .bind(&prefix)
                .bind(asset_id)
                .fetch_optional(&mut *tx)
                .await?;
        let (name, uses) = found.ok_or(Error::NotFound)?;
        if uses > 0 {
            return Err(Error::Refused(Problem::MediaInUse { posts: uses as u32 }));
        }
        sqlx::query("DELETE FROM media_assets WHERE id = $1").bind(asset_id).execute(&mut *tx).await?;
        tx.commit().await?;
        if let Err(e) = self.files.delete(&name).await {
            // Its row is gone: the sweep of unrecorded files takes it later.
            tracing::warn!(file = name, error = %e, "cannot delete a media file now");
        }
        Ok(())
    }
}
