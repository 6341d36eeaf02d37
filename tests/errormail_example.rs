//! The `errormail` example over a real socket: its own `serve` on
//! 127.0.0.1:0 with the spool transport in a temporary directory, spoken to
//! by a raw HTTP/1.1 client; the mails are read back from the spooled
//! `.eml` files, exactly as they would have gone over SMTP.

#[path = "../examples/errormail.rs"]
mod errormail_example;
#[path = "../crates/errormail/tests/support/quoted_printable.rs"]
mod quoted_printable;
#[path = "support/raw_http.rs"]
mod raw_http;

use std::net::SocketAddr;
use std::path::Path;
use std::time::Duration;

use errormail_example::{app, init_tracing, mail_layer, serve};
use raw_http::{Reply, send};
use tackle::errormail::ErrorMailHandle;
use tackle::report::install_panic_hook;
use tokio::net::TcpListener;

const BEARER: &str = "Bearer eXaMpLe-ToKeN-4f9a2c";
const TOKEN: &str = "eXaMpLe-ToKeN-4f9a2c";
const COOKIE_VALUE: &str = "c00kie-5e55ion-77a1";
const QUERY_PASSWORD: &str = "hunter2-in-the-query";

/// The example app mailing into `spool`, served on a free port.
async fn server(spool: &Path) -> (SocketAddr, ErrorMailHandle) {
    install_panic_hook();
    init_tracing(false);
    let mail = mail_layer(spool, None);
    let handle = mail.handle();
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(serve(listener, app(&mail)));
    (addr, handle)
}

/// A request carrying credentials, as a logged-in browser sends them.
async fn get_with_secrets(addr: SocketAddr, target: &str) -> Reply {
    let headers = format!(
        "Authorization: {BEARER}\r\nCookie: session={COOKIE_VALUE}; theme=dark\r\n\
         User-Agent: Mozilla/5.0 (X11; Linux x86_64) Firefox/133.0\r\n"
    );
    send(addr, "GET", target, &headers, b"").await
}

/// One spooled mail: its raw bytes and its text with quoted-printable
/// soft breaks and escapes undone (so that a secret split across lines
/// would still be found).
struct Mail {
    raw: String,
    decoded: String,
}

impl Mail {
    /// The value of header `name`, unfolded (RFC 5322 §2.2.3).
    fn header(&self, name: &str) -> Option<String> {
        let head = self.raw.split("\r\n\r\n").next().unwrap_or("");
        let unfolded = head.replace("\r\n ", " ").replace("\r\n\t", "\t");
        unfolded.split("\r\n").find_map(|line| {
            let (n, v) = line.split_once(':')?;
            n.eq_ignore_ascii_case(name).then(|| v.trim().to_owned())
        })
    }

    fn contains(&self, needle: &str) -> bool {
        self.raw.contains(needle) || self.decoded.contains(needle)
    }
}

/// The `.eml` files in `spool`, oldest first.
fn spooled(spool: &Path) -> Vec<Mail> {
    let mut paths: Vec<_> = std::fs::read_dir(spool)
        .map(|entries| {
            entries
                .map(|e| e.unwrap().path())
                .filter(|p| p.extension().is_some_and(|e| e == "eml"))
                .collect()
        })
        .unwrap_or_default();
    paths.sort();
    paths
        .iter()
        .map(|path| {
            let raw = String::from_utf8(std::fs::read(path).unwrap()).unwrap();
            let decoded = quoted_printable::decoded(raw.as_bytes());
            Mail { raw, decoded }
        })
        .collect()
}

