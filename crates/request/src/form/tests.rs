//! The collector at the edges of its storage rules (the Werkzeug captures
//! are in `tests/form_corpus.rs`).

use std::path::Path;

use super::*;
use crate::multipart::{self, Event, MultipartDecoder, MultipartLimits};

/// Feeds `body` in chunks of `chunk` bytes, pulling every event between
/// feeds as a server would.
fn collect_in_chunks(body: &[u8], boundary: &str, chunk: usize, options: FormOptions) -> FormData {
    let mut decoder = MultipartDecoder::new(boundary, MultipartLimits::default()).unwrap();
    let mut collector = FormCollector::new(options);
    let mut chunks = body.chunks(chunk);
    loop {
        match decoder.next_event().unwrap() {
            Some(Event::End) => return collector.finish(),
            Some(event) => collector.push(event).unwrap(),
            None => match chunks.next() {
                Some(c) => decoder.feed(c),
                None => decoder.finish(),
            },
        }
    }
}

fn body_with_file(data: &[u8]) -> Vec<u8> {
    [
        &b"--b\r\nContent-Disposition: form-data; name=\"f\"; filename=\"x.bin\"\r\n\r\n"[..],
        data,
        b"\r\n--b--\r\n",
    ]
    .concat()
}

fn collect(body: &[u8], options: FormOptions) -> Result<FormData, FormError> {
    collect_form(
        body,
        "multipart/form-data; boundary=b",
        MultipartLimits::default(),
        options,
    )
}

#[test]
fn spool_threshold_at_and_one_past() {
    // (threshold, file size, spooled?)
    let cases: &[(u64, usize, bool)] = &[
        (0, 0, false),
        (0, 1, true),
        (1, 1, false),
        (1, 2, true),
        (100, 99, false),
        (100, 100, false),
        (100, 101, true),
        (DEFAULT_SPOOL_THRESHOLD, 512 * 1024, false),
        (DEFAULT_SPOOL_THRESHOLD, 512 * 1024 + 1, true),
    ];
    for &(threshold, size, spooled) in cases {
        let data: Vec<u8> = (0..size).map(|i| (i % 251) as u8).collect();
        let body = body_with_file(&data);
        // Whole, and in small chunks so the threshold is crossed mid-part.
        for chunk in [body.len(), 7] {
            let options = FormOptions::new().spool_threshold(threshold);
            let form = collect_in_chunks(&body, "b", chunk, options);
            let file = form.files.get("f").unwrap();
            let at = format!("threshold {threshold}, size {size}, chunk {chunk}");
            assert_eq!(file.is_spooled(), spooled, "{at}");
            assert_eq!(file.size(), size as u64, "{at}");
            assert_eq!(file.bytes().unwrap(), data, "{at}");
        }
    }
}

#[test]
fn memory_budget_at_and_one_past() {
    // Three 10-byte files under a 100-byte threshold: (budget, spooled?).
    let cases: &[(u64, [bool; 3])] = &[
        (30, [false, false, false]),
        (29, [false, false, true]),
        (20, [false, false, true]),
        (19, [false, true, true]),
        (0, [true, true, true]),
    ];
    let part = |n: u8| {
        [
            format!("--b\r\nContent-Disposition: form-data; name=\"f\"; filename=\"{n}\"\r\n\r\n")
                .as_bytes(),
            &[n; 10],
            b"\r\n",
        ]
        .concat()
    };
    let body = [part(1), part(2), part(3), b"--b--\r\n".to_vec()].concat();
    for &(budget, spooled) in cases {
        for chunk in [body.len(), 3] {
            let options = FormOptions::new()
                .spool_threshold(100)
                .memory_budget(budget);
            let form = collect_in_chunks(&body, "b", chunk, options);
            let got: Vec<bool> = form
                .files
                .get_all("f")
                .map(UploadedFile::is_spooled)
                .collect();
            assert_eq!(got, spooled, "budget {budget}, chunk {chunk}");
            for (n, file) in (1..).zip(form.files.get_all("f")) {
                assert_eq!(file.bytes().unwrap(), [n; 10][..], "budget {budget}");
            }
        }
    }
}

#[test]
fn spooled_files_are_deleted_on_drop() {
    let dir = tempfile::tempdir().unwrap();
    let options = FormOptions::new().spool_threshold(0).spool_dir(dir.path());
    let form = collect(&body_with_file(b"secret"), options).unwrap();
    let path = form.files.get("f").unwrap().path().unwrap().to_path_buf();
    assert_eq!(path.parent(), Some(dir.path()), "created in spool_dir");
    assert_eq!(std::fs::read(&path).unwrap(), b"secret");
    drop(form);
    assert!(!path.exists(), "{} outlived its form", path.display());
}

