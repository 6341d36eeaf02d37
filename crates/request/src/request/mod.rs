//! [`Request`]: an [`http::Request`] with lazily parsed, cached accessors in
//! the manner of Werkzeug's `Request` — path, query arguments, cookies, the
//! validated host (RFC 9110 §7.2) and the URLs built from it, the client's
//! address, typed headers, and the routing extensions.
//!
//! Nothing is parsed until an accessor asks, and what is parsed is kept, so
//! asking twice costs nothing. The cache is a plain cell: a `Request` is
//! `Send` but not `Sync`, and is meant to be owned by one handler.
//!
//! ```
//! use tackle_http::TrustedHosts;
//! use tackle_request::request::{Request, RequestConfig};
//!
//! let http_request = http::Request::builder()
//!     .uri("/caf%C3%A9?tag=a&tag=b")
//!     .header("host", "example.com")
//!     .header("cookie", "theme=dark")
//!     .body(())
//!     .unwrap();
//! let config = RequestConfig::new().with_trusted_hosts(TrustedHosts::new([".example.com"]).unwrap());
//! let request = Request::with_config(http_request, config);
//!
//! assert_eq!(request.path(), "/café");
//! assert_eq!(request.args().get_all("tag").collect::<Vec<_>>(), ["a", "b"]);
//! assert_eq!(request.cookies().get("theme"), Some("dark"));
//! assert_eq!(request.url().unwrap(), "http://example.com/caf%C3%A9?tag=a&tag=b");
//! ```

use std::cell::OnceCell;
use std::ops::Deref;

use http::{Method, Uri};
use tackle_http::proxy::ForwardedNode;
use tackle_http::{Cookies, Host, MultiMap, TypedHeader, decode_form};

use crate::HttpError;
use crate::extensions::{MatchedRoute, MountPrefix, OriginalUri, PathParams, UrlBuilder};

mod config;
mod headers;
mod remote;
mod url;

pub use config::RequestConfig;

/// An HTTP request with cached accessors over an [`http::Request`].
///
/// It dereferences to the `http::Request` for everything else (`headers()`,
/// `extensions()`, `version()`, `body()`); it gives no mutable access to
/// the URI or headers, whose parsed forms it caches.
#[derive(Debug)]
pub struct Request<B> {
    inner: http::Request<B>,
    config: Option<RequestConfig>,
    /// The percent-decoded path, only when decoding changed it.
    decoded_path: OnceCell<String>,
    args: OnceCell<MultiMap>,
    cookies: OnceCell<Cookies>,
    host: OnceCell<Result<Host, HttpError>>,
    access_route: OnceCell<Vec<ForwardedNode>>,
    /// Whether a body-reading method has started on the body.
    body_read: bool,
}

impl<B> Request<B> {
    /// Wraps `request`; settings come from a [`RequestConfig`] in its
    /// extensions, if a layer put one there.
    pub fn new(request: http::Request<B>) -> Self {
        Request {
            inner: request,
            config: None,
            decoded_path: OnceCell::new(),
            args: OnceCell::new(),
            cookies: OnceCell::new(),
            host: OnceCell::new(),
            access_route: OnceCell::new(),
            body_read: false,
        }
    }

    /// Wraps `request` with `config`, which takes precedence over one in
    /// the request's extensions.
    pub fn with_config(request: http::Request<B>, config: RequestConfig) -> Self {
        let mut request = Request::new(request);
        request.config = Some(config);
        request
    }

    /// The wrapped `http::Request`, dropping the cached values.
    pub fn into_inner(self) -> http::Request<B> {
        self.inner
    }

    /// The body, mutably: reading it does not touch the cached values.
    pub fn body_mut(&mut self) -> &mut B {
        self.inner.body_mut()
    }

    /// The body for one of the reading methods (`bytes`, `form`, ...), which
    /// may run once: a second would find the body drained and silently see
    /// an empty one, so it is refused with a 500 that names the mistake.
    pub(crate) fn body_for_reading(&mut self) -> Result<&mut B, HttpError> {
        if std::mem::replace(&mut self.body_read, true) {
            return Err(HttpError::new(
                http::StatusCode::INTERNAL_SERVER_ERROR,
                "the request body was already read",
            ));
        }
        Ok(self.inner.body_mut())
    }

