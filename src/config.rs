//! Configuration: read once from the environment (and `.env`) into a typed struct.
//! Every problem names the variable and how to fix it, on one line; secrets are never printed.

use std::collections::HashMap;
use std::fmt;
use std::net::SocketAddr;
use std::str::FromStr;
use std::time::Duration;

use crealia_core::cache::CacheSettings;
use crealia_core::db::DbSettings;
use secrecy::{ExposeSecret, SecretString};
use url::Url;

/// A configured secret: never logged (its `Debug` is redacted), wiped from memory when dropped
/// (`secrecy`).
#[derive(Clone)]
pub struct Secret(SecretString);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(SecretString::from(value.into()))
    }
    pub fn expose(&self) -> &str {
        self.0.expose_secret()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

impl PartialEq for Secret {
    fn eq(&self, other: &Self) -> bool {
        use subtle::ConstantTimeEq;
        self.expose().as_bytes().ct_eq(other.expose().as_bytes()).into()
    }
}

impl Eq for Secret {}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Environment {
    Development,
    Production,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogFormat {
    Pretty,
    Json,
}

/// Which Graph API Crealia talks to.
#[derive(Clone, Debug)]
pub enum GraphSource {
    /// Crealia's offline imitation; `base_url` None means the one mounted in this process
    /// under `/sandbox`, generated from `seed`.
    Sandbox { base_url: Option<Url>, seed: u64 },
    /// Meta's Instagram API, with the app's credentials.
    Meta { app_id: String, app_secret: Secret, base_url: Url },
}

#[derive(Clone, Debug)]
pub struct JobSettings {
    /// Run the background jobs (scheduler, webhook processor, token refresh, cleanup) here.
    pub enabled: bool,
    pub token_refresh_interval: Duration,
    /// Tokens this close to their expiry are refreshed.
    pub token_refresh_window: Duration,
    /// How long a scheduler's claim on a post lasts without progress.
    pub publish_lease: Duration,
    /// Posts one process publishes at the same time.
    pub publish_concurrency: usize,
}

#[derive(Clone, Debug)]
pub struct MediaSettings {
    /// Where uploads in progress are written, and (without MEDIA_STORE_URL) the media kept.
    pub dir: std::path::PathBuf,
    /// Where the media are kept (served at PUBLIC_BASE_URL/media/): that folder, or a store
    /// every server shares.
    pub location: crealia_core::media::files::MediaLocation,
    /// The largest upload accepted (a reel may be up to 300 MB).
    pub max_upload_bytes: u64,
    /// What one creator's uploads may take on disk, all together.
    pub quota_bytes_per_user: u64,
    /// Uploads one creator may start in a minute.
    pub uploads_per_minute: u32,
    /// Below this average rate (after a grace period) an upload is cut off.
    pub min_upload_bytes_per_sec: u64,
}

#[derive(Clone, Debug)]
pub struct WebhookSettings {
    /// What Meta's subscription handshake must present (set in the Meta app's dashboard).
    pub verify_token: Secret,
    /// The largest delivery accepted (Meta batches up to 1,000 updates in one).
    pub max_body_bytes: usize,
    /// Connections inserting deliveries at the same time (each takes what queued meanwhile).
    pub writers: u32,
}

#[derive(Clone, Debug)]
pub struct HttpSettings {
    pub request_timeout: Duration,
    pub body_limit_bytes: usize,
    /// Proxies whose `X-Forwarded-For` (or `Forwarded`) header names the client.
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// Which of the two headers they write.
    pub proxy_header: crate::security::client_ip::ProxyHeader,
    /// Sign-ups one client address may make in an hour.
    pub sign_ups_per_hour: i64,
}

#[derive(Clone, Debug)]
pub struct Config {
    pub environment: Environment,
    pub addr: SocketAddr,
    /// The address people (and Instagram) reach Crealia at. Defaults to `http://ADDR`.
    pub public_base_url: Option<Url>,
    pub site_root: String,
    pub site_pkg_dir: String,
    pub output_name: String,
    pub log_format: LogFormat,
    pub database: DbSettings,
    pub cache: CacheSettings,
    pub graph: GraphSource,
    pub http: HttpSettings,
    pub media: MediaSettings,
    pub webhooks: WebhookSettings,
    /// Encrypts Instagram tokens at rest (base64 of 32 bytes).
    pub token_key: Secret,
    /// Older keys, still accepted for decryption after a rotation.
    pub retired_token_keys: Vec<Secret>,
    pub jobs: JobSettings,
    /// How long each kind of Graph API data stays cached.
    pub insights_ttl: crealia_core::insights::InsightsTtl,
    /// The demo creator's password for `crealia seed` (generated and printed when unset).
    pub demo_password: Option<Secret>,
    /// The bearer token of the in-process sandbox's admin API (generated and printed when unset).
    pub sandbox_admin_token: Option<Secret>,
    /// The bearer token of `GET /metrics` (without it, the route answers 404).
    pub metrics_token: Option<Secret>,
}

/// The development key, used only when `APP_ENV=development` and no key is set: anyone can
/// read it here, so production refuses to start without `TOKEN_ENCRYPTION_KEY`.
pub const DEVELOPMENT_TOKEN_KEY: &str = "Y3JlYWxpYS1kZXZlbG9wbWVudC1rZXktMzItYnl0ZXM=";

/// One configuration problem, displayed as one line.
#[derive(Debug, PartialEq, Eq)]
pub struct ConfigError {
    pub var: &'static str,
    pub problem: String,
    pub fix: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}. {}", self.var, self.problem, self.fix)
    }
}

