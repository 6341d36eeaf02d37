//! An error page for tower services in development: a panic, a service
//! error, or a 5xx response carrying a [`tackle_report`] report is answered
//! with a page that shows the message, the cause chain, the stack with
//! source lines, span fields, the request's log events and the (scrubbed)
//! request; behind a PIN the request can be replayed, edited and resent,
//! and masked values revealed.
//!
//! Safe by default:
//!
//! - off unless [`DebuggerLayer::enabled`]; in release builds it also needs
//!   [`DebuggerLayer::allow_in_release`] (and says so loudly in the log);
//! - only loopback peers (from [`tackle_request::ConnectionInfo`]; an
//!   unknown peer is denied) or [allowed peers](DebuggerLayer::allow_peer)
//!   with the PIN, with a `Host` of `localhost`, `*.localhost`,
//!   `127.0.0.1`, `[::1]` or a [trusted name](DebuggerLayer::trusted_host)
//!   (the DNS-rebinding defence);
//! - denied or disabled, the inner response passes through untouched;
//! - actions are POSTs carrying a per-process token and a double-submit
//!   cookie, from the same origin, after the PIN (9 digits, printed once;
//!   10 wrong ones lock it until restart);
//! - every string on a page goes through one escaping function, pages carry
//!   a strict Content-Security-Policy with a fresh nonce, and the report
//!   ring and captured bodies are bounded.
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
