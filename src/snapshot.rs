//! Snapshots: the whole keyspace as one compact, versioned, checksummed byte
//! string, and back.
//!
//! The npm package stores these bytes in IndexedDB (`pkg/src/persist.js`), and
//! `db.snapshot()` / `Cinnabar.fromSnapshot()` / `db.restore()` expose them.
//! Expiry times are absolute Unix milliseconds, so TTLs keep counting while
//! nothing runs: a key whose time came while the page was closed is dropped
//! on load and reported as expired.
//!
//! ## Layout (version 2; integers little-endian, `varint` = unsigned LEB128)
//! ```text
//! offset 0                4        5       6
//!        +----+----+----+----+--------+-------+------------------+----------------+
//!        | 89 | 'C'| 'N'| 'B'| version| flags | varint databases | i64 saved_at ms|
//!        +----+----+----+----+--------+-------+------------------+----------------+
//! then records, each starting with an opcode byte:
//!        +------+------------------+------------------+
//!        | 0xFE | varint db index  | varint key count |  SELECT: following keys go to this db
//!        +------+------------------+------------------+
//!        +------+--------------------+
//!        | 0xFD | i64 expire_at (ms) |                   EXPIRE: applies to the next key only
//!        +------+--------------------+
//!        +------+------------------------+-------------------+
//!        | type | varint len | key bytes | payload (by type) |   a key (type < 0xF0)
//!        +------+------------------------+-------------------+
//! and finally:
//!        +------+--------------------+-------------------------------------+
//!        | 0xFF | u64 keys written   | u32 CRC-32C of every byte before it |
//!        +------+--------------------+-------------------------------------+
//! ```
//! `bytes` below is `varint len` + that many bytes; `n` is a varint count.
//! ```text
//! type  value                 payload
//! 0x00  string (embstr/raw)   bytes
//! 0x01  string (int)          zigzag varint
//! 0x02  string (raw, edited)  bytes
//! 0x10  set, intset           n, zigzag varint first, n-1 × varint gap (≥ 1, ascending)
//! 0x11  set, hashtable        n × bytes
//! 0x20  hash, listpack        n × (bytes field, bytes value)
//! 0x21  hash, hashtable       n × (bytes field, bytes value, varint field expire ms, 0 = none)
//! 0x30  zset, listpack        n × (bytes member, f64 score), ascending (score, member)
//! 0x31  zset, skiplist        same
//! 0x40  list (quicklist)      n × bytes, head to tail
//! 0x50  stream                see below (version 2)
//! ```
//! A stream is written node by node, as Redis's RDB writes its listpacks, so
//! the node layout (`XINFO STREAM` radix-tree-keys/nodes, where the next XADD
//! opens a node, what `MAXLEN ~` trims) survives a reload; deleted entries
//! (tombstones) are kept for the same reason. `id` is `varint ms, varint seq`;
//! `next-id` is an id of an ascending run: the run's first absolute, then
//! `varint ms − prev.ms` and `varint seq` (`seq − prev.seq − 1` when the ms
//! are equal), so a decoded run is strictly ascending by construction.
//! ```text
//! id last-id, id first-id, id max-deleted-id, varint entries-added,
//! n nodes × ( n entries (≥ 1) × ( u8 flags, next-id,            ids run across nodes
//!                                 flags & 2 ? n × bytes value     (the master entry's fields)
//!                                           : n fields × (bytes field, bytes value) ) )
//!     flags: 1 = deleted (tombstone), 2 = same fields as the node's first (master) entry
//! n groups × ( bytes name, id last-delivered-id, zigzag entries-read (−1 = unknown),
//!              n consumers × (bytes name, zigzag seen-time ms), names ascending,
//!              n pending × (next-id, varint consumer index, zigzag delivery-time ms,
//!                           varint delivery-count) )
//! ```
//! Times are absolute Unix ms, as Redis's RDB keeps them: after a reload the
//! idle times have grown by the time the store was closed.
//!
//! Versions: 2 adds the stream tag; version 1 snapshots (no streams) load
//! unchanged. A snapshot is always written as version 2.
//! Each type is one encoder (`write_value`) and one decoder (`read_value`)
//! arm; a new type takes a new tag. Unknown tags, flags and versions are
//! refused, never skipped. The encoding a value had is kept (OBJECT ENCODING
//! answers the same after a reload) unless the store's limits are smaller, in
//! which case the value converts as Redis's RDB loader converts it.
//!
//! ## Hostile input
//! The decoder assumes every byte may be wrong: the checksum is checked before
//! anything is parsed; lengths and counts are checked against the bytes left
//! (every element takes at least one byte, so nothing allocates more than a
//! small multiple of the input; stream field names shared with a master
//! entry, the one thing copied rather than read, draw on a budget of 64× the
//! input); allocations are fallible; duplicate keys,
//! members or fields, empty collections, unsorted intsets and trailing bytes
//! are errors. Decoding builds new databases on the side, so a restore either
//! replaces the whole keyspace or leaves it untouched.
//!
//! ## maxmemory
//! A restore (or merge) is held to the store's `maxmemory` by the data's size
//! once loaded (the same accounting as INFO `used_memory`):
//! - under an evicting policy the snapshot loads whole, then keys are evicted
//!   by the policy until the store is under the limit, as Redis does right
//!   after loading an RDB (`evicted` events, `evicted_keys`; the count is in
//!   [`Restored::evicted`]). A `volatile-*` policy evicts only keys with a
//!   TTL, so the store may stay over its limit, and writes answer OOM until
//!   space is freed, as in Redis;
//! - under `noeviction` a snapshot that does not fit is refused
//!   ([`SnapshotError::OverMaxmemory`]) and the store is left unchanged (Redis
//!   would load it and then refuse writes; an edge isolate with 128 MB is
//!   better off keeping the data it has and saying why).
//!
//! ## Changes
//! [`Changes`] counts modifications (the package's save debouncer polls it) and,
//! when tracking is on, remembers which keys changed since the last save, so two
//! tabs persisting to one IndexedDB name can merge key by key
//! ([`Server::merge_snapshot`]) instead of overwriting each other.

#![deny(clippy::indexing_slicing)]

use crate::db::{BulkError, Db};
use crate::server::Server;
use crate::types::hash::{Field, Hash};
use crate::types::indexmap::IndexMap;
use crate::types::list::{End, List};
use crate::types::set::Set;
use crate::types::stream::{Consumer, Group, Item, Nack, Stream, StreamId};
use crate::types::zset::ZSet;
use std::collections::BTreeMap;
use crate::value::Value;
use hashbrown::HashSet;
use std::fmt;
use std::sync::OnceLock;

