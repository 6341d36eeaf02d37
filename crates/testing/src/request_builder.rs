//! Building one request: headers, query, a form, multipart, JSON or raw
//! body, and cookies for this request only.

use std::fmt::Display;

use bytes::Bytes;
use http::header::CONTENT_TYPE;
use http::{HeaderMap, HeaderName, HeaderValue, Method, Request, Response, Uri};
use tackle_http::encode_form;
use tackle_request::{Body, BoxError};
use tower_service::Service;

use crate::client::{Prepared, TestClient};
use crate::multipart::MultipartForm;
use crate::response::TestResponse;
use crate::uri;

/// A request being built by a [`TestClient`]; [`send`](Self::send) sends
/// it. A body setter replaces any earlier body and its `Content-Type`.
#[must_use = "a request does nothing until it is sent"]
pub struct RequestBuilder<'a, S> {
    client: &'a TestClient<S>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
    cookies: Vec<(String, String)>,
}

impl<'a, S> RequestBuilder<'a, S> {
    pub(crate) fn new(client: &'a TestClient<S>, method: Method, uri: Uri) -> Self {
        RequestBuilder {
            client,
            method,
            uri,
            headers: HeaderMap::new(),
            body: Bytes::new(),
            cookies: Vec::new(),
        }
    }

    /// Adds a header line (a name may be given several times).
    ///
    /// # Panics
    ///
    /// When the name or value is not valid in a header.
    pub fn header<K, V>(mut self, name: K, value: V) -> Self
    where
        HeaderName: TryFrom<K>,
        <HeaderName as TryFrom<K>>::Error: Display,
        HeaderValue: TryFrom<V>,
        <HeaderValue as TryFrom<V>>::Error: Display,
    {
        let name = HeaderName::try_from(name)
            .unwrap_or_else(|err| panic!("tackle-testing: invalid header name: {err}"));
        let value = HeaderValue::try_from(value)
            .unwrap_or_else(|err| panic!("tackle-testing: invalid value for {name}: {err}"));
        self.headers.append(name, value);
        self
    }

    /// Appends `pairs` to the URI's query string, form-encoded.
    pub fn query<I, K, V>(mut self, pairs: I) -> Self
    where
        I: IntoIterator<Item = (K, V)>,
        K: AsRef<str>,
        V: AsRef<str>,
    {
        self.uri = uri::with_query(&self.uri, &encode_form(pairs));
        self
    }

    /// Sends `pairs` as an `application/x-www-form-urlencoded` body.
    pub fn form<I, K, V>(self, pairs: I) -> Self
    where
        I: IntoIterator<Item = (K, V)>,
        K: AsRef<str>,
        V: AsRef<str>,
    {
        self.typed_body(
            HeaderValue::from_static("application/x-www-form-urlencoded"),
            encode_form(pairs),
        )
    }

    /// Sends a `multipart/form-data` body built by `build`:
    /// `.multipart(|m| m.text("title", "Hi").file("doc", "a.txt", "text/plain", "hello"))`.
    pub fn multipart(self, build: impl FnOnce(MultipartForm) -> MultipartForm) -> Self {
        let (content_type, body) = build(MultipartForm::new()).into_body();
        let content_type = HeaderValue::try_from(content_type)
            .unwrap_or_else(|err| panic!("tackle-testing: invalid multipart boundary: {err}"));
        self.typed_body(content_type, body)
    }

    /// Sends `value` as an `application/json` body.
    pub fn json(self, value: &serde_json::Value) -> Self {
        self.typed_body(
            HeaderValue::from_static("application/json"),
            value.to_string(),
        )
    }

    /// Sends `body` as it is; set its type with [`header`](Self::header).
    pub fn body(mut self, body: impl Into<Bytes>) -> Self {
        self.body = body.into();
        self
    }

    /// Sends the cookie `name=value` with this request only, after the
    /// jar's matching cookies.
    pub fn cookie(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.cookies.push((name.into(), value.into()));
        self
    }

    fn typed_body(mut self, content_type: HeaderValue, body: impl Into<Bytes>) -> Self {
        self.headers.insert(CONTENT_TYPE, content_type);
        self.body = body.into();
        self
    }

    /// Sends the request, reads the whole response body, stores the
    /// response's cookies and follows redirects if the client does.
    ///
    /// # Panics
    ///
    /// When the service or the response body fails, or the client's
    /// redirect limit is broken; the message names the request.
    pub async fn send<B>(self) -> TestResponse
    where
        S: Service<Request<Body>, Response = Response<B>> + Clone,
        S::Error: Into<BoxError>,
        B: http_body::Body,
        B::Error: Into<BoxError>,
    {
        let prepared = Prepared {
            method: self.method,
            uri: self.uri,
            headers: self.headers,
            body: self.body,
            cookies: self.cookies,
        };
        self.client.execute(prepared).await
    }
}
