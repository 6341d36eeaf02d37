//! Proactive content negotiation (RFC 9110 §12): the `Accept`,
//! `Accept-Language`, `Accept-Encoding` and `Accept-Charset` request headers,
//! and choosing the representation a client prefers.
//!
//! Each header is a list of ranges with an optional weight ([`Quality`]). For
//! one offer (something the server can send), the weight that counts is the
//! one of the *most specific* range that matches it (RFC 9110 §12.5.1):
//! `text/html;level=1` overrides `text/html`, which overrides `text/*`, which
//! overrides `*/*`. A weight of 0 means "not acceptable" and is never chosen,
//! even when a wildcard carries a higher weight.
//!
//! `best_match(offers)` picks, like Werkzeug:
//! 1. the highest quality (offers at `q=0` are never picked);
//! 2. then the offer matched by the more specific range (`text/html` before
//!    `*/*`; for languages an exact tag before a prefix);
//! 3. then the offer listed first.
//!
//! Parsing is lenient per element and never fails: an element that breaks the
//! grammar (a bad media range, a `q` outside the RFC 9110 §12.4.2 grammar such
//! as `q=2`, `q=.5` or `q=0.1234`, a parameter without `=`) is dropped and the
//! rest of the list is kept. Elements keep their header order.
//!
//! An absent header accepts everything: use each type's `Default`. An empty
//! `Accept`, `Accept-Language` or `Accept-Charset` value (or one whose every
//! element was dropped) is read the same way, while an empty
//! `Accept-Encoding` means "identity only", as RFC 9110 §12.5.3 says.
//!
//! ```
//! use tackle_http::accept::{Accept, AcceptEncoding, AcceptLanguage};
//!
//! let accept: Accept = "text/html, application/json;q=0.9, */*;q=0.1".parse().unwrap();
//! assert_eq!(accept.best_match(["application/json", "text/html"]), Some("text/html"));
//!
//! let languages: AcceptLanguage = "de-AT, en;q=0.5".parse().unwrap();
//! assert_eq!(languages.best_match(["en-US", "de"]), Some("de"));
//!
//! let codings: AcceptEncoding = "gzip, br;q=0".parse().unwrap();
//! assert_eq!(codings.best_match(["br", "identity"]), Some("identity"));
//! ```

/// The impls every `Accept*` list shares: `FromIterator` and `&T:
/// IntoIterator` over its ranges, [`TypedHeader`](crate::TypedHeader)
/// (lenient: malformed elements are dropped, so parsing never fails),
/// `FromStr` and `Display`.
macro_rules! list_header_impls {
    ($header:ident, $range:ident, $name:ident) => {
        impl FromIterator<$range> for $header {
            fn from_iter<I: IntoIterator<Item = $range>>(iter: I) -> Self {
                $header::new(iter.into_iter().collect())
            }
        }

        impl<'a> IntoIterator for &'a $header {
            type Item = &'a $range;
            type IntoIter = std::slice::Iter<'a, $range>;

            fn into_iter(self) -> Self::IntoIter {
                self.ranges.iter()
            }
        }

        impl crate::TypedHeader for $header {
            const NAME: http::HeaderName = http::header::$name;
            const IS_LIST: bool = true;

            /// Never fails: malformed elements are dropped.
            fn parse_value(value: &str) -> Result<Self, crate::ParseError> {
                Ok($header::new(
                    crate::header::split_list(value)
                        .filter_map($range::parse_element)
                        .collect(),
                ))
            }

            fn to_header_value(&self) -> http::HeaderValue {
                crate::header::header_value(self.to_string())
            }
        }

        impl std::str::FromStr for $header {
            type Err = crate::ParseError;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                <Self as crate::TypedHeader>::parse_value(s)
            }
        }

        impl std::fmt::Display for $header {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                super::write_list(f, &self.ranges)
            }
        }
    };
}

mod charset;
mod encoding;
mod language;
mod media;
mod quality;

pub use charset::{AcceptCharset, CharsetRange};
pub use encoding::{AcceptEncoding, CodingRange};
pub use language::{AcceptLanguage, LanguageRange};
pub use media::{Accept, MediaRange};
pub use quality::Quality;

use crate::header::split_params;

/// Picks the offer with the highest `(quality, specificity)`, the first one on
/// ties; `rate` says how an offer is matched, or `None` when nothing matches.
/// Offers at quality 0 are refused.
fn best_offer<'a, S: Ord>(
    offers: impl IntoIterator<Item = &'a str>,
    mut rate: impl FnMut(&str) -> Option<(Quality, S)>,
) -> Option<&'a str> {
    let mut best: Option<(&'a str, Quality, S)> = None;
    for offer in offers {
        let Some((quality, specificity)) = rate(offer) else {
            continue;
        };
        if !quality.is_acceptable() {
            continue;
        }
        let better = match &best {
            None => true,
            Some((_, q, s)) => (quality, &specificity) > (*q, s),
        };
        if better {
            best = Some((offer, quality, specificity));
        }
    }
    best.map(|(offer, ..)| offer)
}

/// Keeps the better of two candidate matches for one offer: the more specific
/// range wins, then the higher quality (Werkzeug's order for duplicates).
fn keep_better<S: Ord>(best: &mut Option<(S, Quality)>, candidate: (S, Quality)) {
    if best.as_ref().is_none_or(|b| candidate > *b) {
        *best = Some(candidate);
    }
}

/// Parses a `value [;q=...]` element of a list of plain tokens
/// (`Accept-Language`, `-Encoding`, `-Charset`). Parameters other than `q`
/// have no meaning there and are ignored; `is_valid` checks the value.
fn parse_token_element(element: &str, is_valid: fn(&str) -> bool) -> Option<(&str, Quality)> {
    let (value, params) = split_params(element);
    if !is_valid(value) {
        return None;
    }
    let quality = quality::read_weight(params, |_, _| {})?;
    Some((value, quality))
}

/// Writes list elements separated by `, `.
fn write_list<T: std::fmt::Display>(
    f: &mut std::fmt::Formatter<'_>,
    items: &[T],
) -> std::fmt::Result {
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            f.write_str(", ")?;
        }
        write!(f, "{item}")?;
    }
    Ok(())
}

/// Writes `;q=...` unless the quality is the default 1.
fn write_weight(f: &mut std::fmt::Formatter<'_>, quality: Quality) -> std::fmt::Result {
    if quality == Quality::ONE {
        Ok(())
    } else {
        write!(f, ";q={quality}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn best_offer_prefers_quality_then_specificity_then_order() {
        let rate = |offer: &str| match offer {
            "a" => Some((Quality::ONE, 0)),
            "b" => Some((Quality::ONE, 1)),
            "c" => Some((Quality::ONE, 1)),
            "half" => Some((Quality::from_thousandths(500).unwrap(), 9)),
            "zero" => Some((Quality::ZERO, 9)),
            _ => None,
        };
        let cases: &[(&[&str], Option<&str>)] = &[
            (&["a", "b", "c"], Some("b")),
            (&["c", "b"], Some("c")),
            (&["half", "a"], Some("a")),
            (&["zero", "half"], Some("half")),
            (&["zero", "nothing"], None),
            (&[], None),
        ];
        for (offers, want) in cases {
            assert_eq!(
                best_offer(offers.iter().copied(), rate),
                *want,
                "{offers:?}"
            );
        }
    }
}
