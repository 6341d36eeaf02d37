//! [`MultiMap`]: the ordered, multi-valued map behind query strings, forms
//! and cookies (Werkzeug's `MultiDict`).

use std::collections::{HashMap, HashSet};
use std::fmt;

/// An ordered map from text keys to one or more values.
///
/// Every `(key, value)` pair keeps its insertion position, so iteration
/// reproduces the order a client sent (`?a=1&b=2&a=3` iterates `a=1, b=2,
/// a=3`). The pairs are a flat list, so building the map is allocation-light
/// and strictly linear even for hostile inputs with 100 000 pairs.
///
/// **Cost:** `get`, `get_all`, `contains_key`, `insert` and `remove` scan
/// every pair (O(n)). Looking up a handful of known keys is cheap; to visit
/// every key with its values, use [`grouped`](Self::grouped) (O(n) in all),
/// not `get_all` inside a loop over `keys()` (O(n²) on a client's input).
///
/// ```
/// use tackle_http::MultiMap;
///
/// let mut args: MultiMap = [("tag", "a"), ("page", "2"), ("tag", "b")].into_iter().collect();
/// assert_eq!(args.get("tag").map(String::as_str), Some("a"));
/// assert_eq!(args.get_all("tag").collect::<Vec<_>>(), ["a", "b"]);
/// args.insert("page", "3".to_string());
/// assert_eq!(args.get("page").map(String::as_str), Some("3"));
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct MultiMap<V = String> {
    entries: Vec<(String, V)>,
}

impl<V> Default for MultiMap<V> {
    fn default() -> Self {
        MultiMap {
            entries: Vec::new(),
        }
    }
}

impl<V> MultiMap<V> {
    /// An empty map.
    pub fn new() -> Self {
        Self::default()
    }

    /// An empty map with room for `capacity` pairs.
    pub fn with_capacity(capacity: usize) -> Self {
        MultiMap {
            entries: Vec::with_capacity(capacity),
        }
    }

    /// The number of `(key, value)` pairs (not distinct keys).
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether there are no pairs.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The first value for `key`.
    pub fn get(&self, key: &str) -> Option<&V> {
        self.entries.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    /// The first value for `key`, mutably.
    pub fn get_mut(&mut self, key: &str) -> Option<&mut V> {
        self.entries
            .iter_mut()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v)
    }

    /// Every value for `key`, in insertion order.
    pub fn get_all<'a>(&'a self, key: &'a str) -> impl Iterator<Item = &'a V> + 'a {
        self.entries
            .iter()
            .filter(move |(k, _)| k == key)
            .map(|(_, v)| v)
    }

    /// Whether `key` has at least one value.
    pub fn contains_key(&self, key: &str) -> bool {
        self.entries.iter().any(|(k, _)| k == key)
    }

    /// Adds a value for `key` after any existing ones.
    pub fn append(&mut self, key: impl Into<String>, value: V) {
        self.entries.push((key.into(), value));
    }

    /// Sets `key` to this one value: the first existing pair is replaced in
    /// place (keeping its position), any others are removed. Returns the
    /// values that were there.
    pub fn insert(&mut self, key: impl Into<String>, value: V) -> Vec<V> {
        let key = key.into();
        let Some(first) = self.entries.iter().position(|(k, _)| *k == key) else {
            self.entries.push((key, value));
            return Vec::new();
        };
        let mut old = vec![std::mem::replace(&mut self.entries[first].1, value)];
        let tail: Vec<(String, V)> = self.entries.drain(first + 1..).collect();
        for (k, v) in tail {
            if k == key {
                old.push(v);
            } else {
                self.entries.push((k, v));
            }
        }
        old
    }

    /// Removes every value for `key` and returns them in order.
    pub fn remove(&mut self, key: &str) -> Vec<V> {
        let mut removed = Vec::new();
        let mut kept = Vec::with_capacity(self.entries.len());
        for (k, v) in self.entries.drain(..) {
            if k == key {
                removed.push(v);
            } else {
                kept.push((k, v));
            }
        }
        self.entries = kept;
        removed
    }

    /// Removes every pair.
    pub fn clear(&mut self) {
        self.entries.clear();
    }

    /// Every pair in insertion order.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = (&str, &V)> + ExactSizeIterator {
        self.entries.iter().map(|(k, v)| (k.as_str(), v))
    }

    /// The distinct keys in order of first appearance.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        let mut seen = HashSet::new();
        self.entries
            .iter()
            .map(|(k, _)| k.as_str())
            .filter(move |k| seen.insert(*k))
    }

    /// Every distinct key with all its values, keys in order of first
    /// appearance and values in insertion order: one linear pass, the way to
    /// walk a whole form.
    pub fn grouped(&self) -> Vec<(&str, Vec<&V>)> {
        let mut slot_of: HashMap<&str, usize> = HashMap::new();
        let mut groups: Vec<(&str, Vec<&V>)> = Vec::new();
        for (key, value) in &self.entries {
            let slot = *slot_of.entry(key.as_str()).or_insert_with(|| {
                groups.push((key.as_str(), Vec::new()));
                groups.len() - 1
            });
            groups[slot].1.push(value);
        }
        groups
    }

    /// Every value in insertion order.
    pub fn values(&self) -> impl DoubleEndedIterator<Item = &V> + ExactSizeIterator {
        self.entries.iter().map(|(_, v)| v)
    }
}

