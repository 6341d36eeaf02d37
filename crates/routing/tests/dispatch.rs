//! Dispatch end to end, through `TestClient`: converters accepting and
//! rejecting (a rejection is a `404` or another route, never a `500`),
//! methods (`405`, `HEAD`, `OPTIONS`), error bodies by `Accept`, what a
//! handler finds in its request (`PathParams`, `MatchedRoute`), and failing
//! services.

use std::convert::Infallible;
use std::future::{Ready, ready};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use bytes::Bytes;
use http::{HeaderValue, Method, StatusCode};
use http_body::Frame;
use http_body_util::BodyExt;
use tackle_request::response::Response;
use tackle_request::{Body, Handler, HttpError, Request, handler};
use tackle_routing::{
    Converter, ConverterArgs, Router, ServiceError, any, delete, get, head, on, options, post,
};
use tackle_testing::TestClient;
use tower::ServiceExt;

type App = Router<Body>;

/// A function from the request to a ready answer, as `reply` and
/// `respond_with` make them.
type Answer = Ready<Result<http::Response<Body>, HttpError>>;

/// A handler answering `label` followed by ` name=value` for each path
/// parameter; `label` is also sent in `x-route`, which survives `HEAD`.
fn reply(
    label: &'static str,
) -> Handler<impl Fn(Request<Body>) -> Answer + Clone + Send + Sync + 'static> {
    respond_with(move |request| {
        let mut response = Response::text(describe(label, request));
        response
            .headers_mut()
            .insert("x-route", HeaderValue::from_static(label));
        Ok(response)
    })
}

/// A handler made of a synchronous function of the request.
fn respond_with<F>(
    f: F,
) -> Handler<impl Fn(Request<Body>) -> Answer + Clone + Send + Sync + 'static>
where
    F: Fn(&Request<Body>) -> Result<http::Response<Body>, HttpError> + Send + Sync + 'static,
{
    let f = Arc::new(f);
    handler(move |request: Request<Body>| ready(f(&request)))
}

fn describe(label: &str, request: &Request<Body>) -> String {
    let mut text = label.to_owned();
    for (name, value) in request.path_params().into_iter().flat_map(|p| p.iter()) {
        text.push_str(&format!(" {name}={value}"));
    }
    text
}

