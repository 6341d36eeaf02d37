//! `Accept`, `Accept-Language`, `Accept-Encoding`, `Accept-Charset`, and
//! negotiation against them.
#![no_main]

mod common;

use libfuzzer_sys::fuzz_target;
use tackle_http::{Accept, AcceptCharset, AcceptEncoding, AcceptLanguage, TypedHeader};

fuzz_target!(|data: &[u8]| {
    common::round_trip::<Accept>(data);
    common::round_trip::<AcceptLanguage>(data);
    common::round_trip::<AcceptEncoding>(data);
    common::round_trip::<AcceptCharset>(data);
    let Ok(s) = std::str::from_utf8(data) else { return };
    if let Ok(accept) = Accept::parse_value(s) {
        let offers = ["text/html", "application/json", "text/*", "image/png;q=1"];
        if let Some(best) = accept.best_match(offers) {
            assert!(accept.quality(best).is_acceptable());
        }
    }
    if let Ok(langs) = AcceptLanguage::parse_value(s) {
        let _ = langs.best_match(["en", "en-US", "de-DE", "fr"]);
    }
    if let Ok(codings) = AcceptEncoding::parse_value(s) {
        let _ = codings.best_match(["br", "gzip", "identity"]);
    }
});
