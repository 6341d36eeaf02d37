//! `ETagLayer`: the tags it computes, what it leaves alone, HEAD, the
//! buffering limit (including bodies that never end), body errors and
//! trailers, and the 304/206/416 answers it gives.

mod support;

use std::convert::Infallible;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use bytes::Bytes;
use http::header::{
    ACCEPT_RANGES, CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_ENCODING, CONTENT_LANGUAGE,
    CONTENT_LENGTH, CONTENT_LOCATION, CONTENT_TYPE, DATE, ETAG, EXPIRES, LAST_MODIFIED, SET_COOKIE,
    VARY,
};
use http::{HeaderMap, HeaderName, HeaderValue, Request, Response, StatusCode};
use http_body::{Body, SizeHint};
use http_body_util::{BodyExt, Empty, Full};
use support::{
    Endless, Frames, LM, app, bytes, call, content, content_range, header, headers_all, once,
    parse_multipart, read, read_pattern, request,
};
use tackle_cache::ETagLayer;
use tower::{Service, ServiceBuilder, ServiceExt};

fn full(bytes: impl Into<Bytes>) -> Response<Full<Bytes>> {
    Response::new(Full::new(bytes.into()))
}

/// Whether `tag` is `"` + 22 base64url characters + `"`, after `W/` when
/// `weak`; the 22 characters.
fn opaque(tag: &str, weak: bool) -> &str {
    let rest = if weak {
        tag.strip_prefix("W/")
            .unwrap_or_else(|| panic!("weak: {tag}"))
    } else {
        tag
    };
    let inner = rest
        .strip_prefix('"')
        .and_then(|r| r.strip_suffix('"'))
        .unwrap_or_else(|| panic!("quoted: {tag}"));
    assert_eq!(inner.len(), 22, "22 characters: {tag}");
    assert!(
        inner
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'),
        "base64url: {tag}"
    );
    inner
}

#[tokio::test]
async fn strong_and_weak_tag_format() {
    let strong = app(ETagLayer::new(), |_| full("hello"));
    let response = call(&strong, "GET", &[]).await;
    assert_eq!(response.status(), StatusCode::OK);
    let strong_tag = header(&response, "etag").unwrap().to_owned();
    let strong_opaque = opaque(&strong_tag, false).to_owned();
    assert_eq!(bytes(response).await, "hello");

    let weak = app(ETagLayer::new().weak(true), |_| full("hello"));
    let response = call(&weak, "GET", &[]).await;
    let weak_tag = header(&response, "etag").unwrap().to_owned();
    // The same hash, only marked weak.
    assert_eq!(opaque(&weak_tag, true), strong_opaque);
    assert_eq!(bytes(response).await, "hello");
}

#[tokio::test]
async fn same_content_same_tag_different_content_different_tag() {
    // The content is the path, repeated.
    let respond = |request: &Request<String>| full(request.uri().path().repeat(100));
    let one = app(ETagLayer::new(), respond);
    let other = app(ETagLayer::new(), respond);
    async fn tag<S, B>(app: &S, path: &str) -> String
    where
        S: Service<Request<String>, Response = Response<B>, Error = Infallible> + Clone,
    {
        let response = app
            .clone()
            .oneshot(request("GET", path, &[]))
            .await
            .unwrap();
        header(&response, "etag").unwrap().to_owned()
    }
    let a1 = tag(&one, "/a").await;
    let a2 = tag(&one, "/a").await;
    let a3 = tag(&other, "/a").await;
    let b = tag(&one, "/b").await;
    let aa = tag(&one, "/aa").await;
    assert_eq!(a1, a2);
    assert_eq!(a1, a3, "the tag depends on the content only");
    assert_ne!(a1, b);
    assert_ne!(a1, aa);
    assert_ne!(b, aa);
}

#[tokio::test]
async fn several_frames_tag_like_one() {
    let whole = content(10_000);
    let one = app(ETagLayer::new(), {
        let whole = whole.clone();
        move |_| full(whole.clone())
    });
    let response = call(&one, "GET", &[]).await;
    let want = header(&response, "etag").unwrap().to_owned();

    for size in [1_000, 7, 4_096] {
        let whole = whole.clone();
        let chunked = app(ETagLayer::new(), move |_| {
            Response::new(Frames::split(&whole, size))
        });
        let response = call(&chunked, "GET", &[]).await;
        assert_eq!(header(&response, "etag"), Some(want.as_str()), "{size}");
        assert_eq!(header(&response, "content-length"), Some("10000"));
        assert_eq!(bytes(response).await, content(10_000));
    }
}

