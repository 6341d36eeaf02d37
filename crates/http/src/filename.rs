//! Making the file name of an upload (the `filename` parameter of a
//! `multipart/form-data` part, RFC 7578 §4.2) safe to store, in the manner of
//! Werkzeug's `secure_filename`.
//!
//! RFC 7578 §4.2 warns that the name is client-chosen and may hold paths,
//! so it must never reach the filesystem as sent.

use crate::safe_join::is_windows_device_name;

/// The longest name [`secure_filename`] returns, in bytes: the name limit of
/// common filesystems (ext4, NTFS, APFS).
pub const MAX_FILENAME_LEN: usize = 255;

/// The longest extension [`secure_filename`] keeps when it shortens a name.
const MAX_KEPT_EXTENSION: usize = 32;

/// Turns a client-supplied file name into one safe to store, or `None` when
/// nothing usable is left (the caller then picks a name of its own).
///
/// The result matches `^[A-Za-z0-9._-]+$`, is not `.` or `..`, does not start
/// with `.`, `_` or `-` (no hidden files, no names read as command-line
/// options) unless it is a device name escaped with `_`, does not end with
/// `.` or `_`, and is at most [`MAX_FILENAME_LEN`] bytes. Steps:
///
/// 1. Directory parts are removed, at both `/` and `\` (old browsers sent
///    `C:\Users\me\photo.jpg`): `../../../etc/passwd` gives `passwd`
///    (Werkzeug joins the parts instead, giving `etc_passwd`).
/// 2. Latin letters with accents become plain ASCII (`ü` → `u`, `ß` → `ss`,
///    `Æ` → `AE`), from a table covering Latin-1, Latin Extended-A, the
///    fullwidth ASCII forms and superscript digits; separator lookalikes
///    such as the fullwidth `／` and `＼` become `_`; any other non-ASCII
///    character is dropped. (Werkzeug uses Unicode NFKD, which this crate
///    does without to avoid a dependency; the table covers the same Latin
///    letters and more.)
/// 3. Runs of whitespace become one `_`; other characters outside
///    `[A-Za-z0-9._-]` are dropped.
/// 4. Leading `.`, `_` and `-` and trailing `.` and `_` are removed.
/// 5. Windows device names (`CON`, `nul.txt`, `COM1.tar.gz`, any case) get a
///    leading `_`, on every operating system.
/// 6. A name over 255 bytes is shortened, keeping an extension of up to 32
///    bytes.
///
/// ```
/// use tackle_http::secure_filename;
///
/// assert_eq!(secure_filename("My cool movie.mov").as_deref(), Some("My_cool_movie.mov"));
/// assert_eq!(secure_filename("C:\\Users\\me\\résumé.pdf").as_deref(), Some("resume.pdf"));
/// assert_eq!(secure_filename("con.txt").as_deref(), Some("_con.txt"));
/// assert_eq!(secure_filename("../.."), None);
/// ```
pub fn secure_filename(name: &str) -> Option<String> {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let mut out = String::with_capacity(base.len().min(MAX_FILENAME_LEN * 2));
    let mut seen_text = false;
    let mut pending_space = false;
    for c in base.chars() {
        if c.is_whitespace() {
            pending_space = seen_text;
            continue;
        }
        if pending_space {
            out.push('_');
            pending_space = false;
        }
        seen_text = true;
        if c.is_ascii() {
            if is_kept(c) {
                out.push(c);
            }
        } else if let Some(folded) = fold_to_ascii(c) {
            out.extend(folded.chars().filter(|&c| is_kept(c)));
        }
    }
    let trimmed = out
        .trim_start_matches(['.', '_', '-'])
        .trim_end_matches(['.', '_']);
    if trimmed.is_empty() {
        return None;
    }
    let mut name = if is_windows_device_name(trimmed) {
        format!("_{trimmed}")
    } else {
        trimmed.to_string()
    };
    shorten(&mut name);
    Some(name)
}

fn is_kept(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-')
}

