//! Who may see debugger pages: loopback peers, or peers on the allow list
//! (with the PIN), naming a trusted host.

use std::net::IpAddr;

use http::{HeaderMap, Request, Uri};
use tackle_http::{ParseError, TrustedHosts};
use tackle_request::ConnectionInfo;

/// What a request may do with the debugger.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Access {
    /// Nothing: the layer stays out of its way.
    Denied,
    /// A loopback peer: pages without the PIN, actions with it.
    Local,
    /// A peer on the allow list: everything needs the PIN, viewing too.
    PinFirst,
}

/// A network on the allow list: an address and a prefix length.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Network {
    pub(crate) addr: IpAddr,
    pub(crate) prefix: u8,
}

impl Network {
    pub(crate) fn contains(&self, ip: IpAddr) -> bool {
        let ip = match (self.addr, ip) {
            (IpAddr::V4(_), IpAddr::V6(v6)) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
            _ => ip,
        };
        match (self.addr, ip) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                let bits = u32::from(self.prefix.min(32));
                let mask = u32::MAX.checked_shl(32 - bits).unwrap_or(0);
                u32::from(net) & mask == u32::from(ip) & mask
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                let bits = u32::from(self.prefix.min(128));
                let mask = u128::MAX.checked_shl(128 - bits).unwrap_or(0);
                u128::from(net) & mask == u128::from(ip) & mask
            }
            _ => false,
        }
    }
}

/// What the peer alone allows, before the `Host` is looked at: a request
/// that fails is checked with [`host_is_trusted`] then, so that requests
/// that succeed never pay for it.
pub(crate) fn peer_access<B>(request: &Request<B>, allowed: &[Network]) -> Access {
    let peer =
        ConnectionInfo::from_extensions(request.extensions()).and_then(ConnectionInfo::remote_addr);
    match peer {
        Some(peer) if is_loopback(peer.ip()) => Access::Local,
        Some(peer) if allowed.iter().any(|net| net.contains(peer.ip())) => Access::PinFirst,
        _ => Access::Denied,
    }
}

/// Whether the request's `Host` (or, without one, its URI's authority) is
/// trusted.
pub(crate) fn host_is_trusted(headers: &HeaderMap, uri: &Uri, trusted: &TrustedHosts) -> bool {
    let host = match headers.get(http::header::HOST) {
        Some(value) => match value.to_str() {
            Ok(host) => host,
            Err(_) => return false,
        },
        None => match uri.authority() {
            Some(authority) => authority.as_str(),
            None => return false,
        },
    };
    trusted.matches_str(host)
}

/// `127.0.0.0/8`, `::1`, and IPv4-mapped `::ffff:127.x.y.z`.
pub(crate) fn is_loopback(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => v4.is_loopback(),
        IpAddr::V6(v6) => {
            v6.is_loopback() || v6.to_ipv4_mapped().is_some_and(|v4| v4.is_loopback())
        }
    }
}

