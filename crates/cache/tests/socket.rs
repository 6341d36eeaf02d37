//! `ConditionalLayer` and `ETagLayer` in front of a tackle-request handler,
//! served by hyper on 127.0.0.1:0 and spoken to over a real socket: by
//! hyper's client, and for HEAD also by a raw HTTP/1.1 exchange, so that
//! what goes over the wire (no body after a 304 or a HEAD head) is what is
//! checked.

use std::io::{Read, Write};
use std::net::SocketAddr;

use bytes::Bytes;
use http::header::{
    ACCEPT, ACCEPT_RANGES, CONTENT_LENGTH, CONTENT_RANGE, CONTENT_TYPE, ETAG, IF_MATCH,
    IF_NONE_MATCH, IF_RANGE, RANGE,
};
use http::{HeaderMap, Method, Request, StatusCode};
use http_body_util::{BodyExt, Empty};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::service::TowerToHyperService;
use tackle_cache::{ConditionalLayer, ETagLayer};
use tackle_request::response::Response;
use tackle_request::{HttpError, handler};
use tokio::net::TcpListener;
use tower::ServiceBuilder;

/// What the handler answers for every GET and HEAD: 36 bytes.
const CONTENT: &str = "0123456789abcdefghijklmnopqrstuvwxyz";

