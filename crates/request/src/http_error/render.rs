//! Rendering an [`HttpError`] as a response: an HTML page, RFC 9457 problem
//! details, or plain text, chosen by the request's `Accept` (RFC 9110
//! §12.5.1).

use std::fmt::Write;

use bytes::Bytes;
use http::header::{CACHE_CONTROL, CONTENT_LENGTH, CONTENT_TYPE, X_CONTENT_TYPE_OPTIONS};
use http::{HeaderMap, HeaderValue, Response};
use tackle_http::{Accept, TypedHeader};

use super::HttpError;

/// The representations an error has, in the order that breaks ties: a
/// client that accepts anything (`*/*`, or no `Accept` at all) gets HTML, as
/// in Werkzeug, since that is what a person in a browser can read.
const OFFERS: [(&str, Representation); 4] = [
    ("text/html", Representation::Html),
    ("application/problem+json", Representation::Problem),
    ("application/json", Representation::Json),
    ("text/plain", Representation::Text),
];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Representation {
    Html,
    /// RFC 9457 problem details as `application/problem+json`.
    Problem,
    /// The same document labelled `application/json`, for clients that
    /// accept only that.
    Json,
    Text,
}

impl Representation {
    /// The client's preferred representation. When it accepts none of them,
    /// an error is still better than a 406 about an error: plain text, the
    /// one any client can show (RFC 9110 §12.5.1 allows disregarding
    /// `Accept`).
    fn negotiate(accept: Option<&Accept>) -> Self {
        let Some(accept) = accept else {
            return Representation::Html;
        };
        let best = accept.best_match(OFFERS.iter().map(|(media_type, _)| *media_type));
        OFFERS
            .iter()
            .find(|(media_type, _)| Some(*media_type) == best)
            .map_or(Representation::Text, |(_, representation)| *representation)
    }

    fn content_type(self) -> &'static str {
        match self {
            Representation::Html => "text/html; charset=utf-8",
            Representation::Problem => "application/problem+json",
            Representation::Json => "application/json",
            Representation::Text => "text/plain; charset=utf-8",
        }
    }
}

impl HttpError {
    /// The response for a request whose `Accept` field is `accept` (`None`
    /// when absent, which is answered in HTML, as `*/*` is).
    ///
    /// HTML for `text/html`; RFC 9457 problem details (`type`, `title`,
    /// `status`, `detail`) as `application/problem+json`, or as
    /// `application/json` when the client takes only that; `404 Not Found:
    /// message` for `text/plain` and for clients that accept none of these.
    /// The extra [`headers`](Self::headers) are copied, and
    /// `Content-Type`, `Content-Length`, `X-Content-Type-Options: nosniff`
    /// and (unless the extra headers set one) `Cache-Control: no-store` are
    /// set, so that a proxy does not keep an error meant for one request. The
    /// body is sent for `HEAD` too: dropping it is the caller's job.
    pub fn render(&self, accept: Option<&HeaderValue>) -> Response<Bytes> {
        let accept = accept.and_then(|value| Accept::from_header(value).ok());
        self.respond(
            Representation::negotiate(accept.as_ref()),
            self.headers().clone(),
        )
    }

    /// The response for a request with `request_headers`: as
    /// [`render`](Self::render), combining all its `Accept` field lines.
    pub fn to_response(&self, request_headers: &HeaderMap) -> Response<Bytes> {
        let accept = Accept::from_headers(request_headers).and_then(Result::ok);
        self.respond(
            Representation::negotiate(accept.as_ref()),
            self.headers().clone(),
        )
    }

    fn respond(&self, representation: Representation, mut headers: HeaderMap) -> Response<Bytes> {
        let body = match representation {
            Representation::Html => self.html(),
            Representation::Problem | Representation::Json => self.problem_details(),
            Representation::Text => format!("{self}\n"),
        };
        headers.insert(
            CONTENT_TYPE,
            HeaderValue::from_static(representation.content_type()),
        );
        headers.insert(CONTENT_LENGTH, HeaderValue::from(body.len()));
        headers.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
        if !headers.contains_key(CACHE_CONTROL) {
            headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
        }
        let mut response = Response::new(Bytes::from(body));
        *response.status_mut() = self.status();
        *response.headers_mut() = headers;
        response
    }

    /// A minimal valid HTML5 page; every piece of text is escaped, since the
    /// message may quote the request.
    fn html(&self) -> String {
        let reason = self.reason();
        let mut page = String::with_capacity(200 + self.message().len());
        page.push_str(
            "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>",
        );
        page.push_str(self.status().as_str());
        page.push(' ');
        escape_html(&mut page, reason);
        page.push_str("</title>\n</head>\n<body>\n<h1>");
        escape_html(&mut page, reason);
        page.push_str("</h1>\n<p>");
        escape_html(&mut page, self.message());
        page.push_str("</p>\n</body>\n</html>\n");
        page
    }

