//! The `Forwarded` header (RFC 7239 §4–5): one element per proxy, each a
//! `;`-separated list of `for`, `by`, `host`, `proto` and extension
//! parameters.

use std::borrow::Cow;
use std::fmt::{self, Write as _};
use std::str::FromStr;

use http::{HeaderName, HeaderValue};

use super::node::ForwardedNode;
use crate::header::{header_value, is_tchar, quote};
use crate::{Host, ParseError, TypedHeader};

const WHAT: &str = "Forwarded";

/// The most elements a `Forwarded` value may hold; more is an error
/// (`is_too_large`). Real chains have a handful of proxies.
pub const MAX_FORWARDED_ELEMENTS: usize = 100;

/// The most parameters one `Forwarded` element may hold; more is an error.
/// RFC 7239 defines four.
pub const MAX_FORWARDED_PARAMETERS: usize = 20;

/// One proxy's entry in a `Forwarded` header: who it received the request
/// from (`for`), the interface it received it on (`by`), and the `Host` and
/// scheme (`proto`) the request had when it arrived.
///
/// Each parameter appears at most once. Extension parameter names are
/// compared case-insensitively and stored lowercase; `proto` is stored
/// lowercase. An element with no parameters is an empty list element: it is
/// skipped when parsing and when formatting.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ForwardedElement {
    for_node: Option<ForwardedNode>,
    by: Option<ForwardedNode>,
    host: Option<Host>,
    proto: Option<String>,
    extensions: Vec<(String, String)>,
}

impl ForwardedElement {
    /// An element with no parameters.
    pub fn new() -> ForwardedElement {
        ForwardedElement::default()
    }

    /// Sets `for`: the client or previous proxy the request came from.
    pub fn with_for(mut self, node: ForwardedNode) -> ForwardedElement {
        self.for_node = Some(node);
        self
    }

    /// Sets `by`: the proxy interface the request arrived on.
    pub fn with_by(mut self, node: ForwardedNode) -> ForwardedElement {
        self.by = Some(node);
        self
    }

    /// Sets `host`: the `Host` header the proxy received.
    pub fn with_host(mut self, host: Host) -> ForwardedElement {
        self.host = Some(host);
        self
    }

    /// Sets `proto`: the URI scheme the proxy received the request with
    /// (`http`, `https`); an error unless it is a valid scheme.
    pub fn with_proto(mut self, proto: &str) -> Result<ForwardedElement, ParseError> {
        if !is_scheme(proto) {
            return Err(ParseError::invalid(WHAT, "'proto' is not a URI scheme"));
        }
        self.proto = Some(proto.to_ascii_lowercase());
        Ok(self)
    }

    /// Sets an extension parameter, replacing one of the same name. The name
    /// must be a token other than `for`, `by`, `host` and `proto`; the value
    /// must hold no control character other than tab.
    pub fn with_extension(
        mut self,
        name: &str,
        value: &str,
    ) -> Result<ForwardedElement, ParseError> {
        if !crate::header::is_token(name) || is_registered(name) {
            return Err(ParseError::invalid(WHAT, "invalid extension name"));
        }
        if value.bytes().any(is_ctl) {
            return Err(ParseError::invalid(
                WHAT,
                "control character in extension value",
            ));
        }
        let name = name.to_ascii_lowercase();
        match self.extensions.iter_mut().find(|(n, _)| *n == name) {
            Some(slot) => slot.1 = value.to_string(),
            None => self.extensions.push((name, value.to_string())),
        }
        Ok(self)
    }

    /// `for`: the client or previous proxy the request came from.
    pub fn for_node(&self) -> Option<&ForwardedNode> {
        self.for_node.as_ref()
    }

    /// `by`: the proxy interface the request arrived on.
    pub fn by(&self) -> Option<&ForwardedNode> {
        self.by.as_ref()
    }

    /// `host`: the `Host` header the proxy received.
    pub fn host(&self) -> Option<&Host> {
        self.host.as_ref()
    }

    /// `proto`: the scheme the proxy received the request with, lowercase.
    pub fn proto(&self) -> Option<&str> {
        self.proto.as_deref()
    }

