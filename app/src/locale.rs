//! The creator's language beyond the words: where it is remembered (a cookie on this browser,
//! the `users.language` column for every browser), and numbers and dates written the way each
//! language writes them ("12,345" and "Tue 24 Nov" in English, "12 345" and "mar. 24 nov." in
//! French). The names of days and months are translations like any other, in
//! `locales/*/dates.json`.

use chrono::{DateTime, Datelike, NaiveDate, Timelike, Utc};
use crealia_graph::failure::Failure;
use crealia_model::language::Language;
use crealia_model::post_note::PostNote;
use crealia_model::problem::{PostChange, PostText, Problem, TextLimit, VideoFault};
use crealia_model::publishing::{PostKind, PostStatus};

use crate::i18n::{td_string, Locale};

/// The cookie that carries the language on this browser. Not `HttpOnly`: the switch in the
/// browser writes it, and the server reads it to render the first page in that language.
pub const COOKIE: &str = "crealia_lang";

/// A year, in seconds.
const COOKIE_MAX_AGE: i64 = 365 * 24 * 3600;

/// The cookie naming `language`: site-wide (a cookie without `Path` would hold only under the
/// page that set it), kept for a year, sent on same-site requests only. The server sets it when
/// a creator signs in with a language of their own; the switch in the top bar writes it in the
/// browser ([`remember_in_browser`]).
pub fn cookie_header(language: Language) -> String {
    format!("{COOKIE}={}; Path=/; Max-Age={COOKIE_MAX_AGE}; SameSite=Lax", language.code())
}

/// Writes the language cookie in this browser, so the next page the server renders is in that
/// language. (Written here rather than by leptos_i18n's cookie feature, whose cookie parser and
/// dates would weigh on every page's WASM.)
#[cfg(feature = "hydrate")]
pub fn remember_in_browser(language: Language) {
    let document = leptos::prelude::document();
    // `document.cookie = …` sets one cookie; web-sys puts that setter on `HtmlDocument` only.
    let _ = js_sys::Reflect::set(&document, &"cookie".into(), &cookie_header(language).into());
}

/// Where the i18n context learns the language of the page being rendered on the server: the
/// cookie, else the browser's `Accept-Language` ([`of_request`]), handed over as the one
/// language leptos-use's `use_locales` then reads. In the browser the page's `<html lang>`,
/// which the server wrote, is read first.
pub fn language_source() -> leptos_use::UseLocalesOptions {
    #[cfg(feature = "ssr")]
    {
        use leptos_i18n::Locale as _;
        leptos_use::UseLocalesOptions::default().ssr_lang_header_getter(|| Some(of_request().as_str().to_string()))
    }
    #[cfg(not(feature = "ssr"))]
    leptos_use::UseLocalesOptions::default()
}

/// The page's i18n context (not yet provided), its language from [`language_source`].
///
/// On the server, leptos_i18n's context starts an isomorphic effect that would write its own
/// language cookie (a feature Crealia leaves off): a task per request, spawned, that finds the
/// page's language signal disposed whenever the render has finished before it runs, and panics
/// ("Tried to access a reactive value that has already been disposed", once in 40 control-room
/// renders under `scripts/bench-status`). Made under an owner of its own that is paused, the
/// effect never runs there; the owner lives as long as the page's.
pub fn page_context() -> leptos_i18n::I18nContext<Locale> {
    use leptos_i18n::context::{init_i18n_context_with_options, I18nContextOptions};
    let options = I18nContextOptions::<Locale>::default().ssr_lang_header_getter(language_source());
    #[cfg(feature = "ssr")]
    {
        use leptos::prelude::{Owner, StoredValue};
        let owner = Owner::current().map_or_else(Owner::new, |page| page.child());
        let context = owner.with(|| init_i18n_context_with_options::<Locale>(options));
        owner.pause();
        StoredValue::new(owner);
        context
    }
    #[cfg(not(feature = "ssr"))]
    init_i18n_context_with_options::<Locale>(options)
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
    leptos::prelude::use_context::<http::request::Parts>().map_or(Locale::en, |parts| of_headers(&parts.headers))
}