#[test]
fn save_to_writes_files_kept_in_memory() {
    let dir = tempfile::tempdir().unwrap();
    let mut form = collect(&body_with_file(b"in memory"), FormOptions::default()).unwrap();
    let file = form.files.remove("f").pop().unwrap();
    assert!(!file.is_spooled());
    let target = dir.path().join("saved.txt");
    std::fs::write(&target, "older and longer content").unwrap();
    file.save_to(&target).unwrap();
    assert_eq!(std::fs::read(&target).unwrap(), b"in memory", "replaced");
}

#[test]
fn fields_are_text_with_invalid_utf8_replaced() {
    let cases: &[(&[u8], &str)] = &[
        (b"", ""),
        (b"plain", "plain"),
        ("caf\u{e9} \u{65e5}".as_bytes(), "caf\u{e9} \u{65e5}"),
        (b"caf\xe9", "caf\u{fffd}"),
        (b"\xff\xfe", "\u{fffd}\u{fffd}"),
        (b"line\r\nbreak", "line\r\nbreak"),
    ];
    for (value, text) in cases {
        let body = [
            &b"--b\r\nContent-Disposition: form-data; name=\"v\"\r\n\r\n"[..],
            value,
            b"\r\n--b--\r\n",
        ]
        .concat();
        for chunk in [body.len(), 1] {
            let form = collect_in_chunks(&body, "b", chunk, FormOptions::default());
            assert_eq!(
                form.fields.get("v").map(String::as_str),
                Some(*text),
                "{value:?}"
            );
            assert!(form.files.is_empty(), "{value:?}");
        }
    }
}

#[test]
fn fields_and_files_keep_their_order() {
    let body = b"--b\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n\
        --b\r\nContent-Disposition: form-data; name=\"up\"; filename=\"\"\r\n\
        Content-Type: application/octet-stream\r\n\r\n\r\n\
        --b\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n2\r\n\
        --b\r\nContent-Disposition: form-data; name=\"up\"; filename=\"b.txt\"\r\n\r\nB\r\n\
        --b--\r\n";
    let form = collect(body, FormOptions::new().spool_threshold(0)).unwrap();
    let a: Vec<&str> = form.fields.get_all("a").map(String::as_str).collect();
    assert_eq!(a, ["1", "2"]);
    let ups: Vec<_> = form.files.get_all("up").collect();
    // A file input left blank: an empty filename and no bytes, still a file.
    assert_eq!(ups[0].filename(), Some(""));
    assert_eq!(ups[0].content_type(), Some("application/octet-stream"));
    assert_eq!((ups[0].size(), ups[0].is_spooled()), (0, false));
    assert_eq!(ups[1].filename(), Some("b.txt"));
    assert_eq!(ups[1].content_type(), None);
    assert!(ups[1].is_spooled());
    assert_eq!(ups[1].headers().len(), 1);
}

#[test]
fn errors_name_the_problem() {
    let too_big = [
        &b"--b\r\nContent-Disposition: form-data; name=\"bio\"\r\n\r\n"[..],
        &[b'x'; 11],
        b"\r\n--b--\r\n",
    ]
    .concat();
    let limits = MultipartLimits::default().max_field_bytes(10);
    let e = collect_form(
        &too_big,
        "multipart/form-data; boundary=b",
        limits,
        FormOptions::default(),
    )
    .unwrap_err();
    assert!(e.is_too_large() && e.is_multipart() && !e.is_io());
    assert_eq!(e.limit(), Some(("max_form_memory_size", 10)));
    assert!(
        e.to_string().contains("max_form_memory_size (10 bytes)"),
        "{e}"
    );

    let cases: &[(&[u8], &str, &str)] = &[
        (b"--b\r\n", "multipart/form-data; boundary=b", "ended"),
        (b"", "text/plain", ""),
        (b"--b--\r\n", "multipart/form-data", ""),
    ];
    for (body, content_type, words) in cases {
        let e = collect_form(
            body,
            content_type,
            MultipartLimits::default(),
            FormOptions::default(),
        )
        .unwrap_err();
        assert!(
            e.is_multipart() && e.multipart().is_some(),
            "{content_type}"
        );
        assert_eq!(e.to_string(), e.multipart().unwrap().to_string());
        assert!(e.to_string().contains(words), "{e}");
    }
}

#[test]
fn spooling_failure_is_an_io_error() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing");
    let options = FormOptions::new().spool_threshold(0).spool_dir(&missing);
    let e = collect(&body_with_file(b"x"), options).unwrap_err();
    assert!(e.is_io() && !e.is_multipart() && e.io().is_some());
    assert_eq!(e.to_string(), "an uploaded file could not be stored");
    assert!(!e.to_string().contains("missing"), "no server path shown");
    // A file that fits in memory never touches the directory.
    let options = FormOptions::new().spool_dir(&missing);
    assert!(collect(&body_with_file(b"x"), options).is_ok());
}

