//! HTTP dates: IMF-fixdate, RFC 850 and asctime.
#![no_main]

mod common;

use libfuzzer_sys::fuzz_target;
use tackle_http::{HttpDate, IfModifiedSince, LastModified};

fuzz_target!(|data: &[u8]| {
    common::round_trip::<LastModified>(data);
    common::round_trip::<IfModifiedSince>(data);
    if let Ok(s) = std::str::from_utf8(data)
        && let Ok(date) = HttpDate::parse(s)
    {
        assert_eq!(HttpDate::parse(&date.to_string()), Ok(date));
    }
});
