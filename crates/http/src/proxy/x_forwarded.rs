//! The de-facto `X-Forwarded-For`, `-Proto`, `-Host`, `-Port` and `-Prefix`
//! headers, read the way Werkzeug's `ProxyFix` reads them: each proxy
//! appends one entry, so with `n` trusted proxies the `n`-th entry from the
//! right is the last one a client could not forge.

use std::fmt::{self, Write as _};
use std::net::IpAddr;
use std::str::FromStr;

use http::header::AsHeaderName;
use http::{HeaderMap, HeaderName, HeaderValue};

use super::forwarded::is_scheme;
use super::node::{ForwardedNode, NodeName};
use crate::header::header_value;
use crate::host::parse_port;
use crate::{Host, ParseError, TypedHeader};

/// `X-Forwarded-For`: the client address, then each proxy's peer.
pub const X_FORWARDED_FOR: HeaderName = HeaderName::from_static("x-forwarded-for");
/// `X-Forwarded-Proto`: the scheme the client used.
pub const X_FORWARDED_PROTO: HeaderName = HeaderName::from_static("x-forwarded-proto");
/// `X-Forwarded-Host`: the `Host` header the client sent.
pub const X_FORWARDED_HOST: HeaderName = HeaderName::from_static("x-forwarded-host");
/// `X-Forwarded-Port`: the port the client connected to.
pub const X_FORWARDED_PORT: HeaderName = HeaderName::from_static("x-forwarded-port");
/// `X-Forwarded-Prefix`: the path prefix the proxy removed.
pub const X_FORWARDED_PREFIX: HeaderName = HeaderName::from_static("x-forwarded-prefix");

/// The most entries an [`XForwardedFor`] value may hold; more is an error
/// (`is_too_large`). [`trusted_list_value`] has no limit: it reads only
/// from the right.
pub const MAX_X_FORWARDED_FOR_ENTRIES: usize = 100;

/// The entry of a comma-separated header that the outermost of
/// `trusted_proxies` proxies appended: the `trusted_proxies`-th non-empty
/// entry from the right, across all lines of the header (later lines are
/// further right). `None` when `trusted_proxies` is 0, when there are fewer
/// entries, or when that entry is not UTF-8, as Werkzeug's `ProxyFix` does.
///
/// Entries are split at every comma, quotes or not: these headers never
/// quote, and honouring quotes would let a client's unterminated quote
/// swallow the entries its proxies append. Empty entries are skipped as in
/// any HTTP list; trusted proxies never write them, so skipping cannot move
/// a trusted position. Only the entries right of the answer are read, so
/// the time is independent of how much a client prepends.
pub fn trusted_list_value<K: AsHeaderName>(
    headers: &HeaderMap,
    name: K,
    trusted_proxies: usize,
) -> Option<&str> {
    let mut remaining = trusted_proxies;
    if remaining == 0 {
        return None;
    }
    for line in headers.get_all(name).iter().rev() {
        for entry in line.as_bytes().rsplit(|&b| b == b',') {
            let entry = entry.trim_ascii();
            if entry.is_empty() {
                continue;
            }
            remaining -= 1;
            if remaining == 0 {
                return std::str::from_utf8(entry).ok();
            }
        }
    }
    None
}

/// The `X-Forwarded-*` headers of a request, each read at a chosen number of
/// trusted proxies (see [`trusted_list_value`]), typed and validated.
///
/// An entry that is absent or invalid reads as `None`, so the caller keeps
/// what it knew without the header, as `ProxyFix` ignores empty values.
/// Trust is per header, as in `ProxyFix(x_for=1, x_proto=1, x_host=0, ...)`:
/// a count of 0 means "not set by a trusted proxy" and always gives `None`.
///
/// ```
/// use http::HeaderMap;
/// use tackle_http::proxy::XForwarded;
///
/// let mut headers = HeaderMap::new();
/// headers.insert("x-forwarded-for", "203.0.113.9, 192.0.2.1".parse().unwrap());
/// headers.insert("x-forwarded-proto", "https".parse().unwrap());
/// let xf = XForwarded::new(&headers);
/// assert_eq!(xf.for_node(1).unwrap().to_string(), "192.0.2.1");
/// assert_eq!(xf.for_node(2).unwrap().to_string(), "203.0.113.9");
/// assert_eq!(xf.proto(1), Some("https"));
/// assert_eq!(xf.host(1), None);
/// ```
#[derive(Clone, Copy, Debug)]
pub struct XForwarded<'a> {
    headers: &'a HeaderMap,
}

