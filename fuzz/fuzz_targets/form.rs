//! `application/x-www-form-urlencoded` bodies and query strings.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tackle_http::urlencoded::{decode_form, decode_form_limited, decode_form_strict, encode_form};

fuzz_target!(|data: &[u8]| {
    let lossy = decode_form(data);
    // Decoded text re-encodes to a form that decodes to the same pairs.
    assert_eq!(decode_form(&encode_form(&lossy)), lossy);
    if let Ok(strict) = decode_form_strict(data) {
        assert_eq!(strict, lossy);
    }
    match decode_form_limited(data, 8) {
        Ok(limited) => assert_eq!(limited, lossy),
        Err(e) => assert!(e.is_too_large() && lossy.len() > 8),
    }
});
