//! The sandbox on a random port, driven over real HTTP, plus a small file server that plays the
//! public web Instagram fetches media from.

#![allow(dead_code)]

use axum::http::header;
use axum::routing::get;
use axum::Router;
use crealia_sandbox::{Sandbox, SandboxConfig};
use serde_json::{json, Value};

pub struct TestSandbox {
    pub base: String,
    pub sandbox: Sandbox,
    pub http: reqwest::Client,
}

pub async fn spawn() -> TestSandbox {
    spawn_with(SandboxConfig::default()).await
}

pub async fn spawn_with(config: SandboxConfig) -> TestSandbox {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let sandbox = Sandbox::new(config);
    tokio::spawn(crealia_sandbox::serve(listener, sandbox.clone()));
    let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    TestSandbox { base, sandbox, http }
}

impl TestSandbox {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// The seeded account with this username: (ig_id, app_scoped_id).
    pub fn account(&self, username: &str) -> (String, String) {
        let world = self.sandbox.world();
        let a = world.account_by_username(username).expect("seeded account");
        (a.ig_id.clone(), a.app_scoped_id.clone())
    }

    /// A long-lived token with every scope, through the admin API.
    pub async fn token(&self, username: &str) -> String {
        self.token_with(json!({ "account": username })).await
    }

    pub async fn token_with(&self, body: Value) -> String {
        let r: Value = self.http.post(self.url("/__admin/tokens")).json(&body).send().await.unwrap().json().await.unwrap();
        r["access_token"].as_str().unwrap().to_string()
    }

    pub async fn get(&self, path: &str, token: &str) -> (u16, Value) {
        let sep = if path.contains('?') { '&' } else { '?' };
        let r = self.http.get(self.url(&format!("{path}{sep}access_token={token}"))).send().await.unwrap();
        (r.status().as_u16(), r.json().await.unwrap())
    }

    pub async fn post(&self, path: &str, token: &str, form: &[(&str, &str)]) -> (u16, Value) {
        let mut pairs: Vec<(&str, &str)> = form.to_vec();
        pairs.push(("access_token", token));
        let r = self.http.post(self.url(path)).form(&pairs).send().await.unwrap();
        (r.status().as_u16(), r.json().await.unwrap())
    }

    /// Subscribes the app to `comments` and `messages` of every seeded account, as Crealia does
    /// when an account connects (Meta sends nothing for an account without it).
    pub async fn subscribe_all(&self) {
        let usernames: Vec<String> = self.sandbox.world().accounts.iter().map(|a| a.username.clone()).collect();
        for username in usernames {
            let (ig, _) = self.account(&username);
            let token = self.token(&username).await;
            let (status, body) = self.post(&format!("/v25.0/{ig}/subscribed_apps"), &token, &[("subscribed_fields", "comments,messages")]).await;
            assert_eq!(status, 200, "{body}");
        }
    }

    pub async fn advance(&self, seconds: i64) {
        self.http.post(self.url("/__admin/clock/advance")).json(&json!({ "seconds": seconds })).send().await.unwrap();
    }

    /// A published media as the admin API shows it, with its extras.
    pub async fn admin_media(&self, id: &str) -> Value {
        self.http.get(self.url(&format!("/__admin/media/{id}"))).send().await.unwrap().json().await.unwrap()
    }

    pub async fn fault(&self, rule: Value) {
        let r = self.http.post(self.url("/__admin/faults")).json(&rule).send().await.unwrap();
        assert_eq!(r.status().as_u16(), 201);
    }
}

/// Asserts Meta's error envelope with this code and subcode.
pub fn assert_graph_error(status: u16, body: &Value, code: i64, subcode: Option<i64>) {
    assert_eq!(status, 400, "{body}");
    let e = &body["error"];
    assert_eq!(e["code"], code, "{body}");
    match subcode {
        Some(s) => assert_eq!(e["error_subcode"], s, "{body}"),
        None => assert!(e.get("error_subcode").is_none(), "{body}"),
    }
    assert!(e["message"].as_str().is_some_and(|m| !m.is_empty()));
    assert!(matches!(e["type"].as_str(), Some("OAuthException" | "IGApiException")), "{body}");
    assert!(e["fbtrace_id"].is_string());
}

/// A minimal JPEG: SOI, APP0 (JFIF), SOF0 with the given size, EOI.
pub fn jpeg(width: u16, height: u16) -> Vec<u8> {
    let mut b = vec![0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, b'J', b'F', b'I', b'F', 0, 1, 1, 0, 0, 1, 0, 1, 0, 0];
    b.extend_from_slice(&[0xFF, 0xC0, 0x00, 0x11, 0x08]);
    b.extend_from_slice(&height.to_be_bytes());
    b.extend_from_slice(&width.to_be_bytes());
    b.extend_from_slice(&[3, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1]);
    b.extend_from_slice(&[0xFF, 0xD9]);
    b
}

pub fn png(width: u32, height: u32) -> Vec<u8> {
    let mut b = b"\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR".to_vec();
    b.extend_from_slice(&width.to_be_bytes());
    b.extend_from_slice(&height.to_be_bytes());
    b.extend_from_slice(&[8, 2, 0, 0, 0]);
    b
}

pub fn mp4() -> Vec<u8> {
    let mut b = vec![0, 0, 0, 0x18];
    b.extend_from_slice(b"ftypmp42");
    b.extend_from_slice(&[0; 64]);
    b
}

/// Serves `/square.jpg`, `/portrait.jpg` (4:5), `/tall.jpg` (9:16), `/image.png`,
/// `/huge.jpg` (9 MB), `/reel.mp4`, `/reel-12s.mp4` (a 12-second MP4 Crealia's reader can read), `/notes.txt`, `/slow.jpg` (answers after 3 s); anything
/// else is 404.
pub async fn media_server() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let file = |bytes: Vec<u8>, kind: &'static str| move || async move { ([(header::CONTENT_TYPE, kind)], bytes) };
    let mut huge = jpeg(1080, 1080);
    huge.resize(9 * 1024 * 1024, 0);
    let app = Router::new()
        .route("/square.jpg", get(file(jpeg(1080, 1080), "image/jpeg")))
        .route("/portrait.jpg", get(file(jpeg(1080, 1350), "image/jpeg")))
        .route("/tall.jpg", get(file(jpeg(1080, 1920), "image/jpeg")))
        .route("/image.png", get(file(png(1080, 1080), "image/png")))
        .route("/huge.jpg", get(file(huge, "image/jpeg")))
        .route("/reel.mp4", get(file(mp4(), "video/mp4")))
        .route("/reel-12s.mp4", get(file(crealia_graph::video::sample_mp4(12_000, 1080, 1920), "video/mp4")))
        .route("/notes.txt", get(file(b"just text".to_vec(), "text/plain")))
        .route(
            "/slow.jpg",
            get(|| async {
                tokio::time::sleep(std::time::Duration::from_secs(3)).await;
                ([(header::CONTENT_TYPE, "image/jpeg")], jpeg(1080, 1080))
            }),
        );
    tokio::spawn(async move { axum::serve(listener, app).await });
    base
}
