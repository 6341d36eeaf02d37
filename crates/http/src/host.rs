//! The `Host` header (RFC 9110 §7.2): `uri-host [ ":" port ]` from RFC 3986
//! §3.2.2–3.2.3, validated strictly enough to be used in URLs and routing,
//! and trusted-host matching in the manner of Werkzeug's `trusted_hosts`.
//!
//! A client chooses the `Host` header freely, so an application that builds
//! absolute URLs (password-reset links, redirects) from it should check it
//! against a [`TrustedHosts`] list first.
//!
//! ```
//! use tackle_http::{Host, TrustedHosts};
//!
//! let host: Host = "API.Example.com:8080".parse()?;
//! assert_eq!(host.hostname(), "api.example.com");
//! assert_eq!(host.port(), Some(8080));
//!
//! let trusted = TrustedHosts::new([".example.com", "[::1]"])?;
//! assert!(trusted.matches(&host));
//! assert!(!trusted.matches_str("example.com.evil.test"));
//! # Ok::<(), tackle_http::ParseError>(())
//! ```

use std::fmt::{self, Write as _};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::str::FromStr;

use http::{HeaderMap, HeaderName, HeaderValue};

use crate::{ParseError, TypedHeader};

const WHAT: &str = "Host";

/// The longest host name accepted, in bytes: the DNS limit for a name
/// written in dotted form (RFC 1035 §2.3.4).
pub const MAX_HOSTNAME_LEN: usize = 253;

/// The longest label (the text between dots) of a host name, in bytes.
const MAX_LABEL_LEN: usize = 63;

/// A validated `Host` header value: a host name and an optional port.
///
/// Accepted: a registered name of ASCII letters, digits, `-`, `_` and `.`
/// (at most 253 bytes, labels at most 63, no empty label); a dotted-quad
/// IPv4 address; a bracketed IPv6 address (`[::1]`, no zone id). The port is
/// 1 to 5 digits, at most 65535.
///
/// Rejected: empty values, user info (`user@host`), whitespace, percent
/// signs and other punctuation, a bare `:` with no port, bare (unbracketed)
/// IPv6, and names whose last label is a number but that are not a
/// dotted-quad address (`127.1`, `0x7f.0.0.1`, `1.2.3.04`): browsers read
/// those as IPv4 addresses, so accepting them would let a name and an
/// address disagree.
///
/// Normalised: the name is lowercased, IPv6 addresses are written in their
/// canonical form, and one trailing dot (`example.com.`, the fully
/// qualified form naming the same host) is removed, so comparisons need no
/// further care. [`Display`](fmt::Display) writes the normalised form.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Host {
    /// `hostname[:port]`, normalised.
    text: String,
    name_len: usize,
    port: Option<u16>,
    ip: Option<IpAddr>,
}

impl Host {
    /// A host from its parts. `hostname` may be a name, an IPv4 address, or
    /// an IPv6 address with or without brackets (server configuration often
    /// gives bare IPv6); it is validated and normalised like a header value.
    pub fn new(hostname: &str, port: Option<u16>) -> Result<Host, ParseError> {
        // An IPv6 address has at least two colons; `name:port` has one.
        let bare_ipv6 = hostname.matches(':').nth(1).is_some() && !hostname.starts_with('[');
        let mut host = if bare_ipv6 {
            let ip = Ipv6Addr::from_str(hostname)
                .map_err(|_| ParseError::invalid(WHAT, "invalid IPv6 address"))?;
            Host::from_ip(IpAddr::V6(ip))
        } else {
            let host = Host::parse(hostname)?;
            if host.port.is_some() {
                return Err(ParseError::invalid(WHAT, "port given twice"));
            }
            host
        };
        host.set_port(port);
        Ok(host)
    }

    /// The host of an IP address, without a port.
    pub fn from_ip(ip: IpAddr) -> Host {
        let text = match ip {
            IpAddr::V4(v4) => v4.to_string(),
            IpAddr::V6(v6) => format!("[{v6}]"),
        };
        Host {
            name_len: text.len(),
            text,
            port: None,
            ip: Some(ip),
        }
    }

