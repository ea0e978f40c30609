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
    /// A request refused for a reason the pages say in the creator's language.
    #[error("refused: {0}")]
    Refused(crealia_model::problem::Problem),
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

impl Error {
    /// A copy to hand to every caller waiting on one shared load (sqlx errors are not `Clone`:
    /// they travel as their message, which is only logged).
    pub fn duplicate(&self) -> Error {
        match self {
            Error::NotFound => Error::NotFound,
            Error::Forbidden => Error::Forbidden,
            Error::Invalid(m) => Error::Invalid(m.clone()),
            Error::Refused(p) => Error::Refused(p.clone()),
            Error::NeedsReconnect => Error::NeedsReconnect,
            Error::InvalidCredentials => Error::InvalidCredentials,
            Error::Throttled { retry_after_secs } => Error::Throttled { retry_after_secs: *retry_after_secs },
            Error::Unauthorized => Error::Unauthorized,
            Error::Unavailable(m) => Error::Unavailable(m.clone()),
            Error::Database(e) => Error::Internal(format!("database error: {e}")),
            Error::Internal(m) => Error::Internal(m.clone()),
        }
    }
}

/// The one mapping of a Graph API failure to what a page or route says: a refused token asks
/// for a reconnect, a temporary failure says Instagram is not answering (with what happened),
/// anything else is ours to look into (logged with its details, never shown).
impl From<crealia_graph::client::Error> for Error {
    fn from(e: crealia_graph::client::Error) -> Self {
        if e.is_invalid_token() {
            Error::NeedsReconnect
        } else if e.is_transient() {
            Error::Unavailable(format!("{} Try again in a few minutes.", e.creator_message()))
        } else {
            Error::Internal(format!("Graph API: {e}"))
        }
    }
}
