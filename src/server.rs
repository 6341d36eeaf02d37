//! A server for any tower service: [`serve`], [`serve_dev`] and the
//! [`Server`] builder behind them.
//!
//! It is hyper-util's auto connection builder (HTTP/1.1, and HTTP/2 over
//! cleartext with prior knowledge, told apart by the connection preface)
//! on a tokio `TcpListener`, with what every deployment needs around it:
//!
//! - the peer's address in every request's extensions, as a
//!   [`ConnectionInfo`] (the debugger, error reports and
//!   `Request::remote_addr` read it);
//! - graceful shutdown on SIGINT or SIGTERM (or a future of your own): stop
//!   accepting, let in-flight requests finish and idle connections close,
//!   and after [`Server::shutdown_timeout`] close whatever is left;
//! - one startup line on stdout, `tackle: listening on http://ADDR`, with the
//!   real port when bound to port 0;
//! - bounds on what clients can hold: [`MAX_CONNECTIONS`] open connections
//!   (more wait in the kernel's backlog) and [`HEADER_READ_TIMEOUT`] to send
//!   a request head on HTTP/1.1.
//!
//! TLS is left to a proxy in front (nginx, see the README) or to your own
//! accept loop; the layers do not care which.

use std::error::Error as StdError;
use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::time::Duration;

use http::{Request, Response};
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::{TcpListener, ToSocketAddrs};
use tokio::task::JoinSet;
use tower::Service;
use tower::util::{Oneshot, ServiceExt};

use crate::request::extensions::ConnectionInfo;

type BoxError = Box<dyn StdError + Send + Sync>;

/// How long in-flight requests may take to finish after a shutdown signal
/// before their connections are closed: 10 seconds unless
/// [`Server::shutdown_timeout`] says otherwise.
pub const SHUTDOWN_TIMEOUT: Duration = Duration::from_secs(10);

/// How long an HTTP/1.1 client has to send a complete request head: 30
/// seconds unless [`Server::header_read_timeout`] says otherwise. A slow
/// client cannot hold a connection open by dribbling bytes.
pub const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(30);

/// Connections served at once: 10,000 unless [`Server::max_connections`]
/// says otherwise. At the limit the server stops accepting until one
/// closes, so memory stays bounded however many clients connect.
pub const MAX_CONNECTIONS: usize = 10_000;

/// Serves `service` on `addr` until SIGINT or SIGTERM, then shuts down
/// gracefully (see [`Server`]).
///
/// ```no_run
/// use std::convert::Infallible;
/// use http::{Request, Response};
/// use hyper::body::Incoming;
///
/// # async fn run() -> std::io::Result<()> {
/// let hello = tower::service_fn(|_request: Request<Incoming>| async {
///     Ok::<_, Infallible>(Response::new("Hello, world!\n".to_owned()))
/// });
/// tackle::serve("127.0.0.1:8000", hello).await
/// # }
/// ```
pub async fn serve<S, B>(addr: impl ToSocketAddrs, service: S) -> io::Result<()>
where
    S: Service<Request<Incoming>, Response = Response<B>> + Clone + Send + 'static,
    S::Future: Send + 'static,
    S::Error: Into<BoxError>,
    B: http_body::Body + Send + 'static,
    B::Data: Send,
    B::Error: Into<BoxError>,
{
    Server::bind(addr).await?.serve(service).await
}

/// Serves `service` on `addr` for development: [`serve`] with the
/// debugger in front, enabled even in a release build (calling this is the
/// opt-in; a loud warning is logged). Prints the debugger's PIN on stderr,
/// then the startup line.
///
/// The debugger answers loopback peers only; never expose this to a
/// network. The service sees the request body through the debugger's
/// capture, [`RequestBody`](crate::debugger::RequestBody).
#[cfg(feature = "debugger")]
pub async fn serve_dev<S, B>(addr: impl ToSocketAddrs, service: S) -> io::Result<()>
where
    S: Service<Request<crate::debugger::RequestBody<Incoming>>, Response = Response<B>>
        + Clone
        + Send
        + 'static,
    S::Future: Send + 'static,
    S::Error: Into<BoxError> + std::fmt::Display + Send + 'static,
    B: http_body::Body<Data = bytes::Bytes> + Send + 'static,
    B::Error: Into<BoxError>,
{
    Server::bind(addr).await?.serve_dev(service).await
}

type Signal = Pin<Box<dyn Future<Output = ()> + Send>>;