pub const MAGIC: [u8; 4] = [0x89, b'C', b'N', b'B'];
/// The version written. Version 1 (no streams) is still read: it is
/// version 2 without the stream tag.
pub const VERSION: u8 = 2;
/// The oldest version read.
pub const MIN_VERSION: u8 = 1;
/// Largest snapshot the decoder accepts (wasm32 memory is at most 4 GiB).
pub const MAX_BYTES: usize = 1 << 31;
/// An empty snapshot: magic, version, flags, 1-byte varint, i64, end marker, u64, CRC.
pub const MIN_BYTES: usize = 4 + 2 + 1 + 8 + 1 + 8 + 4;

const OP_DB: u8 = 0xFE;
const OP_EXPIRE: u8 = 0xFD;
const OP_END: u8 = 0xFF;

const T_STR: u8 = 0x00;
const T_INT: u8 = 0x01;
const T_RAW: u8 = 0x02;
const T_SET_INTS: u8 = 0x10;
const T_SET_HASH: u8 = 0x11;
const T_HASH_LIST: u8 = 0x20;
const T_HASH_TABLE: u8 = 0x21;
const T_ZSET_LISTPACK: u8 = 0x30;
const T_ZSET_SKIPLIST: u8 = 0x31;
const T_LIST: u8 = 0x40;
const T_STREAM: u8 = 0x50;

/// Stream entry flags.
const E_DELETED: u8 = 1;
const E_MASTER_FIELDS: u8 = 2;

// ------------------------------------------------------------------ errors

/// Why a snapshot was refused. `Display` is the message the JS error carries.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SnapshotError {
    /// Shorter than a header and a trailer.
    TooShort(usize),
    BadMagic,
    Version(u8),
    Flags(u8),
    TooLarge(usize),
    Checksum { stored: u32, computed: u32 },
    /// A length or count runs past the end of the data.
    Truncated(usize),
    Corrupt { at: usize, what: &'static str },
    /// A key in a database the store does not have.
    Databases { index: usize, have: usize },
    OutOfMemory,
    /// The decoded data is larger than `maxmemory` and the policy is
    /// `noeviction`: refused, the store unchanged.
    OverMaxmemory { need: usize, max: u64 },
}

impl fmt::Display for SnapshotError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use SnapshotError::*;
        match self {
            TooShort(n) => write!(f, "snapshot: too short ({n} bytes) to be a Cinnabar snapshot"),
            BadMagic => write!(f, "snapshot: not a Cinnabar snapshot (bad magic bytes)"),
            Version(v) => write!(f, "snapshot: unsupported format version {v} (this build reads versions {MIN_VERSION} to {VERSION})"),
            Flags(x) => write!(f, "snapshot: unknown header flags 0x{x:02x}"),
            TooLarge(n) => write!(f, "snapshot: {n} bytes is over the {MAX_BYTES}-byte limit"),
            Checksum { stored, computed } => write!(
                f,
                "snapshot: checksum mismatch (stored {stored:08x}, computed {computed:08x}): the data is corrupted or truncated"
            ),
            Truncated(at) => write!(f, "snapshot: truncated (a length at byte {at} runs past the end)"),
            Corrupt { at, what } => write!(f, "snapshot: corrupt at byte {at}: {what}"),
            Databases { index, have } => {
                write!(f, "snapshot: has keys in database {index} but the store has {have} databases")
            }
            OutOfMemory => write!(f, "snapshot: out of memory"),
            OverMaxmemory { need, max } => write!(
                f,
                "snapshot: the data needs {need} bytes but maxmemory is {max} bytes and maxmemory-policy is noeviction; the store was not changed"
            ),
        }
    }
}

impl std::error::Error for SnapshotError {}

type R<T> = Result<T, SnapshotError>;

// ---------------------------------------------------------------- checksum

/// CRC-32C (Castagnoli), slicing by 8; tables built on first use, so they
/// cost nothing in the wasm binary.
pub fn crc32c(data: &[u8]) -> u32 {
    static TABLES: OnceLock<Box<[[u32; 256]; 8]>> = OnceLock::new();
    let t = TABLES.get_or_init(|| {
        let mut t = Box::new([[0u32; 256]; 8]);
        let [t0, rest @ ..] = &mut *t;
        for (i, e) in (0u32..).zip(t0.iter_mut()) {
            let mut c = i;
            for _ in 0..8 {
                c = if c & 1 != 0 { (c >> 1) ^ 0x82F6_3B78 } else { c >> 1 };
            }
            *e = c;
        }
        let mut prev: &[u32; 256] = t0;
        for tk in rest.iter_mut() {
            for (e, &p) in tk.iter_mut().zip(prev.iter()) {
                *e = (p >> 8) ^ at(t0, p);
            }
            prev = tk;
        }
        t
    });
    let [t0, t1, t2, t3, t4, t5, t6, t7] = &**t;
    let mut crc = !0u32;
    let mut chunks = data.chunks_exact(8);
    for c in &mut chunks {
        // chunks_exact(8): the conversion cannot fail (and compiles away).
        let w = u64::from_le_bytes(c.try_into().unwrap_or([0; 8]));
        let (lo, hi) = (w as u32 ^ crc, (w >> 32) as u32);
        crc = at(t7, lo) ^ at(t6, lo >> 8) ^ at(t5, lo >> 16) ^ at(t4, lo >> 24)
            ^ at(t3, hi) ^ at(t2, hi >> 8) ^ at(t1, hi >> 16) ^ at(t0, hi >> 24);
    }
    for &b in chunks.remainder() {
        crc = (crc >> 8) ^ at(t0, crc ^ b as u32);
    }
    !crc
}

/// `t[x & 0xFF]`: the mask keeps the index in range, so the check compiles away.
#[inline(always)]
fn at(t: &[u32; 256], x: u32) -> u32 {
    t.get((x & 0xFF) as usize).copied().unwrap_or(0)
}

fn zigzag(n: i64) -> u64 {
    ((n << 1) ^ (n >> 63)) as u64
}
fn unzigzag(u: u64) -> i64 {
    ((u >> 1) as i64) ^ -((u & 1) as i64)
}

// ----------------------------------------------------------------- encoder

/// An output buffer whose growth is fallible: a snapshot of a store that
/// fills memory answers OutOfMemory instead of aborting the wasm instance.
pub(crate) struct Out {
    pub(crate) buf: Vec<u8>,
}

