//! The framing of a `multipart/byteranges` body (RFC 9110 §14.6): what a
//! server writes around the bytes of each range when one response carries
//! several.
//!
//! Only the framing lives here; the bytes come from wherever the
//! representation is (a buffer, a file), so the same framing serves a cache
//! layer slicing a buffered body and a static file service reading a file.

use std::fmt::Write as _;

use super::resolve::ResolvedRanges;
use super::{ByteRange, ContentRange};
use crate::ParseError;

/// The longest boundary RFC 2046 §5.1.1 allows: 70 characters.
pub const MAX_BOUNDARY_LEN: usize = 70;

/// The parts of a `multipart/byteranges` body: for each range, the text to
/// send before its bytes, then the closing delimiter.
///
/// ```
/// use tackle_http::range::MultipartByteranges;
/// use tackle_http::{Range, RangeResolution};
///
/// let range: Range = "bytes=0-1,5-6".parse().unwrap();
/// let RangeResolution::Satisfiable(ranges) = range.byte_ranges().unwrap().resolve(8) else {
///     unreachable!()
/// };
/// let body = MultipartByteranges::new("SEP", Some("text/plain"), &ranges).unwrap();
/// assert_eq!(body.content_type(), "multipart/byteranges; boundary=SEP");
///
/// let content = b"abcdefgh";
/// let mut sent = Vec::new();
/// for (head, range) in body.parts() {
///     sent.extend_from_slice(head.as_bytes());
///     sent.extend_from_slice(&content[range.first() as usize..=range.last() as usize]);
/// }
/// sent.extend_from_slice(body.closing().as_bytes());
/// assert_eq!(sent.len() as u64, body.content_length());
/// assert_eq!(
///     String::from_utf8(sent).unwrap(),
///     "--SEP\r\nContent-Type: text/plain\r\nContent-Range: bytes 0-1/8\r\n\r\nab\
///      \r\n--SEP\r\nContent-Type: text/plain\r\nContent-Range: bytes 5-6/8\r\n\r\nfg\
///      \r\n--SEP--\r\n"
/// );
/// ```
#[derive(Clone, Debug)]
pub struct MultipartByteranges {
    boundary: String,
    parts: Vec<(String, ByteRange)>,
    closing: String,
    content_length: u64,
}

impl MultipartByteranges {
    /// Frames `ranges` with `boundary`, each part labelled with
    /// `content_type` (the representation's) when given.
    ///
    /// The boundary must be 1 to 70 characters that RFC 2046 allows, not
    /// ending in a space; it should be random enough not to occur in the
    /// content (16 random hex digits are plenty).
    pub fn new(
        boundary: &str,
        content_type: Option<&str>,
        ranges: &ResolvedRanges,
    ) -> Result<Self, ParseError> {
        if !is_boundary(boundary) {
            return Err(ParseError::invalid(
                "multipart/byteranges",
                "a boundary is 1 to 70 of the characters RFC 2046 allows, not ending in a space",
            ));
        }
        if content_type.is_some_and(|t| t.bytes().any(|b| b == b'\r' || b == b'\n')) {
            return Err(ParseError::invalid(
                "multipart/byteranges",
                "a content type cannot hold a line break",
            ));
        }
        let complete_length = ranges.complete_length();
        let mut content_length = 0u64;
        let parts: Vec<(String, ByteRange)> = ranges
            .iter()
            .enumerate()
            .map(|(i, &range)| {
                // The CRLF before a delimiter belongs to the delimiter
                // (RFC 2046 §5.1.1), so every part but the first starts with one.
                let mut head = String::with_capacity(96);
                if i > 0 {
                    head.push_str("\r\n");
                }
                let _ = write!(head, "--{boundary}\r\n");
                if let Some(content_type) = content_type {
                    let _ = write!(head, "Content-Type: {content_type}\r\n");
                }
                let content_range = ContentRange::resolved(range, complete_length);
                let _ = write!(head, "Content-Range: {content_range}\r\n\r\n");
                content_length = content_length
                    .saturating_add(head.len() as u64)
                    .saturating_add(range.len());
                (head, range)
            })
            .collect();
        let closing = format!("\r\n--{boundary}--\r\n");
        content_length = content_length.saturating_add(closing.len() as u64);
        Ok(MultipartByteranges {
            boundary: boundary.to_owned(),
            parts,
            closing,
            content_length,
        })
    }

