//! Builds the application from a [`Config`]: database, cache, services, router, listener.

use std::net::SocketAddr;

use app::{shell, App};
use axum::extract::DefaultBodyLimit;
use axum::extract::FromRef;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::Extension;
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
use tower_http::compression::predicate::{DefaultPredicate, NotForContentType, Predicate};
use tower_http::compression::CompressionLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::timeout::TimeoutLayer;
use tracing::Level;

use crate::config::{Config, ConfigError, Environment, GraphSource};
use crate::routes::{export, health, inbox, insights, instagram, media, publishing, session, status, webhooks};
use crate::security::{bearer, client_ip, cross_site, headers};
use crate::telemetry;
use crealia_core::media::files::MediaFiles;

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
    #[error("DATABASE_URL: cannot read or store this deployment's secrets: {0}")]
    Secrets(String),
    #[error("MEDIA_DIR / MEDIA_STORE_URL: {0}")]
    Media(String),
}

/// The state axum routes and Leptos share (cloned for every request: two pointers). Server
/// functions get `Services` through context.
#[derive(Clone)]
pub struct AppState {
    pub leptos_options: std::sync::Arc<LeptosOptions>,
    pub services: Services,
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        LeptosOptions::clone(&state.leptos_options)
    }
}

impl FromRef<AppState> for Services {
    fn from_ref(state: &AppState) -> Self {
        state.services.clone()
    }
}

pub struct Application {
    listener: TcpListener,
    stopping: tokio::sync::watch::Sender<bool>,
    router: Router,
    services: Services,
    jobs: crate::config::JobSettings,
    /// The Graph API sandbox mounted in this process, which sends its webhooks here.
    sandbox: Option<InProcessSandbox>,
}

struct InProcessSandbox {
    sandbox: crealia_sandbox::Sandbox,
    subscription: crealia_sandbox::webhooks::Subscription,
    admin_token: bearer::BearerToken,
}

/// The secret webhook deliveries are signed with: the Instagram app's, or in sandbox mode a
/// random one this database keeps (every server of a deployment shares it; nobody else knows
/// it, unlike a constant in the source).
pub async fn webhook_secret(config: &Config, pool: &PgPool) -> Result<String, StartupError> {
    match config.app_secret() {
        Some(secret) => Ok(secret.to_string()),
        None => db::instance_secret(pool, db::SANDBOX_WEBHOOK_SECRET).await.map_err(|e| StartupError::Secrets(e.to_string())),
    }
}

/// The services of a Crealia process listening (or to listen) on `local`.
pub fn build_services(config: &Config, pool: PgPool, cache: Cache, local: SocketAddr, webhook_secret: String) -> Result<Services, StartupError> {
    let public_base = public_base_url(config, local);
    let connections = crealia_core::connections::Connections::new(
        pool.clone(),
        token_cipher(config),
        graph_client(config, local),
        format!("{public_base}/api/auth/callback"),
    );
    let settings = crealia_core::ServiceSettings {
        refresh: crealia_core::tokens::RefreshPolicy { window: config.jobs.token_refresh_window, ..Default::default() },
        insights_ttl: config.insights_ttl.clone(),
        public_base,
        media_dir: config.media.dir.clone(),
        media_files: MediaFiles::open(&config.media.location).map_err(|e| StartupError::Media(e.to_string()))?,
        media_limits: crealia_core::media::MediaLimits {
            max_upload_bytes: config.media.max_upload_bytes,
            quota_bytes_per_user: config.media.quota_bytes_per_user,
            uploads_per_minute: config.media.uploads_per_minute,
            min_bytes_per_sec: config.media.min_upload_bytes_per_sec,
        },
        sign_ups_per_hour: config.http.sign_ups_per_hour,
        publish_lease: config.jobs.publish_lease,
        webhook_app_secret: webhook_secret,
        webhook_writers: config.webhooks.writers,
    };
    Ok(Services::new(pool, cache, graph_target(config, local), connections, settings))
}

impl Application {
    /// Connects to the database (creating and migrating it as needed) and binds the listener.
    pub async fn build(config: Config) -> Result<Self, StartupError> {
        let pool = db::connect(&config.database).await.map_err(StartupError::Database)?;
        Self::build_with_pool(config, pool).await
    }

