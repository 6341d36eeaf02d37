//! Conditional requests (RFC 9110 §13): the one evaluator of `If-Match`,
//! `If-Unmodified-Since`, `If-None-Match`, `If-Modified-Since`, `If-Range` and
//! `Range` for the whole of tackle, in the order of §13.2.2.
//!
//! 1. `If-Match` (strong comparison; `*` needs a current representation):
//!    false → 412.
//! 2. Only without `If-Match`, `If-Unmodified-Since`: modified after the
//!    date → 412.
//! 3. `If-None-Match` (weak comparison; `*` matches any current
//!    representation): a match → 304 for GET and HEAD, 412 otherwise.
//! 4. Only for GET and HEAD without `If-None-Match`, `If-Modified-Since`: not
//!    modified after the date → 304.
//! 5. Only for GET with a `Range` header and a known length: if `If-Range`
//!    is present and does not match, the whole representation (200); else
//!    the ranges (206), or 416 if none is satisfiable.
//!
//! Values that do not parse are handled so that a client never gets less
//! safety than it asked for: an invalid `If-Match` fails (412); an invalid
//! `If-None-Match` fails unsafe methods (412) and is ignored for GET and HEAD
//! (while still disabling `If-Modified-Since`, whose header is present);
//! invalid or repeated dates are ignored, as §13.1.3 and §13.1.4 require; an
//! invalid `If-Range` never matches; an invalid, repeated or non-`bytes`
//! `Range`, or one with too many ranges, is ignored (200). Preconditions are
//! ignored for CONNECT, OPTIONS and TRACE (§13.2.1). A representation of
//! length 0 is always sent whole: some clients add `Range: bytes=0-` to every
//! request, and Go's `net/http` answers those with 200 too.
//!
//! ```
//! use http::{HeaderMap, HeaderValue, Method, header};
//! use tackle_http::{EntityTag, Outcome, Preconditions, Validators};
//!
//! let mut headers = HeaderMap::new();
//! headers.insert(header::IF_NONE_MATCH, HeaderValue::from_static(r#"W/"v1""#));
//! let current = Validators { etag: Some(EntityTag::strong("v1").unwrap()), last_modified: None };
//! let outcome = Preconditions::new(&Method::GET, &headers).evaluate(&current, Some(1234));
//! assert_eq!(outcome, Outcome::NotModified);
//! assert_eq!(outcome.status(), http::StatusCode::NOT_MODIFIED);
//! ```

use http::{HeaderMap, HeaderName, Method, StatusCode, header};

use crate::TypedHeader;
use crate::date::{HttpDate, IfModifiedSince, IfUnmodifiedSince, LastModified};
use crate::etag::{EntityTag, IfMatch, IfNoneMatch};
use crate::range::{
    ContentRange, DEFAULT_MAX_RANGES, IfRange, Range, RangeResolution, ResolvedRanges,
};

/// The headers a `304 Not Modified` must carry when the 200 would have
/// (RFC 9110 §15.4.5): `Cache-Control`, `Content-Location`, `Date`, `ETag`,
/// `Expires` and `Vary`.
///
/// Other representation metadata should be left out, except what helps
/// caches update: `Last-Modified` is worth keeping when there is no `ETag`.
pub const NOT_MODIFIED_KEEPS: &[HeaderName] = &[
    header::CACHE_CONTROL,
    header::CONTENT_LOCATION,
    header::DATE,
    header::ETAG,
    header::EXPIRES,
    header::VARY,
];

/// The validators of the current representation: what the preconditions are
/// compared with. Both absent still means the representation exists (see
/// [`Preconditions::evaluate_missing`] for when it does not).
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct Validators {
    /// Its `ETag`, if it has one.
    pub etag: Option<EntityTag>,
    /// Its `Last-Modified` date, if it has one.
    pub last_modified: Option<HttpDate>,
}

impl Validators {
    /// Reads `ETag` and `Last-Modified` from response headers, e.g. those of
    /// an inner service; values that do not parse count as absent.
    pub fn from_headers(headers: &HeaderMap) -> Self {
        Validators {
            etag: EntityTag::from_headers(headers).and_then(Result::ok),
            last_modified: LastModified::from_headers(headers)
                .and_then(Result::ok)
                .map(|date| date.0),
        }
    }
}

