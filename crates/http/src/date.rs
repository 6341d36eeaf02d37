//! HTTP dates (RFC 9110 §5.6.7) and the headers that carry one: `Date`
//! (§6.6.1), `Last-Modified` (§8.8.2), `If-Modified-Since` (§13.1.3),
//! `If-Unmodified-Since` (§13.1.4) and `Expires` (RFC 9111 §5.3).
//!
//! Parsing accepts the three formats the RFC asks recipients to read
//! (IMF-fixdate, RFC 850 and asctime) with surrounding whitespace, through the
//! `httpdate` crate; formatting always produces IMF-fixdate. Dates have
//! second precision and span 1970-01-01 to 9999-12-31: earlier dates, which
//! Werkzeug accepts, are rejected, and [`SystemTime`]s outside the span are
//! clamped to it.
//!
//! ```
//! use tackle_http::{HttpDate, IfModifiedSince, TypedHeader};
//!
//! let since: IfModifiedSince = "Sunday, 06-Nov-94 08:49:37 GMT".parse().unwrap();
//! assert_eq!(since.0.to_string(), "Sun, 06 Nov 1994 08:49:37 GMT");
//! let modified = HttpDate::from_unix_secs(784111777).unwrap();
//! assert!(modified <= since.0); // not modified: answer 304
//! ```

use std::fmt;
use std::str::FromStr;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use http::{HeaderName, HeaderValue, header};

use crate::{ParseError, TypedHeader};

/// 9999-12-31T23:59:59Z, the last instant an IMF-fixdate can spell.
const MAX_SECS: u64 = 253_402_300_799;

/// An instant with second precision, as HTTP headers carry it.
///
/// Ordered and compared by time. Converts from [`SystemTime`] (dropping
/// sub-second precision and clamping to 1970..=9999) and into it.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct HttpDate {
    /// Seconds since the Unix epoch, at most `MAX_SECS`.
    secs: u64,
}

impl HttpDate {
    /// 1970-01-01T00:00:00Z, the earliest representable date.
    pub const UNIX_EPOCH: HttpDate = HttpDate { secs: 0 };

    /// 9999-12-31T23:59:59Z, the latest representable date.
    pub const MAX: HttpDate = HttpDate { secs: MAX_SECS };

    /// The current time, truncated to the second.
    pub fn now() -> Self {
        SystemTime::now().into()
    }

    /// The date `secs` seconds after the Unix epoch; `None` past the year 9999.
    pub const fn from_unix_secs(secs: u64) -> Option<Self> {
        if secs <= MAX_SECS {
            Some(HttpDate { secs })
        } else {
            None
        }
    }

    /// Seconds since the Unix epoch.
    pub const fn unix_secs(&self) -> u64 {
        self.secs
    }

    /// Parses IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`), RFC 850
    /// (`Sunday, 06-Nov-94 08:49:37 GMT`) or asctime
    /// (`Sun Nov  6 08:49:37 1994`), ignoring surrounding whitespace.
    ///
    /// The weekday must agree with the date, and RFC 850's two-digit years
    /// 00-69 mean 2000-2069 and 70-99 mean 1970-1999.
    pub fn parse(s: &str) -> Result<Self, ParseError> {
        Self::parse_as(s, "HTTP-date")
    }

    fn parse_as(s: &str, what: &'static str) -> Result<Self, ParseError> {
        let date: httpdate::HttpDate = s
            .parse()
            .map_err(|_| ParseError::invalid(what, "not an HTTP-date"))?;
        Ok(SystemTime::from(date).into())
    }

    /// The IMF-fixdate as a header value.
    pub(crate) fn to_header_value(self) -> HeaderValue {
        // The 29 ASCII bytes of an IMF-fixdate, formatted without a String.
        let mut buf = [0u8; 29];
        let mut out = &mut buf[..];
        if std::io::Write::write_fmt(&mut out, format_args!("{self}")).is_ok()
            && let Ok(value) = HeaderValue::from_bytes(&buf)
        {
            return value;
        }
        crate::header::header_value(self.to_string())
    }
}

impl From<SystemTime> for HttpDate {
    /// Truncates to the second; times before 1970 become [`HttpDate::UNIX_EPOCH`]
    /// and times after 9999 become [`HttpDate::MAX`].
    fn from(time: SystemTime) -> Self {
        let secs = time.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
        HttpDate {
            secs: secs.min(MAX_SECS),
        }
    }
}

impl From<HttpDate> for SystemTime {
    fn from(date: HttpDate) -> Self {
        UNIX_EPOCH + Duration::from_secs(date.secs)
    }
}

