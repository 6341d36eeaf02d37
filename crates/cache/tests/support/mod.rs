//! Helpers shared by the ETag, conditional and precedence tests: fixed
//! content and dates, request builders, bodies that behave in ways
//! `Full` cannot (several frames, trailers, errors, no end), and a reader
//! of `multipart/byteranges`.
#![allow(dead_code)] // each test crate uses a different part of this module

use std::collections::VecDeque;
use std::convert::Infallible;
use std::fmt::Debug;
use std::future::{Ready, ready};
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use bytes::Bytes;
use http::{HeaderMap, HeaderName, HeaderValue, Request, Response};
use http_body::{Body, Frame, SizeHint};
use http_body_util::BodyExt;

/// A handler answering every request with `respond(&request)`.
#[derive(Clone)]
pub struct Respond<F>(pub F);

impl<F, B> tower::Service<Request<String>> for Respond<F>
where
    F: Fn(&Request<String>) -> Response<B>,
{
    type Response = Response<B>;
    type Error = Infallible;
    type Future = Ready<Result<Response<B>, Infallible>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: Request<String>) -> Self::Future {
        ready(Ok((self.0)(&request)))
    }
}

/// `layer` (as configured) over a handler answering every request with
/// `respond(&request)`.
pub fn app<L, F, B>(layer: L, respond: F) -> L::Service
where
    L: tower::Layer<Respond<F>>,
    F: Fn(&Request<String>) -> Response<B> + Clone,
{
    layer.layer(Respond(respond))
}

/// A handler answer given once: for bodies that cannot be cloned.
pub fn once<B>(body: B) -> impl Fn(&Request<String>) -> Response<B> + Clone {
    let body = Arc::new(Mutex::new(Some(body)));
    move |_| Response::new(body.lock().unwrap().take().expect("called once"))
}

/// The response of `app` to `method /` with these header lines.
pub async fn call<S, B>(app: &S, method: &str, lines: &[(&str, &str)]) -> Response<B>
where
    S: tower::Service<Request<String>, Response = Response<B>, Error = Infallible> + Clone,
{
    use tower::ServiceExt;
    app.clone()
        .oneshot(request(method, "/", lines))
        .await
        .unwrap()
}

/// Last-Modified of the test representation, and a day either side.
pub const LM: &str = "Sat, 29 Oct 1994 19:43:31 GMT";
pub const BEFORE: &str = "Fri, 28 Oct 1994 19:43:31 GMT";
pub const AFTER: &str = "Sun, 30 Oct 1994 19:43:31 GMT";

/// The byte at `position` of every test content: a pattern with period 251
/// (a prime), so a slice taken at the wrong offset never looks right.
pub fn byte_at(position: u64) -> u8 {
    (position % 251) as u8
}

/// `len` bytes of the pattern, from position 0.
pub fn content(len: usize) -> Bytes {
    (0..len as u64).map(byte_at).collect::<Vec<u8>>().into()
}

/// A request with `headers` appended in order (a name may repeat).
pub fn request(method: &str, uri: &str, headers: &[(&str, &str)]) -> Request<String> {
    let mut request = Request::builder()
        .method(method)
        .uri(uri)
        .body(String::new())
        .unwrap();
    for (name, value) in headers {
        request.headers_mut().append(
            HeaderName::from_bytes(name.as_bytes()).unwrap(),
            HeaderValue::from_str(value).unwrap(),
        );
    }
    request
}

/// A header of `response` as text, `None` when absent.
pub fn header<'a, B>(response: &'a Response<B>, name: &str) -> Option<&'a str> {
    response
        .headers()
        .get(name)
        .map(|value| value.to_str().unwrap())
}

/// Every value of a header of `response`, in order.
pub fn headers_all<B>(response: &Response<B>, name: &str) -> Vec<String> {
    response
        .headers()
        .get_all(name)
        .iter()
        .map(|value| value.to_str().unwrap().to_owned())
        .collect()
}

