//! `safe_join` / `safe_join_url_path` and `secure_filename`.
#![no_main]

use std::path::{Component, Path};

use libfuzzer_sys::fuzz_target;
use tackle_http::{safe_join, safe_join_url_path, secure_filename};

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else { return };
    let root = Path::new("/srv/root");
    for joined in [safe_join(root, s), safe_join_url_path(root, s)].into_iter().flatten() {
        let rest = joined.strip_prefix(root).expect("joined path left the root");
        assert!(rest.components().all(|c| matches!(c, Component::Normal(_))), "{joined:?}");
    }
    if let Some(name) = secure_filename(s) {
        assert!(!name.is_empty() && name != "." && name != "..", "{name:?}");
        assert!(name.bytes().all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b)), "{name:?}");
    }
});
