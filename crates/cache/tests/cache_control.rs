//! `CacheControlLayer` end to end: rules, policies, options, and the layer
//! around plain tower services, axum and the test client.

use std::convert::Infallible;
use std::time::{SystemTime, UNIX_EPOCH};

use http::header::{CACHE_CONTROL, CONTENT_TYPE, DATE, EXPIRES, VARY};
use http::{HeaderMap, Request, Response, StatusCode};
use http_body_util::BodyExt;
use tackle_cache::{CacheControlLayer, Policy, Rule};
use tackle_http::CacheControl;
use tower::{Layer, ServiceExt, service_fn};

/// What the handler under test answers.
#[derive(Clone, Default)]
struct Answer {
    status: u16,
    headers: Vec<(&'static str, &'static str)>,
    body: &'static str,
}

fn answer(status: u16) -> Answer {
    Answer {
        status,
        headers: Vec::new(),
        body: "body",
    }
}

impl Answer {
    fn header(mut self, name: &'static str, value: &'static str) -> Self {
        self.headers.push((name, value));
        self
    }

    fn html(self) -> Self {
        self.header("content-type", "text/html; charset=utf-8")
    }
}

/// Sends `GET path` through `layer` around a handler answering `answer`.
async fn send(layer: &CacheControlLayer, path: &str, answer: Answer) -> Response<String> {
    let handler = service_fn(move |_: Request<()>| {
        let answer = answer.clone();
        async move {
            let mut response = Response::builder().status(answer.status);
            for (name, value) in answer.headers {
                response = response.header(name, value);
            }
            Ok::<_, Infallible>(response.body(answer.body.to_string()).unwrap())
        }
    });
    let request = Request::get(path).body(()).unwrap();
    layer.layer(handler).oneshot(request).await.unwrap()
}

fn values(headers: &HeaderMap, name: http::HeaderName) -> Vec<&str> {
    headers
        .get_all(name)
        .iter()
        .map(|v| v.to_str().unwrap())
        .collect()
}

fn cache_control(response: &Response<String>) -> Option<&str> {
    response
        .headers()
        .get(CACHE_CONTROL)
        .map(|v| v.to_str().unwrap())
}

fn marker(name: &str) -> Policy {
    Policy::new(CacheControl::new().with_extension(name, None).unwrap())
}

#[tokio::test]
async fn no_rules_leave_responses_untouched() {
    let layer = CacheControlLayer::new();
    let response = send(&layer, "/app.3f2a9c1b.js", answer(200).html()).await;
    assert_eq!(response.headers().len(), 1);
    assert_eq!(response.body(), "body");
}

#[tokio::test]
async fn each_condition_kind() {
    let layer = CacheControlLayer::new()
        .rule(Rule::path("/static/**"), marker("path"))
        .rule(Rule::fingerprinted(), marker("fingerprinted"))
        .rule(Rule::content_type("image/*"), marker("image"))
        .rule(Rule::content_type("text/html"), marker("html"))
        .rule(Rule::status(StatusCode::NOT_FOUND), marker("not-found"))
        .rule(Rule::informational(), marker("1xx"))
        .rule(Rule::success(), marker("2xx"))
        .rule(Rule::redirection(), marker("3xx"))
        .rule(Rule::client_error(), marker("4xx"))
        .rule(Rule::server_error(), marker("5xx"));
    #[rustfmt::skip]
    let cases: &[(&str, Answer, Option<&str>)] = &[
        ("/static/a.css", answer(500), Some("path")),
        ("/static/a.css?v=1", answer(200), Some("path")),
        ("/x/app.3f2a9c1b.js", answer(404), Some("fingerprinted")),
        ("/x", answer(500).header("content-type", "IMAGE/PNG"), Some("image")),
        ("/x", answer(500).header("content-type", "text/HTML;charset=utf-8"), Some("html")),
        ("/x", answer(404).header("content-type", "text/plain"), Some("not-found")),
        ("/x", answer(103), Some("1xx")),
        ("/x", answer(204), Some("2xx")),
        ("/x", answer(304), Some("3xx")),
        ("/x", answer(410), Some("4xx")),
        ("/x", answer(503), Some("5xx")),
    ];
    for (path, answer, want) in cases {
        let response = send(&layer, path, answer.clone()).await;
        assert_eq!(cache_control(&response), *want, "{path} {}", answer.status);
    }
    // A status no rule covers.
    let layer = CacheControlLayer::new().rule(Rule::success(), marker("2xx"));
    assert_eq!(cache_control(&send(&layer, "/", answer(301)).await), None);
    // No Content-Type: a content-type rule does not match, even `*/*`.
    let layer = CacheControlLayer::new().rule(Rule::content_type("*/*"), marker("any-type"));
    assert_eq!(cache_control(&send(&layer, "/", answer(200)).await), None);
    let typed = answer(200).header("content-type", "application/json");
    assert_eq!(
        cache_control(&send(&layer, "/", typed).await),
        Some("any-type")
    );
}

