//! Embedded bundles: a directory compiled into the binary.
//!
//! A build script runs [`BundleBuilder`], which walks a directory and writes
//! Rust source into `OUT_DIR`: one `static` [`Bundle`] whose files are
//! `include_bytes!`ed, with their entity tags (xxh3-128 of the content, the
//! same tag format as tackle-cache's) and content types computed at build
//! time, and their precompressed siblings (`x.br`, `x.zst`, `x.gz`) attached
//! as [`EmbeddedVariant`]s. Nothing is hashed, guessed or read from disk at
//! run time. [`include_bundle!`](crate::include_bundle) pulls the generated
//! source into a module. No proc-macro crate is involved.
//!
//! In `build.rs` (with `tackle-static` under `[build-dependencies]` as well
//! as `[dependencies]`):
//!
//! ```no_run
//! fn main() -> std::io::Result<()> {
//!     let out_dir = std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR");
//!     // A relative directory is taken from the package root, where cargo
//!     // runs build scripts. Prints the `cargo:rerun-if-changed` lines.
//!     tackle_static::bundle::BundleBuilder::new("assets").write(out_dir, "assets")?;
//!     Ok(())
//! }
//! ```
//!
//! Then in the crate, `include_bundle!("assets")` defines `pub static ASSETS:
//! Bundle`, served with the same features as a directory on disk (strong
//! ETags, ranges, precompressed variants, listings):
//!
//! ```text
//! tackle_static::include_bundle!("assets");
//!
//! let service = tackle_static::StaticFiles::bundle(&ASSETS);
//! ```
//!
//! (`tests/bundle.rs` compiles and serves such a generated file.)
//!
//! What the generated file holds, written by hand (the generator spells
//! every path out as `::tackle_static::bundle::…`, `include_bytes!` takes
//! absolute paths, and the tags are the contents' xxh3-128 hashes):
//!
//! ```
//! use tackle_static::bundle::{Bundle, EmbeddedFile, EmbeddedVariant};
//!
//! /// The `assets` bundle.
//! pub static ASSETS: Bundle = Bundle::new(
//!     &[
//!         EmbeddedFile {
//!             path: "css/site.css",
//!             content: include_bytes!(concat!(
//!                 env!("CARGO_MANIFEST_DIR"),
//!                 "/tests/fixtures/bundle/css/site.css"
//!             )),
//!             etag: "\"LptJfo4kK4CQbHObyf8xKg\"",
//!             content_type: "text/css; charset=utf-8",
//!             variants: &[EmbeddedVariant {
//!                 coding: "gzip",
//!                 content: include_bytes!(concat!(
//!                     env!("CARGO_MANIFEST_DIR"),
//!                     "/tests/fixtures/bundle/css/site.css.gz"
//!                 )),
//!                 etag: "\"4tjwS7zKnEq4F4GpnfzM3A\"",
//!             }],
//!         },
//!         EmbeddedFile {
//!             path: "index.html",
//!             content: include_bytes!(concat!(
//!                 env!("CARGO_MANIFEST_DIR"),
//!                 "/tests/fixtures/bundle/index.html"
//!             )),
//!             etag: "\"sFjpzqnZFDBJP1euwcC68A\"",
//!             content_type: "text/html; charset=utf-8",
//!             variants: &[],
//!         },
//!     ],
//!     Some(1_700_000_000),
//! );
//!
//! let css = ASSETS.get("css/site.css").unwrap();
//! assert_eq!(css.variant("gzip").unwrap().content[..2], [0x1f, 0x8b]);
//! assert!(ASSETS.get("css/site.css.gz").is_none()); // a variant, not a file
//! assert!(ASSETS.is_dir("css") && !ASSETS.is_dir("css/site.css"));
//!
//! let index_len = ASSETS.get("index.html").unwrap().content.len() as u64;
//! assert_eq!(
//!     ASSETS.list(""),
//!     [("css".to_string(), true, 0), ("index.html".to_string(), false, index_len)]
//! );
//! //! ```

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::{self, Write as _};
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use xxhash_rust::xxh3::xxh3_128;

/// One embedded file.
pub struct EmbeddedFile {
    /// The path inside the bundle: relative, `/`-separated, no leading `/`,
    /// e.g. `css/site.css`.
    pub path: &'static str,
    /// The file's bytes.
    pub content: &'static [u8],
    /// The strong entity tag, quotes included: the xxh3-128 hash of
    /// `content` as 22 URL-safe base64 characters.
    pub etag: &'static str,
    /// The `Content-Type`: guessed from the extension, with
    /// `; charset=utf-8` on textual types, `application/octet-stream` when
    /// the extension is unknown.
    pub content_type: &'static str,
    /// Precompressed forms of `content`, in the server's order of
    /// preference: `br`, then `zstd`, then `gzip`.
    pub variants: &'static [EmbeddedVariant],
}

impl EmbeddedFile {
    /// The variant in `coding` (`"br"`, `"zstd"` or `"gzip"`), if there is one.
    pub fn variant(&self, coding: &str) -> Option<&'static EmbeddedVariant> {
        let variants: &'static [EmbeddedVariant] = self.variants;
        variants.iter().find(|variant| variant.coding == coding)
    }
}

