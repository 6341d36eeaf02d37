//! Cookies (RFC 6265): the `Cookie` request header read leniently into name
//! and value pairs ([`Cookies`]), and the `Set-Cookie` response header
//! ([`SetCookie`]) built on the `cookie` crate's [`Cookie`], checked so that
//! no name, value, `Path` or `Domain` can write an attribute of its own.
//!
//! # Reading `Cookie`
//!
//! The header is split on `;` as browsers do (RFC 6265 §5.4 and
//! draft-ietf-httpbis-rfc6265bis §5.7), whatever quotes it holds. Each pair
//! splits at its first `=`; surrounding spaces and tabs are trimmed. Pairs
//! without `=` and pairs with an empty name are skipped: no server can ask
//! for a nameless cookie by name (but see below). Pairs whose name holds an
//! ASCII control character (tab included) are skipped too: no browser sends
//! one, and such a name cannot be written back into a header. Names are
//! otherwise kept as sent, even characters RFC 6265 does not allow (`fo{`),
//! because browsers send them. Duplicate names are kept in order: the first
//! is usually the most specific path.
//!
//! A value wrapped in double quotes is unquoted (`a="b"` gives `b`), and
//! inside the quotes the escapes Python's `http.cookies` and Werkzeug write
//! are undone: `\"`, `\\` and three-digit octal bytes such as `\054`. RFC
//! 6265 keeps the quotes as part of the value, but every server framework
//! (Werkzeug, Go's `net/http`, Python) strips them, so applications never see
//! them. Values are otherwise not decoded: percent-escapes stay as sent.
//!
//! Werkzeug differs in two corners: it keeps `a` (no `=`) as a cookie with
//! an empty value, and it lets a quoted value span a `;` (`b="x;y"`). Here
//! both follow the browsers' splitting instead.
//!
//! ```
//! use tackle_http::cookie::Cookies;
//!
//! let cookies: Cookies = r#"session=abc; theme="dark"; lang=en; lang=fr"#.parse().unwrap();
//! assert_eq!(cookies.get("theme"), Some("dark"));
//! assert_eq!(cookies.get_all("lang").collect::<Vec<_>>(), ["en", "fr"]);
//! ```
//!
//! # Cookie prefixes are not proof
//!
//! Skipping nameless pairs does not stop nameless-cookie spoofing, and no
//! parser can: a browser sends a cookie without a name as its bare value, so
//! one stored from `Set-Cookie: =__Host-id=evil` (by a sibling subdomain or
//! a man in the middle over plain HTTP) arrives as `__Host-id=evil`, byte for
//! byte what a genuine `__Host-id` cookie looks like. Only the browser can
//! refuse to store it; those following draft-ietf-httpbis-rfc6265bis do,
//! older ones may not. Treat a `__Host-` or `__Secure-` name read here as a
//! hint, not proof, of how the cookie was set, and keep checking what such a
//! cookie holds (a signature, a session id that must exist).

use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

use http::header::{COOKIE, SET_COOKIE};
use http::{HeaderMap, HeaderName, HeaderValue};

pub use ::cookie::{Cookie, SameSite};

use crate::header::{header_str, header_value, is_token};
use crate::{MultiMap, ParseError, TypedHeader};

/// The cookies a client sent in its `Cookie` request header, in order.
///
/// Parsing never fails (bad pairs are skipped, see the module docs);
/// formatting writes `name=value; name2=value2`, quoting and escaping values
/// that hold characters RFC 6265 does not allow in a cookie value.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Cookies {
    map: MultiMap,
}

impl Cookies {
    /// No cookies.
    pub fn new() -> Self {
        Self::default()
    }

    /// The first value of the cookie `name` (names are case-sensitive).
    pub fn get(&self, name: &str) -> Option<&str> {
        self.map.get(name).map(String::as_str)
    }

    /// Every value sent for `name`, in order.
    pub fn get_all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.map.get_all(name).map(String::as_str)
    }

    /// Adds a cookie after the existing ones.
    pub fn append(&mut self, name: impl Into<String>, value: impl Into<String>) {
        self.map.append(name, value.into());
    }

    /// Every `(name, value)` pair in order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.map.iter().map(|(k, v)| (k, v.as_str()))
    }

    /// The number of pairs.
    pub fn len(&self) -> usize {
        self.map.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    /// The pairs as a map.
    pub fn as_map(&self) -> &MultiMap {
        &self.map
    }

    /// The pairs as a map, by value.
    pub fn into_map(self) -> MultiMap {
        self.map
    }
}

impl From<MultiMap> for Cookies {
    fn from(map: MultiMap) -> Self {
        Cookies { map }
    }
}

