//! What the layer tests share: a store wrapper that counts the calls the
//! layer makes and fails on demand, a clock the test moves, a handler with
//! one route per session operation, and a way to send one request and read
//! what came back.
#![allow(dead_code)] // Each test file uses its own share of these.

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use http::header::{COOKIE, SET_COOKIE};
use http::{HeaderMap, Request, Response, StatusCode};
use http_body_util::{BodyExt, Full};
use serde::{Deserialize, Serialize};
use tackle_request::{Handler, HttpError};
use tackle_session::store::cookie::Seal;
use tackle_session::{
    Changes, Clock, Level, MemoryStore, Record, Session, SessionError, SessionId, SessionLayer,
    SessionService, SessionStore, StoreError,
};
use tower::{Layer, Service, ServiceExt};

/// The calls a [`TestStore`] saw.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Calls {
    pub load: usize,
    pub create: usize,
    pub save: usize,
    pub delete: usize,
}

impl Calls {
    pub const NONE: Calls = Calls {
        load: 0,
        create: 0,
        save: 0,
        delete: 0,
    };

    /// Every call that writes.
    pub fn writes(&self) -> usize {
        self.create + self.save + self.delete
    }
}

#[derive(Default)]
struct Counters {
    load: AtomicUsize,
    create: AtomicUsize,
    save: AtomicUsize,
    delete: AtomicUsize,
}

#[derive(Default)]
struct Switches {
    load: AtomicBool,
    create: AtomicBool,
    save: AtomicBool,
    delete: AtomicBool,
}

/// A store that delegates to `S` (a [`MemoryStore`] unless said
/// otherwise), counts every call the layer makes, and fails the operations
/// it is told to fail without passing them on. Clones share everything.
#[derive(Clone)]
pub struct TestStore<S = MemoryStore> {
    pub inner: S,
    counters: Arc<Counters>,
    fail: Arc<Switches>,
}

impl TestStore<MemoryStore> {
    pub fn new() -> Self {
        TestStore::over(MemoryStore::new())
    }
}

impl<S> TestStore<S> {
    pub fn over(inner: S) -> Self {
        TestStore {
            inner,
            counters: Arc::default(),
            fail: Arc::default(),
        }
    }

    /// The calls so far.
    pub fn calls(&self) -> Calls {
        Calls {
            load: self.counters.load.load(Ordering::SeqCst),
            create: self.counters.create.load(Ordering::SeqCst),
            save: self.counters.save.load(Ordering::SeqCst),
            delete: self.counters.delete.load(Ordering::SeqCst),
        }
    }

    /// The calls so far, counting from zero again.
    pub fn take_calls(&self) -> Calls {
        Calls {
            load: self.counters.load.swap(0, Ordering::SeqCst),
            create: self.counters.create.swap(0, Ordering::SeqCst),
            save: self.counters.save.swap(0, Ordering::SeqCst),
            delete: self.counters.delete.swap(0, Ordering::SeqCst),
        }
    }

    pub fn fail_load(&self, fail: bool) {
        self.fail.load.store(fail, Ordering::SeqCst);
    }

    pub fn fail_create(&self, fail: bool) {
        self.fail.create.store(fail, Ordering::SeqCst);
    }

    pub fn fail_save(&self, fail: bool) {
        self.fail.save.store(fail, Ordering::SeqCst);
    }

    pub fn fail_delete(&self, fail: bool) {
        self.fail.delete.store(fail, Ordering::SeqCst);
    }

    pub fn fail_all(&self, fail: bool) {
        self.fail_load(fail);
        self.fail_create(fail);
        self.fail_save(fail);
        self.fail_delete(fail);
    }
}

fn down(operation: &str) -> StoreError {
    StoreError::new(format!("test store: {operation} failed on purpose"))
}