impl Out {
    pub(crate) fn new() -> Out {
        Out { buf: Vec::new() }
    }
    #[inline]
    pub(crate) fn room(&mut self, n: usize) -> R<()> {
        if self.buf.capacity() - self.buf.len() < n {
            let extra = n.max(self.buf.len()).max(1 << 12);
            self.buf.try_reserve(extra).map_err(|_| SnapshotError::OutOfMemory)?;
        }
        Ok(())
    }
    #[inline]
    fn byte(&mut self, b: u8) -> R<()> {
        self.room(1)?;
        self.buf.push(b);
        Ok(())
    }
    #[inline]
    fn varint_unchecked(&mut self, mut v: u64) {
        while v >= 0x80 {
            self.buf.push((v as u8) | 0x80);
            v >>= 7;
        }
        self.buf.push(v as u8);
    }
    #[inline]
    fn varint(&mut self, v: u64) -> R<()> {
        self.room(10)?;
        self.varint_unchecked(v);
        Ok(())
    }
    #[inline]
    fn bytes(&mut self, b: &[u8]) -> R<()> {
        self.room(10 + b.len())?;
        self.varint_unchecked(b.len() as u64);
        self.buf.extend_from_slice(b);
        Ok(())
    }
    #[inline]
    pub(crate) fn raw(&mut self, b: &[u8]) -> R<()> {
        self.room(b.len())?;
        self.buf.extend_from_slice(b);
        Ok(())
    }
    fn i64(&mut self, v: i64) -> R<()> {
        self.raw(&v.to_le_bytes())
    }
}

/// What a value looks like at `now`: hash fields whose time has come are
/// left out, and a hash left with none is not written at all.
fn live_fields(h: &Hash, now: i64) -> usize {
    match h {
        Hash::Table { map, next_expire } if *next_expire <= now => {
            map.iter().filter(|(_, f)| f.expire == 0 || f.expire > now).count()
        }
        _ => h.len(),
    }
}

/// Writes one value's type tag and key (already known live) and its payload.
fn write_value(out: &mut Out, key: &[u8], val: &Value, now: i64) -> R<bool> {
    match val {
        Value::Stream(st) => {
            out.byte(T_STREAM)?;
            out.bytes(key)?;
            write_stream(out, st)?;
        }
        Value::Int(n) => {
            out.byte(T_INT)?;
            out.bytes(key)?;
            out.varint(zigzag(*n))?;
        }
        Value::Str(b) | Value::Raw(b) => {
            out.byte(if matches!(val, Value::Raw(_)) { T_RAW } else { T_STR })?;
            out.bytes(key)?;
            out.bytes(b)?;
        }
        Value::Set(s) => match &**s {
            Set::Ints(v) => {
                out.byte(T_SET_INTS)?;
                out.bytes(key)?;
                out.varint(v.len() as u64)?;
                let mut prev = 0i64;
                for (i, &n) in v.iter().enumerate() {
                    if i == 0 {
                        out.varint(zigzag(n))?;
                    } else {
                        out.varint(n.wrapping_sub(prev) as u64)?;
                    }
                    prev = n;
                }
            }
            Set::Hash(m) => {
                out.byte(T_SET_HASH)?;
                out.bytes(key)?;
                out.varint(m.len() as u64)?;
                for k in m.keys() {
                    out.bytes(k)?;
                }
            }
        },
        Value::Hash(h) => {
            let live = live_fields(h, now);
            if live == 0 {
                return Ok(false);
            }
            match &**h {
                Hash::List(v) => {
                    out.byte(T_HASH_LIST)?;
                    out.bytes(key)?;
                    out.varint(v.len() as u64)?;
                    for (f, x) in v {
                        out.bytes(f)?;
                        out.bytes(x)?;
                    }
                }
                Hash::Table { map, .. } => {
                    out.byte(T_HASH_TABLE)?;
                    out.bytes(key)?;
                    out.varint(live as u64)?;
                    for (f, x) in map.iter() {
                        if x.expire != 0 && x.expire <= now {
                            continue;
                        }
                        out.bytes(f)?;
                        out.bytes(&x.val)?;
                        out.varint(x.expire.max(0) as u64)?;
                    }
                }
            }
        }
        Value::ZSet(z) => {
            out.byte(if z.is_listpack() { T_ZSET_LISTPACK } else { T_ZSET_SKIPLIST })?;
            out.bytes(key)?;
            out.varint(z.len() as u64)?;
            for (m, score) in z.iter() {
                out.bytes(m)?;
                out.raw(&score.to_le_bytes())?;
            }
        }
        Value::List(l) => {
            out.byte(T_LIST)?;
            out.bytes(key)?;
            out.varint(l.len() as u64)?;
            for x in l.iter() {
                out.bytes(x)?;
            }
        }
    }
    Ok(true)
}

/// A stream id, alone: `varint ms, varint seq`.
fn write_id(out: &mut Out, id: StreamId) -> R<()> {
    out.varint(id.ms)?;
    out.varint(id.seq)
}

/// An id of an ascending run: the first absolute, then `varint ms - prev.ms`
/// and `varint seq` (or `seq - prev.seq - 1` when `ms` is the same), so
/// every decoded run is strictly ascending by construction.
fn write_next_id(out: &mut Out, prev: Option<StreamId>, id: StreamId) -> R<()> {
    match prev {
        None => write_id(out, id),
        Some(p) => {
            let dms = id.ms.wrapping_sub(p.ms);
            out.varint(dms)?;
            out.varint(if dms == 0 { id.seq.wrapping_sub(p.seq).wrapping_sub(1) } else { id.seq })
        }
    }
}

fn write_stream(out: &mut Out, st: &Stream) -> R<()> {
    write_id(out, st.last_id)?;
    write_id(out, st.first_id)?;
    write_id(out, st.max_deleted)?;
    out.varint(st.entries_added)?;
    out.varint(st.nodes().count() as u64)?;
    let mut prev = None;
    for items in st.nodes() {
        out.varint(items.len() as u64)?;
        let master = items.first().map_or(&[][..], |m| m.fv.as_slice());
        for (i, it) in items.iter().enumerate() {
            let same = i > 0
                && it.fv.len() == master.len()
                && it.fv.iter().step_by(2).zip(master.iter().step_by(2)).all(|(a, b)| a == b);
            out.byte(if it.is_deleted() { E_DELETED } else { 0 } | if same { E_MASTER_FIELDS } else { 0 })?;
            write_next_id(out, prev, it.id)?;
            prev = Some(it.id);
            if same {
                for v in it.fv.iter().skip(1).step_by(2) {
                    out.bytes(v)?;
                }
            } else {
                out.varint((it.fv.len() / 2) as u64)?;
                for x in &it.fv {
                    out.bytes(x)?;
                }
            }
        }
    }
    out.varint(st.groups.len() as u64)?;
    for (name, g) in &st.groups {
        out.bytes(name)?;
        write_id(out, g.last_id)?;
        out.varint(zigzag(g.entries_read))?;
        out.varint(g.consumers.len() as u64)?;
        for (cname, c) in &g.consumers {
            out.bytes(cname)?;
            out.varint(zigzag(c.seen_time))?;
        }
        out.varint(g.pel.len() as u64)?;
        let mut prev = None;
        let names: Vec<&[u8]> = g.consumers.keys().map(|k| k.as_slice()).collect();
        for (id, nack) in &g.pel {
            write_next_id(out, prev, *id)?;
            prev = Some(*id);
            // The owner by its index among the consumers (names sort bytewise).
            let Ok(owner) = names.binary_search(&nack.consumer.as_slice()) else {
                return Err(SnapshotError::Corrupt { at: out.buf.len(), what: "stream PEL entry owned by no consumer" });
            };
            out.varint(owner as u64)?;
            out.varint(zigzag(nack.delivery_time))?;
            out.varint(nack.delivery_count)?;
        }
    }
    Ok(())
}

