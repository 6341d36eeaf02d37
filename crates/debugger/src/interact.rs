//! The interactive parts of the pages: the PIN form, the replay, resend and
//! reveal forms, and the page showing a replay's response. Plain HTML forms:
//! they work without JavaScript.

use std::fmt::Write as _;

use http::{HeaderMap, StatusCode};

use crate::body::Completeness;
use crate::escape::html;
use crate::layer::Shared;
use crate::page::{document, kv_table};
use crate::ring::Entry;
use crate::routes::shown_body;
use crate::secret::MAX_PIN_FAILURES;

/// What the interaction section of a report page needs.
pub(crate) struct Controls<'a> {
    pub(crate) token: &'a str,
    pub(crate) csrf: &'a str,
    /// The request carries a valid PIN cookie.
    pub(crate) unlocked: bool,
    /// PIN entry is locked until restart.
    pub(crate) locked: bool,
}

/// What the PIN form says above itself.
#[derive(Clone, Copy, Debug)]
pub(crate) enum PinNote {
    /// This needs the PIN.
    Needed,
    /// A wrong PIN; `left` attempts before the lockout.
    Wrong { left: u32 },
    /// Locked until restart.
    Locked,
}

/// The hidden fields every action form carries.
fn hidden(token: &str, csrf: &str) -> String {
    format!(
        "<input type=\"hidden\" name=\"token\" value=\"{}\"><input type=\"hidden\" name=\"csrf\" value=\"{}\">",
        html(token),
        html(csrf)
    )
}

/// The PIN form, posting to `/_debug/pin` and coming back to `next`.
fn pin_form(b: &mut String, next: &str, token: &str, csrf: &str) {
    let _ = write!(
        b,
        "<form id=\"pin-form\" class=\"actions\" method=\"post\" action=\"/_debug/pin\">{}\
         <input type=\"hidden\" name=\"next\" value=\"{}\">\
         <label for=\"pin\">PIN</label> <input id=\"pin\" name=\"pin\" inputmode=\"numeric\" \
         autocomplete=\"off\" placeholder=\"123-456-789\" size=\"12\" required> \
         <button id=\"pin-submit\" type=\"submit\">Unlock</button>\
         <p class=\"muted\">The PIN was printed once where this process started (or set by \
         <code>TACKLE_DEBUGGER_PIN</code>).</p></form>",
        hidden(token, csrf),
        html(next),
    );
}

fn locked_note(b: &mut String) {
    let _ = write!(
        b,
        "<p id=\"pin-locked\" class=\"warn\">{MAX_PIN_FAILURES} wrong PINs: PIN entry is locked \
         until the process restarts.</p>"
    );
}

/// A page asking for the PIN before going to `next`.
pub(crate) fn pin_page(note: PinNote, next: &str, token: &str, csrf: &str, nonce: &str) -> String {
    let mut b = String::from("<header><h1>Debugger PIN</h1></header><main>");
    match note {
        PinNote::Needed => b.push_str(
            "<p>This needs the debugger's PIN: replaying requests and revealing masked values \
             (and, for peers other than this machine, any page at all).</p>",
        ),
        PinNote::Wrong { left } => {
            let _ = write!(
                b,
                "<p id=\"pin-error\" class=\"warn\">Wrong PIN. {left} attempt{} left before PIN \
                 entry locks until restart.</p>",
                if left == 1 { "" } else { "s" }
            );
        }
        PinNote::Locked => locked_note(&mut b),
    }
    if !matches!(note, PinNote::Locked) {
        pin_form(&mut b, next, token, csrf);
    }
    b.push_str("<p><a href=\"/_debug/\">Recent errors</a></p></main>");
    document("Debugger PIN", &b, nonce)
}

