//! Bulk scheduling: a CSV (one post a line: `date`, `time`, `caption`, `media`; optionally
//! `kind`, `first_comment`, `alt_text`, `time_zone`, in any order, named in its first line) and
//! the files it names, uploaded together. Every line is checked as the composer's posts are
//! (its time, its files, Meta's rules) and every problem is reported with its line before
//! anything is kept; then the whole file is queued in one transaction, or nothing is.

use std::collections::HashMap;

use chrono::{NaiveDate, NaiveTime, Utc};
use crealia_model::problem::Problem;
pub use crealia_model::publishing::BulkFile;
use crealia_model::publishing::{BulkCheck, BulkLine, BulkRefusal, PostKind, PostOptions, PostStatus};

use super::{insert_posts, notify, NewPost, Publishing, PAST_GRACE_SECS};
use crate::{Error, Result};

/// The most posts one file schedules.
pub const MAX_LINES: usize = 200;
/// The largest file read.
pub const MAX_BYTES: usize = 512 * 1024;
/// Where a line names several files: `a.jpg;b.jpg` (a comma is the CSV's own separator).
pub const FILE_SEPARATORS: [char; 2] = [';', '|'];

/// The most files named with one CSV.
pub const MAX_FILES: usize = 2_000;
/// Files a creator checks or schedules a minute on one server (each line costs queries).
pub const FILES_PER_MINUTE: u32 = 20;

/// One line read, ready to be checked like a composed post.
struct Planned {
    line: u32,
    post: NewPost,
    files: Vec<String>,
    /// The wall-clock date and time ("2026-11-24", "14:05") in `time_zone`.
    date: String,
    time: String,
    time_zone: String,
}

/// The columns a file must have, and those it may.
const REQUIRED: [&str; 4] = ["date", "time", "caption", "media"];
const OPTIONAL: [&str; 4] = ["kind", "first_comment", "alt_text", "time_zone"];

impl Publishing {
    /// Reads and checks `csv` for the creator's `connections` (times on the wall clock of
    /// `time_zone` unless a line says another): each post as it would be queued, and each
    /// refused line with why. Nothing is kept.
    pub async fn check_bulk(&self, user_id: i64, connections: &[i64], csv: &str, files: &[BulkFile], time_zone: &str) -> Result<BulkCheck> {
        Ok(self.plan_bulk(user_id, connections, csv, files, time_zone).await?.0)
    }

    /// Queues every post of `csv` for each of `connections`, in one transaction, once no line is
    /// refused (checked again here: the files or the clock may have moved since the preview).
    /// Refused lines refuse the whole file: `Problem::BulkRefused` with how many.
    pub async fn schedule_bulk(&self, user_id: i64, connections: &[i64], csv: &str, files: &[BulkFile], time_zone: &str) -> Result<usize> {
        let (check, planned) = self.plan_bulk(user_id, connections, csv, files, time_zone).await?;
        if !check.refused.is_empty() {
            return Err(Error::Refused(Problem::BulkRefused { lines: check.refused.len() }));
        }
        let connections = &super::distinct(connections);
        let mut tx = self.db.begin().await?;
        super::reserve_pending(&mut tx, user_id, planned.len() * connections.len()).await?;
        let mut queued = 0;
        for (plan, urls) in &planned {
            queued += insert_posts(&mut tx, user_id, connections, &plan.post, urls, PostStatus::Pending).await?.len();
        }
        notify(&mut tx, user_id).await?;
        tx.commit().await?;
        tracing::info!(user_id, posts = queued, "bulk file scheduled");
        Ok(queued)
    }

