//! The boundary of a `multipart/form-data` body: read from the request's
//! `Content-Type` (RFC 7578 §4.1) and checked against RFC 2046 §5.1.1.

use tackle_http::ContentType;

use super::MultipartError;

/// The longest boundary RFC 2046 §5.1.1 allows.
pub const MAX_BOUNDARY_LEN: usize = 70;

/// The boundary of a `multipart/form-data` `Content-Type` value, quoted or
/// not: `multipart/form-data; boundary="--abc"` gives `--abc`.
///
/// Fails when the value does not parse, is another media type, has no
/// boundary, or the boundary breaks [`validate_boundary`].
pub fn boundary(content_type: &str) -> Result<String, MultipartError> {
    let content_type: ContentType = content_type
        .parse()
        .map_err(|_| MultipartError::boundary("Content-Type is not a valid media type"))?;
    if !content_type.is_multipart_form() {
        return Err(MultipartError::boundary(
            "Content-Type is not multipart/form-data",
        ));
    }
    let boundary = content_type.boundary().ok_or(MultipartError::boundary(
        "multipart/form-data Content-Type has no boundary",
    ))?;
    validate_boundary(boundary)?;
    Ok(boundary.to_owned())
}

/// Checks a boundary against RFC 2046 §5.1.1: 1 to 70 characters from
/// `A-Z a-z 0-9 '()+_,-./:=?` and space, not ending in a space.
pub fn validate_boundary(boundary: &str) -> Result<(), MultipartError> {
    let bchar = |b: u8| b.is_ascii_alphanumeric() || b"'()+_,-./:=? ".contains(&b);
    if boundary.is_empty() {
        Err(MultipartError::boundary("multipart boundary is empty"))
    } else if boundary.len() > MAX_BOUNDARY_LEN {
        Err(MultipartError::boundary(
            "multipart boundary is longer than 70 characters",
        ))
    } else if !boundary.bytes().all(bchar) || boundary.ends_with(' ') {
        Err(MultipartError::boundary(
            "multipart boundary holds a character RFC 2046 does not allow",
        ))
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn boundaries_from_content_types() {
        let seventy = "a".repeat(70);
        let seventy_ct = format!("multipart/form-data; boundary={seventy}");
        let cases: &[(&str, Option<&str>)] = &[
            ("multipart/form-data; boundary=abc", Some("abc")),
            (r#"multipart/form-data; boundary="--abc""#, Some("--abc")),
            (r#"Multipart/Form-Data; BOUNDARY="a b:c""#, Some("a b:c")),
            ("multipart/form-data; charset=utf-8; boundary=x", Some("x")),
            (
                r#"multipart/form-data; boundary="---------------------------7d91b03a20128""#,
                Some("---------------------------7d91b03a20128"),
            ),
            (
                "multipart/form-data; boundary=----WebKitFormBoundaryjdSFhcARk8fyGNy6",
                Some("----WebKitFormBoundaryjdSFhcARk8fyGNy6"),
            ),
            (&seventy_ct, Some(&seventy)),
            ("multipart/form-data", None),
            ("multipart/mixed; boundary=abc", None),
            ("text/plain; boundary=abc", None),
            (r#"multipart/form-data; boundary="""#, None),
            (r#"multipart/form-data; boundary="abc ""#, None),
            (r#"multipart/form-data; boundary="a\"b""#, None),
            (r#"multipart/form-data; boundary="a;b""#, None),
            ("multipart/form-data; boundary=a{b", None),
            ("not a type", None),
        ];
        for (ct, expected) in cases {
            let got = boundary(ct);
            assert_eq!(got.as_deref().ok(), *expected, "{ct}");
            if let Err(e) = got {
                assert!(e.is_boundary(), "{ct}");
            }
        }
        let seventy_one = format!("multipart/form-data; boundary={seventy}a");
        assert!(boundary(&seventy_one).unwrap_err().is_boundary());
    }

    #[test]
    fn validation_follows_rfc_2046() {
        let cases: &[(&str, bool)] = &[
            ("a", true),
            ("'()+_,-./:=?", true),
            ("a b", true),
            ("a ", false),
            ("", false),
            ("a\r", false),
            ("a\nb", false),
            ("ü", false),
            ("a\"", false),
        ];
        for (b, ok) in cases {
            assert_eq!(validate_boundary(b).is_ok(), *ok, "{b:?}");
        }
    }
}
