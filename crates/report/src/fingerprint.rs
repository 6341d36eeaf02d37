//! Grouping: the same bug gives the same fingerprint wherever and whenever it
//! happens, so a mailer can count occurrences instead of sending each one.
//!
//! The fingerprint hashes the report's kind, its message with the varying
//! parts taken out ([`normalize_message`]), and the names of the innermost
//! three in-app functions of its stack (no line numbers, no closure numbers,
//! no generic arguments). A report without in-app frames uses the request's
//! method and route instead.

use crate::frames::{Frame, FrameKind};
use crate::report::{ErrorReport, RequestSnapshot};

const MAX_NORMALIZED_CHARS: usize = 200;
const TOP_FRAMES: usize = 3;

/// `message` with what varies between occurrences of one bug replaced:
/// UUIDs by `U`, hex numbers (`0x1f`, or runs of six or more hex digits with
/// both digits and letters) by `H`, digit runs by `N`, the contents of
/// `"..."` and `'...'` by `…`; whitespace collapsed; at most 200 characters.
///
/// ```
/// use tackle_report::normalize_message;
///
/// assert_eq!(
///     normalize_message("user 'bob' (id 42) not found in   shard 3f9a0c7e"),
///     "user '…' (id N) not found in shard H",
/// );
/// ```
pub fn normalize_message(message: &str) -> String {
    let chars: Vec<char> = message.chars().collect();
    let mut out = String::with_capacity(message.len().min(4 * MAX_NORMALIZED_CHARS));
    let mut count = 0;
    let mut pending_space = false;
    let (mut unclosed_double, mut unclosed_single) = (false, false);
    let mut i = 0;
    let word_char = |c: char| c.is_alphanumeric() || c == '_';
    while i < chars.len() && count < MAX_NORMALIZED_CHARS {
        let c = chars[i];
        if c.is_whitespace() {
            pending_space = count > 0;
            i += 1;
            continue;
        }
        let at_word_start = i == 0 || !word_char(chars[i - 1]);
        let uuid = if at_word_start {
            uuid_end(&chars, i)
        } else {
            None
        };
        let hex = if at_word_start && uuid.is_none() {
            hex_end(&chars, i)
        } else {
            None
        };
        let quoted = if c == '"' || (c == '\'' && at_word_start) {
            // Once a quote has no closing one, no later one has either:
            // remembering that keeps this linear.
            let unclosed = if c == '"' {
                &mut unclosed_double
            } else {
                &mut unclosed_single
            };
            let end = if *unclosed {
                None
            } else {
                closing_quote(&chars, i)
            };
            *unclosed = end.is_none();
            end
        } else {
            None
        };
        let (piece, next): (String, usize) = if let Some(end) = uuid {
            ("U".into(), end)
        } else if let Some(end) = hex {
            ("H".into(), end)
        } else if c.is_ascii_digit() {
            let mut end = i;
            while end < chars.len() && chars[end].is_ascii_digit() {
                end += 1;
            }
            ("N".into(), end)
        } else if let Some(end) = quoted {
            (format!("{c}…{c}"), end + 1)
        } else {
            (c.to_string(), i + 1)
        };
        if pending_space {
            out.push(' ');
            count += 1;
            pending_space = false;
        }
        for piece_char in piece.chars() {
            if count == MAX_NORMALIZED_CHARS {
                break;
            }
            out.push(piece_char);
            count += 1;
        }
        i = next;
    }
    out
}

/// The end of a UUID (8-4-4-4-12 hex digits) starting at `i`, if one does
/// and it is not glued to a longer word.
fn uuid_end(chars: &[char], i: usize) -> Option<usize> {
    const GROUPS: [usize; 5] = [8, 4, 4, 4, 12];
    let mut at = i;
    for (n, len) in GROUPS.into_iter().enumerate() {
        if n > 0 {
            if chars.get(at) != Some(&'-') {
                return None;
            }
            at += 1;
        }
        for _ in 0..len {
            if !chars.get(at)?.is_ascii_hexdigit() {
                return None;
            }
            at += 1;
        }
    }
    ends_word(chars, at).then_some(at)
}

