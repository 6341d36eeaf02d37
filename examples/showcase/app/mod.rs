//! The showcase app: a file drop with notes, as one tackle-routing
//! [`Router`] behind a [`SessionLayer`].
//!
//! | route | name | what it does |
//! |---|---|---|
//! | `GET /` | `home` | the home page: the crates, links to the rest |
//! | `GET`, `POST /login` | `login` | the login form; log in (see [`auth`]) |
//! | `POST /logout` | `logout` | log out |
//! | `GET /files` | `files` | the uploaded files, newest first, and the upload form when logged in |
//! | `POST /files` | `files` | upload a file with a note (multipart; logged in, else a redirect to the login page) |
//! | `GET /files/{id:fileid}/download` | `file.download` | the file, with ranges and validators, as an attachment |
//! | `POST /upload` | `upload` | the parsed form as JSON, nothing stored (see [`echo`]) |
//! | `GET /session` | `session` | `{"count": N}`, one more per call in this session |
//! | `GET /hello` | `hello` | `Hello, world!` in plain text: the benchmark's route |
//! | `GET /boom`, `GET /fail` | | a panic, and a 500 with its cause attached (see [`errors`]) |
//! | `GET /static/{*path}` | | the stylesheet and script (see [`assets`]) |
//!
//! The HTML pages (home, login, files) go through tackle-cache's stack,
//! outermost first: [`ConditionalLayer`] (304 when `If-None-Match` matches),
//! [`ETagLayer`] (a strong hash of the page), and
//! [`CacheControlLayer::recommended`] (`private, no-cache` for HTML: a
//! browser may keep a page, but asks each time, and gets 304 when nothing
//! changed). The stack wraps those routes only (`route_layer`), so `/hello`
//! and the JSON routes pay nothing for it, and a `HEAD` gets the `GET`'s tag.
//!
//! The app is generic over the request body, so the same routes serve
//! hyper's `Incoming` in production and the debugger's `RequestBody` in
//! development.

pub mod assets;
pub mod auth;
pub mod config;
pub mod echo;
pub mod errors;
pub mod files;
pub mod pages;

use std::path::Path;

use bytes::Bytes;
use http::StatusCode;
use tackle::cache::{CacheControlLayer, ConditionalLayer, ETagLayer};
use tackle::request::response::Response;
use tackle::request::{BoxError, HttpError, Request, handler};
use tackle::routing::{Router, get, post};
use tackle::session::{Level, Session, SessionLayer, SessionService, SessionStore};
use tackle::static_files::SendFile;
use tower::{Layer, ServiceBuilder};

use files::{FileIdConverter, FileStore};
use pages::{Frame, Links};

/// The answer of every handler here.
pub type Reply = Result<http::Response<tackle::request::Body>, HttpError>;

/// A request body the app can read: what hyper gives in production, and what
/// the debugger gives in development.
pub trait Body:
    http_body::Body<Data = Bytes, Error: Into<BoxError>> + Send + Unpin + 'static
{
}

impl<B> Body for B where
    B: http_body::Body<Data = Bytes, Error: Into<BoxError>> + Send + Unpin + 'static
{
}

/// The longest note kept with a file, in characters.
const MAX_NOTE: usize = 1000;

/// The routes above behind the session layer. `secure_cookies` sets the
/// cookie's `Secure` attribute: on behind HTTPS, off for plain HTTP on
/// localhost, where a browser would not send a `Secure` cookie back.
pub fn app<B: Body, S: SessionStore>(
    store: S,
    secure_cookies: bool,
    files: FileStore,
    static_dir: Option<&Path>,
) -> SessionService<Router<B>> {
    SessionLayer::new(store)
        .secure(secure_cookies)
        .layer(routes(files, static_dir))
}

/// The router (see the module docs).
pub fn routes<B: Body>(files: FileStore, static_dir: Option<&Path>) -> Router<B> {
    let cached_pages = ServiceBuilder::new()
        .layer(ConditionalLayer::new())
        .layer(ETagLayer::new())
        .layer(CacheControlLayer::recommended());
    let (list, upload, download) = (files.clone(), files.clone(), files);

    Router::new()
        .converter("fileid", |_args| Ok(FileIdConverter))
        .route("/", get(handler(home)).name("home"))
        .route(
            "/login",
            get(handler(auth::login_form))
                .post(handler(auth::login))
                .name("login"),
        )
        .route(
            "/files",
            get(handler(move |request| files_page(list.clone(), request)))
                .post(handler(move |request| upload_file(upload.clone(), request)))
                .name("files"),
        )
        .route_layer(cached_pages)
        .route("/logout", post(handler(auth::logout)).name("logout"))
        .route(
            "/files/{id:fileid}/download",
            get(handler(move |request| {
                download_file(download.clone(), request)
            }))
            .name("file.download"),
        )
        .route("/upload", post(handler(echo::upload)).name("upload"))
        .route("/session", get(handler(count)).name("session"))
        .route("/hello", get(handler(hello)).name("hello"))
        .route("/boom", get(handler(errors::boom)).name("boom"))
        .route("/fail", get(handler(errors::fail)).name("fail"))
        .mount(assets::PREFIX, assets::service(static_dir))
}

/// The request's session; the layer always puts one there.
pub fn session_of<B>(request: &Request<B>) -> Result<Session, HttpError> {
    Session::from_request(request)
        .cloned()
        .ok_or_else(HttpError::internal_server_error)
}

/// The URL of the route named `name`.
fn url_for<B>(
    request: &Request<B>,
    name: &str,
    params: &[(&str, &str)],
) -> Result<String, HttpError> {
    request.url_for(name, params).map_err(|error| {
        tracing::error!(%error, name, "a route name the router does not know");
        HttpError::internal_server_error()
    })
}

