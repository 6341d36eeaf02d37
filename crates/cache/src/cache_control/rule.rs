//! [`Rule`]: the conditions that choose a [`Policy`](super::Policy).

use std::fmt;

use http::{HeaderMap, HeaderValue, Response, StatusCode, header};
use tackle_http::ParseError;
use tackle_http::header::is_token;

use super::fingerprint::is_fingerprinted;
use super::glob::Glob;

/// Conditions on a request path and its response, all of which must hold
/// for the rule to match.
///
/// Build one with a constructor and combine with [`and`](Self::and):
///
/// | constructor | holds when |
/// |---|---|
/// | [`any`](Self::any) | always |
/// | [`path`](Self::path) | the request path matches a glob |
/// | [`fingerprinted`](Self::fingerprinted) | the request path's file name carries a content hash |
/// | [`content_type`](Self::content_type) | the response `Content-Type` is in a media range |
/// | [`status`](Self::status) | the response status is this code |
/// | [`informational`](Self::informational) ... [`server_error`](Self::server_error) | the response status is in this class |
///
/// Path conditions are checked when the request arrives, the others when
/// the response comes back; the request itself is not kept.
///
/// ```
/// use http::{Response, StatusCode};
/// use tackle_cache::Rule;
///
/// let rule = Rule::path("/static/**").and(Rule::success());
/// assert!(rule.matches("/static/app.css", &Response::new(())));
/// let not_found = Response::builder().status(StatusCode::NOT_FOUND).body(()).unwrap();
/// assert!(!rule.matches("/static/app.css", &not_found));
/// assert!(!rule.matches("/static", &Response::new(())));
/// ```
#[derive(Clone, Debug, Default)]
pub struct Rule {
    conditions: Vec<Condition>,
}

#[derive(Clone, Debug)]
enum Condition {
    Path(Glob),
    Fingerprinted,
    ContentType(MediaRange),
    /// An inclusive range of status codes.
    Status(u16, u16),
}

impl Condition {
    fn is_path(&self) -> bool {
        matches!(self, Condition::Path(_) | Condition::Fingerprinted)
    }
}

/// `type/subtype`, `type/*` or `*/*`, lowercase; `None` is `*`.
#[derive(Clone)]
struct MediaRange {
    ty: Option<Box<str>>,
    subtype: Option<Box<str>>,
}

impl fmt::Debug for MediaRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ty = self.ty.as_deref().unwrap_or("*");
        let subtype = self.subtype.as_deref().unwrap_or("*");
        write!(f, "{ty}/{subtype}")
    }
}

impl MediaRange {
    fn parse(range: &str) -> Result<Self, ParseError> {
        let invalid = |reason| ParseError::invalid("media range", reason);
        let (ty, subtype) = range
            .trim()
            .split_once('/')
            .ok_or_else(|| invalid("expected `type/subtype`, `type/*` or `*/*`"))?;
        let part = |s: &str| -> Result<Option<Box<str>>, ParseError> {
            match s {
                "*" => Ok(None),
                s if is_token(s) => Ok(Some(s.to_ascii_lowercase().into())),
                _ => Err(invalid(
                    "type and subtype must be tokens or `*` (parameters are not allowed)",
                )),
            }
        };
        let ty = part(ty)?;
        let subtype = part(subtype)?;
        if ty.is_none() && subtype.is_some() {
            return Err(invalid("`*/subtype` is not a media range"));
        }
        Ok(MediaRange { ty, subtype })
    }

    /// Matches the essence of a `Content-Type` value, ignoring parameters
    /// and case. Reads the bytes in place: nothing is allocated.
    fn matches(&self, value: &HeaderValue) -> bool {
        let bytes = value.as_bytes();
        let essence = bytes.split(|&b| b == b';').next().unwrap_or_default();
        let essence = essence.trim_ascii();
        let Some(slash) = essence.iter().position(|&b| b == b'/') else {
            return false;
        };
        let (ty, subtype) = (&essence[..slash], &essence[slash + 1..]);
        if ty.is_empty() || subtype.is_empty() {
            return false;
        }
        let fits = |want: &Option<Box<str>>, got: &[u8]| {
            want.as_deref()
                .is_none_or(|w| w.as_bytes().eq_ignore_ascii_case(got))
        };
        fits(&self.ty, ty) && fits(&self.subtype, subtype)
    }
}

impl Rule {
    /// A rule that always matches: a catch-all policy as the last rule.
    pub fn any() -> Self {
        Rule::default()
    }

