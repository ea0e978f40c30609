//! Test helpers: the real application on a random port, over an isolated database.

#![allow(dead_code)]

use std::collections::HashMap;
use std::net::SocketAddr;

use crealia::config::Config;
use crealia::startup::Application;
use sqlx::PgPool;

pub struct TestApp {
    pub addr: SocketAddr,
    pub client: reqwest::Client,
    pub services: crealia_core::Services,
    /// Its cache's key space in the shared Redis.
    pub namespace: String,
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    pub async fn get_json(&self, path: &str) -> (u16, serde_json::Value) {
        let response = self.client.get(self.url(path)).send().await.expect("request reaches the app");
        let status = response.status().as_u16();
        (status, response.json().await.expect("a JSON body"))
    }
}

/// The Redis every machine of this project runs (overridable for other set-ups).
pub fn redis_url() -> String {
    std::env::var("TEST_REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".into())
}

/// A port nothing listens on: connecting to it is refused at once.
pub const DEAD_REDIS_URL: &str = "redis://127.0.0.1:1";

/// Starts the application on 127.0.0.1 with a random port. `vars` are configuration
/// variables as the environment would give them; nothing is read from the real environment.
pub async fn spawn_app(pool: PgPool, vars: &[(&str, &str)]) -> TestApp {
    let mut map: HashMap<String, String> = HashMap::new();
    map.insert("LEPTOS_SITE_ADDR".into(), "127.0.0.1:0".into());
    // Tests drive the jobs themselves.
    map.insert("JOBS_ENABLED".into(), "false".into());
    // Tests share one Redis (and reuse database names between runs): every app gets a key
    // space of its own unless the test names one.
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos();
    map.insert("CACHE_NAMESPACE".into(), format!("test-{}-{nanos}", pool.connect_options().get_database().unwrap_or("db")));
    map.insert("LEPTOS_SITE_ROOT".into(), std::env::temp_dir().join("crealia-test-site").display().to_string());
    for (k, v) in vars {
        map.insert(k.to_string(), v.to_string());
    }
    let config = Config::from_map(&map).expect("test configuration is valid");
    let namespace = config.cache.namespace.clone();
    let app = Application::build_with_pool(config, pool).await.expect("application starts");
    let addr = app.local_addr();
    let services = app.services().clone();
    tokio::spawn(app.run_until_stopped());
    TestApp { addr, client: reqwest::Client::new(), services, namespace }
}

/// A browser-like client: no automatic redirects, one session cookie.
pub struct Browser {
    pub client: reqwest::Client,
    pub cookie: Option<String>,
}

impl Browser {
    pub fn new() -> Self {
        Browser { client: reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap(), cookie: None }
    }

    /// GET with the session cookie; returns the status and the Location header.
    pub async fn get(&self, url: &str) -> (u16, Option<String>, String) {
        // As a browser navigating does: Leptos answers a real 302 only to `Accept: text/html`.
        let mut req = self.client.get(url).header("accept", "text/html,application/xhtml+xml,*/*;q=0.8");
        if let Some(c) = &self.cookie {
            req = req.header("cookie", c);
        }
        let r = req.send().await.unwrap();
        let location = r.headers().get("location").map(|v| v.to_str().unwrap().to_string());
        (r.status().as_u16(), location, r.text().await.unwrap())
    }

    pub async fn post_form(&self, url: &str, form: &[(&str, &str)]) -> (u16, Option<String>) {
        let r = self.client.post(url).form(form).send().await.unwrap();
        (r.status().as_u16(), r.headers().get("location").map(|v| v.to_str().unwrap().to_string()))
    }
}

impl TestApp {
    /// Signs up `email` through the accounts service and returns a browser holding its session.
    pub async fn signed_in(&self, email: &str) -> Browser {
        self.services.accounts.sign_up(email, "a long enough password", "").await.expect("sign-up");
        let (_, token) = self.services.accounts.sign_in(email, "a long enough password", "127.0.0.1", None).await.expect("sign-in");
        Browser { cookie: Some(format!("crealia_session={}", token.as_str())), ..Browser::new() }
    }
}

/// Follows the flow like a person: start → consent page → Allow (as `username`) → callback.
/// Returns where the callback sends the browser.
pub async fn connect(app: &TestApp, browser: &Browser, username: &str, decision: &str) -> String {
    let (status, consent, _) = browser.get(&app.url("/api/auth/instagram/start")).await;
    assert_eq!(status, 303);
    let consent = consent.unwrap();
    assert!(consent.starts_with(&app.url("/sandbox/oauth/authorize?")), "{consent}");
    let q: std::collections::HashMap<String, String> = url::Url::parse(&consent).unwrap().query_pairs().into_owned().collect();
    assert_eq!(q["redirect_uri"], app.url("/api/auth/callback"));
    assert!(q["scope"].contains("instagram_business_content_publish") && q["scope"].contains("instagram_business_manage_insights"));

    let (status, page, _) = browser.get(&consent).await;
    assert_eq!(status, 200, "{page:?}");
    let ig_id = app.sandbox_account(username).await;
    let (status, back) = browser
        .post_form(
            &app.url("/sandbox/oauth/authorize"),
            &[("client_id", &q["client_id"]), ("redirect_uri", &q["redirect_uri"]), ("scope", &q["scope"]), ("state", &q["state"]), ("decision", decision), ("account", &ig_id)],
        )
        .await;
    assert_eq!(status, 303);
    let (status, end, _) = browser.get(&back.unwrap()).await;
    assert_eq!(status, 303);
    end.unwrap()
}

impl TestApp {
    pub async fn sandbox_account(&self, username: &str) -> String {
        let (_, world) = self.get_json("/sandbox/__admin/world").await;
        world["accounts"].as_array().unwrap().iter().find(|a| a["username"] == username).unwrap()["ig_id"].as_str().unwrap().to_string()
    }

    pub async fn sandbox_admin(&self, method: reqwest::Method, path: &str, body: serde_json::Value) {
        self.client.request(method, self.url(&format!("/sandbox/__admin{path}"))).json(&body).send().await.unwrap();
    }
}

