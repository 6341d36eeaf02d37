//! Body readers over in-memory bodies, whole and split into many frames,
//! and over hyper's body on a real connection.

use bytes::Bytes;
use futures_util::stream;
use http::StatusCode;
use http_body::Frame;
use http_body_util::{Full, StreamBody};
use std::convert::Infallible;

use super::BodyLimits;
use crate::form::FormOptions;
use crate::multipart::MultipartLimits;
use crate::{BoxError, HttpError, Request};

type Frames = StreamBody<stream::Iter<std::vec::IntoIter<Result<Frame<Bytes>, BoxError>>>>;

/// A request with `body` in one frame.
fn whole(
    content_type: Option<&str>,
    limits: Option<BodyLimits>,
    body: &[u8],
) -> Request<Full<Bytes>> {
    let mut builder = http::Request::post("/");
    if let Some(ct) = content_type {
        builder = builder.header("content-type", ct);
    }
    if let Some(limits) = limits {
        builder = builder.extension(limits);
    }
    Request::new(
        builder
            .body(Full::new(Bytes::copy_from_slice(body)))
            .unwrap(),
    )
}

/// A request with `body` in frames of `size` bytes, with no size hint, then
/// `tail` (an error frame, say) if given.
fn framed(
    content_type: Option<&str>,
    limits: Option<BodyLimits>,
    body: &[u8],
    size: usize,
    tail: Option<Result<Frame<Bytes>, BoxError>>,
) -> Request<Frames> {
    let mut frames: Vec<Result<Frame<Bytes>, BoxError>> = body
        .chunks(size)
        .map(|c| Ok(Frame::data(Bytes::copy_from_slice(c))))
        .collect();
    frames.extend(tail);
    let mut builder = http::Request::post("/");
    if let Some(ct) = content_type {
        builder = builder.header("content-type", ct);
    }
    if let Some(limits) = limits {
        builder = builder.extension(limits);
    }
    Request::new(builder.body(StreamBody::new(stream::iter(frames))).unwrap())
}

fn broken() -> Option<Result<Frame<Bytes>, BoxError>> {
    Some(Err("connection reset".into()))
}

fn assert_error(result: Result<impl std::fmt::Debug, HttpError>, status: u16, display: &str) {
    let error = result.unwrap_err();
    assert_eq!(error.status().as_u16(), status, "{error}");
    assert_eq!(error.to_string(), display);
}

#[tokio::test]
async fn bytes_reads_one_frame_or_many() {
    let body = b"hello, world";
    assert_eq!(whole(None, None, body).bytes().await.unwrap(), &body[..]);
    for size in [1, 2, 5, 64] {
        let mut request = framed(None, None, body, size, None);
        assert_eq!(request.bytes().await.unwrap(), &body[..], "{size}");
        // Read once: a second read, by any reading method, is refused.
        for second in [
            request.bytes().await.map(drop),
            request.form().await.map(drop),
        ] {
            let e = second.unwrap_err();
            assert_eq!(
                e.status(),
                http::StatusCode::INTERNAL_SERVER_ERROR,
                "{size}"
            );
            assert_eq!(e.message(), "the request body was already read", "{size}");
        }
    }
    assert_eq!(whole(None, None, b"").bytes().await.unwrap(), "");
}

