//! Rate limits: `X-App-Usage` and `X-Business-Use-Case-Usage` on every answer (JSON strings
//! of percentages), and errors 4 and 80002 once the hourly budgets run out.

use std::collections::HashMap;
use std::sync::Mutex;

use axum::extract::{Request, State};
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use crealia_graph::wire::{AppUsage, BusinessUseCaseUsage};

use crate::error::ApiError;
use crate::Sandbox;

const WINDOW: i64 = 3_600;

/// Marks a response as a call on behalf of this Instagram account (set by the dispatcher).
#[derive(Clone, Debug)]
pub struct AccountCall(pub String);

#[derive(Default)]
pub struct Usage {
    state: Mutex<State_>,
}

#[derive(Default)]
struct State_ {
    /// Calls per endpoint key since the last reset (not windowed), for tests.
    calls: std::collections::BTreeMap<String, u64>,
    window: i64,
    app_calls: u32,
    accounts: HashMap<String, u32>,
}

impl Usage {
    fn with_window<T>(&self, now: i64, f: impl FnOnce(&mut State_) -> T) -> T {
        let mut state = self.state.lock().expect("usage lock");
        let window = now.div_euclid(WINDOW);
        if state.window != window {
            let calls = std::mem::take(&mut state.calls);
            *state = State_ { window, calls, ..State_::default() };
        }
        f(&mut state)
    }

    /// Counts one app call; returns the calls made in this window.
    pub fn record_app(&self, now: i64) -> u32 {
        self.with_window(now, |s| {
            s.app_calls += 1;
            s.app_calls
        })
    }

    /// Counts one call for an account; returns its calls in this window.
    pub fn record_account(&self, now: i64, ig_id: &str) -> u32 {
        self.with_window(now, |s| {
            let n = s.accounts.entry(ig_id.to_string()).or_default();
            *n += 1;
            *n
        })
    }

    pub fn account_calls(&self, now: i64, ig_id: &str) -> u32 {
        self.with_window(now, |s| s.accounts.get(ig_id).copied().unwrap_or(0))
    }

    pub fn count_call(&self, endpoint: String) {
        *self.state.lock().expect("usage lock").calls.entry(endpoint).or_default() += 1;
    }

    /// Calls per endpoint (`GET /{id}/insights` …) since the last reset.
    pub fn calls(&self) -> std::collections::BTreeMap<String, u64> {
        self.state.lock().expect("usage lock").calls.clone()
    }

    pub fn reset(&self) {
        *self.state.lock().expect("usage lock") = State_::default();
    }
}

fn percent(calls: u32, budget: u32) -> u32 {
    ((calls as u64 * 100) / budget.max(1) as u64).min(100) as u32
}

/// Minutes until the current window ends, when a budget is used up.
fn minutes_left(now: i64) -> u32 {
    ((WINDOW - now.rem_euclid(WINDOW)) / 60 + 1) as u32
}

pub async fn track(State(sandbox): State<Sandbox>, request: Request, next: Next) -> Response {
    if request.uri().path().starts_with("/__admin") {
        return next.run(request).await;
    }
    sandbox.usage().count_call(crealia_graph::endpoint::endpoint_key(request.method().as_str(), request.uri().path()));
    let config = sandbox.config();
    let now = sandbox.clock().now();
    let app_calls = sandbox.usage().record_app(now);
    let mut response = if app_calls > config.app_calls_per_hour { ApiError::app_rate_limit().into_response() } else { next.run(request).await };

    let app_pct = percent(app_calls, config.app_calls_per_hour);
    let app = AppUsage { call_count: app_pct, total_time: app_pct / 2, total_cputime: app_pct / 3 };
    if let Ok(v) = HeaderValue::from_str(&serde_json::to_string(&app).unwrap_or_default()) {
        response.headers_mut().insert("x-app-usage", v);
    }
    if let Some(AccountCall(ig_id)) = response.extensions().get::<AccountCall>().cloned() {
        let calls = sandbox.usage().account_calls(now, &ig_id);
        let pct = percent(calls, config.account_calls_per_hour);
        let usage = BusinessUseCaseUsage {
            kind: "instagram".into(),
            call_count: pct,
            total_cputime: pct / 3,
            total_time: pct / 2,
            estimated_time_to_regain_access: if calls > config.account_calls_per_hour { minutes_left(now) } else { 0 },
        };
        let body = serde_json::json!({ ig_id: [usage] }).to_string();
        if let Ok(v) = HeaderValue::from_str(&body) {
            response.headers_mut().insert("x-business-use-case-usage", v);
        }
    }
    response
}
