//! [`RedisStore`]: sessions in Redis, one hash per session, written field
//! by field.

use std::fmt;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use redis::aio::{ConnectionLike, ConnectionManager, ConnectionManagerConfig};
use redis::{Cmd, RedisError, RedisResult};

use crate::error::StoreError;
use crate::id::SessionId;
use crate::record::{Changes, Record};
use crate::store::SessionStore;

/// The key prefix unless told otherwise: a session lives at
/// `tackle:session:<id>`.
pub const DEFAULT_KEY_PREFIX: &str = "tackle:session:";

/// The hash field every session has, so that a session without fields is
/// still a key (Redis deletes an empty hash). [`load`](SessionStore::load)
/// leaves it out: records never see it, and a record's own field of this
/// name is not kept.
const PRESENCE_FIELD: &str = "_";

/// How long one operation may take in all, reconnecting included.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(2);
/// [`RedisStore::open`]'s connection settings.
const CONNECTION_TIMEOUT: Duration = Duration::from_secs(1);
const RESPONSE_TIMEOUT: Duration = Duration::from_secs(1);

/// The longest time to live set, a hundred years in milliseconds (Redis
/// refuses expiry times past its clock's range).
const MAX_TTL_MS: u64 = 100 * 365 * 24 * 3600 * 1000;

