//! The layer over `RedisStore` against a real `redis-server` (each test
//! starts its own on a free port): the counter, the commands each request
//! costs (counted with `INFO commandstats`), rotation deleting the old key,
//! concurrent requests changing different keys, and Redis going away
//! (`503`) and coming back (recovery with the same layer).
#![cfg(feature = "redis")]

mod common;
mod support {
    pub mod redis_server;
}

use std::collections::BTreeMap;
use std::convert::Infallible;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use common::{Reply, app, counter_handler, get, plain, send};
use http::{Request, Response, StatusCode};
use http_body_util::Full;
use redis::aio::MultiplexedConnection;
use support::redis_server::RedisServer;
use tackle_session::{RedisStore, Session, SessionId};
use tokio::sync::Barrier;
use tower::Layer;

async fn connect(server: &RedisServer) -> MultiplexedConnection {
    redis::Client::open(server.url())
        .expect("a redis URL")
        .get_multiplexed_async_connection()
        .await
        .expect("redis answers")
}

async fn open(server: &RedisServer) -> RedisStore {
    RedisStore::open(&server.url())
        .await
        .expect("the store connects")
}

async fn reset_stats(connection: &mut MultiplexedConnection) {
    redis::cmd("CONFIG")
        .arg("RESETSTAT")
        .exec_async(connection)
        .await
        .expect("CONFIG RESETSTAT");
}

/// The commands Redis ran since the last reset, by name and count, leaving
/// out the test's own `CONFIG` and `INFO`.
async fn commands(connection: &mut MultiplexedConnection) -> BTreeMap<String, u64> {
    let info: String = redis::cmd("INFO")
        .arg("commandstats")
        .query_async(connection)
        .await
        .expect("INFO commandstats");
    info.lines()
        .filter_map(|line| {
            let (name, stats) = line.strip_prefix("cmdstat_")?.split_once(':')?;
            let calls = stats.split(',').find_map(|s| s.strip_prefix("calls="))?;
            Some((name.to_owned(), calls.parse().ok()?))
        })
        .filter(|(name, _): &(String, u64)| !name.starts_with("config") && name != "info")
        .collect()
}

fn counts(pairs: &[(&str, u64)]) -> BTreeMap<String, u64> {
    pairs
        .iter()
        .map(|(name, n)| ((*name).to_owned(), *n))
        .collect()
}

async fn exists(connection: &mut MultiplexedConnection, key: &str) -> bool {
    redis::cmd("EXISTS")
        .arg(key)
        .query_async::<i64>(connection)
        .await
        .expect("EXISTS")
        == 1
}

fn id_of(cookie: &str) -> SessionId {
    SessionId::parse(cookie.split_once('=').expect("name=value").1).expect("a session id")
}

#[tokio::test]
async fn counter_and_commands_per_request() {
    let Some(server) = RedisServer::start() else {
        return;
    };
    let store = open(&server).await;
    let mut redis = connect(&server).await;
    let app = app(plain(store.clone()).idle_timeout(Duration::from_secs(3600)));

    // A new session: one round trip, the create script.
    reset_stats(&mut redis).await;
    let first = get(&app, "/count", None).await;
    assert_eq!(first.body, "1");
    let cookie = first.cookie().expect("created");
    let created = commands(&mut redis).await;
    assert_eq!(created.get("eval"), Some(&1), "{created:?}");
    for absent in ["hgetall", "multi", "exec"] {
        assert!(!created.contains_key(absent), "{created:?}");
    }
    let key = store.key(&id_of(&cookie));
    let ttl: i64 = redis::cmd("PTTL")
        .arg(&key)
        .query_async(&mut redis)
        .await
        .expect("PTTL");
    assert!(
        (3_590_000..=3_600_000).contains(&ttl),
        "the key lives as long as the idle timeout: {ttl}"
    );

    // Untouched, with the cookie: nothing at all.
    reset_stats(&mut redis).await;
    assert_eq!(
        get(&app, "/untouched", Some(&cookie)).await.body,
        "untouched"
    );
    assert_eq!(commands(&mut redis).await, counts(&[]));

    // A read: one HGETALL.
    reset_stats(&mut redis).await;
    let read = get(&app, "/keys", Some(&cookie)).await;
    assert_eq!(read.body, "n=Some(1) a=None b=None");
    assert_eq!(read.set_cookie(), None);
    assert_eq!(commands(&mut redis).await, counts(&[("hgetall", 1)]));

    // A write: one HGETALL, then one MULTI/EXEC of HSET and PEXPIRE.
    reset_stats(&mut redis).await;
    let write = get(&app, "/count", Some(&cookie)).await;
    assert_eq!(write.body, "2");
    assert_eq!(write.cookie(), None, "same id: no Set-Cookie");
    assert_eq!(
        commands(&mut redis).await,
        counts(&[
            ("hgetall", 1),
            ("multi", 1),
            ("hset", 1),
            ("pexpire", 1),
            ("exec", 1)
        ])
    );

    // The session is one hash: the application's key and the layer's times.
    let fields: Vec<String> = redis::cmd("HKEYS")
        .arg(&key)
        .query_async(&mut redis)
        .await
        .expect("HKEYS");
    for field in ["k:n", "m:created", "m:refreshed"] {
        assert!(fields.iter().any(|f| f == field), "{fields:?}");
    }
    assert_eq!(get(&app, "/count", Some(&cookie)).await.body, "3");
}

