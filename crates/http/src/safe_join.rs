//! Joining an untrusted, `/`-separated path (from a URL, RFC 3986 §3.3) to
//! a trusted directory without leaving it.
//!
//! Pure path logic, the same on every operating system: nothing here touches
//! the filesystem, so symbolic links are the caller's concern (the static
//! file service checks them). Every rule applies everywhere, including the
//! Windows ones, because files served from Linux are often copied to, or
//! mounted from, Windows.
//!
//! ```
//! use std::path::Path;
//! use tackle_http::{safe_join_url_path, UnsafePath};
//!
//! let root = Path::new("/srv/www");
//! assert_eq!(safe_join_url_path(root, "/css/site%20v2.css"), Ok(root.join("css/site v2.css")));
//! assert_eq!(safe_join_url_path(root, "/..%2fetc/passwd"), Err(UnsafePath::EncodedSeparator));
//! ```

use std::borrow::Cow;
use std::fmt;
use std::path::{Path, PathBuf};

use crate::urlencoded::hex_value;

/// Why an untrusted path was refused by [`safe_join`] or
/// [`safe_join_url_path`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum UnsafePath {
    /// A `..` segment, which would climb out of the directory.
    ParentSegment,
    /// A `.` segment. Clients remove them (RFC 3986 §5.2.4), so one that
    /// arrives was put there on purpose; it is refused rather than collapsed.
    DotSegment,
    /// An empty segment (`a//b`), which some systems read as the root.
    EmptySegment,
    /// An absolute path: a leading `/` in [`safe_join`], or `//` at the start
    /// of a URL path.
    Absolute,
    /// A backslash, a separator on Windows.
    Backslash,
    /// `%2F` or `%5C`: a separator hidden from the router by encoding.
    EncodedSeparator,
    /// A NUL character, which truncates the name in C APIs
    /// (`file.txt%00.png`).
    Nul,
    /// Another control character (U+0001–U+001F, U+007F–U+009F).
    ControlCharacter,
    /// A drive letter (`C:`, `c:foo`), which makes a Windows path absolute or
    /// drive-relative.
    DriveLetter,
    /// A character Windows reserves in names: `< > : " | ? *` (`:` also opens
    /// an NTFS alternate data stream, `file.txt::$DATA`).
    ReservedCharacter,
    /// A Windows device name (`CON`, `NUL.txt`, `com1`): see
    /// [`is_windows_device_name`].
    DeviceName,
    /// A segment ending in `.` or a space, which Windows silently strips, so
    /// that `secret.txt.` opens `secret.txt` and `...` climbs like `..`.
    TrailingDotOrSpace,
    /// A character that looks like or normalises to `/`, `\`, `.` or `:`,
    /// such as U+2215 `∕` or U+FF0F `／`, which some decoders and Windows
    /// "best fit" code-page conversions turn into the real character.
    LookalikeCharacter,
    /// A `%` not followed by two hex digits.
    BadPercentEncoding,
    /// Percent-decoded bytes that are not UTF-8, including overlong forms
    /// such as `%C0%AE` for `.`.
    NotUtf8,
}

impl fmt::Display for UnsafePath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            UnsafePath::ParentSegment => "path has a '..' segment",
            UnsafePath::DotSegment => "path has a '.' segment",
            UnsafePath::EmptySegment => "path has an empty segment",
            UnsafePath::Absolute => "path is absolute",
            UnsafePath::Backslash => "path has a backslash",
            UnsafePath::EncodedSeparator => "path has an encoded '/' or '\\'",
            UnsafePath::Nul => "path has a NUL character",
            UnsafePath::ControlCharacter => "path has a control character",
            UnsafePath::DriveLetter => "path has a drive letter",
            UnsafePath::ReservedCharacter => "path has a character reserved on Windows",
            UnsafePath::DeviceName => "path names a Windows device",
            UnsafePath::TrailingDotOrSpace => "path segment ends in '.' or a space",
            UnsafePath::LookalikeCharacter => "path has a look-alike of '/', '\\', '.' or ':'",
            UnsafePath::BadPercentEncoding => "path has a '%' not followed by two hex digits",
            UnsafePath::NotUtf8 => "path does not decode to UTF-8",
        })
    }
}

