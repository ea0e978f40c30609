//! The Crealia server: configuration, start-up, the HTTP router and its non-Leptos routes.

pub mod cli;
pub mod config;
pub mod jobs;
pub mod metrics;
pub mod openapi;
pub mod routes;
pub mod security;
pub mod startup;
pub mod telemetry;