    /// An extension parameter by name (case-insensitive).
    pub fn extension(&self, name: &str) -> Option<&str> {
        self.extensions
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The extension parameters in order, names lowercase.
    pub fn extensions(&self) -> impl Iterator<Item = (&str, &str)> {
        self.extensions
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_str()))
    }

    /// Whether the element has no parameters.
    pub fn is_empty(&self) -> bool {
        self.for_node.is_none()
            && self.by.is_none()
            && self.host.is_none()
            && self.proto.is_none()
            && self.extensions.is_empty()
    }

    fn parameter_count(&self) -> usize {
        usize::from(self.for_node.is_some())
            + usize::from(self.by.is_some())
            + usize::from(self.host.is_some())
            + usize::from(self.proto.is_some())
            + self.extensions.len()
    }

    /// Records one parsed `name=value` pair.
    fn set(&mut self, name: &str, value: Cow<'_, str>) -> Result<(), ParseError> {
        let twice = || ParseError::invalid(WHAT, "parameter given twice in one element");
        if self.parameter_count() >= MAX_FORWARDED_PARAMETERS {
            return Err(ParseError::too_large(WHAT, "MAX_FORWARDED_PARAMETERS (20)"));
        }
        if name.eq_ignore_ascii_case("for") || name.eq_ignore_ascii_case("by") {
            let node = ForwardedNode::from_str(&value)
                .map_err(|_| ParseError::invalid(WHAT, "invalid node in 'for' or 'by'"))?;
            let slot = if name.eq_ignore_ascii_case("for") {
                &mut self.for_node
            } else {
                &mut self.by
            };
            if slot.replace(node).is_some() {
                return Err(twice());
            }
        } else if name.eq_ignore_ascii_case("host") {
            let host =
                Host::from_str(&value).map_err(|_| ParseError::invalid(WHAT, "invalid 'host'"))?;
            if self.host.replace(host).is_some() {
                return Err(twice());
            }
        } else if name.eq_ignore_ascii_case("proto") {
            if !is_scheme(&value) {
                return Err(ParseError::invalid(WHAT, "'proto' is not a URI scheme"));
            }
            if self.proto.replace(value.to_ascii_lowercase()).is_some() {
                return Err(twice());
            }
        } else {
            let name = name.to_ascii_lowercase();
            if self.extensions.iter().any(|(n, _)| *n == name) {
                return Err(twice());
            }
            self.extensions.push((name, value.into_owned()));
        }
        Ok(())
    }
}

impl fmt::Display for ForwardedElement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut sep = "";
        let mut pair = |f: &mut fmt::Formatter<'_>, name: &str, value: &str| {
            let result = write!(f, "{sep}{name}={}", quote(value));
            sep = ";";
            result
        };
        if let Some(node) = &self.for_node {
            pair(f, "for", &node.to_string())?;
        }
        if let Some(node) = &self.by {
            pair(f, "by", &node.to_string())?;
        }
        if let Some(host) = &self.host {
            pair(f, "host", host.as_str())?;
        }
        if let Some(proto) = &self.proto {
            pair(f, "proto", proto)?;
        }
        for (name, value) in &self.extensions {
            pair(f, name, value)?;
        }
        Ok(())
    }
}

/// The `Forwarded` header: the elements the proxies in front of a server
/// appended, nearest proxy last.
///
/// Parsing is strict: a value with any malformed element (bad syntax, an
/// unterminated quote, an invalid node, host or proto, a repeated
/// parameter) is rejected as a whole rather than having that element
/// skipped. Skipping would let a client forge the trusted positions: a
/// client that sends `for=198.51.100.1, for="` makes the element its proxy
/// appends part of an unterminated quote, and dropping that broken element
/// would leave the client's own `for=198.51.100.1` in the position the proxy
/// owns. Rejecting means a client can make the header unusable (the
/// application then falls back to the peer address) but cannot choose what
/// a trusted position says.
///
/// Whitespace is allowed around `,` and `;`; empty list elements are
/// skipped (RFC 9110 §5.6.1); parameter names are case-insensitive; values
/// are tokens or quoted strings, and unquoted values may also hold `:`, `[`
/// and `]`, since some proxies omit the quotes RFC 7239 asks for around
/// ports and IPv6 addresses. Formatting quotes them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Forwarded {
    elements: Vec<ForwardedElement>,
}

