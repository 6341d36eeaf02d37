//! [`RequestBody`]: what the inner service reads. A live body is copied,
//! up to [`CAPTURE_LIMIT`], as the handler reads it, so that a failed
//! request can be replayed; a replay's body is bytes the debugger already
//! holds.

use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll};

use bytes::{Buf, Bytes};
use http_body::{Body, Frame, SizeHint};

/// The most of a request body kept for replay (and shown on the page).
pub const CAPTURE_LIMIT: usize = 64 * 1024;

/// How much of a request body a capture holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Completeness {
    /// Every byte: the body ended within the limit.
    Whole,
    /// The first [`CAPTURE_LIMIT`] bytes of a longer body.
    Truncated,
    /// What the handler read before it failed; the rest was never read.
    Unread,
}

#[derive(Debug, Default)]
pub(crate) struct CaptureState {
    bytes: Vec<u8>,
    ended: bool,
    truncated: bool,
}

/// The bytes of one request body kept so far, shared between the body the
/// handler reads and the debugger. An empty body needs no sharing (and no
/// allocation: most requests have none).
#[derive(Clone, Debug)]
pub(crate) enum Capture {
    Empty,
    Shared(Arc<Mutex<CaptureState>>),
}

impl Capture {
    fn lock(state: &Mutex<CaptureState>) -> std::sync::MutexGuard<'_, CaptureState> {
        state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn push(&self, data: &[u8]) {
        let Capture::Shared(state) = self else { return };
        let mut state = Capture::lock(state);
        let room = CAPTURE_LIMIT.saturating_sub(state.bytes.len());
        if data.len() > room {
            state.truncated = true;
        }
        state.bytes.extend_from_slice(&data[..room.min(data.len())]);
    }

    fn end(&self) {
        if let Capture::Shared(state) = self {
            Capture::lock(state).ended = true;
        }
    }

    /// The bytes kept and how complete they are.
    pub(crate) fn snapshot(&self) -> (Bytes, Completeness) {
        let Capture::Shared(state) = self else {
            return (Bytes::new(), Completeness::Whole);
        };
        let state = Capture::lock(state);
        let completeness = if state.truncated {
            Completeness::Truncated
        } else if state.ended {
            Completeness::Whole
        } else {
            Completeness::Unread
        };
        (Bytes::copy_from_slice(&state.bytes), completeness)
    }
}

pin_project_lite::pin_project! {
    /// The request body the inner service of a
    /// [`Debugger`](crate::Debugger) reads: the client's body (copied for
    /// replay when the debugger watches the request), or the bytes of a
    /// replayed or edited request.
    ///
    /// It is a [`Body`] with `Bytes` data and the client body's error, so
    /// routers generic over the body (axum's, tackle-routing's
    /// `Router<RequestBody<Incoming>>`) take it as they are.
    pub struct RequestBody<B> {
        #[pin]
        kind: Kind<B>,
    }
}

pin_project_lite::pin_project! {
    #[project = KindProj]
    enum Kind<B> {
        Live {
            #[pin]
            body: B,
            capture: Option<Capture>,
        },
        Bytes {
            data: Option<Bytes>,
        },
    }
}

impl<B> RequestBody<B> {
    /// The client's body, passed on untouched.
    pub(crate) fn passthrough(body: B) -> Self {
        RequestBody {
            kind: Kind::Live {
                body,
                capture: None,
            },
        }
    }

    /// Bytes the debugger holds (a replay, an edited request).
    pub(crate) fn bytes(data: Bytes) -> Self {
        RequestBody {
            kind: Kind::Bytes {
                data: (!data.is_empty()).then_some(data),
            },
        }
    }
}

impl<B: Body> RequestBody<B> {
    /// The client's body, copied into the returned capture as it is read.
    pub(crate) fn captured(body: B) -> (Self, Capture) {
        let capture = if body.is_end_stream() {
            Capture::Empty
        } else {
            Capture::Shared(Arc::default())
        };
        let body = RequestBody {
            kind: Kind::Live {
                body,
                capture: Some(capture.clone()),
            },
        };
        (body, capture)
    }
}

