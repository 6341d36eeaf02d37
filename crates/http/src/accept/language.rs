//! The `Accept-Language` header (RFC 9110 §12.5.4): language ranges
//! (RFC 4647 §2.1) with weights.

use std::cmp::Reverse;
use std::fmt;
use std::str::FromStr;

use super::{Quality, best_offer, keep_better, parse_token_element, write_weight};
use crate::ParseError;

/// The `Accept-Language` request header: the natural languages a client
/// prefers.
///
/// Tags are compared case-insensitively, and `_` is read as `-` (`de_AT` is
/// `de-AT`, as Werkzeug allows). For one offered tag the weight comes from
/// the best-matching range, in this order:
/// 1. a range equal to the tag;
/// 2. a range that is a prefix of the tag, the longest first (`en` matches
///    `en-US`: RFC 4647 basic filtering);
/// 3. a range the tag is a prefix of, the closest first (`en-US` matches
///    `en`: the RFC 4647 lookup fallback, as in Werkzeug). Such a fallback
///    never refuses: `en-US;q=0` does not make `en` unacceptable;
/// 4. `*`.
///
/// No ranges (the [`Default`], or an empty header value) means every
/// language is acceptable.
///
/// ```
/// use tackle_http::accept::AcceptLanguage;
///
/// let languages: AcceptLanguage = "en-GB, fr;q=0.5".parse().unwrap();
/// assert_eq!(languages.best_match(["en-US", "en", "fr-CA"]), Some("en"));
/// assert_eq!(languages.quality("fr-CA").to_string(), "0.5");
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AcceptLanguage {
    ranges: Vec<LanguageRange>,
}

/// One element of `Accept-Language`: a language range such as `en-US` or
/// `*`, with a weight. The tag keeps the case the client sent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LanguageRange {
    tag: String,
    quality: Quality,
}

/// How a range matched an offered tag; later variants win.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum LanguageMatch {
    Any,
    /// The offer is a prefix of the range; fewer extra subtags is closer.
    Fallback(Reverse<usize>),
    /// The range is a prefix of the offer; more subtags is closer.
    Prefix(usize),
    Exact,
}

/// `language-range = (1*8ALPHA *("-" 1*8alphanum)) / "*"` (RFC 4647 §2.1),
/// with `_` also taken as a separator.
fn is_language_range(tag: &str) -> bool {
    if tag == "*" {
        return true;
    }
    subtags(tag).enumerate().all(|(i, subtag)| {
        (1..=8).contains(&subtag.len())
            && subtag.bytes().all(|b| {
                if i == 0 {
                    b.is_ascii_alphabetic()
                } else {
                    b.is_ascii_alphanumeric()
                }
            })
    })
}

fn subtags(tag: &str) -> std::str::Split<'_, [char; 2]> {
    tag.split(['-', '_'])
}

/// Compares two tags subtag by subtag: `Exact`, `Prefix` when `range` is a
/// prefix of `offer`, `Fallback` when `offer` is a prefix of `range`.
fn compare(range: &str, offer: &str) -> Option<LanguageMatch> {
    let (mut r, mut o) = (subtags(range), subtags(offer));
    let mut common = 0;
    loop {
        match (r.next(), o.next()) {
            (None, None) => return Some(LanguageMatch::Exact),
            (None, Some(_)) => return Some(LanguageMatch::Prefix(common)),
            (Some(_), None) => return Some(LanguageMatch::Fallback(Reverse(r.count() + 1))),
            (Some(a), Some(b)) if a.eq_ignore_ascii_case(b) => common += 1,
            _ => return None,
        }
    }
}

impl LanguageRange {
    /// A range at `q=1`; fails unless `tag` is a language range (`en`,
    /// `zh-Hant-TW`, `*`).
    pub fn new(tag: &str) -> Result<Self, ParseError> {
        if !is_language_range(tag) {
            return Err(ParseError::invalid(
                "Accept-Language",
                "not a language range",
            ));
        }
        Ok(LanguageRange {
            tag: tag.to_string(),
            quality: Quality::ONE,
        })
    }

    /// Sets the weight.
    pub fn with_quality(mut self, quality: Quality) -> Self {
        self.quality = quality;
        self
    }

    /// The range as sent, e.g. `en-US` or `*`.
    pub fn tag(&self) -> &str {
        &self.tag
    }

    /// The weight (`q=1` when the client gave none).
    pub fn quality(&self) -> Quality {
        self.quality
    }

    /// Whether this is `*`.
    pub fn is_wildcard(&self) -> bool {
        self.tag == "*"
    }

    fn parse_element(element: &str) -> Option<LanguageRange> {
        let (tag, quality) = parse_token_element(element, is_language_range)?;
        Some(LanguageRange {
            tag: tag.to_string(),
            quality,
        })
    }