    /// The response's `Content-Type`: `multipart/byteranges; boundary=...`.
    pub fn content_type(&self) -> String {
        format!("multipart/byteranges; boundary={}", self.boundary)
    }

    /// Each range with the text to send just before its bytes.
    pub fn parts(&self) -> impl ExactSizeIterator<Item = (&str, ByteRange)> + '_ {
        self.parts
            .iter()
            .map(|(head, range)| (head.as_str(), *range))
    }

    /// The closing delimiter, sent after the last range's bytes.
    pub fn closing(&self) -> &str {
        &self.closing
    }

    /// The length of the whole body: heads, ranges and closing delimiter.
    pub fn content_length(&self) -> u64 {
        self.content_length
    }
}

/// RFC 2046 §5.1.1: `boundary := 0*69<bchars> bcharsnospace`.
fn is_boundary(boundary: &str) -> bool {
    let bytes = boundary.as_bytes();
    (1..=MAX_BOUNDARY_LEN).contains(&bytes.len())
        && !boundary.ends_with(' ')
        && bytes
            .iter()
            .all(|&b| b.is_ascii_alphanumeric() || b"'()+_,-./:=? ".contains(&b))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Range, RangeResolution};

    fn resolve(header: &str, length: u64) -> ResolvedRanges {
        let range: Range = header.parse().unwrap();
        match range.byte_ranges().unwrap().resolve(length) {
            RangeResolution::Satisfiable(ranges) => ranges,
            other => panic!("{header}: {other:?}"),
        }
    }

    fn render(framing: &MultipartByteranges, content: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        for (head, range) in framing.parts() {
            out.extend_from_slice(head.as_bytes());
            out.extend_from_slice(&content[range.first() as usize..=range.last() as usize]);
        }
        out.extend_from_slice(framing.closing().as_bytes());
        out
    }

    /// RFC 9110 §14.6's example, two ranges of an 8000-byte PDF.
    #[test]
    fn rfc_9110_example() {
        let ranges = resolve("bytes=500-999,7000-7999", 8000);
        let framing =
            MultipartByteranges::new("THIS_STRING_SEPARATES", Some("application/pdf"), &ranges)
                .unwrap();
        let content = vec![b'x'; 8000];
        let body = String::from_utf8(render(&framing, &content)).unwrap();
        let expected = format!(
            "--THIS_STRING_SEPARATES\r\nContent-Type: application/pdf\r\n\
             Content-Range: bytes 500-999/8000\r\n\r\n{}\
             \r\n--THIS_STRING_SEPARATES\r\nContent-Type: application/pdf\r\n\
             Content-Range: bytes 7000-7999/8000\r\n\r\n{}\
             \r\n--THIS_STRING_SEPARATES--\r\n",
            "x".repeat(500),
            "x".repeat(1000)
        );
        assert_eq!(body, expected);
        assert_eq!(framing.content_length(), body.len() as u64);
        assert_eq!(
            framing.content_type(),
            "multipart/byteranges; boundary=THIS_STRING_SEPARATES"
        );
    }

    #[test]
    fn without_content_type() {
        let ranges = resolve("bytes=0-0,-1", 3);
        let framing = MultipartByteranges::new("b", None, &ranges).unwrap();
        let body = render(&framing, b"xyz");
        assert_eq!(
            body,
            b"--b\r\nContent-Range: bytes 0-0/3\r\n\r\nx\r\n--b\r\nContent-Range: bytes 2-2/3\r\n\r\nz\r\n--b--\r\n"
        );
        assert_eq!(framing.content_length(), body.len() as u64);
    }

    #[test]
    fn boundary_rules() {
        let ranges = resolve("bytes=0-0", 3);
        for good in [
            "a",
            "0123456789abcdef",
            "it's (ok) +_,-./:=?",
            &"b".repeat(70),
        ] {
            assert!(
                MultipartByteranges::new(good, None, &ranges).is_ok(),
                "{good}"
            );
        }
        for bad in [
            "",
            "ends ",
            "semi;colon",
            "quote\"",
            "line\r\n",
            &"b".repeat(71),
            "é",
        ] {
            assert!(
                MultipartByteranges::new(bad, None, &ranges).is_err(),
                "{bad:?}"
            );
        }
        assert!(MultipartByteranges::new("b", Some("text/plain\r\nX: y"), &ranges).is_err());
    }
}