/// A precompressed form of an [`EmbeddedFile`], found beside it at build
/// time (`x.br`, `x.zst`, `x.gz` for `x`).
pub struct EmbeddedVariant {
    /// The content coding: `"br"`, `"zstd"` or `"gzip"`.
    pub coding: &'static str,
    /// The compressed bytes.
    pub content: &'static [u8],
    /// The strong entity tag of the compressed bytes, quotes included.
    pub etag: &'static str,
}

// Debug shows sizes, not contents: a bundle holds megabytes.
impl fmt::Debug for EmbeddedFile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EmbeddedFile")
            .field("path", &self.path)
            .field("len", &self.content.len())
            .field("etag", &self.etag)
            .field("content_type", &self.content_type)
            .field("variants", &self.variants)
            .finish()
    }
}

impl fmt::Debug for EmbeddedVariant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EmbeddedVariant")
            .field("coding", &self.coding)
            .field("len", &self.content.len())
            .field("etag", &self.etag)
            .finish()
    }
}

/// A compiled directory: its files sorted by path, found by binary search.
///
/// Written by [`BundleBuilder`] and included with
/// [`include_bundle!`](crate::include_bundle); it can be written by hand too.
#[derive(Debug)]
pub struct Bundle {
    files: &'static [EmbeddedFile],
    modified: Option<u64>,
}

impl Bundle {
    /// A bundle of `files`, which must be sorted by path (byte order) without
    /// duplicates, as the generator writes them; `modified` is the time to
    /// send as `Last-Modified`, in seconds since the Unix epoch.
    ///
    /// # Panics
    ///
    /// When `files` is not sorted. In a `static` that is a compile error.
    pub const fn new(files: &'static [EmbeddedFile], modified: Option<u64>) -> Self {
        assert!(
            strictly_sorted(files),
            "Bundle::new: files must be sorted by path, without duplicates"
        );
        Self { files, modified }
    }

    /// The file at `path`, relative to the bundle's root, exactly as
    /// stored: no leading `/`, no percent-decoding, no normalization.
    pub fn get(&self, path: &str) -> Option<&'static EmbeddedFile> {
        let files = self.files;
        let index = files.binary_search_by(|file| file.path.cmp(path)).ok()?;
        Some(&files[index])
    }

    /// Whether `path` is a directory: some file lives under `path/`. The
    /// root (`""`) is one when the bundle is not empty. A trailing `/` is
    /// allowed.
    pub fn is_dir(&self, path: &str) -> bool {
        !self.under(path).is_empty()
    }

    /// Every file, sorted by path.
    pub fn files(&self) -> &'static [EmbeddedFile] {
        self.files
    }

    /// The time to send as `Last-Modified`, if the bundle was given one.
    pub fn modified(&self) -> Option<SystemTime> {
        self.modified
            .and_then(|seconds| UNIX_EPOCH.checked_add(Duration::from_secs(seconds)))
    }

    /// The entries directly inside directory `dir` (`""` for the root, a
    /// trailing `/` allowed), for listings: `(name, is_dir, size)`, sorted by
    /// name in byte order. Directories have size 0. Empty when `dir` is not a
    /// directory.
    pub fn list(&self, dir: &str) -> Vec<(String, bool, u64)> {
        let dir = dir.strip_suffix('/').unwrap_or(dir);
        let skip = if dir.is_empty() { 0 } else { dir.len() + 1 };
        let mut entries: Vec<(String, bool, u64)> = Vec::new();
        for file in self.under(dir) {
            let rest = &file.path[skip..];
            match rest.split_once('/') {
                // A subdirectory's files are adjacent in path order: one entry.
                Some((sub, _)) => {
                    if !matches!(entries.last(), Some((name, true, _)) if name == sub) {
                        entries.push((sub.to_owned(), true, 0));
                    }
                }
                None => entries.push((rest.to_owned(), false, file.content.len() as u64)),
            }
        }
        // Path order puts `a.txt` before `a/…`: sort by the names themselves.
        entries.sort_by(|a, b| a.0.cmp(&b.0));
        entries
    }

    /// The files under `dir/`: a contiguous run in path order.
    fn under(&self, dir: &str) -> &'static [EmbeddedFile] {
        let files = self.files;
        let dir = dir.strip_suffix('/').unwrap_or(dir);
        if dir.is_empty() {
            return files;
        }
        let slash = || dir.bytes().chain([b'/']);
        let start = files.partition_point(|file| file.path.bytes().lt(slash()));
        let rest = &files[start..];
        let len = rest.partition_point(|file| {
            file.path.len() > dir.len()
                && file.path.starts_with(dir)
                && file.path.as_bytes()[dir.len()] == b'/'
        });
        &rest[..len]
    }
}

const fn strictly_sorted(files: &[EmbeddedFile]) -> bool {
    let mut i = 1;
    while i < files.len() {
        if !less(files[i - 1].path.as_bytes(), files[i].path.as_bytes()) {
            return false;
        }
        i += 1;
    }
    true
}

const fn less(a: &[u8], b: &[u8]) -> bool {
    let mut i = 0;
    while i < a.len() && i < b.len() {
        if a[i] != b[i] {
            return a[i] < b[i];
        }
        i += 1;
    }
    a.len() < b.len()
}

/// Includes a bundle generated by [`BundleBuilder`] into the current module:
/// `include_bundle!("assets")` includes `$OUT_DIR/assets.rs`, which defines
/// `pub static ASSETS: tackle_static::bundle::Bundle`. Use it where items
/// go (a module's top level), in a crate whose build script wrote the bundle
/// (see the [`bundle`](crate::bundle) module).
#[macro_export]
macro_rules! include_bundle {
    ($name:literal) => {
        ::core::include!(::core::concat!(::core::env!("OUT_DIR"), "/", $name, ".rs"));
    };
}

