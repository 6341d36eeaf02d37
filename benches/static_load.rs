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

#[path = "support/load.rs"]
mod load;

use std::path::{Path, PathBuf};
use std::process::Stdio;

use load::{Children, Column, Measured, TempDir};

/// The files served, as (name, size).
const FILES: [(&str, usize); 2] = [("1k.bin", 1024), ("1m.bin", 1024 * 1024)];
/// The servers, in table order.
const SERVERS: [&str; 3] = ["tackle", "servedir", "nginx"];

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
    load_test(seconds, rounds);
}

fn start_servers(root: &Path, prefix: &Path, children: &mut Children) -> Vec<(&'static str, u16)> {
    let exe = std::env::current_exe().expect("the bench binary's path");
    let mut ports = Vec::new();
    for name in SERVERS {
        let port = load::free_port();
        let mut command = if name == "nginx" {
            load::nginx_command(prefix, root, port)
        } else {
            let mut command = load::pinned(&exe);
            command
                .args(["--serve", name])
                .arg(root)
                .arg(port.to_string())
                .stdin(Stdio::piped());
            command
        };
        let child = children.spawn(name, &mut command);
        if let Err(e) = load::wait_ready(name, port, child, "/1k.bin") {
            panic!("{e}");
        }
        ports.push((name, port));
    }
    ports
}

/// The goal for tackle on `file`, as a fraction of nginx's req/s.
fn goal(server: &str, file: &str) -> Option<f64> {
    match (server, file) {
        ("tackle", "1k.bin") => Some(0.8),
        ("tackle", "1m.bin") => Some(1.0),
        _ => None,
    }
}

fn load_test(seconds: u64, rounds: u64) {
    let dir = TempDir::new("tackle-static-load");
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
            load::wrk(port, &format!("/{file}"), 1);
        }
    }
    let mut rows: Vec<(&str, &str, Measured)> = Vec::new();
    for (file, _) in FILES {
        let runs = load::rounds(&ports, &format!("/{file}"), seconds, rounds);
        for (&(server, _), runs) in ports.iter().zip(runs) {
            rows.push((server, file, load::median(runs)));
        }
    }
    drop(children);

    let columns = [
        Column::left("", "server", 10),
        Column::left(" ", "file", 8),
        Column::right(" ", "req/s", 12),
        Column::right(" ", "transfer/s", 12),
        Column::right(" ", "vs nginx", 10),
        Column::right(" ", "goal", 6),
        Column::left("  ", "met", 0),
    ];
    let lines: Vec<Vec<String>> = rows
        .iter()
        .map(|(server, file, m)| {
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
            vec![
                server.to_string(),
                file.to_string(),
                format!("{:.0}", m.requests_per_sec),
                m.transfer_per_sec.clone(),
                load::two_decimals(ratio),
                load::two_decimals(goal),
                met.to_string(),
            ]
        })
        .collect();
    load::print_table(&columns, &lines);
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
        crate::load::exit_when_stdin_closes();
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
