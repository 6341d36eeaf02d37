//! The stack where something went wrong: captured cheaply (instruction
//! pointers only) and resolved to functions, files and lines only when a
//! report is rendered, because most captures are never looked at closely
//! (throttled mails, grouped reports) and resolving costs milliseconds.

use std::fmt;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use backtrace::Backtrace;

/// A captured stack, resolved (symbols, files, lines) only when first asked:
/// capture is cheap. Cheap to clone (shared).
#[derive(Clone)]
pub struct Frames {
    inner: Arc<Inner>,
}

struct Inner {
    /// The raw capture, until it is resolved (then dropped: the frames hold
    /// everything a report needs).
    raw: Mutex<Option<Backtrace>>,
    resolved: OnceLock<Arc<[Frame]>>,
    /// The number of captured frames, for `Debug` without resolving.
    len: usize,
}

impl Frames {
    /// The stack here, unresolved.
    pub fn capture() -> Self {
        let raw = Backtrace::new_unresolved();
        let len = raw.frames().len();
        Frames {
            inner: Arc::new(Inner {
                raw: Mutex::new(Some(raw)),
                resolved: OnceLock::new(),
                len,
            }),
        }
    }

    /// A stack of frames already known (tests, frames received from
    /// elsewhere): [`resolve`](Self::resolve) gives them back as they are.
    pub fn from_frames(frames: impl Into<Arc<[Frame]>>) -> Self {
        let frames = frames.into();
        let resolved = OnceLock::new();
        let len = frames.len();
        let _ = resolved.set(frames);
        Frames {
            inner: Arc::new(Inner {
                raw: Mutex::new(None),
                resolved,
                len,
            }),
        }
    }

    /// The frames, innermost (where it happened) first, resolved on the first
    /// call and cached.
    ///
    /// The capture machinery is left out: the frames of `backtrace`, of this
    /// crate's capturing functions and of the standard library's panic
    /// runtime above the panic site, and the thread and `main` start-up
    /// below the point where std's (or libtest's) short backtrace begins.
    /// Runtime frames (tokio, hyper, tower, ...) are kept and classified
    /// [`FrameKind::Runtime`], for renderers to fold.
    pub fn resolve(&self) -> Arc<[Frame]> {
        self.inner
            .resolved
            .get_or_init(|| {
                let mut raw = self
                    .inner
                    .raw
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner);
                let frames = match raw.as_mut() {
                    Some(backtrace) => {
                        backtrace.resolve();
                        trim(frames_of(backtrace))
                    }
                    None => Vec::new(),
                };
                *raw = None;
                frames.into()
            })
            .clone()
    }

    /// Whether the frames have been resolved already.
    pub fn is_resolved(&self) -> bool {
        self.inner.resolved.get().is_some()
    }
}

impl fmt::Debug for Frames {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Frames({})", self.inner.len)
    }
}

/// One frame of a stack (one function: an inlined call is a frame of its own).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Frame {
    /// The function, demangled, without the `::h0123...` hash suffix.
    pub function: Option<String>,
    /// The source file, as the debug info names it.
    pub file: Option<String>,
    /// 1-based line.
    pub line: Option<u32>,
    /// 1-based column.
    pub column: Option<u32>,
    /// Whose code it is.
    pub kind: FrameKind,
    /// The crate: `name 1.2.3` when the file is in Cargo's registry, else
    /// the first path segment of the function (`myapp`, `std`).
    pub crate_name: Option<String>,
}

impl Frame {
    /// A frame of `function` at `file:line`, classified by the same rules as
    /// a captured one (for tests and frames from elsewhere).
    pub fn new(function: Option<&str>, file: Option<&str>, line: Option<u32>) -> Self {
        let (kind, crate_name) = classify(function, file);
        Frame {
            function: function.map(str::to_owned),
            file: file.map(str::to_owned),
            line,
            column: None,
            kind,
            crate_name,
        }
    }

    /// Whether it is the application's own code.
    pub fn is_in_app(&self) -> bool {
        self.kind == FrameKind::InApp
    }
}

