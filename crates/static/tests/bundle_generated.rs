//! The generator end to end: `BundleBuilder` runs at test time on
//! `tests/fixtures/bundle/` and writes into cargo's per-target temporary
//! directory; the text is checked, then compared with
//! `tests/fixtures/bundle.generated.rs`, the same text with the absolute
//! paths made relative to `CARGO_MANIFEST_DIR`, which `tests/bundle.rs`
//! compiles and serves from.
//!
//! After an intended change to the generator or the fixtures, rewrite that
//! file with `TACKLE_BLESS=1 cargo test -p tackle-static --test bundle_generated`.

use std::path::{Path, PathBuf};
use std::time::{Duration, UNIX_EPOCH};

use tackle_static::bundle::BundleBuilder;

fn fixture_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/bundle")
}

fn generate() -> String {
    let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join("bundle_generated");
    let written = BundleBuilder::new(fixture_dir())
        .modified(Some(UNIX_EPOCH + Duration::from_secs(1_700_000_000)))
        .write(&out, "fixture")
        .unwrap();
    assert_eq!(written, out.join("fixture.rs"));
    std::fs::read_to_string(written).unwrap()
}

/// The string literals after `key: ` on each line, outer quotes removed
/// but not unescaped (the fixtures' names hold no `"` or `\\`).
fn values<'a>(text: &'a str, key: &str) -> Vec<&'a str> {
    text.lines()
        .filter_map(|line| line.trim().strip_prefix(key))
        .map(|rest| {
            let literal = rest.strip_suffix(',').unwrap_or(rest);
            let literal = literal.strip_prefix('"').unwrap_or(literal);
            literal.strip_suffix('"').unwrap_or(literal)
        })
        .collect()
}

#[test]
fn files_are_sorted_and_absolute() {
    let text = generate();
    assert!(text.contains("pub static FIXTURE: ::tackle_static::bundle::Bundle"));
    assert_eq!(
        values(&text, "path: "),
        [
            "css/site.css",
            "docs/café menu.txt",
            "docs/guides/intro.txt",
            "downloads/notes.txt.gz",
            "img/logo.svg",
            "index.html",
            "js/app.3f2a9c1b.js",
            "misc/README",
        ]
    );
    let root = fixture_dir();
    let included: Vec<&str> = text
        .lines()
        .filter_map(|line| {
            line.trim()
                .strip_prefix("content: ::core::include_bytes!(\"")
        })
        .map(|rest| rest.trim_end_matches("\"),"))
        .collect();
    assert_eq!(included.len(), 10, "8 files and 2 variants");
    for path in included {
        let path = Path::new(path);
        assert!(path.is_absolute() && path.starts_with(&root), "{path:?}");
        assert!(path.is_file(), "{path:?}");
    }
    assert!(!text.contains(".secret"), "dotfiles are skipped");
    assert!(text.contains("::core::option::Option::Some(1700000000),"));
}

#[test]
fn variants_are_attached() {
    let text = generate();
    let css = text.find("path: \"css/site.css\"").unwrap();
    let next = css + text[css..].find("path: \"docs/").unwrap();
    let entry = &text[css..next];
    assert_eq!(values(entry, "coding: "), ["zstd", "gzip"], "{entry}");
    assert!(entry.contains("/css/site.css.zst\"),"));
    assert!(entry.contains("/css/site.css.gz\"),"));
    // Each has its own tag.
    let tags = values(entry, "etag: ");
    assert_eq!(tags.len(), 3);
    assert!(tags[0] != tags[1] && tags[1] != tags[2] && tags[0] != tags[2]);
    for tag in tags {
        let hash = tag
            .strip_prefix("\\\"")
            .and_then(|t| t.strip_suffix("\\\""));
        assert_eq!(hash.map(str::len), Some(22), "{tag}");
    }
    // Only the css file has variants; the orphan `.gz` is a file.
    assert_eq!(values(&text, "coding: ").len(), 2);
    assert_eq!(text.matches("variants: &[],").count(), 7);
}

#[test]
fn content_types() {
    let text = generate();
    assert_eq!(
        values(&text, "content_type: "),
        [
            "text/css; charset=utf-8",
            "text/plain; charset=utf-8",
            "text/plain; charset=utf-8",
            "application/gzip",
            "image/svg+xml; charset=utf-8",
            "text/html; charset=utf-8",
            "text/javascript; charset=utf-8",
            "application/octet-stream",
        ]
    );
}

/// The generated text with `include_bytes!("<fixture dir>/x")` turned into
/// `include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/bundle/x"))`.
fn portable(text: &str) -> String {
    let root = format!("{:?}", fixture_dir().to_str().unwrap());
    let from = format!("::core::include_bytes!({}/", root.trim_end_matches('"'));
    let to = "::core::include_bytes!(::core::concat!(::core::env!(\"CARGO_MANIFEST_DIR\"), \
              \"/tests/fixtures/bundle/";
    let mut out = String::new();
    for line in text.lines() {
        if line.contains(&from) {
            let line = line.replace(&from, to);
            out.push_str(line.strip_suffix("\"),").expect("one include per line"));
            out.push_str("\")),");
        } else {
            out.push_str(line);
        }
        out.push('\n');
    }
    out
}

#[test]
fn matches_the_compiled_copy() {
    let text = portable(&generate());
    let copy = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/bundle.generated.rs");
    if std::env::var_os("TACKLE_BLESS").is_some() {
        std::fs::write(&copy, &text).unwrap();
    }
    let expected = std::fs::read_to_string(&copy).unwrap();
    assert_eq!(
        text, expected,
        "the generator's output changed: rerun with TACKLE_BLESS=1 if intended"
    );
}
