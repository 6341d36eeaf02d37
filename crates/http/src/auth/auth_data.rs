//! What follows the auth-scheme (RFC 9110 §11.3 and §11.4), and the list
//! grammar shared by credentials and challenges.

use std::borrow::Cow;
use std::fmt;

use crate::ParseError;
use crate::header::{is_tchar, is_token, split_list, unquote};

/// What a credential or challenge carries after its scheme.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub enum AuthData {
    /// Nothing: the scheme alone (`Negotiate`).
    #[default]
    Empty,
    /// One `token68`: base64-like text, e.g. a bearer token.
    Token68(String),
    /// `name=value` auth-params, in order, names as sent. An empty list
    /// formats like [`AuthData::Empty`] (and the constructors of
    /// [`Authorization`](super::Authorization) and
    /// [`Challenge`](super::Challenge) turn it into one).
    Params(Vec<(String, String)>),
}

impl AuthData {
    /// The first parameter called `name` (case-insensitive).
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v)
    }

    /// Every parameter in order; none unless this is [`AuthData::Params`].
    pub fn params(&self) -> impl Iterator<Item = (&str, &str)> {
        let params: &[(String, String)] = match self {
            AuthData::Params(params) => params,
            _ => &[],
        };
        params.iter().map(|(n, v)| (n.as_str(), v.as_str()))
    }

    /// The token68, if this is one.
    pub fn token68(&self) -> Option<&str> {
        match self {
            AuthData::Token68(token) => Some(token),
            _ => None,
        }
    }

    /// [`Empty`](AuthData::Empty) for an empty parameter list, which
    /// formats the same and so reads back as `Empty`.
    pub(crate) fn normalized(self) -> Self {
        match self {
            AuthData::Params(params) if params.is_empty() => AuthData::Empty,
            data => data,
        }
    }

    /// The data, [`normalized`](Self::normalized), when it can be written
    /// as it is: a token68 that matches the grammar, parameter names that
    /// are tokens, and parameter values without ASCII control characters
    /// other than tab. `what` names the header in the error.
    pub(crate) fn checked(self, what: &'static str) -> Result<Self, ParseError> {
        match &self {
            AuthData::Token68(token) if !is_token68(token) => Err(ParseError::invalid(
                what,
                "token68 does not match its grammar",
            )),
            AuthData::Params(params) => {
                for (name, value) in params {
                    check_param(what, name, value)?;
                }
                Ok(self.normalized())
            }
            _ => Ok(self),
        }
    }

    /// Adds a parameter; turns [`Empty`](AuthData::Empty) or a token68
    /// (which cannot be combined with parameters) into a parameter list.
    pub(crate) fn push_param(&mut self, name: String, value: String) {
        match self {
            AuthData::Params(params) => params.push((name, value)),
            _ => *self = AuthData::Params(vec![(name, value)]),
        }
    }
}

/// Whether `s` is a `token68`: `1*( ALPHA / DIGIT / "-" / "." / "_" / "~" /
/// "+" / "/" ) *"="`.
pub(crate) fn is_token68(s: &str) -> bool {
    let body = s.trim_end_matches('=');
    !body.is_empty()
        && body.bytes().all(|b| {
            b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'+' | b'/')
        })
}

/// Fails unless `scheme` is a token.
pub(crate) fn check_scheme(what: &'static str, scheme: &str) -> Result<(), ParseError> {
    if is_token(scheme) {
        Ok(())
    } else {
        Err(ParseError::invalid(what, "auth-scheme is not a token"))
    }
}

/// Fails unless `name` is a token and `value` can be written.
pub(crate) fn check_param(what: &'static str, name: &str, value: &str) -> Result<(), ParseError> {
    if !is_token(name) {
        return Err(ParseError::invalid(what, "auth-param name is not a token"));
    }
    if value.chars().any(is_unwritable) {
        return Err(ParseError::invalid(
            what,
            "control character in auth-param value",
        ));
    }
    Ok(())
}

/// Parameters RFC 7616 defines as bare tokens; every other value is quoted.
const TOKEN_VALUED: [&str; 5] = ["algorithm", "nc", "qop", "stale", "userhash"];

/// Writes `scheme`, then a space and the data when there is any.
///
/// The constructors check everything; values built straight from public
/// enum variants are not checked, so what cannot be written as it is gets
/// left out rather than written raw, where a `,` or space would add
/// parameters: a scheme that is not a token (then nothing is written), a
/// token68 off its grammar, a parameter whose name is not a token. Control
/// characters in parameter values are dropped by the quoting.
pub(crate) fn write_scheme_and_data(
    f: &mut fmt::Formatter<'_>,
    scheme: &str,
    data: &AuthData,
) -> fmt::Result {
    if !is_token(scheme) {
        return Ok(());
    }
    f.write_str(scheme)?;
    match data {
        AuthData::Empty => Ok(()),
        AuthData::Token68(token) if is_token68(token) => write!(f, " {token}"),
        AuthData::Token68(_) => Ok(()),
        AuthData::Params(params) => {
            let mut sep = " ";
            for (name, value) in params.iter().filter(|(name, _)| is_token(name)) {
                f.write_str(sep)?;
                sep = ", ";
                write!(f, "{name}=")?;
                let bare =
                    is_token(value) && TOKEN_VALUED.iter().any(|t| t.eq_ignore_ascii_case(name));
                if bare {
                    f.write_str(value)?;
                } else {
                    crate::header::write_quoted(f, value)?;
                }
            }
            Ok(())
        }
    }
}

/// Whether `c` cannot appear in a header value: an ASCII control other than
/// tab. Such values are not read (see [`parse_schemes`]) and, in values built
/// by hand, not written.
fn is_unwritable(c: char) -> bool {
    c.is_ascii_control() && c != '\t'
}

