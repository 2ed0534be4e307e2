//! A dense hash map from binary-safe byte strings to `V`: entries live in a
//! `Vec` (so a uniformly random member is O(1), as SPOP/SRANDMEMBER/HRANDFIELD
//! need, and a cursor over positions gives SSCAN/HSCAN), and a `HashTable` of
//! positions finds them. Removal swaps the last entry into the hole. With
//! `V = ()` it is a set and costs nothing per member beyond the key.

#![deny(clippy::indexing_slicing)]

use core::hash::BuildHasher;
use hashbrown::{DefaultHashBuilder, HashTable};

/// Heap bytes a value owns beyond itself (counted by `IndexMap::heap_bytes`).
pub trait HeapSize {
    fn heap_size(&self) -> usize {
        0
    }
}
impl HeapSize for () {}

#[derive(Default)]
pub struct IndexMap<V> {
    entries: Vec<(Box<[u8]>, V)>,
    index: HashTable<u32>,
    hasher: DefaultHashBuilder,
    /// Sum of the key lengths and of the values' `heap_size`, kept as entries
    /// come and go so `heap_bytes` is O(1) (memory accounting runs after every
    /// write command). Values change only through `insert` and `update`.
    key_bytes: usize,
    val_bytes: usize,
}

impl<V: Clone + HeapSize> Clone for IndexMap<V> {
    /// (A cloned value may own less capacity: the sum is taken again.)
    fn clone(&self) -> Self {
        let entries = self.entries.clone();
        let val_bytes = entries.iter().map(|e| e.1.heap_size()).sum();
        IndexMap { entries, index: self.index.clone(), hasher: self.hasher.clone(), key_bytes: self.key_bytes, val_bytes }
    }
}

impl<V: PartialEq + HeapSize> PartialEq for IndexMap<V> {
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len() && self.iter().all(|(k, v)| other.get(k) == Some(v))
    }
}

impl<V: core::fmt::Debug> core::fmt::Debug for IndexMap<V> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_map().entries(self.entries.iter().map(|(k, v)| (String::from_utf8_lossy(k), v))).finish()
    }
}

impl<V: HeapSize> IndexMap<V> {
    pub fn new() -> Self {
        IndexMap { entries: Vec::new(), index: HashTable::new(), hasher: DefaultHashBuilder::default(), key_bytes: 0, val_bytes: 0 }
    }
    pub fn with_capacity(n: usize) -> Self {
        IndexMap {
            entries: Vec::with_capacity(n),
            index: HashTable::with_capacity(n),
            hasher: DefaultHashBuilder::default(),
            key_bytes: 0,
            val_bytes: 0,
        }
    }
    /// `with_capacity` for a size taken from untrusted input (snapshot loads):
    /// `None` when the allocator cannot give that much.
    pub fn try_with_capacity(n: usize) -> Option<Self> {
        let mut m = Self::new();
        m.entries.try_reserve(n).ok()?;
        m.index.try_reserve(n, |_| 0).ok()?; // empty: nothing to rehash
        Some(m)
    }
    pub fn len(&self) -> usize {
        self.entries.len()
    }
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn position(&self, key: &[u8]) -> Option<usize> {
        let h = self.hasher.hash_one(key);
        let entries = &self.entries;
        self.index
            .find(h, |&i| entries.get(i as usize).is_some_and(|e| &*e.0 == key))
            .map(|&i| i as usize)
    }
    pub fn contains(&self, key: &[u8]) -> bool {
        self.position(key).is_some()
    }
    pub fn get(&self, key: &[u8]) -> Option<&V> {
        self.position(key).and_then(|i| self.entries.get(i)).map(|e| &e.1)
    }
    /// Runs `f` on the value of `key` (its heap size is taken again after).
    pub fn update<R>(&mut self, key: &[u8], f: impl FnOnce(&mut V) -> R) -> Option<R> {
        let i = self.position(key)?;
        let e = self.entries.get_mut(i)?;
        let before = e.1.heap_size();
        let r = f(&mut e.1);
        self.val_bytes = (self.val_bytes + e.1.heap_size()).saturating_sub(before);
        Some(r)
    }
    /// The entry at a position (from `position`, a random pick or a cursor).
    pub fn at(&self, i: usize) -> Option<(&[u8], &V)> {
        self.entries.get(i).map(|(k, v)| (&**k, v))
    }

    /// Inserts or replaces; returns the previous value.
    pub fn insert(&mut self, key: &[u8], val: V) -> Option<V> {
        if let Some(i) = self.position(key) {
            let e = self.entries.get_mut(i)?;
            self.val_bytes = (self.val_bytes + val.heap_size()).saturating_sub(e.1.heap_size());
            return Some(std::mem::replace(&mut e.1, val));
        }
        let h = self.hasher.hash_one(key);
        let i = self.entries.len() as u32;
        self.key_bytes += key.len();
        self.val_bytes += val.heap_size();
        self.entries.push((key.into(), val));
        let IndexMap { index, entries, hasher, .. } = self;
        index.insert_unique(h, i, |&j| entries.get(j as usize).map_or(0, |e| hasher.hash_one(&*e.0)));
        None
    }

