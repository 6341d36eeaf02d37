//! Turning the evaluator's [`Outcome`] and a 200 response into what is sent:
//! the 200 itself, a 304, a 206 (one part or `multipart/byteranges`), a 412
//! or a 416.

use std::hash::{BuildHasher, RandomState};
use std::sync::atomic::{AtomicU64, Ordering};

use bytes::Bytes;
use http::header::{
    ACCEPT_RANGES, CONTENT_LENGTH, CONTENT_LOCATION, CONTENT_RANGE, CONTENT_TYPE, ETAG,
    LAST_MODIFIED, TRAILER, TRANSFER_ENCODING,
};
use http::response::Parts;
use http::{HeaderMap, HeaderValue, Response, StatusCode};
use tackle_http::range::MultipartByteranges;
use tackle_http::{ContentRange, Outcome, ResolvedRanges, TypedHeader};
use tackle_request::HttpError;

use crate::body::{Chunks, ResponseBody};
use crate::buffer::Collected;
use crate::conditions::RequestConditions;

/// The response for `outcome`, given the 200 the inner service sent (its
/// head `parts` and its whole `content`); a whole 200 says
/// `Accept-Ranges: bytes` when `offer_ranges`.
pub(crate) fn respond<B: http_body::Body>(
    outcome: Outcome,
    parts: Parts,
    content: Collected,
    conditions: Option<&RequestConditions>,
    offer_ranges: bool,
) -> Response<ResponseBody<B>> {
    let accept = conditions.and_then(RequestConditions::accept);
    match outcome {
        Outcome::Full => whole(parts, content, offer_ranges),
        Outcome::Partial(ranges) => partial(parts, &content.to_bytes(), &ranges),
        Outcome::NotModified => not_modified(parts, Some(content.len)),
        Outcome::PreconditionFailed => error(&HttpError::precondition_failed(), accept),
        Outcome::RangeNotSatisfiable(content_range) => error(
            &HttpError::range_not_satisfiable(content_range.complete_length().unwrap_or(0)),
            accept,
        ),
    }
}

/// The 200 with its content from memory and `Content-Length` stated.
fn whole<B: http_body::Body>(
    mut parts: Parts,
    content: Collected,
    offer_ranges: bool,
) -> Response<ResponseBody<B>> {
    parts.headers.remove(TRANSFER_ENCODING);
    parts
        .headers
        .insert(CONTENT_LENGTH, HeaderValue::from(content.len));
    if offer_ranges {
        accept_ranges(&mut parts.headers);
    }
    Response::from_parts(
        parts,
        ResponseBody::memory(content.chunks, content.trailers),
    )
}

/// A HEAD response: the headers of the GET (ranges offered, since they
/// could be cut from memory), no content.
pub(crate) fn head<B: http_body::Body>(mut parts: Parts, length: u64) -> Response<ResponseBody<B>> {
    parts
        .headers
        .insert(CONTENT_LENGTH, HeaderValue::from(length));
    accept_ranges(&mut parts.headers);
    Response::from_parts(parts, ResponseBody::empty())
}

fn accept_ranges(headers: &mut HeaderMap) {
    if !headers.contains_key(ACCEPT_RANGES) {
        headers.insert(ACCEPT_RANGES, HeaderValue::from_static("bytes"));
    }
}

/// 304 Not Modified (RFC 9110 §15.4.5): no content and none of the headers
/// that describe it, except those a cache needs to update what it stored
/// (`Cache-Control`, `Content-Location`, `Date`, `ETag`, `Expires`, `Vary`,
/// and `Last-Modified` when there is no `ETag`). Headers that do not
/// describe the content, such as `Set-Cookie`, stay: dropping them would
/// lose what the handler meant to say besides the content.
///
/// `Content-Length` stays when the length of the 200 is known (its own
/// header, or else `length`), as RFC 9110 §8.6 allows: otherwise a
/// framework outside (axum) would add `Content-Length: 0` for the empty
/// body, which the same section forbids.
pub(crate) fn not_modified<B: http_body::Body>(
    mut parts: Parts,
    length: Option<u64>,
) -> Response<ResponseBody<B>> {
    parts.status = StatusCode::NOT_MODIFIED;
    let has_etag = parts.headers.contains_key(ETAG);
    let length = declared_length(&parts.headers).or(length);
    let headers = std::mem::take(&mut parts.headers);
    let mut kept = HeaderMap::with_capacity(headers.len());
    let mut last_name = None;
    for (name, value) in headers {
        let name = match name {
            Some(name) => {
                last_name = Some(name.clone());
                name
            }
            None => match &last_name {
                Some(name) => name.clone(),
                None => continue,
            },
        };
        if describes_content(&name, has_etag) {
            continue;
        }
        kept.append(name, value);
    }
    if let Some(length) = length {
        kept.insert(CONTENT_LENGTH, HeaderValue::from(length));
    }
    parts.headers = kept;
    Response::from_parts(parts, ResponseBody::empty())
}