/// The whole body of `response` and its trailers.
pub async fn read<B>(response: Response<B>) -> (Bytes, Option<HeaderMap>)
where
    B: Body,
    B::Error: Debug,
{
    let collected = response.into_body().collect().await.unwrap();
    let trailers = collected.trailers().cloned();
    (collected.to_bytes(), trailers)
}

/// The whole body of `response`.
pub async fn bytes<B>(response: Response<B>) -> Bytes
where
    B: Body,
    B::Error: Debug,
{
    read(response).await.0
}

/// An error a test body fails with.
#[derive(Debug)]
pub struct BodyFailed(pub &'static str);

impl std::fmt::Display for BodyFailed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.0)
    }
}

impl std::error::Error for BodyFailed {}

/// A body of given frames, then optionally an error; its size hint is
/// unknown unless set. It records whether it was ever polled.
#[derive(Debug)]
pub struct Frames {
    frames: VecDeque<Frame<Bytes>>,
    error: Option<BodyFailed>,
    hint: SizeHint,
    polled: Arc<AtomicBool>,
}

impl Frames {
    /// Data frames, one per chunk, with an unknown size hint.
    pub fn chunks<I, C>(chunks: I) -> Self
    where
        I: IntoIterator<Item = C>,
        C: Into<Bytes>,
    {
        Frames {
            frames: chunks.into_iter().map(|c| Frame::data(c.into())).collect(),
            error: None,
            hint: SizeHint::default(),
            polled: Arc::new(AtomicBool::new(false)),
        }
    }

    /// `content` cut into frames of `size` bytes.
    pub fn split(content: &Bytes, size: usize) -> Self {
        let chunks: Vec<Bytes> = (0..content.len())
            .step_by(size)
            .map(|start| content.slice(start..(start + size).min(content.len())))
            .collect();
        Frames::chunks(chunks)
    }

    /// Ends with a trailers frame.
    pub fn trailers(mut self, trailers: HeaderMap) -> Self {
        self.frames.push_back(Frame::trailers(trailers));
        self
    }

    /// Fails after the frames.
    pub fn then_fail(mut self, message: &'static str) -> Self {
        self.error = Some(BodyFailed(message));
        self
    }

    /// Claims this size hint.
    pub fn hint(mut self, hint: SizeHint) -> Self {
        self.hint = hint;
        self
    }

    /// Set once the body is first polled.
    pub fn polled(&self) -> Arc<AtomicBool> {
        self.polled.clone()
    }
}

impl Body for Frames {
    type Data = Bytes;
    type Error = BodyFailed;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, BodyFailed>>> {
        self.polled.store(true, Ordering::SeqCst);
        if let Some(frame) = self.frames.pop_front() {
            return Poll::Ready(Some(Ok(frame)));
        }
        Poll::Ready(self.error.take().map(Err))
    }

    fn is_end_stream(&self) -> bool {
        self.frames.is_empty() && self.error.is_none()
    }

    fn size_hint(&self) -> SizeHint {
        self.hint
    }
}

/// A body that never ends: chunks of `chunk` bytes of the pattern, forever,
/// counting in `handed_out` the bytes it has given. It is always ready, so
/// a reader that ignored its limit would never yield: past `panic_after`
/// bytes it panics instead, turning that hang into a failure.
#[derive(Debug)]
pub struct Endless {
    chunk: usize,
    panic_after: u64,
    handed_out: Arc<AtomicU64>,
}

impl Endless {
    pub fn new(chunk: usize, panic_after: u64) -> (Self, Arc<AtomicU64>) {
        let handed_out = Arc::new(AtomicU64::new(0));
        (
            Endless {
                chunk,
                panic_after,
                handed_out: handed_out.clone(),
            },
            handed_out,
        )
    }
}

impl Body for Endless {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        let start = self
            .handed_out
            .fetch_add(self.chunk as u64, Ordering::SeqCst);
        assert!(
            start < self.panic_after,
            "read {start} bytes of an endless body: far past any limit"
        );
        let chunk: Vec<u8> = (start..start + self.chunk as u64).map(byte_at).collect();
        Poll::Ready(Some(Ok(Frame::data(Bytes::from(chunk)))))
    }

    fn is_end_stream(&self) -> bool {
        false
    }
}