impl<'a> XForwarded<'a> {
    /// Reads the headers of `headers`; nothing is parsed until asked.
    pub fn new(headers: &'a HeaderMap) -> XForwarded<'a> {
        XForwarded { headers }
    }

    /// `X-Forwarded-For`: the client as the outermost trusted proxy saw it.
    /// Entries may be IPv4, bare or bracketed IPv6, either with a port,
    /// `unknown`, or obfuscated (`_hidden`).
    pub fn for_node(&self, trusted_proxies: usize) -> Option<ForwardedNode> {
        let entry = trusted_list_value(self.headers, X_FORWARDED_FOR, trusted_proxies)?;
        ForwardedNode::parse_x_forwarded_for(entry)
    }

    /// `X-Forwarded-Proto`: a URI scheme such as `https`, as sent (compare it
    /// case-insensitively).
    pub fn proto(&self, trusted_proxies: usize) -> Option<&'a str> {
        trusted_list_value(self.headers, X_FORWARDED_PROTO, trusted_proxies)
            .filter(|p| is_scheme(p))
    }

    /// `X-Forwarded-Host`: the host the client asked for, validated as a
    /// [`Host`].
    pub fn host(&self, trusted_proxies: usize) -> Option<Host> {
        trusted_list_value(self.headers, X_FORWARDED_HOST, trusted_proxies)
            .and_then(|h| Host::from_str(h).ok())
    }

    /// `X-Forwarded-Port`: 1 to 5 digits, at most 65535.
    pub fn port(&self, trusted_proxies: usize) -> Option<u16> {
        trusted_list_value(self.headers, X_FORWARDED_PORT, trusted_proxies).and_then(parse_port)
    }

    /// `X-Forwarded-Prefix`: the path the application is mounted under, as
    /// sent. It must start with `/`, not `//` (a URL built from it would
    /// leave the site), and hold only visible ASCII other than `\`, `?` and
    /// `#`.
    pub fn prefix(&self, trusted_proxies: usize) -> Option<&'a str> {
        trusted_list_value(self.headers, X_FORWARDED_PREFIX, trusted_proxies).filter(|p| {
            p.starts_with('/')
                && !p.starts_with("//")
                && p.bytes()
                    .all(|b| b.is_ascii_graphic() && !matches!(b, b'\\' | b'?' | b'#'))
        })
    }
}

/// The `X-Forwarded-For` header as a whole: client first, nearest proxy
/// last. For deciding whom to trust, use [`XForwarded::for_node`], which
/// reads positions from the right and tolerates junk on the left; this type
/// is for proxies that build the header.
///
/// Parsing rejects the value if any entry is not a node (see
/// [`XForwarded::for_node`]) or if it has more than
/// [`MAX_X_FORWARDED_FOR_ENTRIES`]; empty entries are skipped. IPv6
/// addresses without a port are written bare (`2001:db8::1`), as proxies
/// write them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct XForwardedFor {
    nodes: Vec<ForwardedNode>,
}

impl XForwardedFor {
    /// A header with one entry.
    pub fn new(first: ForwardedNode) -> XForwardedFor {
        XForwardedFor { nodes: vec![first] }
    }

    /// Appends an entry, as a proxy forwarding the request does.
    pub fn push(&mut self, node: ForwardedNode) {
        self.nodes.push(node);
    }

