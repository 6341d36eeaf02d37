//! The debugger's own routes under `/_debug`: the index and report pages
//! (GET), and the actions (POST, each with the token, the double-submit
//! cookie, a same-origin check and the PIN): entering the PIN, replaying a
//! request, editing and resending it, revealing masked values.

use std::future::poll_fn;
use std::sync::Arc;

use bytes::{Buf, Bytes, BytesMut};
use http::header::{self, HeaderMap, HeaderName, HeaderValue};
use http::{Method, Request, Response, StatusCode, Uri};
use http_body::Body;
use http_body_util::BodyExt;
use tackle_http::{MultiMap, decode_form};
use tackle_report::catch_panic::ResponseBody;
use tackle_report::{REDACTED, ReportId, ResponseReportExt, response_snapshot};
use tackle_request::ConnectionInfo;
use tower_service::Service;
use tracing::Instrument;

use crate::body::{CAPTURE_LIMIT, Completeness, RequestBody};
use crate::gate::Access;
use crate::interact::{self, PinNote};
use crate::layer::Shared;
use crate::page::{self, View};
use crate::respond::{self, CSRF_COOKIE, PIN_COOKIE, cookie, see_other};
use crate::ring::{Captured, Entry};
use crate::secret::{Attempt, same};

/// Where the layer's own pages live.
pub(crate) const PREFIX: &str = "/_debug";
/// The largest action form read (an edited body of up to 64 KiB, encoded).
const MAX_FORM_BYTES: usize = 4 * CAPTURE_LIMIT;

/// Whether `path` is one of the layer's own.
pub(crate) fn is_ours(path: &str) -> bool {
    path == PREFIX || path.starts_with("/_debug/")
}

