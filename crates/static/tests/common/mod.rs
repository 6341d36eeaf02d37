//! Helpers for the socket tests: a hyper server on 127.0.0.1:0 around any
//! tower service, and a raw TCP client that writes request bytes as given
//! and reads the whole response (`Connection: close`), so that the tests
//! see exactly what went over the wire (a HEAD or a 304 without a body, the
//! `multipart/byteranges` framing byte for byte).

#![allow(dead_code)]

use std::convert::Infallible;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use http::{Request, Response};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::TokioIo;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Serves `service` on a free loopback port until the test's runtime ends.
pub async fn serve<S, B>(service: S) -> SocketAddr
where
    S: tower::Service<Request<Incoming>, Response = Response<B>> + Clone + Send + 'static,
    S::Future: Send + 'static,
    S::Error: Into<BoxError>,
    B: http_body::Body<Data = Bytes> + Send + 'static,
    B::Error: Into<BoxError>,
{
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let service = TowerToHyperService::new(service.clone());
            tokio::spawn(async move {
                let _ = http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    });
    addr
}

/// A response as read off the socket.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    /// Names lower-cased, in the order received.
    pub headers: Vec<(String, String)>,
    /// The bytes after the head, de-chunked when chunked.
    pub body: Vec<u8>,
    /// The bytes after the head as received.
    pub raw_body: Vec<u8>,
}

impl Reply {
    /// The only value of `name`; panics when it is sent twice.
    pub fn header(&self, name: &str) -> Option<&str> {
        let all = self.all(name);
        assert!(all.len() <= 1, "{name} sent {} times: {all:?}", all.len());
        all.first().copied()
    }

    /// The value of `name`, which must be present.
    pub fn must(&self, name: &str) -> &str {
        self.header(name)
            .unwrap_or_else(|| panic!("no {name} header in {:#?}", self.headers))
    }

    pub fn all(&self, name: &str) -> Vec<&str> {
        let name = name.to_ascii_lowercase();
        self.headers
            .iter()
            .filter(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// `Content-Length` as a number.
    pub fn content_length(&self) -> usize {
        self.must("content-length").parse().unwrap()
    }
}

/// Writes `request` as is and reads until the server closes (on the
/// blocking pool, with std's socket: the server runs on the same runtime).
pub async fn send_raw(addr: SocketAddr, request: &[u8]) -> Reply {
    let request = request.to_vec();
    let received = tokio::task::spawn_blocking(move || {
        use std::io::{Read, Write};
        let mut stream = std::net::TcpStream::connect(addr).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(30)))
            .unwrap();
        stream.write_all(&request).unwrap();
        let mut received = Vec::new();
        stream
            .read_to_end(&mut received)
            .expect("the server did not close the connection in 30 s");
        received
    })
    .await
    .unwrap();
    parse(&received)
}

/// `method target` with `headers`, `Host` and `Connection: close`.
pub async fn request(
    addr: SocketAddr,
    method: &str,
    target: &str,
    headers: &[(&str, &str)],
) -> Reply {
    let mut text =
        format!("{method} {target} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n");
    for (name, value) in headers {
        text.push_str(&format!("{name}: {value}\r\n"));
    }
    if !matches!(method, "GET" | "HEAD") {
        text.push_str("Content-Length: 0\r\n");
    }
    text.push_str("\r\n");
    send_raw(addr, text.as_bytes()).await
}

pub async fn get(addr: SocketAddr, target: &str, headers: &[(&str, &str)]) -> Reply {
    request(addr, "GET", target, headers).await
}

pub async fn head(addr: SocketAddr, target: &str, headers: &[(&str, &str)]) -> Reply {
    request(addr, "HEAD", target, headers).await
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn parse(received: &[u8]) -> Reply {
    let end = find(received, b"\r\n\r\n")
        .unwrap_or_else(|| panic!("no end of head in {:?}", String::from_utf8_lossy(received)));
    let head = std::str::from_utf8(&received[..end]).expect("the head is not UTF-8");
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap();
    let mut words = status_line.splitn(3, ' ');
    assert_eq!(
        words.next(),
        Some("HTTP/1.1"),
        "status line {status_line:?}"
    );
    let status = words.next().unwrap().parse().unwrap();
    let headers = lines
        .map(|line| {
            let (name, value) = line.split_once(':').expect("a header line without ':'");
            (name.to_ascii_lowercase(), value.trim().to_owned())
        })
        .collect::<Vec<_>>();
    let raw_body = received[end + 4..].to_vec();
    let chunked = headers
        .iter()
        .any(|(n, v)| n == "transfer-encoding" && v.eq_ignore_ascii_case("chunked"));
    let body = if chunked {
        dechunk(&raw_body)
    } else {
        raw_body.clone()
    };
    Reply {
        status,
        headers,
        body,
        raw_body,
    }
}

fn dechunk(mut data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let line_end = find(data, b"\r\n").expect("a chunk size line");
        let size_text = std::str::from_utf8(&data[..line_end]).unwrap();
        let size = usize::from_str_radix(size_text.split(';').next().unwrap().trim(), 16).unwrap();
        data = &data[line_end + 2..];
        if size == 0 {
            return out;
        }
        out.extend_from_slice(&data[..size]);
        assert_eq!(&data[size..size + 2], b"\r\n", "chunk not followed by CRLF");
        data = &data[size + 2..];
    }
}