/// What to answer to a conditional or range request.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum Outcome {
    /// Proceed as if there were no conditions: perform the method, and for
    /// GET or HEAD send the whole representation (200).
    Full,
    /// Send these ranges of the representation: 206 Partial Content.
    Partial(ResolvedRanges),
    /// 304 Not Modified, with the headers in [`NOT_MODIFIED_KEEPS`].
    NotModified,
    /// 412 Precondition Failed: do not perform the method.
    PreconditionFailed,
    /// 416 Range Not Satisfiable, with this `Content-Range` (`bytes */length`).
    RangeNotSatisfiable(ContentRange),
}

impl Outcome {
    /// The status code of the response: 200 for [`Outcome::Full`] (the
    /// method may well choose another 2xx).
    pub fn status(&self) -> StatusCode {
        match self {
            Outcome::Full => StatusCode::OK,
            Outcome::Partial(_) => StatusCode::PARTIAL_CONTENT,
            Outcome::NotModified => StatusCode::NOT_MODIFIED,
            Outcome::PreconditionFailed => StatusCode::PRECONDITION_FAILED,
            Outcome::RangeNotSatisfiable(_) => StatusCode::RANGE_NOT_SATISFIABLE,
        }
    }
}

/// The conditions of one request, ready to be evaluated against the current
/// representation.
///
/// Evaluate only when the response would otherwise be a 2xx (for ranges: a
/// 200 with the representation), as RFC 9110 §13.2.1 asks; an error or a
/// redirect ignores preconditions.
#[derive(Clone, Copy, Debug)]
pub struct Preconditions<'a> {
    method: &'a Method,
    headers: &'a HeaderMap,
    max_ranges: usize,
}

impl<'a> Preconditions<'a> {
    /// The conditions in a request's method and headers. Nothing is parsed
    /// until evaluation.
    pub fn new(method: &'a Method, headers: &'a HeaderMap) -> Self {
        Preconditions {
            method,
            headers,
            max_ranges: DEFAULT_MAX_RANGES,
        }
    }

    /// The most ranges served from one request; past it the `Range` header is
    /// ignored (200). Default [`DEFAULT_MAX_RANGES`] (100).
    pub fn max_ranges(mut self, max_ranges: usize) -> Self {
        self.max_ranges = max_ranges;
        self
    }

    /// Evaluates against an existing representation with these validators
    /// and, if known, this length (an unknown length disables ranges).
    pub fn evaluate(&self, current: &Validators, length: Option<u64>) -> Outcome {
        self.run(Some(current), length)
    }

    /// Evaluates when the target has no current representation, e.g. a PUT
    /// that would create it: `If-Match` fails, `If-None-Match: *` passes.
    pub fn evaluate_missing(&self) -> Outcome {
        self.run(None, None)
    }

    fn run(&self, current: Option<&Validators>, length: Option<u64>) -> Outcome {
        let method = self.method;
        if matches!(*method, Method::CONNECT | Method::OPTIONS | Method::TRACE) {
            return Outcome::Full;
        }
        let is_read = *method == Method::GET || *method == Method::HEAD;
        let etag = current.and_then(|c| c.etag.as_ref());
        let last_modified = current.and_then(|c| c.last_modified);

        // Step 1, or else step 2.
        if let Some(if_match) = IfMatch::from_headers(self.headers) {
            let passes = match if_match {
                Ok(list) if list.0.is_any() => current.is_some(),
                Ok(list) => etag.is_some_and(|e| list.0.matches_strong(e)),
                Err(_) => false,
            };
            if !passes {
                return Outcome::PreconditionFailed;
            }
        } else if let (Some(since), Some(modified)) =
            (self.single_date::<IfUnmodifiedSince>(), last_modified)
            && modified > since
        {
            return Outcome::PreconditionFailed;
        }

        // Step 3, or else step 4.
        let failed = if is_read {
            Outcome::NotModified
        } else {
            Outcome::PreconditionFailed
        };
        match IfNoneMatch::from_headers(self.headers) {
            Some(Ok(list)) => {
                let matched = current.is_some()
                    && (list.0.is_any() || etag.is_some_and(|e| list.0.matches_weak(e)));
                if matched {
                    return failed;
                }
            }
            Some(Err(_)) if !is_read => return failed,
            Some(Err(_)) => {}
            None if is_read => {
                if let (Some(since), Some(modified)) =
                    (self.single_date::<IfModifiedSince>(), last_modified)
                    && modified <= since
                {
                    return Outcome::NotModified;
                }
            }
            None => {}
        }

        // Step 5.
        match (current, length) {
            (Some(current), Some(length)) if *method == Method::GET => self.ranges(current, length),
            _ => Outcome::Full,
        }
    }