/// The precompressed siblings, in the order variants are stored (the
/// server's preference when the client's q-values tie).
const CODINGS: [(&str, &str); 3] = [(".br", "br"), (".zst", "zstd"), (".gz", "gzip")];

/// Generates a [`Bundle`] from a directory, for build scripts.
///
/// Every file under the directory, recursively and following symbolic
/// links, becomes an [`EmbeddedFile`], except:
///
/// - names starting with `.` (files and directories), unless
///   [`include_hidden`](Self::include_hidden);
/// - `x.br`, `x.zst` and `x.gz` when `x` is a file of the bundle: they become
///   its [`EmbeddedVariant`]s. A `.gz` (or `.br`, `.zst`) whose base file is
///   absent is an ordinary file, and so is `x.gz.gz` when `x.gz` is itself a
///   variant.
///
/// The output is deterministic: files sorted by path, no time stamp unless
/// [`modified`](Self::modified) gives one or `SOURCE_DATE_EPOCH` is set.
/// Reads each file once to hash it; needs no async runtime.
#[derive(Debug, Clone)]
pub struct BundleBuilder {
    dir: PathBuf,
    include_hidden: bool,
    modified: Option<Option<SystemTime>>,
    crate_path: String,
}

impl BundleBuilder {
    /// A builder for the files under `dir`. A relative `dir` is taken from
    /// the current directory, which for a build script is the package root.
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Self {
            dir: dir.into(),
            include_hidden: false,
            modified: None,
            crate_path: "::tackle_static".to_owned(),
        }
    }

    /// Whether to embed names starting with `.`. Default: `false`.
    pub fn include_hidden(mut self, include: bool) -> Self {
        self.include_hidden = include;
        self
    }

    /// The bundle's `Last-Modified` time, e.g. `Some(SystemTime::now())` for
    /// the build time (which makes the output differ from build to build).
    /// Default: the `SOURCE_DATE_EPOCH` environment variable (seconds) when
    /// set, otherwise none. Truncated to whole seconds; `None` for times
    /// before 1970.
    pub fn modified(mut self, modified: Option<SystemTime>) -> Self {
        self.modified = Some(modified);
        self
    }

    /// The path the generated source names this crate by. Default:
    /// `::tackle_static`; set it when the crate is reached through a facade
    /// that re-exports it (e.g. `::tackle::static_files`).
    pub fn crate_path(mut self, path: impl Into<String>) -> Self {
        self.crate_path = path.into();
        self
    }

    /// Writes `<out_dir>/<name>.rs`, defining `pub static <NAME>:
    /// ::tackle_static::bundle::Bundle` (`name` upper-cased, `-` made `_`),
    /// and prints `cargo:rerun-if-changed=` for the directory and each
    /// embedded file. Returns the path written. The file is left untouched
    /// when its content would not change.
    ///
    /// `name` is ASCII letters, digits, `_` and `-`, starting with a letter
    /// or `_`.
    ///
    /// # Errors
    ///
    /// An invalid `name` or crate path; a directory or file that cannot be
    /// read (a broken symbolic link included); a name that is not UTF-8 (it
    /// could not be served by path); a malformed `SOURCE_DATE_EPOCH`.
    pub fn write(&self, out_dir: impl AsRef<Path>, name: &str) -> io::Result<PathBuf> {
        let ident = static_name(name)?;
        let krate = crate_path(&self.crate_path)?;
        let (modified, from_env) = self.modified_seconds()?;
        let root = std::path::absolute(&self.dir)?;
        let files = collect(&root, self.include_hidden)?;
        let source = generate(&files, name, &ident, krate, modified)?;

        let out_dir = out_dir.as_ref();
        fs::create_dir_all(out_dir)?;
        let target = out_dir.join(format!("{name}.rs"));
        if fs::read(&target).ok().as_deref() != Some(source.as_bytes()) {
            fs::write(&target, source)?;
        }

        println!("cargo:rerun-if-changed={}", root.display());
        for file in &files {
            // A line break in a name would end the directive early; the
            // directory's line still covers such a file.
            if !file.abs.contains(['\n', '\r']) {
                println!("cargo:rerun-if-changed={}", file.abs);
            }
        }
        if from_env {
            println!("cargo:rerun-if-env-changed=SOURCE_DATE_EPOCH");
        }
        Ok(target)
    }

    /// The `Last-Modified` seconds, and whether they came from (or were
    /// looked up in) the environment.
    fn modified_seconds(&self) -> io::Result<(Option<u64>, bool)> {
        let seconds = |time: SystemTime| time.duration_since(UNIX_EPOCH).ok().map(|d| d.as_secs());
        if let Some(modified) = self.modified {
            return Ok((modified.and_then(seconds), false));
        }
        match std::env::var("SOURCE_DATE_EPOCH") {
            Ok(value) => match value.trim().parse::<u64>() {
                Ok(secs) => Ok((Some(secs), true)),
                Err(_) => Err(io::Error::new(
                    io::ErrorKind::InvalidInput,
                    format!("SOURCE_DATE_EPOCH is not a number of seconds: {value:?}"),
                )),
            },
            Err(_) => Ok((None, true)),
        }
    }
}

