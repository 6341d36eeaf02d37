//! Node identifiers (RFC 7239 §6): the client or proxy interface a
//! forwarded request came from (`for`) or arrived at (`by`).

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::str::FromStr;

use crate::ParseError;
use crate::host::parse_port;

const WHAT: &str = "Forwarded node";

/// An obfuscated identifier (RFC 7239 §6.3): `_` followed by letters,
/// digits, `.`, `_` or `-`, e.g. `_hidden`. A proxy uses one to tell its
/// interfaces or clients apart without revealing addresses. Compared
/// case-sensitively, as it is opaque.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ObfuscatedId(String);

impl ObfuscatedId {
    /// Validates an identifier; `None` when `id` does not follow the grammar.
    pub fn new(id: &str) -> Option<ObfuscatedId> {
        is_obfuscated(id).then(|| ObfuscatedId(id.to_string()))
    }

    /// The identifier, leading `_` included.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ObfuscatedId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

fn is_obfuscated(s: &str) -> bool {
    s.len() > 1
        && s.starts_with('_')
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}

/// The name part of a node: an address, `unknown`, or an obfuscated id.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum NodeName {
    /// An IPv4 or IPv6 address (written bracketed on the wire).
    Ip(IpAddr),
    /// `unknown`: the proxy does not know, or will not say, who it is.
    Unknown,
    /// An obfuscated identifier such as `_hidden`.
    Obfuscated(ObfuscatedId),
}

/// The port part of a node: a number, or an obfuscated id (`_port`).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum NodePort {
    /// A TCP port.
    Number(u16),
    /// An obfuscated identifier in place of the port.
    Obfuscated(ObfuscatedId),
}

/// A node of a `Forwarded` `for`/`by` parameter or an `X-Forwarded-For`
/// entry: a name and an optional port, e.g. `192.0.2.43`,
/// `[2001:db8:cafe::17]:4711`, `unknown`, `_hidden:_port`.
///
/// [`Display`](fmt::Display) writes the RFC 7239 form without the quotes a
/// `Forwarded` header adds around values with `:` or `[`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ForwardedNode {
    name: NodeName,
    port: Option<NodePort>,
}

impl ForwardedNode {
    /// A node from its parts.
    pub fn new(name: NodeName, port: Option<NodePort>) -> ForwardedNode {
        ForwardedNode { name, port }
    }

    /// The `unknown` node.
    pub fn unknown() -> ForwardedNode {
        ForwardedNode::new(NodeName::Unknown, None)
    }

    /// The name part.
    pub fn name(&self) -> &NodeName {
        &self.name
    }

    /// The port part, when given.
    pub fn port(&self) -> Option<&NodePort> {
        self.port.as_ref()
    }

    /// The address, when the name is one.
    pub fn ip(&self) -> Option<IpAddr> {
        match self.name {
            NodeName::Ip(ip) => Some(ip),
            _ => None,
        }
    }

    /// The socket address, when both the address and a numeric port are
    /// given.
    pub fn socket_addr(&self) -> Option<SocketAddr> {
        match (&self.name, &self.port) {
            (NodeName::Ip(ip), Some(NodePort::Number(port))) => Some(SocketAddr::new(*ip, *port)),
            _ => None,
        }
    }

    /// Reads an `X-Forwarded-For` entry, which also allows a bare IPv6
    /// address (`2001:db8::17`, no port possible) as proxies write it.
    pub(crate) fn parse_x_forwarded_for(s: &str) -> Option<ForwardedNode> {
        if !s.starts_with('[') && s.bytes().filter(|&b| b == b':').nth(1).is_some() {
            return Ipv6Addr::from_str(s)
                .ok()
                .map(|ip| ForwardedNode::from(IpAddr::V6(ip)));
        }
        s.parse().ok()
    }
}

impl From<IpAddr> for ForwardedNode {
    fn from(ip: IpAddr) -> ForwardedNode {
        ForwardedNode::new(NodeName::Ip(ip), None)
    }
}

impl From<SocketAddr> for ForwardedNode {
    fn from(addr: SocketAddr) -> ForwardedNode {
        ForwardedNode::new(NodeName::Ip(addr.ip()), Some(NodePort::Number(addr.port())))
    }
}

impl FromStr for ForwardedNode {
    type Err = ParseError;

    /// Parses the RFC 7239 form (unquoted): IPv6 only in brackets;
    /// `unknown` in any case.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (name, port) = if let Some(rest) = s.strip_prefix('[') {
            let (inside, after) = rest
                .split_once(']')
                .ok_or_else(|| ParseError::invalid(WHAT, "unclosed '['"))?;
            let ip = Ipv6Addr::from_str(inside)
                .map_err(|_| ParseError::invalid(WHAT, "invalid IPv6 address"))?;
            let port = match after {
                "" => None,
                _ => Some(
                    after
                        .strip_prefix(':')
                        .ok_or_else(|| ParseError::invalid(WHAT, "unexpected text after ']'"))?,
                ),
            };
            (NodeName::Ip(IpAddr::V6(ip)), port)
        } else {
            let (name, port) = match s.split_once(':') {
                Some((name, port)) => (name, Some(port)),
                None => (s, None),
            };
            let name = if name.eq_ignore_ascii_case("unknown") {
                NodeName::Unknown
            } else if let Some(id) = ObfuscatedId::new(name) {
                NodeName::Obfuscated(id)
            } else {
                let ip = Ipv4Addr::from_str(name).map_err(|_| {
                    ParseError::invalid(WHAT, "not an address, 'unknown' or '_obfuscated'")
                })?;
                NodeName::Ip(IpAddr::V4(ip))
            };
            (name, port)
        };
        let port = match port {
            None => None,
            Some(p) => Some(match (parse_port(p), ObfuscatedId::new(p)) {
                (Some(n), _) => NodePort::Number(n),
                (None, Some(id)) => NodePort::Obfuscated(id),
                (None, None) => return Err(ParseError::invalid(WHAT, "invalid port")),
            }),
        };
        Ok(ForwardedNode { name, port })
    }
}

