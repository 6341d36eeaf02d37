//! The response for a resource and a request: the representation the
//! client prefers, its headers, and 200, 206 (one range or
//! `multipart/byteranges`), 304, 412 or 416 by tackle-http's evaluator.

use std::collections::VecDeque;
use std::hash::{BuildHasher, RandomState};
use std::sync::atomic::{AtomicU64, Ordering};

use bytes::Bytes;
use http::header::{
    ACCEPT, ACCEPT_ENCODING, ACCEPT_RANGES, CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_ENCODING,
    CONTENT_LENGTH, CONTENT_RANGE, CONTENT_TYPE, ETAG, LAST_MODIFIED, VARY,
};
use http::{HeaderMap, HeaderName, HeaderValue, Method, Response, StatusCode};
use tackle_http::range::MultipartByteranges;
use tackle_http::{
    ByteRange, ContentDisposition, ContentRange, Outcome, Preconditions, ResolvedRanges,
    TypedHeader,
};
use tackle_request::HttpError;

use crate::body::{FileBody, Segment, Source};
use crate::options::Options;
use crate::resource::{Content, Representation, Resource};

const NOSNIFF: HeaderName = HeaderName::from_static("x-content-type-options");

/// The response to a GET or HEAD for `resource`.
pub(crate) fn respond(
    resource: &Resource,
    method: &Method,
    headers: &HeaderMap,
    options: &Options,
) -> Response<FileBody> {
    let chosen = resource.choose(headers.get(ACCEPT_ENCODING));
    let outcome = Preconditions::new(method, headers)
        .max_ranges(options.max_ranges)
        .evaluate(&chosen.validators, Some(chosen.len));
    let mut response = Response::new(FileBody::empty());
    let out = response.headers_mut();
    out.insert(ETAG, chosen.etag.clone());
    out.insert(CACHE_CONTROL, resource.cache_control.clone());
    if resource.varies() {
        out.insert(VARY, HeaderValue::from_static("accept-encoding"));
    }
    match outcome {
        Outcome::NotModified => {
            *response.status_mut() = StatusCode::NOT_MODIFIED;
            return response;
        }
        Outcome::PreconditionFailed => {
            return error(&HttpError::precondition_failed(), headers);
        }
        Outcome::RangeNotSatisfiable(content_range) => {
            let length = content_range.complete_length().unwrap_or(chosen.len);
            let mut response = error(&HttpError::range_not_satisfiable(length), headers);
            response
                .headers_mut()
                .insert(ACCEPT_RANGES, HeaderValue::from_static("bytes"));
            return response;
        }
        Outcome::Full | Outcome::Partial(_) => {}
    }
    out.insert(CONTENT_TYPE, resource.content_type.clone());
    out.insert(NOSNIFF, HeaderValue::from_static("nosniff"));
    out.insert(ACCEPT_RANGES, HeaderValue::from_static("bytes"));
    if let Some(last_modified) = &chosen.last_modified {
        out.insert(LAST_MODIFIED, last_modified.clone());
    }
    if let Some(coding) = chosen.coding {
        out.insert(CONTENT_ENCODING, HeaderValue::from_static(coding));
    }
    if options.attachment {
        let disposition = ContentDisposition::attachment(resource.name.clone());
        out.insert(CONTENT_DISPOSITION, disposition.to_header_value());
    }
    let head = *method == Method::HEAD;
    match outcome {
        Outcome::Partial(ranges) => partial(response, chosen, &ranges, head, options),
        _ => {
            response
                .headers_mut()
                .insert(CONTENT_LENGTH, HeaderValue::from(chosen.len));
            if !head {
                *response.body_mut() = whole(chosen, options);
            }
            response
        }
    }
}

/// The whole representation as a body.
fn whole(chosen: &Representation, options: &Options) -> FileBody {
    match (&chosen.content, &chosen.file) {
        (Content::Memory(bytes), _) => FileBody::bytes(bytes.clone()),
        (Content::Disk, Some((path, _))) => FileBody::from_segments(
            VecDeque::from([Segment::File {
                offset: 0,
                len: chosen.len,
            }]),
            Some(Source::Path(path.clone())),
            options.chunk_size,
        ),
        (Content::Disk, None) => FileBody::empty(),
    }
}

/// 206: one range, or several as `multipart/byteranges`.
fn partial(
    mut response: Response<FileBody>,
    chosen: &Representation,
    ranges: &ResolvedRanges,
    head: bool,
    options: &Options,
) -> Response<FileBody> {
    *response.status_mut() = StatusCode::PARTIAL_CONTENT;
    let piece = |range: ByteRange| match &chosen.content {
        Content::Memory(bytes) => {
            let std::ops::Range { start, end } = range.to_std_range();
            Segment::Bytes(bytes.slice(start as usize..end as usize))
        }
        Content::Disk => Segment::File {
            offset: range.first(),
            len: range.len(),
        },
    };
    let mut segments = VecDeque::new();
    let length;
    if let Some(range) = ranges.single() {
        if let Some(content_range) = ContentRange::bytes(range, chosen.len) {
            response
                .headers_mut()
                .insert(CONTENT_RANGE, content_range.to_header_value());
        }
        length = range.len();
        segments.push_back(piece(range));
    } else {
        let content_type = response
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let Ok(framing) = MultipartByteranges::new(&boundary(), content_type.as_deref(), ranges)
        else {
            // Only a content type with a line break fails, which no
            // HeaderValue holds; fall back to the whole representation.
            *response.status_mut() = StatusCode::OK;
            response
                .headers_mut()
                .insert(CONTENT_LENGTH, HeaderValue::from(chosen.len));
            if !head {
                *response.body_mut() = whole(chosen, options);
            }
            return response;
        };
        for (part_head, range) in framing.parts() {
            segments.push_back(Segment::Bytes(Bytes::copy_from_slice(part_head.as_bytes())));
            segments.push_back(piece(range));
        }
        segments.push_back(Segment::Bytes(Bytes::copy_from_slice(
            framing.closing().as_bytes(),
        )));
        length = framing.content_length();
        if let Ok(value) = HeaderValue::try_from(framing.content_type()) {
            response.headers_mut().insert(CONTENT_TYPE, value);
        }
    }
    response
        .headers_mut()
        .insert(CONTENT_LENGTH, HeaderValue::from(length));
    if !head {
        let source = chosen
            .file
            .as_ref()
            .map(|(path, _)| Source::Path(path.clone()));
        *response.body_mut() = FileBody::from_segments(segments, source, options.chunk_size);
    }
    response
}

/// 64 random bits as 16 hex digits: not in the content by chance.
fn boundary() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    format!("{:016x}", RandomState::new().hash_one(n))
}

/// An error rendered for the request's `Accept`.
pub(crate) fn error(error: &HttpError, headers: &HeaderMap) -> Response<FileBody> {
    let (parts, bytes) = error.render(headers.get(ACCEPT)).into_parts();
    Response::from_parts(parts, FileBody::bytes(bytes))
}
