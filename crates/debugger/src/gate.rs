//! Who may see debugger pages: loopback peers naming a trusted host.

use std::net::IpAddr;

use http::Request;
use tackle_request::ConnectionInfo;

/// Whether `request` may see debugger pages: its peer (from
/// [`ConnectionInfo`]; unknown = denied) is a loopback address and its
/// `Host` (or the URI's authority) is trusted.
pub(crate) fn allows<B>(request: &Request<B>, trusted_hosts: &[String]) -> bool {
    let peer =
        ConnectionInfo::from_extensions(request.extensions()).and_then(ConnectionInfo::remote_addr);
    let Some(peer) = peer else { return false };
    if !is_loopback(peer.ip()) {
        return false;
    }
    let host = match request.headers().get(http::header::HOST) {
        Some(value) => match value.to_str() {
            Ok(host) => host,
            Err(_) => return false,
        },
        None => match request.uri().authority() {
            Some(authority) => authority.as_str(),
            None => return false,
        },
    };
    host_is_trusted(host, trusted_hosts)
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

/// Whether a `Host` value (`name[:port]`, `[v6][:port]`) names
/// `localhost`, a `*.localhost` name, `127.0.0.1`, `[::1]` or one of
/// `trusted` (case-insensitive, any port).
pub(crate) fn host_is_trusted(host: &str, trusted: &[String]) -> bool {
    let Some(name) = host_name(host) else {
        return false;
    };
    let name = name.to_ascii_lowercase();
    if name == "localhost" || name == "127.0.0.1" || name == "[::1]" {
        return true;
    }
    if let Some(sub) = name.strip_suffix(".localhost") {
        return !sub.is_empty()
            && sub
                .split('.')
                .all(|label| !label.is_empty() && label.bytes().all(is_label_byte));
    }
    trusted.iter().any(|t| t.eq_ignore_ascii_case(&name))
}

fn is_label_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'-' || b == b'_'
}

/// The name part of a `Host` value, its port (digits only) removed;
/// `None` when malformed.
fn host_name(host: &str) -> Option<&str> {
    if host.is_empty() {
        return None;
    }
    let (name, port) = if host.starts_with('[') {
        let end = host.find(']')?;
        let (name, rest) = host.split_at(end + 1);
        match rest {
            "" => (name, None),
            _ => (name, Some(rest.strip_prefix(':')?)),
        }
    } else {
        match host.rsplit_once(':') {
            Some((name, port)) => (name, Some(port)),
            None => (host, None),
        }
    };
    if let Some(port) = port {
        if port.is_empty() || port.len() > 5 || !port.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
    }
    if name.is_empty() || name.contains(['@', '/', '\\', ' ', ':']) && !name.starts_with('[') {
        return None;
    }
    Some(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts() {
        let trusted = vec!["dev.example.test".to_owned()];
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
            assert!(host_is_trusted(ok, &trusted), "{ok}");
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
            assert!(!host_is_trusted(bad, &trusted), "{bad}");
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
            allows(&request, &[])
        };
        assert!(with(Some("127.0.0.1:5000"), Some("localhost:3000")));
        assert!(with(Some("[::1]:5000"), Some("[::1]:3000")));
        assert!(!with(None, Some("localhost")));
        assert!(!with(Some("10.1.2.3:5000"), Some("localhost")));
        assert!(!with(Some("127.0.0.1:5000"), Some("evil.example")));
        assert!(!with(Some("127.0.0.1:5000"), None));
    }
}