/// [`of_request`] for a route outside Leptos (a download): the same headers, the same answer.
#[cfg(feature = "ssr")]
pub fn of_headers(headers: &http::HeaderMap) -> Locale {
    let text = |name| headers.get_all(name).iter().filter_map(|v| v.to_str().ok()).collect::<Vec<_>>().join(",");
    let cookies = text(http::header::COOKIE).replace(',', ";");
    let from_cookie =
        cookies.split(';').filter_map(|pair| pair.trim().split_once('=')).find(|(name, _)| *name == COOKIE).and_then(|(_, v)| Language::from_code(v));
    from_cookie.or_else(|| preferred(&text(http::header::ACCEPT_LANGUAGE))).map_or(Locale::en, locale)
}

/// The first language of `Accept-Language` ("fr-CA,fr;q=0.9,en;q=0.8") Crealia speaks, by the
/// browser's weights (`q`), ties in the order given.
pub fn preferred(accept_language: &str) -> Option<Language> {
    let mut ranked: Vec<(f32, Language)> = accept_language
        .split(',')
        .filter_map(|entry| {
            let mut parts = entry.split(';');
            let tag = parts.next()?.trim();
            let q = parts.find_map(|p| p.trim().strip_prefix("q=")).map_or(Some(1.0), |q| q.trim().parse::<f32>().ok())?;
            let primary = tag.split(['-', '_']).next()?.to_ascii_lowercase();
            Some((q, Language::from_code(&primary)?)).filter(|(q, _)| *q > 0.0)
        })
        .collect();
    ranked.sort_by(|a, b| b.0.total_cmp(&a.0));
    ranked.first().map(|(_, l)| *l)
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
        PostStatus::Draft => td_string!(locale, common.status_draft),
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
        PostStatus::Draft => td_string!(locale, problems.status_draft),
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
        Problem::Param(p) => param_problem(locale, p),
        Problem::CoverNotImage => td_string!(locale, problems.cover_not_image).to_string(),
        Problem::TooManyPending { max } => td_string!(locale, problems.too_many_pending, max = number(locale, *max as i64)).to_string(),
        Problem::PlaceSearchUnavailable => td_string!(locale, problems.place_search_unavailable).to_string(),
        Problem::MediaInUse { posts } => td_string!(locale, problems.media_in_use, posts = number(locale, *posts as i64)).to_string(),
        Problem::BulkTooLarge { max_kb } => td_string!(locale, problems.bulk_too_large, max_kb = number(locale, *max_kb as i64)).to_string(),
        Problem::BulkTooManyLines { max } => td_string!(locale, problems.bulk_too_many_lines, max = number(locale, *max as i64)).to_string(),
        Problem::BulkColumn { name } => td_string!(locale, problems.bulk_column, name = name.clone()).to_string(),
        Problem::BulkEmpty => td_string!(locale, problems.bulk_empty).to_string(),
        Problem::BulkNotCsv => td_string!(locale, problems.bulk_not_csv).to_string(),
        Problem::BulkDate { value } => td_string!(locale, problems.bulk_date, value = value.clone()).to_string(),
        Problem::BulkTime { value } => td_string!(locale, problems.bulk_time, value = value.clone()).to_string(),
        Problem::BulkFileUnknown { name } => td_string!(locale, problems.bulk_file_unknown, name = name.clone()).to_string(),
        Problem::BulkKind { value } => td_string!(locale, problems.bulk_kind, value = value.clone()).to_string(),
        Problem::BulkRefused { lines } => td_string!(locale, problems.bulk_refused, lines = number(locale, *lines as i64)).to_string(),
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
        Problem::WrongStatus { status, change: PostChange::Schedule } => td_string!(locale, problems.cannot_schedule, status = status_word(status)).to_string(),
        Problem::TooManyDrafts { max } => td_string!(locale, problems.too_many_drafts, max).to_string(),
        Problem::UnknownTimeZone { zone } => td_string!(locale, problems.unknown_time_zone, zone).to_string(),
        Problem::SkippedTime { date, time, zone } => {
            let date = parse_date(date).map_or_else(|| date.clone(), |d| day_month_year(locale, d));
            td_string!(locale, problems.skipped_time, date, time, zone).to_string()
        }
        Problem::NotMedia => td_string!(locale, problems.not_media).to_string(),
        Problem::NotAnImage => td_string!(locale, problems.not_an_image).to_string(),
        Problem::ImageUnreadable => td_string!(locale, problems.image_unreadable).to_string(),
        Problem::ImageTooManyPixels { width, height, megapixels, side } => {
            td_string!(locale, problems.image_too_many_pixels, width, height, megapixels, side).to_string()
        }
        Problem::ImageTooExtreme { width, height } => td_string!(locale, problems.image_too_extreme, width, height).to_string(),
        Problem::VideoUnusable { fault } => {
            let why = match fault {
                VideoFault::NotIsoMedia => td_string!(locale, problems.video_not_iso_media),
                VideoFault::Damaged => td_string!(locale, problems.video_damaged),
                VideoFault::NoMovieHeader => td_string!(locale, problems.video_no_movie_header),
                VideoFault::NoVideoTrack => td_string!(locale, problems.video_no_video_track),
                VideoFault::HeaderTooLarge => td_string!(locale, problems.video_header_too_large),
                VideoFault::Unreadable => td_string!(locale, problems.video_unreadable),
            };
            td_string!(locale, problems.video_unusable, why).to_string()
        }
        Problem::ImageFileTooLarge { bytes, as_jpeg: false } => td_string!(locale, problems.image_file_too_large, size = megabytes(locale, *bytes)).to_string(),
        Problem::ImageFileTooLarge { bytes, as_jpeg: true } => td_string!(locale, problems.image_jpeg_too_large, size = megabytes(locale, *bytes)).to_string(),
        Problem::StorageFull { used, quota } => {
            td_string!(locale, problems.storage_full, used = megabytes(locale, *used), quota = megabytes(locale, *quota)).to_string()
        }
        Problem::FileEmpty => td_string!(locale, problems.file_empty).to_string(),
        Problem::FileTooLarge { megabytes } => td_string!(locale, problems.file_too_large, megabytes).to_string(),
        Problem::UploadTooSlow => td_string!(locale, problems.upload_too_slow).to_string(),
        Problem::UploadInterrupted => td_string!(locale, problems.upload_interrupted).to_string(),
        Problem::UploadRestarting => td_string!(locale, problems.upload_restarting).to_string(),
        Problem::UploadNotStored => td_string!(locale, problems.upload_not_stored).to_string(),
        Problem::FrameUnknown => td_string!(locale, problems.frame_unknown).to_string(),
        Problem::OnlyImagesReframed => td_string!(locale, problems.only_images_reframed).to_string(),
        Problem::PaddedTooLarge { width, height, frame, new_width, new_height } => {
            td_string!(locale, problems.padded_too_large, width, height, frame, new_width, new_height).to_string()
        }
        Problem::MediaGone { item } => td_string!(locale, problems.media_gone, which = which(locale, *item)).to_string(),
        Problem::ReelGotImage => td_string!(locale, problems.reel_got_image).to_string(),
        Problem::MediaTooLarge { item, bytes } => {
            td_string!(locale, problems.media_too_large, which = which(locale, *item), size = megabytes(locale, *bytes)).to_string()
        }
        Problem::ImageShape { item, width, height } => {
            let ratio = decimal(locale, f64::from(*width) / f64::from((*height).max(1)), 2);
            td_string!(locale, problems.image_shape, which = which(locale, *item), width, height, ratio).to_string()
        }
        Problem::VideoLength { item, tenths, reel } => {
            let seconds = decimal(locale, *tenths as f64 / 10.0, 1);
            let which = which(locale, *item);
            match reel {
                true => td_string!(locale, problems.reel_length, which, seconds).to_string(),
                false => td_string!(locale, problems.video_length, which, seconds).to_string(),
            }
        }
        Problem::EmailInvalid => td_string!(locale, problems.email_invalid).to_string(),
        Problem::PasswordTooShort { min } => td_string!(locale, problems.password_too_short, min).to_string(),
        Problem::EmailUnavailable => td_string!(locale, problems.email_unavailable).to_string(),
        Problem::TokenName => td_string!(locale, problems.token_name).to_string(),
        Problem::TokenNoScope => td_string!(locale, problems.token_no_scope).to_string(),
        Problem::TooManyTokens { max } => td_string!(locale, problems.too_many_tokens, max).to_string(),
        Problem::SnippetName { max } => td_string!(locale, problems.snippet_name, max).to_string(),
        Problem::SnippetEmpty => td_string!(locale, problems.snippet_empty).to_string(),
        Problem::NotHashtags => td_string!(locale, problems.not_hashtags).to_string(),
        Problem::TooManySnippets { max } => td_string!(locale, problems.too_many_snippets, max).to_string(),
        Problem::ReplyEmpty => td_string!(locale, problems.reply_empty).to_string(),
        Problem::ReplyTooLong { max } => td_string!(locale, problems.reply_too_long, max).to_string(),
        Problem::SenderUnknown => td_string!(locale, problems.sender_unknown).to_string(),
        Problem::CommentGone => td_string!(locale, problems.comment_gone).to_string(),
        Problem::MessageWindowClosed => td_string!(locale, problems.message_window_closed).to_string(),
        Problem::SenderGone => td_string!(locale, problems.sender_gone).to_string(),
        Problem::YearOutOfRange { from, to } => td_string!(locale, problems.year_out_of_range, from, to).to_string(),
        Problem::RangeNotOffered => {
            let [a, b, c] = crealia_model::RANGES;
            td_string!(locale, problems.range_not_offered, a, b, c).to_string()
        }
    }
}

