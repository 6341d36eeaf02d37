//! Error reports mailed to admins, on bare hyper: `cargo run --example
//! errormail`, then try http://127.0.0.1:8006 (or the address in
//! `TACKLE_ADDR`):
//!
//! ```text
//! curl -i localhost:8006/                                     # 200, nothing mailed
//! curl -i localhost:8006/boom -H 'Authorization: Bearer tok'  # a panic: a generic 500, one mail
//! curl -i localhost:8006/boom                                 # the same bug again: counted, not mailed
//! curl -i 'localhost:8006/fail?password=hunter2'              # a 500 with its cause attached: one mail
//! curl -i localhost:8006/health                               # a 500 that is ignored (/health*)
//! ```
//!
//! Mails go to a spool directory as `.eml` files (open them in any mail
//! client), `$TACKLE_DATA_DIR/mail-spool` or a folder under the system's
//! temporary directory; with `SMTP_URL` set (`smtp://localhost:1025`,
//! `smtp://user:password@mail.example.com:587?tls=required`,
//! `smtps://mail.example.com`) they are sent through SMTP, and the spool
//! only keeps those that could not be sent. `MAIL_TO` and `MAIL_FROM` set
//! the addresses.
//!
//! What it shows:
//!
//! 1. [`install_panic_hook`] at startup, so a panic's report carries the
//!    stack and the spans *at the panic site*;
//! 2. a `tracing_subscriber` registry with [`ReportLayer`], which records
//!    span fields and each request's recent events for the reports;
//! 3. a request span with fields around every request (the server's job,
//!    here a few lines in [`serve`]);
//! 4. [`ErrorMailLayer`] right inside it, outermost of the app: panics
//!    become a generic 500 and a mail, 5xx responses a mail, and a handler
//!    attaches the cause of its 500 with [`ResponseReportExt::with_error`];
//! 5. everything scrubbed: the `Authorization` and `Cookie` values, the
//!    password in the query, the `api_token` span field and the database
//!    password in the error's cause never reach a mail.

use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use http::StatusCode;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::TokioIo;
use tackle::errormail::{ErrorMail, ErrorMailLayer, SmtpTransport};
use tackle::report::{ReportLayer, ResponseReportExt, install_panic_hook};
use tackle::request::extensions::ConnectionInfo;
use tackle::request::response::Response;
use tackle::request::{Body, HttpError, Request, ResponseExt, handler};
use tackle::routing::{Router, get};
use tokio::net::TcpListener;
use tower::{Layer, Service};
use tracing::Instrument;
use tracing_subscriber::filter::LevelFilter;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{Layer as _, fmt as log};

/// The answer of every handler here.
type Reply = Result<http::Response<Body>, HttpError>;

/// The app: the routes behind the mailer.
pub type App = ErrorMail<Router<Incoming>>;

/// The routes:
///
/// | route | answer | mailed |
/// |---|---|---|
/// | `GET /` | 200, what to try | no |
/// | `GET /boom` | a panic: the client sees a generic 500 | yes, as `PANIC` |
/// | `GET /fail` | 500, with its cause (an error with a source) attached | yes, as `ERROR` |
/// | `GET /health` | 500, the database is "down" | no: `ignore_path("/health*")` |
pub fn routes() -> Router<Incoming> {
    Router::new()
        .route("/", get(handler(index)))
        .route("/boom", get(handler(boom)))
        .route("/fail", get(handler(fail)))
        .route("/health", get(handler(health)))
}

/// The mailer: spooled to `spool_dir`, or sent through `smtp` with
/// `spool_dir` keeping what could not be sent.
pub fn mail_layer(spool_dir: &Path, smtp: Option<SmtpTransport>) -> ErrorMailLayer {
    let to = std::env::var("MAIL_TO").unwrap_or_else(|_| "ops@example.com".to_owned());
    let from =
        std::env::var("MAIL_FROM").unwrap_or_else(|_| "tackle example <errors@example.com>".into());
    let layer = ErrorMailLayer::new()
        .recipients(to.split(',').map(str::trim))
        .sender(from)
        .subject_prefix("[errormail-example]")
        .environment("development")
        .app("errormail-example", env!("CARGO_PKG_VERSION"))
        // Off in debug builds by default, so that development does not
        // mail anyone; this example is about mailing.
        .enabled(true)
        // By default curl, bots and uptime monitors are left unmailed;
        // this example is tried with curl.
        .ignore_crawlers(false)
        .ignore_path("/health*")
        .spool_dir(spool_dir);
    match smtp {
        Some(transport) => layer.transport(transport),
        None => layer,
    }
}

/// The routes behind `mail`.
pub fn app(mail: &ErrorMailLayer) -> App {
    mail.layer(routes())
}

/// A subscriber on a `tracing_subscriber` registry: [`ReportLayer`] records
/// span fields and each request's recent events for the reports; with
/// `log`, INFO and above are also printed to stderr. Installed globally
/// (once; later calls do nothing).
pub fn init_tracing(log: bool) {
    let printer = log.then(|| {
        log::layer()
            .with_writer(std::io::stderr)
            .with_filter(LevelFilter::INFO)
    });
    let _ = tracing_subscriber::registry()
        .with(ReportLayer::new())
        .with(printer)
        .try_init();
}

async fn index(_request: Request<Incoming>) -> Reply {
    Ok(Response::text(
        "tackle-errormail example: try /boom (a panic), /fail (a 500 with its cause) \
         and /health (a 500 that is not mailed)\n",
    ))
}

