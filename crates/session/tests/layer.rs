//! `SessionLayer` end to end with `tower::oneshot` on `service_fn`
//! handlers: laziness (counted store calls), the `Set-Cookie` rules and
//! attributes, bad cookies, typed values and flash messages, merging of
//! concurrent requests, store failures, and the cookie store through the
//! layer.

mod common;

use std::convert::Infallible;
use std::sync::Arc;

use bytes::Bytes;
use common::{
    Calls, Reply, TestStore, User, alice, app, counter_handler, get, pair_of, plain, send, within,
};
use http::{Request, Response, StatusCode};
use http_body_util::Full;
use tackle_http::SameSite;
use tackle_session::store::cookie::MAX_COOKIE_SIZE;
use tackle_session::{
    CookieStore, ID_LEN, Level, MemoryStore, Session, SessionError, SessionId, SessionLayer,
};
use tokio::sync::Barrier;
use tower::Layer;

/// A session with `n = 1` behind `app`, and its `name=value` cookie.
async fn counted<S>(app: &S) -> String
where
    S: tower::Service<Request<()>, Response = Response<tackle_session::ResponseBody<Full<Bytes>>>>
        + Clone,
    S::Error: std::fmt::Debug,
{
    let reply = get(app, "/count", None).await;
    assert_eq!(reply.body, "1");
    reply.cookie().expect("a new session sets its cookie")
}

fn id_of(cookie: &str) -> SessionId {
    let value = cookie.split_once('=').expect("name=value").1;
    SessionId::parse(value).unwrap_or_else(|| panic!("not a session id: {value:?}"))
}

// ---- 1. Laziness ----------------------------------------------------------

#[tokio::test]
async fn an_untouched_session_costs_nothing_with_or_without_a_cookie() {
    let store = TestStore::new();
    let app = app(plain(store.clone()));

    let reply = get(&app, "/untouched", None).await;
    assert_eq!(
        (reply.status, reply.body.as_str()),
        (StatusCode::OK, "untouched")
    );
    assert_eq!(reply.set_cookies(), Vec::<String>::new());
    assert_eq!(store.take_calls(), Calls::NONE);

    let cookie = counted(&app).await;
    store.take_calls();
    for cookie in [
        cookie.as_str(),
        "session=not-an-id",
        "session=AAAAAAAAAAAAAAAAAAAAAA",
        "theme=dark; session=garbage; x=y",
    ] {
        let reply = get(&app, "/untouched", Some(cookie)).await;
        assert_eq!(reply.body, "untouched");
        assert_eq!(reply.set_cookies(), Vec::<String>::new(), "{cookie}");
        assert_eq!(store.take_calls(), Calls::NONE, "{cookie}");
    }
}

#[tokio::test]
async fn a_new_session_is_one_create_and_no_load() {
    let store = TestStore::new();
    let app = app(plain(store.clone()));
    let reply = get(&app, "/count", None).await;
    assert_eq!(reply.body, "1");
    assert!(reply.cookie().is_some());
    assert_eq!(
        store.calls(),
        Calls {
            create: 1,
            ..Calls::NONE
        }
    );
    assert_eq!(store.inner.len(), 1);
}

#[tokio::test]
async fn a_read_is_one_load_and_no_write_however_many_keys() {
    let store = TestStore::new();
    let app = app(plain(store.clone()));
    let cookie = counted(&app).await;
    store.take_calls();

    let reply = get(&app, "/read", Some(&cookie)).await;
    assert_eq!(reply.body, "1");
    assert_eq!(
        reply.set_cookie(),
        None,
        "a read (refresh not due) sets no cookie"
    );
    assert_eq!(
        store.take_calls(),
        Calls {
            load: 1,
            ..Calls::NONE
        }
    );

    // Three gets in one request: still one load.
    let reply = get(&app, "/keys", Some(&cookie)).await;
    assert_eq!(reply.body, "n=Some(1) a=None b=None");
    assert_eq!(reply.set_cookie(), None);
    assert_eq!(
        store.take_calls(),
        Calls {
            load: 1,
            ..Calls::NONE
        }
    );
}

#[tokio::test]
async fn a_write_is_one_load_and_one_save() {
    let store = TestStore::new();
    let app = app(plain(store.clone()));
    let cookie = counted(&app).await;
    store.take_calls();
    let reply = get(&app, "/count", Some(&cookie)).await;
    assert_eq!(reply.body, "2");
    // Same id, browser-session cookie: the client's cookie is still right,
    // so it is not sent again.
    assert_eq!(reply.cookie(), None, "no Set-Cookie for the same id");
    assert_eq!(
        store.take_calls(),
        Calls {
            load: 1,
            save: 1,
            ..Calls::NONE
        }
    );
    // Reads and misses that change nothing write nothing either.
    for path in ["/flashes", "/read"] {
        let reply = get(&app, path, Some(&cookie)).await;
        assert_eq!(reply.set_cookie(), None, "{path}");
        assert_eq!(store.take_calls().writes(), 0, "{path}");
    }
    let ((), reply) = within(&plain(store.clone()), Some(&cookie), |session| async move {
        assert_eq!(session.remove::<u64>("missing").await.unwrap(), None);
        assert!(!session.is_modified());
    })
    .await;
    assert_eq!(reply.set_cookie(), None);
    assert_eq!(store.take_calls().writes(), 0);
}

