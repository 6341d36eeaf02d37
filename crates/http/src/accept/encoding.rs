//! The `Accept-Encoding` header (RFC 9110 §12.5.3): content codings with
//! weights, and the special rules for `identity`.

use std::fmt;
use std::str::FromStr;

use super::{Quality, best_offer, keep_better, parse_token_element, write_weight};
use crate::ParseError;
use crate::header::is_token;

/// The `Accept-Encoding` request header: the content codings a client can
/// decode.
///
/// Codings compare case-insensitively, and `x-gzip`/`x-compress` are the same
/// as `gzip`/`compress` (RFC 9110 §8.4.1). `identity` (no coding) is
/// acceptable unless the header refuses it with `identity;q=0`, or with
/// `*;q=0` and no entry for `identity` (RFC 9110 §12.5.3). When the header
/// does not name it, `identity` gets the lowest non-zero weight listed, so it
/// is acceptable but never preferred over a coding the client asked for.
///
/// An empty header value means "identity only". An absent header means any
/// coding is acceptable: that is the [`Default`], which holds the one range
/// `*`.
///
/// ```
/// use tackle_http::accept::AcceptEncoding;
///
/// let codings: AcceptEncoding = "br;q=1.0, gzip;q=0.8, *;q=0.1".parse().unwrap();
/// assert_eq!(codings.best_match(["gzip", "br", "identity"]), Some("br"));
/// let empty: AcceptEncoding = "".parse().unwrap();
/// assert_eq!(empty.best_match(["gzip", "identity"]), Some("identity"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AcceptEncoding {
    ranges: Vec<CodingRange>,
}

/// One element of `Accept-Encoding`: a content coding, `identity` or `*`,
/// with a weight. The coding is stored lowercase.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CodingRange {
    coding: String,
    quality: Quality,
}

/// How a range matched an offered coding; later variants win.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum CodingMatch {
    /// `identity` accepted without being named.
    Implicit,
    Any,
    Exact,
}

fn is_coding_range(coding: &str) -> bool {
    is_token(coding)
}

/// The registered name for the `x-` aliases RFC 9110 §8.4.1 lists.
fn canonical(coding: &str) -> &str {
    if coding.eq_ignore_ascii_case("x-gzip") {
        "gzip"
    } else if coding.eq_ignore_ascii_case("x-compress") {
        "compress"
    } else {
        coding
    }
}

fn same_coding(a: &str, b: &str) -> bool {
    canonical(a).eq_ignore_ascii_case(canonical(b))
}

impl CodingRange {
    /// A range at `q=1`; fails unless `coding` is a token (`gzip`,
    /// `identity`, `*`).
    pub fn new(coding: &str) -> Result<Self, ParseError> {
        if !is_coding_range(coding) {
            return Err(ParseError::invalid(
                "Accept-Encoding",
                "not a content coding",
            ));
        }
        Ok(CodingRange {
            coding: coding.to_ascii_lowercase(),
            quality: Quality::ONE,
        })
    }

    /// Sets the weight.
    pub fn with_quality(mut self, quality: Quality) -> Self {
        self.quality = quality;
        self
    }

    /// The coding, lowercase, e.g. `gzip` or `*`.
    pub fn coding(&self) -> &str {
        &self.coding
    }

    /// The weight (`q=1` when the client gave none).
    pub fn quality(&self) -> Quality {
        self.quality
    }

    /// Whether this is `*`.
    pub fn is_wildcard(&self) -> bool {
        self.coding == "*"
    }

    fn parse_element(element: &str) -> Option<CodingRange> {
        let (coding, quality) = parse_token_element(element, is_coding_range)?;
        Some(CodingRange {
            coding: coding.to_ascii_lowercase(),
            quality,
        })
    }
}

impl FromStr for CodingRange {
    type Err = ParseError;

    /// Parses one element such as `gzip;q=0.5`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        CodingRange::parse_element(s.trim())
            .ok_or_else(|| ParseError::invalid("Accept-Encoding", "not a content coding"))
    }
}

impl fmt::Display for CodingRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.coding)?;
        write_weight(f, self.quality)
    }
}

