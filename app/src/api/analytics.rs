//! The analytics page and the composer's suggestions.

use crealia_model::analytics::Analytics;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

use super::json::JsonAnswer;
use crate::error::AppError;

/// When to post, what works and who the audience is, for one of the creator's accounts (the
/// first when `account` is None), on the creator's clock.
#[server(input = Json, output = JsonAnswer)]
pub async fn load_analytics(account: Option<i64>) -> Result<Analytics, AppError> {
    let user = super::auth::require_user()?;
    let services = super::services()?;
    Ok(services.analytics.load(user.id, account, chrono::Utc::now()).await?)
}
