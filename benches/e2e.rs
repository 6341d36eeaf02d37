//! `cargo bench --bench e2e`: end-to-end loopback load tests of the tackle
//! showcase against bare hyper, axum, tower-http's `ServeDir` and nginx,
//! with wrk.
//!
//! The bench first builds the showcase (`cargo build --release --example
//! showcase`, into the target directory this bench runs from), writes a
//! 1 KiB file to `<tmp>/www/static/1k.bin`, and starts six servers on free
//! loopback ports, each pinned to CPU 0 with `taskset -c 0`:
//!
//! - `tackle` (hello): `<target>/release/examples/showcase` in production
//!   mode (`TACKLE_ENV=production`, `TACKLE_ADDR=127.0.0.1:<port>`,
//!   `TACKLE_DATA_DIR=<tmp>/data-hello`): its whole production layer stack
//!   in front of `GET /hello`;
//! - `tackle` (static): the same binary, also given
//!   `TACKLE_STATIC_DIR=<tmp>/www/static`, so `GET /static/1k.bin` goes
//!   through the stack to tackle-static's `StaticFiles`;
//! - `hyper`, `axum`, `servedir`: this same binary re-executed as
//!   `--serve KIND <tmp>/www <port>`. All three run on the runtime the
//!   showcase runs on (tokio's multi-thread runtime, `#[tokio::main]`'s
//!   defaults; under `taskset -c 0` it has one worker) and the same accept
//!   loop: hyper-util's `auto::Builder` (HTTP/1.1 and h2c) over `TokioIo`,
//!   `TCP_NODELAY`, one task per connection. `hyper` is a `service_fn`
//!   answering `/hello` with the showcase's bytes and headers (content-type,
//!   content-length). `axum` is an axum 0.8 `Router` with the nearest
//!   equivalent of the showcase's production stack: tower-http's
//!   `CatchPanicLayer` for its panic capture, tower-sessions'
//!   `SessionManagerLayer` over a `MemoryStore` for its sessions,
//!   tower-http's `SetResponseHeaderLayer` for its Cache-Control, on the
//!   HTML routes only as in the showcase (tower-http has no ETag layer;
//!   neither applies to `/hello`), and the showcase's routes in an axum
//!   `Router`. `servedir` is tower-http's `ServeDir` on `<tmp>/www`;
//! - `nginx`: `/usr/sbin/nginx` on `<tmp>/www` with one worker, `sendfile
//!   on`, `tcp_nopush on`, `open_file_cache`, no access log, in the
//!   foreground.
//!
//! Then a one-second warm-up run of every server on its path (not
//! recorded), and for each table and each server `taskset -c 1 wrk -t1 -c32
//! -d10s`:
//!
//! 1. `hello`: `GET /hello` on tackle, hyper and axum; goals tackle/axum
//!    >= 1.3 and tackle/hyper >= 0.85;
//! 2. `static-1k`: `GET /static/1k.bin` on tackle, servedir and nginx;
//!    tackle/nginx and tackle/servedir are recorded (the issue sets no goal).
//!
//! Two tables are printed (requests/s per server, then the ratios against
//! their goals) and written as JSON to `<target>/e2e.json`. `LOAD_SECONDS`
//! sets the duration; `LOAD_ROUNDS` (default 1) repeats the runs, rotating
//! which server goes first, and reports each server's median round. When
//! wrk, nginx or taskset is missing the bench prints `skipped: ...` and
//! exits successfully. Every child is killed when the bench ends, panics
//! included (the servers this binary starts also exit when their stdin, a
//! pipe from the bench, closes).

#[path = "support/load.rs"]
mod load;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use load::{Children, Column, Measured, TempDir};

/// The body every `hello` server answers.
const HELLO: &str = "Hello, world!\n";
/// The content type every `hello` server answers with.
const HELLO_TYPE: &str = "text/plain; charset=utf-8";
/// The static file's path on every `static-1k` server.
const STATIC_PATH: &str = "/static/1k.bin";

/// The static file's content: 1 KiB.
fn static_content() -> Vec<u8> {
    (0..1024).map(|i| (i % 251) as u8).collect()
}

