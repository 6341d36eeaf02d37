//! The showcase application: one function from request to response, so the
//! binary (`main.rs`) and the socket test (`tests/showcase.rs`) serve the
//! same app.

use bytes::Bytes;
use http::{Method, Request, Response, StatusCode, header};
use http_body_util::Full;

/// The crates tackle is made of, with their state, for the home page.
const CRATES: &[(&str, &str, &str)] = &[
    (
        "tackle-http",
        "HTTP vocabulary: headers, negotiation, ranges, conditional requests",
        "ready",
    ),
    (
        "tackle-request",
        "Request/response objects, forms, multipart uploads, HTTP errors",
        "planned",
    ),
    (
        "tackle-routing",
        "Router on matchit with converters, slash policy, URL building",
        "planned",
    ),
    (
        "tackle-cache",
        "ETag, conditional-request and Cache-Control layers",
        "planned",
    ),
    (
        "tackle-static",
        "Static files with ranges, precompression and cache policy",
        "planned",
    ),
    (
        "tackle-session",
        "Sessions: signed/encrypted cookie, memory and Redis stores",
        "planned",
    ),
    (
        "tackle-errormail",
        "Panics and 5xx mailed to admins, de-duplicated and throttled",
        "planned",
    ),
    (
        "tackle-debugger",
        "Interactive in-browser error page, safe by default",
        "planned",
    ),
    (
        "tackle-testing",
        "In-process and loopback test client",
        "planned",
    ),
];

/// Answers one request.
pub fn handle<B>(req: &Request<B>) -> Response<Full<Bytes>> {
    let response = match (req.method(), req.uri().path()) {
        (&Method::GET | &Method::HEAD, "/") => home(),
        (_, "/") => {
            let mut r = text(StatusCode::METHOD_NOT_ALLOWED, "405 Method Not Allowed\n");
            r.headers_mut()
                .insert(header::ALLOW, header::HeaderValue::from_static("GET, HEAD"));
            r
        }
        _ => text(StatusCode::NOT_FOUND, "404 Not Found\n"),
    };
    if req.method() == Method::HEAD {
        let (parts, _) = response.into_parts();
        return Response::from_parts(parts, Full::new(Bytes::new()));
    }
    response
}

fn home() -> Response<Full<Bytes>> {
    let mut rows = String::new();
    for (name, what, state) in CRATES {
        rows.push_str(&format!(
            "<tr><td><code>{name}</code></td><td>{what}</td><td>{state}</td></tr>\n"
        ));
    }
    let body = format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <title>tackle showcase</title></head>\n<body>\n<h1>tackle</h1>\n\
         <p>Werkzeug-style building blocks for tower and hyper services.</p>\n\
         <table>\n<tr><th>crate</th><th>what</th><th>state</th></tr>\n{rows}</table>\n\
         </body></html>\n"
    );
    Response::builder()
        .header(header::CONTENT_TYPE, "text/html; charset=utf-8")
        .header(header::CONTENT_LENGTH, body.len())
        .body(Full::new(Bytes::from(body)))
        .unwrap_or_default()
}

fn text(status: StatusCode, body: &'static str) -> Response<Full<Bytes>> {
    Response::builder()
        .status(status)
        .header(header::CONTENT_TYPE, "text/plain; charset=utf-8")
        .header(header::CONTENT_LENGTH, body.len())
        .body(Full::new(Bytes::from_static(body.as_bytes())))
        .unwrap_or_default()
}