impl FromStr for HttpDate {
    type Err = ParseError;

    fn from_str(s: &str) -> Result<Self, ParseError> {
        Self::parse(s)
    }
}

impl fmt::Display for HttpDate {
    /// IMF-fixdate, e.g. `Sun, 06 Nov 1994 08:49:37 GMT`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        httpdate::HttpDate::from(SystemTime::from(*self)).fmt(f)
    }
}

impl fmt::Debug for HttpDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "HttpDate({self})")
    }
}

/// Defines a typed header whose value is one [`HttpDate`].
macro_rules! date_header {
    ($(#[$doc:meta])* $name:ident, $header:ident, $what:literal) => {
        $(#[$doc])*
        #[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
        pub struct $name(pub HttpDate);

        impl TypedHeader for $name {
            const NAME: HeaderName = header::$header;

            fn parse_value(value: &str) -> Result<Self, ParseError> {
                HttpDate::parse_as(value, $what).map($name)
            }

            fn to_header_value(&self) -> HeaderValue {
                self.0.to_header_value()
            }
        }

        impl FromStr for $name {
            type Err = ParseError;

            fn from_str(s: &str) -> Result<Self, ParseError> {
                Self::parse_value(s)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl From<HttpDate> for $name {
            fn from(date: HttpDate) -> Self {
                $name(date)
            }
        }

        impl From<$name> for HttpDate {
            fn from(header: $name) -> Self {
                header.0
            }
        }
    };
}

date_header!(
    /// The `Date` header (RFC 9110 §6.6.1): when the message was generated.
    Date,
    DATE,
    "Date"
);

date_header!(
    /// The `Last-Modified` response header (RFC 9110 §8.8.2): when the origin
    /// believes the representation last changed.
    LastModified,
    LAST_MODIFIED,
    "Last-Modified"
);

date_header!(
    /// The `If-Modified-Since` request header (RFC 9110 §13.1.3): answer 304
    /// unless the representation changed after this date (GET and HEAD only).
    IfModifiedSince,
    IF_MODIFIED_SINCE,
    "If-Modified-Since"
);

date_header!(
    /// The `If-Unmodified-Since` request header (RFC 9110 §13.1.4): answer
    /// 412 if the representation changed after this date.
    IfUnmodifiedSince,
    IF_UNMODIFIED_SINCE,
    "If-Unmodified-Since"
);

date_header!(
    /// The `Expires` response header (RFC 9111 §5.3). A cache must treat a
    /// value that fails to parse (notably `0`) as a time in the past.
    Expires,
    EXPIRES,
    "Expires"
);

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// 1994-11-06T08:49:37Z, the RFC's example instant.
    const RFC_EXAMPLE: u64 = 784_111_777;

    #[test]
    fn parse_table() {
        #[rustfmt::skip]
        let cases: &[(&str, Option<u64>)] = &[
            // RFC 9110 §5.6.7: the three formats of one instant
            ("Sun, 06 Nov 1994 08:49:37 GMT", Some(RFC_EXAMPLE)),
            ("Sunday, 06-Nov-94 08:49:37 GMT", Some(RFC_EXAMPLE)),
            ("Sun Nov  6 08:49:37 1994", Some(RFC_EXAMPLE)),
            // RFC 9110 §8.8.2 and §13.1.3 examples
            ("Tue, 15 Nov 1994 12:45:26 GMT", Some(784_903_526)),
            ("Sat, 29 Oct 1994 19:43:31 GMT", Some(783_459_811)),
            // Werkzeug test_parse_date
            ("Sun, 06 Nov 1994 08:49:37 GMT    ", Some(RFC_EXAMPLE)),
            (" Sun Nov  6 08:49:37 1994", Some(RFC_EXAMPLE)),
            ("foo", None),
            ("Thu, 01 Jan 1970 00:00:00 GMT", Some(0)),
            ("Thu, 33 Jan 1970 00:00:00 GMT", None),
            // Werkzeug accepts years before 1970; HTTP dates here start at 1970
            (" Sun 02 Feb 1343 08:49:37 GMT", None),
            ("Mon, 01 Jan 1900 00:00:00 GMT", None),
            // range ends and calendar edges
            ("Fri, 31 Dec 9999 23:59:59 GMT", Some(MAX_SECS)),
            ("Tue, 29 Feb 2000 00:00:00 GMT", Some(951_782_400)),
            ("Thu, 29 Feb 2001 00:00:00 GMT", None),
            ("Wednesday, 01-Jan-70 00:00:00 GMT", None),
            ("Thursday, 01-Jan-70 00:00:00 GMT", Some(0)),
            ("Saturday, 01-Jan-00 00:00:00 GMT", Some(946_684_800)),
            // wrong weekday, bad fields, not ASCII
            ("Mon, 06 Nov 1994 08:49:37 GMT", None),
            ("Sun, 06 Nov 1994 24:00:00 GMT", None),
            ("Sun, 06 Nov 1994 08:49:37 UTC", None),
            ("Sun, 06 Nov 1994 08:49:37 GMT garbage", None),
            ("Sün, 06 Nov 1994 08:49:37 GMT", None),
            ("0", None),
            ("", None),
        ];
        for (input, want) in cases {
            let got = HttpDate::parse(input).ok().map(|d| d.unix_secs());
            assert_eq!(got, *want, "{input:?}");
        }
    }

    #[test]
    fn format_table() {
        // Werkzeug test_http_date, for the instants this type can hold
        #[rustfmt::skip]
        let cases: &[(u64, &str)] = &[
            (RFC_EXAMPLE, "Sun, 06 Nov 1994 08:49:37 GMT"),
            (RFC_EXAMPLE + 8 * 3600, "Sun, 06 Nov 1994 16:49:37 GMT"),
            (0, "Thu, 01 Jan 1970 00:00:00 GMT"),
            (1_577_836_800, "Wed, 01 Jan 2020 00:00:00 GMT"),
            (MAX_SECS, "Fri, 31 Dec 9999 23:59:59 GMT"),
        ];
        for (secs, want) in cases {
            let date = HttpDate::from_unix_secs(*secs).unwrap();
            assert_eq!(date.to_string(), *want, "{secs}");
            assert_eq!(LastModified(date).to_header_value(), *want, "{secs}");
        }
    }

    #[test]
    fn system_time_conversions_clamp_and_truncate() {
        let t = UNIX_EPOCH + Duration::from_millis(1_500);
        assert_eq!(HttpDate::from(t).unix_secs(), 1);
        assert_eq!(
            SystemTime::from(HttpDate::from(t)),
            UNIX_EPOCH + Duration::from_secs(1)
        );
        let before = UNIX_EPOCH - Duration::from_secs(10);
        assert_eq!(HttpDate::from(before), HttpDate::UNIX_EPOCH);
        let far = UNIX_EPOCH + Duration::from_secs(u64::MAX / 2);
        assert_eq!(HttpDate::from(far), HttpDate::MAX);
        assert_eq!(HttpDate::from_unix_secs(MAX_SECS + 1), None);
        assert!(HttpDate::now() > HttpDate::from_unix_secs(1_700_000_000).unwrap());
    }

    #[test]
    fn ordering_is_by_time() {
        let a: HttpDate = "Sat, 29 Oct 1994 19:43:31 GMT".parse().unwrap();
        let b: HttpDate = "Sun Nov  6 08:49:37 1994".parse().unwrap();
        assert!(a < b);
        assert_eq!(b, "Sunday, 06-Nov-94 08:49:37 GMT".parse().unwrap());
    }

    #[test]
    fn headers_name_themselves() {
        let e = "0".parse::<Expires>().unwrap_err();
        assert_eq!(e.to_string(), "invalid Expires: not an HTTP-date");
        let mut headers = http::HeaderMap::new();
        headers.insert(
            header::LAST_MODIFIED,
            HeaderValue::from_static("Sun, 06 Nov 1994 08:49:37 GMT"),
        );
        let lm = LastModified::from_headers(&headers).unwrap().unwrap();
        assert_eq!(lm.0.unix_secs(), RFC_EXAMPLE);
        assert_eq!(Date::NAME, header::DATE);
        assert_eq!(IfUnmodifiedSince::NAME, header::IF_UNMODIFIED_SINCE);
        assert_eq!(
            format!("{:?}", lm.0),
            "HttpDate(Sun, 06 Nov 1994 08:49:37 GMT)"
        );
    }

    proptest! {
        #[test]
        fn http_date_round_trips(secs in 0..=MAX_SECS) {
            let date = HttpDate::from_unix_secs(secs).unwrap();
            prop_assert_eq!(date.to_string().parse::<HttpDate>().unwrap(), date);
            let header = IfModifiedSince(date);
            prop_assert_eq!(IfModifiedSince::from_header(&header.to_header_value()).unwrap(), header);
            prop_assert_eq!(HttpDate::from(SystemTime::from(date)), date);
        }

        #[test]
        fn parser_never_panics(s in "\\PC{0,40}") {
            let _ = HttpDate::parse(&s);
        }
    }
}
