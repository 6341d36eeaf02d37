//! The HTML pages: a report, the index, and short messages. Every string
//! from a report goes through [`escape::html`]; styles are embedded with the
//! response's CSP nonce; nothing is loaded from anywhere and no JavaScript
//! is needed.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use tackle_report::{ErrorReport, Frame, FrameKind, Scrubber};

use crate::escape::html;

/// Lines shown either side of a failing line.
const CONTEXT_LINES: usize = 5;
/// Source files larger than this are not read.
const MAX_SOURCE_BYTES: u64 = 4 * 1024 * 1024;

const STYLE: &str = r#"
:root{color-scheme:light dark;--bg:#fff;--fg:#1d1d1f;--muted:#6b6b70;--card:#f5f5f7;--line:#d2d2d7;--hit:#ffe3e0;--accent:#c4281c;--code:#fafafa}
@media (prefers-color-scheme:dark){:root{--bg:#151517;--fg:#e8e8ea;--muted:#9a9aa0;--card:#1f1f23;--line:#38383d;--hit:#4a1f1c;--accent:#ff6b5e;--code:#1a1a1d}}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--fg);font:15px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif}
header{padding:20px 28px;border-bottom:3px solid var(--accent);background:var(--card)}
header .kind{display:inline-block;font-weight:700;font-size:12px;letter-spacing:.08em;color:#fff;background:var(--accent);border-radius:4px;padding:2px 8px;margin-right:8px}
h1{font-size:22px;margin:10px 0 6px;white-space:pre-wrap;word-break:break-word}
h2{font-size:16px;margin:26px 0 8px;border-bottom:1px solid var(--line);padding-bottom:4px}
main{padding:4px 28px 40px;max-width:1200px}
.muted{color:var(--muted)}
code,pre,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:13px}
pre{margin:0;white-space:pre-wrap;word-break:break-word}
.frame{border:1px solid var(--line);border-radius:6px;margin:8px 0;overflow:hidden}
.frame .fn{padding:6px 10px;background:var(--card);font-weight:600}
.frame .at{font-weight:400;color:var(--muted)}
table.src{border-collapse:collapse;width:100%;background:var(--code)}
table.src td{padding:0 8px;vertical-align:top}
table.src td.ln{width:1%;text-align:right;color:var(--muted);user-select:none}
table.src tr.hit{background:var(--hit)}
table.src tr.hit td.ln{color:var(--accent);font-weight:700}
details{margin:6px 0;border:1px dashed var(--line);border-radius:6px;padding:4px 10px}
summary{cursor:pointer;color:var(--muted)}
table.kv{border-collapse:collapse;width:100%}
table.kv td,table.kv th{border-bottom:1px solid var(--line);padding:3px 8px;text-align:left;vertical-align:top}
table.kv th{width:22%;font-weight:600}
ol.causes li{margin:2px 0}
a{color:var(--accent)}
"#;

/// The page skeleton: `title`, `body_html` (already escaped), the nonce.
fn document(title: &str, body_html: &str, nonce: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <meta name=\"referrer\" content=\"no-referrer\">\
         <title>{}</title><style nonce=\"{}\">{STYLE}</style></head><body>{body_html}</body></html>\n",
        html(title),
        html(nonce),
    )
}

/// A short page: a heading, a sentence and a link to the index.
pub(crate) fn message_page(title: &str, text: &str, nonce: &str) -> String {
    let body = format!(
        "<header><h1>{}</h1></header><main><p>{}</p><p><a href=\"/_debug/\">Recent errors</a></p></main>",
        html(title),
        html(text)
    );
    document(title, &body, nonce)
}

/// The index of kept reports, newest first.
pub(crate) fn index_page(reports: &[Arc<ErrorReport>], scrubber: &Scrubber, nonce: &str) -> String {
    let mut body = String::from(
        "<header><h1>Recent errors</h1><div class=\"muted\">Newest first; only the most recent are kept.</div></header><main>",
    );
    if reports.is_empty() {
        body.push_str("<p class=\"muted\">No errors yet.</p>");
    } else {
        body.push_str("<table class=\"kv\"><thead><tr><th>Time</th><th>Kind</th><th>Message</th></tr></thead><tbody>");
        for report in reports {
            let message = scrubber.scrub_text(&report.message);
            let first = message.lines().next().unwrap_or_default();
            let _ = write!(
                body,
                "<tr><td class=\"mono\">{}</td><td>{}</td><td><a href=\"/_debug/{}\">{}</a></td></tr>",
                html(&tackle_report::render::rfc3339(report.time)),
                html(report.kind.label()),
                html(&report.id.to_string()),
                html(if first.is_empty() {
                    "(no message)"
                } else {
                    first
                }),
            );
        }
        body.push_str("</tbody></table>");
    }
    body.push_str("</main>");
    document("Recent errors", &body, nonce)
}

/// The page of one report, scrubbed, with source read under `roots`.
pub(crate) fn report_page(
    report: &ErrorReport,
    scrubber: &Scrubber,
    roots: &[PathBuf],
    nonce: &str,
) -> String {
    let r = scrubber.scrub(report);
    let mut b = String::with_capacity(16 * 1024);
    let first = r.message.lines().next().unwrap_or_default();
    let _ = write!(
        b,
        "<header><span class=\"kind\">{}</span><span class=\"muted mono\">{}</span><h1>{}</h1>",
        html(r.kind.label()),
        html(&tackle_report::render::rfc3339_millis(r.time)),
        html(&r.message),
    );
    if let Some(location) = &r.location {
        let _ = write!(
            b,
            "<div class=\"mono muted\">at {}:{}:{}</div>",
            html(&location.file),
            location.line,
            location.column
        );
    }
    b.push_str("</header><main>");

    if let Some(location) = &r.location {
        if let Some(snippet) = source_snippet(&location.file, location.line, roots) {
            let _ = write!(
                b,
                "<h2>Source</h2><div class=\"frame\"><div class=\"fn mono\">{}:{}</div>{snippet}</div>",
                html(&location.file),
                location.line
            );
        }
    }

    if !r.causes.is_empty() {
        b.push_str("<h2>Caused by</h2><ol class=\"causes\">");
        for cause in &r.causes {
            let _ = write!(b, "<li class=\"mono\">{}</li>", html(cause));
        }
        b.push_str("</ol>");
    }

    if let Some(frames) = &r.frames {
        let frames = frames.resolve();
        if !frames.is_empty() {
            b.push_str("<h2>Stack</h2>");
            frames_html(&mut b, &frames, roots);
        }
    }

    if !r.spans.is_empty() {
        b.push_str("<h2>Spans</h2><div class=\"muted\">Innermost first.</div>");
        for span in &r.spans {
            let _ = write!(
                b,
                "<div class=\"frame\"><div class=\"fn mono\">{} <span class=\"at\">{}</span></div>",
                html(&span.name),
                html(&span.target)
            );
            kv_table(
                &mut b,
                span.fields.iter().map(|(k, v)| (k.as_str(), v.as_str())),
            );
            b.push_str("</div>");
        }
    }

    if !r.events.is_empty() {
        b.push_str("<h2>Recent events</h2><table class=\"kv\">");
        for event in &r.events {
            let mut fields = String::new();
            for (name, value) in &event.fields {
                let _ = write!(fields, " {}={}", html(name), html(value));
            }
            let _ = write!(
                b,
                "<tr><td class=\"mono\">{}</td><td class=\"mono\">{} {}</td><td class=\"mono\">{}<span class=\"muted\">{fields}</span></td></tr>",
                html(&tackle_report::render::rfc3339_millis(event.time)),
                html(&event.level),
                html(&event.target),
                html(&event.message),
            );
        }
        b.push_str("</table>");
    }

    if let Some(request) = &r.request {
        let _ = write!(
            b,
            "<h2>Request</h2><p class=\"mono\"><strong>{}</strong> {} <span class=\"muted\">{}</span></p>",
            html(&request.method),
            html(&scrubber.scrub_uri(&request.uri)),
            html(&request.version),
        );
        if let Some(route) = &request.route {
            let _ = write!(
                b,
                "<p class=\"muted\">route <code>{}</code></p>",
                html(route)
            );
        }
        kv_table(
            &mut b,
            request
                .headers
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str())),
        );
        if let Some(preview) = &request.body_preview {
            let content_type = request
                .headers
                .iter()
                .find(|(name, _)| name.eq_ignore_ascii_case("content-type"))
                .map(|(_, value)| value.as_str());
            let _ = write!(
                b,
                "<details><summary>Body (first {} bytes)</summary><pre>{}</pre></details>",
                preview.len(),
                html(&scrubber.scrub_body(preview, content_type))
            );
        }
    }

    if let Some(response) = &r.response {
        if (500..=599).contains(&response.status) {
            let _ = write!(
                b,
                "<h2>Response</h2><p class=\"mono\"><strong>{}</strong></p>",
                response.status
            );
            kv_table(
                &mut b,
                response
                    .headers
                    .iter()
                    .map(|(k, v)| (k.as_str(), v.as_str())),
            );
        }
    }

    let mut about = vec![
        ("report id", r.id.to_string()),
        ("host", r.host.clone()),
        ("pid", r.pid.to_string()),
    ];
    if let Some(app) = &r.app {
        about.push(("application", format!("{} {}", app.name, app.version)));
    }
    b.push_str("<h2>About</h2>");
    kv_table(
        &mut b,
        about
            .iter()
            .map(|(k, v)| (*k, v.as_str()))
            .chain(r.extra.iter().map(|(k, v)| (k.as_str(), v.as_str()))),
    );
    b.push_str("<p><a href=\"/_debug/\">Recent errors</a></p></main>");
    document(&format!("{}: {}", r.kind.label(), first), &b, nonce)
}

