//! [`Session`]: the handle a handler finds in the request's extensions.
//! Nothing is read (not even the cookie) until the handler first uses it;
//! what it changes is written when the response goes out.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use bytes::Bytes;
use http::{HeaderMap, HeaderValue};
use serde::Serialize;
use serde::de::DeserializeOwned;
use smallvec::SmallVec;
use tokio::sync::OnceCell;

use crate::config::{Config, Standing};
use crate::dyn_store::DynStore;
use crate::error::SessionError;
use crate::flash::{Flash, Level};
use crate::id::SessionId;
use crate::record::{Changes, Record};
use crate::store::cookie::MAX_COOKIE_SIZE;

/// Record fields the layer keeps beside the application's keys.
const CREATED: &str = "m:created";
const REFRESHED: &str = "m:refreshed";
const FLASHES: &str = "m:flash";

/// The field of the application's `key`.
fn field(key: &str) -> String {
    format!("k:{key}")
}

/// The value of the application's `key`, looked up without allocating for
/// keys up to 62 bytes.
fn lookup<'a>(record: &'a Record, key: &str) -> Option<&'a Bytes> {
    let mut buffer = [0u8; 64];
    match buffer.get_mut(..key.len() + 2) {
        Some(name) => {
            name[..2].copy_from_slice(b"k:");
            name[2..].copy_from_slice(key.as_bytes());
            record.get(std::str::from_utf8(name).ok()?)
        }
        None => record.get(&field(key)),
    }
}

/// What every handle of one layer shares: the store and the settings.
#[derive(Clone)]
pub(crate) struct Backend {
    pub(crate) store: Arc<dyn DynStore>,
    pub(crate) config: Config,
    /// The cookie's attributes, formatted once.
    pub(crate) attributes: String,
}

impl Backend {
    pub(crate) fn new(store: Arc<dyn DynStore>, config: Config) -> Self {
        let attributes = crate::set_cookie::attributes(&config);
        Backend {
            store,
            config,
            attributes,
        }
    }
}

/// The session of one request, found in its extensions
/// (`request.extensions().get::<Session>()` or [`Session::from_request`]).
/// Cloning is cheap; every clone is the same session.
///
/// Every operation loads the session first (once per request: the cookie is
/// read, the id checked, the store asked), which is why they are `async`;
/// a store that cannot be reached makes them fail with
/// [`SessionError::Store`], which converts into a `503`.
#[derive(Clone)]
pub struct Session {
    shared: Arc<Shared>,
}

struct Shared {
    backend: Arc<Backend>,
    /// The request's `Cookie` header lines, read only when needed.
    cookies: SmallVec<[HeaderValue; 2]>,
    touched: AtomicBool,
    loaded: OnceCell<()>,
    data: Mutex<Data>,
}

#[derive(Default)]
struct Data {
    state: State,
    /// The id the client presented, when its session was loaded.
    id: Option<SessionId>,
    /// An id whose session had expired, to delete.
    expired: Option<SessionId>,
    record: Record,
    changes: Changes,
    rotate: bool,
    created: u64,
    refreshed: u64,
    /// The idle deadline is due to be pushed back.
    refresh: bool,
}

#[derive(Default, Clone, Copy, PartialEq, Eq, Debug)]
enum State {
    /// No live session came with the request.
    #[default]
    Fresh,
    /// A live session was loaded.
    Loaded,
    /// The handler destroyed it.
    Destroyed,
}

impl Session {
    pub(crate) fn new(backend: Arc<Backend>, headers: &HeaderMap) -> Self {
        Session {
            shared: Arc::new(Shared {
                backend,
                cookies: headers
                    .get_all(http::header::COOKIE)
                    .iter()
                    .cloned()
                    .collect(),
                touched: AtomicBool::new(false),
                loaded: OnceCell::new(),
                data: Mutex::new(Data::default()),
            }),
        }
    }

    /// The session of `request`, if a [`SessionLayer`](crate::SessionLayer)
    /// put one there.
    pub fn from_request<B>(request: &http::Request<B>) -> Option<&Session> {
        request.extensions().get::<Session>()
    }

    /// The value stored under `key`, read as a `T`; `None` when there is
    /// none.
    pub async fn get<T: DeserializeOwned>(&self, key: &str) -> Result<Option<T>, SessionError> {
        let data = self.load().await?;
        lookup(&data.record, key)
            .map(|bytes| decode(key, bytes))
            .transpose()
    }

