//! The creator's language beyond the words: where it is remembered (a cookie on this browser,
//! the `users.language` column for every browser), and numbers and dates written the way each
//! language writes them ("12,345" and "Tue 24 Nov" in English, "12 345" and "mar. 24 nov." in
//! French). The names of days and months are translations like any other, in
//! `locales/*/dates.json`.

use chrono::{DateTime, Datelike, NaiveDate, Timelike, Utc};
use crealia_model::language::Language;
use crealia_model::problem::{PostChange, PostText, Problem, TextLimit};
use crealia_model::publishing::{PostKind, PostStatus};
use leptos_i18n::context::CookieOptions;

use crate::i18n::{td_string, Locale};

/// The cookie that carries the language on this browser. Not `HttpOnly`: the switch in the
/// browser writes it, and the server reads it to render the first page in that language.
pub const COOKIE: &str = "crealia_lang";

/// A year, in milliseconds (what `leptos_use` counts in).
const COOKIE_MAX_AGE_MS: i64 = 365 * 24 * 3600 * 1000;

/// The language cookie is site-wide (a cookie without `Path` would hold only under the page
/// that set it), kept for a year, and sent on same-site requests only.
/// A cookie that names no language is ignored quietly (leptos-use would print an error for
/// each such request, which anyone can send).
pub fn cookie_options() -> CookieOptions<Locale> {
    CookieOptions::default().path("/").max_age(COOKIE_MAX_AGE_MS).same_site(leptos_use::SameSite::Lax).on_error(std::sync::Arc::new(|_| ()))
}

/// The cookie the server sets when a creator signs in with a language of their own.
pub fn cookie_header(language: Language) -> String {
    format!("{COOKIE}={}; Path=/; Max-Age={}; SameSite=Lax", language.code(), COOKIE_MAX_AGE_MS / 1000)
}

pub fn language(locale: Locale) -> Language {
    match locale {
        Locale::en => Language::English,
        Locale::fr => Language::French,
    }
}

pub fn locale(language: Language) -> Locale {
    match language {
        Language::English => Locale::en,
        Language::French => Locale::fr,
    }
}

/// The language of the request being rendered or answered: the cookie, else the browser's
/// `Accept-Language`, else English.
/// Read from the request's headers only: nothing is written back (leptos-use's cookie would
/// answer with a `Set-Cookie` of its own).
#[cfg(feature = "ssr")]
pub fn of_request() -> Locale {
    use leptos_i18n::context::I18nContextOptions;
    let from_cookie = leptos::prelude::use_context::<http::request::Parts>().and_then(|parts| {
        let header = parts.headers.get(http::header::COOKIE)?.to_str().ok()?.to_owned();
        header.split(';').filter_map(|pair| pair.trim().split_once('=')).find(|(name, _)| *name == COOKIE).and_then(|(_, v)| Language::from_code(v))
    });
    from_cookie.map(locale).unwrap_or_else(|| leptos_i18n::locale::resolve_locale_with_options::<Locale>(I18nContextOptions::default().enable_cookie(false)))
}

/// Digits in groups of three: "12,345" in English, "12 345" (a narrow no-break space) in French.
pub fn number(locale: Locale, n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let separator = match locale {
        Locale::en => ",",
        Locale::fr => "\u{202F}",
    };
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 * 3 + 1);
    if n < 0 {
        out.push('-');
    }
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push_str(separator);
        }
        out.push(c);
    }
    out
}

/// A figure with `places` decimals: "1.6" in English, "1,6" in French.
pub fn decimal(locale: Locale, x: f64, places: usize) -> String {
    let text = format!("{x:.places$}");
    match locale {
        Locale::en => text,
        Locale::fr => text.replace('.', ","),
    }
}

/// A ratio to the median: "1.6×".
pub fn times(locale: Locale, x: f64) -> String {
    format!("{}×", decimal(locale, x, 1))
}

/// A share as a percentage: "38 %" in French, "38%" in English.
pub fn percent(locale: Locale, x: f64, places: usize) -> String {
    match locale {
        Locale::en => format!("{}%", decimal(locale, x, places)),
        Locale::fr => format!("{}\u{202F}%", decimal(locale, x, places)),
    }
}

/// "38 %": a share with a space before the sign, as the analytics and the control room write
/// it in both languages (`percent` writes the dashboard's "38%").
pub fn per_cent(locale: Locale, value: impl std::fmt::Display) -> String {
    td_string!(locale, common.percent_value, value).to_string()
}

