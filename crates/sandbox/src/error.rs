//! Graph API errors exactly as Meta sends them: the `{"error": {...}}` envelope with its code and
//! subcode, or the token endpoint's own `{"error_type", "code", "error_message"}` shape.

use std::sync::atomic::{AtomicU64, Ordering};

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use crealia_graph::wire::{ErrorEnvelope, GraphError, OAuthError};

/// Boxed payloads: an error travels up every handler's `Result`, which stays small.
#[derive(Debug, Clone)]
pub enum ApiError {
    Graph { status: StatusCode, error: Box<GraphError> },
    OAuth { status: StatusCode, error: OAuthError },
}

pub type ApiResult<T> = Result<T, ApiError>;

fn fbtrace_id() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0x5A17_B0C5);
    let n = COUNTER.fetch_add(0x9E37_79B9, Ordering::Relaxed);
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    (0..11).map(|i| ALPHABET[((n >> (i * 5)) & 63) as usize] as char).collect()
}

impl ApiError {
    pub fn graph(code: i64, subcode: Option<i64>, message: impl Into<String>) -> Self {
        ApiError::Graph {
            status: StatusCode::BAD_REQUEST,
            error: Box::new(GraphError {
                message: message.into(),
                kind: "OAuthException".into(),
                code,
                error_subcode: subcode,
                is_transient: Some(false),
                error_user_title: None,
                error_user_msg: None,
                fbtrace_id: Some(fbtrace_id()),
            }),
        }
    }

    pub fn oauth(message: impl Into<String>) -> Self {
        ApiError::OAuth { status: StatusCode::BAD_REQUEST, error: OAuthError { error_type: "OAuthException".into(), code: 400, error_message: message.into() } }
    }

    pub fn with_status(mut self, new: StatusCode) -> Self {
        match &mut self {
            ApiError::Graph { status, .. } | ApiError::OAuth { status, .. } => *status = new,
        }
        self
    }

    pub fn with_type(mut self, kind: &str) -> Self {
        if let ApiError::Graph { error, .. } = &mut self {
            error.kind = kind.into();
        }
        self
    }

    pub fn transient(mut self) -> Self {
        if let ApiError::Graph { error, .. } = &mut self {
            error.is_transient = Some(true);
        }
        self
    }

    pub fn with_user_message(mut self, title: &str, message: &str) -> Self {
        if let ApiError::Graph { error, .. } = &mut self {
            error.error_user_title = Some(title.into());
            error.error_user_msg = Some(message.into());
        }
        self
    }

    pub fn code(&self) -> i64 {
        match self {
            ApiError::Graph { error, .. } => error.code,
            ApiError::OAuth { error, .. } => error.code,
        }
    }

    // --- tokens ------------------------------------------------------------------------------

    pub fn missing_token() -> Self {
        Self::graph(2500, None, "An active access token must be used to query information about the current user.")
    }

    pub fn invalid_token() -> Self {
        Self::graph(190, Some(467), "Invalid OAuth access token - Cannot parse access token")
    }

    pub fn expired_token(expired_at: i64) -> Self {
        let when = chrono::DateTime::from_timestamp(expired_at, 0)
            .unwrap_or_default()
            .with_timezone(&chrono::FixedOffset::west_opt(8 * 3600).unwrap())
            .format("%A, %d-%b-%y %H:%M:%S PST");
        Self::graph(190, Some(463), format!("Error validating access token: Session has expired on {when}. The current time is later."))
    }

    pub fn revoked_token(subcode: i64) -> Self {
        let message = match subcode {
            458 => "Error validating access token: The user has not authorized application.",
            459 => "Error validating access token: You cannot access the app till you log in to www.facebook.com and follow the instructions given.",
            460 => "Error validating access token: The session has been invalidated because the user changed their password or Facebook has changed the session for security reasons.",
            464 => "Error validating access token: Sessions for the user are not allowed because the user is not a confirmed user.",
            492 => "Error validating access token: The session is invalid.",
            _ => "Error validating access token: The session has been invalidated.",
        };
        Self::graph(190, Some(subcode), message)
    }

    // --- objects and parameters --------------------------------------------------------------

    pub fn not_found(id: &str) -> Self {
        Self::graph(
            100,
            Some(33),
            format!(
                "Unsupported get request. Object with ID '{id}' does not exist, cannot be loaded due to missing permissions, or does not support this operation."
            ),
        )
        .with_type("IGApiException")
    }

