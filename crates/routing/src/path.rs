//! Path text: the normal form routes are matched in, parameter decoding,
//! and the encoding used when building URLs (RFC 3986 §2 and §6.2.2).
//!
//! Matching works on the raw path so that an encoded `/` (`%2F`) stays
//! inside its segment. Two spellings of one path must still match the same
//! route, so before matching, escapes of unreserved characters are decoded
//! (`%7E` is `~`) and the hex digits of the others are upper-cased (`%c3` is
//! `%C3`), as RFC 3986 §6.2.2 normalizes URIs. Static route text is brought
//! into the same form when the route is registered.

use std::borrow::Cow;

use percent_encoding::{AsciiSet, CONTROLS, percent_decode_str, utf8_percent_encode};

/// What is escaped in a path segment built from a value: everything but
/// RFC 3986's unreserved characters and the sub-delimiters, `:` and `@`
/// that `pchar` allows.
const SEGMENT: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'/')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'[')
    .add(b'\\')
    .add(b']')
    .add(b'^')
    .add(b'`')
    .add(b'{')
    .add(b'|')
    .add(b'}');

/// The same for a `path` parameter, whose `/` are separators.
const PATH: &AsciiSet = &SEGMENT.remove(b'/');

/// Static route text: what a request path cannot carry raw (controls,
/// space, non-ASCII and the few characters `http::Uri` refuses) and the
/// braces (which the normal form escapes) are escaped, so that the route
/// matches the path a client sends; `%` starts an escape the author wrote.
const STATIC: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'#')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'`')
    .add(b'{')
    .add(b'}');

/// `value` escaped for one path segment.
pub(crate) fn encode_segment(value: &str) -> Cow<'_, str> {
    utf8_percent_encode(value, SEGMENT).into()
}

/// `value` escaped for a `path` parameter (slashes kept).
pub(crate) fn encode_path(value: &str) -> Cow<'_, str> {
    utf8_percent_encode(value, PATH).into()
}

/// Static route text in the form request paths are matched in. A `%` that
/// does not start an escape stands for itself (`%25`), so that a parameter
/// after it cannot complete it into one.
pub(crate) fn normalize_static(text: &str) -> String {
    let encoded: Cow<'_, str> = utf8_percent_encode(text, STATIC).into();
    let bytes = encoded.as_bytes();
    let mut escaped = String::with_capacity(encoded.len());
    for (i, c) in encoded.char_indices() {
        if c == '%' && escape_at(bytes, i).is_none() {
            escaped.push_str("%25");
        } else {
            escaped.push(c);
        }
    }
    normalize_escapes(&escaped).into_owned()
}

/// `path` in normal form, borrowed when it is already: escapes of
/// unreserved characters decoded, other escapes in upper case, and what
/// `http::Uri` lets through raw although RFC 3986 does not (braces,
/// non-ASCII) escaped, so that every spelling of a path has one form.
pub(crate) fn normalize_escapes(path: &str) -> Cow<'_, str> {
    let bytes = path.as_bytes();
    // The common case, found with vectorized searches.
    if bytes.is_ascii() && memchr::memchr3(b'%', b'{', b'}', bytes).is_none() {
        return Cow::Borrowed(path);
    }
    let needs_change = |i: usize| match bytes[i] {
        b'%' => escape_at(bytes, i)
            .is_some_and(|byte| is_unreserved(byte) || bytes[i + 1..i + 3] != hex_upper(byte)),
        byte => byte == b'{' || byte == b'}' || !byte.is_ascii(),
    };
    let Some(first) = (0..bytes.len()).find(|&i| needs_change(i)) else {
        return Cow::Borrowed(path);
    };
    let mut out = String::with_capacity(path.len() + 8);
    out.push_str(&path[..first]);
    let mut i = first;
    while let Some(&byte) = bytes.get(i) {
        match escape_at(bytes, i) {
            Some(decoded) if is_unreserved(decoded) => out.push(char::from(decoded)),
            Some(decoded) => push_escape(&mut out, decoded),
            None if byte == b'{' || byte == b'}' || !byte.is_ascii() => push_escape(&mut out, byte),
            None => out.push(char::from(byte)),
        }
        i += if escape_at(bytes, i).is_some() { 3 } else { 1 };
    }
    Cow::Owned(out)
}

fn push_escape(out: &mut String, byte: u8) {
    out.push('%');
    out.extend(hex_upper(byte).map(char::from));
}

/// The byte a valid `%XX` escape at `i` stands for.
fn escape_at(bytes: &[u8], i: usize) -> Option<u8> {
    if bytes.get(i) != Some(&b'%') {
        return None;
    }
    let high = hex_value(*bytes.get(i + 1)?)?;
    let low = hex_value(*bytes.get(i + 2)?)?;
    Some(high << 4 | low)
}

