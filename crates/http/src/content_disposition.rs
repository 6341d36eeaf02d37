//! The `Content-Disposition` header: downloads and inline display of a
//! response (RFC 6266), and the name and filename of a `multipart/form-data`
//! part (RFC 7578 §4.2).
//!
//! Parameters are read with RFC 8187 extended values (`filename*=UTF-8''...`)
//! and RFC 2231 continuations resolved; `filename*` wins over `filename`
//! (RFC 6266 §4.3). Two leniencies follow what browsers send:
//!
//! - Inside quotes only `\\` and `\"` are escapes; any other backslash is
//!   kept, so an old Internet Explorer upload named `C:\Users\x\file.txt`
//!   keeps its path (strip it with a safe-filename helper, not here).
//! - In `form-data`, `%22` in `name` and `filename` is read as `"`: browsers
//!   percent-encode quotes there instead of escaping them (WHATWG HTML,
//!   "multipart/form-data encoding algorithm").
//!
//! A parameter without `=`, with an empty name or a name that is not a
//! token, with an empty unquoted value, or with an unterminated quoted value
//! is skipped. ASCII control characters other than tab are removed from
//! values, when reading (they arrive percent-encoded in `filename*`) as when
//! writing: a header cannot carry them, and no filename needs them.
//!
//! When formatting a download, a non-ASCII filename is sent twice, as RFC 6266
//! Appendix D advises: `filename="..."` with an ASCII approximation for old
//! clients, in which `/`, `\` and their fullwidth lookalikes become `_`, and
//! `filename*=UTF-8''...` with the exact name:
//!
//! ```
//! use tackle_http::content_disposition::ContentDisposition;
//!
//! let cd = ContentDisposition::attachment("Vögel.txt");
//! assert_eq!(cd.to_string(), r#"attachment; filename="Vogel.txt"; filename*=UTF-8''V%C3%B6gel.txt"#);
//! let back: ContentDisposition = cd.to_string().parse().unwrap();
//! assert_eq!(back.filename(), Some("Vögel.txt"));
//! ```

use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

use http::header::CONTENT_DISPOSITION;
use http::{HeaderName, HeaderValue};

use crate::filename::fold_to_ascii;
use crate::header::{Parameters, encode_ext_value, header_value, is_token, quote};
use crate::{ParseError, TypedHeader};

const WHAT: &str = "Content-Disposition";

/// The most parameters read from one header. Real headers carry a handful
/// (a long RFC 2231 filename may take a few dozen sections); the limit keeps
/// parameter resolution cheap on hostile input.
pub const MAX_PARAMS: usize = 256;

/// The disposition type: what the recipient should do with the content.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum DispositionType {
    /// Display it in place (`inline`).
    Inline,
    /// Offer it as a download (`attachment`).
    Attachment,
    /// A field of a `multipart/form-data` body (`form-data`).
    FormData,
    /// Any other type (RFC 6266 `disp-ext-type`), made by parsing, e.g.
    /// `"x-y".parse::<DispositionType>()`, which checks that it is one
    /// token. RFC 6266 §4.2 asks recipients to treat unknown types like
    /// `attachment`.
    Other(OtherDispositionType),
}

impl DispositionType {
    /// The type as written on the wire.
    pub fn as_str(&self) -> &str {
        match self {
            DispositionType::Inline => "inline",
            DispositionType::Attachment => "attachment",
            DispositionType::FormData => "form-data",
            DispositionType::Other(other) => other.as_str(),
        }
    }

    /// The type named by `token`, which is known to be a token.
    fn from_token(token: &str) -> Self {
        if token.eq_ignore_ascii_case("inline") {
            DispositionType::Inline
        } else if token.eq_ignore_ascii_case("attachment") {
            DispositionType::Attachment
        } else if token.eq_ignore_ascii_case("form-data") {
            DispositionType::FormData
        } else {
            DispositionType::Other(OtherDispositionType(token.to_ascii_lowercase()))
        }
    }
}

/// Reads a disposition type, case-insensitively: `inline`, `attachment` and
/// `form-data` give their variants, any other token gives
/// [`DispositionType::Other`]. Fails unless the text is one token, so that
/// no type can carry parameters of its own (`inline; filename=x.html`).
impl FromStr for DispositionType {
    type Err = ParseError;

    fn from_str(s: &str) -> Result<Self, ParseError> {
        if !is_token(s) {
            return Err(ParseError::invalid(WHAT, "disposition type is not a token"));
        }
        Ok(DispositionType::from_token(s))
    }
}

/// A disposition type other than `inline`, `attachment` and `form-data`: one
/// token, lowercase. It is made only by parsing a [`DispositionType`], so it
/// always formats as exactly one type.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct OtherDispositionType(String);

