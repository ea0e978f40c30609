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
    map.insert("LEPTOS_SITE_ROOT".into(), std::env::temp_dir().join("crealia-test-site").display().to_string());
    for (k, v) in vars {
        map.insert(k.to_string(), v.to_string());
    }
    let config = Config::from_map(&map).expect("test configuration is valid");
    let app = Application::build_with_pool(config, pool).await.expect("application starts");
    let addr = app.local_addr();
    let services = app.services().clone();
    tokio::spawn(app.run_until_stopped());
    TestApp { addr, client: reqwest::Client::new(), services }
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
    pub async fn signed_in(&self, services: &crealia_core::Services, email: &str) -> Browser {
        services.accounts.sign_up(email, "a long enough password", "").await.expect("sign-up");
        let (_, token) = services.accounts.sign_in(email, "a long enough password", "127.0.0.1", None).await.expect("sign-in");
        Browser { cookie: Some(format!("crealia_session={}", token.as_str())), ..Browser::new() }
    }
}