    async fn plan_bulk(
        &self,
        user_id: i64,
        connections: &[i64],
        csv: &str,
        files: &[BulkFile],
        time_zone: &str,
    ) -> Result<(BulkCheck, Vec<(Planned, Vec<String>)>)> {
        self.bulk_checks.spend(user_id)?;
        let connections = &super::distinct(connections);
        if connections.is_empty() {
            return Err(Error::Refused(Problem::NoAccountChosen));
        }
        self.check_accounts(user_id, connections).await?;
        let (lines, mut refused) = read(csv, files, time_zone)?;
        let mut posts = Vec::with_capacity(lines.len());
        let mut planned = Vec::with_capacity(lines.len());
        for mut plan in lines {
            match self.check_line(user_id, &mut plan).await {
                Ok(urls) => {
                    posts.push(BulkLine {
                        line: plan.line,
                        kind: plan.post.kind,
                        date: plan.date.clone(),
                        time: plan.time.clone(),
                        time_zone: plan.time_zone.clone(),
                        caption: plan.post.caption.clone(),
                        files: plan.files.clone(),
                    });
                    planned.push((plan, urls));
                }
                Err(Error::Refused(problem)) => refused.push(BulkRefusal { line: plan.line, problem }),
                Err(Error::NotFound) => refused.push(BulkRefusal { line: plan.line, problem: Problem::BulkFileUnknown { name: plan.files.join(";") } }),
                Err(other) => return Err(other),
            }
        }
        refused.sort_by_key(|r| r.line);
        Ok((BulkCheck { posts, refused }, planned))
    }

    /// One line as the composer's post would be checked: its time, its files, Meta's rules.
    async fn check_line(&self, user_id: i64, plan: &mut Planned) -> Result<Vec<String>> {
        if plan.post.scheduled_at < Utc::now() - chrono::Duration::seconds(PAST_GRACE_SECS) {
            return Err(Error::Refused(Problem::TimePassed { publish_now: false }));
        }
        let urls = self.media.urls_of(user_id, &plan.post.media_ids).await?;
        self.check_post(user_id, &mut plan.post, &urls).await?;
        Ok(urls)
    }
}

/// The lines of the file, each turned into a post to check, and the lines refused already
/// (a date, a time, a file name or a kind that cannot be read). The whole file is refused when
/// it is too large, has too many lines, or lacks a column.
fn read(csv: &str, files: &[BulkFile], default_zone: &str) -> Result<(Vec<Planned>, Vec<BulkRefusal>)> {
    if csv.len() > MAX_BYTES || files.len() > MAX_FILES {
        return Err(Error::Refused(Problem::BulkTooLarge { max_kb: MAX_BYTES / 1024 }));
    }
    let mut reader = csv::ReaderBuilder::new().flexible(true).trim(csv::Trim::All).from_reader(csv.trim_start_matches('\u{feff}').as_bytes());
    let headers: Vec<String> = reader.headers().map_err(|_| Error::Refused(Problem::BulkNotCsv))?.iter().map(|h| h.to_ascii_lowercase()).collect();
    if let Some(missing) = REQUIRED.iter().find(|r| !headers.iter().any(|h| h == *r)) {
        return Err(Error::Refused(Problem::BulkColumn { name: missing.to_string() }));
    }
    let column = |name: &str| headers.iter().position(|h| h == name);
    let at: HashMap<&str, usize> = REQUIRED.iter().chain(OPTIONAL.iter()).filter_map(|n| column(n).map(|i| (*n, i))).collect();
    let by_name: HashMap<&str, i64> = files.iter().map(|f| (f.name.as_str(), f.media_id)).collect();

    let (mut planned, mut refused) = (Vec::new(), Vec::new());
    for (n, record) in reader.records().enumerate() {
        // The header is line 1.
        let line = n as u32 + 2;
        if planned.len() + refused.len() >= MAX_LINES {
            return Err(Error::Refused(Problem::BulkTooManyLines { max: MAX_LINES }));
        }
        let record = match record {
            Ok(r) => r,
            Err(_) => {
                refused.push(BulkRefusal { line, problem: Problem::BulkNotCsv });
                continue;
            }
        };
        let get = |name: &str| at.get(name).and_then(|i| record.get(*i)).unwrap_or("").to_string();
        if record.iter().all(str::is_empty) {
            continue;
        }
        match plan(line, &get, &by_name, default_zone) {
            Ok(p) => planned.push(p),
            Err(problem) => refused.push(BulkRefusal { line, problem }),
        }
    }
    if planned.is_empty() && refused.is_empty() {
        return Err(Error::Refused(Problem::BulkEmpty));
    }
    Ok((planned, refused))
}

