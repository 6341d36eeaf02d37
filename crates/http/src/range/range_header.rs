//! The `Range` request header (RFC 9110 §14.2).
//!
//! Grammar: `range-unit "=" range-set`, where a `bytes` range-set is a comma
//! list of `first-last`, `first-` and `-suffix`. Beyond the RFC, whitespace is
//! tolerated around `=` and `-` (as Werkzeug and Paste do, e.g.
//! `bytes = 1 - 100`), and numbers too large for a `u64` saturate, which
//! keeps their meaning (such a position lies past any real representation).
//! Range units are case-insensitive; a unit other than `bytes` parses as
//! [`Range::Other`] so that a server can ignore it (§14.2), not reject it.

use std::fmt;
use std::str::FromStr;

use http::{HeaderName, HeaderValue, header};

use super::DEFAULT_MAX_RANGES;
use super::byte_range::ByteRangeSpec;
use super::resolve::RangeResolution;
use crate::header::{is_tchar, trim_ows};
use crate::{ParseError, TypedHeader};

/// The `Range` request header: which parts of the representation a client
/// wants.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum Range {
    /// `bytes=...`, the one range unit HTTP defines.
    Bytes(ByteRangeSet),
    /// Another unit, kept as sent: servers that do not know it must ignore the
    /// header (RFC 9110 §14.2).
    Other {
        /// The range unit, e.g. `items`.
        unit: String,
        /// Everything after `=`, trimmed.
        ranges: String,
    },
}

impl Range {
    /// A `bytes` range from its specs; fails if there are none or a
    /// `first-last` spec ends before it starts.
    pub fn bytes(specs: impl IntoIterator<Item = ByteRangeSpec>) -> Result<Self, ParseError> {
        ByteRangeSet::new(specs).map(Range::Bytes)
    }

    fn parse_bytes(value: &[u8]) -> Result<Self, ParseError> {
        let eq = value
            .iter()
            .position(|&b| b == b'=')
            .ok_or_else(|| ParseError::invalid("Range", "missing '='"))?;
        let (unit, ranges) = (trim_ows(&value[..eq]), trim_ows(&value[eq + 1..]));
        if unit.eq_ignore_ascii_case(b"bytes") {
            return ByteRangeSet::parse(ranges).map(Range::Bytes);
        }
        if unit.is_empty() || !unit.iter().all(|&b| is_tchar(b)) {
            return Err(ParseError::invalid("Range", "range unit is not a token"));
        }
        if !is_other_range_set(ranges) {
            return Err(ParseError::invalid("Range", "invalid range set"));
        }
        // Both parts are checked ASCII, so these conversions are lossless.
        Ok(Range::Other {
            unit: String::from_utf8_lossy(unit).into_owned(),
            ranges: String::from_utf8_lossy(ranges).into_owned(),
        })
    }

    /// The byte ranges, unless the unit is not `bytes`.
    pub fn byte_ranges(&self) -> Option<&ByteRangeSet> {
        match self {
            Range::Bytes(set) => Some(set),
            Range::Other { .. } => None,
        }
    }
}

/// The non-empty list of byte ranges of a `bytes=` range header, in request
/// order. A single range (the common case) is stored inline, without
/// allocating.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct ByteRangeSet(Specs);

#[derive(Clone, PartialEq, Eq, Debug)]
enum Specs {
    One(ByteRangeSpec),
    /// Two or more.
    Many(Vec<ByteRangeSpec>),
}

impl ByteRangeSet {
    /// A set of the given specs; fails if there are none or a `first-last`
    /// spec ends before it starts.
    pub fn new(specs: impl IntoIterator<Item = ByteRangeSpec>) -> Result<Self, ParseError> {
        let mut builder = None;
        for spec in specs {
            if !spec.is_valid() {
                return Err(ParseError::invalid("Range", "last-pos is before first-pos"));
            }
            push(&mut builder, spec);
        }
        builder
            .map(ByteRangeSet)
            .ok_or_else(|| ParseError::invalid("Range", "no byte ranges"))
    }

    /// The specs in request order.
    pub fn as_slice(&self) -> &[ByteRangeSpec] {
        match &self.0 {
            Specs::One(spec) => std::slice::from_ref(spec),
            Specs::Many(specs) => specs,
        }
    }

