//! The HTML page that lists a directory: names escaped for HTML and
//! percent-encoded in links, directories first, sizes and modification
//! times, a parent link. Self-contained: inline CSS, no script, nothing
//! fetched from elsewhere.

use std::fmt::Write as _;
use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

use percent_encoding::{AsciiSet, CONTROLS, percent_decode_str, utf8_percent_encode};

use crate::disallow::Disallow;

/// What a name is escaped with in a link: everything that is not a plain
/// path character (RFC 3986 `pchar`), plus `:` so that a name like
/// `javascript:x` cannot read as a URL scheme, and `%` so that a name with
/// `%41` in it is not decoded into another name. Non-ASCII is always
/// escaped, as UTF-8.
const NAME: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'&')
    .add(b'\'')
    .add(b'/')
    .add(b':')
    .add(b';')
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

const STYLE: &str = "body{font:15px/1.5 system-ui,sans-serif;margin:2em auto;max-width:60em;padding:0 1em;color:#222;background:#fff}\
h1{font-size:1.3em;font-weight:600;word-break:break-all}\
table{border-collapse:collapse;width:100%}\
th,td{padding:.25em .75em;text-align:left;border-bottom:1px solid #e4e4e4}\
th{font-weight:600;color:#555}\
td.s,th.s{text-align:right;white-space:nowrap}\
td.m,th.m{white-space:nowrap;font-variant-numeric:tabular-nums}\
a{color:#0645ad;text-decoration:none;word-break:break-all}\
a:hover{text-decoration:underline}\
@media(prefers-color-scheme:dark){body{color:#ddd;background:#161616}th{color:#aaa}th,td{border-color:#333}a{color:#8ab4f8}}";

/// One entry of a directory.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ListingEntry {
    /// The file name (one segment, decoded).
    pub(crate) name: String,
    /// Whether it is a directory (after following a symbolic link).
    pub(crate) is_dir: bool,
    /// Its length in bytes (not shown for directories).
    pub(crate) size: u64,
    /// When it was last modified, if the platform says.
    pub(crate) modified: Option<SystemTime>,
}

/// Blocking: the entries of `dir` (std::fs), skipping names `disallow`
/// refuses (checked as `relative_dir` + name, `relative_dir` being the
/// decoded path of `dir` below the root, `""` for the root, with or without
/// a trailing `/`), names that are not UTF-8, and entries whose metadata
/// cannot be read (such as a dangling symbolic link). A symbolic link is
/// reported as what it points to. Unsorted: [`render`] sorts.
pub(crate) fn read_dir(
    dir: &Path,
    relative_dir: &str,
    disallow: &Disallow,
) -> std::io::Result<Vec<ListingEntry>> {
    let prefix = relative_dir.strip_suffix('/').unwrap_or(relative_dir);
    let mut relative = String::with_capacity(prefix.len() + 32);
    let mut entries = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let Ok(entry) = entry else { continue };
        let Ok(name) = entry.file_name().into_string() else {
            continue;
        };
        relative.clear();
        if !prefix.is_empty() {
            relative.push_str(prefix);
            relative.push('/');
        }
        relative.push_str(&name);
        if disallow.is_disallowed(&relative) {
            continue;
        }
        // `fs::metadata` follows symbolic links, `DirEntry::metadata` does not.
        let Ok(metadata) = std::fs::metadata(entry.path()) else {
            continue;
        };
        entries.push(ListingEntry {
            name,
            is_dir: metadata.is_dir(),
            size: if metadata.is_dir() { 0 } else { metadata.len() },
            modified: metadata.modified().ok(),
        });
    }
    Ok(entries)
}

