//! Streaming a `multipart/form-data` body (RFC 7578) part by part and chunk
//! by chunk, without buffering parts.

use std::fmt;

use bytes::Bytes;
use http::header::CONTENT_TYPE;
use http_body::Body;

use super::reader::LimitedBody;
use crate::http_error::HttpError;
use crate::multipart::{self, Event, MultipartDecoder, MultipartError, PartHeaders};
use crate::request::Request;
use crate::response::BoxError;

impl<B> Request<B>
where
    B: Body + Unpin,
    B::Error: Into<BoxError>,
{
    /// Streams a `multipart/form-data` body: [`Multipart::next_part`] gives
    /// each part's headers, [`Part::chunk`] its bytes as they arrive. Nothing
    /// is buffered beyond one frame and a delimiter's length, and nothing
    /// touches the disk: the handler decides where uploads go.
    ///
    /// A `Content-Type` other than `multipart/form-data` is `415
    /// Unsupported Media Type`; a missing or invalid boundary is 400. The
    /// multipart limits of [`BodyLimits`](super::BodyLimits) and
    /// `max_content_length` apply as the body is read, each breach a 413
    /// naming the limit. The body is read once, as with
    /// [`bytes`](Self::bytes).
    ///
    /// ```
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// use http_body_util::Full;
    /// use tackle_request::Request;
    ///
    /// let body = "--b\r\nContent-Disposition: form-data; name=\"doc\"; filename=\"a.txt\"\r\n\r\n\
    ///             hello\r\n--b--\r\n";
    /// let mut request = Request::new(
    ///     http::Request::post("/upload")
    ///         .header("content-type", "multipart/form-data; boundary=b")
    ///         .body(Full::new(bytes::Bytes::from(body)))
    ///         .unwrap(),
    /// );
    /// let mut multipart = request.multipart()?;
    /// while let Some(mut part) = multipart.next_part().await? {
    ///     assert_eq!(part.filename(), Some("a.txt"));
    ///     let mut size = 0;
    ///     while let Some(chunk) = part.chunk().await? {
    ///         size += chunk.len();
    ///     }
    ///     assert_eq!(size, 5);
    /// }
    /// # Ok::<(), tackle_request::HttpError>(())
    /// # }).unwrap();
    /// ```
    pub fn multipart(&mut self) -> Result<Multipart<'_, B>, HttpError> {
        let content_type = self
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        let is_multipart = content_type
            .parse::<tackle_http::ContentType>()
            .is_ok_and(|c| c.is_multipart_form());
        if !is_multipart {
            return Err(HttpError::new(
                http::StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "expected a multipart/form-data body",
            ));
        }
        let boundary = multipart::boundary(content_type)?;
        let limits = self.body_limits();
        let decoder = MultipartDecoder::new(&boundary, limits.multipart.clone())?;
        let limit = limits.content_length();
        let content_length = self.content_length();
        let body = LimitedBody::new(self.body_for_reading()?, content_length, limit)?;
        Ok(Multipart {
            body,
            decoder,
            finished: false,
            state: State::BetweenParts,
        })
    }
}

/// A `multipart/form-data` body being read, from
/// [`Request::multipart`]; it borrows the request's body.
pub struct Multipart<'r, B> {
    body: LimitedBody<'r, B>,
    decoder: MultipartDecoder,
    /// Whether the body has ended and the decoder was told so.
    finished: bool,
    state: State,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    BetweenParts,
    InPart,
    Done,
}

impl<'r, B> Multipart<'r, B>
where
    B: Body + Unpin,
    B::Error: Into<BoxError>,
{
    /// The next part, or `None` after the final boundary. The rest of the
    /// previous part, if it was not read to its end, is skipped (read from
    /// the body and dropped). A malformed or truncated body is 400, a
    /// breached limit 413.
    pub async fn next_part(&mut self) -> Result<Option<Part<'_, 'r, B>>, HttpError> {
        loop {
            if self.state == State::Done {
                return Ok(None);
            }
            match self.next_event().await? {
                Event::PartStart(headers) => {
                    self.state = State::InPart;
                    return Ok(Some(Part {
                        multipart: self,
                        headers,
                    }));
                }
                Event::Data(_) => {}
                Event::PartEnd => self.state = State::BetweenParts,
                Event::End => self.state = State::Done,
            }
        }
    }

    async fn next_event(&mut self) -> Result<Event, HttpError> {
        read_event(&mut self.decoder, &mut self.body, &mut self.finished)
            .await
            .inspect_err(|_| self.state = State::Done)
    }
}

impl<B> fmt::Debug for Multipart<'_, B> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Multipart")
            .field("state", &self.state)
            .finish_non_exhaustive()
    }
}

/// One part of a [`Multipart`] body: its headers, and its bytes read with
/// [`chunk`](Self::chunk).
pub struct Part<'m, 'r, B> {
    multipart: &'m mut Multipart<'r, B>,
    headers: PartHeaders,
}

impl<B> Part<'_, '_, B>
where
    B: Body + Unpin,
    B::Error: Into<BoxError>,
{
    /// The next chunk of the part's body as it arrives, or `None` at its
    /// end. Chunks follow the body's frames (less any bytes that may start
    /// a delimiter, which come with the next chunk), so their sizes vary.
    pub async fn chunk(&mut self) -> Result<Option<Bytes>, HttpError> {
        if self.multipart.state != State::InPart {
            return Ok(None);
        }
        match self.multipart.next_event().await? {
            Event::Data(data) => Ok(Some(data)),
            Event::PartEnd => {
                self.multipart.state = State::BetweenParts;
                Ok(None)
            }
            // The decoder always ends a part before it starts another or
            // ends the body; this keeps a broken promise from going unseen.
            Event::PartStart(_) | Event::End => {
                self.multipart.state = State::Done;
                Err(HttpError::internal_server_error())
            }
        }
    }
}

impl<B> Part<'_, '_, B> {
    /// The part's headers: name, filename, content type and all header
    /// fields.
    pub fn headers(&self) -> &PartHeaders {
        &self.headers
    }

    /// The form field name (`Content-Disposition: form-data; name="..."`).
    pub fn name(&self) -> &str {
        self.headers.name()
    }

    /// The file name the client gave, cut to its last path segment; `None`
    /// for a plain field. Not safe as a path: see
    /// [`tackle_http::secure_filename`].
    pub fn filename(&self) -> Option<&str> {
        self.headers.filename()
    }

    /// The part's `Content-Type`, if it has one (RFC 7578 §4.4: `text/plain`
    /// otherwise).
    pub fn content_type(&self) -> Option<&str> {
        self.headers.content_type()
    }
}

impl<B> fmt::Debug for Part<'_, '_, B> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Part")
            .field("headers", &self.headers)
            .finish_non_exhaustive()
    }
}

/// The decoder's next event, feeding it body chunks until it has one.
/// `finished` records that the body ended and the decoder was told.
pub(crate) async fn read_event<B>(
    decoder: &mut MultipartDecoder,
    body: &mut LimitedBody<'_, B>,
    finished: &mut bool,
) -> Result<Event, HttpError>
where
    B: Body + Unpin,
    B::Error: Into<BoxError>,
{
    loop {
        if let Some(event) = decoder.next_event()? {
            return Ok(event);
        }
        if *finished {
            // A finished decoder reports a missing final boundary itself;
            // this only guards that promise.
            return Err(MultipartError::incomplete(
                "multipart body ended without the final boundary",
            )
            .into());
        }
        match body.next_chunk().await? {
            Some(chunk) => decoder.feed(&chunk),
            None => {
                decoder.finish();
                *finished = true;
            }
        }
    }
}
