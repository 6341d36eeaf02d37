//! `ErrorMailLayer` end to end in process: what is mailed (panics, 5xx responses, attached errors,
//! service errors), what is not (ignore rules, disabled, debug builds), throttling, the handle, and
//! queue overflow — every mail caught by a recording transport.

#[path = "support/quoted_printable.rs"]
mod quoted_printable;

use std::convert::Infallible;
use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use http::{Request, Response, StatusCode};
use http_body_util::{BodyExt, Empty, Full};
use quoted_printable::decoded;
use tackle_errormail::mail::Composed;
use tackle_errormail::transport::{MailTransport, SendFuture};
use tackle_errormail::{ErrorMailHandle, ErrorMailLayer, SendError, ThrottlePolicy};
use tackle_report::{ErrorReport, ReportKind, ResponseReportExt, install_panic_hook};
use tower::{Layer, ServiceExt};

const FLUSH: Duration = Duration::from_secs(5);

/// Keeps every mail it is given.
#[derive(Clone, Default)]
struct Recorder {
    mails: Arc<Mutex<Vec<Composed>>>,
}

impl Recorder {
    fn mails(&self) -> Vec<Composed> {
        self.mails.lock().unwrap().clone()
    }

    fn subjects(&self) -> Vec<String> {
        self.mails().into_iter().map(|m| m.subject).collect()
    }
}

impl MailTransport for Recorder {
    fn send<'a>(&'a self, mail: &'a Composed) -> SendFuture<'a> {
        Box::pin(async move {
            self.mails.lock().unwrap().push(mail.clone());
            Ok::<(), SendError>(())
        })
    }
}

/// Records mails only once the gate is opened: a stuck SMTP server.
#[derive(Clone)]
struct Gated {
    recorder: Recorder,
    gate: Arc<tokio::sync::Semaphore>,
}

impl MailTransport for Gated {
    fn send<'a>(&'a self, mail: &'a Composed) -> SendFuture<'a> {
        Box::pin(async move {
            let _permit = self
                .gate
                .acquire()
                .await
                .map_err(|_| SendError::transient("gate closed"))?;
            self.recorder.mails.lock().unwrap().push(mail.clone());
            Ok(())
        })
    }
}

/// The cause chain a handler attaches with `with_error`.
#[derive(Debug)]
struct CheckoutError(GatewayError);

#[derive(Debug)]
struct GatewayError(std::io::Error);

impl fmt::Display for CheckoutError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("checkout failed")
    }
}

impl std::error::Error for CheckoutError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.0)
    }
}

impl fmt::Display for GatewayError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("payment gateway unreachable")
    }
}

impl std::error::Error for GatewayError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.0)
    }
}

#[inline(never)]
fn empty_cart_total() -> u64 {
    panic!("cart is empty")
}

/// The application: one failure per path.
async fn app(request: Request<Empty<Bytes>>) -> Result<Response<Full<Bytes>>, Infallible> {
    let path = request.uri().path();
    let response = |status: StatusCode, body: &'static str| {
        Response::builder()
            .status(status)
            .header("x-app", "kept")
            .body(Full::new(Bytes::from_static(body.as_bytes())))
            .unwrap()
    };
    Ok(match path {
        "/panic" => {
            let total = empty_cart_total();
            response(StatusCode::OK, if total > 0 { "paid" } else { "free" })
        }
        "/pay" => response(StatusCode::INTERNAL_SERVER_ERROR, "payment failed").with_error(
            CheckoutError(GatewayError(std::io::Error::new(
                std::io::ErrorKind::ConnectionReset,
                "connection reset by peer",
            ))),
        ),
        "/unavailable" => response(StatusCode::SERVICE_UNAVAILABLE, "down for maintenance"),
        "/ok" => response(StatusCode::OK, "fine"),
        "/not-found" => response(StatusCode::NOT_FOUND, "no such page"),
        // Every other path answers a plain 500 (a different error group per path).
        _ => response(StatusCode::INTERNAL_SERVER_ERROR, "upstream said no"),
    })
}

