//! The `WWW-Authenticate` response header (RFC 9110 §11.6.1).

use std::fmt;
use std::str::FromStr;

use http::header::WWW_AUTHENTICATE;
use http::{HeaderName, HeaderValue};

use super::auth_data::{AuthData, check_param, check_scheme, parse_schemes, write_scheme_and_data};
use crate::header::header_value;
use crate::{ParseError, TypedHeader};

const WHAT: &str = "WWW-Authenticate";

/// One challenge: a scheme the server accepts and its parameters, e.g.
/// `Basic realm="api", charset="UTF-8"`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Challenge {
    scheme: String,
    data: AuthData,
}

impl Challenge {
    /// A challenge for `scheme` with `data`. Fails unless `scheme` is a
    /// token, a token68 matches its grammar, parameter names are tokens and
    /// parameter values hold no ASCII control character other than tab: what
    /// is built formats as exactly one challenge, with exactly its
    /// parameters.
    pub fn new(scheme: impl Into<String>, data: AuthData) -> Result<Self, ParseError> {
        let scheme = scheme.into();
        check_scheme(WHAT, &scheme)?;
        Ok(Challenge {
            scheme,
            data: data.checked(WHAT)?,
        })
    }

    /// A challenge of a scheme known to be a token, with parameters known
    /// to be tokens.
    fn with_realm(scheme: &str, realm: String) -> Self {
        Challenge {
            scheme: scheme.to_string(),
            data: AuthData::Params(vec![("realm".to_string(), realm)]),
        }
    }

    /// `Basic realm="...", charset="UTF-8"`: the charset parameter (RFC 7617
    /// §2.1) asks browsers to send non-ASCII credentials as UTF-8. Control
    /// characters in `realm` are dropped when writing.
    pub fn basic(realm: impl Into<String>) -> Self {
        let mut challenge = Challenge::with_realm("Basic", realm.into());
        challenge
            .data
            .push_param("charset".to_string(), "UTF-8".to_string());
        challenge
    }

    /// `Bearer realm="..."` (RFC 6750 §3); add `error`, `error_description`
    /// or `scope` with [`with_param`](Self::with_param). Control characters
    /// in `realm` are dropped when writing.
    pub fn bearer(realm: impl Into<String>) -> Self {
        Challenge::with_realm("Bearer", realm.into())
    }

    /// Adds a parameter after the existing ones (a token68 is replaced, as
    /// the two cannot be combined). Fails unless `name` is a token and
    /// `value` holds no ASCII control character other than tab.
    pub fn with_param(
        mut self,
        name: impl Into<String>,
        value: impl Into<String>,
    ) -> Result<Self, ParseError> {
        let (name, value) = (name.into(), value.into());
        check_param(WHAT, &name, &value)?;
        self.data.push_param(name, value);
        Ok(self)
    }

    /// The scheme, as sent.
    pub fn scheme(&self) -> &str {
        &self.scheme
    }

    /// Whether the scheme is `scheme` (case-insensitive).
    pub fn is_scheme(&self, scheme: &str) -> bool {
        self.scheme.eq_ignore_ascii_case(scheme)
    }

    /// What follows the scheme.
    pub fn data(&self) -> &AuthData {
        &self.data
    }

    /// The first parameter called `name` (case-insensitive).
    pub fn param(&self, name: &str) -> Option<&str> {
        self.data.param(name)
    }

    /// The `realm` parameter.
    pub fn realm(&self) -> Option<&str> {
        self.param("realm")
    }

    /// The token68, for schemes that send one instead of parameters.
    pub fn token68(&self) -> Option<&str> {
        self.data.token68()
    }
}

impl fmt::Display for Challenge {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_scheme_and_data(f, &self.scheme, &self.data)
    }
}

/// The `WWW-Authenticate` header: one or more challenges, in the server's
/// order of preference.
///
/// Several challenges may share one line (`Newauth realm="apps", Basic
/// realm="simple"`): an element `scheme ...` starts a new challenge and an
/// element `name=value` continues the current one. This reads every
/// unambiguous list; parameters after a token68 challenge, which the grammar
/// does not allow, are dropped.
///
/// ```
/// use tackle_http::auth::WwwAuthenticate;
///
/// let header: WwwAuthenticate = r#"Newauth realm="apps", type=1, Basic realm="simple""#.parse().unwrap();
/// let schemes: Vec<&str> = header.challenges().iter().map(|c| c.scheme()).collect();
/// assert_eq!(schemes, ["Newauth", "Basic"]);
/// assert_eq!(header.challenges()[1].realm(), Some("simple"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct WwwAuthenticate {
    challenges: Vec<Challenge>,
}

