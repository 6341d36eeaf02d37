//! [`HttpError`]: an error that becomes an HTTP response, in the manner of
//! Werkzeug's `exceptions` module.
//!
//! An `HttpError` is a 4xx or 5xx status (RFC 9110 §15.5, §15.6), a message
//! safe to show the client, and the extra headers its status calls for
//! (`Allow`, `WWW-Authenticate`, `Content-Range`, `Retry-After`). It renders
//! as an HTML page, RFC 9457 problem details in JSON, or plain text, chosen by
//! the request's `Accept` header.
//!
//! ```
//! use http::{HeaderMap, HeaderValue, Method, StatusCode, header};
//! use tackle_request::http_error::HttpError;
//!
//! let error = HttpError::method_not_allowed([Method::GET, Method::HEAD]);
//! assert_eq!(error.status(), StatusCode::METHOD_NOT_ALLOWED);
//! assert_eq!(error.headers()[header::ALLOW], "GET, HEAD");
//!
//! let mut request_headers = HeaderMap::new();
//! request_headers.insert(header::ACCEPT, HeaderValue::from_static("application/json"));
//! let response = error.to_response(&request_headers);
//! assert_eq!(response.headers()[header::CONTENT_TYPE], "application/json");
//! assert_eq!(response.headers()[header::ALLOW], "GET, HEAD");
//!
//! let limit = HttpError::payload_too_large_for("form field \"bio\"", "max_form_memory_size", 500_000, "bytes");
//! assert_eq!(
//!     limit.to_string(),
//!     "413 Payload Too Large: form field \"bio\" is over max_form_memory_size (500000 bytes)"
//! );
//! ```

use std::borrow::Cow;
use std::fmt;
use std::time::Duration;

use http::header::{ALLOW, CONTENT_RANGE, RETRY_AFTER, WWW_AUTHENTICATE};
use http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode};
use tackle_http::{ContentRange, TypedHeader, WwwAuthenticate};

mod description;
mod multipart;
mod render;

/// An error that becomes an HTTP response: a 4xx or 5xx status, a message
/// safe to show the client, and extra response headers.
///
/// The message defaults to a short description of the status; constructors
/// that carry a limit name it and its value. Nothing in the message is taken
/// from the request unless the caller puts it there, and
/// [`internal_server_error`](Self::internal_server_error) says nothing about
/// the cause.
///
/// Rendering ([`render`](Self::render), [`to_response`](Self::to_response))
/// picks HTML, problem+json, JSON or text by `Accept`, and always sets
/// `Content-Type`, `Content-Length`, `X-Content-Type-Options: nosniff` and,
/// unless the extra headers carry their own, `Cache-Control: no-store`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HttpError(Box<Inner>);

#[derive(Clone, Debug, PartialEq, Eq)]
struct Inner {
    status: StatusCode,
    message: Cow<'static, str>,
    headers: HeaderMap,
}

impl HttpError {
    /// An error with `status` and `message`.
    ///
    /// A status that is not a client or server error (below 400) is a bug in
    /// the caller; rather than panic while answering a request, it is
    /// replaced by 500 Internal Server Error, keeping the message.
    pub fn new(status: StatusCode, message: impl Into<Cow<'static, str>>) -> Self {
        let status = if status.is_client_error() || status.is_server_error() {
            status
        } else {
            StatusCode::INTERNAL_SERVER_ERROR
        };
        HttpError(Box::new(Inner {
            status,
            message: message.into(),
            headers: HeaderMap::new(),
        }))
    }

    /// An error with `status` and its default description (a status below
    /// 400 becomes 500, as in [`new`](Self::new)).
    pub fn from_status(status: StatusCode) -> Self {
        let mut error = HttpError::new(status, "");
        error.0.message = Cow::Borrowed(description::describe(error.0.status));
        error
    }

    /// 400 Bad Request, with a message saying what was wrong.
    pub fn bad_request(message: impl Into<Cow<'static, str>>) -> Self {
        HttpError::new(StatusCode::BAD_REQUEST, message)
    }