/// The layer every test starts from: on, recording, spooling into `spool`.
fn layer(recorder: &Recorder, spool: &tempfile::TempDir) -> ErrorMailLayer {
    ErrorMailLayer::new()
        .enabled(true)
        .recipients(["ops@example.com"])
        .sender("errors@shop.example")
        .subject_prefix("[shop]")
        .environment("test")
        .transport(recorder.clone())
        .spool_dir(spool.path())
}

async fn get(layer: &ErrorMailLayer, path: &str) -> Response<Bytes> {
    get_with(layer, Request::get(path).body(Empty::new()).unwrap()).await
}

async fn get_with(layer: &ErrorMailLayer, request: Request<Empty<Bytes>>) -> Response<Bytes> {
    let service = layer.layer(tower::service_fn(app));
    let response = service.oneshot(request).await.unwrap();
    let (parts, body) = response.into_parts();
    let body = body.collect().await.unwrap().to_bytes();
    Response::from_parts(parts, body)
}

async fn flushed(handle: &ErrorMailHandle) {
    assert!(handle.flush(FLUSH).await, "the mail queue did not drain");
}

#[tokio::test]
async fn a_panic_answers_a_generic_500_and_mails_one_report() {
    install_panic_hook();
    let recorder = Recorder::default();
    let spool = tempfile::tempdir().unwrap();
    let layer = layer(&recorder, &spool);

    let response = get(&layer, "/panic").await;
    assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
    let body = String::from_utf8_lossy(response.body()).into_owned();
    assert!(body.contains("Internal Server Error"), "{body}");
    assert!(!body.contains("cart is empty"), "panic text leaked: {body}");
    assert!(!body.contains("empty_cart_total"), "stack leaked: {body}");
    assert!(response.headers().get("x-app").is_none());

    flushed(&layer.handle()).await;
    let mails = recorder.mails();
    assert_eq!(mails.len(), 1, "{:?}", recorder.subjects());
    let mail = &mails[0];
    assert_eq!(mail.subject, "[shop][test] PANIC GET /panic: cart is empty");
    assert_eq!(mail.from, "errors@shop.example");
    assert_eq!(mail.to, ["ops@example.com"]);
    let text = decoded(&mail.bytes);
    assert!(
        text.contains("New error: PANIC (1 occurrence so far)."),
        "{text}"
    );
    assert!(text.contains("PANIC: cart is empty"), "{text}");
    // The hook captured the stack at the panic site: the panicking function is in it.
    assert!(text.contains("empty_cart_total"), "{text}");
    assert!(text.contains("GET /panic"), "{text}");
    assert!(text.contains("Auto-Submitted: auto-generated"), "{text}");

    let stats = layer.handle().stats();
    assert_eq!((stats.sent, stats.failed, stats.dropped), (1, 0, 0));
    assert_eq!(stats.queued, 0);
}

#[tokio::test]
async fn a_5xx_response_is_mailed_and_passed_through_unchanged() {
    let recorder = Recorder::default();
    let spool = tempfile::tempdir().unwrap();
    let layer = layer(&recorder, &spool);

    let response = get(&layer, "/orders/list").await;
    assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(response.body().as_ref(), b"upstream said no");
    assert_eq!(response.headers()["x-app"], "kept");

    // Successes and 4xx are never mailed.
    assert_eq!(get(&layer, "/ok").await.status(), StatusCode::OK);
    assert_eq!(
        get(&layer, "/not-found").await.status(),
        StatusCode::NOT_FOUND
    );

    flushed(&layer.handle()).await;
    let mails = recorder.mails();
    assert_eq!(mails.len(), 1, "{:?}", recorder.subjects());
    let subject = &mails[0].subject;
    assert!(
        subject.starts_with("[shop][test] 5XX GET /orders/list: "),
        "{subject}"
    );
    assert!(subject.ends_with(" Internal Server Error"), "{subject}");
    let text = decoded(&mails[0].bytes);
    assert!(text.contains("GET /orders/list"), "{text}");
    assert!(text.contains("status       500"), "{text}");
}

