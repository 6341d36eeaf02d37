//! The HTML pages: a report, the index, and short messages. Every string
//! from a report goes through [`html`]; the style and the one small script
//! are embedded with the response's CSP nonce; nothing is loaded from
//! anywhere and everything works without JavaScript.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use tackle_http::cookie::cookie_pairs;
use tackle_http::decode_form;
use tackle_report::{ErrorReport, Frame, FrameKind, RequestSnapshot, Scrubber};

use crate::body::Completeness;
use crate::curl;
use crate::escape::html;
use crate::interact::{Controls, controls_html};
use crate::layer::Shared;
use crate::ring::Entry;

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
.banner{padding:10px 28px;background:var(--hit);font-weight:600}
.warn{color:var(--accent);font-weight:600}
.trimmed{margin:4px 2px}
form.actions{margin:8px 0}
form.resend label{display:block;margin:8px 0}
form.resend textarea,details.copy textarea{display:block;width:100%;font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:13px;background:var(--code);color:var(--fg);border:1px solid var(--line);border-radius:4px;padding:6px}
input,button{font:inherit}
"#;

/// The page skeleton: `title`, `body_html` (already escaped), the nonce.
/// The script only adds copy buttons; everything works without it.
pub(crate) fn document(title: &str, body_html: &str, nonce: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <meta name=\"referrer\" content=\"no-referrer\">\
         <title>{}</title><style nonce=\"{}\">{STYLE}</style></head><body>{body_html}\
         <script nonce=\"{}\">{SCRIPT}</script></body></html>\n",
        html(title),
        html(nonce),
        html(nonce),
    )
}

/// Shows the copy buttons (hidden without JavaScript) and copies the text
/// area each names.
const SCRIPT: &str = "document.querySelectorAll('button[data-copy]').forEach(function(b){\
b.hidden=false;b.addEventListener('click',function(){var t=document.getElementById(b.dataset.copy);\
navigator.clipboard.writeText(t.value).then(function(){b.textContent='Copied';},function(){t.select();});});});";

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

/// How a report page is rendered.
pub(crate) struct View<'a> {
    pub(crate) shared: &'a Shared,
    /// Masked values shown (after the PIN).
    pub(crate) reveal: bool,
    /// The interaction section, when the page has one.
    pub(crate) interact: Option<Controls<'a>>,
}

/// A pass-through for revealed pages, the scrubber otherwise.
struct Mask<'a> {
    scrubber: &'a Scrubber,
    reveal: bool,
}

impl Mask<'_> {
    fn uri(&self, uri: &str) -> String {
        if self.reveal {
            uri.to_owned()
        } else {
            self.scrubber.scrub_uri(uri)
        }
    }

    fn body(&self, body: &[u8], content_type: Option<&str>) -> String {
        if self.reveal {
            String::from_utf8_lossy(body).into_owned()
        } else {
            self.scrubber.scrub_body(body, content_type)
        }
    }
}

