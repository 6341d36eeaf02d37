//! The debugger layer through tower's `oneshot`, with the peer given as a
//! `ConnectionInfo` the way servers set it.

use std::convert::Infallible;
use std::io;

use http::{Request, Response, StatusCode};
use http_body_util::BodyExt;
use tackle_debugger::DebuggerLayer;
use tackle_report::{ErrorReport, ResponseReportExt, install_panic_hook};
use tackle_request::ConnectionInfo;
use tower::{Layer, Service, ServiceExt};

const XSS: &str = "<script>alert('pwned')</script> & \"quoted\"";
const XSS_ESCAPED: &str =
    "&lt;script&gt;alert(&#x27;pwned&#x27;)&lt;/script&gt; &amp; &quot;quoted&quot;";

/// `/panic` panics, `/attached` answers a 500 with a report, `/plain500` a
/// bare 500, anything else 200.
async fn handler<B>(request: Request<B>) -> Result<Response<String>, Infallible> {
    match request.uri().path() {
        "/panic" => {
            panic!("{XSS}"); // PANIC-SITE-MARKER
        }
        "/attached" => {
            let mut report = ErrorReport::from_error(io::Error::other("could not save the order"));
            report.causes.push("disk on fire".to_owned());
            let mut response = Response::new("sorry".to_owned()).with_report(report);
            *response.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
            Ok(response)
        }
        "/plain500" => {
            let mut response = Response::new("bare".to_owned());
            *response.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
            Ok(response)
        }
        _ => Ok(Response::new("hello".to_owned())),
    }
}

fn layer() -> DebuggerLayer {
    install_panic_hook();
    DebuggerLayer::new()
        .enabled(true)
        .app_root(tackle_debugger::app_root!())
}

fn request(
    path: &str,
    peer: Option<&str>,
    host: Option<&str>,
    accept: Option<&str>,
) -> Request<String> {
    let mut builder = Request::builder().uri(path);
    if let Some(host) = host {
        builder = builder.header("host", host);
    }
    if let Some(accept) = accept {
        builder = builder.header("accept", accept);
    }
    let mut request = builder
        .header("x-evil", XSS.replace('"', "'"))
        .header("authorization", format!("Bearer {TOKEN}"))
        .body(String::new())
        .unwrap();
    if let Some(peer) = peer {
        request
            .extensions_mut()
            .insert(ConnectionInfo::new(peer.parse().unwrap()));
    }
    request
}

fn local(path: &str, accept: Option<&str>) -> Request<String> {
    request(
        path,
        Some("127.0.0.1:50000"),
        Some("localhost:3000"),
        accept,
    )
}

/// Secrets, spelled so that the source lines the pages show never contain them.
const TOKEN: &str = concat!("super-", "secret-", "token");
const PASSWORD: &str = concat!("hun", "ter", "2");

const HTML: Option<&str> = Some("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8");

struct Answer {
    status: StatusCode,
    headers: http::HeaderMap,
    body: String,
}

async fn send<S, B>(service: &mut S, request: Request<String>) -> Answer
where
    S: Service<Request<String>, Response = Response<B>, Error = Infallible>,
    B: http_body::Body,
    B::Error: std::fmt::Debug,
{
    let response = service.ready().await.unwrap().call(request).await.unwrap();
    let (parts, body) = response.into_parts();
    let bytes = body.collect().await.unwrap().to_bytes();
    Answer {
        status: parts.status,
        headers: parts.headers,
        body: String::from_utf8(bytes.to_vec()).unwrap(),
    }
}

fn service(
    layer: &DebuggerLayer,
) -> impl Service<
    Request<String>,
    Response = Response<impl http_body::Body<Error = impl std::fmt::Debug>>,
    Error = Infallible,
> + Clone {
    layer.layer(tower::service_fn(
        handler::<tackle_debugger::RequestBody<String>>,
    ))
}

fn debug_url(answer: &Answer) -> String {
    answer
        .headers
        .get("x-debug-url")
        .expect("X-Debug-Url")
        .to_str()
        .unwrap()
        .to_owned()
}

