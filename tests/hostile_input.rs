//! A corpus of hostile requests sent to every route and every server function (issue 12):
//! malformed, oversized, deeply nested and wrongly encoded bodies, odd path segments, query
//! strings and headers, signed in and signed out. Never a panic, never a 5xx: always an answer,
//! and every refusal a 4xx that says something.

mod common;

use std::time::Duration;

use common::spawn_app;
use reqwest::Method;
use sqlx::PgPool;

/// Every route of the router with an id or a name in it, and each of its methods.
const ROUTES: &[(&str, &str)] = &[
    ("GET", "/healthz"),
    ("GET", "/readyz"),
    ("GET", "/api/auth/instagram/start"),
    ("POST", "/api/auth/instagram/start"),
    ("GET", "/api/auth/callback"),
    ("GET", "/api/instagram/insights"),
    ("POST", "/api/instagram/publish"),
    ("GET", "/api/instagram/schedule"),
    ("POST", "/api/instagram/schedule"),
    ("GET", "/api/instagram/schedule/{id}"),
    ("PATCH", "/api/instagram/schedule/{id}"),
    ("DELETE", "/api/instagram/schedule/{id}"),
    ("POST", "/api/instagram/schedule/{id}/retry"),
    ("POST", "/api/media"),
    ("POST", "/api/media/{id}/reframe"),
    ("GET", "/api/instagram/inbox"),
    ("POST", "/api/instagram/inbox/read"),
    ("DELETE", "/api/instagram/inbox/{id}"),
    ("POST", "/api/instagram/inbox/{id}/reply"),
    ("POST", "/api/instagram/inbox/{id}/hide"),
    ("GET", "/media/{id}"),
    ("GET", "/api/webhooks/instagram"),
    ("POST", "/api/webhooks/instagram"),
    ("GET", "/"),
    ("GET", "/dashboard/instagram"),
    ("GET", "/auth/signin"),
    ("GET", "/no/such/page"),
];

/// What replaces `{id}`: numbers out of range, words, traversal, encoded NUL and bytes.
const IDS: &[&str] = &["0", "-1", "99999999999999999999999", "abc", "1.5", "%00", "..%2F..%2Fetc%2Fpasswd", "%FF%FE", "1%20OR%201=1", "%E2%80%AE"];

/// Query strings, appended to every route.
fn queries() -> Vec<String> {
    vec![
        String::new(),
        "?connection_id=abc&range=%FF&days=-1".into(),
        "?code=%00&state=%00&error=x".into(),
        format!("?q={}", "a".repeat(6_000)),
        "?range=999999999999999999999&kind=%E0%A4".into(),
        "?a[]=1&a[b]=2&&&==".into(),
    ]
}

