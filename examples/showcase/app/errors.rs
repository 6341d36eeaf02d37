//! Failing on purpose, and who hears about it.
//!
//! `GET /boom` panics and `GET /fail` answers a 500 with its cause attached
//! ([`ResponseReportExt::with_error`]). What happens next depends on the
//! mode:
//!
//! - **development**: the debugger (put in front by `tackle::serve_dev`)
//!   answers a browser on this machine with its page (the message, the
//!   stack with source, the spans, the request) and an API client with
//!   problem+json and a `debug_url`;
//! - **production**: [`mail_layer`]'s `ErrorMailLayer` turns the panic into
//!   a generic 500 and mails a report of each, scrubbed of secrets, to
//!   `$TACKLE_DATA_DIR/mail-spool` as `.eml` files, or through `SMTP_URL`
//!   (the spool then keeps what could not be sent). Requests from curl,
//!   bots and uptime monitors are not mailed (tackle-errormail's
//!   `ignore_crawlers` default): try `/boom` from a browser.
//!
//! As in `examples/errormail.rs`, the spans and events opened here end up
//! in the reports: `main.rs` installs the panic hook and tracing's
//! `ReportLayer`.

use std::fmt;
use std::path::Path;

use http::StatusCode;
use tackle::errormail::{ErrorMailLayer, SmtpTransport};
use tackle::report::ResponseReportExt;
use tackle::request::response::Response;
use tackle::request::{Request, ResponseExt};

use super::Reply;

/// The message of `/boom`'s panic (the socket test looks for it in the mail
/// and on the debugger's page).
pub const PANIC_MESSAGE: &str = "the showcase panicked on purpose";

/// `GET /boom`: a bug.
pub async fn boom<B>(_request: Request<B>) -> Reply {
    let span = tracing::info_span!("boom", reason = "demonstration");
    let _entered = span.enter();
    tracing::info!("about to panic");
    panic!("{PANIC_MESSAGE}");
}

/// Why the archive could not be read: an error with a source, as a real
/// data layer returns.
#[derive(Debug)]
pub struct ArchiveError {
    source: std::io::Error,
}

impl fmt::Display for ArchiveError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the archive index could not be read")
    }
}

impl std::error::Error for ArchiveError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.source)
    }
}

/// `GET /fail`: a handled failure. The client gets a plain 500; the error
/// and its cause chain travel with the response to the layers outside.
pub async fn fail<B>(_request: Request<B>) -> Reply {
    let span = tracing::info_span!("read_archive", archive = "2026");
    let _entered = span.enter();
    tracing::warn!("the archive disk is not mounted");
    let error = ArchiveError {
        source: std::io::Error::new(
            std::io::ErrorKind::NotFound,
            "/srv/archive/index: not mounted",
        ),
    };
    Ok(Response::text("the archive is not available right now\n")
        .with_status(StatusCode::INTERNAL_SERVER_ERROR)
        .with_error(error))
}

/// The error mailer for production: enabled (debug builds leave it off by
/// default), spooling to `spool_dir`, or sending through `smtp` with
/// `spool_dir` keeping what could not be sent. `MAIL_TO` and `MAIL_FROM`
/// set the addresses.
pub fn mail_layer(spool_dir: &Path, smtp: Option<SmtpTransport>) -> ErrorMailLayer {
    let to = std::env::var("MAIL_TO").unwrap_or_else(|_| "ops@example.com".to_owned());
    let from = std::env::var("MAIL_FROM")
        .unwrap_or_else(|_| "tackle showcase <errors@example.com>".to_owned());
    let layer = ErrorMailLayer::new()
        .recipients(to.split(',').map(str::trim))
        .sender(from)
        .subject_prefix("[showcase]")
        .environment("production")
        .app("tackle-showcase", env!("CARGO_PKG_VERSION"))
        .enabled(true)
        .spool_dir(spool_dir);
    match smtp {
        Some(transport) => layer.transport(transport),
        None => layer,
    }
}
