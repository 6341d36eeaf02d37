use std::borrow::Cow;
use std::collections::HashSet;

use super::ext_value::{Charset, decode_ext_value, percent_decode_bytes};
use super::list::find_unquoted;
use super::quoted::unquote;

/// Splits `value; a=b; c="d"` into its leading value and its parameters.
///
/// Semicolons inside quoted strings do not split. The leading value and the
/// parameter names are trimmed; see [`RawParams`].
pub fn split_params(s: &str) -> (&str, RawParams<'_>) {
    let end = find_unquoted(s, b';');
    let head = s[..end].trim_matches([' ', '\t']);
    let rest = s.get(end + 1..).unwrap_or("");
    (head, RawParams { rest })
}

/// The `;`-separated parameters after a value, as `(name, value)` pairs with
/// quoted values unquoted. A parameter without `=` has no value; empty
/// segments (`a=1;;b=2`) are skipped. No decoding of RFC 8187 `name*`
/// values happens here: see [`Parameters`] for that.
#[derive(Clone, Debug)]
pub struct RawParams<'a> {
    rest: &'a str,
}

impl<'a> Iterator for RawParams<'a> {
    type Item = (&'a str, Option<Cow<'a, str>>);

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if self.rest.is_empty() {
                return None;
            }
            let end = find_unquoted(self.rest, b';');
            let segment = self.rest[..end].trim_matches([' ', '\t']);
            self.rest = self.rest.get(end + 1..).unwrap_or("");
            if segment.is_empty() {
                continue;
            }
            return Some(match segment.split_once('=') {
                Some((name, value)) => (
                    name.trim_end_matches([' ', '\t']),
                    Some(unquote(value.trim_start_matches([' ', '\t']))),
                ),
                None => (segment, None),
            });
        }
    }
}

/// Decoded parameters, with RFC 8187 extended values (`title*=UTF-8''%E2%82%AC`)
/// and RFC 2231 continuations (`title*0*=...; title*1=...`) resolved.
///
/// Names are compared case-insensitively and stored lowercase. When a
/// parameter is given both plainly and extended, the extended value wins
/// (RFC 6266 §4.3). Extended values in a charset other than UTF-8,
/// ISO-8859-1 or US-ASCII are ignored, so the plain value remains usable.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Parameters {
    items: Vec<(String, String)>,
}

/// One RFC 2231 continuation section before assembly.
struct Section<'a> {
    name: String,
    index: u32,
    encoded: bool,
    value: Cow<'a, str>,
}

impl Parameters {
    /// Decodes raw parameters, e.g. the second half of [`split_params`].
    pub fn parse<'a>(raw: impl Iterator<Item = (&'a str, Option<Cow<'a, str>>)>) -> Self {
        let mut plain: Vec<(String, String)> = Vec::new();
        let mut extended: Vec<(String, String)> = Vec::new();
        let mut sections: Vec<Section<'a>> = Vec::new();

        for (name, value) in raw {
            let value = value.unwrap_or(Cow::Borrowed(""));
            let name = name.to_ascii_lowercase();
            match name.split_once('*') {
                None => plain.push((name, value.into_owned())),
                Some((base, "")) => {
                    if let Some(decoded) = decode_ext_value(&value) {
                        extended.push((base.to_string(), decoded));
                    }
                }
                Some((base, suffix)) => {
                    let (digits, encoded) = match suffix.strip_suffix('*') {
                        Some(d) => (d, true),
                        None => (suffix, false),
                    };
                    // RFC 2231: section numbers have no leading zeros.
                    let valid = !digits.is_empty()
                        && digits.bytes().all(|b| b.is_ascii_digit())
                        && (digits == "0" || !digits.starts_with('0'));
                    if let (true, Ok(index)) = (valid, digits.parse::<u32>()) {
                        sections.push(Section {
                            name: base.to_string(),
                            index,
                            encoded,
                            value,
                        });
                    }
                }
            }
        }

        extended.extend(assemble_continuations(sections));
        // First occurrence wins, extended over plain; a set keeps this linear
        // for hostile inputs with thousands of parameters.
        let mut seen: HashSet<String> = extended.iter().map(|(n, _)| n.clone()).collect();
        let mut items: Vec<(String, String)> = Vec::with_capacity(plain.len() + extended.len());
        for (name, value) in plain {
            if seen.insert(name.clone()) {
                items.push((name, value));
            }
        }
        let mut taken = HashSet::new();
        for (name, value) in extended {
            if taken.insert(name.clone()) {
                items.push((name, value));
            }
        }
        Parameters { items }
    }

    /// Parses the parameter part of a header value (everything after the
    /// first `;`, or a string starting with `;`).
    pub fn parse_str(s: &str) -> Self {
        let rest = match s.trim_start().strip_prefix(';') {
            Some(rest) => rest,
            None => s,
        };
        Self::parse(RawParams { rest })
    }

    /// The value of `name` (case-insensitive).
    pub fn get(&self, name: &str) -> Option<&str> {
        self.items
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// All parameters, lowercase name and value: the plain ones in order of
    /// first appearance, then those given only in extended (`name*`) form.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.items.iter().map(|(n, v)| (n.as_str(), v.as_str()))
    }

    /// The number of distinct parameters.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }
}

/// Joins `name*0`, `name*1`, ... in order. Assembly stops at the first missing
/// section number, as RFC 2231 §3 requires sections to be consecutive. The
/// charset comes from section 0 when it is encoded.
fn assemble_continuations(mut sections: Vec<Section<'_>>) -> Vec<(String, String)> {
    sections.sort_by(|a, b| a.name.cmp(&b.name).then(a.index.cmp(&b.index)));
    let mut out = Vec::new();
    let mut i = 0;
    while i < sections.len() {
        let name = sections[i].name.clone();
        let mut j = i;
        while j < sections.len() && sections[j].name == name {
            j += 1;
        }
        if let Some(value) = join_sections(&sections[i..j]) {
            out.push((name, value));
        }
        i = j;
    }
    out
}

