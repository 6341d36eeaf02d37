//! Composition end to end: mounting any service (prefix stripped, original
//! URI and prefix recorded, nested mounts), which of overlapping mounts and
//! routes wins, the fallback rules, host routers, URL building across
//! mounts, build-time conflicts, and a priority that does not depend on the
//! order routes were added in.

use std::collections::BTreeSet;
use std::convert::Infallible;
use std::future::{Ready, ready};
use std::sync::Arc;

use http::{HeaderName, HeaderValue, Method, StatusCode};
use tackle_request::response::Response;
use tackle_request::{Body, Handler, HttpError, MountPrefix, OriginalUri, Request, handler};
use tackle_routing::{RouteError, Router, get};
use tackle_testing::TestClient;
use tower::Layer;
use tower_http::set_header::SetResponseHeaderLayer;

type App = Router<Body>;

type Answer = Ready<Result<http::Response<Body>, HttpError>>;

/// A handler answering `label` followed by ` name=value` for each path
/// parameter.
fn reply(
    label: &'static str,
) -> Handler<impl Fn(Request<Body>) -> Answer + Clone + Send + Sync + 'static> {
    respond_with(move |request| {
        let mut text = label.to_owned();
        for (name, value) in request.path_params().into_iter().flat_map(|p| p.iter()) {
            text.push_str(&format!(" {name}={value}"));
        }
        Ok(Response::text(text))
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

/// The answer of an `echo` service, which cannot fail.
type Echoed = Ready<Result<http::Response<Body>, Infallible>>;

/// A plain tower service (not a tackle handler, not a router) answering
/// `label`, the path and query it got, and the `MountPrefix` and
/// `OriginalUri` the router left in the request (`-` when absent).
fn echo(
    label: &'static str,
) -> tower::util::ServiceFn<impl Fn(http::Request<Body>) -> Echoed + Clone + Send + Sync + 'static>
{
    tower::service_fn(move |request: http::Request<Body>| {
        let target = request.uri().path_and_query().map_or("", |p| p.as_str());
        let prefix = MountPrefix::from_request(&request).map_or("-", MountPrefix::as_str);
        let original = OriginalUri::from_request(&request).map(|o| o.uri().to_string());
        let original = original.as_deref().unwrap_or("-");
        let text = format!("{label} {target} prefix={prefix} original={original}");
        ready(Ok(Response::text(text)))
    })
}

/// What a request should get: a `200` with this body, or this status.
#[derive(Clone, Copy, Debug)]
enum Expect {
    Body(&'static str),
    Status(u16),
}

use Expect::{Body as Says, Status};

async fn check(client: &TestClient<App>, method: Method, target: &str, expected: Expect) {
    let response = client.request(method.clone(), target).send().await;
    let case = format!("{method} {target}");
    match expected {
        Says(body) => {
            assert_eq!(response.status(), StatusCode::OK, "{case}");
            assert_eq!(response.text(), body, "{case}");
        }
        Status(status) => assert_eq!(response.status().as_u16(), status, "{case}"),
    }
}

#[tokio::test]
async fn a_mounted_service_sees_the_path_without_its_prefix() {
    let app = App::new()
        .mount("/api", echo("api"))
        .mount("/docs/", echo("docs"))
        .route("/apix", get(reply("apix")));
    let client = TestClient::new(app);
    let cases: &[(Method, &str, Expect)] = &[
        (Method::GET, "/api", Says("api / prefix=/api original=/api")),
        (
            Method::GET,
            "/api/",
            Says("api / prefix=/api original=/api/"),
        ),
        (
            Method::GET,
            "/api?q=1",
            Says("api /?q=1 prefix=/api original=/api?q=1"),
        ),
        (
            Method::GET,
            "/api/x",
            Says("api /x prefix=/api original=/api/x"),
        ),
        (
            Method::GET,
            "/api/x/y/?q=1&r=%20",
            Says("api /x/y/?q=1&r=%20 prefix=/api original=/api/x/y/?q=1&r=%20"),
        ),
        (
            Method::GET,
            "/api/a%2Fb",
            Says("api /a%2Fb prefix=/api original=/api/a%2Fb"),
        ),
        // Any method: the mounted service decides.
        (
            Method::DELETE,
            "/api/x",
            Says("api /x prefix=/api original=/api/x"),
        ),
        (
            Method::OPTIONS,
            "/api",
            Says("api / prefix=/api original=/api"),
        ),
        // A prefix with a trailing slash is the same prefix.
        (
            Method::GET,
            "/docs",
            Says("docs / prefix=/docs original=/docs"),
        ),
        (
            Method::GET,
            "/docs/guide",
            Says("docs /guide prefix=/docs original=/docs/guide"),
        ),
        // A prefix is whole segments, case and all.
        (Method::GET, "/apix", Says("apix")),
        (Method::GET, "/apiary", Status(404)),
        (Method::GET, "/API/x", Status(404)),
    ];
    for (method, target, expected) in cases {
        check(&client, method.clone(), target, *expected).await;
    }
}

#[tokio::test]
async fn nested_mounts_accumulate_the_prefix() {
    // The middle router is wrapped in a layer, so it is opaque to the top
    // one: the prefix must still accumulate through the extensions.
    let inner = App::new().mount("/c", echo("leaf"));
    let layered = SetResponseHeaderLayer::overriding(
        HeaderName::from_static("x-layer"),
        HeaderValue::from_static("b"),
    )
    .layer(App::new().mount("/b", inner.clone()));
    let app = App::new()
        .mount("/a", App::new().mount("/b", inner))
        .mount("/z", layered);
    let client = TestClient::new(app);
    let cases: &[(&str, Expect)] = &[
        (
            "/a/b/c/d?x",
            Says("leaf /d?x prefix=/a/b/c original=/a/b/c/d?x"),
        ),
        ("/a/b/c", Says("leaf / prefix=/a/b/c original=/a/b/c")),
        ("/a/b/c/", Says("leaf / prefix=/a/b/c original=/a/b/c/")),
        ("/z/b/c/d", Says("leaf /d prefix=/z/b/c original=/z/b/c/d")),
        ("/a/b", Status(404)),
        ("/a/c/d", Status(404)),
    ];
    for &(target, expected) in cases {
        check(&client, Method::GET, target, expected).await;
    }
    let response = client.get("/z/b/c").send().await;
    assert_eq!(response.header("x-layer"), Some("b"));
}

#[tokio::test]
async fn the_longest_prefix_wins_in_any_order() {
    let mounts: [(&str, &'static str); 3] = [
        ("/api", "api"),
        ("/api/v2", "v2"),
        ("/api/v2/admin", "admin"),
    ];
    let cases: &[(&str, &str)] = &[
        ("/api/x", "api /x"),
        ("/api/v2", "v2 /"),
        ("/api/v2/", "v2 /"),
        ("/api/v2/x", "v2 /x"),
        ("/api/v2/admin", "admin /"),
        ("/api/v2/admin/users/1", "admin /users/1"),
        ("/api/v2x", "api /v2x"),
        ("/api/v", "api /v"),
        ("/api/v2/adminx", "v2 /adminx"),
    ];
    for order in [[0, 1, 2], [2, 1, 0], [1, 2, 0]] {
        let app = order.iter().fold(App::new(), |app, &i| {
            app.mount(mounts[i].0, echo(mounts[i].1))
        });
        let client = TestClient::new(app);
        for &(target, start) in cases {
            let text = client.get(target).send().await.text();
            assert!(
                text.starts_with(&format!("{start} prefix=")),
                "{order:?} {target}: {text}"
            );
        }
    }
}

#[tokio::test]
async fn a_parent_route_more_specific_than_a_mount_wins() {
    let app = App::new()
        .mount("/api", echo("mount"))
        .route("/api/health", get(reply("health")))
        .route("/api/health/live", get(reply("live")));
    let client = TestClient::new(app);
    let cases: &[(&str, Expect)] = &[
        ("/api/health", Says("health")),
        ("/api/health/live", Says("live")),
        (
            "/api/healthz",
            Says("mount /healthz prefix=/api original=/api/healthz"),
        ),
        (
            "/api/health/deep",
            Says("mount /health/deep prefix=/api original=/api/health/deep"),
        ),
        ("/api/x", Says("mount /x prefix=/api original=/api/x")),
    ];
    for &(target, expected) in cases {
        check(&client, Method::GET, target, expected).await;
    }
}

#[tokio::test]
async fn a_parent_route_with_parameters_beside_a_mount_wins_too() {
    // A parameter is more specific than the rest of the path a mount takes,
    // so the route must be accepted and win where it matches.
    let app = App::new()
        .mount("/api", echo("mount"))
        .try_route("/api/{version}/status", get(reply("status")))
        .unwrap_or_else(|error| panic!("{error}"));
    let client = TestClient::new(app);
    let cases: &[(&str, Expect)] = &[
        ("/api/v1/status", Says("status version=v1")),
        (
            "/api/v1/other",
            Says("mount /v1/other prefix=/api original=/api/v1/other"),
        ),
        ("/api/v1", Says("mount /v1 prefix=/api original=/api/v1")),
    ];
    for &(target, expected) in cases {
        check(&client, Method::GET, target, expected).await;
    }
}

#[tokio::test]
async fn unmatched_paths_under_a_mount_follow_the_fallback_table() {
    let with_fallback = App::new()
        .route("/here", get(reply("child here")))
        .fallback(echo("child fallback"));
    let without_fallback = App::new()
        .route("/here", get(reply("child here")))
        .route("/slash/", get(reply("child slash")))
        .route("/only-get", get(reply("child get")));
    let opaque = SetResponseHeaderLayer::overriding(
        HeaderName::from_static("x-layer"),
        HeaderValue::from_static("yes"),
    )
    .layer(App::new().route("/here", get(reply("opaque here"))));
    let children = || {
        App::new()
            .mount("/with", with_fallback.clone())
            .mount("/without", without_fallback.clone())
            .mount("/opaque", opaque.clone())
    };
    let client = TestClient::new(children().fallback(echo("parent fallback")));
    let cases: &[(Method, &str, Expect)] = &[
        (Method::GET, "/with/here", Says("child here")),
        // A mounted router with a fallback keeps its misses.
        (
            Method::GET,
            "/with/nothing",
            Says("child fallback /nothing prefix=/with original=/with/nothing"),
        ),
        // Without one, the parent's fallback gets the request as it was sent.
        (
            Method::GET,
            "/without/nothing?q=1",
            Says("parent fallback /without/nothing?q=1 prefix=- original=-"),
        ),
        (Method::GET, "/without/here", Says("child here")),
        // Its redirects and 405s are its own answers, not misses.
        (Method::GET, "/without/slash", Status(308)),
        (Method::DELETE, "/without/only-get", Status(405)),
        // An opaque service answers for itself, here a wrapped router's 404.
        (Method::GET, "/opaque/here", Says("opaque here")),
        (Method::GET, "/opaque/nothing", Status(404)),
        (
            Method::GET,
            "/elsewhere",
            Says("parent fallback /elsewhere prefix=- original=-"),
        ),
    ];
    for (method, target, expected) in cases {
        check(&client, method.clone(), target, *expected).await;
    }
    let response = client.get("/without/slash").send().await;
    assert_eq!(response.header("location"), Some("/without/slash/"));
    let response = client.get("/opaque/nothing").send().await;
    assert_eq!(response.header("x-layer"), Some("yes"));

    // With no fallback anywhere, the parent's own 404, by `Accept`.
    let client = TestClient::new(children());
    let response = client
        .get("/without/nothing")
        .header("accept", "application/json")
        .send()
        .await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert_eq!(response.json()["status"], 404);
    assert_eq!(
        client.get("/with/nothing").send().await.text(),
        "child fallback /nothing prefix=/with original=/with/nothing"
    );
}

fn host_app() -> App {
    let api = App::new()
        .route("/", get(reply("api root")))
        .route("/users/{id:int}", get(reply("api user")));
    let tenant = App::new()
        .route("/", get(reply("tenant root")))
        .route("/items/{id}", get(reply("tenant item")));
    let numbered = App::new().route("/{page}", get(reply("numbered")));
    App::new()
        .route("/", get(reply("main root")))
        .route("/shared", get(reply("main shared")))
        .host("{tenant}.example.com", tenant)
        .host("api.example.com", api)
        .host("{n:int}.numbers.test", numbered)
}

#[tokio::test]
async fn hosts_choose_a_router_before_the_path() {
    let client = TestClient::new(host_app().fallback(echo("parent fallback")));
    let cases: &[(&str, Expect)] = &[
        // An exact host beats a pattern.
        ("http://api.example.com/", Says("api root")),
        ("http://api.example.com/users/7", Says("api user id=7")),
        ("http://API.Example.COM/", Says("api root")),
        // Ports are not part of a host pattern.
        ("http://api.example.com:8080/users/7", Says("api user id=7")),
        // Host parameters come first.
        ("http://acme.example.com/", Says("tenant root tenant=acme")),
        (
            "http://acme.example.com:8443/items/9",
            Says("tenant item tenant=acme id=9"),
        ),
        (
            "http://42.numbers.test/intro",
            Says("numbered n=42 page=intro"),
        ),
        // Hosts no pattern takes use the router's own routes.
        ("http://example.com/", Says("main root")),
        ("http://a.b.example.com/shared", Says("main shared")),
        ("http://x.numbers.test/shared", Says("main shared")),
        ("http://localhost/shared", Says("main shared")),
        ("/shared", Says("main shared")),
        // A host router's miss goes to the parent's fallback, path as sent,
        // not to the parent's routes.
        (
            "http://acme.example.com/nothing?x=1",
            Says("parent fallback /nothing?x=1 prefix=- original=-"),
        ),
        (
            "http://api.example.com/users/x",
            Says("parent fallback /users/x prefix=- original=-"),
        ),
        (
            "http://api.example.com/shared",
            Says("parent fallback /shared prefix=- original=-"),
        ),
    ];
    for &(target, expected) in cases {
        check(&client, Method::GET, target, expected).await;
    }

    // Without a fallback, a host router's miss is a 404.
    let client = TestClient::new(host_app());
    check(
        &client,
        Method::GET,
        "http://acme.example.com/nothing",
        Status(404),
    )
    .await;
    check(
        &client,
        Method::GET,
        "http://acme.example.com/",
        Says("tenant root tenant=acme"),
    )
    .await;
}

/// Names at the top, in a router mounted at `/api` and in one mounted at
/// `/api/v2` inside it.
fn named_app() -> App {
    let links = respond_with(|request| {
        let lines = [
            request.url_for("api.item", &[("id", "9")]),
            request.url_for("home", &[]),
            request.url_for("v2.thing", &[("name", "a b")]),
            request
                .external_url_for("api.item", &[("id", "9"), ("tab", "x")])
                .map_err(|error| {
                    tackle_request::extensions::BuildUrlError::unknown_route(&error.to_string())
                }),
            request.url_for("api.item", &[]),
            request.url_for("api.iten", &[("id", "1")]),
        ];
        let text: Vec<String> = lines
            .into_iter()
            .map(|line| line.unwrap_or_else(|error| error.to_string()))
            .collect();
        Ok(Response::text(text.join("\n")))
    });
    let v2 = App::new()
        .route("/things/{name}", get(reply("thing")).name("v2.thing"))
        .route("/links", get(links.clone()));
    let api = App::new()
        .route("/items/{id:uint}", get(links.clone()).name("api.item"))
        .mount("/v2", v2);
    App::new()
        .route("/", get(reply("home")).name("home"))
        .route("/users/{id:int}", get(reply("user")).name("user.show"))
        .route("/files/{*path}", get(reply("file")).name("file"))
        .route("/search", get(reply("search")).name("search"))
        .route(
            "/{lang:any(en,de)}/{slug}",
            get(reply("page")).name("lang.page"),
        )
        .mount("/api", api)
}

#[tokio::test]
async fn url_for_builds_paths_that_route_back() {
    let app = named_app();
    let client = TestClient::new(app.clone());
    type Params = &'static [(&'static str, &'static str)];
    // (name, params, URL, what the URL routes to)
    let cases: &[(&str, Params, &str, &str)] = &[
        ("home", &[], "/", "home"),
        ("user.show", &[("id", "42")], "/users/42", "user id=42"),
        ("user.show", &[("id", "-042")], "/users/-42", "user id=-42"),
        (
            "user.show",
            &[("id", "7"), ("tab", "repos")],
            "/users/7?tab=repos",
            "user id=7",
        ),
        (
            "file",
            &[("path", "docs/read me.txt")],
            "/files/docs/read%20me.txt",
            "file path=docs/read me.txt",
        ),
        ("search", &[("q", "a&b c")], "/search?q=a%26b+c", "search"),
        (
            "lang.page",
            &[("lang", "de"), ("slug", "über uns")],
            "/de/%C3%BCber%20uns",
            "page lang=de slug=über uns",
        ),
        (
            "lang.page",
            &[("slug", "a/b?"), ("lang", "en")],
            "/en/a%2Fb%3F",
            "page lang=en slug=a/b?",
        ),
        // Names of mounted routers come with their prefix.
        ("api.item", &[("id", "5")], "/api/items/5", ""),
        (
            "v2.thing",
            &[("name", "x y")],
            "/api/v2/things/x%20y",
            "thing name=x y",
        ),
    ];
    for &(name, params, url, routes_to) in cases {
        let built = app
            .url_for(name, params)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(built, url, "{name} {params:?}");
        let response = client.get(&built).send().await;
        assert_eq!(response.status(), StatusCode::OK, "{url}");
        if !routes_to.is_empty() {
            assert_eq!(response.text(), routes_to, "{url}");
        }
    }

    let errors: &[(&str, Params, &str)] = &[
        (
            "user.show",
            &[],
            "route \"user.show\" needs parameter \"id\"",
        ),
        (
            "user.show",
            &[("id", "abc")],
            "parameter \"id\" is not valid for route \"user.show\"",
        ),
        (
            "api.item",
            &[("id", "-1")],
            "parameter \"id\" is not valid for route \"api.item\"",
        ),
        (
            "lang.page",
            &[("lang", "fr"), ("slug", "x")],
            "parameter \"lang\" is not valid for route \"lang.page\"",
        ),
        (
            "user.shwo",
            &[],
            "no route named \"user.shwo\" (did you mean \"user.show\"?)",
        ),
        (
            "v2.thin",
            &[],
            "no route named \"v2.thin\" (did you mean \"v2.thing\"?)",
        ),
        ("nothing.like.it", &[], "no route named \"nothing.like.it\""),
    ];
    for &(name, params, message) in errors {
        let error = app.url_for(name, params).unwrap_err();
        assert_eq!(error.to_string(), message, "{name} {params:?}");
    }
}

#[tokio::test]
async fn handlers_build_urls_through_their_request() {
    let client = TestClient::new(named_app());
    let expected = [
        "/api/items/9",
        "/",
        "/api/v2/things/a%20b",
        "http://shop.test:8080/api/items/9?tab=x",
        "route \"api.item\" needs parameter \"id\"",
        "no route named \"api.iten\" (did you mean \"api.item\"?)",
    ]
    .join("\n");
    // The same links from a handler mounted at `/api` and one at `/api/v2`.
    for target in [
        "http://shop.test:8080/api/items/1",
        "http://shop.test:8080/api/v2/links",
    ] {
        let response = client.get(target).send().await;
        assert_eq!(response.status(), StatusCode::OK, "{target}");
        assert_eq!(response.text(), expected, "{target}");
    }

    // A router mounted behind a layer is opaque to the parent's `url_for`,
    // but its handlers still build their own names with the prefix, and the
    // parent's names through the parent.
    let links = respond_with(|request| {
        let own = request.url_for("op.item", &[("id", "3")]);
        let parent = request.url_for("home", &[]);
        let external = request.external_url_for("op.item", &[("id", "3")]);
        Ok(Response::text(format!(
            "{} {} {}",
            own.unwrap_or_else(|e| e.to_string()),
            parent.unwrap_or_else(|e| e.to_string()),
            external.unwrap_or_else(|e| e.to_string()),
        )))
    });
    let opaque = SetResponseHeaderLayer::overriding(
        HeaderName::from_static("x-layer"),
        HeaderValue::from_static("yes"),
    )
    .layer(App::new().route("/items/{id:int}", get(links).name("op.item")));
    let app = App::new()
        .route("/", get(reply("home")).name("home"))
        .mount("/opaque", opaque);
    assert_eq!(
        app.url_for("op.item", &[("id", "3")])
            .unwrap_err()
            .to_string(),
        "no route named \"op.item\""
    );
    let response = TestClient::new(app)
        .get("https://shop.test/opaque/items/1")
        .send()
        .await;
    assert_eq!(
        response.text(),
        "/opaque/items/3 / http://shop.test/opaque/items/3"
    );
}

#[test]
fn conflicts_are_errors_naming_both_routes() {
    type Build = fn() -> Result<App, RouteError>;
    let cases: &[(&str, Build, &str)] = &[
        (
            "same shape, same converters",
            || {
                App::new()
                    .try_route("/users/{id}", get(reply("a")))?
                    .try_route("/users/{name}", get(reply("b")))
            },
            "route \"/users/{name}\" conflicts with route \"/users/{id}\"",
        ),
        (
            "same converter, other name",
            || {
                App::new()
                    .try_route("/users/{id:int}", get(reply("a")))?
                    .try_route("/users/{n:int}", get(reply("b")))
            },
            "route \"/users/{n:int}\" conflicts with route \"/users/{id:int}\"",
        ),
        (
            "two spellings of a catch-all",
            || {
                App::new()
                    .try_route("/files/{*rest}", get(reply("a")))?
                    .try_route("/files/{rest:path}", get(reply("b")))
            },
            "route \"/files/{rest:path}\" conflicts with route \"/files/{*rest}\"",
        ),
        (
            "a method twice on one pattern",
            || {
                App::new()
                    .try_route("/a", get(reply("a")))?
                    .try_route("/a", get(reply("b")))
            },
            "route \"/a\" is registered twice with GET",
        ),
        (
            "a name twice",
            || {
                App::new()
                    .try_route("/a", get(reply("a")).name("x"))?
                    .try_route("/b", get(reply("b")).name("x"))
            },
            "route name \"x\" is given to \"/a\" and to \"/b\"",
        ),
        (
            "a name twice across a mount",
            || {
                let child = App::new().try_route("/b", get(reply("b")).name("x"))?;
                App::new()
                    .try_route("/a", get(reply("a")).name("x"))?
                    .try_mount("/sub", child)
            },
            "route name \"x\" is given to \"/a\" and to \"/sub/b\"",
        ),
        (
            "a mount on a route",
            || {
                App::new()
                    .try_route("/api", get(reply("a")))?
                    .try_mount("/api", echo("m"))
            },
            "mount \"/api\" conflicts with route \"/api\"",
        ),
        (
            "a route on a mount",
            || {
                App::new()
                    .try_mount("/api", echo("m"))?
                    .try_route("/api/{*rest}", get(reply("a")))
            },
            "route \"/api/{*rest}\" conflicts with mount \"/api\"",
        ),
        (
            "a mount twice",
            || {
                App::new()
                    .try_mount("/api", echo("a"))?
                    .try_mount("/api/", echo("b"))
            },
            "mount \"/api\" is registered twice",
        ),
        (
            "a prefix without a slash",
            || App::new().try_mount("api", echo("m")),
            "mount \"api\": a prefix is a path starting with '/', without parameters",
        ),
        (
            "a prefix with a parameter",
            || App::new().try_mount("/api/{v}", echo("m")),
            "mount \"/api/{v}\": a prefix is a path starting with '/', without parameters",
        ),
        (
            "two host patterns of one shape",
            || {
                App::new()
                    .try_host("{a}.example.com", App::new())?
                    .try_host("{b}.example.com", App::new())
            },
            "host \"{b}.example.com\" conflicts with host \"{a}.example.com\"",
        ),
        (
            "a host twice",
            || {
                App::new()
                    .try_host("api.example.com", App::new())?
                    .try_host("api.example.com", App::new())
            },
            "host \"api.example.com\" conflicts with host \"api.example.com\"",
        ),
    ];
    for (what, build, message) in cases {
        match build() {
            Err(error) => assert_eq!(error.to_string(), *message, "{what}"),
            Ok(app) => panic!("{what}: accepted as {app:?}"),
        }
    }

    // Routes that only look alike are fine.
    let fine: &[Build] = &[
        || {
            App::new()
                .try_route("/users/{id:int}", get(reply("a")))?
                .try_route("/users/{id}", get(reply("b")))
        },
        || {
            App::new()
                .try_route("/a", get(reply("a")))?
                .try_route("/a", post_reply())
        },
        || {
            App::new()
                .try_mount("/api", echo("a"))?
                .try_mount("/api/v2", echo("b"))?
                .try_route("/api/health", get(reply("c")))
        },
        || {
            App::new()
                .try_host("api.example.com", App::new())?
                .try_host("{tenant}.example.com", App::new())
        },
    ];
    for (i, build) in fine.iter().enumerate() {
        assert!(build().is_ok(), "case {i}: {:?}", build().unwrap_err());
    }
}

fn post_reply() -> tackle_routing::MethodRouter<Body> {
    tackle_routing::post(reply("post"))
}

#[test]
#[should_panic(
    expected = "tackle-routing: route \"/users/{name}\" conflicts with route \"/users/{id}\""
)]
fn route_panics_with_the_conflict() {
    let _ = App::new()
        .route("/users/{id}", get(reply("a")))
        .route("/users/{name}", get(reply("b")));
}

/// A handler for priority tests: the matched route and the parameters.
fn matched() -> Handler<impl Fn(Request<Body>) -> Answer + Clone + Send + Sync + 'static> {
    respond_with(|request| {
        let mut text = request
            .matched_route()
            .map_or("none".to_owned(), |r| r.as_str().to_owned());
        for (name, value) in request.path_params().into_iter().flat_map(|p| p.iter()) {
            text.push_str(&format!(" {name}={value}"));
        }
        Ok(Response::text(text))
    })
}

/// How a request was answered, in one comparable line.
async fn outcome(client: &TestClient<App>, target: &str) -> String {
    let response = client.get(target).send().await;
    match response.header("location") {
        Some(location) => format!("{} {location}", response.status().as_u16()),
        None => format!("{} {}", response.status().as_u16(), response.text()),
    }
}

/// Every order of `0..n`, by Heap's algorithm.
fn permutations(n: usize) -> Vec<Vec<usize>> {
    fn heap(k: usize, items: &mut Vec<usize>, out: &mut Vec<Vec<usize>>) {
        if k <= 1 {
            out.push(items.clone());
            return;
        }
        for i in 0..k {
            heap(k - 1, items, out);
            let j = if k % 2 == 0 { i } else { 0 };
            if i + 1 < k {
                items.swap(j, k - 1);
            }
        }
    }
    let mut out = Vec::new();
    heap(n, &mut (0..n).collect(), &mut out);
    out
}

#[tokio::test]
async fn priority_is_the_same_for_every_insertion_order_of_a_small_set() {
    let add: [fn(App) -> App; 6] = [
        |app| app.route("/v/{id:int}", get(matched())),
        |app| app.route("/v/{slug}", get(matched())),
        |app| app.route("/v/new", get(matched())),
        |app| app.route("/v/{lang:any(en,de)}", get(matched())),
        |app| app.route("/{*rest}", get(matched())),
        |app| app.mount("/v/static", echo("static")),
    ];
    let expected: &[(&str, &str)] = &[
        ("/v/42", "200 /v/{id:int} id=42"),
        ("/v/-1", "200 /v/{id:int} id=-1"),
        ("/v/en", "200 /v/{lang:any(en,de)} lang=en"),
        ("/v/new", "200 /v/new"),
        ("/v/news", "200 /v/{slug} slug=news"),
        ("/v/fr", "200 /v/{slug} slug=fr"),
        (
            "/v/static",
            "200 static / prefix=/v/static original=/v/static",
        ),
        (
            "/v/static/app.js",
            "200 static /app.js prefix=/v/static original=/v/static/app.js",
        ),
        ("/v/staticx", "200 /v/{slug} slug=staticx"),
        // The catch-all takes it as sent: no slash redirect.
        ("/v/de/", "200 /{*rest} rest=v/de/"),
        ("/v/42/edit", "200 /{*rest} rest=v/42/edit"),
        ("/v", "200 /{*rest} rest=v"),
        ("/x/y", "200 /{*rest} rest=x/y"),
    ];
    let orders = permutations(add.len());
    assert_eq!(orders.len(), 720);
    for order in orders {
        let app = order.iter().fold(App::new(), |app, &i| add[i](app));
        let client = TestClient::new(app);
        for &(target, answer) in expected {
            assert_eq!(outcome(&client, target).await, answer, "{order:?} {target}");
        }
    }
}

/// A small linear congruential generator: the same orders on every run.
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 33) % n as u64) as usize
    }

    fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            items.swap(i, self.below(i + 1));
        }
    }
}