/// The page listing a directory.
///
/// `url_path` is the directory's path as the client sent it (percent-encoded,
/// mount prefix included, ending in `/`); the title shows it decoded. Links
/// are relative (`name`, `name/`, `../`), so they do not depend on it. A
/// parent link `../` is shown unless `is_root` (the mount root). Entries are
/// sorted directories first, then by name in byte order; sizes are shown in
/// B, KiB, MiB or GiB, times in UTC as `2026-11-21 17:20`, and `-` where
/// unknown.
pub(crate) fn render(url_path: &str, is_root: bool, mut entries: Vec<ListingEntry>) -> String {
    entries.sort_unstable_by(|a, b| {
        b.is_dir
            .cmp(&a.is_dir)
            .then_with(|| a.name.as_bytes().cmp(b.name.as_bytes()))
    });
    let title = percent_decode_str(url_path).decode_utf8_lossy();
    let mut html = String::with_capacity(1024 + entries.len() * 160);
    html.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    html.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    html.push_str("<meta name=\"referrer\" content=\"no-referrer\">\n<title>Index of ");
    escape_into(&mut html, &title);
    html.push_str("</title>\n<style>");
    html.push_str(STYLE);
    html.push_str("</style>\n</head>\n<body>\n<h1>Index of ");
    escape_into(&mut html, &title);
    html.push_str("</h1>\n<table>\n<thead><tr><th>Name</th><th class=\"s\">Size</th><th class=\"m\">Modified (UTC)</th></tr></thead>\n<tbody>\n");
    if !is_root {
        html.push_str(
            "<tr><td><a href=\"../\">../</a></td><td class=\"s\">-</td><td class=\"m\">-</td></tr>\n",
        );
    }
    for entry in &entries {
        html.push_str("<tr><td><a href=\"");
        // The encoded name has no `"`, `<`, `>`, `&` or `'` left, so it is
        // safe in the attribute as it is.
        for piece in utf8_percent_encode(&entry.name, NAME) {
            html.push_str(piece);
        }
        if entry.is_dir {
            html.push('/');
        }
        html.push_str("\">");
        escape_into(&mut html, &entry.name);
        if entry.is_dir {
            html.push('/');
        }
        html.push_str("</a></td><td class=\"s\">");
        if entry.is_dir {
            html.push('-');
        } else {
            push_size(&mut html, entry.size);
        }
        html.push_str("</td><td class=\"m\">");
        match entry.modified.and_then(unix_seconds) {
            Some(seconds) => push_time(&mut html, seconds),
            None => html.push('-'),
        }
        html.push_str("</td></tr>\n");
    }
    html.push_str("</tbody>\n</table>\n</body>\n</html>\n");
    html
}

/// Appends `text` with the five HTML-significant characters escaped, safe
/// in element content and in quoted attributes.
fn escape_into(out: &mut String, text: &str) {
    let mut rest = text;
    while let Some(i) = rest.find(['&', '<', '>', '"', '\'']) {
        out.push_str(&rest[..i]);
        out.push_str(match rest.as_bytes()[i] {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            _ => "&#39;",
        });
        rest = &rest[i + 1..];
    }
    out.push_str(rest);
}

/// `512 B`, `1.5 KiB`, `3.0 MiB`, `2.1 GiB`: one decimal from KiB on,
/// rounded to nearest.
fn push_size(out: &mut String, size: u64) {
    const UNITS: [&str; 4] = ["KiB", "MiB", "GiB", "TiB"];
    if size < 1024 {
        let _ = write!(out, "{size} B");
        return;
    }
    // Tenths of the unit, in integers so that the rounding is exact; move
    // up a unit when the value would round to 1024.0 or more.
    let mut unit = 0;
    let mut divisor: u128 = 1024;
    let mut tenths = (u128::from(size) * 10 + divisor / 2) / divisor;
    while tenths >= 10240 && unit + 1 < UNITS.len() {
        unit += 1;
        divisor *= 1024;
        tenths = (u128::from(size) * 10 + divisor / 2) / divisor;
    }
    let _ = write!(out, "{}.{} {}", tenths / 10, tenths % 10, UNITS[unit]);
}

