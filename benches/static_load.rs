//! `cargo bench --bench static_load`: a loopback load test of tackle-static
//! against tower-http's `ServeDir` and nginx, with wrk.
//!
//! The bench writes `1k.bin` (1 KiB) and `1m.bin` (1 MiB) to a fresh
//! temporary directory and starts three servers on free loopback ports, each
//! pinned to CPU 0 with `taskset`:
//!
//! - `tackle`: this same binary re-executed as `--serve tackle <dir> <port>`:
//!   a tokio current-thread runtime, hyper's HTTP/1 connection builder (from
//!   hyper-util's `TowerToHyperService`) and `tackle::static_files::StaticFiles`;
//! - `servedir`: the same server with tower-http's `ServeDir` instead;
//! - `nginx`: `/usr/sbin/nginx` with one worker, `sendfile on`, `tcp_nopush on`,
//!   `open_file_cache`, no access log, in the foreground.
//!
//! Then, after a one-second warm-up run of every server on every file (not
//! recorded), for each file and each server `taskset -c 1 wrk -t1 -c32 -d10s`,
//! and a table of requests/s with the ratio to nginx and the goal
//! (tackle >= 0.8 of nginx on 1 KiB, >= 1.0 on 1 MiB). `LOAD_SECONDS` sets
//! the duration; `LOAD_ROUNDS` (default 1) repeats the runs, rotating which
//! server goes first, and reports each server's median round. When
//! wrk, nginx or taskset is missing the bench prints `skipped: ...` and exits
//! successfully. Every child is killed when the bench ends, panics included
//! (the servers this binary starts also exit when their stdin, a pipe from
//! the bench, closes).

use std::io::{Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The files served, as (name, size).
const FILES: [(&str, usize); 2] = [("1k.bin", 1024), ("1m.bin", 1024 * 1024)];
/// The servers, in table order.
const SERVERS: [&str; 3] = ["tackle", "servedir", "nginx"];
/// The nginx binary the issue names (Debian's package).
const NGINX: &str = "/usr/sbin/nginx";

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some("--serve") {
        let [kind, dir, port] = [2, 3, 4].map(|i| args.get(i).cloned().unwrap_or_default());
        let port: u16 = port.parse().expect("--serve KIND DIR PORT");
        serve::run(&kind, PathBuf::from(dir), port);
        return;
    }
    // cargo passes `--bench`; there is nothing to filter.
    if let Some(missing) = missing_tool() {
        println!("skipped: {missing} not found");
        return;
    }
    let seconds: u64 = std::env::var("LOAD_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .filter(|&s| s > 0)
        .unwrap_or(10);
    let rounds: usize = std::env::var("LOAD_ROUNDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .filter(|&r| r > 0)
        .unwrap_or(1);
    load_test(seconds, rounds);
}

/// The first of wrk, nginx and taskset that cannot be found.
fn missing_tool() -> Option<&'static str> {
    if find_in_path("wrk").is_none() {
        return Some("wrk");
    }
    if !Path::new(NGINX).is_file() {
        return Some(NGINX);
    }
    if find_in_path("taskset").is_none() {
        return Some("taskset");
    }
    None
}

fn find_in_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|candidate| candidate.is_file())
}

