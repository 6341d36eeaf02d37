//! HTTP caching layers for tower services: ETags for dynamic responses,
//! conditional and range requests, and Cache-Control by rule.
//!
//! - [`ETagLayer`] ([`etag`]): hashes a 200's content (xxh3-128, up to
//!   1 MiB) into an `ETag`, then answers `If-None-Match` with 304,
//!   `If-Match` with 412 and `Range` with 206 or 416, by tackle-http's
//!   evaluator (RFC 9110 §13.2.2).
//! - [`ConditionalLayer`] ([`conditional`]): the same answers for responses
//!   whose handler set `ETag` or `Last-Modified`, as Werkzeug's
//!   `make_conditional` does, and 412 for unsafe requests whose
//!   precondition fails, checked before the handler runs.
//! - [`CacheControlLayer`] ([`cache_control`]): `Cache-Control`, `Expires`
//!   and `Vary` chosen by rules on the path, the file name, the content type
//!   and the status.
//!
//! Each works alone, around any `Service<http::Request<B>>` answering
//! `http::Response<B2>` for any bodies: bare hyper, axum (`Router::layer`
//! or around the router) or tackle's router. Stacked, outermost first:
//!
//! ```
//! use http::{Request, Response, StatusCode, header};
//! use tackle_cache::{CacheControlLayer, ConditionalLayer, ETagLayer};
//! use tower::{ServiceBuilder, ServiceExt};
//!
//! # tokio::runtime::Runtime::new().unwrap().block_on(async {
//! let app = ServiceBuilder::new()
//!     .layer(ConditionalLayer::new()) // handler validators, unsafe methods
//!     .layer(ETagLayer::new()) // hash what is sent (outside compression)
//!     // .layer(tower_http::compression::CompressionLayer::new())
//!     .layer(CacheControlLayer::recommended()) // so that a 304 keeps it
//!     .service_fn(|_req: Request<()>| async {
//!         let page = Response::builder()
//!             .header(header::CONTENT_TYPE, "text/html")
//!             .body("<h1>hello</h1>".to_string())
//!             .unwrap();
//!         Ok::<_, std::convert::Infallible>(page)
//!     });
//!
//! let first = app.clone().oneshot(Request::new(())).await.unwrap();
//! assert_eq!(first.headers()[header::CACHE_CONTROL], "private, no-cache");
//! let etag = first.headers()[header::ETAG].clone();
//!
//! let revalidate = Request::builder().header(header::IF_NONE_MATCH, etag).body(()).unwrap();
//! let second = app.oneshot(revalidate).await.unwrap();
//! assert_eq!(second.status(), StatusCode::NOT_MODIFIED);
//! assert_eq!(second.headers()[header::CACHE_CONTROL], "private, no-cache");
//! # });
//! ```
#![deny(missing_docs)]
#![forbid(unsafe_code)]

mod body;
mod buffer;
pub mod cache_control;
pub mod conditional;
mod conditions;
pub mod etag;
mod respond;

pub use body::ResponseBody;
pub use buffer::DEFAULT_MAX_BUFFERED;
pub use cache_control::{CacheControlLayer, Policy, Rule, SetCacheControl};
pub use conditional::{Conditional, ConditionalLayer, ValidatorLookup};
pub use etag::{ETag, ETagLayer};

/// The README's examples, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
