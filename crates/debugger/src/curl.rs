//! A captured request as a `curl` command, to reproduce it from a shell.

use http::header;
use tackle_report::Scrubber;

use crate::body::Completeness;
use crate::ring::Captured;

/// `captured` as a `curl` command line. Unless `reveal`, secret headers
/// (by the scrubber's list) are left out and the URI and body are
/// scrubbed; `Content-Length` is curl's to set.
pub(crate) fn command(captured: &Captured, scrubber: &Scrubber, reveal: bool) -> String {
    let host = captured
        .headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .or_else(|| captured.uri.authority().map(|a| a.as_str()))
        .unwrap_or("localhost");
    let target = captured.uri.path_and_query().map_or("/", |pq| pq.as_str());
    let target = if reveal {
        target.to_owned()
    } else {
        scrubber.scrub_uri(target)
    };
    let mut out = String::from("curl");
    if captured.method != http::Method::GET {
        out.push_str(" -X ");
        out.push_str(&quote(captured.method.as_str()));
    }
    out.push(' ');
    out.push_str(&quote(&format!("http://{host}{target}")));
    let mut left_out = Vec::new();
    for (name, value) in &captured.headers {
        if name == header::HOST || name == header::CONTENT_LENGTH {
            continue;
        }
        if !reveal && scrubber.is_secret_header(name.as_str()) {
            left_out.push(name.as_str());
            continue;
        }
        let value = String::from_utf8_lossy(value.as_bytes());
        let value = if reveal {
            value.into_owned()
        } else {
            scrubber.scrub_text(&value)
        };
        out.push_str(" \\\n  -H ");
        out.push_str(&quote(&format!("{name}: {value}")));
    }
    if !captured.body.is_empty() {
        let content_type = captured
            .headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok());
        let body = if reveal {
            String::from_utf8_lossy(&captured.body).into_owned()
        } else {
            scrubber.scrub_body(&captured.body, content_type)
        };
        out.push_str(" \\\n  --data-binary ");
        out.push_str(&quote(&body));
    }
    if !left_out.is_empty() {
        left_out.dedup();
        out.push_str(&format!(
            "\n# left out (secret): {}; reveal masked values to include them",
            left_out.join(", ")
        ));
    }
    if captured.completeness != Completeness::Whole {
        out.push_str("\n# the body above is incomplete: only part of it was captured");
    }
    out
}

/// `text` in single quotes for a POSIX shell.
fn quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', r"'\''"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use bytes::Bytes;

    fn captured() -> Captured {
        let mut headers = http::HeaderMap::new();
        headers.insert(header::HOST, "localhost:8000".parse().unwrap());
        headers.insert(header::AUTHORIZATION, "Bearer abc.def".parse().unwrap());
        headers.insert(
            header::CONTENT_TYPE,
            "application/x-www-form-urlencoded".parse().unwrap(),
        );
        headers.insert(header::CONTENT_LENGTH, "22".parse().unwrap());
        headers.insert("x-note", "it's".parse().unwrap());
        Captured {
            method: http::Method::POST,
            uri: "/login?next=/home&token=t0p".parse().unwrap(),
            version: http::Version::HTTP_11,
            headers,
            body: Bytes::from_static(b"user=ann&password=hunt"),
            completeness: Completeness::Whole,
            peer: None,
        }
    }

    #[test]
    fn secrets_are_left_out_unless_revealed() {
        let scrubber = Scrubber::default();
        let masked = command(&captured(), &scrubber, false);
        assert!(masked.starts_with("curl -X 'POST' 'http://localhost:8000/login?next="));
        assert!(!masked.contains("abc.def"), "{masked}");
        assert!(!masked.contains("hunt"), "{masked}");
        assert!(!masked.contains("t0p"), "{masked}");
        assert!(masked.contains("# left out (secret): authorization"));
        assert!(masked.contains(r"-H 'x-note: it'\''s'"), "{masked}");
        assert!(!masked.contains("content-length"));

        let revealed = command(&captured(), &scrubber, true);
        assert!(revealed.contains("-H 'authorization: Bearer abc.def'"));
        assert!(revealed.contains("--data-binary 'user=ann&password=hunt'"));
        assert!(revealed.contains("token=t0p"));
    }
}
