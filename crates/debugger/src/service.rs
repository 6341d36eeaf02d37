//! [`Debugger`]: the service, and its response future.

use std::fmt::Display;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, ready};

use bytes::Bytes;
use http::header::{self, HeaderValue};
use http::{Request, Response, StatusCode};
use tackle_report::catch_panic::ResponseBody;
use tackle_report::{
    AttachedReport, CatchPanic, ErrorReport, ReportKind, RequestHead, ResponseReportExt,
    SharedSnapshot, response_snapshot,
};
use tower_service::Service;

use crate::body::{Capture, RequestBody};
use crate::gate::{self, Access};
use crate::layer::Shared;
use crate::negotiate::{self, Format};
use crate::respond::{self, respond};
use crate::ring::{Captured, Entry};
use crate::routes::{self, PREFIX};

/// The service [`DebuggerLayer`](crate::DebuggerLayer) makes: the inner
/// service behind a [`CatchPanic`], its panics, errors and reported 5xx
/// responses answered with debugger pages, and `/_debug/` answered by the
/// debugger itself.
///
/// The inner service reads a [`RequestBody`]: the client's body, copied
/// (up to 64 KiB) while the debugger watches the request so that it can be
/// replayed.
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

type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send>>;

impl<S, ReqBody, ResBody> Service<Request<ReqBody>> for Debugger<S>
where
    S: Service<Request<RequestBody<ReqBody>>, Response = Response<ResBody>>
        + Clone
        + Send
        + 'static,
    S::Future: Send + 'static,
    S::Error: Display + Send + 'static,
    ReqBody: http_body::Body + Send + 'static,
    ReqBody::Data: Send,
    ResBody: http_body::Body<Data = Bytes> + Send + 'static,
{
    type Response = Response<ResponseBody<ResBody>>;
    type Error = S::Error;
    type Future = ResponseFuture<
        <CatchPanic<S> as Service<Request<RequestBody<ReqBody>>>>::Future,
        ResBody,
        S::Error,
    >;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<ReqBody>) -> Self::Future {
        let access = if self.shared.enabled {
            gate::peer_access(&request, &self.shared.allowed)
        } else {
            Access::Denied
        };
        let ours = routes::is_ours(request.uri().path());
        if access == Access::Denied
            || ours
                && !gate::host_is_trusted(
                    request.headers(),
                    request.uri(),
                    &self.shared.trusted_hosts,
                )
        {
            return self.pass(request);
        }
        if ours {
            // A clone for replays (made ready before each use); the
            // readiness of `self.inner` is not spent on these pages.
            let inner = self.inner.clone();
            let shared = Arc::clone(&self.shared);
            return ResponseFuture::boxed(Box::pin(routes::handle(shared, inner, request, access)));
        }
        // The head a layer outside took (an error mailer), or our own copy,
        // handed to `CatchPanic` directly. The `Host` is checked only if the
        // request fails.
        let head = match request.extensions().get::<SharedSnapshot>() {
            Some(SharedSnapshot(head)) => Arc::clone(head),
            None => Arc::new(RequestHead::of(&request)),
        };
        let (parts, body) = request.into_parts();
        let (body, capture) = RequestBody::captured(body);
        let request = Request::from_parts(parts, body);
        let future = self.inner.call_with_head(request, Some(Arc::clone(&head)));
        let watch = Watch {
            head,
            capture,
            access,
            shared: Arc::clone(&self.shared),
        };
        ResponseFuture::inner(future, Some(watch))
    }
}

impl<S> Debugger<S> {
    /// Hands `request` on, the layer out of the way: no copy of its head
    /// (a panic still becomes a generic 500, showing the head a layer
    /// outside took, if any).
    fn pass<ReqBody, ResBody>(
        &mut self,
        request: Request<ReqBody>,
    ) -> ResponseFuture<tackle_report::catch_panic::ResponseFuture<S::Future>, ResBody, S::Error>
    where
        S: Service<Request<RequestBody<ReqBody>>, Response = Response<ResBody>>,
    {
        let head = request
            .extensions()
            .get::<SharedSnapshot>()
            .map(|SharedSnapshot(head)| Arc::clone(head));
        let request = request.map(RequestBody::passthrough);
        ResponseFuture::inner(self.inner.call_with_head(request, head), None)
    }
}