/// Whose code a frame is, for renderers (in-app frames first, the rest
/// folded) and for grouping (only in-app function names count).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FrameKind {
    /// The application's own code: neither the standard library nor a
    /// dependency.
    InApp,
    /// A dependency (a crate from Cargo's registry, a git checkout or a
    /// `vendor/` directory) that is not a runtime crate.
    Dependency,
    /// The standard library (`std`, `core`, `alloc`, files under `/rustc/`),
    /// and system frames (C functions without a Rust path or a file).
    Std,
    /// The machinery requests pass through: tokio, hyper, tower, futures, h2,
    /// axum, tracing's instrumentation, and tackle's own crates when they are
    /// dependencies.
    Runtime,
}

fn frames_of(backtrace: &Backtrace) -> Vec<Frame> {
    let mut frames = Vec::with_capacity(backtrace.frames().len());
    for raw in backtrace.frames() {
        let symbols = raw.symbols();
        if symbols.is_empty() {
            frames.push(Frame::new(None, None, None));
            continue;
        }
        for symbol in symbols {
            let function = symbol.name().map(|name| strip_hash(format!("{name:#}")));
            let file = symbol
                .filename()
                .map(|path| path.to_string_lossy().into_owned());
            let (kind, crate_name) = classify(function.as_deref(), file.as_deref());
            frames.push(Frame {
                function,
                file,
                line: symbol.lineno(),
                column: symbol.colno(),
                kind,
                crate_name,
            });
        }
    }
    frames
}

/// `foo::bar::h0123456789abcdef` → `foo::bar` (the alternate demangled form
/// has no hash already; this is for names that were not demangled).
fn strip_hash(mut name: String) -> String {
    if let Some(at) = name.rfind("::h") {
        let hash = &name[at + 3..];
        if hash.len() == 16 && hash.bytes().all(|b| b.is_ascii_hexdigit()) {
            name.truncate(at);
        }
    }
    name
}

/// Functions that capture or dispatch a panic: never the interesting frame.
fn is_machinery(function: &str) -> bool {
    const PREFIXES: &[&str] = &[
        "backtrace::",
        "std::panicking::",
        "core::panicking::",
        "std::panic::panic_any",
        "std::rt::",
        "rust_begin_unwind",
        "__rustc::",
        "__rust_",
        "std::sys::backtrace::__rust_end_short_backtrace",
        "std::sys_common::backtrace::__rust_end_short_backtrace",
        "tackle_report::frames::Frames::capture",
        "tackle_report::panic_hook::install_panic_hook",
        "tackle_report::panic_hook::record_panic",
        "tackle_report::report::ErrorReport::from_error",
    ];
    const CONTAINED: &[&str] = &[
        "tackle_report::attach::ResponseReportExt>::with_error",
        "__rust_end_short_backtrace",
    ];
    PREFIXES.iter().any(|prefix| function.starts_with(prefix))
        || CONTAINED.iter().any(|part| function.contains(part))
}

fn trim(mut frames: Vec<Frame>) -> Vec<Frame> {
    // Above the site: the capture and panic machinery, possibly with std
    // frames between its pieces (the boxed hook's `Fn::call`). Std frames
    // after the last machinery frame stay (`core::result::unwrap_failed`
    // says what panicked).
    let mut cut = 0;
    for (i, frame) in frames.iter().enumerate() {
        match frame.function.as_deref() {
            Some(function) if is_machinery(function) => cut = i + 1,
            _ if frame.kind == FrameKind::Std => {}
            _ => break,
        }
    }
    frames.drain(..cut);

    // Below: std and libtest mark where the interesting part of a thread's
    // stack begins, as their own short backtraces do.
    if let Some(end) = frames.iter().position(|frame| {
        frame
            .function
            .as_deref()
            .is_some_and(|f| f.contains("__rust_begin_short_backtrace"))
    }) {
        frames.truncate(end);
    }
    // What is left below the last frame of substance is start-up glue:
    // `std::rt`, `FnOnce::call_once` shims, libc's `main` and `clone3`.
    while frames
        .last()
        .is_some_and(|frame| frame.kind == FrameKind::Std)
    {
        frames.pop();
    }
    frames
}

/// The standard library's crates.
fn is_std_crate(name: &str) -> bool {
    matches!(
        name,
        "std" | "core" | "alloc" | "test" | "proc_macro" | "panic_unwind" | "panic_abort"
    )
}

