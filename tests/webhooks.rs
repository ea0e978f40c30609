//! Meta's webhooks against the in-process sandbox, which subscribes to the app's callback at
//! start-up and sends signed deliveries: the handshake, every refusal (no row left), both
//! payload shapes, batches, non-ASCII text, replies, retries shown once, the database going
//! away while deliveries arrive, and a processor killed half-way.

mod common;

use std::time::Duration;

use common::{connect, database_url, spawn_app, wait_until, Server, TestApp};
// Deliveries are signed as the sandbox (Meta's stand-in) signs them: not with Crealia's code.
use crealia_model::inbox::InboxKind;
use crealia_sandbox::webhooks::signature_256 as sign;
use serde_json::{json, Value};
use sqlx::PgPool;

const CALLBACK: &str = "/api/webhooks/instagram";

async fn creator(app: &TestApp, username: &str) -> (i64, String) {
    let c = common::creator(app, &format!("{username}@example.com"), username).await;
    (c.user, app.sandbox_account(username).await)
}

/// Asks the sandbox for events and waits until it has delivered all it has queued.
async fn produce(app: &TestApp, events: Value, batch: bool) -> Value {
    let r = app.sandbox_admin.post(app.url("/sandbox/__admin/webhooks/events")).json(&json!({ "events": events, "batch": batch })).send().await.unwrap();
    assert_eq!(r.status(), 201);
    let created: Value = r.json().await.unwrap();
    wait_until("the sandbox has delivered its webhooks", Duration::from_secs(10), async || {
        let (_, d) = app.admin_json("/sandbox/__admin/webhooks").await;
        d["subscription"].is_string() && d["deliveries"].as_array().unwrap().iter().all(|d| d["status"] == "delivered")
    })
    .await;
    created
}

async fn post_delivery(app: &TestApp, body: &[u8], signature: Option<&str>) -> u16 {
    let mut req = app.client.post(app.url(CALLBACK)).header("content-type", "application/json").body(body.to_vec());
    if let Some(s) = signature {
        req = req.header("x-hub-signature-256", s);
    }
    req.send().await.unwrap().status().as_u16()
}

/// A Graph API read from the app's sandbox with an account's token: the status and the JSON.
async fn graph_get(app: &TestApp, path: &str, token: &str) -> (u16, Value) {
    let r = app.client.get(app.url(&format!("/sandbox/v25.0/{path}"))).bearer_auth(token).send().await.unwrap();
    (r.status().as_u16(), r.json().await.unwrap_or(Value::Null))
}

async fn count(pool: &PgPool, table: &str) -> i64 {
    sqlx::query_scalar(&format!("SELECT count(*) FROM {table}")).fetch_one(pool).await.unwrap()
}

/// (kind, external id, parent id, text) of every item, oldest first.
async fn items(pool: &PgPool) -> Vec<(String, String, Option<String>, Option<String>)> {
    sqlx::query_as("SELECT kind, external_id, parent_id, body FROM inbox_items ORDER BY id").fetch_all(pool).await.unwrap()
}

fn comment_body(account: &str, id: &str, text: &str) -> Vec<u8> {
    json!({ "object": "instagram", "entry": [{ "id": account, "time": 1785412106, "changes": [{ "field": "comments", "value": {
        "id": id, "from": { "id": "742084212153673", "username": "ks.___.hyeon" }, "text": text, "media": { "id": "1808", "media_product_type": "FEED" } } }] }] })
    .to_string()
    .into_bytes()
}

#[sqlx::test(migrations = false)]
async fn the_handshake_answers_the_challenge_only_with_the_right_token(pool: PgPool) {
    let app = spawn_app(pool, &[("WEBHOOK_VERIFY_TOKEN", "right-token")]).await;
    let get = |q: &'static str| {
        let url = app.url(&format!("{CALLBACK}?{q}"));
        let client = app.client.clone();
        async move {
            let r = client.get(url).send().await.unwrap();
            (r.status().as_u16(), r.text().await.unwrap())
        }
    };
    assert_eq!(get("hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token=right-token").await, (200, "1158201444".into()));
    assert_eq!(get("hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token=wrong-token").await.0, 403);
    assert_eq!(get("hub.mode=unsubscribe&hub.challenge=1158201444&hub.verify_token=right-token").await.0, 403);
    assert_eq!(get("hub.mode=subscribe&hub.challenge=1158201444").await.0, 403);
    // The in-process sandbox went through the same handshake at start-up.
    wait_until("the sandbox subscribes", Duration::from_secs(10), async || app.admin_json("/sandbox/__admin/webhooks").await.1["subscription"].is_string())
        .await;
}

