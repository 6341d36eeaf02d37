//! [`ConditionalLayer`]: conditional and range requests answered for
//! responses whose handler set `ETag` or `Last-Modified`, as Werkzeug's
//! `make_conditional` does, and preconditions of unsafe requests checked
//! before the handler runs.
//!
//! For a `200 OK` to GET or HEAD, the request's preconditions are evaluated
//! against the response's validators with tackle-http's evaluator (RFC 9110
//! §13.2.2): `If-None-Match` and `If-Modified-Since` give `304 Not
//! Modified`, `If-Match` and `If-Unmodified-Since` give `412 Precondition
//! Failed`. A GET with `Range` is answered from the body read into memory
//! (up to [`max_buffered`](ConditionalLayer::max_buffered)): `206` with one
//! range, `206 multipart/byteranges` with several, `416` when none is
//! satisfiable, and the whole `200` when `If-Range` does not match or the
//! body is too large. Requests without conditional headers cost one look
//! at the headers.
//!
//! # Unsafe methods: check before acting
//!
//! A PUT, PATCH, DELETE or POST must not be performed when its
//! precondition fails, so its response comes too late to decide. Give the
//! layer a lookup of the resource's current validators
//! ([`ConditionalLayer::validators`]); a request carrying `If-Match`,
//! `If-None-Match` or `If-Unmodified-Since` then waits for it, and gets 412
//! without reaching the inner service when a condition fails. Without a
//! lookup, unsafe requests pass through unchecked.
//!
//! Optimistic concurrency on a REST resource: a client GETs a document and
//! its `ETag`, and sends its change with `If-Match`; whoever changed it in
//! between makes the tag stale, and the second writer gets 412 instead of
//! silently overwriting the first.
//!
//! ```
//! use std::collections::HashMap;
//! use std::sync::{Arc, Mutex};
//!
//! use http::{Method, Request, Response, StatusCode, header};
//! use tackle_cache::ConditionalLayer;
//! use tackle_http::{EntityTag, Validators};
//! use tower::{ServiceBuilder, ServiceExt};
//!
//! // Document versions by path; the version is the entity tag.
//! let versions = Arc::new(Mutex::new(HashMap::from([("/doc/1".to_string(), 7u64)])));
//!
//! let lookup_versions = versions.clone();
//! let lookup = move |request: &Request<String>| {
//!     let version = lookup_versions.lock().unwrap().get(request.uri().path()).copied();
//!     async move {
//!         version.map(|v| Validators { etag: EntityTag::strong(v.to_string()).ok(), last_modified: None })
//!     }
//! };
//! let handler_versions = versions.clone();
//! let app = ServiceBuilder::new()
//!     .layer(ConditionalLayer::new().validators(lookup))
//!     .service_fn(move |request: Request<String>| {
//!         let versions = handler_versions.clone();
//!         async move {
//!             // Only reached when If-Match held: save and bump the version.
//!             let mut versions = versions.lock().unwrap();
//!             let version = versions.entry(request.uri().path().to_string()).or_default();
//!             *version += 1;
//!             let response = Response::builder()
//!                 .header(header::ETAG, format!("\"{version}\""))
//!                 .body(String::new())
//!                 .unwrap();
//!             Ok::<_, std::convert::Infallible>(response)
//!         }
//!     });
//!
//! let put = |tag: &str| {
//!     Request::builder()
//!         .method(Method::PUT)
//!         .uri("/doc/1")
//!         .header(header::IF_MATCH, tag)
//!         .body("new text".to_string())
//!         .unwrap()
//! };
//! # tokio::runtime::Runtime::new().unwrap().block_on(async {
//! // The first writer saw version 7 and wins...
//! let first = app.clone().oneshot(put("\"7\"")).await.unwrap();
//! assert_eq!(first.status(), StatusCode::OK);
//! assert_eq!(first.headers()[header::ETAG], "\"8\"");
//! // ...the second also saw 7 and is refused without reaching the handler.
//! let second = app.oneshot(put("\"7\"")).await.unwrap();
//! assert_eq!(second.status(), StatusCode::PRECONDITION_FAILED);
//! assert_eq!(*versions.lock().unwrap().get("/doc/1").unwrap(), 8);
//! # });
//! ```

mod future;
mod layer;
mod lookup;
mod service;

pub use future::ResponseFuture;
pub use layer::ConditionalLayer;
pub use lookup::{NoLookup, ValidatorLookup};
pub use service::Conditional;
