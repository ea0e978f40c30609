//! Personal API tokens, from the settings page.

use crealia_model::api_tokens::{ApiTokenView, NewApiToken, Scope};
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

use super::json::JsonAnswer;
use crate::error::AppError;

#[server(input = Json, output = JsonAnswer)]
pub async fn list_api_tokens() -> Result<Vec<ApiTokenView>, AppError> {
    let user = super::auth::require_user()?;
    let services = super::services()?;
    Ok(services.api_tokens.list(user.id).await?)
}

/// Makes a token; its value is in the answer only.
#[server(input = Json, output = JsonAnswer)]
pub async fn create_api_token(name: String, scopes: Vec<Scope>) -> Result<NewApiToken, AppError> {
    let user = super::auth::require_user()?;
    let services = super::services()?;
    Ok(services.api_tokens.create(user.id, &name, &scopes).await?)
}

#[server(input = Json, output = JsonAnswer)]
pub async fn revoke_api_token(id: i64) -> Result<(), AppError> {
    let user = super::auth::require_user()?;
    let services = super::services()?;
    Ok(services.api_tokens.revoke(user.id, id).await?)
}
