//! The multipart decoder against real browser uploads (Werkzeug's captures)
//! and python-multipart's strict edge cases, in `../shared/corpus`.

mod support;

use std::collections::BTreeMap;

use support::{Part, corpus_dir, decode, decode_chunks, sha256_hex};
use tackle_request::multipart::{self, MultipartLimits};

/// Every way the corpus asks for: whole, one byte at a time, and split in
/// two at every offset. Each must give exactly the parts of the whole feed.
fn decode_every_way(what: &str, boundary: &str, body: &[u8]) -> Vec<Part> {
    let whole = decode(boundary, MultipartLimits::default(), body)
        .unwrap_or_else(|e| panic!("{what}: fed whole: {e}"));
    let bytes = decode_chunks(boundary, MultipartLimits::default(), body.chunks(1))
        .unwrap_or_else(|e| panic!("{what}: fed one byte at a time: {e}"));
    assert!(
        bytes == whole,
        "{what}: one-byte chunks differ from the whole feed"
    );
    for at in 0..=body.len() {
        let (a, b) = body.split_at(at);
        let split = decode_chunks(boundary, MultipartLimits::default(), [a, b])
            .unwrap_or_else(|e| panic!("{what}: split at {at}: {e}"));
        assert!(
            split == whole,
            "{what}: split at byte {at} differs from the whole feed"
        );
    }
    whole
}

#[test]
fn werkzeug_browser_captures() {
    let Some(dir) = corpus_dir("multipart/werkzeug") else {
        return;
    };
    let expected: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("expected.json")).unwrap()).unwrap();
    let captures = expected.as_object().unwrap();
    assert_eq!(captures.len(), 5, "expected.json lists five captures");
    for (what, capture) in captures {
        let boundary = multipart::boundary(capture["content_type"].as_str().unwrap())
            .unwrap_or_else(|e| panic!("{what}: {e}"));
        let body = std::fs::read(dir.join(capture["body"].as_str().unwrap())).unwrap();
        let parts = decode_every_way(what, &boundary, &body);

        let mut fields: BTreeMap<String, Vec<String>> = BTreeMap::new();
        let mut files: BTreeMap<String, Vec<serde_json::Value>> = BTreeMap::new();
        for part in parts {
            match part.filename {
                None => fields
                    .entry(part.name)
                    .or_default()
                    .push(String::from_utf8(part.data).unwrap()),
                Some(filename) => files.entry(part.name).or_default().push(serde_json::json!({
                    "filename": filename,
                    "content_type": part.content_type.unwrap(),
                    "size": part.data.len(),
                    "sha256": sha256_hex(&part.data),
                })),
            }
        }
        assert_eq!(
            serde_json::to_value(&fields).unwrap(),
            capture["fields"],
            "{what}: fields"
        );
        assert_eq!(
            serde_json::to_value(&files).unwrap(),
            capture["files"],
            "{what}: files"
        );
    }
}

#[test]
fn werkzeug_ie7_lf_only_capture() {
    let Some(dir) = corpus_dir("multipart/werkzeug") else {
        return;
    };
    let body = std::fs::read(dir.join("ie7_full_path_request.http")).unwrap();
    let parts = decode_every_way("ie7", "---------------------------7da36d1b4a0164", &body);
    let fields: Vec<(&str, &[u8])> = parts
        .iter()
        .filter(|p| p.filename.is_none())
        .map(|p| (p.name.as_str(), p.data.as_slice()))
        .collect();
    assert_eq!(
        fields,
        [
            ("file-form-submit-flag", &b"submitted"[..]),
            ("categoryId", b"2"),
            ("title", b"2010"),
            ("description", b"Minutes from the 2010 Town council"),
            ("submit", b"Submit"),
        ]
    );
    let file = parts.iter().find(|p| p.filename.is_some()).unwrap();
    assert_eq!(file.name, "cb_file_upload_multiple");
    assert_eq!(
        file.filename.as_deref(),
        Some("Sellersburg Town Council Meeting 02-22-2010doc.doc")
    );
    assert_eq!(file.content_type.as_deref(), Some("application/msword"));
    // Size and digest from an independent split on "\n--boundary".
    assert_eq!(file.data.len(), 29184);
    assert_eq!(
        sha256_hex(&file.data),
        "1f2d0739e1b3263bc368c209f42c1207dcbf0d5cb54c8e092a1d9350f8a9e394"
    );
    assert!(file.data.contains(&b'\r'), "the stray CR bytes stay data");
    assert_eq!(parts.len(), 6);
}