impl Forwarded {
    /// A header with one element; an element with no parameters is refused,
    /// since it would format to an empty, unparsable header.
    pub fn new(first: ForwardedElement) -> Result<Forwarded, ParseError> {
        if first.is_empty() {
            return Err(ParseError::invalid(WHAT, "element has no parameters"));
        }
        Ok(Forwarded {
            elements: vec![first],
        })
    }

    /// Appends an element, as a proxy forwarding the request does. An element
    /// with no parameters is skipped, as parsing skips it, so positions
    /// counted by [`trusted_element`](Self::trusted_element) never include
    /// one.
    pub fn push(&mut self, element: ForwardedElement) {
        if !element.is_empty() {
            self.elements.push(element);
        }
    }

    /// The elements, farthest (client side) first.
    pub fn elements(&self) -> &[ForwardedElement] {
        &self.elements
    }

    /// The element written by the outermost of `trusted_proxies` proxies
    /// that each append one element: the `trusted_proxies`-th from the right.
    /// Its `for` is the client as that proxy saw it. `None` when
    /// `trusted_proxies` is 0 or the header has fewer elements, in which case
    /// the header cannot be trusted at all (as Werkzeug's `ProxyFix`).
    pub fn trusted_element(&self, trusted_proxies: usize) -> Option<&ForwardedElement> {
        let index = trusted_proxies.checked_sub(1)?;
        self.elements.iter().rev().nth(index)
    }

    fn parse(s: &str) -> Result<Forwarded, ParseError> {
        let mut cursor = Cursor { s, pos: 0 };
        let mut elements = Vec::new();
        loop {
            cursor.skip_ows();
            match cursor.peek() {
                None => break,
                Some(b',') => {
                    cursor.pos += 1;
                    continue;
                }
                Some(_) => {}
            }
            let element = cursor.element()?;
            if !element.is_empty() {
                if elements.len() >= MAX_FORWARDED_ELEMENTS {
                    return Err(ParseError::too_large(WHAT, "MAX_FORWARDED_ELEMENTS (100)"));
                }
                elements.push(element);
            }
        }
        if elements.is_empty() {
            return Err(ParseError::invalid(WHAT, "no elements"));
        }
        Ok(Forwarded { elements })
    }
}

/// A reading position in a `Forwarded` value; each byte is looked at a
/// bounded number of times, so parsing is linear.
struct Cursor<'a> {
    s: &'a str,
    pos: usize,
}

impl<'a> Cursor<'a> {
    fn peek(&self) -> Option<u8> {
        self.s.as_bytes().get(self.pos).copied()
    }

