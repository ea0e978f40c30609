//! The admin API under `/__admin`, for tests and demos: the clock, faults, tokens, settings and
//! what the sandbox has seen. Meta has no such thing; Crealia never calls it in production.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::{get, post, put};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::faults::FaultRule;
use crate::world::{KnownAccount, Token, TokenKind};
use crate::{Sandbox, TokenShape};

pub fn router() -> Router<Sandbox> {
    Router::new()
        .route("/world", get(world))
        .route("/accounts", post(add_accounts))
        .route("/accounts/known", post(add_known_account))
        .route("/clock", get(clock))
        .route("/clock/advance", post(advance_clock))
        .route("/faults", get(list_faults).post(add_fault).delete(clear_faults))
        .route("/tokens", post(issue_token))
        .route("/tokens/revoke", post(revoke_token))
        .route("/config", put(update_config))
        .route("/calls", get(calls).delete(reset_calls))
        .route("/webhooks", put(subscribe).get(deliveries))
        .route("/webhooks/events", post(produce_events))
        .route("/messages", get(messages))
        .route("/media/{id}", get(media))
}

/// The seeded accounts with what a test compares against.
async fn world(State(sandbox): State<Sandbox>) -> Json<Value> {
    let world = sandbox.world();
    let accounts: Vec<Value> = world
        .accounts
        .iter()
        .map(|a| {
            json!({
                "ig_id": a.ig_id,
                "app_scoped_id": a.app_scoped_id,
                "username": a.username,
                "followers_count": a.followers,
                "follows_count": a.follows,
                "media_count": world.media_order.get(&a.ig_id).map_or(0, Vec::len),
            })
        })
        .collect();
    Json(json!({ "accounts": accounts, "seed": sandbox.config().seed }))
}

#[derive(Deserialize)]
struct NewAccounts {
    count: usize,
    #[serde(default = "default_prefix")]
    prefix: String,
}

fn default_prefix() -> String {
    "load".into()
}

/// Adds `count` empty accounts, each with a long-lived token (for load tests and benchmarks).
async fn add_accounts(State(sandbox): State<Sandbox>, Json(n): Json<NewAccounts>) -> impl IntoResponse {
    let now = sandbox.clock().now();
    let mut world = sandbox.world();
    let start = world.accounts.len();
    let made: Vec<Value> = (0..n.count.min(100_000))
        .map(|i| {
            let username = format!("{}.{:05}", n.prefix, start + i);
            let (ig_id, token) = world.add_plain_account(&username, now);
            json!({ "ig_id": ig_id, "username": username, "access_token": token })
        })
        .collect();
    (StatusCode::CREATED, Json(json!({ "accounts": made })))
}

/// Adds an account whose best hours and hashtags are known (see [`KnownAccount`]), for tests
/// of what Crealia suggests.
async fn add_known_account(State(sandbox): State<Sandbox>, Json(spec): Json<KnownAccount>) -> impl IntoResponse {
    let valid_hours = spec.best_hours.len() <= 24 && spec.best_hours.iter().all(|(d, h)| *d < 7 && *h < 24);
    if spec.username.trim().is_empty() || !valid_hours {
        return (StatusCode::BAD_REQUEST, Json(json!({ "error": "a username and best_hours of (weekday 0-6, hour 0-23) are required" })));
    }
    let now = sandbox.clock().now();
    let mut world = sandbox.world();
    if world.account_by_username(&spec.username).is_some() {
        return (StatusCode::CONFLICT, Json(json!({ "error": "an account of that username exists" })));
    }
    let (ig_id, token) = world.add_known_account(&spec, now);
    (StatusCode::CREATED, Json(json!({ "ig_id": ig_id, "username": spec.username, "access_token": token })))
}

async fn clock(State(sandbox): State<Sandbox>) -> Json<Value> {
    Json(json!({ "now": sandbox.clock().now(), "offset_secs": sandbox.clock().offset() }))
}

#[derive(Deserialize)]
struct Advance {
    seconds: i64,
}

async fn advance_clock(State(sandbox): State<Sandbox>, Json(a): Json<Advance>) -> Json<Value> {
    let offset = sandbox.clock().advance(a.seconds);
    Json(json!({ "now": sandbox.clock().now(), "offset_secs": offset }))
}

async fn list_faults(State(sandbox): State<Sandbox>) -> Json<Vec<FaultRule>> {
    Json(sandbox.faults().list())
}

async fn add_fault(State(sandbox): State<Sandbox>, Json(rule): Json<FaultRule>) -> impl IntoResponse {
    sandbox.faults().add(rule);
    StatusCode::CREATED
}

async fn clear_faults(State(sandbox): State<Sandbox>) -> impl IntoResponse {
    sandbox.faults().clear();
    StatusCode::NO_CONTENT
}

#[derive(Deserialize)]
struct Issue {
    /// The account's professional id or username.
    account: String,
    #[serde(default)]
    short_lived: bool,
    /// Defaults to every Instagram Login scope.
    permissions: Option<Vec<String>>,
    /// Pretend the token was issued this long ago.
    #[serde(default)]
    age_secs: i64,
}

