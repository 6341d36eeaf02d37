//! Request latency with `ErrorMailLayer` while SMTP hangs, against the same server without it.
//!
//! `cargo bench --bench errormail_latency`
//!
//! Two hyper servers on loopback answer every request with a 500: one bare, one behind
//! `ErrorMailLayer` whose SMTP server is black-holed (it accepts the connection and never greets;
//! send timeout 30 s), so the mail worker is stuck for the whole run. A hyper client sends 1 000
//! sequential requests to each, interleaved one by one (alternating which server goes first), and
//! the per-request latencies are summarised as p50, p99 and mean, with the ratio mailed/bare.
//! Goal (issue 8): the mailed p99 within 10% of the bare p99.
//!
//! Scenarios, each on a fresh layer:
//!
//! - `same-error`: one error group (the same path every time), default throttle: one mail is
//!   composed and queued, every later occurrence is counted and suppressed;
//! - `distinct-errors`: every request is a new error group (a new path), default throttle: the
//!   first 30 are composed and queued (the hourly budget), the rest held back for the digest;
//! - `every-error-mailed`: distinct groups with an unlimited budget, the worst case: every request
//!   composes a mail on the request path; 64 are queued, the rest dropped and counted.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http::{Request, Response, StatusCode};
use http_body_util::{BodyExt, Empty, Full};
use hyper::body::Incoming;
use hyper::client::conn::http1::SendRequest;
use hyper_util::rt::TokioIo;
use hyper_util::service::TowerToHyperService;
use tackle::errormail::{ErrorMailHandle, ErrorMailLayer, ThrottlePolicy};
use tokio::net::{TcpListener, TcpStream};
use tower::Layer;

const REQUESTS: usize = 1000;
const WARMUP: usize = 200;
const GOAL_P99_RATIO: f64 = 1.10;

async fn failing(_: Request<Incoming>) -> Result<Response<Full<Bytes>>, Infallible> {
    let mut response = Response::new(Full::new(Bytes::from_static(b"database unavailable")));
    *response.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
    Ok(response)
}

/// Accepts SMTP connections and never says a word.
async fn black_hole() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let held = Arc::new(Mutex::new(Vec::new()));
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            held.lock().unwrap().push(stream);
        }
    });
    port
}

async fn serve<S>(service: S) -> SocketAddr
where
    S: ServeWith + Clone + Send + 'static,
{
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            stream.set_nodelay(true).unwrap();
            let service = service.clone();
            tokio::spawn(service.serve_on(stream));
        }
    });
    addr
}

/// Serving one connection, for both the bare and the mailed service.
trait ServeWith {
    fn serve_on(self, stream: TcpStream) -> impl std::future::Future<Output = ()> + Send;
}

impl<S, B> ServeWith for S
where
    S: tower::Service<Request<Incoming>, Response = Response<B>, Error = Infallible>
        + Clone
        + Send
        + 'static,
    S::Future: Send + 'static,
    B: http_body::Body + Send + 'static,
    B::Data: Send,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    async fn serve_on(self, stream: TcpStream) {
        let _ = hyper::server::conn::http1::Builder::new()
            .serve_connection(TokioIo::new(stream), TowerToHyperService::new(self))
            .await;
    }
}

