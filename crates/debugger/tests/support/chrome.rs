//! A real headless Chromium driven through `chromedriver` on a free loopback
//! port, started by the test that needs it and killed when dropped.
//!
//! `Chrome::start().await` returns `None` (after printing `skipped:
//! chromium not found`) when `/usr/bin/chromium` or `/usr/bin/chromedriver`
//! is missing, unless `CI=true`: then it panics. The WebDriver client speaks
//! plain HTTP to chromedriver on loopback (no TLS stack).

// Each test crate that includes this file uses only part of it.
#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::wd::{Capabilities, WebDriverCompatibleCommand};
use fantoccini::{Client, ClientBuilder};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::{Value, json};

pub const CHROMIUM: &str = "/usr/bin/chromium";
pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// How long a started chromedriver has to say it is ready.
const READY_WITHIN: Duration = Duration::from_secs(20);

/// A running chromedriver and one browser session in it.
pub struct Chrome {
    pub client: Client,
    driver: Driver,
}

/// The chromedriver process, killed on drop (also when a check panics).
struct Driver {
    child: Child,
}

impl Drop for Driver {
    fn drop(&mut self) {
        // The whole process group: a check that panics leaves the browser
        // session open, and Chromium would outlive its driver.
        let group = format!("-{}", self.child.id());
        let _ = Command::new("kill").args(["-KILL", "--", &group]).status();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Chrome {
    /// Starts chromedriver on a free port and opens a headless Chromium
    /// session; `None` when Chromium or chromedriver is not installed (and
    /// `CI` is not `true`).
    pub async fn start() -> Option<Chrome> {
        for binary in [CHROMIUM, CHROMEDRIVER] {
            if !Path::new(binary).is_file() {
                if std::env::var("CI").is_ok_and(|ci| ci == "true") {
                    panic!(
                        "{binary} not found, and CI=true needs it (.ci/run installs chromium and chromium-driver)"
                    );
                }
                println!("skipped: chromium not found");
                return None;
            }
        }
        let port = free_port();
        let child = Command::new(CHROMEDRIVER)
            .process_group(0)
            .arg(format!("--port={port}"))
            .arg("--allowed-ips=127.0.0.1")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|error| panic!("cannot start {CHROMEDRIVER}: {error}"));
        let driver = Driver { child };
        wait_ready(port);

        let mut capabilities = Capabilities::new();
        capabilities.insert(
            "goog:chromeOptions".to_owned(),
            json!({
                "binary": CHROMIUM,
                "args": [
                    "--headless=new",
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-dev-shm-usage",
                    "--no-first-run",
                    "--disable-extensions",
                    "--disable-background-networking",
                    "--disable-sync",
                    "--window-size=1280,1600",
                ],
            }),
        );
        // Leave an alert open so that a check can see it (the default
        // would dismiss it and fail the next command instead).
        capabilities.insert("unhandledPromptBehavior".to_owned(), json!("ignore"));
        let client = ClientBuilder::new(HttpConnector::new())
            .capabilities(capabilities)
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
            .unwrap_or_else(|error| panic!("cannot open a Chromium session: {error}"));
        Some(Chrome { client, driver })
    }

    /// Runs a Chrome DevTools Protocol command through chromedriver's
    /// `goog/cdp/execute` endpoint.
    pub async fn cdp(&self, cmd: &str, params: Value) -> Value {
        self.client
            .issue_cmd(Cdp {
                body: json!({ "cmd": cmd, "params": params }),
            })
            .await
            .unwrap_or_else(|error| panic!("CDP {cmd}: {error}"))
    }

    /// Sends `headers` (name → value) with every request from now on.
    pub async fn set_extra_headers(&self, headers: Value) {
        self.cdp("Network.enable", json!({})).await;
        self.cdp("Network.setExtraHTTPHeaders", json!({ "headers": headers }))
            .await;
    }

    /// Ends the session and stops chromedriver.
    pub async fn close(self) {
        let Chrome { client, driver } = self;
        let _ = client.close().await;
        drop(driver);
    }
}

#[derive(Debug)]
struct Cdp {
    body: Value,
}

impl WebDriverCompatibleCommand for Cdp {
    fn endpoint(
        &self,
        base_url: &url::Url,
        session_id: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base_url.join(&format!(
            "session/{}/goog/cdp/execute",
            session_id.unwrap_or_default()
        ))
    }

    fn method_and_body(&self, _request_url: &url::Url) -> (http::Method, Option<String>) {
        (http::Method::POST, Some(self.body.to_string()))
    }
}

fn free_port() -> u16 {
    TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .and_then(|listener| listener.local_addr())
        .map(|addr| addr.port())
        .expect("a free loopback port")
}

/// Polls `GET /status` until chromedriver answers `"ready": true`.
fn wait_ready(port: u16) {
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    let deadline = Instant::now() + READY_WITHIN;
    loop {
        if ready(addr) {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "chromedriver on port {port} not ready within {READY_WITHIN:?}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Whether chromedriver at `addr` answers `GET /status` with `"ready":true`
/// (its body is compact JSON). It may keep the connection open, so the
/// answer is read until that appears, not until the end.
fn ready(addr: SocketAddr) -> bool {
    let Ok(mut stream) = TcpStream::connect_timeout(&addr, Duration::from_secs(1)) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
    if stream
        .write_all(b"GET /status HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        .is_err()
    {
        return false;
    }
    let mut response = Vec::new();
    let mut chunk = [0u8; 1024];
    while let Ok(n @ 1..) = stream.read(&mut chunk) {
        response.extend_from_slice(&chunk[..n]);
        if String::from_utf8_lossy(&response).contains("\"ready\":true") {
            return true;
        }
    }
    false
}
