//! The error every server function returns. Its `Display` is what a creator reads: what went
//! wrong and what to do. Internal details are logged on the server under a reference the
//! creator can quote, and never sent to the browser.

use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

use crate::i18n::{td_string, Locale};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    #[error("Please sign in to continue.")]
    Unauthorized,
    #[error("We couldn't find that. It may have been removed, or it belongs to another account.")]
    NotFound,
    #[error("{0}")]
    Invalid(String),
    /// Refused for a reason said in the creator's language ([`Refusal`]).
    #[error("{0}")]
    Refused(Refusal),
    #[error("Your Instagram account needs to be reconnected. Open Accounts and choose Reconnect.")]
    NeedsReconnect,
    #[error("{0} Please try again in a moment.")]
    Unavailable(String),
    #[error("Something went wrong on our side. Please try again; if it keeps happening, contact support and quote {0}.")]
    Internal(String),
    #[error("Crealia could not be reached. Check your connection and try again.")]
    Network,
    #[error("The email or password is not right. Check both and try again.")]
    InvalidCredentials,
    /// The wait in seconds.
    #[error("Too many attempts. For your safety, wait {} before trying again.", wait_text(.0))]
    TooManyAttempts(u64),
}

/// A refusal as the creator reads it, worded by the server in each language Crealia speaks, so
/// a page switched to the other language says it again without asking, and the browser's WASM
/// carries no table of every refusal (`crate::locale::problem` stays on the server, and in the
/// composer's lazily loaded code for the checks it makes as the creator types). On the server
/// it keeps the problem itself, which the JSON API answers with as data.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Refusal {
    en: String,
    fr: String,
    #[cfg(feature = "ssr")]
    #[serde(skip)]
    problem: Option<crealia_model::problem::Problem>,
}

impl Refusal {
    #[cfg(feature = "ssr")]
    pub fn new(problem: crealia_model::problem::Problem) -> Self {
        Refusal { en: crate::locale::problem(Locale::en, &problem), fr: crate::locale::problem(Locale::fr, &problem), problem: Some(problem) }
    }

    /// The refusal in `locale`.
    pub fn said(&self, locale: Locale) -> &str {
        match locale {
            Locale::en => &self.en,
            Locale::fr => &self.fr,
        }
    }

    /// The problem as data (code and figures), for the JSON API.
    #[cfg(feature = "ssr")]
    pub fn problem(&self) -> Option<&crealia_model::problem::Problem> {
        self.problem.as_ref()
    }
}

/// In English: the JSON API's `error` and the logs (on the server, as the problem says it,
/// figures unformatted: "2201 characters").
impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        #[cfg(feature = "ssr")]
        if let Some(problem) = &self.problem {
            return problem.fmt(f);
        }
        f.write_str(&self.en)
    }
}

/// "45 seconds", "1 minute", "15 minutes".
fn wait_text(secs: &u64) -> String {
    let secs = *secs;
    match secs {
        0..=1 => "a second".into(),
        2..=59 => format!("{secs} seconds"),
        60..=119 => "a minute".into(),
        _ => format!("{} minutes", secs.div_ceil(60)),
    }
}

impl AppError {
    /// What the creator reads, in their language. (`Display` is the English one, for the JSON
    /// API and the logs.) A validation message comes from the service as it is.
    pub fn localized(&self, locale: Locale) -> String {
        match self {
            AppError::Unauthorized => td_string!(locale, errors.unauthorized).to_string(),
            AppError::NotFound => td_string!(locale, errors.not_found).to_string(),
            AppError::Invalid(message) => message.clone(),
            AppError::Refused(refusal) => refusal.said(locale).to_string(),
            AppError::NeedsReconnect => td_string!(locale, errors.needs_reconnect).to_string(),
            AppError::Unavailable(_) => td_string!(locale, errors.unavailable).to_string(),
            AppError::Internal(reference) => td_string!(locale, errors.internal, reference).to_string(),
            AppError::Network => td_string!(locale, errors.network).to_string(),
            AppError::InvalidCredentials => td_string!(locale, errors.invalid_credentials).to_string(),
            AppError::TooManyAttempts(secs) => {
                let wait = match *secs {
                    0..=1 => td_string!(locale, errors.wait_second).to_string(),
                    n @ 2..=59 => td_string!(locale, errors.wait_seconds, n).to_string(),
                    60..=119 => td_string!(locale, errors.wait_minute).to_string(),
                    n => td_string!(locale, errors.wait_minutes, n = n.div_ceil(60)).to_string(),
                };
                td_string!(locale, errors.too_many_attempts, wait).to_string()
            }
        }
    }

    /// The HTTP status this error is answered with.
    pub fn status_code(&self) -> u16 {
        match self {
            AppError::Unauthorized => 401,
            AppError::NotFound => 404,
            AppError::Invalid(_) | AppError::Refused(_) => 422,
            AppError::NeedsReconnect => 409,
            AppError::Unavailable(_) => 503,
            AppError::Internal(_) | AppError::Network => 500,
            AppError::InvalidCredentials => 401,
            AppError::TooManyAttempts(_) => 429,
        }
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        let error = match value {
            ServerFnErrorErr::Request(_) => AppError::Network,
            ServerFnErrorErr::Args(msg) | ServerFnErrorErr::MissingArg(msg) => AppError::Invalid(format!("The request was incomplete or malformed ({msg}).")),
            // On the server, a body that cannot be decoded is the caller's (in the browser, an
            // answer that cannot be decoded is ours).
            #[cfg(feature = "ssr")]
            ServerFnErrorErr::Deserialization(msg) => AppError::Invalid(format!("The request could not be read ({msg}).")),
            // On the server the reference is logged with what went wrong; in the browser it
            // only names the answer that could not be read.
            #[cfg(feature = "ssr")]
            other => internal(&other.to_string()),
            #[cfg(not(feature = "ssr"))]
            other => AppError::Internal(reference_for(&other.to_string())),
        };
        // Malformed arguments are the caller's mistake (422), not the server's (500).
        #[cfg(feature = "ssr")]
        set_status(&error);
        error
    }
}