    /// Same as [`build`](Self::build) with a pool made elsewhere (tests use isolated databases).
    pub async fn build_with_pool(config: Config, pool: PgPool) -> Result<Self, StartupError> {
        crate::metrics::install();
        db::migrate(&pool).await.map_err(StartupError::Migrate)?;
        // Keys name connections by id, and ids start again in every database: a Redis shared
        // by several databases (tests, a re-created development database) keeps them apart.
        let database = db::identity(&pool)
            .await
            .map_err(|e| StartupError::Database(DbError::Connect { target: db::describe_target(&config.database.url), reason: e.to_string() }))?;
        let cache_settings = crealia_core::cache::CacheSettings { namespace: format!("{}:{database}", config.cache.namespace), ..config.cache.clone() };
        let cache = Cache::connect(&cache_settings).await.map_err(|e| StartupError::Redis(e.to_string()))?;
        let listener = TcpListener::bind(config.addr).await.map_err(|e| StartupError::Bind { addr: config.addr, reason: e.to_string() })?;
        let local = listener.local_addr().map_err(|e| StartupError::Bind { addr: config.addr, reason: e.to_string() })?;
        let secret = webhook_secret(&config, &pool).await?;
        let services = build_services(&config, pool, cache, local, secret.clone())?;
        let sandbox = match &config.graph {
            GraphSource::Sandbox { base_url: None, seed } => {
                // The in-process sandbox fetches media only from this Crealia: never a URL
                // that points into the machine or the network it runs in.
                let own = vec![cross_site::origin_of(&public_url(&config, local)), loopback(local)];
                let sandbox = crealia_sandbox::Sandbox::new(crealia_sandbox::SandboxConfig {
                    seed: *seed,
                    fetch_allowed_origins: Some(own),
                    // Its pictures are loaded by the creator's browser, from this Crealia.
                    public_url: Some(format!("{}/sandbox", public_base_url(&config, local))),
                    ..Default::default()
                });
                let subscription = crealia_sandbox::webhooks::Subscription {
                    callback_url: format!("{}{WEBHOOK_PATH}", loopback(local)),
                    verify_token: config.webhooks.verify_token.expose().to_string(),
                    app_secret: Some(secret),
                    timeout_ms: None,
                };
                let token = match &config.sandbox_admin_token {
                    Some(t) => t.expose().to_string(),
                    None => {
                        let token = hex::encode(crealia_core::crypto::random_bytes::<24>());
                        // Printed once, to the terminal, never to the logs.
                        eprintln!(
                            "crealia: the Graph API sandbox's admin API is at /sandbox/__admin with `Authorization: Bearer {token}` \
                             (set SANDBOX_ADMIN_TOKEN to choose it)"
                        );
                        token
                    }
                };
                Some(InProcessSandbox { sandbox, subscription, admin_token: bearer::BearerToken::new(&token) })
            }
            _ => None,
        };
        let (stopping, stopping_rx) = tokio::sync::watch::channel(false);
        let router = router(&config, local, services.clone(), sandbox.as_ref()).layer(Extension(crate::routes::stopping::Stopping(stopping_rx)));
        Ok(Self { listener, stopping, router, services, jobs: config.jobs.clone(), sandbox })
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
        if let Some(InProcessSandbox { sandbox, subscription, .. }) = self.sandbox {
            // As a Meta app's Webhooks settings would: the sandbox checks the callback with
            // the handshake, then delivers its comments, mentions and messages here. It starts
            // empty with every server start, so the connected accounts subscribe again.
            let connections = self.services.connections.clone();
            tokio::spawn(async move {
                for attempt in 1..=5u64 {
                    match crealia_sandbox::webhooks::subscribe(&sandbox, subscription.clone()).await {
                        Ok(()) => {
                            let accounts = connections.resubscribe_webhooks().await;
                            return tracing::info!(callback = %subscription.callback_url, ?accounts, "the sandbox sends its webhooks here");
                        }
                        Err(e) => {
                            tracing::warn!(error = %e, attempt, "the sandbox could not subscribe to this server's webhooks")
                        }
                    }
                    tokio::time::sleep(std::time::Duration::from_secs(attempt)).await;
                }
            });
        }
        let stopping = self.stopping;
        // Answers leave at once: without TCP_NODELAY the kernel may hold a small response back
        // until the client has acknowledged what was sent before it (Nagle's algorithm).
        let listener = axum::serve::ListenerExt::tap_io(self.listener, |tcp: &mut tokio::net::TcpStream| {
            if let Err(e) = tcp.set_nodelay(true) {
                tracing::debug!(error = %e, "cannot set TCP_NODELAY on a connection");
            }
        });
        axum::serve(listener, self.router.into_make_service_with_connect_info::<SocketAddr>())
            .with_graceful_shutdown(async move {
                shutdown_signal().await;
                let _ = stopping.send(true);
            })
            .await
    }
}

