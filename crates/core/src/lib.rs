//! Crealia's server-side services. Plain structs with async methods, no web framework:
//! the server binary wires them up and the Leptos server functions call them.

pub mod accounts;
pub mod cache;
pub mod connections;
pub mod crypto;
pub mod db;
pub mod error;
pub mod health;
pub mod insights;
pub mod publishing;
pub mod seed;
pub mod tokens;

pub use cache::Cache;
pub use error::{Error, Result};
pub use health::{HealthReport, HealthService};

/// Everything a request handler may need, cheap to clone (every field is a handle).
#[derive(Clone)]
pub struct Services {
    pub db: sqlx::PgPool,
    pub cache: Cache,
    pub health: HealthService,
    pub accounts: accounts::Accounts,
    pub connections: connections::Connections,
    pub tokens: tokens::TokenManager,
    pub insights: insights::Insights,
    pub publishing: publishing::Publishing,
    /// Session cookies get `Secure` when Crealia is served over HTTPS.
    pub secure_cookies: bool,
}

impl Services {
    pub fn new(
        db: sqlx::PgPool,
        cache: Cache,
        graph_target: health::GraphTarget,
        connections: connections::Connections,
        refresh: tokens::RefreshPolicy,
        insights_ttl: insights::InsightsTtl,
        secure_cookies: bool,
    ) -> Self {
        let health = HealthService::new(db.clone(), cache.clone(), graph_target);
        let accounts = accounts::Accounts::new(db.clone());
        let tokens = tokens::TokenManager::new(db.clone(), connections.clone(), refresh);
        let insights = insights::Insights::new(db.clone(), cache.clone(), connections.clone(), insights_ttl);
        let publishing = publishing::Publishing::new(db.clone(), connections.clone());
        Self { db, cache, health, accounts, connections, tokens, insights, publishing, secure_cookies }
    }
}
