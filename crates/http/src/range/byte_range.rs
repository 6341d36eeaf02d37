//! Byte ranges (RFC 9110 §14.1.1): a range as requested ([`ByteRangeSpec`])
//! and as resolved against a representation ([`ByteRange`]).

use std::fmt;

/// The bytes `first..=last` of a representation: zero-based, inclusive and
/// never empty, as `Content-Range` spells them.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub struct ByteRange {
    first: u64,
    last: u64,
}

impl ByteRange {
    /// The bytes `first..=last`; `None` if `last < first`.
    pub const fn new(first: u64, last: u64) -> Option<Self> {
        if first <= last {
            Some(ByteRange { first, last })
        } else {
            None
        }
    }

    /// The position of the first byte.
    pub const fn first(&self) -> u64 {
        self.first
    }

    /// The position of the last byte (inclusive).
    pub const fn last(&self) -> u64 {
        self.last
    }

    /// The number of bytes, at least 1 (saturating at `u64::MAX` for the
    /// whole `0..=u64::MAX`, which no real representation has).
    // A `ByteRange` is never empty, so an `is_empty` would always say false.
    #[allow(clippy::len_without_is_empty)]
    pub const fn len(&self) -> u64 {
        (self.last - self.first).saturating_add(1)
    }

    /// The same bytes as a half-open range, e.g. to slice a buffer.
    pub const fn to_std_range(&self) -> std::ops::Range<u64> {
        self.first..self.last.saturating_add(1)
    }

    /// Extends `self` to cover `next` when they overlap or touch; `next` must
    /// not start before `self`.
    pub(super) fn merge(&mut self, next: ByteRange) -> bool {
        if next.first <= self.last.saturating_add(1) {
            self.last = self.last.max(next.last);
            true
        } else {
            false
        }
    }
}

impl fmt::Display for ByteRange {
    /// `first-last`, as in `Content-Range`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.first, self.last)
    }
}

/// One range as a client asks for it in a `Range` header (RFC 9110 §14.1.1).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum ByteRangeSpec {
    /// `first-last`: the bytes `first..=last`, with `last` clamped to the end
    /// of the representation. `first <= last` in a valid spec.
    FromTo {
        /// The first byte's position.
        first: u64,
        /// The last byte's position (inclusive).
        last: u64,
    },
    /// `first-`: from `first` to the end.
    From {
        /// The first byte's position.
        first: u64,
    },
    /// `-length`: the last `length` bytes, or all of a shorter representation.
    Suffix {
        /// How many bytes from the end.
        length: u64,
    },
}

impl ByteRangeSpec {
    /// The bytes this spec selects from a representation of `complete_length`
    /// bytes, or `None` if it is unsatisfiable: it starts at or past the end,
    /// it is a suffix of length 0, or the representation is empty.
    pub fn resolve(&self, complete_length: u64) -> Option<ByteRange> {
        let end = complete_length.checked_sub(1)?;
        match *self {
            ByteRangeSpec::FromTo { first, last } if first <= end => {
                ByteRange::new(first, last.min(end))
            }
            ByteRangeSpec::From { first } if first <= end => ByteRange::new(first, end),
            ByteRangeSpec::Suffix { length } if length > 0 => {
                ByteRange::new(complete_length.saturating_sub(length), end)
            }
            _ => None,
        }
    }

    pub(super) fn is_valid(&self) -> bool {
        match *self {
            ByteRangeSpec::FromTo { first, last } => first <= last,
            _ => true,
        }
    }
}

impl fmt::Display for ByteRangeSpec {
    /// `first-last`, `first-` or `-length`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            ByteRangeSpec::FromTo { first, last } => write!(f, "{first}-{last}"),
            ByteRangeSpec::From { first } => write!(f, "{first}-"),
            ByteRangeSpec::Suffix { length } => write!(f, "-{length}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spec_resolution_table() {
        use ByteRangeSpec::*;
        // (spec, complete length, resolved first..=last)
        type Case = (ByteRangeSpec, u64, Option<(u64, u64)>);
        #[rustfmt::skip]
        let cases: &[Case] = &[
            // RFC 9110 §14.1.2, a 10000-byte representation
            (FromTo { first: 0, last: 499 }, 10_000, Some((0, 499))),
            (FromTo { first: 500, last: 999 }, 10_000, Some((500, 999))),
            (Suffix { length: 500 }, 10_000, Some((9500, 9999))),
            (From { first: 9500 }, 10_000, Some((9500, 9999))),
            (FromTo { first: 0, last: 0 }, 10_000, Some((0, 0))),
            (Suffix { length: 1 }, 10_000, Some((9999, 9999))),
            // clamping and satisfiability (§14.1.1)
            (FromTo { first: 5, last: u64::MAX }, 10, Some((5, 9))),
            (FromTo { first: 10, last: 20 }, 10, None),
            (From { first: 10 }, 10, None),
            (From { first: 9 }, 10, Some((9, 9))),
            (Suffix { length: 20 }, 10, Some((0, 9))),
            (Suffix { length: u64::MAX }, 10, Some((0, 9))),
            (Suffix { length: 0 }, 10, None),
            (From { first: 0 }, 0, None),
            (Suffix { length: 5 }, 0, None),
            (FromTo { first: 3, last: 2 }, 10, None),
        ];
        for (spec, len, want) in cases {
            let got = spec.resolve(*len).map(|r| (r.first(), r.last()));
            assert_eq!(got, *want, "{spec} of {len}");
        }
    }

    #[test]
    fn byte_range_basics() {
        let r = ByteRange::new(500, 999).unwrap();
        assert_eq!(
            (r.len(), r.to_std_range(), r.to_string()),
            (500, 500..1000, "500-999".to_string())
        );
        assert_eq!(ByteRange::new(2, 1), None);
        assert_eq!(ByteRange::new(0, u64::MAX).unwrap().len(), u64::MAX);
        let mut a = ByteRange::new(0, 4).unwrap();
        assert!(a.merge(ByteRange::new(5, 9).unwrap()));
        assert_eq!(a, ByteRange::new(0, 9).unwrap());
        assert!(!a.merge(ByteRange::new(11, 12).unwrap()));
    }
}