/// "Monday" … "Sunday" (`0` is Monday, as in `crealia_model::analytics::WEEKDAYS`).
pub fn weekday(locale: Locale, monday_first: usize) -> String {
    match monday_first {
        0 => td_string!(locale, dates.monday).to_string(),
        1 => td_string!(locale, dates.tuesday).to_string(),
        2 => td_string!(locale, dates.wednesday).to_string(),
        3 => td_string!(locale, dates.thursday).to_string(),
        4 => td_string!(locale, dates.friday).to_string(),
        5 => td_string!(locale, dates.saturday).to_string(),
        _ => td_string!(locale, dates.sunday).to_string(),
    }
}

/// "Mon" … "Sun", "lun." … "dim.".
pub fn weekday_short(locale: Locale, monday_first: usize) -> String {
    match monday_first {
        0 => td_string!(locale, dates.mon).to_string(),
        1 => td_string!(locale, dates.tue).to_string(),
        2 => td_string!(locale, dates.wed).to_string(),
        3 => td_string!(locale, dates.thu).to_string(),
        4 => td_string!(locale, dates.fri).to_string(),
        5 => td_string!(locale, dates.sat).to_string(),
        _ => td_string!(locale, dates.sun).to_string(),
    }
}

/// "November", "novembre" (`1` is January).
pub fn month(locale: Locale, month: u32) -> String {
    match month {
        1 => td_string!(locale, dates.january).to_string(),
        2 => td_string!(locale, dates.february).to_string(),
        3 => td_string!(locale, dates.march).to_string(),
        4 => td_string!(locale, dates.april).to_string(),
        5 => td_string!(locale, dates.may).to_string(),
        6 => td_string!(locale, dates.june).to_string(),
        7 => td_string!(locale, dates.july).to_string(),
        8 => td_string!(locale, dates.august).to_string(),
        9 => td_string!(locale, dates.september).to_string(),
        10 => td_string!(locale, dates.october).to_string(),
        11 => td_string!(locale, dates.november).to_string(),
        _ => td_string!(locale, dates.december).to_string(),
    }
}

/// "Nov", "nov." (`1` is January).
pub fn month_short(locale: Locale, month: u32) -> String {
    match month {
        1 => td_string!(locale, dates.jan).to_string(),
        2 => td_string!(locale, dates.feb).to_string(),
        3 => td_string!(locale, dates.mar).to_string(),
        4 => td_string!(locale, dates.apr).to_string(),
        5 => td_string!(locale, dates.may_short).to_string(),
        6 => td_string!(locale, dates.jun).to_string(),
        7 => td_string!(locale, dates.jul).to_string(),
        8 => td_string!(locale, dates.aug).to_string(),
        9 => td_string!(locale, dates.sep).to_string(),
        10 => td_string!(locale, dates.oct).to_string(),
        11 => td_string!(locale, dates.nov).to_string(),
        _ => td_string!(locale, dates.dec).to_string(),
    }
}

/// "5 Dec 2026", "5 déc. 2026".
pub fn day_month_year(locale: Locale, date: NaiveDate) -> String {
    format!("{} {} {}", date.day(), month_short(locale, date.month()), date.year())
}

/// "Tue 24 Nov 2026", "mar. 24 nov. 2026".
pub fn weekday_day_month_year(locale: Locale, date: NaiveDate) -> String {
    format!("{} {}", weekday_short(locale, date.weekday().num_days_from_monday() as usize), day_month_year(locale, date))
}

/// "November 2026", "novembre 2026".
pub fn month_year(locale: Locale, date: NaiveDate) -> String {
    format!("{} {}", month(locale, date.month()), date.year())
}

/// "14:05 UTC": both languages write the 24-hour clock here.
pub fn clock_utc(t: DateTime<Utc>) -> String {
    format!("{:02}:{:02} UTC", t.hour(), t.minute())
}

/// "5 Dec 2026 14:05 UTC".
pub fn day_month_year_clock_utc(locale: Locale, t: DateTime<Utc>) -> String {
    format!("{} {}", day_month_year(locale, t.date_naive()), clock_utc(t))
}

/// A post's wall-clock time from its "2026-11-24" and "14:05": "Tue 24 Nov 2026, 14:05".
pub fn post_when(locale: Locale, date: &str, time: &str) -> String {
    match parse_date(date) {
        Some(d) => format!("{}, {time}", weekday_day_month_year(locale, d)),
        None => format!("{date} {time}"),
    }
}

/// "2026-11-24" (without chrono's parser, which would bring its formatter to the WASM).
pub fn parse_date(text: &str) -> Option<NaiveDate> {
    let mut parts = text.splitn(3, '-').map(str::parse::<u32>);
    let (y, m, d) = (parts.next()?.ok()?, parts.next()?.ok()?, parts.next()?.ok()?);
    NaiveDate::from_ymd_opt(i32::try_from(y).ok()?, m, d)
}

