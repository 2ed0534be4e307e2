//! Streams as Redis 7.0 lays them out: a sorted map of *nodes* (Redis's radix
//! tree of listpacks), each holding a run of entries after a *master entry*.
//!
//! Why model nodes at all: approximate trimming (`MAXLEN ~`, `MINID ~`) and
//! `LIMIT` remove whole nodes only, and `XINFO STREAM` reports the number of
//! nodes (`radix-tree-keys`) and of radix-tree nodes (`radix-tree-nodes`). So a
//! node here starts and fills exactly when Redis's would: a new node is opened
//! when the tail node holds `stream-node-max-entries` entries (live + deleted)
//! or when its listpack size plus the new fields' and values' lengths reaches
//! `stream-node-max-bytes`. The listpack size is computed from Redis's
//! encoding rules (`lp_*` below) without building the bytes.
//!
//! Deleting (XDEL, exact trimming) only flags an entry, as Redis does: it still
//! counts toward its node's size and entry limit; a node goes away when its
//! last live entry is deleted (XDEL) or when trimming drops it whole.
//!
//! Consumer groups keep their pending entries (PEL) in a map by id, and each
//! consumer the set of ids it owns; names sort bytewise, as rax keys do.
#![deny(clippy::indexing_slicing)]

use std::collections::{BTreeMap, BTreeSet};

/// A stream entry id: milliseconds and sequence.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct StreamId {
    pub ms: u64,
    pub seq: u64,
}

impl StreamId {
    pub const MIN: StreamId = StreamId { ms: 0, seq: 0 };
    pub const MAX: StreamId = StreamId { ms: u64::MAX, seq: u64::MAX };
    pub const fn new(ms: u64, seq: u64) -> StreamId {
        StreamId { ms, seq }
    }
    /// `streamIncrID`: the next id, `None` past the maximum.
    pub fn incr(self) -> Option<StreamId> {
        if self.seq == u64::MAX {
            if self.ms == u64::MAX {
                None
            } else {
                Some(StreamId::new(self.ms + 1, 0))
            }
        } else {
            Some(StreamId::new(self.ms, self.seq + 1))
        }
    }
    /// `streamDecrID`: the previous id, `None` before 0-0.
    pub fn decr(self) -> Option<StreamId> {
        if self.seq == 0 {
            if self.ms == 0 {
                None
            } else {
                Some(StreamId::new(self.ms - 1, u64::MAX))
            }
        } else {
            Some(StreamId::new(self.ms, self.seq - 1))
        }
    }
    pub fn is_zero(self) -> bool {
        self.ms == 0 && self.seq == 0
    }
    /// `<ms>-<seq>`.
    pub fn to_bytes(self) -> Vec<u8> {
        format!("{}-{}", self.ms, self.seq).into_bytes()
    }
    fn key(self) -> [u8; 16] {
        let mut k = [0u8; 16];
        k[..8].copy_from_slice(&self.ms.to_be_bytes());
        k[8..].copy_from_slice(&self.seq.to_be_bytes());
        k
    }
}

/// One entry: its id, its fields and values (`[f1, v1, f2, v2, ...]`).
#[derive(Clone, Debug, PartialEq)]
pub struct Item {
    pub id: StreamId,
    pub fv: Vec<Vec<u8>>,
    deleted: bool,
    /// Bytes this entry takes in its node's listpack.
    lp_bytes: u32,
}

#[derive(Clone, Debug, PartialEq)]
struct Node {
    master_fields: Vec<Vec<u8>>,
    items: Vec<Item>,
    live: u64,
    deleted: u64,
    items_bytes: usize,
}

impl Node {
    /// `lpBytes` of this node's listpack.
    fn lp_bytes(&self) -> usize {
        LP_HDR
            + lp_int(self.live as i64)
            + lp_int(self.deleted as i64)
            + lp_int(self.master_fields.len() as i64)
            + self.master_fields.iter().map(|f| lp_str(f)).sum::<usize>()
            + lp_int(0)
            + self.items_bytes
    }
}

/// A pending entry of a group.
#[derive(Clone, Debug, PartialEq)]
pub struct Nack {
    /// Owner's name.
    pub consumer: Vec<u8>,
    pub delivery_time: i64,
    pub delivery_count: u64,
}

#[derive(Clone, Debug, PartialEq, Default)]
pub struct Consumer {
    pub seen_time: i64,
    pub pel: BTreeSet<StreamId>,
}

