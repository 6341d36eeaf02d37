//! Notes with conditional requests, hash ETags, compression and
//! `Cache-Control`, on bare hyper: `cargo run --example cache`, then try
//! http://127.0.0.1:8003 (or the address in `TACKLE_ADDR`):
//!
//! ```text
//! curl -i localhost:8003/notes/1                                   # 200, ETag: "1" (the note's version)
//! curl -i localhost:8003/notes/1 -H 'If-None-Match: "1"'           # 304, no body, Cache-Control kept
//! curl -i -X PUT localhost:8003/notes/1 -H 'If-Match: "1"' -d 'Buy oat milk'   # 200, ETag: "2"
//! curl -i -X PUT localhost:8003/notes/1 -H 'If-Match: "1"' -d 'Buy soy milk'   # 412: it changed since
//! curl -i -X PUT localhost:8003/notes/1 -d 'Buy any milk'          # 428: say which version you change
//! curl -i localhost:8003/report                                    # text, ETag: a hash of the bytes
//! curl -i --compressed localhost:8003/report                       # gzip, another strong ETag
//! curl -i localhost:8003/report -H 'Range: bytes=0-99'             # 206, the first 100 bytes
//! curl -I localhost:8003/report                                    # HEAD: the GET's headers, no body
//! ```
//!
//! Every route goes through the stack tackle-cache recommends, outermost
//! first:
//!
//! 1. [`ConditionalLayer`]: 304/412/206/416 for responses that carry their
//!    own validators, and `If-Match` checked *before* a `PUT` reaches its
//!    handler, against the note's current version (a lookup);
//! 2. [`ETagLayer`]: a strong hash `ETag` for the responses that have none
//!    (the report), computed over the bytes actually sent;
//! 3. tower-http's `CompressionLayer`: gzip, inside the `ETagLayer` so
//!    that each content coding gets its own tag and ranges cut the bytes
//!    sent;
//! 4. [`CacheControlLayer::recommended`] with two rules of ours, inside the
//!    conditional layers so that a 304 repeats the 200's `Cache-Control`;
//! 5. the handlers.
//!
//! The stack wraps the routes (`Router::route_layer`) rather than the
//! router, so that a `HEAD` passes through it as the `GET` it is answered
//! by, and gets the same `ETag` and `Content-Length`.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, PoisonError};

use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::TokioIo;
use hyper_util::service::TowerToHyperService;
use serde_json::{Value, json};
use tackle::cache::{CacheControlLayer, ConditionalLayer, ETagLayer, Policy, Rule};
use tackle::http::{EntityTag, Validators};
use tackle::request::extensions::PathParams;
use tackle::request::response::Response;
use tackle::request::{Body, Handler, HttpError, Request, ResponseExt, handler};
use tackle::routing::{Router, get};
use tokio::net::TcpListener;
use tower::ServiceBuilder;
use tower_http::compression::CompressionLayer;
use tower_http::compression::predicate::{DefaultPredicate, NotForContentType, Predicate};

/// The answer of every handler here.
type Reply = Result<http::Response<Body>, HttpError>;

/// The notes, shared by every request. Each has a version, counting up
/// from 1 with every change: it is the note's `ETag`.
#[derive(Clone, Debug, Default)]
pub struct Notes(Arc<Mutex<Store>>);

#[derive(Debug, Default)]
struct Store {
    notes: BTreeMap<u64, Note>,
    edits: u64,
}

#[derive(Clone, Debug)]
struct Note {
    text: String,
    version: u64,
}

/// Why an update was refused.
enum Refused {
    Missing,
    Changed,
}

