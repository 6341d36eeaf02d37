//! `application/x-www-form-urlencoded`: form bodies and query strings, as the
//! WHATWG URL Standard §5 ("application/x-www-form-urlencoded") defines them
//! and browsers implement them.
//!
//! Decoding splits on `&` only (not `;`, which HTML 4 once allowed), skips
//! empty pairs (`a=1&&b=2`), gives a pair without `=` the empty value
//! (`flag` → `flag=""`), keeps pairs whose name is empty (`=x`), turns `+`
//! into a space and `%XX` into a byte, and keeps a `%` not followed by two hex
//! digits as it is (`%zz` stays `%zz`). The bytes are then read as UTF-8.
//! Browsers replace invalid sequences by U+FFFD, and so does [`decode_form`];
//! [`decode_form_strict`] rejects them instead. Only UTF-8 is understood:
//! forms posted in legacy charsets are not transcoded.
//!
//! Query strings use the same grammar: pass the part after `?` to
//! [`decode_form`].
//!
//! ```
//! use tackle_http::urlencoded::{decode_form, encode_form};
//!
//! let form = decode_form("name=J%C3%BCrgen+M&tag=a&tag=b&empty=");
//! assert_eq!(form.get("name").map(String::as_str), Some("Jürgen M"));
//! assert_eq!(form.get_all("tag").collect::<Vec<_>>(), ["a", "b"]);
//! assert_eq!(encode_form(&form), "name=J%C3%BCrgen+M&tag=a&tag=b&empty=");
//! ```

use std::borrow::Cow;

use crate::{MultiMap, ParseError};

const WHAT: &str = "urlencoded form";

/// Decodes a form body or query string; invalid UTF-8 after percent-decoding
/// becomes U+FFFD, as in browsers. Accepts `&str` and `&[u8]` alike.
///
/// It never fails and has no pair limit: memory stays proportional to the
/// input, but bound the input size before calling it, or use
/// [`decode_form_limited`].
pub fn decode_form<T: AsRef<[u8]> + ?Sized>(input: &T) -> MultiMap {
    let input = input.as_ref();
    let mut map = MultiMap::with_capacity(pair_count_bound(input));
    for (name, value) in form_pairs(input) {
        map.append(name, value.into_owned());
    }
    map
}

/// Decodes like [`decode_form`] but fails when a name or value is not valid
/// UTF-8 once percent-decoded (`a=%FF`).
pub fn decode_form_strict<T: AsRef<[u8]> + ?Sized>(input: &T) -> Result<MultiMap, ParseError> {
    let input = input.as_ref();
    let mut map = MultiMap::with_capacity(pair_count_bound(input));
    for (name, value) in (RawPairs { rest: input }) {
        let name = decode_strict(name)?;
        let value = decode_strict(value)?;
        map.append(name, value.into_owned());
    }
    Ok(map)
}

/// Decodes like [`decode_form`] but fails with a
/// [`too_large`](ParseError::is_too_large) error naming `max_pairs` as soon
/// as the input holds more than `max_pairs` pairs (empty pairs such as the
/// gap in `a&&b` do not count). A guard against bodies of many tiny pairs.
pub fn decode_form_limited<T: AsRef<[u8]> + ?Sized>(
    input: &T,
    max_pairs: usize,
) -> Result<MultiMap, ParseError> {
    let input = input.as_ref();
    let bound = pair_count_bound(input).min(max_pairs.saturating_add(1));
    let mut map = MultiMap::with_capacity(bound);
    for (name, value) in form_pairs(input) {
        if map.len() >= max_pairs {
            return Err(ParseError::too_large(
                WHAT,
                format!("max_pairs ({max_pairs})"),
            ));
        }
        map.append(name, value.into_owned());
    }
    Ok(map)
}

/// The decoded `(name, value)` pairs of a form body or query string, in
/// order, without collecting them. Components with nothing to decode are
/// borrowed from the input.
pub fn form_pairs(input: &[u8]) -> FormPairs<'_> {
    FormPairs {
        raw: RawPairs { rest: input },
    }
}

/// The pairs of a form; see [`form_pairs`].
#[derive(Clone, Debug)]
pub struct FormPairs<'a> {
    raw: RawPairs<'a>,
}

impl<'a> Iterator for FormPairs<'a> {
    type Item = (Cow<'a, str>, Cow<'a, str>);

    fn next(&mut self) -> Option<Self::Item> {
        let (name, value) = self.raw.next()?;
        Some((decode_lossy(name), decode_lossy(value)))
    }
}

