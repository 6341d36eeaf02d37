//! The Redis store against a real `redis-server` (started on a free port by
//! each test), and the store contract both server-side stores keep.
#![cfg(feature = "redis")]

mod support {
    pub mod redis_server;
}

use std::collections::HashMap;
use std::time::{Duration, Instant};

use bytes::Bytes;
use redis::AsyncCommands;
use redis::aio::MultiplexedConnection;
use support::redis_server::RedisServer;
use tackle_session::{Changes, MemoryStore, Record, RedisStore, SessionId, SessionStore};

const TTL: Duration = Duration::from_secs(60);

fn record(fields: &[(&str, &str)]) -> Record {
    let mut record = Record::new();
    for (field, value) in fields {
        record.set(*field, Bytes::copy_from_slice(value.as_bytes()));
    }
    record
}

fn set(fields: &[(&str, &str)]) -> Changes {
    Changes {
        set: fields
            .iter()
            .map(|(f, v)| ((*f).to_owned(), Bytes::copy_from_slice(v.as_bytes())))
            .collect(),
        ..Changes::default()
    }
}

fn removed(fields: &[&str]) -> Changes {
    Changes {
        removed: fields.iter().map(|f| (*f).to_owned()).collect(),
        ..Changes::default()
    }
}

/// What every server-side store does, whatever keeps the data.
async fn contract<S: SessionStore>(store: &S) {
    // Round trip.
    let id = SessionId::random();
    assert_eq!(store.load(&id).await.unwrap(), None);
    let first = record(&[("m:created", "1700000000"), ("k:user", "ada")]);
    assert!(store.create(&id, &first, TTL).await.unwrap());
    assert_eq!(store.load(&id).await.unwrap(), Some(first.clone()));

    // Create never overwrites.
    assert!(
        !store
            .create(&id, &record(&[("k:user", "eve")]), TTL)
            .await
            .unwrap()
    );
    assert_eq!(store.load(&id).await.unwrap(), Some(first));

    // Saves merge field by field; two concurrent saves of different fields
    // both persist.
    let (cart, theme) = (set(&[("k:cart", "3 apples")]), set(&[("k:theme", "dark")]));
    let (a, b) = tokio::join!(store.save(&id, &cart, TTL), store.save(&id, &theme, TTL));
    a.unwrap();
    b.unwrap();
    store.save(&id, &removed(&["k:user"]), TTL).await.unwrap();
    assert_eq!(
        store.load(&id).await.unwrap(),
        Some(record(&[
            ("k:cart", "3 apples"),
            ("k:theme", "dark"),
            ("m:created", "1700000000"),
        ]))
    );

    // Binary values survive.
    let binary = Bytes::from_static(&[0, 255, 13, 10, 0x80]);
    let changes = Changes {
        set: vec![("k:bin".to_owned(), binary.clone())],
        ..Changes::default()
    };
    store.save(&id, &changes, TTL).await.unwrap();
    assert_eq!(
        store.load(&id).await.unwrap().unwrap().get("k:bin"),
        Some(&binary)
    );

    // A clear replaces everything; removing every field keeps an empty
    // session, not none.
    let clear = Changes {
        clear: true,
        set: vec![("m:created", "2").into_field()],
        ..Changes::default()
    };
    store.save(&id, &clear, TTL).await.unwrap();
    assert_eq!(
        store.load(&id).await.unwrap(),
        Some(record(&[("m:created", "2")]))
    );
    store
        .save(&id, &removed(&["m:created"]), TTL)
        .await
        .unwrap();
    assert_eq!(store.load(&id).await.unwrap(), Some(Record::new()));

    // An empty record is still a session.
    let empty = SessionId::random();
    assert!(store.create(&empty, &Record::new(), TTL).await.unwrap());
    assert_eq!(store.load(&empty).await.unwrap(), Some(Record::new()));
    assert!(!store.create(&empty, &Record::new(), TTL).await.unwrap());

    // A save to an id that is not there creates it with the changes alone.
    let absent = SessionId::random();
    store
        .save(&absent, &set(&[("k:a", "1")]), TTL)
        .await
        .unwrap();
    assert_eq!(
        store.load(&absent).await.unwrap(),
        Some(record(&[("k:a", "1")]))
    );

    // Delete forgets; deleting again is fine; the id can be created again.
    store.delete(&id).await.unwrap();
    store.delete(&id).await.unwrap();
    assert_eq!(store.load(&id).await.unwrap(), None);
    assert!(
        store
            .create(&id, &record(&[("k:again", "yes")]), TTL)
            .await
            .unwrap()
    );

    // Rotation at the store level: create the new id, delete the old one.
    let rotated = SessionId::random();
    let data = store.load(&id).await.unwrap().unwrap();
    assert!(store.create(&rotated, &data, TTL).await.unwrap());
    store.delete(&id).await.unwrap();
    assert_eq!(store.load(&id).await.unwrap(), None);
    assert_eq!(store.load(&rotated).await.unwrap(), Some(data));
}

