//! The `Authorization` request header (RFC 9110 §11.6.2).

use std::fmt;
use std::str::FromStr;

use base64::Engine;
use base64::engine::DecodePaddingMode;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig, STANDARD};
use http::header::AUTHORIZATION;
use http::{HeaderName, HeaderValue};

use super::auth_data::{AuthData, check_scheme, is_token68, parse_schemes, write_scheme_and_data};
use crate::header::header_value;
use crate::{ParseError, TypedHeader};

const WHAT: &str = "Authorization";

/// Reads base64 with or without the trailing `=` padding: some clients drop
/// it, and it carries no information.
const LENIENT_BASE64: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// The credentials a client sends: `Authorization: <scheme> <data>`.
///
/// Schemes are matched case-insensitively; `Basic` and `Bearer` are decoded,
/// any other scheme (Digest, Negotiate, AWS4-HMAC-SHA256...) keeps its data
/// as a token68 or auth-params for the application to check.
///
/// ```
/// use tackle_http::auth::Authorization;
///
/// let auth: Authorization = r#"Digest username="Mufasa", realm="a, b", nc=00000001"#.parse().unwrap();
/// assert_eq!(auth.scheme(), "Digest");
/// assert_eq!(auth.param("realm"), Some("a, b"));
/// assert_eq!(auth.to_string(), r#"Digest username="Mufasa", realm="a, b", nc=00000001"#);
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub enum Authorization {
    /// `Basic` (RFC 7617): a user-id and password, base64 of `user:password`
    /// in UTF-8. The password may contain `:`; the user-id must not (it would
    /// read back split at its first `:`), and neither may hold a control
    /// character (RFC 7617 §2). [`Authorization::basic`] checks both.
    Basic {
        /// The user-id.
        username: String,
        /// The password.
        password: String,
    },
    /// `Bearer` (RFC 6750 §2.1): an opaque token68 such as an OAuth access
    /// token. [`Authorization::bearer`] checks the grammar.
    Bearer {
        /// The token.
        token: String,
    },
    /// Any other scheme, as sent. [`Authorization::other`] checks it.
    ///
    /// Built straight from this variant, the fields are not checked; then a
    /// scheme that is not a token, a token68 off its grammar and parameters
    /// whose name is not a token are left out when formatting, never
    /// written raw.
    Other {
        /// The scheme, as sent (a token).
        scheme: String,
        /// What follows the scheme.
        data: AuthData,
    },
}

impl Authorization {
    /// `Basic` credentials; fails when the user-id holds `:` or either part
    /// holds a control character (RFC 7617 §2).
    pub fn basic(
        username: impl Into<String>,
        password: impl Into<String>,
    ) -> Result<Self, ParseError> {
        let (username, password) = (username.into(), password.into());
        if username.contains(':') {
            return Err(ParseError::invalid(WHAT, "Basic user-id contains ':'"));
        }
        check_basic_controls(&username, &password)?;
        Ok(Authorization::Basic { username, password })
    }

    /// A `Bearer` token; fails unless it is a token68 (RFC 6750 §2.1), so
    /// that it cannot carry a second parameter or scheme.
    pub fn bearer(token: impl Into<String>) -> Result<Self, ParseError> {
        let token = token.into();
        if !is_token68(&token) {
            return Err(ParseError::invalid(WHAT, "Bearer token is not a token68"));
        }
        Ok(Authorization::Bearer { token })
    }

    /// Credentials of another scheme, e.g. `Digest` with its parameters.
    /// Fails unless `scheme` is a token other than `Basic` and `Bearer`
    /// (build those with [`basic`](Self::basic) and
    /// [`bearer`](Self::bearer), which they read back as), a token68 matches
    /// its grammar, parameter names are tokens, and parameter values hold no
    /// ASCII control character other than tab.
    pub fn other(scheme: impl Into<String>, data: AuthData) -> Result<Self, ParseError> {
        let scheme = scheme.into();
        check_scheme(WHAT, &scheme)?;
        if is_decoded_scheme(&scheme) {
            return Err(ParseError::invalid(
                WHAT,
                "Basic and Bearer credentials have their own constructors",
            ));
        }
        Ok(Authorization::Other {
            scheme,
            data: data.checked(WHAT)?,
        })
    }

