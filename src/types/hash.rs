//! The hash type with Redis 7.0's two encodings: `listpack` (a vector of
//! field/value pairs in insertion order, while there are at most
//! `hash-max-listpack-entries` and no field or value is longer than
//! `hash-max-listpack-value`) and `hashtable`. The encoding is observable
//! (OBJECT ENCODING, and listpacks iterate in insertion order), so conversions
//! happen exactly when Redis's do; a hash never converts back.
//!
//! Per-field TTLs (Redis 7.4 / Valkey 9 HEXPIRE...) live only in the
//! `hashtable` encoding, as in Valkey: giving a field a TTL converts a
//! listpack. `next_expire` is a lower bound of the earliest field expiry
//! (`i64::MAX` when no field has one), exact again after each `purge`.

#![deny(clippy::indexing_slicing)]

use super::indexmap::{HeapSize, IndexMap};
use crate::rng::Rng;

#[derive(Clone, Debug, PartialEq)]
pub struct Field {
    pub val: Vec<u8>,
    /// Absolute Unix ms; 0 = no TTL.
    pub expire: i64,
}

impl HeapSize for Field {
    fn heap_size(&self) -> usize {
        self.val.capacity()
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum Hash {
    List(Vec<(Vec<u8>, Vec<u8>)>),
    Table { map: IndexMap<Field>, next_expire: i64 },
}

/// Encoding limits from the config.
#[derive(Clone, Copy)]
pub struct Limits {
    pub entries: usize,
    pub value: usize,
}

impl Default for Hash {
    fn default() -> Self {
        Hash::List(Vec::new())
    }
}

impl Hash {
    pub fn encoding(&self) -> &'static str {
        match self {
            Hash::List(_) => "listpack",
            Hash::Table { .. } => "hashtable",
        }
    }

    pub fn len(&self) -> usize {
        match self {
            Hash::List(v) => v.len(),
            Hash::Table { map, .. } => map.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Some field has (or may have, before the next purge) a TTL.
    pub fn has_ttl(&self) -> bool {
        matches!(self, Hash::Table { next_expire, .. } if *next_expire != i64::MAX)
    }

    pub fn get(&self, f: &[u8]) -> Option<&[u8]> {
        match self {
            Hash::List(v) => v.iter().find(|(k, _)| k == f).map(|(_, v)| &v[..]),
            Hash::Table { map, .. } => map.get(f).map(|x| &x.val[..]),
        }
    }

    pub fn contains(&self, f: &[u8]) -> bool {
        self.get(f).is_some()
    }

    /// `None` when the field is missing, `Some(0)` without TTL, else the expiry (ms).
    pub fn expire_of(&self, f: &[u8]) -> Option<i64> {
        match self {
            Hash::List(v) => v.iter().any(|(k, _)| k == f).then_some(0),
            Hash::Table { map, .. } => map.get(f).map(|x| x.expire),
        }
    }

    /// Redis's `hashTypeConvert` to the hash table.
    pub fn to_table(&mut self) {
        if let Hash::List(v) = self {
            let mut map = IndexMap::with_capacity(v.len());
            for (k, val) in std::mem::take(v) {
                map.insert(&k, Field { val, expire: 0 });
            }
            *self = Hash::Table { map, next_expire: i64::MAX };
        }
    }

    /// Redis's `hashTypeTryConversion`: a listpack converts when any of the
    /// given fields/values is longer than the value limit.
    pub fn try_conversion(&mut self, items: &[&[u8]], lim: Limits) {
        if matches!(self, Hash::List(_)) && items.iter().any(|s| s.len() > lim.value) {
            self.to_table();
        }
    }

    /// Redis's `hashTypeSet`; true when the field was new. `keep_ttl` keeps an
    /// updated field's TTL (HINCRBY, HSETEX KEEPTTL), else it is dropped.
    pub fn set(&mut self, f: &[u8], val: Vec<u8>, keep_ttl: bool, lim: Limits) -> bool {
        if matches!(self, Hash::List(_)) && (f.len() > lim.value || val.len() > lim.value) {
            self.to_table();
        }
        match self {
            Hash::List(v) => {
                if let Some(e) = v.iter_mut().find(|(k, _)| k == f) {
                    e.1 = val;
                    return false;
                }
                v.push((f.to_vec(), val));
                if v.len() > lim.entries {
                    self.to_table();
                }
                true
            }
            Hash::Table { map, .. } => {
                let mut val = Some(val);
                let updated = map.update(f, |x| {
                    x.val = val.take().unwrap_or_default();
                    if !keep_ttl {
                        x.expire = 0;
                    }
                });
                match (updated, val) {
                    (None, Some(val)) => {
                        map.insert(f, Field { val, expire: 0 });
                        true
                    }
                    _ => false,
                }
            }
        }
    }

    /// Sets a field's expiry (converting a listpack); false when the field is missing.
    pub fn set_expire(&mut self, f: &[u8], at: i64) -> bool {
        if !self.contains(f) {
            return false;
        }
        self.to_table();
        if let Hash::Table { map, next_expire } = self {
            if map.update(f, |x| x.expire = at).is_some() {
                if at != 0 {
                    *next_expire = (*next_expire).min(at);
                }
                return true;
            }
        }
        false
    }

    pub fn remove(&mut self, f: &[u8]) -> bool {
        match self {
            Hash::List(v) => match v.iter().position(|(k, _)| k == f) {
                Some(i) => {
                    v.remove(i);
                    true
                }
                None => false,
            },
            Hash::Table { map, .. } => map.remove(f).is_some(),
        }
    }

    /// Deletes every field whose time has come (`expire <= now`); returns how many.
    pub fn purge(&mut self, now: i64) -> usize {
        let Hash::Table { map, next_expire } = self else { return 0 };
        if *next_expire > now {
            return 0;
        }
        let mut n = 0;
        let mut i = 0;
        let mut next = i64::MAX;
        while let Some(e) = map.at(i).map(|(_, x)| x.expire) {
            if e != 0 && e <= now {
                map.remove_at(i);
                n += 1;
            } else {
                if e != 0 {
                    next = next.min(e);
                }
                i += 1;
            }
        }
        *next_expire = next;
        n
    }

    /// Field/value pairs in iteration order.
    pub fn pairs(&self) -> Vec<(Vec<u8>, Vec<u8>)> {
        match self {
            Hash::List(v) => v.clone(),
            Hash::Table { map, .. } => map.iter().map(|(k, x)| (k.to_vec(), x.val.clone())).collect(),
        }
    }

    /// The pair at position `i` (random picks).
    pub fn at(&self, i: usize) -> Option<(&[u8], &[u8])> {
        match self {
            Hash::List(v) => v.get(i).map(|(k, v)| (&k[..], &v[..])),
            Hash::Table { map, .. } => map.at(i).map(|(k, x)| (k, &x.val[..])),
        }
    }

    /// A uniformly random pair.
    pub fn random(&self, rng: &mut Rng) -> Option<(&[u8], &[u8])> {
        if self.is_empty() {
            return None;
        }
        self.at(rng.below(self.len()))
    }

    /// Heap bytes, for memory accounting.
    pub fn heap_bytes(&self) -> usize {
        match self {
            Hash::List(v) => {
                v.capacity() * std::mem::size_of::<(Vec<u8>, Vec<u8>)>()
                    + v.iter().map(|(k, x)| k.capacity() + x.capacity()).sum::<usize>()
            }
            // O(1): the map keeps its values' capacities summed.
            Hash::Table { map, .. } => map.heap_bytes(),
        }
    }
}

#[cfg(test)]
#[allow(clippy::indexing_slicing)]
mod tests {
    use super::*;

    const LIM: Limits = Limits { entries: 4, value: 8 };

    #[test]
    fn converts_like_redis() {
        let mut h = Hash::default();
        for i in 0..4 {
            assert!(h.set(format!("f{i}").as_bytes(), b"v".to_vec(), false, LIM));
        }
        assert_eq!(h.encoding(), "listpack");
        assert!(!h.set(b"f0", b"w".to_vec(), false, LIM));
        assert!(h.remove(b"f1"));
        assert_eq!(h.pairs()[1].0, b"f2");
        h.set(b"f9", b"v".to_vec(), false, LIM);
        assert_eq!(h.encoding(), "listpack");
        h.set(b"fa", b"v".to_vec(), false, LIM);
        assert_eq!(h.encoding(), "hashtable");
        let mut g = Hash::default();
        g.set(b"k", b"123456789".to_vec(), false, LIM);
        assert_eq!(g.encoding(), "hashtable");
    }

    #[test]
    fn ttl_purge() {
        let mut h = Hash::default();
        h.set(b"a", b"1".to_vec(), false, LIM);
        h.set(b"b", b"2".to_vec(), false, LIM);
        assert!(h.set_expire(b"a", 100));
        assert!(!h.set_expire(b"zz", 100));
        assert_eq!(h.encoding(), "hashtable");
        assert!(h.set_expire(b"b", 200));
        assert_eq!(h.purge(99), 0);
        assert_eq!(h.purge(150), 1);
        assert_eq!(h.expire_of(b"b"), Some(200));
        assert!(h.has_ttl());
        h.set(b"b", b"3".to_vec(), false, LIM);
        assert_eq!(h.purge(300), 0);
        assert!(!h.has_ttl());
    }
}
