//! The in-process client: requests are handed to the service as
//! `http::Request<tackle_request::Body>` values, with no socket between,
//! and the responses' cookies and redirects handled as a browser would.

use std::future::poll_fn;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use bytes::Bytes;
use http::header::{CONTENT_LENGTH, CONTENT_TYPE, COOKIE, HOST, LOCATION};
use http::{HeaderMap, HeaderValue, Method, Request, Response, StatusCode, Uri};
use http_body_util::BodyExt;
use tackle_request::{Body, BoxError};
use tower_service::Service;

use crate::cookie_jar::CookieJar;
use crate::request_builder::RequestBuilder;
use crate::response::{Redirect, TestResponse};
use crate::uri;

/// A test client for a tower service, called in-process.
///
/// Defaults: redirects are returned, not followed (see
/// [`follow_redirects`](Self::follow_redirects)); a request URI without a
/// host (`/path`) goes to `http://localhost`; cookies the service sets are
/// kept in a [`CookieJar`] and sent back to matching requests.
///
/// The service gets the URI in origin form (`/path?query`) and a `Host`
/// header, as it would from a server; the scheme (`https://...`) only
/// decides whether `Secure` cookies are sent. Clones share the cookie jar,
/// like tabs of one browser.
///
/// A service error, a failing response body or a broken redirect limit is
/// a panic with a message naming the request: this is a test client, and a
/// panic fails the test at the line that sent the request.
#[derive(Clone, Debug)]
pub struct TestClient<S> {
    service: S,
    jar: Arc<Mutex<CookieJar>>,
    max_redirects: Option<usize>,
}

/// A request ready to go: what a [`RequestBuilder`] hands to its client.
pub(crate) struct Prepared {
    pub(crate) method: Method,
    pub(crate) uri: Uri,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Bytes,
    pub(crate) cookies: Vec<(String, String)>,
}

impl<S> TestClient<S> {
    /// A client for `service`, with an empty cookie jar, following no
    /// redirects.
    pub fn new(service: S) -> Self {
        TestClient {
            service,
            jar: Arc::default(),
            max_redirects: None,
        }
    }

    /// Follows up to `max` redirects per request, by the browser rules:
    /// 303 turns any method but `HEAD` into `GET` without a body, so do 301
    /// and 302 for `POST`; 307 and 308 keep the method and body. A relative
    /// `Location` is resolved against the request URI. One more redirect
    /// than `max` panics, naming the limit, so `follow_redirects(0)` panics
    /// on any redirect. A redirect status without a `Location` is returned
    /// as the response.
    pub fn follow_redirects(mut self, max: usize) -> Self {
        self.max_redirects = Some(max);
        self
    }

    /// The service under test.
    pub fn service(&self) -> &S {
        &self.service
    }

    /// A copy of the cookie jar as it is now.
    pub fn cookie_jar(&self) -> CookieJar {
        self.jar().clone()
    }

    /// Stores `name=value` for the default host and path `/`, as if the
    /// service had set it.
    pub fn set_cookie(&self, name: impl Into<String>, value: impl Into<String>) {
        self.jar().set(name, value);
    }

    /// Forgets every cookie.
    pub fn clear_cookies(&self) {
        self.jar().clear();
    }

