//! Session ids: 128 bits from the operating system's random source, sent
//! as 22 URL-safe base64 characters, checked for that form before any store
//! is asked about them.

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// The length of an id in its text form.
pub const ID_LEN: usize = 22;

/// A session id: 128 random bits.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct SessionId([u8; 16]);

impl SessionId {
    /// A new id from the OS random source.
    ///
    /// # Panics
    ///
    /// When the OS has no random source to give, which no supported system
    /// lacks: a session id must never come from anything weaker.
    pub fn random() -> Self {
        let mut bytes = [0u8; 16];
        if let Err(error) = getrandom::fill(&mut bytes) {
            panic!("no OS random source for session ids: {error}");
        }
        SessionId(bytes)
    }

    /// Reads an id from its text form: exactly 22 URL-safe base64
    /// characters encoding 16 bytes (the last character's unused bits zero),
    /// or `None`.
    pub fn parse(text: &str) -> Option<Self> {
        if text.len() != ID_LEN
            || !text
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        {
            return None;
        }
        let mut bytes = [0u8; 16];
        match URL_SAFE_NO_PAD.decode_slice(text, &mut bytes) {
            Ok(16) => {
                let id = SessionId(bytes);
                // Only the canonical spelling: no two texts for one id.
                (id.encode() == text.as_bytes()).then_some(id)
            }
            _ => None,
        }
    }

    /// The text form, on the stack.
    fn encode(&self) -> [u8; ID_LEN] {
        let mut text = [0u8; ID_LEN];
        let _ = URL_SAFE_NO_PAD.encode_slice(self.0, &mut text);
        text
    }

    /// The raw 16 bytes.
    pub fn as_bytes(&self) -> &[u8; 16] {
        &self.0
    }
}

impl fmt::Display for SessionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut text = [0u8; ID_LEN];
        let written = URL_SAFE_NO_PAD.encode_slice(self.0, &mut text).unwrap_or(0);
        f.write_str(std::str::from_utf8(&text[..written]).unwrap_or(""))
    }
}

impl fmt::Debug for SessionId {
    /// Ids are secrets: only a prefix is shown.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = self.to_string();
        write!(f, "SessionId({}…)", &text[..4.min(text.len())])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_format_checks() {
        let id = SessionId::random();
        let text = id.to_string();
        assert_eq!(text.len(), ID_LEN);
        assert_eq!(SessionId::parse(&text), Some(id));
        assert_ne!(SessionId::random(), id);
        for bad in [
            "",
            "short",
            "AAAAAAAAAAAAAAAAAAAAAAA",
            "AAAAAAAAAAAAAAAAAAAAA=",
            "AAAAAAAAAAAAAAAAAAAA+A",
            "AAAAAAAAAAAAAAAAAAAA/A",
            "AAAAAAAAAAAAAAAAAAAAAB",
            "ÀAAAAAAAAAAAAAAAAAAAA",
        ] {
            assert_eq!(SessionId::parse(bad), None, "{bad:?}");
        }
        assert!(SessionId::parse("AAAAAAAAAAAAAAAAAAAAAA").is_some());
        assert!(!format!("{id:?}").contains(&text));
    }
}