// ---- 2. Set-Cookie rules and attributes -----------------------------------

#[tokio::test]
async fn created_and_changed_sessions_set_the_secure_default_cookie() {
    let store = TestStore::new();
    let app = app(SessionLayer::new(store.clone()));
    let first = get(&app, "/count", None).await;
    let line = first.set_cookie().expect("created");
    let cookie = pair_of(&line).to_owned();
    let value = cookie.strip_prefix("session=").expect("named session");
    assert_eq!(value.len(), ID_LEN);
    assert!(SessionId::parse(value).is_some(), "{value}");
    assert_eq!(
        line,
        format!("{cookie}; HttpOnly; SameSite=Lax; Secure; Path=/")
    );

    let changed = get(&app, "/count", Some(&cookie)).await;
    assert_eq!(changed.body, "2");
    assert_eq!(
        changed.set_cookie(),
        None,
        "changed, same id, browser-session cookie: the client's is still right"
    );
    let _ = line;

    let untouched = get(&app, "/untouched", Some(&cookie)).await;
    assert_eq!(untouched.set_cookie(), None);
    let read = get(&app, "/read", Some(&cookie)).await;
    assert_eq!(read.set_cookie(), None);
}

#[tokio::test]
async fn rotation_gives_a_new_id_and_deletes_the_old_one() {
    let store = TestStore::new();
    let app = app(plain(store.clone()));
    let old = counted(&app).await;
    get(&app, "/count", Some(&old)).await;
    store.take_calls();

    let login = get(&app, "/login", Some(&old)).await;
    assert_eq!(login.body, "ok");
    let new = login.cookie().expect("rotation sets a cookie");
    assert_ne!(new, old);
    assert_ne!(id_of(&new), id_of(&old));
    let calls = store.take_calls();
    assert_eq!(
        calls,
        Calls {
            load: 1,
            create: 1,
            delete: 1,
            ..Calls::NONE
        }
    );
    assert_eq!(
        store.inner.len(),
        1,
        "the old session is gone from the store"
    );

    // The old cookie is worth nothing now: a fresh session.
    assert_eq!(get(&app, "/read", Some(&old)).await.body, "none");
    assert_eq!(get(&app, "/read-user", Some(&old)).await.body, "none");
    // The new one has everything: the count, the login's writes, the flash.
    assert_eq!(get(&app, "/read", Some(&new)).await.body, "2");
    assert_eq!(
        get(&app, "/read-user", Some(&new)).await.body,
        format!("{:?}", alice())
    );
    assert_eq!(
        get(&app, "/flashes", Some(&new)).await.body,
        "success:welcome\n"
    );
    assert_eq!(
        get(&app, "/id", Some(&new)).await.body,
        id_of(&new).to_string()
    );

    // Rotating a session that does not exist yet rotates nothing.
    store.take_calls();
    let reply = get(&app, "/rotate", None).await;
    assert_eq!(reply.set_cookie(), None);
    assert_eq!(store.take_calls(), Calls::NONE);
}

#[tokio::test]
async fn destroy_expires_the_cookie_and_deletes_the_session() {
    let store = TestStore::new();
    let app = app(SessionLayer::new(store.clone()));
    let cookie = counted(&app).await;
    store.take_calls();

    let reply = get(&app, "/destroy", Some(&cookie)).await;
    let line = reply.set_cookie().expect("a removal cookie");
    assert!(
        line.starts_with("session=; HttpOnly; SameSite=Lax; Secure; Path=/; Max-Age=0; Expires="),
        "{line}"
    );
    assert_eq!(
        store.take_calls(),
        Calls {
            load: 1,
            delete: 1,
            ..Calls::NONE
        }
    );
    assert!(store.inner.is_empty());
    assert_eq!(get(&app, "/read", Some(&cookie)).await.body, "none");

    // Destroying what the client never had: nothing to say, nothing to do.
    store.take_calls();
    let reply = get(&app, "/destroy", None).await;
    assert_eq!(reply.set_cookie(), None);
    assert_eq!(store.take_calls(), Calls::NONE);

    // An unknown id is still a cookie to drop.
    let unknown = format!("session={}", SessionId::random());
    let reply = get(&app, "/destroy", Some(&unknown)).await;
    assert!(reply.set_cookie().expect("removal").contains("Max-Age=0"));
}