#[sqlx::test(migrations = false)]
async fn signed_deliveries_in_every_shape_become_the_right_rows(pool: PgPool) {
    let app = spawn_app(pool.clone(), &[]).await;
    let (user, ig) = creator(&app, "nordlys.cafe").await;

    // One comment per delivery, in the `changes[]` shape with `value.id`, with non-ASCII text
    // (the sandbox escapes it as Meta does and signs the escaped bytes).
    let text = "Danke, sehr schön 😍 ¿Dónde? \"quoted\" a/b";
    let first = produce(&app, json!([{ "kind": "comment", "account": "nordlys.cafe", "text": text }]), false).await;
    let first_id = first["created"][0].as_str().unwrap().to_string();
    // The flat field/value shape with Facebook Login's `value.comment_id`, and a reply to the first.
    produce(&app, json!([{ "kind": "comment", "account": "nordlys.cafe", "text": "flat", "shape": "flat", "id_field": "comment_id" }]), false).await;
    produce(&app, json!([{ "kind": "comment", "account": "nordlys.cafe", "text": "a reply", "parent_id": first_id }]), false).await;
    // A batch: several entries in one delivery.
    produce(
        &app,
        json!([
            { "kind": "mention", "account": "nordlys.cafe" },
            { "kind": "message", "account": "nordlys.cafe", "text": "Hej! Är ni öppna?" },
            { "kind": "comment", "account": "nordlys.cafe", "text": "batched" },
        ]),
        true,
    )
    .await;
    let (_, deliveries) = app.admin_json("/sandbox/__admin/webhooks").await;
    let sent = deliveries["deliveries"].as_array().unwrap();
    assert_eq!(sent.len(), 4);
    assert_eq!(sent[3]["entries"], 3);
    assert!(sent[0]["body"].as_str().unwrap().contains("\\u00f6"), "the sandbox sends escaped unicode, as Meta does");

    // Stored, not yet processed: nothing in the inbox until the processor runs.
    assert_eq!(count(&pool, "webhook_deliveries").await, 4);
    assert_eq!(count(&pool, "inbox_items").await, 0);
    let report = app.services.webhooks.process_pending(100).await.unwrap();
    assert_eq!((report.deliveries, report.items, report.unrouted, report.failed), (4, 6, 0, 0));

    let rows = items(&pool).await;
    let kinds: Vec<&str> = rows.iter().map(|r| r.0.as_str()).collect();
    assert_eq!(kinds, ["comment", "comment", "comment", "mention", "message", "comment"]);
    assert_eq!(rows[0].1, first_id);
    assert_eq!(rows[0].3.as_deref(), Some(text), "non-ASCII text arrives intact");
    assert_eq!(rows[1].3.as_deref(), Some("flat"));
    assert_eq!((rows[2].2.as_deref(), rows[2].3.as_deref()), (Some(first_id.as_str()), Some("a reply")));
    assert!(rows[3].1.chars().all(|c| c.is_ascii_digit()), "a mention is keyed by its comment id: {}", rows[3].1);
    assert!(rows[4].1.starts_with("aWdf"), "a message is keyed by its mid");
    assert_eq!(rows[4].3.as_deref(), Some("Hej! Är ni öppna?"));
    let accounts: Vec<String> = sqlx::query_scalar("SELECT DISTINCT ig_user_id FROM inbox_items").fetch_all(&pool).await.unwrap();
    assert_eq!(accounts, [ig]);

    // What the creator sees: the reply under its comment, unread counts per kind.
    let inbox = app.services.inbox.list(user, None, "UTC").await.unwrap();
    assert_eq!((inbox.unread.comments, inbox.unread.mentions, inbox.unread.messages), (4, 1, 1));
    assert_eq!(inbox.items.len(), 5, "the reply is not a top-level item");
    let commented = inbox.items.iter().find(|i| i.text.as_deref() == Some(text)).unwrap();
    assert_eq!(commented.replies.len(), 1);
    assert_eq!(commented.replies[0].text.as_deref(), Some("a reply"));
    assert_eq!(app.services.inbox.list(user, Some(InboxKind::Message), "UTC").await.unwrap().items.len(), 1);
    let counts = app.services.inbox.mark_read(user, None, Some(InboxKind::Comment)).await.unwrap();
    assert_eq!((counts.comments, counts.mentions, counts.messages), (0, 1, 1));

    // Processing again finds nothing to do.
    assert_eq!(app.services.webhooks.process_pending(100).await.unwrap().deliveries, 0);
}

#[sqlx::test(migrations = false)]
async fn unknown_fields_and_unconnected_accounts_are_kept_and_reported(pool: PgPool) {
    let app = spawn_app(pool.clone(), &[]).await;
    let (user, ig) = creator(&app, "nordlys.cafe").await;
    let body = json!({ "object": "instagram", "entry": [
        { "id": ig, "time": 1547687043, "changes": [{ "field": "story_insights", "value": { "media_id": "1", "reach": 17 } }] },
        { "id": "17841499999999999", "time": 1785412106, "changes": [{ "field": "comments", "value": { "id": "555", "text": "for nobody here" } }] },
    ]})
    .to_string();
    assert_eq!(post_delivery(&app, body.as_bytes(), Some(&sign(&app.webhook_secret, body.as_bytes()))).await, 200);
    let report = app.services.webhooks.process_pending(100).await.unwrap();
    assert_eq!((report.items, report.unrouted, report.failed), (2, 1, 0));
    let rows = items(&pool).await;
    assert_eq!(rows[0].0, "other", "an unknown field is kept");
    assert_eq!(rows[1].3.as_deref(), Some("for nobody here"), "an unconnected account's comment is kept");
    let stats = app.services.webhooks.stats().await.unwrap();
    assert_eq!(stats.unrouted, vec![("17841499999999999".to_string(), 1)]);
    assert_eq!(stats.pending, 0);
    // Neither shows in the creator's inbox nor counts as unread.
    let inbox = app.services.inbox.list(user, None, "UTC").await.unwrap();
    assert!(inbox.items.is_empty());
    assert_eq!(inbox.unread.total(), 0);
}

#[sqlx::test(migrations = false)]
async fn refused_deliveries_get_their_status_and_leave_no_row(pool: PgPool) {
    let app = spawn_app(pool.clone(), &[("WEBHOOK_MAX_BODY_BYTES", "4096")]).await;
    let body = comment_body("17841400006862718", "1822", "hello");
    let good = sign(&app.webhook_secret, &body);

    let mut tampered = body.clone();
    let at = tampered.iter().position(|b| *b == b'h').unwrap();
    tampered[at] = b'j';
    assert_eq!(post_delivery(&app, &tampered, Some(&good)).await, 403, "tampered body");
    assert_eq!(post_delivery(&app, &body, Some(&sign("not-the-app-secret", &body))).await, 403, "wrong secret");
    assert_eq!(post_delivery(&app, &body, None).await, 401, "missing header");
    assert_eq!(post_delivery(&app, &body, Some(&good[..good.len() - 8])).await, 403, "truncated signature");
    assert_eq!(post_delivery(&app, &body, Some(&good.replace("sha256=", ""))).await, 403, "no algorithm");
    let mut big = comment_body("17841400006862718", "1823", &"x".repeat(5000));
    assert_eq!(post_delivery(&app, &big, Some(&sign(&app.webhook_secret, &big))).await, 413, "oversized");
    big.truncate(100);
    assert_eq!(post_delivery(&app, &big, Some(&sign(&app.webhook_secret, &big))).await, 400, "malformed JSON, correctly signed");

    assert_eq!(count(&pool, "webhook_deliveries").await, 0);
    assert_eq!(app.services.webhooks.process_pending(100).await.unwrap().items, 0);
    assert_eq!(count(&pool, "inbox_items").await, 0);
    // The malformed one is kept for inspection, as sent.
    let kept: Vec<Vec<u8>> = sqlx::query_scalar("SELECT body FROM webhook_rejects").fetch_all(&pool).await.unwrap();
    assert_eq!(kept, vec![big]);

    // And the genuine delivery is accepted.
    assert_eq!(post_delivery(&app, &body, Some(&good)).await, 200);
    assert_eq!(count(&pool, "webhook_deliveries").await, 1);
}

