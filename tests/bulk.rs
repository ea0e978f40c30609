//! Bulk scheduling: a CSV of 100 posts and the files it names. Its bad lines are reported with
//! their numbers and nothing is kept until the file is clean; then all of it is queued at once,
//! on the creator's wall clock, and another creator's files cannot be named.

mod common;

use chrono::{Duration, Utc};
use common::spawn_app;
use crealia_core::publishing::bulk::BulkFile;
use crealia_core::publishing::PostStatus;
use crealia_core::Error;
use crealia_model::problem::Problem;
use sqlx::PgPool;

async fn count(pool: &PgPool) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM scheduled_posts").fetch_one(pool).await.unwrap()
}

#[sqlx::test(migrations = false)]
async fn a_file_of_100_posts_with_3_bad_lines_is_reported_then_scheduled_once_corrected(pool: PgPool) {
    let app = spawn_app(pool.clone(), &[]).await;
    let ana = common::creator(&app, "ana@example.com", "nordlys.cafe").await;
    let bo = common::creator(&app, "bo@example.com", "lumen.studio").await;
    let jpg = common::stored_media(&app, ana.user, &common::encoded(1080, 1080, image::ImageFormat::Jpeg)).await;
    let tall = common::stored_media(&app, ana.user, &common::encoded(1080, 1920, image::ImageFormat::Jpeg)).await;
    let bos = common::stored_media(&app, bo.user, &common::encoded(1080, 1080, image::ImageFormat::Jpeg)).await;
    let files = vec![
        BulkFile { name: "bun.jpg".into(), media_id: jpg },
        BulkFile { name: "tall.jpg".into(), media_id: tall },
        BulkFile { name: "not-mine.jpg".into(), media_id: bos },
    ];
    let day = (Utc::now() + Duration::days(3)).date_naive();
    let line = |i: usize| format!("{day},{:02}:{:02},\"Bun number {i}, warm #fika\",bun.jpg\n", 8 + i / 12, (i % 12) * 5);
    let mut lines: Vec<String> = (0..100).map(line).collect();
    // Lines 12, 51 and 90 of the file (the column names are line 1).
    lines[10] = format!("{day},25:00,Late,bun.jpg\n");
    lines[49] = format!("{day},10:00,Too tall for the feed,tall.jpg\n");
    lines[88] = format!("{day},11:00,Someone else's,not-mine.jpg\n");
    let csv = format!("date,time,caption,media\n{}", lines.concat());
    let zone = "Europe/Stockholm";

    let check = app.services.publishing.check_bulk(ana.user, &[ana.connection], &csv, &files, zone).await.unwrap();
    assert_eq!(check.posts.len(), 97);
    let refused: Vec<(u32, &Problem)> = check.refused.iter().map(|r| (r.line, &r.problem)).collect();
    assert_eq!(refused.iter().map(|r| r.0).collect::<Vec<_>>(), [12, 51, 90], "{refused:?}");
    assert_eq!(refused[0].1, &Problem::BulkTime { value: "25:00".into() });
    assert!(matches!(refused[1].1, Problem::ImageShape { .. }), "{:?}", refused[1].1);
    assert_eq!(refused[2].1, &Problem::BulkFileUnknown { name: "not-mine.jpg".into() });
    assert_eq!((check.posts[0].line, check.posts[0].date.as_str(), check.posts[0].time.as_str()), (2, day.to_string().as_str(), "08:00"));
    assert_eq!(count(&pool).await, 0, "a check keeps nothing");

    let refusal = app.services.publishing.schedule_bulk(ana.user, &[ana.connection], &csv, &files, zone).await;
    assert!(matches!(refusal, Err(Error::Refused(Problem::BulkRefused { lines: 3 }))), "{refusal:?}");
    assert_eq!(count(&pool).await, 0, "a file with refused lines schedules nothing");

    lines[10] = line(10);
    lines[49] = line(49);
    lines[88] = line(88);
    let csv = format!("date,time,caption,media\n{}", lines.concat());
    assert_eq!(app.services.publishing.schedule_bulk(ana.user, &[ana.connection], &csv, &files, zone).await.unwrap(), 100);
    let posts = app.services.publishing.list(ana.user).await.unwrap();
    assert_eq!(posts.len(), 100);
    assert!(posts.iter().all(|p| p.status == PostStatus::Pending && p.caption.starts_with("Bun number")));
    let first = posts.iter().find(|p| p.caption == "Bun number 0, warm #fika").unwrap();
    let expected = crealia_core::time_zones::local_time(day, chrono::NaiveTime::from_hms_opt(8, 0, 0).unwrap(), zone).unwrap();
    assert_eq!(first.scheduled_at, expected, "on the creator's wall clock");

    // Bo cannot queue onto Ana's account, nor Ana onto Bo's.
    let other = app.services.publishing.schedule_bulk(bo.user, &[ana.connection], &csv, &files, zone).await;
    assert!(matches!(other, Err(Error::NotFound)), "{other:?}");
}

