//! The router with the rest of the tower world: served by bare hyper over
//! a socket, as axum's `fallback_service`, under tower-http's `TraceLayer`
//! and `CompressionLayer`, and with `ServiceBuilder` stacks on one route,
//! on every route (`route_layer`) and around the whole router.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use http::header::CONTENT_LENGTH;
use http::{HeaderName, HeaderValue, Method, StatusCode};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::service::TowerToHyperService;
use tackle_request::response::Response;
use tackle_request::{Body, BoxError, HttpError, Request, handler};
use tackle_routing::{MountPrefix, Router, get, post};
use tackle_testing::TestClient;
use tokio::net::TcpListener;
use tower::{ServiceBuilder, ServiceExt};
use tower_http::compression::CompressionLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;

type Reply = Result<http::Response<Body>, HttpError>;

/// The router's 404 as plain text.
const NOT_FOUND: &str = "404 Not Found: The requested URL was not found on the server.\n";
/// The router's 405 as plain text (the methods are in `Allow`).
const NOT_ALLOWED: &str =
    "405 Method Not Allowed: The method is not allowed for the requested URL.\n";

/// `GET /users/{id:uint}`: what the router told the handler.
async fn show_user<B>(request: Request<B>) -> Reply {
    let params = request.path_params().ok_or_else(HttpError::not_found)?;
    let id: u64 = params.get("id")?;
    let url = request.url_for("user.show", &[("id", &id.to_string())])?;
    let route = request.matched_route().map_or("", |route| route.as_str());
    Ok(Response::text(format!("user {id} at {url} via {route}")))
}

/// `POST /echo`: the request body, read through whatever body type the
/// server hands over.
async fn echo<B>(mut request: Request<B>) -> Reply
where
    B: http_body::Body + Unpin,
    B::Error: Into<BoxError>,
{
    Ok(Response::text(request.text().await?))
}

/// The app every test composes, for any request body type.
fn users<B>() -> Router<B>
where
    B: http_body::Body<Data = Bytes> + Send + Unpin + 'static,
    B::Error: Into<BoxError>,
{
    Router::new()
        .route(
            "/users/{id:uint}",
            get(handler(show_user::<B>)).name("user.show"),
        )
        .route("/echo", post(handler(echo::<B>)))
}

/// What a socket test checks of a response.
struct Seen {
    status: StatusCode,
    headers: http::HeaderMap,
    body: String,
}

/// Sends one request with a hyper client and reads the whole response.
async fn fetch(
    client: &Client<HttpConnector, Full<Bytes>>,
    addr: SocketAddr,
    method: &Method,
    path: &str,
    body: &'static str,
) -> Seen {
    let request = http::Request::builder()
        .method(method)
        .uri(format!("http://{addr}{path}"))
        // The router's errors in their shortest form (HTML without it).
        .header("accept", "text/plain")
        .body(Full::new(Bytes::from_static(body.as_bytes())))
        .unwrap();
    let response = client.request(request).await.unwrap();
    let (parts, body) = response.into_parts();
    let body = body.collect().await.unwrap().to_bytes();
    Seen {
        status: parts.status,
        headers: parts.headers,
        body: String::from_utf8(body.to_vec()).unwrap(),
    }
}

fn client() -> Client<HttpConnector, Full<Bytes>> {
    Client::builder(TokioExecutor::new()).build_http()
}

/// A request sent over a socket and what must come back: `"METHOD /path
/// body"` (the body optional), the status, the response body, and a
/// header the response must have.
type SocketCase = (
    &'static str,
    u16,
    &'static str,
    Option<(&'static str, &'static str)>,
);

/// Sends each case's request to `addr` with a hyper client and checks the
/// response.
async fn check_over_socket(addr: SocketAddr, cases: &[SocketCase]) {
    let client = client();
    for &(request, status, body, header) in cases {
        let mut words = request.splitn(3, ' ');
        let method = Method::from_bytes(words.next().unwrap().as_bytes()).unwrap();
        let path = words.next().unwrap();
        let sent = words.next().unwrap_or("");
        let seen = fetch(&client, addr, &method, path, sent).await;
        assert_eq!(seen.status, status, "{request}: {}", seen.body);
        assert_eq!(seen.body, body, "{request}");
        if let Some((name, value)) = header {
            assert_eq!(seen.headers[name], value, "{request}");
        }
    }
}