#[tokio::test]
async fn builtin_converters_accept_or_answer_404() {
    let app = App::new()
        .route("/int/{v:int}", get(reply("int")))
        .route("/uint/{v:uint}", get(reply("uint")))
        .route("/float/{v:float}", get(reply("float")))
        .route("/uuid/{v:uuid}", get(reply("uuid")))
        .route("/lang/{v:any(en,de,fr)}", get(reply("any")))
        .route("/slug/{v:string(min=2,max=5)}", get(reply("string")))
        .route("/code/{v:string(length=3)}", get(reply("length")))
        .route("/page/{v:int(min=1,max=10)}", get(reply("bounded")))
        .route("/files/{v:path}", get(reply("path")))
        .route("/star/{*v}", get(reply("star")))
        .route("/plain/{v}", get(reply("plain")));
    let client = TestClient::new(app);
    let long_float = format!("/float/1{}", "0".repeat(400));
    // (path, the body of the route that answers, or None for 404)
    let cases: &[(&str, Option<&str>)] = &[
        ("/int/42", Some("int v=42")),
        ("/int/-42", Some("int v=-42")),
        ("/int/007", Some("int v=007")),
        ("/int/%34%32", Some("int v=42")),
        (
            "/int/-9223372036854775808",
            Some("int v=-9223372036854775808"),
        ),
        ("/int/9223372036854775808", None),
        ("/int/+42", None),
        ("/int/4.2", None),
        ("/int/1e3", None),
        ("/int/abc", None),
        ("/int/-", None),
        (
            "/uint/18446744073709551615",
            Some("uint v=18446744073709551615"),
        ),
        ("/uint/18446744073709551616", None),
        ("/uint/-1", None),
        ("/float/1.5", Some("float v=1.5")),
        ("/float/-0.25", Some("float v=-0.25")),
        ("/float/3", Some("float v=3")),
        ("/float/.5", None),
        ("/float/1.", None),
        ("/float/1e3", None),
        ("/float/inf", None),
        ("/float/NaN", None),
        (&long_float, None),
        (
            "/uuid/550e8400-e29b-41d4-a716-446655440000",
            Some("uuid v=550e8400-e29b-41d4-a716-446655440000"),
        ),
        (
            "/uuid/550E8400-E29B-41D4-A716-446655440000",
            Some("uuid v=550E8400-E29B-41D4-A716-446655440000"),
        ),
        ("/uuid/550e8400e29b41d4a716446655440000", None),
        ("/uuid/550e8400-e29b-41d4-a716-44665544000g", None),
        ("/lang/en", Some("any v=en")),
        ("/lang/fr", Some("any v=fr")),
        ("/lang/es", None),
        ("/lang/EN", None),
        ("/slug/ab", Some("string v=ab")),
        ("/slug/abcde", Some("string v=abcde")),
        // Five characters, eight bytes: bounds count characters.
        ("/slug/h%C3%A9llo", Some("string v=héllo")),
        ("/slug/a", None),
        ("/slug/abcdef", None),
        ("/code/abc", Some("length v=abc")),
        ("/code/ab", None),
        ("/code/abcd", None),
        ("/page/1", Some("bounded v=1")),
        ("/page/10", Some("bounded v=10")),
        ("/page/0", None),
        ("/page/11", None),
        ("/files/a", Some("path v=a")),
        (
            "/files/docs/2024/report.pdf",
            Some("path v=docs/2024/report.pdf"),
        ),
        ("/files/", None),
        ("/star/x/y", Some("star v=x/y")),
        ("/plain/%2F", Some("plain v=/")),
        ("/plain/", None),
    ];
    for &(path, expected) in cases {
        let response = client.get(path).send().await;
        match expected {
            Some(body) => {
                assert_eq!(response.status(), StatusCode::OK, "{path}");
                assert_eq!(response.text(), body, "{path}");
            }
            None => assert_eq!(response.status(), StatusCode::NOT_FOUND, "{path}"),
        }
    }
}

/// `on` and `off`, as a `bool`: a user converter with its own value type.
struct Switch;

impl Converter for Switch {
    type Value = bool;

    fn parse(&self, segment: &str) -> Option<bool> {
        match segment {
            "on" => Some(true),
            "off" => Some(false),
            _ => None,
        }
    }

    fn format(&self, value: &bool) -> String {
        if *value { "on" } else { "off" }.to_owned()
    }
}

/// `hex(digits=N)`: exactly N hexadecimal digits, any case, written back in
/// lowercase.
struct Hex {
    digits: usize,
}

impl Converter for Hex {
    type Value = String;

    fn parse(&self, segment: &str) -> Option<String> {
        let fits = segment.len() == self.digits && segment.bytes().all(|b| b.is_ascii_hexdigit());
        fits.then(|| segment.to_ascii_lowercase())
    }

    fn format(&self, value: &String) -> String {
        value.clone()
    }
}

fn hex_factory(args: &ConverterArgs) -> Result<Hex, String> {
    args.only_keywords(&["digits"])?;
    Ok(Hex {
        digits: args.parse_keyword("digits")?.unwrap_or(4),
    })
}

