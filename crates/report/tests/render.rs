//! Rendering: secrets never reach any output, sections come in order, JSON
//! is problem details; grouping by fingerprint.

use std::net::SocketAddr;
use std::time::{Duration, UNIX_EPOCH};

use bytes::Bytes;
use tackle_report::{
    ErrorReport, EventRecord, Frame, Frames, Location, ReportKind, RequestSnapshot,
    ResponseSnapshot, Scrubber, SpanRecord, render,
};

const JWT: &str = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJlU0VDUkVU";
const PEM_BODY: &str = "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7";

fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
    items
        .iter()
        .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
        .collect()
}

#[inline(never)]
fn report_with_secrets_everywhere() -> ErrorReport {
    let mut report = ErrorReport::new(
        ReportKind::ServerError,
        "upstream refused Bearer abc.def for order 7\nsecond line of the message",
    )
    .with_app("shop", "1.4.2");
    report.time = UNIX_EPOCH + Duration::from_secs(1_700_000_000);
    report.location = Some(Location {
        file: "src/orders.rs".into(),
        line: 42,
        column: 13,
    });
    report.causes = vec![
        "connect postgres://user:hunter2@db/x failed".into(),
        "connection refused".into(),
    ];
    report.frames = Some(Frames::capture());
    report.spans = vec![
        SpanRecord {
            name: "load_order".into(),
            target: "shop::orders".into(),
            fields: pairs(&[("order_id", "7"), ("claims", JWT)]),
        },
        SpanRecord {
            name: "http_request".into(),
            target: "shop::http".into(),
            fields: pairs(&[("method", "\"GET\""), ("session_id", "\"SESSIONSECRET77\"")]),
        },
    ];
    report.events = vec![
        EventRecord {
            time: UNIX_EPOCH + Duration::from_millis(1_700_000_000_123),
            level: "INFO".into(),
            target: "shop::keys".into(),
            message: format!(
                "payment retry with -----BEGIN PRIVATE KEY-----\n{PEM_BODY}\n-----END PRIVATE KEY-----"
            ),
            fields: pairs(&[("attempt", "2"), ("api_token", "EVENTSECRET")]),
        },
        EventRecord {
            time: UNIX_EPOCH + Duration::from_millis(1_700_000_000_456),
            level: "WARN".into(),
            target: "shop::orders".into(),
            message: "gave up on password=hunter2 login".into(),
            fields: Vec::new(),
        },
    ];
    report.request = Some(RequestSnapshot {
        method: "POST".into(),
        uri: "/orders/7?token=abc&page=2".into(),
        version: "HTTP/1.1".into(),
        headers: pairs(&[
            ("host", "shop.example"),
            ("authorization", "Basic QVVUSFNFQ1JFVDpodW50ZXIy"),
            ("cookie", "sid=COOKIESECRET42; theme=dark"),
            ("content-type", "application/json"),
            ("user-agent", "curl/8.5.0"),
        ]),
        route: Some("/orders/{id}".into()),
        peer: Some("10.0.0.7:5555".parse::<SocketAddr>().unwrap()),
        body_preview: Some(Bytes::from_static(
            br#"{"user": "alice", "password": "hunter2", "items": [{"sku": "B-9"}]}"#,
        )),
    });
    report.response = Some(ResponseSnapshot {
        status: 503,
        headers: pairs(&[
            ("content-type", "text/plain"),
            ("set-cookie", "sid=RESPSECRET; HttpOnly"),
        ]),
    });
    report.extra = pairs(&[
        ("tenant", "acme"),
        ("stripe_api_key", "sk_live_EXTRASECRET"),
    ]);
    report
}

const SECRETS: &[&str] = &[
    "abc.def",
    "hunter2",
    "token=abc",
    JWT,
    "c2lnbmF0dXJlU0VDUkVU",
    PEM_BODY,
    "SESSIONSECRET77",
    "EVENTSECRET",
    "QVVUSFNFQ1JFVDpodW50ZXIy",
    "COOKIESECRET42",
    "RESPSECRET",
    "EXTRASECRET",
];

