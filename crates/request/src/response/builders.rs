//! [`Response`]: constructors for the common `http::Response<Body>`s, in
//! the manner of Werkzeug's `Response`, `redirect` and `send_file`.

use bytes::Bytes;
use futures_core::Stream;
use http::header::{CONTENT_DISPOSITION, CONTENT_LENGTH, CONTENT_TYPE, LOCATION};
use http::{HeaderValue, StatusCode};
use tackle_http::{ContentDisposition, TypedHeader};

use super::body::{Body, BoxError};
use super::redirect::{self, InvalidRedirect};
use crate::HttpError;

/// Constructors for the common responses, each a plain
/// `http::Response<Body>` to adjust further with
/// [`ResponseExt`](super::ResponseExt).
///
/// Buffered bodies get `Content-Type` and `Content-Length`; streams get
/// `Content-Type` only and are sent chunked.
///
/// ```
/// use http::{StatusCode, header};
/// use tackle_request::response::Response;
///
/// let response = Response::text("hi");
/// assert_eq!(response.status(), StatusCode::OK);
/// assert_eq!(response.headers()[header::CONTENT_TYPE], "text/plain; charset=utf-8");
/// assert_eq!(response.headers()[header::CONTENT_LENGTH], "2");
///
/// let response = Response::redirect("/login?next=%2F")?;
/// assert_eq!(response.status(), StatusCode::SEE_OTHER);
/// assert!(Response::redirect("/\r\nSet-Cookie: a=b").is_err());
/// # Ok::<(), tackle_request::response::InvalidRedirect>(())
/// ```
#[derive(Debug)]
pub enum Response {}

const TEXT_UTF8: HeaderValue = HeaderValue::from_static("text/plain; charset=utf-8");
const HTML_UTF8: HeaderValue = HeaderValue::from_static("text/html; charset=utf-8");
// RFC 8259 §11: JSON is UTF-8 and `application/json` has no charset.
const JSON: HeaderValue = HeaderValue::from_static("application/json");
const OCTET_STREAM: HeaderValue = HeaderValue::from_static("application/octet-stream");

impl Response {
    /// 200 OK with `text` as `text/plain; charset=utf-8`.
    pub fn text(text: impl Into<Body>) -> http::Response<Body> {
        Response::bytes(TEXT_UTF8, text)
    }

    /// 200 OK with `html` as `text/html; charset=utf-8`. The markup is sent
    /// as given: escaping what it quotes is the caller's job.
    pub fn html(html: impl Into<Body>) -> http::Response<Body> {
        Response::bytes(HTML_UTF8, html)
    }

    /// 200 OK with `value` serialized compactly as `application/json`.
    ///
    /// It takes a [`serde_json::Value`] (build one with
    /// `serde_json::json!`); a document serialized elsewhere, say with
    /// `serde_json::to_vec` on a `#[derive(Serialize)]` type, goes to
    /// [`json_bytes`](Self::json_bytes) instead.
    pub fn json(value: &serde_json::Value) -> http::Response<Body> {
        // A `Value` always serializes (its map keys are strings), and
        // `Display` writes the same compact JSON as `to_vec`.
        Response::json_bytes(value.to_string())
    }

    /// 200 OK with `json`, already serialized, as `application/json`. The
    /// bytes are not checked.
    pub fn json_bytes(json: impl Into<Body>) -> http::Response<Body> {
        Response::bytes(JSON, json)
    }

    /// 200 OK with `body` as `content_type` (e.g.
    /// `HeaderValue::from_static("image/png")`, or a
    /// [`tackle_http::ContentType`]'s `to_header_value()`), with
    /// `Content-Length` when the body's length is known.
    pub fn bytes(content_type: HeaderValue, body: impl Into<Body>) -> http::Response<Body> {
        let body = body.into();
        let length = http_body::Body::size_hint(&body).exact();
        let mut response = http::Response::new(body);
        let headers = response.headers_mut();
        headers.insert(CONTENT_TYPE, content_type);
        if let Some(length) = length {
            headers.insert(CONTENT_LENGTH, HeaderValue::from(length));
        }
        response
    }

    /// 200 OK streaming each chunk of `stream` as `content_type`, without
    /// `Content-Length`: HTTP/1.1 sends it chunked. An error from the
    /// stream aborts the response mid-body.
    pub fn stream<S, E>(content_type: HeaderValue, stream: S) -> http::Response<Body>
    where
        S: Stream<Item = Result<Bytes, E>> + Send + 'static,
        E: Into<BoxError>,
    {
        let mut response = http::Response::new(Body::from_stream(stream));
        response.headers_mut().insert(CONTENT_TYPE, content_type);
        response
    }

    /// `status` with no content. `Content-Length: 0` is set, except for the
    /// statuses that must not carry it: 1xx, 204 No Content and 304 Not
    /// Modified (RFC 9110 §8.6).
    pub fn empty(status: StatusCode) -> http::Response<Body> {
        let mut response = http::Response::new(Body::empty());
        *response.status_mut() = status;
        let bodiless = status.is_informational()
            || status == StatusCode::NO_CONTENT
            || status == StatusCode::NOT_MODIFIED;
        if !bodiless {
            response
                .headers_mut()
                .insert(CONTENT_LENGTH, HeaderValue::from_static("0"));
        }
        response
    }

