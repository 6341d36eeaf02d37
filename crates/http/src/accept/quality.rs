//! Quality values (RFC 9110 §12.4.2): the `;q=0.5` weight on each element of
//! the `Accept*` headers.

use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

use crate::ParseError;
use crate::header::{RawParams, is_token};

/// A quality value (`q=`): how much a client wants something, from 0 ("not
/// acceptable") to 1 (the default), in steps of one thousandth.
///
/// Stored as an integer number of thousandths, so comparisons are exact and
/// `q=0.333` formats back as `0.333`. Parsing follows the RFC 9110 §12.4.2
/// grammar strictly: `0`, `0.`, `0.5`, `0.125`, `1`, `1.000`; anything else
/// (`.5`, `2`, `1.001`, `0.1234`, `1e0`, `-0`) is rejected.
///
/// ```
/// use tackle_http::accept::Quality;
///
/// let q: Quality = "0.25".parse().unwrap();
/// assert_eq!(q.thousandths(), 250);
/// assert_eq!(q.to_string(), "0.25");
/// assert!("0.1234".parse::<Quality>().is_err());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Quality(u16);

impl Quality {
    /// `q=0`: not acceptable.
    pub const ZERO: Quality = Quality(0);

    /// `q=1`: the default weight of an element without `q`.
    pub const ONE: Quality = Quality(1000);

    /// A quality of `n` thousandths, or `None` when `n` is over 1000.
    pub const fn from_thousandths(n: u16) -> Option<Quality> {
        if n <= 1000 { Some(Quality(n)) } else { None }
    }

    /// The quality in thousandths (0 to 1000).
    pub const fn thousandths(self) -> u16 {
        self.0
    }

    /// The quality as a float between 0 and 1.
    pub fn as_f32(self) -> f32 {
        f32::from(self.0) / 1000.0
    }

    /// Whether this is above zero, i.e. not a refusal.
    pub const fn is_acceptable(self) -> bool {
        self.0 > 0
    }
}

impl Default for Quality {
    /// `q=1`, the weight of an element that names none.
    fn default() -> Self {
        Quality::ONE
    }
}

impl FromStr for Quality {
    type Err = ParseError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        parse_qvalue(s).ok_or_else(|| ParseError::invalid("quality value", "not a qvalue"))
    }
}

impl fmt::Display for Quality {
    /// The shortest form: `1`, `0`, `0.5`, `0.333`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            1000 => f.write_str("1"),
            0 => f.write_str("0"),
            n => {
                // Trailing zeros are dropped: 500 thousandths is `0.5`.
                let (mut digits, mut width) = (n, 3);
                while digits % 10 == 0 {
                    digits /= 10;
                    width -= 1;
                }
                write!(f, "0.{digits:0width$}")
            }
        }
    }
}

/// `qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] )`.
fn parse_qvalue(s: &str) -> Option<Quality> {
    let (&unit, rest) = s.as_bytes().split_first()?;
    let fraction = match rest {
        [] => &[][..],
        [b'.', fraction @ ..] => fraction,
        _ => return None,
    };
    if fraction.len() > 3 || !fraction.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let thousandths = (0..3).fold(0u16, |acc, i| {
        acc * 10 + fraction.get(i).map_or(0, |d| u16::from(d - b'0'))
    });
    match unit {
        b'0' => Some(Quality(thousandths)),
        b'1' if thousandths == 0 => Some(Quality::ONE),
        _ => None,
    }
}

/// Reads the parameters of one list element and returns its weight (`q=1`
/// when it names none), handing every other parameter to `on_param`.
///
/// Returns `None` when the element is malformed and must be dropped: a
/// parameter without `=`, a name that is not a token, or a `q` that breaks the
/// qvalue grammar. RFC 9110 §12.5.1 asks recipients to read a parameter named
/// `q` as the weight wherever it stands; only the first one counts.
pub(crate) fn read_weight<'a>(
    params: RawParams<'a>,
    mut on_param: impl FnMut(&'a str, Cow<'a, str>),
) -> Option<Quality> {
    let mut weight = None;
    for (name, value) in params {
        let value = value?;
        if !is_token(name) {
            return None;
        }
        if name.eq_ignore_ascii_case("q") {
            if weight.is_none() {
                weight = Some(parse_qvalue(&value)?);
            }
        } else {
            on_param(name, value);
        }
    }
    Some(weight.unwrap_or(Quality::ONE))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::header::split_params;
    use proptest::prelude::*;

    #[test]
    fn qvalue_grammar_table() {
        let cases: &[(&str, Option<u16>)] = &[
            ("1", Some(1000)),
            ("1.", Some(1000)),
            ("1.0", Some(1000)),
            ("1.000", Some(1000)),
            ("0", Some(0)),
            ("0.", Some(0)),
            ("0.000", Some(0)),
            ("0.5", Some(500)),
            ("0.25", Some(250)),
            ("0.333", Some(333)),
            ("0.001", Some(1)),
            ("0.999", Some(999)),
            // Outside the grammar, including the Werkzeug and Paste cases.
            ("1.001", None),
            ("1.0000", None),
            ("0.1234", None),
            ("0.0001", None),
            (".5", None),
            ("+0.5", None),
            ("-1", None),
            ("2", None),
            ("5", None),
            ("1000.0", None),
            ("1e3", None),
            ("00.5", None),
            ("0.5_1", None),
            ("abc", None),
            ("foobar", None),
            ("", None),
            (" 0.5", None),
            ("0,5", None),
            ("🯰.🯵", None),
        ];
        for (input, want) in cases {
            let got = input.parse::<Quality>().ok().map(Quality::thousandths);
            assert_eq!(got, *want, "{input:?}");
        }
    }

    #[test]
    fn display_is_shortest() {
        let cases: &[(u16, &str)] = &[
            (1000, "1"),
            (0, "0"),
            (500, "0.5"),
            (250, "0.25"),
            (333, "0.333"),
            (1, "0.001"),
            (10, "0.01"),
            (100, "0.1"),
        ];
        for (n, want) in cases {
            assert_eq!(Quality::from_thousandths(*n).unwrap().to_string(), *want);
        }
        assert_eq!(Quality::from_thousandths(1001), None);
        assert_eq!(Quality::default(), Quality::ONE);
        assert!((Quality::from_thousandths(750).unwrap().as_f32() - 0.75).abs() < 1e-6);
        assert!(!Quality::ZERO.is_acceptable() && Quality::ONE.is_acceptable());
    }

    #[test]
    fn read_weight_table() {
        let cases: &[(&str, Option<u16>)] = &[
            ("x", Some(1000)),
            ("x;q=0.5", Some(500)),
            ("x; Q=0.5", Some(500)),
            ("x ; q=0.5 ; a=b", Some(500)),
            ("x;q=0.5;q=0.7", Some(500)),
            ("x;q=2", None),
            ("x;q=", None),
            ("x;q", None),
            ("x;flag", None),
            ("x;=0.5", None),
            ("x;a b=c", None),
            ("x;;q=0", Some(0)),
        ];
        for (input, want) in cases {
            let (_, params) = split_params(input);
            let got = read_weight(params, |_, _| {}).map(Quality::thousandths);
            assert_eq!(got, *want, "{input:?}");
        }
    }

    proptest! {
        #[test]
        fn quality_round_trips(n in 0u16..=1000) {
            let q = Quality::from_thousandths(n).unwrap();
            prop_assert_eq!(q.to_string().parse::<Quality>().unwrap(), q);
        }
    }
}