/// Bodies: (content type, bytes).
fn bodies() -> Vec<(&'static str, Vec<u8>)> {
    let deep = format!("{}1{}", "[".repeat(100_000), "]".repeat(100_000));
    let deep_object = "{\"a\":".repeat(50_000) + "1" + &"}".repeat(50_000);
    vec![
        ("application/json", Vec::new()),
        ("application/json", b"{".to_vec()),
        ("application/json", b"null".to_vec()),
        ("application/json", b"[]".to_vec()),
        ("application/json", b"\"just a string\"".to_vec()),
        ("application/json", b"1e999999".to_vec()),
        ("application/json", deep.into_bytes()),
        ("application/json", deep_object.into_bytes()),
        ("application/json", br#"{"connection_id":"x","kind":5,"media_ids":[-1,1e300,"a"],"caption":null,"scheduled_at":"yesterday"}"#.to_vec()),
        ("application/json", br#"{"connection_id":9223372036854775807,"kind":"image","media_ids":[9223372036854775807],"caption":"\ud800"}"#.to_vec()),
        ("application/json", [&b"{\"caption\":\""[..], &[0xFF, 0xFE, 0xC3, 0x28][..], &b"\"}"[..]].concat()),
        ("application/json", format!("{{\"caption\":\"{}\"}}", "x".repeat(2 * 1024 * 1024)).into_bytes()),
        ("application/json", br#"{"ids":[1,2,3],"ids":"dup","text":"\u0000","hide":"yes","frame":"1:0","how":"melt"}"#.to_vec()),
        ("application/x-www-form-urlencoded", b"id=%ZZ&&=&connection_id=1e9999&text=%00".to_vec()),
        ("application/x-www-form-urlencoded", vec![0xFF; 4096]),
        ("multipart/form-data; boundary=x", b"--x\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nb\r\n--y--".to_vec()),
        ("text/plain", vec![0u8; 2048]),
        ("image/jpeg", vec![0xFF, 0xD8, 0xFF, 0xE0, 0, 16, b'J', b'F', b'I', b'F', 0, 1]),
        ("application/cbor", vec![0x9F; 1024]),
    ]
}

/// Checks one answer: no 5xx, and a refusal says something.
async fn check(what: &str, response: Result<reqwest::Response, reqwest::Error>) {
    let response = match response {
        Ok(r) => r,
        // The server may close a connection on a body it will not read (413 before the end).
        Err(e) if e.is_request() || e.is_body() => return,
        Err(e) => panic!("{what}: no answer: {e}"),
    };
    let status = response.status();
    let streaming = response.headers().get("content-type").is_some_and(|v| v.as_bytes().starts_with(b"text/event-stream"));
    if status.is_server_error() {
        panic!("{what}: {status}: {}", response.text().await.unwrap_or_default());
    }
    if status.is_client_error() && status.as_u16() != 405 && !streaming {
        let body = tokio::time::timeout(Duration::from_secs(5), response.bytes()).await.ok().and_then(Result::ok).unwrap_or_default();
        assert!(!body.is_empty(), "{what}: a {status} without a word");
    }
}

#[sqlx::test(migrations = false)]
async fn every_route_answers_hostile_input_with_a_clear_4xx_never_a_5xx(pool: PgPool) {
    let app = spawn_app(pool, &[]).await;
    let signed_in = app.signed_in("ana@example.com").await;
    common::connect(&app, &signed_in, "lumen.studio", "allow").await;
    let origin = app.url("");
    let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).timeout(Duration::from_secs(20)).build().unwrap();

    // The server functions, as registered by the app (every one of them).
    let mut routes: Vec<(String, String)> = ROUTES.iter().map(|(m, p)| (m.to_string(), p.to_string())).collect();
    for (path, method) in leptos::server_fn::axum::server_fn_paths() {
        routes.push((method.to_string(), path.to_string()));
    }
    assert!(routes.len() > ROUTES.len() + 10, "the server functions are listed: {}", routes.len());

    let bodies = bodies();
    let mut sent = 0;
    for (method, template) in &routes {
        let method = Method::from_bytes(method.as_bytes()).unwrap();
        let ids: Vec<&str> = if template.contains("{id}") { IDS.to_vec() } else { vec![""] };
        for id in ids {
            let path = template.replace("{id}", id);
            for cookie in [signed_in.cookie.clone(), None] {
                for query in queries() {
                    let url = format!("{origin}{path}{query}");
                    let mut request = client.request(method.clone(), &url).header("origin", &origin);
                    if let Some(c) = &cookie {
                        request = request.header("cookie", c);
                    }
                    check(&format!("{method} {path}{query:.40}"), request.send().await).await;
                    sent += 1;
                }
                if method == Method::GET || method == Method::DELETE {
                    continue;
                }
                for (content_type, body) in &bodies {
                    let mut request = client.request(method.clone(), format!("{origin}{path}")).header("origin", &origin).header("content-type", *content_type);
                    if let Some(c) = &cookie {
                        request = request.header("cookie", c);
                    }
                    let what =
                        format!("{method} {path} with {content_type} ({} bytes, {:?}…)", body.len(), String::from_utf8_lossy(&body[..body.len().min(24)]));
                    check(&what, request.body(body.clone()).send().await).await;
                    sent += 1;
                }
            }
        }
    }
    // Odd headers on a page and an API route.
    for (name, value) in [
        ("cookie", "crealia_session=%00%FF; crealia_session=x"),
        ("x-forwarded-for", "999.1.1.1, ::g"),
        ("accept", "text/\u{e9}; q=\u{ff}"),
        ("range", "bytes=-0"),
    ] {
        for path in ["/", "/api/instagram/schedule", "/media/x.jpg"] {
            let request = client.get(format!("{origin}{path}")).header(name, reqwest::header::HeaderValue::from_bytes(value.as_bytes()).unwrap());
            check(&format!("GET {path} with {name}: {value}"), request.send().await).await;
            sent += 1;
        }
    }
    assert!(sent > 2_000, "{sent} requests");
    // And the server still serves.
    let (status, _) = app.get_json("/healthz").await;
    assert_eq!(status, 200);
}
