//! The showcase app over a real socket: hyper on 127.0.0.1:0 and a raw
//! HTTP/1.1 client.

#[path = "../examples/showcase/app.rs"]
mod app;

use std::convert::Infallible;

use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

async fn serve() -> std::net::SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                return;
            };
            tokio::spawn(async move {
                let service =
                    service_fn(|req| async move { Ok::<_, Infallible>(app::handle(&req)) });
                let _ = auto::Builder::new(TokioExecutor::new())
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    });
    addr
}

async fn raw_request(addr: std::net::SocketAddr, request: &str) -> String {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut response = Vec::new();
    stream.read_to_end(&mut response).await.unwrap();
    String::from_utf8_lossy(&response).into_owned()
}

#[tokio::test]
async fn home_page_over_a_socket() {
    let addr = serve().await;
    let response = raw_request(
        addr,
        "GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n",
    )
    .await;
    assert!(response.starts_with("HTTP/1.1 200 OK\r\n"), "{response}");
    assert!(
        response.contains("content-type: text/html; charset=utf-8"),
        "{response}"
    );
    assert!(response.contains("<code>tackle-http</code>"), "{response}");
}

#[tokio::test]
async fn head_has_headers_but_no_body_and_unknown_paths_404() {
    let addr = serve().await;
    let response = raw_request(
        addr,
        "HEAD / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n",
    )
    .await;
    assert!(response.starts_with("HTTP/1.1 200 OK\r\n"), "{response}");
    assert!(response.ends_with("\r\n\r\n"), "{response}");
    let response = raw_request(
        addr,
        "GET /nope HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n",
    )
    .await;
    assert!(
        response.starts_with("HTTP/1.1 404 Not Found\r\n"),
        "{response}"
    );
    let response = raw_request(
        addr,
        "POST / HTTP/1.1\r\nHost: localhost\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
    )
    .await;
    assert!(
        response.starts_with("HTTP/1.1 405 Method Not Allowed\r\n"),
        "{response}"
    );
    assert!(response.contains("allow: GET, HEAD"), "{response}");
}

fn header<'a>(response: &'a str, name: &str) -> Option<&'a str> {
    response
        .split("\r\n")
        .find_map(|line| line.strip_prefix(&format!("{name}: ")))
}

#[tokio::test]
async fn home_page_negotiates_json_and_answers_if_none_match_with_304() {
    let addr = serve().await;
    let json = raw_request(
        addr,
        "GET / HTTP/1.1\r\nHost: localhost\r\nAccept: application/json\r\nConnection: close\r\n\r\n",
    )
    .await;
    assert!(json.starts_with("HTTP/1.1 200 OK\r\n"), "{json}");
    assert_eq!(header(&json, "content-type"), Some("application/json"));
    assert_eq!(header(&json, "vary"), Some("Accept"));
    assert_eq!(header(&json, "cache-control"), Some("no-cache"));
    assert!(json.contains("{\"crate\":\"tackle-http\""), "{json}");

    let etag = header(&json, "etag").expect("an ETag").to_string();
    let revalidate = format!(
        "GET / HTTP/1.1\r\nHost: localhost\r\nAccept: application/json\r\n\
         If-None-Match: \"other\", {etag}\r\nConnection: close\r\n\r\n"
    );
    let not_modified = raw_request(addr, &revalidate).await;
    assert!(
        not_modified.starts_with("HTTP/1.1 304 Not Modified\r\n"),
        "{not_modified}"
    );
    assert_eq!(header(&not_modified, "etag"), Some(etag.as_str()));
    assert_eq!(header(&not_modified, "content-type"), None);
    assert!(not_modified.ends_with("\r\n\r\n"), "{not_modified}");

    // The HTML variant has its own tag, so the JSON tag does not match it.
    let html = raw_request(
        addr,
        &format!("GET / HTTP/1.1\r\nHost: localhost\r\nIf-None-Match: {etag}\r\nConnection: close\r\n\r\n"),
    )
    .await;
    assert!(html.starts_with("HTTP/1.1 200 OK\r\n"), "{html}");
    assert_eq!(
        header(&html, "content-type"),
        Some("text/html; charset=utf-8")
    );

    let refused = raw_request(
        addr,
        "GET / HTTP/1.1\r\nHost: localhost\r\nAccept: image/png\r\nConnection: close\r\n\r\n",
    )
    .await;
    assert!(
        refused.starts_with("HTTP/1.1 406 Not Acceptable\r\n"),
        "{refused}"
    );
}