/// One part of a `multipart/byteranges` body.
#[derive(Debug)]
pub struct Part {
    pub content_type: Option<String>,
    pub content_range: String,
    /// `(first, last, complete length)` from `Content-Range`.
    pub first: u64,
    pub last: u64,
    pub complete: u64,
    pub bytes: Vec<u8>,
}

/// The boundary of a `multipart/byteranges; boundary=...` content type.
pub fn boundary(content_type: &str) -> String {
    let (essence, params) = content_type.split_once(';').expect("no boundary parameter");
    assert_eq!(essence.trim(), "multipart/byteranges");
    let boundary = params
        .split(';')
        .filter_map(|p| p.trim().strip_prefix("boundary="))
        .next()
        .expect("no boundary parameter");
    boundary.trim_matches('"').to_owned()
}

/// Parses a `multipart/byteranges` body (RFC 9110 §14.6, RFC 2046 §5.1)
/// strictly: each part's length comes from its `Content-Range`, and the
/// delimiter must follow its bytes exactly; nothing may follow the close
/// delimiter but its CRLF.
pub fn parse_byteranges(body: &[u8], boundary: &str) -> Vec<Part> {
    let delimiter = format!("--{boundary}");
    let mut rest = body;
    assert!(
        rest.starts_with(delimiter.as_bytes()),
        "the body does not start with the delimiter: {:?}",
        String::from_utf8_lossy(&rest[..rest.len().min(80)])
    );
    let mut parts = Vec::new();
    loop {
        rest = &rest[delimiter.len()..];
        if rest == b"--\r\n" || rest == b"--" {
            return parts;
        }
        assert!(rest.starts_with(b"\r\n"), "no CRLF after the delimiter");
        rest = &rest[2..];
        let head_end = find(rest, b"\r\n\r\n").expect("part head without end");
        let head = std::str::from_utf8(&rest[..head_end]).unwrap();
        let mut content_type = None;
        let mut content_range = None;
        for line in head.split("\r\n") {
            let (name, value) = line.split_once(':').unwrap();
            match name.to_ascii_lowercase().as_str() {
                "content-type" => content_type = Some(value.trim().to_owned()),
                "content-range" => content_range = Some(value.trim().to_owned()),
                other => panic!("unexpected part header {other}"),
            }
        }
        let content_range = content_range.expect("a part without Content-Range");
        let (first, last, complete) = parse_content_range(&content_range);
        rest = &rest[head_end + 4..];
        let len = (last - first + 1) as usize;
        assert!(rest.len() >= len, "part shorter than its Content-Range");
        let bytes = rest[..len].to_vec();
        rest = &rest[len..];
        assert!(
            rest.starts_with(b"\r\n"),
            "part bytes not followed by CRLF + delimiter"
        );
        rest = &rest[2..];
        assert!(
            rest.starts_with(delimiter.as_bytes()),
            "no delimiter after a part"
        );
        parts.push(Part {
            content_type,
            content_range,
            first,
            last,
            complete,
            bytes,
        });
    }
}

/// `bytes first-last/complete`.
pub fn parse_content_range(value: &str) -> (u64, u64, u64) {
    let spec = value
        .strip_prefix("bytes ")
        .expect("not a bytes Content-Range");
    let (range, complete) = spec.split_once('/').unwrap();
    let (first, last) = range.split_once('-').unwrap();
    (
        first.parse().unwrap(),
        last.parse().unwrap(),
        complete.parse().unwrap(),
    )
}

/// Writes `content` at `root/relative`, creating the directories.
pub fn write(root: &Path, relative: &str, content: impl AsRef<[u8]>) -> PathBuf {
    let path = root.join(relative);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, content).unwrap();
    path
}

/// Sets the modification time of `path`.
pub fn set_mtime(path: &Path, time: SystemTime) {
    let file = std::fs::File::options().write(true).open(path).unwrap();
    file.set_modified(time).unwrap();
}

/// `len` bytes that differ at nearly every offset (so a wrong offset shows).
pub fn pattern(len: usize) -> Vec<u8> {
    (0..len)
        .map(|i| (i as u32).wrapping_mul(2_654_435_761).rotate_right(13) as u8)
        .collect()
}

/// What the inner services of the tests answer.
pub type MarkerResponse = Response<http_body_util::Full<Bytes>>;
/// Their future.
pub type MarkerFuture = std::future::Ready<Result<MarkerResponse, Infallible>>;

/// A `tower::service_fn` answering every request with `marker` (200).
pub fn marker_service(
    marker: &'static str,
) -> impl tower::Service<
    Request<Incoming>,
    Response = MarkerResponse,
    Error = Infallible,
    Future = MarkerFuture,
> + Clone {
    tower::service_fn(move |_request: Request<Incoming>| {
        std::future::ready(Ok(Response::new(http_body_util::Full::new(Bytes::from(
            marker,
        )))))
    })
}