#[test]
fn events_out_of_order_are_refused() {
    let boundary = multipart::boundary("multipart/form-data; boundary=b").unwrap();
    let mut decoder = MultipartDecoder::new(&boundary, MultipartLimits::default()).unwrap();
    decoder.feed(b"--b\r\nContent-Disposition: form-data; name=\"q\"\r\n\r\nv\r\n--b--\r\n");
    decoder.finish();
    let Some(Event::PartStart(start)) = decoder.next_event().unwrap() else {
        panic!("a part first");
    };
    let cases: &[(&[Event], &str)] = &[
        (
            &[Event::Data(bytes::Bytes::from_static(b"v"))],
            "Data outside a part",
        ),
        (&[Event::PartEnd], "PartEnd outside a part"),
        (
            &[
                Event::PartStart(start.clone()),
                Event::PartStart(start.clone()),
            ],
            "PartStart inside a part",
        ),
        (
            &[Event::PartStart(start.clone()), Event::End],
            "End inside a part",
        ),
    ];
    for (events, message) in cases {
        let mut collector = FormCollector::new(FormOptions::default());
        let (last, first) = events.split_last().unwrap();
        for event in first {
            collector.push(event.clone()).unwrap();
        }
        let e = collector.push(last.clone()).unwrap_err();
        assert_eq!(e.kind(), std::io::ErrorKind::InvalidInput, "{message}");
        assert!(e.to_string().ends_with(message), "{e}");
    }
    // A part left open when the body is cut short is not in the form.
    let mut collector = FormCollector::new(FormOptions::default());
    collector.push(Event::PartStart(start)).unwrap();
    let form = collector.finish();
    assert!(form.fields.is_empty() && form.files.is_empty());
}

#[test]
fn save_to_across_file_systems() {
    // /dev/shm is a tmpfs on Linux, apart from the OS temp dir: the rename
    // fails there and the copy takes over. Elsewhere the rename path runs;
    // either way the bytes land and the temp file is gone.
    let shm = Path::new("/dev/shm");
    let spool = if shm.is_dir() {
        tempfile::tempdir_in(shm).unwrap()
    } else {
        tempfile::tempdir().unwrap()
    };
    let target_dir = tempfile::tempdir().unwrap();
    let options = FormOptions::new()
        .spool_threshold(0)
        .spool_dir(spool.path());
    let mut form = collect(&body_with_file(b"moved or copied"), options).unwrap();
    let file = form.files.remove("f").pop().unwrap();
    let temp = file.path().unwrap().to_path_buf();
    let target = target_dir.path().join("saved.bin");
    file.save_to(&target).unwrap();
    assert_eq!(std::fs::read(&target).unwrap(), b"moved or copied");
    assert!(!temp.exists(), "the temp file is gone");
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]

    /// Any file, threshold and chunking: the bytes come back whole, and the
    /// file is spooled exactly when it is larger than the threshold.
    #[test]
    fn any_file_round_trips(
        data in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..600),
        threshold in 0u64..700,
        chunk in 1usize..200,
    ) {
        let body = body_with_file(&data);
        let options = FormOptions::new().spool_threshold(threshold);
        let form = collect_in_chunks(&body, "b", chunk, options);
        let file = form.files.get("f").unwrap();
        proptest::prop_assert_eq!(file.is_spooled(), data.len() as u64 > threshold);
        proptest::prop_assert_eq!(file.size(), data.len() as u64);
        proptest::prop_assert_eq!(&file.bytes().unwrap()[..], &data[..]);
    }
}

/// Spooled files keep only their path: a form of many small file parts must
/// not hold a file descriptor per part (one request could exhaust them).
#[test]
fn spooled_files_hold_no_open_descriptors() {
    let open_fds = || std::fs::read_dir("/proc/self/fd").map(|d| d.count()).ok();
    let Some(before) = open_fds() else {
        println!("skipped: /proc/self/fd not found");
        return;
    };
    let mut body = Vec::new();
    for i in 0..300 {
        body.extend_from_slice(
            format!(
                "--b\r\nContent-Disposition: form-data; name=\"f{i}\"; filename=\"f{i}.txt\"\r\n\r\nx\r\n"
            )
            .as_bytes(),
        );
    }
    body.extend_from_slice(b"--b--\r\n");
    let dir = tempfile::tempdir().unwrap();
    let options = FormOptions::new().spool_threshold(0).spool_dir(dir.path());
    let form = collect_form(
        &body,
        "multipart/form-data; boundary=b",
        MultipartLimits::default(),
        options,
    )
    .unwrap();
    assert_eq!(form.files.len(), 300);
    assert!(form.files.values().all(UploadedFile::is_spooled));
    let after = open_fds().unwrap_or(before);
    // Other tests run in parallel threads and open files too: allow some
    // slack, far below one descriptor per part.
    assert!(
        after < before + 50,
        "{before} descriptors before, {after} after"
    );
    assert_eq!(form.files.get("f299").unwrap().bytes().unwrap(), "x");
}
