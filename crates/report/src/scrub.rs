//! [`Scrubber`]: removes secrets from a report before anything renders it.
//!
//! Three rules, applied to a copy of the report:
//!
//! - **Headers** on a denylist (`authorization`, `cookie`, `set-cookie`,
//!   `x-api-key`, ...) or whose name matches the name pattern lose their
//!   whole value.
//! - **Names**: a query, form or JSON key, a span or event field, or an
//!   `extra` entry whose name contains (case-insensitively) one of `pass`,
//!   `secret`, `token`, `key`, `auth`, `session`, `csrf`, `signature`,
//!   `credential`, `private`, `dsn` or `jwt` loses its value; the same goes
//!   for `name=value`, `"name": value` and `name: "value"` inside any text.
//! - **Values**: every string (message, causes, fields, URIs, header values,
//!   body preview, extra) loses URL userinfo (`postgres://[REDACTED]@db/x`),
//!   `Bearer`/`Basic` credentials, JSON Web Tokens and PEM private keys.
//!
//! Every finder is a single forward scan written by hand: scrubbing is linear
//! in the size of the report and never panics, whatever the input.

use std::fmt;
use std::sync::Arc;

use bytes::Bytes;

use crate::report::{ErrorReport, EventRecord, RequestSnapshot, ResponseSnapshot, SpanRecord};

/// What a secret is replaced with.
/// What a scrubbed value is replaced with.
pub const REDACTED: &str = "[REDACTED]";

const DEFAULT_HEADERS: &[&str] = &[
    "authorization",
    "proxy-authorization",
    "cookie",
    "set-cookie",
    "x-api-key",
    "x-auth-token",
    "x-csrf-token",
    "x-xsrf-token",
    "x-amz-security-token",
    "x-goog-api-key",
];

const DEFAULT_NAME_WORDS: &[&str] = &[
    "pass",
    "secret",
    "token",
    "key",
    "auth",
    "session",
    "csrf",
    "signature",
    "credential",
    "private",
    "dsn",
    "jwt",
];

type Hook = Arc<dyn Fn(&mut ErrorReport) + Send + Sync>;

/// Removes secrets from an [`ErrorReport`]; every renderer calls it first.
///
/// `Scrubber::default()` (the same as [`Scrubber::new`]) has the default
/// header denylist (`authorization`, `proxy-authorization`, `cookie`,
/// `set-cookie`, `x-api-key`, `x-auth-token`, `x-csrf-token`,
/// `x-xsrf-token`, `x-amz-security-token`, `x-goog-api-key`), the default
/// name words (`pass|secret|token|key|auth|session|csrf|signature|credential|private|dsn|jwt`)
/// and all value patterns; the builder methods only add to them.
///
/// ```
/// use tackle_report::Scrubber;
///
/// let scrubber = Scrubber::new().header("x-tenant-secret").name_pattern("pin");
/// assert_eq!(
///     scrubber.scrub_text("connect postgres://app:hunter2@db/main?pin=1234"),
///     "connect postgres://[REDACTED]@db/main?pin=[REDACTED]",
/// );
/// ```
#[derive(Clone)]
pub struct Scrubber {
    headers: Vec<String>,
    words: Vec<String>,
    hook: Option<Hook>,
}

impl Default for Scrubber {
    fn default() -> Self {
        Scrubber {
            headers: DEFAULT_HEADERS.iter().map(|h| (*h).to_owned()).collect(),
            words: DEFAULT_NAME_WORDS.iter().map(|w| (*w).to_owned()).collect(),
            hook: None,
        }
    }
}

impl fmt::Debug for Scrubber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Scrubber")
            .field("headers", &self.headers)
            .field("name_words", &self.words)
            .field("hook", &self.hook.as_ref().map(|_| "Fn(&mut ErrorReport)"))
            .finish()
    }
}

impl Scrubber {
    /// The default scrubber (see the type's documentation).
    pub fn new() -> Self {
        Scrubber::default()
    }

    /// Also redacts the whole value of header `name` (case-insensitive).
    pub fn header(mut self, name: impl AsRef<str>) -> Self {
        let name = name.as_ref().trim().to_ascii_lowercase();
        if !name.is_empty() && !self.headers.contains(&name) {
            self.headers.push(name);
        }
        self
    }

