//! The traversal corpus (`tests/data/traversal.txt`) against `StaticFiles`
//! with its defaults, served by hyper on 127.0.0.1:0 and spoken to over a
//! raw TCP socket, so that each request target goes out byte for byte as
//! written (an HTTP client library would normalize some of them).
//!
//! Every corpus line must answer 404: never 200, never 500, never a
//! redirect, and never a body holding anything from outside the root or
//! from a dotfile. Plain requests for files that exist must still work, so
//! that the 404s are the path rules at work and not a broken server.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::time::Duration;

use hyper::server::conn::http1;
use hyper_util::rt::TokioIo;
use hyper_util::service::TowerToHyperService;
use tackle_static::StaticFiles;
use tokio::net::TcpListener;

const CORPUS: &str = include_str!("data/traversal.txt");

/// In files outside the root: must never be seen.
const OUTSIDE: &str = "OUTSIDE-THE-ROOT-7f3a";
/// In `.env` and `.git/config`: must never be seen.
const DOTFILE: &str = "DOTFILE-CONTENT-91c2";

const INDEX: &str = "<!DOCTYPE html><title>index</title>index page";
const SECRET: &str = "a file the root serves on purpose";
const APP_JS: &str = "console.log('app');";

/// The lines of the corpus that are requests.
fn corpus() -> Vec<&'static str> {
    CORPUS
        .lines()
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .collect()
}

/// A temporary directory holding `root/` (what is served) and, beside it,
/// what must stay out of reach.
fn fixture() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let base = tmp.path();
    let root = base.join("root");
    let write = |path: &Path, content: &str| {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, content).unwrap();
    };
    write(&root.join("index.html"), INDEX);
    write(&root.join("secret.txt"), SECRET);
    write(&root.join(".env"), &format!("TOKEN={DOTFILE}\n"));
    write(
        &root.join(".git/config"),
        &format!("[core]\n\t# {DOTFILE}\n"),
    );
    write(&root.join(".git/HEAD"), &format!("ref: {DOTFILE}\n"));
    write(&root.join("assets/app.js"), APP_JS);
    write(&base.join("outside.txt"), OUTSIDE);
    write(&base.join("outside-dir/passwd"), OUTSIDE);
    write(&base.join("outside-dir/index.html"), OUTSIDE);
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(base.join("outside-dir"), root.join("escape")).unwrap();
        std::os::unix::fs::symlink(base, root.join("link-to-root-parent")).unwrap();
    }
    (tmp, root)
}

/// `files` on a free port.
async fn server(files: StaticFiles) -> SocketAddr {
    let service = TowerToHyperService::new(files);
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let service = service.clone();
            tokio::spawn(async move {
                let _ = http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    });
    addr
}

struct Reply {
    status: u16,
    head: String,
    body: Vec<u8>,
}

impl Reply {
    fn has_header(&self, name: &str) -> bool {
        self.head.split("\r\n").skip(1).any(|line| {
            line.split_once(':')
                .is_some_and(|(n, _)| n.trim().eq_ignore_ascii_case(name))
        })
    }

    fn body_contains(&self, needle: &str) -> bool {
        self.body
            .windows(needle.len())
            .any(|window| window == needle.as_bytes())
    }
}