/// Encodes every live key of `dbs` as of `now` (keys and hash fields whose
/// time has come are left out).
pub fn encode(dbs: &[Db], now: i64) -> R<Vec<u8>> {
    let mut out = Out::new();
    let guess = dbs.iter().map(|d| d.len()).sum::<usize>().saturating_mul(24).saturating_add(64);
    out.room(guess.min(1 << 26))?;
    out.raw(&MAGIC)?;
    out.raw(&[VERSION, 0])?;
    out.varint(dbs.len() as u64)?;
    out.i64(now)?;
    let mut total = 0u64;
    for (i, db) in dbs.iter().enumerate() {
        if db.is_empty() {
            continue;
        }
        out.byte(OP_DB)?;
        out.varint(i as u64)?;
        out.varint(db.len() as u64)?;
        for i in 0..db.len() {
            // A compact plain string: written straight from its slot (no Entry view,
            // which would copy every such key for the length of the command).
            if let Some((key, bytes)) = db.compact_string(i) {
                out.byte(T_STR)?;
                out.bytes(key)?;
                out.bytes(bytes)?;
                total += 1;
                continue;
            }
            let Some(e) = db.get(i) else { continue };
            if let Some(t) = e.expire() {
                if t <= now {
                    continue;
                }
                // Written first, taken back below when the value is not written.
                out.byte(OP_EXPIRE)?;
                out.i64(t)?;
            }
            let mark = out.buf.len();
            if write_value(&mut out, e.key(), &e.val, now)? {
                total += 1;
            } else {
                out.buf.truncate(mark - if e.expire().is_some() { 9 } else { 0 });
            }
        }
    }
    out.byte(OP_END)?;
    out.raw(&total.to_le_bytes())?;
    let crc = crc32c(&out.buf);
    out.raw(&crc.to_le_bytes())?;
    Ok(out.buf)
}

// ----------------------------------------------------------------- decoder

/// Header facts, readable without decoding the body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Info {
    pub version: u8,
    pub databases: usize,
    pub saved_at: i64,
    pub keys: u64,
}

/// The limits a decoded value is held to (the loading store's config).
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    pub databases: usize,
    pub set_max_intset_entries: usize,
    pub hash_max_listpack_entries: usize,
    pub hash_max_listpack_value: usize,
    pub zset_max_listpack_entries: usize,
    pub zset_max_listpack_value: usize,
}

impl Limits {
    pub fn of(srv: &Server) -> Limits {
        Limits {
            databases: srv.dbs.len(),
            set_max_intset_entries: srv.config.set_max_intset_entries,
            hash_max_listpack_entries: srv.config.hash_max_listpack_entries,
            hash_max_listpack_value: srv.config.hash_max_listpack_value,
            zset_max_listpack_entries: srv.config.zset_max_listpack_entries,
            zset_max_listpack_value: srv.config.zset_max_listpack_value,
        }
    }
}

/// A decoded snapshot, not yet installed.
pub struct Loaded {
    pub dbs: Vec<Db>,
    pub keys: usize,
    /// Keys whose time had come (database, key), in snapshot order.
    pub expired: Vec<(usize, Vec<u8>)>,
    pub saved_at: i64,
}

struct In<'a> {
    b: &'a [u8],
    pos: usize,
    /// Bytes the decoder may still copy beyond what it reads (stream field
    /// names shared with a master entry): a small multiple of the input.
    budget: usize,
}

impl<'a> In<'a> {
    fn corrupt<T>(&self, what: &'static str) -> R<T> {
        Err(SnapshotError::Corrupt { at: self.pos, what })
    }
    fn left(&self) -> usize {
        self.b.len().saturating_sub(self.pos)
    }
    #[inline]
    fn u8(&mut self) -> R<u8> {
        let v = *self.b.get(self.pos).ok_or(SnapshotError::Truncated(self.pos))?;
        self.pos += 1;
        Ok(v)
    }
    #[inline]
    fn varint(&mut self) -> R<u64> {
        let start = self.pos;
        let mut v = 0u64;
        for shift in (0..70).step_by(7) {
            let b = self.u8()?;
            if shift == 63 && b > 1 {
                self.pos = start;
                return self.corrupt("varint overflows 64 bits");
            }
            v |= u64::from(b & 0x7F) << shift;
            if b & 0x80 == 0 {
                return Ok(v);
            }
        }
        self.pos = start;
        self.corrupt("varint longer than 10 bytes")
    }
    fn i64(&mut self) -> R<i64> {
        let end = self.pos.checked_add(8).ok_or(SnapshotError::Truncated(self.pos))?;
        let s = self.b.get(self.pos..end).ok_or(SnapshotError::Truncated(self.pos))?;
        let mut a = [0u8; 8];
        a.copy_from_slice(s);
        self.pos = end;
        Ok(i64::from_le_bytes(a))
    }
    /// A count of elements that take at least `min` bytes each.
    fn count(&mut self, min: usize) -> R<usize> {
        let at = self.pos;
        let n = self.varint()?;
        if n > (self.left() / min.max(1)) as u64 {
            return Err(SnapshotError::Truncated(at));
        }
        Ok(n as usize)
    }
    #[inline]
    fn bytes(&mut self) -> R<&'a [u8]> {
        let at = self.pos;
        let n = self.varint()?;
        let s = usize::try_from(n)
            .ok()
            .and_then(|n| self.b.get(self.pos..self.pos.checked_add(n)?))
            .ok_or(SnapshotError::Truncated(at))?;
        self.pos += s.len();
        Ok(s)
    }
}

fn vec_of(b: &[u8]) -> R<Vec<u8>> {
    let mut v = Vec::new();
    v.try_reserve_exact(b.len()).map_err(|_| SnapshotError::OutOfMemory)?;
    v.extend_from_slice(b);
    Ok(v)
}

fn reserve<T>(v: &mut Vec<T>, n: usize) -> R<()> {
    v.try_reserve(n).map_err(|_| SnapshotError::OutOfMemory)
}

