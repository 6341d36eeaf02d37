//! Building the debugger's own responses: the security headers every one
//! carries, the CSP nonce, and the cookies.

use bytes::Bytes;
use http::header::{self, HeaderMap, HeaderValue};
use http::{Response, StatusCode};
use tackle_http::cookie::cookie_pairs;
use tackle_report::catch_panic::ResponseBody;

use crate::secret::random_hex;

/// The double-submit cookie: the same value as the forms' `csrf` field.
pub(crate) const CSRF_COOKIE: &str = "tackle_debug_csrf";
/// The cookie a right PIN sets.
pub(crate) const PIN_COOKIE: &str = "tackle_debug_pin";

/// A fresh random nonce for one page's CSP.
pub(crate) fn nonce() -> String {
    random_hex(16)
}

/// The headers every debugger response carries; the CSP with `nonce`.
fn security_headers(headers: &mut HeaderMap, nonce: &str) {
    let csp = format!(
        "default-src 'none'; style-src 'nonce-{nonce}'; script-src 'nonce-{nonce}'; \
         img-src 'self'; connect-src 'none'; frame-ancestors 'none'; base-uri 'none'; \
         form-action 'self'"
    );
    if let Ok(value) = HeaderValue::from_str(&csp) {
        headers.insert(header::CONTENT_SECURITY_POLICY, value);
    }
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
}

/// A response of the debugger's own, with the security headers.
pub(crate) fn respond<B>(
    status: StatusCode,
    content_type: &'static str,
    body: String,
    nonce: &str,
) -> Response<ResponseBody<B>> {
    let mut response = Response::new(ResponseBody::own(Bytes::from(body)));
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    security_headers(response.headers_mut(), nonce);
    response
}

/// An HTML page rendered with a fresh nonce; it sets the double-submit
/// cookie so that its forms work.
pub(crate) fn page<B>(
    status: StatusCode,
    csrf: &str,
    render: impl FnOnce(&str) -> String,
) -> Response<ResponseBody<B>> {
    let nonce = nonce();
    let body = render(&nonce);
    let mut response = respond(status, "text/html; charset=utf-8", body, &nonce);
    set_cookie(response.headers_mut(), CSRF_COOKIE, csrf, None);
    response
}

/// A `303 See Other` to `location` (a path of ours).
pub(crate) fn see_other<B>(location: &str) -> Response<ResponseBody<B>> {
    let mut response = respond(
        StatusCode::SEE_OTHER,
        "text/plain; charset=utf-8",
        format!("See {location}\n"),
        &nonce(),
    );
    if let Ok(value) = HeaderValue::from_str(location) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    response
}

/// Adds a `Set-Cookie` for the debugger's paths only, `HttpOnly` and
/// `SameSite=Strict`; `max_age` in seconds (session cookie without).
pub(crate) fn set_cookie(headers: &mut HeaderMap, name: &str, value: &str, max_age: Option<u64>) {
    let mut cookie = format!("{name}={value}; Path=/_debug; HttpOnly; SameSite=Strict");
    if let Some(max_age) = max_age {
        cookie.push_str(&format!("; Max-Age={max_age}"));
    }
    if let Ok(value) = HeaderValue::from_str(&cookie) {
        headers.append(header::SET_COOKIE, value);
    }
}

/// The value of cookie `name` in the request's `Cookie` headers.
pub(crate) fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(cookie_pairs)
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value.into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookies_are_found_among_others() {
        let mut headers = HeaderMap::new();
        headers.append(header::COOKIE, HeaderValue::from_static("a=1; b=2"));
        headers.append(
            header::COOKIE,
            HeaderValue::from_static("tackle_debug_pin=abc"),
        );
        assert_eq!(cookie(&headers, "b").as_deref(), Some("2"));
        assert_eq!(cookie(&headers, PIN_COOKIE).as_deref(), Some("abc"));
        assert_eq!(cookie(&headers, "c"), None);
    }

    #[test]
    fn pages_carry_the_security_headers_and_cookie() {
        let response: Response<ResponseBody<http_body_util::Empty<Bytes>>> =
            page(StatusCode::OK, "c0ffee", |nonce| format!("<p>{nonce}</p>"));
        let headers = response.headers();
        let csp = headers[header::CONTENT_SECURITY_POLICY].to_str().unwrap();
        assert!(csp.contains("frame-ancestors 'none'"));
        assert_eq!(headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
        assert_eq!(headers[header::CACHE_CONTROL], "no-store");
        assert_eq!(headers[header::REFERRER_POLICY], "no-referrer");
        assert_eq!(
            headers[header::SET_COOKIE],
            "tackle_debug_csrf=c0ffee; Path=/_debug; HttpOnly; SameSite=Strict"
        );
    }
}
