//! The headers of one part of a `multipart/form-data` body (RFC 7578 §4).

use http::HeaderMap;
use http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use tackle_http::{ContentDisposition, TypedHeader};

use super::MultipartError;

/// What a part says about itself: its form field name, the filename of an
/// upload, its media type, and every header it sent.
#[derive(Clone, Debug, PartialEq)]
pub struct PartHeaders {
    name: String,
    filename: Option<String>,
    content_type: Option<String>,
    headers: HeaderMap,
}

impl PartHeaders {
    /// Reads the part's `Content-Disposition` (RFC 7578 §4.2): it must be
    /// `form-data` with a `name`. `filename*` (RFC 8187, with RFC 2231
    /// continuations) wins over `filename`; an old Internet Explorer path
    /// (`C:\dir\a.txt`, `\\host\share\a.txt`) is cut to its last segment.
    pub(crate) fn from_headers(headers: HeaderMap) -> Result<Self, MultipartError> {
        let disposition = headers
            .get(CONTENT_DISPOSITION)
            .ok_or(MultipartError::invalid(
                "multipart part has no Content-Disposition header",
            ))?;
        // Browsers send raw UTF-8 in filenames, which `HeaderValue::to_str`
        // refuses; anything else is kept readable rather than refused.
        let text = String::from_utf8_lossy(disposition.as_bytes());
        let disposition = ContentDisposition::parse_value(&text).map_err(|_| {
            MultipartError::invalid("multipart part has an invalid Content-Disposition header")
        })?;
        if !disposition.is_form_data() {
            return Err(MultipartError::invalid(
                "multipart part's Content-Disposition is not form-data",
            ));
        }
        let name = disposition
            .name()
            .ok_or(MultipartError::invalid(
                "multipart part's Content-Disposition has no name",
            ))?
            .to_owned();
        let filename = disposition
            .filename()
            .map(|f| without_windows_path(f).to_owned());
        let content_type = headers
            .get(CONTENT_TYPE)
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned());
        Ok(PartHeaders {
            name,
            filename,
            content_type,
            headers,
        })
    }

    /// The form field this part belongs to (the `name` parameter).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The filename of an uploaded file, as the client named it (possibly
    /// empty when a file input was left blank). Never use it as a path
    /// without `tackle_http::secure_filename`.
    pub fn filename(&self) -> Option<&str> {
        self.filename.as_deref()
    }

    /// Whether this part is a file upload: it has a filename.
    pub fn is_file(&self) -> bool {
        self.filename.is_some()
    }

    /// The part's `Content-Type` as sent, or `None`; RFC 7578 §4.4 says to
    /// read a missing one as `text/plain` for fields.
    pub fn content_type(&self) -> Option<&str> {
        self.content_type.as_deref()
    }

    /// Every header of the part, in the order sent (names lowercase).
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }
}

/// Old Internet Explorer sends the full client path; keep the file name.
/// Only Windows drive and UNC paths are cut, as Werkzeug does: a `/` or `\`
/// elsewhere is left for a safe-filename helper to judge. A UNC path's `\\`
/// arrives as one `\` once the quoted string is read, so one is enough.
fn without_windows_path(filename: &str) -> &str {
    let bytes = filename.as_bytes();
    let drive =
        bytes.first().is_some_and(u8::is_ascii_alphabetic) && bytes.get(1..3) == Some(b":\\");
    if drive || filename.starts_with('\\') {
        filename.rsplit('\\').next().unwrap_or(filename)
    } else {
        filename
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;

    fn part(disposition: &[u8], content_type: Option<&str>) -> Result<PartHeaders, MultipartError> {
        let mut headers = HeaderMap::new();
        headers.insert(
            CONTENT_DISPOSITION,
            HeaderValue::from_bytes(disposition).unwrap(),
        );
        if let Some(ct) = content_type {
            headers.insert(CONTENT_TYPE, HeaderValue::from_str(ct).unwrap());
        }
        PartHeaders::from_headers(headers)
    }

    #[test]
    fn names_and_filenames() {
        let cases: &[(&str, &str, Option<&str>)] = &[
            (r#"form-data; name="text""#, "text", None),
            ("form-data; name=text", "text", None),
            ("FORM-DATA; NAME=text", "text", None),
            (r#"form-data; name="a;b""#, "a;b", None),
            (r#"form-data; name="q%22uote""#, "q\"uote", None),
            (
                r#"form-data; name="f"; filename="a.txt""#,
                "f",
                Some("a.txt"),
            ),
            (
                r#"form-data; filename="a.txt"; name="f""#,
                "f",
                Some("a.txt"),
            ),
            ("form-data; name=f; filename=a.txt", "f", Some("a.txt")),
            (r#"form-data; name="f"; filename="""#, "f", Some("")),
            (
                r#"form-data; name="f"; filename="C:\Users\x\file.txt""#,
                "f",
                Some("file.txt"),
            ),
            (
                r#"form-data; name="f"; filename="\\host\share\file.txt""#,
                "f",
                Some("file.txt"),
            ),
            (
                r#"form-data; name="f"; filename=\\host\share\file.txt"#,
                "f",
                Some("file.txt"),
            ),
            (
                r#"form-data; name="f"; filename="dir/file.txt""#,
                "f",
                Some("dir/file.txt"),
            ),
            (
                r#"form-data; name="f"; filename="plain\name.txt""#,
                "f",
                Some("plain\\name.txt"),
            ),
            (
                r#"form-data; name="f"; filename="euro.txt"; filename*=UTF-8''%E2%82%AC.txt"#,
                "f",
                Some("€.txt"),
            ),
            (
                r#"form-data; name="f"; filename*0*=UTF-8''%E2%82%AC; filename*1=".txt""#,
                "f",
                Some("€.txt"),
            ),
            (
                "form-data; name=\"f\"; filename=\"日本.txt\"",
                "f",
                Some("日本.txt"),
            ),
        ];
        for (disposition, name, filename) in cases {
            let p =
                part(disposition.as_bytes(), None).unwrap_or_else(|e| panic!("{disposition}: {e}"));
            assert_eq!(p.name(), *name, "{disposition}");
            assert_eq!(p.filename(), *filename, "{disposition}");
            assert_eq!(p.is_file(), filename.is_some(), "{disposition}");
            assert_eq!(p.content_type(), None, "{disposition}");
        }
    }

    #[test]
    fn refusals_name_the_problem() {
        let cases: &[(&str, &str)] = &[
            (
                "attachment; name=f",
                "multipart part's Content-Disposition is not form-data",
            ),
            (
                "inline",
                "multipart part's Content-Disposition is not form-data",
            ),
            (
                "form-data",
                "multipart part's Content-Disposition has no name",
            ),
            (
                "form-data; filename=a.txt",
                "multipart part's Content-Disposition has no name",
            ),
            (
                "; name=f",
                "multipart part has an invalid Content-Disposition header",
            ),
        ];
        for (disposition, message) in cases {
            let e = part(disposition.as_bytes(), None).unwrap_err();
            assert!(e.is_invalid(), "{disposition}");
            assert_eq!(e.to_string(), *message, "{disposition}");
        }
        let e = PartHeaders::from_headers(HeaderMap::new()).unwrap_err();
        assert_eq!(
            e.to_string(),
            "multipart part has no Content-Disposition header"
        );
    }

    #[test]
    fn content_type_is_kept_as_sent() {
        let p = part(
            b"form-data; name=f; filename=a",
            Some("text/plain; charset=utf-8"),
        )
        .unwrap();
        assert_eq!(p.content_type(), Some("text/plain; charset=utf-8"));
        assert_eq!(p.headers().len(), 2);
    }
}