#[tokio::test]
async fn without_mail_server_errors_a_plain_5xx_is_not_mailed_but_a_panic_is() {
    install_panic_hook();
    let recorder = Recorder::default();
    let spool = tempfile::tempdir().unwrap();
    let layer = layer(&recorder, &spool).mail_server_errors(false);

    let response = get(&layer, "/orders/list").await;
    assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(response.body().as_ref(), b"upstream said no");
    assert_eq!(
        get(&layer, "/panic").await.status(),
        StatusCode::INTERNAL_SERVER_ERROR
    );

    flushed(&layer.handle()).await;
    assert_eq!(
        recorder.subjects(),
        ["[shop][test] PANIC GET /panic: cart is empty"]
    );
}

#[tokio::test]
async fn an_error_attached_with_with_error_is_mailed_with_its_cause_chain() {
    let recorder = Recorder::default();
    let spool = tempfile::tempdir().unwrap();
    let layer = layer(&recorder, &spool);

    let response = get(&layer, "/pay").await;
    assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(response.body().as_ref(), b"payment failed");

    flushed(&layer.handle()).await;
    let mails = recorder.mails();
    assert_eq!(mails.len(), 1, "{:?}", recorder.subjects());
    let text = decoded(&mails[0].bytes);
    assert!(text.contains("ERROR: checkout failed"), "{text}");
    let chain = [
        "Caused by:",
        "1: payment gateway unreachable",
        "2: connection reset by peer",
    ];
    let mut at = 0;
    for line in chain {
        let found = text[at..]
            .find(line)
            .unwrap_or_else(|| panic!("{line:?} missing (in order) from:\n{text}"));
        at += found + line.len();
    }
    assert!(
        mails[0].subject.contains("checkout failed"),
        "{}",
        mails[0].subject
    );
}

/// A handler's attached report is built without the request (`ErrorReport::from_error` cannot see
/// it); the layer knows the request and must add it, or the mail cannot say what failed.
#[tokio::test]
async fn an_attached_error_report_is_mailed_with_the_request() {
    let recorder = Recorder::default();
    let spool = tempfile::tempdir().unwrap();
    let layer = layer(&recorder, &spool).app("shop", "1.2.3");

    get(&layer, "/pay").await;
    flushed(&layer.handle()).await;
    let mails = recorder.mails();
    assert_eq!(mails.len(), 1, "{:?}", recorder.subjects());
    assert_eq!(
        mails[0].subject,
        "[shop][test] ERROR GET /pay: checkout failed"
    );
    let text = decoded(&mails[0].bytes);
    assert!(text.contains("Request:\n  GET /pay"), "{text}");
    assert!(text.contains("shop 1.2.3"), "{text}");
}

#[tokio::test]
async fn a_service_error_is_mailed_and_returned() {
    let recorder = Recorder::default();
    let spool = tempfile::tempdir().unwrap();
    let layer = layer(&recorder, &spool);

    let service = layer.layer(tower::service_fn(|_: Request<Empty<Bytes>>| async {
        Err::<Response<Full<Bytes>>, _>(std::io::Error::other("database pool exhausted"))
    }));
    let error = service
        .oneshot(Request::get("/report").body(Empty::new()).unwrap())
        .await
        .unwrap_err();
    assert_eq!(error.to_string(), "database pool exhausted");

    flushed(&layer.handle()).await;
    assert_eq!(
        recorder.subjects(),
        ["[shop][test] ERROR GET /report: database pool exhausted"]
    );
}