fn kv_table<'a>(b: &mut String, rows: impl Iterator<Item = (&'a str, &'a str)>) {
    let mut rows = rows.peekable();
    if rows.peek().is_none() {
        return;
    }
    b.push_str("<table class=\"kv\">");
    for (name, value) in rows {
        let _ = write!(
            b,
            "<tr><th class=\"mono\">{}</th><td class=\"mono\">{}</td></tr>",
            html(name),
            html(value)
        );
    }
    b.push_str("</table>");
}

/// In-app frames expanded with source; runs of other frames folded per
/// crate.
fn frames_html(b: &mut String, frames: &[Frame], roots: &[PathBuf]) {
    let mut i = 0;
    while i < frames.len() {
        let frame = &frames[i];
        if frame.kind == FrameKind::InApp {
            let _ = write!(
                b,
                "<div class=\"frame\"><div class=\"fn mono\">{} <span class=\"at\">{}</span></div>",
                html(frame.function.as_deref().unwrap_or("<unknown>")),
                html(&frame_location(frame)),
            );
            if let (Some(file), Some(line)) = (&frame.file, frame.line) {
                if let Some(snippet) = source_snippet(file, line, roots) {
                    b.push_str(&snippet);
                }
            }
            b.push_str("</div>");
            i += 1;
            continue;
        }
        let group = group_name(frame);
        let start = i;
        while i < frames.len()
            && frames[i].kind != FrameKind::InApp
            && group_name(&frames[i]) == group
        {
            i += 1;
        }
        let run = &frames[start..i];
        let _ = write!(
            b,
            "<details><summary class=\"mono\">{} — {} frame{}</summary><ol class=\"mono\">",
            html(&group),
            run.len(),
            if run.len() == 1 { "" } else { "s" }
        );
        for frame in run {
            let _ = write!(
                b,
                "<li>{} <span class=\"muted\">{}</span></li>",
                html(frame.function.as_deref().unwrap_or("<unknown>")),
                html(&frame_location(frame))
            );
        }
        b.push_str("</ol></details>");
    }
}

