//! `tackle::serve` over real sockets: HTTP/1.1 and h2c on one port, the
//! peer address in extensions, graceful shutdown (in-flight requests finish,
//! idle connections close, stuck ones are cut at the timeout), the
//! connection limit, and `serve_dev`'s debugger.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::{Request, Response, StatusCode, Version};
use http_body_util::{BodyExt, Empty, Full};
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo};
use tackle::Server;
use tackle::request::extensions::ConnectionInfo;
use tokio::net::TcpStream;
use tokio::sync::{Notify, oneshot};
use tokio::task::JoinHandle;

/// Answers `peer=<addr> version=<version>`, after waiting on `gate` for
/// `/slow` (and forever for `/stuck`).
fn app(
    gate: Arc<Notify>,
    started: Arc<Notify>,
) -> impl tower::Service<
    Request<Incoming>,
    Response = Response<Full<Bytes>>,
    Error = Infallible,
    Future = impl Send,
> + Clone
+ Send
+ 'static {
    tower::service_fn(move |request: Request<Incoming>| {
        let (gate, started) = (Arc::clone(&gate), Arc::clone(&started));
        async move {
            match request.uri().path() {
                "/slow" => {
                    started.notify_one();
                    gate.notified().await;
                }
                "/stuck" => {
                    started.notify_one();
                    std::future::pending::<()>().await;
                }
                _ => {}
            }
            let peer = ConnectionInfo::from_request(&request)
                .and_then(|info| info.remote_addr())
                .map_or("none".to_owned(), |addr| addr.to_string());
            let body = format!("peer={peer} version={:?}", request.version());
            Ok::<_, Infallible>(Response::new(Full::new(Bytes::from(body))))
        }
    })
}

struct Running {
    addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    served: JoinHandle<std::io::Result<()>>,
    gate: Arc<Notify>,
    started: Arc<Notify>,
}

async fn start(configure: impl FnOnce(Server) -> Server) -> Running {
    let (stop, stopped) = oneshot::channel::<()>();
    let server = Server::bind("127.0.0.1:0")
        .await
        .unwrap()
        .shutdown_signal(async {
            stopped.await.ok();
        });
    let server = configure(server);
    let addr = server.local_addr().unwrap();
    let (gate, started) = (Arc::new(Notify::new()), Arc::new(Notify::new()));
    let served = tokio::spawn(server.serve(app(Arc::clone(&gate), Arc::clone(&started))));
    Running {
        addr,
        stop: Some(stop),
        served,
        gate,
        started,
    }
}

impl Running {
    /// Sends the shutdown signal and waits (at most 10 s) for `serve` to
    /// return.
    async fn shut_down(&mut self) -> std::io::Result<()> {
        self.stop.take().unwrap().send(()).unwrap();
        tokio::time::timeout(Duration::from_secs(10), &mut self.served)
            .await
            .expect("serve returns after the shutdown signal")
            .unwrap()
    }
}

type Sender = hyper::client::conn::http1::SendRequest<Empty<Bytes>>;

async fn http1(addr: SocketAddr) -> (Sender, SocketAddr, JoinHandle<()>) {
    let stream = TcpStream::connect(addr).await.unwrap();
    let local = stream.local_addr().unwrap();
    let (sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .unwrap();
    let driver = tokio::spawn(async move {
        let _ = connection.await;
    });
    (sender, local, driver)
}

fn get(path: &str) -> Request<Empty<Bytes>> {
    Request::get(path)
        .header("host", "localhost")
        .body(Empty::new())
        .unwrap()
}

async fn text(response: Response<Incoming>) -> String {
    let body = response.into_body().collect().await.unwrap().to_bytes();
    String::from_utf8(body.to_vec()).unwrap()
}

#[tokio::test]
async fn http1_and_h2c_share_a_port_and_see_the_peer() {
    let mut server = start(|s| s).await;

    let (mut sender, local, _driver) = http1(server.addr).await;
    let response = sender.send_request(get("/")).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        text(response).await,
        format!("peer={local} version=HTTP/1.1")
    );

    // HTTP/2 with prior knowledge: the connection preface tells them apart.
    let stream = TcpStream::connect(server.addr).await.unwrap();
    let local = stream.local_addr().unwrap();
    let (mut sender, connection) =
        hyper::client::conn::http2::handshake(TokioExecutor::new(), TokioIo::new(stream))
            .await
            .unwrap();
    tokio::spawn(connection);
    let request = Request::get(format!("http://{}/", server.addr))
        .body(Empty::<Bytes>::new())
        .unwrap();
    let response = sender.send_request(request).await.unwrap();
    assert_eq!(response.version(), Version::HTTP_2);
    assert_eq!(
        text(response).await,
        format!("peer={local} version=HTTP/2.0")
    );

    server.shut_down().await.unwrap();
}