#[tokio::test]
async fn user_converters_route_build_and_report_bad_arguments() {
    let app = App::new()
        .converter("switch", |_| Ok(Switch))
        .converter("hex", hex_factory)
        .route("/light/{state:switch}", get(reply("switch")))
        .route(
            "/color/{rgb:hex(digits=6)}",
            get(reply("hex")).name("color"),
        )
        .route("/color/{name}", get(reply("named color")))
        .route("/short/{v:hex}", get(reply("short hex")));
    let cases: &[(&str, Option<&str>)] = &[
        ("/light/on", Some("switch state=on")),
        ("/light/off", Some("switch state=off")),
        ("/light/dim", None),
        ("/light/ON", None),
        // A user converter is tried before the default one of the same shape.
        ("/color/ff00AA", Some("hex rgb=ff00AA")),
        ("/color/red", Some("named color name=red")),
        ("/color/fff", Some("named color name=fff")),
        ("/short/beef", Some("short hex v=beef")),
        ("/short/beefy", None),
    ];
    let client = TestClient::new(app.clone());
    for &(path, expected) in cases {
        let response = client.get(path).send().await;
        match expected {
            Some(body) => assert_eq!(response.text(), body, "{path}"),
            None => assert_eq!(response.status(), StatusCode::NOT_FOUND, "{path}"),
        }
    }

    // Building goes through `parse` then `format`: the canonical form.
    assert_eq!(
        app.url_for("color", &[("rgb", "FF00AA")]).unwrap(),
        "/color/ff00aa"
    );
    assert_eq!(
        app.url_for("color", &[("rgb", "red")])
            .unwrap_err()
            .to_string(),
        "parameter \"rgb\" is not valid for route \"color\""
    );

    let errors: &[(&str, &str)] = &[
        (
            "/x/{v:hex(size=2)}",
            "route \"/x/{v:hex(size=2)}\": converter hex: unknown argument \"size\" (expected one of: digits)",
        ),
        (
            "/x/{v:hex(digits=two)}",
            "route \"/x/{v:hex(digits=two)}\": converter hex: argument digits=two is not valid",
        ),
        (
            "/x/{v:dimmer}",
            "route \"/x/{v:dimmer}\": unknown converter \"dimmer\"",
        ),
    ];
    for &(pattern, message) in errors {
        let error = app
            .clone()
            .try_route(pattern, get(reply("never")))
            .unwrap_err();
        assert_eq!(error.to_string(), message, "{pattern}");
    }
    // A converter serves only the routes added after it is registered.
    let error = App::new()
        .try_route("/light/{state:switch}", get(reply("early")))
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        "route \"/light/{state:switch}\": unknown converter \"switch\""
    );
}

#[tokio::test]
async fn same_shape_routes_are_chosen_by_converter() {
    // Registered in an order unlike the priority, which must not matter.
    let app = App::new()
        .route("/v/{slug}", get(reply("slug")))
        .route("/v/{id:int}", get(reply("int")))
        .route("/v/{u:uuid}", get(reply("uuid")))
        .route("/v/{lang:any(en,de,123)}", get(reply("any")))
        .route("/w/{name}/edit", get(reply("name edit")))
        .route("/w/{id:uint}/edit", get(reply("uint edit")));
    let client = TestClient::new(app);
    let cases: &[(&str, &str)] = &[
        ("/v/42", "int id=42"),
        ("/v/-1", "int id=-1"),
        ("/v/2.5", "slug slug=2.5"),
        ("/v/en", "any lang=en"),
        // `any` outranks `int`, so a listed number goes to it.
        ("/v/123", "any lang=123"),
        ("/v/fr", "slug slug=fr"),
        (
            "/v/0b0e7b3c-6e8a-4d3e-9a55-0c1f9a6f3f10",
            "uuid u=0b0e7b3c-6e8a-4d3e-9a55-0c1f9a6f3f10",
        ),
        ("/v/hello-world", "slug slug=hello-world"),
        ("/w/7/edit", "uint edit id=7"),
        ("/w/-7/edit", "name edit name=-7"),
        ("/w/bob/edit", "name edit name=bob"),
    ];
    for &(path, body) in cases {
        let response = client.get(path).send().await;
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        assert_eq!(response.text(), body, "{path}");
    }
}

#[tokio::test]
async fn narrower_numeric_converters_win_over_wider_ones() {
    // Every `uint` value is an `int` and every `int` a `float`: if the wider
    // converter were tried first, the narrower route could never be reached.
    let app = App::new()
        .route("/n/{x:float}", get(reply("float")))
        .route("/n/{i:int}", get(reply("int")))
        .route("/n/{u:uint}", get(reply("uint")));
    let client = TestClient::new(app);
    let cases: &[(&str, &str)] = &[
        ("/n/5", "uint u=5"),
        ("/n/-5", "int i=-5"),
        ("/n/2.5", "float x=2.5"),
        ("/n/-2.5", "float x=-2.5"),
    ];
    for &(path, body) in cases {
        assert_eq!(client.get(path).send().await.text(), body, "{path}");
    }
}