    /// Stores `value` under `key`. With the cookie store, a session that
    /// would no longer fit its cookie is refused here
    /// ([`SessionError::TooLarge`]) and left as it was.
    pub async fn insert<T: Serialize + ?Sized>(
        &self,
        key: &str,
        value: &T,
    ) -> Result<(), SessionError> {
        let bytes = postcard::to_stdvec(value)
            .map_err(|e| SessionError::Encoding(format!("{key:?} cannot be encoded: {e}")))?;
        let mut data = self.load().await?;
        self.set_field(&mut data, field(key), Bytes::from(bytes))
    }

    /// Removes `key`, answering its value as a `T` if there was one; a
    /// value that does not read as a `T` is an error and stays.
    pub async fn remove<T: DeserializeOwned>(&self, key: &str) -> Result<Option<T>, SessionError> {
        let mut data = self.load().await?;
        let field = field(key);
        let Some(bytes) = data.record.get(&field) else {
            return Ok(None);
        };
        let value = decode(key, bytes)?;
        data.record.remove(&field);
        data.changes.remove(field);
        Ok(Some(value))
    }

    /// Removes every key (and pending flash messages); the session itself
    /// goes on, with its id.
    pub async fn clear(&self) -> Result<(), SessionError> {
        let mut data = self.load().await?;
        data.record = Record::new();
        data.changes.clear();
        Ok(())
    }

    /// Ends the session: the store forgets it and the client is told to
    /// drop its cookie. Writes after it in the same request (a "logged out"
    /// flash message) go to a new session with a new id.
    pub async fn destroy(&self) -> Result<(), SessionError> {
        let mut data = self.load().await?;
        data.state = State::Destroyed;
        data.record = Record::new();
        data.changes = Changes::default();
        Ok(())
    }

    /// Gives the session a new id when the response goes out, deleting the
    /// old one from the store: call it when privileges change (at login),
    /// so that an id an attacker planted before is worth nothing after.
    pub async fn rotate_id(&self) -> Result<(), SessionError> {
        let mut data = self.load().await?;
        if data.state == State::Loaded {
            data.rotate = true;
        }
        Ok(())
    }

    /// Adds a message for the next page to show (Flask's `flash`).
    pub async fn flash(
        &self,
        level: Level,
        message: impl Into<String>,
    ) -> Result<(), SessionError> {
        let mut data = self.load().await?;
        let mut flashes = flashes(&data.record);
        flashes.push(Flash {
            level,
            message: message.into(),
        });
        let bytes = postcard::to_stdvec(&flashes)
            .map_err(|e| SessionError::Encoding(format!("flash messages: {e}")))?;
        self.set_field(&mut data, FLASHES.to_owned(), Bytes::from(bytes))
    }

    /// The messages flashed so far, in order, removed from the session.
    pub async fn take_flashes(&self) -> Result<Vec<Flash>, SessionError> {
        let mut data = self.load().await?;
        let flashes = flashes(&data.record);
        if data.record.remove(FLASHES).is_some() {
            data.changes.remove(FLASHES.to_owned());
        }
        Ok(flashes)
    }

    /// Whether this request changed the session (a key, a flash message,
    /// a clear, a rotation or its end): what will be written.
    pub fn is_modified(&self) -> bool {
        let data = self.lock();
        !data.changes.is_empty() || data.rotate || data.state == State::Destroyed
    }

    /// The id the client presented, once the session is loaded and if it
    /// was alive (a new session gets its id when the response goes out;
    /// the cookie store has none).
    pub fn id(&self) -> Option<SessionId> {
        self.lock().id
    }

