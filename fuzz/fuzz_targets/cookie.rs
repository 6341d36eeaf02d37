//! The `Cookie` request header and `Set-Cookie`.
#![no_main]

mod common;

use libfuzzer_sys::fuzz_target;
use tackle_http::{Cookies, SetCookie, TypedHeader};

fuzz_target!(|data: &[u8]| {
    common::round_trip::<Cookies>(data);
    // Set-Cookie parsing is the cookie crate's; it must not panic here.
    if let Ok(s) = std::str::from_utf8(data) {
        let _ = SetCookie::parse_value(s).map(|c| c.to_header_value());
    }
});