#[tokio::test]
async fn a_rejecting_converter_falls_through_to_other_routes() {
    let app = App::new()
        .route("/users/{id:int}", get(reply("user")))
        .route("/users/{id:int}/posts", get(reply("posts")))
        .route("/users/new", get(reply("new user")))
        .route("/{*rest}", get(reply("catch-all")));
    let client = TestClient::new(app);
    let cases: &[(&str, &str)] = &[
        ("/users/42", "user id=42"),
        ("/users/new", "new user"),
        ("/users/42/posts", "posts id=42"),
        // `int` rejects `me`: the catch-all has it.
        ("/users/me", "catch-all rest=users/me"),
        ("/users/me.json", "catch-all rest=users/me.json"),
        ("/users/me/posts", "catch-all rest=users/me/posts"),
        ("/about", "catch-all rest=about"),
        ("/a/b/c", "catch-all rest=a/b/c"),
    ];
    for &(path, body) in cases {
        let response = client.get(path).send().await;
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        assert_eq!(response.text(), body, "{path}");
    }

    // The fall goes to the most literal route that fits, of any shape.
    let app = App::new()
        .route("/v/{id:int}", get(reply("int")))
        .route("/{dir}/{name}", get(reply("two")))
        .route("/{dir}/{name}/{leaf}", get(reply("three")));
    let client = TestClient::new(app);
    let cases: &[(&str, &str)] = &[
        ("/v/1", "int id=1"),
        ("/v/abc", "two dir=v name=abc"),
        ("/w/abc", "two dir=w name=abc"),
        ("/v/1/x", "three dir=v name=1 leaf=x"),
    ];
    for &(path, body) in cases {
        assert_eq!(client.get(path).send().await.text(), body, "{path}");
    }

    // With nothing to fall to, a rejection is a 404.
    let client = TestClient::new(App::new().route("/users/{id:int}", get(reply("user"))));
    for path in ["/users/me", "/users/1.5", "/users/99999999999999999999"] {
        let response = client.get(path).send().await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{path}");
    }
}

/// The method table of one router: explicit services, the automatic `HEAD`
/// and `OPTIONS`, `any`, `on`, extension methods and merged registrations.
fn method_app() -> App {
    App::new()
        .route("/r", get(reply("get r")).post(reply("post r")))
        .route("/post-only", post(reply("post only")))
        .route(
            "/explicit",
            get(reply("get explicit"))
                .head(reply("head explicit"))
                .options(reply("options explicit")),
        )
        .route("/any", any(reply("any")))
        .route("/on", on([Method::GET, Method::PUT], reply("on")))
        .route(
            "/purge",
            on([Method::from_bytes(b"PURGE").unwrap()], reply("purge")),
        )
        .route("/merged", get(reply("get merged")))
        .route("/merged", delete(reply("delete merged")))
        .route("/head-only", head(reply("head only")))
        .route("/options-only", options(reply("options only")))
}