trait IntoField {
    fn into_field(self) -> (String, Bytes);
}

impl IntoField for (&str, &str) {
    fn into_field(self) -> (String, Bytes) {
        (self.0.to_owned(), Bytes::copy_from_slice(self.1.as_bytes()))
    }
}

async fn raw(server: &RedisServer) -> MultiplexedConnection {
    redis::Client::open(server.url())
        .unwrap()
        .get_multiplexed_async_connection()
        .await
        .unwrap()
}

async fn exists(connection: &mut MultiplexedConnection, key: &str) -> bool {
    connection.exists(key).await.unwrap()
}

#[tokio::test]
async fn memory_store_keeps_the_contract() {
    contract(&MemoryStore::new()).await;
}

#[tokio::test]
async fn redis_store_keeps_the_contract() {
    let Some(server) = RedisServer::start() else {
        return;
    };
    let store = RedisStore::open(&server.url()).await.unwrap();
    contract(&store).await;
    // Every session key is under the prefix, and only there.
    let keys: Vec<String> = raw(&server).await.keys("*").await.unwrap();
    assert!(!keys.is_empty());
    assert!(
        keys.iter().all(|k| k.starts_with("tackle:session:")),
        "{keys:?}"
    );
}

#[tokio::test]
async fn one_hash_per_session_under_the_key_prefix() {
    let Some(server) = RedisServer::start() else {
        return;
    };
    let store = RedisStore::open(&server.url())
        .await
        .unwrap()
        .key_prefix("shop:s:");
    let id = SessionId::random();
    assert!(
        store
            .create(&id, &record(&[("k:a", "1")]), TTL)
            .await
            .unwrap()
    );
    let key = format!("shop:s:{id}");
    assert_eq!(store.key(&id), key);
    let mut redis = raw(&server).await;
    let kind: String = redis::cmd("TYPE")
        .arg(&key)
        .query_async(&mut redis)
        .await
        .unwrap();
    assert_eq!(kind, "hash");
    let fields: HashMap<String, Vec<u8>> = redis.hgetall(&key).await.unwrap();
    assert_eq!(fields.get("k:a").map(Vec::as_slice), Some(&b"1"[..]));
    assert!(!exists(&mut redis, &format!("tackle:session:{id}")).await);
}

