//! Caption snippets, hashtag groups and saved replies (issue 17): kept per creator under a name,
//! held to the limits of where they go, and a saved reply sent to Instagram with the author's
//! handle filled in.

mod common;

use common::spawn_app;
use crealia_core::Error;
use crealia_model::problem::Problem;
use crealia_model::snippets::{fill_reply, SnippetKind, MAX_PER_KIND};
use serde_json::{json, Value};
use sqlx::PgPool;

fn server_fn_path(name: &str) -> String {
    leptos::server_fn::axum::server_fn_paths().map(|(p, _)| p.to_string()).find(|p| p.contains(name)).unwrap_or_else(|| panic!("{name} is registered"))
}

#[sqlx::test(migrations = false)]
async fn snippets_are_kept_by_name_for_their_creator_only_and_within_limits(pool: PgPool) {
    let app = spawn_app(pool, &[]).await;
    let ana = app.signed_in("ana@example.com").await;
    let bo = app.signed_in("bo@example.com").await;
    let id = |email: &'static str| {
        let app = &app;
        async move { app.services.accounts.sign_in(email, "a long enough password", "127.0.0.1", None).await.unwrap().0.id }
    };
    let (ana_id, bo_id) = (id("ana@example.com").await, id("bo@example.com").await);
    let s = &app.services.snippets;

    let coffee = s.save(ana_id, SnippetKind::Hashtags, " Coffee ", "#fika #coffee").await.unwrap();
    s.save(ana_id, SnippetKind::Caption, "Sign-off", "See you at the bakery!").await.unwrap();
    // The same name again replaces the words.
    let again = s.save(ana_id, SnippetKind::Hashtags, "Coffee", "#fika #coffee #oslo").await.unwrap();
    assert_eq!((again.id, again.name.as_str(), again.body.as_str()), (coffee.id, "Coffee", "#fika #coffee #oslo"));
    let groups = s.list(ana_id, SnippetKind::Hashtags).await.unwrap();
    assert_eq!(groups.len(), 1);
    assert!(s.list(bo_id, SnippetKind::Hashtags).await.unwrap().is_empty(), "Bo sees none of Ana's");
    assert!(matches!(s.delete(bo_id, coffee.id).await, Err(Error::NotFound)), "nor deletes them");

    // Held to where they go.
    assert!(matches!(s.save(ana_id, SnippetKind::Hashtags, "Mixed", "#fika and cake").await, Err(Error::Refused(Problem::NotHashtags))));
    let too_many: String = (0..31).map(|i| format!("#tag{i} ")).collect();
    assert!(matches!(s.save(ana_id, SnippetKind::Hashtags, "All", &too_many).await, Err(Error::Refused(Problem::TextOverLimit { found: 31, .. }))));
    assert!(matches!(s.save(ana_id, SnippetKind::Caption, "", "x").await, Err(Error::Refused(Problem::SnippetName { .. }))));

    // At most MAX_PER_KIND of a kind; replacing one still works at the limit.
    for i in 1..MAX_PER_KIND {
        s.save(ana_id, SnippetKind::Reply, &format!("reply {i:03}"), "Thanks!").await.unwrap();
    }
    s.save(ana_id, SnippetKind::Reply, "one more", "Thanks!").await.unwrap();
    assert!(matches!(s.save(ana_id, SnippetKind::Reply, "too many", "x").await, Err(Error::Refused(Problem::TooManySnippets { .. }))));
    s.save(ana_id, SnippetKind::Reply, "reply 001", "Thanks a lot!").await.unwrap();

    // Through the server functions: the creator's own, JSON in and out; signed out, nothing.
    let call = |name: &'static str, body: Value, cookie: Option<String>| {
        let app = &app;
        async move {
            let mut req = app.client.post(app.url(&server_fn_path(name))).json(&body);
            if let Some(c) = cookie {
                req = req.header("cookie", c);
            }
            let r = req.send().await.unwrap();
            (r.status().as_u16(), r.json::<Value>().await.unwrap_or(Value::Null))
        }
    };
    let (status, listed) = call("list_snippets", json!({ "kind": "caption" }), ana.cookie.clone()).await;
    assert_eq!((status, listed[0]["name"].as_str()), (200, Some("Sign-off")), "{listed}");
    let (status, refused) = call("save_snippet", json!({ "kind": "hashtags", "name": "x", "body": "no tags" }), ana.cookie.clone()).await;
    // Said in both languages for the page; in English as the problem says it.
    assert_eq!((status, refused["Refused"]["en"].as_str()), (422, Some(Problem::NotHashtags.to_string().as_str())), "{refused}");
    assert!(refused["Refused"]["fr"].as_str().is_some_and(|fr| fr.contains("hashtags")), "{refused}");
    assert_eq!(call("list_snippets", json!({ "kind": "caption" }), None).await.0, 401);
    let (status, _) = call("save_snippet", json!({ "kind": "caption", "name": "x", "body": "y" }), bo.cookie.clone()).await;
    assert_eq!(status, 200);
}

#[sqlx::test(migrations = false)]
async fn a_saved_reply_goes_out_with_the_authors_handle(pool: PgPool) {
    let app = spawn_app(pool, &[]).await;
    let ana = common::creator(&app, "ana@example.com", "nordlys.cafe").await;
    let r = app
        .sandbox_admin
        .post(app.url("/sandbox/__admin/webhooks/events"))
        .json(
            &json!({ "events": [{ "kind": "comment", "account": "nordlys.cafe", "text": "Open on Sunday?", "from_username": "green.thumb" }], "batch": false }),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    common::wait_until("the sandbox has delivered its webhook", std::time::Duration::from_secs(10), async || {
        let (_, d) = app.admin_json("/sandbox/__admin/webhooks").await;
        d["deliveries"].as_array().is_some_and(|all| !all.is_empty() && all.iter().all(|d| d["status"] == "delivered"))
    })
    .await;
    app.services.webhooks.process_pending(100).await.unwrap();
    let item = app.services.inbox.list(ana.user, None, "UTC").await.unwrap().items.remove(0);
    let author = item.from_username.clone().expect("the comment names its author");

    let saved = app.services.snippets.save(ana.user, SnippetKind::Reply, "Sunday", "Hi {username}! Yes, 9 to 3 on Sundays ☕").await.unwrap();
    // What the inbox does with a picked reply, then sends.
    let text = fill_reply(&saved.body, item.from_username.as_deref());
    assert_eq!(text, format!("Hi @{author}! Yes, 9 to 3 on Sundays ☕"));
    app.services.inbox.reply(ana.user, item.id, &text).await.unwrap();
    let after = app.services.inbox.list(ana.user, None, "UTC").await.unwrap();
    assert_eq!(after.items[0].replies[0].text.as_deref(), Some(text.as_str()), "the reply is on Instagram and in the inbox");
}