/// The door and the processor read a delivery with the same parser (issue 12): a signed body
/// the processor could not read (shape, depth, encoding, ids that are not ids) is refused with
/// 400 and kept aside, never acknowledged and then dropped; one it can read, however odd
/// (NUL in a text, a time PostgreSQL cannot hold), is stored and processed.
#[sqlx::test(migrations = false)]
async fn the_door_refuses_exactly_what_the_processor_could_not_read(pool: PgPool) {
    let app = spawn_app(pool.clone(), &[]).await;
    let deep = format!("{{\"entry\":[{{\"id\":\"1\",\"changes\":[{{\"field\":\"comments\",\"value\":{}{}}}]}}]}}", "[".repeat(200), "]".repeat(200));
    let long_id = comment_body(&"9".repeat(300), "1", "hi");
    let mut bad_utf8 = comment_body("17841400006862718", "1", "caf_");
    let at = bad_utf8.windows(4).position(|w| w == b"caf_").unwrap() + 3;
    bad_utf8[at] = 0xE9;
    let unreadable: Vec<(&str, Vec<u8>)> = vec![
        ("no entry list", br#"{"object":"instagram"}"#.to_vec()),
        ("entry not a list", br#"{"object":"instagram","entry":{"id":"1"}}"#.to_vec()),
        ("an entry without an id", br#"{"object":"instagram","entry":[{"time":1}]}"#.to_vec()),
        ("a list at the root", br#"[{"entry":[]}]"#.to_vec()),
        ("nested 200 deep", deep.into_bytes()),
        ("not UTF-8", bad_utf8),
        ("a lone surrogate", br#"{"entry":[{"id":"1","changes":[{"field":"comments","value":{"id":"2","text":"\ud800"}}]}]}"#.to_vec()),
        ("an id of 300 characters", long_id),
    ];
    for (what, body) in &unreadable {
        assert_eq!(post_delivery(&app, body, Some(&sign(&app.webhook_secret, body))).await, 400, "{what}");
    }
    assert_eq!(count(&pool, "webhook_deliveries").await, 0, "nothing unreadable is acknowledged");
    assert_eq!(count(&pool, "webhook_rejects").await, unreadable.len() as i64, "every one is kept for inspection");

    let odd: Vec<Vec<u8>> = vec![
        comment_body("17841400006862718", "31", "nul \u{0} inside"),
        br#"{"entry":[{"id":"17841400006862718","time":-9000000000000,"changes":[{"field":"comments","value":{"id":"32","text":"BC"}}]}]}"#.to_vec(),
        br#"{"entry":[{"id":"17841400006862718","time":9000000000000000000,"changes":[{"field":"comments","value":{"id":"33","text":"far"}}]}]}"#.to_vec(),
        br#"{"entry":[{"id":17841400006862718,"messaging":[{"sender":{"id":1e300},"timestamp":-1}]}]}"#.to_vec(),
    ];
    for body in &odd {
        assert_eq!(post_delivery(&app, body, Some(&sign(&app.webhook_secret, body))).await, 200, "{}", String::from_utf8_lossy(body));
    }
    let report = app.services.webhooks.process_pending(100).await.unwrap();
    assert_eq!((report.deliveries, report.failed, report.items), (4, 0, 4), "every acknowledged delivery is stored as items");
}

/// Meta sends a delivery again when it did not see our 200 in time, for up to 36 hours. A copy
/// that reaches the process that stored it lately is answered without a row (and so is a
/// replayed signed body, however often); a copy stored elsewhere (another server, or long
/// after) adds no inbox item, whether it comes before or after the first was processed.
#[sqlx::test(migrations = false)]
async fn a_delivery_sent_again_is_one_inbox_item(pool: PgPool) {
    let app = spawn_app(pool.clone(), &[]).await;
    let (_, ig) = creator(&app, "nordlys.cafe").await;
    let body = comment_body(&ig, "18220742947333329", "hello");
    for _ in 0..20 {
        assert_eq!(post_delivery(&app, &body, Some(&sign(&app.webhook_secret, &body))).await, 200, "Meta gets 200 for a retry too");
    }
    assert_eq!(count(&pool, "webhook_deliveries").await, 1, "the repeats reached no table");
    // A copy stored by another server, before and after the first is processed.
    let copy_from_elsewhere = || sqlx::query("INSERT INTO webhook_deliveries (body, headers) VALUES ($1, '{}')").bind(&body).execute(&pool);
    copy_from_elsewhere().await.unwrap();
    let report = app.services.webhooks.process_pending(100).await.unwrap();
    assert_eq!((report.deliveries, report.items, report.failed), (2, 1, 0), "two copies, one item");
    copy_from_elsewhere().await.unwrap();
    // The same comment inside another delivery (re-batched by Meta) is not a second item either.
    let rebatched = json!({ "object": "instagram", "entry": [
        serde_json::from_slice::<Value>(&body).unwrap()["entry"][0].clone(),
        serde_json::from_slice::<Value>(&comment_body(&ig, "18220742947333330", "another")).unwrap()["entry"][0].clone(),
    ]})
    .to_string();
    assert_eq!(post_delivery(&app, rebatched.as_bytes(), Some(&sign(&app.webhook_secret, rebatched.as_bytes()))).await, 200);
    let report = app.services.webhooks.process_pending(100).await.unwrap();
    assert_eq!((report.deliveries, report.items, report.failed), (2, 1, 0), "only the other comment is new");
    assert_eq!(items(&pool).await.iter().map(|(_, id, _, _)| id.as_str()).collect::<Vec<_>>(), ["18220742947333329", "18220742947333330"]);
}

/// A delivery is kept with its request's headers, but none that is a credential, nor its
/// signature (with the body it would let whoever reads the table send it again).
#[sqlx::test(migrations = false)]
async fn a_stored_delivery_keeps_no_credential_and_no_signature(pool: PgPool) {
    let app = spawn_app(pool.clone(), &[]).await;
    let body = comment_body("17841400006862718", "41", "kept");
    let r = app
        .client
        .post(app.url(CALLBACK))
        .header("content-type", "application/json")
        .header("x-hub-signature-256", sign(&app.webhook_secret, &body))
        .header("authorization", "Bearer someone-elses")
        .header("cookie", "crealia_session=abc")
        .header("x-request-trace", "kept")
        .body(body.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let headers: String = sqlx::query_scalar("SELECT headers::text FROM webhook_deliveries").fetch_one(&pool).await.unwrap();
    let headers: Value = serde_json::from_str(&headers).unwrap();
    assert_eq!(headers["x-request-trace"], "kept");
    for private in ["x-hub-signature-256", "authorization", "cookie"] {
        assert!(headers.get(private).is_none(), "{private} stored: {headers}");
    }
}

/// The database refuses connections while the sandbox delivers: Meta gets 503 and retries,
/// every delivery acknowledged with 200 is stored, and after the database is back every event
/// is in the inbox.
#[sqlx::test(migrations = false)]
async fn deliveries_while_the_database_is_down_are_not_acknowledged_and_not_lost(pool: PgPool) {
    let app = spawn_app(pool.clone(), &[]).await;
    creator(&app, "nordlys.cafe").await;
    produce(&app, json!([{ "kind": "comment", "account": "nordlys.cafe", "text": "before" }]), false).await;

    let db = pool.connect_options().get_database().unwrap().to_string();
    let admin = sqlx::PgPool::connect(&database_url(&pool).replace(&format!("/{db}"), "/postgres")).await.unwrap();
    let set_allowed = |allowed: bool| {
        let (admin, db) = (admin.clone(), db.clone());
        async move {
            sqlx::query(&format!("ALTER DATABASE \"{db}\" WITH ALLOW_CONNECTIONS {allowed}")).execute(&admin).await.unwrap();
            if !allowed {
                sqlx::query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1").bind(&db).execute(&admin).await.unwrap();
            }
        }
    };
    set_allowed(false).await;

    // Our own deliveries are refused with 503 (Meta retries those).
    let body = comment_body("17841400006862718", "999", "while down");
    assert_eq!(post_delivery(&app, &body, Some(&sign(&app.webhook_secret, &body))).await, 503);
    // The sandbox's are refused too, and wait for their retry.
    let r = app
        .sandbox_admin
        .post(app.url("/sandbox/__admin/webhooks/events"))
        .json(&json!({ "events": [{ "kind": "comment", "account": "nordlys.cafe", "text": "during 1" }, { "kind": "message", "account": "nordlys.cafe", "text": "during 2" }], "batch": false }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    wait_until("the sandbox has tried and failed", Duration::from_secs(30), async || {
        let (_, d) = app.admin_json("/sandbox/__admin/webhooks").await;
        d["deliveries"].as_array().unwrap().iter().filter(|d| d["attempts"].as_u64() >= Some(1) && d["status"] == "pending").count() == 2
    })
    .await;
    let (_, d) = app.admin_json("/sandbox/__admin/webhooks").await;
    for failed in d["deliveries"].as_array().unwrap().iter().filter(|d| d["status"] == "pending") {
        assert!(failed["last_error"].as_str().unwrap().contains("503"), "{failed}");
    }

    set_allowed(true).await;
    // Meta's retry schedule, on the sandbox's clock.
    app.sandbox_admin.post(app.url("/sandbox/__admin/clock/advance")).json(&json!({ "seconds": 60 })).send().await.unwrap();
    wait_until("the retries are delivered", Duration::from_secs(30), async || {
        let (_, d) = app.admin_json("/sandbox/__admin/webhooks").await;
        d["deliveries"].as_array().unwrap().iter().all(|d| d["status"] == "delivered")
    })
    .await;
    let mut processed = 0;
    for _ in 0..3 {
        processed += app.services.webhooks.process_pending(100).await.map(|r| r.items).unwrap_or(0);
    }
    assert_eq!(processed, 3);
    let texts: Vec<Option<String>> = sqlx::query_scalar("SELECT body FROM inbox_items ORDER BY id").fetch_all(&pool).await.unwrap();
    assert_eq!(texts, [Some("before".to_string()), Some("during 1".into()), Some("during 2".into())]);
}

/// A real server process claims stored deliveries and is SIGKILLed while it writes their items
/// (held up by a lock this test takes); the next process processes them, once.
#[sqlx::test(migrations = false)]
async fn a_processor_killed_half_way_leaves_the_deliveries_to_the_next_process(pool: PgPool) {
    let app = spawn_app(pool.clone(), &[]).await;
    let (user, ig) = creator(&app, "nordlys.cafe").await;
    for i in 0..3 {
        let body = comment_body(&ig, &format!("1900{i}"), &format!("comment {i}"));
        assert_eq!(post_delivery(&app, &body, Some(&sign(&app.webhook_secret, &body))).await, 200);
    }
    let url = database_url(&pool);
    let graph = app.url("/sandbox/");
    let vars = [("GRAPH_API_BASE_URL", graph.as_str())];

    let mut lock = pool.begin().await.unwrap();
    sqlx::query("LOCK TABLE inbox_items IN EXCLUSIVE MODE").execute(&mut *lock).await.unwrap();
    let first = Server::start(&url, &vars);
    wait_until("the first process is writing the items", Duration::from_secs(30), async || {
        let waiting: i64 = sqlx::query_scalar("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE 'INSERT INTO inbox_items%'")
            .fetch_one(&pool)
            .await
            .unwrap();
        waiting > 0
    })
    .await;
    first.kill();
    lock.commit().await.unwrap();

    let _second = Server::start(&url, &vars);
    wait_until("the next process has processed every delivery", Duration::from_secs(30), async || {
        count(&pool, "inbox_items").await == 3 && app.services.webhooks.stats().await.unwrap().pending == 0
    })
    .await;
    let processed: Vec<i32> = sqlx::query_scalar("SELECT attempts FROM webhook_deliveries ORDER BY id").fetch_all(&pool).await.unwrap();
    assert_eq!(processed, [1, 1, 1], "the killed process's work left no trace");
    assert_eq!(app.services.inbox.unread(user).await.unwrap().comments, 3);
}

/// A stored delivery wakes this process's processor at once, with no database round trip, and
/// another server's within a second through a NOTIFY sent after the commit; a stream of
/// deliveries sends a few NOTIFYs a second, not one per insert (inside the inserting
/// transaction, each would hold PostgreSQL's global notify lock through its commit).
#[sqlx::test(migrations = false)]
async fn stored_deliveries_wake_the_processors_here_and_elsewhere_with_few_notifications(pool: PgPool) {
    let app = spawn_app(pool.clone(), &[]).await;
    let (_, ig) = creator(&app, "nordlys.cafe").await;
    let deliver = async |id: &str| {
        let body = comment_body(&ig, id, "hello");
        assert_eq!(post_delivery(&app, &body, Some(&sign(&app.webhook_secret, &body))).await, 200);
    };
    deliver("5100").await;
    let here = tokio::time::timeout(Duration::from_millis(50), app.services.webhooks.arrivals().stored()).await;
    assert!(here.is_ok(), "this process's processor is woken by the commit itself");

    // Another server, processing: it takes the first delivery when it starts, the next one
    // because it heard of it.
    let graph = app.url("/sandbox/");
    let _other = Server::start(&database_url(&pool), &[("GRAPH_API_BASE_URL", graph.as_str())]);
    wait_until("the other server processed what was waiting", Duration::from_secs(30), async || count(&pool, "inbox_items").await == 1).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    deliver("5101").await;
    wait_until("the other server heard of the new delivery", Duration::from_millis(1_500), async || count(&pool, "inbox_items").await == 2).await;

    // Forty deliveries one after the other, forty commits: a few notifications.
    let mut listener = sqlx::postgres::PgListener::connect_with(&pool).await.unwrap();
    listener.listen(crealia_core::webhooks::CHANNEL).await.unwrap();
    let started = std::time::Instant::now();
    for i in 0..40 {
        deliver(&format!("52{i:02}")).await;
    }
    tokio::time::sleep(crealia_core::webhooks::ANNOUNCE_EVERY * 2).await;
    let elapsed = started.elapsed();
    let mut heard = 0;
    while let Ok(Ok(_)) = tokio::time::timeout(Duration::from_millis(10), listener.recv()).await {
        heard += 1;
    }
    let most = 2 + (elapsed.as_millis() / crealia_core::webhooks::ANNOUNCE_EVERY.as_millis()) as usize;
    assert!((1..=most).contains(&heard), "{heard} notifications for 40 deliveries in {elapsed:?} (at most {most})");
    wait_until("the other server processed them all", Duration::from_secs(5), async || count(&pool, "inbox_items").await == 42).await;
}

/// A new comment clears the account's cached media list (its comment counts), not its profile.
#[sqlx::test(migrations = false)]
async fn a_new_comment_clears_the_cached_media_list(pool: PgPool) {
    let app = spawn_app(pool, &[]).await;
    let (user, _) = creator(&app, "nordlys.cafe").await;
    let cid = app.services.connections.list(user).await.unwrap()[0].id;
    app.services.insights.dashboard(user, None, 7, chrono::Utc::now()).await.unwrap();
    // The keys the next dashboard load would read.
    let keys = async || {
        let connection = app.services.connections.list(user).await.unwrap().into_iter().find(|c| c.id == cid).unwrap();
        let keys = crealia_core::account_cache::AccountKeys::new(connection.id, connection.generations);
        (keys.media(6), keys.profile())
    };
    let (media, profile) = keys().await;
    assert!(app.services.cache.l1_contains(&media).await && app.services.cache.l1_contains(&profile).await);

    produce(&app, json!([{ "kind": "message", "account": "nordlys.cafe", "text": "no comment" }]), false).await;
    app.services.webhooks.process_pending(100).await.unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await; // a notification would have come by now
    assert_eq!(keys().await, (media.clone(), profile.clone()), "a message changes no cached data");

    produce(&app, json!([{ "kind": "comment", "account": "nordlys.cafe", "text": "new!" }]), false).await;
    app.services.webhooks.process_pending(100).await.unwrap();
    // Every process learns of the new generation through the row's notification.
    wait_until("the media keys change", Duration::from_secs(1), async || keys().await.0 != media).await;
    let (new_media, new_profile) = keys().await;
    assert!(!app.services.cache.l1_contains(&new_media).await, "the media list (comment counts) is loaded again");
    assert_eq!(new_profile, profile, "the profile is untouched");
    assert!(app.services.cache.l1_contains(&new_profile).await);
}

/// Reply, hide and delete through the JSON routes reach the sandbox and show in the inbox;
/// another creator can touch none of it.
#[sqlx::test(migrations = false)]
async fn reply_hide_and_delete_go_through_the_graph_api(pool: PgPool) {
    let app = spawn_app(pool.clone(), &[]).await;
    let email = "ana@example.com";
    let browser = app.signed_in(email).await;
    connect(&app, &browser, "nordlys.cafe", "allow").await;
    let user = app.services.accounts.sign_in(email, "a long enough password", "127.0.0.1", None).await.unwrap().0.id;
    let created = produce(&app, json!([{ "kind": "comment", "account": "nordlys.cafe", "text": "Open on Sunday?" }]), false).await;
    let comment_id = created["created"][0].as_str().unwrap().to_string();
    app.services.webhooks.process_pending(100).await.unwrap();

    let call = |method: reqwest::Method, path: String, body: Option<Value>, cookie: Option<String>| {
        let mut req = app.client.request(method, app.url(&path));
        if let Some(b) = body {
            req = req.json(&b);
        }
        if let Some(c) = cookie {
            req = req.header("cookie", c);
        }
        async move {
            let r = req.send().await.unwrap();
            let status = r.status().as_u16();
            (status, r.json::<Value>().await.unwrap_or(Value::Null))
        }
    };
    let cookie = browser.cookie.clone();
    let (status, inbox) = call(reqwest::Method::GET, "/api/instagram/inbox".into(), None, cookie.clone()).await;
    assert_eq!(status, 200);
    assert_eq!(inbox["unread"]["comments"], 1);
    let id = inbox["items"][0]["id"].as_i64().unwrap();

    // Someone else's session: not found, and nothing reaches the Graph API.
    let stranger = app.signed_in("eve@example.com").await.cookie;
    let (status, _) = call(reqwest::Method::POST, format!("/api/instagram/inbox/{id}/reply"), Some(json!({ "text": "hi" })), stranger).await;
    assert_eq!(status, 404);
    let (status, _) = call(reqwest::Method::POST, format!("/api/instagram/inbox/{id}/reply"), Some(json!({ "text": "hi" })), None).await;
    assert_eq!(status, 401);
    let (status, body) = call(reqwest::Method::POST, format!("/api/instagram/inbox/{id}/reply"), Some(json!({ "text": "  " })), cookie.clone()).await;
    assert_eq!((status, body["error"].as_str()), (422, Some("Write a reply first.")));

    let (status, _) = call(reqwest::Method::POST, format!("/api/instagram/inbox/{id}/reply"), Some(json!({ "text": "Yes, 9 to 3 ☕" })), cookie.clone()).await;
    assert_eq!(status, 201);
    let token = app.services.connections.token(user, app.services.connections.list(user).await.unwrap()[0].id).await.unwrap();
    let (_, replies) = graph_get(&app, &format!("{comment_id}/replies?fields=text"), token.expose()).await;
    assert_eq!(replies["data"][0]["text"], "Yes, 9 to 3 ☕");
    let inbox = app.services.inbox.list(user, None, "UTC").await.unwrap();
    assert_eq!(inbox.items[0].replies[0].text.as_deref(), Some("Yes, 9 to 3 ☕"));
    assert!(inbox.items[0].replies[0].own);
    assert_eq!(inbox.unread.comments, 0, "replying reads the comment");

    let (status, _) = call(reqwest::Method::POST, format!("/api/instagram/inbox/{id}/hide"), Some(json!({ "hidden": true })), cookie.clone()).await;
    assert_eq!(status, 200);
    let (_, c) = graph_get(&app, &format!("{comment_id}?fields=hidden"), token.expose()).await;
    assert_eq!(c["hidden"], true, "{c}");
    assert!(app.services.inbox.list(user, None, "UTC").await.unwrap().items[0].hidden);

    let (status, _) = call(reqwest::Method::DELETE, format!("/api/instagram/inbox/{id}"), None, cookie.clone()).await;
    assert_eq!(status, 204);
    let (gone, _) = graph_get(&app, &format!("{comment_id}?fields=id"), token.expose()).await;
    assert_eq!(gone, 400, "the sandbox no longer has it");
    assert!(app.services.inbox.list(user, None, "UTC").await.unwrap().items.is_empty());
    // It is gone from the inbox: acting on it again is "not found".
    let (status, _) = call(reqwest::Method::DELETE, format!("/api/instagram/inbox/{id}"), None, cookie).await;
    assert_eq!(status, 404);
}

/// Processed deliveries go after 30 days (their items stay); a waiting one is never deleted,
/// and `crealia webhooks` reports what waits and who is not connected.
#[sqlx::test(migrations = false)]
async fn old_processed_deliveries_are_cleaned_up_and_reported(pool: PgPool) {
    let app = spawn_app(pool.clone(), &[]).await;
    for (id, account) in [("1", "17841400000000001"), ("2", "17841400000000002")] {
        let body = comment_body(account, id, "old");
        assert_eq!(post_delivery(&app, &body, Some(&sign(&app.webhook_secret, &body))).await, 200);
    }
    app.services.webhooks.process_pending(1).await.unwrap();
    sqlx::query("UPDATE webhook_deliveries SET received_at = now() - interval '31 days'").execute(&pool).await.unwrap();
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_crealia"))
        .arg("webhooks")
        .env_clear()
        .env("DATABASE_URL", database_url(&pool))
        .env("RUST_LOG", "error")
        .output()
        .unwrap();
    let report = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{report}");
    assert!(report.contains("stored: 2, waiting: 1"), "{report}");
    assert!(report.contains("account 17841400000000001, which no one has connected: 1"), "{report}");

    assert_eq!(app.services.webhooks.cleanup(chrono::Utc::now()).await.unwrap(), 1);
    let left: Vec<Option<chrono::DateTime<chrono::Utc>>> = sqlx::query_scalar("SELECT processed_at FROM webhook_deliveries").fetch_all(&pool).await.unwrap();
    assert_eq!(left, [None], "the unprocessed delivery stays");
    assert_eq!(count(&pool, "inbox_items").await, 1, "the processed delivery's item stays");
}

/// Deliveries arriving together share INSERTs (group commit): each one is answered 200 only
/// when its row is committed, and a body sent twice at the same moment is one inbox item (two
/// rows at most: the copies may pass each other on the way in).
#[sqlx::test(migrations = false)]
async fn concurrent_deliveries_each_land_once(pool: PgPool) {
    let app = spawn_app(pool.clone(), &[]).await;
    let bodies: Vec<Vec<u8>> = (0..100).map(|i| comment_body("17841400006862718", &format!("77{i}"), "together")).collect();
    let sends = bodies.iter().chain(bodies.iter()).map(|body| {
        let (client, url, signature) = (app.client.clone(), app.url(CALLBACK), sign(&app.webhook_secret, body));
        let body = body.clone();
        async move { client.post(url).header("x-hub-signature-256", signature).body(body).send().await.unwrap().status().as_u16() }
    });
    let statuses = futures_util::future::join_all(sends).await;
    assert!(statuses.iter().all(|s| *s == 200), "{statuses:?}");
    let stored = count(&pool, "webhook_deliveries").await;
    assert!((100..=200).contains(&stored), "{stored} rows");
    let report = app.services.webhooks.process_pending(1_000).await.unwrap();
    assert_eq!((report.deliveries as i64, report.items), (stored, 100));
}

/// A page holding the inbox's event stream does not keep a stopping server alive: SIGTERM ends
/// the stream and the process exits.
#[sqlx::test(migrations = false)]
async fn the_live_stream_ends_when_the_server_stops(pool: PgPool) {
    let app = spawn_app(pool.clone(), &[]).await;
    let browser = app.signed_in("ana@example.com").await;
    let port = common::free_port();
    let addr = format!("127.0.0.1:{port}");
    let mut server = Server::start(&database_url(&pool), &[("LEPTOS_SITE_ADDR", &addr), ("GRAPH_API_BASE_URL", &app.url("/sandbox/"))]);
    let url = format!("http://{addr}/api/instagram/inbox/stream");
    let mut stream = loop {
        match app.client.get(&url).header("cookie", browser.cookie.clone().unwrap()).send().await {
            Ok(r) => break r,
            Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
        }
    };
    assert_eq!(stream.status(), 200);
    let first = String::from_utf8(stream.chunk().await.unwrap().unwrap().to_vec()).unwrap();
    assert!(first.starts_with("event: inbox\ndata: {\"comments\":0"), "{first}");

    assert!(server.terminate(Duration::from_secs(10)).await, "the server exits despite the open stream");
    assert!(matches!(stream.chunk().await, Ok(None) | Err(_)), "the stream ended");
}

/// Valid JSON that is not a delivery is refused at the door (the processor could not read
/// it), never acknowledged and then set aside; a NUL character, legal in JSON but not in
/// PostgreSQL text, does not poison the delivery that holds it.
#[sqlx::test(migrations = false)]
async fn odd_but_valid_json_never_blocks_the_processor(pool: PgPool) {
    let app = spawn_app(pool.clone(), &[]).await;
    let (_, ig) = creator(&app, "nordlys.cafe").await;
    let not_a_delivery = br#"[{"entry": "nope"}]"#.to_vec();
    assert_eq!(post_delivery(&app, &not_a_delivery, Some(&sign(&app.webhook_secret, &not_a_delivery))).await, 400);
    let with_nul = comment_body(&ig, "4242", "a\u{0}b");
    assert!(String::from_utf8_lossy(&with_nul).contains("\\u0000"));
    assert_eq!(post_delivery(&app, &with_nul, Some(&sign(&app.webhook_secret, &with_nul))).await, 200);
    let report = app.services.webhooks.process_pending(100).await.unwrap();
    assert_eq!((report.deliveries, report.items, report.failed), (1, 1, 0));
    assert_eq!(items(&pool).await[0].3.as_deref(), Some("ab"));
    let stats = app.services.webhooks.stats().await.unwrap();
    assert_eq!((stats.pending, stats.failed), (0, 0));
    let rejected: i64 = sqlx::query_scalar("SELECT count(*) FROM webhook_rejects").fetch_one(&pool).await.unwrap();
    assert_eq!(rejected, 1, "the refused body is kept for a look");
}

/// Meta (and the sandbox) sends an account's events only once the app subscribed it: connecting
/// does, and `resubscribe_webhooks` restores the subscriptions a restarted sandbox forgot.
#[sqlx::test(migrations = false)]
async fn accounts_are_subscribed_when_connected_and_again_after_a_restart(pool: PgPool) {
    let app = spawn_app(pool.clone(), &[]).await;
    let user = app.services.accounts.sign_up("ana@example.com", "a long enough password", "").await.unwrap().id;
    // A connection stored without the OAuth flow (as after a sandbox restart): not subscribed.
    let issued: Value =
        app.sandbox_admin.post(app.url("/sandbox/__admin/tokens")).json(&json!({ "account": "tiny.sprout" })).send().await.unwrap().json().await.unwrap();
    let connection = crealia_core::connections::NewConnection::from_token(
        issued["ig_id"].as_str().unwrap().into(),
        "tiny.sprout".into(),
        crealia_core::crypto::SecretToken::new(issued["access_token"].as_str().unwrap().to_string()),
        chrono::Utc::now() + chrono::Duration::days(50),
    );
    app.services.connections.store(user, connection).await.unwrap();
    wait_until("the sandbox subscribes", Duration::from_secs(10), async || app.admin_json("/sandbox/__admin/webhooks").await.1["subscription"].is_string())
        .await;
    // Whatever the start-up pass did, the account is not subscribed now.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let ig = issued["ig_id"].as_str().unwrap();
    let token = issued["access_token"].as_str().unwrap();
    let r = app.client.delete(app.url(&format!("/sandbox/v25.0/{ig}/subscribed_apps"))).bearer_auth(token).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let event = json!({ "events": [{ "kind": "comment", "account": "tiny.sprout" }] });
    let out: Value = app.sandbox_admin.post(app.url("/sandbox/__admin/webhooks/events")).json(&event).send().await.unwrap().json().await.unwrap();
    assert_eq!(out["not_subscribed"].as_array().unwrap().len(), 1, "{out}");

    assert_eq!(app.services.connections.resubscribe_webhooks().await.unwrap(), (1, 0));
    let out = produce(&app, event["events"].clone(), false).await;
    assert_eq!(out["not_subscribed"], json!([]));
    assert_eq!(app.services.webhooks.process_pending(10).await.unwrap().items, 1);

    // Connecting through Instagram Login subscribes at once.
    creator(&app, "nordlys.cafe").await;
    let out = produce(&app, json!([{ "kind": "message", "account": "nordlys.cafe" }]), false).await;
    assert_eq!(out["not_subscribed"], json!([]));
}

/// A message is answered in its conversation through the Graph API, within Meta's 24-hour
/// window; after it, the creator is told why not.
#[sqlx::test(migrations = false)]
async fn messages_are_answered_within_the_24_hour_window(pool: PgPool) {
    let app = spawn_app(pool.clone(), &[]).await;
    let (user, ig) = creator(&app, "nordlys.cafe").await;
    produce(&app, json!([{ "kind": "message", "account": "nordlys.cafe", "text": "Table for 8 on Friday?" }]), false).await;
    app.services.webhooks.process_pending(10).await.unwrap();
    let id = app.services.inbox.list(user, Some(InboxKind::Message), "UTC").await.unwrap().items[0].id;

    app.services.inbox.reply(user, id, "Yes! See you at 7.").await.unwrap();
    let (_, sandbox) = app.admin_json("/sandbox/__admin/messages").await;
    let sent: Vec<&Value> = sandbox["messages"].as_array().unwrap().iter().filter(|m| m["from_account"] == true).collect();
    assert_eq!(sent.len(), 1);
    assert_eq!((sent[0]["account"].as_str(), sent[0]["text"].as_str()), (Some(ig.as_str()), Some("Yes! See you at 7.")));
    let person = sandbox["messages"][0]["peer"].clone();
    assert_eq!(sent[0]["peer"], person, "the answer goes to who wrote");
    let inbox = app.services.inbox.list(user, Some(InboxKind::Message), "UTC").await.unwrap();
    assert_eq!(inbox.items.len(), 1, "the answer is not a new conversation");
    assert_eq!(inbox.items[0].replies[0].text.as_deref(), Some("Yes! See you at 7."));
    assert_eq!(inbox.unread.messages, 0);

    // A day and more later, Instagram refuses; the creator reads why.
    app.sandbox_admin.post(app.url("/sandbox/__admin/clock/advance")).json(&json!({ "seconds": 25 * 3_600 })).send().await.unwrap();
    match app.services.inbox.reply(user, id, "Still there?").await {
        Err(crealia_core::Error::Refused(p)) => assert_eq!(p, crealia_model::problem::Problem::MessageWindowClosed, "{p}"),
        other => panic!("expected the 24-hour refusal, got {other:?}"),
    }
    // Hiding or deleting is for comments only.
    assert!(matches!(app.services.inbox.hide(user, id, true).await, Err(crealia_core::Error::NotFound)));
}

/// Replies from others under a comment are read with it (they show under it, nowhere else),
/// and leave with it when it is deleted (Instagram deletes them too).
#[sqlx::test(migrations = false)]
async fn replies_are_read_and_deleted_with_their_comment(pool: PgPool) {
    let app = spawn_app(pool.clone(), &[]).await;
    let (user, _) = creator(&app, "nordlys.cafe").await;
    let first = produce(&app, json!([{ "kind": "comment", "account": "nordlys.cafe", "text": "Open on Sunday?" }]), false).await;
    let parent = first["created"][0].as_str().unwrap().to_string();
    produce(&app, json!([{ "kind": "comment", "account": "nordlys.cafe", "text": "Same question!", "parent_id": parent }]), false).await;
    app.services.webhooks.process_pending(10).await.unwrap();
    let inbox = app.services.inbox.list(user, None, "UTC").await.unwrap();
    assert_eq!((inbox.items.len(), inbox.unread.comments), (1, 2));
    let id = inbox.items[0].id;

    let counts = app.services.inbox.mark_read(user, Some(&[id]), None).await.unwrap();
    assert_eq!(counts.comments, 0, "the reply under it is read too");

    app.services.inbox.delete(user, id).await.unwrap();
    let left: i64 = sqlx::query_scalar("SELECT count(*) FROM inbox_items WHERE deleted_at IS NULL").fetch_one(&pool).await.unwrap();
    assert_eq!(left, 0, "the reply went with its comment");
}

/// Messaging webhooks say only who wrote by a scoped id: Crealia asks the User Profile API for
/// the username, and every message of that person shows it; a lookup that fails leaves
/// "Someone" and is not repeated at once.
#[sqlx::test(migrations = false)]
async fn message_senders_are_named_through_the_user_profile_api(pool: PgPool) {
    let app = spawn_app(pool.clone(), &[]).await;
    let (user, _) = creator(&app, "nordlys.cafe").await;
    produce(
        &app,
        json!([
            { "kind": "message", "account": "nordlys.cafe", "text": "Are you open?", "from_username": "fika.fan" },
            { "kind": "message", "account": "nordlys.cafe", "text": "At 8?", "from_username": "fika.fan" },
            { "kind": "message", "account": "nordlys.cafe", "text": "Hello", "from_username": "kanelbulle" },
        ]),
        false,
    )
    .await;
    app.services.webhooks.process_pending(10).await.unwrap();
    let senders = |items: &[crealia_model::inbox::InboxItem]| {
        let mut v: Vec<(Option<String>, Option<String>)> = items.iter().map(|i| (i.text.clone(), i.from_username.clone())).collect();
        v.sort();
        v
    };
    let before = app.services.inbox.list(user, Some(InboxKind::Message), "UTC").await.unwrap();
    assert!(before.items.iter().all(|i| i.from_username.is_none()), "the payload names nobody");
    let ids: std::collections::BTreeSet<String> =
        sqlx::query_scalar("SELECT from_id FROM inbox_items WHERE from_username IS NULL").fetch_all(&pool).await.unwrap().into_iter().collect();
    assert_eq!(ids.len(), 2, "one scoped id per person, the same for both of fika.fan's messages");

    app.sandbox_admin.delete(app.url("/sandbox/__admin/calls")).send().await.unwrap();
    assert_eq!(app.services.inbox.name_senders(20).await.unwrap(), 2);
    let after = app.services.inbox.list(user, Some(InboxKind::Message), "UTC").await.unwrap();
    assert_eq!(
        senders(&after.items),
        vec![
            (Some("Are you open?".into()), Some("fika.fan".into())),
            (Some("At 8?".into()), Some("fika.fan".into())),
            (Some("Hello".into()), Some("kanelbulle".into())),
        ]
    );
    let (_, calls) = app.admin_json("/sandbox/__admin/calls").await;
    assert_eq!(calls.as_object().unwrap().values().map(|n| n.as_u64().unwrap()).sum::<u64>(), 2, "one lookup per person: {calls}");
    assert_eq!(app.services.inbox.name_senders(20).await.unwrap(), 0, "nobody left to name");

    // A new message from someone already named needs no call.
    produce(&app, json!([{ "kind": "message", "account": "nordlys.cafe", "text": "See you!", "from_username": "fika.fan" }]), false).await;
    app.services.webhooks.process_pending(10).await.unwrap();
    app.sandbox_admin.delete(app.url("/sandbox/__admin/calls")).send().await.unwrap();
    assert_eq!(app.services.inbox.name_senders(20).await.unwrap(), 0);
    let latest = app.services.inbox.list(user, Some(InboxKind::Message), "UTC").await.unwrap();
    let see_you = latest.items.iter().find(|i| i.text.as_deref() == Some("See you!")).unwrap();
    assert_eq!(see_you.from_username.as_deref(), Some("fika.fan"));
    assert_eq!(app.admin_json("/sandbox/__admin/calls").await.1, json!({}), "named from the earlier message");

    // When the Graph API cannot say, the message stays unnamed and is not asked again at once.
    app.sandbox_admin
        .post(app.url("/sandbox/__admin/faults"))
        .json(&json!({ "kind": "graph_error", "code": 2, "endpoint": "GET /{id}" }))
        .send()
        .await
        .unwrap();
    produce(&app, json!([{ "kind": "message", "account": "nordlys.cafe", "text": "Hej", "from_username": "ny.kund" }]), false).await;
    app.services.webhooks.process_pending(10).await.unwrap();
    assert_eq!(app.services.inbox.name_senders(20).await.unwrap(), 0);
    app.sandbox_admin.delete(app.url("/sandbox/__admin/faults")).send().await.unwrap();
    assert_eq!(app.services.inbox.name_senders(20).await.unwrap(), 0, "not asked again within 10 minutes");
    let unnamed: i64 = sqlx::query_scalar("SELECT count(*) FROM inbox_items WHERE from_username IS NULL").fetch_one(&pool).await.unwrap();
    assert_eq!(unnamed, 1);
}

/// A comment shows the post it is on (Instagram's caption and link), read once and kept while
/// strangers keep commenting; a media id that is not a number never reaches a Graph API path.
#[sqlx::test(migrations = false)]
async fn comments_show_their_post_read_once_whatever_comes_next(pool: PgPool) {
    let app = spawn_app(pool.clone(), &[]).await;
    let (user, _) = creator(&app, "nordlys.cafe").await;
    let calls = async || app.admin_json("/sandbox/__admin/calls").await.1["GET /{id}"].as_u64().unwrap_or(0);
    produce(&app, json!([{ "kind": "comment", "account": "nordlys.cafe", "text": "first!" }]), false).await;
    app.services.webhooks.process_pending(100).await.unwrap();
    let before = calls().await;
    let inbox = app.services.inbox.list(user, None, "UTC").await.unwrap();
    let item = inbox.items.iter().find(|i| i.text.as_deref() == Some("first!")).unwrap();
    let post = item.post.clone().expect("the post it is on");
    assert_eq!(calls().await, before + 1, "one read of the post");
    let token = app.services.connections.token(user, app.services.connections.list(user).await.unwrap()[0].id).await.unwrap();
    let (_, media) = graph_get(&app, &format!("{}?fields=caption,permalink", item.media_id.as_deref().unwrap()), token.expose()).await;
    assert_eq!(post.permalink.as_deref(), media["permalink"].as_str());
    assert!(media["caption"].as_str().unwrap().starts_with(post.caption.as_deref().unwrap().trim_end_matches('…')));
    let before = calls().await; // with the test's own read just now

    // More comments on it (each one renews the account's media figures): no second read.
    produce(&app, json!([{ "kind": "comment", "account": "nordlys.cafe", "text": "second" }]), false).await;
    app.services.webhooks.process_pending(100).await.unwrap();
    let again = app.services.inbox.list(user, None, "UTC").await.unwrap();
    assert!(again.items.iter().all(|i| i.post.is_some() || i.media_id.as_deref() != item.media_id.as_deref()));
    let read = calls().await;
    let second = again.items.iter().find(|i| i.text.as_deref() == Some("second")).unwrap();
    let new_posts = u64::from(second.media_id != item.media_id);
    assert_eq!(read, before + new_posts, "only a post not read before is read");

    // A delivery naming its post "../me" is shown without one, and costs no call.
    let body = comment_body(&app.sandbox_account("nordlys.cafe").await, "9001", "odd").to_vec();
    let body = String::from_utf8(body).unwrap().replace("\"1808\"", "\"../me\"");
    assert_eq!(post_delivery(&app, body.as_bytes(), Some(&sign(&app.webhook_secret, body.as_bytes()))).await, 200);
    app.services.webhooks.process_pending(100).await.unwrap();
    let odd = app.services.inbox.list(user, None, "UTC").await.unwrap();
    assert!(odd.items.iter().find(|i| i.text.as_deref() == Some("odd")).unwrap().post.is_none());
    assert_eq!(calls().await, read);
}
