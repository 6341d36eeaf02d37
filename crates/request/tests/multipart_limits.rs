//! Every limit of `MultipartLimits`, at its value (accepted) and one past
//! (refused with an error naming the limit), fed whole and in small chunks.

mod support;

use support::{Part, decode_chunks};
use tackle_request::multipart::{MultipartError, MultipartLimits};

const CD: &str = "Content-Disposition: form-data; name=\"bio\"\r\n";

/// Decodes whole and in chunks of 1 and 7 bytes (1-byte chunks only for
/// small bodies), which must agree.
fn decode_ways(limits: &MultipartLimits, body: &[u8]) -> Result<Vec<Part>, MultipartError> {
    let whole = decode_chunks("b", limits.clone(), [body]);
    let sizes: &[usize] = if body.len() < 64 * 1024 {
        &[1, 7]
    } else {
        &[7, 4096]
    };
    for &size in sizes {
        let chunked = decode_chunks("b", limits.clone(), body.chunks(size));
        assert_eq!(
            chunked, whole,
            "chunks of {size} differ from the whole feed"
        );
    }
    whole
}

fn field_body(value: &[u8]) -> Vec<u8> {
    [b"--b\r\n", CD.as_bytes(), b"\r\n", value, b"\r\n--b--\r\n"].concat()
}

fn assert_limit(result: Result<Vec<Part>, MultipartError>, limit: (&str, u64), message: &str) {
    let e = result.expect_err(message);
    assert!(e.is_too_large(), "{e}");
    assert_eq!(e.limit(), Some(limit));
    assert_eq!(e.to_string(), message);
}

#[test]
fn max_form_parts() {
    let part = format!("--b\r\n{CD}\r\nx\r\n");
    for (limits, max) in [
        (MultipartLimits::default(), 1000),
        (MultipartLimits::new().max_form_parts(3), 3),
    ] {
        let at = format!("{}--b--", part.repeat(max as usize));
        assert_eq!(
            decode_ways(&limits, at.as_bytes()).unwrap().len(),
            max as usize
        );
        let past = format!("{}--b--", part.repeat(max as usize + 1));
        assert_limit(
            decode_ways(&limits, past.as_bytes()),
            ("max_form_parts", max),
            &format!("multipart form is over max_form_parts ({max} parts)"),
        );
    }
    let none = MultipartLimits::new().max_form_parts(0);
    assert_eq!(decode_ways(&none, b"--b--"), Ok(Vec::new()));
}

fn with_headers(count: usize) -> Vec<u8> {
    let extra: String = (1..count).map(|i| format!("X-H{i}: v\r\n")).collect();
    format!("--b\r\n{CD}{extra}\r\nx\r\n--b--").into_bytes()
}

#[test]
fn max_part_header_count() {
    let limits = MultipartLimits::default();
    assert_eq!(
        decode_ways(&limits, &with_headers(32)).unwrap()[0].data,
        b"x"
    );
    assert_limit(
        decode_ways(&limits, &with_headers(33)),
        ("max_part_header_count", 32),
        "multipart part headers are over max_part_header_count (32 fields)",
    );
    // A folded line is part of its field, not another one.
    let folded = "--b\r\nContent-Disposition: form-data;\r\n\tname=bio\r\n\r\nx\r\n--b--";
    let one = MultipartLimits::new().max_part_header_count(1);
    assert_eq!(decode_ways(&one, folded.as_bytes()).unwrap()[0].name, "bio");
}

/// A part whose header block (line breaks and the blank line included) is
/// exactly `len` bytes.
fn header_block_of(len: usize) -> Vec<u8> {
    let fixed = CD.len() + "X: \r\n".len() + "\r\n".len();
    let pad = "p".repeat(len - fixed);
    format!("--b\r\n{CD}X: {pad}\r\n\r\nx\r\n--b--").into_bytes()
}

#[test]
fn max_part_header_bytes() {
    let limits = MultipartLimits::default();
    assert_eq!(
        decode_ways(&limits, &header_block_of(8192)).unwrap().len(),
        1
    );
    let message = "multipart part headers are over max_part_header_bytes (8192 bytes)";
    assert_limit(
        decode_ways(&limits, &header_block_of(8193)),
        ("max_part_header_bytes", 8192),
        message,
    );
    // A header block that never ends is refused once it passes the limit.
    let endless = [b"--b\r\n".as_slice(), &vec![b'h'; 100_000]].concat();
    assert_limit(
        decode_ways(&limits, &endless),
        ("max_part_header_bytes", 8192),
        message,
    );
}

