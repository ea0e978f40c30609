use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use serde::{Deserialize, Serialize};

use super::json::JsonAnswer;
use crate::error::AppError;

/// What the status panel shows: the state of each dependency, with no internal detail.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SystemHealth {
    pub overall: String,
    pub database: String,
    pub cache: String,
    pub cache_backend: String,
    pub graph_api: String,
    pub graph_mode: String,
    pub webhooks: String,
    /// Deliveries waiting to be processed (for signed-in creators only).
    pub webhooks_pending: Option<i64>,
}

#[server(input = Json, output = JsonAnswer)]
pub async fn system_status() -> Result<SystemHealth, AppError> {
    let services = super::services()?;
    let report = services.health.report().await;
    let signed_in = super::auth::session().user.is_some();
    let checks = report.checks;
    Ok(SystemHealth {
        overall: report.status.as_str().into(),
        database: checks.database.status.as_str().into(),
        cache: checks.cache.status.as_str().into(),
        cache_backend: checks.cache.backend.as_str().into(),
        graph_api: checks.graph_api.probe.status.as_str().into(),
        graph_mode: checks.graph_api.target.mode.into(),
        webhooks: checks.webhooks.status.as_str().into(),
        webhooks_pending: signed_in.then_some(checks.webhooks.pending),
    })
}
