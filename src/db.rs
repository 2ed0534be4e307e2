//! One logical database: binary-safe keys to values with absolute expiry times.
//!
//! Layout (an "index map"): entries live densely in `slots`; `index` is a hash
//! table of slot numbers keyed by the key's hash; `volatile` lists the slots
//! that carry an expiry time (each entry knows its place there). Removal swaps
//! the last slot into the hole and fixes the two back-references, so every
//! operation is O(1) and there are no tombstones. Dense slots give what Redis
//! gets from its dict internals: uniform random keys (RANDOMKEY, eviction
//! samples), uniform random volatile keys (active expiry), and a SCAN cursor.
//!
//! SCAN walks slots from the top down: the cursor is "visit the slots below
//! this number next". A removal moves the last slot (already visited, or above
//! the cursor) into the hole; an insert appends above the cursor. So every key
//! present for the whole scan is returned at least once, as Redis promises;
//! a key may come twice if a removal moved it below the cursor.
//!
//! This module knows nothing of time: expiry decisions are the caller's (`Ctx`).

use crate::rng::Rng;
use crate::types::indexmap::IndexMap;
use crate::value::Value;
use core::hash::BuildHasher;
use hashbrown::{DefaultHashBuilder, HashTable};

const NO_POS: u32 = u32::MAX;

/// Keys up to this length live inside the entry (no allocation of their own).
const INLINE_KEY: usize = 22;

/// A key: inline in the entry when short (most cache keys), else boxed. Saves
/// one allocation per SET and a pointer chase per lookup.
#[derive(Debug)]
enum Key {
    Inline { len: u8, buf: [u8; INLINE_KEY] },
    Heap(Box<[u8]>),
}

impl Key {
    fn new(k: &[u8]) -> Key {
        if k.len() <= INLINE_KEY {
            let mut buf = [0; INLINE_KEY];
            for (d, s) in buf.iter_mut().zip(k) {
                *d = *s;
            }
            Key::Inline { len: k.len() as u8, buf }
        } else {
            Key::Heap(k.into())
        }
    }
    #[inline]
    fn as_slice(&self) -> &[u8] {
        match self {
            Key::Inline { len, buf } => buf.get(..*len as usize).unwrap_or(&[]),
            Key::Heap(b) => b,
        }
    }
    /// Bytes allocated outside the entry.
    fn heap_len(&self) -> usize {
        match self {
            Key::Heap(b) => b.len(),
            Key::Inline { .. } => 0,
        }
    }
}

#[derive(Debug)]
pub struct Entry {
    key: Key,
    pub val: Value,
    /// Absolute Unix ms; 0 means no expiry (a stored expiry is always in the future
    /// of some clock reading > 0, so 0 is free to mean "none").
    expire: i64,
    /// Position in `Db::volatile`, or NO_POS.
    vpos: u32,
    /// LRU clock (seconds) of the last access, for OBJECT IDLETIME and eviction;
    /// under an LFU policy Redis's 16-bit minute + 8-bit counter (see cmd/keys.rs).
    pub lru: u32,
    /// The value is a private copy of a small integer (COPY's `dupStringObject`),
    /// not Redis's shared object: OBJECT REFCOUNT shows 1. Cleared on replacement.
    pub unshared: bool,
    /// Value heap bytes as last counted into `Db::mem` (fits in the padding).
    acct: u32,
}

impl Entry {
    pub fn key(&self) -> &[u8] {
        self.key.as_slice()
    }
    pub fn expire(&self) -> Option<i64> {
        (self.expire != 0).then_some(self.expire)
    }
    /// Bytes this entry holds (slot, key and value heap), for memory accounting.
    pub fn footprint(&self) -> usize {
        std::mem::size_of::<Entry>() + self.key.heap_len() + self.val.heap_bytes()
    }
}

pub struct Db {
    slots: Vec<Entry>,
    index: HashTable<u32>,
    volatile: Vec<u32>,
    hasher: DefaultHashBuilder,
    /// Keys that may hold a hash with per-field TTLs, for the active expiry of
    /// fields (`cmd::hash::active_expire_fields`). Entries may be stale (the key
    /// was deleted or renamed): the sweep checks and drops them.
    pub field_ttl_keys: IndexMap<()>,
    /// Σ key length + accounted value bytes over all entries (memory accounting).
    mem: usize,
    /// Slots handed out by `entry_mut` during the current command, recounted by `settle`.
    dirty: Vec<u32>,
}