#[tokio::test]
async fn cookie_attributes_follow_the_builder() {
    async fn line(layer: SessionLayer<MemoryStore>) -> String {
        let app = app(layer);
        get(&app, "/count", None)
            .await
            .set_cookie()
            .expect("created")
    }
    fn attributes(line: &str) -> &str {
        line.split_once(';').map_or("", |(_, rest)| rest.trim())
    }
    let new = || SessionLayer::new(MemoryStore::new());
    let cases: Vec<(&str, SessionLayer<MemoryStore>, &str)> = vec![
        ("defaults", new(), "HttpOnly; SameSite=Lax; Secure; Path=/"),
        (
            "secure(false)",
            new().secure(false),
            "HttpOnly; SameSite=Lax; Path=/",
        ),
        (
            "same_site(Strict)",
            new().same_site(SameSite::Strict),
            "HttpOnly; SameSite=Strict; Secure; Path=/",
        ),
        (
            "same_site(None)",
            new().same_site(SameSite::None),
            "HttpOnly; SameSite=None; Secure; Path=/",
        ),
        (
            "domain",
            new().domain("example.com"),
            "HttpOnly; SameSite=Lax; Secure; Path=/; Domain=example.com",
        ),
        (
            "path",
            new().path("/app"),
            "HttpOnly; SameSite=Lax; Secure; Path=/app",
        ),
        (
            "persistent",
            new().persistent(true),
            "HttpOnly; SameSite=Lax; Secure; Path=/; Max-Age=86400",
        ),
        (
            "persistent, idle 1 h",
            new()
                .persistent(true)
                .idle_timeout(std::time::Duration::from_secs(3600)),
            "HttpOnly; SameSite=Lax; Secure; Path=/; Max-Age=3600",
        ),
        (
            "persistent, absolute 10 min < idle",
            new()
                .persistent(true)
                .absolute_lifetime(std::time::Duration::from_secs(600)),
            "HttpOnly; SameSite=Lax; Secure; Path=/; Max-Age=600",
        ),
        (
            "__Host- after secure(false), path and domain",
            new()
                .secure(false)
                .path("/app")
                .domain("example.com")
                .cookie_name("__Host-id"),
            "HttpOnly; SameSite=Lax; Secure; Path=/",
        ),
        (
            "__Host- before secure(false), path and domain",
            new()
                .cookie_name("__Host-id")
                .secure(false)
                .path("/app")
                .domain("example.com"),
            "HttpOnly; SameSite=Lax; Secure; Path=/",
        ),
        (
            "__Secure- keeps Secure, allows a path",
            new().cookie_name("__Secure-id").secure(false).path("/app"),
            "HttpOnly; SameSite=Lax; Secure; Path=/app",
        ),
    ];
    for (what, layer, expected) in cases {
        let line = line(layer).await;
        assert_eq!(attributes(&line), expected, "{what}: {line}");
    }
    let named = line(new().cookie_name("__Host-id")).await;
    assert!(named.starts_with("__Host-id="), "{named}");
}

#[tokio::test]
async fn a_renamed_cookie_is_the_one_read() {
    let layer = plain(MemoryStore::new()).cookie_name("sid");
    let app = app(layer);
    let reply = get(&app, "/count", None).await;
    let cookie = reply.cookie().expect("created");
    assert!(cookie.starts_with("sid="), "{cookie}");
    let value = cookie.strip_prefix("sid=").unwrap_or_default();
    assert_eq!(get(&app, "/count", Some(&cookie)).await.body, "2");
    // Another cookie of the default name is not it.
    let other = format!("session={value}");
    assert_eq!(get(&app, "/read", Some(&other)).await.body, "none");
    // Among other cookies, and on a second Cookie line.
    let mixed = format!("a=1; sid={value}; b=2");
    assert_eq!(get(&app, "/read", Some(&mixed)).await.body, "2");
    let reply = send(&app, "/read", Some("a=1"), &[("cookie", &cookie)]).await;
    assert_eq!(reply.body, "2");
}

// ---- 3. Bad cookies ---------------------------------------------------------

#[tokio::test]
async fn malformed_ids_give_a_fresh_session_without_asking_the_store() {
    let store = TestStore::new();
    let app = app(plain(store.clone()));
    let cookie = counted(&app).await;
    let value = cookie
        .strip_prefix("session=")
        .unwrap_or_default()
        .to_owned();
    // The same 128 bits spelled with the last character's unused bits set.
    let last = value.chars().last().unwrap_or('A');
    const ALPHABET: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let index = ALPHABET.find(last).expect("URL-safe base64");
    let alias_char = ALPHABET.as_bytes()[index | 1] as char;
    let non_canonical = format!("{}{alias_char}", &value[..ID_LEN - 1]);
    assert_ne!(non_canonical, value);

    let bad = [
        String::new(),
        "x".into(),
        value[..ID_LEN - 1].to_owned(),
        format!("{value}A"),
        format!("{}+", &value[..ID_LEN - 1]),
        format!("{}/", &value[..ID_LEN - 1]),
        format!("{}=", &value[..ID_LEN - 1]),
        format!("{}.", &value[..ID_LEN - 1]),
        format!("{}%41", &value[..ID_LEN - 3]),
        non_canonical,
        "A".repeat(5000),
    ];
    store.take_calls();
    for bad in &bad {
        let cookie = format!("session={bad}");
        let reply = get(&app, "/read", Some(&cookie)).await;
        assert_eq!(
            (reply.status, reply.body.as_str()),
            (StatusCode::OK, "none"),
            "{bad:?}"
        );
        assert_eq!(reply.set_cookie(), None, "{bad:?}");
        assert_eq!(
            store.take_calls(),
            Calls::NONE,
            "{bad:?}: format checked before the store"
        );
        // A write starts a new session under a new id.
        let reply = get(&app, "/count", Some(&cookie)).await;
        assert_eq!(reply.body, "1", "{bad:?}");
        let fresh = reply.cookie().expect("a new session");
        assert_ne!(fresh, cookie);
        assert_ne!(fresh.strip_prefix("session=").unwrap_or_default(), value);
        assert_eq!(
            store.take_calls(),
            Calls {
                create: 1,
                ..Calls::NONE
            },
            "{bad:?}"
        );
    }
    // The real session is untouched by all that.
    assert_eq!(get(&app, "/read", Some(&cookie)).await.body, "1");
}

