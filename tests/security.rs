//! A deployed Crealia against a hostile visitor or creator: the sandbox's admin API, webhook
//! signatures, media a creator names, cross-site writes, where sign-in sends people, security
//! headers, and what readiness tells strangers.

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use common::{connect, encoded, spawn_app, TestApp};
use crealia_sandbox::webhooks::signature_256 as sign;
use reqwest::Method;
use serde_json::{json, Value};
use sqlx::PgPool;

const EVIL: &str = "https://evil.example";
const PASSWORD: &str = "a long enough password";

fn server_fn_path(name: &str) -> String {
    leptos::server_fn::axum::server_fn_paths()
        .map(|(p, _)| p.to_string())
        .find(|p| p.contains(name))
        .unwrap_or_else(|| panic!("server function {name} is registered"))
}

fn origin(app: &TestApp) -> String {
    format!("http://{}", app.addr)
}

#[sqlx::test(migrations = false)]
async fn the_sandbox_admin_api_is_closed_to_anyone_without_its_token(pool: PgPool) {
    let app = spawn_app(pool, &[]).await;
    let routes = [
        (Method::GET, "/sandbox/__admin/world"),
        (Method::GET, "/sandbox/__admin/messages"),
        (Method::PUT, "/sandbox/__admin/webhooks"),
        (Method::POST, "/sandbox/__admin/clock/advance"),
        (Method::POST, "/sandbox/__admin/tokens/revoke"),
        (Method::POST, "/sandbox/__admin/accounts"),
        (Method::PUT, "/sandbox/__admin/config"),
    ];
    for (method, path) in routes {
        let r = app.client.request(method.clone(), app.url(path)).json(&json!({ "count": 100000 })).send().await.unwrap();
        assert_eq!(r.status().as_u16(), 404, "{method} {path} without a token does not exist");
        let r = app.client.request(method.clone(), app.url(path)).bearer_auth("a-guess").json(&json!({})).send().await.unwrap();
        assert_eq!(r.status().as_u16(), 401, "{method} {path} with a wrong token");
    }
    let (status, world) = app.admin_json("/sandbox/__admin/world").await;
    assert_eq!(status, 200, "tests and demos reach it with SANDBOX_ADMIN_TOKEN");
    assert!(world["accounts"].as_array().unwrap().len() < 100, "nobody grew the world");
    // What Meta has stays reachable.
    let (status, body) = app.get_json("/sandbox/v25.0/me").await;
    assert_eq!((status, body["error"]["code"].as_i64()), (400, Some(2500)));
}

#[sqlx::test(migrations = false)]
async fn sandbox_webhooks_are_signed_with_a_secret_of_this_database_not_a_public_one(pool: PgPool) {
    let app = spawn_app(pool.clone(), &[]).await;
    assert_ne!(app.webhook_secret, crealia_sandbox::SandboxConfig::default().app_secret);
    assert!(app.webhook_secret.len() >= 64, "32 random bytes");
    let body = br#"{"object":"instagram","entry":[]}"#;
    let deliver = |signature: String| app.client.post(app.url("/api/webhooks/instagram")).header("x-hub-signature-256", signature).body(body.to_vec()).send();
    let forged = deliver(sign("sandbox-app-secret", body)).await.unwrap();
    assert_eq!(forged.status().as_u16(), 403, "the constant everyone can read signs nothing");
    assert_eq!(deliver(sign(&app.webhook_secret, body)).await.unwrap().status().as_u16(), 200);
    let second = spawn_app(pool, &[]).await;
    assert_eq!(second.webhook_secret, app.webhook_secret, "every server of a deployment checks with the same secret");
}

