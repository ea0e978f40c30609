//! Instagram's other publishing parameters, end to end against the in-process sandbox:
//! collaborators, people tagged on a carousel's images, a place found by name, a reel's cover
//! frame, cover image, sound, feed and trial; each checked by Crealia before anything is kept
//! (with Meta's rules, the copy the sandbox enforces), kept on drafts, sent through the JSON API.

mod common;

use chrono::{Duration, Utc};
use common::{spawn_app, TestApp};
use crealia_core::publishing::{NewPost, PostKind, PostOptions, PostStatus};
use crealia_core::Error;
use crealia_graph::rules::{Param, ParamProblem, TrialGraduation};
use crealia_model::problem::Problem;
use crealia_model::publishing::{PersonTag, Place};
use serde_json::{json, Value};
use sqlx::PgPool;

/// The creator's uploads: a square JPEG, a 9:16 JPEG (a cover) and a 10-second MP4.
async fn media(app: &TestApp, user: i64) -> (i64, i64, i64) {
    let jpg = common::stored_media(app, user, &common::encoded(1080, 1080, image::ImageFormat::Jpeg)).await;
    let tall = common::stored_media(app, user, &common::encoded(540, 960, image::ImageFormat::Jpeg)).await;
    let mp4 = common::stored_media(app, user, &crealia_core::media::video::sample_mp4(10_000, 1080, 1920)).await;
    (jpg, tall, mp4)
}

fn post(connection_id: i64, kind: PostKind, media_ids: Vec<i64>, options: PostOptions) -> NewPost {
    NewPost { connection_id, kind, caption: "Fika time".into(), alt_text: None, first_comment: None, media_ids, scheduled_at: Utc::now(), options }
}

fn tag(item: u8, username: &str, x: u16, y: u16) -> PersonTag {
    PersonTag { item, username: username.into(), x, y }
}

/// Runs the scheduler until the post is published (a reel waits for the sandbox's processing).
async fn published(app: &TestApp, user: i64, id: i64) -> String {
    app.services.publishing.run_due(Utc::now(), 50).await.unwrap();
    app.sandbox_admin(reqwest::Method::POST, "/clock/advance", json!({ "seconds": 31 })).await;
    app.services.publishing.run_due(Utc::now() + Duration::seconds(6), 50).await.unwrap();
    let post = app.services.publishing.get(user, id).await.unwrap();
    assert_eq!(post.status, PostStatus::Published, "{post:?}");
    post.media_id.expect("the media id")
}

/// What the sandbox holds for a published media: its extras and its items'.
async fn sandbox_media(app: &TestApp, media_id: &str) -> Value {
    let (status, media) = app.admin_json(&format!("/sandbox/__admin/media/{media_id}")).await;
    assert_eq!(status, 200, "{media}");
    media
}

