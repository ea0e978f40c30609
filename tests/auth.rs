//! Sign-in throttling, sessions, and tenant isolation of every server function that takes an id.

mod common;

use std::time::{Duration, Instant};

use common::{connect, database_url, spawn_app, Server, TestApp};
use crealia_core::accounts::{Accounts, ThrottlePolicy};
use sqlx::PgPool;

fn server_fn_path(name: &str) -> String {
    leptos::server_fn::axum::server_fn_paths()
        .map(|(p, _)| p.to_string())
        .find(|p| p.contains(name))
        .unwrap_or_else(|| panic!("server function {name} is registered"))
}

/// The server functions behind a `<form>`: they take the form's encoding, every other one JSON.
const FORM_FUNCTIONS: [&str; 4] = ["sign_in", "sign_up", "sign_out", "disconnect_connection"];

/// Calls a server function as the browser's fetch does (no `Accept: text/html`), with its
/// arguments encoded as the function takes them.
async fn call(app: &TestApp, cookie: Option<&str>, name: &str, args: &[(&str, &str)]) -> (u16, serde_json::Value, Vec<String>) {
    let req = app.client.post(app.url(&server_fn_path(name)));
    let mut req = if FORM_FUNCTIONS.contains(&name) {
        req.form(args)
    } else {
        req.json(&args.iter().map(|(k, v)| (k.to_string(), serde_json::Value::from(*v))).collect::<serde_json::Map<_, _>>())
    };
    if let Some(c) = cookie {
        req = req.header("cookie", c);
    }
    let r = req.send().await.unwrap();
    let status = r.status().as_u16();
    let cookies = r.headers().get_all("set-cookie").iter().map(|v| v.to_str().unwrap().to_string()).collect();
    let text = r.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(serde_json::Value::String(text)), cookies)
}

#[sqlx::test(migrations = false)]
async fn sign_in_sets_a_fresh_http_only_session_cookie_and_sign_out_ends_it(pool: PgPool) {
    let app = spawn_app(pool.clone(), &[]).await;
    app.services.accounts.sign_up("ana@example.com", "a long enough password", "Ana").await.unwrap();
    let (status, _, cookies) = call(&app, None, "sign_in", &[("email", "ana@example.com"), ("password", "a long enough password")]).await;
    assert_eq!(status, 200);
    let cookie = cookies.iter().find(|c| c.starts_with("crealia_session=")).expect("a session cookie");
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax") && !cookie.contains("Secure"), "{cookie}");
    let session = cookie.split(';').next().unwrap().to_string();

    // Signing in again (with the old cookie) rotates the session id and closes the old one.
    let (_, _, cookies) = call(&app, Some(&session), "sign_in", &[("email", "ana@example.com"), ("password", "a long enough password")]).await;
    let rotated = cookies[0].split(';').next().unwrap().to_string();
    assert_ne!(rotated, session);
    let (_, me, _) = call(&app, Some(&session), "current_creator", &[]).await;
    assert_eq!(me, serde_json::Value::Null, "the old session is gone");
    let (_, me, _) = call(&app, Some(&rotated), "current_creator", &[]).await;
    assert_eq!(me["email"], "ana@example.com");

    let (_, _, cookies) = call(&app, Some(&rotated), "sign_out", &[]).await;
    assert!(cookies[0].contains("Max-Age=0"));
    let (_, me, _) = call(&app, Some(&rotated), "current_creator", &[]).await;
    assert_eq!(me, serde_json::Value::Null);
    let sessions: i64 = sqlx::query_scalar("SELECT count(*) FROM sessions").fetch_one(&pool).await.unwrap();
    assert_eq!(sessions, 0);
}

