//! `CookieStore` through its public API: keys, rotation set-up, what it
//! shows of itself, and the server-side operations it does not need.
//! Sealing, tampering, rotation and the size limit are unit tests in
//! `src/store/cookie.rs`, where the sealing functions are.

use std::time::Duration;

use bytes::Bytes;
use tackle_session::store::cookie::MAX_COOKIE_SIZE;
use tackle_session::store::{CookieStore, SessionStore};
use tackle_session::{Changes, Record, SessionId};

#[test]
fn keys_shorter_than_32_bytes_are_refused() {
    for len in [0, 1, 16, 31] {
        let key = vec![0x5a; len];
        let error = CookieStore::new(&key).expect_err("short key accepted");
        let message = error.to_string();
        assert!(message.contains("32"), "{message}");
        assert!(message.contains(&format!("{len} bytes")), "{message}");
        assert!(
            CookieStore::new(&[1; 64])
                .unwrap()
                .with_old_key(&key)
                .is_err(),
            "short old key accepted: {len}"
        );
    }
    for len in [32, 33, 64, 128] {
        let key = vec![0x5a; len];
        assert!(CookieStore::new(&key).is_ok(), "{len}");
        assert!(
            CookieStore::new(&[1; 64])
                .unwrap()
                .with_old_key(&key)
                .is_ok(),
            "{len}"
        );
    }
}

#[test]
fn debug_shows_no_key_material() {
    let store = CookieStore::new(&[0x41; 64])
        .unwrap()
        .with_old_key(&[0x42; 64])
        .unwrap()
        .with_old_key(&[0x43; 32])
        .unwrap();
    let text = format!("{store:?} {:?}", store.clone());
    assert!(text.contains("keys: 3"), "{text}");
    for secret in ["AAAA", "BBBB", "CCCC", "65, 65", "66, 66", "67, 67", "4141"] {
        assert!(!text.contains(secret), "{text}");
    }
}

#[test]
fn the_whole_session_is_in_the_cookie() {
    let store = CookieStore::new(&[9; 64]).unwrap();
    assert!(store.cookie_seal().is_some());
    assert_eq!(MAX_COOKIE_SIZE, 4096);
}

#[tokio::test]
async fn server_side_operations_keep_nothing() {
    let store = CookieStore::new(&[9; 64]).unwrap();
    let id = SessionId::random();
    let mut record = Record::new();
    record.set("k:user", Bytes::from_static(b"alice"));
    let ttl = Duration::from_secs(60);

    assert!(store.create(&id, &record, ttl).await.unwrap());
    // Never taken, even after a create: nothing is kept.
    assert!(store.create(&id, &record, ttl).await.unwrap());
    assert_eq!(store.load(&id).await.unwrap(), None);

    let mut changes = Changes::default();
    changes
        .set
        .push(("k:user".into(), Bytes::from_static(b"bob")));
    store.save(&id, &changes, ttl).await.unwrap();
    assert_eq!(store.load(&id).await.unwrap(), None);

    store.delete(&id).await.unwrap();
    assert_eq!(store.load(&id).await.unwrap(), None);
}
