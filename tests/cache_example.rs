//! The `cache` example over a real socket: its own `serve` on 127.0.0.1:0,
//! spoken to by a raw HTTP/1.1 client so that what goes over the wire (a
//! 304 or a `HEAD` without a body, the gzip bytes, `Cache-Control` on a
//! 304) is what is checked.

#[path = "../examples/cache.rs"]
mod cache_example;
#[path = "support/raw_http.rs"]
mod raw_http;

use std::io::Read;
use std::net::SocketAddr;

use cache_example::{Notes, app, serve};
use raw_http::{Reply, send};
use serde_json::json;
use tokio::net::TcpListener;

/// The example app holding two notes (ids 1 and 2, version 1), served on a
/// free port.
async fn server() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let notes = Notes::with(["Buy milk", "Call Ada"]);
    tokio::spawn(serve(listener, app(notes)));
    addr
}

async fn get(addr: SocketAddr, target: &str, headers: &str) -> Reply {
    send(addr, "GET", target, headers, b"").await
}

async fn put(addr: SocketAddr, target: &str, headers: &str, text: &str) -> Reply {
    let headers = format!("Content-Type: text/plain\r\nAccept: application/json\r\n{headers}");
    send(addr, "PUT", target, &headers, text.as_bytes()).await
}

fn gunzip(bytes: &[u8]) -> String {
    let mut text = String::new();
    flate2::read::GzDecoder::new(bytes)
        .read_to_string(&mut text)
        .expect("valid gzip");
    text
}

#[tokio::test]
async fn a_note_is_tagged_with_its_version_and_revalidated_with_304() {
    let addr = server().await;

    let note = get(addr, "/notes/1", "").await;
    assert_eq!(note.status, 200, "{}", note.text());
    assert_eq!(note.header("etag"), Some("\"1\""));
    assert_eq!(note.header("cache-control"), Some("private, no-cache"));
    assert_eq!(note.header("content-type"), Some("application/json"));
    assert_eq!(
        note.json(),
        json!({"id": 1, "text": "Buy milk", "version": 1})
    );

    let not_modified = get(addr, "/notes/1", "If-None-Match: \"1\"\r\n").await;
    assert_eq!(not_modified.status, 304);
    assert!(not_modified.body.is_empty(), "{}", not_modified.text());
    assert_eq!(not_modified.header("etag"), Some("\"1\""));
    // Set on the 200 inside the conditional layers, so the 304 keeps it.
    assert_eq!(
        not_modified.header("cache-control"),
        Some("private, no-cache")
    );
    assert_eq!(not_modified.header("content-type"), None);

    // JSON is left uncompressed, so its tag stays strong for If-Match.
    let gzip = get(addr, "/notes/1", "Accept-Encoding: gzip\r\n").await;
    assert_eq!(gzip.header("content-encoding"), None);
    assert_eq!(gzip.header("etag"), Some("\"1\""));

    // A range of the note, cut by the conditional layer.
    let part = get(addr, "/notes/1", "Range: bytes=0-5\r\n").await;
    assert_eq!(part.status, 206);
    assert_eq!(part.text(), "{\"id\":");
    let length = note.body.len();
    assert_eq!(
        part.header("content-range"),
        Some(&*format!("bytes 0-5/{length}"))
    );

    assert_eq!(get(addr, "/notes/9", "").await.status, 404);
}

#[tokio::test]
async fn puts_need_the_current_version_in_if_match() {
    let addr = server().await;

    // No precondition: 428, the note untouched.
    let unconditional = put(addr, "/notes/1", "", "Buy any milk").await;
    assert_eq!(unconditional.status, 428, "{}", unconditional.text());
    assert_eq!(unconditional.json()["status"], 428);

    // The current version: saved, version 2.
    let saved = put(addr, "/notes/1", "If-Match: \"1\"\r\n", "Buy oat milk").await;
    assert_eq!(saved.status, 200, "{}", saved.text());
    assert_eq!(saved.header("etag"), Some("\"2\""));
    assert_eq!(
        saved.json(),
        json!({"id": 1, "text": "Buy oat milk", "version": 2})
    );

    // A second writer that also read version 1 is refused.
    let stale = put(addr, "/notes/1", "If-Match: \"1\"\r\n", "Buy soy milk").await;
    assert_eq!(stale.status, 412, "{}", stale.text());
    assert_eq!(stale.json()["status"], 412);
    let note = get(addr, "/notes/1", "").await;
    assert_eq!(note.json()["text"], "Buy oat milk");
    assert_eq!(note.header("etag"), Some("\"2\""));

    // The old tag is no longer fresh; the new one is.
    assert_eq!(
        get(addr, "/notes/1", "If-None-Match: \"1\"\r\n")
            .await
            .status,
        200
    );
    assert_eq!(
        get(addr, "/notes/1", "If-None-Match: \"2\"\r\n")
            .await
            .status,
        304
    );

    // A weak tag never passes If-Match (strong comparison), nor a note
    // that does not exist; `*` passes for any existing note.
    let weak = put(addr, "/notes/1", "If-Match: W/\"2\"\r\n", "x").await;
    assert_eq!(weak.status, 412);
    let missing = put(addr, "/notes/9", "If-Match: \"1\"\r\n", "x").await;
    assert_eq!(missing.status, 412);
    let any = put(addr, "/notes/2", "If-Match: *\r\n", "Call Ada today").await;
    assert_eq!(any.status, 200, "{}", any.text());
    assert_eq!(any.header("etag"), Some("\"2\""));

    // The handler's own checks still run behind the layer.
    let empty = put(addr, "/notes/2", "If-Match: \"2\"\r\n", "  ").await;
    assert_eq!(empty.status, 400);
}