/// Reads `wanted` bytes from `body` (which must not end before) and checks
/// they are the pattern from position 0.
pub async fn read_pattern<B>(body: &mut B, wanted: u64)
where
    B: Body + Unpin,
    B::Error: Debug,
{
    let mut position = 0u64;
    while position < wanted {
        let frame = body
            .frame()
            .await
            .expect("the body ended early")
            .expect("the body failed");
        let Ok(data) = frame.into_data() else {
            panic!("trailers in an endless body");
        };
        let data = collect_buf(data);
        for (i, &b) in data.iter().enumerate() {
            assert_eq!(
                b,
                byte_at(position + i as u64),
                "byte {}",
                position + i as u64
            );
        }
        position += data.len() as u64;
    }
}

fn collect_buf<D: bytes::Buf>(mut data: D) -> Bytes {
    data.copy_to_bytes(data.remaining())
}

/// One part of a `multipart/byteranges` body.
#[derive(Debug)]
pub struct Part {
    /// Header lines as `(lowercase name, value)`.
    pub headers: Vec<(String, String)>,
    pub body: Bytes,
}

impl Part {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// The boundary of a `multipart/byteranges; boundary=...` content type.
pub fn boundary(content_type: &str) -> String {
    let (essence, params) = content_type.split_once(';').expect("parameters");
    assert_eq!(essence.trim(), "multipart/byteranges");
    let boundary = params
        .split(';')
        .find_map(|p| p.trim().strip_prefix("boundary="))
        .expect("a boundary parameter");
    boundary.trim_matches('"').to_owned()
}

/// Reads a `multipart/byteranges` body strictly (RFC 9110 §14.6, RFC 2046
/// §5.1.1): no preamble or epilogue, CRLF everywhere, a closing delimiter.
pub fn parse_multipart(content_type: &str, body: &[u8]) -> Vec<Part> {
    let boundary = boundary(content_type);
    let first = format!("--{boundary}\r\n");
    let between = format!("\r\n--{boundary}");
    assert!(
        body.starts_with(first.as_bytes()),
        "the body starts with the first delimiter"
    );
    let closing = format!("\r\n--{boundary}--\r\n");
    assert!(
        body.ends_with(closing.as_bytes()),
        "the body ends with the closing delimiter"
    );
    // Everything between the first delimiter line and the closing one.
    let inner = &body[first.len()..body.len() - closing.len()];
    let mut parts = Vec::new();
    let mut rest = inner;
    loop {
        let (part, next) = match find(rest, between.as_bytes()) {
            Some(at) => {
                let after = &rest[at + between.len()..];
                let after = after.strip_prefix(b"\r\n").expect("CRLF after a delimiter");
                (&rest[..at], Some(after))
            }
            None => (rest, None),
        };
        let head_end = find(part, b"\r\n\r\n").expect("a blank line after the part's headers");
        let head = std::str::from_utf8(&part[..head_end]).unwrap();
        let headers = head
            .split("\r\n")
            .map(|line| {
                let (name, value) = line.split_once(':').expect("a header line");
                (name.trim().to_ascii_lowercase(), value.trim().to_owned())
            })
            .collect();
        parts.push(Part {
            headers,
            body: Bytes::copy_from_slice(&part[head_end + 4..]),
        });
        match next {
            Some(next) => rest = next,
            None => break,
        }
    }
    parts
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .position(|window| window == needle)
}

/// `(first, last, complete length)` of `bytes first-last/length`.
pub fn content_range(value: &str) -> (u64, u64, u64) {
    let spec = value.strip_prefix("bytes ").expect("a bytes Content-Range");
    let (range, length) = spec.split_once('/').unwrap();
    let (first, last) = range.split_once('-').unwrap();
    (
        first.parse().unwrap(),
        last.parse().unwrap(),
        length.parse().unwrap(),
    )
}
