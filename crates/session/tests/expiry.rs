//! Expiry through the layer, timed by a clock the test moves: the idle
//! timeout, the absolute lifetime, the refresh of the idle deadline at most
//! once per `refresh_fraction` of it, the persistent cookie's `Max-Age`,
//! and the documented defaults. Server-side stores and the cookie store
//! alike.

mod common;

use std::time::Duration;

use common::{Calls, Reply, TestClock, TestStore, app, get, plain};
use tackle_session::{CookieStore, MemoryStore, SessionLayer, SessionStore};

/// Any fixed time far from zero, so that nothing saturates.
const T0: u64 = 1_700_000_000;
const HOUR: u64 = 3600;
const DAY: u64 = 24 * HOUR;

/// Idle 100 s, absolute 1000 s, refresh after 25 s; persistent cookies, so
/// that `Max-Age` shows the time left.
fn short<S: SessionStore>(store: S, clock: &TestClock) -> SessionLayer<S> {
    plain(store)
        .clock(clock.clone())
        .persistent(true)
        .idle_timeout(Duration::from_secs(100))
        .absolute_lifetime(Duration::from_secs(1000))
        .refresh_fraction(0.25)
}

fn max_age(reply: &Reply) -> Option<u64> {
    let line = reply.set_cookie()?;
    let value = line
        .split(';')
        .find_map(|attribute| attribute.trim().strip_prefix("Max-Age="))?;
    Some(value.parse().expect("a number of seconds"))
}

/// What a read `at` seconds after the session's creation finds: the
/// count (or `none`), and the `Set-Cookie`'s cookie and `Max-Age`.
#[derive(Debug, PartialEq, Eq)]
struct Seen {
    body: String,
    cookie: Option<String>,
    max_age: Option<u64>,
}

#[tokio::test]
async fn idle_timeout_and_refresh_table() {
    let clock = TestClock::at(T0);
    let store = TestStore::new();
    let app = app(short(store.clone(), &clock));
    // (seconds after creation, alive, refresh due: Set-Cookie, Max-Age)
    #[rustfmt::skip]
    let table: &[(u64, bool, bool, Option<u64>)] = &[
        (0,    true,  false, None),
        (1,    true,  false, None),
        (24,   true,  false, None),
        (25,   true,  true,  Some(100)),
        (60,   true,  true,  Some(100)),
        (99,   true,  true,  Some(100)),
        (100,  false, false, None),
        (101,  false, false, None),
        (5000, false, false, None),
    ];
    for &(after, alive, refresh, expected_max_age) in table {
        clock.set(T0);
        let created = get(&app, "/count", None).await;
        assert_eq!(
            max_age(&created),
            Some(100),
            "a new session has the idle timeout left"
        );
        let cookie = created.cookie().expect("created");
        store.take_calls();

        clock.set(T0 + after);
        let read = get(&app, "/read", Some(&cookie)).await;
        let seen = Seen {
            body: read.body.clone(),
            cookie: read.cookie(),
            max_age: max_age(&read),
        };
        let expected = Seen {
            body: if alive { "1" } else { "none" }.into(),
            cookie: refresh.then(|| cookie.clone()),
            max_age: expected_max_age,
        };
        assert_eq!(seen, expected, "read {after} s after creation");
        let calls = store.take_calls();
        assert_eq!(calls.load, 1, "{after}");
        assert_eq!(
            calls.save,
            usize::from(refresh),
            "only a due refresh writes: {after}"
        );
        assert_eq!(calls.create + calls.delete, 0, "{after}");
    }
}

#[tokio::test]
async fn a_refresh_moves_the_idle_deadline() {
    let clock = TestClock::at(T0);
    let store = TestStore::new();
    let app = app(short(store.clone(), &clock));
    let cookie = get(&app, "/count", None).await.cookie().expect("created");

    // Before a quarter of the timeout: a read writes nothing.
    clock.set(T0 + 10);
    store.take_calls();
    let early = get(&app, "/read", Some(&cookie)).await;
    assert_eq!((early.body.as_str(), early.set_cookie()), ("1", None));
    assert_eq!(
        store.take_calls(),
        Calls {
            load: 1,
            ..Calls::NONE
        }
    );

    // After it: the same id again, the deadline pushed to T0 + 130.
    clock.set(T0 + 30);
    let refreshed = get(&app, "/read", Some(&cookie)).await;
    assert_eq!(refreshed.body, "1");
    assert_eq!(
        refreshed.cookie().as_deref(),
        Some(cookie.as_str()),
        "same id"
    );
    assert_eq!(max_age(&refreshed), Some(100));
    assert_eq!(
        store.take_calls(),
        Calls {
            load: 1,
            save: 1,
            ..Calls::NONE
        }
    );

    // Past the original deadline (T0 + 100), within the new one.
    clock.set(T0 + 110);
    let later = get(&app, "/read", Some(&cookie)).await;
    assert_eq!(later.body, "1", "the refresh kept the session alive");

    // That read refreshed again (80 s since the last): deadline T0 + 210.
    assert_eq!(later.cookie().as_deref(), Some(cookie.as_str()));
    clock.set(T0 + 209);
    assert_eq!(get(&app, "/read", Some(&cookie)).await.body, "1");
    clock.set(T0 + 209 + 100);
    assert_eq!(get(&app, "/read", Some(&cookie)).await.body, "none");
}