    fn skip_ows(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t')) {
            self.pos += 1;
        }
    }

    /// Takes bytes while `keep` holds; always ends on a char boundary since
    /// `keep` accepts only ASCII.
    fn take_while(&mut self, keep: impl Fn(u8) -> bool) -> &'a str {
        let start = self.pos;
        while self.peek().is_some_and(&keep) {
            self.pos += 1;
        }
        self.s.get(start..self.pos).unwrap_or("")
    }

    /// Reads one element, up to (not including) the next `,` or the end.
    fn element(&mut self) -> Result<ForwardedElement, ParseError> {
        let mut element = ForwardedElement::new();
        loop {
            self.skip_ows();
            match self.peek() {
                None | Some(b',') => return Ok(element),
                Some(b';') => {
                    self.pos += 1;
                    continue;
                }
                Some(_) => {}
            }
            let name = self.take_while(is_tchar);
            if name.is_empty() {
                return Err(ParseError::invalid(WHAT, "expected a parameter name"));
            }
            if self.peek() != Some(b'=') {
                return Err(ParseError::invalid(WHAT, "parameter without '='"));
            }
            self.pos += 1;
            let value = if self.peek() == Some(b'"') {
                self.quoted_string()?
            } else {
                let value = self.take_while(|b| is_tchar(b) || matches!(b, b':' | b'[' | b']'));
                if value.is_empty() {
                    return Err(ParseError::invalid(WHAT, "empty parameter value"));
                }
                Cow::Borrowed(value)
            };
            element.set(name, value)?;
            self.skip_ows();
            match self.peek() {
                None | Some(b',' | b';') => {}
                Some(_) => return Err(ParseError::invalid(WHAT, "expected ';' or ','")),
            }
        }
    }

    /// Reads a quoted-string (RFC 9110 §5.6.4) starting at its opening
    /// quote, strictly: it must be closed and hold no control characters.
    fn quoted_string(&mut self) -> Result<Cow<'a, str>, ParseError> {
        let unterminated = || ParseError::invalid(WHAT, "unterminated quoted string");
        let bytes = self.s.as_bytes();
        let mut i = self.pos + 1;
        let mut run_start = i;
        let mut unescaped: Option<String> = None;
        while let Some(&b) = bytes.get(i) {
            match b {
                b'"' => {
                    let run = self.s.get(run_start..i).ok_or_else(unterminated)?;
                    self.pos = i + 1;
                    return Ok(match unescaped {
                        None => Cow::Borrowed(run),
                        Some(mut text) => {
                            text.push_str(run);
                            Cow::Owned(text)
                        }
                    });
                }
                b'\\' => {
                    let escaped = *bytes.get(i + 1).ok_or_else(unterminated)?;
                    if is_ctl(escaped) {
                        return Err(ParseError::invalid(
                            WHAT,
                            "control character in quoted string",
                        ));
                    }
                    let run = self.s.get(run_start..i).ok_or_else(unterminated)?;
                    unescaped.get_or_insert_with(String::new).push_str(run);
                    // The escaped character starts the next run; if it is
                    // multi-byte its continuation bytes are skipped below as
                    // ordinary text.
                    run_start = i + 1;
                    i += 2;
                }
                b if is_ctl(b) => {
                    return Err(ParseError::invalid(
                        WHAT,
                        "control character in quoted string",
                    ));
                }
                _ => i += 1,
            }
        }
        Err(unterminated())
    }
}

/// A control character a quoted-string may not hold (tab is allowed).
fn is_ctl(b: u8) -> bool {
    (b < 0x20 && b != b'\t') || b == 0x7f
}

/// RFC 3986 §3.1: `ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )`.
pub(crate) fn is_scheme(s: &str) -> bool {
    let mut bytes = s.bytes();
    bytes.next().is_some_and(|b| b.is_ascii_alphabetic())
        && bytes.all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'))
}

fn is_registered(name: &str) -> bool {
    ["for", "by", "host", "proto"]
        .iter()
        .any(|r| r.eq_ignore_ascii_case(name))
}

impl FromStr for Forwarded {
    type Err = ParseError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Forwarded::parse(s)
    }
}

impl fmt::Display for Forwarded {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut first = true;
        for element in self.elements.iter().filter(|e| !e.is_empty()) {
            if !first {
                f.write_str(", ")?;
            }
            first = false;
            write!(f, "{element}")?;
        }
        Ok(())
    }
}

impl TypedHeader for Forwarded {
    const NAME: HeaderName = http::header::FORWARDED;
    const IS_LIST: bool = true;

    fn parse_value(value: &str) -> Result<Self, ParseError> {
        Forwarded::parse(value)
    }

    fn to_header_value(&self) -> HeaderValue {
        let mut text = String::with_capacity(32 * self.elements.len());
        // Writing to a String cannot fail.
        let _ = write!(text, "{self}");
        header_value(text)
    }
}

#[cfg(test)]
mod tests {
    use super::super::node::tests::{node_strategy, obfuscated_strategy};
    use super::*;
    use proptest::prelude::*;

    /// A compact description of an element for table comparisons:
    /// `for|by|host|proto|ext=v;ext=v`, `-` for absent parts.
    fn describe(e: &ForwardedElement) -> String {
        let opt = |s: Option<String>| s.unwrap_or_else(|| "-".to_string());
        let ext: Vec<String> = e.extensions().map(|(n, v)| format!("{n}={v}")).collect();
        format!(
            "{}|{}|{}|{}|{}",
            opt(e.for_node().map(|n| n.to_string())),
            opt(e.by().map(|n| n.to_string())),
            opt(e.host().map(|h| h.to_string())),
            opt(e.proto().map(str::to_string)),
            ext.join(";")
        )
    }

