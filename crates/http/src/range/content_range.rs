//! The `Content-Range` header (RFC 9110 §14.4): `bytes 42-1233/1234`,
//! `bytes 42-1233/*` (length unknown) and `bytes */1234` (in a 416).
//!
//! Only the `bytes` unit is supported. A value is invalid if its last
//! position is before its first, or not below the complete length.

use std::fmt;
use std::str::FromStr;

use http::{HeaderName, HeaderValue, header};

use super::byte_range::ByteRange;
use super::{OWS, parse_digits};
use crate::{ParseError, TypedHeader};

/// Which bytes a partial response carries, or, with no range, the length a
/// `416 Range Not Satisfiable` reports.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct ContentRange {
    /// `None` for `*/length`; then `complete_length` is `Some`.
    range: Option<ByteRange>,
    complete_length: Option<u64>,
}

impl ContentRange {
    /// `bytes first-last/complete_length`; `None` unless the range lies
    /// within the representation.
    pub fn bytes(range: ByteRange, complete_length: u64) -> Option<Self> {
        (range.last() < complete_length).then_some(ContentRange {
            range: Some(range),
            complete_length: Some(complete_length),
        })
    }

    /// `bytes first-last/*`, for a representation of unknown length.
    pub fn bytes_unknown_length(range: ByteRange) -> Self {
        ContentRange {
            range: Some(range),
            complete_length: None,
        }
    }

    /// `bytes */complete_length`, sent with a 416.
    pub fn unsatisfied(complete_length: u64) -> Self {
        ContentRange {
            range: None,
            complete_length: Some(complete_length),
        }
    }

    /// A range already known to lie within `complete_length`.
    pub(super) fn resolved(range: ByteRange, complete_length: u64) -> Self {
        ContentRange {
            range: Some(range),
            complete_length: Some(complete_length),
        }
    }

    /// The bytes carried; `None` for `*/length`.
    pub fn range(&self) -> Option<ByteRange> {
        self.range
    }

    /// The length of the whole representation; `None` when unknown (`/*`).
    pub fn complete_length(&self) -> Option<u64> {
        self.complete_length
    }
}

impl TypedHeader for ContentRange {
    const NAME: HeaderName = header::CONTENT_RANGE;

    fn parse_value(value: &str) -> Result<Self, ParseError> {
        let invalid = |reason| ParseError::invalid("Content-Range", reason);
        let value = value.trim_matches(OWS);
        let (unit, resp) = value
            .split_once(OWS)
            .ok_or_else(|| invalid("missing range unit"))?;
        if !unit.eq_ignore_ascii_case("bytes") {
            return Err(invalid("only the bytes unit is supported"));
        }
        let (range, length) = resp
            .trim_start_matches(OWS)
            .split_once('/')
            .ok_or_else(|| invalid("missing '/'"))?;
        let complete_length = match length {
            "*" => None,
            digits => Some(
                parse_digits(digits).ok_or_else(|| invalid("complete-length must be digits"))?,
            ),
        };
        if range == "*" {
            return complete_length
                .map(ContentRange::unsatisfied)
                .ok_or_else(|| invalid("neither a range nor a length"));
        }
        let (first, last) = range
            .split_once('-')
            .ok_or_else(|| invalid("missing '-'"))?;
        let first = parse_digits(first).ok_or_else(|| invalid("first-pos must be digits"))?;
        let last = parse_digits(last).ok_or_else(|| invalid("last-pos must be digits"))?;
        let range =
            ByteRange::new(first, last).ok_or_else(|| invalid("last-pos is before first-pos"))?;
        match complete_length {
            None => Ok(ContentRange::bytes_unknown_length(range)),
            Some(length) => ContentRange::bytes(range, length)
                .ok_or_else(|| invalid("last-pos is not below complete-length")),
        }
    }

    fn to_header_value(&self) -> HeaderValue {
        crate::header::header_value(self.to_string())
    }
}

impl FromStr for ContentRange {
    type Err = ParseError;

    fn from_str(s: &str) -> Result<Self, ParseError> {
        Self::parse_value(s)
    }
}

