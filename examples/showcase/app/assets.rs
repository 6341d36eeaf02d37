//! `/static/`: the stylesheet and script, compiled into the binary.
//!
//! The root `build.rs` runs tackle-static's `BundleBuilder` over
//! `examples/showcase/assets/`, and [`include_bundle!`] pulls the generated
//! source in: every file with its ETag and content type computed at build
//! time, and its committed `.br` and `.gz` siblings attached as variants,
//! so a client sending `Accept-Encoding: br` or `gzip` gets those bytes
//! without any compression at run time.
//!
//! The names carry a fingerprint, the first 8 hex digits of the content's
//! SHA-256 (`site.5d18ee7d.css`), so tackle-static's default cache policy
//! serves them `public, max-age=31536000, immutable`: a browser never asks
//! again, and a change to the file is a new name. After editing one, rename
//! it (`sha256sum`), and make its siblings again with `gzip -9 -n -k` and
//! `brotli -q 11 -k` (the socket test checks names and siblings).
//!
//! With `TACKLE_STATIC_DIR` set, that directory is served instead (the same
//! names, read from disk).

use std::path::Path;

use tackle::static_files::StaticFiles;
use tackle::static_files::include_bundle;

include_bundle!("showcase_assets");

/// Where the assets are mounted.
pub const PREFIX: &str = "/static";

/// The service behind [`PREFIX`]: the embedded bundle, or `dir` when given.
pub fn service(dir: Option<&Path>) -> StaticFiles {
    match dir {
        Some(dir) => StaticFiles::new(dir),
        None => StaticFiles::bundle(&SHOWCASE_ASSETS),
    }
}

/// The URL of the asset whose name, without its fingerprint, is `name`
/// (`"site.css"` → `/static/site.5d18ee7d.css`). Looked up in the bundle,
/// which holds the names of this build.
///
/// # Panics
///
/// When no such asset was bundled: a build mistake, caught by the first
/// page rendered.
pub fn url(name: &str) -> String {
    let (stem, extension) = name.rsplit_once('.').unwrap_or((name, ""));
    let file = SHOWCASE_ASSETS
        .files()
        .iter()
        .find(|file| {
            file.path
                .strip_prefix(stem)
                .and_then(|rest| rest.strip_prefix('.'))
                .and_then(|rest| rest.strip_suffix(extension))
                .and_then(|hash| hash.strip_suffix('.'))
                .is_some_and(|hash| hash.len() == 8 && hash.bytes().all(|b| b.is_ascii_hexdigit()))
        })
        .unwrap_or_else(|| panic!("asset {name} is not in the bundle"));
    format!("{PREFIX}/{}", file.path)
}