/// One line's columns read into a post, or the first thing on it that cannot be read.
fn plan(line: u32, get: &dyn Fn(&str) -> String, files: &HashMap<&str, i64>, default_zone: &str) -> std::result::Result<Planned, Problem> {
    let (date, time) = (get("date"), get("time"));
    let day = NaiveDate::parse_from_str(&date, "%Y-%m-%d").map_err(|_| Problem::BulkDate { value: date.clone() })?;
    let clock = NaiveTime::parse_from_str(&time, "%H:%M").map_err(|_| Problem::BulkTime { value: time.clone() })?;
    let zone = Some(get("time_zone")).filter(|z| !z.is_empty()).unwrap_or_else(|| default_zone.to_string());
    let scheduled_at = crate::time_zones::local_time(day, clock, &zone).map_err(|e| match e {
        Error::Refused(p) => p,
        other => Problem::BulkTime { value: other.to_string() },
    })?;
    let names: Vec<String> = get("media").split(FILE_SEPARATORS).map(str::trim).filter(|n| !n.is_empty()).map(String::from).collect();
    let mut media_ids = Vec::with_capacity(names.len());
    for name in &names {
        media_ids.push(*files.get(name.as_str()).ok_or_else(|| Problem::BulkFileUnknown { name: name.clone() })?);
    }
    let kind_text = get("kind").to_ascii_lowercase();
    let kind = match kind_text.as_str() {
        "" if names.len() > 1 => PostKind::Carousel,
        "" if names.first().is_some_and(|n| crate::media::is_video_url(n)) => PostKind::Reel,
        "" => PostKind::Image,
        other => PostKind::parse(other).ok_or(Problem::BulkKind { value: kind_text.clone() })?,
    };
    let optional = |name: &str| Some(get(name)).filter(|v| !v.is_empty());
    let post = NewPost {
        connection_id: 0,
        kind,
        caption: get("caption"),
        alt_text: optional("alt_text"),
        first_comment: optional("first_comment"),
        media_ids,
        scheduled_at,
        options: PostOptions::default(),
    };
    Ok(Planned { line, post, files: names, date: day.format("%Y-%m-%d").to_string(), time: clock.format("%H:%M").to_string(), time_zone: zone })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files() -> Vec<BulkFile> {
        vec![BulkFile { name: "bun.jpg".into(), media_id: 1 }, BulkFile { name: "clip.mp4".into(), media_id: 2 }]
    }

    #[test]
    fn columns_are_found_by_name_and_kinds_are_inferred_from_the_files() {
        let csv = "Media,Caption,Time,Date\n\"bun.jpg;bun.jpg\",\"Buns, warm\",09:30,2030-01-02\nclip.mp4,Clip,10:00,2030-01-02\n";
        let (planned, refused) = read(csv, &files(), "Europe/Paris").unwrap();
        assert!(refused.is_empty(), "{refused:?}");
        assert_eq!(planned.iter().map(|p| (p.line, p.post.kind)).collect::<Vec<_>>(), [(2, PostKind::Carousel), (3, PostKind::Reel)]);
        assert_eq!(planned[0].post.caption, "Buns, warm");
        assert_eq!(planned[0].post.scheduled_at.to_rfc3339(), "2030-01-02T08:30:00+00:00", "on the wall clock of Paris");
    }

    #[test]
    fn lines_that_cannot_be_read_are_refused_with_their_number_and_the_file_with_a_missing_column() {
        let csv = "date,time,caption,media,kind\n2030-13-01,09:30,a,bun.jpg,\n2030-01-02,9h30,b,bun.jpg,\n2030-01-02,09:30,c,cake.jpg,\n2030-01-02,09:30,d,bun.jpg,hologram\n";
        let (planned, refused) = read(csv, &files(), "UTC").unwrap();
        assert!(planned.is_empty());
        assert_eq!(
            refused,
            vec![
                BulkRefusal { line: 2, problem: Problem::BulkDate { value: "2030-13-01".into() } },
                BulkRefusal { line: 3, problem: Problem::BulkTime { value: "9h30".into() } },
                BulkRefusal { line: 4, problem: Problem::BulkFileUnknown { name: "cake.jpg".into() } },
                BulkRefusal { line: 5, problem: Problem::BulkKind { value: "hologram".into() } },
            ]
        );
        assert!(matches!(read("date,time,caption\n", &files(), "UTC"), Err(Error::Refused(Problem::BulkColumn { name })) if name == "media"));
        let many: String =
            std::iter::once("date,time,caption,media\n".to_string()).chain((0..=MAX_LINES).map(|_| "2030-01-02,09:30,a,bun.jpg\n".into())).collect();
        assert!(matches!(read(&many, &files(), "UTC"), Err(Error::Refused(Problem::BulkTooManyLines { .. }))));
    }
}