impl fmt::Display for ContentRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("bytes ")?;
        match self.range {
            Some(range) => range.fmt(f)?,
            None => f.write_str("*")?,
        }
        match self.complete_length {
            Some(length) => write!(f, "/{length}"),
            None => f.write_str("/*"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn range(first: u64, last: u64) -> ByteRange {
        ByteRange::new(first, last).unwrap()
    }

    #[test]
    fn parse_table() {
        // (input, Some((range, complete length)) or None for invalid)
        type Parsed = Option<(Option<(u64, u64)>, Option<u64>)>;
        #[rustfmt::skip]
        let cases: &[(&str, Parsed)] = &[
            // RFC 9110 §14.4 and §15.3.7 examples
            ("bytes 42-1233/1234", Some((Some((42, 1233)), Some(1234)))),
            ("bytes 42-1233/*", Some((Some((42, 1233)), None))),
            ("bytes */1234", Some((None, Some(1234)))),
            ("bytes 21010-47021/47022", Some((Some((21010, 47021)), Some(47022)))),
            ("bytes 500-999/8000", Some((Some((500, 999)), Some(8000)))),
            ("bytes 7000-7999/8000", Some((Some((7000, 7999)), Some(8000)))),
            // Werkzeug test_content_range_parsing
            ("bytes 0-98/*", Some((Some((0, 98)), None))),
            ("bytes 0-98/*asdfsa", None),
            ("bytes */-1", None),
            ("bytes 0-99/100", Some((Some((0, 99)), Some(100)))),
            ("bytes */100", Some((None, Some(100)))),
            // Werkzeug test_content_range_invalid_int
            ("bytes */🯱🯲🯳", None),
            ("bytes 1-+2/3", None),
            ("bytes 1_23-125/*", None),
            // validation (RFC 9110 §14.4)
            ("bytes 5-4/10", None),
            ("bytes 0-10/10", None),
            ("bytes 0-9/10", Some((Some((0, 9)), Some(10)))),
            ("bytes */*", None),
            ("bytes */0", Some((None, Some(0)))),
            ("bytes 0-0/0", None),
            ("BYTES  0-0/1", Some((Some((0, 0)), Some(1)))),
            ("bytes 0-18446744073709551616/*", None),
            ("bytes 0 - 1/2", None),
            ("items 0-1/2", None),
            ("bytes", None),
            ("bytes 0-1", None),
            ("", None),
        ];
        for (input, want) in cases {
            let got = input.parse::<ContentRange>().ok().map(|c| {
                (
                    c.range().map(|r| (r.first(), r.last())),
                    c.complete_length(),
                )
            });
            assert_eq!(got, *want, "{input:?}");
        }
    }

    #[test]
    fn constructors_validate_and_format() {
        assert_eq!(
            ContentRange::bytes(range(0, 98), 99).unwrap().to_string(),
            "bytes 0-98/99"
        );
        assert_eq!(ContentRange::bytes(range(0, 99), 99), None);
        assert_eq!(
            ContentRange::bytes_unknown_length(range(0, 98)).to_string(),
            "bytes 0-98/*"
        );
        let unsatisfied = ContentRange::unsatisfied(100);
        assert_eq!(unsatisfied.to_header_value(), "bytes */100");
    }

    fn arb_content_range() -> impl Strategy<Value = ContentRange> {
        prop_oneof![
            (any::<u64>(), any::<u64>(), any::<u64>()).prop_map(|(a, b, c)| {
                let mut v = [a, b, c];
                v.sort_unstable();
                let [first, last, len] = v;
                ContentRange::bytes(range(first, last), len)
                    .unwrap_or_else(|| ContentRange::bytes_unknown_length(range(first, last)))
            }),
            (any::<u64>(), any::<u64>())
                .prop_map(|(a, b)| ContentRange::bytes_unknown_length(range(a.min(b), a.max(b)))),
            any::<u64>().prop_map(ContentRange::unsatisfied),
        ]
    }

    proptest! {
        #[test]
        fn content_range_round_trips(c in arb_content_range()) {
            prop_assert_eq!(c.to_string().parse::<ContentRange>().unwrap(), c);
            prop_assert_eq!(ContentRange::from_header(&c.to_header_value()).unwrap(), c);
        }

        #[test]
        fn parser_never_panics(s in "\\PC{0,30}") {
            let _ = s.parse::<ContentRange>();
        }
    }
}