const VISIBLE: &[&str] = &[
    "upstream refused Bearer",
    "order 7",
    "second line of the message",
    "src/orders.rs:42:13",
    "shop 1.4.2",
    "2023-11-14T22:13:20Z",
    "postgres://[REDACTED]@db/x",
    "connection refused",
    "load_order",
    "order_id",
    "http_request",
    "payment retry with",
    "attempt",
    "/orders/7?token=[REDACTED]&page=2",
    "HTTP/1.1",
    "shop.example",
    "curl/8.5.0",
    "/orders/{id}",
    "10.0.0.7:5555",
    "alice",
    "B-9",
    "503",
    "text/plain",
    "tenant",
    "acme",
    "[REDACTED]",
    // The in-app frame that captured the stack.
    "render::report_with_secrets_everywhere",
];

fn assert_scrubbed(format: &str, output: &str) {
    for secret in SECRETS {
        assert!(
            !output.contains(secret),
            "{format} output leaks {secret:?}:\n{output}"
        );
    }
    // JSON has the location and the app as objects.
    let structured = ["src/orders.rs:42:13", "shop 1.4.2"];
    for visible in VISIBLE
        .iter()
        .filter(|v| format != "json" || !structured.contains(v))
    {
        assert!(
            output.contains(visible),
            "{format} output lacks {visible:?}:\n{output}"
        );
    }
}

fn assert_in_order(format: &str, output: &str, markers: &[&str]) {
    let mut from = 0;
    for marker in markers {
        match output[from..].find(marker) {
            Some(at) => from += at + marker.len(),
            None => panic!("{format}: {marker:?} missing or out of order:\n{output}"),
        }
    }
}

#[test]
fn text_has_no_secrets_and_every_section_in_order() {
    let report = report_with_secrets_everywhere();
    let text = render::text(&report, &Scrubber::default());
    assert_scrubbed("text", &text);
    assert!(text.starts_with("5XX: upstream refused Bearer [REDACTED] for order 7\n"));
    assert_in_order(
        "text",
        &text,
        &[
            "5XX: ",
            "location",
            "id           ",
            "time         2023-11-14T22:13:20Z",
            "host",
            "pid",
            "app          shop 1.4.2",
            "\nCaused by:\n  1: connect postgres://[REDACTED]@db/x failed\n  2: connection refused\n",
            "\nStack (innermost first):\n",
            "render::report_with_secrets_everywhere",
            "\nSpans (innermost first):\n  load_order (shop::orders)\n",
            "claims = [REDACTED]",
            "http_request (shop::http)",
            "session_id = [REDACTED]",
            "\nEvents (oldest first):\n  2023-11-14T22:13:20.123Z INFO  shop::keys: payment retry with [REDACTED]",
            "api_token = [REDACTED]",
            "WARN  shop::orders: gave up on password=[REDACTED] login",
            "\nRequest:\n  POST /orders/7?token=[REDACTED]&page=2 HTTP/1.1\n",
            "route        /orders/{id}",
            "peer         10.0.0.7:5555",
            "authorization: [REDACTED]",
            "cookie: [REDACTED]",
            "body preview",
            r#""password":"[REDACTED]""#,
            "\nResponse:\n  status       503\n",
            "set-cookie: [REDACTED]",
            "\nExtra:\n  tenant = acme\n  stripe_api_key = [REDACTED]\n",
        ],
    );
    // Deterministic: the same report renders to the same text.
    assert_eq!(text, render::text(&report, &Scrubber::default()));
}

#[test]
fn markdown_has_no_secrets_and_every_section_in_order() {
    let report = report_with_secrets_everywhere();
    let markdown = render::markdown(&report, &Scrubber::default());
    assert_scrubbed("markdown", &markdown);
    assert!(markdown.starts_with("# 5XX: upstream refused Bearer \\[REDACTED\\] for order 7\n"));
    assert_in_order(
        "markdown",
        &markdown,
        &[
            "# 5XX: ",
            "```text\nupstream refused Bearer [REDACTED] for order 7\nsecond line of the message\n```",
            "- **Location:** `src/orders.rs:42:13`",
            "- **Id:** `",
            "- **Time:** 2023-11-14T22:13:20Z",
            "- **Host:** `",
            "- **PID:** ",
            "- **App:** `shop 1.4.2`",
            "\n## Caused by\n\n1. `connect postgres://[REDACTED]@db/x failed`\n2. `connection refused`\n",
            "\n## Stack\n\n```text\n",
            "render::report_with_secrets_everywhere",
            "```\n",
            "\n## Spans\n",
            "- `load_order` in `shop::orders`\n  - `order_id` = `7`\n  - `claims` = `[REDACTED]`",
            "\n## Events\n",
            "- 2023-11-14T22:13:20.123Z **INFO** `shop::keys`: `payment retry with [REDACTED]`",
            "\n## Request\n\n`POST /orders/7?token=[REDACTED]&page=2 HTTP/1.1`\n",
            "- **Route:** `/orders/{id}`",
            "| Header | Value |\n| --- | --- |\n| `host` | `shop.example` |\n| `authorization` | `[REDACTED]` |",
            "Body preview",
            "```text\n{",
            "\n## Response\n\nStatus: 503\n",
            "| `set-cookie` | `[REDACTED]` |",
            "\n## Extra\n\n| Name | Value |\n| --- | --- |\n| `tenant` | `acme` |\n| `stripe_api_key` | `[REDACTED]` |",
        ],
    );
    assert_eq!(markdown, render::markdown(&report, &Scrubber::default()));
}

