//! The error collecting a form can fail with.

use std::fmt;
use std::io;

use crate::multipart::MultipartError;

/// Why a `multipart/form-data` body could not be collected into a
/// [`FormData`](super::FormData): the body was refused by the decoder (its
/// message is safe to show a client and names any limit breached), or an
/// upload could not be written to its temporary file.
///
/// Like [`MultipartError`], the kind is private; ask with the `is_*`
/// methods, [`FormError::limit`] and the accessors.
#[derive(Debug)]
pub struct FormError(Kind);

#[derive(Debug)]
enum Kind {
    Multipart(MultipartError),
    Io(io::Error),
}

impl FormError {
    /// Whether the body breached a limit (an HTTP server answers 413).
    pub fn is_too_large(&self) -> bool {
        self.multipart().is_some_and(MultipartError::is_too_large)
    }

    /// Whether the body itself was refused: a bad boundary, a grammar
    /// error, an early end or a limit (a client error, 400 or 413).
    pub fn is_multipart(&self) -> bool {
        matches!(self.0, Kind::Multipart(_))
    }

    /// Whether spooling an upload to disk failed (a server error, 500).
    pub fn is_io(&self) -> bool {
        matches!(self.0, Kind::Io(_))
    }

    /// The limit breached, by name and value: `("max_form_parts", 1000)`.
    pub fn limit(&self) -> Option<(&'static str, u64)> {
        self.multipart().and_then(MultipartError::limit)
    }

    /// The decoder's error, when the body was refused.
    pub fn multipart(&self) -> Option<&MultipartError> {
        match &self.0 {
            Kind::Multipart(e) => Some(e),
            Kind::Io(_) => None,
        }
    }

    /// The I/O error, when spooling failed.
    pub fn io(&self) -> Option<&io::Error> {
        match &self.0 {
            Kind::Io(e) => Some(e),
            Kind::Multipart(_) => None,
        }
    }
}

impl From<MultipartError> for FormError {
    fn from(e: MultipartError) -> Self {
        FormError(Kind::Multipart(e))
    }
}

impl From<io::Error> for FormError {
    fn from(e: io::Error) -> Self {
        FormError(Kind::Io(e))
    }
}

impl fmt::Display for FormError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Kind::Multipart(e) => fmt::Display::fmt(e, f),
            // The I/O message can name server paths: keep it out of the
            // text a client may see; `source()` still gives it.
            Kind::Io(_) => f.write_str("an uploaded file could not be stored"),
        }
    }
}

impl std::error::Error for FormError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match &self.0 {
            Kind::Multipart(e) => Some(e),
            Kind::Io(e) => Some(e),
        }
    }
}