/// A 200 with every kind of header a 304 keeps or drops.
fn decorated() -> Response<Full<Bytes>> {
    let mut response = full(content(1000));
    let h = response.headers_mut();
    let mut set = |name: HeaderName, value: &'static str| {
        h.append(name, HeaderValue::from_static(value));
    };
    set(CACHE_CONTROL, "max-age=60");
    set(CONTENT_LOCATION, "/doc.en");
    set(DATE, "Sun, 30 Oct 1994 19:43:31 GMT");
    set(EXPIRES, "Sun, 30 Oct 1994 19:44:31 GMT");
    set(VARY, "Accept-Language");
    set(SET_COOKIE, "a=1");
    set(SET_COOKIE, "b=2");
    set(HeaderName::from_static("x-request-id"), "42");
    set(CONTENT_TYPE, "text/plain");
    set(CONTENT_LENGTH, "1000");
    set(CONTENT_ENCODING, "br");
    set(CONTENT_LANGUAGE, "en");
    set(CONTENT_DISPOSITION, "inline");
    set(LAST_MODIFIED, LM);
    set(ACCEPT_RANGES, "bytes");
    response
}

#[tokio::test]
async fn not_modified_keeps_cache_headers_and_drops_content_ones() {
    let app = app(ETagLayer::new(), |_| decorated());
    let first = call(&app, "GET", &[]).await;
    let tag = header(&first, "etag").unwrap().to_owned();
    let response = call(&app, "GET", &[("if-none-match", &tag)]).await;
    assert_eq!(response.status(), StatusCode::NOT_MODIFIED);
    let kept = [
        ("cache-control", vec!["max-age=60"]),
        ("content-location", vec!["/doc.en"]),
        ("date", vec!["Sun, 30 Oct 1994 19:43:31 GMT"]),
        ("etag", vec![tag.as_str()]),
        ("expires", vec!["Sun, 30 Oct 1994 19:44:31 GMT"]),
        ("vary", vec!["Accept-Language"]),
        ("set-cookie", vec!["a=1", "b=2"]),
        ("x-request-id", vec!["42"]),
        // The length of the 200, which RFC 9110 §8.6 allows on a 304 (and
        // which stops a framework outside from adding `0`).
        ("content-length", vec!["1000"]),
    ];
    for (name, values) in &kept {
        assert_eq!(headers_all(&response, name), *values, "{name}");
    }
    for dropped in [
        "content-type",
        "content-encoding",
        "content-language",
        "content-disposition",
        // Last-Modified goes when there is an ETag.
        "last-modified",
        "accept-ranges",
    ] {
        assert_eq!(header(&response, dropped), None, "{dropped}");
    }
    assert_eq!(response.headers().len(), 10, "{:?}", response.headers());
    assert!(response.body().is_end_stream());
    assert!(bytes(response).await.is_empty());
}

/// A body that must not be read: `Frames` that records being polled.
fn watched(len: usize) -> (Frames, Arc<AtomicBool>) {
    let body = Frames::split(&content(len), 100);
    let polled = body.polled();
    (body, polled)
}

