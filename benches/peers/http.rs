//! `http/` scenarios: tackle-http against the `headers` crate's typed
//! headers, each side starting from the same `HeaderValue` and producing the
//! same answer.

use http::HeaderValue;
use tackle_http::{
    Accept, AcceptLanguage, CacheControl, ContentDisposition, Cookies, EntityTag, IfNoneMatch,
    Range, RangeResolution, TypedHeader,
};

use crate::harness::Scenario;

/// Every `http/` scenario.
pub fn scenarios() -> Vec<Scenario> {
    let mut all = Vec::new();
    all.extend(range());
    all.extend(cache_control());
    all.extend(etag());
    all.extend(negotiation());
    all.extend(hostile());
    all
}

/// Decodes a single header line with a `headers` type.
fn decode<H: headers::Header>(value: &HeaderValue) -> Option<H> {
    H::decode(&mut std::iter::once(value)).ok()
}

/// tackle against `headers` on one header value (goal: at least as fast).
fn versus_headers<T, U>(
    name: &str,
    text: &'static str,
    ours: impl Fn(&HeaderValue) -> T + 'static,
    theirs: impl Fn(&HeaderValue) -> U + 'static,
) -> Scenario {
    let value = HeaderValue::from_static(text);
    let peer_value = value.clone();
    Scenario::versus(
        name,
        move || ours(&value),
        "headers",
        move || theirs(&peer_value),
        1.0,
    )
}

/// Range parse + resolve against a 10 000-byte representation, collecting
/// the satisfiable ranges on both sides (a server needs them all before it
/// can write a `multipart/byteranges` body and its length). tackle also
/// sorts and coalesces them, which `headers` does not.
fn range() -> Vec<Scenario> {
    [
        ("http/range/parse-resolve-single", "bytes=0-499"),
        ("http/range/parse-resolve-suffix", "bytes=-500"),
        (
            "http/range/parse-resolve-three",
            "bytes=0-99, 200-299, 9000-",
        ),
    ]
    .into_iter()
    .map(|(name, text)| {
        versus_headers(
            name,
            text,
            |v| match Range::from_header(v).ok()?.byte_ranges()?.resolve(10_000) {
                RangeResolution::Satisfiable(ranges) => Some(ranges.as_slice().len()),
                _ => None,
            },
            |v| {
                decode::<headers::Range>(v)
                    .map(|r| r.satisfiable_ranges(10_000).collect::<Vec<_>>().len())
            },
        )
    })
    .collect()
}

/// If-None-Match parse + weak comparison with the current tag.
fn etag() -> Vec<Scenario> {
    [
        ("http/etag/if-none-match-single", "W/\"67ab43\""),
        (
            "http/etag/if-none-match-three",
            "\"xyzzy\", \"r2d2xxxx\", W/\"c3piozzzz\"",
        ),
        ("http/etag/if-none-match-any", "*"),
    ]
    .into_iter()
    .map(|(name, text)| {
        let current = EntityTag::strong("c3piozzzz").expect("valid tag");
        let their_current: headers::ETag = "\"c3piozzzz\"".parse().expect("valid tag");
        versus_headers(
            name,
            text,
            move |v| {
                IfNoneMatch::from_header(v)
                    .ok()
                    .map(|h| h.precondition_passes(&current))
            },
            move |v| {
                decode::<headers::IfNoneMatch>(v).map(|h| h.precondition_passes(&their_current))
            },
        )
    })
    .collect()
}

/// Cache-Control parse into the typed struct, reading `max-age`.
fn cache_control() -> Vec<Scenario> {
    [
        ("http/cache-control/parse-request", "no-cache"),
        ("http/cache-control/parse-response", "public, max-age=3600"),
        (
            "http/cache-control/parse-5-directives",
            "private, no-cache, no-store, must-revalidate, max-age=0",
        ),
    ]
    .into_iter()
    .map(|(name, text)| {
        versus_headers(
            name,
            text,
            |v| CacheControl::from_header(v).ok().map(|c| c.max_age()),
            |v| decode::<headers::CacheControl>(v).map(|c| c.max_age()),
        )
    })
    .collect()
}

fn negotiation() -> Vec<Scenario> {
    // What Firefox sends for a navigation, against what an app offers.
    let accept = HeaderValue::from_static(
        "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8",
    );
    let language = HeaderValue::from_static("de-CH,de;q=0.9,en-US;q=0.7,en;q=0.5");
    vec![
        Scenario::solo("http/accept/parse-best-match", move || {
            Accept::from_header(&accept)
                .ok()
                .and_then(|a| a.best_match(["application/json", "text/html"]))
        }),
        Scenario::solo("http/accept-language/parse-best-match", move || {
            AcceptLanguage::from_header(&language)
                .ok()
                .and_then(|a| a.best_match(["en", "fr", "de"]))
        }),
    ]
}

/// Hostile inputs: how long one parse of each takes. Linear parsers take
/// time in proportion to the bytes; `tests/hostile.rs` in tackle-http checks
/// the bound, these lines give the figures.
fn hostile() -> Vec<Scenario> {
    let mib = 1 << 20;
    let cases: Vec<(&str, String)> = vec![
        ("accept-100k-items", "text/html;q=0.5, ".repeat(100_000)),
        (
            "range-10k-ranges",
            "bytes=".to_string() + &"0-1,".repeat(10_000),
        ),
        ("cache-control-1mib", "max-age=1, ".repeat(mib / 11)),
        ("if-none-match-100k-tags", "W/\"x\", ".repeat(100_000)),
        ("cookie-1mib", "a=b; ".repeat(mib / 5)),
        (
            "nested-quoting-1mib",
            format!("a=\"{}\"", "\\\"".repeat(mib / 2)),
        ),
    ];
    cases
        .into_iter()
        .map(|(name, text)| {
            let value = HeaderValue::from_str(&text).expect("ASCII header value");
            let parse: fn(&HeaderValue) -> bool = match name {
                "accept-100k-items" => |v| Accept::from_header(v).is_ok(),
                "range-10k-ranges" => |v| {
                    Range::from_header(v).is_ok_and(|r| {
                        r.byte_ranges().is_some_and(|s| {
                            matches!(s.resolve(1 << 20), RangeResolution::TooManyRanges)
                        })
                    })
                },
                "cache-control-1mib" => |v| CacheControl::from_header(v).is_ok(),
                "if-none-match-100k-tags" => |v| IfNoneMatch::from_header(v).is_ok(),
                "cookie-1mib" => |v| Cookies::from_header(v).is_ok(),
                _ => |v| ContentDisposition::from_header(v).is_ok(),
            };
            Scenario::solo(format!("http/hostile/{name}"), move || parse(&value))
        })
        .collect()
}
