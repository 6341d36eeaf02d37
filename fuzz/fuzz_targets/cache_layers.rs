//! tackle-cache: `ETagLayer` and `ConditionalLayer` (alone and stacked) on
//! random requests (method, conditional headers and ranges as raw bytes)
//! and random responses (status, validators, content in random chunks,
//! a random buffering limit).
//!
//! Nothing panics, and what is sent is consistent: a 200 carries the whole
//! content, a 206 the bytes its `Content-Range` names (or a
//! `multipart/byteranges` body of exactly its `Content-Length`), a 304 and a
//! 416 no content of the handler's, and an unsafe request refused with 412
//! never reaches the handler.
#![no_main]

use std::collections::VecDeque;
use std::convert::Infallible;
use std::future::{Future, Ready, ready};
use std::pin::{Pin, pin};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Context, Poll, Waker};

use bytes::Bytes;
use http::header::{CONTENT_LENGTH, CONTENT_RANGE, CONTENT_TYPE, ETAG, LAST_MODIFIED};
use http::{HeaderName, HeaderValue, Method, Request, Response, StatusCode};
use http_body::Frame;
use libfuzzer_sys::arbitrary::{Result, Unstructured};
use libfuzzer_sys::fuzz_target;
use tackle_cache::{ConditionalLayer, ETagLayer};
use tackle_http::{ContentRange, TypedHeader, Validators};
use tower_layer::Layer;
use tower_service::Service;

/// Content sent in the chunks it was cut into.
struct Chunked(VecDeque<Bytes>);

impl http_body::Body for Chunked {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        _: &mut Context<'_>,
    ) -> Poll<Option<std::result::Result<Frame<Bytes>, Infallible>>> {
        Poll::Ready(self.0.pop_front().map(|chunk| Ok(Frame::data(chunk))))
    }
}

/// The handler: answers with the response the input describes, counting
/// calls.
#[derive(Clone)]
struct Handler {
    status: StatusCode,
    headers: http::HeaderMap,
    chunks: Vec<Bytes>,
    calls: Arc<AtomicUsize>,
}

impl Service<Request<()>> for Handler {
    type Response = Response<Chunked>;
    type Error = Infallible;
    type Future = Ready<std::result::Result<Response<Chunked>, Infallible>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<std::result::Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, _: Request<()>) -> Self::Future {
        self.calls.fetch_add(1, Ordering::Relaxed);
        let mut response = Response::new(Chunked(self.chunks.iter().cloned().collect()));
        *response.status_mut() = self.status;
        *response.headers_mut() = self.headers.clone();
        ready(Ok(response))
    }
}

const NAMES: [HeaderName; 7] = [
    http::header::IF_MATCH,
    http::header::IF_NONE_MATCH,
    http::header::IF_MODIFIED_SINCE,
    http::header::IF_UNMODIFIED_SINCE,
    http::header::RANGE,
    http::header::IF_RANGE,
    http::header::ACCEPT,
];

fn header_value(u: &mut Unstructured) -> Result<Option<HeaderValue>> {
    // Mostly well-formed values, so the evaluator gets past parsing.
    let text: &str = match u.int_in_range(0..=9)? {
        0 => "\"v1\"",
        1 => "W/\"v1\"",
        2 => "*",
        3 => "Sat, 29 Oct 1994 19:43:31 GMT",
        4 => "bytes=0-9",
        5 => "bytes=0-0,-1",
        6 => "bytes=5-,0-3,2-8",
        7 => "application/json",
        _ => {
            let raw: &[u8] = u.arbitrary()?;
            return Ok(HeaderValue::from_bytes(raw).ok());
        }
    };
    Ok(Some(HeaderValue::from_static(text)))
}

fn poll_once<F: Future>(future: F) -> Option<F::Output> {
    let mut future = pin!(future);
    let mut cx = Context::from_waker(Waker::noop());
    match future.as_mut().poll(&mut cx) {
        Poll::Ready(output) => Some(output),
        Poll::Pending => None,
    }
}