#[tokio::test]
async fn one_scrubbed_mail_per_error_lands_in_the_spool() {
    let dir = tempfile::tempdir().unwrap();
    let spool = dir.path().join("mail-spool");
    let (addr, handle) = server(&spool).await;

    // Nothing to mail: a 200, and a 5xx of an ignored path.
    let index = get_with_secrets(addr, "/").await;
    assert_eq!(index.status, 200, "{}", index.text());
    let health = get_with_secrets(addr, "/health").await;
    assert_eq!(health.status, 503);

    // A panic: the client sees a generic 500, nothing of the panic.
    let target = format!("/boom?password={QUERY_PASSWORD}&page=1");
    let boom = get_with_secrets(addr, &target).await;
    assert_eq!(boom.status, 500, "{}", boom.text());
    assert!(!boom.text().contains("cart 17"), "{}", boom.text());
    // The same bug again: counted by the throttle, not mailed now.
    assert_eq!(get_with_secrets(addr, "/boom").await.status, 500);

    // A handled failure, its cause attached to the response.
    let fail = get_with_secrets(addr, "/fail").await;
    assert_eq!(fail.status, 500);
    assert_eq!(fail.text(), "the invoice is not available right now\n");

    assert!(handle.flush(Duration::from_secs(10)).await, "flushed");
    let stats = handle.stats();
    assert_eq!(stats.dropped, 0, "{stats:?}");
    assert_eq!(stats.failed, 0, "{stats:?}");

    let mails = spooled(&spool);
    assert_eq!(
        mails.len(),
        2,
        "one mail per error: {:?}",
        mails
            .iter()
            .map(|m| m.header("subject"))
            .collect::<Vec<_>>()
    );
    let panic = mails
        .iter()
        .find(|m| m.header("subject").is_some_and(|s| s.contains(" PANIC ")))
        .expect("a PANIC mail");
    let error = mails
        .iter()
        .find(|m| m.header("subject").is_some_and(|s| s.contains(" ERROR")))
        .expect("an ERROR mail");

    // The panic's mail: subject, threading headers, the sections.
    let subject = panic.header("subject").unwrap();
    assert!(
        subject.starts_with("[errormail-example][development] PANIC GET /boom"),
        "{subject}"
    );
    assert!(
        subject.contains("cart N has at least one item"),
        "{subject}"
    );
    assert_eq!(
        panic.header("auto-submitted").as_deref(),
        Some("auto-generated")
    );
    assert!(panic.header("message-id").is_some());
    assert!(panic.header("references").is_some());
    assert_eq!(panic.header("to").as_deref(), Some("ops@example.com"));
    for expected in [
        "New error: PANIC (1 occurrence so far)",
        "cart 17 has at least one item",
        "errormail.rs",              // the panic's location
        "checkout",                  // the span open at the panic site...
        "cart_id",                   // ...with its fields
        "request",                   // the server's span
        "loading the cart",          // the request's recent event
        "/boom?password=",           // the request, its query scrubbed
        "authorization: [REDACTED]", // the headers, their values scrubbed
        "cookie: [REDACTED]",
        "Firefox/133.0",          // other headers kept
        "api_token = [REDACTED]", // a span field with a secret name
    ] {
        assert!(
            panic.contains(expected),
            "{expected:?} missing:\n{}",
            panic.decoded
        );
    }

    // The handled failure's mail: its message and cause chain.
    let subject = error.header("subject").unwrap();
    assert!(
        subject.starts_with("[errormail-example][development] ERROR"),
        "{subject}"
    );
    assert!(subject.contains("could not be loaded"), "{subject}");
    for expected in [
        "invoice 42 could not be loaded",
        "connection refused by postgres://[REDACTED]@db.internal/invoices",
        "load_invoice",
        "invoice_id",
    ] {
        assert!(
            error.contains(expected),
            "{expected:?} missing:\n{}",
            error.decoded
        );
    }

    // No secret reaches any mail, in either part.
    for mail in &mails {
        for secret in [
            TOKEN,
            COOKIE_VALUE,
            QUERY_PASSWORD,
            "tok_live_5ecret",
            "s3cr3t-db-pw",
        ] {
            assert!(
                !mail.contains(secret),
                "{secret:?} leaked:\n{}",
                mail.decoded
            );
        }
    }
}