/// A table: its name, the path requested and its servers in table order.
struct Scenario {
    name: &'static str,
    path: &'static str,
    servers: Vec<(&'static str, u16)>,
}

/// A ratio the tables report: scenario, numerator, denominator, goal.
const RATIOS: [(&str, &str, &str, Option<f64>); 4] = [
    ("hello", "tackle", "axum", Some(1.3)),
    ("hello", "tackle", "hyper", Some(0.85)),
    ("static-1k", "tackle", "nginx", None),
    ("static-1k", "tackle", "servedir", None),
];

/// A ratio's outcome: `met` is `yes`, `NO`, or `-` without a goal.
struct Ratio {
    scenario: &'static str,
    name: String,
    value: Option<f64>,
    goal: Option<f64>,
    met: &'static str,
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some("--serve") {
        let [kind, dir, port] = [2, 3, 4].map(|i| args.get(i).cloned().unwrap_or_default());
        let port: u16 = port.parse().expect("--serve KIND DIR PORT");
        serve::run(&kind, PathBuf::from(dir), port);
        return;
    }
    // cargo passes `--bench`; there is nothing to filter.
    if let Some(missing) = load::missing_tool() {
        println!("skipped: {missing} not found");
        return;
    }
    let seconds = load::env_count("LOAD_SECONDS", 10);
    let rounds = load::env_count("LOAD_ROUNDS", 1);
    let target = target_dir();
    let showcase = build_showcase(&target);
    load_test(&target, &showcase, seconds, rounds);
}

/// The target directory this bench runs from: its binary is
/// `<target>/release/deps/e2e-<hash>`.
fn target_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("the bench binary's path");
    exe.ancestors()
        .nth(3)
        .map(Path::to_path_buf)
        .unwrap_or_else(|| panic!("{} is not in <target>/release/deps", exe.display()))
}

/// Builds the showcase in release mode into `target` and returns its path.
fn build_showcase(target: &Path) -> PathBuf {
    let cargo = option_env!("CARGO").unwrap_or("cargo");
    println!("building the showcase: cargo build --release --example showcase");
    let mut command = Command::new(cargo);
    // What cargo set for this bench's run (CARGO_PKG_NAME, OUT_DIR, ...)
    // would look like a changed environment to dependencies' build scripts
    // (ring's, for one) and rebuild them on every run.
    for (name, _) in std::env::vars_os() {
        let name = name.to_string_lossy();
        let set_for_this_run = [
            "CARGO_PKG_",
            "CARGO_MANIFEST_",
            "CARGO_CRATE_",
            "CARGO_BIN_",
        ]
        .iter()
        .any(|prefix| name.starts_with(prefix))
            || ["OUT_DIR", "CARGO_PRIMARY_PACKAGE", "CARGO_TARGET_TMPDIR"].contains(&name.as_ref());
        if set_for_this_run {
            command.env_remove(name.as_ref());
        }
    }
    let status = command
        .args([
            "build",
            "--release",
            "--example",
            "showcase",
            "--target-dir",
        ])
        .arg(target)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdin(Stdio::null())
        .status()
        .unwrap_or_else(|e| panic!("run {cargo}: {e}"));
    assert!(status.success(), "building the showcase failed: {status}");
    let binary = target.join("release").join("examples").join("showcase");
    assert!(binary.is_file(), "{} was not built", binary.display());
    binary
}

/// Starts the showcase in production mode on a free port, with its output
/// in `<tmp>/<name>.log`, and waits until it answers `path`.
fn start_showcase(
    children: &mut Children,
    showcase: &Path,
    tmp: &Path,
    name: &str,
    static_dir: Option<&Path>,
    path: &str,
) -> (u16, Vec<u8>) {
    let port = load::free_port();
    let data = tmp.join(format!("data-{name}"));
    std::fs::create_dir_all(&data).expect("create the showcase's data directory");
    let log_path = tmp.join(format!("{name}.log"));
    let log = std::fs::File::create(&log_path).expect("create the showcase's log");
    let mut command = load::pinned(showcase);
    command
        .env("TACKLE_ENV", "production")
        .env("TACKLE_ADDR", format!("127.0.0.1:{port}"))
        .env("TACKLE_DATA_DIR", &data)
        .env_remove("TACKLE_STATIC_DIR")
        .env_remove("REDIS_URL")
        .env_remove("SMTP_URL")
        .stdin(Stdio::null())
        .stdout(log.try_clone().expect("share the log file"))
        .stderr(log);
    if let Some(dir) = static_dir {
        command.env("TACKLE_STATIC_DIR", dir);
    }
    let child = children.spawn("tackle", &mut command);
    match load::wait_ready("tackle", port, child, path) {
        Ok(answer) => (port, answer),
        Err(e) => panic!(
            "{e}\n{} says:\n{}",
            log_path.display(),
            std::fs::read_to_string(&log_path).unwrap_or_default()
        ),
    }
}

