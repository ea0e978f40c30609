//! Builds the application from a [`Config`]: database, cache, services, router, listener.

use std::net::SocketAddr;

use app::{shell, App};
use axum::extract::FromRef;
use axum::http::StatusCode;
use axum::routing::get;
use axum::Router;
use crealia_core::cache::Cache;
use crealia_core::db::{self, DbError};
use crealia_core::health::GraphTarget;
use crealia_core::Services;
use leptos::config::LeptosOptions;
use leptos::prelude::provide_context;
use leptos_axum::{generate_route_list, LeptosRoutes};
use sqlx::PgPool;
use thiserror::Error;
use tokio::net::TcpListener;
use tower::ServiceBuilder;
use tower_http::compression::CompressionLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::timeout::TimeoutLayer;

use crate::config::{Config, ConfigError, Environment, GraphSource};
use crate::routes::{health, insights, instagram, publishing, session};
use crate::telemetry;

/// Why Crealia could not start, each displayed as one line that says what to do.
#[derive(Debug, Error)]
pub enum StartupError {
    #[error("{0}")]
    Config(#[from] ConfigError),
    #[error("DATABASE_URL: {0}. Start PostgreSQL or point DATABASE_URL at a running server.")]
    Database(DbError),
    #[error("DATABASE_URL: {0}")]
    Migrate(DbError),
    #[error("REDIS_URL: {0}. Fix the URL or unset it to cache in-process only.")]
    Redis(String),
    #[error("the server stopped: {0}")]
    Serve(std::io::Error),
    #[error("seeding failed: {0}")]
    Seed(crealia_core::Error),
    #[error("LEPTOS_SITE_ADDR: cannot listen on {addr}: {reason}. Choose a free port or stop what uses it.")]
    Bind { addr: SocketAddr, reason: String },
}

/// The state axum routes and Leptos share. Server functions get `Services` through context.
#[derive(Clone, FromRef)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub services: Services,
}

pub struct Application {
    listener: TcpListener,
    router: Router,
    services: Services,
    jobs: crate::config::JobSettings,
}

/// The services of a Crealia process listening (or to listen) on `local`.
pub fn build_services(config: &Config, pool: PgPool, cache: Cache, local: SocketAddr) -> Services {
    let public_base = public_base_url(config, local);
    let connections = crealia_core::connections::Connections::new(
        pool.clone(),
        token_cipher(config),
        graph_client(config, local),
        format!("{public_base}/api/auth/callback"),
    );
    let secure = public_base.starts_with("https://");
    let refresh = crealia_core::tokens::RefreshPolicy { window: config.jobs.token_refresh_window, ..Default::default() };
    Services::new(pool, cache, graph_target(config, local), connections, refresh, config.insights_ttl.clone(), secure)
}

impl Application {
    /// Connects to the database (creating and migrating it as needed) and binds the listener.
    pub async fn build(config: Config) -> Result<Self, StartupError> {
        let pool = db::connect(&config.database).await.map_err(StartupError::Database)?;
        Self::build_with_pool(config, pool).await
    }

    /// Same as [`build`](Self::build) with a pool made elsewhere (tests use isolated databases).
    pub async fn build_with_pool(config: Config, pool: PgPool) -> Result<Self, StartupError> {
        db::migrate(&pool).await.map_err(StartupError::Migrate)?;
        let cache = Cache::connect(&config.cache).await.map_err(|e| StartupError::Redis(e.to_string()))?;
        let listener = TcpListener::bind(config.addr)
            .await
            .map_err(|e| StartupError::Bind { addr: config.addr, reason: e.to_string() })?;
        let local = listener.local_addr().map_err(|e| StartupError::Bind { addr: config.addr, reason: e.to_string() })?;
        let services = build_services(&config, pool, cache, local);
        let router = router(&config, local, services.clone());
        Ok(Self { listener, router, services, jobs: config.jobs.clone() })
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.listener.local_addr().expect("a bound listener has an address")
    }

    pub fn services(&self) -> &Services {
        &self.services
    }

    /// Serves until Ctrl-C or SIGTERM, then lets requests in flight finish.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        tracing::info!(addr = %self.local_addr(), "Crealia is listening");
        if self.jobs.enabled {
            crate::jobs::spawn(self.services.clone(), self.jobs.clone());
        }
        axum::serve(self.listener, self.router.into_make_service_with_connect_info::<SocketAddr>())
            .with_graceful_shutdown(shutdown_signal())
            .await
    }
}

fn loopback(local: SocketAddr) -> String {
    let host = if local.ip().is_unspecified() { "127.0.0.1".to_string() } else { local.ip().to_string() };
    format!("http://{host}:{}", local.port())
}

