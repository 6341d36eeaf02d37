//! Sets `Cache-Control`, `Expires` and `Vary` on responses by rules: request
//! path globs, fingerprinted file names, response content type and status.
//!
//! - [`CacheControlLayer`]: the ordered rules and the options; the first
//!   rule whose conditions all hold chooses the policy, no match leaves the
//!   response alone; [`CacheControlLayer::recommended`] has sensible rules.
//! - [`SetCacheControl`]: the service; [`ResponseFuture`] its
//!   future.
//! - [`Rule`]: conditions ([`Rule::path`] globs, [`Rule::fingerprinted`],
//!   [`Rule::content_type`], status classes), combined with [`Rule::and`].
//! - [`Policy`]: the `Cache-Control` value, formatted once when the layer is
//!   built, plus optional `Expires` and `Vary` names.
//!
//! A handler's own `Cache-Control` wins unless
//! [`override_existing`](CacheControlLayer::override_existing) is set. The
//! layer never touches the body.
//!
//! ```
//! use std::convert::Infallible;
//!
//! use http::{Request, Response, header};
//! use tackle_cache::{CacheControlLayer, Policy, Rule};
//! use tower::{ServiceBuilder, ServiceExt, service_fn};
//!
//! # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
//! let layer = CacheControlLayer::recommended()
//!     .rule(
//!         Rule::path("/static/**").and(Rule::success()),
//!         Policy::parse("public, max-age=3600").unwrap().with_expires(),
//!     )
//!     .rule(
//!         Rule::path("/api/**"),
//!         Policy::no_cache().with_vary(["Accept", "Authorization"]),
//!     );
//! let app = ServiceBuilder::new().layer(layer).service(service_fn(|request: Request<()>| async move {
//!     let content_type = if request.uri().path().ends_with(".js") { "text/javascript" } else { "text/html" };
//!     Ok::<_, Infallible>(Response::builder().header(header::CONTENT_TYPE, content_type).body("hi").unwrap())
//! }));
//!
//! let get = |path: &str| Request::get(path).body(()).unwrap();
//! let asset = app.clone().oneshot(get("/assets/app.3f2a9c1b.js")).await.unwrap();
//! assert_eq!(asset.headers()[header::CACHE_CONTROL], "public, max-age=31536000, immutable");
//!
//! let page = app.clone().oneshot(get("/about")).await.unwrap();
//! assert_eq!(page.headers()[header::CACHE_CONTROL], "private, no-cache");
//!
//! let script = app.clone().oneshot(get("/static/site.js")).await.unwrap();
//! assert_eq!(script.headers()[header::CACHE_CONTROL], "public, max-age=3600");
//! assert!(script.headers().contains_key(header::EXPIRES));
//!
//! let api = app.oneshot(get("/api/users.js")).await.unwrap();
//! assert_eq!(api.headers()[header::CACHE_CONTROL], "no-cache");
//! assert_eq!(api.headers()[header::VARY], "accept, authorization");
//! # });
//! ```

mod fingerprint;
mod future;
mod glob;
mod layer;
mod policy;
mod rule;
mod service;

pub use future::ResponseFuture;
pub use layer::CacheControlLayer;
pub use policy::Policy;
pub use rule::Rule;
pub use service::SetCacheControl;