/// Whole seconds since the Unix epoch (negative before it).
fn unix_seconds(time: SystemTime) -> Option<i64> {
    match time.duration_since(UNIX_EPOCH) {
        Ok(after) => i64::try_from(after.as_secs()).ok(),
        Err(before) => {
            let d = before.duration();
            // 1969-12-31 23:59:59.5 is still in minute 23:59.
            let seconds = i64::try_from(d.as_secs()).ok()? + i64::from(d.subsec_nanos() > 0);
            Some(-seconds)
        }
    }
}

/// Appends `YYYY-MM-DD HH:MM` (UTC) for `seconds` since the epoch.
fn push_time(out: &mut String, seconds: i64) {
    let days = seconds.div_euclid(86_400);
    let of_day = seconds.rem_euclid(86_400);
    let (year, month, day) = civil_from_days(days);
    let _ = write!(
        out,
        "{year:04}-{month:02}-{day:02} {:02}:{:02}",
        of_day / 3600,
        of_day % 3600 / 60
    );
}

/// The proleptic Gregorian date of a day count from 1970-01-01 (Howard
/// Hinnant's `civil_from_days`, chrono-compatible algorithms).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097); // [0, 146096]
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365; // [0, 399]
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100); // [0, 365]
    let mp = (5 * doy + 2) / 153; // [0, 11], March = 0
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn file(name: &str, size: u64) -> ListingEntry {
        ListingEntry {
            name: name.into(),
            is_dir: false,
            size,
            modified: None,
        }
    }

    fn dir(name: &str) -> ListingEntry {
        ListingEntry {
            name: name.into(),
            is_dir: true,
            size: 0,
            modified: None,
        }
    }

    fn at(seconds: i64) -> SystemTime {
        if seconds >= 0 {
            UNIX_EPOCH + Duration::from_secs(seconds as u64)
        } else {
            UNIX_EPOCH - Duration::from_secs(seconds.unsigned_abs())
        }
    }

    fn time(seconds: i64) -> String {
        let mut out = String::new();
        push_time(&mut out, seconds);
        out
    }

    fn size(bytes: u64) -> String {
        let mut out = String::new();
        push_size(&mut out, bytes);
        out
    }

    /// The hrefs of the page, in order.
    fn hrefs(html: &str) -> Vec<&str> {
        html.split("<a href=\"")
            .skip(1)
            .map(|rest| &rest[..rest.find('"').unwrap()])
            .collect()
    }

    #[test]
    fn names_are_escaped_and_encoded() {
        let cases: &[(&str, &str, &str)] = &[
            (
                "<script>alert(1)</script>",
                "%3Cscript%3Ealert(1)%3C%2Fscript%3E",
                "&lt;script&gt;alert(1)&lt;/script&gt;",
            ),
            ("a\"b", "a%22b", "a&quot;b"),
            ("a&b", "a%26b", "a&amp;b"),
            ("a'b", "a%27b", "a&#39;b"),
            ("%41", "%2541", "%41"),
            ("ü", "%C3%BC", "ü"),
            ("日本.txt", "%E6%97%A5%E6%9C%AC.txt", "日本.txt"),
            ("a b#c?d", "a%20b%23c%3Fd", "a b#c?d"),
            (
                "javascript:alert(1)",
                "javascript%3Aalert(1)",
                "javascript:alert(1)",
            ),
            ("back\\slash", "back%5Cslash", "back\\slash"),
            ("tab\there", "tab%09here", "tab\there"),
            ("plain-name_1.2~x", "plain-name_1.2~x", "plain-name_1.2~x"),
        ];
        for &(name, href, text) in cases {
            let html = render("/", true, vec![file(name, 1)]);
            let want = format!("<a href=\"{href}\">{text}</a>");
            assert!(html.contains(&want), "{name:?}: no {want:?} in\n{html}");
            let html = render("/", true, vec![dir(name)]);
            let want = format!("<a href=\"{href}/\">{text}/</a>");
            assert!(html.contains(&want), "{name:?}: no {want:?} in\n{html}");
            assert!(!html.contains("<script>"));
        }
    }

    #[test]
    fn title_is_decoded_and_escaped() {
        let html = render("/files/%3Cb%3E%20x%C3%BC/", false, vec![]);
        assert!(
            html.contains("<title>Index of /files/&lt;b&gt; xü/</title>"),
            "{html}"
        );
        assert!(
            html.contains("<h1>Index of /files/&lt;b&gt; xü/</h1>"),
            "{html}"
        );
        let html = render("/%FF/", false, vec![]);
        assert!(
            html.contains("<title>Index of /\u{FFFD}/</title>"),
            "{html}"
        );
    }

    #[test]
    fn page_is_self_contained() {
        let html = render("/", true, vec![file("a", 1)]);
        assert!(html.starts_with("<!DOCTYPE html>"));
        assert!(html.contains("<meta charset=\"utf-8\">"));
        assert!(html.contains("<style>"));
        for forbidden in ["<script", "src=", "http:", "https:", "@import", "url("] {
            assert!(!html.contains(forbidden), "{forbidden}");
        }
    }

    #[test]
    fn directories_first_then_bytes_order() {
        let entries = vec![
            file("b.txt", 1),
            dir("zeta"),
            file("B.txt", 1),
            file("a.txt", 1),
            dir("Alpha"),
            file("ü", 1),
            file("z", 1),
            dir("alpha"),
        ];
        let html = render("/", true, entries);
        assert_eq!(
            hrefs(&html),
            [
                "Alpha/", "alpha/", "zeta/", "B.txt", "a.txt", "b.txt", "z", "%C3%BC"
            ]
        );
    }

    #[test]
    fn parent_link_unless_root() {
        let html = render("/static/docs/", false, vec![file("a", 1)]);
        assert_eq!(hrefs(&html), ["../", "a"]);
        let html = render("/static/", true, vec![file("a", 1)]);
        assert_eq!(hrefs(&html), ["a"]);
        let html = render("/", true, vec![]);
        assert!(hrefs(&html).is_empty());
        assert!(html.contains("<tbody>\n</tbody>"));
    }

    #[test]
    fn sizes() {
        let cases: &[(u64, &str)] = &[
            (0, "0 B"),
            (1, "1 B"),
            (1023, "1023 B"),
            (1024, "1.0 KiB"),
            (1536, "1.5 KiB"),
            (1587, "1.5 KiB"),
            (1588, "1.6 KiB"),
            (10 * 1024, "10.0 KiB"),
            (1024 * 1024 - 52, "1023.9 KiB"),
            (1024 * 1024 - 51, "1.0 MiB"),
            (1024 * 1024, "1.0 MiB"),
            (5 * 1024 * 1024 + 512 * 1024, "5.5 MiB"),
            (1024 * 1024 * 1024, "1.0 GiB"),
            (3 * 1024 * 1024 * 1024 * 1024, "3.0 TiB"),
            (u64::MAX, "16777216.0 TiB"),
        ];
        for &(bytes, want) in cases {
            assert_eq!(size(bytes), want, "{bytes}");
        }
        let html = render("/", true, vec![file("f", 2048), dir("d")]);
        assert!(html.contains("d/</a></td><td class=\"s\">-</td>"), "{html}");
        assert!(
            html.contains("f</a></td><td class=\"s\">2.0 KiB</td>"),
            "{html}"
        );
    }

    #[test]
    fn dates() {
        let cases: &[(i64, &str)] = &[
            (0, "1970-01-01 00:00"),
            (59, "1970-01-01 00:00"),
            (60, "1970-01-01 00:01"),
            (86_399, "1970-01-01 23:59"),
            (86_400, "1970-01-02 00:00"),
            (951_782_400, "2000-02-29 00:00"),
            (951_868_800, "2000-03-01 00:00"),
            (1_000_000_000, "2001-09-09 01:46"),
            (1_234_567_890, "2009-02-13 23:31"),
            (1_709_164_800, "2024-02-29 00:00"),
            (1_735_689_599, "2024-12-31 23:59"),
            (1_735_689_600, "2025-01-01 00:00"),
            (1_795_281_600, "2026-11-21 17:20"),
            (2_147_483_647, "2038-01-19 03:14"),
            (4_107_542_400, "2100-03-01 00:00"),
            (253_402_300_799, "9999-12-31 23:59"),
            (-1, "1969-12-31 23:59"),
            (-86_400, "1969-12-31 00:00"),
            (-2_208_988_800, "1900-01-01 00:00"),
        ];
        for &(seconds, want) in cases {
            assert_eq!(time(seconds), want, "{seconds}");
        }
        // Through SystemTime, as `render` sees it.
        assert_eq!(unix_seconds(at(1_795_281_600)), Some(1_795_281_600));
        assert_eq!(unix_seconds(at(-1)), Some(-1));
        let half_before = UNIX_EPOCH - Duration::from_millis(500);
        assert_eq!(unix_seconds(half_before), Some(-1));
        let mut entry = file("f", 1);
        entry.modified = Some(at(1_795_281_600) + Duration::from_millis(999));
        let html = render("/", true, vec![entry, file("g", 1)]);
        assert!(
            html.contains("<td class=\"m\">2026-11-21 17:20</td>"),
            "{html}"
        );
        assert!(
            html.contains("g</a></td><td class=\"s\">1 B</td><td class=\"m\">-</td>"),
            "{html}"
        );
    }

    #[test]
    fn read_dir_skips_disallowed_and_follows_links() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        std::fs::create_dir(root.join("sub")).unwrap();
        std::fs::write(root.join("sub/a.txt"), "hello").unwrap();
        std::fs::write(root.join("sub/.env"), "x").unwrap();
        std::fs::write(root.join("sub/app.js.map"), "x").unwrap();
        std::fs::create_dir(root.join("sub/inner")).unwrap();
        std::fs::create_dir(root.join("sub/secret")).unwrap();
        std::fs::create_dir(root.join("target")).unwrap();
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(root.join("target"), root.join("sub/link-dir")).unwrap();
            std::os::unix::fs::symlink(root.join("sub/a.txt"), root.join("sub/link-file")).unwrap();
            std::os::unix::fs::symlink(root.join("missing"), root.join("sub/dangling")).unwrap();
        }
        let mut disallow = Disallow::dotfiles();
        disallow.try_add("*.map").unwrap();
        disallow.try_add("sub/secret").unwrap();
        for relative in ["sub", "sub/"] {
            let mut entries = read_dir(&root.join("sub"), relative, &disallow).unwrap();
            entries.sort_by(|a, b| a.name.cmp(&b.name));
            let got: Vec<(&str, bool, u64)> = entries
                .iter()
                .map(|e| (e.name.as_str(), e.is_dir, e.size))
                .collect();
            let mut want = vec![("a.txt", false, 5), ("inner", true, 0)];
            if cfg!(unix) {
                want.extend([("link-dir", true, 0), ("link-file", false, 5)]);
            }
            want.sort();
            assert_eq!(got, want);
            assert!(entries.iter().all(|e| e.modified.is_some()));
        }
        // Relative to the root: `sub/secret` is not `secret` at the top.
        std::fs::create_dir(root.join("secret")).unwrap();
        let entries = read_dir(root, "", &disallow).unwrap();
        assert!(entries.iter().any(|e| e.name == "secret"));
        assert!(read_dir(&root.join("nope"), "nope", &disallow).is_err());
    }

    #[cfg(unix)]
    #[test]
    fn read_dir_skips_names_that_are_not_utf8() {
        use std::os::unix::ffi::OsStrExt;
        let tmp = tempfile::tempdir().unwrap();
        let bad = std::ffi::OsStr::from_bytes(b"bad\xff.txt");
        if std::fs::write(tmp.path().join(bad), "x").is_err() {
            // Some file systems refuse such names; nothing to list then.
            return;
        }
        std::fs::write(tmp.path().join("good.txt"), "x").unwrap();
        let entries = read_dir(tmp.path(), "", &Disallow::none()).unwrap();
        let names: Vec<&str> = entries.iter().map(|e| e.name.as_str()).collect();
        assert_eq!(names, ["good.txt"]);
    }
}