    /// 401 Unauthorized, with the `WWW-Authenticate` challenges the client
    /// may answer (RFC 9110 §15.5.2 requires at least one).
    pub fn unauthorized(www_authenticate: WwwAuthenticate) -> Self {
        HttpError::from_status(StatusCode::UNAUTHORIZED)
            .with_header(WWW_AUTHENTICATE, www_authenticate.to_header_value())
    }

    /// 403 Forbidden.
    pub fn forbidden() -> Self {
        HttpError::from_status(StatusCode::FORBIDDEN)
    }

    /// 404 Not Found.
    pub fn not_found() -> Self {
        HttpError::from_status(StatusCode::NOT_FOUND)
    }

    /// 405 Method Not Allowed, with `Allow` listing `allowed` in order,
    /// without duplicates (RFC 9110 §15.5.6). An empty list gives an empty
    /// `Allow`: the resource allows no method.
    pub fn method_not_allowed(allowed: impl IntoIterator<Item = Method>) -> Self {
        let mut methods: Vec<Method> = Vec::new();
        for method in allowed {
            if !methods.contains(&method) {
                methods.push(method);
            }
        }
        let list = methods
            .iter()
            .map(Method::as_str)
            .collect::<Vec<_>>()
            .join(", ");
        HttpError::from_status(StatusCode::METHOD_NOT_ALLOWED)
            .with_header(ALLOW, tackle_http::header::header_value(list))
    }

    /// 406 Not Acceptable: no representation matches the request's
    /// `Accept*` headers.
    pub fn not_acceptable() -> Self {
        HttpError::from_status(StatusCode::NOT_ACCEPTABLE)
    }

    /// 409 Conflict.
    pub fn conflict() -> Self {
        HttpError::from_status(StatusCode::CONFLICT)
    }

    /// 410 Gone.
    pub fn gone() -> Self {
        HttpError::from_status(StatusCode::GONE)
    }

    /// 412 Precondition Failed: an `If-Match` or `If-Unmodified-Since`
    /// condition was false.
    pub fn precondition_failed() -> Self {
        HttpError::from_status(StatusCode::PRECONDITION_FAILED)
    }

    /// 413 Payload Too Large for the request body as a whole: `request body
    /// is over max_content_length (1048576 bytes)`.
    pub fn payload_too_large(limit_name: &str, limit: u64) -> Self {
        HttpError::payload_too_large_for("request body", limit_name, limit, "bytes")
    }

