//! The feed preview: an account's posts to come as its grid will show them, and two of them
//! swapped (the preview's drag and drop), both or neither, the creator's own only.

mod common;

use chrono::{Duration, Utc};
use common::spawn_app;
use crealia_core::publishing::{NewPost, PostKind, PostOptions};
use crealia_core::Error;
use sqlx::PgPool;

fn post(connection_id: i64, kind: PostKind, media: i64, hours: i64, options: PostOptions) -> NewPost {
    let caption = if kind == PostKind::Story { String::new() } else { format!("In {hours} h") };
    NewPost {
        connection_id,
        kind,
        caption,
        alt_text: None,
        first_comment: None,
        media_ids: vec![media],
        scheduled_at: Utc::now() + Duration::hours(hours),
        options,
    }
}

#[sqlx::test(migrations = false)]
async fn the_grid_shows_what_will_be_in_it_and_two_posts_swap_their_times(pool: PgPool) {
    let app = spawn_app(pool, &[]).await;
    let ana = common::creator(&app, "ana@example.com", "nordlys.cafe").await;
    let bo = common::creator(&app, "bo@example.com", "lumen.studio").await;
    let jpg = common::stored_media(&app, ana.user, &common::encoded(1080, 1080, image::ImageFormat::Jpeg)).await;
    let tall = common::stored_media(&app, ana.user, &common::encoded(1080, 1920, image::ImageFormat::Jpeg)).await;
    let mp4 = common::stored_media(&app, ana.user, &crealia_core::media::video::sample_mp4(10_000, 1080, 1920)).await;
    let publishing = &app.services.publishing;
    let first = publishing.schedule(ana.user, post(ana.connection, PostKind::Image, jpg, 2, PostOptions::default())).await.unwrap();
    let second = publishing.schedule(ana.user, post(ana.connection, PostKind::Reel, mp4, 5, PostOptions::default())).await.unwrap();
    let off_feed = PostOptions { share_to_feed: Some(false), ..PostOptions::default() };
    publishing.schedule(ana.user, post(ana.connection, PostKind::Reel, mp4, 6, off_feed)).await.unwrap();
    publishing.schedule(ana.user, post(ana.connection, PostKind::Story, tall, 7, PostOptions::default())).await.unwrap();

    let plan = publishing.feed_plan(ana.user, ana.connection).await.unwrap();
    assert_eq!(plan.iter().map(|p| p.id).collect::<Vec<_>>(), [second.id, first.id], "the last to go out first; no story, no reel kept out of the feed");
    assert!(publishing.feed_plan(bo.user, ana.connection).await.unwrap().is_empty(), "another creator sees nothing of Ana's");

    publishing.swap_times(ana.user, first.id, second.id).await.unwrap();
    let (a, b) = (publishing.get(ana.user, first.id).await.unwrap(), publishing.get(ana.user, second.id).await.unwrap());
    assert_eq!((a.scheduled_at, b.scheduled_at), (second.scheduled_at, first.scheduled_at));
    assert_eq!(publishing.feed_plan(ana.user, ana.connection).await.unwrap().iter().map(|p| p.id).collect::<Vec<_>>(), [first.id, second.id]);

    assert!(matches!(publishing.swap_times(bo.user, first.id, second.id).await, Err(Error::NotFound)), "not Bo's to move");
    publishing.cancel(ana.user, first.id).await.unwrap();
    assert!(matches!(publishing.swap_times(ana.user, first.id, second.id).await, Err(Error::Refused(_))), "a cancelled post keeps its time");
    assert_eq!(publishing.get(ana.user, second.id).await.unwrap().scheduled_at, first.scheduled_at, "neither moved");
}
