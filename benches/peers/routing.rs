//! `routing/` scenarios on the 130-route GitHub API set of matchit's own
//! benchmark: every iteration routes each of the 130 request paths once.
//!
//! - `match`: tackle's `Router::at` (escape normalization, converter
//!   checks, each parameter percent-decoded) against raw matchit `at()`,
//!   both summing the lengths of the parameter values;
//! - `full-call`: a whole service call per path (request built, dispatch,
//!   parameters in extensions, a handler answering a static text body, the
//!   body collected), tackle's `Router` against axum's `Router` with the
//!   same routes and handlers. Both futures complete without waiting, so
//!   they are polled once with a no-op waker and no runtime is involved.

use std::path::PathBuf;

use axum::body::Body as AxumBody;
use futures_util::FutureExt;
use http_body_util::BodyExt;
use std::convert::Infallible;
use tackle::request::response::Response;

use tackle::request::{Body as TackleBody, HttpError, Request, handler};
use tackle::routing::{Router, get};
use tower::Service;

use crate::harness::Scenario;

/// Every `routing/` scenario.
pub fn scenarios() -> Vec<Scenario> {
    let routes = github_routes();
    let paths: Vec<String> = routes.iter().map(|r| request_path(r)).collect();
    vec![
        versus_matchit("routing/github-130/match", &routes, &paths),
        versus_axum(
            "routing/github-130/full-call",
            tackle_router(&routes),
            axum_router(&routes),
            &paths,
            Some(1.5),
        ),
        versus_axum(
            "routing/github-130/full-call-own-handlers",
            tackle_handler_router(&routes),
            axum_handler_router(&routes),
            &paths,
            None,
        ),
    ]
}

/// The route set, one matchit pattern per line.
fn github_routes() -> Vec<String> {
    let file = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/corpus/routing/github-api-routes.txt");
    let text = std::fs::read_to_string(&file)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", file.display()));
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_owned)
        .collect()
}

/// The request path for a route: each `{pN}` becomes the text `pN`.
fn request_path(route: &str) -> String {
    route.replace(['{', '}'], "")
}

/// The handler both routers call: one tower service answering a static
/// text body, in each router's own body type so that neither boxes it.
fn hello<ResBody: From<&'static str>>() -> impl Service<
    http::Request<AxumBody>,
    Response = http::Response<ResBody>,
    Error = Infallible,
    Future = std::future::Ready<Result<http::Response<ResBody>, Infallible>>,
> + Clone
+ Send
+ Sync
+ 'static {
    tower::service_fn(|_: http::Request<AxumBody>| {
        let mut response = http::Response::new(ResBody::from("hello"));
        response.headers_mut().insert(
            http::header::CONTENT_TYPE,
            http::HeaderValue::from_static("text/plain; charset=utf-8"),
        );
        std::future::ready(Ok(response))
    })
}

fn tackle_router(routes: &[String]) -> Router<AxumBody> {
    routes.iter().fold(Router::new(), |router, route| {
        router.route(route, get(hello::<TackleBody>()))
    })
}

fn axum_router(routes: &[String]) -> axum::Router {
    routes.iter().fold(axum::Router::new(), |router, route| {
        router.route_service(route, hello::<AxumBody>())
    })
}

/// The same routes with each framework's own handler style: tackle's
/// `handler` adapter against an axum handler function.
fn tackle_handler_router(routes: &[String]) -> Router<AxumBody> {
    routes.iter().fold(Router::new(), |router, route| {
        router.route(
            route,
            get(handler(|_: Request<AxumBody>| async {
                Ok::<_, HttpError>(Response::text("hello"))
            })),
        )
    })
}

fn axum_handler_router(routes: &[String]) -> axum::Router {
    routes.iter().fold(axum::Router::new(), |router, route| {
        router.route(route, axum::routing::get(|| async { "hello" }))
    })
}

fn versus_matchit(name: &str, routes: &[String], paths: &[String]) -> Scenario {
    let ours = tackle_router(routes);
    let mut theirs = matchit::Router::new();
    for route in routes {
        theirs
            .insert(route.as_str(), ())
            .expect("the set has no conflicts");
    }
    let tackle_paths = paths.to_vec();
    let peer_paths = paths.to_vec();

    let count_ours = move || {
        tackle_paths
            .iter()
            .map(|path| {
                let matched = ours.at(path).expect("every path is routed");
                matched
                    .params()
                    .map(|(_, value)| value.len())
                    .sum::<usize>()
            })
            .sum::<usize>()
    };
    let count_theirs = move || {
        peer_paths
            .iter()
            .map(|path| {
                let matched = theirs.at(path).expect("every path is routed");
                matched
                    .params
                    .iter()
                    .map(|(_, value)| value.len())
                    .sum::<usize>()
            })
            .sum::<usize>()
    };
    let check_ours = count_ours.clone();
    let check_theirs = count_theirs.clone();
    assert_eq!(check_ours(), check_theirs(), "{name}: the routers disagree");
    Scenario::versus(name, count_ours, "matchit", count_theirs, 0.6)
}

fn versus_axum(
    name: &str,
    mut ours: Router<AxumBody>,
    mut theirs: axum::Router,
    paths: &[String],
    goal: Option<f64>,
) -> Scenario {
    let tackle_paths = paths.to_vec();
    let peer_paths = paths.to_vec();
    let mut call_ours = move || call_each(&mut ours, &tackle_paths);
    let mut call_theirs = move || call_each(&mut theirs, &peer_paths);
    assert_eq!(call_ours(), call_theirs(), "{name}: the routers disagree");
    let scenario = Scenario::versus(name, call_ours, "axum", call_theirs, goal.unwrap_or(0.0));
    match goal {
        Some(_) => scenario,
        None => scenario.without_goal(),
    }
}

/// Calls `router` once per path, checks each answer is `200`, and sums the
/// collected body lengths.
fn call_each<S, ResBody>(router: &mut S, paths: &[String]) -> usize
where
    S: Service<http::Request<AxumBody>, Response = http::Response<ResBody>>,
    S::Error: std::fmt::Debug,
    ResBody: http_body::Body,
    ResBody::Error: std::fmt::Debug,
{
    paths
        .iter()
        .map(|path| {
            let request = http::Request::builder()
                .uri(path.as_str())
                .body(AxumBody::empty())
                .expect("a valid request");
            let response = router
                .call(request)
                .now_or_never()
                .expect("ready at once")
                .expect("a router that does not fail");
            assert_eq!(response.status(), 200);
            body_len(response.into_body())
        })
        .sum()
}

/// The collected length of a body whose frames are all ready.
fn body_len<B: http_body::Body>(body: B) -> usize
where
    B::Error: std::fmt::Debug,
{
    body.collect()
        .now_or_never()
        .expect("ready at once")
        .expect("a body that does not fail")
        .to_bytes()
        .len()
}
