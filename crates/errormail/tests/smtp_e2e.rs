//! `SmtpTransport` against a real SMTP server (aiosmtpd on loopback, delivering to a Maildir).

#[path = "support/smtp_server.rs"]
mod smtp_server;

use std::sync::Arc;
use std::time::Duration;

use smtp_server::SmtpServer;
use tackle_errormail::mail::{Composed, MailConfig, compose_test};
use tackle_errormail::transport::{MailTransport, SmtpTransport};
use tackle_errormail::worker::{Outbox, WorkerConfig};

fn composed() -> Composed {
    let bytes = [
        "From: Errors <errors@example.com>",
        "To: ops@example.com, dev@example.com",
        "Subject: [tackle][production] PANIC GET /users/{id}: index out of bounds",
        "Date: Fri, 21 Nov 2025 18:00:00 +0000",
        "Message-ID: <3f2a9c.1b7e@app.example.com>",
        "In-Reply-To: <3f2a9c@app.example.com>",
        "References: <3f2a9c@app.example.com>",
        "Auto-Submitted: auto-generated",
        "MIME-Version: 1.0",
        "Content-Type: text/plain; charset=utf-8",
        "Content-Transfer-Encoding: 8bit",
        "",
        "PANIC at src/users.rs",
        ".a line that starts with a dot",
        "caf\u{e9} \u{2014} not ASCII",
        "",
    ]
    .join("\r\n");
    Composed {
        from: "Errors <errors@example.com>".into(),
        to: vec!["ops@example.com".into(), "dev@example.com".into()],
        bytes: bytes.into_bytes(),
        subject: "[tackle][production] PANIC GET /users/{id}: index out of bounds".into(),
    }
}

fn header_lines(message: &str) -> Vec<&str> {
    message.split("\n\n").next().unwrap_or("").lines().collect()
}

#[tokio::test]
async fn smtp_transport_delivers_a_mail_with_its_headers_intact() {
    let Some(server) = SmtpServer::start() else {
        return;
    };
    let transport = SmtpTransport::from_url(&server.url()).unwrap();
    let mail = composed();
    transport.send(&mail).await.unwrap();

    let messages = server.wait_for_messages(1, Duration::from_secs(10));
    assert_eq!(messages.len(), 1);
    let received = String::from_utf8(messages[0].clone())
        .unwrap()
        .replace("\r\n", "\n");
    let headers = header_lines(&received);
    let sent = String::from_utf8(mail.bytes.clone())
        .unwrap()
        .replace("\r\n", "\n");
    for line in header_lines(&sent) {
        assert!(
            headers.contains(&line),
            "header {line:?} missing from:\n{received}"
        );
    }
    // The envelope, as the server saw it.
    assert!(
        headers.contains(&"X-MailFrom: errors@example.com"),
        "{received}"
    );
    assert!(
        headers.contains(&"X-RcptTo: ops@example.com, dev@example.com"),
        "{received}"
    );
    // The body arrives whole: dot-stuffing undone, 8-bit text untouched.
    let body = received.split_once("\n\n").unwrap().1;
    assert_eq!(body, sent.split_once("\n\n").unwrap().1);
}

#[tokio::test]
async fn the_outbox_delivers_through_a_real_server() {
    let Some(server) = SmtpServer::start() else {
        return;
    };
    let transport = Arc::new(SmtpTransport::from_url(&server.url()).unwrap());
    let outbox = Outbox::start(transport, WorkerConfig::default());
    assert!(outbox.try_enqueue(composed()));
    assert!(outbox.flush(Duration::from_secs(10)).await);
    let stats = outbox.stats();
    assert_eq!((stats.sent, stats.failed), (1, 0));
    let messages = server.wait_for_messages(1, Duration::from_secs(10));
    assert_eq!(messages.len(), 1);
    let received = String::from_utf8_lossy(&messages[0]);
    assert!(
        received.contains("Message-ID: <3f2a9c.1b7e@app.example.com>"),
        "{received}"
    );
}

#[tokio::test]
async fn a_composed_test_mail_is_accepted_by_a_real_server() {
    let Some(server) = SmtpServer::start() else {
        return;
    };
    let config = MailConfig::new("Errors <errors@example.com>", ["ops@example.com"]);
    let mail = compose_test(&config).unwrap();
    let transport = SmtpTransport::from_url(&server.url()).unwrap();
    transport.send(&mail).await.unwrap();

    let messages = server.wait_for_messages(1, Duration::from_secs(10));
    assert_eq!(messages.len(), 1);
    let received = String::from_utf8_lossy(&messages[0]).replace("\r\n", "\n");
    let sent = String::from_utf8_lossy(&mail.bytes).replace("\r\n", "\n");
    let received_headers = header_lines(&received);
    for line in header_lines(&sent) {
        assert!(
            received_headers.contains(&line),
            "header {line:?} missing from:\n{received}"
        );
    }
    assert!(
        received_headers.contains(&"X-MailFrom: errors@example.com"),
        "{received}"
    );
    assert!(
        received_headers.contains(&"X-RcptTo: ops@example.com"),
        "{received}"
    );
}