/// The "Interact" section of a report page: the PIN form, or the replay,
/// resend and reveal forms once unlocked.
pub(crate) fn controls_html(b: &mut String, entry: &Entry, controls: &Controls, shared: &Shared) {
    let id = entry.report.id.to_string();
    b.push_str("<h2 id=\"interact\">Interact</h2>");
    if !controls.unlocked {
        if controls.locked {
            locked_note(b);
        } else {
            b.push_str(
                "<p class=\"muted\">Replay this request, edit and resend it, or reveal masked \
                 values: enter the PIN first.</p>",
            );
            pin_form(b, &format!("/_debug/{id}"), controls.token, controls.csrf);
        }
        return;
    }
    let hidden = hidden(controls.token, controls.csrf);
    let Some(captured) = &entry.request else {
        b.push_str("<p class=\"muted\">No request was captured with this report.</p>");
        let _ = write!(
            b,
            "<form id=\"reveal-form\" class=\"actions\" method=\"post\" action=\"/_debug/{id}/reveal\">{hidden}\
             <button id=\"reveal\" type=\"submit\">Reveal masked values</button></form>"
        );
        return;
    };
    match captured.completeness {
        Completeness::Whole => {}
        Completeness::Truncated => b.push_str(
            "<p class=\"warn\">The body was longer than 64 KiB: a replay sends its first 64 KiB \
             only.</p>",
        ),
        Completeness::Unread => b.push_str(
            "<p class=\"warn\">The handler failed before reading the whole body: a replay sends \
             only what it had read.</p>",
        ),
    }
    let _ = write!(
        b,
        "<form id=\"replay-form\" class=\"actions\" method=\"post\" action=\"/_debug/{id}/replay\">{hidden}\
         <button id=\"replay\" type=\"submit\">Replay the request</button> \
         <label><input id=\"trace-all\" type=\"checkbox\" name=\"trace\" value=\"all\"> record \
         every tracing level for the replay</label></form>\
         <form id=\"reveal-form\" class=\"actions\" method=\"post\" action=\"/_debug/{id}/reveal\">{hidden}\
         <button id=\"reveal\" type=\"submit\">Reveal masked values</button></form>"
    );
    // The form shows what the page shows: masked values stay masked and
    // are restored from the captured request when sent unchanged.
    let target = shared
        .scrubber
        .scrub_uri(captured.uri.path_and_query().map_or("/", |pq| pq.as_str()));
    let mut headers = String::new();
    for (name, value) in &captured.headers {
        let value = if shared.scrubber.is_secret_header(name.as_str()) {
            tackle_report::REDACTED.to_owned()
        } else {
            shared
                .scrubber
                .scrub_text(&String::from_utf8_lossy(value.as_bytes()))
        };
        let _ = writeln!(headers, "{name}: {value}");
    }
    let body = shown_body(shared, captured);
    let _ = write!(
        b,
        "<details id=\"resend\" open><summary>Edit and resend</summary>\
         <form id=\"resend-form\" class=\"resend\" method=\"post\" action=\"/_debug/{id}/resend\">{hidden}\
         <label>Method <input name=\"method\" value=\"{}\" size=\"8\"></label> \
         <label>Path and query <input name=\"target\" value=\"{}\" size=\"60\"></label>\
         <label>Headers (one <code>Name: value</code> per line; <code>{}</code> sends the \
         original value)<textarea name=\"headers\" rows=\"{}\" spellcheck=\"false\">{}</textarea></label>\
         <label>Body (sent as the original when left as shown)<textarea name=\"body\" rows=\"6\" \
         spellcheck=\"false\">{}</textarea></label>\
         <label><input type=\"checkbox\" name=\"trace\" value=\"all\"> record every tracing \
         level</label> <button id=\"resend\" type=\"submit\">Send</button></form></details>",
        html(captured.method.as_str()),
        html(&target),
        tackle_report::REDACTED,
        captured.headers.len().clamp(3, 14),
        html(&headers),
        html(&body),
    );
}

/// What a replay's response was.
pub(crate) struct Outcome<'a> {
    pub(crate) from: &'a tackle_report::ReportId,
    pub(crate) status: StatusCode,
    pub(crate) headers: &'a HeaderMap,
    pub(crate) body: &'a [u8],
    /// The body is all there (within 64 KiB, no error).
    pub(crate) complete: bool,
    pub(crate) trace: bool,
}

/// The page showing a replay's response (one that is not a new report).
pub(crate) fn result_page(outcome: &Outcome, nonce: &str) -> String {
    let from = outcome.from.to_string();
    let mut b = String::new();
    let _ = write!(
        b,
        "<header><h1>Replay: <span id=\"replay-status\">{}</span> {}</h1>\
         <div class=\"muted\">The request of report <a href=\"/_debug/{}\">{}</a>, sent again \
         through the application{}.</div></header><main><section id=\"replay-result\">",
        outcome.status.as_u16(),
        html(outcome.status.canonical_reason().unwrap_or("")),
        html(&from),
        html(&from),
        if outcome.trace {
            ", every tracing level recorded"
        } else {
            ""
        },
    );
    b.push_str("<h2>Response headers</h2>");
    let headers: Vec<(String, String)> = outcome
        .headers
        .iter()
        .map(|(k, v)| {
            (
                k.as_str().to_owned(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect();
    kv_table(
        &mut b,
        headers.iter().map(|(k, v)| (k.as_str(), v.as_str())),
    );
    let _ = write!(
        b,
        "<h2>Body</h2>{}<pre id=\"replay-body\">{}</pre>",
        if outcome.complete {
            String::new()
        } else {
            "<p class=\"muted\">The first 64 KiB (or up to a body error).</p>".to_owned()
        },
        html(&String::from_utf8_lossy(outcome.body)),
    );
    let _ = write!(
        b,
        "</section><p><a href=\"/_debug/{}\">Back to the report</a> · <a href=\"/_debug/\">Recent errors</a></p></main>",
        html(&from)
    );
    document(&format!("Replay: {}", outcome.status.as_u16()), &b, nonce)
}
