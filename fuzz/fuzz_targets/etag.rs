//! `ETag`, `If-Match` and `If-None-Match`.
#![no_main]

mod common;

use libfuzzer_sys::fuzz_target;
use tackle_http::{EntityTag, IfMatch, IfNoneMatch, TypedHeader};

fuzz_target!(|data: &[u8]| {
    common::round_trip::<EntityTag>(data);
    common::round_trip::<IfMatch>(data);
    common::round_trip::<IfNoneMatch>(data);
    if let Ok(value) = http::HeaderValue::from_bytes(data)
        && let Ok(list) = IfNoneMatch::from_header(&value)
    {
        let current = EntityTag::strong("xyzzy").expect("valid tag");
        let weak = list.tags().matches_weak(&current);
        // A strong match is always also a weak match.
        assert!(!list.tags().matches_strong(&current) || weak);
        assert_eq!(list.precondition_passes(&current), !weak);
        for tag in list.tags().iter() {
            assert!(tag.weak_eq(&EntityTag::from(tag)));
        }
    }
});