impl std::error::Error for UnsafePath {}

/// Joins already-decoded, `/`-separated `untrusted` text to `root`, or says
/// why it is unsafe.
///
/// `untrusted` is relative: a leading `/` is [`UnsafePath::Absolute`], as in
/// Werkzeug. One trailing `/` is allowed (a directory). Every segment must
/// be non-empty, not `.` or `..`, and free of backslashes, control
/// characters, `< > : " | ? *`, look-alike separators, trailing dots or
/// spaces, and Windows device names. `%` is an ordinary character here: use
/// [`safe_join_url_path`] for text still percent-encoded. An empty
/// `untrusted` gives `root` itself.
///
/// The result always starts with `root` and adds only normal components.
pub fn safe_join(root: &Path, untrusted: &str) -> Result<PathBuf, UnsafePath> {
    if untrusted.starts_with('/') {
        return Err(UnsafePath::Absolute);
    }
    let mut out = root.to_path_buf();
    for segment in segments(untrusted) {
        check_segment(segment)?;
        out.push(segment);
    }
    Ok(out)
}

/// Joins the path of a request URL to `root`, percent-decoding each segment
/// exactly once, or says why it is unsafe.
///
/// `url_path` is the raw path as it appears in the request target (after
/// routing has removed any mount prefix). One leading `/` is removed;
/// another (`//etc`) is [`UnsafePath::Absolute`]. The path is split at `/`
/// before decoding, so a decoded `/` or `\` (`%2F`, `%5C`) is
/// [`UnsafePath::EncodedSeparator`] rather than a new segment; malformed
/// escapes and decoded bytes that are not UTF-8 are refused; then the
/// segment rules of [`safe_join`] apply.
///
/// Decoding happens once: `%252e%252e` becomes the literal name `%2e%2e`,
/// which stays inside `root`. Do not decode the result again.
pub fn safe_join_url_path(root: &Path, url_path: &str) -> Result<PathBuf, UnsafePath> {
    let relative = url_path.strip_prefix('/').unwrap_or(url_path);
    if relative.starts_with('/') {
        return Err(UnsafePath::Absolute);
    }
    let mut out = root.to_path_buf();
    for raw in segments(relative) {
        if raw.contains('\\') {
            return Err(UnsafePath::Backslash);
        }
        let segment = percent_decode_segment(raw)?;
        check_segment(&segment)?;
        out.push(&*segment);
    }
    Ok(out)
}

/// The `/`-separated segments of a relative path, allowing one trailing `/`;
/// empty text has none.
fn segments(path: &str) -> impl Iterator<Item = &str> {
    let path = path.strip_suffix('/').unwrap_or(path);
    path.split('/').filter(move |_| !path.is_empty())
}

/// Decodes `%XX` escapes strictly; a decoded separator is refused here, as
/// the segment boundaries were fixed before decoding.
fn percent_decode_segment(raw: &str) -> Result<Cow<'_, str>, UnsafePath> {
    if !raw.contains('%') {
        return Ok(Cow::Borrowed(raw));
    }
    let bytes = raw.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if b == b'%' {
            let hi = bytes.get(i + 1).and_then(|&h| hex_value(h));
            let lo = bytes.get(i + 2).and_then(|&l| hex_value(l));
            let (Some(hi), Some(lo)) = (hi, lo) else {
                return Err(UnsafePath::BadPercentEncoding);
            };
            let byte = (hi << 4) | lo;
            match byte {
                b'/' | b'\\' => return Err(UnsafePath::EncodedSeparator),
                0 => return Err(UnsafePath::Nul),
                _ => decoded.push(byte),
            }
            i += 3;
        } else {
            decoded.push(b);
            i += 1;
        }
    }
    String::from_utf8(decoded)
        .map(Cow::Owned)
        .map_err(|_| UnsafePath::NotUtf8)
}