impl<B> Body for RequestBody<B>
where
    B: Body,
{
    type Data = Bytes;
    type Error = B::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, B::Error>>> {
        match self.project().kind.project() {
            KindProj::Bytes { data } => Poll::Ready(data.take().map(|d| Ok(Frame::data(d)))),
            KindProj::Live { body, capture } => {
                let frame = match body.poll_frame(cx) {
                    Poll::Pending => return Poll::Pending,
                    Poll::Ready(None) => {
                        if let Some(capture) = capture {
                            capture.end();
                        }
                        return Poll::Ready(None);
                    }
                    Poll::Ready(Some(Err(error))) => return Poll::Ready(Some(Err(error))),
                    Poll::Ready(Some(Ok(frame))) => {
                        frame.map_data(|mut data| data.copy_to_bytes(data.remaining()))
                    }
                };
                if let (Some(capture), Some(data)) = (capture.as_ref(), frame.data_ref()) {
                    capture.push(data);
                }
                Poll::Ready(Some(Ok(frame)))
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        match &self.kind {
            Kind::Live { body, .. } => body.is_end_stream(),
            Kind::Bytes { data } => data.is_none(),
        }
    }

    fn size_hint(&self) -> SizeHint {
        match &self.kind {
            Kind::Live { body, .. } => body.size_hint(),
            Kind::Bytes { data } => {
                SizeHint::with_exact(data.as_ref().map_or(0, |d| d.len() as u64))
            }
        }
    }
}

impl<B> std::fmt::Debug for RequestBody<B> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.kind {
            Kind::Live { capture, .. } => f
                .debug_struct("RequestBody::Live")
                .field("captured", &capture.is_some())
                .finish(),
            Kind::Bytes { data } => f
                .debug_struct("RequestBody::Bytes")
                .field("len", &data.as_ref().map_or(0, Bytes::len))
                .finish(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http_body_util::{BodyExt, Full, StreamBody};

    fn block<F: std::future::Future>(future: F) -> F::Output {
        use futures_util::FutureExt;
        future.now_or_never().expect("ready at once")
    }

    #[test]
    fn whole_bodies_are_captured_and_passed_on() {
        let (body, capture) = RequestBody::captured(Full::new(Bytes::from_static(b"a=1&b=2")));
        assert_eq!(capture.snapshot().1, Completeness::Unread);
        let read = block(body.collect()).unwrap().to_bytes();
        assert_eq!(&read[..], b"a=1&b=2");
        assert_eq!(capture.snapshot(), (read, Completeness::Whole));
    }

    #[test]
    fn empty_bodies_are_whole_before_reading() {
        let (_, capture) = RequestBody::captured(http_body_util::Empty::<Bytes>::new());
        assert_eq!(capture.snapshot().1, Completeness::Whole);
    }

    #[test]
    fn at_the_limit_is_whole_one_past_is_truncated() {
        for (len, expected) in [
            (CAPTURE_LIMIT, Completeness::Whole),
            (CAPTURE_LIMIT + 1, Completeness::Truncated),
        ] {
            let chunks = vec![vec![b'x'; len - 1], vec![b'y']]
                .into_iter()
                .map(|c| Ok::<_, std::convert::Infallible>(Frame::data(Bytes::from(c))));
            let stream = futures_util::stream::iter(chunks);
            let (body, capture) = RequestBody::captured(StreamBody::new(stream));
            let read = block(body.collect()).unwrap().to_bytes();
            assert_eq!(read.len(), len, "the handler reads everything");
            let (kept, completeness) = capture.snapshot();
            assert_eq!(kept.len(), len.min(CAPTURE_LIMIT));
            assert_eq!(completeness, expected, "{len}");
        }
    }

    #[test]
    fn replayed_bytes_are_one_frame() {
        let body = RequestBody::<Full<Bytes>>::bytes(Bytes::from_static(b"hi"));
        assert_eq!(body.size_hint().exact(), Some(2));
        assert_eq!(&block(body.collect()).unwrap().to_bytes()[..], b"hi");
        let empty = RequestBody::<Full<Bytes>>::bytes(Bytes::new());
        assert!(empty.is_end_stream());
    }
}