impl Notes {
    /// A store holding `texts` at version 1, numbered from 1.
    pub fn with<'a>(texts: impl IntoIterator<Item = &'a str>) -> Notes {
        let notes = Notes::default();
        {
            let mut store = notes.store();
            for (i, text) in texts.into_iter().enumerate() {
                let note = Note {
                    text: text.to_owned(),
                    version: 1,
                };
                store.notes.insert(i as u64 + 1, note);
            }
        }
        notes
    }

    // A poisoned lock only means a handler panicked mid-update; the map is
    // still a valid map, so keep serving.
    fn store(&self) -> std::sync::MutexGuard<'_, Store> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn get(&self, id: u64) -> Option<Note> {
        self.store().notes.get(&id).cloned()
    }

    fn version(&self, id: u64) -> Option<u64> {
        self.store().notes.get(&id).map(|note| note.version)
    }

    /// Replaces the text of note `id` when `expected` accepts its current
    /// version, checked and written under one lock: the layer's check comes
    /// before the handler runs, so two writers racing past it are told
    /// apart here.
    fn update(
        &self,
        id: u64,
        text: String,
        expected: impl FnOnce(u64) -> bool,
    ) -> Result<u64, Refused> {
        let mut store = self.store();
        let note = store.notes.get_mut(&id).ok_or(Refused::Missing)?;
        if !expected(note.version) {
            return Err(Refused::Changed);
        }
        note.version += 1;
        note.text = text;
        let version = note.version;
        store.edits += 1;
        Ok(version)
    }
}

/// The entity tag of a note version: `"3"`.
fn version_tag(version: u64) -> EntityTag {
    EntityTag::strong(version.to_string()).expect("digits are a valid entity tag")
}

/// The app:
///
/// | route | methods | validators | `Cache-Control` |
/// |---|---|---|---|
/// | `/notes/{id:uint}` | `GET` (JSON), `PUT` (`If-Match` required) | `ETag` = the version | `private, no-cache` |
/// | `/report` | `GET` (plain text, about 2 KiB) | `ETag` = hash of the bytes sent | `public, max-age=60` |
pub fn app(notes: Notes) -> Router<Incoming> {
    // The current version of the note a PUT targets, looked up before the
    // handler runs: `None` (no such note) fails any `If-Match`.
    let lookup_notes = notes.clone();
    let lookup = move |request: &http::Request<Incoming>| {
        let version = PathParams::from_request(request)
            .and_then(|params| params.get::<u64>("id").ok())
            .and_then(|id| lookup_notes.version(id));
        std::future::ready(version.map(|version| Validators {
            etag: Some(version_tag(version)),
            last_modified: None,
        }))
    };

    // Notes are small and their version tag is what `If-Match` sends back:
    // compressed, the tag would come out weak (it no longer names the
    // bytes sent), and `If-Match` compares strongly, so no PUT would ever
    // pass. JSON stays uncompressed.
    let compress = DefaultPredicate::new().and(NotForContentType::const_new("application/json"));

    let stack = ServiceBuilder::new()
        .layer(
            ConditionalLayer::new()
                .validators(lookup)
                .require_precondition(true),
        )
        .layer(ETagLayer::new())
        .layer(CompressionLayer::new().gzip(true).compress_when(compress))
        .layer(
            CacheControlLayer::recommended()
                .rule(
                    Rule::path("/notes/*"),
                    Policy::parse("private, no-cache").expect("a valid Cache-Control"),
                )
                .rule(
                    Rule::path("/report").and(Rule::success()),
                    Policy::parse("public, max-age=60").expect("a valid Cache-Control"),
                ),
        );

    Router::new()
        .route(
            "/notes/{id:uint}",
            get(with_notes(&notes, show))
                .put(with_notes(&notes, update))
                .name("note.show"),
        )
        .route("/report", get(with_notes(&notes, report)).name("report"))
        .route_layer(stack)
}

/// `f` as a tower service that is handed the shared notes with each request.
fn with_notes<F, Fut>(
    notes: &Notes,
    f: F,
) -> Handler<impl Fn(Request<Incoming>) -> Fut + Clone + Send + Sync + 'static>
where
    F: Fn(Notes, Request<Incoming>) -> Fut + Clone + Send + Sync + 'static,
    Fut: Future<Output = Reply>,
{
    let notes = notes.clone();
    handler(move |request| f(notes.clone(), request))
}

/// `GET /notes/{id:uint}`: the note as JSON, its version as the `ETag`.
async fn show(notes: Notes, request: Request<Incoming>) -> Reply {
    let id = note_id(&request)?;
    let note = notes.get(id).ok_or_else(HttpError::not_found)?;
    Ok(
        Response::json(&json!({ "id": id, "text": note.text, "version": note.version }))
            .with_etag(&version_tag(note.version)),
    )
}