#[tokio::test]
async fn ttl_is_set_on_the_key_and_the_session_expires() {
    let Some(server) = RedisServer::start() else {
        return;
    };
    let store = RedisStore::open(&server.url()).await.unwrap();
    let mut redis = raw(&server).await;

    // PTTL after create and after save is the TTL given.
    let id = SessionId::random();
    let key = store.key(&id);
    assert!(
        store
            .create(&id, &record(&[("k:a", "1")]), TTL)
            .await
            .unwrap()
    );
    let pttl: i64 = redis.pttl(&key).await.unwrap();
    assert!((59_000..=60_000).contains(&pttl), "{pttl}");
    store
        .save(&id, &set(&[("k:b", "2")]), Duration::from_secs(300))
        .await
        .unwrap();
    let pttl: i64 = redis.pttl(&key).await.unwrap();
    assert!((299_000..=300_000).contains(&pttl), "{pttl}");

    // A 1 s TTL: there at 0.5 s, gone at 1.2 s.
    let short = SessionId::random();
    let one_second = Duration::from_secs(1);
    assert!(
        store
            .create(&short, &record(&[("k:a", "1")]), one_second)
            .await
            .unwrap()
    );
    store
        .save(&short, &set(&[("k:b", "2")]), one_second)
        .await
        .unwrap();
    let pttl: i64 = redis.pttl(store.key(&short)).await.unwrap();
    assert!((1..=1000).contains(&pttl), "{pttl}");
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(store.load(&short).await.unwrap().is_some());
    tokio::time::sleep(Duration::from_millis(700)).await;
    assert_eq!(store.load(&short).await.unwrap(), None);
    assert!(!exists(&mut redis, &store.key(&short)).await);
    // And the id is free again.
    assert!(store.create(&short, &Record::new(), TTL).await.unwrap());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_saves_of_different_fields_all_persist() {
    let Some(server) = RedisServer::start() else {
        return;
    };
    // Two app servers: two stores, two connections.
    let first = RedisStore::open(&server.url()).await.unwrap();
    let second = RedisStore::open(&server.url()).await.unwrap();
    let id = SessionId::random();
    assert!(
        first
            .create(&id, &record(&[("m:created", "1")]), TTL)
            .await
            .unwrap()
    );
    // Both requests loaded the session before either saved.
    let seen_by_first = first.load(&id).await.unwrap().unwrap();
    let seen_by_second = second.load(&id).await.unwrap().unwrap();
    assert_eq!(seen_by_first, seen_by_second);
    let (cart, flash) = (set(&[("k:cart", "apples")]), set(&[("k:flash", "saved")]));
    let (a, b) = tokio::join!(first.save(&id, &cart, TTL), second.save(&id, &flash, TTL));
    a.unwrap();
    b.unwrap();
    assert_eq!(
        first.load(&id).await.unwrap(),
        Some(record(&[
            ("k:cart", "apples"),
            ("k:flash", "saved"),
            ("m:created", "1")
        ]))
    );

    // Many at once, spread over both connections and several threads.
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..64 {
        let store = if i % 2 == 0 {
            first.clone()
        } else {
            second.clone()
        };
        tasks.spawn(async move {
            let field = format!("k:f{i}");
            let value = i.to_string();
            store.save(&id, &set(&[(&field, &value)]), TTL).await
        });
    }
    while let Some(done) = tasks.join_next().await {
        done.unwrap().unwrap();
    }
    let stored = second.load(&id).await.unwrap().unwrap();
    assert_eq!(stored.len(), 3 + 64);
    for i in 0..64 {
        let value = stored.get(&format!("k:f{i}")).unwrap();
        assert_eq!(value.as_ref(), i.to_string().as_bytes());
    }
}

#[tokio::test]
async fn rotation_deletes_the_old_key() {
    let Some(server) = RedisServer::start() else {
        return;
    };
    let store = RedisStore::open(&server.url()).await.unwrap();
    let mut redis = raw(&server).await;
    let old = SessionId::random();
    assert!(
        store
            .create(&old, &record(&[("k:user", "ada")]), TTL)
            .await
            .unwrap()
    );
    assert!(exists(&mut redis, &store.key(&old)).await);

    let data = store.load(&old).await.unwrap().unwrap();
    let new = SessionId::random();
    assert!(store.create(&new, &data, TTL).await.unwrap());
    store.delete(&old).await.unwrap();

    assert!(!exists(&mut redis, &store.key(&old)).await);
    assert!(exists(&mut redis, &store.key(&new)).await);
    assert_eq!(store.load(&old).await.unwrap(), None);
    assert_eq!(store.load(&new).await.unwrap(), Some(data));
}

/// `INFO commandstats` as command name to number of calls.
async fn command_calls(redis: &mut MultiplexedConnection) -> HashMap<String, u64> {
    let info: String = redis::cmd("INFO")
        .arg("commandstats")
        .query_async(redis)
        .await
        .unwrap();
    info.lines()
        .filter_map(|line| {
            let (name, stats) = line.strip_prefix("cmdstat_")?.split_once(':')?;
            let calls = stats
                .strip_prefix("calls=")?
                .split(',')
                .next()?
                .parse()
                .ok()?;
            Some((name.to_owned(), calls))
        })
        .collect()
}

/// The commands Redis ran between two snapshots, leaving out the first
/// snapshot's own `INFO`.
fn ran(before: &HashMap<String, u64>, after: &HashMap<String, u64>) -> Vec<(String, u64)> {
    let mut ran: Vec<(String, u64)> = after
        .iter()
        .map(|(name, calls)| (name.clone(), calls - before.get(name).copied().unwrap_or(0)))
        .filter(|(name, calls)| *calls > 0 && !(name == "info" && *calls == 1))
        .collect();
    ran.sort();
    ran
}

fn commands(list: &[(&str, u64)]) -> Vec<(String, u64)> {
    list.iter()
        .map(|(name, calls)| ((*name).to_owned(), *calls))
        .collect()
}

#[tokio::test]
async fn round_trips_per_operation() {
    let Some(server) = RedisServer::start() else {
        return;
    };
    let store = RedisStore::open(&server.url()).await.unwrap();
    let mut redis = raw(&server).await;
    let id = SessionId::random();

    // create: one EVAL (its script runs EXISTS, HSET and PEXPIRE inside).
    let before = command_calls(&mut redis).await;
    assert!(
        store
            .create(&id, &record(&[("k:a", "1"), ("m:c", "2")]), TTL)
            .await
            .unwrap()
    );
    let after = command_calls(&mut redis).await;
    assert_eq!(
        ran(&before, &after),
        commands(&[("eval", 1), ("exists", 1), ("hset", 1), ("pexpire", 1)])
    );
    // A create that finds the id taken writes nothing.
    let before = command_calls(&mut redis).await;
    assert!(!store.create(&id, &Record::new(), TTL).await.unwrap());
    let after = command_calls(&mut redis).await;
    assert_eq!(
        ran(&before, &after),
        commands(&[("eval", 1), ("exists", 1)])
    );

    // load: one HGETALL.
    let before = command_calls(&mut redis).await;
    store.load(&id).await.unwrap();
    let after = command_calls(&mut redis).await;
    assert_eq!(ran(&before, &after), commands(&[("hgetall", 1)]));

    // save: one MULTI/EXEC transaction sent as one pipeline.
    let changes = Changes {
        removed: vec!["k:a".to_owned()],
        set: vec![("k:b", "3").into_field(), ("k:c", "4").into_field()],
        ..Changes::default()
    };
    let before = command_calls(&mut redis).await;
    store.save(&id, &changes, TTL).await.unwrap();
    let after = command_calls(&mut redis).await;
    assert_eq!(
        ran(&before, &after),
        commands(&[
            ("exec", 1),
            ("hdel", 1),
            ("hset", 1),
            ("multi", 1),
            ("pexpire", 1)
        ])
    );
    // A save after a clear: DEL instead of HDEL.
    let clear = Changes {
        clear: true,
        ..Changes::default()
    };
    let before = command_calls(&mut redis).await;
    store.save(&id, &clear, TTL).await.unwrap();
    let after = command_calls(&mut redis).await;
    assert_eq!(
        ran(&before, &after),
        commands(&[
            ("del", 1),
            ("exec", 1),
            ("hset", 1),
            ("multi", 1),
            ("pexpire", 1)
        ])
    );

    // delete: one DEL.
    let before = command_calls(&mut redis).await;
    store.delete(&id).await.unwrap();
    let after = command_calls(&mut redis).await;
    assert_eq!(ran(&before, &after), commands(&[("del", 1)]));
}

#[tokio::test]
async fn redis_down_is_an_error_then_the_same_store_recovers() {
    let Some(mut server) = RedisServer::start() else {
        return;
    };
    let store = RedisStore::open(&server.url()).await.unwrap();
    let id = SessionId::random();
    assert!(
        store
            .create(&id, &record(&[("k:a", "1")]), TTL)
            .await
            .unwrap()
    );

    server.kill();
    // Every operation fails promptly, with an error naming Redis.
    for round in 0..3 {
        let started = Instant::now();
        let errors = [
            store.load(&id).await.map(|_| ()).unwrap_err(),
            store
                .save(&id, &set(&[("k:b", "2")]), TTL)
                .await
                .unwrap_err(),
            store
                .create(&SessionId::random(), &Record::new(), TTL)
                .await
                .map(|_| ())
                .unwrap_err(),
            store.delete(&id).await.unwrap_err(),
        ];
        let elapsed = started.elapsed();
        assert!(
            elapsed < Duration::from_secs(3),
            "round {round}: {elapsed:?}"
        );
        for error in errors {
            let message = error.to_string();
            assert!(message.starts_with("Redis session store: "), "{message}");
        }
    }

    server.restart();
    // The same store value works again on its first operation (the server
    // came back empty: it keeps nothing on disk).
    assert_eq!(store.load(&id).await.unwrap(), None);
    assert!(
        store
            .create(&id, &record(&[("k:a", "again")]), TTL)
            .await
            .unwrap()
    );
    store.save(&id, &set(&[("k:b", "2")]), TTL).await.unwrap();
    assert_eq!(
        store.load(&id).await.unwrap(),
        Some(record(&[("k:a", "again"), ("k:b", "2")]))
    );

    // A store opened while Redis is down is an error, not a hang.
    server.kill();
    let started = Instant::now();
    let error = RedisStore::open(&server.url()).await.unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(5));
    assert!(
        error.to_string().starts_with("Redis session store"),
        "{error}"
    );
}