    /// Also treats a name containing `word` (case-insensitive) as secret.
    pub fn name_pattern(mut self, word: impl AsRef<str>) -> Self {
        let word = word.as_ref().trim().to_lowercase();
        if !word.is_empty() && !self.words.contains(&word) {
            self.words.push(word);
        }
        self
    }

    /// A function that gets the scrubbed copy last, to remove what only the
    /// application knows is secret. Replaces an earlier hook.
    ///
    /// The hook still sees [`ErrorReport::error`] (to downcast it); the
    /// scrubbed copy drops it afterwards, since its `Display` was never
    /// scrubbed.
    pub fn hook<F>(mut self, hook: F) -> Self
    where
        F: Fn(&mut ErrorReport) + Send + Sync + 'static,
    {
        self.hook = Some(Arc::new(hook));
        self
    }

    /// Whether the value of header `name` is hidden entirely: the denylist,
    /// or a name matching the name pattern (`x-session-id`).
    pub fn is_secret_header(&self, name: &str) -> bool {
        let name = name.trim();
        self.headers.iter().any(|h| h.eq_ignore_ascii_case(name)) || self.is_secret_name(name)
    }

    /// Whether `name` (a query, form or JSON key, a field, an `extra` name)
    /// contains one of the name words, case-insensitively.
    pub fn is_secret_name(&self, name: &str) -> bool {
        if name.is_empty() {
            return false;
        }
        let lower = name.to_lowercase();
        if self.words.iter().any(|w| lower.contains(w.as_str())) {
            return true;
        }
        // `pass%77ord`, `api+key`: match the decoded form too.
        if lower.contains(['%', '+']) {
            let decoded = percent_decode_lossy(&lower).to_lowercase();
            return self.words.iter().any(|w| decoded.contains(w.as_str()));
        }
        false
    }

    /// A scrubbed copy of `report`: what renderers, mailers and pages show.
    pub fn scrub(&self, report: &ErrorReport) -> ErrorReport {
        let mut out = report.clone();
        out.message = self.scrub_text(&report.message);
        out.causes = report.causes.iter().map(|c| self.scrub_text(c)).collect();
        out.spans = report.spans.iter().map(|s| self.scrub_span(s)).collect();
        out.events = report.events.iter().map(|e| self.scrub_event(e)).collect();
        out.request = report.request.as_ref().map(|r| self.scrub_request(r));
        out.response = report.response.as_ref().map(|r| self.scrub_response(r));
        out.extra = self.scrub_fields(&report.extra);
        if let Some(hook) = &self.hook {
            hook(&mut out);
        }
        out.error = None;
        out
    }

    /// `text` without the secrets the value patterns and the name pattern
    /// find (URL userinfo, `Bearer`/`Basic` credentials, JWTs, PEM private
    /// keys, `secret_name=value` and `"secret_name": value`).
    pub fn scrub_text(&self, text: &str) -> String {
        let text = redact_pem(text);
        let text = redact_userinfo(&text);
        let text = redact_auth_schemes(&text);
        let text = redact_jwts(&text);
        self.redact_named_values(&text)
    }

    /// A URI with the values of secret-named query parameters and its
    /// userinfo redacted, then scrubbed as text.
    pub fn scrub_uri(&self, uri: &str) -> String {
        let (before_fragment, fragment) = match uri.find('#') {
            Some(at) => uri.split_at(at),
            None => (uri, ""),
        };
        let scrubbed = match before_fragment.find('?') {
            Some(at) => {
                let (path, query) = before_fragment.split_at(at);
                let mut out = String::with_capacity(uri.len());
                out.push_str(path);
                out.push('?');
                out.push_str(&self.scrub_form(&query[1..]));
                out.push_str(fragment);
                out
            }
            None => uri.to_owned(),
        };
        self.scrub_text(&scrubbed)
    }

    /// A body preview, scrubbed by its content type: JSON keys (parsed with
    /// serde_json), urlencoded form fields, or else as text.
    pub fn scrub_body(&self, body: &[u8], content_type: Option<&str>) -> String {
        let text = String::from_utf8_lossy(body);
        let content_type = content_type.unwrap_or("").to_ascii_lowercase();
        if content_type.contains("x-www-form-urlencoded") {
            return self.scrub_text(&self.scrub_form(&text));
        }
        let trimmed = text.trim_start();
        if trimmed.starts_with('{') || trimmed.starts_with('[') || content_type.contains("json") {
            if let Ok(mut value) = serde_json::from_str::<serde_json::Value>(&text) {
                self.scrub_json(&mut value);
                return serde_json::to_string(&value).unwrap_or_else(|_| REDACTED.to_owned());
            }
        }
        self.scrub_text(&text)
    }

