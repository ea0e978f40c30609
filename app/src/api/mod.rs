//! Server functions. Each one is thin: it takes the services from context, checks the caller,
//! calls one service and maps its error into [`AppError`](crate::error::AppError).
//!
//! Arguments travel as JSON (`input = Json`) and answers as [`json::JsonAnswer`]. Only the
//! functions behind a `<form>` take the form's encoding: signing in and up, signing out and
//! disconnecting an account (they work without the WASM too). The dashboard's WASM then carries
//! no form encoder (`serde_qs`, ~12 KB of code; issue 15, point 8).

pub mod analytics;
pub mod api_tokens;
pub mod auth;
pub mod connections;
pub mod inbox;
pub mod insights;
pub mod json;
pub mod media;
pub mod publishing;
pub mod snippets;
pub mod status;
pub mod system;

#[cfg(feature = "ssr")]
pub(crate) fn services() -> Result<crealia_core::Services, crate::error::AppError> {
    leptos::prelude::use_context::<crealia_core::Services>()
        .ok_or_else(|| crealia_core::Error::Internal("services were not provided to the server function".into()).into())
}

/// The creator's zone: remembered, else UTC.
#[cfg(feature = "ssr")]
pub(crate) async fn time_zone_of(services: &crealia_core::Services, user_id: i64) -> Result<String, crate::error::AppError> {
    Ok(services.accounts.time_zone(user_id).await?.unwrap_or_else(|| "UTC".into()))
}