/// `GET target` written to the socket as it is; the whole response, read
/// until the server closes the connection.
async fn get(addr: SocketAddr, target: &str) -> Reply {
    let request = format!("GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
    // std's blocking socket (on the blocking pool), as the dev-dependencies
    // give tokio no io-util.
    let bytes = tokio::task::spawn_blocking(move || {
        let mut stream = TcpStream::connect(addr).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        stream.write_all(request.as_bytes()).unwrap();
        let mut bytes = Vec::new();
        stream.read_to_end(&mut bytes).map(|_| bytes)
    })
    .await
    .unwrap()
    .unwrap_or_else(|e| panic!("{target:?}: no complete response within 10 s: {e}"));
    let split = bytes
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or_else(|| panic!("{target:?}: no response head in {bytes:?}"));
    let head = String::from_utf8_lossy(&bytes[..split]).into_owned();
    let status = head
        .strip_prefix("HTTP/1.1 ")
        .and_then(|rest| rest.get(..3))
        .and_then(|code| code.parse().ok())
        .unwrap_or_else(|| panic!("{target:?}: bad status line in {head:?}"));
    let mut reply = Reply {
        status,
        head,
        body: bytes[split + 4..].to_vec(),
    };
    if reply
        .head
        .to_ascii_lowercase()
        .contains("\r\ntransfer-encoding: chunked")
    {
        reply.body = dechunk(&reply.body);
    }
    reply
}

/// The payload of a `Transfer-Encoding: chunked` body (no trailers).
fn dechunk(mut framed: &[u8]) -> Vec<u8> {
    let mut body = Vec::new();
    loop {
        let line_end = framed.windows(2).position(|w| w == b"\r\n").unwrap();
        let size = std::str::from_utf8(&framed[..line_end]).unwrap();
        let size = usize::from_str_radix(size.split(';').next().unwrap().trim(), 16).unwrap();
        framed = &framed[line_end + 2..];
        if size == 0 {
            return body;
        }
        body.extend_from_slice(&framed[..size]);
        framed = &framed[size + 2..];
    }
}

#[test]
fn corpus_is_well_formed() {
    let lines = corpus();
    assert!(lines.len() >= 60, "only {} attack strings", lines.len());
    for line in &lines {
        assert!(line.starts_with('/'), "{line:?} does not start with '/'");
        assert!(
            line.bytes().all(|b| b.is_ascii_graphic()),
            "{line:?} has a byte that cannot go raw in a request line"
        );
    }
    let mut unique = lines.clone();
    unique.sort_unstable();
    unique.dedup();
    assert_eq!(unique.len(), lines.len(), "the corpus repeats a line");
}

/// Sends every corpus line; panics listing those that were not a clean 404.
async fn assert_corpus_is_404(addr: SocketAddr, setup: &str) {
    let mut failures = Vec::new();
    for target in corpus() {
        let reply = get(addr, target).await;
        let mut wrong = Vec::new();
        if reply.status != 404 {
            wrong.push(format!("status {}", reply.status));
        }
        if reply.has_header("location") {
            wrong.push("a Location header".to_owned());
        }
        if reply.body_contains(OUTSIDE) {
            wrong.push("content from outside the root".to_owned());
        }
        if reply.body_contains(DOTFILE) {
            wrong.push("dotfile content".to_owned());
        }
        if !wrong.is_empty() {
            let head = reply.head.lines().next().unwrap_or_default().to_owned();
            failures.push(format!("{target}  ->  {} ({head})", wrong.join(", ")));
        }
    }
    assert!(
        failures.is_empty(),
        "{setup}: {} corpus lines were not a clean 404:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_corpus_line_is_404() {
    let (_tmp, root) = fixture();
    let addr = server(StaticFiles::new(root)).await;
    assert_corpus_is_404(addr, "defaults").await;
}

/// With directory listings on, no index file and symbolic links followed
/// (inside the root), directories are answered with pages rather than
/// index files: the corpus must still be 404 throughout.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_corpus_line_is_404_with_listings_and_links() {
    let (_tmp, root) = fixture();
    let files = StaticFiles::new(root)
        .listing(true)
        .index_file(None)
        .follow_symlinks(true);
    let addr = server(files).await;
    assert_corpus_is_404(addr, "listing, no index, follow_symlinks").await;
    // The root's own listing works and hides dotfiles.
    let reply = get(addr, "/").await;
    assert_eq!(reply.status, 200, "{}", reply.head);
    let page = String::from_utf8(reply.body).unwrap();
    assert!(page.contains("href=\"assets/\""), "{page}");
    assert!(page.contains("href=\"secret.txt\""), "{page}");
    assert!(!page.contains(".env") && !page.contains(".git"), "{page}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plain_paths_still_work() {
    let (_tmp, root) = fixture();
    let addr = server(StaticFiles::new(root)).await;
    for (target, content) in [
        ("/", INDEX),
        ("/index.html", INDEX),
        ("/assets/app.js", APP_JS),
        ("/secret.txt", SECRET),
        ("/%61ssets/app%2Ejs", APP_JS),
    ] {
        let reply = get(addr, target).await;
        assert_eq!(reply.status, 200, "{target}: {}", reply.head);
        assert_eq!(reply.body, content.as_bytes(), "{target}");
    }
    for target in ["/missing.txt", "/assets/missing.js"] {
        assert_eq!(get(addr, target).await.status, 404, "{target}");
    }
}