/// "12.3 MB" / "12,3 Mo".
/// One of Instagram's other publishing parameters, as refused.
fn param_problem(locale: Locale, problem: &crealia_graph::rules::ParamProblem) -> String {
    use crealia_graph::rules::{Param, ParamProblem, MAX_AUDIO_NAME_CHARS, MAX_COLLABORATORS, MAX_USER_TAGS};
    let n = |x: usize| number(locale, x as i64);
    match problem {
        ParamProblem::NotForKind { param } => {
            let what = match param {
                Param::Collaborators => td_string!(locale, problems.param_collaborators),
                Param::UserTags => td_string!(locale, problems.param_user_tags),
                Param::LocationId => td_string!(locale, problems.param_location),
                Param::ShareToFeed => td_string!(locale, problems.param_share_to_feed),
                Param::CoverUrl => td_string!(locale, problems.param_cover),
                Param::ThumbOffset => td_string!(locale, problems.param_thumb_offset),
                Param::AudioName => td_string!(locale, problems.param_audio_name),
                Param::TrialParams => td_string!(locale, problems.param_trial),
            };
            let on = match param {
                Param::Collaborators | Param::LocationId => td_string!(locale, problems.param_on_feed),
                Param::UserTags => td_string!(locale, problems.param_on_pictures),
                _ => td_string!(locale, problems.param_on_reels),
            };
            td_string!(locale, problems.param_not_for_kind, what, on).to_string()
        }
        ParamProblem::TooManyCollaborators { found } => {
            td_string!(locale, problems.param_too_many_collaborators, allowed = n(MAX_COLLABORATORS), found = n(*found)).to_string()
        }
        ParamProblem::Username { name } => td_string!(locale, problems.param_username, name = name.clone()).to_string(),
        ParamProblem::TooManyTags { found } => td_string!(locale, problems.param_too_many_tags, allowed = n(MAX_USER_TAGS), found = n(*found)).to_string(),
        ParamProblem::TagOutside => td_string!(locale, problems.param_tag_outside).to_string(),
        ParamProblem::ThumbOffset { offset_ms, length_ms } => {
            let seconds = |ms: u64| decimal(locale, ms as f64 / 1000.0, 1);
            td_string!(locale, problems.param_thumb_offset_range, offset = seconds(*offset_ms), length = seconds(*length_ms)).to_string()
        }
        ParamProblem::AudioName { found } => {
            td_string!(locale, problems.param_audio_name_long, found = n(*found), allowed = n(MAX_AUDIO_NAME_CHARS)).to_string()
        }
        ParamProblem::LocationId => td_string!(locale, problems.param_location_id).to_string(),
    }
}