impl OtherDispositionType {
    /// The type, lowercase.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for OtherDispositionType {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

/// The `Content-Disposition` header: a disposition type, the `name` and
/// `filename` parameters, and any others.
///
/// Two values are equal when they hold the same parameters, in any order.
#[derive(Clone, Debug, Eq)]
pub struct ContentDisposition {
    disposition: DispositionType,
    name: Option<String>,
    filename: Option<String>,
    params: Vec<(String, String)>,
}

impl ContentDisposition {
    /// A disposition of this type with no parameters.
    pub fn new(disposition: DispositionType) -> Self {
        ContentDisposition {
            disposition,
            name: None,
            filename: None,
            params: Vec::new(),
        }
    }

    /// `inline`, with no filename.
    pub fn inline() -> Self {
        Self::new(DispositionType::Inline)
    }

    /// `attachment; filename="..."`: a download saved under `filename`.
    pub fn attachment(filename: impl Into<String>) -> Self {
        Self::new(DispositionType::Attachment).with_filename(filename)
    }

    /// `form-data; name="..."`: a field of a multipart form.
    pub fn form_data(name: impl Into<String>) -> Self {
        Self::new(DispositionType::FormData).with_name(name)
    }

    /// Sets the `filename` parameter.
    pub fn with_filename(mut self, filename: impl Into<String>) -> Self {
        self.filename = Some(filename.into());
        self
    }

    /// Sets the `name` parameter.
    pub fn with_name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// Adds or replaces a parameter (`name` and `filename` included). Names
    /// are case-insensitive and stored lowercase; a name that is not a token,
    /// or that holds `*`, is not written.
    pub fn with_param(mut self, name: &str, value: impl Into<String>) -> Self {
        let name = name.to_ascii_lowercase();
        let value = value.into();
        match name.as_str() {
            "name" => self.name = Some(value),
            "filename" => self.filename = Some(value),
            _ => match self.params.iter_mut().find(|(n, _)| *n == name) {
                Some(slot) => slot.1 = value,
                None => self.params.push((name, value)),
            },
        }
        self
    }

    /// The disposition type.
    pub fn disposition(&self) -> &DispositionType {
        &self.disposition
    }

    /// Whether the type is `inline`.
    pub fn is_inline(&self) -> bool {
        self.disposition == DispositionType::Inline
    }

    /// Whether the type is `attachment`.
    pub fn is_attachment(&self) -> bool {
        self.disposition == DispositionType::Attachment
    }

    /// Whether the type is `form-data`.
    pub fn is_form_data(&self) -> bool {
        self.disposition == DispositionType::FormData
    }

    /// The `name` parameter (the form field of a multipart part).
    pub fn name(&self) -> Option<&str> {
        self.name.as_deref()
    }

    /// The filename: `filename*` when present and decodable, else
    /// `filename`. It is exactly what the peer sent and may hold a path;
    /// never use it as a path without sanitizing it.
    pub fn filename(&self) -> Option<&str> {
        self.filename.as_deref()
    }

    /// Any parameter by name (case-insensitive), `name` and `filename`
    /// included.
    pub fn param(&self, name: &str) -> Option<&str> {
        if name.eq_ignore_ascii_case("name") {
            self.name()
        } else if name.eq_ignore_ascii_case("filename") {
            self.filename()
        } else {
            self.params
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case(name))
                .map(|(_, v)| v.as_str())
        }
    }

    /// The parameters other than `name` and `filename`: lowercase name,
    /// decoded value. Plain parameters come first in the order sent, then
    /// extended (`*`) ones; order carries no meaning here.
    pub fn params(&self) -> impl Iterator<Item = (&str, &str)> {
        self.params.iter().map(|(n, v)| (n.as_str(), v.as_str()))
    }

    /// How many parameters [`Display`](fmt::Display) writes: a non-ASCII
    /// download filename is written twice, plainly and as `filename*`.
    fn written_param_count(&self) -> usize {
        let filename = match &self.filename {
            None => 0,
            Some(f) if !self.is_form_data() && !f.is_ascii() => 2,
            Some(_) => 1,
        };
        let written_params = self.params.iter().filter(|(n, _)| is_writable_name(n));
        usize::from(self.name.is_some()) + filename + written_params.count()
    }
}

/// Parameter order carries no meaning (a non-ASCII value is written as
/// `name*=...`, which reads back after the plain ones).
impl PartialEq for ContentDisposition {
    fn eq(&self, other: &Self) -> bool {
        fn sorted(params: &[(String, String)]) -> Vec<&(String, String)> {
            let mut refs: Vec<_> = params.iter().collect();
            refs.sort_unstable();
            refs
        }
        self.disposition == other.disposition
            && self.name == other.name
            && self.filename == other.filename
            && self.params.len() == other.params.len()
            && (self.params == other.params || sorted(&self.params) == sorted(&other.params))
    }
}