/// Creates the hash unless the key exists; `ARGV[1]` is the time to live in
/// milliseconds, then field/value pairs. Atomic, as every script is. The
/// fields go in chunks because Lua's `unpack` has a limit (about 8000).
const CREATE_SCRIPT: &str = "\
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
for i = 2, #ARGV, 1000 do
  redis.call('HSET', KEYS[1], unpack(ARGV, i, math.min(i + 999, #ARGV)))
end
redis.call('PEXPIRE', KEYS[1], ARGV[1])
return 1";

/// Sessions in Redis, shared by every app server that talks to it.
///
/// Each session is one Redis hash at `key_prefix + id`, its fields the
/// record's fields, with the session's time to live on the key:
///
/// - [`load`](SessionStore::load) is one round trip (`HGETALL`);
/// - [`create`](SessionStore::create) is one round trip (an `EVAL` script:
///   `EXISTS`, then `HSET` and `PEXPIRE` only if the key did not exist), so
///   an existing session is never overwritten;
/// - [`save`](SessionStore::save) is one pipelined `MULTI`/`EXEC`
///   transaction: `DEL` when the session was cleared, `HDEL` of the removed
///   fields, `HSET` of the set fields, `PEXPIRE`. Only the fields the
///   request changed are written, so two requests that change different
///   fields of one session both persist. A save to a session that is gone
///   (deleted, or expired meanwhile) creates it with just those fields,
///   as the [`MemoryStore`](crate::MemoryStore) does;
/// - [`delete`](SessionStore::delete) is `DEL`.
///
/// | Setting | Default |
/// |---|---|
/// | [`key_prefix`](Self::key_prefix) | `"tackle:session:"` |
/// | [`timeout`](Self::timeout) of one operation | 2 s |
/// | [`open`](RedisStore::open)'s connect / response timeouts | 1 s / 1 s |
///
/// Every Redis failure, and an operation over its timeout, is a
/// [`StoreError`] (which the layer turns into `503 Service Unavailable`);
/// its message names Redis and never holds the URL's password. A
/// transaction is applied whole or not at all, so a failure never leaves a
/// session half-written (but a save that timed out may still have been
/// applied). The [`ConnectionManager`] reconnects by itself once Redis is
/// back: the same store value goes on working.
///
/// # Several app servers, one Redis
///
/// Run as many instances as you like against one Redis with the same key
/// prefix: a session is wholly in Redis, so any instance serves any request
/// and no sticky sessions are needed. Concurrent requests of one session on
/// different instances merge as above. Give each application its own
/// prefix when several share a Redis. Cookie settings (name, domain) must
/// agree across instances; nothing else is shared.
///
/// # Sentinel and Cluster
///
/// `RedisStore` works over any [`ConnectionLike`] connection that is
/// `Clone`, not just a [`ConnectionManager`]:
///
/// - **Cluster**: enable the `redis` crate's `cluster-async` feature in your
///   own `Cargo.toml` (same `redis` version; Cargo unifies the features),
///   then `RedisStore::new(ClusterClient::new(nodes)?.get_async_connection().await?)`.
///   A session is one key, so every command of a save, and the create
///   script, go to the one node owning its slot. A few lines, not one; not
///   exercised by this crate's tests.
/// - **Sentinel**: the `sentinel` feature's `SentinelClient` gives a
///   `Client` for the current master, from which you build the
///   `ConnectionManager` to pass to [`new`](Self::new). The manager
///   reconnects to that address only: it does not follow a failover to a
///   new master, so after one, build a new store. Not a one-line change
///   either, and not exercised by the tests.
#[derive(Clone)]
pub struct RedisStore<C = ConnectionManager> {
    connection: C,
    prefix: Arc<str>,
    timeout: Duration,
}

impl RedisStore<ConnectionManager> {
    /// Connects to the Redis at `url` (`redis://[:password@]host[:port][/db]`,
    /// `rediss://` for TLS if the `redis` crate has a TLS feature enabled),
    /// with a connection manager that times out a connection attempt and a
    /// response after 1 s each and reconnects at once when asked (no
    /// backoff: a request finds out quickly that Redis is down, and the
    /// next one tries again).
    ///
    /// # Errors
    ///
    /// When the URL does not parse or Redis cannot be reached; the message
    /// leaves out the URL's password.
    pub async fn open(url: &str) -> Result<Self, StoreError> {
        let client = redis::Client::open(url).map_err(|error| open_failure(url, &error))?;
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(CONNECTION_TIMEOUT)
            .set_response_timeout(RESPONSE_TIMEOUT)
            .set_number_of_retries(0);
        let manager = client
            .get_connection_manager_with_config(config)
            .await
            .map_err(|error| open_failure(url, &error))?;
        Ok(RedisStore::new(manager))
    }
}

impl<C> RedisStore<C>
where
    C: ConnectionLike + Clone + Send + Sync + 'static,
{
    /// A store over `connection`, usually a [`ConnectionManager`]. Configure
    /// the manager with a response timeout and a short reconnect backoff
    /// (as [`open`](RedisStore::open) does): with the `redis` crate's
    /// defaults (no response timeout; six reconnection attempts 1 s to 60 s
    /// apart) an operation while Redis is down waits until this store's own
    /// [`timeout`](Self::timeout) gives up on it.
    pub fn new(connection: C) -> Self {
        RedisStore {
            connection,
            prefix: Arc::from(DEFAULT_KEY_PREFIX),
            timeout: DEFAULT_TIMEOUT,
        }
    }

    /// Keeps sessions at `prefix + id` (default `"tackle:session:"`).
    pub fn key_prefix(mut self, prefix: impl Into<String>) -> Self {
        self.prefix = Arc::from(prefix.into());
        self
    }

    /// Fails an operation that has not finished after `timeout`, waiting
    /// for a reconnection included (default 2 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The Redis key of the session `id`.
    pub fn key(&self, id: &SessionId) -> String {
        format!("{}{id}", self.prefix)
    }

    /// Runs `attempt` on a clone of the connection (a cheap handle), within
    /// the timeout. A refused connection is tried once more: nothing was
    /// sent, and the connection manager has just started reconnecting, so
    /// the first request after Redis comes back succeeds.
    async fn run<T, F, Fut>(&self, operation: &str, attempt: F) -> Result<T, StoreError>
    where
        F: Fn(C) -> Fut,
        Fut: Future<Output = RedisResult<T>>,
    {
        let work = async {
            match attempt(self.connection.clone()).await {
                Err(error) if error.is_connection_refusal() => {
                    attempt(self.connection.clone()).await
                }
                done => done,
            }
        };
        match tokio::time::timeout(self.timeout, work).await {
            Ok(Ok(value)) => Ok(value),
            Ok(Err(error)) => Err(failure(operation, &error)),
            Err(_) => Err(StoreError::new(format!(
                "Redis session store: {operation} timed out after {:?}",
                self.timeout
            ))),
        }
    }
}

impl<C> SessionStore for RedisStore<C>
where
    C: ConnectionLike + Clone + Send + Sync + 'static,
{
    async fn load(&self, id: &SessionId) -> Result<Option<Record>, StoreError> {
        let mut command = redis::cmd("HGETALL");
        command.arg(self.key(id));
        let command = &command;
        let fields: Vec<(String, Vec<u8>)> = self
            .run("load", |mut connection| async move {
                command.query_async(&mut connection).await
            })
            .await?;
        if fields.is_empty() {
            return Ok(None);
        }
        let mut record = Record::new();
        for (field, value) in fields {
            if field != PRESENCE_FIELD {
                record.set(field, Bytes::from(value));
            }
        }
        Ok(Some(record))
    }

    async fn create(
        &self,
        id: &SessionId,
        record: &Record,
        ttl: Duration,
    ) -> Result<bool, StoreError> {
        let mut command = redis::cmd("EVAL");
        command
            .arg(CREATE_SCRIPT)
            .arg(1)
            .arg(self.key(id))
            .arg(ttl_millis(ttl))
            .arg(PRESENCE_FIELD)
            .arg(&b""[..]);
        for (field, value) in record.iter().filter(|(f, _)| *f != PRESENCE_FIELD) {
            command.arg(field).arg(value.as_ref());
        }
        let command = &command;
        let created: i64 = self
            .run("create", |mut connection| async move {
                command.query_async(&mut connection).await
            })
            .await?;
        Ok(created == 1)
    }

    async fn save(
        &self,
        id: &SessionId,
        changes: &Changes,
        ttl: Duration,
    ) -> Result<(), StoreError> {
        let key = self.key(id);
        let mut pipe = redis::pipe();
        pipe.atomic();
        if changes.clear {
            // Removals after a clear remove nothing more.
            pipe.add_command(del(&key)).ignore();
        } else if !changes.removed.is_empty() {
            let mut hdel = redis::cmd("HDEL");
            hdel.arg(&key).arg(&changes.removed);
            pipe.add_command(hdel).ignore();
        }
        let mut hset = redis::cmd("HSET");
        hset.arg(&key).arg(PRESENCE_FIELD).arg(&b""[..]);
        for (field, value) in changes.set.iter().filter(|(f, _)| f != PRESENCE_FIELD) {
            hset.arg(field).arg(value.as_ref());
        }
        pipe.add_command(hset).ignore();
        let mut pexpire = redis::cmd("PEXPIRE");
        pexpire.arg(&key).arg(ttl_millis(ttl));
        pipe.add_command(pexpire).ignore();
        let pipe = &pipe;
        self.run("save", |mut connection| async move {
            pipe.exec_async(&mut connection).await
        })
        .await
    }

    async fn delete(&self, id: &SessionId) -> Result<(), StoreError> {
        let command = &del(&self.key(id));
        self.run("delete", |mut connection| async move {
            command.exec_async(&mut connection).await
        })
        .await
    }
}

fn del(key: &str) -> Cmd {
    let mut command = redis::cmd("DEL");
    command.arg(key);
    command
}

/// The time to live in whole milliseconds, rounded up so that a short but
/// non-zero TTL does not delete the key at once.
fn ttl_millis(ttl: Duration) -> u64 {
    let millis = ttl.as_nanos().div_ceil(1_000_000);
    u64::try_from(millis).unwrap_or(MAX_TTL_MS).min(MAX_TTL_MS)
}

fn failure(operation: &str, error: &RedisError) -> StoreError {
    StoreError::new(format!("Redis session store: {operation} failed: {error}"))
}

/// A failure to open, with the URL's password (if any) blanked out of the
/// message in case the `redis` crate ever puts the URL in it.
fn open_failure(url: &str, error: &RedisError) -> StoreError {
    let mut message = format!("Redis session store: cannot connect: {error}");
    let password = redis::parse_redis_url(url)
        .and_then(|url| url.password().map(str::to_owned))
        .unwrap_or_default();
    if !password.is_empty() {
        message = message.replace(&password, "***");
    }
    StoreError::new(message)
}

impl<C> fmt::Debug for RedisStore<C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisStore")
            .field("key_prefix", &self.prefix)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ttl_in_milliseconds_rounds_up_and_is_bounded() {
        assert_eq!(ttl_millis(Duration::ZERO), 0);
        assert_eq!(ttl_millis(Duration::from_micros(1)), 1);
        assert_eq!(ttl_millis(Duration::from_millis(1500)), 1500);
        assert_eq!(ttl_millis(Duration::from_nanos(1_000_001)), 2);
        assert_eq!(ttl_millis(Duration::MAX), MAX_TTL_MS);
    }

    #[test]
    fn open_failures_hide_the_password() {
        let error = RedisError::from((
            redis::ErrorKind::IoError,
            "cannot reach",
            "redis://:hunter2@example.invalid/".to_owned(),
        ));
        let message = open_failure("redis://:hunter2@example.invalid/", &error).to_string();
        assert!(message.contains("Redis"), "{message}");
        assert!(!message.contains("hunter2"), "{message}");
    }

    #[tokio::test]
    async fn a_bad_url_is_an_error_naming_redis() {
        let error = RedisStore::open("http://:hunter2@localhost/")
            .await
            .expect_err("not a redis URL");
        let message = error.to_string();
        assert!(message.starts_with("Redis session store"), "{message}");
        assert!(!message.contains("hunter2"), "{message}");
    }
}