fn assert_security_headers(answer: &Answer) {
    let csp = answer.headers["content-security-policy"].to_str().unwrap();
    assert!(
        csp.starts_with("default-src 'none'; style-src 'nonce-"),
        "{csp}"
    );
    for part in [
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "img-src 'self'",
    ] {
        assert!(csp.contains(part), "{csp}");
    }
    let nonce = csp
        .split("'nonce-")
        .nth(1)
        .and_then(|rest| rest.split('\'').next())
        .unwrap();
    assert_eq!(nonce.len(), 32);
    if answer.headers[http::header::CONTENT_TYPE]
        .to_str()
        .unwrap()
        .starts_with("text/html")
    {
        assert!(answer.body.contains(&format!("<style nonce=\"{nonce}\">")));
    }
    assert_eq!(answer.headers["x-content-type-options"], "nosniff");
    assert_eq!(answer.headers["cache-control"], "no-store");
    assert_eq!(answer.headers["referrer-policy"], "no-referrer");
}

#[tokio::test]
async fn panic_from_loopback_gets_the_page() {
    let layer = layer();
    let mut app = service(&layer);
    let answer = send(&mut app, local("/panic", HTML)).await;
    assert_eq!(answer.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert!(
        answer.headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html"),
    );
    assert_security_headers(&answer);
    let url = debug_url(&answer);
    assert!(
        url.starts_with("/_debug/") && url.len() == "/_debug/".len() + 32,
        "{url}"
    );

    let body = &answer.body;
    // The message, escaped, and nowhere raw.
    assert!(body.contains(XSS_ESCAPED), "{body}");
    assert_eq!(
        body.matches("<script").count(),
        body.matches("<script nonce=\"").count(),
        "the only scripts are the page's own, with the nonce"
    );
    assert!(!body.contains("<script>"), "{body}");
    assert!(!body.contains("alert('pwned')"));
    // The header value too; the authorization header scrubbed.
    assert!(body.contains("&lt;script&gt;alert(&#x27;pwned&#x27;)"));
    assert!(!body.contains(TOKEN), "{body}");
    // The kind, the location and the failing source line, marked.
    assert!(body.contains("PANIC"));
    assert!(body.contains("tests/debugger.rs"), "{body}");
    let hit = body
        .split("<tr class=\"hit\">")
        .nth(1)
        .expect("a marked source line")
        .split("</tr>")
        .next()
        .unwrap();
    assert!(hit.contains("PANIC-SITE-MARKER"), "{hit}");
    assert!(hit.contains("panic!(&quot;{XSS}&quot;);"), "{hit}");
    // Context lines around it.
    assert!(body.contains("&quot;/panic&quot; =&gt; {"));
    // Each page gets a fresh nonce.
    let again = send(&mut app, local("/panic", HTML)).await;
    assert_ne!(
        answer.headers["content-security-policy"],
        again.headers["content-security-policy"]
    );
}

#[tokio::test]
async fn json_negotiation_has_debug_url() {
    let layer = layer();
    let mut app = service(&layer);
    let answer = send(&mut app, local("/panic", Some("application/json"))).await;
    assert_eq!(answer.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(answer.headers["content-type"], "application/problem+json");
    let url = debug_url(&answer);
    let value: serde_json::Value = serde_json::from_str(&answer.body).unwrap();
    assert_eq!(value["debug_url"], url.as_str());
    assert_eq!(value["status"], 500);
    assert!(value["title"].as_str().unwrap().starts_with("PANIC: "));
    assert_eq!(value["report"]["message"], XSS);
    assert!(!answer.body.contains(TOKEN));
    assert_security_headers(&answer);
}

#[tokio::test]
async fn text_negotiation_and_attached_reports() {
    let layer = layer();
    let mut app = service(&layer);
    for accept in [None, Some("*/*"), Some("text/plain")] {
        let answer = send(&mut app, local("/attached", accept)).await;
        assert_eq!(answer.status, StatusCode::INTERNAL_SERVER_ERROR);
        assert!(
            answer.headers["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/plain")
        );
        let url = debug_url(&answer);
        assert!(
            answer.body.contains("could not save the order"),
            "{}",
            answer.body
        );
        assert!(answer.body.contains(&format!("Debug page: {url}")));
        assert!(!answer.body.contains(TOKEN));
    }
    // A bare 500 (no report) passes through untouched.
    let answer = send(&mut app, local("/plain500", HTML)).await;
    assert_eq!(answer.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(answer.body, "bare");
    assert!(answer.headers.get("x-debug-url").is_none());
    // Success untouched.
    let answer = send(&mut app, local("/", HTML)).await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(answer.body, "hello");
    assert!(answer.headers.get("content-security-policy").is_none());
}

#[tokio::test]
async fn attached_report_page_shows_causes_request_and_response() {
    let layer = layer();
    let mut app = service(&layer);
    let path = format!("/attached?password={PASSWORD}&page=3");
    let answer = send(&mut app, local(&path, HTML)).await;
    let page = &answer.body;
    assert!(page.contains("could not save the order"));
    assert!(page.contains("disk on fire"), "{page}");
    assert!(page.contains("<h2>Request</h2>"));
    assert!(
        page.contains("/attached?password=[REDACTED]&amp;page=3"),
        "{page}"
    );
    assert!(!page.contains(PASSWORD), "{page}");
    assert!(
        page.contains("<th class=\"mono\">authorization</th><td class=\"mono\">[REDACTED]</td>")
    );
    assert!(page.contains("<h2>Response</h2>"));
    // Also reachable by its URL later.
    let url = debug_url(&answer);
    let later = send(&mut app, local(&url, HTML)).await;
    assert_eq!(later.status, StatusCode::OK);
    assert!(later.body.contains("could not save the order"));
    assert_security_headers(&later);
}

#[tokio::test]
async fn index_lists_newest_first_and_unknown_ids_get_a_friendly_404() {
    let layer = layer();
    let mut app = service(&layer);
    let first = debug_url(&send(&mut app, local("/panic", HTML)).await);
    let second = debug_url(&send(&mut app, local("/attached", HTML)).await);
    for path in ["/_debug/", "/_debug"] {
        let index = send(&mut app, local(path, HTML)).await;
        assert_eq!(index.status, StatusCode::OK);
        assert_security_headers(&index);
        let a = index.body.find(&second).expect("second listed");
        let b = index.body.find(&first).expect("first listed");
        assert!(a < b, "newest first");
        assert!(index.body.contains("could not save the order"));
        assert!(index.body.contains(XSS_ESCAPED));
        assert!(!index.body.contains("<script>"));
    }
    for path in [
        "/_debug/00000000000000000000000000000000",
        "/_debug/not-an-id",
        "/_debug/%3Cscript%3E",
        "/_debug/a/b",
    ] {
        let answer = send(&mut app, local(path, HTML)).await;
        assert_eq!(answer.status, StatusCode::NOT_FOUND, "{path}");
        assert!(answer.body.contains("Report not found"));
        assert!(answer.body.contains("href=\"/_debug/\""));
        assert!(!answer.body.contains("<script>"));
        assert_security_headers(&answer);
    }
    let mut post = local("/_debug/", HTML);
    *post.method_mut() = http::Method::POST;
    let answer = send(&mut app, post).await;
    assert_eq!(answer.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(answer.headers["allow"], "GET");
}

/// A denied request sees exactly what it would without the layer: the
/// generic 500 of CatchPanic for a panic, and no debugger route.
async fn assert_untouched(layer: DebuggerLayer, peer: Option<&str>, host: Option<&str>) {
    let mut app = service(&layer);
    let answer = send(&mut app, request("/panic", peer, host, HTML)).await;
    assert_eq!(answer.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert!(answer.headers.get("x-debug-url").is_none());
    assert!(answer.headers.get("content-security-policy").is_none());
    assert!(!answer.body.contains("pwned"), "{}", answer.body);
    assert!(!answer.body.contains("PANIC-SITE-MARKER"));
    let answer = send(&mut app, request("/attached", peer, host, HTML)).await;
    assert_eq!(answer.body, "sorry");
    assert!(answer.headers.get("x-debug-url").is_none());
    // The debugger's routes belong to the inner service then.
    let answer = send(&mut app, request("/_debug/", peer, host, HTML)).await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(answer.body, "hello");
}

#[tokio::test]
async fn untrusted_host_is_untouched() {
    assert_untouched(layer(), Some("127.0.0.1:50000"), Some("evil.example")).await;
    assert_untouched(
        layer(),
        Some("127.0.0.1:50000"),
        Some("localhost.evil.example"),
    )
    .await;
    assert_untouched(layer(), Some("127.0.0.1:50000"), None).await;
}

#[tokio::test]
async fn non_loopback_peer_is_untouched() {
    assert_untouched(layer(), Some("192.168.1.20:50000"), Some("localhost")).await;
    assert_untouched(layer(), Some("[2001:db8::1]:50000"), Some("localhost")).await;
}

#[tokio::test]
async fn missing_peer_is_untouched() {
    assert_untouched(layer(), None, Some("localhost")).await;
}

#[tokio::test]
async fn disabled_is_untouched() {
    install_panic_hook();
    assert_untouched(
        DebuggerLayer::new(),
        Some("127.0.0.1:50000"),
        Some("localhost"),
    )
    .await;
    assert_untouched(
        DebuggerLayer::new().enabled(false),
        Some("127.0.0.1:50000"),
        Some("localhost"),
    )
    .await;
}

#[tokio::test]
async fn other_trusted_hosts() {
    let layer = layer().trusted_host("dev.test");
    let mut app = service(&layer);
    for (peer, host) in [
        ("127.0.0.1:1", "dev.test:8080"),
        ("127.0.0.1:1", "shop.localhost:3000"),
        ("[::1]:1", "[::1]:3000"),
        ("127.0.0.1:1", "127.0.0.1:3000"),
    ] {
        let answer = send(&mut app, request("/panic", Some(peer), Some(host), HTML)).await;
        assert!(answer.headers.get("x-debug-url").is_some(), "{peer} {host}");
    }
}

#[tokio::test]
async fn ring_is_bounded() {
    let layer = layer().capacity(3);
    let mut app = service(&layer);
    let mut urls = Vec::new();
    for _ in 0..5 {
        urls.push(debug_url(&send(&mut app, local("/attached", HTML)).await));
    }
    let index = send(&mut app, local("/_debug/", HTML)).await;
    assert_eq!(
        index.body.matches("href=\"/_debug/").count(),
        3,
        "{}",
        index.body
    );
    for url in &urls[..2] {
        assert!(!index.body.contains(url.as_str()));
        assert_eq!(
            send(&mut app, local(url, HTML)).await.status,
            StatusCode::NOT_FOUND
        );
    }
    for url in &urls[2..] {
        assert!(index.body.contains(url.as_str()));
        assert_eq!(
            send(&mut app, local(url, HTML)).await.status,
            StatusCode::OK
        );
    }
}

#[tokio::test]
async fn layers_share_nothing_but_clones_share_the_ring() {
    let layer = layer();
    let mut one = service(&layer);
    let mut two = one.clone();
    let url = debug_url(&send(&mut one, local("/attached", HTML)).await);
    assert_eq!(
        send(&mut two, local(&url, HTML)).await.status,
        StatusCode::OK
    );
    let other_layer = self::layer();
    let mut other = service(&other_layer);
    assert_eq!(
        send(&mut other, local(&url, HTML)).await.status,
        StatusCode::NOT_FOUND
    );
}

/// axum's `Router`, wrapped whole and through `Router::layer`.
#[tokio::test]
async fn composes_with_axum() {
    use axum::body::Body;
    use axum::routing::get;

    install_panic_hook();
    let routes = || {
        axum::Router::new()
            .route("/ok", get(|| async { "fine" }))
            .route(
                "/boom",
                get(|| async {
                    if true {
                        panic!("axum handler gave up");
                    }
                    "never"
                }),
            )
    };
    let request = |path: &str| {
        let mut request = Request::builder()
            .uri(path)
            .header("host", "localhost")
            .header("accept", "text/html")
            .body(Body::empty())
            .unwrap();
        request
            .extensions_mut()
            .insert(ConnectionInfo::new("127.0.0.1:40000".parse().unwrap()));
        request
    };
    check_axum("around the router", layer().layer(routes()), request).await;
    check_axum("Router::layer", routes().layer(layer()), request).await;
}

async fn check_axum<S, B>(name: &str, app: S, request: impl Fn(&str) -> Request<axum::body::Body>)
where
    S: Service<Request<axum::body::Body>, Response = Response<B>, Error = Infallible> + Clone,
    B: http_body::Body,
    B::Error: std::fmt::Debug,
{
    let ok = app.clone().oneshot(request("/ok")).await.unwrap();
    assert_eq!(ok.status(), StatusCode::OK, "{name}");
    let failed = app.clone().oneshot(request("/boom")).await.unwrap();
    assert_eq!(failed.status(), StatusCode::INTERNAL_SERVER_ERROR, "{name}");
    assert!(failed.headers().contains_key("x-debug-url"), "{name}");
    let page = failed.into_body().collect().await.unwrap().to_bytes();
    let page = String::from_utf8_lossy(&page);
    assert!(page.contains("axum handler gave up"), "{name}");
}