/// A post's kind: "Image", "Carousel", "Reel", "Story".
pub fn post_kind(locale: Locale, kind: PostKind) -> String {
    match kind {
        PostKind::Image => td_string!(locale, common.kind_image),
        PostKind::Carousel => td_string!(locale, common.kind_carousel),
        PostKind::Reel => td_string!(locale, common.kind_reel),
        PostKind::Story => td_string!(locale, common.kind_story),
    }
    .to_string()
}

/// A post's status: "PENDING", "EN ATTENTE"… (pages keep the English code in `data-status`).
pub fn post_status(locale: Locale, status: PostStatus) -> String {
    match status {
        PostStatus::Pending => td_string!(locale, common.status_pending),
        PostStatus::Publishing => td_string!(locale, common.status_publishing),
        PostStatus::Published => td_string!(locale, common.status_published),
        PostStatus::Failed => td_string!(locale, common.status_failed),
        PostStatus::Cancelled => td_string!(locale, common.status_cancelled),
    }
    .to_string()
}

/// Instagram's code for a published post's kind ("REELS", "CAROUSEL_ALBUM"…), as the recent
/// posts show it (`None`: a code this version does not know).
pub fn media_code(locale: Locale, code: &str) -> Option<String> {
    let label = match code {
        "FEED" => td_string!(locale, common.media_feed),
        "REELS" => td_string!(locale, common.media_reels),
        "STORY" => td_string!(locale, common.media_story),
        "IMAGE" => td_string!(locale, common.media_image),
        "VIDEO" => td_string!(locale, common.media_video),
        "CAROUSEL_ALBUM" => td_string!(locale, common.media_carousel_album),
        _ => return None,
    };
    Some(label.to_string())
}

/// A published post's format in words ("Image", "Carousel", "Reel", "Video"), from
/// Instagram's code (`None`: not a format).
pub fn media_format(locale: Locale, code: &str) -> Option<String> {
    match code {
        "IMAGE" => Some(post_kind(locale, PostKind::Image)),
        "CAROUSEL_ALBUM" => Some(post_kind(locale, PostKind::Carousel)),
        "REELS" => Some(post_kind(locale, PostKind::Reel)),
        "VIDEO" => Some(td_string!(locale, common.kind_video).to_string()),
        _ => None,
    }
}