    /// The entries, client first.
    pub fn nodes(&self) -> &[ForwardedNode] {
        &self.nodes
    }

    fn parse(s: &str) -> Result<XForwardedFor, ParseError> {
        const WHAT: &str = "X-Forwarded-For";
        let mut nodes = Vec::new();
        for entry in s.split(',') {
            let entry = entry.trim_matches([' ', '\t']);
            if entry.is_empty() {
                continue;
            }
            if nodes.len() >= MAX_X_FORWARDED_FOR_ENTRIES {
                return Err(ParseError::too_large(
                    WHAT,
                    "MAX_X_FORWARDED_FOR_ENTRIES (100)",
                ));
            }
            let node = ForwardedNode::parse_x_forwarded_for(entry)
                .ok_or_else(|| ParseError::invalid(WHAT, "entry is not an address or node"))?;
            nodes.push(node);
        }
        if nodes.is_empty() {
            return Err(ParseError::invalid(WHAT, "no entries"));
        }
        Ok(XForwardedFor { nodes })
    }
}

impl FromStr for XForwardedFor {
    type Err = ParseError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        XForwardedFor::parse(s)
    }
}

impl fmt::Display for XForwardedFor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, node) in self.nodes.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            match (node.name(), node.port()) {
                (NodeName::Ip(IpAddr::V6(ip)), None) => write!(f, "{ip}")?,
                _ => write!(f, "{node}")?,
            }
        }
        Ok(())
    }
}

impl TypedHeader for XForwardedFor {
    const NAME: HeaderName = X_FORWARDED_FOR;
    const IS_LIST: bool = true;

    fn parse_value(value: &str) -> Result<Self, ParseError> {
        XForwardedFor::parse(value)
    }

    fn to_header_value(&self) -> HeaderValue {
        let mut text = String::with_capacity(16 * self.nodes.len());
        // Writing to a String cannot fail.
        let _ = write!(text, "{self}");
        header_value(text)
    }
}