#[tokio::test]
async fn served_by_bare_hyper_over_a_socket() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    // hyper's own body type, as hyper hands it over: no wrapping needed.
    let router: Router<Incoming> = users();
    tokio::spawn(async move {
        let service = TowerToHyperService::new(router);
        loop {
            let (stream, _) = listener.accept().await.unwrap();
            let connection =
                http1::Builder::new().serve_connection(TokioIo::new(stream), service.clone());
            tokio::spawn(connection);
        }
    });

    let via = "user 42 at /users/42 via /users/{id:uint}";
    let allow = Some(("allow", "GET, HEAD, OPTIONS"));
    check_over_socket(
        addr,
        &[
            ("GET /users/42", 200, via, None),
            ("GET /users/042", 200, via, None),
            ("POST /echo hello over hyper", 200, "hello over hyper", None),
            ("GET /users/x", 404, NOT_FOUND, None),
            ("DELETE /users/42", 405, NOT_ALLOWED, allow),
            ("OPTIONS /echo", 204, "", Some(("allow", "POST, OPTIONS"))),
            (
                "GET /users/42/?tab=repos",
                308,
                "",
                Some(("location", "/users/42?tab=repos")),
            ),
        ],
    )
    .await;

    // HEAD is the GET's head: its length, no body.
    let head = fetch(&client(), addr, &Method::HEAD, "/users/42", "").await;
    assert_eq!(head.status, 200);
    assert_eq!(head.headers[CONTENT_LENGTH], via.len().to_string());
    assert_eq!(head.body, "");
}

#[tokio::test]
async fn as_axum_fallback_service_after_axum_routes() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    // axum matches first; whatever it has no route for is ours, with our
    // 404 and 405.
    let app = axum::Router::new()
        .route("/", axum::routing::get(|| async { "axum home" }))
        .route("/users/me", axum::routing::get(|| async { "axum me" }))
        .fallback_service(users::<axum::body::Body>());
    tokio::spawn(async move { axum::serve(listener, app).await });

    check_over_socket(
        addr,
        &[
            ("GET /", 200, "axum home", None),
            ("GET /users/me", 200, "axum me", None),
            // Our routes, with our PathParams, MatchedRoute and url_for.
            (
                "GET /users/7",
                200,
                "user 7 at /users/7 via /users/{id:uint}",
                None,
            ),
            ("POST /echo axum body", 200, "axum body", None),
            ("GET /nope", 404, NOT_FOUND, None),
            (
                "PUT /users/7",
                405,
                NOT_ALLOWED,
                Some(("allow", "GET, HEAD, OPTIONS")),
            ),
            ("GET /users/7/", 308, "", Some(("location", "/users/7"))),
        ],
    )
    .await;
}