/// The stack on a free port: ConditionalLayer, then ETagLayer, then the
/// handler.
async fn server() -> SocketAddr {
    let app = ServiceBuilder::new()
        .layer(ConditionalLayer::new())
        .layer(ETagLayer::new())
        .service(handler(|_: tackle_request::Request<Incoming>| async move {
            Ok::<_, HttpError>(Response::text(CONTENT))
        }));
    let service = TowerToHyperService::new(app);
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        loop {
            let (stream, _) = listener.accept().await.unwrap();
            let service = service.clone();
            tokio::spawn(async move {
                let _ = http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    });
    addr
}

struct Reply {
    status: StatusCode,
    headers: HeaderMap,
    body: Bytes,
}

impl Reply {
    fn header(&self, name: http::HeaderName) -> Option<&str> {
        self.headers.get(name).map(|v| v.to_str().unwrap())
    }
}

type HttpClient = Client<HttpConnector, Empty<Bytes>>;

fn client() -> HttpClient {
    Client::builder(TokioExecutor::new()).build_http()
}

async fn send(
    client: &HttpClient,
    addr: SocketAddr,
    method: Method,
    headers: &[(http::HeaderName, &str)],
) -> Reply {
    let mut request = Request::builder()
        .method(method)
        .uri(format!("http://{addr}/text"));
    for (name, value) in headers {
        request = request.header(name, *value);
    }
    let response = client
        .request(request.body(Empty::new()).unwrap())
        .await
        .unwrap();
    let (parts, body) = response.into_parts();
    Reply {
        status: parts.status,
        headers: parts.headers,
        body: body.collect().await.unwrap().to_bytes(),
    }
}

/// The raw bytes of the response to `request` (sent as it is), read until
/// the server closes the connection.
async fn raw(addr: SocketAddr, request: String) -> Vec<u8> {
    tokio::task::spawn_blocking(move || {
        let mut stream = std::net::TcpStream::connect(addr).unwrap();
        stream.write_all(request.as_bytes()).unwrap();
        let mut bytes = Vec::new();
        stream.read_to_end(&mut bytes).unwrap();
        bytes
    })
    .await
    .unwrap()
}

/// The value of the field `name` in a raw response head.
fn field(head: &str, name: &str) -> Option<String> {
    head.split("\r\n").skip(1).find_map(|line| {
        let (n, v) = line.split_once(':')?;
        n.eq_ignore_ascii_case(name).then(|| v.trim().to_owned())
    })
}

#[tokio::test]
async fn get_then_304_then_206_over_the_wire() {
    let addr = server().await;
    let client = client();

    let full = send(&client, addr, Method::GET, &[]).await;
    assert_eq!(full.status, StatusCode::OK);
    assert_eq!(full.body, CONTENT);
    assert_eq!(full.header(CONTENT_LENGTH), Some("36"));
    assert_eq!(full.header(ACCEPT_RANGES), Some("bytes"));
    assert_eq!(full.header(CONTENT_TYPE), Some("text/plain; charset=utf-8"));
    let etag = full.header(ETAG).expect("a hash ETag").to_owned();
    // A strong tag: 22 base64url characters in quotes.
    assert_eq!(etag.len(), 24, "{etag}");
    assert!(etag.starts_with('"') && etag.ends_with('"'), "{etag}");

    let not_modified = send(&client, addr, Method::GET, &[(IF_NONE_MATCH, &etag)]).await;
    assert_eq!(not_modified.status, StatusCode::NOT_MODIFIED);
    assert!(not_modified.body.is_empty());
    assert_eq!(not_modified.header(ETAG), Some(&*etag));
    assert_eq!(not_modified.header(CONTENT_TYPE), None);

    let changed = send(&client, addr, Method::GET, &[(IF_NONE_MATCH, "\"old\"")]).await;
    assert_eq!(changed.status, StatusCode::OK);
    assert_eq!(changed.body, CONTENT);

    let part = send(&client, addr, Method::GET, &[(RANGE, "bytes=0-9")]).await;
    assert_eq!(part.status, StatusCode::PARTIAL_CONTENT);
    assert_eq!(part.body, "0123456789");
    assert_eq!(part.header(CONTENT_RANGE), Some("bytes 0-9/36"));
    assert_eq!(part.header(CONTENT_LENGTH), Some("10"));
    assert_eq!(part.header(ETAG), Some(&*etag));

    // Resuming with the current tag continues; with a stale one restarts.
    let rest = send(
        &client,
        addr,
        Method::GET,
        &[(RANGE, "bytes=10-"), (IF_RANGE, &etag)],
    )
    .await;
    assert_eq!(rest.status, StatusCode::PARTIAL_CONTENT);
    assert_eq!(rest.body, &CONTENT[10..]);
    assert_eq!(rest.header(CONTENT_RANGE), Some("bytes 10-35/36"));
    let stale = send(
        &client,
        addr,
        Method::GET,
        &[(RANGE, "bytes=10-"), (IF_RANGE, "\"old\"")],
    )
    .await;
    assert_eq!(stale.status, StatusCode::OK);
    assert_eq!(stale.body, CONTENT);
}

#[tokio::test]
async fn several_ranges_412_and_416_over_the_wire() {
    let addr = server().await;
    let client = client();

    let parts = send(&client, addr, Method::GET, &[(RANGE, "bytes=0-1,30-")]).await;
    assert_eq!(parts.status, StatusCode::PARTIAL_CONTENT);
    let content_type = parts.header(CONTENT_TYPE).unwrap();
    let boundary = content_type
        .strip_prefix("multipart/byteranges; boundary=")
        .unwrap_or_else(|| panic!("{content_type}"));
    let body = std::str::from_utf8(&parts.body).unwrap();
    assert_eq!(
        parts.header(CONTENT_LENGTH),
        Some(&*parts.body.len().to_string())
    );
    assert!(
        body.contains("Content-Range: bytes 0-1/36\r\n\r\n01\r\n"),
        "{body}"
    );
    assert!(
        body.contains("Content-Range: bytes 30-35/36\r\n\r\nuvwxyz\r\n"),
        "{body}"
    );
    assert!(body.ends_with(&format!("--{boundary}--\r\n")), "{body}");

    let failed = send(
        &client,
        addr,
        Method::GET,
        &[(IF_MATCH, "\"old\""), (ACCEPT, "application/json")],
    )
    .await;
    assert_eq!(failed.status, StatusCode::PRECONDITION_FAILED);
    // Rendered for the client's Accept, as every tackle error is.
    assert_eq!(failed.header(CONTENT_TYPE), Some("application/json"));
    let problem: serde_json::Value = serde_json::from_slice(&failed.body).unwrap();
    assert_eq!(problem["status"], 412);

    let unsatisfiable = send(&client, addr, Method::GET, &[(RANGE, "bytes=36-")]).await;
    assert_eq!(unsatisfiable.status, StatusCode::RANGE_NOT_SATISFIABLE);
    assert_eq!(unsatisfiable.header(CONTENT_RANGE), Some("bytes */36"));
}

#[tokio::test]
async fn head_has_the_get_headers_and_no_body_on_the_wire() {
    let addr = server().await;
    let client = client();
    let get = send(&client, addr, Method::GET, &[]).await;
    let etag = get.header(ETAG).unwrap().to_owned();

    let head = send(&client, addr, Method::HEAD, &[]).await;
    assert_eq!(head.status, StatusCode::OK);
    assert!(head.body.is_empty());
    assert_eq!(head.header(ETAG), Some(&*etag));
    assert_eq!(head.header(CONTENT_LENGTH), Some("36"));
    assert_eq!(head.header(ACCEPT_RANGES), Some("bytes"));

    let not_modified = send(&client, addr, Method::HEAD, &[(IF_NONE_MATCH, &etag)]).await;
    assert_eq!(not_modified.status, StatusCode::NOT_MODIFIED);
    assert_eq!(not_modified.header(ETAG), Some(&*etag));

    // The wire itself: the head, then nothing, although Content-Length
    // says 36.
    let bytes = raw(
        addr,
        "HEAD /text HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n".to_owned(),
    )
    .await;
    let text = String::from_utf8(bytes).unwrap();
    let (head, rest) = text.split_once("\r\n\r\n").expect("a whole head");
    assert!(head.starts_with("HTTP/1.1 200 OK\r\n"), "{head}");
    assert_eq!(
        field(head, "content-length").as_deref(),
        Some("36"),
        "{head}"
    );
    assert_eq!(field(head, "etag"), Some(etag.clone()), "{head}");
    assert_eq!(rest, "", "no body after a HEAD head");

    // And a 304 to GET: a head and nothing else.
    let request = format!(
        "GET /text HTTP/1.1\r\nHost: localhost\r\nIf-None-Match: {etag}\r\n\
         Connection: close\r\n\r\n"
    );
    let text = String::from_utf8(raw(addr, request).await).unwrap();
    let (head, rest) = text.split_once("\r\n\r\n").expect("a whole head");
    assert!(head.starts_with("HTTP/1.1 304 Not Modified\r\n"), "{head}");
    assert_eq!(field(head, "etag"), Some(etag.clone()), "{head}");
    // A 304 may state the length the 200 would have (RFC 9110 §8.6), and
    // nothing else; either way no body follows.
    let length = field(head, "content-length");
    assert!(
        length.is_none() || length.as_deref() == Some("36"),
        "{head}"
    );
    assert_eq!(rest, "");
}