#[cfg(test)]
mod tests {
    use super::super::node::tests::node_strategy;
    use super::*;
    use proptest::prelude::*;

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(
                HeaderName::from_bytes(name.as_bytes()).unwrap(),
                HeaderValue::from_str(value).unwrap(),
            );
        }
        map
    }

    /// How many proxies are trusted for each header, as `ProxyFix` takes
    /// them; the defaults are `ProxyFix`'s.
    #[derive(Clone, Copy)]
    struct Trust {
        x_for: usize,
        x_proto: usize,
        x_host: usize,
        x_port: usize,
        x_prefix: usize,
    }

    const PROXY_FIX_DEFAULT: Trust = Trust {
        x_for: 1,
        x_proto: 1,
        x_host: 0,
        x_port: 0,
        x_prefix: 0,
    };

    /// What `ProxyFix` makes of a request: the remote address and the URL
    /// root, built from the peer, the `Host` header or the server address,
    /// and the trusted `X-Forwarded-*` entries.
    fn proxy_fix(
        trust: Trust,
        remote_addr: &str,
        server: (&str, u16),
        pairs: &[(&str, &str)],
    ) -> (String, String) {
        let map = headers(pairs);
        let xf = XForwarded::new(&map);
        let remote = xf
            .for_node(trust.x_for)
            .and_then(|n| n.ip())
            .map_or(remote_addr.to_string(), |ip| ip.to_string());
        let scheme = xf.proto(trust.x_proto).unwrap_or("http");
        let mut host = xf
            .host(trust.x_host)
            .or_else(|| Host::from_headers(&map).and_then(Result::ok))
            .unwrap_or_else(|| Host::new(server.0, Some(server.1)).unwrap());
        if let Some(port) = xf.port(trust.x_port) {
            host = host.with_port(Some(port));
        }
        let host = host.without_default_port(scheme);
        let prefix = xf.prefix(trust.x_prefix).unwrap_or("");
        (remote, format!("{scheme}://{host}{prefix}/"))
    }

    #[test]
    fn proxy_fix_table() {
        // Werkzeug tests/middleware/test_proxy_fix.py: every case expects the
        // remote address 192.168.0.1 and the given URL root.
        let t = |x_for, x_proto, x_host, x_port, x_prefix| Trust {
            x_for,
            x_proto,
            x_host,
            x_port,
            x_prefix,
        };
        let only = |f: fn(&mut Trust)| {
            let mut trust = t(0, 0, 0, 0, 0);
            f(&mut trust);
            trust
        };
        type Case<'a> = (
            &'a str,
            Trust,
            &'a str,
            Option<(&'a str, u16)>,
            &'a [(&'a str, &'a str)],
            &'a str,
        );
        let cases: &[Case] = &[
            (
                "for",
                PROXY_FIX_DEFAULT,
                "192.168.0.2",
                None,
                &[
                    ("host", "spam"),
                    ("x-forwarded-for", "192.168.0.1"),
                    ("x-forwarded-proto", "https"),
                ],
                "https://spam/",
            ),
            (
                "proto",
                only(|t| t.x_proto = 1),
                "192.168.0.1",
                None,
                &[("host", "spam"), ("x-forwarded-proto", "https")],
                "https://spam/",
            ),
            (
                "host",
                only(|t| t.x_host = 1),
                "192.168.0.1",
                None,
                &[("host", "spam"), ("x-forwarded-host", "eggs")],
                "http://eggs/",
            ),
            (
                "port, host without port",
                only(|t| t.x_port = 1),
                "192.168.0.1",
                None,
                &[("host", "spam"), ("x-forwarded-port", "8080")],
                "http://spam:8080/",
            ),
            (
                "port, host with port",
                only(|t| t.x_port = 1),
                "192.168.0.1",
                None,
                &[("host", "spam:9000"), ("x-forwarded-port", "8080")],
                "http://spam:8080/",
            ),
            (
                "port, name",
                only(|t| t.x_port = 1),
                "192.168.0.1",
                Some(("spam", 9000)),
                &[("x-forwarded-port", "8080")],
                "http://spam:8080/",
            ),
            (
                "prefix",
                only(|t| t.x_prefix = 1),
                "192.168.0.1",
                None,
                &[("host", "spam"), ("x-forwarded-prefix", "/eggs")],
                "http://spam/eggs/",
            ),
            (
                "all",
                t(1, 1, 1, 1, 1),
                "192.168.0.2",
                None,
                &[
                    ("host", "spam:9000"),
                    ("x-forwarded-for", "192.168.0.1"),
                    ("x-forwarded-proto", "https"),
                    ("x-forwarded-host", "eggs"),
                    ("x-forwarded-port", "443"),
                    ("x-forwarded-prefix", "/ham"),
                ],
                "https://eggs/ham/",
            ),
            (
                "multiple for",
                only(|t| t.x_for = 2),
                "192.168.0.3",
                None,
                &[
                    ("host", "spam"),
                    ("x-forwarded-for", "192.168.0.1, 192.168.0.2"),
                ],
                "http://spam/",
            ),
            (
                "ignore 0",
                only(|t| t.x_for = 0),
                "192.168.0.1",
                None,
                &[("host", "spam"), ("x-forwarded-for", "192.168.0.2")],
                "http://spam/",
            ),
            (
                "ignore len < trusted",
                only(|t| t.x_for = 3),
                "192.168.0.1",
                None,
                &[
                    ("host", "spam"),
                    ("x-forwarded-for", "192.168.0.3, 192.168.0.2"),
                ],
                "http://spam/",
            ),
            (
                "ignore untrusted",
                PROXY_FIX_DEFAULT,
                "192.168.0.2",
                None,
                &[
                    ("host", "spam"),
                    ("x-forwarded-for", "192.168.0.3, 192.168.0.1"),
                ],
                "http://spam/",
            ),
            (
                "ignore empty",
                only(|t| t.x_for = 2),
                "192.168.0.1",
                None,
                &[("host", "spam"), ("x-forwarded-for", ", 192.168.0.3")],
                "http://spam/",
            ),
            (
                "prefix < for",
                only(|t| {
                    t.x_for = 2;
                    t.x_prefix = 1
                }),
                "192.168.0.2",
                None,
                &[
                    ("host", "spam"),
                    ("x-forwarded-for", "192.168.0.1, 192.168.0.3"),
                    ("x-forwarded-prefix", "/ham, /eggs"),
                ],
                "http://spam/eggs/",
            ),
            (
                "ipv6 host",
                only(|t| t.x_host = 1),
                "192.168.0.1",
                None,
                &[("host", "spam"), ("x-forwarded-host", "[2001:db8::a]")],
                "http://[2001:db8::a]/",
            ),
            (
                "ipv6 port, host without port",
                only(|t| t.x_port = 1),
                "192.168.0.1",
                None,
                &[("host", "[2001:db8::a]"), ("x-forwarded-port", "8080")],
                "http://[2001:db8::a]:8080/",
            ),
            (
                "ipv6 port, host with port",
                only(|t| t.x_port = 1),
                "192.168.0.1",
                None,
                &[("host", "[2001:db8::a]:9000"), ("x-forwarded-port", "8080")],
                "http://[2001:db8::a]:8080/",
            ),
        ];
        for (id, trust, remote, server, pairs, url_root) in cases {
            let got = proxy_fix(*trust, remote, server.unwrap_or(("localhost", 80)), pairs);
            assert_eq!(
                got,
                ("192.168.0.1".to_string(), url_root.to_string()),
                "{id}"
            );
        }
    }

    #[test]
    fn trusted_list_value_table() {
        let cases: &[(&[&str], usize, Option<&str>)] = &[
            (&["a, b, c"], 1, Some("c")),
            (&["a, b, c"], 3, Some("a")),
            (&["a, b, c"], 4, None),
            (&["a, b, c"], 0, None),
            (&["a", "b, c"], 3, Some("a")),
            (&["a, b", "c"], 2, Some("b")),
            (&["a,,b, ,"], 2, Some("a")),
            (&[" \t a \t "], 1, Some("a")),
            (&["\"x, y\""], 1, Some("y\"")),
            (&["\"x, y\""], 2, Some("\"x")),
            (&[""], 1, None),
            (&[], 1, None),
        ];
        for (lines, n, want) in cases {
            let map = headers(
                &lines
                    .iter()
                    .map(|l| ("x-forwarded-for", *l))
                    .collect::<Vec<_>>(),
            );
            assert_eq!(
                trusted_list_value(&map, X_FORWARDED_FOR, *n),
                *want,
                "{lines:?} {n}"
            );
        }
        let mut map = HeaderMap::new();
        map.append(
            X_FORWARDED_FOR,
            HeaderValue::from_bytes(b"\xff, a").unwrap(),
        );
        assert_eq!(trusted_list_value(&map, X_FORWARDED_FOR, 1), Some("a"));
        assert_eq!(trusted_list_value(&map, X_FORWARDED_FOR, 2), None);
    }

    #[test]
    fn typed_values_are_validated() {
        let map = headers(&[
            (
                "x-forwarded-for",
                "2001:db8::1, [2001:db8::2]:80, 192.0.2.1:5, unknown, _x, junk",
            ),
            ("x-forwarded-proto", "HTTPS, ht/tp, 1http, wss"),
            ("x-forwarded-host", "a.test:8080@b.test, Example.com:8080"),
            ("x-forwarded-port", "65536, 0443, http"),
            ("x-forwarded-prefix", "//evil.test, /a\\b, /a?b, nope, /app"),
        ]);
        let xf = XForwarded::new(&map);
        let node = |n: usize| xf.for_node(n).map(|n| n.to_string());
        assert_eq!(node(1), None);
        assert_eq!(node(2).as_deref(), Some("_x"));
        assert_eq!(node(3).as_deref(), Some("unknown"));
        assert_eq!(node(4).as_deref(), Some("192.0.2.1:5"));
        assert_eq!(node(5).as_deref(), Some("[2001:db8::2]:80"));
        assert_eq!(node(6).as_deref(), Some("[2001:db8::1]"));
        assert_eq!(xf.proto(1), Some("wss"));
        assert_eq!(xf.proto(2), None);
        assert_eq!(xf.proto(3), None);
        assert_eq!(xf.proto(4), Some("HTTPS"));
        assert_eq!(
            xf.host(1).map(|h| h.to_string()).as_deref(),
            Some("example.com:8080")
        );
        assert_eq!(xf.host(2), None);
        assert_eq!(xf.port(1), None);
        assert_eq!(xf.port(2), Some(443));
        assert_eq!(xf.port(3), None);
        assert_eq!(xf.prefix(1), Some("/app"));
        for n in 2..=5 {
            assert_eq!(xf.prefix(n), None, "{n}");
        }
    }

    #[test]
    fn x_forwarded_for_table() {
        let cases: &[(&str, Option<&str>)] = &[
            // RFC 7239 §7.4's X-Forwarded-For example.
            (
                "192.0.2.43, 2001:db8:cafe::17",
                Some("192.0.2.43, 2001:db8:cafe::17"),
            ),
            (
                "192.0.2.43,, [2001:db8::1]:80 ,",
                Some("192.0.2.43, [2001:db8::1]:80"),
            ),
            ("[2001:db8::1]", Some("2001:db8::1")),
            ("unknown, _hidden", Some("unknown, _hidden")),
            ("", None),
            (" , ", None),
            ("192.0.2.43, example.com", None),
            ("192.0.2.43 192.0.2.44", None),
        ];
        for (input, want) in cases {
            let got = input.parse::<XForwardedFor>().ok().map(|x| x.to_string());
            assert_eq!(got.as_deref(), *want, "{input:?}");
        }
        let mut x = XForwardedFor::new("192.0.2.1".parse().unwrap());
        x.push(ForwardedNode::unknown());
        assert_eq!(x.nodes().len(), 2);
        assert_eq!(x.to_header_value(), "192.0.2.1, unknown");
    }

    #[test]
    fn hostile_hundred_thousand_entries() {
        let mut value = "10.0.0.1, ".repeat(100_000);
        value.push_str("192.0.2.1");
        let map = headers(&[("x-forwarded-for", &value)]);
        let xf = XForwarded::new(&map);
        assert_eq!(xf.for_node(1).unwrap().to_string(), "192.0.2.1");
        assert_eq!(xf.for_node(100_001).unwrap().to_string(), "10.0.0.1");
        assert_eq!(xf.for_node(100_002), None);
        assert!(value.parse::<XForwardedFor>().unwrap_err().is_too_large());
        let at_limit = vec!["10.0.0.1"; MAX_X_FORWARDED_FOR_ENTRIES].join(",");
        assert!(at_limit.parse::<XForwardedFor>().is_ok());
    }

    proptest! {
        #[test]
        fn x_forwarded_for_round_trips(nodes in proptest::collection::vec(node_strategy(), 1..6)) {
            let mut iter = nodes.into_iter();
            let mut x = XForwardedFor::new(iter.next().unwrap());
            for n in iter {
                x.push(n);
            }
            prop_assert_eq!(XForwardedFor::from_header(&x.to_header_value()), Ok(x));
        }

        #[test]
        fn trusted_value_is_the_nth_from_the_right(entries in proptest::collection::vec("[a-z0-9.]{1,5}", 1..8), n in 1usize..10) {
            let map = headers(&[("x-forwarded-for", &entries.join(", "))]);
            let want = entries.len().checked_sub(n).map(|i| entries[i].as_str());
            prop_assert_eq!(trusted_list_value(&map, X_FORWARDED_FOR, n), want);
        }
    }
}
