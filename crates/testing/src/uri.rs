//! Request targets: completing the URIs tests write (`/path`) into absolute
//! ones, and resolving a `Location` against the request URI (RFC 3986
//! section 5.2, with the dot-segment removal of section 5.2.4).

use http::Uri;

/// The host of a request whose URI names none.
pub const DEFAULT_HOST: &str = "localhost";

/// `uri` as an absolute URI: a path (`/search?q=1`) gets `http://localhost`.
///
/// # Panics
///
/// When `uri` is not a valid URI, naming it: a test wrote it.
pub(crate) fn absolute(uri: &str) -> Uri {
    let parsed: Uri = uri
        .parse()
        .unwrap_or_else(|err| panic!("tackle-testing: invalid request URI {uri:?}: {err}"));
    if parsed.scheme().is_some() && parsed.authority().is_some() {
        return parsed;
    }
    let path = parsed.path_and_query().map_or("/", |p| p.as_str());
    let path = if path.is_empty() { "/" } else { path };
    format!("http://{DEFAULT_HOST}{path}")
        .parse()
        .unwrap_or_else(|err| panic!("tackle-testing: invalid request URI {uri:?}: {err}"))
}

/// The lowercase host of an absolute URI, or the default host.
pub(crate) fn request_host(uri: &Uri) -> String {
    uri.host().unwrap_or(DEFAULT_HOST).to_ascii_lowercase()
}

/// `uri` with `query` (already encoded) appended to its query string.
pub(crate) fn with_query(uri: &Uri, query: &str) -> Uri {
    if query.is_empty() {
        return uri.clone();
    }
    let joined = match uri.query() {
        Some(existing) if !existing.is_empty() => format!("{}?{existing}&{query}", uri.path()),
        _ => format!("{}?{query}", uri.path()),
    };
    let mut parts = uri.clone().into_parts();
    parts.path_and_query = Some(
        joined
            .parse()
            .unwrap_or_else(|err| panic!("tackle-testing: invalid query {query:?}: {err}")),
    );
    Uri::from_parts(parts).unwrap_or_else(|err| panic!("tackle-testing: invalid URI: {err}"))
}

/// Resolves a `Location` value against the URI of the request that got it;
/// `None` when the result is not a valid URI.
pub(crate) fn resolve(base: &Uri, location: &str) -> Option<Uri> {
    // The fragment never reaches the server.
    let location = location.split('#').next().unwrap_or_default();
    let scheme = base.scheme_str().unwrap_or("http");
    let authority = base.authority().map_or(DEFAULT_HOST, |a| a.as_str());
    let resolved = if has_scheme(location) {
        location.to_owned()
    } else if let Some(rest) = location.strip_prefix("//") {
        format!("{scheme}://{rest}")
    } else if location.starts_with('/') {
        let (path, query) = split_query(location);
        format!("{scheme}://{authority}{}{query}", remove_dot_segments(path))
    } else if location.is_empty() {
        format!("{scheme}://{authority}{}", base_path_and_query(base))
    } else if location.starts_with('?') {
        format!("{scheme}://{authority}{}{location}", base.path())
    } else {
        let (path, query) = split_query(location);
        let directory = match base.path().rfind('/') {
            Some(at) => &base.path()[..=at],
            None => "/",
        };
        let merged = format!("{directory}{path}");
        format!(
            "{scheme}://{authority}{}{query}",
            remove_dot_segments(&merged)
        )
    };
    resolved.parse().ok()
}

fn base_path_and_query(base: &Uri) -> &str {
    base.path_and_query().map_or("/", |p| p.as_str())
}

/// Whether a URI reference starts with `scheme ":"` (RFC 3986 section 3.1).
fn has_scheme(reference: &str) -> bool {
    match reference.find(':') {
        Some(colon) => {
            let scheme = &reference[..colon];
            scheme.starts_with(|c: char| c.is_ascii_alphabetic())
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
        }
        None => false,
    }
}

/// `(path, "?query")`, the query with its `?` or empty.
fn split_query(reference: &str) -> (&str, &str) {
    match reference.find('?') {
        Some(at) => reference.split_at(at),
        None => (reference, ""),
    }
}

/// RFC 3986 section 5.2.4, on a path that starts with `/`.
fn remove_dot_segments(path: &str) -> String {
    let mut output: Vec<&str> = Vec::new();
    let segments: Vec<&str> = path.split('/').skip(1).collect();
    let last = segments.len().saturating_sub(1);
    let mut trailing_slash = false;
    for (i, segment) in segments.iter().enumerate() {
        match *segment {
            "." => trailing_slash = i == last,
            ".." => {
                output.pop();
                trailing_slash = i == last;
            }
            other => {
                output.push(other);
                trailing_slash = false;
            }
        }
    }
    let mut out = String::with_capacity(path.len());
    for segment in &output {
        out.push('/');
        out.push_str(segment);
    }
    if trailing_slash || out.is_empty() {
        out.push('/');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn completes_relative_targets() {
        let cases: &[(&str, &str)] = &[
            ("/", "http://localhost/"),
            ("/a?b=1", "http://localhost/a?b=1"),
            ("https://example.com/x", "https://example.com/x"),
        ];
        for &(input, expected) in cases {
            assert_eq!(absolute(input).to_string(), expected, "{input}");
        }
    }

    #[test]
    fn appends_queries() {
        let base = absolute("/s?a=1");
        assert_eq!(
            with_query(&base, "b=2").to_string(),
            "http://localhost/s?a=1&b=2"
        );
        let base = absolute("/s");
        assert_eq!(
            with_query(&base, "b=2").to_string(),
            "http://localhost/s?b=2"
        );
    }

    #[test]
    fn resolves_locations() {
        // RFC 3986 section 5.4.1's base, and a selection of its examples.
        let base: Uri = "http://a/b/c/d;p?q".parse().unwrap();
        let cases: &[(&str, &str)] = &[
            ("g", "http://a/b/c/g"),
            ("./g", "http://a/b/c/g"),
            ("g/", "http://a/b/c/g/"),
            ("/g", "http://a/g"),
            ("//g", "http://g/"),
            ("?y", "http://a/b/c/d;p?y"),
            ("g?y", "http://a/b/c/g?y"),
            ("g#s", "http://a/b/c/g"),
            ("", "http://a/b/c/d;p?q"),
            (".", "http://a/b/c/"),
            ("./", "http://a/b/c/"),
            ("..", "http://a/b/"),
            ("../", "http://a/b/"),
            ("../g", "http://a/b/g"),
            ("../..", "http://a/"),
            ("../../g", "http://a/g"),
            ("../../../g", "http://a/g"),
            ("/./g", "http://a/g"),
            ("/../g", "http://a/g"),
        ];
        for &(location, expected) in cases {
            let resolved = resolve(&base, location).map(|u| u.to_string());
            assert_eq!(resolved.as_deref(), Some(expected), "{location}");
        }
    }
}