/// Where Meta sends webhooks, under PUBLIC_BASE_URL.
pub const WEBHOOK_PATH: &str = "/api/webhooks/instagram";

fn loopback(local: SocketAddr) -> String {
    let host = if local.ip().is_unspecified() { "127.0.0.1".to_string() } else { local.ip().to_string() };
    format!("http://{host}:{}", local.port())
}

/// Where people reach Crealia: PUBLIC_BASE_URL, or this listener.
fn public_url(config: &Config, local: SocketAddr) -> url::Url {
    config.public_base_url.clone().unwrap_or_else(|| url::Url::parse(&loopback(local)).expect("a loopback URL parses"))
}

/// [`public_url`] as text without a trailing slash.
fn public_base_url(config: &Config, local: SocketAddr) -> String {
    public_url(config, local).as_str().trim_end_matches('/').to_string()
}

/// The origins Crealia's pages are served from: PUBLIC_BASE_URL's; in development without it,
/// this listener's under each loopback name too (127.0.0.1, localhost, [::1]).
fn own_origins(config: &Config, local: SocketAddr) -> Vec<String> {
    let mut origins = vec![cross_site::origin_of(&public_url(config, local))];
    if config.public_base_url.is_none() && config.environment == Environment::Development {
        for host in ["127.0.0.1", "localhost", "[::1]"] {
            origins.push(format!("http://{host}:{}", local.port()));
        }
    }
    origins.dedup();
    origins
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

fn router(config: &Config, local: SocketAddr, services: Services, sandbox: Option<&InProcessSandbox>) -> Router {
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
    let state = AppState { leptos_options: std::sync::Arc::new(leptos_options.clone()), services: services.clone() };
    let services_for_sessions = services.clone();
    // The consent page a connection starts at (Instagram's, or an external sandbox's).
    let consent = cross_site::origin_of(&services.connections.graph().endpoints().authorize_url);
    let routes = generate_route_list(App);
    let context = move || provide_context(services.clone());

    // Every page and API request: an id, a trace span, compression.
    let middleware =
        ServiceBuilder::new()
            .layer(telemetry::set_request_id())
            .layer(telemetry::trace_layer(Level::INFO))
            .layer(telemetry::propagate_request_id())
            // Videos and other media are sent as stored: compressing them costs CPU for nothing,
            // and a visitor could make the server do it over 300 MB files again and again.
            .layer(CompressionLayer::new().compress_when(
                DefaultPredicate::new().and(NotForContentType::const_new("video/")).and(NotForContentType::const_new("application/octet-stream")),
            ));

    let mut router = Router::<AppState>::new();
    if let Some(s) = sandbox {
        // What Meta has, for everyone; the admin API only with its bearer token.
        let admin = s.sandbox.admin_router().layer(axum::middleware::from_fn_with_state(s.admin_token.clone(), bearer::require));
        router = router.nest_service("/sandbox/__admin", admin).nest_service("/sandbox", s.sandbox.public_router());
    }

    let router = router
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        // Starting a connection is a POST from Crealia's own page (a cross-site page cannot
        // send a victim through Instagram's consent); a GET only leads to that page.
        .route("/api/auth/instagram/start", get(instagram::start_page).post(instagram::start))
        .route("/api/auth/callback", get(instagram::callback))
        .route("/api/instagram/insights", get(insights::get))
        .route("/api/instagram/export/{file}", get(export::get))
        .route("/api/status", get(status::get))
        .route("/api/openapi.json", get(crate::openapi::json))
        .route("/api/docs", get(crate::openapi::docs))
        .route("/api/instagram/publish", post(publishing::publish))
        .route("/api/instagram/schedule", get(publishing::list).post(publishing::schedule))
        .route("/api/instagram/schedule/{id}", get(publishing::get).patch(publishing::edit).delete(publishing::cancel))
        .route("/api/instagram/schedule/{id}/retry", post(publishing::retry))
        .route("/api/media/{id}/reframe", post(media::reframe))
        .route("/api/instagram/inbox", get(inbox::list))
        .route("/api/instagram/inbox/read", post(inbox::read))
        .route("/api/instagram/inbox/stream", get(inbox::stream))
        .route("/api/instagram/inbox/{id}", axum::routing::delete(inbox::delete))
        .route("/api/instagram/inbox/{id}/reply", post(inbox::reply))
        .route("/api/instagram/inbox/{id}/hide", post(inbox::hide))
        .route(&format!("{}/{{name}}", crealia_core::media::MEDIA_PATH), get(media::serve))
        .leptos_routes_with_context(&state, routes, context.clone(), {
            let options = leptos_options.clone();
            move || shell(options.clone())
        })
        .fallback(leptos_axum::file_and_error_handler_with_context::<AppState, _>(context, shell))
        // Everything but uploads: small bodies, a time limit.
        .layer(RequestBodyLimitLayer::new(config.http.body_limit_bytes))
        .layer(TimeoutLayer::with_status_code(StatusCode::REQUEST_TIMEOUT, config.http.request_timeout));

    // Uploads stream to disk under their own limit, and take as long as the network needs.
    let uploads = Router::<AppState>::new().route("/api/media", post(media::upload)).layer(DefaultBodyLimit::disable());

    // Meta's deliveries, server to server, thousands a second at peak: their own body limit
    // (413 above it), the signature checked on the raw bytes before anything else, and none of
    // a browser's layers (session, cross-site check, security headers, compression). Each is
    // logged at debug when stored, at warn or error when refused.
    let webhooks = Router::<AppState>::new()
        .route(WEBHOOK_PATH, get(webhooks::handshake).post(webhooks::deliver))
        .layer(Extension(webhooks::VerifyToken(config.webhooks.verify_token.clone())))
        .layer(DefaultBodyLimit::max(config.webhooks.max_body_bytes))
        .layer(TimeoutLayer::with_status_code(StatusCode::SERVICE_UNAVAILABLE, config.http.request_timeout))
        .with_state(state.clone())
        .layer(tower_http::catch_panic::CatchPanicLayer::custom(|_| crate::routes::api_error::internal()))
        .layer(ServiceBuilder::new().layer(telemetry::set_request_id()).layer(telemetry::trace_layer(Level::DEBUG)).layer(telemetry::propagate_request_id()));

    // Prometheus's scrape, with its bearer token; without METRICS_TOKEN the route does not exist.
    let scrape = match &config.metrics_token {
        Some(token) => Router::<AppState>::new()
            .route("/metrics", get(crate::metrics::render))
            .with_state(state.clone())
            .layer(axum::middleware::from_fn_with_state(bearer::BearerToken::new(token.expose()), bearer::require)),
        None => Router::new(),
    };

    let https = public_url(config, local).scheme() == "https";
    let own = own_origins(config, local);
    let form_origins: Vec<String> = Some(consent).into_iter().filter(|o| !own.contains(o)).collect();
    let security_headers = headers::SecurityHeaders::new(https, &form_origins, config.environment == Environment::Development);
    let same_origin = cross_site::SameOrigin::new(own);
    let proxies = client_ip::TrustedProxies { networks: std::sync::Arc::new(config.http.trusted_proxies.clone()), header: config.http.proxy_header };

    router
        .merge(uploads)
        .layer(axum::middleware::from_fn_with_state(services_for_sessions, session::resolve))
        .layer(axum::middleware::from_fn_with_state(proxies, client_ip::resolve))
        .layer(axum::middleware::from_fn_with_state(same_origin, cross_site::refuse))
        .with_state(state)
        // No input panics a handler; if one ever did, the client gets a 500, not a dropped
        // connection, and the process goes on.
        .layer(tower_http::catch_panic::CatchPanicLayer::custom(|_| crate::routes::api_error::internal()))
        .layer(axum::middleware::from_fn_with_state(security_headers, headers::apply))
        .layer(middleware)
        .merge(webhooks)
        .merge(scrape)
        // Every request counted under its route's pattern.
        .layer(axum::middleware::from_fn(crate::metrics::track))
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
