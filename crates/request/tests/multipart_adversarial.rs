//! Hostile bodies decode in linear time (the CVE-2023-46136 class: long runs
//! without a line break, data dense with CR/LF and boundary look-alikes,
//! one-byte chunks), and any chunking gives the same parts as the whole.

mod support;

use std::time::{Duration, Instant};

use proptest::prelude::*;
use support::decode_chunks;
use tackle_request::multipart::MultipartLimits;

/// Generous for a debug build on a shared machine; a quadratic scan of
/// these bodies takes minutes.
const BOUND: Duration = Duration::from_secs(10);

const BOUNDARY: &str = "----WebKitFormBoundaryjdSFhcARk8fyGNy6";

fn file_body(data: &[u8]) -> Vec<u8> {
    [
        format!(
            "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"f\"; filename=\"a\"\r\n\r\n"
        )
        .as_bytes(),
        data,
        format!("\r\n--{BOUNDARY}--\r\n").as_bytes(),
    ]
    .concat()
}

/// Decodes `data` wrapped in a file part, in chunks of `chunk` bytes, and
/// checks that the part's body comes back intact and in time.
fn assert_linear(what: &str, data: &[u8], chunk: usize) {
    let body = file_body(data);
    let started = Instant::now();
    let parts = decode_chunks(BOUNDARY, MultipartLimits::default(), body.chunks(chunk))
        .unwrap_or_else(|e| panic!("{what}: {e}"));
    let took = started.elapsed();
    println!(
        "{what}: {} bytes in chunks of {chunk}: {took:?}",
        body.len()
    );
    assert!(
        took < BOUND,
        "{what}: {} bytes in chunks of {chunk} took {took:?}",
        body.len()
    );
    assert_eq!(parts.len(), 1, "{what}");
    assert!(parts[0].data == data, "{what}: the part's body changed");
}

/// Whole repetitions of `pattern`, about `len` bytes: a cut pattern could
/// end in a real delimiter once the closing boundary follows.
fn repeat_to(pattern: &[u8], len: usize) -> Vec<u8> {
    pattern.repeat(len / pattern.len())
}

const MIB: usize = 1024 * 1024;

#[test]
fn megabytes_without_a_line_break() {
    assert_linear("no line break, whole", &vec![b'a'; 8 * MIB], usize::MAX);
    assert_linear("no line break, 1-byte chunks", &vec![b'a'; MIB], 1);
}

#[test]
fn data_full_of_line_breaks() {
    assert_linear("CRLF, 4 KiB chunks", &repeat_to(b"\r\n", 8 * MIB), 4096);
    assert_linear("CRLF, 1-byte chunks", &repeat_to(b"\r\n", MIB), 1);
    assert_linear("CR, 1-byte chunks", &repeat_to(b"\r", MIB), 1);
    assert_linear("LF-dashes, 1-byte chunks", &repeat_to(b"\n--\r", MIB), 1);
}

#[test]
fn boundary_look_alikes() {
    let prefix = format!("\r\n--{}", &BOUNDARY[..BOUNDARY.len() - 1]);
    assert_linear(
        "boundary prefixes, 1-byte chunks",
        &repeat_to(prefix.as_bytes(), MIB),
        1,
    );
    assert_linear(
        "boundary prefixes, whole",
        &repeat_to(prefix.as_bytes(), 8 * MIB),
        usize::MAX,
    );
    let almost = format!("\r\n--{BOUNDARY}X");
    assert_linear(
        "boundary then junk, 1-byte chunks",
        &repeat_to(almost.as_bytes(), MIB),
        1,
    );
    let padded = format!("\r\n--{BOUNDARY}{}X", " ".repeat(60));
    assert_linear(
        "boundary, padding, junk, 1-byte chunks",
        &repeat_to(padded.as_bytes(), MIB),
        1,
    );
    let long_padding = format!("\r\n--{BOUNDARY}{}\r\n", " ".repeat(65));
    assert_linear(
        "padding over the bound is data",
        &repeat_to(long_padding.as_bytes(), MIB),
        7,
    );
}

