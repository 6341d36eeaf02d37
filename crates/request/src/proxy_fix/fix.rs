//! Reading the trusted values and rewriting the request with them, in the
//! order Werkzeug applies them: address, scheme, host, port, prefix.

use std::net::SocketAddr;

use http::header::HOST;
use http::uri::{Authority, PathAndQuery, Scheme};
use http::{HeaderMap, HeaderValue, Uri};
use tackle_http::proxy::{Forwarded, ForwardedNode, NodePort, XForwarded};
use tackle_http::{Host, TypedHeader};

use super::{ProxyFixLayer, ProxyFixOriginal};
use crate::extensions::{ConnectionInfo, MountPrefix, OriginalUri};

/// What the trusted proxies said; `None` where a header is untrusted,
/// absent, too short or invalid.
struct Trusted<'a> {
    client: Option<ForwardedNode>,
    /// Lowercase, so that it compares as a scheme.
    proto: Option<String>,
    host: Option<Host>,
    port: Option<u16>,
    prefix: Option<&'a str>,
}

impl ProxyFixLayer {
    fn trusted<'a>(&self, headers: &'a HeaderMap) -> Trusted<'a> {
        let x = XForwarded::new(headers);
        let prefix = x.prefix(self.x_prefix);
        match self.forwarded {
            None => Trusted {
                client: x.for_node(self.x_for),
                proto: x.proto(self.x_proto).map(str::to_ascii_lowercase),
                host: x.host(self.x_host),
                port: x.port(self.x_port),
                prefix,
            },
            Some(n) => {
                let forwarded = Forwarded::from_headers(headers).and_then(Result::ok);
                let element = forwarded.as_ref().and_then(|f| f.trusted_element(n));
                Trusted {
                    client: element.and_then(|e| e.for_node()).cloned(),
                    proto: element.and_then(|e| e.proto()).map(str::to_ascii_lowercase),
                    host: element.and_then(|e| e.host()).cloned(),
                    port: None,
                    prefix,
                }
            }
        }
    }

    /// Rewrites `request` from the trusted headers and records what it was.
    pub(super) fn apply<B>(&self, request: &mut http::Request<B>) {
        let original = original(request);
        let was_secure =
            ConnectionInfo::from_request(request).is_some_and(ConnectionInfo::is_secure);
        let trusted = self.trusted(request.headers());
        let Trusted {
            client,
            proto,
            host,
            port,
            prefix,
        } = trusted;
        // The prefix borrows the headers, which change below.
        let prefix = prefix.map(|p| p.trim_end_matches('/').to_owned());

        if client.is_some() || proto.is_some() {
            let secure = match &proto {
                Some(proto) => proto == "https" || proto == "wss",
                None => was_secure,
            };
            let remote_addr = match &client {
                Some(node) => client_addr(node, original.remote_addr),
                None => original.remote_addr,
            };
            let info = match remote_addr {
                Some(addr) => ConnectionInfo::new(addr),
                None => ConnectionInfo::default(),
            };
            request.extensions_mut().insert(info.with_secure(secure));
        }

        let host = match port {
            Some(port) => host
                .or_else(|| current_host(request))
                .map(|h| h.with_port(Some(port))),
            None => host,
        };
        let scheme = proto.and_then(|p| Scheme::try_from(p.as_str()).ok());
        if host.is_some() || scheme.is_some() {
            rewrite_uri(request, scheme, host.as_ref());
        }
        if let Some(host) = &host {
            if let Ok(value) = HeaderValue::from_str(host.as_str()) {
                request.headers_mut().insert(HOST, value);
            }
        }

        if let Some(prefix) = prefix.filter(|p| !p.is_empty()) {
            add_prefix(request, &prefix, original.prefix.as_ref());
        }
        request.extensions_mut().insert(original);
    }
}

fn original<B>(request: &http::Request<B>) -> ProxyFixOriginal {
    let extensions = request.extensions();
    let info = ConnectionInfo::from_extensions(extensions);
    let remote_addr = info
        .and_then(ConnectionInfo::remote_addr)
        .or_else(|| extensions.get::<SocketAddr>().copied());
    let scheme = match request.uri().scheme() {
        Some(scheme) => scheme.clone(),
        None if info.is_some_and(ConnectionInfo::is_secure) => Scheme::HTTPS,
        None => Scheme::HTTP,
    };
    let host = match request.uri().authority() {
        Some(authority) => HeaderValue::from_str(authority.as_str()).ok(),
        None => request.headers().get(HOST).cloned(),
    };
    ProxyFixOriginal {
        remote_addr,
        scheme,
        host,
        prefix: MountPrefix::from_extensions(extensions).cloned(),
    }
}

/// The client's socket address: its port when the proxy gave one, else the
/// connection's (a proxy rarely knows the client's port, and a
/// `SocketAddr` needs one). `None` for `unknown` and obfuscated nodes: the
/// proxy's own address would be the wrong answer.
fn client_addr(node: &ForwardedNode, connection: Option<SocketAddr>) -> Option<SocketAddr> {
    let ip = node.ip()?;
    let port = match node.port() {
        Some(NodePort::Number(port)) => *port,
        _ => connection.map_or(0, |addr| addr.port()),
    };
    Some(SocketAddr::new(ip, port))
}

/// The host the request names now, as `Request::host` reads it.
fn current_host<B>(request: &http::Request<B>) -> Option<Host> {
    match request.uri().authority() {
        Some(authority) => Host::new(authority.host(), authority.port_u16()).ok(),
        None => Host::from_headers(request.headers()).and_then(Result::ok),
    }
}

/// Replaces the scheme and authority of a URI that has them (absolute form,
/// or HTTP/2's `:scheme` and `:authority`); an origin-form URI is left
/// alone, the `Host` header and `ConnectionInfo` carrying the change.
fn rewrite_uri<B>(request: &mut http::Request<B>, scheme: Option<Scheme>, host: Option<&Host>) {
    let uri = request.uri();
    if uri.scheme().is_none() && uri.authority().is_none() {
        return;
    }
    let mut parts = uri.clone().into_parts();
    if parts.scheme.is_some() {
        if let Some(scheme) = scheme {
            parts.scheme = Some(scheme);
        }
    }
    if parts.authority.is_some() {
        if let Some(authority) = host.and_then(|h| Authority::try_from(h.as_str()).ok()) {
            parts.authority = Some(authority);
        }
    }
    if let Ok(uri) = Uri::from_parts(parts) {
        *request.uri_mut() = uri;
    }
}

/// Puts the proxy's prefix in front of the mount prefix and of the path the
/// client sent, since the proxy removed it before forwarding.
fn add_prefix<B>(request: &mut http::Request<B>, prefix: &str, mounted: Option<&MountPrefix>) {
    let mount = match mounted {
        Some(mounted) => format!("{prefix}{}", mounted.as_str()),
        None => prefix.to_owned(),
    };
    request.extensions_mut().insert(MountPrefix::new(mount));

    let sent = OriginalUri::from_request(request).map_or(request.uri(), OriginalUri::uri);
    let path_and_query = sent.path_and_query().map_or("/", PathAndQuery::as_str);
    let mut parts = sent.clone().into_parts();
    let with_prefix = PathAndQuery::try_from(format!("{prefix}{path_and_query}"));
    if let Ok(path_and_query) = with_prefix {
        parts.path_and_query = Some(path_and_query);
        if let Ok(uri) = Uri::from_parts(parts) {
            request.extensions_mut().insert(OriginalUri(uri));
        }
    }
}
