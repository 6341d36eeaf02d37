//! Loopback servers for the browser tests: the application behind the
//! debugger layer, served by hyper on `127.0.0.1:0` with each request's peer
//! inserted as a [`ConnectionInfo`], and a server of "another origin" that
//! only counts what reaches it.

// Each test crate that includes this file uses only part of it.
#![allow(dead_code)]

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use http::{Request, Response};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::TokioIo;
use tackle_request::ConnectionInfo;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;
use tower::{Service, ServiceExt};

/// A running server; its accept loop stops when dropped.
pub struct Server {
    pub addr: SocketAddr,
    accept: JoinHandle<()>,
}

impl Server {
    /// `http://localhost:<port>` (a trusted host for the debugger).
    pub fn origin(&self) -> String {
        format!("http://localhost:{}", self.addr.port())
    }

    /// `http://localhost:<port><path>`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.origin())
    }

    /// `http://<host>:<port><path>`: the same server under another name
    /// (`*.localhost` names are loopback in Chromium), so that its cookies
    /// are its own.
    pub fn url_on(&self, host: &str, path: &str) -> String {
        format!("http://{host}:{}{path}", self.addr.port())
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.accept.abort();
    }
}

/// Serves `service` on a free loopback port: HTTP/1.1, hyper's body passed
/// on as it is, the peer as a [`ConnectionInfo`] (the way a server built on
/// tackle sets it).
pub async fn serve<S, B>(service: S) -> Server
where
    S: Service<Request<Incoming>, Response = Response<B>, Error = Infallible>
        + Clone
        + Send
        + 'static,
    S::Future: Send + 'static,
    B: http_body::Body + Send + 'static,
    B::Data: Send,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let accept = tokio::spawn(async move {
        loop {
            let Ok((stream, peer)) = listener.accept().await else {
                continue;
            };
            let service = service.clone();
            let per_request = hyper::service::service_fn(move |request: Request<Incoming>| {
                let service = service.clone();
                async move {
                    let mut request = request;
                    request.extensions_mut().insert(ConnectionInfo::new(peer));
                    service.oneshot(request).await
                }
            });
            tokio::spawn(async move {
                let _ = http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), per_request)
                    .await;
            });
        }
    });
    Server { addr, accept }
}

/// A server of another origin: answers every request with an empty 200 and
/// counts it. Nothing a debugger page does should ever reach it.
pub struct OtherOrigin {
    pub server: Server,
    hits: Arc<AtomicUsize>,
    paths: Arc<Mutex<Vec<String>>>,
}

impl OtherOrigin {
    pub async fn start() -> OtherOrigin {
        let hits = Arc::new(AtomicUsize::new(0));
        let paths = Arc::new(Mutex::new(Vec::new()));
        let (h, p) = (Arc::clone(&hits), Arc::clone(&paths));
        let server = serve(tower::service_fn(move |request: Request<Incoming>| {
            h.fetch_add(1, Ordering::SeqCst);
            p.lock().unwrap().push(request.uri().to_string());
            async move { Ok::<_, Infallible>(Response::new(String::new())) }
        }))
        .await;
        OtherOrigin {
            server,
            hits,
            paths,
        }
    }

    /// `http://127.0.0.1:<port>`: another origin than the app's.
    pub fn origin(&self) -> String {
        format!("http://127.0.0.1:{}", self.server.addr.port())
    }

    pub fn hits(&self) -> usize {
        self.hits.load(Ordering::SeqCst)
    }

    pub fn paths(&self) -> Vec<String> {
        self.paths.lock().unwrap().clone()
    }
}