enum Route {
    Index,
    Report(ReportId),
    Pin,
    Action(ReportId, Action),
    Unknown,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Action {
    Replay,
    Resend,
    Reveal,
}

fn route(path: &str) -> Route {
    let rest = path.strip_prefix(PREFIX).unwrap_or("");
    let rest = rest.strip_prefix('/').unwrap_or(rest);
    if rest.is_empty() {
        return Route::Index;
    }
    if rest == "pin" {
        return Route::Pin;
    }
    let (id, action) = match rest.split_once('/') {
        Some((id, "replay")) => (id, Some(Action::Replay)),
        Some((id, "resend")) => (id, Some(Action::Resend)),
        Some((id, "reveal")) => (id, Some(Action::Reveal)),
        Some(_) => return Route::Unknown,
        None => (rest, None),
    };
    match (ReportId::parse(id), action) {
        (Some(id), None) => Route::Report(id),
        (Some(id), Some(action)) => Route::Action(id, action),
        (None, _) => Route::Unknown,
    }
}

/// Answers a request for one of the layer's own paths.
pub(crate) async fn handle<I, ReqBody, ResBody, E>(
    shared: Arc<Shared>,
    inner: I,
    request: Request<ReqBody>,
    access: Access,
) -> Result<Response<ResponseBody<ResBody>>, E>
where
    I: Service<
            Request<RequestBody<ReqBody>>,
            Response = Response<ResponseBody<ResBody>>,
            Error = E,
        >,
    ReqBody: Body,
    ResBody: Body<Data = Bytes>,
{
    let unlocked = shared
        .pin
        .is_unlocked(cookie(request.headers(), PIN_COOKIE).as_deref());
    let route = route(request.uri().path());
    let method = request.method().clone();
    match route {
        Route::Index | Route::Report(_) | Route::Unknown if method != Method::GET => {
            return Ok(not_allowed(&shared, "GET"));
        }
        Route::Pin | Route::Action(..) if method != Method::POST => {
            return Ok(not_allowed(&shared, "POST"));
        }
        _ => {}
    }
    // Peers from the allow list see nothing before the PIN.
    if access == Access::PinFirst && !unlocked && !matches!(route, Route::Pin) {
        let next = match &route {
            Route::Report(id) | Route::Action(id, _) => format!("{PREFIX}/{id}"),
            _ => format!("{PREFIX}/"),
        };
        return Ok(pin_page(
            &shared,
            StatusCode::UNAUTHORIZED,
            PinNote::Needed,
            &next,
        ));
    }
    match route {
        Route::Index => {
            let reports = shared.ring.newest_first();
            Ok(respond::page(StatusCode::OK, &shared.csrf, |nonce| {
                page::index_page(&reports, &shared.scrubber, nonce)
            }))
        }
        Route::Unknown => Ok(not_found(&shared)),
        Route::Report(id) => Ok(match shared.ring.get(&id) {
            Some(entry) => report_page(&shared, &entry, StatusCode::OK, unlocked, false),
            None => not_found(&shared),
        }),
        Route::Pin => {
            let (parts, body) = request.into_parts();
            let form = match checked_form(&shared, &parts.headers, body).await {
                Ok(form) => form,
                Err(refused) => return Ok(refused),
            };
            Ok(enter_pin(&shared, &form).await)
        }
        Route::Action(id, action) => {
            let (parts, body) = request.into_parts();
            let form = match checked_form(&shared, &parts.headers, body).await {
                Ok(form) => form,
                Err(refused) => return Ok(refused),
            };
            let Some(entry) = shared.ring.get(&id) else {
                return Ok(not_found(&shared));
            };
            if !unlocked {
                let next = format!("{PREFIX}/{id}");
                return Ok(pin_page(
                    &shared,
                    StatusCode::UNAUTHORIZED,
                    PinNote::Needed,
                    &next,
                ));
            }
            match action {
                Action::Reveal => Ok(report_page(&shared, &entry, StatusCode::OK, true, true)),
                Action::Replay => match &entry.request {
                    Some(captured) => {
                        let captured = captured.clone();
                        replay(&shared, inner, captured, &entry, form.has("trace")).await
                    }
                    None => Ok(message(
                        &shared,
                        StatusCode::CONFLICT,
                        "Nothing to replay",
                        "This report has no captured request.",
                    )),
                },
                Action::Resend => {
                    let Some(original) = &entry.request else {
                        return Ok(message(
                            &shared,
                            StatusCode::CONFLICT,
                            "Nothing to resend",
                            "This report has no captured request.",
                        ));
                    };
                    match edited(&shared, original, &form) {
                        Ok(captured) => {
                            replay(&shared, inner, captured, &entry, form.has("trace")).await
                        }
                        Err(problem) => Ok(message(
                            &shared,
                            StatusCode::BAD_REQUEST,
                            "Cannot resend",
                            &problem,
                        )),
                    }
                }
            }
        }
    }
}

/// The form of an action, after the checks every action passes: same
/// origin, a readable form within [`MAX_FORM_BYTES`], the process token,
/// and the double-submit cookie matching the form.
async fn checked_form<B: Body, R>(
    shared: &Shared,
    headers: &HeaderMap,
    body: B,
) -> Result<Form, Response<ResponseBody<R>>> {
    if !same_origin(headers) {
        return Err(forbidden(
            shared,
            "Cross-origin request refused",
            "The debugger's actions only accept forms posted from its own pages.",
        ));
    }
    let Some(bytes) = read_limited(body, MAX_FORM_BYTES).await else {
        return Err(message(
            shared,
            StatusCode::PAYLOAD_TOO_LARGE,
            "Form too large",
            &format!(
                "The debugger reads forms of up to {MAX_FORM_BYTES} bytes (MAX_FORM_BYTES), or \
                 the body could not be read."
            ),
        ));
    };
    let form = Form::parse(&bytes);
    if !form.get("token").is_some_and(|t| same(t, &shared.token)) {
        return Err(forbidden(
            shared,
            "Missing or wrong token",
            "Every debugger action carries the token of the page it was posted from; reload the \
             page (the token changes when the process restarts).",
        ));
    }
    let double_submit = match (cookie(headers, CSRF_COOKIE), form.get("csrf")) {
        (Some(cookie), Some(field)) => same(&cookie, field) && same(field, &shared.csrf),
        _ => false,
    };
    if !double_submit {
        return Err(forbidden(
            shared,
            "Missing or wrong cookie",
            "The debugger's cookie did not come with this form; reload the page.",
        ));
    }
    Ok(form)
}

/// A browser's `Origin` (or, without it, `Sec-Fetch-Site`) names this very
/// origin. Clients that send neither (curl) pass: they cannot be a page
/// forging a request, and still need the token and cookie.
fn same_origin(headers: &HeaderMap) -> bool {
    // Pages sent with `Referrer-Policy: no-referrer` post their forms with
    // `Origin: null`: then only the browser's own word counts.
    if headers.get(header::ORIGIN).is_some_and(|o| o == "null") {
        return headers
            .get("sec-fetch-site")
            .is_some_and(|site| site == "same-origin");
    }
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
    if let Some(origin) = headers.get(header::ORIGIN) {
        let (Ok(origin), Some(host)) = (origin.to_str(), host) else {
            return false;
        };
        return origin
            .strip_prefix("http://")
            .or_else(|| origin.strip_prefix("https://"))
            .is_some_and(|rest| rest.eq_ignore_ascii_case(host));
    }
    match headers.get("sec-fetch-site") {
        Some(site) => site == "same-origin",
        None => true,
    }
}

async fn enter_pin<R>(shared: &Shared, form: &Form) -> Response<ResponseBody<R>> {
    let next = form
        .get("next")
        .filter(|n| is_ours(n) && !n.contains("//") && !n.contains('\\'))
        .unwrap_or("/_debug/")
        .to_owned();
    match shared.pin.attempt(form.get("pin").unwrap_or_default()) {
        Attempt::Unlocked(value) => {
            let mut response = see_other(&next);
            let ttl = shared.pin.ttl().as_secs();
            respond::set_cookie(response.headers_mut(), PIN_COOKIE, &value, Some(ttl));
            response
        }
        Attempt::Wrong { left, delay } => {
            // Slower with every failure: guessing is pointless long before
            // the lockout.
            tokio::time::sleep(delay).await;
            pin_page(
                shared,
                StatusCode::FORBIDDEN,
                PinNote::Wrong { left },
                &next,
            )
        }
        Attempt::Locked => pin_page(shared, StatusCode::FORBIDDEN, PinNote::Locked, &next),
    }
}

/// Sends `captured` through the inner service and shows what came back: a
/// new report (a redirect to its page) or the response.
async fn replay<I, ReqBody, ResBody, E>(
    shared: &Arc<Shared>,
    mut inner: I,
    captured: Captured,
    from: &Entry,
    trace: bool,
) -> Result<Response<ResponseBody<ResBody>>, E>
where
    I: Service<
            Request<RequestBody<ReqBody>>,
            Response = Response<ResponseBody<ResBody>>,
            Error = E,
        >,
    ResBody: Body<Data = Bytes>,
{
    let from_id = from.report.id;
    let request = rebuild(&captured);
    let span = if trace {
        tracing::info_span!("tackle_debugger.replay", replay_of = %from_id, tackle.verbose = true)
    } else {
        tracing::info_span!("tackle_debugger.replay", replay_of = %from_id)
    };
    poll_fn(|cx| inner.poll_ready(cx)).await?;
    let future = span.in_scope(|| inner.call(request));
    let response = future.instrument(span).await?;
    if response.status().is_server_error() {
        if let Some(report) = response.report() {
            let mut report = report.clone();
            if report.request.is_none() {
                let mut snapshot = captured_snapshot(&captured);
                snapshot.body_preview = Some(captured.body.clone());
                report.request = Some(snapshot);
            }
            if report.response.is_none() {
                report.response = Some(response_snapshot(&response));
            }
            let id = report.id;
            shared.ring.push(Arc::new(Entry {
                report: Arc::new(report),
                request: Some(captured),
                replay_of: Some(from_id),
            }));
            return Ok(see_other(&format!("{PREFIX}/{id}")));
        }
    }
    let (parts, body) = response.into_parts();
    let (bytes, complete) = read_prefix(body, CAPTURE_LIMIT).await;
    let result = interact::Outcome {
        from: &from.report.id,
        status: parts.status,
        headers: &parts.headers,
        body: &bytes,
        complete,
        trace,
    };
    Ok(respond::page(StatusCode::OK, &shared.csrf, |nonce| {
        interact::result_page(&result, nonce)
    }))
}

/// The request to send for a replay.
fn rebuild<B>(captured: &Captured) -> Request<RequestBody<B>> {
    let mut request = Request::new(RequestBody::bytes(captured.body.clone()));
    *request.method_mut() = captured.method.clone();
    *request.uri_mut() = captured.uri.clone();
    *request.version_mut() = captured.version;
    *request.headers_mut() = captured.headers.clone();
    if let Some(peer) = captured.peer {
        request.extensions_mut().insert(ConnectionInfo::new(peer));
    }
    request
}

fn captured_snapshot(captured: &Captured) -> tackle_report::RequestSnapshot {
    let mut request = Request::new(());
    *request.method_mut() = captured.method.clone();
    *request.uri_mut() = captured.uri.clone();
    *request.version_mut() = captured.version;
    *request.headers_mut() = captured.headers.clone();
    if let Some(peer) = captured.peer {
        request.extensions_mut().insert(ConnectionInfo::new(peer));
    }
    tackle_report::request_snapshot(&request)
}

/// The request the resend form describes. Values the page showed masked
/// (`[REDACTED]`) are the original's again, and a body left as shown is the
/// original body: the form never carries a secret the page did not show.
fn edited(shared: &Shared, original: &Captured, form: &Form) -> Result<Captured, String> {
    let method = form.get("method").unwrap_or("GET").trim();
    let method = Method::from_bytes(method.as_bytes())
        .map_err(|_| format!("{method:?} is not an HTTP method."))?;
    let target = form.get("target").unwrap_or("/").trim();
    if !target.starts_with('/') || target.starts_with("//") {
        return Err("The target is a path with an optional query, starting with one `/`.".into());
    }
    let target = restore_query(target, &original.uri);
    let uri: Uri = target
        .parse()
        .map_err(|_| format!("{target:?} is not a valid path and query."))?;

    let mut headers = HeaderMap::new();
    for line in form.get("headers").unwrap_or_default().lines() {
        let line = line.trim_end_matches('\r');
        if line.trim().is_empty() {
            continue;
        }
        let (name, value) = line
            .split_once(':')
            .ok_or_else(|| format!("Header line {line:?} has no `:`."))?;
        let name = HeaderName::from_bytes(name.trim().as_bytes())
            .map_err(|_| format!("{:?} is not a header name.", name.trim()))?;
        let value = value.trim();
        if value == REDACTED {
            for original in original.headers.get_all(&name) {
                headers.append(name.clone(), original.clone());
            }
            continue;
        }
        let value = HeaderValue::from_str(value)
            .map_err(|_| format!("The value of {name} is not a valid header value."))?;
        headers.append(name, value);
    }

    let shown = shown_body(shared, original);
    let typed = form.get("body").unwrap_or_default().replace("\r\n", "\n");
    let body = if typed == shown.replace("\r\n", "\n") {
        original.body.clone()
    } else {
        Bytes::from(typed)
    };
    // The body's length is what is sent now, not what was.
    headers.remove(header::TRANSFER_ENCODING);
    headers.remove(header::CONTENT_LENGTH);
    if !body.is_empty() || !matches!(method, Method::GET | Method::HEAD) {
        headers.insert(header::CONTENT_LENGTH, HeaderValue::from(body.len()));
    }
    Ok(Captured {
        method,
        uri,
        version: original.version,
        headers,
        body,
        completeness: Completeness::Whole,
        peer: original.peer,
    })
}

/// The body as the resend form shows it: scrubbed by its content type.
pub(crate) fn shown_body(shared: &Shared, captured: &Captured) -> String {
    let content_type = captured
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok());
    if captured.body.is_empty() {
        return String::new();
    }
    shared.scrubber.scrub_body(&captured.body, content_type)
}

