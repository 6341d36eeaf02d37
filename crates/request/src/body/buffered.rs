//! Reading a whole body into memory: raw bytes, text in its declared
//! charset, and JSON.

use bytes::{Bytes, BytesMut};
use http::StatusCode;
use http::header::CONTENT_TYPE;
use http_body::Body;

use super::limits::BodyLimits;
use super::reader::LimitedBody;
use crate::http_error::HttpError;
use crate::request::Request;
use crate::response::BoxError;

impl<B> Request<B> {
    /// The limits the body readers obey: the [`BodyLimits`] in the request's
    /// extensions, else the defaults.
    pub fn body_limits(&self) -> &BodyLimits {
        self.extensions()
            .get::<BodyLimits>()
            .unwrap_or(BodyLimits::DEFAULT)
    }
}

impl<B> Request<B>
where
    B: Body + Unpin,
    B::Error: Into<BoxError>,
{
    /// Reads the whole body into memory, up to the smaller of
    /// `max_content_length` and `max_buffered_bytes` (2 MiB by default).
    ///
    /// A `Content-Length` over the limit is refused before any byte is read;
    /// a body that passes it while being read is refused as soon as it does,
    /// without reading on. Either way the answer is `413 Payload Too Large:
    /// request body is over max_buffered_bytes (2097152 bytes)`, naming the
    /// limit. An invalid `Content-Length`, or a body that fails mid-read
    /// (the client went away), is 400.
    ///
    /// The body is read in place, once: a second read (by this or any other
    /// reading method) is a 500, "the request body was already read". Keep
    /// the result where it is needed twice.
    pub async fn bytes(&mut self) -> Result<Bytes, HttpError> {
        let limit = self.body_limits().buffered();
        let content_length = self.content_length();
        let mut body = LimitedBody::new(self.body_for_reading()?, content_length, limit)?;
        // One frame, the common case for small bodies, is returned as is.
        let Some(first) = body.next_chunk().await? else {
            return Ok(Bytes::new());
        };
        let Some(second) = body.next_chunk().await? else {
            return Ok(first);
        };
        let mut buffer = BytesMut::with_capacity(first.len() + second.len());
        buffer.extend_from_slice(&first);
        buffer.extend_from_slice(&second);
        while let Some(chunk) = body.next_chunk().await? {
            buffer.extend_from_slice(&chunk);
        }
        Ok(buffer.freeze())
    }

    /// Reads the whole body as [`bytes`](Self::bytes) does and decodes it as
    /// text by the `charset` of its `Content-Type`.
    ///
    /// UTF-8 is the default (RFC 9110 §8.3.1 leaves it to the media type;
    /// the Web has settled on UTF-8). `us-ascii` is read as UTF-8, of which
    /// it is a subset, and `iso-8859-1` (`latin1`) byte by byte. Invalid
    /// sequences become U+FFFD, as Werkzeug's `get_data(as_text=True)`
    /// does, rather than failing the request. Any other charset is `415
    /// Unsupported Media Type`: guessing would corrupt the text silently.
    pub async fn text(&mut self) -> Result<String, HttpError> {
        let charset = Charset::of(self.headers().get(CONTENT_TYPE))?;
        let bytes = self.bytes().await?;
        Ok(charset.decode(&bytes))
    }

    /// Reads the whole body as [`bytes`](Self::bytes) does and parses it as
    /// JSON (RFC 8259), as Flask's `get_json()` does.
    ///
    /// The `Content-Type` must be JSON (`application/json` or a `+json`
    /// type), else `415 Unsupported Media Type`, so that a form posted
    /// cross-site cannot pass for JSON. A body that is not valid JSON,
    /// empty included, is `400 Bad Request` with the parser's reason and
    /// position: `invalid JSON body: expected value at line 1 column 1`.
    /// Nesting deeper than 128 levels is refused (`serde_json`'s limit).
    pub async fn json(&mut self) -> Result<serde_json::Value, HttpError> {
        if !self.is_json() {
            return Err(HttpError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "expected a JSON body (Content-Type: application/json)",
            ));
        }
        let bytes = self.bytes().await?;
        serde_json::from_slice(&bytes)
            .map_err(|e| HttpError::bad_request(format!("invalid JSON body: {e}")))
    }
}

/// The text encodings [`Request::text`] decodes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Charset {
    Utf8,
    Latin1,
}

impl Charset {
    fn of(content_type: Option<&http::HeaderValue>) -> Result<Charset, HttpError> {
        let Some(charset) = content_type
            .and_then(|v| v.to_str().ok())
            .and_then(tackle_http::media_type::charset_of)
        else {
            return Ok(Charset::Utf8);
        };
        const UTF8: &[&str] = &["utf-8", "utf8", "us-ascii", "ascii"];
        const LATIN1: &[&str] = &[
            "iso-8859-1",
            "iso8859-1",
            "iso_8859-1",
            "latin1",
            "latin-1",
            "l1",
        ];
        if UTF8.iter().any(|c| c.eq_ignore_ascii_case(charset)) {
            Ok(Charset::Utf8)
        } else if LATIN1.iter().any(|c| c.eq_ignore_ascii_case(charset)) {
            Ok(Charset::Latin1)
        } else {
            // The charset is not echoed: it is client text of any length.
            Err(HttpError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "the body's charset is not supported (send UTF-8 or ISO-8859-1)",
            ))
        }
    }

    fn decode(self, bytes: &[u8]) -> String {
        match self {
            Charset::Utf8 => String::from_utf8_lossy(bytes).into_owned(),
            Charset::Latin1 => bytes.iter().map(|&b| char::from(b)).collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn charsets() {
        // (Content-Type, body) -> decoded text, or None for 415.
        let cases: &[(Option<&str>, &[u8], Option<&str>)] = &[
            (None, b"caf\xc3\xa9", Some("café")),
            (Some("text/plain"), b"caf\xc3\xa9", Some("café")),
            (
                Some("text/plain; charset=utf-8"),
                b"caf\xc3\xa9",
                Some("café"),
            ),
            (
                Some("text/plain; charset=\"UTF-8\""),
                b"caf\xc3\xa9",
                Some("café"),
            ),
            (
                Some("text/plain; charset=utf-8"),
                b"caf\xe9",
                Some("caf\u{fffd}"),
            ),
            (Some("text/plain; charset=us-ascii"), b"cafe", Some("cafe")),
            (
                Some("text/plain; charset=ISO-8859-1"),
                b"caf\xe9",
                Some("café"),
            ),
            (Some("text/plain; charset=latin1"), b"\xa3\xff", Some("£ÿ")),
            (Some("text/plain; charset=shift_jis"), b"x", None),
            (Some("text/plain; charset=utf-16"), b"x", None),
        ];
        for &(content_type, body, expected) in cases {
            let header = content_type.map(|c| http::HeaderValue::from_str(c).unwrap());
            let got = Charset::of(header.as_ref()).map(|c| c.decode(body));
            match expected {
                Some(text) => assert_eq!(got.unwrap(), text, "{content_type:?}"),
                None => assert_eq!(
                    got.unwrap_err().status(),
                    StatusCode::UNSUPPORTED_MEDIA_TYPE,
                    "{content_type:?}"
                ),
            }
        }
    }
}