impl Default for AcceptEncoding {
    /// What an absent header means: `*`, any coding.
    fn default() -> Self {
        AcceptEncoding::new(vec![CodingRange {
            coding: "*".to_string(),
            quality: Quality::ONE,
        }])
    }
}

impl AcceptEncoding {
    /// An `Accept-Encoding` with these ranges; with none, only `identity`
    /// is acceptable.
    pub fn new(ranges: Vec<CodingRange>) -> Self {
        AcceptEncoding { ranges }
    }

    /// The ranges in header order.
    pub fn iter(&self) -> std::slice::Iter<'_, CodingRange> {
        self.ranges.iter()
    }

    /// The number of ranges.
    pub fn len(&self) -> usize {
        self.ranges.len()
    }

    /// Whether there are no ranges (so only `identity` is acceptable).
    pub fn is_empty(&self) -> bool {
        self.ranges.is_empty()
    }

    /// Appends a range.
    pub fn push(&mut self, range: CodingRange) {
        self.ranges.push(range);
    }

    /// How much the client wants a response in the content coding `offer`
    /// (`identity` for none); 0 when it is not acceptable.
    pub fn quality(&self, offer: &str) -> Quality {
        self.rate(offer).map_or(Quality::ZERO, |(q, _)| q)
    }

    /// The offered coding the client prefers, or `None` when none is
    /// acceptable. Ties go to a coding the header names over one matched by
    /// `*`, over an implicit `identity`, then to the offer listed first.
    pub fn best_match<'a>(&self, offers: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
        best_offer(offers, |offer| self.rate(offer))
    }

    fn rate(&self, offer: &str) -> Option<(Quality, CodingMatch)> {
        let mut best = None;
        for range in &self.ranges {
            if range.is_wildcard() {
                keep_better(&mut best, (CodingMatch::Any, range.quality));
            } else if same_coding(&range.coding, offer) {
                keep_better(&mut best, (CodingMatch::Exact, range.quality));
            }
        }
        if best.is_none() && offer.eq_ignore_ascii_case("identity") {
            best = Some((CodingMatch::Implicit, self.implicit_identity_quality()));
        }
        best.map(|(found, quality)| (quality, found))
    }

    fn implicit_identity_quality(&self) -> Quality {
        self.ranges
            .iter()
            .map(CodingRange::quality)
            .filter(|q| q.is_acceptable())
            .min()
            .unwrap_or(Quality::ONE)
    }
}