    /// The scheme: `Basic`, `Bearer`, or another as sent.
    pub fn scheme(&self) -> &str {
        match self {
            Authorization::Basic { .. } => "Basic",
            Authorization::Bearer { .. } => "Bearer",
            Authorization::Other { scheme, .. } => scheme,
        }
    }

    /// The user-id and password of `Basic` credentials.
    pub fn as_basic(&self) -> Option<(&str, &str)> {
        match self {
            Authorization::Basic { username, password } => Some((username, password)),
            _ => None,
        }
    }

    /// The token of `Bearer` credentials.
    pub fn as_bearer(&self) -> Option<&str> {
        match self {
            Authorization::Bearer { token } => Some(token),
            _ => None,
        }
    }

    /// A parameter of another scheme's credentials (case-insensitive name).
    pub fn param(&self, name: &str) -> Option<&str> {
        match self {
            Authorization::Other { data, .. } => data.param(name),
            _ => None,
        }
    }
}

/// Keeps passwords, tokens and parameter values out of logs.
impl fmt::Debug for Authorization {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Authorization::Basic { username, .. } => f
                .debug_struct("Basic")
                .field("username", username)
                .field("password", &"<redacted>")
                .finish(),
            Authorization::Bearer { .. } => f
                .debug_struct("Bearer")
                .field("token", &"<redacted>")
                .finish(),
            Authorization::Other { scheme, data } => {
                let mut out = f.debug_struct("Other");
                out.field("scheme", scheme);
                match data {
                    AuthData::Empty => out.field("data", data),
                    AuthData::Token68(_) => out.field("token68", &"<redacted>"),
                    // Parameter names help debugging; values may be secrets.
                    AuthData::Params(_) => {
                        let names: Vec<&str> = data.params().map(|(n, _)| n).collect();
                        out.field("params", &names)
                    }
                };
                out.finish()
            }
        }
    }
}

/// Whether credentials of `scheme` are read as [`Authorization::Basic`] or
/// [`Authorization::Bearer`].
fn is_decoded_scheme(scheme: &str) -> bool {
    scheme.eq_ignore_ascii_case("basic") || scheme.eq_ignore_ascii_case("bearer")
}

/// RFC 7617 §2: "The user-id and password MUST NOT contain any control
/// characters"; a decoded `a\r\nb` must not reach a log line or a
/// database.
fn check_basic_controls(username: &str, password: &str) -> Result<(), ParseError> {
    if username
        .chars()
        .chain(password.chars())
        .any(char::is_control)
    {
        return Err(ParseError::invalid(
            WHAT,
            "Basic credentials contain a control character",
        ));
    }
    Ok(())
}

fn decode_basic(token: &str) -> Result<Authorization, ParseError> {
    let bytes = LENIENT_BASE64
        .decode(token)
        .map_err(|_| ParseError::invalid(WHAT, "Basic credentials are not base64"))?;
    let mut username = String::from_utf8(bytes)
        .map_err(|_| ParseError::invalid(WHAT, "Basic credentials are not UTF-8"))?;
    let colon = username
        .find(':')
        .ok_or_else(|| ParseError::invalid(WHAT, "Basic credentials lack ':'"))?;
    let password = username.split_off(colon + 1);
    username.truncate(colon);
    check_basic_controls(&username, &password)?;
    Ok(Authorization::Basic { username, password })
}

/// The common `Basic <token68>` and `Bearer <token68>`, read without the
/// general list parser.
fn parse_simple(value: &str) -> Option<Result<Authorization, ParseError>> {
    let (scheme, rest) = value.trim_start_matches([' ', '\t']).split_once(' ')?;
    let token = rest.trim_matches([' ', '\t']);
    if !is_token68(token) {
        return None;
    }
    if scheme.eq_ignore_ascii_case("basic") {
        Some(decode_basic(token))
    } else if scheme.eq_ignore_ascii_case("bearer") {
        Some(Ok(Authorization::Bearer {
            token: token.to_string(),
        }))
    } else {
        None
    }
}

