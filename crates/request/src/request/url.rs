//! The request's host, scheme and URLs (Werkzeug's `host`, `scheme`,
//! `host_url`, `root_url`, `base_url` and `url`).
//!
//! The host comes from the request target's authority when the target is in
//! absolute form or came from HTTP/2's `:authority` (RFC 9112 §3.2.2 has the
//! server ignore `Host` then), else from the `Host` header. It is validated,
//! and checked against the configured trusted hosts, before any URL is built
//! from it.

use std::fmt::Write as _;

use tackle_http::{Host, TypedHeader};

use super::Request;
use crate::HttpError;
use crate::extensions::{BuildUrlError, ConnectionInfo, MountPrefix, UrlBuilder};

impl<B> Request<B> {
    /// The host the client asked for, validated (see [`Host`]) and checked
    /// against [`RequestConfig::trusted_hosts`](super::RequestConfig::trusted_hosts).
    ///
    /// Errors are `400 Bad Request`: `missing Host header`, `invalid Host
    /// header`, or `untrusted host`. The result is computed once.
    pub fn host(&self) -> Result<&Host, HttpError> {
        self.host
            .get_or_init(|| self.read_host())
            .as_ref()
            .map_err(Clone::clone)
    }

    fn read_host(&self) -> Result<Host, HttpError> {
        let host = match self.inner.uri().authority() {
            Some(authority) => Host::new(authority.host(), authority.port_u16()).ok(),
            None => match Host::from_headers(self.inner.headers()) {
                None => return Err(HttpError::bad_request("missing Host header")),
                Some(parsed) => parsed.ok(),
            },
        };
        let host = host.ok_or_else(|| HttpError::bad_request("invalid Host header"))?;
        match self.config().trusted_hosts() {
            Some(trusted) if !trusted.matches(&host) => {
                Err(HttpError::bad_request("untrusted host"))
            }
            _ => Ok(host),
        }
    }

    /// The URL scheme, lowercase: the request target's scheme when it has
    /// one, else `https` when [`ConnectionInfo`] says the connection is TLS,
    /// else `http`. `X-Forwarded-Proto` is not read here: a proxy-fix layer
    /// that trusts it rewrites the URI or the connection info instead.
    pub fn scheme(&self) -> &str {
        if let Some(scheme) = self.inner.uri().scheme() {
            return scheme.as_str();
        }
        let secure = ConnectionInfo::from_extensions(self.inner.extensions())
            .is_some_and(ConnectionInfo::is_secure);
        if secure { "https" } else { "http" }
    }

    /// Whether the request came over TLS (`https` or `wss`).
    pub fn is_secure(&self) -> bool {
        let scheme = self.scheme();
        scheme.eq_ignore_ascii_case("https") || scheme.eq_ignore_ascii_case("wss")
    }

    /// `scheme://host/`, without the port when it is the scheme's default:
    /// `https://example.com/`, `http://[::1]:8080/`.
    pub fn host_url(&self) -> Result<String, HttpError> {
        let mut url = self.origin_url()?;
        url.push('/');
        Ok(url)
    }

    /// [`host_url`](Self::host_url) followed by the [`MountPrefix`]:
    /// `https://example.com/api/`, the URL the mounted application lives at.
    pub fn root_url(&self) -> Result<String, HttpError> {
        let mut url = self.origin_url()?;
        if let Some(prefix) = MountPrefix::from_extensions(self.inner.extensions()) {
            url.push_str(prefix.as_str().trim_end_matches('/'));
        }
        url.push('/');
        Ok(url)
    }

    /// The URL the client asked for without the query:
    /// `https://example.com/api/users`. The path is the
    /// [`original_uri`](Self::original_uri)'s, still percent-encoded.
    pub fn base_url(&self) -> Result<String, HttpError> {
        let mut url = self.origin_url()?;
        url.push_str(self.original_uri().path());
        Ok(url)
    }

    /// The full URL the client asked for, query included:
    /// `https://example.com/api/users?page=2`.
    pub fn url(&self) -> Result<String, HttpError> {
        let mut url = self.base_url()?;
        if let Some(query) = self.original_uri().query() {
            url.push('?');
            url.push_str(query);
        }
        Ok(url)
    }

    /// The path of the route named `name` with `params` filled in, from
    /// the router's [`UrlBuilder`] (Werkzeug's `url_for`): `/api/users/42`.
    /// Parameters the route does not take become the query string.
    pub fn url_for(&self, name: &str, params: &[(&str, &str)]) -> Result<String, BuildUrlError> {
        UrlBuilder::from_extensions(self.inner.extensions())
            .ok_or_else(BuildUrlError::no_builder)?
            .url_for(name, params)
    }

    /// [`url_for`](Self::url_for) as an absolute URL, the scheme and host
    /// taken from this request: `https://example.com/api/users/42`
    /// (Werkzeug's `_external=True`). A build error is a `500`; a bad or
    /// untrusted host is the `400` of [`host`](Self::host).
    pub fn external_url_for(
        &self,
        name: &str,
        params: &[(&str, &str)],
    ) -> Result<String, HttpError> {
        let path = self.url_for(name, params)?;
        let mut url = self.origin_url()?;
        url.push_str(&path);
        Ok(url)
    }

    /// `scheme://host[:port]`, the port left out when it is the default.
    fn origin_url(&self) -> Result<String, HttpError> {
        let host = self.host()?;
        let scheme = self.scheme();
        let mut url = String::with_capacity(scheme.len() + host.as_str().len() + 16);
        url.push_str(scheme);
        url.push_str("://");
        url.push_str(host.hostname());
        // `Host::without_default_port` would need a clone of the cached host.
        if let Some(port) = host.port() {
            let default =
                if scheme.eq_ignore_ascii_case("https") || scheme.eq_ignore_ascii_case("wss") {
                    443
                } else if scheme.eq_ignore_ascii_case("http") || scheme.eq_ignore_ascii_case("ws") {
                    80
                } else {
                    0
                };
            if port != default {
                let _ = write!(url, ":{port}");
            }
        }
        Ok(url)
    }
}
