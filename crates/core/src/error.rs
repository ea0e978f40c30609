use thiserror::Error;

/// The domain error of every service. The web edge maps each variant to an HTTP status
/// and a message a creator understands; the details of `Internal` are logged, never shown.
#[derive(Debug, Error)]
pub enum Error {
    #[error("not found")]
    NotFound,
    #[error("forbidden")]
    Forbidden,
    #[error("invalid input: {0}")]
    Invalid(String),
    #[error("the Instagram account needs to be reconnected")]
    NeedsReconnect,
    #[error("wrong email or password")]
    InvalidCredentials,
    #[error("too many attempts; retry in {retry_after_secs} s")]
    Throttled { retry_after_secs: u64 },
    #[error("not signed in")]
    Unauthorized,
    #[error("a service is unavailable: {0}")]
    Unavailable(String),
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("internal error: {0}")]
    Internal(String),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
