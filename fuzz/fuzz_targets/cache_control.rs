//! `Cache-Control` request and response directives.
#![no_main]

mod common;

use libfuzzer_sys::fuzz_target;
use tackle_http::CacheControl;

fuzz_target!(|data: &[u8]| {
    common::round_trip::<CacheControl>(data);
});