impl fmt::Display for NodeName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NodeName::Ip(IpAddr::V4(ip)) => write!(f, "{ip}"),
            NodeName::Ip(IpAddr::V6(ip)) => write!(f, "[{ip}]"),
            NodeName::Unknown => f.write_str("unknown"),
            NodeName::Obfuscated(id) => f.write_str(id.as_str()),
        }
    }
}

impl fmt::Display for NodePort {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NodePort::Number(n) => write!(f, "{n}"),
            NodePort::Obfuscated(id) => f.write_str(id.as_str()),
        }
    }
}

impl fmt::Display for ForwardedNode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.name)?;
        if let Some(port) = &self.port {
            write!(f, ":{port}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn node_table() {
        // RFC 7239 §6 node forms, and what is not a node.
        let cases: &[(&str, Option<&str>)] = &[
            ("192.0.2.43", Some("192.0.2.43")),
            ("192.0.2.43:47011", Some("192.0.2.43:47011")),
            ("[2001:db8:cafe::17]", Some("[2001:db8:cafe::17]")),
            ("[2001:db8:cafe::17]:4711", Some("[2001:db8:cafe::17]:4711")),
            ("[2001:DB8:CAFE:0::17]", Some("[2001:db8:cafe::17]")),
            ("unknown", Some("unknown")),
            ("UNKNOWN", Some("unknown")),
            ("unknown:_p", Some("unknown:_p")),
            ("_gazonk", Some("_gazonk")),
            ("_hidden", Some("_hidden")),
            ("_SEVKISEK", Some("_SEVKISEK")),
            ("_a.b-c_d:_e.f", Some("_a.b-c_d:_e.f")),
            ("192.0.2.43:_p1", Some("192.0.2.43:_p1")),
            ("", None),
            ("_", None),
            ("_a b", None),
            ("_a!", None),
            ("hidden", None),
            ("2001:db8::17", None),
            ("[2001:db8::17", None),
            ("[2001:db8::17]x", None),
            ("[2001:db8::17]:", None),
            ("192.0.2.43:", None),
            ("192.0.2.43:65536", None),
            ("192.0.2.43:http", None),
            ("192.0.2.43:_", None),
            ("192.0.2", None),
            ("192.0.2.043", None),
            ("[192.0.2.43]", None),
            ("example.com", None),
            ("192.0.2.43:80:80", None),
        ];
        for (input, want) in cases {
            let got = input.parse::<ForwardedNode>().ok().map(|n| n.to_string());
            assert_eq!(got.as_deref(), *want, "{input:?}");
        }
    }

    #[test]
    fn x_forwarded_for_entries_allow_bare_ipv6() {
        let node = ForwardedNode::parse_x_forwarded_for("2001:db8:cafe::17").unwrap();
        assert_eq!(node.to_string(), "[2001:db8:cafe::17]");
        let node = ForwardedNode::parse_x_forwarded_for("192.0.2.1:80").unwrap();
        assert_eq!(node.socket_addr(), Some("192.0.2.1:80".parse().unwrap()));
        assert!(ForwardedNode::parse_x_forwarded_for("2001:db8::17:80:x").is_none());
    }

    #[test]
    fn accessors() {
        let node: ForwardedNode = "[::1]:8080".parse().unwrap();
        assert_eq!(node.ip(), Some(IpAddr::V6(Ipv6Addr::LOCALHOST)));
        assert_eq!(node.port(), Some(&NodePort::Number(8080)));
        assert_eq!(node.name(), &NodeName::Ip(IpAddr::V6(Ipv6Addr::LOCALHOST)));
        assert_eq!(ForwardedNode::unknown().ip(), None);
        assert_eq!(ForwardedNode::unknown().socket_addr(), None);
        let addr: SocketAddr = "192.0.2.1:1".parse().unwrap();
        assert_eq!(ForwardedNode::from(addr).socket_addr(), Some(addr));
        assert_eq!(ObfuscatedId::new("_x").unwrap().as_str(), "_x");
        assert!(ObfuscatedId::new("x").is_none());
    }

    pub(crate) fn obfuscated_strategy() -> impl Strategy<Value = ObfuscatedId> {
        "_[A-Za-z0-9._-]{1,12}".prop_map(|s| ObfuscatedId::new(&s).unwrap())
    }

    pub(crate) fn node_strategy() -> impl Strategy<Value = ForwardedNode> {
        let name = prop_oneof![
            any::<IpAddr>().prop_map(NodeName::Ip),
            Just(NodeName::Unknown),
            obfuscated_strategy().prop_map(NodeName::Obfuscated),
        ];
        let port = proptest::option::of(prop_oneof![
            any::<u16>().prop_map(NodePort::Number),
            obfuscated_strategy().prop_map(NodePort::Obfuscated),
        ]);
        (name, port).prop_map(|(name, port)| ForwardedNode::new(name, port))
    }

    proptest! {
        #[test]
        fn node_round_trips(node in node_strategy()) {
            prop_assert_eq!(node.to_string().parse::<ForwardedNode>(), Ok(node.clone()));
            prop_assert_eq!(ForwardedNode::parse_x_forwarded_for(&node.to_string()), Some(node));
        }
    }
}