/// The static's name for `name`, after checking `name` can be both a file
/// name and (upper-cased) an identifier.
fn static_name(name: &str) -> io::Result<String> {
    let mut chars = name.chars();
    let valid = matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        && name != "_";
    if !valid {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!(
                "bundle name {name:?} must be ASCII letters, digits, '_' and '-', \
                 starting with a letter or '_'"
            ),
        ));
    }
    Ok(name.to_ascii_uppercase().replace('-', "_"))
}

/// `path` if it is a Rust path (`::a::b` or `a::b`).
fn crate_path(path: &str) -> io::Result<&str> {
    let segments = path.strip_prefix("::").unwrap_or(path);
    let valid = segments.split("::").all(|segment| {
        let mut chars = segment.chars();
        matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
            && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
    });
    if valid {
        Ok(path)
    } else {
        Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("crate path {path:?} is not a Rust path such as `::tackle_static`"),
        ))
    }
}

/// A file found under the root.
#[derive(Debug)]
struct Found {
    /// `/`-separated, relative to the root.
    rel: String,
    /// Absolute, as given to `include_bytes!`.
    abs: String,
}

/// Every file under `root`, sorted by relative path.
fn collect(root: &Path, include_hidden: bool) -> io::Result<Vec<Found>> {
    let mut found = Vec::new();
    let mut ancestors = vec![fs::canonicalize(root).map_err(|e| with_path(e, root))?];
    walk(root, "", include_hidden, &mut ancestors, &mut found)?;
    found.sort_by(|a, b| a.rel.cmp(&b.rel));
    Ok(found)
}

fn walk(
    dir: &Path,
    prefix: &str,
    include_hidden: bool,
    ancestors: &mut Vec<PathBuf>,
    found: &mut Vec<Found>,
) -> io::Result<()> {
    for entry in fs::read_dir(dir).map_err(|e| with_path(e, dir))? {
        let entry = entry.map_err(|e| with_path(e, dir))?;
        let path = entry.path();
        let name = entry.file_name();
        let Some(name) = name.to_str() else {
            return Err(not_utf8(&path));
        };
        if !include_hidden && name.starts_with('.') {
            continue;
        }
        let rel = format!("{prefix}{name}");
        // Follows symbolic links: a linked directory is embedded like a real one.
        let meta = fs::metadata(&path).map_err(|e| with_path(e, &path))?;
        if meta.is_dir() {
            let real = fs::canonicalize(&path).map_err(|e| with_path(e, &path))?;
            if ancestors.contains(&real) {
                continue; // a link back up the tree: its files are already here
            }
            ancestors.push(real);
            walk(&path, &format!("{rel}/"), include_hidden, ancestors, found)?;
            ancestors.pop();
        } else if meta.is_file() {
            let Some(abs) = path.to_str() else {
                return Err(not_utf8(&path));
            };
            found.push(Found {
                rel,
                abs: abs.to_owned(),
            });
        }
        // Sockets, FIFOs and devices are not content.
    }
    Ok(())
}

fn with_path(error: io::Error, path: &Path) -> io::Error {
    io::Error::new(error.kind(), format!("{}: {error}", path.display()))
}

fn not_utf8(path: &Path) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidData,
        format!(
            "{}: the name is not UTF-8, so it cannot be embedded",
            path.display()
        ),
    )
}

/// `(base, coding)` when `rel` names a precompressed sibling of `base`.
fn split_variant(rel: &str) -> Option<(&str, &'static str)> {
    CODINGS.iter().find_map(|&(suffix, coding)| {
        let base = rel.strip_suffix(suffix)?;
        (!base.is_empty() && !base.ends_with('/')).then_some((base, coding))
    })
}