    fn ranges(&self, current: &Validators, length: u64) -> Outcome {
        let mut lines = self.headers.get_all(header::RANGE).iter();
        let (Some(line), None) = (lines.next(), lines.next()) else {
            return Outcome::Full;
        };
        // A repeated If-Range is as conflicting as a repeated Range: serve
        // the whole representation rather than guess which line counts.
        let mut if_ranges = self.headers.get_all(header::IF_RANGE).iter();
        match (if_ranges.next(), if_ranges.next()) {
            (None, _) => {}
            (Some(value), None) => {
                if !IfRange::from_header(value).is_ok_and(|r| r.matches(current)) {
                    return Outcome::Full;
                }
            }
            (Some(_), Some(_)) => return Outcome::Full,
        }
        if length == 0 {
            return Outcome::Full;
        }
        let Ok(Range::Bytes(set)) = Range::from_header(line) else {
            return Outcome::Full;
        };
        match set.resolve_limited(length, self.max_ranges) {
            RangeResolution::Satisfiable(ranges) => Outcome::Partial(ranges),
            RangeResolution::Unsatisfiable => {
                Outcome::RangeNotSatisfiable(ContentRange::unsatisfied(length))
            }
            RangeResolution::TooManyRanges => Outcome::Full,
        }
    }

    /// A date header sent exactly once with a valid date; otherwise `None`,
    /// to be ignored (RFC 9110 §13.1.3, §13.1.4).
    fn single_date<H: TypedHeader + Into<HttpDate>>(&self) -> Option<HttpDate> {
        let mut lines = self.headers.get_all(H::NAME).iter();
        match (lines.next(), lines.next()) {
            (Some(line), None) => H::from_header(line).ok().map(Into::into),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;

    /// Last-Modified of the current representation, and a day either side.
    const LM: &str = "Sat, 29 Oct 1994 19:43:31 GMT";
    const BEFORE: &str = "Fri, 28 Oct 1994 19:43:31 GMT";
    const AFTER: &str = "Sun, 30 Oct 1994 19:43:31 GMT";

    /// The current representation a case is evaluated against.
    #[derive(Clone, Copy, Debug)]
    enum Current {
        /// `"v1"` and [`LM`].
        Both,
        /// `W/"v1"` and [`LM`].
        Weak,
        /// `"v1"` only.
        EtagOnly,
        /// [`LM`] only.
        DateOnly,
        /// Exists, without validators.
        Bare,
        /// No current representation.
        Missing,
        /// Werkzeug's cases: Last-Modified of 2008-01-01 at the given hour.
        At(&'static str),
    }

    fn validators(current: Current) -> Option<Validators> {
        let strong = || EntityTag::strong("v1").ok();
        let lm = || LM.parse().ok();
        let v = |etag, last_modified| {
            Some(Validators {
                etag,
                last_modified,
            })
        };
        match current {
            Current::Both => v(strong(), lm()),
            Current::Weak => v(EntityTag::weak("v1").ok(), lm()),
            Current::EtagOnly => v(strong(), None),
            Current::DateOnly => v(None, lm()),
            Current::Bare => v(None, None),
            Current::Missing => None,
            Current::At(time) => v(
                EntityTag::strong("awesome").ok(),
                format!("Tue, 01 Jan 2008 {time} GMT").parse().ok(),
            ),
        }
    }

    /// The outcome as text: the status, then ranges or Content-Range.
    fn describe(outcome: &Outcome) -> String {
        match outcome {
            Outcome::Partial(ranges) => {
                let list: Vec<String> = ranges.iter().map(|r| r.to_string()).collect();
                format!("206 {}", list.join(","))
            }
            Outcome::RangeNotSatisfiable(c) => format!("416 {c}"),
            other => other.status().as_u16().to_string(),
        }
    }

    fn evaluate(
        method: &str,
        lines: &[(&str, &str)],
        current: Current,
        length: Option<u64>,
    ) -> Outcome {
        let method: Method = method.parse().unwrap();
        let mut headers = HeaderMap::new();
        for (name, value) in lines {
            headers.append(
                HeaderName::from_bytes(name.as_bytes()).unwrap(),
                HeaderValue::from_str(value).unwrap(),
            );
        }
        let preconditions = Preconditions::new(&method, &headers);
        match validators(current) {
            Some(v) => preconditions.evaluate(&v, length),
            None => preconditions.evaluate_missing(),
        }
    }

    #[test]
    fn evaluation_table() {
        use Current::*;
        const LEN: Option<u64> = Some(10_000);
        type Case = (
            &'static str,
            &'static [(&'static str, &'static str)],
            Current,
            Option<u64>,
            &'static str,
        );
        #[rustfmt::skip]
        let cases: &[Case] = &[
            // no conditions: any method proceeds (Werkzeug: POST is "modified")
            ("GET", &[], Both, LEN, "200"),
            ("POST", &[], Both, LEN, "200"),
            // step 1: If-Match, strong comparison
            ("PUT", &[("if-match", r#""v1""#)], Both, LEN, "200"),
            ("PUT", &[("if-match", r#""v0", "v1""#)], Both, LEN, "200"),
            ("PUT", &[("if-match", r#""v2""#)], Both, LEN, "412"),
            ("PUT", &[("if-match", r#"W/"v1""#)], Both, LEN, "412"),
            ("PUT", &[("if-match", r#""v1""#)], Weak, LEN, "412"),
            ("PUT", &[("if-match", r#""v1""#)], DateOnly, LEN, "412"),
            ("PUT", &[("if-match", "*")], Both, LEN, "200"),
            ("PUT", &[("if-match", "*")], Bare, LEN, "200"),
            ("PUT", &[("if-match", "*")], Missing, None, "412"),
            ("PUT", &[("if-match", r#""v1""#)], Missing, None, "412"),
            ("PUT", &[("if-match", r#""v1"#)], Both, LEN, "412"),
            ("GET", &[("if-match", r#""v2""#)], Both, LEN, "412"),
            ("DELETE", &[("if-match", r#""v1""#), ("if-match", r#""v2""#)], Both, LEN, "200"),
            // step 2: If-Unmodified-Since, only without If-Match
            ("PUT", &[("if-unmodified-since", LM)], Both, LEN, "200"),
            ("PUT", &[("if-unmodified-since", AFTER)], Both, LEN, "200"),
            ("PUT", &[("if-unmodified-since", BEFORE)], Both, LEN, "412"),
            ("GET", &[("if-unmodified-since", BEFORE)], Both, LEN, "412"),
            ("PUT", &[("if-unmodified-since", BEFORE)], EtagOnly, LEN, "200"),
            ("PUT", &[("if-unmodified-since", BEFORE)], Missing, None, "200"),
            ("PUT", &[("if-unmodified-since", "yesterday")], Both, LEN, "200"),
            ("PUT", &[("if-unmodified-since", BEFORE), ("if-unmodified-since", LM)], Both, LEN, "200"),
            ("PUT", &[("if-match", r#""v1""#), ("if-unmodified-since", BEFORE)], Both, LEN, "200"),
            ("PUT", &[("if-match", r#""v2""#), ("if-unmodified-since", AFTER)], Both, LEN, "412"),
            // step 3: If-None-Match, weak comparison; 304 for GET/HEAD, 412 otherwise
            ("GET", &[("if-none-match", r#""v1""#)], Both, LEN, "304"),
            ("HEAD", &[("if-none-match", r#""v1""#)], Both, LEN, "304"),
            ("PUT", &[("if-none-match", r#""v1""#)], Both, LEN, "412"),
            ("POST", &[("if-none-match", r#""v1""#)], Both, LEN, "412"),
            ("GET", &[("if-none-match", r#"W/"v1""#)], Both, LEN, "304"),
            ("GET", &[("if-none-match", r#""v1""#)], Weak, LEN, "304"),
            ("GET", &[("if-none-match", r#""v2""#)], Both, LEN, "200"),
            ("GET", &[("if-none-match", r#""v2""#), ("if-none-match", r#"W/"v1""#)], Both, LEN, "304"),
            ("GET", &[("if-none-match", r#""v1""#)], DateOnly, LEN, "200"),
            ("GET", &[("if-none-match", "*")], Both, LEN, "304"),
            ("GET", &[("if-none-match", "*")], Bare, LEN, "304"),
            ("PUT", &[("if-none-match", "*")], Bare, LEN, "412"),
            ("PUT", &[("if-none-match", "*")], Missing, None, "200"),
            ("PUT", &[("if-none-match", r#""v1""#)], Missing, None, "200"),
            ("GET", &[("if-none-match", r#""v1" "v2""#)], Both, LEN, "200"),
            ("PUT", &[("if-none-match", r#""v1" "v2""#)], Both, LEN, "412"),
            // step order: If-Match and If-Unmodified-Since fail before If-None-Match
            ("GET", &[("if-match", r#""v2""#), ("if-none-match", r#""v1""#)], Both, LEN, "412"),
            ("GET", &[("if-match", r#""v1""#), ("if-none-match", r#""v1""#)], Both, LEN, "304"),
            ("GET", &[("if-unmodified-since", BEFORE), ("if-none-match", r#""v1""#)], Both, LEN, "412"),
            // step 4: If-Modified-Since, GET and HEAD only, not with If-None-Match
            ("GET", &[("if-modified-since", LM)], Both, LEN, "304"),
            ("GET", &[("if-modified-since", AFTER)], Both, LEN, "304"),
            ("GET", &[("if-modified-since", BEFORE)], Both, LEN, "200"),
            ("HEAD", &[("if-modified-since", LM)], DateOnly, LEN, "304"),
            ("PUT", &[("if-modified-since", LM)], Both, LEN, "200"),
            ("POST", &[("if-modified-since", AFTER)], Both, LEN, "200"),
            ("GET", &[("if-modified-since", LM)], EtagOnly, LEN, "200"),
            ("GET", &[("if-modified-since", "0")], Both, LEN, "200"),
            ("GET", &[("if-modified-since", LM), ("if-modified-since", LM)], Both, LEN, "200"),
            ("GET", &[("if-modified-since", LM), ("if-none-match", r#""v2""#)], Both, LEN, "200"),
            ("GET", &[("if-modified-since", LM), ("if-none-match", r#"""#)], Both, LEN, "200"),
            ("GET", &[("if-modified-since", BEFORE), ("if-none-match", r#""v1""#)], Both, LEN, "304"),
            // Werkzeug test_is_resource_modified (Last-Modified 2008-01-01 at the hour given)
            ("GET", &[("if-none-match", r#""awesome""#)], At("12:00:00"), LEN, "304"),
            ("GET", &[("if-modified-since", "Tue, 01 Jan 2008 12:30:00 GMT")], At("12:00:00"), LEN, "304"),
            ("GET", &[("if-modified-since", "Tue, 01 Jan 2008 12:30:00 GMT")], At("13:00:00"), LEN, "200"),
            // step 5: Range, GET only, known length
            ("GET", &[("range", "bytes=0-499")], Both, LEN, "206 0-499"),
            ("GET", &[("range", "bytes=0-0,-1")], Both, LEN, "206 0-0,9999-9999"),
            ("GET", &[("range", "bytes=500-700,601-999")], Both, LEN, "206 500-999"),
            ("GET", &[("range", "bytes=10000-")], Both, LEN, "416 bytes */10000"),
            ("GET", &[("range", "bytes=-0")], Both, LEN, "416 bytes */10000"),
            ("GET", &[("range", "bytes=0-499")], Bare, LEN, "206 0-499"),
            ("HEAD", &[("range", "bytes=0-499")], Both, LEN, "200"),
            ("PUT", &[("range", "bytes=0-499")], Both, LEN, "200"),
            ("GET", &[("range", "bytes=0-499")], Both, None, "200"),
            ("GET", &[("range", "bytes=0-")], Both, Some(0), "200"),
            ("GET", &[("range", "items=0-1")], Both, LEN, "200"),
            ("GET", &[("range", "bytes=1-0")], Both, LEN, "200"),
            ("GET", &[("range", "bytes=0-1"), ("range", "bytes=5-6")], Both, LEN, "200"),
            // If-Range: strong etag or exact date, else the whole representation
            ("GET", &[("range", "bytes=0-499"), ("if-range", r#""v1""#)], Both, LEN, "206 0-499"),
            ("GET", &[("range", "bytes=0-499"), ("if-range", r#""v2""#)], Both, LEN, "200"),
            ("GET", &[("range", "bytes=0-499"), ("if-range", r#"W/"v1""#)], Weak, LEN, "200"),
            ("GET", &[("range", "bytes=0-499"), ("if-range", LM)], Both, LEN, "206 0-499"),
            ("GET", &[("range", "bytes=0-499"), ("if-range", BEFORE)], Both, LEN, "200"),
            ("GET", &[("range", "bytes=0-499"), ("if-range", LM)], EtagOnly, LEN, "200"),
            ("GET", &[("range", "bytes=0-499"), ("if-range", "x y")], Both, LEN, "200"),
            ("GET", &[("range", "bytes=10000-"), ("if-range", r#""v2""#)], Both, LEN, "200"),
            ("GET", &[("if-range", r#""v2""#)], Both, LEN, "200"),
            // Two If-Range lines conflict: the whole representation.
            ("GET", &[("range", "bytes=0-499"), ("if-range", r#""v1""#), ("if-range", r#""v2""#)], Both, LEN, "200"),
            ("GET", &[("range", "bytes=0-499"), ("if-range", r#""v1""#), ("if-range", r#""v1""#)], Both, LEN, "200"),
            // Werkzeug test_is_resource_modified_for_range_requests
            ("GET", &[("if-modified-since", "Tue, 01 Jan 2008 12:30:00 GMT"), ("if-range", r#""other""#)], At("12:30:00"), LEN, "304"),
            ("GET", &[("range", "bytes=0-0"), ("if-range", r#""awesome""#)], At("12:30:00"), LEN, "206 0-0"),
            ("GET", &[("range", "bytes=0-0"), ("if-range", r#""not_the_same""#)], At("12:30:00"), LEN, "200"),
            ("GET", &[("range", "bytes=0-0"), ("if-range", "Tue, 01 Jan 2008 13:30:00 GMT")], At("14:00:00"), LEN, "200"),
            ("GET", &[("range", "bytes=0-0"), ("if-range", "Tue, 01 Jan 2008 13:30:00 GMT")], At("13:30:00"), LEN, "206 0-0"),
            // conditions come before ranges
            ("GET", &[("range", "bytes=0-499"), ("if-none-match", r#""v1""#)], Both, LEN, "304"),
            ("GET", &[("range", "bytes=0-499"), ("if-match", r#""v2""#)], Both, LEN, "412"),
            ("GET", &[("range", "bytes=0-499"), ("if-modified-since", BEFORE)], Both, LEN, "206 0-499"),
            ("GET", &[("range", "bytes=0-499"), ("if-match", r#""v1""#)], Both, LEN, "206 0-499"),
            // methods without a selected representation ignore preconditions
            ("OPTIONS", &[("if-match", r#""v2""#)], Both, LEN, "200"),
            ("TRACE", &[("if-none-match", "*")], Both, LEN, "200"),
        ];
        for (method, lines, current, length, want) in cases {
            let got = describe(&evaluate(method, lines, *current, *length));
            assert_eq!(
                got, *want,
                "{method} {lines:?} against {current:?}, length {length:?}"
            );
        }
    }

    #[test]
    fn range_limit_is_configurable() {
        let many = format!(
            "bytes={}",
            (0..150)
                .map(|i| format!("{}-{}", i * 10, i * 10))
                .collect::<Vec<_>>()
                .join(",")
        );
        let mut headers = HeaderMap::new();
        headers.insert(header::RANGE, HeaderValue::from_str(&many).unwrap());
        let current = Validators::default();
        let default = Preconditions::new(&Method::GET, &headers).evaluate(&current, Some(10_000));
        assert_eq!(default, Outcome::Full);
        let raised = Preconditions::new(&Method::GET, &headers)
            .max_ranges(150)
            .evaluate(&current, Some(10_000));
        let Outcome::Partial(ranges) = raised else {
            panic!("partial: {raised:?}")
        };
        assert_eq!(ranges.as_slice().len(), 150);
        let lowered = Preconditions::new(&Method::GET, &headers)
            .max_ranges(0)
            .evaluate(&current, Some(10_000));
        assert_eq!(lowered, Outcome::Full);
    }

    #[test]
    fn validators_from_response_headers() {
        let mut headers = HeaderMap::new();
        headers.insert(header::ETAG, HeaderValue::from_static(r#"W/"abc""#));
        headers.insert(header::LAST_MODIFIED, HeaderValue::from_static(LM));
        let v = Validators::from_headers(&headers);
        assert_eq!(v.etag, EntityTag::weak("abc").ok());
        assert_eq!(v.last_modified, LM.parse().ok());
        headers.insert(header::ETAG, HeaderValue::from_static("a b"));
        headers.insert(header::LAST_MODIFIED, HeaderValue::from_static("soon"));
        assert_eq!(Validators::from_headers(&headers), Validators::default());
    }

    #[test]
    fn not_modified_keeps_the_rfc_list() {
        let names: Vec<&str> = NOT_MODIFIED_KEEPS.iter().map(HeaderName::as_str).collect();
        assert_eq!(
            names,
            [
                "cache-control",
                "content-location",
                "date",
                "etag",
                "expires",
                "vary"
            ]
        );
        assert_eq!(
            Outcome::RangeNotSatisfiable(ContentRange::unsatisfied(5)).status(),
            416
        );
    }
}