/// A short reference that ties what the creator sees to the server's log line.
fn reference_for(detail: &str) -> String {
    let mut hash: u32 = 2166136261;
    for b in detail.bytes() {
        hash = (hash ^ b as u32).wrapping_mul(16777619);
    }
    format!("ERR-{hash:08X}")
}

#[cfg(feature = "ssr")]
impl From<crealia_core::Error> for AppError {
    fn from(e: crealia_core::Error) -> Self {
        use crealia_core::Error as E;
        let app = match e {
            E::NotFound | E::Forbidden => AppError::NotFound,
            E::Invalid(msg) => AppError::Invalid(msg),
            E::Refused(problem) => AppError::Refused(Refusal::new(problem)),
            E::NeedsReconnect => AppError::NeedsReconnect,
            E::InvalidCredentials => AppError::InvalidCredentials,
            E::Throttled { retry_after_secs } => AppError::TooManyAttempts(retry_after_secs),
            E::Unauthorized => AppError::Unauthorized,
            E::Unavailable(what) => {
                tracing::warn!(error = %what, "service unavailable");
                AppError::Unavailable("A service Crealia depends on is not answering.".into())
            }
            E::Database(err) => internal(&err.to_string()),
            E::Internal(err) => internal(&err),
        };
        set_status(&app);
        app
    }
}

/// A JSON route's answer for the error: its status and `{"error": what to do}`, the same words
/// a server function shows (and a refusal's `problem` as data: its `code` and figures).
#[cfg(feature = "ssr")]
impl axum::response::IntoResponse for AppError {
    fn into_response(self) -> axum::response::Response {
        let status = http::StatusCode::from_u16(self.status_code()).unwrap_or(http::StatusCode::INTERNAL_SERVER_ERROR);
        let body = match &self {
            AppError::Refused(refusal) => serde_json::json!({ "error": self.to_string(), "problem": refusal.problem() }),
            _ => serde_json::json!({ "error": self.to_string() }),
        };
        (status, axum::Json(body)).into_response()
    }
}

#[cfg(feature = "ssr")]
fn internal(detail: &str) -> AppError {
    let reference = format!("{}-{}", reference_for(detail), std::process::id());
    tracing::error!(reference, error = detail, "server function failed");
    AppError::Internal(reference)
}

/// Sets the HTTP status of the server function's response. A plain form post (a browser
/// without JS, `Accept: text/html`) is left alone: Leptos answers it with a redirect back to the
/// form, the error in the URL, and a status here would break that redirect.
#[cfg(feature = "ssr")]
pub fn set_status(error: &AppError) {
    let plain_form_post = leptos::prelude::use_context::<http::request::Parts>()
        .is_some_and(|parts| parts.headers.get(http::header::ACCEPT).and_then(|v| v.to_str().ok()).is_some_and(|v| v.contains("text/html")));
    if plain_form_post {
        return;
    }
    if let Some(options) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>() {
        if let Ok(code) = http::StatusCode::from_u16(error.status_code()) {
            options.set_status(code);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_tell_the_creator_what_to_do() {
        assert!(AppError::Unavailable("The database is not answering.".into()).to_string().ends_with("Please try again in a moment."));
        assert!(AppError::Internal("ERR-1".into()).to_string().contains("quote ERR-1"));
    }

    #[test]
    fn every_message_reads_in_french_too() {
        assert_eq!(AppError::TooManyAttempts(90).localized(Locale::fr), "Trop de tentatives. Par sécurité, attendez une minute avant de réessayer.");
        assert_eq!(AppError::TooManyAttempts(600).localized(Locale::en), AppError::TooManyAttempts(600).to_string());
        assert!(AppError::Internal("ERR-1".into()).localized(Locale::fr).contains("ERR-1"));
        assert_eq!(AppError::Unauthorized.localized(Locale::en), AppError::Unauthorized.to_string());
    }

    /// What the browser receives: the refusal in both languages, read again in either, and
    /// not the problem's data (whose decoder would weigh on every page).
    #[cfg(feature = "ssr")]
    #[test]
    fn a_refusal_travels_said_in_both_languages() {
        let problem = crealia_model::problem::Problem::StoryCaption;
        let refused = AppError::Refused(Refusal::new(problem.clone()));
        let wire = serde_json::to_string(&refused).unwrap();
        assert!(!wire.contains("StoryCaption") && !wire.contains("story_caption"), "{wire}");
        let read: AppError = serde_json::from_str(&wire).unwrap();
        assert_eq!(read.localized(Locale::en), problem.to_string());
        assert_eq!(read.localized(Locale::fr), crate::locale::problem(Locale::fr, &problem));
        assert_ne!(read.localized(Locale::fr), read.localized(Locale::en));
        assert_eq!(refused.to_string(), problem.to_string());
    }

    #[test]
    fn transport_failures_become_network_errors_and_the_rest_stays_opaque() {
        assert_eq!(AppError::from_server_fn_error(ServerFnErrorErr::Request("dns".into())), AppError::Network);
        let opaque = AppError::from_server_fn_error(ServerFnErrorErr::ServerError("pool timed out at 10.0.0.3".into()));
        assert!(!opaque.to_string().contains("10.0.0.3"), "{opaque}");
    }
}
