//! [`ResponseExt`]: builder methods on `http::Response` for the status and
//! the response headers tackle has types for (`Set-Cookie` RFC 6265 §4.1,
//! `ETag` RFC 9110 §8.8.3, `Last-Modified` §8.8.2, `Cache-Control` RFC 9111
//! §5.2).

use cookie::time::{Duration, OffsetDateTime};
use http::header::{CACHE_CONTROL, ETAG, LAST_MODIFIED, SET_COOKIE};
use http::{HeaderName, HeaderValue, StatusCode};
use tackle_http::cookie::Cookie;
use tackle_http::{CacheControl, EntityTag, HttpDate, LastModified, SetCookie, TypedHeader};

/// Builder methods for any `http::Response`, taking and returning it by
/// value so that they chain after a [`Response`](super::Response)
/// constructor.
///
/// Every method but the cookie ones replaces the header it sets; a cookie
/// is appended as a `Set-Cookie` line of its own (RFC 6265 §3: several
/// cookies are never joined with commas).
///
/// ```
/// use http::{StatusCode, header};
/// use tackle_http::cookie::{Cookie, SetCookie};
/// use tackle_http::{CacheControl, EntityTag};
/// use tackle_request::response::{Response, ResponseExt};
///
/// let response = Response::text("created")
///     .with_status(StatusCode::CREATED)
///     .with_etag(&EntityTag::strong("v1")?)
///     .with_cache_control(&CacheControl::new().with_no_cache())
///     .with_cookie(&SetCookie::new(Cookie::new("theme", "dark"))?)
///     .with_deleted_cookie("session", "/");
/// assert_eq!(response.status(), StatusCode::CREATED);
/// assert_eq!(response.headers()[header::ETAG], "\"v1\"");
/// assert_eq!(response.headers().get_all(header::SET_COOKIE).iter().count(), 2);
/// # Ok::<(), tackle_http::ParseError>(())
/// ```
pub trait ResponseExt: Sized {
    /// Sets the status.
    fn with_status(self, status: StatusCode) -> Self;

    /// Sets a header, replacing any value of that name.
    fn with_header(self, name: HeaderName, value: HeaderValue) -> Self;

    /// Sets a typed header, replacing any value of that name.
    fn with_typed_header<H: TypedHeader>(self, header: &H) -> Self;

    /// Appends a `Set-Cookie` line, keeping those already set.
    fn with_cookie(self, cookie: &SetCookie) -> Self;

    /// Appends a `Set-Cookie` line that makes the browser drop the cookie
    /// `name` set for `path`: an empty value, `Max-Age=0` and an `Expires`
    /// in 1970 for clients older than `Max-Age`.
    ///
    /// A cookie set with a `Domain` or `SameSite=None` is dropped only by
    /// a line that repeats them: build it with [`Cookie::build`], call
    /// `make_removal()` (or set `Max-Age=0`) and pass it to [`with_cookie`](Self::with_cookie).
    /// A name that is not a token, or a path holding `;` or a control
    /// character, adds nothing: [`SetCookie`] refuses to set such a cookie,
    /// so there is none to drop.
    fn with_deleted_cookie(self, name: &str, path: &str) -> Self;

    /// Sets `ETag`.
    fn with_etag(self, etag: &EntityTag) -> Self;

    /// Sets `Last-Modified`.
    fn with_last_modified(self, date: HttpDate) -> Self;

    /// Sets `Cache-Control`.
    fn with_cache_control(self, cache_control: &CacheControl) -> Self;
}

impl<B> ResponseExt for http::Response<B> {
    fn with_status(mut self, status: StatusCode) -> Self {
        *self.status_mut() = status;
        self
    }

    fn with_header(mut self, name: HeaderName, value: HeaderValue) -> Self {
        self.headers_mut().insert(name, value);
        self
    }

    fn with_typed_header<H: TypedHeader>(self, header: &H) -> Self {
        self.with_header(H::NAME, header.to_header_value())
    }

    fn with_cookie(mut self, cookie: &SetCookie) -> Self {
        self.headers_mut()
            .append(SET_COOKIE, cookie.to_header_value());
        self
    }

    fn with_deleted_cookie(self, name: &str, path: &str) -> Self {
        // A fixed `Expires` rather than `make_removal`'s a year before now,
        // so the line is the same on every response.
        let cookie = Cookie::build((name.to_owned(), ""))
            .path(path.to_owned())
            .max_age(Duration::ZERO)
            .expires(OffsetDateTime::UNIX_EPOCH)
            .build();
        match SetCookie::new(cookie) {
            Ok(cookie) => self.with_cookie(&cookie),
            Err(_) => self,
        }
    }

    fn with_etag(self, etag: &EntityTag) -> Self {
        self.with_header(ETAG, etag.to_header_value())
    }

    fn with_last_modified(self, date: HttpDate) -> Self {
        self.with_header(LAST_MODIFIED, LastModified(date).to_header_value())
    }