    /// Redacts, in place, the values of secret-named keys and the secrets in
    /// every string of a JSON value.
    pub fn scrub_json(&self, value: &mut serde_json::Value) {
        use serde_json::Value;
        // An explicit stack: a deeply nested body must not overflow ours.
        let mut stack = vec![value];
        while let Some(value) = stack.pop() {
            match value {
                Value::String(s) => *s = self.scrub_text(s),
                Value::Array(items) => stack.extend(items.iter_mut()),
                Value::Object(map) => {
                    for (key, item) in map.iter_mut() {
                        if self.is_secret_name(key) {
                            *item = Value::String(REDACTED.to_owned());
                        } else {
                            stack.push(item);
                        }
                    }
                }
                Value::Null | Value::Bool(_) | Value::Number(_) => {}
            }
        }
    }

    fn scrub_form(&self, form: &str) -> String {
        let mut out = String::with_capacity(form.len());
        for (i, pair) in form.split('&').enumerate() {
            if i > 0 {
                out.push('&');
            }
            match pair.split_once('=') {
                Some((name, value)) if !value.is_empty() && self.is_secret_name(name) => {
                    out.push_str(name);
                    out.push('=');
                    out.push_str(REDACTED);
                }
                _ => out.push_str(pair),
            }
        }
        out
    }

    fn scrub_fields(&self, fields: &[(String, String)]) -> Vec<(String, String)> {
        fields
            .iter()
            .map(|(name, value)| {
                let value = if self.is_secret_name(name) {
                    REDACTED.to_owned()
                } else {
                    self.scrub_text(value)
                };
                (name.clone(), value)
            })
            .collect()
    }

    fn scrub_headers(&self, headers: &[(String, String)]) -> Vec<(String, String)> {
        headers
            .iter()
            .map(|(name, value)| {
                let value = if self.is_secret_header(name) {
                    REDACTED.to_owned()
                } else if name.eq_ignore_ascii_case("referer")
                    || name.eq_ignore_ascii_case("location")
                {
                    self.scrub_uri(value)
                } else {
                    self.scrub_text(value)
                };
                (name.clone(), value)
            })
            .collect()
    }

    fn scrub_span(&self, span: &SpanRecord) -> SpanRecord {
        SpanRecord {
            name: span.name.clone(),
            target: span.target.clone(),
            fields: self.scrub_fields(&span.fields),
        }
    }

    fn scrub_event(&self, event: &EventRecord) -> EventRecord {
        EventRecord {
            time: event.time,
            level: event.level.clone(),
            target: event.target.clone(),
            message: self.scrub_text(&event.message),
            fields: self.scrub_fields(&event.fields),
        }
    }

