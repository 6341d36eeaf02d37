//! The worker against a misbehaving SMTP peer: every failure ends in a retry, the spool, or a count,
//! and no send outlives its deadline.

#[path = "support/fake_smtp.rs"]
mod fake_smtp;

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use fake_smtp::{Behaviour, FakeSmtp, Stage, closed_port};
use tackle_errormail::mail::Composed;
use tackle_errormail::transport::{MailTransport, SmtpTransport, SpoolTransport};
use tackle_errormail::worker::{Outbox, WorkerConfig};

const SEND_TIMEOUT: Duration = Duration::from_millis(300);
/// Generous slack for a loaded CI machine; the point is "bounded", not "fast".
const MARGIN: Duration = Duration::from_millis(700);

fn mail(n: u32) -> Composed {
    Composed {
        from: "Errors <errors@example.com>".into(),
        to: vec!["ops@example.com".into()],
        bytes: format!(
            "From: errors@example.com\r\nTo: ops@example.com\r\nSubject: report {n}\r\n\r\nbody {n}\r\n.leading dot\r\n"
        )
        .into_bytes(),
        subject: format!("report {n}"),
    }
}

fn config(spool: &Path) -> WorkerConfig {
    WorkerConfig {
        capacity: 8,
        send_timeout: SEND_TIMEOUT,
        retries: 2,
        backoff: Duration::from_millis(10),
        breaker_threshold: 100,
        breaker_cooldown: Duration::from_secs(60),
        spool: Some(SpoolTransport::new(spool)),
    }
}

fn smtp(url: &str) -> Arc<dyn MailTransport> {
    Arc::new(SmtpTransport::from_url(url).unwrap())
}

async fn pending(dir: &Path) -> usize {
    SpoolTransport::new(dir).pending().await.unwrap().len()
}

