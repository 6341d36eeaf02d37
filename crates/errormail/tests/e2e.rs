//! End to end against a real SMTP server (aiosmtpd on loopback, delivering to a Maildir): a panic
//! triggered over HTTP on a real socket produces exactly one mail, whose headers and sections are
//! checked, and in which the request's credentials never appear.

#[path = "support/quoted_printable.rs"]
mod quoted_printable;

#[path = "support/smtp_server.rs"]
mod smtp_server;

use std::convert::Infallible;
use std::net::SocketAddr;
use std::time::Duration;

use bytes::Bytes;
use http::{Request, Response, StatusCode};
use http_body_util::{BodyExt, Empty, Full};
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use hyper_util::service::TowerToHyperService;
use quoted_printable::decoded;
use smtp_server::SmtpServer;
use tackle_errormail::ErrorMailLayer;
use tackle_report::install_panic_hook;
use tokio::net::{TcpListener, TcpStream};
use tower::Layer;

const SECRETS: [&str; 3] = ["s3cr3t-token", "c00kie-value", "hunter2"];

#[inline(never)]
fn apply_discount(items: usize) -> u32 {
    if items < 100 {
        panic!("no discount rule for this cart");
    }
    10
}

async fn shop(request: Request<Incoming>) -> Result<Response<Full<Bytes>>, Infallible> {
    let body = match request.uri().path() {
        "/boom" => format!("discount {}", apply_discount(request.headers().len())),
        _ => "hello".to_owned(),
    };
    Ok(Response::new(Full::new(Bytes::from(body))))
}

/// Serves `layer` around the shop on 127.0.0.1:0.
async fn serve(layer: &ErrorMailLayer) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let service = layer.layer(tower::service_fn(shop));
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                return;
            };
            let service = TowerToHyperService::new(service.clone());
            tokio::spawn(async move {
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    });
    addr
}

/// The top-level headers, unfolded, as (lower-case name, value).
fn headers(message: &str) -> Vec<(String, String)> {
    let block = message.split("\n\n").next().unwrap_or_default();
    let mut out: Vec<(String, String)> = Vec::new();
    for line in block.lines() {
        if line.starts_with([' ', '\t']) {
            if let Some(last) = out.last_mut() {
                last.1.push(' ');
                last.1.push_str(line.trim());
            }
        } else if let Some((name, value)) = line.split_once(':') {
            out.push((name.trim().to_ascii_lowercase(), value.trim().to_owned()));
        }
    }
    out
}

fn header<'a>(headers: &'a [(String, String)], name: &str) -> &'a str {
    let found: Vec<&str> = headers
        .iter()
        .filter(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
        .collect();
    assert_eq!(found.len(), 1, "one {name} header expected in {headers:?}");
    found[0]
}

