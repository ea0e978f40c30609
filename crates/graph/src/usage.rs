//! What the Graph API's answers say about Crealia's standing with Meta: the rate-limit headers
//! (`X-App-Usage`, `X-Business-Use-Case-Usage`, percentages of the hourly budgets) and how the
//! last call went. Each client keeps one [`UsageBoard`]; the health page reads it, and every
//! call is counted in the metrics (`crealia_graph_api_calls_total{endpoint,outcome}`,
//! `crealia_graph_api_call_duration_seconds{endpoint}`).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, SystemTime};

use reqwest::header::HeaderMap;

use crate::client::Error;
use crate::wire::{AppUsage, BusinessUseCaseUsage};

/// Accounts whose usage is remembered at most (a server handles far fewer).
const MAX_ACCOUNTS: usize = 10_000;

/// A value and when an answer carried it.
#[derive(Clone, Debug, PartialEq)]
pub struct Seen<T> {
    pub value: T,
    pub at: SystemTime,
}

/// How a call ended, as the metrics name it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    Ok,
    /// Code 190: the account must be reconnected.
    InvalidToken,
    RateLimited,
    /// Meta's transient errors and 5xx.
    Transient,
    /// Any other Graph API or OAuth error.
    Refused,
    /// No answer (refused connection, timeout).
    Unreachable,
    /// An answer Crealia cannot read.
    Unexpected,
}

impl Outcome {
    pub fn of<T>(result: &Result<T, Error>) -> Self {
        match result {
            Ok(_) => Outcome::Ok,
            Err(e) if e.is_invalid_token() => Outcome::InvalidToken,
            Err(e) if e.is_rate_limited() => Outcome::RateLimited,
            Err(Error::Transport(_)) => Outcome::Unreachable,
            Err(Error::Decode(_)) => Outcome::Unexpected,
            Err(e) if e.is_transient() => Outcome::Transient,
            Err(_) => Outcome::Refused,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Ok => "ok",
            Outcome::InvalidToken => "invalid_token",
            Outcome::RateLimited => "rate_limited",
            Outcome::Transient => "transient",
            Outcome::Refused => "refused",
            Outcome::Unreachable => "unreachable",
            Outcome::Unexpected => "unexpected",
        }
    }

    /// Whether Meta answered at all (an error answer counts).
    pub fn reached(self) -> bool {
        !matches!(self, Outcome::Unreachable)
    }
}

/// The last call: when, how long, how it ended.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LastCall {
    pub at: SystemTime,
    pub latency: Duration,
    pub outcome: Outcome,
}

#[derive(Default)]
pub struct UsageBoard {
    state: Mutex<Board>,
}

#[derive(Default)]
struct Board {
    app: Option<Seen<AppUsage>>,
    accounts: HashMap<String, Seen<BusinessUseCaseUsage>>,
    last_call: Option<LastCall>,
}

impl UsageBoard {
    /// The app's usage, as the last answer that carried it said.
    pub fn app(&self) -> Option<Seen<AppUsage>> {
        self.lock().app.clone()
    }

    /// An Instagram account's usage (the highest of its use cases), as last seen.
    pub fn account(&self, ig_user_id: &str) -> Option<Seen<BusinessUseCaseUsage>> {
        self.lock().accounts.get(ig_user_id).cloned()
    }

    pub fn last_call(&self) -> Option<LastCall> {
        self.lock().last_call
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Board> {
        self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Reads the usage headers of an answer (ignoring what does not parse).
    pub(crate) fn read_headers(&self, headers: &HeaderMap) {
        let now = SystemTime::now();
        let app = headers.get("x-app-usage").and_then(|v| serde_json::from_slice::<AppUsage>(v.as_bytes()).ok());
        let accounts =
            headers.get("x-business-use-case-usage").and_then(|v| serde_json::from_slice::<HashMap<String, Vec<BusinessUseCaseUsage>>>(v.as_bytes()).ok());
        if app.is_none() && accounts.is_none() {
            return;
        }
        if let Some(app) = &app {
            for (measure, percent) in [("call_count", app.call_count), ("total_time", app.total_time), ("total_cputime", app.total_cputime)] {
                metrics::gauge!("crealia_graph_api_app_usage_ratio", "measure" => measure).set(f64::from(percent) / 100.0);
            }
        }
        let mut board = self.lock();
        if let Some(app) = app {
            board.app = Some(Seen { value: app, at: now });
        }
        for (ig_user_id, cases) in accounts.into_iter().flatten() {
            let Some(highest) = cases.into_iter().max_by_key(BusinessUseCaseUsage::highest) else { continue };
            if board.accounts.len() >= MAX_ACCOUNTS && !board.accounts.contains_key(&ig_user_id) {
                board.accounts.clear();
            }
            board.accounts.insert(ig_user_id, Seen { value: highest, at: now });
        }
    }

    /// Counts a finished call. `endpoint` is written `GET /:id/insights` in the labels (braces
    /// inside a label value trip up some Prometheus parsers).
    pub(crate) fn record_call<T>(&self, endpoint: String, latency: Duration, result: &Result<T, Error>) {
        let outcome = Outcome::of(result);
        let endpoint = endpoint.replace("{id}", ":id");
        metrics::counter!("crealia_graph_api_calls_total", "endpoint" => endpoint.clone(), "outcome" => outcome.as_str()).increment(1);
        metrics::histogram!("crealia_graph_api_call_duration_seconds", "endpoint" => endpoint).record(latency.as_secs_f64());
        self.lock().last_call = Some(LastCall { at: SystemTime::now(), latency, outcome });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usage_headers_are_read_and_the_busiest_use_case_kept() {
        let board = UsageBoard::default();
        let mut headers = HeaderMap::new();
        headers.insert("x-app-usage", r#"{"call_count":91,"total_time":45,"total_cputime":30}"#.parse().unwrap());
        headers.insert(
            "x-business-use-case-usage",
            r#"{"1784":[{"type":"instagram","call_count":12,"total_cputime":4,"total_time":6,"estimated_time_to_regain_access":0},{"type":"messaging","call_count":97,"total_cputime":1,"total_time":1,"estimated_time_to_regain_access":3}]}"#
                .parse()
                .unwrap(),
        );
        board.read_headers(&headers);
        assert_eq!(board.app().unwrap().value.call_count, 91);
        let account = board.account("1784").unwrap().value;
        assert_eq!((account.kind.as_str(), account.highest()), ("messaging", 97));

        // Garbage is ignored; what was known stays.
        let mut garbage = HeaderMap::new();
        garbage.insert("x-app-usage", "{not json".parse().unwrap());
        board.read_headers(&garbage);
        assert_eq!(board.app().unwrap().value.call_count, 91);
    }
}
