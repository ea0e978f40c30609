//! The media library as server functions: the creator's uploads, one of them, deleting an
//! unused one.

use crealia_model::publishing::{MediaAsset, MediaLibrary};
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

use super::json::JsonAnswer;
use crate::error::AppError;

#[server(input = Json, output = JsonAnswer)]
pub async fn load_library() -> Result<MediaLibrary, AppError> {
    let user = super::auth::require_user()?;
    Ok(super::services()?.media.library(user.id).await?)
}

/// One of the creator's uploads (the composer opened from the library with it).
#[server(input = Json, output = JsonAnswer)]
pub async fn uploaded_media(id: i64) -> Result<MediaAsset, AppError> {
    let user = super::auth::require_user()?;
    Ok(super::services()?.media.get(user.id, id).await?)
}

/// Deletes an upload no post uses.
#[server(input = Json, output = JsonAnswer)]
pub async fn delete_media(id: i64) -> Result<(), AppError> {
    let user = super::auth::require_user()?;
    super::services()?.media.delete_unused(user.id, id).await?;
    Ok(())
}