impl Default for Db {
    fn default() -> Self {
        Db::new()
    }
}

impl Db {
    pub fn new() -> Db {
        Db {
            slots: Vec::new(),
            index: HashTable::new(),
            volatile: Vec::new(),
            hasher: DefaultHashBuilder::default(),
            field_ttl_keys: IndexMap::new(),
            mem: 0,
            dirty: Vec::new(),
        }
    }

    #[inline]
    fn hash(&self, key: &[u8]) -> u64 {
        self.hasher.hash_one(key)
    }
    /// The hash this database uses for `key` (eviction candidates remember it).
    #[inline]
    pub fn key_hash(&self, key: &[u8]) -> u64 {
        self.hash(key)
    }

    pub fn len(&self) -> usize {
        self.slots.len()
    }
    pub fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }
    pub fn volatile_len(&self) -> usize {
        self.volatile.len()
    }

    /// Slot of `key`, ignoring expiry.
    #[inline]
    pub fn find(&self, key: &[u8]) -> Option<usize> {
        let h = self.hash(key);
        let slots = &self.slots;
        self.index
            .find(h, |&i| slots.get(i as usize).is_some_and(|e| e.key.as_slice() == key))
            .map(|&i| i as usize)
    }

    /// The entry in slot `i`. Callers get `i` from `find`/`insert`/iteration, so it
    /// is in range; an out-of-range `i` is a bug and panics (never input-driven).
    #[inline]
    pub fn entry(&self, i: usize) -> &Entry {
        &self.slots[i]
    }
    /// Mutable access; the slot is recounted for memory accounting by `settle`
    /// after the command (values may grow or shrink in place).
    #[inline]
    pub fn entry_mut(&mut self, i: usize) -> &mut Entry {
        if self.dirty.last() != Some(&(i as u32)) {
            self.dirty.push(i as u32);
        }
        &mut self.slots[i]
    }
    /// Sets the access clock of slot `i` (no recount needed).
    #[inline]
    pub fn set_lru(&mut self, i: usize, lru: u32) {
        self.slots[i].lru = lru;
    }
    /// Recounts the slots changed in place since the last call.
    pub fn settle(&mut self) {
        while let Some(i) = self.dirty.pop() {
            if let Some(e) = self.slots.get_mut(i as usize) {
                let now = clamp_u32(e.val.heap_bytes());
                self.mem = self.mem - e.acct as usize + now as usize;
                e.acct = now;
            }
        }
    }
    /// Whether some slot awaits `settle`.
    #[inline]
    pub fn is_dirty(&self) -> bool {
        !self.dirty.is_empty()
    }
    pub fn get(&self, i: usize) -> Option<&Entry> {
        self.slots.get(i)
    }

    /// Makes room for `n` more keys if memory allows (snapshot loads); a failed
    /// reservation is not an error, inserts then grow as usual.
    pub fn try_reserve(&mut self, n: usize) {
        if self.slots.try_reserve(n).is_ok() {
            let Db { index, slots, hasher, .. } = self;
            let _ = index.try_reserve(n, |&j| slots.get(j as usize).map_or(0, |e| hasher.hash_one(e.key.as_slice())));
        }
    }

    /// Adds a key that is not present. Returns its slot.
    pub fn insert(&mut self, key: &[u8], val: Value, expire: Option<i64>, lru: u32) -> usize {
        debug_assert!(self.find(key).is_none());
        if val.has_field_ttl() {
            self.field_ttl_keys.insert(key, ());
        }
        let h = self.hash(key);
        let key = Key::new(key);
        let i = self.slots.len();
        let acct = clamp_u32(val.heap_bytes());
        self.mem += key.heap_len() + acct as usize;
        self.slots.push(Entry { key, val, expire: 0, vpos: NO_POS, lru, unshared: false, acct });
        let Db { index, slots, hasher, .. } = self;
        index.insert_unique(h, i as u32, |&j| {
            slots.get(j as usize).map_or(0, |e| hasher.hash_one(e.key.as_slice()))
        });
        if let Some(t) = expire {
            self.set_expire(i, Some(t));
        }
        i
    }

    /// Removes and returns the entry in slot `i`; the last slot moves into `i`.
    pub fn remove_at(&mut self, i: usize) -> Entry {
        let h = self.hash(self.slots[i].key.as_slice());
        if let Ok(occ) = self.index.find_entry(h, |&j| j as usize == i) {
            occ.remove();
        }
        self.set_expire(i, None);
        let last = self.slots.len() - 1;
        if i != last {
            let hl = self.hash(self.slots[last].key.as_slice());
            if let Some(p) = self.index.find_mut(hl, |&j| j as usize == last) {
                *p = i as u32;
            }
            let vp = self.slots[last].vpos;
            if vp != NO_POS {
                self.volatile[vp as usize] = i as u32;
            }
        }
        let e = self.slots.swap_remove(i);
        self.mem -= e.key.heap_len() + e.acct as usize;
        if !self.dirty.is_empty() {
            // The entry in `i` is gone and the last one now lives there.
            self.dirty.retain(|&d| d as usize != i);
            for d in self.dirty.iter_mut() {
                if *d as usize == last {
                    *d = i as u32;
                }
            }
        }
        if self.slots.capacity() > 64 && self.slots.len() < self.slots.capacity() / 4 {
            self.shrink();
        }
        e
    }

    pub fn remove(&mut self, key: &[u8]) -> Option<Entry> {
        self.find(key).map(|i| self.remove_at(i))
    }

    /// Sets (`Some`) or clears (`None`) the expiry of slot `i`.
    pub fn set_expire(&mut self, i: usize, at: Option<i64>) {
        let e = &mut self.slots[i];
        match at {
            Some(t) => {
                // 0 is the "none" marker; a real expiry of 0 ms is in the past for
                // any caller, which deletes such keys instead of storing them.
                e.expire = if t == 0 { -1 } else { t };
                if e.vpos == NO_POS {
                    e.vpos = self.volatile.len() as u32;
                    self.volatile.push(i as u32);
                }
            }
            None => {
                e.expire = 0;
                let vp = e.vpos;
                if vp != NO_POS {
                    e.vpos = NO_POS;
                    let vp = vp as usize;
                    let last = self.volatile.len() - 1;
                    self.volatile.swap_remove(vp);
                    if vp != last {
                        let moved = self.volatile[vp] as usize;
                        self.slots[moved].vpos = vp as u32;
                    }
                }
            }
        }
    }

    /// Replaces the value of slot `i`, returning the old one.
    pub fn replace_value(&mut self, i: usize, val: Value) -> Value {
        if val.has_field_ttl() {
            if let Some(e) = self.slots.get(i) {
                let k = e.key().to_vec();
                self.field_ttl_keys.insert(&k, ());
            }
        }
        let e = &mut self.slots[i];
        e.unshared = false;
        let acct = clamp_u32(val.heap_bytes());
        self.mem = self.mem - e.acct as usize + acct as usize;
        e.acct = acct;
        std::mem::replace(&mut e.val, val)
    }

    pub fn clear(&mut self) {
        self.slots = Vec::new();
        self.index = HashTable::new();
        self.volatile = Vec::new();
        self.field_ttl_keys = IndexMap::new();
        self.mem = 0;
        self.dirty = Vec::new();
    }

    /// A uniformly random slot, `None` when empty.
    pub fn random_slot(&self, rng: &mut Rng) -> Option<usize> {
        (!self.slots.is_empty()).then(|| rng.below(self.slots.len()))
    }

    /// A uniformly random slot among those with an expiry.
    pub fn random_volatile_slot(&self, rng: &mut Rng) -> Option<usize> {
        (!self.volatile.is_empty()).then(|| self.volatile[rng.below(self.volatile.len())] as usize)
    }

    pub fn iter(&self) -> impl Iterator<Item = &Entry> {
        self.slots.iter()
    }

    /// One SCAN step: calls `f` on up to `count` slots below `cursor` (0 = start),
    /// top down. Returns the next cursor (0 when done). `f` returns nothing; the
    /// caller filters. The callback gets the slot number.
    pub fn scan_slots(&self, cursor: u64, count: usize, mut f: impl FnMut(usize)) -> u64 {
        let len = self.slots.len() as u64;
        let mut top = if cursor == 0 || cursor > len { len } else { cursor };
        let mut visited = 0;
        while top > 0 && visited < count.max(1) {
            top -= 1;
            f(top as usize);
            visited += 1;
        }
        top
    }

    fn shrink(&mut self) {
        self.slots.shrink_to(self.slots.len() * 2);
        self.volatile.shrink_to(self.volatile.len() * 2);
        let Db { index, slots, hasher, .. } = self;
        index.shrink_to(slots.len(), |&j| {
            slots.get(j as usize).map_or(0, |e| hasher.hash_one(e.key.as_slice()))
        });
    }

    /// Swaps two databases' contents (SWAPDB).
    pub fn swap(a: &mut Db, b: &mut Db) {
        std::mem::swap(a, b);
    }

    /// Bytes held by this database (O(1)): the slot, index and TTL arrays by
    /// capacity, plus each key and value's heap bytes (kept up to date by
    /// insert/remove/replace and `settle`). Allocator headers are not included.
    pub fn footprint(&self) -> usize {
        self.slots.capacity() * std::mem::size_of::<Entry>()
            + self.index.capacity() * (std::mem::size_of::<u32>() + 1)
            + self.volatile.capacity() * 4
            + self.mem
    }

    /// How much `footprint` would grow if one more key (with a TTL) were
    /// inserted now: the arrays that are full double. Eviction makes room for it.
    pub fn growth_on_insert(&self) -> usize {
        let grow = |len: usize, cap: usize, size: usize| if len >= cap { cap.max(4) * size } else { 0 };
        grow(self.slots.len(), self.slots.capacity(), std::mem::size_of::<Entry>())
            + grow(self.slots.len(), self.index.capacity(), std::mem::size_of::<u32>() + 1)
            + grow(self.volatile.len(), self.volatile.capacity(), 4)
    }

    /// Structure overhead (MEMORY STATS `overhead.hashtable.main` / `.expires`):
    /// slot array and index, and the TTL list.
    pub fn overhead(&self) -> (usize, usize) {
        (
            self.slots.capacity() * std::mem::size_of::<Entry>()
                + self.index.capacity() * (std::mem::size_of::<u32>() + 1),
            self.volatile.capacity() * 4,
        )
    }

    /// The bytes `footprint` counts for one entry (MEMORY USAGE), including its
    /// share of the index.
    pub fn entry_footprint(&self, i: usize) -> usize {
        self.slots.get(i).map_or(0, |e| {
            std::mem::size_of::<Entry>()
                + e.key.heap_len()
                + e.val.heap_bytes()
                + std::mem::size_of::<u32>()
                + 1
                + if e.vpos != NO_POS { 4 } else { 0 }
        })
    }
}

