//! Hostile input is linear and bounded: every parser meets 1 MiB values,
//! 100 000 list items, 10 000 ranges and deeply nested quoting without
//! panicking and within a generous time bound that a quadratic algorithm
//! could not meet (1 MiB squared is 10^12 steps). Throughput itself is
//! measured in the `http/hostile/*` benchmark scenarios, not here.

use std::path::Path;
use std::time::{Duration, Instant};

use http::{HeaderMap, HeaderValue, Method, header};
use tackle_http::header::{Parameters, split_list};
use tackle_http::proxy::{Forwarded, XForwardedFor};
use tackle_http::*;

const MIB: usize = 1 << 20;
/// Generous for a debug build on a loaded 2-core CI machine.
const BOUND: Duration = Duration::from_secs(10);

/// The hostile inputs, each about 1 MiB or larger.
fn inputs() -> Vec<(&'static str, String)> {
    vec![
        ("1 MiB of one letter", "a".repeat(MIB)),
        ("1 MiB of quotes", "\"".repeat(MIB)),
        ("1 MiB of commas", ",".repeat(MIB)),
        ("1 MiB of semicolons", ";".repeat(MIB)),
        ("1 MiB of equals", "=".repeat(MIB)),
        ("1 MiB of percents", "%".repeat(MIB)),
        ("1 MiB of backslashes", "\\".repeat(MIB)),
        ("1 MiB of stars", "*".repeat(MIB)),
        ("100 000 list items", "a, ".repeat(100_000)),
        (
            "100 000 weighted items",
            "text/html;q=0.5, ".repeat(100_000),
        ),
        (
            "100 000 parameters",
            "x;a=b".to_string() + &";a=b".repeat(100_000),
        ),
        ("100 000 entity tags", "W/\"x\", ".repeat(100_000)),
        ("100 000 cookies", "a=b; ".repeat(100_000)),
        ("100 000 form pairs", "a=b&".repeat(100_000)),
        ("100 000 forwarded hops", "for=192.0.2.1, ".repeat(100_000)),
        (
            "10 000 ranges",
            "bytes=".to_string() + &"0-1,".repeat(10_000),
        ),
        (
            "100 000 ranges",
            "bytes=".to_string() + &"5-9,".repeat(100_000),
        ),
        (
            "deeply nested quoting",
            format!("a=\"{}\"", "\\\"".repeat(MIB / 2)),
        ),
        (
            "unterminated escaped quote",
            format!("a=\"{}", "\\\\\\\"".repeat(MIB / 4)),
        ),
        ("quote-comma alternation", "\",".repeat(MIB / 2)),
        (
            "RFC 2231 continuations",
            (0..50_000).map(|i| format!("; f*{i}*=%41")).collect(),
        ),
        ("1 MiB path", "a/".repeat(MIB / 2)),
        ("1 MiB of dot segments", "../".repeat(MIB / 3)),
    ]
}

fn check(parser: &str, parse: impl Fn(&str)) {
    for (name, input) in inputs() {
        let start = Instant::now();
        parse(&input);
        let took = start.elapsed();
        assert!(took < BOUND, "{parser} took {took:?} on {name}");
    }
}

macro_rules! hostile_header_tests {
    ($($test:ident: $ty:ty,)*) => {$(
        #[test]
        fn $test() {
            check(stringify!($ty), |s| {
                let _ = <$ty as TypedHeader>::parse_value(s);
                if let Ok(value) = HeaderValue::from_str(s) {
                    let _ = <$ty as TypedHeader>::from_header(&value);
                }
            });
        }
    )*};
}

hostile_header_tests! {
    accept: Accept,
    accept_language: AcceptLanguage,
    accept_encoding: AcceptEncoding,
    accept_charset: AcceptCharset,
    cache_control: CacheControl,
    entity_tag: EntityTag,
    if_match: IfMatch,
    if_none_match: IfNoneMatch,
    last_modified: LastModified,
    range: Range,
    content_range: ContentRange,
    if_range: IfRange,
    content_type: ContentType,
    content_disposition: ContentDisposition,
    authorization: Authorization,
    www_authenticate: WwwAuthenticate,
    cookies: Cookies,
    set_cookie: SetCookie,
    forwarded: Forwarded,
    x_forwarded_for: XForwardedFor,
    host: Host,
}

#[test]
fn header_grammar() {
    check("split_list", |s| {
        let _ = split_list(s).count();
    });
    check("Parameters", |s| {
        let _ = Parameters::parse_str(s).len();
    });
}

#[test]
fn forms_and_paths() {
    check("decode_form", |s| {
        let _ = decode_form(s);
    });
    check("secure_filename", |s| {
        let _ = secure_filename(s);
    });
    check("safe_join_url_path", |s| {
        let _ = safe_join_url_path(Path::new("/srv"), s);
    });
}

#[test]
fn negotiation_against_many_items() {
    check("Accept::best_match", |s| {
        if let Ok(accept) = Accept::parse_value(s) {
            let _ = accept.best_match(["text/html", "application/json"]);
        }
    });
}

#[test]
fn range_resolution_and_conditional_evaluation() {
    check("resolve", |s| {
        if let Ok(range) = Range::parse_value(s)
            && let Some(set) = range.byte_ranges()
        {
            let _ = set.resolve(1_000_000);
            let _ = set.resolve_limited(1_000_000, usize::MAX);
        }
    });
    check("Preconditions", |s| {
        let Ok(value) = HeaderValue::from_str(s) else {
            return;
        };
        let mut headers = HeaderMap::new();
        for name in [
            header::IF_MATCH,
            header::IF_NONE_MATCH,
            header::IF_MODIFIED_SINCE,
            header::RANGE,
            header::IF_RANGE,
        ] {
            headers.insert(name, value.clone());
        }
        let current = Validators {
            etag: EntityTag::strong("x").ok(),
            last_modified: HttpDate::from_unix_secs(1_700_000_000),
        };
        let _ = Preconditions::new(&Method::GET, &headers)
            .max_ranges(usize::MAX)
            .evaluate(&current, Some(1_000_000));
    });
}
