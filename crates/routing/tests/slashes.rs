//! The slash policy and slash merging end to end: every `SlashPolicy`
//! against routes registered with and without a trailing slash, requests
//! with and without one, with and without a query, at the top and inside
//! (nested) mounts; repeated slashes merged or not; `308` keeping the
//! method; `/` never toggled.

use std::future::{Ready, ready};
use std::sync::Arc;

use http::{Method, StatusCode};
use tackle_request::response::Response;
use tackle_request::{Body, Handler, HttpError, Request, handler};
use tackle_routing::{Router, SlashPolicy, get, post};
use tackle_testing::TestClient;

type App = Router<Body>;

type Answer = Ready<Result<http::Response<Body>, HttpError>>;

/// A handler answering `label`, its path parameters (` name=value`) and the
/// query string it got (` ?query`).
fn reply(
    label: &'static str,
) -> Handler<impl Fn(Request<Body>) -> Answer + Clone + Send + Sync + 'static> {
    let label: Arc<str> = Arc::from(label);
    handler(move |request: Request<Body>| {
        let mut text = label.to_string();
        for (name, value) in request.path_params().into_iter().flat_map(|p| p.iter()) {
            text.push_str(&format!(" {name}={value}"));
        }
        if let Some(query) = request.uri().query() {
            text.push_str(&format!(" ?{query}"));
        }
        if request.method() != Method::GET {
            text.push_str(&format!(" ({})", request.method()));
        }
        ready(Ok(Response::text(text)))
    })
}

