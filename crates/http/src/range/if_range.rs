//! The `If-Range` request header (RFC 9110 §13.1.5): send the requested
//! ranges only if the representation is still the one the client has part
//! of; otherwise send all of it.
//!
//! A value starting with `"` or `W/` is an entity tag; otherwise it is an
//! HTTP-date if it parses as one, else an unquoted entity tag, which Werkzeug
//! accepts too (`If-Range: abc` means `"abc"`). Unlike Werkzeug, a weak tag
//! keeps its weakness, so it never matches (§13.1.5 requires a strong
//! comparison).

use std::fmt;
use std::str::FromStr;

use http::{HeaderName, HeaderValue, header};

use super::OWS;
use crate::conditional::Validators;
use crate::date::HttpDate;
use crate::etag::EntityTag;
use crate::{ParseError, TypedHeader};

/// The validator a client sends in `If-Range`.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub enum IfRange {
    /// The entity tag of the representation the client has part of.
    EntityTag(EntityTag),
    /// The `Last-Modified` date of the representation the client has part of.
    Date(HttpDate),
}

impl IfRange {
    /// Whether the ranges should be sent (RFC 9110 §13.1.5): an entity tag
    /// must strongly equal the current one; a date must equal the current
    /// `Last-Modified` exactly (a date is only a strong validator when it is
    /// exactly the one the server sent, and never when the server sent none).
    pub fn matches(&self, current: &Validators) -> bool {
        match self {
            IfRange::EntityTag(tag) => current.etag.as_ref().is_some_and(|c| c.strong_eq(tag)),
            IfRange::Date(date) => current.last_modified == Some(*date),
        }
    }
}

impl TypedHeader for IfRange {
    const NAME: HeaderName = header::IF_RANGE;

    fn parse_value(value: &str) -> Result<Self, ParseError> {
        let value = value.trim_matches(OWS);
        let looks_like_tag =
            value.starts_with('"') || value.starts_with("W/") || value.starts_with("w/");
        if !looks_like_tag && let Ok(date) = HttpDate::parse(value) {
            return Ok(IfRange::Date(date));
        }
        EntityTag::parse_value(value)
            .map(IfRange::EntityTag)
            .map_err(|_| ParseError::invalid("If-Range", "neither an entity tag nor an HTTP-date"))
    }

    fn to_header_value(&self) -> HeaderValue {
        match self {
            IfRange::EntityTag(tag) => tag.to_header_value(),
            IfRange::Date(date) => date.to_header_value(),
        }
    }
}

impl FromStr for IfRange {
    type Err = ParseError;

    fn from_str(s: &str) -> Result<Self, ParseError> {
        Self::parse_value(s)
    }
}