impl WwwAuthenticate {
    /// A header with one challenge.
    pub fn new(challenge: Challenge) -> Self {
        WwwAuthenticate {
            challenges: vec![challenge],
        }
    }

    /// Adds a challenge after the existing ones.
    pub fn with_challenge(mut self, challenge: Challenge) -> Self {
        self.challenges.push(challenge);
        self
    }

    /// The challenges, never empty.
    pub fn challenges(&self) -> &[Challenge] {
        &self.challenges
    }

    /// The first challenge of `scheme` (case-insensitive).
    pub fn find(&self, scheme: &str) -> Option<&Challenge> {
        self.challenges.iter().find(|c| c.is_scheme(scheme))
    }
}

impl From<Challenge> for WwwAuthenticate {
    fn from(challenge: Challenge) -> Self {
        WwwAuthenticate::new(challenge)
    }
}

impl fmt::Display for WwwAuthenticate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut sep = "";
        for challenge in &self.challenges {
            write!(f, "{sep}{challenge}")?;
            sep = ", ";
        }
        Ok(())
    }
}

impl FromStr for WwwAuthenticate {
    type Err = ParseError;

    fn from_str(s: &str) -> Result<Self, ParseError> {
        Self::parse_value(s)
    }
}

impl TypedHeader for WwwAuthenticate {
    const NAME: HeaderName = WWW_AUTHENTICATE;
    const IS_LIST: bool = true;

    /// Fails when no challenge can be read.
    fn parse_value(value: &str) -> Result<Self, ParseError> {
        // The list parser only yields token schemes, token68s that match
        // and token parameter names with writable values.
        let challenges: Vec<Challenge> = parse_schemes(value, false)
            .into_iter()
            .map(|(scheme, data)| Challenge {
                scheme: scheme.to_string(),
                data: data.normalized(),
            })
            .collect();
        if challenges.is_empty() {
            return Err(ParseError::invalid(WHAT, "no challenge"));
        }
        Ok(WwwAuthenticate { challenges })
    }