fn clamp_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn k(s: &str) -> &[u8] {
        s.as_bytes()
    }

    #[test]
    fn insert_find_remove_keeps_links() {
        let mut db = Db::new();
        for n in 0..1000 {
            let exp = (n % 3 == 0).then_some(1000 + n as i64);
            db.insert(k(&format!("k{n}")), Value::Int(n), exp, 0);
        }
        assert_eq!(db.volatile_len(), 334);
        for n in (0..1000).step_by(2) {
            assert!(db.remove(format!("k{n}").as_bytes()).is_some());
        }
        assert_eq!(db.len(), 500);
        for n in 0..1000 {
            let f = db.find(format!("k{n}").as_bytes());
            assert_eq!(f.is_some(), n % 2 == 1, "k{n}");
            if let Some(i) = f {
                assert_eq!(db.entry(i).val, Value::Int(n));
                assert_eq!(db.entry(i).expire().is_some(), n % 3 == 0);
            }
        }
        // every volatile slot points back at an entry with an expiry
        let mut rng = Rng::new(1);
        for _ in 0..100 {
            let i = db.random_volatile_slot(&mut rng).unwrap();
            assert!(db.entry(i).expire().is_some());
        }
        assert_eq!(db.volatile_len(), db.iter().filter(|e| e.expire().is_some()).count());
    }

    #[test]
    fn scan_survives_removal() {
        let mut db = Db::new();
        for n in 0..100 {
            db.insert(k(&format!("k{n}")), Value::Int(n), None, 0);
        }
        let mut seen = std::collections::HashSet::new();
        let mut cursor = 0;
        let mut first = true;
        while first || cursor != 0 {
            first = false;
            let mut batch = Vec::new();
            cursor = db.scan_slots(cursor, 7, |i| batch.push(db.entry(i).key().to_vec()));
            seen.extend(batch);
            // remove some key not yet necessarily seen, but never k0..k9
            let victim = format!("k{}", 10 + (cursor % 80));
            db.remove(victim.as_bytes());
        }
        for n in 0..10 {
            assert!(seen.contains(format!("k{n}").as_bytes()));
        }
    }
}