/// A consumer group.
#[derive(Clone, Debug, PartialEq)]
pub struct Group {
    pub last_id: StreamId,
    /// `SCG_INVALID_ENTRIES_READ` is -1.
    pub entries_read: i64,
    pub pel: BTreeMap<StreamId, Nack>,
    pub consumers: BTreeMap<Vec<u8>, Consumer>,
}

pub const INVALID_ENTRIES_READ: i64 = -1;

#[derive(Clone, Debug, PartialEq, Default)]
pub struct Stream {
    nodes: BTreeMap<StreamId, Node>,
    pub length: u64,
    pub last_id: StreamId,
    pub first_id: StreamId,
    pub max_deleted: StreamId,
    pub entries_added: u64,
    pub groups: BTreeMap<Vec<u8>, Group>,
    /// Σ listpack bytes of the nodes plus a per-node overhead (kept up to date,
    /// so memory accounting after each write stays O(1) in the entries).
    node_bytes: usize,
}

/// Per-node bytes beyond its listpack (rax key and node) for memory accounting.
const NODE_OVERHEAD: usize = 64;

/// Trimming request (`streamAddTrimArgs`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Trim {
    None,
    MaxLen(u64),
    MinId(StreamId),
}

/// Node limits (`stream-node-max-bytes`, `stream-node-max-entries`).
#[derive(Clone, Copy, Debug)]
pub struct NodeLimits {
    pub max_bytes: u64,
    pub max_entries: i64,
}

/// The largest listpack a stream node may hold (`STREAM_LISTPACK_MAX_SIZE`).
pub const LISTPACK_MAX: u64 = 1 << 30;

// ---- listpack sizes (listpack.c) ----

const LP_HDR: usize = 7; // 6-byte header + end byte

fn lp_backlen(l: usize) -> usize {
    match l {
        0..=127 => 1,
        128..=16382 => 2,
        16383..=2097150 => 3,
        2097151..=268435454 => 4,
        _ => 5,
    }
}

/// Bytes of an integer element.
pub fn lp_int(v: i64) -> usize {
    let enc = match v {
        0..=127 => 1,
        -4096..=4095 => 2,
        -32768..=32767 => 3,
        -8388608..=8388607 => 4,
        -2147483648..=2147483647 => 5,
        _ => 9,
    };
    enc + lp_backlen(enc)
}

/// Bytes of a string element (stored as an integer when it reads as one).
pub fn lp_str(s: &[u8]) -> usize {
    // lpStringToInt64 reads integers as string2ll does
    if let Some(v) = crate::num::parse_i64(s) {
        return lp_int(v);
    }
    let n = s.len();
    let enc = if n < 64 {
        1 + n
    } else if n < 4096 {
        2 + n
    } else {
        5 + n
    };
    enc + lp_backlen(enc)
}

impl Stream {
    pub fn new() -> Stream {
        Stream::default()
    }

    /// Number of nodes (`radix-tree-keys`).
    pub fn node_count(&self) -> usize {
        self.nodes.len()
    }

    /// Nodes of Redis's radix tree holding the node keys (`radix-tree-nodes`):
    /// the shape of a compressed trie of the 16-byte big-endian master ids.
    pub fn rax_nodes(&self) -> usize {
        let keys: Vec<[u8; 16]> = self.nodes.keys().map(|k| k.key()).collect();
        if keys.is_empty() {
            return 1;
        }
        rax_count(&keys, 0)
    }

    /// Appends an entry (`streamAppendItem`) with the id already decided and
    /// checked to be greater than `last_id`.
    pub fn append(&mut self, id: StreamId, fv: &[&[u8]], limits: NodeLimits) {
        let tot: u64 = fv.iter().map(|x| x.len() as u64).sum();
        let max_bytes = if limits.max_bytes == 0 || limits.max_bytes > LISTPACK_MAX {
            LISTPACK_MAX
        } else {
            limits.max_bytes
        };
        let mut new_node = true;
        if let Some((_, tail)) = self.nodes.iter().next_back() {
            new_node = (tail.lp_bytes() as u64).saturating_add(tot) >= max_bytes
                || (limits.max_entries != 0 && (tail.live + tail.deleted) as i64 >= limits.max_entries);
        }
        if new_node {
            let node = Node {
                master_fields: fv.iter().step_by(2).map(|f| f.to_vec()).collect(),
                items: Vec::new(),
                live: 0,
                deleted: 0,
                items_bytes: 0,
            };
            self.node_bytes += node.lp_bytes() + NODE_OVERHEAD;
            self.nodes.insert(id, node);
        }
        let Some((master, node)) = self.nodes.iter_mut().next_back() else { return };
        let bytes = entry_lp_bytes(*master, &node.master_fields, id, fv);
        node.items.push(Item { id, fv: fv.iter().map(|x| x.to_vec()).collect(), deleted: false, lp_bytes: bytes as u32 });
        node.items_bytes += bytes;
        self.node_bytes += bytes;
        node.live += 1;
        self.length += 1;
        self.entries_added = self.entries_added.wrapping_add(1);
        self.last_id = id;
        if self.length == 1 {
            self.first_id = id;
        }
    }

