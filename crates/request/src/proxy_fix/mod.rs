//! [`ProxyFix`]: trust what a known number of reverse proxies say about the
//! original request, as Werkzeug's `ProxyFix` middleware does.
//!
//! Behind proxies, the connection's peer is the nearest proxy, the scheme is
//! whatever the proxy used, and the `Host` is what the proxy asked for. Each
//! proxy appends what it saw to `X-Forwarded-For`, `-Proto`, `-Host`,
//! `-Port` and `-Prefix` (de facto headers), or to `Forwarded` (RFC 7239).
//! Clients can send these headers too, so only the `n` right-most values are
//! trusted, `n` being the number of proxies configured for that header; with
//! fewer values than that, the header is ignored (see
//! [`tackle_http::proxy`]).
//!
//! For each request the layer then rewrites what [`Request`](crate::Request)
//! reports, before the inner service sees it:
//!
//! | trusted value | effect |
//! |---|---|
//! | `X-Forwarded-For` / `for=` | [`ConnectionInfo`] remote address (the original port kept when none is given; none when the node is `unknown` or obfuscated) |
//! | `X-Forwarded-Proto` / `proto=` | [`ConnectionInfo`] secure flag (`https`, `wss`); the URI's scheme when it has one |
//! | `X-Forwarded-Host` / `host=` | the `Host` header, and the URI's authority when it has one |
//! | `X-Forwarded-Port` | the port of that host (the `Host` header's, or the trusted host's) |
//! | `X-Forwarded-Prefix` | [`MountPrefix`] (put before any prefix already there), and [`OriginalUri`] with the prefix in front of the path |
//!
//! What was there before is kept in [`ProxyFixOriginal`]. The
//! `X-Forwarded-*` headers themselves are left in place.
//!
//! ```
//! use std::convert::Infallible;
//! use std::net::SocketAddr;
//! use tackle_request::proxy_fix::ProxyFixLayer;
//! use tackle_request::{ConnectionInfo, Request};
//! use tower::{ServiceBuilder, ServiceExt};
//!
//! let service = ServiceBuilder::new()
//!     .layer(ProxyFixLayer::new().x_host(1).x_prefix(1))
//!     .service_fn(|request: http::Request<()>| async move {
//!         let request = Request::new(request);
//!         Ok::<_, Infallible>((request.remote_addr(), request.url().unwrap()))
//!     });
//!
//! let mut request = http::Request::builder()
//!     .uri("/users?page=2")
//!     .header("host", "10.0.0.5:8000")
//!     .header("x-forwarded-for", "203.0.113.7")
//!     .header("x-forwarded-proto", "https")
//!     .header("x-forwarded-host", "example.com")
//!     .header("x-forwarded-prefix", "/app")
//!     .body(())
//!     .unwrap();
//! let proxy: SocketAddr = "10.0.0.1:41000".parse().unwrap();
//! request.extensions_mut().insert(ConnectionInfo::new(proxy));
//!
//! # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
//! let (client, url) = service.oneshot(request).await.unwrap();
//! assert_eq!(client, Some("203.0.113.7:41000".parse().unwrap()));
//! assert_eq!(url, "https://example.com/app/users?page=2");
//! # });
//! ```
//!
//! [`ConnectionInfo`]: crate::ConnectionInfo
//! [`MountPrefix`]: crate::MountPrefix
//! [`OriginalUri`]: crate::OriginalUri

mod fix;
mod layer;
mod original;
mod service;

pub use layer::ProxyFixLayer;
pub use original::ProxyFixOriginal;
pub use service::ProxyFix;

#[cfg(test)]
mod tests;
