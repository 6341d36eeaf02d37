//! The plain-text rendering: mail bodies, logs, terminals.

use std::fmt::Write as _;

use super::{
    FrameLine, app_line, body_text, clean, first_line, frame_lines, frame_location, function_name,
    rfc3339, rfc3339_millis, summary_line,
};
use crate::report::ErrorReport;
use crate::scrub::Scrubber;

/// `report` as plain text, scrubbed by `scrubber`.
///
/// ```text
/// PANIC: user 17 not found
///   location     src/db.rs:40:9
///   id           5f0c…
///   time         2025-03-01T12:34:56Z
///   ...
///
/// Caused by:
///   1: ...
///
/// Stack (innermost first):
///    2: app::db::load_user
///         at src/db.rs:40:9
///       … 12 frames in hyper 1.5.0
/// ...
/// ```
pub fn text(report: &ErrorReport, scrubber: &Scrubber) -> String {
    let fingerprint = report.fingerprint();
    let report = scrubber.scrub(report);
    let mut out = String::with_capacity(2048);

    // Summary.
    let message = clean(&report.message);
    let _ = writeln!(out, "{}: {}", report.kind.label(), first_line(&message));
    for line in message.lines().skip(1) {
        let _ = writeln!(out, "  {line}");
    }
    out.push('\n');
    if let Some(location) = &report.location {
        field(&mut out, "location", &location.to_string());
    }
    field(&mut out, "id", &report.id.to_string());
    field(&mut out, "time", &rfc3339(report.time));
    field(&mut out, "host", &report.host);
    field(&mut out, "pid", &report.pid.to_string());
    if let Some(app) = &report.app {
        field(&mut out, "app", &app_line(&app.name, &app.version));
    }
    field(&mut out, "fingerprint", &fingerprint);

    if !report.causes.is_empty() {
        out.push_str("\nCaused by:\n");
        for (n, cause) in report.causes.iter().enumerate() {
            let _ = writeln!(out, "  {}: {}", n + 1, indent_rest(&clean(cause), "     "));
        }
    }

    if let Some(frames) = &report.frames {
        let frames = frames.resolve();
        out.push_str("\nStack (innermost first):\n");
        if frames.is_empty() {
            out.push_str("  (no frames)\n");
        }
        out.push_str(&stack_lines(&frame_lines(&frames)));
    }

    if !report.spans.is_empty() {
        out.push_str("\nSpans (innermost first):\n");
        for span in &report.spans {
            let _ = writeln!(out, "  {} ({})", clean(&span.name), clean(&span.target));
            fields(&mut out, &span.fields, "    ");
        }
    }

    if !report.events.is_empty() {
        out.push_str("\nEvents (oldest first):\n");
        for event in &report.events {
            let _ = writeln!(
                out,
                "  {} {:<5} {}: {}",
                rfc3339_millis(event.time),
                clean(&event.level),
                clean(&event.target),
                indent_rest(&clean(&event.message), "    ")
            );
            fields(&mut out, &event.fields, "    ");
        }
    }

    if let Some(request) = &report.request {
        out.push_str("\nRequest:\n");
        let _ = writeln!(
            out,
            "  {} {} {}",
            clean(&request.method),
            clean(&request.uri),
            clean(&request.version)
        );
        if let Some(route) = &request.route {
            field(&mut out, "route", route);
        }
        if let Some(peer) = &request.peer {
            field(&mut out, "peer", &peer.to_string());
        }
        headers(&mut out, &request.headers);
        if let Some(body) = &request.body_preview {
            let _ = writeln!(out, "  body preview ({} bytes):", body.len());
            for line in body_text(body).lines() {
                let _ = writeln!(out, "    {}", clean(line));
            }
        }
    }

    if let Some(response) = &report.response {
        out.push_str("\nResponse:\n");
        field(&mut out, "status", &response.status.to_string());
        headers(&mut out, &response.headers);
    }

    if !report.extra.is_empty() {
        out.push_str("\nExtra:\n");
        fields(&mut out, &report.extra, "  ");
    }
    out
}

/// The stack, one frame per line (and its location on the next), indented
/// for a text body. Markdown puts the same lines in a fenced block.
pub(crate) fn stack_lines(lines: &[FrameLine<'_>]) -> String {
    let mut out = String::new();
    for line in lines {
        match line {
            FrameLine::Shown { index, frame } => {
                let _ = writeln!(out, "  {index:>3}: {}", clean(function_name(frame)));
                if let Some(location) = frame_location(frame) {
                    let _ = writeln!(out, "         at {}", clean(&location));
                }
            }
            other => {
                let _ = writeln!(out, "       {}", clean(&summary_line(other)));
            }
        }
    }
    out
}

fn field(out: &mut String, name: &str, value: &str) {
    let _ = writeln!(
        out,
        "  {name:<12} {}",
        indent_rest(&clean(value), "               ")
    );
}

fn fields(out: &mut String, fields: &[(String, String)], prefix: &str) {
    let continuation = format!("{prefix}  ");
    for (name, value) in fields {
        let _ = writeln!(
            out,
            "{prefix}{} = {}",
            clean(name),
            indent_rest(&clean(value), &continuation)
        );
    }
}

fn headers(out: &mut String, headers: &[(String, String)]) {
    if headers.is_empty() {
        return;
    }
    out.push_str("  headers:\n");
    for (name, value) in headers {
        let _ = writeln!(
            out,
            "    {}: {}",
            clean(name),
            indent_rest(&clean(value), "      ")
        );
    }
}

/// `text` with every line after the first indented by `prefix`.
fn indent_rest(text: &str, prefix: &str) -> String {
    let mut lines = text.lines();
    let mut out = lines.next().unwrap_or("").to_owned();
    for line in lines {
        out.push('\n');
        out.push_str(prefix);
        out.push_str(line);
    }
    out
}