/// Checks magic, version, flags, size and checksum; returns the header, the
/// body (all but the checksum) and the position of the first record in it.
fn open(b: &[u8]) -> R<(Info, &[u8], usize)> {
    if b.len() > MAX_BYTES {
        return Err(SnapshotError::TooLarge(b.len()));
    }
    if b.first_chunk::<4>().is_some_and(|m| *m != MAGIC) {
        return Err(SnapshotError::BadMagic);
    }
    let (Some(&[_, _, _, _, version, flags]), Some((body, crc)), true) =
        (b.first_chunk::<6>(), b.split_last_chunk::<4>(), b.len() >= MIN_BYTES)
    else {
        return Err(SnapshotError::TooShort(b.len()));
    };
    if !(MIN_VERSION..=VERSION).contains(&version) {
        return Err(SnapshotError::Version(version));
    }
    if flags != 0 {
        return Err(SnapshotError::Flags(flags));
    }
    let stored = u32::from_le_bytes(*crc);
    let computed = crc32c(body);
    if stored != computed {
        return Err(SnapshotError::Checksum { stored, computed });
    }
    let mut r = In { b: body, pos: 6, budget: 0 };
    let databases = r.varint()?;
    if databases == 0 || databases > 1 << 16 {
        return r.corrupt("database count out of range");
    }
    let saved_at = r.i64()?;
    // MIN_BYTES: the body ends with the end marker's u64 key count.
    let keys = body.last_chunk::<8>().map_or(0, |k| u64::from_le_bytes(*k));
    Ok((Info { version, databases: databases as usize, saved_at, keys }, body, r.pos))
}

/// Header facts of a snapshot (checks magic, version and checksum, not the body).
pub fn info(b: &[u8]) -> R<Info> {
    open(b).map(|(i, _, _)| i)
}

/// Decodes a snapshot into new databases. Keys that expired by `now` are left
/// out and listed; `lru` is the access clock given to every loaded key.
pub fn decode(b: &[u8], lim: &Limits, now: i64, lru: u32) -> R<Loaded> {
    let (info, body, start) = open(b)?;
    let mut r = In { b: body, pos: start, budget: body.len().saturating_mul(64).max(1 << 20) };
    let mut dbs: Vec<Db> = Vec::new();
    reserve(&mut dbs, lim.databases)?;
    dbs.resize_with(lim.databases, Db::new);
    let mut cur: Option<usize> = None;
    let mut seen_db = vec![false; lim.databases];
    let mut expire: Option<i64> = None;
    let mut keys = 0usize;
    let mut total = 0u64;
    let mut expired = Vec::new();
    loop {
        let at = r.pos;
        let op = r.u8()?;
        match op {
            OP_END => {
                if expire.is_some() {
                    return Err(SnapshotError::Corrupt { at, what: "expiry without a key" });
                }
                let n = r.i64()? as u64;
                if n != total {
                    return Err(SnapshotError::Corrupt { at, what: "key total does not match the keys" });
                }
                if r.pos != body.len() {
                    return r.corrupt("bytes after the end marker");
                }
                for db in &mut dbs {
                    db.end_bulk().map_err(|e| match e {
                        BulkError::Duplicate(_) => SnapshotError::Corrupt { at, what: "duplicate key" },
                        BulkError::OutOfMemory => SnapshotError::OutOfMemory,
                    })?;
                }
                break;
            }
            OP_DB => {
                if expire.is_some() {
                    return Err(SnapshotError::Corrupt { at, what: "expiry without a key" });
                }
                let i = r.varint()?;
                let hint = r.varint()?;
                if i >= info.databases as u64 {
                    return Err(SnapshotError::Corrupt { at, what: "database index beyond the header's count" });
                }
                let i = i as usize; // below the header's count, at most 2^16
                let (Some(db), Some(seen)) = (dbs.get_mut(i), seen_db.get_mut(i)) else {
                    return Err(SnapshotError::Databases { index: i, have: lim.databases });
                };
                if std::mem::replace(seen, true) {
                    return Err(SnapshotError::Corrupt { at, what: "database listed twice" });
                }
                cur = Some(i);
                // Untrusted: at most one key per 3 bytes left, and only if memory
                // allows. Keys go in without the index, built (and checked for
                // duplicates) at the end.
                db.begin_bulk(usize::try_from(hint).unwrap_or(usize::MAX).min(r.left() / 3));
            }
            OP_EXPIRE => {
                if expire.is_some() {
                    return Err(SnapshotError::Corrupt { at, what: "two expiry records in a row" });
                }
                expire = Some(r.i64()?);
            }
            tag => {
                let Some(dbi) = cur else {
                    return Err(SnapshotError::Corrupt { at, what: "key before any database record" });
                };
                let key = r.bytes()?;
                total += 1;
                let exp = expire.take();
                // `cur` is only set to an index `dbs` has (OP_DB above).
                let Some(db) = dbs.get_mut(dbi) else {
                    return Err(SnapshotError::Corrupt { at, what: "key before any database record" });
                };
                let h = db.key_hash(key);
                // The common case, a plain string without a TTL: straight into a
                // compact slot (one allocation for key and value, no Value).
                let val = if tag == T_STR && exp.is_none() {
                    let b = r.bytes()?;
                    if db.try_insert_compact(key, h, b, lru).map_err(|_| SnapshotError::OutOfMemory)? {
                        keys += 1;
                        continue;
                    }
                    Some(Value::Str(vec_of(b)?))
                } else {
                    read_value(&mut r, tag, at, lim, now)?
                };
                match val {
                    Some(v) if exp.is_none_or(|t| t > now) => {
                        db.insert_hashed(key, h, v, exp, lru);
                        keys += 1;
                    }
                    _ => {
                        reserve(&mut expired, 1)?;
                        expired.push((dbi, vec_of(key)?));
                    }
                }
            }
        }
    }
    Ok(Loaded { dbs, keys, expired, saved_at: info.saved_at })
}