    /// 413 Payload Too Large for part of the body: `subject` (a singular noun
    /// phrase such as `form field "bio"`) is over `limit_name` (`limit`
    /// `unit`).
    pub fn payload_too_large_for(subject: &str, limit_name: &str, limit: u64, unit: &str) -> Self {
        HttpError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("{subject} is over {limit_name} ({limit} {unit})"),
        )
    }

    /// 415 Unsupported Media Type: the body's `Content-Type` is not one the
    /// resource reads.
    pub fn unsupported_media_type() -> Self {
        HttpError::from_status(StatusCode::UNSUPPORTED_MEDIA_TYPE)
    }

    /// 416 Range Not Satisfiable, with `Content-Range: bytes */N` giving the
    /// representation's length (RFC 9110 §15.5.17).
    pub fn range_not_satisfiable(complete_length: u64) -> Self {
        HttpError::from_status(StatusCode::RANGE_NOT_SATISFIABLE).with_header(
            CONTENT_RANGE,
            ContentRange::unsatisfied(complete_length).to_header_value(),
        )
    }

    /// 429 Too Many Requests, with `Retry-After` in whole seconds (rounded
    /// up, so the client does not come back early) when given.
    pub fn too_many_requests(retry_after: Option<Duration>) -> Self {
        HttpError::from_status(StatusCode::TOO_MANY_REQUESTS).with_retry_after(retry_after)
    }

    /// 431 Request Header Fields Too Large: `subject` (a singular noun
    /// phrase such as `header "Cookie"` or `the header section`) is over
    /// `limit_name` (`limit` `unit`).
    pub fn request_header_fields_too_large(
        subject: &str,
        limit_name: &str,
        limit: u64,
        unit: &str,
    ) -> Self {
        HttpError::new(
            StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            format!("{subject} is over {limit_name} ({limit} {unit})"),
        )
    }

    /// 500 Internal Server Error, with a generic message: the cause belongs
    /// in the server's log, not in the response.
    pub fn internal_server_error() -> Self {
        HttpError::from_status(StatusCode::INTERNAL_SERVER_ERROR)
    }

    /// 501 Not Implemented.
    pub fn not_implemented() -> Self {
        HttpError::from_status(StatusCode::NOT_IMPLEMENTED)
    }

    /// 502 Bad Gateway.
    pub fn bad_gateway() -> Self {
        HttpError::from_status(StatusCode::BAD_GATEWAY)
    }

    /// 503 Service Unavailable, with `Retry-After` in whole seconds (rounded
    /// up) when given.
    pub fn service_unavailable(retry_after: Option<Duration>) -> Self {
        HttpError::from_status(StatusCode::SERVICE_UNAVAILABLE).with_retry_after(retry_after)
    }

    /// 504 Gateway Timeout.
    pub fn gateway_timeout() -> Self {
        HttpError::from_status(StatusCode::GATEWAY_TIMEOUT)
    }

    /// Sets a response header, replacing any value of that name. Rendering
    /// sets `Content-Type`, `Content-Length` and `X-Content-Type-Options`
    /// itself, over any given here.
    pub fn with_header(mut self, name: HeaderName, value: HeaderValue) -> Self {
        self.0.headers.insert(name, value);
        self
    }

    /// Sets a typed response header, replacing any value of that name.
    pub fn with_typed_header<H: TypedHeader>(self, header: &H) -> Self {
        self.with_header(H::NAME, header.to_header_value())
    }

    /// Replaces the message shown to the client.
    pub fn with_message(mut self, message: impl Into<Cow<'static, str>>) -> Self {
        self.0.message = message.into();
        self
    }

    /// The status, always a client (4xx) or server (5xx) error.
    pub fn status(&self) -> StatusCode {
        self.0.status
    }

    /// The status's reason phrase (`Not Found`), or `Client Error` /
    /// `Server Error` for a status without a registered one.
    pub fn reason(&self) -> &'static str {
        description::reason(self.0.status)
    }

    /// The message shown to the client.
    pub fn message(&self) -> &str {
        &self.0.message
    }

    /// The extra response headers (`Allow`, `WWW-Authenticate`,
    /// `Content-Range`, `Retry-After`, and any set with
    /// [`with_header`](Self::with_header)).
    pub fn headers(&self) -> &HeaderMap {
        &self.0.headers
    }

    fn with_retry_after(self, retry_after: Option<Duration>) -> Self {
        match retry_after {
            None => self,
            Some(delay) => {
                let seconds = delay
                    .as_secs()
                    .saturating_add(u64::from(delay.subsec_nanos() > 0));
                self.with_header(RETRY_AFTER, HeaderValue::from(seconds))
            }
        }
    }
}

impl From<StatusCode> for HttpError {
    /// The same as [`HttpError::from_status`].
    fn from(status: StatusCode) -> Self {
        HttpError::from_status(status)
    }
}

/// `404 Not Found: The requested URL was not found on the server.`
impl fmt::Display for HttpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {}: {}",
            self.0.status.as_str(),
            self.reason(),
            self.0.message
        )
    }
}

impl std::error::Error for HttpError {}

#[cfg(test)]
mod tests {
    use super::*;
    use tackle_http::auth::Challenge;

    /// `(error, status, extra headers, message)`.
    type ConstructorCase = (
        HttpError,
        u16,
        Vec<(&'static str, &'static str)>,
        &'static str,
    );