#[tokio::test]
async fn an_unresponsive_redis_times_out_then_the_same_store_recovers() {
    let Some(server) = RedisServer::start() else {
        return;
    };
    let store = RedisStore::open(&server.url()).await.unwrap();
    let id = SessionId::random();
    assert!(
        store
            .create(&id, &record(&[("k:a", "1")]), TTL)
            .await
            .unwrap()
    );

    server.pause();
    let started = Instant::now();
    let error = store.load(&id).await.unwrap_err().to_string();
    let elapsed = started.elapsed();
    server.resume();
    assert!(error.starts_with("Redis session store: load"), "{error}");
    // Open's response timeout is 1 s; the store's own limit 2 s.
    assert!(elapsed >= Duration::from_millis(900), "{elapsed:?}");
    assert!(elapsed < Duration::from_millis(2500), "{elapsed:?}");

    // The store's own timeout bounds an operation whatever the connection.
    server.pause();
    let quick = store.clone().timeout(Duration::from_millis(200));
    let started = Instant::now();
    let error = quick.load(&id).await.unwrap_err().to_string();
    let elapsed = started.elapsed();
    server.resume();
    assert!(error.contains("timed out after 200ms"), "{error}");
    assert!(elapsed < Duration::from_millis(900), "{elapsed:?}");

    let deadline = Instant::now() + Duration::from_secs(5);
    let loaded = loop {
        match store.load(&id).await {
            Ok(loaded) => break loaded,
            Err(error) if Instant::now() < deadline => {
                eprintln!("not yet recovered: {error}");
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            Err(error) => panic!("no recovery after resume: {error}"),
        }
    };
    assert_eq!(loaded, Some(record(&[("k:a", "1")])));
}

#[tokio::test]
async fn errors_never_show_the_password() {
    let Some(server) = RedisServer::start() else {
        return;
    };
    // The server has no password: AUTH fails.
    let url = format!("redis://:s3cret-pw@127.0.0.1:{}/", server.port());
    let error = RedisStore::open(&url).await.unwrap_err().to_string();
    assert!(error.contains("Redis"), "{error}");
    assert!(!error.contains("s3cret-pw"), "{error}");
    // Nor does a refused connection.
    let port = server.port();
    drop(server);
    let url = format!("redis://user:s3cret-pw@127.0.0.1:{port}/");
    let error = RedisStore::open(&url).await.unwrap_err().to_string();
    assert!(error.contains("Redis"), "{error}");
    assert!(!error.contains("s3cret-pw"), "{error}");
}