/// Whether a parameter name can be written: a token without `*`, which
/// would read back as an extended or continued parameter.
fn is_writable_name(name: &str) -> bool {
    is_token(name) && !name.contains('*')
}

/// Whether `c` cannot be written in a header value: an ASCII control other
/// than tab.
fn is_unwritable(c: char) -> bool {
    c.is_ascii_control() && c != '\t'
}

/// Splits at the first `;` outside a quoted string (where `\` escapes the
/// next byte); an unterminated quote runs to the end.
fn split_segment(s: &str) -> (&str, &str) {
    let bytes = s.as_bytes();
    let mut in_quotes = false;
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        match b {
            b'\\' if in_quotes => i += 1,
            b'"' => in_quotes = !in_quotes,
            b';' if !in_quotes => return (&s[..i], &s[i + 1..]),
            _ => {}
        }
        i += 1;
    }
    (s, "")
}

/// Reads a quoted-string where only `\\` and `\"` are escapes. `None` when
/// the closing quote is missing or followed by more text.
fn unquote_lenient(quoted: &str) -> Option<Cow<'_, str>> {
    let inner = quoted.strip_prefix('"')?;
    let bytes = inner.as_bytes();
    let mut owned: Option<String> = None;
    let mut copied_from = 0;
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        match b {
            b'\\' if matches!(bytes.get(i + 1), Some(b'\\' | b'"')) => {
                owned
                    .get_or_insert_with(|| String::with_capacity(inner.len()))
                    .push_str(&inner[copied_from..i]);
                // The escaped byte starts the next copied run.
                copied_from = i + 1;
                i += 2;
            }
            b'"' => {
                if i + 1 != bytes.len() {
                    return None;
                }
                return Some(match owned {
                    Some(mut out) => {
                        out.push_str(&inner[copied_from..i]);
                        Cow::Owned(out)
                    }
                    None => Cow::Borrowed(&inner[..i]),
                });
            }
            _ => i += 1,
        }
    }
    None
}

/// A parameter as [`Parameters::parse`] takes it.
type RawParam<'a> = (&'a str, Option<Cow<'a, str>>);

/// The `(name, value)` parameters after the disposition type, with quoted
/// values read and bad parameters skipped.
fn raw_params(mut rest: &str) -> Result<Vec<RawParam<'_>>, ParseError> {
    let mut out = Vec::new();
    while !rest.is_empty() {
        let (segment, tail) = split_segment(rest);
        rest = tail;
        let Some((name, value)) = segment.split_once('=') else {
            continue;
        };
        let name = name.trim_matches([' ', '\t']);
        let value = value.trim_matches([' ', '\t']);
        if name.is_empty() || value.is_empty() {
            continue;
        }
        let value = if value.starts_with('"') {
            match unquote_lenient(value) {
                Some(v) => v,
                None => continue,
            }
        } else {
            Cow::Borrowed(value)
        };
        if out.len() == MAX_PARAMS {
            return Err(ParseError::too_large(WHAT, "MAX_PARAMS (256)"));
        }
        out.push((name, Some(value)));
    }
    Ok(out)
}

/// Undoes the `%22` browsers write for `"` in form-data names.
fn decode_form_data_quotes(value: String) -> String {
    if value.contains("%22") {
        value.replace("%22", "\"")
    } else {
        value
    }
}

impl FromStr for ContentDisposition {
    type Err = ParseError;

    fn from_str(s: &str) -> Result<Self, ParseError> {
        Self::parse_value(s)
    }
}

impl TypedHeader for ContentDisposition {
    const NAME: HeaderName = CONTENT_DISPOSITION;

    /// Parses `type; param=value; ...`; see the module docs for the
    /// leniencies. Fails when the type is missing or not a token, or over
    /// [`MAX_PARAMS`] parameters.
    fn parse_value(value: &str) -> Result<Self, ParseError> {
        let (head, rest) = split_segment(value);
        let head = head.trim_matches([' ', '\t']);
        if head.is_empty() {
            return Err(ParseError::invalid(WHAT, "missing disposition type"));
        }
        if !is_token(head) {
            return Err(ParseError::invalid(WHAT, "disposition type is not a token"));
        }
        let disposition = DispositionType::from_token(head);
        let params = Parameters::parse(raw_params(rest)?.into_iter());
        let mut cd = ContentDisposition::new(disposition);
        // Only what the formatter writes back is read.
        for (name, value) in params.iter().filter(|(n, _)| is_writable_name(n)) {
            let value = without_controls(value).into_owned();
            match name {
                "name" => cd.name = Some(value),
                "filename" => cd.filename = Some(value),
                _ => cd.params.push((name.to_string(), value)),
            }
        }
        if cd.is_form_data() {
            cd.name = cd.name.map(decode_form_data_quotes);
            cd.filename = cd.filename.map(decode_form_data_quotes);
        }
        // So that the written form, which may hold one more parameter, reads
        // back.
        if cd.written_param_count() > MAX_PARAMS {
            return Err(ParseError::too_large(WHAT, "MAX_PARAMS (256)"));
        }
        Ok(cd)
    }