#[tokio::test]
async fn rotation_and_destroy_delete_the_key() {
    let Some(server) = RedisServer::start() else {
        return;
    };
    let store = open(&server).await;
    let mut redis = connect(&server).await;
    let app = app(plain(store.clone()));
    let old = get(&app, "/count", None).await.cookie().expect("created");
    let old_key = store.key(&id_of(&old));
    assert!(exists(&mut redis, &old_key).await);

    let login = get(&app, "/login", Some(&old)).await;
    let new = login.cookie().expect("rotated");
    let new_key = store.key(&id_of(&new));
    assert_ne!(new_key, old_key);
    assert!(
        !exists(&mut redis, &old_key).await,
        "rotation deletes the old key"
    );
    assert!(exists(&mut redis, &new_key).await);
    assert_eq!(get(&app, "/read", Some(&old)).await.body, "none");
    assert_eq!(get(&app, "/read", Some(&new)).await.body, "1");
    assert_eq!(
        get(&app, "/flashes", Some(&new)).await.body,
        "success:welcome\n"
    );

    let logout = get(&app, "/destroy", Some(&new)).await;
    assert!(logout.set_cookie().expect("removal").contains("Max-Age=0"));
    assert!(
        !exists(&mut redis, &new_key).await,
        "destroy deletes the key"
    );
    let keys: Vec<String> = redis::cmd("KEYS")
        .arg("*")
        .query_async(&mut redis)
        .await
        .expect("KEYS");
    assert_eq!(keys, Vec::<String>::new());
}

#[tokio::test]
async fn concurrent_requests_changing_different_keys_both_persist() {
    let Some(server) = RedisServer::start() else {
        return;
    };
    let layer = plain(open(&server).await);
    let barrier = Arc::new(Barrier::new(2));
    let racing = layer.layer(tower::service_fn(move |request: Request<()>| {
        let barrier = Arc::clone(&barrier);
        async move {
            let session = Session::from_request(&request).expect("session").clone();
            let key = request.uri().path().trim_start_matches('/').to_owned();
            assert_eq!(session.get::<u64>("n").await.unwrap(), Some(1));
            // Both have loaded before either saves.
            barrier.wait().await;
            session.insert(&key, &format!("from {key}")).await.unwrap();
            Ok::<_, Infallible>(Response::new(Full::new(Bytes::from(key))))
        }
    }));
    let app = app(layer);
    let cookie = get(&app, "/count", None).await.cookie().expect("created");

    let (a, b) = tokio::join!(
        get(&racing, "/a", Some(&cookie)),
        get(&racing, "/b", Some(&cookie))
    );
    assert_eq!((a.status, b.status), (StatusCode::OK, StatusCode::OK));
    let keys = get(&app, "/keys", Some(&cookie)).await;
    assert_eq!(keys.body, r#"n=Some(1) a=Some("from a") b=Some("from b")"#);
}

fn assert_unavailable(reply: &Reply) {
    assert_eq!(reply.status, StatusCode::SERVICE_UNAVAILABLE, "{reply:?}");
    assert!(reply.body.contains("session store"), "{}", reply.body);
    assert_eq!(reply.set_cookies(), Vec::<String>::new());
}

#[tokio::test]
async fn redis_killed_is_a_503_and_the_same_layer_recovers_after_restart() {
    let Some(mut server) = RedisServer::start() else {
        return;
    };
    let layer = plain(open(&server).await);
    let counter = counter_handler(layer.clone());
    let app = app(layer);
    let cookie = get(&counter, "/", None).await.cookie().expect("created");
    assert_eq!(get(&counter, "/", Some(&cookie)).await.body, "2");

    server.kill();
    // Loading fails: the handler's `?` makes it a 503.
    let json = send(
        &counter,
        "/",
        Some(&cookie),
        &[("accept", "application/json")],
    )
    .await;
    assert_unavailable(&json);
    assert_eq!(
        json.headers
            .get("content-type")
            .and_then(|v| v.to_str().ok()),
        Some("application/json")
    );
    assert!(json.body.contains("\"status\":503"), "{}", json.body);
    // Creating fails when the response goes out: the layer's 503.
    assert_unavailable(&get(&app, "/count", None).await);
    // A request that leaves the session alone does not notice.
    assert_eq!(
        get(&app, "/untouched", Some(&cookie)).await.status,
        StatusCode::OK
    );

    server.restart();
    // The restarted Redis is empty: the old cookie gives a fresh session,
    // and the first request after the restart already succeeds.
    let back = get(&counter, "/", Some(&cookie)).await;
    assert_eq!(
        (back.status, back.body.as_str()),
        (StatusCode::OK, "1"),
        "{back:?}"
    );
    let cookie = back.cookie().expect("a new session");
    assert_eq!(get(&counter, "/", Some(&cookie)).await.body, "2");
    assert_eq!(get(&app, "/read", Some(&cookie)).await.body, "2");
}

#[tokio::test]
async fn a_redis_that_stops_answering_is_a_503_within_the_timeout() {
    let Some(server) = RedisServer::start() else {
        return;
    };
    let store = open(&server).await.timeout(Duration::from_millis(300));
    let counter = counter_handler(plain(store));
    let cookie = get(&counter, "/", None).await.cookie().expect("created");

    server.pause();
    let started = Instant::now();
    let reply = get(&counter, "/", Some(&cookie)).await;
    let took = started.elapsed();
    server.resume();
    assert_unavailable(&reply);
    assert!(took < Duration::from_secs(2), "took {took:?}");

    // Once it answers again, so does the session, with nothing lost.
    let mut last = None;
    for _ in 0..20 {
        let reply = get(&counter, "/", Some(&cookie)).await;
        if reply.status == StatusCode::OK {
            last = Some(reply.body);
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(last.as_deref(), Some("2"));
}