/// One list element, classified.
enum Element<'a> {
    /// `scheme` alone or `scheme <data>`: starts a credential or challenge;
    /// `None` when the data cannot be read (`Scheme two words`).
    Scheme(&'a str, Option<AuthData>),
    /// `name=value`: a parameter of the current one.
    Param(&'a str, Cow<'a, str>),
    /// Anything else.
    Invalid,
}

fn classify(item: &str) -> Element<'_> {
    let (lead, after) = split_token(item);
    if lead.is_empty() {
        return Element::Invalid;
    }
    let rest = after.trim_start_matches([' ', '\t']);
    if let Some(value) = rest.strip_prefix('=') {
        return match readable_value(value) {
            Some(value) => Element::Param(lead, value),
            None => Element::Invalid,
        };
    }
    if rest.is_empty() {
        return Element::Scheme(lead, Some(AuthData::Empty));
    }
    if rest.len() == after.len() {
        // The scheme runs straight into a non-token character (`Basic"x"`).
        return Element::Invalid;
    }
    if is_token68(rest) {
        return Element::Scheme(lead, Some(AuthData::Token68(rest.to_string())));
    }
    let (name, after) = split_token(rest);
    let value = after.trim_start_matches([' ', '\t']).strip_prefix('=');
    match value {
        Some(value) if !name.is_empty() => {
            let data = match readable_value(value) {
                Some(value) => AuthData::Params(vec![(name.to_string(), value.into_owned())]),
                // The parameter is skipped, the scheme kept.
                None => AuthData::Empty,
            };
            Element::Scheme(lead, Some(data))
        }
        // `Scheme junk`: a scheme whose data cannot be read.
        _ => Element::Scheme(lead, None),
    }
}

/// The value after `name=`, unquoted; `None` when it holds a character that
/// cannot be written back ([`is_unwritable`]), so that such a parameter is
/// skipped rather than read as something it would not format to.
fn readable_value(value: &str) -> Option<Cow<'_, str>> {
    let value = unquote(value.trim_start_matches([' ', '\t']));
    (!value.chars().any(is_unwritable)).then_some(value)
}

/// Splits off the leading run of token characters.
fn split_token(s: &str) -> (&str, &str) {
    let end = s.bytes().position(|b| !is_tchar(b)).unwrap_or(s.len());
    s.split_at(end)
}

/// Parses a comma-separated list of challenges (`WWW-Authenticate`), or with
/// `single`, one credential (`Authorization`), where any later scheme is
/// ignored. A scheme whose data cannot be read is dropped together with the
/// parameters that follow it; parameters after a token68 are dropped too.
pub(crate) fn parse_schemes(s: &str, single: bool) -> Vec<(&str, AuthData)> {
    let mut out: Vec<(&str, AuthData)> = Vec::new();
    let mut seen_scheme = false;
    // Whether parameters attach to the last element of `out`.
    let mut open = false;
    for item in split_list(s) {
        match classify(item) {
            Element::Scheme(..) if single && seen_scheme => {}
            Element::Scheme(scheme, data) => {
                seen_scheme = true;
                open = matches!(data, Some(AuthData::Empty | AuthData::Params(_)));
                if let Some(data) = data {
                    out.push((scheme, data));
                }
            }
            Element::Param(name, value) => {
                if let (true, Some((_, data))) = (open, out.last_mut()) {
                    data.push_param(name.to_string(), value.into_owned());
                }
            }
            Element::Invalid => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token68_table() {
        let cases = [
            ("abc", true),
            ("abc=", true),
            ("abc==", true),
            ("a-._~+/9Z", true),
            ("=", false),
            ("", false),
            ("a=b", false),
            ("a b", false),
            ("\"a\"", false),
            ("a,b", false),
        ];
        for (input, want) in cases {
            assert_eq!(is_token68(input), want, "{input}");
        }
    }

    #[test]
    fn checked_table() {
        let params = |pairs: &[(&str, &str)]| {
            AuthData::Params(
                pairs
                    .iter()
                    .map(|(n, v)| (n.to_string(), v.to_string()))
                    .collect(),
            )
        };
        let cases: Vec<(AuthData, Option<AuthData>)> = vec![
            (AuthData::Empty, Some(AuthData::Empty)),
            (params(&[]), Some(AuthData::Empty)),
            (
                AuthData::Token68("abc==".into()),
                Some(AuthData::Token68("abc==".into())),
            ),
            (AuthData::Token68("a b".into()), None),
            (AuthData::Token68("a, realm=x".into()), None),
            (AuthData::Token68(String::new()), None),
            (
                params(&[("realm", "a, b=c\t\u{95}")]),
                Some(params(&[("realm", "a, b=c\t\u{95}")])),
            ),
            (params(&[("realm=\"x\", b", "y")]), None),
            (params(&[("a b", "y")]), None),
            (params(&[("", "y")]), None),
            (params(&[("a", "line\r\nbreak")]), None),
        ];
        for (data, want) in cases {
            let input = format!("{data:?}");
            assert_eq!(data.checked("Authorization").ok(), want, "{input}");
        }
    }

    #[test]
    fn data_accessors() {
        let mut data = AuthData::Token68("x".into());
        assert_eq!(data.token68(), Some("x"));
        assert_eq!(data.params().count(), 0);
        data.push_param("Realm".into(), "r".into());
        data.push_param("realm".into(), "s".into());
        assert_eq!(data.param("REALM"), Some("r"));
        assert_eq!(data.token68(), None);
        assert_eq!(AuthData::default(), AuthData::Empty);
    }
}
