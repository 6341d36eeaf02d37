//! The `Accept` header (RFC 9110 §12.5.1): media ranges with parameters and
//! weights.

use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

use super::quality::read_weight;
use super::{Quality, best_offer, keep_better, write_weight};
use crate::ParseError;
use crate::header::{is_token, quote, split_params};

/// The `Accept` request header: the media types a client wants, each with a
/// weight, in header order.
///
/// An `Accept` with no ranges (the [`Default`], an empty header value, or one
/// whose every element was malformed) accepts every media type at `q=1`, as
/// an absent header does (RFC 9110 §12.5.1). See the [module
/// docs](crate::accept) for how ranges are matched and how `best_match`
/// breaks ties.
///
/// ```
/// use tackle_http::accept::Accept;
///
/// let accept: Accept = "text/*;q=0.3, text/plain;q=0.7, text/plain;format=flowed, \
///                       text/plain;format=fixed;q=0.4, */*;q=0.5".parse().unwrap();
/// assert_eq!(accept.quality("text/plain;format=flowed").to_string(), "1");
/// assert_eq!(accept.quality("text/plain").to_string(), "0.7");
/// assert_eq!(accept.quality("image/jpeg").to_string(), "0.5");
/// assert_eq!(accept.best_match(["text/html", "text/plain"]), Some("text/plain"));
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Accept {
    ranges: Vec<MediaRange>,
}

/// One element of `Accept`: `type/subtype`, `type/*` or `*/*`, with media type
/// parameters and a weight.
///
/// Type, subtype and parameter names are case-insensitive and stored
/// lowercase; parameter values keep their case but are compared
/// case-insensitively, as the common ones (`charset`, `level`, `format`,
/// `version`) are. A range `*/subtype` is not in the RFC grammar and is
/// refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MediaRange {
    /// `type/subtype`, lowercase.
    essence: String,
    /// Where the `/` is in `essence`.
    slash: usize,
    params: Vec<(String, String)>,
    quality: Quality,
}

/// How closely a range matched an offer; more specific ranges override less
/// specific ones (RFC 9110 §12.5.1). Field order is comparison order.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
struct Specificity {
    concrete_type: bool,
    concrete_subtype: bool,
    params: usize,
}

/// An offer (a media type the server can produce), borrowed from the caller.
/// Offers may themselves be wildcards (`image/*`), as in Werkzeug and Paste.
struct Offer<'a> {
    type_: &'a str,
    subtype: &'a str,
    params: Vec<(&'a str, Cow<'a, str>)>,
}

impl<'a> Offer<'a> {
    /// Parses an offer; `q` and malformed parameters are ignored, and text
    /// without a `/` is no media type at all.
    fn parse(text: &'a str) -> Option<Offer<'a>> {
        let (essence, raw) = split_params(text);
        let (type_, subtype) = essence.split_once('/')?;
        if !is_token(type_) || !is_token(subtype) {
            return None;
        }
        let params = raw
            .filter_map(|(name, value)| Some((name, value?)))
            .filter(|(name, _)| !name.eq_ignore_ascii_case("q"))
            .collect();
        Some(Offer {
            type_,
            subtype,
            params,
        })
    }
}

impl MediaRange {
    /// A range `type_/subtype` at `q=1` with no parameters; either may be `*`
    /// (but not `*/subtype`). Fails when they are not tokens.
    pub fn new(type_: &str, subtype: &str) -> Result<Self, ParseError> {
        if !is_token(type_) || !is_token(subtype) || (type_ == "*" && subtype != "*") {
            return Err(ParseError::invalid("Accept", "not a media range"));
        }
        Ok(MediaRange {
            essence: format!("{type_}/{subtype}").to_ascii_lowercase(),
            slash: type_.len(),
            params: Vec::new(),
            quality: Quality::ONE,
        })
    }

    /// Adds a media type parameter. Fails when the name is not a token or is
    /// `q` (which is the weight), or the value holds control characters.
    pub fn with_param(mut self, name: &str, value: &str) -> Result<Self, ParseError> {
        if !is_token(name) || name.eq_ignore_ascii_case("q") {
            return Err(ParseError::invalid("Accept", "bad parameter name"));
        }
        if value.chars().any(|c| c.is_control() && c != '\t') {
            return Err(ParseError::invalid(
                "Accept",
                "control character in parameter",
            ));
        }
        self.params
            .push((name.to_ascii_lowercase(), value.to_string()));
        Ok(self)
    }