    fn scrub_request(&self, request: &RequestSnapshot) -> RequestSnapshot {
        let content_type = request
            .headers
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case("content-type"))
            .map(|(_, value)| value.as_str());
        RequestSnapshot {
            method: self.scrub_text(&request.method),
            uri: self.scrub_uri(&request.uri),
            version: request.version.clone(),
            headers: self.scrub_headers(&request.headers),
            route: request.route.as_ref().map(|r| self.scrub_text(r)),
            peer: request.peer,
            body_preview: request
                .body_preview
                .as_ref()
                .map(|body| Bytes::from(self.scrub_body(body, content_type))),
        }
    }

    fn scrub_response(&self, response: &ResponseSnapshot) -> ResponseSnapshot {
        ResponseSnapshot {
            status: response.status,
            headers: self.scrub_headers(&response.headers),
        }
    }

    /// `name=value`, `"name": value`, `name: "value"`, `name: Some("value")`
    /// with a secret name: the value goes. A bare `name: value` is left
    /// alone, since prose ("invalid key: expected 32 bytes") reads that way.
    fn redact_named_values(&self, text: &str) -> String {
        let bytes = text.as_bytes();
        let mut out = String::with_capacity(text.len());
        let mut copied = 0;
        let mut i = 0;
        while i < bytes.len() {
            if !is_name_byte(bytes[i]) || (i > 0 && is_name_byte(bytes[i - 1])) {
                i += 1;
                continue;
            }
            let start = i;
            let mut end = i;
            while end < bytes.len() && is_name_byte(bytes[end]) {
                end += 1;
            }
            i = end;
            // The name may be quoted: "name", 'name', \"name\".
            let mut j = end;
            let mut key_quoted = false;
            if let Some(open) = quote_before(bytes, start) {
                if bytes[end..].starts_with(open) {
                    j += open.len();
                    key_quoted = true;
                }
            }
            j = skip_blanks(bytes, j);
            let Some(&separator) = bytes.get(j) else {
                break;
            };
            if separator != b'=' && separator != b':' {
                continue;
            }
            // `a::b`, `a == b`, `a := b`: not assignments of a value.
            if matches!(bytes.get(j + 1), Some(b':' | b'=')) {
                continue;
            }
            // Decided before the value is scanned: scanning the value of
            // every name would make `a="a="a="…` quadratic.
            if !self.is_secret_name(&text[start..end]) {
                continue;
            }
            let mut v = skip_blanks(bytes, j + 1);
            if separator == b':' && bytes[v..].starts_with(b"Some(") {
                v += 5;
            }
            let (value_start, value_end) = if let Some(quote) = quote_at(bytes, v) {
                let value_start = v + quote.len();
                (value_start, find_closing_quote(bytes, value_start, quote))
            } else if separator == b'=' || key_quoted {
                if matches!(bytes.get(v), Some(b'{' | b'[')) {
                    // A nested object: its own keys decide.
                    continue;
                }
                let mut e = v;
                while e < bytes.len() && !is_value_delimiter(bytes[e]) {
                    e += 1;
                }
                (v, e)
            } else {
                continue;
            };
            if value_end <= value_start {
                continue;
            }
            if &text[value_start..value_end] != REDACTED {
                out.push_str(&text[copied..value_start]);
                out.push_str(REDACTED);
                copied = value_end;
            }
            i = value_end;
        }
        out.push_str(&text[copied..]);
        out
    }
}

fn is_name_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.' | b'[' | b']' | b'%' | b'$')
}

fn is_value_delimiter(b: u8) -> bool {
    b.is_ascii_whitespace()
        || matches!(
            b,
            b'&' | b'"' | b'\'' | b',' | b';' | b')' | b']' | b'}' | b'>' | b'#' | b'\\'
        )
}

fn skip_blanks(bytes: &[u8], mut i: usize) -> usize {
    while i < bytes.len() && (bytes[i] == b' ' || bytes[i] == b'\t') {
        i += 1;
    }
    i
}

const QUOTES: [&[u8]; 3] = [b"\\\"", b"\"", b"'"];

fn quote_before(bytes: &[u8], at: usize) -> Option<&'static [u8]> {
    QUOTES.into_iter().find(|q| bytes[..at].ends_with(q))
}

fn quote_at(bytes: &[u8], at: usize) -> Option<&'static [u8]> {
    QUOTES
        .into_iter()
        .find(|q| bytes[at.min(bytes.len())..].starts_with(q))
}

/// The index of the closing `quote` (or the end of the text: a truncated
/// value is still a secret), skipping backslash escapes.
fn find_closing_quote(bytes: &[u8], from: usize, quote: &[u8]) -> usize {
    let mut i = from;
    while i < bytes.len() {
        if bytes[i..].starts_with(quote) {
            return i;
        }
        if bytes[i] == b'\\' && quote != b"\\\"" {
            i += 2;
            continue;
        }
        i += 1;
    }
    bytes.len()
}

