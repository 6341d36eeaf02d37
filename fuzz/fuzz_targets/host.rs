//! `Host` validation and trusted-host matching.
#![no_main]

mod common;

use libfuzzer_sys::fuzz_target;
use tackle_http::{Host, TrustedHosts, host_is_trusted};

fuzz_target!(|data: &[u8]| {
    common::round_trip::<Host>(data);
    let Ok(s) = std::str::from_utf8(data) else { return };
    let patterns = ["example.com", ".example.org", "[::1]:8080", "127.0.0.1"];
    let _ = host_is_trusted(s, &patterns);
    // Matching in place agrees with matching the parsed host.
    let list = TrustedHosts::new(patterns).expect("valid patterns");
    let parsed = s.parse::<Host>().is_ok_and(|host| list.matches(&host));
    assert_eq!(list.matches_str(s), parsed, "{s:?}");
    // The input as a list of patterns.
    if let Ok(trusted) = TrustedHosts::new(s.split(' ')) {
        let _ = trusted.matches_str("www.example.org:443");
    }
});