/// The undecoded `name` and `value` byte slices of each non-empty pair.
#[derive(Clone, Debug)]
struct RawPairs<'a> {
    rest: &'a [u8],
}

impl<'a> Iterator for RawPairs<'a> {
    type Item = (&'a [u8], &'a [u8]);

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if self.rest.is_empty() {
                return None;
            }
            let (pair, rest) = match self.rest.iter().position(|&b| b == b'&') {
                Some(i) => (&self.rest[..i], &self.rest[i + 1..]),
                None => (self.rest, &[][..]),
            };
            self.rest = rest;
            if pair.is_empty() {
                continue;
            }
            return Some(match pair.iter().position(|&b| b == b'=') {
                Some(i) => (&pair[..i], &pair[i + 1..]),
                None => (pair, &[][..]),
            });
        }
    }
}

/// The most pairs reserved up front. A body of bare `&` has many separators
/// but no pairs; reserving for each would cost 48 bytes per input byte.
const MAX_RESERVED_PAIRS: usize = 1024;

/// How many pairs to reserve room for: the number of separators bounds the
/// pairs, capped so that separators alone cannot make the map allocate.
fn pair_count_bound(input: &[u8]) -> usize {
    if input.is_empty() {
        0
    } else {
        (input.iter().filter(|&&b| b == b'&').count() + 1).min(MAX_RESERVED_PAIRS)
    }
}

/// Undoes `+` and `%XX`; borrows when there is nothing to undo.
fn unescape(raw: &[u8]) -> Cow<'_, [u8]> {
    if !raw.iter().any(|&b| b == b'+' || b == b'%') {
        return Cow::Borrowed(raw);
    }
    let mut out = Vec::with_capacity(raw.len());
    let mut i = 0;
    while let Some(&b) = raw.get(i) {
        match b {
            b'+' => out.push(b' '),
            b'%' => {
                let hi = raw.get(i + 1).copied().and_then(hex_value);
                let lo = raw.get(i + 2).copied().and_then(hex_value);
                if let (Some(hi), Some(lo)) = (hi, lo) {
                    out.push(hi << 4 | lo);
                    i += 3;
                    continue;
                }
                out.push(b'%');
            }
            _ => out.push(b),
        }
        i += 1;
    }
    Cow::Owned(out)
}

/// The value of one hex digit of a `%XX` escape.
pub(crate) fn hex_value(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

fn decode_lossy(raw: &[u8]) -> Cow<'_, str> {
    match unescape(raw) {
        Cow::Borrowed(bytes) => String::from_utf8_lossy(bytes),
        Cow::Owned(bytes) => match String::from_utf8(bytes) {
            Ok(s) => Cow::Owned(s),
            Err(e) => Cow::Owned(String::from_utf8_lossy(e.as_bytes()).into_owned()),
        },
    }
}

fn decode_strict(raw: &[u8]) -> Result<Cow<'_, str>, ParseError> {
    let invalid = || ParseError::invalid(WHAT, "invalid UTF-8 after percent-decoding");
    match unescape(raw) {
        Cow::Borrowed(bytes) => std::str::from_utf8(bytes)
            .map(Cow::Borrowed)
            .map_err(|_| invalid()),
        Cow::Owned(bytes) => String::from_utf8(bytes)
            .map(Cow::Owned)
            .map_err(|_| invalid()),
    }
}

/// Encodes pairs as `application/x-www-form-urlencoded`, the WHATWG form
/// serializer: ASCII letters, digits and `*-._` stay, space becomes `+`,
/// every other byte of the UTF-8 text becomes `%XX` (uppercase hex).
///
/// Takes any iterator of string pairs, including `&MultiMap`.
pub fn encode_form<I, K, V>(pairs: I) -> String
where
    I: IntoIterator<Item = (K, V)>,
    K: AsRef<str>,
    V: AsRef<str>,
{
    let mut out = String::new();
    for (name, value) in pairs {
        if !out.is_empty() {
            out.push('&');
        }
        push_component(&mut out, name.as_ref());
        out.push('=');
        push_component(&mut out, value.as_ref());
    }
    out
}

/// Encodes one name or value as [`encode_form`] does; borrows when nothing
/// needs escaping. Useful to build a query string piece by piece.
pub fn encode_form_component(s: &str) -> Cow<'_, str> {
    if s.bytes().all(is_form_safe) {
        Cow::Borrowed(s)
    } else {
        let mut out = String::with_capacity(s.len() + s.len() / 2);
        push_component(&mut out, s);
        Cow::Owned(out)
    }
}