#[tokio::test]
async fn ignore_rules_leave_failures_unmailed() {
    install_panic_hook();
    type Rule = fn(ErrorMailLayer) -> ErrorMailLayer;
    let crawler = |path: &str| {
        Request::get(path)
            .header(
                "user-agent",
                "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
            )
            .body(Empty::new())
            .unwrap()
    };
    let plain = |path: &str| Request::get(path).body(Empty::new()).unwrap();
    let cases: Vec<(&str, Rule, bool, Request<Empty<Bytes>>)> = vec![
        (
            "status",
            |l| l.ignore_status(StatusCode::SERVICE_UNAVAILABLE),
            true,
            plain("/unavailable"),
        ),
        (
            "path prefix",
            |l| l.ignore_path("/health*"),
            true,
            plain("/healthz/db"),
        ),
        (
            "exact path",
            |l| l.ignore_path("/ready"),
            true,
            plain("/ready"),
        ),
        (
            "predicate",
            |l| l.ignore_if(|report| report.message.contains("cart is empty")),
            true,
            plain("/panic"),
        ),
        // Crawlers are ignored by default; turning that off mails them.
        ("crawler (default)", |l| l, false, crawler("/search")),
    ];
    for (name, rule, rule_is_extra, request) in cases {
        let (method, uri, headers) = (
            request.method().clone(),
            request.uri().clone(),
            request.headers().clone(),
        );
        let again = || {
            let mut r = Request::builder()
                .method(method.clone())
                .uri(uri.clone())
                .body(Empty::new())
                .unwrap();
            *r.headers_mut() = headers.clone();
            r
        };

        // With the rule: nothing.
        let recorder = Recorder::default();
        let spool = tempfile::tempdir().unwrap();
        let ignoring = rule(layer(&recorder, &spool));
        let response = get_with(&ignoring, again()).await;
        assert!(response.status().is_server_error(), "{name}");
        flushed(&ignoring.handle()).await;
        assert_eq!(
            recorder.mails().len(),
            0,
            "{name}: {:?}",
            recorder.subjects()
        );
        assert_eq!(ignoring.handle().stats().sent, 0, "{name}");

        // Without it: mailed, so the rule is what kept it out.
        let recorder = Recorder::default();
        let spool = tempfile::tempdir().unwrap();
        let base = layer(&recorder, &spool);
        let base = if rule_is_extra {
            base
        } else {
            base.ignore_crawlers(false)
        };
        get_with(&base, again()).await;
        flushed(&base.handle()).await;
        assert_eq!(
            recorder.mails().len(),
            1,
            "{name}: {:?}",
            recorder.subjects()
        );
    }

    // A browser's user agent is not a crawler's.
    let recorder = Recorder::default();
    let spool = tempfile::tempdir().unwrap();
    let layer = layer(&recorder, &spool);
    let browser = Request::get("/search")
        .header(
            "user-agent",
            "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0",
        )
        .body(Empty::new())
        .unwrap();
    get_with(&layer, browser).await;
    flushed(&layer.handle()).await;
    assert_eq!(recorder.mails().len(), 1);
}

#[tokio::test]
async fn disabled_mails_nothing() {
    install_panic_hook();
    let recorder = Recorder::default();
    let spool = tempfile::tempdir().unwrap();
    let layer = layer(&recorder, &spool).enabled(false);

    let response = get(&layer, "/panic").await;
    // The panic is still caught and answered.
    assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
    assert!(!String::from_utf8_lossy(response.body()).contains("cart is empty"));
    get(&layer, "/orders/list").await;
    layer
        .handle()
        .notify(&ErrorReport::new(ReportKind::ServiceError, "job failed"));

    flushed(&layer.handle()).await;
    assert!(recorder.mails().is_empty(), "{:?}", recorder.subjects());
    let stats = layer.handle().stats();
    assert_eq!((stats.queued, stats.sent, stats.dropped), (0, 0, 0));
}

#[tokio::test]
async fn the_default_is_off_in_debug_builds_and_on_in_release_builds() {
    install_panic_hook();
    let recorder = Recorder::default();
    let spool = tempfile::tempdir().unwrap();
    let layer = ErrorMailLayer::new()
        .recipients(["ops@example.com"])
        .sender("errors@shop.example")
        .transport(recorder.clone())
        .spool_dir(spool.path());

    assert_eq!(
        get(&layer, "/panic").await.status(),
        StatusCode::INTERNAL_SERVER_ERROR
    );
    get(&layer, "/orders/list").await;
    flushed(&layer.handle()).await;
    let expected = if cfg!(debug_assertions) { 0 } else { 2 };
    assert_eq!(
        recorder.mails().len(),
        expected,
        "{:?}",
        recorder.subjects()
    );
}

