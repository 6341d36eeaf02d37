//! Resolving requested ranges against a representation's length
//! (RFC 9110 §14.1.1, §14.2, §15.3.7.2).

use super::byte_range::{ByteRange, ByteRangeSpec};
use super::content_range::ContentRange;

/// What a `bytes` range request amounts to for a representation of known
/// length; see [`ByteRangeSet::resolve`](super::ByteRangeSet::resolve).
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum RangeResolution {
    /// Send these ranges: `206 Partial Content`.
    Satisfiable(ResolvedRanges),
    /// No range overlaps the representation: `416 Range Not Satisfiable`
    /// with `Content-Range: bytes */<length>`.
    Unsatisfiable,
    /// More ranges than allowed: ignore the `Range` header and send the whole
    /// representation (`200 OK`).
    TooManyRanges,
}

/// The ranges to send, sorted, disjoint and not adjacent (at least one byte
/// apart), with the representation's complete length. One range is stored
/// inline, without allocating.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct ResolvedRanges {
    ranges: Ranges,
    complete_length: u64,
}

#[derive(Clone, PartialEq, Eq, Debug)]
enum Ranges {
    One(ByteRange),
    /// Two or more.
    Many(Vec<ByteRange>),
}

impl ResolvedRanges {
    /// The ranges in ascending order; never empty.
    pub fn as_slice(&self) -> &[ByteRange] {
        match &self.ranges {
            Ranges::One(range) => std::slice::from_ref(range),
            Ranges::Many(ranges) => ranges,
        }
    }

    /// The ranges in ascending order.
    pub fn iter(&self) -> std::slice::Iter<'_, ByteRange> {
        self.as_slice().iter()
    }

    /// The only range, when there is one: the response is a single-part 206
    /// rather than `multipart/byteranges`.
    pub fn single(&self) -> Option<ByteRange> {
        match self.ranges {
            Ranges::One(range) => Some(range),
            Ranges::Many(_) => None,
        }
    }

    /// The length of the whole representation.
    pub fn complete_length(&self) -> u64 {
        self.complete_length
    }

    /// The `Content-Range` of each range, e.g. `bytes 0-499/10000`.
    pub fn content_ranges(&self) -> impl Iterator<Item = ContentRange> + '_ {
        self.iter()
            .map(|&range| ContentRange::resolved(range, self.complete_length))
    }
}

impl<'a> IntoIterator for &'a ResolvedRanges {
    type Item = &'a ByteRange;
    type IntoIter = std::slice::Iter<'a, ByteRange>;

    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

pub(super) fn resolve(
    specs: &[ByteRangeSpec],
    complete_length: u64,
    max_ranges: usize,
) -> RangeResolution {
    if specs.len() > max_ranges {
        return RangeResolution::TooManyRanges;
    }
    let resolved = |ranges| {
        RangeResolution::Satisfiable(ResolvedRanges {
            ranges,
            complete_length,
        })
    };
    if let [spec] = specs {
        return match spec.resolve(complete_length) {
            Some(range) => resolved(Ranges::One(range)),
            None => RangeResolution::Unsatisfiable,
        };
    }
    let mut ranges: Vec<ByteRange> = specs
        .iter()
        .filter_map(|spec| spec.resolve(complete_length))
        .collect();
    ranges.sort_unstable();
    let mut kept = 0;
    for i in 1..ranges.len() {
        let next = ranges[i];
        if !ranges[kept].merge(next) {
            kept += 1;
            ranges[kept] = next;
        }
    }
    ranges.truncate(kept + 1);
    match ranges.as_slice() {
        [] => RangeResolution::Unsatisfiable,
        [one] => resolved(Ranges::One(*one)),
        _ => resolved(Ranges::Many(ranges)),
    }
}

#[cfg(test)]
mod tests {
    use super::super::{ByteRangeSet, DEFAULT_MAX_RANGES, Range};
    use super::*;

    fn set(s: &str) -> ByteRangeSet {
        match s.parse::<Range>().unwrap() {
            Range::Bytes(set) => set,
            Range::Other { .. } => panic!("not bytes: {s}"),
        }
    }