impl std::error::Error for ConfigError {}

pub const DEFAULT_DATABASE_URL: &str = "postgres://postgres@127.0.0.1:5432/crealia";

/// A variable's default as [`VARIABLES`] gives it ("" for a name not there).
pub fn default_of(name: &str) -> &'static str {
    VARIABLES.iter().find(|(n, _, _)| *n == name).map_or("", |(_, default, _)| default)
}

/// Every variable Crealia reads, with its default and meaning: the one place defaults live.
/// The parser takes them from here, `crealia config` prints them, and a test holds the
/// README's table to them.
pub const VARIABLES: &[(&str, &str, &str)] = &[
    ("APP_ENV", "development", "`development` or `production` (production logs JSON and requires PUBLIC_BASE_URL)"),
    ("LEPTOS_SITE_ADDR", "127.0.0.1:3000", "address and port the server listens on"),
    ("PUBLIC_BASE_URL", "http://LEPTOS_SITE_ADDR", "URL people and Instagram reach Crealia at"),
    ("LEPTOS_SITE_ROOT", "target/site", "folder with the built site (pkg/, assets)"),
    ("LEPTOS_SITE_PKG_DIR", "pkg", "folder under the site root with the .wasm, .js and .css"),
    ("LEPTOS_OUTPUT_NAME", "crealia", "file name of the .wasm/.js/.css bundle"),
    ("LOG_FORMAT", "pretty (json in production)", "`pretty` or `json`"),
    ("RUST_LOG", "info,crealia=debug", "log filter (tracing-subscriber syntax)"),
    ("DATABASE_URL", DEFAULT_DATABASE_URL, "PostgreSQL URL; the database is created if missing"),
    ("DATABASE_MAX_CONNECTIONS", "10", "size of the connection pool"),
    ("DATABASE_CONNECT_TIMEOUT_SECS", "5", "how long to wait for a connection"),
    ("REDIS_URL", "(unset: moka only)", "Redis URL for the shared cache; without it each process caches alone"),
    ("CACHE_NAMESPACE", "crealia", "prefix of every Redis key (separates deployments sharing a Redis; the database's identity is added to it, so databases never share entries)"),
    ("CACHE_MAX_ENTRIES", "10000", "entries kept in the in-process cache"),
    ("CACHE_TTL_SECS", "86400", "default time to live of a cached entry"),
    ("CACHE_TTL_INSIGHTS_SECS", "86400", "how long account and media insights stay cached"),
    ("CACHE_TTL_PROFILE_SECS", "3600", "how long an account's profile (followers, posts) stays cached"),
    ("CACHE_TTL_MEDIA_SECS", "3600", "how long the list of recent posts stays cached"),
    ("INSIGHTS_REFRESH_COOLDOWN_SECS", "60", "the dashboard's Refresh button works once per this many seconds per account"),
    ("INSTAGRAM_APP_ID", "(unset: sandbox)", "Meta app id; set with INSTAGRAM_APP_SECRET to use the real Instagram API"),
    ("INSTAGRAM_APP_SECRET", "(unset: sandbox)", "Meta app secret (never logged)"),
    ("GRAPH_API_BASE_URL", "sandbox in this process, or https://graph.instagram.com", "override where Graph API calls go"),
    ("SANDBOX_SEED", "20261124", "seed of the in-process Graph API sandbox's world (same seed, same accounts and data)"),
    ("TOKEN_ENCRYPTION_KEY", "(a public development key; required in production)", "base64 of 32 random bytes (openssl rand -base64 32) that encrypts Instagram tokens at rest"),
    ("TOKEN_ENCRYPTION_RETIRED_KEYS", "(none)", "comma-separated older keys, still used to decrypt after a rotation (`crealia tokens rotate`)"),
    ("JOBS_ENABLED", "true", "run the background jobs (publishing scheduler, webhook processor, token refresh, daily cleanup) in this process"),
    ("TOKEN_REFRESH_INTERVAL_SECS", "3600", "how often tokens near their expiry are looked for"),
    ("TOKEN_REFRESH_WINDOW_DAYS", "10", "tokens this close to their 60-day expiry are refreshed (at least 24 h after their last refresh)"),
    ("DEMO_PASSWORD", "(generated and printed once)", "password `crealia seed` gives the demo creator test@crealia.com"),
    ("REQUEST_TIMEOUT_SECS", "30", "longest time one HTTP request may take"),
    ("BODY_LIMIT_BYTES", "1048576", "largest request body accepted (uploads have their own limit)"),
    ("MEDIA_DIR", ".data/media", "folder where uploaded images and videos are kept (served at PUBLIC_BASE_URL/media/); with MEDIA_STORE_URL, only uploads in progress"),
    ("MEDIA_STORE_URL", "(unset: MEDIA_DIR)", "s3://bucket/prefix: keep media in an S3-compatible store that every server shares (with AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_REGION, and AWS_ENDPOINT + AWS_ALLOW_HTTP for a store other than Amazon's)"),
    ("MEDIA_MAX_UPLOAD_BYTES", "314572800", "largest upload accepted (Instagram takes reels up to 300 MB)"),
    ("PUBLISH_LEASE_SECS", "120", "how long a scheduler's claim on a post lasts without progress before another process takes it over"),
    ("PUBLISH_CONCURRENCY", "16", "posts one server process publishes at the same time"),
    ("WEBHOOK_VERIFY_TOKEN", "(a development token; required with INSTAGRAM_APP_ID)", "the verify token entered with the callback URL PUBLIC_BASE_URL/api/webhooks/instagram in the Meta app's Webhooks settings"),
    ("WEBHOOK_MAX_BODY_BYTES", "4194304", "largest webhook delivery accepted (Meta sends up to 1,000 updates in one)"),
    ("WEBHOOK_WRITERS", "2", "connections one server process inserts webhook deliveries with at the same time (each insert takes every delivery that arrived meanwhile)"),
    ("MEDIA_QUOTA_BYTES_PER_USER", "2147483648", "disk space one creator's uploads may take together (2 GiB)"),
    ("MEDIA_UPLOADS_PER_MINUTE", "20", "uploads one creator may start in a minute"),
    ("MEDIA_MIN_UPLOAD_BYTES_PER_SEC", "8192", "an upload slower than this on average (after its first 10 seconds) is cut off"),
    ("TRUSTED_PROXIES", "(none)", "comma-separated CIDRs of reverse proxies (e.g. 10.0.0.0/8): only requests from them have X-Forwarded-For / Forwarded name the client's address"),
    ("TRUSTED_PROXY_HEADER", "x-forwarded-for", "the header the trusted proxies append the client's address to: `x-forwarded-for` or `forwarded` (only that one is read)"),
    ("SIGN_UPS_PER_HOUR", "10", "sign-ups one client address may make in an hour"),
    ("SANDBOX_DEMO", "false", "`true` lets APP_ENV=production run on the Graph API sandbox (a public demo); without it production refuses the sandbox"),
    ("SANDBOX_ADMIN_TOKEN", "(generated and printed once)", "bearer token of the in-process sandbox's admin API at /sandbox/__admin (tests and demos)"),
    ("METRICS_TOKEN", "(unset: /metrics answers 404)", "bearer token Prometheus sends to scrape GET /metrics (at least 32 characters: openssl rand -hex 24)"),
    ("TLS_TERMINATED_BY_PROXY", "false", "`true` lets production use an http:// PUBLIC_BASE_URL because TLS ends at a proxy in front of Crealia"),
];