#[tokio::test]
async fn the_report_gets_a_hash_tag_per_coding() {
    let addr = server().await;

    let identity = get(addr, "/report", "").await;
    assert_eq!(identity.status, 200);
    assert!(identity.body.len() > 1024, "{} bytes", identity.body.len());
    assert!(
        identity
            .text()
            .starts_with("Notes report: 2 notes, 0 edits\n")
    );
    assert_eq!(
        identity.header("content-type"),
        Some("text/plain; charset=utf-8")
    );
    assert_eq!(identity.header("cache-control"), Some("public, max-age=60"));
    assert_eq!(identity.header("accept-ranges"), Some("bytes"));
    assert_eq!(identity.header("content-encoding"), None);
    let identity_tag = identity.header("etag").unwrap().to_owned();
    assert_eq!(
        identity_tag.len(),
        24,
        "strong, 22 characters: {identity_tag}"
    );

    let gzip = get(addr, "/report", "Accept-Encoding: gzip\r\n").await;
    assert_eq!(gzip.status, 200);
    assert_eq!(gzip.header("content-encoding"), Some("gzip"));
    assert_eq!(gzip.header("vary"), Some("accept-encoding"));
    assert_eq!(gzip.header("cache-control"), Some("public, max-age=60"));
    let length = gzip.body.len().to_string();
    assert_eq!(gzip.header("content-length"), Some(&*length));
    assert_eq!(gunzip(&gzip.body), identity.text());
    let gzip_tag = gzip.header("etag").unwrap().to_owned();
    assert!(gzip_tag.starts_with('"'), "{gzip_tag}");
    assert_ne!(gzip_tag, identity_tag);

    // Each tag revalidates its own coding only.
    let headers = format!("Accept-Encoding: gzip\r\nIf-None-Match: {gzip_tag}\r\n");
    let not_modified = get(addr, "/report", &headers).await;
    assert_eq!(not_modified.status, 304);
    assert!(not_modified.body.is_empty());
    assert_eq!(
        not_modified.header("cache-control"),
        Some("public, max-age=60")
    );
    let headers = format!("Accept-Encoding: gzip\r\nIf-None-Match: {identity_tag}\r\n");
    assert_eq!(get(addr, "/report", &headers).await.status, 200);
    let headers = format!("If-None-Match: {identity_tag}\r\n");
    assert_eq!(get(addr, "/report", &headers).await.status, 304);

    // Ranges cut the gzip bytes; the parts join into the gzip body.
    let first = get(
        addr,
        "/report",
        "Accept-Encoding: gzip\r\nRange: bytes=0-99\r\n",
    )
    .await;
    assert_eq!(first.status, 206);
    assert_eq!(
        first.header("content-range"),
        Some(&*format!("bytes 0-99/{length}"))
    );
    let headers = format!("Accept-Encoding: gzip\r\nRange: bytes=100-\r\nIf-Range: {gzip_tag}\r\n");
    let rest = get(addr, "/report", &headers).await;
    assert_eq!(rest.status, 206);
    let mut joined = first.body.clone();
    joined.extend_from_slice(&rest.body);
    assert_eq!(joined, gzip.body);

    // A change to a note changes the report and its tags.
    let saved = put(addr, "/notes/1", "If-Match: \"1\"\r\n", "Buy oat milk").await;
    assert_eq!(saved.status, 200);
    let headers = format!("If-None-Match: {identity_tag}\r\n");
    let changed = get(addr, "/report", &headers).await;
    assert_eq!(changed.status, 200);
    assert!(changed.text().contains("Buy oat milk"));
    assert_ne!(changed.header("etag"), Some(&*identity_tag));
}

#[tokio::test]
async fn head_has_the_get_headers_and_no_body() {
    let addr = server().await;
    for (target, headers) in [
        ("/report", ""),
        ("/report", "Accept-Encoding: gzip\r\n"),
        ("/notes/2", ""),
    ] {
        let full = get(addr, target, headers).await;
        let head = send(addr, "HEAD", target, headers, b"").await;
        assert_eq!(head.status, 200, "{target} {headers:?}");
        assert!(head.body.is_empty(), "{target}: {}", head.text());
        for name in [
            "etag",
            "content-length",
            "content-type",
            "content-encoding",
            "cache-control",
        ] {
            assert_eq!(
                head.header(name),
                full.header(name),
                "{name} of {target} {headers:?}"
            );
        }
        assert!(head.header("etag").is_some(), "{target} {headers:?}");
    }
}

#[tokio::test]
async fn other_methods_and_paths_are_the_routers_answers() {
    let addr = server().await;
    let delete = send(addr, "DELETE", "/notes/1", "", b"").await;
    assert_eq!(delete.status, 405);
    assert_eq!(delete.header("allow"), Some("GET, HEAD, PUT, OPTIONS"));
    assert_eq!(get(addr, "/nope", "").await.status, 404);
    assert_eq!(get(addr, "/notes/abc", "").await.status, 404);
}
