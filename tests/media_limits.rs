//! What one creator can spend through uploads: memory (decompression bombs, extreme shapes,
//! giant paddings), disk (a quota), requests (uploads per minute), connections (slow uploads,
//! a shutdown that does not wait for a stalled one); and what a served photo no longer says
//! (its EXIF). Its own test binary: the memory test measures this process.

mod common;

use std::time::Duration;

use common::{database_url, encoded, free_port, spawn_app, wait_until, Server};
use crealia_core::media::video::sample_mp4;
use image::ImageFormat;
use serde_json::{json, Value};
use sqlx::PgPool;

/// The process's peak resident memory so far (VmHWM), in MB.
fn peak_rss_mb() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status.lines().find(|l| l.starts_with("VmHWM:")).unwrap();
    line.split_whitespace().nth(1).unwrap().parse::<u64>().unwrap() / 1024
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &b in bytes {
        crc ^= b as u32;
        for _ in 0..8 {
            crc = if crc & 1 != 0 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
        }
    }
    !crc
}

/// A PNG of a few hundred bytes whose header claims `width`×`height` (a decompression bomb:
/// its zlib stream of zeros would inflate to gigabytes).
fn png_bomb(width: u32, height: u32) -> Vec<u8> {
    let chunk = |kind: &[u8], data: &[u8]| {
        let mut c = (data.len() as u32).to_be_bytes().to_vec();
        c.extend_from_slice(kind);
        c.extend_from_slice(data);
        c.extend_from_slice(&crc32(&[kind, data].concat()).to_be_bytes());
        c
    };
    let mut ihdr = width.to_be_bytes().to_vec();
    ihdr.extend_from_slice(&height.to_be_bytes());
    ihdr.extend_from_slice(&[8, 0, 0, 0, 0]); // 8-bit greyscale
                                              // A stored (uncompressed) deflate block would be honest; a run of compressed zeros is not.
    let idat = [0x78, 0x9C, 0xED, 0xC1, 0x01, 0x0D, 0x00, 0x00, 0x00, 0xC2, 0xA0, 0xF7, 0x4F, 0x6D, 0x0E, 0x37, 0xA0, 0x00, 0x00];
    [b"\x89PNG\r\n\x1a\n".to_vec(), chunk(b"IHDR", &ihdr), chunk(b"IDAT", &idat), chunk(b"IEND", &[])].concat()
}

/// A JPEG header claiming `width`×`height`, with no picture behind it.
fn jpeg_header(width: u16, height: u16) -> Vec<u8> {
    let mut b = vec![0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, b'J', b'F', b'I', b'F', 0, 1, 1, 0, 0, 1, 0, 1, 0, 0];
    b.extend_from_slice(&[0xFF, 0xC0, 0x00, 0x11, 0x08]);
    b.extend_from_slice(&height.to_be_bytes());
    b.extend_from_slice(&width.to_be_bytes());
    b.extend_from_slice(&[3, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1, 0xFF, 0xD9]);
    b
}

