//! HTTP vocabulary for tackle: typed headers, content negotiation, cache
//! directives, entity tags, dates, ranges, conditional-request evaluation,
//! cookies, proxies, hosts and safe paths.
//!
//! Pure functions and types: no I/O, no async, no tower. Every parser takes
//! text a client sent, returns `Option`/`Result`, never panics and runs in
//! time linear in its input; every value a parser accepts formats back to a
//! value that parses to itself (proptests and fuzz targets check this).
//!
//! ```
//! use http::{HeaderMap, Method, header};
//! use tackle_http::{Accept, EntityTag, Outcome, Preconditions, TypedHeader, Validators};
//!
//! let mut headers = HeaderMap::new();
//! headers.insert(header::ACCEPT, "text/html;q=0.9, application/json".parse().unwrap());
//! headers.insert(header::IF_NONE_MATCH, r#"W/"v1", "v2""#.parse().unwrap());
//!
//! // Content negotiation: an absent or unreadable Accept accepts anything.
//! let accept = Accept::from_headers(&headers).and_then(Result::ok).unwrap_or_default();
//! assert_eq!(accept.best_match(["text/html", "application/json"]), Some("application/json"));
//!
//! // The one conditional-request evaluator (RFC 9110 §13.2.2).
//! let current = Validators { etag: Some(EntityTag::strong("v2").unwrap()), last_modified: None };
//! let outcome = Preconditions::new(&Method::GET, &headers).evaluate(&current, Some(1234));
//! assert!(matches!(outcome, Outcome::NotModified));
//! ```
//!
//! The [`header`] module holds the grammar the typed headers share; each
//! header type implements [`TypedHeader`]. Limits are listed in the crate's
//! README and each is named in the error that enforces it.
#![deny(missing_docs)]
#![forbid(unsafe_code)]

pub mod accept;
pub mod auth;
pub mod cache_control;
pub mod conditional;
pub mod content_disposition;
pub mod cookie;
pub mod date;
mod error;
pub mod etag;
mod filename;
pub mod header;
mod host;
pub mod media_type;
mod multimap;
pub mod proxy;
pub mod range;
mod safe_join;
pub mod urlencoded;

pub use self::cookie::{Cookie, Cookies, SameSite, SetCookie};
pub use accept::{Accept, AcceptCharset, AcceptEncoding, AcceptLanguage, Quality};
pub use auth::{AuthData, Authorization, Challenge, WwwAuthenticate};
pub use cache_control::CacheControl;
pub use conditional::{NOT_MODIFIED_KEEPS, Outcome, Preconditions, Validators};
pub use content_disposition::{ContentDisposition, DispositionType, OtherDispositionType};
pub use date::{Date, Expires, HttpDate, IfModifiedSince, IfUnmodifiedSince, LastModified};
pub use error::ParseError;
pub use etag::{EntityTag, EntityTagList, EntityTagRef, EntityTags, IfMatch, IfNoneMatch};
pub use filename::{MAX_FILENAME_LEN, secure_filename};
pub use header::TypedHeader;
pub use host::{Host, MAX_HOSTNAME_LEN, TrustedHosts, host_is_trusted};
pub use media_type::ContentType;
pub use multimap::MultiMap;
pub use range::{
    ByteRange, ByteRangeSet, ByteRangeSpec, ContentRange, DEFAULT_MAX_RANGES, IfRange, Range,
    RangeResolution, ResolvedRanges,
};
pub use safe_join::{UnsafePath, is_windows_device_name, safe_join, safe_join_url_path};
pub use urlencoded::{decode_form, encode_form};