#[tokio::test]
async fn methods_dispatch_with_405_allow_head_and_options() {
    let client = TestClient::new(method_app());
    // (method, path, status, x-route, Allow, body)
    type Case = (
        &'static str,
        &'static str,
        u16,
        Option<&'static str>,
        Option<&'static str>,
        Option<&'static str>,
    );
    const R_ALLOW: Option<&str> = Some("GET, HEAD, POST, OPTIONS");
    let cases: &[Case] = &[
        ("GET", "/r", 200, Some("get r"), None, Some("get r")),
        ("POST", "/r", 200, Some("post r"), None, Some("post r")),
        ("HEAD", "/r", 200, Some("get r"), None, Some("")),
        ("OPTIONS", "/r", 204, None, R_ALLOW, Some("")),
        ("PUT", "/r", 405, None, R_ALLOW, None),
        ("DELETE", "/r", 405, None, R_ALLOW, None),
        ("PATCH", "/r", 405, None, R_ALLOW, None),
        ("BREW", "/r", 405, None, R_ALLOW, None),
        ("GET", "/post-only", 405, None, Some("POST, OPTIONS"), None),
        // No GET, so no HEAD either.
        ("HEAD", "/post-only", 405, None, Some("POST, OPTIONS"), None),
        (
            "OPTIONS",
            "/post-only",
            204,
            None,
            Some("POST, OPTIONS"),
            Some(""),
        ),
        ("GET", "/explicit", 200, Some("get explicit"), None, None),
        // Routes for HEAD and OPTIONS win over the automatic answers.
        ("HEAD", "/explicit", 200, Some("head explicit"), None, None),
        (
            "OPTIONS",
            "/explicit",
            200,
            Some("options explicit"),
            None,
            None,
        ),
        (
            "POST",
            "/explicit",
            405,
            None,
            Some("GET, HEAD, OPTIONS"),
            None,
        ),
        ("GET", "/any", 200, Some("any"), None, Some("any")),
        ("POST", "/any", 200, Some("any"), None, Some("any")),
        ("DELETE", "/any", 200, Some("any"), None, Some("any")),
        ("HEAD", "/any", 200, Some("any"), None, None),
        ("OPTIONS", "/any", 200, Some("any"), None, Some("any")),
        ("PURGE", "/any", 200, Some("any"), None, Some("any")),
        ("GET", "/on", 200, Some("on"), None, Some("on")),
        ("PUT", "/on", 200, Some("on"), None, Some("on")),
        ("HEAD", "/on", 200, Some("on"), None, Some("")),
        (
            "POST",
            "/on",
            405,
            None,
            Some("GET, HEAD, PUT, OPTIONS"),
            None,
        ),
        ("PURGE", "/purge", 200, Some("purge"), None, Some("purge")),
        ("GET", "/purge", 405, None, Some("OPTIONS, PURGE"), None),
        (
            "OPTIONS",
            "/purge",
            204,
            None,
            Some("OPTIONS, PURGE"),
            Some(""),
        ),
        // Two registrations of one pattern share it.
        ("GET", "/merged", 200, Some("get merged"), None, None),
        ("DELETE", "/merged", 200, Some("delete merged"), None, None),
        (
            "POST",
            "/merged",
            405,
            None,
            Some("GET, HEAD, DELETE, OPTIONS"),
            None,
        ),
        ("HEAD", "/head-only", 200, Some("head only"), None, None),
        ("GET", "/head-only", 405, None, Some("HEAD, OPTIONS"), None),
        (
            "OPTIONS",
            "/options-only",
            200,
            Some("options only"),
            None,
            None,
        ),
        ("GET", "/options-only", 405, None, Some("OPTIONS"), None),
        // No route at all: 404 for every method, OPTIONS included.
        ("GET", "/nowhere", 404, None, None, None),
        ("OPTIONS", "/nowhere", 404, None, None, None),
        ("DELETE", "/nowhere", 404, None, None, None),
    ];
    for &(method, path, status, route, allow, body) in cases {
        let method = Method::from_bytes(method.as_bytes()).unwrap();
        let response = client.request(method.clone(), path).send().await;
        let case = format!("{method} {path}");
        assert_eq!(response.status().as_u16(), status, "{case}");
        assert_eq!(response.header("x-route"), route, "{case}");
        assert_eq!(response.header("allow"), allow, "{case}");
        if let Some(body) = body {
            assert_eq!(response.text(), body, "{case}");
        }
    }
}

/// One chunk whose length is not announced, as a stream's.
struct Streamed(Option<Bytes>);

impl http_body::Body for Streamed {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        Poll::Ready(self.0.take().map(|chunk| Ok(Frame::data(chunk))))
    }
}

