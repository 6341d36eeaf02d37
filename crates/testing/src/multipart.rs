//! Building `multipart/form-data` request bodies (RFC 7578), with names
//! and filenames escaped the way browsers do (the WHATWG form encoding:
//! `"` as `%22`, CR as `%0D`, LF as `%0A`).

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::path::Path;

use bytes::{BufMut, Bytes, BytesMut};

/// A `multipart/form-data` body under construction: text fields and files,
/// sent in the order they were added.
///
/// The boundary is 128 random bits from the standard library's per-process
/// hash keys (not cryptographic, but never guessed by a test body), and is
/// drawn again in the unlikely case that a part contains it.
///
/// ```
/// use tackle_testing::MultipartForm;
///
/// let form = MultipartForm::new()
///     .text("title", "Holiday")
///     .file("photo", "beach.jpg", "image/jpeg", &b"\xff\xd8"[..]);
/// assert!(form.content_type().starts_with("multipart/form-data; boundary="));
/// ```
#[derive(Clone, Debug)]
pub struct MultipartForm {
    boundary: String,
    parts: Vec<Part>,
}

#[derive(Clone, Debug)]
struct Part {
    name: String,
    filename: Option<String>,
    content_type: Option<String>,
    data: Bytes,
}

impl Default for MultipartForm {
    fn default() -> Self {
        MultipartForm::new()
    }
}

impl MultipartForm {
    /// An empty form with a fresh boundary.
    pub fn new() -> Self {
        MultipartForm {
            boundary: new_boundary(),
            parts: Vec::new(),
        }
    }

    /// Adds a text field.
    pub fn text(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.parts.push(Part {
            name: name.into(),
            filename: None,
            content_type: None,
            data: Bytes::from(value.into()),
        });
        self
    }

    /// Adds a file field: its filename, media type and content.
    pub fn file(
        mut self,
        name: impl Into<String>,
        filename: impl Into<String>,
        content_type: impl Into<String>,
        content: impl Into<Bytes>,
    ) -> Self {
        self.parts.push(Part {
            name: name.into(),
            filename: Some(filename.into()),
            content_type: Some(content_type.into()),
            data: content.into(),
        });
        self
    }

    /// Adds a file field read from disk now, named by the path's last
    /// component and sent as `application/octet-stream`.
    ///
    /// # Panics
    ///
    /// When the file cannot be read, naming the path.
    pub fn file_path(self, name: impl Into<String>, path: impl AsRef<Path>) -> Self {
        let path = path.as_ref();
        let content = std::fs::read(path)
            .unwrap_or_else(|err| panic!("tackle-testing: cannot read {}: {err}", path.display()));
        let filename = path
            .file_name()
            .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
        self.file(name, filename, "application/octet-stream", content)
    }

    /// The boundary separating the parts.
    pub fn boundary(&self) -> &str {
        &self.boundary
    }

    /// The request's `Content-Type`: `multipart/form-data; boundary=...`.
    pub fn content_type(&self) -> String {
        format!("multipart/form-data; boundary={}", self.boundary)
    }

    /// The encoded body, with its `Content-Type`.
    pub fn into_body(mut self) -> (String, Bytes) {
        while self
            .parts
            .iter()
            .any(|part| contains(&part.data, &self.boundary))
        {
            self.boundary = new_boundary();
        }
        let content_type = self.content_type();
        let size: usize = self.parts.iter().map(|p| p.data.len() + 160).sum();
        let mut body = BytesMut::with_capacity(size + self.boundary.len() + 8);
        for part in &self.parts {
            body.put_slice(b"--");
            body.put_slice(self.boundary.as_bytes());
            body.put_slice(b"\r\nContent-Disposition: form-data; name=\"");
            body.put_slice(escape(&part.name).as_bytes());
            body.put_slice(b"\"");
            if let Some(filename) = &part.filename {
                body.put_slice(b"; filename=\"");
                body.put_slice(escape(filename).as_bytes());
                body.put_slice(b"\"");
            }
            body.put_slice(b"\r\n");
            if let Some(content_type) = &part.content_type {
                body.put_slice(b"Content-Type: ");
                body.put_slice(content_type.as_bytes());
                body.put_slice(b"\r\n");
            }
            body.put_slice(b"\r\n");
            body.put_slice(&part.data);
            body.put_slice(b"\r\n");
        }
        body.put_slice(b"--");
        body.put_slice(self.boundary.as_bytes());
        body.put_slice(b"--\r\n");
        (content_type, body.freeze())
    }
}

fn new_boundary() -> String {
    let word = || RandomState::new().build_hasher().finish();
    format!("tackle-{:016x}{:016x}", word(), word())
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|window| window == needle.as_bytes())
}

/// The WHATWG escaping of a name or filename inside double quotes.
fn escape(value: &str) -> String {
    value
        .replace('"', "%22")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn boundaries_differ() {
        assert_ne!(
            MultipartForm::new().boundary(),
            MultipartForm::new().boundary()
        );
    }

    #[test]
    fn escapes_names() {
        let cases: &[(&str, &str)] = &[
            ("plain", "plain"),
            ("a\"b", "a%22b"),
            ("line\r\nbreak", "line%0D%0Abreak"),
        ];
        for &(input, expected) in cases {
            assert_eq!(escape(input), expected, "{input}");
        }
    }

    #[test]
    fn redraws_a_boundary_found_in_a_part() {
        let form = MultipartForm::new();
        let boundary = form.boundary().to_owned();
        let (content_type, body) = form.text("echo", boundary.clone()).into_body();
        assert!(!content_type.ends_with(&boundary));
        assert!(contains(&body, &boundary));
    }
}
