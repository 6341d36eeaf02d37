//! What most apps import: `use tackle::prelude::*;`.
//!
//! The request/response objects and handlers, the router and its method
//! filters, the layers (sessions, ETag and conditional requests,
//! Cache-Control, static files, error mail, the debugger) and the server.
//! Each name comes from one crate and appears only with that crate's
//! feature; nothing here is renamed.
//!
//! `Request` and `Response` are tackle-request's (a request wrapper with
//! query args, cookies and forms; a response builder), not `http`'s: write
//! `http::Request` where you mean the plain type.

#[cfg(feature = "request")]
pub use tackle_request::response::Response;
#[cfg(feature = "request")]
pub use tackle_request::{ConnectionInfo, HttpError, ProxyFixLayer, Request, handler};

#[cfg(feature = "routing")]
pub use tackle_routing::{Router, delete, get, patch, post, put};

#[cfg(feature = "session")]
pub use tackle_session::{MemoryStore, Session, SessionLayer};

#[cfg(feature = "cache")]
pub use tackle_cache::{CacheControlLayer, ConditionalLayer, ETagLayer};

#[cfg(feature = "static")]
pub use tackle_static::{SharedData, StaticFiles, send_file};

#[cfg(feature = "errormail")]
pub use tackle_errormail::ErrorMailLayer;

#[cfg(feature = "debugger")]
pub use tackle_debugger::DebuggerLayer;

#[cfg(feature = "server")]
pub use crate::{Server, serve};

#[cfg(all(feature = "server", feature = "debugger"))]
pub use crate::serve_dev;
