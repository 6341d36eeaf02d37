//! [`Body`]: the one response body type tackle creates, an
//! [`http_body::Body`] (RFC 9110 §6.4 content, sent as frames) that is empty,
//! a single buffer, or any other body behind one box.

use std::fmt;
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use futures_core::Stream;
use http_body::{Frame, SizeHint};
use http_body_util::BodyExt;
use http_body_util::combinators::UnsyncBoxBody;

/// The error a [`Body`] yields: whatever the wrapped body or stream failed
/// with, boxed.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// A response body: empty, one buffer of known length, or a wrapped body or
/// stream of chunks.
///
/// Empty and buffered bodies are not boxed and report their exact length in
/// [`size_hint`](http_body::Body::size_hint), so servers send
/// `Content-Length` for them. Anything else ([`Body::new`],
/// [`Body::from_stream`]) is boxed once and keeps its own size hint; a hyper
/// `Incoming` or an axum body converts by wrapping, without copying.
///
/// ```
/// use http_body::Body as _;
/// use tackle_request::response::Body;
///
/// let body = Body::from("hello");
/// assert_eq!(body.size_hint().exact(), Some(5));
/// assert!(Body::empty().is_end_stream());
/// ```
pub struct Body {
    kind: Kind,
}

enum Kind {
    Empty,
    /// Never empty: an empty buffer is [`Kind::Empty`], so that no empty
    /// data frame is sent.
    Full(Bytes),
    Boxed(UnsyncBoxBody<Bytes, BoxError>),
}

impl Body {
    /// A body with no content.
    pub const fn empty() -> Self {
        Body { kind: Kind::Empty }
    }

    /// Wraps any body whose data is [`Bytes`], boxing it once; a [`Body`]
    /// is returned as it is rather than boxed again.
    pub fn new<B>(body: B) -> Self
    where
        B: http_body::Body<Data = Bytes> + Send + 'static,
        B::Error: Into<BoxError>,
    {
        let mut slot = Some(body);
        if let Some(same) = (&mut slot as &mut dyn std::any::Any).downcast_mut::<Option<Body>>()
            && let Some(body) = same.take()
        {
            return body;
        }
        match slot {
            Some(body) => Body {
                kind: Kind::Boxed(body.map_err(Into::into).boxed_unsync()),
            },
            None => Body::empty(),
        }
    }

    /// A body sending each chunk the stream yields, in order, and failing
    /// with the stream's first error. Its length is unknown, so it is sent
    /// chunked (HTTP/1.1) unless the response says `Content-Length`.
    pub fn from_stream<S, E>(stream: S) -> Self
    where
        S: Stream<Item = Result<Bytes, E>> + Send + 'static,
        E: Into<BoxError>,
    {
        Body::new(Chunks { stream })
    }

    /// The content, when it is in memory: `Some(b"")` for an empty body,
    /// `None` for a wrapped body or stream (or a buffer already sent).
    pub fn as_bytes(&self) -> Option<&[u8]> {
        match &self.kind {
            Kind::Empty => Some(&[]),
            Kind::Full(bytes) => Some(bytes),
            Kind::Boxed(_) => None,
        }
    }
}

impl Default for Body {
    /// An empty body.
    fn default() -> Self {
        Body::empty()
    }
}

impl fmt::Debug for Body {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            Kind::Empty => f.write_str("Body::Empty"),
            Kind::Full(bytes) => write!(f, "Body::Full({} bytes)", bytes.len()),
            Kind::Boxed(_) => f.write_str("Body::Boxed"),
        }
    }
}

impl From<Bytes> for Body {
    fn from(bytes: Bytes) -> Self {
        if bytes.is_empty() {
            Body::empty()
        } else {
            Body {
                kind: Kind::Full(bytes),
            }
        }
    }
}

impl From<String> for Body {
    fn from(text: String) -> Self {
        Body::from(Bytes::from(text))
    }
}

impl From<&'static str> for Body {
    fn from(text: &'static str) -> Self {
        Body::from(Bytes::from_static(text.as_bytes()))
    }
}