#[sqlx::test(migrations = false)]
async fn repeated_failures_slow_an_account_down_with_a_clear_message(pool: PgPool) {
    let app = spawn_app(pool, &[]).await;
    app.services.accounts.sign_up("ana@example.com", "a long enough password", "").await.unwrap();
    for _ in 0..5 {
        let (status, body, _) = call(&app, None, "sign_in", &[("email", "ana@example.com"), ("password", "wrong password!")]).await;
        assert_eq!(status, 401, "{body}");
        assert_eq!(body, serde_json::json!("InvalidCredentials"));
    }
    // Even the right password waits now, but seconds, not a lock-out.
    let (status, body, _) = call(&app, None, "sign_in", &[("email", "ana@example.com"), ("password", "a long enough password")]).await;
    assert_eq!(status, 429, "{body}");
    let wait = body["TooManyAttempts"].as_u64().unwrap();
    assert!((1..=2).contains(&wait), "{body}");
    tokio::time::sleep(std::time::Duration::from_secs(wait)).await;
    let (status, body, _) = call(&app, None, "sign_in", &[("email", "ana@example.com"), ("password", "a long enough password")]).await;
    assert_eq!(status, 200, "after the wait the creator gets in: {body}");
}

#[sqlx::test]
async fn a_guesser_cannot_lock_a_creator_out_of_an_address_they_signed_in_from(pool: PgPool) {
    let accounts = Accounts::new(pool);
    accounts.sign_up("ana@example.com", "a long enough password", "Ana").await.unwrap();
    accounts.sign_in("ana@example.com", "a long enough password", "198.51.100.7", None).await.unwrap();
    // A guesser spread over many addresses.
    for i in 0..30 {
        let _ = accounts.sign_in("ana@example.com", "guess", &format!("203.0.113.{i}"), None).await;
    }
    accounts.sign_in("ana@example.com", "a long enough password", "198.51.100.7", None).await.expect("Ana's own address is never slowed");
    match accounts.sign_in("ana@example.com", "a long enough password", "192.0.2.99", None).await {
        Err(crealia_core::Error::Throttled { retry_after_secs }) => assert!(retry_after_secs <= 300, "slowed, at most 5 minutes: {retry_after_secs}"),
        other => panic!("a new address waits: {other:?}"),
    }
}

/// A server function call as a browser behind a proxy sends it.
async fn call_from(app: &TestApp, forwarded_for: &str, name: &str, form: &[(&str, &str)]) -> u16 {
    let r = app.client.post(app.url(&server_fn_path(name))).header("x-forwarded-for", forwarded_for).form(form).send().await.unwrap();
    r.status().as_u16()
}

#[sqlx::test(migrations = false)]
async fn behind_a_trusted_proxy_each_client_is_throttled_on_its_own(pool: PgPool) {
    let app = spawn_app(pool.clone(), &[("TRUSTED_PROXIES", "127.0.0.1/32")]).await;
    for i in 0..20 {
        let email = format!("nobody{i}@example.com");
        assert_eq!(call_from(&app, "203.0.113.1", "sign_in", &[("email", &email), ("password", "wrong password!")]).await, 401);
    }
    assert_eq!(call_from(&app, "203.0.113.1", "sign_in", &[("email", "x@example.com"), ("password", "wrong password!")]).await, 429);
    assert_eq!(
        call_from(&app, "203.0.113.2", "sign_in", &[("email", "x@example.com"), ("password", "wrong password!")]).await,
        401,
        "another client behind the same proxy is not locked out"
    );
    // A client cannot pick its own address by prepending one.
    assert_eq!(call_from(&app, "198.51.100.1, 203.0.113.1", "sign_in", &[("email", "x@example.com"), ("password", "x")]).await, 429);
}

#[sqlx::test(migrations = false)]
async fn forwarded_headers_from_an_untrusted_peer_are_ignored(pool: PgPool) {
    let app = spawn_app(pool, &[]).await;
    for i in 0..20 {
        let (spoofed, email) = (format!("203.0.113.{i}"), format!("nobody{i}@example.com"));
        assert_eq!(call_from(&app, &spoofed, "sign_in", &[("email", &email), ("password", "wrong password!")]).await, 401);
    }
    assert_eq!(call_from(&app, "203.0.113.99", "sign_in", &[("email", "x@example.com"), ("password", "x")]).await, 429, "all of them came from one peer");
}

