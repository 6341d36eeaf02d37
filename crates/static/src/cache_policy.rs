//! The `Cache-Control` a static file is sent with.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use http::HeaderValue;

/// A test on a file name.
type NameTest = Arc<dyn Fn(&str) -> bool + Send + Sync>;

/// Which `Cache-Control` each file gets:
///
/// | file | `Cache-Control` |
/// |---|---|
/// | extension with an override ([`extension`](Self::extension)) | the override |
/// | fingerprinted name (`app.3f2a9c1b.js`; [`fingerprinted`](Self::fingerprinted)) | `public, max-age=31536000, immutable` |
/// | any other, with [`max_age`](Self::max_age) | `public, max-age=<seconds>` |
/// | any other (the default) | `no-cache`: cache, but revalidate every time |
#[derive(Clone)]
pub struct CachePolicy {
    default: HeaderValue,
    fingerprinted: Option<NameTest>,
    by_extension: HashMap<String, HeaderValue>,
}

impl std::fmt::Debug for CachePolicy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CachePolicy")
            .field("default", &self.default)
            .field("fingerprinted", &self.fingerprinted.is_some())
            .field("by_extension", &self.by_extension)
            .finish()
    }
}

impl Default for CachePolicy {
    fn default() -> Self {
        CachePolicy {
            default: HeaderValue::from_static("no-cache"),
            fingerprinted: Some(Arc::new(has_hex_fingerprint)),
            by_extension: HashMap::new(),
        }
    }
}

impl CachePolicy {
    /// `no-cache` for every file, a year and `immutable` for fingerprinted
    /// names.
    pub fn new() -> Self {
        CachePolicy::default()
    }

    /// Files that are neither fingerprinted nor overridden may be cached
    /// this long without revalidation: `public, max-age=<seconds>`.
    pub fn max_age(mut self, age: Duration) -> Self {
        self.default = HeaderValue::try_from(format!("public, max-age={}", age.as_secs()))
            .unwrap_or_else(|_| HeaderValue::from_static("no-cache"));
        self
    }

    /// How to tell a fingerprinted file name (cached for a year, immutable);
    /// `None` to treat none as fingerprinted. The default accepts a
    /// dot-separated part of 8 or more hex digits before the extension
    /// (`app.3f2a9c1b.js`, `site.0123abcd4567.css`).
    pub fn fingerprinted(mut self, test: Option<fn(&str) -> bool>) -> Self {
        self.fingerprinted = test.map(|f| Arc::new(f) as NameTest);
        self
    }

    /// `Cache-Control` for files with this extension (without the dot,
    /// case-insensitive), before every other rule, e.g. `("html",
    /// "no-cache")` or `("woff2", "public, max-age=31536000, immutable")`.
    /// A value that is not a valid header value is ignored.
    pub fn extension(mut self, extension: &str, cache_control: &str) -> Self {
        if let Ok(value) = HeaderValue::try_from(cache_control) {
            self.by_extension
                .insert(extension.to_ascii_lowercase(), value);
        }
        self
    }

    /// The `Cache-Control` for the file named `name`.
    pub(crate) fn for_name(&self, name: &str) -> HeaderValue {
        if let Some((_, extension)) = name.rsplit_once('.')
            && let Some(value) = self.by_extension.get(&extension.to_ascii_lowercase())
        {
            return value.clone();
        }
        if self.fingerprinted.as_ref().is_some_and(|test| test(name)) {
            return HeaderValue::from_static("public, max-age=31536000, immutable");
        }
        self.default.clone()
    }
}

/// `name.<8+ hex digits>.ext`: a dot-separated part, neither the first nor
/// the extension, of at least 8 hex digits with at least one digit and one
/// letter (so that neither `20240101` nor `deadbeef` counts).
pub fn has_hex_fingerprint(name: &str) -> bool {
    let parts: Vec<&str> = name.split('.').collect();
    parts.len() >= 3
        && parts[1..parts.len() - 1].iter().any(|part| {
            part.len() >= 8
                && part.bytes().all(|b| b.is_ascii_hexdigit())
                && part.bytes().any(|b| b.is_ascii_digit())
                && part.bytes().any(|b| b.is_ascii_alphabetic())
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_in_order() {
        let policy = CachePolicy::new().extension("HTML", "no-store");
        assert_eq!(policy.for_name("index.html"), "no-store");
        assert_eq!(
            policy.for_name("app.3f2a9c1b.js"),
            "public, max-age=31536000, immutable"
        );
        assert_eq!(policy.for_name("app.js"), "no-cache");
        let aged = CachePolicy::new().max_age(Duration::from_secs(600));
        assert_eq!(aged.for_name("logo.png"), "public, max-age=600");
        let plain = CachePolicy::new().fingerprinted(None);
        assert_eq!(plain.for_name("app.3f2a9c1b.js"), "no-cache");
    }

    #[test]
    fn fingerprints() {
        for yes in [
            "app.3f2a9c1b.js",
            "a.b.0123456789abcdef.css",
            "x.ABCDEF12.png",
        ] {
            assert!(has_hex_fingerprint(yes), "{yes}");
        }
        for no in [
            "app.js",
            "3f2a9c1b.js",
            "report.20240101.pdf",
            "font.deadbeef.woff",
            "app.3f2a9c1.js",
            "jquery-3.7.1.min.js",
        ] {
            assert!(!has_hex_fingerprint(no), "{no}");
        }
    }
}