#[tokio::test]
async fn all_conditions_of_a_rule_must_hold() {
    let layer = CacheControlLayer::new().rule(
        Rule::path("/static/**")
            .and(Rule::success())
            .and(Rule::content_type("text/css")),
        Policy::parse("public, max-age=3600").unwrap(),
    );
    let css = || answer(200).header("content-type", "text/css");
    assert_eq!(
        cache_control(&send(&layer, "/static/a.css", css()).await),
        Some("public, max-age=3600")
    );
    assert_eq!(
        cache_control(&send(&layer, "/other/a.css", css()).await),
        None
    );
    let missing = answer(404).header("content-type", "text/css");
    assert_eq!(
        cache_control(&send(&layer, "/static/a.css", missing).await),
        None
    );
    assert_eq!(
        cache_control(&send(&layer, "/static/a.css", answer(200)).await),
        None
    );
}

#[tokio::test]
async fn first_matching_rule_wins() {
    let layer = CacheControlLayer::new()
        .rule(
            Rule::path("/a/**").and(Rule::client_error()),
            marker("first"),
        )
        .rule(Rule::path("/a/**"), marker("second"))
        .rule(Rule::any(), marker("fallback"));
    assert_eq!(
        cache_control(&send(&layer, "/a/x", answer(404)).await),
        Some("first")
    );
    assert_eq!(
        cache_control(&send(&layer, "/a/x", answer(200)).await),
        Some("second")
    );
    assert_eq!(
        cache_control(&send(&layer, "/b", answer(404)).await),
        Some("fallback")
    );
}

#[tokio::test]
async fn more_than_64_rules() {
    let mut layer = CacheControlLayer::new();
    for i in 0..100 {
        layer = layer.rule(Rule::path(&format!("/r{i}")), marker(&format!("r{i}")));
    }
    let layer = layer.rule(Rule::path("/**"), marker("last"));
    for i in [0, 63, 64, 65, 99] {
        let response = send(&layer, &format!("/r{i}"), answer(200)).await;
        assert_eq!(cache_control(&response), Some(format!("r{i}").as_str()));
    }
    assert_eq!(
        cache_control(&send(&layer, "/r100", answer(200)).await),
        Some("last")
    );
}

#[tokio::test]
async fn handler_cache_control_is_kept_unless_overridden() {
    let policy = || {
        Policy::parse("public, max-age=60")
            .unwrap()
            .with_expires()
            .with_vary(["Accept"])
    };
    let handler_set = || {
        answer(200)
            .header("cache-control", "private, max-age=5")
            .header("expires", "Sun, 06 Nov 1994 08:49:37 GMT")
    };

    let keep = CacheControlLayer::new().rule(Rule::any(), policy());
    let response = send(&keep, "/", handler_set()).await;
    assert_eq!(
        values(response.headers(), CACHE_CONTROL),
        ["private, max-age=5"]
    );
    assert_eq!(
        values(response.headers(), EXPIRES),
        ["Sun, 06 Nov 1994 08:49:37 GMT"]
    );
    // Vary is merged anyway: it only widens what a cache compares.
    assert_eq!(values(response.headers(), VARY), ["accept"]);

    let replace = keep.clone().override_existing(true);
    let response = send(&replace, "/", handler_set()).await;
    assert_eq!(
        values(response.headers(), CACHE_CONTROL),
        ["public, max-age=60"]
    );
    let expires = values(response.headers(), EXPIRES);
    assert_eq!(expires.len(), 1);
    assert_ne!(expires[0], "Sun, 06 Nov 1994 08:49:37 GMT");

    // The layer the override was set on was a clone: the original keeps.
    let response = send(&keep, "/", handler_set()).await;
    assert_eq!(
        values(response.headers(), CACHE_CONTROL),
        ["private, max-age=5"]
    );
}

