//! The `request_hyper` and `request_axum` examples over a real socket: each
//! served on 127.0.0.1:0, sent multipart forms built with
//! `tackle_testing::MultipartForm` by a raw HTTP/1.1 client.

#[path = "support/raw_http.rs"]
mod raw_http;
#[path = "../examples/request_axum.rs"]
mod request_axum;
#[path = "../examples/request_hyper.rs"]
mod request_hyper;

use std::net::SocketAddr;

use raw_http::{Reply, exchange};
use serde_json::json;
use tackle::request::BodyLimits;
use tackle::testing::MultipartForm;
use tokio::net::TcpListener;

/// Both examples, served with `limits`, by name.
async fn servers(limits: BodyLimits) -> [(&'static str, SocketAddr); 2] {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let hyper = listener.local_addr().unwrap();
    tokio::spawn(request_hyper::serve(listener, limits.clone()));

    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let axum = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, request_axum::app(limits)).await });

    [("hyper", hyper), ("axum", axum)]
}

async fn post_form(addr: SocketAddr, form: MultipartForm, accept: &str) -> Reply {
    let (content_type, body) = form.into_body();
    let head = format!(
        "POST /upload HTTP/1.1\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nAccept: {accept}\r\n",
        body.len()
    );
    exchange(addr, &head, &body).await
}

#[tokio::test]
async fn an_upload_is_summed_up_as_json() {
    // Past 512 KiB, so that one file is spooled to a temporary file.
    let big = vec![b'x'; 600 * 1024];
    for (server, addr) in servers(request_hyper::default_limits()).await {
        let form = MultipartForm::new()
            .text("title", "Holiday")
            .text("tag", "sea")
            .text("tag", "sun")
            .file("files", "beach.jpg", "image/jpeg", &b"\xff\xd8\xff\xe0"[..])
            .file("files", "notes.txt", "text/plain", big.clone())
            .file("cover", "", "application/octet-stream", &b""[..]);
        let reply = post_form(addr, form, "*/*").await;
        assert_eq!(reply.status, 200, "{server}: {}", reply.text());
        assert_eq!(
            reply.header("content-type"),
            Some("application/json"),
            "{server}"
        );
        let expected = json!({
            "fields": {"title": ["Holiday"], "tag": ["sea", "sun"]},
            "files": {
                "files": [
                    {"filename": "beach.jpg", "content_type": "image/jpeg", "size": 4},
                    {"filename": "notes.txt", "content_type": "text/plain", "size": 600 * 1024},
                ],
                "cover": [
                    {"filename": "", "content_type": "application/octet-stream", "size": 0},
                ],
            },
        });
        assert_eq!(reply.json(), expected, "{server}");
    }
}

#[tokio::test]
async fn a_field_over_max_form_memory_size_is_413_by_accept() {
    let limits = request_hyper::default_limits().max_form_memory_size(16);
    let message = "form field \"title\" is over max_form_memory_size (16 bytes)";
    for (server, addr) in servers(limits).await {
        // At the limit is accepted.
        let form = MultipartForm::new().text("title", "x".repeat(16));
        let reply = post_form(addr, form, "*/*").await;
        assert_eq!(reply.status, 200, "{server}: {}", reply.text());
        assert_eq!(
            reply.json()["fields"]["title"][0],
            "x".repeat(16),
            "{server}"
        );

        // One byte more is refused, rendered by `Accept`.
        let cases: &[(&str, &str)] = &[
            ("application/json", "application/json"),
            ("text/plain", "text/plain; charset=utf-8"),
            ("text/html", "text/html; charset=utf-8"),
        ];
        for &(accept, content_type) in cases {
            let form = MultipartForm::new().text("title", "x".repeat(17));
            let reply = post_form(addr, form, accept).await;
            assert_eq!(reply.status, 413, "{server} {accept}: {}", reply.text());
            assert_eq!(
                reply.header("content-type"),
                Some(content_type),
                "{server} {accept}"
            );
            let text = reply.text();
            let shown = if accept == "application/json" {
                reply.json()["detail"].as_str().unwrap().to_owned()
            } else {
                text.replace("&quot;", "\"")
            };
            assert!(shown.contains(message), "{server} {accept}: {text}");
        }
    }
}

#[tokio::test]
async fn a_body_over_max_content_length_is_refused_by_its_length() {
    let limits = BodyLimits::new().max_content_length(64);
    for (server, addr) in servers(limits).await {
        let form =
            MultipartForm::new().file("files", "a.bin", "application/octet-stream", vec![0; 100]);
        let reply = post_form(addr, form, "text/plain").await;
        assert_eq!(reply.status, 413, "{server}: {}", reply.text());
        assert_eq!(
            reply.text(),
            "413 Payload Too Large: request body is over max_content_length (64 bytes)\n",
            "{server}"
        );
    }
}

#[tokio::test]
async fn the_form_page_and_the_other_routes() {
    for (server, addr) in servers(BodyLimits::new()).await {
        let page = exchange(addr, "GET / HTTP/1.1\r\n", b"").await;
        assert_eq!(page.status, 200, "{server}");
        assert_eq!(
            page.header("content-type"),
            Some("text/html; charset=utf-8"),
            "{server}"
        );
        assert!(
            page.text().contains(r#"enctype="multipart/form-data""#),
            "{server}"
        );

        // (request line, status): hyper's app matches methods itself, axum
        // answers 405 for its method routers and the fallback 404.
        let cases: &[(&str, u16)] = &[
            ("GET /upload HTTP/1.1\r\n", 405),
            ("DELETE / HTTP/1.1\r\n", 405),
            ("GET /nowhere HTTP/1.1\r\n", 404),
            ("POST /nowhere HTTP/1.1\r\nContent-Length: 0\r\n", 404),
        ];
        for &(head, status) in cases {
            let reply = exchange(addr, head, b"").await;
            assert_eq!(reply.status, status, "{server} {head:?}");
        }
        let not_found = exchange(addr, "GET /nowhere HTTP/1.1\r\n", b"").await;
        assert!(
            not_found.text().contains("not found on the server"),
            "{server}: {}",
            not_found.text()
        );
    }
}

#[tokio::test]
async fn a_form_that_is_not_multipart_or_urlencoded_is_415() {
    for (server, addr) in servers(BodyLimits::new()).await {
        let head = "POST /upload HTTP/1.1\r\nContent-Type: application/json\r\nContent-Length: 2\r\nAccept: application/json\r\n";
        let reply = exchange(addr, head, b"{}").await;
        assert_eq!(reply.status, 415, "{server}: {}", reply.text());
    }
}
