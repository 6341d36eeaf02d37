//! tackle-debugger's one HTML-escaping function, `escape::html`, on
//! arbitrary text (bytes read as UTF-8, lossily).
//!
//! The output never holds `<`, `>`, `"` or `'`, never an `&` that does not
//! start one of `&amp;` `&lt;` `&gt;` `&quot;` `&#x27;`, and no control
//! character other than tab and newline; and undoing those five references
//! gives back the input with its control characters mapped as documented
//! (C0 to the control pictures U+2400.., DEL to U+2421, C1 to U+FFFD).
#![no_main]

use libfuzzer_sys::fuzz_target;
use tackle_debugger::escape;

const REFERENCES: [(&str, char); 5] = [
    ("&amp;", '&'),
    ("&lt;", '<'),
    ("&gt;", '>'),
    ("&quot;", '"'),
    ("&#x27;", '\''),
];

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let escaped = escape::html(&text);

    for forbidden in ['<', '>', '"', '\''] {
        assert!(!escaped.contains(forbidden), "{text:?} -> {escaped:?}");
    }
    assert!(
        !escaped
            .chars()
            .any(|c| c.is_control() && c != '\t' && c != '\n'),
        "{text:?} -> {escaped:?}"
    );
    for (at, _) in escaped.match_indices('&') {
        let rest = &escaped[at..];
        assert!(
            REFERENCES.iter().any(|(r, _)| rest.starts_with(r)),
            "stray & at {at}: {text:?} -> {escaped:?}"
        );
    }

    assert_eq!(
        unescape(&escaped),
        expected(&text),
        "{text:?} -> {escaped:?}"
    );
});

/// The input as the page shows it: control characters (other than tab and
/// newline) replaced by their visible stand-ins.
fn expected(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '\t' | '\n' => c,
            '\u{0}'..='\u{1f}' => char::from_u32(0x2400 + c as u32).unwrap(),
            '\u{7f}' => '\u{2421}',
            '\u{80}'..='\u{9f}' => '\u{fffd}',
            _ => c,
        })
        .collect()
}

/// Undoes the five references, left to right (each `&` starts one, as
/// checked above), so `&amp;lt;` comes back as `&lt;`.
fn unescape(escaped: &str) -> String {
    let mut out = String::with_capacity(escaped.len());
    let mut rest = escaped;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        let (reference, c) = REFERENCES
            .iter()
            .find(|(r, _)| rest.starts_with(r))
            .expect("checked above");
        out.push(*c);
        rest = &rest[reference.len()..];
    }
    out.push_str(rest);
    out
}
