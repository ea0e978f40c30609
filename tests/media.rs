//! Media uploads: PNG and WebP become JPEG at an unguessable public URL that the sandbox fetches;
//! what Meta would refuse is said before anything reaches the Graph API; images out of shape are
//! padded or cropped; uploads are the signed-in creator's own and have a limit.

mod common;

use chrono::Utc;
use common::{connect, encoded, spawn_app, Browser, TestApp};
use crealia_core::publishing::PostStatus;
use image::ImageFormat;
use serde_json::{json, Value};
use sqlx::PgPool;

/// A valid JPEG padded past 8 MB with colour-profile (APP2 ICC) segments, which Crealia keeps
/// (it strips only metadata).
fn jpeg_over_8_mb() -> Vec<u8> {
    let small = encoded(64, 64, ImageFormat::Jpeg);
    let mut out = small[..2].to_vec();
    let mut segment = b"ICC_PROFILE\0\x01\x01".to_vec();
    segment.resize(65_000, 0);
    while out.len() < 9 * 1024 * 1024 {
        out.extend_from_slice(&[0xFF, 0xE2]);
        out.extend_from_slice(&(65_002u16).to_be_bytes());
        out.extend_from_slice(&segment);
    }
    out.extend_from_slice(&small[2..]);
    out
}

async fn creator(app: &TestApp) -> (Browser, i64, i64) {
    let c = common::creator(app, "ana@example.com", "nordlys.cafe").await;
    (c.browser, c.user, c.connection)
}

async fn publish(app: &TestApp, browser: &Browser, body: Value) -> (u16, Value) {
    let r = app.client.post(app.url("/api/instagram/publish")).header("cookie", browser.cookie.clone().unwrap()).json(&body).send().await.unwrap();
    (r.status().as_u16(), r.json().await.unwrap())
}

#[sqlx::test(migrations = false)]
async fn png_and_webp_become_jpeg_at_an_unguessable_public_url_that_instagram_fetches(pool: PgPool) {
    let app = spawn_app(pool, &[]).await;
    let (browser, user, cid) = creator(&app).await;
    for (format, mime, name) in [(ImageFormat::Png, "image/png", "png"), (ImageFormat::WebP, "image/webp", "webp")] {
        let (status, asset) = app.upload(&browser, encoded(1080, 1350, format), mime).await;
        assert_eq!(status, 201, "{asset}");
        assert_eq!(asset["converted_from"], name);
        assert_eq!((asset["width"].as_u64(), asset["height"].as_u64()), (Some(1080), Some(1350)));
        let url = asset["url"].as_str().unwrap().to_string();
        let file = url.strip_prefix(&app.url("/media/")).expect("served under PUBLIC_BASE_URL/media/");
        assert!(file.len() == 36 && file.ends_with(".jpg") && file[..32].chars().all(|c| c.is_ascii_hexdigit()), "{file}");
        let served = reqwest::get(&url).await.unwrap();
        assert_eq!(served.status().as_u16(), 200);
        assert!(served.bytes().await.unwrap().starts_with(&[0xFF, 0xD8, 0xFF]), "a JPEG");

        // The sandbox takes JPEG only, fetching the file itself.
        let (status, post) =
            publish(&app, &browser, json!({ "connection_id": cid, "kind": "image", "caption": "From a PNG", "media_ids": [asset["id"]] })).await;
        assert_eq!(status, 202, "{post}");
        app.services.publishing.run_due(Utc::now(), 10).await.unwrap();
        let done = app.services.publishing.get(user, post["id"].as_i64().unwrap()).await.unwrap();
        assert_eq!(done.status, PostStatus::Published, "{done:?}");
    }
    let (status, _) = app.upload(&browser, b"%PDF-1.7 not media".to_vec(), "application/pdf").await;
    assert_eq!(status, 422);
}

