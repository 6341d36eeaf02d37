//! The parts of a request a conditional answer depends on, kept after the
//! request itself has moved into the inner service.

use http::header::{
    ACCEPT, IF_MATCH, IF_MODIFIED_SINCE, IF_NONE_MATCH, IF_RANGE, IF_UNMODIFIED_SINCE, RANGE,
};
use http::{HeaderMap, HeaderName, HeaderValue, Method};
use tackle_http::Preconditions;

/// The request headers RFC 9110 §13 evaluates.
const CONDITIONAL: [HeaderName; 6] = [
    IF_MATCH,
    IF_NONE_MATCH,
    IF_MODIFIED_SINCE,
    IF_UNMODIFIED_SINCE,
    RANGE,
    IF_RANGE,
];

/// A request's method, conditional headers and `Accept` (to render a 412 or
/// 416 the way the client reads errors).
#[derive(Debug)]
pub(crate) struct RequestConditions {
    method: Method,
    headers: HeaderMap,
}

impl RequestConditions {
    /// `None` when the request has no conditional header, which is the
    /// common case: then nothing is copied.
    pub(crate) fn capture(method: &Method, headers: &HeaderMap) -> Option<Self> {
        if !CONDITIONAL.iter().any(|name| headers.contains_key(name)) {
            return None;
        }
        let mut kept = HeaderMap::new();
        for name in CONDITIONAL.iter().chain([&ACCEPT]) {
            for value in headers.get_all(name) {
                kept.append(name.clone(), value.clone());
            }
        }
        Some(RequestConditions {
            method: method.clone(),
            headers: kept,
        })
    }

    pub(crate) fn preconditions(&self) -> Preconditions<'_> {
        Preconditions::new(&self.method, &self.headers)
    }

    /// A GET with a `Range` header: the body is needed to answer.
    pub(crate) fn wants_range(&self) -> bool {
        self.method == Method::GET && self.headers.contains_key(RANGE)
    }

    pub(crate) fn accept(&self) -> Option<&HeaderValue> {
        self.headers.get(ACCEPT)
    }
}

/// GET or HEAD: the methods whose 200 carries the selected representation.
pub(crate) fn is_read(method: &Method) -> bool {
    *method == Method::GET || *method == Method::HEAD
}