/// Reads one value's payload. `None`: a hash all of whose fields expired.
fn read_value(r: &mut In, tag: u8, at: usize, lim: &Limits, now: i64) -> R<Option<Value>> {
    let v = match tag {
        T_STR | T_RAW => {
            let b = vec_of(r.bytes()?)?;
            if tag == T_RAW {
                Value::Raw(b)
            } else {
                Value::Str(b)
            }
        }
        T_INT => Value::Int(unzigzag(r.varint()?)),
        T_SET_INTS => {
            let n = r.count(1)?;
            if n == 0 {
                return r.corrupt("empty set");
            }
            let mut v: Vec<i64> = Vec::new();
            reserve(&mut v, n)?;
            let mut prev = unzigzag(r.varint()?);
            v.push(prev);
            for _ in 1..n {
                let gap = r.varint()?;
                if gap == 0 {
                    return r.corrupt("intset not strictly ascending");
                }
                let next = i128::from(prev) + i128::from(gap);
                let Ok(next) = i64::try_from(next) else {
                    return r.corrupt("intset member out of range");
                };
                v.push(next);
                prev = next;
            }
            if v.len() > lim.set_max_intset_entries {
                let mut m = IndexMap::try_with_capacity(v.len()).ok_or(SnapshotError::OutOfMemory)?;
                for n in v {
                    m.insert(n.to_string().as_bytes(), ());
                }
                Value::Set(Box::new(Set::Hash(m)))
            } else {
                Value::Set(Box::new(Set::Ints(v)))
            }
        }
        T_SET_HASH => {
            let n = r.count(1)?;
            if n == 0 {
                return r.corrupt("empty set");
            }
            let mut m = IndexMap::try_with_capacity(n).ok_or(SnapshotError::OutOfMemory)?;
            for _ in 0..n {
                if m.insert(r.bytes()?, ()).is_some() {
                    return r.corrupt("duplicate set member");
                }
            }
            Value::Set(Box::new(Set::Hash(m)))
        }
        T_HASH_LIST => {
            let n = r.count(2)?;
            if n == 0 {
                return r.corrupt("empty hash");
            }
            let mut v: Vec<(Vec<u8>, Vec<u8>)> = Vec::new();
            reserve(&mut v, n)?;
            let mut too_long = false;
            for _ in 0..n {
                let f = vec_of(r.bytes()?)?;
                let x = vec_of(r.bytes()?)?;
                too_long |= f.len() > lim.hash_max_listpack_value || x.len() > lim.hash_max_listpack_value;
                v.push((f, x));
            }
            let dup = if n <= 32 {
                v.iter().enumerate().any(|(i, (f, _))| v.iter().take(i).any(|(g, _)| g == f))
            } else {
                let mut seen: HashSet<&[u8]> = HashSet::new();
                seen.try_reserve(n).map_err(|_| SnapshotError::OutOfMemory)?;
                !v.iter().all(|(f, _)| seen.insert(f))
            };
            if dup {
                return r.corrupt("duplicate hash field");
            }
            let mut h = Hash::List(v);
            if n > lim.hash_max_listpack_entries || too_long {
                h.to_table();
            }
            Value::Hash(Box::new(h))
        }
        T_HASH_TABLE => {
            let n = r.count(3)?;
            if n == 0 {
                return r.corrupt("empty hash");
            }
            let mut map = IndexMap::try_with_capacity(n).ok_or(SnapshotError::OutOfMemory)?;
            let mut next = i64::MAX;
            for _ in 0..n {
                let f = r.bytes()?;
                let val = r.bytes()?;
                let e = r.varint()?;
                let Ok(expire) = i64::try_from(e) else {
                    return r.corrupt("field expiry out of range");
                };
                if map.contains(f) {
                    return r.corrupt("duplicate hash field");
                }
                if expire != 0 && expire <= now {
                    continue;
                }
                if expire != 0 {
                    next = next.min(expire);
                }
                map.insert(f, Field { val: vec_of(val)?, expire });
            }
            if map.is_empty() {
                return Ok(None);
            }
            Value::Hash(Box::new(Hash::Table { map, next_expire: next }))
        }
        T_ZSET_LISTPACK | T_ZSET_SKIPLIST => {
            let n = r.count(9)?;
            if n == 0 {
                return r.corrupt("empty sorted set");
            }
            let mut listpack = tag == T_ZSET_LISTPACK && n <= lim.zset_max_listpack_entries;
            let mut z = ZSet::new(listpack);
            z.try_reserve(n);
            for _ in 0..n {
                let m = r.bytes()?;
                let score = f64::from_le_bytes(r.i64()?.to_le_bytes());
                if score.is_nan() {
                    return r.corrupt("sorted set score is NaN");
                }
                if z.score(m).is_some() {
                    return r.corrupt("duplicate sorted set member");
                }
                if listpack && m.len() > lim.zset_max_listpack_value {
                    listpack = false;
                    z.set_listpack(false);
                }
                z.insert(m, score);
            }
            Value::ZSet(Box::new(z))
        }
        T_LIST => {
            let n = r.count(1)?;
            if n == 0 {
                return r.corrupt("empty list");
            }
            let mut l = List::new();
            l.try_reserve(n);
            for _ in 0..n {
                l.push(End::Right, vec_of(r.bytes()?)?);
            }
            Value::List(Box::new(l))
        }
        T_STREAM => Value::Stream(Box::new(read_stream(r)?)),
        _ => return Err(SnapshotError::Corrupt { at, what: "unknown type tag" }),
    };
    Ok(Some(v))
}

fn read_id(r: &mut In) -> R<StreamId> {
    Ok(StreamId::new(r.varint()?, r.varint()?))
}

/// The next id of an ascending run (see `write_next_id`).
fn read_next_id(r: &mut In, prev: Option<StreamId>) -> R<StreamId> {
    let Some(p) = prev else { return read_id(r) };
    let dms = r.varint()?;
    let s = r.varint()?;
    let id = if dms == 0 { p.seq.checked_add(s).and_then(|x| x.checked_add(1)).map(|seq| StreamId::new(p.ms, seq)) } else { p.ms.checked_add(dms).map(|ms| StreamId::new(ms, s)) };
    match id {
        Some(id) => Ok(id),
        None => r.corrupt("stream id out of range"),
    }
}