    /// RFC 9457 §3.1 members, `type` being `about:blank` since the status
    /// says all there is about the problem's type.
    fn problem_details(&self) -> String {
        let title = serde_json::Value::from(self.reason());
        let detail = serde_json::Value::from(self.message());
        let mut document = String::with_capacity(80 + self.message().len());
        // Writing to a String cannot fail.
        let _ = write!(
            document,
            "{{\"type\":\"about:blank\",\"title\":{title},\"status\":{},\"detail\":{detail}}}",
            self.status().as_u16()
        );
        document
    }
}

impl From<HttpError> for Response<Bytes> {
    /// Renders as [`HttpError::render`] does for a request without
    /// `Accept`: an HTML page.
    fn from(mut error: HttpError) -> Self {
        let headers = std::mem::take(&mut error.0.headers);
        error.respond(Representation::Html, headers)
    }
}

/// Appends `text` with the five HTML-special characters escaped, so that it
/// is inert in element content and in quoted attribute values.
fn escape_html(out: &mut String, text: &str) {
    let mut rest = text;
    while let Some(at) = rest.find(['&', '<', '>', '"', '\'']) {
        let (plain, special) = rest.split_at(at);
        out.push_str(plain);
        let mut chars = special.chars();
        out.push_str(match chars.next() {
            Some('&') => "&amp;",
            Some('<') => "&lt;",
            Some('>') => "&gt;",
            Some('"') => "&quot;",
            _ => "&#39;",
        });
        rest = chars.as_str();
    }
    out.push_str(rest);
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::StatusCode;
    use http::header::{ACCEPT, ALLOW, RETRY_AFTER};
    use proptest::prelude::*;
    use std::time::Duration;

    fn body_text(response: &Response<Bytes>) -> &str {
        std::str::from_utf8(response.body()).unwrap()
    }

    const HTML: &str = "text/html; charset=utf-8";
    const PROBLEM: &str = "application/problem+json";
    const JSON: &str = "application/json";
    const TEXT: &str = "text/plain; charset=utf-8";

    /// `(Accept, Content-Type of the error response)`.
    const ACCEPT_CASES: &[(Option<&str>, &str)] = &[
        (None, HTML),
        (Some("*/*"), HTML),
        (Some(""), HTML),
        (Some("%%%, ;;"), HTML),
        (Some("text/html"), HTML),
        (
            Some("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"),
            HTML,
        ),
        (Some("text/*"), HTML),
        (Some("TEXT/HTML;q=0.9"), HTML),
        (Some("application/problem+json"), PROBLEM),
        (Some("application/*"), PROBLEM),
        (Some("application/json, application/problem+json"), PROBLEM),
        (Some("text/html;q=0, */*"), PROBLEM),
        (Some("application/json"), JSON),
        (Some("application/json;q=0.5, text/plain;q=0.5"), JSON),
        (Some("text/html;q=0.1, application/json;q=0.9"), JSON),
        (
            Some("application/problem+json;q=0.2, application/json;q=0.4"),
            JSON,
        ),
        (Some("text/plain"), TEXT),
        (Some("text/*;q=0.5, text/plain"), TEXT),
        (Some("*/*;q=0.1, text/plain;q=0.2"), TEXT),
        (Some("image/png"), TEXT),
        (Some("*/*;q=0"), TEXT),
        (Some("application/xml, image/*"), TEXT),
    ];

    #[test]
    fn negotiates_by_accept() {
        let error = HttpError::not_found();
        for &(accept, expected) in ACCEPT_CASES {
            let value = accept.map(HeaderValue::from_static);
            let response = error.render(value.as_ref());
            assert_eq!(response.headers()[CONTENT_TYPE], expected, "{accept:?}");
            let mut request_headers = HeaderMap::new();
            if let Some(value) = value {
                request_headers.insert(ACCEPT, value);
            }
            let response = error.to_response(&request_headers);
            assert_eq!(response.headers()[CONTENT_TYPE], expected, "{accept:?}");
        }
    }

    #[test]
    fn combines_accept_lines_and_reads_latin1() {
        let mut request_headers = HeaderMap::new();
        request_headers.append(ACCEPT, HeaderValue::from_static("text/html;q=0.1"));
        request_headers.append(ACCEPT, HeaderValue::from_static("text/plain"));
        let response = HttpError::gone().to_response(&request_headers);
        assert_eq!(response.headers()[CONTENT_TYPE], TEXT);

        let latin1 = HeaderValue::from_bytes(b"application/json, text/\xe9").unwrap();
        let response = HttpError::gone().render(Some(&latin1));
        assert_eq!(response.headers()[CONTENT_TYPE], JSON);
    }

    #[test]
    fn bodies() {
        let error = HttpError::bad_request("missing \"q\"");
        let text = error.render(Some(&HeaderValue::from_static("text/plain")));
        assert_eq!(body_text(&text), "400 Bad Request: missing \"q\"\n");

        let html = error.render(None);
        assert_eq!(
            body_text(&html),
            "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
             <title>400 Bad Request</title>\n</head>\n<body>\n<h1>Bad Request</h1>\n\
             <p>missing &quot;q&quot;</p>\n</body>\n</html>\n"
        );

        let json = error.render(Some(&HeaderValue::from_static("application/json")));
        assert_eq!(
            body_text(&json),
            r#"{"type":"about:blank","title":"Bad Request","status":400,"detail":"missing \"q\""}"#
        );
    }

    #[test]
    fn problem_details_parse_back() {
        let cases: &[(HttpError, &str, u64, &str)] = &[
            (
                HttpError::not_found(),
                "Not Found",
                404,
                "The requested URL was not found on the server.",
            ),
            (
                HttpError::bad_request("tab\t, quote \", backslash \\, nul \0, é, 🦀"),
                "Bad Request",
                400,
                "tab\t, quote \", backslash \\, nul \0, é, 🦀",
            ),
            (
                HttpError::new(StatusCode::from_u16(599).unwrap(), "</script>"),
                "Server Error",
                599,
                "</script>",
            ),
        ];
        for (error, title, status, detail) in cases {
            let response = error.render(Some(&HeaderValue::from_static(PROBLEM)));
            assert_eq!(response.headers()[CONTENT_TYPE], PROBLEM);
            let document: serde_json::Value = serde_json::from_slice(response.body()).unwrap();
            let object = document.as_object().unwrap();
            assert_eq!(object.len(), 4, "{error}");
            assert_eq!(object["type"], "about:blank", "{error}");
            assert_eq!(object["title"], *title, "{error}");
            assert_eq!(object["status"].as_u64(), Some(*status), "{error}");
            assert_eq!(object["detail"], *detail, "{error}");
        }
    }

    #[test]
    fn html_escapes_everything() {
        let error = HttpError::bad_request("<script>alert('x&y')</script> \"<b>\"");
        let response = error.render(Some(&HeaderValue::from_static("text/html")));
        let page = body_text(&response);
        assert!(!page.contains("<script"), "{page}");
        assert!(!page.contains("<b>"), "{page}");
        assert!(page.contains(
            "<p>&lt;script&gt;alert(&#39;x&amp;y&#39;)&lt;/script&gt; &quot;&lt;b&gt;&quot;</p>"
        ));
        let teapot = HttpError::from_status(StatusCode::IM_A_TEAPOT).render(None);
        assert!(body_text(&teapot).contains("<h1>I&#39;m a teapot</h1>"));
    }

    #[test]
    fn standard_headers() {
        let error = HttpError::too_many_requests(Some(Duration::from_secs(5)))
            .with_header(CONTENT_TYPE, HeaderValue::from_static("image/png"))
            .with_header(CONTENT_LENGTH, HeaderValue::from_static("999"));
        for &(accept, _) in ACCEPT_CASES {
            let value = accept.map(HeaderValue::from_static);
            let response = error.render(value.as_ref());
            let headers = response.headers();
            assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
            assert_ne!(headers[CONTENT_TYPE], "image/png");
            assert_eq!(
                headers[CONTENT_LENGTH],
                response.body().len().to_string().as_str()
            );
            assert_eq!(headers[X_CONTENT_TYPE_OPTIONS], "nosniff");
            assert_eq!(headers[CACHE_CONTROL], "no-store");
            assert_eq!(headers[RETRY_AFTER], "5");
            assert_eq!(headers.len(), 5, "{accept:?}");
        }

        let cached = HttpError::gone()
            .with_header(CACHE_CONTROL, HeaderValue::from_static("max-age=3600"))
            .render(None);
        assert_eq!(cached.headers()[CACHE_CONTROL], "max-age=3600");
    }

    #[test]
    fn into_response_is_html_and_keeps_headers() {
        let response: Response<Bytes> = HttpError::method_not_allowed([http::Method::GET]).into();
        assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED);
        assert_eq!(response.headers()[CONTENT_TYPE], HTML);
        assert_eq!(response.headers()[ALLOW], "GET");
        assert!(body_text(&response).contains("<h1>Method Not Allowed</h1>"));
    }

    #[test]
    fn escape_html_cases() {
        let cases: &[(&str, &str)] = &[
            ("", ""),
            ("plain", "plain"),
            ("a&b", "a&amp;b"),
            ("<>", "&lt;&gt;"),
            ("\"'", "&quot;&#39;"),
            ("é<é", "é&lt;é"),
            ("&amp;", "&amp;amp;"),
        ];
        for &(input, expected) in cases {
            let mut out = String::new();
            escape_html(&mut out, input);
            assert_eq!(out, expected, "{input}");
        }
    }

    proptest! {
        #[test]
        fn any_message_renders_safely(message in any::<String>()) {
            let error = HttpError::bad_request(message.clone());
            let page = error.render(Some(&HeaderValue::from_static("text/html")));
            let page = body_text(&page);
            let start = page.find("<p>").unwrap() + 3;
            let end = page.rfind("</p>").unwrap();
            prop_assert!(!page[start..end].contains(['<', '>']));

            let json = error.render(Some(&HeaderValue::from_static(JSON)));
            let document: serde_json::Value = serde_json::from_slice(json.body()).unwrap();
            prop_assert_eq!(document["detail"].as_str(), Some(message.as_str()));

            let text = error.render(Some(&HeaderValue::from_static("text/plain")));
            prop_assert_eq!(body_text(&text), format!("400 Bad Request: {message}\n"));
        }
    }
}
