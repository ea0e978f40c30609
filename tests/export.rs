//! Downloads of the dashboard's data: CSV a spreadsheet opens safely, the charts as SVG, only
//! ever the signed-in creator's own.

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