/// The end of a hex number starting at `i`: `0x` and hex digits, or a whole
/// word of six or more hex digits mixing digits and letters (a word of
/// letters alone, like "facade", is a word; digits alone are a number).
fn hex_end(chars: &[char], i: usize) -> Option<usize> {
    if chars.get(i) == Some(&'0') && matches!(chars.get(i + 1), Some('x' | 'X')) {
        let mut end = i + 2;
        while end < chars.len() && chars[end].is_ascii_hexdigit() {
            end += 1;
        }
        return (end > i + 2 && ends_word(chars, end)).then_some(end);
    }
    let mut end = i;
    let (mut digits, mut letters) = (false, false);
    while end < chars.len() && chars[end].is_ascii_hexdigit() {
        if chars[end].is_ascii_digit() {
            digits = true;
        } else {
            letters = true;
        }
        end += 1;
    }
    (end - i >= 6 && digits && letters && ends_word(chars, end)).then_some(end)
}

fn ends_word(chars: &[char], at: usize) -> bool {
    chars
        .get(at)
        .is_none_or(|c| !(c.is_alphanumeric() || *c == '_'))
}

/// The index of the quote closing the one at `open`: for `'`, one not
/// followed by a letter (so "can't" and "user's" are not quotes).
fn closing_quote(chars: &[char], open: usize) -> Option<usize> {
    let quote = chars[open];
    let mut i = open + 1;
    while i < chars.len() {
        match chars[i] {
            '\\' => i += 1,
            c if c == quote
                && (quote == '"' || chars.get(i + 1).is_none_or(|c| !c.is_alphanumeric())) =>
            {
                return Some(i);
            }
            _ => {}
        }
        i += 1;
    }
    None
}

/// The grouping key of `report`: 16 hex digits of a 64-bit FNV-1a hash of
/// its kind, [`normalize_message`] of its message, and the innermost three
/// in-app function names of its stack (see [`function_key`]) or, without
/// in-app frames, its request's method and route (or normalised path).
///
/// Stable across runs, machines and builds of the same code: nothing
/// random, no addresses, no line numbers.
pub fn fingerprint(report: &ErrorReport) -> String {
    let frames = report.frames.as_ref().map(|frames| frames.resolve());
    let frames: &[Frame] = frames.as_deref().unwrap_or(&[]);
    fingerprint_parts(
        report.kind.label(),
        &report.message,
        frames,
        report.request.as_ref(),
    )
}

fn fingerprint_parts(
    kind: &str,
    message: &str,
    frames: &[Frame],
    request: Option<&RequestSnapshot>,
) -> String {
    let mut hash = Fnv1a64::new();
    hash.write(kind.as_bytes());
    hash.write(&[0]);
    hash.write(normalize_message(message).as_bytes());
    let in_app: Vec<String> = frames
        .iter()
        .filter(|frame| frame.kind == FrameKind::InApp)
        .filter_map(|frame| frame.function.as_deref())
        .map(function_key)
        .take(TOP_FRAMES)
        .collect();
    if !in_app.is_empty() {
        for function in in_app {
            hash.write(&[0, b'f']);
            hash.write(function.as_bytes());
        }
    } else if let Some(request) = request {
        hash.write(&[0, b'r']);
        hash.write(request.method.as_bytes());
        hash.write(&[0]);
        match &request.route {
            Some(route) => hash.write(route.as_bytes()),
            None => {
                let path = request.uri.split(['?', '#']).next().unwrap_or("");
                hash.write(normalize_message(path).as_bytes());
            }
        }
    }
    format!("{:016x}", hash.finish())
}