fn hex_value(byte: u8) -> Option<u8> {
    match byte {
        b'0'..=b'9' => Some(byte - b'0'),
        b'a'..=b'f' => Some(byte - b'a' + 10),
        b'A'..=b'F' => Some(byte - b'A' + 10),
        _ => None,
    }
}

fn hex_upper(byte: u8) -> [u8; 2] {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    [HEX[usize::from(byte >> 4)], HEX[usize::from(byte & 15)]]
}

fn is_unreserved(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~')
}

/// A captured parameter, percent-decoded; invalid UTF-8 becomes U+FFFD, as
/// in `tackle_request::Request::path`.
pub(crate) fn decode_param(raw: &str) -> Cow<'_, str> {
    if raw.contains('%') {
        percent_decode_str(raw).decode_utf8_lossy()
    } else {
        Cow::Borrowed(raw)
    }
}

/// `path` with each run of `/` made one, or `None` when it has no run.
pub(crate) fn merge_slashes(path: &str) -> Option<String> {
    if !path.contains("//") {
        return None;
    }
    let mut out = String::with_capacity(path.len());
    let mut previous_slash = false;
    for c in path.chars() {
        if !(c == '/' && previous_slash) {
            out.push(c);
        }
        previous_slash = c == '/';
    }
    Some(out)
}

/// `path` with its trailing slash added or removed; `None` for `/` and
/// for a path ending in more than one slash (that is for merging).
pub(crate) fn toggle_trailing_slash(path: &str) -> Option<String> {
    match path.strip_suffix('/') {
        Some(without) if without.is_empty() || without.ends_with('/') => None,
        Some(without) => Some(without.to_owned()),
        None => Some(format!("{path}/")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_are_normalized() {
        let cases: &[(&str, &str)] = &[
            ("/plain", "/plain"),
            ("/%7Euser", "/~user"),
            ("/%7euser", "/~user"),
            ("/a%2fb", "/a%2Fb"),
            ("/a%2Fb", "/a%2Fb"),
            ("/caf%c3%a9", "/caf%C3%A9"),
            ("/%41%42c", "/ABc"),
            ("/100%", "/100%"),
            ("/%zz", "/%zz"),
            ("/%4", "/%4"),
            ("/é%41", "/%C3%A9A"),
            ("/café", "/caf%C3%A9"),
            ("/{a}", "/%7Ba%7D"),
            ("/%7b", "/%7B"),
            ("/%20", "/%20"),
        ];
        for &(raw, normal) in cases {
            assert_eq!(normalize_escapes(raw), normal, "{raw}");
        }
        assert!(matches!(normalize_escapes("/caf%C3%A9"), Cow::Borrowed(_)));
    }

    #[test]
    fn static_text_is_encoded_then_normalized() {
        let cases: &[(&str, &str)] = &[
            ("/users", "/users"),
            ("/café", "/caf%C3%A9"),
            ("/a b", "/a%20b"),
            ("/%7e", "/~"),
            ("/a:b@c", "/a:b@c"),
            ("/a?b#c", "/a%3Fb%23c"),
            ("/100%", "/100%25"),
            ("/%4", "/%254"),
            ("/<a>`", "/%3Ca%3E%60"),
            ("/{x}|\"", "/%7Bx%7D|\""),
        ];
        for &(text, normal) in cases {
            assert_eq!(normalize_static(text), normal, "{text}");
        }
    }

    #[test]
    fn values_are_encoded_for_segments_and_paths() {
        assert_eq!(encode_segment("a b/c?d%"), "a%20b%2Fc%3Fd%25");
        assert_eq!(encode_segment("café"), "caf%C3%A9");
        assert_eq!(
            encode_segment("a-b_c.d~e:f@g!$&'()*+,;="),
            "a-b_c.d~e:f@g!$&'()*+,;="
        );
        assert_eq!(encode_path("dir/file name.txt"), "dir/file%20name.txt");
    }

    #[test]
    fn params_are_decoded() {
        assert_eq!(decode_param("plain"), "plain");
        assert_eq!(decode_param("a%2Fb"), "a/b");
        assert_eq!(decode_param("caf%C3%A9"), "café");
        assert_eq!(decode_param("%FF"), "\u{FFFD}");
    }

    #[test]
    fn slashes_merge_and_toggle() {
        assert_eq!(merge_slashes("//a///b/"), Some("/a/b/".to_owned()));
        assert_eq!(merge_slashes("/a/b"), None);
        assert_eq!(toggle_trailing_slash("/a"), Some("/a/".to_owned()));
        assert_eq!(toggle_trailing_slash("/a/"), Some("/a".to_owned()));
        assert_eq!(toggle_trailing_slash("/"), None);
        assert_eq!(toggle_trailing_slash("//"), None);
        assert_eq!(toggle_trailing_slash("/a//"), None);
    }
}
