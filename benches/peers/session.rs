//! `session/` scenarios: what tackle-session's layer adds to a call, against
//! tower-sessions 0.14 (`SessionManagerLayer`, which brings its own
//! `CookieManagerLayer`), both with their memory stores.
//!
//! Both sides wrap the same `service_fn` handler, which does one of three
//! things with the session (nothing, read the `u64` under `"counter"`, or
//! read it and write it back plus one), and answers a 16-byte `Full<Bytes>`.
//! Each iteration builds the `GET`, calls, and collects the whole body of a
//! response whose headers (a `Set-Cookie` when one is due) are final.
//!
//! - `no-cookie-untouched`: no cookie, the handler never touches the session;
//! - `cookie-untouched`: the cookie of a live session, never touched;
//! - `read-one-key`: that cookie, the handler reads `"counter"`;
//! - `modify-one-key`: that cookie, the handler reads `"counter"` and
//!   inserts it plus one (both sides then answer a `Set-Cookie`).
//!
//! For the cookie cases each side's session is created once up front, with
//! `"counter"` set, by a call through the same layer and store, and its
//! cookie is sent with every measured request. The cookie is named
//! `session` on both sides; every other setting is each crate's default.
//!
//! `bare-service` (solo) is the handler with no layer, and the two
//! `*-vs-bare` lines put tackle's untouched session beside it, interleaved,
//! so that the goal "an untouched session within 0.1 µs of the bare
//! service" can be read off as `tackle_ns - peer_ns`.
//!
//! Both memory stores answer without waiting (tackle's does its work when
//! called and returns a ready future; tower-sessions' takes an uncontended
//! `tokio::sync::Mutex`), so every call is polled once with a no-op waker,
//! as the cache and routing scenarios do: no runtime.

use std::convert::Infallible;

use bytes::Bytes;
use futures_util::FutureExt;
use http::header::{COOKIE, SET_COOKIE};
use http::{HeaderValue, Request, Response, StatusCode};
use http_body_util::{BodyExt, Full};
use tackle::session::{MemoryStore, Session, SessionLayer};
use tower::{Layer, Service};
use tower_sessions::{MemoryStore as PeerStore, Session as PeerSession, SessionManagerLayer};

use crate::harness::Scenario;

/// The peer's goal in every case (peer_ns / tackle_ns).
const GOAL: f64 = 1.5;

/// The cookie name on both sides.
const COOKIE_NAME: &str = "session";

/// What the handler does with the session.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Use {
    Untouched,
    Read,
    Modify,
}

/// Every `session/` scenario.
pub fn scenarios() -> Vec<Scenario> {
    vec![
        versus("session/no-cookie-untouched", Use::Untouched, false),
        versus("session/cookie-untouched", Use::Untouched, true),
        versus("session/read-one-key", Use::Read, true),
        versus("session/modify-one-key", Use::Modify, true),
        bare_service(),
        untouched_vs_bare("session/untouched-vs-bare", false),
        untouched_vs_bare("session/cookie-untouched-vs-bare", true),
    ]
}

type Answer = Result<Response<Full<Bytes>>, Infallible>;

fn page() -> Response<Full<Bytes>> {
    Response::new(Full::new(Bytes::from_static(b"<p>a page</p>\n\n\n")))
}

/// The handler under tackle's layer.
fn tackle_handler(
    how: Use,
) -> impl Service<Request<()>, Response = Response<Full<Bytes>>, Error = Infallible, Future: Send>
+ Clone
+ Send
+ 'static {
    tower::service_fn(move |request: Request<()>| async move {
        if how != Use::Untouched {
            let session = Session::from_request(&request).expect("the layer's session");
            let counter: u64 = session
                .get("counter")
                .await
                .expect("a memory store")
                .unwrap_or(0);
            if how == Use::Modify {
                session
                    .insert("counter", &(counter + 1))
                    .await
                    .expect("a memory store");
            }
        }
        Answer::Ok(page())
    })
}

/// The same handler under tower-sessions' layer.
fn peer_handler(
    how: Use,
) -> impl Service<Request<()>, Response = Response<Full<Bytes>>, Error = Infallible, Future: Send>
+ Clone
+ Send
+ 'static {
    tower::service_fn(move |request: Request<()>| async move {
        if how != Use::Untouched {
            let session = request
                .extensions()
                .get::<PeerSession>()
                .expect("the layer's session");
            let counter: u64 = session
                .get("counter")
                .await
                .expect("a memory store")
                .unwrap_or(0);
            if how == Use::Modify {
                session
                    .insert("counter", counter + 1)
                    .await
                    .expect("a memory store");
            }
        }
        Answer::Ok(page())
    })
}