impl<S: SessionStore> SessionStore for TestStore<S> {
    async fn load(&self, id: &SessionId) -> Result<Option<Record>, StoreError> {
        self.counters.load.fetch_add(1, Ordering::SeqCst);
        if self.fail.load.load(Ordering::SeqCst) {
            return Err(down("load"));
        }
        self.inner.load(id).await
    }

    async fn create(
        &self,
        id: &SessionId,
        record: &Record,
        ttl: Duration,
    ) -> Result<bool, StoreError> {
        self.counters.create.fetch_add(1, Ordering::SeqCst);
        if self.fail.create.load(Ordering::SeqCst) {
            return Err(down("create"));
        }
        self.inner.create(id, record, ttl).await
    }

    async fn save(
        &self,
        id: &SessionId,
        changes: &Changes,
        ttl: Duration,
    ) -> Result<(), StoreError> {
        self.counters.save.fetch_add(1, Ordering::SeqCst);
        if self.fail.save.load(Ordering::SeqCst) {
            return Err(down("save"));
        }
        self.inner.save(id, changes, ttl).await
    }

    async fn delete(&self, id: &SessionId) -> Result<(), StoreError> {
        self.counters.delete.fetch_add(1, Ordering::SeqCst);
        if self.fail.delete.load(Ordering::SeqCst) {
            return Err(down("delete"));
        }
        self.inner.delete(id).await
    }

    fn cookie_seal(&self) -> Option<&Seal> {
        self.inner.cookie_seal()
    }
}

/// A clock in whole seconds that only the test moves.
#[derive(Clone, Debug)]
pub struct TestClock(Arc<AtomicU64>);

impl TestClock {
    /// A clock reading `start`.
    pub fn at(start: u64) -> Self {
        TestClock(Arc::new(AtomicU64::new(start)))
    }

    pub fn set(&self, now: u64) {
        self.0.store(now, Ordering::SeqCst);
    }

    pub fn advance(&self, seconds: u64) {
        self.0.fetch_add(seconds, Ordering::SeqCst);
    }
}

impl Clock for TestClock {
    fn now(&self) -> u64 {
        self.0.load(Ordering::SeqCst)
    }
}

/// A typed value, to show that structs go in and come out whole.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    pub name: String,
    pub roles: Vec<String>,
    pub visits: u32,
}

pub fn alice() -> User {
    User {
        name: "alice".into(),
        roles: vec!["admin".into(), "editor".into()],
        visits: 3,
    }
}

/// The response body the test handlers use.
pub type TestBody = Full<Bytes>;

fn text(status: StatusCode, body: impl Into<String>) -> Response<TestBody> {
    let mut response = Response::new(Full::new(Bytes::from(body.into())));
    *response.status_mut() = status;
    response
}

/// One route per session operation; a session error answers `500` with
/// the error's text (so that a test sees it), a missing session `500`
/// naming the layer.
///
/// | path | what it does | body |
/// |---|---|---|
/// | `/untouched` (any other) | nothing | `untouched` |
/// | `/count` | `n` += 1 | the new `n` |
/// | `/read` | reads `n` | `n`, or `none` |
/// | `/read-user` | reads `user` | its `Debug`, or `none` |
/// | `/set-user` | stores [`alice`] as `user` | `ok` |
/// | `/id` | loads, then `id()` | the id, or `none` |
/// | `/rotate` | `rotate_id` | `ok` |
/// | `/login` | `rotate_id`, `user`, a flash | `ok` |
/// | `/destroy` | `destroy` | `ok` |
/// | `/clear` | `clear` | `ok` |
/// | `/flash` | two flash messages | `ok` |
/// | `/flashes` | `take_flashes` | `level:message` lines |
/// | `/keys` | reads `n`, `a` and `b` | `n=.. a=.. b=..` |
pub async fn routes<B>(request: Request<B>) -> Result<Response<TestBody>, Infallible> {
    let Some(session) = Session::from_request(&request).cloned() else {
        return Ok(text(StatusCode::INTERNAL_SERVER_ERROR, "no session"));
    };
    let path = request.uri().path().to_owned();
    Ok(match route(&session, &path).await {
        Ok(body) => text(StatusCode::OK, body),
        Err(error) => text(StatusCode::INTERNAL_SERVER_ERROR, format!("error: {error}")),
    })
}