#[tokio::test]
async fn unknown_ids_give_a_fresh_empty_session() {
    let store = TestStore::new();
    let app = app(plain(store.clone()));
    counted(&app).await;
    store.take_calls();
    let unknown = format!("session={}", SessionId::random());
    let ((id, n, modified), reply) = within(
        &plain(store.clone()),
        Some(&unknown),
        |session| async move {
            let n = session.get::<u64>("n").await.unwrap();
            (session.id(), n, session.is_modified())
        },
    )
    .await;
    assert_eq!((id, n, modified), (None, None, false));
    assert_eq!(reply.set_cookie(), None);
    assert_eq!(
        store.take_calls(),
        Calls {
            load: 1,
            ..Calls::NONE
        }
    );
    let reply = get(&app, "/count", Some(&unknown)).await;
    assert_eq!(reply.body, "1");
    assert_ne!(
        reply.cookie().as_deref(),
        Some(unknown.as_str()),
        "never the client's id"
    );
}

// ---- 4. Typed values, clear, flash, is_modified, id ------------------------

#[tokio::test]
async fn typed_values_round_trip_and_remove() {
    let store = MemoryStore::new();
    let layer = plain(store);
    let ((), reply) = within(&layer, None, |session| async move {
        assert_eq!(session.get::<User>("user").await.unwrap(), None);
        session.insert("user", &alice()).await.unwrap();
        session.insert("tags", &vec!["a", "b"]).await.unwrap();
        session.insert("pair", &(7u8, -3i64)).await.unwrap();
        session.insert("name", "bob").await.unwrap();
        assert_eq!(session.get::<User>("user").await.unwrap(), Some(alice()));
    })
    .await;
    let cookie = reply.cookie().expect("created");

    let ((), reply) = within(&layer, Some(&cookie), |session| async move {
        assert_eq!(session.get::<User>("user").await.unwrap(), Some(alice()));
        assert_eq!(
            session.get::<Vec<String>>("tags").await.unwrap(),
            Some(vec!["a".to_owned(), "b".to_owned()])
        );
        assert_eq!(
            session.get::<(u8, i64)>("pair").await.unwrap(),
            Some((7, -3))
        );
        assert_eq!(
            session.get::<String>("name").await.unwrap().as_deref(),
            Some("bob")
        );
        let mut user = alice();
        user.visits += 1;
        session.insert("user", &user).await.unwrap();
        assert_eq!(
            session.remove::<String>("name").await.unwrap().as_deref(),
            Some("bob")
        );
        assert_eq!(session.get::<String>("name").await.unwrap(), None);
    })
    .await;
    assert_eq!(reply.cookie(), None, "same id: no Set-Cookie");

    let ((), _) = within(&layer, Some(&cookie), |session| async move {
        assert_eq!(
            session.get::<User>("user").await.unwrap().map(|u| u.visits),
            Some(4)
        );
        assert_eq!(
            session.get::<String>("name").await.unwrap(),
            None,
            "removed for good"
        );
        assert!(session.get::<(u8, i64)>("pair").await.unwrap().is_some());
    })
    .await;
}

#[tokio::test]
async fn reading_a_value_as_the_wrong_type_is_an_encoding_error() {
    let layer = plain(MemoryStore::new());
    let ((), reply) = within(&layer, None, |session| async move {
        session.insert("user", &alice()).await.unwrap();
        session.insert("n", &1u64).await.unwrap();
        session.insert("flag", &7u8).await.unwrap();
    })
    .await;
    let cookie = reply.cookie().expect("created");
    let (errors, _) = within(&layer, Some(&cookie), |session| async move {
        vec![
            ("n as User", session.get::<User>("n").await.err()),
            ("flag as bool", session.get::<bool>("flag").await.err()),
            // A struct whose first field happens to be a valid u32 prefix:
            // the rest of its bytes must not be silently ignored.
            ("user as u32", session.get::<u32>("user").await.err()),
            ("user as String", session.get::<String>("user").await.err()),
        ]
    })
    .await;
    let wrong: Vec<String> = errors
        .into_iter()
        .filter(|(_, error)| !matches!(error, Some(SessionError::Encoding(_))))
        .map(|(what, error)| format!("{what}: expected SessionError::Encoding, got {error:?}"))
        .collect();
    assert!(wrong.is_empty(), "{wrong:#?}");
}

#[tokio::test]
async fn removing_a_value_as_the_wrong_type_is_an_encoding_error() {
    let layer = plain(MemoryStore::new());
    let ((), reply) = within(&layer, None, |session| async move {
        session.insert("user", &alice()).await.unwrap();
    })
    .await;
    let cookie = reply.cookie().expect("created");
    let ((removed, still_there), _) = within(&layer, Some(&cookie), |session| async move {
        // A `User` does not read as a `bool`: the answer must not be
        // "there was no value" while the value is dropped.
        let removed = session.remove::<bool>("user").await;
        (removed, session.get::<User>("user").await.unwrap())
    })
    .await;
    assert!(
        matches!(removed, Err(SessionError::Encoding(_))),
        "expected SessionError::Encoding, got {removed:?}"
    );
    assert_eq!(
        still_there,
        Some(alice()),
        "a failed remove leaves the value"
    );
}

/// A value whose `Serialize` fails.
struct Unencodable;

impl serde::Serialize for Unencodable {
    fn serialize<S: serde::Serializer>(&self, _: S) -> Result<S::Ok, S::Error> {
        Err(serde::ser::Error::custom("cannot be written"))
    }
}

