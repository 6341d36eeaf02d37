//! Static files for tower services: Werkzeug's `SharedDataMiddleware` and
//! `send_file`, with ranges, conditional requests, precompressed variants,
//! a cache policy and a hot-file cache.
//!
//! - [`StaticFiles`]: a `tower::Service` for one directory, or for a
//!   [`Bundle`] compiled into the binary ([`bundle`]);
//! - [`SharedData`]: a layer mounting several of them at URL prefixes in
//!   front of any service, which gets every request no file answers;
//! - [`send_file`] / [`SendFile`]: one file as a handler's response.
//!
//! For every file served: `Content-Type` from the name (`charset=utf-8` for
//! text), `X-Content-Type-Options: nosniff`, `Accept-Ranges: bytes`, a strong
//! `ETag` from the file's identity (length, modification time to the
//! nanosecond, inode; from the content hash for embedded files),
//! `Last-Modified`, and `Cache-Control` by [`CachePolicy`]. Preconditions and
//! ranges go through tackle-http's evaluator (RFC 9110 §13.2.2): 304, 412,
//! 206 with one range or `multipart/byteranges`, 416. `x.br`, `x.zst` and
//! `x.gz` beside `x` are sent to clients that accept them, with their own
//! `ETag` and `Vary: accept-encoding`; ranges apply to the variant sent.
//!
//! Paths are joined with tackle-http's `safe_join_url_path` (percent-decoded
//! once; `..`, encoded separators, backslashes, NUL, absolute paths, drive
//! letters and Windows device names refused), dotfiles are disallowed, and
//! symbolic links are not followed (with
//! [`follow_symlinks`](StaticFiles::follow_symlinks), only those that stay
//! inside the root): all of these are 404, as if absent.
//!
//! ```no_run
//! use tackle_static::{CachePolicy, SharedData, StaticFiles};
//! use tower::ServiceBuilder;
//!
//! let assets = StaticFiles::new("./static")
//!     .disallow("*.map")
//!     .cache_policy(CachePolicy::new().extension("html", "no-cache"));
//! let app = ServiceBuilder::new()
//!     .layer(SharedData::new().mount("/static", assets))
//!     .service_fn(|_req: http::Request<()>| async {
//!         Ok::<_, std::convert::Infallible>(http::Response::new(http_body_util::Full::new(
//!             bytes::Bytes::from("the app"),
//!         )))
//!     });
//! # let _ = app;
//! ```
#![deny(missing_docs)]
#![forbid(unsafe_code)]

mod body;
pub mod bundle;
mod cache_policy;
mod disallow;
mod hot_cache;
mod listing;
mod lookup;
mod options;
mod resource;
mod respond;
mod send_file;
mod serve;
mod service;
pub mod shared_data;

pub use body::FileBody;
pub use bundle::Bundle;
pub use cache_policy::{CachePolicy, has_hex_fingerprint};
pub use disallow::{Disallow, DisallowError};
pub use options::{
    DEFAULT_CHUNK_SIZE, DEFAULT_HOT_FILE, DEFAULT_HOT_TOTAL, DEFAULT_MAX_RANGES,
    DEFAULT_REVALIDATE_AFTER,
};
pub use send_file::{SendFile, send_file};
pub use service::{ResponseFuture, StaticFiles};
pub use shared_data::{SharedData, SharedDataService};

/// The README's examples, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