    /// Live entries with `start <= id <= end`, in order (reversed when `rev`),
    /// at most `count` of them (0 = all).
    pub fn range(&self, start: StreamId, end: StreamId, rev: bool, count: usize) -> Vec<&Item> {
        let mut out = Vec::new();
        if start > end {
            return out;
        }
        let full = |out: &Vec<&Item>| count != 0 && out.len() >= count;
        if !rev {
            let first = self.nodes.range(..=start).next_back().map(|(k, _)| *k).unwrap_or(start);
            'outer: for node in self.nodes.range(first..).map(|(_, n)| n) {
                let from = node.items.partition_point(|it| it.id < start);
                for it in node.items.get(from..).unwrap_or(&[]) {
                    if it.id > end {
                        break 'outer;
                    }
                    if !it.deleted {
                        out.push(it);
                        if full(&out) {
                            break 'outer;
                        }
                    }
                }
            }
        } else {
            'outer2: for node in self.nodes.range(..=end).rev().map(|(_, n)| n) {
                let to = node.items.partition_point(|it| it.id <= end);
                for it in node.items.get(..to).unwrap_or(&[]).iter().rev() {
                    if it.id < start {
                        break 'outer2;
                    }
                    if !it.deleted {
                        out.push(it);
                        if full(&out) {
                            break 'outer2;
                        }
                    }
                }
            }
        }
        out
    }

    /// The live entry `id`, if any.
    pub fn get(&self, id: StreamId) -> Option<&Item> {
        let (_, node) = self.nodes.range(..=id).next_back()?;
        let i = node.items.binary_search_by(|it| it.id.cmp(&id)).ok()?;
        node.items.get(i).filter(|it| !it.deleted)
    }

    /// Last live id (`streamLastValidID`), `None` when empty.
    pub fn last_valid_id(&self) -> Option<StreamId> {
        self.range(StreamId::MIN, StreamId::MAX, true, 1).first().map(|it| it.id)
    }

    /// First live id, or MAX when empty (`streamGetEdgeID(first, skip tombstones)`).
    fn first_valid_id(&self) -> StreamId {
        self.range(StreamId::MIN, StreamId::MAX, false, 1).first().map_or(StreamId::MAX, |it| it.id)
    }

    /// XDEL of one id (`streamDeleteItem`): true when a live entry was deleted.
    pub fn delete(&mut self, id: StreamId) -> bool {
        let Some((&master, node)) = self.nodes.range_mut(..=id).next_back() else { return false };
        let Ok(i) = node.items.binary_search_by(|it| it.id.cmp(&id)) else { return false };
        let Some(it) = node.items.get_mut(i).filter(|it| !it.deleted) else { return false };
        if node.live == 1 {
            if let Some(n) = self.nodes.remove(&master) {
                self.node_bytes = self.node_bytes.saturating_sub(n.lp_bytes() + NODE_OVERHEAD);
            }
        } else {
            it.deleted = true;
            node.live -= 1;
            node.deleted += 1;
        }
        self.length -= 1;
        true
    }

    /// XDEL's bookkeeping after deleting `ids` (first id, max deleted id).
    pub fn after_delete(&mut self, deleted_first: bool) {
        if self.length == 0 {
            self.first_id = StreamId::MIN;
        } else if deleted_first {
            self.first_id = self.first_valid_id();
        }
    }

    /// `streamTrim`: returns the number of entries removed.
    pub fn trim(&mut self, trim: Trim, approx: bool, limit: i64) -> i64 {
        if trim == Trim::None {
            return 0;
        }
        let mut deleted: i64 = 0;
        // Always the head node: a removed node makes the next one the head.
        loop {
            if let Trim::MaxLen(max) = trim {
                if self.length <= max {
                    break;
                }
            }
            let Some(mut head) = self.nodes.first_entry() else { break };
            let node = head.get_mut();
            let entries = node.live as i64;
            if limit != 0 && deleted.saturating_add(entries) > limit {
                break;
            }
            let remove_node = match trim {
                Trim::MaxLen(max) => self.length - node.live >= max,
                Trim::MinId(min) => node.items.last().is_some_and(|it| it.id < min),
                Trim::None => false,
            };
            if remove_node {
                self.length -= node.live;
                deleted += entries;
                let n = head.remove();
                self.node_bytes = self.node_bytes.saturating_sub(n.lp_bytes() + NODE_OVERHEAD);
                continue;
            }
            if approx {
                break;
            }
            let mut from_lp = 0u64;
            for it in node.items.iter_mut() {
                let stop = match trim {
                    Trim::MaxLen(max) => self.length <= max,
                    Trim::MinId(min) => it.id >= min,
                    Trim::None => true,
                };
                if stop {
                    break;
                }
                if !it.deleted {
                    it.deleted = true;
                    from_lp += 1;
                    self.length -= 1;
                }
            }
            node.live -= from_lp;
            node.deleted += from_lp;
            deleted += from_lp as i64;
            break;
        }
        if self.length == 0 {
            self.first_id = StreamId::MIN;
        } else if deleted != 0 {
            self.first_id = self.first_valid_id();
        }
        deleted
    }

    /// `streamRangeHasTombstones` from `start` to the end.
    pub fn has_tombstones_from(&self, start: StreamId) -> bool {
        if self.length == 0 || self.max_deleted.is_zero() {
            return false;
        }
        if self.first_id > self.max_deleted {
            return false;
        }
        start <= self.max_deleted
    }

    /// `streamEstimateDistanceFromFirstEverEntry`; -1 when unknown.
    pub fn estimate_distance(&self, id: StreamId) -> i64 {
        if self.entries_added == 0 {
            return 0;
        }
        if self.length == 0 && id <= self.last_id {
            return self.entries_added as i64;
        }
        if id == self.last_id {
            return self.entries_added as i64;
        } else if id > self.last_id {
            return INVALID_ENTRIES_READ;
        }
        if self.max_deleted.is_zero() || self.max_deleted < self.first_id {
            if id < self.first_id {
                return self.entries_added.wrapping_sub(self.length) as i64;
            } else if id == self.first_id {
                return self.entries_added.wrapping_sub(self.length).wrapping_add(1) as i64;
            }
        }
        INVALID_ENTRIES_READ
    }

    /// A group's lag (`streamReplyWithCGLag`), `None` when it cannot be known.
    pub fn lag(&self, g: &Group) -> Option<i64> {
        if self.entries_added == 0 {
            return Some(0);
        }
        if g.entries_read != INVALID_ENTRIES_READ && !self.has_tombstones_from(g.last_id) {
            return Some((self.entries_added as i64).wrapping_sub(g.entries_read));
        }
        let read = self.estimate_distance(g.last_id);
        (read != INVALID_ENTRIES_READ).then(|| (self.entries_added as i64).wrapping_sub(read))
    }

    /// Moves a group's last id forward over a delivered entry `id`
    /// (the bookkeeping in `streamReplyWithRange`).
    pub fn advance_group(&mut self, group: &[u8], id: StreamId) {
        let has_tomb = self.has_tombstones_from(id);
        let dist = self.estimate_distance(id);
        let added = self.entries_added;
        let Some(g) = self.groups.get_mut(group) else { return };
        if id > g.last_id {
            if g.entries_read != INVALID_ENTRIES_READ && !has_tomb {
                g.entries_read = g.entries_read.wrapping_add(1);
            } else if added != 0 {
                g.entries_read = dist;
            }
            g.last_id = id;
        }
    }

    /// Approximate heap bytes (memory accounting).
    pub fn heap_bytes(&self) -> usize {
        let groups: usize = self
            .groups
            .iter()
            .map(|(k, g)| {
                k.len()
                    + 64
                    + g.pel.len() * 64
                    + g.consumers.iter().map(|(k, c)| k.len() + 48 + c.pel.len() * 24).sum::<usize>()
            })
            .sum();
        self.node_bytes + groups
    }
}

