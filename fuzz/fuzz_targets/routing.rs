//! tackle-routing: a random route table (static text, parameters with valid
//! and invalid converters, catch-alls, braces, `%`, non-ASCII, mounted
//! routers and services) and random request paths.
//!
//! Building the table never panics (a bad route is a `RouteError`), routing
//! any URI never panics, and every URL `url_for` builds routes back to its
//! route with the converters' canonical values. A built URL may be taken by
//! another route that also matches it (static text beats a parameter), or
//! swallowed by a mount it falls under; then that other route, alone in a
//! router, must match the URL with the same values.
#![no_main]

use std::convert::Infallible;
use std::future::{Future, Ready, ready};
use std::pin::pin;
use std::task::{Context, Poll, Waker};

use http::{Method, StatusCode, Uri};
use libfuzzer_sys::arbitrary::{Result, Unstructured};
use libfuzzer_sys::fuzz_target;
use tackle_request::Body;
use tackle_routing::{MatchedRoute, PathParams, Router, SlashPolicy, get};
use tower_service::Service;

/// The route a response came from, and what the router told it.
#[derive(Clone, Debug)]
struct Hit {
    route: usize,
    matched: Option<MatchedRoute>,
    params: Option<PathParams>,
}

/// The route id of a service mounted as it is (not a router).
const OPAQUE: usize = usize::MAX;

/// A route's service: answers `200` with a [`Hit`] in the extensions.
#[derive(Clone)]
struct Echo(usize);

impl Service<http::Request<()>> for Echo {
    type Response = http::Response<Body>;
    type Error = Infallible;
    type Future = Ready<Result<http::Response<Body>, Infallible>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: http::Request<()>) -> Self::Future {
        let mut response = http::Response::new(Body::empty());
        response.extensions_mut().insert(Hit {
            route: self.0,
            matched: request.extensions().get::<MatchedRoute>().cloned(),
            params: request.extensions().get::<PathParams>().cloned(),
        });
        ready(Ok(response))
    }
}

/// A model of each built-in converter: the canonical form of a value, or
/// `None` when the converter rejects it (as documented in `converter.rs`).
#[derive(Clone, Debug)]
enum Conv {
    Text { min: usize, max: usize },
    Int { min: i64, max: i64 },
    Uint { min: u64, max: u64 },
    Float,
    Uuid,
    AnyOf(&'static [&'static str]),
    Path,
}

fn is_decimal(text: &str, signed: bool, fraction: bool) -> bool {
    let digits = match text.strip_prefix('-') {
        Some(rest) if signed => rest,
        _ => text,
    };
    let (whole, frac) = match digits.split_once('.') {
        Some((w, f)) if fraction => (w, Some(f)),
        _ => (digits, None),
    };
    let all_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    all_digits(whole) && frac.is_none_or(all_digits)
}

impl Conv {
    fn canonical(&self, value: &str) -> Option<String> {
        match self {
            Conv::Text { min, max } => {
                let n = value.chars().count();
                (*min..=*max).contains(&n).then(|| value.to_owned())
            }
            Conv::Int { min, max } => {
                let v: i64 = value
                    .parse()
                    .ok()
                    .filter(|_| is_decimal(value, true, false))?;
                (*min..=*max).contains(&v).then(|| v.to_string())
            }
            Conv::Uint { min, max } => {
                let v: u64 = value
                    .parse()
                    .ok()
                    .filter(|_| is_decimal(value, false, false))?;
                (*min..=*max).contains(&v).then(|| v.to_string())
            }
            Conv::Float => {
                let v: f64 = value
                    .parse()
                    .ok()
                    .filter(|_| is_decimal(value, true, true))?;
                v.is_finite().then(|| v.to_string())
            }
            Conv::Uuid => {
                let b = value.as_bytes();
                let shaped = b.len() == 36
                    && b.iter().enumerate().all(|(i, c)| match i {
                        8 | 13 | 18 | 23 => *c == b'-',
                        _ => c.is_ascii_hexdigit(),
                    });
                shaped.then(|| value.to_ascii_lowercase())
            }
            Conv::AnyOf(words) => words.contains(&value).then(|| value.to_owned()),
            Conv::Path => (!value.is_empty()).then(|| value.to_owned()),
        }
    }
}