    pub fn remove(&mut self, key: &[u8]) -> Option<V> {
        let i = self.position(key)?;
        self.remove_at(i).map(|e| e.1)
    }

    /// Removes the entry at position `i`; the last entry moves into `i`.
    pub fn remove_at(&mut self, i: usize) -> Option<(Box<[u8]>, V)> {
        let h = self.hasher.hash_one(&*self.entries.get(i)?.0);
        let last = self.entries.len() - 1;
        if let Ok(e) = self.index.find_entry(h, |&j| j as usize == i) {
            e.remove();
        }
        if let (true, Some((k, _))) = (i != last, self.entries.last()) {
            let hl = self.hasher.hash_one(&**k);
            if let Some(slot) = self.index.find_mut(hl, |&j| j as usize == last) {
                *slot = i as u32;
            }
        }
        let removed = self.entries.swap_remove(i);
        self.key_bytes -= removed.0.len();
        self.val_bytes = self.val_bytes.saturating_sub(removed.1.heap_size());
        if self.entries.len() * 4 < self.entries.capacity() && self.entries.capacity() > 16 {
            self.shrink();
        }
        Some(removed)
    }

    fn shrink(&mut self) {
        self.entries.shrink_to(self.entries.len() * 2);
        let IndexMap { index, entries, hasher, .. } = self;
        index.shrink_to(entries.len(), |&j| entries.get(j as usize).map_or(0, |e| hasher.hash_one(&*e.0)));
    }

    pub fn iter(&self) -> impl Iterator<Item = (&[u8], &V)> {
        self.entries.iter().map(|(k, v)| (&**k, v))
    }
    pub fn keys(&self) -> impl Iterator<Item = &[u8]> {
        self.entries.iter().map(|(k, _)| &**k)
    }

    /// One SCAN step over positions, top down: visits up to `count` positions
    /// below `cursor` (0 = start) and returns the next cursor (0 = done). A
    /// removal moves the last entry (already visited) into a hole, so members
    /// present for the whole scan are returned at least once.
    pub fn scan(&self, cursor: u64, count: usize, mut f: impl FnMut(&[u8], &V)) -> u64 {
        let len = self.entries.len() as u64;
        let mut top = if cursor == 0 || cursor > len { len } else { cursor };
        let mut n = 0;
        while top > 0 && n < count.max(1) {
            top -= 1;
            if let Some((k, v)) = self.entries.get(top as usize) {
                f(k, v);
            }
            n += 1;
        }
        top
    }

    /// Heap bytes, for memory accounting.
    pub fn heap_bytes(&self) -> usize {
        self.entries.capacity() * std::mem::size_of::<(Box<[u8]>, V)>()
            + self.key_bytes
            + self.val_bytes
            + self.index.capacity() * (std::mem::size_of::<u32>() + 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn insert_remove_find() {
        let mut m: IndexMap<u32> = IndexMap::new();
        for i in 0..1000u32 {
            assert_eq!(m.insert(format!("k{i}").as_bytes(), i), None);
        }
        assert_eq!(m.insert(b"k5", 55), Some(5));
        for i in (0..1000u32).step_by(3) {
            assert!(m.remove(format!("k{i}").as_bytes()).is_some());
        }
        for i in 0..1000u32 {
            let want = if i % 3 == 0 { None } else if i == 5 { Some(&55) } else { Some(&i) };
            assert_eq!(m.get(format!("k{i}").as_bytes()), want);
        }
        assert_eq!(m.len(), 666);
        let mut seen = 0;
        let mut cur = 0;
        loop {
            cur = m.scan(cur, 10, |_, _| seen += 1);
            if cur == 0 {
                break;
            }
        }
        assert_eq!(seen, 666);
        assert!(m.remove_at(10_000).is_none());
    }

    impl HeapSize for u32 {}

    #[derive(Clone, PartialEq, Debug)]
    struct V(Vec<u8>);
    impl HeapSize for V {
        fn heap_size(&self) -> usize {
            self.0.capacity()
        }
    }

    #[test]
    fn value_heap_is_kept() {
        let mut m: IndexMap<V> = IndexMap::new();
        let full = |m: &IndexMap<V>| m.heap_bytes() - m.iter().map(|(_, v)| v.0.capacity()).sum::<usize>();
        let base = |m: &IndexMap<V>| {
            m.entries.capacity() * std::mem::size_of::<(Box<[u8]>, V)>() + m.key_bytes + m.index.capacity() * 5
        };
        for i in 0..500usize {
            m.insert(format!("k{i}").as_bytes(), V(vec![0; i % 40]));
        }
        assert_eq!(full(&m), base(&m));
        m.insert(b"k3", V(Vec::with_capacity(1000)));
        m.update(b"k4", |v| v.0.extend_from_slice(&[1; 300]));
        m.update(b"k5", |v| v.0 = Vec::new());
        for i in (0..500usize).step_by(3) {
            m.remove(format!("k{i}").as_bytes());
        }
        assert_eq!(full(&m), base(&m));
        let c = m.clone();
        assert_eq!(full(&c), base(&c));
    }
}
