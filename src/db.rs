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
//!
//! Slot numbers come from `find`/`insert`/iteration, so they are in range; a
//! wrong one is a bug, never input-driven. It still panics nowhere: reads of a
//! missing slot answer an empty placeholder entry (an empty string without a
//! TTL), writes go to a scratch entry, removals do nothing; debug builds (the
//! test suite, the fuzz runs) assert instead, so such a bug shows there.
#![deny(clippy::indexing_slicing)]

use crate::rng::Rng;
use crate::types::indexmap::IndexMap;
use crate::value::Value;
use core::hash::BuildHasher;
use hashbrown::{DefaultHashBuilder, HashTable};
use std::borrow::Cow;
use std::cell::{OnceCell, RefCell};
use std::collections::TryReserveError;

const NO_POS: u32 = u32::MAX;

thread_local! {
    /// Bumped whenever some database of this thread gets work for the end of a
    /// command (a slot to `settle`, a view to drop): the server compares it with
    /// the value it last cleaned up at instead of visiting every database after
    /// every command (`Server::run`).
    static PENDING: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

#[inline]
fn note_pending() {
    PENDING.with(|c| c.set(c.get().wrapping_add(1)));
}

/// The count of end-of-command work items noted in this thread so far (see
/// `PENDING`): unchanged since a cleanup means no database needs one.
#[inline]
pub fn pending_epoch() -> u64 {
    PENDING.with(|c| c.get())
}

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

/// A key's entry as families see it: the key, its value and metadata. Full
/// entries (every type but short plain strings) are stored as one; a compact
/// string (see [`Slot`]) shows one built on demand.
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
    /// An empty string with an empty key and no TTL (`MISSING`, `Db::sink`).
    const fn placeholder() -> Entry {
        Entry {
            key: Key::Inline { len: 0, buf: [0; INLINE_KEY] },
            val: Value::Str(Vec::new()),
            expire: 0,
            vpos: NO_POS,
            lru: 0,
            unshared: false,
            acct: 0,
        }
    }
    pub fn key(&self) -> &[u8] {
        self.key.as_slice()
    }
    pub fn expire(&self) -> Option<i64> {
        (self.expire != 0).then_some(self.expire)
    }
    /// Bytes this entry holds (slot, key and value heap), for memory accounting.
    pub fn footprint(&self) -> usize {
        std::mem::size_of::<Slot>() + std::mem::size_of::<Entry>() + self.key.heap_len() + self.val.heap_bytes()
    }
    /// Heap bytes a full entry counts in `Db::mem` (the boxed entry, key, value).
    fn counted(&self) -> usize {
        std::mem::size_of::<Entry>() + self.key.heap_len() + self.acct as usize
    }
}

/// The TTL `Db::replace_str` leaves on the slot.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NewTtl {
    Keep,
    Clear,
    At(i64),
}

/// What turning a compact slot into a full one can add to the footprint
/// (the boxed entry; the key and value bytes move), for eviction headroom.
pub const FULL_ENTRY_GROWTH: usize = std::mem::size_of::<Entry>() + 8;

/// Longest key a compact slot holds (its length lives in bits 24..30 of `meta`).
const COMPACT_KEY: usize = 127;
/// The access clock bits of `Slot::meta` (24, as Redis's LRU_BITS).
const LRU_MASK: u32 = 0xFF_FFFF;
/// The top bit of a compact slot's `meta`: its data starts with a TTL header.
const TTL_BIT: u32 = 1 << 31;
/// The TTL header of a compact slot: the expiry (i64) and the place in
/// `Db::volatile` (u32), little-endian, before the key.
const TTL_HDR: usize = 12;

/// One dense slot: 16 bytes on wasm32. Most cache entries are plain strings
/// with a short key: those are *compact*, the key and value bytes in ONE
/// allocation (`data`, key first) and the access clock, the key length and
/// whether there is a TTL in `meta`, with no `Value` or `Entry` of their own.
/// A compact slot with a TTL has a 12-byte header before the key (expiry and
/// place in `Db::volatile`). Every other entry is *full*: `data` is empty and
/// `cell` holds the boxed [`Entry`].
/// For a compact slot `cell` is a read-only view made by [`Db::entry`] for code
/// that wants a `&Entry` (type checks, generic string commands); any change to
/// the slot drops it, and the server drops all views after each command.
#[derive(Debug)]
struct Slot {
    data: Box<[u8]>,
    /// Compact: access clock (low 24 bits) and key length (top 8 bits).
    meta: u32,
    cell: OnceCell<Box<Entry>>,
}