/// The CRC-32 of `data` (IEEE, as gzip's trailer has it).
fn crc32(data: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &byte in data {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

#[tokio::test]
async fn under_trace_and_compression_layers() {
    // Long enough for CompressionLayer's default predicate (over 32 bytes).
    let page = "routing under tower-http ".repeat(40);
    let router = users::<Body>().route(
        "/page",
        get(handler({
            let page = page.clone();
            move |_: Request<Body>| {
                let page = page.clone();
                async move { Ok::<_, HttpError>(Response::text(page)) }
            }
        })),
    );
    let statuses = Arc::new(Mutex::new(Vec::new()));
    let on_response = {
        let statuses = statuses.clone();
        move |response: &http::Response<_>, _: std::time::Duration, _: &_| {
            statuses.lock().unwrap().push(response.status().as_u16());
        }
    };
    let app = ServiceBuilder::new()
        .layer(TraceLayer::new_for_http().on_response(on_response))
        .layer(CompressionLayer::new())
        .service(router);
    let client = TestClient::new(app);

    let gzipped = client
        .get("/page")
        .header("accept-encoding", "gzip")
        .send()
        .await;
    assert_eq!(gzipped.status(), 200);
    assert_eq!(gzipped.header("content-encoding"), Some("gzip"));
    let gz = gzipped.bytes();
    // The gzip magic, and a trailer whose CRC and length are the page's.
    assert_eq!(&gz[..2], [0x1f, 0x8b]);
    let trailer = &gz[gz.len() - 8..];
    assert_eq!(trailer[..4], crc32(page.as_bytes()).to_le_bytes());
    assert_eq!(trailer[4..], (page.len() as u32).to_le_bytes());
    assert!(gz.len() < page.len() / 4, "{} bytes", gz.len());

    let plain = client.get("/page").send().await;
    assert_eq!(plain.header("content-encoding"), None);
    assert_eq!(plain.text(), page);

    // The router's own answers go through the layers too.
    assert_eq!(
        client.get("/users/3").send().await.text(),
        "user 3 at /users/3 via /users/{id:uint}"
    );
    assert_eq!(client.get("/users/x").send().await.status(), 404);
    assert_eq!(client.delete("/users/3").send().await.status(), 405);
    assert_eq!(client.get("/page/").send().await.status(), 308);
    assert_eq!(*statuses.lock().unwrap(), [200, 200, 200, 404, 405, 308]);
}

const METHOD_LAYER: HeaderName = HeaderName::from_static("x-method-layer");
const METHOD_LAYER_TOO: HeaderName = HeaderName::from_static("x-method-layer-too");
const ROUTE_LAYER: HeaderName = HeaderName::from_static("x-route-layer");
const OUTER: HeaderName = HeaderName::from_static("x-outer");

fn ok() -> tackle_request::Handler<impl Fn(Request<Body>) -> std::future::Ready<Reply> + Clone> {
    handler(|_: Request<Body>| std::future::ready(Ok(Response::text("ok"))))
}

#[tokio::test]
async fn service_builder_layers_on_a_route_on_every_route_and_around_the_router() {
    // Two layers on one route's services, stacked by a ServiceBuilder.
    let per_route = ServiceBuilder::new()
        .layer(SetResponseHeaderLayer::overriding(
            METHOD_LAYER,
            HeaderValue::from_static("yes"),
        ))
        .map_response(|mut response: http::Response<Body>| {
            response
                .headers_mut()
                .insert(METHOD_LAYER_TOO, HeaderValue::from_static("yes"));
            response
        });
    let mounted = Router::new().route("/x", get(ok()));
    let router = Router::new()
        .route("/a", get(ok()).put(ok()).layer(per_route))
        .route("/b", get(ok()).post(ok()))
        .mount("/sub", mounted)
        .route_layer(
            ServiceBuilder::new().layer(SetResponseHeaderLayer::if_not_present(
                ROUTE_LAYER,
                HeaderValue::from_static("yes"),
            )),
        )
        // Added after `route_layer`: not wrapped by it.
        .route("/late", get(ok()));
    let whole = ServiceBuilder::new()
        .layer(SetResponseHeaderLayer::overriding(
            OUTER,
            HeaderValue::from_static("yes"),
        ))
        .service(router.clone());

    // (method, path, status, through the method layers, through route_layer)
    let cases: &[(Method, &str, u16, bool, bool)] = &[
        (Method::GET, "/a", 200, true, true),
        (Method::PUT, "/a", 200, true, true),
        // HEAD is answered by the GET service, layers included.
        (Method::HEAD, "/a", 200, true, true),
        // The router's own answers are not a route's.
        (Method::POST, "/a", 405, false, false),
        (Method::OPTIONS, "/a", 204, false, false),
        (Method::GET, "/a/", 308, false, false),
        (Method::GET, "/b", 200, false, true),
        (Method::DELETE, "/b", 405, false, false),
        (Method::GET, "/sub/x", 200, false, true),
        (Method::GET, "/sub/y", 404, false, false),
        (Method::GET, "/late", 200, false, false),
        (Method::GET, "/nope", 404, false, false),
    ];
    let inner = TestClient::new(router);
    let outer = TestClient::new(whole);
    for (method, path, status, method_layer, route_layer) in cases {
        let response = inner.request(method.clone(), path).send().await;
        let case = format!("{method} {path}");
        assert_eq!(response.status(), *status, "{case}");
        assert_eq!(
            response.headers().contains_key(METHOD_LAYER),
            *method_layer,
            "{case}"
        );
        assert_eq!(
            response.headers().contains_key(METHOD_LAYER_TOO),
            *method_layer,
            "{case}"
        );
        assert_eq!(
            response.headers().contains_key(ROUTE_LAYER),
            *route_layer,
            "{case}"
        );
        assert!(!response.headers().contains_key(OUTER), "{case}");

        // Around the whole router, a layer sees every answer.
        let response = outer.request(method.clone(), path).send().await;
        assert_eq!(response.status(), *status, "outer {case}");
        assert_eq!(response.header("x-outer"), Some("yes"), "outer {case}");
    }

    // A HEAD through the layers still says how long the GET body is.
    let head = inner.head("/a").send().await;
    assert_eq!(head.headers()[CONTENT_LENGTH], "2");
    assert!(head.bytes().is_empty());
}

#[tokio::test]
async fn under_axum_nest_service_once_told_the_prefix() {
    // axum strips `/api` without a word to the router, whose redirects and
    // URLs would then miss it; a MountPrefix put in by a layer tells it.
    let told = ServiceBuilder::new()
        .map_request(|mut request: http::Request<axum::body::Body>| {
            request.extensions_mut().insert(MountPrefix::new("/api"));
            request
        })
        .service(users::<axum::body::Body>());
    let app = axum::Router::new().nest_service("/api", told);

    // (path, status, body, Location)
    let cases: &[(&str, u16, &str, Option<&str>)] = &[
        (
            "/api/users/7",
            200,
            "user 7 at /api/users/7 via /api/users/{id:uint}",
            None,
        ),
        ("/api/users/7/?tab=x", 308, "", Some("/api/users/7?tab=x")),
        ("/api/nope", 404, NOT_FOUND, None),
    ];
    for &(path, status, body, location) in cases {
        let request = http::Request::builder()
            .uri(path)
            .header("accept", "text/plain")
            .body(axum::body::Body::empty())
            .unwrap();
        let response = app.clone().oneshot(request).await.unwrap();
        assert_eq!(response.status(), status, "{path}");
        let found = response.headers().get("location");
        assert_eq!(found.map(|l| l.to_str().unwrap()), location, "{path}");
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        assert_eq!(bytes, body.as_bytes(), "{path}");
    }
}