#[tokio::test]
async fn head_keeps_the_get_headers_and_length_without_the_body() {
    let streamed = tower::service_fn(|_: http::Request<Body>| async {
        let mut response = http::Response::new(Streamed(Some(Bytes::from_static(b"chunk"))));
        response
            .headers_mut()
            .insert("x-kind", HeaderValue::from_static("stream"));
        Ok::<_, Infallible>(response)
    });
    let declared = respond_with(|_| {
        let mut response = Response::text("twelve bytes");
        // The handler's own length is kept, even if the router would
        // compute the same.
        response
            .headers_mut()
            .insert("content-length", HeaderValue::from_static("12"));
        Ok(response)
    });
    let app = App::new()
        .route("/text", get(reply("hello")))
        .route("/stream", get(streamed))
        .route("/declared", get(declared));
    let client = TestClient::new(app);

    // (path, Content-Length of HEAD, GET body)
    let cases: &[(&str, Option<&str>, &str)] = &[
        ("/text", Some("5"), "hello"),
        ("/declared", Some("12"), "twelve bytes"),
        // A length the router cannot know is not made up.
        ("/stream", None, "chunk"),
    ];
    for &(path, length, body) in cases {
        let get = client.get(path).send().await;
        let head = client.head(path).send().await;
        assert_eq!(get.text(), body, "{path}");
        assert_eq!(head.status(), get.status(), "{path}");
        assert_eq!(head.text(), "", "{path}");
        assert_eq!(head.header("content-length"), length, "{path}");
        for name in ["content-type", "x-route", "x-kind"] {
            assert_eq!(head.header(name), get.header(name), "{path} {name}");
        }
    }
}

#[tokio::test]
async fn the_405_fallback_gets_the_request_and_an_allow_header() {
    let custom = respond_with(|request| {
        let mut response =
            Response::text(describe(&format!("no {} for", request.method()), request));
        *response.status_mut() = StatusCode::METHOD_NOT_ALLOWED;
        if request.uri().path() == "/own-allow" {
            response
                .headers_mut()
                .insert("allow", HeaderValue::from_static("GET"));
        }
        Ok(response)
    });
    let app = App::new()
        .route("/items/{id:int}", get(reply("item")).put(reply("put item")))
        .route("/own-allow", post(reply("own")))
        .method_not_allowed_fallback(custom);
    let client = TestClient::new(app);
    // (method, path, status, Allow, body)
    let cases: &[(Method, &str, u16, Option<&str>, &str)] = &[
        (
            Method::DELETE,
            "/items/7",
            405,
            Some("GET, HEAD, PUT, OPTIONS"),
            "no DELETE for id=7",
        ),
        (
            Method::POST,
            "/items/7",
            405,
            Some("GET, HEAD, PUT, OPTIONS"),
            "no POST for id=7",
        ),
        // The fallback's own Allow is kept.
        (Method::GET, "/own-allow", 405, Some("GET"), "no GET for"),
        // Not for the fallback: served, automatic OPTIONS, unrouted path.
        (Method::GET, "/items/7", 200, None, "item id=7"),
        (
            Method::OPTIONS,
            "/items/7",
            204,
            Some("GET, HEAD, PUT, OPTIONS"),
            "",
        ),
        (Method::DELETE, "/items/x", 404, None, ""),
    ];
    for (method, path, status, allow, body) in cases {
        let response = client.request(method.clone(), path).send().await;
        let case = format!("{method} {path}");
        assert_eq!(response.status().as_u16(), *status, "{case}");
        assert_eq!(response.header("allow"), *allow, "{case}");
        if *status != 404 {
            assert_eq!(response.text(), *body, "{case}");
        }
    }
}

#[tokio::test]
async fn not_found_and_not_allowed_bodies_follow_accept() {
    let client = TestClient::new(App::new().route("/x", get(reply("x"))));
    const HTML: &str = "text/html; charset=utf-8";
    // (method, path, Accept, status, Content-Type)
    let cases: &[(Method, &str, Option<&str>, u16, &str)] = &[
        (Method::GET, "/nope", None, 404, HTML),
        (Method::GET, "/nope", Some("text/html"), 404, HTML),
        (
            Method::GET,
            "/nope",
            Some("application/json"),
            404,
            "application/json",
        ),
        (
            Method::GET,
            "/nope",
            Some("application/problem+json"),
            404,
            "application/problem+json",
        ),
        (
            Method::GET,
            "/nope",
            Some("text/plain"),
            404,
            "text/plain; charset=utf-8",
        ),
        (Method::DELETE, "/x", None, 405, HTML),
        (
            Method::DELETE,
            "/x",
            Some("application/json"),
            405,
            "application/json",
        ),
        (
            Method::PUT,
            "/x",
            Some("text/plain;q=0.5, application/json"),
            405,
            "application/json",
        ),
    ];
    for (method, path, accept, status, content_type) in cases {
        let mut request = client.request(method.clone(), path);
        if let Some(accept) = accept {
            request = request.header("accept", *accept);
        }
        let response = request.send().await;
        let case = format!("{method} {path} {accept:?}");
        assert_eq!(response.status().as_u16(), *status, "{case}");
        assert_eq!(
            response.header("content-type"),
            Some(*content_type),
            "{case}"
        );
        let title = if *status == 404 {
            "Not Found"
        } else {
            "Method Not Allowed"
        };
        if content_type.contains("json") {
            let document = response.json();
            assert_eq!(document["status"], *status, "{case}");
            assert_eq!(document["title"], title, "{case}");
        } else if content_type.starts_with("text/html") {
            assert!(
                response.text().contains(&format!("<h1>{title}</h1>")),
                "{case}"
            );
        } else {
            assert!(
                response.text().starts_with(&format!("{status} {title}")),
                "{case}"
            );
        }
        if *status == 405 {
            assert_eq!(
                response.header("allow"),
                Some("GET, HEAD, OPTIONS"),
                "{case}"
            );
        }
    }
}

