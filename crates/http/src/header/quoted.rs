use std::borrow::Cow;
use std::fmt;

use super::token::is_token;

/// Removes the quotes and backslash escapes of a quoted-string
/// (RFC 9110 §5.6.4); any other text is returned as it is.
///
/// A value that opens a quote but never closes it is taken literally rather
/// than rejected, as browsers do.
pub fn unquote(s: &str) -> Cow<'_, str> {
    let Some(inner) = s.strip_prefix('"').and_then(|rest| rest.strip_suffix('"')) else {
        return Cow::Borrowed(s);
    };
    // `"x\"` ends in an escaped quote, so it never closes: take it literally.
    let trailing_backslashes = inner.bytes().rev().take_while(|&b| b == b'\\').count();
    if trailing_backslashes % 2 == 1 {
        return Cow::Borrowed(s);
    }
    if !inner.contains('\\') {
        return Cow::Borrowed(inner);
    }
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            // Never at the end: an odd run of trailing backslashes returned above.
            out.push(chars.next().unwrap_or('\\'));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Quotes `s` as a quoted-string unless it is already a token.
///
/// `"` and `\` are escaped; ASCII control characters (which a quoted-string
/// cannot hold, and which would allow header injection) are dropped, except
/// tab. Characters from U+0080 up are kept: they arrive as ISO-8859-1
/// `obs-text` and must survive a round trip.
pub fn quote(s: &str) -> Cow<'_, str> {
    if is_token(s) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 2);
    // Writing into a String cannot fail.
    let _ = write_quoted(&mut out, s);
    Cow::Owned(out)
}

/// Writes `s` as a quoted-string, always in quotes, straight into a
/// formatter or string: the allocation-free form of [`quote`], with the same
/// escaping and the same dropped characters.
pub fn write_quoted<W: fmt::Write>(out: &mut W, s: &str) -> fmt::Result {
    out.write_char('"')?;
    let mut clean_from = 0;
    for (i, c) in s.char_indices() {
        let escape = matches!(c, '"' | '\\');
        let drop = c.is_ascii_control() && c != '\t';
        if !escape && !drop {
            continue;
        }
        out.write_str(&s[clean_from..i])?;
        clean_from = i + c.len_utf8();
        if escape {
            out.write_char('\\')?;
            out.write_char(c)?;
        }
    }
    out.write_str(&s[clean_from..])?;
    out.write_char('"')
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn unquote_table() {
        let cases = [
            (r#""foo""#, "foo"),
            (r#""foo bar""#, "foo bar"),
            (r#""a\"b""#, "a\"b"),
            (r#""a\\b""#, "a\\b"),
            (r#""\a\b""#, "ab"),
            (r#""""#, ""),
            ("token", "token"),
            (r#""unterminated"#, "\"unterminated"),
            (r#"""#, "\""),
            (r#""trailing\""#, r#""trailing\""#),
            (r#""even\\""#, "even\\"),
        ];
        for (input, want) in cases {
            assert_eq!(unquote(input), want, "{input}");
        }
    }

    #[test]
    fn quote_table() {
        let cases = [
            ("foo", "foo"),
            ("foo bar", "\"foo bar\""),
            ("", "\"\""),
            ("a\"b", r#""a\"b""#),
            ("a\\b", r#""a\\b""#),
            ("a,b", "\"a,b\""),
            ("line\r\nbreak", "\"linebreak\""),
            ("tab\there", "\"tab\there\""),
        ];
        for (input, want) in cases {
            assert_eq!(quote(input), want, "{input:?}");
        }
    }

    proptest! {
        #[test]
        fn quote_then_unquote_is_identity(s in "[^\\x00-\\x08\\x0a-\\x1f\\x7f]*") {
            let quoted = quote(&s);
            prop_assert_eq!(unquote(&quoted), s.as_str());
        }
    }
}
