//! [`ResponseBody`]: the body of every response the ETag and conditional
//! layers answer with. It is the inner body untouched, content held in
//! memory, or what was buffered followed by the rest of the inner body.

use std::fmt;
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::{Buf, Bytes};
use http::HeaderMap;
use http_body::{Frame, SizeHint};
use smallvec::SmallVec;

/// Chunks of content in memory. Two inline slots cover the common bodies
/// (one buffer; a 206 part and its framing) without allocating.
pub(crate) type Chunks = SmallVec<[Bytes; 2]>;

pin_project_lite::pin_project! {
    /// The response body of [`ETag`](crate::ETag) and
    /// [`Conditional`](crate::Conditional): the inner body `B` as it is, or
    /// content they buffered or cut (a 206 part, a `multipart/byteranges`
    /// body, an error page), or what they buffered before giving up
    /// followed by the rest of `B`.
    ///
    /// Data frames are [`Bytes`]; the error is `B`'s own, so a failure of
    /// the inner body reaches the server unchanged, after the bytes read
    /// before it.
    pub struct ResponseBody<B: http_body::Body> {
        #[pin]
        kind: Kind<B>,
    }
}

pin_project_lite::pin_project! {
    #[project = KindProj]
    enum Kind<B: http_body::Body> {
        Inner { #[pin] body: B },
        Memory { chunks: Chunks, next: usize, trailers: Option<HeaderMap> },
        Resumed { chunks: Chunks, next: usize, body: Pin<Box<B>> },
        Failed { chunks: Chunks, next: usize, error: Option<B::Error> },
    }
}

impl<B: http_body::Body> ResponseBody<B> {
    pub(crate) fn inner(body: B) -> Self {
        ResponseBody {
            kind: Kind::Inner { body },
        }
    }

    pub(crate) fn empty() -> Self {
        Self::memory(Chunks::new(), None)
    }

    pub(crate) fn memory(chunks: Chunks, trailers: Option<HeaderMap>) -> Self {
        ResponseBody {
            kind: Kind::Memory {
                chunks,
                next: 0,
                trailers,
            },
        }
    }

    /// `chunks`, read from `body` already, then the rest of `body`.
    pub(crate) fn resumed(chunks: Chunks, body: Pin<Box<B>>) -> Self {
        ResponseBody {
            kind: Kind::Resumed {
                chunks,
                next: 0,
                body,
            },
        }
    }

    /// `chunks`, then the error `body` failed with while they were read.
    pub(crate) fn failed(chunks: Chunks, error: B::Error) -> Self {
        ResponseBody {
            kind: Kind::Failed {
                chunks,
                next: 0,
                error: Some(error),
            },
        }
    }
}

/// The next chunk of `chunks`, moved out.
fn take(chunks: &mut Chunks, next: &mut usize) -> Option<Bytes> {
    let chunk = chunks.get_mut(*next).map(std::mem::take)?;
    *next += 1;
    Some(chunk)
}

fn remaining(chunks: &Chunks, next: usize) -> u64 {
    chunks[next.min(chunks.len())..]
        .iter()
        .map(|c| c.len() as u64)
        .sum()
}

impl<B> http_body::Body for ResponseBody<B>
where
    B: http_body::Body,
{
    type Data = Bytes;
    type Error = B::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, B::Error>>> {
        match self.project().kind.project() {
            KindProj::Inner { body } => body.poll_frame(cx).map(|frame| frame.map(to_bytes)),
            KindProj::Memory {
                chunks,
                next,
                trailers,
            } => Poll::Ready(match take(chunks, next) {
                Some(chunk) => Some(Ok(Frame::data(chunk))),
                None => trailers.take().map(|t| Ok(Frame::trailers(t))),
            }),
            KindProj::Resumed { chunks, next, body } => match take(chunks, next) {
                Some(chunk) => Poll::Ready(Some(Ok(Frame::data(chunk)))),
                None => body
                    .as_mut()
                    .poll_frame(cx)
                    .map(|frame| frame.map(to_bytes)),
            },
            KindProj::Failed {
                chunks,
                next,
                error,
            } => Poll::Ready(match take(chunks, next) {
                Some(chunk) => Some(Ok(Frame::data(chunk))),
                None => error.take().map(Err),
            }),
        }
    }

    fn is_end_stream(&self) -> bool {
        match &self.kind {
            Kind::Inner { body } => body.is_end_stream(),
            Kind::Memory {
                chunks,
                next,
                trailers,
            } => *next >= chunks.len() && trailers.is_none(),
            Kind::Resumed { chunks, next, body } => *next >= chunks.len() && body.is_end_stream(),
            Kind::Failed {
                chunks,
                next,
                error,
            } => *next >= chunks.len() && error.is_none(),
        }
    }

    fn size_hint(&self) -> SizeHint {
        match &self.kind {
            Kind::Inner { body } => body.size_hint(),
            Kind::Memory { chunks, next, .. } => SizeHint::with_exact(remaining(chunks, *next)),
            Kind::Resumed { chunks, next, body } => {
                let held = remaining(chunks, *next);
                let rest = body.size_hint();
                let mut hint = SizeHint::new();
                hint.set_lower(rest.lower().saturating_add(held));
                if let Some(upper) = rest.upper() {
                    hint.set_upper(upper.saturating_add(held));
                }
                hint
            }
            Kind::Failed { .. } => SizeHint::default(),
        }
    }
}

/// An inner frame with its data as [`Bytes`] (free when it already is).
fn to_bytes<D: Buf, E>(frame: Result<Frame<D>, E>) -> Result<Frame<Bytes>, E> {
    frame.map(|frame| frame.map_data(|mut data| data.copy_to_bytes(data.remaining())))
}

impl<B: http_body::Body> fmt::Debug for ResponseBody<B> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match &self.kind {
            Kind::Inner { .. } => "Inner",
            Kind::Memory { .. } => "Memory",
            Kind::Resumed { .. } => "Resumed",
            Kind::Failed { .. } => "Failed",
        };
        f.debug_struct("ResponseBody").field("kind", &kind).finish()
    }
}