    fn to_header_value(&self) -> HeaderValue {
        header_value(self.to_string())
    }
}

/// Writes a form-data value as browsers do: raw UTF-8 in quotes with `"` as
/// `%22`; backslashes are escaped so they read back unchanged.
fn write_form_data_quoted(f: &mut fmt::Formatter<'_>, s: &str) -> fmt::Result {
    f.write_str("\"")?;
    for c in s.chars() {
        match c {
            '"' => f.write_str("%22")?,
            '\\' => f.write_str("\\\\")?,
            c if is_unwritable(c) => {}
            c => write!(f, "{c}")?,
        }
    }
    f.write_str("\"")
}

/// `s` without the control characters a header cannot carry.
fn without_controls(s: &str) -> Cow<'_, str> {
    if s.chars().any(is_unwritable) {
        Cow::Owned(s.chars().filter(|&c| !is_unwritable(c)).collect())
    } else {
        Cow::Borrowed(s)
    }
}

/// Writes `; name="value"`, adding `; name*=UTF-8''...` with the exact value
/// when it is not ASCII (then the quoted value is an ASCII approximation).
fn write_with_fallback(f: &mut fmt::Formatter<'_>, name: &str, value: &str) -> fmt::Result {
    let value = without_controls(value);
    write!(f, "; {name}=")?;
    if value.is_ascii() {
        return crate::header::write_quoted(f, &value);
    }
    crate::header::write_quoted(f, &ascii_fallback(&value))?;
    write!(f, "; {name}*={}", encode_ext_value(&value))
}

/// Writes `; name=value`, as a token when it is one, quoted when it is other
/// ASCII text, and as `name*=UTF-8''...` otherwise.
fn write_param(f: &mut fmt::Formatter<'_>, name: &str, value: &str) -> fmt::Result {
    let value = without_controls(value);
    if value.is_ascii() {
        write!(f, "; {name}={}", quote(&value))
    } else {
        write!(f, "; {name}*={}", encode_ext_value(&value))
    }
}

impl fmt::Display for ContentDisposition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.disposition.as_str())?;
        if self.is_form_data() {
            // RFC 7578 §4.2: no `filename*` in form-data; browsers send
            // UTF-8 as it is.
            for (param, value) in [("name", &self.name), ("filename", &self.filename)] {
                if let Some(value) = value {
                    write!(f, "; {param}=")?;
                    write_form_data_quoted(f, value)?;
                }
            }
        } else {
            if let Some(name) = &self.name {
                write_param(f, "name", name)?;
            }
            if let Some(filename) = &self.filename {
                write_with_fallback(f, "filename", filename)?;
            }
        }
        for (name, value) in &self.params {
            if is_writable_name(name) {
                write_param(f, name, value)?;
            }
        }
        Ok(())
    }
}