impl fmt::Display for IfRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            IfRange::EntityTag(tag) => tag.fmt(f),
            IfRange::Date(date) => date.fmt(f),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn date(s: &str) -> HttpDate {
        s.parse().unwrap()
    }

    #[test]
    fn parse_table() {
        #[rustfmt::skip]
        let cases: &[(&str, Option<IfRange>)] = &[
            // RFC 9110 §13.1.5 examples
            (r#""xyzzy""#, Some(IfRange::EntityTag(EntityTag::strong("xyzzy").unwrap()))),
            ("Sat, 29 Oct 1994 19:43:31 GMT", Some(IfRange::Date(date("Sat, 29 Oct 1994 19:43:31 GMT")))),
            // Werkzeug test_if_range_parsing
            (r#""Test""#, Some(IfRange::EntityTag(EntityTag::strong("Test").unwrap()))),
            (r#"W/"Test""#, Some(IfRange::EntityTag(EntityTag::weak("Test").unwrap()))),
            ("bullshit", Some(IfRange::EntityTag(EntityTag::strong("bullshit").unwrap()))),
            ("Thu, 01 Jan 1970 00:00:00 GMT", Some(IfRange::Date(HttpDate::UNIX_EPOCH))),
            ("", None),
            // other forms and failures
            ("Sunday, 06-Nov-94 08:49:37 GMT", Some(IfRange::Date(date("Sun, 06 Nov 1994 08:49:37 GMT")))),
            ("Thu, 33 Jan 1970 00:00:00 GMT", None),
            (r#""a", "b""#, None),
            (r#""unterminated"#, None),
        ];
        for (input, want) in cases {
            assert_eq!(input.parse::<IfRange>().ok(), *want, "{input:?}");
        }
        assert_eq!("x y".parse::<IfRange>().unwrap_err().what(), "If-Range");
    }

    #[test]
    fn matching_table() {
        let etag = |s: &str| s.parse::<EntityTag>().ok();
        let lm = "Tue, 15 Nov 1994 12:45:26 GMT";
        // (If-Range, current ETag, current Last-Modified, matches)
        #[rustfmt::skip]
        let cases: &[(&str, Option<&str>, Option<&str>, bool)] = &[
            (r#""xyzzy""#, Some(r#""xyzzy""#), None, true),
            (r#""xyzzy""#, Some(r#""other""#), None, false),
            (r#""xyzzy""#, Some(r#"W/"xyzzy""#), None, false),
            (r#"W/"xyzzy""#, Some(r#"W/"xyzzy""#), None, false),
            (r#""xyzzy""#, None, Some(lm), false),
            (lm, None, Some(lm), true),
            (lm, Some(r#""xyzzy""#), Some(lm), true),
            (lm, None, None, false),
            // Werkzeug test_is_resource_modified_for_range_requests
            ("Tue, 01 Jan 2008 13:30:00 GMT", None, Some("Tue, 01 Jan 2008 14:00:00 GMT"), false),
            ("Tue, 01 Jan 2008 13:30:00 GMT", None, Some("Tue, 01 Jan 2008 13:30:00 GMT"), true),
            // an earlier date than Last-Modified is not a match either
            ("Tue, 01 Jan 2008 14:00:00 GMT", None, Some("Tue, 01 Jan 2008 13:30:00 GMT"), false),
        ];
        for (if_range, current_etag, current_lm, want) in cases {
            let current = Validators {
                etag: current_etag.and_then(etag),
                last_modified: current_lm.map(date),
            };
            let if_range: IfRange = if_range.parse().unwrap();
            assert_eq!(
                if_range.matches(&current),
                *want,
                "{if_range} vs {current:?}"
            );
        }
    }

    #[test]
    fn formats_as_sent() {
        #[rustfmt::skip]
        let cases: &[(&str, &str)] = &[
            (r#""Test""#, r#""Test""#),
            (r#"W/"Test""#, r#"W/"Test""#),
            ("bullshit", r#""bullshit""#),
            ("Thu, 01 Jan 1970 00:00:00 GMT", "Thu, 01 Jan 1970 00:00:00 GMT"),
        ];
        for (input, want) in cases {
            let parsed: IfRange = input.parse().unwrap();
            assert_eq!(parsed.to_header_value(), *want, "{input}");
        }
    }

    fn arb_if_range() -> impl Strategy<Value = IfRange> {
        prop_oneof![
            (any::<bool>(), "[!#-~]{0,10}").prop_map(|(weak, t)| IfRange::EntityTag(
                if weak {
                    EntityTag::weak(t)
                } else {
                    EntityTag::strong(t)
                }
                .unwrap()
            )),
            (0..=HttpDate::MAX.unix_secs())
                .prop_map(|s| IfRange::Date(HttpDate::from_unix_secs(s).unwrap())),
        ]
    }

    proptest! {
        #[test]
        fn if_range_round_trips(value in arb_if_range()) {
            prop_assert_eq!(value.to_string().parse::<IfRange>().unwrap(), value.clone());
            prop_assert_eq!(IfRange::from_header(&value.to_header_value()).unwrap(), value);
        }
    }
}