/// `-----BEGIN ... PRIVATE KEY-----` up to the matching `-----END ...-----`
/// (or the end of the text, for a truncated key).
fn redact_pem(text: &str) -> String {
    const BEGIN: &str = "-----BEGIN ";
    const END: &str = "-----END ";
    const DASHES: &str = "-----";
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    let mut search = 0;
    while let Some(found) = text[search..].find(BEGIN) {
        let begin = search + found;
        let label_start = begin + BEGIN.len();
        let Some(label_len) = text[label_start..].find(DASHES) else {
            break;
        };
        let label = &text[label_start..label_start + label_len];
        let after_label = label_start + label_len + DASHES.len();
        if label.len() > 64 || !label.contains("PRIVATE KEY") {
            search = label_start;
            continue;
        }
        let end = match text[after_label..].find(END) {
            Some(found) => {
                let end_label = after_label + found + END.len();
                match text[end_label..].find(DASHES) {
                    Some(len) if len <= 64 => end_label + len + DASHES.len(),
                    _ => text.len(),
                }
            }
            None => text.len(),
        };
        out.push_str(&text[copied..begin]);
        out.push_str(REDACTED);
        copied = end;
        search = end;
    }
    out.push_str(&text[copied..]);
    out
}

/// `scheme://user:password@host` → `scheme://[REDACTED]@host`.
fn redact_userinfo(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    let mut search = 0;
    while let Some(found) = text[search..].find("://") {
        let authority = search + found + 3;
        let mut end = authority;
        let mut last_at = None;
        while end < bytes.len() {
            match bytes[end] {
                b'/' | b'?' | b'#' | b'"' | b'\'' | b'<' | b'>' | b'`' | b'\\' => break,
                b if b.is_ascii_whitespace() => break,
                b'@' => last_at = Some(end),
                _ => {}
            }
            end += 1;
        }
        if let Some(at) = last_at {
            if &text[authority..at] != REDACTED {
                out.push_str(&text[copied..authority]);
                out.push_str(REDACTED);
                copied = at;
            }
        }
        search = end;
    }
    out.push_str(&text[copied..]);
    out
}

fn is_token68_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'+' | b'/' | b'=')
}

/// `Bearer <token>` and `Basic <base64>` (any case) → `Bearer [REDACTED]`.
fn redact_auth_schemes(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    let mut i = 0;
    while i < bytes.len() {
        let at_word_start = i == 0 || !bytes[i - 1].is_ascii_alphanumeric();
        let scheme_len = if !at_word_start {
            0
        } else if starts_with_ignore_case(&bytes[i..], b"bearer") {
            6
        } else if starts_with_ignore_case(&bytes[i..], b"basic") {
            5
        } else {
            0
        };
        if scheme_len == 0 {
            i += 1;
            continue;
        }
        let after = i + scheme_len;
        let token_start = skip_blanks(bytes, after);
        if token_start == after {
            i = after;
            continue;
        }
        let mut token_end = token_start;
        while token_end < bytes.len() && is_token68_byte(bytes[token_end]) {
            token_end += 1;
        }
        if token_end > token_start {
            out.push_str(&text[copied..token_start]);
            out.push_str(REDACTED);
            copied = token_end;
        }
        i = token_end.max(after);
    }
    out.push_str(&text[copied..]);
    out
}

fn starts_with_ignore_case(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.len() >= needle.len() && haystack[..needle.len()].eq_ignore_ascii_case(needle)
}

fn is_base64url_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'-' || b == b'_'
}

/// `eyJ...` `.` `...` `.` `...`: a JSON Web Token (a JOSE header always
/// starts with `{"`, which is `eyJ` in base64url).
fn redact_jwts(text: &str) -> String {
    let bytes = text.as_bytes();
    let run = |from: usize| {
        let mut end = from;
        while end < bytes.len() && is_base64url_byte(bytes[end]) {
            end += 1;
        }
        end
    };
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    let mut i = 0;
    while i < bytes.len() {
        let boundary = i == 0 || !(is_base64url_byte(bytes[i - 1]) || bytes[i - 1] == b'.');
        if !boundary || !bytes[i..].starts_with(b"eyJ") {
            i += 1;
            continue;
        }
        let header_end = run(i);
        if bytes.get(header_end) != Some(&b'.') {
            i = header_end;
            continue;
        }
        let payload_end = run(header_end + 1);
        if payload_end == header_end + 1 || bytes.get(payload_end) != Some(&b'.') {
            i = payload_end;
            continue;
        }
        let signature_end = run(payload_end + 1);
        out.push_str(&text[copied..i]);
        out.push_str(REDACTED);
        copied = signature_end;
        i = signature_end;
    }
    out.push_str(&text[copied..]);
    out
}

