//! The security model over real sockets, at the level of `curl`: raw
//! HTTP/1.1 requests from a chosen local address to a hyper server that
//! takes the peer from the connection.

use std::convert::Infallible;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use bytes::Bytes;
use http::{Request, Response};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use hyper_util::service::TowerToHyperService;
use tackle_debugger::{DebuggerLayer, RequestBody};
use tackle_report::install_panic_hook;
use tackle_request::ConnectionInfo;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpSocket};
use tower::{Layer, service_fn};

const PIN: &str = "314159265";
/// Secrets, spelled so that the source lines a page shows never hold them.
const SECRET: &str = concat!("s3c", "r3t");
const KEY: &str = concat!("k", "3y");

/// `/boom` panics; `/echo` echoes the method, URI, `Authorization` and body
/// (and panics when the body starts with `fail`); anything else is 200
/// "ok". Every call is counted.
async fn app(
    request: Request<RequestBody<Incoming>>,
    calls: Arc<AtomicUsize>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    calls.fetch_add(1, Ordering::SeqCst);
    match request.uri().path() {
        "/boom" => panic!("boom: the order book is empty"),
        "/echo" => {
            let (parts, body) = request.into_parts();
            let body = body
                .collect()
                .await
                .map(|b| b.to_bytes())
                .unwrap_or_default();
            let auth = parts
                .headers
                .get("authorization")
                .map(|v| v.to_str().unwrap_or("").to_owned())
                .unwrap_or_default();
            if body.starts_with(b"fail") {
                panic!("echo asked to fail");
            }
            let text = format!(
                "{} {} auth={auth} body={}",
                parts.method,
                parts.uri,
                String::from_utf8_lossy(&body)
            );
            Ok(Response::new(Full::new(Bytes::from(text))))
        }
        _ => Ok(Response::new(Full::new(Bytes::from_static(b"ok")))),
    }
}

struct Server {
    addr: SocketAddr,
    calls: Arc<AtomicUsize>,
}

/// Serves `layer` around [`app`] on `ip`:0, each request's
/// `ConnectionInfo` taken from its connection.
async fn serve(ip: &str, layer: DebuggerLayer) -> Server {
    install_panic_hook();
    let listener = TcpListener::bind((ip.parse::<IpAddr>().unwrap(), 0))
        .await
        .unwrap();
    let addr = listener.local_addr().unwrap();
    let calls = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&calls);
    let service = layer.layer(service_fn(move |request| {
        app(request, Arc::clone(&counter))
    }));
    tokio::spawn(async move {
        loop {
            let Ok((stream, peer)) = listener.accept().await else {
                return;
            };
            let service = service.clone();
            tokio::spawn(async move {
                let service = tower::ServiceExt::map_request(
                    service,
                    move |mut request: Request<Incoming>| {
                        request.extensions_mut().insert(ConnectionInfo::new(peer));
                        request
                    },
                );
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), TowerToHyperService::new(service))
                    .await;
            });
        }
    });
    Server { addr, calls }
}

/// What came back, raw.
#[derive(Debug)]
struct Answer {
    status: u16,
    head: String,
    body: String,
}

impl Answer {
    fn header(&self, name: &str) -> Option<&str> {
        self.head.lines().find_map(|line| {
            let (n, v) = line.split_once(':')?;
            n.trim().eq_ignore_ascii_case(name).then(|| v.trim())
        })
    }

    fn set_cookie(&self, name: &str) -> Option<String> {
        self.head.lines().find_map(|line| {
            let (n, v) = line.split_once(':')?;
            if !n.trim().eq_ignore_ascii_case("set-cookie") {
                return None;
            }
            let pair = v.trim().split(';').next()?;
            let (cookie, value) = pair.split_once('=')?;
            (cookie == name).then(|| value.to_owned())
        })
    }

    /// The value of a hidden form field on the page.
    fn field(&self, name: &str) -> String {
        let marker = format!("name=\"{name}\" value=\"");
        let start = self.body.find(&marker).expect(name) + marker.len();
        let end = self.body[start..].find('"').unwrap() + start;
        self.body[start..end].to_owned()
    }
}

