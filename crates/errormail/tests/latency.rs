//! No request waits for SMTP: with a black-holed SMTP peer (it accepts the connection and never
//! greets) and a 30 s send timeout, 200 failing requests over a real socket all complete quickly
//! while the worker is stuck on its first send.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http::{Request, Response, StatusCode};
use http_body_util::{BodyExt, Empty, Full};
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use hyper_util::service::TowerToHyperService;
use tackle_errormail::{ErrorMailLayer, ThrottlePolicy};
use tokio::net::{TcpListener, TcpStream};
use tower::Layer;

const REQUESTS: usize = 200;
const CAPACITY: usize = 64;
/// Loose on purpose: a request that waited for SMTP would take 30 s.
const BOUND: Duration = Duration::from_millis(250);

/// Accepts connections and holds them open without a word.
async fn black_hole() -> (u16, Arc<Mutex<Vec<TcpStream>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let held = Arc::new(Mutex::new(Vec::new()));
    let keep = held.clone();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            keep.lock().unwrap().push(stream);
        }
    });
    (port, held)
}

async fn failing(_: Request<Incoming>) -> Result<Response<Full<Bytes>>, Infallible> {
    let mut response = Response::new(Full::new(Bytes::from_static(b"database unavailable")));
    *response.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
    Ok(response)
}

async fn serve(layer: &ErrorMailLayer) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let service = layer.layer(tower::service_fn(failing));
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let service = TowerToHyperService::new(service.clone());
            tokio::spawn(async move {
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    });
    addr
}

/// `0 → a`, `25 → z`, `26 → ba`: distinct paths without digits, so each request is its own error
/// group (digits would be normalised away) and each is mailed.
fn letters(mut n: usize) -> String {
    let mut out = Vec::new();
    loop {
        out.push(b'a' + (n % 26) as u8);
        n /= 26;
        if n == 0 {
            break;
        }
    }
    out.reverse();
    String::from_utf8(out).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_request_waits_for_a_black_holed_smtp_server() {
    let (smtp_port, held) = black_hole().await;
    let spool = tempfile::tempdir().unwrap();
    let layer = ErrorMailLayer::new()
        .enabled(true)
        .recipients(["ops@example.com"])
        .sender("errors@shop.example")
        .smtp_url(&format!("smtp://127.0.0.1:{smtp_port}"))
        .unwrap()
        .send_timeout(Duration::from_secs(30))
        .queue_capacity(CAPACITY)
        // Every request is mailed: the queue fills, and the rest are dropped.
        .throttle(ThrottlePolicy {
            budget_per_hour: 10_000,
            ..ThrottlePolicy::default()
        })
        .spool_dir(spool.path());
    let handle = layer.handle();
    let addr = serve(&layer).await;

    let stream = TcpStream::connect(addr).await.unwrap();
    let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .unwrap();
    tokio::spawn(connection);

    let started = Instant::now();
    let mut slowest = Duration::ZERO;
    for i in 0..REQUESTS {
        let path = format!("/orders/{}", letters(i));
        let request = Request::get(&path)
            .header("host", addr.to_string())
            .body(Empty::<Bytes>::new())
            .unwrap();
        let t = Instant::now();
        sender.ready().await.unwrap();
        let response = sender.send_request(request).await.unwrap();
        let status = response.status();
        let body = response.into_body().collect().await.unwrap().to_bytes();
        let took = t.elapsed();
        assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR, "{path}");
        assert_eq!(body.as_ref(), b"database unavailable", "{path}");
        assert!(took < BOUND, "request {i} ({path}) took {took:?}");
        slowest = slowest.max(took);
    }
    let total = started.elapsed();
    eprintln!("{REQUESTS} failing requests in {total:?}, slowest {slowest:?}");

    // The worker is stuck in its first send the whole time: nothing sent, nothing failed yet,
    // the queue full, the rest dropped and counted.
    assert!(total < Duration::from_secs(30), "{total:?}");
    let stats = handle.stats();
    assert_eq!(
        (stats.sent, stats.failed, stats.spooled),
        (0, 0, 0),
        "{stats:?}"
    );
    assert_eq!(stats.queued, CAPACITY, "{stats:?}");
    assert_eq!(stats.dropped, (REQUESTS - CAPACITY) as u64, "{stats:?}");
    assert!(
        !held.lock().unwrap().is_empty(),
        "the worker never reached the SMTP server"
    );
    // A flush is bounded by its own deadline, not by SMTP.
    let t = Instant::now();
    assert!(!handle.flush(Duration::from_millis(100)).await);
    assert!(t.elapsed() < Duration::from_secs(2));
}

#[test]
fn letters_are_distinct() {
    let all: std::collections::HashSet<String> = (0..REQUESTS).map(letters).collect();
    assert_eq!(all.len(), REQUESTS);
    assert_eq!(letters(0), "a");
    assert_eq!(letters(26), "ba");
}
