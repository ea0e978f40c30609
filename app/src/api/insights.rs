//! The dashboard's data and its refresh button.

use crealia_model::Dashboard;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

use super::json::JsonAnswer;
use crate::error::AppError;

/// The dashboard of one of the creator's accounts (the first when `account` is None).
#[server(input = Json, output = JsonAnswer)]
pub async fn load_dashboard(account: Option<i64>, days: u32) -> Result<Dashboard, AppError> {
    let user = super::auth::require_user()?;
    let services = super::services()?;
    Ok(services.insights.dashboard(user.id, account, days, chrono::Utc::now()).await?)
}

/// Drops the account's cached data so the next load asks Instagram again (once a minute).
#[server(input = Json, output = JsonAnswer)]
pub async fn refresh_insights(account: i64) -> Result<(), AppError> {
    let user = super::auth::require_user()?;
    let services = super::services()?;
    services.insights.refresh(user.id, account).await?;
    Ok(())
}

/// The account the dashboard shows (`account`, or the creator's first): its connection id.
/// Cheap (no Graph API call), so the page's publishing and inbox stay while the insights reload.
#[server(input = Json, output = JsonAnswer)]
pub async fn dashboard_account(account: Option<i64>) -> Result<i64, AppError> {
    let user = super::auth::require_user()?;
    let services = super::services()?;
    Ok(services.connections.shown(user.id, account).await?.id)
}
