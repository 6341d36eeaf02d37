//! The sans-IO multipart decoder, fed in random chunks: whatever the
//! chunking, it must produce the same parts (or fail the same way) as when
//! fed the whole body, never panic, and never hand out more than the limits
//! allow.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tackle_request::multipart::{Event, MultipartDecoder, MultipartLimits};

/// What a decoding produced: parts as (name, filename, data), then the error
/// text if it failed.
type Outcome = (Vec<(String, Option<String>, Vec<u8>)>, Option<String>);

fn decode(body: &[u8], chunks: &[usize]) -> Outcome {
    let limits = MultipartLimits::new()
        .max_form_parts(8)
        .max_field_bytes(4096)
        .max_part_header_bytes(1024);
    let mut decoder = MultipartDecoder::new("b0undary", limits).expect("valid boundary");
    let mut parts: Vec<(String, Option<String>, Vec<u8>)> = Vec::new();
    let mut rest = body;
    let mut sizes = chunks.iter().cycle();
    loop {
        match decoder.next_event() {
            Ok(Some(Event::PartStart(headers))) => {
                assert!(parts.len() < 8, "more parts than max_form_parts");
                parts.push((
                    headers.name().to_string(),
                    headers.filename().map(str::to_string),
                    Vec::new(),
                ));
            }
            Ok(Some(Event::Data(bytes))) => {
                let part = parts.last_mut().expect("data inside a part");
                part.2.extend_from_slice(&bytes);
                if part.1.is_none() {
                    assert!(part.2.len() <= 4096, "field over max_field_bytes");
                }
            }
            Ok(Some(Event::PartEnd)) => {}
            Ok(Some(Event::End)) => return (parts, None),
            Ok(None) if rest.is_empty() => decoder.finish(),
            Ok(None) => {
                let size = sizes.next().copied().unwrap_or(rest.len()).clamp(1, rest.len());
                let (chunk, tail) = rest.split_at(size);
                decoder.feed(chunk);
                rest = tail;
            }
            Err(e) => return (parts, Some(e.to_string())),
        }
    }
}

fuzz_target!(|data: &[u8]| {
    // The first bytes choose the chunk sizes, the rest is the body.
    let Some((&n, data)) = data.split_first() else { return };
    let n = usize::from(n % 8).min(data.len());
    let (sizes, body) = data.split_at(n);
    let chunks: Vec<usize> = sizes.iter().map(|&s| usize::from(s % 16) + 1).collect();
    let whole = decode(body, &[usize::MAX]);
    let chunked = decode(body, if chunks.is_empty() { &[1] } else { &chunks });
    // Parts completed before an error may differ in how much data was handed
    // out, so compare fully only when both succeeded; errors must agree.
    assert_eq!(whole.1, chunked.1, "error differs with chunking");
    if whole.1.is_none() {
        assert_eq!(whole.0, chunked.0, "parts differ with chunking");
    }
});