#[sqlx::test(migrations = false)]
async fn posts_name_media_by_upload_id_and_the_sandbox_fetches_nothing_else(pool: PgPool) {
    let app = spawn_app(pool, &[]).await;
    let ana = app.signed_in("ana@example.com").await;
    connect(&app, &ana, "nordlys.cafe", "allow").await;
    let user = app.services.accounts.sign_in("ana@example.com", PASSWORD, "127.0.0.1", None).await.unwrap().0.id;
    let cid = app.services.connections.list(user).await.unwrap()[0].id;
    let publish = |body: Value| app.client.post(app.url("/api/instagram/publish")).header("cookie", ana.cookie.clone().unwrap()).json(&body).send();

    // A URL the creator typed is not something Crealia takes any more.
    for url in ["http://169.254.169.254/latest/meta-data", "http://127.0.0.1:5432/", &app.url("//media/x.jpg?")] {
        let r = publish(json!({ "connection_id": cid, "kind": "image", "media_urls": [url] })).await.unwrap();
        assert_eq!(r.status().as_u16(), 422, "{url}");
    }
    // Another creator's upload is not found.
    let bo = app.signed_in("bo@example.com").await;
    let bo_user = app.services.accounts.sign_in("bo@example.com", PASSWORD, "127.0.0.1", None).await.unwrap().0.id;
    let theirs = common::stored_media(&app, bo_user, &encoded(1080, 1080, image::ImageFormat::Jpeg)).await;
    let r = publish(json!({ "connection_id": cid, "kind": "image", "media_ids": [theirs] })).await.unwrap();
    assert_eq!(r.status().as_u16(), 404);
    drop(bo);

    // The in-process sandbox (public, like Meta) fetches media from this Crealia only: a port on
    // the machine is never even connected to, and its answer says nothing about what is there.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let knocks = Arc::new(AtomicUsize::new(0));
    let seen = knocks.clone();
    tokio::spawn(async move {
        while let Ok((_socket, _)) = listener.accept().await {
            seen.fetch_add(1, Ordering::SeqCst);
        }
    });
    let issued: Value =
        app.sandbox_admin.post(app.url("/sandbox/__admin/tokens")).json(&json!({ "account": "tiny.sprout" })).send().await.unwrap().json().await.unwrap();
    let token = issued["access_token"].as_str().unwrap();
    let ig = app.sandbox_account("tiny.sprout").await;
    for target in [format!("http://127.0.0.1:{port}/x.jpg"), format!("http://localhost:{port}/x.jpg"), "http://169.254.169.254/x.jpg".to_string()] {
        let r =
            app.client.post(app.url(&format!("/sandbox/v25.0/{ig}/media"))).bearer_auth(token).form(&[("image_url", target.as_str())]).send().await.unwrap();
        let body: Value = r.json().await.unwrap();
        assert_eq!(body["error"]["code"], 9004, "{target}: {body}");
    }
    assert_eq!(knocks.load(Ordering::SeqCst), 0, "nothing was fetched");
}

#[sqlx::test(migrations = false)]
async fn every_state_changing_request_from_another_site_is_refused(pool: PgPool) {
    let app = spawn_app(pool, &[]).await;
    let ana = app.signed_in("ana@example.com").await;
    let cookie = ana.cookie.clone().unwrap();
    let mut routes: Vec<(Method, String)> = leptos::server_fn::axum::server_fn_paths().map(|(p, _)| (Method::POST, p.to_string())).collect();
    assert!(routes.len() >= 10, "the server functions are registered");
    for (method, path) in [
        (Method::POST, "/api/instagram/publish"),
        (Method::POST, "/api/instagram/schedule"),
        (Method::PATCH, "/api/instagram/schedule/1"),
        (Method::DELETE, "/api/instagram/schedule/1"),
        (Method::POST, "/api/instagram/schedule/1/retry"),
        (Method::POST, "/api/media"),
        (Method::POST, "/api/media/1/reframe"),
        (Method::POST, "/api/instagram/inbox/read"),
        (Method::DELETE, "/api/instagram/inbox/1"),
        (Method::POST, "/api/instagram/inbox/1/reply"),
        (Method::POST, "/api/instagram/inbox/1/hide"),
        (Method::POST, "/api/auth/instagram/start"),
    ] {
        routes.push((method, path.to_string()));
    }
    for (method, path) in &routes {
        for (header, value) in [("origin", EVIL), ("origin", "null"), ("sec-fetch-site", "cross-site"), ("sec-fetch-site", "same-site")] {
            let r = app
                .client
                .request(method.clone(), app.url(path))
                .header("cookie", &cookie)
                .header(header, value)
                .header("content-type", "application/x-www-form-urlencoded")
                .body("id=1")
                .send()
                .await
                .unwrap();
            assert_eq!(r.status().as_u16(), 403, "{method} {path} with {header}: {value}");
        }
    }

    // Login CSRF: another site's form cannot sign a visitor into the attacker's account.
    let sign_in = server_fn_path("sign_in");
    let form = [("email", "ana@example.com"), ("password", PASSWORD)];
    let r = app.client.post(app.url(&sign_in)).header("origin", EVIL).form(&form).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 403);
    assert!(r.headers().get("set-cookie").is_none(), "no session was opened");
    // Crealia's own page, and a client that is no browser, are served.
    let r = app.client.post(app.url(&sign_in)).header("origin", origin(&app)).header("sec-fetch-site", "same-origin").form(&form).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 200);
    assert!(r.headers().get("set-cookie").is_some());
    assert_eq!(app.client.post(app.url(&sign_in)).form(&form).send().await.unwrap().status().as_u16(), 200);
    // Meta's deliveries prove themselves by their signature, whatever their origin.
    let body = br#"{"object":"instagram","entry":[]}"#;
    let r = app
        .client
        .post(app.url("/api/webhooks/instagram"))
        .header("origin", EVIL)
        .header("x-hub-signature-256", sign(&app.webhook_secret, body))
        .body(body.to_vec())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    // Reading is not writing: a link from anywhere still opens a page.
    let r = app.client.get(app.url("/")).header("origin", EVIL).header("sec-fetch-site", "cross-site").send().await.unwrap();
    assert_eq!(r.status().as_u16(), 200);
}