#[test]
fn json_is_problem_details_without_secrets() {
    let report = report_with_secrets_everywhere();
    let value = render::json(&report, &Scrubber::default());
    let serialized = serde_json::to_string(&value).unwrap();
    assert_scrubbed("json", &serialized);
    // Valid JSON that reads back the same.
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&serialized).unwrap(),
        value
    );

    // RFC 9457 members, with their types.
    let type_uri = value["type"].as_str().unwrap();
    assert!(
        type_uri == "about:blank" || type_uri.starts_with("tag:"),
        "{type_uri}"
    );
    assert_eq!(
        value["title"],
        "5XX: upstream refused Bearer [REDACTED] for order 7"
    );
    assert_eq!(value["status"], 503);
    assert!(
        value["detail"]
            .as_str()
            .unwrap()
            .ends_with(": connection refused")
    );
    assert_eq!(
        value["instance"],
        format!("urn:tackle:report:{}", report.id)
    );

    let body = &value["report"];
    for section in [
        "id",
        "kind",
        "message",
        "location",
        "time",
        "host",
        "pid",
        "app",
        "fingerprint",
        "causes",
        "frames",
        "spans",
        "events",
        "request",
        "response",
        "extra",
    ] {
        assert!(
            body.get(section).is_some(),
            "report.{section} missing: {body:#}"
        );
    }
    assert_eq!(body["id"], report.id.to_string());
    assert_eq!(body["kind"], "5XX");
    assert_eq!(body["time"], "2023-11-14T22:13:20Z");
    assert_eq!(body["location"]["line"], 42);
    assert_eq!(body["app"]["version"], "1.4.2");
    assert_eq!(body["fingerprint"], report.fingerprint());
    assert_eq!(body["spans"][0]["name"], "load_order");
    assert_eq!(body["spans"][0]["fields"]["claims"], "[REDACTED]");
    assert_eq!(body["events"][1]["time"], "2023-11-14T22:13:20.456Z");
    assert_eq!(
        body["request"]["headers"][1],
        serde_json::json!(["authorization", "[REDACTED]"])
    );
    assert_eq!(body["request"]["peer"], "10.0.0.7:5555");
    let preview: serde_json::Value =
        serde_json::from_str(body["request"]["body_preview"].as_str().unwrap()).unwrap();
    assert_eq!(preview["password"], "[REDACTED]");
    assert_eq!(preview["user"], "alice");
    assert_eq!(body["response"]["status"], 503);
    assert_eq!(body["extra"]["tenant"], "acme");
    let frames = body["frames"].as_array().unwrap();
    assert!(frames.iter().any(|f| {
        f["kind"] == "in_app"
            && f["function"]
                .as_str()
                .is_some_and(|name| name.contains("report_with_secrets_everywhere"))
    }));
}

#[test]
fn a_bare_report_renders_only_its_summary() {
    let mut report = ErrorReport::new(ReportKind::Panic, "boom");
    report.app = None;
    let text = render::text(&report, &Scrubber::default());
    assert!(text.starts_with("PANIC: boom\n"));
    for heading in [
        "Caused by",
        "Stack",
        "Spans",
        "Events",
        "Request",
        "Response",
        "Extra",
    ] {
        assert!(!text.contains(heading), "{heading} in {text}");
    }
    let value = render::json(&report, &Scrubber::default());
    assert_eq!(value["status"], 500);
    assert_eq!(value["detail"], "boom");
    assert_eq!(value["report"]["request"], serde_json::Value::Null);
}