/// The verify token of development and the sandbox: public, so Meta mode requires its own.
pub const DEVELOPMENT_WEBHOOK_VERIFY_TOKEN: &str = "crealia-development-verify-token";

impl Config {
    /// Reads the process environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads from a map, for tests.
    pub fn from_map(map: &HashMap<String, String>) -> Result<Self, ConfigError> {
        Self::from_lookup(|name| map.get(name).cloned())
    }

    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let env = Vars(&get);
        let environment = match env.get("APP_ENV").as_deref() {
            None | Some("development") | Some("dev") => Environment::Development,
            Some("production") | Some("prod") => Environment::Production,
            Some(other) => return Err(env.invalid("APP_ENV", other, "Use `development` or `production`.")),
        };
        let addr: SocketAddr = env.parse::<SocketAddr>("LEPTOS_SITE_ADDR", "Use host:port, for example 127.0.0.1:3000.")?;
        let public_base_url = match env.get("PUBLIC_BASE_URL") {
            Some(raw) => Some(env.http_url("PUBLIC_BASE_URL", &raw)?),
            None if environment == Environment::Production => {
                return Err(ConfigError {
                    var: "PUBLIC_BASE_URL",
                    problem: "is required in production".into(),
                    fix: "Set it to the https:// address people reach Crealia at.".into(),
                })
            }
            None => None,
        };
        if environment == Environment::Production
            && public_base_url.as_ref().is_some_and(|u| u.scheme() == "http")
            && !env.parse::<bool>("TLS_TERMINATED_BY_PROXY", "Use true or false.")?
        {
            return Err(ConfigError {
                var: "PUBLIC_BASE_URL",
                problem: "is http:// in production".into(),
                fix: "Serve Crealia over https and set an https:// address, or set TLS_TERMINATED_BY_PROXY=true if a proxy in front of it ends TLS.".into(),
            });
        }
        let log_format = match env.get("LOG_FORMAT").as_deref() {
            None if environment == Environment::Production => LogFormat::Json,
            None | Some("pretty") => LogFormat::Pretty,
            Some("json") => LogFormat::Json,
            Some(other) => return Err(env.invalid("LOG_FORMAT", other, "Use `pretty` or `json`.")),
        };

