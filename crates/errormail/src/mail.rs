//! The mail itself: subject, threading headers and a text/plain body with an
//! HTML alternative, everything scrubbed, composed with lettre's builder
//! into RFC 5322 bytes a transport sends or a spool directory keeps.
//!
//! # Subject
//!
//! `{prefix}[{environment}] {KIND} {METHOD} {route}: {message}`, for
//! example `[tackle][production] PANIC GET /users/{id}: called
//! Option::unwrap() on a None value`. The route is the matched route
//! pattern, or the path without its query with digit runs, hex numbers and
//! UUIDs replaced (`/users/N`); the message is the first line of the
//! scrubbed message, normalised the way the fingerprint normalises it
//! (`user '…' (id N) not found`). So the subject carries no count, id or
//! varying number: occurrences of one fingerprint get one subject (and one
//! `References` root), and mail clients thread them. Control characters
//! (CR and LF included), bidirectional overrides and runs of white space
//! become one space; the subject is capped at 150 characters.
//!
//! # Headers
//!
//! - `Message-ID: <{fingerprint}.{report id}@{host}>`
//! - `In-Reply-To` and `References: <{fingerprint}@{host}>`, a thread root
//!   per fingerprint (never sent itself; clients thread on it).
//! - `Auto-Submitted: auto-generated` (RFC 3834) and
//!   `X-Auto-Response-Suppress: All`, so vacation responders stay quiet.
//! - `X-Tackle-Fingerprint` and `X-Tackle-Report-Id`, for filters and search.
//!
//! Both body parts are quoted-printable, so a spooled `.eml` stays readable.

use std::fmt::Write as _;
use std::time::Duration;

use lettre::Message;
use lettre::message::header::{ContentTransferEncoding, ContentType, HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart, SinglePart};
use tackle_report::{ErrorReport, ReportId, Scrubber};

use crate::throttle::{Digest, MailReason, Occurrence};

/// The most characters a subject has, prefix included.
pub const MAX_SUBJECT_CHARS: usize = 150;

/// What every mail needs besides the report.
#[derive(Clone, Debug)]
pub struct MailConfig {
    /// The sender, `errors@example.com` or `App <errors@example.com>`.
    pub from: String,
    /// The recipients, in the same forms.
    pub to: Vec<String>,
    /// Put first in every subject. Default: `[tackle]`.
    pub subject_prefix: String,
    /// The deployment's name (`production`), shown as `[production]` after
    /// the prefix. Default: none.
    pub environment: Option<String>,
    /// Removes secrets from everything mailed.
    pub scrubber: Scrubber,
    /// The domain part of `Message-ID`s. Empty (the default): the report's
    /// host, or `localhost` for mails without a report.
    pub hostname_for_ids: String,
}

impl MailConfig {
    /// Mail from `from` to `to`, with the defaults: prefix `[tackle]`, no
    /// environment, the default [`Scrubber`], and ids on the report's host.
    pub fn new(from: impl Into<String>, to: impl IntoIterator<Item = impl Into<String>>) -> Self {
        MailConfig {
            from: from.into(),
            to: to.into_iter().map(Into::into).collect(),
            subject_prefix: "[tackle]".to_owned(),
            environment: None,
            scrubber: Scrubber::default(),
            hostname_for_ids: String::new(),
        }
    }
}

/// A composed mail: the envelope and the message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Composed {
    /// The envelope sender.
    pub from: String,
    /// The envelope recipients.
    pub to: Vec<String>,
    /// The whole message, RFC 5322, CRLF line ends.
    pub bytes: Vec<u8>,
    /// Its subject, as set (before any RFC 2047 encoding).
    pub subject: String,
}

