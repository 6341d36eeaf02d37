//! [`Debugger`]: the service, its routes and its response future.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, ready};

use bytes::Bytes;
use http::header::{self, HeaderValue};
use http::{Method, Request, Response, StatusCode};
use tackle_report::catch_panic::ResponseBody;
use tackle_report::{
    AttachedReport, CatchPanic, ErrorReport, ReportId, RequestHead, ResponseReportExt,
    response_snapshot, shared_request_head,
};
use tower_service::Service;

use crate::layer::Shared;
use crate::negotiate::{self, Format};
use crate::{gate, page};

/// Where the layer's own pages live.
const PREFIX: &str = "/_debug";

/// The service [`DebuggerLayer`](crate::DebuggerLayer) makes: the inner
/// service behind a [`CatchPanic`], its reported 5xx responses answered with
/// debugger pages.
#[derive(Clone)]
pub struct Debugger<S> {
    inner: CatchPanic<S>,
    shared: Arc<Shared>,
}

impl<S> Debugger<S> {
    pub(crate) fn new(inner: CatchPanic<S>, shared: Arc<Shared>) -> Self {
        Debugger { inner, shared }
    }
}

impl<S, ReqBody, ResBody> Service<Request<ReqBody>> for Debugger<S>
where
    S: Service<Request<ReqBody>, Response = Response<ResBody>>,
{
    type Response = Response<ResponseBody<ResBody>>;
    type Error = S::Error;
    type Future = ResponseFuture<<CatchPanic<S> as Service<Request<ReqBody>>>::Future, ResBody>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut request: Request<ReqBody>) -> Self::Future {
        if !self.shared.enabled || !gate::allows(&request, &self.shared.trusted_hosts) {
            return ResponseFuture::inner(self.inner.call(request), None);
        }
        let path = request.uri().path();
        if path == PREFIX || path.starts_with("/_debug/") {
            let response = route(&self.shared, request.method(), path);
            return ResponseFuture::ready(response);
        }
        let watch = Watch {
            head: shared_request_head(&mut request),
            accept: request.headers().get(header::ACCEPT).cloned(),
            shared: Arc::clone(&self.shared),
        };
        ResponseFuture::inner(self.inner.call(request), Some(watch))
    }
}

/// The layer's own pages: the index, one report, or a friendly 404.
fn route<B>(shared: &Shared, method: &Method, path: &str) -> Response<ResponseBody<B>> {
    if method != Method::GET {
        let mut response = page_response(StatusCode::METHOD_NOT_ALLOWED, |nonce| {
            page::message_page(
                "Method not allowed",
                "The debugger's pages answer GET only.",
                nonce,
            )
        });
        response
            .headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("GET"));
        return response;
    }
    let rest = path.strip_prefix(PREFIX).unwrap_or("");
    let rest = rest.strip_prefix('/').unwrap_or(rest);
    if rest.is_empty() {
        let reports = shared.ring.newest_first();
        return page_response(StatusCode::OK, |nonce| {
            page::index_page(&reports, &shared.scrubber, nonce)
        });
    }
    match ReportId::parse(rest).and_then(|id| shared.ring.get(&id)) {
        Some(report) => page_response(StatusCode::OK, |nonce| {
            page::report_page(&report, &shared.scrubber, &shared.roots, nonce)
        }),
        None => page_response(StatusCode::NOT_FOUND, |nonce| {
            page::message_page(
                "Report not found",
                "No report with this id is kept: it may have expired (only the most recent \
                 reports are kept, and none survive a restart), or the link is wrong.",
                nonce,
            )
        }),
    }
}