#[tokio::test]
async fn a_write_moves_the_idle_deadline_too() {
    let clock = TestClock::at(T0);
    let app = app(short(MemoryStore::new(), &clock));
    let cookie = get(&app, "/count", None).await.cookie().expect("created");
    clock.set(T0 + 10);
    let write = get(&app, "/count", Some(&cookie)).await;
    assert_eq!(write.body, "2");
    assert_eq!(max_age(&write), Some(100));
    clock.set(T0 + 105);
    assert_eq!(get(&app, "/read", Some(&cookie)).await.body, "2");
}

#[tokio::test]
async fn the_absolute_lifetime_ends_an_active_session() {
    let clock = TestClock::at(T0);
    let store = TestStore::new();
    let layer = short(store.clone(), &clock).absolute_lifetime(Duration::from_secs(300));
    let app = app(layer);
    let cookie = get(&app, "/count", None).await.cookie().expect("created");
    // Active every 50 s: the idle deadline never passes, and Max-Age counts
    // down to the absolute end once that is nearer.
    for (after, expected_max_age) in [(50, 100), (100, 100), (150, 100), (200, 100), (250, 50)] {
        clock.set(T0 + after);
        let read = get(&app, "/read", Some(&cookie)).await;
        assert_eq!(read.body, "1", "{after}");
        assert_eq!(max_age(&read), Some(expected_max_age), "{after}");
    }
    clock.set(T0 + 260);
    let write = get(&app, "/count", Some(&cookie)).await;
    assert_eq!((write.body.as_str(), max_age(&write)), ("2", Some(40)));
    clock.set(T0 + 299);
    let last = get(&app, "/read", Some(&cookie)).await;
    assert_eq!((last.body.as_str(), max_age(&last)), ("2", Some(1)));

    clock.set(T0 + 300);
    store.take_calls();
    let ended = get(&app, "/read", Some(&cookie)).await;
    assert_eq!((ended.body.as_str(), ended.set_cookie()), ("none", None));
    // A write then starts a new session and deletes the expired one.
    let fresh = get(&app, "/count", Some(&cookie)).await;
    assert_eq!(fresh.body, "1");
    let new_cookie = fresh.cookie().expect("a new session");
    assert_ne!(new_cookie, cookie);
    assert_eq!(max_age(&fresh), Some(100));
    assert_eq!(
        store.take_calls(),
        Calls {
            load: 2,
            create: 1,
            delete: 1,
            ..Calls::NONE
        }
    );
    assert_eq!(store.inner.len(), 1, "only the new session is kept");
}

#[tokio::test]
async fn refresh_fraction_bounds() {
    let clock = TestClock::at(T0);
    // 1.0: a read never writes before the session expires.
    let never = app(short(MemoryStore::new(), &clock).refresh_fraction(1.0));
    let cookie = get(&never, "/count", None).await.cookie().expect("created");
    clock.set(T0 + 99);
    let read = get(&never, "/read", Some(&cookie)).await;
    assert_eq!((read.body.as_str(), read.set_cookie()), ("1", None));

    // 0.0: a read refreshes once a second has passed, never twice a second.
    clock.set(T0);
    let always = app(short(MemoryStore::new(), &clock).refresh_fraction(0.0));
    let cookie = get(&always, "/count", None)
        .await
        .cookie()
        .expect("created");
    let same_second = get(&always, "/read", Some(&cookie)).await;
    assert_eq!(same_second.set_cookie(), None);
    clock.set(T0 + 1);
    let next_second = get(&always, "/read", Some(&cookie)).await;
    assert_eq!(next_second.cookie().as_deref(), Some(cookie.as_str()));

    // Out of range is clamped, not a panic or a refresh on every request.
    clock.set(T0);
    let clamped = app(short(MemoryStore::new(), &clock).refresh_fraction(7.5));
    let cookie = get(&clamped, "/count", None)
        .await
        .cookie()
        .expect("created");
    clock.set(T0 + 99);
    assert_eq!(
        get(&clamped, "/read", Some(&cookie)).await.set_cookie(),
        None
    );
}

