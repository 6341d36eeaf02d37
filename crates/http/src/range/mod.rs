//! Range requests (RFC 9110 §14): the `Range` request header (§14.2), its
//! resolution against a representation's length (§14.1.1), the
//! `Content-Range` response header (§14.4), `If-Range` (§13.1.5) and the
//! framing of a `multipart/byteranges` body (§14.6).
//!
//! Resolving a `Range` clamps every range to the representation, drops the
//! unsatisfiable ones, and sorts and coalesces the rest (overlapping or
//! adjacent ranges become one), as RFC 9110 §15.3.7.2 allows "regardless of
//! the order in which the corresponding range-spec appeared". A request with
//! more than [`DEFAULT_MAX_RANGES`] ranges resolves to
//! [`RangeResolution::TooManyRanges`], so that a server can ignore the
//! header and send the whole representation instead of doing the work
//! (§14.2 lists many small or overlapping ranges as a denial-of-service sign).
//!
//! ```
//! use tackle_http::{ByteRange, Range, RangeResolution, TypedHeader};
//!
//! // RFC 9110 §14.1.2: the first and last bytes of a 10000-byte representation.
//! let range: Range = "bytes=0-0,-1".parse().unwrap();
//! let Range::Bytes(set) = &range else { unreachable!() };
//! let RangeResolution::Satisfiable(ranges) = set.resolve(10_000) else { unreachable!() };
//! assert_eq!(ranges.as_slice(), [ByteRange::new(0, 0).unwrap(), ByteRange::new(9999, 9999).unwrap()]);
//! let parts: Vec<String> = ranges.content_ranges().map(|c| c.to_string()).collect();
//! assert_eq!(parts, ["bytes 0-0/10000", "bytes 9999-9999/10000"]);
//! ```

mod byte_range;
mod byteranges;
mod content_range;
mod if_range;
mod range_header;
mod resolve;

pub use byte_range::{ByteRange, ByteRangeSpec};
pub use byteranges::{MAX_BOUNDARY_LEN, MultipartByteranges};
pub use content_range::ContentRange;
pub use if_range::IfRange;
pub use range_header::{ByteRangeSet, Range};
pub use resolve::{RangeResolution, ResolvedRanges};

/// The number of ranges a `Range` header may ask for before
/// [`ByteRangeSet::resolve`] answers [`RangeResolution::TooManyRanges`]: 100.
///
/// Real clients ask for one range, or a few (PDF viewers, download
/// managers); hundreds are a sign of abuse. Apache's `MaxRanges` defaults to
/// 200; use [`ByteRangeSet::resolve_limited`] to choose another limit.
pub const DEFAULT_MAX_RANGES: usize = 100;

/// Optional whitespace (RFC 9110 §5.6.3).
const OWS: [char; 2] = [' ', '\t'];

/// Parses a non-empty run of ASCII digits, refusing the signs, underscores and
/// non-ASCII digits that general number parsers accept. `None` if empty, not
/// all digits, or over `u64::MAX`.
fn parse_digits(s: &str) -> Option<u64> {
    if s.is_empty() {
        return None;
    }
    s.bytes().try_fold(0u64, |n, b| {
        let digit = b.wrapping_sub(b'0');
        if digit < 10 {
            n.checked_mul(10)?.checked_add(u64::from(digit))
        } else {
            None
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digits_table() {
        #[rustfmt::skip]
        let cases: &[(&str, Option<u64>)] = &[
            ("0", Some(0)),
            ("007", Some(7)),
            ("18446744073709551615", Some(u64::MAX)),
            ("18446744073709551616", None),
            ("", None),
            ("+1", None),
            ("1_23", None),
            ("-1", None),
            (" 1", None),
            ("🯱🯲🯳", None),
        ];
        for (input, want) in cases {
            assert_eq!(parse_digits(input), *want, "{input:?}");
        }
    }
}