/// The page of one report, scrubbed unless revealed, with source read
/// under the layer's roots.
pub(crate) fn report_page(entry: &Entry, view: &View, nonce: &str) -> String {
    let shared = view.shared;
    let scrubber = &shared.scrubber;
    let mask = Mask {
        scrubber,
        reveal: view.reveal,
    };
    let r = if view.reveal {
        let mut r = entry.report.as_ref().clone();
        r.error = None;
        r
    } else {
        scrubber.scrub(&entry.report)
    };
    let mut b = String::with_capacity(16 * 1024);
    let first = r.message.lines().next().unwrap_or_default();
    if let Some(from) = &entry.replay_of {
        let from = from.to_string();
        let _ = write!(
            b,
            "<div id=\"replay-banner\" class=\"banner\">A replay of report <a href=\"/_debug/{}\">{}</a> failed again: this is the new report.</div>",
            html(&from),
            html(&from)
        );
    }
    if view.reveal {
        b.push_str("<div id=\"revealed\" class=\"banner\">Masked values are shown on this page. Do not share it.</div>");
    }
    let _ = write!(
        b,
        "<header><span class=\"kind\">{}</span><span class=\"muted mono\">{}</span><h1 id=\"message\">{}</h1>",
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

    // Without a stack, the source around the location; with one, its first
    // application frame shows the same lines.
    let location = r.location.as_ref().filter(|_| r.frames.is_none());
    if let Some(location) = location {
        if let Some(source) = Source::read(&location.file, location.line, shared) {
            let _ = write!(
                b,
                "<h2>Source</h2><div class=\"frame app\"><div class=\"fn mono\">{}:{} {}</div>{}{}</div>",
                html(&location.file),
                location.line,
                editor_link(shared, &source.path, location.line, location.column),
                source.stale_note(),
                source.table,
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
            b.push_str("<h2>Stack</h2><div class=\"muted\">Innermost first: the application's frames open, dependencies folded per crate, runtime frames trimmed.</div>");
            frames_html(&mut b, &frames, shared);
            all_frames_html(&mut b, &frames);
        }
    }

    if !r.spans.is_empty() {
        b.push_str("<h2>Spans</h2><div class=\"muted\">Innermost first, with their fields.</div>");
        for span in &r.spans {
            let _ = write!(
                b,
                "<div class=\"frame span\"><div class=\"fn mono\">{} <span class=\"at\">{}</span></div>",
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
        b.push_str("<h2>Log events of this request</h2><table class=\"kv events\">");
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
        request_html(&mut b, request, entry, &mask);
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

    copies_html(&mut b, entry, &mask);

    if let Some(controls) = &view.interact {
        controls_html(&mut b, entry, controls, shared);
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

/// The request: line, query, cookies, headers and body, each as a table
/// where it has structure.
fn request_html(b: &mut String, request: &RequestSnapshot, entry: &Entry, mask: &Mask) {
    let _ = write!(
        b,
        "<h2>Request</h2><p class=\"mono\"><strong>{}</strong> {} <span class=\"muted\">{}</span></p>",
        html(&request.method),
        html(&mask.uri(&request.uri)),
        html(&request.version),
    );
    if let Some(route) = &request.route {
        let _ = write!(
            b,
            "<p class=\"muted\">route <code>{}</code></p>",
            html(route)
        );
    }
    let uri = mask.uri(&request.uri);
    if let Some((_, query)) = uri.split_once('?') {
        let pairs = decode_form(query);
        if !pairs.is_empty() {
            b.push_str("<h3>Query</h3>");
            kv_table(b, pairs.iter().map(|(k, v)| (k, v.as_str())));
        }
    }
    // Cookie names come from the captured request (the scrubbed header is
    // one mask); values stay masked unless revealed.
    let cookies: Vec<(String, String)> = original_header(entry, "cookie")
        .iter()
        .flat_map(|value| cookie_pairs(value))
        .map(|(name, value)| {
            let value = if mask.reveal {
                value.into_owned()
            } else {
                tackle_report::REDACTED.to_owned()
            };
            (name.to_owned(), value)
        })
        .collect();
    if !cookies.is_empty() {
        b.push_str("<h3>Cookies</h3>");
        kv_table(b, cookies.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    }
    b.push_str("<h3>Headers</h3>");
    kv_table(
        b,
        request
            .headers
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str())),
    );
    let body = entry
        .request
        .as_ref()
        .map(|c| c.body.clone())
        .filter(|body| !body.is_empty())
        .or_else(|| request.body_preview.clone());
    if let Some(body) = body.filter(|b| !b.is_empty()) {
        let content_type = request
            .headers
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case("content-type"))
            .map(|(_, value)| value.as_str());
        let shown = mask.body(&body, content_type);
        let _ = write!(
            b,
            "<h3>Body</h3><p class=\"muted\">{} bytes kept",
            body.len()
        );
        if let Some(captured) = &entry.request {
            b.push_str(match captured.completeness {
                Completeness::Whole => " (the whole body)",
                Completeness::Truncated => " (the first 64 KiB)",
                Completeness::Unread => " (what the handler read before failing)",
            });
        }
        b.push_str(".</p>");
        let lower = content_type.unwrap_or("").to_ascii_lowercase();
        if lower.contains("x-www-form-urlencoded") {
            let pairs = decode_form(&shown);
            kv_table(b, pairs.iter().map(|(k, v)| (k, v.as_str())));
        } else if let Ok(value) = serde_json::from_str::<serde_json::Value>(&shown) {
            let pretty = serde_json::to_string_pretty(&value).unwrap_or(shown);
            let _ = write!(b, "<pre class=\"body json\">{}</pre>", html(&pretty));
        } else {
            let _ = write!(b, "<pre class=\"body\">{}</pre>", html(&shown));
        }
    }
}

/// The captured request's values of header `name`, unscrubbed.
fn original_header(entry: &Entry, name: &str) -> Vec<String> {
    entry.request.as_ref().map_or_else(Vec::new, |captured| {
        captured
            .headers
            .get_all(name)
            .iter()
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
            .collect()
    })
}

/// The report as text and Markdown and the request as a curl command, in
/// text areas (copy buttons with JavaScript, selectable without).
fn copies_html(b: &mut String, entry: &Entry, mask: &Mask) {
    b.push_str("<h2>Copy</h2>");
    let mut copies = vec![
        (
            "copy-text",
            "The report as text",
            tackle_report::render::text(&entry.report, mask.scrubber),
        ),
        (
            "copy-markdown",
            "The report as Markdown",
            tackle_report::render::markdown(&entry.report, mask.scrubber),
        ),
    ];
    if let Some(captured) = &entry.request {
        let title = if mask.reveal {
            "The request as a curl command (with its secrets)"
        } else {
            "The request as a curl command (secrets left out)"
        };
        copies.push((
            "copy-curl",
            title,
            curl::command(captured, mask.scrubber, mask.reveal),
        ));
    }
    for (id, title, text) in copies {
        let _ = write!(
            b,
            "<details class=\"copy\"><summary>{}</summary><textarea id=\"{id}\" readonly rows=\"8\" spellcheck=\"false\">{}</textarea>\
             <button type=\"button\" data-copy=\"{id}\" hidden>Copy</button></details>",
            html(title),
            html(&text)
        );
    }
}

pub(crate) fn kv_table<'a>(b: &mut String, rows: impl Iterator<Item = (&'a str, &'a str)>) {
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

/// In-app frames expanded with source; runs of dependency frames folded
/// per crate; runs of runtime and standard-library frames trimmed to one
/// line (all of them are in [`all_frames_html`]).
fn frames_html(b: &mut String, frames: &[Frame], shared: &Shared) {
    let mut i = 0;
    while i < frames.len() {
        let frame = &frames[i];
        match frame.kind {
            FrameKind::InApp => {
                let _ = write!(
                    b,
                    "<div class=\"frame app\"><div class=\"fn mono\">{} <span class=\"at\">{}</span>",
                    html(frame.function.as_deref().unwrap_or("<unknown>")),
                    html(&frame_location(frame)),
                );
                let source = match (&frame.file, frame.line) {
                    (Some(file), Some(line)) => Source::read(file, line, shared),
                    _ => None,
                };
                if let (Some(source), Some(line)) = (&source, frame.line) {
                    let column = frame.column.unwrap_or(1);
                    b.push(' ');
                    b.push_str(&editor_link(shared, &source.path, line, column));
                }
                b.push_str("</div>");
                if let Some(source) = source {
                    b.push_str(&source.stale_note());
                    b.push_str(&source.table);
                }
                b.push_str("</div>");
                i += 1;
            }
            FrameKind::Dependency => {
                let group = group_name(frame);
                let start = i;
                while i < frames.len()
                    && frames[i].kind == FrameKind::Dependency
                    && group_name(&frames[i]) == group
                {
                    i += 1;
                }
                let run = &frames[start..i];
                let _ = write!(
                    b,
                    "<details class=\"dep\"><summary class=\"mono\">{} — {} frame{}</summary><ol class=\"mono\">",
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
            FrameKind::Runtime | FrameKind::Std => {
                let start = i;
                let mut names: Vec<String> = Vec::new();
                while i < frames.len()
                    && matches!(frames[i].kind, FrameKind::Runtime | FrameKind::Std)
                {
                    let name = group_name(&frames[i]);
                    let name = name.split(' ').next().unwrap_or_default().to_owned();
                    if !names.contains(&name) && names.len() < 4 {
                        names.push(name);
                    }
                    i += 1;
                }
                let _ = write!(
                    b,
                    "<div class=\"trimmed muted mono\">… {} runtime frame{} ({})</div>",
                    i - start,
                    if i - start == 1 { "" } else { "s" },
                    html(&names.join(", "))
                );
            }
        }
    }
}

/// Every frame, in a toggle: "show all".
fn all_frames_html(b: &mut String, frames: &[Frame]) {
    let _ = write!(
        b,
        "<details id=\"all-frames\"><summary>Show all {} frames</summary><ol class=\"mono\">",
        frames.len()
    );
    for frame in frames {
        let kind = match frame.kind {
            FrameKind::InApp => "app",
            FrameKind::Dependency => "dependency",
            FrameKind::Std => "std",
            FrameKind::Runtime => "runtime",
        };
        let _ = write!(
            b,
            "<li class=\"{kind}\">{} <span class=\"muted\">{} · {kind}</span></li>",
            html(frame.function.as_deref().unwrap_or("<unknown>")),
            html(&frame_location(frame))
        );
    }
    b.push_str("</ol></details>");
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

/// An "open in editor" link for `path` (after the layer's path mapping),
/// from its template; empty without one.
fn editor_link(shared: &Shared, path: &Path, line: u32, column: u32) -> String {
    let Some(template) = &shared.editor else {
        return String::new();
    };
    let mut file = path.to_string_lossy().into_owned();
    for (from, to) in &shared.path_map {
        if let Some(rest) = file.strip_prefix(from.as_str()) {
            file = format!("{to}{rest}");
            break;
        }
    }
    // Always starting with `/`, with `/` separators: `C:\src\a.rs` is
    // `/C:/src/a.rs`, which editors' URL handlers expect.
    let mut file = file.replace('\\', "/");
    if !file.starts_with('/') {
        file.insert(0, '/');
    }
    let file = percent_encoding::utf8_percent_encode(&file, PATH_SET).to_string();
    let href = template
        .replace("{file}", &file)
        .replace("{line}", &line.to_string())
        .replace("{column}", &column.to_string());
    format!(
        "<a class=\"editor\" href=\"{}\">open in editor</a>",
        html(&href)
    )
}

/// What is percent-encoded in a file path put into an editor link.
const PATH_SET: &percent_encoding::AsciiSet = &percent_encoding::CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'`')
    .add(b'{')
    .add(b'}');

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

/// The lines around a failing line, read from disk.
struct Source {
    path: PathBuf,
    table: String,
    /// The file changed after the process started: lines may not match.
    stale: bool,
}

impl Source {
    fn read(file: &str, line: u32, shared: &Shared) -> Option<Source> {
        let path = resolve_source(file, &shared.roots)?;
        let metadata = std::fs::metadata(&path).ok()?;
        let stale = metadata
            .modified()
            .is_ok_and(|modified| modified > shared.started);
        let table = source_snippet(&path, line, metadata.len())?;
        Some(Source { path, table, stale })
    }

    fn stale_note(&self) -> String {
        if self.stale {
            "<p class=\"stale warn\">This file changed after the process started: the lines \
             shown may not be the ones that ran.</p>"
                .to_owned()
        } else {
            String::new()
        }
    }
}

/// ±[`CONTEXT_LINES`] lines around `line` of `path` as an HTML table, the
/// line itself marked.
fn source_snippet(path: &Path, line: u32, len: u64) -> Option<String> {
    if len > MAX_SOURCE_BYTES {
        return None;
    }
    let text = std::fs::read_to_string(path).ok()?;
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

    fn shared() -> Arc<Shared> {
        crate::DebuggerLayer::new()
            .enabled(true)
            .pin("123456789")
            .app_root(env!("CARGO_MANIFEST_DIR"))
            .shared()
    }

    #[test]
    fn snippet_marks_the_line_and_escapes() {
        let roots = vec![PathBuf::from(env!("CARGO_MANIFEST_DIR"))];
        // This file, relative to the crate root.
        let path = resolve_source("src/page.rs", &roots).unwrap();
        let snippet = source_snippet(&path, 1, 0).unwrap();
        assert!(snippet.contains("<tr class=\"hit\"><td class=\"ln mono\">1</td>"));
        assert!(snippet.contains(">6</td>"));
        assert!(!snippet.contains(">7</td>"));
        assert!(source_snippet(&path, 1, MAX_SOURCE_BYTES + 1).is_none());
        // Workspace-relative paths resolve through the root's parents.
        assert!(resolve_source("crates/debugger/src/page.rs", &roots).is_some());
        assert!(resolve_source("src/missing.rs", &roots).is_none());
        assert!(resolve_source("Cargo.toml", &roots).is_none());
        assert!(resolve_source("/etc/passwd", &roots).is_none());
    }

    #[test]
    fn files_changed_after_start_are_flagged() {
        let shared = shared();
        let source = Source::read("src/page.rs", 3, &shared).unwrap();
        assert!(!source.stale, "not changed since this test started");
        assert!(source.stale_note().is_empty());
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("fresh.rs");
        std::thread::sleep(std::time::Duration::from_millis(20));
        std::fs::write(&file, "fn main() {}\n").unwrap();
        let fresh = Source::read(file.to_str().unwrap(), 1, &shared).unwrap();
        assert!(fresh.stale);
        assert!(
            fresh
                .stale_note()
                .contains("changed after the process started")
        );
    }

    #[test]
    fn editor_links_follow_the_template_and_path_map() {
        let shared = crate::DebuggerLayer::new()
            .enabled(true)
            .pin("123456789")
            .editor(Some("idea://open?file={file}&line={line}"))
            .map_path("/app/", "/home/ann/src/shop/")
            .shared();
        let link = editor_link(&shared, Path::new("/app/src/my file.rs"), 12, 5);
        assert_eq!(
            link,
            "<a class=\"editor\" href=\"idea://open?file=/home/ann/src/shop/src/my%20file.rs&amp;line=12\">open in editor</a>"
        );
        let default = shared_with_default_editor();
        assert!(
            editor_link(&default, Path::new("/x/a.rs"), 3, 4)
                .contains("\"vscode://file/x/a.rs:3:4\"")
        );
        let none = crate::DebuggerLayer::new().editor(None).shared();
        assert!(editor_link(&none, Path::new("/x/a.rs"), 3, 4).is_empty());
    }

    fn shared_with_default_editor() -> Arc<Shared> {
        crate::DebuggerLayer::new().shared()
    }

    #[test]
    fn frames_fold_per_crate_and_trim_the_runtime() {
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
                Some("tokio::runtime::task::harness::poll"),
                Some(
                    "/home/u/.cargo/registry/src/index.crates.io-1/tokio-1.40.0/src/runtime/task/harness.rs",
                ),
                Some(5),
            ),
            Frame::new(
                Some("std::rt::lang_start"),
                Some("/rustc/abc/library/std/src/rt.rs"),
                Some(5),
            ),
        ];
        let mut b = String::new();
        frames_html(&mut b, &frames, &shared());
        assert_eq!(b.matches("<details class=\"dep\">").count(), 1, "{b}");
        assert!(b.contains("serde_json 1.0.1 — 2 frames"), "{b}");
        assert!(b.contains("… 2 runtime frames (tokio, std)"), "{b}");
        assert!(b.contains("myapp::handler"));
        assert!(!b.contains("lang_start"), "trimmed from the main view");
        let mut all = String::new();
        all_frames_html(&mut all, &frames);
        assert!(all.contains("Show all 5 frames"));
        assert!(all.contains("std::rt::lang_start"));
    }
}