async fn route(session: &Session, path: &str) -> Result<String, SessionError> {
    Ok(match path {
        "/count" => {
            let n = session.get::<u64>("n").await?.unwrap_or(0) + 1;
            session.insert("n", &n).await?;
            n.to_string()
        }
        "/read" => match session.get::<u64>("n").await? {
            Some(n) => n.to_string(),
            None => "none".into(),
        },
        "/read-user" => match session.get::<User>("user").await? {
            Some(user) => format!("{user:?}"),
            None => "none".into(),
        },
        "/set-user" => {
            session.insert("user", &alice()).await?;
            "ok".into()
        }
        "/id" => {
            session.get::<u64>("n").await?;
            session
                .id()
                .map_or_else(|| "none".into(), |id| id.to_string())
        }
        "/rotate" => {
            session.rotate_id().await?;
            "ok".into()
        }
        "/login" => {
            session.rotate_id().await?;
            session.insert("user", &alice()).await?;
            session.flash(Level::Success, "welcome").await?;
            "ok".into()
        }
        "/destroy" => {
            session.destroy().await?;
            "ok".into()
        }
        "/clear" => {
            session.clear().await?;
            "ok".into()
        }
        "/flash" => {
            session.flash(Level::Info, "one").await?;
            session.flash(Level::Warning, "two").await?;
            "ok".into()
        }
        "/flashes" => session
            .take_flashes()
            .await?
            .iter()
            .map(|f| format!("{}:{}\n", f.level.as_str(), f.message))
            .collect(),
        "/keys" => {
            let n = session.get::<u64>("n").await?;
            let a = session.get::<String>("a").await?;
            let b = session.get::<String>("b").await?;
            format!("n={n:?} a={a:?} b={b:?}")
        }
        _ => "untouched".into(),
    })
}

/// [`routes`] behind `layer`.
pub fn app<S: SessionStore, B: Send + 'static>(
    layer: SessionLayer<S>,
) -> impl Service<
    Request<B>,
    Response = Response<tackle_session::ResponseBody<TestBody>>,
    Error = Infallible,
    Future: Send,
> + Clone
+ Send
+ 'static {
    layer.layer(tower::service_fn(routes::<B>))
}

/// A layer for plain-HTTP tests: the defaults but `Secure`.
pub fn plain<S: SessionStore>(store: S) -> SessionLayer<S> {
    SessionLayer::new(store).secure(false)
}

/// What one request got back.
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl Reply {
    /// Every `Set-Cookie` line.
    pub fn set_cookies(&self) -> Vec<String> {
        self.headers
            .get_all(SET_COOKIE)
            .iter()
            .map(|v| v.to_str().expect("ASCII Set-Cookie").to_owned())
            .collect()
    }

    /// The one `Set-Cookie` line, if any (more than one fails the test).
    pub fn set_cookie(&self) -> Option<String> {
        let mut lines = self.set_cookies();
        assert!(lines.len() <= 1, "more than one Set-Cookie: {lines:?}");
        lines.pop()
    }

    /// The `name=value` part of the one `Set-Cookie`, to send back.
    pub fn cookie(&self) -> Option<String> {
        self.set_cookie().map(|line| pair_of(&line).to_owned())
    }

    /// The value of the one `Set-Cookie`.
    pub fn cookie_value(&self) -> Option<String> {
        self.cookie()
            .map(|pair| pair.split_once('=').expect("name=value").1.to_owned())
    }
}

/// The `name=value` part of a `Set-Cookie` line.
pub fn pair_of(line: &str) -> &str {
    line.split(';')
        .next()
        .expect("split gives one piece")
        .trim()
}