    /// Holds when the request path matches `glob`.
    ///
    /// The path is matched as received: percent-encoded, without the query.
    ///
    /// | pattern | matches |
    /// |---|---|
    /// | `*` | any run of characters within one segment (no `/`) |
    /// | `**` | any run of characters, `/` included |
    /// | `/**/` | `/` or `/.../`: `/**/x.js` matches `/x.js` and `/a/b/x.js` |
    /// | `?` | one character other than `/` |
    /// | anything else | itself |
    ///
    /// A pattern starting with `/` is matched against the whole path:
    /// `/static/**` matches `/static/` and `/static/a/b.css` but not
    /// `/static`. One without a leading `/` is matched against the last
    /// segment only, like `.gitignore`: `*.js` matches `/a/b/c.js`.
    /// Matching takes time proportional to the path length times the
    /// pattern length, whatever the path; it never backtracks.
    ///
    /// # Panics
    ///
    /// When the pattern is invalid: empty, longer than 1024 bytes, holding
    /// whitespace or control characters, or a file-name pattern (no leading
    /// `/`) holding a `/`. Patterns are configuration, so this panics when
    /// the layer is built, like a router given a bad route; use
    /// [`try_path`](Self::try_path) for patterns read at run time.
    #[track_caller]
    pub fn path(glob: &str) -> Self {
        match Self::try_path(glob) {
            Ok(rule) => rule,
            Err(err) => panic!("Rule::path({glob:?}): {err}"),
        }
    }

    /// [`path`](Self::path), returning an error for an invalid pattern.
    pub fn try_path(glob: &str) -> Result<Self, ParseError> {
        Ok(Rule::from(Condition::Path(Glob::new(glob)?)))
    }

    /// Holds when the last segment of the request path is a fingerprinted
    /// file name: one carrying a hash of its content, which bundlers emit so
    /// the file can be cached forever.
    ///
    /// The name is cut at its last `.` into stem and extension, the stem
    /// split at `.`, `-` and `_`. A part other than the first (or the whole
    /// stem when it is one part) is a hash when it is lowercase hex of 8 to
    /// 64 characters with a digit and a letter, or 8 to 64 letters and
    /// digits mixing a digit, an uppercase and a lowercase letter:
    ///
    /// | fingerprinted | not fingerprinted |
    /// |---|---|
    /// | `app.3f2a9c1b.js` | `app.js` |
    /// | `main.3f2a9c1b4d5e6f70.css` | `jquery-3.7.1.min.js` (parts too short) |
    /// | `index-BZh3Q0lx.js` (Vite) | `report-20240101.pdf` (a date: no letter) |
    /// | `chunk-5f3e2a1b.mjs` | `my-component.js` |
    /// | `logo.a1b2c3d4.svg` | `favicon.ico` |
    /// | `3f2a9c1b.js` (webpack `[contenthash].js`) | `app.3f2a9c1b` (the hash is the extension) |
    ///
    /// This is a heuristic that errs towards "not fingerprinted": hashes
    /// that happen to contain `-` or `_` (Rollup 4 uses base64url), or are
    /// uppercase base32 (esbuild: `chunk-7RKFV2IK.js`), are not recognized.
    /// For those, match the assets directory with [`path`](Self::path).
    pub fn fingerprinted() -> Self {
        Rule::from(Condition::Fingerprinted)
    }

    /// Holds when the response's `Content-Type` is in `range`:
    /// `text/html` (any parameters), `image/*` or `*/*`, compared without
    /// regard to case. A response without `Content-Type` never matches.
    ///
    /// # Panics
    ///
    /// When `range` is not `type/subtype`, `type/*` or `*/*` made of
    /// tokens (parameters are not allowed: they are ignored in matching).
    /// Use [`try_content_type`](Self::try_content_type) for ranges read at
    /// run time.
    #[track_caller]
    pub fn content_type(range: &str) -> Self {
        match Self::try_content_type(range) {
            Ok(rule) => rule,
            Err(err) => panic!("Rule::content_type({range:?}): {err}"),
        }
    }

    /// [`content_type`](Self::content_type), returning an error for an
    /// invalid media range.
    pub fn try_content_type(range: &str) -> Result<Self, ParseError> {
        Ok(Rule::from(Condition::ContentType(MediaRange::parse(
            range,
        )?)))
    }

    /// Holds when the response status is `status`.
    pub fn status(status: StatusCode) -> Self {
        Rule::status_range(status.as_u16(), status.as_u16())
    }

