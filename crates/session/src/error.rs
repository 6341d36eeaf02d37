//! [`SessionError`]: what can go wrong with a session, and the response
//! each becomes.

use std::fmt;

use http::StatusCode;
use tackle_request::HttpError;

/// A store failure: unreachable, timed out, or answering nonsense.
#[derive(Debug)]
pub struct StoreError {
    message: String,
}

impl StoreError {
    /// A failure described by `message` (which must not contain secrets:
    /// it is logged).
    pub fn new(message: impl Into<String>) -> Self {
        StoreError {
            message: message.into(),
        }
    }
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for StoreError {}

/// Why a session operation failed.
#[derive(Debug)]
pub enum SessionError {
    /// The store could not be reached or failed: the request gets `503
    /// Service Unavailable` naming the session store.
    Store(StoreError),
    /// A value could not be encoded, or a stored one could not be read as
    /// the type asked for.
    Encoding(String),
    /// The session would not fit its cookie (the cookie store's 4 KiB):
    /// the value was not inserted.
    TooLarge {
        /// The size the cookie would have had.
        size: usize,
        /// The limit.
        limit: usize,
    },
}

impl fmt::Display for SessionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SessionError::Store(error) => write!(f, "session store unavailable: {error}"),
            SessionError::Encoding(what) => write!(f, "session value: {what}"),
            SessionError::TooLarge { size, limit } => write!(
                f,
                "session cookie would be {size} bytes, over its limit of {limit} bytes"
            ),
        }
    }
}

impl std::error::Error for SessionError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            SessionError::Store(error) => Some(error),
            _ => None,
        }
    }
}

impl From<StoreError> for SessionError {
    fn from(error: StoreError) -> Self {
        SessionError::Store(error)
    }
}

impl From<SessionError> for HttpError {
    /// `503` naming the session store for a store failure; `500` otherwise
    /// (a bug of the application, not the client's fault).
    fn from(error: SessionError) -> Self {
        match error {
            SessionError::Store(_) => HttpError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "the session store is unavailable; try again shortly",
            ),
            _ => HttpError::internal_server_error(),
        }
    }
}
