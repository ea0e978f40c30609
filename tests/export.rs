//! Downloads of the dashboard's data: CSV a spreadsheet opens safely, the charts as SVG and PNG
//! in the creator's language, only ever the signed-in creator's own.

mod common;

use common::spawn_app;
use sqlx::PgPool;

#[sqlx::test(migrations = false)]
async fn the_dashboards_figures_posts_and_charts_download_for_their_creator_only(pool: PgPool) {
    let app = spawn_app(pool, &[]).await;
    let ana = common::creator(&app, "ana@example.com", "lumen.studio").await;
    let bo = common::creator(&app, "bo@example.com", "nordlys.cafe").await;
    let get = |path: String, cookie: Option<String>| {
        let mut req = app.client.get(app.url(&path));
        if let Some(c) = cookie {
            req = req.header("cookie", c);
        }
        async move {
            let r = req.send().await.unwrap();
            let headers = r.headers().clone();
            (r.status().as_u16(), headers, r.text().await.unwrap())
        }
    };
    let ana_cookie = ana.browser.cookie.clone();

    let (status, headers, body) = get(format!("/api/instagram/export/figures.csv?account={}&days=7", ana.connection), ana_cookie.clone()).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(headers["content-type"], "text/csv; charset=utf-8");
    assert_eq!(headers["content-disposition"], "attachment; filename=\"crealia-figures.csv\"");
    let lines: Vec<&str> = body.trim_start_matches('\u{feff}').split("\r\n").filter(|l| !l.is_empty()).collect();
    assert_eq!(lines[0], "account,metric,label,from,to,total,previous_total,change_percent");
    assert_eq!(lines.len(), 11, "ten metrics: {body}");
    assert!(lines[1].starts_with("lumen.studio,views,Views,"), "{}", lines[1]);

    let (status, _, daily) = get(format!("/api/instagram/export/daily.csv?account={}&days=14", ana.connection), ana_cookie.clone()).await;
    assert_eq!(status, 200);
    assert_eq!(daily.trim_start_matches('\u{feff}').lines().count(), 15, "a header and 14 days: {daily}");

    let (status, headers, svg) = get(format!("/api/instagram/export/reach.svg?account={}", ana.connection), ana_cookie.clone()).await;
    assert_eq!(status, 200);
    assert_eq!(headers["content-type"], "image/svg+xml");
    assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\"") && svg.contains("@lumen.studio"), "{svg}");

    // In French when the page is: the title, the numbers.
    let french_cookie = ana_cookie.clone().map(|c| format!("{c}; crealia_lang=fr"));
    let (_, _, french) = get(format!("/api/instagram/export/followers.svg?account={}", ana.connection), french_cookie.clone()).await;
    assert!(french.contains("Variation des abonnés par jour, @lumen.studio") && !french.contains("Follower change"), "{french}");

    // The chart as a picture, drawn with the font Crealia carries: twice the SVG's size, and
    // its title is ink (dark pixels) where the SVG puts it.
    let png = app
        .client
        .get(app.url(&format!("/api/instagram/export/reach.png?account={}", ana.connection)))
        .header("cookie", french_cookie.unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!((png.status().as_u16(), png.headers()["content-type"].to_str().unwrap()), (200, "image/png"));
    assert_eq!(png.headers()["content-disposition"], "attachment; filename=\"crealia-reach.png\"");
    let picture = image::load_from_memory(&png.bytes().await.unwrap()).unwrap().to_rgb8();
    let width: f64 = svg.split("width=\"").nth(1).unwrap().split('"').next().unwrap().parse().unwrap();
    assert_eq!(picture.width(), (width * 2.0).ceil() as u32);
    let dark = |x0: u32, y0: u32, x1: u32, y1: u32| {
        (x0..x1).flat_map(|x| (y0..y1).map(move |y| (x, y))).filter(|&(x, y)| picture.get_pixel(x, y).0.iter().all(|&c| c < 90)).count()
    };
    assert!(dark(112, 8, 600, 48) > 300, "the title is drawn");
    assert_eq!(dark(0, 0, 100, 20), 0, "the background is white");

    let (status, _, posts) = get("/api/instagram/export/posts.csv".into(), ana_cookie.clone()).await;
    assert_eq!(status, 200);
    assert!(posts.starts_with("\u{feff}id,account,kind,status,scheduled_at"), "{posts}");

    // Bo's account is not Ana's to download; signed out, nothing; no other file.
    let (status, _, _) = get(format!("/api/instagram/export/figures.csv?account={}", bo.connection), ana_cookie.clone()).await;
    assert_eq!(status, 404);
    let (status, _, _) = get(format!("/api/instagram/export/figures.csv?account={}", ana.connection), None).await;
    assert_eq!(status, 401);
    let (status, _, body) = get("/api/instagram/export/..%2F..%2Fetc%2Fpasswd".into(), ana_cookie).await;
    assert_eq!(status, 404, "{body}");
}
