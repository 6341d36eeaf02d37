//! A URL router as a plain `tower::Service`, on [matchit]'s radix tree:
//! typed converters, method dispatch with `HEAD`/`OPTIONS`/`405`, a slash
//! policy, mounting, host matching and URL building (Werkzeug's routing
//! map, on matchit's radix tree).
//!
//! ```
//! use tackle_request::response::Response;
//! use tackle_request::{HttpError, Request, handler};
//! use tackle_routing::{Router, get};
//! use tower::ServiceExt;
//!
//! let show = handler(|request: Request<()>| async move {
//!     let params = request.path_params().expect("routed");
//!     let id: u64 = params.get("id")?;
//!     let url = request.url_for("user.show", &[("id", &id.to_string()), ("tab", "repos")])?;
//!     Ok::<_, HttpError>(Response::text(format!("user {id} lives at {url}")))
//! });
//! let app = Router::new().route("/users/{id:uint}", get(show).name("user.show"));
//!
//! # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
//! let request = http::Request::builder().uri("/users/42").body(()).unwrap();
//! let response = app.clone().oneshot(request).await.unwrap();
//! assert_eq!(response.status(), 200);
//!
//! let request = http::Request::builder().uri("/users/abc").body(()).unwrap();
//! assert_eq!(app.clone().oneshot(request).await.unwrap().status(), 404);
//!
//! let request = http::Request::builder().method("DELETE").uri("/users/42").body(()).unwrap();
//! let response = app.clone().oneshot(request).await.unwrap();
//! assert_eq!(response.status(), 405);
//! assert_eq!(response.headers()["allow"], "GET, HEAD, OPTIONS");
//! assert_eq!(app.url_for("user.show", &[("id", "7")]).unwrap(), "/users/7");
//! # });
//! ```
//!
//! # Patterns
//!
//! matchit's syntax: `/users/{id}` captures a segment, `/files/{*path}`
//! the rest of the path, `{{` and `}}` are literal braces, and a segment
//! may have text around its parameter (`/img-{id}.png`). A parameter may
//! name a [converter](converter): `{id:int}`, `{id:uint}`, `{x:float}`,
//! `{id:uuid}`, `{lang:any(en,de,fr)}`, `{slug:string(min=1,max=64)}`,
//! `{rest:path}`, or a user converter ([`Router::converter`]). A converter
//! that rejects a segment makes the route not match; the answer is then
//! another route's or `404`, never `500`.
//!
//! # Priority
//!
//! matchit decides between shapes: static text beats a parameter, which
//! beats a catch-all, whatever the order routes were added in. Routes of
//! the same shape that differ only in converters (`/v/{id:int}` and
//! `/v/{slug}`) are tried in converter order: `any`, then `uint`, `int`,
//! `float` (narrowest first), `uuid` and user converters, then `string`,
//! then `path` (each [`Converter::weight`]); ties go by converter text,
//! then pattern text. Two routes that would capture the
//! same paths with the same converters are a [`RouteError`] naming both.
//!
//! # Methods
//!
//! | request | the route has | answer |
//! |---|---|---|
//! | `HEAD` | `GET` only | the `GET` service's headers, `Content-Length` kept, no body |
//! | `OPTIONS` | no `OPTIONS` service | `204` with `Allow` |
//! | any other method | not that method | `405` with `Allow`, or the [`Router::method_not_allowed_fallback`] |
//!
//! # Slashes
//!
//! See [`SlashPolicy`]. Independently, a path with repeated slashes
//! (`//a///b`) that matches a route once merged is redirected to the merged
//! form ([`Router::merge_slashes`], on by default). Redirects are `308`,
//! keep the query string, and put the [`MountPrefix`] back in front.
//!
//! # Mounting and fallbacks
//!
//! [`Router::mount`] hands a prefix and everything under it to any service,
//! with the prefix removed from the path and recorded in [`MountPrefix`]
//! and [`OriginalUri`]. A longer prefix wins over a shorter one, and a
//! route of the parent whose pattern begins with the prefix (`/api/health`
//! or `/api/{version}/status` beside a mount at `/api`) wins over the
//! mount; other routes (`/{*path}`) lose to it. When nothing in a mounted
//! service matches a request:
//!
//! | mounted service | its answer for an unmatched path under the prefix |
//! |---|---|
//! | a `Router` with a fallback | its own fallback |
//! | a `Router` without a fallback | the parent's fallback, with the path as sent; the parent's `404` when it has none |
//! | any other service (a `Router` wrapped in layers included) | whatever the service answers |
//!
//! A `Router` is recognized when it is mounted as it is; the names of its
//! routes are then known to the parent's [`Router::url_for`], with the
//! prefix.
//!
//! # Hosts
//!
//! [`Router::host`] picks a router by the request's host before any path is
//! matched; a host router's unmatched paths go to the parent's fallback.
//!
//! # Extensions
//!
//! A routed request carries [`PathParams`] (percent-decoded, typed with
//! `get::<u64>("id")`; host parameters first), [`MatchedRoute`] (the
//! pattern, with any mount prefix, for logs and metrics) and a
//! [`UrlBuilder`]; under a mount also [`MountPrefix`] and [`OriginalUri`].
//! 404 and 405 bodies are [`HttpError`](tackle_request::HttpError)s,
//! rendered by the request's `Accept`.
//!
//! [matchit]: https://docs.rs/matchit
//! [`MountPrefix`]: tackle_request::MountPrefix
//! [`OriginalUri`]: tackle_request::extensions::OriginalUri
//! [`PathParams`]: tackle_request::PathParams
//! [`MatchedRoute`]: tackle_request::MatchedRoute
//! [`UrlBuilder`]: tackle_request::UrlBuilder
#![deny(missing_docs)]
#![forbid(unsafe_code)]

pub mod converter;
mod error;
mod future;
mod host;
mod method_router;
mod mount;
mod path;
mod pattern;
mod route;
mod router;
mod slash;
mod table;
mod url_for;

pub use converter::{Converter, ConverterArgs};
pub use error::RouteError;
pub use future::RouterFuture;
pub use method_router::{
    MethodRouter, any, delete, get, head, on, options, patch, post, put, trace,
};
pub use route::{Route, RouteFuture, RouteService, ServiceError};
pub use router::{RouteMatch, Router};
pub use slash::SlashPolicy;
pub use url_for::BuildError;

pub use tackle_request::extensions::{
    MatchedRoute, MountPrefix, OriginalUri, PathParams, UrlBuilder,
};

/// The README's example, compiled and run as a doctest.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