    fn matches(&self, offer: &str) -> Option<LanguageMatch> {
        if self.is_wildcard() {
            return Some(LanguageMatch::Any);
        }
        match compare(&self.tag, offer)? {
            LanguageMatch::Fallback(_) if !self.quality.is_acceptable() => None,
            found => Some(found),
        }
    }
}

impl FromStr for LanguageRange {
    type Err = ParseError;

    /// Parses one element such as `en-US;q=0.5`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        LanguageRange::parse_element(s.trim())
            .ok_or_else(|| ParseError::invalid("Accept-Language", "not a language range"))
    }
}

impl fmt::Display for LanguageRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.tag)?;
        write_weight(f, self.quality)
    }
}

impl AcceptLanguage {
    /// An `Accept-Language` with these ranges; with none it accepts every
    /// language.
    pub fn new(ranges: Vec<LanguageRange>) -> Self {
        AcceptLanguage { ranges }
    }

    /// The ranges in header order.
    pub fn iter(&self) -> std::slice::Iter<'_, LanguageRange> {
        self.ranges.iter()
    }

    /// The number of ranges.
    pub fn len(&self) -> usize {
        self.ranges.len()
    }

    /// Whether there are no ranges (so every language is acceptable).
    pub fn is_empty(&self) -> bool {
        self.ranges.is_empty()
    }

    /// Appends a range.
    pub fn push(&mut self, range: LanguageRange) {
        self.ranges.push(range);
    }

    /// How much the client wants content in the language `offer` (a tag
    /// such as `en-US`); 0 when no range matches.
    pub fn quality(&self, offer: &str) -> Quality {
        self.rate(offer).map_or(Quality::ZERO, |(q, _)| q)
    }

    /// The offered tag the client prefers, or `None` when none is
    /// acceptable; returned as given. Ties go to the better match (exact,
    /// then prefix, then fallback, then `*`), then to the offer listed first.
    pub fn best_match<'a>(&self, offers: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
        best_offer(offers, |offer| self.rate(offer))
    }

    fn rate(&self, offer: &str) -> Option<(Quality, LanguageMatch)> {
        if self.ranges.is_empty() {
            return Some((Quality::ONE, LanguageMatch::Any));
        }
        if offer.is_empty() {
            return None;
        }
        let mut best = None;
        for range in &self.ranges {
            if let Some(found) = range.matches(offer) {
                keep_better(&mut best, (found, range.quality));
            }
        }
        best.map(|(found, quality)| (quality, found))
    }
}