/// `GET /boom`: a bug. The panic hook records the stack, the spans open here
/// (`request` and `checkout`, with their fields) and the events logged so
/// far in this request; the layer turns the panic into a generic 500.
async fn boom(_request: Request<Incoming>) -> Reply {
    let checkout = tracing::info_span!("checkout", cart_id = 17, api_token = "tok_live_5ecret");
    let _entered = checkout.enter();
    tracing::info!(items = 0, "loading the cart");
    let first_item = cart_items(17).into_iter().next();
    Ok(Response::text(
        first_item.expect("cart 17 has at least one item"),
    ))
}

/// The items in a cart: none, in this example.
fn cart_items(_cart_id: u64) -> Vec<String> {
    Vec::new()
}

/// Why an invoice could not be loaded: an error with a source, as a real
/// data layer returns.
#[derive(Debug)]
pub struct InvoiceError {
    id: u64,
    source: std::io::Error,
}

impl fmt::Display for InvoiceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invoice {} could not be loaded", self.id)
    }
}

impl std::error::Error for InvoiceError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.source)
    }
}

/// `GET /fail`: a handled failure. The client gets a plain 500; the error
/// is attached to the response, so the mail says why, with its cause chain
/// and the spans open where it was attached.
async fn fail(_request: Request<Incoming>) -> Reply {
    let span = tracing::info_span!("load_invoice", invoice_id = 42);
    let _entered = span.enter();
    tracing::warn!("the billing database refused the connection");
    let error = InvoiceError {
        id: 42,
        source: std::io::Error::new(
            std::io::ErrorKind::ConnectionRefused,
            "connection refused by postgres://billing:s3cr3t-db-pw@db.internal/invoices",
        ),
    };
    Ok(Response::text("the invoice is not available right now\n")
        .with_status(StatusCode::INTERNAL_SERVER_ERROR)
        .with_error(error))
}

/// `GET /health`: a monitor's endpoint answering 500 while a dependency is
/// down; that is the monitor's news, not a mail (`ignore_path`).
async fn health(_request: Request<Incoming>) -> Reply {
    Ok(Response::text("database: unreachable\n").with_status(StatusCode::SERVICE_UNAVAILABLE))
}

/// Serves `app` over HTTP/1.1 on every connection `listener` accepts, each
/// request inside a `request` span (id, method, URI, peer) and with the
/// peer's address in its extensions, as a server does.
pub async fn serve(listener: TcpListener, app: App) -> std::io::Result<()> {
    let next_id = Arc::new(AtomicU64::new(1));
    loop {
        let (stream, peer) = listener.accept().await?;
        let app = app.clone();
        let next_id = Arc::clone(&next_id);
        let service = hyper::service::service_fn(move |mut request: http::Request<Incoming>| {
            let id = next_id.fetch_add(1, Ordering::Relaxed);
            let span = tracing::info_span!(
                "request",
                id,
                method = %request.method(),
                uri = %request.uri(),
                peer = %peer,
            );
            request.extensions_mut().insert(ConnectionInfo::new(peer));
            let mut app = app.clone();
            async move {
                std::future::poll_fn(|cx| app.poll_ready(cx)).await?;
                app.call(request).await
            }
            .instrument(span)
        });
        tokio::spawn(async move {
            if let Err(e) = http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await
            {
                eprintln!("connection error: {e}");
            }
        });
    }
}

/// Where mails are spooled: `$TACKLE_DATA_DIR/mail-spool`, or a folder
/// under the system's temporary directory (kept after exit, to read).
fn spool_dir() -> PathBuf {
    match std::env::var_os("TACKLE_DATA_DIR") {
        Some(dir) => PathBuf::from(dir).join("mail-spool"),
        None => std::env::temp_dir().join("tackle-errormail-example"),
    }
}

#[allow(dead_code)] // The socket test includes this file for `app` and `serve`.
#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    install_panic_hook();
    init_tracing(true);

    let addr: SocketAddr = std::env::var("TACKLE_ADDR")
        .unwrap_or_else(|_| "127.0.0.1:8006".to_string())
        .parse()?;
    let spool = spool_dir();
    let smtp = match std::env::var("SMTP_URL") {
        Ok(url) => Some(SmtpTransport::from_url(&url)?),
        Err(_) => None,
    };
    match &smtp {
        // `Debug` shows the URL without its credentials.
        Some(transport) => println!(
            "mails go through {transport:?}; those that cannot be sent are kept in {}",
            spool.display()
        ),
        None => println!(
            "mails go to {} as .eml files (set SMTP_URL to send them)",
            spool.display()
        ),
    }
    let mail = mail_layer(&spool, smtp);
    let handle = mail.handle();

    let listener = TcpListener::bind(addr).await?;
    let base = format!("http://{}", listener.local_addr()?);
    println!("serving on {base}; try:");
    for line in [
        format!("curl -i {base}/"),
        format!("curl -i {base}/boom -H 'Authorization: Bearer tok'"),
        format!("curl -i {base}/boom"),
        format!("curl -i '{base}/fail?password=hunter2'"),
        format!("curl -i {base}/health"),
    ] {
        println!("  {line}");
    }
    println!("then Ctrl-C: queued mails are flushed before exit");

    tokio::select! {
        served = serve(listener, app(&mail)) => served?,
        _ = tokio::signal::ctrl_c() => {}
    }
    let flushed = handle.flush(Duration::from_secs(15)).await;
    let stats = handle.stats();
    println!(
        "{} mail(s) sent, {} spooled after a failure, {} dropped{}",
        stats.sent,
        stats.spooled,
        stats.dropped,
        if flushed {
            ""
        } else {
            "; some were still queued"
        }
    );
    Ok(())
}
