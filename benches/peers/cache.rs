//! `cache/` scenarios: what tackle-cache's layers add to a call, and the
//! hash behind `ETagLayer`.
//!
//! - `etag/overhead-*`: an `ETagLayer`-wrapped `service_fn` answering a
//!   `Full<Bytes>` of 1 KiB, 16 KiB or 1 MiB, against the same service
//!   without the layer ("no-layer"); both sides build the request, call,
//!   and collect the whole body, so the difference is the layer (buffering,
//!   hashing, the `ETag` header, `Content-Length`, `Accept-Ranges`). The
//!   issue's goal is absolute (under 1 µs plus hashing), so no ratio goal.
//! - `etag/net-of-hash-*`: the same layered call against "no-layer+xxh3",
//!   the bare call plus an xxh3-128 of the collected body, so that
//!   `tackle_ns - peer_ns` is the layer's cost without the hash, measured
//!   interleaved (subtracting the separate `hash/*` figure is at the mercy
//!   of whatever else the machine does between scenarios).
//! - `hash/*` (solo): xxh3-128 (what `ETagLayer` uses), BLAKE3 and SHA-256
//!   over the same bytes, to justify the choice; xxh3 also at the two
//!   smaller sizes, to take the hash out of the overhead figures.
//! - `conditional/304`: `ConditionalLayer` answering a matching
//!   `If-None-Match` for a handler that sets its own `ETag` (a 304, body
//!   dropped), against the bare handler answering 200 with a 16-byte body.
//!
//! Every future and body here completes without waiting, so they are polled
//! once with a no-op waker, as the routing scenarios do: no runtime.

use std::convert::Infallible;
use std::future::Ready;

use bytes::Bytes;
use futures_util::FutureExt;
use http::header::{ETAG, IF_NONE_MATCH};
use http::{HeaderValue, Request, Response, StatusCode};
use http_body_util::{BodyExt, Full};
use sha2::Digest;
use tackle::cache::{ConditionalLayer, ETagLayer};
use tower::{Layer, Service};

use crate::harness::Scenario;

const KIB: usize = 1024;
const MIB: usize = 1024 * KIB;

/// Every `cache/` scenario.
pub fn scenarios() -> Vec<Scenario> {
    let mut all = Vec::new();
    for (label, size) in [("1kib", KIB), ("16kib", 16 * KIB), ("1mib", MIB)] {
        all.push(etag_overhead(&format!("cache/etag/overhead-{label}"), size));
    }
    for (label, size) in [("1kib", KIB), ("16kib", 16 * KIB), ("1mib", MIB)] {
        all.push(etag_net_of_hash(
            &format!("cache/etag/net-of-hash-{label}"),
            size,
        ));
    }
    all.extend(hashes());
    all.push(conditional_304());
    all
}

/// `len` bytes of text-like content (not all one byte, so no hash gets a
/// shortcut).
fn content(len: usize) -> Bytes {
    let pattern = b"The quick brown fox jumps over the lazy dog 0123456789\n";
    pattern
        .iter()
        .copied()
        .cycle()
        .take(len)
        .collect::<Vec<u8>>()
        .into()
}

/// The response every service here answers with.
type Answer = Result<Response<Full<Bytes>>, Infallible>;

/// A service answering `body` (a reference-counted clone per call) as a
/// `Full<Bytes>`, with `etag` set when given.
fn service(
    body: Bytes,
    etag: Option<&'static str>,
) -> impl Service<
    Request<()>,
    Response = Response<Full<Bytes>>,
    Error = Infallible,
    Future = Ready<Answer>,
> + Clone {
    tower::service_fn(move |_: Request<()>| {
        let mut response = Response::new(Full::new(body.clone()));
        if let Some(etag) = etag {
            response
                .headers_mut()
                .insert(ETAG, HeaderValue::from_static(etag));
        }
        std::future::ready(Ok(response))
    })
}

