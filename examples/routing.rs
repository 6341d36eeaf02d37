//! A small notes service routed by [`tackle::routing::Router`] on bare
//! hyper: `cargo run --example routing`, then try
//! http://127.0.0.1:8002 (or the address in `TACKLE_ADDR`):
//!
//! ```text
//! curl localhost:8002/notes                        # the list, each note with its URL
//! curl localhost:8002/notes/1                      # one note; /notes/abc and /notes/99 are 404
//! curl -d text=Hello localhost:8002/notes -i       # 201 Created, Location: http://localhost:8002/notes/3
//! curl -H 'content-type: application/json' -d '{"text":"Hi"}' localhost:8002/notes
//! curl -X PUT localhost:8002/notes/1 -i            # 405, Allow: GET, HEAD, DELETE, OPTIONS
//! curl 'localhost:8002/notes/?q=milk' -i           # 308 to /notes?q=milk
//! curl localhost:8002/de/about                     # {lang:any(en,de)}; /fr/about is 404
//! curl localhost:8002/admin/stats                  # a Router mounted at /admin
//! curl localhost:8002/health                       # a plain tower service mounted at /health
//! ```
//!
//! Every link in a response is built with `url_for` from a route's name,
//! so the paths are written once, in [`app`].

use std::collections::BTreeMap;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, PoisonError};

use http::header::LOCATION;
use http::{HeaderValue, StatusCode};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::TokioIo;
use hyper_util::service::TowerToHyperService;
use serde_json::{Value, json};
use tackle::request::response::Response;
use tackle::request::{Body, Handler, HttpError, Request, ResponseExt, handler};
use tackle::routing::{Router, get};
use tokio::net::TcpListener;

/// The answer of every handler here.
type Reply = Result<http::Response<Body>, HttpError>;

/// The notes, shared by every request: ids count up from 1 and are never
/// reused.
#[derive(Clone, Debug, Default)]
pub struct Notes(Arc<Mutex<Store>>);

#[derive(Debug, Default)]
struct Store {
    last_id: u64,
    texts: BTreeMap<u64, String>,
}

impl Notes {
    /// A store holding `texts`, numbered from 1.
    pub fn with<'a>(texts: impl IntoIterator<Item = &'a str>) -> Notes {
        let notes = Notes::default();
        for text in texts {
            notes.add(text.to_owned());
        }
        notes
    }

    // A poisoned lock only means a handler panicked mid-update; the map is
    // still a valid map, so keep serving.
    fn store(&self) -> std::sync::MutexGuard<'_, Store> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn add(&self, text: String) -> u64 {
        let mut store = self.store();
        store.last_id += 1;
        let id = store.last_id;
        store.texts.insert(id, text);
        id
    }

    fn get(&self, id: u64) -> Option<String> {
        self.store().texts.get(&id).cloned()
    }

    fn remove(&self, id: u64) -> bool {
        self.store().texts.remove(&id).is_some()
    }

    /// The notes containing `query` (all of them for `""`), by id.
    fn search(&self, query: &str) -> Vec<(u64, String)> {
        let store = self.store();
        let found = store.texts.iter().filter(|(_, text)| text.contains(query));
        found.map(|(id, text)| (*id, text.clone())).collect()
    }

    fn len(&self) -> usize {
        self.store().texts.len()
    }
}