/// A bound listener and how to run it: the builder behind [`serve`] and
/// [`serve_dev`].
///
/// ```no_run
/// use std::time::Duration;
/// # use std::convert::Infallible;
/// # use http::{Request, Response};
/// # async fn run() -> std::io::Result<()> {
/// # let app = tower::service_fn(|_r: Request<hyper::body::Incoming>| async {
/// #     Ok::<_, Infallible>(Response::new(String::new()))
/// # });
/// let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
/// let server = tackle::Server::bind("127.0.0.1:0")
///     .await?
///     .shutdown_timeout(Duration::from_secs(5))
///     .shutdown_signal(async { stopped.await.ok(); });
/// let addr = server.local_addr()?;
/// tokio::spawn(server.serve(app));
/// // ... talk to `addr`, then:
/// stop.send(()).ok();
/// # Ok(())
/// # }
/// ```
pub struct Server {
    listener: TcpListener,
    shutdown_timeout: Duration,
    header_read_timeout: Duration,
    max_connections: usize,
    signal: Option<Signal>,
    #[cfg(feature = "debugger")]
    debugger: crate::debugger::DebuggerLayer,
}

impl std::fmt::Debug for Server {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Server")
            .field("local_addr", &self.listener.local_addr().ok())
            .field("shutdown_timeout", &self.shutdown_timeout)
            .field("header_read_timeout", &self.header_read_timeout)
            .field("max_connections", &self.max_connections)
            .field("custom_signal", &self.signal.is_some())
            .finish_non_exhaustive()
    }
}

impl Server {
    /// Binds a listener on `addr` (port 0 picks a free port).
    pub async fn bind(addr: impl ToSocketAddrs) -> io::Result<Server> {
        Ok(Server::from_listener(TcpListener::bind(addr).await?))
    }

    /// Serves connections from a listener you bound yourself.
    pub fn from_listener(listener: TcpListener) -> Server {
        Server {
            listener,
            shutdown_timeout: SHUTDOWN_TIMEOUT,
            header_read_timeout: HEADER_READ_TIMEOUT,
            max_connections: MAX_CONNECTIONS,
            signal: None,
            #[cfg(feature = "debugger")]
            debugger: crate::debugger::DebuggerLayer::new(),
        }
    }

    /// The address the listener is bound to.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// How long in-flight requests may run after the shutdown signal before
    /// their connections are closed ([`SHUTDOWN_TIMEOUT`] by default).
    pub fn shutdown_timeout(mut self, timeout: Duration) -> Server {
        self.shutdown_timeout = timeout;
        self
    }

    /// How long an HTTP/1.1 client has to send a whole request head
    /// ([`HEADER_READ_TIMEOUT`] by default) before it is disconnected.
    pub fn header_read_timeout(mut self, timeout: Duration) -> Server {
        self.header_read_timeout = timeout;
        self
    }

    /// How many connections are served at once ([`MAX_CONNECTIONS`] by
    /// default; at least 1).
    pub fn max_connections(mut self, max: usize) -> Server {
        self.max_connections = max.max(1);
        self
    }

    /// Shuts down when `signal` completes instead of on SIGINT or SIGTERM.
    pub fn shutdown_signal(mut self, signal: impl Future<Output = ()> + Send + 'static) -> Server {
        self.signal = Some(Box::pin(signal));
        self
    }

    /// The debugger layer [`serve_dev`](Server::serve_dev) puts in front (a
    /// default [`DebuggerLayer`](crate::debugger::DebuggerLayer) unless
    /// given): set its app root, trusted hosts or PIN here. `serve_dev`
    /// enables it.
    #[cfg(feature = "debugger")]
    pub fn debugger(mut self, layer: crate::debugger::DebuggerLayer) -> Server {
        self.debugger = layer;
        self
    }

    /// Serves `service` until the shutdown signal, then shuts down
    /// gracefully. Returns an error only if the listener fails for good.
    pub async fn serve<S, B>(self, service: S) -> io::Result<()>
    where
        S: Service<Request<Incoming>, Response = Response<B>> + Clone + Send + 'static,
        S::Future: Send + 'static,
        S::Error: Into<BoxError>,
        B: http_body::Body + Send + 'static,
        B::Data: Send,
        B::Error: Into<BoxError>,
    {
        let signal = self.signal.unwrap_or_else(|| Box::pin(terminated()));
        let addr = self.listener.local_addr()?;
        println!("tackle: listening on http://{addr}");
        let limits = Limits {
            shutdown_timeout: self.shutdown_timeout,
            header_read_timeout: self.header_read_timeout,
            max_connections: self.max_connections,
        };
        run(self.listener, service, signal, limits).await
    }