    /// Holds for 1xx responses.
    pub fn informational() -> Self {
        Rule::status_range(100, 199)
    }

    /// Holds for 2xx responses.
    pub fn success() -> Self {
        Rule::status_range(200, 299)
    }

    /// Holds for 3xx responses, 304 Not Modified included.
    pub fn redirection() -> Self {
        Rule::status_range(300, 399)
    }

    /// Holds for 4xx responses.
    pub fn client_error() -> Self {
        Rule::status_range(400, 499)
    }

    /// Holds for 5xx responses.
    pub fn server_error() -> Self {
        Rule::status_range(500, 599)
    }

    fn status_range(min: u16, max: u16) -> Self {
        Rule::from(Condition::Status(min, max))
    }

    /// Holds when both `self` and `other` hold.
    pub fn and(mut self, other: Rule) -> Self {
        self.conditions.extend(other.conditions);
        self
    }

    /// Whether the rule holds for a request to `request_path` (as received:
    /// percent-encoded, without the query) answered by `response`.
    ///
    /// The layer makes the same decision in two halves, the path when the
    /// request arrives and the rest on the response; this asks both at once,
    /// for tests and tools.
    pub fn matches<B>(&self, request_path: &str, response: &Response<B>) -> bool {
        self.matches_request(request_path)
            && self.matches_response(response.status(), response.headers())
    }

    /// Whether the rule has a condition on the request path.
    pub(crate) fn has_path_condition(&self) -> bool {
        self.conditions.iter().any(Condition::is_path)
    }

    /// Whether the conditions on the request path hold.
    pub(crate) fn matches_request(&self, path: &str) -> bool {
        self.conditions.iter().all(|c| match c {
            Condition::Path(glob) => glob.matches(path),
            Condition::Fingerprinted => is_fingerprinted(path),
            Condition::ContentType(_) | Condition::Status(..) => true,
        })
    }

    /// Whether the conditions on the response hold.
    pub(crate) fn matches_response(&self, status: StatusCode, headers: &HeaderMap) -> bool {
        self.conditions.iter().all(|c| match c {
            Condition::Status(min, max) => (*min..=*max).contains(&status.as_u16()),
            Condition::ContentType(range) => headers
                .get(header::CONTENT_TYPE)
                .is_some_and(|value| range.matches(value)),
            Condition::Path(_) | Condition::Fingerprinted => true,
        })
    }

    /// The glob patterns of the rule's path conditions, for diagnostics.
    #[cfg(test)]
    fn globs(&self) -> impl Iterator<Item = &str> {
        self.conditions.iter().filter_map(|c| match c {
            Condition::Path(glob) => Some(glob.as_str()),
            _ => None,
        })
    }
}

impl From<Condition> for Rule {
    fn from(condition: Condition) -> Self {
        Rule {
            conditions: vec![condition],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_type(content_type: &'static str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
        headers
    }

    #[test]
    fn media_ranges() {
        #[rustfmt::skip]
        let cases: &[(&str, &str, bool)] = &[
            ("text/html", "text/html", true),
            ("text/html", "TEXT/HTML; charset=utf-8", true),
            ("text/html", " text/html ;q=1", true),
            ("text/html", "text/plain", false),
            ("text/html", "text/htmlx", false),
            ("text/html", "text", false),
            ("image/*", "image/png", true),
            ("image/*", "Image/SVG+XML", true),
            ("image/*", "text/png", false),
            ("image/*", "image/", false),
            ("*/*", "application/json", true),
            ("*/*", "garbage", false),
            ("*/*", "/", false),
        ];
        for (range, value, want) in cases {
            let rule = Rule::content_type(range);
            assert_eq!(
                rule.matches_response(StatusCode::OK, &with_type(value)),
                *want,
                "{range} vs {value}"
            );
        }
    }

    #[test]
    fn invalid_media_ranges() {
        for bad in [
            "text",
            "*/html",
            "text/html; charset=utf-8",
            "te xt/html",
            "",
            "/",
        ] {
            assert!(Rule::try_content_type(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn and_keeps_all_conditions() {
        let rule = Rule::path("/a/**")
            .and(Rule::path("*.js"))
            .and(Rule::success());
        assert_eq!(rule.globs().collect::<Vec<_>>(), ["/a/**", "*.js"]);
        assert!(rule.has_path_condition());
        assert!(!Rule::success().has_path_condition());
        assert!(Rule::fingerprinted().has_path_condition());
    }
}
