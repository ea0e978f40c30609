//! Readiness: the state of the database, the cache tiers, the Graph API target and the webhook
//! backlog.

use std::time::{Duration, Instant};

use serde::Serialize;
use sqlx::PgPool;

use crate::cache::{Backend, Cache};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Ok,
    Degraded,
    Down,
    /// Not configured on purpose (Redis without `REDIS_URL`).
    Disabled,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Ok => "ok",
            Status::Degraded => "degraded",
            Status::Down => "down",
            Status::Disabled => "disabled",
        }
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct Check {
    pub status: Status,
    pub latency_ms: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

impl Check {
    fn from_probe(result: Result<Duration, String>) -> Self {
        match result {
            Ok(latency) => Check { status: Status::Ok, latency_ms: Some(millis(latency)), error: None },
            Err(error) => Check { status: Status::Down, latency_ms: None, error: Some(error) },
        }
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct CacheCheck {
    pub status: Status,
    pub backend: Backend,
    pub redis: Check,
}

/// Where Graph API calls go.
#[derive(Clone, Debug, Serialize)]
pub struct GraphTarget {
    /// `sandbox` (Crealia's offline imitation) or `meta` (the real Instagram API).
    pub mode: &'static str,
    pub base_url: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct GraphCheck {
    #[serde(flatten)]
    pub probe: Check,
    #[serde(flatten)]
    pub target: GraphTarget,
}

/// Webhook deliveries stored but not yet turned into inbox items. A backlog older than
/// [`WEBHOOK_BACKLOG_LIMIT`] means no processor keeps up (or none runs): degraded.
#[derive(Clone, Debug, Serialize)]
pub struct WebhookCheck {
    pub status: Status,
    pub pending: i64,
    pub oldest_pending_secs: Option<i64>,
    pub last_received_secs_ago: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

pub const WEBHOOK_BACKLOG_LIMIT: Duration = Duration::from_secs(60);

#[derive(Clone, Debug, Serialize)]
pub struct Checks {
    pub database: Check,
    pub cache: CacheCheck,
    pub graph_api: GraphCheck,
    pub webhooks: WebhookCheck,
}

#[derive(Clone, Debug, Serialize)]
pub struct HealthReport {
    pub status: Status,
    pub checks: Checks,
}

/// What anyone may know: each component's state, no latency, address or error text.
#[derive(Clone, Debug, Serialize)]
pub struct PublicHealth {
    pub status: Status,
    pub checks: PublicChecks,
}

#[derive(Clone, Debug, Serialize)]
pub struct PublicChecks {
    pub database: StatusOnly,
    pub cache: StatusOnly,
    pub graph_api: StatusOnly,
    pub webhooks: StatusOnly,
}

#[derive(Clone, Copy, Debug, Serialize)]
pub struct StatusOnly {
    pub status: Status,
}

impl HealthReport {
    pub fn public(&self) -> PublicHealth {
        let c = &self.checks;
        PublicHealth {
            status: self.status,
            checks: PublicChecks {
                database: StatusOnly { status: c.database.status },
                cache: StatusOnly { status: c.cache.status },
                graph_api: StatusOnly { status: c.graph_api.probe.status },
                webhooks: StatusOnly { status: c.webhooks.status },
            },
        }
    }
}

/// Reports are probed at most this often; callers in between share the last one.
pub const REPORT_MAX_AGE: Duration = Duration::from_secs(1);

#[derive(Clone)]
pub struct HealthService {
    db: PgPool,
    cache: Cache,
    graph: GraphTarget,
    http: reqwest::Client,
    /// The last report and when it was made. Callers queue on the lock while one probes, so
    /// a flood of `/readyz` costs one probe a second, not one each.
    latest: std::sync::Arc<tokio::sync::Mutex<Option<(Instant, HealthReport)>>>,
}

const PROBE_TIMEOUT: Duration = Duration::from_secs(2);

impl HealthService {
    pub fn new(db: PgPool, cache: Cache, graph: GraphTarget) -> Self {
        let http = reqwest::Client::builder().timeout(PROBE_TIMEOUT).build().expect("a reqwest client with a timeout builds");
        Self { db, cache, graph, http, latest: Default::default() }
    }

    pub fn graph_target(&self) -> &GraphTarget {
        &self.graph
    }

    /// The state of every dependency, probed at most once per [`REPORT_MAX_AGE`].
    pub async fn report(&self) -> HealthReport {
        let mut latest = self.latest.lock().await;
        if let Some((at, report)) = latest.as_ref() {
            if at.elapsed() < REPORT_MAX_AGE {
                return report.clone();
            }
        }
        let report = self.probe().await;
        *latest = Some((Instant::now(), report.clone()));
        report
    }

    /// Probes every dependency at once.
    async fn probe(&self) -> HealthReport {
        let (database, cache, graph_api, webhooks) = tokio::join!(self.database(), self.cache(), self.graph_api(), self.webhooks());
        let status = if database.status == Status::Down {
            Status::Down
        } else if cache.status != Status::Ok || graph_api.probe.status != Status::Ok || webhooks.status != Status::Ok {
            Status::Degraded
        } else {
            Status::Ok
        };
        HealthReport { status, checks: Checks { database, cache, graph_api, webhooks } }
    }

    async fn database(&self) -> Check {
        let started = Instant::now();
        let probe = tokio::time::timeout(PROBE_TIMEOUT, sqlx::query_scalar::<_, i32>("SELECT 1").fetch_one(&self.db)).await;
        Check::from_probe(match probe {
            Ok(Ok(_)) => Ok(started.elapsed()),
            Ok(Err(e)) => Err(e.to_string().lines().next().unwrap_or_default().to_string()),
            Err(_) => Err("timed out".into()),
        })
    }

    async fn cache(&self) -> CacheCheck {
        match self.cache.redis_health().await {
            None => CacheCheck { status: Status::Ok, backend: Backend::MokaOnly, redis: Check { status: Status::Disabled, latency_ms: None, error: None } },
            Some(probe) => {
                let redis = Check::from_probe(probe);
                let status = if redis.status == Status::Ok { Status::Ok } else { Status::Degraded };
                CacheCheck { status, backend: self.cache.backend(), redis }
            }
        }
    }

    async fn webhooks(&self) -> WebhookCheck {
        let probe = match tokio::time::timeout(PROBE_TIMEOUT, crate::webhooks::pending_backlog(&self.db)).await {
            Ok(Ok(b)) => Ok(b),
            Ok(Err(e)) => Err(e.to_string().lines().next().unwrap_or_default().to_string()),
            Err(_) => Err("timed out".to_string()),
        };
        match probe {
            Ok(b) => {
                let behind = b.oldest_pending_secs.is_some_and(|secs| secs >= WEBHOOK_BACKLOG_LIMIT.as_secs() as i64);
                WebhookCheck {
                    status: if behind { Status::Degraded } else { Status::Ok },
                    pending: b.pending,
                    oldest_pending_secs: b.oldest_pending_secs,
                    last_received_secs_ago: b.last_received_secs_ago,
                    error: behind.then(|| "deliveries wait to be processed: is a server with JOBS_ENABLED running?".into()),
                }
            }
            Err(error) => WebhookCheck { status: Status::Down, pending: 0, oldest_pending_secs: None, last_received_secs_ago: None, error: Some(error) },
        }
    }

    /// Any HTTP answer from the target counts as reachable: the API root itself answers an error.
    async fn graph_api(&self) -> GraphCheck {
        let started = Instant::now();
        let probe = match self.http.get(&self.graph.base_url).send().await {
            Ok(_) => Ok(started.elapsed()),
            Err(e) if e.is_timeout() => Err("timed out".to_string()),
            Err(e) if e.is_connect() => Err("connection refused or unreachable".to_string()),
            Err(_) => Err("request failed".to_string()),
        };
        GraphCheck { probe: Check::from_probe(probe), target: self.graph.clone() }
    }
}

fn millis(d: Duration) -> f64 {
    (d.as_secs_f64() * 1000.0 * 100.0).round() / 100.0
}