/// Parameter specs as written after the name, with their model; `None` for
/// specs the router must reject.
const SPECS: &[(&str, Option<Conv>)] = &[
    (
        "",
        Some(Conv::Text {
            min: 1,
            max: usize::MAX,
        }),
    ),
    (
        ":string",
        Some(Conv::Text {
            min: 1,
            max: usize::MAX,
        }),
    ),
    (":string(min=2,max=4)", Some(Conv::Text { min: 2, max: 4 })),
    (":string(length=3)", Some(Conv::Text { min: 3, max: 3 })),
    (
        ":int",
        Some(Conv::Int {
            min: i64::MIN,
            max: i64::MAX,
        }),
    ),
    (":int(min=-5,max=5)", Some(Conv::Int { min: -5, max: 5 })),
    (
        ":uint",
        Some(Conv::Uint {
            min: 0,
            max: u64::MAX,
        }),
    ),
    (":uint(max=100)", Some(Conv::Uint { min: 0, max: 100 })),
    (":float", Some(Conv::Float)),
    (":uuid", Some(Conv::Uuid)),
    (":any(en,de,fr)", Some(Conv::AnyOf(&["en", "de", "fr"]))),
    (
        ":any( a.b , c d,é )",
        Some(Conv::AnyOf(&["a.b", "c d", "é"])),
    ),
    (":path", Some(Conv::Path)),
    // `{*name}`: the `*` goes before the name.
    ("*", Some(Conv::Path)),
    (":nope", None),
    (":int(min=5", None),
    (":string(min=3,max=1)", None),
    (":any()", None),
    (":uuid(x)", None),
    (":int(step=2)", None),
    (":path:int", None),
];

const NAMES: &[&str] = &["a", "b", "id", "ü", "_x9", "a-b", ""];

/// Static text, some of it needing escapes or normalization.
const TEXT: &[&str] = &[
    "users",
    "a",
    "b",
    "api",
    "v1",
    "café",
    "a b",
    "%41",
    "%2f",
    "%2F",
    "%zz",
    "100%",
    "%4",
    "%",
    "{{x}}",
    "}}",
    "x.y",
    "~",
    "-",
    "ü",
    "?",
    "#",
    "<",
    "\"",
    "^",
    "|",
    "`",
    "\\",
    "[]",
    ":@!$&'()*+,;=",
    "{",
    "}",
    "\u{0}",
    "\t",
];

/// Mount prefixes as written, and the prefix the router records (`None`:
/// the prefix must be rejected).
const PREFIXES: &[(&str, Option<&str>)] = &[
    ("/api", Some("/api")),
    ("/api/", Some("/api")),
    ("/api/v1", Some("/api/v1")),
    ("/", Some("")),
    ("/a", Some("/a")),
    ("/users", Some("/users")),
    ("/café", Some("/caf%C3%A9")),
    ("/%7Ev", Some("/~v")),
    ("api", None),
    ("/x{y}", None),
    ("/x?y", None),
];

struct RouteSpec {
    pattern: String,
    params: Vec<(String, Conv)>,
    name: String,
    /// The mount (index into `mounts`) whose router holds the route.
    mount: Option<usize>,
    /// All parameters have a valid converter: the route may be accepted.
    valid_specs: bool,
}

struct MountSpec {
    prefix: &'static str,
    normal: Option<&'static str>,
    /// A `Router` (its routes are those with `mount == Some(i)`), or an
    /// opaque service.
    router: bool,
}

enum Item {
    Route(usize),
    Mount(usize),
}

struct Table {
    routes: Vec<RouteSpec>,
    mounts: Vec<MountSpec>,
    /// The order of the top-level routes and the mounts.
    order: Vec<Item>,
    policy: SlashPolicy,
    merge: bool,
}

