//! [`CookieStore`]: the whole session in the cookie itself, encrypted and
//! authenticated, so the server keeps nothing.
//!
//! The cookie's value is what the `cookie` crate's private jar
//! ([`cookie::PrivateJar`]) makes of the record: AES-256-GCM under a key
//! derived from the master key, a random 96-bit nonce, the cookie's name as
//! associated data (a sealed value moved to a cookie of another name does
//! not open), all in standard base64. The client can neither read nor
//! change the session; a changed, cut or foreign value opens to nothing,
//! and the layer starts a fresh session.
//!
//! Keys rotate: the store seals with its newest key and opens with any of
//! its keys, so a new key can be rolled out first and the old one dropped
//! once the sessions sealed with it have expired.

use std::fmt;
use std::future::{Future, ready};
use std::sync::Arc;
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use cookie::{Cookie, CookieJar, Key};

use crate::error::StoreError;
use crate::id::SessionId;
use crate::record::{Changes, Record};
use crate::store::SessionStore;

/// The most a session cookie may hold: its name, `=` and its value, 4096
/// bytes (what browsers keep of one cookie; RFC 6265 §6.1). A session that
/// would need more is refused when the application inserts into it.
pub const MAX_COOKIE_SIZE: usize = 4096;

/// The shortest master key accepted, in bytes.
const MIN_KEY_LEN: usize = 32;

/// What AES-GCM adds to the plaintext: the 12-byte nonce in front and the
/// 16-byte tag behind (the private jar's layout).
const SEAL_OVERHEAD: usize = 12 + 16;

/// The keys a cookie session is sealed with: the first seals, every one is
/// tried to open (key rotation). Cheap to clone.
#[derive(Clone)]
pub struct Seal {
    /// Newest first; never empty.
    keys: Arc<[Key]>,
}

impl fmt::Debug for Seal {
    /// Keys are secrets: only how many there are is shown.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Seal")
            .field("keys", &self.keys.len())
            .finish_non_exhaustive()
    }
}

impl Seal {
    /// The cookie value that carries `record` in a cookie named `name`:
    /// the private jar's sealing of `base64url(record.to_bytes())`, under
    /// the newest key.
    pub(crate) fn seal(&self, name: &str, record: &Record) -> String {
        let plaintext = URL_SAFE_NO_PAD.encode(record.to_bytes());
        let mut jar = CookieJar::new();
        jar.private_mut(&self.keys[0])
            .add(Cookie::new(name.to_owned(), plaintext));
        let value = jar
            .get(name)
            .map(|sealed| sealed.value().to_owned())
            .unwrap_or_default();
        debug_assert_eq!(self.sealed_size(name, record), name.len() + 1 + value.len());
        value
    }

    /// The record sealed in `value` for a cookie named `name`, or `None`
    /// when `value` was changed, cut short, sealed for another name or with
    /// a key this seal does not have, or does not hold a record.
    pub(crate) fn unseal(&self, name: &str, value: &str) -> Option<Record> {
        // No value this seal makes is that long; refuse before decoding.
        if value.len() > MAX_COOKIE_SIZE {
            return None;
        }
        let sealed = Cookie::new(name.to_owned(), value.to_owned());
        let jar = CookieJar::new();
        let opened = self
            .keys
            .iter()
            .find_map(|key| jar.private(key).decrypt(sealed.clone()))?;
        let bytes = URL_SAFE_NO_PAD.decode(opened.value()).ok()?;
        Record::from_bytes(&bytes)
    }

    /// The length of the cookie `name=value` that [`seal`](Self::seal)
    /// makes of `record`, without sealing it: to compare with
    /// [`MAX_COOKIE_SIZE`].
    pub(crate) fn sealed_size(&self, name: &str, record: &Record) -> usize {
        let plaintext = base64_len(record.to_bytes().len(), false);
        name.len() + 1 + base64_len(SEAL_OVERHEAD + plaintext, true)
    }
}

/// The length of `n` bytes in base64, with or without `=` padding.
fn base64_len(n: usize, padded: bool) -> usize {
    if padded {
        n.div_ceil(3) * 4
    } else {
        (n * 4).div_ceil(3)
    }
}

