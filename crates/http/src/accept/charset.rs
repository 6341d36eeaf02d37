//! The `Accept-Charset` header (RFC 9110 §12.5.2): charsets with weights.

use std::fmt;
use std::str::FromStr;

use super::{Quality, best_offer, keep_better, parse_token_element, write_weight};
use crate::ParseError;
use crate::header::is_token;

/// The `Accept-Charset` request header: the charsets a client can read.
///
/// Charset names compare case-insensitively and ignoring `-` and `_`, so
/// `utf8` matches `UTF-8` and `iso8859-1` matches `ISO-8859-1` (a cheap
/// stand-in for the IANA alias table, as Werkzeug's codec lookup gives).
/// When the header has no `*`, charsets it does not name are not acceptable
/// (RFC 9110 dropped the old special case for ISO-8859-1).
///
/// No ranges (the [`Default`], or an empty header value) means every charset
/// is acceptable.
///
/// ```
/// use tackle_http::accept::AcceptCharset;
///
/// let charsets: AcceptCharset = "iso-8859-5, unicode-1-1;q=0.8".parse().unwrap();
/// assert_eq!(charsets.best_match(["utf-8", "unicode-1-1"]), Some("unicode-1-1"));
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AcceptCharset {
    ranges: Vec<CharsetRange>,
}

/// One element of `Accept-Charset`: a charset name or `*`, with a weight.
/// The name is stored lowercase.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CharsetRange {
    charset: String,
    quality: Quality,
}

/// How a range matched an offered charset; later variants win.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum CharsetMatch {
    Any,
    Exact,
}

fn is_charset_range(charset: &str) -> bool {
    is_token(charset)
}

/// Compares charset names ignoring ASCII case, `-` and `_`, without
/// allocating.
fn same_charset(a: &str, b: &str) -> bool {
    fn significant(s: &str) -> impl Iterator<Item = u8> + '_ {
        s.bytes()
            .filter(|&c| c != b'-' && c != b'_')
            .map(|c| c.to_ascii_lowercase())
    }
    significant(a).eq(significant(b))
}

impl CharsetRange {
    /// A range at `q=1`; fails unless `charset` is a token (`utf-8`, `*`).
    pub fn new(charset: &str) -> Result<Self, ParseError> {
        if !is_charset_range(charset) {
            return Err(ParseError::invalid("Accept-Charset", "not a charset"));
        }
        Ok(CharsetRange {
            charset: charset.to_ascii_lowercase(),
            quality: Quality::ONE,
        })
    }

    /// Sets the weight.
    pub fn with_quality(mut self, quality: Quality) -> Self {
        self.quality = quality;
        self
    }

    /// The charset, lowercase, e.g. `utf-8` or `*`.
    pub fn charset(&self) -> &str {
        &self.charset
    }

    /// The weight (`q=1` when the client gave none).
    pub fn quality(&self) -> Quality {
        self.quality
    }

    /// Whether this is `*`.
    pub fn is_wildcard(&self) -> bool {
        self.charset == "*"
    }

    fn parse_element(element: &str) -> Option<CharsetRange> {
        let (charset, quality) = parse_token_element(element, is_charset_range)?;
        Some(CharsetRange {
            charset: charset.to_ascii_lowercase(),
            quality,
        })
    }
}

impl FromStr for CharsetRange {
    type Err = ParseError;

    /// Parses one element such as `utf-8;q=0.5`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        CharsetRange::parse_element(s.trim())
            .ok_or_else(|| ParseError::invalid("Accept-Charset", "not a charset"))
    }
}

impl fmt::Display for CharsetRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.charset)?;
        write_weight(f, self.quality)
    }
}

impl AcceptCharset {
    /// An `Accept-Charset` with these ranges; with none it accepts every
    /// charset.
    pub fn new(ranges: Vec<CharsetRange>) -> Self {
        AcceptCharset { ranges }
    }

    /// The ranges in header order.
    pub fn iter(&self) -> std::slice::Iter<'_, CharsetRange> {
        self.ranges.iter()
    }

    /// The number of ranges.
    pub fn len(&self) -> usize {
        self.ranges.len()
    }

    /// Whether there are no ranges (so every charset is acceptable).
    pub fn is_empty(&self) -> bool {
        self.ranges.is_empty()
    }

    /// Appends a range.
    pub fn push(&mut self, range: CharsetRange) {
        self.ranges.push(range);
    }

    /// How much the client wants text in the charset `offer`; 0 when it is
    /// not acceptable.
    pub fn quality(&self, offer: &str) -> Quality {
        self.rate(offer).map_or(Quality::ZERO, |(q, _)| q)
    }

    /// The offered charset the client prefers, or `None` when none is
    /// acceptable. Ties go to a charset the header names over one matched by
    /// `*`, then to the offer listed first.
    pub fn best_match<'a>(&self, offers: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
        best_offer(offers, |offer| self.rate(offer))
    }

    fn rate(&self, offer: &str) -> Option<(Quality, CharsetMatch)> {
        if self.ranges.is_empty() {
            return Some((Quality::ONE, CharsetMatch::Any));
        }
        let mut best = None;
        for range in &self.ranges {
            if range.is_wildcard() {
                keep_better(&mut best, (CharsetMatch::Any, range.quality));
            } else if same_charset(&range.charset, offer) {
                keep_better(&mut best, (CharsetMatch::Exact, range.quality));
            }
        }
        best.map(|(found, quality)| (quality, found))
    }
}