#[tokio::test]
async fn other_statuses_methods_and_tagged_responses_pass_untouched() {
    // Non-200: not tagged, not buffered, not evaluated.
    for status in [
        StatusCode::CREATED,
        StatusCode::NON_AUTHORITATIVE_INFORMATION,
        StatusCode::NOT_FOUND,
        StatusCode::INTERNAL_SERVER_ERROR,
    ] {
        let (body, polled) = watched(1000);
        let respond = once(body);
        let app = app(ETagLayer::new(), move |request: &Request<String>| {
            let mut response = respond(request);
            *response.status_mut() = status;
            response
        });
        let response = call(&app, "GET", &[("if-none-match", "*")]).await;
        assert_eq!(response.status(), status);
        assert_eq!(header(&response, "etag"), None);
        assert!(!polled.load(Ordering::SeqCst), "{status}: not buffered");
        assert_eq!(bytes(response).await, content(1000));
    }

    // Methods other than GET and HEAD.
    for method in ["POST", "PUT", "DELETE", "OPTIONS"] {
        let (body, polled) = watched(1000);
        let app = app(ETagLayer::new(), once(body));
        let response = app
            .oneshot(request(method, "/", &[("if-none-match", "*")]))
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{method}");
        assert_eq!(header(&response, "etag"), None, "{method}");
        assert!(!polled.load(Ordering::SeqCst), "{method}: not buffered");
        assert_eq!(bytes(response).await, content(1000));
    }

    // A response with its own ETag: kept, body not read, and (as the
    // module documentation says) not evaluated either.
    let (body, polled) = watched(1000);
    let respond = once(body);
    let app = app(ETagLayer::new(), move |request: &Request<String>| {
        let mut response = respond(request);
        response
            .headers_mut()
            .insert(ETAG, HeaderValue::from_static(r#""mine""#));
        response
    });
    let response = call(&app, "GET", &[("if-none-match", r#""mine""#)]).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(headers_all(&response, "etag"), [r#""mine""#]);
    assert!(!polled.load(Ordering::SeqCst), "own ETag: not buffered");
    assert_eq!(bytes(response).await, content(1000));
}

#[tokio::test]
async fn own_strong_tag_on_encoded_content_is_weakened() {
    for (coding, want) in [
        (Some("gzip"), r#"W/"mine""#),
        (Some("identity"), r#""mine""#),
        (None, r#""mine""#),
    ] {
        let app = app(ETagLayer::new(), move |_| {
            let mut response = full("x");
            response
                .headers_mut()
                .insert(ETAG, HeaderValue::from_static(r#""mine""#));
            if let Some(coding) = coding {
                response
                    .headers_mut()
                    .insert(CONTENT_ENCODING, HeaderValue::from_static(coding));
            }
            response
        });
        let response = call(&app, "GET", &[]).await;
        assert_eq!(header(&response, "etag"), Some(want), "{coding:?}");
    }
}

#[tokio::test]
async fn head_is_tagged_when_the_content_is_sent() {
    let app = app(ETagLayer::new(), |_| full(content(10_000)));
    let get_tag = header(&call(&app, "GET", &[]).await, "etag")
        .unwrap()
        .to_owned();
    let response = app
        .clone()
        .oneshot(request("HEAD", "/", &[]))
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(header(&response, "etag"), Some(get_tag.as_str()));
    assert_eq!(header(&response, "content-length"), Some("10000"));
    assert!(bytes(response).await.is_empty(), "HEAD sends no body");

    let response = app
        .clone()
        .oneshot(request("HEAD", "/", &[("if-none-match", &get_tag)]))
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NOT_MODIFIED);
}

#[tokio::test]
async fn head_without_its_content_is_not_tagged() {
    // An empty body of known length 0 with Content-Length: 10000, as
    // tackle's router and axum answer HEAD.
    let app_empty = app(ETagLayer::new(), |_| {
        let mut response = Response::new(Empty::<Bytes>::new());
        response
            .headers_mut()
            .insert(CONTENT_LENGTH, HeaderValue::from_static("10000"));
        response
    });
    // The same with a body whose size is unknown until it ends.
    let app_unknown = app(ETagLayer::new(), |_| {
        let mut response = Response::new(Frames::chunks(Vec::<Bytes>::new()));
        response
            .headers_mut()
            .insert(CONTENT_LENGTH, HeaderValue::from_static("10000"));
        response
    });
    async fn check<B>(response: Response<B>)
    where
        B: Body,
        B::Error: std::fmt::Debug,
    {
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(header(&response, "etag"), None);
        assert_eq!(header(&response, "content-length"), Some("10000"));
        assert!(bytes(response).await.is_empty());
    }
    let head = || request("HEAD", "/", &[("if-none-match", "\"x\"")]);
    check(app_empty.oneshot(head()).await.unwrap()).await;
    check(app_unknown.oneshot(head()).await.unwrap()).await;
}

#[tokio::test]
async fn max_buffered_limit_with_known_length() {
    let layer = ETagLayer::new().max_buffered(1000);
    let at = app(layer, |_| full(content(1000)));
    let response = call(&at, "GET", &[]).await;
    opaque(header(&response, "etag").unwrap(), false);
    assert_eq!(bytes(response).await, content(1000));

    let past = app(layer, |_| full(content(1001)));
    let response = call(&past, "GET", &[("range", "bytes=0-9")]).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(header(&response, "etag"), None);
    assert_eq!(bytes(response).await, content(1001));
}

#[tokio::test]
async fn max_buffered_limit_with_unknown_length() {
    let layer = ETagLayer::new().max_buffered(1000);
    let at = app(layer, |_| Response::new(Frames::split(&content(1000), 300)));
    let response = call(&at, "GET", &[]).await;
    opaque(header(&response, "etag").unwrap(), false);
    assert_eq!(header(&response, "content-length"), Some("1000"));
    assert_eq!(bytes(response).await, content(1000));

    // One byte past, found while reading: sent as read, in order, untagged.
    for size in [300, 1, 1001] {
        let past = app(layer, move |_| {
            Response::new(Frames::split(&content(1001), size))
        });
        let response = call(&past, "GET", &[("range", "bytes=0-9")]).await;
        assert_eq!(response.status(), StatusCode::OK, "{size}");
        assert_eq!(header(&response, "etag"), None, "{size}");
        assert_eq!(header(&response, "content-length"), None, "{size}");
        assert_eq!(bytes(response).await, content(1001), "{size}");
    }
}

#[tokio::test]
async fn body_said_to_be_over_the_limit_is_not_polled() {
    let mut exact = SizeHint::new();
    exact.set_exact(1001);
    let mut lower = SizeHint::new();
    lower.set_lower(1001);
    for hint in [exact, lower] {
        let body = Frames::split(&content(1001), 100).hint(hint);
        let polled = body.polled();
        let app = app(ETagLayer::new().max_buffered(1000), once(body));
        let response = call(&app, "GET", &[]).await;
        assert!(
            !polled.load(Ordering::SeqCst),
            "{hint:?}: polled before the response"
        );
        assert_eq!(header(&response, "etag"), None);
        assert_eq!(bytes(response).await, content(1001));
    }
}

#[tokio::test]
async fn endless_body_is_not_buffered_past_the_limit() {
    const LIMIT: u64 = 64 * 1024;
    const CHUNK: usize = 4096;
    let (body, handed_out) = Endless::new(CHUNK, 64 * LIMIT);
    let app = app(ETagLayer::new().max_buffered(LIMIT), once(body));
    let response = tokio::time::timeout(Duration::from_secs(10), call(&app, "GET", &[]))
        .await
        .expect("the response head comes back");
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(header(&response, "etag"), None);
    let read_so_far = handed_out.load(Ordering::SeqCst);
    assert!(
        read_so_far <= LIMIT + CHUNK as u64,
        "buffered {read_so_far} bytes for a limit of {LIMIT}"
    );
    // The bytes read come first, then the rest of the body, in order.
    let mut body = response.into_body();
    read_pattern(&mut body, LIMIT + 20 * CHUNK as u64).await;
}

#[tokio::test]
async fn body_error_while_buffering_reaches_the_client_after_the_bytes() {
    let app = app(ETagLayer::new(), |_| {
        Response::new(Frames::chunks(["first ", "second"]).then_fail("boom"))
    });
    let response = call(&app, "GET", &[]).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(header(&response, "etag"), None);
    let mut body = response.into_body();
    let mut received = Vec::new();
    let error = loop {
        match body.frame().await {
            Some(Ok(frame)) => received.extend_from_slice(&frame.into_data().unwrap()),
            Some(Err(error)) => break error,
            None => panic!("the body ended without the error"),
        }
    };
    assert_eq!(received, b"first second");
    assert_eq!(error.0, "boom");
    assert!(body.frame().await.is_none(), "nothing after the error");
}

#[tokio::test]
async fn trailers_survive() {
    let mut trailers = HeaderMap::new();
    trailers.insert("x-checksum", HeaderValue::from_static("abc"));
    let sent = trailers.clone();
    let app = app(ETagLayer::new(), move |_| {
        Response::new(Frames::chunks(["some ", "content"]).trailers(sent.clone()))
    });
    let response = call(&app, "GET", &[]).await;
    assert_eq!(response.status(), StatusCode::OK);
    opaque(header(&response, "etag").unwrap(), false);
    let (body, got) = read(response).await;
    assert_eq!(body, "some content");
    assert_eq!(got, Some(trailers));
}

#[tokio::test]
async fn weak_tags_compare_weakly_and_never_serve_if_range() {
    let app = app(ETagLayer::new().weak(true), |_| full(content(10_000)));
    let tag = header(&call(&app, "GET", &[]).await, "etag")
        .unwrap()
        .to_owned();
    let strong = tag.strip_prefix("W/").unwrap().to_owned();

    for value in [tag.as_str(), strong.as_str()] {
        let response = call(&app, "GET", &[("if-none-match", value)]).await;
        assert_eq!(response.status(), StatusCode::NOT_MODIFIED, "{value}");
        assert_eq!(header(&response, "etag"), Some(tag.as_str()));
        let response = call(&app, "GET", &[("if-match", value)]).await;
        assert_eq!(
            response.status(),
            StatusCode::PRECONDITION_FAILED,
            "{value}"
        );
        let response = call(&app, "GET", &[("range", "bytes=0-9"), ("if-range", value)]).await;
        assert_eq!(response.status(), StatusCode::OK, "{value}");
        assert_eq!(bytes(response).await, content(10_000));
    }
    // Without If-Range, ranges are served against a weak tag too.
    let response = call(&app, "GET", &[("range", "bytes=0-9")]).await;
    assert_eq!(response.status(), StatusCode::PARTIAL_CONTENT);
    assert_eq!(header(&response, "content-range"), Some("bytes 0-9/10000"));
}

#[tokio::test]
async fn ranges_single_multipart_and_unsatisfiable() {
    let app = app(ETagLayer::new(), |_| {
        let mut response = full(content(10_000));
        response
            .headers_mut()
            .insert(CONTENT_TYPE, HeaderValue::from_static("text/plain"));
        response
    });
    let tag = header(&call(&app, "GET", &[]).await, "etag")
        .unwrap()
        .to_owned();

    let response = call(&app, "GET", &[("range", "bytes=9990-")]).await;
    assert_eq!(response.status(), StatusCode::PARTIAL_CONTENT);
    assert_eq!(
        header(&response, "content-range"),
        Some("bytes 9990-9999/10000")
    );
    assert_eq!(header(&response, "content-length"), Some("10"));
    assert_eq!(header(&response, "content-type"), Some("text/plain"));
    assert_eq!(header(&response, "etag"), Some(tag.as_str()));
    assert_eq!(bytes(response).await, content(10_000).slice(9990..));

    let response = call(
        &app,
        "GET",
        &[("range", "bytes=0-9, 100-199, -5"), ("if-range", &tag)],
    )
    .await;
    assert_eq!(response.status(), StatusCode::PARTIAL_CONTENT);
    assert_eq!(header(&response, "content-range"), None);
    assert_eq!(header(&response, "etag"), Some(tag.as_str()));
    let content_type = header(&response, "content-type").unwrap().to_owned();
    let length: usize = header(&response, "content-length")
        .unwrap()
        .parse()
        .unwrap();
    let body = bytes(response).await;
    assert_eq!(length, body.len());
    let parts = parse_multipart(&content_type, &body);
    let want = [
        ("bytes 0-9/10000", 0..10),
        ("bytes 100-199/10000", 100..200),
        ("bytes 9995-9999/10000", 9995..10_000),
    ];
    assert_eq!(parts.len(), want.len());
    for (part, (range, slice)) in parts.iter().zip(want) {
        assert_eq!(part.header("content-range"), Some(range));
        assert_eq!(part.header("content-type"), Some("text/plain"));
        assert_eq!(part.body, content(10_000).slice(slice));
        assert_eq!(content_range(range).2, 10_000);
    }

    for unsatisfiable in ["bytes=10000-", "bytes=20000-30000", "bytes=-0"] {
        let response = call(&app, "GET", &[("range", unsatisfiable)]).await;
        assert_eq!(
            response.status(),
            StatusCode::RANGE_NOT_SATISFIABLE,
            "{unsatisfiable}"
        );
        assert_eq!(header(&response, "content-range"), Some("bytes */10000"));
    }
}

#[tokio::test]
async fn head_through_axum_with_a_body_of_unknown_length() {
    // axum answers HEAD by dropping the body, after setting Content-Length
    // from the size hint; a streaming body has none, so the HEAD response
    // is empty with no Content-Length. Its tag must not be the hash of
    // nothing: the HEAD carries GET's tag, or none.
    use axum::routing::get;
    let router = axum::Router::new().route(
        "/",
        get(|| async { axum::body::Body::new(Frames::split(&content(1000), 100)) }),
    );
    let app = ServiceBuilder::new()
        .layer(ETagLayer::new())
        .service(router);
    let send = |method: &str, lines: &[(&str, &str)]| {
        let mut request = Request::builder()
            .method(method)
            .uri("/")
            .body(axum::body::Body::empty())
            .unwrap();
        for (name, value) in lines {
            request.headers_mut().append(
                HeaderName::from_bytes(name.as_bytes()).unwrap(),
                HeaderValue::from_str(value).unwrap(),
            );
        }
        app.clone().oneshot(request)
    };
    let response = send("GET", &[]).await.unwrap();
    let get_tag = header(&response, "etag").unwrap().to_owned();
    assert_eq!(bytes(response).await, content(1000));

    let response = send("HEAD", &[]).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let head_tag = header(&response, "etag").map(str::to_owned);
    assert!(
        head_tag.is_none() || head_tag.as_deref() == Some(get_tag.as_str()),
        "HEAD tagged {head_tag:?}, GET {get_tag}"
    );
}