    /// Resolves the ranges against a representation of `complete_length`
    /// bytes, allowing at most [`DEFAULT_MAX_RANGES`] specs.
    pub fn resolve(&self, complete_length: u64) -> RangeResolution {
        self.resolve_limited(complete_length, DEFAULT_MAX_RANGES)
    }

    /// Resolves the ranges against a representation of `complete_length`
    /// bytes: [`TooManyRanges`](RangeResolution::TooManyRanges) if more than
    /// `max_ranges` specs were sent, otherwise the satisfiable ranges clamped,
    /// sorted and coalesced, or [`Unsatisfiable`](RangeResolution::Unsatisfiable)
    /// if none is. Runs in O(n log n) for n specs.
    pub fn resolve_limited(&self, complete_length: u64, max_ranges: usize) -> RangeResolution {
        super::resolve::resolve(self.as_slice(), complete_length, max_ranges)
    }

    /// Parses a `bytes` range-set in one pass over its bytes, allocating only
    /// from the second spec on.
    fn parse(set: &[u8]) -> Result<Self, ParseError> {
        let mut builder = None;
        let mut cursor = Cursor { bytes: set, at: 0 };
        loop {
            // Empty list elements are allowed (RFC 9110 §5.6.1).
            cursor.skip(|b| matches!(b, b' ' | b'\t' | b','));
            if cursor.at_end() {
                break;
            }
            push(&mut builder, parse_spec(&mut cursor)?);
        }
        builder
            .map(ByteRangeSet)
            .ok_or_else(|| ParseError::invalid("Range", "no byte ranges"))
    }
}

/// Appends `spec`, staying inline until a second spec arrives.
fn push(specs: &mut Option<Specs>, spec: ByteRangeSpec) {
    match specs {
        None => *specs = Some(Specs::One(spec)),
        Some(Specs::One(first)) => *specs = Some(Specs::Many(vec![*first, spec])),
        Some(Specs::Many(all)) => all.push(spec),
    }
}

/// A position in the bytes of a range-set.
struct Cursor<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl Cursor<'_> {
    fn at_end(&self) -> bool {
        self.at >= self.bytes.len()
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.at).copied()
    }

    fn skip(&mut self, skipped: impl Fn(u8) -> bool) {
        while self.peek().is_some_and(&skipped) {
            self.at += 1;
        }
    }

    fn skip_ows(&mut self) {
        self.skip(|b| b == b' ' || b == b'\t');
    }

    /// A run of ASCII digits, saturating at `u64::MAX` rather than failing:
    /// a position that large lies past any real representation either way.
    /// `None` if there is no digit here.
    fn digits(&mut self) -> Option<u64> {
        let start = self.at;
        let mut n = 0u64;
        while let Some(digit) = self
            .peek()
            .map(|b| b.wrapping_sub(b'0'))
            .filter(|d| *d < 10)
        {
            n = n.saturating_mul(10).saturating_add(u64::from(digit));
            self.at += 1;
        }
        (self.at > start).then_some(n)
    }
}

/// Reads one `first-last`, `first-` or `-suffix` and the whitespace after it,
/// leaving the cursor at the next `,` or the end.
fn parse_spec(cursor: &mut Cursor<'_>) -> Result<ByteRangeSpec, ParseError> {
    let first = cursor.digits();
    cursor.skip_ows();
    if cursor.peek() != Some(b'-') {
        return Err(ParseError::invalid("Range", "range-spec without '-'"));
    }
    cursor.at += 1;
    cursor.skip_ows();
    let last = cursor.digits();
    cursor.skip_ows();
    if !matches!(cursor.peek(), None | Some(b',')) {
        return Err(ParseError::invalid(
            "Range",
            "range positions must be digits",
        ));
    }
    match (first, last) {
        (Some(first), Some(last)) if last < first => {
            Err(ParseError::invalid("Range", "last-pos is before first-pos"))
        }
        (Some(first), Some(last)) => Ok(ByteRangeSpec::FromTo { first, last }),
        (Some(first), None) => Ok(ByteRangeSpec::From { first }),
        (None, Some(length)) => Ok(ByteRangeSpec::Suffix { length }),
        (None, None) => Err(ParseError::invalid("Range", "range-spec without positions")),
    }
}

