//! Downloads of what the dashboard shows: its figures, its daily series and the creator's posts
//! as CSV (RFC 4180, UTF-8 with a byte-order mark so spreadsheets read accents), and nothing a
//! spreadsheet would run: a cell that starts like a formula is prefixed with `'`. A chart is
//! SVG, or that SVG drawn as PNG with the font Crealia carries (the same pixels on every server,
//! with or without fonts installed).

use crealia_model::publishing::ScheduledPost;
use crealia_model::AccountInsights;

/// One CSV cell: quoted when it holds a separator a spreadsheet may use (comma, semicolon, tab),
/// a quote or a line break, so it stays one cell in every locale; a leading `=`, `+`, `-`, `@`,
/// tab or carriage return (a formula to a spreadsheet) is neutralised with `'`.
pub fn cell(value: &str) -> String {
    let value = if value.starts_with(['=', '+', '-', '@', '\t', '\r']) && value.parse::<f64>().is_err() { format!("'{value}") } else { value.to_string() };
    if value.contains([',', ';', '\t', '"', '\n', '\r']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value
    }
}

/// A whole file: the byte-order mark, the header, the rows, CRLF line ends.
pub fn csv(header: &[&str], rows: impl IntoIterator<Item = Vec<String>>) -> String {
    let mut out = String::from("\u{feff}");
    let line = |cells: Vec<String>| cells.iter().map(|c| cell(c)).collect::<Vec<_>>().join(",") + "\r\n";
    out.push_str(&line(header.iter().map(|h| h.to_string()).collect()));
    for row in rows {
        out.push_str(&line(row));
    }
    out
}

fn opt(v: Option<i64>) -> String {
    v.map(|v| v.to_string()).unwrap_or_default()
}

/// The metrics over the range and the range before (an empty cell where Instagram has no data).
pub fn figures_csv(d: &AccountInsights) -> String {
    csv(
        &["account", "metric", "label", "from", "to", "total", "previous_total", "change_percent"],
        d.metrics.iter().map(|m| {
            vec![
                d.profile.username.clone(),
                m.name.clone(),
                m.label.clone(),
                d.since.clone(),
                d.until.clone(),
                opt(m.total),
                opt(m.previous),
                m.change_percent().map(|c| format!("{c:.1}")).unwrap_or_default(),
            ]
        }),
    )
}

/// Accounts reached and follower change, one row a day.
pub fn daily_csv(d: &AccountInsights) -> String {
    let mut days: std::collections::BTreeMap<&str, (Option<i64>, Option<i64>)> = std::collections::BTreeMap::new();
    for p in &d.reach {
        days.entry(&p.day).or_default().0 = Some(p.value);
    }
    for p in &d.followers {
        days.entry(&p.day).or_default().1 = Some(p.value);
    }
    csv(&["day", "accounts_reached", "follower_change"], days.into_iter().map(|(day, (reach, follows))| vec![day.to_string(), opt(reach), opt(follows)]))
}

/// The creator's posts as the dashboard lists them (times in UTC, ISO 8601).
pub fn posts_csv(posts: &[ScheduledPost]) -> String {
    csv(
        &["id", "account", "kind", "status", "scheduled_at", "published_at", "caption", "alt_text", "first_comment", "instagram_media_id", "reason"],
        posts.iter().map(|p| {
            vec![
                p.id.to_string(),
                p.username.clone(),
                p.kind.as_str().to_string(),
                p.status.as_str().to_string(),
                p.scheduled_at.to_rfc3339(),
                p.published_at.map(|t| t.to_rfc3339()).unwrap_or_default(),
                p.caption.clone(),
                p.alt_text.clone().unwrap_or_default(),
                p.first_comment.clone().unwrap_or_default(),
                p.media_id.clone().unwrap_or_default(),
                p.last_error.clone().unwrap_or_default(),
            ]
        }),
    )
}

/// DejaVu Sans (free licence, `assets/DejaVuSans.LICENSE`): every Latin accent, `×`, `’`.
static FONT: &[u8] = include_bytes!("../assets/DejaVuSans.ttf");
/// How many PNG pixels per SVG unit: sharp on a high-density screen and in a slide.
const PNG_SCALE: f32 = 2.0;
/// The largest picture drawn (pixels), whatever the SVG says.
const MAX_PNG_PIXELS: u32 = 4_000_000;

static FONTS: std::sync::LazyLock<std::sync::Arc<resvg::usvg::fontdb::Database>> = std::sync::LazyLock::new(|| {
    let mut db = resvg::usvg::fontdb::Database::new();
    db.load_font_data(FONT.to_vec());
    db.set_sans_serif_family("DejaVu Sans");
    std::sync::Arc::new(db)
});

/// [`png`] off the async threads, one drawing per core at a time (with the image work of
/// uploads): a burst of downloads queues instead of taking every core.
pub async fn chart_png(svg: String) -> crate::Result<Vec<u8>> {
    crate::media::image_work(move || png(&svg)).await
}

/// One of Crealia's own chart SVGs as a PNG, twice its size.
pub fn png(svg: &str) -> crate::Result<Vec<u8>> {
    use resvg::{tiny_skia, usvg};
    let failed = |what: &str| crate::Error::Internal(format!("chart PNG: {what}"));
    let options = usvg::Options { font_family: "DejaVu Sans".into(), fontdb: FONTS.clone(), ..usvg::Options::default() };
    let tree = usvg::Tree::from_str(svg, &options).map_err(|e| failed(&e.to_string()))?;
    let size = tree.size();
    let (width, height) = ((size.width() * PNG_SCALE).ceil() as u32, (size.height() * PNG_SCALE).ceil() as u32);
    if width.saturating_mul(height) > MAX_PNG_PIXELS {
        return Err(failed("too large"));
    }
    let mut pixmap = tiny_skia::Pixmap::new(width, height).ok_or_else(|| failed("empty"))?;
    resvg::render(&tree, tiny_skia::Transform::from_scale(PNG_SCALE, PNG_SCALE), &mut pixmap.as_mut());
    pixmap.encode_png().map_err(|e| failed(&e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_are_quoted_and_formulas_neutralised() {
        assert_eq!(cell("plain"), "plain");
        assert_eq!(cell("a, b"), "\"a, b\"");
        assert_eq!(cell("say \"hi\"\nthere"), "\"say \"\"hi\"\"\nthere\"");
        assert_eq!(cell("=HYPERLINK(\"http://x\")"), "\"'=HYPERLINK(\"\"http://x\"\")\"");
        assert_eq!(cell("@ana"), "'@ana");
        // Where `;` separates cells (a French spreadsheet), the formula after it stays inside.
        assert_eq!(cell("x;=cmd|' /C calc'!A0"), "\"x;=cmd|' /C calc'!A0\"");
        assert_eq!(cell("a\tb"), "\"a\tb\"");
        assert_eq!(cell("+33 6"), "'+33 6");
        assert_eq!(cell("-12.5"), "-12.5", "a negative number stays a number");
        assert_eq!(cell("Café #crème"), "Café #crème");
        let file = csv(&["a", "b"], [vec!["1".to_string(), "x,y".to_string()]]);
        assert_eq!(file, "\u{feff}a,b\r\n1,\"x,y\"\r\n");
    }
}