/// `target` with each `name=[REDACTED]` pair of its query replaced by the
/// same-named pairs of `original`'s query.
fn restore_query(target: &str, original: &Uri) -> String {
    let Some((path, query)) = target.split_once('?') else {
        return target.to_owned();
    };
    let redacted_encoded = "%5BREDACTED%5D";
    let original_pairs: Vec<&str> = original.query().unwrap_or("").split('&').collect();
    let mut out: Vec<String> = Vec::new();
    for pair in query.split('&') {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        if value == REDACTED || value == redacted_encoded {
            let restored: Vec<&str> = original_pairs
                .iter()
                .filter(|p| p.split_once('=').map_or(**p, |(n, _)| n) == name)
                .copied()
                .collect();
            if !restored.is_empty() {
                out.extend(restored.into_iter().map(str::to_owned));
                continue;
            }
        }
        out.push(pair.to_owned());
    }
    format!("{path}?{}", out.join("&"))
}

/// Reads `body` whole if it is at most `limit` bytes.
async fn read_limited<B: Body>(body: B, limit: usize) -> Option<Bytes> {
    let (bytes, complete) = read_prefix(body, limit + 1).await;
    (complete && bytes.len() <= limit).then_some(bytes)
}

/// The first `limit` bytes of `body`, and whether that was all of it (a
/// body error counts as incomplete).
async fn read_prefix<B: Body>(body: B, limit: usize) -> (Bytes, bool) {
    let mut body = std::pin::pin!(body);
    let mut out = BytesMut::new();
    loop {
        match body.frame().await {
            None => return (out.freeze(), true),
            Some(Err(_)) => return (out.freeze(), false),
            Some(Ok(frame)) => {
                if let Ok(mut data) = frame.into_data() {
                    while data.has_remaining() {
                        let chunk = data.chunk();
                        let room = limit - out.len();
                        if chunk.len() > room {
                            out.extend_from_slice(&chunk[..room]);
                            return (out.freeze(), false);
                        }
                        out.extend_from_slice(chunk);
                        let n = chunk.len();
                        data.advance(n);
                    }
                }
            }
        }
    }
}