/// Bytes entry `id` with fields and values `fv` takes in the listpack of the
/// node whose master entry is `master` with fields `master_fields`.
fn entry_lp_bytes<T: AsRef<[u8]>>(master: StreamId, master_fields: &[Vec<u8>], id: StreamId, fv: &[T]) -> usize {
    let numfields = fv.len() / 2;
    let same = master_fields.len() == numfields
        && master_fields.iter().zip(fv.iter().step_by(2)).all(|(a, b)| a.as_slice() == b.as_ref());
    let mut bytes = lp_int(if same { 2 } else { 0 })
        + lp_int(id.ms.wrapping_sub(master.ms) as i64)
        + lp_int(id.seq.wrapping_sub(master.seq) as i64);
    let mut lp_count = numfields as i64 + 3;
    if !same {
        bytes += lp_int(numfields as i64);
        lp_count += numfields as i64 + 1;
    }
    for (i, x) in fv.iter().enumerate() {
        if !same || i % 2 == 1 {
            bytes += lp_str(x.as_ref());
        }
    }
    bytes + lp_int(lp_count)
}

// ---- snapshots (src/snapshot.rs): the node layout, tombstones included ----

impl Item {
    /// An entry as a snapshot carries it (`deleted`: an XDEL/XTRIM tombstone).
    pub fn loaded(id: StreamId, fv: Vec<Vec<u8>>, deleted: bool) -> Item {
        Item { id, fv, deleted, lp_bytes: 0 }
    }
    pub fn is_deleted(&self) -> bool {
        self.deleted
    }
}

