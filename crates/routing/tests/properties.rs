//! Property tests of the router: URLs built with `url_for` route back to
//! their route with the converters' canonical values, no request path makes
//! the router panic or answer outside 200/404/405/308, and the order routes
//! are added in changes nothing.

use std::convert::Infallible;
use std::future::{Ready, ready};

use http::{Method, Request, Response, StatusCode, Uri};
use proptest::prelude::*;
use tackle_request::Body;
use tackle_routing::{MatchedRoute, PathParams, Router, get};
use tower::ServiceExt;
use tower::service_fn;

/// What a route's service saw, put in its response's extensions.
#[derive(Clone, Debug, PartialEq)]
struct Hit {
    route: usize,
    matched: Option<MatchedRoute>,
    params: Option<PathParams>,
}

/// A `GET` route answering `200` with a [`Hit`] naming route `id`.
fn echo(
    id: usize,
) -> impl tower::Service<
    Request<()>,
    Response = Response<Body>,
    Error = Infallible,
    Future = Ready<Result<Response<Body>, Infallible>>,
> + Clone
+ Send
+ Sync
+ 'static {
    service_fn(move |request: Request<()>| {
        let mut response = Response::new(Body::empty());
        response.extensions_mut().insert(Hit {
            route: id,
            matched: request.extensions().get::<MatchedRoute>().cloned(),
            params: request.extensions().get::<PathParams>().cloned(),
        });
        ready(Ok(response))
    })
}

/// Sends a request; every future here is ready at once, so a
/// current-thread runtime is all it takes.
fn send(router: &Router<()>, method: Method, uri: Uri) -> Response<Body> {
    let request = Request::builder().method(method).uri(uri).body(()).unwrap();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    match runtime.block_on(router.clone().oneshot(request)) {
        Ok(response) => response,
        Err(never) => match never {},
    }
}

/// A parameter's converter, with a strategy for values it accepts and the
/// canonical form the router gives them.
#[derive(Clone, Copy, Debug)]
enum Conv {
    Int,
    Uint,
    Uuid,
    Any,
    Text,
    Path,
}

impl Conv {
    fn spec(self) -> &'static str {
        match self {
            Conv::Int => ":int",
            Conv::Uint => ":uint",
            Conv::Uuid => ":uuid",
            Conv::Any => ":any(en,de,fr-CH)",
            Conv::Text => ":string",
            Conv::Path => ":path",
        }
    }

    /// A value the converter accepts, and its canonical form.
    fn value(self) -> BoxedStrategy<(String, String)> {
        // Text that needs escaping in a URL: `/`, `%`, spaces, `?`, `#`,
        // non-ASCII, and escapes that must not be decoded twice.
        let tricky = prop::collection::vec(
            prop_oneof![
                Just("/"),
                Just("%"),
                Just("%2F"),
                Just("%41"),
                Just(" "),
                Just("?"),
                Just("#"),
                Just("+"),
                Just("."),
                Just("é"),
                Just("日本"),
                Just("a"),
                Just("{x}"),
            ],
            1..5,
        )
        .prop_map(|parts| parts.concat());
        let text = prop_oneof![
            tricky,
            any::<String>().prop_filter("non-empty", |s| !s.is_empty())
        ]
        .prop_map(|s| (s.clone(), s));
        match self {
            Conv::Int => (any::<i64>(), 0..3usize)
                .prop_map(|(n, zeros)| {
                    // Leading zeros are accepted and dropped by the canonical form.
                    let digits = format!("{}{}", "0".repeat(zeros), n.unsigned_abs());
                    let sign = if n < 0 { "-" } else { "" };
                    (format!("{sign}{digits}"), n.to_string())
                })
                .boxed(),
            Conv::Uint => any::<u64>()
                .prop_map(|n| (n.to_string(), n.to_string()))
                .boxed(),
            Conv::Uuid => (any::<[u8; 16]>(), any::<bool>())
                .prop_map(|(bytes, upper)| {
                    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
                    let uuid = format!(
                        "{}-{}-{}-{}-{}",
                        &hex[..8],
                        &hex[8..12],
                        &hex[12..16],
                        &hex[16..20],
                        &hex[20..]
                    );
                    let written = if upper {
                        uuid.to_ascii_uppercase()
                    } else {
                        uuid.clone()
                    };
                    (written, uuid)
                })
                .boxed(),
            Conv::Any => prop_oneof![Just("en"), Just("de"), Just("fr-CH")]
                .prop_map(|w| (w.to_owned(), w.to_owned()))
                .boxed(),
            Conv::Text | Conv::Path => text.boxed(),
        }
    }
}

/// Static route text, some of it needing percent-encoding in a URL.
const STATIC: &[&str] = &[
    "users", "a b", "café", "日本", "x.y", "~me", "a:b@c", "%41", "100%25", "{{x}}", "?q", "#top",
];

