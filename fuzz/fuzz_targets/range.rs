//! `Range` (parse and resolution), `Content-Range` and `If-Range`.
#![no_main]

mod common;

use libfuzzer_sys::fuzz_target;
use tackle_http::{ContentRange, IfRange, Range, RangeResolution, TypedHeader};

fuzz_target!(|data: &[u8]| {
    common::round_trip::<Range>(data);
    common::round_trip::<ContentRange>(data);
    common::round_trip::<IfRange>(data);
    let Ok(value) = http::HeaderValue::from_bytes(data) else { return };
    let Ok(range) = Range::from_header(&value) else { return };
    let Some(set) = range.byte_ranges() else { return };
    for length in [0, 1, 2, 499, 500, 10_000, u64::MAX] {
        match set.resolve_limited(length, 16) {
            RangeResolution::Satisfiable(ranges) => {
                assert!(!ranges.as_slice().is_empty() && ranges.as_slice().len() <= 16);
                let mut previous_end: Option<u64> = None;
                for r in ranges.iter() {
                    // Inside the representation, sorted, not overlapping.
                    assert!(r.first() <= r.last() && r.last() < length, "{r:?} of {length}");
                    if let Some(end) = previous_end {
                        assert!(r.first() > end, "{ranges:?}");
                    }
                    previous_end = Some(r.last());
                }
                for content_range in ranges.content_ranges() {
                    let text = content_range.to_string();
                    assert_eq!(text.parse::<ContentRange>().ok(), Some(content_range));
                }
            }
            RangeResolution::Unsatisfiable => {}
            RangeResolution::TooManyRanges => assert!(set.as_slice().len() > 16),
        }
    }
});
