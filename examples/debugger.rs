//! The in-browser debugger, on bare hyper: `cargo run --example debugger`,
//! then open http://localhost:8007 in a browser (or the address in
//! `TACKLE_ADDR`) and follow the links, or try with curl:
//!
//! ```text
//! curl -i localhost:8007/panic                                   # a panic: the report as text, X-Debug-Url
//! curl -i localhost:8007/fail -H 'Accept: application/json'      # problem+json with debug_url and the cause chain
//! curl -i localhost:8007/json -H 'Accept: application/json'      # an API route failing: the same, for a JSON client
//! curl -i localhost:8007/deep/3 -H 'Accept: text/html'           # the page: spans with their fields, three levels down
//! curl -i localhost:8007/_debug/                                 # the index of the recent reports
//! curl -i localhost:8007/panic -H 'Host: evil.example'           # an untrusted Host: the generic 500, no debugger
//! ```
//!
//! Every intercepted error carries an `X-Debug-Url` header and is logged
//! with that URL: open it in a browser to see the page (message, cause
//! chain, the stack with the source lines around the failing one, the spans
//! open at the failure with their fields, the request's log events, the
//! scrubbed request). Acting on a report (replaying the request, replaying
//! it with every tracing level recorded, editing and resending it,
//! revealing masked values) asks for the PIN the debugger prints once on
//! stderr at startup (` * tackle debugger PIN: …`), or the one set in
//! `TACKLE_DEBUGGER_PIN`.
//!
//! To replay: open http://localhost:8007/deep/3 in a browser, enter the
//! PIN, tick "record every tracing level" and press "Replay the request".
//! The handler runs again in-process and fails again; the new report's log
//! events now hold the `debug!` and `trace!` lines of `load_account`,
//! `place_order` and `reserve`, which the first report (INFO and above, as
//! every ordinary request) did not keep. Without a browser, the same takes
//! three POSTs carrying the page's `token` and `csrf` form fields and its
//! `tackle_debug_csrf` cookie (`tests/debugger_example.rs` does it):
//!
//! ```text
//! POST /_debug/pin              token=…&csrf=…&pin=<the PIN>&next=/_debug/<id>   # sets tackle_debug_pin
//! POST /_debug/<id>/replay      token=…&csrf=…&trace=all                         # 303 to the new report
//! ```
//!
//! What it shows:
//!
//! 1. [`install_panic_hook`] at startup, so a panic's report carries the
//!    stack and the spans *at the panic site*;
//! 2. a `tracing_subscriber` registry with a printer that has **its own**
//!    filter (INFO) and [`ReportLayer`] with `.level(LevelFilter::INFO)`:
//!    ordinary requests keep their INFO events, and a replay marked
//!    `tackle.verbose = true` keeps its `debug!` and `trace!` events too (a
//!    global filter would stop those before the report layer saw them);
//! 3. a request span around every request and the peer's address in its
//!    extensions (a [`ConnectionInfo`]; the debugger answers loopback peers
//!    only, and an unknown peer is denied), in [`serve`];
//! 4. [`DebuggerLayer`] outermost, enabled (it is off by default and stays
//!    off in release builds without `allow_in_release`), with the app's
//!    root so that source lines are found.
//!
//! Only ever run this on a development machine: the page shows source code,
//! request headers and stack traces.

use std::fmt;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use http::StatusCode;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::TokioIo;
use serde_json::json;
use tackle::debugger::{Debugger, DebuggerLayer, RequestBody};
use tackle::report::{ErrorReport, ReportLayer, ResponseReportExt, install_panic_hook};
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

/// The request body the routes read: what the debugger hands its inner
/// service (hyper's body, copied up to 64 KiB as it is read so that the
/// request can be replayed; a replay's body is those bytes).
pub type AppBody = RequestBody<Incoming>;

/// The answer of every handler here.
type Reply = Result<http::Response<Body>, HttpError>;

/// The app: the routes behind the debugger.
pub type App = Debugger<Router<AppBody>>;