/// The mail for one occurrence of `report`, with the throttle's `reason`.
pub fn compose(
    config: &MailConfig,
    report: &ErrorReport,
    reason: &MailReason,
) -> Result<Composed, String> {
    let scrubber = &config.scrubber;
    let fingerprint = id_part(&report.fingerprint(), "report");
    let host = if config.hostname_for_ids.is_empty() {
        id_part(&report.host, "localhost")
    } else {
        id_host(config)
    };
    let subject = subject(config, report);

    let summary = summary(report, reason, config.environment.as_deref());
    let mut text = String::new();
    for line in &summary {
        text.push_str(line);
        text.push('\n');
    }
    text.push('\n');
    text.push_str(&tackle_report::render::text(report, scrubber));

    let markdown = tackle_report::render::markdown(report, scrubber);
    let html = html_page(&subject, &summary, &markdown);

    let thread_root = format!("<{fingerprint}@{host}>");
    let builder = base_builder(config, &subject)?
        .date(report.time)
        .message_id(Some(format!("<{fingerprint}.{}@{host}>", report.id)))
        .in_reply_to(thread_root.clone())
        .references(thread_root)
        .raw_header(raw("X-Tackle-Fingerprint", fingerprint))
        .raw_header(raw("X-Tackle-Report-Id", report.id.to_string()));
    finish(builder, subject, text, html)
}

/// The one mail summarising the groups the global budget held back.
pub fn compose_digest(config: &MailConfig, digest: &Digest) -> Result<Composed, String> {
    let subject = cap(&clean(&format!(
        "{} Digest: error mails held back by the mail budget",
        prefix(config)
    )));
    let held: u64 =
        digest.groups.iter().map(|(_, n)| n).sum::<u64>() + digest.other_groups_suppressed;
    let groups = digest.groups.len() + usize::from(digest.other_groups_suppressed > 0);

    let mut summary = vec![format!(
        "The hourly mail budget held back {held} occurrence{} of {groups} error group{} in the last {}.",
        plural(held),
        plural(groups as u64),
        human_duration(digest.window),
    )];
    if let Some(env) = environment(config) {
        summary.push(format!("Environment: {env}"));
    }
    if digest.dropped_by_queue > 0 {
        summary.push(dropped_line(digest.dropped_by_queue));
    }
    let mut text = summary.join("\n");
    text.push_str("\n\nFingerprint        Held back\n");
    for (fingerprint, n) in &digest.groups {
        let _ = writeln!(text, "{:<18} {n}", clean(fingerprint));
    }
    if digest.other_groups_suppressed > 0 {
        let _ = writeln!(
            text,
            "{:<18} {}",
            "(other groups)", digest.other_groups_suppressed
        );
    }
    text.push_str(
        "\nEach group's next mail, once the budget allows, carries its report. \
         Search for a fingerprint in the X-Tackle-Fingerprint header.\n",
    );
    let text = config.scrubber.scrub_text(&text);
    let html = html_page(&subject, &[], &text);
    let builder = base_builder(config, &subject)?.message_id(Some(format!(
        "<digest.{}@{}>",
        ReportId::random(),
        id_host(config)
    )));
    finish(builder, subject, text, html)
}

/// A test mail, to check the configuration end to end.
pub fn compose_test(config: &MailConfig) -> Result<Composed, String> {
    let subject = cap(&clean(&format!(
        "{} Test message from the error mailer",
        prefix(config)
    )));
    let mut text = String::from(
        "This is a test message from tackle-errormail.\n\
         Error reports will be mailed to these recipients.\n",
    );
    if let Some(env) = environment(config) {
        let _ = writeln!(text, "Environment: {env}");
    }
    let text = config.scrubber.scrub_text(&text);
    let html = html_page(&subject, &[], &text);
    let builder = base_builder(config, &subject)?.message_id(Some(format!(
        "<test.{}@{}>",
        ReportId::random(),
        id_host(config)
    )));
    finish(builder, subject, text, html)
}

/// The subject of every mail about `report`'s fingerprint (see the
/// [module docs](self)).
pub fn subject(config: &MailConfig, report: &ErrorReport) -> String {
    let scrubber = &config.scrubber;
    let mut subject = format!("{} {}", prefix(config), report.kind.label());
    if let Some(request) = &report.request {
        let target = match &request.route {
            Some(route) => scrubber.scrub_text(route),
            None => tackle_report::normalize_message(&scrubber.scrub_text(uri_path(&request.uri))),
        };
        let _ = write!(subject, " {} {}", clean(&request.method), clean(&target));
    }
    let message = scrubber.scrub_text(&report.message);
    let first_line = message.lines().find(|line| !line.trim().is_empty());
    if let Some(line) = first_line {
        // A status line ("500 Internal Server Error") is the same for every
        // occurrence already; other messages lose their varying numbers.
        let line = if report.kind == tackle_report::ReportKind::ServerError {
            line.to_owned()
        } else {
            tackle_report::normalize_message(line)
        };
        let _ = write!(subject, ": {line}");
    }
    cap(&clean(&subject))
}

