//! [`CatchPanicLayer`]: a panic in the inner service's `call` or in its
//! response future becomes a generic `500` (rendered by `Accept`) carrying
//! an [`ErrorReport`] in its extensions ([`AttachedReport`]), for the layers
//! outside to mail or show.
//!
//! The stack and spans are those at the panic site when
//! [`install_panic_hook`](crate::install_panic_hook) was called at startup
//! (capturing after `catch_unwind` would only see the catching frame);
//! without the hook the report has the message alone.

use std::future::Future;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use http::{HeaderValue, Request, Response};
use tackle_request::HttpError;
use tower_layer::Layer;
use tower_service::Service;

use crate::attach::AttachedReport;
use crate::panic_hook::{payload_message, take_panic_capture};
use crate::report::{AppInfo, ErrorReport, ReportKind};
use crate::snapshot::{RequestHead, shared_request_head};

/// Catches panics; see the [module documentation](self).
#[derive(Clone, Debug, Default)]
pub struct CatchPanicLayer {
    // Shared: the service is cloned per request (tower's rule), and two
    // strings per clone showed up in end-to-end profiles.
    app: Option<Arc<AppInfo>>,
}

impl CatchPanicLayer {
    /// Catches panics, with no application name in the reports.
    pub fn new() -> Self {
        CatchPanicLayer::default()
    }

    /// Names the application in every report.
    pub fn app(mut self, name: impl Into<String>, version: impl Into<String>) -> Self {
        self.app = Some(Arc::new(AppInfo {
            name: name.into(),
            version: version.into(),
        }));
        self
    }
}

impl<S> Layer<S> for CatchPanicLayer {
    type Service = CatchPanic<S>;

    fn layer(&self, inner: S) -> CatchPanic<S> {
        CatchPanic {
            inner,
            app: self.app.clone(),
        }
    }
}

/// The service [`CatchPanicLayer`] makes.
#[derive(Clone, Debug)]
pub struct CatchPanic<S> {
    inner: S,
    app: Option<Arc<AppInfo>>,
}

impl<S, ReqBody, ResBody> Service<Request<ReqBody>> for CatchPanic<S>
where
    S: Service<Request<ReqBody>, Response = Response<ResBody>>,
{
    type Response = Response<ResponseBody<ResBody>>;
    type Error = S::Error;
    type Future = ResponseFuture<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut request: Request<ReqBody>) -> Self::Future {
        let snapshot = shared_request_head(&mut request);
        self.call_with_head(request, Some(snapshot))
    }
}

impl<S> CatchPanic<S> {
    /// [`Service::call`] without taking the request's head: a panic's
    /// report shows `snapshot`, the head a layer outside took, or no
    /// request at all with `None` (for a caller that knows no one outside
    /// wants it: a layer that does, such as an error mailer, leaves a
    /// [`SharedSnapshot`](crate::SharedSnapshot) in the extensions). The
    /// extensions are neither searched nor given a snapshot.
    pub fn call_with_head<ReqBody, ResBody>(
        &mut self,
        request: Request<ReqBody>,
        snapshot: Option<Arc<RequestHead>>,
    ) -> ResponseFuture<S::Future>
    where
        S: Service<Request<ReqBody>, Response = Response<ResBody>>,
    {
        let context = PanicContext {
            preview: request.extensions().get::<crate::BodyPreview>().cloned(),
            accept: request.headers().get(http::header::ACCEPT).cloned(),
            snapshot,
            app: self.app.clone(),
        };
        match catch_unwind(AssertUnwindSafe(|| self.inner.call(request))) {
            Ok(future) => ResponseFuture {
                future: Some(future),
                panicked: None,
                context,
            },
            // Answered at the first poll, like any other response.
            Err(payload) => ResponseFuture {
                future: None,
                panicked: Some(Box::new(report(&*payload, &context))),
                context,
            },
        }
    }
}

/// What a panic response needs from the request.
#[derive(Debug)]
struct PanicContext {
    /// The body's first bytes, when a `BodyPreviewLayer` is outside.
    preview: Option<crate::BodyPreview>,
    /// How the 500 page is rendered.
    accept: Option<HeaderValue>,
    snapshot: Option<Arc<RequestHead>>,
    app: Option<Arc<AppInfo>>,
}

/// The report of a panic with `payload`, from the hook's capture when there
/// is one.
fn report(payload: &(dyn std::any::Any + Send), context: &PanicContext) -> ErrorReport {
    let message = payload_message(payload);
    let mut report = ErrorReport::new(ReportKind::Panic, message.clone());
    // Only this panic's capture: one left by a panic that never reached
    // this layer (a task's, caught elsewhere) would name the wrong site.
    if let Some(capture) = take_panic_capture().filter(|c| c.message == message) {
        report.message = capture.message;
        report.location = capture.location;
        report.frames = Some(capture.frames);
        report.spans = capture.spans;
        report.events = capture.events;
    }
    report.request = context.snapshot.as_ref().map(|head| {
        let mut request = head.snapshot();
        request.body_preview = context.preview.as_ref().map(crate::BodyPreview::bytes);
        request
    });
    report.app = context.app.as_deref().cloned();
    report
}

/// The generic 500 the client sees, with the report attached.
fn panic_response<B>(
    report: ErrorReport,
    accept: Option<&HeaderValue>,
) -> Response<ResponseBody<B>> {
    let (parts, body) = HttpError::internal_server_error()
        .render(accept)
        .into_parts();
    let mut response = Response::from_parts(parts, ResponseBody::own(body));
    response
        .extensions_mut()
        .insert(AttachedReport(Arc::new(report)));
    response
}

pin_project_lite::pin_project! {
    /// The response future of [`CatchPanic`].
    pub struct ResponseFuture<F> {
        #[pin]
        future: Option<F>,
        // Boxed: a report is large, and every future that does not panic
        // would carry (and move) its space.
        panicked: Option<Box<ErrorReport>>,
        context: PanicContext,
    }
}

impl<F, B, E> Future for ResponseFuture<F>
where
    F: Future<Output = Result<Response<B>, E>>,
{
    type Output = Result<Response<ResponseBody<B>>, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut this = self.project();
        let Some(future) = this.future.as_mut().as_pin_mut() else {
            let report = this.panicked.take().map_or_else(
                || ErrorReport::new(ReportKind::Panic, "polled after a panic"),
                |report| *report,
            );
            return Poll::Ready(Ok(panic_response(report, this.context.accept.as_ref())));
        };
        match catch_unwind(AssertUnwindSafe(|| future.poll(cx))) {
            Ok(Poll::Pending) => Poll::Pending,
            Ok(Poll::Ready(result)) => Poll::Ready(result.map(|r| r.map(ResponseBody::inner))),
            Err(payload) => {
                this.future.set(None);
                let report = report(&*payload, this.context);
                Poll::Ready(Ok(panic_response(report, this.context.accept.as_ref())))
            }
        }
    }
}

/// The response body of [`CatchPanic`]: the inner body, or the 500 page.
pub type ResponseBody<B> = tackle_request::response::LayerBody<B>;
