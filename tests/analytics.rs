//! Analytics against a sandbox account whose answers are known: its followers are online at
//! three fixed hours, its posts do best at those hours and with two hashtags, and one hashtag
//! never works. The suggestions must find exactly those, on the creator's clock.

mod common;

use std::collections::BTreeSet;

use chrono::Utc;
use common::{spawn_app, TestApp};
use serde_json::json;
use sqlx::PgPool;

/// (weekday 0 = Monday, hour UTC) → the same on Tokyo's clock (UTC+9, no summer time).
const BEST_UTC: [(u8, u8); 3] = [(1, 18), (3, 12), (5, 9)];
const BEST_TOKYO: [(u8, u8); 3] = [(2, 3), (3, 21), (5, 18)];

async fn known_account(app: &TestApp, username: &str, followers_online: bool) -> common::Creator {
    let best_hours: Vec<(u8, u8)> = if followers_online { BEST_UTC.to_vec() } else { Vec::new() };
    let r = app
        .sandbox_admin
        .post(app.url("/sandbox/__admin/accounts/known"))
        .json(&json!({
            "username": username,
            "best_hours": best_hours,
            "best_hashtags": ["#sunrise", "#filmgrain"],
            "weak_hashtags": ["#mondayblues"],
            "posts": 60,
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    common::creator(app, &format!("{username}@example.com"), username).await
}

#[sqlx::test(migrations = false)]
async fn the_suggestions_find_the_known_best_hours_and_hashtags_on_the_creators_clock(pool: PgPool) {
    let app = spawn_app(pool, &[]).await;
    let kim = known_account(&app, "known.audience", true).await;
    app.services.accounts.set_time_zone(kim.user, "Asia/Tokyo").await.unwrap();

    let a = app.services.analytics.load(kim.user, Some(kim.connection), Utc::now()).await.unwrap();
    assert_eq!(a.time_zone, "Asia/Tokyo");
    let b = &a.best_times;
    assert!(b.not_enough.is_none(), "{:?}", b.not_enough);
    assert!(b.days_reported >= 20, "about 28 of the last 30 days are reported: {}", b.days_reported);
    let found: BTreeSet<(u8, u8)> = b.suggestions.iter().map(|s| (s.weekday, s.hour)).collect();
    assert_eq!(found, BEST_TOKYO.into_iter().collect(), "{:?}", b.suggestions);
    for s in &b.suggestions {
        // 40 % online there against 3 % elsewhere, and posts at twice the others (the median is
        // between the two).
        assert!(s.online_percent > 35.0 && s.online_percent < 45.0, "{s:?}");
        assert!(s.posts >= 3, "{s:?}");
        assert!(s.lift.is_some_and(|l| l > 1.1), "posts at those hours do better than the median: {s:?}");
        assert!(s.evidence().contains(&format!("from {} posts", s.posts)));
        let (d, h) = (s.weekday as usize, s.hour as usize);
        assert_eq!(b.online_percent[d][h], Some(s.online_percent));
        assert_eq!((b.posts_by_hour[d][h], b.lift_by_hour[d][h]), (s.posts, s.lift), "the posts' map says the same");
    }
    assert!(b.online_percent[0][0].is_some_and(|p| p < 5.0), "an ordinary hour");

    let w = &a.what_works;
    assert_eq!(w.posts, 60);
    let labels = |list: &[crealia_model::analytics::Performance]| list.iter().map(|p| p.label.clone()).collect::<BTreeSet<_>>();
    assert_eq!(labels(&w.suggested_hashtags), ["#filmgrain", "#sunrise"].map(String::from).into_iter().collect());
    assert_eq!(labels(&w.weak_hashtags), ["#mondayblues"].map(String::from).into_iter().collect());
    assert!(w.hashtags.iter().all(|h| h.posts >= 3));
    let lift = |format: &str| w.formats.iter().find(|f| f.label == format).unwrap().lift;
    assert!(lift("REELS") > lift("IMAGE"), "{:?}", w.formats);
    assert_eq!(w.formats.iter().map(|f| f.posts).sum::<u32>(), 60);

    let dimensions: Vec<&str> = a.audience.followers.iter().map(|b| b.dimension.as_str()).collect();
    assert_eq!(dimensions, ["age", "gender", "country", "city"]);
    assert!(a.audience.engaged.iter().all(|b| !b.entries.is_empty() && b.entries.len() <= 45));

    // A second load in the same day reads the cache: no Graph API call.
    app.sandbox_admin.delete(app.url("/sandbox/__admin/calls")).send().await.unwrap();
    let again = app.services.analytics.load(kim.user, Some(kim.connection), Utc::now()).await.unwrap();
    assert_eq!(again, a);
    assert_eq!(app.admin_json("/sandbox/__admin/calls").await.1, json!({}));

    // A comment (anyone on Instagram can write one) replaces the account's media list, not the
    // analytics: they are not read again (100 posts' insights) for it.
    app.services.connections.invalidate_cache(kim.connection, crealia_core::account_cache::Change::Media).await.unwrap();
    let after_comment = app.services.analytics.load(kim.user, Some(kim.connection), Utc::now()).await.unwrap();
    assert_eq!(after_comment, a);
    assert_eq!(app.admin_json("/sandbox/__admin/calls").await.1, json!({}), "a comment costs the analytics no Graph API call");
    // A post published replaces everything: the analytics are read again.
    app.services.connections.invalidate_cache(kim.connection, crealia_core::account_cache::Change::Everything).await.unwrap();
    app.services.analytics.load(kim.user, Some(kim.connection), Utc::now()).await.unwrap();
    assert!(app.admin_json("/sandbox/__admin/calls").await.1["GET /{id}/insights"].as_u64().unwrap() >= 60);
}

#[sqlx::test(migrations = false)]
async fn no_time_is_suggested_without_its_evidence(pool: PgPool) {
    let app = spawn_app(pool, &[]).await;
    // tiny.sprout has 64 followers: Instagram reports neither online followers nor demographics.
    let tiny = common::creator(&app, "tiny@example.com", "tiny.sprout").await;
    let a = app.services.analytics.load(tiny.user, None, Utc::now()).await.unwrap();
    assert!(a.best_times.suggestions.is_empty());
    let why = a.best_times.not_enough.as_ref().unwrap();
    assert_eq!(why.message(), "Instagram shows these figures from 100 followers on; the account has 64.");
    assert!(a.audience.followers.is_empty() && a.audience.not_enough.is_some());
    // Five posts: too few to compare.
    assert!(a.what_works.not_enough.is_some() && a.what_works.suggested_hashtags.is_empty());
}

#[sqlx::test(migrations = false)]
async fn the_insights_route_carries_the_analytics_when_asked(pool: PgPool) {
    let app = spawn_app(pool, &[]).await;
    let kim = known_account(&app, "known.json", true).await;
    let get = |query: &'static str| {
        let req = app.client.get(app.url(&format!("/api/instagram/insights?{query}"))).header("cookie", kim.browser.cookie.clone().unwrap());
        async move {
            let r = req.send().await.unwrap();
            (r.status().as_u16(), r.json::<serde_json::Value>().await.unwrap())
        }
    };
    let (status, plain) = get("days=7").await;
    assert_eq!(status, 200);
    assert!(plain.get("analytics").is_none(), "only when asked: it reads up to 100 posts");
    let (status, with) = get("days=7&include=analytics").await;
    assert_eq!(status, 200, "{with}");
    assert_eq!(with["insights"], plain["insights"]);
    assert_eq!(with["analytics"]["best_times"]["suggestions"].as_array().unwrap().len(), 3);
    assert_eq!(with["analytics"]["best_times"]["online_percent"].as_array().unwrap().len(), 7);
    assert!(with["analytics"]["what_works"]["suggested_hashtags"][0]["posts"].as_u64().unwrap() >= 3);
    let (status, wrong) = get("days=7&include=everything").await;
    assert_eq!(status, 400, "{wrong}");
}

#[sqlx::test(migrations = false)]
async fn me_works_on_every_edge_and_insights_default_to_the_last_reported_day(pool: PgPool) {
    let app = spawn_app(pool, &[]).await;
    let ana = common::creator(&app, "ana@example.com", "lumen.studio").await;
    let token = app.services.connections.token(ana.user, ana.connection).await.unwrap();
    let graph = |path: &str| {
        let req = app.client.get(app.url(&format!("/sandbox/v25.0/{path}"))).bearer_auth(token.expose());
        async move {
            let r = req.send().await.unwrap();
            (r.status().as_u16(), r.json::<serde_json::Value>().await.unwrap())
        }
    };
    let ig_id = app.sandbox_account("lumen.studio").await;
    let (status, mine) = graph("me/media?fields=id,timestamp&limit=3").await;
    assert_eq!(status, 200, "{mine}");
    assert_eq!(mine["data"], graph(&format!("{ig_id}/media?fields=id,timestamp&limit=3")).await.1["data"]);
    // Without since and until: the last day Instagram has reported, with its value.
    let (status, reach) = graph("me/insights?metric=reach&period=day").await;
    assert_eq!(status, 200, "{reach}");
    assert_eq!(reach["data"][0]["values"].as_array().unwrap().len(), 1, "{reach}");
    let (_, online) = graph("me/insights?metric=online_followers&period=lifetime").await;
    let day = &online["data"][0]["values"][0]["value"];
    assert_eq!(day.as_object().unwrap().len(), 24, "{online}");
}
