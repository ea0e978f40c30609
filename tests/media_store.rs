//! Media on shared storage (issue 12, item 7): with `MEDIA_STORE_URL=s3://…` every server of a
//! deployment keeps its media in one S3-compatible store (here a real S3-protocol server,
//! s3s-fs), so an upload made on one server is served, reframed and published by another.

mod common;

use chrono::Utc;
use common::{connect, spawn_app, OwnS3};
use crealia_core::publishing::{NewPost, PostKind, PostStatus};
use sqlx::PgPool;

#[sqlx::test(migrations = false)]
async fn an_upload_on_one_server_is_served_reframed_and_published_by_another(pool: PgPool) {
    let s3 = OwnS3::start();
    let prefix = format!("deployment-{}", Utc::now().timestamp_nanos_opt().unwrap());
    let vars = s3.vars(&prefix);
    let vars: Vec<(&str, &str)> = vars.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let a = spawn_app(pool.clone(), &vars).await;
    let sandbox = format!("{}/sandbox/", a.url(""));
    let mut b_vars = vars.clone();
    // One public address for both, as behind a load balancer (A's, where the sandbox lives).
    let public = a.url("");
    b_vars.extend([("GRAPH_API_BASE_URL", sandbox.as_str()), ("CACHE_NAMESPACE", a.namespace.as_str()), ("PUBLIC_BASE_URL", public.as_str())]);
    let b = spawn_app(pool.clone(), &b_vars).await;

    let browser = a.signed_in("ana@example.com").await;
    assert!(connect(&a, &browser, "lumen.studio", "allow").await.contains("connected"));
    let user = a.services.accounts.sign_in("ana@example.com", "a long enough password", "127.0.0.1", None).await.unwrap().0.id;
    let cid = a.services.connections.list(user).await.unwrap()[0].id;

    // Uploaded through server A's route: the file is in the store, not in A's folder.
    let jpeg = common::encoded(1200, 900, image::ImageFormat::Jpeg);
    let (status, asset) = a.upload(&browser, jpeg, "image/jpeg").await;
    assert_eq!(status, 201, "{asset}");
    let name = asset["url"].as_str().unwrap().rsplit('/').next().unwrap().to_string();
    assert_eq!(s3.files(&prefix), vec![name.clone()]);
    let local = std::fs::read_dir(a.services.media.dir()).unwrap().filter_map(|e| e.ok()).count();
    assert_eq!(local, 0, "nothing stays on A's disk");

    // Server B serves it, whole and by range.
    let whole = b.client.get(b.url(&format!("/media/{name}"))).send().await.unwrap();
    assert_eq!(whole.status(), 200);
    assert_eq!(whole.headers()["content-type"], "image/jpeg");
    let bytes = whole.bytes().await.unwrap();
    assert_eq!(bytes.len() as u64, asset["bytes"].as_u64().unwrap());
    let part = b.client.get(b.url(&format!("/media/{name}"))).header("range", "bytes=2-9").send().await.unwrap();
    assert_eq!(part.status(), 206);
    assert_eq!(part.headers()["content-range"], format!("bytes 2-9/{}", bytes.len()).as_str());
    assert_eq!(part.bytes().await.unwrap(), bytes.slice(2..10));
    let beyond = b.client.get(b.url(&format!("/media/{name}"))).header("range", format!("bytes={}-", bytes.len() + 10)).send().await.unwrap();
    assert_eq!(beyond.status(), 416);
    assert_eq!(b.client.get(b.url("/media/0123abcd.jpg")).send().await.unwrap().status(), 404);

    // B reframes it (reading it from the store) and publishes the result.
    let id = asset["id"].as_i64().unwrap();
    let framed = b.services.media.reframe(user, id, "4:5", crealia_core::media::Reframe::Pad).await.unwrap();
    assert_eq!(s3.files(&prefix).len(), 2);
    let post = NewPost {
        connection_id: cid,
        kind: PostKind::Image,
        caption: "From the shared store".into(),
        alt_text: None,
        first_comment: None,
        media_ids: vec![framed.id],
        scheduled_at: Utc::now(),
        options: Default::default(),
    };
    let queued = b.services.publishing.schedule(user, post).await.unwrap();
    assert_eq!(b.services.publishing.run_due(Utc::now(), 10).await.unwrap(), 1);
    let done = a.services.publishing.get(user, queued.id).await.unwrap();
    assert_eq!(done.status, PostStatus::Published, "{:?}", done.last_error);

    // The cleanup deletes from the store: the unused original, once old enough.
    sqlx::query("UPDATE media_assets SET created_at = now() - interval '8 days'").execute(&pool).await.unwrap();
    assert_eq!(a.services.media.cleanup(Utc::now()).await.unwrap(), 1);
    let kept = framed.url.rsplit('/').next().unwrap().to_string();
    assert_eq!(s3.files(&prefix), vec![kept.clone()]);

    // A file a dying server stored but never recorded is swept from the store once old enough;
    // the recorded one stays.
    let stray = format!("{}.jpg", "ef".repeat(16));
    std::fs::write(s3.root.join(common::S3_BUCKET).join(&prefix).join(&stray), b"bytes").unwrap();
    assert_eq!(a.services.media.sweep_unrecorded(Utc::now()).await.unwrap(), 0, "too recent");
    assert_eq!(a.services.media.sweep_unrecorded(Utc::now() + chrono::Duration::days(2)).await.unwrap(), 1);
    assert_eq!(s3.files(&prefix), vec![kept]);
}

#[sqlx::test(migrations = false)]
async fn a_store_url_that_cannot_work_stops_the_start_with_its_name(pool: PgPool) {
    let _ = pool;
    for (url, expect) in [("ftp://bucket/x", "not supported"), ("not a url", "not a URL")] {
        let mut map = std::collections::HashMap::new();
        map.insert("MEDIA_STORE_URL".to_string(), url.to_string());
        let Err(err) = crealia::config::Config::from_map(&map) else { panic!("refused") };
        let text = err.to_string();
        assert!(text.contains("MEDIA_STORE_URL") && text.contains(expect), "{text}");
    }
}
