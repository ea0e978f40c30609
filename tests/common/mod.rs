//! Test helpers: the real application on a random port, over an isolated database.

#![allow(dead_code)]

use std::collections::HashMap;
use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crealia::config::Config;
use crealia::startup::Application;
use sqlx::PgPool;

pub struct TestApp {
    pub addr: SocketAddr,
    pub client: reqwest::Client,
    /// A client that reaches the in-process sandbox's admin API (it sends the bearer token).
    pub sandbox_admin: reqwest::Client,
    /// What the sandbox signs its webhook deliveries with (this database's own secret).
    pub webhook_secret: String,
    pub services: crealia_core::Services,
    /// Its cache's key space in the shared Redis.
    pub namespace: String,
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    /// GET from the sandbox's admin API.
    pub async fn admin_json(&self, path: &str) -> (u16, serde_json::Value) {
        let response = self.sandbox_admin.get(self.url(path)).send().await.expect("request reaches the app");
        let status = response.status().as_u16();
        (status, response.json().await.expect("a JSON body"))
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

/// The in-process sandbox's admin token in every test app.
pub const SANDBOX_ADMIN_TOKEN: &str = "test-sandbox-admin-token";

/// A client that sends `Authorization: Bearer SANDBOX_ADMIN_TOKEN`.
pub fn admin_client() -> reqwest::Client {
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(reqwest::header::AUTHORIZATION, format!("Bearer {SANDBOX_ADMIN_TOKEN}").parse().unwrap());
    reqwest::Client::builder().default_headers(headers).build().unwrap()
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
    map.insert("LEPTOS_SITE_ROOT".into(), site_root().display().to_string());
    map.insert("MEDIA_DIR".into(), std::env::temp_dir().join(format!("crealia-test-media-{nanos}")).display().to_string());
    map.insert("SANDBOX_ADMIN_TOKEN".into(), SANDBOX_ADMIN_TOKEN.into());
    for (k, v) in vars {
        map.insert(k.to_string(), v.to_string());
    }
    let config = Config::from_map(&map).expect("test configuration is valid");
    let namespace = config.cache.namespace.clone();
    let app = Application::build_with_pool(config, pool).await.expect("application starts");
    let addr = app.local_addr();
    let services = app.services().clone();
    tokio::spawn(app.run_until_stopped());
    let webhook_secret = crealia_core::db::instance_secret(&services.db, crealia_core::db::SANDBOX_WEBHOOK_SECRET).await.unwrap();
    TestApp { addr, client: reqwest::Client::new(), sandbox_admin: admin_client(), webhook_secret, services, namespace }
}

/// Stores `bytes` as the creator's upload (through the media service, as the upload route
/// does) and returns its id.
pub async fn stored_media(app: &TestApp, user_id: i64, bytes: &[u8]) -> i64 {
    let path = app.services.media.upload_path().await.unwrap();
    tokio::fs::write(&path, bytes).await.unwrap();
    app.services.media.ingest(user_id, &path).await.expect("the test file is accepted").id
}

/// A signed-in creator with one of the sandbox's Instagram accounts connected: what most tests
/// start from.
pub struct Creator {
    pub browser: Browser,
    pub user: i64,
    pub connection: i64,
}

/// Signs `email` up and in, and connects the sandbox's `username` through the OAuth flow.
pub async fn creator(app: &TestApp, email: &str, username: &str) -> Creator {
    let browser = app.signed_in(email).await;
    assert!(connect(app, &browser, username, "allow").await.contains("connected"), "{username} connects");
    let user = app.services.accounts.sign_in(email, "a long enough password", "127.0.0.1", None).await.unwrap().0.id;
    let connection = app.services.connections.list(user).await.unwrap().into_iter().find(|c| c.username == username).expect("the connection").id;
    Creator { browser, user, connection }
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

    /// A form post with the session cookie, from the app's own page (`Origin` is the app's).
    pub async fn post_form(&self, url: &str, form: &[(&str, &str)]) -> (u16, Option<String>) {
        let origin = url::Url::parse(url).unwrap().origin().ascii_serialization();
        let mut req = self.client.post(url).header("origin", origin).form(form);
        if let Some(c) = &self.cookie {
            req = req.header("cookie", c);
        }
        let r = req.send().await.unwrap();
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
    let (status, consent) = browser.post_form(&app.url("/api/auth/instagram/start"), &[]).await;
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
            &[
                ("client_id", &q["client_id"]),
                ("redirect_uri", &q["redirect_uri"]),
                ("scope", &q["scope"]),
                ("state", &q["state"]),
                ("decision", decision),
                ("account", &ig_id),
            ],
        )
        .await;
    assert_eq!(status, 303);
    let (status, end, _) = browser.get(&back.unwrap()).await;
    assert_eq!(status, 303);
    end.unwrap()
}

impl TestApp {
    /// Uploads `bytes` as the browser's composer does; the status and the JSON answer.
    pub async fn upload(&self, browser: &Browser, bytes: Vec<u8>, content_type: &str) -> (u16, serde_json::Value) {
        let mut req = self.client.post(self.url("/api/media")).header("content-type", content_type).body(bytes);
        if let Some(c) = &browser.cookie {
            req = req.header("cookie", c);
        }
        let r = req.send().await.expect("the upload reaches the app");
        let status = r.status().as_u16();
        (status, r.json().await.unwrap_or(serde_json::Value::Null))
    }

    /// `/readyz` as a signed-in creator sees it: with latencies, targets and reasons.
    pub async fn readyz_details(&self) -> (u16, serde_json::Value) {
        let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos();
        let browser = self.signed_in(&format!("ops-{nanos}@example.com")).await;
        let r = self.client.get(self.url("/readyz")).header("cookie", browser.cookie.unwrap()).send().await.unwrap();
        (r.status().as_u16(), r.json().await.unwrap())
    }

    pub async fn sandbox_account(&self, username: &str) -> String {
        let (_, world) = self.admin_json("/sandbox/__admin/world").await;
        world["accounts"].as_array().unwrap().iter().find(|a| a["username"] == username).unwrap()["ig_id"].as_str().unwrap().to_string()
    }

    pub async fn sandbox_admin(&self, method: reqwest::Method, path: &str, body: serde_json::Value) {
        self.sandbox_admin.request(method, self.url(&format!("/sandbox/__admin{path}"))).json(&body).send().await.unwrap();
    }
}

/// The URL of the test's own database, for a server process to use.
pub fn database_url(pool: &PgPool) -> String {
    let o = pool.connect_options();
    format!("postgres://{}@{}:{}/{}", o.get_username(), o.get_host(), o.get_port(), o.get_database().unwrap_or("postgres"))
}

/// A real `crealia serve` process (jobs on, a random port), killed when dropped.
pub struct Server(Child);

impl Server {
    pub fn start(database_url: &str, vars: &[(&str, &str)]) -> Server {
        let mut command = Command::new(env!("CARGO_BIN_EXE_crealia"));
        command
            .arg("serve")
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("DATABASE_URL", database_url)
            .env("LEPTOS_SITE_ADDR", "127.0.0.1:0")
            .env("LEPTOS_SITE_ROOT", site_root())
            .env("MEDIA_DIR", std::env::temp_dir().join("crealia-crash-media"))
            .env("JOBS_ENABLED", "true")
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::inherit());
        for (k, v) in vars {
            command.env(k, v);
        }
        Server(command.spawn().expect("the crealia binary starts"))
    }

    /// SIGKILL: no shutdown, no cleanup, whatever it was doing.
    pub fn kill(mut self) {
        self.0.kill().expect("SIGKILL");
        self.0.wait().expect("reaped");
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

pub async fn wait_until(what: &str, timeout: Duration, mut done: impl AsyncFnMut() -> bool) {
    let start = Instant::now();
    while !done().await {
        assert!(start.elapsed() < timeout, "timed out waiting until {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

impl Server {
    /// SIGTERM, then up to `within` for the process to exit by itself: whether it did.
    pub async fn terminate(&mut self, within: Duration) -> bool {
        let _ = Command::new("kill").arg("-TERM").arg(self.0.id().to_string()).status();
        let start = Instant::now();
        while start.elapsed() < within {
            if let Ok(Some(_)) = self.0.try_wait() {
                return true;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        false
    }
}

/// A port nothing listens on right now, for a server process to take.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// The static folder every test app serves (shared by the tests running at the same time).
pub fn site_root() -> std::path::PathBuf {
    std::env::temp_dir().join("crealia-test-site")
}

/// Puts a file in the shared static folder, served at `/{name}`. Written aside and renamed into
/// place: tests running at the same time write the same names, and a plain write (truncate,
/// then fill) let another test's sandbox fetch a half-written image.
#[allow(dead_code)]
pub fn site_file(name: &str, bytes: &[u8]) {
    let root = site_root();
    std::fs::create_dir_all(&root).unwrap();
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos();
    let aside = root.join(format!(".{name}.{}-{nanos}", std::process::id()));
    std::fs::write(&aside, bytes).unwrap();
    std::fs::rename(&aside, root.join(name)).unwrap();
}

/// A real, decodable image of this size in this format (a gradient).
#[allow(dead_code)]
pub fn encoded(width: u32, height: u32, format: image::ImageFormat) -> Vec<u8> {
    let picture = image::RgbImage::from_fn(width, height, |x, y| image::Rgb([(x % 256) as u8, (y % 256) as u8, 128]));
    let mut out = std::io::Cursor::new(Vec::new());
    image::DynamicImage::ImageRgb8(picture).write_to(&mut out, format).unwrap();
    out.into_inner()
}

/// A real S3-protocol server (the `s3s-fs` binary the test script installs) over a folder of
/// its own, on a free port; stopped when dropped.
pub struct OwnS3 {
    pub endpoint: String,
    pub root: std::path::PathBuf,
    child: Child,
}

pub const S3_BUCKET: &str = "crealia-media";

impl OwnS3 {
    pub fn start() -> OwnS3 {
        let port = free_port();
        let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos();
        let root = std::env::temp_dir().join(format!("crealia-s3-{nanos}"));
        std::fs::create_dir_all(root.join(S3_BUCKET)).unwrap();
        let child = Command::new("s3s-fs")
            .args(["--host", "127.0.0.1", "--port", &port.to_string(), "--access-key", "crealia-test", "--secret-key", "crealia-test-secret"])
            .arg(&root)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("s3s-fs runs (scripts/test installs it: cargo install s3s-fs@0.14.1 --locked)");
        let started = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(started.elapsed() < Duration::from_secs(10), "s3s-fs did not listen");
            std::thread::sleep(Duration::from_millis(20));
        }
        OwnS3 { endpoint: format!("http://127.0.0.1:{port}"), root, child }
    }

    /// The configuration that keeps an app's media under `prefix` in this store.
    pub fn vars(&self, prefix: &str) -> Vec<(String, String)> {
        vec![
            ("MEDIA_STORE_URL".into(), format!("s3://{S3_BUCKET}/{prefix}")),
            ("AWS_ENDPOINT".into(), self.endpoint.clone()),
            ("AWS_ALLOW_HTTP".into(), "true".into()),
            ("AWS_ACCESS_KEY_ID".into(), "crealia-test".into()),
            ("AWS_SECRET_ACCESS_KEY".into(), "crealia-test-secret".into()),
            ("AWS_REGION".into(), "us-east-1".into()),
        ]
    }

    /// The files stored under `prefix`, as the server keeps them on disk.
    pub fn files(&self, prefix: &str) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(self.root.join(S3_BUCKET).join(prefix))
            .map(|d| d.filter_map(|e| e.ok()).map(|e| e.file_name().to_string_lossy().into_owned()).filter(|n| !n.starts_with('.')).collect())
            .unwrap_or_default();
        names.sort();
        names
    }
}

impl Drop for OwnS3 {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.root);
    }
}

/// A Redis of the test's own, so it can be stopped without disturbing other tests.
pub struct OwnRedis {
    port: u16,
    child: Child,
}

impl OwnRedis {
    pub fn start(port: u16) -> OwnRedis {
        Self::start_with(port, &[])
    }
    pub fn start_with(port: u16, extra: &[&str]) -> OwnRedis {
        let child = Command::new("redis-server")
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])
            .args(extra)
            .stdout(Stdio::null())
            .spawn()
            .expect("redis-server runs");
        for _ in 0..50 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                break;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        OwnRedis { port, child }
    }
    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }
    pub fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for OwnRedis {
    fn drop(&mut self) {
        self.stop();
    }
}