/// The 130 routes of matchit's GitHub API benchmark.
fn github_routes() -> Vec<String> {
    let file = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/corpus/routing/github-api-routes.txt"
    );
    let text = std::fs::read_to_string(file).unwrap_or_else(|e| panic!("cannot read {file}: {e}"));
    text.lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .map(str::to_owned)
        .collect()
}

/// `pattern` with each parameter replaced by `value(name)`.
fn fill(pattern: &str, value: impl Fn(&str) -> String) -> String {
    let mut out = String::new();
    let mut rest = pattern;
    while let Some(start) = rest.find('{') {
        let end = rest[start..].find('}').expect("closed") + start;
        out.push_str(&rest[..start]);
        let inside = &rest[start + 1..end];
        let name = inside.split(':').next().unwrap_or(inside);
        out.push_str(&value(name));
        rest = &rest[end + 1..];
    }
    out.push_str(rest);
    out
}

#[tokio::test]
async fn priority_is_the_same_for_random_insertion_orders_of_a_large_set() {
    let originals = github_routes();
    assert_eq!(originals.len(), 130);
    // Converter variants of the same shapes, so that the order among routes
    // of one shape is exercised too.
    let mut patterns = originals.clone();
    for (i, pattern) in originals.iter().enumerate() {
        if let Some(at) = pattern.rfind('}')
            && i % 3 == 0
        {
            patterns.push(format!("{}:uint{}", &pattern[..at], &pattern[at..]));
        }
        if let Some(at) = pattern.find('}')
            && i % 5 == 0
        {
            patterns.push(format!("{}:any(x1,y1){}", &pattern[..at], &pattern[at..]));
        }
    }
    patterns.push("/static/{*path}".to_owned());
    patterns.push("/gists/{p1:uuid}".to_owned());

    let mut targets = BTreeSet::new();
    for pattern in &patterns {
        targets.insert(fill(pattern, |name| name.to_owned()));
        targets.insert(fill(pattern, |_| "7".to_owned()));
        targets.insert(fill(pattern, |_| "x1".to_owned()));
        targets.insert(format!("{}/", fill(pattern, |name| name.to_owned())));
    }
    targets.insert("/static/css/site.css".to_owned());
    targets.insert("/gists/0b0e7b3c-6e8a-4d3e-9a55-0c1f9a6f3f10".to_owned());
    targets.insert("/nothing/here".to_owned());

    let build = |order: &[usize]| {
        let app = order.iter().fold(App::new(), |app, &i| {
            app.route(&patterns[i], get(matched()))
        });
        TestClient::new(app)
    };
    let in_file_order: Vec<usize> = (0..patterns.len()).collect();
    let reference = build(&in_file_order);
    let mut answers = Vec::new();
    for target in &targets {
        answers.push(outcome(&reference, target).await);
    }

    // Each route of the file is reached by the path it names.
    for pattern in &originals {
        let target = fill(pattern, |name| name.to_owned());
        let answer = outcome(&reference, &target).await;
        assert!(
            answer.starts_with(&format!("200 {pattern}")),
            "{target}: {answer}"
        );
    }

    // The variants do win where their converters accept the value.
    for variant in [":uint}", ":any(x1,y1)}", ":uuid}", "/static/{*path}"] {
        assert!(
            answers.iter().any(|answer| answer.contains(variant)),
            "no path reached a {variant} route"
        );
    }

    let mut random = Lcg(0x7ac1e);
    let mut orders = vec![in_file_order.iter().rev().copied().collect::<Vec<_>>()];
    for _ in 0..6 {
        let mut order = in_file_order.clone();
        random.shuffle(&mut order);
        orders.push(order);
    }
    for (n, order) in orders.iter().enumerate() {
        let client = build(order);
        for (target, answer) in targets.iter().zip(&answers) {
            assert_eq!(
                &outcome(&client, target).await,
                answer,
                "order {n} ({} routes first: {:?})",
                order.len(),
                &patterns[order[0]]
            );
        }
    }
}