#[tokio::test]
async fn path_params_are_percent_decoded_per_segment() {
    let typed = respond_with(|request| {
        let params = request.path_params().expect("routed");
        let id: u64 = params.get("id")?;
        Ok(Response::text(format!("id {id} as u64")))
    });
    let app = App::new()
        .route("/p/{a}/{b}", get(reply("p")))
        .route("/files/{*rest}", get(reply("files")))
        .route("/café/{x}", get(reply("cafe")))
        .route("/typed/{id}", get(typed));
    let client = TestClient::new(app);
    // (path, status, body)
    let cases: &[(&str, u16, &str)] = &[
        // An encoded slash stays inside its segment, then is decoded.
        ("/p/a%2Fb/c", 200, "p a=a/b b=c"),
        ("/p/a%2fb/c", 200, "p a=a/b b=c"),
        ("/p/caf%C3%A9/c", 200, "p a=café b=c"),
        ("/p/caf%c3%a9/c", 200, "p a=café b=c"),
        ("/p/%E2%9C%93/%F0%9F%A6%80", 200, "p a=✓ b=🦀"),
        // `+` is a space only in queries.
        ("/p/a%20b/c+d", 200, "p a=a b b=c+d"),
        ("/p/%7Euser/x", 200, "p a=~user b=x"),
        ("/p/100%25/x", 200, "p a=100% b=x"),
        ("/p/%FF/x", 200, "p a=\u{FFFD} b=x"),
        ("/p/a/b/c", 404, ""),
        ("/files/a/b%2Fc/d.txt", 200, "files rest=a/b/c/d.txt"),
        // Static route text matches in either spelling of its escapes.
        ("/caf%C3%A9/1", 200, "cafe x=1"),
        ("/caf%c3%a9/2", 200, "cafe x=2"),
        // Typed access: a value that does not parse is the handler's 404.
        ("/typed/42", 200, "id 42 as u64"),
        ("/typed/007", 200, "id 7 as u64"),
        ("/typed/%34%32", 200, "id 42 as u64"),
        ("/typed/-1", 404, ""),
        ("/typed/abc", 404, ""),
        ("/typed/18446744073709551616", 404, ""),
    ];
    for &(path, status, body) in cases {
        let response = client.get(path).send().await;
        assert_eq!(response.status().as_u16(), status, "{path}");
        if status == 200 {
            assert_eq!(response.text(), body, "{path}");
        }
    }
}

