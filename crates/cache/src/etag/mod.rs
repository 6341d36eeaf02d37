//! [`ETagLayer`]: an `ETag` for dynamic responses, from a hash of their
//! content, and the 304, 412, 206 and 416 answers it makes possible.
//!
//! For a `200 OK` to GET or HEAD without an `ETag`, the layer reads the body
//! into memory (up to [`max_buffered`](ETagLayer::max_buffered), 1 MiB by
//! default), sets `ETag` to the xxh3-128 hash of the content, and evaluates
//! the request's preconditions against it with tackle-http's evaluator
//! (RFC 9110 §13.2.2): `If-None-Match` gives 304, `If-Match` 412, `Range`
//! 206 or 416. Everything else passes through untouched and unbuffered:
//! other methods and statuses, responses that have an `ETag`, and bodies
//! over the limit (by their size hint, or found to be while reading: then
//! the bytes read are sent first and the rest streams after them).
//!
//! A `304 Not Modified` keeps `Cache-Control`, `Content-Location`, `Date`,
//! `ETag`, `Expires` and `Vary`, and headers that do not describe the
//! content (`Set-Cookie`, say); it drops the body and the `Content-*`
//! headers.
//!
//! # HEAD
//!
//! A HEAD response is tagged when the inner service sends the content for
//! it (hyper does not put it on the wire), and then the layer sends no body
//! but keeps `Content-Length`. When the inner service left the content out
//! (an empty body, as tackle's router and axum do for HEAD) there is
//! nothing to hash and the response goes untagged, rather than tagged with
//! the hash of no bytes; put the layer inside the router (`route_layer`)
//! to tag HEAD as well.
//!
//! # With compression
//!
//! Put `ETagLayer` **outside** tower-http's `CompressionLayer`: it then
//! hashes the bytes actually sent, so every content coding gets a strong tag
//! of its own, and ranges apply to the encoded bytes, as RFC 9110 §14 says
//! they do. A strong `ETag` the handler set and the compression layer kept
//! on an encoded body is weakened on the way out, since it described other
//! bytes.
//!
//! Inside the compression layer, the layer sees only the unencoded body and
//! cannot know it will be encoded: a strong tag would then be shared by the
//! gzip and identity responses, and a client resuming a download with
//! `If-Range` would splice bytes of one into the other. In that order, use
//! [`ETagLayer::weak`]. `crates/cache/tests/compression.rs` checks both
//! orders.
//!
//! ```
//! use http::{Request, Response, StatusCode, header};
//! use tackle_cache::ETagLayer;
//! use tower::{ServiceBuilder, ServiceExt};
//!
//! # tokio::runtime::Runtime::new().unwrap().block_on(async {
//! let app = ServiceBuilder::new().layer(ETagLayer::new()).service_fn(|_req: Request<()>| async {
//!     Ok::<_, std::convert::Infallible>(Response::new("hello".to_string()))
//! });
//!
//! let first = app.clone().oneshot(Request::new(())).await.unwrap();
//! let etag = first.headers()[header::ETAG].clone();
//!
//! let again = Request::builder().header(header::IF_NONE_MATCH, etag).body(()).unwrap();
//! let second = app.oneshot(again).await.unwrap();
//! assert_eq!(second.status(), StatusCode::NOT_MODIFIED);
//! # });
//! ```

mod future;
mod layer;
mod service;
mod tag;

pub use future::ResponseFuture;
pub use layer::ETagLayer;
pub use service::ETag;
