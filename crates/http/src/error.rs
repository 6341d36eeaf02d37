//! The one error type every parser in this crate returns.

use std::borrow::Cow;
use std::fmt;

/// A header value (or other client-supplied text) that could not be parsed.
///
/// It names what was being parsed and why it failed, in words safe to show a
/// client. Like hyper's `Error`, the reason is private so it can grow without
/// breaking anyone; ask with [`ParseError::what`] and the `is_*` methods.
#[derive(Clone, PartialEq, Eq)]
pub struct ParseError(Box<Inner>);

/// Boxed so that `Result<T, ParseError>` stays the size of `T` (plus a tag)
/// on the hot, successful path; errors are the rare case.
#[derive(Clone, PartialEq, Eq)]
struct Inner {
    what: &'static str,
    kind: Kind,
}

#[derive(Clone, PartialEq, Eq, Debug)]
enum Kind {
    Invalid(&'static str),
    TooLarge(Cow<'static, str>),
}

impl ParseError {
    /// A value of `what` (e.g. `"Range"`) that breaks its grammar for `reason`.
    pub fn invalid(what: &'static str, reason: &'static str) -> Self {
        ParseError(Box::new(Inner {
            what,
            kind: Kind::Invalid(reason),
        }))
    }

    /// A value of `what` over a limit this crate enforces, e.g. the number of
    /// ranges; `limit` names the limit and its value: `"max_ranges (100)"`.
    pub fn too_large(what: &'static str, limit: impl Into<Cow<'static, str>>) -> Self {
        ParseError(Box::new(Inner {
            what,
            kind: Kind::TooLarge(limit.into()),
        }))
    }

    /// What was being parsed, e.g. `"Cache-Control"`.
    pub fn what(&self) -> &'static str {
        self.0.what
    }

    /// Whether the value broke a limit rather than the grammar.
    pub fn is_too_large(&self) -> bool {
        matches!(self.0.kind, Kind::TooLarge(_))
    }

    /// Whether the value broke the grammar.
    pub fn is_invalid(&self) -> bool {
        matches!(self.0.kind, Kind::Invalid(_))
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0.kind {
            Kind::Invalid(reason) => write!(f, "invalid {}: {}", self.0.what, reason),
            Kind::TooLarge(limit) => write!(f, "{} is over {}", self.0.what, limit),
        }
    }
}

impl fmt::Debug for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ParseError")
            .field("what", &self.0.what)
            .field("kind", &self.0.kind)
            .finish()
    }
}

impl std::error::Error for ParseError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_name_the_header_and_reason() {
        let e = ParseError::invalid("Range", "missing '='");
        assert_eq!(e.to_string(), "invalid Range: missing '='");
        assert!(e.is_invalid() && !e.is_too_large());
        let e = ParseError::too_large("Range", "max_ranges (100)");
        assert_eq!(e.to_string(), "Range is over max_ranges (100)");
        assert!(e.is_too_large());
        assert_eq!(e.what(), "Range");
    }
}
