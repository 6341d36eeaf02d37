//! [`MemoryStore`]: sessions in this process's memory, bounded, with
//! expired entries swept as it goes.

use std::collections::{BTreeSet, HashMap};
use std::fmt;
use std::future::{Future, ready};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use crate::error::StoreError;
use crate::id::SessionId;
use crate::record::{Changes, Record};
use crate::store::SessionStore;

/// The number of sessions a [`MemoryStore`] keeps unless told otherwise.
pub const DEFAULT_MAX_SESSIONS: usize = 100_000;

/// How many expired entries one write removes at most, so that no single
/// request pays for sweeping a large batch that expired together.
const SWEEP_BATCH: usize = 64;

/// The longest time to live kept: a longer one is cut to this (an
/// `Instant` cannot hold every `Duration`).
const MAX_TTL: Duration = Duration::from_secs(100 * 365 * 24 * 3600);

/// Sessions in this process's memory: for development, tests and single
/// instance deployments (every instance has its own; use
/// [`RedisStore`](crate::RedisStore) to share sessions between instances).
///
/// | Setting | Default |
/// |---|---|
/// | [`max_sessions`](Self::max_sessions) | 100 000 |
///
/// Semantics, the same as the Redis store's:
///
/// - [`create`](SessionStore::create) never overwrites a session that is
///   there and unexpired.
/// - [`save`](SessionStore::save) merges: it applies the request's
///   [`Changes`] field by field to the stored record, so two requests that
///   change different fields both persist. A save to an id that is not
///   there (never created, deleted, or expired meanwhile) creates it with
///   just the changed fields.
/// - A [`load`](SessionStore::load) of an expired session gives `None` and
///   removes it.
///
/// Expired sessions are swept without a background task: entries are kept
/// in order of expiry as well, and every write removes the expired ones at
/// the front of that order (at most 64 a write). When the store is full, a
/// new session takes the place of the one closest to expiry, which is an
/// expired one when there is any; so a full store forgets the sessions
/// nearest their end first, never refuses a new one, and never grows past
/// its bound. Every operation is `O(log n)`, under a lock that is never
/// held across an `.await` (the operations do their work when called and
/// return a ready future).
///
/// `Clone` is cheap and every clone shares the sessions.
#[derive(Clone)]
pub struct MemoryStore {
    max_sessions: usize,
    state: Arc<Mutex<State>>,
}

#[derive(Default)]
struct State {
    sessions: HashMap<[u8; 16], Entry>,
    /// Every session once, by its expiry: the sweep and the eviction take
    /// from the front.
    by_expiry: BTreeSet<(Instant, [u8; 16])>,
}

struct Entry {
    record: Record,
    expires_at: Instant,
}

impl MemoryStore {
    /// An empty store that keeps at most 100 000 sessions.
    pub fn new() -> Self {
        MemoryStore {
            max_sessions: DEFAULT_MAX_SESSIONS,
            state: Arc::default(),
        }
    }

    /// Keeps at most `max` sessions (at least one); when full, a new
    /// session replaces the one closest to expiry. Set it before cloning
    /// the store: the bound belongs to this handle and its later clones.
    pub fn max_sessions(mut self, max: usize) -> Self {
        self.max_sessions = max.max(1);
        self
    }

    /// The number of sessions kept, counting expired ones not yet swept.
    pub fn len(&self) -> usize {
        self.lock().sessions.len()
    }

    /// Whether no session is kept.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // Nothing panics while the lock is held with the state half
        // changed, so a poisoned state is still a consistent one.
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn load_at(&self, id: &SessionId, now: Instant) -> Option<Record> {
        let mut state = self.lock();
        let key = *id.as_bytes();
        let expires_at = state.sessions.get(&key)?.expires_at;
        if expires_at <= now {
            state.remove(&key);
            return None;
        }
        state.sessions.get(&key).map(|entry| entry.record.clone())
    }

    fn create_at(&self, id: &SessionId, record: &Record, ttl: Duration, now: Instant) -> bool {
        let mut state = self.lock();
        let key = *id.as_bytes();
        state.sweep(now);
        if let Some(entry) = state.sessions.get(&key) {
            if entry.expires_at > now {
                return false;
            }
            state.remove(&key);
        }
        state.insert(key, record.clone(), expiry(now, ttl), self.max_sessions);
        true
    }