#[sqlx::test(migrations = false)]
async fn sign_up_is_throttled_per_address_and_a_taken_email_tells_nothing_more(pool: PgPool) {
    let app = spawn_app(pool, &[]).await;
    let (status, _, _) = call(&app, None, "sign_up", &[("email", "ana@example.com"), ("password", "a long enough password"), ("display_name", "Ana")]).await;
    assert_eq!(status, 200);
    let (status, taken, _) = call(&app, None, "sign_up", &[("email", "ANA@example.com"), ("password", "another long password"), ("display_name", "")]).await;
    assert_eq!(status, 422);
    // The refusal every taken or unusable address gets: nothing says "this email has an account".
    let unavailable = crealia_model::problem::Problem::EmailUnavailable.to_string();
    assert_eq!(taken["Refused"]["en"].as_str(), Some(unavailable.as_str()), "no 'this email has an account'");
    for i in 2..10 {
        let email = format!("new{i}@example.com");
        let (status, body, _) = call(&app, None, "sign_up", &[("email", &email), ("password", "a long enough password"), ("display_name", "")]).await;
        assert_eq!(status, 200, "{body}");
    }
    let (status, body, _) =
        call(&app, None, "sign_up", &[("email", "eleventh@example.com"), ("password", "a long enough password"), ("display_name", "")]).await;
    assert_eq!(status, 429, "ten sign-ups an hour from one address: {body}");
}

#[sqlx::test]
async fn failures_are_throttled_per_address_across_accounts(pool: PgPool) {
    let accounts = Accounts::new(pool).with_throttle(ThrottlePolicy { per_address: 3, ..ThrottlePolicy::default() });
    for i in 0..3 {
        let e = accounts.sign_in(&format!("nobody{i}@example.com"), "x", "203.0.113.9", None).await.unwrap_err();
        assert!(matches!(e, crealia_core::Error::InvalidCredentials));
    }
    let e = accounts.sign_in("someone@example.com", "x", "203.0.113.9", None).await.unwrap_err();
    assert!(matches!(e, crealia_core::Error::Throttled { .. }), "{e:?}");
    let e = accounts.sign_in("someone@example.com", "x", "198.51.100.1", None).await.unwrap_err();
    assert!(matches!(e, crealia_core::Error::InvalidCredentials), "another address is not affected");
}

#[sqlx::test(migrations = false)]
async fn user_b_never_reaches_user_a_s_connections(pool: PgPool) {
    let app = spawn_app(pool, &[]).await;
    let ana = app.signed_in("ana@example.com").await;
    connect(&app, &ana, "lumen.studio", "allow").await;
    let (_, list, _) = call(&app, ana.cookie.as_deref(), "list_connections", &[]).await;
    let ana_connection = list[0]["id"].as_i64().unwrap().to_string();

    let bo = app.signed_in("bo@example.com").await;
    let (status, list, _) = call(&app, bo.cookie.as_deref(), "list_connections", &[]).await;
    assert_eq!((status, list), (200, serde_json::json!([])));
    let (status, body, _) = call(&app, bo.cookie.as_deref(), "disconnect_connection", &[("id", &ana_connection)]).await;
    assert_eq!(status, 404, "{body}");
    assert_eq!(body, serde_json::json!("NotFound"));

    // Signed out: 401, and still nothing disconnected.
    let (status, _, _) = call(&app, None, "disconnect_connection", &[("id", &ana_connection)]).await;
    assert_eq!(status, 401);
    let (_, list, _) = call(&app, ana.cookie.as_deref(), "list_connections", &[]).await;
    assert_eq!(list.as_array().unwrap().len(), 1);
}

#[sqlx::test]
async fn a_burst_of_simultaneous_guesses_is_counted_one_by_one(pool: PgPool) {
    let accounts = Accounts::new(pool).with_throttle(ThrottlePolicy { per_address: 5, ..ThrottlePolicy::default() });
    accounts.sign_up("ana@example.com", "a long enough password", "Ana").await.unwrap();
    let guesses = (0..30).map(|i| {
        let accounts = accounts.clone();
        async move { accounts.sign_in("ana@example.com", &format!("guess number {i}"), "203.0.113.9", None).await }
    });
    let results = futures_util::future::join_all(guesses).await;
    let checked = results.iter().filter(|r| matches!(r, Err(crealia_core::Error::InvalidCredentials))).count();
    let refused = results.iter().filter(|r| matches!(r, Err(crealia_core::Error::Throttled { .. }))).count();
    assert_eq!((checked, refused), (5, 25), "only five of thirty simultaneous guesses had their password checked");
}