fn read_stream(r: &mut In) -> R<Stream> {
    let mut st = Stream::new();
    let last_id = read_id(r)?;
    let first_id = read_id(r)?;
    let max_deleted = read_id(r)?;
    let entries_added = r.varint()?;
    // A node takes at least 4 bytes (count, flags, 2-byte id), an entry 3, a field 2.
    let nodes = r.count(4)?;
    let mut prev = None;
    for _ in 0..nodes {
        let n = r.count(3)?;
        if n == 0 {
            return r.corrupt("empty stream node");
        }
        let mut items: Vec<Item> = Vec::new();
        reserve(&mut items, n)?;
        for i in 0..n {
            let flags = r.u8()?;
            if flags & !(E_DELETED | E_MASTER_FIELDS) != 0 || (i == 0 && flags & E_MASTER_FIELDS != 0) {
                return r.corrupt("bad stream entry flags");
            }
            let id = read_next_id(r, prev)?;
            prev = Some(id);
            let mut fv: Vec<Vec<u8>> = Vec::new();
            if flags & E_MASTER_FIELDS != 0 {
                let master = items.first().map_or(&[][..], |m| m.fv.as_slice());
                // Field names shared with the master entry are copied: bound the
                // copies by the input's size, so a few bytes cannot ask for gigabytes.
                let Some(left) = r.budget.checked_sub(master.iter().step_by(2).map(|f| f.len()).sum::<usize>()) else {
                    return r.corrupt("stream fields repeat beyond any real stream's size");
                };
                r.budget = left;
                reserve(&mut fv, master.len())?;
                for f in master.iter().step_by(2) {
                    fv.push(vec_of(f)?);
                    fv.push(vec_of(r.bytes()?)?);
                }
            } else {
                let nf = r.count(2)?;
                if nf == 0 {
                    return r.corrupt("stream entry without fields");
                }
                reserve(&mut fv, nf * 2)?;
                for _ in 0..nf * 2 {
                    fv.push(vec_of(r.bytes()?)?);
                }
            }
            items.push(Item::loaded(id, fv, flags & E_DELETED != 0));
        }
        st.load_node(items);
    }
    if prev.is_some_and(|p| p > last_id) {
        return r.corrupt("stream entry above the last id");
    }
    if st.length > entries_added {
        return r.corrupt("stream holds more entries than were added");
    }
    st.last_id = last_id;
    st.first_id = first_id;
    st.max_deleted = max_deleted;
    st.entries_added = entries_added;
    let groups = r.count(6)?;
    for _ in 0..groups {
        let name = r.bytes()?;
        let last = read_id(r)?;
        let entries_read = unzigzag(r.varint()?);
        let mut g = Group { last_id: last, entries_read, pel: BTreeMap::new(), consumers: BTreeMap::new() };
        let nc = r.count(2)?;
        let mut names: Vec<&[u8]> = Vec::new();
        reserve(&mut names, nc)?;
        for _ in 0..nc {
            let cname = r.bytes()?;
            let seen_time = unzigzag(r.varint()?);
            if names.last().is_some_and(|p| *p >= cname) {
                return r.corrupt("stream consumers not in order");
            }
            names.push(cname);
            g.consumers.insert(vec_of(cname)?, Consumer { seen_time, pel: Default::default() });
        }
        let np = r.count(4)?;
        let mut prev = None;
        for _ in 0..np {
            let id = read_next_id(r, prev)?;
            prev = Some(id);
            let owner = r.varint()?;
            let delivery_time = unzigzag(r.varint()?);
            let delivery_count = r.varint()?;
            let Some(cname) = usize::try_from(owner).ok().and_then(|i| names.get(i)) else {
                return r.corrupt("stream PEL entry owned by no consumer");
            };
            if let Some(c) = g.consumers.get_mut(*cname) {
                c.pel.insert(id);
            }
            g.pel.insert(id, Nack { consumer: vec_of(cname)?, delivery_time, delivery_count });
        }
        if st.groups.insert(vec_of(name)?, g).is_some() {
            return r.corrupt("duplicate stream consumer group");
        }
    }
    Ok(st)
}

// ----------------------------------------------------------------- changes

/// Modification counter and (when tracking) the keys changed since the last
/// save. Fed by `Server::signal_modified_key` and `touch_all_watched_in_db`.
#[derive(Default)]
pub struct Changes {
    /// Modifications ever signalled (never reset; JS polls it to debounce saves).
    pub count: u64,
    tracking: bool,
    keys: HashSet<(usize, Box<[u8]>)>,
    /// Databases emptied or swapped wholesale (FLUSHDB, FLUSHALL, SWAPDB, restore).
    whole: HashSet<usize>,
    /// What the save in progress carries, until it commits or fails.
    inflight_keys: HashSet<(usize, Box<[u8]>)>,
    inflight_whole: HashSet<usize>,
}

impl Changes {
    #[inline]
    pub fn key(&mut self, dbi: usize, key: &[u8]) {
        self.count += 1;
        if self.tracking && !self.whole.contains(&dbi) {
            self.keys.insert((dbi, key.into()));
        }
    }
    pub fn db(&mut self, dbi: usize) {
        self.count += 1;
        if self.tracking {
            self.whole.insert(dbi);
            self.keys.retain(|(d, _)| *d != dbi);
        }
    }
    /// Starts or stops remembering changed keys; either way forgets those
    /// remembered so far (called right after a load: nothing is pending).
    pub fn track(&mut self, on: bool) {
        self.tracking = on;
        self.clear();
    }
    pub fn clear(&mut self) {
        self.keys.clear();
        self.whole.clear();
        self.inflight_keys.clear();
        self.inflight_whole.clear();
    }
    /// Keys changed and not yet saved (including a save in flight).
    pub fn pending(&self) -> usize {
        self.keys.len() + self.whole.len() + self.inflight_keys.len() + self.inflight_whole.len()
    }
    /// A save took a snapshot: what changed so far travels with it.
    pub fn begin_save(&mut self) {
        self.inflight_keys.extend(self.keys.drain());
        self.inflight_whole.extend(self.whole.drain());
    }
    /// The save committed (`ok`) or failed (its changes are pending again).
    pub fn end_save(&mut self, ok: bool) {
        if ok {
            self.inflight_keys.clear();
            self.inflight_whole.clear();
        } else {
            let whole: Vec<usize> = self.inflight_whole.drain().collect();
            for d in whole {
                self.db(d);
                self.count -= 1;
            }
            let keys: Vec<_> = self.inflight_keys.drain().collect();
            for (d, k) in keys {
                if !self.whole.contains(&d) {
                    self.keys.insert((d, k));
                }
            }
        }
    }
    fn dirty_whole(&self, dbi: usize) -> bool {
        self.whole.contains(&dbi) || self.inflight_whole.contains(&dbi)
    }
    fn dirty_keys(&self) -> impl Iterator<Item = &(usize, Box<[u8]>)> {
        self.keys.iter().chain(self.inflight_keys.iter())
    }
}

// ------------------------------------------------------------------ server

/// A pending key's value, expiry and access field, carried into a merge.
type Kept = (Value, Option<i64>, u32);

/// The result of installing a snapshot.
#[derive(Debug, Default)]
pub struct Restored {
    /// Keys in the store afterwards.
    pub keys: usize,
    pub expired: Vec<(usize, Vec<u8>)>,
    /// Keys evicted right after loading to get under `maxmemory`.
    pub evicted: u64,
}

impl Server {
    /// The access field a loaded key gets (as a newly created key would).
    fn load_lru(&self, now: i64) -> u32 {
        if self.config.maxmemory_policy.is_lfu() {
            crate::cmd::keys::lfu_init(now)
        } else {
            ((now.max(0) / 1000) & 0xFF_FFFF) as u32 // as Ctx::lru_clock
        }
    }

    /// The whole keyspace as snapshot bytes.
    pub fn snapshot(&self) -> Result<Vec<u8>, SnapshotError> {
        encode(&self.dbs, self.now_ms())
    }

