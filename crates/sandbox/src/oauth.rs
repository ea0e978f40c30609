//! Instagram Login: the consent page, authorization codes (one use, 1 h), the code exchange
//! (flat or wrapped answer), the long-lived exchange (60 days) and the refresh, with Meta's rules.

use axum::extract::{Form, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::Json;
use crealia_graph::wire::{LongLivedToken, Permissions};
use serde::Deserialize;

use crate::error::{ApiError, ApiResult};
use crate::faults::FaultKind;
use crate::params::Params;
use crate::world::{AuthCode, Token, TokenKind, DAY};
use crate::{Sandbox, TokenShape};

pub const SHORT_LIVED_SECS: i64 = 3_600;
pub const LONG_LIVED_SECS: i64 = 60 * DAY;
pub const CODE_LIFETIME_SECS: i64 = 3_600;
pub const REFRESH_MIN_AGE_SECS: i64 = DAY;

pub use crealia_graph::SCOPES;

#[derive(Debug, Deserialize)]
pub struct AuthorizeQuery {
    client_id: Option<String>,
    redirect_uri: Option<String>,
    response_type: Option<String>,
    scope: Option<String>,
    state: Option<String>,
}

fn split_scopes(raw: &str) -> Vec<String> {
    raw.split([',', ' ']).filter(|s| !s.is_empty()).map(str::to_string).collect()
}

fn error_page(status: StatusCode, title: &str, detail: &str) -> Response {
    let body = format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><link rel=\"icon\" href=\"data:,\"><title>{title}</title>{STYLE}</head>\
         <body><main class=\"box\"><h1>{title}</h1><p>{detail}</p></main></body></html>",
        title = escape(title),
        detail = escape(detail)
    );
    (status, Html(body)).into_response()
}

const STYLE: &str = "<style>body{font-family:system-ui,sans-serif;background:#fafafa;color:#262626;margin:0}\
.box{max-width:420px;margin:48px auto;background:#fff;border:1px solid #dbdbdb;border-radius:12px;padding:28px}\
h1{font-size:20px}label.acct{display:flex;gap:10px;align-items:center;padding:10px;border:1px solid #efefef;border-radius:8px;margin:8px 0}\
.actions{display:flex;gap:10px;margin-top:18px}button{flex:1;padding:10px;border-radius:8px;border:0;font-weight:600;cursor:pointer}\
.allow{background:#0095f6;color:#fff}.cancel{background:#efefef}.muted{color:#737373;font-size:14px}</style>";

