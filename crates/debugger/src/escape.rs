//! The one HTML-escaping function every string on a debugger page goes
//! through.

/// `text` safe inside HTML element content and inside quoted attribute
/// values: `&`, `<`, `>`, `"` and `'` become character references; control
/// characters (other than tab and newline) become their visible Unicode
/// control pictures (`␀`, `␛`, `␍`, `␡`) or `�` (C1 controls), so nothing
/// invisible reaches the page.
pub fn html(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#x27;"),
            '\t' | '\n' => out.push(c),
            '\u{0}'..='\u{1f}' => {
                out.push(char::from_u32(0x2400 + c as u32).unwrap_or('\u{fffd}'));
            }
            '\u{7f}' => out.push('\u{2421}'),
            '\u{80}'..='\u{9f}' => out.push('\u{fffd}'),
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::html;

    /// Payloads from the usual XSS cheat sheets: after escaping none may
    /// contain a character that opens a tag, closes an attribute or starts
    /// an entity other than ours.
    const CORPUS: &[&str] = &[
        "<script>alert(1)</script>",
        "\"><script>alert(1)</script>",
        "'><img src=x onerror=alert(1)>",
        "<svg/onload=alert(1)>",
        "<iframe src=javascript:alert(1)>",
        "javascript:alert(1)",
        "<a href=\"javascript:alert(1)\">x</a>",
        "</style><script>alert(1)</script>",
        "</textarea><script>alert(1)</script>",
        "<!--<script>alert(1)</script>-->",
        "<scr\0ipt>alert(1)</scr\0ipt>",
        "&lt;script&gt;",
        "&#x3C;script&#x3E;",
        "<<SCRIPT>alert(1);//<</SCRIPT>",
        "<IMG \"\"\"><SCRIPT>alert(1)</SCRIPT>\">",
        "<body onload=alert(1)>",
        "\u{1b}[31mred\u{1b}[0m",
        "\u{85}\u{2028}",
        "' onmouseover='alert(1)",
        "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    ];

    #[test]
    fn escapes_the_five_and_controls() {
        assert_eq!(html("a&b<c>d\"e'f"), "a&amp;b&lt;c&gt;d&quot;e&#x27;f");
        assert_eq!(
            html("x\0y\u{1b}z\u{7f}\r"),
            "x\u{2400}y\u{241b}z\u{2421}\u{240d}"
        );
        assert_eq!(html("tab\tnew\nline"), "tab\tnew\nline");
        assert_eq!(html("\u{85}"), "\u{fffd}");
        assert_eq!(html("héllo ✓"), "héllo ✓");
        assert_eq!(html(""), "");
    }

    #[test]
    fn xss_corpus_is_inert() {
        for payload in CORPUS {
            let escaped = html(payload);
            assert!(!escaped.contains('<'), "{payload:?} -> {escaped:?}");
            assert!(!escaped.contains('>'), "{payload:?} -> {escaped:?}");
            assert!(!escaped.contains('"'), "{payload:?} -> {escaped:?}");
            assert!(!escaped.contains('\''), "{payload:?} -> {escaped:?}");
            assert!(
                !escaped
                    .chars()
                    .any(|c| c.is_control() && c != '\n' && c != '\t'),
                "{payload:?} -> {escaped:?}"
            );
            // Every `&` starts one of our references.
            for (at, _) in escaped.match_indices('&') {
                let rest = &escaped[at..];
                assert!(
                    ["&amp;", "&lt;", "&gt;", "&quot;", "&#x27;"]
                        .iter()
                        .any(|r| rest.starts_with(r)),
                    "{payload:?} -> {escaped:?}"
                );
            }
        }
    }

    #[test]
    fn escaping_is_reversible_for_the_five() {
        // A light fuzz: every mix of the special characters round-trips.
        let alphabet = ['&', '<', '>', '"', '\'', 'a', ';', '#'];
        for a in alphabet {
            for b in alphabet {
                for c in alphabet {
                    let text: String = [a, b, c].iter().collect();
                    let back = html(&text)
                        .replace("&lt;", "<")
                        .replace("&gt;", ">")
                        .replace("&quot;", "\"")
                        .replace("&#x27;", "'")
                        .replace("&amp;", "&");
                    assert_eq!(back, text);
                }
            }
        }
    }
}
