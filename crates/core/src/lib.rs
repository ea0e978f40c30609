//! Crealia's server-side services. Plain structs with async methods, no web framework:
//! the server binary wires them up and the Leptos server functions call them.

pub mod account;
pub mod account_cache;
pub mod accounts;
pub mod analytics;
pub mod api_tokens;
pub mod cache;
pub mod connections;
pub mod creator_memo;
pub mod crypto;
pub mod db;
pub mod error;
pub mod export;
pub mod health;
pub mod inbox;
pub mod insights;
pub mod lookups;
pub mod media;
pub mod per_minute;
pub mod publishing;
pub mod recent;
pub mod seed;
pub mod snippets;
pub mod status;
pub mod time_zones;
pub mod tokens;
pub mod webhooks;

pub use cache::Cache;
pub use error::{Error, Result};
pub use health::{HealthReport, HealthService};

/// Everything a request handler may need: one pointer, so that handing it to a request (axum
/// clones its state for every one) costs one atomic increment, not one per service. Its
/// fields are read through `Deref` (`services.webhooks`).
#[derive(Clone)]
pub struct Services(std::sync::Arc<ServiceSet>);

impl std::ops::Deref for Services {
    type Target = ServiceSet;
    fn deref(&self) -> &ServiceSet {
        &self.0
    }
}

/// The services themselves (each a handle to shared state).
pub struct ServiceSet {
    pub db: sqlx::PgPool,
    pub cache: Cache,
    pub health: HealthService,
    pub accounts: accounts::Accounts,
    pub connections: connections::Connections,
    pub tokens: tokens::TokenManager,
    pub insights: insights::Insights,
    pub analytics: analytics::Analytics,
    pub publishing: publishing::Publishing,
    pub media: media::MediaStore,
    pub webhooks: webhooks::Webhooks,
    pub inbox: inbox::Inbox,
    pub status: status::StatusService,
    pub api_tokens: api_tokens::ApiTokens,
    pub snippets: snippets::Snippets,
    /// Session cookies get `Secure` when Crealia is served over HTTPS.
    pub secure_cookies: bool,
}

/// How the services are set up, beyond their connections.
#[derive(Clone)]
pub struct ServiceSettings {
    pub refresh: tokens::RefreshPolicy,
    pub insights_ttl: insights::InsightsTtl,
    /// Where people and Instagram reach Crealia (no trailing slash).
    pub public_base: String,
    /// Where uploads in progress are written on this machine.
    pub media_dir: std::path::PathBuf,
    /// Where media files are stored (the folder above, or a store all servers share).
    pub media_files: media::files::MediaFiles,
    /// What a creator may spend on uploads.
    pub media_limits: media::MediaLimits,
    /// Sign-ups one client address may make in an hour.
    pub sign_ups_per_hour: i64,
    /// How long a scheduler's claim on a post lasts without progress.
    pub publish_lease: std::time::Duration,
    /// Signs Meta's webhook deliveries (the Instagram app secret, or the sandbox's).
    pub webhook_app_secret: String,
    /// Connections inserting webhook deliveries at the same time.
    pub webhook_writers: u32,
}

impl Services {
    pub fn new(db: sqlx::PgPool, cache: Cache, graph_target: health::GraphTarget, connections: connections::Connections, settings: ServiceSettings) -> Self {
        let health = HealthService::new(db.clone(), cache.clone(), graph_target);
        let throttle = accounts::ThrottlePolicy { sign_ups_per_hour: settings.sign_ups_per_hour, ..Default::default() };
        // One listener keeps this process's sessions and connections current.
        let hub = lookups::Hub::new(db.clone());
        let connections = connections.with_hub(&hub);
        let accounts = accounts::Accounts::with_hub(db.clone(), &hub).with_throttle(throttle);
        let tokens = tokens::TokenManager::new(db.clone(), connections.clone(), settings.refresh);
        let insights = insights::Insights::new(cache.clone(), connections.clone(), settings.insights_ttl);
        let analytics = analytics::Analytics::new(cache.clone(), connections.clone(), accounts.clone(), insights.clone());
        let media = media::MediaStore::new(db.clone(), settings.media_dir, settings.media_files, &settings.public_base, settings.media_limits);
        let inbox = inbox::Inbox::new(db.clone(), cache.clone(), connections.clone());
        let publishing =
            publishing::Publishing::new(db.clone(), connections.clone(), media.clone()).with_lease(settings.publish_lease).with_live(inbox.live().clone());
        let webhooks = webhooks::Webhooks::new(db.clone(), &settings.webhook_app_secret, settings.webhook_writers);
        let status = status::StatusService::new(db.clone(), health.clone(), cache.clone(), connections.clone(), insights.clone(), webhooks.clone())
            .with_live(inbox.live().clone());
        let api_tokens = api_tokens::ApiTokens::new(db.clone());
        let snippets = snippets::Snippets::new(db.clone());
        let secure_cookies = settings.public_base.starts_with("https://");
        Services(std::sync::Arc::new(ServiceSet {
            db,
            cache,
            health,
            accounts,
            connections,
            tokens,
            insights,
            analytics,
            publishing,
            media,
            webhooks,
            inbox,
            status,
            api_tokens,
            snippets,
            secure_cookies,
        }))
    }
}
