//! `ConditionalLayer`: 304/412 from the handler's validators, ranges
//! (206, `multipart/byteranges`, 416, `If-Range`), the buffering limit,
//! `Accept-Ranges`, preconditions of unsafe methods checked before the
//! handler, `require_precondition`, error bodies by `Accept`, and the layer
//! in front of a tackle-request handler and of an axum `Router`.

mod support;

use std::convert::Infallible;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use bytes::Bytes;
use http::header::{CACHE_CONTROL, CONTENT_LENGTH, CONTENT_TYPE, ETAG, LAST_MODIFIED, SET_COOKIE};
use http::{HeaderValue, Request, Response, StatusCode};
use http_body::{Body, SizeHint};
use http_body_util::Full;
use support::{
    AFTER, BEFORE, Endless, Frames, LM, app, bytes, call, content, header, headers_all, once,
    parse_multipart, read_pattern,
};
use tackle_cache::ConditionalLayer;
use tackle_http::{EntityTag, Validators};
use tower::{Service, ServiceBuilder, ServiceExt};

/// `len` bytes of content as `text/plain`, with `ETag: "v1"` when `etag`
/// and `Last-Modified: LM` when `date`, plus a cache header and a cookie.
fn document(len: usize, etag: bool, date: bool) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(content(len)));
    let h = response.headers_mut();
    h.insert(CONTENT_TYPE, HeaderValue::from_static("text/plain"));
    h.insert(CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    h.insert(SET_COOKIE, HeaderValue::from_static("seen=1"));
    if etag {
        h.insert(ETAG, HeaderValue::from_static(r#""v1""#));
    }
    if date {
        h.insert(LAST_MODIFIED, HeaderValue::from_static(LM));
    }
    response
}

#[tokio::test]
async fn handler_etag_gives_304_and_412() {
    let app = app(ConditionalLayer::new(), |_| document(1000, true, true));
    for method in ["GET", "HEAD"] {
        let response = call(&app, method, &[("if-none-match", r#""v1""#)]).await;
        assert_eq!(response.status(), StatusCode::NOT_MODIFIED, "{method}");
        assert_eq!(header(&response, "etag"), Some(r#""v1""#));
        assert_eq!(header(&response, "cache-control"), Some("no-cache"));
        assert_eq!(header(&response, "set-cookie"), Some("seen=1"));
        // Last-Modified is left out next to an ETag, with the content
        // headers; Content-Length stays the 200's (RFC 9110 §8.6).
        assert_eq!(header(&response, "last-modified"), None);
        assert_eq!(header(&response, "content-type"), None);
        assert_eq!(header(&response, "content-length"), Some("1000"));
        assert_eq!(header(&response, "accept-ranges"), None);
        assert!(bytes(response).await.is_empty());

        let response = call(&app, method, &[("if-match", r#""v2""#)]).await;
        assert_eq!(response.status(), StatusCode::PRECONDITION_FAILED);

        let response = call(&app, method, &[("if-none-match", r#""v2""#)]).await;
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(header(&response, "etag"), Some(r#""v1""#));
    }
    let response = call(&app, "GET", &[("if-match", r#""v1""#)]).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(bytes(response).await, content(1000));
}

#[tokio::test]
async fn handler_last_modified_gives_304_and_412() {
    let app = app(ConditionalLayer::new(), |_| document(1000, false, true));
    let response = call(&app, "GET", &[("if-modified-since", LM)]).await;
    assert_eq!(response.status(), StatusCode::NOT_MODIFIED);
    // Without an ETag, Last-Modified is what a cache can update with.
    assert_eq!(header(&response, "last-modified"), Some(LM));
    assert_eq!(header(&response, "content-type"), None);
    assert!(bytes(response).await.is_empty());

    let response = call(&app, "GET", &[("if-modified-since", BEFORE)]).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(bytes(response).await, content(1000));

    let response = call(&app, "GET", &[("if-unmodified-since", BEFORE)]).await;
    assert_eq!(response.status(), StatusCode::PRECONDITION_FAILED);
    let response = call(&app, "GET", &[("if-unmodified-since", AFTER)]).await;
    assert_eq!(response.status(), StatusCode::OK);
    // No ETag: a listed tag cannot match; `*` matches any representation.
    let response = call(&app, "GET", &[("if-none-match", r#""v1""#)]).await;
    assert_eq!(response.status(), StatusCode::OK);
    let response = call(&app, "GET", &[("if-none-match", "*")]).await;
    assert_eq!(response.status(), StatusCode::NOT_MODIFIED);

    // Without validators, nothing is ever "not modified".
    let bare = app2_bare();
    let response = call(&bare, "GET", &[("if-modified-since", AFTER)]).await;
    assert_eq!(response.status(), StatusCode::OK);
}

fn app2_bare() -> impl Service<
    Request<String>,
    Response = Response<tackle_cache::ResponseBody<Full<Bytes>>>,
    Error = Infallible,
> + Clone {
    app(ConditionalLayer::new(), |_| document(1000, false, false))
}

#[tokio::test]
async fn single_range_is_206_with_content_range_and_length() {
    let known = app(ConditionalLayer::new(), |_| document(1000, true, false));
    let unknown = app(ConditionalLayer::new(), |_| {
        let mut response = Response::new(Frames::split(&content(1000), 64));
        response
            .headers_mut()
            .insert(ETAG, HeaderValue::from_static(r#""v1""#));
        response
    });
    for (range, content_range, slice) in [
        ("bytes=0-99", "bytes 0-99/1000", 0..100),
        ("bytes=990-", "bytes 990-999/1000", 990..1000),
        ("bytes=-1", "bytes 999-999/1000", 999..1000),
        ("bytes=900-5000", "bytes 900-999/1000", 900..1000),
        ("bytes=0-9,10-19", "bytes 0-19/1000", 0..20),
    ] {
        let response = call(&known, "GET", &[("range", range)]).await;
        assert_eq!(response.status(), StatusCode::PARTIAL_CONTENT, "{range}");
        assert_eq!(header(&response, "content-range"), Some(content_range));
        let length = slice.len().to_string();
        assert_eq!(header(&response, "content-length"), Some(length.as_str()));
        assert_eq!(header(&response, "etag"), Some(r#""v1""#));
        assert_eq!(header(&response, "content-type"), Some("text/plain"));
        assert_eq!(bytes(response).await, content(1000).slice(slice.clone()));

        let response = call(&unknown, "GET", &[("range", range)]).await;
        assert_eq!(response.status(), StatusCode::PARTIAL_CONTENT, "{range}");
        assert_eq!(header(&response, "content-range"), Some(content_range));
        assert_eq!(header(&response, "content-length"), Some(length.as_str()));
        assert_eq!(bytes(response).await, content(1000).slice(slice));
    }
}

#[tokio::test]
async fn several_ranges_are_exactly_framed_multipart() {
    let app = app(ConditionalLayer::new(), |_| document(100, true, false));
    let response = call(&app, "GET", &[("range", "bytes=0-4,10-14,-3")]).await;
    assert_eq!(response.status(), StatusCode::PARTIAL_CONTENT);
    assert_eq!(header(&response, "content-range"), None);
    let content_type = header(&response, "content-type").unwrap().to_owned();
    let boundary = support::boundary(&content_type);
    assert_eq!(
        content_type,
        format!("multipart/byteranges; boundary={boundary}")
    );
    let length: usize = header(&response, "content-length")
        .unwrap()
        .parse()
        .unwrap();
    let body = bytes(response).await;
    assert_eq!(length, body.len(), "Content-Length is the body's length");

    let all = content(100);
    let mut want = Vec::new();
    for (i, (range, slice)) in [
        ("bytes 0-4/100", 0..5),
        ("bytes 10-14/100", 10..15),
        ("bytes 97-99/100", 97..100),
    ]
    .into_iter()
    .enumerate()
    {
        if i > 0 {
            want.extend_from_slice(b"\r\n");
        }
        want.extend_from_slice(
            format!("--{boundary}\r\nContent-Type: text/plain\r\nContent-Range: {range}\r\n\r\n")
                .as_bytes(),
        );
        want.extend_from_slice(&all[slice]);
    }
    want.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    assert_eq!(body, want);
    // And a strict reader agrees.
    assert_eq!(parse_multipart(&content_type, &body).len(), 3);

    // Each response gets its own boundary.
    let again = call(&app, "GET", &[("range", "bytes=0-4,10-14,-3")]).await;
    let other = support::boundary(header(&again, "content-type").unwrap());
    assert_ne!(boundary, other);
}

#[tokio::test]
async fn overlapping_ranges_are_coalesced() {
    let app = app(ConditionalLayer::new(), |_| document(1000, true, false));
    let response = call(&app, "GET", &[("range", "bytes=500-700,601-999")]).await;
    assert_eq!(response.status(), StatusCode::PARTIAL_CONTENT);
    assert_eq!(
        header(&response, "content-range"),
        Some("bytes 500-999/1000")
    );
    assert_eq!(bytes(response).await, content(1000).slice(500..));

    // Out of order and overlapping: sorted and merged, two parts left.
    let response = call(&app, "GET", &[("range", "bytes=100-110,0-10,5-20")]).await;
    assert_eq!(response.status(), StatusCode::PARTIAL_CONTENT);
    let content_type = header(&response, "content-type").unwrap().to_owned();
    let body = bytes(response).await;
    let parts = parse_multipart(&content_type, &body);
    let got: Vec<(&str, &[u8])> = parts
        .iter()
        .map(|p| (p.header("content-range").unwrap(), &p.body[..]))
        .collect();
    let all = content(1000);
    assert_eq!(
        got,
        [
            ("bytes 0-20/1000", &all[0..21]),
            ("bytes 100-110/1000", &all[100..111]),
        ]
    );
}

#[tokio::test]
async fn unsatisfiable_range_is_416() {
    let doc = app(ConditionalLayer::new(), |_| document(1000, true, false));
    for range in [
        "bytes=1000-",
        "bytes=5000-6000",
        "bytes=-0",
        "bytes=1000-1001,2000-",
    ] {
        let response = call(&doc, "GET", &[("range", range)]).await;
        assert_eq!(
            response.status(),
            StatusCode::RANGE_NOT_SATISFIABLE,
            "{range}"
        );
        assert_eq!(header(&response, "content-range"), Some("bytes */1000"));
    }
    // A representation of length 0 is always sent whole.
    let empty = app(ConditionalLayer::new(), |_| document(0, true, false));
    let response = call(&empty, "GET", &[("range", "bytes=0-")]).await;
    assert_eq!(response.status(), StatusCode::OK);
}

#[tokio::test]
async fn if_range_by_tag_and_by_date() {
    let app = app(ConditionalLayer::new(), |_| document(1000, true, true));
    for (if_range, want) in [
        (r#""v1""#, StatusCode::PARTIAL_CONTENT),
        (r#""v2""#, StatusCode::OK),
        (r#"W/"v1""#, StatusCode::OK),
        (LM, StatusCode::PARTIAL_CONTENT),
        (BEFORE, StatusCode::OK),
        (AFTER, StatusCode::OK),
    ] {
        let response = call(
            &app,
            "GET",
            &[("range", "bytes=0-9"), ("if-range", if_range)],
        )
        .await;
        assert_eq!(response.status(), want, "{if_range}");
        let body = bytes(response).await;
        if want == StatusCode::OK {
            assert_eq!(body, content(1000), "{if_range}");
        } else {
            assert_eq!(body, content(1000).slice(0..10), "{if_range}");
        }
    }
}

#[tokio::test]
async fn body_over_max_buffered_is_sent_whole_and_streaming() {
    let layer = ConditionalLayer::new().max_buffered(1000);

    // Known to be too large: never read before the response is returned.
    let body = Frames::split(&content(2000), 100).hint(SizeHint::with_exact(2000));
    let polled = body.polled();
    let known = app(layer.clone(), once(body));
    let response = call(&known, "GET", &[("range", "bytes=0-9")]).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(!polled.load(Ordering::SeqCst), "not polled");
    assert_eq!(header(&response, "accept-ranges"), None);
    assert_eq!(bytes(response).await, content(2000));

    // Found to be too large while reading.
    let unknown = app(layer.clone(), once(Frames::split(&content(2000), 300)));
    let response = call(&unknown, "GET", &[("range", "bytes=0-9")]).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(header(&response, "content-range"), None);
    assert_eq!(bytes(response).await, content(2000));

    // At the limit: ranges are cut.
    let at = app(layer.clone(), once(Frames::split(&content(1000), 300)));
    let response = call(&at, "GET", &[("range", "bytes=0-9")]).await;
    assert_eq!(response.status(), StatusCode::PARTIAL_CONTENT);

    // Never ends: the head comes back having read at most one chunk past
    // the limit, and the body goes on in order.
    const LIMIT: u64 = 64 * 1024;
    const CHUNK: usize = 4096;
    let (body, handed_out) = Endless::new(CHUNK, 64 * LIMIT);
    let endless = app(ConditionalLayer::new().max_buffered(LIMIT), once(body));
    let response = tokio::time::timeout(
        Duration::from_secs(10),
        call(&endless, "GET", &[("range", "bytes=0-9")]),
    )
    .await
    .expect("the response head comes back");
    assert_eq!(response.status(), StatusCode::OK);
    let read_so_far = handed_out.load(Ordering::SeqCst);
    assert!(
        read_so_far <= LIMIT + CHUNK as u64,
        "buffered {read_so_far} bytes for a limit of {LIMIT}"
    );
    let mut body = response.into_body();
    read_pattern(&mut body, LIMIT + 20 * CHUNK as u64).await;
}

#[tokio::test]
async fn accept_ranges_is_advertised_when_ranges_can_be_cut() {
    let layer = ConditionalLayer::new().max_buffered(1000);
    let at = app(layer.clone(), |_| document(1000, false, false));
    for method in ["GET", "HEAD"] {
        let response = call(&at, method, &[]).await;
        assert_eq!(
            header(&response, "accept-ranges"),
            Some("bytes"),
            "{method}"
        );
    }
    let over = app(layer.clone(), |_| document(1001, false, false));
    assert_eq!(
        header(&call(&over, "GET", &[]).await, "accept-ranges"),
        None
    );
    let unknown = app(layer.clone(), |_| {
        Response::new(Frames::split(&content(100), 10))
    });
    assert_eq!(
        header(&call(&unknown, "GET", &[]).await, "accept-ranges"),
        None
    );
    // Only 200s to GET and HEAD.
    let response = call(&at, "POST", &[]).await;
    assert_eq!(header(&response, "accept-ranges"), None);
    let not_found = app(layer.clone(), |_| {
        let mut response = document(10, false, false);
        *response.status_mut() = StatusCode::NOT_FOUND;
        response
    });
    assert_eq!(
        header(&call(&not_found, "GET", &[]).await, "accept-ranges"),
        None
    );
    // The handler's own value stays.
    let none = app(layer.clone(), |_| {
        let mut response = document(10, false, false);
        response
            .headers_mut()
            .insert("accept-ranges", HeaderValue::from_static("none"));
        response
    });
    assert_eq!(
        headers_all(&call(&none, "GET", &[]).await, "accept-ranges"),
        ["none"]
    );

    // Switched off.
    let off = app(ConditionalLayer::new().accept_ranges(false), |_| {
        document(1000, true, false)
    });
    for method in ["GET", "HEAD"] {
        let response = call(&off, method, &[]).await;
        assert_eq!(header(&response, "accept-ranges"), None, "{method}");
    }
    // Also when a Range request is answered with the whole 200.
    for lines in [
        &[("range", "bytes=0-9"), ("if-range", r#""v2""#)][..],
        &[("range", "items=0-9")][..],
    ] {
        let response = call(&off, "GET", lines).await;
        assert_eq!(response.status(), StatusCode::OK, "{lines:?}");
        assert_eq!(
            header(&response, "accept-ranges"),
            None,
            "accept_ranges(false), {lines:?}"
        );
    }
}

/// The handler and lookup calls of an unsafe-method app.
#[derive(Clone, Default)]
struct Counts {
    handler: Arc<AtomicUsize>,
    lookup: Arc<AtomicUsize>,
}

impl Counts {
    fn get(&self) -> (usize, usize) {
        (
            self.handler.load(Ordering::SeqCst),
            self.lookup.load(Ordering::SeqCst),
        )
    }
}

/// A layer whose lookup answers `current` (the resource exists with these
/// validators, or not at all), in front of a handler that answers 201
/// `Created`; both count their calls.
fn unsafe_app(
    current: Option<Validators>,
    require_precondition: bool,
) -> (
    impl Service<
        Request<String>,
        Response = Response<impl Body<Error = Infallible>>,
        Error = Infallible,
    > + Clone,
    Counts,
) {
    let counts = Counts::default();
    let lookups = counts.lookup.clone();
    let lookup = move |_: &Request<String>| {
        lookups.fetch_add(1, Ordering::SeqCst);
        let current = current.clone();
        async move {
            // The answer comes later than the call: a real lookup awaits.
            tokio::task::yield_now().await;
            current
        }
    };
    let calls = counts.handler.clone();
    let app = ServiceBuilder::new()
        .layer(
            ConditionalLayer::new()
                .validators(lookup)
                .require_precondition(require_precondition),
        )
        .service_fn(move |_: Request<String>| {
            calls.fetch_add(1, Ordering::SeqCst);
            async {
                let mut response = Response::new(Full::new(Bytes::from_static(b"done")));
                *response.status_mut() = StatusCode::CREATED;
                Ok::<_, Infallible>(response)
            }
        });
    (app, counts)
}

fn v1() -> Option<Validators> {
    Some(Validators {
        etag: EntityTag::strong("v1").ok(),
        last_modified: LM.parse().ok(),
    })
}

#[tokio::test]
async fn unsafe_methods_are_checked_before_the_handler() {
    /// (current, method, headers, status, handler calls, lookup calls)
    type Case = (
        Option<Validators>,
        &'static str,
        &'static [(&'static str, &'static str)],
        u16,
        usize,
        usize,
    );
    #[rustfmt::skip]
    let cases: &[Case] = &[
        // The lookup says the condition fails: 412, handler not called.
        (v1(), "PUT", &[("if-match", r#""v2""#)], 412, 0, 1),
        (v1(), "DELETE", &[("if-match", r#""v2""#)], 412, 0, 1),
        (v1(), "PATCH", &[("if-unmodified-since", BEFORE)], 412, 0, 1),
        (v1(), "POST", &[("if-none-match", "*")], 412, 0, 1),
        // It holds: the handler is called.
        (v1(), "PUT", &[("if-match", r#""v1""#)], 201, 1, 1),
        (v1(), "PATCH", &[("if-unmodified-since", AFTER)], 201, 1, 1),
        (v1(), "POST", &[("if-none-match", r#""v2""#)], 201, 1, 1),
        // The resource does not exist: If-Match fails, If-None-Match: * passes (create).
        (None, "PUT", &[("if-match", r#""v1""#)], 412, 0, 1),
        (None, "PUT", &[("if-match", "*")], 412, 0, 1),
        (None, "PUT", &[("if-none-match", "*")], 201, 1, 1),
        // No conditional header: the handler is called, the lookup is not.
        (v1(), "PUT", &[], 201, 1, 0),
        (v1(), "POST", &[], 201, 1, 0),
        // Headers that do not concern unsafe methods do not cause a lookup.
        (v1(), "PUT", &[("if-modified-since", AFTER)], 201, 1, 0),
        (v1(), "PUT", &[("range", "bytes=0-1"), ("if-range", r#""v2""#)], 201, 1, 0),
        // Safe methods other than GET/HEAD ignore preconditions.
        (v1(), "OPTIONS", &[("if-match", r#""v2""#)], 201, 1, 0),
    ];
    for (current, method, lines, status, handler, lookup) in cases {
        let (app, counts) = unsafe_app(current.clone(), false);
        let response = call(&app, method, lines).await;
        assert_eq!(
            response.status().as_u16(),
            *status,
            "{method} {lines:?} against {current:?}"
        );
        assert_eq!(
            counts.get(),
            (*handler, *lookup),
            "(handler, lookup) calls: {method} {lines:?} against {current:?}"
        );
        if *status == 201 {
            assert_eq!(bytes(response).await, "done");
        }
    }
}

#[tokio::test]
async fn require_precondition_answers_428() {
    let (app, counts) = unsafe_app(v1(), true);
    for method in ["PUT", "PATCH", "DELETE", "POST"] {
        for lines in [&[][..], &[("if-none-match", r#""v2""#)][..]] {
            let response = call(&app, method, lines).await;
            assert_eq!(
                response.status(),
                StatusCode::PRECONDITION_REQUIRED,
                "{method} {lines:?}"
            );
        }
    }
    assert_eq!(counts.get(), (0, 0), "neither called for a 428");

    let response = call(&app, "PUT", &[("if-match", r#""v1""#)]).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let response = call(&app, "PUT", &[("if-unmodified-since", LM)]).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let response = call(&app, "PUT", &[("if-match", r#""v2""#)]).await;
    assert_eq!(response.status(), StatusCode::PRECONDITION_FAILED);
    // A create-only write is conditional too; the resource exists, so 412.
    let response = call(&app, "PUT", &[("if-none-match", "*")]).await;
    assert_eq!(response.status(), StatusCode::PRECONDITION_FAILED);
    assert_eq!(counts.get(), (2, 4));

    // Safe methods are not affected.
    let response = call(&app, "GET", &[]).await;
    assert_eq!(response.status(), StatusCode::CREATED);

    // The 428 is rendered by Accept too.
    let response = call(&app, "PUT", &[("accept", "application/json")]).await;
    assert_eq!(response.status(), StatusCode::PRECONDITION_REQUIRED);
    assert_eq!(header(&response, "content-type"), Some("application/json"));
    let json: serde_json::Value = serde_json::from_slice(&bytes(response).await).unwrap();
    assert_eq!(json["status"], 428);
}

/// Checks an error body rendered for `accept`: its Content-Type, and for
/// JSON the problem document's status.
async fn check_error<B>(response: Response<B>, status: u16, accept: Option<&str>)
where
    B: Body,
    B::Error: std::fmt::Debug,
{
    assert_eq!(response.status().as_u16(), status);
    let content_type = header(&response, "content-type").unwrap().to_owned();
    let length: usize = header(&response, "content-length")
        .unwrap()
        .parse()
        .unwrap();
    let body = bytes(response).await;
    assert_eq!(length, body.len());
    match accept {
        Some("application/json") | Some("application/problem+json") => {
            assert_eq!(content_type, accept.unwrap());
            let json: serde_json::Value = serde_json::from_slice(&body).unwrap();
            assert_eq!(json["status"], status);
            assert_eq!(json["type"], "about:blank");
        }
        Some("text/plain") => {
            assert_eq!(content_type, "text/plain; charset=utf-8");
            assert!(
                String::from_utf8_lossy(&body).starts_with(&status.to_string()),
                "{body:?}"
            );
        }
        _ => assert_eq!(content_type, "text/html; charset=utf-8"),
    }
}

#[tokio::test]
async fn error_bodies_follow_accept() {
    let (put_app, _) = unsafe_app(v1(), false);
    let get_app = app(ConditionalLayer::new(), |_| document(1000, true, false));
    for accept in [
        Some("application/json"),
        Some("application/problem+json"),
        Some("text/plain"),
        None,
    ] {
        let with = |lines: &[(&'static str, &'static str)]| {
            let mut lines = lines.to_vec();
            if let Some(accept) = accept {
                lines.push(("accept", accept));
            }
            lines
        };
        // 412 before the handler, 412 and 416 after it.
        let response = call(&put_app, "PUT", &with(&[("if-match", r#""v2""#)])).await;
        check_error(response, 412, accept).await;
        let response = call(&get_app, "GET", &with(&[("if-match", r#""v2""#)])).await;
        check_error(response, 412, accept).await;
        let response = call(&get_app, "GET", &with(&[("range", "bytes=5000-")])).await;
        check_error(response, 416, accept).await;
    }
}

#[tokio::test]
async fn in_front_of_a_tackle_request_handler() {
    use tackle_request::response::Response as Make;
    use tackle_request::{HttpError, handler};

    let calls = Arc::new(AtomicUsize::new(0));
    let counted = calls.clone();
    let service = handler(move |request: tackle_request::Request<String>| {
        let counted = counted.clone();
        let method = request.method().clone();
        async move {
            if method == http::Method::PUT {
                counted.fetch_add(1, Ordering::SeqCst);
                return Ok::<_, HttpError>(Make::text("saved"));
            }
            let mut response = Make::text("hello, conditional world");
            response
                .headers_mut()
                .insert(ETAG, HeaderValue::from_static(r#""v1""#));
            Ok(response)
        }
    });
    let app = ServiceBuilder::new()
        .layer(ConditionalLayer::new().validators(|_: &Request<String>| async { v1() }))
        .service(service);

    let response = call(&app, "GET", &[]).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(header(&response, "accept-ranges"), Some("bytes"));
    assert_eq!(bytes(response).await, "hello, conditional world");

    let response = call(&app, "GET", &[("if-none-match", r#""v1""#)]).await;
    assert_eq!(response.status(), StatusCode::NOT_MODIFIED);
    assert!(bytes(response).await.is_empty());

    let response = call(&app, "GET", &[("range", "bytes=7-17")]).await;
    assert_eq!(response.status(), StatusCode::PARTIAL_CONTENT);
    assert_eq!(header(&response, "content-range"), Some("bytes 7-17/24"));
    assert_eq!(bytes(response).await, "conditional");

    let response = call(&app, "PUT", &[("if-match", r#""v0""#)]).await;
    assert_eq!(response.status(), StatusCode::PRECONDITION_FAILED);
    assert_eq!(calls.load(Ordering::SeqCst), 0);
    let response = call(&app, "PUT", &[("if-match", r#""v1""#)]).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(bytes(response).await, "saved");
    assert_eq!(calls.load(Ordering::SeqCst), 1);
}

/// Sends `method /doc` with `lines` to an axum service.
async fn send_axum<S, B>(service: &S, method: &str, lines: &[(&str, &str)]) -> Response<B>
where
    S: Service<Request<axum::body::Body>, Response = Response<B>, Error = Infallible> + Clone,
{
    let mut request = Request::builder()
        .method(method)
        .uri("/doc")
        .body(axum::body::Body::empty())
        .unwrap();
    for (name, value) in lines {
        request.headers_mut().append(
            http::HeaderName::from_bytes(name.as_bytes()).unwrap(),
            HeaderValue::from_str(value).unwrap(),
        );
    }
    service.clone().oneshot(request).await.unwrap()
}

/// A document at `/doc`: GET answers 17 bytes with `ETag: "v1"` and
/// `Last-Modified: LM`; PUT counts its calls in `calls`.
fn axum_routes(calls: Arc<AtomicUsize>) -> axum::Router {
    use axum::routing::get;
    axum::Router::new().route(
        "/doc",
        get(|| async {
            (
                [(ETAG, r#""v1""#), (LAST_MODIFIED, LM)],
                "hello, axum world",
            )
        })
        .put(move || {
            calls.fetch_add(1, Ordering::SeqCst);
            async { "saved" }
        }),
    )
}

/// The same checks for both ways of putting the layer on a router.
async fn check_axum<S, B>(app: &S, calls: &AtomicUsize)
where
    S: Service<Request<axum::body::Body>, Response = Response<B>, Error = Infallible> + Clone,
    B: Body,
    B::Error: std::fmt::Debug,
{
    let response = send_axum(app, "GET", &[]).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(header(&response, "etag"), Some(r#""v1""#));
    assert_eq!(header(&response, "accept-ranges"), Some("bytes"));
    assert_eq!(bytes(response).await, "hello, axum world");

    let response = send_axum(app, "HEAD", &[("if-modified-since", LM)]).await;
    assert_eq!(response.status(), StatusCode::NOT_MODIFIED);

    let response = send_axum(app, "GET", &[("range", "bytes=7-10")]).await;
    assert_eq!(response.status(), StatusCode::PARTIAL_CONTENT);
    assert_eq!(header(&response, "content-range"), Some("bytes 7-10/17"));
    assert_eq!(header(&response, CONTENT_LENGTH.as_str()), Some("4"));
    assert_eq!(bytes(response).await, "axum");

    let response = send_axum(
        app,
        "PUT",
        &[("if-match", r#""v2""#), ("accept", "application/json")],
    )
    .await;
    assert_eq!(response.status(), StatusCode::PRECONDITION_FAILED);
    assert_eq!(header(&response, "content-type"), Some("application/json"));
    assert_eq!(calls.load(Ordering::SeqCst), 0);

    let response = send_axum(app, "PUT", &[("if-match", r#""v1""#)]).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(bytes(response).await, "saved");
    assert_eq!(calls.load(Ordering::SeqCst), 1);

    for method in ["GET", "HEAD"] {
        let response = send_axum(app, method, &[("if-none-match", r#""v1""#)]).await;
        assert_eq!(response.status(), StatusCode::NOT_MODIFIED, "{method}");
        assert_eq!(header(&response, "etag"), Some(r#""v1""#));
        // RFC 9110 §8.6: a 304 carries no Content-Length, or the length the
        // 200 would have had (17); never a length of its own empty body.
        let length = header(&response, "content-length").map(str::to_owned);
        assert!(
            matches!(length.as_deref(), None | Some("17")),
            "{method}: 304 with Content-Length: {length:?}"
        );
        assert!(bytes(response).await.is_empty());
    }
}

#[tokio::test]
async fn around_an_axum_router() {
    let calls = Arc::new(AtomicUsize::new(0));
    let lookup = |_: &Request<axum::body::Body>| async { v1() };
    let app = ServiceBuilder::new()
        .layer(ConditionalLayer::new().validators(lookup))
        .service(axum_routes(calls.clone()));
    check_axum(&app, &calls).await;
}

#[tokio::test]
async fn as_an_axum_router_layer() {
    let calls = Arc::new(AtomicUsize::new(0));
    let lookup = |_: &Request<axum::body::Body>| async { v1() };
    let router = axum_routes(calls.clone()).layer(ConditionalLayer::new().validators(lookup));
    check_axum(&router, &calls).await;
}