    /// Sets the weight.
    pub fn with_quality(mut self, quality: Quality) -> Self {
        self.quality = quality;
        self
    }

    /// Parses one list element; `None` when it is malformed.
    fn parse_element(element: &str) -> Option<MediaRange> {
        let (essence, raw) = split_params(element);
        let (type_, subtype) = essence.split_once('/')?;
        if !is_token(type_) || !is_token(subtype) || (type_ == "*" && subtype != "*") {
            return None;
        }
        let mut params = Vec::new();
        let quality = read_weight(raw, |name, value| {
            params.push((name.to_ascii_lowercase(), value.into_owned()));
        })?;
        Some(MediaRange {
            essence: essence.to_ascii_lowercase(),
            slash: type_.len(),
            params,
            quality,
        })
    }

    /// The type, lowercase, e.g. `text` (or `*`).
    pub fn type_(&self) -> &str {
        &self.essence[..self.slash]
    }

    /// The subtype, lowercase, e.g. `html` (or `*`).
    pub fn subtype(&self) -> &str {
        self.essence.get(self.slash + 1..).unwrap_or("")
    }

    /// `type/subtype` without parameters, lowercase.
    pub fn essence(&self) -> &str {
        &self.essence
    }

    /// The media type parameters in header order (`q` excluded): lowercase
    /// name, unquoted value.
    pub fn params(&self) -> impl ExactSizeIterator<Item = (&str, &str)> {
        self.params.iter().map(|(n, v)| (n.as_str(), v.as_str()))
    }

    /// The value of parameter `name` (case-insensitive).
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v)
    }

    /// The weight (`q=1` when the client gave none).
    pub fn quality(&self) -> Quality {
        self.quality
    }

    /// Whether this is `*/*`.
    pub fn is_wildcard(&self) -> bool {
        self.type_() == "*"
    }

    fn specificity(&self) -> Specificity {
        Specificity {
            concrete_type: self.type_() != "*",
            concrete_subtype: self.subtype() != "*",
            params: self.params.len(),
        }
    }

    /// Whether this range covers `offer`: same type and subtype or a
    /// wildcard on either side, and every parameter of the range present in
    /// the offer with the same value.
    fn matches(&self, offer: &Offer<'_>) -> bool {
        let (type_, subtype) = (self.type_(), self.subtype());
        let essence_matches = type_ == "*"
            || offer.type_ == "*"
            || (type_.eq_ignore_ascii_case(offer.type_)
                && (subtype == "*"
                    || offer.subtype == "*"
                    || subtype.eq_ignore_ascii_case(offer.subtype)));
        essence_matches
            && self.params.iter().all(|(name, value)| {
                offer
                    .params
                    .iter()
                    .any(|(n, v)| n.eq_ignore_ascii_case(name) && v.eq_ignore_ascii_case(value))
            })
    }
}

impl FromStr for MediaRange {
    type Err = ParseError;

    /// Parses one element such as `text/html;level=1;q=0.5`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        MediaRange::parse_element(s.trim())
            .ok_or_else(|| ParseError::invalid("Accept", "not a media range"))
    }
}

impl fmt::Display for MediaRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.essence)?;
        for (name, value) in &self.params {
            write!(f, ";{name}={}", quote(value))?;
        }
        write_weight(f, self.quality)
    }
}

/// How a chosen range matched an offer, for `best_match` ties: specificity
/// first, then whether the offer had no parameters beyond the range's (so
/// `text/html` beats `text/html;version=1` for a range `text/html`).
type MediaMatch = (Specificity, bool);

impl Accept {
    /// An `Accept` with these ranges; with none it accepts everything.
    pub fn new(ranges: Vec<MediaRange>) -> Self {
        Accept { ranges }
    }

