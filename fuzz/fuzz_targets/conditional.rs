//! The RFC 9110 §13.2.2 evaluator over arbitrary precondition headers.
#![no_main]

use http::{HeaderMap, HeaderName, HeaderValue, Method, header};
use libfuzzer_sys::fuzz_target;
use tackle_http::{EntityTag, HttpDate, Outcome, Preconditions, Validators};

const HEADERS: [HeaderName; 6] = [
    header::IF_MATCH,
    header::IF_NONE_MATCH,
    header::IF_MODIFIED_SINCE,
    header::IF_UNMODIFIED_SINCE,
    header::RANGE,
    header::IF_RANGE,
];

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else { return };
    // Each line is the next precondition header's value (in HEADERS order,
    // wrapping around so a header can repeat).
    let mut headers = HeaderMap::new();
    for (i, line) in rest.split(|&b| b == b'\n').enumerate() {
        if let Ok(value) = HeaderValue::from_bytes(line) {
            headers.append(HEADERS[i % HEADERS.len()].clone(), value);
        }
    }
    let method = [Method::GET, Method::HEAD, Method::PUT, Method::DELETE][usize::from(selector % 4)].clone();
    let validators = Validators {
        etag: Some(EntityTag::strong("v1").expect("valid tag")),
        last_modified: HttpDate::from_unix_secs(1_700_000_000),
    };
    let length = 1000;
    let preconditions = Preconditions::new(&method, &headers).max_ranges(8);
    match preconditions.evaluate(&validators, Some(length)) {
        Outcome::Partial(ranges) => {
            assert_eq!(method, Method::GET);
            assert!(ranges.iter().all(|r| r.last() < length) && ranges.as_slice().len() <= 8);
        }
        Outcome::NotModified => assert!(method == Method::GET || method == Method::HEAD),
        Outcome::RangeNotSatisfiable(_) => assert_eq!(method, Method::GET),
        Outcome::Full | Outcome::PreconditionFailed => {}
    }
    let _ = preconditions.evaluate(&Validators::default(), None);
    let _ = preconditions.evaluate_missing();
});