    /// The host name: lowercase, without a trailing dot; an IPv6 address
    /// keeps its brackets (`[::1]`), as in a URL.
    pub fn hostname(&self) -> &str {
        self.text.get(..self.name_len).unwrap_or(&self.text)
    }

    /// The port, when the value names one.
    pub fn port(&self) -> Option<u16> {
        self.port
    }

    /// The IP address, when the host is an IPv4 or IPv6 literal.
    pub fn ip(&self) -> Option<IpAddr> {
        self.ip
    }

    /// The normalised `hostname[:port]` text, as it would be sent.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// This host with its port replaced (or removed with `None`), as a proxy
    /// that forwards `X-Forwarded-Port` asks.
    pub fn with_port(mut self, port: Option<u16>) -> Host {
        self.set_port(port);
        self
    }

    /// This host without its port when the port is the default of `scheme`
    /// (80 for `http` and `ws`, 443 for `https` and `wss`, compared
    /// case-insensitively), the form used to rebuild a request's URL.
    pub fn without_default_port(self, scheme: &str) -> Host {
        let default = if scheme.eq_ignore_ascii_case("http") || scheme.eq_ignore_ascii_case("ws") {
            Some(80)
        } else if scheme.eq_ignore_ascii_case("https") || scheme.eq_ignore_ascii_case("wss") {
            Some(443)
        } else {
            None
        };
        if default.is_some() && self.port == default {
            self.with_port(None)
        } else {
            self
        }
    }

    fn set_port(&mut self, port: Option<u16>) {
        self.text.truncate(self.name_len);
        if let Some(port) = port {
            // Writing to a String cannot fail.
            let _ = write!(self.text, ":{port}");
        }
        self.port = port;
    }

    fn parse(s: &str) -> Result<Host, ParseError> {
        if s.is_empty() {
            return Err(ParseError::invalid(WHAT, "empty value"));
        }
        // The longest valid value is a 253-byte name, a trailing dot and
        // ":65535"; anything longer is refused before any work.
        if s.len() > MAX_HOSTNAME_LEN + 7 {
            return Err(ParseError::too_large(WHAT, "MAX_HOSTNAME_LEN (253 bytes)"));
        }
        // One allocation: the normalised text is about as long as the input.
        let mut text = String::with_capacity(s.len());
        let (ip, port) = if let Some(rest) = s.strip_prefix('[') {
            let (inside, after) = rest
                .split_once(']')
                .ok_or_else(|| ParseError::invalid(WHAT, "unclosed '['"))?;
            let ip = Ipv6Addr::from_str(inside)
                .map_err(|_| ParseError::invalid(WHAT, "invalid IPv6 address"))?;
            // Writing to a String cannot fail.
            let _ = write!(text, "[{ip}]");
            (Some(IpAddr::V6(ip)), parse_port_suffix(after)?)
        } else {
            let (name, port) = match s.split_once(':') {
                Some((name, port)) => (name, parse_port_suffix_digits(port)?),
                None => (s, None),
            };
            (push_name(&mut text, name)?, port)
        };
        let mut host = Host {
            name_len: text.len(),
            text,
            port: None,
            ip,
        };
        host.set_port(port);
        Ok(host)
    }
}

/// Parses what follows `]` in a bracketed host: nothing, or `:port`.
fn parse_port_suffix(after: &str) -> Result<Option<u16>, ParseError> {
    if after.is_empty() {
        return Ok(None);
    }
    match after.strip_prefix(':') {
        Some(digits) => parse_port_suffix_digits(digits),
        None => Err(ParseError::invalid(WHAT, "unexpected text after ']'")),
    }
}

fn parse_port_suffix_digits(digits: &str) -> Result<Option<u16>, ParseError> {
    parse_port(digits)
        .map(Some)
        .ok_or_else(|| ParseError::invalid(WHAT, "port is not 1 to 5 digits up to 65535"))
}