impl<K: Into<String>, V: Into<String>> FromIterator<(K, V)> for Cookies {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        let map = iter.into_iter().map(|(k, v)| (k, v.into())).collect();
        Cookies { map }
    }
}

/// The `(name, value)` pairs of a `Cookie` header, lazily and without
/// allocating unless a quoted value holds escapes. See the module docs for
/// what is skipped.
pub fn cookie_pairs(header: &str) -> CookiePairs<'_> {
    CookiePairs { rest: header }
}

/// The pairs of a `Cookie` header; see [`cookie_pairs`].
#[derive(Clone, Debug)]
pub struct CookiePairs<'a> {
    rest: &'a str,
}

impl<'a> Iterator for CookiePairs<'a> {
    type Item = (&'a str, Cow<'a, str>);

    fn next(&mut self) -> Option<Self::Item> {
        while !self.rest.is_empty() {
            let (pair, rest) = self.rest.split_once(';').unwrap_or((self.rest, ""));
            self.rest = rest;
            let Some((name, value)) = pair.split_once('=') else {
                continue;
            };
            let name = name.trim_matches(OWS);
            // Only names the formatter can write back: this skips nameless
            // pairs and names holding control characters.
            if !is_writable_name(name) {
                continue;
            }
            return Some((name, unquote_cookie_value(value.trim_matches(OWS))));
        }
        None
    }
}

const OWS: [char; 2] = [' ', '\t'];

/// Strips the quotes around a value and undoes `\x` and `\ooo` escapes.
fn unquote_cookie_value(value: &str) -> Cow<'_, str> {
    let inner = match value.strip_prefix('"').and_then(|v| v.strip_suffix('"')) {
        Some(inner) => inner,
        None => return Cow::Borrowed(value),
    };
    if !inner.contains('\\') {
        return Cow::Borrowed(inner);
    }
    let bytes = inner.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if b != b'\\' {
            out.push(b);
            i += 1;
            continue;
        }
        match (bytes.get(i + 1), bytes.get(i + 2), bytes.get(i + 3)) {
            (Some(&a @ b'0'..=b'3'), Some(&b @ b'0'..=b'7'), Some(&c @ b'0'..=b'7')) => {
                out.push((a - b'0') << 6 | (b - b'0') << 3 | (c - b'0'));
                i += 4;
            }
            (Some(&next), _, _) => {
                out.push(next);
                i += 2;
            }
            // A trailing lone backslash escapes nothing: keep it.
            (None, _, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    Cow::Owned(match String::from_utf8(out) {
        Ok(s) => s,
        Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
    })
}

/// Whether `b` is an RFC 6265 `cookie-octet`: printable ASCII except space,
/// `"`, `,`, `;` and `\`.
fn is_cookie_octet(b: u8) -> bool {
    matches!(b, 0x21 | 0x23..=0x2b | 0x2d..=0x3a | 0x3c..=0x5b | 0x5d..=0x7e)
}

/// Whether a pair with this name can be written so that it parses back.
fn is_writable_name(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with(OWS)
        && !name.ends_with(OWS)
        && !name
            .bytes()
            .any(|b| b == b';' || b == b'=' || b.is_ascii_control())
}

/// Writes a value raw when it is all cookie-octets, otherwise quoted with
/// every other byte as a `\ooo` octal escape (the form Werkzeug writes).
fn write_value(f: &mut fmt::Formatter<'_>, value: &str) -> fmt::Result {
    if value.bytes().all(is_cookie_octet) {
        return f.write_str(value);
    }
    f.write_str("\"")?;
    let mut safe_from = 0;
    for (i, b) in value.bytes().enumerate() {
        if is_cookie_octet(b) {
            continue;
        }
        if safe_from < i {
            f.write_str(&value[safe_from..i])?;
        }
        safe_from = i + 1;
        write!(f, "\\{:03o}", b)?;
    }
    if let Some(tail) = value.get(safe_from..) {
        f.write_str(tail)?;
    }
    f.write_str("\"")
}

/// Writes the `Cookie` header value. Pairs whose name cannot be written
/// (empty, with `;`, `=` or control characters, or with surrounding
/// whitespace) are left out.
impl fmt::Display for Cookies {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut first = true;
        for (name, value) in self.iter().filter(|(name, _)| is_writable_name(name)) {
            if !first {
                f.write_str("; ")?;
            }
            first = false;
            f.write_str(name)?;
            f.write_str("=")?;
            write_value(f, value)?;
        }
        Ok(())
    }
}

impl FromStr for Cookies {
    type Err = ParseError;

    fn from_str(s: &str) -> Result<Self, ParseError> {
        Self::parse_value(s)
    }
}