/// The routes:
///
/// | route | what goes wrong |
/// |---|---|
/// | `GET /` | nothing: a page linking the others |
/// | `GET /panic` | a panic (an empty cart indexed) |
/// | `GET /fail` | a 500 with its error (and the error's cause) attached |
/// | `GET /deep/{n}` | an error made `n` + 2 instrumented calls deep, its report captured there |
/// | `GET /json` | an API route's 500, with a JSON body and its error attached |
pub fn routes() -> Router<AppBody> {
    Router::new()
        .route("/", get(handler(index)))
        .route("/panic", get(handler(panic)))
        .route("/fail", get(handler(fail)))
        .route("/deep/{n:uint}", get(handler(deep)))
        .route("/json", get(handler(api)))
}

/// The debugger: on (in debug builds), with the app's root so that
/// source lines are found; the PIN from `TACKLE_DEBUGGER_PIN` or random.
pub fn debugger_layer() -> DebuggerLayer {
    DebuggerLayer::new()
        .enabled(true)
        .app_root(tackle::debugger::app_root!())
}

/// [`routes`] behind `debugger`.
pub fn app(debugger: &DebuggerLayer) -> App {
    debugger.layer(routes())
}

/// A subscriber on a `tracing_subscriber` registry: [`ReportLayer`] keeps
/// each request's events of level INFO and above (every level inside a
/// `tackle.verbose = true` span, as a verbose replay opens); with `log`,
/// INFO and above are also printed to stderr, through the printer's own
/// filter so that `debug!` and `trace!` still reach the report layer.
/// Installed globally (once; later calls do nothing).
pub fn init_tracing(log: bool) {
    let printer = log.then(|| {
        log::layer()
            .with_writer(std::io::stderr)
            .with_filter(LevelFilter::INFO)
    });
    let _ = tracing_subscriber::registry()
        .with(printer)
        .with(ReportLayer::new().level(LevelFilter::INFO))
        .try_init();
}

async fn index(_request: Request<AppBody>) -> Reply {
    Ok(Response::html(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <title>tackle-debugger example</title></head><body>\n\
         <h1>tackle-debugger example</h1>\n<ul>\n\
         <li><a href=\"/panic\">/panic</a>: a panic</li>\n\
         <li><a href=\"/fail\">/fail</a>: a 500 with its error attached</li>\n\
         <li><a href=\"/deep/3\">/deep/3</a>: an error deep inside instrumented functions</li>\n\
         <li><a href=\"/json\">/json</a>: an API route failing (try it with \
         <code>curl -H 'Accept: application/json'</code>)</li>\n\
         <li><a href=\"/_debug/\">/_debug/</a>: the recent reports</li>\n\
         </ul>\n</body></html>\n",
    ))
}

/// `GET /panic`: a bug. The panic hook records the stack and the spans
/// open here; the debugger answers with the page.
async fn panic(_request: Request<AppBody>) -> Reply {
    let _checkout = tracing::info_span!("checkout", cart_id = 17).entered();
    tracing::info!(items = 0, "loading the cart");
    let cart: Vec<String> = Vec::new();
    let first = cart.first().cloned();
    Ok(Response::text(
        first.expect("cart 17 has at least one item"),
    ))
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

fn invoice_error(id: u64) -> InvoiceError {
    InvoiceError {
        id,
        source: std::io::Error::new(
            std::io::ErrorKind::ConnectionRefused,
            "connection refused by the billing database",
        ),
    }
}

/// `GET /fail`: a handled failure. The client's 500 carries its error
/// (with the cause chain and the spans open where it was attached).
async fn fail(_request: Request<AppBody>) -> Reply {
    let _span = tracing::info_span!("load_invoice", invoice_id = 42).entered();
    tracing::warn!("the billing database refused the connection");
    Ok(Response::text("the invoice is not available right now\n")
        .with_status(StatusCode::INTERNAL_SERVER_ERROR)
        .with_error(invoice_error(42)))
}

/// `GET /json`: an API route. Its own body is JSON; a client asking for
/// JSON gets the debugger's problem+json instead, with a `debug_url`.
async fn api(_request: Request<AppBody>) -> Reply {
    let _span = tracing::info_span!("api.invoice", invoice_id = 43).entered();
    Ok(
        Response::json(&json!({ "error": "invoice 43 is not available" }))
            .with_status(StatusCode::INTERNAL_SERVER_ERROR)
            .with_error(invoice_error(43)),
    )
}

/// An item that cannot be reserved.
#[derive(Debug)]
pub struct OutOfStock {
    sku: String,
    warehouse: u32,
}

impl fmt::Display for OutOfStock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "item {} is out of stock in warehouse {}",
            self.sku, self.warehouse
        )
    }
}

