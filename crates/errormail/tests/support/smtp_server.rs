//! A real SMTP server for tests: Debian's `python3-aiosmtpd`, started on a free loopback port,
//! delivering to a Maildir in a temporary directory.
//!
//! `SmtpServer::start()` returns `None` (after printing `skipped: aiosmtpd not found`) when aiosmtpd
//! is not installed, so a developer machine without it still passes; under `CI=true` a missing
//! aiosmtpd is a failure (`.ci/run` installs it).
#![allow(dead_code)] // Each test file uses a different part.

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A running aiosmtpd; killed when dropped.
pub struct SmtpServer {
    child: Child,
    port: u16,
    maildir: tempfile::TempDir,
}

impl SmtpServer {
    /// Starts aiosmtpd, or returns `None` when it is not installed (a failure under `CI=true`).
    pub fn start() -> Option<SmtpServer> {
        let Some(python) = python_with_aiosmtpd() else {
            if std::env::var("CI").is_ok_and(|v| v == "true") {
                panic!("aiosmtpd not found (CI=true): install python3-aiosmtpd");
            }
            eprintln!("skipped: aiosmtpd not found");
            return None;
        };
        // The free port is found by binding and releasing it; another process could take it in
        // between, so a server that does not come up is retried on a new port.
        let mut last_error = String::new();
        for _ in 0..3 {
            let maildir = tempfile::tempdir().expect("temporary directory");
            let port = free_port();
            let mut child = Command::new(&python)
                .args(["-m", "aiosmtpd", "-n", "-l"])
                .arg(format!("127.0.0.1:{port}"))
                .args(["-c", "aiosmtpd.handlers.Mailbox"])
                .arg(maildir.path().join("Maildir"))
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .expect("spawn aiosmtpd");
            match wait_for_greeting(port, &mut child) {
                Ok(()) => {
                    return Some(SmtpServer {
                        child,
                        port,
                        maildir,
                    });
                }
                Err(e) => {
                    let _ = child.kill();
                    let _ = child.wait();
                    last_error = e;
                }
            }
        }
        panic!("aiosmtpd did not start: {last_error}");
    }

    /// `smtp://127.0.0.1:<port>`.
    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// The port it listens on.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The Maildir it delivers to.
    pub fn maildir(&self) -> PathBuf {
        self.maildir.path().join("Maildir")
    }

    /// The delivered messages, oldest first, as stored (aiosmtpd adds `X-Peer`, `X-MailFrom` and
    /// `X-RcptTo` headers, and stores LF line ends).
    pub fn messages(&self) -> Vec<Vec<u8>> {
        let mut files = Vec::new();
        for sub in ["new", "cur"] {
            let Ok(entries) = std::fs::read_dir(self.maildir().join(sub)) else {
                continue;
            };
            for entry in entries.flatten() {
                let modified = entry.metadata().and_then(|m| m.modified()).ok();
                files.push((modified, entry.path()));
            }
        }
        files.sort();
        files
            .into_iter()
            .filter_map(|(_, path)| std::fs::read(path).ok())
            .collect()
    }

    /// Waits (up to `timeout`) until at least `count` messages were delivered, and returns them.
    pub fn wait_for_messages(&self, count: usize, timeout: Duration) -> Vec<Vec<u8>> {
        let until = Instant::now() + timeout;
        loop {
            let messages = self.messages();
            if messages.len() >= count || Instant::now() >= until {
                return messages;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Debian's python first: pyenv's `python3` may shadow it on PATH without the Debian package.
fn python_with_aiosmtpd() -> Option<PathBuf> {
    ["/usr/bin/python3", "python3"]
        .into_iter()
        .map(PathBuf::from)
        .find(|python| {
            (python.is_absolute() && Path::new(python).exists() || !python.is_absolute())
                && Command::new(python)
                    .args(["-c", "import aiosmtpd"])
                    .stdout(Stdio::null())
                    .stderr(Stdio::null())
                    .status()
                    .is_ok_and(|s| s.success())
        })
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("bind 127.0.0.1:0")
        .port()
}

fn wait_for_greeting(port: u16, child: &mut Child) -> Result<(), String> {
    let until = Instant::now() + Duration::from_secs(15);
    loop {
        if let Ok(Some(status)) = child.try_wait() {
            let mut stderr = String::new();
            if let Some(mut pipe) = child.stderr.take() {
                let _ = std::io::Read::read_to_string(&mut pipe, &mut stderr);
            }
            return Err(format!("aiosmtpd exited ({status}): {stderr}"));
        }
        if let Ok(stream) = TcpStream::connect(("127.0.0.1", port)) {
            let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
            let mut reader = BufReader::new(&stream);
            let mut greeting = String::new();
            if reader.read_line(&mut greeting).is_ok() && greeting.starts_with("220") {
                let _ = (&stream).write_all(b"QUIT\r\n");
                return Ok(());
            }
        }
        if Instant::now() >= until {
            return Err(format!("no SMTP greeting on port {port}"));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}