    #[test]
    fn forwarded_table() {
        let cases: &[(&str, Option<&[&str]>)] = &[
            // RFC 7239 §4 examples.
            (r#"for="_gazonk""#, Some(&["_gazonk|-|-|-|"])),
            (
                r#"For="[2001:db8:cafe::17]:4711""#,
                Some(&["[2001:db8:cafe::17]:4711|-|-|-|"]),
            ),
            (
                "for=192.0.2.60;proto=http;by=203.0.113.43",
                Some(&["192.0.2.60|203.0.113.43|-|http|"]),
            ),
            (
                "for=192.0.2.43, for=198.51.100.17",
                Some(&["192.0.2.43|-|-|-|", "198.51.100.17|-|-|-|"]),
            ),
            // RFC 7239 §7.1: list forms, with and without spaces.
            (
                r#"for=192.0.2.43,for="[2001:db8:cafe::17]",for=unknown"#,
                Some(&[
                    "192.0.2.43|-|-|-|",
                    "[2001:db8:cafe::17]|-|-|-|",
                    "unknown|-|-|-|",
                ]),
            ),
            (
                r#"for=192.0.2.43, for="[2001:db8:cafe::17]", for=unknown"#,
                Some(&[
                    "192.0.2.43|-|-|-|",
                    "[2001:db8:cafe::17]|-|-|-|",
                    "unknown|-|-|-|",
                ]),
            ),
            // RFC 7239 §7.4: the X-Forwarded-For transition example.
            (
                r#"for=192.0.2.43, for="[2001:db8:cafe::17]""#,
                Some(&["192.0.2.43|-|-|-|", "[2001:db8:cafe::17]|-|-|-|"]),
            ),
            // RFC 7239 §7.5.
            (
                "for=192.0.2.43,for=198.51.100.17;by=203.0.113.60;proto=http;host=example.com",
                Some(&[
                    "192.0.2.43|-|-|-|",
                    "198.51.100.17|203.0.113.60|example.com|http|",
                ]),
            ),
            // RFC 7239 §6.3 obfuscated nodes and ports.
            (
                "for=_hidden, for=_SEVKISEK",
                Some(&["_hidden|-|-|-|", "_SEVKISEK|-|-|-|"]),
            ),
            (r#"for="_hidden:_port""#, Some(&["_hidden:_port|-|-|-|"])),
            // Case, whitespace, empty elements and pairs.
            ("FOR=192.0.2.1;PROTO=HTTPS", Some(&["192.0.2.1|-|-|https|"])),
            (
                " for=192.0.2.1 ; proto=https ",
                Some(&["192.0.2.1|-|-|https|"]),
            ),
            (",, for=192.0.2.1,,", Some(&["192.0.2.1|-|-|-|"])),
            ("for=192.0.2.1;;proto=http;", Some(&["192.0.2.1|-|-|http|"])),
            (
                "for=192.0.2.1, ;, by=_b",
                Some(&["192.0.2.1|-|-|-|", "-|_b|-|-|"]),
            ),
            // Lenient unquoted ports and IPv6.
            ("for=192.0.2.1:8080", Some(&["192.0.2.1:8080|-|-|-|"])),
            ("for=[2001:db8::1]:80", Some(&["[2001:db8::1]:80|-|-|-|"])),
            // Host values.
            (
                r#"host="Example.com:8080""#,
                Some(&["-|-|example.com:8080|-|"]),
            ),
            (r#"host="[::1]""#, Some(&["-|-|[::1]|-|"])),
            // Extensions, quoted values with escapes, commas and semicolons.
            ("for=_a;Secret=x", Some(&["_a|-|-|-|secret=x"])),
            (r#"ext="a, b; c""#, Some(&["-|-|-|-|ext=a, b; c"])),
            (r#"ext="q\"uo\\te""#, Some(&["-|-|-|-|ext=q\"uo\\te"])),
            (r#"ext="""#, Some(&["-|-|-|-|ext="])),
            (r#"ext="ü""#, Some(&["-|-|-|-|ext=ü"])),
            // Rejected values.
            ("", None),
            (" , ", None),
            ("for", None),
            ("for=", None),
            ("=x", None),
            ("for=192.0.2.1 proto=http", None),
            ("for=192.0.2.1;for=192.0.2.2", None),
            ("for=192.0.2.1;FOR=192.0.2.2", None),
            ("ext=a;EXT=b", None),
            ("for=example.com", None),
            ("for=2001:db8::1", None),
            (r#"for="[2001:db8::1"#, None),
            (r#"for="192.0.2.1"#, None),
            (r#"for=192.0.2.1, for=""#, None),
            (r#"for=198.51.100.1, for=", for=192.0.2.1"#, None),
            (r#"for="\"#, None),
            ("for=\"a\u{1}\"", None),
            ("ext=\"a\r\nb\"", None),
            ("proto=1http", None),
            ("proto=ht/tp", None),
            ("host=exa%mple.com", None),
            (r#"host="user@example.com""#, None),
            ("for=192.0.2.1,for=bogus", None),
            ("for=\"192.0.2.1\"x", None),
            ("for=ü", None),
        ];
        for (input, want) in cases {
            let got = input
                .parse::<Forwarded>()
                .ok()
                .map(|f| f.elements().iter().map(describe).collect::<Vec<_>>());
            let want = want.map(|w| w.iter().map(|s| s.to_string()).collect::<Vec<_>>());
            assert_eq!(got, want, "{input:?}");
        }
    }

    #[test]
    fn trusted_element_counts_from_the_right() {
        let f: Forwarded = "for=198.51.100.1, for=192.0.2.1, for=10.0.0.1"
            .parse()
            .unwrap();
        let client = |n| {
            f.trusted_element(n)
                .and_then(|e| e.for_node())
                .map(|n| n.to_string())
        };
        assert_eq!(client(0), None);
        assert_eq!(client(1).as_deref(), Some("10.0.0.1"));
        assert_eq!(client(2).as_deref(), Some("192.0.2.1"));
        assert_eq!(client(3).as_deref(), Some("198.51.100.1"));
        assert_eq!(client(4), None);
        assert_eq!(client(usize::MAX), None);
    }

    #[test]
    fn formats_canonically() {
        let e = ForwardedElement::new()
            .with_for("[2001:db8::1]:4711".parse().unwrap())
            .with_by("_proxy".parse().unwrap())
            .with_host("example.com:8080".parse().unwrap())
            .with_proto("HTTPS")
            .unwrap()
            .with_extension("Note", "a b")
            .unwrap()
            .with_extension("note", "c")
            .unwrap();
        let mut f =
            Forwarded::new(ForwardedElement::new().with_for("192.0.2.1".parse().unwrap())).unwrap();
        f.push(ForwardedElement::new());
        assert_eq!(f.elements().len(), 1, "an empty element is skipped");
        f.push(e);
        assert!(Forwarded::new(ForwardedElement::new()).is_err());
        assert_eq!(
            f.to_string(),
            r#"for=192.0.2.1, for="[2001:db8::1]:4711";by=_proxy;host="example.com:8080";proto=https;note=c"#
        );
        assert_eq!(f.to_header_value(), f.to_string().as_str());
        assert!(ForwardedElement::new().with_proto("").is_err());
        assert!(ForwardedElement::new().with_extension("for", "x").is_err());
        assert!(ForwardedElement::new().with_extension("a b", "x").is_err());
        assert!(ForwardedElement::new().with_extension("x", "a\nb").is_err());
    }

    #[test]
    fn several_header_lines_form_one_list() {
        let mut headers = http::HeaderMap::new();
        headers.append("forwarded", HeaderValue::from_static("for=192.0.2.1"));
        headers.append(
            "forwarded",
            HeaderValue::from_static("for=10.0.0.1;proto=https"),
        );
        let f = Forwarded::from_headers(&headers).unwrap().unwrap();
        assert_eq!(f.elements().len(), 2);
        assert_eq!(f.trusted_element(1).and_then(|e| e.proto()), Some("https"));
        // An unterminated quote on the client's line poisons the whole list.
        headers.insert("forwarded", HeaderValue::from_static("for=\"192.0.2.1"));
        headers.append("forwarded", HeaderValue::from_static("for=10.0.0.1"));
        assert!(Forwarded::from_headers(&headers).unwrap().is_err());
    }

    #[test]
    fn limits() {
        let at = vec!["for=_a"; MAX_FORWARDED_ELEMENTS].join(",");
        assert_eq!(
            at.parse::<Forwarded>().unwrap().elements().len(),
            MAX_FORWARDED_ELEMENTS
        );
        assert!(
            format!("{at},for=_b")
                .parse::<Forwarded>()
                .unwrap_err()
                .is_too_large()
        );
        let params: Vec<String> = (0..MAX_FORWARDED_PARAMETERS)
            .map(|i| format!("e{i}=x"))
            .collect();
        let at = params.join(";");
        assert!(at.parse::<Forwarded>().is_ok());
        assert!(
            format!("{at};z=1")
                .parse::<Forwarded>()
                .unwrap_err()
                .is_too_large()
        );
    }

    #[test]
    fn hostile_one_mebibyte_values_are_linear() {
        const MIB: usize = 1 << 20;
        // Many elements: refused once over the limit, without reading on.
        let many = "for=192.0.2.1,".repeat(MIB / 14);
        assert!(many.parse::<Forwarded>().unwrap_err().is_too_large());
        // One huge quoted value, with and without escapes.
        let big = format!("ext=\"{}\"", "a".repeat(MIB));
        assert_eq!(
            big.parse::<Forwarded>().unwrap().elements()[0]
                .extension("ext")
                .map(str::len),
            Some(MIB)
        );
        let escaped = format!("ext=\"{}\"", "\\a".repeat(MIB / 2));
        assert!(escaped.parse::<Forwarded>().is_ok());
        // An unterminated quote running to the end.
        let open = format!("for=\"{}", ",for=x;".repeat(MIB / 7));
        assert!(open.parse::<Forwarded>().is_err());
        // Empty pairs and elements only.
        assert!(";,".repeat(MIB / 2).parse::<Forwarded>().is_err());
    }

    fn element_strategy() -> impl Strategy<Value = ForwardedElement> {
        let host = prop_oneof![
            Just("example.com"),
            Just("example.com:8080"),
            Just("[::1]:443"),
            Just("192.0.2.1")
        ]
        .prop_map(|h| h.parse::<Host>().unwrap());
        (
            proptest::option::of(node_strategy()),
            proptest::option::of(node_strategy()),
            proptest::option::of(host),
            proptest::option::of("[a-z][a-z0-9+.-]{0,6}"),
            proptest::collection::vec(
                ("[a-z][a-z0-9_-]{0,6}", "[ -~\\t\u{a0}-\u{ff}]{0,10}"),
                0..3,
            ),
            obfuscated_strategy(),
        )
            .prop_map(|(for_node, by, host, proto, exts, fallback)| {
                let mut e = ForwardedElement::new();
                if let Some(n) = for_node {
                    e = e.with_for(n);
                }
                if let Some(n) = by {
                    e = e.with_by(n);
                }
                if let Some(h) = host {
                    e = e.with_host(h);
                }
                if let Some(p) = proto {
                    e = e.with_proto(&p).unwrap();
                }
                for (name, value) in exts {
                    if !is_registered(&name) {
                        e = e.with_extension(&name, &value).unwrap();
                    }
                }
                if e.is_empty() {
                    e = e.with_for(ForwardedNode::new(
                        super::super::NodeName::Obfuscated(fallback),
                        None,
                    ));
                }
                e
            })
    }

    proptest! {
        #[test]
        fn forwarded_round_trips(elements in proptest::collection::vec(element_strategy(), 1..5)) {
            let mut iter = elements.into_iter();
            let first = iter.next().unwrap();
            prop_assume!(!first.is_empty());
            let mut f = Forwarded::new(first).unwrap();
            for e in iter {
                f.push(e);
            }
            let text = f.to_string();
            prop_assert_eq!(text.parse::<Forwarded>(), Ok(f.clone()));
            let header = f.to_header_value();
            prop_assert_eq!(Forwarded::from_header(&header), Ok(f));
        }

        #[test]
        fn parse_never_panics(s in "[ -~\\t\u{80}-\u{10ffff}]{0,60}") {
            let _ = s.parse::<Forwarded>();
        }

        #[test]
        fn parse_never_panics_on_near_valid(s in "(for|by|host|proto|x)=(\"[^\"]{0,8}\"?|[a-z0-9:_\\[\\].]{0,8})[;, ]{0,2}") {
            let _ = s.parse::<Forwarded>();
        }
    }
}