/// The lines above the report: what this mail is and the counts.
fn summary(report: &ErrorReport, reason: &MailReason, environment: Option<&str>) -> Vec<String> {
    let what = match reason.kind {
        Occurrence::First => "New error".to_owned(),
        Occurrence::Repeated => "Repeated error".to_owned(),
        Occurrence::Reappeared => "Reappeared after a quiet period".to_owned(),
    };
    let mut lines = vec![format!(
        "{what}: {} ({} occurrence{} so far).",
        report.kind.label(),
        reason.count,
        plural(reason.count)
    )];
    if reason.suppressed_since_last > 0 {
        lines.push(format!(
            "{} occurrence{} not mailed since the last mail about this error.",
            reason.suppressed_since_last,
            plural(reason.suppressed_since_last)
        ));
    }
    if reason.dropped_by_queue > 0 {
        lines.push(dropped_line(reason.dropped_by_queue));
    }
    if let Some(env) = environment.map(clean).filter(|e| !e.is_empty()) {
        lines.push(format!("Environment: {env}"));
    }
    lines
}

fn dropped_line(n: u64) -> String {
    format!(
        "{n} report{} dropped because the mail queue was full.",
        plural(n)
    )
}

fn base_builder(
    config: &MailConfig,
    subject: &str,
) -> Result<lettre::message::MessageBuilder, String> {
    let from: Mailbox = config
        .from
        .parse()
        .map_err(|e| format!("sender {:?}: {e}", config.from))?;
    if config.to.is_empty() {
        return Err("no recipients".to_owned());
    }
    let mut builder = Message::builder().from(from).subject(subject);
    for to in &config.to {
        let mailbox: Mailbox = to.parse().map_err(|e| format!("recipient {to:?}: {e}"))?;
        builder = builder.to(mailbox);
    }
    Ok(builder
        .raw_header(raw("Auto-Submitted", "auto-generated".to_owned()))
        .raw_header(raw("X-Auto-Response-Suppress", "All".to_owned())))
}

fn finish(
    builder: lettre::message::MessageBuilder,
    subject: String,
    text: String,
    html: String,
) -> Result<Composed, String> {
    let part = |content_type: ContentType, body: String| {
        SinglePart::builder()
            .header(content_type)
            .header(ContentTransferEncoding::QuotedPrintable)
            .body(body)
    };
    let message = builder
        .multipart(
            MultiPart::alternative()
                .singlepart(part(ContentType::TEXT_PLAIN, text))
                .singlepart(part(ContentType::TEXT_HTML, html)),
        )
        .map_err(|e| e.to_string())?;
    let envelope = message.envelope();
    Ok(Composed {
        from: envelope.from().map(ToString::to_string).unwrap_or_default(),
        to: envelope.to().iter().map(ToString::to_string).collect(),
        bytes: message.formatted(),
        subject,
    })
}

fn raw(name: &'static str, value: String) -> HeaderValue {
    HeaderValue::new(HeaderName::new_from_ascii_str(name), value)
}

/// A page showing `body` verbatim: everything escaped, in a `<pre>`.
fn html_page(title: &str, summary: &[String], body: &str) -> String {
    let mut page = String::with_capacity(body.len() + 512);
    page.push_str("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>");
    escape_into(&mut page, title);
    page.push_str("</title></head>\n<body>\n");
    for line in summary {
        page.push_str("<p>");
        escape_into(&mut page, line);
        page.push_str("</p>\n");
    }
    page.push_str("<pre style=\"white-space: pre-wrap\">");
    escape_into(&mut page, body);
    page.push_str("</pre>\n</body></html>\n");
    page
}

fn escape_into(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
}

