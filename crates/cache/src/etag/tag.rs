//! The entity tag of buffered content: its xxh3-128 hash.
//!
//! xxh3-128 rather than a cryptographic hash: an entity tag only has to
//! change when the content does, and 128 bits make an accidental collision
//! between two versions of one resource practically impossible, while
//! hashing at memory speed (see BENCHMARKS.md: several times BLAKE3 and SHA-256
//! on the same machine). A party able to choose colliding contents could as
//! well serve the content itself, so collision resistance buys nothing here.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use bytes::Bytes;
use http::HeaderValue;
use tackle_http::EntityTag;
use xxhash_rust::xxh3::{Xxh3, xxh3_128};

/// The 128-bit hash of `chunks` read one after the other.
pub(crate) fn hash(chunks: &[Bytes]) -> u128 {
    match chunks {
        [one] => xxh3_128(one),
        many => {
            let mut hasher = Xxh3::new();
            for chunk in many {
                hasher.update(chunk);
            }
            hasher.digest128()
        }
    }
}

/// The `ETag` value for a hash: 22 URL-safe base64 characters in quotes,
/// with `W/` in front when `weak`.
pub(crate) fn header_value(hash: u128, weak: bool) -> HeaderValue {
    let mut text = [0u8; 2 + 2 + 22];
    let start = if weak {
        text[..3].copy_from_slice(b"W/\"");
        3
    } else {
        text[0] = b'"';
        1
    };
    let written = URL_SAFE_NO_PAD
        .encode_slice(hash.to_be_bytes(), &mut text[start..start + 22])
        .unwrap_or(0);
    let end = start + written;
    text[end] = b'"';
    HeaderValue::from_bytes(&text[..=end]).unwrap_or_else(|_| HeaderValue::from_static("\"\""))
}

/// The same tag as an [`EntityTag`], for the evaluator.
pub(crate) fn entity_tag(value: &HeaderValue) -> Option<EntityTag> {
    value.to_str().ok()?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunked_content_hashes_as_one() {
        let whole = Bytes::from_static(b"hello, world");
        let parts = [Bytes::from_static(b"hello"), Bytes::from_static(b", world")];
        assert_eq!(hash(std::slice::from_ref(&whole)), hash(&parts));
        assert_ne!(hash(&[whole]), hash(&[Bytes::from_static(b"hello, World")]));
        assert_eq!(hash(&[]), xxh3_128(b""));
    }

    #[test]
    fn header_values() {
        let strong = header_value(u128::MAX, false);
        assert_eq!(strong, "\"_____________________w\"");
        let weak = header_value(0, true);
        assert_eq!(weak, "W/\"AAAAAAAAAAAAAAAAAAAAAA\"");
        let tag = entity_tag(&weak).unwrap();
        assert!(tag.is_weak());
        assert_eq!(tag.tag(), "AAAAAAAAAAAAAAAAAAAAAA");
        assert!(!entity_tag(&strong).unwrap().is_weak());
    }
}