#[test]
fn stacks_fold_dependencies_and_hide_the_runtime() {
    let frame = |function: &str, file: &str| Frame::new(Some(function), Some(file), Some(10));
    let registry = "/home/u/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f";
    let frames = vec![
        frame(
            "serde_json::de::from_str",
            &format!("{registry}/serde_json-1.0.140/src/de.rs"),
        ),
        frame(
            "serde_json::de::parse",
            &format!("{registry}/serde_json-1.0.140/src/de.rs"),
        ),
        frame("shop::orders::load", "src/orders.rs"),
        frame(
            "hyper::proto::h1::dispatch",
            &format!("{registry}/hyper-1.5.0/src/proto/h1/dispatch.rs"),
        ),
        frame("shop::main", "src/main.rs"),
    ];
    let mut report = ErrorReport::new(ReportKind::Panic, "bad json");
    report.frames = Some(Frames::from_frames(frames));
    let text = render::text(&report, &Scrubber::default());
    assert_in_order(
        "text",
        &text,
        &[
            "… 2 frames in serde_json 1.0.140",
            "2: shop::orders::load\n         at src/orders.rs:10",
            "4: shop::main",
            "… 1 standard library and runtime frame not shown",
        ],
    );
    assert!(!text.contains("hyper::proto"));
}

#[test]
fn the_hook_runs_last_and_headers_can_be_added() {
    let mut report = ErrorReport::new(ReportKind::Panic, "customer 4111-1111-1111-1111 failed");
    report.request = Some(RequestSnapshot {
        method: "GET".into(),
        uri: "/".into(),
        headers: pairs(&[("x-tenant", "t-SECRET"), ("accept", "*/*")]),
        ..RequestSnapshot::default()
    });
    let scrubber = Scrubber::new()
        .header("X-Tenant")
        .hook(|report| report.message = report.message.replace("4111-1111-1111-1111", "[CARD]"));
    let text = render::text(&report, &scrubber);
    assert!(text.starts_with("PANIC: customer [CARD] failed"));
    assert!(text.contains("x-tenant: [REDACTED]") && text.contains("accept: */*"));
    assert!(!text.contains("t-SECRET"));
    // The original report is untouched.
    assert!(report.message.contains("4111"));
}

#[inline(never)]
fn load_user(id: u32) -> ErrorReport {
    let mut report = ErrorReport::new(ReportKind::Panic, format!("user {id} not found"));
    report.frames = Some(Frames::capture());
    report
}

#[inline(never)]
fn load_order(id: u32) -> ErrorReport {
    let mut report = ErrorReport::new(ReportKind::Panic, format!("user {id} not found"));
    report.frames = Some(Frames::capture());
    report
}

#[inline(never)]
fn call(f: impl FnOnce() -> ErrorReport) -> ErrorReport {
    f()
}

#[test]
fn the_same_bug_at_two_lines_groups_and_different_bugs_do_not() {
    // Two closures, on two lines, reach the same failing function with
    // different numbers in the message.
    let first = call(|| load_user(17));
    let second = call(|| {
        let id = 4711;
        load_user(id)
    });
    assert_eq!(first.fingerprint(), second.fingerprint());
    assert_eq!(first.fingerprint().len(), 16);

    // Another function with the very same message is another bug.
    let other = call(|| load_order(17));
    assert_ne!(first.fingerprint(), other.fingerprint());
    // And so is another message from the same place.
    let mut changed = load_user(17);
    changed.message = "user 17 is locked".into();
    assert_ne!(first.fingerprint(), changed.fingerprint());
}

#[test]
fn ids_and_uuids_in_messages_group() {
    let report = |message: &str| {
        let mut report = ErrorReport::new(ReportKind::ServiceError, message);
        report.request = Some(RequestSnapshot {
            method: "GET".into(),
            uri: "/sessions/1".into(),
            route: Some("/sessions/{id}".into()),
            ..RequestSnapshot::default()
        });
        report
    };
    let a =
        report("session 550e8400-e29b-41d4-a716-446655440000 expired after 30s (shard 7f3a9c01)");
    let b =
        report("session 6ba7b810-9dad-11d1-80b4-00c04fd430c8 expired after 3600s (shard 0b12ffe9)");
    assert_eq!(a.fingerprint(), b.fingerprint());
    assert_ne!(
        a.fingerprint(),
        report("session store unreachable").fingerprint()
    );
}
