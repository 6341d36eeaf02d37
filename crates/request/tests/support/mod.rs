//! Shared helpers for the multipart integration tests: drive a decoder over
//! a body split into given chunks and collect whole parts.

// Each test binary uses a different subset of these helpers.
#![allow(dead_code)]

use tackle_request::multipart::{Event, MultipartDecoder, MultipartError, MultipartLimits};

/// A part as the tests compare it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Part {
    pub name: String,
    pub filename: Option<String>,
    pub content_type: Option<String>,
    pub transfer_encoding: Option<String>,
    pub data: Vec<u8>,
}

/// Feeds `chunks` in order, pulling every event between feeds (as a server
/// would), and checks the events follow `(PartStart Data* PartEnd)* End`.
pub fn decode_chunks<'a>(
    boundary: &str,
    limits: MultipartLimits,
    chunks: impl IntoIterator<Item = &'a [u8]>,
) -> Result<Vec<Part>, MultipartError> {
    let mut decoder = MultipartDecoder::new(boundary, limits)?;
    let mut parts: Vec<Part> = Vec::new();
    let mut in_part = false;
    let mut chunks = chunks.into_iter();
    loop {
        match decoder.next_event()? {
            Some(Event::PartStart(headers)) => {
                assert!(!in_part, "PartStart inside a part");
                in_part = true;
                parts.push(Part {
                    name: headers.name().to_owned(),
                    filename: headers.filename().map(str::to_owned),
                    content_type: headers.content_type().map(str::to_owned),
                    transfer_encoding: headers
                        .headers()
                        .get("content-transfer-encoding")
                        .map(|v| v.to_str().unwrap().to_ascii_lowercase()),
                    data: Vec::new(),
                });
            }
            Some(Event::Data(bytes)) => {
                assert!(in_part, "Data outside a part");
                assert!(!bytes.is_empty(), "empty Data event");
                parts.last_mut().unwrap().data.extend_from_slice(&bytes);
            }
            Some(Event::PartEnd) => {
                assert!(in_part, "PartEnd outside a part");
                in_part = false;
            }
            Some(Event::End) => {
                assert!(!in_part, "End inside a part");
                assert_eq!(decoder.next_event(), Ok(None), "an event after End");
                return Ok(parts);
            }
            None => match chunks.next() {
                Some(chunk) => decoder.feed(chunk),
                None => decoder.finish(),
            },
        }
    }
}

/// The body fed whole.
pub fn decode(
    boundary: &str,
    limits: MultipartLimits,
    body: &[u8],
) -> Result<Vec<Part>, MultipartError> {
    decode_chunks(boundary, limits, [body])
}

/// The corpus folder beside the checkout, or `None` (after saying so) on a
/// developer machine without it. Under CI a missing corpus fails.
pub fn corpus_dir(sub: &str) -> Option<std::path::PathBuf> {
    let dir = std::path::Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/corpus"
    ))
    .join(sub);
    if dir.is_dir() {
        return Some(dir);
    }
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!(
            "shared corpus not found at {} (required under CI=true)",
            dir.display()
        );
    }
    println!("skipped: shared corpus not found");
    None
}

/// The lowercase hex SHA-256 of `data`, as the corpus's `expected.json` gives it.
pub fn sha256_hex(data: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(data)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