#[tokio::test]
async fn a_value_that_cannot_be_encoded_is_refused_and_changes_nothing() {
    let store = TestStore::new();
    let layer = plain(store.clone());
    let ((error, modified), reply) = within(&layer, None, |session| async move {
        let error = session.insert("bad", &Unencodable).await.err();
        (error, session.is_modified())
    })
    .await;
    assert!(
        matches!(error, Some(SessionError::Encoding(ref m)) if m.contains("bad")),
        "{error:?}"
    );
    assert!(!modified);
    assert_eq!(reply.set_cookie(), None);
    assert_eq!(store.calls().writes(), 0);
}

#[tokio::test]
async fn clear_keeps_the_id_and_drops_every_key() {
    let store = TestStore::new();
    let app = app(plain(store.clone()));
    let cookie = counted(&app).await;
    get(&app, "/set-user", Some(&cookie)).await;
    get(&app, "/flash", Some(&cookie)).await;
    store.take_calls();

    let reply = get(&app, "/clear", Some(&cookie)).await;
    assert_eq!(reply.cookie(), None, "same id: no Set-Cookie");
    assert_eq!(
        store.take_calls(),
        Calls {
            load: 1,
            save: 1,
            ..Calls::NONE
        }
    );
    assert_eq!(get(&app, "/read", Some(&cookie)).await.body, "none");
    assert_eq!(get(&app, "/read-user", Some(&cookie)).await.body, "none");
    assert_eq!(get(&app, "/flashes", Some(&cookie)).await.body, "");
    assert_eq!(
        get(&app, "/id", Some(&cookie)).await.body,
        id_of(&cookie).to_string()
    );
    // Still a live session: it counts on from zero under the same id (so
    // no Set-Cookie), as `/id` shows.
    let reply = get(&app, "/count", Some(&cookie)).await;
    assert_eq!((reply.body.as_str(), reply.cookie()), ("1", None));
    assert_eq!(
        get(&app, "/id", Some(&cookie)).await.body,
        id_of(&cookie).to_string()
    );
}

#[tokio::test]
async fn flashes_are_taken_once_in_order() {
    let app = app(plain(MemoryStore::new()));
    let cookie = counted(&app).await;
    assert_eq!(get(&app, "/flash", Some(&cookie)).await.body, "ok");
    assert_eq!(get(&app, "/flash", Some(&cookie)).await.body, "ok");
    // Flashes survive an unrelated write.
    get(&app, "/count", Some(&cookie)).await;
    let taken = get(&app, "/flashes", Some(&cookie)).await;
    assert_eq!(taken.body, "info:one\nwarning:two\ninfo:one\nwarning:two\n");
    assert_eq!(
        taken.cookie(),
        None,
        "taking them is a change, saved under the same id: no Set-Cookie"
    );
    assert_eq!(get(&app, "/flashes", Some(&cookie)).await.body, "");
    assert_eq!(
        get(&app, "/read", Some(&cookie)).await.body,
        "2",
        "keys are not flashes"
    );

    // On a new session, flashed and shown on the next page.
    let first = get(&app, "/flash", None).await;
    let cookie = first.cookie().expect("a flash creates the session");
    assert_eq!(
        get(&app, "/flashes", Some(&cookie)).await.body,
        "info:one\nwarning:two\n"
    );
    assert_eq!(get(&app, "/flashes", Some(&cookie)).await.body, "");
}

#[tokio::test]
async fn is_modified_and_id_report_the_session_state() {
    let layer = plain(MemoryStore::new());
    // A new session: no id, not even once written.
    let ((before, after_read, after_insert, id), reply) =
        within(&layer, None, |session| async move {
            let before = session.is_modified();
            session.get::<u64>("n").await.unwrap();
            let after_read = session.is_modified();
            session.insert("n", &1u64).await.unwrap();
            (before, after_read, session.is_modified(), session.id())
        })
        .await;
    assert_eq!(
        (before, after_read, after_insert, id),
        (false, false, true, None)
    );
    let cookie = reply.cookie().expect("created");
    let expected = id_of(&cookie);

    let (states, _) = within(&layer, Some(&cookie), |session| async move {
        let mut states = vec![("unloaded", session.id(), session.is_modified())];
        session.get::<u64>("n").await.unwrap();
        states.push(("read", session.id(), session.is_modified()));
        session.take_flashes().await.unwrap();
        states.push(("no flashes taken", session.id(), session.is_modified()));
        session.rotate_id().await.unwrap();
        states.push(("rotated", session.id(), session.is_modified()));
        states
    })
    .await;
    assert_eq!(
        states,
        vec![
            ("unloaded", None, false),
            ("read", Some(expected), false),
            ("no flashes taken", Some(expected), false),
            ("rotated", Some(expected), true),
        ]
    );

    let (modified, _) = within(&layer, Some(&cookie), |session| async move {
        let a = session.remove::<u64>("n").await.unwrap();
        (a, session.is_modified())
    })
    .await;
    assert_eq!(modified, (None, false), "rotated away: the old id is gone");
}