    fn save_at(&self, id: &SessionId, changes: &Changes, ttl: Duration, now: Instant) {
        let mut guard = self.lock();
        let state = &mut *guard;
        let key = *id.as_bytes();
        state.sweep(now);
        let expires_at = expiry(now, ttl);
        match state.sessions.get_mut(&key) {
            Some(entry) if entry.expires_at > now => {
                entry.record.apply(changes);
                let old = std::mem::replace(&mut entry.expires_at, expires_at);
                state.by_expiry.remove(&(old, key));
                state.by_expiry.insert((expires_at, key));
            }
            // Missing or expired: the changes alone, never an expired
            // session's fields brought back to life.
            _ => {
                state.remove(&key);
                let mut record = Record::new();
                record.apply(changes);
                state.insert(key, record, expires_at, self.max_sessions);
            }
        }
    }

    fn delete_now(&self, id: &SessionId) {
        self.lock().remove(id.as_bytes());
    }
}

impl State {
    fn remove(&mut self, key: &[u8; 16]) {
        if let Some(entry) = self.sessions.remove(key) {
            self.by_expiry.remove(&(entry.expires_at, *key));
        }
    }

    /// Removes up to [`SWEEP_BATCH`] expired sessions.
    fn sweep(&mut self, now: Instant) {
        for _ in 0..SWEEP_BATCH {
            match self.by_expiry.first() {
                Some(&(expires_at, key)) if expires_at <= now => self.remove(&key),
                _ => break,
            }
        }
    }

    /// Inserts a session not present, first making room when full.
    fn insert(&mut self, key: [u8; 16], record: Record, expires_at: Instant, max: usize) {
        while self.sessions.len() >= max {
            match self.by_expiry.first() {
                Some(&(_, closest)) => self.remove(&closest),
                None => break,
            }
        }
        self.sessions.insert(key, Entry { record, expires_at });
        self.by_expiry.insert((expires_at, key));
    }
}

fn expiry(now: Instant, ttl: Duration) -> Instant {
    now.checked_add(ttl.min(MAX_TTL)).unwrap_or(now)
}

impl Default for MemoryStore {
    fn default() -> Self {
        MemoryStore::new()
    }
}

impl fmt::Debug for MemoryStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MemoryStore")
            .field("max_sessions", &self.max_sessions)
            .field("len", &self.len())
            .finish()
    }
}

impl SessionStore for MemoryStore {
    fn load(
        &self,
        id: &SessionId,
    ) -> impl Future<Output = Result<Option<Record>, StoreError>> + Send {
        ready(Ok(self.load_at(id, Instant::now())))
    }

    fn create(
        &self,
        id: &SessionId,
        record: &Record,
        ttl: Duration,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send {
        ready(Ok(self.create_at(id, record, ttl, Instant::now())))
    }

    fn save(
        &self,
        id: &SessionId,
        changes: &Changes,
        ttl: Duration,
    ) -> impl Future<Output = Result<(), StoreError>> + Send {
        self.save_at(id, changes, ttl, Instant::now());
        ready(Ok(()))
    }

    fn delete(&self, id: &SessionId) -> impl Future<Output = Result<(), StoreError>> + Send {
        self.delete_now(id);
        ready(Ok(()))
    }
}

#[cfg(test)]
mod tests {
    use bytes::Bytes;

    use super::*;

    const HOUR: Duration = Duration::from_secs(3600);

    fn record(fields: &[(&str, &str)]) -> Record {
        let mut record = Record::new();
        for (field, value) in fields {
            record.set(*field, Bytes::copy_from_slice(value.as_bytes()));
        }
        record
    }

    fn set(field: &str, value: &str) -> Changes {
        Changes {
            set: vec![(field.to_owned(), Bytes::copy_from_slice(value.as_bytes()))],
            ..Changes::default()
        }
    }