/// Builds a GET (with `If-None-Match` when given), calls `service`, and
/// collects the body: the status, whether there is an `ETag`, and the body
/// length.
fn call<S, B>(service: &mut S, if_none_match: Option<&'static str>) -> (StatusCode, bool, usize)
where
    S: Service<Request<()>, Response = Response<B>>,
    S::Error: std::fmt::Debug,
    B: http_body::Body,
    B::Error: std::fmt::Debug,
{
    let mut request = Request::builder().uri("/doc");
    if let Some(tag) = if_none_match {
        request = request.header(IF_NONE_MATCH, tag);
    }
    let request = request.body(()).expect("a valid request");
    let response = service
        .call(request)
        .now_or_never()
        .expect("ready at once")
        .expect("a service that does not fail");
    let status = response.status();
    let tagged = response.headers().contains_key(ETAG);
    let body = response
        .into_body()
        .collect()
        .now_or_never()
        .expect("ready at once")
        .expect("a body that does not fail")
        .to_bytes();
    (status, tagged, body.len())
}

fn etag_overhead(name: &str, size: usize) -> Scenario {
    let body = content(size);
    let mut tagged = ETagLayer::new().layer(service(body.clone(), None));
    let mut bare = service(body, None);
    assert_eq!(
        call(&mut tagged, None),
        (StatusCode::OK, true, size),
        "{name}: the layer tags the body (1 MiB is the limit, included)"
    );
    assert_eq!(call(&mut bare, None), (StatusCode::OK, false, size));
    Scenario::versus(
        name,
        move || call(&mut tagged, None),
        "no-layer",
        move || call(&mut bare, None),
        0.0,
    )
    .without_goal()
}

/// Like [`call`], without a conditional header, also hashing the collected
/// body with xxh3-128 as the layer does.
fn call_and_hash<S, B>(service: &mut S) -> (StatusCode, u128, usize)
where
    S: Service<Request<()>, Response = Response<B>>,
    S::Error: std::fmt::Debug,
    B: http_body::Body,
    B::Error: std::fmt::Debug,
{
    let request = Request::builder()
        .uri("/doc")
        .body(())
        .expect("a valid request");
    let response = service
        .call(request)
        .now_or_never()
        .expect("ready at once")
        .expect("a service that does not fail");
    let status = response.status();
    let body = response
        .into_body()
        .collect()
        .now_or_never()
        .expect("ready at once")
        .expect("a body that does not fail")
        .to_bytes();
    (status, xxhash_rust::xxh3::xxh3_128(&body), body.len())
}

fn etag_net_of_hash(name: &str, size: usize) -> Scenario {
    let body = content(size);
    let mut tagged = ETagLayer::new().layer(service(body.clone(), None));
    let mut bare = service(body, None);
    assert_eq!(call(&mut tagged, None), (StatusCode::OK, true, size));
    Scenario::versus(
        name,
        move || call(&mut tagged, None),
        "no-layer+xxh3",
        move || call_and_hash(&mut bare),
        0.0,
    )
    .without_goal()
}

fn hashes() -> Vec<Scenario> {
    let mut all = Vec::new();
    for (label, size) in [("1kib", KIB), ("16kib", 16 * KIB), ("1mib", MIB)] {
        let data = content(size);
        all.push(Scenario::solo(
            format!("cache/hash/xxh3-128-{label}"),
            move || xxhash_rust::xxh3::xxh3_128(&data),
        ));
    }
    let data = content(MIB);
    all.push(Scenario::solo("cache/hash/blake3-1mib", move || {
        *blake3::hash(&data).as_bytes()
    }));
    let data = content(MIB);
    all.push(Scenario::solo("cache/hash/sha256-1mib", move || {
        sha2::Sha256::digest(&data)
    }));
    all
}

fn conditional_304() -> Scenario {
    const TAG: &str = "\"v1\"";
    let body = Bytes::from_static(b"sixteen bytes..\n");
    let mut conditional = ConditionalLayer::new().layer(service(body.clone(), Some(TAG)));
    let mut bare = service(body, Some(TAG));
    assert_eq!(
        call(&mut conditional, Some(TAG)),
        (StatusCode::NOT_MODIFIED, true, 0)
    );
    assert_eq!(call(&mut bare, Some(TAG)), (StatusCode::OK, true, 16));
    Scenario::versus(
        "cache/conditional/304",
        move || call(&mut conditional, Some(TAG)),
        "no-layer",
        move || call(&mut bare, Some(TAG)),
        0.0,
    )
    .without_goal()
}