async fn eventually(what: &str, mut check: impl FnMut() -> bool) {
    let until = Instant::now() + Duration::from_secs(10);
    while !check() {
        assert!(Instant::now() < until, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

#[tokio::test]
async fn closed_port_is_transient_retried_then_spooled() {
    let url = format!("smtp://127.0.0.1:{}", closed_port());
    let err = smtp(&url).send(&mail(0)).await.unwrap_err();
    assert!(err.is_transient(), "{err}");

    let dir = tempfile::tempdir().unwrap();
    let outbox = Outbox::start(smtp(&url), config(dir.path()));
    assert!(outbox.try_enqueue(mail(1)));
    assert!(outbox.flush(Duration::from_secs(5)).await);
    let stats = outbox.stats();
    assert_eq!(
        (stats.sent, stats.failed, stats.retries, stats.spooled),
        (0, 1, 2, 1)
    );
    assert_eq!(stats.queued, 0);

    let spool = SpoolTransport::new(dir.path());
    let spooled = spool.pending().await.unwrap();
    assert_eq!(spooled.len(), 1);
    let back = spool.load(&spooled[0]).await.unwrap();
    assert_eq!(back.bytes, mail(1).bytes);
    assert_eq!(back.to, ["ops@example.com"]);
}

#[tokio::test]
async fn a_peer_that_never_greets_is_cut_off_by_the_outer_deadline() {
    let peer = FakeSmtp::start(vec![], Behaviour::NeverGreet).await;

    // lettre's own timeout covers only the connect: alone, the send would hang.
    let lettre_only =
        SmtpTransport::from_url_with_timeout(&peer.url(), Duration::from_millis(100)).unwrap();
    assert!(
        tokio::time::timeout(Duration::from_secs(1), lettre_only.send(&mail(0)))
            .await
            .is_err(),
        "expected lettre alone to wait for the greeting"
    );

    let dir = tempfile::tempdir().unwrap();
    let outbox = Outbox::start(
        smtp(&peer.url()),
        WorkerConfig {
            retries: 0,
            ..config(dir.path())
        },
    );
    let started = Instant::now();
    assert!(outbox.try_enqueue(mail(1)));
    assert!(outbox.flush(Duration::from_secs(5)).await);
    let elapsed = started.elapsed();
    assert!(elapsed >= SEND_TIMEOUT, "{elapsed:?}");
    assert!(
        elapsed < SEND_TIMEOUT + MARGIN,
        "the send hung: {elapsed:?}"
    );
    let stats = outbox.stats();
    assert_eq!((stats.sent, stats.failed, stats.spooled), (0, 1, 1));
    assert_eq!(pending(dir.path()).await, 1);
}

#[tokio::test]
async fn a_peer_that_stalls_in_data_is_cut_off_by_the_outer_deadline() {
    let peer = FakeSmtp::start(vec![], Behaviour::StallInData).await;
    let dir = tempfile::tempdir().unwrap();
    let outbox = Outbox::start(
        smtp(&peer.url()),
        WorkerConfig {
            retries: 1,
            ..config(dir.path())
        },
    );
    let started = Instant::now();
    assert!(outbox.try_enqueue(mail(1)));
    assert!(outbox.flush(Duration::from_secs(5)).await);
    let elapsed = started.elapsed();
    // Two attempts, each bounded by the deadline.
    assert!(
        elapsed < 2 * SEND_TIMEOUT + MARGIN,
        "the send hung: {elapsed:?}"
    );
    let stats = outbox.stats();
    assert_eq!(
        (stats.sent, stats.failed, stats.retries, stats.spooled),
        (0, 1, 1, 1)
    );
    assert_eq!(peer.connections(), 2);
    assert!(peer.messages().is_empty());
}

#[tokio::test]
async fn temporary_4xx_replies_are_retried_until_the_peer_accepts() {
    let peer = FakeSmtp::start(
        vec![Behaviour::Reply(Stage::Greeting, 421)],
        Behaviour::Reply(Stage::Rcpt, 451),
    )
    .await;
    let err = smtp(&peer.url()).send(&mail(0)).await.unwrap_err();
    assert!(err.is_transient() && err.message().contains("421"), "{err}");
    let err = smtp(&peer.url()).send(&mail(0)).await.unwrap_err();
    assert!(err.is_transient() && err.message().contains("451"), "{err}");

    let dir = tempfile::tempdir().unwrap();
    let scripted = FakeSmtp::start(
        vec![
            Behaviour::Reply(Stage::Greeting, 421),
            Behaviour::Reply(Stage::Rcpt, 451),
            Behaviour::Reply(Stage::DataEnd, 452),
        ],
        Behaviour::Accept,
    )
    .await;
    let outbox = Outbox::start(
        smtp(&scripted.url()),
        WorkerConfig {
            retries: 3,
            ..config(dir.path())
        },
    );
    assert!(outbox.try_enqueue(mail(1)));
    assert!(outbox.flush(Duration::from_secs(5)).await);
    let stats = outbox.stats();
    assert_eq!(
        (stats.sent, stats.failed, stats.retries, stats.spooled),
        (1, 0, 3, 0)
    );
    assert_eq!(scripted.connections(), 4);
    assert_eq!(scripted.messages(), [mail(1).bytes]);
    assert_eq!(pending(dir.path()).await, 0);
}

#[tokio::test]
async fn a_permanent_550_is_not_retried_and_is_kept_as_rejected() {
    let peer = FakeSmtp::start(vec![], Behaviour::Reply(Stage::Rcpt, 550)).await;
    let err = smtp(&peer.url()).send(&mail(0)).await.unwrap_err();
    assert!(err.is_permanent() && err.message().contains("550"), "{err}");

    let dir = tempfile::tempdir().unwrap();
    let before = peer.connections();
    let outbox = Outbox::start(
        smtp(&peer.url()),
        WorkerConfig {
            retries: 3,
            ..config(dir.path())
        },
    );
    assert!(outbox.try_enqueue(mail(1)));
    assert!(outbox.flush(Duration::from_secs(5)).await);
    assert_eq!(peer.connections() - before, 1, "exactly one attempt");
    let stats = outbox.stats();
    assert_eq!(
        (stats.sent, stats.failed, stats.retries, stats.spooled),
        (0, 1, 0, 1)
    );
    // Kept for a person to read, never resent.
    assert_eq!(pending(dir.path()).await, 0);
    let rejected: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.ends_with(".rejected.eml"))
        .collect();
    assert_eq!(rejected.len(), 1, "{rejected:?}");
    assert_eq!(
        std::fs::read(dir.path().join(&rejected[0])).unwrap(),
        mail(1).bytes
    );
}

#[tokio::test]
async fn a_disconnect_mid_message_is_transient_and_retried() {
    let peer = FakeSmtp::start(vec![Behaviour::DisconnectInData], Behaviour::Accept).await;
    let err = smtp(&peer.url()).send(&mail(0)).await.unwrap_err();
    assert!(err.is_transient(), "{err}");

    let dir = tempfile::tempdir().unwrap();
    let peer = FakeSmtp::start(vec![Behaviour::DisconnectInData], Behaviour::Accept).await;
    let outbox = Outbox::start(smtp(&peer.url()), config(dir.path()));
    assert!(outbox.try_enqueue(mail(1)));
    assert!(outbox.flush(Duration::from_secs(5)).await);
    let stats = outbox.stats();
    assert_eq!((stats.sent, stats.failed, stats.retries), (1, 0, 1));
    assert_eq!(peer.messages(), [mail(1).bytes]);
}

#[tokio::test]
async fn a_full_queue_drops_and_counts_without_waiting() {
    let peer = FakeSmtp::start(vec![], Behaviour::NeverGreet).await;
    let dir = tempfile::tempdir().unwrap();
    let outbox = Outbox::start(
        smtp(&peer.url()),
        WorkerConfig {
            capacity: 1,
            retries: 0,
            ..config(dir.path())
        },
    );
    assert!(outbox.try_enqueue(mail(1)));
    eventually("the first mail to be in flight", || peer.connections() == 1).await;

    let started = Instant::now();
    assert!(
        !outbox.try_enqueue(mail(2)),
        "capacity 1 is taken by the stuck mail"
    );
    assert!(
        started.elapsed() < Duration::from_millis(50),
        "try_enqueue waited"
    );
    let stats = outbox.stats();
    assert_eq!((stats.queued, stats.dropped), (1, 1));

    assert!(outbox.flush(Duration::from_secs(5)).await);
    let stats = outbox.stats();
    assert_eq!(
        (stats.queued, stats.failed, stats.spooled, stats.dropped),
        (0, 1, 1, 1)
    );
    // Room again once the stuck mail is done.
    assert!(outbox.try_enqueue(mail(3)));
}

#[tokio::test]
async fn flush_gives_up_at_its_deadline() {
    let peer = FakeSmtp::start(vec![], Behaviour::NeverGreet).await;
    let dir = tempfile::tempdir().unwrap();
    let outbox = Outbox::start(
        smtp(&peer.url()),
        WorkerConfig {
            send_timeout: Duration::from_secs(5),
            retries: 0,
            ..config(dir.path())
        },
    );
    assert!(outbox.try_enqueue(mail(1)));
    let started = Instant::now();
    assert!(!outbox.flush(Duration::from_millis(200)).await);
    assert!(started.elapsed() < Duration::from_millis(200) + MARGIN);
    assert_eq!(outbox.stats().queued, 1);
}

#[tokio::test]
async fn the_circuit_breaker_spools_while_open_and_resends_after_recovery() {
    let peer = FakeSmtp::start(vec![], Behaviour::Reply(Stage::Greeting, 421)).await;
    let dir = tempfile::tempdir().unwrap();
    let cooldown = Duration::from_millis(1000);
    let outbox = Outbox::start(
        smtp(&peer.url()),
        WorkerConfig {
            retries: 0,
            breaker_threshold: 2,
            breaker_cooldown: cooldown,
            ..config(dir.path())
        },
    );

    // Two failures open the circuit.
    assert!(outbox.try_enqueue(mail(1)));
    assert!(outbox.try_enqueue(mail(2)));
    assert!(outbox.flush(Duration::from_secs(5)).await);
    let opened = Instant::now();
    assert!(outbox.stats().circuit_open);
    assert_eq!(peer.connections(), 2);

    // While open, mails go straight to the spool: the peer is not contacted.
    assert!(outbox.try_enqueue(mail(3)));
    assert!(outbox.flush(Duration::from_secs(5)).await);
    let stats = outbox.stats();
    assert_eq!((stats.sent, stats.failed, stats.spooled), (0, 3, 3));
    assert_eq!(peer.connections(), 2);
    assert_eq!(pending(dir.path()).await, 3);

    // After the cooldown a probe finds the peer still failing: the circuit re-opens, nothing is lost.
    tokio::time::sleep(
        (opened + cooldown + cooldown / 2).saturating_duration_since(Instant::now()),
    )
    .await;
    assert!(peer.connections() >= 3, "no probe after the cooldown");
    assert!(outbox.stats().circuit_open);
    assert_eq!(pending(dir.path()).await, 3);

    // The peer recovers: the next success closes the circuit and the spool is resent.
    peer.set_default(Behaviour::Accept);
    eventually("the spooled mails to be resent", || {
        peer.messages().len() == 3
    })
    .await;
    assert!(outbox.try_enqueue(mail(4)));
    assert!(outbox.flush(Duration::from_secs(5)).await);
    eventually("the new mail", || peer.messages().len() == 4).await;

    let stats = outbox.stats();
    assert!(!stats.circuit_open);
    assert_eq!((stats.sent, stats.resent, stats.spooled), (4, 3, 3));
    assert_eq!(pending(dir.path()).await, 0);
    let received = peer.messages();
    assert_eq!(
        received[..3],
        [mail(1).bytes, mail(2).bytes, mail(3).bytes],
        "oldest first"
    );
    assert_eq!(received[3], mail(4).bytes);
}

#[tokio::test]
async fn a_success_after_a_failure_resends_what_was_spooled() {
    // Retries exhausted without the breaker opening: the next success still flushes the spool.
    let peer = FakeSmtp::start(
        vec![Behaviour::Reply(Stage::Greeting, 421)],
        Behaviour::Accept,
    )
    .await;
    let dir = tempfile::tempdir().unwrap();
    let outbox = Outbox::start(
        smtp(&peer.url()),
        WorkerConfig {
            retries: 0,
            ..config(dir.path())
        },
    );
    assert!(outbox.try_enqueue(mail(1)));
    assert!(outbox.flush(Duration::from_secs(5)).await);
    assert_eq!(pending(dir.path()).await, 1);
    assert!(outbox.try_enqueue(mail(2)));
    assert!(outbox.flush(Duration::from_secs(5)).await);
    assert_eq!(peer.messages(), [mail(2).bytes, mail(1).bytes]);
    assert_eq!(pending(dir.path()).await, 0);
    let stats = outbox.stats();
    assert_eq!((stats.sent, stats.resent, stats.failed), (2, 1, 1));
}

#[tokio::test]
async fn without_a_spool_a_failed_mail_is_counted_not_hung() {
    let url = format!("smtp://127.0.0.1:{}", closed_port());
    let outbox = Outbox::start(
        smtp(&url),
        WorkerConfig {
            spool: None,
            retries: 0,
            ..WorkerConfig::default()
        },
    );
    assert!(outbox.try_enqueue(mail(1)));
    assert!(outbox.flush(Duration::from_secs(5)).await);
    let stats = outbox.stats();
    assert_eq!((stats.failed, stats.spooled), (1, 0));
}
