//! Crealia's Graph API sandbox: an offline imitation of Meta's Instagram API that follows
//! `../shared/graph-api-contract.md` (paths, parameters, JSON shapes, error codes, headers).
//!
//! It runs in-process (the app nests [`Sandbox::router`] under `/sandbox`) or as its own
//! binary. Tests steer it through the admin API under `/__admin`: the clock, faults, tokens.

pub mod admin;
pub mod call;
pub mod clock;
pub mod error;
pub mod faults;
pub mod files;
pub mod graph;
pub mod insights;
pub mod oauth;
pub mod params;
pub mod places;
pub mod publish;
pub mod rng;
pub mod usage;
pub mod webhooks;
pub mod world;

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use axum::routing::{get, post};
use axum::Router;

pub use clock::Clock;
pub use world::{demo_token, World};

/// The shape `POST /oauth/access_token` answers with (the contract's first open point).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TokenShape {
    /// `{"access_token", "user_id": 2764…, "permissions": [...]}` as observed.
    Flat,
    /// `{"data": [{...}]}` as documented.
    Wrapped,
}

#[derive(Clone, Debug)]
pub struct SandboxConfig {
    /// Makes the world reproducible.
    pub seed: u64,
    pub app_id: String,
    pub app_secret: String,
    pub token_shape: TokenShape,
    /// Posts per rolling 24 h (`content_publishing_limit`); Meta's pages say 50 or 100.
    pub quota_total: u32,
    pub api_version: String,
    /// How long a video container stays IN_PROGRESS (sandbox clock seconds).
    pub video_processing_secs: i64,
    /// Accept PNG and GIF images, as third parties report Meta does in practice.
    pub lenient_image_formats: bool,
    /// Calls per hour per Instagram account before error 80002.
    pub account_calls_per_hour: u32,
    /// Calls per hour for the whole app before error 4.
    pub app_calls_per_hour: u32,
    pub fetch_timeout: Duration,
    /// A day's insights appear once the day ended this long ago (Meta: up to 48 h).
    pub insights_delay_secs: i64,
    /// Demo mode: a random comment, mention or message this often (real time) once a webhook
    /// subscription exists.
    pub demo_event_interval: Option<Duration>,
    /// Where media may be fetched from (`scheme://host:port` origins). `None`: anywhere, as
    /// Meta does from the internet; a sandbox mounted inside Crealia fetches only Crealia's
    /// own media, so no one can make it a port scanner of the machine it runs on.
    pub fetch_allowed_origins: Option<Vec<String>>,
    /// Where this sandbox is reached (`scheme://host:port[/prefix]`): the seeded posts' pictures
    /// and the avatars are served from there (`/files/…`). `None`: they point to a host that
    /// does not exist, as pictures a browser never loads.
    pub public_url: Option<String>,
}

impl Default for SandboxConfig {
    fn default() -> Self {
        Self {
            seed: 20_261_124,
            app_id: "990602627938098".into(),
            app_secret: "sandbox-app-secret".into(),
            token_shape: TokenShape::Flat,
            quota_total: 100,
            api_version: "v25.0".into(),
            video_processing_secs: 30,
            lenient_image_formats: false,
            account_calls_per_hour: 4_800,
            app_calls_per_hour: 1_000_000,
            fetch_timeout: Duration::from_secs(10),
            insights_delay_secs: 48 * 3_600,
            demo_event_interval: None,
            fetch_allowed_origins: None,
            public_url: None,
        }
    }
}

/// The sandbox: cheap to clone, every clone shares one world.
#[derive(Clone)]
pub struct Sandbox {
    inner: Arc<Inner>,
}

struct Inner {
    config: Mutex<SandboxConfig>,
    clock: Clock,
    world: Mutex<World>,
    faults: faults::Faults,
    usage: usage::Usage,
    webhooks: webhooks::Webhooks,
    http: reqwest::Client,
}

impl Sandbox {
    pub fn new(config: SandboxConfig) -> Self {
        let clock = Clock::default();
        let world = World::seeded(config.seed, clock.now());
        let http = reqwest::Client::builder()
            .timeout(config.fetch_timeout)
            // A redirect could lead anywhere, past the allowed origins: none are followed.
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("an HTTP client with a timeout builds");
        Sandbox {
            inner: Arc::new(Inner {
                config: Mutex::new(config),
                clock,
                world: Mutex::new(world),
                faults: faults::Faults::default(),
                usage: usage::Usage::default(),
                webhooks: webhooks::Webhooks::default(),
                http,
            }),
        }
    }

    pub fn clock(&self) -> &Clock {
        &self.inner.clock
    }

    pub fn config(&self) -> SandboxConfig {
        self.inner.config.lock().expect("config lock").clone()
    }

    pub fn update_config(&self, change: impl FnOnce(&mut SandboxConfig)) {
        change(&mut self.inner.config.lock().expect("config lock"));
    }

    /// The world, locked. Keep the guard short: never hold it across an `.await`.
    pub fn world(&self) -> MutexGuard<'_, World> {
        self.inner.world.lock().expect("world lock")
    }

    pub fn faults(&self) -> &faults::Faults {
        &self.inner.faults
    }

    pub fn usage(&self) -> &usage::Usage {
        &self.inner.usage
    }

    pub fn webhooks(&self) -> &webhooks::Webhooks {
        &self.inner.webhooks
    }

    pub(crate) fn http(&self) -> &reqwest::Client {
        &self.inner.http
    }

    /// Every route of the imitation: OAuth, the Graph API and the admin API (the sandbox's own
    /// server, where the admin API is the point).
    pub fn router(&self) -> Router {
        self.public_router().nest_service("/__admin", self.admin_router())
    }

    /// What Meta has: OAuth and the Graph API, without the admin API.
    pub fn public_router(&self) -> Router {
        Router::new()
            .route("/oauth/authorize", get(oauth::authorize_page).post(oauth::authorize_decision))
            .route("/oauth/access_token", post(oauth::exchange_code))
            .route("/access_token", get(oauth::exchange_for_long_lived))
            .route("/refresh_access_token", get(oauth::refresh))
            .route("/files/{kind}/{name}", get(files::picture))
            .fallback(graph::dispatch)
            .layer(axum::middleware::from_fn_with_state(self.clone(), usage::track))
            .layer(axum::middleware::from_fn_with_state(self.clone(), faults::inject))
            .with_state(self.clone())
    }

    /// The admin API alone (the clock, faults, tokens, what was seen), to mount under
    /// `/__admin` behind whatever guards it.
    pub fn admin_router(&self) -> Router {
        admin::router().with_state(self.clone())
    }
}

/// Runs the sandbox on its own port until the process stops.
pub async fn serve(listener: tokio::net::TcpListener, sandbox: Sandbox) -> std::io::Result<()> {
    // Answers leave at once, as Meta's do: without TCP_NODELAY the kernel may hold a small
    // response back until the client has acknowledged the one before it (Nagle's algorithm).
    let listener = axum::serve::ListenerExt::tap_io(listener, |tcp: &mut tokio::net::TcpStream| {
        let _ = tcp.set_nodelay(true);
    });
    axum::serve(listener, sandbox.router()).await
}
