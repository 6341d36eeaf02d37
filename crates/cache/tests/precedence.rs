//! The RFC 9110 §13.2.2 precedence of `If-Match`, `If-Unmodified-Since`,
//! `If-None-Match`, `If-Modified-Since` and `If-Range`, through the layers
//! (not the evaluator): every expected answer is written literally below.
//!
//! The representation is 10 000 bytes with `ETag: "v1"` and
//! `Last-Modified: LM`. GET and HEAD go through `ConditionalLayer` in front
//! of a handler that sends it; PUT goes through
//! `ConditionalLayer::new().validators(lookup)` whose lookup answers the same
//! validators, in front of a handler that counts its calls and answers 204
//! (so a 204 below means "performed", a 412 "refused before the handler").
//! The GET and HEAD columns are then run again through `ETagLayer`, where
//! the current tag is the layer's hash of the content: every `"v1"` in a
//! header value stands for that tag there.
//!
//! Dates: `LM` is the Last-Modified, `BEFORE` a day earlier, `AFTER` a day
//! later (all in the past).

mod support;

use std::convert::Infallible;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use bytes::Bytes;
use http::header::{CONTENT_TYPE, ETAG, LAST_MODIFIED};
use http::{HeaderValue, Method, Request, Response, StatusCode};
use http_body_util::Full;
use support::{AFTER, BEFORE, LM, content, header, parse_multipart, request};
use tackle_cache::{ConditionalLayer, ETagLayer};
use tackle_http::{EntityTag, Validators};
use tower::{Service, ServiceBuilder, ServiceExt};

const LEN: usize = 10_000;

/// `(request headers, GET, HEAD, PUT)`. An answer is the status, with the
/// `Content-Range` after a 206 or 416, or `multipart` for a 206 of several
/// ranges.
type Row = (
    &'static [(&'static str, &'static str)],
    &'static str,
    &'static str,
    &'static str,
);

const R: (&str, &str) = ("range", "bytes=0-99");