/// Found by fuzzing: a header line over the limit that ends in a stray CR
/// was reported as "a CR that does not end a line" when fed whole but as the
/// limit when fed in pieces. The limit must win however the body is split.
#[test]
fn a_stray_cr_past_the_header_limit_reports_the_limit() {
    let limits = MultipartLimits::default().max_part_header_bytes(16);
    let body = b"--b\r\nContent-Disposition: form-data; name=a\rx\r\n\r\nv\r\n--b--\r\n";
    assert_limit(
        decode_ways(&limits, body),
        ("max_part_header_bytes", 16),
        "multipart part headers are over max_part_header_bytes (16 bytes)",
    );
    // Under the limit the stray CR itself is the error, whole or in pieces.
    let limits = MultipartLimits::default();
    let e = decode_ways(&limits, body).expect_err("a stray CR in headers");
    assert!(e.is_invalid(), "{e}");
}

#[test]
fn max_preamble_bytes() {
    let body = |len: usize| [vec![b'p'; len - 2], b"\r\n".to_vec(), field_body(b"x")].concat();
    let limits = MultipartLimits::default();
    assert_eq!(decode_ways(&limits, &body(8192)).unwrap().len(), 1);
    let message = "multipart preamble is over max_preamble_bytes (8192 bytes)";
    assert_limit(
        decode_ways(&limits, &body(8193)),
        ("max_preamble_bytes", 8192),
        message,
    );
    assert_limit(
        decode_ways(&limits, &vec![b'p'; 100_000]),
        ("max_preamble_bytes", 8192),
        message,
    );
    let strict = MultipartLimits::new().max_preamble_bytes(0);
    assert_eq!(decode_ways(&strict, &field_body(b"x")).unwrap().len(), 1);
    assert_limit(
        decode_ways(&strict, &[b"\n".as_slice(), &field_body(b"x")].concat()),
        ("max_preamble_bytes", 0),
        "multipart preamble is over max_preamble_bytes (0 bytes)",
    );
}

#[test]
fn max_epilogue_bytes() {
    // The line break ending the final boundary is not epilogue.
    let body = |len: usize| [field_body(b"x"), vec![b'e'; len]].concat();
    let limits = MultipartLimits::default();
    assert_eq!(decode_ways(&limits, &body(8192)).unwrap().len(), 1);
    let message = "multipart epilogue is over max_epilogue_bytes (8192 bytes)";
    assert_limit(
        decode_ways(&limits, &body(8193)),
        ("max_epilogue_bytes", 8192),
        message,
    );
    let none = MultipartLimits::new().max_epilogue_bytes(0);
    assert_eq!(decode_ways(&none, &field_body(b"x")).unwrap().len(), 1);
    assert!(decode_ways(&none, &[field_body(b"x"), b"\r\n".to_vec()].concat()).is_err());
}

#[test]
fn max_field_bytes() {
    let limits = MultipartLimits::default();
    let at = decode_ways(&limits, &field_body(&vec![b'v'; 500_000])).unwrap();
    assert_eq!(at[0].data.len(), 500_000);
    assert_limit(
        decode_ways(&limits, &field_body(&vec![b'v'; 500_001])),
        ("max_form_memory_size", 500_000),
        "multipart form field \"bio\" is over max_form_memory_size (500000 bytes)",
    );
    // Files are not fields: their size is bounded elsewhere.
    let file = [
        b"--b\r\nContent-Disposition: form-data; name=\"up\"; filename=\"a.bin\"\r\n\r\n"
            .as_slice(),
        &vec![b'f'; 600_000],
        b"\r\n--b--",
    ]
    .concat();
    assert_eq!(decode_ways(&limits, &file).unwrap()[0].data.len(), 600_000);
    let small = MultipartLimits::new().max_field_bytes(3);
    assert_eq!(
        decode_ways(&small, &field_body(b"abc")).unwrap()[0].data,
        b"abc"
    );
    assert_limit(
        decode_ways(&small, &field_body(b"abcd")),
        ("max_form_memory_size", 3),
        "multipart form field \"bio\" is over max_form_memory_size (3 bytes)",
    );
}
