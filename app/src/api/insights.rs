//! The dashboard's data and its refresh button.

use crealia_model::Dashboard;
use leptos::prelude::*;

use crate::error::AppError;

/// The dashboard of one of the creator's accounts (the first when `account` is None).
#[server]
pub async fn load_dashboard(account: Option<i64>, days: u32) -> Result<Dashboard, AppError> {
    let user = super::auth::require_user()?;
    let services = super::services()?;
    Ok(services.insights.dashboard(user.id, account, days, chrono::Utc::now()).await?)
}

/// Drops the account's cached data so the next load asks Instagram again (once a minute).
#[server]
pub async fn refresh_insights(account: i64) -> Result<(), AppError> {
    let user = super::auth::require_user()?;
    let services = super::services()?;
    services.insights.refresh(user.id, account).await?;
    Ok(())
}