/// Whether `ranges` is a valid `other-range` list: VCHARs but `,` in each
/// element (RFC 9110 §14.1), at least one non-empty element.
fn is_other_range_set(ranges: &[u8]) -> bool {
    ranges
        .iter()
        .all(|b| matches!(b, b'\x21'..=b'\x7e' | b' ' | b'\t'))
        && ranges.iter().any(|b| !matches!(b, b',' | b' ' | b'\t'))
}

impl TypedHeader for Range {
    const NAME: HeaderName = header::RANGE;

    fn parse_value(value: &str) -> Result<Self, ParseError> {
        Self::parse_bytes(value.as_bytes())
    }

    /// Parses the raw bytes: the grammar is ASCII, so no text decoding is
    /// needed (bytes past ASCII are invalid anywhere in a `Range`).
    fn from_header(value: &HeaderValue) -> Result<Self, ParseError> {
        Self::parse_bytes(value.as_bytes())
    }

    fn to_header_value(&self) -> HeaderValue {
        crate::header::header_value(self.to_string())
    }
}

impl FromStr for Range {
    type Err = ParseError;

    fn from_str(s: &str) -> Result<Self, ParseError> {
        Self::parse_value(s)
    }
}

impl fmt::Display for ByteRangeSet {
    /// The specs joined by `,`, e.g. `0-499,-500`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, spec) in self.as_slice().iter().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            spec.fmt(f)?;
        }
        Ok(())
    }
}