/// Shortens an ASCII name to [`MAX_FILENAME_LEN`] bytes, keeping a short
/// extension, and removes any `.` or `_` the cut leaves at the end.
fn shorten(name: &mut String) {
    if name.len() <= MAX_FILENAME_LEN {
        return;
    }
    let extension = name
        .rfind('.')
        .filter(|&dot| dot > 0 && name.len() - dot <= MAX_KEPT_EXTENSION)
        .map(|dot| name.split_off(dot));
    let ext_len = extension.as_ref().map_or(0, String::len);
    name.truncate(MAX_FILENAME_LEN - ext_len);
    match extension {
        Some(ext) => name.push_str(&ext),
        None => {
            let end = name.trim_end_matches(['.', '_']).len();
            name.truncate(end);
        }
    }
}

/// The ASCII spelling of a character for a file name, shared by
/// [`secure_filename`] and the ASCII `filename` fallback of
/// `Content-Disposition`; `None` when there is none (drop the character).
///
/// - Latin letters with diacritics (Latin-1 and Latin Extended-A) lose them,
///   ligatures and special letters are spelled out (`Æ` → `AE`, `ß` → `ss`,
///   `þ` → `th`, `Ĳ` → `IJ`); `×` and `÷` give `""`.
/// - Superscript digits and the ordinal indicators give digits and letters
///   (`²` → `2`, `º` → `o`).
/// - Fullwidth ASCII forms (U+FF01–U+FF5E) give their ASCII twin.
/// - No-break and ideographic spaces give a space.
/// - Path-separator lookalikes (fullwidth `／` and `＼`, the fraction, division
///   and big solidus, the small reverse solidus and set minus) give `_`: a
///   folded name never gains a `/` or `\`, so it cannot name a directory.
pub(crate) fn fold_to_ascii(c: char) -> Option<&'static str> {
    const LATIN_1: [&str; 64] = [
        "A", "A", "A", "A", "A", "A", "AE", "C", "E", "E", "E", "E", "I", "I", "I",
        "I", // U+00C0
        "D", "N", "O", "O", "O", "O", "O", "", "O", "U", "U", "U", "U", "Y", "TH",
        "ss", // U+00D0
        "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i",
        "i", // U+00E0
        "d", "n", "o", "o", "o", "o", "o", "", "o", "u", "u", "u", "u", "y", "th",
        "y", // U+00F0
    ];
    // Latin Extended-A, U+0100–U+017F, as the base letter of each pair.
    const LATIN_EXT_A: [&str; 128] = [
        "A", "a", "A", "a", "A", "a", "C", "c", "C", "c", "C", "c", "C", "c", "D",
        "d", // U+0100
        "D", "d", "E", "e", "E", "e", "E", "e", "E", "e", "E", "e", "G", "g", "G",
        "g", // U+0110
        "G", "g", "G", "g", "H", "h", "H", "h", "I", "i", "I", "i", "I", "i", "I",
        "i", // U+0120
        "I", "i", "IJ", "ij", "J", "j", "K", "k", "k", "L", "l", "L", "l", "L", "l",
        "L", // U+0130
        "l", "L", "l", "N", "n", "N", "n", "N", "n", "n", "N", "n", "O", "o", "O",
        "o", // U+0140
        "O", "o", "OE", "oe", "R", "r", "R", "r", "R", "r", "S", "s", "S", "s", "S",
        "s", // U+0150
        "S", "s", "T", "t", "T", "t", "T", "t", "U", "u", "U", "u", "U", "u", "U",
        "u", // U+0160
        "U", "u", "U", "u", "W", "w", "Y", "y", "Y", "Z", "z", "Z", "z", "Z", "z",
        "s", // U+0170
    ];
    let code = u32::from(c);
    let index = |start: u32| usize::try_from(code - start).ok();
    match c {
        '\u{ff0f}' | '\u{ff3c}' | '\u{2044}' | '\u{2215}' | '\u{2216}' | '\u{29f8}'
        | '\u{29f9}' | '\u{fe68}' => Some("_"),
        '\u{a0}' | '\u{3000}' => Some(" "),
        '\u{c0}'..='\u{ff}' => index(0xC0).and_then(|i| LATIN_1.get(i)).copied(),
        '\u{100}'..='\u{17f}' => index(0x100).and_then(|i| LATIN_EXT_A.get(i)).copied(),
        '\u{b2}' => Some("2"),
        '\u{b3}' => Some("3"),
        '\u{b9}' => Some("1"),
        '\u{aa}' => Some("a"),
        '\u{ba}' => Some("o"),
        // Fullwidth `！` to `～` sit at a fixed offset from `!` to `~`.
        '\u{ff01}'..='\u{ff5e}' => printable_ascii(code - 0xFEE0),
        _ => None,
    }
}