/// A store that keeps the whole session in an encrypted, authenticated
/// cookie (AES-256-GCM, the `cookie` crate's private jar), so the server
/// keeps nothing and any instance holding the key can read it.
///
/// What fits is limited: the cookie, name and value, must stay within
/// [`MAX_COOKIE_SIZE`] (4096 bytes), which leaves about 2.2 KiB for the
/// encoded session; an insert that would pass it fails with
/// [`SessionError::TooLarge`](crate::SessionError::TooLarge).
/// A session's cookie cannot be revoked by the server before it expires:
/// destroying a session clears the cookie in the browser, but a copy kept
/// elsewhere stays valid until its deadlines pass. Choose a server-side
/// store where that matters.
///
/// ```
/// use tackle_session::store::CookieStore;
///
/// # let master_key = [7u8; 64];
/// // 64 random bytes, kept secret, the same on every instance.
/// let store = CookieStore::new(&master_key).expect("at least 32 bytes");
/// ```
#[derive(Clone, Debug)]
pub struct CookieStore {
    seal: Seal,
}

impl CookieStore {
    /// A store sealing with a key derived from `key` (HKDF-SHA256, the
    /// `cookie` crate's [`Key::derive_from`]).
    ///
    /// `key` must be at least 32 bytes; use 64 bytes from a cryptographic
    /// random source, keep it secret (out of the source tree), and give
    /// every instance of the application the same key, or sessions will
    /// not survive from one instance to another. Anyone holding the key can
    /// read and forge sessions.
    ///
    /// # Errors
    ///
    /// When `key` is shorter than 32 bytes.
    pub fn new(key: &[u8]) -> Result<Self, StoreError> {
        Ok(CookieStore {
            seal: Seal {
                keys: Arc::new([derive(key)?]),
            },
        })
    }

    /// Also opens sessions sealed with `key`, a key this store used before:
    /// new sessions are sealed with the key given to [`new`](Self::new),
    /// old ones keep working until they expire. Chainable, for several old
    /// keys; the key given first is tried first.
    ///
    /// # Errors
    ///
    /// When `key` is shorter than 32 bytes.
    pub fn with_old_key(self, key: &[u8]) -> Result<Self, StoreError> {
        let old = derive(key)?;
        let keys: Vec<Key> = self.seal.keys.iter().cloned().chain([old]).collect();
        Ok(CookieStore {
            seal: Seal { keys: keys.into() },
        })
    }
}

/// The sealing key derived from the master key `key`.
fn derive(key: &[u8]) -> Result<Key, StoreError> {
    if key.len() < MIN_KEY_LEN {
        return Err(StoreError::new(format!(
            "cookie session key is {} bytes; at least {MIN_KEY_LEN} are needed (use 64 random bytes)",
            key.len()
        )));
    }
    Ok(Key::derive_from(key))
}

/// The session travels in the cookie, so the layer never calls `load`,
/// `create`, `save` or `delete` on this store: it seals and opens the
/// cookie through [`cookie_seal`](SessionStore::cookie_seal). Called
/// anyway, they find nothing and keep nothing.
impl SessionStore for CookieStore {
    /// Always `Ok(None)`: nothing is kept on the server.
    fn load(
        &self,
        _id: &SessionId,
    ) -> impl Future<Output = Result<Option<Record>, StoreError>> + Send {
        ready(Ok(None))
    }

    /// Always `Ok(true)`: no id can be taken.
    fn create(
        &self,
        _id: &SessionId,
        _record: &Record,
        _ttl: Duration,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send {
        ready(Ok(true))
    }

    /// Does nothing.
    fn save(
        &self,
        _id: &SessionId,
        _changes: &Changes,
        _ttl: Duration,
    ) -> impl Future<Output = Result<(), StoreError>> + Send {
        ready(Ok(()))
    }

    /// Does nothing: the layer expires the cookie instead.
    fn delete(&self, _id: &SessionId) -> impl Future<Output = Result<(), StoreError>> + Send {
        ready(Ok(()))
    }

    fn cookie_seal(&self) -> Option<&Seal> {
        Some(&self.seal)
    }
}

#[cfg(test)]
mod tests {
    use bytes::Bytes;