#[sqlx::test(migrations = false)]
async fn an_image_out_of_shape_is_refused_until_padded_or_cropped(pool: PgPool) {
    let app = spawn_app(pool, &[]).await;
    let (browser, user, cid) = creator(&app).await;
    let (_, tall) = app.upload(&browser, encoded(1080, 1920, ImageFormat::Jpeg), "image/jpeg").await;
    assert!(tall["problem"].as_str().unwrap().contains("Pad or crop"), "{tall}");
    let (status, err) = publish(&app, &browser, json!({ "connection_id": cid, "kind": "image", "media_ids": [tall["id"]] })).await;
    assert_eq!(status, 422);
    assert!(err["error"].as_str().unwrap().contains("between 4:5 and 1.91:1"), "{err}");
    // A story has no such rule.
    let (status, _) = publish(&app, &browser, json!({ "connection_id": cid, "kind": "story", "media_ids": [tall["id"]] })).await;
    assert_eq!(status, 202);

    let reframe = |frame: &str, how: &str| {
        let body = json!({ "frame": frame, "how": how });
        let id = tall["id"].as_i64().unwrap();
        app.client.post(app.url(&format!("/api/media/{id}/reframe"))).header("cookie", browser.cookie.clone().unwrap()).json(&body).send()
    };
    let padded: Value = reframe("4:5", "pad").await.unwrap().json().await.unwrap();
    assert_eq!((padded["width"].as_u64(), padded["height"].as_u64(), padded["problem"].is_null()), (Some(1536), Some(1920), true), "{padded}");
    let cropped: Value = reframe("1:1", "crop").await.unwrap().json().await.unwrap();
    assert_eq!((cropped["width"].as_u64(), cropped["height"].as_u64()), (Some(1080), Some(1080)), "{cropped}");
    assert_eq!(reframe("3:1", "crop").await.unwrap().status().as_u16(), 422);

    let (status, post) = publish(&app, &browser, json!({ "connection_id": cid, "kind": "carousel", "media_ids": [padded["id"], cropped["id"]] })).await;
    assert_eq!(status, 202, "{post}");
    app.services.publishing.run_due(Utc::now(), 10).await.unwrap();
    let posts = app.services.publishing.list(user).await.unwrap();
    assert!(posts.iter().all(|p| p.status == PostStatus::Published), "{posts:?}");
}

#[sqlx::test(migrations = false)]
async fn what_meta_would_refuse_is_explained_before_anything_reaches_it(pool: PgPool) {
    let app = spawn_app(pool, &[]).await;
    let (browser, _, cid) = creator(&app).await;
    let (status, big) = app.upload(&browser, jpeg_over_8_mb(), "image/jpeg").await;
    assert_eq!(status, 422);
    assert!(big["error"].as_str().unwrap().contains("at most 8 MB"), "{big}");

    let (_, square) = app.upload(&browser, encoded(1080, 1080, ImageFormat::Jpeg), "image/jpeg").await;
    let id = square["id"].as_i64().unwrap();
    app.sandbox_admin(reqwest::Method::DELETE, "/calls", json!({})).await;
    let tags: String = (0..31).map(|i| format!("#tag{i} ")).collect();
    let mentions: String = (0..21).map(|i| format!("@friend{i} ")).collect();
    let cases = [
        (json!({ "kind": "image", "caption": "x".repeat(2_201), "media_ids": [id] }), "2201 characters"),
        (json!({ "kind": "image", "caption": tags, "media_ids": [id] }), "31 hashtags"),
        (json!({ "kind": "image", "caption": mentions, "media_ids": [id] }), "mentions 21 accounts"),
        (json!({ "kind": "carousel", "media_ids": [id] }), "2 to 10"),
        (json!({ "kind": "carousel", "media_ids": vec![id; 11] }), "2 to 10"),
    ];
    for (mut body, expected) in cases {
        body["connection_id"] = json!(cid);
        let (status, err) = publish(&app, &browser, body).await;
        assert_eq!(status, 422, "{err}");
        assert!(err["error"].as_str().unwrap().contains(expected), "{err} should say {expected}");
    }
    let (status, err) = publish(&app, &browser, json!({ "connection_id": cid, "kind": "image", "media_ids": [id + 1000] })).await;
    assert_eq!(status, 404, "an upload that does not exist: {err}");
    let (_, calls) = app.admin_json("/sandbox/__admin/calls").await;
    assert!(!calls.to_string().contains("/media"), "nothing reached the Graph API: {calls}");
}