/// What a request should get.
#[derive(Clone, Copy, Debug)]
enum Expect {
    /// `200` from the route that answers with this text.
    Serve(&'static str),
    /// `308` to this `Location`.
    Redirect(&'static str),
    NotFound,
}

use Expect::{NotFound, Redirect, Serve};

async fn check(client: &TestClient<App>, method: Method, path: &str, expected: Expect, case: &str) {
    let response = client.request(method, path).send().await;
    match expected {
        Serve(body) => {
            assert_eq!(response.status(), StatusCode::OK, "{case}");
            assert_eq!(response.text(), body, "{case}");
        }
        Redirect(location) => {
            assert_eq!(response.status(), StatusCode::PERMANENT_REDIRECT, "{case}");
            assert_eq!(response.header("location"), Some(location), "{case}");
            assert_eq!(response.text(), "", "{case}");
        }
        NotFound => assert_eq!(response.status(), StatusCode::NOT_FOUND, "{case}"),
    }
}

/// Routes with and without a trailing slash at the top, under a mount at
/// `/m` and under a mount at `/m/n` inside it, every router with `policy`.
fn policy_app(policy: SlashPolicy) -> App {
    let innermost = App::new()
        .slash_policy(policy)
        .route("/a", get(reply("n a")))
        .route("/b/", get(reply("n b/")));
    let mounted = App::new()
        .slash_policy(policy)
        .route("/", get(reply("m root")))
        .route("/a", get(reply("m a")))
        .route("/b/", get(reply("m b/")))
        .route("/c/{id:int}", get(reply("m c")))
        .mount("/n", innermost);
    App::new()
        .slash_policy(policy)
        .route("/", get(reply("root")))
        .route("/a", get(reply("a")).post(reply("a")).delete(reply("a")))
        .route("/b/", get(reply("b/")))
        .route("/both", get(reply("both")))
        .route("/both/", get(reply("both/")))
        .route("/c/{id:int}", get(reply("c")))
        .route("/d/{id:int}/", get(reply("d/")))
        .route("/café", get(reply("cafe")))
        .mount("/m", mounted)
}

#[tokio::test]
async fn every_slash_policy_on_every_form() {
    let strict = TestClient::new(policy_app(SlashPolicy::Strict));
    let redirect = TestClient::new(policy_app(SlashPolicy::Redirect));
    let ignore = TestClient::new(policy_app(SlashPolicy::Ignore));
    // (request, Strict, Redirect, Ignore)
    let cases: &[(&str, Expect, Expect, Expect)] = &[
        // Registered without a trailing slash.
        ("/a", Serve("a"), Serve("a"), Serve("a")),
        ("/a?x=1", Serve("a ?x=1"), Serve("a ?x=1"), Serve("a ?x=1")),
        ("/a/", NotFound, Redirect("/a"), Serve("a")),
        (
            "/a/?x=1&y=%20",
            NotFound,
            Redirect("/a?x=1&y=%20"),
            Serve("a ?x=1&y=%20"),
        ),
        // Registered with one.
        ("/b/", Serve("b/"), Serve("b/"), Serve("b/")),
        ("/b", NotFound, Redirect("/b/"), Serve("b/")),
        ("/b?q", NotFound, Redirect("/b/?q"), Serve("b/ ?q")),
        // Both forms registered: each is its own route under every policy.
        ("/both", Serve("both"), Serve("both"), Serve("both")),
        ("/both/", Serve("both/"), Serve("both/"), Serve("both/")),
        (
            "/both/?z=9",
            Serve("both/ ?z=9"),
            Serve("both/ ?z=9"),
            Serve("both/ ?z=9"),
        ),
        // With parameters: the other form must pass the converters too.
        ("/c/42/", NotFound, Redirect("/c/42"), Serve("c id=42")),
        ("/c/x/", NotFound, NotFound, NotFound),
        ("/d/7", NotFound, Redirect("/d/7/"), Serve("d/ id=7")),
        ("/d/x", NotFound, NotFound, NotFound),
        // The redirect names the path in its normal form.
        (
            "/caf%c3%a9/",
            NotFound,
            Redirect("/caf%C3%A9"),
            Serve("cafe"),
        ),
        ("/nothing/", NotFound, NotFound, NotFound),
        ("/nothing", NotFound, NotFound, NotFound),
        // Inside a mount: the redirect keeps the prefix.
        ("/m/a", Serve("m a"), Serve("m a"), Serve("m a")),
        ("/m/a/", NotFound, Redirect("/m/a"), Serve("m a")),
        (
            "/m/a/?x=1",
            NotFound,
            Redirect("/m/a?x=1"),
            Serve("m a ?x=1"),
        ),
        ("/m/b", NotFound, Redirect("/m/b/"), Serve("m b/")),
        (
            "/m/b?x=1",
            NotFound,
            Redirect("/m/b/?x=1"),
            Serve("m b/ ?x=1"),
        ),
        ("/m/b/", Serve("m b/"), Serve("m b/"), Serve("m b/")),
        ("/m/c/5/", NotFound, Redirect("/m/c/5"), Serve("m c id=5")),
        // Inside a mount inside a mount: the whole prefix is kept.
        ("/m/n/a", Serve("n a"), Serve("n a"), Serve("n a")),
        ("/m/n/a/", NotFound, Redirect("/m/n/a"), Serve("n a")),
        ("/m/n/b", NotFound, Redirect("/m/n/b/"), Serve("n b/")),
        (
            "/m/n/b?k=v",
            NotFound,
            Redirect("/m/n/b/?k=v"),
            Serve("n b/ ?k=v"),
        ),
        ("/m/n/zzz/", NotFound, NotFound, NotFound),
    ];
    for &(path, in_strict, in_redirect, in_ignore) in cases {
        for (client, expected, policy) in [
            (&strict, in_strict, "Strict"),
            (&redirect, in_redirect, "Redirect"),
            (&ignore, in_ignore, "Ignore"),
        ] {
            let case = format!("{policy} GET {path}");
            check(client, Method::GET, path, expected, &case).await;
        }
    }
}

#[tokio::test]
async fn the_redirect_is_a_308_that_keeps_the_method() {
    let app = policy_app(SlashPolicy::Redirect).route("/form", post(reply("form")));
    let client = TestClient::new(app.clone());
    // Every method gets the same redirect: the route decides on the method
    // once the path is right.
    let cases: &[(Method, &str, &str)] = &[
        (Method::POST, "/a/", "/a"),
        (Method::DELETE, "/a/?x=1", "/a?x=1"),
        (Method::HEAD, "/a/", "/a"),
        (Method::POST, "/form/", "/form"),
        (Method::PUT, "/m/a/", "/m/a"),
    ];
    for (method, path, location) in cases {
        let case = format!("{method} {path}");
        check(&client, method.clone(), path, Redirect(location), &case).await;
    }

    // A client that follows the 308 sends the same method and body again.
    let client = TestClient::new(app).follow_redirects(1);
    let response = client.post("/form/?id=3").body("payload").send().await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.text(), "form ?id=3 (POST)");
    assert_eq!(response.history().len(), 1);
    assert_eq!(
        response.history()[0].status(),
        StatusCode::PERMANENT_REDIRECT
    );
    assert_eq!(response.history()[0].location(), "/form?id=3");

    let response = client.delete("/a/").send().await;
    assert_eq!(response.text(), "a (DELETE)");
}

#[tokio::test]
async fn repeated_slashes_are_merged_by_redirect_unless_turned_off() {
    let app = |policy: SlashPolicy, merge: bool| {
        let mounted = App::new()
            .slash_policy(policy)
            .merge_slashes(merge)
            .route("/x", get(reply("m x")));
        TestClient::new(
            App::new()
                .slash_policy(policy)
                .merge_slashes(merge)
                .route("/", get(reply("root")))
                .route("/a/b", get(reply("a/b")))
                .route("/dir/", get(reply("dir/")))
                .route("/files/{*rest}", get(reply("files")))
                .mount("/m", mounted),
        )
    };
    let merged = app(SlashPolicy::Redirect, true);
    let unmerged = app(SlashPolicy::Redirect, false);
    let strict = app(SlashPolicy::Strict, true);
    let ignore = app(SlashPolicy::Ignore, true);
    // (request, merged (the default), merging off, merged + Strict, merged + Ignore)
    let cases: &[(&str, Expect, Expect, Expect, Expect)] = &[
        (
            "//a///b",
            Redirect("/a/b"),
            NotFound,
            Redirect("/a/b"),
            Redirect("/a/b"),
        ),
        (
            "//a///b?q=1&r",
            Redirect("/a/b?q=1&r"),
            NotFound,
            Redirect("/a/b?q=1&r"),
            Redirect("/a/b?q=1&r"),
        ),
        (
            "/a//b",
            Redirect("/a/b"),
            NotFound,
            Redirect("/a/b"),
            Redirect("/a/b"),
        ),
        // Merged and trailing slash toggled, in one redirect; Strict does
        // not toggle, and Ignore redirects since the path changes anyway.
        (
            "/a//b/",
            Redirect("/a/b"),
            NotFound,
            NotFound,
            Redirect("/a/b"),
        ),
        (
            "//dir",
            Redirect("/dir/"),
            NotFound,
            NotFound,
            Redirect("/dir/"),
        ),
        (
            "//dir//",
            Redirect("/dir/"),
            NotFound,
            Redirect("/dir/"),
            Redirect("/dir/"),
        ),
        (
            "/a/b",
            Serve("a/b"),
            Serve("a/b"),
            Serve("a/b"),
            Serve("a/b"),
        ),
        // A path that matches a route as sent is left alone.
        (
            "/files/a//b",
            Serve("files rest=a//b"),
            Serve("files rest=a//b"),
            Serve("files rest=a//b"),
            Serve("files rest=a//b"),
        ),
        // Under a mount: the mounted router merges, keeping the prefix.
        (
            "/m//x",
            Redirect("/m/x"),
            NotFound,
            Redirect("/m/x"),
            Redirect("/m/x"),
        ),
        (
            "//m//x",
            Redirect("/m/x"),
            NotFound,
            Redirect("/m/x"),
            Redirect("/m/x"),
        ),
        (
            "/m//x/",
            Redirect("/m/x"),
            NotFound,
            NotFound,
            Redirect("/m/x"),
        ),
        ("//nothing//", NotFound, NotFound, NotFound, NotFound),
    ];
    for &(path, by_default, off, with_strict, with_ignore) in cases {
        for (client, expected, setup) in [
            (&merged, by_default, "merge"),
            (&unmerged, off, "no merge"),
            (&strict, with_strict, "merge + Strict"),
            (&ignore, with_ignore, "merge + Ignore"),
        ] {
            let case = format!("{setup} GET {path}");
            check(client, Method::GET, path, expected, &case).await;
        }
    }
}

#[tokio::test]
async fn the_root_is_never_toggled() {
    for policy in [
        SlashPolicy::Strict,
        SlashPolicy::Redirect,
        SlashPolicy::Ignore,
    ] {
        let without_root = App::new().slash_policy(policy).route("/x", get(reply("x")));
        let with_root = App::new()
            .slash_policy(policy)
            .route("/", get(reply("root")));
        let app = App::new()
            .slash_policy(policy)
            .route("/x", get(reply("top x")))
            .mount("/with", with_root)
            .mount("/without", without_root);
        let client = TestClient::new(app);
        // A mount's own root is `/` inside it, reached as `/with` and
        // `/with/` alike, and never toggled into anything else.
        let cases: &[(&str, Expect)] = &[
            ("/", NotFound),
            ("/?x=1", NotFound),
            ("/with", Serve("root")),
            ("/with/", Serve("root")),
            ("/with/?q", Serve("root ?q")),
            ("/without", NotFound),
            ("/without/", NotFound),
            ("/without/x", Serve("x")),
        ];
        for &(path, expected) in cases {
            let case = format!("{policy:?} GET {path}");
            check(&client, Method::GET, path, expected, &case).await;
        }
    }
}