/// The whole body of a response whose frames are all ready.
fn drain<B: http_body::Body<Data = Bytes>>(body: B) -> Vec<u8> {
    let mut body = pin!(body);
    let mut cx = Context::from_waker(Waker::noop());
    let mut out = Vec::new();
    while let Poll::Ready(Some(frame)) = body.as_mut().poll_frame(&mut cx) {
        match frame {
            Ok(frame) => {
                if let Ok(data) = frame.into_data() {
                    out.extend_from_slice(&data);
                }
            }
            Err(_) => break,
        }
    }
    out
}

fn run(u: &mut Unstructured) -> Result<()> {
    let method = match u.int_in_range(0..=4)? {
        0 | 1 => Method::GET,
        2 => Method::HEAD,
        3 => Method::PUT,
        _ => Method::POST,
    };
    let mut request = Request::builder().method(method.clone()).body(()).unwrap();
    for _ in 0..u.int_in_range(0..=4)? {
        let name = NAMES[u.int_in_range(0..=NAMES.len() - 1)?].clone();
        if let Some(value) = header_value(u)? {
            request.headers_mut().append(name, value);
        }
    }

    let content: Vec<u8> = u.arbitrary()?;
    let mut chunks = Vec::new();
    let mut rest = &content[..];
    while !rest.is_empty() {
        let take = u.int_in_range(1..=rest.len())?;
        chunks.push(Bytes::copy_from_slice(&rest[..take]));
        rest = &rest[take..];
    }
    let status = if u.ratio(7, 8)? {
        StatusCode::OK
    } else {
        StatusCode::NOT_FOUND
    };
    let mut headers = http::HeaderMap::new();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("text/plain"));
    if u.arbitrary()? {
        headers.insert(ETAG, header_value(u)?.unwrap_or(HeaderValue::from_static("\"v1\"")));
    }
    if u.arbitrary()? {
        headers.insert(
            LAST_MODIFIED,
            HeaderValue::from_static("Sat, 29 Oct 1994 19:43:31 GMT"),
        );
    }
    let current = Validators::from_headers(&headers);
    let calls = Arc::new(AtomicUsize::new(0));
    let handler = Handler {
        status,
        headers,
        chunks,
        calls: calls.clone(),
    };
    let limit = u.int_in_range(0..=content.len() as u64 + 2)?;
    let lookup = move |_: &Request<()>| ready(Some(current.clone()));
    let conditional = ConditionalLayer::new().validators(lookup).max_buffered(limit);
    let etag = ETagLayer::new().weak(u.arbitrary()?).max_buffered(limit);

    let (parts, body) = match u.int_in_range(0..=2)? {
        0 => {
            let mut service = etag.layer(handler);
            let response = poll_once(service.call(request)).expect("ready").unwrap();
            let (parts, body) = response.into_parts();
            (parts, drain(body))
        }
        1 => {
            let mut service = conditional.layer(handler);
            let response = poll_once(service.call(request)).expect("ready").unwrap();
            let (parts, body) = response.into_parts();
            (parts, drain(body))
        }
        _ => {
            let mut service = conditional.layer(etag.layer(handler));
            let response = poll_once(service.call(request)).expect("ready").unwrap();
            let (parts, body) = response.into_parts();
            (parts, drain(body))
        }
    };

    let declared = parts
        .headers
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    match parts.status {
        StatusCode::OK if method == Method::GET => assert_eq!(body, content),
        StatusCode::PARTIAL_CONTENT => {
            assert_eq!(method, Method::GET);
            assert_eq!(declared, Some(body.len()));
            match parts.headers.get(CONTENT_RANGE) {
                Some(value) => {
                    let range = ContentRange::from_header(value).unwrap().range().unwrap();
                    let slice = &content[range.first() as usize..=range.last() as usize];
                    assert_eq!(body, slice);
                }
                None => {
                    let content_type = parts.headers[CONTENT_TYPE].to_str().unwrap();
                    assert!(content_type.starts_with("multipart/byteranges; boundary="));
                }
            }
        }
        StatusCode::NOT_MODIFIED => {
            assert!(body.is_empty());
            assert!(method == Method::GET || method == Method::HEAD);
        }
        StatusCode::PRECONDITION_FAILED if method == Method::PUT || method == Method::POST => {
            assert_eq!(calls.load(Ordering::Relaxed), 0);
        }
        _ => {}
    }
    Ok(())
}

fuzz_target!(|data: &[u8]| {
    let _ = run(&mut Unstructured::new(data));
});