/// Issues a token without the OAuth dance, for tests of everything after sign-in.
async fn issue_token(State(sandbox): State<Sandbox>, Json(i): Json<Issue>) -> impl IntoResponse {
    let now = sandbox.clock().now();
    let mut world = sandbox.world();
    let Some(ig_id) = world.account(&i.account).or_else(|| world.account_by_username(&i.account)).map(|a| a.ig_id.clone()) else {
        return (StatusCode::NOT_FOUND, Json(json!({ "error": "no such account" })));
    };
    let token = world.new_token("IGAA");
    let issued_at = now - i.age_secs;
    let (kind, lifetime) =
        if i.short_lived { (TokenKind::ShortLived, crate::oauth::SHORT_LIVED_SECS) } else { (TokenKind::LongLived, crate::oauth::LONG_LIVED_SECS) };
    let permissions = i.permissions.unwrap_or_else(|| crate::oauth::SCOPES.iter().map(|s| s.to_string()).collect());
    world.tokens.insert(token.clone(), Token { ig_id: ig_id.clone(), kind, issued_at, expires_at: issued_at + lifetime, permissions, revoked: None });
    (StatusCode::CREATED, Json(json!({ "access_token": token, "ig_id": ig_id, "expires_at": issued_at + lifetime })))
}

#[derive(Deserialize)]
struct Revoke {
    access_token: Option<String>,
    /// Revokes every token of this account.
    account: Option<String>,
    /// The 190 subcode the token answers from now on (460: password changed).
    #[serde(default = "default_subcode")]
    subcode: i64,
}

fn default_subcode() -> i64 {
    460
}

async fn revoke_token(State(sandbox): State<Sandbox>, Json(r): Json<Revoke>) -> Json<Value> {
    let mut world = sandbox.world();
    let account = r.account.as_ref().and_then(|a| world.account(a).or_else(|| world.account_by_username(a))).map(|a| a.ig_id.clone());
    let mut revoked = 0;
    for (value, token) in world.tokens.iter_mut() {
        if Some(value) == r.access_token.as_ref() || Some(&token.ig_id) == account.as_ref() {
            token.revoked = Some(r.subcode);
            revoked += 1;
        }
    }
    Json(json!({ "revoked": revoked }))
}

#[derive(Deserialize)]
struct ConfigChange {
    token_shape: Option<TokenShape>,
    quota_total: Option<u32>,
    lenient_image_formats: Option<bool>,
    account_calls_per_hour: Option<u32>,
    app_calls_per_hour: Option<u32>,
    video_processing_secs: Option<i64>,
    insights_delay_secs: Option<i64>,
}

async fn update_config(State(sandbox): State<Sandbox>, Json(c): Json<ConfigChange>) -> impl IntoResponse {
    sandbox.update_config(|config| {
        if let Some(v) = c.token_shape {
            config.token_shape = v;
        }
        if let Some(v) = c.quota_total {
            config.quota_total = v;
        }
        if let Some(v) = c.lenient_image_formats {
            config.lenient_image_formats = v;
        }
        if let Some(v) = c.account_calls_per_hour {
            config.account_calls_per_hour = v;
        }
        if let Some(v) = c.app_calls_per_hour {
            config.app_calls_per_hour = v;
        }
        if let Some(v) = c.video_processing_secs {
            config.video_processing_secs = v;
        }
        if let Some(v) = c.insights_delay_secs {
            config.insights_delay_secs = v;
        }
    });
    StatusCode::NO_CONTENT
}

async fn calls(State(sandbox): State<Sandbox>) -> Json<Value> {
    Json(json!(sandbox.usage().calls()))
}

async fn reset_calls(State(sandbox): State<Sandbox>) -> impl IntoResponse {
    sandbox.usage().reset();
    StatusCode::NO_CONTENT
}

async fn subscribe(State(sandbox): State<Sandbox>, Json(sub): Json<crate::webhooks::Subscription>) -> impl IntoResponse {
    match crate::webhooks::subscribe(&sandbox, sub).await {
        Ok(()) => (StatusCode::OK, Json(json!({ "success": true }))),
        Err(e) => (StatusCode::BAD_REQUEST, Json(json!({ "error": e }))),
    }
}

async fn deliveries(State(sandbox): State<Sandbox>) -> Json<Value> {
    Json(json!({ "subscription": sandbox.webhooks().subscription().map(|s| s.callback_url), "deliveries": sandbox.webhooks().deliveries() }))
}

/// Produces comments, mentions or messages and queues their webhook deliveries.
async fn produce_events(State(sandbox): State<Sandbox>, Json(batch): Json<crate::webhooks::EventBatch>) -> impl IntoResponse {
    match crate::webhooks::produce(&sandbox, batch) {
        Ok(v) => (StatusCode::CREATED, Json(v)),
        Err(e) => (StatusCode::BAD_REQUEST, Json(json!({ "error": e }))),
    }
}

/// Every direct message (people's and the accounts' answers), oldest first.
/// A published media as the sandbox holds it, with what it was given beyond its media and
/// words (collaborators, people tagged, place, a reel's cover, frame, sound, trial) and its
/// carousel items likewise: what Instagram would show on the post.
async fn media(State(sandbox): State<Sandbox>, Path(id): Path<String>) -> impl IntoResponse {
    let world = sandbox.world();
    let Some(media) = world.media.get(&id) else {
        return (StatusCode::NOT_FOUND, Json(json!({ "error": "no such media" })));
    };
    let children: Vec<Value> =
        media.children.iter().filter_map(|c| world.media.get(c)).map(|c| json!({ "id": c.id, "media_type": c.kind.as_str(), "extras": c.extras })).collect();
    let body = json!({
        "id": media.id,
        "media_type": media.kind.as_str(),
        "media_product_type": media.product.as_str(),
        "caption": media.caption,
        "extras": media.extras,
        "children": children,
    });
    (StatusCode::OK, Json(body))
}

async fn messages(State(sandbox): State<Sandbox>) -> Json<Value> {
    Json(json!({ "messages": sandbox.world().messages }))
}
