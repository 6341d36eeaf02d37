//! The hot cache: small files kept in memory, by request path, so that a
//! hot file costs no file-system call until its metadata is due to be
//! checked again.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::Instant;

use crate::options::HotLimits;
use crate::resource::{Content, Resource};

/// One kept file.
#[derive(Debug)]
pub(crate) struct Entry {
    pub(crate) resource: Resource,
    /// When the metadata was last checked, in nanoseconds since the cache's
    /// epoch.
    checked: AtomicU64,
}

/// Bounded by the total bytes kept; when full, entries are dropped in
/// hash order (no recency bookkeeping on the hot path) until the new one
/// fits.
#[derive(Debug)]
pub(crate) struct HotCache {
    entries: RwLock<HashMap<Box<str>, Arc<Entry>>>,
    bytes: AtomicU64,
    limits: HotLimits,
    epoch: Instant,
}

impl HotCache {
    pub(crate) fn new(limits: HotLimits) -> Self {
        HotCache {
            entries: RwLock::new(HashMap::new()),
            bytes: AtomicU64::new(0),
            limits,
            epoch: Instant::now(),
        }
    }

    fn now(&self) -> u64 {
        self.epoch.elapsed().as_nanos() as u64
    }

    /// The entry for `key`, and whether it may be served without checking
    /// the files again. When it is due, one request (the first to claim it)
    /// gets `false` and checks; the others meanwhile keep serving it, so
    /// that a hot file is not checked by every request at once.
    pub(crate) fn get(&self, key: &str) -> Option<(Arc<Entry>, bool)> {
        let entry = self.entries.read().ok()?.get(key).cloned()?;
        let now = self.now();
        let checked = entry.checked.load(Ordering::Relaxed);
        let age = now.saturating_sub(checked);
        if u128::from(age) < self.limits.revalidate_after.as_nanos() {
            return Some((entry, true));
        }
        let claimed = entry
            .checked
            .compare_exchange(checked, now, Ordering::Relaxed, Ordering::Relaxed)
            .is_ok();
        Some((entry, !claimed))
    }

    /// Notes that `entry`'s files were just found unchanged.
    pub(crate) fn checked(&self, entry: &Entry) {
        entry.checked.store(self.now(), Ordering::Relaxed);
    }

    /// Keeps `resource` under `key` when all of it is in memory and it fits.
    pub(crate) fn insert(&self, key: &str, resource: &Resource) {
        let all_in_memory = resource
            .representations
            .iter()
            .all(|r| matches!(r.content, Content::Memory(_)));
        let size = cost(key, resource);
        if !all_in_memory || size > self.limits.max_total {
            return;
        }
        let Ok(mut entries) = self.entries.write() else {
            return;
        };
        if let Some(old) = entries.remove(key) {
            self.bytes
                .fetch_sub(cost(key, &old.resource), Ordering::Relaxed);
        }
        while self.bytes.load(Ordering::Relaxed) + size > self.limits.max_total {
            let Some(victim) = entries.keys().next().cloned() else {
                break;
            };
            if let Some(old) = entries.remove(&victim) {
                self.bytes
                    .fetch_sub(cost(&victim, &old.resource), Ordering::Relaxed);
            }
        }
        self.bytes.fetch_add(size, Ordering::Relaxed);
        let entry = Entry {
            resource: resource.clone(),
            checked: AtomicU64::new(self.now()),
        };
        entries.insert(key.into(), Arc::new(entry));
    }

    /// Forgets `key` (its file changed or went away).
    pub(crate) fn remove(&self, key: &str) {
        if let Ok(mut entries) = self.entries.write()
            && let Some(old) = entries.remove(key)
        {
            self.bytes
                .fetch_sub(cost(key, &old.resource), Ordering::Relaxed);
        }
    }
}

/// What an entry counts against the budget: its content, its key, and a
/// fixed share for the headers and bookkeeping, so that even empty files
/// cannot be kept without bound.
fn cost(key: &str, resource: &Resource) -> u64 {
    resource.memory_len() + key.len() as u64 + 512
}
