//! `multipart/` scenarios: tackle-request's sans-IO decoder against multer
//! 3, each side streaming the same body, pre-split into the same chunks, and
//! consuming every byte of every part (summing the data lengths) without
//! collecting the parts.

use std::convert::Infallible;

use bytes::Bytes;
use tackle::request::multipart::{Event, MultipartDecoder, MultipartLimits};

use crate::harness::Scenario;

/// The boundary both sides are given, as a browser would send it.
const BOUNDARY: &str = "----TackleBenchBoundary7MA4YWxkTrZu0gW";

const KIB: usize = 1024;
const MIB: usize = 1024 * KIB;

/// Every `multipart/` scenario.
pub fn scenarios() -> Vec<Scenario> {
    vec![
        versus_multer(
            "multipart/16mib-file",
            &body(&[file_part("upload", 16 * MIB)]),
            64 * KIB,
            2.0,
        ),
        versus_multer(
            "multipart/1000-fields",
            &body(&text_fields(1000)),
            64 * KIB,
            1.0,
        ),
        versus_multer(
            "multipart/64kib-file-1kib-chunks",
            &body(&[file_part("upload", 64 * KIB)]),
            KIB,
            1.0,
        ),
    ]
}

/// What both sides answer: how many parts and how many data bytes in all.
#[derive(Debug, PartialEq, Eq)]
struct Tally {
    parts: u64,
    bytes: u64,
}

/// tackle against multer on `body` split into `chunk`-byte pieces. The
/// split is done once; each iteration clones the `Vec<Bytes>` (reference
/// count bumps) so that neither side pays for it.
fn versus_multer(name: &str, body: &[u8], chunk: usize, goal: f64) -> Scenario {
    let chunks: Vec<Bytes> = body.chunks(chunk).map(Bytes::copy_from_slice).collect();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("a current-thread tokio runtime");

    // Both sides must see the same parts before their speed means anything.
    let ours = tackle_tally(chunks.clone());
    let theirs = runtime.block_on(multer_tally(chunks.clone()));
    assert_eq!(ours, theirs, "{name}: tackle and multer disagree");

    let peer_chunks = chunks.clone();
    Scenario::versus(
        name,
        move || tackle_tally(chunks.clone()),
        "multer",
        move || runtime.block_on(multer_tally(peer_chunks.clone())),
        goal,
    )
}

/// The streaming path: feed a chunk, drain the events, repeat.
fn tackle_tally(chunks: Vec<Bytes>) -> Tally {
    // Limits high enough that neither side refuses the body.
    let limits = MultipartLimits::new()
        .max_form_parts(u64::MAX)
        .max_field_bytes(u64::MAX);
    let mut decoder = MultipartDecoder::new(BOUNDARY, limits).expect("valid boundary");
    let mut tally = Tally { parts: 0, bytes: 0 };
    let mut chunks = chunks.into_iter();
    loop {
        match decoder.next_event().expect("well-formed body") {
            Some(Event::PartStart(_)) => tally.parts += 1,
            Some(Event::Data(data)) => tally.bytes += data.len() as u64,
            Some(Event::PartEnd) => {}
            Some(Event::End) => return tally,
            None => match chunks.next() {
                Some(chunk) => decoder.feed(&chunk),
                None => decoder.finish(),
            },
        }
    }
}

/// multer's streaming path: `next_field` and `chunk` until both run out.
async fn multer_tally(chunks: Vec<Bytes>) -> Tally {
    let stream = futures_util::stream::iter(chunks.into_iter().map(Ok::<Bytes, Infallible>));
    let limits = multer::SizeLimit::new()
        .whole_stream(u64::MAX)
        .per_field(u64::MAX);
    let constraints = multer::Constraints::new().size_limit(limits);
    let mut multipart = multer::Multipart::with_constraints(stream, BOUNDARY, constraints);
    let mut tally = Tally { parts: 0, bytes: 0 };
    while let Some(mut field) = multipart.next_field().await.expect("well-formed body") {
        tally.parts += 1;
        while let Some(data) = field.chunk().await.expect("well-formed part") {
            tally.bytes += data.len() as u64;
        }
    }
    tally
}

/// One part of a body: its header block and its data.
struct Part {
    headers: String,
    data: Vec<u8>,
}

/// A `multipart/form-data` body with CRLF line breaks, as browsers send.
fn body(parts: &[Part]) -> Vec<u8> {
    let mut out = Vec::new();
    for part in parts {
        out.extend_from_slice(format!("--{BOUNDARY}\r\n{}\r\n", part.headers).as_bytes());
        out.extend_from_slice(&part.data);
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    out
}

/// A file upload of `len` bytes of binary-looking data.
fn file_part(name: &str, len: usize) -> Part {
    Part {
        headers: format!(
            "Content-Disposition: form-data; name=\"{name}\"; filename=\"data.bin\"\r\n\
             Content-Type: application/octet-stream\r\n"
        ),
        data: file_data(len),
    }
}

/// `count` short text fields, as an HTML form with many inputs sends.
fn text_fields(count: usize) -> Vec<Part> {
    (0..count)
        .map(|i| Part {
            headers: format!("Content-Disposition: form-data; name=\"field{i}\"\r\n"),
            data: format!("value of field number {i}").into_bytes(),
        })
        .collect()
}

/// Pseudo-random bytes (xorshift64, fixed seed), like a compressed file:
/// about one byte in 128 is a CR and one in 128 an LF, and now and then a
/// CRLF followed by dashes, which the decoders must look at twice.
fn file_data(len: usize) -> Vec<u8> {
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut data: Vec<u8> = (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 56) as u8
        })
        .collect();
    // A delimiter look-alike every 64 KiB: CRLF, two dashes, not the boundary.
    for start in (1000..len.saturating_sub(8)).step_by(64 * KIB) {
        if let Some(window) = data.get_mut(start..start + 6) {
            window.copy_from_slice(b"\r\n--x-");
        }
    }
    data
}