/// Crates requests pass through, folded as runtime (names with `_`).
fn is_runtime_crate(name: &str) -> bool {
    const FAMILIES: &[&str] = &[
        "tokio", "hyper", "tower", "futures", "axum", "tackle", "tracing",
    ];
    name == "h2"
        || FAMILIES.iter().any(|family| {
            name.strip_prefix(family)
                .is_some_and(|rest| rest.is_empty() || rest.starts_with('_'))
        })
}

/// The first path segment of a demangled function: `myapp` of
/// `myapp::handlers::show`, of `<myapp::Db as core::ops::Drop>::drop`
/// (the implementing type's crate) and of `<myapp::Db>::open` (v0 names).
fn function_crate(function: &str) -> Option<&str> {
    let name = function.trim_start_matches(['<', '&', '*', ' ']);
    let name = name.strip_prefix("mut ").unwrap_or(name);
    let name = name.strip_prefix("dyn ").unwrap_or(name);
    let end = name
        .find(|c: char| !(c.is_alphanumeric() || c == '_'))
        .unwrap_or(name.len());
    let first = &name[..end];
    // A segment only counts as a crate when a path follows it: a lone C
    // symbol (`main`, `clone3`) names no crate.
    if first.is_empty() || !name[end..].starts_with("::") {
        return None;
    }
    Some(first)
}

fn is_std_file(file: &str) -> bool {
    file.contains("/rustc/")
        || file.starts_with("library/")
        || file.contains("/rustlib/src/rust/library/")
}

/// `.../registry/src/<index>/<name>-<version>/...` → (`name`, `version`).
fn registry_crate(file: &str) -> Option<(&str, &str)> {
    let at = file.find("/registry/src/")?;
    let rest = &file[at + "/registry/src/".len()..];
    let (_index, rest) = rest.split_once('/')?;
    let dir = rest.split('/').next()?;
    split_name_version(dir)
}

/// `x25519-dalek-2.0.1` → (`x25519-dalek`, `2.0.1`): the version starts at
/// the first `-` followed by `digits.digits.digits`.
fn split_name_version(dir: &str) -> Option<(&str, &str)> {
    for (at, _) in dir.match_indices('-') {
        let version = &dir[at + 1..];
        let mut parts = version.splitn(3, '.');
        let number = |part: &str| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit());
        let major_minor = parts.next().is_some_and(number) && parts.next().is_some_and(number);
        // The patch number may be followed by `-pre.1` or `+build`.
        let patch = parts.next().is_some_and(|part| {
            let end = part.find(['-', '+']).unwrap_or(part.len());
            number(&part[..end])
        });
        if major_minor && patch {
            return Some((&dir[..at], version));
        }
    }
    None
}

/// The crate of a frame under `/vendor/<name>/` or a git checkout, when the
/// path says (else the function's crate is used).
fn vendored_crate(file: &str) -> Option<&str> {
    let at = file.find("/vendor/")?;
    let dir = file[at + "/vendor/".len()..].split('/').next()?;
    if dir.is_empty() {
        return None;
    }
    Some(split_name_version(dir).map_or(dir, |(name, _)| name))
}

fn is_dependency_file(file: &str) -> bool {
    file.contains("/.cargo/registry/")
        || file.contains("/registry/src/")
        || file.contains("/.cargo/git/")
        || file.contains("/vendor/")
}