impl TypedHeader for Cookies {
    const NAME: HeaderName = COOKIE;

    /// Never fails: bad pairs are skipped.
    fn parse_value(value: &str) -> Result<Self, ParseError> {
        let mut map = MultiMap::new();
        for (name, value) in cookie_pairs(value) {
            map.append(name, value.into_owned());
        }
        Ok(Cookies { map })
    }

    fn to_header_value(&self) -> HeaderValue {
        header_value(self.to_string())
    }

    /// HTTP/2 and HTTP/3 clients may split cookies over several `Cookie`
    /// lines (RFC 9113 §8.2.3); they are read in order as if joined by `; `.
    fn from_headers(headers: &HeaderMap) -> Option<Result<Self, ParseError>> {
        let mut lines = headers.get_all(COOKIE).iter().peekable();
        lines.peek()?;
        let mut map = MultiMap::new();
        for line in lines {
            for (name, value) in cookie_pairs(&header_str(line)) {
                map.append(name, value.into_owned());
            }
        }
        Some(Ok(Cookies { map }))
    }
}

/// One `Set-Cookie` response header: a [`Cookie`] of the `cookie` crate,
/// which parses and formats the attributes (RFC 6265 §4.1), checked so that
/// it formats to exactly the cookie it holds.
///
/// The `cookie` crate writes the name, value, `Path` and `Domain` as they
/// are, so a value such as `en; Domain=evil.example` would add attributes
/// nobody set. [`SetCookie::new`] and parsing therefore accept a cookie only
/// when
///
/// - its name is a token and its value is `cookie-octet`s, optionally in
///   double quotes (RFC 6265 §4.1.1: no spaces, `"`, `,`, `;`, `\` or
///   controls; encode anything else, e.g. as base64 or percent-escapes);
/// - its `Path` and `Domain` hold no `;`, no control character and no
///   surrounding whitespace, and the `Domain` is not empty once its one
///   leading `.` is dropped (RFC 6265 §5.2.3);
/// - its `Expires` falls in the years 100 to 9999, which the date format
///   can carry.
///
/// Attributes that format alike are stored alike, so that a formatted line
/// parses back to an equal value: `Secure` is set when `Partitioned`, or
/// `SameSite=None` with `Secure` unset, make the `cookie` crate write it
/// (a parsed `SameSite=None` line without `Secure` reads as
/// `secure() == Some(false)`, which writes none); other `false` flags
/// become unset, a session `Expires` is unset, `Expires` is kept in UTC to
/// the second, and a negative `Max-Age` becomes 0 (RFC 6265 §5.2.2).
///
/// A response sets several cookies with several `Set-Cookie` lines, never by
/// joining them with commas; see [`SetCookie::all_from_headers`].
///
/// ```
/// use tackle_http::cookie::{Cookie, SameSite, SetCookie};
/// use tackle_http::TypedHeader;
///
/// let cookie = Cookie::build(("session", "abc")).path("/").http_only(true).same_site(SameSite::Lax);
/// let header = SetCookie::new(cookie.build())?.to_header_value();
/// assert_eq!(header, "session=abc; HttpOnly; SameSite=Lax; Path=/");
///
/// assert!(SetCookie::new(Cookie::new("lang", "en; Domain=evil.example")).is_err());
/// # Ok::<(), tackle_http::ParseError>(())
/// ```
#[derive(Clone, Debug)]
pub struct SetCookie(Cookie<'static>);

const SET_COOKIE_WHAT: &str = "Set-Cookie";

impl SetCookie {
    /// Wraps a cookie; fails when it could not be written as it is (see the
    /// type's docs for the rules and the normalization).
    pub fn new(cookie: Cookie<'static>) -> Result<Self, ParseError> {
        checked(cookie).map(SetCookie)
    }

    /// The cookie.
    pub fn cookie(&self) -> &Cookie<'static> {
        &self.0
    }

    /// The cookie, by value.
    pub fn into_cookie(self) -> Cookie<'static> {
        self.0
    }

    /// Every `Set-Cookie` line of a response, parsed one by one, in order.
    pub fn all_from_headers(
        headers: &HeaderMap,
    ) -> impl Iterator<Item = Result<SetCookie, ParseError>> + '_ {
        headers.get_all(SET_COOKIE).iter().map(Self::from_header)
    }
}

/// Whether `value` is a `cookie-value`: `cookie-octet`s, optionally wrapped
/// in one pair of double quotes.
fn is_cookie_value(value: &str) -> bool {
    let inner = value
        .strip_prefix('"')
        .and_then(|v| v.strip_suffix('"'))
        .unwrap_or(value);
    inner.bytes().all(is_cookie_octet)
}

