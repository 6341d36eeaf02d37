//! [`SessionLayer`]: the store and the settings.

use std::marker::PhantomData;
use std::sync::Arc;
use std::time::Duration;

use tackle_http::SameSite;
use tower_layer::Layer;

use crate::config::{Clock, Config};
use crate::service::SessionService;
use crate::session::Backend;
use crate::store::SessionStore;

/// Puts a [`Session`](crate::Session) in every request's extensions and
/// writes what the handler changed when the response goes out.
///
/// | Option | Default |
/// |---|---|
/// | [`cookie_name`](Self::cookie_name) | `session` (`__Host-` and `__Secure-` prefixes honoured) |
/// | [`path`](Self::path), [`domain`](Self::domain) | `/`, none (the host only) |
/// | [`same_site`](Self::same_site) | `Lax` |
/// | [`secure`](Self::secure) | `true`: turn off only for plain-HTTP development |
/// | `HttpOnly` | always |
/// | [`persistent`](Self::persistent) | `false`: the cookie lasts the browser session; the server enforces expiry either way |
/// | [`idle_timeout`](Self::idle_timeout) | 24 hours without a request |
/// | [`absolute_lifetime`](Self::absolute_lifetime) | 7 days from creation, however active |
/// | [`refresh_fraction`](Self::refresh_fraction) | 0.25: the idle deadline is pushed back at most once per quarter of the timeout |
///
/// Cloning is one reference count.
pub struct SessionLayer<S> {
    backend: Arc<Backend>,
    store: PhantomData<fn() -> S>,
}

impl<S> Clone for SessionLayer<S> {
    fn clone(&self) -> Self {
        SessionLayer {
            backend: Arc::clone(&self.backend),
            store: PhantomData,
        }
    }
}

impl<S> std::fmt::Debug for SessionLayer<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SessionLayer")
            .field("cookie_name", &self.backend.config.cookie_name)
            .finish_non_exhaustive()
    }
}

impl<S: SessionStore> SessionLayer<S> {
    /// Sessions kept in `store`, with the defaults above.
    pub fn new(store: S) -> Self {
        SessionLayer {
            backend: Arc::new(Backend::new(Arc::new(store), Config::default())),
            store: PhantomData,
        }
    }
}

impl<S> SessionLayer<S> {
    fn with(mut self, change: impl FnOnce(&mut Config)) -> Self {
        let backend = Arc::make_mut(&mut self.backend);
        change(&mut backend.config);
        backend.attributes = crate::set_cookie::attributes(&backend.config);
        self
    }

    /// The cookie's name. A `__Host-` name forces `Secure`, `Path=/` and no
    /// `Domain`, and a `__Secure-` name forces `Secure`, as browsers require
    /// of such cookies.
    pub fn cookie_name(self, name: impl Into<String>) -> Self {
        let name = name.into();
        self.with(|c| {
            if name.starts_with("__Host-") {
                c.secure = true;
                c.path = "/".to_owned();
                c.domain = None;
            } else if name.starts_with("__Secure-") {
                c.secure = true;
            }
            c.cookie_name = name;
        })
    }

    /// The cookie's `Path` (ignored for a `__Host-` cookie).
    pub fn path(self, path: impl Into<String>) -> Self {
        let path = path.into();
        self.with(|c| {
            if !c.cookie_name.starts_with("__Host-") {
                c.path = path;
            }
        })
    }

    /// The cookie's `Domain` (ignored for a `__Host-` cookie).
    pub fn domain(self, domain: impl Into<String>) -> Self {
        let domain = domain.into();
        self.with(|c| {
            if !c.cookie_name.starts_with("__Host-") {
                c.domain = Some(domain);
            }
        })
    }

    /// The cookie's `SameSite`. `None` (cross-site requests allowed) makes
    /// the cookie `Secure` whatever [`secure`](Self::secure) says, since
    /// browsers drop it otherwise.
    pub fn same_site(self, same_site: SameSite) -> Self {
        self.with(|c| c.same_site = same_site)
    }

    /// Whether the cookie is `Secure` (sent over HTTPS only). Turning it off
    /// is for plain-HTTP development; it stays on for `__Host-` and
    /// `__Secure-` names.
    pub fn secure(self, secure: bool) -> Self {
        self.with(|c| {
            let prefixed =
                c.cookie_name.starts_with("__Host-") || c.cookie_name.starts_with("__Secure-");
            c.secure = secure || prefixed;
        })
    }

    /// A persistent cookie (`Max-Age` set to the session's time left)
    /// rather than one the browser drops when it closes.
    pub fn persistent(self, persistent: bool) -> Self {
        self.with(|c| c.persistent = persistent)
    }

    /// How long a session lives without requests.
    pub fn idle_timeout(self, timeout: Duration) -> Self {
        self.with(|c| c.idle_timeout = timeout)
    }

    /// How long a session lives at most, however active.
    pub fn absolute_lifetime(self, lifetime: Duration) -> Self {
        self.with(|c| c.absolute_lifetime = lifetime)
    }

    /// The share of the idle timeout after which a request that only reads
    /// the session pushes its idle deadline back (a write); between 0 and 1.
    pub fn refresh_fraction(self, fraction: f64) -> Self {
        self.with(|c| c.refresh_fraction = fraction.clamp(0.0, 1.0))
    }

    /// The clock sessions are timed by (default the system clock): for
    /// tests of expiry.
    pub fn clock(self, clock: impl Clock) -> Self {
        let clock: Arc<dyn Clock> = Arc::new(clock);
        self.with(|c| c.clock = clock)
    }
}

impl<S, Inner> Layer<Inner> for SessionLayer<S> {
    type Service = SessionService<Inner>;

    fn layer(&self, inner: Inner) -> SessionService<Inner> {
        SessionService::new(inner, Arc::clone(&self.backend))
    }
}