    fn with_cache_control(self, cache_control: &CacheControl) -> Self {
        self.with_header(CACHE_CONTROL, cache_control.to_header_value())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::response::{Body, Response};
    use tackle_http::SameSite;

    fn set_cookie(cookie: Cookie<'static>) -> SetCookie {
        SetCookie::new(cookie).unwrap()
    }

    fn header_lines(response: &http::Response<Body>) -> Vec<(String, String)> {
        response
            .headers()
            .iter()
            .map(|(n, v)| (n.to_string(), v.to_str().unwrap().to_string()))
            .collect()
    }

    #[test]
    fn builder_methods() {
        let date = HttpDate::from_unix_secs(784_111_777).unwrap();
        let session = Cookie::build(("session", "abc"))
            .path("/")
            .http_only(true)
            .same_site(SameSite::Lax)
            .build();
        type Case = (
            http::Response<Body>,
            u16,
            &'static [(&'static str, &'static str)],
        );
        let cases: Vec<Case> = vec![
            (
                Response::empty(StatusCode::OK).with_status(StatusCode::CREATED),
                201,
                &[("content-length", "0")],
            ),
            (
                Response::empty(StatusCode::OK)
                    .with_header(CACHE_CONTROL, HeaderValue::from_static("no-store"))
                    .with_header(CACHE_CONTROL, HeaderValue::from_static("private")),
                200,
                &[("content-length", "0"), ("cache-control", "private")],
            ),
            (
                Response::empty(StatusCode::OK).with_typed_header(&LastModified(date)),
                200,
                &[
                    ("content-length", "0"),
                    ("last-modified", "Sun, 06 Nov 1994 08:49:37 GMT"),
                ],
            ),
            (
                Response::empty(StatusCode::OK).with_etag(&EntityTag::strong("xyz").unwrap()),
                200,
                &[("content-length", "0"), ("etag", "\"xyz\"")],
            ),
            (
                Response::empty(StatusCode::OK).with_etag(&EntityTag::weak("w").unwrap()),
                200,
                &[("content-length", "0"), ("etag", "W/\"w\"")],
            ),
            (
                Response::empty(StatusCode::OK).with_last_modified(date),
                200,
                &[
                    ("content-length", "0"),
                    ("last-modified", "Sun, 06 Nov 1994 08:49:37 GMT"),
                ],
            ),
            (
                Response::empty(StatusCode::OK)
                    .with_cache_control(&CacheControl::new().with_no_store()),
                200,
                &[("content-length", "0"), ("cache-control", "no-store")],
            ),
            (
                Response::empty(StatusCode::OK)
                    .with_cookie(&set_cookie(session.clone()))
                    .with_cookie(&set_cookie(Cookie::new("theme", "dark")))
                    .with_cookie(&set_cookie(Cookie::new("lang", "en"))),
                200,
                &[
                    ("content-length", "0"),
                    ("set-cookie", "session=abc; HttpOnly; SameSite=Lax; Path=/"),
                    ("set-cookie", "theme=dark"),
                    ("set-cookie", "lang=en"),
                ],
            ),
            (
                Response::empty(StatusCode::OK).with_deleted_cookie("session", "/"),
                200,
                &[
                    ("content-length", "0"),
                    (
                        "set-cookie",
                        "session=; Path=/; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT",
                    ),
                ],
            ),
            (
                Response::empty(StatusCode::OK)
                    .with_cookie(&set_cookie(Cookie::new("theme", "dark")))
                    .with_deleted_cookie("session", "/app"),
                200,
                &[
                    ("content-length", "0"),
                    ("set-cookie", "theme=dark"),
                    (
                        "set-cookie",
                        "session=; Path=/app; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT",
                    ),
                ],
            ),
            (
                Response::empty(StatusCode::OK).with_deleted_cookie("bad name", "/"),
                200,
                &[("content-length", "0")],
            ),
            (
                Response::empty(StatusCode::OK).with_deleted_cookie("s", "/; Domain=evil"),
                200,
                &[("content-length", "0")],
            ),
        ];
        for (i, (response, status, headers)) in cases.into_iter().enumerate() {
            assert_eq!(response.status().as_u16(), status, "case {i}");
            let expected: Vec<(String, String)> = headers
                .iter()
                .map(|(n, v)| (n.to_string(), v.to_string()))
                .collect();
            assert_eq!(header_lines(&response), expected, "case {i}");
        }
    }

    #[test]
    fn set_cookie_lines_read_back() {
        let response = Response::text("ok")
            .with_cookie(&set_cookie(Cookie::new("a", "1")))
            .with_cookie(&set_cookie(Cookie::new("b", "2")));
        let cookies: Vec<SetCookie> = SetCookie::all_from_headers(response.headers())
            .collect::<Result<_, _>>()
            .unwrap();
        let names: Vec<&str> = cookies.iter().map(|c| c.cookie().name()).collect();
        assert_eq!(names, ["a", "b"]);
    }

    #[test]
    fn works_on_any_body_type() {
        let response = http::Response::new(()).with_status(StatusCode::ACCEPTED);
        assert_eq!(response.status(), StatusCode::ACCEPTED);
    }
}
