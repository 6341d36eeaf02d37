//! Request objects for tackle services: query arguments, cookies, forms,
//! multipart uploads, JSON bodies and the limits that keep them bounded.
//!
//! So far the crate holds these pieces:
//!
//! - [`multipart`]: a sans-IO `multipart/form-data` decoder (RFC 7578) that
//!   turns body bytes, fed in chunks of any size, into a stream of events
//!   with bounded memory and in time linear in the body;
//! - [`form`]: collecting those events into [`form::FormData`], fields and
//!   uploaded files, the files kept in memory up to a threshold and spooled
//!   to temporary files past it;
//! - [`HttpError`]: the error that becomes a response, rendered as HTML,
//!   problem+JSON or text by the request's `Accept`, naming the limit when a
//!   limit was broken;
//! - [`Request`]: a wrapper over `http::Request` with lazily parsed, cached
//!   accessors (path, query args, cookies, validated host, URLs, remote
//!   address, typed headers) and [`extensions`], the types routers and
//!   servers put in request extensions (path parameters, matched route,
//!   mount prefix, URL builder, connection info);
//! - [`response`]: [`Body`], one body type for responses tackle creates, and
//!   builders (`response::Response::text`, `redirect`, `attachment`, ...)
//!   with [`ResponseExt`] for cookies, validators and cache policy.
//!
//! - [`body`]: reading the body once with limits: `bytes()`, `text()`,
//!   `json()`, `form()` (urlencoded and multipart, streamed) and a streaming
//!   `multipart()` API, every limit breach a 413 naming the limit;
//! - [`handler()`]: an async function from [`Request`] to a response as a
//!   `tower::Service`, errors rendered by `Accept`;
//! - [`ProxyFixLayer`]: Werkzeug's ProxyFix, trusting the last *n* proxies.
//!
//! ```
//! use tackle_request::multipart::{self, Event, MultipartDecoder, MultipartLimits};
//!
//! let boundary = multipart::boundary("multipart/form-data; boundary=XyZ").unwrap();
//! let mut decoder = MultipartDecoder::new(&boundary, MultipartLimits::default()).unwrap();
//! decoder.feed(b"--XyZ\r\nContent-Disposition: form-data; name=\"q\"\r\n\r\nrust\r\n--XyZ--\r\n");
//! decoder.finish();
//! let mut events = Vec::new();
//! while let Some(event) = decoder.next_event().unwrap() {
//!     let end = event == Event::End;
//!     events.push(event);
//!     if end {
//!         break;
//!     }
//! }
//! assert!(matches!(&events[0], Event::PartStart(part) if part.name() == "q"));
//! assert_eq!(events[1], Event::Data(bytes::Bytes::from_static(b"rust")));
//! assert_eq!(events[2..], [Event::PartEnd, Event::End]);
//! ```
#![deny(missing_docs)]
#![forbid(unsafe_code)]

#[cfg(feature = "axum")]
pub mod axum;
pub mod body;
pub mod extensions;
pub mod form;
pub mod handler;
pub mod http_error;
pub mod multipart;
pub mod proxy_fix;
pub mod request;
pub mod response;

pub use body::BodyLimits;
pub use extensions::{
    ConnectionInfo, MatchedRoute, MountPrefix, OriginalUri, PathParams, UrlBuilder,
};
pub use handler::{Handler, handler};
pub use http_error::HttpError;
pub use proxy_fix::{ProxyFix, ProxyFixLayer};
pub use request::{Request, RequestConfig};
pub use response::{Body, BoxError, ResponseExt};

/// The README's example, compiled and run as a doctest.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