/// Checks one decoded segment against every rule.
fn check_segment(segment: &str) -> Result<(), UnsafePath> {
    match segment {
        "" => return Err(UnsafePath::EmptySegment),
        "." => return Err(UnsafePath::DotSegment),
        ".." => return Err(UnsafePath::ParentSegment),
        _ => {}
    }
    let first = segment.chars().next();
    for (i, c) in segment.char_indices() {
        match c {
            '\0' => return Err(UnsafePath::Nul),
            '\\' => return Err(UnsafePath::Backslash),
            ':' if i == 1 && first.is_some_and(|f| f.is_ascii_alphabetic()) => {
                return Err(UnsafePath::DriveLetter);
            }
            '<' | '>' | ':' | '"' | '|' | '?' | '*' => return Err(UnsafePath::ReservedCharacter),
            c if c.is_control() => return Err(UnsafePath::ControlCharacter),
            c if is_lookalike(c) => return Err(UnsafePath::LookalikeCharacter),
            _ => {}
        }
    }
    if segment.ends_with(['.', ' ']) {
        return Err(UnsafePath::TrailingDotOrSpace);
    }
    if is_windows_device_name(segment) {
        return Err(UnsafePath::DeviceName);
    }
    Ok(())
}

/// Characters that look like `/`, `\`, `.` or `:`, or become them under
/// Unicode compatibility normalisation (NFKC) or Windows "best fit"
/// conversion. Look-alikes that are common in real names (the ellipsis `…`,
/// the yen sign) are not included.
fn is_lookalike(c: char) -> bool {
    matches!(
        c,
        '\u{2044}' // FRACTION SLASH
            | '\u{2215}' // DIVISION SLASH
            | '\u{29F8}' // BIG SOLIDUS
            | '\u{FF0F}' // FULLWIDTH SOLIDUS
            | '\u{2216}' // SET MINUS
            | '\u{29F5}' // REVERSE SOLIDUS OPERATOR
            | '\u{29F9}' // BIG REVERSE SOLIDUS
            | '\u{FE68}' // SMALL REVERSE SOLIDUS
            | '\u{FF3C}' // FULLWIDTH REVERSE SOLIDUS
            | '\u{2024}' // ONE DOT LEADER
            | '\u{2025}' // TWO DOT LEADER
            | '\u{FE52}' // SMALL FULL STOP
            | '\u{FF0E}' // FULLWIDTH FULL STOP
            | '\u{FE55}' // SMALL COLON
            | '\u{FF1A}' // FULLWIDTH COLON
            | '\u{FE13}' // PRESENTATION FORM FOR VERTICAL COLON
            | '\u{FE30}' // PRESENTATION FORM FOR VERTICAL TWO DOT LEADER (NFKC "..")
            | '\u{2100}' // ACCOUNT OF (NFKC "a/c")
            | '\u{2101}' // ADDRESSED TO THE SUBJECT (NFKC "a/s")
            | '\u{2105}' // CARE OF (NFKC "c/o")
            | '\u{2106}' // CADA UNA (NFKC "c/u")
    )
}

