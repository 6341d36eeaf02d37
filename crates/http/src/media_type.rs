//! Media types (RFC 9110 §8.3.1) and the `Content-Type` header (RFC 9110
//! §8.3), as a typed header over the `mime` crate's [`Mime`].
//!
//! Type, subtype and parameter names compare case-insensitively and are
//! stored lowercase; so is the value of `charset`, the one parameter whose
//! value is case-insensitive. Other values keep their case.
//!
//! ```
//! use tackle_http::media_type::ContentType;
//!
//! let ct: ContentType = "Multipart/Form-Data; boundary=\"--abc\"".parse().unwrap();
//! assert!(ct.is_multipart_form());
//! assert_eq!(ct.essence(), "multipart/form-data");
//! assert_eq!(ct.boundary(), Some("--abc"));
//! ```

use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

use http::header::CONTENT_TYPE;
use http::{HeaderName, HeaderValue};
use mime::Mime;

use crate::header::{header_value, is_token, split_params};
use crate::{ParseError, TypedHeader};

const WHAT: &str = "Content-Type";

/// The `Content-Type` header: the media type of a body.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ContentType(Mime);

impl ContentType {
    /// Wraps a media type.
    pub fn new(mime: Mime) -> Self {
        ContentType(mime)
    }

    /// `application/json` (JSON is UTF-8 by definition, RFC 8259 §8.1, so no
    /// charset).
    pub fn json() -> Self {
        ContentType(mime::APPLICATION_JSON)
    }

    /// `text/plain; charset=utf-8`.
    pub fn text_utf8() -> Self {
        ContentType(mime::TEXT_PLAIN_UTF_8)
    }

    /// `text/html; charset=utf-8`.
    pub fn html_utf8() -> Self {
        ContentType(mime::TEXT_HTML_UTF_8)
    }

    /// `application/x-www-form-urlencoded`.
    pub fn form_urlencoded() -> Self {
        ContentType(mime::APPLICATION_WWW_FORM_URLENCODED)
    }

    /// `application/octet-stream`.
    pub fn octet_stream() -> Self {
        ContentType(mime::APPLICATION_OCTET_STREAM)
    }

    /// `multipart/form-data; boundary=...`. The boundary must follow RFC 2046
    /// §5.1.1: 1 to 70 characters from `A-Z a-z 0-9 '()+_,-./:=?` and space,
    /// not ending in a space.
    pub fn multipart_form(boundary: &str) -> Result<Self, ParseError> {
        let valid_char = |b: u8| b.is_ascii_alphanumeric() || b"'()+_,-./:=? ".contains(&b);
        if boundary.is_empty()
            || boundary.len() > 70
            || boundary.ends_with(' ')
            || !boundary.bytes().all(valid_char)
        {
            return Err(ParseError::invalid(WHAT, "invalid multipart boundary"));
        }
        let text = if is_token(boundary) {
            format!("multipart/form-data; boundary={boundary}")
        } else {
            format!("multipart/form-data; boundary=\"{boundary}\"")
        };
        Self::parse_value(&text)
    }

    /// The media type.
    pub fn mime(&self) -> &Mime {
        &self.0
    }

    /// The media type, by value.
    pub fn into_mime(self) -> Mime {
        self.0
    }

    /// `type/subtype` without parameters, lowercase.
    pub fn essence(&self) -> &str {
        self.0.essence_str()
    }

    /// The `charset` parameter, lowercase.
    pub fn charset(&self) -> Option<&str> {
        self.param("charset")
    }