    /// The ranges in header order.
    pub fn iter(&self) -> std::slice::Iter<'_, MediaRange> {
        self.ranges.iter()
    }

    /// The number of ranges.
    pub fn len(&self) -> usize {
        self.ranges.len()
    }

    /// Whether there are no ranges (so every media type is acceptable).
    pub fn is_empty(&self) -> bool {
        self.ranges.is_empty()
    }

    /// Appends a range.
    pub fn push(&mut self, range: MediaRange) {
        self.ranges.push(range);
    }

    /// How much the client wants `offer`, a media type such as
    /// `text/html; charset=utf-8`: the weight of the most specific matching
    /// range (the highest weight among equally specific ones), 0 when none
    /// matches or `offer` is not a media type.
    pub fn quality(&self, offer: &str) -> Quality {
        Offer::parse(offer)
            .and_then(|offer| self.rate(&offer))
            .map_or(Quality::ZERO, |(q, _)| q)
    }

    /// The offer the client prefers, or `None` when none is acceptable. Ties
    /// go to the offer matched by the more specific range, then to the one
    /// listed first. Offers that are not media types are skipped.
    pub fn best_match<'a>(&self, offers: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
        best_offer(offers, |offer| self.rate(&Offer::parse(offer)?))
    }

    fn rate(&self, offer: &Offer<'_>) -> Option<(Quality, MediaMatch)> {
        if self.ranges.is_empty() {
            return Some((Quality::ONE, Default::default()));
        }
        let mut best: Option<(Specificity, Quality)> = None;
        for range in &self.ranges {
            if range.matches(offer) {
                keep_better(&mut best, (range.specificity(), range.quality));
            }
        }
        let (specificity, quality) = best?;
        let exact = specificity.concrete_type
            && specificity.concrete_subtype
            && specificity.params == offer.params.len();
        Some((quality, (specificity, exact)))
    }
}