async fn connect(addr: SocketAddr) -> SendRequest<Empty<Bytes>> {
    let stream = TcpStream::connect(addr).await.unwrap();
    stream.set_nodelay(true).unwrap();
    let (sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .unwrap();
    tokio::spawn(connection);
    sender
}

/// One request, timed from send to the last byte of the body.
async fn timed(sender: &mut SendRequest<Empty<Bytes>>, path: &str) -> Duration {
    let request = Request::get(path)
        .header("host", "bench.local")
        .body(Empty::new())
        .unwrap();
    let started = Instant::now();
    sender.ready().await.unwrap();
    let response = sender.send_request(request).await.unwrap();
    assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
    let body = response.into_body().collect().await.unwrap().to_bytes();
    let took = started.elapsed();
    assert_eq!(body.len(), 20);
    took
}

/// `0 → a`, `26 → ba`: distinct paths without digits (digits would be normalised into one group).
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

struct Summary {
    p50: f64,
    p99: f64,
    mean: f64,
}

fn summary(samples: &mut [Duration]) -> Summary {
    samples.sort();
    let micros = |d: Duration| d.as_secs_f64() * 1e6;
    let at = |q: f64| micros(samples[((samples.len() as f64 * q).ceil() as usize).max(1) - 1]);
    Summary {
        p50: at(0.50),
        p99: at(0.99),
        mean: samples.iter().map(|d| micros(*d)).sum::<f64>() / samples.len() as f64,
    }
}

struct Scenario {
    name: &'static str,
    distinct: bool,
    policy: ThrottlePolicy,
}

async fn run(scenario: &Scenario, smtp_port: u16, bare: SocketAddr) -> (Summary, Summary) {
    let spool = std::env::temp_dir().join(format!(
        "tackle-errormail-bench-{}-{}",
        std::process::id(),
        scenario.name
    ));
    let layer = ErrorMailLayer::new()
        .enabled(true)
        .recipients(["ops@example.com"])
        .sender("errors@bench.example")
        .subject_prefix("[bench]")
        .smtp_url(&format!("smtp://127.0.0.1:{smtp_port}"))
        .unwrap()
        .send_timeout(Duration::from_secs(30))
        .throttle(scenario.policy.clone())
        .spool_dir(&spool);
    let handle: ErrorMailHandle = layer.handle();
    let mailed = serve(layer.layer(tower::service_fn(failing))).await;

    let mut to_bare = connect(bare).await;
    let mut to_mailed = connect(mailed).await;
    for _ in 0..WARMUP {
        timed(&mut to_bare, "/warmup").await;
        timed(&mut to_mailed, "/warmup").await;
    }

    let mut bare_samples = Vec::with_capacity(REQUESTS);
    let mut mailed_samples = Vec::with_capacity(REQUESTS);
    for i in 0..REQUESTS {
        let path = if scenario.distinct {
            format!("/orders/{}", letters(i))
        } else {
            "/orders/export".to_owned()
        };
        if i % 2 == 0 {
            bare_samples.push(timed(&mut to_bare, &path).await);
            mailed_samples.push(timed(&mut to_mailed, &path).await);
        } else {
            mailed_samples.push(timed(&mut to_mailed, &path).await);
            bare_samples.push(timed(&mut to_bare, &path).await);
        }
    }
    let stats = handle.stats();
    // The worker never got past the black hole: nothing was sent during the run.
    assert_eq!(stats.sent, 0, "{stats:?}");
    eprintln!(
        "  {:<20} mail worker: queued {}, dropped {}, sent {}, failed {}",
        scenario.name, stats.queued, stats.dropped, stats.sent, stats.failed
    );
    let _ = std::fs::remove_dir_all(&spool);
    (summary(&mut bare_samples), summary(&mut mailed_samples))
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let smtp_port = black_hole().await;
        let bare = serve(tower::service_fn(failing)).await;
        let unlimited = ThrottlePolicy {
            budget_per_hour: u32::MAX,
            ..ThrottlePolicy::default()
        };
        let scenarios = [
            Scenario {
                name: "same-error",
                distinct: false,
                policy: ThrottlePolicy::default(),
            },
            Scenario {
                name: "distinct-errors",
                distinct: true,
                policy: ThrottlePolicy::default(),
            },
            Scenario {
                name: "every-error-mailed",
                distinct: true,
                policy: unlimited,
            },
        ];
        let filter = std::env::args()
            .skip(1)
            .find(|a| !a.starts_with('-'))
            .unwrap_or_default();
        let mut rows = Vec::new();
        eprintln!(
            "{REQUESTS} sequential failing requests per side, black-holed SMTP (send timeout 30 s)"
        );
        for scenario in scenarios.iter().filter(|s| s.name.contains(&filter)) {
            let (bare, mailed) = run(scenario, smtp_port, bare).await;
            rows.push((scenario.name, bare, mailed));
        }
        println!(
            "{:<30} {:>9} {:>9} {:>9} {:>9} {:>9} {:>9} {:>8} {:>8} {:>6}",
            "scenario",
            "bare_p50",
            "bare_p99",
            "bare_avg",
            "mail_p50",
            "mail_p99",
            "mail_avg",
            "p50_x",
            "p99_x",
            "goal"
        );
        for (name, bare, mailed) in rows {
            println!(
                "{:<30} {:>9.1} {:>9.1} {:>9.1} {:>9.1} {:>9.1} {:>9.1} {:>8.3} {:>8.3} {:>6}",
                format!("errormail/{name}"),
                bare.p50,
                bare.p99,
                bare.mean,
                mailed.p50,
                mailed.p99,
                mailed.mean,
                mailed.p50 / bare.p50,
                mailed.p99 / bare.p99,
                format!("{GOAL_P99_RATIO:.2}"),
            );
        }
        println!(
            "(microseconds; p50_x and p99_x are mailed / bare; goal: p99_x <= {GOAL_P99_RATIO})"
        );
    });
}
