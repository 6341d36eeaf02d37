//! The showcase binary over real sockets: the binary cargo built
//! (`target/debug/examples/showcase`) started as a child process on
//! `127.0.0.1:0` with a temporary `TACKLE_DATA_DIR`, its URL read from the
//! startup line, and every route driven by hyper's HTTP/1.1 client.
//!
//! - `pages_assets_uploads_and_sessions`: the home page and its 304, a
//!   fingerprinted asset (immutable, gzip, a range), `POST /upload` with each
//!   capture of the Werkzeug multipart corpus and an urlencoded body, a body
//!   one byte past a limit, the session counter, login (id rotation, flash),
//!   an upload through the HTML form, the listing, the download (range,
//!   validators, attachment), logout;
//! - `development_failures_show_the_debugger` and
//!   `production_failures_are_mailed`: `/boom` and `/fail` in both modes,
//!   then SIGTERM and a clean exit;
//! - `sessions_are_shared_through_redis`: two instances on one
//!   `redis-server` (skipped without one, unless `CI=true`);
//! - `a_bad_variable_exits_with_status_2`.

#[path = "../crates/session/tests/support/redis_server.rs"]
mod redis_server;

use std::io::{BufRead, BufReader, Read};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http::header::{
    ACCEPT, ACCEPT_ENCODING, CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_ENCODING, CONTENT_RANGE,
    CONTENT_TYPE, COOKIE, ETAG, HOST, IF_NONE_MATCH, LAST_MODIFIED, LOCATION, RANGE, SET_COOKIE,
    USER_AGENT,
};
use http::{HeaderMap, Method, Request, StatusCode};
use http_body_util::{BodyExt, Full};
use hyper_util::rt::TokioIo;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use tokio::net::TcpStream;

/// The panic message of `/boom` (`examples/showcase/app/errors.rs`).
const PANIC_MESSAGE: &str = "the showcase panicked on purpose";

/// How long anything may take before the test gives up.
const DEADLINE: Duration = Duration::from_secs(30);

// ---------------------------------------------------------------------------
// The child process

/// A running showcase; killed on drop, whatever happened.
struct Showcase {
    child: Child,
    addr: SocketAddr,
    stdout: Arc<Mutex<String>>,
    stderr: Arc<Mutex<String>>,
    data_dir: tempfile::TempDir,
}

impl Showcase {
    /// Starts the binary with `env` (and a fresh data directory) and waits
    /// for its startup line.
    fn start(env: &[(&str, &str)]) -> Showcase {
        let data_dir = tempfile::tempdir().expect("a temporary directory");
        let mut child = Command::new(binary())
            .env("TACKLE_ADDR", "127.0.0.1:0")
            .env("TACKLE_DATA_DIR", data_dir.path())
            .env_remove("TACKLE_ENV")
            .env_remove("REDIS_URL")
            .env_remove("SMTP_URL")
            .env_remove("TACKLE_STATIC_DIR")
            .env_remove("TACKLE_SECRET_KEY")
            .envs(env.iter().copied())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the showcase binary starts");
        let stdout = collect(child.stdout.take().expect("piped"));
        let stderr = collect(child.stderr.take().expect("piped"));
        let mut showcase = Showcase {
            child,
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            stdout,
            stderr,
            data_dir,
        };
        let prefix = "tackle: listening on http://";
        let line = showcase.wait_for(|out, _| {
            out.lines()
                .find_map(|line| line.strip_prefix(prefix).map(str::to_owned))
        });
        showcase.addr = line
            .trim()
            .parse()
            .expect("the startup line names an address");
        showcase
    }

