//! tackle-session: arbitrary `Cookie` headers (raw bytes) through
//! `SessionLayer` with the memory store and the cookie store, a handler
//! that reads a key and counts.
//!
//! Nothing panics, nothing errors (a bad cookie is a fresh session, never a
//! failure), a session the client cannot have been given holds no data, and
//! a valid id or sealed value round-trips through the same layer.
#![no_main]

use std::convert::Infallible;
use std::future::Future;
use std::pin::pin;
use std::sync::OnceLock;
use std::task::{Context, Poll, Waker};

use http::header::{COOKIE, SET_COOKIE};
use http::{HeaderValue, Request, Response};
use libfuzzer_sys::fuzz_target;
use tackle_session::{CookieStore, MemoryStore, Session, SessionId, SessionLayer, SessionService};
use tower_layer::Layer;
use tower_service::Service;

type Handler = fn(Request<()>) -> std::pin::Pin<Box<dyn Future<Output = Result<Response<String>, Infallible>> + Send>>;

fn handler(request: Request<()>) -> std::pin::Pin<Box<dyn Future<Output = Result<Response<String>, Infallible>> + Send>> {
    Box::pin(async move {
        let session = Session::from_request(&request).cloned().expect("the layer adds one");
        let visits: u64 = match session.get("visits").await {
            Ok(value) => value.unwrap_or(0),
            Err(error) => panic!("a cookie made the session fail: {error}"),
        };
        session.insert("visits", &(visits + 1)).await.expect("insert");
        Ok(Response::new(visits.to_string()))
    })
}

fn run<S: Service<Request<()>, Response = Response<tackle_session::ResponseBody<String>>>>(
    service: &mut S,
    cookie: Option<HeaderValue>,
) -> Option<(String, Option<HeaderValue>)>
where
    S::Error: std::fmt::Debug,
{
    let mut request = Request::new(());
    if let Some(cookie) = cookie {
        request.headers_mut().insert(COOKIE, cookie);
    }
    let mut future = pin!(service.call(request));
    let Poll::Ready(result) = future.as_mut().poll(&mut Context::from_waker(Waker::noop())) else {
        panic!("the memory and cookie stores are always ready");
    };
    let response = result.unwrap();
    let set_cookie = response.headers().get(SET_COOKIE).cloned();
    let status = response.status();
    assert!(status.is_success(), "status {status}");
    let mut body = pin!(response.into_body());
    let mut text = String::new();
    while let Poll::Ready(Some(Ok(frame))) =
        http_body::Body::poll_frame(body.as_mut(), &mut Context::from_waker(Waker::noop()))
    {
        if let Ok(data) = frame.into_data() {
            text.push_str(&String::from_utf8_lossy(&data));
        }
    }
    Some((text, set_cookie))
}

fn services() -> &'static (
    std::sync::Mutex<SessionService<tower::util::ServiceFn<Handler>>>,
    std::sync::Mutex<SessionService<tower::util::ServiceFn<Handler>>>,
) {
    static SERVICES: OnceLock<(
        std::sync::Mutex<SessionService<tower::util::ServiceFn<Handler>>>,
        std::sync::Mutex<SessionService<tower::util::ServiceFn<Handler>>>,
    )> = OnceLock::new();
    SERVICES.get_or_init(|| {
        let memory = SessionLayer::new(MemoryStore::new()).layer(tower::service_fn(handler as Handler));
        let store = CookieStore::new(&[7u8; 64]).expect("a 64-byte key");
        let cookie = SessionLayer::new(store).layer(tower::service_fn(handler as Handler));
        (std::sync::Mutex::new(memory), std::sync::Mutex::new(cookie))
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(value) = HeaderValue::from_bytes(data) else {
        return;
    };
    let text = String::from_utf8_lossy(data);
    // A random id is never one the memory store handed out.
    if let Some(id) = SessionId::parse(text.trim_start_matches("session=")) {
        assert_eq!(SessionId::parse(&id.to_string()), Some(id));
    }
    let (memory, cookie) = services();
    for service in [memory, cookie] {
        let mut service = service.lock().unwrap();
        let (visits, set_cookie) = run(&mut *service, Some(value.clone())).unwrap();
        // No cookie a client made up opens a session with data.
        assert_eq!(visits, "0", "a made-up cookie {text:?} found a session");
        // Every request here writes, so a cookie always comes back; sent
        // back, it must carry the session on.
        let set_cookie = set_cookie.expect("a written session sets its cookie");
        let pair = set_cookie.to_str().unwrap().split(';').next().unwrap().to_owned();
        let (visits, _) = run(&mut *service, Some(HeaderValue::from_str(&pair).unwrap())).unwrap();
        assert_eq!(visits, "1", "the session did not carry on");
    }
});