#[sqlx::test(migrations = false)]
async fn sign_in_sends_people_only_to_the_apps_own_pages_and_no_next_can_panic_it(pool: PgPool) {
    let app = spawn_app(pool, &[]).await;
    app.services.accounts.sign_up("ana@example.com", PASSWORD, "Ana").await.unwrap();
    let no_redirects = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let sign_in = app.url(&server_fn_path("sign_in"));
    for (next, expected) in [
        ("/\t/evil.example", "/instagram-auth"),
        ("/\\evil.example", "/instagram-auth"),
        ("//evil.example", "/instagram-auth"),
        ("https://evil.example/", "/instagram-auth"),
        ("/instagram-auth\r\nSet-Cookie: crealia_session=attacker", "/instagram-auth"),
        ("/instagram-auth\n", "/instagram-auth"),
        ("/instagram-calendar?view=month", "/instagram-calendar?view=month"),
    ] {
        let r = no_redirects
            .post(&sign_in)
            .header("accept", "text/html")
            .header("origin", origin(&app))
            .form(&[("email", "ana@example.com"), ("password", PASSWORD), ("next", next)])
            .send()
            .await
            .unwrap();
        assert!(r.status().is_redirection(), "{next:?} → {}", r.status());
        assert_eq!(r.headers()["location"], expected, "{next:?}");
    }
}

/// The nonce of a page's Content-Security-Policy, which every `<script>` of it carries.
fn nonce_of(csp: &str) -> String {
    let script_src = csp.split(';').map(str::trim).find(|d| d.starts_with("script-src")).expect("a script-src");
    assert!(!script_src.contains("'unsafe-inline'") && !script_src.contains("'unsafe-eval'"), "{script_src}");
    assert!(script_src.contains("'wasm-unsafe-eval'"), "the WebAssembly bundle may start: {script_src}");
    let start = script_src.find("'nonce-").expect("a nonce") + 7;
    script_src[start..].split('\'').next().unwrap().to_string()
}