#[tokio::test]
async fn bytes_limits_at_the_value_and_one_past() {
    // (max_content_length, max_buffered_bytes, body length) -> error named, if any.
    let cases: &[(Option<u64>, u64, usize, Option<&str>)] = &[
        (Some(5), 100, 5, None),
        (
            Some(5),
            100,
            6,
            Some("request body is over max_content_length (5 bytes)"),
        ),
        (None, 5, 5, None),
        (
            None,
            5,
            6,
            Some("request body is over max_buffered_bytes (5 bytes)"),
        ),
        (
            Some(5),
            5,
            6,
            Some("request body is over max_content_length (5 bytes)"),
        ),
        (
            Some(7),
            5,
            6,
            Some("request body is over max_buffered_bytes (5 bytes)"),
        ),
        (Some(0), 5, 0, None),
        (
            Some(0),
            5,
            1,
            Some("request body is over max_content_length (0 bytes)"),
        ),
    ];
    for &(content_length, buffered, len, expected) in cases {
        let limits = BodyLimits::new()
            .max_content_length(content_length)
            .max_buffered_bytes(buffered);
        let body = vec![b'x'; len];
        let whole = whole(None, Some(limits.clone()), &body).bytes().await;
        let framed = framed(None, Some(limits), &body, 1, None).bytes().await;
        for result in [whole, framed] {
            match expected {
                None => assert_eq!(result.unwrap().len(), len),
                Some(message) => {
                    assert_error(result, 413, &format!("413 Payload Too Large: {message}"))
                }
            }
        }
    }
}

#[tokio::test]
async fn bytes_stops_reading_once_past_the_limit() {
    // The broken frame after the limit is never polled: 413, not 400.
    let limits = BodyLimits::new().max_content_length(3);
    let result = framed(None, Some(limits), b"abcd", 1, broken())
        .bytes()
        .await;
    assert_error(
        result,
        413,
        "413 Payload Too Large: request body is over max_content_length (3 bytes)",
    );
    // Without a limit in reach, the broken frame is a 400.
    let result = framed(None, None, b"abcd", 1, broken()).bytes().await;
    assert_error(
        result,
        400,
        "400 Bad Request: request body could not be read",
    );
}