/// An urlencoded form.
struct Form(MultiMap);

impl Form {
    fn parse(bytes: &[u8]) -> Self {
        Form(decode_form(bytes))
    }

    fn get(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(String::as_str)
    }

    fn has(&self, name: &str) -> bool {
        self.0.contains_key(name)
    }
}

pub(crate) fn report_page<R>(
    shared: &Shared,
    entry: &Entry,
    status: StatusCode,
    unlocked: bool,
    reveal: bool,
) -> Response<ResponseBody<R>> {
    let view = View {
        shared,
        reveal,
        interact: Some(interact::Controls {
            token: &shared.token,
            csrf: &shared.csrf,
            unlocked,
            locked: shared.pin.is_locked(),
        }),
    };
    respond::page(status, &shared.csrf, |nonce| {
        page::report_page(entry, &view, nonce)
    })
}

fn pin_page<R>(
    shared: &Shared,
    status: StatusCode,
    note: PinNote,
    next: &str,
) -> Response<ResponseBody<R>> {
    let note = if shared.pin.is_locked() {
        PinNote::Locked
    } else {
        note
    };
    respond::page(status, &shared.csrf, |nonce| {
        interact::pin_page(note, next, &shared.token, &shared.csrf, nonce)
    })
}

fn message<R>(
    shared: &Shared,
    status: StatusCode,
    title: &str,
    text: &str,
) -> Response<ResponseBody<R>> {
    respond::page(status, &shared.csrf, |nonce| {
        page::message_page(title, text, nonce)
    })
}