/// Starts `--serve kind root port` from this binary, pinned to CPU 0.
fn start_self(
    children: &mut Children,
    kind: &'static str,
    root: &Path,
    path: &str,
) -> (u16, Vec<u8>) {
    let exe = std::env::current_exe().expect("the bench binary's path");
    let port = load::free_port();
    let mut command = load::pinned(&exe);
    command
        .args(["--serve", kind])
        .arg(root)
        .arg(port.to_string())
        .stdin(Stdio::piped());
    let child = children.spawn(kind, &mut command);
    match load::wait_ready(kind, port, child, path) {
        Ok(answer) => (port, answer),
        Err(e) => panic!("{e}"),
    }
}

/// The head (as text) and the body of a `Connection: close` answer.
fn split(answer: &[u8]) -> (String, &[u8]) {
    let end = answer
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or(answer.len());
    let head = String::from_utf8_lossy(&answer[..end]).into_owned();
    (head, answer.get(end + 4..).unwrap_or_default())
}

/// The header fields of a head, names lowercase, in order.
fn fields(head: &str) -> Vec<(String, &str)> {
    head.lines()
        .skip(1)
        .filter_map(|line| line.split_once(':'))
        .map(|(name, value)| (name.to_ascii_lowercase(), value.trim()))
        .collect()
}

fn start_servers(
    showcase: &Path,
    tmp: &Path,
    www: &Path,
    children: &mut Children,
) -> Vec<Scenario> {
    let mut hello = Vec::new();
    let mut statics = Vec::new();
    let mut answers = Vec::new();

    let (port, answer) = start_showcase(children, showcase, tmp, "tackle-hello", None, "/hello");
    hello.push(("tackle", port));
    answers.push(("hello", "tackle", answer));
    for kind in ["hyper", "axum"] {
        let (port, answer) = start_self(children, kind, www, "/hello");
        hello.push((kind, port));
        answers.push(("hello", kind, answer));
    }

    let static_dir = www.join("static");
    let (port, answer) = start_showcase(
        children,
        showcase,
        tmp,
        "tackle-static",
        Some(&static_dir),
        STATIC_PATH,
    );
    statics.push(("tackle", port));
    answers.push(("static-1k", "tackle", answer));
    let (port, answer) = start_self(children, "servedir", www, STATIC_PATH);
    statics.push(("servedir", port));
    answers.push(("static-1k", "servedir", answer));
    let port = load::free_port();
    let prefix = tmp.join("nginx");
    std::fs::create_dir_all(&prefix).expect("create the nginx prefix");
    let child = children.spawn("nginx", &mut load::nginx_command(&prefix, www, port));
    let answer =
        load::wait_ready("nginx", port, child, STATIC_PATH).unwrap_or_else(|e| panic!("{e}"));
    statics.push(("nginx", port));
    answers.push(("static-1k", "nginx", answer));

    // Every server must answer the same thing, or the race is not fair.
    println!("what each server answers (header names):");
    for (scenario, server, answer) in &answers {
        let (head, body) = split(answer);
        let fields = fields(&head);
        match *scenario {
            "hello" => {
                assert_eq!(body, HELLO.as_bytes(), "{server}: GET /hello");
                let content_type = fields.iter().find(|(n, _)| n == "content-type");
                if content_type.map(|(_, v)| *v) != Some(HELLO_TYPE) {
                    eprintln!(
                        "warning: {server} answers /hello as {content_type:?}, not {HELLO_TYPE}"
                    );
                }
            }
            _ => assert_eq!(body, static_content(), "{server}: GET {STATIC_PATH}"),
        }
        let names: Vec<&str> = fields.iter().map(|(n, _)| n.as_str()).collect();
        println!(
            "  {scenario:<10} {server:<9} {:>5} bytes; {}",
            body.len(),
            names.join(", ")
        );
    }

    vec![
        Scenario {
            name: "hello",
            path: "/hello",
            servers: hello,
        },
        Scenario {
            name: "static-1k",
            path: STATIC_PATH,
            servers: statics,
        },
    ]
}