pub fn megabytes(locale: Locale, bytes: u64) -> String {
    td_string!(locale, problems.megabytes, size = decimal(locale, crealia_model::problem::megabytes(bytes), 1)).to_string()
}

/// Which file of a post a refusal is about: "Item 2 of the post" or "The media file".
fn which(locale: Locale, item: Option<usize>) -> String {
    match item {
        Some(n) => td_string!(locale, problems.which_item, n).to_string(),
        None => td_string!(locale, problems.which_file).to_string(),
    }
}

/// What a Graph API failure means, in the creator's language.
pub fn failure(locale: Locale, failure: Failure) -> String {
    match failure {
        Failure::ImageTooLarge => td_string!(locale, problems.failure_image_too_large),
        Failure::JpegOnly => td_string!(locale, problems.failure_jpeg_only),
        Failure::ImageShape => td_string!(locale, problems.failure_image_shape),
        Failure::CaptionLimits => td_string!(locale, problems.failure_caption_limits),
        Failure::MediaDownload => td_string!(locale, problems.failure_media_download),
        Failure::VideoFormat => td_string!(locale, problems.failure_video_format),
        Failure::AccountRestricted => td_string!(locale, problems.failure_account_restricted),
        Failure::CarouselItems => td_string!(locale, problems.failure_carousel_items),
        Failure::DailyLimit => td_string!(locale, problems.failure_daily_limit),
        Failure::AccessRevoked => td_string!(locale, problems.failure_access_revoked),
        Failure::RateLimited => td_string!(locale, problems.failure_rate_limited),
        Failure::Temporary => td_string!(locale, problems.failure_temporary),
        Failure::Refused => td_string!(locale, problems.failure_refused),
        Failure::AccessRefused => td_string!(locale, problems.failure_access_refused),
        Failure::Unreachable => td_string!(locale, problems.failure_unreachable),
        Failure::Unexpected => td_string!(locale, problems.failure_unexpected),
    }
    .to_string()
}