list_header_impls!(AcceptCharset, CharsetRange, ACCEPT_CHARSET);

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
        // Werkzeug test_charset_accept.
        ("ISO-8859-1,utf-8;q=0.7,*;q=0.7", "iso-8859-1", "1"),
        ("ISO-8859-1,utf-8;q=0.7,*;q=0.7", "iso8859-1", "1"),
        ("ISO-8859-1,utf-8;q=0.7,*;q=0.7", "UTF8", "0.7"),
        ("ISO-8859-1,utf-8;q=0.7,*;q=0.7", "ebcdic", "0.7"),
        // Werkzeug TestAccept.test_accept_basic, with charset-like names.
        (WERKZEUG_BASIC, "tinker", "0"),
        (WERKZEUG_BASIC, "tailor", "0.333"),
        (WERKZEUG_BASIC, "soldier", "0.667"),
        (WERKZEUG_BASIC, "sailor", "1"),
        (WERKZEUG_BASIC, "spy", "0"),
        // RFC 9110 §12.5.2 example.
        ("iso-8859-5, unicode-1-1;q=0.8", "iso-8859-5", "1"),
        ("iso-8859-5, unicode-1-1;q=0.8", "unicode-1-1", "0.8"),
        ("iso-8859-5, unicode-1-1;q=0.8", "iso-8859-1", "0"),
        // A named charset beats `*`.
        ("*, utf-8;q=0", "utf-8", "0"),
        ("", "koi8-r", "1"),
    ];

    const WERKZEUG_BASIC: &str = "sailor, soldier;q=0.667, tailor;q=0.333, tinker;q=0";

    #[test]
    fn quality_table() {
        for (header, offer, want) in QUALITY_CASES {
            let accept: AcceptCharset = header.parse().unwrap();
            assert_eq!(accept.quality(offer), q(want), "{header} / {offer}");
        }
    }

    /// `(header, offers, expected best match)`: Werkzeug's TestAccept.
    const BEST_MATCH_CASES: &[(&str, &[&str], Option<&str>)] = &[
        (
            WERKZEUG_BASIC,
            &["tinker", "tailor", "soldier", "sailor"],
            Some("sailor"),
        ),
        (
            WERKZEUG_BASIC,
            &["tinker", "tailor", "soldier"],
            Some("soldier"),
        ),
        (WERKZEUG_BASIC, &["tinker", "tailor"], Some("tailor")),
        (WERKZEUG_BASIC, &["tinker"], None),
        ("*;q=0, asterisk", &["asterisk", "star"], Some("asterisk")),
        ("*;q=0, asterisk", &["star"], None),
        ("*", &["alice", "bob"], Some("alice")),
        ("*", &["bob", "alice"], Some("bob")),
        ("alice, bob", &["alice", "bob"], Some("alice")),
        ("alice, bob", &["bob", "alice"], Some("bob")),
        (
            "asterisk;q=0, star;q=0.5, *",
            &["star", "asterisk"],
            Some("star"),
        ),
        (
            "asterisk;q=0, star;q=0.5, *",
            &["asterisk", "star"],
            Some("star"),
        ),
        (
            "asterisk;q=0, star;q=0.5, *",
            &["asterisk", "times"],
            Some("times"),
        ),
        ("asterisk;q=0, star;q=0.5, *", &["asterisk"], None),
        ("utf-8, *", &["latin1", "UTF8"], Some("UTF8")),
    ];

    #[test]
    fn best_match_table() {
        for (header, offers, want) in BEST_MATCH_CASES {
            let accept: AcceptCharset = header.parse().unwrap();
            assert_eq!(
                accept.best_match(offers.iter().copied()),
                *want,
                "{header} / {offers:?}"
            );
        }
    }

    #[test]
    fn parse_and_format() {
        let accept: AcceptCharset =
            "sailor,soldier;q=0.667,tailor;q=0.333,tinker;q=0, bad name, x;q=1.5"
                .parse()
                .unwrap();
        assert_eq!(accept.to_string(), WERKZEUG_BASIC);
        let names: Vec<&str> = accept.iter().map(CharsetRange::charset).collect();
        assert_eq!(names, ["sailor", "soldier", "tailor", "tinker"]);
        assert!(!accept.is_empty() && AcceptCharset::default().is_empty());
        assert!(CharsetRange::new("utf 8").is_err());
        assert_eq!(CharsetRange::new("UTF-8").unwrap().charset(), "utf-8");
        assert!("*".parse::<CharsetRange>().unwrap().is_wildcard());
    }

    #[test]
    fn hundred_thousand_ranges_stay_linear() {
        let header = "koi8-r;q=0.5, ".repeat(100_000) + "utf-8";
        let accept: AcceptCharset = header.parse().unwrap();
        assert_eq!(accept.len(), 100_001);
        assert_eq!(
            accept.best_match(["latin1", "koi8-r", "utf-8"]),
            Some("utf-8")
        );
    }

    fn charset_range() -> impl Strategy<Value = CharsetRange> {
        (
            prop_oneof![Just("*".to_string()), "[a-zA-Z0-9!#$%&'*+.^_`|~-]{1,10}"],
            0u16..=1000,
        )
            .prop_map(|(charset, q)| {
                CharsetRange::new(&charset)
                    .unwrap()
                    .with_quality(Quality::from_thousandths(q).unwrap())
            })
    }

    proptest! {
        #[test]
        fn accept_charset_round_trips(ranges in proptest::collection::vec(charset_range(), 0..6)) {
            let accept = AcceptCharset::new(ranges);
            prop_assert_eq!(accept.to_string().parse::<AcceptCharset>().unwrap(), accept.clone());
            prop_assert_eq!(AcceptCharset::from_header(&accept.to_header_value()).unwrap(), accept);
        }

        #[test]
        fn parse_never_panics(s in "\\PC{0,40}") {
            let accept: AcceptCharset = s.parse().unwrap();
            let _ = accept.best_match([s.as_str(), "utf-8"]);
        }
    }
}