#[tokio::test]
async fn handler_expires_is_kept_when_only_cache_control_is_missing() {
    let layer = CacheControlLayer::new().rule(
        Rule::any(),
        Policy::parse("max-age=60").unwrap().with_expires(),
    );
    let response = send(&layer, "/", answer(200).header("expires", "0")).await;
    assert_eq!(cache_control(&response), Some("max-age=60"));
    assert_eq!(values(response.headers(), EXPIRES), ["0"]);
}

fn unix(text: &str) -> u64 {
    httpdate::parse_http_date(text)
        .unwrap()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

#[tokio::test]
async fn expires_from_the_date_header() {
    let layer = CacheControlLayer::new().rule(
        Rule::any(),
        Policy::parse("public, max-age=3600, s-maxage=10")
            .unwrap()
            .with_expires(),
    );
    let dated = answer(200).header("date", "Sun, 06 Nov 1994 08:49:37 GMT");
    let response = send(&layer, "/", dated).await;
    assert_eq!(response.headers()[EXPIRES], "Sun, 06 Nov 1994 09:49:37 GMT");
    assert_eq!(response.headers()[DATE], "Sun, 06 Nov 1994 08:49:37 GMT");
}

#[tokio::test]
async fn expires_from_now_without_a_valid_date() {
    let layer = CacheControlLayer::new().rule(
        Rule::any(),
        Policy::parse("max-age=86400").unwrap().with_expires(),
    );
    for handler in [answer(200), answer(200).header("date", "yesterday")] {
        let before = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs();
        let response = send(&layer, "/", handler).await;
        let after = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs();
        let expires = unix(response.headers()[EXPIRES].to_str().unwrap());
        assert!(
            (before + 86_400..=after + 86_400).contains(&expires),
            "{expires} not within [{before}, {after}] + 1 day"
        );
    }
}

#[tokio::test]
async fn expires_for_policies_without_max_age() {
    for (policy, want) in [
        ("no-store", Some("Thu, 01 Jan 1970 00:00:00 GMT")),
        ("private, no-cache", Some("Thu, 01 Jan 1970 00:00:00 GMT")),
        ("private", None),
        ("no-store, max-age=0", None), // max-age first: Expires = now
    ] {
        let layer = CacheControlLayer::new()
            .rule(Rule::any(), Policy::parse(policy).unwrap().with_expires());
        let response = send(&layer, "/", answer(200)).await;
        let expires = response.headers().get(EXPIRES).map(|v| v.to_str().unwrap());
        match want {
            Some(want) => assert_eq!(expires, Some(want), "{policy}"),
            None if policy.contains("max-age=0") => {
                let now = SystemTime::now()
                    .duration_since(UNIX_EPOCH)
                    .unwrap()
                    .as_secs();
                assert!(unix(expires.unwrap()).abs_diff(now) <= 2, "{policy}");
            }
            None => assert_eq!(expires, None, "{policy}"),
        }
    }
    // Without `with_expires`, no Expires at all.
    let layer = CacheControlLayer::new().rule(Rule::any(), Policy::no_store());
    assert!(
        !send(&layer, "/", answer(200))
            .await
            .headers()
            .contains_key(EXPIRES)
    );
}

/// The names listed across all `Vary` lines, lowercase, in order.
fn vary_list(response: &Response<String>) -> Vec<String> {
    values(response.headers(), VARY)
        .iter()
        .flat_map(|line| line.split(','))
        .map(|name| name.trim().to_ascii_lowercase())
        .filter(|name| !name.is_empty())
        .collect()
}

#[tokio::test]
async fn vary_is_merged_without_duplicates() {
    let layer = CacheControlLayer::new().rule(
        Rule::any(),
        Policy::no_cache().with_vary(["Accept-Encoding", "Cookie"]),
    );
    let response = send(&layer, "/", answer(200).header("vary", "accept-encoding")).await;
    assert_eq!(vary_list(&response), ["accept-encoding", "cookie"]);

    let response = send(&layer, "/", answer(200)).await;
    assert_eq!(
        values(response.headers(), VARY),
        ["accept-encoding, cookie"]
    );

    let both = answer(200)
        .header("vary", "Origin, COOKIE")
        .header("vary", "Accept-Encoding");
    let response = send(&layer, "/", both).await;
    assert_eq!(
        vary_list(&response),
        ["origin", "cookie", "accept-encoding"]
    );

    let response = send(&layer, "/", answer(200).header("vary", "Origin")).await;
    assert_eq!(
        vary_list(&response),
        ["origin", "accept-encoding", "cookie"]
    );

    let response = send(&layer, "/", answer(200).header("vary", "*")).await;
    assert_eq!(values(response.headers(), VARY), ["*"]);
    let response = send(&layer, "/", answer(200).header("vary", "origin, *")).await;
    assert_eq!(values(response.headers(), VARY), ["origin, *"]);
}

#[tokio::test]
async fn vary_star_policy_replaces() {
    let layer = CacheControlLayer::new().rule(Rule::any(), Policy::no_cache().with_vary(["*"]));
    let response = send(&layer, "/", answer(200).header("vary", "origin")).await;
    assert_eq!(values(response.headers(), VARY), ["*"]);
    let response = send(&layer, "/", answer(200)).await;
    assert_eq!(values(response.headers(), VARY), ["*"]);
}

#[test]
fn fingerprint_table() {
    let ok = Response::new(());
    for path in [
        "/app.3f2a9c1b.js",
        "/main.3f2a9c1b4d5e6f70.css",
        "/assets/index-BZh3Q0lx.js",
        "/chunk-5f3e2a1b.mjs",
        "/logo.a1b2c3d4.svg",
        "/3f2a9c1b.js",
    ] {
        assert!(Rule::fingerprinted().matches(path, &ok), "{path}");
    }
    for path in [
        "/app.js",
        "/jquery-3.7.1.min.js",
        "/report-20240101.pdf",
        "/my-component.js",
        "/favicon.ico",
        "/cafebabe.js",
        "/app.3f2a9c1b",
        "/app.3f2a9c1b.js/",
    ] {
        assert!(!Rule::fingerprinted().matches(path, &ok), "{path}");
    }
}

#[test]
fn glob_table() {
    let ok = Response::new(());
    #[rustfmt::skip]
    let cases: &[(&str, &str, bool)] = &[
        ("/static/**", "/static", false),
        ("/static/**", "/static/", true),
        ("/static/**", "/static/a/b.css", true),
        ("/static/**", "/staticx/a.css", false),
        ("*.js", "/a/b/c.js", true),
        ("*.js", "/a/b/c.json", false),
        ("*.js", "/c.js", true),
        ("*.js", "/a.js/b", false),
        ("/a/*/c", "/a/b/c", true),
        ("/a/*/c", "/a/b/x/c", false),
        ("/a/*/c", "/a//c", true),
        ("/a/**/c", "/a/c", true),
        ("/a/**/c", "/a/b/x/c", true),
        ("/a/**/c", "/a/bc", false),
        ("/**/*.css", "/x.css", true),
        ("/**/*.css", "/a/b/x.css", true),
        ("/file?.txt", "/file1.txt", true),
        ("/file?.txt", "/file.txt", false),
        ("/file?.txt", "/file12.txt", false),
        ("/a?b", "/a/b", false),
        ("/caf?", "/caf\u{e9}", true),
        ("/%41*", "/%41bc", true),
        ("/%41*", "/Abc", false),
        ("/exact", "/exact", true),
        ("/exact", "/exact/", false),
        ("/**", "/", true),
    ];
    for (glob, path, want) in cases {
        assert_eq!(
            Rule::path(glob).matches(path, &ok),
            *want,
            "{glob} vs {path}"
        );
    }
}

#[tokio::test]
async fn globs_see_the_path_without_the_query() {
    let layer = CacheControlLayer::new().rule(Rule::path("*.js"), marker("js"));
    let response = send(&layer, "/a.js?x=1.css", answer(200)).await;
    assert_eq!(cache_control(&response), Some("js"));
    let response = send(&layer, "/a.css?x=1.js", answer(200)).await;
    assert_eq!(cache_control(&response), None);
}

#[test]
fn hostile_paths_finish() {
    let ok = Response::new(());
    let long = format!("/{}", "a".repeat(100_000));
    assert!(!Rule::path("/**a**a**a**b").matches(&long, &ok));
    assert!(Rule::path("/**a**a**a**").matches(&long, &ok));
    assert!(!Rule::path("/*a*a*a*a*a*a*b").matches(&long, &ok));
    let slashes = "/a".repeat(50_000);
    assert!(!Rule::path("/**/a/**/a/**/b").matches(&slashes, &ok));
    assert!(!Rule::fingerprinted().matches(&long, &ok));
    let dashes = format!("/x{}.js", "-a1b2c3d4e".repeat(10_000));
    assert!(Rule::fingerprinted().matches(&dashes, &ok));
}

#[test]
fn invalid_patterns_are_errors() {
    assert!(Rule::try_path("a/b.js").is_err());
    assert!(Rule::try_path("").is_err());
    assert!(Rule::try_content_type("text/html; charset=utf-8").is_err());
    let err = Rule::try_path("**/x.js").unwrap_err();
    assert!(err.to_string().contains("leading `/`"), "{err}");
}

#[test]
#[should_panic(expected = "Rule::path(\"assets/*.js\")")]
fn invalid_path_panics_naming_the_pattern() {
    let _ = Rule::path("assets/*.js");
}

#[tokio::test]
async fn recommended_rules() {
    let layer = CacheControlLayer::recommended();
    #[rustfmt::skip]
    let cases: &[(&str, Answer, Option<&str>)] = &[
        ("/", answer(500).html(), Some("no-store")),
        ("/app.3f2a9c1b.js", answer(502), Some("no-store")),
        ("/app.3f2a9c1b.js", answer(200), Some("public, max-age=31536000, immutable")),
        ("/app.3f2a9c1b.js", answer(206), Some("public, max-age=31536000, immutable")),
        ("/app.3f2a9c1b.js", answer(304), Some("public, max-age=31536000, immutable")),
        // A missing asset is not cached for a year.
        ("/app.3f2a9c1b.js", answer(404), None),
        ("/app.3f2a9c1b.js", answer(404).html(), Some("private, no-cache")),
        ("/", answer(200).html(), Some("private, no-cache")),
        ("/", answer(304), None),
        ("/app.js", answer(200).header("content-type", "text/javascript"), None),
    ];
    for (path, answer, want) in cases {
        let response = send(&layer, path, answer.clone()).await;
        assert_eq!(cache_control(&response), *want, "{path} {}", answer.status);
    }
}

#[tokio::test]
async fn body_and_other_headers_pass_through() {
    let layer = CacheControlLayer::recommended();
    let handler = Answer {
        status: 200,
        headers: vec![("content-type", "text/html"), ("x-custom", "1")],
        body: "<p>unchanged</p>",
    };
    let response = send(&layer, "/", handler).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["x-custom"], "1");
    assert_eq!(response.headers()[CONTENT_TYPE], "text/html");
    assert_eq!(response.into_body(), "<p>unchanged</p>");
}

