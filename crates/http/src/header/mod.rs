//! The grammar shared by header values (RFC 9110 §5.6): tokens, quoted
//! strings, comma-separated lists, `;`-parameters and RFC 8187/2231 extended
//! parameter values; and [`TypedHeader`], the parse/format contract every
//! typed header in this crate follows.

mod ext_value;
mod list;
mod ows;
mod params;
mod quoted;
mod token;

pub use ext_value::{decode_ext_value, encode_ext_value};
pub use list::{ListItems, split_list};
pub(crate) use ows::{is_ows, trim_ows, trim_ows_start};
pub use params::{Parameters, RawParams, split_params};
pub use quoted::{quote, unquote, write_quoted};
pub use token::{is_tchar, is_token};

use std::borrow::Cow;

use http::{HeaderMap, HeaderName, HeaderValue};

use crate::ParseError;

/// A header with a typed value: parsed from and formatted to its wire form.
///
/// Parsing never panics and is linear in the input. Formatting produces a
/// value that parses back to an equal value (the round-trip the proptests
/// check).
pub trait TypedHeader: Sized {
    /// The header's field name.
    const NAME: HeaderName;

    /// Whether the header is a comma-separated list, so that several field
    /// lines combine into one value (RFC 9110 §5.3). Singletons use the first
    /// line only.
    const IS_LIST: bool = false;

    /// Parses one field value.
    ///
    /// The text is a field value as it can arrive in a [`HeaderValue`]: no
    /// ASCII control characters other than tab (RFC 9110 §5.5). Other text
    /// never panics, but control characters in it may not survive a format
    /// and parse round trip.
    fn parse_value(value: &str) -> Result<Self, ParseError>;

    /// Formats the value for the wire.
    fn to_header_value(&self) -> HeaderValue;

    /// Parses a [`HeaderValue`]; bytes that are not UTF-8 are read as
    /// ISO-8859-1, the historic charset of header fields.
    fn from_header(value: &HeaderValue) -> Result<Self, ParseError> {
        Self::parse_value(&header_str(value))
    }

    /// Reads the header from a map: `None` when absent, otherwise the parse
    /// result (list headers combine all their lines).
    fn from_headers(headers: &HeaderMap) -> Option<Result<Self, ParseError>> {
        let mut values = headers.get_all(Self::NAME).iter();
        let first = values.next()?;
        if !Self::IS_LIST {
            return Some(Self::from_header(first));
        }
        match values.next() {
            None => Some(Self::from_header(first)),
            Some(second) => {
                let mut joined = header_str(first).into_owned();
                for v in std::iter::once(second).chain(values) {
                    joined.push_str(", ");
                    joined.push_str(&header_str(v));
                }
                Some(Self::parse_value(&joined))
            }
        }
    }
}

/// A header value as text: UTF-8 when it is, ISO-8859-1 otherwise, so no byte
/// sequence is rejected.
pub fn header_str(value: &HeaderValue) -> Cow<'_, str> {
    match std::str::from_utf8(value.as_bytes()) {
        Ok(s) => Cow::Borrowed(s),
        Err(_) => Cow::Owned(value.as_bytes().iter().map(|&b| b as char).collect()),
    }
}

/// Makes a [`HeaderValue`] from formatted text. Formatters in this crate only
/// produce valid field values; as a last guard, control characters that would
/// allow header injection are replaced by spaces instead of panicking.
pub fn header_value(text: String) -> HeaderValue {
    match HeaderValue::from_str(&text) {
        Ok(v) => v,
        Err(_) => {
            let cleaned: Vec<u8> = text
                .into_bytes()
                .into_iter()
                .map(|b| {
                    if (b < 0x20 && b != b'\t') || b == 0x7f {
                        b' '
                    } else {
                        b
                    }
                })
                .collect();
            HeaderValue::from_bytes(&cleaned).unwrap_or_else(|_| HeaderValue::from_static(""))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_str_reads_latin1_when_not_utf8() {
        let v = HeaderValue::from_bytes(b"caf\xe9").unwrap();
        assert_eq!(header_str(&v), "café");
        let v = HeaderValue::from_bytes("café".as_bytes()).unwrap();
        assert_eq!(header_str(&v), "café");
    }

    #[test]
    fn header_value_never_injects_lines() {
        let v = header_value("a\r\nSet-Cookie: x".to_string());
        assert_eq!(v.as_bytes(), b"a  Set-Cookie: x");
    }
}