/// Representation metadata a 304 leaves out.
fn describes_content(name: &http::HeaderName, has_etag: bool) -> bool {
    if *name == CONTENT_LOCATION {
        return false;
    }
    name.as_str().starts_with("content-")
        || *name == ACCEPT_RANGES
        || *name == TRANSFER_ENCODING
        || *name == TRAILER
        || (*name == LAST_MODIFIED && has_etag)
}

/// 206 Partial Content: one range as the body with its `Content-Range`, or
/// several as `multipart/byteranges` (RFC 9110 §14.6).
fn partial<B: http_body::Body>(
    mut parts: Parts,
    content: &Bytes,
    ranges: &ResolvedRanges,
) -> Response<ResponseBody<B>> {
    parts.status = StatusCode::PARTIAL_CONTENT;
    parts.headers.remove(TRANSFER_ENCODING);
    let slice = |range: tackle_http::ByteRange| {
        let std::ops::Range { start, end } = range.to_std_range();
        content.slice(start as usize..end as usize)
    };
    if let Some(range) = ranges.single() {
        if let Some(content_range) = ContentRange::bytes(range, ranges.complete_length()) {
            parts
                .headers
                .insert(CONTENT_RANGE, content_range.to_header_value());
        }
        parts
            .headers
            .insert(CONTENT_LENGTH, HeaderValue::from(range.len()));
        let mut chunks = Chunks::new();
        chunks.push(slice(range));
        return Response::from_parts(parts, ResponseBody::memory(chunks, None));
    }
    let content_type = parts
        .headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let framing = match MultipartByteranges::new(&boundary(), content_type.as_deref(), ranges) {
        Ok(framing) => framing,
        // Only a content type with a line break in it can fail, and no
        // HeaderValue holds one: send the whole content rather than fail.
        Err(_) => {
            let mut chunks = Chunks::new();
            chunks.push(content.clone());
            parts.status = StatusCode::OK;
            let content = Collected {
                chunks,
                len: content.len() as u64,
                trailers: None,
            };
            return whole(parts, content, false);
        }
    };
    let mut chunks = Chunks::with_capacity(ranges.as_slice().len() * 2 + 1);
    for (head, range) in framing.parts() {
        chunks.push(Bytes::copy_from_slice(head.as_bytes()));
        chunks.push(slice(range));
    }
    chunks.push(Bytes::copy_from_slice(framing.closing().as_bytes()));
    if let Ok(value) = HeaderValue::try_from(framing.content_type()) {
        parts.headers.insert(CONTENT_TYPE, value);
    }
    parts
        .headers
        .insert(CONTENT_LENGTH, HeaderValue::from(framing.content_length()));
    Response::from_parts(parts, ResponseBody::memory(chunks, None))
}

/// The response's `Content-Length`, when it has a valid one.
pub(crate) fn declared_length(headers: &HeaderMap) -> Option<u64> {
    headers.get(CONTENT_LENGTH)?.to_str().ok()?.parse().ok()
}

/// A boundary that will not turn up in the content by chance: 64 random
/// bits as 16 hex digits.
fn boundary() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    format!("{:016x}", RandomState::new().hash_one(n))
}

/// An error response rendered for the client's `Accept`.
pub(crate) fn error<B: http_body::Body>(
    error: &HttpError,
    accept: Option<&HeaderValue>,
) -> Response<ResponseBody<B>> {
    let (parts, bytes) = error.render(accept).into_parts();
    let mut chunks = Chunks::new();
    if !bytes.is_empty() {
        chunks.push(bytes);
    }
    Response::from_parts(parts, ResponseBody::memory(chunks, None))
}