    fn lock(&self) -> MutexGuard<'_, Data> {
        self.shared
            .data
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// Loads the session on first use.
    async fn load(&self) -> Result<MutexGuard<'_, Data>, SessionError> {
        self.shared.touched.store(true, Ordering::Relaxed);
        self.shared
            .loaded
            .get_or_try_init(|| self.shared.load_now())
            .await?;
        Ok(self.lock())
    }

    /// Sets `field`, refusing a value that would make a cookie session too
    /// large.
    fn set_field(&self, data: &mut Data, field: String, value: Bytes) -> Result<(), SessionError> {
        let backend = &self.shared.backend;
        if let Some(seal) = backend.store.seal() {
            let mut record = data.record.clone();
            record.set(field.clone(), value.clone());
            let now = backend.config.clock.now();
            stamp(&mut record, now, now);
            let name = &backend.config.cookie_name;
            let size = seal.sealed_size(name, &record);
            if size > MAX_COOKIE_SIZE {
                return Err(SessionError::TooLarge {
                    size,
                    limit: MAX_COOKIE_SIZE,
                });
            }
        }
        data.record.set(field.clone(), value.clone());
        data.changes.set(field, value);
        Ok(())
    }

    /// Whether a handler used the session at all.
    pub(crate) fn touched(&self) -> bool {
        self.shared.touched.load(Ordering::Relaxed)
    }

    /// Whether the response has anything to write: checked before any
    /// future is made, so that a session only read costs no more.
    pub(crate) fn needs_commit(&self) -> bool {
        if !self.touched() || self.shared.loaded.get().is_none() {
            return false;
        }
        let data = self.lock();
        let modified = !data.changes.is_empty();
        match data.state {
            State::Destroyed => true,
            State::Fresh => modified && !data.record.is_empty(),
            State::Loaded => modified || data.rotate || data.refresh,
        }
    }

    /// Writes what this request changed and answers the `Set-Cookie` to
    /// send, if any.
    pub(crate) async fn commit(self) -> Result<Option<HeaderValue>, SessionError> {
        if !self.touched() || self.shared.loaded.get().is_none() {
            return Ok(None);
        }
        let backend = Arc::clone(&self.shared.backend);
        let config = &backend.config;
        let store = &backend.store;
        let now = config.clock.now();
        let plan = self.plan(now);
        let attributes = backend.attributes.as_str();
        let cookie = |value: &str, ttl| crate::set_cookie::value(config, attributes, value, ttl);
        match plan {
            Plan::Nothing => Ok(None),
            Plan::Remove { delete } => {
                if let Some(id) = delete {
                    store.delete(&id).await?;
                }
                Ok(Some(crate::set_cookie::removal(config, attributes)))
            }
            Plan::Seal { record, ttl } => {
                let seal = store
                    .seal()
                    .ok_or_else(|| SessionError::Encoding("no seal".into()))?;
                Ok(Some(cookie(&seal.seal(&config.cookie_name, &record), ttl)))
            }
            Plan::Create {
                record,
                ttl,
                delete,
            } => {
                let id = loop {
                    let id = SessionId::random();
                    if store.create(&id, &record, ttl).await? {
                        break id;
                    }
                };
                if let Some(old) = delete
                    && let Err(error) = store.delete(&old).await
                {
                    // Leave no orphan behind: the client keeps its old id.
                    let _ = store.delete(&id).await;
                    return Err(error.into());
                }
                Ok(Some(cookie(&id.to_string(), ttl)))
            }
            Plan::Save { id, changes, ttl } => {
                store.save(&id, &changes, ttl).await?;
                // Same id: a browser-session cookie the client has already is
                // not sent again; a persistent one carries its new expiry.
                Ok(config.persistent.then(|| cookie(&id.to_string(), ttl)))
            }
        }
    }

    /// What the response must write, decided from the session's state.
    fn plan(&self, now: u64) -> Plan {
        let backend = &self.shared.backend;
        let config = &backend.config;
        let sealed = backend.store.seal().is_some();
        let mut data = self.lock();
        let modified = !data.changes.is_empty();
        match data.state {
            State::Destroyed if !data.record.is_empty() => {
                // Written to after it ended: a new session replaces it.
                let mut record = std::mem::take(&mut data.record);
                stamp(&mut record, now, now);
                let ttl = config.ttl(now, now, now);
                if sealed {
                    return Plan::Seal { record, ttl };
                }
                Plan::Create {
                    record,
                    ttl,
                    delete: data.id.or(data.expired),
                }
            }
            State::Destroyed => {
                // Nothing to tell a client that sent no session cookie.
                if !self.had_cookie() {
                    return Plan::Nothing;
                }
                Plan::Remove {
                    delete: data.id.or(data.expired),
                }
            }
            State::Fresh => {
                // Only a session with something in it is worth an id.
                if !modified || data.record.is_empty() {
                    return Plan::Nothing;
                }
                let mut record = std::mem::take(&mut data.record);
                stamp(&mut record, now, now);
                let ttl = config.ttl(now, now, now);
                if sealed {
                    Plan::Seal { record, ttl }
                } else {
                    Plan::Create {
                        record,
                        ttl,
                        delete: data.expired,
                    }
                }
            }
            State::Loaded => {
                if !(modified || data.rotate || data.refresh) {
                    return Plan::Nothing;
                }
                let created = data.created;
                let ttl = config.ttl(created, now, now);
                if sealed {
                    let mut record = data.record.clone();
                    stamp(&mut record, created, now);
                    return Plan::Seal { record, ttl };
                }
                let Some(id) = data.id else {
                    return Plan::Nothing;
                };
                if data.rotate {
                    let mut record = data.record.clone();
                    stamp(&mut record, created, now);
                    return Plan::Create {
                        record,
                        ttl,
                        delete: Some(id),
                    };
                }
                let mut changes = std::mem::take(&mut data.changes);
                if changes.clear {
                    changes.set(CREATED.to_owned(), time(created));
                }
                changes.set(REFRESHED.to_owned(), time(now));
                Plan::Save { id, changes, ttl }
            }
        }
    }

    fn had_cookie(&self) -> bool {
        crate::set_cookie::find(
            &self.shared.cookies,
            &self.shared.backend.config.cookie_name,
        )
        .is_some()
    }
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let data = self.lock();
        f.debug_struct("Session")
            .field("state", &data.state)
            .field("id", &data.id)
            .field("keys", &data.record.len())
            .field("modified", &!data.changes.is_empty())
            .finish()
    }
}