/// One python-multipart case: its boundary and what a strict parser does.
struct Case {
    boundary: String,
    expected: Expected,
}

enum Expected {
    Error(usize),
    Parts(Vec<ExpectedPart>),
}

#[derive(Default, Debug)]
struct ExpectedPart {
    name: String,
    is_file: bool,
    file_name: Option<String>,
    content_type: Option<String>,
    data: Vec<u8>,
}

/// Reads the small YAML subset the corpus uses: `boundary:`, `expected:`
/// with `error: <offset>`, `[]`, or a list of parts whose `data` is a
/// `!!binary |` block.
fn read_case(yaml: &str) -> Case {
    let mut boundary = None;
    let mut error = None;
    let mut parts: Vec<ExpectedPart> = Vec::new();
    let mut in_binary = false;
    let mut base64_text = String::new();
    let flush = |parts: &mut Vec<ExpectedPart>, text: &mut String| {
        if let Some(part) = parts.last_mut() {
            if !text.is_empty() {
                part.data = base64_decode(text);
            }
        }
        text.clear();
    };
    for line in yaml.lines() {
        let trimmed = line.trim();
        if in_binary {
            if line.starts_with("        ") || line.starts_with("      ") && !trimmed.contains(':')
            {
                base64_text.push_str(trimmed);
                continue;
            }
            in_binary = false;
            flush(&mut parts, &mut base64_text);
        }
        if trimmed.is_empty() {
            continue;
        }
        let item = trimmed.strip_prefix("- ");
        if item.is_some() {
            parts.push(ExpectedPart::default());
        }
        let Some((key, value)) = item.unwrap_or(trimmed).split_once(':') else {
            panic!("unexpected YAML line {line:?}");
        };
        let value = value
            .trim()
            .trim_matches(|c| c == '\'' || c == '"')
            .to_owned();
        match key {
            "boundary" => boundary = Some(value),
            "expected" => {}
            "error" => error = Some(value.parse().unwrap()),
            "name" => parts.last_mut().unwrap().name = value,
            "type" => parts.last_mut().unwrap().is_file = value == "file",
            "file_name" => parts.last_mut().unwrap().file_name = Some(value),
            "content_type" => parts.last_mut().unwrap().content_type = Some(value),
            "data" => {
                assert_eq!(value, "!!binary |", "only binary data blocks are used");
                in_binary = true;
            }
            _ => panic!("unexpected YAML key {key:?}"),
        }
    }
    flush(&mut parts, &mut base64_text);
    Case {
        boundary: boundary.expect("a boundary"),
        expected: match error {
            Some(offset) => Expected::Error(offset),
            None => Expected::Parts(parts),
        },
    }
}

fn base64_decode(text: &str) -> Vec<u8> {
    let value = |c: u8| match c {
        b'A'..=b'Z' => c - b'A',
        b'a'..=b'z' => c - b'a' + 26,
        b'0'..=b'9' => c - b'0' + 52,
        b'+' => 62,
        b'/' => 63,
        _ => panic!("not base64: {c:?}"),
    };
    let digits: Vec<u8> = text
        .bytes()
        .filter(|&c| c != b'=' && !c.is_ascii_whitespace())
        .map(value)
        .collect();
    let mut out = Vec::new();
    for group in digits.chunks(4) {
        let mut n = 0u32;
        for (i, d) in group.iter().enumerate() {
            n |= u32::from(*d) << (18 - 6 * i);
        }
        out.extend_from_slice(&n.to_be_bytes()[1..group.len()]);
    }
    out
}

fn quoted_printable_decode(data: &[u8]) -> Vec<u8> {
    let hex = |c: u8| (c as char).to_digit(16).unwrap() as u8;
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(&b) = data.get(i) {
        if b == b'=' {
            out.push(hex(data[i + 1]) * 16 + hex(data[i + 2]));
            i += 3;
        } else {
            out.push(b);
            i += 1;
        }
    }
    out
}

/// Cases whose YAML boundary is not the one the body uses: the body of
/// `single_field_blocks` delimits with `--boundary`, so its boundary is
/// `boundary`, not the `--boundary` its YAML gives (no parser could find
/// `----boundary` in it).
const BOUNDARY_FIXES: &[(&str, &str)] = &[("single_field_blocks", "boundary")];