impl<V: fmt::Debug> fmt::Debug for MultiMap<V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl<K: Into<String>, V> FromIterator<(K, V)> for MultiMap<V> {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        let mut map = MultiMap::new();
        map.extend(iter);
        map
    }
}

impl<'a> FromIterator<(&'a str, &'a str)> for MultiMap<String> {
    fn from_iter<I: IntoIterator<Item = (&'a str, &'a str)>>(iter: I) -> Self {
        iter.into_iter().map(|(k, v)| (k, v.to_string())).collect()
    }
}

impl<K: Into<String>, V> Extend<(K, V)> for MultiMap<V> {
    fn extend<I: IntoIterator<Item = (K, V)>>(&mut self, iter: I) {
        self.entries
            .extend(iter.into_iter().map(|(k, v)| (k.into(), v)));
    }
}

impl<V> IntoIterator for MultiMap<V> {
    type Item = (String, V);
    type IntoIter = std::vec::IntoIter<(String, V)>;

    fn into_iter(self) -> Self::IntoIter {
        self.entries.into_iter()
    }
}

impl<'a, V> IntoIterator for &'a MultiMap<V> {
    type Item = (&'a str, &'a V);
    type IntoIter =
        std::iter::Map<std::slice::Iter<'a, (String, V)>, fn(&'a (String, V)) -> (&'a str, &'a V)>;

    fn into_iter(self) -> Self::IntoIter {
        self.entries.iter().map(|(k, v)| (k.as_str(), v))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn map(pairs: &[(&str, &str)]) -> MultiMap {
        pairs.iter().copied().collect()
    }

    #[test]
    fn get_and_get_all_keep_order() {
        let m = map(&[("a", "1"), ("b", "2"), ("a", "3")]);
        assert_eq!(m.len(), 3);
        assert_eq!(m.get("a").unwrap(), "1");
        assert_eq!(m.get_all("a").collect::<Vec<_>>(), ["1", "3"]);
        assert_eq!(m.get("c"), None);
        assert_eq!(m.get_all("c").count(), 0);
        assert!(m.contains_key("b") && !m.contains_key("B"));
        assert_eq!(m.keys().collect::<Vec<_>>(), ["a", "b"]);
        assert_eq!(
            m.iter().collect::<Vec<_>>(),
            [
                ("a", &"1".to_string()),
                ("b", &"2".to_string()),
                ("a", &"3".to_string())
            ]
        );
    }

    #[test]
    fn insert_replaces_in_place() {
        let mut m = map(&[("a", "1"), ("b", "2"), ("a", "3"), ("c", "4")]);
        let old = m.insert("a", "x".to_string());
        assert_eq!(old, ["1", "3"]);
        assert_eq!(m, map(&[("a", "x"), ("b", "2"), ("c", "4")]));
        assert!(m.insert("d", "5".to_string()).is_empty());
        assert_eq!(m.get("d").unwrap(), "5");
    }

    #[test]
    fn remove_takes_all() {
        let mut m = map(&[("a", "1"), ("b", "2"), ("a", "3")]);
        assert_eq!(m.remove("a"), ["1", "3"]);
        assert_eq!(m, map(&[("b", "2")]));
        assert!(m.remove("a").is_empty());
        m.clear();
        assert!(m.is_empty());
    }

    #[test]
    fn get_mut_and_append() {
        let mut m: MultiMap<u32> = MultiMap::new();
        m.append("n", 1);
        m.append("n", 2);
        *m.get_mut("n").unwrap() += 10;
        assert_eq!(m.values().copied().collect::<Vec<_>>(), [11, 2]);
        let pairs: Vec<(String, u32)> = m.into_iter().collect();
        assert_eq!(pairs, [("n".to_string(), 11), ("n".to_string(), 2)]);
    }

    #[test]
    fn grouped_visits_each_key_once() {
        let m = map(&[("a", "1"), ("b", "2"), ("a", "3"), ("c", "4")]);
        let groups: Vec<(&str, Vec<&str>)> = m
            .grouped()
            .into_iter()
            .map(|(k, vs)| (k, vs.into_iter().map(String::as_str).collect()))
            .collect();
        assert_eq!(
            groups,
            [("a", vec!["1", "3"]), ("b", vec!["2"]), ("c", vec!["4"])]
        );
        assert!(MultiMap::<String>::new().grouped().is_empty());
    }

    #[test]
    fn hundred_thousand_pairs_stay_linear() {
        let m: MultiMap<usize> = (0..100_000).map(|i| (format!("k{i}"), i)).collect();
        assert_eq!(m.keys().count(), 100_000);
        assert_eq!(m.grouped().len(), 100_000);
        assert_eq!(m.get("k99999"), Some(&99_999));
    }

    proptest! {
        #[test]
        fn iteration_reproduces_insertion(pairs in proptest::collection::vec(("[a-c]", any::<u8>()), 0..20)) {
            let m: MultiMap<u8> = pairs.iter().cloned().collect();
            let back: Vec<(String, u8)> = m.into_iter().collect();
            prop_assert_eq!(back, pairs);
        }
    }
}
