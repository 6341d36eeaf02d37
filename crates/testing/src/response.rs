//! What a test gets back: the final response, its body read in full, and
//! the redirects followed on the way.

use bytes::Bytes;
use cookie::Cookie;
use http::{HeaderMap, StatusCode, Uri};
use tackle_http::SetCookie;

/// A response with its body collected, as [`RequestBuilder::send`]
/// returns it.
///
/// [`RequestBuilder::send`]: crate::RequestBuilder::send
#[derive(Clone, Debug)]
pub struct TestResponse {
    pub(crate) status: StatusCode,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Bytes,
    pub(crate) uri: Uri,
    pub(crate) history: Vec<Redirect>,
}

impl TestResponse {
    /// The status code.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The response headers.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The first value of header `name`, when it is present and visible
    /// ASCII.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The body, bytes as sent.
    pub fn bytes(&self) -> &Bytes {
        &self.body
    }

    /// The body as text; invalid UTF-8 becomes U+FFFD.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The body parsed as JSON.
    ///
    /// # Panics
    ///
    /// When the body is not JSON, quoting the start of it.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|err| {
            let text = self.text();
            let start: String = text.chars().take(200).collect();
            panic!("tackle-testing: response body is not JSON ({err}): {start:?}")
        })
    }

    /// The cookie named `name` from this response's own `Set-Cookie` lines
    /// (the last one wins), with its attributes; invalid lines are skipped.
    pub fn cookie(&self, name: &str) -> Option<Cookie<'static>> {
        SetCookie::all_from_headers(&self.headers)
            .flatten()
            .map(SetCookie::into_cookie)
            .filter(|c| c.name() == name)
            .last()
    }

    /// The absolute URI of the request that got this response: the last
    /// redirect target when redirects were followed.
    pub fn uri(&self) -> &Uri {
        &self.uri
    }

    /// The redirects followed before this response, oldest first; empty
    /// when none was followed.
    pub fn history(&self) -> &[Redirect] {
        &self.history
    }
}

/// One redirect the client followed: the request URI, the status it got
/// and where it pointed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Redirect {
    pub(crate) uri: Uri,
    pub(crate) status: StatusCode,
    pub(crate) location: String,
}

impl Redirect {
    /// The absolute URI of the request that was redirected.
    pub fn uri(&self) -> &Uri {
        &self.uri
    }

    /// The redirect status (301, 302, 303, 307 or 308).
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The `Location` header as the server sent it.
    pub fn location(&self) -> &str {
        &self.location
    }
}