    fn to_header_value(&self) -> HeaderValue {
        header_value(self.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderMap;
    use proptest::prelude::*;

    fn params(scheme: &str, params: &[(&str, &str)]) -> Challenge {
        let params = params
            .iter()
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect();
        Challenge::new(scheme, AuthData::Params(params)).unwrap()
    }

    fn bare(scheme: &str) -> Challenge {
        Challenge::new(scheme, AuthData::Empty).unwrap()
    }

    fn token68(scheme: &str, token: &str) -> Challenge {
        Challenge::new(scheme, AuthData::Token68(token.into())).unwrap()
    }

    #[test]
    fn parse_table() {
        let cases: Vec<(&str, Option<Vec<Challenge>>)> = vec![
            // RFC 7617 §2 and §2.1; Werkzeug test_www_authenticate_header.
            (
                "Basic realm=\"WallyWorld\"",
                Some(vec![params("Basic", &[("realm", "WallyWorld")])]),
            ),
            (
                "Basic realm=\"foo\", charset=\"UTF-8\"",
                Some(vec![params(
                    "Basic",
                    &[("realm", "foo"), ("charset", "UTF-8")],
                )]),
            ),
            (
                "Basic realm=simple",
                Some(vec![params("Basic", &[("realm", "simple")])]),
            ),
            // RFC 6750 §3.
            (
                "Bearer realm=\"example\"",
                Some(vec![params("Bearer", &[("realm", "example")])]),
            ),
            (
                "Bearer realm=\"example\", error=\"invalid_token\", error_description=\"The access token expired\"",
                Some(vec![params(
                    "Bearer",
                    &[
                        ("realm", "example"),
                        ("error", "invalid_token"),
                        ("error_description", "The access token expired"),
                    ],
                )]),
            ),
            // RFC 9110 §11.6.1.
            (
                "Newauth realm=\"apps\", type=1, title=\"Login to \\\"apps\\\"\", Basic realm=\"simple\"",
                Some(vec![
                    params(
                        "Newauth",
                        &[
                            ("realm", "apps"),
                            ("type", "1"),
                            ("title", "Login to \"apps\""),
                        ],
                    ),
                    params("Basic", &[("realm", "simple")]),
                ]),
            ),
            // Werkzeug Digest challenge: the quoted list stays one value.
            (
                "Digest realm=\"testrealm@host.com\", qop=\"auth,auth-int\", \
                 nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\", opaque=\"5ccc069c403ebaf9f0171e9517f40e41\"",
                Some(vec![params(
                    "Digest",
                    &[
                        ("realm", "testrealm@host.com"),
                        ("qop", "auth,auth-int"),
                        ("nonce", "dcd98b7102dd2f0e8b11d0f600bfb0c093"),
                        ("opaque", "5ccc069c403ebaf9f0171e9517f40e41"),
                    ],
                )]),
            ),
            (
                "Token VGhpcyBoYXMgYmFzZTY0IHBhZGRpbmc=",
                Some(vec![token68("Token", "VGhpcyBoYXMgYmFzZTY0IHBhZGRpbmc=")]),
            ),
            ("broken", Some(vec![bare("broken")])),
            (
                "Negotiate, NTLM",
                Some(vec![bare("Negotiate"), bare("NTLM")]),
            ),
            (
                "Negotiate abc==, Basic realm=\"x\"",
                Some(vec![
                    token68("Negotiate", "abc=="),
                    params("Basic", &[("realm", "x")]),
                ]),
            ),
            (
                "Negotiate abc, realm=\"x\"",
                Some(vec![token68("Negotiate", "abc")]),
            ),
            (
                "Basic realm=\"x\", , ,charset=\"UTF-8\",",
                Some(vec![params(
                    "Basic",
                    &[("realm", "x"), ("charset", "UTF-8")],
                )]),
            ),
            (
                "Basic, realm=\"x\"",
                Some(vec![params("Basic", &[("realm", "x")])]),
            ),
            (
                "Basic junk here, realm=\"x\", Bearer",
                Some(vec![bare("Bearer")]),
            ),
            // Fuzzing: C1 controls (ISO-8859-1 bytes) are kept, values with
            // other controls skipped.
            (
                "A a=\u{95}, b=\u{0}, B c=\"\u{1b}\"",
                Some(vec![params("A", &[("a", "\u{95}")]), bare("B")]),
            ),
            ("", None),
            ("realm=\"x\"", None),
            (", ,", None),
            ("\"Basic\"", None),
        ];
        for (input, want) in &cases {
            let got = input
                .parse::<WwwAuthenticate>()
                .ok()
                .map(|h| h.challenges().to_vec());
            assert_eq!(&got, want, "{input}");
        }
    }

    #[test]
    fn format_table() {
        let cases: &[(WwwAuthenticate, &str)] = &[
            (
                Challenge::basic("WallyWorld").into(),
                "Basic realm=\"WallyWorld\", charset=\"UTF-8\"",
            ),
            (bare("Bearer").into(), "Bearer"),
            (
                Challenge::bearer("example")
                    .with_param("error", "invalid_token")
                    .unwrap()
                    .into(),
                "Bearer realm=\"example\", error=\"invalid_token\"",
            ),
            (
                token68("Negotiate", "abc")
                    .with_param("realm", "r")
                    .unwrap()
                    .into(),
                "Negotiate realm=\"r\"",
            ),
            (
                WwwAuthenticate::new(Challenge::bearer("a b"))
                    .with_challenge(Challenge::basic("c\"d")),
                "Bearer realm=\"a b\", Basic realm=\"c\\\"d\", charset=\"UTF-8\"",
            ),
            // RFC 7616 §3.9.1, joined on one line.
            (
                params(
                    "Digest",
                    &[
                        ("realm", "http-auth@example.org"),
                        ("qop", "auth, auth-int"),
                        ("algorithm", "SHA-256"),
                        ("nonce", "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v"),
                        ("opaque", "FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"),
                    ],
                )
                .into(),
                "Digest realm=\"http-auth@example.org\", qop=\"auth, auth-int\", algorithm=SHA-256, \
                 nonce=\"7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v\", \
                 opaque=\"FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS\"",
            ),
        ];
        for (header, want) in cases {
            assert_eq!(header.to_string(), *want);
            assert_eq!(header.to_header_value(), *want);
            assert_eq!(
                &WwwAuthenticate::from_header(&header.to_header_value()).unwrap(),
                header
            );
        }
    }

    /// The builders refuse what would format as more than was built.
    #[test]
    fn builders_table() {
        let cases: Vec<(Result<Challenge, ParseError>, Option<&str>)> = vec![
            (Challenge::new("Newauth", AuthData::Empty), Some("Newauth")),
            (
                Challenge::new("Negotiate", AuthData::Token68("abc=".into())),
                Some("Negotiate abc="),
            ),
            (Challenge::new("Basic realm=\"x\"", AuthData::Empty), None),
            (Challenge::new("Basic, Bearer", AuthData::Empty), None),
            (Challenge::new("", AuthData::Empty), None),
            (
                Challenge::new("A", AuthData::Token68("a, b=c".into())),
                None,
            ),
            (
                Challenge::new("A", AuthData::Params(vec![("a b".into(), "c".into())])),
                None,
            ),
            (
                Challenge::new("A", AuthData::Params(vec![("a".into(), "\n".into())])),
                None,
            ),
            (
                Challenge::bearer("r").with_param("error", "a, b=\"c\""),
                Some("Bearer realm=\"r\", error=\"a, b=\\\"c\\\"\""),
            ),
            (
                Challenge::bearer("r").with_param("scope=x, error", "y"),
                None,
            ),
            (Challenge::bearer("r").with_param("a;b", "y"), None),
            (Challenge::bearer("r").with_param("", "y"), None),
            (Challenge::bearer("r").with_param("a", "x\r\ny"), None),
            (
                Ok(Challenge::basic("a\r\nb")),
                Some("Basic realm=\"ab\", charset=\"UTF-8\""),
            ),
        ];
        for (i, (got, want)) in cases.into_iter().enumerate() {
            match want {
                Some(want) => assert_eq!(got.unwrap().to_string(), want, "case {i}"),
                None => assert!(got.unwrap_err().is_invalid(), "case {i}"),
            }
        }
    }

    #[test]
    fn several_lines_combine() {
        let mut headers = HeaderMap::new();
        headers.append(
            WWW_AUTHENTICATE,
            HeaderValue::from_static("Digest realm=\"a\", algorithm=SHA-256"),
        );
        headers.append(
            WWW_AUTHENTICATE,
            HeaderValue::from_static("Digest realm=\"a\", algorithm=MD5"),
        );
        let header = WwwAuthenticate::from_headers(&headers).unwrap().unwrap();
        let algorithms: Vec<_> = header
            .challenges()
            .iter()
            .map(|c| c.param("ALGORITHM"))
            .collect();
        assert_eq!(algorithms, [Some("SHA-256"), Some("MD5")]);
        assert_eq!(header.find("digest").and_then(Challenge::realm), Some("a"));
        assert!(header.find("basic").is_none());
        assert_eq!(header.challenges()[0].data().params().count(), 2);
        assert_eq!(token68("X", "t").token68(), Some("t"));
    }

    #[test]
    fn hostile_inputs_are_linear() {
        let many = "Basic realm=\"x\", ".repeat(1 << 16);
        assert_eq!(
            many.parse::<WwwAuthenticate>().unwrap().challenges().len(),
            1 << 16
        );
        let words = format!("A {}", "b ".repeat(1 << 18));
        assert!(words.parse::<WwwAuthenticate>().is_err());
        let unterminated = format!("A realm=\"{}", "\\\\,".repeat(1 << 18));
        assert_eq!(
            unterminated
                .parse::<WwwAuthenticate>()
                .unwrap()
                .challenges()
                .len(),
            1
        );
    }

    fn token() -> impl Strategy<Value = String> {
        "[!#$%&'*+.^_`|~0-9A-Za-z-]{1,8}"
    }

    fn challenge() -> impl Strategy<Value = Challenge> {
        let data = prop_oneof![
            Just(AuthData::Empty),
            "[A-Za-z0-9._~+/-]{1,12}={0,2}".prop_map(AuthData::Token68),
            proptest::collection::vec((token(), "[^\\p{Cc}]{0,10}"), 1..4)
                .prop_map(AuthData::Params),
        ];
        (token(), data).prop_map(|(scheme, data)| Challenge::new(scheme, data).unwrap())
    }

    proptest! {
        #[test]
        fn www_authenticate_round_trips(challenges in proptest::collection::vec(challenge(), 1..4)) {
            let header = WwwAuthenticate { challenges };
            let back: WwwAuthenticate = header.to_string().parse().unwrap();
            prop_assert_eq!(back, header);
        }

        #[test]
        fn parse_never_panics(s in "\\PC{0,60}") {
            let _ = s.parse::<WwwAuthenticate>();
        }
    }
}
