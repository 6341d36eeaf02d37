//! Lists, parameters, RFC 8187/2231 extended values and quoted strings.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tackle_http::header::{Parameters, decode_ext_value, quote, split_list, split_params, unquote};

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else { return };
    for item in split_list(s) {
        let (_value, params) = split_params(item);
        let _ = params.count();
    }
    let params = Parameters::parse_str(s);
    for (name, _) in params.iter() {
        assert!(params.get(name).is_some());
    }
    let _ = decode_ext_value(s);
    // Quoting must round-trip for any text without control characters.
    if !s.chars().any(char::is_control) {
        assert_eq!(unquote(&quote(s)), s);
    }
});