#[tokio::test]
async fn repeated_panics_are_mailed_at_1_2_and_4_through_the_layer() {
    install_panic_hook();
    let recorder = Recorder::default();
    let spool = tempfile::tempdir().unwrap();
    let layer = layer(&recorder, &spool).throttle(ThrottlePolicy {
        min_interval: Duration::ZERO,
        ..Default::default()
    });

    for _ in 0..5 {
        assert_eq!(
            get(&layer, "/panic").await.status(),
            StatusCode::INTERNAL_SERVER_ERROR
        );
    }
    flushed(&layer.handle()).await;
    let mails = recorder.mails();
    assert_eq!(mails.len(), 3, "{:?}", recorder.subjects());
    // One subject for the group, so mail clients thread them.
    for mail in &mails {
        assert_eq!(mail.subject, "[shop][test] PANIC GET /panic: cart is empty");
    }
    let texts: Vec<String> = mails.iter().map(|m| decoded(&m.bytes)).collect();
    assert!(
        texts[0].contains("New error: PANIC (1 occurrence so far)."),
        "{}",
        texts[0]
    );
    assert!(
        texts[1].contains("Repeated error: PANIC (2 occurrences so far)."),
        "{}",
        texts[1]
    );
    assert!(
        texts[2].contains("Repeated error: PANIC (4 occurrences so far)."),
        "{}",
        texts[2]
    );
    assert!(
        texts[2].contains("1 occurrence not mailed since the last mail about this error."),
        "{}",
        texts[2]
    );
    let references = |text: &str| {
        text.lines()
            .find(|l| l.starts_with("References:"))
            .map(str::to_owned)
    };
    assert!(references(&texts[0]).is_some());
    assert_eq!(references(&texts[0]), references(&texts[2]));
}

#[tokio::test]
async fn with_the_default_interval_a_burst_is_mailed_once() {
    install_panic_hook();
    let recorder = Recorder::default();
    let spool = tempfile::tempdir().unwrap();
    let layer = layer(&recorder, &spool);
    for _ in 0..5 {
        get(&layer, "/panic").await;
    }
    flushed(&layer.handle()).await;
    assert_eq!(recorder.mails().len(), 1, "{:?}", recorder.subjects());
}

#[tokio::test]
async fn the_handle_notifies_sends_a_test_mail_flushes_and_counts() {
    let recorder = Recorder::default();
    let spool = tempfile::tempdir().unwrap();
    let layer = layer(&recorder, &spool);
    let handle = layer.handle();

    // A background job's failure, outside any request.
    let mut report = ErrorReport::new(ReportKind::ServiceError, "nightly export failed");
    report.causes.push("disk full".to_owned());
    handle.notify(&report);
    // Through the same throttle: the same report again right away is not mailed.
    handle.notify(&ErrorReport::new(
        ReportKind::ServiceError,
        "nightly export failed",
    ));
    // Test mails are never throttled.
    assert!(handle.send_test_email());
    assert!(handle.send_test_email());

    flushed(&handle).await;
    let subjects = recorder.subjects();
    assert_eq!(subjects.len(), 3, "{subjects:?}");
    assert_eq!(subjects[0], "[shop][test] ERROR: nightly export failed");
    assert_eq!(
        subjects[1..],
        [
            "[shop][test] Test message from the error mailer",
            "[shop][test] Test message from the error mailer"
        ]
    );
    let text = decoded(&recorder.mails()[0].bytes);
    assert!(text.contains("1: disk full"), "{text}");
    assert!(decoded(&recorder.mails()[1].bytes).contains("This is a test message"));

    let stats = handle.stats();
    assert_eq!(
        (stats.queued, stats.sent, stats.failed, stats.dropped),
        (0, 3, 0, 0)
    );
    assert_eq!((stats.spooled, stats.retries), (0, 0));
    assert!(!stats.circuit_open);
    // The handle and the layer's services share one mailer.
    assert_eq!(layer.handle().stats(), stats);
}

