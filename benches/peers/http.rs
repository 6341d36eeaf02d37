//! `http/` scenarios: tackle-http against the `headers` crate's typed
//! headers, each side starting from the same `HeaderValue` and producing the
//! same answer.

use http::HeaderValue;
use tackle_http::{Accept, AcceptLanguage, CacheControl, TypedHeader};

use crate::harness::Scenario;

/// Every `http/` scenario.
pub fn scenarios() -> Vec<Scenario> {
    let mut all = Vec::new();
    all.extend(cache_control());
    all.extend(negotiation());
    all
}

/// Decodes a single header line with a `headers` type.
fn decode<H: headers::Header>(value: &HeaderValue) -> Option<H> {
    H::decode(&mut std::iter::once(value)).ok()
}

fn cache_control() -> Vec<Scenario> {
    let cases = [
        ("http/cache-control/parse-request", "no-cache"),
        ("http/cache-control/parse-response", "public, max-age=3600"),
        (
            "http/cache-control/parse-5-directives",
            "private, no-cache, no-store, must-revalidate, max-age=0",
        ),
    ];
    cases
        .into_iter()
        .map(|(name, text)| {
            let ours = HeaderValue::from_static(text);
            let theirs = ours.clone();
            Scenario::versus(
                name,
                move || CacheControl::from_header(&ours).map(|c| c.max_age()),
                "headers",
                move || decode::<headers::CacheControl>(&theirs).map(|c| c.max_age()),
                1.0,
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
