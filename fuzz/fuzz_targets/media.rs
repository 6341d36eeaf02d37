//! `Content-Type` and `Content-Disposition`.
#![no_main]

mod common;

use libfuzzer_sys::fuzz_target;
use tackle_http::{ContentDisposition, ContentType};

fuzz_target!(|data: &[u8]| {
    common::round_trip::<ContentType>(data);
    common::round_trip::<ContentDisposition>(data);
    if let Ok(s) = std::str::from_utf8(data) {
        let _ = tackle_http::media_type::charset_of(s);
        let _ = tackle_http::media_type::is_json(s);
    }
});