#[sqlx::test(migrations = false)]
async fn uploads_are_the_signed_in_creators_own_and_have_a_limit(pool: PgPool) {
    let app = spawn_app(pool, &[("MEDIA_MAX_UPLOAD_BYTES", "200000")]).await;
    let (browser, _, _) = creator(&app).await;
    let (status, _) = app.upload(&Browser::new(), encoded(100, 100, ImageFormat::Jpeg), "image/jpeg").await;
    assert_eq!(status, 401);
    let (status, err) = app.upload(&browser, vec![7u8; 300_000], "image/jpeg").await;
    assert_eq!(status, 413, "{err}");
    let (status, _) = app.upload(&browser, Vec::new(), "image/jpeg").await;
    assert_eq!(status, 422);

    let (_, mine) = app.upload(&browser, encoded(1080, 1920, ImageFormat::Jpeg), "image/jpeg").await;
    let bo = app.signed_in("bo@example.com").await;
    let id = mine["id"].as_i64().unwrap();
    let r = app
        .client
        .post(app.url(&format!("/api/media/{id}/reframe")))
        .header("cookie", bo.cookie.clone().unwrap())
        .json(&json!({ "frame": "1:1", "how": "crop" }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 404, "another creator's image");
    connect(&app, &bo, "mira.moves", "allow").await;
    let bo_id = app.services.accounts.sign_in("bo@example.com", "a long enough password", "127.0.0.1", None).await.unwrap().0.id;
    let bo_cid = app.services.connections.list(bo_id).await.unwrap()[0].id;
    let (status, err) = publish(&app, &bo, json!({ "connection_id": bo_cid, "kind": "story", "media_ids": [mine["id"]] })).await;
    assert_eq!(status, 404, "another creator's file is not theirs to post: {err}");
}

/// The daily cleanup deletes uploads no post uses once they are a week old, with their files,
/// and parts of uploads that never finished; media of posts stay, whatever their status.
#[sqlx::test(migrations = false)]
async fn unused_uploads_are_deleted_after_a_week_and_posted_media_stay(pool: PgPool) {
    let app = spawn_app(pool.clone(), &[]).await;
    let (browser, _, cid) = creator(&app).await;
    let mut assets = Vec::new();
    for _ in 0..3 {
        let (status, asset) = app.upload(&browser, encoded(1080, 1080, ImageFormat::Jpeg), "image/jpeg").await;
        assert_eq!(status, 201, "{asset}");
        assets.push(asset);
    }
    let url = |a: &Value| a["url"].as_str().unwrap().to_string();
    let (posted, abandoned, fresh) = (url(&assets[0]), url(&assets[1]), url(&assets[2]));
    let (status, body) = publish(&app, &browser, json!({ "connection_id": cid, "kind": "image", "media_ids": [assets[0]["id"]] })).await;
    assert!(status < 300, "{body}");
    // The first two were uploaded eight days ago; the third just now.
    sqlx::query("UPDATE media_assets SET created_at = now() - interval '8 days' WHERE id = ANY($1)")
        .bind(vec![assets[0]["id"].as_i64().unwrap(), assets[1]["id"].as_i64().unwrap()])
        .execute(&pool)
        .await
        .unwrap();
    // A part of an upload that stopped two days ago, and one in progress.
    let dir = app.services.media.dir().to_path_buf();
    let (old_part, new_part) = (dir.join(".upload-stopped"), dir.join(".upload-running"));
    std::fs::write(&old_part, b"half").unwrap();
    std::fs::File::options()
        .write(true)
        .open(&old_part)
        .unwrap()
        .set_modified(std::time::SystemTime::now() - std::time::Duration::from_secs(2 * 86_400))
        .unwrap();
    std::fs::write(&new_part, b"half").unwrap();

    assert_eq!(app.services.media.cleanup(Utc::now()).await.unwrap(), 1);
    let served = |u: String| async move { reqwest::get(u).await.unwrap().status().as_u16() };
    assert_eq!(served(abandoned).await, 404, "the abandoned upload is gone");
    assert_eq!(served(posted).await, 200, "the posted one stays");
    assert_eq!(served(fresh).await, 200, "a recent upload stays");
    let left: i64 = sqlx::query_scalar("SELECT count(*) FROM media_assets").fetch_one(&pool).await.unwrap();
    assert_eq!(left, 2);
    assert!(!old_part.exists() && new_part.exists(), "only the stopped upload's part is removed");
    assert_eq!(app.services.media.cleanup(Utc::now()).await.unwrap(), 0);
}

/// `/media/` serves the files Crealia stored and nothing else under the store: videos as they
/// are (never compressed on the fly, which would let a visitor spend the server's CPU), and a
/// range past the end is a 416 that says the size.
#[sqlx::test(migrations = false)]
async fn media_urls_serve_only_crealias_files_as_stored(pool: PgPool) {
    let app = spawn_app(pool, &[]).await;
    let files = app.services.media.files();
    let video = format!("{}.mp4", "ab".repeat(16));
    files.put(&video, vec![b'a'; 100_000]).await.unwrap();
    files.put("backup.sql", b"SELECT 1;".to_vec()).await.unwrap();
    files.put(&format!("{}.sql", "cd".repeat(16)), b"SELECT 1;".to_vec()).await.unwrap();
    let client = reqwest::Client::new();

    let r = client.get(app.url(&format!("/media/{video}"))).header("accept-encoding", "gzip, br").send().await.unwrap();
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(r.headers().get("content-type").unwrap(), "video/mp4");
    assert!(r.headers().get("content-encoding").is_none(), "a video is sent as stored");
    assert_eq!(r.bytes().await.unwrap().len(), 100_000);

    let r = client.get(app.url(&format!("/media/{video}"))).header("range", "bytes=200000-").send().await.unwrap();
    assert_eq!(r.status().as_u16(), 416);
    assert_eq!(r.headers().get("content-range").unwrap(), "bytes */100000");
    let r = client.get(app.url(&format!("/media/{video}"))).header("range", "bytes=99990-").send().await.unwrap();
    assert_eq!((r.status().as_u16(), r.bytes().await.unwrap().len()), (206, 10));

    for other in ["backup.sql".to_string(), format!("{}.sql", "cd".repeat(16)), video.to_uppercase()] {
        let r = client.get(app.url(&format!("/media/{other}"))).send().await.unwrap();
        assert_eq!(r.status().as_u16(), 404, "{other}");
    }
}

/// A server that dies between storing a file and recording it leaves a file no upload names:
/// the cleanup deletes it once it is older than any upload still being recorded, and leaves
/// recorded files, recent ones and anything that is not one of Crealia's files alone.
#[sqlx::test(migrations = false)]
async fn files_stored_but_never_recorded_are_swept(pool: PgPool) {
    let app = spawn_app(pool.clone(), &[]).await;
    let (browser, _, _) = creator(&app).await;
    let (status, asset) = app.upload(&browser, encoded(1080, 1080, ImageFormat::Jpeg), "image/jpeg").await;
    assert_eq!(status, 201, "{asset}");
    let dir = app.services.media.dir().to_path_buf();
    let recorded = dir.join(asset["url"].as_str().unwrap().rsplit('/').next().unwrap());
    let (orphan, recent, foreign) = (dir.join(format!("{}.jpg", "ab".repeat(16))), dir.join(format!("{}.mp4", "cd".repeat(16))), dir.join("notes.txt"));
    let two_days_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(2 * 86_400);
    for (file, old) in [(&orphan, true), (&recent, false), (&foreign, true), (&recorded, true)] {
        if !file.exists() {
            std::fs::write(file, b"bytes").unwrap();
        }
        if old {
            std::fs::File::options().write(true).open(file).unwrap().set_modified(two_days_ago).unwrap();
        }
    }

    assert_eq!(app.services.media.sweep_unrecorded(Utc::now()).await.unwrap(), 1);
    assert!(!orphan.exists(), "the file no upload recorded is gone");
    assert!(recorded.exists() && recent.exists() && foreign.exists(), "a recorded file, a recent one and a foreign one stay");
    let served = reqwest::get(asset["url"].as_str().unwrap()).await.unwrap().status();
    assert_eq!(served, 200);
}
