//! `GET /api/instagram/export/{file}?account=ID&days=7`: what the dashboard shows, to download:
//! `figures.csv` (the metrics against the previous range), `daily.csv` (accounts reached and
//! follower change by day), `posts.csv` (the creator's posts), and the two charts as SVG or PNG
//! (`reach.svg`, `reach.png`, `followers.svg`, `followers.png`), titled and numbered in the
//! request's language (the page's cookie, else the browser's). The CSV columns are names for
//! programs and stay as they are.

use app::components::chart::{chart_file_title, chart_svg};
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Extension;
use crealia_core::accounts::CurrentSession;
use crealia_core::{export, Services};
use serde::Deserialize;

use super::api_error::{from_error, message};

#[derive(Deserialize)]
pub struct ExportQuery {
    account: Option<i64>,
    #[serde(default = "seven")]
    days: u32,
}

fn seven() -> u32 {
    7
}

#[utoipa::path(get, path = "/api/instagram/export/{file}", tag = "insights",
    description = "The dashboard's data as a file: `figures.csv` (the metrics against the previous range), `daily.csv` (accounts reached and follower change by day), `posts.csv` (the creator's posts, every account), `reach.svg`, `reach.png`, `followers.svg` and `followers.png` (the charts, in the language of the `crealia_lang` cookie or `Accept-Language`). CSV is UTF-8 with a byte-order mark, a cell that would start a spreadsheet formula begins with `'`.",
    params(
        ("file" = String, Path, description = "figures.csv, daily.csv, posts.csv, reach.svg, reach.png, followers.svg or followers.png"),
        ("account" = Option<i64>, Query, description = "A connection id of the creator's (the first when absent)"),
        ("days" = Option<u32>, Query, description = "7 (default), 14 or 30"),
    ),
    responses(
        (status = 200, description = "The file, as an attachment", content_type = "text/csv"),
        crate::openapi::SignedOut,
        crate::openapi::Refused,
        crate::openapi::NotTheirs,
        crate::openapi::Reconnect,
        crate::openapi::Invalid,
        crate::openapi::Unavailable
    ))]
pub async fn get(
    State(services): State<Services>,
    Extension(session): Extension<CurrentSession>,
    Path(file): Path<String>,
    Query(q): Query<ExportQuery>,
    headers: HeaderMap,
) -> Response {
    let Some(user) = session.user else { return message(StatusCode::UNAUTHORIZED, "Sign in to download your data.") };
    let (body, content_type) = match file.as_str() {
        "posts.csv" => match services.publishing.list(user.id).await {
            Ok(posts) => (export::posts_csv(&posts), "text/csv; charset=utf-8"),
            Err(e) => return from_error(e),
        },
        "figures.csv" | "daily.csv" | "reach.svg" | "reach.png" | "followers.svg" | "followers.png" => {
            let d = match services.insights.dashboard(user.id, q.account, q.days, chrono::Utc::now()).await {
                Ok(d) => d,
                Err(e) => return from_error(e),
            };
            let i = &d.insights;
            let locale = app::locale::of_headers(&headers);
            let chart = |followers: bool| {
                let title = chart_file_title(locale, followers, &i.profile.username);
                chart_svg(locale, &title, if followers { &i.followers } else { &i.reach }, followers)
            };
            match file.as_str() {
                "figures.csv" => (export::figures_csv(i), "text/csv; charset=utf-8"),
                "daily.csv" => (export::daily_csv(i), "text/csv; charset=utf-8"),
                "reach.svg" => (chart(false), "image/svg+xml"),
                "followers.svg" => (chart(true), "image/svg+xml"),
                png => {
                    let svg = chart(png == "followers.png");
                    match export::chart_png(svg).await {
                        Ok(png) => return file_response(&file, "image/png", png),
                        Err(e) => return from_error(e),
                    }
                }
            }
        }
        _ => {
            return message(
                StatusCode::NOT_FOUND,
                "There is no such file: figures.csv, daily.csv, posts.csv, reach.svg, reach.png, followers.svg or followers.png.",
            )
        }
    };
    file_response(&file, content_type, body)
}

/// A download: its type, `attachment` under a `crealia-` name, never cached.
fn file_response(file: &str, content_type: &str, body: impl IntoResponse) -> Response {
    let name = format!("crealia-{file}");
    (
        [
            (header::CONTENT_TYPE, content_type.to_string()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\"")),
            (header::CACHE_CONTROL, "private, no-store".to_string()),
        ],
        body,
    )
        .into_response()
}