        let database_url = env.get("DATABASE_URL").unwrap_or_else(|| DEFAULT_DATABASE_URL.to_string());
        validate_database_url(&database_url)?;
        let database = DbSettings {
            url: database_url,
            max_connections: env.parse::<u32>("DATABASE_MAX_CONNECTIONS", "Use a whole number such as 10.")?,
            acquire_timeout: Duration::from_secs(env.parse::<u64>("DATABASE_CONNECT_TIMEOUT_SECS", "Use a whole number of seconds.")?),
            create_if_missing: true,
        };

        let redis_url = env.get("REDIS_URL").filter(|v| !v.trim().is_empty());
        if let Some(raw) = &redis_url {
            let ok = Url::parse(raw).map(|u| matches!(u.scheme(), "redis" | "rediss" | "unix")).unwrap_or(false);
            if !ok {
                return Err(ConfigError {
                    var: "REDIS_URL",
                    problem: "is not a Redis URL".into(),
                    fix: "Use redis://127.0.0.1:6379, or unset it to cache in-process only.".into(),
                });
            }
        }
        let cache = CacheSettings {
            redis_url,
            namespace: env.get_or_default("CACHE_NAMESPACE"),
            max_entries: env.parse::<u64>("CACHE_MAX_ENTRIES", "Use a whole number such as 10000.")?,
            default_ttl: Duration::from_secs(env.parse::<u64>("CACHE_TTL_SECS", "Use a whole number of seconds.")?),
            ..CacheSettings::default()
        };

        let base_override = match env.get("GRAPH_API_BASE_URL") {
            Some(raw) => Some(env.http_url("GRAPH_API_BASE_URL", &raw)?),
            None => None,
        };
        let graph = match (env.get("INSTAGRAM_APP_ID"), env.get("INSTAGRAM_APP_SECRET")) {
            (Some(app_id), Some(secret)) => GraphSource::Meta {
                app_id,
                app_secret: Secret::new(secret),
                base_url: base_override.unwrap_or_else(|| Url::parse("https://graph.instagram.com").unwrap()),
            },
            (None, None) => GraphSource::Sandbox { base_url: base_override, seed: env.parse::<u64>("SANDBOX_SEED", "Use a whole number.")? },
            (Some(_), None) => return Err(missing_pair("INSTAGRAM_APP_SECRET", "INSTAGRAM_APP_ID")),
            (None, Some(_)) => return Err(missing_pair("INSTAGRAM_APP_ID", "INSTAGRAM_APP_SECRET")),
        };
        // The sandbox is an imitation anyone can steer: a deployed Crealia runs on it only as an
        // explicit demo.
        let sandbox_demo: bool = env.parse::<bool>("SANDBOX_DEMO", "Use true or false.")?;
        if environment == Environment::Production && matches!(graph, GraphSource::Sandbox { .. }) && !sandbox_demo {
            return Err(ConfigError {
                var: "SANDBOX_DEMO",
                problem: "is not set while APP_ENV=production would use the Graph API sandbox".into(),
                fix: "Set INSTAGRAM_APP_ID and INSTAGRAM_APP_SECRET to use the real Instagram API, or SANDBOX_DEMO=true to run a public demo on the sandbox."
                    .into(),
            });
        }

        let http = HttpSettings {
            request_timeout: Duration::from_secs(env.parse::<u64>("REQUEST_TIMEOUT_SECS", "Use a whole number of seconds.")?),
            body_limit_bytes: env.parse::<usize>("BODY_LIMIT_BYTES", "Use a number of bytes such as 1048576.")?,
            trusted_proxies: match env.get("TRUSTED_PROXIES") {
                None => Vec::new(),
                Some(raw) => raw
                    .split(',')
                    .map(str::trim)
                    .filter(|c| !c.is_empty())
                    .map(|c| c.parse::<ipnet::IpNet>().or_else(|_| c.parse::<std::net::IpAddr>().map(ipnet::IpNet::from)))
                    .collect::<Result<_, _>>()
                    .map_err(|_| env.invalid("TRUSTED_PROXIES", &raw, "Use comma-separated addresses or CIDRs such as 10.0.0.0/8,192.168.1.10."))?,
            },
            sign_ups_per_hour: env.parse::<i64>("SIGN_UPS_PER_HOUR", "Use a whole number such as 10.")?.max(1),
            proxy_header: match env.get("TRUSTED_PROXY_HEADER").map(|h| h.to_ascii_lowercase()).as_deref() {
                None | Some("x-forwarded-for") => crate::security::client_ip::ProxyHeader::XForwardedFor,
                Some("forwarded") => crate::security::client_ip::ProxyHeader::Forwarded,
                Some(other) => return Err(env.invalid("TRUSTED_PROXY_HEADER", other, "Use x-forwarded-for or forwarded: the header your proxy appends to.")),
            },
        };