    fn constructor_cases() -> Vec<ConstructorCase> {
        let bearer = WwwAuthenticate::new(Challenge::bearer("api"));
        vec![
            (
                HttpError::new(StatusCode::IM_A_TEAPOT, "short and stout"),
                418,
                vec![],
                "short and stout",
            ),
            (
                HttpError::new(StatusCode::OK, "not an error"),
                500,
                vec![],
                "not an error",
            ),
            (
                HttpError::new(StatusCode::NOT_MODIFIED, "redirect"),
                500,
                vec![],
                "redirect",
            ),
            (
                HttpError::from_status(StatusCode::CONTINUE),
                500,
                vec![],
                "The server hit an internal error and could not complete the request.",
            ),
            (
                HttpError::bad_request("query argument \"page\" is not a number"),
                400,
                vec![],
                "query argument \"page\" is not a number",
            ),
            (
                HttpError::unauthorized(bearer),
                401,
                vec![("www-authenticate", "Bearer realm=\"api\"")],
                "The server could not verify that you are authorized to access this resource.",
            ),
            (
                HttpError::forbidden(),
                403,
                vec![],
                "You do not have permission to access this resource.",
            ),
            (
                HttpError::not_found(),
                404,
                vec![],
                "The requested URL was not found on the server.",
            ),
            (
                HttpError::method_not_allowed([Method::GET, Method::HEAD, Method::GET]),
                405,
                vec![("allow", "GET, HEAD")],
                "The method is not allowed for the requested URL.",
            ),
            (
                HttpError::method_not_allowed([]),
                405,
                vec![("allow", "")],
                "The method is not allowed for the requested URL.",
            ),
            (
                HttpError::method_not_allowed([Method::from_bytes(b"PROPFIND").unwrap()]),
                405,
                vec![("allow", "PROPFIND")],
                "The method is not allowed for the requested URL.",
            ),
            (
                HttpError::not_acceptable(),
                406,
                vec![],
                "The resource cannot be provided in a form the client accepts.",
            ),
            (
                HttpError::conflict(),
                409,
                vec![],
                "The request conflicts with the current state of the resource.",
            ),
            (
                HttpError::gone(),
                410,
                vec![],
                "The resource is no longer available and will not be available again.",
            ),
            (
                HttpError::precondition_failed(),
                412,
                vec![],
                "A precondition in the request headers was not met.",
            ),
            (
                HttpError::payload_too_large("max_content_length", 1_048_576),
                413,
                vec![],
                "request body is over max_content_length (1048576 bytes)",
            ),
            (
                HttpError::payload_too_large_for(
                    "form field \"bio\"",
                    "max_form_memory_size",
                    500_000,
                    "bytes",
                ),
                413,
                vec![],
                "form field \"bio\" is over max_form_memory_size (500000 bytes)",
            ),
            (
                HttpError::payload_too_large_for("the form", "max_form_parts", 1000, "parts"),
                413,
                vec![],
                "the form is over max_form_parts (1000 parts)",
            ),
            (
                HttpError::unsupported_media_type(),
                415,
                vec![],
                "The server does not support the media type of the request body.",
            ),
            (
                HttpError::range_not_satisfiable(1000),
                416,
                vec![("content-range", "bytes */1000")],
                "The requested range cannot be served.",
            ),
            (
                HttpError::range_not_satisfiable(0),
                416,
                vec![("content-range", "bytes */0")],
                "The requested range cannot be served.",
            ),
            (
                HttpError::too_many_requests(None),
                429,
                vec![],
                "Too many requests were sent; try again later.",
            ),
            (
                HttpError::too_many_requests(Some(Duration::from_secs(120))),
                429,
                vec![("retry-after", "120")],
                "Too many requests were sent; try again later.",
            ),
            (
                HttpError::too_many_requests(Some(Duration::from_millis(1500))),
                429,
                vec![("retry-after", "2")],
                "Too many requests were sent; try again later.",
            ),
            (
                HttpError::too_many_requests(Some(Duration::ZERO)),
                429,
                vec![("retry-after", "0")],
                "Too many requests were sent; try again later.",
            ),
            (
                HttpError::too_many_requests(Some(Duration::MAX)),
                429,
                vec![("retry-after", "18446744073709551615")],
                "Too many requests were sent; try again later.",
            ),
            (
                HttpError::request_header_fields_too_large(
                    "header \"Cookie\"",
                    "max_header_bytes",
                    8192,
                    "bytes",
                ),
                431,
                vec![],
                "header \"Cookie\" is over max_header_bytes (8192 bytes)",
            ),
            (
                HttpError::internal_server_error(),
                500,
                vec![],
                "The server hit an internal error and could not complete the request.",
            ),
            (
                HttpError::not_implemented(),
                501,
                vec![],
                "The server does not support the action requested.",
            ),
            (
                HttpError::bad_gateway(),
                502,
                vec![],
                "The server, acting as a gateway, got an invalid response from upstream.",
            ),
            (
                HttpError::service_unavailable(None),
                503,
                vec![],
                "The server cannot handle the request right now; try again later.",
            ),
            (
                HttpError::service_unavailable(Some(Duration::from_secs(30))),
                503,
                vec![("retry-after", "30")],
                "The server cannot handle the request right now; try again later.",
            ),
            (
                HttpError::gateway_timeout(),
                504,
                vec![],
                "The server, acting as a gateway, got no response from upstream in time.",
            ),
            (
                HttpError::not_found()
                    .with_message("no user \"ada\"")
                    .with_header(
                        HeaderName::from_static("x-request-id"),
                        HeaderValue::from_static("42"),
                    ),
                404,
                vec![("x-request-id", "42")],
                "no user \"ada\"",
            ),
            (
                HttpError::too_many_requests(Some(Duration::from_secs(1)))
                    .with_header(RETRY_AFTER, HeaderValue::from_static("60")),
                429,
                vec![("retry-after", "60")],
                "Too many requests were sent; try again later.",
            ),
            (
                HttpError::forbidden().with_typed_header(&ContentRange::unsatisfied(7)),
                403,
                vec![("content-range", "bytes */7")],
                "You do not have permission to access this resource.",
            ),
        ]
    }

