//! The `Cookie` request header and `Set-Cookie`.
#![no_main]

mod common;

use libfuzzer_sys::fuzz_target;
use tackle_http::{Cookies, SetCookie};

fuzz_target!(|data: &[u8]| {
    common::round_trip::<Cookies>(data);
    common::round_trip::<SetCookie>(data);
});