impl Slot {
    #[inline]
    fn is_compact(&self) -> bool {
        !self.data.is_empty()
    }
    #[inline]
    fn klen(&self) -> usize {
        ((self.meta >> 24) & 0x7F) as usize
    }
    /// Where the key starts in `data` (after the TTL header, if any).
    #[inline]
    fn hdr(&self) -> usize {
        if self.meta & TTL_BIT != 0 {
            TTL_HDR
        } else {
            0
        }
    }
    #[inline]
    fn key(&self) -> &[u8] {
        if self.is_compact() {
            let h = self.hdr();
            self.data.get(h..h + self.klen()).unwrap_or(&[])
        } else {
            self.cell.get().map_or(&[], |e| e.key())
        }
    }
    /// The value bytes of a compact slot.
    #[inline]
    fn bytes(&self) -> &[u8] {
        self.data.get(self.hdr() + self.klen()..).unwrap_or(&[])
    }
    /// Expiry and place in `Db::volatile` of a compact slot with a TTL.
    #[inline]
    fn ttl(&self) -> Option<(i64, u32)> {
        if !self.is_compact() || self.meta & TTL_BIT == 0 {
            return None;
        }
        let &[t0, t1, t2, t3, t4, t5, t6, t7, v0, v1, v2, v3] = self.data.first_chunk::<TTL_HDR>()?;
        Some((i64::from_le_bytes([t0, t1, t2, t3, t4, t5, t6, t7]), u32::from_le_bytes([v0, v1, v2, v3])))
    }
    /// Rewrites the TTL header of a compact slot that has one (drops its view).
    fn set_ttl(&mut self, at: i64, vpos: u32) {
        if let Some(h) = self.data.first_chunk_mut::<TTL_HDR>().filter(|_| self.meta & TTL_BIT != 0) {
            *h = ttl_header(at, vpos);
            self.cell.take();
        }
    }
    fn compact(key: &[u8], val: &[u8], lru: u32) -> Slot {
        Slot::compact_ttl(key, val, lru, None)
    }
    /// A compact slot, with the TTL header when `ttl` (expiry, volatile place) is given.
    fn compact_ttl(key: &[u8], val: &[u8], lru: u32, ttl: Option<(i64, u32)>) -> Slot {
        let hdr = if ttl.is_some() { TTL_HDR } else { 0 };
        let mut d = Vec::with_capacity(hdr + key.len() + val.len());
        let mut meta = ((key.len() as u32 & 0x7F) << 24) | (lru & LRU_MASK);
        if let Some((at, vpos)) = ttl {
            d.extend_from_slice(&ttl_header(at, vpos));
            meta |= TTL_BIT;
        }
        d.extend_from_slice(key);
        d.extend_from_slice(val);
        Slot { data: d.into_boxed_slice(), meta, cell: OnceCell::new() }
    }
    fn full(e: Entry) -> Slot {
        Slot { data: Box::default(), meta: 0, cell: OnceCell::from(Box::new(e)) }
    }
    /// Bytes this slot counts in `Db::mem`.
    fn counted(&self) -> usize {
        if self.is_compact() {
            self.data.len()
        } else {
            self.cell.get().map_or(0, |e| e.counted())
        }
    }
    /// The full entry of a compact slot (a copy), or the view/entry of a full one.
    fn to_entry(&self) -> Entry {
        let val = Value::Str(self.bytes().to_vec());
        let acct = clamp_u32(val.heap_bytes());
        let (expire, vpos) = self.ttl().unwrap_or((0, NO_POS));
        Entry {
            key: Key::new(self.key()),
            val,
            expire,
            vpos,
            lru: self.meta & LRU_MASK,
            unshared: false,
            acct,
        }
    }
    /// Turns the slot into an owned entry.
    fn into_entry(self) -> Entry {
        if self.is_compact() {
            return self.to_entry();
        }
        match self.cell.into_inner() {
            Some(b) => *b,
            None => Slot { data: Box::default(), meta: 0, cell: OnceCell::new() }.to_entry(),
        }
    }
}

/// A compact slot's TTL header: the expiry, then the place in `Db::volatile`.
#[inline]
fn ttl_header(at: i64, vpos: u32) -> [u8; TTL_HDR] {
    let mut h = [0u8; TTL_HDR];
    for (d, s) in h.iter_mut().zip(at.to_le_bytes().into_iter().chain(vpos.to_le_bytes())) {
        *d = s;
    }
    h
}

/// The answer for a slot number out of range (a bug: see the module notes):
/// `v` in release builds; debug builds assert, so tests and fuzz runs show it.
#[cold]
#[track_caller]
fn missing<T>(v: T) -> T {
    debug_assert!(false, "db: slot number out of range");
    v
}

/// What `Db::entry` answers for a slot that does not exist (a bug; see the
/// module notes): an empty string without a TTL.
static MISSING: Entry = Entry::placeholder();

/// Whether `val` under `key` can live in a compact slot.
#[inline]
fn compactable(key: &[u8], val: &Value) -> bool {
    matches!(val, Value::Str(b) if key.len() <= COMPACT_KEY && !(key.is_empty() && b.is_empty()))
}

pub struct Db {
    slots: Vec<Slot>,
    index: HashTable<u32>,
    volatile: Vec<u32>,
    hasher: DefaultHashBuilder,
    /// Keys that may hold a hash with per-field TTLs, for the active expiry of
    /// fields (`cmd::hash::active_expire_fields`). Entries may be stale (the key
    /// was deleted or renamed): the sweep checks and drops them.
    pub field_ttl_keys: IndexMap<()>,
    /// Σ heap bytes of all entries (compact data; boxed entry, key and
    /// accounted value bytes of full ones), for memory accounting.
    mem: usize,
    /// Slots handed out by `entry_mut` during the current command, recounted by `settle`.
    dirty: Vec<u32>,
    /// Compact slots that got a view during the current command (`drop_views`).
    viewed: RefCell<Vec<u32>>,
    /// Bulk loading (`begin_bulk`): the hash of each slot added since, the
    /// index being built once at the end (`end_bulk`).
    bulk: Option<Vec<u64>>,
    /// What `entry_mut` hands out for a slot that does not exist (a bug; see
    /// the module notes): writes to it are dropped.
    sink: Entry,
}