    #[test]
    fn create_never_overwrites_an_unexpired_session() {
        let store = MemoryStore::new();
        let id = SessionId::random();
        let t0 = Instant::now();
        assert!(store.create_at(&id, &record(&[("k:a", "1")]), HOUR, t0));
        assert!(!store.create_at(&id, &record(&[("k:a", "2")]), HOUR, t0));
        assert_eq!(store.load_at(&id, t0), Some(record(&[("k:a", "1")])));
        // Once expired, the id may be created afresh.
        let later = t0 + HOUR;
        assert!(store.create_at(&id, &record(&[("k:b", "3")]), HOUR, later));
        assert_eq!(store.load_at(&id, later), Some(record(&[("k:b", "3")])));
        assert_eq!(store.len(), 1);
    }

    #[test]
    fn saves_of_different_fields_both_persist() {
        let store = MemoryStore::new();
        let id = SessionId::random();
        let t0 = Instant::now();
        assert!(store.create_at(&id, &record(&[("m:c", "0"), ("k:a", "1")]), HOUR, t0));
        // Two requests loaded the same session; each changes its own field.
        store.save_at(&id, &set("k:a", "from-first"), HOUR, t0);
        store.save_at(&id, &set("k:b", "from-second"), HOUR, t0);
        let removal = Changes {
            removed: vec!["m:c".to_owned()],
            ..Changes::default()
        };
        store.save_at(&id, &removal, HOUR, t0);
        assert_eq!(
            store.load_at(&id, t0),
            Some(record(&[("k:a", "from-first"), ("k:b", "from-second")]))
        );
        let clear = Changes {
            clear: true,
            set: vec![("k:z".to_owned(), Bytes::from_static(b"z"))],
            ..Changes::default()
        };
        store.save_at(&id, &clear, HOUR, t0);
        assert_eq!(store.load_at(&id, t0), Some(record(&[("k:z", "z")])));
    }

    #[test]
    fn save_to_a_missing_or_expired_id_creates_it_from_the_changes_alone() {
        let store = MemoryStore::new();
        let t0 = Instant::now();
        let fresh = SessionId::random();
        store.save_at(&fresh, &set("k:a", "1"), HOUR, t0);
        assert_eq!(store.load_at(&fresh, t0), Some(record(&[("k:a", "1")])));

        let stale = SessionId::random();
        assert!(store.create_at(&stale, &record(&[("k:old", "x")]), HOUR, t0));
        store.save_at(&stale, &set("k:new", "y"), HOUR, t0 + HOUR);
        assert_eq!(
            store.load_at(&stale, t0 + HOUR),
            Some(record(&[("k:new", "y")]))
        );
    }

    #[test]
    fn expiry_follows_the_last_ttl_given() {
        let store = MemoryStore::new();
        let id = SessionId::random();
        let t0 = Instant::now();
        let ttl = Duration::from_secs(10);
        assert!(store.create_at(&id, &record(&[("k:a", "1")]), ttl, t0));
        let t9 = t0 + Duration::from_secs(9);
        assert!(store.load_at(&id, t9).is_some());
        // A save at 9 s pushes the deadline to 19 s.
        store.save_at(&id, &set("k:a", "2"), ttl, t9);
        assert!(store.load_at(&id, t0 + Duration::from_secs(18)).is_some());
        assert_eq!(store.len(), 1);
        assert_eq!(store.load_at(&id, t0 + Duration::from_secs(19)), None);
        // The expired load removed it.
        assert_eq!(store.len(), 0);
        // A zero TTL is expired at once; an enormous one does not overflow.
        assert!(store.create_at(&id, &Record::new(), Duration::ZERO, t0));
        assert_eq!(store.load_at(&id, t0), None);
        assert!(store.create_at(&id, &Record::new(), Duration::MAX, t0));
        assert_eq!(
            store.load_at(&id, t0 + HOUR * 24 * 365),
            Some(Record::new())
        );
    }