impl fmt::Display for Authorization {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Authorization::Basic { username, password } => {
                let mut plain = String::with_capacity(username.len() + password.len() + 1);
                plain.push_str(username);
                plain.push(':');
                plain.push_str(password);
                write!(f, "Basic {}", STANDARD.encode(plain))
            }
            Authorization::Bearer { token } if is_token68(token) => write!(f, "Bearer {token}"),
            // Built straight from the variant: see `Authorization::Other`.
            Authorization::Bearer { .. } => f.write_str("Bearer"),
            Authorization::Other { scheme, data } => write_scheme_and_data(f, scheme, data),
        }
    }
}

impl FromStr for Authorization {
    type Err = ParseError;

    fn from_str(s: &str) -> Result<Self, ParseError> {
        Self::parse_value(s)
    }
}

impl TypedHeader for Authorization {
    const NAME: HeaderName = AUTHORIZATION;

    /// Fails when there is no scheme, when `Basic` is not base64 of UTF-8
    /// `user:password`, and when `Basic` or `Bearer` lack their token68.
    fn parse_value(value: &str) -> Result<Self, ParseError> {
        if let Some(result) = parse_simple(value) {
            return result;
        }
        let (scheme, data) = parse_schemes(value, true)
            .into_iter()
            .next()
            .ok_or_else(|| ParseError::invalid(WHAT, "missing or malformed auth-scheme"))?;
        if scheme.eq_ignore_ascii_case("basic") {
            match data {
                AuthData::Token68(token) => decode_basic(&token),
                _ => Err(ParseError::invalid(
                    WHAT,
                    "Basic credentials must be a token68",
                )),
            }
        } else if scheme.eq_ignore_ascii_case("bearer") {
            match data {
                AuthData::Token68(token) => Ok(Authorization::Bearer { token }),
                _ => Err(ParseError::invalid(
                    WHAT,
                    "Bearer credentials must be a token68",
                )),
            }
        } else {
            // The list parser only yields a token scheme, token68s that
            // match and token parameter names with writable values.
            Ok(Authorization::Other {
                scheme: scheme.to_string(),
                data: data.normalized(),
            })
        }
    }

