//! HTTP routes that are not Leptos pages or server functions.

pub mod api_error;
pub mod export;
pub mod health;
pub mod inbox;
pub mod insights;
pub mod instagram;
pub mod media;
pub mod publishing;
pub mod session;
pub mod status;
pub mod stopping;
pub mod webhooks;
