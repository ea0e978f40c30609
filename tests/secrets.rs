//! A whole run (sign-up, Instagram connection through OAuth, an upload, publishing, a signed
//! webhook, the inbox, the pages) with every log line at debug level and every response Crealia
//! sends captured: no access token, OAuth code, app or webhook secret, password, session cookie,
//! encryption key or admin token issued in the run appears in any of them. Its own test binary:
//! the log capture is this process's subscriber.

mod common;

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::Engine;
use common::{encoded, spawn_app, wait_until, TestApp};
use serde_json::json;
use sqlx::PgPool;

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Everything Crealia answered, headers and bodies (the `Set-Cookie` that hands the session
/// to its owner aside).
#[derive(Default)]
struct Responses(Vec<String>);

impl Responses {
    async fn record(&mut self, response: reqwest::Response) -> (u16, Option<String>, String) {
        let status = response.status().as_u16();
        let location = response.headers().get("location").map(|v| v.to_str().unwrap().to_string());
        for (name, value) in response.headers() {
            if name != "set-cookie" {
                self.0.push(format!("{name}: {}", String::from_utf8_lossy(value.as_bytes())));
            }
        }
        let body = response.text().await.unwrap_or_default();
        self.0.push(body.clone());
        (status, location, body)
    }
}

fn server_fn_path(name: &str) -> String {
    leptos::server_fn::axum::server_fn_paths().map(|(p, _)| p.to_string()).find(|p| p.contains(name)).unwrap()
}

async fn send(app: &TestApp, responses: &mut Responses, request: reqwest::RequestBuilder) -> (u16, Option<String>, String) {
    let _ = app;
    responses.record(request.send().await.unwrap()).await
}

#[sqlx::test(migrations = false)]
async fn no_secret_of_a_whole_run_reaches_a_log_line_or_a_response(pool: PgPool) {
    let logs = Captured::default();
    let writer = logs.clone();
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::new("debug"))
        .json()
        .with_writer(move || writer.clone())
        .try_init()
        .expect("this test binary's only subscriber");

    let key = base64::engine::general_purpose::STANDARD.encode(rand_bytes());
    let app = spawn_app(pool, &[("TOKEN_ENCRYPTION_KEY", &key), ("REDIS_URL", &common::redis_url())]).await;
    let origin = format!("http://{}", app.addr);
    let browser = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let mut seen = Responses::default();
    let password = format!("pw-{}", hex::encode(rand_bytes()));

    // Sign up and keep the session.
    let r = browser
        .post(app.url(&server_fn_path("sign_up")))
        .header("origin", &origin)
        .form(&[("email", "ana@example.com"), ("password", password.as_str()), ("display_name", "Ana")])
        .send()
        .await
        .unwrap();
    let session = r.headers()["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_string();
    let session_value = session.split_once('=').unwrap().1.to_string();
    seen.record(r).await;

    // Connect through Instagram Login: Crealia's start, the consent page, Crealia's callback.
    let (status, consent, _) =
        send(&app, &mut seen, browser.post(app.url("/api/auth/instagram/start")).header("cookie", &session).header("origin", &origin)).await;
    assert_eq!(status, 303);
    let consent = url::Url::parse(&consent.unwrap()).unwrap();
    let q: std::collections::HashMap<String, String> = consent.query_pairs().into_owned().collect();
    let ig = app.sandbox_account("nordlys.cafe").await;
    let decision = browser
        .post(app.url("/sandbox/oauth/authorize"))
        .header("origin", &origin)
        .form(&[
            ("client_id", &q["client_id"]),
            ("redirect_uri", &q["redirect_uri"]),
            ("scope", &q["scope"]),
            ("state", &q["state"]),
            ("decision", &"allow".to_string()),
            ("account", &ig),
        ])
        .send()
        .await
        .unwrap();
    let back = url::Url::parse(decision.headers()["location"].to_str().unwrap()).unwrap();
    let code = back.query_pairs().find(|(k, _)| k == "code").unwrap().1.into_owned();
    let (status, end, _) = send(&app, &mut seen, browser.get(back.as_str()).header("cookie", &session)).await;
    assert_eq!((status, end.as_deref()), (303, Some("/instagram-auth?connected=nordlys.cafe")));
    let user = app.services.accounts.sign_in("ana@example.com", &password, "127.0.0.1", None).await.unwrap().0.id;
    let cid = app.services.connections.list(user).await.unwrap()[0].id;
    let access_token = app.services.connections.token(user, cid).await.unwrap().expose().to_string();

    // Upload, publish, and let the scheduler publish it.
    let (status, _, asset) =
        send(&app, &mut seen, browser.post(app.url("/api/media")).header("cookie", &session).body(encoded(1080, 1080, image::ImageFormat::Jpeg))).await;
    assert_eq!(status, 201, "{asset}");
    let asset: serde_json::Value = serde_json::from_str(&asset).unwrap();
    let body = json!({ "connection_id": cid, "kind": "image", "caption": "Secrets stay #safe", "first_comment": "First!", "media_ids": [asset["id"]] });
    let (status, _, post) = send(&app, &mut seen, browser.post(app.url("/api/instagram/publish")).header("cookie", &session).json(&body)).await;
    assert_eq!(status, 202, "{post}");
    app.services.publishing.run_due(chrono::Utc::now(), 10).await.unwrap();
    let (_, _, posts) = send(&app, &mut seen, browser.get(app.url("/api/instagram/schedule")).header("cookie", &session)).await;
    assert!(posts.contains("PUBLISHED"), "{posts}");

    // A comment arrives through a signed webhook and is answered from the inbox.
    app.sandbox_admin
        .post(app.url("/sandbox/__admin/webhooks/events"))
        .json(&json!({ "events": [{ "kind": "comment", "account": "nordlys.cafe", "text": "Lovely" }], "batch": false }))
        .send()
        .await
        .unwrap();
    wait_until("the comment is delivered", Duration::from_secs(15), async || {
        app.services.webhooks.process_pending(50).await.ok();
        let (_, _, inbox) = send(app_ref(&app), &mut Responses::default(), browser.get(app.url("/api/instagram/inbox")).header("cookie", &session)).await;
        inbox.contains("Lovely")
    })
    .await;
    let (_, _, inbox) = send(&app, &mut seen, browser.get(app.url("/api/instagram/inbox")).header("cookie", &session)).await;
    let id = item_id(&serde_json::from_str(&inbox).unwrap(), "Lovely").expect("the comment is in the inbox");
    send(&app, &mut seen, browser.post(app.url(&format!("/api/instagram/inbox/{id}/reply"))).header("cookie", &session).json(&json!({ "text": "Thanks!" })))
        .await;

    // The pages and the JSON a creator reads.
    for path in ["/", "/instagram-auth", "/instagram-dashboard", "/instagram-calendar", "/readyz", "/api/instagram/insights?days=7"] {
        send(&app, &mut seen, browser.get(app.url(path)).header("cookie", &session).header("accept", "text/html")).await;
    }
    // And what strangers get.
    for path in ["/readyz", "/api/instagram/inbox", "/auth/signin?next=/instagram-auth"] {
        send(&app, &mut seen, browser.get(app.url(path))).await;
    }
    tokio::time::sleep(Duration::from_millis(200)).await;

    let webhook_secret = app.webhook_secret.clone();
    let secrets = [
        ("the password", password.as_str()),
        ("the session cookie", session_value.as_str()),
        ("the OAuth code", code.as_str()),
        ("the access token", access_token.as_str()),
        ("the webhook secret", webhook_secret.as_str()),
        ("the OAuth app secret", "sandbox-app-secret"),
        ("the token encryption key", key.as_str()),
        ("the sandbox admin token", common::SANDBOX_ADMIN_TOKEN),
    ];
    let logs = String::from_utf8(logs.0.lock().unwrap().clone()).unwrap();
    assert!(logs.lines().count() > 50, "the run logged: {} lines", logs.lines().count());
    assert!(seen.0.len() > 40, "the run's responses were captured");
    for (what, secret) in secrets {
        assert!(secret.len() >= 12, "{what} is long enough to be searched for");
        if let Some(line) = logs.lines().find(|l| l.contains(secret)) {
            panic!("{what} is in a log line: {line}");
        }
        if let Some(response) = seen.0.iter().find(|r| r.contains(secret)) {
            panic!("{what} is in a response: {}", &response[..response.len().min(500)]);
        }
    }
}

/// The id of the inbox item whose text is `text`, wherever the list holds it.
fn item_id(value: &serde_json::Value, text: &str) -> Option<i64> {
    match value {
        serde_json::Value::Object(map) if map.get("text").and_then(|t| t.as_str()) == Some(text) => map.get("id").and_then(|i| i.as_i64()),
        serde_json::Value::Object(map) => map.values().find_map(|v| item_id(v, text)),
        serde_json::Value::Array(items) => items.iter().find_map(|v| item_id(v, text)),
        _ => None,
    }
}

fn app_ref(app: &TestApp) -> &TestApp {
    app
}

fn rand_bytes() -> [u8; 32] {
    crealia_core::crypto::random_bytes::<32>()
}