/// A function name as the fingerprint sees it: without the `::h0123…` hash
/// suffix, generic arguments (`Vec<T>`, `::<T>`) and closure numbers
/// (`{closure#2}` and `{{closure}}` both become `{{closure}}`).
pub(crate) fn function_key(function: &str) -> String {
    let function = strip_hash_suffix(function);
    let chars: Vec<char> = function.chars().collect();
    let mut out = String::with_capacity(function.len());
    let mut i = 0;
    while i < chars.len() {
        match chars[i] {
            '<' => {
                let close = matching_angle(&chars, i);
                let inner: String = chars[i + 1..close.min(chars.len())].iter().collect();
                let after_word = i > 0 && (chars[i - 1].is_alphanumeric() || chars[i - 1] == '_');
                let qualified = inner.starts_with("impl ") || inner.contains(" as ");
                if after_word || !qualified {
                    // Generic arguments: dropped, with a turbofish's `::`.
                    if out.ends_with("::") {
                        out.truncate(out.len() - 2);
                    }
                } else {
                    out.push('<');
                    out.push_str(&function_key(&inner));
                    out.push('>');
                }
                i = close + 1;
            }
            '{' => {
                let close = chars[i..]
                    .iter()
                    .position(|c| *c == '}')
                    .map_or(chars.len(), |p| i + p);
                let inner: String = chars[i..close].iter().filter(|c| **c != '{').collect();
                let name = inner.split('#').next().unwrap_or("");
                out.push_str("{{");
                out.push_str(name);
                out.push_str("}}");
                i = close;
                while i < chars.len() && chars[i] == '}' {
                    i += 1;
                }
            }
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    out
}

fn strip_hash_suffix(function: &str) -> &str {
    match function.rsplit_once("::h") {
        Some((head, hash)) if hash.len() == 16 && hash.bytes().all(|b| b.is_ascii_hexdigit()) => {
            head
        }
        _ => function,
    }
}

/// The index of the `>` closing the `<` at `open` (or the end).
fn matching_angle(chars: &[char], open: usize) -> usize {
    let mut depth = 0usize;
    for (i, c) in chars.iter().enumerate().skip(open) {
        match c {
            '<' => depth += 1,
            // `->` in a fn pointer type is not a closing bracket.
            '>' if i > 0 && chars[i - 1] == '-' => {}
            '>' => {
                depth -= 1;
                if depth == 0 {
                    return i;
                }
            }
            _ => {}
        }
    }
    chars.len()
}

/// FNV-1a, 64 bits: tiny, fixed, and the same on every platform and
/// release (std's `DefaultHasher` promises none of that).
struct Fnv1a64(u64);

impl Fnv1a64 {
    fn new() -> Self {
        Fnv1a64(0xcbf2_9ce4_8422_2325)
    }

    fn write(&mut self, bytes: &[u8]) {
        for byte in bytes {
            self.0 ^= u64::from(*byte);
            self.0 = self.0.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(function: &str, line: u32, kind: FrameKind) -> Frame {
        Frame {
            function: Some(function.to_owned()),
            file: Some("src/handlers.rs".to_owned()),
            line: Some(line),
            column: Some(9),
            kind,
            crate_name: None,
        }
    }

    #[test]
    fn fnv_reference_values() {
        let mut hash = Fnv1a64::new();
        assert_eq!(hash.finish(), 0xcbf2_9ce4_8422_2325);
        hash.write(b"a");
        assert_eq!(hash.finish(), 0xaf63_dc4c_8601_ec8c);
        let mut hash = Fnv1a64::new();
        hash.write(b"foobar");
        assert_eq!(hash.finish(), 0x8594_4171_f739_67e8);
    }

    #[test]
    fn normalizes_messages() {
        let cases = [
            (
                "index out of bounds: the len is 3 but the index is 17",
                "index out of bounds: the len is N but the index is N",
            ),
            (
                "user 550e8400-e29b-41d4-a716-446655440000 not found",
                "user U not found",
            ),
            ("object 5f2b9c1ad3 at 0x7ffd5e8c", "object H at H"),
            ("a facade decade", "a facade decade"),
            ("order 123456 failed", "order N failed"),
            (
                r#"no such key "alice" in 'users'"#,
                r#"no such key "…" in '…'"#,
            ),
            ("can't read user's file", "can't read user's file"),
            ("  a \n\t b  ", "a b"),
            (
                "called `Option::unwrap()` on a `None` value",
                "called `Option::unwrap()` on a `None` value",
            ),
            ("v2 item42", "vN itemN"),
            ("unclosed \"quote 12", "unclosed \"quote N"),
            ("", ""),
        ];
        for (input, expected) in cases {
            assert_eq!(normalize_message(input), expected, "{input}");
        }
        let hostile = "\"'a ".repeat(300_000);
        assert_eq!(normalize_message(&hostile).chars().count(), 200);
        let long = "x".repeat(500);
        assert_eq!(normalize_message(&long).chars().count(), 200);
        let wide = "é ".repeat(500);
        assert_eq!(normalize_message(&wide).chars().count(), 200);
    }

    #[test]
    fn function_keys() {
        let cases = [
            (
                "app::handlers::index::h0123456789abcdef",
                "app::handlers::index",
            ),
            (
                "app::handlers::index::{{closure}}",
                "app::handlers::index::{{closure}}",
            ),
            (
                "app::handlers::index::{closure#2}",
                "app::handlers::index::{{closure}}",
            ),
            ("app::load::<alloc::string::String>", "app::load"),
            ("app::Store<T>::get", "app::Store::get"),
            (
                "<app::Store<u8> as app::Get>::get",
                "<app::Store as app::Get>::get",
            ),
            (
                "app::<impl app::Store<u8>>::get",
                "app::<impl app::Store>::get",
            ),
            ("app::run::<fn() -> u8>", "app::run"),
            ("app::f::{async_fn#0}", "app::f::{{async_fn}}"),
            ("<<<", ""),
            ("{", "{{}}"),
        ];
        for (input, expected) in cases {
            assert_eq!(function_key(input), expected, "{input}");
        }
    }

    #[test]
    fn same_bug_at_two_lines_groups() {
        let a = [
            frame("std::panicking::begin_panic", 1, FrameKind::Std),
            frame(
                "app::db::load_user::h0123456789abcdef",
                40,
                FrameKind::InApp,
            ),
            frame("app::handlers::show::{{closure}}", 12, FrameKind::InApp),
            frame("app::handlers::show", 10, FrameKind::InApp),
            frame("app::main", 3, FrameKind::InApp),
        ];
        let b = [
            frame(
                "app::db::load_user::hfedcba9876543210",
                41,
                FrameKind::InApp,
            ),
            frame("hyper::proto::h1::dispatch", 300, FrameKind::Runtime),
            frame("app::handlers::show::{closure#1}", 19, FrameKind::InApp),
            frame("app::handlers::show", 11, FrameKind::InApp),
            frame("app::other_main", 3, FrameKind::InApp),
        ];
        let one = fingerprint_parts("PANIC", "user 17 not found", &a, None);
        let two = fingerprint_parts("PANIC", "user 4711 not found", &b, None);
        assert_eq!(one, two);
        assert_eq!(one.len(), 16);
        assert!(one.bytes().all(|b| b.is_ascii_hexdigit()));

        let other_function = [frame("app::db::load_order", 40, FrameKind::InApp)];
        assert_ne!(
            one,
            fingerprint_parts("PANIC", "user 17 not found", &other_function, None)
        );
        assert_ne!(one, fingerprint_parts("PANIC", "user 17 gone", &a, None));
        assert_ne!(
            one,
            fingerprint_parts("ERROR", "user 17 not found", &a, None)
        );
    }

    #[test]
    fn ids_in_messages_group() {
        let frames = [frame("app::f", 1, FrameKind::InApp)];
        assert_eq!(
            fingerprint_parts(
                "5XX",
                "session 550e8400-e29b-41d4-a716-446655440000 expired",
                &frames,
                None
            ),
            fingerprint_parts(
                "5XX",
                "session 6ba7b810-9dad-11d1-80b4-00c04fd430c8 expired",
                &frames,
                None
            ),
        );
        assert_eq!(
            fingerprint_parts("5XX", "blob 9f86d081884c7d65 missing", &frames, None),
            fingerprint_parts("5XX", "blob 2c26b46b68ffc68f missing", &frames, None),
        );
    }

    #[test]
    fn without_in_app_frames_the_route_decides() {
        let request = |method: &str, uri: &str, route: Option<&str>| RequestSnapshot {
            method: method.into(),
            uri: uri.into(),
            route: route.map(Into::into),
            ..RequestSnapshot::default()
        };
        let runtime = [frame("tokio::runtime::park", 1, FrameKind::Runtime)];
        let fp =
            |r: &RequestSnapshot| fingerprint_parts("5XX", "upstream failed", &runtime, Some(r));
        assert_eq!(
            fp(&request("GET", "/users/1?x=2", Some("/users/{id}"))),
            fp(&request("GET", "/users/2", Some("/users/{id}")))
        );
        assert_ne!(
            fp(&request("GET", "/users/1", Some("/users/{id}"))),
            fp(&request("POST", "/users/1", Some("/users/{id}")))
        );
        assert_eq!(
            fp(&request("GET", "/users/1", None)),
            fp(&request("GET", "/users/22?a", None))
        );
        assert_ne!(
            fp(&request("GET", "/users/1", None)),
            fp(&request("GET", "/orders/1", None))
        );
    }
}