/// A directory removed, with everything in it, on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new() -> TempDir {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        let path =
            std::env::temp_dir().join(format!("tackle-static-load-{}-{nanos}", std::process::id()));
        std::fs::create_dir_all(&path).expect("create the temporary directory");
        TempDir(path)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The running servers: each is stopped (nginx with SIGTERM so that its
/// master stops the worker, the others killed) and reaped on drop, which
/// also happens while a panic unwinds.
#[derive(Default)]
struct Children(Vec<(&'static str, Child)>);

impl Drop for Children {
    fn drop(&mut self) {
        for (name, child) in &mut self.0 {
            if *name == "nginx" {
                let _ = Command::new("kill")
                    .args(["-TERM", &child.id().to_string()])
                    .status();
                let deadline = Instant::now() + Duration::from_secs(5);
                while Instant::now() < deadline {
                    if let Ok(Some(_)) = child.try_wait() {
                        break;
                    }
                    std::thread::sleep(Duration::from_millis(20));
                }
            }
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// A loopback port that was free a moment ago.
fn free_port() -> u16 {
    TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("bind an ephemeral loopback port")
}

/// Waits until `port` answers `GET /1k.bin` with 200 and the file's length.
fn wait_ready(name: &str, port: u16, child: &mut Child) {
    let deadline = Instant::now() + Duration::from_secs(10);
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    loop {
        if let Ok(Some(status)) = child.try_wait() {
            panic!("{name} exited before serving: {status}");
        }
        if let Ok(mut stream) = TcpStream::connect_timeout(&addr, Duration::from_millis(200)) {
            let request = "GET /1k.bin HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
            let mut answer = Vec::new();
            if stream.write_all(request.as_bytes()).is_ok()
                && stream.read_to_end(&mut answer).is_ok()
            {
                let text = String::from_utf8_lossy(&answer);
                assert!(
                    text.starts_with("HTTP/1.1 200"),
                    "{name}: GET /1k.bin answered {:?}",
                    text.lines().next()
                );
                return;
            }
        }
        assert!(
            Instant::now() < deadline,
            "{name} did not start on port {port}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The nginx configuration: one worker pinned to CPU 0, sendfile, the open
/// file cache, no access log, in the foreground.
fn nginx_conf(prefix: &Path, root: &Path, port: u16) -> String {
    format!(
        "worker_processes 1;
worker_cpu_affinity 01;
daemon off;
error_log {prefix}/error.log warn;
pid {prefix}/nginx.pid;
events {{
    worker_connections 1024;
}}
http {{
    default_type application/octet-stream;
    sendfile on;
    tcp_nopush on;
    open_file_cache max=100 inactive=60s;
    access_log off;
    client_body_temp_path {prefix}/client_body;
    proxy_temp_path {prefix}/proxy;
    fastcgi_temp_path {prefix}/fastcgi;
    uwsgi_temp_path {prefix}/uwsgi;
    scgi_temp_path {prefix}/scgi;
    server {{
        listen 127.0.0.1:{port};
        root {root};
    }}
}}
",
        prefix = prefix.display(),
        root = root.display(),
    )
}

fn start_servers(root: &Path, prefix: &Path, children: &mut Children) -> Vec<(&'static str, u16)> {
    let exe = std::env::current_exe().expect("the bench binary's path");
    let mut ports = Vec::new();
    for name in SERVERS {
        let port = free_port();
        let mut command = Command::new("taskset");
        command.args(["-c", "0"]);
        if name == "nginx" {
            let conf = prefix.join("nginx.conf");
            std::fs::write(&conf, nginx_conf(prefix, root, port)).expect("write nginx.conf");
            command
                .arg(NGINX)
                .arg("-p")
                .arg(prefix)
                .arg("-e")
                .arg(prefix.join("error.log"))
                .arg("-c")
                .arg(&conf)
                .stdin(Stdio::null());
        } else {
            command
                .arg(&exe)
                .args(["--serve", name])
                .arg(root)
                .arg(port.to_string())
                .stdin(Stdio::piped());
        }
        let child = command
            .spawn()
            .unwrap_or_else(|e| panic!("start {name}: {e}"));
        children.0.push((name, child));
        let (_, child) = children.0.last_mut().expect("just pushed");
        wait_ready(name, port, child);
        ports.push((name, port));
    }
    ports
}

/// One wrk run's figures.
struct Measured {
    requests_per_sec: f64,
    transfer_per_sec: String,
    errors: Option<String>,
}

fn wrk(port: u16, file: &str, seconds: u64) -> Measured {
    let url = format!("http://127.0.0.1:{port}/{file}");
    let output = Command::new("taskset")
        .args(["-c", "1", "wrk", "-t1", "-c32"])
        .arg(format!("-d{seconds}s"))
        .arg(&url)
        .stdin(Stdio::null())
        .output()
        .expect("run wrk");
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "wrk {url} failed: {text}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let field = |label: &str| {
        text.lines()
            .find_map(|l| l.trim().strip_prefix(label).map(|v| v.trim().to_string()))
    };
    let requests_per_sec = field("Requests/sec:")
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("no Requests/sec in wrk's output: {text}"));
    let transfer_per_sec = field("Transfer/sec:").unwrap_or_else(|| "?".to_string());
    let errors = [field("Non-2xx or 3xx responses:"), field("Socket errors:")]
        .into_iter()
        .flatten()
        .reduce(|a, b| format!("{a}; {b}"));
    Measured {
        requests_per_sec,
        transfer_per_sec,
        errors,
    }
}

/// The goal for tackle on `file`, as a fraction of nginx's req/s.
fn goal(server: &str, file: &str) -> Option<f64> {
    match (server, file) {
        ("tackle", "1k.bin") => Some(0.8),
        ("tackle", "1m.bin") => Some(1.0),
        _ => None,
    }
}

fn load_test(seconds: u64, rounds: usize) {
    let dir = TempDir::new();
    let root = dir.0.join("www");
    let prefix = dir.0.join("nginx");
    std::fs::create_dir_all(&root).expect("create the document root");
    std::fs::create_dir_all(&prefix).expect("create the nginx prefix");
    for (name, size) in FILES {
        let content: Vec<u8> = (0..size).map(|i| (i % 251) as u8).collect();
        std::fs::write(root.join(name), content).expect("write a served file");
    }

    let mut children = Children::default();
    let ports = start_servers(&root, &prefix, &mut children);
    println!(
        "servers pinned to CPU 0, wrk pinned to CPU 1: wrk -t1 -c32 -d{seconds}s, \
         median of {rounds} round(s) ({})",
        dir.0.display()
    );

    for (file, _) in FILES {
        for &(_, port) in &ports {
            wrk(port, file, 1);
        }
    }
    let mut rows = Vec::new();
    for (file, _) in FILES {
        let mut runs: Vec<Vec<Measured>> = ports.iter().map(|_| Vec::new()).collect();
        for round in 0..rounds {
            // Rotate who goes first, so that drift falls on every server.
            for i in 0..ports.len() {
                let which = (i + round) % ports.len();
                let (server, port) = ports[which];
                let measured = wrk(port, file, seconds);
                if let Some(errors) = &measured.errors {
                    eprintln!("warning: {server} {file}: {errors}");
                }
                runs[which].push(measured);
            }
        }
        for (&(server, _), mut runs) in ports.iter().zip(runs) {
            runs.sort_by(|a, b| a.requests_per_sec.total_cmp(&b.requests_per_sec));
            let median = runs.swap_remove(runs.len() / 2);
            rows.push((server, file, median));
        }
    }
    drop(children);

    println!(
        "{:<10} {:<8} {:>12} {:>12} {:>10} {:>6}  met",
        "server", "file", "req/s", "transfer/s", "vs nginx", "goal"
    );
    for (server, file, m) in &rows {
        let nginx = rows
            .iter()
            .find(|(s, f, _)| *s == "nginx" && f == file)
            .map(|(_, _, n)| n.requests_per_sec);
        let ratio = nginx.map(|n| m.requests_per_sec / n);
        let goal = goal(server, file);
        let met = match (ratio, goal) {
            (Some(r), Some(g)) => {
                if r >= g {
                    "yes"
                } else {
                    "NO"
                }
            }
            _ => "-",
        };
        println!(
            "{:<10} {:<8} {:>12.0} {:>12} {:>10} {:>6}  {met}",
            server,
            file,
            m.requests_per_sec,
            m.transfer_per_sec,
            ratio
                .map(|r| format!("{r:.2}"))
                .unwrap_or_else(|| "-".into()),
            goal.map(|g| format!("{g:.2}"))
                .unwrap_or_else(|| "-".into()),
        );
    }
}

/// The `--serve` mode: one server on a current-thread runtime.
mod serve {
    use std::convert::Infallible;
    use std::net::{Ipv4Addr, SocketAddr};
    use std::path::PathBuf;

    use hyper_util::rt::TokioIo;
    use hyper_util::service::TowerToHyperService;
    use tokio::net::TcpListener;

    pub fn run(kind: &str, root: PathBuf, port: u16) {
        // The bench holds our stdin: when it goes away, so do we.
        std::thread::spawn(|| {
            let mut sink = [0u8; 64];
            let mut stdin = std::io::stdin();
            while !matches!(std::io::Read::read(&mut stdin, &mut sink), Ok(0) | Err(_)) {}
            std::process::exit(0);
        });
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a tokio runtime");
        match kind {
            "tackle" => runtime.block_on(accept_loop(
                port,
                tackle::static_files::StaticFiles::new(root),
            )),
            "servedir" => {
                runtime.block_on(accept_loop(port, tower_http::services::ServeDir::new(root)))
            }
            other => panic!("unknown server {other:?}: tackle or servedir"),
        }
    }

    async fn accept_loop<S, B>(port: u16, service: S)
    where
        S: tower::Service<
                http::Request<hyper::body::Incoming>,
                Response = http::Response<B>,
                Error = Infallible,
            > + Clone
            + Send
            + 'static,
        S::Future: Send + 'static,
        B: http_body::Body<Data = bytes::Bytes> + Send + 'static,
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
            let service = TowerToHyperService::new(service.clone());
            tokio::spawn(async move {
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    }
}