#[sqlx::test(migrations = false)]
async fn pages_carry_a_fresh_nonce_policy_and_every_response_the_security_headers(pool: PgPool) {
    let app = spawn_app(pool, &[]).await;
    let mut nonces = Vec::new();
    for path in ["/", "/auth/signin", "/no-such-page"] {
        let r = app.client.get(app.url(path)).header("accept", "text/html").send().await.unwrap();
        let headers = r.headers().clone();
        let csp = headers["content-security-policy"].to_str().unwrap().to_string();
        for directive in ["frame-ancestors 'none'", "object-src 'none'", "base-uri 'none'", "default-src 'self'", "form-action 'self'"] {
            assert!(csp.contains(directive), "{path}: {csp}");
        }
        assert!(headers.get("x-crealia-csp-nonce").is_none(), "the nonce leaves only in the policy");
        let nonce = nonce_of(&csp);
        let html = r.text().await.unwrap();
        let scripts: Vec<&str> = html.split("<script").skip(1).map(|s| s.split('>').next().unwrap()).collect();
        assert!(!scripts.is_empty(), "{path} has its hydration scripts");
        for tag in scripts {
            assert!(tag.contains(&format!("nonce=\"{nonce}\"")), "{path}: <script{tag}> runs only with the nonce");
        }
        assert_eq!(headers["cache-control"], "private, no-cache", "{path}: a page is one visitor's");
        assert_eq!(headers["vary"], "Cookie, Accept-Language", "{path}: in the visitor's language");
        nonces.push(nonce);
    }
    nonces.sort();
    nonces.dedup();
    assert_eq!(nonces.len(), 3, "each response draws its own nonce");

    // Every response, pages or not.
    let ana = app.signed_in("ana@example.com").await;
    let (status, asset) = app.upload(&ana, encoded(1080, 1080, image::ImageFormat::Jpeg), "image/jpeg").await;
    assert_eq!(status, 201, "{asset}");
    for url in [app.url("/"), app.url("/healthz"), asset["url"].as_str().unwrap().to_string(), app.url("/api/instagram/schedule")] {
        let r = app.client.get(&url).send().await.unwrap();
        let h = r.headers();
        assert_eq!(h["x-content-type-options"], "nosniff", "{url}");
        assert_eq!(h["referrer-policy"], "strict-origin-when-cross-origin", "{url}");
        assert_eq!(h["x-frame-options"], "DENY", "{url}");
        assert!(h.get("strict-transport-security").is_none(), "plain http has no HSTS: {url}");
    }
    let media = app.client.get(asset["url"].as_str().unwrap()).send().await.unwrap();
    assert!(media.headers()["content-security-policy"].to_str().unwrap().starts_with("default-src 'none'"), "a served file never runs as a page");
}

#[sqlx::test(migrations = false)]
async fn an_https_deployment_gets_hsts_and_secure_cookies(pool: PgPool) {
    let app = spawn_app(pool, &[("PUBLIC_BASE_URL", "https://crealia.example")]).await;
    let r = app.client.get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(r.headers()["strict-transport-security"], "max-age=31536000; includeSubDomains");
    app.services.accounts.sign_up("ana@example.com", PASSWORD, "Ana").await.unwrap();
    let r = app
        .client
        .post(app.url(&server_fn_path("sign_in")))
        .header("origin", "https://crealia.example")
        .form(&[("email", "ana@example.com"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let cookie = r.headers()["set-cookie"].to_str().unwrap();
    assert!(cookie.contains("; Secure") && cookie.contains("HttpOnly"), "{cookie}");
    // The public address is the only origin a page of it can post from.
    let r = app.client.post(app.url(&server_fn_path("sign_in"))).header("origin", origin(&app)).form(&[("email", "x@example.com")]).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 403);
}

#[sqlx::test(migrations = false)]
async fn readiness_tells_strangers_only_states_and_probes_at_most_once_a_second(pool: PgPool) {
    let app = spawn_app(pool, &[]).await;
    let (status, body) = app.get_json("/readyz").await;
    assert_eq!(status, 200);
    assert_eq!(body["checks"]["graph_api"], json!({ "status": "ok" }), "{body}");
    assert_eq!(body["checks"]["database"], json!({ "status": "ok" }));
    let text = body.to_string();
    for detail in ["latency", "base_url", "sandbox", "127.0.0.1", "error", "pending"] {
        assert!(!text.contains(detail), "{detail} is for signed-in creators: {text}");
    }
    let (_, details) = app.readyz_details().await;
    assert_eq!(details["checks"]["graph_api"]["base_url"], format!("http://{}/sandbox/", app.addr));

    // A flood of anonymous calls costs one probe, not one each.
    tokio::time::sleep(crealia_core::health::REPORT_MAX_AGE).await;
    app.sandbox_admin.delete(app.url("/sandbox/__admin/calls")).send().await.unwrap();
    let calls = (0..40).map(|_| app.client.get(app.url("/readyz")).send());
    for r in futures_util::future::join_all(calls).await {
        assert_eq!(r.unwrap().status().as_u16(), 200);
    }
    let (_, seen) = app.admin_json("/sandbox/__admin/calls").await;
    let probes = seen["GET /"].as_u64().unwrap_or(0);
    assert!((1..=2).contains(&probes), "40 readiness calls probed the Graph API {probes} times: {seen}");
}