/// A body of its own type, sent in chunks: the layer must hand it on as is.
struct Chunks(Vec<&'static [u8]>);

impl http_body::Body for Chunks {
    type Data = bytes::Bytes;
    type Error = Infallible;

    fn poll_frame(
        mut self: std::pin::Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<http_body::Frame<bytes::Bytes>, Infallible>>> {
        let next = (!self.0.is_empty()).then(|| self.0.remove(0));
        std::task::Poll::Ready(
            next.map(|c| Ok(http_body::Frame::data(bytes::Bytes::from_static(c)))),
        )
    }
}

#[tokio::test]
async fn streaming_bodies_keep_their_type() {
    let layer = CacheControlLayer::new().rule(Rule::any(), Policy::no_store());
    let handler = service_fn(|_: Request<String>| async {
        Ok::<_, Infallible>(Response::new(Chunks(vec![b"one", b"two"])))
    });
    let response: Response<Chunks> = layer
        .layer(handler)
        .oneshot(Request::new("request body".to_string()))
        .await
        .unwrap();
    assert_eq!(response.headers()[CACHE_CONTROL], "no-store");
    let body = response.into_body().collect().await.unwrap().to_bytes();
    assert_eq!(&body[..], b"onetwo");
}

#[tokio::test]
async fn errors_pass_through() {
    let layer = CacheControlLayer::new().rule(Rule::any(), Policy::no_store());
    let failing = service_fn(|_: Request<()>| async { Err::<Response<String>, _>("broken") });
    let result = layer.layer(failing).oneshot(Request::new(())).await;
    assert_eq!(result.unwrap_err(), "broken");
}

#[tokio::test]
async fn around_an_axum_router() {
    use axum::Router;
    use axum::response::Html;
    use axum::routing::get;

    let app = Router::new()
        .route("/", get(|| async { Html("<h1>home</h1>") }))
        .route(
            "/assets/{file}",
            get(|| async { ([(CONTENT_TYPE, "text/javascript")], "js") }),
        )
        .route(
            "/own",
            get(|| async { ([(CACHE_CONTROL, "max-age=5")], Html("mine")) }),
        )
        .layer(CacheControlLayer::recommended());

    let call = |path: &'static str| {
        let app = app.clone();
        async move {
            app.oneshot(Request::get(path).body(axum::body::Body::empty()).unwrap())
                .await
                .unwrap()
        }
    };
    let home = call("/").await;
    assert_eq!(home.headers()[CACHE_CONTROL], "private, no-cache");
    let body = home.into_body().collect().await.unwrap().to_bytes();
    assert_eq!(&body[..], b"<h1>home</h1>");

    let asset = call("/assets/index-BZh3Q0lx.js").await;
    assert_eq!(
        asset.headers()[CACHE_CONTROL],
        "public, max-age=31536000, immutable"
    );

    assert_eq!(call("/own").await.headers()[CACHE_CONTROL], "max-age=5");

    let missing = call("/nowhere").await;
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    assert!(!missing.headers().contains_key(CACHE_CONTROL));
}

#[tokio::test]
async fn through_the_test_client() {
    use tackle_request::Body;
    use tackle_testing::TestClient;

    let handler = service_fn(|request: Request<Body>| async move {
        let content_type = if request.uri().path().ends_with(".css") {
            "text/css"
        } else {
            "text/html; charset=utf-8"
        };
        Ok::<_, Infallible>(
            Response::builder()
                .header(CONTENT_TYPE, content_type)
                .body(Body::from("content"))
                .unwrap(),
        )
    });
    let layer = CacheControlLayer::recommended().rule(
        Rule::path("/static/**").and(Rule::success()),
        Policy::parse("public, max-age=600")
            .unwrap()
            .with_vary(["Accept-Encoding"]),
    );
    let client = TestClient::new(layer.layer(handler));

    let page = client.get("/").send().await;
    assert_eq!(page.header("cache-control"), Some("private, no-cache"));
    assert_eq!(page.text(), "content");

    let css = client.get("/static/site.css").send().await;
    assert_eq!(css.header("cache-control"), Some("public, max-age=600"));
    assert_eq!(css.header("vary"), Some("accept-encoding"));

    let hashed = client.get("/static/site.0badc0de.css").send().await;
    assert_eq!(
        hashed.header("cache-control"),
        Some("public, max-age=31536000, immutable")
    );
    assert_eq!(hashed.header("vary"), None);
}