fn pattern(u: &mut Unstructured<'_>) -> Result<(String, Vec<(String, Conv)>, bool)> {
    let mut out = String::new();
    let mut params = Vec::new();
    let mut valid = true;
    if u.ratio(15, 16)? {
        out.push('/');
    }
    let segments = u.int_in_range(0..=3)?;
    for i in 0..segments {
        if i > 0 {
            out.push('/');
        }
        let kind = u.int_in_range(0..=5)?;
        if kind == 0 || kind == 2 {
            out.push_str(u.choose(TEXT)?);
        }
        if kind == 5 {
            let s: &str = u.arbitrary()?;
            out.extend(s.chars().take(6));
        }
        if (1..=3).contains(&kind) {
            let name = *u.choose(NAMES)?;
            let (spec, conv) = u.choose(SPECS)?;
            out.push('{');
            if *spec == "*" {
                out.push('*');
                out.push_str(name);
            } else {
                out.push_str(name);
                out.push_str(spec);
            }
            out.push('}');
            match conv {
                Some(conv) => params.push((name.to_owned(), conv.clone())),
                None => valid = false,
            }
        }
        if kind == 3 {
            out.push_str(u.choose(TEXT)?);
        }
    }
    if u.ratio(1, 4)? {
        out.push('/');
    }
    Ok((out, params, valid))
}

fn table(u: &mut Unstructured<'_>) -> Result<Table> {
    let mut t = Table {
        routes: Vec::new(),
        mounts: Vec::new(),
        order: Vec::new(),
        policy: *u.choose(&[
            SlashPolicy::Redirect,
            SlashPolicy::Ignore,
            SlashPolicy::Strict,
        ])?,
        merge: u.arbitrary()?,
    };
    for m in 0..u.int_in_range(0..=2)? {
        let (prefix, normal) = *u.choose(PREFIXES)?;
        t.mounts.push(MountSpec {
            prefix,
            normal,
            router: u.ratio(4, 5)?,
        });
        t.order.push(Item::Mount(m));
    }
    for k in 0..u.int_in_range(1..=8)? {
        let (pattern, params, valid_specs) = pattern(u)?;
        let routers: Vec<usize> = (0..t.mounts.len())
            .filter(|&m| t.mounts[m].router)
            .collect();
        let mount = if !routers.is_empty() && u.ratio(1, 2)? {
            Some(*u.choose(&routers)?)
        } else {
            None
        };
        // Now and then two routes share a name, which must be refused.
        let name = if k > 0 && u.ratio(1, 16)? {
            format!("r{}", k - 1)
        } else {
            format!("r{k}")
        };
        t.routes.push(RouteSpec {
            pattern,
            params,
            name,
            mount,
            valid_specs,
        });
        if mount.is_none() {
            // Top-level routes go before or after the mounts.
            let at = u.int_in_range(0..=t.order.len())?;
            t.order.insert(at, Item::Route(k));
        }
    }
    Ok(t)
}

fn new_router(t: &Table) -> Router<()> {
    Router::new().slash_policy(t.policy).merge_slashes(t.merge)
}

/// Adds route `k` to `router` when the router accepts it; `false` if not.
/// The router is cloned first, as `try_route` consumes it.
fn add(router: &mut Router<()>, t: &Table, k: usize) -> bool {
    let spec = &t.routes[k];
    match router
        .clone()
        .try_route(&spec.pattern, get(Echo(k)).name(spec.name.clone()))
    {
        Ok(r) => {
            assert!(
                spec.valid_specs,
                "{:?} accepted with an invalid converter",
                spec.pattern
            );
            *router = r;
            true
        }
        Err(_) => false,
    }
}

/// The router of `t`, or of route `only` alone (in its mount, if any), and
/// which routes it holds.
fn build(t: &Table, only: Option<usize>) -> (Router<()>, Vec<bool>) {
    let keep = |k: usize| only.is_none_or(|o| o == k);
    let mut live = vec![false; t.routes.len()];
    let mut subs: Vec<Router<()>> = t.mounts.iter().map(|_| new_router(t)).collect();
    for (k, spec) in t.routes.iter().enumerate() {
        if let Some(m) = spec.mount
            && keep(k)
        {
            live[k] = add(&mut subs[m], t, k);
        }
    }
    let mut root = new_router(t);
    for item in &t.order {
        match *item {
            Item::Route(k) if keep(k) => live[k] = add(&mut root, t, k),
            Item::Route(_) => {}
            Item::Mount(m) => {
                let mine = only.is_none_or(|o| t.routes[o].mount == Some(m));
                if !mine {
                    continue;
                }
                let spec = &t.mounts[m];
                let mounted = if spec.router {
                    root.clone().try_mount(spec.prefix, subs[m].clone())
                } else {
                    root.clone().try_mount(spec.prefix, Echo(OPAQUE))
                };
                if spec.normal.is_none() {
                    assert!(mounted.is_err(), "mount {:?} accepted", spec.prefix);
                }
                match mounted {
                    Ok(r) => root = r,
                    Err(_) => {
                        for (k, route) in t.routes.iter().enumerate() {
                            if route.mount == Some(m) {
                                live[k] = false;
                            }
                        }
                    }
                }
            }
        }
    }
    (root, live)
}