list_header_impls!(AcceptLanguage, LanguageRange, ACCEPT_LANGUAGE);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::TypedHeader;
    use proptest::prelude::*;

    fn q(text: &str) -> Quality {
        text.parse().unwrap()
    }

    /// `(header, offers, expected best match)`.
    const BEST_MATCH_CASES: &[(&str, &[&str], Option<&str>)] = &[
        // Werkzeug TestLanguageAccept.test_best_match_fallback.
        ("en-us", &["en"], Some("en")),
        ("en", &["en_US"], Some("en_US")),
        ("en-GB", &["en-US"], None),
        ("de_AT, de;q=0.9", &["en"], None),
        ("de_AT, de;q=0.9, en-US;q=0.8", &["de", "en"], Some("de")),
        ("de_AT;q=0.9, en-US", &["en"], Some("en")),
        ("en-us", &["en-us"], Some("en-us")),
        ("en-us", &["en-us", "en"], Some("en-us")),
        ("en-GB", &["en-US", "en"], Some("en")),
        ("de_AT", &["en-US", "en"], None),
        ("aus-EN", &["aus"], Some("aus")),
        ("aus", &["aus-EN"], Some("aus-EN")),
        // Exact beats prefix beats fallback at equal weight, whatever the
        // offer order.
        ("en-US", &["en", "en-US"], Some("en-US")),
        ("en", &["en-US", "en"], Some("en")),
        ("en-US, *", &["fr", "en"], Some("en")),
        // RFC 9110 §12.5.4 example.
        (
            "da, en-gb;q=0.8, en;q=0.7",
            &["en", "en-GB", "da"],
            Some("da"),
        ),
        ("da, en-gb;q=0.8, en;q=0.7", &["en-US", "en"], Some("en")),
        (
            "da, en-gb;q=0.8, en;q=0.7",
            &["en-US", "en-GB"],
            Some("en-GB"),
        ),
        // q=0 refuses; `*` with q=0 refuses the rest.
        ("en;q=0, *", &["en-US", "fr"], Some("fr")),
        ("fr, *;q=0", &["de", "en"], None),
        // No ranges: the first offer.
        ("", &["pt", "en"], Some("pt")),
    ];

    #[test]
    fn best_match_table() {
        for (header, offers, want) in BEST_MATCH_CASES {
            let accept: AcceptLanguage = header.parse().unwrap();
            assert_eq!(
                accept.best_match(offers.iter().copied()),
                *want,
                "{header} / {offers:?}"
            );
        }
    }

    /// `(header, offer, expected quality)`.
    const QUALITY_CASES: &[(&str, &str, &str)] = &[
        // Werkzeug test_language_accept.
        ("de-AT,de;q=0.8,en;q=0.5", "de-at", "1"),
        ("de-AT,de;q=0.8,en;q=0.5", "de_AT", "1"),
        ("de-AT,de;q=0.8,en;q=0.5", "en", "0.5"),
        ("de-AT,de;q=0.8,en;q=0.5", "de", "0.8"),
        ("de-AT,de;q=0.8,en;q=0.5", "de-CH", "0.8"),
        // The longest prefix wins.
        ("en;q=0.1, en-US;q=0.6", "en-US-x-twain", "0.6"),
        // The closest fallback wins.
        ("zh-Hant-TW;q=0.2, zh-Hant;q=0.9", "zh", "0.9"),
        // A fallback never refuses.
        ("en-US;q=0, *;q=0.5", "en", "0.5"),
        // A prefix does refuse (RFC 4647 basic filtering).
        ("en;q=0, *;q=0.5", "en-US", "0"),
        // Case-insensitive.
        ("EN-us;q=0.3", "en-US", "0.3"),
        ("*;q=0.2", "tlh", "0.2"),
        ("fr", "", "0"),
        ("fr", "en", "0"),
        // Werkzeug test_accept: en-us,ru;q=0.5.
        ("en-us,ru;q=0.5", "ru", "0.5"),
    ];

    #[test]
    fn quality_table() {
        for (header, offer, want) in QUALITY_CASES {
            let accept: AcceptLanguage = header.parse().unwrap();
            assert_eq!(accept.quality(offer), q(want), "{header} / {offer}");
        }
    }

    #[test]
    fn parse_keeps_order_and_drops_invalid() {
        let cases: &[(&str, &[(&str, &str)])] = &[
            ("en-us,ru;q=0.5", &[("en-us", "1"), ("ru", "0.5")]),
            ("de_AT, *;q=0.1", &[("de_AT", "1"), ("*", "0.1")]),
            ("toolongtag, en, 12, -en, en-, e n", &[("en", "1")]),
            ("en;q=.5, jp;q=0.5", &[("jp", "0.5")]),
            ("en;level=1;q=0.5", &[("en", "0.5")]),
            ("", &[]),
        ];
        for (header, want) in cases {
            let accept: AcceptLanguage = header.parse().unwrap();
            let got: Vec<(&str, Quality)> = accept.iter().map(|r| (r.tag(), r.quality())).collect();
            let want: Vec<(&str, Quality)> = want.iter().map(|(t, w)| (*t, q(w))).collect();
            assert_eq!(got, want, "{header:?}");
        }
        let accept: AcceptLanguage = "en-us,ru;q=0.5".parse().unwrap();
        assert_eq!(accept.to_string(), "en-us, ru;q=0.5");
        assert!(LanguageRange::new("en_US").is_ok() && LanguageRange::new("e-n-").is_err());
        assert!("*".parse::<LanguageRange>().unwrap().is_wildcard());
    }

    #[test]
    fn hundred_thousand_ranges_stay_linear() {
        let header = "de-AT;q=0.5, ".repeat(100_000) + "en";
        let accept: AcceptLanguage = header.parse().unwrap();
        assert_eq!(accept.len(), 100_001);
        assert_eq!(accept.best_match(["fr", "de", "en-US"]), Some("en-US"));
        assert_eq!(accept.quality("de"), q("0.5"));
    }

    fn language_range() -> impl Strategy<Value = LanguageRange> {
        let tag = prop_oneof![
            Just("*".to_string()),
            "[a-zA-Z]{1,8}([-_][a-zA-Z0-9]{1,8}){0,3}"
        ];
        (tag, 0u16..=1000).prop_map(|(tag, q)| {
            LanguageRange::new(&tag)
                .unwrap()
                .with_quality(Quality::from_thousandths(q).unwrap())
        })
    }

    proptest! {
        #[test]
        fn accept_language_round_trips(ranges in proptest::collection::vec(language_range(), 0..6)) {
            let accept = AcceptLanguage::new(ranges);
            prop_assert_eq!(accept.to_string().parse::<AcceptLanguage>().unwrap(), accept.clone());
            prop_assert_eq!(AcceptLanguage::from_header(&accept.to_header_value()).unwrap(), accept);
        }

        #[test]
        fn parse_never_panics(s in "\\PC{0,40}") {
            let accept: AcceptLanguage = s.parse().unwrap();
            let _ = accept.best_match([s.as_str(), "en"]);
        }
    }
}