    /// Replaces the whole keyspace with a snapshot's, or changes nothing when
    /// the snapshot is refused. Keys that expired meanwhile are left out,
    /// queued as `expired` keyspace events and listed in the result.
    pub fn restore_snapshot(&mut self, bytes: &[u8]) -> Result<Restored, SnapshotError> {
        let now = self.now_ms();
        let loaded = decode(bytes, &Limits::of(self), now, self.load_lru(now))?;
        let mut dbs = loaded.dbs;
        self.check_maxmemory(dbs.iter().map(|d| d.footprint()))?;
        for (i, new) in dbs.iter_mut().enumerate() {
            self.install_db(i, new, now);
        }
        Ok(self.after_load(loaded.expired, now))
    }

    /// Under `noeviction`, refuses data (the databases' footprints after the
    /// load) that would not fit in `maxmemory`. Other policies evict after
    /// loading instead (`after_load`).
    fn check_maxmemory(&self, footprints: impl Iterator<Item = usize>) -> Result<(), SnapshotError> {
        let max = self.config.maxmemory;
        if max == 0 || self.config.maxmemory_policy != crate::config::Policy::NoEviction {
            return Ok(());
        }
        let current: usize = self.dbs.iter().map(|d| d.footprint()).sum();
        let need = self.used_memory().saturating_sub(current).saturating_add(footprints.sum());
        if need as u64 > max {
            return Err(SnapshotError::OverMaxmemory { need, max });
        }
        Ok(())
    }

    /// Loads a snapshot written by another holder of the same persisted name
    /// and keeps this store's unsaved changes on top of it, key by key (last
    /// writer wins per key; a database flushed or swapped here is kept whole).
    /// Unlike a restore, the tracked changes stay pending.
    pub fn merge_snapshot(&mut self, bytes: &[u8]) -> Result<Restored, SnapshotError> {
        let now = self.now_ms();
        let loaded = decode(bytes, &Limits::of(self), now, self.load_lru(now))?;
        let mut dbs = loaded.dbs;
        // Copy our pending keys into the incoming data (fallibly: the merge is
        // all-or-nothing too, so clone first and install after).
        let mut ours: Vec<(usize, Box<[u8]>, Option<Kept>)> = Vec::new();
        for (d, k) in self.changes.dirty_keys() {
            // `dbs` has one database per store database (`Limits::of`).
            let Some(db) = self.dbs.get(*d).filter(|_| *d < dbs.len() && !self.changes.dirty_whole(*d)) else {
                continue;
            };
            let entry = db.find(k).map(|i| {
                let e = db.entry(i);
                (e.val.clone(), e.expire(), e.lru)
            });
            reserve(&mut ours, 1)?;
            ours.push((*d, k.clone(), entry));
        }
        let mut expired = loaded.expired;
        // (our keys' expiries in the incoming data are dropped in one pass)
        if !ours.is_empty() && !expired.is_empty() {
            let mut mine: hashbrown::HashSet<(usize, &[u8])> = hashbrown::HashSet::new();
            mine.try_reserve(ours.len()).map_err(|_| SnapshotError::OutOfMemory)?;
            mine.extend(ours.iter().map(|(d, k, _)| (*d, &**k)));
            expired.retain(|(ed, ek)| !mine.contains(&(*ed, ek.as_slice())));
        }
        for (d, k, entry) in ours {
            let Some(db) = dbs.get_mut(d) else { continue }; // checked above
            db.remove(&k);
            if let Some((val, exp, lru)) = entry {
                db.insert(&k, val, exp, lru);
            }
        }
        // (`dbs` and `self.dbs` have the same length: `Limits::of`.)
        self.check_maxmemory(dbs.iter().zip(&self.dbs).enumerate().map(|(i, (d, mine))| {
            if self.changes.dirty_whole(i) {
                mine.footprint()
            } else {
                d.footprint()
            }
        }))?;
        // Installing signals WATCHers through the change hooks: keep those
        // signals out of the pending changes (the merged data is not ours).
        let saved = std::mem::take(&mut self.changes);
        for (i, new) in dbs.iter_mut().enumerate() {
            if !saved.dirty_whole(i) {
                self.install_db(i, new, now);
            }
        }
        self.changes = saved;
        Ok(self.after_load(expired, now))
    }

    /// Swaps database `i` for `new`, signalling WATCHers of keys in either.
    /// (`i` comes from a decode for this store: one database per store database.)
    fn install_db(&mut self, i: usize, new: &mut Db, now: i64) {
        if i >= self.dbs.len() {
            return;
        }
        self.touch_all_watched_in_db(i, None, now);
        if let Some(db) = self.dbs.get_mut(i) {
            Db::swap(db, new);
        }
        self.touch_all_watched_in_db(i, None, now);
    }

    fn after_load(&mut self, expired: Vec<(usize, Vec<u8>)>, now: i64) -> Restored {
        self.check_fences(); // geofences on the keys that came or went
        for (d, k) in &expired {
            self.stats.expired_keys += 1;
            self.notify(crate::notify::EXPIRED, "expired", *d, k);
        }
        // Over maxmemory: evict by the policy, as Redis does after loading an
        // RDB (noeviction refused the load up front in `check_maxmemory`).
        let before = self.stats.evicted_keys;
        self.perform_evictions(0, None, now);
        let evicted = self.stats.evicted_keys.saturating_sub(before);
        // Lists that arrived may answer blocked pops (BLPOP & co.).
        if !self.blocking.is_empty() {
            self.serve_ready();
        }
        Restored { keys: self.total_keys(), expired, evicted }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc32c_vectors() {
        assert_eq!(crc32c(b""), 0);
        assert_eq!(crc32c(b"123456789"), 0xE306_9283);
        let long: Vec<u8> = (0..1000u32).map(|i| (i * 7) as u8).collect();
        let mut bytewise = !0u32;
        for &b in &long {
            bytewise ^= b as u32;
            for _ in 0..8 {
                bytewise = if bytewise & 1 != 0 { (bytewise >> 1) ^ 0x82F6_3B78 } else { bytewise >> 1 };
            }
        }
        assert_eq!(crc32c(&long), !bytewise);
    }

    #[test]
    fn zigzag_round_trips() {
        for n in [0, 1, -1, 63, -64, i64::MAX, i64::MIN] {
            assert_eq!(unzigzag(zigzag(n)), n);
        }
    }

    #[test]
    fn empty_store_is_small() {
        let dbs: Vec<Db> = (0..16).map(|_| Db::new()).collect();
        let b = encode(&dbs, 1_700_000_000_000).unwrap();
        assert_eq!(b.len(), MIN_BYTES);
        let i = info(&b).unwrap();
        assert_eq!((i.databases, i.keys, i.saved_at), (16, 0, 1_700_000_000_000));
    }
}