#[sqlx::test(migrations = false)]
async fn the_address_a_creator_signed_in_from_is_remembered_past_the_daily_cleanup(pool: PgPool) {
    let app = spawn_app(pool.clone(), &[]).await;
    let accounts = &app.services.accounts;
    accounts.sign_up("ana@example.com", "a long enough password", "Ana").await.unwrap();
    accounts.sign_in("ana@example.com", "a long enough password", "198.51.100.7", None).await.unwrap();
    sqlx::query("UPDATE sign_in_attempts SET attempted_at = now() - interval '3 days'").execute(&pool).await.unwrap();
    app.services.tokens.cleanup(chrono::Utc::now()).await.unwrap();
    for i in 0..8 {
        let _ = accounts.sign_in("ana@example.com", "guess", &format!("203.0.113.{i}"), None).await;
    }
    accounts.sign_in("ana@example.com", "a long enough password", "198.51.100.7", None).await.expect("Ana's address is still known");
}

/// Sessions are kept in each process (issue 13): a sign-out on one server is refused by another
/// within a second (the deleted row's notification).
#[sqlx::test(migrations = false)]
async fn a_sign_out_on_one_server_is_refused_by_another_within_a_second(pool: PgPool) {
    let a = spawn_app(pool.clone(), &[]).await;
    let port = common::free_port();
    let addr = format!("127.0.0.1:{port}");
    let _b = Server::start(&database_url(&pool), &[("LEPTOS_SITE_ADDR", &addr), ("JOBS_ENABLED", "false")]);
    let b = format!("http://{addr}");
    let client = reqwest::Client::new();
    let started = Instant::now();
    while client.get(format!("{b}/healthz")).send().await.is_err() {
        assert!(started.elapsed() < Duration::from_secs(60), "server B starts");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    let browser = a.signed_in("ana@example.com").await;
    let cookie = browser.cookie.clone().unwrap();
    let inbox = async || client.get(format!("{b}/api/instagram/inbox")).header("cookie", &cookie).send().await.unwrap().status().as_u16();
    // B knows the session (and keeps it).
    assert_eq!(inbox().await, 200);
    assert_eq!(inbox().await, 200);

    let token = crealia_core::accounts::token_from_cookie_header(&cookie).unwrap();
    a.services.accounts.sign_out(&token).await.unwrap();
    let signed_out = Instant::now();
    while inbox().await != 401 {
        assert!(signed_out.elapsed() < Duration::from_secs(1), "B still accepts the session {:?} after the sign-out", signed_out.elapsed());
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    println!("refused by B {:?} after the sign-out on A", signed_out.elapsed());
}

/// Every page showing a time reads the creator's time zone: each server keeps it (issue 14's
/// control room asks PostgreSQL nothing for it), and a change made anywhere — through another
/// server, or by hand in the database — reaches the others within a second.
#[sqlx::test]
async fn a_time_zone_changed_elsewhere_is_seen_by_every_server_within_a_second(pool: PgPool) {
    let (a, b) = (Accounts::new(pool.clone()), Accounts::new(pool.clone()));
    let ana = a.sign_up("ana@example.com", "a long enough password", "Ana").await.unwrap().id;
    let seen_by_a = async |expected: Option<&str>| {
        let changed = Instant::now();
        while a.time_zone(ana).await.unwrap().as_deref() != expected {
            assert!(changed.elapsed() < Duration::from_secs(1), "server A still shows the old time zone after {:?}", changed.elapsed());
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    };
    // A keeps "none yet" (its listener starts with the first lookup and must hear first).
    seen_by_a(None).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(a.time_zone(ana).await.unwrap(), None);

    b.set_time_zone(ana, "Europe/Paris").await.unwrap();
    seen_by_a(Some("Europe/Paris")).await;
    assert_eq!(b.time_zone(ana).await.unwrap().as_deref(), Some("Europe/Paris"), "the server that changed it sees it at once");

    sqlx::query("UPDATE users SET time_zone = 'Asia/Tokyo' WHERE id = $1").bind(ana).execute(&pool).await.unwrap();
    seen_by_a(Some("Asia/Tokyo")).await;
    seen_by_a(Some("Asia/Tokyo")).await;
}

/// The language a creator chose follows them: signing up stores the one they were reading
/// (their cookie, else the browser's preference), switching stores the new one, and signing in
/// from any browser answers it and sets that browser's language cookie.
#[sqlx::test(migrations = false)]
async fn a_creators_language_is_remembered_on_the_account_and_set_at_sign_in(pool: PgPool) {
    let app = spawn_app(pool, &[]).await;
    let sign_up = |accept: &'static str, email: &'static str| {
        let app = &app;
        async move {
            let form = [("email", email), ("password", "a long enough password"), ("display_name", "Zoé"), ("next", "")];
            let r = app.client.post(app.url(&server_fn_path("sign_up"))).header("accept-language", accept).form(&form).send().await.unwrap();
            assert!(r.status().is_success() || r.status().is_redirection(), "{}", r.status());
        }
    };
    sign_up("fr-FR,fr;q=0.9,en;q=0.5", "zoe@example.com").await;
    sign_up("en-GB,en;q=0.9", "sam@example.com").await;
    let zoe = app.services.accounts.sign_up("zoe-check@example.com", "a long enough password", "").await.unwrap();
    assert_eq!(app.services.accounts.language(zoe.id).await.unwrap(), None, "a creator made elsewhere follows the browser");

    // Signing in answers the stored language and sets the browser's cookie to it.
    let (status, body, cookies) = call(&app, None, "sign_in", &[("email", "zoe@example.com"), ("password", "a long enough password")]).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body, serde_json::json!("fr"));
    let lang = cookies.iter().find(|c| c.starts_with("crealia_lang=")).expect("a language cookie");
    assert!(lang.starts_with("crealia_lang=fr;") && lang.contains("Path=/") && lang.contains("SameSite=Lax"), "{lang}");
    let (_, body, cookies) = call(&app, None, "sign_in", &[("email", "sam@example.com"), ("password", "a long enough password")]).await;
    assert_eq!(body, serde_json::json!("en"));
    let session = cookies.iter().find(|c| c.starts_with("crealia_session=")).unwrap().split(';').next().unwrap().to_string();

    // Switching is remembered on the account; an unknown language is refused.
    let (status, _, _) = call(&app, Some(&session), "set_language", &[("language", "fr")]).await;
    assert_eq!(status, 200);
    let (_, body, _) = call(&app, None, "sign_in", &[("email", "sam@example.com"), ("password", "a long enough password")]).await;
    assert_eq!(body, serde_json::json!("fr"));
    let (status, _, _) = call(&app, Some(&session), "set_language", &[("language", "de")]).await;
    assert_eq!(status, 422);
    // Signed out, nothing is stored (the browser's cookie remembers it).
    let (status, _, _) = call(&app, None, "set_language", &[("language", "en")]).await;
    assert_eq!(status, 200);

    // The cookie wins over the browser's preference, and is only read: the answer sets no
    // second, path-less language cookie of its own.
    let form = [("email", "kim@example.com"), ("password", "a long enough password"), ("display_name", "Kim"), ("next", "")];
    let r = app
        .client
        .post(app.url(&server_fn_path("sign_up")))
        .header("accept-language", "en-US")
        .header("cookie", "crealia_lang=fr")
        .form(&form)
        .send()
        .await
        .unwrap();
    let set: Vec<String> = r.headers().get_all("set-cookie").iter().map(|v| v.to_str().unwrap().to_string()).collect();
    assert!(set.iter().filter(|c| c.starts_with("crealia_lang=")).all(|c| c.contains("Path=/")), "{set:?}");
    let (_, body, _) = call(&app, None, "sign_in", &[("email", "kim@example.com"), ("password", "a long enough password")]).await;
    assert_eq!(body, serde_json::json!("fr"));
}