fn forbidden<R>(shared: &Shared, title: &str, text: &str) -> Response<ResponseBody<R>> {
    message(shared, StatusCode::FORBIDDEN, title, text)
}

fn not_found<R>(shared: &Shared) -> Response<ResponseBody<R>> {
    message(
        shared,
        StatusCode::NOT_FOUND,
        "Report not found",
        "No report with this id is kept: it may have expired (only the most recent reports are \
         kept, and none survive a restart), or the link is wrong.",
    )
}

fn not_allowed<R>(shared: &Shared, allow: &'static str) -> Response<ResponseBody<R>> {
    let mut response = message(
        shared,
        StatusCode::METHOD_NOT_ALLOWED,
        "Method not allowed",
        &format!("This debugger address answers {allow} only."),
    );
    response
        .headers_mut()
        .insert(header::ALLOW, HeaderValue::from_static(allow));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_parse() {
        let id = ReportId::random();
        assert!(matches!(route("/_debug"), Route::Index));
        assert!(matches!(route("/_debug/"), Route::Index));
        assert!(matches!(route("/_debug/pin"), Route::Pin));
        assert!(matches!(route(&format!("/_debug/{id}")), Route::Report(r) if r == id));
        assert!(matches!(
            route(&format!("/_debug/{id}/replay")),
            Route::Action(r, Action::Replay) if r == id
        ));
        assert!(matches!(
            route(&format!("/_debug/{id}/resend")),
            Route::Action(_, Action::Resend)
        ));
        assert!(matches!(
            route(&format!("/_debug/{id}/reveal")),
            Route::Action(_, Action::Reveal)
        ));
        assert!(matches!(
            route(&format!("/_debug/{id}/other")),
            Route::Unknown
        ));
        assert!(matches!(route("/_debug/nope"), Route::Unknown));
    }

    #[test]
    fn origins() {
        let headers = |pairs: &[(&str, &str)]| {
            let mut map = HeaderMap::new();
            for (k, v) in pairs {
                map.insert(
                    HeaderName::from_bytes(k.as_bytes()).unwrap(),
                    HeaderValue::from_str(v).unwrap(),
                );
            }
            map
        };
        assert!(same_origin(&headers(&[
            ("host", "localhost:8000"),
            ("origin", "http://localhost:8000")
        ])));
        assert!(!same_origin(&headers(&[
            ("host", "localhost:8000"),
            ("origin", "http://evil.example")
        ])));
        assert!(!same_origin(&headers(&[
            ("host", "localhost:8000"),
            ("origin", "null")
        ])));
        assert!(same_origin(&headers(&[
            ("host", "localhost:8000"),
            ("origin", "null"),
            ("sec-fetch-site", "same-origin")
        ])));
        assert!(!same_origin(&headers(&[
            ("host", "localhost:8000"),
            ("origin", "null"),
            ("sec-fetch-site", "cross-site")
        ])));
        assert!(!same_origin(&headers(&[
            ("host", "localhost:8000"),
            ("origin", "http://localhost:8001")
        ])));
        assert!(!same_origin(&headers(&[
            ("host", "localhost:8000"),
            ("sec-fetch-site", "cross-site")
        ])));
        assert!(same_origin(&headers(&[
            ("host", "localhost:8000"),
            ("sec-fetch-site", "same-origin")
        ])));
        assert!(same_origin(&headers(&[("host", "localhost:8000")])));
    }

    #[test]
    fn masked_query_values_come_back() {
        let original: Uri = "/search?q=rust&api_key=s3cret&api_key=two".parse().unwrap();
        assert_eq!(
            restore_query("/search?q=tower&api_key=[REDACTED]", &original),
            "/search?q=tower&api_key=s3cret&api_key=two"
        );
        assert_eq!(
            restore_query("/search?api_key=%5BREDACTED%5D", &original),
            "/search?api_key=s3cret&api_key=two"
        );
        assert_eq!(restore_query("/x", &original), "/x");
    }

    #[test]
    fn bodies_are_read_within_limits() {
        use futures_util::FutureExt;
        use http_body_util::Full;
        let body = || Full::new(Bytes::from_static(b"0123456789"));
        let read = |limit| read_limited(body(), limit).now_or_never().unwrap();
        assert_eq!(read(10).as_deref(), Some(&b"0123456789"[..]));
        assert_eq!(read(9), None);
        let (prefix, complete) = read_prefix(body(), 4).now_or_never().unwrap();
        assert_eq!((&prefix[..], complete), (&b"0123"[..], false));
    }
}