impl Stream {
    /// Every node's entries (tombstones included), nodes in order; a node's
    /// first entry is its master entry.
    pub fn nodes(&self) -> impl Iterator<Item = &[Item]> {
        self.nodes.values().map(|n| n.items.as_slice())
    }

    /// Appends a whole node as a snapshot carries it: `items` non-empty, ids
    /// ascending and above every id already held (the caller checks). Keeps
    /// `length` and the memory accounting; ids, counters and groups are the
    /// caller's to set.
    pub fn load_node(&mut self, mut items: Vec<Item>) {
        let Some(first) = items.first() else { return };
        let master = first.id;
        let mut node = Node {
            master_fields: first.fv.iter().step_by(2).cloned().collect(),
            items: Vec::new(),
            live: 0,
            deleted: 0,
            items_bytes: 0,
        };
        for it in items.iter_mut() {
            it.lp_bytes = entry_lp_bytes(master, &node.master_fields, it.id, &it.fv) as u32;
            node.items_bytes += it.lp_bytes as usize;
            if it.deleted {
                node.deleted += 1;
            } else {
                node.live += 1;
            }
        }
        node.items = items;
        self.length += node.live;
        self.node_bytes += node.lp_bytes() + NODE_OVERHEAD;
        self.nodes.insert(master, node);
    }
}

/// Rax nodes for a sorted set of equal-length keys starting at byte `depth`.
fn rax_count(keys: &[[u8; 16]], depth: usize) -> usize {
    if depth >= 16 {
        return 1; // the key's leaf
    }
    let (Some(first), Some(last)) = (keys.first(), keys.last()) else { return 0 };
    // Longest common prefix from `depth` (keys are sorted: first vs last).
    let lcp = first.iter().zip(last).skip(depth).take_while(|(a, b)| a == b).count();
    if lcp > 0 {
        return 1 + rax_count(keys, depth + lcp);
    }
    // One child per distinct byte at `depth` (sorted keys: runs).
    1 + keys.chunk_by(|a, b| a.get(depth) == b.get(depth)).map(|run| rax_count(run, depth + 1)).sum::<usize>()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn listpack_sizes() {
        assert_eq!(lp_int(0), 2);
        assert_eq!(lp_int(200), 3);
        assert_eq!(lp_str(b"abc"), 5);
        assert_eq!(lp_str(b"-12"), 3);
        assert_eq!(lp_str(b"012"), 5);
    }

    #[test]
    fn rax_shapes() {
        let k = |ms: u64| StreamId::new(ms, 0).key();
        assert_eq!(rax_count(&[k(1)], 0), 2);
        assert_eq!(rax_count(&[k(1), k(2)], 0), 6);
    }
}