/// Whether the WHATWG form serializer leaves `b` as it is.
fn is_form_safe(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'*' | b'-' | b'.' | b'_')
}

fn push_component(out: &mut String, s: &str) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut safe_from = 0;
    for (i, b) in s.bytes().enumerate() {
        if is_form_safe(b) {
            continue;
        }
        // Multi-byte characters are escaped byte by byte, so `safe_from`
        // can sit inside one; a non-empty run of safe bytes never does.
        if safe_from < i {
            out.push_str(&s[safe_from..i]);
        }
        safe_from = i + 1;
        if b == b' ' {
            out.push('+');
        } else {
            out.push('%');
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 0xf)]));
        }
    }
    if let Some(tail) = s.get(safe_from..) {
        out.push_str(tail);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    type Pairs = &'static [(&'static str, &'static str)];

    fn pairs(map: &MultiMap) -> Vec<(&str, &str)> {
        map.iter().map(|(k, v)| (k, v.as_str())).collect()
    }

    #[test]
    fn decode_table() {
        let cases: &[(&str, Pairs)] = &[
            ("", &[]),
            ("a=1", &[("a", "1")]),
            ("a=1&b=2", &[("a", "1"), ("b", "2")]),
            ("a=1&a=2&b=3", &[("a", "1"), ("a", "2"), ("b", "3")]),
            // Blank values are kept; a name without `=` has the empty value.
            ("a=&b", &[("a", ""), ("b", "")]),
            ("flag", &[("flag", "")]),
            // Empty pairs are skipped, empty names are not (WHATWG).
            ("&&a=1&&", &[("a", "1")]),
            ("&", &[]),
            ("=", &[("", "")]),
            ("=x", &[("", "x")]),
            // Only the first `=` splits.
            ("a=b=c", &[("a", "b=c")]),
            ("a==", &[("a", "=")]),
            // `;` is not a separator.
            ("a=1;b=2", &[("a", "1;b=2")]),
            ("a+b=c+d", &[("a b", "c d")]),
            ("+=+", &[(" ", " ")]),
            ("a%20b=%41", &[("a b", "A")]),
            ("%2B=%2b", &[("+", "+")]),
            ("a=%e2%82%ac", &[("a", "€")]),
            ("a=%C3%A9t%C3%A9", &[("a", "été")]),
            ("a=é", &[("a", "é")]),
            ("%26=%3D", &[("&", "=")]),
            // Bad escapes are kept literally.
            ("a=%zz", &[("a", "%zz")]),
            ("a=%", &[("a", "%")]),
            ("a=%4", &[("a", "%4")]),
            ("a=%%41", &[("a", "%A")]),
            ("a=%4g", &[("a", "%4g")]),
            ("a=100%", &[("a", "100%")]),
            // Invalid UTF-8 after decoding becomes U+FFFD.
            ("a=%FF", &[("a", "\u{fffd}")]),
            ("a=%C3", &[("a", "\u{fffd}")]),
            ("a=%C3%28", &[("a", "\u{fffd}(")]),
            // A byte order mark is data, not stripped.
            ("%EF%BB%BFa=1", &[("\u{feff}a", "1")]),
            ("a=%00", &[("a", "\0")]),
            ("q=rust+http&page=2", &[("q", "rust http"), ("page", "2")]),
        ];
        for (input, want) in cases {
            assert_eq!(pairs(&decode_form(*input)), *want, "{input}");
        }
    }

    #[test]
    fn decode_bytes_table() {
        let cases: &[(&[u8], Pairs)] = &[
            (b"a=\xff", &[("a", "\u{fffd}")]),
            (b"\xc3\xa9=\xc3\xa9", &[("é", "é")]),
            (b"a=1&b=\xe2\x82", &[("a", "1"), ("b", "\u{fffd}")]),
        ];
        for (input, want) in cases {
            assert_eq!(pairs(&decode_form(*input)), *want, "{input:?}");
        }
    }

    #[test]
    fn strict_rejects_invalid_utf8() {
        let cases: &[(&[u8], Option<Pairs>)] = &[
            (b"a=1&b=%C3%A9", Some(&[("a", "1"), ("b", "é")])),
            (b"a=%FF", None),
            (b"%C3=1", None),
            (b"a=\xff", None),
            (b"a=%zz", Some(&[("a", "%zz")])),
        ];
        for (input, want) in cases {
            let got = decode_form_strict(*input);
            match want {
                Some(want) => assert_eq!(pairs(&got.unwrap()), *want, "{input:?}"),
                None => assert!(got.unwrap_err().is_invalid(), "{input:?}"),
            }
        }
    }

    #[test]
    fn limit_counts_pairs_not_separators() {
        let cases: &[(&str, usize, bool)] = &[
            ("a&b&c", 3, true),
            ("a&b&c", 2, false),
            ("a&&b&&", 2, true),
            ("", 0, true),
            ("a", 0, false),
        ];
        for &(input, max, ok) in cases {
            let got = decode_form_limited(input, max);
            assert_eq!(got.is_ok(), ok, "{input} max {max}");
            if let Err(e) = got {
                assert!(e.is_too_large());
                assert_eq!(
                    e.to_string(),
                    format!("urlencoded form is over max_pairs ({max})")
                );
            }
        }
    }

    #[test]
    fn encode_table() {
        let cases: &[(Pairs, &str)] = &[
            (&[], ""),
            (&[("a", "1")], "a=1"),
            (&[("a", "1"), ("b", "2")], "a=1&b=2"),
            (&[("a", "")], "a="),
            (&[("", "")], "="),
            (&[("a b", "c d")], "a+b=c+d"),
            (&[("a", "é")], "a=%C3%A9"),
            (&[("*-._", "~!'()")], "*-._=%7E%21%27%28%29"),
            (&[("&=+%", "/?#")], "%26%3D%2B%25=%2F%3F%23"),
            (&[("€", "\n")], "%E2%82%AC=%0A"),
        ];
        for (input, want) in cases {
            assert_eq!(encode_form(input.iter().copied()), *want, "{input:?}");
        }
        assert_eq!(encode_form_component("plain-text_1.0*"), "plain-text_1.0*");
        assert!(matches!(encode_form_component("plain"), Cow::Borrowed(_)));
        assert_eq!(encode_form_component("a b&c"), "a+b%26c");
    }

    #[test]
    fn pairs_borrow_when_nothing_to_decode() {
        let mut it = form_pairs(b"a=1&b+c=%41");
        let (name, value) = it.next().unwrap();
        assert!(matches!(
            (name, value),
            (Cow::Borrowed("a"), Cow::Borrowed("1"))
        ));
        let (name, value) = it.next().unwrap();
        assert_eq!((name.as_ref(), value.as_ref()), ("b c", "A"));
        assert!(it.next().is_none());
    }

    #[test]
    fn hundred_thousand_pairs_are_linear() {
        let body = "k=v&".repeat(100_000);
        let started = std::time::Instant::now();
        let form = decode_form(&body);
        assert_eq!(form.len(), 100_000);
        let form = decode_form_limited(&body, 100_000).unwrap();
        assert_eq!(form.len(), 100_000);
        assert!(
            decode_form_limited(&body, 99_999)
                .unwrap_err()
                .is_too_large()
        );
        // Hostile shapes: all separators, all escapes, one huge value.
        assert!(decode_form("&".repeat(1 << 20).as_str()).is_empty());
        assert_eq!(decode_form("%".repeat(1 << 20).as_str()).len(), 1);
        let big = format!("a={}", "%41".repeat(1 << 18));
        assert_eq!(decode_form(&big).get("a").unwrap().len(), 1 << 18);
        // Generous: quadratic behaviour here would take minutes.
        assert!(started.elapsed().as_secs() < 10, "{:?}", started.elapsed());
    }

    proptest! {
        #[test]
        fn encode_then_decode_is_identity(input in proptest::collection::vec((any::<String>(), any::<String>()), 0..8)) {
            let encoded = encode_form(input.iter().map(|(k, v)| (k, v)));
            let decoded = decode_form(&encoded);
            let back: Vec<(String, String)> = decoded.into_iter().collect();
            // An empty name with an empty value encodes to `=`, which WHATWG keeps.
            prop_assert_eq!(back, input.clone());
            let strict: Vec<(String, String)> = decode_form_strict(&encoded).unwrap().into_iter().collect();
            prop_assert_eq!(strict, input);
        }

        #[test]
        fn decode_never_panics(input in proptest::collection::vec(any::<u8>(), 0..64)) {
            let lossy = decode_form(&input);
            if let Ok(strict) = decode_form_strict(&input) {
                prop_assert_eq!(strict, lossy);
            }
        }
    }
}
