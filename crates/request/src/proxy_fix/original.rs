//! [`ProxyFixOriginal`]: what the request said before [`ProxyFix`](super::ProxyFix)
//! rewrote it.

use std::net::SocketAddr;

use http::HeaderValue;
use http::uri::Scheme;

use crate::extensions::MountPrefix;

/// The connection's values as the server saw them, before
/// [`ProxyFix`](super::ProxyFix) replaced them with what the trusted proxies
/// said: the nearest proxy's address, the scheme it used, the host it asked
/// for, and the mount prefix already set. Every request that passes the
/// layer carries one, changed or not.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProxyFixOriginal {
    pub(super) remote_addr: Option<SocketAddr>,
    pub(super) scheme: Scheme,
    pub(super) host: Option<HeaderValue>,
    pub(super) prefix: Option<MountPrefix>,
}

impl ProxyFixOriginal {
    /// The record of `request`, if it passed a [`ProxyFix`](super::ProxyFix).
    pub fn from_request<B>(request: &http::Request<B>) -> Option<&Self> {
        request.extensions().get::<Self>()
    }

    /// The record stored in `extensions`, if any.
    pub fn from_extensions(extensions: &http::Extensions) -> Option<&Self> {
        extensions.get::<Self>()
    }

    /// The connection's peer (usually the nearest proxy), when known.
    pub fn remote_addr(&self) -> Option<SocketAddr> {
        self.remote_addr
    }

    /// The scheme of the request as received: the URI's, else `https` for a
    /// TLS connection, else `http`.
    pub fn scheme(&self) -> &str {
        self.scheme.as_str()
    }

    /// The host as received: the URI's authority when it had one, else the
    /// `Host` header; `None` when absent or not text.
    pub fn host(&self) -> Option<&str> {
        self.host.as_ref().and_then(|h| h.to_str().ok())
    }

    /// The mount prefix set before the layer, if any.
    pub fn prefix(&self) -> Option<&MountPrefix> {
        self.prefix.as_ref()
    }
}