fn group_name(frame: &Frame) -> String {
    match (&frame.crate_name, frame.kind) {
        (Some(name), _) => name.clone(),
        (None, FrameKind::Std) => "std".to_owned(),
        (None, FrameKind::Runtime) => "runtime".to_owned(),
        (None, _) => "unknown".to_owned(),
    }
}

fn frame_location(frame: &Frame) -> String {
    match (&frame.file, frame.line) {
        (Some(file), Some(line)) => format!("{file}:{line}"),
        (Some(file), None) => file.clone(),
        _ => String::new(),
    }
}

/// `file` found under one of `roots` (or their parents, for paths relative
/// to a workspace), or itself when absolute. Only Rust sources are read.
pub(crate) fn resolve_source(file: &str, roots: &[PathBuf]) -> Option<PathBuf> {
    let path = Path::new(file);
    if path.extension().and_then(|e| e.to_str()) != Some("rs") {
        return None;
    }
    if path.is_absolute() {
        return path.is_file().then(|| path.to_path_buf());
    }
    for root in roots {
        for dir in root.ancestors() {
            let candidate = dir.join(path);
            if candidate.is_file() {
                return Some(candidate);
            }
        }
    }
    None
}

/// ±[`CONTEXT_LINES`] lines around `line` of `file` as an HTML table, the
/// line itself marked.
pub(crate) fn source_snippet(file: &str, line: u32, roots: &[PathBuf]) -> Option<String> {
    let path = resolve_source(file, roots)?;
    if std::fs::metadata(&path).ok()?.len() > MAX_SOURCE_BYTES {
        return None;
    }
    let text = std::fs::read_to_string(&path).ok()?;
    let line = usize::try_from(line).ok()?;
    if line == 0 {
        return None;
    }
    let first = line.saturating_sub(CONTEXT_LINES).max(1);
    let mut out = String::from("<table class=\"src\">");
    let mut any = false;
    for (number, content) in text.lines().enumerate().map(|(i, l)| (i + 1, l)) {
        if number < first {
            continue;
        }
        if number > line + CONTEXT_LINES {
            break;
        }
        any = true;
        let _ = write!(
            out,
            "<tr{}><td class=\"ln mono\">{number}</td><td><pre>{}</pre></td></tr>",
            if number == line { " class=\"hit\"" } else { "" },
            html(content)
        );
    }
    out.push_str("</table>");
    any.then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snippet_marks_the_line_and_escapes() {
        let roots = vec![PathBuf::from(env!("CARGO_MANIFEST_DIR"))];
        // This file, relative to the crate root.
        let snippet = source_snippet("src/page.rs", 1, &roots).unwrap();
        assert!(snippet.contains("<tr class=\"hit\"><td class=\"ln mono\">1</td>"));
        assert!(snippet.contains(">6</td>"));
        assert!(!snippet.contains(">7</td>"));
        // Workspace-relative paths resolve through the root's parents.
        assert!(resolve_source("crates/debugger/src/page.rs", &roots).is_some());
        assert!(resolve_source("src/missing.rs", &roots).is_none());
        assert!(resolve_source("Cargo.toml", &roots).is_none());
        assert!(resolve_source("/etc/passwd", &roots).is_none());
    }

    #[test]
    fn frames_fold_per_crate() {
        let frames = vec![
            Frame::new(Some("myapp::handler"), Some("src/main.rs"), Some(3)),
            Frame::new(
                Some("serde_json::de::from_str"),
                Some("/home/u/.cargo/registry/src/index.crates.io-1/serde_json-1.0.1/src/de.rs"),
                Some(10),
            ),
            Frame::new(
                Some("serde_json::de::inner"),
                Some("/home/u/.cargo/registry/src/index.crates.io-1/serde_json-1.0.1/src/de.rs"),
                Some(20),
            ),
            Frame::new(
                Some("std::rt::lang_start"),
                Some("/rustc/abc/library/std/src/rt.rs"),
                Some(5),
            ),
        ];
        let mut b = String::new();
        frames_html(&mut b, &frames, &[]);
        assert_eq!(b.matches("<details>").count(), 2, "{b}");
        assert!(b.contains("2 frames"), "{b}");
        assert!(b.contains("myapp::handler"));
    }
}
