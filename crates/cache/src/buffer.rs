//! Reading a response body into memory, bounded: the whole body when it
//! fits the limit, or else what was read so far handed back, in order, in
//! front of the rest of the body.

use std::pin::Pin;
use std::task::{Context, Poll, ready};

use bytes::{Buf, Bytes};
use http::HeaderMap;

use crate::body::{Chunks, ResponseBody};

/// The default limit of the ETag and conditional layers: 1 MiB.
pub const DEFAULT_MAX_BUFFERED: u64 = 1024 * 1024;

/// A whole body in memory.
#[derive(Default)]
pub(crate) struct Collected {
    pub(crate) chunks: Chunks,
    pub(crate) len: u64,
    pub(crate) trailers: Option<HeaderMap>,
}

impl Collected {
    /// The content as one buffer (copied only when it came in several).
    pub(crate) fn to_bytes(&self) -> Bytes {
        match self.chunks.as_slice() {
            [] => Bytes::new(),
            [one] => one.clone(),
            many => {
                let mut all = Vec::with_capacity(self.len as usize);
                for chunk in many {
                    all.extend_from_slice(chunk);
                }
                Bytes::from(all)
            }
        }
    }
}

/// What buffering came to.
pub(crate) enum Buffered<B: http_body::Body> {
    /// The body ended within the limit.
    Complete(Collected),
    /// The body passed the limit or failed: the body to send instead, which
    /// replays what was read and then goes on (or fails) as the inner would.
    Streaming(ResponseBody<B>),
}

/// A body being read up to `limit` bytes.
///
/// The body is boxed while it is read so that, past the limit, it can move
/// into the response body without being pinned to this future.
pub(crate) struct Buffering<B: http_body::Body> {
    body: Option<Pin<Box<B>>>,
    collected: Collected,
    limit: u64,
}

impl<B: http_body::Body> Buffering<B> {
    /// Starts reading `body`, or hands it back when its size hint already
    /// says it is over `limit`.
    pub(crate) fn new(body: B, limit: u64) -> Result<Self, B> {
        if body.size_hint().lower() > limit {
            return Err(body);
        }
        Ok(Buffering {
            body: Some(Box::pin(body)),
            collected: Collected::default(),
            limit,
        })
    }

    /// Reads on until the body ends, fails or passes the limit. After it
    /// answered `Ready`, it must not be polled again.
    pub(crate) fn poll(&mut self, cx: &mut Context<'_>) -> Poll<Buffered<B>> {
        let Some(body) = self.body.as_mut() else {
            return Poll::Ready(Buffered::Complete(std::mem::take(&mut self.collected)));
        };
        loop {
            let frame = match ready!(body.as_mut().poll_frame(cx)) {
                None => break,
                Some(Err(error)) => {
                    let chunks = std::mem::take(&mut self.collected.chunks);
                    self.body = None;
                    return Poll::Ready(Buffered::Streaming(ResponseBody::failed(chunks, error)));
                }
                Some(Ok(frame)) => frame,
            };
            match frame.into_data() {
                Ok(mut data) => {
                    let chunk = data.copy_to_bytes(data.remaining());
                    if chunk.is_empty() {
                        continue;
                    }
                    self.collected.len += chunk.len() as u64;
                    self.collected.chunks.push(chunk);
                    if self.collected.len > self.limit {
                        let chunks = std::mem::take(&mut self.collected.chunks);
                        return Poll::Ready(match self.body.take() {
                            Some(body) => Buffered::Streaming(ResponseBody::resumed(chunks, body)),
                            None => Buffered::Streaming(ResponseBody::memory(chunks, None)),
                        });
                    }
                }
                Err(frame) => {
                    // Trailers end the body.
                    self.collected.trailers = frame.into_trailers().ok();
                    break;
                }
            }
        }
        self.body = None;
        Poll::Ready(Buffered::Complete(std::mem::take(&mut self.collected)))
    }
}
