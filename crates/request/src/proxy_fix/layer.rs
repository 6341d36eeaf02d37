//! [`ProxyFixLayer`]: how many proxies to trust for each header.

use tower_layer::Layer;

use super::ProxyFix;

/// Wraps services in [`ProxyFix`], and holds its configuration: for each
/// header, how many proxies in front of the server set it. Copying is free.
///
/// | setting | default | header read |
/// |---|---|---|
/// | [`x_for`](Self::x_for) | 1 | `X-Forwarded-For` |
/// | [`x_proto`](Self::x_proto) | 1 | `X-Forwarded-Proto` |
/// | [`x_host`](Self::x_host) | 0 | `X-Forwarded-Host` |
/// | [`x_port`](Self::x_port) | 0 | `X-Forwarded-Port` |
/// | [`x_prefix`](Self::x_prefix) | 0 | `X-Forwarded-Prefix` |
/// | [`forwarded`](Self::forwarded) | off | `Forwarded` in place of the first four |
///
/// The defaults are Werkzeug's: one proxy that sets `X-Forwarded-For` and
/// `X-Forwarded-Proto`. A count of 0 ignores the header. Set a count only
/// for headers your proxies always set (overwriting or appending to what
/// the client sent): otherwise a client chooses the value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ProxyFixLayer {
    pub(super) x_for: usize,
    pub(super) x_proto: usize,
    pub(super) x_host: usize,
    pub(super) x_port: usize,
    pub(super) x_prefix: usize,
    pub(super) forwarded: Option<usize>,
}

impl Default for ProxyFixLayer {
    fn default() -> Self {
        ProxyFixLayer {
            x_for: 1,
            x_proto: 1,
            x_host: 0,
            x_port: 0,
            x_prefix: 0,
            forwarded: None,
        }
    }
}

impl ProxyFixLayer {
    /// The defaults (see the table above).
    pub fn new() -> Self {
        Self::default()
    }

    /// Trust `n` values of `X-Forwarded-For` for the client's address
    /// (default 1).
    pub fn x_for(mut self, n: usize) -> Self {
        self.x_for = n;
        self
    }

    /// Trust `n` values of `X-Forwarded-Proto` for the scheme (default 1).
    pub fn x_proto(mut self, n: usize) -> Self {
        self.x_proto = n;
        self
    }

    /// Trust `n` values of `X-Forwarded-Host` for the host (default 0).
    pub fn x_host(mut self, n: usize) -> Self {
        self.x_host = n;
        self
    }

    /// Trust `n` values of `X-Forwarded-Port` for the host's port
    /// (default 0).
    pub fn x_port(mut self, n: usize) -> Self {
        self.x_port = n;
        self
    }

    /// Trust `n` values of `X-Forwarded-Prefix` for the mount prefix
    /// (default 0). It applies with [`forwarded`](Self::forwarded) too,
    /// `Forwarded` having no prefix.
    pub fn x_prefix(mut self, n: usize) -> Self {
        self.x_prefix = n;
        self
    }

    /// Read the client's address, the scheme and the host from the element
    /// of the RFC 7239 `Forwarded` header that the outermost of `n` proxies
    /// appended, instead of `X-Forwarded-For`, `-Proto`, `-Host` and
    /// `-Port` (which are then ignored). A `Forwarded` header that does not
    /// parse, or has fewer than `n` elements, is ignored as a whole.
    /// `forwarded(0)` turns this off again.
    pub fn forwarded(mut self, n: usize) -> Self {
        self.forwarded = (n > 0).then_some(n);
        self
    }
}

impl<S> Layer<S> for ProxyFixLayer {
    type Service = ProxyFix<S>;

    fn layer(&self, inner: S) -> ProxyFix<S> {
        ProxyFix::with_layer(inner, *self)
    }
}
