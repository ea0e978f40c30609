//! The control room's server functions: the creator's status, and a connection checked now.

use crealia_model::status::Status;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

use super::json::JsonAnswer;
use crate::error::AppError;

/// The signed-in creator's accounts and the services' health (as `GET /api/status`).
#[server(input = Json, output = JsonAnswer)]
pub async fn load_status() -> Result<Status, AppError> {
    let user = super::auth::require_user()?;
    let services = super::services()?;
    Ok(services.status.status(user.id, chrono::Utc::now()).await?)
}

/// Asks Instagram whether the account's access still works (at most once per 5 s per account):
/// true if it does; false when it must be reconnected (it is then marked so everywhere).
#[server(input = Json, output = JsonAnswer)]
pub async fn check_connection(connection: i64) -> Result<bool, AppError> {
    let user = super::auth::require_user()?;
    let services = super::services()?;
    Ok(services.tokens.check_now(&services.cache, user.id, connection).await?)
}