/// Builds a `GET /` (with `cookie` when given), calls `service`, and
/// collects the body: the status, the `Set-Cookie` if any, the body length.
fn call<S, B>(
    service: &mut S,
    cookie: Option<&HeaderValue>,
) -> (StatusCode, Option<HeaderValue>, usize)
where
    S: Service<Request<()>, Response = Response<B>>,
    S::Error: std::fmt::Debug,
    B: http_body::Body,
    B::Error: std::fmt::Debug,
{
    let mut request = Request::builder().uri("/");
    if let Some(cookie) = cookie {
        request = request.header(COOKIE, cookie.clone());
    }
    let request = request.body(()).expect("a valid request");
    let response = service
        .call(request)
        .now_or_never()
        .expect("ready at once: both memory stores answer without waiting")
        .expect("a service that does not fail");
    let status = response.status();
    let set_cookie = response.headers().get(SET_COOKIE).cloned();
    let body = response
        .into_body()
        .collect()
        .now_or_never()
        .expect("ready at once")
        .expect("a body that does not fail")
        .to_bytes();
    (status, set_cookie, body.len())
}

/// The `Cookie` header that sends back the cookie of `set_cookie`.
fn cookie_of(set_cookie: Option<HeaderValue>) -> HeaderValue {
    let set_cookie = set_cookie.expect("a new session sets its cookie");
    let pair = set_cookie
        .to_str()
        .expect("an ASCII cookie")
        .split(';')
        .next()
        .expect("a name=value pair")
        .to_owned();
    assert!(pair.starts_with("session="), "{pair}");
    HeaderValue::from_str(&pair).expect("a valid header")
}

/// tackle's layered handler for `how`, and the cookie of a session created
/// (with `"counter"` set) through the same store, when `with_cookie`.
fn tackle_side(
    how: Use,
    with_cookie: bool,
) -> (
    impl Service<
        Request<()>,
        Response = Response<impl http_body::Body<Data = Bytes, Error: std::fmt::Debug>>,
        Error = Infallible,
    >,
    Option<HeaderValue>,
) {
    let store = MemoryStore::new();
    let cookie = with_cookie.then(|| {
        let mut setup = SessionLayer::new(store.clone()).layer(tackle_handler(Use::Modify));
        cookie_of(call(&mut setup, None).1)
    });
    (SessionLayer::new(store).layer(tackle_handler(how)), cookie)
}

/// tower-sessions' side, as [`tackle_side`].
fn peer_side(
    how: Use,
    with_cookie: bool,
) -> (
    impl Service<
        Request<()>,
        Response = Response<impl http_body::Body<Data = Bytes, Error: std::fmt::Debug>>,
        Error = Infallible,
    >,
    Option<HeaderValue>,
) {
    let store = PeerStore::default();
    let layer = || SessionManagerLayer::new(store.clone()).with_name(COOKIE_NAME);
    let cookie = with_cookie.then(|| {
        let mut setup = layer().layer(peer_handler(Use::Modify));
        cookie_of(call(&mut setup, None).1)
    });
    (layer().layer(peer_handler(how)), cookie)
}

fn versus(name: &'static str, how: Use, with_cookie: bool) -> Scenario {
    let (mut tackle, tackle_cookie) = tackle_side(how, with_cookie);
    let (mut peer, peer_cookie) = peer_side(how, with_cookie);

    // tower-sessions sends its cookie again whenever the session changed;
    // tackle only when the cookie itself changes (a new id, or a persistent
    // cookie's new Max-Age), so a changed browser-session cookie costs it no
    // Set-Cookie: the client's is still right.
    let (status, set_cookie, len) = call(&mut tackle, tackle_cookie.as_ref());
    assert_eq!(
        (status, set_cookie.is_some(), len),
        (StatusCode::OK, how == Use::Modify && !with_cookie, 16),
        "{name}: tackle"
    );
    let (status, set_cookie, len) = call(&mut peer, peer_cookie.as_ref());
    assert_eq!(
        (status, set_cookie.is_some(), len),
        (StatusCode::OK, how == Use::Modify, 16),
        "{name}: peer"
    );

    Scenario::versus(
        name,
        move || call(&mut tackle, tackle_cookie.as_ref()),
        "tower-sessions",
        move || call(&mut peer, peer_cookie.as_ref()),
        GOAL,
    )
}

fn bare_service() -> Scenario {
    let mut bare = tackle_handler(Use::Untouched);
    assert_eq!(call(&mut bare, None), (StatusCode::OK, None, 16));
    Scenario::solo("session/bare-service", move || call(&mut bare, None))
}

fn untouched_vs_bare(name: &'static str, with_cookie: bool) -> Scenario {
    let (mut tackle, cookie) = tackle_side(Use::Untouched, with_cookie);
    let mut bare = tackle_handler(Use::Untouched);
    let bare_cookie = cookie.clone();
    assert_eq!(
        call(&mut tackle, cookie.as_ref()),
        (StatusCode::OK, None, 16)
    );
    Scenario::versus(
        name,
        move || call(&mut tackle, cookie.as_ref()),
        "bare",
        move || call(&mut bare, bare_cookie.as_ref()),
        0.0,
    )
    .without_goal()
}