    #[test]
    fn resolution_table() {
        // (Range, complete length, resolved ranges or None for unsatisfiable)
        type Case = (&'static str, u64, Option<&'static [(u64, u64)]>);
        #[rustfmt::skip]
        let cases: &[Case] = &[
            // RFC 9110 §14.1.2 with a 10000-byte representation
            ("bytes=0-499", 10_000, Some(&[(0, 499)])),
            ("bytes=500-999", 10_000, Some(&[(500, 999)])),
            ("bytes=-500", 10_000, Some(&[(9500, 9999)])),
            ("bytes=9500-", 10_000, Some(&[(9500, 9999)])),
            ("bytes=0-0,-1", 10_000, Some(&[(0, 0), (9999, 9999)])),
            ("bytes=500-600,601-999", 10_000, Some(&[(500, 999)])),
            ("bytes=500-700,601-999", 10_000, Some(&[(500, 999)])),
            // clamping, dropping, suffix larger than the representation
            ("bytes=0-99999", 100, Some(&[(0, 99)])),
            ("bytes=-1000", 100, Some(&[(0, 99)])),
            ("bytes=100-", 100, None),
            ("bytes=100-200,300-", 100, None),
            ("bytes=100-200,10-19", 100, Some(&[(10, 19)])),
            ("bytes=-0", 100, None),
            ("bytes=-0,5-5", 100, Some(&[(5, 5)])),
            ("bytes=0-", 0, None),
            // sorted and coalesced (Werkzeug and Paste refuse this order)
            ("bytes=50-59,0-9", 100, Some(&[(0, 9), (50, 59)])),
            ("bytes=-7,5-", 100, Some(&[(5, 99)])),
            ("bytes=0-9,10-19,20-29", 100, Some(&[(0, 29)])),
            ("bytes=0-9,11-19", 100, Some(&[(0, 9), (11, 19)])),
            ("bytes=0-50,10-20,40-60", 100, Some(&[(0, 60)])),
            ("bytes=5-5,5-5,5-5", 100, Some(&[(5, 5)])),
            ("bytes=90-,0-0,-5", 100, Some(&[(0, 0), (90, 99)])),
            ("bytes=0-18446744073709551615", u64::MAX, Some(&[(0, u64::MAX - 1)])),
        ];
        for (input, len, want) in cases {
            let got = match set(input).resolve(*len) {
                RangeResolution::Satisfiable(r) => {
                    assert_eq!(r.complete_length(), *len);
                    assert_eq!(r.single().is_some(), r.as_slice().len() == 1, "{input}");
                    Some(r.iter().map(|b| (b.first(), b.last())).collect::<Vec<_>>())
                }
                RangeResolution::Unsatisfiable => None,
                RangeResolution::TooManyRanges => panic!("too many: {input}"),
            };
            assert_eq!(got.as_deref(), *want, "{input} of {len}");
        }
    }

    #[test]
    fn limit_counts_requested_ranges() {
        let at_limit = format!("bytes={}", "0-0,".repeat(DEFAULT_MAX_RANGES));
        assert!(matches!(
            set(&at_limit).resolve(10),
            RangeResolution::Satisfiable(_)
        ));
        let over = format!("bytes={}", "0-0,".repeat(DEFAULT_MAX_RANGES + 1));
        assert_eq!(set(&over).resolve(10), RangeResolution::TooManyRanges);
        assert_eq!(
            set("bytes=0-1,3-4").resolve_limited(10, 1),
            RangeResolution::TooManyRanges
        );
        assert_eq!(
            set("bytes=0-1").resolve_limited(10, 0),
            RangeResolution::TooManyRanges
        );
    }

    #[test]
    fn ten_thousand_ranges_resolve_without_quadratic_work() {
        let text = format!(
            "bytes={}",
            (0..10_000u64)
                .rev()
                .map(|i| format!("{}-{}", i * 3, i * 3 + 1))
                .collect::<Vec<_>>()
                .join(",")
        );
        let ranges = set(&text);
        assert_eq!(ranges.resolve(30_000), RangeResolution::TooManyRanges);
        let RangeResolution::Satisfiable(all) = ranges.resolve_limited(30_000, usize::MAX) else {
            panic!("satisfiable");
        };
        assert_eq!(all.as_slice().len(), 10_000);
        assert_eq!(all.as_slice()[0], ByteRange::new(0, 1).unwrap());
        let overlapping = set(&format!("bytes={}", "0-5,".repeat(200_000)));
        let RangeResolution::Satisfiable(one) = overlapping.resolve_limited(10, usize::MAX) else {
            panic!("satisfiable");
        };
        assert_eq!(one.single(), ByteRange::new(0, 5));
    }

    #[test]
    fn content_ranges_carry_the_length() {
        let RangeResolution::Satisfiable(r) = set("bytes=500-999,7000-7999").resolve(8000) else {
            panic!("satisfiable");
        };
        let parts: Vec<String> = r.content_ranges().map(|c| c.to_string()).collect();
        assert_eq!(parts, ["bytes 500-999/8000", "bytes 7000-7999/8000"]);
        assert_eq!((&r).into_iter().count(), 2);
    }
}