/// Parses a port: 1 to 5 ASCII digits, at most 65535.
pub(crate) fn parse_port(digits: &str) -> Option<u16> {
    if digits.is_empty() || digits.len() > 5 {
        return None;
    }
    let mut value: u32 = 0;
    for b in digits.bytes() {
        if !b.is_ascii_digit() {
            return None;
        }
        value = value * 10 + u32::from(b - b'0');
    }
    u16::try_from(value).ok()
}

/// Validates a registered name or IPv4 address and appends its normalised
/// form (lowercase, no trailing dot) to `text`; gives the address if it is
/// one.
fn push_name(text: &mut String, name: &str) -> Result<Option<IpAddr>, ParseError> {
    let name = name.strip_suffix('.').unwrap_or(name);
    let ip = check_name(name)?;
    if ip.is_some() {
        // The strict IPv4 grammar leaves one spelling: the input is canonical.
        text.push_str(name);
    } else {
        text.extend(name.chars().map(|c| c.to_ascii_lowercase()));
    }
    Ok(ip)
}

/// Validates a registered name or IPv4 address (without its trailing dot);
/// gives the address if it is one.
fn check_name(name: &str) -> Result<Option<IpAddr>, ParseError> {
    if name.is_empty() {
        return Err(ParseError::invalid(WHAT, "empty host name"));
    }
    if name.len() > MAX_HOSTNAME_LEN {
        return Err(ParseError::too_large(WHAT, "MAX_HOSTNAME_LEN (253 bytes)"));
    }
    let mut label_len = 0usize;
    let mut label_start = 0usize;
    for (i, b) in name.bytes().enumerate() {
        match b {
            b'.' => {
                if label_len == 0 {
                    return Err(ParseError::invalid(WHAT, "empty label in host name"));
                }
                label_len = 0;
                label_start = i + 1;
            }
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'_' => {
                label_len += 1;
                if label_len > MAX_LABEL_LEN {
                    return Err(ParseError::invalid(WHAT, "label over 63 bytes"));
                }
            }
            b'@' => return Err(ParseError::invalid(WHAT, "user info is not allowed")),
            _ => return Err(ParseError::invalid(WHAT, "invalid character in host name")),
        }
    }
    if label_len == 0 {
        return Err(ParseError::invalid(WHAT, "empty label in host name"));
    }
    let last_label = name.get(label_start..).unwrap_or("");
    if ends_in_number(last_label) {
        let ip = Ipv4Addr::from_str(name).map_err(|_| {
            ParseError::invalid(WHAT, "numeric host that is not a dotted-quad IPv4 address")
        })?;
        return Ok(Some(IpAddr::V4(ip)));
    }
    Ok(None)
}

/// Whether a last label makes the WHATWG URL parser read the whole name as
/// an IPv4 address: all decimal digits, or `0x` followed by hex digits.
fn ends_in_number(label: &str) -> bool {
    if !label.is_empty() && label.bytes().all(|b| b.is_ascii_digit()) {
        return true;
    }
    match label
        .strip_prefix("0x")
        .or_else(|| label.strip_prefix("0X"))
    {
        Some(hex) => hex.bytes().all(|b| b.is_ascii_hexdigit()),
        None => false,
    }
}

impl FromStr for Host {
    type Err = ParseError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Host::parse(s)
    }
}

impl fmt::Display for Host {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl fmt::Debug for Host {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Host").field(&self.text).finish()
    }
}

impl TypedHeader for Host {
    const NAME: HeaderName = http::header::HOST;

    fn parse_value(value: &str) -> Result<Self, ParseError> {
        Host::parse(value)
    }