    fn to_header_value(&self) -> HeaderValue {
        let mut value = header_value(self.to_string());
        value.set_sensitive(true);
        value
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn basic(username: &str, password: &str) -> Authorization {
        Authorization::basic(username, password).unwrap()
    }

    fn bearer(token: &str) -> Authorization {
        Authorization::bearer(token).unwrap()
    }

    fn other(scheme: &str, data: AuthData) -> Authorization {
        Authorization::other(scheme, data).unwrap()
    }

    fn digest(params: &[(&str, &str)]) -> Authorization {
        let params = params
            .iter()
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect();
        other("Digest", AuthData::Params(params))
    }

    fn token68(scheme: &str, token: &str) -> Authorization {
        other(scheme, AuthData::Token68(token.into()))
    }

    #[test]
    fn parse_table() {
        let mufasa = [
            ("username", "Mufasa"),
            ("realm", "testrealm@host.invalid"),
            ("nonce", "dcd98b7102dd2f0e8b11d0f600bfb0c093"),
            ("uri", "/dir/index.html"),
            ("qop", "auth"),
            ("nc", "00000001"),
            ("cnonce", "0a4f113b"),
            ("response", "6629fae49393a05397450978507c4ef1"),
            ("opaque", "5ccc069c403ebaf9f0171e9517f40e41"),
        ];
        let cases: Vec<(&str, Option<Authorization>)> = vec![
            // RFC 7617 §2 and §2.1.
            (
                "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==",
                Some(basic("Aladdin", "open sesame")),
            ),
            ("Basic dGVzdDoxMjPCow==", Some(basic("test", "123£"))),
            // Werkzeug test_http.py.
            (
                "Basic 0YDRg9GB0YHQutC40IE60JHRg9C60LLRiw==",
                Some(basic("русскиЁ", "Буквы")),
            ),
            (
                "Basic 5pmu6YCa6K+dOuS4reaWhw==",
                Some(basic("普通话", "中文")),
            ),
            (
                "basic QWxhZGRpbjpvcGVuIHNlc2FtZQ",
                Some(basic("Aladdin", "open sesame")),
            ),
            (
                "BASIC   QWxhZGRpbjpvcGVuIHNlc2FtZQ==  ",
                Some(basic("Aladdin", "open sesame")),
            ),
            (
                "Basic dXNlcjpwYTpzczp3b3Jk",
                Some(basic("user", "pa:ss:word")),
            ),
            ("Basic dXNlcjo=", Some(basic("user", ""))),
            ("Basic OnBhc3M=", Some(basic("", "pass"))),
            // RFC 7617 §2: no control characters in user-id or password.
            ("Basic YQ0KYjpj", None),
            ("Basic YTpiwoU=", None),
            ("Basic YTpiCWM=", None),
            ("Basic YTpifw==", None),
            ("Basic foo", None),
            ("Basic /3NlcjpwYXNz", None),
            ("Basic dXNlcg==", None),
            ("Basic", None),
            ("Basic a b", None),
            ("Basic realm=\"x\"", None),
            ("Basic QWxh=ZGRp", None),
            // RFC 6750 §2.1.
            ("Bearer mF_9.B5f-4.1JqM", Some(bearer("mF_9.B5f-4.1JqM"))),
            (
                "bearer eyJhbGciOiJIUzI1NiJ9.e30.ZRrHA1JJJW8opsbCGfG_HACGpVUMN_a9IV7pAx_Zmeo",
                Some(bearer(
                    "eyJhbGciOiJIUzI1NiJ9.e30.ZRrHA1JJJW8opsbCGfG_HACGpVUMN_a9IV7pAx_Zmeo",
                )),
            ),
            ("Bearer", None),
            ("Bearer a\"b", None),
            // Werkzeug: token68 with padding.
            (
                "Token VGhpcyBoYXMgYmFzZTY0IHBhZGRpbmc=",
                Some(token68("Token", "VGhpcyBoYXMgYmFzZTY0IHBhZGRpbmc=")),
            ),
            (
                "Token VGhpcyBoYXMgYmFzZTY0IHBhZGRpbmcuLg==",
                Some(token68("Token", "VGhpcyBoYXMgYmFzZTY0IHBhZGRpbmcuLg==")),
            ),
            (
                "Negotiate YIIGhgYGKwYBBQUCoIIGejCCBnag",
                Some(token68("Negotiate", "YIIGhgYGKwYBBQUCoIIGejCCBnag")),
            ),
            ("foo", Some(other("foo", AuthData::Empty))),
            // Werkzeug test_authorization_header Digest, quoted and bare.
            (
                "Digest username=\"Mufasa\", realm=\"testrealm@host.invalid\", \
                 nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\", uri=\"/dir/index.html\", \
                 qop=auth, nc=00000001, cnonce=\"0a4f113b\", \
                 response=\"6629fae49393a05397450978507c4ef1\", opaque=\"5ccc069c403ebaf9f0171e9517f40e41\"",
                Some(digest(&mufasa)),
            ),
            (
                "Digest username=Mufasa, realm=\"testrealm@host.invalid\", \
                 nonce=dcd98b7102dd2f0e8b11d0f600bfb0c093, uri=\"/dir/index.html\", qop=auth, \
                 nc=00000001, cnonce=0a4f113b, response=6629fae49393a05397450978507c4ef1, \
                 opaque=5ccc069c403ebaf9f0171e9517f40e41",
                Some(digest(&mufasa)),
            ),
            // Werkzeug reads `foo` and `bar=""` as parameters; by the grammar
            // `foo` is a token68, and a token68 takes no parameters.
            ("Digest foo, bar=, =qux, =", Some(token68("Digest", "foo"))),
            (
                "Digest a=1, foo, bar=, =qux, =",
                Some(digest(&[("a", "1"), ("bar", "")])),
            ),
            (
                "Digest username = \"x\" , realm=\"a, b\"",
                Some(digest(&[("username", "x"), ("realm", "a, b")])),
            ),
            (
                "Digest a=\"x\\\"y\", b=1, Basic c=2",
                Some(digest(&[("a", "x\"y"), ("b", "1")])),
            ),
            (
                "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, \
                 SignedHeaders=content-type;host;x-amz-date, Signature=5d672d79c1",
                Some(other(
                    "AWS4-HMAC-SHA256",
                    AuthData::Params(vec![
                        (
                            "Credential".into(),
                            "AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request".into(),
                        ),
                        (
                            "SignedHeaders".into(),
                            "content-type;host;x-amz-date".into(),
                        ),
                        ("Signature".into(), "5d672d79c1".into()),
                    ]),
                )),
            ),
            ("", None),
            ("   ", None),
            ("realm=\"x\"", None),
            ("\"Basic\" abc", None),
            (", Bearer abc", Some(bearer("abc"))),
            ("Weird junk here", None),
            // Fuzzing: U+0095 is byte 0x95 read as ISO-8859-1; it is written
            // back (as UTF-8), not dropped.
            (
                "# $=\u{95}",
                Some(other(
                    "#",
                    AuthData::Params(vec![("$".into(), "\u{95}".into())]),
                )),
            ),
            // A value with a control character cannot be written: skipped.
            ("Digest a=\u{1}, b=2", Some(digest(&[("b", "2")]))),
            (
                "Digest a=\"x\u{7f}\"",
                Some(other("Digest", AuthData::Empty)),
            ),
            ("Digest a=\"x\ty\"", Some(digest(&[("a", "x\ty")]))),
        ];
        for (input, want) in &cases {
            let got = input.parse::<Authorization>().ok();
            assert_eq!(&got, want, "{input}");
        }
    }

    #[test]
    fn format_table() {
        let cases: &[(Authorization, &str)] = &[
            (
                basic("Aladdin", "open sesame"),
                "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==",
            ),
            (basic("test", "123£"), "Basic dGVzdDoxMjPCow=="),
            (bearer("mF_9.B5f-4.1JqM"), "Bearer mF_9.B5f-4.1JqM"),
            (token68("Negotiate", "abc=="), "Negotiate abc=="),
            (other("Digest", AuthData::Empty), "Digest"),
            (other("Digest", AuthData::Params(Vec::new())), "Digest"),
            // RFC 7616 §3.9.1, joined on one line.
            (
                digest(&[
                    ("username", "Mufasa"),
                    ("realm", "http-auth@example.org"),
                    ("uri", "/dir/index.html"),
                    ("algorithm", "MD5"),
                    ("nonce", "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v"),
                    ("nc", "00000001"),
                    ("cnonce", "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ"),
                    ("qop", "auth"),
                    ("response", "8ca523f5e9506fed4657c9700eebdbec"),
                    ("opaque", "FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"),
                ]),
                "Digest username=\"Mufasa\", realm=\"http-auth@example.org\", uri=\"/dir/index.html\", \
                 algorithm=MD5, nonce=\"7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v\", nc=00000001, \
                 cnonce=\"f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ\", qop=auth, \
                 response=\"8ca523f5e9506fed4657c9700eebdbec\", \
                 opaque=\"FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS\"",
            ),
            (
                digest(&[("a", "x\"y\\z"), ("nc", "")]),
                "Digest a=\"x\\\"y\\\\z\", nc=\"\"",
            ),
            (digest(&[("a", "\u{95}\t")]), "Digest a=\"\u{95}\t\""),
        ];
        for (auth, want) in cases {
            assert_eq!(auth.to_string(), *want);
            let value = auth.to_header_value();
            assert_eq!(value, *want);
            assert!(value.is_sensitive());
            assert_eq!(&Authorization::from_header(&value).unwrap(), auth);
        }
    }

    #[test]
    fn latin1_header_round_trips() {
        // The `auth` fuzz target's first crash: 0x95 was dropped on writing.
        let value = HeaderValue::from_bytes(b"# $=\x95").unwrap();
        let auth = Authorization::from_header(&value).unwrap();
        assert_eq!(auth.param("$"), Some("\u{95}"));
        let back = Authorization::from_header(&auth.to_header_value()).unwrap();
        assert_eq!(back, auth);
    }

    /// The constructors refuse what would format to something else; values
    /// built straight from the variants leave it out instead.
    #[test]
    fn constructors_table() {
        let params = |pairs: &[(&str, &str)]| {
            AuthData::Params(
                pairs
                    .iter()
                    .map(|(n, v)| (n.to_string(), v.to_string()))
                    .collect(),
            )
        };
        let cases: Vec<(Result<Authorization, ParseError>, Option<&str>)> = vec![
            (Authorization::basic("a", "b:c"), Some("Basic YTpiOmM=")),
            (Authorization::basic("a:b", "c"), None),
            (Authorization::basic("a\r\nb", "c"), None),
            (Authorization::basic("a", "b\0"), None),
            (Authorization::basic("a", "\u{85}"), None),
            (Authorization::basic("a", "\t"), None),
            (
                Authorization::bearer("mF_9.B5f-4.1JqM"),
                Some("Bearer mF_9.B5f-4.1JqM"),
            ),
            (Authorization::bearer("abc def"), None),
            (Authorization::bearer("x, realm=\"y\""), None),
            (Authorization::bearer("a,b"), None),
            (Authorization::bearer(""), None),
            (Authorization::bearer("=abc"), None),
            (
                Authorization::other("Digest", params(&[("realm", "a, b")])),
                Some("Digest realm=\"a, b\""),
            ),
            (
                Authorization::other("Digest realm=x", AuthData::Empty),
                None,
            ),
            (Authorization::other("Digest,", AuthData::Empty), None),
            (Authorization::other("", AuthData::Empty), None),
            (
                Authorization::other("Basic", AuthData::Token68("x".into())),
                None,
            ),
            (
                Authorization::other("bearer", AuthData::Token68("x".into())),
                None,
            ),
            (
                Authorization::other("Digest", AuthData::Token68("a b".into())),
                None,
            ),
            (
                Authorization::other("Digest", params(&[("a, b", "c")])),
                None,
            ),
            (
                Authorization::other("Digest", params(&[("a", "line\r\nbreak")])),
                None,
            ),
        ];
        for (i, (got, want)) in cases.into_iter().enumerate() {
            match want {
                Some(want) => {
                    let auth = got.unwrap();
                    assert_eq!(auth.to_string(), want, "case {i}");
                    assert_eq!(want.parse::<Authorization>().unwrap(), auth, "case {i}");
                }
                None => assert!(got.unwrap_err().is_invalid(), "case {i}"),
            }
        }
    }

    #[test]
    fn unchecked_variants_write_nothing_raw() {
        let cases: Vec<(Authorization, &str)> = vec![
            (
                Authorization::Other {
                    scheme: "Digest".into(),
                    data: AuthData::Params(vec![("b".into(), "line\r\nbreak".into())]),
                },
                "Digest b=\"linebreak\"",
            ),
            (
                Authorization::Other {
                    scheme: "Digest".into(),
                    data: AuthData::Params(vec![
                        ("a, evil".into(), "1".into()),
                        ("ok".into(), "2".into()),
                    ]),
                },
                "Digest ok=\"2\"",
            ),
            (
                Authorization::Other {
                    scheme: "Digest".into(),
                    data: AuthData::Token68("a, realm=x".into()),
                },
                "Digest",
            ),
            (
                Authorization::Other {
                    scheme: "Basic abc, Digest".into(),
                    data: AuthData::Empty,
                },
                "",
            ),
            (
                Authorization::Bearer {
                    token: "a, Basic b".into(),
                },
                "Bearer",
            ),
        ];
        for (auth, want) in cases {
            assert_eq!(auth.to_string(), want, "{auth:?}");
        }
    }

    #[test]
    fn accessors_and_debug() {
        let auth = basic("u", "secret");
        assert_eq!(
            (auth.scheme(), auth.as_basic(), auth.as_bearer()),
            ("Basic", Some(("u", "secret")), None)
        );
        assert!(!format!("{auth:?}").contains("secret"));
        let auth = bearer("s3cr3t");
        assert_eq!(
            (auth.scheme(), auth.as_bearer(), auth.param("x")),
            ("Bearer", Some("s3cr3t"), None)
        );
        assert!(!format!("{auth:?}").contains("s3cr3t"));
        let auth = digest(&[("Realm", "r"), ("response", "s3cr3t")]);
        assert_eq!(
            (auth.scheme(), auth.param("realm"), auth.as_basic()),
            ("Digest", Some("r"), None)
        );
        let debug = format!("{auth:?}");
        assert!(
            debug.contains("response") && !debug.contains("s3cr3t"),
            "{debug}"
        );
        assert!(!format!("{:?}", token68("Negotiate", "s3cr3t")).contains("s3cr3t"));
    }

    #[test]
    fn hostile_inputs_are_linear() {
        let many_words = format!("Digest {}", "a ".repeat(1 << 18));
        assert!(many_words.parse::<Authorization>().is_err());
        let many_params = format!("Digest {}", "a=\"b\", ".repeat(1 << 16));
        assert_eq!(
            many_params.parse::<Authorization>().unwrap().param("a"),
            Some("b")
        );
        let long_token = format!("Bearer {}", "A".repeat(1 << 20));
        assert!(long_token.parse::<Authorization>().is_ok());
        let long_basic = format!("Basic {}", "QUFB".repeat(1 << 18));
        assert!(long_basic.parse::<Authorization>().is_err());
    }

    fn scheme() -> impl Strategy<Value = String> {
        "[!#$%&'*+.^_`|~0-9A-Za-z-]{1,10}".prop_filter("not decoded schemes", |s| {
            !s.eq_ignore_ascii_case("basic") && !s.eq_ignore_ascii_case("bearer")
        })
    }

    fn token68_value() -> impl Strategy<Value = String> {
        "[A-Za-z0-9._~+/-]{1,20}={0,2}"
    }

    proptest! {
        #[test]
        fn basic_round_trips(username in "[^:\\p{Cc}]{0,12}", password in "[^\\p{Cc}]{0,16}") {
            let auth = basic(&username, &password);
            prop_assert_eq!(auth.to_string().parse::<Authorization>().unwrap(), auth);
        }

        #[test]
        fn bearer_round_trips(token in token68_value()) {
            let auth = bearer(&token);
            prop_assert_eq!(auth.to_string().parse::<Authorization>().unwrap(), auth);
        }

        #[test]
        fn token68_round_trips(scheme in scheme(), token in token68_value()) {
            let auth = other(&scheme, AuthData::Token68(token));
            prop_assert_eq!(auth.to_string().parse::<Authorization>().unwrap(), auth);
        }

        #[test]
        fn params_round_trip(
            scheme in scheme(),
            params in proptest::collection::vec(("[!#$%&'*+.^_`|~0-9A-Za-z-]{1,8}", "[^\\p{Cc}]{0,12}"), 0..5),
        ) {
            let data = if params.is_empty() { AuthData::Empty } else { AuthData::Params(params) };
            let auth = other(&scheme, data);
            prop_assert_eq!(auth.to_string().parse::<Authorization>().unwrap(), auth);
        }

        #[test]
        fn parse_never_panics(s in "\\PC{0,60}") {
            let _ = s.parse::<Authorization>();
        }

        /// Any user-id and password: refused, or read back as they are.
        #[test]
        fn basic_is_refused_or_round_trips(username in "\\PC{0,8}|[\\x00-\\x1f:a]{0,4}", password in any::<String>()) {
            if let Ok(auth) = Authorization::basic(username, password) {
                prop_assert_eq!(auth.to_string().parse::<Authorization>().unwrap(), auth);
            }
        }
    }
}
