//! Log in, see a flash message, count visits: tackle-session on bare hyper.
//! `cargo run --example sessions`, then open http://127.0.0.1:8005 (or the
//! address in `TACKLE_ADDR`) in a browser, or with curl keeping cookies:
//!
//! ```text
//! curl -i -c jar -b jar localhost:8005/count                   # {"visits":0,"user":null}, no Set-Cookie
//! curl -i -c jar -b jar localhost:8005/                        # visit 1: a new session, Set-Cookie
//! curl -i -c jar -b jar localhost:8005/login -d name=Ada       # 303 to /, a new session id (rotation)
//! curl -i -c jar -b jar localhost:8005/                        # "Welcome, Ada" once, signed in, visit 2
//! curl -i -c jar -b jar localhost:8005/count                   # {"visits":2,"user":"Ada"}, no Set-Cookie
//! curl -i -c jar -b jar -X POST localhost:8005/logout          # 303, the cookie expired, the session gone
//! ```
//!
//! Sessions are kept in memory, or in Redis when `REDIS_URL` is set
//! (`REDIS_URL=redis://127.0.0.1:6379 cargo run --example sessions`): run
//! two copies on two ports against one Redis and a cookie from one works on
//! the other.
//!
//! | route | what it does with the session |
//! |---|---|
//! | `GET /` | shows and removes the flash messages, counts the visit, shows who is signed in |
//! | `POST /login` (form field `name`) | a new session id ([`Session::rotate_id`]: an id planted before login is worth nothing after), the user, a flash "Welcome, NAME" |
//! | `POST /logout` | [`Session::destroy`]: the store forgets it, the browser is told to drop the cookie |
//! | `GET /count` | the visit count and the user as JSON: a read, so no `Set-Cookie` |
//!
//! The cookie is sent without `Secure` (`.secure(false)`) only because this
//! example speaks plain HTTP on localhost, where a browser would never send
//! a `Secure` cookie back; behind HTTPS, leave the default on. The forms
//! rely on the cookie's `SameSite=Lax` (a default) against cross-site
//! posts; a real application would add a CSRF token as well.

use std::net::SocketAddr;

use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::TokioIo;
use hyper_util::service::TowerToHyperService;
use serde_json::json;
use tackle::request::response::Response;
use tackle::request::{Body, HttpError, Request, handler};
use tackle::routing::{Router, get, post};
use tackle::session::{
    Level, MemoryStore, RedisStore, Session, SessionLayer, SessionService, SessionStore,
};
use tokio::net::TcpListener;

/// The answer of every handler here.
type Reply = Result<http::Response<Body>, HttpError>;

/// The longest name accepted at login, in characters.
const MAX_NAME: usize = 64;

/// The app: the routes above behind a [`SessionLayer`] keeping sessions in
/// `store`.
pub fn app<S: SessionStore>(store: S) -> SessionService<Router<Incoming>> {
    let routes = Router::new()
        .route("/", get(handler(home)))
        .route("/login", post(handler(login)))
        .route("/logout", post(handler(logout)))
        .route("/count", get(handler(count)));
    // Plain HTTP on localhost only: see the module docs.
    tower::Layer::layer(&SessionLayer::new(store).secure(false), routes)
}

/// The request's session; the layer always puts one there.
fn session(request: &Request<Incoming>) -> Result<Session, HttpError> {
    request
        .extensions()
        .get::<Session>()
        .cloned()
        .ok_or_else(HttpError::internal_server_error)
}

/// `GET /`: the flash messages (shown once), the visit count (one more),
/// who is signed in, and the login or logout form.
async fn home(request: Request<Incoming>) -> Reply {
    let session = session(&request)?;
    let flashes = session.take_flashes().await?;
    let visits: u64 = session.get("visits").await?.unwrap_or(0) + 1;
    session.insert("visits", &visits).await?;
    let user: Option<String> = session.get("user").await?;

    let mut page = String::from("<!doctype html>\n<title>Sessions</title>\n");
    for flash in &flashes {
        page += &format!(
            "<p class=\"flash {}\">{}</p>\n",
            flash.level.as_str(),
            escape(&flash.message)
        );
    }
    page += &format!("<p>Visit {visits} of this session.</p>\n");
    match user {
        Some(user) => {
            page += &format!("<p>Signed in as <b>{}</b>.</p>\n", escape(&user));
            page += "<form method=\"post\" action=\"/logout\"><button>Log out</button></form>\n";
        }
        None => {
            page += "<form method=\"post\" action=\"/login\">\n";
            page += "<input name=\"name\" placeholder=\"Your name\" required> <button>Log in</button>\n";
            page += "</form>\n";
        }
    }
    Ok(Response::html(page))
}

/// `POST /login` with a form field `name`: rotates the session id, stores
/// the user and flashes a welcome, then sends the browser back to `/`.
async fn login(mut request: Request<Incoming>) -> Reply {
    let session = session(&request)?;
    let form = request.form().await?;
    let name = form
        .fields
        .get("name")
        .map(|name| name.trim())
        .unwrap_or("");
    if name.is_empty() || name.chars().count() > MAX_NAME {
        return Err(HttpError::bad_request(format!(
            "form field \"name\" must be 1 to {MAX_NAME} characters"
        )));
    }
    // New privileges, new id: the old one is deleted from the store when
    // the response goes out.
    session.rotate_id().await?;
    session.insert("user", name).await?;
    session
        .flash(Level::Success, format!("Welcome, {name}"))
        .await?;
    see_home()
}

/// `POST /logout`: ends the session.
async fn logout(request: Request<Incoming>) -> Reply {
    session(&request)?.destroy().await?;
    see_home()
}

/// `GET /count`: `{"visits": n, "user": name or null}`. Only reads, so it
/// sends no `Set-Cookie`, and creates no session for a client without one.
async fn count(request: Request<Incoming>) -> Reply {
    let session = session(&request)?;
    let visits: u64 = session.get("visits").await?.unwrap_or(0);
    let user: Option<String> = session.get("user").await?;
    Ok(Response::json(&json!({ "visits": visits, "user": user })))
}

/// 303 See Other to `/`, as after any form post.
fn see_home() -> Reply {
    Response::redirect("/").map_err(|_| HttpError::internal_server_error())
}

/// `text` safe to put in HTML text or a quoted attribute.
fn escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&#39;"),
            c => escaped.push(c),
        }
    }
    escaped
}

/// Serves `app` over HTTP/1.1 on every connection `listener` accepts.
pub async fn serve(
    listener: TcpListener,
    app: SessionService<Router<Incoming>>,
) -> std::io::Result<()> {
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
        .unwrap_or_else(|_| "127.0.0.1:8005".to_string())
        .parse()
        .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, e))?;
    let listener = TcpListener::bind(addr).await?;
    let base = format!("http://{}", listener.local_addr()?);
    match std::env::var("REDIS_URL") {
        Ok(url) => {
            let store = RedisStore::open(&url)
                .await
                .map_err(std::io::Error::other)?;
            println!("sessions in Redis; open {base}");
            serve(listener, app(store)).await
        }
        Err(_) => {
            println!("sessions in memory (set REDIS_URL for Redis); open {base}");
            serve(listener, app(MemoryStore::new())).await
        }
    }
}