/// Where people reach Crealia (no trailing slash): PUBLIC_BASE_URL, or this listener.
fn public_base_url(config: &Config, local: SocketAddr) -> String {
    match &config.public_base_url {
        Some(url) => url.as_str().trim_end_matches('/').to_string(),
        None => loopback(local),
    }
}

fn token_cipher(config: &Config) -> crealia_core::crypto::TokenCipher {
    use crealia_core::crypto::{TokenCipher, TokenKey};
    // Both were validated when the configuration was read.
    let current = TokenKey::from_base64(config.token_key.expose()).expect("validated key");
    let retired = config.retired_token_keys.iter().map(|k| TokenKey::from_base64(k.expose()).expect("validated key")).collect();
    TokenCipher::new(current, retired)
}

/// The Graph API client: Meta's hosts with the app's credentials, or the sandbox's.
fn graph_client(config: &Config, local: SocketAddr) -> crealia_graph::client::GraphClient {
    use crealia_graph::client::{Endpoints, GraphClient};
    let timeout = std::time::Duration::from_secs(20);
    let sandbox = crealia_sandbox::SandboxConfig::default();
    match &config.graph {
        GraphSource::Meta { app_id, app_secret, base_url } => {
            let endpoints = if base_url.as_str() == "https://graph.instagram.com/" { Endpoints::meta() } else { Endpoints::under(base_url) };
            GraphClient::new(endpoints, app_id.clone(), app_secret.expose().to_string(), timeout)
        }
        GraphSource::Sandbox { base_url, .. } => {
            let base = base_url.clone().unwrap_or_else(|| url::Url::parse(&format!("{}/sandbox/", loopback(local))).expect("valid"));
            GraphClient::new(Endpoints::under(&base), sandbox.app_id, sandbox.app_secret, timeout)
        }
    }
}

/// Where Graph API calls go once the listener's port is known.
fn graph_target(config: &Config, local: SocketAddr) -> GraphTarget {
    match &config.graph {
        GraphSource::Meta { base_url, .. } => GraphTarget { mode: "meta", base_url: base_url.to_string() },
        GraphSource::Sandbox { base_url: Some(url), .. } => GraphTarget { mode: "sandbox", base_url: url.to_string() },
        GraphSource::Sandbox { base_url: None, .. } => GraphTarget { mode: "sandbox", base_url: format!("{}/sandbox/", loopback(local)) },
    }
}

fn router(config: &Config, local: SocketAddr, services: Services) -> Router {
    let leptos_options = LeptosOptions::builder()
        .output_name(config.output_name.clone())
        .site_root(config.site_root.clone())
        .site_pkg_dir(config.site_pkg_dir.clone())
        .site_addr(local)
        .env(match config.environment {
            Environment::Development => leptos::config::Env::DEV,
            Environment::Production => leptos::config::Env::PROD,
        })
        .build();
    let state = AppState { leptos_options: leptos_options.clone(), services: services.clone() };
    let services_for_sessions = services.clone();
    let routes = generate_route_list(App);
    let context = move || provide_context(services.clone());

    let middleware = ServiceBuilder::new()
        .layer(telemetry::set_request_id())
        .layer(telemetry::trace_layer())
        .layer(telemetry::propagate_request_id())
        .layer(CompressionLayer::new())
        .layer(RequestBodyLimitLayer::new(config.http.body_limit_bytes))
        .layer(TimeoutLayer::with_status_code(StatusCode::REQUEST_TIMEOUT, config.http.request_timeout));

    let mut router = Router::<AppState>::new();
    if let GraphSource::Sandbox { base_url: None, seed } = &config.graph {
        let sandbox = crealia_sandbox::Sandbox::new(crealia_sandbox::SandboxConfig { seed: *seed, ..Default::default() });
        router = router.nest_service("/sandbox", sandbox.router());
    }

    router
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .route("/api/auth/instagram/start", get(instagram::start))
        .route("/api/auth/callback", get(instagram::callback))
        .route("/api/instagram/insights", get(insights::get))
        .route("/api/instagram/publish", axum::routing::post(publishing::publish))
        .route("/api/instagram/schedule", get(publishing::list).post(publishing::schedule))
        .route("/api/instagram/schedule/{id}", axum::routing::delete(publishing::cancel))
        .leptos_routes_with_context(&state, routes, context.clone(), {
            let options = leptos_options.clone();
            move || shell(options.clone())
        })
        .fallback(leptos_axum::file_and_error_handler_with_context::<AppState, _>(context, shell))
        .layer(axum::middleware::from_fn_with_state(services_for_sessions, session::resolve))
        .with_state(state)
        .layer(middleware)
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = terminate => {} }
    tracing::info!("shutting down");
}