    /// Reads the `Host` header. More than one field line is an error: RFC
    /// 9112 §3.2 has servers reject such a request, as proxies and servers
    /// could disagree on which line counts.
    fn from_headers(headers: &HeaderMap) -> Option<Result<Self, ParseError>> {
        let mut values = headers.get_all(Self::NAME).iter();
        let first = values.next()?;
        if values.next().is_some() {
            return Some(Err(ParseError::invalid(
                WHAT,
                "more than one Host field line",
            )));
        }
        Some(Self::from_header(first))
    }

    fn to_header_value(&self) -> HeaderValue {
        // The normalised text is ASCII letters, digits and `.-_:[]` only.
        HeaderValue::from_str(&self.text).unwrap_or_else(|_| HeaderValue::from_static(""))
    }
}

/// A list of host patterns a server answers to, checked against the `Host`
/// header before it is used to build URLs.
///
/// Patterns, each validated like a [`Host`] when the list is built:
/// - `example.com` matches that name exactly (case-insensitively, and with
///   or without a trailing dot);
/// - `.example.com` matches `example.com` and every subdomain of it, as in
///   Werkzeug;
/// - `[::1]` or `192.0.2.1` match that address (IPv6 in any notation);
/// - a port in the pattern (`example.com:8443`) must then appear, equal, in
///   the `Host` value; a pattern without a port matches any port or none,
///   as Werkzeug ignores the port.
///
/// An empty list trusts nothing (Werkzeug trusts everything): a caller who
/// wants no check simply does not make one.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TrustedHosts {
    patterns: Vec<HostPattern>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
struct HostPattern {
    host: Host,
    subdomains: bool,
}

impl HostPattern {
    fn parse(pattern: &str) -> Result<HostPattern, ParseError> {
        const PATTERN: &str = "trusted host pattern";
        let (rest, subdomains) = match pattern.strip_prefix('.') {
            Some(rest) => (rest, true),
            None => (pattern, false),
        };
        let host = Host::parse(rest).map_err(|e| {
            if e.is_too_large() {
                ParseError::too_large(PATTERN, "MAX_HOSTNAME_LEN (253 bytes)")
            } else {
                ParseError::invalid(PATTERN, "not a valid host")
            }
        })?;
        if subdomains && host.ip.is_some() {
            return Err(ParseError::invalid(
                PATTERN,
                "a leading '.' needs a domain name, not an address",
            ));
        }
        Ok(HostPattern { host, subdomains })
    }

    fn matches(&self, host: &Host) -> bool {
        self.matches_parts(host.hostname(), host.port)
    }

    /// Whether a valid host `name` (normalised but for ASCII case) and
    /// `port` match.
    fn matches_parts(&self, name: &str, port: Option<u16>) -> bool {
        if self.host.port.is_some() && self.host.port != port {
            return false;
        }
        let want = self.host.hostname();
        if name.eq_ignore_ascii_case(want) {
            return true;
        }
        self.subdomains
            && name.len() > want.len()
            && name.as_bytes()[name.len() - want.len() - 1] == b'.'
            && name[name.len() - want.len()..].eq_ignore_ascii_case(want)
    }
}

impl TrustedHosts {
    /// Builds the list; an invalid pattern is an error naming it, so a
    /// typo in configuration is found at start-up.
    pub fn new<I, S>(patterns: I) -> Result<TrustedHosts, ParseError>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let patterns = patterns
            .into_iter()
            .map(|p| HostPattern::parse(p.as_ref()))
            .collect::<Result<_, _>>()?;
        Ok(TrustedHosts { patterns })
    }

    /// Whether `host` matches one of the patterns.
    pub fn matches(&self, host: &Host) -> bool {
        self.patterns.iter().any(|p| p.matches(host))
    }

    /// Whether a raw `Host` header value is valid and matches one of the
    /// patterns; an invalid value is never trusted.
    pub fn matches_str(&self, host: &str) -> bool {
        // Names are matched in place, without the normalised copy a `Host`
        // makes (this runs per request); IPv6 needs its canonical form.
        if host.starts_with('[') || host.len() > MAX_HOSTNAME_LEN + 7 {
            return Host::parse(host).is_ok_and(|h| self.matches(&h));
        }
        let (name, port) = match host.split_once(':') {
            Some((name, digits)) => match parse_port(digits) {
                Some(port) => (name, Some(port)),
                None => return false,
            },
            None => (host, None),
        };
        let name = name.strip_suffix('.').unwrap_or(name);
        check_name(name).is_ok() && self.patterns.iter().any(|p| p.matches_parts(name, port))
    }

    /// Whether the list has no patterns (and so trusts nothing).
    pub fn is_empty(&self) -> bool {
        self.patterns.is_empty()
    }
}

