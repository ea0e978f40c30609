//! The seeded posts' pictures and the avatars, as Instagram's CDN would serve them: a small
//! picture of its own colours per file name, so a page that shows them loads something real.

use axum::extract::Path;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};

/// Where the seed points its pictures; rewritten to [`crate::SandboxConfig::public_url`] in answers.
pub const SEEDED_HOST: &str = "https://sandbox.crealia.invalid/";

/// The URL a browser can load for a seeded picture (unchanged when the sandbox does not know
/// where it is reached, or the URL is not one of its own).
pub fn public(url: &str, public_url: Option<&str>) -> String {
    match (url.strip_prefix(SEEDED_HOST), public_url) {
        (Some(rest), Some(base)) => format!("{}/files/{rest}", base.trim_end_matches('/')),
        _ => url.to_string(),
    }
}

/// `GET /files/{media|avatars}/{name}`: an SVG in two colours chosen by the name.
pub async fn picture(Path((kind, name)): Path<(String, String)>) -> Response {
    let sane = !name.is_empty() && name.len() <= 80 && name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
    if !matches!(kind.as_str(), "media" | "avatars") || !sane {
        return StatusCode::NOT_FOUND.into_response();
    }
    let hash = name.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| (h ^ b as u64).wrapping_mul(0x100_0000_01b3));
    let (a, b) = (hash % 360, (hash / 360) % 360);
    let svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 100 100\"><defs><linearGradient id=\"g\" x2=\"1\" y2=\"1\">\
         <stop offset=\"0\" stop-color=\"hsl({a},70%,62%)\"/><stop offset=\"1\" stop-color=\"hsl({b},65%,45%)\"/></linearGradient></defs>\
         <rect width=\"100\" height=\"100\" fill=\"url(#g)\"/><circle cx=\"68\" cy=\"34\" r=\"12\" fill=\"#fff\" opacity=\".55\"/></svg>"
    );
    ([(header::CONTENT_TYPE, "image/svg+xml"), (header::CACHE_CONTROL, "public, max-age=86400")], svg).into_response()
}

#[cfg(test)]
mod tests {
    #[test]
    fn seeded_pictures_point_where_the_sandbox_is_reached() {
        let url = "https://sandbox.crealia.invalid/media/17900.jpg";
        assert_eq!(super::public(url, Some("http://127.0.0.1:3000/sandbox/")), "http://127.0.0.1:3000/sandbox/files/media/17900.jpg");
        assert_eq!(super::public(url, None), url);
        assert_eq!(super::public("https://crealia.example/m/1.jpg", Some("http://x")), "https://crealia.example/m/1.jpg");
    }
}