fn join_sections(sections: &[Section<'_>]) -> Option<String> {
    let first = sections.first().filter(|s| s.index == 0)?;
    let mut bytes = Vec::new();
    let charset = if first.encoded {
        let mut parts = first.value.splitn(3, '\'');
        let charset = Charset::from_label(parts.next()?)?;
        let _language = parts.next()?;
        percent_decode_bytes(parts.next()?, &mut bytes);
        charset
    } else {
        bytes.extend_from_slice(first.value.as_bytes());
        Charset::Utf8
    };
    for (expected, section) in (1u32..).zip(&sections[1..]) {
        if section.index != expected {
            break;
        }
        if section.encoded {
            percent_decode_bytes(&section.value, &mut bytes);
        } else {
            bytes.extend_from_slice(section.value.as_bytes());
        }
    }
    Some(charset.decode(&bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(s: &str) -> Vec<(String, String)> {
        Parameters::parse_str(s)
            .iter()
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect()
    }

    fn p(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn split_params_table() {
        let (head, rest) = split_params("text/html; charset=\"utf-8\"; q=0.5");
        assert_eq!(head, "text/html");
        let rest: Vec<_> = rest.collect();
        assert_eq!(
            rest,
            vec![
                ("charset", Some(Cow::Borrowed("utf-8"))),
                ("q", Some(Cow::Borrowed("0.5")))
            ]
        );
        let (head, rest) = split_params("attachment;;flag; name = \"a;b\"");
        assert_eq!(head, "attachment");
        let rest: Vec<_> = rest.collect();
        assert_eq!(
            rest,
            vec![("flag", None), ("name", Some(Cow::Borrowed("a;b")))]
        );
        let (head, rest) = split_params("");
        assert_eq!(head, "");
        assert_eq!(rest.count(), 0);
    }

    #[test]
    fn parameters_table() {
        let cases: &[(&str, &[(&str, &str)])] = &[
            ("; a=1; B=2", &[("a", "1"), ("b", "2")]),
            ("a=1; a=2", &[("a", "1")]),
            // RFC 8187 §3.2.2 examples.
            (
                "title*=iso-8859-1'en'%A3%20rates",
                &[("title", "\u{a3} rates")],
            ),
            (
                "title*=UTF-8''%c2%a3%20and%20%e2%82%ac%20rates",
                &[("title", "\u{a3} and \u{20ac} rates")],
            ),
            // RFC 6266: filename* wins over filename whatever the order.
            (
                "filename=\"EURO rates\"; filename*=utf-8''%e2%82%ac%20rates",
                &[("filename", "\u{20ac} rates")],
            ),
            (
                "filename*=utf-8''%e2%82%ac%20rates; filename=\"EURO rates\"",
                &[("filename", "\u{20ac} rates")],
            ),
            // RFC 2231 §3 continuations, plain and encoded.
            (
                "URL*0=\"ftp://\"; URL*1=\"cs.utk.edu/pub/moore/bulk-mailer/bulk-mailer.tar\"",
                &[(
                    "url",
                    "ftp://cs.utk.edu/pub/moore/bulk-mailer/bulk-mailer.tar",
                )],
            ),
            (
                "title*0*=us-ascii'en'This%20is%20even%20more%20; title*1*=%2A%2A%2Afun%2A%2A%2A%20; title*2=\"isn't it!\"",
                &[("title", "This is even more ***fun*** isn't it!")],
            ),
            // Out of order sections are sorted.
            ("a*1=b; a*0=a", &[("a", "ab")]),
            // A gap stops assembly.
            ("a*0=x; a*2=z", &[("a", "x")]),
            // No section 0: nothing assembled, plain value kept.
            ("a=plain; a*1=z", &[("a", "plain")]),
            // Leading zeros are not section numbers.
            ("a*00=x", &[]),
            // Unknown charset: extended ignored, plain kept.
            ("name=plain; name*=koi8-r''%C1", &[("name", "plain")]),
            // Malformed extended value (no quotes) is ignored.
            ("name*=nonsense", &[]),
            // Latin-1 bytes.
            ("n*=ISO-8859-1''caf%E9", &[("n", "café")]),
            // Invalid UTF-8 is replaced, not rejected.
            ("n*=UTF-8''%FF", &[("n", "\u{fffd}")]),
            ("flag", &[("flag", "")]),
        ];
        for (input, want) in cases {
            assert_eq!(params(input), p(want), "{input}");
        }
    }

    #[test]
    fn get_is_case_insensitive() {
        let ps = Parameters::parse_str("; Charset=UTF-8");
        assert_eq!(ps.get("charset"), Some("UTF-8"));
        assert_eq!(ps.get("CHARSET"), Some("UTF-8"));
        assert_eq!(ps.get("missing"), None);
        assert_eq!(ps.len(), 1);
        assert!(!ps.is_empty());
    }

    #[test]
    fn many_parameters_are_linear() {
        let s: String = (0..50_000)
            .map(|i| format!("; p{i}=v; p{i}*=UTF-8''w"))
            .collect();
        let ps = Parameters::parse_str(&s);
        assert_eq!(ps.len(), 50_000);
        assert_eq!(ps.get("p49999"), Some("w"));
    }

    #[test]
    fn huge_section_numbers_do_not_allocate() {
        let ps = Parameters::parse_str("a*0=x; a*4294967295=y; a*99999999999999=z");
        assert_eq!(ps.get("a"), Some("x"));
    }
}
