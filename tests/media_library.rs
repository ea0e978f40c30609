//! The media library: a creator's uploads with where they are used and their storage; an
//! upload no post uses is deleted with its file, one in use is kept (a reel's cover too, by
//! the creator and by the nightly clean-up), another creator's is not there.

mod common;

use chrono::{Duration, Utc};
use common::spawn_app;
use crealia_core::publishing::{NewPost, PostKind, PostOptions};
use crealia_core::Error;
use crealia_model::problem::Problem;
use sqlx::PgPool;

#[sqlx::test(migrations = false)]
async fn uploads_are_listed_with_their_uses_and_only_unused_ones_are_deleted(pool: PgPool) {
    let app = spawn_app(pool.clone(), &[]).await;
    let ana = common::creator(&app, "ana@example.com", "nordlys.cafe").await;
    let bo = common::creator(&app, "bo@example.com", "lumen.studio").await;
    let used = common::stored_media(&app, ana.user, &common::encoded(1080, 1080, image::ImageFormat::Jpeg)).await;
    let cover = common::stored_media(&app, ana.user, &common::encoded(540, 960, image::ImageFormat::Jpeg)).await;
    let spare = common::stored_media(&app, ana.user, &common::encoded(1080, 1350, image::ImageFormat::Jpeg)).await;
    let mp4 = common::stored_media(&app, ana.user, &crealia_core::media::video::sample_mp4(10_000, 1080, 1920)).await;
    let at = Utc::now() + Duration::hours(3);
    let post = |kind, media_ids, options| NewPost {
        connection_id: ana.connection,
        kind,
        caption: "Fika".into(),
        alt_text: None,
        first_comment: None,
        media_ids,
        scheduled_at: at,
        options,
    };
    app.services.publishing.schedule(ana.user, post(PostKind::Image, vec![used], PostOptions::default())).await.unwrap();
    let with_cover = PostOptions { cover_media_id: Some(cover), ..PostOptions::default() };
    app.services.publishing.schedule(ana.user, post(PostKind::Reel, vec![mp4], with_cover)).await.unwrap();

    let library = app.services.media.library(ana.user).await.unwrap();
    let uses: Vec<(i64, u32)> = library.items.iter().map(|i| (i.asset.id, i.used_in)).collect();
    assert_eq!(uses, [(mp4, 1), (spare, 0), (cover, 1), (used, 1)], "newest first, a cover counted as a use");
    assert_eq!(library.used_bytes, library.items.iter().map(|i| i.asset.bytes).sum::<u64>());
    assert_eq!(library.items[0].asset.duration_ms, Some(10_000));
    assert!(app.services.media.library(bo.user).await.unwrap().items.is_empty(), "Bo sees none of Ana's");

    for in_use in [used, cover] {
        let refused = app.services.media.delete_unused(ana.user, in_use).await;
        assert!(matches!(refused, Err(Error::Refused(Problem::MediaInUse { posts: 1 }))), "{refused:?}");
    }
    assert!(matches!(app.services.media.delete_unused(bo.user, spare).await, Err(Error::NotFound)), "not Bo's to delete");

    let url = app.services.media.get(ana.user, spare).await.unwrap().url;
    assert_eq!(app.client.get(&url).send().await.unwrap().status().as_u16(), 200);
    app.services.media.delete_unused(ana.user, spare).await.unwrap();
    assert_eq!(app.client.get(&url).send().await.unwrap().status().as_u16(), 404, "its file went with it");
    assert_eq!(app.services.media.library(ana.user).await.unwrap().items.len(), 3);

    // Weeks later, the clean-up of unused uploads keeps the files posts use, covers included.
    sqlx::query("UPDATE media_assets SET created_at = now() - interval '60 days'").execute(&pool).await.unwrap();
    app.services.media.cleanup(Utc::now()).await.unwrap();
    let kept: Vec<i64> = app.services.media.library(ana.user).await.unwrap().items.iter().map(|i| i.asset.id).collect();
    assert_eq!(kept, [mp4, cover, used]);
}