/// Whether a `Path` or `Domain` value is written as it reads back and adds
/// no attribute: no `;`, no control character, no surrounding whitespace
/// (the `cookie` crate trims it when reading).
fn is_attribute_value(value: &str) -> bool {
    value.trim() == value && !value.chars().any(|c| c == ';' || c.is_control())
}

/// The checks and normalization of [`SetCookie::new`].
fn checked(mut cookie: Cookie<'static>) -> Result<Cookie<'static>, ParseError> {
    use ::cookie::Expiration;
    use ::cookie::time::{Duration, UtcOffset};

    let invalid = |reason| Err(ParseError::invalid(SET_COOKIE_WHAT, reason));
    if !is_token(cookie.name()) {
        return invalid("cookie name is not a token");
    }
    if !is_cookie_value(cookie.value()) {
        return invalid("cookie value holds a character outside cookie-octet");
    }
    if cookie.path().is_some_and(|path| !is_attribute_value(path)) {
        return invalid("Path holds ';', a control character or surrounding whitespace");
    }
    // `domain()` is the value as written: without its one leading dot.
    let bad_domain =
        |domain: &str| domain.is_empty() || domain.starts_with('.') || !is_attribute_value(domain);
    if cookie.domain().is_some_and(bad_domain) {
        return invalid("Domain is empty or holds ';', a control character or whitespace");
    }
    match cookie.expires() {
        Some(Expiration::DateTime(time)) => {
            let utc = time
                .checked_to_offset(UtcOffset::UTC)
                .filter(|t| (100..=9999).contains(&t.year()))
                .and_then(|t| t.replace_nanosecond(0).ok());
            match utc {
                Some(utc) => cookie.set_expires(utc),
                None => return invalid("Expires is outside the years 100 to 9999"),
            }
        }
        Some(Expiration::Session) => cookie.unset_expires(),
        None => {}
    }
    if let Some(max_age) = cookie.max_age() {
        cookie.set_max_age(Duration::seconds(max_age.whole_seconds().max(0)));
    }
    // What the `cookie` crate writes for `Secure`, as it would read back.
    let secure = match (cookie.secure(), cookie.partitioned(), cookie.same_site()) {
        (Some(true), _, _) | (_, Some(true), _) | (None, _, Some(SameSite::None)) => Some(true),
        // The one way to write `SameSite=None` without `Secure`.
        (Some(false), _, Some(SameSite::None)) => Some(false),
        _ => None,
    };
    cookie.set_secure(secure);
    if cookie.http_only() == Some(false) {
        cookie.set_http_only(None);
    }
    if cookie.partitioned() == Some(false) {
        cookie.set_partitioned(None);
    }
    Ok(cookie)
}

impl TryFrom<Cookie<'static>> for SetCookie {
    type Error = ParseError;

    fn try_from(cookie: Cookie<'static>) -> Result<Self, ParseError> {
        SetCookie::new(cookie)
    }
}

/// Equal when every attribute is: unlike [`Cookie`]'s own equality, this
/// compares `SameSite` too, and `Path` case-sensitively, as browsers match
/// it. `Domain` is compared case-insensitively.
impl PartialEq for SetCookie {
    fn eq(&self, other: &Self) -> bool {
        let (a, b) = (&self.0, &other.0);
        a == b && a.same_site() == b.same_site() && a.path() == b.path()
    }
}

impl fmt::Display for SetCookie {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl FromStr for SetCookie {
    type Err = ParseError;

    fn from_str(s: &str) -> Result<Self, ParseError> {
        Self::parse_value(s)
    }
}

impl TypedHeader for SetCookie {
    const NAME: HeaderName = SET_COOKIE;

    /// Reads the line with the `cookie` crate (unknown attributes and
    /// unreadable `Expires`, `Max-Age` or `SameSite` values are ignored),
    /// then applies the checks of [`SetCookie::new`]: a cookie it would
    /// refuse to write, such as a value with spaces, fails to parse.
    fn parse_value(value: &str) -> Result<Self, ParseError> {
        use ::cookie::ParseError as E;
        let mut cookie = Cookie::parse(value.to_owned()).map_err(|e| {
            let reason = match e {
                E::MissingPair => "missing name=value pair",
                E::EmptyName => "empty cookie name",
                _ => "malformed cookie",
            };
            ParseError::invalid(SET_COOKIE_WHAT, reason)
        })?;
        // The line said no `Secure`; unset, the `cookie` crate would add it.
        if cookie.secure().is_none() && cookie.same_site() == Some(SameSite::None) {
            cookie.set_secure(false);
        }
        SetCookie::new(cookie)
    }