/// Whether a file name names a Windows device whatever its directory and
/// extension: `CON`, `PRN`, `AUX`, `NUL`, `COM1`–`COM9`, `LPT1`–`LPT9` (also
/// with the superscript digits `¹ ² ³`), `CONIN$` and `CONOUT$`, in any case,
/// judged on the part before the first `.` with surrounding spaces removed
/// (`con.txt`, `Nul .tar.gz`, `AUX ` all count), as Werkzeug does.
pub fn is_windows_device_name(name: &str) -> bool {
    let stem = name.split('.').next().unwrap_or(name).trim_matches(' ');
    let starts_with_ci = |prefix: &str| {
        stem.get(..prefix.len())
            .is_some_and(|p| p.eq_ignore_ascii_case(prefix))
    };
    match stem.len() {
        3 => ["CON", "PRN", "AUX", "NUL"]
            .iter()
            .any(|d| stem.eq_ignore_ascii_case(d)),
        4..=5 => {
            (starts_with_ci("COM") || starts_with_ci("LPT"))
                && matches!(
                    stem.get(3..),
                    Some("1" | "2" | "3" | "4" | "5" | "6" | "7" | "8" | "9" | "¹" | "²" | "³")
                )
        }
        6 => stem.eq_ignore_ascii_case("CONIN$"),
        7 => stem.eq_ignore_ascii_case("CONOUT$"),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::path::Component;

    use UnsafePath::*;

    const ROOT: &str = "/srv/www";

    /// Whether `joined` is `root` plus normal components only.
    fn stays_inside(root: &Path, joined: &Path) -> bool {
        joined.starts_with(root)
            && joined
                .strip_prefix(root)
                .is_ok_and(|rest| rest.components().all(|c| matches!(c, Component::Normal(_))))
    }

    #[test]
    fn traversal_corpus() {
        // Each attack is refused with the given reason, or (Ok) joined to a
        // literal name that stays inside the root.
        let cases: &[(&str, Result<&str, UnsafePath>)] = &[
            ("../etc/passwd", Err(ParentSegment)),
            ("/../etc/passwd", Err(ParentSegment)),
            ("a/../../b", Err(ParentSegment)),
            ("..\\..\\windows\\win.ini", Err(Backslash)),
            ("\\\\server\\share\\x", Err(Backslash)),
            ("%2e%2e/etc/passwd", Err(ParentSegment)),
            ("%2E%2e/%2e%2E/etc", Err(ParentSegment)),
            (".%2e/x", Err(ParentSegment)),
            ("%2e", Err(DotSegment)),
            ("./etc", Err(DotSegment)),
            ("a/./b", Err(DotSegment)),
            ("..%2fetc%2fpasswd", Err(EncodedSeparator)),
            ("..%2Fetc", Err(EncodedSeparator)),
            ("..%5cetc", Err(EncodedSeparator)),
            ("%2e%2e%5c%2e%2e%5cwin.ini", Err(EncodedSeparator)),
            ("%2e%2e%2f", Err(EncodedSeparator)),
            ("%2fetc%2fpasswd", Err(EncodedSeparator)),
            ("/%2fetc/passwd", Err(EncodedSeparator)),
            (
                "%252e%252e/%252e%252e/etc/passwd",
                Ok("%2e%2e/%2e%2e/etc/passwd"),
            ),
            ("%252e%252e%252fetc", Ok("%2e%2e%2fetc")),
            ("%c0%ae%c0%ae/etc", Err(NotUtf8)),
            ("%c0%af", Err(NotUtf8)),
            ("%C0%AE%C0%AE%C0%AF", Err(NotUtf8)),
            ("%e0%80%ae%e0%80%ae/x", Err(NotUtf8)),
            ("%c1%9c", Err(NotUtf8)),
            ("..%c0%af../etc", Err(NotUtf8)),
            ("%f0%80%80%ae", Err(NotUtf8)),
            ("....//etc", Err(TrailingDotOrSpace)),
            ("..../etc", Err(TrailingDotOrSpace)),
            (".../etc", Err(TrailingDotOrSpace)),
            (".. /etc", Err(TrailingDotOrSpace)),
            ("file.txt.", Err(TrailingDotOrSpace)),
            ("file.txt%20", Err(TrailingDotOrSpace)),
            ("a..", Err(TrailingDotOrSpace)),
            ("//etc/passwd", Err(Absolute)),
            ("///etc", Err(Absolute)),
            ("/etc/passwd", Ok("etc/passwd")),
            ("C:/Windows/win.ini", Err(DriveLetter)),
            ("c:foo", Err(DriveLetter)),
            ("C%3a/x", Err(DriveLetter)),
            ("file.txt::$DATA", Err(ReservedCharacter)),
            ("index.php%3a%3a$DATA", Err(ReservedCharacter)),
            ("a%3fb", Err(ReservedCharacter)),
            ("%3cscript%3e", Err(ReservedCharacter)),
            ("file.txt%00.png", Err(Nul)),
            ("%00", Err(Nul)),
            ("..%00/x", Err(Nul)),
            ("a\u{0}b", Err(Nul)),
            ("a%0d%0aSet-Cookie:x", Err(ControlCharacter)),
            ("a%7f", Err(ControlCharacter)),
            ("a%c2%85", Err(ControlCharacter)),
            ("..\u{2215}..\u{2215}etc", Err(LookalikeCharacter)),
            ("..\u{2044}etc", Err(LookalikeCharacter)),
            ("..\u{ff0f}etc", Err(LookalikeCharacter)),
            ("..%ef%bc%8fetc", Err(LookalikeCharacter)),
            ("\u{ff0e}\u{ff0e}/etc", Err(LookalikeCharacter)),
            ("..\u{ff3c}..\u{ff3c}win.ini", Err(LookalikeCharacter)),
            ("\u{2025}/etc", Err(LookalikeCharacter)),
            ("%EF%B8%B0/etc", Err(LookalikeCharacter)),
            ("c\u{2105}etc", Err(LookalikeCharacter)),
            ("C\u{FE13}secret", Err(LookalikeCharacter)),
            ("CON", Err(DeviceName)),
            ("con.txt", Err(DeviceName)),
            ("docs/NUL.tar.gz", Err(DeviceName)),
            ("LPT1", Err(DeviceName)),
            ("com\u{b9}.log", Err(DeviceName)),
            ("aux%20.txt", Err(DeviceName)),
            ("conout$", Err(DeviceName)),
            ("%", Err(BadPercentEncoding)),
            ("%2", Err(BadPercentEncoding)),
            ("%zz", Err(BadPercentEncoding)),
            ("%u002e%u002e/x", Err(BadPercentEncoding)),
            ("%%32%65", Err(BadPercentEncoding)),
            ("a//b", Err(EmptySegment)),
            ("a/b//", Err(EmptySegment)),
            ("..;/etc", Ok("..;/etc")),
            ("%2e%2e;/x", Ok("..;/x")),
        ];
        let root = Path::new(ROOT);
        for (input, want) in cases {
            let got = safe_join_url_path(root, input);
            let want = want.map(|rel| root.join(rel));
            assert_eq!(got, want, "{input:?}");
            if let Ok(joined) = &got {
                assert!(stays_inside(root, joined), "{input:?}");
            }
        }
        assert!(cases.len() >= 40);
    }

    #[test]
    fn accepted_url_paths() {
        let cases: &[(&str, &str)] = &[
            ("", ""),
            ("/", ""),
            ("index.html", "index.html"),
            ("/static/css/site.css", "static/css/site.css"),
            ("/docs/", "docs"),
            (
                "/.well-known/acme-challenge/tok-EN_1",
                ".well-known/acme-challenge/tok-EN_1",
            ),
            ("/.hidden", ".hidden"),
            ("/héllo wörld.txt", "héllo wörld.txt"),
            ("/%E2%82%AC.txt", "€.txt"),
            ("/%e6%97%a5%e6%9c%ac/%E3%83%95.txt", "日本/フ.txt"),
            ("/a%20b", "a b"),
            ("/file.tar.gz", "file.tar.gz"),
            ("/..a/a..b", "..a/a..b"),
            (
                "/CONSOLE/COM10/LPT0/NULL.txt",
                "CONSOLE/COM10/LPT0/NULL.txt",
            ),
            ("/~user/a+b=c&d", "~user/a+b=c&d"),
            ("/100%25.txt", "100%.txt"),
            ("/Wait\u{2026}.txt", "Wait\u{2026}.txt"),
        ];
        let root = Path::new(ROOT);
        for (input, want) in cases {
            let got = safe_join_url_path(root, input);
            assert_eq!(got, Ok(root.join(want)), "{input:?}");
        }
    }

    #[test]
    fn safe_join_table() {
        // Werkzeug tests/test_security.py, then decoded-text specifics.
        let cases: &[(&str, Result<&str, UnsafePath>)] = &[
            ("b/c", Ok("a/b/c")),
            ("../b/c", Err(ParentSegment)),
            ("b\\c", Err(Backslash)),
            ("//b/c", Err(Absolute)),
            ("/b/c", Err(Absolute)),
            ("c:test.txt", Err(DriveLetter)),
            ("CON", Err(DeviceName)),
            ("CON.txt", Err(DeviceName)),
            ("CON.txt.html", Err(DeviceName)),
            ("CON  ", Err(TrailingDotOrSpace)),
            ("CON . txt", Err(DeviceName)),
            ("b/CON", Err(DeviceName)),
            ("", Ok("a")),
            ("b/", Ok("a/b")),
            ("%2e%2e/%2f", Ok("a/%2e%2e/%2f")),
            ("b/./c", Err(DotSegment)),
            ("b//c", Err(EmptySegment)),
            ("b\u{0}", Err(Nul)),
        ];
        for (input, want) in cases {
            let got = safe_join(Path::new("a"), input);
            assert_eq!(got, want.map(PathBuf::from), "{input:?}");
        }
    }

    #[test]
    fn device_names() {
        let yes = [
            "CON",
            "con",
            "Prn",
            "AUX",
            "NUL",
            "COM1",
            "com9",
            "LPT1",
            "lpt9",
            "COM\u{b2}",
            "LPT\u{b3}",
            "CONIN$",
            "conout$",
            "NUL.txt",
            "nul.tar.gz",
            "AUX ",
            " CON",
            "CON .x",
        ];
        let no = [
            "",
            "CONSOLE",
            "COM0",
            "COM10",
            "LPT",
            "NULL",
            "xCON",
            "C",
            "COM\u{b4}",
            "CONIN",
            "CON_",
            "LPT\u{b9}\u{b9}",
        ];
        for name in yes {
            assert!(is_windows_device_name(name), "{name:?}");
        }
        for name in no {
            assert!(!is_windows_device_name(name), "{name:?}");
        }
    }

    #[test]
    fn reasons_have_messages() {
        assert_eq!(ParentSegment.to_string(), "path has a '..' segment");
        assert_eq!(
            EncodedSeparator.to_string(),
            "path has an encoded '/' or '\\'"
        );
    }

    proptest! {
        #[test]
        fn url_join_stays_inside(path in "[a-zA-Z0-9./%\\\\:~ \u{80}-\u{2fff}]{0,30}") {
            let root = Path::new(ROOT);
            if let Ok(joined) = safe_join_url_path(root, &path) {
                prop_assert!(stays_inside(root, &joined), "{path:?} -> {joined:?}");
            }
        }

        #[test]
        fn encoded_url_join_stays_inside(parts in proptest::collection::vec(
            prop_oneof![Just("%2e"), Just("%2E"), Just("."), Just("/"), Just("%2f"), Just("%5c"),
                Just("%25"), Just("%c0%ae"), Just("a"), Just("%00"), Just(":"), Just("%20")],
            0..12,
        )) {
            let path = parts.concat();
            let root = Path::new(ROOT);
            if let Ok(joined) = safe_join_url_path(root, &path) {
                prop_assert!(stays_inside(root, &joined), "{path:?} -> {joined:?}");
            }
        }

        #[test]
        fn join_stays_inside(path in "\\PC{0,30}") {
            let root = Path::new("relative/root");
            if let Ok(joined) = safe_join(root, &path) {
                prop_assert!(stays_inside(root, &joined), "{path:?} -> {joined:?}");
            }
        }
    }
}