/// `<inner>` → `inner`.
fn angle(value: &str) -> &str {
    value
        .strip_prefix('<')
        .and_then(|v| v.strip_suffix('>'))
        .unwrap_or_else(|| panic!("not a msg-id: {value:?}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_panic_over_http_is_mailed_once_to_a_real_smtp_server_without_secrets() {
    let Some(server) = SmtpServer::start() else {
        return;
    };
    install_panic_hook();
    let spool = tempfile::tempdir().unwrap();
    let layer = ErrorMailLayer::new()
        .enabled(true)
        .recipients(["ops@example.com"])
        .sender("errors@shop.example")
        .subject_prefix("[shop]")
        .environment("test")
        .spool_dir(spool.path())
        .smtp_url(&server.url())
        .unwrap();
    let handle = layer.handle();
    let addr = serve(&layer).await;

    // The request, over the socket, with credentials in three places.
    let stream = TcpStream::connect(addr).await.unwrap();
    let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .unwrap();
    tokio::spawn(connection);
    let request = Request::get("/boom?next=https://bob:hunter2@x/")
        .header("host", addr.to_string())
        .header("authorization", "Bearer s3cr3t-token")
        .header("cookie", "session=c00kie-value")
        .header(
            "user-agent",
            "Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0",
        )
        .body(Empty::<Bytes>::new())
        .unwrap();
    let response = sender.send_request(request).await.unwrap();
    assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
    let body = response.into_body().collect().await.unwrap().to_bytes();
    let body = String::from_utf8_lossy(&body);
    assert!(body.contains("Internal Server Error"), "{body}");
    assert!(!body.contains("discount"), "panic text leaked: {body}");

    assert!(handle.flush(Duration::from_secs(5)).await);
    let stats = handle.stats();
    assert_eq!(
        (stats.sent, stats.failed, stats.spooled, stats.dropped),
        (1, 0, 0, 0)
    );
    let messages = server.wait_for_messages(1, Duration::from_secs(10));
    assert_eq!(messages.len(), 1);
    // Nothing else follows (no duplicate, no second mail about the same panic).
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(server.messages().len(), 1);
    let raw = &messages[0];

    // Secrets: not in the bytes as stored, not once quoted-printable is decoded.
    let raw_text = String::from_utf8_lossy(raw).into_owned();
    let text = decoded(raw);
    for secret in SECRETS {
        assert!(!raw_text.contains(secret), "{secret} in the raw mail");
        assert!(
            !text.contains(secret),
            "{secret} in the decoded mail:\n{text}"
        );
    }
    assert!(text.contains("[REDACTED]"), "{text}");

    // Headers.
    let headers = headers(&raw_text);
    assert_eq!(
        header(&headers, "subject"),
        "[shop][test] PANIC GET /boom: no discount rule for this cart"
    );
    assert_eq!(header(&headers, "from"), "errors@shop.example");
    assert_eq!(header(&headers, "to"), "ops@example.com");
    assert_eq!(header(&headers, "x-rcptto"), "ops@example.com");
    assert_eq!(header(&headers, "x-mailfrom"), "errors@shop.example");
    assert_eq!(header(&headers, "auto-submitted"), "auto-generated");
    let fingerprint = header(&headers, "x-tackle-fingerprint");
    assert_eq!(fingerprint.len(), 16, "{fingerprint}");
    assert!(fingerprint.bytes().all(|b| b.is_ascii_hexdigit()));
    let report_id = header(&headers, "x-tackle-report-id");
    let message_id = angle(header(&headers, "message-id"));
    let (local, host) = message_id.split_once('@').unwrap();
    assert!(!host.is_empty());
    assert_eq!(local, format!("{fingerprint}.{report_id}"));
    let thread_root = format!("{fingerprint}@{host}");
    assert_eq!(angle(header(&headers, "references")), thread_root);
    assert_eq!(angle(header(&headers, "in-reply-to")), thread_root);
    assert!(
        header(&headers, "content-type").starts_with("multipart/alternative"),
        "{headers:?}"
    );

    // Sections, in order: summary, the report's summary line, the stack with the panicking
    // function, the request.
    let sections = [
        "New error: PANIC (1 occurrence so far).",
        "Environment: test",
        "PANIC: no discount rule for this cart",
        &format!("fingerprint  {fingerprint}"),
        "Stack (innermost first):",
        "apply_discount",
        "Request:",
        "GET /boom?next=https://",
        "HTTP/1.1",
    ];
    let plain = text
        .split("Content-Type: text/html")
        .next()
        .unwrap_or_default();
    let mut at = 0;
    for section in sections {
        let found = plain[at..]
            .find(section)
            .unwrap_or_else(|| panic!("{section:?} missing (in order) from:\n{plain}"));
        at += found + section.len();
    }
    // The panic site is an in-app frame, shown with its file.
    assert!(plain.contains("tests/e2e.rs"), "{plain}");
    // The credential-bearing headers are listed, their values redacted.
    assert!(plain.contains("authorization: [REDACTED]"), "{plain}");
    assert!(plain.contains("cookie: [REDACTED]"), "{plain}");
    // And the HTML alternative carries the same report.
    let html = text.split("Content-Type: text/html").nth(1).unwrap();
    assert!(html.contains("apply_discount"), "{html}");
    assert!(html.contains("no discount rule for this cart"), "{html}");
}
