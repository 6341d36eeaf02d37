//! [`DebuggerLayer`]: the builder.

use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use tackle_report::{CatchPanicLayer, Scrubber};
use tower_layer::Layer;

use crate::ring::Ring;
use crate::service::Debugger;

/// Answers panics and reported 5xx responses with a debugger page; see the
/// [crate documentation](crate).
///
/// | Option | Default |
/// |---|---|
/// | [`enabled`](Self::enabled) | `false` |
/// | [`allow_in_release`](Self::allow_in_release) | `false`: in release builds the layer stays off |
/// | [`capacity`](Self::capacity) | 50 reports kept |
/// | [`trusted_host`](Self::trusted_host) | none beyond `localhost`, `*.localhost`, `127.0.0.1`, `[::1]` |
/// | [`app_root`](Self::app_root) | none: source files are looked up from the working directory |
/// | [`scrubber`](Self::scrubber) | [`Scrubber::default`] |
#[derive(Clone)]
pub struct DebuggerLayer {
    settings: Settings,
    shared: Arc<OnceLock<Arc<Shared>>>,
}

#[derive(Clone)]
struct Settings {
    enabled: bool,
    allow_in_release: bool,
    capacity: usize,
    trusted_hosts: Vec<String>,
    app_root: Option<PathBuf>,
    scrubber: Scrubber,
}

/// What every service of one layer shares.
pub(crate) struct Shared {
    pub(crate) enabled: bool,
    pub(crate) trusted_hosts: Vec<String>,
    pub(crate) roots: Vec<PathBuf>,
    pub(crate) scrubber: Scrubber,
    pub(crate) ring: Ring,
}

impl Default for DebuggerLayer {
    fn default() -> Self {
        DebuggerLayer::new()
    }
}

impl DebuggerLayer {
    /// A layer that is off until [`enabled`](Self::enabled).
    pub fn new() -> Self {
        DebuggerLayer {
            settings: Settings {
                enabled: false,
                allow_in_release: false,
                capacity: 50,
                trusted_hosts: Vec::new(),
                app_root: None,
                scrubber: Scrubber::default(),
            },
            shared: Arc::new(OnceLock::new()),
        }
    }

    fn with(mut self, change: impl FnOnce(&mut Settings)) -> Self {
        change(&mut self.settings);
        self.shared = Arc::new(OnceLock::new());
        self
    }

    /// Turns the debugger on (debug builds) or asks for it (release builds,
    /// where [`allow_in_release`](Self::allow_in_release) is needed too).
    pub fn enabled(self, enabled: bool) -> Self {
        self.with(|s| s.enabled = enabled)
    }

    /// Lets [`enabled`](Self::enabled) work in a release build. Never do
    /// this on a machine others can reach: the page shows source, request
    /// headers and the failing request.
    pub fn allow_in_release(self, allow: bool) -> Self {
        self.with(|s| s.allow_in_release = allow)
    }

    /// How many reports are kept for `/_debug/` (default 50, at least 1).
    pub fn capacity(self, capacity: usize) -> Self {
        self.with(|s| s.capacity = capacity.max(1))
    }

    /// Trusts one more `Host` name (exact, case-insensitive, any port),
    /// e.g. a name in `/etc/hosts` pointing at `127.0.0.1`.
    pub fn trusted_host(self, name: impl Into<String>) -> Self {
        let name = name.into().to_ascii_lowercase();
        self.with(|s| s.trusted_hosts.push(name))
    }

    /// Where source files named in frames are looked up (and in its
    /// parents, for workspace-relative paths); pass
    /// [`app_root!()`](crate::app_root). The working directory is tried
    /// after it.
    pub fn app_root(self, root: impl Into<PathBuf>) -> Self {
        let root = root.into();
        self.with(|s| s.app_root = Some(root))
    }

    /// The scrubber applied before anything is shown (default
    /// [`Scrubber::default`]).
    pub fn scrubber(self, scrubber: Scrubber) -> Self {
        self.with(|s| s.scrubber = scrubber)
    }

    /// Whether the layer is actually on (see [`allow_in_release`](Self::allow_in_release)).
    pub fn is_enabled(&self) -> bool {
        self.shared().enabled
    }

    pub(crate) fn shared(&self) -> Arc<Shared> {
        Arc::clone(self.shared.get_or_init(|| {
            let s = &self.settings;
            let enabled = effective(s.enabled, s.allow_in_release, cfg!(debug_assertions));
            let mut roots: Vec<PathBuf> = s.app_root.iter().cloned().collect();
            if let Ok(cwd) = std::env::current_dir() {
                roots.push(cwd);
            }
            Arc::new(Shared {
                enabled,
                trusted_hosts: s.trusted_hosts.clone(),
                roots,
                scrubber: s.scrubber.clone(),
                ring: Ring::new(s.capacity),
            })
        }))
    }
}

/// Whether the layer is on, logging loudly when a release build asks.
pub(crate) fn effective(enabled: bool, allow_in_release: bool, debug_build: bool) -> bool {
    if !enabled {
        return false;
    }
    if debug_build {
        return true;
    }
    if allow_in_release {
        tracing::warn!(
            "tackle-debugger is ENABLED IN A RELEASE BUILD (allow_in_release): error pages show \
             source code, request headers and stack traces to loopback clients; never expose this \
             process to a network you do not trust"
        );
        true
    } else {
        tracing::warn!(
            "tackle-debugger: enabled(true) is IGNORED in a release build; the debugger stays OFF \
             (call allow_in_release(true) as well to force it, and only on a development machine)"
        );
        false
    }
}

impl<S> Layer<S> for DebuggerLayer {
    type Service = Debugger<S>;

    fn layer(&self, inner: S) -> Debugger<S> {
        Debugger::new(CatchPanicLayer::new().layer(inner), self.shared())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn release_needs_the_explicit_opt_in() {
        assert!(!effective(false, false, true));
        assert!(!effective(false, true, false));
        assert!(effective(true, false, true));
        assert!(!effective(true, false, false));
        assert!(effective(true, true, false));
    }

    #[test]
    fn off_by_default() {
        assert!(!DebuggerLayer::new().is_enabled());
        assert_eq!(
            DebuggerLayer::new().enabled(true).is_enabled(),
            cfg!(debug_assertions)
        );
    }
}