fn prefix(config: &MailConfig) -> String {
    let mut prefix = config.subject_prefix.clone();
    if let Some(env) = environment(config) {
        let _ = write!(prefix, "[{env}]");
    }
    prefix
}

fn environment(config: &MailConfig) -> Option<String> {
    config
        .environment
        .as_deref()
        .map(clean)
        .filter(|env| !env.is_empty())
}

/// The path of a request target without its query or fragment, for an
/// origin-form (`/a?b`) or absolute-form (`http://h/a?b`) target.
fn uri_path(uri: &str) -> &str {
    let uri = uri.split(['?', '#']).next().unwrap_or("");
    match uri.find("://") {
        Some(scheme_end) => {
            let rest = &uri[scheme_end + 3..];
            rest.find('/').map_or("/", |at| &rest[at..])
        }
        None => uri,
    }
}

/// One line of text: control characters (CR, LF, tab, ...) and
/// bidirectional controls become spaces, runs of white space one space.
fn clean(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut space = false;
    for c in text.chars() {
        if c.is_control() || c.is_whitespace() || is_bidi_control(c) {
            space = !out.is_empty();
        } else {
            if space {
                out.push(' ');
                space = false;
            }
            out.push(c);
        }
    }
    out
}

fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

fn cap(text: &str) -> String {
    if text.chars().count() <= MAX_SUBJECT_CHARS {
        return text.to_owned();
    }
    let mut out: String = text.chars().take(MAX_SUBJECT_CHARS - 1).collect();
    out.truncate(out.trim_end().len());
    out.push('…');
    out
}

/// `text` reduced to characters a `Message-ID` may carry (`dot-atom-text`
/// without the rarer symbols), or `fallback` when nothing is left.
fn id_part(text: &str, fallback: &str) -> String {
    let part: String = text
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        .collect();
    let part = part.trim_matches('.');
    if part.is_empty() {
        fallback.to_owned()
    } else {
        part.to_owned()
    }
}

fn id_host(config: &MailConfig) -> String {
    id_part(&config.hostname_for_ids, "localhost")
}

fn plural(n: u64) -> &'static str {
    if n == 1 { "" } else { "s" }
}

