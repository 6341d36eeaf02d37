//! Werkzeug's browser captures collected into `FormData` at spool
//! thresholds that keep every file in memory, spool every file, and the
//! default: fields, file metadata and contents (read back, streamed and
//! saved) must match `expected.json`.

mod support;

use std::io::Read;
use std::path::Path;

use support::{corpus_dir, sha256_hex};
use tackle_request::form::{DEFAULT_SPOOL_THRESHOLD, FormOptions, collect_form};
use tackle_request::multipart::MultipartLimits;

#[test]
fn werkzeug_captures_at_every_threshold() {
    let Some(dir) = corpus_dir("multipart/werkzeug") else {
        return;
    };
    let expected: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("expected.json")).unwrap()).unwrap();
    let captures = expected.as_object().unwrap();
    assert_eq!(captures.len(), 5, "expected.json lists five captures");
    let saved = tempfile::tempdir().unwrap();
    let thresholds = [0, 100, DEFAULT_SPOOL_THRESHOLD];
    let mut checked_files = 0;
    for (what, capture) in captures {
        let content_type = capture["content_type"].as_str().unwrap();
        let body = std::fs::read(dir.join(capture["body"].as_str().unwrap())).unwrap();
        for threshold in thresholds {
            let options = FormOptions::new().spool_threshold(threshold);
            let mut form = collect_form(&body, content_type, MultipartLimits::default(), options)
                .unwrap_or_else(|e| panic!("{what} at {threshold}: {e}"));
            let fields: serde_json::Map<String, serde_json::Value> = form
                .fields
                .grouped()
                .into_iter()
                .map(|(k, v)| (k.to_owned(), serde_json::json!(v)))
                .collect();
            assert_eq!(
                serde_json::Value::Object(fields),
                capture["fields"],
                "{what} at {threshold}: fields"
            );
            let want_files = capture["files"].as_object().unwrap();
            assert_eq!(form.files.len(), want_files.len(), "{what}: file count");
            for (name, wants) in want_files {
                let want = &wants[0];
                let want_sha = want["sha256"].as_str().unwrap();
                let file = form.files.remove(name).pop().unwrap();
                let at = format!("{what} {name} at {threshold}");
                assert_eq!(file.filename(), want["filename"].as_str(), "{at}");
                assert_eq!(file.content_type(), want["content_type"].as_str(), "{at}");
                assert_eq!(Some(file.size()), want["size"].as_u64(), "{at}");
                assert_eq!(file.is_spooled(), file.size() > threshold, "{at}");
                assert_eq!(file.path().is_some(), file.is_spooled(), "{at}");
                assert_eq!(sha256_hex(&file.bytes().unwrap()), want_sha, "{at}: bytes");
                let mut read = Vec::new();
                file.reader().unwrap().read_to_end(&mut read).unwrap();
                assert_eq!(sha256_hex(&read), want_sha, "{at}: reader");
                let target = saved.path().join(format!("{checked_files}.bin"));
                let temp = file.path().map(Path::to_path_buf);
                file.save_to(&target).unwrap();
                let on_disk = std::fs::read(&target).unwrap();
                assert_eq!(sha256_hex(&on_disk), want_sha, "{at}: saved");
                if let Some(temp) = temp {
                    assert!(!temp.exists(), "{at}: the temp file was moved");
                }
                checked_files += 1;
            }
        }
    }
    assert_eq!(checked_files, 30, "ten files, three thresholds");
}
