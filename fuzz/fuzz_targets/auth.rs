//! `Authorization` and `WWW-Authenticate`.
#![no_main]

mod common;

use libfuzzer_sys::fuzz_target;
use tackle_http::{Authorization, WwwAuthenticate};

fuzz_target!(|data: &[u8]| {
    common::round_trip::<Authorization>(data);
    common::round_trip::<WwwAuthenticate>(data);
});