/// An ASCII stand-in for a non-ASCII filename: accented Latin letters lose
/// their accents (`ö` → `o`, `ß` → `ss`), full-width forms become their ASCII
/// twins, and anything else is dropped, much as Werkzeug's `send_file` does
/// with Unicode NFKD (see [`fold_to_ascii`]). It never holds `/` or `\`:
/// those and their lookalikes (`／`, `＼`) become `_`, so that an old client
/// saving under this name cannot be steered into another directory.
fn ascii_fallback(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.chars() {
        match c {
            '/' | '\\' => out.push('_'),
            c if c.is_ascii() => out.push(c),
            c => out.push_str(fold_to_ascii(c).unwrap_or("")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Disposition type, name, filename, other params.
    type Expected = (
        &'static str,
        Option<&'static str>,
        Option<&'static str>,
        &'static [(&'static str, &'static str)],
    );

    type Summary<'a> = (
        &'a str,
        Option<&'a str>,
        Option<&'a str>,
        Vec<(&'a str, &'a str)>,
    );

    fn summary(cd: &ContentDisposition) -> Summary<'_> {
        (
            cd.disposition().as_str(),
            cd.name(),
            cd.filename(),
            cd.params().collect(),
        )
    }

    #[test]
    fn parse_table() {
        let cases: &[(&str, Option<Expected>)] = &[
            // RFC 6266 §5.
            (
                "Attachment; filename=example.html",
                Some(("attachment", None, Some("example.html"), &[])),
            ),
            (
                "INLINE; FILENAME= \"an example.html\"",
                Some(("inline", None, Some("an example.html"), &[])),
            ),
            (
                "attachment; filename*= UTF-8''%e2%82%ac%20rates",
                Some(("attachment", None, Some("€ rates"), &[])),
            ),
            (
                "attachment; filename=\"EURO rates\"; filename*=utf-8''%e2%82%ac%20rates",
                Some(("attachment", None, Some("€ rates"), &[])),
            ),
            ("inline", Some(("inline", None, None, &[]))),
            ("attachment;", Some(("attachment", None, None, &[]))),
            (
                "x-custom; a=1",
                Some(("x-custom", None, None, &[("a", "1")])),
            ),
            // Browser multipart part headers.
            (
                "form-data; name=\"text\"",
                Some(("form-data", Some("text"), None, &[])),
            ),
            (
                "form-data; name=\"file1\"; filename=\"anchor.png\"",
                Some(("form-data", Some("file1"), Some("anchor.png"), &[])),
            ),
            (
                "form-data; filename=\"secret.txt\"; name=\"files\"",
                Some(("form-data", Some("files"), Some("secret.txt"), &[])),
            ),
            (
                "form-data; name=\"f\"; filename=\"C:\\Users\\x\\file.txt\"",
                Some(("form-data", Some("f"), Some("C:\\Users\\x\\file.txt"), &[])),
            ),
            (
                "form-data; name=\"a%22b\"; filename=\"%22q%22.txt\"",
                Some(("form-data", Some("a\"b"), Some("\"q\".txt"), &[])),
            ),
            (
                "form-data; name=\"名前\"; filename=\"写真.jpg\"",
                Some(("form-data", Some("名前"), Some("写真.jpg"), &[])),
            ),
            (
                "form-data; name=\"a;b\"",
                Some(("form-data", Some("a;b"), None, &[])),
            ),
            (
                "form-data; name=\"\"",
                Some(("form-data", Some(""), None, &[])),
            ),
            // Werkzeug test_http.py parse_options_header cases ("v" is the type).
            ("v", Some(("v", None, None, &[]))),
            ("v;", Some(("v", None, None, &[]))),
            (
                "v;a=b;c=d;",
                Some(("v", None, None, &[("a", "b"), ("c", "d")])),
            ),
            ("v;  ; a=b ; ", Some(("v", None, None, &[("a", "b")]))),
            ("v;a", Some(("v", None, None, &[]))),
            ("v;a=", Some(("v", None, None, &[]))),
            ("v;=b", Some(("v", None, None, &[]))),
            ("v;a=\"b\"", Some(("v", None, None, &[("a", "b")]))),
            (
                "v;a=\"';'\";b=\"µ\";",
                Some(("v", None, None, &[("a", "';'"), ("b", "µ")])),
            ),
            ("v;a=\"b c\"", Some(("v", None, None, &[("a", "b c")]))),
            (
                "v;a=\"b\\\"c\";d=e",
                Some(("v", None, None, &[("a", "b\"c"), ("d", "e")])),
            ),
            ("v;a=\"c:\\\\\"", Some(("v", None, None, &[("a", "c:\\")]))),
            ("v;a=\"c:\\\"", Some(("v", None, None, &[]))),
            (
                "v;a=\"b\\\\\\\"c\"",
                Some(("v", None, None, &[("a", "b\\\"c")])),
            ),
            ("v;a*=US-ASCII''%62", Some(("v", None, None, &[("a", "b")]))),
            ("v;a*=UTF-8''%C2%B5", Some(("v", None, None, &[("a", "µ")]))),
            (
                "v;a*=UTF-8'''%F0%9F%90%8D'.txt",
                Some(("v", None, None, &[("a", "'🐍'.txt")])),
            ),
            (
                "v;a=\"🐍.txt\"",
                Some(("v", None, None, &[("a", "🐍.txt")])),
            ),
            (
                "v;a*0=b;a*1=c;d=e",
                Some(("v", None, None, &[("d", "e"), ("a", "bc")])),
            ),
            (
                "v;a*0*=UTF-8''b;a*1=c;a*2*=%C2%B5",
                Some(("v", None, None, &[("a", "bcµ")])),
            ),
            (
                "something; fileName=\"File.ext\"",
                Some(("something", None, Some("File.ext"), &[])),
            ),
            // Werkzeug differs: it decodes %22 in every type, and reads
            // `a=µ` as invalid; here an unquoted value is taken as sent.
            ("v;a=\"b%22c\"", Some(("v", None, None, &[("a", "b%22c")]))),
            ("v;a=µ", Some(("v", None, None, &[("a", "µ")]))),
            // Garbage after a closing quote drops the parameter.
            ("v;a=\"b\"c;d=e", Some(("v", None, None, &[("d", "e")]))),
            ("", None),
            ("   ", None),
            (";a=b", None),
            ("a b; c=d", None),
            ("\"inline\"", None),
        ];
        for (input, want) in cases {
            let got = input.parse::<ContentDisposition>();
            let got = got.as_ref().ok().map(summary);
            let want = want.map(|(d, n, f, p)| (d, n, f, p.to_vec()));
            assert_eq!(got, want, "{input}");
        }
    }

    #[test]
    fn format_table() {
        let cases: &[(ContentDisposition, &str)] = &[
            (ContentDisposition::inline(), "inline"),
            (
                ContentDisposition::attachment("index.html"),
                "attachment; filename=\"index.html\"",
            ),
            (
                ContentDisposition::attachment("an example.html"),
                "attachment; filename=\"an example.html\"",
            ),
            // Werkzeug test_send_file.py download names.
            (
                ContentDisposition::attachment("Vögel.txt"),
                "attachment; filename=\"Vogel.txt\"; filename*=UTF-8''V%C3%B6gel.txt",
            ),
            (
                ContentDisposition::attachment("Ñandú／pingüino.txt"),
                "attachment; filename=\"Nandu_pinguino.txt\"; \
                 filename*=UTF-8''%C3%91and%C3%BA%EF%BC%8Fping%C3%BCino.txt",
            ),
            (
                ContentDisposition::attachment("те:/ст"),
                "attachment; filename=\":_\"; filename*=UTF-8''%D1%82%D0%B5%3A%2F%D1%81%D1%82",
            ),
            // The fallback never names another directory.
            (
                ContentDisposition::attachment("..／..／run.sh"),
                "attachment; filename=\".._.._run.sh\"; \
                 filename*=UTF-8''..%EF%BC%8F..%EF%BC%8Frun.sh",
            ),
            (
                ContentDisposition::attachment("．．＼．．\\é/x"),
                "attachment; filename=\".._.._e_x\"; \
                 filename*=UTF-8''%EF%BC%8E%EF%BC%8E%EF%BC%BC%EF%BC%8E%EF%BC%8E%5C%C3%A9%2Fx",
            ),
            // An ASCII name is the application's own, written as it is.
            (
                ContentDisposition::attachment("../x"),
                "attachment; filename=\"../x\"",
            ),
            (
                ContentDisposition::attachment("€ rates"),
                "attachment; filename=\" rates\"; filename*=UTF-8''%E2%82%AC%20rates",
            ),
            (
                ContentDisposition::attachment("Straße Œuvre ŁódźĲ.pdf"),
                "attachment; filename=\"Strasse OEuvre LodzIJ.pdf\"; \
                 filename*=UTF-8''Stra%C3%9Fe%20%C5%92uvre%20%C5%81%C3%B3d%C5%BA%C4%B2.pdf",
            ),
            (
                ContentDisposition::attachment("a\"b\\c.txt"),
                "attachment; filename=\"a\\\"b\\\\c.txt\"",
            ),
            (
                ContentDisposition::attachment("a\r\nb.txt"),
                "attachment; filename=\"ab.txt\"",
            ),
            (
                ContentDisposition::attachment(""),
                "attachment; filename=\"\"",
            ),
            (
                ContentDisposition::inline().with_filename("x.pdf"),
                "inline; filename=\"x.pdf\"",
            ),
            (
                ContentDisposition::form_data("text"),
                "form-data; name=\"text\"",
            ),
            (
                ContentDisposition::form_data("file").with_filename("写真 \"1\".jpg"),
                "form-data; name=\"file\"; filename=\"写真 %221%22.jpg\"",
            ),
            (
                ContentDisposition::form_data("a\\b"),
                "form-data; name=\"a\\\\b\"",
            ),
            (
                ContentDisposition::new("X-Y".parse().unwrap())
                    .with_param("Size", "10")
                    .with_param("title", "a b")
                    .with_param("title", "a c")
                    .with_param("label", "µ")
                    .with_param("bad name", "x")
                    .with_param("ext*", "x"),
                "x-y; size=10; title=\"a c\"; label*=UTF-8''%C2%B5",
            ),
        ];
        for (cd, want) in cases {
            assert_eq!(cd.to_string(), *want);
            assert_eq!(cd.to_header_value(), *want);
        }
    }

    #[test]
    fn accessors() {
        let cd: ContentDisposition = "form-data; name=a; filename=b; size=3".parse().unwrap();
        assert!(cd.is_form_data() && !cd.is_inline() && !cd.is_attachment());
        assert_eq!(cd.param("NAME"), Some("a"));
        assert_eq!(cd.param("filename"), Some("b"));
        assert_eq!(cd.param("Size"), Some("3"));
        assert_eq!(cd.param("missing"), None);
        assert_eq!(cd.disposition(), &DispositionType::FormData);
        let cd = ContentDisposition::attachment("x")
            .with_param("NAME", "n")
            .with_param("FileName", "y");
        assert_eq!((cd.name(), cd.filename()), (Some("n"), Some("y")));
    }

    /// Inputs the `media` fuzz target found (or that share their cause):
    /// each parses to the expected value and formats to text that reads
    /// back to an equal value. Text that is not UTF-8 is read as a header.
    #[test]
    fn fuzz_regressions_round_trip() {
        let cases: &[(&[u8], Expected)] = &[
            // A name that is not a token cannot be written: not read either.
            (b"+;;./=\0\x11", ("+", None, None, &[])),
            (
                b"v;a b=1;\xc3\xa9=2;*=UTF-8''x;c=4",
                ("v", None, None, &[("c", "4")]),
            ),
            // Controls other than tab are removed when reading as when writing.
            (
                b"attachment; filename*=UTF-8''a%0D%0Ab%00.txt",
                ("attachment", None, Some("ab.txt"), &[]),
            ),
            (b"v;a=\"x\ty\"", ("v", None, None, &[("a", "x\ty")])),
            // ... before `%22` is decoded, or `%2<ctl>2` would read as `"`
            // once and as `%22` after a round trip.
            (
                b"form-data; name=\"%2\x012\"",
                ("form-data", Some("\""), None, &[]),
            ),
            // Bytes 0x80..0x9F read as ISO-8859-1 are C1 controls: kept.
            (b"v;a=\x85", ("v", None, None, &[("a", "\u{85}")])),
            (
                b"form-data; name=\x85; filename=\"\x9fb\"",
                ("form-data", Some("\u{85}"), Some("\u{9f}b"), &[]),
            ),
            // A non-ASCII value is written as `a*=`, read after plain ones.
            (
                "v;a=\"µ\";b=x".as_bytes(),
                ("v", None, None, &[("a", "µ"), ("b", "x")]),
            ),
        ];
        for (input, (d, n, f, p)) in cases {
            let parsed = match std::str::from_utf8(input) {
                Ok(s) => ContentDisposition::parse_value(s),
                Err(_) => ContentDisposition::from_header(&HeaderValue::from_bytes(input).unwrap()),
            }
            .unwrap();
            assert_eq!(summary(&parsed), (*d, *n, *f, p.to_vec()), "{input:?}");
            let value = parsed.to_header_value();
            let back = ContentDisposition::from_header(&value).unwrap();
            assert_eq!(back, parsed, "{input:?} formatted as {value:?}");
        }
    }

    #[test]
    fn equality_ignores_parameter_order() {
        let a = ContentDisposition::inline()
            .with_param("a", "1")
            .with_param("b", "2");
        let b = ContentDisposition::inline()
            .with_param("b", "2")
            .with_param("a", "1");
        assert_eq!(a, b);
        assert_ne!(a, b.clone().with_param("a", "3"));
        assert_ne!(a, b.with_param("c", "3"));
    }

    #[test]
    fn max_params_counts_the_filename_fallback() {
        // 256 parameters, but a non-ASCII download filename is written twice.
        let others = |n: usize| -> String { (0..n).map(|i| format!("; p{i}=1")).collect() };
        let s = format!("attachment; filename=\"é\"{}", others(MAX_PARAMS - 1));
        assert!(s.parse::<ContentDisposition>().unwrap_err().is_too_large());
        let s = format!("attachment; filename=\"é\"{}", others(MAX_PARAMS - 2));
        let cd: ContentDisposition = s.parse().unwrap();
        assert_eq!(cd.to_string().parse::<ContentDisposition>().unwrap(), cd);
        // Form-data writes it once.
        let s = format!("form-data; filename=\"é\"{}", others(MAX_PARAMS - 1));
        assert!(s.parse::<ContentDisposition>().is_ok());
    }

    #[test]
    fn hostile_inputs_stay_bounded() {
        // Werkzeug: a long unterminated quote of backslashes does not freeze.
        let s = format!("v;a=\"{}", "\\".repeat(400));
        assert_eq!(summary(&s.parse().unwrap()).3, Vec::<(&str, &str)>::new());
        let s = format!("v;a=\"{}", "\\".repeat(1 << 20));
        assert!(s.parse::<ContentDisposition>().is_ok());
        let s = format!("attachment{}", "; a=1".repeat(MAX_PARAMS));
        assert!(s.parse::<ContentDisposition>().is_ok());
        let s = format!("attachment{}", "; a=1".repeat(MAX_PARAMS + 1));
        let err = s.parse::<ContentDisposition>().unwrap_err();
        assert_eq!(
            err.to_string(),
            "Content-Disposition is over MAX_PARAMS (256)"
        );
        // Many empty or invalid segments do not count.
        let s = format!("attachment{}", "; ;x".repeat(100_000));
        assert!(s.parse::<ContentDisposition>().is_ok());
        let s = format!("attachment; filename=\"{}\"", "\\\"".repeat(1 << 18));
        assert_eq!(
            s.parse::<ContentDisposition>()
                .unwrap()
                .filename()
                .unwrap()
                .len(),
            1 << 18
        );
    }

    #[test]
    fn fallback_table() {
        let cases: &[(&str, &str)] = &[
            ("ĀāĞğİıŁłŉŊŒœŠšŸŹžſ", "AaGgIiLlnNOEoeSsYZzs"),
            ("ÆæÞþß×", "AEaeTHthss"),
            ("x²³¹ªº", "x231ao"),
            ("ＡＢＣ！～", "ABC!~"),
            ("日本\u{a0}語\u{3000}", "  "),
            ("a/b\\c／d＼e∕f⁄g", "a_b_c_d_e_f_g"),
        ];
        for (input, want) in cases {
            assert_eq!(ascii_fallback(input), *want, "{input}");
        }
        for c in '\u{100}'..='\u{17f}' {
            assert!(
                fold_to_ascii(c).is_some_and(|s| s.is_ascii() && !s.is_empty()),
                "{c}"
            );
        }
    }

    #[test]
    fn disposition_type_table() {
        let cases: &[(&str, Option<DispositionType>)] = &[
            ("inline", Some(DispositionType::Inline)),
            ("ATTACHMENT", Some(DispositionType::Attachment)),
            ("Form-Data", Some(DispositionType::FormData)),
            ("", None),
            ("inline; filename=x.html", None),
            ("a b", None),
            ("a,b", None),
            ("\"inline\"", None),
        ];
        for (input, want) in cases {
            assert_eq!(input.parse::<DispositionType>().ok(), *want, "{input}");
        }
        let other: DispositionType = "X-Custom".parse().unwrap();
        assert_eq!(other.as_str(), "x-custom");
        let DispositionType::Other(ext) = &other else {
            panic!("{other:?}")
        };
        assert_eq!((ext.as_str(), ext.as_ref()), ("x-custom", "x-custom"));
        let cd = ContentDisposition::new(other).with_filename("a.txt");
        assert_eq!(cd.to_string(), "x-custom; filename=\"a.txt\"");
        assert_eq!(cd.to_string().parse::<ContentDisposition>().unwrap(), cd);
    }

    /// Parameter order is not significant (extended ones are read last).
    fn sorted(mut cd: ContentDisposition) -> ContentDisposition {
        cd.params.sort();
        cd
    }

    fn other_params() -> impl Strategy<Value = Vec<(String, String)>> {
        proptest::collection::btree_map("[a-z][a-z0-9-]{0,6}", "[^\\p{Cc}]{0,10}", 0..4).prop_map(
            |m| {
                m.into_iter()
                    .filter(|(n, _)| n != "name" && n != "filename")
                    .collect()
            },
        )
    }

    proptest! {
        #[test]
        fn download_round_trips(
            inline in any::<bool>(),
            filename in proptest::option::of("[^\\p{Cc}]{0,16}"),
            name in proptest::option::of("[^\\p{Cc}]{0,8}"),
            params in other_params(),
        ) {
            let mut cd = ContentDisposition::new(if inline { DispositionType::Inline } else { DispositionType::Attachment });
            cd.filename = filename;
            cd.name = name;
            cd.params = params;
            let back: ContentDisposition = cd.to_string().parse().unwrap();
            prop_assert_eq!(sorted(back), sorted(cd.clone()));
            let back = ContentDisposition::from_header(&cd.to_header_value()).unwrap();
            prop_assert_eq!(sorted(back), sorted(cd));
        }

        #[test]
        fn form_data_round_trips(
            name in "[^\\p{Cc}%]{0,12}",
            filename in proptest::option::of("[^\\p{Cc}%]{0,16}"),
            params in other_params(),
        ) {
            let mut cd = ContentDisposition::form_data(name);
            cd.filename = filename;
            cd.params = params;
            let back: ContentDisposition = cd.to_string().parse().unwrap();
            prop_assert_eq!(sorted(back), sorted(cd.clone()));
            let back = ContentDisposition::from_header(&cd.to_header_value()).unwrap();
            prop_assert_eq!(sorted(back), sorted(cd));
        }

        #[test]
        fn parse_never_panics(s in "\\PC{0,60}") {
            let _ = s.parse::<ContentDisposition>();
        }

        #[test]
        fn fallback_is_ascii_without_separators(name in "\\PC{0,24}") {
            let fallback = ascii_fallback(&name);
            prop_assert!(fallback.is_ascii(), "{:?}", fallback);
            prop_assert!(!fallback.contains(['/', '\\']), "{:?}", fallback);
        }

        #[test]
        fn other_type_round_trips(token in "[!#$%&'*+.^_`|~0-9A-Za-z-]{1,10}") {
            let disposition: DispositionType = token.parse().unwrap();
            let cd = ContentDisposition::new(disposition);
            prop_assert_eq!(cd.to_string().parse::<ContentDisposition>().unwrap(), cd);
        }
    }
}
