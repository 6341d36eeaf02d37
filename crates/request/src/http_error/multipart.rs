//! Mapping multipart decoding errors (RFC 7578) to [`HttpError`].

use http::StatusCode;

use super::HttpError;
use crate::multipart::MultipartError;

impl From<MultipartError> for HttpError {
    /// A breached [`MultipartLimits`](crate::multipart::MultipartLimits)
    /// limit is 413 Payload Too Large, naming the limit and its value. That
    /// includes the part header limits: part headers are body content, and
    /// 431 is about the request's own header section. Any other multipart
    /// error (bad syntax, a truncated body, a missing or invalid boundary) is
    /// 400 Bad Request. The message is the error's own, which is safe to show.
    fn from(error: MultipartError) -> Self {
        let status = if error.is_too_large() {
            StatusCode::PAYLOAD_TOO_LARGE
        } else {
            StatusCode::BAD_REQUEST
        };
        HttpError::new(status, error.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::multipart::{MultipartDecoder, MultipartLimits};

    #[test]
    fn maps_kinds_to_status_and_message() {
        let cases: &[(MultipartError, u16, &str)] = &[
            (
                MultipartError::too_large(
                    "form field \"bio\" is",
                    "max_form_memory_size",
                    500_000,
                    "bytes",
                ),
                413,
                "413 Payload Too Large: form field \"bio\" is over max_form_memory_size (500000 bytes)",
            ),
            (
                MultipartError::too_large(
                    "multipart part headers are",
                    "max_part_header_bytes",
                    8192,
                    "bytes",
                ),
                413,
                "413 Payload Too Large: multipart part headers are over max_part_header_bytes (8192 bytes)",
            ),
            (
                MultipartError::invalid("multipart part has no Content-Disposition"),
                400,
                "400 Bad Request: multipart part has no Content-Disposition",
            ),
            (
                MultipartError::incomplete("multipart body ended without the final boundary"),
                400,
                "400 Bad Request: multipart body ended without the final boundary",
            ),
            (
                MultipartError::boundary("multipart boundary is missing"),
                400,
                "400 Bad Request: multipart boundary is missing",
            ),
        ];
        for (error, status, display) in cases {
            let http_error = HttpError::from(error.clone());
            assert_eq!(http_error.status().as_u16(), *status, "{error}");
            assert_eq!(http_error.to_string(), *display);
            assert!(http_error.headers().is_empty());
        }
    }

    #[test]
    fn decoder_limit_breach_names_the_limit() {
        let limits = MultipartLimits::default().max_field_bytes(3);
        let mut decoder = MultipartDecoder::new("XyZ", limits).unwrap();
        decoder.feed(b"--XyZ\r\nContent-Disposition: form-data; name=\"bio\"\r\n\r\nlong text\r\n--XyZ--\r\n");
        decoder.finish();
        let error = loop {
            match decoder.next_event() {
                Ok(Some(_)) => {}
                Ok(None) => panic!("decoder stalled"),
                Err(error) => break error,
            }
        };
        let limit = error.limit();
        let http_error = HttpError::from(error);
        assert_eq!(http_error.status(), StatusCode::PAYLOAD_TOO_LARGE);
        let (name, value) = limit.unwrap();
        assert!(
            http_error
                .message()
                .contains(&format!("{name} ({value} bytes)"))
        );
    }
}