pub fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// `GET /oauth/authorize`: the page where a person picks an account and allows or cancels.
pub async fn authorize_page(State(sandbox): State<Sandbox>, Query(q): Query<AuthorizeQuery>) -> Response {
    let config = sandbox.config();
    if q.client_id.as_deref() != Some(config.app_id.as_str()) {
        return error_page(StatusCode::BAD_REQUEST, "Invalid Request", "Invalid platform app");
    }
    let Some(redirect_uri) = q.redirect_uri.filter(|u| url::Url::parse(u).is_ok_and(|u| matches!(u.scheme(), "http" | "https"))) else {
        return error_page(StatusCode::BAD_REQUEST, "Invalid Request", "Invalid redirect_uri: it must be an absolute http(s) URL.");
    };
    if q.response_type.as_deref() != Some("code") {
        return error_page(StatusCode::BAD_REQUEST, "Invalid Request", "Invalid response_type: use response_type=code.");
    }
    let scopes = split_scopes(q.scope.as_deref().unwrap_or_default());
    let invalid: Vec<_> = scopes.iter().filter(|s| !SCOPES.contains(&s.as_str())).cloned().collect();
    if scopes.is_empty() || !invalid.is_empty() {
        return error_page(StatusCode::BAD_REQUEST, "Invalid Scopes", &format!("Invalid Scopes: {}", invalid.join(", ")));
    }

    let accounts: Vec<(String, String, u64)> = sandbox.world().accounts.iter().map(|a| (a.ig_id.clone(), a.username.clone(), a.followers)).collect();
    let mut choices = String::new();
    for (i, (ig_id, username, followers)) in accounts.iter().enumerate() {
        choices.push_str(&format!(
            "<label class=\"acct\"><input type=\"radio\" name=\"account\" value=\"{ig_id}\"{checked}>\
             <span><strong>@{user}</strong><br><span class=\"muted\">{followers} followers</span></span></label>",
            checked = if i == 0 { " checked" } else { "" },
            user = escape(username),
        ));
    }
    let hidden = |name: &str, value: &str| format!("<input type=\"hidden\" name=\"{name}\" value=\"{}\">", escape(value));
    let body = format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><link rel=\"icon\" href=\"data:,\"><title>Log in with Instagram</title>{STYLE}</head><body>\
         <main class=\"box\"><h1>Allow access to your Instagram account?</h1>\
         <p class=\"muted\">Instagram Graph API sandbox · app {app_id}</p>\
         <form method=\"post\" action=\"authorize\">{c}{r}{s}{st}\
         <fieldset style=\"border:0;padding:0\"><legend>Choose an account</legend>{choices}</fieldset>\
         <p class=\"muted\">Requested: {scopes}</p>\
         <div class=\"actions\"><button class=\"cancel\" name=\"decision\" value=\"deny\">Cancel</button>\
         <button class=\"allow\" name=\"decision\" value=\"allow\">Allow</button></div></form></main></body></html>",
        app_id = escape(&config.app_id),
        c = hidden("client_id", &config.app_id),
        r = hidden("redirect_uri", &redirect_uri),
        s = hidden("scope", &scopes.join(",")),
        st = hidden("state", q.state.as_deref().unwrap_or_default()),
        scopes = escape(&scopes.join(", ")),
    );
    Html(body).into_response()
}

#[derive(Debug, Deserialize)]
pub struct Decision {
    client_id: String,
    redirect_uri: String,
    scope: String,
    #[serde(default)]
    state: String,
    decision: String,
    account: Option<String>,
}

/// The person's answer: back to `redirect_uri` with a code, or with `error=access_denied`.
pub async fn authorize_decision(State(sandbox): State<Sandbox>, Form(d): Form<Decision>) -> Response {
    if d.client_id != sandbox.config().app_id {
        return error_page(StatusCode::BAD_REQUEST, "Invalid Request", "Invalid platform app");
    }
    let Ok(mut target) = url::Url::parse(&d.redirect_uri) else {
        return error_page(StatusCode::BAD_REQUEST, "Invalid Request", "Invalid redirect_uri");
    };
    if d.decision != "allow" {
        {
            let mut q = target.query_pairs_mut();
            q.append_pair("error", "access_denied").append_pair("error_reason", "user_denied").append_pair("error_description", "The user denied your request");
            if !d.state.is_empty() {
                q.append_pair("state", &d.state);
            }
        }
        return Redirect::to(target.as_str()).into_response();
    }
    let now = sandbox.clock().now();
    let code = {
        let mut world = sandbox.world();
        let Some(ig_id) = d.account.filter(|id| world.account(id).is_some()) else {
            return error_page(StatusCode::BAD_REQUEST, "Invalid Request", "Choose an account.");
        };
        let code = format!("AQB{}", world.rng.token(180));
        world
            .codes
            .insert(code.clone(), AuthCode { ig_id, redirect_uri: d.redirect_uri.clone(), permissions: split_scopes(&d.scope), issued_at: now, used: false });
        code
    };
    {
        let mut q = target.query_pairs_mut();
        q.append_pair("code", &code);
        if !d.state.is_empty() {
            q.append_pair("state", &d.state);
        }
    }
    target.set_fragment(Some("_"));
    Redirect::to(target.as_str()).into_response()
}

#[derive(Debug, Deserialize)]
pub struct CodeExchange {
    client_id: Option<String>,
    client_secret: Option<String>,
    grant_type: Option<String>,
    redirect_uri: Option<String>,
    code: Option<String>,
}

