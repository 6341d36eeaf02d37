//! Reading body frames one data chunk at a time while counting them against
//! a limit, the one loop every body method is built on.

use bytes::{Buf, Bytes};
use http::StatusCode;
use http_body::Body;
use http_body_util::{BodyExt, LengthLimitError};

use super::limits::Limit;
use crate::http_error::HttpError;
use crate::response::BoxError;

/// A body borrowed from its request, read chunk by chunk: it fails with the
/// limit's 413 as soon as the bytes read pass it, before the next frame is
/// polled, so a client cannot make the server read on.
pub(crate) struct LimitedBody<'a, B> {
    body: &'a mut B,
    read: u64,
    limit: Option<Limit>,
}

impl<'a, B> LimitedBody<'a, B>
where
    B: Body + Unpin,
    B::Error: Into<BoxError>,
{
    /// Refuses a body whose announced size passes `limit` (its
    /// `Content-Length`, or the body's exact size hint), before reading any
    /// of it; `content_length` is the request's parsed header.
    pub(crate) fn new(
        body: &'a mut B,
        content_length: Option<Result<u64, tackle_http::ParseError>>,
        limit: Option<Limit>,
    ) -> Result<Self, HttpError> {
        let announced = match content_length {
            Some(Ok(length)) => length,
            Some(Err(_)) => return Err(HttpError::bad_request("Content-Length is invalid")),
            None => body.size_hint().lower(),
        };
        if let Some(limit) = limit
            && announced > limit.value
        {
            return Err(limit.error());
        }
        Ok(LimitedBody {
            body,
            read: 0,
            limit,
        })
    }

    /// The next non-empty data chunk, or `None` at the end of the body.
    /// Trailers are skipped.
    pub(crate) async fn next_chunk(&mut self) -> Result<Option<Bytes>, HttpError> {
        loop {
            let Some(frame) = self.body.frame().await else {
                return Ok(None);
            };
            let frame = frame.map_err(read_error)?;
            let Ok(mut data) = frame.into_data() else {
                continue;
            };
            let len = data.remaining();
            if len == 0 {
                continue;
            }
            self.read = self.read.saturating_add(len as u64);
            if let Some(limit) = self.limit
                && self.read > limit.value
            {
                return Err(limit.error());
            }
            return Ok(Some(data.copy_to_bytes(len)));
        }
    }

    /// The body's own view of whether it has ended.
    pub(crate) fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }
}

/// A body that failed mid-read: the client went away or sent a broken
/// framing (400, as Werkzeug's `ClientDisconnected`), or a body limit layer
/// further in stopped it (413). The cause is not shown: it may describe the
/// server.
fn read_error(error: impl Into<BoxError>) -> HttpError {
    let error: BoxError = error.into();
    if error.is::<LengthLimitError>() {
        HttpError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "request body is over the server's body size limit",
        )
    } else {
        HttpError::bad_request("request body could not be read")
    }
}
