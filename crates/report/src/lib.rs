//! What went wrong in a tower service, captured where it happened and
//! rendered later, with secrets scrubbed: the shared ground of
//! tackle-errormail and tackle-debugger.
//!
//! - [`ErrorReport`]: id, kind (panic, service error, 5xx), message,
//!   location, cause chain, the stack ([`Frames`], resolved only when
//!   rendered), the spans open with their fields and the request's recent
//!   events (from [`ReportLayer`]), request and response snapshots, time,
//!   host, pid, application, and a [`fingerprint`] for grouping.
//! - Capture: [`install_panic_hook`] (at startup) records the stack and spans
//!   at the panic site; [`CatchPanicLayer`] turns a panic in `call` or in the
//!   response future into a generic `500` carrying the report
//!   ([`AttachedReport`]); handlers attach errors to their own 5xx with
//!   [`ResponseReportExt`].
//! - [`Scrubber`]: secret headers, secret-named keys and fields, and
//!   credentials in any text, replaced by `[REDACTED]` before any
//!   [`render`]ing (text, Markdown, RFC 9457 JSON).
//!
//! ```
//! use http::{Request, Response, StatusCode};
//! use tackle_report::{CatchPanicLayer, ReportKind, ResponseReportExt, Scrubber, install_panic_hook, render};
//! use tower::{ServiceBuilder, ServiceExt};
//!
//! # tokio::runtime::Runtime::new().unwrap().block_on(async {
//! install_panic_hook();
//! let app = ServiceBuilder::new().layer(CatchPanicLayer::new()).service_fn(|_: Request<()>| async {
//!     if true { panic!("no stock for item 7") }
//!     Ok::<_, std::convert::Infallible>(Response::new(String::new()))
//! });
//! let response = app.oneshot(Request::new(())).await.unwrap();
//! assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
//! let report = response.report().unwrap();
//! assert_eq!(report.kind, ReportKind::Panic);
//! assert!(render::text(report, &Scrubber::default()).contains("no stock for item 7"));
//! # });
//! ```
#![deny(missing_docs)]
#![forbid(unsafe_code)]

mod attach;
mod body_preview;
pub mod catch_panic;
mod fingerprint;
mod frames;
mod host;
mod panic_hook;
pub mod render;
mod report;
mod scrub;
mod snapshot;
mod spans;

pub use attach::{AttachedReport, ResponseReportExt};
pub use body_preview::{BodyPreview, BodyPreviewLayer, BodyPreviewService, PreviewBody};
pub use catch_panic::{CatchPanic, CatchPanicLayer};
pub use fingerprint::{fingerprint, normalize_message};
pub use frames::{Frame, FrameKind, Frames};
pub use panic_hook::install_panic_hook;
pub use report::{
    AppInfo, ErrorReport, EventRecord, Location, ReportId, ReportKind, RequestSnapshot,
    ResponseSnapshot, SpanRecord,
};
pub use scrub::{REDACTED, Scrubber};
pub use snapshot::{
    RequestHead, SharedSnapshot, request_snapshot, response_snapshot, shared_request_head,
};
pub use spans::{ReportLayer, VERBOSE_FIELD, current_events, current_spans};

/// The README's examples, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
