//! Fingerprinted file names: `app.3f2a9c1b.js`, `index-BZh3Q0lx.js`.
//!
//! Bundlers put a hash of the content in the name of each asset they emit,
//! so the URL changes whenever the content does and the old one can be
//! cached forever. This is a heuristic over the name alone, tuned to prefer
//! missing a fingerprint (the rule then does not match, nothing is lost)
//! over seeing one in an ordinary name (which would cache a file that
//! changes for a year).

/// Whether the last segment of `path` carries a content hash.
///
/// The name is cut at its last `.` into stem and extension (a name without
/// `.` is all stem); the stem is split at `.`, `-` and `_` into parts. A
/// part other than the first is a hash when it is
/// - lowercase hex, 8 to 64 characters, with at least one digit and at
///   least one of `a-f` (webpack, Parcel: `app.3f2a9c1b.js`; the digit keeps
///   words like `deadbeef` out and the letter keeps dates like `20240101`
///   out), or
/// - alphanumeric, 8 to 64 characters, with at least one digit, one
///   uppercase and one lowercase letter (Rollup and Vite:
///   `index-BZh3Q0lx.js`).
///
/// A stem that is a single part is checked too, so webpack's bare
/// `[contenthash].js` (`3f2a9c1b.js`) counts. The extension never does
/// (`app.3f2a9c1b` is not fingerprinted).
pub(crate) fn is_fingerprinted(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    let stem = match name.rfind('.') {
        Some(dot) => &name[..dot],
        None => name,
    };
    let mut parts = stem.split(['.', '-', '_']);
    let Some(first) = parts.next() else {
        return false;
    };
    let mut rest = parts.peekable();
    if rest.peek().is_none() {
        return is_hash(first);
    }
    rest.any(is_hash)
}

fn is_hash(part: &str) -> bool {
    if !(8..=64).contains(&part.len()) {
        return false;
    }
    is_hex_hash(part) || is_mixed_case_hash(part)
}

fn is_hex_hash(part: &str) -> bool {
    let bytes = part.as_bytes();
    bytes
        .iter()
        .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(b))
        && bytes.iter().any(u8::is_ascii_digit)
        && bytes.iter().any(u8::is_ascii_lowercase)
}

fn is_mixed_case_hash(part: &str) -> bool {
    let bytes = part.as_bytes();
    bytes.iter().all(u8::is_ascii_alphanumeric)
        && bytes.iter().any(u8::is_ascii_digit)
        && bytes.iter().any(u8::is_ascii_uppercase)
        && bytes.iter().any(u8::is_ascii_lowercase)
}

#[cfg(test)]
mod tests {
    use super::is_fingerprinted;

    #[test]
    fn table() {
        #[rustfmt::skip]
        let cases: &[(&str, bool)] = &[
            ("/app.3f2a9c1b.js", true),
            ("/assets/main.3f2a9c1b4d5e6f70.css", true),
            ("/assets/index-BZh3Q0lx.js", true),
            ("/chunk-5f3e2a1b.mjs", true),
            ("/img/logo.a1b2c3d4.svg", true),
            ("/3f2a9c1b.js", true),
            ("/a_3f2a9c1b_b.js", true),
            ("/index-BZh3Q0lx", true),
            ("/app.js", false),
            ("/jquery-3.7.1.min.js", false),
            ("/report-20240101.pdf", false),
            ("/my-component.js", false),
            ("/favicon.ico", false),
            ("/app.deadbeef.js", false),
            ("/app.3f2a9c1.js", false),
            ("/app.3F2A9C1B.js", false),
            ("/app.3f2a9c1b", false),
            ("/.3f2a9c1b", false),
            ("/3f2a9c1b.js/", false),
            ("/a/app%2E3f2a9c1b.js", false),
            ("", false),
            ("/", false),
            ("/x.3f2a9c1b3f2a9c1b3f2a9c1b3f2a9c1b3f2a9c1b3f2a9c1b3f2a9c1b3f2a9c1b.js", true),
            ("/x.3f2a9c1b3f2a9c1b3f2a9c1b3f2a9c1b3f2a9c1b3f2a9c1b3f2a9c1b3f2a9c1b0.js", false),
            ("/caf\u{e9}1234.js", false),
        ];
        for (path, want) in cases {
            assert_eq!(is_fingerprinted(path), *want, "{path}");
        }
    }
}
