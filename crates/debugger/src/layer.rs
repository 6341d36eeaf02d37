//! [`DebuggerLayer`]: the builder.

use std::net::IpAddr;
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, SystemTime};

use tackle_http::TrustedHosts;
use tackle_report::{CatchPanicLayer, Scrubber};
use tower_layer::Layer;

use crate::gate::Network;
use crate::ring::Ring;
use crate::secret::{PinGuard, process_pin, process_secrets};
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
/// | [`allow_peer`](Self::allow_peer), [`allow_network`](Self::allow_network) | none: loopback peers only |
/// | [`pin`](Self::pin) | from `TACKLE_DEBUGGER_PIN`, else random, printed once at startup |
/// | [`pin_delay`](Self::pin_delay) | 250 ms × the number of failures so far, before a wrong PIN is answered |
/// | [`pin_cookie_ttl`](Self::pin_cookie_ttl) | 8 hours |
/// | [`editor`](Self::editor) | `vscode://file{file}:{line}:{column}` |
/// | [`map_path`](Self::map_path) | none |
///
/// Fixed limits: 10 wrong PINs lock PIN entry until restart; 64 KiB of a
/// request body is kept for replay ([`CAPTURE_LIMIT`](crate::CAPTURE_LIMIT));
/// action forms are read up to 256 KiB.
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
    allowed: Vec<Network>,
    pin: Option<String>,
    pin_delay: Duration,
    pin_ttl: Duration,
    editor: Option<String>,
    path_map: Vec<(String, String)>,
}

/// What every service of one layer shares.
pub(crate) struct Shared {
    pub(crate) enabled: bool,
    pub(crate) trusted_hosts: TrustedHosts,
    pub(crate) allowed: Vec<Network>,
    pub(crate) roots: Vec<PathBuf>,
    pub(crate) scrubber: Scrubber,
    pub(crate) ring: Ring,
    /// The per-process token every action form carries.
    pub(crate) token: String,
    /// The double-submit value: in a cookie and in every action form.
    pub(crate) csrf: String,
    pub(crate) pin: PinGuard,
    pub(crate) editor: Option<String>,
    pub(crate) path_map: Vec<(String, String)>,
    /// When the layer was built: source files changed later are flagged.
    pub(crate) started: SystemTime,
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
                allowed: Vec::new(),
                pin: None,
                pin_delay: Duration::from_millis(250),
                pin_ttl: Duration::from_secs(8 * 60 * 60),
                editor: Some("vscode://file{file}:{line}:{column}".to_owned()),
                path_map: Vec::new(),
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

    /// Trusts one more `Host` name, e.g. one in `/etc/hosts` pointing at
    /// `127.0.0.1`: `dev.test` exactly, `.dev.test` with its subdomains
    /// (case-insensitive; any port unless the pattern names one), as
    /// [`TrustedHosts`](tackle_http::TrustedHosts) matches.
    ///
    /// # Panics
    ///
    /// When `name` is not a valid host pattern.
    pub fn trusted_host(self, name: impl Into<String>) -> Self {
        let name = name.into();
        if let Err(error) = TrustedHosts::new([name.as_str()]) {
            panic!("trusted_host({name:?}): {error}");
        }
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

    /// Lets one more peer address use the debugger, from another machine:
    /// it then needs the PIN for every page, viewing too. Loopback peers
    /// are always allowed (and need the PIN for actions only).
    pub fn allow_peer(self, addr: IpAddr) -> Self {
        let prefix = if addr.is_ipv4() { 32 } else { 128 };
        self.allow_network(addr, prefix)
    }

    /// Lets every peer in `addr/prefix` use the debugger, as
    /// [`allow_peer`](Self::allow_peer) does one.
    pub fn allow_network(self, addr: IpAddr, prefix: u8) -> Self {
        self.with(|s| s.allowed.push(Network { addr, prefix }))
    }

    /// Sets the PIN (9 digits; dashes and spaces are ignored) instead of
    /// `TACKLE_DEBUGGER_PIN` or a random one. For tests: a PIN in source
    /// code is no secret.
    ///
    /// # Panics
    ///
    /// When `pin` is not 9 digits.
    pub fn pin(self, pin: &str) -> Self {
        let pin = crate::secret::normalize_pin(pin).expect("a debugger PIN is 9 digits");
        self.with(|s| s.pin = Some(pin))
    }

    /// The delay before a wrong PIN is answered, multiplied by the number
    /// of failures so far (default 250 ms).
    pub fn pin_delay(self, delay: Duration) -> Self {
        self.with(|s| s.pin_delay = delay)
    }

    /// How long the cookie a right PIN sets is valid (default 8 hours).
    pub fn pin_cookie_ttl(self, ttl: Duration) -> Self {
        self.with(|s| s.pin_ttl = ttl)
    }

    /// The "open in editor" link of source files: `{file}` (absolute,
    /// after [`map_path`](Self::map_path), always starting with `/`),
    /// `{line}` and `{column}` are filled in. `None` shows no links.
    /// Default `vscode://file{file}:{line}:{column}`; others:
    /// `idea://open?file={file}&line={line}`,
    /// `subl://open?url=file://{file}&line={line}`.
    pub fn editor(self, template: Option<&str>) -> Self {
        let template = template.map(str::to_owned);
        self.with(|s| s.editor = template)
    }

    /// Rewrites a path prefix in editor links: the process sees `from`
    /// (inside a container, say) where the editor sees `to`.
    pub fn map_path(self, from: impl Into<String>, to: impl Into<String>) -> Self {
        let (from, to) = (from.into(), to.into());
        self.with(|s| s.path_map.push((from, to)))
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
            // The PIN is made (and printed) only for a layer that is on.
            let pin = match (&s.pin, enabled) {
                (Some(pin), _) => pin.clone(),
                (None, true) => process_pin().to_owned(),
                (None, false) => String::new(),
            };
            let secrets = process_secrets();
            Arc::new(Shared {
                enabled,
                trusted_hosts: crate::gate::trusted_hosts(&s.trusted_hosts)
                    .expect("patterns checked by trusted_host"),
                allowed: s.allowed.clone(),
                roots,
                scrubber: s.scrubber.clone(),
                ring: Ring::new(s.capacity),
                token: secrets.token.clone(),
                csrf: secrets.csrf.clone(),
                pin: PinGuard::new(pin, s.pin_ttl, s.pin_delay),
                editor: s.editor.clone(),
                path_map: s.path_map.clone(),
                started: SystemTime::now(),
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