/// Sends `raw` (a request head without the final blank line) and `body`
/// from `from` to `to`, `Connection: close`, and reads the whole answer.
async fn send(from: &str, to: SocketAddr, raw: &str, body: &str) -> Answer {
    let socket = TcpSocket::new_v4().unwrap();
    socket
        .bind(SocketAddr::new(from.parse().unwrap(), 0))
        .unwrap();
    let mut stream = socket.connect(to).await.unwrap();
    let mut request = raw.replace('\n', "\r\n");
    request.push_str(&format!(
        "Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    ));
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut bytes = Vec::new();
    tokio::time::timeout(Duration::from_secs(20), stream.read_to_end(&mut bytes))
        .await
        .expect("an answer in time")
        .unwrap();
    let text = String::from_utf8_lossy(&bytes).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head.split(' ').nth(1).unwrap().parse().unwrap();
    Answer {
        status,
        head: head.replace("\r\n", "\n"),
        body: body.to_owned(),
    }
}

fn get(path: &str, host: &str, accept: &str) -> String {
    format!("GET {path} HTTP/1.1\nHost: {host}\nAccept: {accept}\n")
}

fn post(path: &str, host: &str, extra: &str) -> String {
    format!(
        "POST {path} HTTP/1.1\nHost: {host}\nContent-Type: application/x-www-form-urlencoded\n{extra}"
    )
}

fn layer() -> DebuggerLayer {
    DebuggerLayer::new()
        .enabled(true)
        .app_root(tackle_debugger::app_root!())
        .pin(PIN)
        .pin_delay(Duration::from_millis(1))
}

fn host(server: &Server) -> String {
    format!("localhost:{}", server.addr.port())
}

/// Fails the page's report: its URL, the page, and the cookies and fields
/// its forms need.
async fn failed_page(server: &Server) -> (String, Answer) {
    let answer = send(
        "127.0.0.1",
        server.addr,
        &get("/boom", &host(server), "text/html"),
        "",
    )
    .await;
    assert_eq!(answer.status, 500);
    let url = answer
        .header("x-debug-url")
        .expect("X-Debug-Url")
        .to_owned();
    (url, answer)
}

#[tokio::test]
async fn negotiation_and_debug_url_over_a_socket() {
    let server = serve("127.0.0.1", layer()).await;
    let host = host(&server);
    let json = send(
        "127.0.0.1",
        server.addr,
        &get("/boom", &host, "application/json"),
        "",
    )
    .await;
    assert_eq!(json.status, 500);
    assert_eq!(
        json.header("content-type"),
        Some("application/problem+json")
    );
    let value: serde_json::Value = serde_json::from_str(&json.body).unwrap();
    let url = json.header("x-debug-url").unwrap();
    assert!(url.starts_with("/_debug/") && url.len() == "/_debug/".len() + 32);
    assert_eq!(value["debug_url"], url);
    assert!(json.body.contains("boom: the order book is empty"));

    let text = send("127.0.0.1", server.addr, &get("/boom", &host, "*/*"), "").await;
    assert_eq!(
        text.header("content-type"),
        Some("text/plain; charset=utf-8")
    );
    assert!(text.body.contains("boom: the order book is empty"));
    assert!(text.body.contains(&format!(
        "Debug page: {}",
        text.header("x-debug-url").unwrap()
    )));

    let page = send("127.0.0.1", server.addr, &get(url, &host, "text/html"), "").await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("order book"));
}

#[tokio::test]
async fn untrusted_host_is_refused() {
    let server = serve("127.0.0.1", layer()).await;
    let answer = send(
        "127.0.0.1",
        server.addr,
        &get("/boom", "evil.example", "text/html"),
        "",
    )
    .await;
    assert_eq!(answer.status, 500);
    assert_eq!(answer.header("x-debug-url"), None);
    assert!(!answer.body.contains("order book"), "{}", answer.body);
    // And the debugger's own pages are not there for it.
    let index = send(
        "127.0.0.1",
        server.addr,
        &get("/_debug/", "evil.example:80", "text/html"),
        "",
    )
    .await;
    assert_eq!(index.status, 200, "reached the application, which says ok");
    assert_eq!(index.body, "ok");
}

#[tokio::test]
async fn actions_need_post_token_cookie_and_same_origin() {
    let server = serve("127.0.0.1", layer()).await;
    let host = host(&server);
    let (url, page) = failed_page(&server).await;
    let token = page.field("token");
    let csrf = page.field("csrf");
    let cookie = page
        .set_cookie("tackle_debug_csrf")
        .expect("the double-submit cookie");
    assert_eq!(cookie, csrf);
    assert!(
        page.head.contains("tackle_debug_csrf=") && page.head.contains("HttpOnly; SameSite=Strict")
    );
    let pin_form =
        |token: &str, csrf: &str| format!("token={token}&csrf={csrf}&pin={PIN}&next={url}");

    // GET on an action: 405, POST only.
    let get_pin = send(
        "127.0.0.1",
        server.addr,
        &get("/_debug/pin", &host, "text/html"),
        "",
    )
    .await;
    assert_eq!(get_pin.status, 405);
    assert_eq!(get_pin.header("allow"), Some("POST"));

    // No token: 403.
    let with_cookie = format!("Cookie: tackle_debug_csrf={csrf}\n");
    let no_token = send(
        "127.0.0.1",
        server.addr,
        &post("/_debug/pin", &host, &with_cookie),
        &format!("csrf={csrf}&pin={PIN}"),
    )
    .await;
    assert_eq!(no_token.status, 403);
    assert!(no_token.body.contains("Missing or wrong token"));
    // Wrong token: 403.
    let wrong = send(
        "127.0.0.1",
        server.addr,
        &post("/_debug/pin", &host, &with_cookie),
        &pin_form("00", &csrf),
    )
    .await;
    assert_eq!(wrong.status, 403);
    // No cookie (the double submit fails): 403.
    let no_cookie = send(
        "127.0.0.1",
        server.addr,
        &post("/_debug/pin", &host, ""),
        &pin_form(&token, &csrf),
    )
    .await;
    assert_eq!(no_cookie.status, 403);
    assert!(no_cookie.body.contains("cookie"));
    // Cross-origin: 403 even with everything else right.
    for header in [
        "Origin: http://evil.example\n".to_owned(),
        "Origin: null\n".to_owned(),
        "Sec-Fetch-Site: cross-site\n".to_owned(),
    ] {
        let cross = send(
            "127.0.0.1",
            server.addr,
            &post("/_debug/pin", &host, &format!("{with_cookie}{header}")),
            &pin_form(&token, &csrf),
        )
        .await;
        assert_eq!(cross.status, 403, "{header}");
        assert!(cross.body.contains("Cross-origin"), "{header}");
    }
    // A replay without the PIN: the PIN page.
    let replay = send(
        "127.0.0.1",
        server.addr,
        &post(&format!("{url}/replay"), &host, &with_cookie),
        &format!("token={token}&csrf={csrf}"),
    )
    .await;
    assert_eq!(replay.status, 401);
    assert!(replay.body.contains("id=\"pin-form\""));
    // Same origin, token, cookie, PIN: unlocked.
    let origin = format!("{with_cookie}Origin: http://{host}\n");
    let unlocked = send(
        "127.0.0.1",
        server.addr,
        &post("/_debug/pin", &host, &origin),
        &pin_form(&token, &csrf),
    )
    .await;
    assert_eq!(unlocked.status, 303, "{}", unlocked.body);
    assert_eq!(unlocked.header("location"), Some(url.as_str()));
    let pin_cookie = unlocked
        .set_cookie("tackle_debug_pin")
        .expect("the PIN cookie");
    let set = unlocked
        .head
        .lines()
        .find(|l| l.contains("tackle_debug_pin="))
        .unwrap();
    assert!(
        set.contains("HttpOnly")
            && set.contains("SameSite=Strict")
            && set.contains("Max-Age=28800"),
        "{set}"
    );

    // Replay, in process: the handler runs again and panics again.
    let cookies = format!("Cookie: tackle_debug_csrf={csrf}; tackle_debug_pin={pin_cookie}\n");
    let calls = server.calls.load(Ordering::SeqCst);
    let replay = send(
        "127.0.0.1",
        server.addr,
        &post(&format!("{url}/replay"), &host, &cookies),
        &format!("token={token}&csrf={csrf}&trace=all"),
    )
    .await;
    assert_eq!(replay.status, 303, "{}", replay.body);
    assert_eq!(server.calls.load(Ordering::SeqCst), calls + 1);
    let new_url = replay.header("location").unwrap().to_owned();
    assert_ne!(new_url, url);
    let new_page = send(
        "127.0.0.1",
        server.addr,
        &format!(
            "{}Cookie: tackle_debug_pin={pin_cookie}\n",
            get(&new_url, &host, "text/html")
        ),
        "",
    )
    .await;
    assert!(new_page.body.contains("id=\"replay-banner\""));
    assert!(
        new_page.body.contains("id=\"replay-form\""),
        "unlocked: the actions show"
    );
}

#[tokio::test]
async fn edit_and_resend_restores_masked_values() {
    let server = serve("127.0.0.1", layer()).await;
    let host = host(&server);
    let failing = format!(
        "POST /echo?api_key={KEY}&q=1 HTTP/1.1\nHost: {host}\nAccept: text/html\nAuthorization: Bearer {SECRET}\nContent-Type: text/plain\n"
    );
    let page = send("127.0.0.1", server.addr, &failing, "fail please").await;
    assert_eq!(page.status, 500);
    let url = page.header("x-debug-url").unwrap().to_owned();
    let (token, csrf) = (page.field("token"), page.field("csrf"));
    let cookie = format!("Cookie: tackle_debug_csrf={csrf}\n");
    let unlocked = send(
        "127.0.0.1",
        server.addr,
        &post("/_debug/pin", &host, &cookie),
        &format!("token={token}&csrf={csrf}&pin=314-159-265&next={url}"),
    )
    .await;
    let pin = unlocked.set_cookie("tackle_debug_pin").unwrap();
    let cookies = format!("Cookie: tackle_debug_csrf={csrf}; tackle_debug_pin={pin}\n");

    // The unlocked page's resend form shows masked values masked.
    let page = send(
        "127.0.0.1",
        server.addr,
        &format!("{}{cookies}", get(&url, &host, "text/html")),
        "",
    )
    .await;
    assert!(page.body.contains("id=\"resend-form\""));
    assert!(!page.body.contains(SECRET) && !page.body.contains(KEY));
    assert!(page.body.contains("authorization: [REDACTED]"));

    // Sent with the masks and an edited body, the originals go out again.
    let headers = format!("Host: {host}\r\nAuthorization: [REDACTED]\r\nX-Extra: yes\r\n");
    let form = tackle_http::encode_form([
        ("token", token.as_str()),
        ("csrf", csrf.as_str()),
        ("method", "PUT"),
        ("target", "/echo?api_key=[REDACTED]&q=2"),
        ("headers", headers.as_str()),
        ("body", "all good"),
    ]);
    let resent = send(
        "127.0.0.1",
        server.addr,
        &post(&format!("{url}/resend"), &host, &cookies),
        &form,
    )
    .await;
    assert_eq!(resent.status, 200, "{}", resent.body);
    assert!(resent.body.contains("id=\"replay-status\">200<"));
    assert!(
        resent.body.contains(&format!(
            "PUT /echo?api_key={KEY}&amp;q=2 auth=Bearer {SECRET} body=all good"
        )),
        "{}",
        resent.body
    );

    // Reveal shows the masked values, after the PIN only.
    let reveal = send(
        "127.0.0.1",
        server.addr,
        &post(&format!("{url}/reveal"), &host, &cookies),
        &format!("token={token}&csrf={csrf}"),
    )
    .await;
    assert_eq!(reveal.status, 200);
    assert!(reveal.body.contains("id=\"revealed\""));
    assert!(reveal.body.contains(&format!("Bearer {SECRET}")));
    assert!(
        reveal
            .body
            .contains(&format!("-H &#x27;authorization: Bearer {SECRET}&#x27;")),
        "curl with secrets"
    );
}

#[tokio::test]
async fn ten_wrong_pins_lock_until_restart() {
    let server = serve("127.0.0.1", layer()).await;
    let host = host(&server);
    let (url, page) = failed_page(&server).await;
    let (token, csrf) = (page.field("token"), page.field("csrf"));
    let cookie = format!("Cookie: tackle_debug_csrf={csrf}\n");
    for left in (0..10).rev() {
        let wrong = send(
            "127.0.0.1",
            server.addr,
            &post("/_debug/pin", &host, &cookie),
            &format!("token={token}&csrf={csrf}&pin=000000000&next={url}"),
        )
        .await;
        assert_eq!(wrong.status, 403);
        if left > 0 {
            assert!(wrong.body.contains("id=\"pin-error\""));
            assert!(wrong.body.contains(&format!("{left} attempt")));
        } else {
            assert!(wrong.body.contains("id=\"pin-locked\""));
        }
    }
    let right = send(
        "127.0.0.1",
        server.addr,
        &post("/_debug/pin", &host, &cookie),
        &format!("token={token}&csrf={csrf}&pin={PIN}&next={url}"),
    )
    .await;
    assert_eq!(right.status, 403, "locked: even the right PIN");
    assert!(right.body.contains("id=\"pin-locked\""));
    assert!(right.set_cookie("tackle_debug_pin").is_none());
}

/// A peer address of this machine that is not loopback (the address of the
/// interface the default route uses), when there is one.
fn non_loopback_address() -> Option<IpAddr> {
    let socket = std::net::UdpSocket::bind("0.0.0.0:0").ok()?;
    // No packet is sent: connecting a UDP socket only picks a route.
    socket.connect("192.0.2.1:9").ok()?;
    let ip = socket.local_addr().ok()?.ip();
    (!ip.is_loopback() && !ip.is_unspecified()).then_some(ip)
}

#[tokio::test]
async fn the_peer_comes_from_the_connection() {
    // A second loopback address is loopback, served and answered...
    let server = serve("127.0.0.2", layer()).await;
    let answer = send(
        "127.0.0.2",
        server.addr,
        &get("/boom", "localhost", "text/html"),
        "",
    )
    .await;
    assert!(answer.header("x-debug-url").is_some());

    // ...but a peer on a real interface is not, whatever it claims.
    let Some(ip) = non_loopback_address() else {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI machines have a non-loopback interface"
        );
        println!("skipped: no non-loopback interface found");
        return;
    };
    let server = serve("0.0.0.0", layer()).await;
    let to = SocketAddr::new(ip, server.addr.port());
    let spoofed = format!(
        "{}X-Forwarded-For: 127.0.0.1\nForwarded: for=127.0.0.1\nX-Real-IP: 127.0.0.1\n",
        get("/boom", "localhost", "text/html")
    );
    let denied = send(&ip.to_string(), to, &spoofed, "").await;
    assert_eq!(denied.status, 500);
    assert_eq!(denied.header("x-debug-url"), None);
    assert!(!denied.body.contains("order book"));
    let index = send(
        &ip.to_string(),
        to,
        &get("/_debug/", "localhost", "text/html"),
        "",
    )
    .await;
    assert_eq!(
        index.body, "ok",
        "the application's answer, not the debugger's"
    );

    // On the allow list, the peer needs the PIN even to view.
    let server = serve("0.0.0.0", layer().allow_peer(ip)).await;
    let to = SocketAddr::new(ip, server.addr.port());
    let pointer = send(
        &ip.to_string(),
        to,
        &get("/boom", "localhost", "text/html"),
        "",
    )
    .await;
    assert_eq!(pointer.status, 500);
    let url = pointer.header("x-debug-url").unwrap().to_owned();
    assert!(
        !pointer.body.contains("order book"),
        "no report before the PIN"
    );
    let page = send(
        &ip.to_string(),
        to,
        &get(&url, "localhost", "text/html"),
        "",
    )
    .await;
    assert_eq!(page.status, 401);
    assert!(page.body.contains("id=\"pin-form\""));
    assert!(!page.body.contains("order book"));
    let (token, csrf) = (page.field("token"), page.field("csrf"));
    let unlocked = send(
        &ip.to_string(),
        to,
        &post(
            "/_debug/pin",
            "localhost",
            &format!("Cookie: tackle_debug_csrf={csrf}\n"),
        ),
        &format!("token={token}&csrf={csrf}&pin={PIN}&next={url}"),
    )
    .await;
    let pin = unlocked.set_cookie("tackle_debug_pin").unwrap();
    let page = send(
        &ip.to_string(),
        to,
        &format!(
            "{}Cookie: tackle_debug_pin={pin}\n",
            get(&url, "localhost", "text/html")
        ),
        "",
    )
    .await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("order book"));
}