    /// 303 See Other to `location`: after a form post, the client fetches
    /// the target with `GET`. See [`redirect_with`](Self::redirect_with)
    /// for how the target is checked.
    pub fn redirect(location: &str) -> Result<http::Response<Body>, InvalidRedirect> {
        Response::redirect_with(StatusCode::SEE_OTHER, location)
    }

    /// A redirect to `location` with `status`, which must be 301, 302, 303,
    /// 307 or 308 (307 and 308 keep the method and body; 301 and 308 are
    /// permanent).
    ///
    /// The target is refused when empty or holding a control character (CR
    /// or LF would split the response); non-ASCII characters and spaces are
    /// percent-encoded. It is not checked to stay on this site: a target
    /// taken from the request (`?next=`) is an open redirect unless the
    /// caller allows only its own paths.
    pub fn redirect_with(
        status: StatusCode,
        location: &str,
    ) -> Result<http::Response<Body>, InvalidRedirect> {
        let status = redirect::check_status(status)?;
        let location = redirect::location(location)?;
        let mut response = Response::empty(status);
        response.headers_mut().insert(LOCATION, location);
        Ok(response)
    }

    /// 200 OK with `body` as a download named `filename`, as
    /// `application/octet-stream` (set another `Content-Type` with
    /// [`ResponseExt::with_header`](super::ResponseExt::with_header)).
    ///
    /// `Content-Disposition: attachment` carries the name as
    /// `filename="..."` and, when it is not ASCII, also as `filename*`
    /// (RFC 6266 §4.3) with an ASCII approximation in `filename`. Control
    /// characters are dropped; path separators are left for the browser,
    /// which saves under the last segment.
    pub fn attachment(filename: &str, body: impl Into<Body>) -> http::Response<Body> {
        let mut response = Response::bytes(OCTET_STREAM, body);
        response.headers_mut().insert(
            CONTENT_DISPOSITION,
            ContentDisposition::attachment(filename).to_header_value(),
        );
        response
    }
}

