//! A real `redis-server` on a free loopback port, started by the test that
//! needs it and killed when dropped.
//!
//! Use it from a test crate as
//! `mod support { pub mod redis_server; }` and
//! `let Some(server) = RedisServer::start() else { return };`.
//!
//! Without `redis-server` on the `PATH` the test prints `skipped:
//! redis-server not found` and passes, unless `CI=true`: then it fails.

// Each test crate that includes this file uses only part of it.
#![allow(dead_code)]

use std::io::{ErrorKind, Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::thread::sleep;
use std::time::{Duration, Instant};

/// How long a started server has to answer `PING`.
const READY_WITHIN: Duration = Duration::from_secs(10);

/// A running `redis-server` (no persistence, loopback only).
#[derive(Debug)]
pub struct RedisServer {
    port: u16,
    child: Option<Child>,
}

impl RedisServer {
    /// Starts a server on a free port and waits until it answers `PING`;
    /// `None` when `redis-server` is not installed (and `CI` is not
    /// `true`).
    pub fn start() -> Option<RedisServer> {
        // A free port may be taken between finding and binding it: try a few.
        for _ in 0..5 {
            let port = free_port();
            match spawn(port) {
                Ok(Some(child)) => {
                    return Some(RedisServer {
                        port,
                        child: Some(child),
                    });
                }
                Ok(None) => continue,
                Err(error) if error.kind() == ErrorKind::NotFound => {
                    if std::env::var("CI").is_ok_and(|ci| ci == "true") {
                        panic!(
                            "redis-server not found, and CI=true needs it (.ci/run installs it)"
                        );
                    }
                    println!("skipped: redis-server not found");
                    return None;
                }
                Err(error) => panic!("cannot start redis-server: {error}"),
            }
        }
        panic!("redis-server did not come up on any of five free ports");
    }

    /// `redis://127.0.0.1:<port>/`.
    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/", self.port)
    }

    /// The port it listens on.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Kills the server at once (SIGKILL: no goodbye to its clients) and
    /// waits for it to be gone. Its data is lost.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Stops the server without closing its sockets (SIGSTOP): clients
    /// connect and send, and no answer comes, as in a network partition.
    pub fn pause(&self) {
        self.signal("-STOP");
    }

    /// Lets a [`pause`](Self::pause)d server go on (SIGCONT).
    pub fn resume(&self) {
        self.signal("-CONT");
    }

    fn signal(&self, signal: &str) {
        let child = self.child.as_ref().expect("redis-server is running");
        let status = Command::new("kill")
            .arg(signal)
            .arg(child.id().to_string())
            .status()
            .expect("kill(1) runs");
        assert!(status.success(), "kill {signal} failed");
    }

    /// Kills the server if it runs, then starts a new empty one on the same
    /// port and waits until it answers.
    pub fn restart(&mut self) {
        self.kill();
        let deadline = Instant::now() + READY_WITHIN;
        loop {
            match spawn(self.port) {
                Ok(Some(child)) => {
                    self.child = Some(child);
                    return;
                }
                Ok(None) if Instant::now() < deadline => sleep(Duration::from_millis(50)),
                Ok(None) => panic!("redis-server did not restart on port {}", self.port),
                Err(error) => panic!("cannot restart redis-server: {error}"),
            }
        }
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        self.kill();
    }
}

fn free_port() -> u16 {
    TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .and_then(|listener| listener.local_addr())
        .map(|addr| addr.port())
        .expect("a free loopback port")
}

/// Starts `redis-server` on `port`: the child once it answers `PING`, `None`
/// when it exited first (the port was taken) or never answered.
fn spawn(port: u16) -> std::io::Result<Option<Child>> {
    let mut child = Command::new("redis-server")
        .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
        .args(["--save", "", "--appendonly", "no", "--daemonize", "no"])
        .arg("--dir")
        .arg(std::env::temp_dir())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()?;
    let deadline = Instant::now() + READY_WITHIN;
    while Instant::now() < deadline {
        if child.try_wait()?.is_some() {
            return Ok(None);
        }
        if answers_ping(port) {
            // Still ours: the answer was not from another process on the port.
            if child.try_wait()?.is_none() {
                return Ok(Some(child));
            }
            return Ok(None);
        }
        sleep(Duration::from_millis(10));
    }
    let _ = child.kill();
    let _ = child.wait();
    Ok(None)
}

fn answers_ping(port: u16) -> bool {
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    let Ok(mut stream) = TcpStream::connect_timeout(&addr, Duration::from_millis(200)) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_millis(500)));
    if stream.write_all(b"PING\r\n").is_err() {
        return false;
    }
    let mut reply = [0u8; 7];
    stream.read_exact(&mut reply).is_ok() && &reply == b"+PONG\r\n"
}
