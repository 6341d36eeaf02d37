//! The JSON rendering: RFC 9457 problem details, with the whole report in a
//! `report` member, for log pipelines, APIs and the debugger.

use serde_json::{Map, Value, json as j};

use super::{body_text, first_line, rfc3339, rfc3339_millis, truncate_chars};
use crate::frames::{Frame, FrameKind};
use crate::report::{ErrorReport, ReportKind};
use crate::scrub::Scrubber;

const MAX_TITLE_CHARS: usize = 200;

/// `report` as an RFC 9457 problem details object (serve it as
/// `application/problem+json`), scrubbed by `scrubber`:
///
/// - `type`: a tag URI per kind, `tag:tackle,2025:report/panic`,
///   `…/service-error` or `…/server-error`;
/// - `title`: the kind's label and the message's first line
///   (`PANIC: user 17 not found`, at most 200 characters);
/// - `status`: the response's status, or 500;
/// - `detail`: the message and its causes (`message: cause: cause`);
/// - `instance`: `urn:tackle:report:<id>`;
/// - `report`: every section: `id`, `kind`, `message`, `location`, `time`,
///   `host`, `pid`, `app`, `fingerprint`, `causes`, `frames` (all of them,
///   each with its `kind`), `spans` (innermost first), `events`, `request`,
///   `response`, `extra`. Headers are `[name, value]` pairs (names repeat);
///   fields are objects.
pub fn json(report: &ErrorReport, scrubber: &Scrubber) -> Value {
    let fingerprint = report.fingerprint();
    let report = scrubber.scrub(report);

    let title = format!("{}: {}", report.kind.label(), first_line(&report.message));
    let mut detail = report.message.clone();
    for cause in &report.causes {
        detail.push_str(": ");
        detail.push_str(cause);
    }
    let status = report
        .response
        .as_ref()
        .map(|response| response.status)
        .filter(|status| (400..=599).contains(status))
        .unwrap_or(500);

    let frames: Vec<Value> = report
        .frames
        .as_ref()
        .map(|frames| frames.resolve().iter().map(frame).collect())
        .unwrap_or_default();

    let body = j!({
        "id": report.id.to_string(),
        "kind": report.kind.label(),
        "message": report.message,
        "location": report.location.as_ref().map(|location| j!({
            "file": location.file,
            "line": location.line,
            "column": location.column,
        })),
        "time": rfc3339(report.time),
        "host": report.host,
        "pid": report.pid,
        "app": report.app.as_ref().map(|app| j!({"name": app.name, "version": app.version})),
        "fingerprint": fingerprint,
        "causes": report.causes,
        "frames": frames,
        "spans": report.spans.iter().map(|span| j!({
            "name": span.name,
            "target": span.target,
            "fields": fields(&span.fields),
        })).collect::<Vec<_>>(),
        "events": report.events.iter().map(|event| j!({
            "time": rfc3339_millis(event.time),
            "level": event.level,
            "target": event.target,
            "message": event.message,
            "fields": fields(&event.fields),
        })).collect::<Vec<_>>(),
        "request": report.request.as_ref().map(|request| j!({
            "method": request.method,
            "uri": request.uri,
            "version": request.version,
            "headers": pairs(&request.headers),
            "route": request.route,
            "peer": request.peer.map(|peer| peer.to_string()),
            "body_preview": request.body_preview.as_ref().map(|body| body_text(body).into_owned()),
        })),
        "response": report.response.as_ref().map(|response| j!({
            "status": response.status,
            "headers": pairs(&response.headers),
        })),
        "extra": fields(&report.extra),
    });

    j!({
        "type": type_uri(report.kind),
        "title": truncate_chars(&title, MAX_TITLE_CHARS),
        "status": status,
        "detail": detail,
        "instance": format!("urn:tackle:report:{}", report.id),
        "report": body,
    })
}

fn type_uri(kind: ReportKind) -> &'static str {
    match kind {
        ReportKind::Panic => "tag:tackle,2025:report/panic",
        ReportKind::ServiceError => "tag:tackle,2025:report/service-error",
        ReportKind::ServerError => "tag:tackle,2025:report/server-error",
    }
}

fn frame(frame: &Frame) -> Value {
    j!({
        "function": frame.function,
        "file": frame.file,
        "line": frame.line,
        "column": frame.column,
        "kind": match frame.kind {
            FrameKind::InApp => "in_app",
            FrameKind::Dependency => "dependency",
            FrameKind::Std => "std",
            FrameKind::Runtime => "runtime",
        },
        "crate": frame.crate_name,
    })
}

/// Fields as an object; a repeated name keeps its last value.
fn fields(fields: &[(String, String)]) -> Value {
    let map: Map<String, Value> = fields
        .iter()
        .map(|(name, value)| (name.clone(), Value::String(value.clone())))
        .collect();
    Value::Object(map)
}

fn pairs(pairs: &[(String, String)]) -> Value {
    pairs
        .iter()
        .map(|(name, value)| j!([name, value]))
        .collect()
}