    fn to_header_value(&self) -> HeaderValue {
        header_value(self.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn parse(s: &str) -> Vec<(String, String)> {
        cookie_pairs(s)
            .map(|(k, v)| (k.to_string(), v.into_owned()))
            .collect()
    }

    fn owned(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn parse_table() {
        let cases: &[(&str, &[(&str, &str)])] = &[
            ("", &[]),
            // RFC 6265 §3.1 and §4.2.1.
            ("SID=31d4d96e407aad42", &[("SID", "31d4d96e407aad42")]),
            (
                "SID=31d4d96e407aad42; lang=en-US",
                &[("SID", "31d4d96e407aad42"), ("lang", "en-US")],
            ),
            ("a=1;b=2", &[("a", "1"), ("b", "2")]),
            (" a = 1 ;\tb=2\t; ", &[("a", "1"), ("b", "2")]),
            ("a=1; a=2", &[("a", "1"), ("a", "2")]),
            ("a=", &[("a", "")]),
            ("a=b=c", &[("a", "b=c")]),
            // Not a pair, empty name: skipped.
            ("a", &[]),
            ("=b", &[]),
            ("; ;;", &[]),
            // Commas are not separators (RFC 2965 is obsolete).
            ("a=1,b=2", &[("a", "1,b=2")]),
            // Values are not percent-decoded.
            ("a=%20x", &[("a", "%20x")]),
            // Quotes.
            (r#"a="b""#, &[("a", "b")]),
            (r#"a="""#, &[("a", "")]),
            (r#"a=""#, &[("a", "\"")]),
            (r#"a="b"#, &[("a", "\"b")]),
            (r#"a=b"c""#, &[("a", "b\"c\"")]),
            (r#"a=" b ""#, &[("a", " b ")]),
            // Python/Werkzeug escapes inside quotes.
            (r#"foo="foo\054bar""#, &[("foo", "foo,bar")]),
            (r#"foo="\342\230\203""#, &[("foo", "☃")]),
            (r#"a="x\"y\\z""#, &[("a", "x\"y\\z")]),
            (r#"a="\777""#, &[("a", "777")]),
            (r#"a="\377""#, &[("a", "\u{fffd}")]),
            (r#"a="\q""#, &[("a", "q")]),
            (r#"a="x\""#, &[("a", "x\\")]),
            // Werkzeug test_http.py test_parse_cookie; `b` differs (see module docs).
            (
                "dismiss-top=6; CP=null*; PHPSESSID=0a539d42abc001cdc762809248d4beed;\
                 a=42; b=\"\\\";\"; ; fo234{=bar;blub=Blah; \"__Secure-c\"=d;\
                 ==__Host-eq=bad;__Host-eq=good;",
                &[
                    ("dismiss-top", "6"),
                    ("CP", "null*"),
                    ("PHPSESSID", "0a539d42abc001cdc762809248d4beed"),
                    ("a", "42"),
                    ("b", "\\"),
                    ("fo234{", "bar"),
                    ("blub", "Blah"),
                    ("\"__Secure-c\"", "d"),
                    ("__Host-eq", "good"),
                ],
            ),
            // Werkzeug test_bad_cookies; `oops` has no `=` and is skipped.
            (
                "first=IamTheFirst ; a=1; oops ; a=2 ;second = andMeTwo;",
                &[
                    ("first", "IamTheFirst"),
                    ("a", "1"),
                    ("a", "2"),
                    ("second", "andMeTwo"),
                ],
            ),
            (
                "spam=ham; duck=mallard; ; ",
                &[("spam", "ham"), ("duck", "mallard")],
            ),
            (
                r#"foo="?foo"; version="0.1";"#,
                &[("foo", "?foo"), ("version", "0.1")],
            ),
            ("fö=fö", &[("fö", "fö")]),
            // Fuzzing: names the formatter cannot write are not read either.
            ("\n=", &[]),
            ("a\tb=1; \x7f=2; c\u{1}=3; ok=4", &[("ok", "4")]),
            ("\u{85}=x", &[("\u{85}", "x")]),
        ];
        for (input, want) in cases {
            assert_eq!(parse(input), owned(want), "{input}");
        }
    }

    #[test]
    fn format_table() {
        let cases: &[(&[(&str, &str)], &str)] = &[
            (&[], ""),
            (&[("a", "1"), ("b", "2")], "a=1; b=2"),
            (&[("a", "")], "a="),
            (&[("k", "xxx/=?")], "k=xxx/=?"),
            (&[("a", "b c")], r#"a="b\040c""#),
            (&[("a", "x\"y")], r#"a="x\042y""#),
            (&[("a", "1,2;3\\")], r#"a="1\0542\0733\134""#),
            (&[("foo", "☃")], r#"foo="\342\230\203""#),
            (
                &[
                    ("", "x"),
                    ("a;b", "x"),
                    ("a=b", "x"),
                    (" a", "x"),
                    ("ok", "1"),
                ],
                "ok=1",
            ),
        ];
        for (input, want) in cases {
            let cookies: Cookies = input.iter().copied().collect();
            assert_eq!(cookies.to_string(), *want, "{input:?}");
        }
    }

    #[test]
    fn typed_header_reads_every_line_and_utf8() {
        let mut headers = HeaderMap::new();
        assert!(Cookies::from_headers(&headers).is_none());
        headers.append(COOKIE, HeaderValue::from_static("a=1; b=2"));
        headers.append(
            COOKIE,
            HeaderValue::from_bytes("c=\"ü\"".as_bytes()).unwrap(),
        );
        let cookies = Cookies::from_headers(&headers).unwrap().unwrap();
        assert_eq!(
            cookies.iter().collect::<Vec<_>>(),
            [("a", "1"), ("b", "2"), ("c", "ü")]
        );
        assert_eq!(cookies.len(), 3);
        let value = cookies.to_header_value();
        assert_eq!(value, r#"a=1; b=2; c="\303\274""#);
        assert_eq!(Cookies::from_header(&value).unwrap(), cookies);
    }

    #[test]
    fn set_cookie_table() {
        let cases: &[(&str, Option<&str>)] = &[
            ("a=b", Some("a=b")),
            ("a=b; Path=/; HttpOnly", Some("a=b; HttpOnly; Path=/")),
            (
                "id=a3fWa; Max-Age=2592000; Secure; SameSite=Strict",
                Some("id=a3fWa; SameSite=Strict; Secure; Max-Age=2592000"),
            ),
            (
                "a=b; Domain=.Example.com; Partitioned",
                Some("a=b; Partitioned; Secure; Domain=Example.com"),
            ),
            (
                "a=b; Expires=Wed, 21 Oct 2015 07:28:00 GMT",
                Some("a=b; Expires=Wed, 21 Oct 2015 07:28:00 GMT"),
            ),
            ("=b", None),
            ("a", None),
            ("", None),
            // RFC 6265 §4.1.1: a value may be quoted as a whole.
            ("a=\"b\"", Some("a=\"b\"")),
            ("a=\"\"", Some("a=\"\"")),
            ("a=; Path=/x y", Some("a=; Path=/x y")),
            ("a=b; Domain=", Some("a=b")),
            ("a=b; Priority=High; Max-Age=x", Some("a=b")),
            ("a=b; Path=/; Path=/x", Some("a=b; Path=/x")),
            // `SameSite=None` without `Secure` is written so, not with the
            // `Secure` the `cookie` crate would add; `Partitioned` always
            // gets it.
            ("a=b; SameSite=None", Some("a=b; SameSite=None")),
            (
                "a=b; SameSite=None; Secure",
                Some("a=b; SameSite=None; Secure"),
            ),
            ("a=b; Partitioned", Some("a=b; Partitioned; Secure")),
            ("a=b; Max-Age=-5", Some("a=b; Max-Age=0")),
            (
                "a=b; Expires=Wed, 21-Oct-15 07:28:00 GMT",
                Some("a=b; Expires=Wed, 21 Oct 2015 07:28:00 GMT"),
            ),
            // What SetCookie::new refuses to write is not read either.
            ("a=b c", None),
            ("a b=c", None),
            ("a=b\"c", None),
            ("a=\"", None),
            ("a=b,c", None),
            ("a=\u{e9}", None),
            ("a\u{1}=b", None),
            ("a=b; Path=/\u{1}", None),
            ("a=b; Path=/\u{85}x", None),
            // The `cookie` crate trims Unicode whitespace, NEL included.
            ("a=b; Path=/\u{85}", Some("a=b; Path=/")),
            ("a=b; Domain=..example.com", None),
            ("a=b; Domain=.", None),
            ("a=b; Expires=Wed, 21 Oct 10000 07:28:00 GMT", Some("a=b")),
        ];
        for (input, want) in cases {
            let parsed = input.parse::<SetCookie>();
            let got = parsed.as_ref().map(|c| c.to_string());
            match want {
                Some(want) => {
                    assert_eq!(got.as_deref(), Ok(*want), "{input}");
                    let back: SetCookie = want.parse().unwrap();
                    assert_eq!(Ok(back), parsed, "{input}");
                }
                None => assert!(got.unwrap_err().is_invalid(), "{input}"),
            }
        }
    }

    /// `SetCookie::new` refuses whatever would write attributes the cookie
    /// does not hold, and normalizes what writes alike.
    #[test]
    fn set_cookie_new_table() {
        use ::cookie::time::{Duration, OffsetDateTime, UtcOffset};

        let with = |f: fn(&mut Cookie<'static>)| {
            let mut cookie = Cookie::new("a", "b");
            f(&mut cookie);
            cookie
        };
        let cases: Vec<(Cookie<'static>, Option<&str>)> = vec![
            (
                Cookie::new("lang", "en; Domain=evil.example; Max-Age=99999999"),
                None,
            ),
            (Cookie::new("lang; Path=/", "en"), None),
            (Cookie::new("a", "b\r\nSet-Cookie: x=y"), None),
            (Cookie::new("", "b"), None),
            (Cookie::new("a b", "c"), None),
            (Cookie::new("a=b", "c"), None),
            (Cookie::new("a", "x y"), None),
            (Cookie::new("a", "x,y"), None),
            (Cookie::new("a", "\"x"), None),
            (with(|c| c.set_path("/; Domain=evil.example")), None),
            (with(|c| c.set_path("/\n")), None),
            (with(|c| c.set_path(" /")), None),
            (with(|c| c.set_domain("evil.example; Secure")), None),
            (with(|c| c.set_domain("x\u{7f}")), None),
            (with(|c| c.set_domain("")), None),
            (with(|c| c.set_domain(".")), None),
            (with(|c| c.set_domain("..x")), None),
            (with(|c| c.set_domain("x ")), None),
            (
                with(|c| c.set_expires(OffsetDateTime::UNIX_EPOCH.replace_year(99).unwrap())),
                None,
            ),
            (Cookie::new("__Host-id", "\"x\""), Some("__Host-id=\"x\"")),
            (Cookie::new("a", ""), Some("a=")),
            (with(|c| c.set_path("/a b")), Some("a=b; Path=/a b")),
            (
                with(|c| c.set_domain(".example.com")),
                Some("a=b; Domain=example.com"),
            ),
            (
                with(|c| c.set_expires(::cookie::Expiration::Session)),
                Some("a=b"),
            ),
            (with(|c| c.set_secure(false)), Some("a=b")),
            (with(|c| c.set_http_only(false)), Some("a=b")),
            (
                with(|c| c.set_partitioned(true)),
                Some("a=b; Partitioned; Secure"),
            ),
            (
                with(|c| {
                    c.set_same_site(SameSite::None);
                    c.set_secure(false);
                }),
                Some("a=b; SameSite=None"),
            ),
            (
                with(|c| c.set_max_age(Duration::seconds(-10))),
                Some("a=b; Max-Age=0"),
            ),
            (
                with(|c| c.set_max_age(Duration::milliseconds(1500))),
                Some("a=b; Max-Age=1"),
            ),
            (
                with(|c| {
                    let local = OffsetDateTime::UNIX_EPOCH
                        .replace_nanosecond(5)
                        .unwrap()
                        .to_offset(UtcOffset::from_hms(2, 0, 0).unwrap());
                    c.set_expires(local);
                }),
                Some("a=b; Expires=Thu, 01 Jan 1970 00:00:00 GMT"),
            ),
        ];
        for (cookie, want) in cases {
            let input = format!("{cookie:?}");
            let got = SetCookie::new(cookie);
            match want {
                Some(want) => {
                    let got = got.unwrap();
                    assert_eq!(got.to_string(), want, "{input}");
                    assert_eq!(want.parse::<SetCookie>().unwrap(), got, "{input}");
                }
                None => assert!(got.unwrap_err().is_invalid(), "{input}"),
            }
        }
        let cookie = Cookie::new("a", "b");
        assert_eq!(SetCookie::try_from(cookie.clone()), SetCookie::new(cookie));
    }

    #[test]
    fn set_cookie_equality_sees_same_site_and_path_case() {
        let set = |line: &str| line.parse::<SetCookie>().unwrap();
        assert_ne!(set("a=b; SameSite=Lax"), set("a=b; SameSite=Strict"));
        assert_ne!(set("a=b; Path=/A"), set("a=b; Path=/a"));
        assert_eq!(set("a=b; Domain=A.example"), set("a=b; Domain=a.example"));
    }

    #[test]
    fn set_cookie_lines_are_read_separately() {
        let mut headers = HeaderMap::new();
        headers.append(SET_COOKIE, HeaderValue::from_static("a=1; Path=/"));
        headers.append(SET_COOKIE, HeaderValue::from_static("b=2; Secure"));
        let all: Vec<SetCookie> = SetCookie::all_from_headers(&headers)
            .map(Result::unwrap)
            .collect();
        assert_eq!(all.len(), 2);
        assert_eq!(all[0].cookie().path(), Some("/"));
        assert_eq!(all[1].cookie().secure(), Some(true));
        assert_eq!(all[1].clone().into_cookie().name(), "b");
    }

    #[test]
    fn one_mebibyte_header_is_linear() {
        let pairs = (1 << 20) / "name=value; ".len() + 1;
        let header = "name=value; ".repeat(pairs);
        assert!(header.len() > 1 << 20);
        let cookies: Cookies = header.parse().unwrap();
        assert_eq!(cookies.len(), pairs);
        // One unterminated quote and many escapes in a single value.
        let header = format!("a=\"{}", "\\054".repeat(1 << 18));
        assert_eq!(parse(&header)[0].1.len(), header.len() - 2);
        let header = format!("a=\"{}\"", "\\054".repeat(1 << 18));
        assert_eq!(parse(&header)[0].1.len(), 1 << 18);
        assert!(parse(&";".repeat(1 << 20)).is_empty());
    }

    fn cookie_name() -> impl Strategy<Value = String> {
        "[!#$%&'*+.^_`|~0-9A-Za-z-]{1,10}"
    }

    proptest! {
        #[test]
        fn cookie_header_round_trips(pairs in proptest::collection::vec((cookie_name(), any::<String>()), 0..6)) {
            let cookies: Cookies = pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            let back: Cookies = cookies.to_string().parse().unwrap();
            prop_assert_eq!(back, cookies);
        }

        #[test]
        fn set_cookie_round_trips(
            name in cookie_name(),
            value in "[!#-+--:<-\\[\\]-~]{0,12}",
            path in proptest::option::of("/[a-z0-9/]{0,8}"),
            domain in proptest::option::of("[a-z]{1,8}\\.(com|org)"),
            max_age in proptest::option::of(0i64..100_000_000),
            http_only in any::<bool>(),
            secure in any::<bool>(),
            same_site in proptest::option::of(prop_oneof![Just(SameSite::Strict), Just(SameSite::Lax), Just(SameSite::None)]),
        ) {
            let mut cookie = Cookie::new(name, value);
            if let Some(path) = path { cookie.set_path(path); }
            if let Some(domain) = domain { cookie.set_domain(domain); }
            if let Some(secs) = max_age { cookie.set_max_age(::cookie::time::Duration::seconds(secs)); }
            if http_only { cookie.set_http_only(true); }
            if secure { cookie.set_secure(true); }
            cookie.set_same_site(same_site);
            let header = SetCookie::new(cookie).unwrap();
            let back: SetCookie = header.to_string().parse().unwrap();
            prop_assert_eq!(back, header);
        }

        /// Any name, value, path and domain: either refused, or written so
        /// that the line reads back as the same cookie, with no attribute
        /// more.
        #[test]
        fn set_cookie_never_writes_foreign_attributes(
            name in "\\PC{0,8}",
            value in "[ -~\\t\\r\\n\\u{e9}]{0,16}",
            path in proptest::option::of("[ -~\\n]{0,12}"),
            domain in proptest::option::of("[ -~\\n]{0,12}"),
        ) {
            let mut cookie = Cookie::new(name, value);
            if let Some(path) = path { cookie.set_path(path); }
            if let Some(domain) = domain { cookie.set_domain(domain); }
            if let Ok(header) = SetCookie::new(cookie) {
                let back = SetCookie::from_header(&header.to_header_value()).unwrap();
                prop_assert_eq!(back, header);
            }
        }

        /// Whatever line parses formats to a line that parses back equal.
        #[test]
        fn set_cookie_lines_round_trip(
            pair in "[a-z\\\" =,]{0,4}=[a-z\\\" =,]{0,4}",
            attributes in proptest::collection::vec(prop_oneof![
                "(Path|Domain)=[ -:<-~]{0,8}",
                "Max-Age=-?[0-9]{1,20}",
                "Expires=(Wed, )?[0-9]{1,2}[ -](Jan|Oct)[ -]-?[0-9]{1,5} [0-9]{2}:[0-9]{2}:[0-9]{2} GMT",
                "(Secure|HttpOnly|Partitioned|SameSite=(Lax|strict|None|x))",
            ], 0..5),
        ) {
            let line = std::iter::once(pair).chain(attributes).collect::<Vec<_>>().join("; ");
            if let Ok(header) = line.parse::<SetCookie>() {
                let back: SetCookie = header.to_string().parse().unwrap();
                prop_assert_eq!(back, header, "{}", line);
            }
        }
    }
}
