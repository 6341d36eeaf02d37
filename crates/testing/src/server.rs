//! The loopback server: the service under test behind a real HTTP/1.1
//! socket on `127.0.0.1`, for tests of what only a socket shows (framing,
//! connection handling, clients other than this crate's).

use std::future::poll_fn;
use std::io;
use std::net::SocketAddr;

use http::{Request, Response};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::TokioIo;
use tackle_request::{Body, BoxError};
use tokio::net::TcpListener;
use tokio::task::{JoinHandle, JoinSet};
use tower_service::Service;

/// A service served over HTTP/1.1 on `127.0.0.1` and a port the OS chose,
/// until the server is dropped or [`shutdown`](Self::shutdown).
///
/// Request bodies reach the service as [`tackle_request::Body`] wrapping
/// hyper's `Incoming`.
#[derive(Debug)]
pub struct TestServer {
    addr: SocketAddr,
    accept: JoinHandle<()>,
}

impl TestServer {
    /// Binds `127.0.0.1:0` and serves `service` from a task on the current
    /// tokio runtime; each connection gets a clone of the service.
    ///
    /// # Panics
    ///
    /// Outside a tokio runtime, or when no loopback port can be bound.
    pub fn spawn<S, B>(service: S) -> TestServer
    where
        S: Service<Request<Body>, Response = Response<B>> + Clone + Send + 'static,
        S::Future: Send + 'static,
        S::Error: Into<BoxError>,
        B: http_body::Body + Send + 'static,
        B::Data: Send,
        B::Error: Into<BoxError>,
    {
        let listener = bind()
            .unwrap_or_else(|err| panic!("tackle-testing: cannot bind a loopback port: {err}"));
        let addr = listener
            .local_addr()
            .unwrap_or_else(|err| panic!("tackle-testing: no local address: {err}"));
        let accept = tokio::spawn(accept_loop(listener, service));
        TestServer { addr, accept }
    }

    /// The address the server listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The `http://127.0.0.1:port` URL of `path` (which should start with
    /// `/`).
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// Stops accepting, closes every open connection and waits until the
    /// port is released.
    pub async fn shutdown(mut self) {
        self.accept.abort();
        // Cancelled is the expected outcome.
        let _ = (&mut self.accept).await;
    }
}

impl Drop for TestServer {
    /// Stops accepting and closes every open connection, without waiting.
    fn drop(&mut self) {
        self.accept.abort();
    }
}

fn bind() -> io::Result<TcpListener> {
    let listener = std::net::TcpListener::bind(("127.0.0.1", 0))?;
    listener.set_nonblocking(true)?;
    TcpListener::from_std(listener)
}

/// Accepts connections until aborted; the connections live in a `JoinSet`
/// owned here, so aborting this task closes them too.
async fn accept_loop<S, B>(listener: TcpListener, service: S)
where
    S: Service<Request<Body>, Response = Response<B>> + Clone + Send + 'static,
    S::Future: Send + 'static,
    S::Error: Into<BoxError>,
    B: http_body::Body + Send + 'static,
    B::Data: Send,
    B::Error: Into<BoxError>,
{
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                // A failed accept (e.g. too many open files) is the client's
                // problem; the listener is still good.
                let Ok((stream, _peer)) = accepted else { continue };
                let service = service.clone();
                connections.spawn(async move {
                    let hyper_service = hyper::service::service_fn(move |request| {
                        serve_request(service.clone(), request)
                    });
                    // A client hanging up mid-request is not a test failure.
                    let _ = http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), hyper_service)
                        .await;
                });
            }
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
}

/// One request: `Incoming` wrapped into the service's body type.
async fn serve_request<S, B>(
    mut service: S,
    request: Request<Incoming>,
) -> Result<Response<B>, BoxError>
where
    S: Service<Request<Body>, Response = Response<B>>,
    S::Error: Into<BoxError>,
{
    if let Err(err) = poll_fn(|cx| service.poll_ready(cx)).await {
        return Err(err.into());
    }
    match service.call(request.map(Body::new)).await {
        Ok(response) => Ok(response),
        Err(err) => Err(err.into()),
    }
}