/// The answer to an intercepted error, rendered for `format`: the report
/// itself for loopback peers, a pointer to the PIN-guarded page for peers
/// from the allow list.
fn intercepted<B>(
    entry: &Entry,
    status: StatusCode,
    format: Format,
    access: Access,
    shared: &Shared,
) -> Response<ResponseBody<B>> {
    let report = &entry.report;
    let url = format!("{PREFIX}/{}", report.id);
    let full = access == Access::Local;
    let mut response = match (format, full) {
        (Format::Html, true) => routes::report_page(shared, entry, status, false, false),
        (Format::Html, false) => respond::page(status, &shared.csrf, |nonce| {
            crate::page::message_page(
                "Internal Server Error",
                &format!("This error was recorded at {url}; its page needs the debugger's PIN."),
                nonce,
            )
        }),
        (Format::Json, _) => {
            let mut value = if full {
                tackle_report::render::json(report, &shared.scrubber)
            } else {
                serde_json::json!({
                    "type": "about:blank",
                    "title": "Internal Server Error",
                    "status": status.as_u16(),
                })
            };
            if let Some(object) = value.as_object_mut() {
                object.insert(
                    "debug_url".to_owned(),
                    serde_json::Value::String(url.clone()),
                );
            }
            let body = serde_json::to_string_pretty(&value).unwrap_or_default();
            respond(status, "application/problem+json", body, &respond::nonce())
        }
        (Format::Text, _) => {
            let mut body = if full {
                tackle_report::render::text(report, &shared.scrubber)
            } else {
                "Internal Server Error\n".to_owned()
            };
            if !body.ends_with('\n') {
                body.push('\n');
            }
            body.push_str(&format!("\nDebug page: {url}\n"));
            respond(status, "text/plain; charset=utf-8", body, &respond::nonce())
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

/// What the future needs to intercept a failure.
struct Watch {
    head: Arc<RequestHead>,
    capture: Capture,
    access: Access,
    shared: Arc<Shared>,
}

impl Watch {
    /// Whether the request named a trusted `Host` (the DNS-rebinding
    /// defence): otherwise the failure passes through untouched.
    fn host_is_trusted(&self) -> bool {
        gate::host_is_trusted(
            self.head.headers(),
            self.head.uri(),
            &self.shared.trusted_hosts,
        )
    }

    /// Keeps `report` with the captured request, logs it, and answers it.
    fn intercept<B>(
        self,
        mut report: ErrorReport,
        status: StatusCode,
    ) -> Response<ResponseBody<B>> {
        let (body, completeness) = self.capture.snapshot();
        let request = report.request.get_or_insert_with(|| self.head.snapshot());
        if request.body_preview.is_none() && !body.is_empty() {
            request.body_preview = Some(body.clone());
        }
        let captured = Captured {
            method: self.head.method().clone(),
            uri: self.head.uri().clone(),
            version: self.head.version(),
            headers: self.head.headers().clone(),
            body,
            completeness,
            peer: report.request.as_ref().and_then(|r| r.peer),
        };
        let entry = Arc::new(Entry {
            report: Arc::new(report),
            request: Some(captured),
            replay_of: None,
        });
        self.shared.ring.push(Arc::clone(&entry));
        let report = &entry.report;
        let url = format!("{PREFIX}/{}", report.id);
        let message = self.shared.scrubber.scrub_text(&report.message);
        tracing::error!(
            debug_url = %url,
            "{} {}: {} (debugger: {url})",
            report.kind.label(),
            status.as_u16(),
            message.lines().next().unwrap_or_default(),
        );
        let format = negotiate::choose(self.head.header(header::ACCEPT));
        intercepted(&entry, status, format, self.access, &self.shared)
    }
}

pin_project_lite::pin_project! {
    /// The response future of [`Debugger`].
    pub struct ResponseFuture<F, B, E> {
        #[pin]
        kind: Kind<F, B, E>,
    }
}

pin_project_lite::pin_project! {
    #[project = KindProj]
    enum Kind<F, B, E> {
        Inner {
            #[pin]
            future: F,
            watch: Option<Watch>,
        },
        Boxed {
            future: BoxFuture<Result<Response<ResponseBody<B>>, E>>,
        },
    }
}

impl<F, B, E> ResponseFuture<F, B, E> {
    fn inner(future: F, watch: Option<Watch>) -> Self {
        ResponseFuture {
            kind: Kind::Inner { future, watch },
        }
    }

    fn boxed(future: BoxFuture<Result<Response<ResponseBody<B>>, E>>) -> Self {
        ResponseFuture {
            kind: Kind::Boxed { future },
        }
    }
}

impl<F, B, E> Future for ResponseFuture<F, B, E>
where
    F: Future<Output = Result<Response<ResponseBody<B>>, E>>,
    E: Display,
{
    type Output = Result<Response<ResponseBody<B>>, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let (future, watch) = match self.project().kind.project() {
            KindProj::Boxed { future } => return future.as_mut().poll(cx),
            KindProj::Inner { future, watch } => (future, watch),
        };
        let result = ready!(future.poll(cx));
        let Some(watch) = watch.take() else {
            return Poll::Ready(result);
        };
        let failed = match &result {
            Ok(response) => response.status().is_server_error(),
            Err(_) => true,
        };
        if !failed || !watch.host_is_trusted() {
            return Poll::Ready(result);
        }
        match result {
            Ok(response) if response.status().is_server_error() => {
                let Some(mut report) = response.report().cloned() else {
                    return Poll::Ready(Ok(response));
                };
                let status = response.status();
                if report.response.is_none() {
                    report.response = Some(response_snapshot(&response));
                }
                drop(response);
                Poll::Ready(Ok(watch.intercept(report, status)))
            }
            Err(error) => {
                // A service error would drop the connection: show it instead.
                let mut report = ErrorReport::new(ReportKind::ServiceError, error.to_string());
                report.spans = tackle_report::current_spans();
                report.events = tackle_report::current_events();
                let status = StatusCode::INTERNAL_SERVER_ERROR;
                Poll::Ready(Ok(watch.intercept(report, status)))
            }
            other => Poll::Ready(other),
        }
    }
}