    /// The settings in force: those given to [`with_config`](Self::with_config),
    /// else those in the extensions, else the defaults.
    pub fn config(&self) -> &RequestConfig {
        self.config
            .as_ref()
            .or_else(|| self.inner.extensions().get::<RequestConfig>())
            .unwrap_or(RequestConfig::DEFAULT)
    }

    /// The request method.
    pub fn method(&self) -> &Method {
        self.inner.method()
    }

    /// The request target as received (after any mount stripped a prefix;
    /// see [`original_uri`](Self::original_uri)).
    pub fn uri(&self) -> &Uri {
        self.inner.uri()
    }

    /// The URI the client sent, before router mounts stripped a prefix: the
    /// [`OriginalUri`] extension, else [`uri`](Self::uri).
    pub fn original_uri(&self) -> &Uri {
        OriginalUri::from_extensions(self.inner.extensions()).map_or(self.inner.uri(), |o| &o.0)
    }

    /// The path, percent-decoded, with invalid UTF-8 replaced by U+FFFD.
    ///
    /// Every `%XX` is decoded, `%2F` included (as WSGI's `PATH_INFO`), so
    /// use [`raw_path`](Self::raw_path) where an encoded `/` must stay apart
    /// from a separator. A `%` not followed by two hex digits stays as is.
    /// A path without `%` is returned without copying.
    pub fn path(&self) -> &str {
        let raw = self.raw_path();
        if !raw.contains('%') {
            return raw;
        }
        self.decoded_path.get_or_init(|| percent_decode_lossy(raw))
    }

    /// The path as sent, still percent-encoded.
    pub fn raw_path(&self) -> &str {
        self.inner.uri().path()
    }

    /// The query string without the `?`, as sent; empty when there is none.
    pub fn query_string(&self) -> &str {
        self.inner.uri().query().unwrap_or("")
    }

    /// The query arguments (WHATWG urlencoded rules, see
    /// [`tackle_http::urlencoded`]), decoded on first use. Repeated names
    /// keep every value in order. The query's length is bounded by the
    /// server's limit on the request target.
    pub fn args(&self) -> &MultiMap {
        self.args.get_or_init(|| decode_form(self.query_string()))
    }

    /// The cookies of the `Cookie` header lines, parsed on first use;
    /// malformed pairs are skipped.
    pub fn cookies(&self) -> &Cookies {
        self.cookies.get_or_init(|| {
            Cookies::from_headers(self.inner.headers())
                .and_then(Result::ok)
                .unwrap_or_default()
        })
    }

    /// The parameters the router captured from the path.
    pub fn path_params(&self) -> Option<&PathParams> {
        PathParams::from_extensions(self.inner.extensions())
    }

    /// The pattern of the route that matched.
    pub fn matched_route(&self) -> Option<&MatchedRoute> {
        MatchedRoute::from_extensions(self.inner.extensions())
    }

    /// The prefix router mounts removed from the path.
    pub fn mount_prefix(&self) -> Option<&MountPrefix> {
        MountPrefix::from_extensions(self.inner.extensions())
    }

    /// The router's URL builder.
    pub fn url_builder(&self) -> Option<&UrlBuilder> {
        UrlBuilder::from_extensions(self.inner.extensions())
    }
}

impl<B> Deref for Request<B> {
    type Target = http::Request<B>;

    fn deref(&self) -> &http::Request<B> {
        &self.inner
    }
}

impl<B> From<http::Request<B>> for Request<B> {
    fn from(request: http::Request<B>) -> Self {
        Request::new(request)
    }
}

impl<B> From<Request<B>> for http::Request<B> {
    fn from(request: Request<B>) -> Self {
        request.into_inner()
    }
}

/// Decodes `%XX` escapes in one pass; other bytes, and a `%` without two hex
/// digits after it, are kept.
fn percent_decode_lossy(input: &str) -> String {
    percent_encoding::percent_decode_str(input)
        .decode_utf8_lossy()
        .into_owned()
}

#[cfg(test)]
mod tests;
