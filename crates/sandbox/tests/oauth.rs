//! Instagram Login over real HTTP: consent page, codes, the three token endpoints, `/me`.

mod common;

use common::{assert_graph_error, spawn, spawn_with};
use crealia_sandbox::{SandboxConfig, TokenShape};
use serde_json::{json, Value};

const REDIRECT: &str = "http://127.0.0.1:9/callback";
const SCOPE: &str = "instagram_business_basic,instagram_business_content_publish,instagram_business_manage_insights";

/// Walks the consent page as a person would: picks `username`, clicks Allow. Returns the code.
async fn authorize(s: &common::TestSandbox, username: &str) -> String {
    let app_id = s.sandbox.config().app_id;
    let page = s
        .http
        .get(s.url("/oauth/authorize"))
        .query(&[("client_id", app_id.as_str()), ("redirect_uri", REDIRECT), ("response_type", "code"), ("scope", SCOPE), ("state", "xyz")])
        .send()
        .await
        .unwrap();
    assert_eq!(page.status().as_u16(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("@lumen.studio") && html.contains(">Allow<") && html.contains(">Cancel<"), "{html}");

    let (ig_id, _) = s.account(username);
    let r = s
        .http
        .post(s.url("/oauth/authorize"))
        .form(&[("client_id", app_id.as_str()), ("redirect_uri", REDIRECT), ("scope", SCOPE), ("state", "xyz"), ("decision", "allow"), ("account", &ig_id)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 303);
    let location = r.headers()["location"].to_str().unwrap().to_string();
    assert!(location.starts_with(REDIRECT), "{location}");
    assert!(location.ends_with("#_"), "Meta appends #_ to the redirect: {location}");
    let url = url::Url::parse(&location).unwrap();
    let q: std::collections::HashMap<_, _> = url.query_pairs().into_owned().collect();
    assert_eq!(q["state"], "xyz");
    q["code"].clone()
}

async fn exchange(s: &common::TestSandbox, code: &str, redirect: &str) -> (u16, String) {
    let config = s.sandbox.config();
    let r = s
        .http
        .post(s.url("/oauth/access_token"))
        .form(&[
            ("client_id", config.app_id.as_str()),
            ("client_secret", config.app_secret.as_str()),
            ("grant_type", "authorization_code"),
            ("redirect_uri", redirect),
            ("code", code),
        ])
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

/// Exchanges a short-lived token for a long-lived one (`ig_exchange_token`).
async fn long_lived(s: &common::TestSandbox, short: &str) -> Value {
    let secret = s.sandbox.config().app_secret;
    s.http
        .get(s.url("/access_token"))
        .query(&[("grant_type", "ig_exchange_token"), ("client_secret", secret.as_str()), ("access_token", short)])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

#[tokio::test]
async fn full_flow_with_the_flat_answer_and_a_user_id_above_2_pow_53() {
    let s = spawn().await;
    let code = authorize(&s, "lumen.studio").await;
    let (status, body) = exchange(&s, &code, REDIRECT).await;
    assert_eq!(status, 200, "{body}");
    let (_, app_scoped) = s.account("lumen.studio");
    assert!(body.contains(&format!("\"user_id\":{app_scoped}")), "user_id is a bare JSON number: {body}");
    assert!(app_scoped.parse::<u64>().unwrap() > (1u64 << 53));
    let v: Value = serde_json::from_str(&body).unwrap();
    let short = v["access_token"].as_str().unwrap().to_string();
    assert!(short.starts_with("IGAA"));
    assert_eq!(v["permissions"], json!(SCOPE.split(',').collect::<Vec<_>>()));

    // Short → long-lived.
    let long = long_lived(&s, &short).await;
    assert_eq!(long["token_type"], "bearer");
    assert_eq!(long["expires_in"], 5_183_944);
    let token = long["access_token"].as_str().unwrap();

    // Identity.
    let (status, me) = s.get("/v25.0/me?fields=user_id,username,account_type,followers_count", token).await;
    assert_eq!(status, 200);
    let (ig_id, _) = s.account("lumen.studio");
    assert_eq!(me["user_id"], ig_id.as_str());
    assert_eq!(me["username"], "lumen.studio");
    assert_eq!(me["followers_count"], 48_210);
    assert_eq!(me["account_type"], "BUSINESS");
}

#[tokio::test]
async fn the_wrapped_answer_is_available_by_a_switch() {
    let s = spawn_with(SandboxConfig { token_shape: TokenShape::Wrapped, ..SandboxConfig::default() }).await;
    let code = authorize(&s, "nordlys.cafe").await;
    let (_, body) = exchange(&s, &code, REDIRECT).await;
    let v: Value = serde_json::from_str(&body).unwrap();
    let token = &v["data"][0];
    assert!(token["user_id"].is_string());
    assert!(token["permissions"].as_str().unwrap().contains("instagram_business_basic,"));
}

#[tokio::test]
async fn a_code_works_once_and_only_with_its_redirect_uri() {
    let s = spawn().await;
    let code = authorize(&s, "lumen.studio").await;
    let (status, body) = exchange(&s, &code, "http://127.0.0.1:9/other").await;
    assert_eq!(status, 400);
    let v: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["error_type"], "OAuthException");
    assert!(v["error_message"].as_str().unwrap().contains("redirect_uri"));

    let code = authorize(&s, "lumen.studio").await;
    assert_eq!(exchange(&s, &code, REDIRECT).await.0, 200);
    let (status, body) = exchange(&s, &code, REDIRECT).await;
    assert_eq!(status, 400);
    assert_eq!(
        serde_json::from_str::<Value>(&body).unwrap(),
        json!({"error_type":"OAuthException","code":400,"error_message":"Matching code was not found or was already used"})
    );
}

#[tokio::test]
async fn a_code_expires_after_an_hour() {
    let s = spawn().await;
    let code = authorize(&s, "lumen.studio").await;
    s.advance(3_601).await;
    let (status, body) = exchange(&s, &code, REDIRECT).await;
    assert_eq!(status, 400);
    assert!(body.contains("expired"), "{body}");
}

#[tokio::test]
async fn cancel_sends_the_person_back_with_access_denied() {
    let s = spawn().await;
    let app_id = s.sandbox.config().app_id;
    let r = s
        .http
        .post(s.url("/oauth/authorize"))
        .form(&[("client_id", app_id.as_str()), ("redirect_uri", REDIRECT), ("scope", SCOPE), ("state", "s1"), ("decision", "deny")])
        .send()
        .await
        .unwrap();
    let location = r.headers()["location"].to_str().unwrap();
    assert!(location.contains("error=access_denied&error_reason=user_denied&error_description=The+user+denied+your+request"), "{location}");
    assert!(location.contains("state=s1"));
}

#[tokio::test]
async fn the_consent_page_refuses_old_scopes_and_unknown_apps() {
    let s = spawn().await;
    let app_id = s.sandbox.config().app_id;
    let r = s
        .http
        .get(s.url("/oauth/authorize"))
        .query(&[("client_id", app_id.as_str()), ("redirect_uri", REDIRECT), ("response_type", "code"), ("scope", "business_basic")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 400);
    assert!(r.text().await.unwrap().contains("Invalid Scopes: business_basic"));
    let r = s.http.get(s.url("/oauth/authorize?client_id=1&redirect_uri=http://x/&response_type=code&scope=instagram_business_basic")).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 400);
}

#[tokio::test]
async fn refresh_follows_the_24_hour_and_60_day_rules() {
    let s = spawn().await;
    let token = s.token("lumen.studio").await;
    let refresh = |t: String| {
        let s = &s;
        async move {
            let r = s.http.get(s.url("/refresh_access_token")).query(&[("grant_type", "ig_refresh_token"), ("access_token", t.as_str())]).send().await.unwrap();
            (r.status().as_u16(), r.json::<Value>().await.unwrap())
        }
    };
    let (status, body) = refresh(token.clone()).await;
    assert_graph_error(status, &body, 100, None);

    s.advance(25 * 3_600).await;
    let (status, body) = refresh(token.clone()).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["token_type"], "bearer");
    assert!(body["expires_in"].as_u64().unwrap() > 59 * 86_400);
    let renewed = body["access_token"].as_str().unwrap().to_string();

    // The old token dies 60 days after its issue; the renewed one lives on.
    s.advance(59 * 86_400).await;
    let (status, body) = s.get("/me", &token).await;
    assert_graph_error(status, &body, 190, Some(463));
    assert!(body["error"]["message"].as_str().unwrap().starts_with("Error validating access token: Session has expired on"));
    let (status, _) = s.get("/me", &renewed).await;
    assert_eq!(status, 200);
    let (status, body) = refresh(token).await;
    assert_graph_error(status, &body, 190, Some(463));
}

#[tokio::test]
async fn token_errors_carry_code_190_with_the_right_subcode() {
    let s = spawn().await;
    let r = s.http.get(s.url("/me")).send().await.unwrap();
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["error"]["code"], 2500);

    let (status, body) = s.get("/me", "IGAAnot-a-token").await;
    assert_graph_error(status, &body, 190, Some(467));

    let token = s.token("lumen.studio").await;
    s.http.post(s.url("/__admin/tokens/revoke")).json(&json!({ "access_token": token, "subcode": 460 })).send().await.unwrap();
    let (status, body) = s.get("/me", &token).await;
    assert_graph_error(status, &body, 190, Some(460));

    let bearer = s.token("lumen.studio").await;
    let r = s.http.get(s.url("/v25.0/me?fields=username")).bearer_auth(&bearer).send().await.unwrap();
    assert_eq!(r.json::<Value>().await.unwrap()["username"], "lumen.studio", "Authorization: Bearer works too");
}

#[tokio::test]
async fn every_account_has_a_demo_token_computable_from_the_seed() {
    let s = spawn().await;
    let seed = s.sandbox.config().seed;
    let token = crealia_sandbox::demo_token(seed, "mira.moves");
    let (status, me) = s.get("/me?fields=username", &token).await;
    assert_eq!((status, me["username"].as_str()), (200, Some("mira.moves")));
    assert_ne!(token, crealia_sandbox::demo_token(seed + 1, "mira.moves"));
}

/// A token issued through OAuth outlives the sandbox's process: one started again with the same
/// seed accepts it (a server restart in sandbox mode keeps its connections), with its account,
/// scopes and expiry. A changed token, or another seed's sandbox, refuses it.
#[tokio::test]
async fn tokens_issued_by_oauth_survive_a_restart_with_the_same_seed() {
    let s = spawn().await;
    let code = authorize(&s, "lumen.studio").await;
    let (status, body) = exchange(&s, &code, REDIRECT).await;
    assert_eq!(status, 200, "{body}");
    let short = serde_json::from_str::<Value>(&body).unwrap()["access_token"].as_str().unwrap().to_string();
    let long = long_lived(&s, &short).await;
    let token = long["access_token"].as_str().unwrap().to_string();
    assert!(token.starts_with("IGAA") && token.chars().all(|c| c.is_ascii_alphanumeric()), "{token}");

    let again = spawn().await;
    let (status, me) = again.get("/v25.0/me?fields=username", &token).await;
    assert_eq!((status, me["username"].as_str()), (200, Some("lumen.studio")), "{me}");
    let r =
        again.http.get(again.url("/refresh_access_token")).query(&[("grant_type", "ig_refresh_token"), ("access_token", token.as_str())]).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 400);
    let body: Value = r.json().await.unwrap();
    assert!(body["error"]["message"].as_str().unwrap().contains("24 hours"), "its age came back with it: {body}");
    again.advance(61 * 86_400).await;
    let (status, body) = again.get("/v25.0/me?fields=username", &token).await;
    assert_eq!(status, 400, "expired after 60 days: {body}");

    let mut forged = token.clone().into_bytes();
    let i = forged.len() - 40;
    forged[i] = if forged[i] == b'0' { b'1' } else { b'0' };
    let (status, _) = spawn().await.get("/v25.0/me", &String::from_utf8(forged).unwrap()).await;
    assert_eq!(status, 400, "a changed token is refused");
    let other = common::spawn_with(crealia_sandbox::SandboxConfig { seed: 7, ..Default::default() }).await;
    let (status, _) = other.get("/v25.0/me", &token).await;
    assert_eq!(status, 400, "another seed's sandbox does not know it");
}