    #[test]
    fn writes_sweep_expired_sessions() {
        let store = MemoryStore::new();
        let t0 = Instant::now();
        for _ in 0..10 {
            assert!(store.create_at(&SessionId::random(), &Record::new(), HOUR, t0));
        }
        let survivor = SessionId::random();
        assert!(store.create_at(&survivor, &Record::new(), HOUR * 3, t0));
        assert_eq!(store.len(), 11);
        // Any write after the ten expired sweeps them (fewer than a batch).
        store.save_at(&SessionId::random(), &set("k:a", "1"), HOUR, t0 + HOUR * 2);
        assert_eq!(store.len(), 2);
        assert!(store.load_at(&survivor, t0 + HOUR * 2).is_some());

        // A large batch is swept a bounded amount per write.
        let store = MemoryStore::new();
        for _ in 0..(SWEEP_BATCH * 2 + 5) {
            assert!(store.create_at(&SessionId::random(), &Record::new(), HOUR, t0));
        }
        let later = t0 + HOUR * 2;
        assert_eq!(store.len(), SWEEP_BATCH * 2 + 5);
        store.save_at(&SessionId::random(), &Changes::default(), HOUR, later);
        assert_eq!(store.len(), SWEEP_BATCH + 5 + 1);
        store.save_at(&SessionId::random(), &Changes::default(), HOUR, later);
        store.save_at(&SessionId::random(), &Changes::default(), HOUR, later);
        assert_eq!(store.len(), 3);
    }

    #[test]
    fn a_full_store_evicts_the_session_closest_to_expiry() {
        let store = MemoryStore::new().max_sessions(3);
        let t0 = Instant::now();
        let ids: Vec<SessionId> = (0..3).map(|_| SessionId::random()).collect();
        // Created in order of TTL 3 h, 1 h, 2 h: the second is closest to expiry.
        for (id, hours) in ids.iter().zip([3, 1, 2]) {
            assert!(store.create_at(id, &Record::new(), HOUR * hours, t0));
        }
        let newcomer = SessionId::random();
        assert!(store.create_at(&newcomer, &Record::new(), HOUR, t0));
        assert_eq!(store.len(), 3);
        assert!(store.load_at(&ids[1], t0).is_none());
        for id in [&ids[0], &ids[2], &newcomer] {
            assert!(store.load_at(id, t0).is_some());
        }
        // A save that creates also respects the bound; one that updates
        // evicts nothing.
        store.save_at(&ids[0], &set("k:a", "1"), HOUR * 5, t0);
        assert_eq!(store.len(), 3);
        assert!(store.load_at(&newcomer, t0).is_some());
        store.save_at(&SessionId::random(), &set("k:a", "1"), HOUR * 5, t0);
        assert_eq!(store.len(), 3);
        assert!(store.load_at(&newcomer, t0).is_none());
        // At least one session is always kept.
        let tiny = MemoryStore::new().max_sessions(0);
        assert!(tiny.create_at(&newcomer, &Record::new(), HOUR, t0));
        assert_eq!(tiny.len(), 1);
    }

    #[test]
    fn clones_share_sessions_and_delete_forgets() {
        let store = MemoryStore::new();
        let clone = store.clone();
        let id = SessionId::random();
        let t0 = Instant::now();
        assert!(store.create_at(&id, &record(&[("k:a", "1")]), HOUR, t0));
        assert!(clone.load_at(&id, t0).is_some());
        clone.delete_now(&id);
        assert!(store.load_at(&id, t0).is_none());
        assert!(store.is_empty());
        assert!(format!("{store:?}").contains("max_sessions: 100000"));
    }

    #[tokio::test]
    async fn through_the_trait_with_real_time() {
        let store = MemoryStore::new();
        let id = SessionId::random();
        let ttl = Duration::from_millis(50);
        assert!(
            store
                .create(&id, &record(&[("k:a", "1")]), ttl)
                .await
                .unwrap()
        );
        assert!(!store.create(&id, &Record::new(), ttl).await.unwrap());
        store.save(&id, &set("k:b", "2"), ttl).await.unwrap();
        assert_eq!(
            store.load(&id).await.unwrap(),
            Some(record(&[("k:a", "1"), ("k:b", "2")]))
        );
        tokio::time::sleep(Duration::from_millis(80)).await;
        assert_eq!(store.load(&id).await.unwrap(), None);
        assert!(store.create(&id, &Record::new(), ttl).await.unwrap());
        store.delete(&id).await.unwrap();
        assert_eq!(store.load(&id).await.unwrap(), None);
    }
}