/// What a response writes.
enum Plan {
    Nothing,
    /// Delete from the store (when there is an id) and expire the cookie.
    Remove {
        delete: Option<SessionId>,
    },
    /// The whole session into the cookie.
    Seal {
        record: Record,
        ttl: Duration,
    },
    /// A new id for `record`, then delete the old one (rotation, expiry).
    Create {
        record: Record,
        ttl: Duration,
        delete: Option<SessionId>,
    },
    /// The changed fields of `id`.
    Save {
        id: SessionId,
        changes: Changes,
        ttl: Duration,
    },
}

impl Shared {
    /// Reads the cookie and the session behind it. A cookie that is
    /// malformed, tampered with, unknown or expired gives a fresh session;
    /// only an unreachable store is an error.
    async fn load_now(&self) -> Result<(), SessionError> {
        let config = &self.backend.config;
        let name = &config.cookie_name;
        let mut found: Option<(Option<SessionId>, Record)> = None;
        if let Some(value) = crate::set_cookie::find(&self.cookies, name) {
            match self.backend.store.seal() {
                Some(seal) => match seal.unseal(name, value) {
                    Some(record) => found = Some((None, record)),
                    None => tracing::debug!("session cookie does not unseal: a fresh session"),
                },
                None => match SessionId::parse(value) {
                    Some(id) => match self.backend.store.load(&id).await? {
                        Some(record) => found = Some((Some(id), record)),
                        None => tracing::debug!("unknown session id: a fresh session"),
                    },
                    None => tracing::debug!("malformed session id: a fresh session"),
                },
            }
        }
        let now = config.clock.now();
        let mut data = self.data.lock().unwrap_or_else(PoisonError::into_inner);
        let Some((id, record)) = found else {
            return Ok(());
        };
        let (Some(created), Some(refreshed)) =
            (read_time(&record, CREATED), read_time(&record, REFRESHED))
        else {
            tracing::debug!("session without its times: a fresh session");
            data.expired = id;
            return Ok(());
        };
        match config.standing(created, refreshed, now) {
            Standing::Expired => {
                tracing::debug!("expired session: a fresh session");
                data.expired = id;
            }
            Standing::Alive { refresh } => {
                data.state = State::Loaded;
                data.id = id;
                data.record = record;
                data.created = created;
                data.refreshed = refreshed;
                data.refresh = refresh;
            }
        }
        Ok(())
    }
}

/// Reads `bytes` as a `T`, all of them: a compact format cannot tell every
/// type from another, but leftover bytes always mean a different one.
fn decode<T: DeserializeOwned>(key: &str, bytes: &[u8]) -> Result<T, SessionError> {
    match postcard::take_from_bytes::<T>(bytes) {
        Ok((value, [])) => Ok(value),
        Ok((_, rest)) => Err(SessionError::Encoding(format!(
            "{key:?} does not read as asked: {} bytes left over",
            rest.len()
        ))),
        Err(e) => Err(SessionError::Encoding(format!(
            "{key:?} does not read as asked: {e}"
        ))),
    }
}

/// Writes the creation and refresh times into `record`.
fn stamp(record: &mut Record, created: u64, refreshed: u64) {
    record.set(CREATED, time(created));
    record.set(REFRESHED, time(refreshed));
}

fn time(seconds: u64) -> Bytes {
    Bytes::copy_from_slice(&seconds.to_le_bytes())
}

fn read_time(record: &Record, field: &str) -> Option<u64> {
    let bytes: [u8; 8] = record.get(field)?.as_ref().try_into().ok()?;
    Some(u64::from_le_bytes(bytes))
}

fn flashes(record: &Record) -> Vec<Flash> {
    record
        .get(FLASHES)
        .and_then(|bytes| postcard::from_bytes(bytes).ok())
        .unwrap_or_default()
}
