//! `static/` scenarios: tackle-static's `StaticFiles` against tower-http's
//! `ServeDir`, in process, on the same files in the same temporary directory.
//!
//! - `get-1kib`, `get-64kib`, `get-1mib`: a plain `GET` of a 1 KiB, 64 KiB or
//!   1 MiB file answered 200, the whole body collected;
//! - `304-1kib`: a `GET` of the 1 KiB file revalidated as a browser would:
//!   `If-None-Match` with the `ETag` that side answered earlier (the two
//!   derive their tags differently, and `If-None-Match` takes precedence
//!   over the date on both) and `If-Modified-Since` with the shared
//!   `Last-Modified`, answered 304 with an empty body.
//!
//! Both services need a tokio runtime (file-system work goes to the blocking
//! pool), so each scenario builds one multi-thread runtime with two workers,
//! as a small server would have, and every iteration on both sides is
//! `rt.block_on(service.clone().oneshot(request))` followed by collecting the
//! body on the same runtime. The answers (status, body length) are checked
//! equal before timing.

use std::path::{Path, PathBuf};
use std::rc::Rc;

use bytes::Bytes;
use http::header::{ETAG, IF_MODIFIED_SINCE, IF_NONE_MATCH, LAST_MODIFIED};
use http::{HeaderMap, HeaderValue, Request, Response, StatusCode};
use http_body_util::BodyExt;
use tackle::static_files::StaticFiles;
use tokio::runtime::Runtime;
use tower::{Service, ServiceExt};
use tower_http::services::ServeDir;

use crate::harness::Scenario;

const KIB: usize = 1024;
const MIB: usize = 1024 * KIB;

/// Every `static/` scenario.
pub fn scenarios() -> Vec<Scenario> {
    let dir = Rc::new(TempDir::with_files(&[
        ("1k.bin", KIB),
        ("64k.bin", 64 * KIB),
        ("1m.bin", MIB),
    ]));
    vec![
        get(&dir, "static/get-1kib", "/1k.bin", KIB, 10.0),
        get(&dir, "static/get-64kib", "/64k.bin", 64 * KIB, 3.0),
        get(&dir, "static/get-1mib", "/1m.bin", MIB, 1.5),
        not_modified(&dir, "static/304-1kib", "/1k.bin", 10.0),
    ]
}

/// A directory of generated files, removed on drop (when the last scenario
/// holding it is dropped).
struct TempDir(PathBuf);

impl TempDir {
    fn with_files(files: &[(&str, usize)]) -> TempDir {
        let path = std::env::temp_dir().join(format!(
            "tackle-peers-static-{}-{}",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.subsec_nanos())
                .unwrap_or(0)
        ));
        std::fs::create_dir_all(&path).expect("create the temporary directory");
        for &(name, len) in files {
            let content: Vec<u8> = (0..len).map(|i| (i % 251) as u8).collect();
            std::fs::write(path.join(name), content).expect("write a served file");
        }
        TempDir(path)
    }

    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The runtime each scenario uses for both sides: two workers, like a small
/// server.
fn runtime() -> Rc<Runtime> {
    Rc::new(
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("a tokio runtime"),
    )
}

/// A request for `path` with the given extra headers.
fn request(path: &str, headers: &HeaderMap) -> Request<()> {
    let mut request = Request::get(path).body(()).expect("a valid request");
    request.headers_mut().extend(headers.clone());
    request
}

/// One call: `oneshot` on a clone of `service` and the body collected, on
/// `rt`. Answers the status, the headers and the body's length.
fn call<S, B>(rt: &Runtime, service: &S, request: Request<()>) -> (StatusCode, HeaderMap, usize)
where
    S: Service<Request<()>, Response = Response<B>> + Clone,
    S::Error: std::fmt::Debug,
    B: http_body::Body<Data = Bytes>,
    B::Error: std::fmt::Debug,
{
    rt.block_on(async {
        let response = service
            .clone()
            .oneshot(request)
            .await
            .expect("a service that does not fail");
        let (parts, body) = response.into_parts();
        let body = body
            .collect()
            .await
            .expect("a body that does not fail")
            .to_bytes();
        (parts.status, parts.headers, body.len())
    })
}

fn get(dir: &Rc<TempDir>, name: &str, path: &'static str, len: usize, goal: f64) -> Scenario {
    let rt = runtime();
    let tackle = StaticFiles::new(dir.path());
    let peer = ServeDir::new(dir.path());
    let none = HeaderMap::new();
    let (status, _, got) = call(&rt, &tackle, request(path, &none));
    assert_eq!((status, got), (StatusCode::OK, len), "{name}: tackle");
    let (status, _, got) = call(&rt, &peer, request(path, &none));
    assert_eq!((status, got), (StatusCode::OK, len), "{name}: ServeDir");

    let peer_rt = rt.clone();
    let dir = dir.clone();
    let peer_headers = none.clone();
    Scenario::versus(
        name,
        move || {
            let _keep = &dir;
            call(&rt, &tackle, request(path, &none)).2
        },
        "ServeDir",
        move || call(&peer_rt, &peer, request(path, &peer_headers)).2,
        goal,
    )
}

fn not_modified(dir: &Rc<TempDir>, name: &str, path: &'static str, goal: f64) -> Scenario {
    let rt = runtime();
    let tackle = StaticFiles::new(dir.path());
    let peer = ServeDir::new(dir.path());
    let none = HeaderMap::new();

    // The validators a browser would send back: the entity tag this side
    // answered and the modification date (the same file, so the same date).
    let (_, tackle_headers, _) = call(&rt, &tackle, request(path, &none));
    let (_, peer_headers, _) = call(&rt, &peer, request(path, &none));
    assert_eq!(
        tackle_headers.get(LAST_MODIFIED),
        peer_headers.get(LAST_MODIFIED),
        "{name}: both sides date the file alike"
    );
    let revalidation = |headers: &HeaderMap| {
        let mut conditional = HeaderMap::new();
        for (from, to) in [(ETAG, IF_NONE_MATCH), (LAST_MODIFIED, IF_MODIFIED_SINCE)] {
            let value: HeaderValue = headers
                .get(&from)
                .cloned()
                .unwrap_or_else(|| panic!("{name}: no {from} in the answer"));
            conditional.insert(to, value);
        }
        conditional
    };
    let tackle_conditional = revalidation(&tackle_headers);
    let peer_conditional = revalidation(&peer_headers);

    let (status, _, got) = call(&rt, &tackle, request(path, &tackle_conditional));
    assert_eq!(
        (status, got),
        (StatusCode::NOT_MODIFIED, 0),
        "{name}: tackle"
    );
    let (status, _, got) = call(&rt, &peer, request(path, &peer_conditional));
    assert_eq!(
        (status, got),
        (StatusCode::NOT_MODIFIED, 0),
        "{name}: ServeDir"
    );

    let peer_rt = rt.clone();
    let dir = dir.clone();
    Scenario::versus(
        name,
        move || {
            let _keep = &dir;
            call(&rt, &tackle, request(path, &tackle_conditional)).0
        },
        "ServeDir",
        move || call(&peer_rt, &peer, request(path, &peer_conditional)).0,
        goal,
    )
}