/// What happened to a post, in the creator's language.
pub fn post_note(locale: Locale, note: &PostNote) -> String {
    match note {
        PostNote::Instagram { failure: f, retrying: false } => failure(locale, *f),
        PostNote::Instagram { failure: f, retrying: true } => td_string!(locale, problems.note_retrying, what = failure(locale, *f)).to_string(),
        PostNote::OurSide => td_string!(locale, problems.note_our_side).to_string(),
        PostNote::NeedsReconnect => failure(locale, Failure::AccessRevoked),
        PostNote::Disconnected => td_string!(locale, problems.note_disconnected).to_string(),
        PostNote::DisconnectedUnsettled => td_string!(locale, problems.note_disconnected_unsettled).to_string(),
        PostNote::Processing => td_string!(locale, problems.note_processing).to_string(),
        PostNote::UploadExpired => td_string!(locale, problems.note_upload_expired).to_string(),
        PostNote::ProcessingFailed => td_string!(locale, problems.note_processing_failed).to_string(),
        PostNote::QuotaUsed { total: Some(total) } => td_string!(locale, problems.note_quota_total, total).to_string(),
        PostNote::QuotaUsed { total: None } => td_string!(locale, problems.note_quota).to_string(),
        PostNote::GaveUp { last: Some(last), tries } => td_string!(locale, problems.note_gave_up_after, what = post_note(locale, last), tries).to_string(),
        PostNote::GaveUp { last: None, tries } => td_string!(locale, problems.note_gave_up, tries).to_string(),
        PostNote::WaitedTooLong { waited, minutes } => td_string!(locale, problems.note_waited, what = post_note(locale, waited), minutes).to_string(),
        PostNote::FirstCommentFailed { failure: Some(f) } => td_string!(locale, problems.note_first_comment_why, why = failure(locale, *f)).to_string(),
        PostNote::FirstCommentFailed { failure: None } => td_string!(locale, problems.note_first_comment).to_string(),
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
        use crealia_graph::rules::{Param, ParamProblem};
        use crealia_model::problem::{PostChange, PostText, Problem, TextLimit, VideoFault};
        let all = [
            Problem::TextOverLimit { text: PostText::Caption, limit: TextLimit::Hashtags, found: 31, allowed: 30 },
            Problem::TextOverLimit { text: PostText::FirstComment, limit: TextLimit::Mentions, found: 21, allowed: 20 },
            Problem::StoryCaption,
            Problem::StoryComment,
            Problem::Param(ParamProblem::NotForKind { param: Param::ShareToFeed }),
            Problem::Param(ParamProblem::NotForKind { param: Param::UserTags }),
            Problem::Param(ParamProblem::NotForKind { param: Param::Collaborators }),
            Problem::Param(ParamProblem::TooManyCollaborators { found: 4 }),
            Problem::Param(ParamProblem::Username { name: "ana b".into() }),
            Problem::Param(ParamProblem::TooManyTags { found: 21 }),
            Problem::Param(ParamProblem::TagOutside),
            Problem::Param(ParamProblem::ThumbOffset { offset_ms: 12_500, length_ms: 10_000 }),
            Problem::Param(ParamProblem::AudioName { found: 101 }),
            Problem::Param(ParamProblem::LocationId),
            Problem::CoverNotImage,
            Problem::MediaInUse { posts: 2 },
            Problem::PlaceSearchUnavailable,
            Problem::TooManyPending { max: 5_000 },
            Problem::BulkTooLarge { max_kb: 512 },
            Problem::BulkTooManyLines { max: 200 },
            Problem::BulkColumn { name: "media".into() },
            Problem::BulkEmpty,
            Problem::BulkNotCsv,
            Problem::BulkDate { value: "2026-13-01".into() },
            Problem::BulkTime { value: "9h30".into() },
            Problem::BulkFileUnknown { name: "cake.jpg".into() },
            Problem::BulkKind { value: "hologram".into() },
            Problem::BulkRefused { lines: 3 },
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
            Problem::WrongStatus { status: PostStatus::Pending, change: PostChange::Schedule },
            Problem::WrongStatus { status: PostStatus::Draft, change: PostChange::Retry },
            Problem::TooManyDrafts { max: 500 },
            Problem::UnknownTimeZone { zone: "Mars/Olympus".into() },
            Problem::NotMedia,
            Problem::NotAnImage,
            Problem::ImageUnreadable,
            Problem::ImageTooManyPixels { width: 20_000, height: 9_000, megapixels: 50, side: 12_000 },
            Problem::ImageTooExtreme { width: 5_000, height: 100 },
            Problem::ImageFileTooLarge { bytes: 9_500_000, as_jpeg: false },
            Problem::ImageFileTooLarge { bytes: 9_500_000, as_jpeg: true },
            Problem::StorageFull { used: 500 << 20, quota: 512 << 20 },
            Problem::FileEmpty,
            Problem::FileTooLarge { megabytes: 300 },
            Problem::UploadTooSlow,
            Problem::UploadInterrupted,
            Problem::UploadRestarting,
            Problem::UploadNotStored,
            Problem::FrameUnknown,
            Problem::OnlyImagesReframed,
            Problem::PaddedTooLarge { width: 9_000, height: 900, frame: "4:5".into(), new_width: 9_000, new_height: 11_250 },
            Problem::MediaGone { item: Some(2) },
            Problem::MediaGone { item: None },
            Problem::ReelGotImage,
            Problem::MediaTooLarge { item: Some(3), bytes: 9_000_000 },
            Problem::ImageShape { item: None, width: 1080, height: 1920 },
            Problem::VideoLength { item: None, tenths: 20, reel: true },
            Problem::VideoLength { item: Some(1), tenths: 754, reel: false },
            Problem::EmailInvalid,
            Problem::PasswordTooShort { min: 10 },
            Problem::EmailUnavailable,
            Problem::TokenName,
            Problem::TokenNoScope,
            Problem::TooManyTokens { max: 20 },
            Problem::SnippetName { max: 60 },
            Problem::SnippetEmpty,
            Problem::NotHashtags,
            Problem::TooManySnippets { max: 100 },
            Problem::ReplyEmpty,
            Problem::ReplyTooLong { max: 1000 },
            Problem::SenderUnknown,
            Problem::CommentGone,
            Problem::MessageWindowClosed,
            Problem::SenderGone,
            Problem::YearOutOfRange { from: 1970, to: 9999 },
            Problem::RangeNotOffered,
        ];
        let faults = [
            VideoFault::NotIsoMedia,
            VideoFault::Damaged,
            VideoFault::NoMovieHeader,
            VideoFault::NoVideoTrack,
            VideoFault::HeaderTooLarge,
            VideoFault::Unreadable,
        ];
        let all = all.into_iter().chain(faults.map(|fault| Problem::VideoUnusable { fault })).collect::<Vec<_>>();
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
    fn every_post_note_reads_in_english_as_stored_and_differently_in_french() {
        let mut all: Vec<PostNote> = Failure::ALL.iter().flat_map(|&failure| [false, true].map(|retrying| PostNote::Instagram { failure, retrying })).collect();
        all.extend(Failure::ALL.iter().map(|&f| PostNote::FirstCommentFailed { failure: Some(f) }));
        all.extend([
            PostNote::OurSide,
            PostNote::NeedsReconnect,
            PostNote::Disconnected,
            PostNote::DisconnectedUnsettled,
            PostNote::Processing,
            PostNote::UploadExpired,
            PostNote::ProcessingFailed,
            PostNote::QuotaUsed { total: Some(100) },
            PostNote::QuotaUsed { total: None },
            PostNote::GaveUp { last: Some(Box::new(PostNote::OurSide)), tries: 8 },
            PostNote::GaveUp { last: None, tries: 8 },
            PostNote::WaitedTooLong { waited: Box::new(PostNote::Processing), minutes: 30 },
            PostNote::FirstCommentFailed { failure: None },
        ]);
        for note in &all {
            assert_eq!(post_note(Locale::en, note), note.to_string());
            assert_ne!(post_note(Locale::fr, note), note.to_string(), "{note}");
        }
        let waited = PostNote::WaitedTooLong { waited: Box::new(PostNote::Processing), minutes: 30 };
        assert_eq!(
            post_note(Locale::fr, &waited),
            "Instagram traite encore la vidéo. Crealia a attendu 30 minutes, plus qu’Instagram ne devrait prendre\u{a0}; relancez plus tard."
        );
        assert_eq!(megabytes(Locale::fr, 9_500_000), "9,1\u{a0}Mo");
    }

    #[test]
    fn the_browsers_first_language_crealia_speaks_wins() {
        assert_eq!(preferred("fr-CA,fr;q=0.9,en;q=0.8"), Some(Language::French));
        assert_eq!(preferred("de-DE,en;q=0.5,fr;q=0.4"), Some(Language::English));
        assert_eq!(preferred("en;q=0.3, FR ;q=0.7"), Some(Language::French));
        assert_eq!(preferred("fr;q=0,en"), Some(Language::English), "q=0 means not this one");
        assert_eq!(preferred("ja"), None);
        assert_eq!(preferred(";;,=,q=,fr;q=abc"), None, "junk is no preference");
    }

    #[test]
    fn the_cookie_and_the_stored_language_agree() {
        for l in Language::ALL {
            assert_eq!(language(locale(l)), l);
        }
        assert_eq!(cookie_header(Language::French), "crealia_lang=fr; Path=/; Max-Age=31536000; SameSite=Lax");
    }
}