/// `POST /oauth/access_token`: code → short-lived token (1 h).
pub async fn exchange_code(State(sandbox): State<Sandbox>, Form(f): Form<CodeExchange>) -> Response {
    match exchange_code_inner(&sandbox, f) {
        Ok(r) => r,
        Err(e) => e.into_response(),
    }
}

fn exchange_code_inner(sandbox: &Sandbox, f: CodeExchange) -> ApiResult<Response> {
    let config = sandbox.config();
    if f.client_id.as_deref() != Some(config.app_id.as_str()) {
        return Err(ApiError::oauth("Invalid platform app"));
    }
    if f.client_secret.as_deref() != Some(config.app_secret.as_str()) {
        return Err(ApiError::oauth("Error validating client secret."));
    }
    if f.grant_type.as_deref() != Some("authorization_code") {
        return Err(ApiError::oauth("Invalid grant_type: it must be authorization_code"));
    }
    // The `#_` Meta appends to the redirect is not part of the code.
    let code = f.code.unwrap_or_default().trim_end_matches("#_").to_string();
    let now = sandbox.clock().now();
    let mut world = sandbox.world();
    let Some(grant) = world.codes.get_mut(&code) else {
        return Err(ApiError::oauth("Matching code was not found or was already used"));
    };
    if grant.used {
        return Err(ApiError::oauth("Matching code was not found or was already used"));
    }
    if f.redirect_uri.as_deref() != Some(grant.redirect_uri.as_str()) {
        return Err(ApiError::oauth(
            "Error validating verification code. Please make sure your redirect_uri is identical to the one you used in the OAuth dialog request",
        ));
    }
    grant.used = true;
    if now - grant.issued_at > CODE_LIFETIME_SECS {
        return Err(ApiError::oauth("This authorization code has expired."));
    }
    let grant = grant.clone();
    let token = world.issue_token(Token {
        ig_id: grant.ig_id.clone(),
        kind: TokenKind::ShortLived,
        issued_at: now,
        expires_at: now + SHORT_LIVED_SECS,
        permissions: grant.permissions.clone(),
        revoked: None,
    });
    let user_id = world.account(&grant.ig_id).map(|a| a.app_scoped_id.clone()).unwrap_or_default();
    let body = match config.token_shape {
        TokenShape::Flat => serde_json::json!({
            "access_token": token,
            // A JSON number above 2^53, as observed: clients must not read it as a float.
            "user_id": user_id.parse::<u64>().map(serde_json::Value::from).unwrap_or(serde_json::Value::String(user_id)),
            "permissions": grant.permissions,
        }),
        TokenShape::Wrapped => serde_json::json!({
            "data": [{ "access_token": token, "user_id": user_id, "permissions": grant.permissions.join(",") }]
        }),
    };
    Ok(Json(body).into_response())
}

/// Who a valid token speaks for.
#[derive(Clone, Debug)]
pub struct Caller {
    pub token: String,
    pub ig_id: String,
    pub permissions: Vec<String>,
    pub kind: TokenKind,
}

impl Caller {
    pub fn require(&self, permission: &str) -> ApiResult<()> {
        if self.permissions.iter().any(|p| p == permission) {
            Ok(())
        } else {
            Err(ApiError::missing_permission(permission))
        }
    }
}

/// Checks the call's access token (and applies a `revoke_token` fault aimed at this endpoint).
pub fn authenticate(sandbox: &Sandbox, params: &Params, endpoint: &str) -> ApiResult<Caller> {
    let Some(token) = params.get("access_token") else {
        return Err(ApiError::missing_token());
    };
    let revoke = sandbox.faults().hit(endpoint, |k| matches!(k, FaultKind::RevokeToken { .. }));
    let now = sandbox.clock().now();
    let mut world = sandbox.world();
    if !world.tokens.contains_key(token) {
        // Issued before this sandbox was started again?
        let Some(record) = world.unseal(token) else {
            return Err(ApiError::invalid_token());
        };
        world.tokens.insert(token.to_string(), record);
    }
    let Some(record) = world.tokens.get_mut(token) else {
        return Err(ApiError::invalid_token());
    };
    for fault in revoke {
        if let FaultKind::RevokeToken { subcode } = fault {
            record.revoked = Some(subcode);
        }
    }
    if let Some(subcode) = record.revoked {
        return Err(ApiError::revoked_token(subcode));
    }
    if now >= record.expires_at {
        return Err(ApiError::expired_token(record.expires_at));
    }
    Ok(Caller { token: token.to_string(), ig_id: record.ig_id.clone(), permissions: record.permissions.clone(), kind: record.kind })
}

