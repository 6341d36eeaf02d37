//! Every documented limit of tackle-http, tested at the limit and one past,
//! and named in the error it produces.

use tackle_http::cache_control::DELTA_SECONDS_MAX;
use tackle_http::content_disposition::MAX_PARAMS;
use tackle_http::proxy::{
    Forwarded, MAX_FORWARDED_ELEMENTS, MAX_FORWARDED_PARAMETERS, MAX_X_FORWARDED_FOR_ENTRIES,
    XForwardedFor,
};
use tackle_http::urlencoded::decode_form_limited;
use tackle_http::{
    CacheControl, ContentDisposition, DEFAULT_MAX_RANGES, Host, MAX_FILENAME_LEN, MAX_HOSTNAME_LEN,
    Range, RangeResolution, TypedHeader, secure_filename,
};

fn ranges(n: usize) -> String {
    let specs: Vec<String> = (0..n)
        .map(|i| format!("{}-{}", i * 10, i * 10 + 1))
        .collect();
    format!("bytes={}", specs.join(","))
}

#[test]
fn max_ranges() {
    let at: Range = ranges(DEFAULT_MAX_RANGES).parse().unwrap();
    match at.byte_ranges().unwrap().resolve(1_000_000) {
        RangeResolution::Satisfiable(r) => assert_eq!(r.as_slice().len(), DEFAULT_MAX_RANGES),
        other => panic!("{other:?}"),
    }
    let past: Range = ranges(DEFAULT_MAX_RANGES + 1).parse().unwrap();
    assert_eq!(
        past.byte_ranges().unwrap().resolve(1_000_000),
        RangeResolution::TooManyRanges
    );
}

#[test]
fn max_hostname_len() {
    // Labels of at most 63 bytes, joined to exactly the limit.
    let label = "a".repeat(63);
    let at = format!("{label}.{label}.{label}.{}", "b".repeat(61));
    assert_eq!(at.len(), MAX_HOSTNAME_LEN);
    assert!(Host::parse_value(&at).is_ok());
    let past = format!("{at}c");
    let err = Host::parse_value(&past).unwrap_err();
    assert!(err.is_too_large());
    assert!(
        err.to_string().contains("MAX_HOSTNAME_LEN (253 bytes)"),
        "{err}"
    );
}

#[test]
fn max_filename_len() {
    let at = "a".repeat(MAX_FILENAME_LEN);
    assert_eq!(secure_filename(&at).as_deref(), Some(at.as_str()));
    let past = format!("{at}a.txt");
    let safe = secure_filename(&past).unwrap();
    assert_eq!(safe.len(), MAX_FILENAME_LEN);
    assert!(
        safe.ends_with(".txt"),
        "the extension survives truncation: {safe}"
    );
}

#[test]
fn max_forwarded_elements() {
    let at = vec!["for=192.0.2.1"; MAX_FORWARDED_ELEMENTS].join(", ");
    assert_eq!(
        Forwarded::parse_value(&at).unwrap().elements().len(),
        MAX_FORWARDED_ELEMENTS
    );
    let past = format!("{at}, for=192.0.2.2");
    let err = Forwarded::parse_value(&past).unwrap_err();
    assert!(err.is_too_large());
    assert!(
        err.to_string().contains("MAX_FORWARDED_ELEMENTS (100)"),
        "{err}"
    );
}

#[test]
fn max_forwarded_parameters() {
    let params: Vec<String> = (0..MAX_FORWARDED_PARAMETERS)
        .map(|i| format!("ext{i}=v"))
        .collect();
    let at = params.join(";");
    assert!(Forwarded::parse_value(&at).is_ok());
    let past = format!("{at};one=more");
    let err = Forwarded::parse_value(&past).unwrap_err();
    assert!(err.is_too_large());
    assert!(
        err.to_string().contains("MAX_FORWARDED_PARAMETERS (20)"),
        "{err}"
    );
}

#[test]
fn max_x_forwarded_for_entries() {
    let at = vec!["192.0.2.1"; MAX_X_FORWARDED_FOR_ENTRIES].join(", ");
    assert_eq!(
        XForwardedFor::parse_value(&at).unwrap().nodes().len(),
        MAX_X_FORWARDED_FOR_ENTRIES
    );
    let past = format!("{at}, 192.0.2.2");
    let err = XForwardedFor::parse_value(&past).unwrap_err();
    assert!(err.is_too_large());
    assert!(
        err.to_string()
            .contains("MAX_X_FORWARDED_FOR_ENTRIES (100)"),
        "{err}"
    );
}

#[test]
fn content_disposition_max_params() {
    let params: String = (0..MAX_PARAMS).map(|i| format!("; p{i}=v")).collect();
    assert!(ContentDisposition::parse_value(&format!("attachment{params}")).is_ok());
    let err =
        ContentDisposition::parse_value(&format!("attachment{params}; one=more")).unwrap_err();
    assert!(err.is_too_large());
    assert!(err.to_string().contains("MAX_PARAMS (256)"), "{err}");
}

#[test]
fn form_max_pairs() {
    let at = vec!["a=1"; 1000].join("&");
    assert_eq!(decode_form_limited(&at, 1000).unwrap().len(), 1000);
    let past = format!("{at}&b=2");
    let err = decode_form_limited(&past, 1000).unwrap_err();
    assert!(err.is_too_large());
    assert!(err.to_string().contains("max_pairs (1000)"), "{err}");
}

#[test]
fn cache_control_delta_seconds_saturate_at_2_pow_31() {
    let at = CacheControl::parse_value(&format!("max-age={DELTA_SECONDS_MAX}")).unwrap();
    assert_eq!(at.max_age().unwrap().as_secs(), DELTA_SECONDS_MAX);
    let past = CacheControl::parse_value(&format!("max-age={}", DELTA_SECONDS_MAX + 1)).unwrap();
    assert_eq!(past.max_age().unwrap().as_secs(), DELTA_SECONDS_MAX);
    let huge = CacheControl::parse_value("max-age=99999999999999999999999999").unwrap();
    assert_eq!(huge.max_age().unwrap().as_secs(), DELTA_SECONDS_MAX);
}
