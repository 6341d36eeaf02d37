//! The `debugger` example over a real socket: its own `app` and `serve` on
//! 127.0.0.1:0, spoken to by a hyper HTTP/1.1 client the way curl or a
//! browser would.

#[path = "../examples/debugger.rs"]
mod debugger_example;

use std::net::SocketAddr;

use debugger_example::{app, debugger_layer, init_tracing, serve};
use http::{HeaderMap, Request, StatusCode, header};
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper_util::rt::TokioIo;
use tackle::report::install_panic_hook;
use tokio::net::{TcpListener, TcpStream};

/// The debugger PIN of the test servers.
const PIN: &str = "271828182";

/// The example app served on a free loopback port.
async fn server() -> SocketAddr {
    install_panic_hook();
    init_tracing(false);
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(serve(listener, app(&debugger_layer().pin(PIN))));
    addr
}

/// A response as the client read it.
struct Reply {
    status: StatusCode,
    headers: HeaderMap,
    body: String,
}

impl Reply {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    fn debug_url(&self) -> &str {
        self.header("x-debug-url")
            .unwrap_or_else(|| panic!("no X-Debug-Url: {} {}", self.status, self.body))
    }

    /// The value the response sets for cookie `name`.
    fn set_cookie(&self, name: &str) -> Option<String> {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find_map(|v| {
                let (cookie, value) = v.split(';').next()?.split_once('=')?;
                (cookie.trim() == name).then(|| value.to_owned())
            })
    }

    /// The value of a hidden form field on the page.
    fn field(&self, name: &str) -> String {
        let marker = format!("name=\"{name}\" value=\"");
        let start = self
            .body
            .find(&marker)
            .unwrap_or_else(|| panic!("no {name} field: {}", self.body))
            + marker.len();
        let end = start + self.body[start..].find('"').unwrap();
        self.body[start..end].to_owned()
    }
}

/// `GET path` on a fresh connection, with `Host: localhost:<port>` unless
/// `headers` names another.
async fn get(addr: SocketAddr, path: &str, headers: &[(&str, &str)]) -> Reply {
    send(addr, "GET", path, headers, "").await
}

/// `POST path` with `form` (urlencoded) on a fresh connection.
async fn post(addr: SocketAddr, path: &str, headers: &[(&str, &str)], form: &str) -> Reply {
    let mut headers = headers.to_vec();
    headers.push(("content-type", "application/x-www-form-urlencoded"));
    send(addr, "POST", path, &headers, form).await
}

async fn send(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> Reply {
    let stream = TcpStream::connect(addr).await.unwrap();
    let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .unwrap();
    tokio::spawn(connection);
    let mut request = Request::builder().method(method).uri(path);
    if !headers
        .iter()
        .any(|(name, _)| name.eq_ignore_ascii_case("host"))
    {
        request = request.header(header::HOST, format!("localhost:{}", addr.port()));
    }
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = sender
        .send_request(
            request
                .body(Full::new(Bytes::copy_from_slice(body.as_bytes())))
                .unwrap(),
        )
        .await
        .unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let body = response.into_body().collect().await.unwrap().to_bytes();
    Reply {
        status,
        headers,
        body: String::from_utf8_lossy(&body).into_owned(),
    }
}

/// The part of `page` under the first `<h2>` heading that mentions `word`
/// (case-insensitively), up to the next heading.
fn section<'a>(page: &'a str, word: &str) -> &'a str {
    let word = word.to_ascii_lowercase();
    let mut rest = page;
    while let Some(at) = rest.find("<h2") {
        rest = &rest[at + 3..];
        let Some(close) = rest.find("</h2>") else {
            break;
        };
        let heading = rest[..close].to_ascii_lowercase();
        rest = &rest[close + "</h2>".len()..];
        if heading.contains(&word) {
            return &rest[..rest.find("<h2").unwrap_or(rest.len())];
        }
    }
    panic!("no section about {word:?}: {page}")
}

const HTML: (&str, &str) = ("accept", "text/html,application/xhtml+xml;q=0.9,*/*;q=0.8");
const JSON: (&str, &str) = ("accept", "application/json");

