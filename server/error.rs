//! The domain layer's error: every rule the server enforces fails with one of these, and
//! `api::error` maps them to HTTP responses in one place.

use crate::store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Input that can never succeed as sent; the message says what to change.
    #[error("{0}")]
    BadRequest(String),
    /// Input well-formed but failing a rule, with per-line details (CSV imports).
    #[error("{message}")]
    Invalid {
        message: String,
        details: Vec<String>,
    },
    /// Missing, expired or forged credentials.
    #[error("{0}")]
    Unauthorized(String),
    /// The device was revoked as lost (or its account disabled): the phone must delete its
    /// copy of the village data, not merely sign in again.
    #[error("{0}")]
    DeviceRevoked(String),
    /// Authenticated, but the role or scope does not allow this.
    #[error("{0}")]
    Forbidden(String),
    /// Does not exist, or exists outside the caller's scope (the two look the same on purpose).
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Conflict(String),
    /// The request body's fields or types do not match what the endpoint expects.
    #[error("{0}")]
    Unprocessable(String),
    #[error("{0}")]
    UnsupportedMediaType(String),
    #[error("{0}")]
    PayloadTooLarge(String),
    #[error("{0}")]
    Unavailable(String),
    /// Too many attempts (sign-in): the message says how long to wait.
    #[error("{message}")]
    TooManyRequests {
        message: String,
        retry_after_secs: u64,
    },
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("internal error: {0}")]
    Internal(String),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub fn bad_request(msg: impl Into<String>) -> Self {
        Error::BadRequest(msg.into())
    }
    pub fn forbidden(msg: impl Into<String>) -> Self {
        Error::Forbidden(msg.into())
    }
    pub fn not_found(msg: impl Into<String>) -> Self {
        Error::NotFound(msg.into())
    }
    pub fn unauthorized(msg: impl Into<String>) -> Self {
        Error::Unauthorized(msg.into())
    }
}