/// The Rust source for a bundle of `files` (sorted by path).
fn generate(
    files: &[Found],
    name: &str,
    ident: &str,
    krate: &str,
    modified: Option<u64>,
) -> io::Result<String> {
    // Shorter paths first, so that whether `x` is a file of the bundle is
    // settled before `x.gz` asks.
    let mut by_length: Vec<&Found> = files.iter().collect();
    by_length.sort_by(|a, b| {
        a.rel
            .len()
            .cmp(&b.rel.len())
            .then_with(|| a.rel.cmp(&b.rel))
    });
    let mut bases: BTreeSet<&str> = BTreeSet::new();
    let mut variants: BTreeMap<&str, Vec<(&'static str, &Found)>> = BTreeMap::new();
    for file in by_length {
        match split_variant(&file.rel) {
            Some((base, coding)) if bases.contains(base) => {
                variants.entry(base).or_default().push((coding, file));
            }
            _ => {
                bases.insert(&file.rel);
            }
        }
    }

    let mut out = String::new();
    let count = bases.len();
    let plural = if count == 1 { "" } else { "s" };
    // Writing to a String cannot fail.
    let _ = writeln!(
        out,
        "// @generated by tackle_static::bundle::BundleBuilder. Do not edit.\n\
         #[doc = {:?}]\n\
         pub static {ident}: {krate}::bundle::Bundle = {krate}::bundle::Bundle::new(",
        format!(
            "The `{name}` bundle: {count} file{plural} embedded by tackle-static's `BundleBuilder`."
        ),
    );
    if count == 0 {
        out.push_str("    &[],\n");
    } else {
        out.push_str("    &[\n");
    }
    for file in files
        .iter()
        .filter(|file| bases.contains(file.rel.as_str()))
    {
        let content = read(&file.abs)?;
        let _ = write!(
            out,
            "        {krate}::bundle::EmbeddedFile {{\n            \
                        path: {:?},\n            \
                        content: ::core::include_bytes!({:?}),\n            \
                        etag: {:?},\n            \
                        content_type: {:?},\n",
            file.rel,
            file.abs,
            etag(&content),
            content_type(&file.rel),
        );
        let mut siblings = variants.remove(file.rel.as_str()).unwrap_or_default();
        siblings.sort_by_key(|(coding, _)| CODINGS.iter().position(|&(_, c)| c == *coding));
        if siblings.is_empty() {
            out.push_str("            variants: &[],\n");
        } else {
            out.push_str("            variants: &[\n");
            for (coding, variant) in siblings {
                let content = read(&variant.abs)?;
                let _ = write!(
                    out,
                    "                {krate}::bundle::EmbeddedVariant {{\n                    \
                                        coding: {coding:?},\n                    \
                                        content: ::core::include_bytes!({:?}),\n                    \
                                        etag: {:?},\n                \
                                    }},\n",
                    variant.abs,
                    etag(&content),
                );
            }
            out.push_str("            ],\n");
        }
        out.push_str("        },\n");
    }
    if count > 0 {
        out.push_str("    ],\n");
    }
    match modified {
        Some(seconds) => {
            let _ = writeln!(out, "    ::core::option::Option::Some({seconds}),");
        }
        None => out.push_str("    ::core::option::Option::None,\n"),
    }
    out.push_str(");\n");
    Ok(out)
}

fn read(path: &str) -> io::Result<Vec<u8>> {
    fs::read(path).map_err(|e| with_path(e, Path::new(path)))
}

/// The strong entity tag of `content`, quotes included: tackle-cache's
/// format, xxh3-128 as 22 URL-safe base64 characters.
pub(crate) fn etag(content: &[u8]) -> String {
    format!(
        "\"{}\"",
        URL_SAFE_NO_PAD.encode(xxh3_128(content).to_be_bytes())
    )
}

/// The `Content-Type` for `path`: by extension, `; charset=utf-8` on textual
/// types, `application/octet-stream` when unknown.
pub(crate) fn content_type(path: &str) -> String {
    let Some(essence) = mime_guess::from_path(path).first_raw() else {
        return "application/octet-stream".to_owned();
    };
    let textual = essence.starts_with("text/")
        || matches!(
            essence,
            "application/javascript" | "application/json" | "image/svg+xml" | "application/xml"
        );
    if textual {
        format!("{essence}; charset=utf-8")
    } else {
        essence.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const fn file(path: &'static str, content: &'static [u8]) -> EmbeddedFile {
        EmbeddedFile {
            path,
            content,
            etag: "\"AAAAAAAAAAAAAAAAAAAAAA\"",
            content_type: "text/plain; charset=utf-8",
            variants: &[],
        }
    }

    // Byte order, as the generator sorts: `-` and `.` sort before `/`.
    static HAND: Bundle = Bundle::new(
        &[
            file("a b/é.txt", b"e"),
            file("a-z.txt", b"dash"),
            file("a.txt", b"dot"),
            file("a/b/c/deep.txt", b"deep"),
            file("a/x.txt", b"x"),
            file("a/y.txt", b"yy"),
            file("ab/z.txt", b"z"),
            file("index.html", b"<h1>hi</h1>"),
        ],
        Some(1_700_000_000),
    );

    static EMPTY: Bundle = Bundle::new(&[], None);

    fn names(entries: &[(String, bool, u64)]) -> Vec<&str> {
        entries.iter().map(|(name, _, _)| name.as_str()).collect()
    }

    #[test]
    fn get_is_exact() {
        assert_eq!(HAND.get("a/x.txt").unwrap().content, b"x");
        assert_eq!(HAND.get("a b/é.txt").unwrap().content, b"e");
        assert_eq!(HAND.get("index.html").unwrap().path, "index.html");
        for miss in [
            "",
            "/index.html",
            "a",
            "a/",
            "a/x.tx",
            "a/x.txt/",
            "A/x.txt",
            "zzz",
        ] {
            assert!(HAND.get(miss).is_none(), "{miss:?}");
        }
        assert!(EMPTY.get("").is_none());
        for (i, file) in HAND.files().iter().enumerate() {
            assert!(std::ptr::eq(HAND.get(file.path).unwrap(), &HAND.files()[i]));
        }
    }

    #[test]
    fn is_dir() {
        for dir in ["", "/", "a", "a/", "a/b", "a/b/c", "ab", "a b"] {
            assert!(HAND.is_dir(dir), "{dir:?}");
        }
        for not in [
            "a.txt",
            "a/x.txt",
            "a/b/c/deep.txt",
            "b",
            "a/b/c/d",
            "a/c",
            "index.html",
            "a-z.txt",
            "a b/é",
            "x",
        ] {
            assert!(!HAND.is_dir(not), "{not:?}");
        }
        assert!(!EMPTY.is_dir(""));
    }

    #[test]
    fn list() {
        let root = HAND.list("");
        assert_eq!(
            names(&root),
            ["a", "a b", "a-z.txt", "a.txt", "ab", "index.html"]
        );
        assert_eq!(root[0], ("a".to_string(), true, 0));
        assert_eq!(root[3], ("a.txt".to_string(), false, 3));
        assert_eq!(root[5], ("index.html".to_string(), false, 11));
        assert_eq!(HAND.list("/"), root);

        let a = HAND.list("a");
        assert_eq!(
            a,
            [
                ("b".to_string(), true, 0),
                ("x.txt".to_string(), false, 1),
                ("y.txt".to_string(), false, 2)
            ]
        );
        assert_eq!(HAND.list("a/"), a);
        assert_eq!(HAND.list("a/b"), [("c".to_string(), true, 0)]);
        assert_eq!(HAND.list("a/b/c"), [("deep.txt".to_string(), false, 4)]);
        assert_eq!(HAND.list("a b"), [("é.txt".to_string(), false, 1)]);
        assert!(HAND.list("a.txt").is_empty());
        assert!(HAND.list("nope").is_empty());
        assert!(EMPTY.list("").is_empty());
    }

    #[test]
    fn modified_and_debug() {
        assert_eq!(
            HAND.modified(),
            Some(UNIX_EPOCH + Duration::from_secs(1_700_000_000))
        );
        assert_eq!(EMPTY.modified(), None);
        let debug = format!("{:?}", HAND.get("a/y.txt").unwrap());
        assert!(
            debug.contains("len: 2") && !debug.contains("121"),
            "{debug}"
        );
    }

    #[test]
    #[should_panic(expected = "sorted")]
    fn unsorted_is_refused() {
        static FILES: [EmbeddedFile; 2] = [file("b", b""), file("a", b"")];
        let _ = Bundle::new(&FILES, None);
    }

    #[test]
    #[should_panic(expected = "sorted")]
    fn duplicates_are_refused() {
        static FILES: [EmbeddedFile; 2] = [file("a", b""), file("a", b"")];
        let _ = Bundle::new(&FILES, None);
    }

    #[test]
    fn tags_match_tackle_cache() {
        // tackle-cache's format (crates/cache/src/etag/tag.rs): the hash's
        // big-endian bytes in URL-safe base64 without padding, in quotes.
        assert_eq!(etag(b"").len(), 24);
        let tag = etag(b"hello");
        assert!(tag.starts_with('"') && tag.ends_with('"'));
        let inner = &tag[1..23];
        assert!(
            inner
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        );
        assert_eq!(
            URL_SAFE_NO_PAD.decode(inner).unwrap(),
            xxh3_128(b"hello").to_be_bytes()
        );
        assert_ne!(etag(b"hello"), etag(b"hellp"));
    }

    #[test]
    fn content_types() {
        for (path, expected) in [
            ("index.html", "text/html; charset=utf-8"),
            ("css/site.css", "text/css; charset=utf-8"),
            ("js/app.3f2a9c1b.js", "text/javascript; charset=utf-8"),
            ("m.mjs", "application/javascript; charset=utf-8"),
            ("data.json", "application/json; charset=utf-8"),
            ("logo.svg", "image/svg+xml; charset=utf-8"),
            ("feed.xml", "text/xml; charset=utf-8"),
            ("notes.txt", "text/plain; charset=utf-8"),
            ("Photo.JPG", "image/jpeg"),
            ("font.woff2", "font/woff2"),
            ("module.wasm", "application/wasm"),
            ("archive.gz", "application/gzip"),
            ("README", "application/octet-stream"),
            ("blob.unknown-extension", "application/octet-stream"),
        ] {
            assert_eq!(content_type(path), expected, "{path}");
        }
    }

    #[test]
    fn static_names() {
        assert_eq!(static_name("assets").unwrap(), "ASSETS");
        assert_eq!(static_name("my-assets_2").unwrap(), "MY_ASSETS_2");
        assert_eq!(static_name("_x").unwrap(), "_X");
        for bad in ["", "_", "2x", "a b", "a/b", "../x", "a.rs", "é", "-x"] {
            let error = static_name(bad).unwrap_err();
            assert_eq!(error.kind(), io::ErrorKind::InvalidInput, "{bad:?}");
        }
    }

    #[test]
    fn crate_paths() {
        let dir = tree(&[("a.txt", b"a")]);
        let builder = BundleBuilder::new(dir.path()).crate_path("::tackle::static_files");
        let text = generated(dir.path(), builder);
        assert!(text.contains("pub static TEST_ASSETS: ::tackle::static_files::bundle::Bundle ="));
        assert!(text.contains("        ::tackle::static_files::bundle::EmbeddedFile {\n"));
        assert!(!text.contains("tackle_static::bundle::E"), "{text}");
        for good in [
            "::tackle_static",
            "tackle_static",
            "crate::vendored",
            "_x::y2",
        ] {
            assert!(crate_path(good).is_ok(), "{good:?}");
        }
        for bad in [
            "", "::", "a::", "a:b", "a::::b", "1x", "a b", "a;b", "a::b-c",
        ] {
            assert_eq!(
                crate_path(bad).unwrap_err().kind(),
                io::ErrorKind::InvalidInput,
                "{bad:?}"
            );
        }
    }

    #[test]
    fn variant_names() {
        assert_eq!(split_variant("x.js.br"), Some(("x.js", "br")));
        assert_eq!(split_variant("a/x.js.zst"), Some(("a/x.js", "zstd")));
        assert_eq!(split_variant("x.gz"), Some(("x", "gzip")));
        assert_eq!(split_variant("x.gz.gz"), Some(("x.gz", "gzip")));
        for not in ["x.js", ".gz", "a/.br", "x.GZ", "x.zstd", "x.bro", "x.tgz"] {
            assert_eq!(split_variant(not), None, "{not:?}");
        }
    }

    /// Creates `files` (path, content) under a new temporary directory.
    fn tree(files: &[(&str, &[u8])]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        for (path, content) in files {
            let path = dir.path().join(path);
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            fs::write(path, content).unwrap();
        }
        dir
    }

    fn generated(dir: &Path, builder: BundleBuilder) -> String {
        let out = tempfile::tempdir().unwrap();
        let written = builder.write(out.path(), "test-assets").unwrap();
        assert_eq!(written, out.path().join("test-assets.rs"));
        fs::read_to_string(written).unwrap().replace(
            &format!("{:?}", dir.to_str().unwrap())
                .trim_end_matches('"')
                .to_string(),
            "\"ROOT",
        )
    }

    #[test]
    fn generates_sorted_files_with_variants() {
        let dir = tree(&[
            ("z.txt", b"last"),
            ("a/app.js", b"let x = 1;"),
            ("a/app.js.gz", b"gzip bytes"),
            ("a/app.js.br", b"br bytes"),
            ("a/app.js.zst", b"zstd bytes"),
            ("orphan.txt.gz", b"no base"),
            ("x.gz", b"x as gzip"),
            ("x", b"x"),
            ("x.gz.gz", b"variant of a variant"),
            (".hidden", b"secret"),
            (".git/config", b"secret"),
            ("b/.env", b"secret"),
            ("with \"quote\" and \\.txt", b"q"),
        ]);
        let text = generated(dir.path(), BundleBuilder::new(dir.path()).modified(None));
        let expected = format!(
            r#"// @generated by tackle_static::bundle::BundleBuilder. Do not edit.
#[doc = "The `test-assets` bundle: 6 files embedded by tackle-static's `BundleBuilder`."]
pub static TEST_ASSETS: ::tackle_static::bundle::Bundle = ::tackle_static::bundle::Bundle::new(
    &[
        ::tackle_static::bundle::EmbeddedFile {{
            path: "a/app.js",
            content: ::core::include_bytes!("ROOT/a/app.js"),
            etag: {},
            content_type: "text/javascript; charset=utf-8",
            variants: &[
                ::tackle_static::bundle::EmbeddedVariant {{
                    coding: "br",
                    content: ::core::include_bytes!("ROOT/a/app.js.br"),
                    etag: {},
                }},
                ::tackle_static::bundle::EmbeddedVariant {{
                    coding: "zstd",
                    content: ::core::include_bytes!("ROOT/a/app.js.zst"),
                    etag: {},
                }},
                ::tackle_static::bundle::EmbeddedVariant {{
                    coding: "gzip",
                    content: ::core::include_bytes!("ROOT/a/app.js.gz"),
                    etag: {},
                }},
            ],
        }},
        ::tackle_static::bundle::EmbeddedFile {{
            path: "orphan.txt.gz",
            content: ::core::include_bytes!("ROOT/orphan.txt.gz"),
            etag: {},
            content_type: "application/gzip",
            variants: &[],
        }},
        ::tackle_static::bundle::EmbeddedFile {{
            path: "with \"quote\" and \\.txt",
            content: ::core::include_bytes!("ROOT/with \"quote\" and \\.txt"),
            etag: {},
            content_type: "text/plain; charset=utf-8",
            variants: &[],
        }},
        ::tackle_static::bundle::EmbeddedFile {{
            path: "x",
            content: ::core::include_bytes!("ROOT/x"),
            etag: {},
            content_type: "application/octet-stream",
            variants: &[
                ::tackle_static::bundle::EmbeddedVariant {{
                    coding: "gzip",
                    content: ::core::include_bytes!("ROOT/x.gz"),
                    etag: {},
                }},
            ],
        }},
        ::tackle_static::bundle::EmbeddedFile {{
            path: "x.gz.gz",
            content: ::core::include_bytes!("ROOT/x.gz.gz"),
            etag: {},
            content_type: "application/gzip",
            variants: &[],
        }},
        ::tackle_static::bundle::EmbeddedFile {{
            path: "z.txt",
            content: ::core::include_bytes!("ROOT/z.txt"),
            etag: {},
            content_type: "text/plain; charset=utf-8",
            variants: &[],
        }},
    ],
    ::core::option::Option::None,
);
"#,
            q(b"let x = 1;"),
            q(b"br bytes"),
            q(b"zstd bytes"),
            q(b"gzip bytes"),
            q(b"no base"),
            q(b"q"),
            q(b"x"),
            q(b"x as gzip"),
            q(b"variant of a variant"),
            q(b"last"),
        );
        assert_eq!(text, expected);
    }

    fn q(content: &[u8]) -> String {
        format!("{:?}", etag(content))
    }

    #[test]
    fn hidden_files_on_request() {
        let dir = tree(&[
            ("a.txt", b"a"),
            (".well-known/security.txt", b"s"),
            (".env", b"e"),
        ]);
        let text = generated(
            dir.path(),
            BundleBuilder::new(dir.path())
                .include_hidden(true)
                .modified(None),
        );
        let paths: Vec<&str> = text
            .lines()
            .filter_map(|line| line.trim().strip_prefix("path: "))
            .collect();
        assert_eq!(
            paths,
            ["\".env\",", "\".well-known/security.txt\",", "\"a.txt\","]
        );
    }

    #[test]
    fn empty_directory_and_modified() {
        let dir = tempfile::tempdir().unwrap();
        let at = UNIX_EPOCH + Duration::from_millis(1_700_000_000_999);
        let text = generated(
            dir.path(),
            BundleBuilder::new(dir.path()).modified(Some(at)),
        );
        assert!(text.contains("bundle: 0 files embedded"), "{text}");
        assert!(text.ends_with(
            "::tackle_static::bundle::Bundle::new(\n    &[],\n    ::core::option::Option::Some(1700000000),\n);\n"
        ), "{text}");
        let before = UNIX_EPOCH - Duration::from_secs(1);
        let text = generated(
            dir.path(),
            BundleBuilder::new(dir.path()).modified(Some(before)),
        );
        assert!(text.contains("::core::option::Option::None,"), "{text}");
    }

    #[test]
    fn output_is_deterministic_and_rewritten_only_on_change() {
        let dir = tree(&[("b.txt", b"b"), ("a/c.txt", b"c"), ("a.txt", b"a")]);
        let out = tempfile::tempdir().unwrap();
        let builder = BundleBuilder::new(dir.path()).modified(None);
        let first = builder.write(out.path(), "assets").unwrap();
        let text = fs::read_to_string(&first).unwrap();
        let stamp = fs::metadata(&first).unwrap().modified().unwrap();
        std::thread::sleep(Duration::from_millis(20));
        builder.write(out.path(), "assets").unwrap();
        assert_eq!(fs::read_to_string(&first).unwrap(), text);
        assert_eq!(fs::metadata(&first).unwrap().modified().unwrap(), stamp);
        let order: Vec<&str> = text.lines().filter(|l| l.contains("path: ")).collect();
        assert!(
            order[0].contains("\"a.txt\"")
                && order[1].contains("\"a/c.txt\"")
                && order[2].contains("\"b.txt\"")
        );

        fs::write(dir.path().join("b.txt"), b"changed").unwrap();
        builder.write(out.path(), "assets").unwrap();
        assert!(fs::read_to_string(&first).unwrap().contains(&q(b"changed")));
    }

    #[test]
    fn relative_directories_become_absolute() {
        let out = tempfile::tempdir().unwrap();
        // Unit tests run in the package root.
        let path = BundleBuilder::new("tests/fixtures/bundle")
            .modified(None)
            .write(out.path(), "fixture")
            .unwrap();
        let text = fs::read_to_string(path).unwrap();
        let root = std::env::current_dir()
            .unwrap()
            .join("tests/fixtures/bundle");
        let index = format!(
            "::core::include_bytes!({:?})",
            root.join("index.html").to_str().unwrap()
        );
        assert!(text.contains(&index), "{text}");
    }

    #[test]
    fn errors() {
        let out = tempfile::tempdir().unwrap();
        let missing = out.path().join("missing");
        let error = BundleBuilder::new(&missing)
            .write(out.path(), "x")
            .unwrap_err();
        assert_eq!(error.kind(), io::ErrorKind::NotFound);
        assert!(error.to_string().contains("missing"), "{error}");

        let dir = tree(&[("a.txt", b"a")]);
        let error = BundleBuilder::new(dir.path())
            .write(out.path(), "bad name")
            .unwrap_err();
        assert_eq!(error.kind(), io::ErrorKind::InvalidInput);
        assert!(!out.path().join("bad name.rs").exists());
    }

    #[cfg(unix)]
    #[test]
    fn non_utf8_names_are_refused() {
        use std::os::unix::ffi::OsStrExt as _;
        let dir = tree(&[("ok.txt", b"ok")]);
        let bad = dir
            .path()
            .join("sub")
            .join(std::ffi::OsStr::from_bytes(b"caf\xe9.txt"));
        fs::create_dir_all(bad.parent().unwrap()).unwrap();
        fs::write(&bad, b"latin-1 name").unwrap();
        let out = tempfile::tempdir().unwrap();
        let error = BundleBuilder::new(dir.path())
            .write(out.path(), "x")
            .unwrap_err();
        assert_eq!(error.kind(), io::ErrorKind::InvalidData);
        assert!(error.to_string().contains("not UTF-8"), "{error}");
    }

    #[cfg(unix)]
    #[test]
    fn symbolic_links() {
        let dir = tree(&[("real/a.txt", b"a")]);
        std::os::unix::fs::symlink(dir.path().join("real"), dir.path().join("linked")).unwrap();
        std::os::unix::fs::symlink(dir.path(), dir.path().join("real/loop")).unwrap();
        let text = generated(dir.path(), BundleBuilder::new(dir.path()).modified(None));
        let paths: Vec<&str> = text
            .lines()
            .filter_map(|line| line.trim().strip_prefix("path: "))
            .collect();
        assert_eq!(paths, ["\"linked/a.txt\",", "\"real/a.txt\","]);

        std::os::unix::fs::symlink(dir.path().join("gone"), dir.path().join("broken")).unwrap();
        let out = tempfile::tempdir().unwrap();
        let error = BundleBuilder::new(dir.path())
            .write(out.path(), "x")
            .unwrap_err();
        assert!(error.to_string().contains("broken"), "{error}");
    }
}