/// The `Host` names always trusted: `localhost` and its subdomains and the
/// loopback addresses; then `extra` patterns (see
/// [`TrustedHosts`](tackle_http::TrustedHosts): `name` exactly, `.name`
/// with its subdomains).
pub(crate) fn trusted_hosts(extra: &[String]) -> Result<TrustedHosts, ParseError> {
    TrustedHosts::new(
        [".localhost", "127.0.0.1", "[::1]"]
            .into_iter()
            .chain(extra.iter().map(String::as_str)),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What `request` may do: by its peer (from [`ConnectionInfo`]; unknown =
    /// denied), loopback or on `allowed`, and its `Host` (or the URI's
    /// authority), which must be trusted either way.
    fn access<B>(
        request: &Request<B>,
        trusted_hosts: &TrustedHosts,
        allowed: &[Network],
    ) -> Access {
        match peer_access(request, allowed) {
            Access::Denied => Access::Denied,
            _ if !host_is_trusted(request.headers(), request.uri(), trusted_hosts) => {
                Access::Denied
            }
            access => access,
        }
    }

    #[test]
    fn hosts() {
        let trusted = trusted_hosts(&["dev.example.test".to_owned()]).unwrap();
        for ok in [
            "localhost",
            "localhost:3000",
            "LOCALHOST:80",
            "app.localhost",
            "a.b.localhost:8080",
            "127.0.0.1",
            "127.0.0.1:8000",
            "[::1]",
            "[::1]:3000",
            "dev.example.test",
            "Dev.Example.Test:443",
        ] {
            assert!(trusted.matches_str(ok), "{ok}");
        }
        for bad in [
            "",
            "evil.example",
            "localhost.evil.example",
            "evillocalhost",
            ".localhost",
            "a..localhost",
            "127.0.0.2",
            "127.0.0.1.nip.io",
            "[::2]",
            "[::1]x",
            "localhost:",
            "localhost:abc",
            "localhost:3000:1",
            "user@localhost",
            "10.0.0.1:80",
            "example.test",
        ] {
            assert!(!trusted.matches_str(bad), "{bad}");
        }
    }

    #[test]
    fn loopback() {
        for ok in ["127.0.0.1", "127.1.2.3", "::1", "::ffff:127.0.0.1"] {
            assert!(is_loopback(ok.parse().unwrap()), "{ok}");
        }
        for bad in [
            "10.0.0.1",
            "0.0.0.0",
            "::",
            "::ffff:10.0.0.1",
            "192.168.1.1",
        ] {
            assert!(!is_loopback(bad.parse().unwrap()), "{bad}");
        }
    }

    #[test]
    fn requests() {
        let allowed = [Network {
            addr: "10.1.0.0".parse().unwrap(),
            prefix: 16,
        }];
        let with = |peer: Option<&str>, host: Option<&str>| {
            let mut request = Request::new(());
            if let Some(peer) = peer {
                request
                    .extensions_mut()
                    .insert(ConnectionInfo::new(peer.parse().unwrap()));
            }
            if let Some(host) = host {
                request
                    .headers_mut()
                    .insert(http::header::HOST, host.parse().unwrap());
            }
            access(&request, &trusted_hosts(&[]).unwrap(), &allowed)
        };
        assert_eq!(
            with(Some("127.0.0.1:5000"), Some("localhost:3000")),
            Access::Local
        );
        assert_eq!(with(Some("[::1]:5000"), Some("[::1]:3000")), Access::Local);
        assert_eq!(with(None, Some("localhost")), Access::Denied);
        assert_eq!(
            with(Some("10.2.3.4:5000"), Some("localhost")),
            Access::Denied
        );
        assert_eq!(
            with(Some("10.1.2.3:5000"), Some("localhost")),
            Access::PinFirst
        );
        assert_eq!(
            with(Some("[::ffff:10.1.2.3]:5000"), Some("localhost")),
            Access::PinFirst
        );
        assert_eq!(
            with(Some("10.1.2.3:5000"), Some("evil.example")),
            Access::Denied
        );
        assert_eq!(
            with(Some("127.0.0.1:5000"), Some("evil.example")),
            Access::Denied
        );
        assert_eq!(with(Some("127.0.0.1:5000"), None), Access::Denied);
    }

    #[test]
    fn networks() {
        let net = |a: &str, p| Network {
            addr: a.parse().unwrap(),
            prefix: p,
        };
        assert!(net("192.168.1.0", 24).contains("192.168.1.77".parse().unwrap()));
        assert!(!net("192.168.1.0", 24).contains("192.168.2.1".parse().unwrap()));
        assert!(net("192.168.1.7", 32).contains("192.168.1.7".parse().unwrap()));
        assert!(!net("192.168.1.7", 32).contains("192.168.1.8".parse().unwrap()));
        assert!(net("0.0.0.0", 0).contains("8.8.8.8".parse().unwrap()));
        assert!(net("fd00::", 8).contains("fd12::1".parse().unwrap()));
        assert!(!net("fd00::", 8).contains("fe80::1".parse().unwrap()));
        assert!(!net("fd00::", 8).contains("10.0.0.1".parse().unwrap()));
    }
}