/// Whether a raw `Host` header value is valid and matches one of `trusted`,
/// with the pattern rules of [`TrustedHosts`]. Invalid patterns match
/// nothing; build a [`TrustedHosts`] once instead when checking many
/// requests.
pub fn host_is_trusted(host: &str, trusted: &[&str]) -> bool {
    let Ok(host) = Host::parse(host) else {
        return false;
    };
    trusted
        .iter()
        .filter_map(|p| HostPattern::parse(p).ok())
        .any(|p| p.matches(&host))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn host_table() {
        // The hostname and port a value parses to; None when rejected.
        type Parsed<'a> = Option<(&'a str, Option<u16>)>;
        let cases: &[(&str, Parsed)] = &[
            ("spam", Some(("spam", None))),
            ("spam:80", Some(("spam", Some(80)))),
            ("spam:8080", Some(("spam", Some(8080)))),
            ("Example.COM", Some(("example.com", None))),
            ("example.com.", Some(("example.com", None))),
            ("example.com.:443", Some(("example.com", Some(443)))),
            ("localhost:0", Some(("localhost", Some(0)))),
            ("localhost:65535", Some(("localhost", Some(65535)))),
            ("localhost:00080", Some(("localhost", Some(80)))),
            ("my_service:8000", Some(("my_service", Some(8000)))),
            (
                "xn--bcher-kva.example",
                Some(("xn--bcher-kva.example", None)),
            ),
            ("a-b.c-d", Some(("a-b.c-d", None))),
            ("192.0.2.1", Some(("192.0.2.1", None))),
            ("192.0.2.1:8080", Some(("192.0.2.1", Some(8080)))),
            ("[::1]", Some(("[::1]", None))),
            ("[::1]:8080", Some(("[::1]", Some(8080)))),
            ("[2001:DB8::A]", Some(("[2001:db8::a]", None))),
            (
                "[2001:db8:0:0::a]:9000",
                Some(("[2001:db8::a]", Some(9000))),
            ),
            ("[::ffff:192.0.2.1]", Some(("[::ffff:192.0.2.1]", None))),
            ("1.example", Some(("1.example", None))),
            ("example.0x", None),
            ("", None),
            (".", None),
            ("a.test:8080@b.test", None),
            ("user@example.com", None),
            ("user:pw@example.com", None),
            ("a.test:port", None),
            ("[z:443]:8080", None),
            ("example.com:", None),
            ("example.com:65536", None),
            ("example.com:123456", None),
            ("example.com:-1", None),
            ("example.com:+80", None),
            ("example.com:80:80", None),
            ("example.com:80 ", None),
            (" example.com", None),
            ("exa mple.com", None),
            ("example.com/path", None),
            ("example.com?x", None),
            ("example.com#x", None),
            ("ex%41mple.com", None),
            ("exämple.com", None),
            ("example..com", None),
            (".example.com", None),
            ("example.com..", None),
            ("::1", None),
            ("[::1", None),
            ("[::1]x", None),
            ("[::1]:", None),
            ("[fe80::1%25eth0]", None),
            ("[192.0.2.1]", None),
            ("[v1.fe]", None),
            ("127.1", None),
            ("0x7f.0.0.1", None),
            ("2130706433", None),
            ("1.2.3.04", None),
            ("256.0.0.1", None),
            ("a\r\nb", None),
        ];
        for (input, want) in cases {
            let got = input
                .parse::<Host>()
                .ok()
                .map(|h| (h.hostname().to_string(), h.port()));
            let want = want.map(|(n, p)| (n.to_string(), p));
            assert_eq!(got, want, "{input:?}");
        }
    }

    #[test]
    fn long_names_are_limited() {
        let label = "a".repeat(63);
        let ok = [label.as_str(); 3].join(".") + "." + &"b".repeat(61);
        assert_eq!(ok.len(), 253);
        assert!(ok.parse::<Host>().is_ok());
        assert!(format!("{ok}.").parse::<Host>().is_ok());
        let over = format!("{ok}c");
        assert!(over.parse::<Host>().unwrap_err().is_too_large());
        assert!("a".repeat(64).parse::<Host>().is_err());
        assert!(
            "x".repeat(1 << 20)
                .parse::<Host>()
                .unwrap_err()
                .is_too_large()
        );
    }

    #[test]
    fn ip_and_parts() {
        let h: Host = "[::1]:8080".parse().unwrap();
        assert_eq!(h.ip(), Some(IpAddr::V6(Ipv6Addr::LOCALHOST)));
        assert_eq!(h.as_str(), "[::1]:8080");
        assert_eq!(Host::new("::1", Some(80)).unwrap().as_str(), "[::1]:80");
        assert_eq!(Host::new("[::1]", None).unwrap().as_str(), "[::1]");
        assert_eq!(Host::new("Eggs", Some(80)).unwrap().as_str(), "eggs:80");
        assert_eq!(
            Host::new("eggs:80", Some(80)).unwrap_err().to_string(),
            "invalid Host: port given twice"
        );
        assert!(Host::new("1:2", None).is_err());
        assert!(Host::new("unix/socket", None).is_err());
        assert_eq!(h.clone().with_port(None).as_str(), "[::1]");
        assert_eq!(h.with_port(Some(1)).as_str(), "[::1]:1");
    }

    #[test]
    fn without_default_port_table() {
        // Werkzeug tests/sansio/test_utils.py get_host cases.
        let cases = [
            ("http", "spam", "spam"),
            ("http", "spam:80", "spam"),
            ("https", "spam", "spam"),
            ("https", "spam:443", "spam"),
            ("http", "spam:8080", "spam:8080"),
            ("ws", "spam", "spam"),
            ("ws", "spam:80", "spam"),
            ("wss", "spam", "spam"),
            ("wss", "spam:443", "spam"),
            ("https", "spam:80", "spam:80"),
            ("HTTP", "spam:80", "spam"),
            ("ftp", "spam:80", "spam:80"),
        ];
        for (scheme, input, want) in cases {
            let host: Host = input.parse().unwrap();
            assert_eq!(
                host.without_default_port(scheme).as_str(),
                want,
                "{scheme} {input}"
            );
        }
    }

    #[test]
    fn trusted_table() {
        let cases: &[(&str, &[&str], bool)] = &[
            // Werkzeug tests/test_wsgi.py test_get_host_validate_trusted_hosts.
            ("example.org", &[".example.org"], true),
            ("example.org", &["example.com"], false),
            ("example.org:8080", &[".example.org"], true),
            ("example.org:8080", &[".example.com"], false),
            // Exact and subdomain patterns.
            ("www.example.org", &["example.org"], false),
            ("www.example.org", &[".example.org"], true),
            ("a.b.example.org", &[".example.org"], true),
            ("badexample.org", &[".example.org"], false),
            ("example.org.evil.test", &[".example.org"], false),
            ("EXAMPLE.org", &["example.ORG"], true),
            ("example.org.", &["example.org"], true),
            ("example.org", &["example.org."], true),
            // Ports.
            ("example.org:8443", &["example.org:8443"], true),
            ("example.org:8080", &["example.org:8443"], false),
            ("example.org", &["example.org:8443"], false),
            ("api.example.org:8443", &[".example.org:8443"], true),
            // Addresses.
            ("[::1]:8080", &["[::1]"], true),
            ("[0:0::1]", &["[::1]"], true),
            ("[::2]", &["[::1]"], false),
            ("127.0.0.1:5000", &["127.0.0.1"], true),
            ("127.0.0.2", &["127.0.0.1"], false),
            // Invalid hosts and patterns, and the empty list.
            ("evil@example.org", &["example.org"], false),
            ("", &["example.org"], false),
            ("example.org", &[], false),
            ("example.org", &["bad pattern", "example.org"], true),
            ("1.2.3.4", &[".2.3.4"], false),
            ("x.example.org", &["nope.test", ".example.org"], true),
        ];
        for (host, patterns, want) in cases {
            assert_eq!(
                host_is_trusted(host, patterns),
                *want,
                "{host:?} {patterns:?}"
            );
        }
    }

    #[test]
    fn trusted_hosts_list() {
        let list = TrustedHosts::new([".example.com", "[::1]:8080"]).unwrap();
        assert!(list.matches_str("example.com"));
        assert!(list.matches_str("[::1]:8080"));
        assert!(!list.matches_str("[::1]"));
        assert!(!list.matches_str("example.com@evil"));
        assert!(!list.is_empty());
        assert!(TrustedHosts::default().is_empty());
        assert!(!TrustedHosts::default().matches_str("example.com"));
        for bad in ["", "a b", ".", "..example.com", ".[::1]", ".127.0.0.1"] {
            assert!(TrustedHosts::new([bad]).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn typed_header() {
        let mut headers = http::HeaderMap::new();
        headers.insert(http::header::HOST, HeaderValue::from_static("Spam:8080"));
        let host = Host::from_headers(&headers).unwrap().unwrap();
        assert_eq!(host.to_header_value(), "spam:8080");
        assert_eq!(host.to_string(), "spam:8080");
        headers.append(http::header::HOST, HeaderValue::from_static("eggs"));
        assert!(Host::from_headers(&headers).unwrap().is_err());
        assert!(Host::from_headers(&http::HeaderMap::new()).is_none());
    }

    fn host_strategy() -> impl Strategy<Value = Host> {
        let name = prop_oneof![
            "[a-z0-9_-]{1,20}(\\.[a-z][a-z0-9_-]{0,20}){0,3}"
                .prop_filter("ends in a number", |n| {
                    !ends_in_number(n.rsplit('.').next().unwrap_or(""))
                })
                .prop_map(|n| Host::new(&n, None).unwrap()),
            any::<Ipv4Addr>().prop_map(|ip| Host::from_ip(IpAddr::V4(ip))),
            any::<Ipv6Addr>().prop_map(|ip| Host::from_ip(IpAddr::V6(ip))),
        ];
        (name, proptest::option::of(any::<u16>())).prop_map(|(h, port)| h.with_port(port))
    }

    proptest! {
        #[test]
        fn host_round_trips(host in host_strategy()) {
            let text = host.to_string();
            prop_assert_eq!(text.parse::<Host>(), Ok(host));
        }

        #[test]
        fn parse_never_panics(s in "\\PC{0,40}") {
            let _ = s.parse::<Host>();
        }

        #[test]
        fn matching_in_place_agrees_with_parsing(
            value in "[a-zA-Z0-9.:\\[\\]_@-]{0,24}",
            pattern in prop::sample::select(vec![".localhost", "localhost", "127.0.0.1", "[::1]", ".example.com", "example.com:8080"]),
        ) {
            let trusted = TrustedHosts::new([pattern]).unwrap();
            let parsed = Host::parse(&value).is_ok_and(|h| trusted.matches(&h));
            prop_assert_eq!(trusted.matches_str(&value), parsed, "{:?} against {:?}", value, pattern);
        }

        #[test]
        fn a_host_trusts_itself(host in host_strategy()) {
            prop_assert!(host_is_trusted(host.as_str(), &[host.as_str()]));
        }
    }
}
