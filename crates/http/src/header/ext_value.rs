use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

/// Bytes that RFC 8187 `attr-char` allows unencoded; everything else is
/// percent-encoded.
const ATTR_CHAR_ENCODE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'!')
    .remove(b'#')
    .remove(b'$')
    .remove(b'&')
    .remove(b'+')
    .remove(b'-')
    .remove(b'.')
    .remove(b'^')
    .remove(b'_')
    .remove(b'`')
    .remove(b'|')
    .remove(b'~');

/// The charsets an extended value may use that we decode.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Charset {
    Utf8,
    Latin1,
}

impl Charset {
    pub(crate) fn from_label(label: &str) -> Option<Charset> {
        let label = label.trim();
        if label.eq_ignore_ascii_case("utf-8") || label.eq_ignore_ascii_case("utf8") {
            Some(Charset::Utf8)
        } else if label.eq_ignore_ascii_case("iso-8859-1")
            || label.eq_ignore_ascii_case("latin1")
            || label.eq_ignore_ascii_case("us-ascii")
        {
            // US-ASCII is a subset of both; Latin-1 never fails to decode.
            Some(Charset::Latin1)
        } else {
            None
        }
    }

    /// Decodes bytes; invalid UTF-8 becomes U+FFFD rather than an error so
    /// that a filename with one bad byte is still usable.
    pub(crate) fn decode(self, bytes: &[u8]) -> String {
        match self {
            Charset::Utf8 => String::from_utf8_lossy(bytes).into_owned(),
            Charset::Latin1 => bytes.iter().map(|&b| b as char).collect(),
        }
    }
}

/// Appends the percent-decoded bytes of `s` to `out`; a `%` not followed by
/// two hex digits is kept literally.
pub(crate) fn percent_decode_bytes(s: &str, out: &mut Vec<u8>) {
    out.extend(percent_encoding::percent_decode_str(s));
}

/// Decodes an RFC 8187 extended value such as `UTF-8'en'%E2%82%AC%20rates`.
///
/// Charsets UTF-8 and ISO-8859-1 (and US-ASCII) are understood; the
/// language tag is ignored. Returns `None` for any other charset or a value
/// missing its two `'` delimiters.
pub fn decode_ext_value(value: &str) -> Option<String> {
    let mut parts = value.splitn(3, '\'');
    let charset = Charset::from_label(parts.next()?)?;
    let _language = parts.next()?;
    let encoded = parts.next()?;
    let mut bytes = Vec::with_capacity(encoded.len());
    percent_decode_bytes(encoded, &mut bytes);
    Some(charset.decode(&bytes))
}

/// Encodes `value` as an RFC 8187 extended value in UTF-8 with no language:
/// `UTF-8''%E2%82%AC%20rates`.
pub fn encode_ext_value(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 7);
    out.push_str("UTF-8''");
    out.extend(utf8_percent_encode(value, ATTR_CHAR_ENCODE));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn decode_table() {
        let cases: &[(&str, Option<&str>)] = &[
            ("UTF-8''%C2%B5", Some("µ")),
            ("utf-8'en'%E2%82%AC%20rates", Some("€ rates")),
            ("iso-8859-1'en'%A3%20rates", Some("£ rates")),
            ("us-ascii''plain", Some("plain")),
            ("UTF-8''", Some("")),
            ("UTF-8''%", Some("%")),
            ("UTF-8''%zz", Some("%zz")),
            ("UTF-8''a'b", Some("a'b")),
            ("koi8-r''%C1", None),
            ("UTF-8'no-second-quote", None),
            ("plain", None),
            ("", None),
        ];
        for (input, want) in cases {
            assert_eq!(decode_ext_value(input).as_deref(), *want, "{input}");
        }
    }

    #[test]
    fn encode_table() {
        assert_eq!(encode_ext_value("€ rates"), "UTF-8''%E2%82%AC%20rates");
        assert_eq!(encode_ext_value("a-b_c.d"), "UTF-8''a-b_c.d");
        assert_eq!(encode_ext_value("x'y\"z;"), "UTF-8''x%27y%22z%3B");
    }

    proptest! {
        #[test]
        fn encode_then_decode_is_identity(s in any::<String>()) {
            prop_assert_eq!(decode_ext_value(&encode_ext_value(&s)), Some(s));
        }
    }
}