fn load_test(target: &Path, showcase: &Path, seconds: u64, rounds: u64) {
    let tmp = TempDir::new("tackle-e2e");
    let www = tmp.0.join("www");
    std::fs::create_dir_all(www.join("static")).expect("create the document root");
    std::fs::write(www.join("static").join("1k.bin"), static_content())
        .expect("write the served file");

    let mut children = Children::default();
    let scenarios = start_servers(showcase, &tmp.0, &www, &mut children);
    println!(
        "servers pinned to CPU 0, wrk pinned to CPU 1: wrk -t1 -c32 -d{seconds}s, \
         median of {rounds} round(s) ({})",
        tmp.0.display()
    );

    for scenario in &scenarios {
        for &(_, port) in &scenario.servers {
            load::wrk(port, scenario.path, 1);
        }
    }
    // (scenario, server, every round's req/s, the median run)
    let mut rows: Vec<(&str, &str, Vec<f64>, Measured)> = Vec::new();
    for scenario in &scenarios {
        let runs = load::rounds(&scenario.servers, scenario.path, seconds, rounds);
        for (&(server, _), runs) in scenario.servers.iter().zip(runs) {
            let all = runs.iter().map(|m| m.requests_per_sec).collect();
            rows.push((scenario.name, server, all, load::median(runs)));
        }
    }
    drop(children);

    println!();
    let columns = [
        Column::left("", "scenario", 10),
        Column::left(" ", "server", 9),
        Column::right(" ", "req/s", 10),
        Column::right(" ", "transfer/s", 11),
        Column::left("  ", "rounds (req/s)", 0),
    ];
    let lines: Vec<Vec<String>> = rows
        .iter()
        .map(|(scenario, server, all, m)| {
            vec![
                scenario.to_string(),
                server.to_string(),
                format!("{:.0}", m.requests_per_sec),
                m.transfer_per_sec.clone(),
                all.iter()
                    .map(|r| format!("{r:.0}"))
                    .collect::<Vec<_>>()
                    .join(" "),
            ]
        })
        .collect();
    load::print_table(&columns, &lines);

    let rate = |scenario: &str, server: &str| {
        rows.iter()
            .find(|(s, n, _, _)| *s == scenario && *n == server)
            .map(|(_, _, _, m)| m.requests_per_sec)
    };
    let ratios: Vec<Ratio> = RATIOS
        .iter()
        .map(|&(scenario, top, bottom, goal)| {
            let value = rate(scenario, top)
                .zip(rate(scenario, bottom))
                .map(|(t, b)| t / b);
            let met = match (value, goal) {
                (Some(v), Some(g)) if v >= g => "yes",
                (Some(_), Some(_)) => "NO",
                _ => "-",
            };
            Ratio {
                scenario,
                name: format!("{top}/{bottom}"),
                value,
                goal,
                met,
            }
        })
        .collect();
    println!();
    let columns = [
        Column::left("", "scenario", 10),
        Column::left(" ", "ratio", 16),
        Column::right(" ", "value", 6),
        Column::right(" ", "goal", 7),
        Column::left("  ", "met", 0),
    ];
    let lines: Vec<Vec<String>> = ratios
        .iter()
        .map(|r| {
            vec![
                r.scenario.to_string(),
                r.name.clone(),
                load::two_decimals(r.value),
                r.goal
                    .map_or_else(|| "record".to_string(), |g| format!(">= {g:.2}")),
                r.met.to_string(),
            ]
        })
        .collect();
    load::print_table(&columns, &lines);

    let json = serde_json::json!({
        "machine": machine(),
        "wrk": format!("taskset -c 1 wrk -t1 -c32 -d{seconds}s"),
        "rounds": rounds,
        "results": rows.iter().map(|(scenario, server, all, m)| serde_json::json!({
            "scenario": scenario,
            "server": server,
            "path": scenarios.iter().find(|s| s.name == *scenario).map(|s| s.path),
            "requests_per_sec": m.requests_per_sec,
            "transfer_per_sec": m.transfer_per_sec,
            "rounds_requests_per_sec": all,
        })).collect::<Vec<_>>(),
        "ratios": ratios.iter().map(|r| serde_json::json!({
            "scenario": r.scenario,
            "ratio": r.name,
            "value": r.value,
            "goal": r.goal,
            "met": match r.met { "yes" => Some(true), "NO" => Some(false), _ => None },
        })).collect::<Vec<_>>(),
    });
    let path = target.join("e2e.json");
    let text = serde_json::to_string_pretty(&json).expect("serialize the results");
    match std::fs::write(&path, text + "\n") {
        Ok(()) => println!("wrote {}", path.display()),
        Err(e) => eprintln!("could not write {}: {e}", path.display()),
    }
}

/// The CPU count, CPU model and kernel release, for the record.
fn machine() -> serde_json::Value {
    let cpus = std::thread::available_parallelism().map_or(0, |n| n.get());
    let model = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find_map(|l| l.strip_prefix("model name"))
                .and_then(|l| l.split_once(':'))
                .map(|(_, v)| v.trim().to_string())
        });
    let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease")
        .ok()
        .map(|k| k.trim().to_string());
    serde_json::json!({ "cpus": cpus, "cpu_model": model, "kernel": kernel })
}