/// A fresh random nonce for one page's CSP.
fn nonce() -> String {
    let mut bytes = [0u8; 16];
    if getrandom::fill(&mut bytes).is_err() {
        // No OS randomness: a page without its styles beats a guessable
        // nonce (nothing matches an empty-looking, unique-per-time value).
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        bytes = nanos.to_le_bytes();
    }
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The headers every debugger response carries; the CSP with `nonce`.
fn security_headers(headers: &mut http::HeaderMap, nonce: &str) {
    let csp = format!(
        "default-src 'none'; style-src 'nonce-{nonce}'; script-src 'nonce-{nonce}'; \
         img-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
    );
    if let Ok(value) = HeaderValue::from_str(&csp) {
        headers.insert(header::CONTENT_SECURITY_POLICY, value);
    }
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
}

fn respond<B>(
    status: StatusCode,
    content_type: &'static str,
    body: String,
    nonce: &str,
) -> Response<ResponseBody<B>> {
    let mut response = Response::new(ResponseBody::own(Bytes::from(body)));
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    security_headers(response.headers_mut(), nonce);
    response
}

fn page_response<B>(
    status: StatusCode,
    render: impl FnOnce(&str) -> String,
) -> Response<ResponseBody<B>> {
    let nonce = nonce();
    let body = render(&nonce);
    respond(status, "text/html; charset=utf-8", body, &nonce)
}

/// The answer to an intercepted error, rendered for `format`.
fn intercepted<B>(
    report: &Arc<ErrorReport>,
    status: StatusCode,
    format: Format,
    shared: &Shared,
) -> Response<ResponseBody<B>> {
    let url = format!("{PREFIX}/{}", report.id);
    let mut response = match format {
        Format::Html => page_response(status, |nonce| {
            page::report_page(report, &shared.scrubber, &shared.roots, nonce)
        }),
        Format::Json => {
            let mut value = tackle_report::render::json(report, &shared.scrubber);
            if let Some(object) = value.as_object_mut() {
                object.insert(
                    "debug_url".to_owned(),
                    serde_json::Value::String(url.clone()),
                );
            }
            let body = serde_json::to_string_pretty(&value).unwrap_or_default();
            respond(status, "application/problem+json", body, &nonce())
        }
        Format::Text => {
            let mut body = tackle_report::render::text(report, &shared.scrubber);
            if !body.ends_with('\n') {
                body.push('\n');
            }
            body.push_str(&format!("\nDebug page: {url}\n"));
            respond(status, "text/plain; charset=utf-8", body, &nonce())
        }
    };
    if let Ok(value) = HeaderValue::from_str(&url) {
        response.headers_mut().insert("x-debug-url", value);
    }
    // Layers outside (error mail) still see the report.
    response
        .extensions_mut()
        .insert(AttachedReport(Arc::clone(report)));
    response
}

/// What the future needs to intercept a reported 5xx.
struct Watch {
    head: Arc<RequestHead>,
    accept: Option<HeaderValue>,
    shared: Arc<Shared>,
}

pin_project_lite::pin_project! {
    /// The response future of [`Debugger`].
    pub struct ResponseFuture<F, B> {
        #[pin]
        future: Option<F>,
        ready: Option<Response<ResponseBody<B>>>,
        watch: Option<Watch>,
    }
}

impl<F, B> ResponseFuture<F, B> {
    fn inner(future: F, watch: Option<Watch>) -> Self {
        ResponseFuture {
            future: Some(future),
            ready: None,
            watch,
        }
    }

    fn ready(response: Response<ResponseBody<B>>) -> Self {
        ResponseFuture {
            future: None,
            ready: Some(response),
            watch: None,
        }
    }
}

impl<F, B, E> Future for ResponseFuture<F, B>
where
    F: Future<Output = Result<Response<ResponseBody<B>>, E>>,
{
    type Output = Result<Response<ResponseBody<B>>, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let Some(future) = this.future.as_pin_mut() else {
            let response = this
                .ready
                .take()
                .expect("ResponseFuture polled after completion");
            return Poll::Ready(Ok(response));
        };
        let result = ready!(future.poll(cx));
        let Some(watch) = this.watch.take() else {
            return Poll::Ready(result);
        };
        let response = match result {
            Ok(response) if response.status().is_server_error() && response.report().is_some() => {
                response
            }
            other => return Poll::Ready(other),
        };
        let status = response.status();
        let mut report = response.report().cloned().unwrap_or_else(|| {
            ErrorReport::new(tackle_report::ReportKind::ServerError, status.to_string())
        });
        if report.request.is_none() {
            report.request = Some(watch.head.snapshot());
        }
        if report.response.is_none() {
            report.response = Some(response_snapshot(&response));
        }
        let report = Arc::new(report);
        watch.shared.ring.push(Arc::clone(&report));
        let url = format!("{PREFIX}/{}", report.id);
        let message = watch.shared.scrubber.scrub_text(&report.message);
        tracing::error!(
            debug_url = %url,
            "{} {}: {} (debugger: {url})",
            report.kind.label(),
            status.as_u16(),
            message.lines().next().unwrap_or_default(),
        );
        let accept = watch.accept.as_ref().and_then(|v| v.to_str().ok());
        let format = negotiate::choose(accept);
        drop(response);
        Poll::Ready(Ok(intercepted(&report, status, format, &watch.shared)))
    }
}
