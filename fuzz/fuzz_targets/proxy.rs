//! `Forwarded` (RFC 7239) and the `X-Forwarded-*` headers.
#![no_main]

mod common;

use http::{HeaderMap, HeaderValue};
use libfuzzer_sys::fuzz_target;
use tackle_http::proxy::{Forwarded, X_FORWARDED_FOR, X_FORWARDED_HOST, X_FORWARDED_PREFIX, XForwarded, XForwardedFor};

fuzz_target!(|data: &[u8]| {
    common::round_trip::<Forwarded>(data);
    common::round_trip::<XForwardedFor>(data);
    if let Ok(value) = HeaderValue::from_bytes(data) {
        let mut headers = HeaderMap::new();
        headers.insert(X_FORWARDED_FOR, value.clone());
        headers.insert(X_FORWARDED_HOST, value.clone());
        headers.insert(X_FORWARDED_PREFIX, value);
        let xf = XForwarded::new(&headers);
        for hops in 0..3 {
            let _ = (xf.for_node(hops), xf.host(hops), xf.prefix(hops), xf.port(hops));
        }
    }
});