    use super::*;

    const NAME: &str = "session";

    fn store(key: u8) -> CookieStore {
        CookieStore::new(&[key; 64]).unwrap()
    }

    fn seal(store: &CookieStore) -> &Seal {
        store.cookie_seal().unwrap()
    }

    fn record() -> Record {
        let mut record = Record::new();
        record.set("k:user", Bytes::from_static(b"\x05alice"));
        record.set(
            "m:created",
            Bytes::from_static(&[0x80, 0x94, 0xeb, 0xdc, 0x03]),
        );
        record.set("k:empty", Bytes::new());
        record
    }

    /// The characters of standard base64 and its padding, and a few that
    /// are not base64 at all.
    const REPLACEMENTS: &[u8] =
        b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=-_.% \"\x00";

    #[test]
    fn round_trip() {
        let s = store(1);
        for record in [Record::new(), record()] {
            let value = seal(&s).seal(NAME, &record);
            assert_eq!(seal(&s).unseal(NAME, &value), Some(record.clone()));
            // A cookie-safe value: no separators, quotes, spaces or controls.
            assert!(
                value
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"+/=".contains(&b)),
                "{value}"
            );
            // Fresh nonce every time: equal sessions do not look equal.
            assert_ne!(seal(&s).seal(NAME, &record), value);
        }
    }

    #[test]
    fn bound_to_the_cookie_name() {
        let s = store(1);
        let value = seal(&s).seal(NAME, &record());
        for other in [
            "",
            "Session",
            "session ",
            "sessio",
            "__Host-session",
            "other",
        ] {
            assert_eq!(seal(&s).unseal(other, &value), None, "{other:?}");
        }
        assert!(seal(&s).unseal(NAME, &value).is_some());
    }

    #[test]
    fn no_changed_byte_opens() {
        let s = store(1);
        for record in [Record::new(), record()] {
            let value = seal(&s).seal(NAME, &record);
            let bytes = value.as_bytes();
            let mut tries = 0;
            for at in 0..bytes.len() {
                for &replacement in REPLACEMENTS
                    .iter()
                    .chain(&[bytes[at] ^ 0x01, bytes[at] ^ 0x80])
                {
                    if replacement == bytes[at] {
                        continue;
                    }
                    let mut changed = bytes.to_vec();
                    changed[at] = replacement;
                    // Some replacements make no UTF-8; a cookie value the
                    // layer hands over is always a `str`.
                    let Ok(changed) = String::from_utf8(changed) else {
                        continue;
                    };
                    tries += 1;
                    assert_eq!(
                        seal(&s).unseal(NAME, &changed),
                        None,
                        "byte {at} to {replacement:#x}"
                    );
                }
            }
            assert!(tries > bytes.len() * 60, "{tries}");
        }
    }

    #[test]
    fn no_cut_or_grown_value_opens() {
        let s = store(1);
        let value = seal(&s).seal(NAME, &record());
        for end in 0..value.len() {
            assert_eq!(seal(&s).unseal(NAME, &value[..end]), None, "first {end}");
        }
        for start in 1..value.len() {
            assert_eq!(seal(&s).unseal(NAME, &value[start..]), None, "from {start}");
        }
        for extra in ["A", "=", "AAAA", "====", " ", "\"", ";"] {
            assert_eq!(
                seal(&s).unseal(NAME, &format!("{value}{extra}")),
                None,
                "{extra:?}"
            );
            assert_eq!(
                seal(&s).unseal(NAME, &format!("{extra}{value}")),
                None,
                "{extra:?}"
            );
        }
        assert_eq!(seal(&s).unseal(NAME, &format!("\"{value}\"")), None);
    }