/// What Crealia refused, said in the creator's language.
pub fn problem(locale: Locale, problem: &Problem) -> String {
    let status_word = |s: &PostStatus| match s {
        PostStatus::Pending => td_string!(locale, problems.status_pending),
        PostStatus::Publishing => td_string!(locale, problems.status_publishing),
        PostStatus::Published => td_string!(locale, problems.status_published),
        PostStatus::Failed => td_string!(locale, problems.status_failed),
        PostStatus::Cancelled => td_string!(locale, problems.status_cancelled),
    };
    match problem {
        Problem::TextOverLimit { text, limit, found, allowed } => {
            let (found, allowed) = (number(locale, *found as i64), number(locale, *allowed as i64));
            match (text, limit) {
                (PostText::Caption, TextLimit::Characters) => td_string!(locale, problems.caption_chars, found, allowed).to_string(),
                (PostText::Caption, TextLimit::Hashtags) => td_string!(locale, problems.caption_hashtags, found, allowed).to_string(),
                (PostText::Caption, TextLimit::Mentions) => td_string!(locale, problems.caption_mentions, found, allowed).to_string(),
                (PostText::FirstComment, TextLimit::Characters) => td_string!(locale, problems.comment_chars, found, allowed).to_string(),
                (PostText::FirstComment, TextLimit::Hashtags) => td_string!(locale, problems.comment_hashtags, found, allowed).to_string(),
                (PostText::FirstComment, TextLimit::Mentions) => td_string!(locale, problems.comment_mentions, found, allowed).to_string(),
            }
        }
        Problem::StoryCaption => td_string!(locale, problems.story_caption).to_string(),
        Problem::StoryComment => td_string!(locale, problems.story_comment).to_string(),
        Problem::CarouselSize { found } => td_string!(locale, problems.carousel_size, found).to_string(),
        Problem::OneMediaFile => td_string!(locale, problems.one_media_file).to_string(),
        Problem::ImageNeedsImage => td_string!(locale, problems.image_needs_image).to_string(),
        Problem::ReelNeedsVideo => td_string!(locale, problems.reel_needs_video).to_string(),
        Problem::AltTextTooLong { allowed } => td_string!(locale, problems.alt_text_too_long, allowed = number(locale, *allowed as i64)).to_string(),
        Problem::AltTextNotForKind => td_string!(locale, problems.alt_text_not_for_kind).to_string(),
        Problem::NoAccountChosen => td_string!(locale, problems.no_account_chosen).to_string(),
        Problem::TimePassed { publish_now: true } => td_string!(locale, problems.time_passed_publish_now).to_string(),
        Problem::TimePassed { publish_now: false } => td_string!(locale, problems.time_passed).to_string(),
        Problem::UndoExpired { seconds } => td_string!(locale, problems.undo_expired, seconds).to_string(),
        Problem::AlreadyPublished => td_string!(locale, problems.already_published).to_string(),
        Problem::NotEditable { status } => td_string!(locale, problems.not_editable, status = status_word(status)).to_string(),
        Problem::BeingPublished => td_string!(locale, problems.being_published).to_string(),
        Problem::WrongStatus { status, change: PostChange::Cancel } => td_string!(locale, problems.cannot_cancel, status = status_word(status)).to_string(),
        Problem::WrongStatus { status, change: PostChange::Retry } => td_string!(locale, problems.cannot_retry, status = status_word(status)).to_string(),
        Problem::UnknownTimeZone { zone } => td_string!(locale, problems.unknown_time_zone, zone).to_string(),
        Problem::SkippedTime { date, time, zone } => {
            let date = parse_date(date).map_or_else(|| date.clone(), |d| day_month_year(locale, d));
            td_string!(locale, problems.skipped_time, date, time, zone).to_string()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_grouped_as_each_language_writes_them() {
        assert_eq!(number(Locale::en, 1_234_567), "1,234,567");
        assert_eq!(number(Locale::fr, 1_234_567), "1\u{202F}234\u{202F}567");
        assert_eq!(number(Locale::en, -999), "-999");
        assert_eq!(number(Locale::fr, 1000), "1\u{202F}000");
        assert_eq!(decimal(Locale::fr, 1.64, 1), "1,6");
        assert_eq!(times(Locale::en, 1.64), "1.6×");
        assert_eq!(percent(Locale::fr, 38.0, 0), "38\u{202F}%");
    }

    #[test]
    fn dates_use_each_languages_names() {
        let d = NaiveDate::from_ymd_opt(2026, 11, 24).unwrap();
        assert_eq!(weekday_day_month_year(Locale::en, d), "Tue 24 Nov 2026");
        assert_eq!(weekday_day_month_year(Locale::fr, d), "mar. 24 nov. 2026");
        assert_eq!(month_year(Locale::fr, d), "novembre 2026");
        assert_eq!(post_when(Locale::fr, "2026-11-24", "14:05"), "mar. 24 nov. 2026, 14:05");
    }

    #[test]
    fn every_refusal_reads_in_english_as_the_api_says_it_and_differently_in_french() {
        use crealia_model::problem::{PostChange, PostText, Problem, TextLimit};
        let all = [
            Problem::TextOverLimit { text: PostText::Caption, limit: TextLimit::Hashtags, found: 31, allowed: 30 },
            Problem::TextOverLimit { text: PostText::FirstComment, limit: TextLimit::Mentions, found: 21, allowed: 20 },
            Problem::StoryCaption,
            Problem::StoryComment,
            Problem::CarouselSize { found: 11 },
            Problem::OneMediaFile,
            Problem::ImageNeedsImage,
            Problem::ReelNeedsVideo,
            Problem::AltTextTooLong { allowed: 100 },
            Problem::AltTextNotForKind,
            Problem::NoAccountChosen,
            Problem::TimePassed { publish_now: true },
            Problem::TimePassed { publish_now: false },
            Problem::UndoExpired { seconds: 10 },
            Problem::AlreadyPublished,
            Problem::NotEditable { status: PostStatus::Published },
            Problem::BeingPublished,
            Problem::WrongStatus { status: PostStatus::Pending, change: PostChange::Retry },
            Problem::WrongStatus { status: PostStatus::Published, change: PostChange::Cancel },
            Problem::UnknownTimeZone { zone: "Mars/Olympus".into() },
        ];
        for p in &all {
            assert_eq!(problem(Locale::en, p), p.to_string());
            assert_ne!(problem(Locale::fr, p), p.to_string(), "{p}");
        }
        let gap = Problem::SkippedTime { date: "2026-03-29".into(), time: "02:30".into(), zone: "Europe/Paris".into() };
        assert_eq!(
            problem(Locale::fr, &gap),
            "29 mars 2026 02:30 n’existe pas dans le fuseau Europe/Paris (les horloges avancent à ce moment-là). Choisissez une autre heure."
        );
    }

    #[test]
    fn the_cookie_and_the_stored_language_agree() {
        for l in Language::ALL {
            assert_eq!(language(locale(l)), l);
        }
        assert_eq!(cookie_header(Language::French), "crealia_lang=fr; Path=/; Max-Age=31536000; SameSite=Lax");
    }
}
