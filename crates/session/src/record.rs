//! [`Record`]: what a store keeps for one session, field by field, and
//! [`Changes`]: what one request changed, so that a store writes only those
//! fields and two requests that change different fields both persist.

use std::collections::BTreeMap;
use std::sync::Arc;

use bytes::Bytes;

/// The fields of one session: names to encoded values. Names starting with
/// `k:` are the application's keys, `m:` the layer's metadata (creation and
/// refresh times, flash messages).
///
/// Cloning is one reference count: the fields are copied only when a clone
/// is changed, so a store can hand out what it keeps without copying.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Record {
    fields: Arc<BTreeMap<String, Bytes>>,
}

impl Default for Record {
    /// No fields; sharing one empty map, so that every request's session
    /// handle starts without allocating one.
    fn default() -> Self {
        static EMPTY: std::sync::LazyLock<Arc<BTreeMap<String, Bytes>>> =
            std::sync::LazyLock::new(Arc::default);
        Record {
            fields: Arc::clone(&EMPTY),
        }
    }
}

impl Record {
    /// No fields.
    pub fn new() -> Self {
        Record::default()
    }

    /// The value of `field`.
    pub fn get(&self, field: &str) -> Option<&Bytes> {
        self.fields.get(field)
    }

    /// Sets `field`.
    pub fn set(&mut self, field: impl Into<String>, value: Bytes) {
        Arc::make_mut(&mut self.fields).insert(field.into(), value);
    }

    /// Removes `field`.
    pub fn remove(&mut self, field: &str) -> Option<Bytes> {
        if !self.fields.contains_key(field) {
            return None;
        }
        Arc::make_mut(&mut self.fields).remove(field)
    }

    /// Every field, in name order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Bytes)> {
        self.fields.iter().map(|(k, v)| (k.as_str(), v))
    }

    /// The number of fields.
    pub fn len(&self) -> usize {
        self.fields.len()
    }

    /// Whether there are no fields.
    pub fn is_empty(&self) -> bool {
        self.fields.is_empty()
    }

    /// Applies `changes`: a clear first, then removals and sets.
    pub fn apply(&mut self, changes: &Changes) {
        if changes.is_empty() {
            return;
        }
        let fields = Arc::make_mut(&mut self.fields);
        if changes.clear {
            fields.clear();
        }
        for field in &changes.removed {
            fields.remove(field);
        }
        for (field, value) in &changes.set {
            fields.insert(field.clone(), value.clone());
        }
    }

    /// The record as one compact byte string (for stores that keep it
    /// whole, such as the cookie store).
    pub fn to_bytes(&self) -> Vec<u8> {
        let pairs: Vec<(&str, &[u8])> = self.iter().map(|(k, v)| (k, v.as_ref())).collect();
        postcard::to_stdvec(&pairs).unwrap_or_default()
    }

    /// Reads [`to_bytes`](Self::to_bytes)'s output; `None` when it does
    /// not parse.
    pub fn from_bytes(bytes: &[u8]) -> Option<Self> {
        let pairs: Vec<(String, Vec<u8>)> = postcard::from_bytes(bytes).ok()?;
        let fields = pairs
            .into_iter()
            .map(|(k, v)| (k, Bytes::from(v)))
            .collect();
        Some(Record {
            fields: Arc::new(fields),
        })
    }
}

/// What one request changed in a session.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Changes {
    /// Every field was removed first (`Session::clear`).
    pub clear: bool,
    /// Fields removed.
    pub removed: Vec<String>,
    /// Fields set, with their new values.
    pub set: Vec<(String, Bytes)>,
}

impl Changes {
    /// Whether nothing changed.
    pub fn is_empty(&self) -> bool {
        !self.clear && self.removed.is_empty() && self.set.is_empty()
    }

    /// Notes `field` set to `value` (replacing an earlier change to it).
    pub(crate) fn set(&mut self, field: String, value: Bytes) {
        self.removed.retain(|f| *f != field);
        self.set.retain(|(f, _)| *f != field);
        self.set.push((field, value));
    }

    /// Notes `field` removed.
    pub(crate) fn remove(&mut self, field: String) {
        self.set.retain(|(f, _)| *f != field);
        if !self.removed.contains(&field) {
            self.removed.push(field);
        }
    }

    /// Notes every field removed.
    pub(crate) fn clear(&mut self) {
        *self = Changes {
            clear: true,
            ..Changes::default()
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changes_apply_in_order() {
        let mut record = Record::new();
        record.set("k:a", Bytes::from_static(b"1"));
        record.set("k:b", Bytes::from_static(b"2"));
        let mut changes = Changes::default();
        changes.set("k:c".into(), Bytes::from_static(b"3"));
        changes.remove("k:a".into());
        changes.set("k:a".into(), Bytes::from_static(b"4"));
        record.apply(&changes);
        let fields: Vec<(&str, &[u8])> = record.iter().map(|(k, v)| (k, v.as_ref())).collect();
        assert_eq!(fields, [("k:a", &b"4"[..]), ("k:b", b"2"), ("k:c", b"3")]);
        let mut cleared = Changes::default();
        cleared.set("k:x".into(), Bytes::new());
        cleared.clear();
        cleared.set("k:y".into(), Bytes::from_static(b"y"));
        record.apply(&cleared);
        assert_eq!(record.len(), 1);
        assert_eq!(Record::from_bytes(&record.to_bytes()), Some(record));
        assert_eq!(Record::from_bytes(b"\xff\xff\xff"), None);
    }
}
