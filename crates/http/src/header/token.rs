/// Whether `b` may appear in a token (RFC 9110 §5.6.2 `tchar`).
#[inline]
pub const fn is_tchar(b: u8) -> bool {
    matches!(b,
        b'!' | b'#' | b'$' | b'%' | b'&' | b'\'' | b'*' | b'+' | b'-' | b'.' | b'^' | b'_' | b'`' | b'|' | b'~'
        | b'0'..=b'9' | b'a'..=b'z' | b'A'..=b'Z')
}

/// Whether `s` is a non-empty token.
#[inline]
pub fn is_token(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(is_tchar)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens() {
        for ok in ["gzip", "max-age", "x!#$%&'*+-.^_`|~9", "A"] {
            assert!(is_token(ok), "{ok}");
        }
        for bad in ["", "a b", "a,b", "a;b", "\"a\"", "a=b", "ü", "a/b", "(a)"] {
            assert!(!is_token(bad), "{bad}");
        }
    }
}