    /// Polls the child's output until `found` gives a value; panics, with
    /// the output, when the child exits or the deadline passes first.
    fn wait_for<T>(&mut self, found: impl Fn(&str, &str) -> Option<T>) -> T {
        let deadline = Instant::now() + DEADLINE;
        loop {
            if let Some(value) = found(&self.stdout(), &self.stderr()) {
                return value;
            }
            let exited = self.child.try_wait().expect("try_wait");
            assert!(
                exited.is_none() && Instant::now() < deadline,
                "the showcase {} before the expected output;\nstdout:\n{}\nstderr:\n{}",
                exited.map_or("did not answer in time".to_owned(), |s| format!(
                    "exited ({s})"
                )),
                self.stdout(),
                self.stderr()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn stdout(&self) -> String {
        self.stdout
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    fn stderr(&self) -> String {
        self.stderr
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    fn data_dir(&self) -> &Path {
        self.data_dir.path()
    }

    /// SIGTERM, then the exit status (within the deadline).
    fn terminate(&mut self) -> ExitStatus {
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .expect("kill(1) runs");
        assert!(status.success(), "kill -TERM failed");
        let deadline = Instant::now() + DEADLINE;
        loop {
            if let Some(status) = self.child.try_wait().expect("try_wait") {
                return status;
            }
            assert!(
                Instant::now() < deadline,
                "no exit within {DEADLINE:?} of SIGTERM"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// A client for this instance, without cookies.
    fn client(&self) -> Client {
        Client {
            addr: self.addr,
            cookie: None,
        }
    }
}

impl Drop for Showcase {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Reads `pipe` to its end on a thread, into the returned string.
fn collect(pipe: impl Read + Send + 'static) -> Arc<Mutex<String>> {
    let text = Arc::new(Mutex::new(String::new()));
    let sink = Arc::clone(&text);
    std::thread::spawn(move || {
        for line in BufReader::new(pipe).lines() {
            let Ok(line) = line else { return };
            let mut text = sink.lock().unwrap_or_else(PoisonError::into_inner);
            text.push_str(&line);
            text.push('\n');
        }
    });
    text
}

/// The showcase binary, `target/<profile>/examples/showcase`, beside this
/// test's own (`target/<profile>/deps/showcase-…`). A plain `cargo test`
/// builds the examples first, but `cargo test --test showcase` does not, so
/// `cargo build --example showcase` runs once here, into the same target
/// directory: a no-op when the binary is fresh, and never a stale binary.
fn binary() -> PathBuf {
    static BUILT: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    BUILT
        .get_or_init(|| {
            let exe = std::env::current_exe().expect("the test binary's path");
            let profile_dir = exe
                .parent()
                .and_then(Path::parent)
                .expect("target/<profile>/deps/<test>");
            let target_dir = profile_dir.parent().expect("target/<profile>");
            let mut cargo = Command::new(env!("CARGO"));
            cargo
                .args(["build", "--example", "showcase", "--target-dir"])
                .arg(target_dir)
                .current_dir(env!("CARGO_MANIFEST_DIR"));
            if profile_dir.ends_with("release") {
                cargo.arg("--release");
            }
            // What cargo set for this test's run (CARGO_MANIFEST_DIR,
            // CARGO_PKG_NAME, ...) would look like a changed environment to
            // dependencies' build scripts (ring's, for one), rebuilding
            // them here and again at the next `cargo test`.
            for (name, _) in std::env::vars_os() {
                let name = name.to_string_lossy();
                let set_for_tests = [
                    "CARGO_PKG_",
                    "CARGO_MANIFEST_",
                    "CARGO_CRATE_",
                    "CARGO_BIN_",
                ]
                .iter()
                .any(|prefix| name.starts_with(prefix))
                    || ["OUT_DIR", "CARGO_PRIMARY_PACKAGE", "CARGO_TARGET_TMPDIR"]
                        .contains(&name.as_ref());
                if set_for_tests {
                    cargo.env_remove(name.as_ref());
                }
            }
            let status = cargo.status().expect("cargo runs");
            assert!(status.success(), "cargo build --example showcase failed");
            profile_dir
                .join("examples")
                .join(format!("showcase{}", std::env::consts::EXE_SUFFIX))
        })
        .clone()
}

// ---------------------------------------------------------------------------
// The HTTP client

/// A response, read whole.
struct Reply {
    status: StatusCode,
    headers: HeaderMap,
    body: Bytes,
}

impl Reply {
    fn header(&self, name: impl http::header::AsHeaderName) -> &str {
        self.headers
            .get(name)
            .and_then(|value| value.to_str().ok())
            .unwrap_or("")
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text()))
    }
}

/// hyper's HTTP/1.1 client, one connection per request, keeping the
/// session cookie it is given like a browser would.
struct Client {
    addr: SocketAddr,
    cookie: Option<String>,
}

impl Client {
    async fn get(&mut self, path: &str, headers: &[(http::HeaderName, &str)]) -> Reply {
        self.send(Method::GET, path, headers, Bytes::new()).await
    }

    async fn post(&mut self, path: &str, content_type: &str, body: impl Into<Bytes>) -> Reply {
        let headers = [(CONTENT_TYPE, content_type)];
        self.send(Method::POST, path, &headers, body.into()).await
    }

    async fn send(
        &mut self,
        method: Method,
        path: &str,
        headers: &[(http::HeaderName, &str)],
        body: Bytes,
    ) -> Reply {
        let mut request = Request::builder()
            .method(method)
            .uri(path)
            // `localhost`: the debugger answers loopback names only.
            .header(HOST, "localhost")
            // A browser's; the error mailer leaves curl and bots unmailed.
            .header(USER_AGENT, "Mozilla/5.0 (showcase test)");
        if let Some(cookie) = &self.cookie {
            request = request.header(COOKIE, cookie);
        }
        for (name, value) in headers {
            request = request.header(name, *value);
        }
        let request = request.body(Full::new(body)).expect("a valid request");

        let stream = TcpStream::connect(self.addr).await.expect("connect");
        let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
            .await
            .expect("handshake");
        tokio::spawn(connection);
        let response = sender.send_request(request).await.expect("a response");
        let (parts, body) = response.into_parts();
        let body = body.collect().await.expect("the body").to_bytes();
        if let Some(set_cookie) = parts.headers.get(SET_COOKIE) {
            let set_cookie = set_cookie.to_str().expect("ASCII");
            let pair = set_cookie.split(';').next().unwrap_or_default().trim();
            // An expired cookie (`Max-Age=0`) is dropped, as a browser does.
            self.cookie = if set_cookie.contains("Max-Age=0") {
                None
            } else {
                Some(pair.to_owned())
            };
        }
        Reply {
            status: parts.status,
            headers: parts.headers,
            body,
        }
    }
}

/// A `multipart/form-data` body of `(name, filename, content)` parts, and
/// its content type.
fn multipart(parts: &[(&str, Option<&str>, &[u8])]) -> (String, Vec<u8>) {
    let boundary = "showcase-test-boundary-7f3a";
    let mut body = Vec::new();
    for (name, filename, content) in parts {
        body.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
        match filename {
            Some(filename) => body.extend_from_slice(
                format!(
                    "Content-Disposition: form-data; name=\"{name}\"; filename=\"{filename}\"\r\n\
                     Content-Type: text/plain\r\n\r\n"
                )
                .as_bytes(),
            ),
            None => body.extend_from_slice(
                format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n").as_bytes(),
            ),
        }
        body.extend_from_slice(content);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

// ---------------------------------------------------------------------------
// The tests

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_assets_uploads_and_sessions() {
    let showcase = Showcase::start(&[]);
    let mut client = showcase.client();

    // The home page: HTML, a hash ETag, revalidated with a 304.
    let home = client.get("/", &[(ACCEPT, "text/html")]).await;
    assert_eq!(home.status, StatusCode::OK, "{}", home.text());
    assert!(home.header(CONTENT_TYPE).starts_with("text/html"));
    assert_eq!(home.header(CACHE_CONTROL), "private, no-cache");
    let etag = home.header(ETAG).to_owned();
    assert!(etag.starts_with('"'), "a strong ETag: {etag:?}");
    for crate_name in ["tackle-routing", "tackle-session", "tackle-errormail"] {
        assert!(
            home.text().contains(crate_name),
            "{crate_name} on the home page"
        );
    }
    let again = client
        .get("/", &[(ACCEPT, "text/html"), (IF_NONE_MATCH, &etag)])
        .await;
    assert_eq!(again.status, StatusCode::NOT_MODIFIED);
    assert!(again.body.is_empty());
    assert_eq!(again.header(ETAG), etag);

    check_assets(&mut client, &home.text()).await;
    check_upload_echo(&mut client).await;

    let hello = client.get("/hello", &[]).await;
    assert_eq!(hello.status, StatusCode::OK);
    assert_eq!(hello.text(), "Hello, world!\n");
    assert!(hello.header(CONTENT_TYPE).starts_with("text/plain"));

    check_session_counter(&showcase).await;
    check_login_upload_download(&showcase).await;
}

/// The assets as committed (fingerprints, gzip siblings), and as served.
async fn check_assets(client: &mut Client, home_page: &str) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/showcase/assets");
    let mut css = None;
    for entry in std::fs::read_dir(&dir).expect("the assets folder") {
        let path = entry.expect("an entry").path();
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .expect("a UTF-8 name")
            .to_owned();
        if name.ends_with(".gz") || name.ends_with(".br") {
            continue;
        }
        let content = std::fs::read(&path).expect("readable");
        // `site.3f2a9c1b.css`: the 8 hex digits begin the content's SHA-256.
        let parts: Vec<&str> = name.split('.').collect();
        assert_eq!(parts.len(), 3, "{name} is stem.fingerprint.extension");
        assert_eq!(parts[1], &sha256_hex(&content)[..8], "{name}'s fingerprint");
        let gz = std::fs::read(dir.join(format!("{name}.gz"))).expect("a .gz sibling");
        let mut unzipped = Vec::new();
        flate2::read::GzDecoder::new(&gz[..])
            .read_to_end(&mut unzipped)
            .expect("valid gzip");
        assert_eq!(unzipped, content, "{name}.gz decompresses to {name}");
        let br = std::fs::read(dir.join(format!("{name}.br"))).expect("a .br sibling");
        let mut unbrotlied = Vec::new();
        brotli_decompressor::Decompressor::new(&br[..], 4096)
            .read_to_end(&mut unbrotlied)
            .expect("valid brotli");
        assert_eq!(unbrotlied, content, "{name}.br decompresses to {name}");
        assert!(
            home_page.contains(&format!("/static/{name}")),
            "the home page links {name}"
        );
        if name.ends_with(".css") {
            css = Some((name, content, gz, br));
        }
    }
    let (name, content, gz, br) = css.expect("a stylesheet");
    let path = format!("/static/{name}");

    let plain = client.get(&path, &[]).await;
    assert_eq!(plain.status, StatusCode::OK);
    assert_eq!(
        plain.header(CACHE_CONTROL),
        "public, max-age=31536000, immutable"
    );
    assert!(plain.header(CONTENT_TYPE).starts_with("text/css"));
    assert_eq!(plain.body, content);

    let zipped = client.get(&path, &[(ACCEPT_ENCODING, "gzip")]).await;
    assert_eq!(zipped.status, StatusCode::OK);
    assert_eq!(zipped.header(CONTENT_ENCODING), "gzip");
    assert_eq!(zipped.body, gz);

    let brotli = client.get(&path, &[(ACCEPT_ENCODING, "gzip, br")]).await;
    assert_eq!(brotli.status, StatusCode::OK);
    assert_eq!(brotli.header(CONTENT_ENCODING), "br");
    assert_eq!(brotli.body, br);

    let range = client.get(&path, &[(RANGE, "bytes=0-9")]).await;
    assert_eq!(range.status, StatusCode::PARTIAL_CONTENT);
    assert_eq!(
        range.header(CONTENT_RANGE),
        format!("bytes 0-9/{}", content.len())
    );
    assert_eq!(range.body, content[..10]);

    let revalidated = client
        .get(&path, &[(IF_NONE_MATCH, plain.header(ETAG))])
        .await;
    assert_eq!(revalidated.status, StatusCode::NOT_MODIFIED);
}

/// `POST /upload`: every Werkzeug capture, an urlencoded form, and a body
/// one byte past `max_form_memory_size`.
async fn check_upload_echo(client: &mut Client) {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/multipart/werkzeug");
    let expected: Value = serde_json::from_slice(
        &std::fs::read(corpus.join("expected.json")).expect("the corpus's expected.json"),
    )
    .expect("JSON");
    let captures = expected.as_object().expect("an object of captures");
    assert!(!captures.is_empty());
    for (name, capture) in captures {
        let body = std::fs::read(corpus.join(capture["body"].as_str().expect("a body file")))
            .expect("the capture's body");
        let content_type = capture["content_type"].as_str().expect("a content type");
        let reply = client.post("/upload", content_type, body).await;
        assert_eq!(reply.status, StatusCode::OK, "{name}: {}", reply.text());
        let want = json!({ "fields": capture["fields"], "files": capture["files"] });
        assert_eq!(reply.json(), want, "{name}");
    }

    let form = client
        .post(
            "/upload",
            "application/x-www-form-urlencoded",
            "a=1&a=2&b=x%20y&c=%C3%A4",
        )
        .await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.text());
    assert_eq!(
        form.json(),
        json!({ "fields": { "a": ["1", "2"], "b": ["x y"], "c": ["ä"] }, "files": {} })
    );

    // 500 000 bytes is the default max_form_memory_size: one more is 413.
    let at_limit = format!("a={}", "x".repeat(500_000 - 2));
    let reply = client
        .post("/upload", "application/x-www-form-urlencoded", at_limit)
        .await;
    assert_eq!(reply.status, StatusCode::OK, "at the limit");
    let past_limit = format!("a={}", "x".repeat(500_000 - 1));
    let reply = client
        .send(
            Method::POST,
            "/upload",
            &[
                (CONTENT_TYPE, "application/x-www-form-urlencoded"),
                (ACCEPT, "text/plain"),
            ],
            Bytes::from(past_limit),
        )
        .await;
    assert_eq!(reply.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(
        reply.text().contains("max_form_memory_size (500000 bytes)"),
        "{}",
        reply.text()
    );
}

/// `/session` counts per session: 1, 2, 3 with the cookie, 1 without.
async fn check_session_counter(showcase: &Showcase) {
    let mut client = showcase.client();
    for expected in 1..=3 {
        let reply = client.get("/session", &[]).await;
        assert_eq!(reply.json(), json!({ "count": expected }));
        assert!(client.cookie.is_some(), "a session cookie");
    }
    let reply = showcase.client().get("/session", &[]).await;
    assert_eq!(reply.json(), json!({ "count": 1 }));
}

/// Log in (a wrong password first), upload through the form, list,
/// download, log out.
async fn check_login_upload_download(showcase: &Showcase) {
    let mut client = showcase.client();

    // Uploading needs a login: back to the login page, with a flash.
    let (content_type, body) = multipart(&[("file", Some("a.txt"), b"abc"), ("note", None, b"")]);
    let refused = client.post("/files", &content_type, body).await;
    assert_eq!(refused.status, StatusCode::SEE_OTHER);
    assert_eq!(refused.header(LOCATION), "/login");
    let login_page = client.get("/login", &[]).await;
    assert_eq!(login_page.status, StatusCode::OK);
    assert!(login_page.text().contains("Log in to upload files."));
    assert!(
        login_page.text().contains("<code>tackle</code>"),
        "the demo password is shown"
    );

    let form = "application/x-www-form-urlencoded";
    let wrong = client
        .post("/login", form, "username=ada&password=nope")
        .await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert!(wrong.text().contains("Wrong password"), "{}", wrong.text());
    assert!(wrong.text().contains("value=\"ada\""), "the name is kept");

    // Login rotates the session id: the old cookie is worth nothing after.
    let before = client.cookie.clone().expect("a session from the flash");
    let login = client
        .post("/login", form, "username=%3Cada%3E&password=tackle")
        .await;
    assert_eq!(login.status, StatusCode::SEE_OTHER, "{}", login.text());
    assert_eq!(login.header(LOCATION), "/files");
    let after = client.cookie.clone().expect("a session cookie");
    assert_ne!(before, after, "a new session id at login");
    let mut stale = showcase.client();
    stale.cookie = Some(before);
    assert!(!stale.get("/files", &[]).await.text().contains("Log out"));

    // The flash, shown once; the user name escaped.
    let files = client.get("/files", &[]).await;
    assert!(
        files.text().contains("Welcome, &lt;ada&gt;!"),
        "{}",
        files.text()
    );
    assert!(files.text().contains("enctype=\"multipart/form-data\""));
    assert!(!client.get("/files", &[]).await.text().contains("Welcome"));

    // Two uploads: the listing shows the newest first.
    let content: Vec<u8> = (0..=255u8).cycle().take(4000).collect();
    let (content_type, body) = multipart(&[
        ("file", Some("first.bin"), &content),
        ("note", None, b"<b>the first</b>"),
    ]);
    let uploaded = client.post("/files", &content_type, body).await;
    assert_eq!(
        uploaded.status,
        StatusCode::SEE_OTHER,
        "{}",
        uploaded.text()
    );
    assert_eq!(uploaded.header(LOCATION), "/files");
    let (content_type, body) = multipart(&[
        ("file", Some("r\u{e9}sum\u{e9} \\\"2\\\".txt"), b"second"),
        ("note", None, b"second"),
    ]);
    let uploaded = client.post("/files", &content_type, body).await;
    assert_eq!(
        uploaded.status,
        StatusCode::SEE_OTHER,
        "{}",
        uploaded.text()
    );

    let page = client.get("/files", &[]).await.text();
    assert!(
        page.contains("Uploaded first.bin."),
        "the first upload's flash"
    );
    let listing = &page[page.find("<table>").expect("a table of files")..];
    assert!(
        listing.contains("&lt;b&gt;the first&lt;/b&gt;"),
        "notes are escaped"
    );
    let first = listing.find("first.bin").expect("the first file is listed");
    let second = listing.find("second").expect("the second file is listed");
    assert!(second < first, "newest first");
    let links: Vec<&str> = listing
        .match_indices("/files/")
        .filter_map(|(at, _)| {
            let rest = &listing[at..];
            let end = rest.find("/download")?;
            Some(&rest[..end + "/download".len()])
        })
        .collect();
    assert_eq!(links.len(), 2, "{listing}");

    // The download: the bytes, validators, ranges, an attachment.
    let download = showcase.client().get(links[1], &[]).await;
    assert_eq!(download.status, StatusCode::OK);
    assert_eq!(download.body, content);
    assert!(
        download
            .header(CONTENT_DISPOSITION)
            .starts_with("attachment")
    );
    assert!(
        download
            .header(CONTENT_DISPOSITION)
            .contains("filename=\"first.bin\"")
    );
    assert!(!download.header(LAST_MODIFIED).is_empty());
    let etag = download.header(ETAG).to_owned();
    let range = showcase
        .client()
        .get(links[1], &[(RANGE, "bytes=100-199")])
        .await;
    assert_eq!(range.status, StatusCode::PARTIAL_CONTENT);
    assert_eq!(range.body, content[100..200]);
    assert_eq!(range.header(CONTENT_RANGE), "bytes 100-199/4000");
    let unchanged = showcase
        .client()
        .get(links[1], &[(IF_NONE_MATCH, &etag)])
        .await;
    assert_eq!(unchanged.status, StatusCode::NOT_MODIFIED);

    let second = showcase.client().get(links[0], &[]).await;
    assert_eq!(second.body, "second");
    let disposition = second.header(CONTENT_DISPOSITION);
    assert!(
        disposition.contains("filename*=UTF-8''r%C3%A9sum%C3%A9"),
        "{disposition}"
    );

    // An id that is not one is a 404 from the router.
    let missing = showcase
        .client()
        .get("/files/not-an-id/download", &[])
        .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    let unknown = showcase
        .client()
        .get("/files/0123456789abcdef0123456789abcdef/download", &[])
        .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);

    // The uploads are on disk under the data directory.
    let stored = std::fs::read_dir(showcase.data_dir().join("uploads"))
        .expect("the uploads folder")
        .count();
    assert_eq!(stored, 4, "two files, two metadata files");

    // Logout: the session is gone, a flash says so.
    let logout = client.post("/logout", form, "").await;
    assert_eq!(logout.status, StatusCode::SEE_OTHER);
    assert_eq!(logout.header(LOCATION), "/");
    let home = client.get("/", &[]).await.text();
    assert!(home.contains("You are logged out."), "{home}");
    assert!(!home.contains("Log out"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn development_failures_show_the_debugger() {
    let mut showcase = Showcase::start(&[("TACKLE_ENV", "development")]);
    let pin =
        showcase.wait_for(|_, err| err.lines().find(|l| l.contains("PIN")).map(str::to_owned));
    assert!(
        pin.chars().filter(char::is_ascii_digit).count() >= 9,
        "{pin}"
    );
    let mut client = showcase.client();

    let browser = "text/html,application/xhtml+xml,*/*;q=0.8";
    let page = client.get("/boom", &[(ACCEPT, browser)]).await;
    assert_eq!(page.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert!(page.header(CONTENT_TYPE).starts_with("text/html"));
    assert!(page.text().contains(PANIC_MESSAGE));
    assert!(page.header("x-debug-url").starts_with("/_debug/"));

    let api = client.get("/boom", &[(ACCEPT, "application/json")]).await;
    assert_eq!(api.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(api.header(CONTENT_TYPE), "application/problem+json");
    let debug_url = api.json()["debug_url"].as_str().map(str::to_owned);
    assert!(
        debug_url.is_some_and(|url| url.starts_with("/_debug/")),
        "{}",
        api.text()
    );

    let fail = client.get("/fail", &[(ACCEPT, browser)]).await;
    assert_eq!(fail.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert!(fail.text().contains("the archive index could not be read"));
    assert!(
        fail.text().contains("not mounted"),
        "the cause chain is shown"
    );

    // No mail in development.
    assert!(!showcase.data_dir().join("mail-spool").exists());

    let status = showcase.terminate();
    assert!(status.success(), "exit status {status}");
    assert!(showcase.stdout().contains("tackle: shutting down"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn production_failures_are_mailed() {
    let mut showcase = Showcase::start(&[("TACKLE_ENV", "production")]);
    let mut client = showcase.client();
    assert!(
        !showcase.stderr().contains("PIN"),
        "no debugger in production"
    );
    assert!(showcase.stderr().contains("warning"), "the session warning");

    let boom = client.get("/boom", &[(ACCEPT, "text/html")]).await;
    assert_eq!(boom.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert!(!boom.text().contains(PANIC_MESSAGE), "a generic page");
    assert!(boom.headers.get("x-debug-url").is_none());
    let fail = client.get("/fail", &[]).await;
    assert_eq!(fail.status, StatusCode::INTERNAL_SERVER_ERROR);

    // Both reports land in the spool, as .eml files (quoted-printable soft
    // line breaks undone before searching).
    let spool = showcase.data_dir().join("mail-spool");
    let deadline = Instant::now() + DEADLINE;
    loop {
        let mails: Vec<String> = std::fs::read_dir(&spool)
            .into_iter()
            .flatten()
            .flatten()
            .map(|entry| entry.path())
            .filter(|path| path.extension().is_some_and(|e| e == "eml"))
            .filter_map(|path| std::fs::read_to_string(path).ok())
            .map(|mail| mail.replace("=\r\n", "").replace("=\n", ""))
            .collect();
        let panic_mailed = mails.iter().any(|mail| mail.contains(PANIC_MESSAGE));
        let error_mailed = mails
            .iter()
            .any(|mail| mail.contains("the archive index could not be read"));
        if panic_mailed && error_mailed {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "no mails for both failures in {}: {mails:#?}",
            spool.display()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    let status = showcase.terminate();
    assert!(status.success(), "exit status {status}");
    assert!(showcase.stdout().contains("tackle: shutting down"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sessions_are_shared_through_redis() {
    let Some(redis) = redis_server::RedisServer::start() else {
        return; // printed `skipped: redis-server not found`
    };
    let key = "showcase-test-key-0123456789abcdef0123456789abcdef";
    let env = [
        ("REDIS_URL", redis.url()),
        ("TACKLE_SECRET_KEY", key.to_owned()),
    ];
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let a = Showcase::start(&env);
    let b = Showcase::start(&env);

    let mut on_a = a.client();
    assert_eq!(
        on_a.get("/session", &[]).await.json(),
        json!({ "count": 1 })
    );
    let mut on_b = b.client();
    on_b.cookie = on_a.cookie.clone();
    assert_eq!(
        on_b.get("/session", &[]).await.json(),
        json!({ "count": 2 })
    );
    assert_eq!(
        on_a.get("/session", &[]).await.json(),
        json!({ "count": 3 })
    );
}

#[test]
fn a_bad_variable_exits_with_status_2() {
    for (variable, value) in [
        ("TACKLE_ENV", "staging"),
        ("TACKLE_ADDR", "localhost"),
        ("TACKLE_SECRET_KEY", "short"),
        ("REDIS_URL", "http://example.com"),
    ] {
        let output = Command::new(binary())
            .env(variable, value)
            .output()
            .expect("the showcase binary runs");
        assert_eq!(output.status.code(), Some(2), "{variable}={value}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(variable), "{variable}: {stderr}");
    }
}