/// Runs `future` to completion; the router's and `Echo`'s futures are
/// ready at once, so a future still pending after a few polls is a bug.
fn block_on<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    let mut cx = Context::from_waker(Waker::noop());
    for _ in 0..16 {
        if let Poll::Ready(output) = future.as_mut().poll(&mut cx) {
            return output;
        }
    }
    panic!("a router future stayed pending");
}

fn send(router: &Router<()>, method: Method, uri: Uri) -> http::Response<Body> {
    let request = http::Request::builder()
        .method(method)
        .uri(uri)
        .body(())
        .expect("a request from a valid URI");
    match block_on(router.clone().call(request)) {
        Ok(response) => response,
        Err(never) => match never {},
    }
}

/// Parameter values: plausible ones for the converter most of the time,
/// fuzzer text otherwise.
fn value(u: &mut Unstructured<'_>, conv: &Conv) -> Result<String> {
    const TRICKY: &[&str] = &[
        "x", "a/b", "a b", "%", "%41", "%2F", "ü", "日本", "..", ".", "/", "a//b", "/x/", "?#",
        "a+b", "{x}", "-0", "007", "", " ", "\u{0}", "\u{7f}",
    ];
    if u.ratio(1, 4)? {
        return Ok(u.arbitrary::<&str>()?.to_owned());
    }
    Ok(match conv {
        Conv::Int { .. } => {
            let v: i64 = u.arbitrary()?;
            let v = if u.arbitrary()? { v % 10 } else { v };
            if u.ratio(1, 8)? {
                format!("00{v}")
            } else {
                v.to_string()
            }
        }
        Conv::Uint { .. } => {
            let v: u64 = u.arbitrary()?;
            if u.arbitrary()? {
                (v % 200).to_string()
            } else {
                v.to_string()
            }
        }
        Conv::Float => {
            let whole: i32 = u.arbitrary()?;
            let frac: u16 = u.arbitrary()?;
            match u.int_in_range(0..=2)? {
                0 => whole.to_string(),
                1 => format!("{whole}.{frac}"),
                _ => u.arbitrary::<f64>()?.to_string(),
            }
        }
        Conv::Uuid => {
            let bytes: [u8; 16] = u.arbitrary()?;
            let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
            let text = format!(
                "{}-{}-{}-{}-{}",
                &hex[..8],
                &hex[8..12],
                &hex[12..16],
                &hex[16..20],
                &hex[20..]
            );
            if u.arbitrary()? {
                text.to_ascii_uppercase()
            } else {
                text
            }
        }
        Conv::AnyOf(words) => (*u.choose(words)?).to_owned(),
        Conv::Text { .. } | Conv::Path => {
            let mut text = String::new();
            for _ in 0..u.int_in_range(1..=3)? {
                text.push_str(u.choose(TRICKY)?);
            }
            text
        }
    })
}

/// Whether `path` falls under mount `m` of the built router.
fn under_mount(t: &Table, m: usize, path: &str) -> bool {
    match t.mounts[m].normal {
        Some("") => true,
        Some(prefix) => {
            path == prefix
                || path
                    .strip_prefix(prefix)
                    .is_some_and(|rest| rest.starts_with('/'))
        }
        None => false,
    }
}

