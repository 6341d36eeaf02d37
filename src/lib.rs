//! tackle: Werkzeug-style building blocks for tower and hyper services.
//!
//! Each crate is independent and re-exported here behind a feature of the
//! same name (all on by default), so `tackle::http` is `tackle_http`.
//! Feature `server` adds [`serve`]: a hyper server with graceful shutdown
//! for any tower service, and [`serve_dev`] with the debugger in front.
//!
//! ```no_run
//! use tackle::prelude::*;
//! use tower::ServiceBuilder;
//!
//! #[tokio::main]
//! async fn main() -> std::io::Result<()> {
//!     let hello = handler(|_: Request<hyper::body::Incoming>| async {
//!         Ok::<_, HttpError>(Response::text("Hello, world!\n"))
//!     });
//!     let app = ServiceBuilder::new()
//!         .layer(SessionLayer::new(MemoryStore::new()))
//!         .layer(ETagLayer::new())
//!         .service(Router::new().route("/", get(hello)));
//!     tackle::serve("127.0.0.1:8000", app).await
//! }
//! ```
#![deny(missing_docs)]
#![forbid(unsafe_code)]

#[cfg(feature = "http")]
#[doc(inline)]
pub use tackle_http as http;

#[cfg(feature = "request")]
#[doc(inline)]
pub use tackle_request as request;

#[cfg(feature = "routing")]
#[doc(inline)]
pub use tackle_routing as routing;

#[cfg(feature = "cache")]
#[doc(inline)]
pub use tackle_cache as cache;

#[cfg(feature = "static")]
#[doc(inline)]
pub use tackle_static as static_files;

#[cfg(feature = "session")]
#[doc(inline)]
pub use tackle_session as session;

#[cfg(feature = "report")]
#[doc(inline)]
pub use tackle_report as report;

#[cfg(feature = "errormail")]
#[doc(inline)]
pub use tackle_errormail as errormail;

#[cfg(feature = "debugger")]
#[doc(inline)]
pub use tackle_debugger as debugger;

#[cfg(feature = "testing")]
#[doc(inline)]
pub use tackle_testing as testing;

pub mod prelude;

#[cfg(feature = "server")]
mod server;
#[cfg(all(feature = "server", feature = "debugger"))]
pub use server::serve_dev;
#[cfg(feature = "server")]
pub use server::{HEADER_READ_TIMEOUT, MAX_CONNECTIONS, SHUTDOWN_TIMEOUT, Server, serve};

/// The README's composition examples, compiled as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