    #[test]
    fn constructors() {
        for (error, status, headers, message) in constructor_cases() {
            assert_eq!(error.status().as_u16(), status, "{error}");
            assert_eq!(error.message(), message, "{error}");
            let got: Vec<(&str, &str)> = error
                .headers()
                .iter()
                .map(|(name, value)| (name.as_str(), value.to_str().unwrap()))
                .collect();
            assert_eq!(got, headers, "{error}");
        }
    }

    #[test]
    fn display() {
        let cases: &[(HttpError, &str)] = &[
            (
                HttpError::not_found(),
                "404 Not Found: The requested URL was not found on the server.",
            ),
            (
                HttpError::bad_request("missing \"q\""),
                "400 Bad Request: missing \"q\"",
            ),
            (
                HttpError::payload_too_large("max_content_length", 1_048_576),
                "413 Payload Too Large: request body is over max_content_length (1048576 bytes)",
            ),
            (
                HttpError::new(StatusCode::from_u16(499).unwrap(), "closed"),
                "499 Client Error: closed",
            ),
            (
                HttpError::new(StatusCode::from_u16(599).unwrap(), "odd"),
                "599 Server Error: odd",
            ),
        ];
        for (error, expected) in cases {
            assert_eq!(error.to_string(), *expected);
        }
    }

    #[test]
    fn is_an_error_and_stays_small() {
        let error: Box<dyn std::error::Error + Send + Sync> = Box::new(HttpError::gone());
        assert!(error.to_string().starts_with("410 Gone: "));
        // Boxed so that `Result<T, HttpError>` stays a pointer wide.
        assert_eq!(
            std::mem::size_of::<HttpError>(),
            std::mem::size_of::<usize>()
        );
    }

    #[test]
    fn from_status() {
        let error: HttpError = StatusCode::CONFLICT.into();
        assert_eq!(error, HttpError::conflict());
        assert_eq!(error.reason(), "Conflict");
    }
}
