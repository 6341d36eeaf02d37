//! The error a multipart body, or its boundary, can fail with.

use std::borrow::Cow;
use std::fmt;

/// Why a `multipart/form-data` body (or the boundary of its `Content-Type`)
/// was refused. The message is safe to show a client and names the limit
/// when one was breached.
///
/// Like hyper's `Error`, the kind is private so that it can grow; ask with
/// the `is_*` methods and [`MultipartError::limit`].
#[derive(Clone, PartialEq, Eq)]
pub struct MultipartError(Box<Kind>);

#[derive(Clone, Debug, PartialEq, Eq)]
enum Kind {
    /// `subject` (ending in its verb, "is" or "are") over `limit` (`value` `unit`).
    TooLarge {
        subject: Cow<'static, str>,
        limit: &'static str,
        value: u64,
        unit: &'static str,
    },
    /// The body breaks the multipart grammar or RFC 7578.
    Invalid(&'static str),
    /// The body ended too early.
    Incomplete(&'static str),
    /// The `Content-Type` gives no usable boundary.
    Boundary(&'static str),
}

impl MultipartError {
    pub(crate) fn too_large(
        subject: impl Into<Cow<'static, str>>,
        limit: &'static str,
        value: u64,
        unit: &'static str,
    ) -> Self {
        MultipartError(Box::new(Kind::TooLarge {
            subject: subject.into(),
            limit,
            value,
            unit,
        }))
    }

    pub(crate) fn invalid(reason: &'static str) -> Self {
        MultipartError(Box::new(Kind::Invalid(reason)))
    }

    pub(crate) fn incomplete(reason: &'static str) -> Self {
        MultipartError(Box::new(Kind::Incomplete(reason)))
    }

    pub(crate) fn boundary(reason: &'static str) -> Self {
        MultipartError(Box::new(Kind::Boundary(reason)))
    }

    /// Whether a limit of [`MultipartLimits`](super::MultipartLimits) was
    /// breached (an HTTP server answers 413).
    pub fn is_too_large(&self) -> bool {
        matches!(*self.0, Kind::TooLarge { .. })
    }

    /// Whether the body breaks the multipart grammar: a bad header line, a
    /// part without a usable `Content-Disposition`.
    pub fn is_invalid(&self) -> bool {
        matches!(*self.0, Kind::Invalid(_))
    }

    /// Whether the body ended before the final boundary.
    pub fn is_incomplete(&self) -> bool {
        matches!(*self.0, Kind::Incomplete(_))
    }

    /// Whether the `Content-Type` is not `multipart/form-data` or its
    /// boundary is missing or breaks RFC 2046.
    pub fn is_boundary(&self) -> bool {
        matches!(*self.0, Kind::Boundary(_))
    }

    /// The limit breached, by name and value: `("max_form_parts", 1000)`.
    /// A form field over [`max_field_bytes`](super::MultipartLimits::max_field_bytes)
    /// is reported as `max_form_memory_size`, Werkzeug's name.
    pub fn limit(&self) -> Option<(&'static str, u64)> {
        match &*self.0 {
            Kind::TooLarge { limit, value, .. } => Some((limit, *value)),
            _ => None,
        }
    }
}

impl fmt::Display for MultipartError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &*self.0 {
            Kind::TooLarge {
                subject,
                limit,
                value,
                unit,
            } => write!(f, "{subject} over {limit} ({value} {unit})"),
            Kind::Invalid(reason) | Kind::Incomplete(reason) | Kind::Boundary(reason) => {
                f.write_str(reason)
            }
        }
    }
}

impl fmt::Debug for MultipartError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("MultipartError").field(&self.0).finish()
    }
}

impl std::error::Error for MultipartError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_and_messages() {
        let e = MultipartError::too_large(
            "multipart part headers are",
            "max_part_header_bytes",
            8192,
            "bytes",
        );
        assert_eq!(
            e.to_string(),
            "multipart part headers are over max_part_header_bytes (8192 bytes)"
        );
        assert!(e.is_too_large() && !e.is_invalid());
        assert_eq!(e.limit(), Some(("max_part_header_bytes", 8192)));
        let e = MultipartError::incomplete("multipart body ended without the final boundary");
        assert!(e.is_incomplete() && e.limit().is_none());
        assert_eq!(
            e.to_string(),
            "multipart body ended without the final boundary"
        );
        assert!(MultipartError::invalid("x").is_invalid());
        assert!(MultipartError::boundary("x").is_boundary());
    }
}