list_header_impls!(AcceptEncoding, CodingRange, ACCEPT_ENCODING);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::TypedHeader;
    use proptest::prelude::*;

    fn q(text: &str) -> Quality {
        text.parse().unwrap()
    }

    /// `(header, offer, expected quality)`.
    const QUALITY_CASES: &[(&str, &str, &str)] = &[
        // RFC 9110 §12.5.3 examples.
        ("compress, gzip", "gzip", "1"),
        ("compress, gzip", "identity", "1"),
        ("compress, gzip", "br", "0"),
        ("", "identity", "1"),
        ("", "gzip", "0"),
        ("*", "br", "1"),
        ("*", "identity", "1"),
        ("compress;q=0.5, gzip;q=1.0", "compress", "0.5"),
        ("compress;q=0.5, gzip;q=1.0", "identity", "0.5"),
        ("gzip;q=1.0, identity; q=0.5, *;q=0", "identity", "0.5"),
        ("gzip;q=1.0, identity; q=0.5, *;q=0", "br", "0"),
        // identity refused only explicitly.
        ("gzip, identity;q=0", "identity", "0"),
        ("gzip, *;q=0", "identity", "0"),
        ("*;q=0, identity", "identity", "1"),
        ("gzip;q=0", "identity", "1"),
        ("br;q=0.3, gzip;q=0", "identity", "0.3"),
        // Aliases and case.
        ("x-gzip;q=0.4", "gzip", "0.4"),
        ("GZIP;q=0.4", "x-gzip", "0.4"),
        ("x-compress", "compress", "1"),
        ("IDENTITY;q=0.2", "identity", "0.2"),
        // Specific beats `*`, whichever weight is higher.
        ("*;q=0.9, br;q=0", "br", "0"),
        ("*;q=0.1, br", "gzip", "0.1"),
        // Duplicates: the higher weight wins.
        ("gzip;q=0.2, gzip;q=0.6", "gzip", "0.6"),
    ];

    #[test]
    fn quality_table() {
        for (header, offer, want) in QUALITY_CASES {
            let accept: AcceptEncoding = header.parse().unwrap();
            assert_eq!(accept.quality(offer), q(want), "{header} / {offer}");
        }
    }

    /// `(header, offers, expected best match)`.
    const BEST_MATCH_CASES: &[(&str, &[&str], Option<&str>)] = &[
        ("gzip, deflate, br", &["br", "gzip"], Some("br")),
        ("gzip, deflate, br", &["identity", "gzip"], Some("gzip")),
        ("gzip;q=0.5", &["identity", "gzip"], Some("gzip")),
        ("br;q=0.8, gzip;q=0.9", &["br", "gzip"], Some("gzip")),
        ("gzip, br;q=0", &["br", "identity"], Some("identity")),
        ("identity;q=0", &["identity"], None),
        ("*;q=0", &["gzip", "identity"], None),
        ("", &["br", "gzip"], None),
        ("", &["br", "identity"], Some("identity")),
        ("*", &["zstd", "br"], Some("zstd")),
        ("*, br", &["zstd", "br"], Some("br")),
    ];

    #[test]
    fn best_match_table() {
        for (header, offers, want) in BEST_MATCH_CASES {
            let accept: AcceptEncoding = header.parse().unwrap();
            assert_eq!(
                accept.best_match(offers.iter().copied()),
                *want,
                "{header} / {offers:?}"
            );
        }
    }

    #[test]
    fn default_is_any_coding() {
        let absent = AcceptEncoding::default();
        assert_eq!(absent.to_string(), "*");
        assert_eq!(absent.best_match(["br", "identity"]), Some("br"));
        assert_eq!(absent.quality("identity"), Quality::ONE);
        let parsed: AcceptEncoding = "gzip;q=2, br;level=3;q=0.5, , de flate".parse().unwrap();
        let got: Vec<(&str, Quality)> = parsed.iter().map(|r| (r.coding(), r.quality())).collect();
        assert_eq!(got, [("br", q("0.5"))]);
        assert_eq!(parsed.to_string(), "br;q=0.5");
        assert!(CodingRange::new("g zip").is_err());
        assert_eq!("GZIP".parse::<CodingRange>().unwrap().coding(), "gzip");
        assert!("*;q=0".parse::<CodingRange>().unwrap().is_wildcard());
    }

    #[test]
    fn hundred_thousand_ranges_stay_linear() {
        let header = "x-custom;q=0.5, ".repeat(100_000) + "gzip;q=0.7";
        let accept: AcceptEncoding = header.parse().unwrap();
        assert_eq!(accept.len(), 100_001);
        assert_eq!(accept.best_match(["br", "identity", "gzip"]), Some("gzip"));
        assert_eq!(accept.quality("identity"), q("0.5"));
    }

    fn coding_range() -> impl Strategy<Value = CodingRange> {
        (
            prop_oneof![Just("*".to_string()), "[a-zA-Z0-9!#$%&'*+.^_`|~-]{1,10}"],
            0u16..=1000,
        )
            .prop_map(|(coding, q)| {
                CodingRange::new(&coding)
                    .unwrap()
                    .with_quality(Quality::from_thousandths(q).unwrap())
            })
    }

    proptest! {
        #[test]
        fn accept_encoding_round_trips(ranges in proptest::collection::vec(coding_range(), 0..6)) {
            let accept = AcceptEncoding::new(ranges);
            prop_assert_eq!(accept.to_string().parse::<AcceptEncoding>().unwrap(), accept.clone());
            prop_assert_eq!(AcceptEncoding::from_header(&accept.to_header_value()).unwrap(), accept);
        }

        #[test]
        fn parse_never_panics(s in "\\PC{0,40}") {
            let accept: AcceptEncoding = s.parse().unwrap();
            let _ = accept.best_match([s.as_str(), "identity"]);
        }
    }
}