#[tokio::test]
async fn the_defaults_are_24_hours_idle_7_days_absolute_and_a_quarter() {
    let clock = TestClock::at(T0);
    let store = TestStore::new();
    let app = app(plain(store.clone()).clock(clock.clone()).persistent(true));
    let created = get(&app, "/count", None).await;
    assert_eq!(max_age(&created), Some(DAY), "24 hours idle");
    let cookie = created.cookie().expect("created");

    // The refresh comes after 6 hours, not before.
    clock.set(T0 + 6 * HOUR - 1);
    assert_eq!(get(&app, "/read", Some(&cookie)).await.set_cookie(), None);
    clock.set(T0 + 6 * HOUR);
    let refreshed = get(&app, "/read", Some(&cookie)).await;
    assert_eq!(refreshed.cookie().as_deref(), Some(cookie.as_str()));
    assert_eq!(max_age(&refreshed), Some(DAY));

    // Idle: alive one second before 24 hours without a request, not at.
    let idle = |after: u64| {
        let app = app.clone();
        let clock = clock.clone();
        async move {
            clock.set(T0);
            let cookie = get(&app, "/count", None).await.cookie().expect("created");
            clock.set(T0 + after);
            get(&app, "/read", Some(&cookie)).await.body
        }
    };
    assert_eq!(idle(DAY - 1).await, "1");
    assert_eq!(idle(DAY).await, "none");

    // Absolute: a request every 20 hours keeps it alive until 7 days.
    clock.set(T0);
    let cookie = get(&app, "/count", None).await.cookie().expect("created");
    let mut at = T0;
    while at + 20 * HOUR < T0 + 7 * DAY {
        at += 20 * HOUR;
        clock.set(at);
        assert_eq!(
            get(&app, "/read", Some(&cookie)).await.body,
            "1",
            "{}",
            at - T0
        );
    }
    clock.set(T0 + 7 * DAY - 1);
    let last = get(&app, "/read", Some(&cookie)).await;
    assert_eq!((last.body.as_str(), max_age(&last)), ("1", Some(1)));
    clock.set(T0 + 7 * DAY);
    assert_eq!(get(&app, "/read", Some(&cookie)).await.body, "none");
}

#[tokio::test]
async fn a_browser_session_cookie_has_no_max_age_but_expires_on_the_server() {
    let clock = TestClock::at(T0);
    let layer = short(MemoryStore::new(), &clock).persistent(false);
    let app = app(layer);
    let created = get(&app, "/count", None).await;
    let line = created.set_cookie().expect("created");
    assert!(
        !line.contains("Max-Age") && !line.contains("Expires"),
        "{line}"
    );
    let cookie = created.cookie().expect("created");
    clock.set(T0 + 100);
    assert_eq!(get(&app, "/read", Some(&cookie)).await.body, "none");
}

#[tokio::test]
async fn cookie_store_sessions_expire_on_the_server_too() {
    let clock = TestClock::at(T0);
    let store = CookieStore::new(&[7; 64]).expect("a 64-byte key");
    let app = app(short(store, &clock));
    let cookie = get(&app, "/count", None).await.cookie().expect("created");

    clock.set(T0 + 99);
    assert_eq!(get(&app, "/read", Some(&cookie)).await.body, "1");
    clock.set(T0 + 100);
    assert_eq!(
        get(&app, "/read", Some(&cookie)).await.body,
        "none",
        "idle timeout"
    );

    // A refresh reseals the cookie; only the new one lives past the first
    // deadline (the old copy carries its old times).
    clock.set(T0 + 30);
    let refreshed = get(&app, "/read", Some(&cookie)).await;
    let resealed = refreshed.cookie().expect("a refresh reseals");
    assert_ne!(resealed, cookie);
    assert_eq!(max_age(&refreshed), Some(100));
    clock.set(T0 + 110);
    let later = get(&app, "/read", Some(&resealed)).await;
    assert_eq!(later.body, "1");
    assert_eq!(get(&app, "/read", Some(&cookie)).await.body, "none");

    // Absolute lifetime, however active.
    let mut current = later.cookie().expect("80 s since the refresh: another");
    for at in (150..1000).step_by(50) {
        clock.set(T0 + at);
        let read = get(&app, "/read", Some(&current)).await;
        assert_eq!(read.body, "1", "{at}");
        if let Some(next) = read.cookie() {
            current = next;
        }
    }
    clock.set(T0 + 1000);
    assert_eq!(
        get(&app, "/read", Some(&current)).await.body,
        "none",
        "absolute lifetime"
    );
}
