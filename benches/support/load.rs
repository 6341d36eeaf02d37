//! The load-test machinery shared by `static_load.rs` and `e2e.rs` (each
//! includes this file with `#[path]`): finding wrk, nginx and taskset, free
//! ports, temporary directories, a guard that stops every child, nginx's
//! configuration, running and parsing wrk, median-of-rounds measurement and
//! plain-text tables.
//!
//! The conventions both benches follow: servers run pinned to CPU 0
//! (`taskset -c 0`), wrk runs pinned to CPU 1 as `wrk -t1 -c32`, so that
//! client and server never compete for a core.

use std::io::{Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The nginx binary the issue names (Debian's package).
pub const NGINX: &str = "/usr/sbin/nginx";

/// The first of wrk, nginx and taskset that cannot be found.
pub fn missing_tool() -> Option<&'static str> {
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

/// A positive count from the environment variable `name`, else `default`.
pub fn env_count(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|s| s.parse().ok())
        .filter(|&n| n > 0)
        .unwrap_or(default)
}

/// A directory removed, with everything in it, on drop.
pub struct TempDir(pub PathBuf);

impl TempDir {
    /// A fresh directory named `<prefix>-<pid>-<nanos>` in the system's
    /// temporary directory.
    pub fn new(prefix: &str) -> TempDir {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        let path = std::env::temp_dir().join(format!("{prefix}-{}-{nanos}", std::process::id()));
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
pub struct Children(Vec<(&'static str, Child)>);

impl Children {
    /// Starts `command` and keeps the child under `name` ("nginx" is stopped
    /// gracefully).
    pub fn spawn(&mut self, name: &'static str, command: &mut Command) -> &mut Child {
        let child = command
            .spawn()
            .unwrap_or_else(|e| panic!("start {name}: {e}"));
        self.0.push((name, child));
        &mut self.0.last_mut().expect("just pushed").1
    }
}

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
pub fn free_port() -> u16 {
    TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("bind an ephemeral loopback port")
}

/// `taskset -c 0 <program>`: a server pinned to CPU 0.
pub fn pinned(program: impl AsRef<std::ffi::OsStr>) -> Command {
    let mut command = Command::new("taskset");
    command.args(["-c", "0"]).arg(program);
    command
}

/// Waits until `port` answers `GET path` with 200 and returns the whole
/// answer (status line, headers and body, as sent); an error when the child
/// exits first, answers another status or the deadline (10 s) passes.
pub fn wait_ready(name: &str, port: u16, child: &mut Child, path: &str) -> Result<Vec<u8>, String> {
    let deadline = Instant::now() + Duration::from_secs(10);
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    loop {
        if let Ok(Some(status)) = child.try_wait() {
            return Err(format!("{name} exited before serving: {status}"));
        }
        if let Ok(mut stream) = TcpStream::connect_timeout(&addr, Duration::from_millis(200)) {
            let request =
                format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
            let mut answer = Vec::new();
            if stream.write_all(request.as_bytes()).is_ok()
                && stream.read_to_end(&mut answer).is_ok()
            {
                if !answer.starts_with(b"HTTP/1.1 200") {
                    let text = String::from_utf8_lossy(&answer);
                    return Err(format!(
                        "{name}: GET {path} answered {:?}",
                        text.lines().next()
                    ));
                }
                return Ok(answer);
            }
        }
        if Instant::now() >= deadline {
            return Err(format!("{name} did not start on port {port}"));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The nginx configuration: one worker pinned to CPU 0, sendfile, the open
/// file cache, no access log, in the foreground.
pub fn nginx_conf(prefix: &Path, root: &Path, port: u16) -> String {
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

/// Writes `<prefix>/nginx.conf` serving `root` on `port` and returns the
/// command that starts nginx with it, pinned to CPU 0.
pub fn nginx_command(prefix: &Path, root: &Path, port: u16) -> Command {
    let conf = prefix.join("nginx.conf");
    std::fs::write(&conf, nginx_conf(prefix, root, port)).expect("write nginx.conf");
    let mut command = pinned(NGINX);
    command
        .arg("-p")
        .arg(prefix)
        .arg("-e")
        .arg(prefix.join("error.log"))
        .arg("-c")
        .arg(&conf)
        .stdin(Stdio::null());
    command
}

/// One wrk run's figures.
pub struct Measured {
    pub requests_per_sec: f64,
    pub transfer_per_sec: String,
    pub errors: Option<String>,
}

/// `taskset -c 1 wrk -t1 -c32 -d<seconds>s http://127.0.0.1:<port><path>`.
pub fn wrk(port: u16, path: &str, seconds: u64) -> Measured {
    let url = format!("http://127.0.0.1:{port}{path}");
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

/// Every server's runs on `path` over `rounds` rounds of `seconds` each,
/// rotating which server goes first so that drift falls on every server;
/// one vector of runs per server, in the order of `servers`. Error counts
/// wrk reports are printed as warnings.
pub fn rounds(
    servers: &[(&'static str, u16)],
    path: &str,
    seconds: u64,
    rounds: u64,
) -> Vec<Vec<Measured>> {
    let mut runs: Vec<Vec<Measured>> = servers.iter().map(|_| Vec::new()).collect();
    for round in 0..rounds as usize {
        for i in 0..servers.len() {
            let which = (i + round) % servers.len();
            let (server, port) = servers[which];
            let measured = wrk(port, path, seconds);
            if let Some(errors) = &measured.errors {
                eprintln!("warning: {server} {path}: {errors}");
            }
            runs[which].push(measured);
        }
    }
    runs
}

/// The median run by requests/s (the upper one of an even count).
pub fn median(mut runs: Vec<Measured>) -> Measured {
    runs.sort_by(|a, b| a.requests_per_sec.total_cmp(&b.requests_per_sec));
    runs.swap_remove(runs.len() / 2)
}

/// A column of a plain-text table: the separator printed before it, its
/// title, and its width (left- or right-aligned).
pub struct Column {
    pub separator: &'static str,
    pub title: &'static str,
    pub width: usize,
    pub right: bool,
}

impl Column {
    pub const fn left(separator: &'static str, title: &'static str, width: usize) -> Column {
        Column {
            separator,
            title,
            width,
            right: false,
        }
    }

    pub const fn right(separator: &'static str, title: &'static str, width: usize) -> Column {
        Column {
            separator,
            title,
            width,
            right: true,
        }
    }
}

/// Prints the title line, then one line per row (a row's cells in column
/// order).
pub fn print_table(columns: &[Column], rows: &[Vec<String>]) {
    let line = |cells: &mut dyn Iterator<Item = &str>| {
        let mut out = String::new();
        for (column, cell) in columns.iter().zip(cells) {
            out.push_str(column.separator);
            let width = column.width;
            if column.right {
                out.push_str(&format!("{cell:>width$}"));
            } else {
                out.push_str(&format!("{cell:<width$}"));
            }
        }
        println!("{out}");
    };
    line(&mut columns.iter().map(|c| c.title));
    for row in rows {
        line(&mut row.iter().map(String::as_str));
    }
}

/// A figure with two decimals, or `-`.
pub fn two_decimals(value: Option<f64>) -> String {
    value
        .map(|v| format!("{v:.2}"))
        .unwrap_or_else(|| "-".into())
}

/// For a server this bench re-executed: exits when the bench, which holds
/// its stdin, goes away (however the bench ended).
pub fn exit_when_stdin_closes() {
    std::thread::spawn(|| {
        let mut sink = [0u8; 64];
        let mut stdin = std::io::stdin();
        while !matches!(std::io::Read::read(&mut stdin, &mut sink), Ok(0) | Err(_)) {}
        std::process::exit(0);
    });
}