/// Each header alone (If-Range with `Range: bytes=0-99`, without which it
/// means nothing), absent / matching / not matching / `*` / malformed.
#[rustfmt::skip]
const MATRIX: &[Row] = &[
    // Absent: the same request for If-Match, If-Unmodified-Since,
    // If-None-Match and If-Modified-Since.
    (&[], "200", "200", "204"),

    // If-Match (strong comparison; `*` = any current representation).
    (&[("if-match", r#""v1""#)], "200", "200", "204"),
    (&[("if-match", r#""v2""#)], "412", "412", "412"),
    (&[("if-match", "*")], "200", "200", "204"),
    // Malformed (two tags without a comma): fails, never less safe.
    (&[("if-match", r#""v1" "v2""#)], "412", "412", "412"),

    // If-Unmodified-Since. Matching = condition TRUE (not modified after
    // the date): LM itself, or AFTER. Not matching = FALSE: BEFORE.
    (&[("if-unmodified-since", LM)], "200", "200", "204"),
    (&[("if-unmodified-since", AFTER)], "200", "200", "204"),
    (&[("if-unmodified-since", BEFORE)], "412", "412", "412"),
    // `*` is just another malformed date: ignored.
    (&[("if-unmodified-since", "*")], "200", "200", "204"),
    (&[("if-unmodified-since", "yesterday")], "200", "200", "204"),

    // If-None-Match (weak comparison). Matching = the current tag listed
    // (the condition is then FALSE): 304 for GET/HEAD, 412 for PUT.
    (&[("if-none-match", r#""v1""#)], "304", "304", "412"),
    (&[("if-none-match", r#""v2""#)], "200", "200", "204"),
    (&[("if-none-match", "*")], "304", "304", "412"),
    // Malformed: ignored for GET/HEAD, fails PUT.
    (&[("if-none-match", r#""v1" "v2""#)], "200", "200", "412"),

    // If-Modified-Since, GET and HEAD only (PUT: ignored, and not a reason
    // to look up validators). Matching = condition TRUE (modified after
    // the date): BEFORE. Not matching = FALSE: LM itself, or AFTER.
    (&[("if-modified-since", BEFORE)], "200", "200", "204"),
    (&[("if-modified-since", LM)], "304", "304", "204"),
    (&[("if-modified-since", AFTER)], "304", "304", "204"),
    (&[("if-modified-since", "*")], "200", "200", "204"),
    (&[("if-modified-since", "yesterday")], "200", "200", "204"),

    // If-Range, each row with Range: bytes=0-99 (ranges: GET only).
    // Absent: the range is served.
    (&[R], "206 bytes 0-99/10000", "200", "204"),
    // Matching: the current strong tag, or exactly the Last-Modified date.
    (&[R, ("if-range", r#""v1""#)], "206 bytes 0-99/10000", "200", "204"),
    (&[R, ("if-range", LM)], "206 bytes 0-99/10000", "200", "204"),
    // Not matching: another tag, any other date (later ones too).
    (&[R, ("if-range", r#""v2""#)], "200", "200", "204"),
    (&[R, ("if-range", BEFORE)], "200", "200", "204"),
    (&[R, ("if-range", AFTER)], "200", "200", "204"),
    // `*` is malformed for If-Range, as is anything neither tag nor date:
    // never a match, so the whole representation.
    (&[R, ("if-range", "*")], "200", "200", "204"),
    (&[R, ("if-range", "x y")], "200", "200", "204"),
];

/// Headers together: which step of §13.2.2 wins.
#[rustfmt::skip]
const COMBINATIONS: &[Row] = &[
    // Step 1 before step 3: If-Match fails before If-None-Match is looked at.
    (&[("if-match", r#""v2""#), ("if-none-match", r#""v1""#)], "412", "412", "412"),
    (&[("if-match", r#""v1""#), ("if-none-match", r#""v1""#)], "304", "304", "412"),
    (&[("if-match", "*"), ("if-none-match", "*")], "304", "304", "412"),
    // If-Unmodified-Since is ignored when If-Match is present, either way.
    (&[("if-match", r#""v1""#), ("if-unmodified-since", BEFORE)], "200", "200", "204"),
    (&[("if-match", r#""v2""#), ("if-unmodified-since", LM)], "412", "412", "412"),
    (&[("if-match", r#""v1" "v2""#), ("if-unmodified-since", LM)], "412", "412", "412"),
    // Step 2 before step 3.
    (&[("if-unmodified-since", BEFORE), ("if-none-match", r#""v2""#)], "412", "412", "412"),
    (&[("if-unmodified-since", BEFORE), ("if-none-match", r#""v1""#)], "412", "412", "412"),
    (&[("if-unmodified-since", LM), ("if-none-match", r#""v1""#)], "304", "304", "412"),
    // If-None-Match present disables If-Modified-Since, even malformed.
    (&[("if-none-match", r#""v2""#), ("if-modified-since", LM)], "200", "200", "204"),
    (&[("if-none-match", r#""v1" "v2""#), ("if-modified-since", LM)], "200", "200", "412"),
    (&[("if-none-match", r#""v1""#), ("if-modified-since", BEFORE)], "304", "304", "412"),
    // A passing If-Match leaves If-Modified-Since its say.
    (&[("if-match", r#""v1""#), ("if-modified-since", LM)], "304", "304", "204"),
    // Comparison functions: If-Match strong, If-None-Match weak, lists.
    (&[("if-match", r#"W/"v1""#)], "412", "412", "412"),
    (&[("if-match", r#""v0", "v1""#)], "200", "200", "204"),
    (&[("if-none-match", r#"W/"v1""#)], "304", "304", "412"),
    (&[("if-none-match", r#""v0", "v1""#)], "304", "304", "412"),
    // A repeated date is ignored.
    (&[("if-modified-since", LM), ("if-modified-since", LM)], "200", "200", "204"),
    // 304 and 412 beat Range.
    (&[R, ("if-none-match", r#""v1""#)], "304", "304", "412"),
    (&[R, ("if-modified-since", LM)], "304", "304", "204"),
    (&[R, ("if-range", r#""v1""#), ("if-modified-since", LM)], "304", "304", "204"),
    (&[R, ("if-match", r#""v2""#)], "412", "412", "412"),
    (&[R, ("if-unmodified-since", BEFORE)], "412", "412", "412"),
    // Passing conditions leave the range to be served.
    (&[R, ("if-match", r#""v1""#)], "206 bytes 0-99/10000", "200", "204"),
    (&[R, ("if-modified-since", BEFORE)], "206 bytes 0-99/10000", "200", "204"),
    (&[R, ("if-range", r#""v2""#), ("if-none-match", r#""v2""#)], "200", "200", "204"),
    // If-Range: a weak tag never matches; two lines conflict; alone it
    // means nothing.
    (&[R, ("if-range", r#"W/"v1""#)], "200", "200", "204"),
    (&[R, ("if-range", r#""v1""#), ("if-range", r#""v1""#)], "200", "200", "204"),
    (&[("if-range", r#""v1""#)], "200", "200", "204"),
    // Unsatisfiable ranges: 416, unless If-Range sends the whole anyway.
    (&[("range", "bytes=10000-")], "416 bytes */10000", "200", "204"),
    (&[("range", "bytes=10000-"), ("if-range", r#""v1""#)], "416 bytes */10000", "200", "204"),
    (&[("range", "bytes=10000-"), ("if-range", r#""v2""#)], "200", "200", "204"),
    // Several ranges: multipart/byteranges, or whole on an If-Range mismatch.
    (&[("range", "bytes=0-0,-1")], "206 multipart", "200", "204"),
    (&[("range", "bytes=0-0,-1"), ("if-range", r#""v2""#)], "200", "200", "204"),
    // Overlapping ranges are coalesced into one.
    (&[("range", "bytes=500-700,601-999")], "206 bytes 500-999/10000", "200", "204"),
    // Range lines that cannot be used are ignored.
    (&[("range", "bytes=0-1"), ("range", "bytes=5-6")], "200", "200", "204"),
    (&[("range", "items=0-1")], "200", "200", "204"),
];

fn last_modified() -> HeaderValue {
    HeaderValue::from_static(LM)
}

/// The 200 of the representation, with `ETag: "v1"` when `tagged`.
fn representation(tagged: bool) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(content(LEN)));
    let headers = response.headers_mut();
    headers.insert(
        CONTENT_TYPE,
        HeaderValue::from_static("application/octet-stream"),
    );
    headers.insert(LAST_MODIFIED, last_modified());
    if tagged {
        headers.insert(ETAG, HeaderValue::from_static(r#""v1""#));
    }
    response
}

/// The answer as the tables write it, after checking that the body agrees
/// with the status (`etag_layer`: HEAD bodies are dropped there).
async fn describe<B>(
    method: &str,
    response: Response<B>,
    current_tag: &str,
    etag_layer: bool,
) -> String
where
    B: http_body::Body,
    B::Error: std::fmt::Debug,
{
    let status = response.status();
    let content_type = header(&response, "content-type").map(str::to_owned);
    let content_range = header(&response, "content-range").map(str::to_owned);
    let content_length = header(&response, "content-length").map(str::to_owned);
    let etag = header(&response, "etag").map(str::to_owned);
    let body = support::bytes(response).await;
    let full = content(LEN);
    match status {
        StatusCode::OK if method == "GET" => {
            assert_eq!(body, full, "a 200 to GET sends the whole content");
            assert_eq!(etag.as_deref(), Some(current_tag));
        }
        StatusCode::OK if method == "HEAD" && etag_layer => {
            assert!(body.is_empty(), "HEAD: no body");
            assert_eq!(content_length.as_deref(), Some("10000"));
            assert_eq!(etag.as_deref(), Some(current_tag));
        }
        StatusCode::NOT_MODIFIED => {
            assert!(body.is_empty(), "304: no body");
            assert_eq!(etag.as_deref(), Some(current_tag), "304 keeps ETag");
            // RFC 9110 §8.6: none, or the length the 200 would have had.
            assert!(
                matches!(content_length.as_deref(), None | Some("10000")),
                "304 with Content-Length: {content_length:?}"
            );
        }
        StatusCode::PARTIAL_CONTENT => {
            let content_type = content_type.unwrap();
            if content_type.starts_with("multipart/byteranges") {
                assert_eq!(content_range, None);
                for part in parse_multipart(&content_type, &body) {
                    let (first, last, length) =
                        support::content_range(part.header("content-range").unwrap());
                    assert_eq!(length, LEN as u64);
                    assert_eq!(part.body, full.slice(first as usize..=last as usize));
                }
                assert_eq!(content_length.unwrap(), body.len().to_string());
                return "206 multipart".to_owned();
            }
            let range = content_range.clone().unwrap();
            let (first, last, _) = support::content_range(&range);
            assert_eq!(body, full.slice(first as usize..=last as usize));
            assert_eq!(content_length.unwrap(), body.len().to_string());
        }
        _ => {}
    }
    match status {
        StatusCode::PARTIAL_CONTENT | StatusCode::RANGE_NOT_SATISFIABLE => {
            format!("{} {}", status.as_u16(), content_range.unwrap_or_default())
        }
        _ => status.as_u16().to_string(),
    }
}

/// The GET/HEAD representation and the PUT target behind
/// `ConditionalLayer` with a validator lookup; the counts of handler calls
/// for PUT and of lookups.
fn conditional_app() -> (
    impl Service<
        Request<String>,
        Response = Response<impl http_body::Body<Error = Infallible>>,
        Error = Infallible,
    > + Clone,
    Arc<AtomicUsize>,
    Arc<AtomicUsize>,
) {
    let puts = Arc::new(AtomicUsize::new(0));
    let lookups = Arc::new(AtomicUsize::new(0));
    let counted = lookups.clone();
    let lookup = move |_: &Request<String>| {
        counted.fetch_add(1, Ordering::SeqCst);
        async {
            Some(Validators {
                etag: EntityTag::strong("v1").ok(),
                last_modified: LM.parse().ok(),
            })
        }
    };
    let calls = puts.clone();
    let app = ServiceBuilder::new()
        .layer(ConditionalLayer::new().validators(lookup))
        .service_fn(move |request: Request<String>| {
            let calls = calls.clone();
            async move {
                if request.method() == Method::PUT {
                    calls.fetch_add(1, Ordering::SeqCst);
                    let mut response = Response::new(Full::new(Bytes::new()));
                    *response.status_mut() = StatusCode::NO_CONTENT;
                    return Ok::<_, Infallible>(response);
                }
                Ok(representation(true))
            }
        });
    (app, puts, lookups)
}

async fn run_conditional(table: &[Row]) {
    let (app, puts, lookups) = conditional_app();
    for &(lines, get, head, put) in table {
        for (method, want) in [("GET", get), ("HEAD", head), ("PUT", put)] {
            let calls_before = puts.load(Ordering::SeqCst);
            let lookups_before = lookups.load(Ordering::SeqCst);
            let response = app
                .clone()
                .oneshot(request(method, "/", lines))
                .await
                .unwrap();
            let got = describe(method, response, r#""v1""#, false).await;
            assert_eq!(got, want, "ConditionalLayer: {method} {lines:?}");
            if method == "PUT" {
                let calls = puts.load(Ordering::SeqCst) - calls_before;
                let want_calls = usize::from(want != "412");
                assert_eq!(calls, want_calls, "handler calls: PUT {lines:?}");
                // The lookup runs only for the headers that need it.
                let needs_lookup = lines.iter().any(|(name, _)| {
                    matches!(*name, "if-match" | "if-none-match" | "if-unmodified-since")
                });
                let looked_up = lookups.load(Ordering::SeqCst) - lookups_before;
                assert_eq!(
                    looked_up,
                    usize::from(needs_lookup),
                    "lookups: PUT {lines:?}"
                );
            }
        }
    }
}

/// The same GET and HEAD columns through `ETagLayer`, the tag being the
/// hash the layer computes (read first with a plain GET).
async fn run_etag(table: &[Row]) {
    let app = ServiceBuilder::new()
        .layer(ETagLayer::new())
        .service_fn(|_: Request<String>| async { Ok::<_, Infallible>(representation(false)) });
    let plain = app.clone().oneshot(request("GET", "/", &[])).await.unwrap();
    let tag = header(&plain, "etag").unwrap().to_owned();
    assert_ne!(tag, r#""v1""#);
    for &(lines, get, head, _) in table {
        let lines: Vec<(&str, String)> = lines
            .iter()
            .map(|(name, value)| (*name, value.replace(r#""v1""#, &tag)))
            .collect();
        let lines: Vec<(&str, &str)> = lines.iter().map(|(n, v)| (*n, v.as_str())).collect();
        for (method, want) in [("GET", get), ("HEAD", head)] {
            let response = app
                .clone()
                .oneshot(request(method, "/", &lines))
                .await
                .unwrap();
            let got = describe(method, response, &tag, true).await;
            assert_eq!(got, want, "ETagLayer: {method} {lines:?}");
        }
    }
}

#[tokio::test]
async fn matrix_through_conditional_layer() {
    run_conditional(MATRIX).await;
}

#[tokio::test]
async fn combinations_through_conditional_layer() {
    run_conditional(COMBINATIONS).await;
}

#[tokio::test]
async fn matrix_through_etag_layer() {
    run_etag(MATRIX).await;
}

#[tokio::test]
async fn combinations_through_etag_layer() {
    run_etag(COMBINATIONS).await;
}