        let token_key = match env.get("TOKEN_ENCRYPTION_KEY") {
            Some(k) => Secret::new(k),
            None if environment == Environment::Development => Secret::new(DEVELOPMENT_TOKEN_KEY),
            None => {
                return Err(ConfigError {
                    var: "TOKEN_ENCRYPTION_KEY",
                    problem: "is required in production".into(),
                    fix: "Set it to the output of `openssl rand -base64 32` and keep it safe.".into(),
                })
            }
        };
        let key_fix = "Use the base64 of 32 random bytes, as `openssl rand -base64 32` prints.";
        crealia_core::crypto::TokenKey::from_base64(token_key.expose()).map_err(|_| ConfigError {
            var: "TOKEN_ENCRYPTION_KEY",
            problem: "is not a valid key".into(),
            fix: key_fix.into(),
        })?;
        let retired_token_keys: Vec<Secret> = env
            .get("TOKEN_ENCRYPTION_RETIRED_KEYS")
            .map(|v| v.split(',').map(str::trim).filter(|k| !k.is_empty()).map(Secret::new).collect())
            .unwrap_or_default();
        for key in &retired_token_keys {
            crealia_core::crypto::TokenKey::from_base64(key.expose()).map_err(|_| ConfigError {
                var: "TOKEN_ENCRYPTION_RETIRED_KEYS",
                problem: "holds a key that is not valid".into(),
                fix: key_fix.into(),
            })?;
        }

        let verify_token = match (env.get("WEBHOOK_VERIFY_TOKEN"), &graph) {
            (Some(t), _) => Secret::new(t),
            (None, GraphSource::Sandbox { .. }) => Secret::new(DEVELOPMENT_WEBHOOK_VERIFY_TOKEN),
            (None, GraphSource::Meta { .. }) => {
                return Err(ConfigError {
                    var: "WEBHOOK_VERIFY_TOKEN",
                    problem: "is required with INSTAGRAM_APP_ID".into(),
                    fix: "Set it to a random string (openssl rand -hex 16) and enter the same in the Meta app's Webhooks settings.".into(),
                })
            }
        };
        let webhooks = WebhookSettings {
            verify_token,
            max_body_bytes: env.parse::<usize>("WEBHOOK_MAX_BODY_BYTES", "Use a number of bytes such as 4194304.")?,
            writers: env.parse::<u32>("WEBHOOK_WRITERS", "Use a whole number such as 2.")?.clamp(1, 32),
        };

        let sandbox_admin_token = match env.get("SANDBOX_ADMIN_TOKEN") {
            // A public demo's admin API: a token chosen by the operator, long enough not to
            // be guessed (a generated one would be printed where logs are collected).
            Some(t) if environment == Environment::Production && t.chars().count() < 32 => {
                return Err(ConfigError {
                    var: "SANDBOX_ADMIN_TOKEN",
                    problem: "is shorter than 32 characters".into(),
                    fix: "Set it to a long random value (openssl rand -hex 24).".into(),
                })
            }
            None if environment == Environment::Production && matches!(graph, GraphSource::Sandbox { base_url: None, .. }) => {
                return Err(ConfigError {
                    var: "SANDBOX_ADMIN_TOKEN",
                    problem: "is required for a production demo on the sandbox".into(),
                    fix: "Set it to a long random value (openssl rand -hex 24); tests and demos use it to steer the sandbox.".into(),
                })
            }
            t => t.map(Secret::new),
        };

        let metrics_token = match env.get("METRICS_TOKEN") {
            Some(t) if t.chars().count() < 32 => {
                return Err(ConfigError {
                    var: "METRICS_TOKEN",
                    problem: "is shorter than 32 characters".into(),
                    fix: "Set it to a long random value (openssl rand -hex 24), the same as in Prometheus's scrape configuration.".into(),
                })
            }
            t => t.map(Secret::new),
        };