list_header_impls!(Accept, MediaRange, ACCEPT);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::TypedHeader;
    use http::{HeaderValue, header};
    use proptest::prelude::*;

    fn q(text: &str) -> Quality {
        text.parse().unwrap()
    }

    /// `(header, offer, expected quality)`.
    const QUALITY_CASES: &[(&str, &str, &str)] = &[
        // RFC 9110 §12.5.1's table (with erratum 7138: text/html;level=3 gets
        // text/*'s 0.3, as the precedence rules give, not the printed 0.7).
        (RFC_EXAMPLE, "text/plain;format=flowed", "1"),
        (RFC_EXAMPLE, "text/plain", "0.7"),
        (RFC_EXAMPLE, "text/html", "0.3"),
        (RFC_EXAMPLE, "image/jpeg", "0.5"),
        (RFC_EXAMPLE, "text/plain;format=fixed", "0.4"),
        (RFC_EXAMPLE, "text/html;level=3", "0.3"),
        // Paste test_mimeparse.py test_quality.
        (PASTE_QUALITY, "text/html", "0.75"),
        (PASTE_QUALITY, "text/html;level=2", "0.4"),
        (PASTE_QUALITY, "plain/text", "0.5"),
        (PASTE_QUALITY, "text/html;level=1", "1"),
        (PASTE_QUALITY, "image/jpeg", "0.5"),
        (PASTE_QUALITY, "text/html;level=3", "0.75"),
        (
            "text/*;q=0.25, text/html;q=0.7, */*;q=0.5",
            "text/plain",
            "0.25",
        ),
        (
            "text/html;level=2;q=0.375, */*;q=0.5",
            "text/html;level=2",
            "0.375",
        ),
        // Paste test_fitness_and_quality_parsed / test_quality_parsed,
        // re-expressed as headers (its `*/subtype` ranges are dropped here).
        ("foo/bar;q=0.5", "foo/*", "0.5"),
        ("foo/bar;q=0.5", "*/*", "0.5"),
        ("foo/bar;q=0.5", "text/html", "0"),
        ("text/bar;q=0.5", "text/html", "0"),
        ("text/*;q=0.5", "text/html", "0.5"),
        ("*/*;q=0, text/html;q=0.5", "text/html", "0.5"),
        ("*/*;q=0.5, audio/*;q=0", "text/html", "0.5"),
        ("*/*;q=0, audio/*;q=0.5", "audio/mp3", "0.5"),
        (
            "text/plain;q=0, plain/html;q=0, text/html;q=0.5, html/text;q=0",
            "text/html",
            "0.5",
        ),
        (
            "text/plain;q=0, text/html;q=0, text/plain;level=2;q=0, text/html;level=2;q=0.5, \
             */*;level=2;q=0, text/html;level=3;q=0",
            "text/html;level=2",
            "0.5",
        ),
        (
            "text/html;q=0, text/html;level=2;q=0, text/html;opt=3;q=0, */*;level=2;opt=3;q=0, \
             text/html;level=3;opt=3;q=0, text/html;level=2;opt=3;q=0.5, */*;level=3;opt=3;q=0",
            "text/html;level=2;opt=3",
            "0.5",
        ),
        // Paste differs: it lets text/*;level=3 match text/html;level=2. A
        // range parameter the offer lacks means no match (RFC 9110 §12.5.1).
        ("text/*;level=3;q=0.5", "text/html;level=2", "0"),
        ("image/jpg;q=0.5", "image/gif", "0"),
        ("image/*;q=0.5", "image/gif", "0.5"),
        (
            "*/*;quality=100;q=0, audio/*;quality=100;q=0, audio/mp3;quality=50;q=0, \
             audio/mp3;quality=100;q=0.5, audio/mp3;q=0.5",
            "audio/mp3;quality=100",
            "0.5",
        ),
        // Werkzeug test_mime_accept.
        (WERKZEUG_MIME, "image/png", "1"),
        (WERKZEUG_MIME, "text/plain", "0.8"),
        (WERKZEUG_MIME, "foo/bar", "0.5"),
        (WERKZEUG_MIME, "application/foo;quiet=no; bar=baz", "0.6"),
        (WERKZEUG_MIME, "missing", "0"),
        // Werkzeug test_accept_parameter_with_space.
        (
            "application/x-special; z=\"a b\";q=0.5",
            "application/x-special; z=\"a b\"",
            "0.5",
        ),
        // q=0 on the specific range beats a wildcard's higher weight.
        ("text/html;q=0, */*", "text/html", "0"),
        ("text/html;q=0, */*", "text/plain", "1"),
        // Case-insensitive types, parameter names and values.
        (
            "TEXT/HTML;Charset=UTF-8;q=0.5",
            "text/html; charset=utf-8",
            "0.5",
        ),
        // q anywhere among the parameters (RFC 9110 §12.5.1).
        ("text/html;q=0.5;level=1", "text/html;level=1", "0.5"),
        ("text/html;q=0.5;level=1", "text/html", "0"),
        // Equally specific duplicates: the higher weight wins.
        ("text/html;q=0.2, text/html;q=0.8", "text/html", "0.8"),
        // No ranges: everything acceptable.
        ("", "image/png", "1"),
        (",,", "image/png", "1"),
        // Invalid ranges are dropped.
        ("garbage, text/html;q=0.5", "text/html", "0.5"),
        ("text/html;q=2, */*;q=0.1", "text/html", "0.1"),
        ("*/html, */*;q=0.1", "text/html", "0.1"),
    ];

    const RFC_EXAMPLE: &str = "text/*;q=0.3, text/plain;q=0.7, text/plain;format=flowed, text/plain;format=fixed;q=0.4, */*;q=0.5";
    const PASTE_QUALITY: &str =
        "text/*;q=0.3, text/html;q=0.75, text/html;level=1, text/html;level=2;q=0.4, */*;q=0.5";
    const WERKZEUG_MIME: &str = "text/xml,application/xml,application/xhtml+xml,\
        application/foo;quiet=no; bar=baz;q=0.6,text/html;q=0.9,text/plain;q=0.8,image/png,*/*;q=0.5";

    #[test]
    fn quality_table() {
        for (header, offer, want) in QUALITY_CASES {
            let accept: Accept = header.parse().unwrap();
            assert_eq!(accept.quality(offer), q(want), "{header} / {offer}");
        }
    }

    /// `(header, offers, expected best match)`.
    const BEST_MATCH_CASES: &[(&str, &[&str], Option<&str>)] = &[
        // Paste test_best_match.
        ("*/*", &[], None),
        (
            "text/*;q=0.5,*/*; q=0.1",
            &["application/xbel+xml", "text/xml"],
            Some("text/xml"),
        ),
        (
            "text/*;q=0.5,*/*; q=0.1",
            &["application/xbel+xml", "audio/mp3"],
            Some("application/xbel+xml"),
        ),
        (
            "text/*;q=0.5,*/plain; q=0.1",
            &["application/xbel+xml", "text/plain", "text/html"],
            Some("text/plain"),
        ),
        (
            "text/*;q=0.1,*/xhtml; q=0.5",
            &["application/xbel+xml", "text/html", "text/xhtml"],
            Some("text/html"),
        ),
        (
            "application/xbel+xml",
            &["application/xbel+xml", "application/xml"],
            Some("application/xbel+xml"),
        ),
        (
            "application/xbel+xml; q=1",
            &["application/xbel+xml", "application/xml"],
            Some("application/xbel+xml"),
        ),
        (
            "application/xml; q=1",
            &["application/xbel+xml", "application/xml"],
            Some("application/xml"),
        ),
        (
            "application/*; q=1",
            &["application/xbel+xml", "application/xml"],
            Some("application/xbel+xml"),
        ),
        (
            "*/*, application/xml",
            &["application/xbel+xml", "application/xml"],
            Some("application/xml"),
        ),
        (
            "text/html,application/atom+xml; q=0.9",
            &["application/xbel+xml", "text/xml"],
            None,
        ),
        (
            "application/json, text/javascript, */*",
            &["application/json", "text/html"],
            Some("application/json"),
        ),
        (
            "application/json, text/html;q=0.9",
            &["application/json", "text/html"],
            Some("application/json"),
        ),
        (
            "image/png",
            &["image/*", "application/xml"],
            Some("image/*"),
        ),
        ("image/*", &["image/*", "application/xml"], Some("image/*")),
        // Paste differs: it reads `*/mp3` and `*/xhtml` as ranges; they are
        // outside the RFC grammar and dropped here. With every range
        // dropped, the header says nothing and the first offer wins.
        (
            "text/*;q=0.5,*/mp3; q=0.1",
            &["application/xbel+xml", "audio/mp3"],
            None,
        ),
        (
            "*/html;q=0.1,*/xhtml; q=0.5",
            &["application/xbel+xml", "text/html", "text/xhtml"],
            Some("application/xbel+xml"),
        ),
        // Paste test_illformed_best_match: `*` and `q=.2` are dropped here.
        (
            PASTE_ILLFORMED,
            &["image/png", "image/jpeg", "image/gif", "text/html"],
            Some("image/jpeg"),
        ),
        (
            PASTE_ILLFORMED,
            &["image/png", "image/jpg", "image/tif", "text/html"],
            Some("text/html"),
        ),
        (
            PASTE_ILLFORMED,
            &["image/png", "image/jpg", "image/tif", "audio/mp3"],
            None,
        ),
        // Werkzeug test_accept_matches.
        (
            WERKZEUG_MATCHES,
            &["text/html", "application/xhtml+xml"],
            Some("application/xhtml+xml"),
        ),
        (WERKZEUG_MATCHES, &["text/html"], Some("text/html")),
        (WERKZEUG_MATCHES, &["foo/bar"], None),
        (
            WERKZEUG_MATCHES,
            &["application/xml", "text/xml"],
            Some("application/xml"),
        ),
        // Werkzeug test_accept_mime_specificity.
        (
            "text/*, text/html, text/html;level=1, */*",
            &["text/html; version=1", "text/html"],
            Some("text/html"),
        ),
        (
            "text/*, text/html, text/html;level=1, */*",
            &["text/html", "text/html; level=1"],
            Some("text/html; level=1"),
        ),
        // Werkzeug TestMIMEAccept.
        ("text/*", &["text/html"], Some("text/html")),
        ("text/*", &["image/png"], None),
        (
            "*/*, text/html",
            &["image/png", "text/html"],
            Some("text/html"),
        ),
        (
            "*/*, text/html",
            &["image/png", "text/plain"],
            Some("image/png"),
        ),
        (
            "*/*, text/html, image/*",
            &["image/png", "text/html"],
            Some("text/html"),
        ),
        (
            "*/*, text/html, image/*",
            &["text/plain", "image/png"],
            Some("image/png"),
        ),
        (
            "text/html, text/html; level=1",
            &["text/html;level=1"],
            Some("text/html;level=1"),
        ),
        // Werkzeug TestRegression.test_best_match_works: `foo=` is dropped.
        (
            "foo=,application/xml,application/xhtml+xml,text/html;q=0.9,text/plain;q=0.8,image/png,*/*;q=0.5",
            &["foo/bar"],
            Some("foo/bar"),
        ),
        // q=0 is never chosen, whatever a wildcard says.
        ("text/html;q=0, */*;q=0.1", &["text/html"], None),
        ("*/*;q=0", &["text/html"], None),
        // Offers that are not media types are skipped.
        ("*/*", &["html", "text/html"], Some("text/html")),
        // No header: the first offer.
        (
            "",
            &["application/json", "text/html"],
            Some("application/json"),
        ),
    ];

    const PASTE_ILLFORMED: &str = "text/html, image/gif, image/jpeg, *; q=.2, */*; q=.2";
    const WERKZEUG_MATCHES: &str =
        "text/xml,application/xml,application/xhtml+xml,text/html;q=0.9,text/plain;q=0.8,image/png";

    #[test]
    fn best_match_table() {
        for (header, offers, want) in BEST_MATCH_CASES {
            let accept: Accept = header.parse().unwrap();
            assert_eq!(
                accept.best_match(offers.iter().copied()),
                *want,
                "{header} / {offers:?}"
            );
        }
    }

    /// A range as `(essence, params, quality)`.
    type ExpectedRange = (
        &'static str,
        &'static [(&'static str, &'static str)],
        &'static str,
    );
    type ParsedRange<'a> = (&'a str, Vec<(&'a str, &'a str)>, Quality);

    /// `(header, ranges in header order)`.
    const PARSE_CASES: &[(&str, &[ExpectedRange])] = &[
        // Paste test_parse_mime_type / test_parse_media_range.
        ("*/*", &[("*/*", &[], "1")]),
        ("audio/*; q=0.2", &[("audio/*", &[], "0.2")]),
        (
            "text/x-dvi;level=1",
            &[("text/x-dvi", &[("level", "1")], "1")],
        ),
        (
            "image/gif; level=2; q=0.4",
            &[("image/gif", &[("level", "2")], "0.4")],
        ),
        (
            "application/xml ; q=1;b=other",
            &[("application/xml", &[("b", "other")], "1")],
        ),
        (
            "application/xhtml;q=0.5;ver=1.2",
            &[("application/xhtml", &[("ver", "1.2")], "0.5")],
        ),
        ("text/plain;", &[("text/plain", &[], "1")]),
        // Paste's ill-formed ranges are dropped rather than guessed at.
        ("*", &[]),
        ("text", &[]),
        ("text/", &[]),
        ("/plain", &[]),
        ("/", &[]),
        (";q=0.5", &[]),
        ("*;q=1", &[]),
        ("application/xml;q=", &[]),
        (" *; q =;", &[]),
        ("*/*;q=foobar", &[]),
        ("*/*;q=-1", &[]),
        ("*/*;q=1000.0", &[]),
        ("*/*;q=0.0001", &[]),
        ("image/gif; level=2; q=2", &[]),
        // RFC 9110 §12.5.1 examples.
        (
            "audio/*; q=0.2, audio/basic",
            &[("audio/*", &[], "0.2"), ("audio/basic", &[], "1")],
        ),
        (
            "text/plain; q=0.5, text/html,\ttext/x-dvi; q=0.8, text/x-c",
            &[
                ("text/plain", &[], "0.5"),
                ("text/html", &[], "1"),
                ("text/x-dvi", &[], "0.8"),
                ("text/x-c", &[], "1"),
            ],
        ),
        // Quoted parameter values are unquoted; quoted commas do not split.
        (
            "a/b;x=\"1, 2\";q=0.1, c/d",
            &[("a/b", &[("x", "1, 2")], "0.1"), ("c/d", &[], "1")],
        ),
        (
            "TEXT/Html;Level=A",
            &[("text/html", &[("level", "A")], "1")],
        ),
    ];

    #[test]
    fn parse_table() {
        for (header, want) in PARSE_CASES {
            let accept: Accept = header.parse().unwrap();
            let got: Vec<ParsedRange<'_>> = accept
                .iter()
                .map(|r| (r.essence(), r.params().collect(), r.quality()))
                .collect();
            let want: Vec<ParsedRange<'_>> = want
                .iter()
                .map(|(e, p, w)| (*e, p.to_vec(), q(w)))
                .collect();
            assert_eq!(got, want, "{header:?}");
        }
    }

    #[test]
    fn accessors_and_display() {
        let accept: Accept = "text/html;level=1;q=0.5, */*;q=0".parse().unwrap();
        let first = accept.iter().next().unwrap();
        assert_eq!((first.type_(), first.subtype()), ("text", "html"));
        assert_eq!(first.param("LEVEL"), Some("1"));
        assert!(!first.is_wildcard());
        assert!(accept.iter().nth(1).unwrap().is_wildcard());
        assert_eq!(accept.to_string(), "text/html;level=1;q=0.5, */*;q=0");
        assert_eq!(accept.to_header_value(), "text/html;level=1;q=0.5, */*;q=0");
        assert_eq!(Accept::default().to_string(), "");
        let built = MediaRange::new("text", "plain")
            .unwrap()
            .with_param("format", "a b")
            .unwrap()
            .with_quality(q("0.25"));
        assert_eq!(built.to_string(), "text/plain;format=\"a b\";q=0.25");
        assert_eq!(
            "text/plain;format=\"a b\";q=0.25"
                .parse::<MediaRange>()
                .unwrap(),
            built
        );
        assert!(MediaRange::new("*", "html").is_err());
        assert!(MediaRange::new("te xt", "html").is_err());
        assert!(built.clone().with_param("q", "1").is_err());
        assert!(built.with_param("a", "line\nbreak").is_err());
        assert!("nonsense".parse::<MediaRange>().is_err());
    }

    #[test]
    fn from_headers_joins_lines() {
        let mut headers = http::HeaderMap::new();
        headers.append(header::ACCEPT, HeaderValue::from_static("text/html;q=0"));
        headers.append(header::ACCEPT, HeaderValue::from_static("*/*"));
        let accept = Accept::from_headers(&headers).unwrap().unwrap();
        assert_eq!(accept.len(), 2);
        assert_eq!(
            accept.best_match(["text/html", "image/png"]),
            Some("image/png")
        );
    }

    #[test]
    fn hundred_thousand_ranges_stay_linear() {
        let header = "text/html;level=1;q=0.5, ".repeat(100_000) + "image/png";
        let accept: Accept = header.parse().unwrap();
        assert_eq!(accept.len(), 100_001);
        assert_eq!(accept.quality("text/html;level=1"), q("0.5"));
        let offers = [
            "application/json",
            "text/html",
            "image/png",
            "text/html;level=1",
        ];
        assert_eq!(accept.best_match(offers), Some("image/png"));
        assert_eq!(accept.to_string().len(), header.len());
    }

    fn media_range() -> impl Strategy<Value = MediaRange> {
        let token = "[a-zA-Z0-9!#$%&'*+.^_`|~-]{1,8}";
        let essence = prop_oneof![
            Just(("*".to_string(), "*".to_string())),
            (token, Just("*".to_string())),
            (token, token),
        ]
        .prop_filter("*/subtype is not a range", |(t, s)| t != "*" || s == "*");
        let param = (token, "[ -~\u{a0}-\u{ff}\t]{0,6}")
            .prop_filter("q is the weight", |(n, _)| !n.eq_ignore_ascii_case("q"));
        (essence, proptest::collection::vec(param, 0..3), 0u16..=1000).prop_map(
            |((t, s), params, q)| {
                params
                    .iter()
                    .fold(MediaRange::new(&t, &s).unwrap(), |r, (n, v)| {
                        r.with_param(n, v).unwrap()
                    })
                    .with_quality(Quality::from_thousandths(q).unwrap())
            },
        )
    }

    proptest! {
        #[test]
        fn accept_round_trips(ranges in proptest::collection::vec(media_range(), 0..5)) {
            let accept = Accept::new(ranges);
            let text = accept.to_string();
            prop_assert_eq!(text.parse::<Accept>().unwrap(), accept.clone());
            let via_header = Accept::from_header(&accept.to_header_value()).unwrap();
            prop_assert_eq!(via_header, accept);
        }

        #[test]
        fn parse_never_panics(s in "\\PC{0,40}") {
            let accept: Accept = s.parse().unwrap();
            let _ = accept.quality(&s);
            let _ = accept.best_match([s.as_str(), "text/html"]);
        }
    }
}
