//! The live inbox, as server functions (the live feed itself is the SSE route
//! `/api/instagram/inbox/stream`).

use crealia_model::inbox::{Inbox, UnreadCounts};
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

use super::json::JsonAnswer;
use crate::error::AppError;

/// The newest items of `kind` ("comment", "mention", "message"; all when None).
#[server(input = Json, output = JsonAnswer)]
pub async fn load_inbox(kind: Option<String>) -> Result<Inbox, AppError> {
    let user = super::auth::require_user()?;
    let services = super::services()?;
    let time_zone = super::time_zone_of(&services, user.id).await?;
    Ok(services.inbox.list(user.id, kind.as_deref().and_then(crealia_model::inbox::InboxKind::parse), &time_zone).await?)
}

/// Marks one item read, or every item of `kind` when `id` is None.
#[server(input = Json, output = JsonAnswer)]
pub async fn mark_read(id: Option<i64>, kind: Option<String>) -> Result<UnreadCounts, AppError> {
    let user = super::auth::require_user()?;
    let ids = id.map(|i| vec![i]);
    Ok(super::services()?.inbox.mark_read(user.id, ids.as_deref(), kind.as_deref().and_then(crealia_model::inbox::InboxKind::parse)).await?)
}

#[server(input = Json, output = JsonAnswer)]
pub async fn reply_to_comment(id: i64, text: String) -> Result<(), AppError> {
    let user = super::auth::require_user()?;
    Ok(super::services()?.inbox.reply(user.id, id, &text).await?)
}

#[server(input = Json, output = JsonAnswer)]
pub async fn hide_comment(id: i64, hidden: bool) -> Result<(), AppError> {
    let user = super::auth::require_user()?;
    Ok(super::services()?.inbox.hide(user.id, id, hidden).await?)
}

#[server(input = Json, output = JsonAnswer)]
pub async fn delete_comment(id: i64) -> Result<(), AppError> {
    let user = super::auth::require_user()?;
    Ok(super::services()?.inbox.delete(user.id, id).await?)
}