/// The static one-character string for a printable ASCII code.
fn printable_ascii(code: u32) -> Option<&'static str> {
    const PRINTABLE: &str = "!\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~";
    let i = usize::try_from(code.checked_sub(u32::from(b'!'))?).ok()?;
    PRINTABLE.get(i..i + 1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn secure_filename_table() {
        let cases: &[(&str, Option<&str>)] = &[
            // Werkzeug tests/test_utils.py (directory parts removed, not joined).
            ("My cool movie.mov", Some("My_cool_movie.mov")),
            ("../../../etc/passwd", Some("passwd")),
            (
                "i contain cool \u{fc}ml\u{e4}uts.txt",
                Some("i_contain_cool_umlauts.txt"),
            ),
            ("__filename__", Some("filename")),
            ("foo$&^*)bar", Some("foobar")),
            // Directories, both separators.
            ("C:\\Users\\me\\photo.jpg", Some("photo.jpg")),
            ("dir/sub\\file.txt", Some("file.txt")),
            ("C:photo.jpg", Some("Cphoto.jpg")),
            ("uploads/", None),
            // Nothing usable left.
            ("", None),
            (".", None),
            ("..", None),
            ("...", None),
            ("../..", None),
            ("._-", None),
            ("   ", None),
            ("\u{65e5}\u{672c}", None),
            // Dots, underscores, dashes at the ends.
            (".bashrc", Some("bashrc")),
            (".htaccess", Some("htaccess")),
            ("file.", Some("file")),
            ("file.txt...", Some("file.txt")),
            ("-rf", Some("rf")),
            ("--help.txt", Some("help.txt")),
            ("a-", Some("a-")),
            ("\u{65e5}\u{672c}\u{8a9e}.txt", Some("txt")),
            // Whitespace.
            ("  spaced  out  ", Some("spaced_out")),
            ("a\tb\nc\u{a0}d\u{3000}e", Some("a_b_c_d_e")),
            ("a & b", Some("a__b")),
            // Transliteration.
            ("r\u{e9}sum\u{e9}.pdf", Some("resume.pdf")),
            ("Stra\u{df}e.txt", Some("Strasse.txt")),
            ("\u{c6}r\u{f8}sk\u{f8}bing", Some("AEroskobing")),
            ("\u{141}\u{f3}d\u{17a}.png", Some("Lodz.png")),
            ("\u{152}uvre \u{fe}orn", Some("OEuvre_thorn")),
            ("\u{130}stanbul \u{131}\u{11f}", Some("Istanbul_ig")),
            ("\u{ff21}\u{ff42}\u{ff13}\u{ff0e}txt", Some("Ab3.txt")),
            ("\u{ff0e}\u{ff0e}\u{ff0f}etc", Some("etc")),
            // Separator lookalikes become `_`, never a directory boundary.
            ("a\u{ff0f}b\u{ff3c}c\u{2215}d.txt", Some("a_b_c_d.txt")),
            ("..\u{ff0f}..\u{ff0f}run.sh", Some("run.sh")),
            ("\u{ff01}\u{ff04}x\u{ff05}", Some("x")),
            ("x\u{b2}\u{b3}\u{b9}", Some("x231")),
            ("caf\u{e9}\u{301}", Some("cafe")),
            ("\u{444}\u{430}\u{439}\u{43b}.txt", Some("txt")),
            ("\u{1f600}.png", Some("png")),
            // Injection attempts.
            ("file.txt\u{0}.png", Some("file.txt.png")),
            ("file.txt%00.png", Some("file.txt00.png")),
            ("a\r\nContent-Type: x", Some("a_Content-Type_x")),
            ("<script>.html", Some("script.html")),
            ("file.txt::$DATA", Some("file.txtDATA")),
            // Windows device names.
            ("CON", Some("_CON")),
            ("con.txt", Some("_con.txt")),
            ("Nul.tar.gz", Some("_Nul.tar.gz")),
            ("LPT9.log", Some("_LPT9.log")),
            ("com1", Some("_com1")),
            ("com\u{b9}.txt", Some("_com1.txt")),
            ("AUX ", Some("_AUX")),
            ("_PRN_", Some("_PRN")),
            ("COM10", Some("COM10")),
            ("CONSOLE.txt", Some("CONSOLE.txt")),
            ("CONIN$", Some("CONIN")),
        ];
        for (input, want) in cases {
            assert_eq!(secure_filename(input).as_deref(), *want, "{input:?}");
        }
    }

    #[test]
    fn long_names_are_shortened() {
        let long = format!("{}.txt", "a".repeat(300));
        let got = secure_filename(&long).unwrap();
        assert_eq!(got.len(), MAX_FILENAME_LEN);
        assert!(got.ends_with("aaa.txt"));

        let long_ext = format!("a.{}", "b".repeat(300));
        let got = secure_filename(&long_ext).unwrap();
        assert_eq!(got.len(), MAX_FILENAME_LEN);
        assert!(got.starts_with("a.bbb"));

        let dotted = format!("{}.{}", "a".repeat(254), "b".repeat(40));
        assert_eq!(secure_filename(&dotted).unwrap(), "a".repeat(254));

        let device = format!("con.{}", "x".repeat(300));
        let got = secure_filename(&device).unwrap();
        assert_eq!(got.len(), MAX_FILENAME_LEN);
        assert!(got.starts_with("_con.x"));

        let exactly = "a".repeat(MAX_FILENAME_LEN);
        assert_eq!(secure_filename(&exactly).unwrap(), exactly);
    }

    #[test]
    fn fold_table() {
        let cases: &[(char, Option<&str>)] = &[
            ('\u{c6}', Some("AE")),
            ('\u{df}', Some("ss")),
            ('\u{fe}', Some("th")),
            ('\u{ff}', Some("y")),
            ('\u{d7}', Some("")),
            ('\u{132}', Some("IJ")),
            ('\u{153}', Some("oe")),
            ('\u{17f}', Some("s")),
            ('\u{b2}', Some("2")),
            ('\u{ba}', Some("o")),
            ('\u{a0}', Some(" ")),
            ('\u{3000}', Some(" ")),
            ('\u{ff21}', Some("A")),
            ('\u{ff5a}', Some("z")),
            ('\u{ff10}', Some("0")),
            ('\u{ff01}', Some("!")),
            ('\u{ff5e}', Some("~")),
            ('\u{ff0e}', Some(".")),
            ('\u{ff3f}', Some("_")),
            // Separators never fold to `/` or `\`.
            ('\u{ff0f}', Some("_")),
            ('\u{ff3c}', Some("_")),
            ('\u{2044}', Some("_")),
            ('\u{2215}', Some("_")),
            ('\u{fe68}', Some("_")),
            ('\u{ff00}', None),
            ('\u{ff5f}', None),
            ('\u{180}', None),
            ('\u{444}', None),
        ];
        for &(c, want) in cases {
            assert_eq!(fold_to_ascii(c), want, "{c:?}");
        }
        for c in ('\u{80}'..='\u{17f}')
            .chain('\u{2000}'..='\u{2fff}')
            .chain('\u{fe00}'..='\u{ffef}')
        {
            if let Some(folded) = fold_to_ascii(c) {
                assert!(
                    folded
                        .bytes()
                        .all(|b| matches!(b, b' '..=b'~') && b != b'/' && b != b'\\'),
                    "{c:?} -> {folded:?}"
                );
            }
        }
    }

    proptest! {
        #[test]
        fn output_is_safe(name in "\\PC{0,40}") {
            if let Some(safe) = secure_filename(&name) {
                prop_assert!(!safe.is_empty() && safe.len() <= MAX_FILENAME_LEN);
                prop_assert!(safe.chars().all(is_kept), "{safe:?}");
                prop_assert!(safe != "." && safe != "..");
                prop_assert!(!safe.ends_with('.'));
                prop_assert!(!safe.starts_with(['.', '-']));
                prop_assert!(!is_windows_device_name(&safe) || safe.starts_with('_'));
            }
        }

        #[test]
        fn output_is_stable(name in "\\PC{0,40}") {
            if let Some(safe) = secure_filename(&name) {
                prop_assert_eq!(secure_filename(&safe), Some(safe));
            }
        }
    }
}