fn percent_decode_lossy(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                let hex = |b: u8| (b as char).to_digit(16);
                match (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                    (Some(h), Some(l)) => {
                        out.push((h * 16 + l) as u8);
                        i += 3;
                        continue;
                    }
                    _ => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(text: &str) -> String {
        Scrubber::new().scrub_text(text)
    }

    #[test]
    fn userinfo() {
        let cases = [
            ("postgres://user:hunter2@db/x", "postgres://[REDACTED]@db/x"),
            (
                "see redis://:pw@127.0.0.1:6379 now",
                "see redis://[REDACTED]@127.0.0.1:6379 now",
            ),
            ("ssh://git@host", "ssh://[REDACTED]@host"),
            ("https://a:p@ss@host/p?q", "https://[REDACTED]@host/p?q"),
            ("https://example.com/a@b", "https://example.com/a@b"),
            ("no url here", "no url here"),
            ("://@", "://[REDACTED]@"),
        ];
        for (input, expected) in cases {
            assert_eq!(s(input), expected, "{input}");
        }
    }

    #[test]
    fn auth_schemes() {
        let cases = [
            ("Bearer abc.def", "Bearer [REDACTED]"),
            (
                "authorization: bearer   x-y_z~+/=",
                "authorization: bearer   [REDACTED]",
            ),
            ("Basic dXNlcjpwYXNz trailing", "Basic [REDACTED] trailing"),
            ("BEARER", "BEARER"),
            ("unbearer abc", "unbearer abc"),
            ("Bearer [REDACTED]", "Bearer [REDACTED]"),
        ];
        for (input, expected) in cases {
            assert_eq!(s(input), expected, "{input}");
        }
    }

    #[test]
    fn jwts() {
        let jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U";
        assert_eq!(s(&format!("jwt {jwt}!")), "jwt [REDACTED]!");
        assert_eq!(s(jwt), REDACTED);
        // Unsigned (alg none) tokens have an empty third part.
        assert_eq!(s("x eyJhbGciOiJub25lIn0.eyJhIjoxfQ. y"), "x [REDACTED] y");
        assert_eq!(s("eyJ not a token"), "eyJ not a token");
        assert_eq!(s("xeyJa.b.c"), "xeyJa.b.c");
    }

    #[test]
    fn pem_private_keys() {
        let key = "-----BEGIN RSA PRIVATE KEY-----\nMIIEow\nAAAA\n-----END RSA PRIVATE KEY-----";
        assert_eq!(s(&format!("loaded {key} ok")), "loaded [REDACTED] ok");
        assert_eq!(s("-----BEGIN PRIVATE KEY-----\nMIIE trunc"), REDACTED);
        let cert = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----";
        assert_eq!(s(cert), cert);
        let escaped =
            "\"-----BEGIN OPENSSH PRIVATE KEY-----\\nb3Bl\\n-----END OPENSSH PRIVATE KEY-----\\n\"";
        assert_eq!(s(escaped), "\"[REDACTED]\\n\"");
    }

    #[test]
    fn named_values() {
        let cases = [
            ("GET /x?token=abc&page=2", "GET /x?token=[REDACTED]&page=2"),
            ("password=hunter2 user=bob", "password=[REDACTED] user=bob"),
            (
                r#"{"password": "hunter2", "user": "bob"}"#,
                r#"{"password": "[REDACTED]", "user": "bob"}"#,
            ),
            (
                r#"{"api_key": 1234, "n": 5}"#,
                r#"{"api_key": [REDACTED], "n": 5}"#,
            ),
            (
                r#"Login { user: "bob", password: "hun\"ter2" }"#,
                r#"Login { user: "bob", password: "[REDACTED]" }"#,
            ),
            (
                r#"Config { dsn: Some("x") }"#,
                r#"Config { dsn: Some("[REDACTED]") }"#,
            ),
            (
                r#""{\"secret\": \"s3\"}""#,
                r#""{\"secret\": \"[REDACTED]\"}""#,
            ),
            (
                "invalid key: expected 32 bytes",
                "invalid key: expected 32 bytes",
            ),
            ("tackle_session::store::get", "tackle_session::store::get"),
            ("if key == 3", "if key == 3"),
            ("{\"token\": \"trunc", "{\"token\": \"[REDACTED]"),
            ("token=", "token="),
            ("auth={\"user\":1}", "auth={\"user\":1}"),
            ("pass%77ord=x", "pass%77ord=[REDACTED]"),
        ];
        for (input, expected) in cases {
            assert_eq!(s(input), expected, "{input}");
        }
    }

    #[test]
    fn idempotent() {
        let inputs = [
            "postgres://u:p@db?token=x Bearer abc password: \"x\"",
            "-----BEGIN EC PRIVATE KEY-----\nabc\n-----END EC PRIVATE KEY-----",
        ];
        for input in inputs {
            let once = s(input);
            assert_eq!(s(&once), once);
        }
    }

    #[test]
    fn names_and_headers() {
        let scrubber = Scrubber::new().header("X-Tenant").name_pattern("PIN");
        for name in [
            "Password",
            "api_key",
            "SESSION_ID",
            "x-csrf",
            "userPin",
            "jwt",
        ] {
            assert!(scrubber.is_secret_name(name), "{name}");
        }
        for name in ["user", "page", "method", ""] {
            assert!(!scrubber.is_secret_name(name), "{name}");
        }
        for name in [
            "Authorization",
            "cookie",
            "SET-COOKIE",
            "x-tenant",
            "x-session-id",
        ] {
            assert!(scrubber.is_secret_header(name), "{name}");
        }
        for name in ["host", "content-type", "accept", "user-agent"] {
            assert!(!scrubber.is_secret_header(name), "{name}");
        }
    }

    #[test]
    fn uris_and_bodies() {
        let scrubber = Scrubber::new();
        assert_eq!(
            scrubber.scrub_uri("https://u:p@h/a?x=1&access_token=a,b&y#frag"),
            "https://[REDACTED]@h/a?x=1&access_token=[REDACTED]&y#frag"
        );
        let json = scrubber.scrub_body(
            br#"{"user":"bob","creds":{"password":"hunter2"},"list":[{"token":1}]}"#,
            None,
        );
        assert_eq!(
            serde_json::from_str::<serde_json::Value>(&json).unwrap(),
            serde_json::json!({"user": "bob", "creds": {"password": "[REDACTED]"}, "list": [{"token": "[REDACTED]"}]})
        );
        assert_eq!(
            scrubber.scrub_body(
                b"user=bob&password=a%20b&next=/",
                Some("application/x-www-form-urlencoded")
            ),
            "user=bob&password=[REDACTED]&next=/"
        );
        assert_eq!(
            scrubber.scrub_body(
                b"{\"password\": \"hunter2\", \"x\": [1, 2",
                Some("application/json")
            ),
            "{\"password\": \"[REDACTED]\", \"x\": [1, 2"
        );
        assert_eq!(scrubber.scrub_body(&[0xff, b'a'], None), "\u{fffd}a");
    }

    #[test]
    fn hostile_inputs_do_not_panic() {
        let scrubber = Scrubber::new();
        let inputs = [
            "",
            "=",
            ":",
            "\"",
            "'",
            "\\",
            "://",
            "-----BEGIN ",
            "-----BEGIN PRIVATE KEY-----",
            "eyJ.",
            "eyJa.",
            "eyJa.b",
            "Bearer",
            "Bearer ",
            "key=\"",
            "key:\"",
            "key: Some(",
            "é=é",
            "pässwort=ü",
            "token=é",
            "%",
            "%4",
            "a%zz=1",
        ];
        for input in inputs {
            let _ = scrubber.scrub_text(input);
            let _ = scrubber.scrub_uri(input);
            let _ = scrubber.scrub_body(input.as_bytes(), Some("application/json"));
            let _ = scrubber.is_secret_name(input);
        }
        let long = "key=".repeat(10_000) + &"a".repeat(10_000) + &"eyJ".repeat(5_000);
        assert!(!scrubber.scrub_text(&long).is_empty());
        // Inputs that would take hours if any finder went back over what it
        // had scanned (each is 300 kB).
        for unit in [
            "a=\"",
            "token=\"",
            "-----BEGIN ",
            "x://",
            "Bearer ",
            "eyJa.",
            "\"a\": '",
        ] {
            let hostile = unit.repeat(300_000 / unit.len());
            let _ = scrubber.scrub_text(&hostile);
            let _ = scrubber.scrub_uri(&hostile);
            let _ = scrubber.scrub_body(hostile.as_bytes(), None);
        }
    }
}
