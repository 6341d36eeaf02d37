//! Error reports mailed to admins from a tower layer: de-duplicated,
//! throttled, scrubbed, and never in the way of a request.
//!
//! [`ErrorMailLayer`] catches panics (the client sees a generic `500`) and
//! watches for 5xx responses. For each failure it builds an
//! [`ErrorReport`](tackle_report::ErrorReport), asks the
//! [throttle](throttle) whether to mail it (per fingerprint: the first at
//! once, then at 2, 4, 8, … occurrences and at most every `min_interval`,
//! a reappearance after a quiet hour, an hourly budget and then one digest),
//! composes the mail ([`mail`]: a subject stable per fingerprint so clients
//! thread, text and HTML parts, every part scrubbed), and hands it to a
//! bounded queue with a non-blocking `try_send`. A worker sends each mail
//! with an outer deadline, retries transient failures with backoff, opens
//! a circuit breaker after repeated failures, and spools what it cannot
//! send as `.eml` files, resent when the server is back.
//!
//! ```no_run
//! use tackle_errormail::ErrorMailLayer;
//! use tower::ServiceBuilder;
//!
//! # fn app() -> Result<(), tackle_errormail::SendError> {
//! tackle_report::install_panic_hook();
//! let mail = ErrorMailLayer::new()
//!     .recipients(["ops@example.com"])
//!     .sender("shop@example.com")
//!     .subject_prefix("[shop]")
//!     .environment("production")
//!     .smtp_url("smtp://mail.example.com:587?tls=required")?
//!     .ignore_path("/health*");
//! let handle = mail.handle(); // flush(deadline) at shutdown, stats(), notify(report)
//! let service = ServiceBuilder::new().layer(mail).service_fn(|_: http::Request<()>| async {
//!     Ok::<_, std::convert::Infallible>(http::Response::new(String::new()))
//! });
//! # let _ = (handle, service);
//! # Ok(())
//! # }
//! ```
#![deny(missing_docs)]
#![forbid(unsafe_code)]

mod handle;
mod ignore;
mod layer;
pub mod mail;
pub mod spool;
pub mod throttle;
pub mod transport;
pub mod worker;

pub use handle::ErrorMailHandle;
pub use ignore::IgnorePredicate;
pub use layer::{ErrorMail, ErrorMailLayer, ResponseFuture};
pub use throttle::ThrottlePolicy;
pub use transport::{MailTransport, SendError, SmtpTransport, SpoolTransport};
pub use worker::StatsSnapshot;

/// The README's examples, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