impl From<Vec<u8>> for Body {
    fn from(bytes: Vec<u8>) -> Self {
        Body::from(Bytes::from(bytes))
    }
}

impl From<&'static [u8]> for Body {
    fn from(bytes: &'static [u8]) -> Self {
        Body::from(Bytes::from_static(bytes))
    }
}

impl From<()> for Body {
    /// An empty body.
    fn from((): ()) -> Self {
        Body::empty()
    }
}

// Every variant is `Unpin` (the boxed one pins its own box), so the body is
// polled through `get_mut` with no pin projection and no box on the
// empty and buffered paths.
impl http_body::Body for Body {
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, BoxError>>> {
        let this = self.get_mut();
        match &mut this.kind {
            Kind::Empty => Poll::Ready(None),
            Kind::Full(_) => match std::mem::replace(&mut this.kind, Kind::Empty) {
                Kind::Full(bytes) => Poll::Ready(Some(Ok(Frame::data(bytes)))),
                _ => Poll::Ready(None),
            },
            Kind::Boxed(body) => Pin::new(body).poll_frame(cx),
        }
    }

    fn is_end_stream(&self) -> bool {
        match &self.kind {
            Kind::Empty => true,
            Kind::Full(_) => false,
            Kind::Boxed(body) => body.is_end_stream(),
        }
    }

    fn size_hint(&self) -> SizeHint {
        match &self.kind {
            Kind::Empty => SizeHint::with_exact(0),
            Kind::Full(bytes) => SizeHint::with_exact(bytes.len() as u64),
            Kind::Boxed(body) => body.size_hint(),
        }
    }
}

pin_project_lite::pin_project! {
    /// A stream of chunks seen as a body of data frames.
    struct Chunks<S> {
        #[pin]
        stream: S,
    }
}

