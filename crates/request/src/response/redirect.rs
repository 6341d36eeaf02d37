//! Redirect targets (RFC 9110 §15.4, §10.2.2 `Location`): which statuses
//! redirect, and how a target becomes a `Location` value that cannot split
//! the response.

use std::fmt;

use http::{HeaderValue, StatusCode};

use crate::HttpError;

/// Why a redirect could not be built: the target holds a control character
/// (CR and LF would let it write headers of its own) or is empty, or the
/// status is not one of 301, 302, 303, 307, 308.
///
/// Either is a bug in the server rather than in the request, so it converts
/// into a 500 [`HttpError`] that says nothing of the target.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InvalidRedirect {
    reason: Reason,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Reason {
    EmptyLocation,
    ControlCharacter,
    NotARedirectStatus(StatusCode),
}

impl fmt::Display for InvalidRedirect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.reason {
            Reason::EmptyLocation => f.write_str("redirect location is empty"),
            Reason::ControlCharacter => {
                f.write_str("redirect location holds a control character (such as CR or LF)")
            }
            Reason::NotARedirectStatus(status) => write!(
                f,
                "status {} is not a redirect (301, 302, 303, 307 or 308)",
                status.as_u16()
            ),
        }
    }
}

impl std::error::Error for InvalidRedirect {}

impl From<InvalidRedirect> for HttpError {
    /// 500 Internal Server Error with its generic message: the target may
    /// come from the request, and the cause belongs in the server's log.
    fn from(_: InvalidRedirect) -> Self {
        HttpError::internal_server_error()
    }
}

/// Fails unless `status` tells the client to follow `Location`; 300, 304,
/// 305 and 306 do not.
pub(super) fn check_status(status: StatusCode) -> Result<StatusCode, InvalidRedirect> {
    match status.as_u16() {
        301 | 302 | 303 | 307 | 308 => Ok(status),
        _ => Err(InvalidRedirect {
            reason: Reason::NotARedirectStatus(status),
        }),
    }
}

/// The `Location` value for `target`: refused when empty or holding an
/// ASCII control character; non-ASCII characters and spaces are
/// percent-encoded as UTF-8 (as an IRI becomes a URI, RFC 3987 §3.1), and
/// everything else is kept, so an already-encoded URI is unchanged.
pub(super) fn location(target: &str) -> Result<HeaderValue, InvalidRedirect> {
    let invalid = |reason| Err(InvalidRedirect { reason });
    if target.is_empty() {
        return invalid(Reason::EmptyLocation);
    }
    let bytes = target.as_bytes();
    if bytes.iter().any(|&b| b < 0x20 || b == 0x7f) {
        return invalid(Reason::ControlCharacter);
    }
    let needs_encoding = |b: u8| b == b' ' || !b.is_ascii();
    let value = if bytes.iter().any(|&b| needs_encoding(b)) {
        const HEX: &[u8; 16] = b"0123456789ABCDEF";
        let mut encoded = Vec::with_capacity(bytes.len().saturating_mul(3));
        for &b in bytes {
            if needs_encoding(b) {
                encoded.extend_from_slice(&[
                    b'%',
                    HEX[usize::from(b >> 4)],
                    HEX[usize::from(b & 0xf)],
                ]);
            } else {
                encoded.push(b);
            }
        }
        HeaderValue::from_bytes(&encoded)
    } else {
        HeaderValue::from_str(target)
    };
    // Only visible ASCII is left, which every header value may hold.
    value.or(invalid(Reason::ControlCharacter))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locations() {
        let cases: &[(&str, Option<&str>)] = &[
            ("/", Some("/")),
            ("/login?next=%2Fhome", Some("/login?next=%2Fhome")),
            (
                "https://example.com/a#frag",
                Some("https://example.com/a#frag"),
            ),
            ("/caf\u{e9}", Some("/caf%C3%A9")),
            ("/a b", Some("/a%20b")),
            ("/\u{2028}", Some("/%E2%80%A8")),
            ("", None),
            ("/a\r\nSet-Cookie: x=1", None),
            ("/a\nb", None),
            ("/a\rb", None),
            ("/a\0b", None),
            ("/a\tb", None),
            ("/a\x7fb", None),
        ];
        for (target, expected) in cases {
            let got = location(target).ok();
            let got = got.as_ref().map(|v| v.to_str().unwrap());
            assert_eq!(got, *expected, "{target:?}");
        }
    }

    #[test]
    fn statuses() {
        for code in 100..=599 {
            let status = StatusCode::from_u16(code).unwrap();
            let redirects = matches!(code, 301 | 302 | 303 | 307 | 308);
            assert_eq!(check_status(status).is_ok(), redirects, "{code}");
        }
    }

    #[test]
    fn errors_say_why_and_become_500() {
        let cases: &[(InvalidRedirect, &str)] = &[
            (location("").unwrap_err(), "redirect location is empty"),
            (
                location("/\r\n").unwrap_err(),
                "redirect location holds a control character (such as CR or LF)",
            ),
            (
                check_status(StatusCode::NOT_MODIFIED).unwrap_err(),
                "status 304 is not a redirect (301, 302, 303, 307 or 308)",
            ),
        ];
        for (error, message) in cases {
            assert_eq!(error.to_string(), *message);
            let http_error = HttpError::from(error.clone());
            assert_eq!(http_error.status(), StatusCode::INTERNAL_SERVER_ERROR);
        }
    }

    proptest::proptest! {
        #[test]
        fn any_target_is_refused_or_safe(target in "\\PC*|[ -~\r\n\t\u{80}-\u{10ffff}]{0,40}") {
            let clean = !target.is_empty()
                && !target.bytes().any(|b| b < 0x20 || b == 0x7f);
            match location(&target) {
                Ok(value) => {
                    proptest::prop_assert!(clean);
                    proptest::prop_assert!(value.as_bytes().iter().all(|b| (0x21..0x7f).contains(b)));
                    if target.bytes().all(|b| b.is_ascii() && b != b' ') {
                        proptest::prop_assert_eq!(value.as_bytes(), target.as_bytes());
                    }
                }
                Err(_) => proptest::prop_assert!(!clean),
            }
        }
    }
}