/// The kind and crate of a frame, from its function's path and its file.
pub(crate) fn classify(function: Option<&str>, file: Option<&str>) -> (FrameKind, Option<String>) {
    let file = file.map(|f| f.replace('\\', "/"));
    let file = file.as_deref();
    let fn_crate = function.and_then(function_crate);

    if fn_crate.is_some_and(is_std_crate) || file.is_some_and(is_std_file) {
        return (FrameKind::Std, fn_crate.map(str::to_owned));
    }
    if let Some(file) = file.filter(|f| is_dependency_file(f)) {
        let (name, label) = match registry_crate(file) {
            Some((name, version)) => (Some(name), Some(format!("{name} {version}"))),
            None => {
                let name = vendored_crate(file).or(fn_crate);
                (name, name.map(str::to_owned))
            }
        };
        let runtime = name.is_some_and(|n| is_runtime_crate(&n.replace('-', "_")));
        let kind = if runtime {
            FrameKind::Runtime
        } else {
            FrameKind::Dependency
        };
        return (kind, label);
    }
    match (fn_crate, file) {
        (Some(name), None) if is_runtime_crate(name) && !name.starts_with("tackle") => {
            // Without debug info the path cannot tell a dependency apart; a
            // runtime crate's name can.
            (FrameKind::Runtime, Some(name.to_owned()))
        }
        (Some(name), _) => (FrameKind::InApp, Some(name.to_owned())),
        // A bare name in a Rust file that is neither std's nor a
        // dependency's: the app built with `debug = "line-tables-only"`,
        // whose debug info names functions without their path.
        (None, Some(file)) if file.ends_with(".rs") => (FrameKind::InApp, None),
        // No Rust path: libc (`start_thread`, `clone3`, even with its
        // debug info), the loader, an unknown address.
        (None, _) => (FrameKind::Std, None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const REGISTRY: &str = "/home/u/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f";

    #[test]
    fn classifies_frames() {
        let tokio_file = format!("{REGISTRY}/tokio-1.54.1/src/runtime/task/harness.rs");
        let serde_file = format!("{REGISTRY}/serde_json-1.0.140/src/de.rs");
        let hyper_util_file = format!("{REGISTRY}/hyper-util-0.1.10/src/server/conn/auto.rs");
        let dalek_file = format!("{REGISTRY}/x25519-dalek-2.0.1-pre.1/src/x25519.rs");
        // (function, file, kind, crate)
        type Case<'a> = (Option<&'a str>, Option<&'a str>, FrameKind, Option<&'a str>);
        let cases: &[Case<'_>] = &[
            (
                Some("myapp::handlers::show"),
                Some("/home/u/myapp/src/handlers.rs"),
                FrameKind::InApp,
                Some("myapp"),
            ),
            (
                Some("<myapp::Db as core::ops::drop::Drop>::drop"),
                Some("src/db.rs"),
                FrameKind::InApp,
                Some("myapp"),
            ),
            // Line-tables-only debug info: names without their path.
            (
                Some("handle"),
                Some("./tests/browser.rs"),
                FrameKind::InApp,
                None,
            ),
            (
                Some("start_thread"),
                Some("./nptl/pthread_create.c"),
                FrameKind::Std,
                None,
            ),
            (
                Some("core::result::unwrap_failed"),
                Some("/rustc/17067e9ac6d7e98f18d4a6e9cb14e8ef3a6e2fc4/library/core/src/result.rs"),
                FrameKind::Std,
                Some("core"),
            ),
            (
                Some("<alloc::boxed::Box<F,A> as core::ops::function::Fn<Args>>::call"),
                None,
                FrameKind::Std,
                Some("alloc"),
            ),
            (
                Some("std::thread::local::LocalKey<T>::with"),
                Some("library/std/src/thread/local.rs"),
                FrameKind::Std,
                Some("std"),
            ),
            (
                Some("tokio::runtime::task::harness::Harness<T,S>::poll"),
                Some(&tokio_file),
                FrameKind::Runtime,
                Some("tokio 1.54.1"),
            ),
            (
                Some("hyper_util::server::conn::auto::Connection::poll"),
                Some(&hyper_util_file),
                FrameKind::Runtime,
                Some("hyper-util 0.1.10"),
            ),
            (
                Some("serde_json::de::from_str"),
                Some(&serde_file),
                FrameKind::Dependency,
                Some("serde_json 1.0.140"),
            ),
            (
                Some("x25519_dalek::x25519::x25519"),
                Some(&dalek_file),
                FrameKind::Dependency,
                Some("x25519-dalek 2.0.1-pre.1"),
            ),
            (
                Some("gitdep::run"),
                Some("/home/u/.cargo/git/checkouts/gitdep-0123abcd/4567ef/src/lib.rs"),
                FrameKind::Dependency,
                Some("gitdep"),
            ),
            (
                Some("futures_util::future::Map::poll"),
                Some("/home/u/.cargo/git/checkouts/futures-rs-01/89ab/futures-util/src/map.rs"),
                FrameKind::Runtime,
                Some("futures_util"),
            ),
            (
                Some("h2::proto::streams::recv"),
                Some("/build/vendor/h2/src/proto/streams/recv.rs"),
                FrameKind::Runtime,
                Some("h2"),
            ),
            (
                Some("tackle_session::service::Session::call"),
                Some(&format!("{REGISTRY}/tackle-session-0.1.0/src/service.rs")),
                FrameKind::Runtime,
                Some("tackle-session 0.1.0"),
            ),
            // The framework's crates in the workspace being worked on are
            // that workspace's own code.
            (
                Some("tackle_report::catch_panic::CatchPanic<S>::call"),
                Some("/work/main/crates/report/src/catch_panic.rs"),
                FrameKind::InApp,
                Some("tackle_report"),
            ),
            // Without debug info: by the function's crate alone.
            (
                Some("tokio::runtime::park::run"),
                None,
                FrameKind::Runtime,
                Some("tokio"),
            ),
            (Some("myapp::main"), None, FrameKind::InApp, Some("myapp")),
            (Some("__libc_start_main"), None, FrameKind::Std, None),
            (
                Some("start_thread"),
                Some("./nptl/pthread_create.c"),
                FrameKind::Std,
                None,
            ),
            (
                Some(
                    "std::sys::backtrace::__rust_begin_short_backtrace::<test::run_test::{closure#1}, ()>",
                ),
                Some(
                    "/rustc/59807616e1fa2540724bfbac14d7976d7e4a3860/library/std/src/sys/backtrace.rs",
                ),
                FrameKind::Std,
                Some("std"),
            ),
            (None, None, FrameKind::Std, None),
        ];
        for &(function, file, kind, crate_name) in cases {
            let frame = Frame::new(function, file, Some(1));
            assert_eq!(
                (frame.kind, frame.crate_name.as_deref()),
                (kind, crate_name),
                "{function:?} in {file:?}"
            );
        }
    }

    #[test]
    fn strips_hashes() {
        assert_eq!(strip_hash("a::b::h0123456789abcdef".into()), "a::b");
        assert_eq!(strip_hash("a::b::hello".into()), "a::b::hello");
        assert_eq!(strip_hash("a::b".into()), "a::b");
    }

    #[test]
    fn splits_registry_directories() {
        assert_eq!(
            split_name_version("tokio-1.54.1"),
            Some(("tokio", "1.54.1"))
        );
        assert_eq!(
            split_name_version("x25519-dalek-2.0.1"),
            Some(("x25519-dalek", "2.0.1"))
        );
        assert_eq!(
            split_name_version("foo-2d-1.0.0"),
            Some(("foo-2d", "1.0.0"))
        );
        assert_eq!(split_name_version("no-version"), None);
    }

    #[inline(never)]
    fn capture_here() -> Frames {
        Frames::capture()
    }

    #[test]
    fn captures_cheaply_and_resolves_once_without_machinery() {
        let frames = capture_here();
        assert!(!frames.is_resolved());
        assert!(format!("{frames:?}").starts_with("Frames("));
        let clone = frames.clone();
        let resolved = frames.resolve();
        assert!(clone.is_resolved());
        assert!(Arc::ptr_eq(&resolved, &clone.resolve()));

        let top = &resolved[0];
        assert_eq!(top.kind, FrameKind::InApp, "{resolved:#?}");
        assert!(
            top.function
                .as_deref()
                .unwrap()
                .ends_with("frames::tests::capture_here"),
            "{resolved:#?}"
        );
        assert!(top.file.as_deref().unwrap().ends_with("frames.rs"));
        assert!(top.line.is_some());
        assert!(
            resolved.iter().any(|f| f.function.as_deref().is_some_and(
                |f| f.ends_with("captures_cheaply_and_resolves_once_without_machinery")
            )),
            "{resolved:#?}"
        );
        for frame in resolved.iter() {
            let function = frame.function.as_deref().unwrap_or("");
            assert!(!function.starts_with("backtrace::"), "{resolved:#?}");
            assert!(
                !function.contains("__rust_begin_short_backtrace"),
                "{resolved:#?}"
            );
            assert_eq!(strip_hash(function.to_owned()), function);
        }
    }

    #[test]
    fn known_frames_come_back_as_given() {
        let frames = Frames::from_frames(vec![Frame::new(Some("myapp::run"), None, Some(3))]);
        assert!(frames.is_resolved());
        assert_eq!(format!("{frames:?}"), "Frames(1)");
        assert_eq!(frames.resolve()[0].function.as_deref(), Some("myapp::run"));
    }
}
