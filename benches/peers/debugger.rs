//! `debugger/` scenarios: what `DebuggerLayer` costs a request that does
//! not fail (the goal: ratio >= 0.97 against the same service
//! without the layer).
//!
//! Two measurements: the service called in process (the layer's own cost
//! in nanoseconds, against a bare `service_fn`), and the same hello-world
//! service behind hyper on a loopback socket, one keep-alive connection,
//! request after request (what a client of the service sees).

use std::convert::Infallible;
use std::net::SocketAddr;

use bytes::Bytes;
use futures_util::FutureExt;
use http::{Request, Response, StatusCode, header};
use http_body_util::{BodyExt, Empty, Full};
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use tackle_debugger::{DebuggerLayer, RequestBody};
use tackle_request::ConnectionInfo;
use tower::{Layer, Service, ServiceExt, service_fn};

use crate::harness::Scenario;

/// The layer as a developer runs it: on. Benchmarks build in release mode,
/// where `enabled(true)` alone leaves the layer off, so the opt-in is
/// given too (the layer logs its warning once).
fn enabled() -> DebuggerLayer {
    DebuggerLayer::new().enabled(true).allow_in_release(true)
}

/// Every `debugger/` scenario.
pub fn scenarios() -> Vec<Scenario> {
    let layer = enabled();
    assert!(layer.is_enabled());
    let mut with_layer = layer.layer(service_fn(hello::<RequestBody<String>>));
    let mut disabled = DebuggerLayer::new().layer(service_fn(hello::<RequestBody<String>>));
    let mut without = service_fn(hello::<String>);
    let mut without_too = service_fn(hello::<String>);
    assert_eq!(call(&mut with_layer), (StatusCode::OK, 12));
    assert_eq!(call(&mut disabled), (StatusCode::OK, 12));
    assert_eq!(call(&mut without), (StatusCode::OK, 12));
    let http_with = Loopback::start(enabled().layer(service_fn(hello::<RequestBody<Incoming>>)));
    let http_without = Loopback::start(service_fn(hello::<Incoming>));
    assert_eq!(http_with.get(), 12);
    assert_eq!(http_without.get(), 12);
    vec![
        Scenario::versus(
            "debugger/hello-enabled",
            move || call(&mut with_layer),
            "no-layer",
            move || call(&mut without),
            0.97,
        ),
        Scenario::versus(
            "debugger/hello-disabled",
            move || call(&mut disabled),
            "no-layer",
            move || call(&mut without_too),
            0.97,
        ),
        Scenario::versus(
            "debugger/hello-enabled-http",
            move || http_with.get(),
            "no-layer",
            move || http_without.get(),
            0.97,
        ),
    ]
}

/// A hyper server on 127.0.0.1 and one keep-alive client connection to
/// it, on a current-thread runtime driven by each `get`.
struct Loopback {
    runtime: tokio::runtime::Runtime,
    sender: std::cell::RefCell<hyper::client::conn::http1::SendRequest<Empty<Bytes>>>,
    host: String,
}

impl Loopback {
    fn start<S, B>(service: S) -> Loopback
    where
        S: Service<Request<Incoming>, Response = Response<B>> + Clone + Send + 'static,
        S::Future: Send + 'static,
        S::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
        B: http_body::Body + Send + 'static,
        B::Data: Send,
        B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
    {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a runtime");
        let (sender, host) = runtime.block_on(async move {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
                .await
                .expect("a loopback port");
            let addr = listener.local_addr().expect("its address");
            tokio::spawn(async move {
                while let Ok((stream, peer)) = listener.accept().await {
                    let service = service.clone();
                    tokio::spawn(async move {
                        let service =
                            hyper::service::service_fn(move |mut request: Request<Incoming>| {
                                request.extensions_mut().insert(ConnectionInfo::new(peer));
                                service.clone().oneshot(request)
                            });
                        let _ = hyper::server::conn::http1::Builder::new()
                            .serve_connection(TokioIo::new(stream), service)
                            .await;
                    });
                }
            });
            let stream = tokio::net::TcpStream::connect(addr)
                .await
                .expect("a connection");
            stream.set_nodelay(true).expect("TCP_NODELAY");
            let (sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
                .await
                .expect("a handshake");
            tokio::spawn(connection);
            (sender, format!("localhost:{}", addr.port()))
        });
        Loopback {
            runtime,
            sender: std::cell::RefCell::new(sender),
            host,
        }
    }

    /// One `GET /`, its body read; the body's length.
    fn get(&self) -> usize {
        let request = Request::builder()
            .uri("/")
            .header(header::HOST, &self.host)
            .body(Empty::<Bytes>::new())
            .expect("a valid request");
        let mut sender = self.sender.borrow_mut();
        self.runtime.block_on(async {
            sender.ready().await.expect("a live connection");
            let response = sender.send_request(request).await.expect("a response");
            let body = response
                .into_body()
                .collect()
                .await
                .expect("a body")
                .to_bytes();
            body.len()
        })
    }
}

/// The hello-world handler.
async fn hello<B>(_: Request<B>) -> Result<Response<Full<Bytes>>, Infallible> {
    Ok(Response::new(Full::new(Bytes::from_static(
        b"hello, world",
    ))))
}

/// A request from a loopback peer for `localhost` (the layer's gate
/// passes it), answered at once; the whole body collected.
fn call<S, B>(service: &mut S) -> (StatusCode, usize)
where
    S: Service<Request<String>, Response = Response<B>>,
    S::Error: std::fmt::Debug,
    B: http_body::Body,
    B::Error: std::fmt::Debug,
{
    let mut request = Request::builder()
        .uri("/")
        .header(header::HOST, "localhost:8000")
        .body(String::new())
        .expect("a valid request");
    let peer: SocketAddr = "127.0.0.1:50000".parse().expect("an address");
    request.extensions_mut().insert(ConnectionInfo::new(peer));
    let response = service
        .call(request)
        .now_or_never()
        .expect("ready at once")
        .expect("a service that does not fail");
    let status = response.status();
    let body = response
        .into_body()
        .collect()
        .now_or_never()
        .expect("ready at once")
        .expect("a body that does not fail")
        .to_bytes();
    (status, body.len())
}