#[tokio::test]
async fn action_forms_are_read_up_to_their_limit() {
    const MAX_FORM_BYTES: usize = 256 * 1024;
    let server = serve("127.0.0.1", layer()).await;
    let host = host(&server);
    let (url, page) = failed_page(&server).await;
    let (token, csrf) = (page.field("token"), page.field("csrf"));
    let cookie = format!("Cookie: tackle_debug_csrf={csrf}\n");
    let form = |len: usize| {
        let fields = format!("token={token}&csrf={csrf}&pad=");
        format!("{fields}{}", "x".repeat(len - fields.len()))
    };
    // At the limit the form is read: the answer is about the missing PIN.
    let at = send(
        "127.0.0.1",
        server.addr,
        &post(&format!("{url}/reveal"), &host, &cookie),
        &form(MAX_FORM_BYTES),
    )
    .await;
    assert_eq!(at.status, 401, "{}", at.body);
    // One byte past: 413, naming the limit.
    let past = send(
        "127.0.0.1",
        server.addr,
        &post(&format!("{url}/reveal"), &host, &cookie),
        &form(MAX_FORM_BYTES + 1),
    )
    .await;
    assert_eq!(past.status, 413);
    assert!(past.body.contains("MAX_FORM_BYTES"), "{}", past.body);
}
