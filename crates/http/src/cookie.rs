//! Cookies (RFC 6265): the `Cookie` request header read leniently into name
//! and value pairs ([`Cookies`]), and the `Set-Cookie` response header
//! ([`SetCookie`]) built on the `cookie` crate's [`Cookie`].
//!
//! # Reading `Cookie`
//!
//! The header is split on `;` as browsers do (RFC 6265 §5.4 and
//! draft-ietf-httpbis-rfc6265bis §5.7), whatever quotes it holds. Each pair
//! splits at its first `=`; surrounding spaces and tabs are trimmed. Pairs
//! without `=` and pairs with an empty name are skipped: browsers treat
//! `a` as a cookie with no name, which no server can ask for by name, and
//! dropping nameless cookies stops `==__Host-x=evil` from faking a prefixed
//! cookie. Pairs whose name holds an ASCII control character (tab included)
//! are skipped too: no browser sends one, and such a name cannot be written
//! back into a header. Names are otherwise kept as sent, even characters RFC
//! 6265 does not allow (`fo{`), because browsers send them. Duplicate names
//! are kept in order: the first is usually the most specific path.
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

use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

use http::header::{COOKIE, SET_COOKIE};
use http::{HeaderMap, HeaderName, HeaderValue};

pub use ::cookie::{Cookie, SameSite};

use crate::header::{header_str, header_value};
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

/// One `Set-Cookie` response header: a thin wrapper over the `cookie` crate's
/// [`Cookie`], which parses and formats the attributes (RFC 6265 §4.1).
///
/// A response sets several cookies with several `Set-Cookie` lines, never by
/// joining them with commas; see [`SetCookie::all_from_headers`].
///
/// ```
/// use tackle_http::cookie::{Cookie, SameSite, SetCookie};
/// use tackle_http::TypedHeader;
///
/// let cookie = Cookie::build(("session", "abc")).path("/").http_only(true).same_site(SameSite::Lax);
/// let header = SetCookie::new(cookie.build()).to_header_value();
/// assert_eq!(header, "session=abc; HttpOnly; SameSite=Lax; Path=/");
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct SetCookie(Cookie<'static>);

impl SetCookie {
    /// Wraps a cookie.
    pub fn new(cookie: Cookie<'static>) -> Self {
        SetCookie(cookie)
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

impl From<Cookie<'static>> for SetCookie {
    fn from(cookie: Cookie<'static>) -> Self {
        SetCookie(cookie)
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

    fn parse_value(value: &str) -> Result<Self, ParseError> {
        use ::cookie::ParseError as E;
        Cookie::parse(value.to_owned()).map(SetCookie).map_err(|e| {
            let reason = match e {
                E::MissingPair => "missing name=value pair",
                E::EmptyName => "empty cookie name",
                _ => "malformed cookie",
            };
            ParseError::invalid("Set-Cookie", reason)
        })
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
        ];
        for (input, want) in cases {
            let got = input.parse::<SetCookie>().map(|c| c.to_string());
            match want {
                Some(want) => assert_eq!(got.as_deref(), Ok(*want), "{input}"),
                None => assert!(got.unwrap_err().is_invalid(), "{input}"),
            }
        }
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
            // `SameSite=None` is always written with `Secure`.
            if secure || same_site == Some(SameSite::None) { cookie.set_secure(true); }
            cookie.set_same_site(same_site);
            let header = SetCookie::new(cookie);
            let back: SetCookie = header.to_string().parse().unwrap();
            prop_assert_eq!(back.cookie().same_site(), header.cookie().same_site());
            prop_assert_eq!(back, header);
        }
    }
}