        Ok(Config {
            environment,
            addr,
            public_base_url,
            site_root: env.get_or_default("LEPTOS_SITE_ROOT"),
            site_pkg_dir: env.get_or_default("LEPTOS_SITE_PKG_DIR"),
            output_name: env.get_or_default("LEPTOS_OUTPUT_NAME"),
            log_format,
            database,
            cache,
            graph,
            http,
            token_key,
            retired_token_keys,
            jobs: JobSettings {
                enabled: env.parse::<bool>("JOBS_ENABLED", "Use true or false.")?,
                token_refresh_interval: Duration::from_secs(env.parse::<u64>("TOKEN_REFRESH_INTERVAL_SECS", "Use a whole number of seconds.")?),
                token_refresh_window: Duration::from_secs(
                    86_400 * env.parse::<u64>("TOKEN_REFRESH_WINDOW_DAYS", "Use a whole number of days below 59, such as 10.")?.min(58),
                ),
                publish_lease: Duration::from_secs(env.parse::<u64>("PUBLISH_LEASE_SECS", "Use a whole number of seconds such as 120.")?.max(1)),
                publish_concurrency: env.parse::<usize>("PUBLISH_CONCURRENCY", "Use a whole number such as 16.")?.clamp(1, 1024),
            },
            media: MediaSettings {
                location: media_location(&env)?,
                dir: std::path::PathBuf::from(env.get_or_default("MEDIA_DIR")),
                max_upload_bytes: env.parse::<u64>("MEDIA_MAX_UPLOAD_BYTES", "Use a number of bytes such as 314572800.")?,
                quota_bytes_per_user: env.parse::<u64>("MEDIA_QUOTA_BYTES_PER_USER", "Use a number of bytes such as 2147483648.")?,
                uploads_per_minute: env.parse::<u32>("MEDIA_UPLOADS_PER_MINUTE", "Use a whole number such as 20.")?.max(1),
                min_upload_bytes_per_sec: env.parse::<u64>("MEDIA_MIN_UPLOAD_BYTES_PER_SEC", "Use a number of bytes per second such as 8192.")?,
            },
            insights_ttl: crealia_core::insights::InsightsTtl {
                insights: Duration::from_secs(env.parse::<u64>("CACHE_TTL_INSIGHTS_SECS", "Use a whole number of seconds.")?),
                profile: Duration::from_secs(env.parse::<u64>("CACHE_TTL_PROFILE_SECS", "Use a whole number of seconds.")?),
                media: Duration::from_secs(env.parse::<u64>("CACHE_TTL_MEDIA_SECS", "Use a whole number of seconds.")?),
                refresh_cooldown: Duration::from_secs(env.parse::<u64>("INSIGHTS_REFRESH_COOLDOWN_SECS", "Use a whole number of seconds.")?),
            },
            demo_password: env.get("DEMO_PASSWORD").map(Secret::new),
            sandbox_admin_token,
            metrics_token,
            webhooks,
        })
    }
}

impl Config {
    /// The secret Meta signs webhook deliveries with: the Instagram app's. In sandbox mode there
    /// is none here: each database has its own random one (`crealia_core::db::instance_secret`).
    pub fn app_secret(&self) -> Option<&str> {
        match &self.graph {
            GraphSource::Meta { app_secret, .. } => Some(app_secret.expose()),
            GraphSource::Sandbox { .. } => None,
        }
    }
}

fn missing_pair(missing: &'static str, present: &str) -> ConfigError {
    ConfigError {
        var: missing,
        problem: format!("is missing while {present} is set"),
        fix: "Set both to use the real Instagram API, or neither to use the sandbox.".into(),
    }
}

fn validate_database_url(raw: &str) -> Result<(), ConfigError> {
    let fix = "Set it like postgres://user:password@127.0.0.1:5432/crealia, or unset it for the local default.";
    let url = Url::parse(raw).map_err(|e| ConfigError { var: "DATABASE_URL", problem: format!("is not a valid URL ({e})"), fix: fix.into() })?;
    if !matches!(url.scheme(), "postgres" | "postgresql") {
        return Err(ConfigError { var: "DATABASE_URL", problem: format!("uses the scheme `{}`, not postgres://", url.scheme()), fix: fix.into() });
    }
    Ok(())
}

/// `MEDIA_STORE_URL` (with the AWS variables), or the `MEDIA_DIR` folder; a store URL that
/// cannot work is refused at start-up.
fn media_location<F: Fn(&str) -> Option<String>>(env: &Vars<'_, F>) -> Result<crealia_core::media::files::MediaLocation, ConfigError> {
    let dir = std::path::PathBuf::from(env.get_or_default("MEDIA_DIR"));
    let location = crealia_core::media::files::MediaLocation::from_vars(env.get("MEDIA_STORE_URL").as_deref(), &dir, |name| env.get(name));
    location.check().map_err(|problem| ConfigError {
        var: "MEDIA_STORE_URL",
        problem: format!("cannot be used: {problem}"),
        fix: "Use s3://bucket/prefix with AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_REGION (and AWS_ENDPOINT for a store other than Amazon's), or unset it to keep media in MEDIA_DIR.".into(),
    })?;
    Ok(location)
}

/// Lookup helpers that turn a bad value into a [`ConfigError`] naming the variable.
struct Vars<'a, F: Fn(&str) -> Option<String>>(&'a F);

