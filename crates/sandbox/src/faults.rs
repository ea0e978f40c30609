//! Fault injection, steered through the admin API: latency, 5xx, rate-limit errors, token
//! revocation, media-fetch failures and webhook receiver timeouts, per endpoint, for N calls
//! or with a probability.

use std::sync::Mutex;
use std::time::Duration;

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use crealia_graph::endpoint::endpoint_key;
use serde::{Deserialize, Serialize};

use crate::error::ApiError;
use crate::Sandbox;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FaultKind {
    /// Delay the answer: before the call takes effect, or with `after`, once it has (the caller
    /// waits for an answer to something Meta already did — a crash test kills it there).
    Latency {
        ms: u64,
        #[serde(default)]
        after: bool,
    },
    /// Answer 500 with Meta's transient error (code 2).
    ServerError,
    /// Answer a rate-limit error: code 4 (app), 17 (user) or 80002 (Instagram account).
    RateLimit { code: i64 },
    /// The token of the call answers 190 with this subcode from now on.
    RevokeToken { subcode: i64 },
    /// Fetching `image_url`/`video_url` fails (container creation answers 9004/2207052).
    MediaFetchFailure,
    /// Webhook deliveries time out as if the receiver never answered.
    WebhookTimeout,
    /// Answer any documented Graph API error, e.g. `{"code": -1, "subcode": 2207001}` (an
    /// Instagram server error, transient) or `{"code": 25, "subcode": 2207050}` (restricted).
    GraphError {
        code: i64,
        #[serde(default)]
        subcode: Option<i64>,
    },
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct FaultRule {
    #[serde(flatten)]
    pub kind: FaultKind,
    /// Which calls it hits: a substring of `METHOD /path` with ids written `{id}`
    /// (e.g. `POST /{id}/media_publish`); absent means every call.
    #[serde(default)]
    pub endpoint: Option<String>,
    /// Hits this many calls, then disappears; absent means until cleared.
    #[serde(default)]
    pub times: Option<u32>,
    /// Lets this many matching calls through before hitting (the n-th step of a flow).
    #[serde(default)]
    pub skip: u32,
    /// Chance of hitting a matching call (0..1); absent means every matching call.
    #[serde(default)]
    pub probability: Option<f64>,
}

#[derive(Default)]
pub struct Faults {
    rules: Mutex<Vec<FaultRule>>,
    dice: Mutex<u64>,
}

impl Faults {
    pub fn add(&self, rule: FaultRule) {
        self.rules.lock().expect("faults lock").push(rule);
    }

    pub fn clear(&self) {
        self.rules.lock().expect("faults lock").clear();
    }

    pub fn list(&self) -> Vec<FaultRule> {
        self.rules.lock().expect("faults lock").clone()
    }

    /// Takes the faults that hit this call (consuming one of their `times`).
    pub fn hit(&self, endpoint: &str, wanted: impl Fn(&FaultKind) -> bool) -> Vec<FaultKind> {
        let mut rules = self.rules.lock().expect("faults lock");
        let mut hits = Vec::new();
        for rule in rules.iter_mut() {
            if !wanted(&rule.kind) || rule.times == Some(0) {
                continue;
            }
            if let Some(pattern) = &rule.endpoint {
                if !endpoint.contains(pattern.as_str()) {
                    continue;
                }
            }
            if rule.skip > 0 {
                rule.skip -= 1;
                continue;
            }
            if let Some(p) = rule.probability {
                if self.roll() >= p {
                    continue;
                }
            }
            if let Some(n) = rule.times.as_mut() {
                *n -= 1;
            }
            hits.push(rule.kind.clone());
        }
        rules.retain(|r| r.times != Some(0));
        hits
    }

    fn roll(&self) -> f64 {
        let mut state = self.dice.lock().expect("dice lock");
        *state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (*state >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// Applies latency, server errors and rate limits before the handler runs, and `after`
/// latency once it has run. Token revocation is applied by the token check; media and webhook
/// faults where those happen.
pub async fn inject(State(sandbox): State<Sandbox>, request: Request, next: Next) -> Response {
    let path = request.uri().path();
    if path.starts_with("/__admin") {
        return next.run(request).await;
    }
    let key = endpoint_key(request.method().as_str(), path);
    let hits = sandbox.faults().hit(&key, |k| {
        matches!(k, FaultKind::Latency { after: false, .. } | FaultKind::ServerError | FaultKind::RateLimit { .. } | FaultKind::GraphError { .. })
    });
    let mut failure = None;
    for hit in hits {
        match hit {
            FaultKind::Latency { ms, .. } => tokio::time::sleep(Duration::from_millis(ms)).await,
            FaultKind::ServerError => failure = Some(ApiError::server_error()),
            FaultKind::GraphError { code, subcode: Some(subcode) } if subcode >= 2_207_000 => failure = Some(ApiError::publishing(code, subcode)),
            FaultKind::GraphError { code, subcode } => failure = Some(ApiError::graph(code, subcode, format!("(#{code}) Injected error"))),
            FaultKind::RateLimit { code } => {
                failure = Some(match code {
                    17 => ApiError::user_rate_limit(),
                    80002 => ApiError::account_rate_limit(),
                    _ => ApiError::app_rate_limit(),
                })
            }
            _ => {}
        }
    }
    if let Some(error) = failure {
        return error.into_response();
    }
    let response = next.run(request).await;
    // Taken only now, so a rule that is gone from the list has really taken effect.
    for hit in sandbox.faults().hit(&key, |k| matches!(k, FaultKind::Latency { after: true, .. })) {
        if let FaultKind::Latency { ms, .. } = hit {
            tokio::time::sleep(Duration::from_millis(ms)).await;
        }
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rule_with_times_hits_that_many_calls_then_goes() {
        let faults = Faults::default();
        faults.add(FaultRule { kind: FaultKind::ServerError, endpoint: Some("/media_publish".into()), times: Some(2), skip: 0, probability: None });
        let any = |_: &FaultKind| true;
        assert!(faults.hit("GET /me", any).is_empty(), "other endpoints are spared");
        assert_eq!(faults.hit("POST /{id}/media_publish", any).len(), 1);
        assert_eq!(faults.hit("POST /{id}/media_publish", any).len(), 1);
        assert!(faults.hit("POST /{id}/media_publish", any).is_empty());
        assert!(faults.list().is_empty());
    }

    #[test]
    fn skip_lets_the_first_matching_calls_through() {
        let faults = Faults::default();
        faults.add(FaultRule { kind: FaultKind::ServerError, endpoint: None, times: Some(1), skip: 2, probability: None });
        let any = |_: &FaultKind| true;
        assert!(faults.hit("GET /me", any).is_empty());
        assert!(faults.hit("POST /{id}/media", any).is_empty());
        assert_eq!(faults.hit("GET /{id}", any), vec![FaultKind::ServerError], "the third call is hit");
        assert!(faults.list().is_empty());
    }
}
