//! Which rendering an intercepted error gets, by `Accept`.

/// The three renderings.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Format {
    /// The debugger page (`text/html`).
    Html,
    /// RFC 9457 problem+json with a `debug_url`.
    Json,
    /// Plain text.
    Text,
}

/// The format `accept` prefers: the highest `q` among the HTML, JSON and
/// plain-text types named explicitly (wildcards do not pick a page for
/// `curl`'s `*/*`); ties go to HTML, then JSON. Nothing named: text.
pub(crate) fn choose(accept: Option<&str>) -> Format {
    let Some(accept) = accept else {
        return Format::Text;
    };
    let mut best = [0u16; 3]; // html, json, text: q in thousandths
    for item in accept.split(',') {
        let mut parts = item.split(';');
        let media = parts.next().unwrap_or("").trim().to_ascii_lowercase();
        let mut q = 1000u16;
        for param in parts {
            if let Some((name, value)) = param.split_once('=') {
                if name.trim().eq_ignore_ascii_case("q") {
                    q = parse_q(value.trim()).unwrap_or(0);
                }
            }
        }
        let slot = match media.as_str() {
            "text/html" | "application/xhtml+xml" => 0,
            "application/json" | "application/problem+json" => 1,
            "text/plain" => 2,
            _ => continue,
        };
        best[slot] = best[slot].max(q);
    }
    let [html, json, text] = best;
    if html == 0 && json == 0 && text == 0 {
        Format::Text
    } else if html >= json && html >= text {
        Format::Html
    } else if json >= text {
        Format::Json
    } else {
        Format::Text
    }
}

/// `q` as thousandths (`0.8` → 800); `None` when malformed.
fn parse_q(value: &str) -> Option<u16> {
    let q: f32 = value.parse().ok()?;
    (0.0..=1.0)
        .contains(&q)
        .then(|| (q * 1000.0).round() as u16)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn choices() {
        let cases = [
            (None, Format::Text),
            (Some("*/*"), Format::Text),
            (Some(""), Format::Text),
            (
                Some("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"),
                Format::Html,
            ),
            (Some("application/json"), Format::Json),
            (Some("application/problem+json"), Format::Json),
            (Some("text/plain"), Format::Text),
            (Some("text/html;q=0.5, application/json"), Format::Json),
            (Some("text/html;q=0, text/plain"), Format::Text),
            (
                Some("application/json;q=0.9, text/plain;q=0.95"),
                Format::Text,
            ),
            (Some("TEXT/HTML"), Format::Html),
            (
                Some("text/html;q=bogus, application/json;q=0.1"),
                Format::Json,
            ),
        ];
        for (accept, want) in cases {
            assert_eq!(choose(accept), want, "{accept:?}");
        }
    }
}