#[tokio::test]
async fn errors_are_answered_with_the_debugger_and_kept_at_debug() {
    let addr = server().await;

    // The index page links every route and the debugger's own.
    let index = get(addr, "/", &[HTML]).await;
    assert_eq!(index.status, StatusCode::OK);
    for link in ["/panic", "/fail", "/deep/3", "/json", "/_debug/"] {
        assert!(
            index.body.contains(&format!("href=\"{link}\"")),
            "{link}: {}",
            index.body
        );
    }
    assert!(index.header("x-debug-url").is_none());

    // A panic, for a browser: the page with the message, and the URL.
    let panic = get(addr, "/panic", &[HTML]).await;
    assert_eq!(panic.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert!(
        panic
            .header("content-type")
            .unwrap()
            .starts_with("text/html"),
        "{:?}",
        panic.headers
    );
    assert!(
        panic.body.contains("cart 17 has at least one item"),
        "{}",
        panic.body
    );
    assert!(
        panic.body.contains("cart_id"),
        "the span's field: {}",
        panic.body
    );
    let panic_url = panic.debug_url().to_owned();
    assert!(panic_url.starts_with("/_debug/"), "{panic_url}");
    assert!(panic.header("content-security-policy").is_some());
    // The page stays at its URL.
    let kept = get(addr, &panic_url, &[HTML]).await;
    assert_eq!(kept.status, StatusCode::OK);
    assert!(kept.body.contains("cart 17 has at least one item"));

    // A handled failure, for an API client: problem+json with the URL and
    // the cause chain.
    let fail = get(addr, "/fail", &[JSON]).await;
    assert_eq!(fail.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(
        fail.header("content-type"),
        Some("application/problem+json")
    );
    let problem: serde_json::Value = serde_json::from_str(&fail.body).unwrap();
    let fail_url = fail.debug_url().to_owned();
    assert_eq!(problem["debug_url"], fail_url.as_str(), "{problem:#}");
    assert_eq!(problem["status"], 500, "{problem:#}");
    assert!(
        problem["title"]
            .as_str()
            .unwrap()
            .contains("invoice 42 could not be loaded"),
        "{problem:#}"
    );
    assert!(
        fail.body
            .contains("connection refused by the billing database"),
        "the cause: {problem:#}"
    );

    // The API route: the same, whatever JSON the route itself answered.
    let api = get(addr, "/json", &[JSON]).await;
    assert_eq!(api.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(api.header("content-type"), Some("application/problem+json"));
    let problem: serde_json::Value = serde_json::from_str(&api.body).unwrap();
    let api_url = api.debug_url().to_owned();
    assert_eq!(problem["debug_url"], api_url.as_str());
    assert!(
        api.body.contains("invoice 43 could not be loaded"),
        "{problem:#}"
    );

    // Deep inside instrumented functions: each level's span with its
    // fields, the INFO event; at level INFO an ordinary request keeps no
    // `debug!` or `trace!` event.
    let deep = get(addr, "/deep/3", &[HTML]).await;
    assert_eq!(deep.status, StatusCode::INTERNAL_SERVER_ERROR);
    let deep_url = deep.debug_url().to_owned();
    let page = &deep.body;
    assert!(
        page.contains("item SKU-1138 is out of stock in warehouse 3"),
        "{page}"
    );
    let spans = section(page, "Spans");
    for span in ["load_account", "place_order", "request"] {
        assert!(
            spans.contains(&format!(">{span} <")),
            "span {span} missing: {spans}"
        );
    }
    assert_eq!(
        spans.matches(">reserve <").count(),
        3,
        "one reserve span per warehouse: {spans}"
    );
    for (field, value) in [
        ("user_id", "7"),
        ("plan", "&quot;pro&quot;"),
        ("order_id", "1003"),
        ("items", "3"),
        ("sku", "&quot;SKU-1138&quot;"),
        ("warehouse", "3"),
    ] {
        assert!(
            spans.contains(&format!(">{field}</th><td class=\"mono\">{value}<")),
            "field {field} = {value} missing: {spans}"
        );
    }
    // The events section (the source excerpts show the logging lines too).
    let events = section(page, "events");
    assert!(
        events.contains("placing the order"),
        "the INFO event: {events}"
    );
    for verbose in [
        "account loaded from the cache",
        "order row locked",
        "asking warehouse",
        "stock level read",
    ] {
        assert!(
            !events.contains(verbose),
            "{verbose:?} kept at level INFO: {events}"
        );
    }

    // The index lists every report, newest first.
    let listed = get(addr, "/_debug/", &[HTML]).await;
    assert_eq!(listed.status, StatusCode::OK);
    let positions: Vec<usize> = [&deep_url, &api_url, &fail_url, &panic_url]
        .iter()
        .map(|url| {
            listed
                .body
                .find(url.as_str())
                .unwrap_or_else(|| panic!("{url} not listed: {}", listed.body))
        })
        .collect();
    assert!(
        positions.windows(2).all(|w| w[0] < w[1]),
        "newest first: {positions:?}"
    );
}

#[tokio::test]
async fn an_untrusted_host_gets_the_generic_500() {
    let addr = server().await;
    for accept in [HTML, JSON] {
        let reply = get(addr, "/panic", &[("host", "evil.example"), accept]).await;
        assert_eq!(reply.status, StatusCode::INTERNAL_SERVER_ERROR);
        assert!(reply.header("x-debug-url").is_none(), "{:?}", reply.headers);
        assert!(!reply.body.contains("cart 17"), "{}", reply.body);
        assert!(!reply.body.contains("_debug"), "{}", reply.body);
    }
    // The debugger's own pages are not there either: the app's 404.
    let index = get(addr, "/_debug/", &[("host", "evil.example"), HTML]).await;
    assert_eq!(index.status, StatusCode::NOT_FOUND);
    assert!(index.header("x-debug-url").is_none());
    // A trusted name still works on the same server.
    let reply = get(addr, "/panic", &[HTML]).await;
    assert!(reply.header("x-debug-url").is_some());
}

/// The `debug!` and `trace!` lines of `/deep/3`.
const VERBOSE_EVENTS: [&str; 4] = [
    "account loaded from the cache",
    "order row locked",
    "asking warehouse",
    "stock level read",
];

#[tokio::test]
async fn a_replay_with_every_level_keeps_the_debug_and_trace_events() {
    let addr = server().await;
    let first = get(addr, "/deep/3", &[HTML]).await;
    assert_eq!(first.status, StatusCode::INTERNAL_SERVER_ERROR);
    let url = first.debug_url().to_owned();
    let events = section(&first.body, "events");
    for verbose in VERBOSE_EVENTS {
        assert!(!events.contains(verbose), "{verbose:?}: {events}");
    }

    // The PIN, with the page's token and double-submit cookie.
    let (token, csrf) = (first.field("token"), first.field("csrf"));
    let csrf_cookie = first
        .set_cookie("tackle_debug_csrf")
        .expect("the double-submit cookie");
    let cookie = format!("tackle_debug_csrf={csrf_cookie}");
    let unlocked = post(
        addr,
        "/_debug/pin",
        &[("cookie", &cookie)],
        &format!("token={token}&csrf={csrf}&pin={PIN}&next={url}"),
    )
    .await;
    assert_eq!(unlocked.status, StatusCode::SEE_OTHER, "{}", unlocked.body);
    let pin_cookie = unlocked
        .set_cookie("tackle_debug_pin")
        .expect("the PIN cookie");
    let cookies = format!("{cookie}; tackle_debug_pin={pin_cookie}");

    // A plain replay: the same failure, the same INFO-only events.
    let replay = post(
        addr,
        &format!("{url}/replay"),
        &[("cookie", &cookies)],
        &format!("token={token}&csrf={csrf}"),
    )
    .await;
    assert_eq!(replay.status, StatusCode::SEE_OTHER, "{}", replay.body);
    let plain_url = replay.header("location").unwrap().to_owned();
    let plain = get(addr, &plain_url, &[HTML, ("cookie", &cookies)]).await;
    assert!(plain.body.contains("out of stock in warehouse 3"));
    let events = section(&plain.body, "events");
    assert!(events.contains("placing the order"), "{events}");
    for verbose in VERBOSE_EVENTS {
        assert!(!events.contains(verbose), "{verbose:?}: {events}");
    }

    // With every level recorded: the debug and trace events of every
    // nested function, for this request only.
    let replay = post(
        addr,
        &format!("{url}/replay"),
        &[("cookie", &cookies)],
        &format!("token={token}&csrf={csrf}&trace=all"),
    )
    .await;
    assert_eq!(replay.status, StatusCode::SEE_OTHER, "{}", replay.body);
    let verbose_url = replay.header("location").unwrap().to_owned();
    assert_ne!(verbose_url, plain_url);
    let verbose = get(addr, &verbose_url, &[HTML, ("cookie", &cookies)]).await;
    assert!(verbose.body.contains("out of stock in warehouse 3"));
    let events = section(&verbose.body, "events");
    assert!(events.contains("placing the order"), "{events}");
    for expected in VERBOSE_EVENTS {
        assert!(events.contains(expected), "{expected:?} missing: {events}");
    }
    assert!(
        events.contains("DEBUG") && events.contains("TRACE"),
        "{events}"
    );
    // One `asking warehouse` per level of the recursion.
    assert_eq!(events.matches("asking warehouse").count(), 3, "{events}");

    // An ordinary request afterwards is back to INFO.
    let after = get(addr, "/deep/3", &[HTML]).await;
    let events = section(&after.body, "events");
    for verbose in VERBOSE_EVENTS {
        assert!(!events.contains(verbose), "{verbose:?}: {events}");
    }
}