/// The links every page needs. Built before any `.await`: a handler's
/// future keeps no borrow of the request across one, so it stays `Send`.
pub fn links<B>(request: &Request<B>) -> Result<Links, HttpError> {
    Ok(Links {
        home: url_for(request, "home", &[])?,
        files: url_for(request, "files", &[])?,
        login: url_for(request, "login", &[])?,
        logout: url_for(request, "logout", &[])?,
        session: url_for(request, "session", &[])?,
        hello: url_for(request, "hello", &[])?,
    })
}

/// Renders a page in its frame: the signed-in user, and the flash messages,
/// which are shown (and so removed) now.
pub async fn render_frame(
    session: &Session,
    links: &Links,
    render: impl FnOnce(&Frame<'_>) -> String,
) -> Result<String, HttpError> {
    let user = auth::current_user(session).await?;
    let flashes = session.take_flashes().await?;
    Ok(render(&Frame {
        links,
        user: user.as_deref(),
        flashes: &flashes,
    }))
}

/// 303 See Other to `location`, as after any form post.
pub fn redirect_to(location: &str) -> Reply {
    Response::redirect(location).map_err(|_| HttpError::internal_server_error())
}

/// `GET /`.
async fn home<B>(request: Request<B>) -> Reply {
    let session = session_of(&request)?;
    let links = links(&request)?;
    Ok(Response::html(
        render_frame(&session, &links, pages::home).await?,
    ))
}

/// `GET /files`.
async fn files_page<B>(store: FileStore, request: Request<B>) -> Reply {
    let session = session_of(&request)?;
    let links = links(&request)?;
    // Every download link from the router, by name (the id is known to
    // fit the converter). The builder is taken out of the request so that
    // no borrow of the request lives across the `.await` below.
    let builder = request
        .url_builder()
        .cloned()
        .ok_or_else(HttpError::internal_server_error)?;
    drop(request);
    let download = |id: &str| {
        builder
            .url_for("file.download", &[("id", id)])
            .unwrap_or_default()
    };
    let list = store
        .list()
        .await
        .map_err(internal("listing the uploads"))?;
    let page = render_frame(&session, &links, |frame| {
        pages::files(frame, &list, download)
    })
    .await?;
    Ok(Response::html(page))
}

/// `POST /files` (multipart: `file`, `note`): keeps the file, then back to
/// the list. Needs a login: without one, the login page and a flash.
async fn upload_file<B: Body>(store: FileStore, mut request: Request<B>) -> Reply {
    let session = session_of(&request)?;
    let links = links(&request)?;
    let Some(user) = auth::current_user(&session).await? else {
        session
            .flash(Level::Warning, "Log in to upload files.")
            .await?;
        return redirect_to(&links.login);
    };
    let mut form = request.form().await?;
    let Some(upload) = form
        .files
        .remove("file")
        .into_iter()
        .find(|file| file.filename().is_some_and(|name| !name.is_empty()))
    else {
        session
            .flash(Level::Error, "Choose a file to upload.")
            .await?;
        return redirect_to(&links.files);
    };
    let note: String = form
        .fields
        .get("note")
        .map_or("", |note| note.trim())
        .chars()
        .take(MAX_NOTE)
        .collect();
    let stored = store
        .save(upload, note, user)
        .await
        .map_err(internal("saving an upload"))?;
    tracing::info!(id = %stored.id, size = stored.size, "file uploaded");
    session
        .flash(Level::Success, format!("Uploaded {}.", stored.filename))
        .await?;
    redirect_to(&links.files)
}

/// `GET /files/{id}/download`: tackle-static's [`SendFile`] does ranges,
/// `ETag`, `Last-Modified` and conditional requests, and writes
/// `Content-Disposition: attachment` with the name escaped (and
/// `filename*` when it is not ASCII).
async fn download_file<B>(store: FileStore, request: Request<B>) -> Reply {
    let id = request
        .path_params()
        .and_then(|params| params.get_str("id"))
        .unwrap_or_default()
        .to_owned();
    // `SendFile` only needs the head; the body stays behind, so the future
    // holds nothing that is not `Sync`.
    let (head, _body) = request.into_inner().into_parts();
    let head = http::Request::from_parts(head, ());
    let Some((file, path)) = store
        .get(&id)
        .await
        .map_err(internal("reading an upload"))?
    else {
        return Err(HttpError::not_found());
    };
    let name = if file.filename.is_empty() {
        "download"
    } else {
        &file.filename
    };
    let response = SendFile::new(path)
        .download_as(name)
        // Uploads have no precompressed siblings: skip looking for them.
        .precompressed(false)
        .send(&head)
        .await;
    Ok(response.map(tackle::request::Body::new))
}

/// `GET /session`: `{"count": N}`, counting calls per session.
async fn count<B>(request: Request<B>) -> Reply {
    let session = session_of(&request)?;
    let count: u64 = session.get("count").await?.unwrap_or(0) + 1;
    session.insert("count", &count).await?;
    Ok(Response::json(&serde_json::json!({ "count": count })))
}

/// `GET /hello`: the cheapest answer, for the end-to-end benchmark.
async fn hello<B>(_request: Request<B>) -> Reply {
    Ok(Response::text("Hello, world!\n"))
}

/// Logs `error` while doing `what`, and answers a plain 500: the details
/// are for the log, not the client.
fn internal<E: std::fmt::Display>(what: &'static str) -> impl FnOnce(E) -> HttpError {
    move |error| {
        tracing::error!(%error, "{what} failed");
        HttpError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "the server could not do that; try again",
        )
    }
}
