//! Caption snippets, hashtag groups and saved replies, from the composer and the inbox.

use crealia_model::snippets::{Snippet, SnippetKind};
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

use super::json::JsonAnswer;
use crate::error::AppError;

#[server(input = Json, output = JsonAnswer)]
pub async fn list_snippets(kind: SnippetKind) -> Result<Vec<Snippet>, AppError> {
    let user = super::auth::require_user()?;
    Ok(super::services()?.snippets.list(user.id, kind).await?)
}

/// Keeps `body` under `name` (replacing a snippet of that name).
#[server(input = Json, output = JsonAnswer)]
pub async fn save_snippet(kind: SnippetKind, name: String, body: String) -> Result<Snippet, AppError> {
    let user = super::auth::require_user()?;
    Ok(super::services()?.snippets.save(user.id, kind, &name, &body).await?)
}

#[server(input = Json, output = JsonAnswer)]
pub async fn delete_snippet(id: i64) -> Result<(), AppError> {
    let user = super::auth::require_user()?;
    Ok(super::services()?.snippets.delete(user.id, id).await?)
}
