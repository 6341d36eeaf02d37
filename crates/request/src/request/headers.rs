//! Typed request headers, read through [`TypedHeader`] from tackle-http.
//!
//! Every typed accessor returns `Option<Result<T, ParseError>>`: `None` when
//! the header is absent, `Some(Err(..))` when it is malformed, so a handler
//! can ignore a bad value (`.and_then(Result::ok)`) or refuse it. Headers
//! are parsed on each call (they are cheap and rarely read twice); keep the
//! value when it is needed more than once. Free-text headers (`User-Agent`,
//! `Referer`, `Origin`, `Sec-Fetch-Site`) return their first line as
//! `&str`, or `None` when absent or not visible ASCII.

use http::HeaderName;
use http::header::{CONTENT_LENGTH, CONTENT_TYPE, ORIGIN, REFERER, USER_AGENT};
use tackle_http::{
    Accept, AcceptEncoding, AcceptLanguage, Authorization, CacheControl, ContentType, IfMatch,
    IfModifiedSince, IfNoneMatch, IfRange, IfUnmodifiedSince, ParseError, Range, TypedHeader,
};

use super::Request;

const SEC_FETCH_SITE: HeaderName = HeaderName::from_static("sec-fetch-site");

impl<B> Request<B> {
    /// Any typed header `H`, parsed from the request's header lines.
    pub fn typed_header<H: TypedHeader>(&self) -> Option<Result<H, ParseError>> {
        H::from_headers(self.inner.headers())
    }

    /// `Accept` (RFC 9110 §12.5.1): the media types the client prefers.
    pub fn accept(&self) -> Option<Result<Accept, ParseError>> {
        self.typed_header()
    }

    /// `Accept-Language` (RFC 9110 §12.5.4).
    pub fn accept_language(&self) -> Option<Result<AcceptLanguage, ParseError>> {
        self.typed_header()
    }

    /// `Accept-Encoding` (RFC 9110 §12.5.3).
    pub fn accept_encoding(&self) -> Option<Result<AcceptEncoding, ParseError>> {
        self.typed_header()
    }

    /// `Cache-Control` (RFC 9111 §5.2) request directives.
    pub fn cache_control(&self) -> Option<Result<CacheControl, ParseError>> {
        self.typed_header()
    }

    /// `If-Match` (RFC 9110 §13.1.1).
    pub fn if_match(&self) -> Option<Result<IfMatch, ParseError>> {
        self.typed_header()
    }

    /// `If-None-Match` (RFC 9110 §13.1.2).
    pub fn if_none_match(&self) -> Option<Result<IfNoneMatch, ParseError>> {
        self.typed_header()
    }

    /// `If-Modified-Since` (RFC 9110 §13.1.3).
    pub fn if_modified_since(&self) -> Option<Result<IfModifiedSince, ParseError>> {
        self.typed_header()
    }

    /// `If-Unmodified-Since` (RFC 9110 §13.1.4).
    pub fn if_unmodified_since(&self) -> Option<Result<IfUnmodifiedSince, ParseError>> {
        self.typed_header()
    }

    /// `Range` (RFC 9110 §14.2).
    pub fn range(&self) -> Option<Result<Range, ParseError>> {
        self.typed_header()
    }

    /// `If-Range` (RFC 9110 §13.1.5).
    pub fn if_range(&self) -> Option<Result<IfRange, ParseError>> {
        self.typed_header()
    }

    /// `Authorization` (RFC 9110 §11.6.2).
    pub fn authorization(&self) -> Option<Result<Authorization, ParseError>> {
        self.typed_header()
    }

    /// `Content-Type` (RFC 9110 §8.3).
    pub fn content_type(&self) -> Option<Result<ContentType, ParseError>> {
        self.typed_header()
    }

    /// Whether the body is JSON by its `Content-Type`: `application/json`
    /// or a `+json` type. An absent header is not JSON.
    pub fn is_json(&self) -> bool {
        self.inner
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(tackle_http::media_type::is_json)
    }

    /// `Content-Length` (RFC 9110 §8.6): digits only. Several lines, or a
    /// list, must all give the same number (a proxy may have joined
    /// duplicates); anything else is an error, as differing lengths are a
    /// sign of request smuggling.
    pub fn content_length(&self) -> Option<Result<u64, ParseError>> {
        let mut lines = self
            .inner
            .headers()
            .get_all(CONTENT_LENGTH)
            .iter()
            .peekable();
        lines.peek()?;
        let mut length = None;
        for line in lines {
            for entry in line.as_bytes().split(|&b| b == b',') {
                let Some(value) = parse_length(entry.trim_ascii()) else {
                    return Some(Err(ParseError::invalid("Content-Length", "not a number")));
                };
                if length.is_some_and(|l| l != value) {
                    return Some(Err(ParseError::invalid("Content-Length", "lines disagree")));
                }
                length = Some(value);
            }
        }
        length.map(Ok)
    }

    /// `User-Agent` (RFC 9110 §10.1.5), as sent.
    pub fn user_agent(&self) -> Option<&str> {
        self.text_header(&USER_AGENT)
    }

    /// `Referer` (RFC 9110 §10.1.3, spelled as in the header), as sent.
    pub fn referrer(&self) -> Option<&str> {
        self.text_header(&REFERER)
    }

    /// `Origin` (RFC 6454 §7), as sent: `https://example.com` or `null`.
    pub fn origin(&self) -> Option<&str> {
        self.text_header(&ORIGIN)
    }

    /// `Sec-Fetch-Site` (Fetch Metadata): `same-origin`, `same-site`,
    /// `cross-site` or `none`, as sent.
    pub fn sec_fetch_site(&self) -> Option<&str> {
        self.text_header(&SEC_FETCH_SITE)
    }

    fn text_header(&self, name: &HeaderName) -> Option<&str> {
        self.inner.headers().get(name)?.to_str().ok()
    }
}

/// A decimal length: 1 to 20 digits that fit a `u64`.
fn parse_length(digits: &[u8]) -> Option<u64> {
    if digits.is_empty() {
        return None;
    }
    digits.iter().try_fold(0u64, |n, &b| {
        if b.is_ascii_digit() {
            n.checked_mul(10)?.checked_add(u64::from(b - b'0'))
        } else {
            None
        }
    })
}
