//! Reading a form body, urlencoded or multipart, into [`FormData`].

use http::header::CONTENT_TYPE;
use http_body::Body;
use tackle_http::ContentType;
use tackle_http::urlencoded::decode_form_limited;

use super::limits::Limit;
use super::multipart::read_event;
use super::reader::LimitedBody;
use crate::form::{FormCollector, FormData};
use crate::http_error::HttpError;
use crate::multipart::{self, Event, MultipartDecoder};
use crate::request::Request;
use crate::response::BoxError;

impl<B> Request<B>
where
    B: Body + Unpin,
    B::Error: Into<BoxError>,
{
    /// Reads a form body, as Werkzeug's `request.form` and `request.files`.
    ///
    /// - `application/x-www-form-urlencoded`: read whole up to
    ///   `max_form_memory_size` (500 000 bytes by default) and decoded by the
    ///   WHATWG rules ([`tackle_http::urlencoded`]); more than
    ///   `max_form_parts` pairs (1000) is 413. Only UTF-8 is understood.
    /// - `multipart/form-data` (RFC 7578): streamed frame by frame through a
    ///   [`MultipartDecoder`] into a [`FormCollector`], never holding the
    ///   whole body; fields stay in memory, files past
    ///   [`FormOptions`](crate::form::FormOptions)'s thresholds are spooled
    ///   to temporary files. Spooling is blocking file I/O done on the
    ///   calling task, which is acceptable for moderate uploads; run very
    ///   large ones through [`multipart`](Self::multipart) instead. Each
    ///   [`MultipartLimits`](crate::multipart::MultipartLimits) breach is
    ///   413 naming the limit, a malformed body 400, a spooling failure 500.
    /// - no `Content-Type` and an empty body: an empty form (a `GET`).
    /// - anything else: `415 Unsupported Media Type`.
    ///
    /// `max_content_length`, when set, bounds either kind, and a
    /// `Content-Length` over a limit is refused before reading. The body is
    /// read once, as with [`bytes`](Self::bytes).
    pub async fn form(&mut self) -> Result<FormData, HttpError> {
        // Cloned so that the body can be borrowed; cheap unless a spool
        // directory is set.
        let limits = self.body_limits().clone();
        let content_type = self
            .headers()
            .get(CONTENT_TYPE)
            .map(|v| v.to_str().map_err(|_| invalid_content_type()))
            .transpose()?;
        let Some(content_type) = content_type else {
            let content_length = self.content_length();
            let body = LimitedBody::new(self.body_for_reading()?, content_length, None)?;
            return if body.is_end_stream() {
                Ok(FormData::default())
            } else {
                Err(not_a_form())
            };
        };
        let parsed: ContentType = content_type.parse().map_err(|_| invalid_content_type())?;
        if parsed.is_form_urlencoded() {
            let limit = limits.urlencoded();
            let max_pairs = limits.multipart.max_form_parts;
            let body = self.read_whole(limit).await?;
            let pairs = usize::try_from(max_pairs).unwrap_or(usize::MAX);
            // Its only error is the pair limit; bad bytes become U+FFFD.
            let fields = decode_form_limited(&body, pairs).map_err(|_| {
                HttpError::payload_too_large_for(
                    "urlencoded form",
                    "max_form_parts",
                    max_pairs,
                    "pairs",
                )
            })?;
            Ok(FormData {
                fields,
                ..FormData::default()
            })
        } else if parsed.is_multipart_form() {
            let boundary = multipart::boundary(content_type)?;
            let mut decoder = MultipartDecoder::new(&boundary, limits.multipart.clone())?;
            let mut collector = FormCollector::new(limits.form.clone());
            let limit = limits.content_length();
            let content_length = self.content_length();
            let mut body = LimitedBody::new(self.body_for_reading()?, content_length, limit)?;
            let mut finished = false;
            loop {
                match read_event(&mut decoder, &mut body, &mut finished).await? {
                    Event::End => return Ok(collector.finish()),
                    event => collector.push(event).map_err(|_| upload_not_stored())?,
                }
            }
        } else {
            Err(not_a_form())
        }
    }

    async fn read_whole(&mut self, limit: Option<Limit>) -> Result<Vec<u8>, HttpError> {
        let content_length = self.content_length();
        let mut body = LimitedBody::new(self.body_for_reading()?, content_length, limit)?;
        let mut buffer = Vec::new();
        while let Some(chunk) = body.next_chunk().await? {
            buffer.extend_from_slice(&chunk);
        }
        Ok(buffer)
    }
}

fn invalid_content_type() -> HttpError {
    HttpError::bad_request("Content-Type is invalid")
}

fn not_a_form() -> HttpError {
    HttpError::new(
        http::StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "expected a form body (application/x-www-form-urlencoded or multipart/form-data)",
    )
}

fn upload_not_stored() -> HttpError {
    // The I/O error can name server paths; it stays out of the response.
    HttpError::internal_server_error().with_message("an uploaded file could not be stored")
}