fn long_lived_answer(sandbox: &Sandbox, caller: &Caller, include_permissions: bool) -> Response {
    let now = sandbox.clock().now();
    let mut world = sandbox.world();
    let token = world.issue_token(Token {
        ig_id: caller.ig_id.clone(),
        kind: TokenKind::LongLived,
        issued_at: now,
        expires_at: now + LONG_LIVED_SECS,
        permissions: caller.permissions.clone(),
        revoked: None,
    });
    Json(LongLivedToken {
        access_token: token,
        token_type: "bearer".into(),
        // Meta answers a little under 60 days (5183944 s): the time spent issuing it.
        expires_in: (LONG_LIVED_SECS - 56) as u64,
        permissions: include_permissions.then(|| Permissions(caller.permissions.clone())),
    })
    .into_response()
}

/// The two token GET endpoints: parameters from the query string, errors as Meta's envelope.
fn token_endpoint(query: Option<&str>, headers: &axum::http::HeaderMap, handle: impl FnOnce(&Params) -> ApiResult<Response>) -> Response {
    handle(&Params::parse(query, headers, &[])).unwrap_or_else(IntoResponse::into_response)
}

/// `GET /access_token?grant_type=ig_exchange_token&client_secret=…&access_token=SHORT`.
pub async fn exchange_for_long_lived(
    State(sandbox): State<Sandbox>,
    axum::extract::RawQuery(query): axum::extract::RawQuery,
    headers: axum::http::HeaderMap,
) -> Response {
    token_endpoint(query.as_deref(), &headers, |params| {
        if params.get("grant_type") != Some("ig_exchange_token") {
            return Err(ApiError::invalid_parameter("grant_type must be ig_exchange_token"));
        }
        if params.get("client_secret") != Some(sandbox.config().app_secret.as_str()) {
            return Err(ApiError::graph(101, None, "Error validating client secret."));
        }
        let caller = authenticate(&sandbox, params, "GET /access_token")?;
        if caller.kind != TokenKind::ShortLived {
            return Err(ApiError::invalid_parameter("The access token is already long-lived; use ig_refresh_token"));
        }
        Ok(long_lived_answer(&sandbox, &caller, false))
    })
}

/// `GET /refresh_access_token?grant_type=ig_refresh_token&access_token=LONG`: a long-lived token
/// at least 24 h old and not expired, with `instagram_business_basic`, gets 60 new days.
pub async fn refresh(State(sandbox): State<Sandbox>, axum::extract::RawQuery(query): axum::extract::RawQuery, headers: axum::http::HeaderMap) -> Response {
    token_endpoint(query.as_deref(), &headers, |params| {
        if params.get("grant_type") != Some("ig_refresh_token") {
            return Err(ApiError::invalid_parameter("grant_type must be ig_refresh_token"));
        }
        let caller = authenticate(&sandbox, params, "GET /refresh_access_token")?;
        if caller.kind != TokenKind::LongLived {
            return Err(ApiError::invalid_parameter("Only long-lived access tokens can be refreshed"));
        }
        let issued_at = sandbox.world().tokens.get(&caller.token).map(|t| t.issued_at).unwrap_or_default();
        if sandbox.clock().now() - issued_at < REFRESH_MIN_AGE_SECS {
            return Err(ApiError::invalid_parameter("The access token can only be refreshed once it is at least 24 hours old"));
        }
        caller.require("instagram_business_basic")?;
        Ok(long_lived_answer(&sandbox, &caller, true))
    })
}