/// Sends `GET path` to `service` with `cookie` as the `Cookie` header.
pub async fn get<S, B>(service: &S, path: &str, cookie: Option<&str>) -> Reply
where
    S: Service<Request<()>, Response = Response<B>> + Clone,
    S::Error: std::fmt::Debug,
    B: http_body::Body<Data = Bytes>,
    B::Error: std::fmt::Debug,
{
    send(service, path, cookie, &[]).await
}

/// Sends `GET path` with `cookie` and the extra `headers`.
pub async fn send<S, B>(
    service: &S,
    path: &str,
    cookie: Option<&str>,
    headers: &[(&str, &str)],
) -> Reply
where
    S: Service<Request<()>, Response = Response<B>> + Clone,
    S::Error: std::fmt::Debug,
    B: http_body::Body<Data = Bytes>,
    B::Error: std::fmt::Debug,
{
    let mut request = Request::get(path);
    if let Some(cookie) = cookie {
        request = request.header(COOKIE, cookie);
    }
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = service
        .clone()
        .oneshot(request.body(()).expect("a valid request"))
        .await
        .expect("the service answers");
    read(response).await
}

/// Reads a whole response.
pub async fn read<B>(response: Response<B>) -> Reply
where
    B: http_body::Body<Data = Bytes>,
    B::Error: std::fmt::Debug,
{
    let (parts, body) = response.into_parts();
    let bytes = body.collect().await.expect("the body reads").to_bytes();
    Reply {
        status: parts.status,
        headers: parts.headers,
        body: String::from_utf8(bytes.to_vec()).expect("UTF-8 body"),
    }
}

/// A boxed future, for handlers written as closures.
pub type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send>>;

/// Runs `script` on the session of one request (`GET /` with `cookie`)
/// behind `layer`, and answers what it returned and the response.
pub async fn within<S, T, F, Fut>(
    layer: &SessionLayer<S>,
    cookie: Option<&str>,
    script: F,
) -> (T, Reply)
where
    S: SessionStore,
    T: 'static,
    F: FnOnce(Session) -> Fut + 'static,
    Fut: Future<Output = T> + 'static,
{
    let script = Arc::new(Mutex::new(Some(script)));
    let output: Arc<Mutex<Option<T>>> = Arc::new(Mutex::new(None));
    let out = Arc::clone(&output);
    let service = layer.layer(tower::service_fn(move |request: Request<()>| {
        let script = script
            .lock()
            .unwrap()
            .take()
            .expect("one request per script");
        let out = Arc::clone(&out);
        async move {
            let session = Session::from_request(&request)
                .expect("the layer's session")
                .clone();
            let value = script(session).await;
            *out.lock().unwrap() = Some(value);
            Ok::<_, Infallible>(Response::new(Full::new(Bytes::from_static(b"done"))))
        }
    }));
    let reply = get(&service, "/", cookie).await;
    let value = output.lock().unwrap().take().expect("the script ran");
    (value, reply)
}

/// What the handler of [`counter_handler`] answers.
pub type HandlerFuture = BoxFuture<Result<http::Response<tackle_request::Body>, HttpError>>;
/// The handler of [`counter_handler`].
pub type CountFn = fn(tackle_request::Request<()>) -> HandlerFuture;

/// `/count` as an application would write it: errors through `?` into
/// `HttpError`, rendered by `tackle_request::handler`.
pub fn counter_handler<S: SessionStore>(
    layer: SessionLayer<S>,
) -> SessionService<Handler<CountFn>> {
    fn count(request: tackle_request::Request<()>) -> HandlerFuture {
        let session = request.extensions().get::<Session>().cloned();
        Box::pin(async move {
            let session = session.ok_or_else(HttpError::internal_server_error)?;
            let n = session.get::<u64>("n").await?.unwrap_or(0) + 1;
            session.insert("n", &n).await?;
            Ok(tackle_request::response::Response::text(n.to_string()))
        })
    }
    layer.layer(tackle_request::handler(count as CountFn))
}