impl std::error::Error for OutOfStock {}

/// `GET /deep/{n}`: an order placed for user 7, failing `n` warehouses
/// down. The report is made where the error happens, so it carries the
/// spans open there: the request's, `load_account` (`user_id`),
/// `place_order` (`order_id`) and one `reserve` per warehouse.
async fn deep(request: Request<AppBody>) -> Reply {
    let params = request.path_params().ok_or_else(HttpError::not_found)?;
    let depth: u32 = params.get("n")?;
    let depth = depth.min(32);
    match load_account(7, depth) {
        Ok(total) => Ok(Response::text(format!("order placed: {total}\n"))),
        Err(report) => Ok(Response::text("the order could not be placed\n")
            .with_status(StatusCode::INTERNAL_SERVER_ERROR)
            .with_report(*report)),
    }
}

#[tracing::instrument(fields(plan = "pro"))]
fn load_account(user_id: u64, depth: u32) -> Result<u64, Box<ErrorReport>> {
    tracing::debug!(user_id, "account loaded from the cache");
    place_order(user_id, 1000 + u64::from(depth), depth)
}

#[tracing::instrument(fields(items = 3))]
fn place_order(user_id: u64, order_id: u64, depth: u32) -> Result<u64, Box<ErrorReport>> {
    tracing::info!(order_id, "placing the order");
    tracing::trace!(order_id, "order row locked");
    reserve(order_id, "SKU-1138", 1, depth)
}

#[tracing::instrument]
fn reserve(order_id: u64, sku: &str, warehouse: u32, left: u32) -> Result<u64, Box<ErrorReport>> {
    tracing::debug!(warehouse, "asking warehouse {warehouse}");
    if left > 1 {
        return reserve(order_id, sku, warehouse + 1, left - 1);
    }
    tracing::trace!(warehouse, stock = 0, "stock level read");
    let error = OutOfStock {
        sku: sku.to_owned(),
        warehouse,
    };
    Err(Box::new(ErrorReport::from_error(error)))
}

/// Serves `app` over HTTP/1.1 on every connection `listener` accepts, each
/// request inside a `request` span (id, method, URI, peer) and with the
/// peer's address in its extensions (a [`ConnectionInfo`]: without it the
/// debugger denies the request), as a server does.
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

#[allow(dead_code)] // The socket test includes this file for `app` and `serve`.
#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    install_panic_hook();
    init_tracing(true);

    let addr: SocketAddr = std::env::var("TACKLE_ADDR")
        .unwrap_or_else(|_| "127.0.0.1:8007".to_string())
        .parse()?;
    let debugger = debugger_layer();
    let app = app(&debugger);
    if !debugger.is_enabled() {
        println!("this is a release build: the debugger stays off (errors are generic 500s)");
    }
    let listener = TcpListener::bind(addr).await?;
    let local = listener.local_addr()?;
    // The debugger trusts `localhost` and loopback addresses as `Host`.
    let base = format!("http://localhost:{}", local.port());
    println!("serving on http://{local}; open {base}/ in a browser, or try:");
    for line in [
        format!("curl -i {base}/panic"),
        format!("curl -i {base}/fail -H 'Accept: application/json'"),
        format!("curl -i {base}/json -H 'Accept: application/json'"),
        format!("curl -i {base}/deep/3 -H 'Accept: text/html'"),
        format!("curl -i {base}/_debug/"),
        format!("curl -i {base}/panic -H 'Host: evil.example'"),
    ] {
        println!("  {line}");
    }

    tokio::select! {
        served = serve(listener, app) => served?,
        _ = tokio::signal::ctrl_c() => {}
    }
    Ok(())
}