/// One segment of a pattern: static text, or a parameter (possibly with
/// text around it).
#[derive(Clone, Debug)]
enum Segment {
    Static(&'static str),
    Param(Conv, &'static str, &'static str),
}

fn segment() -> impl Strategy<Value = Segment> {
    let conv = prop_oneof![
        Just(Conv::Int),
        Just(Conv::Uint),
        Just(Conv::Uuid),
        Just(Conv::Any),
        Just(Conv::Text),
    ];
    prop_oneof![
        prop::sample::select(STATIC).prop_map(Segment::Static),
        conv.clone().prop_map(|c| Segment::Param(c, "", "")),
        (
            conv,
            prop::sample::select(&["img-", "v", "é"][..]),
            prop::sample::select(&[".png", "-x", "ü"][..])
        )
            .prop_map(|(c, before, after)| Segment::Param(c, before, after)),
    ]
}

/// A route: its pattern, and strategies' worth of parameters.
#[derive(Clone, Debug)]
struct RouteSpec {
    pattern: String,
    params: Vec<(String, Conv)>,
}

/// A pattern starting with `/r{id}` (so that no two routes of a set
/// overlap), then up to three segments, then maybe a `path` parameter.
fn route(id: usize) -> impl Strategy<Value = RouteSpec> {
    (
        prop::collection::vec(segment(), 0..4),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(move |(segments, catch_all, trailing_slash)| {
            let mut pattern = format!("/r{id}");
            let mut params = Vec::new();
            for segment in segments {
                pattern.push('/');
                match segment {
                    Segment::Static(text) => pattern.push_str(text),
                    Segment::Param(conv, before, after) => {
                        let name = format!("p{}", params.len());
                        pattern.push_str(&format!("{before}{{{name}{}}}{after}", conv.spec()));
                        params.push((name, conv));
                    }
                }
            }
            if catch_all {
                let name = format!("p{}", params.len());
                pattern.push_str(&format!("/{{{name}{}}}", Conv::Path.spec()));
                params.push((name, Conv::Path));
            } else if trailing_slash {
                pattern.push('/');
            }
            RouteSpec { pattern, params }
        })
}

/// A route set with, for each route, values for its parameters (as given
/// and canonical).
fn routes_with_values() -> impl Strategy<Value = Vec<(RouteSpec, Vec<(String, String)>)>> {
    (1..6usize).prop_flat_map(|n| {
        (0..n)
            .map(|id| {
                route(id).prop_flat_map(|spec| {
                    let values: Vec<_> = spec.params.iter().map(|(_, conv)| conv.value()).collect();
                    (Just(spec), values)
                })
            })
            .collect::<Vec<_>>()
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// `url_for` accepts every valid value, and the URL it builds routes
    /// back to the route with the canonical values: `/`, `%`, spaces and
    /// non-ASCII in `string` and `path` parameters included.
    #[test]
    fn url_for_round_trips(routes in routes_with_values()) {
        let mut router = Router::new();
        for (id, (spec, _)) in routes.iter().enumerate() {
            router = router
                .try_route(&spec.pattern, get(echo(id)).name(format!("route{id}")))
                .map_err(|e| TestCaseError::fail(format!("{:?}: {e}", spec.pattern)))?;
        }
        for (id, (spec, values)) in routes.iter().enumerate() {
            let given: Vec<(&str, &str)> = spec
                .params
                .iter()
                .zip(values)
                .map(|((name, _), (written, _))| (name.as_str(), written.as_str()))
                .collect();
            let url = router.url_for(&format!("route{id}"), &given);
            let url = url.map_err(|e| TestCaseError::fail(format!("{:?} {given:?}: {e}", spec.pattern)))?;
            let uri: Uri = url
                .parse()
                .map_err(|e| TestCaseError::fail(format!("{:?} built {url:?}, not a URI: {e}", spec.pattern)))?;

            let response = send(&router, Method::GET, uri);
            let expected = Hit {
                route: id,
                matched: Some(MatchedRoute::new(spec.pattern.as_str())),
                params: Some(
                    spec.params
                        .iter()
                        .zip(values)
                        .map(|((name, _), (_, canonical))| (name.as_str(), canonical.as_str()))
                        .collect(),
                ),
            };
            prop_assert_eq!(response.status(), StatusCode::OK, "{:?} built {:?}", spec.pattern, url);
            prop_assert_eq!(response.extensions().get::<Hit>(), Some(&expected), "{:?} built {:?}", spec.pattern, url);
        }
    }

    /// Any path the `http` crate accepts is answered 200, 404, 405 or 308,
    /// whatever the method, without a panic.
    #[test]
    fn random_paths_never_panic(
        bytes in prop::collection::vec(any::<u8>(), 0..40),
        method in prop::sample::select(vec![Method::GET, Method::POST, Method::DELETE]),
    ) {
        let router = Router::new()
            .route("/", get(echo(0)))
            .route("/users/{id:int}", get(echo(1)))
            .route("/users/{name}/", get(echo(2)))
            .route("/files/{*path}", get(echo(3)))
            .route("/v/{id:uuid}", get(echo(4)))
            .route("/{lang:any(en,de)}/about", get(echo(5)))
            .route("/img-{n:uint}.png", get(echo(6)))
            .route("/café/{x:string(max=3)}", get(echo(7)))
            .mount("/api", Router::new().route("/items/{id:uint}", get(echo(8))));
        let mut target = b"/".to_vec();
        target.extend(&bytes);
        if let Ok(uri) = Uri::try_from(target) {
            let status = send(&router, method, uri.clone()).status();
            prop_assert!(
                [200, 404, 405, 308].contains(&status.as_u16()),
                "{:?} answered {}", uri, status
            );
        }
    }
}

/// Patterns that overlap in every way the router orders: static beats a
/// parameter beats a catch-all, typed converters before `string`, mounts.
const OVERLAPPING: &[&str] = &[
    "/a",
    "/a/",
    "/a/b",
    "/a/{p0}",
    "/a/{p0:int}",
    "/a/{p0:uint}",
    "/a/{p0:any(b,c)}",
    "/a/{p0:uuid}",
    "/a/{p0:string(max=2)}",
    "/a/{p0:int}/{p1}",
    "/a/{*p0}",
    "/{p0}",
    "/{p0:int}",
    "/{p0}/b",
    "/{p0:any(a,c)}/b",
    "/{p0}/{p1:uint}",
    "/{*p0}",
    "/img-{p0:uint}.png",
    "/img-{p0}.png",
    "/café/{p0}",
    "/users/{p0:int}/posts",
    "/users/me",
];

/// Path segments that hit the overlapping patterns in different ways.
const SEGMENTS: &[&str] = &[
    "a",
    "b",
    "c",
    "42",
    "-7",
    "x",
    "img-3.png",
    "img-x.png",
    "café",
    "caf%C3%A9",
    "users",
    "me",
    "posts",
    "m",
    "01234567-89ab-cdef-0123-456789ABCDEF",
    "a%2Fb",
    "",
];

fn request_path() -> impl Strategy<Value = String> {
    (
        prop::collection::vec(prop::sample::select(SEGMENTS), 0..4),
        any::<bool>(),
    )
        .prop_map(|(segments, slash)| {
            let mut path = format!("/{}", segments.join("/"));
            if slash && path.len() > 1 {
                path.push('/');
            }
            path
        })
}

/// What a response says about where a request went.
fn outcome(response: &Response<Body>) -> (StatusCode, Option<Hit>, Option<String>) {
    let location = response
        .headers()
        .get("location")
        .map(|l| String::from_utf8_lossy(l.as_bytes()).into_owned());
    (
        response.status(),
        response.extensions().get::<Hit>().cloned(),
        location,
    )
}

/// Adds `patterns` (by index into [`OVERLAPPING`]) in the given order,
/// skipping those the router refuses; a mount at `/a/m` is added in the
/// middle. Returns the router and the indexes it accepted.
fn build(patterns: &[usize], mount_at: usize) -> (Router<()>, Vec<usize>) {
    let mut router = Router::new();
    let mut accepted = Vec::new();
    for (position, &index) in patterns.iter().enumerate() {
        if position == mount_at {
            router = router.mount("/a/m", Router::new().route("/{p0}", get(echo(100))));
        }
        if let Ok(next) = router
            .clone()
            .try_route(OVERLAPPING[index], get(echo(index)))
        {
            router = next;
            accepted.push(index);
        }
    }
    if mount_at >= patterns.len() {
        router = router.mount("/a/m", Router::new().route("/{p0}", get(echo(100))));
    }
    (router, accepted)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// A route set added in a shuffled order is accepted whole and routes
    /// every path exactly as in the original order.
    #[test]
    fn insertion_order_does_not_change_routing(
        (original, shuffled) in prop::sample::subsequence((0..OVERLAPPING.len()).collect::<Vec<_>>(), 1..OVERLAPPING.len())
            .prop_flat_map(|set| (Just(set.clone()), Just(set).prop_shuffle())),
        mount_at in 0..24usize,
        other_mount_at in 0..24usize,
        paths in prop::collection::vec(request_path(), 1..12),
    ) {
        let (first, accepted) = build(&original, mount_at);
        // Conflicting routes refused in the original order are left out:
        // what remains must be accepted in any order.
        let shuffled: Vec<usize> = shuffled.into_iter().filter(|i| accepted.contains(i)).collect();
        let (second, accepted_again) = build(&shuffled, other_mount_at);
        prop_assert_eq!(accepted_again.len(), accepted.len(), "{:?} then {:?}", accepted, shuffled);
        for path in &paths {
            let uri: Uri = path.parse().unwrap();
            let a = outcome(&send(&first, Method::GET, uri.clone()));
            let b = outcome(&send(&second, Method::GET, uri));
            prop_assert_eq!(a, b, "{} with {:?} then {:?}", path, accepted, shuffled);
        }
    }
}

/// The full set, every pattern accepted, in many random orders: the
/// large-set half of the order property, checked on every path the
/// segments make.
#[test]
fn every_order_of_the_full_set_routes_alike() {
    let all: Vec<usize> = (0..OVERLAPPING.len()).collect();
    let (reference, accepted) = build(&all, 0);
    let mut paths = vec!["/".to_owned()];
    for a in SEGMENTS {
        paths.push(format!("/{a}"));
        paths.push(format!("/{a}/"));
        for b in SEGMENTS {
            paths.push(format!("/{a}/{b}"));
        }
    }
    let expected: Vec<_> = paths
        .iter()
        .map(|p| outcome(&send(&reference, Method::GET, p.parse().unwrap())))
        .collect();
    // A fixed-seed shuffle: reproducible, no extra dependency.
    let mut seed = 0x9E37_79B9_7F4A_7C15u64;
    for round in 0..20 {
        let mut order = accepted.clone();
        for i in (1..order.len()).rev() {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            order.swap(i, (seed % (i as u64 + 1)) as usize);
        }
        let (router, again) = build(&order, round);
        assert_eq!(again.len(), accepted.len(), "{order:?}");
        for (path, expected) in paths.iter().zip(&expected) {
            let got = outcome(&send(&router, Method::GET, path.parse().unwrap()));
            assert_eq!(&got, expected, "{path} in order {order:?}");
        }
    }
}

/// Whether two routes conflict cannot depend on which came first: every
/// pair of the overlapping patterns, in both orders.
#[test]
fn conflicts_do_not_depend_on_order() {
    let mut order_dependent = Vec::new();
    for (i, a) in OVERLAPPING.iter().enumerate() {
        for b in &OVERLAPPING[i + 1..] {
            let add = |first: &str, second: &str| {
                Router::<()>::new()
                    .route(first, get(echo(0)))
                    .try_route(second, get(echo(1)))
                    .map(|_| ())
                    .map_err(|e| e.to_string())
            };
            let (ab, ba) = (add(a, b), add(b, a));
            if ab.is_ok() != ba.is_ok() {
                order_dependent.push(format!("{a} then {b}: {ab:?}; {b} then {a}: {ba:?}"));
            }
        }
    }
    assert!(order_dependent.is_empty(), "{}", order_dependent.join("\n"));
}

/// Static text that needs escaping, as the fuzzer and `url_for_round_trips`
/// found it: the URL `url_for` builds must be a URI that routes back to the
/// route with the value given.
#[test]
fn static_text_needing_escapes_round_trips() {
    // (pattern, value of `x`)
    let cases: &[(&str, &str)] = &[
        ("/a b/{x}", "1"),
        ("/café/{x}", "1"),
        ("/100%25/{x}", "1"),
        ("/a?b/{x}", "1"),
        ("/a#b/{x}", "1"),
        ("/a`b/{x}", "1"),
        ("/a<b>/{x}", "1"),
        ("/a\"b/{x}", "1"),
        ("/a^b|c\\d/{x}", "1"),
        // A `%` that starts no escape, followed by a parameter: the value
        // must not complete it into one.
        ("/100%{x}", "41"),
        ("/%4{x}", "1"),
        // A literal brace right after a parameter (found by the fuzzer).
        ("/{x}}}", "a"),
        ("/{x}}}/", "?#"),
        ("/{{{x}", "a"),
    ];
    let mut failures = Vec::new();
    for &(pattern, value) in cases {
        let router = Router::new().route(pattern, get(echo(0)).name("r"));
        let url = router.url_for("r", &[("x", value)]).unwrap();
        let outcome = match url.parse::<Uri>() {
            Err(e) => Err(format!("not a URI: {e}")),
            Ok(uri) => {
                let response = send(&router, Method::GET, uri);
                let hit = response.extensions().get::<Hit>();
                let params = hit.and_then(|h| h.params.clone());
                let expected: PathParams = [("x", value)].into_iter().collect();
                if params == Some(expected) {
                    Ok(())
                } else {
                    Err(format!("answered {} with {params:?}", response.status()))
                }
            }
        };
        if let Err(why) = outcome {
            failures.push(format!("{pattern:?} built {url:?}: {why}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