/// What one creator can make Crealia do: a repeated account counts once, posts to come stop at
/// `MAX_PENDING`, files checked and place searches are counted per minute.
#[sqlx::test(migrations = false)]
async fn repeated_accounts_count_once_and_a_creator_s_queue_and_checks_are_bounded(pool: PgPool) {
    use crealia_core::publishing::MAX_PENDING;
    let app = spawn_app(pool.clone(), &[]).await;
    let ana = common::creator(&app, "ana@example.com", "nordlys.cafe").await;
    let jpg = common::stored_media(&app, ana.user, &common::encoded(1080, 1080, image::ImageFormat::Jpeg)).await;
    let files = vec![BulkFile { name: "bun.jpg".into(), media_id: jpg }];
    let day = (Utc::now() + Duration::days(3)).date_naive();
    let csv = format!("date,time,caption,media\n{day},09:00,One,bun.jpg\n{day},10:00,Two,bun.jpg\n");
    let thrice = [ana.connection; 3];
    assert_eq!(app.services.publishing.schedule_bulk(ana.user, &thrice, &csv, &files, "UTC").await.unwrap(), 2, "one post per line, not three");
    assert_eq!(count(&pool).await, 2);

    // Filled up to one short of the limit: a file of two lines is refused, whole.
    sqlx::query(
        "INSERT INTO scheduled_posts (user_id, connection_id, kind, caption, media_urls, status, scheduled_at, next_attempt_at)
         SELECT $1, $2, 'image', 'filler', '{}', 'PENDING', now() + interval '30 days', now() + interval '30 days' FROM generate_series(1, $3)",
    )
    .bind(ana.user)
    .bind(ana.connection)
    .bind((MAX_PENDING - 3) as i32)
    .execute(&pool)
    .await
    .unwrap();
    let refused = app.services.publishing.schedule_bulk(ana.user, &[ana.connection], &csv, &files, "UTC").await;
    assert!(matches!(refused, Err(Error::Refused(Problem::TooManyPending { max: MAX_PENDING }))), "{refused:?}");
    assert_eq!(count(&pool).await as usize, MAX_PENDING - 1, "nothing of it kept");

    // Files checked a minute: 20 (this test has spent 2).
    for _ in 0..18 {
        app.services.publishing.check_bulk(ana.user, &[ana.connection], &csv, &files, "UTC").await.unwrap();
    }
    let throttled = app.services.publishing.check_bulk(ana.user, &[ana.connection], &csv, &files, "UTC").await;
    assert!(matches!(throttled, Err(Error::Throttled { .. })), "{throttled:?}");
    // Place searches a minute: 30.
    for _ in 0..30 {
        app.services.publishing.search_places(ana.user, ana.connection, "flore").await.unwrap();
    }
    let throttled = app.services.publishing.search_places(ana.user, ana.connection, "flore").await;
    assert!(matches!(throttled, Err(Error::Throttled { .. })), "{throttled:?}");
}