impl fmt::Display for Range {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Range::Bytes(set) => write!(f, "bytes={set}"),
            Range::Other { unit, ranges } => write!(f, "{unit}={ranges}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ByteRangeSpec::*;
    use proptest::prelude::*;

    fn bytes(specs: &[ByteRangeSpec]) -> Option<Range> {
        Range::bytes(specs.iter().copied()).ok()
    }

    const fn ft(first: u64, last: u64) -> ByteRangeSpec {
        FromTo { first, last }
    }

    const fn from(first: u64) -> ByteRangeSpec {
        From { first }
    }

    const fn suffix(length: u64) -> ByteRangeSpec {
        Suffix { length }
    }

    fn other(unit: &str, ranges: &str) -> Range {
        Range::Other {
            unit: unit.into(),
            ranges: ranges.into(),
        }
    }

    #[test]
    fn parse_table() {
        #[rustfmt::skip]
        let cases: &[(&str, Option<Range>)] = &[
            // RFC 9110 §14.1.2 examples
            ("bytes=0-499", bytes(&[ft(0, 499)])),
            ("bytes=500-999", bytes(&[ft(500, 999)])),
            ("bytes=-500", bytes(&[suffix(500)])),
            ("bytes=9500-", bytes(&[from(9500)])),
            ("bytes=0-0,-1", bytes(&[ft(0, 0), suffix(1)])),
            ("bytes= 0-999, 4500-5499, -1000", bytes(&[ft(0, 999), ft(4500, 5499), suffix(1000)])),
            ("bytes=500-600,601-999", bytes(&[ft(500, 600), ft(601, 999)])),
            ("bytes=500-700,601-999", bytes(&[ft(500, 700), ft(601, 999)])),
            // Werkzeug test_range_parsing
            ("bytes=52", None),
            ("bytes=52-", bytes(&[from(52)])),
            ("bytes=52-99", bytes(&[ft(52, 99)])),
            ("bytes=52-99,-1000", bytes(&[ft(52, 99), suffix(1000)])),
            ("bytes = 1 - 100", bytes(&[ft(1, 100)])),
            ("AWesomes=0-999", Some(other("AWesomes", "0-999"))),
            ("bytes=-", None),
            ("bytes=bad", None),
            ("bytes=bad-1", None),
            ("bytes=-bad", None),
            ("bytes=52-99, bad", None),
            // Werkzeug test_range_invalid_int, test_range_validates_ranges
            ("bytes=🯱🯲🯳", None),
            ("bytes=+1-", None),
            ("bytes=1-1_23", None),
            ("bytes=1-0", None),
            // Paste test_range (Paste reads "-300" as "0-300"; RFC 9110 means the last 300 bytes)
            ("bytes=0-300", bytes(&[ft(0, 300)])),
            ("bytes   =  -300", bytes(&[suffix(300)])),
            ("bytes=  -", None),
            ("bytes=0   -   ", bytes(&[from(0)])),
            ("   BYTES=300-", bytes(&[from(300)])),
            (" Bytes = 4 - 5,6 - 07  ", bytes(&[ft(4, 5), ft(6, 7)])),
            (" bytes=-5,7-", bytes(&[suffix(5), from(7)])),
            ("", None),
            ("bytes=0,300", None),
            // Paste rejects overlapping "-7,5-"; RFC 9110 allows it (resolution coalesces)
            ("bytes=-7,5-", bytes(&[suffix(7), from(5)])),
            // list syntax, saturation, units
            ("bytes=,0-1,,", bytes(&[ft(0, 1)])),
            ("bytes=", None),
            ("bytes=,", None),
            ("bytes=-0", bytes(&[suffix(0)])),
            ("bytes=0-99999999999999999999999", bytes(&[ft(0, u64::MAX)])),
            ("bytes=1-2-3", None),
            ("bytes=--1", None),
            ("=0-1", None),
            ("by tes=0-1", None),
            ("0-1", None),
            ("items=1-5, 7", Some(other("items", "1-5, 7"))),
            ("items=", None),
            ("items=,", None),
            ("items=a\u{1}", None),
        ];
        for (input, want) in cases {
            assert_eq!(input.parse::<Range>().ok(), *want, "{input:?}");
        }
    }

    #[test]
    fn formats_canonically() {
        #[rustfmt::skip]
        let cases: &[(&str, &str)] = &[
            ("bytes = 1 - 100", "bytes=1-100"),
            ("BYTES=0-0, -1", "bytes=0-0,-1"),
            ("bytes=52-", "bytes=52-"),
            ("AWesomes=0-999", "AWesomes=0-999"),
        ];
        for (input, want) in cases {
            let range: Range = input.parse().unwrap();
            assert_eq!(range.to_string(), *want, "{input}");
            assert_eq!(range.to_header_value(), *want, "{input}");
        }
    }

    #[test]
    fn constructors_validate() {
        assert!(Range::bytes([]).is_err());
        assert!(Range::bytes([FromTo { first: 1, last: 0 }]).is_err());
        let range = Range::bytes([From { first: 3 }, Suffix { length: 2 }]).unwrap();
        assert_eq!(
            range.byte_ranges().unwrap().as_slice(),
            [From { first: 3 }, Suffix { length: 2 }]
        );
        assert_eq!(other("items", "1").byte_ranges(), None);
    }

    #[test]
    fn ten_thousand_ranges_parse_in_linear_time() {
        let text = format!(
            "bytes={}",
            (0..10_000u64)
                .map(|i| format!("{}-{}", i * 3, i * 3 + 1))
                .collect::<Vec<_>>()
                .join(",")
        );
        let range: Range = text.parse().unwrap();
        assert_eq!(range.byte_ranges().unwrap().as_slice().len(), 10_000);
        let huge = format!("bytes={}", "0-0,".repeat(200_000));
        let range: Range = huge.parse().unwrap();
        assert_eq!(range.byte_ranges().unwrap().as_slice().len(), 200_000);
    }

    fn arb_spec() -> impl Strategy<Value = ByteRangeSpec> {
        prop_oneof![
            (any::<u64>(), any::<u64>()).prop_map(|(a, b)| FromTo {
                first: a.min(b),
                last: a.max(b)
            }),
            any::<u64>().prop_map(|first| From { first }),
            any::<u64>().prop_map(|length| Suffix { length }),
        ]
    }

    proptest! {
        #[test]
        fn byte_ranges_round_trip(specs in proptest::collection::vec(arb_spec(), 1..6)) {
            let range = Range::bytes(specs).unwrap();
            prop_assert_eq!(range.to_string().parse::<Range>().unwrap(), range.clone());
            prop_assert_eq!(Range::from_header(&range.to_header_value()).unwrap(), range);
        }

        #[test]
        fn other_units_round_trip(unit in "[a-z][a-z0-9-]{0,8}", ranges in "[!-+\\--~]{1,8}(,[!-+\\--~]{1,8}){0,3}") {
            prop_assume!(!unit.eq_ignore_ascii_case("bytes"));
            let range = Range::Other { unit, ranges };
            prop_assert_eq!(range.to_string().parse::<Range>().unwrap(), range);
        }

        #[test]
        fn parser_never_panics(s in "\\PC{0,30}") {
            if let Ok(range) = s.parse::<Range>() {
                prop_assert_eq!(range.to_string().parse::<Range>().unwrap(), range);
            }
        }
    }
}