#[tokio::test]
async fn content_length_over_the_limit_is_refused_before_reading() {
    let limits = BodyLimits::new().max_content_length(10);
    // (Content-Length, expected status): the body itself would fail to read.
    let cases: &[(&str, u16)] = &[
        ("11", 413),
        ("999999999999999999", 413),
        ("x", 400),
        ("1, 2", 400),
    ];
    for &(length, status) in cases {
        let body = StreamBody::new(stream::iter(vec![broken().unwrap()]));
        let http_request = http::Request::post("/")
            .header("content-length", length)
            .extension(limits.clone())
            .body(body)
            .unwrap();
        let error = Request::new(http_request).bytes().await.unwrap_err();
        assert_eq!(error.status().as_u16(), status, "{length}");
    }
    // At the limit, the body is read (and here fails).
    let body = StreamBody::new(stream::iter(vec![broken().unwrap()]));
    let http_request = http::Request::post("/")
        .header("content-length", "10")
        .extension(limits)
        .body(body)
        .unwrap();
    let error = Request::new(http_request).bytes().await.unwrap_err();
    assert_eq!(error.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn a_length_limit_layer_further_in_is_413() {
    let inner = http_body_util::Limited::new(Full::new(Bytes::from_static(b"abcdef")), 3);
    let mut request = Request::new(http::Request::post("/").body(inner).unwrap());
    let error = request.bytes().await.unwrap_err();
    assert_eq!(error.status(), StatusCode::PAYLOAD_TOO_LARGE);
}

#[tokio::test]
async fn text_decodes_by_charset() {
    let mut request = framed(
        Some("text/plain; charset=iso-8859-1"),
        None,
        b"caf\xe9",
        1,
        None,
    );
    assert_eq!(request.text().await.unwrap(), "café");
    let mut request = whole(None, None, b"caf\xc3\xa9 \xff");
    assert_eq!(request.text().await.unwrap(), "café \u{fffd}");
    let mut request = whole(Some("text/plain; charset=koi8-r"), None, b"x");
    assert_error(
        request.text().await,
        415,
        "415 Unsupported Media Type: the body's charset is not supported (send UTF-8 or ISO-8859-1)",
    );
    let limits = BodyLimits::new().max_buffered_bytes(2);
    assert_error(
        whole(None, Some(limits), b"abc").text().await,
        413,
        "413 Payload Too Large: request body is over max_buffered_bytes (2 bytes)",
    );
}

#[tokio::test]
async fn json_checks_the_content_type_and_parses() {
    let ok: &[(&str, &[u8], serde_json::Value)] = &[
        (
            "application/json",
            br#"{"a": [1, 2]}"#,
            serde_json::json!({"a": [1, 2]}),
        ),
        (
            "application/json; charset=utf-8",
            b"null",
            serde_json::Value::Null,
        ),
        (
            "application/problem+json",
            br#""x""#,
            serde_json::json!("x"),
        ),
        ("Application/JSON", b" 7 ", serde_json::json!(7)),
    ];
    for (content_type, body, expected) in ok {
        let value = framed(Some(content_type), None, body, 1, None).json().await;
        assert_eq!(&value.unwrap(), expected, "{content_type}");
    }
    let refused: &[(Option<&str>, &[u8], u16, &str)] = &[
        (
            None,
            b"{}",
            415,
            "415 Unsupported Media Type: expected a JSON body (Content-Type: application/json)",
        ),
        (
            Some("text/plain"),
            b"{}",
            415,
            "415 Unsupported Media Type: expected a JSON body (Content-Type: application/json)",
        ),
        (
            Some("application/x-www-form-urlencoded"),
            b"{}",
            415,
            "415 Unsupported Media Type: expected a JSON body (Content-Type: application/json)",
        ),
        (
            Some("application/json"),
            b"",
            400,
            "400 Bad Request: invalid JSON body: EOF while parsing a value at line 1 column 0",
        ),
        (
            Some("application/json"),
            b"{\"a\":\n x}",
            400,
            "400 Bad Request: invalid JSON body: expected value at line 2 column 2",
        ),
        (
            Some("application/json"),
            b"[1,]",
            400,
            "400 Bad Request: invalid JSON body: trailing comma at line 1 column 4",
        ),
        (
            Some("application/json"),
            b"{} {}",
            400,
            "400 Bad Request: invalid JSON body: trailing characters at line 1 column 4",
        ),
    ];
    for &(content_type, body, status, display) in refused {
        assert_error(
            whole(content_type, None, body).json().await,
            status,
            display,
        );
    }
    let deep = "[".repeat(200) + &"]".repeat(200);
    let error = whole(Some("application/json"), None, deep.as_bytes())
        .json()
        .await
        .unwrap_err();
    assert_eq!(error.status(), StatusCode::BAD_REQUEST);
    assert!(error.message().contains("recursion limit"), "{error}");
}

const URLENCODED: &str = "application/x-www-form-urlencoded";

#[tokio::test]
async fn urlencoded_forms() {
    let form = framed(
        Some(URLENCODED),
        None,
        b"name=J%C3%BCrgen+M&tag=a&tag=b&flag",
        1,
        None,
    )
    .form()
    .await
    .unwrap();
    assert_eq!(
        form.fields.get("name").map(String::as_str),
        Some("Jürgen M")
    );
    assert_eq!(form.fields.get_all("tag").collect::<Vec<_>>(), ["a", "b"]);
    assert_eq!(form.fields.get("flag").map(String::as_str), Some(""));
    assert!(form.files.is_empty());
    let form = whole(
        Some("application/x-www-form-urlencoded; charset=utf-8"),
        None,
        b"",
    )
    .form()
    .await
    .unwrap();
    assert!(form.fields.is_empty());
}

#[tokio::test]
async fn urlencoded_limits_at_the_value_and_one_past() {
    let limits = BodyLimits::new().max_form_parts(3).max_form_memory_size(20);
    // (body, expected error)
    let cases: &[(&str, Option<&str>)] = &[
        ("a=1&b=2&c=3", None),
        ("a=1&b=2&c=3&&", None),
        (
            "a=1&b=2&c=3&d",
            Some("413 Payload Too Large: urlencoded form is over max_form_parts (3 pairs)"),
        ),
        ("a=123456789012345678", None),
        (
            "a=1234567890123456789",
            Some(
                "413 Payload Too Large: urlencoded form body is over max_form_memory_size (20 bytes)",
            ),
        ),
    ];
    for &(body, expected) in cases {
        for size in [1, 1000] {
            let result = framed(
                Some(URLENCODED),
                Some(limits.clone()),
                body.as_bytes(),
                size,
                None,
            )
            .form()
            .await;
            match expected {
                None => assert!(result.is_ok(), "{body}"),
                Some(display) => assert_error(result, 413, display),
            }
        }
    }
    // max_content_length binds when it is the smaller.
    let limits = BodyLimits::new().max_content_length(4);
    assert_error(
        whole(Some(URLENCODED), Some(limits), b"a=123").form().await,
        413,
        "413 Payload Too Large: request body is over max_content_length (4 bytes)",
    );
}

const MULTIPART: &str = "multipart/form-data; boundary=XyZ";
const MULTIPART_BODY: &[u8] = b"--XyZ\r\n\
    Content-Disposition: form-data; name=\"title\"\r\n\r\n\
    Minutes\r\n\
    --XyZ\r\n\
    Content-Disposition: form-data; name=\"doc\"; filename=\"m.txt\"\r\n\
    Content-Type: text/plain\r\n\r\n\
    line one\r\nline two\r\n\
    --XyZ\r\n\
    Content-Disposition: form-data; name=\"title\"\r\n\r\n\
    Agenda\r\n\
    --XyZ--\r\n";

#[tokio::test]
async fn multipart_forms_whatever_the_framing() {
    for size in [1, 3, 7, MULTIPART_BODY.len()] {
        for threshold in [0, 1024] {
            let limits =
                BodyLimits::new().form_options(FormOptions::new().spool_threshold(threshold));
            let form = framed(Some(MULTIPART), Some(limits), MULTIPART_BODY, size, None)
                .form()
                .await
                .unwrap();
            assert_eq!(
                form.fields.get_all("title").collect::<Vec<_>>(),
                ["Minutes", "Agenda"]
            );
            let doc = form.files.get("doc").unwrap();
            assert_eq!(doc.filename(), Some("m.txt"));
            assert_eq!(doc.content_type(), Some("text/plain"));
            assert_eq!(doc.bytes().unwrap(), "line one\r\nline two");
            assert_eq!(doc.is_spooled(), threshold == 0, "{size} {threshold}");
        }
    }
}

/// The status and message a body is refused with, or `None` if accepted.
type Refusal = Option<(u16, &'static str)>;

#[tokio::test]
async fn multipart_form_errors() {
    let field_limit = BodyLimits::new().max_form_memory_size(7);
    let field_over = BodyLimits::new().max_form_memory_size(6);
    let parts = BodyLimits::new().max_form_parts(2);
    let length = BodyLimits::new().max_content_length(100);
    let truncated = &MULTIPART_BODY[..MULTIPART_BODY.len() - 4];
    // (Content-Type, limits, body) -> Ok or (status, message)
    let cases: &[(&str, &BodyLimits, &[u8], Refusal)] = &[
        (MULTIPART, &field_limit, MULTIPART_BODY, None),
        (
            MULTIPART,
            &field_over,
            MULTIPART_BODY,
            Some((
                413,
                "multipart form field \"title\" is over max_form_memory_size (6 bytes)",
            )),
        ),
        (
            MULTIPART,
            &parts,
            MULTIPART_BODY,
            Some((413, "multipart form is over max_form_parts (2 parts)")),
        ),
        (
            MULTIPART,
            &length,
            MULTIPART_BODY,
            Some((413, "request body is over max_content_length (100 bytes)")),
        ),
        (
            MULTIPART,
            BodyLimits::DEFAULT,
            truncated,
            Some((400, "multipart body ended without the final boundary")),
        ),
        (
            "multipart/form-data",
            BodyLimits::DEFAULT,
            MULTIPART_BODY,
            Some((400, "multipart/form-data Content-Type has no boundary")),
        ),
        (
            "text/plain",
            BodyLimits::DEFAULT,
            b"x",
            Some((
                415,
                "expected a form body (application/x-www-form-urlencoded or multipart/form-data)",
            )),
        ),
        (
            "application/json",
            BodyLimits::DEFAULT,
            b"{}",
            Some((
                415,
                "expected a form body (application/x-www-form-urlencoded or multipart/form-data)",
            )),
        ),
    ];
    for &(content_type, limits, body, expected) in cases {
        let result = framed(Some(content_type), Some(limits.clone()), body, 2, None)
            .form()
            .await;
        match expected {
            None => assert!(result.is_ok(), "{content_type} {result:?}"),
            Some((status, message)) => {
                let error = result.unwrap_err();
                assert_eq!(error.status().as_u16(), status, "{error}");
                assert_eq!(error.message(), message);
            }
        }
    }
}

#[tokio::test]
async fn multipart_form_max_content_length_at_the_value_and_one_past() {
    let len = u64::try_from(MULTIPART_BODY.len()).unwrap();
    let at = BodyLimits::new().max_content_length(len);
    let form = framed(Some(MULTIPART), Some(at), MULTIPART_BODY, 1, None)
        .form()
        .await;
    assert_eq!(form.unwrap().fields.len(), 2);
    let under = BodyLimits::new().max_content_length(len - 1);
    let error = framed(Some(MULTIPART), Some(under), MULTIPART_BODY, 1, None)
        .form()
        .await
        .unwrap_err();
    assert_eq!(
        error.message(),
        format!(
            "request body is over max_content_length ({} bytes)",
            len - 1
        )
    );
}

#[tokio::test]
async fn form_without_a_content_type() {
    let form = whole(None, None, b"").form().await.unwrap();
    assert!(form.fields.is_empty() && form.files.is_empty());
    assert_error(
        whole(None, None, b"a=1").form().await,
        415,
        "415 Unsupported Media Type: expected a form body (application/x-www-form-urlencoded or multipart/form-data)",
    );
}

/// Parts as (name, filename, bytes).
type Parts = Vec<(String, Option<String>, Vec<u8>)>;

/// Every part, read chunk by chunk.
async fn stream_parts<B>(request: &mut Request<B>) -> Result<Parts, HttpError>
where
    B: http_body::Body + Unpin,
    B::Error: Into<BoxError>,
{
    let mut multipart = request.multipart()?;
    let mut parts = Vec::new();
    while let Some(mut part) = multipart.next_part().await? {
        let mut data = Vec::new();
        while let Some(chunk) = part.chunk().await? {
            data.extend_from_slice(&chunk);
        }
        // Reading past the end stays at the end.
        assert_eq!(part.chunk().await?, None);
        parts.push((
            part.name().to_owned(),
            part.filename().map(Into::into),
            data,
        ));
    }
    assert!(multipart.next_part().await?.is_none());
    Ok(parts)
}

#[tokio::test]
async fn streaming_multipart_over_one_byte_frames() {
    for size in [1, 2, 5, MULTIPART_BODY.len()] {
        let mut request = framed(Some(MULTIPART), None, MULTIPART_BODY, size, None);
        let parts = stream_parts(&mut request).await.unwrap();
        let expected: Parts = vec![
            ("title".into(), None, b"Minutes".to_vec()),
            (
                "doc".into(),
                Some("m.txt".into()),
                b"line one\r\nline two".to_vec(),
            ),
            ("title".into(), None, b"Agenda".to_vec()),
        ];
        assert_eq!(parts, expected, "{size}");
    }
}

#[tokio::test]
async fn streaming_multipart_hands_out_chunks_as_they_arrive() {
    // A file part of 1000 bytes in 1-byte frames: no chunk waits for the
    // whole part.
    let mut body =
        b"--XyZ\r\nContent-Disposition: form-data; name=\"f\"; filename=\"a\"\r\n\r\n".to_vec();
    body.extend(std::iter::repeat_n(b'z', 1000));
    body.extend_from_slice(b"\r\n--XyZ--\r\n");
    let mut request = framed(Some(MULTIPART), None, &body, 1, None);
    let mut multipart = request.multipart().unwrap();
    let mut part = multipart.next_part().await.unwrap().unwrap();
    let mut chunks = 0;
    let mut total = 0;
    while let Some(chunk) = part.chunk().await.unwrap() {
        assert!(chunk.len() <= 16, "{}", chunk.len());
        chunks += 1;
        total += chunk.len();
    }
    assert_eq!(total, 1000);
    assert!(chunks > 50, "{chunks}");
}

#[tokio::test]
async fn streaming_multipart_skips_unread_parts() {
    let mut request = framed(Some(MULTIPART), None, MULTIPART_BODY, 3, None);
    let mut multipart = request.multipart().unwrap();
    let mut names = Vec::new();
    while let Some(part) = multipart.next_part().await.unwrap() {
        names.push(part.name().to_owned());
    }
    assert_eq!(names, ["title", "doc", "title"]);
}

#[tokio::test]
async fn streaming_multipart_errors() {
    let truncated = &MULTIPART_BODY[..MULTIPART_BODY.len() - 4];
    let mut request = framed(Some(MULTIPART), None, truncated, 1, None);
    assert_error(
        stream_parts(&mut request).await,
        400,
        "400 Bad Request: multipart body ended without the final boundary",
    );
    let limits = BodyLimits::new().max_content_length(20);
    let mut request = framed(Some(MULTIPART), Some(limits), MULTIPART_BODY, 1, None);
    assert_error(
        stream_parts(&mut request).await,
        413,
        "413 Payload Too Large: request body is over max_content_length (20 bytes)",
    );
    let limits =
        BodyLimits::new().multipart_limits(MultipartLimits::new().max_part_header_count(1));
    let mut request = framed(Some(MULTIPART), Some(limits), MULTIPART_BODY, 1, None);
    assert_error(
        stream_parts(&mut request).await,
        413,
        "413 Payload Too Large: multipart part headers are over max_part_header_count (1 fields)",
    );
    // The decoder ends only with the body, which must end cleanly, even
    // after the final boundary.
    let mut request = framed(Some(MULTIPART), None, MULTIPART_BODY, 4, broken());
    assert_error(
        stream_parts(&mut request).await,
        400,
        "400 Bad Request: request body could not be read",
    );
    let mut request = framed(Some(MULTIPART), None, truncated, 4, broken());
    assert_error(
        stream_parts(&mut request).await,
        400,
        "400 Bad Request: request body could not be read",
    );
    for content_type in [None, Some("text/plain"), Some(URLENCODED)] {
        let mut request = whole(content_type, None, b"");
        assert_error(
            request.multipart().map(|_| ()),
            415,
            "415 Unsupported Media Type: expected a multipart/form-data body",
        );
    }
    let mut request = whole(Some("multipart/form-data; boundary=\"\""), None, b"");
    assert_eq!(
        request.multipart().map(|_| ()).unwrap_err().status(),
        StatusCode::BAD_REQUEST
    );
    // A second multipart() finds the body at its end.
    let mut request = whole(Some(MULTIPART), None, MULTIPART_BODY);
    assert_eq!(stream_parts(&mut request).await.unwrap().len(), 3);
    assert!(stream_parts(&mut request).await.is_err());
}

#[tokio::test]
async fn limits_come_from_the_extensions() {
    let request = whole(None, None, b"");
    assert_eq!(request.body_limits(), &BodyLimits::default());
    let limits = BodyLimits::new().max_content_length(1);
    let request = whole(None, Some(limits.clone()), b"");
    assert_eq!(request.body_limits(), &limits);
}

mod any_framing {
    use proptest::prelude::*;

    use super::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// Any framing of a body gives the same bytes, form and parts.
        #[test]
        fn gives_the_same_result(size in 1usize..40, payload in proptest::collection::vec(any::<u8>(), 0..200)) {
            let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
            runtime.block_on(async {
                let bytes = framed(None, None, &payload, size, None).bytes().await.unwrap();
                assert_eq!(bytes, payload);
                let mut body = b"--XyZ\r\nContent-Disposition: form-data; name=\"f\"; filename=\"a\"\r\n\r\n".to_vec();
                body.extend_from_slice(&payload);
                body.extend_from_slice(b"\r\n--XyZ--\r\n");
                let mut request = framed(Some(MULTIPART), None, &body, size, None);
                let parts = stream_parts(&mut request).await.unwrap();
                assert_eq!(parts.len(), 1);
                assert_eq!(parts[0].2, payload);
                let form = framed(Some(MULTIPART), None, &body, size, None).form().await.unwrap();
                assert_eq!(form.files.get("f").unwrap().bytes().unwrap(), payload);
            });
        }
    }
}

/// Handlers run on multi-threaded executors: the readers' futures must be
/// `Send` when the body is.
#[test]
fn futures_are_send() {
    fn assert_send<T: Send>(_: &T) {}
    let mut request = whole(None, None, b"");
    assert_send(&request.bytes());
    assert_send(&request.text());
    assert_send(&request.json());
    assert_send(&request.form());
    let mut request = whole(Some(MULTIPART), None, MULTIPART_BODY);
    let mut multipart = request.multipart().unwrap();
    assert_send(&multipart.next_part());
}

/// hyper's own body type, over a real connection on 127.0.0.1.
mod over_a_socket {
    use hyper::body::Incoming;
    use hyper::service::service_fn;
    use hyper_util::rt::TokioIo;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::{TcpListener, TcpStream};

    use super::*;

    /// Answers each request with its form's `title` fields, or the error.
    async fn handle(
        request: http::Request<Incoming>,
    ) -> Result<http::Response<String>, Infallible> {
        let mut request = Request::new(request);
        let text = match request.form().await {
            Ok(form) => form
                .fields
                .get_all("title")
                .map(String::as_str)
                .collect::<Vec<_>>()
                .join(","),
            Err(error) => error.to_string(),
        };
        Ok(http::Response::new(text))
    }

    async fn exchange(raw: &[u8]) -> String {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        let server = tokio::spawn(async move {
            let (stream, _) = listener.accept().await.unwrap();
            let limits = BodyLimits::new().max_content_length(400);
            let service = service_fn(move |mut request: http::Request<Incoming>| {
                request.extensions_mut().insert(limits.clone());
                handle(request)
            });
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
        let mut client = TcpStream::connect(address).await.unwrap();
        client.write_all(raw).await.unwrap();
        let mut response = Vec::new();
        client.read_to_end(&mut response).await.unwrap();
        server.await.unwrap();
        let response = String::from_utf8(response).unwrap();
        response.split_once("\r\n\r\n").unwrap().1.to_owned()
    }

    fn chunked(body: &[u8]) -> Vec<u8> {
        let mut raw = format!(
            "POST / HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\
             content-type: {MULTIPART}\r\ntransfer-encoding: chunked\r\n\r\n"
        )
        .into_bytes();
        for chunk in body.chunks(5) {
            raw.extend_from_slice(format!("{:x}\r\n", chunk.len()).as_bytes());
            raw.extend_from_slice(chunk);
            raw.extend_from_slice(b"\r\n");
        }
        raw.extend_from_slice(b"0\r\n\r\n");
        raw
    }

    #[tokio::test]
    async fn multipart_form_over_chunked_framing() {
        assert_eq!(exchange(&chunked(MULTIPART_BODY)).await, "Minutes,Agenda");
        let mut big = MULTIPART_BODY.to_vec();
        big.splice(0..0, std::iter::repeat_n(b'p', 200));
        assert_eq!(
            exchange(&chunked(&big)).await,
            "413 Payload Too Large: request body is over max_content_length (400 bytes)"
        );
    }

    #[tokio::test]
    async fn content_length_over_the_limit_is_refused_unread() {
        let raw = format!(
            "POST / HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\
             content-type: {URLENCODED}\r\ncontent-length: 401\r\n\r\n"
        );
        // No body is sent: the answer comes from the header alone.
        assert_eq!(
            exchange(raw.as_bytes()).await,
            "413 Payload Too Large: request body is over max_content_length (400 bytes)"
        );
    }
}
