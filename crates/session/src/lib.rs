//! Sessions for tower services: lazy, written field by field, with idle and
//! absolute expiry, id rotation and flash messages, in a cookie, in memory
//! or in Redis.
//!
//! [`SessionLayer`] puts a [`Session`] in every request's extensions. Nothing
//! happens until a handler uses it: no cookie is read and no store is asked
//! for a request that never touches its session, and no `Set-Cookie` is
//! sent. When the handler reads or writes, the session is loaded once (the
//! id's form checked before any store lookup); when the response goes out,
//! only what changed is written, so two requests that change different keys
//! of one session both keep their change.
//!
//! ```
//! use http::{Request, Response};
//! use tackle_session::{MemoryStore, Session, SessionError, SessionLayer};
//! use tower::{ServiceBuilder, ServiceExt};
//!
//! # tokio::runtime::Runtime::new().unwrap().block_on(async {
//! let app = ServiceBuilder::new()
//!     .layer(SessionLayer::new(MemoryStore::new()))
//!     .service_fn(|request: Request<()>| async move {
//!         let session = Session::from_request(&request).unwrap();
//!         let visits: u64 = session.get("visits").await?.unwrap_or(0) + 1;
//!         session.insert("visits", &visits).await?;
//!         Ok::<_, SessionError>(Response::new(http_body_util::Full::new(bytes::Bytes::from(
//!             format!("visit {visits}"),
//!         ))))
//!     });
//!
//! let response = app.oneshot(Request::new(())).await.unwrap();
//! let cookie = response.headers()["set-cookie"].to_str().unwrap();
//! assert!(cookie.starts_with("session=") && cookie.contains("HttpOnly") && cookie.contains("Secure"));
//! # });
//! ```
#![deny(missing_docs)]
#![forbid(unsafe_code)]

#[cfg(feature = "axum")]
mod axum;
mod config;
mod dyn_store;
mod error;
mod flash;
mod future;
mod id;
mod layer;
mod record;
mod service;
mod session;
mod set_cookie;
pub mod store;

pub use config::{Clock, SystemClock};
pub use error::{SessionError, StoreError};
pub use flash::{Flash, Level};
pub use future::{ResponseBody, ResponseFuture};
pub use id::{ID_LEN, SessionId};
pub use layer::SessionLayer;
pub use record::{Changes, Record};
pub use service::SessionService;
pub use session::Session;
#[cfg(feature = "redis")]
pub use store::RedisStore;
pub use store::{CookieStore, MemoryStore, SessionStore};

/// The README's examples, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