/// Why `Db::end_bulk` refused the keys it was given.
#[derive(Debug, PartialEq, Eq)]
pub enum BulkError {
    /// The key of this slot was added twice.
    Duplicate(usize),
    OutOfMemory,
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
            viewed: RefCell::new(Vec::new()),
            bulk: None,
            sink: Entry::placeholder(),
        }
    }

    #[inline]
    fn hash(&self, key: &[u8]) -> u64 {
        hash_key(&self.hasher, key)
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
        self.find_hashed(key, self.hash(key))
    }
    /// `find` with the key's hash (`key_hash`) already computed.
    #[inline]
    pub fn find_hashed(&self, key: &[u8], h: u64) -> Option<usize> {
        let slots = &self.slots;
        self.index.find(h, |&i| slots.get(i as usize).is_some_and(|s| s.key() == key)).map(|&i| i as usize)
    }

    /// The entry in slot `i`. Callers get `i` from `find`/`insert`/iteration, so it
    /// is in range; an out-of-range `i` is a bug (never input-driven) and answers
    /// an empty placeholder (see the module notes).
    /// A compact slot answers a view built now (prefer `key`, `expire_of`,
    /// `lru`, `string_bytes` where they do).
    #[inline]
    pub fn entry(&self, i: usize) -> &Entry {
        match self.slots.get(i) {
            Some(s) => self.view(s, i),
            None => missing(&MISSING),
        }
    }
    fn view<'s>(&'s self, s: &'s Slot, i: usize) -> &'s Entry {
        s.cell.get_or_init(|| {
            if let Ok(mut v) = self.viewed.try_borrow_mut() {
                v.push(i as u32);
            }
            note_pending();
            Box::new(s.to_entry())
        })
    }
    /// Drops the views made for compact slots (the server calls it after each command).
    pub fn drop_views(&mut self) {
        let viewed = std::mem::take(self.viewed.get_mut());
        for i in viewed {
            if let Some(s) = self.slots.get_mut(i as usize) {
                if s.is_compact() {
                    s.cell.take();
                }
            }
        }
    }
    /// Whether some compact slot has a view (`drop_views`).
    #[inline]
    pub fn has_views(&self) -> bool {
        self.viewed.try_borrow().map_or(true, |v| !v.is_empty())
    }
    /// Mutable access; the slot is recounted for memory accounting by `settle`
    /// after the command (values may grow or shrink in place).
    /// An out-of-range `i` (a bug) answers a scratch entry (see the module notes).
    #[inline]
    pub fn entry_mut(&mut self, i: usize) -> &mut Entry {
        self.make_full(i);
        let Db { slots, dirty, sink, .. } = self;
        let Some(s) = slots.get_mut(i) else {
            *sink = Entry::placeholder();
            return missing(sink);
        };
        if dirty.last() != Some(&(i as u32)) {
            dirty.push(i as u32);
            note_pending();
        }
        if s.cell.get().is_none() {
            // Never so (a full slot always holds its entry); stays panic-free.
            let _ = s.cell.set(Box::new(s.to_entry()));
        }
        match s.cell.get_mut() {
            Some(e) => e,
            None => {
                *sink = Entry::placeholder(); // never so: the cell was set above
                missing(sink)
            }
        }
    }
    /// Turns a compact slot into a full one (for changes a compact slot cannot hold).
    fn make_full(&mut self, i: usize) {
        let Some(s) = self.slots.get_mut(i) else { return };
        if !s.is_compact() {
            return;
        }
        let e = s.to_entry();
        self.mem = self.mem - s.data.len() + e.counted();
        *s = Slot::full(e);
    }
    /// Sets the access clock of slot `i` (no recount needed).
    #[inline]
    pub fn set_lru(&mut self, i: usize, lru: u32) {
        let Some(s) = self.slots.get_mut(i) else { return };
        if s.is_compact() {
            s.meta = (s.meta & !LRU_MASK) | (lru & LRU_MASK);
            s.cell.take();
        } else if let Some(e) = s.cell.get_mut() {
            e.lru = lru;
        }
    }
    /// The access clock of slot `i` (`Entry::lru`, without a view).
    #[inline]
    pub fn lru(&self, i: usize) -> u32 {
        let Some(s) = self.slots.get(i) else { return missing(0) };
        if s.is_compact() {
            s.meta & LRU_MASK
        } else {
            s.cell.get().map_or(0, |e| e.lru)
        }
    }
    /// The key of slot `i` (`Entry::key`, without a view).
    #[inline]
    pub fn key(&self, i: usize) -> &[u8] {
        self.slots.get(i).map_or_else(|| missing(&[][..]), |s| s.key())
    }
    /// The expiry of slot `i` (`Entry::expire`, without a view).
    #[inline]
    pub fn expire_of(&self, i: usize) -> Option<i64> {
        let Some(s) = self.slots.get(i) else { return missing(None) };
        if s.is_compact() {
            s.ttl().map(|(t, _)| t)
        } else {
            s.cell.get().and_then(|e| e.expire())
        }
    }
    /// The TYPE name of slot `i` (`Value::type_name`, without a view).
    #[inline]
    pub fn type_name(&self, i: usize) -> &'static str {
        let Some(s) = self.slots.get(i) else { return missing("string") };
        if s.is_compact() {
            "string"
        } else {
            s.cell.get().map_or("string", |e| e.val.type_name())
        }
    }
    /// The bytes of a string value in slot `i` (borrowed when stored as bytes),
    /// `None` for other types (`Value::as_bytes`, without a view).
    #[inline]
    pub fn string_bytes(&self, i: usize) -> Option<Cow<'_, [u8]>> {
        let Some(s) = self.slots.get(i) else { return missing(Some(Cow::Borrowed(&[]))) };
        if s.is_compact() {
            Some(Cow::Borrowed(s.bytes()))
        } else {
            s.cell.get().and_then(|e| e.val.as_bytes())
        }
    }
    /// Recounts the slots changed in place since the last call.
    pub fn settle(&mut self) {
        while let Some(i) = self.dirty.pop() {
            let Some(s) = self.slots.get_mut(i as usize) else { continue };
            if s.is_compact() {
                continue; // compact slots are counted exactly on every change
            }
            if let Some(e) = s.cell.get_mut() {
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
        self.slots.get(i).map(|s| self.view(s, i))
    }

    /// Adds a key that is not present. Returns its slot.
    pub fn insert(&mut self, key: &[u8], val: Value, expire: Option<i64>, lru: u32) -> usize {
        let h = self.hash(key);
        self.insert_hashed(key, h, val, expire, lru)
    }
    /// `insert` with the key's hash (`key_hash`) already computed (snapshot loads
    /// hash once for the duplicate check and the insert).
    pub fn insert_hashed(&mut self, key: &[u8], h: u64, val: Value, expire: Option<i64>, lru: u32) -> usize {
        debug_assert!(self.find(key).is_none());
        if compactable(key, &val) {
            if let Value::Str(b) = &val {
                return self.insert_str(key, h, b, lru, expire);
            }
        }
        if val.has_field_ttl() {
            self.field_ttl_keys.insert(key, ());
        }
        let acct = clamp_u32(val.heap_bytes());
        let e = Entry { key: Key::new(key), val, expire: 0, vpos: NO_POS, lru, unshared: false, acct };
        let i = self.insert_slot(h, Slot::full(e));
        if let Some(t) = expire {
            self.set_expire(i, Some(t));
        }
        i
    }
    /// Adds a plain string key that is not present (SET's path: one allocation
    /// for key, value and TTL). Returns its slot.
    /// `h` is the key's hash (`key_hash`).
    pub fn insert_str(&mut self, key: &[u8], h: u64, val: &[u8], lru: u32, expire: Option<i64>) -> usize {
        if key.len() > COMPACT_KEY || (key.is_empty() && val.is_empty()) {
            return self.insert(key, Value::plain_string(val.to_vec()), expire, lru);
        }
        let ttl = expire.map(|t| (stored_expire(t), self.volatile.len() as u32));
        let i = self.insert_slot(h, Slot::compact_ttl(key, val, lru, ttl));
        if ttl.is_some() {
            self.volatile.push(i as u32);
        }
        i
    }
    /// `insert_str` for a snapshot load: the allocation is fallible, and
    /// `Ok(false)` (nothing done) when the key cannot be compact.
    pub fn try_insert_compact(&mut self, key: &[u8], h: u64, val: &[u8], lru: u32) -> Result<bool, TryReserveError> {
        if key.len() > COMPACT_KEY || (key.is_empty() && val.is_empty()) {
            return Ok(false);
        }
        let mut d = Vec::new();
        d.try_reserve_exact(key.len() + val.len())?;
        d.extend_from_slice(key);
        d.extend_from_slice(val);
        // The layout of `Slot::compact_ttl` without a TTL header (key length in 7 bits).
        let slot = Slot { data: d.into_boxed_slice(), meta: ((key.len() as u32 & 0x7F) << 24) | (lru & LRU_MASK), cell: OnceCell::new() };
        self.insert_slot(h, slot);
        Ok(true)
    }
    fn insert_slot(&mut self, h: u64, slot: Slot) -> usize {
        if let Some(hashes) = &mut self.bulk {
            hashes.push(h);
            let i = self.slots.len();
            self.mem += slot.counted();
            self.slots.push(slot);
            return i;
        }
        if self.index.len() >= self.index.capacity() {
            self.regrow_index(self.index.len() + 1);
        }
        let i = self.slots.len();
        self.mem += slot.counted();
        self.slots.push(slot);
        let Db { index, slots, hasher, .. } = self;
        index.insert_unique(h, i as u32, |&j| slots.get(j as usize).map_or(0, |s| hash_key(hasher, s.key())));
        i
    }

    /// Starts a bulk load into an empty database (snapshot restores), with room
    /// for `hint` keys if memory allows: the inserts that follow skip the
    /// index (no lookup can see their keys, and the caller knows the keys are
    /// new or checks at the end), which `end_bulk` builds in one pass.
    pub fn begin_bulk(&mut self, hint: usize) {
        let mut hashes = Vec::new();
        if self.slots.try_reserve(hint).is_ok() {
            let _ = hashes.try_reserve(hint);
        }
        self.bulk = Some(hashes);
    }

    /// Ends a bulk load: builds the index over every key, refusing a key added
    /// twice (see `build_index`). On error the database is left unusable (the
    /// caller drops it).
    pub fn end_bulk(&mut self) -> Result<(), BulkError> {
        let Some(hashes) = self.bulk.take() else { return Ok(()) };
        let t = build_index(&self.slots, &self.hasher, hashes)?;
        self.index = t;
        Ok(())
    }

    /// Rebuilds the index for `want` keys (hashbrown rounds up as its own
    /// growth would: the buckets double), hashing the keys in slot order:
    /// consecutive slots' keys sit close in memory, so this runs several times
    /// faster than hashbrown's resize, which visits them in hash order.
    /// (`build_index`'s bucket order would be faster still, but its scratch
    /// arrays, 16 bytes a key, would raise the wasm memory's high-water mark.)
    fn regrow_index(&mut self, want: usize) {
        let Db { index, slots, hasher, .. } = self;
        let mut t = HashTable::with_capacity(want);
        for (i, s) in slots.iter().enumerate() {
            let h = hash_key(hasher, s.key());
            t.insert_unique(h, i as u32, |&j| slots.get(j as usize).map_or(0, |s| hash_key(hasher, s.key())));
        }
        *index = t;
    }

    /// Removes and returns the entry in slot `i` (without its expiry: callers
    /// read it first); the last slot moves into `i`.
    /// (An out-of-range `i`, a bug, removes nothing and answers a placeholder.)
    pub fn remove_at(&mut self, i: usize) -> Entry {
        let Some(s) = self.take_at(i) else { return missing(Entry::placeholder()) };
        let mut e = s.into_entry();
        e.expire = 0;
        e.vpos = NO_POS;
        e
    }
    /// Removes the entry in slot `i` without handing it back (DEL, expiry, eviction).
    pub fn delete_at(&mut self, i: usize) {
        drop(self.take_at(i));
    }
    fn take_at(&mut self, i: usize) -> Option<Slot> {
        let Some(s) = self.slots.get(i) else { return missing(None) };
        let h = self.hash(s.key());
        if let Ok(occ) = self.index.find_entry(h, |&j| j as usize == i) {
            occ.remove();
        }
        self.unlink_volatile(i);
        let last = self.slots.len().saturating_sub(1); // i < len
        if i != last {
            let hl = self.slots.last().map_or(0, |s| self.hash(s.key()));
            if let Some(p) = self.index.find_mut(hl, |&j| j as usize == last) {
                *p = i as u32;
            }
            let vp = self.vpos_of(last);
            if let Some(v) = self.volatile.get_mut(vp as usize) {
                *v = i as u32;
            }
            if let Some(moved) = self.slots.last_mut().filter(|m| m.is_compact()) {
                moved.cell.take();
            }
        }
        let s = self.slots.swap_remove(i);
        self.mem -= s.counted();
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
        Some(s)
    }

    pub fn remove(&mut self, key: &[u8]) -> Option<Entry> {
        self.find(key).map(|i| self.remove_at(i))
    }

    /// Sets (`Some`) or clears (`None`) the expiry of slot `i`. A compact slot
    /// stays compact (its data is rebuilt when the TTL header comes or goes).
    pub fn set_expire(&mut self, i: usize, at: Option<i64>) {
        let Some(s) = self.slots.get_mut(i) else { return missing(()) };
        if s.is_compact() {
            match (at, s.ttl()) {
                (None, None) => {}
                (Some(t), Some((_, vp))) => s.set_ttl(stored_expire(t), vp),
                (None, Some(_)) => {
                    let new = Slot::compact(s.key(), s.bytes(), s.meta);
                    self.unlink_volatile(i);
                    self.rebuild(i, new);
                }
                (Some(t), None) => {
                    let vp = self.volatile.len() as u32;
                    let new = Slot::compact_ttl(s.key(), s.bytes(), s.meta, Some((stored_expire(t), vp)));
                    self.rebuild(i, new);
                    self.volatile.push(i as u32);
                }
            }
            return;
        }
        let Some(e) = s.cell.get_mut() else { return };
        match at {
            Some(t) => {
                e.expire = stored_expire(t);
                if e.vpos == NO_POS {
                    e.vpos = self.volatile.len() as u32;
                    self.volatile.push(i as u32);
                }
            }
            None => {
                e.expire = 0;
                self.unlink_volatile(i);
            }
        }
    }
    /// Replaces slot `i` with `new` (same key), keeping `mem` exact.
    fn rebuild(&mut self, i: usize, new: Slot) {
        let Some(s) = self.slots.get_mut(i) else { return missing(()) };
        self.mem = self.mem - s.counted() + new.counted();
        *s = new;
    }
    /// The place of slot `i` in `volatile`, or NO_POS.
    fn vpos_of(&self, i: usize) -> u32 {
        let Some(s) = self.slots.get(i) else { return missing(NO_POS) };
        if s.is_compact() {
            s.ttl().map_or(NO_POS, |(_, vp)| vp)
        } else {
            s.cell.get().map_or(NO_POS, |e| e.vpos)
        }
    }
    /// Records the place of slot `i` (which has a TTL) in `volatile`.
    fn set_vpos(&mut self, i: usize, vp: u32) {
        let Some(s) = self.slots.get_mut(i) else { return missing(()) };
        if let Some((at, _)) = s.ttl() {
            s.set_ttl(at, vp);
        } else if let Some(e) = s.cell.get_mut() {
            e.vpos = vp;
        }
    }
    /// Takes slot `i` out of `volatile` (its own TTL field is left to the caller).
    fn unlink_volatile(&mut self, i: usize) {
        let vp = self.vpos_of(i) as usize;
        // NO_POS (no TTL) is never below `volatile.len()`, which fits in u32.
        if vp >= self.volatile.len() {
            return;
        }
        if let Some(e) = self.slots.get_mut(i).filter(|s| !s.is_compact()).and_then(|s| s.cell.get_mut()) {
            e.vpos = NO_POS;
        }
        self.volatile.swap_remove(vp);
        // The last one moved into the hole (none when the hole was the last).
        if let Some(&moved) = self.volatile.get(vp) {
            self.set_vpos(moved as usize, vp as u32);
        }
    }

    /// Replaces the value of slot `i`, returning the old one.
    pub fn replace_value(&mut self, i: usize, val: Value) -> Value {
        let Some(s) = self.slots.get(i) else { return missing(val) };
        if val.has_field_ttl() {
            self.field_ttl_keys.insert(s.key(), ());
        }
        if s.is_compact() && compactable(s.key(), &val) {
            let old = Value::Str(s.bytes().to_vec());
            if let Value::Str(b) = &val {
                self.replace_str(i, b, NewTtl::Keep);
            }
            return old;
        }
        self.make_full(i);
        let Some(e) = self.slots.get_mut(i).and_then(|s| s.cell.get_mut()) else { return val };
        e.unshared = false;
        let acct = clamp_u32(val.heap_bytes());
        self.mem = self.mem - e.acct as usize + acct as usize;
        e.acct = acct;
        std::mem::replace(&mut e.val, val)
    }
    /// Stores the plain string `val` in slot `i` (SET's path), dropping the old
    /// value, with the TTL `ttl` says (kept, cleared or set). A short key
    /// becomes compact (one allocation); the access clock stays.
    pub fn replace_str(&mut self, i: usize, val: &[u8], ttl: NewTtl) {
        let Some(s) = self.slots.get(i) else { return missing(()) };
        let klen = s.key().len();
        if klen > COMPACT_KEY || (klen == 0 && val.is_empty()) {
            self.replace_value(i, Value::plain_string(val.to_vec()));
            match ttl {
                NewTtl::Keep => {}
                NewTtl::Clear => self.set_expire(i, None),
                NewTtl::At(t) => self.set_expire(i, Some(t)),
            }
            return;
        }
        let vp = self.vpos_of(i);
        let new_ttl = match ttl {
            NewTtl::Keep => self.expire_of(i).map(|t| (t, vp)),
            NewTtl::Clear => {
                self.unlink_volatile(i);
                None
            }
            NewTtl::At(t) => {
                if vp == NO_POS {
                    None // added to `volatile` below, once the slot is rebuilt
                } else {
                    Some((stored_expire(t), vp))
                }
            }
        };
        let Some(s) = self.slots.get(i) else { return };
        let new = match (new_ttl, ttl) {
            (None, NewTtl::At(t)) => Slot::compact_ttl(s.key(), val, self.lru(i), Some((stored_expire(t), self.volatile.len() as u32))),
            _ => Slot::compact_ttl(s.key(), val, self.lru(i), new_ttl),
        };
        let added = new.ttl().is_some() && new_ttl.is_none();
        self.rebuild(i, new);
        if added {
            self.volatile.push(i as u32);
        }
    }

    pub fn clear(&mut self) {
        self.slots = Vec::new();
        self.index = HashTable::new();
        self.volatile = Vec::new();
        self.field_ttl_keys = IndexMap::new();
        self.mem = 0;
        self.dirty = Vec::new();
        self.viewed = RefCell::new(Vec::new());
    }

    /// A uniformly random slot, `None` when empty.
    pub fn random_slot(&self, rng: &mut Rng) -> Option<usize> {
        (!self.slots.is_empty()).then(|| rng.below(self.slots.len()))
    }

    /// A uniformly random slot among those with an expiry.
    pub fn random_volatile_slot(&self, rng: &mut Rng) -> Option<usize> {
        if self.volatile.is_empty() {
            return None;
        }
        self.volatile.get(rng.below(self.volatile.len())).map(|&i| i as usize)
    }

    /// Every entry (compact slots answer views: prefer `keys` where it does).
    /// Key and bytes of slot `i` when it is a compact plain string (a `Value::Str`
    /// without TTL): lets whole-keyspace walks (snapshots, dumps) read it without
    /// building a temporary `Entry` view per key.
    pub fn compact_string(&self, i: usize) -> Option<(&[u8], &[u8])> {
        let s = self.slots.get(i)?;
        (s.is_compact() && s.ttl().is_none()).then(|| (s.key(), s.bytes()))
    }
    pub fn iter(&self) -> impl Iterator<Item = &Entry> {
        self.slots.iter().enumerate().map(|(i, s)| self.view(s, i))
    }
    /// Every key, in slot order.
    pub fn keys(&self) -> impl Iterator<Item = &[u8]> {
        self.slots.iter().map(|s| s.key())
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
        index.shrink_to(slots.len(), |&j| slots.get(j as usize).map_or(0, |s| hash_key(hasher, s.key())));
    }

    /// Swaps two databases' contents (SWAPDB).
    pub fn swap(a: &mut Db, b: &mut Db) {
        std::mem::swap(a, b);
    }

    /// Bytes held by this database (O(1)): the slot, index and TTL arrays by
    /// capacity, plus each entry's heap bytes (kept up to date by
    /// insert/remove/replace and `settle`). Allocator headers are not included.
    pub fn footprint(&self) -> usize {
        self.slots.capacity() * std::mem::size_of::<Slot>()
            + self.index.capacity() * (std::mem::size_of::<u32>() + 1)
            + self.volatile.capacity() * 4
            + self.mem
    }

    /// How much `footprint` would grow if one more key (with a TTL) were
    /// inserted now: the arrays that are full double. Eviction makes room for it.
    pub fn growth_on_insert(&self) -> usize {
        let grow = |len: usize, cap: usize, size: usize| if len >= cap { cap.max(4) * size } else { 0 };
        grow(self.slots.len(), self.slots.capacity(), std::mem::size_of::<Slot>())
            + grow(self.slots.len(), self.index.capacity(), std::mem::size_of::<u32>() + 1)
            + grow(self.volatile.len(), self.volatile.capacity(), 4)
    }

    /// Structure overhead (MEMORY STATS `overhead.hashtable.main` / `.expires`):
    /// slot array and index, and the TTL list.
    pub fn overhead(&self) -> (usize, usize) {
        (
            self.slots.capacity() * std::mem::size_of::<Slot>()
                + self.index.capacity() * (std::mem::size_of::<u32>() + 1),
            self.volatile.capacity() * 4,
        )
    }

    /// The bytes `footprint` counts for one entry (MEMORY USAGE), including its
    /// share of the index.
    pub fn entry_footprint(&self, i: usize) -> usize {
        self.slots.get(i).map_or(0, |s| {
            let own = if s.is_compact() {
                s.data.len()
            } else {
                s.cell.get().map_or(0, |e| std::mem::size_of::<Entry>() + e.key.heap_len() + e.val.heap_bytes())
            };
            std::mem::size_of::<Slot>()
                + own
                + std::mem::size_of::<u32>()
                + 1
                + if self.expire_of(i).is_some() { 4 } else { 0 }
        })
    }
}

/// The hash of a key: its bytes alone (foldhash mixes the length into its
/// byte hash already; `Hash for [u8]` would add a length prefix, which costs
/// a 128-bit shift per key on wasm32).
#[inline]
fn hash_key(hasher: &DefaultHashBuilder, key: &[u8]) -> u64 {
    use core::hash::Hasher;
    let mut h = hasher.build_hasher();
    h.write(key);
    h.finish()
}

/// The stored form of an expiry: 0 is the "none" marker; a real expiry of
/// 0 ms is in the past for any caller, which deletes such keys instead.
fn stored_expire(t: i64) -> i64 {
    if t == 0 {
        -1
    } else {
        t
    }
}

fn clamp_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// An index over `slots` (`hashes[i]` is slot i's key hash), refusing a key
/// present twice. Inserting a million random keys one by one costs a cache
/// miss each once the index outgrows the cache; here they go in in bucket order (a counting sort on the top 16 bits of each key's home
/// bucket), so the table is written nearly sequentially, and a key is read
/// only when two hashes share a bucket's tag.
fn build_index(slots: &[Slot], hasher: &DefaultHashBuilder, hashes: Vec<u64>) -> Result<HashTable<u32>, BulkError> {
    let rehash = |&j: &u32| slots.get(j as usize).map_or(0, |e| hash_key(hasher, e.key()));
    fn oom<E>(_: E) -> BulkError {
        BulkError::OutOfMemory
    }
    let mut t: HashTable<u32> = HashTable::new();
    t.try_reserve(hashes.len(), rehash).map_err(oom)?;
    // hashbrown's home bucket is the hash's low bits under the bucket mask
    // (the capacity is 7/8 of the power-of-two bucket count).
    let buckets = (t.capacity().saturating_mul(8) / 7).max(1).next_power_of_two();
    let bits = buckets.trailing_zeros();
    let shift = bits.saturating_sub(16);
    let part = |h: u64| ((h as usize) & (buckets - 1)) >> shift;
    let mut starts: Vec<u32> = Vec::new();
    let parts = (1usize << (bits - shift)) + 1;
    starts.try_reserve_exact(parts).map_err(oom)?;
    starts.resize(parts, 0);
    for &h in &hashes {
        if let Some(c) = starts.get_mut(part(h) + 1) {
            *c += 1;
        }
    }
    let mut sum = 0;
    for c in starts.iter_mut() {
        sum += *c;
        *c = sum;
    }
    let mut order: Vec<(u64, u32)> = Vec::new();
    order.try_reserve_exact(hashes.len()).map_err(oom)?;
    order.resize(hashes.len(), (0, 0));
    for (i, &h) in hashes.iter().enumerate() {
        if let Some(c) = starts.get_mut(part(h)) {
            if let Some(o) = order.get_mut(*c as usize) {
                *o = (h, i as u32);
            }
            *c += 1;
        }
    }
    drop(starts);
    drop(hashes);
    let key_of = |i: u32| slots.get(i as usize).map(|s| s.key());
    for &(h, i) in &order {
        match t.entry(h, |&j| key_of(j) == key_of(i), rehash) {
            hashbrown::hash_table::Entry::Occupied(_) => return Err(BulkError::Duplicate(i as usize)),
            hashbrown::hash_table::Entry::Vacant(v) => {
                v.insert(i);
            }
        }
    }
    Ok(t)
}

#[cfg(test)]
#[allow(clippy::indexing_slicing)]
mod tests {
    use super::*;

    fn k(s: &str) -> &[u8] {
        s.as_bytes()
    }

    #[test]
    fn bulk_load_builds_the_index_and_refuses_duplicates() {
        for n in [0usize, 1, 7, 1000, 200_000] {
            let mut db = Db::new();
            db.begin_bulk(n / 2); // a hint too small is fine
            for i in 0..n {
                let key = format!("key:{i}");
                let h = db.key_hash(key.as_bytes());
                if i % 3 == 0 {
                    db.insert_hashed(key.as_bytes(), h, Value::Int(i as i64), Some(1000 + i as i64), 0);
                } else {
                    assert_eq!(db.try_insert_compact(key.as_bytes(), h, b"v", 0), Ok(true));
                }
            }
            assert_eq!(db.find(b"key:0"), None, "no index while loading");
            assert_eq!(db.end_bulk(), Ok(()));
            assert_eq!(db.len(), n);
            for i in 0..n {
                assert_eq!(db.find(format!("key:{i}").as_bytes()), Some(i));
            }
            assert_eq!(db.find(b"key:x"), None);
            // the index grows and shrinks as usual afterwards
            for i in n..n + 100 {
                db.insert(format!("key:{i}").as_bytes(), Value::Int(0), None, 0);
            }
            assert!(db.remove(b"key:0").is_some() || n == 0);
            assert!(db.find(format!("key:{}", n + 99).as_bytes()).is_some());
        }
        for (n, dup) in [(2usize, 1usize), (5000, 4999), (5000, 17)] {
            let mut db = Db::new();
            db.begin_bulk(n);
            for i in 0..n {
                let key = if i == dup { "key:0".to_string() } else { format!("key:{i}") };
                db.insert(key.as_bytes(), Value::Int(0), None, 0);
            }
            assert!(matches!(db.end_bulk(), Err(BulkError::Duplicate(_))), "{n} {dup}");
        }
    }

    #[test]
    fn insert_find_remove_keeps_links() {
        let mut db = Db::new();
        for n in 0..1000 {
            let exp = (n % 3 == 0).then_some(1000 + n);
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
    fn compact_slots_convert_and_count() {
        let mut db = Db::new();
        let h = db.key_hash(b"k");
        let i = db.insert_str(b"k", h, b"hello", 7, None);
        assert!(db.slots[i].is_compact());
        assert_eq!(db.string_bytes(i).as_deref(), Some(&b"hello"[..]));
        assert_eq!((db.key(i), db.lru(i), db.expire_of(i)), (&b"k"[..], 7, None));
        let base = db.mem;
        assert_eq!(base, 6);
        // A view for &Entry callers; dropped after the command, and by any change.
        assert_eq!(db.entry(i).val, Value::Str(b"hello".to_vec()));
        assert_eq!(db.entry(i).key(), b"k");
        assert!(db.has_views());
        db.drop_views();
        assert!(!db.has_views() && db.slots[i].cell.get().is_none());
        let _ = db.entry(i);
        db.set_lru(i, 9);
        assert_eq!(db.entry(i).lru, 9);
        db.drop_views();
        // An expiry keeps it compact (a TTL header before the key).
        db.set_expire(i, Some(1000));
        assert!(db.slots[i].is_compact());
        assert_eq!((db.expire_of(i), db.lru(i), db.volatile_len(), db.mem), (Some(1000), 9, 1, 6 + TTL_HDR));
        assert_eq!((db.key(i), db.string_bytes(i).as_deref()), (&b"k"[..], Some(&b"hello"[..])));
        assert_eq!(db.entry(i).expire(), Some(1000));
        assert!(db.compact_string(i).is_none());
        db.drop_views();
        db.set_expire(i, Some(2000));
        db.replace_str(i, b"kept", NewTtl::Keep);
        assert_eq!((db.expire_of(i), db.string_bytes(i).as_deref()), (Some(2000), Some(&b"kept"[..])));
        // A mutable borrow makes it full (with its TTL); SET makes it compact again.
        db.entry_mut(i);
        db.settle();
        assert!(!db.slots[i].is_compact());
        assert_eq!((db.expire_of(i), db.volatile_len()), (Some(2000), 1));
        db.replace_str(i, b"ttl", NewTtl::Keep);
        assert!(db.slots[i].is_compact());
        assert_eq!((db.expire_of(i), db.volatile_len(), db.mem), (Some(2000), 1, 4 + TTL_HDR));
        db.set_expire(i, None);
        assert_eq!((db.expire_of(i), db.volatile_len(), db.mem), (None, 0, 4));
        db.replace_str(i, b"x", NewTtl::At(5));
        assert_eq!((db.expire_of(i), db.volatile_len()), (Some(5), 1));
        db.replace_str(i, b"again", NewTtl::Clear);
        assert!(db.slots[i].is_compact());
        assert_eq!((db.mem, db.volatile_len(), db.lru(i)), (6, 0, 9));
        db.entry_mut(i).val.make_raw().unwrap().push(b'!');
        db.settle();
        assert_eq!(db.string_bytes(i).as_deref(), Some(&b"again!"[..]));
        assert_eq!(db.mem, db.slots[i].counted());
        // Long keys, empty key and value, and other types stay full.
        let long = vec![b'x'; 300];
        let j = db.insert(&long, Value::Str(b"v".to_vec()), None, 0);
        let e = db.insert(b"", Value::Str(Vec::new()), None, 0);
        let n = db.insert(b"n", Value::Int(5), None, 0);
        assert!(!db.slots[j].is_compact() && !db.slots[e].is_compact() && !db.slots[n].is_compact());
        assert_eq!(db.find(&long), Some(j));
        assert_eq!(db.find(b""), Some(e));
        // Removal moves the last slot and keeps every link.
        let removed = db.remove_at(i);
        assert_eq!((removed.key(), removed.val.as_bytes().unwrap().as_ref()), (&b"k"[..], &b"again!"[..]));
        for (k, want) in [(&long[..], "v"), (&b""[..], ""), (&b"n"[..], "5")] {
            let s = db.find(k).unwrap();
            assert_eq!(db.string_bytes(s).unwrap().as_ref(), want.as_bytes());
        }
        db.delete_at(0);
        db.delete_at(0);
        db.delete_at(0);
        assert_eq!((db.len(), db.mem), (0, 0));
    }

    /// Every volatile slot points back at its place; TTLs, `mem` and the index agree.
    fn check_links(db: &Db) {
        for (p, &i) in db.volatile.iter().enumerate() {
            assert_eq!(db.vpos_of(i as usize), p as u32);
            assert!(db.expire_of(i as usize).is_some());
        }
        assert_eq!((0..db.len()).filter(|&i| db.expire_of(i).is_some()).count(), db.volatile.len());
        assert_eq!(db.slots.iter().map(|s| s.counted()).sum::<usize>(), db.mem);
        for i in 0..db.len() {
            assert_eq!(db.find(db.key(i)), Some(i));
        }
    }

    #[test]
    fn compact_and_full_ttls_keep_links() {
        let mut db = Db::new();
        let mut g = crate::rng::Rng::new(88172645463325252);
        let mut rnd = |n: u64| g.below(n as usize) as u64;
        for step in 0..20_000 {
            let key = format!("k{}", rnd(300)).into_bytes();
            let exp = (rnd(2) == 0).then(|| rnd(1000) as i64);
            match (rnd(8), db.find(&key)) {
                (0 | 1, None) => {
                    let h = db.key_hash(&key);
                    db.insert_str(&key, h, b"value", 0, exp);
                }
                (2, None) => {
                    db.insert(&key, Value::Int(7), exp, 0);
                }
                (3, Some(i)) => db.set_expire(i, exp),
                (4, Some(i)) => {
                    let t = [NewTtl::Keep, NewTtl::Clear, NewTtl::At(rnd(9) as i64 + 1)][rnd(3) as usize];
                    db.replace_str(i, b"other", t);
                }
                (5, Some(i)) => {
                    db.entry_mut(i).val = Value::Int(1);
                    db.settle();
                }
                (6, Some(i)) => {
                    let e = db.remove_at(i);
                    assert_eq!((e.key(), e.expire()), (&key[..], None));
                }
                (7, Some(i)) => db.delete_at(i),
                _ => {}
            }
            let _ = db.get(rnd(db.len().max(1) as u64) as usize).map(|e| e.expire());
            db.drop_views();
            if step % 97 == 0 {
                check_links(&db);
            }
        }
        check_links(&db);
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


/// A wrong slot number (a bug, never input) panics nowhere in release builds
/// (debug builds assert instead: `cargo test --release --lib db::`).
#[cfg(all(test, not(debug_assertions)))]
mod wrong_slot {
    use super::*;

    #[test]
    fn out_of_range_slots_answer_placeholders() {
        let mut db = Db::new();
        db.insert(b"k", Value::Int(1), Some(5), 0);
        for i in [1, 7, usize::MAX] {
            assert_eq!((db.entry(i).key(), db.key(i), db.lru(i), db.expire_of(i)), (&b""[..], &b""[..], 0, None));
            assert_eq!((db.type_name(i), db.string_bytes(i).as_deref()), ("string", Some(&b""[..])));
            db.entry_mut(i).val = Value::Int(9);
            db.set_lru(i, 3);
            db.set_expire(i, Some(1));
            db.replace_str(i, b"x", NewTtl::At(4));
            assert_eq!(db.replace_value(i, Value::Int(2)), Value::Int(2));
            assert_eq!(db.remove_at(i).key(), b"");
            db.delete_at(i);
            db.settle();
        }
        assert_eq!((db.len(), db.volatile_len(), db.find(b"k")), (1, 1, Some(0)));
        assert_eq!((db.entry(0).val.clone(), db.expire_of(0)), (Value::Int(1), Some(5)));
    }
}