impl<F: Fn(&str) -> Option<String>> Vars<'_, F> {
    fn get(&self, name: &str) -> Option<String> {
        (self.0)(name).map(|v| v.trim().to_string()).filter(|v| !v.is_empty())
    }

    /// The variable's value, or its default from [`VARIABLES`] (the one place defaults live).
    fn parse<T: FromStr>(&self, name: &'static str, fix: &str) -> Result<T, ConfigError> {
        let raw = self.get(name).unwrap_or_else(|| default_of(name).to_string());
        raw.parse().map_err(|_| self.invalid(name, &raw, fix))
    }

    /// The variable's value, or its default from [`VARIABLES`].
    fn get_or_default(&self, name: &'static str) -> String {
        self.get(name).unwrap_or_else(|| default_of(name).to_string())
    }

    fn http_url(&self, name: &'static str, raw: &str) -> Result<Url, ConfigError> {
        match Url::parse(raw) {
            Ok(url) if matches!(url.scheme(), "http" | "https") => Ok(url),
            _ => Err(ConfigError { var: name, problem: "is not an http(s) URL".into(), fix: "Use a full address such as https://crealia.example.com.".into() }),
        }
    }

    fn invalid(&self, name: &'static str, raw: &str, fix: &str) -> ConfigError {
        ConfigError { var: name, problem: format!("has the invalid value `{raw}`"), fix: fix.into() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The README's table says what the parser does: same variables, same defaults, same words.
    #[test]
    fn the_readme_table_and_the_parser_take_their_defaults_from_one_place() {
        let readme = include_str!("../README.md");
        let table = &readme[readme.find("| Variable | Default | Meaning |").expect("the README has the table")..];
        let plain = |s: &str| s.replace('`', "").trim().to_string();
        let rows: Vec<(String, String, String)> = table
            .lines()
            .skip(2)
            .take_while(|l| l.starts_with('|'))
            .map(|l| {
                let cells: Vec<String> = l.trim().trim_matches('|').split('|').map(plain).collect();
                (cells[0].clone(), cells[1].clone(), cells[2..].join("|"))
            })
            .collect();
        let expected: Vec<(String, String, String)> = VARIABLES.iter().map(|(n, d, m)| (n.to_string(), plain(d), plain(m))).collect();
        assert_eq!(rows, expected, "README.md's configuration table and config::VARIABLES disagree");
        // Every plain default is what the parser uses when the variable is unset.
        assert_eq!(default_of("SANDBOX_SEED"), crealia_sandbox::SandboxConfig::default().seed.to_string());
        let c = config(&[]).expect("the defaults parse");
        assert_eq!(c.addr.to_string(), default_of("LEPTOS_SITE_ADDR"));
        assert_eq!(c.database.max_connections.to_string(), default_of("DATABASE_MAX_CONNECTIONS"));
        assert_eq!(c.media.max_upload_bytes.to_string(), default_of("MEDIA_MAX_UPLOAD_BYTES"));
        assert_eq!(c.jobs.publish_lease.as_secs().to_string(), default_of("PUBLISH_LEASE_SECS"));
        assert_eq!(c.site_root, default_of("LEPTOS_SITE_ROOT"));
    }

    fn config(pairs: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let map = pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        Config::from_map(&map)
    }

    #[test]
    fn defaults_need_no_variable() {
        let c = config(&[]).unwrap();
        assert_eq!(c.addr.to_string(), "127.0.0.1:3000");
        assert_eq!(c.database.url, DEFAULT_DATABASE_URL);
        assert!(c.cache.redis_url.is_none());
        assert!(matches!(c.graph, GraphSource::Sandbox { base_url: None, .. }));
    }

    #[test]
    fn a_bad_value_names_its_variable_and_the_fix() {
        let e = config(&[("DATABASE_MAX_CONNECTIONS", "many")]).unwrap_err();
        assert_eq!(e.var, "DATABASE_MAX_CONNECTIONS");
        assert!(e.to_string().starts_with("DATABASE_MAX_CONNECTIONS has the invalid value `many`. Use"));
        let e = config(&[("DATABASE_URL", "mysql://x@y/z")]).unwrap_err();
        assert_eq!(e.var, "DATABASE_URL");
        let e = config(&[("REDIS_URL", "localhost")]).unwrap_err();
        assert_eq!(e.var, "REDIS_URL");
    }

    #[test]
    fn instagram_credentials_come_in_pairs_and_switch_to_meta() {
        let e = config(&[("INSTAGRAM_APP_ID", "123")]).unwrap_err();
        assert_eq!(e.var, "INSTAGRAM_APP_SECRET");
        let meta = [("INSTAGRAM_APP_ID", "123"), ("INSTAGRAM_APP_SECRET", "shh-very-secret")];
        assert_eq!(config(&meta).unwrap_err().var, "WEBHOOK_VERIFY_TOKEN", "Meta mode needs its own verify token");
        let c = config(&[meta[0], meta[1], ("WEBHOOK_VERIFY_TOKEN", "tok")]).unwrap();
        assert_eq!(c.app_secret(), Some("shh-very-secret"), "webhooks are checked with the app's secret");
        match &c.graph {
            GraphSource::Meta { base_url, .. } => assert_eq!(base_url.as_str(), "https://graph.instagram.com/"),
            other => panic!("expected Meta, got {other:?}"),
        }
        assert!(!format!("{c:?}").contains("shh-very-secret"), "Debug output leaks the app secret");
    }

    #[test]
    fn production_requires_a_public_url_and_a_token_key_and_logs_json() {
        assert_eq!(config(&[("APP_ENV", "production")]).unwrap_err().var, "PUBLIC_BASE_URL");
        let e = config(&[("APP_ENV", "production"), ("PUBLIC_BASE_URL", "https://crealia.example"), ("SANDBOX_DEMO", "true")]).unwrap_err();
        assert_eq!(e.var, "TOKEN_ENCRYPTION_KEY");
        const ADMIN: (&str, &str) = ("SANDBOX_ADMIN_TOKEN", "0123456789abcdef0123456789abcdef");
        let key = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=";
        let c = config(&[
            ("APP_ENV", "production"),
            ("PUBLIC_BASE_URL", "https://crealia.example"),
            ("TOKEN_ENCRYPTION_KEY", key),
            ("SANDBOX_DEMO", "true"),
            ADMIN,
        ])
        .unwrap();
        assert_eq!(c.log_format, LogFormat::Json);
        assert!(!format!("{c:?}").contains(key), "the key never shows in Debug output");
        assert_eq!(config(&[("TOKEN_ENCRYPTION_KEY", "c2hvcnQ=")]).unwrap_err().var, "TOKEN_ENCRYPTION_KEY");
        assert_eq!(config(&[("TOKEN_ENCRYPTION_RETIRED_KEYS", "nope")]).unwrap_err().var, "TOKEN_ENCRYPTION_RETIRED_KEYS");
    }

    const KEY: &str = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=";

    #[test]
    fn production_refuses_the_sandbox_without_an_explicit_demo_opt_in() {
        let prod = [("APP_ENV", "production"), ("PUBLIC_BASE_URL", "https://crealia.example"), ("TOKEN_ENCRYPTION_KEY", KEY)];
        let e = config(&prod).unwrap_err();
        assert_eq!(e.var, "SANDBOX_DEMO", "{e}");
        assert!(e.to_string().contains("INSTAGRAM_APP_ID"), "the message says how to fix it: {e}");
        let e = config(&[prod[0], prod[1], prod[2], ("GRAPH_API_BASE_URL", "http://127.0.0.1:9/")]).unwrap_err();
        assert_eq!(e.var, "SANDBOX_DEMO", "an external sandbox is a sandbox too");
        let e = config(&[prod[0], prod[1], prod[2], ("SANDBOX_DEMO", "true")]).unwrap_err();
        assert_eq!(e.var, "SANDBOX_ADMIN_TOKEN", "a public demo's admin token is chosen, never generated and printed");
        let e = config(&[prod[0], prod[1], prod[2], ("SANDBOX_DEMO", "true"), ("SANDBOX_ADMIN_TOKEN", "short")]).unwrap_err();
        assert_eq!(e.var, "SANDBOX_ADMIN_TOKEN");
        let demo = config(&[prod[0], prod[1], prod[2], ("SANDBOX_DEMO", "true"), ("SANDBOX_ADMIN_TOKEN", "0123456789abcdef0123456789abcdef")]).unwrap();
        assert!(matches!(demo.graph, GraphSource::Sandbox { .. }));
        let meta = [("INSTAGRAM_APP_ID", "1"), ("INSTAGRAM_APP_SECRET", "s"), ("WEBHOOK_VERIFY_TOKEN", "v")];
        assert!(config(&[prod[0], prod[1], prod[2], meta[0], meta[1], meta[2]]).is_ok());
        assert!(config(&[]).is_ok(), "development runs on the sandbox by default");
    }

    #[test]
    fn production_refuses_plain_http_unless_tls_ends_at_a_proxy() {
        let base =
            [("APP_ENV", "production"), ("TOKEN_ENCRYPTION_KEY", KEY), ("SANDBOX_DEMO", "true"), ("SANDBOX_ADMIN_TOKEN", "0123456789abcdef0123456789abcdef")];
        let e = config(&[base[0], base[1], base[2], base[3], ("PUBLIC_BASE_URL", "http://crealia.example")]).unwrap_err();
        assert_eq!(e.var, "PUBLIC_BASE_URL");
        assert!(e.to_string().contains("TLS_TERMINATED_BY_PROXY"), "{e}");
        assert!(config(&[base[0], base[1], base[2], base[3], ("PUBLIC_BASE_URL", "http://crealia.example"), ("TLS_TERMINATED_BY_PROXY", "true")]).is_ok());
        assert!(config(&[("PUBLIC_BASE_URL", "http://127.0.0.1:3000")]).is_ok(), "development may use http");
    }

    #[test]
    fn trusted_proxies_are_cidrs_or_addresses() {
        let c = config(&[("TRUSTED_PROXIES", "10.0.0.0/8, 192.168.1.10,::1")]).unwrap();
        assert_eq!(c.http.trusted_proxies.len(), 3);
        assert!(c.http.trusted_proxies[1].contains(&"192.168.1.10".parse::<std::net::IpAddr>().unwrap()));
        assert_eq!(config(&[("TRUSTED_PROXIES", "10.0.0.0/33")]).unwrap_err().var, "TRUSTED_PROXIES");
    }
}
