//! Reading a request body with limits: [`Request::bytes`],
//! [`Request::text`], [`Request::json`] and [`Request::form`] read it whole
//! (forms with their files spooled to disk), [`Request::multipart`] streams
//! a `multipart/form-data` body (RFC 7578) part by part.
//!
//! Every reader obeys the [`BodyLimits`] in the request's extensions, or
//! the defaults: a body over a limit is `413 Payload Too Large` naming the
//! limit and its value, refused before reading when `Content-Length`
//! announces it, and as soon as it passes the limit otherwise, without
//! reading the rest. A body that cannot be read (the client went away) is
//! 400; a `Content-Type` the reader does not take is 415.
//!
//! The readers take `&mut self` and read the body in place, so the
//! request's other accessors stay usable; the body type must be [`Unpin`]
//! (hyper's `Incoming`, `http_body_util::Full` and tackle's
//! [`Body`](crate::Body) are; pin others in a `Box`). The body can be read
//! once: a second read is refused with a 500, "the request body was already
//! read", rather than silently seeing an empty body.
//!
//! ```
//! # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
//! use http_body_util::Full;
//! use tackle_request::Request;
//! use tackle_request::body::BodyLimits;
//!
//! let http_request = http::Request::post("/notes")
//!     .header("content-type", "application/json")
//!     .extension(BodyLimits::new().max_content_length(1024))
//!     .body(Full::new(bytes::Bytes::from(r#"{"title": "Minutes"}"#)))
//!     .unwrap();
//! let mut request = Request::new(http_request);
//! let note = request.json().await?;
//! assert_eq!(note["title"], "Minutes");
//! # Ok::<(), tackle_request::HttpError>(())
//! # }).unwrap();
//! ```

mod buffered;
mod form;
mod limits;
mod multipart;
mod reader;

#[cfg(test)]
mod tests;

pub use limits::{BodyLimits, DEFAULT_MAX_BUFFERED_BYTES};
pub use multipart::{Multipart, Part};

#[cfg(doc)]
use crate::Request;
