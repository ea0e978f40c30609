//! The creator's Instagram connections: list and disconnect. Connecting is a redirect flow
//! (`/api/auth/instagram/start`), not a server function.

use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use serde::{Deserialize, Serialize};

use super::json::JsonAnswer;
use crate::error::AppError;
pub use crealia_model::ConnectionState;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Connection {
    pub id: i64,
    pub username: String,
    pub name: Option<String>,
    pub profile_picture_url: Option<String>,
    pub state: ConnectionState,
    /// Days until the token expires, when known.
    pub expires_in_days: Option<i64>,
    /// Posts waiting to go out from it: disconnecting cancels them.
    pub pending_posts: i64,
}

#[server(input = Json, output = JsonAnswer)]
pub async fn list_connections() -> Result<Vec<Connection>, AppError> {
    let user = super::auth::require_user()?;
    let services = super::services()?;
    let now = chrono_now();
    let pending = services.publishing.pending_per_connection(user.id).await?;
    Ok(services
        .connections
        .list(user.id)
        .await?
        .into_iter()
        .map(|c| Connection {
            id: c.id,
            username: c.username,
            name: c.name,
            profile_picture_url: c.profile_picture_url,
            state: c.state,
            expires_in_days: c.token_expires_at.map(|at| (at.timestamp() - now) / 86_400),
            pending_posts: pending.get(&c.id).copied().unwrap_or(0),
        })
        .collect())
}

#[cfg(feature = "ssr")]
fn chrono_now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or_default()
}

#[server(output = JsonAnswer)]
pub async fn disconnect_connection(id: i64) -> Result<(), AppError> {
    let user = super::auth::require_user()?;
    let services = super::services()?;
    services.publishing.disconnect_account(user.id, id).await?;
    Ok(())
}