fn refused(result: Result<impl std::fmt::Debug, Error>) -> Problem {
    match result {
        Err(Error::Refused(problem)) => problem,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

#[sqlx::test(migrations = false)]
async fn a_reel_goes_out_with_its_cover_frame_sound_trial_and_a_place_found_by_name(pool: PgPool) {
    let app = spawn_app(pool, &[]).await;
    let ana = common::creator(&app, "ana@example.com", "nordlys.cafe").await;
    let (_, _, mp4) = media(&app, ana.user).await;
    let places = app.services.publishing.search_places(ana.user, ana.connection, "  flore ").await.unwrap();
    assert_eq!(places, vec![Place { id: "110774245616525".into(), name: "Café de Flore, Paris".into() }]);
    assert!(app.services.publishing.search_places(ana.user, ana.connection, "x").await.unwrap().is_empty(), "one letter asks nothing");
    // An app without the Pages search: the creator is told to type the id.
    app.sandbox_admin(reqwest::Method::POST, "/faults", json!({ "kind": "graph_error", "code": 10, "endpoint": "/pages/search", "times": 1 })).await;
    let refused = app.services.publishing.search_places(ana.user, ana.connection, "flore").await;
    assert!(matches!(refused, Err(Error::Refused(Problem::PlaceSearchUnavailable))), "{refused:?}");

    let options = PostOptions {
        place: places.into_iter().next(),
        share_to_feed: Some(false),
        thumb_offset_ms: Some(4_500),
        audio_name: Some("  Morning fika ".into()),
        trial: Some(TrialGraduation::Manual),
        collaborators: vec!["@lumen.studio".into()],
        ..PostOptions::default()
    };
    let reel = app.services.publishing.schedule(ana.user, post(ana.connection, PostKind::Reel, vec![mp4], options)).await.unwrap();
    assert_eq!(reel.options.audio_name.as_deref(), Some("Morning fika"), "kept tidy");
    assert_eq!(reel.options.collaborators, vec!["lumen.studio".to_string()]);
    let media_id = published(&app, ana.user, reel.id).await;
    assert_eq!(
        sandbox_media(&app, &media_id).await["extras"],
        json!({
            "collaborators": ["lumen.studio"],
            "location_id": "110774245616525",
            "share_to_feed": false,
            "thumb_offset": 4500,
            "audio_name": "Morning fika",
            "trial_params": "MANUAL",
        })
    );
}

#[sqlx::test(migrations = false)]
async fn a_reel_s_cover_is_one_of_the_creator_s_images_never_a_url_they_send(pool: PgPool) {
    let app = spawn_app(pool, &[]).await;
    let ana = common::creator(&app, "ana@example.com", "nordlys.cafe").await;
    let bo = common::creator(&app, "bo@example.com", "lumen.studio").await;
    let (_, tall, mp4) = media(&app, ana.user).await;
    let (bo_jpg, _, _) = media(&app, bo.user).await;

    let with_cover =
        |cover: i64| PostOptions { cover_media_id: Some(cover), cover_url: Some("http://169.254.169.254/latest".into()), ..PostOptions::default() };
    let refusal = refused(app.services.publishing.schedule(ana.user, post(ana.connection, PostKind::Reel, vec![mp4], with_cover(mp4))).await);
    assert_eq!(refusal, Problem::CoverNotImage);
    let other = app.services.publishing.schedule(ana.user, post(ana.connection, PostKind::Reel, vec![mp4], with_cover(bo_jpg))).await;
    assert!(matches!(other, Err(Error::NotFound)), "another creator's image is not there: {other:?}");

    let reel = app.services.publishing.schedule(ana.user, post(ana.connection, PostKind::Reel, vec![mp4], with_cover(tall))).await.unwrap();
    let cover_url = app.services.media.get(ana.user, tall).await.unwrap().url;
    assert_eq!(reel.options.cover_url.as_deref(), Some(cover_url.as_str()), "the URL sent was replaced by the upload's own");
    let media_id = published(&app, ana.user, reel.id).await;
    assert_eq!(sandbox_media(&app, &media_id).await["extras"]["cover_url"], json!(cover_url));
}

#[sqlx::test(migrations = false)]
async fn a_carousel_goes_out_with_people_tagged_on_its_images_and_its_collaborators(pool: PgPool) {
    let app = spawn_app(pool, &[]).await;
    let ana = common::creator(&app, "ana@example.com", "nordlys.cafe").await;
    let (jpg, _, mp4) = media(&app, ana.user).await;
    let options = PostOptions {
        collaborators: vec!["lumen.studio".into(), "bo_bakes".into(), "cy.eats".into()],
        tags: vec![tag(0, "@bo_bakes", 250, 700), tag(0, "cy.eats", 800, 100), tag(1, "lumen.studio", 500, 500)],
        ..PostOptions::default()
    };
    let carousel = app.services.publishing.schedule(ana.user, post(ana.connection, PostKind::Carousel, vec![jpg, jpg, mp4], options)).await.unwrap();
    let media_id = published(&app, ana.user, carousel.id).await;
    let media = sandbox_media(&app, &media_id).await;
    assert_eq!(media["extras"], json!({ "collaborators": ["lumen.studio", "bo_bakes", "cy.eats"] }));
    let items: Vec<&Value> = media["children"].as_array().unwrap().iter().map(|c| &c["extras"]).collect();
    assert_eq!(
        items,
        [
            &json!({ "user_tags": [{ "username": "bo_bakes", "x": 0.25, "y": 0.7 }, { "username": "cy.eats", "x": 0.8, "y": 0.1 }] }),
            &json!({ "user_tags": [{ "username": "lumen.studio", "x": 0.5, "y": 0.5 }] }),
            &json!({}),
        ]
    );
}

#[sqlx::test(migrations = false)]
async fn what_meta_would_refuse_in_the_options_is_refused_before_anything_is_kept(pool: PgPool) {
    let app = spawn_app(pool.clone(), &[]).await;
    let ana = common::creator(&app, "ana@example.com", "nordlys.cafe").await;
    let (jpg, _, mp4) = media(&app, ana.user).await;
    let schedule = |kind, files: Vec<i64>, options| app.services.publishing.schedule(ana.user, post(ana.connection, kind, files, options));

    let four = PostOptions { collaborators: ["a", "b", "c", "d"].map(String::from).to_vec(), ..PostOptions::default() };
    assert_eq!(refused(schedule(PostKind::Image, vec![jpg], four).await), Problem::Param(ParamProblem::TooManyCollaborators { found: 4 }));
    let named = PostOptions { collaborators: vec!["not a name".into()], ..PostOptions::default() };
    assert_eq!(refused(schedule(PostKind::Image, vec![jpg], named).await), Problem::Param(ParamProblem::Username { name: "not a name".into() }));
    let story = PostOptions { collaborators: vec!["lumen.studio".into()], ..PostOptions::default() };
    let mut story_post = post(ana.connection, PostKind::Story, vec![jpg], story);
    story_post.caption.clear();
    assert_eq!(refused(app.services.publishing.schedule(ana.user, story_post).await), Problem::Param(ParamProblem::NotForKind { param: Param::Collaborators }));
    let frame = PostOptions { thumb_offset_ms: Some(10_001), ..PostOptions::default() };
    assert_eq!(refused(schedule(PostKind::Reel, vec![mp4], frame).await), Problem::Param(ParamProblem::ThumbOffset { offset_ms: 10_001, length_ms: 10_000 }));
    let feed = PostOptions { share_to_feed: Some(false), ..PostOptions::default() };
    assert_eq!(refused(schedule(PostKind::Image, vec![jpg], feed).await), Problem::Param(ParamProblem::NotForKind { param: Param::ShareToFeed }));
    let on_video = PostOptions { tags: vec![tag(1, "bo_bakes", 500, 500)], ..PostOptions::default() };
    assert_eq!(refused(schedule(PostKind::Carousel, vec![jpg, mp4], on_video).await), Problem::Param(ParamProblem::NotForKind { param: Param::UserTags }));
    let outside = PostOptions { tags: vec![tag(0, "bo_bakes", 1_001, 500)], ..PostOptions::default() };
    assert_eq!(refused(schedule(PostKind::Image, vec![jpg], outside).await), Problem::Param(ParamProblem::TagOutside));
    let missing_file = PostOptions { tags: vec![tag(3, "bo_bakes", 500, 500)], ..PostOptions::default() };
    assert_eq!(refused(schedule(PostKind::Image, vec![jpg], missing_file).await), Problem::Param(ParamProblem::TagOutside));
    let crowd = PostOptions { tags: (0..21).map(|i| tag(0, &format!("u{i}"), 500, 500)).collect(), ..PostOptions::default() };
    assert_eq!(refused(schedule(PostKind::Image, vec![jpg], crowd).await), Problem::Param(ParamProblem::TooManyTags { found: 21 }));
    let place = PostOptions { place: Some(Place { id: "café".into(), name: String::new() }), ..PostOptions::default() };
    assert_eq!(refused(schedule(PostKind::Image, vec![jpg], place).await), Problem::Param(ParamProblem::LocationId));
    let sound = PostOptions { audio_name: Some("a".repeat(101)), ..PostOptions::default() };
    assert_eq!(refused(schedule(PostKind::Reel, vec![mp4], sound).await), Problem::Param(ParamProblem::AudioName { found: 101 }));

    let kept: i64 = sqlx::query_scalar("SELECT count(*) FROM scheduled_posts").fetch_one(&pool).await.unwrap();
    assert_eq!(kept, 0, "nothing refused was kept");
}

#[sqlx::test(migrations = false)]
async fn a_draft_keeps_its_options_and_is_held_to_the_video_s_length_when_scheduled(pool: PgPool) {
    let app = spawn_app(pool, &[]).await;
    let ana = common::creator(&app, "ana@example.com", "nordlys.cafe").await;
    let (_, _, mp4) = media(&app, ana.user).await;
    let options = PostOptions { thumb_offset_ms: Some(12_000), audio_name: Some("Fika".into()), ..PostOptions::default() };
    let draft =
        app.services.publishing.save_drafts(ana.user, &[ana.connection], post(ana.connection, PostKind::Reel, vec![mp4], options)).await.unwrap().remove(0);
    assert_eq!(draft.options.thumb_offset_ms, Some(12_000), "a draft's video length is not checked yet");
    let copy = app.services.publishing.duplicate(ana.user, draft.id).await.unwrap();
    assert_eq!(copy.options, draft.options, "a duplicate has the same options");

    let at = Utc::now() + Duration::hours(2);
    assert_eq!(
        refused(app.services.publishing.schedule_draft(ana.user, draft.id, at).await),
        Problem::Param(ParamProblem::ThumbOffset { offset_ms: 12_000, length_ms: 10_000 })
    );
    let edit = crealia_core::publishing::PostEdit {
        options: Some(PostOptions { thumb_offset_ms: Some(9_000), ..draft.options.clone() }),
        scheduled_at: Some(at),
        ..Default::default()
    };
    let scheduled = app.services.publishing.edit(ana.user, draft.id, edit).await.unwrap();
    assert_eq!((scheduled.status, scheduled.options.thumb_offset_ms), (PostStatus::Pending, Some(9_000)));
}

#[sqlx::test(migrations = false)]
async fn the_json_api_takes_the_options_and_says_what_it_refuses(pool: PgPool) {
    let app = spawn_app(pool, &[]).await;
    let ana = common::creator(&app, "ana@example.com", "nordlys.cafe").await;
    let (jpg, _, _) = media(&app, ana.user).await;
    let origin = app.url("");
    let send = async |options: Value| {
        let at = (Utc::now() + Duration::hours(2)).to_rfc3339();
        let body = json!({ "connection_id": ana.connection, "kind": "image", "media_ids": [jpg], "scheduled_at": at, "options": options });
        let r = app
            .client
            .post(app.url("/api/instagram/schedule"))
            .header("cookie", ana.browser.cookie.clone().unwrap())
            .header("origin", origin.trim_end_matches('/'))
            .json(&body)
            .send()
            .await
            .unwrap();
        (r.status().as_u16(), r.json::<Value>().await.unwrap())
    };
    let (status, body) = send(json!({ "collaborators": ["lumen.studio"], "tags": [{ "username": "bo_bakes", "x": 300, "y": 600 }] })).await;
    assert_eq!(status, 202, "{body}");
    assert_eq!(body["options"]["tags"], json!([{ "item": 0, "username": "bo_bakes", "x": 300, "y": 600 }]));
    let (status, body) = send(json!({ "share_to_feed": true })).await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["problem"], json!({ "code": "param", "rule": "not_for_kind", "param": "share_to_feed" }));
    assert_eq!(body["error"], "Sharing to the feed can only be added to reels.");
}