/// The app. Route names, not paths, are what handlers link to:
///
/// | route | methods | name |
/// |---|---|---|
/// | `/` | `GET` | `index` |
/// | `/notes` | `GET` (`?q=` filters), `POST` (form or JSON) | `note.list` |
/// | `/notes/{id:uint}` | `GET`, `DELETE` | `note.show` |
/// | `/{lang:any(en,de)}/about` | `GET` | `about` |
/// | `/admin/...` | a mounted [`Router`]: `/admin/stats` | `admin.stats` |
/// | `/health/...` | a mounted tower service, every method and path | |
///
/// The router adds `HEAD` for each `GET`, answers `OPTIONS`, says `405`
/// with `Allow` for other methods, redirects `/notes/` to `/notes` (`308`,
/// query kept) and `//notes` to `/notes`, and `404`s the rest.
pub fn app(notes: Notes) -> Router<Incoming> {
    // A router mounted as it is: its route names are known to the parent
    // with the prefix (`admin.stats` is `/admin/stats`), and its handlers
    // can link to the parent's routes.
    let admin = Router::new().route("/stats", get(with_notes(&notes, stats)).name("admin.stats"));
    // Any tower service can be mounted; it sees the path below the prefix
    // and answers everything under it itself.
    let health =
        handler(|_: Request<Incoming>| async { Ok::<_, HttpError>(Response::text("ok\n")) });

    Router::new()
        .route("/", get(handler(index)).name("index"))
        .route(
            "/notes",
            get(with_notes(&notes, list))
                .post(with_notes(&notes, create))
                .name("note.list"),
        )
        .route(
            "/notes/{id:uint}",
            get(with_notes(&notes, show))
                .delete(with_notes(&notes, remove))
                .name("note.show"),
        )
        .route(
            "/{lang:any(en,de)}/about",
            get(handler(about)).name("about"),
        )
        .mount("/admin", admin)
        .mount("/health", health)
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

/// `GET /`: where everything is.
async fn index(request: Request<Incoming>) -> Reply {
    Ok(Response::json(&json!({
        "notes": request.url_for("note.list", &[])?,
        "search": request.url_for("note.list", &[("q", "milk")])?,
        "about": request.url_for("about", &[("lang", "en")])?,
        "stats": request.url_for("admin.stats", &[])?,
    })))
}

/// `GET /notes?q=word`: the notes containing `word`, each with its URL.
async fn list(notes: Notes, request: Request<Incoming>) -> Reply {
    let query = request.args().get("q").map_or("", String::as_str);
    let found = notes.search(query);
    let found: Result<Vec<Value>, HttpError> = found
        .into_iter()
        .map(|(id, text)| note_json(&request, id, &text))
        .collect();
    Ok(Response::json(&json!({ "notes": found? })))
}

/// `POST /notes` with `text` in a form (urlencoded or multipart) or in a
/// JSON object: `201 Created`, the new note's absolute URL in `Location`.
async fn create(notes: Notes, mut request: Request<Incoming>) -> Reply {
    let text = if request.is_json() {
        let body = request.json().await?;
        body.get("text").and_then(Value::as_str).map(str::to_owned)
    } else {
        request.form().await?.fields.get("text").cloned()
    };
    let text = text
        .filter(|text| !text.trim().is_empty())
        .ok_or_else(|| HttpError::bad_request("a note needs a non-empty \"text\""))?;
    let id = notes.add(text.clone());
    let location = request.external_url_for("note.show", &[("id", &id.to_string())])?;
    // A URL the router built from a validated host is a valid header value.
    let location =
        HeaderValue::try_from(location).map_err(|_| HttpError::internal_server_error())?;
    Ok(Response::json(&note_json(&request, id, &text)?)
        .with_status(StatusCode::CREATED)
        .with_header(LOCATION, location))
}

/// `GET /notes/{id:uint}`: one note, or 404 when there is no such id.
async fn show(notes: Notes, request: Request<Incoming>) -> Reply {
    let id = note_id(&request)?;
    let text = notes.get(id).ok_or_else(HttpError::not_found)?;
    let mut note = note_json(&request, id, &text)?;
    note["list"] = request.url_for("note.list", &[])?.into();
    Ok(Response::json(&note))
}

/// `DELETE /notes/{id:uint}`: `204 No Content`, or 404.
async fn remove(notes: Notes, request: Request<Incoming>) -> Reply {
    if notes.remove(note_id(&request)?) {
        Ok(Response::empty(StatusCode::NO_CONTENT))
    } else {
        Err(HttpError::not_found())
    }
}

/// `GET /{lang:any(en,de)}/about`: a line in the language, and a link to
/// the other one.
async fn about(request: Request<Incoming>) -> Reply {
    let params = request.path_params().ok_or_else(HttpError::not_found)?;
    let (text, other) = match params.get_str("lang") {
        Some("de") => ("Notizen, geroutet von tackle-routing.", "en"),
        _ => ("Notes, routed by tackle-routing.", "de"),
    };
    let other_url = request.url_for("about", &[("lang", other)])?;
    Ok(Response::text(format!("{text}\n{other}: {other_url}\n")))
}

/// `GET /admin/stats`, in the mounted router: what the mount did to the
/// request, and a link back to the parent's routes.
async fn stats(notes: Notes, request: Request<Incoming>) -> Reply {
    let prefix = request.mount_prefix().map(|prefix| prefix.as_str());
    Ok(Response::json(&json!({
        "notes": notes.len(),
        "path": request.path(),
        "original_path": request.original_uri().path(),
        "mount_prefix": prefix,
        "list": request.url_for("note.list", &[])?,
        "self": request.url_for("admin.stats", &[])?,
    })))
}

/// The `id` the route captured; its `uint` converter already refused
/// anything but digits fitting a `u64`.
fn note_id(request: &Request<Incoming>) -> Result<u64, HttpError> {
    let params = request.path_params().ok_or_else(HttpError::not_found)?;
    Ok(params.get("id")?)
}

fn note_json(request: &Request<Incoming>, id: u64, text: &str) -> Result<Value, HttpError> {
    let url = request.url_for("note.show", &[("id", &id.to_string())])?;
    Ok(json!({ "id": id, "text": text, "url": url }))
}

/// Serves `app` over HTTP/1.1 on every connection `listener` accepts.
pub async fn serve(listener: TcpListener, app: Router<Incoming>) -> std::io::Result<()> {
    // The router is a tower service; hyper takes its own kind of service.
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
        .unwrap_or_else(|_| "127.0.0.1:8002".to_string())
        .parse()
        .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, e))?;
    let listener = TcpListener::bind(addr).await?;
    println!("notes on http://{}", listener.local_addr()?);
    let notes = Notes::with(["Buy milk", "Call Ada about the router"]);
    serve(listener, app(notes)).await
}