#[tokio::test]
async fn matched_route_is_the_pattern_with_its_mount_prefix() {
    let matched = || {
        respond_with(|request| {
            let route = request
                .matched_route()
                .map_or("none".to_owned(), |r| r.as_str().to_owned());
            Ok(Response::text(route))
        })
    };
    let v1 = App::new().route("/things/{name}", get(matched()));
    let api = App::new()
        .route("/users/{id:int}", get(matched()))
        .mount("/v1", v1);
    let app = App::new()
        .route("/", get(matched()))
        .route("/users/{id:int}", get(matched()))
        .route("/users/{name}", get(matched()))
        .route("/files/{*rest}", get(matched()))
        .route("/img-{id:uint}.png", get(matched()))
        .mount("/api", api)
        .fallback(matched());
    let client = TestClient::new(app);
    let cases: &[(&str, &str)] = &[
        ("/", "/"),
        ("/users/42", "/users/{id:int}"),
        ("/users/bob", "/users/{name}"),
        ("/files/a/b", "/files/{*rest}"),
        ("/img-7.png", "/img-{id:uint}.png"),
        ("/api/users/1", "/api/users/{id:int}"),
        ("/api/v1/things/x", "/api/v1/things/{name}"),
        // The fallback is no route.
        ("/elsewhere", "none"),
        ("/api/users/x", "none"),
    ];
    for &(path, route) in cases {
        assert_eq!(client.get(path).send().await.text(), route, "{path}");
    }
}

/// A service that is never ready: its `poll_ready` fails.
#[derive(Clone)]
struct Broken;

impl tower::Service<http::Request<Body>> for Broken {
    type Response = http::Response<Body>;
    type Error = std::io::Error;
    type Future = Ready<Result<http::Response<Body>, std::io::Error>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), std::io::Error>> {
        Poll::Ready(Err(std::io::Error::other("pool exhausted")))
    }

    fn call(&mut self, _request: http::Request<Body>) -> Self::Future {
        unreachable!("the router calls only a ready service")
    }
}

#[tokio::test]
async fn service_errors_become_500_with_the_error_in_extensions() {
    let failing = tower::service_fn(|_: http::Request<Body>| async {
        Err::<http::Response<Body>, _>(std::io::Error::other("database is down"))
    });
    let app = App::new()
        .route("/fail", get(failing))
        .route("/broken", get(Broken));
    // (method, path, the error kept for outer layers)
    let cases: &[(Method, &str, &str)] = &[
        (Method::GET, "/fail", "database is down"),
        (Method::HEAD, "/fail", "database is down"),
        (Method::GET, "/broken", "pool exhausted"),
    ];
    for (method, path, message) in cases {
        let request = http::Request::builder()
            .method(method.clone())
            .uri(*path)
            .body(Body::empty())
            .unwrap();
        let response = app.clone().oneshot(request).await.unwrap();
        let case = format!("{method} {path}");
        assert_eq!(
            response.status(),
            StatusCode::INTERNAL_SERVER_ERROR,
            "{case}"
        );
        let error = response
            .extensions()
            .get::<ServiceError>()
            .unwrap_or_else(|| panic!("{case}: no ServiceError"));
        assert_eq!(error.error().to_string(), *message, "{case}");
        // The error is for the logs, not for the client.
        let body = response.into_body().collect().await.unwrap().to_bytes();
        let body = String::from_utf8_lossy(&body);
        assert!(!body.contains(message), "{case}: {body}");
    }

    // The same through the test client: a response, not a panic.
    let response = TestClient::new(app).get("/fail").send().await;
    assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
    assert!(!response.text().contains("database"));
}

/// matchit does not always backtrack out of a segment where a parameter
/// shares its segment with text: `/q%23/z100` enters `/{a}%23/` and must
/// still find `/{a}/{b}100` (found by the routing fuzz target).
#[tokio::test]
async fn a_parameter_sharing_its_segment_does_not_hide_other_routes() {
    let app = App::new()
        .route("/{a}#/", get(reply("suffixed")))
        .route("/{a}/{b}100", get(reply("two")))
        .route("/{a}100", get(reply("one")));
    let client = TestClient::new(app);
    let cases: &[(&str, StatusCode, &str)] = &[
        ("/q%23/", StatusCode::OK, "suffixed a=q"),
        ("/q%23/z100", StatusCode::OK, "two a=q# b=z"),
        ("/q/z100", StatusCode::OK, "two a=q b=z"),
        ("/z100", StatusCode::OK, "one a=z"),
        ("/q%23/z", StatusCode::NOT_FOUND, ""),
    ];
    for &(path, status, body) in cases {
        let response = client.get(path).send().await;
        assert_eq!(response.status(), status, "{path}");
        if status == StatusCode::OK {
            assert_eq!(response.text(), body, "{path}");
        }
    }
}
