//! HTTP routes that are not Leptos pages or server functions.

pub mod health;
pub mod insights;
pub mod instagram;
pub mod session;