    /// [`serve`](Server::serve) with the debugger in front, enabled even in
    /// a release build (see [`serve_dev`](crate::serve_dev)).
    #[cfg(feature = "debugger")]
    pub async fn serve_dev<S, B>(mut self, service: S) -> io::Result<()>
    where
        S: Service<Request<crate::debugger::RequestBody<Incoming>>, Response = Response<B>>
            + Clone
            + Send
            + 'static,
        S::Future: Send + 'static,
        S::Error: Into<BoxError> + std::fmt::Display + Send + 'static,
        B: http_body::Body<Data = bytes::Bytes> + Send + 'static,
        B::Error: Into<BoxError>,
    {
        use tower::Layer;

        let layer = std::mem::take(&mut self.debugger)
            .enabled(true)
            .allow_in_release(true);
        // Settles the layer now, so the PIN is printed before the URL.
        layer.is_enabled();
        self.serve(layer.layer(service)).await
    }
}

struct Limits {
    shutdown_timeout: Duration,
    header_read_timeout: Duration,
    max_connections: usize,
}

/// The accept loop: one task per connection, each watched for graceful
/// shutdown, at most `max_connections` at once.
async fn run<S, B>(
    listener: TcpListener,
    service: S,
    mut signal: Signal,
    limits: Limits,
) -> io::Result<()>
where
    S: Service<Request<Incoming>, Response = Response<B>> + Clone + Send + 'static,
    S::Future: Send + 'static,
    S::Error: Into<BoxError>,
    B: http_body::Body + Send + 'static,
    B::Data: Send,
    B::Error: Into<BoxError>,
{
    let mut builder = auto::Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout);
    builder.http2().timer(TokioTimer::new());

    let graceful = GracefulShutdown::new();
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            biased;
            () = &mut signal => break,
            // Reap finished connections so the set holds only live ones.
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
            accepted = listener.accept(), if connections.len() < limits.max_connections => {
                let (stream, peer) = match accepted {
                    Ok(accepted) => accepted,
                    Err(error) => {
                        accept_failed(error).await;
                        continue;
                    }
                };
                // Responses are written whole; Nagle would only delay them.
                let _ = stream.set_nodelay(true);
                let service = WithConnectionInfo {
                    inner: service.clone(),
                    info: ConnectionInfo::new(peer),
                };
                let connection = builder
                    .serve_connection_with_upgrades(TokioIo::new(stream), service)
                    .into_owned();
                let connection = graceful.watch(connection);
                connections.spawn(async move {
                    if let Err(error) = connection.await {
                        tracing::debug!(%peer, error, "connection ended with an error");
                    }
                });
            }
        }
    }

    drop(listener);
    let open = graceful.count();
    println!("tackle: shutting down ({open} open connections)");
    if tokio::time::timeout(limits.shutdown_timeout, graceful.shutdown())
        .await
        .is_err()
    {
        println!(
            "tackle: {} connections still busy after {:?}; closing them",
            connections.len(),
            limits.shutdown_timeout
        );
    }
    connections.shutdown().await;
    Ok(())
}

/// An accept error is about one connection or a passing shortage (too
/// many open files): log it, and back off briefly when resources ran out
/// so the loop does not spin.
async fn accept_failed(error: io::Error) {
    use io::ErrorKind::*;
    match error.kind() {
        ConnectionAborted | ConnectionReset | Interrupted | WouldBlock => {}
        _ => {
            tracing::warn!(%error, "accepting a connection failed; retrying in 50 ms");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

/// Completes on SIGINT (Ctrl-C) or, on Unix, SIGTERM (what `kill`,
/// systemd and container runtimes send).
async fn terminated() {
    let interrupt = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {}
        () = terminate => {}
    }
}

/// The per-connection service hyper calls: puts the connection's
/// [`ConnectionInfo`] into each request and calls a clone of the app (a
/// tower service must be ready before it is called).
struct WithConnectionInfo<S> {
    inner: S,
    info: ConnectionInfo,
}

impl<S> hyper::service::Service<Request<Incoming>> for WithConnectionInfo<S>
where
    S: Service<Request<Incoming>> + Clone,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = Oneshot<S, Request<Incoming>>;

    fn call(&self, mut request: Request<Incoming>) -> Self::Future {
        request.extensions_mut().insert(self.info);
        self.inner.clone().oneshot(request)
    }
}
