//! Which rendering an intercepted error gets, by `Accept`.

use tackle_http::{Accept, Quality};

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
    let Some(accept) = accept.and_then(|a| a.parse::<Accept>().ok()) else {
        return Format::Text;
    };
    let mut best = [Quality::ZERO; 3]; // html, json, text
    for range in accept.iter().filter(|range| !range.is_wildcard()) {
        let slot = match range.essence() {
            "text/html" | "application/xhtml+xml" => 0,
            "application/json" | "application/problem+json" => 1,
            "text/plain" => 2,
            _ => continue,
        };
        best[slot] = best[slot].max(range.quality());
    }
    let [html, json, text] = best;
    if html == Quality::ZERO && json == Quality::ZERO && text == Quality::ZERO {
        Format::Text
    } else if html >= json && html >= text {
        Format::Html
    } else if json >= text {
        Format::Json
    } else {
        Format::Text
    }
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