fn human_duration(d: Duration) -> String {
    let minutes = d.as_secs() / 60;
    match (minutes / 60, minutes % 60) {
        (0, m) => format!("{m} minute{}", plural(m)),
        (h, 0) => format!("{h} hour{}", plural(h)),
        (h, m) => format!("{h} h {m} min"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use std::time::SystemTime;

    use tackle_report::{ReportKind, RequestSnapshot};

    fn config() -> MailConfig {
        MailConfig {
            environment: Some("production".to_owned()),
            hostname_for_ids: "app1.example.com".to_owned(),
            ..MailConfig::new("Errors <errors@example.com>", ["ops@example.com"])
        }
    }

    fn report(message: &str, uri: &str) -> ErrorReport {
        let mut report =
            ErrorReport::new(ReportKind::Panic, message).with_request(RequestSnapshot {
                method: "GET".to_owned(),
                uri: uri.to_owned(),
                version: "HTTP/1.1".to_owned(),
                headers: vec![
                    ("host".to_owned(), "example.com".to_owned()),
                    (
                        "authorization".to_owned(),
                        "Bearer sk-live-authvalue-9f8e7d".to_owned(),
                    ),
                    (
                        "cookie".to_owned(),
                        "sid=cookievalue-77aa; theme=dark".to_owned(),
                    ),
                ],
                route: Some("/users/{id}".to_owned()),
                ..RequestSnapshot::default()
            });
        report.time = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        report
    }

    fn reason(kind: Occurrence, count: u64, suppressed: u64, dropped: u64) -> MailReason {
        MailReason {
            kind,
            count,
            suppressed_since_last: suppressed,
            dropped_by_queue: dropped,
        }
    }

    /// The message as text, with quoted-printable soft breaks and escapes
    /// undone (harmless for the headers, which carry no `=XX`).
    fn decoded(bytes: &[u8]) -> String {
        let mut out = Vec::with_capacity(bytes.len());
        let mut i = 0;
        while i < bytes.len() {
            if bytes[i] == b'=' {
                if bytes[i + 1..].starts_with(b"\r\n") {
                    i += 3;
                    continue;
                }
                let hex = bytes
                    .get(i + 1..i + 3)
                    .and_then(|h| std::str::from_utf8(h).ok());
                if let Some(byte) = hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                    out.push(byte);
                    i += 3;
                    continue;
                }
            }
            out.push(bytes[i]);
            i += 1;
        }
        String::from_utf8_lossy(&out).into_owned()
    }

    fn header_block(bytes: &[u8]) -> String {
        let text = String::from_utf8_lossy(bytes);
        text.split("\r\n\r\n").next().unwrap_or_default().to_owned()
    }

    #[test]
    fn subject_is_stable_per_fingerprint() {
        let config = config();
        let a = report("user 42 not found", "/users/42?page=1");
        let b = report("user 43 not found", "/users/43");
        assert_eq!(a.fingerprint(), b.fingerprint());
        assert_ne!(a.id, b.id);

        let first = compose(&config, &a, &reason(Occurrence::First, 1, 0, 0)).unwrap();
        let later = compose(&config, &b, &reason(Occurrence::Repeated, 16, 9, 3)).unwrap();
        assert_eq!(
            first.subject,
            "[tackle][production] PANIC GET /users/{id}: user N not found"
        );
        assert_eq!(first.subject, later.subject);
        assert_eq!(
            header_block(&first.bytes)
                .lines()
                .find(|l| l.starts_with("Subject:")),
            header_block(&later.bytes)
                .lines()
                .find(|l| l.starts_with("Subject:")),
        );
        // The counts are in the body instead.
        let body = decoded(&later.bytes);
        assert!(
            body.contains("Repeated error: PANIC (16 occurrences so far)."),
            "{body}"
        );
        assert!(body.contains("9 occurrences not mailed since the last mail"));
        assert!(body.contains("3 reports dropped because the mail queue was full."));
    }

    #[test]
    fn subject_without_a_route_uses_the_normalised_path() {
        let mut a = report("boom", "http://h/orders/1234/items?x=1");
        a.request.as_mut().unwrap().route = None;
        assert_eq!(
            subject(&config(), &a),
            "[tackle][production] PANIC GET /orders/N/items: boom"
        );
        let mut bare = ErrorReport::new(ReportKind::ServiceError, "\n\n  db down\nsecond line");
        bare.request = None;
        let plain = MailConfig::new("e@example.com", ["o@example.com"]);
        assert_eq!(subject(&plain, &bare), "[tackle] ERROR: db down");
    }

    #[test]
    fn subject_is_capped() {
        let long = report(&"x".repeat(1000), "/");
        assert_eq!(subject(&config(), &long).chars().count(), MAX_SUBJECT_CHARS);
    }

    #[test]
    fn header_injection_is_stripped() {
        let mut config = config();
        config.environment = Some("prod\r\nX-Env-Evil: 1".to_owned());
        let mut evil = report(
            "boom\r\nBcc: attacker@evil.example\r\nX-Evil: 1\n\rTo: other@evil.example",
            "/users/1",
        );
        evil.request.as_mut().unwrap().route =
            Some("/users/{id}\r\nCc: cc@evil.example".to_owned());
        let mail = compose(&config, &evil, &reason(Occurrence::First, 1, 0, 0)).unwrap();

        assert!(!mail.subject.contains(['\r', '\n']));
        let headers = header_block(&mail.bytes);
        for line in headers.lines() {
            let name = line
                .split(':')
                .next()
                .unwrap_or_default()
                .to_ascii_lowercase();
            assert!(
                !matches!(name.as_str(), "bcc" | "cc" | "x-evil" | "x-env-evil"),
                "injected header: {line}"
            );
        }
        assert_eq!(headers.lines().filter(|l| l.starts_with("To:")).count(), 1);
        assert_eq!(mail.to, vec!["ops@example.com".to_owned()]);
        // The message text is in the body, where it is only text.
        let body = decoded(&mail.bytes);
        let body = &body[headers.len()..];
        assert!(body.contains("Bcc: attacker@evil.example"), "{body}");
        assert!(!mail.bytes.windows(2).enumerate().any(|(i, w)| {
            // Every LF in the message is part of a CRLF.
            w[1] == b'\n' && w[0] != b'\r' || (i == 0 && w[0] == b'\n')
        }));
    }

    #[test]
    fn secrets_never_reach_the_bytes() {
        let mut secret = report(
            "cannot connect to postgres://app:dbpass-5c1e@db/main",
            "http://admin:hunter2-url@example.com/users/7?token=querytoken-8b2",
        );
        secret.request.as_mut().unwrap().route = None;
        let mail = compose(&config(), &secret, &reason(Occurrence::First, 1, 0, 0)).unwrap();
        let raw = String::from_utf8_lossy(&mail.bytes).into_owned();
        let text = decoded(&mail.bytes);
        for needle in [
            "sk-live-authvalue-9f8e7d",
            "cookievalue-77aa",
            "hunter2-url",
            "dbpass-5c1e",
            "querytoken-8b2",
        ] {
            assert!(!raw.contains(needle), "{needle} in the raw message");
            assert!(
                !text.contains(needle),
                "{needle} in the decoded message:\n{text}"
            );
        }
        assert!(text.contains("[REDACTED]"));
        // The report is there: its message and request.
        assert!(text.contains("cannot connect to postgres://"));
        assert!(text.contains("/users/7"));
    }

    #[test]
    fn threading_and_automation_headers() {
        let r = report("boom", "/users/1");
        let fingerprint = r.fingerprint();
        let mail = compose(&config(), &r, &reason(Occurrence::First, 1, 0, 0)).unwrap();
        let headers = header_block(&mail.bytes);
        let has = |line: String| headers.lines().any(|l| l == line);
        assert!(
            has(format!(
                "Message-ID: <{fingerprint}.{}@app1.example.com>",
                r.id
            )),
            "{headers}"
        );
        assert!(
            has(format!("In-Reply-To: <{fingerprint}@app1.example.com>")),
            "{headers}"
        );
        assert!(
            has(format!("References: <{fingerprint}@app1.example.com>")),
            "{headers}"
        );
        assert!(
            has("Auto-Submitted: auto-generated".to_owned()),
            "{headers}"
        );
        assert!(
            has(format!("X-Tackle-Fingerprint: {fingerprint}")),
            "{headers}"
        );
        assert!(
            has("Date: Tue, 14 Nov 2023 22:13:20 +0000".to_owned()),
            "{headers}"
        );
        assert_eq!(mail.from, "errors@example.com");

        // Another occurrence: a new Message-ID, the same thread root.
        let again = report("boom", "/users/2");
        let other = compose(&config(), &again, &reason(Occurrence::Repeated, 2, 0, 0)).unwrap();
        let other_headers = header_block(&other.bytes);
        assert!(other_headers.contains(&format!("<{fingerprint}.{}@app1.example.com>", again.id)));
        assert!(other_headers.contains(&format!("References: <{fingerprint}@app1.example.com>")));
    }

    #[test]
    fn ids_use_the_report_host_by_default() {
        let mut r = report("boom", "/");
        r.host = "web-3".to_owned();
        let config = MailConfig::new("e@example.com", ["o@example.com"]);
        let mail = compose(&config, &r, &reason(Occurrence::First, 1, 0, 0)).unwrap();
        let headers = header_block(&mail.bytes);
        assert!(
            headers.contains(&format!("References: <{}@web-3>", r.fingerprint())),
            "{headers}"
        );
    }

    #[test]
    fn both_alternatives_are_present() {
        let r = report("boom <b>&", "/users/1");
        let mail = compose(&config(), &r, &reason(Occurrence::Reappeared, 1, 0, 0)).unwrap();
        let text = decoded(&mail.bytes);
        assert!(
            text.contains("Content-Type: multipart/alternative;"),
            "{text}"
        );
        assert!(text.contains("Content-Type: text/plain; charset=utf-8"));
        assert!(text.contains("Content-Type: text/html; charset=utf-8"));
        assert!(text.contains("Reappeared after a quiet period"));
        assert!(text.contains("<pre style="));
        assert!(text.contains("boom &lt;b&gt;&amp;"));
        assert!(!text.contains("<b>&<"));
    }

    #[test]
    fn digest_mail() {
        let digest = Digest {
            groups: vec![
                ("00ff00ff00ff00ff".to_owned(), 12),
                ("0123456789abcdef".to_owned(), 1),
            ],
            window: Duration::from_secs(3600),
            other_groups_suppressed: 4,
            dropped_by_queue: 2,
        };
        let mail = compose_digest(&config(), &digest).unwrap();
        assert_eq!(
            mail.subject,
            "[tackle][production] Digest: error mails held back by the mail budget"
        );
        let text = decoded(&mail.bytes);
        assert!(
            text.contains("held back 17 occurrences of 3 error groups in the last 1 hour"),
            "{text}"
        );
        assert!(text.contains("00ff00ff00ff00ff   12"));
        assert!(text.contains("(other groups)     4"));
        assert!(text.contains("2 reports dropped"));
        assert!(text.contains("Auto-Submitted: auto-generated"));
        assert!(text.contains("text/html"));
    }

    #[test]
    fn test_mail() {
        let mail = compose_test(&config()).unwrap();
        assert_eq!(
            mail.subject,
            "[tackle][production] Test message from the error mailer"
        );
        assert_eq!(mail.to, vec!["ops@example.com".to_owned()]);
        assert!(decoded(&mail.bytes).contains("This is a test message"));
    }

    #[test]
    fn bad_addresses_are_errors() {
        let r = report("boom", "/");
        let why = reason(Occurrence::First, 1, 0, 0);
        let bad_from = MailConfig::new("not an address", ["o@example.com"]);
        assert!(compose(&bad_from, &r, &why).unwrap_err().contains("sender"));
        let bad_to = MailConfig::new("e@example.com", ["o@example.com\r\nBcc: x@y"]);
        assert!(
            compose(&bad_to, &r, &why)
                .unwrap_err()
                .contains("recipient")
        );
        let nobody = MailConfig::new("e@example.com", Vec::<String>::new());
        assert_eq!(compose_test(&nobody).unwrap_err(), "no recipients");
    }

    #[test]
    fn clean_strips_controls_and_collapses_space() {
        assert_eq!(clean("a\r\nBcc: x\t\u{0}b"), "a Bcc: x b");
        assert_eq!(clean("  lead\u{202e}trail  "), "lead trail");
        assert_eq!(clean("\u{85}x\u{2028}y"), "x y");
    }

    #[test]
    fn cap_keeps_at_most_the_limit() {
        let long = "é".repeat(400);
        let capped = cap(&long);
        assert_eq!(capped.chars().count(), MAX_SUBJECT_CHARS);
        assert!(capped.ends_with('…'));
        assert_eq!(cap("short"), "short");
    }

    #[test]
    fn uri_paths() {
        assert_eq!(uri_path("/a/b?x=1#f"), "/a/b");
        assert_eq!(uri_path("http://u:p@h:80/a?x"), "/a");
        assert_eq!(uri_path("https://h"), "/");
        assert_eq!(uri_path("*"), "*");
    }

    #[test]
    fn id_parts_are_safe() {
        assert_eq!(id_part("ab12<>@ \r\n.x", "f"), "ab12.x");
        assert_eq!(id_part("<>", "f"), "f");
        assert_eq!(id_part(".host.", "f"), "host");
    }

    #[test]
    fn html_escapes_everything() {
        let page = html_page("<t>", &["a&b".to_owned()], "<script>\"'</script>");
        assert!(page.contains("&lt;t&gt;"));
        assert!(page.contains("a&amp;b"));
        assert!(page.contains("&lt;script&gt;&quot;&#39;&lt;/script&gt;"));
        assert!(!page.contains("<script>"));
    }

    #[test]
    fn durations() {
        assert_eq!(human_duration(Duration::from_secs(3600)), "1 hour");
        assert_eq!(human_duration(Duration::from_secs(60)), "1 minute");
        assert_eq!(human_duration(Duration::from_secs(3900)), "1 h 5 min");
    }
}