impl<S, E> http_body::Body for Chunks<S>
where
    S: Stream<Item = Result<Bytes, E>>,
{
    type Data = Bytes;
    type Error = E;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, E>>> {
        self.project()
            .stream
            .poll_next(cx)
            .map(|chunk| chunk.map(|chunk| chunk.map(Frame::data)))
    }

    fn size_hint(&self) -> SizeHint {
        // A stream's own hint counts chunks, not bytes: nothing to say.
        SizeHint::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http_body::Body as _;
    use http_body_util::{BodyExt, Full, StreamBody};

    async fn collect(body: Body) -> Result<Bytes, BoxError> {
        Ok(body.collect().await?.to_bytes())
    }

    /// Polls frame by frame, so tests see chunk boundaries.
    async fn frames(mut body: Body) -> Vec<Result<Bytes, String>> {
        let mut out = Vec::new();
        while let Some(frame) = body.frame().await {
            match frame {
                Ok(frame) => {
                    if let Ok(data) = frame.into_data() {
                        out.push(Ok(data));
                    }
                }
                Err(e) => out.push(Err(e.to_string())),
            }
        }
        out
    }

    #[tokio::test]
    async fn in_memory_bodies_have_exact_size_and_one_frame() {
        let cases: Vec<(Body, &[u8])> = vec![
            (Body::empty(), b""),
            (Body::default(), b""),
            (Body::from(()), b""),
            (Body::from(Bytes::new()), b""),
            (Body::from(String::new()), b""),
            (Body::from(Bytes::from_static(b"abc")), b"abc"),
            (
                Body::from(String::from("h\u{e9}llo")),
                "h\u{e9}llo".as_bytes(),
            ),
            (Body::from("static"), b"static"),
            (Body::from(vec![0u8, 1, 2, 255]), &[0, 1, 2, 255]),
            (Body::from(&b"slice"[..]), b"slice"),
        ];
        for (body, expected) in cases {
            let label = format!("{body:?}");
            assert_eq!(body.as_bytes(), Some(expected), "{label}");
            assert_eq!(
                body.size_hint().exact(),
                Some(expected.len() as u64),
                "{label}"
            );
            assert_eq!(body.is_end_stream(), expected.is_empty(), "{label}");
            let got = frames(body).await;
            let want: Vec<Result<Bytes, String>> = if expected.is_empty() {
                vec![]
            } else {
                vec![Ok(Bytes::copy_from_slice(expected))]
            };
            assert_eq!(got, want, "{label}");
        }
    }

    #[tokio::test]
    async fn full_body_is_spent_after_its_frame() {
        let mut body = Body::from("xyz");
        assert!(body.frame().await.is_some());
        assert!(body.is_end_stream());
        assert_eq!(body.size_hint().exact(), Some(0));
        assert!(body.frame().await.is_none());
    }

    #[tokio::test]
    async fn stream_body_yields_its_chunks_in_order() {
        let chunks: Vec<Result<Bytes, std::io::Error>> = vec![
            Ok(Bytes::from_static(b"one ")),
            Ok(Bytes::from_static(b"two ")),
            Ok(Bytes::from_static(b"three")),
        ];
        let body = Body::from_stream(futures_util::stream::iter(chunks));
        assert_eq!(body.as_bytes(), None);
        assert_eq!(body.size_hint().exact(), None);
        assert_eq!(
            frames(body).await,
            vec![
                Ok(Bytes::from_static(b"one ")),
                Ok(Bytes::from_static(b"two ")),
                Ok(Bytes::from_static(b"three")),
            ]
        );
    }

    #[tokio::test]
    async fn stream_body_passes_on_its_error() {
        let chunks: Vec<Result<Bytes, std::io::Error>> = vec![
            Ok(Bytes::from_static(b"partial")),
            Err(std::io::Error::other("disk gone")),
        ];
        let body = Body::from_stream(futures_util::stream::iter(chunks));
        assert_eq!(
            frames(body).await,
            vec![
                Ok(Bytes::from_static(b"partial")),
                Err("disk gone".to_string())
            ]
        );
    }

    #[tokio::test]
    async fn wrapping_keeps_bytes_and_size() {
        let body = Body::new(Full::new(Bytes::from_static(b"wrapped")));
        assert_eq!(body.size_hint().exact(), Some(7));
        assert_eq!(collect(body).await.unwrap(), "wrapped");

        let frames_in = futures_util::stream::iter(vec![
            Ok::<_, std::convert::Infallible>(Frame::data(Bytes::from_static(b"a"))),
            Ok(Frame::data(Bytes::from_static(b"b"))),
        ]);
        let body = Body::new(StreamBody::new(frames_in));
        assert_eq!(collect(body).await.unwrap(), "ab");
    }

    #[tokio::test]
    async fn wrapping_a_body_does_not_box_it_again() {
        let body = Body::new(Body::from("plain"));
        assert_eq!(body.as_bytes(), Some(&b"plain"[..]));
        let body = Body::new(Body::empty());
        assert!(body.is_end_stream());
    }

    #[test]
    fn body_is_send() {
        fn is_send<T: Send + 'static>() {}
        is_send::<Body>();
    }

    proptest::proptest! {
        #[test]
        fn any_chunks_arrive_whole_and_in_order(chunks in proptest::collection::vec(
            proptest::collection::vec(proptest::num::u8::ANY, 0..64), 0..16)
        ) {
            let expected: Vec<u8> = chunks.concat();
            let full = Body::from(expected.clone());
            proptest::prop_assert_eq!(full.size_hint().exact(), Some(expected.len() as u64));
            let stream = futures_util::stream::iter(
                chunks.into_iter().map(|c| Ok::<_, std::io::Error>(Bytes::from(c))),
            );
            let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
            let (streamed, buffered) = runtime.block_on(async {
                (collect(Body::from_stream(stream)).await.unwrap(), collect(full).await.unwrap())
            });
            proptest::prop_assert_eq!(&streamed[..], &expected[..]);
            proptest::prop_assert_eq!(&buffered[..], &expected[..]);
        }
    }
}