#[tokio::test]
async fn flush_gives_up_at_its_deadline_while_a_send_hangs() {
    let recorder = Recorder::default();
    let gate = Arc::new(tokio::sync::Semaphore::new(0));
    let spool = tempfile::tempdir().unwrap();
    let layer = layer(&recorder, &spool).transport(Gated {
        recorder: recorder.clone(),
        gate: gate.clone(),
    });
    let handle = layer.handle();
    assert!(handle.send_test_email());

    let started = std::time::Instant::now();
    assert!(!handle.flush(Duration::from_millis(100)).await);
    assert!(started.elapsed() >= Duration::from_millis(100));
    assert_eq!(handle.stats().queued, 1);

    gate.add_permits(1000);
    flushed(&handle).await;
    assert_eq!(recorder.mails().len(), 1);
    assert_eq!(handle.stats().sent, 1);
}

#[tokio::test]
async fn a_full_queue_drops_counts_and_reports_the_drop_in_the_next_mail() {
    let recorder = Recorder::default();
    let gate = Arc::new(tokio::sync::Semaphore::new(0));
    let spool = tempfile::tempdir().unwrap();
    let layer = layer(&recorder, &spool)
        .transport(Gated {
            recorder: recorder.clone(),
            gate: gate.clone(),
        })
        .queue_capacity(1);
    let handle = layer.handle();

    // The first mail holds the only slot while its send hangs ...
    let started = std::time::Instant::now();
    get(&layer, "/alpha").await;
    // ... so a second error group's mail is dropped, without the request waiting.
    let response = get(&layer, "/beta").await;
    assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
    assert!(started.elapsed() < Duration::from_secs(2));
    let stats = handle.stats();
    assert_eq!((stats.queued, stats.dropped, stats.sent), (1, 1, 0));

    gate.add_permits(1000);
    flushed(&handle).await;
    get(&layer, "/gamma").await;
    flushed(&handle).await;

    let mails = recorder.mails();
    let subjects = recorder.subjects();
    assert_eq!(mails.len(), 2, "{subjects:?}");
    assert!(subjects[0].contains("GET /alpha"), "{subjects:?}");
    assert!(subjects[1].contains("GET /gamma"), "{subjects:?}");
    assert!(
        !decoded(&mails[0].bytes).contains("dropped"),
        "{}",
        decoded(&mails[0].bytes)
    );
    let next = decoded(&mails[1].bytes);
    assert!(
        next.contains("1 report dropped because the mail queue was full."),
        "{next}"
    );
    let stats = handle.stats();
    assert_eq!((stats.queued, stats.sent, stats.dropped), (0, 2, 1));
}

/// The worker's retry and breaker settings reach it through the layer: a
/// transport that always fails transiently is tried 1 + `retries` times.
#[tokio::test]
async fn retries_are_set_through_the_layer() {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;

    struct Failing(Arc<AtomicUsize>);
    impl tackle_errormail::MailTransport for Failing {
        fn send<'a>(
            &'a self,
            _: &'a tackle_errormail::mail::Composed,
        ) -> tackle_errormail::transport::SendFuture<'a> {
            self.0.fetch_add(1, Ordering::SeqCst);
            Box::pin(async { Err(tackle_errormail::SendError::transient("connection refused")) })
        }
    }

    let attempts = Arc::new(AtomicUsize::new(0));
    let spool = tempfile::tempdir().unwrap();
    let layer = tackle_errormail::ErrorMailLayer::new()
        .enabled(true)
        .recipients(["ops@example.com"])
        .transport(Failing(attempts.clone()))
        .spool_dir(spool.path())
        .retries(2, Duration::from_millis(1))
        .circuit_breaker(100, Duration::from_secs(60));
    let handle = layer.handle();
    assert!(handle.send_test_email());
    handle.flush(Duration::from_secs(5)).await;
    assert_eq!(
        attempts.load(Ordering::SeqCst),
        3,
        "one attempt and two retries"
    );
    assert_eq!(handle.stats().spooled, 1);
}