/// `PUT /notes/{id:uint}` with the new text (plain, form-encoded by curl
/// `-d`, or `{"text": ...}` as JSON) and `If-Match` naming the version it
/// changes. The conditional layer already answered 428 to a PUT without
/// `If-Match` and 412 to a stale one; this checks again while writing.
async fn update(notes: Notes, mut request: Request<Incoming>) -> Reply {
    let id = note_id(&request)?;
    let if_match = request.if_match();
    let text = if request.is_json() {
        let body = request.json().await?;
        body.get("text").and_then(Value::as_str).map(str::to_owned)
    } else {
        Some(request.text().await?)
    };
    let text = text
        .filter(|text| !text.trim().is_empty())
        .ok_or_else(|| HttpError::bad_request("a note needs a non-empty text"))?;
    let expected = |current: u64| match &if_match {
        None => true,
        Some(Ok(if_match)) => if_match.precondition_passes(&version_tag(current)),
        Some(Err(_)) => false,
    };
    match notes.update(id, text.clone(), expected) {
        Ok(version) => Ok(
            Response::json(&json!({ "id": id, "text": text, "version": version }))
                .with_etag(&version_tag(version)),
        ),
        Err(Refused::Missing) => Err(HttpError::not_found()),
        Err(Refused::Changed) => Err(HttpError::precondition_failed()),
    }
}

/// `GET /report`: a plain-text report built on every request, the kind of
/// dynamic page whose `ETag` is best a hash of what is sent. It changes
/// whenever a note does.
async fn report(notes: Notes, _request: Request<Incoming>) -> Reply {
    let store = notes.store();
    let mut text = String::new();
    let _ = writeln!(
        text,
        "Notes report: {} notes, {} edits\n",
        store.notes.len(),
        store.edits
    );
    let _ = writeln!(text, "   id  version  chars  text");
    for (id, note) in &store.notes {
        let chars = note.text.chars().count();
        let _ = writeln!(
            text,
            "{id:>5}  {:>7}  {chars:>5}  {}",
            note.version, note.text
        );
    }
    // A long tail, as real reports have: every note once per hour of a day.
    let _ = writeln!(text, "\nhour  id  version  text");
    for hour in 0..24 {
        for (id, note) in &store.notes {
            let _ = writeln!(
                text,
                "{hour:02}:00  {id:>2}  {:>7}  {}",
                note.version, note.text
            );
        }
    }
    Ok(Response::text(text))
}

/// The `id` the route captured; its `uint` converter already refused
/// anything but digits fitting a `u64`.
fn note_id(request: &Request<Incoming>) -> Result<u64, HttpError> {
    let params = request.path_params().ok_or_else(HttpError::not_found)?;
    Ok(params.get("id")?)
}

/// Serves `app` over HTTP/1.1 on every connection `listener` accepts.
pub async fn serve(listener: TcpListener, app: Router<Incoming>) -> std::io::Result<()> {
    let service = TowerToHyperService::new(app);
    loop {
        let (stream, _peer) = listener.accept().await?;
        let service = service.clone();
        tokio::spawn(async move {
            if let Err(e) = http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await
            {
                eprintln!("connection error: {e}");
            }
        });
    }
}

#[allow(dead_code)] // The socket test includes this file for `app` and `serve`.
#[tokio::main]
async fn main() -> std::io::Result<()> {
    let addr: SocketAddr = std::env::var("TACKLE_ADDR")
        .unwrap_or_else(|_| "127.0.0.1:8003".to_string())
        .parse()
        .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, e))?;
    let listener = TcpListener::bind(addr).await?;
    let base = format!("http://{}", listener.local_addr()?);
    println!("notes on {base}; try:");
    for line in [
        format!("curl -i {base}/notes/1"),
        format!("curl -i {base}/notes/1 -H 'If-None-Match: \"1\"'"),
        format!("curl -i -X PUT {base}/notes/1 -H 'If-Match: \"1\"' -d 'Buy oat milk'"),
        format!("curl -i -X PUT {base}/notes/1 -H 'If-Match: \"1\"' -d 'Buy soy milk'"),
        format!("curl -i -X PUT {base}/notes/1 -d 'Buy any milk'"),
        format!("curl -i {base}/report"),
        format!("curl -i --compressed {base}/report"),
        format!("curl -i {base}/report -H 'Range: bytes=0-99'"),
        format!("curl -I {base}/report"),
    ] {
        println!("  {line}");
    }
    let notes = Notes::with(["Buy milk", "Call Ada about the cache"]);
    serve(listener, app(notes)).await
}
