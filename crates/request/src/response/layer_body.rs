//! [`LayerBody`]: the response body of a middleware that usually passes the
//! inner service's body on, and sometimes answers with its own page (a 500
//! for a panic, a 503 for an unreachable store).

use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use http_body::{Frame, SizeHint};

pin_project_lite::pin_project! {
    /// The inner body `B` untouched, or bytes the layer answered with.
    /// The error is `B`'s: the layer's own bytes never fail.
    pub struct LayerBody<B> {
        #[pin]
        kind: Kind<B>,
    }
}

pin_project_lite::pin_project! {
    #[project = KindProj]
    enum Kind<B> {
        Inner { #[pin] body: B },
        Own { bytes: Option<Bytes> },
    }
}

impl<B> LayerBody<B> {
    /// The inner service's body.
    pub fn inner(body: B) -> Self {
        LayerBody {
            kind: Kind::Inner { body },
        }
    }

    /// The layer's own content.
    pub fn own(bytes: Bytes) -> Self {
        LayerBody {
            kind: Kind::Own {
                bytes: (!bytes.is_empty()).then_some(bytes),
            },
        }
    }
}

impl<B> http_body::Body for LayerBody<B>
where
    B: http_body::Body<Data = Bytes>,
{
    type Data = Bytes;
    type Error = B::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, B::Error>>> {
        match self.project().kind.project() {
            KindProj::Inner { body } => body.poll_frame(cx),
            KindProj::Own { bytes } => Poll::Ready(bytes.take().map(|b| Ok(Frame::data(b)))),
        }
    }

    fn is_end_stream(&self) -> bool {
        match &self.kind {
            Kind::Inner { body } => body.is_end_stream(),
            Kind::Own { bytes } => bytes.is_none(),
        }
    }

    fn size_hint(&self) -> SizeHint {
        match &self.kind {
            Kind::Inner { body } => body.size_hint(),
            Kind::Own { bytes } => {
                SizeHint::with_exact(bytes.as_ref().map_or(0, |b| b.len() as u64))
            }
        }
    }
}

impl<B> std::fmt::Debug for LayerBody<B> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.kind {
            Kind::Inner { .. } => f.write_str("LayerBody::Inner"),
            Kind::Own { bytes } => write!(
                f,
                "LayerBody::Own({} bytes)",
                bytes.as_ref().map_or(0, Bytes::len)
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http_body::Body as _;
    use http_body_util::BodyExt;

    #[tokio::test]
    async fn either_side() {
        let own: LayerBody<http_body_util::Full<Bytes>> =
            LayerBody::own(Bytes::from_static(b"503"));
        assert_eq!(own.size_hint().exact(), Some(3));
        assert_eq!(own.collect().await.unwrap().to_bytes(), "503");
        let inner = LayerBody::inner(http_body_util::Full::new(Bytes::from_static(b"ok")));
        assert_eq!(inner.collect().await.unwrap().to_bytes(), "ok");
        let empty: LayerBody<http_body_util::Empty<Bytes>> = LayerBody::own(Bytes::new());
        assert!(empty.is_end_stream());
    }
}