impl From<HttpError> for http::Response<Body> {
    /// Renders as [`HttpError::render`] does for a request without `Accept`
    /// (an HTML page); use `error.to_response(request.headers())` and
    /// `map(Body::from)` to honour the request's `Accept`.
    fn from(error: HttpError) -> Self {
        http::Response::<Bytes>::from(error).map(Body::from)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::header::{CACHE_CONTROL, X_CONTENT_TYPE_OPTIONS};
    use http_body_util::BodyExt;

    /// `(status, headers in order, body)` of a response, its body collected.
    async fn parts(response: http::Response<Body>) -> (u16, Vec<(String, String)>, Bytes) {
        let (head, body) = response.into_parts();
        let headers = head
            .headers
            .iter()
            .map(|(n, v)| (n.to_string(), v.to_str().unwrap().to_string()))
            .collect();
        let body = body.collect().await.unwrap().to_bytes();
        (head.status.as_u16(), headers, body)
    }

    fn headers(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect()
    }

    #[tokio::test]
    async fn builders() {
        let chunks = futures_util::stream::iter(vec![
            Ok::<_, std::io::Error>(Bytes::from_static(b"data: 1\n\n")),
            Ok(Bytes::from_static(b"data: 2\n\n")),
        ]);
        let json = serde_json::json!({"name": "ada", "tags": ["x", "\u{e9}"], "n": 1});
        type Case = (
            http::Response<Body>,
            u16,
            &'static [(&'static str, &'static str)],
            &'static [u8],
        );
        let cases: Vec<Case> = vec![
            (
                Response::text("hi"),
                200,
                &[
                    ("content-type", "text/plain; charset=utf-8"),
                    ("content-length", "2"),
                ],
                b"hi",
            ),
            (
                Response::text(String::from("caf\u{e9}")),
                200,
                &[
                    ("content-type", "text/plain; charset=utf-8"),
                    ("content-length", "5"),
                ],
                "caf\u{e9}".as_bytes(),
            ),
            (
                Response::text(""),
                200,
                &[
                    ("content-type", "text/plain; charset=utf-8"),
                    ("content-length", "0"),
                ],
                b"",
            ),
            (
                Response::html("<p>hi</p>"),
                200,
                &[
                    ("content-type", "text/html; charset=utf-8"),
                    ("content-length", "9"),
                ],
                b"<p>hi</p>",
            ),
            (
                Response::json(&json),
                200,
                &[
                    ("content-type", "application/json"),
                    ("content-length", "38"),
                ],
                "{\"n\":1,\"name\":\"ada\",\"tags\":[\"x\",\"\u{e9}\"]}".as_bytes(),
            ),
            (
                Response::json(&serde_json::Value::Null),
                200,
                &[
                    ("content-type", "application/json"),
                    ("content-length", "4"),
                ],
                b"null",
            ),
            (
                Response::json_bytes(Bytes::from_static(b"[1,2]")),
                200,
                &[
                    ("content-type", "application/json"),
                    ("content-length", "5"),
                ],
                b"[1,2]",
            ),
            (
                Response::bytes(HeaderValue::from_static("image/png"), vec![0x89, b'P']),
                200,
                &[("content-type", "image/png"), ("content-length", "2")],
                &[0x89, b'P'],
            ),
            (
                Response::stream(HeaderValue::from_static("text/event-stream"), chunks),
                200,
                &[("content-type", "text/event-stream")],
                b"data: 1\n\ndata: 2\n\n",
            ),
            (Response::empty(StatusCode::NO_CONTENT), 204, &[], b""),
            (Response::empty(StatusCode::NOT_MODIFIED), 304, &[], b""),
            (Response::empty(StatusCode::CONTINUE), 100, &[], b""),
            (
                Response::empty(StatusCode::ACCEPTED),
                202,
                &[("content-length", "0")],
                b"",
            ),
            (
                Response::redirect("/done").unwrap(),
                303,
                &[("content-length", "0"), ("location", "/done")],
                b"",
            ),
            (
                Response::redirect("/caf\u{e9} au lait").unwrap(),
                303,
                &[
                    ("content-length", "0"),
                    ("location", "/caf%C3%A9%20au%20lait"),
                ],
                b"",
            ),
            (
                Response::redirect_with(StatusCode::MOVED_PERMANENTLY, "https://example.com/")
                    .unwrap(),
                301,
                &[
                    ("content-length", "0"),
                    ("location", "https://example.com/"),
                ],
                b"",
            ),
            (
                Response::redirect_with(StatusCode::FOUND, "/x").unwrap(),
                302,
                &[("content-length", "0"), ("location", "/x")],
                b"",
            ),
            (
                Response::redirect_with(StatusCode::TEMPORARY_REDIRECT, "/x").unwrap(),
                307,
                &[("content-length", "0"), ("location", "/x")],
                b"",
            ),
            (
                Response::redirect_with(StatusCode::PERMANENT_REDIRECT, "/x").unwrap(),
                308,
                &[("content-length", "0"), ("location", "/x")],
                b"",
            ),
            (
                Response::attachment("report.csv", "a,b\n"),
                200,
                &[
                    ("content-type", "application/octet-stream"),
                    ("content-length", "4"),
                    ("content-disposition", "attachment; filename=\"report.csv\""),
                ],
                b"a,b\n",
            ),
            (
                Response::attachment("r\u{e9}sum\u{e9}.pdf", "%PDF"),
                200,
                &[
                    ("content-type", "application/octet-stream"),
                    ("content-length", "4"),
                    (
                        "content-disposition",
                        "attachment; filename=\"resume.pdf\"; \
                         filename*=UTF-8''r%C3%A9sum%C3%A9.pdf",
                    ),
                ],
                b"%PDF",
            ),
            (
                Response::attachment("a\"b\r\n.txt", ""),
                200,
                &[
                    ("content-type", "application/octet-stream"),
                    ("content-length", "0"),
                    ("content-disposition", "attachment; filename=\"a\\\"b.txt\""),
                ],
                b"",
            ),
        ];
        for (i, (response, status, expected_headers, body)) in cases.into_iter().enumerate() {
            let got = parts(response).await;
            assert_eq!(
                got,
                (status, headers(expected_headers), Bytes::from_static(body)),
                "case {i}"
            );
        }
    }

    #[test]
    fn redirects_refuse_bad_targets_and_statuses() {
        let cases: &[(StatusCode, &str)] = &[
            (StatusCode::SEE_OTHER, "/a\r\nSet-Cookie: admin=1"),
            (StatusCode::SEE_OTHER, "/a\nb"),
            (StatusCode::SEE_OTHER, "/a\rb"),
            (StatusCode::SEE_OTHER, ""),
            (StatusCode::OK, "/x"),
            (StatusCode::MULTIPLE_CHOICES, "/x"),
            (StatusCode::NOT_MODIFIED, "/x"),
            (StatusCode::USE_PROXY, "/x"),
            (StatusCode::NOT_FOUND, "/x"),
        ];
        for (status, location) in cases {
            assert!(
                Response::redirect_with(*status, location).is_err(),
                "{status} {location:?}"
            );
        }
        assert!(Response::redirect("/\r\n").is_err());
    }

    #[tokio::test]
    async fn http_error_becomes_a_response() {
        let error = HttpError::method_not_allowed([http::Method::GET]);
        let expected = http::Response::<Bytes>::from(error.clone());
        let response: http::Response<Body> = error.into();
        assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED);
        assert_eq!(response.headers(), expected.headers());
        assert_eq!(response.headers()["allow"], "GET");
        assert_eq!(response.headers()[X_CONTENT_TYPE_OPTIONS], "nosniff");
        assert_eq!(response.headers()[CACHE_CONTROL], "no-store");
        let length = http_body::Body::size_hint(response.body()).exact();
        assert_eq!(length, Some(expected.body().len() as u64));
        let (_, _, body) = parts(response).await;
        assert_eq!(body, *expected.body());
    }
}
