//! An error page for tower services in development: a panic, or a 5xx
//! response carrying a [`tackle_report`] report, answered with a page that
//! shows the message, the cause chain, the stack with source lines, span
//! fields, recent events and the (scrubbed) request.
//!
//! Safe by default:
//!
//! - off unless [`DebuggerLayer::enabled`]; in release builds it also needs
//!   [`DebuggerLayer::allow_in_release`] (and says so loudly in the log);
//! - only loopback peers (from [`tackle_request::ConnectionInfo`]; an
//!   unknown peer is denied) with a `Host` of `localhost`, `*.localhost`,
//!   `127.0.0.1`, `[::1]` or a [trusted name](DebuggerLayer::trusted_host)
//!   (the DNS-rebinding defence);
//! - denied or disabled, the inner response passes through untouched;
//! - every string on a page goes through one escaping function, pages carry
//!   a strict Content-Security-Policy with a fresh nonce, and the report
//!   ring is bounded.
//!
//! ```
//! use tackle_debugger::DebuggerLayer;
//!
//! let layer = DebuggerLayer::new()
//!     .enabled(true)
//!     .app_root(tackle_debugger::app_root!())
//!     .capacity(20);
//! # let _ = layer;
//! ```
#![deny(missing_docs)]
#![forbid(unsafe_code)]

mod body;
mod curl;
pub mod escape;
mod gate;
mod interact;
mod layer;
mod negotiate;
mod page;
mod respond;
mod ring;
mod routes;
mod secret;
mod service;

pub use body::{CAPTURE_LIMIT, RequestBody};
pub use layer::DebuggerLayer;
pub use secret::{MAX_PIN_FAILURES, PIN_ENV};
pub use service::{Debugger, ResponseFuture};

/// The application's root directory, where source files named in frames
/// are looked up: `env!("CARGO_MANIFEST_DIR")` of the crate that uses the
/// macro. Pass it to [`DebuggerLayer::app_root`].
#[macro_export]
macro_rules! app_root {
    () => {
        env!("CARGO_MANIFEST_DIR")
    };
}

/// The README's example, compiled and run as a doctest.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
