//! The Markdown rendering: issue trackers, chat, HTML mail through any
//! CommonMark renderer.

use std::fmt::Write as _;

use super::text::stack_lines;
use super::{app_line, body_text, clean, first_line, frame_lines, rfc3339, rfc3339_millis};
use crate::report::ErrorReport;
use crate::scrub::Scrubber;

/// `report` as Markdown (CommonMark with GitHub tables), scrubbed by
/// `scrubber`: a heading per section, the stack and the body preview in
/// fenced code blocks, headers in tables. Values are in code spans or
/// escaped, so nothing in a report becomes a link, an image or HTML.
pub fn markdown(report: &ErrorReport, scrubber: &Scrubber) -> String {
    let fingerprint = report.fingerprint();
    let report = scrubber.scrub(report);
    let mut out = String::with_capacity(4096);

    // Summary.
    let message = clean(&report.message);
    let _ = writeln!(
        out,
        "# {}: {}\n",
        report.kind.label(),
        escape(first_line(&message))
    );
    if message.lines().nth(1).is_some() {
        fenced(&mut out, &message);
    }
    if let Some(location) = &report.location {
        item(&mut out, "Location", &code(&location.to_string()));
    }
    item(&mut out, "Id", &code(&report.id.to_string()));
    item(&mut out, "Time", &rfc3339(report.time));
    item(&mut out, "Host", &code(&report.host));
    item(&mut out, "PID", &report.pid.to_string());
    if let Some(app) = &report.app {
        item(&mut out, "App", &code(&app_line(&app.name, &app.version)));
    }
    item(&mut out, "Fingerprint", &code(&fingerprint));

    if !report.causes.is_empty() {
        heading(&mut out, "Caused by");
        for (n, cause) in report.causes.iter().enumerate() {
            let _ = writeln!(out, "{}. {}", n + 1, code(cause));
        }
    }

    if let Some(frames) = &report.frames {
        let frames = frames.resolve();
        heading(&mut out, "Stack");
        if frames.is_empty() {
            out.push_str("No frames.\n");
        } else {
            fenced(&mut out, &stack_lines(&frame_lines(&frames)));
        }
    }

    if !report.spans.is_empty() {
        heading(&mut out, "Spans");
        out.push_str("Innermost first.\n\n");
        for span in &report.spans {
            let _ = writeln!(out, "- {} in {}", code(&span.name), code(&span.target));
            for (name, value) in &span.fields {
                let _ = writeln!(out, "  - {} = {}", code(name), code(value));
            }
        }
    }

    if !report.events.is_empty() {
        heading(&mut out, "Events");
        out.push_str("Oldest first.\n\n");
        for event in &report.events {
            let _ = writeln!(
                out,
                "- {} **{}** {}: {}",
                rfc3339_millis(event.time),
                escape(&event.level),
                code(&event.target),
                code(&event.message)
            );
            for (name, value) in &event.fields {
                let _ = writeln!(out, "  - {} = {}", code(name), code(value));
            }
        }
    }

    if let Some(request) = &report.request {
        heading(&mut out, "Request");
        let line = format!("{} {} {}", request.method, request.uri, request.version);
        let _ = writeln!(out, "{}\n", code(&line));
        if let Some(route) = &request.route {
            item(&mut out, "Route", &code(route));
        }
        if let Some(peer) = &request.peer {
            item(&mut out, "Peer", &code(&peer.to_string()));
        }
        if request.route.is_some() || request.peer.is_some() {
            out.push('\n');
        }
        table(&mut out, "Header", &request.headers);
        if let Some(body) = &request.body_preview {
            let _ = writeln!(out, "Body preview ({} bytes):\n", body.len());
            fenced(&mut out, &body_text(body));
        }
    }

    if let Some(response) = &report.response {
        heading(&mut out, "Response");
        let _ = writeln!(out, "Status: {}\n", response.status);
        table(&mut out, "Header", &response.headers);
    }

    if !report.extra.is_empty() {
        heading(&mut out, "Extra");
        table(&mut out, "Name", &report.extra);
    }
    out
}

/// A second-level heading, after exactly one blank line.
fn heading(out: &mut String, title: &str) {
    while !out.ends_with("\n\n") {
        out.push('\n');
    }
    let _ = writeln!(out, "## {title}\n");
}

fn item(out: &mut String, label: &str, value: &str) {
    let _ = writeln!(out, "- **{label}:** {value}");
}

fn table(out: &mut String, name_heading: &str, rows: &[(String, String)]) {
    if rows.is_empty() {
        return;
    }
    let _ = writeln!(out, "| {name_heading} | Value |\n| --- | --- |");
    for (name, value) in rows {
        // In a table a `|` ends the cell even inside a code span, unless
        // escaped (GitHub then shows it unescaped in the span).
        let _ = writeln!(
            out,
            "| {} | {} |",
            code(name).replace('|', "\\|"),
            code(value).replace('|', "\\|")
        );
    }
    out.push('\n');
}

/// `text` as an inline code span: one line, delimited by more backticks
/// than it contains in a row.
pub(crate) fn code(text: &str) -> String {
    let text = clean(text).replace(['\n', '\r'], " ");
    if text.is_empty() {
        return "` `".to_owned();
    }
    let fence = "`".repeat(longest_backtick_run(&text) + 1);
    // A span starting or ending with a backtick (or space) needs padding.
    let pad = text.starts_with(['`', ' ']) || text.ends_with(['`', ' ']);
    let space = if pad { " " } else { "" };
    format!("{fence}{space}{text}{space}{fence}")
}

/// A fenced code block longer than any backtick run in `text`.
fn fenced(out: &mut String, text: &str) {
    let text = clean(text);
    let fence = "`".repeat((longest_backtick_run(&text) + 1).max(3));
    let _ = writeln!(out, "{fence}text");
    out.push_str(&text);
    if !text.ends_with('\n') {
        out.push('\n');
    }
    let _ = writeln!(out, "{fence}\n");
}

fn longest_backtick_run(text: &str) -> usize {
    let (mut longest, mut run) = (0, 0);
    for c in text.chars() {
        run = if c == '`' { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    longest
}

/// Plain text with the characters Markdown would act on escaped.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for c in clean(text).chars() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '~' | '&' | '#' | '!' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_spans_and_escapes() {
        assert_eq!(code("a"), "`a`");
        assert_eq!(code("a`b"), "``a`b``");
        assert_eq!(code("`x`"), "`` `x` ``");
        assert_eq!(code(""), "` `");
        assert_eq!(code("a\nb"), "`a b`");
        assert_eq!(
            escape("<script>*x*</script> [a](b)"),
            "\\<script\\>\\*x\\*\\</script\\> \\[a\\](b)"
        );
        let mut out = String::new();
        fenced(&mut out, "```rust\nx");
        assert!(out.starts_with("````text\n```rust\nx\n````\n"));
    }
}
