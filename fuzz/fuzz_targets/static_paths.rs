//! tackle-static: `StaticFiles` on random request paths (raw bytes that
//! `http::Uri` accepts, often after a known name so that the fuzzer reaches
//! real files and directories), with a random method, `Range`,
//! `Accept-Encoding` and `If-Range`, against a fixed root that has a secret
//! file and a dotfile beside it, and symbolic links leading out of it.
//!
//! Nothing panics (a panic on tokio's blocking pool aborts too: libfuzzer
//! sets a hook), no answer is a 5xx, a body read to its end has exactly the
//! announced `Content-Length`, and no 200 or 206 carries the content of the
//! file outside the root or of the dotfile.
#![no_main]

use std::future::poll_fn;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::OnceLock;

use http::header::{ACCEPT_ENCODING, CONTENT_LENGTH, IF_RANGE, RANGE};
use http::{HeaderValue, Method, Request, Uri};
use http_body::Body;
use libfuzzer_sys::arbitrary::{Result, Unstructured};
use libfuzzer_sys::fuzz_target;
use tackle_static::StaticFiles;
use tower_service::Service;

/// In `secret.txt` beside the root: never served.
const SECRET: &[u8] = b"SECRET-OUTSIDE-5c81e";
/// In `.env` inside the root: disallowed, never served.
const DOTFILE: &[u8] = b"DOTFILE-INSIDE-a7d2";

struct Fixture {
    runtime: tokio::runtime::Runtime,
    services: Vec<StaticFiles>,
}

fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        // One directory per process, made afresh (a fuzzing run's jobs each
        // have their own).
        let base = std::env::temp_dir().join(format!("tackle-static-fuzz-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&base);
        let root = base.join("root");
        let write = |relative: &str, content: &[u8]| {
            let path: PathBuf = root.join(relative);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, content).unwrap();
        };
        write("index.html", b"<p>index</p>");
        write("a.txt", b"public text, served on purpose");
        write("a.css", b"body { color: red }");
        write("a.css.gz", b"\x1f\x8b fake gzip");
        write("a.css.br", b"fake brotli");
        write("docs/index.html", b"<p>docs</p>");
        write("docs/guide.txt", b"guide");
        write("empty/x.txt", b"x");
        write("big.bin", &vec![b'b'; 70_000]);
        write(".env", DOTFILE);
        write(".git/config", DOTFILE);
        std::fs::write(base.join("secret.txt"), SECRET).unwrap();
        std::fs::create_dir_all(base.join("outside")).unwrap();
        std::fs::write(base.join("outside/index.html"), SECRET).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::symlink;
            symlink(&base, root.join("escape")).unwrap();
            symlink(base.join("secret.txt"), root.join("secret-link")).unwrap();
            symlink("../secret.txt", root.join("relative-link")).unwrap();
            symlink(base.join("outside"), root.join("outside-dir")).unwrap();
            symlink(root.join("docs"), root.join("docs-link")).unwrap();
        }
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let services = vec![
            StaticFiles::new(&root),
            StaticFiles::new(&root)
                .follow_symlinks(true)
                .listing(true)
                .hot_cache(1024, 64 * 1024)
                .chunk_size(4096)
                .attachment(true)
                .max_ranges(4),
        ];
        Fixture { runtime, services }
    })
}

const STARTS: &[&str] = &[
    "",
    "a.txt",
    "a.css",
    "docs",
    "docs/",
    "empty/",
    "big.bin",
    ".env",
    "escape/",
    "escape/secret.txt",
    "secret-link",
    "relative-link",
    "outside-dir/",
    "docs-link/",
    "%2e%2e/",
    "..%2f",
];
const METHODS: &[Method] = &[Method::GET, Method::HEAD, Method::POST, Method::OPTIONS];
const CODINGS: &[&str] = &["gzip", "br", "br;q=0.5, gzip", "gzip;q=0", "*", "identity"];

struct Input {
    service: usize,
    uri: Uri,
    method: Method,
    range: Option<Vec<u8>>,
    accept_encoding: Option<Vec<u8>>,
    if_range: Option<Vec<u8>>,
}

fn input(u: &mut Unstructured<'_>) -> Result<Option<Input>> {
    let service = u.choose_index(2)?;
    let method = u.choose(METHODS)?.clone();
    let start = *u.choose(STARTS)?;
    let tail: Vec<u8> = u.arbitrary()?;
    let mut path = format!("/{start}").into_bytes();
    path.extend_from_slice(&tail);
    let Ok(uri) = Uri::try_from(path) else {
        return Ok(None);
    };
    // Only origin-form targets, as a server receives them for a path.
    if uri.scheme().is_some() || !uri.path().starts_with('/') {
        return Ok(None);
    }
    let range = if u.arbitrary()? {
        let mut spec = b"bytes=".to_vec();
        spec.extend_from_slice(&u.arbitrary::<Vec<u8>>()?);
        Some(spec)
    } else {
        None
    };
    let accept_encoding = match u.choose_index(3)? {
        0 => None,
        1 => Some(u.choose(CODINGS)?.as_bytes().to_vec()),
        _ => Some(u.arbitrary()?),
    };
    let if_range = if u.arbitrary()? {
        Some(u.arbitrary()?)
    } else {
        None
    };
    Ok(Some(Input {
        service,
        uri,
        method,
        range,
        accept_encoding,
        if_range,
    }))
}

fuzz_target!(|data: &[u8]| {
    let mut u = Unstructured::new(data);
    let Ok(Some(input)) = input(&mut u) else {
        return;
    };
    let fixture = fixture();
    let mut request = Request::new(());
    *request.method_mut() = input.method.clone();
    *request.uri_mut() = input.uri.clone();
    let headers = request.headers_mut();
    for (name, value) in [
        (RANGE, &input.range),
        (ACCEPT_ENCODING, &input.accept_encoding),
        (IF_RANGE, &input.if_range),
    ] {
        if let Some(value) = value
            && let Ok(value) = HeaderValue::from_bytes(value)
        {
            headers.insert(name, value);
        }
    }
    let mut service = fixture.services[input.service].clone();
    fixture.runtime.block_on(async move {
        let Ok(response) = service.call(request).await;
        let status = response.status();
        assert!(
            !status.is_server_error(),
            "{status} for {} {}",
            input.method,
            input.uri
        );
        let announced = response
            .headers()
            .get(CONTENT_LENGTH)
            .map(|v| v.to_str().unwrap().parse::<u64>().unwrap());
        let mut body = Box::pin(response.into_body());
        let mut content = Vec::new();
        while let Some(frame) = poll_fn(|cx| Pin::new(&mut body).as_mut().poll_frame(cx)).await {
            let frame = frame.expect("a body error reading a file that did not change");
            if let Ok(data) = frame.into_data() {
                content.extend_from_slice(&data);
            }
        }
        let head = input.method == Method::HEAD;
        if head {
            assert!(content.is_empty() || !status.is_success(), "a HEAD body");
        } else if let Some(announced) = announced {
            assert_eq!(
                content.len() as u64,
                announced,
                "Content-Length differs from the body for {} {}",
                input.method,
                input.uri
            );
        }
        if status.as_u16() == 200 || status.as_u16() == 206 {
            for marker in [SECRET, DOTFILE] {
                assert!(
                    !content.windows(marker.len()).any(|w| w == marker),
                    "{} {} served {:?}",
                    input.method,
                    input.uri,
                    String::from_utf8_lossy(marker)
                );
            }
        }
    });
});