/// The `--serve` mode: one peer server on the showcase's runtime and accept
/// loop.
mod serve {
    use std::convert::Infallible;
    use std::net::{Ipv4Addr, SocketAddr};
    use std::path::PathBuf;

    use bytes::Bytes;
    use http::header::{CACHE_CONTROL, CONTENT_LENGTH, CONTENT_TYPE};
    use http::{HeaderValue, Request, Response, StatusCode};
    use http_body_util::Full;
    use hyper::body::Incoming;
    use hyper::service::service_fn;
    use hyper_util::rt::{TokioExecutor, TokioIo};
    use hyper_util::server::conn::auto;
    use hyper_util::service::TowerToHyperService;
    use tokio::net::TcpListener;

    use super::{HELLO, HELLO_TYPE};

    pub fn run(kind: &str, root: PathBuf, port: u16) {
        crate::load::exit_when_stdin_closes();
        // What `#[tokio::main]` builds: the showcase's runtime.
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .expect("a tokio runtime");
        match kind {
            "hyper" => runtime.block_on(accept_loop(port, service_fn(hello))),
            "axum" => runtime.block_on(accept_loop(port, TowerToHyperService::new(axum_app()))),
            "servedir" => runtime.block_on(accept_loop(
                port,
                TowerToHyperService::new(tower_http::services::ServeDir::new(root)),
            )),
            other => panic!("unknown server {other:?}: hyper, axum or servedir"),
        }
    }

    /// Bare hyper's `/hello`: the showcase's bytes and headers.
    async fn hello(request: Request<Incoming>) -> Result<Response<Full<Bytes>>, Infallible> {
        if request.uri().path() != "/hello" {
            let mut response = Response::new(Full::default());
            *response.status_mut() = StatusCode::NOT_FOUND;
            return Ok(response);
        }
        let mut response = Response::new(Full::new(Bytes::from_static(HELLO.as_bytes())));
        let headers = response.headers_mut();
        headers.insert(CONTENT_TYPE, HeaderValue::from_static(HELLO_TYPE));
        headers.insert(CONTENT_LENGTH, HeaderValue::from(HELLO.len()));
        Ok(response)
    }

    /// axum with the nearest equivalent of the showcase's production stack,
    /// outermost first: `CatchPanicLayer` (the showcase's `ErrorMailLayer`
    /// turns a panic into a 500), `SessionManagerLayer` over a `MemoryStore`
    /// (its `SessionLayer`, memory store), and a `Router` with the
    /// showcase's routes. Like the showcase, only the HTML pages get
    /// Cache-Control (a `route_layer`; the showcase also hashes them into an
    /// ETag, for which tower-http has no layer), so `/hello` pays for
    /// neither.
    fn axum_app() -> axum::Router {
        use axum::routing::{get, post};
        use tower_http::catch_panic::CatchPanicLayer;
        use tower_http::set_header::SetResponseHeaderLayer;
        use tower_sessions::{MemoryStore, SessionManagerLayer};

        // The routes the benchmark does not request.
        async fn other() -> &'static str {
            ""
        }
        axum::Router::new()
            .route("/", get(other))
            .route("/login", get(other).post(other))
            .route("/files", get(other).post(other))
            .route_layer(SetResponseHeaderLayer::overriding(
                CACHE_CONTROL,
                HeaderValue::from_static("private, no-cache"),
            ))
            .route("/logout", post(other))
            .route("/files/{id}/download", get(other))
            .route("/upload", post(other))
            .route("/session", get(other))
            .route(
                "/hello",
                get(|| async {
                    (
                        [(CONTENT_TYPE, HeaderValue::from_static(HELLO_TYPE))],
                        HELLO,
                    )
                }),
            )
            .route("/boom", get(other))
            .route("/fail", get(other))
            .route("/static/{*path}", get(other))
            .layer(SessionManagerLayer::new(MemoryStore::default()))
            .layer(CatchPanicLayer::new())
    }

    /// The showcase's accept loop, without its shutdown and connection
    /// bookkeeping: hyper-util's auto builder, `TCP_NODELAY`, a task per
    /// connection.
    async fn accept_loop<S, B>(port: u16, service: S)
    where
        S: hyper::service::Service<Request<Incoming>, Response = Response<B>, Error = Infallible>
            + Clone
            + Send
            + 'static,
        S::Future: Send + 'static,
        B: http_body::Body<Data = Bytes> + Send + 'static,
        B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
    {
        let listener = TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, port)))
            .await
            .expect("bind the server's port");
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                continue;
            };
            let _ = stream.set_nodelay(true);
            let service = service.clone();
            tokio::spawn(async move {
                let _ = auto::Builder::new(TokioExecutor::new())
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    }
}
