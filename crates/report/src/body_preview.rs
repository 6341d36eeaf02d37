//! [`BodyPreviewLayer`]: keeps the first bytes of each request body as the
//! handler reads them, so that a report can show them. Off unless added:
//! bodies often hold what a report should not (scrubbing still applies when
//! a report is rendered).

use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll};

use bytes::{Buf, Bytes};
use http::Request;
use http_body::Frame;
use tower_layer::Layer;
use tower_service::Service;

/// The bytes kept of one request's body, found in its extensions; a
/// [`CatchPanic`](crate::CatchPanic) or an error mailer outside reads them
/// into the report.
#[derive(Clone, Debug, Default)]
pub struct BodyPreview(Arc<Mutex<Vec<u8>>>);

impl BodyPreview {
    /// The bytes kept so far.
    pub fn bytes(&self) -> Bytes {
        Bytes::copy_from_slice(&self.0.lock().unwrap_or_else(PoisonError::into_inner))
    }
}

/// Wraps request bodies to keep their first `limit` bytes (default 2 KiB)
/// in a [`BodyPreview`]. Put it outside the layers that build reports.
#[derive(Clone, Copy, Debug)]
pub struct BodyPreviewLayer {
    limit: usize,
}

impl BodyPreviewLayer {
    /// Keeps the first `limit` bytes of each body.
    pub fn new(limit: usize) -> Self {
        BodyPreviewLayer { limit }
    }
}

impl Default for BodyPreviewLayer {
    fn default() -> Self {
        BodyPreviewLayer::new(2048)
    }
}

impl<S> Layer<S> for BodyPreviewLayer {
    type Service = BodyPreviewService<S>;

    fn layer(&self, inner: S) -> BodyPreviewService<S> {
        BodyPreviewService {
            inner,
            limit: self.limit,
        }
    }
}

/// The service [`BodyPreviewLayer`] makes.
#[derive(Clone, Debug)]
pub struct BodyPreviewService<S> {
    inner: S,
    limit: usize,
}

impl<S, B> Service<Request<B>> for BodyPreviewService<S>
where
    S: Service<Request<PreviewBody<B>>>,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = S::Future;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<B>) -> S::Future {
        let preview = BodyPreview::default();
        let (mut parts, body) = request.into_parts();
        parts.extensions.insert(preview.clone());
        let body = PreviewBody {
            body,
            preview,
            limit: self.limit,
        };
        self.inner.call(Request::from_parts(parts, body))
    }
}

pin_project_lite::pin_project! {
    /// A request body that copies its first bytes into a [`BodyPreview`].
    pub struct PreviewBody<B> {
        #[pin]
        body: B,
        preview: BodyPreview,
        limit: usize,
    }
}

impl<B> http_body::Body for PreviewBody<B>
where
    B: http_body::Body,
{
    type Data = Bytes;
    type Error = B::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, B::Error>>> {
        let this = self.project();
        let frame = match this.body.poll_frame(cx) {
            Poll::Ready(Some(Ok(frame))) => frame,
            Poll::Ready(Some(Err(error))) => return Poll::Ready(Some(Err(error))),
            Poll::Ready(None) => return Poll::Ready(None),
            Poll::Pending => return Poll::Pending,
        };
        let frame = frame.map_data(|mut data| data.copy_to_bytes(data.remaining()));
        if let Some(data) = frame.data_ref() {
            let mut kept = this
                .preview
                .0
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            let room = this.limit.saturating_sub(kept.len());
            kept.extend_from_slice(&data[..room.min(data.len())]);
        }
        Poll::Ready(Some(Ok(frame)))
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> http_body::SizeHint {
        self.body.size_hint()
    }
}