fn check_round_trips(
    u: &mut Unstructured<'_>,
    t: &Table,
    full: &Router<()>,
    live: &[bool],
) -> Result<()> {
    for (k, spec) in t.routes.iter().enumerate() {
        if !live[k] {
            continue;
        }
        let mut values = Vec::new();
        for (name, conv) in &spec.params {
            values.push((name.clone(), value(u, conv)?));
        }
        if u.ratio(1, 4)? {
            values.push(("q".to_owned(), "1 2&=".to_owned()));
        }
        let pairs: Vec<(&str, &str)> = values.iter().map(|(n, v)| (&**n, &**v)).collect();
        let Ok(url) = full.url_for(&spec.name, &pairs) else {
            continue;
        };
        let context = format!(
            "route {k} {:?} named {:?} with {pairs:?}: url_for gave {url:?}",
            spec.pattern, spec.name
        );

        let mut expected = PathParams::new();
        for (name, conv) in &spec.params {
            let given = &values
                .iter()
                .find(|(n, _)| n == name)
                .expect("a value per parameter")
                .1;
            let canonical = conv
                .canonical(given)
                .unwrap_or_else(|| panic!("{context}, but {given:?} does not fit {conv:?}"));
            expected.push(name.as_str(), canonical);
        }
        let prefix = spec.mount.and_then(|m| t.mounts[m].normal).unwrap_or("");
        let expected_route = MatchedRoute::new(format!("{prefix}{}", spec.pattern));

        let uri: Uri = url
            .parse()
            .unwrap_or_else(|e| panic!("{context}, not a URI: {e}"));
        let (alone, _) = build(t, Some(k));
        let response = send(&alone, Method::GET, uri.clone());
        assert_eq!(response.status(), StatusCode::OK, "{context}: route alone");
        let hit = response.extensions().get::<Hit>().expect("a hit");
        assert_eq!(hit.route, k, "{context}: route alone");
        assert_eq!(
            hit.matched.as_ref(),
            Some(&expected_route),
            "{context}: route alone"
        );
        assert_eq!(
            hit.params.as_ref(),
            Some(&expected),
            "{context}: route alone"
        );

        let response = send(full, Method::GET, uri.clone());
        let other_mount =
            (0..t.mounts.len()).any(|m| Some(m) != spec.mount && under_mount(t, m, uri.path()));
        let hit = response.extensions().get::<Hit>();
        match hit {
            Some(hit) if hit.route == k => {
                assert_eq!(hit.matched.as_ref(), Some(&expected_route), "{context}");
                assert_eq!(hit.params.as_ref(), Some(&expected), "{context}");
            }
            Some(hit) if hit.route == OPAQUE => {
                assert!(other_mount, "{context}: taken by a mounted service")
            }
            Some(hit) => {
                // Another route took it: it must match the URL on its own,
                // with the values the full router gave.
                let (other, _) = build(t, Some(hit.route));
                let again = send(&other, Method::GET, uri.clone());
                let again = again.extensions().get::<Hit>();
                let route = &t.routes[hit.route].pattern;
                assert_eq!(
                    again.map(|h| h.route),
                    Some(hit.route),
                    "{context}: taken by {route:?}, which alone does not match it"
                );
                assert_eq!(
                    again.and_then(|h| h.params.clone()),
                    hit.params,
                    "{context}: taken by {route:?}"
                );
            }
            None => assert!(
                other_mount,
                "{context}: answered {} in the full router",
                response.status()
            ),
        }
    }
    Ok(())
}

fn run(data: &[u8]) -> Result<()> {
    let mut u = Unstructured::new(data);
    let t = table(&mut u)?;
    let (full, live) = build(&t, None);
    check_round_trips(&mut u, &t, &full, &live)?;
    // The rest of the input is request targets.
    while !u.is_empty() {
        let method = u
            .choose(&[Method::GET, Method::HEAD, Method::POST, Method::OPTIONS])?
            .clone();
        let target: &[u8] = u.arbitrary()?;
        let Ok(uri) = Uri::try_from(target) else {
            continue;
        };
        let status = send(&full, method, uri.clone()).status();
        assert!(
            [200, 204, 308, 404, 405].contains(&status.as_u16()),
            "{uri:?} answered {status}"
        );
    }
    Ok(())
}

fuzz_target!(|data: &[u8]| {
    let _ = run(data);
});