    #[test]
    fn garbage_does_not_open() {
        let s = store(1);
        let long = "A".repeat(MAX_COOKIE_SIZE + 4);
        let plain = URL_SAFE_NO_PAD.encode(record().to_bytes());
        for garbage in [
            "",
            "=",
            "A",
            "AAAA",
            "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
            "not base64 at all!",
            "////////////////////////////////////////",
            "\u{e9}t\u{e9}",
            &long,
            &plain,
        ] {
            assert_eq!(seal(&s).unseal(NAME, garbage), None, "{garbage:?}");
        }
    }

    #[test]
    fn sealed_but_not_a_record() {
        let s = store(1);
        let key = &seal(&s).keys[0];
        for plaintext in ["", "not*base64", "_w", "__8"] {
            let mut jar = CookieJar::new();
            jar.private_mut(key).add(Cookie::new(NAME, plaintext));
            let value = jar.get(NAME).unwrap().value().to_owned();
            assert_eq!(seal(&s).unseal(NAME, &value), None, "{plaintext:?}");
        }
    }

    #[test]
    fn key_rotation() {
        let old = store(1);
        let new = store(2);
        let both = store(2).with_old_key(&[1; 64]).unwrap();
        let from_old = seal(&old).seal(NAME, &record());
        assert_eq!(seal(&both).unseal(NAME, &from_old), Some(record()));
        assert_eq!(seal(&new).unseal(NAME, &from_old), None);
        // New seals use the new key.
        let from_both = seal(&both).seal(NAME, &record());
        assert_eq!(seal(&new).unseal(NAME, &from_both), Some(record()));
        assert_eq!(seal(&old).unseal(NAME, &from_both), None);
        // Several old keys.
        let three = store(3)
            .with_old_key(&[2; 64])
            .unwrap()
            .with_old_key(&[1; 64])
            .unwrap();
        assert_eq!(seal(&three).keys.len(), 3);
        assert_eq!(seal(&three).unseal(NAME, &from_old), Some(record()));
        assert_eq!(seal(&three).unseal(NAME, &from_both), Some(record()));
        assert_eq!(
            seal(&old).unseal(NAME, &seal(&three).seal(NAME, &record())),
            None
        );
        // A clone seals and opens alike.
        let clone = both.clone();
        assert_eq!(seal(&clone).unseal(NAME, &from_old), Some(record()));
    }

    #[test]
    fn sealed_size_is_exact() {
        let s = store(1);
        for len in (0..40).chain([100, 1000, 1500, 1800, 2000, 2500]) {
            let mut record = record();
            record.set("k:blob", Bytes::from(vec![0xa5; len]));
            for name in [NAME, "__Host-id", ""] {
                let value = seal(&s).seal(name, &record);
                assert_eq!(
                    seal(&s).sealed_size(name, &record),
                    name.len() + 1 + value.len(),
                    "{len} {name}"
                );
            }
        }
    }

    #[test]
    fn over_the_size_limit() {
        let s = store(1);
        let mut record = Record::new();
        let mut len = 0;
        // The largest blob that still fits, then one byte more.
        loop {
            record.set("k:blob", Bytes::from(vec![b'x'; len + 1]));
            if seal(&s).sealed_size(NAME, &record) > MAX_COOKIE_SIZE {
                break;
            }
            len += 1;
        }
        record.set("k:blob", Bytes::from(vec![b'x'; len]));
        let fits = seal(&s).seal(NAME, &record);
        assert!(NAME.len() + 1 + fits.len() <= MAX_COOKIE_SIZE);
        assert_eq!(seal(&s).unseal(NAME, &fits), Some(record.clone()));
        record.set("k:blob", Bytes::from(vec![b'x'; len + 1]));
        let over = seal(&s).seal(NAME, &record);
        assert!(NAME.len() + 1 + over.len() > MAX_COOKIE_SIZE);
        // Roughly 16/9 growth plus overhead: a little under 2.3 KiB of data.
        assert!((2200..2300).contains(&len), "{len}");
    }

    #[test]
    fn debug_shows_no_key() {
        let s = store(0xab).with_old_key(&[0xcd; 32]).unwrap();
        assert_eq!(
            format!("{s:?}"),
            "CookieStore { seal: Seal { keys: 2, .. } }"
        );
    }
}