    /// The first parameter called `name` (case-insensitive), unquoted.
    pub fn param(&self, name: &str) -> Option<&str> {
        self.0
            .params()
            .find(|(n, _)| n.as_str().eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The `boundary` parameter of a multipart type.
    pub fn boundary(&self) -> Option<&str> {
        self.param("boundary")
    }

    /// Whether this is JSON: `application/json` or any type with the `+json`
    /// structured suffix (`application/problem+json`, RFC 6839 §3.1).
    pub fn is_json(&self) -> bool {
        essence_is_json(
            self.0.type_().as_str(),
            self.0.subtype().as_str(),
            self.0.suffix().map(|s| s.as_str()),
        )
    }

    /// Whether this is `application/x-www-form-urlencoded`.
    pub fn is_form_urlencoded(&self) -> bool {
        self.essence() == "application/x-www-form-urlencoded"
    }

    /// Whether this is `multipart/form-data`.
    pub fn is_multipart_form(&self) -> bool {
        self.essence() == "multipart/form-data"
    }

    /// Whether the top-level type is `text`.
    pub fn is_text(&self) -> bool {
        self.0.type_() == mime::TEXT
    }
}

fn essence_is_json(type_: &str, subtype: &str, suffix: Option<&str>) -> bool {
    (type_.eq_ignore_ascii_case("application") && subtype.eq_ignore_ascii_case("json"))
        || suffix.is_some_and(|s| s.eq_ignore_ascii_case("json"))
}

/// The `charset` parameter of a raw `Content-Type` value, as sent (not
/// lowercased), without parsing the rest; `None` when absent or empty.
pub fn charset_of(content_type: &str) -> Option<&str> {
    let (_, mut params) = split_params(content_type);
    let (_, value) = params.find(|(name, _)| name.eq_ignore_ascii_case("charset"))?;
    match value? {
        Cow::Borrowed(v) if !v.is_empty() => Some(v),
        _ => None,
    }
}

/// Whether a raw `Content-Type` value is JSON, as [`ContentType::is_json`]
/// decides, without parsing it fully.
pub fn is_json(content_type: &str) -> bool {
    let (essence, _) = split_params(content_type);
    let Some((type_, subtype)) = essence.split_once('/') else {
        return false;
    };
    let suffix = subtype.rsplit_once('+').map(|(_, s)| s);
    essence_is_json(type_, subtype, suffix)
}

impl From<Mime> for ContentType {
    fn from(mime: Mime) -> Self {
        ContentType(mime)
    }
}

impl From<ContentType> for Mime {
    fn from(ct: ContentType) -> Self {
        ct.0
    }
}

impl fmt::Display for ContentType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl FromStr for ContentType {
    type Err = ParseError;

    fn from_str(s: &str) -> Result<Self, ParseError> {
        Self::parse_value(s)
    }
}

impl TypedHeader for ContentType {
    const NAME: HeaderName = CONTENT_TYPE;

    /// Parses `type/subtype; name=value`. Whitespace around `;` and `=` is
    /// tolerated, as are empty parameters (`;;`); a parameter without a value
    /// or with a name that is not a token is dropped. A value holding `"` or
    /// `\`, which the `mime` crate cannot represent, is dropped too. A missing
    /// or malformed type or subtype is an error.
    fn parse_value(value: &str) -> Result<Self, ParseError> {
        let value = value.trim_matches([' ', '\t']);
        let mime = match value.parse::<Mime>() {
            Ok(mime) => mime,
            Err(_) => normalize(value)?
                .parse::<Mime>()
                .map_err(|_| ParseError::invalid(WHAT, "malformed media type"))?,
        };
        if mime.type_().as_str().is_empty() || mime.subtype().as_str().is_empty() {
            return Err(ParseError::invalid(WHAT, "missing subtype"));
        }
        Ok(ContentType(mime))
    }

    fn to_header_value(&self) -> HeaderValue {
        HeaderValue::from_str(self.0.as_ref()).unwrap_or_else(|_| header_value(self.to_string()))
    }
}

/// Rewrites a media type that is valid HTTP but that the `mime` crate's
/// stricter parser rejects (whitespace before `;`, spaces around `=`,
/// empty parameters) into the compact form it accepts.
fn normalize(value: &str) -> Result<String, ParseError> {
    let (essence, params) = split_params(value);
    let (type_, subtype) = essence
        .split_once('/')
        .ok_or_else(|| ParseError::invalid(WHAT, "missing '/'"))?;
    if !is_token(type_) || !is_token(subtype) {
        return Err(ParseError::invalid(WHAT, "type and subtype must be tokens"));
    }
    let mut out = String::with_capacity(value.len());
    out.push_str(essence);
    for (name, value) in params {
        let Some(value) = value else { continue };
        let representable = !value.is_empty()
            && value
                .bytes()
                .all(|b| !matches!(b, b'"' | b'\\') && !b.is_ascii_control());
        if !is_token(name) || !representable {
            continue;
        }
        out.push_str("; ");
        out.push_str(name);
        out.push('=');
        if is_token(&value) {
            out.push_str(&value);
        } else {
            out.push('"');
            out.push_str(&value);
            out.push('"');
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Expected essence, charset, the `boundary` parameter, and the flags
    /// json / form / multipart / text.
    type Expected = Option<(
        &'static str,
        Option<&'static str>,
        Option<&'static str>,
        [bool; 4],
    )>;

    #[test]
    fn parse_table() {
        const NONE: [bool; 4] = [false; 4];
        const JSON: [bool; 4] = [true, false, false, false];
        const TEXT: [bool; 4] = [false, false, false, true];
        let cases: &[(&str, Expected)] = &[
            (
                "text/html; charset=UTF-8",
                Some(("text/html", Some("utf-8"), None, TEXT)),
            ),
            ("TEXT/HTML", Some(("text/html", None, None, TEXT))),
            (
                "text/plain ; charset=utf-8",
                Some(("text/plain", Some("utf-8"), None, TEXT)),
            ),
            (
                "text/plain; charset = \"utf-8\"",
                Some(("text/plain", Some("utf-8"), None, TEXT)),
            ),
            (
                "text/html;;charset=utf-8;",
                Some(("text/html", Some("utf-8"), None, TEXT)),
            ),
            ("text/html; charset", Some(("text/html", None, None, TEXT))),
            ("  text/plain\t", Some(("text/plain", None, None, TEXT))),
            (
                "text/plain; format=flowed; charset=us-ascii",
                Some(("text/plain", Some("us-ascii"), None, TEXT)),
            ),
            (
                "application/json",
                Some(("application/json", None, None, JSON)),
            ),
            (
                "Application/JSON; charset=utf-8",
                Some(("application/json", Some("utf-8"), None, JSON)),
            ),
            (
                "application/ld+json",
                Some(("application/ld+json", None, None, JSON)),
            ),
            (
                "application/problem+json",
                Some(("application/problem+json", None, None, JSON)),
            ),
            (
                "application/jsonx",
                Some(("application/jsonx", None, None, NONE)),
            ),
            (
                "application/json-seq",
                Some(("application/json-seq", None, None, NONE)),
            ),
            (
                "application/x-www-form-urlencoded",
                Some((
                    "application/x-www-form-urlencoded",
                    None,
                    None,
                    [false, true, false, false],
                )),
            ),
            (
                "multipart/form-data; boundary=----WebKitFormBoundary7MA4YWxkTrZu0gW",
                Some((
                    "multipart/form-data",
                    None,
                    Some("----WebKitFormBoundary7MA4YWxkTrZu0gW"),
                    [false, false, true, false],
                )),
            ),
            // RFC 2046 §5.1.1.
            (
                "multipart/mixed; boundary=\"simple boundary\"",
                Some(("multipart/mixed", None, Some("simple boundary"), NONE)),
            ),
            (
                "multipart/form-data; BOUNDARY=\"a;b\"",
                Some((
                    "multipart/form-data",
                    None,
                    Some("a;b"),
                    [false, false, true, false],
                )),
            ),
            // A value `mime` cannot hold is dropped, the rest is kept.
            (
                "text/plain; name=\"a\\\"b\"; charset=utf-8",
                Some(("text/plain", Some("utf-8"), None, TEXT)),
            ),
            (
                "image/png; x=é; charset=binary",
                Some(("image/png", Some("binary"), None, NONE)),
            ),
            ("*/*", Some(("*/*", None, None, NONE))),
            ("", None),
            ("text", None),
            ("text/", None),
            ("/html", None),
            ("tex t/plain", None),
            ("text/plain, text/html", None),
            ("text/pl\"ain", None),
            ("text/plain/x", None),
        ];
        for (input, want) in cases {
            let got = input.parse::<ContentType>();
            let got = got.as_ref().ok().map(|ct| {
                (
                    ct.essence(),
                    ct.charset(),
                    ct.boundary(),
                    [
                        ct.is_json(),
                        ct.is_form_urlencoded(),
                        ct.is_multipart_form(),
                        ct.is_text(),
                    ],
                )
            });
            assert_eq!(got, *want, "{input}");
        }
    }

    #[test]
    fn non_ascii_quoted_value_is_kept() {
        let ct: ContentType = "text/plain; title=\"é\"".parse().unwrap();
        assert_eq!(ct.param("TITLE"), Some("é"));
        assert_eq!(ct.param("missing"), None);
    }

    #[test]
    fn str_helpers_table() {
        let cases: &[(&str, Option<&str>, bool)] = &[
            ("text/html; charset=utf-8", Some("utf-8"), false),
            ("text/html; Charset=\"UTF-8\"", Some("UTF-8"), false),
            ("text/html", None, false),
            ("text/html; charset=", None, false),
            ("text/html; foo=\"charset=x\"", None, false),
            ("text/html; a=1; charset=latin1", Some("latin1"), false),
            ("application/json", None, true),
            ("Application/JSON; charset=utf-8", Some("utf-8"), true),
            ("application/vnd.api+json", None, true),
            ("text/json", None, false),
            ("application/jsonp", None, false),
            ("json", None, false),
            ("", None, false),
        ];
        for &(input, charset, json) in cases {
            assert_eq!(charset_of(input), charset, "{input}");
            assert_eq!(is_json(input), json, "{input}");
        }
    }

    #[test]
    fn constructors() {
        let cases: &[(ContentType, &str)] = &[
            (ContentType::json(), "application/json"),
            (ContentType::text_utf8(), "text/plain; charset=utf-8"),
            (ContentType::html_utf8(), "text/html; charset=utf-8"),
            (
                ContentType::form_urlencoded(),
                "application/x-www-form-urlencoded",
            ),
            (ContentType::octet_stream(), "application/octet-stream"),
            (
                ContentType::multipart_form("abc").unwrap(),
                "multipart/form-data; boundary=abc",
            ),
            (
                ContentType::multipart_form("a b:c").unwrap(),
                "multipart/form-data; boundary=\"a b:c\"",
            ),
        ];
        for (ct, want) in cases {
            assert_eq!(ct.to_header_value(), *want);
            assert_eq!(&want.parse::<ContentType>().unwrap(), ct);
        }
        for bad in ["", "a ", "a\"b", &"x".repeat(71)] {
            assert!(ContentType::multipart_form(bad).is_err(), "{bad}");
        }
        let mime: Mime = ContentType::json().into();
        assert_eq!(ContentType::from(mime).into_mime(), mime::APPLICATION_JSON);
    }

    fn token() -> impl Strategy<Value = String> {
        "[!#$%&'*+.^_`|~0-9A-Za-z-]{1,8}"
    }

    proptest! {
        #[test]
        fn content_type_round_trips(
            type_ in token(),
            subtype in token(),
            params in proptest::collection::vec((token(), prop_oneof![token(), "[ !#-\\[\\]-~]{1,8}"]), 0..4),
        ) {
            let mut text = format!("{type_}/{subtype}");
            for (name, value) in &params {
                if is_token(value) {
                    text.push_str(&format!("; {name}={value}"));
                } else {
                    text.push_str(&format!("; {name}=\"{value}\""));
                }
            }
            let ct: ContentType = text.parse().unwrap();
            prop_assert_eq!(ct.essence(), format!("{type_}/{subtype}").to_ascii_lowercase());
            prop_assert_eq!(ct.mime().params().count(), params.len());
            let back: ContentType = ct.to_string().parse().unwrap();
            prop_assert_eq!(&back, &ct);
            let back = ContentType::from_header(&ct.to_header_value()).unwrap();
            prop_assert_eq!(back, ct);
        }

        #[test]
        fn parse_never_panics(s in "\\PC{0,40}") {
            let _ = s.parse::<ContentType>();
            let _ = charset_of(&s);
            let _ = is_json(&s);
        }
    }
}