    pub fn invalid_parameter(message: impl Into<String>) -> Self {
        Self::graph(100, None, format!("(#100) {}", message.into()))
    }

    pub fn missing_permission(permission: &str) -> Self {
        Self::graph(10, None, format!("(#10) Application does not have permission for this action: {permission} was not granted."))
    }

    pub fn unknown() -> Self {
        Self::graph(1, None, "An unknown error has occurred.").transient()
    }

    // --- rate limits and outages -------------------------------------------------------------

    pub fn app_rate_limit() -> Self {
        Self::graph(4, None, "(#4) Application request limit reached").transient()
    }

    pub fn user_rate_limit() -> Self {
        Self::graph(17, None, "(#17) User request limit reached").transient()
    }

    pub fn account_rate_limit() -> Self {
        Self::graph(80002, None, "(#80002) There have been too many calls to this Instagram account. Wait a bit and try again.").transient()
    }

    pub fn server_error() -> Self {
        Self::graph(2, None, "An unexpected error has occurred. Please retry your request later.").transient().with_status(StatusCode::INTERNAL_SERVER_ERROR)
    }

    // --- publishing (all HTTP 400) -----------------------------------------------------------

    pub fn publishing(code: i64, subcode: i64) -> Self {
        let (message, title, user) = publishing_text(subcode);
        let error = Self::graph(code, Some(subcode), message).with_user_message(title, user);
        if matches!(subcode, 2207001 | 2207008 | 2207027 | 2207003) {
            error.transient()
        } else {
            error
        }
    }
}

/// Message, user title and user message of the documented publishing subcodes.
fn publishing_text(subcode: i64) -> (&'static str, &'static str, &'static str) {
    match subcode {
        2207001 => ("An unexpected error has occurred. Please retry your request later.", "Instagram server error", "Instagram had a problem. Retry."),
        2207003 => ("It takes too long to download the media.", "Timeout", "It took too long to download the media."),
        2207004 => ("The image size is too large.", "Image size too large", "The image is too large to download. It should be less than 8 MiB."),
        2207005 => ("The image format is not supported.", "Unsupported format", "The image format is not supported. Supported formats are: JPEG."),
        2207006 => ("Media not found.", "Media not found", "The media with the provided ID could not be found."),
        2207008 => ("The media builder does not exist or is not ready.", "Media builder expired", "Try again in a moment."),
        2207009 => ("The submitted image with aspect ratio is not supported.", "Unsupported aspect ratio", "The aspect ratio must be between 4:5 and 1.91:1."),
        2207010 => ("The caption is too long.", "Caption too long", "The caption can have at most 2200 characters, 30 hashtags and 20 @ tags."),
        2207020 => ("The media you are trying to access has expired.", "Media expired", "Please generate a new container and use it to publish."),
        2207023 => ("The media type is unknown.", "Unknown media type", "The media type is not one of the supported types."),
        2207026 => ("The video format is not supported.", "Unsupported video format", "The video format is not supported. Please use MOV or MP4."),
        2207027 => ("Media ID is not available", "Media not ready", "The media is not ready for publishing, please wait for a moment."),
        2207028 => ("The carousel must have between 2 and 10 items.", "Carousel size", "A carousel must have at least 2 and no more than 10 items."),
        2207032 => ("Failed to create the media container.", "Create media failed", "Please try again."),
        2207040 => ("Too many tags.", "Too many tags", "You cannot tag more than 20 accounts."),
        2207042 => (
            "You reached maximum number of posts that is allowed to be published by Content Publishing API.",
            "Publishing limit reached",
            "You reached the maximum number of posts that can be published in 24 hours.",
        ),
        2207050 => ("The user is restricted.", "Account restricted", "The Instagram account is restricted."),
        2207052 => ("Media could not be fetched from the URI.", "Media download failed", "The media could not be fetched from the URI provided."),
        2207057 => ("The thumbnail offset is out of range.", "Invalid thumbnail offset", "thumb_offset must be within the video's length."),
        _ => ("An unexpected error has occurred.", "Error", "Please try again."),
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        match self {
            ApiError::Graph { status, error } => (status, Json(ErrorEnvelope { error: *error })).into_response(),
            ApiError::OAuth { status, error } => (status, Json(error)).into_response(),
        }
    }
}