#[tokio::test]
async fn a_clone_of_the_session_is_the_same_session() {
    let layer = plain(MemoryStore::new());
    let ((), reply) = within(&layer, None, |session| async move {
        let other = session.clone();
        other.insert("a", "from a clone").await.unwrap();
        assert!(session.is_modified());
        assert_eq!(
            session.get::<String>("a").await.unwrap().as_deref(),
            Some("from a clone")
        );
    })
    .await;
    let cookie = reply.cookie().expect("created");
    let (a, _) = within(&layer, Some(&cookie), |session| async move {
        session.get::<String>("a").await.unwrap()
    })
    .await;
    assert_eq!(a.as_deref(), Some("from a clone"));
}

#[tokio::test]
async fn counter_rotation_flash_and_logout_in_sequence() {
    let app = app(plain(MemoryStore::new()));
    let cookie = counted(&app).await;
    assert_eq!(get(&app, "/count", Some(&cookie)).await.body, "2");
    let rotated = get(&app, "/login", Some(&cookie))
        .await
        .cookie()
        .expect("rotated");
    assert_eq!(
        get(&app, "/count", Some(&cookie)).await.body,
        "1",
        "old id gone"
    );
    assert_eq!(
        get(&app, "/flashes", Some(&rotated)).await.body,
        "success:welcome\n"
    );
    assert_eq!(get(&app, "/count", Some(&rotated)).await.body, "3");
    let logout = get(&app, "/destroy", Some(&rotated)).await;
    assert!(logout.set_cookie().expect("removal").contains("Max-Age=0"));
    assert_eq!(get(&app, "/count", Some(&rotated)).await.body, "1");
}

// ---- 5. Merge semantics ------------------------------------------------------

