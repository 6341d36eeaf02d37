//! The `static_files` example over a real socket: the bundled demo
//! directory at `/static` in front of the app, spoken to by a raw HTTP/1.1
//! client so that what goes over the wire is what is checked.

#[path = "support/raw_http.rs"]
mod raw_http;
#[path = "../examples/static_files.rs"]
mod static_files_example;

use std::net::SocketAddr;

use raw_http::{Reply, send};
use static_files_example::{app, serve, static_dir};
use tokio::net::TcpListener;

async fn server() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(serve(listener, app(static_dir())));
    addr
}

async fn get(addr: SocketAddr, target: &str, headers: &str) -> Reply {
    send(addr, "GET", target, headers, b"").await
}

#[tokio::test]
async fn files_in_front_of_the_app() {
    let addr = server().await;

    let css = get(addr, "/static/css/site.css", "").await;
    assert_eq!(css.status, 200);
    assert_eq!(css.header("content-type"), Some("text/css; charset=utf-8"));
    assert_eq!(css.header("cache-control"), Some("no-cache"));
    assert_eq!(css.header("vary"), Some("accept-encoding"));
    assert!(css.text().contains("font:"));
    let etag = css.header("etag").unwrap().to_owned();

    let gzip = get(addr, "/static/css/site.css", "Accept-Encoding: gzip\r\n").await;
    assert_eq!(gzip.header("content-encoding"), Some("gzip"));
    assert_ne!(gzip.header("etag"), Some(etag.as_str()));
    assert_eq!(gzip.body[..2], [0x1f, 0x8b]);

    let again = get(
        addr,
        "/static/css/site.css",
        &format!("If-None-Match: {etag}\r\n"),
    )
    .await;
    assert_eq!(again.status, 304);
    assert!(again.body.is_empty());

    let script = get(addr, "/static/app.3f2a9c1b.js", "").await;
    assert_eq!(
        script.header("cache-control"),
        Some("public, max-age=31536000, immutable")
    );

    let ranges = get(addr, "/static/docs/guide.txt", "Range: bytes=0-2,-4\r\n").await;
    assert_eq!(ranges.status, 206);
    let content_type = ranges.header("content-type").unwrap();
    assert!(content_type.starts_with("multipart/byteranges; boundary="));
    let text = ranges.text();
    assert!(text.contains("Content-Range: bytes 0-2/"));
    assert!(text.contains("\r\n\r\nThe\r\n--"));

    let redirect = get(addr, "/static/docs?sort=name", "").await;
    assert_eq!(redirect.status, 308);
    assert_eq!(redirect.header("location"), Some("/static/docs/?sort=name"));

    let listing = get(addr, "/static/docs/", "").await;
    assert_eq!(listing.status, 200);
    assert!(listing.text().contains("guide.txt"));

    let download = get(addr, "/download", "").await;
    assert_eq!(download.status, 200);
    assert!(
        download
            .header("content-disposition")
            .unwrap()
            .starts_with("attachment")
    );

    let home = get(addr, "/", "").await;
    assert_eq!(home.text(), "the app: try /static/ for the files\n");
    let post = send(addr, "POST", "/static/css/site.css", "", b"").await;
    assert_eq!(post.status, 404, "POST passes through to the app");
}