#[tokio::test]
async fn shutdown_lets_in_flight_requests_finish_and_closes_idle_connections() {
    let mut server = start(|s| s.shutdown_timeout(Duration::from_secs(60))).await;

    // An idle keep-alive connection must not hold the shutdown up.
    let (mut idle, _, idle_driver) = http1(server.addr).await;
    let response = idle.send_request(get("/")).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    text(response).await;

    let (mut busy, _, _driver) = http1(server.addr).await;
    let in_flight = tokio::spawn(async move { busy.send_request(get("/slow")).await });
    server.started.notified().await;

    server.stop.take().unwrap().send(()).unwrap();
    // The listener closes: new connections are refused.
    let mut refused = false;
    for _ in 0..100 {
        if TcpStream::connect(server.addr).await.is_err() {
            refused = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(refused, "the listener still accepts after the signal");
    // The idle connection was told to close.
    tokio::time::timeout(Duration::from_secs(10), idle_driver)
        .await
        .expect("the idle connection is closed at shutdown")
        .unwrap();
    assert!(!server.served.is_finished(), "a request is still in flight");

    server.gate.notify_one();
    let response = in_flight
        .await
        .unwrap()
        .expect("the in-flight request finishes");
    assert_eq!(response.status(), StatusCode::OK);
    assert!(text(response).await.starts_with("peer="));
    tokio::time::timeout(Duration::from_secs(10), &mut server.served)
        .await
        .expect("serve returns once the last request is done")
        .unwrap()
        .unwrap();
}

#[tokio::test]
async fn shutdown_timeout_cuts_requests_that_do_not_finish() {
    let mut server = start(|s| s.shutdown_timeout(Duration::from_millis(100))).await;
    let (mut sender, _, _driver) = http1(server.addr).await;
    let stuck = tokio::spawn(async move { sender.send_request(get("/stuck")).await });
    server.started.notified().await;

    server.shut_down().await.unwrap();
    let outcome = tokio::time::timeout(Duration::from_secs(10), stuck)
        .await
        .expect("the stuck request's connection is closed")
        .unwrap();
    assert!(outcome.is_err(), "a cut connection gives no response");
}

#[tokio::test]
async fn connections_beyond_the_limit_wait_for_a_free_slot() {
    let mut server = start(|s| s.max_connections(1)).await;
    let (mut first, _, first_driver) = http1(server.addr).await;
    let response = first.send_request(get("/")).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    text(response).await;

    // The kernel completes the handshake, but the server does not accept
    // (or answer) the second connection while the first is open.
    let (mut second, _, _driver) = http1(server.addr).await;
    let waiting = tokio::spawn(async move { second.send_request(get("/")).await });
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(!waiting.is_finished(), "served beyond max_connections(1)");

    drop(first);
    first_driver.await.unwrap();
    let response = tokio::time::timeout(Duration::from_secs(10), waiting)
        .await
        .expect("served once the first connection closed")
        .unwrap()
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    server.shut_down().await.unwrap();
}

#[tokio::test]
async fn a_client_too_slow_to_send_its_head_is_disconnected() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    let mut server = start(|s| s.header_read_timeout(Duration::from_millis(300))).await;
    // In time: a whole head at once is served.
    let (mut sender, _, _driver) = http1(server.addr).await;
    let response = sender.send_request(get("/")).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);

    // Too slow: half a head, then nothing; the server hangs up.
    let mut slow = TcpStream::connect(server.addr).await.unwrap();
    slow.write_all(b"GET / HTTP/1.1\r\nHost: loc")
        .await
        .unwrap();
    let mut rest = Vec::new();
    // Closed (or reset) rather than left hanging; at most a 408 is sent.
    let _closed_or_reset =
        tokio::time::timeout(Duration::from_secs(10), slow.read_to_end(&mut rest))
            .await
            .expect("disconnected after the header read timeout");
    assert!(
        rest.is_empty() || String::from_utf8_lossy(&rest).starts_with("HTTP/1.1 408"),
        "{}",
        String::from_utf8_lossy(&rest)
    );
    server.shut_down().await.unwrap();
}

#[tokio::test]
async fn serve_dev_puts_the_debugger_in_front() {
    let (stop, stopped) = oneshot::channel::<()>();
    let server = Server::bind("127.0.0.1:0")
        .await
        .unwrap()
        .debugger(tackle::debugger::DebuggerLayer::new().pin("123456789"))
        .shutdown_signal(async {
            stopped.await.ok();
        });
    let addr = server.local_addr().unwrap();
    let app = tower::service_fn(
        |request: Request<tackle::debugger::RequestBody<Incoming>>| async move {
            if request.uri().path() == "/boom" {
                panic!("the showcase of a panic");
            }
            Ok::<_, Infallible>(Response::new(Full::new(Bytes::from_static(b"fine"))))
        },
    );
    let served = tokio::spawn(server.serve_dev(app));

    let (mut sender, _, _driver) = http1(addr).await;
    let response = sender.send_request(get("/")).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(text(response).await, "fine");

    let mut request = get("/boom");
    request
        .headers_mut()
        .insert("accept", "application/json".parse().unwrap());
    let response = sender.send_request(request).await.unwrap();
    assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
    let debug_url = response
        .headers()
        .get("x-debug-url")
        .expect("X-Debug-Url on an intercepted error")
        .to_str()
        .unwrap()
        .to_owned();
    let problem: serde_json::Value = serde_json::from_str(&text(response).await).unwrap();
    assert_eq!(problem["debug_url"], debug_url.as_str());
    assert!(
        problem.to_string().contains("the showcase of a panic"),
        "{problem}"
    );

    let response = sender.send_request(get(&debug_url)).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert!(text(response).await.contains("the showcase of a panic"));

    stop.send(()).unwrap();
    tokio::time::timeout(Duration::from_secs(10), served)
        .await
        .unwrap()
        .unwrap()
        .unwrap();
}
