//! The showcase application: one function from request to response, so the
//! binary (`main.rs`) and the socket test (`tests/showcase.rs`) serve the
//! same app.
//!
//! Today it shows tackle-http at work: the home page is negotiated between
//! HTML and JSON by `Accept`, carries a strong `ETag` and `Cache-Control`,
//! and answers `If-None-Match` with 304 through the conditional evaluator.

use std::hash::{DefaultHasher, Hash, Hasher};

use bytes::Bytes;
use http::{HeaderValue, Method, Request, Response, StatusCode, header};
use http_body_util::Full;
use tackle::http::{
    Accept, CacheControl, EntityTag, NOT_MODIFIED_KEEPS, Outcome, Preconditions, TypedHeader,
    Validators,
};

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

const HTML: &str = "text/html";
const JSON: &str = "application/json";

/// Answers one request.
pub fn handle<B>(req: &Request<B>) -> Response<Full<Bytes>> {
    let response = match (req.method(), req.uri().path()) {
        (&Method::GET | &Method::HEAD, "/") => home(req),
        (_, "/") => {
            let mut r = text(StatusCode::METHOD_NOT_ALLOWED, "405 Method Not Allowed\n");
            r.headers_mut()
                .insert(header::ALLOW, HeaderValue::from_static("GET, HEAD"));
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

fn home<B>(req: &Request<B>) -> Response<Full<Bytes>> {
    // An absent or unreadable Accept accepts anything; HTML is the default.
    let accept = Accept::from_headers(req.headers())
        .and_then(Result::ok)
        .unwrap_or_default();
    let (content_type, body) = match accept.best_match([HTML, JSON]) {
        Some(JSON) => ("application/json", home_json()),
        Some(_) => ("text/html; charset=utf-8", home_html()),
        None => {
            return text(
                StatusCode::NOT_ACCEPTABLE,
                "406 Not Acceptable: this page is text/html or application/json\n",
            );
        }
    };

    let etag = entity_tag(content_type, &body);
    let response = Response::builder()
        .header(header::CONTENT_TYPE, content_type)
        .header(header::CONTENT_LENGTH, body.len())
        .header(header::ETAG, etag.to_header_value())
        .header(header::VARY, "Accept")
        .header(
            header::CACHE_CONTROL,
            CacheControl::new().with_no_cache().to_header_value(),
        )
        .body(Full::new(Bytes::from(body)))
        .unwrap_or_default();

    let current = Validators {
        etag: Some(etag),
        last_modified: None,
    };
    // No length given: the page is small, so ranges are not offered for it.
    match Preconditions::new(req.method(), req.headers()).evaluate(&current, None) {
        Outcome::NotModified => not_modified(response),
        Outcome::PreconditionFailed => {
            text(StatusCode::PRECONDITION_FAILED, "412 Precondition Failed\n")
        }
        _ => response,
    }
}

/// A strong validator for a body: a hash of what was sent. SipHash is fine
/// for a page this size; tackle-cache will offer a faster one.
fn entity_tag(content_type: &str, body: &str) -> EntityTag {
    let mut hasher = DefaultHasher::new();
    (content_type, body).hash(&mut hasher);
    EntityTag::strong(format!("{:016x}", hasher.finish())).expect("hex is a valid entity tag")
}

/// 304: no body, and only the headers RFC 9110 §15.4.5 lets it keep.
fn not_modified(full: Response<Full<Bytes>>) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::new()));
    *response.status_mut() = StatusCode::NOT_MODIFIED;
    for name in NOT_MODIFIED_KEEPS {
        if let Some(value) = full.headers().get(name) {
            response.headers_mut().insert(name.clone(), value.clone());
        }
    }
    response
}

fn home_html() -> String {
    let mut rows = String::new();
    for (name, what, state) in CRATES {
        rows.push_str(&format!(
            "<tr><td><code>{name}</code></td><td>{what}</td><td>{state}</td></tr>\n"
        ));
    }
    format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <title>tackle showcase</title></head>\n<body>\n<h1>tackle</h1>\n\
         <p>Werkzeug-style building blocks for tower and hyper services.</p>\n\
         <table>\n<tr><th>crate</th><th>what</th><th>state</th></tr>\n{rows}</table>\n\
         </body></html>\n"
    )
}

fn home_json() -> String {
    let items: Vec<String> = CRATES
        .iter()
        .map(|(name, what, state)| {
            format!("{{\"crate\":\"{name}\",\"what\":\"{what}\",\"status\":\"{state}\"}}")
        })
        .collect();
    format!("{{\"crates\":[{}]}}\n", items.join(","))
}

fn text(status: StatusCode, body: &'static str) -> Response<Full<Bytes>> {
    Response::builder()
        .status(status)
        .header(header::CONTENT_TYPE, "text/plain; charset=utf-8")
        .header(header::CONTENT_LENGTH, body.len())
        .body(Full::new(Bytes::from_static(body.as_bytes())))
        .unwrap_or_default()
}