    /// A `GET` request to `uri` (`/path` or an absolute URI).
    pub fn get(&self, uri: &str) -> RequestBuilder<'_, S> {
        self.request(Method::GET, uri)
    }

    /// A `POST` request to `uri`.
    pub fn post(&self, uri: &str) -> RequestBuilder<'_, S> {
        self.request(Method::POST, uri)
    }

    /// A `PUT` request to `uri`.
    pub fn put(&self, uri: &str) -> RequestBuilder<'_, S> {
        self.request(Method::PUT, uri)
    }

    /// A `PATCH` request to `uri`.
    pub fn patch(&self, uri: &str) -> RequestBuilder<'_, S> {
        self.request(Method::PATCH, uri)
    }

    /// A `DELETE` request to `uri`.
    pub fn delete(&self, uri: &str) -> RequestBuilder<'_, S> {
        self.request(Method::DELETE, uri)
    }

    /// A `HEAD` request to `uri`.
    pub fn head(&self, uri: &str) -> RequestBuilder<'_, S> {
        self.request(Method::HEAD, uri)
    }

    /// An `OPTIONS` request to `uri`.
    pub fn options(&self, uri: &str) -> RequestBuilder<'_, S> {
        self.request(Method::OPTIONS, uri)
    }

    /// A request with any method to `uri`.
    ///
    /// # Panics
    ///
    /// When `uri` is not a valid URI.
    pub fn request(&self, method: Method, uri: &str) -> RequestBuilder<'_, S> {
        RequestBuilder::new(self, method, uri::absolute(uri))
    }

    fn jar(&self) -> MutexGuard<'_, CookieJar> {
        // A test that panicked mid-update leaves a jar that is still a jar.
        self.jar.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Sends `prepared`, following redirects when asked to.
    pub(crate) async fn execute<B>(&self, prepared: Prepared) -> TestResponse
    where
        S: Service<Request<Body>, Response = Response<B>> + Clone,
        S::Error: Into<BoxError>,
        B: http_body::Body,
        B::Error: Into<BoxError>,
    {
        let Prepared {
            mut method,
            mut uri,
            mut headers,
            mut body,
            cookies,
        } = prepared;
        let mut history = Vec::new();
        loop {
            let request = self.build(&method, &uri, &headers, &body, &cookies);
            let (status, response_headers, response_body) = self.call(request, &method, &uri).await;
            self.jar().store_response(&uri, &response_headers);
            let location = match self.max_redirects {
                Some(max) if is_redirect(status) => {
                    let location = response_headers
                        .get(LOCATION)
                        .and_then(|v| v.to_str().ok())
                        .map(str::to_owned);
                    location.map(|location| (max, location))
                }
                _ => None,
            };
            let Some((max, location)) = location else {
                return TestResponse {
                    status,
                    headers: response_headers,
                    body: response_body,
                    uri,
                    history,
                };
            };
            if history.len() >= max {
                panic!(
                    "tackle-testing: more than {max} redirects (the follow_redirects({max}) limit): \
                     {method} {uri} got {status} to {location:?}"
                );
            }
            let next = uri::resolve(&uri, &location).unwrap_or_else(|| {
                panic!("tackle-testing: {method} {uri} redirected to an invalid URI {location:?}")
            });
            let drops_body = status == StatusCode::SEE_OTHER && method != Method::HEAD
                || matches!(status, StatusCode::MOVED_PERMANENTLY | StatusCode::FOUND)
                    && method == Method::POST;
            if drops_body {
                method = Method::GET;
                body = Bytes::new();
                headers.remove(CONTENT_TYPE);
                headers.remove(CONTENT_LENGTH);
            }
            // The next target names its own host.
            headers.remove(HOST);
            history.push(Redirect {
                uri,
                status,
                location,
            });
            uri = next;
        }
    }

    fn build(
        &self,
        method: &Method,
        uri: &Uri,
        headers: &HeaderMap,
        body: &Bytes,
        cookies: &[(String, String)],
    ) -> Request<Body> {
        let target = uri.path_and_query().map_or("/", |p| p.as_str());
        let mut request = Request::new(Body::from(body.clone()));
        *request.method_mut() = method.clone();
        *request.uri_mut() = target.parse().unwrap_or_else(|_| Uri::from_static("/"));
        let request_headers = request.headers_mut();
        request_headers.clone_from(headers);
        if !request_headers.contains_key(HOST)
            && let Some(authority) = uri.authority()
            && let Ok(host) = HeaderValue::from_str(authority.as_str())
        {
            request_headers.insert(HOST, host);
        }
        if !body.is_empty() && !request_headers.contains_key(CONTENT_LENGTH) {
            request_headers.insert(CONTENT_LENGTH, HeaderValue::from(body.len()));
        }
        // One `Cookie` line (RFC 6265 section 5.4): a line the test wrote
        // comes first, then the jar's cookies, then the builder's.
        let mut cookie_header = String::new();
        for written in request_headers.get_all(COOKIE) {
            if let Ok(written) = written.to_str() {
                cookie_header.push_str(written);
                cookie_header.push_str("; ");
            }
        }
        request_headers.remove(COOKIE);
        cookie_header.push_str(&self.jar().header_for(uri).unwrap_or_default());
        let trimmed = cookie_header.trim_end_matches("; ").len();
        cookie_header.truncate(trimmed);
        for (name, value) in cookies {
            if !cookie_header.is_empty() {
                cookie_header.push_str("; ");
            }
            cookie_header.push_str(name);
            cookie_header.push('=');
            cookie_header.push_str(value);
        }
        if !cookie_header.is_empty() {
            let value = HeaderValue::from_str(&cookie_header).unwrap_or_else(|err| {
                panic!("tackle-testing: invalid Cookie header {cookie_header:?}: {err}")
            });
            request_headers.insert(COOKIE, value);
        }
        request
    }

    async fn call<B>(
        &self,
        request: Request<Body>,
        method: &Method,
        uri: &Uri,
    ) -> (StatusCode, HeaderMap, Bytes)
    where
        S: Service<Request<Body>, Response = Response<B>> + Clone,
        S::Error: Into<BoxError>,
        B: http_body::Body,
        B::Error: Into<BoxError>,
    {
        let fail = |what: &str, err: BoxError| -> ! {
            panic!("tackle-testing: {what} for {method} {uri}: {err}")
        };
        let mut service = self.service.clone();
        if let Err(err) = poll_fn(|cx| service.poll_ready(cx)).await {
            fail("the service was not ready", err.into());
        }
        let response = match service.call(request).await {
            Ok(response) => response,
            Err(err) => fail("the service failed", err.into()),
        };
        let (parts, body) = response.into_parts();
        let bytes = match body.collect().await {
            Ok(collected) => collected.to_bytes(),
            Err(err) => fail("the response body failed", err.into()),
        };
        (parts.status, parts.headers, bytes)
    }
}

fn is_redirect(status: StatusCode) -> bool {
    matches!(
        status,
        StatusCode::MOVED_PERMANENTLY
            | StatusCode::FOUND
            | StatusCode::SEE_OTHER
            | StatusCode::TEMPORARY_REDIRECT
            | StatusCode::PERMANENT_REDIRECT
    )
}