/// Where the strict corpus and this decoder part ways. Each is documented
/// in the `multipart` module docs; both sides are asserted below.
const LENIENT_ACCEPTS: &[&str] = &[
    // A mangled first boundary line is read as preamble, and the final
    // boundary after it makes an empty form, as in Werkzeug. With
    // `max_preamble_bytes(0)` the decoder refuses it as the corpus does.
    "bad_initial_boundary",
];

#[test]
fn python_multipart_cases() {
    let Some(dir) = corpus_dir("multipart/python-multipart") else {
        return;
    };
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.unwrap().file_name().into_string().ok())
        .filter_map(|n| n.strip_suffix(".yaml").map(str::to_owned))
        .collect();
    names.sort();
    // The corpus README says 31; the folder holds 30 pairs.
    assert_eq!(names.len(), 30, "the corpus has 30 cases");
    let (mut errors, mut accepted) = (0, 0);
    for name in &names {
        let mut case =
            read_case(&std::fs::read_to_string(dir.join(format!("{name}.yaml"))).unwrap());
        if let Some((_, boundary)) = BOUNDARY_FIXES.iter().find(|(n, _)| n == name) {
            case.boundary = (*boundary).to_owned();
        }
        let body = std::fs::read(dir.join(format!("{name}.http"))).unwrap();
        check_case(name, &case, &body);
        match case.expected {
            Expected::Error(_) => errors += 1,
            Expected::Parts(_) => accepted += 1,
        }
    }
    assert_eq!(
        (errors, accepted),
        (8, 22),
        "cases expecting an error, and parts"
    );
}

fn check_case(name: &str, case: &Case, body: &[u8]) {
    let got = decode(&case.boundary, MultipartLimits::default(), body);
    let bytes = decode_chunks(&case.boundary, MultipartLimits::default(), body.chunks(1));
    assert_eq!(
        got, bytes,
        "{name}: one-byte chunks differ from the whole feed"
    );
    for at in 0..=body.len() {
        let (a, b) = body.split_at(at);
        let split = decode_chunks(&case.boundary, MultipartLimits::default(), [a, b]);
        assert_eq!(
            got, split,
            "{name}: split at byte {at} differs from the whole feed"
        );
    }
    match &case.expected {
        Expected::Error(offset) if LENIENT_ACCEPTS.contains(&name) => {
            assert_eq!(
                got,
                Ok(Vec::new()),
                "{name}: read leniently as an empty form"
            );
            let strict = MultipartLimits::default().max_preamble_bytes(0);
            let e = decode(&case.boundary, strict, body).unwrap_err();
            assert_eq!(e.limit(), Some(("max_preamble_bytes", 0)), "{name}");
            assert!(*offset < body.len(), "{name}: offset {offset}");
        }
        Expected::Error(offset) => {
            let e = got.expect_err(name);
            assert!(e.is_invalid() || e.is_incomplete(), "{name}: {e}");
            assert!(*offset < body.len(), "{name}: offset {offset}");
        }
        Expected::Parts(expected) => {
            let parts = got.unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(parts.len(), expected.len(), "{name}: part count");
            for (part, want) in parts.iter().zip(expected) {
                assert_eq!(part.name, want.name, "{name}");
                assert_eq!(
                    part.filename.is_some(),
                    want.is_file,
                    "{name}: {}",
                    want.name
                );
                assert_eq!(part.filename, want.file_name, "{name}: {}", want.name);
                if let Some(ct) = &want.content_type {
                    // A field without Content-Type is text/plain (RFC 7578 §4.4).
                    let got_ct = part.content_type.as_deref().unwrap_or("text/plain");
                    assert_eq!(got_ct, ct, "{name}: {}", want.name);
                }
                // Content-Transfer-Encoding is not applied: the raw bytes are
                // kept, and decoding them gives what the strict corpus expects.
                let decoded = match part.transfer_encoding.as_deref() {
                    None => part.data.clone(),
                    Some("base64") => {
                        assert_ne!(part.data, want.data, "{name}: raw bytes are kept");
                        base64_decode(std::str::from_utf8(&part.data).unwrap())
                    }
                    Some("quoted-printable") => {
                        assert_ne!(part.data, want.data, "{name}: raw bytes are kept");
                        quoted_printable_decode(&part.data)
                    }
                    Some(other) => panic!("{name}: unexpected encoding {other}"),
                };
                assert_eq!(decoded, want.data, "{name}: {} data", want.name);
            }
        }
    }
}