/// Two requests of one session loaded together, each changing its own key.
#[tokio::test]
async fn concurrent_requests_changing_different_keys_both_persist() {
    let store = MemoryStore::new();
    let layer = plain(store.clone());
    let barrier = Arc::new(Barrier::new(2));
    let handler = {
        let barrier = Arc::clone(&barrier);
        move |request: Request<()>| {
            let barrier = Arc::clone(&barrier);
            async move {
                let session = Session::from_request(&request).expect("session").clone();
                let key = request.uri().path().trim_start_matches('/').to_owned();
                // Load first; nobody saves before both have loaded.
                assert_eq!(session.get::<u64>("n").await.unwrap(), Some(1));
                barrier.wait().await;
                session.insert(&key, &format!("from {key}")).await.unwrap();
                Ok::<_, Infallible>(Response::new(Full::new(Bytes::from(key))))
            }
        }
    };
    let racing = layer.layer(tower::service_fn(handler));
    let app = app(layer);
    let cookie = counted(&app).await;

    let (a, b) = tokio::join!(
        get(&racing, "/a", Some(&cookie)),
        get(&racing, "/b", Some(&cookie))
    );
    assert_eq!((a.status, b.status), (StatusCode::OK, StatusCode::OK));
    assert_eq!(a.cookie(), None, "same id: no Set-Cookie");
    assert_eq!(b.cookie(), None, "same id: no Set-Cookie");
    let keys = get(&app, "/keys", Some(&cookie)).await;
    assert_eq!(keys.body, r#"n=Some(1) a=Some("from a") b=Some("from b")"#);
}

// ---- 6. Store failures --------------------------------------------------------

fn assert_store_unavailable(reply: &Reply, json: bool) {
    assert_eq!(reply.status, StatusCode::SERVICE_UNAVAILABLE, "{reply:?}");
    assert!(reply.body.contains("session store"), "{}", reply.body);
    assert_eq!(
        reply.set_cookies(),
        Vec::<String>::new(),
        "no Set-Cookie on failure"
    );
    let content_type = reply
        .headers
        .get("content-type")
        .and_then(|v| v.to_str().ok());
    if json {
        assert_eq!(content_type, Some("application/json"));
        assert!(
            reply.body.starts_with('{') && reply.body.contains("\"status\":503"),
            "{}",
            reply.body
        );
    } else {
        assert_eq!(content_type, Some("text/html; charset=utf-8"));
    }
}

#[tokio::test]
async fn a_store_failing_at_load_is_a_503_from_the_handler() {
    let store = TestStore::new();
    let app = counter_handler(plain(store.clone()));
    let first = get(&app, "/", None).await;
    assert_eq!(first.body, "1");
    let cookie = first.cookie().expect("created");
    store.take_calls();

    store.fail_load(true);
    let json = send(&app, "/", Some(&cookie), &[("accept", "application/json")]).await;
    assert_store_unavailable(&json, true);
    let html = get(&app, "/", Some(&cookie)).await;
    assert_store_unavailable(&html, false);
    assert_eq!(store.take_calls().writes(), 0, "nothing written");

    store.fail_load(false);
    assert_eq!(
        get(&app, "/", Some(&cookie)).await.body,
        "2",
        "the session survived"
    );
}

#[tokio::test]
async fn a_store_failing_at_save_is_a_503_from_the_layer() {
    let store = TestStore::new();
    // The service_fn handler succeeds; only the write at the end fails.
    let app = app(plain(store.clone()));
    let cookie = counted(&app).await;

    store.fail_save(true);
    let json = send(
        &app,
        "/count",
        Some(&cookie),
        &[("accept", "application/json")],
    )
    .await;
    assert_store_unavailable(&json, true);
    let html = get(&app, "/count", Some(&cookie)).await;
    assert_store_unavailable(&html, false);
    store.fail_save(false);
    assert_eq!(
        get(&app, "/read", Some(&cookie)).await.body,
        "1",
        "nothing written"
    );
}

#[tokio::test]
async fn a_store_failing_at_create_is_a_503_and_keeps_nothing() {
    let store = TestStore::new();
    let app = app(plain(store.clone()));
    store.fail_create(true);
    let reply = send(&app, "/count", None, &[("accept", "application/json")]).await;
    assert_store_unavailable(&reply, true);
    assert!(store.inner.is_empty());
    store.fail_create(false);
    assert_eq!(get(&app, "/count", None).await.body, "1");
}

#[tokio::test]
async fn a_store_failing_at_delete_is_a_503_and_the_old_session_stays() {
    let store = TestStore::new();
    let app = app(plain(store.clone()));
    let cookie = counted(&app).await;

    store.fail_delete(true);
    let destroy = get(&app, "/destroy", Some(&cookie)).await;
    assert_store_unavailable(&destroy, false);
    let rotate = get(&app, "/rotate", Some(&cookie)).await;
    assert_store_unavailable(&rotate, false);
    store.fail_delete(false);
    // The client kept its cookie, and it still works.
    assert_eq!(get(&app, "/count", Some(&cookie)).await.body, "2");
}

#[tokio::test]
async fn every_store_failure_converts_to_the_same_503() {
    let error = SessionError::Store(tackle_session::StoreError::new("down"));
    let http = tackle_request::HttpError::from(error);
    assert_eq!(http.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(
        http.message().contains("session store"),
        "{}",
        http.message()
    );
    assert!(
        !http.message().contains("down"),
        "the store's own words stay in the log"
    );
    let other = tackle_request::HttpError::from(SessionError::Encoding("x".into()));
    assert_eq!(other.status(), StatusCode::INTERNAL_SERVER_ERROR);
}

// ---- 7. The cookie store through the layer -----------------------------------

fn cookie_store(key: u8) -> CookieStore {
    CookieStore::new(&[key; 64]).expect("a 64-byte key")
}

#[tokio::test]
async fn the_cookie_store_counts_with_only_the_cookie() {
    let store = TestStore::over(cookie_store(7));
    let app = app(plain(store.clone()));
    let mut cookie = counted(&app).await;
    for expected in 2..=5 {
        let reply = get(&app, "/count", Some(&cookie)).await;
        assert_eq!(reply.body, expected.to_string());
        let next = reply.cookie().expect("every change reseals the cookie");
        assert_ne!(next, cookie);
        cookie = next;
    }
    // A read changes nothing, so the cookie is not resent.
    let read = get(&app, "/read", Some(&cookie)).await;
    assert_eq!((read.body.as_str(), read.set_cookie()), ("5", None));
    assert_eq!(
        get(&app, "/id", Some(&cookie)).await.body,
        "none",
        "no server-side id"
    );
    // Another layer with the same key reads it: nothing is on the server.
    let elsewhere = app_with_cookie_store(cookie_store(7));
    assert_eq!(get(&elsewhere, "/read", Some(&cookie)).await.body, "5");
    assert_eq!(
        store.calls(),
        Calls::NONE,
        "the store's server-side operations are never used"
    );

    let rotated = get(&app, "/login", Some(&cookie))
        .await
        .cookie()
        .expect("rotated");
    assert_eq!(get(&app, "/read", Some(&rotated)).await.body, "5");
    let destroyed = get(&app, "/destroy", Some(&rotated)).await;
    assert!(
        destroyed
            .set_cookie()
            .expect("removal")
            .contains("Max-Age=0")
    );
}

fn app_with_cookie_store(
    store: CookieStore,
) -> impl tower::Service<
    Request<()>,
    Response = Response<tackle_session::ResponseBody<Full<Bytes>>>,
    Error = Infallible,
> + Clone {
    app(plain(store))
}

#[tokio::test]
async fn a_tampered_cookie_store_value_gives_a_fresh_session() {
    let app = app_with_cookie_store(cookie_store(7));
    let reply = get(&app, "/set-user", None).await;
    let cookie = reply.cookie().expect("created");
    let value = cookie
        .strip_prefix("session=")
        .expect("named session")
        .to_owned();
    assert_eq!(
        get(&app, "/read-user", Some(&cookie)).await.body,
        format!("{:?}", alice())
    );

    let flip = |at: usize| {
        let mut bytes = value.clone().into_bytes();
        bytes[at] = if bytes[at] == b'A' { b'B' } else { b'A' };
        String::from_utf8(bytes).expect("ASCII")
    };
    let len = value.len();
    let mut tampered = vec![
        flip(0),
        flip(len / 2),
        flip(len - 1),
        value[..len - 1].to_owned(),
        value[1..].to_owned(),
        format!("{value}A"),
        String::new(),
        "garbage".into(),
    ];
    tampered.extend((0..len).step_by(7).map(flip));
    for bad in tampered {
        let reply = get(&app, "/read-user", Some(&format!("session={bad}"))).await;
        assert_eq!(
            (reply.status, reply.body.as_str()),
            (StatusCode::OK, "none"),
            "{bad}"
        );
        assert_eq!(reply.set_cookie(), None);
    }
    // Sealed under another key, or for another cookie name.
    let other_key = app_with_cookie_store(cookie_store(8));
    assert_eq!(
        get(&other_key, "/read-user", Some(&cookie)).await.body,
        "none"
    );
    let renamed = common::app(plain(cookie_store(7)).cookie_name("other"));
    let moved = format!("other={value}");
    assert_eq!(get(&renamed, "/read-user", Some(&moved)).await.body, "none");
}

#[tokio::test]
async fn an_oversized_cookie_session_is_refused_at_insert_and_left_as_it_was() {
    let layer = plain(cookie_store(7));
    let ((), reply) = within(&layer, None, |session| async move {
        session.insert("n", &41u64).await.unwrap();
    })
    .await;
    let cookie = reply.cookie().expect("created");

    let (outcome, reply) = within(&layer, Some(&cookie), |session| async move {
        let error = session.insert("big", &"x".repeat(5000)).await.err();
        let after = (
            session.get::<String>("big").await.unwrap(),
            session.get::<u64>("n").await.unwrap(),
            session.is_modified(),
        );
        let flash = session.flash(Level::Info, "y".repeat(5000)).await.err();
        (error, after, flash, session.take_flashes().await.unwrap())
    })
    .await;
    let (error, after, flash, flashes) = outcome;
    match error {
        Some(SessionError::TooLarge { size, limit }) => {
            assert_eq!(limit, MAX_COOKIE_SIZE);
            assert!(size > 5000, "{size}");
        }
        other => panic!("expected TooLarge, got {other:?}"),
    }
    assert!(
        matches!(flash, Some(SessionError::TooLarge { .. })),
        "{flash:?}"
    );
    assert_eq!(flashes, vec![]);
    assert_eq!(after, (None, Some(41), false));
    assert_eq!(reply.set_cookie(), None, "unchanged: nothing to send");
    let (n, _) = within(&layer, Some(&cookie), |session| async move {
        session.get::<u64>("n").await.unwrap()
    })
    .await;
    assert_eq!(n, Some(41));
}

/// The largest value accepted makes a cookie within the limit, and one
/// byte more is refused.
#[tokio::test]
async fn the_cookie_size_limit_holds_at_the_limit_and_one_past() {
    let layer = plain(cookie_store(7));
    let (largest, reply) = within(&layer, None, |session| async move {
        let (mut fits, mut refused) = (0usize, 8192usize);
        while refused - fits > 1 {
            let mid = (fits + refused) / 2;
            match session.insert("blob", &"z".repeat(mid)).await {
                Ok(()) => fits = mid,
                Err(SessionError::TooLarge { .. }) => refused = mid,
                Err(other) => panic!("{other}"),
            }
        }
        session.insert("blob", &"z".repeat(fits)).await.unwrap();
        fits
    })
    .await;
    assert!(largest > 2000, "about 2.2 KiB should fit, {largest} did");
    let cookie = reply.cookie().expect("created");
    assert!(
        cookie.len() <= MAX_COOKIE_SIZE,
        "{} bytes sent",
        cookie.len()
    );
    assert!(
        cookie.len() > MAX_COOKIE_SIZE - 8,
        "the limit is used: {} bytes",
        cookie.len()
    );
    let (blob, _) = within(&layer, Some(&cookie), |session| async move {
        session
            .get::<String>("blob")
            .await
            .unwrap()
            .map(|b| b.len())
    })
    .await;
    assert_eq!(blob, Some(largest));
}

#[tokio::test]
async fn cookie_store_key_rotation_through_the_layer() {
    let old = app_with_cookie_store(cookie_store(1));
    let rotated = app_with_cookie_store(cookie_store(2).with_old_key(&[1; 64]).expect("key"));
    let new_only = app_with_cookie_store(cookie_store(2));

    let sealed_old = counted(&old).await;
    assert_eq!(
        get(&new_only, "/read", Some(&sealed_old)).await.body,
        "none"
    );
    // The rotated store opens the old cookie, and writes with its new key.
    assert_eq!(get(&rotated, "/read", Some(&sealed_old)).await.body, "1");
    let reply = get(&rotated, "/count", Some(&sealed_old)).await;
    assert_eq!(reply.body, "2");
    let sealed_new = reply.cookie().expect("resealed");
    assert_eq!(get(&new_only, "/read", Some(&sealed_new)).await.body, "2");
    assert_eq!(get(&old, "/read", Some(&sealed_new)).await.body, "none");
    assert_eq!(get(&rotated, "/read", Some(&sealed_new)).await.body, "2");
}

// ---- 11. axum ---------------------------------------------------------------

#[cfg(feature = "axum")]
#[tokio::test]
async fn the_axum_extractor_finds_the_layers_session() {
    use axum_core::extract::FromRequestParts;

    let layer = plain(MemoryStore::new());
    let service = layer.layer(tower::service_fn(|request: Request<()>| async move {
        let (mut parts, ()) = request.into_parts();
        let session = Session::from_request_parts(&mut parts, &())
            .await
            .expect("extracted");
        session.insert("via", "axum").await.unwrap();
        Ok::<_, Infallible>(Response::new(Full::new(Bytes::new())))
    }));
    let reply = get(&service, "/", None).await;
    let cookie = reply.cookie().expect("created");
    let (via, _) = within(&layer, Some(&cookie), |session| async move {
        session.get::<String>("via").await.unwrap()
    })
    .await;
    assert_eq!(via.as_deref(), Some("axum"));

    let (mut parts, ()) = Request::new(()).into_parts();
    let rejection = Session::from_request_parts(&mut parts, &())
        .await
        .expect_err("no layer");
    assert_eq!(rejection.0, StatusCode::INTERNAL_SERVER_ERROR);
    assert!(rejection.1.contains("SessionLayer"));
}
