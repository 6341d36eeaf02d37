//! `debugger/` scenarios: what `DebuggerLayer` costs a request that does
//! not fail (the goal: ratio >= 0.97 against the same service
//! without the layer).

use std::convert::Infallible;
use std::net::SocketAddr;

use bytes::Bytes;
use futures_util::FutureExt;
use http::{Request, Response, StatusCode, header};
use http_body_util::{BodyExt, Full};
use tackle_debugger::DebuggerLayer;
use tackle_request::ConnectionInfo;
use tower::{Layer, Service, service_fn};

use crate::harness::Scenario;

/// Every `debugger/` scenario.
pub fn scenarios() -> Vec<Scenario> {
    let hello = || {
        service_fn(|_: Request<()>| async {
            Ok::<_, Infallible>(Response::new(Full::new(Bytes::from_static(
                b"hello, world",
            ))))
        })
    };
    let mut with_layer = DebuggerLayer::new().enabled(true).layer(hello());
    let mut without = hello();
    assert_eq!(call(&mut with_layer), (StatusCode::OK, 12));
    assert_eq!(call(&mut without), (StatusCode::OK, 12));
    vec![Scenario::versus(
        "debugger/hello-enabled",
        move || call(&mut with_layer),
        "no-layer",
        move || call(&mut without),
        0.97,
    )]
}

/// A request from a loopback peer for `localhost` (the layer's gate
/// passes it), answered at once; the whole body collected.
fn call<S, B>(service: &mut S) -> (StatusCode, usize)
where
    S: Service<Request<()>, Response = Response<B>>,
    S::Error: std::fmt::Debug,
    B: http_body::Body,
    B::Error: std::fmt::Debug,
{
    let mut request = Request::builder()
        .uri("/")
        .header(header::HOST, "localhost:8000")
        .body(())
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
