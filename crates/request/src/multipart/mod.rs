//! A sans-IO decoder for `multipart/form-data` bodies (RFC 7578, over the
//! multipart grammar of RFC 2046 §5.1), in the manner of Werkzeug's
//! `sansio/multipart.py`: no I/O, no async, bytes in and events out.
//!
//! ```
//! use tackle_request::multipart::{self, Event, MultipartDecoder, MultipartLimits};
//!
//! let content_type = r#"multipart/form-data; boundary="---x""#;
//! let body: &[u8] = b"-----x\r\n\
//!     Content-Disposition: form-data; name=\"title\"\r\n\r\n\
//!     Minutes\r\n\
//!     -----x\r\n\
//!     Content-Disposition: form-data; name=\"doc\"; filename=\"C:\\\\Docs\\\\m.txt\"\r\n\
//!     Content-Type: text/plain\r\n\r\n\
//!     line one\r\nline two\r\n\
//!     -----x--\r\n";
//!
//! let boundary = multipart::boundary(content_type).unwrap();
//! let mut decoder = MultipartDecoder::new(&boundary, MultipartLimits::default()).unwrap();
//! let mut parts: Vec<(String, Option<String>, Vec<u8>)> = Vec::new();
//! let mut chunks = body.chunks(7); // any chunking gives the same parts
//! loop {
//!     match decoder.next_event().unwrap() {
//!         Some(Event::PartStart(part)) => {
//!             parts.push((part.name().into(), part.filename().map(Into::into), Vec::new()))
//!         }
//!         Some(Event::Data(bytes)) => parts.last_mut().unwrap().2.extend_from_slice(&bytes),
//!         Some(Event::PartEnd) => {}
//!         Some(Event::End) => break,
//!         None => match chunks.next() {
//!             Some(chunk) => decoder.feed(chunk),
//!             None => decoder.finish(),
//!         },
//!     }
//! }
//! assert_eq!(parts[0], ("title".into(), None, b"Minutes".to_vec()));
//! assert_eq!(parts[1], ("doc".into(), Some("m.txt".into()), b"line one\r\nline two".to_vec()));
//! ```
//!
//! # What it accepts
//!
//! Lenient where browsers and old clients differ:
//!
//! - **Line breaks.** The line that ends the first boundary fixes the body's
//!   line break: CRLF, LF (old Internet Explorer) or a lone CR (a CR followed
//!   by anything but LF). Every later delimiter must use the same one, so a
//!   stray CR or LF in binary data of an LF or CRLF body stays data. In part
//!   headers, CRLF and LF both end a line (and CR, in a CR body); a CR
//!   elsewhere in a header block is an error.
//! - **Preamble.** Bytes before the first boundary are skipped, up to
//!   `max_preamble_bytes`; the first boundary must start a line. A preamble
//!   followed directly by the final boundary is an empty form (Werkzeug does
//!   the same); set `max_preamble_bytes(0)` to refuse any preamble.
//! - **Look-alikes.** A line that starts with the boundary but goes on with
//!   something other than `--`, up to 64 spaces or tabs, and the line break
//!   is part data, as RFC 2046 requires.
//! - **Headers.** Names are case-insensitive; obs-fold continuation lines
//!   are joined with one space; `name` and `filename` may be quoted or not;
//!   `filename*` (RFC 8187, RFC 2231 continuations) wins over `filename`;
//!   raw UTF-8 is read as sent; an Internet Explorer full path is cut to its
//!   file name ([`PartHeaders::filename`]). A part without `Content-Type` has
//!   [`PartHeaders::content_type`] `None` (RFC 7578 §4.4: text/plain).
//! - **Epilogue.** Bytes after the final boundary line are dropped, up to
//!   `max_epilogue_bytes`; more is an error, not a silent stop, since a
//!   sans-IO decoder cannot stop the peer sending. Bytes after `--boundary--`
//!   on its line count as epilogue.
//! - **Content-Transfer-Encoding** is ignored and the bytes are kept as
//!   sent: RFC 7578 §4.7 deprecates it and browsers never send it.
//!
//! Strict where it matters: a body that ends without the final boundary, a
//! part without `Content-Disposition`, one whose disposition is not
//! `form-data` or that has no `name`, a header line without a colon or with
//! a name that is not a token, and a header value with control characters
//! are errors naming the problem. Every limit of [`MultipartLimits`] is
//! named, with its value, in the error that enforces it.
//!
//! # Memory and time
//!
//! The decoder holds the bytes fed since the last event plus at most a
//! delimiter's length (and a part's header block, up to
//! `max_part_header_bytes`): part data is handed out as soon as it cannot be
//! the start of a delimiter. Call [`MultipartDecoder::next_event`] until it
//! returns `None` before feeding the next chunk. The delimiter is found with
//! `memchr`'s `memmem`; a search resumes past every byte already ruled out,
//! and only a tail shorter than the delimiter (plus at most 64 bytes of
//! transport padding) is looked at again when the next chunk arrives, so
//! decoding takes time linear in the body however it is
//! split (the quadratic-scan class of CVE-2023-46136).

mod boundary;
mod decoder;
mod error;
mod limits;
mod part;

pub use boundary::{MAX_BOUNDARY_LEN, boundary, validate_boundary};
pub use decoder::{Event, MultipartDecoder};
pub use error::MultipartError;
pub use limits::{
    DEFAULT_MAX_EPILOGUE_BYTES, DEFAULT_MAX_FIELD_BYTES, DEFAULT_MAX_FORM_PARTS,
    DEFAULT_MAX_PART_HEADER_BYTES, DEFAULT_MAX_PART_HEADER_COUNT, DEFAULT_MAX_PREAMBLE_BYTES,
    MultipartLimits,
};
pub use part::PartHeaders;