#[test]
fn hostile_preamble_and_headers() {
    let limits = MultipartLimits::default().max_preamble_bytes(u64::MAX);
    let lookalikes = repeat_to(
        format!("x--{BOUNDARY}\r\n--{BOUNDARY}X\n").as_bytes(),
        4 * MIB,
    );
    let body = [lookalikes, file_body(b"ok")].concat();
    let started = Instant::now();
    let parts = decode_chunks(BOUNDARY, limits, body.chunks(1)).unwrap();
    assert!(
        started.elapsed() < BOUND,
        "preamble look-alikes took {:?}",
        started.elapsed()
    );
    assert_eq!(parts[0].data, b"ok");

    // A header line growing one byte at a time is scanned once.
    let limits = MultipartLimits::default().max_part_header_bytes(u64::MAX);
    let long = format!("X: {}\r\n", "v".repeat(MIB));
    let body = format!(
        "--{BOUNDARY}\r\nContent-Disposition: form-data; name=a\r\n{long}\r\nx\r\n--{BOUNDARY}--"
    );
    let started = Instant::now();
    let parts = decode_chunks(BOUNDARY, limits, body.as_bytes().chunks(1)).unwrap();
    assert!(
        started.elapsed() < BOUND,
        "a long header line took {:?}",
        started.elapsed()
    );
    assert_eq!(parts[0].data, b"x");
}

/// Part bodies drawn from bytes that make delimiter search hard.
fn part_data() -> impl Strategy<Value = Vec<u8>> {
    let pieces = prop_oneof![
        Just(b"\r".to_vec()),
        Just(b"\n".to_vec()),
        Just(b"\r\n".to_vec()),
        Just(b"--".to_vec()),
        Just(b"-".to_vec()),
        Just(b"--bound".to_vec()),
        Just(b"--boundary".to_vec()),
        Just(b"\r\n--boundaryX".to_vec()),
        Just(b" ".to_vec()),
        proptest::collection::vec(any::<u8>(), 0..8),
    ];
    proptest::collection::vec(pieces, 0..12).prop_map(|p| p.concat())
}

fn body_of(parts: &[(bool, Vec<u8>)], line_break: &str) -> Vec<u8> {
    let mut body = b"preamble".to_vec();
    body.extend_from_slice(line_break.as_bytes());
    for (i, (is_file, data)) in parts.iter().enumerate() {
        let filename = if *is_file { "; filename=\"f.bin\"" } else { "" };
        body.extend_from_slice(
            format!("--boundary{line_break}Content-Disposition: form-data; name=\"p{i}\"{filename}{line_break}{line_break}")
                .as_bytes(),
        );
        body.extend_from_slice(data);
        body.extend_from_slice(line_break.as_bytes());
    }
    body.extend_from_slice(format!("--boundary--{line_break}").as_bytes());
    body
}

proptest! {
    #[test]
    fn any_chunking_gives_the_same_parts(
        parts in proptest::collection::vec((any::<bool>(), part_data()), 0..5),
        line_break in prop_oneof![Just("\r\n"), Just("\n")],
        cuts in proptest::collection::vec(any::<prop::sample::Index>(), 0..12),
    ) {
        let body = body_of(&parts, line_break);
        let whole = decode_chunks("boundary", MultipartLimits::default(), [body.as_slice()]);
        let mut offsets: Vec<usize> = cuts.iter().map(|c| c.index(body.len() + 1)).collect();
        offsets.sort_unstable();
        let mut chunks = Vec::new();
        let mut from = 0;
        for at in offsets {
            chunks.push(&body[from..at]);
            from = at;
        }
        chunks.push(&body[from..]);
        let chunked = decode_chunks("boundary", MultipartLimits::default(), chunks);
        prop_assert_eq!(&chunked, &whole);
        // With CRLF the generated bodies always decode to what was encoded
        // (the data pieces never hold CRLF + boundary + line break... unless
        // generated, in which case the body legitimately splits there).
        if let Ok(decoded) = whole {
            let encoded_ok = parts.iter().all(|(_, d)| {
                !d.windows(line_break.len() + 10).any(|w| w.starts_with(line_break.as_bytes()) && &w[line_break.len()..] == b"--boundary")
            });
            if encoded_ok {
                prop_assert_eq!(decoded.len(), parts.len());
                for (got, (is_file, data)) in decoded.iter().zip(&parts) {
                    prop_assert_eq!(got.filename.is_some(), *is_file);
                    prop_assert_eq!(&got.data, data);
                }
            }
        }
    }
}
