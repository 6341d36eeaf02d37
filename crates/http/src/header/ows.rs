//! Optional whitespace (RFC 9110 §5.6.3): spaces and horizontal tabs.

/// Whether `b` is optional whitespace.
#[inline]
pub(crate) fn is_ows(b: u8) -> bool {
    b == b' ' || b == b'\t'
}

/// `s` without leading optional whitespace.
#[inline]
pub(crate) fn trim_ows_start(s: &[u8]) -> &[u8] {
    let start = s.iter().position(|&b| !is_ows(b)).unwrap_or(s.len());
    &s[start..]
}

/// `s` without leading or trailing optional whitespace.
#[inline]
pub(crate) fn trim_ows(s: &[u8]) -> &[u8] {
    let s = trim_ows_start(s);
    let end = s.iter().rposition(|&b| !is_ows(b)).map_or(0, |i| i + 1);
    &s[..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trims_spaces_and_tabs_only() {
        let cases: &[(&[u8], &[u8])] = &[
            (b"", b""),
            (b" \t ", b""),
            (b" a b\t", b"a b"),
            (b"\ta", b"a"),
            (b"a\r", b"a\r"),
        ];
        for (input, want) in cases {
            assert_eq!(trim_ows(input), *want, "{input:?}");
        }
        assert_eq!(trim_ows_start(b" \ta "), b"a ");
    }
}