#[sqlx::test(migrations = false)]
async fn bombs_and_extreme_shapes_are_refused_from_their_header_and_memory_stays_low(pool: PgPool) {
    let app = spawn_app(pool, &[("MEDIA_UPLOADS_PER_MINUTE", "100")]).await;
    let ana = app.signed_in("ana@example.com").await;
    let hostile: Vec<(&str, Vec<u8>, &str)> = vec![
        ("a PNG bomb", png_bomb(30_000, 30_000), "image/png"),
        ("a PNG bomb within the side limit", png_bomb(11_000, 11_000), "image/png"),
        ("a JPEG header of 120 megapixels", jpeg_header(11_000, 11_000), "image/jpeg"),
        ("a 1×12000 line", encoded(1, 12_000, ImageFormat::Png), "image/png"),
        ("a 12000×1 line", encoded(12_000, 1, ImageFormat::Jpeg), "image/jpeg"),
    ];
    let before = peak_rss_mb();
    // Eight at once, several times over.
    let sends = (0..8).flat_map(|_| hostile.iter()).map(|(what, bytes, mime)| {
        let (app, ana) = (&app, &ana);
        async move { (what, app.upload(ana, bytes.clone(), mime).await) }
    });
    for (what, (status, body)) in futures_util::future::join_all(sends).await {
        assert!((400..500).contains(&status), "{what} is refused with a 4xx, not {status}: {body}");
        let error = body["error"].as_str().unwrap_or_default();
        if what.starts_with("a PNG") {
            assert!(error.contains("megapixels"), "{what} is refused by its size: {body}");
        } else if what.contains('×') {
            assert!(error.contains("narrow or too wide"), "{what} is refused by its shape: {body}");
        } else {
            assert!(!error.is_empty(), "{what}: {body}");
        }
    }
    let peak = peak_rss_mb();
    assert!(peak < 300, "the process peaked at {peak} MB (it was at {before} MB before)");

    // A shape inside the limit still cannot be padded into a giant canvas.
    let (status, tall) = app.upload(&ana, encoded(1_000, 9_000, ImageFormat::Png), "image/png").await;
    assert_eq!(status, 201, "{tall}");
    let id = tall["id"].as_i64().unwrap();
    let r = app
        .client
        .post(app.url(&format!("/api/media/{id}/reframe")))
        .header("cookie", ana.cookie.clone().unwrap())
        .json(&json!({ "frame": "1.91:1", "how": "pad" }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 422);
    assert!(r.json::<Value>().await.unwrap()["error"].as_str().unwrap().contains("Crop it instead"));
    let r = app
        .client
        .post(app.url(&format!("/api/media/{id}/reframe")))
        .header("cookie", ana.cookie.clone().unwrap())
        .json(&json!({ "frame": "4:5", "how": "crop" }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 201, "cropping is always possible");
    assert!(peak_rss_mb() < 300);
}

/// A JPEG with an EXIF segment that tells where it was taken.
fn jpeg_with_gps() -> Vec<u8> {
    let plain = encoded(1080, 1080, ImageFormat::Jpeg);
    let exif = b"Exif\0\0MM\0*\0\0\0\x08\0\0GPSLatitude 59.9139N GPSLongitude 10.7522E";
    let mut segment = vec![0xFF, 0xE1];
    segment.extend_from_slice(&((exif.len() + 2) as u16).to_be_bytes());
    segment.extend_from_slice(exif);
    [&plain[..2], &segment, &plain[2..]].concat()
}

#[sqlx::test(migrations = false)]
async fn a_served_photo_no_longer_says_where_it_was_taken(pool: PgPool) {
    let app = spawn_app(pool, &[]).await;
    let ana = app.signed_in("ana@example.com").await;
    let (status, asset) = app.upload(&ana, jpeg_with_gps(), "image/jpeg").await;
    assert_eq!(status, 201, "{asset}");
    let served = reqwest::get(asset["url"].as_str().unwrap()).await.unwrap().bytes().await.unwrap();
    assert!(served.starts_with(&[0xFF, 0xD8]));
    assert!(!served.windows(3).any(|w| w == b"GPS"), "the EXIF is gone");
    assert!(image::load_from_memory(&served).is_ok(), "and the picture is whole");
}

#[sqlx::test(migrations = false)]
async fn a_creator_has_a_storage_quota_and_a_pace_of_uploads(pool: PgPool) {
    let photo = encoded(1080, 1080, ImageFormat::Jpeg);
    let quota = (photo.len() as u64 * 5 / 2).to_string(); // room for two photos
    let app = spawn_app(pool, &[("MEDIA_QUOTA_BYTES_PER_USER", &quota), ("MEDIA_UPLOADS_PER_MINUTE", "4")]).await;
    let ana = app.signed_in("ana@example.com").await;
    for _ in 0..2 {
        assert_eq!(app.upload(&ana, photo.clone(), "image/jpeg").await.0, 201);
    }
    let (status, err) = app.upload(&ana, photo.clone(), "image/jpeg").await;
    assert!(status == 413 || status == 422, "{status} {err}");
    assert!(err["error"].as_str().unwrap().contains("Your uploads take"), "{err}");
    assert_eq!(err["problem"]["code"], "storage_full", "the page says it in the creator's language from this");
    // Another creator has their own room.
    let bo = app.signed_in("bo@example.com").await;
    assert_eq!(app.upload(&bo, photo.clone(), "image/jpeg").await.0, 201);
    // Four uploads a minute: the fourth of Ana's is the last one.
    assert_ne!(app.upload(&ana, photo.clone(), "image/jpeg").await.0, 429);
    let (status, err) = app.upload(&ana, photo, "image/jpeg").await;
    assert_eq!(status, 429, "{err}");
}

#[sqlx::test(migrations = false)]
async fn videos_are_checked_by_their_container_not_their_first_bytes(pool: PgPool) {
    let app = spawn_app(pool, &[]).await;
    let ana = app.signed_in("ana@example.com").await;
    let mut fake = vec![0, 0, 0, 0x18];
    fake.extend_from_slice(b"ftypmp42");
    fake.extend_from_slice(&[0; 64]);
    let (status, err) = app.upload(&ana, fake, "video/mp4").await;
    assert_eq!(status, 422, "{err}");
    assert!(err["error"].as_str().unwrap().contains("This video cannot be used"), "{err}");
    assert_eq!(err["problem"]["code"], "video_unusable", "{err}");
    let mut renamed_pdf = b"\0\0\0\x10ftypisom\0\0\0\0".to_vec();
    renamed_pdf.extend_from_slice(b"%PDF-1.7 and the rest of a document");
    assert_eq!(app.upload(&ana, renamed_pdf, "video/mp4").await.0, 422);

    let (status, video) = app.upload(&ana, sample_mp4(12_000, 1080, 1920), "video/mp4").await;
    assert_eq!(status, 201, "{video}");
    assert_eq!((video["kind"].as_str(), video["duration_ms"].as_u64(), video["width"].as_u64()), (Some("video"), Some(12_000), Some(1080)));

    // Too short for a reel: said before anything reaches Instagram.
    let (_, short) = app.upload(&ana, sample_mp4(2_000, 1080, 1920), "video/mp4").await;
    common::connect(&app, &ana, "nordlys.cafe", "allow").await;
    let user = app.services.accounts.sign_in("ana@example.com", "a long enough password", "127.0.0.1", None).await.unwrap().0.id;
    let cid = app.services.connections.list(user).await.unwrap()[0].id;
    let r = app
        .client
        .post(app.url("/api/instagram/publish"))
        .header("cookie", ana.cookie.clone().unwrap())
        .json(&json!({ "connection_id": cid, "kind": "reel", "media_ids": [short["id"]] }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 422);
    let refused = r.json::<Value>().await.unwrap();
    assert!(refused["error"].as_str().unwrap().contains("lasts 2.0 seconds"), "{refused}");
    assert_eq!(refused["problem"], json!({"code": "video_length", "item": null, "tenths": 20, "reel": true}));
}

/// A body that sends `first` bytes, then one byte every `every` (forever, or until dropped).
fn dripping(first: usize, every: Duration) -> reqwest::Body {
    let stream = futures_util::stream::unfold(0usize, move |n| async move {
        if n > 0 {
            tokio::time::sleep(every).await;
        }
        let chunk = if n == 0 { vec![0xFFu8; first] } else { vec![0u8; 1] };
        Some((Ok::<_, std::io::Error>(chunk), n + 1))
    });
    reqwest::Body::wrap_stream(stream)
}

#[sqlx::test(migrations = false)]
async fn a_slow_upload_is_cut_off(pool: PgPool) {
    let app = spawn_app(pool, &[("MEDIA_MIN_UPLOAD_BYTES_PER_SEC", "4096")]).await;
    let ana = app.signed_in("ana@example.com").await;
    let r = app
        .client
        .post(app.url("/api/media"))
        .header("cookie", ana.cookie.clone().unwrap())
        .body(dripping(1_000, Duration::from_millis(500)))
        .timeout(Duration::from_secs(40))
        .send()
        .await;
    match r {
        Ok(r) => assert_eq!(r.status().as_u16(), 408),
        // Cut while still sending: the server closed the connection after answering.
        Err(e) => assert!(!e.is_timeout(), "the server never cut the upload off: {e}"),
    }
    let parts =
        std::fs::read_dir(app.services.media.dir()).unwrap().filter(|e| e.as_ref().unwrap().file_name().to_string_lossy().starts_with(".upload-")).count();
    assert_eq!(parts, 0, "the part of the upload is removed");
}

#[sqlx::test(migrations = false)]
async fn a_stalled_upload_does_not_hold_a_shutdown(pool: PgPool) {
    let accounts = crealia_core::accounts::Accounts::new(pool.clone());
    crealia_core::db::migrate(&pool).await.unwrap();
    accounts.sign_up("ana@example.com", "a long enough password", "Ana").await.unwrap();
    let (_, token) = accounts.sign_in("ana@example.com", "a long enough password", "127.0.0.1", None).await.unwrap();
    let port = free_port();
    let addr = format!("127.0.0.1:{port}");
    let mut server = Server::start(&database_url(&pool), &[("LEPTOS_SITE_ADDR", &addr), ("JOBS_ENABLED", "false")]);
    let client = reqwest::Client::new();
    wait_until("the server is up", Duration::from_secs(30), async || client.get(format!("http://{addr}/healthz")).send().await.is_ok()).await;

    // An upload that sent a little, then nothing (within the idle limit).
    let upload = client
        .post(format!("http://{addr}/api/media"))
        .header("cookie", format!("crealia_session={}", token.as_str()))
        .body(dripping(100_000, Duration::from_secs(20)))
        .send();
    let pending = tokio::spawn(upload);
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(server.terminate(Duration::from_secs(5)).await, "SIGTERM ends the server at once despite the stalled upload");
    pending.abort();
}
