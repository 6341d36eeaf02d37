//! Checks shared by the fuzz targets.
#![allow(dead_code)]

use std::fmt::Debug;

use tackle_http::TypedHeader;

/// Parses `data` as the header `H`, both as text and as raw header bytes
/// (the ISO-8859-1 path). Whatever parses must format to a value that parses
/// back to the same thing.
pub fn round_trip<H: TypedHeader + PartialEq + Debug>(data: &[u8]) {
    if let Ok(s) = std::str::from_utf8(data) {
        // Text with ASCII controls (but tab) cannot come from a HeaderValue,
        // and `parse_value` documents that it need not round-trip: parse it
        // for panics only.
        if s.bytes().any(|b| b.is_ascii_control() && b != b'\t') {
            let _ = H::parse_value(s);
        } else {
            check::<H>(H::parse_value(s));
        }
    }
    if let Ok(value) = http::HeaderValue::from_bytes(data) {
        check::<H>(H::from_header(&value));
    }
}

fn check<H: TypedHeader + PartialEq + Debug>(parsed: Result<H, tackle_http::ParseError>) {
    if let Ok(header) = parsed {
        let value = header.to_header_value();
        match H::from_header(&value) {
            Ok(again) => assert_eq!(header, again, "round trip through {value:?}"),
            Err(e) => panic!("{header:?} formatted as {value:?} does not parse: {e}"),
        }
    }
}
