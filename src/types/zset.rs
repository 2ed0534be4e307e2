//! The sorted set: an order-statistic B+tree over (score, member), plus a hash
//! table from member to entry, so score lookup is O(1) and rank, insert,
//! delete, score update and range starts are O(log n) with a few node visits.
//!
//! Order is Redis's: by score, ties by member bytes (`memcmp`, shorter first);
//! `-0.0` and `0.0` compare equal.
//!
//! Layout (no `unsafe`):
//! - `ents`: one [`Entry`] per member (its score and bytes; members up to
//!   14 bytes inline). An entry's index is its *handle*. The arena is dense (a
//!   removal moves the last entry into the hole and renumbers it in the tree
//!   and the table), so a uniform random member is one index and a cursor over
//!   positions gives ZSCAN with the usual guarantee (the moved entry was already
//!   visited by the top-down scan).
//! - `index`: a hash table of handles keyed by member bytes (ZSCORE, ZRANK's
//!   first step, ZADD's existence test): linear probing over `u64` slots
//!   (hash tag and handle together, one cache line per lookup).
//! - `tree`: leaves hold up to 32 (score, handle) pairs in two contiguous
//!   arrays and are linked both ways; inner nodes hold, per child, the number
//!   of members below it and its least (score, handle) key, so a search reads
//!   scores from the node it is in and touches a member only on a score tie.
//!   At a million members the tree is four levels deep, the upper three small
//!   enough to stay in cache.
//!
//! Small form: a set of at most `SMALL` (64) members has no tree and no
//! table (`big` is None): `ents` alone, kept in order, so a position is a
//! rank and a handle; member lookups are a linear scan, inserts, removals and
//! score changes shift within `ents` (grown exactly: capacity stays near the
//! length). MEMORY USAGE of a 3-member set in wasm32: 181 bytes, where the
//! tree form's first leaf, table and arena made it 741. Past `SMALL` the entries become the
//! arena of a tree form (`Tree::bulk`); a tree-form set shrinking below
//! `SMALL_BACK` (32) goes back. A small set's SCAN answers whole (positions
//! are ranks: an insert between calls would shift one past the cursor). The
//! form is unrelated to the encoding OBJECT ENCODING reports.
//!
//! Redis 7.0 shows two encodings, `listpack` and `skiplist`; both answer from
//! the same order, so the encoding is a flag here. Where the listpack's linear
//! scans differ observably from the skiplist's descent (lex ranges over mixed
//! scores, which Redis leaves unspecified), the `linear` variants reproduce it.
//!
//! Also here: Redis's score formatting (`%.17g` replies, `d2string` storage).
//!
//! Panic safety. The public methods take no index a caller can choose: ranks
//! (`cursor_at`), arena positions (`at_pos`, random picks), SCAN cursors
//! (`scan`, clamped to the length) and handles (`update_at`, `node_member`)
//! are checked with `.get()` (an out-of-range one gives `None` / nothing), a
//! [`Cursor`] is opaque and is read back through `.get()` (a stale one reads
//! as empty), and snapshot data enters only through `insert` (the loader
//! rejects NaN scores and duplicate members first, as the commands do). The
//! private `Tree`/`Index` code indexes directly, kept fast on these
//! invariants: a node's `len` never exceeds its array (`LCAP`/`ICAP`; a full
//! node is split before it grows), every inner node on a descent has
//! `len >= 1`, so `child_for`/`lower_bound`, which return `0..len`, pick a
//! real child; node ids in `child`/`prev`/`next`/`first`/`last`/`root` name
//! live nodes (freed ones are unlinked first) or are `NIL`, which is tested
//! before use; `Index::slots` is empty or a power of two long, so `& mask`
//! stays in bounds; and handles are `ents` indexes (`< len`, moved by
//! `renumber` on a removal). The small form's `Vec::insert`/`remove` take
//! positions from `partition_point` (`<= len`) or from a lookup or a checked
//! handle (`< len`), and a cursor of the other form reads as stale. Handles are `u32` (`NIL` reserved): more than
//! 4 294 967 294 members cannot fit in wasm32's 4 GiB.

use core::hash::BuildHasher;
use hashbrown::DefaultHashBuilder;

const NIL: u32 = u32::MAX;
/// Pairs per leaf and children per inner node.
const LCAP: usize = 32;
const ICAP: usize = 64;
/// A node below this many entries is merged with, or refilled from, a sibling.
const LMIN: usize = LCAP / 4;
const IMIN: usize = ICAP / 4;
/// Members up to this many bytes live inside their entry.
const INLINE: usize = 14;

/// A member's bytes: inline when short (an entry is 24 bytes in wasm32).
#[derive(Clone, Debug)]
enum Mem {
    Short(u8, [u8; INLINE]),
    Long(Box<[u8]>),
}

impl Mem {
    fn new(m: &[u8]) -> Mem {
        match Mem::new_short(m) {
            Some((n, b)) => Mem::Short(n, b),
            None => Mem::Long(m.into()),
        }
    }
    /// The inline form of a short member: its length and bytes, zero-padded.
    #[inline]
    fn new_short(m: &[u8]) -> Option<(u8, [u8; INLINE])> {
        let mut b = [0; INLINE];
        b.get_mut(..m.len())?.copy_from_slice(m);
        Some((m.len() as u8, b))
    }
    #[inline]
    fn bytes(&self) -> &[u8] {
        match self {
            Mem::Short(n, b) => b.get(..*n as usize).unwrap_or(&b[..]),
            Mem::Long(b) => b,
        }
    }
    /// Heap bytes (the allocation of a long member).
    fn heap(&self) -> usize {
        match self {
            Mem::Short(..) => 0,
            Mem::Long(b) => b.len(),
        }
    }
}

#[derive(Clone, Debug)]
struct Entry {
    score: f64,
    mem: Mem,
}

#[cfg(target_pointer_width = "32")]
const _: () = assert!(std::mem::size_of::<Entry>() == 24);

#[inline]
fn mem(e: &[Entry], h: u32) -> &[u8] {
    e.get(h as usize).map_or(&[][..], |x| x.mem.bytes())
}

#[derive(Clone)]
struct Leaf {
    len: u32,
    prev: u32,
    next: u32,
    score: [f64; LCAP],
    h: [u32; LCAP],
}

#[derive(Clone)]
struct Inner {
    len: u32,
    /// Members in each child's subtree.
    cnt: [u32; ICAP],
    child: [u32; ICAP],
    /// Each child's least key: score and handle (kept exact).
    ks: [f64; ICAP],
    kh: [u32; ICAP],
}

const EMPTY_LEAF: Leaf = Leaf { len: 0, prev: NIL, next: NIL, score: [0.0; LCAP], h: [0; LCAP] };
const EMPTY_INNER: Inner = Inner { len: 0, cnt: [0; ICAP], child: [0; ICAP], ks: [0.0; ICAP], kh: [0; ICAP] };

/// How many of the sorted keys `ks`/`kh` sort before (score, m), or at or
/// before it when `incl`. `x` is the target's own handle when it is in the
/// tree (its key compares equal without reading its bytes), else NIL.
/// `scan`: count the scores in one pass instead of a binary search (for
/// leaves, which are seldom in cache: the loads are independent, so the leaf
/// costs one miss rather than one per probe).
#[inline]
#[allow(clippy::too_many_arguments)]
fn count_before(e: &[Entry], ks: &[f64], kh: &[u32], score: f64, m: &[u8], x: u32, incl: bool, scan: bool) -> usize {
    let lo = if scan { ks.iter().map(|&s| (s < score) as usize).sum() } else { ks.partition_point(|&s| s < score) };
    if ks.get(lo).is_none_or(|&s| s != score) {
        return lo;
    }
    let ties = ks.get(lo..).map_or(0, |t| t.partition_point(|&s| s <= score));
    let kh = kh.get(lo..lo + ties).unwrap_or(&[]);
    lo + kh.partition_point(|&h| {
        if h == x {
            incl
        } else {
            let b = mem(e, h);
            if incl { b <= m } else { b < m }
        }
    })
}

/// (score, member of `h`) sorts strictly before (score2, m2).
#[inline]
fn key_lt(e: &[Entry], s: f64, h: u32, s2: f64, m2: &[u8]) -> bool {
    s < s2 || (s == s2 && mem(e, h) < m2)
}

/// The B+tree of (score, handle) keys; member bytes come from the entries.
#[derive(Clone)]
struct Tree {
    leaves: Vec<Leaf>,
    inners: Vec<Inner>,
    root: u32,
    /// Inner levels above the leaves (0: the root is a leaf).
    height: u32,
    first: u32,
    last: u32,
    free_leaf: u32,
    free_inner: u32,
    /// Nodes on the free lists.
    free: usize,
}

impl Tree {
    fn new() -> Tree {
        Tree {
            leaves: Vec::new(),
            inners: Vec::new(),
            root: NIL,
            height: 0,
            first: NIL,
            last: NIL,
            free_leaf: NIL,
            free_inner: NIL,
            free: 0,
        }
    }

    fn alloc_leaf(&mut self) -> u32 {
        if self.free_leaf != NIL {
            let id = self.free_leaf;
            self.free_leaf = self.leaves[id as usize].next;
            self.leaves[id as usize] = EMPTY_LEAF;
            self.free -= 1;
            return id;
        }
        if self.leaves.is_empty() {
            // A small set has one leaf: not the four a first push would reserve
            // (a leaf is 396 bytes in wasm32; most sorted sets are small).
            self.leaves.reserve_exact(1);
        }
        self.leaves.push(EMPTY_LEAF);
        (self.leaves.len() - 1) as u32
    }
    fn alloc_inner(&mut self) -> u32 {
        if self.free_inner != NIL {
            let id = self.free_inner;
            self.free_inner = self.inners[id as usize].child[0];
            self.inners[id as usize] = EMPTY_INNER;
            self.free -= 1;
            return id;
        }
        if self.inners.is_empty() {
            self.inners.reserve_exact(1);
        }
        self.inners.push(EMPTY_INNER);
        (self.inners.len() - 1) as u32
    }
    /// Unlinks leaf `id` from the leaf list and frees it.
    fn free_leaf(&mut self, id: u32) {
        let (p, n) = (self.leaves[id as usize].prev, self.leaves[id as usize].next);
        if p != NIL {
            self.leaves[p as usize].next = n;
        } else {
            self.first = n;
        }
        if n != NIL {
            self.leaves[n as usize].prev = p;
        } else {
            self.last = p;
        }
        let l = &mut self.leaves[id as usize];
        l.len = 0;
        l.prev = NIL;
        l.next = self.free_leaf;
        self.free_leaf = id;
        self.free += 1;
    }
    fn free_inner(&mut self, id: u32) {
        let n = &mut self.inners[id as usize];
        n.len = 0;
        n.child[0] = self.free_inner;
        self.free_inner = id;
        self.free += 1;
    }

    /// Members below node `id` at height `ht`.
    fn count(&self, id: u32, ht: u32) -> u32 {
        if ht == 0 {
            self.leaves[id as usize].len
        } else {
            let n = &self.inners[id as usize];
            n.cnt[..n.len as usize].iter().sum()
        }
    }
    /// Entries (pairs or children) of node `id`.
    fn width(&self, id: u32, ht: u32) -> usize {
        if ht == 0 { self.leaves[id as usize].len as usize } else { self.inners[id as usize].len as usize }
    }
    /// The least key below node `id`.
    fn min_key(&self, id: u32, ht: u32) -> (f64, u32) {
        if ht == 0 {
            let l = &self.leaves[id as usize];
            (l.score[0], l.h[0])
        } else {
            let n = &self.inners[id as usize];
            (n.ks[0], n.kh[0])
        }
    }
    /// The child of inner `id` whose subtree holds (score, m), or would.
    #[inline]
    fn child_for(&self, e: &[Entry], id: u32, score: f64, m: &[u8], x: u32) -> usize {
        let n = &self.inners[id as usize];
        let len = n.len as usize;
        count_before(e, &n.ks[..len], &n.kh[..len], score, m, x, true, false).saturating_sub(1)
    }

    // ---- insert ----

    /// Adds the key (score, x) (member `m`, absent from the tree).
    fn insert(&mut self, e: &[Entry], score: f64, x: u32, m: &[u8]) {
        if self.root == NIL {
            let id = self.alloc_leaf();
            let l = &mut self.leaves[id as usize];
            l.len = 1;
            l.score[0] = score;
            l.h[0] = x;
            (self.root, self.first, self.last, self.height) = (id, id, id, 0);
            return;
        }
        if let Some(sib) = self.ins(e, self.root, self.height, score, x, m, true, true) {
            let (old, ht) = (self.root, self.height);
            let (c0, c1) = (self.count(old, ht), self.count(sib, ht));
            let (k0, k1) = (self.min_key(old, ht), self.min_key(sib, ht));
            let id = self.alloc_inner();
            let n = &mut self.inners[id as usize];
            n.len = 2;
            n.child[..2].copy_from_slice(&[old, sib]);
            n.cnt[..2].copy_from_slice(&[c0, c1]);
            n.ks[..2].copy_from_slice(&[k0.0, k1.0]);
            n.kh[..2].copy_from_slice(&[k0.1, k1.1]);
            self.root = id;
            self.height += 1;
        }
    }

    /// Inserts below node `id`; returns the new right sibling when it split.
    /// `left`/`right`: the node is the first/last of its level (appends and
    /// prepends there split unevenly, so ordered loads fill whole nodes).
    #[allow(clippy::too_many_arguments)]
    fn ins(&mut self, e: &[Entry], id: u32, ht: u32, score: f64, x: u32, m: &[u8], left: bool, right: bool) -> Option<u32> {
        if ht == 0 {
            return self.ins_leaf(e, id, score, x, m);
        }
        let i = self.child_for(e, id, score, m, NIL);
        let (c, len, new_min) = {
            let n = &self.inners[id as usize];
            (n.child[i], n.len as usize, i == 0 && !key_lt(e, n.ks[0], n.kh[0], score, m))
        };
        let split = self.ins(e, c, ht - 1, score, x, m, left && i == 0, right && i + 1 == len);
        let n = &mut self.inners[id as usize];
        n.cnt[i] += 1;
        if new_min {
            n.ks[0] = score;
            n.kh[0] = x;
        }
        let sib = split?;
        let (cc, cs) = (self.count(c, ht - 1), self.count(sib, ht - 1));
        let (ms, mh) = self.min_key(sib, ht - 1);
        let at = i + 1;
        let n = &mut self.inners[id as usize];
        n.cnt[i] = cc;
        if len < ICAP {
            n.child.copy_within(at..len, at + 1);
            n.cnt.copy_within(at..len, at + 1);
            n.ks.copy_within(at..len, at + 1);
            n.kh.copy_within(at..len, at + 1);
            (n.child[at], n.cnt[at], n.ks[at], n.kh[at]) = (sib, cs, ms, mh);
            n.len += 1;
            return None;
        }
        // Full: ICAP + 1 children over this node and a new right sibling.
        let mut t = [(0u32, 0u32, 0.0f64, 0u32); ICAP + 1];
        for (j, slot) in t.iter_mut().enumerate() {
            let k = if j < at { j } else { j - 1 };
            *slot = if j == at { (sib, cs, ms, mh) } else { (n.child[k], n.cnt[k], n.ks[k], n.kh[k]) };
        }
        let keep = if right && at == ICAP {
            ICAP
        } else if left && at == 1 {
            1
        } else {
            ICAP.div_ceil(2)
        };
        let new = self.alloc_inner();
        let fill = |n: &mut Inner, part: &[(u32, u32, f64, u32)]| {
            for (j, &(c, k, s, h)) in part.iter().enumerate() {
                (n.child[j], n.cnt[j], n.ks[j], n.kh[j]) = (c, k, s, h);
            }
            n.len = part.len() as u32;
        };
        fill(&mut self.inners[id as usize], &t[..keep]);
        fill(&mut self.inners[new as usize], &t[keep..]);
        Some(new)
    }

    fn ins_leaf(&mut self, e: &[Entry], id: u32, score: f64, x: u32, m: &[u8]) -> Option<u32> {
        let l = &self.leaves[id as usize];
        let len = l.len as usize;
        let pos = count_before(e, &l.score[..len], &l.h[..len], score, m, NIL, false, true);
        let l = &mut self.leaves[id as usize];
        if len < LCAP {
            l.score.copy_within(pos..len, pos + 1);
            l.h.copy_within(pos..len, pos + 1);
            l.score[pos] = score;
            l.h[pos] = x;
            l.len += 1;
            return None;
        }
        let mut ts = [0.0f64; LCAP + 1];
        let mut th = [0u32; LCAP + 1];
        ts[..pos].copy_from_slice(&l.score[..pos]);
        th[..pos].copy_from_slice(&l.h[..pos]);
        ts[pos] = score;
        th[pos] = x;
        ts[pos + 1..].copy_from_slice(&l.score[pos..]);
        th[pos + 1..].copy_from_slice(&l.h[pos..]);
        let keep = if pos == LCAP && l.next == NIL {
            LCAP
        } else if pos == 0 && l.prev == NIL {
            1
        } else {
            LCAP.div_ceil(2)
        };
        let new = self.alloc_leaf();
        let next = self.leaves[id as usize].next;
        {
            let r = &mut self.leaves[new as usize];
            let k = LCAP + 1 - keep;
            r.score[..k].copy_from_slice(&ts[keep..]);
            r.h[..k].copy_from_slice(&th[keep..]);
            r.len = k as u32;
            r.prev = id;
            r.next = next;
        }
        let l = &mut self.leaves[id as usize];
        l.score[..keep].copy_from_slice(&ts[..keep]);
        l.h[..keep].copy_from_slice(&th[..keep]);
        l.len = keep as u32;
        l.next = new;
        if next != NIL {
            self.leaves[next as usize].prev = new;
        } else {
            self.last = new;
        }
        Some(new)
    }

    // ---- delete ----

    /// Removes the key (score, x) (member `m`); false when it is not there.
    fn remove(&mut self, e: &[Entry], score: f64, x: u32, m: &[u8]) -> bool {
        if self.root == NIL || self.take(e, self.root, self.height, score, x, m, None) == Took::Missing {
            return false;
        }
        self.fix_root();
        true
    }

    /// Changes the key (old, x) to (new, x). When the new key still belongs
    /// in the same leaf the pair moves inside it (no count changes: a score
    /// bump usually moves a member only a few places); else it is removed on
    /// the way and inserted again from the root.
    fn rescore(&mut self, e: &[Entry], old: f64, x: u32, m: &[u8], new: f64) {
        if self.root == NIL {
            return;
        }
        match self.take(e, self.root, self.height, old, x, m, Some(new)) {
            Took::Moved | Took::Missing => {}
            Took::Removed => {
                self.fix_root();
                self.insert(e, new, x, m);
            }
        }
    }

    /// After a removal: an empty tree is reset, a root with one child goes.
    fn fix_root(&mut self) {
        if self.width(self.root, self.height) == 0 {
            *self = Tree::new();
            return;
        }
        while self.height > 0 && self.inners[self.root as usize].len == 1 {
            let old = self.root;
            self.root = self.inners[old as usize].child[0];
            self.height -= 1;
            self.free_inner(old);
        }
    }

    /// Removes the key (old, x) below node `id`, or with `new`, moves it to
    /// (new, x) inside its leaf when it still belongs there.
    #[allow(clippy::too_many_arguments)]
    fn take(&mut self, e: &[Entry], id: u32, ht: u32, old: f64, x: u32, m: &[u8], new: Option<f64>) -> Took {
        if ht == 0 {
            return self.take_leaf(e, id, old, x, m, new);
        }
        let i = self.child_for(e, id, old, m, x);
        let c = self.inners[id as usize].child[i];
        match self.take(e, c, ht - 1, old, x, m, new) {
            Took::Missing => return Took::Missing,
            Took::Moved => {
                let (s, h) = self.min_key(c, ht - 1);
                let n = &mut self.inners[id as usize];
                (n.ks[i], n.kh[i]) = (s, h);
                return Took::Moved;
            }
            Took::Removed => {}
        }
        let n = &mut self.inners[id as usize];
        n.cnt[i] -= 1;
        if n.cnt[i] == 0 {
            let len = n.len as usize;
            n.child.copy_within(i + 1..len, i);
            n.cnt.copy_within(i + 1..len, i);
            n.ks.copy_within(i + 1..len, i);
            n.kh.copy_within(i + 1..len, i);
            n.len -= 1;
            if ht == 1 {
                self.free_leaf(c);
            } else {
                self.free_inner(c);
            }
            return Took::Removed;
        }
        if n.kh[i] == x {
            let (s, h) = self.min_key(c, ht - 1);
            let n = &mut self.inners[id as usize];
            (n.ks[i], n.kh[i]) = (s, h);
        }
        if self.width(c, ht - 1) < if ht == 1 { LMIN } else { IMIN } {
            self.rebalance(id, i, ht - 1);
        }
        Took::Removed
    }

    fn take_leaf(&mut self, e: &[Entry], id: u32, old: f64, x: u32, m: &[u8], new: Option<f64>) -> Took {
        let l = &self.leaves[id as usize];
        let len = l.len as usize;
        let pos = count_before(e, &l.score[..len], &l.h[..len], old, m, x, false, true);
        if pos >= len || l.h[pos] != x {
            return Took::Missing;
        }
        let (prev, next) = (l.prev, l.next);
        let l = &mut self.leaves[id as usize];
        l.score.copy_within(pos + 1..len, pos);
        l.h.copy_within(pos + 1..len, pos);
        l.len -= 1;
        let Some(new) = new else { return Took::Removed };
        let rest = len - 1;
        let q = count_before(e, &l.score[..rest], &l.h[..rest], new, m, NIL, false, true);
        // Only a new first or last place needs the neighbouring leaf's word.
        let ok_lo = q > 0 || prev == NIL || {
            let p = &self.leaves[prev as usize];
            let k = p.len as usize - 1;
            key_lt(e, p.score[k], p.h[k], new, m)
        };
        let ok_hi = q < rest || next == NIL || {
            let n = &self.leaves[next as usize];
            !key_lt(e, n.score[0], n.h[0], new, m)
        };
        if !(ok_lo && ok_hi) {
            return Took::Removed;
        }
        let l = &mut self.leaves[id as usize];
        l.score.copy_within(q..rest, q + 1);
        l.h.copy_within(q..rest, q + 1);
        l.score[q] = new;
        l.h[q] = x;
        l.len += 1;
        Took::Moved
    }

    /// Merges the underfull child `i` of `id` with a sibling, or evens them out.
    fn rebalance(&mut self, id: u32, i: usize, cht: u32) {
        let n = &self.inners[id as usize];
        let len = n.len as usize;
        if len < 2 {
            return;
        }
        let a = if i + 1 < len { i } else { i - 1 };
        let (ca, cb) = (n.child[a], n.child[a + 1]);
        let (la, lb) = (self.width(ca, cht), self.width(cb, cht));
        let cap = if cht == 0 { LCAP } else { ICAP };
        if la + lb <= cap {
            // b joins a; b's slot leaves the parent.
            if cht == 0 {
                let b = self.leaves[cb as usize].clone();
                let l = &mut self.leaves[ca as usize];
                l.score[la..la + lb].copy_from_slice(&b.score[..lb]);
                l.h[la..la + lb].copy_from_slice(&b.h[..lb]);
                l.len = (la + lb) as u32;
                self.free_leaf(cb);
            } else {
                let b = self.inners[cb as usize].clone();
                let x = &mut self.inners[ca as usize];
                x.child[la..la + lb].copy_from_slice(&b.child[..lb]);
                x.cnt[la..la + lb].copy_from_slice(&b.cnt[..lb]);
                x.ks[la..la + lb].copy_from_slice(&b.ks[..lb]);
                x.kh[la..la + lb].copy_from_slice(&b.kh[..lb]);
                x.len = (la + lb) as u32;
                self.free_inner(cb);
            }
            let n = &mut self.inners[id as usize];
            n.cnt[a] += n.cnt[a + 1];
            let b = a + 1;
            n.child.copy_within(b + 1..len, b);
            n.cnt.copy_within(b + 1..len, b);
            n.ks.copy_within(b + 1..len, b);
            n.kh.copy_within(b + 1..len, b);
            n.len -= 1;
            return;
        }
        // Even out: a keeps half (its least key is unchanged, b's changes).
        let want = (la + lb) / 2;
        if cht == 0 {
            let (mut x, mut y) = (self.leaves[ca as usize].clone(), self.leaves[cb as usize].clone());
            move_pairs(&mut x.score, &mut y.score, la, lb, want);
            move_pairs(&mut x.h, &mut y.h, la, lb, want);
            x.len = want as u32;
            y.len = (la + lb - want) as u32;
            self.leaves[ca as usize] = x;
            self.leaves[cb as usize] = y;
        } else {
            let (mut x, mut y) = (self.inners[ca as usize].clone(), self.inners[cb as usize].clone());
            move_pairs(&mut x.child, &mut y.child, la, lb, want);
            move_pairs(&mut x.cnt, &mut y.cnt, la, lb, want);
            move_pairs(&mut x.ks, &mut y.ks, la, lb, want);
            move_pairs(&mut x.kh, &mut y.kh, la, lb, want);
            x.len = want as u32;
            y.len = (la + lb - want) as u32;
            self.inners[ca as usize] = x;
            self.inners[cb as usize] = y;
        }
        let (ka, kb) = (self.count(ca, cht), self.count(cb, cht));
        let (s, h) = self.min_key(cb, cht);
        let n = &mut self.inners[id as usize];
        (n.cnt[a], n.cnt[a + 1], n.ks[a + 1], n.kh[a + 1]) = (ka, kb, s, h);
    }

    // ---- lookups ----

    /// The leaf and position of the key (score, x), with its 0-based rank.
    fn locate(&self, e: &[Entry], score: f64, x: u32, m: &[u8]) -> Option<(Cursor, usize)> {
        if self.root == NIL {
            return None;
        }
        let (mut id, mut rank) = (self.root, 0usize);
        for _ in 0..self.height {
            let i = self.child_for(e, id, score, m, x);
            let n = &self.inners[id as usize];
            rank += n.cnt[..i].iter().map(|&c| c as usize).sum::<usize>();
            id = n.child[i];
        }
        let l = &self.leaves[id as usize];
        let len = l.len as usize;
        let pos = count_before(e, &l.score[..len], &l.h[..len], score, m, x, false, true);
        (pos < len && l.h[pos] == x).then_some((Cursor { leaf: id, pos: pos as u32 }, rank + pos))
    }

    /// The key at 0-based rank `r`.
    fn at_rank(&self, mut r: usize) -> Option<Cursor> {
        if self.root == NIL {
            return None;
        }
        let mut id = self.root;
        for _ in 0..self.height {
            let n = &self.inners[id as usize];
            let mut i = 0;
            while i + 1 < n.len as usize && r >= n.cnt[i] as usize {
                r -= n.cnt[i] as usize;
                i += 1;
            }
            id = n.child[i];
        }
        (r < self.leaves[id as usize].len as usize).then_some(Cursor { leaf: id, pos: r as u32 })
    }

    /// The leaf where score `s` would go: a score-only descent, each inner
    /// node's keys counted by `count_lt`. None for an empty tree.
    fn leaf_id(&self, s: f64) -> Option<u32> {
        let mut id = self.root;
        for _ in 0..self.height {
            let n = self.inners.get(id as usize)?;
            let i = count_lt(n.ks.get(..n.len as usize)?, s).saturating_sub(1);
            id = *n.child.get(i)?;
        }
        Some(id)
    }

    /// The first key of score `>= min`, whatever its member (the geo range
    /// walks), without the rank.
    fn seek_score(&self, min: f64) -> Option<Cursor> {
        let id = self.leaf_id(min)?;
        let l = self.leaves.get(id as usize)?;
        let len = l.len as usize;
        let pos = count_lt(l.score.get(..len)?, min);
        if pos < len {
            Some(Cursor { leaf: id, pos: pos as u32 })
        } else {
            (l.next != NIL).then_some(Cursor { leaf: l.next, pos: 0 })
        }
    }

    /// The first key for which `before` is false (`before` holds for a prefix
    /// of the order), and its rank; None (and the length) past the end.
    fn lower_bound(&self, before: impl Fn(f64, u32) -> bool) -> (Option<Cursor>, usize) {
        if self.root == NIL {
            return (None, 0);
        }
        let (mut id, mut rank) = (self.root, 0usize);
        for _ in 0..self.height {
            let n = &self.inners[id as usize];
            let len = n.len as usize;
            let i = first_false(len, |j| before(n.ks[j], n.kh[j])).saturating_sub(1);
            rank += n.cnt[..i].iter().map(|&c| c as usize).sum::<usize>();
            id = n.child[i];
        }
        let l = &self.leaves[id as usize];
        let len = l.len as usize;
        let pos = first_false(len, |j| before(l.score[j], l.h[j]));
        if pos < len {
            (Some(Cursor { leaf: id, pos: pos as u32 }), rank + pos)
        } else {
            let c = (l.next != NIL).then_some(Cursor { leaf: l.next, pos: 0 });
            (c, rank + len)
        }
    }

    /// The key (score, from) now names handle `to` (an arena move).
    fn renumber(&mut self, e: &[Entry], score: f64, from: u32, m: &[u8], to: u32) {
        if self.root == NIL {
            return;
        }
        let mut id = self.root;
        for _ in 0..self.height {
            let i = self.child_for(e, id, score, m, from);
            let n = &mut self.inners[id as usize];
            if n.kh[i] == from {
                n.kh[i] = to;
            }
            id = n.child[i];
        }
        let l = &self.leaves[id as usize];
        let len = l.len as usize;
        let pos = count_before(e, &l.score[..len], &l.h[..len], score, m, from, false, true);
        if pos < len && l.h[pos] == from {
            self.leaves[id as usize].h[pos] = to;
        }
    }

    /// A tree of the keys `v` (in order), nodes filled to 7/8.
    fn bulk(v: &[(f64, u32)]) -> Tree {
        let mut t = Tree::new();
        if v.is_empty() {
            return t;
        }
        let mut level: Vec<(u32, u32, f64, u32)> = Vec::new(); // (node, count, min score, min handle)
        for chunk in v.chunks(LCAP - LCAP / 8) {
            let id = t.alloc_leaf();
            let l = &mut t.leaves[id as usize];
            for (j, &(s, h)) in chunk.iter().enumerate() {
                l.score[j] = s;
                l.h[j] = h;
            }
            l.len = chunk.len() as u32;
            l.prev = level.last().map_or(NIL, |p| p.0);
            if let Some(p) = level.last() {
                t.leaves[p.0 as usize].next = id;
            }
            level.push((id, chunk.len() as u32, chunk[0].0, chunk[0].1));
        }
        t.first = level[0].0;
        t.last = level[level.len() - 1].0;
        while level.len() > 1 {
            let mut up = Vec::with_capacity(level.len() / (ICAP - ICAP / 8) + 1);
            for chunk in level.chunks(ICAP - ICAP / 8) {
                let id = t.alloc_inner();
                let n = &mut t.inners[id as usize];
                for (j, &(c, k, s, h)) in chunk.iter().enumerate() {
                    (n.child[j], n.cnt[j], n.ks[j], n.kh[j]) = (c, k, s, h);
                }
                n.len = chunk.len() as u32;
                up.push((id, chunk.iter().map(|c| c.1).sum(), chunk[0].2, chunk[0].3));
            }
            level = up;
            t.height += 1;
        }
        t.root = level[0].0;
        t
    }
}

/// What `Tree::take` did.
#[derive(Clone, Copy, PartialEq, Debug)]
enum Took {
    Missing,
    /// Moved inside its leaf (counts unchanged).
    Moved,
    Removed,
}

/// Moves entries between the fronts/backs of two adjacent nodes' arrays so
/// the first holds `want` of the `la + lb`.
fn move_pairs<T: Copy>(a: &mut [T], b: &mut [T], la: usize, lb: usize, want: usize) {
    if want > la {
        let k = want - la;
        a[la..want].copy_from_slice(&b[..k]);
        b.copy_within(k..lb, 0);
    } else {
        let k = la - want;
        b.copy_within(0..lb, k);
        b[..k].copy_from_slice(&a[want..la]);
    }
}

/// The first index in 0..len where `pred` is false (`pred` holds for a prefix).
#[inline]
fn first_false(len: usize, pred: impl Fn(usize) -> bool) -> usize {
    let (mut lo, mut hi) = (0, len);
    while lo < hi {
        let mid = (lo + hi) / 2;
        if pred(mid) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    lo
}

/// Calls `f(score, handle)` from cursor `c` along the leaves while the score
/// is below `max`, until it returns false; false then.
#[inline(always)]
fn walk_leaves(leaves: &[Leaf], c: Cursor, max: f64, f: &mut impl FnMut(f64, u32) -> bool) -> bool {
    let (mut leaf, mut pos) = (c.leaf, c.pos as usize);
    while let Some(l) = leaves.get(leaf as usize) {
        let len = l.len as usize;
        let (ss, hs) = (l.score.get(pos..len).unwrap_or(&[]), l.h.get(pos..len).unwrap_or(&[]));
        for (&s, &h) in ss.iter().zip(hs) {
            if s >= max {
                return true;
            }
            if !f(s, h) {
                return false;
            }
        }
        if l.next == NIL {
            break;
        }
        leaf = l.next;
        pos = 0;
    }
    true
}

/// How many of the ascending `ks` are below `min`: the last key of each
/// run of 8 is compared first, then the 8 of the run where `min` falls. The
/// loads of the first pass are independent (one per cache line), so a node
/// not in cache costs about one miss, not one per probe of a binary search,
/// and there are about a quarter of the comparisons of a full count.
#[inline]
fn count_lt(ks: &[f64], min: f64) -> usize {
    let runs = ks.chunks_exact(8).map(|c| c.last().is_some_and(|&k| k < min) as usize).sum::<usize>();
    let at = runs * 8;
    at + ks.get(at..).unwrap_or(&[]).iter().take(8).map(|&k| (k < min) as usize).sum::<usize>()
}

/// An endpoint of a score range (`zrangespec`).
#[derive(Clone, Copy, Debug)]
pub struct ScoreRange {
    pub min: f64,
    pub max: f64,
    pub minex: bool,
    pub maxex: bool,
}

impl ScoreRange {
    pub fn gte_min(&self, v: f64) -> bool {
        if self.minex { v > self.min } else { v >= self.min }
    }
    pub fn lte_max(&self, v: f64) -> bool {
        if self.maxex { v < self.max } else { v <= self.max }
    }
    /// Ranges that can never match (`zslIsInRange`'s first test).
    pub fn is_empty(&self) -> bool {
        self.min > self.max || (self.min == self.max && (self.minex || self.maxex))
    }
}

/// One end of a lex range: `-`, `+`, or a string, inclusive or not.
#[derive(Clone, Debug, PartialEq)]
pub enum LexBound {
    Min,
    Max,
    Incl(Vec<u8>),
    Excl(Vec<u8>),
}

#[derive(Clone, Debug)]
pub struct LexRange {
    pub min: LexBound,
    pub max: LexBound,
}

impl LexBound {
    fn bytes(&self) -> &[u8] {
        match self {
            LexBound::Incl(b) | LexBound::Excl(b) => b,
            _ => b"",
        }
    }
    fn exclusive(&self) -> bool {
        !matches!(self, LexBound::Incl(_))
    }
}

/// `sdscmplex`: the infinities compare below/above everything.
fn cmp_lex(a: &LexBound, b: &LexBound) -> std::cmp::Ordering {
    use std::cmp::Ordering::*;
    use LexBound::*;
    match (a, b) {
        (Min, Min) | (Max, Max) => Equal,
        (Min, _) | (_, Max) => Less,
        (Max, _) | (_, Min) => Greater,
        _ => a.bytes().cmp(b.bytes()),
    }
}

fn cmp_member(m: &[u8], b: &LexBound) -> std::cmp::Ordering {
    use std::cmp::Ordering::*;
    match b {
        LexBound::Min => Greater,
        LexBound::Max => Less,
        _ => m.cmp(b.bytes()),
    }
}

impl LexRange {
    pub fn gte_min(&self, m: &[u8]) -> bool {
        let c = cmp_member(m, &self.min);
        if self.min.exclusive() { c.is_gt() } else { c.is_ge() }
    }
    pub fn lte_max(&self, m: &[u8]) -> bool {
        let c = cmp_member(m, &self.max);
        if self.max.exclusive() { c.is_lt() } else { c.is_le() }
    }
    pub fn is_empty(&self) -> bool {
        let c = cmp_lex(&self.min, &self.max);
        c.is_gt() || (c.is_eq() && (self.min.exclusive() || self.max.exclusive()))
    }
}

/// The member table: open addressing with linear probing, one `u64` a slot:
/// the hash's upper 32 bits (which also pick the home slot) and the handle + 1
/// (0 = empty). A lookup reads one slot line and then the entry whose tag
/// matches (hashbrown's separate control bytes and buckets would be one more
/// cache miss). Growth needs no member bytes: the home slot is in the tag.
#[derive(Clone, Default)]
struct Index {
    slots: Vec<u64>,
    len: usize,
}

impl Index {
    #[inline]
    fn tag(hash: u64) -> u64 {
        hash >> 32
    }
    #[inline]
    fn mask(&self) -> usize {
        self.slots.len().wrapping_sub(1)
    }
    /// The handle whose slot has `hash`'s tag and for which `eq` holds.
    #[inline]
    fn find(&self, hash: u64, eq: impl Fn(u32) -> bool) -> Option<u32> {
        if self.slots.is_empty() {
            return None;
        }
        let (tag, mask) = (Self::tag(hash), self.mask());
        let mut i = tag as usize & mask;
        loop {
            let s = self.slots[i];
            if s == 0 {
                return None;
            }
            if s >> 32 == tag {
                let h = (s as u32).wrapping_sub(1);
                if eq(h) {
                    return Some(h);
                }
            }
            i = (i + 1) & mask;
        }
    }
    /// The slot holding handle `x` (with `hash`).
    fn slot_of(&self, hash: u64, x: u32) -> Option<usize> {
        if self.slots.is_empty() {
            return None;
        }
        let want = (Self::tag(hash) << 32) | (x as u64 + 1);
        let mask = self.mask();
        let mut i = Self::tag(hash) as usize & mask;
        loop {
            match self.slots[i] {
                0 => return None,
                s if s == want => return Some(i),
                _ => i = (i + 1) & mask,
            }
        }
    }
    /// Adds handle `x` (absent) under `hash`.
    fn insert(&mut self, hash: u64, x: u32) {
        if (self.len + 1) * 4 > self.slots.len() * 3 {
            self.resize((self.slots.len() * 2).max(8));
        }
        self.put((Self::tag(hash) << 32) | (x as u64 + 1));
        self.len += 1;
    }
    fn put(&mut self, slot: u64) {
        let mask = self.mask();
        let mut i = (slot >> 32) as usize & mask;
        while self.slots[i] != 0 {
            i = (i + 1) & mask;
        }
        self.slots[i] = slot;
    }
    /// Grows the table once so that `n` more handles fit under the load
    /// factor; nothing happens when memory is short (inserts grow it later).
    fn try_reserve(&mut self, n: usize) {
        let Some(need) = self.len.checked_add(n).and_then(|t| t.checked_mul(4)) else { return };
        let mut cap = self.slots.len().max(8);
        while cap.saturating_mul(3) < need {
            cap = match cap.checked_mul(2) {
                Some(c) => c,
                None => return,
            };
        }
        if cap == self.slots.len() {
            return;
        }
        let mut slots = Vec::new();
        if slots.try_reserve_exact(cap).is_err() {
            return;
        }
        slots.resize(cap, 0);
        let old = std::mem::replace(&mut self.slots, slots);
        for s in old.into_iter().filter(|&s| s != 0) {
            self.put(s);
        }
    }
    fn resize(&mut self, cap: usize) {
        let old = std::mem::replace(&mut self.slots, vec![0; cap]);
        for s in old.into_iter().filter(|&s| s != 0) {
            self.put(s);
        }
    }
    /// Removes handle `x` (backward-shift deletion: no tombstones).
    fn remove(&mut self, hash: u64, x: u32) {
        let Some(mut hole) = self.slot_of(hash, x) else { return };
        let mask = self.mask();
        let mut i = hole;
        loop {
            i = (i + 1) & mask;
            let s = self.slots[i];
            if s == 0 {
                break;
            }
            let home = (s >> 32) as usize & mask;
            // s may fill the hole when its home is not in (hole, i].
            if (i.wrapping_sub(home) & mask) >= (i.wrapping_sub(hole) & mask) {
                self.slots[hole] = s;
                hole = i;
            }
        }
        self.slots[hole] = 0;
        self.len -= 1;
        if self.len * 8 < self.slots.len() && self.slots.len() > 64 {
            self.resize(self.slots.len() / 2);
        }
    }
    /// Handle `from` (under `hash`) is now `to`.
    fn renumber(&mut self, hash: u64, from: u32, to: u32) {
        if let Some(i) = self.slot_of(hash, from) {
            self.slots[i] = (Self::tag(hash) << 32) | (to as u64 + 1);
        }
    }
    fn heap_bytes(&self) -> usize {
        self.slots.capacity() * 8
    }
}

/// The tree form's parts, allocated once a set passes [`SMALL`] members.
#[derive(Clone)]
struct Big {
    index: Index,
    hasher: DefaultHashBuilder,
    tree: Tree,
}

/// Members up to which a set keeps the small form: `ents` alone, in order.
/// Measured (`zset_small_timing`, 20,000 sets): at 48 and 64 members the
/// small form takes a third of the bytes and answers rank, ranges and score
/// updates 2-3x faster than the tree form (fewer cache lines); only the bare
/// member lookup is slower (2-2.5x: a scan of up to 64 entries against one
/// table probe), which ZSCORE's own cost in wasm hides (notes/README-zsmall.md).
const SMALL: usize = 64;
/// A tree-form set shrinking below this many members goes back to the small form.
const SMALL_BACK: usize = SMALL / 2;

#[derive(Clone)]
pub struct ZSet {
    /// The entries: in order (position = rank = handle) in the small form,
    /// the arena of handles in the tree form.
    ents: Vec<Entry>,
    /// The member table and the tree; None in the small form.
    big: Option<Box<Big>>,
    listpack: bool,
    /// Heap bytes of long members, kept as entries come and go so
    /// `heap_bytes` is O(1): it runs after every write command.
    long_bytes: usize,
}

impl PartialEq for ZSet {
    fn eq(&self, o: &Self) -> bool {
        self.len() == o.len() && self.iter().zip(o.iter()).all(|(a, b)| a.0 == b.0 && a.1.to_bits() == b.1.to_bits())
    }
}

impl core::fmt::Debug for ZSet {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_list().entries(self.iter().map(|(m, s)| (String::from_utf8_lossy(m), s))).finish()
    }
}

impl Default for ZSet {
    fn default() -> Self {
        ZSet::new(true)
    }
}

/// Where (score, m) goes among the sorted entries `v`: how many sort before it.
#[inline]
fn small_pos(v: &[Entry], score: f64, m: &[u8]) -> usize {
    v.partition_point(|e| e.score < score || (e.score == score && e.mem.bytes() < m))
}

/// The position of `member` among the entries `v` (a linear scan). A short
/// member is compared as its length and zero-padded inline array (`Mem::new`
/// zeroes the rest), a few word compares per entry rather than a `memcmp` call.
#[inline]
fn small_find(v: &[Entry], member: &[u8]) -> Option<usize> {
    match Mem::new_short(member) {
        Some((n, key)) => v.iter().position(|e| matches!(&e.mem, Mem::Short(l, b) if *l == n && *b == key)),
        None => v.iter().position(|e| matches!(&e.mem, Mem::Long(b) if **b == *member)),
    }
}

impl ZSet {
    /// An empty sorted set, listpack-encoded or not.
    pub fn new(listpack: bool) -> ZSet {
        ZSet { ents: Vec::new(), big: None, listpack, long_bytes: 0 }
    }

    /// Makes room for `n` more members if memory allows (snapshot loads size
    /// the set once instead of growing it step by step). A set that will not
    /// fit the small form takes the tree form now.
    pub fn try_reserve(&mut self, n: usize) {
        if self.big.is_none() {
            if self.ents.len().saturating_add(n) <= SMALL {
                let _ = self.ents.try_reserve_exact(n);
                return;
            }
            self.grow();
        }
        if self.ents.try_reserve(n).is_ok() {
            if let Some(b) = &mut self.big {
                b.index.try_reserve(n);
            }
        }
    }

    /// Small form → tree form: the sorted entries' positions become handles.
    fn grow(&mut self) {
        let keys: Vec<(f64, u32)> = self.ents.iter().enumerate().map(|(i, e)| (e.score, i as u32)).collect();
        let mut b = Big { index: Index::default(), hasher: DefaultHashBuilder::default(), tree: Tree::bulk(&keys) };
        b.index.try_reserve(self.ents.len() + 1);
        for (i, e) in self.ents.iter().enumerate() {
            b.index.insert(b.hasher.hash_one(e.mem.bytes()), i as u32);
        }
        self.big = Some(Box::new(b));
    }

    /// Tree form → small form: the entries in order, the tree and table gone.
    fn shrink(&mut self) {
        let order: Vec<u32> = self.cursors().map(|c| self.key(c).1).collect();
        let mut old: Vec<Option<Entry>> = std::mem::take(&mut self.ents).into_iter().map(Some).collect();
        let mut ents = Vec::with_capacity(order.len());
        ents.extend(order.iter().filter_map(|&h| old.get_mut(h as usize).and_then(Option::take)));
        self.ents = ents;
        self.big = None;
    }

    pub fn encoding(&self) -> &'static str {
        if self.listpack { "listpack" } else { "skiplist" }
    }
    pub fn is_listpack(&self) -> bool {
        self.listpack
    }
    /// Switches the encoding flag. A listpack stores integral scores as
    /// integers (`zzlInsertAt`), so `-0` becomes `0` on the way in.
    pub fn set_listpack(&mut self, on: bool) {
        self.listpack = on;
        if on {
            let z = |s: &mut f64| {
                if *s == 0.0 {
                    *s = 0.0;
                }
            };
            self.ents.iter_mut().for_each(|e| z(&mut e.score));
            if let Some(b) = &mut self.big {
                b.tree.leaves.iter_mut().for_each(|l| l.score.iter_mut().for_each(z));
                b.tree.inners.iter_mut().for_each(|n| n.ks.iter_mut().for_each(z));
            }
        }
    }
    fn norm(&self, s: f64) -> f64 {
        if self.listpack && s == 0.0 { 0.0 } else { s }
    }
    pub fn len(&self) -> usize {
        self.ents.len()
    }
    pub fn is_empty(&self) -> bool {
        self.ents.is_empty()
    }

    fn find(&self, member: &[u8]) -> Option<u32> {
        let ents = &self.ents;
        match &self.big {
            None => small_find(ents, member).map(|i| i as u32),
            Some(b) => b.index.find(b.hasher.hash_one(member), |i| mem(ents, i) == member),
        }
    }

    /// The handle and score of `member` (for an update without a second lookup).
    pub fn lookup(&self, member: &[u8]) -> Option<(u32, f64)> {
        let x = self.find(member)?;
        Some((x, self.ents.get(x as usize)?.score))
    }
    /// The score of `member`.
    pub fn score(&self, member: &[u8]) -> Option<f64> {
        self.find(member).and_then(|i| self.ents.get(i as usize)).map(|e| e.score)
    }
    pub fn contains(&self, member: &[u8]) -> bool {
        self.find(member).is_some()
    }

    /// Adds a member known to be absent.
    pub fn insert(&mut self, member: &[u8], score: f64) {
        let score = self.norm(score);
        let m = Mem::new(member);
        self.long_bytes += m.heap();
        if self.big.is_none() && self.ents.len() >= SMALL {
            self.grow();
        }
        let ZSet { ents, big, .. } = self;
        match big {
            None => {
                let pos = small_pos(ents, score, member);
                // Exact growth: a small set's capacity stays its length.
                ents.reserve_exact(1);
                ents.insert(pos, Entry { score, mem: m });
            }
            Some(b) => {
                let x = ents.len() as u32;
                ents.push(Entry { score, mem: m });
                b.tree.insert(ents, score, x, member);
                b.index.insert(b.hasher.hash_one(member), x);
            }
        }
    }

    /// Sets the score of an existing member (O(log n)); false when absent.
    pub fn update(&mut self, member: &[u8], score: f64) -> bool {
        match self.find(member) {
            Some(x) => {
                self.update_at(x, score);
                true
            }
            None => false,
        }
    }

    /// Sets the score of the member with handle `x` (from `lookup`).
    pub fn update_at(&mut self, x: u32, score: f64) {
        let score = self.norm(score);
        let ZSet { ents, big, .. } = self;
        let x = x as usize;
        match big {
            None => {
                // The entry moves to its new place by one rotation of the
                // entries between (a score bump moves it a few places).
                let Some(e) = ents.get_mut(x) else { return };
                e.score = score;
                let (lo, rest) = ents.split_at_mut(x);
                let Some((e, hi)) = rest.split_first_mut() else { return };
                let m = e.mem.bytes();
                let below = small_pos(lo, score, m);
                if below < x {
                    if let Some(s) = ents.get_mut(below..=x) {
                        s.rotate_right(1);
                    }
                } else {
                    let above = small_pos(hi, score, m);
                    if let Some(s) = ents.get_mut(x..=x + above) {
                        s.rotate_left(1);
                    }
                }
            }
            Some(b) => {
                let Some(e) = ents.get(x) else { return };
                b.tree.rescore(ents, e.score, x as u32, e.mem.bytes(), score);
                if let Some(e) = ents.get_mut(x) {
                    e.score = score;
                }
            }
        }
    }

    /// Adds or updates; returns the previous score.
    pub fn set(&mut self, member: &[u8], score: f64) -> Option<f64> {
        match self.lookup(member) {
            Some((x, old)) => {
                if old != score {
                    self.update_at(x, score);
                }
                Some(old)
            }
            None => {
                self.insert(member, score);
                None
            }
        }
    }

    /// Removes a member; returns its score.
    pub fn remove(&mut self, member: &[u8]) -> Option<f64> {
        let x = self.find(member)?;
        let score = self.ents.get(x as usize)?.score;
        let ZSet { ents, big, .. } = self;
        let gone = match big {
            None => {
                let gone = ents.remove(x as usize);
                if ents.capacity() - ents.len() >= 4 {
                    ents.shrink_to_fit();
                }
                gone
            }
            Some(b) => {
                b.tree.remove(ents, score, x, member);
                b.index.remove(b.hasher.hash_one(member), x);
                // The last entry moves into x's place (x is valid, so `ents` is not empty).
                let last = ents.len().saturating_sub(1) as u32;
                if x != last {
                    if let Some(e) = ents.last() {
                        let (ls, lm) = (e.score, e.mem.bytes());
                        b.tree.renumber(ents, ls, last, lm, x);
                        b.index.renumber(b.hasher.hash_one(lm), last, x);
                    }
                }
                ents.swap_remove(x as usize)
            }
        };
        self.long_bytes = self.long_bytes.saturating_sub(gone.mem.heap());
        if self.ents.is_empty() {
            *self = ZSet::new(self.listpack);
            return Some(score);
        }
        let Some(b) = &self.big else { return Some(score) };
        if self.ents.len() < SMALL_BACK {
            self.shrink();
            return Some(score);
        }
        if self.ents.len() * 4 < self.ents.capacity() && self.ents.capacity() > 64 {
            self.ents.shrink_to(self.ents.len() * 2);
        }
        let t = &b.tree;
        if t.free > 64 && t.free * 2 > t.leaves.len() + t.inners.len() {
            self.rebuild();
        }
        Some(score)
    }

    /// Rebuilds the tree packed (after many removals left free nodes behind).
    fn rebuild(&mut self) {
        let v: Vec<(f64, u32)> = self.cursors().map(|c| self.key(c)).collect();
        if let Some(b) = &mut self.big {
            b.tree = Tree::bulk(&v);
        }
    }

    /// 0-based rank of `member` in ascending order.
    pub fn rank(&self, member: &[u8]) -> Option<usize> {
        let x = self.find(member)?;
        match &self.big {
            None => Some(x as usize),
            Some(b) => b.tree.locate(&self.ents, self.ents.get(x as usize)?.score, x, member).map(|c| c.1),
        }
    }

    /// A cursor at 0-based rank `r` (ascending).
    pub fn cursor_at(&self, r: usize) -> Option<Cursor> {
        if r.checked_add(1) == Some(self.len()) {
            return self.last();
        }
        match &self.big {
            None => (r < self.len()).then(|| Cursor::small(r)),
            Some(b) => b.tree.at_rank(r),
        }
    }
    pub fn first(&self) -> Option<Cursor> {
        match &self.big {
            None => (!self.ents.is_empty()).then_some(Cursor::small(0)),
            Some(b) => (b.tree.first != NIL).then_some(Cursor { leaf: b.tree.first, pos: 0 }),
        }
    }
    pub fn last(&self) -> Option<Cursor> {
        match &self.big {
            None => self.ents.len().checked_sub(1).map(Cursor::small),
            Some(b) => {
                let l = b.tree.last;
                let len = b.tree.leaves.get(l as usize).map_or(0, |l| l.len);
                (l != NIL && len > 0).then(|| Cursor { leaf: l, pos: len - 1 })
            }
        }
    }
    pub fn next(&self, c: Cursor) -> Option<Cursor> {
        match &self.big {
            None => {
                let n = (c.pos as usize).saturating_add(1);
                (c.leaf == NIL && n < self.ents.len()).then(|| Cursor::small(n))
            }
            Some(b) => {
                let l = b.tree.leaves.get(c.leaf as usize)?;
                if c.pos + 1 < l.len {
                    Some(Cursor { leaf: c.leaf, pos: c.pos + 1 })
                } else {
                    (l.next != NIL).then_some(Cursor { leaf: l.next, pos: 0 })
                }
            }
        }
    }
    pub fn prev(&self, c: Cursor) -> Option<Cursor> {
        let b = match &self.big {
            None => return (c.leaf == NIL && c.pos > 0 && (c.pos as usize) <= self.ents.len()).then(|| Cursor::small(c.pos as usize - 1)),
            Some(b) => b,
        };
        let leaves = &b.tree.leaves;
        if c.pos > 0 && leaves.get(c.leaf as usize).is_some() {
            return Some(Cursor { leaf: c.leaf, pos: c.pos - 1 });
        }
        let p = leaves.get(c.leaf as usize)?.prev;
        let len = leaves.get(p as usize)?.len;
        (len > 0).then(|| Cursor { leaf: p, pos: len - 1 })
    }
    /// Steps forward or backward.
    pub fn step(&self, c: Cursor, rev: bool) -> Option<Cursor> {
        if rev { self.prev(c) } else { self.next(c) }
    }
    /// The (score, handle) key at `c`; (0, NIL) for a stale cursor.
    fn key(&self, c: Cursor) -> (f64, u32) {
        let pos = c.pos as usize;
        let k = match &self.big {
            None if c.leaf == NIL => self.ents.get(pos).map(|e| (e.score, c.pos)),
            None => None,
            Some(b) => b.tree.leaves.get(c.leaf as usize).and_then(|l| Some((*l.score.get(pos)?, *l.h.get(pos)?))),
        };
        k.unwrap_or((0.0, NIL))
    }
    pub fn get(&self, c: Cursor) -> (&[u8], f64) {
        let (s, h) = self.key(c);
        (mem(&self.ents, h), s)
    }

    fn cursors(&self) -> impl Iterator<Item = Cursor> + '_ {
        let mut cur = self.first();
        std::iter::from_fn(move || {
            let c = cur?;
            cur = self.next(c);
            Some(c)
        })
    }
    /// Ascending iteration.
    pub fn iter(&self) -> impl Iterator<Item = (&[u8], f64)> + '_ {
        self.cursors().map(|c| self.get(c))
    }

    /// The first key for which `before` is false (`before` holds for a prefix
    /// of the order), and its rank; None (and the length) past the end.
    fn lower_bound(&self, before: impl Fn(f64, &[u8]) -> bool) -> (Option<Cursor>, usize) {
        let e = &self.ents;
        match &self.big {
            None => {
                let p = e.partition_point(|x| before(x.score, x.mem.bytes()));
                ((p < e.len()).then(|| Cursor::small(p)), p)
            }
            Some(b) => b.tree.lower_bound(|s, h| before(s, mem(e, h))),
        }
    }

    /// The first key not `before`, and its 0-based rank.
    fn first_not(&self, before: impl Fn(f64, &[u8]) -> bool) -> Option<(Cursor, usize)> {
        match self.lower_bound(before) {
            (Some(c), r) => Some((c, r)),
            _ => None,
        }
    }

    /// The last key `within`, and its 0-based rank.
    fn last_within(&self, within: impl Fn(f64, &[u8]) -> bool) -> Option<(Cursor, usize)> {
        let (c, r) = self.lower_bound(within);
        let r = r.checked_sub(1)?;
        let c = match c {
            Some(c) => self.prev(c)?,
            None => self.last()?,
        };
        Some((c, r))
    }


    fn in_score_range(&self, r: &ScoreRange) -> bool {
        if r.is_empty() {
            return false;
        }
        match (self.last(), self.first()) {
            (Some(l), Some(f)) => r.gte_min(self.get(l).1) && r.lte_max(self.get(f).1),
            _ => false,
        }
    }

    /// First member in the score range, with its rank.
    pub fn first_in_score(&self, r: &ScoreRange) -> Option<(Cursor, usize)> {
        if !self.in_score_range(r) {
            return None;
        }
        let (c, rank) = self.first_not(|s, _| !r.gte_min(s))?;
        r.lte_max(self.get(c).1).then_some((c, rank))
    }

    /// Last member in the score range, with its rank.
    pub fn last_in_score(&self, r: &ScoreRange) -> Option<(Cursor, usize)> {
        if !self.in_score_range(r) {
            return None;
        }
        let (c, rank) = self.last_within(|s, _| r.lte_max(s))?;
        r.gte_min(self.get(c).1).then_some((c, rank))
    }

    fn in_lex_range(&self, r: &LexRange) -> bool {
        if r.is_empty() {
            return false;
        }
        match (self.last(), self.first()) {
            (Some(l), Some(f)) => r.gte_min(self.get(l).0) && r.lte_max(self.get(f).0),
            _ => false,
        }
    }

    /// First member in the lex range (a listpack's linear scan when `linear`).
    pub fn first_in_lex(&self, r: &LexRange, linear: bool) -> Option<(Cursor, usize)> {
        if !self.in_lex_range(r) {
            return None;
        }
        let (c, rank) = if linear {
            let mut cur = self.first();
            let mut rank = 0;
            loop {
                let c = cur?;
                if r.gte_min(self.get(c).0) {
                    break (c, rank);
                }
                rank += 1;
                cur = self.next(c);
            }
        } else {
            self.first_not(|_, m| !r.gte_min(m))?
        };
        r.lte_max(self.get(c).0).then_some((c, rank))
    }

    /// Last member in the lex range (a listpack's backward scan when `linear`).
    pub fn last_in_lex(&self, r: &LexRange, linear: bool) -> Option<(Cursor, usize)> {
        if !self.in_lex_range(r) {
            return None;
        }
        let (c, rank) = if linear {
            let mut cur = self.last();
            let mut rank = self.len();
            loop {
                let c = cur?;
                rank -= 1;
                if r.lte_max(self.get(c).0) {
                    break (c, rank);
                }
                cur = self.prev(c);
            }
        } else {
            self.last_within(|_, m| r.lte_max(m))?
        };
        r.gte_min(self.get(c).0).then_some((c, rank))
    }

    /// The member at arena position `i` (0-based, any order): random picks and SCAN.
    pub fn at_pos(&self, i: usize) -> Option<(&[u8], f64)> {
        self.ents.get(i).map(|e| (e.mem.bytes(), e.score))
    }

    /// One SCAN step over arena positions, top down (see the module doc). A
    /// small set answers whole (cursor 0): its positions are ranks, which an
    /// insert between calls would shift past the cursor.
    pub fn scan(&self, cursor: u64, count: usize, mut f: impl FnMut(&[u8], f64)) -> u64 {
        if self.big.is_none() {
            self.ents.iter().for_each(|e| f(e.mem.bytes(), e.score));
            return 0;
        }
        let len = self.len() as u64;
        let mut top = if cursor == 0 || cursor > len { len } else { cursor };
        let mut n = 0;
        while top > 0 && n < count.max(1) {
            top -= 1;
            if let Some((m, s)) = self.at_pos(top as usize) {
                f(m, s);
            }
            n += 1;
        }
        top
    }

    // ---- geo (types/geoindex.rs): members are named by handle ----

    /// The scores of the leaf where score `s` would go (in order): a sample
    /// of the density of scores around `s` for geo k-nearest estimates, at
    /// the cost of one descent, along the path a range walk near `s` takes
    /// next. None for an empty set and in the small form (no leaves; geo
    /// k-nearest does not run on sets that small).
    pub fn leaf_around(&self, s: f64) -> Option<&[f64]> {
        let t = &self.big.as_ref()?.tree;
        let l = t.leaves.get(t.leaf_id(s)? as usize)?;
        l.score.get(..l.len as usize)
    }
    /// `range_nodes` in the small form: the entries are in order and a
    /// position is the handle.
    fn small_range(&self, min: f64, max: f64, f: &mut impl FnMut(f64, u32) -> bool) -> bool {
        let from = self.ents.partition_point(|e| e.score < min);
        for (i, e) in self.ents.iter().enumerate().skip(from) {
            if e.score >= max {
                return true;
            }
            if !f(e.score, i as u32) {
                return false;
            }
        }
        true
    }
    /// The member with handle `n`.
    pub fn node_member(&self, n: u32) -> &[u8] {
        mem(&self.ents, n)
    }
    /// Calls `f(score, handle)` for `min <= score < max` in order until it
    /// returns false (a walk over the leaves' score arrays, or the entries).
    pub fn range_nodes(&self, min: f64, max: f64, mut f: impl FnMut(f64, u32) -> bool) -> bool {
        let Some(b) = &self.big else {
            return self.small_range(min, max, &mut f);
        };
        // (a score-only bound: the first pair of score >= min, whatever its member)
        let Some(c) = b.tree.seek_score(min) else { return true };
        walk_leaves(&b.tree.leaves, c, max, &mut f)
    }

    /// `range_nodes` when `min <= score < max` holds at most about two
    /// leaves' worth of members (the range ends in the leaf where it starts,
    /// or in the next): Some(what the walk returned). None, with nothing
    /// walked, when it goes on past that: geo searches then cut it into
    /// finer ranges. One descent either way; the small form always walks.
    pub fn range_nodes_if_few(&self, min: f64, max: f64, mut f: impl FnMut(f64, u32) -> bool) -> Option<bool> {
        let Some(b) = &self.big else {
            return Some(self.small_range(min, max, &mut f));
        };
        let leaves = &b.tree.leaves;
        let Some(c) = b.tree.seek_score(min) else { return Some(true) };
        let ends = |l: &Leaf| l.score.get((l.len as usize).wrapping_sub(1)).is_none_or(|&last| last >= max);
        let first = leaves.get(c.leaf as usize)?;
        if !ends(first) && !leaves.get(first.next as usize).is_none_or(ends) {
            return None;
        }
        Some(walk_leaves(leaves, c, max, &mut f))
    }

    /// `range_nodes` over several ranges, ascending and disjoint (each one's
    /// `min` at least the previous `max`): a range that starts in the leaf
    /// where the previous one ended, or in the next, continues from there
    /// instead of descending the tree again. False when `f` stopped the walk.
    pub fn ranges_nodes(&self, ranges: &[(f64, f64)], mut f: impl FnMut(f64, u32) -> bool) -> bool {
        let Some(b) = &self.big else {
            return ranges.iter().all(|&(min, max)| self.small_range(min, max, &mut f));
        };
        let leaves = &b.tree.leaves;
        // where the previous range ended: the first pair at or past its max
        let mut at: Option<(u32, usize, f64)> = None;
        for &(min, max) in ranges {
            let start = at.and_then(|(leaf, pos, bound)| {
                if min < bound {
                    return None;
                }
                let mut leaf = leaf;
                let mut pos = pos;
                for _ in 0..2 {
                    let l = leaves.get(leaf as usize)?;
                    let len = l.len as usize;
                    let last = *l.score.get(len.checked_sub(1)?)?;
                    if last >= min {
                        let ss = l.score.get(pos..len)?;
                        return Some((leaf, pos + ss.partition_point(|&s| s < min)));
                    }
                    if l.next == NIL {
                        return None;
                    }
                    (leaf, pos) = (l.next, 0);
                }
                None
            });
            let (mut leaf, mut pos) = match start {
                Some(p) => p,
                None => match b.tree.seek_score(min) {
                    Some(c) => (c.leaf, c.pos as usize),
                    None => return true,
                },
            };
            at = None;
            'walk: while let Some(l) = leaves.get(leaf as usize) {
                let len = l.len as usize;
                // Read a word of each cache line of the next leaf, one every
                // 4 pairs: the loads overlap with this leaf's work instead of
                // stalling the next step (leaves sit at random places)
                // (only when the range goes on past this leaf)
                let next = match l.score.get(len.wrapping_sub(1)) {
                    Some(&last) if last < max => leaves.get(l.next as usize),
                    _ => None,
                };
                let mut ahead = 0u64;
                let (ss, hs) = (l.score.get(pos..len).unwrap_or(&[]), l.h.get(pos..len).unwrap_or(&[]));
                for (&s, &h) in ss.iter().zip(hs) {
                    if pos & 3 == 0 {
                        if let Some(n) = next {
                            ahead ^= match pos >> 2 {
                                0 => n.score[0].to_bits(),
                                1 => n.score[6].to_bits(),
                                2 => n.score[14].to_bits(),
                                3 => n.score[22].to_bits(),
                                4 => n.score[30].to_bits(),
                                5 => u64::from(n.h[8]),
                                6 => u64::from(n.h[24]),
                                _ => 0,
                            };
                        }
                    }
                    if s >= max {
                        at = Some((leaf, pos, max));
                        break 'walk;
                    }
                    if !f(s, h) {
                        return false;
                    }
                    pos += 1;
                }
                std::hint::black_box(ahead);
                if l.next == NIL {
                    return true;
                }
                leaf = l.next;
                pos = 0;
            }
        }
        true
    }

    /// Heap bytes, for memory accounting.
    pub fn heap_bytes(&self) -> usize {
        self.ents.capacity() * std::mem::size_of::<Entry>()
            + self.long_bytes
            + self.big.as_ref().map_or(0, |b| {
                std::mem::size_of::<Big>()
                    + b.index.heap_bytes()
                    + b.tree.leaves.capacity() * std::mem::size_of::<Leaf>()
                    + b.tree.inners.capacity() * std::mem::size_of::<Inner>()
            })
    }
}

/// A position in a sorted set (valid until the set changes): a leaf and a
/// place in it, or in the small form `NIL` and the rank.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Cursor {
    leaf: u32,
    pos: u32,
}

impl Cursor {
    fn small(rank: usize) -> Cursor {
        Cursor { leaf: NIL, pos: rank as u32 }
    }
}

/// Redis's `addReplyDouble` text: `%.17g`, with `inf` / `-inf`.
pub fn fmt_score(v: f64) -> Vec<u8> {
    g17(v).into_bytes()
}

/// Redis's `d2string` (how a listpack stores a score, as ZSCAN shows it):
/// integral values within ±LLONG_MAX/2 print as integers, else `%.17g`.
pub fn d2string(v: f64) -> Vec<u8> {
    if v.is_finite() && v != 0.0 && v.fract() == 0.0 && v.abs() <= (i64::MAX / 2) as f64 {
        return (v as i64).to_string().into_bytes();
    }
    g17(v).into_bytes()
}

/// C's `printf("%.17g", v)`.
fn g17(v: f64) -> String {
    if v.is_nan() {
        return "nan".into();
    }
    if v.is_infinite() {
        return if v > 0.0 { "inf".into() } else { "-inf".into() };
    }
    if v == 0.0 {
        return if v.is_sign_negative() { "-0".into() } else { "0".into() };
    }
    if v.fract() == 0.0 && v.abs() < 9_007_199_254_740_992.0 {
        // An integer below 2^53 has at most 16 digits: %.17g prints it exactly.
        return (v as i64).to_string();
    }
    let s = format!("{:.16e}", v.abs());
    let (mant, exp) = s.split_once('e').unwrap_or((&s, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let digits: String = mant.chars().filter(|c| c.is_ascii_digit()).collect();
    let sign = if v < 0.0 { "-" } else { "" };
    let strip = |s: String| -> String {
        if s.contains('.') {
            s.trim_end_matches('0').trim_end_matches('.').to_string()
        } else {
            s
        }
    };
    if !(-4..17).contains(&exp) {
        let m = strip(format!("{}.{}", &digits[..1], &digits[1..]));
        format!("{sign}{m}e{}{:02}", if exp < 0 { '-' } else { '+' }, exp.unsigned_abs())
    } else if exp >= 0 {
        let e = exp as usize + 1;
        format!("{sign}{}", strip(format!("{}.{}", &digits[..e], &digits[e..])))
    } else {
        let zeros = "0".repeat((-exp - 1) as usize);
        format!("{sign}{}", strip(format!("0.{zeros}{digits}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The members walked from the last to the first, in ascending order.
    fn backward(z: &ZSet) -> Vec<Vec<u8>> {
        let mut back = Vec::new();
        let mut c = z.last();
        while let Some(x) = c {
            back.push(z.get(x).0.to_vec());
            c = z.prev(x);
        }
        back.reverse();
        back
    }

    /// Checks a subtree: counts, exact least keys, order; returns (count, min key).
    fn check_node(z: &ZSet, id: u32, ht: u32, leaves: &mut Vec<u32>) -> (u32, (f64, u32)) {
        let t = tree(z);
        if ht == 0 {
            let l = &t.leaves[id as usize];
            assert!(l.len > 0, "empty leaf {id}");
            leaves.push(id);
            return (l.len, (l.score[0], l.h[0]));
        }
        let n = &t.inners[id as usize];
        assert!(n.len > 0, "empty inner {id}");
        let mut total = 0;
        for j in 0..n.len as usize {
            let (c, k) = check_node(z, n.child[j], ht - 1, leaves);
            assert_eq!(c, n.cnt[j], "count of child {j} of {id}");
            assert_eq!((k.0.to_bits(), k.1), (n.ks[j].to_bits(), n.kh[j]), "least key of child {j} of {id}");
            total += c;
        }
        (total, (n.ks[0], n.kh[0]))
    }

    /// The tree of a tree-form set (panics on a small one).
    fn tree(z: &ZSet) -> &Tree {
        &z.big.as_ref().expect("tree form").tree
    }

    fn check(z: &ZSet) {
        if z.big.is_none() {
            assert!(z.len() <= SMALL);
            for w in z.ents.windows(2) {
                let (a, b) = (&w[0], &w[1]);
                assert!(a.score < b.score || (a.score == b.score && a.mem.bytes() < b.mem.bytes()), "small order");
            }
        } else {
            check_tree(z);
        }
        check_common(z);
    }

    fn check_tree(z: &ZSet) {
        let t = tree(z);
        let mut leaves = Vec::new();
        if t.root != NIL {
            let (c, _) = check_node(z, t.root, t.height, &mut leaves);
            assert_eq!(c as usize, z.len());
        } else {
            assert!(z.is_empty());
        }
        // the leaf list is the leaves in order
        let mut linked = Vec::new();
        let mut l = t.first;
        let mut prev = NIL;
        while l != NIL {
            assert_eq!(t.leaves[l as usize].prev, prev);
            linked.push(l);
            prev = l;
            l = t.leaves[l as usize].next;
        }
        assert_eq!(t.last, prev);
        assert_eq!(linked, leaves);
        let (mut fl, mut fi) = (0, 0);
        let mut f = t.free_leaf;
        while f != NIL {
            fl += 1;
            f = t.leaves[f as usize].next;
        }
        let mut f = t.free_inner;
        while f != NIL {
            fi += 1;
            f = t.inners[f as usize].child[0];
        }
        assert_eq!(leaves.len() + fl, t.leaves.len());
        assert_eq!(t.free, fl + fi);
    }

    fn check_common(z: &ZSet) {
        let v: Vec<_> = z.iter().map(|(m, s)| (m.to_vec(), s)).collect();
        assert_eq!(v.len(), z.len());
        for w in v.windows(2) {
            assert!(w[0].1 < w[1].1 || (w[0].1 == w[1].1 && w[0].0 < w[1].0), "order {:?}", w);
        }
        for (i, (m, s)) in v.iter().enumerate() {
            assert_eq!(z.rank(m), Some(i));
            assert_eq!(z.score(m).map(f64::to_bits), Some(s.to_bits()));
            let c = z.cursor_at(i).unwrap();
            assert_eq!(z.get(c).0, &m[..]);
        }
        // backward links
        assert_eq!(backward(z), v.iter().map(|x| x.0.clone()).collect::<Vec<_>>());
    }

    #[test]
    fn count_lt_equals_a_full_count() {
        let mut r = crate::rng::Rng::new(9);
        for n in 0..=70 {
            let mut ks: Vec<f64> = (0..n).map(|_| (r.below(40) as f64) - 20.0).collect();
            ks.sort_by(f64::total_cmp);
            for min in [-21.0, -20.0, -0.5, 0.0, 3.0, 19.0, 19.5, 20.0, f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
                assert_eq!(count_lt(&ks, min), ks.iter().filter(|&&k| k < min).count(), "n={n} min={min}");
            }
        }
    }

    #[test]
    fn ranks_updates_deletes() {
        let mut z = ZSet::new(false);
        for i in 0..2000u32 {
            z.insert(format!("m{i}").as_bytes(), ((i * 7919) % 1000) as f64);
        }
        check(&z);
        for i in (0..2000u32).step_by(3) {
            assert!(z.remove(format!("m{i}").as_bytes()).is_some());
        }
        check(&z);
        for i in (1..2000u32).step_by(5) {
            z.set(format!("m{i}").as_bytes(), -(i as f64));
        }
        check(&z);
        assert_eq!(z.remove(b"nope"), None);
        while let Some(c) = z.first() {
            let m = z.get(c).0.to_vec();
            z.remove(&m);
            if z.len() % 97 == 0 {
                check(&z);
            }
        }
        assert!(z.is_empty());
        check(&z);
    }

    /// Ordered loads (ascending, descending) fill whole nodes; removals from
    /// either end, the middle, and most of the set keep the tree valid.
    #[test]
    fn ordered_loads_and_mass_removal() {
        for desc in [false, true] {
            let mut z = ZSet::new(false);
            for i in 0..20_000u32 {
                let s = if desc { -(i as f64) } else { i as f64 };
                z.insert(format!("long-member-name-{i}").as_bytes(), s);
            }
            check(&z);
            assert!(tree(&z).leaves.len() * LCAP < z.len() * 11 / 10 + LCAP, "{} leaves", tree(&z).leaves.len());
            for i in (0..20_000u32).filter(|i| i % 10 != 0) {
                z.remove(format!("long-member-name-{i}").as_bytes());
            }
            check(&z);
            assert_eq!(z.len(), 2000);
            assert!(tree(&z).leaves.len() < 200, "{} leaves after removals", tree(&z).leaves.len());
        }
        // everything with one score: ties decided by member bytes
        let mut z = ZSet::new(false);
        for i in 0..5000u32 {
            z.insert(format!("{}", (i * 7919) % 5000).as_bytes(), 0.0);
        }
        check(&z);
        for i in 0..2500u32 {
            z.update(format!("{i}").as_bytes(), 1.0);
        }
        check(&z);
    }

    /// Random operations against a sorted-Vec model: order, ranks, links, the
    /// arena after swap-removals, range starts and scans.
    #[test]
    fn model_check() {
        for keys in [40u64, 400, 3000] {
            let mut z = ZSet::new(false);
            let mut model: Vec<(f64, Vec<u8>)> = Vec::new();
            let mut g = crate::rng::Rng::new(99u64 + keys);
            let mut rnd = |n: u64| g.below(n as usize) as u64;
            for step in 0..30_000 {
                let m = if rnd(2) == 0 { format!("k{}", rnd(keys)) } else { format!("a-longer-member-{}", rnd(keys)) }.into_bytes();
                let sc = [0.0, -0.0, 1.0, 2.5, f64::INFINITY, f64::NEG_INFINITY][rnd(6) as usize] + (rnd(3) as f64);
                match rnd(5) {
                    0 | 1 => {
                        z.set(&m, sc);
                        model.retain(|e| e.1 != m);
                        model.push((sc, m.clone()));
                    }
                    2 | 3 => {
                        let had = model.iter().any(|e| e.1 == m);
                        assert_eq!(z.remove(&m).is_some(), had);
                        model.retain(|e| e.1 != m);
                    }
                    _ => {
                        let r = ScoreRange { min: rnd(4) as f64, max: rnd(6) as f64, minex: rnd(2) == 0, maxex: rnd(2) == 0 };
                        model.sort_by(|a, b| a.0.partial_cmp(&b.0).unwrap().then(a.1.cmp(&b.1)));
                        let inr: Vec<usize> = (0..model.len()).filter(|&i| r.gte_min(model[i].0) && r.lte_max(model[i].0)).collect();
                        assert_eq!(z.first_in_score(&r).map(|c| c.1), inr.first().copied());
                        assert_eq!(z.last_in_score(&r).map(|c| c.1), inr.last().copied());
                    }
                }
                if step % 1000 == 0 {
                    model.sort_by(|a, b| a.0.partial_cmp(&b.0).unwrap().then(a.1.cmp(&b.1)));
                    let got: Vec<_> = z.iter().map(|(m, s)| (s, m.to_vec())).collect();
                    assert_eq!(got.len(), model.len());
                    for (g, w) in got.iter().zip(&model) {
                        assert!(g.0 == w.0 && g.1 == w.1);
                    }
                    check(&z);
                    let mut seen = 0;
                    let mut cur = 0;
                    loop {
                        cur = z.scan(cur, 7, |_, _| seen += 1);
                        if cur == 0 {
                            break;
                        }
                    }
                    assert_eq!(seen, z.len());
                    let mut walked = Vec::new();
                    z.range_nodes(1.0, 3.0, &mut |s, n| {
                        walked.push((s, z.node_member(n).to_vec()));
                        true
                    });
                    let want: Vec<_> = model.iter().filter(|e| e.0 >= 1.0 && e.0 < 3.0).cloned().collect();
                    assert_eq!(walked, want);
                }
            }
        }
    }

    /// A deeper tree (three levels): random inserts, score moves, then
    /// removals down to a few members, checked along the way.
    #[test]
    fn deep_tree_random() {
        let mut z = ZSet::new(false);
        let mut g = crate::rng::Rng::new(7u64);
        let mut rnd = |n: u64| g.below(n as usize) as u64;
        let n = 150_000u64;
        for i in 0..n {
            z.insert(format!("p{i}").as_bytes(), rnd(1000) as f64);
        }
        assert!(tree(&z).height >= 2);
        check(&z);
        for _ in 0..50_000 {
            let m = format!("p{}", rnd(n));
            let s = z.score(m.as_bytes()).unwrap() + rnd(20) as f64 - 10.0;
            z.update(m.as_bytes(), s);
        }
        check(&z);
        let mut order: Vec<u64> = (0..n).collect();
        for i in (1..order.len()).rev() {
            order.swap(i, rnd(i as u64 + 1) as usize);
        }
        for (k, i) in order.iter().enumerate() {
            assert!(z.remove(format!("p{i}").as_bytes()).is_some());
            if k % 20_000 == 0 || (z.len() < 3000 && z.len() % 500 == 0) {
                check(&z);
            }
        }
        assert!(z.is_empty());
    }

    /// The member table with crafted hashes: clusters, wrap-around at the
    /// end of the slots, equal tags, removals (backward shifts) and resizes.
    #[test]
    fn index_probing() {
        let mut ix = Index::default();
        let mut model: Vec<(u64, u32)> = Vec::new();
        let mut g = crate::rng::Rng::new(11u64);
        let mut rnd = |n: u64| g.below(n as usize) as u64;
        for step in 0..20_000u32 {
            // few distinct tags, many near the top of the range (wrap-around)
            let hash = ([0u64, 1, 7, 8, 15, 0xFFFF_FFFF, 0xFFFF_FFFE][rnd(7) as usize] + rnd(3)) << 32;
            if rnd(3) > 0 || model.is_empty() {
                ix.insert(hash, step);
                model.push((hash, step));
            } else {
                let (h, v) = model.swap_remove(rnd(model.len() as u64) as usize);
                ix.remove(h, v);
            }
            if step % 97 == 0 {
                assert_eq!(ix.len, model.len());
                for &(h, v) in &model {
                    assert_eq!(ix.find(h, |c| c == v), Some(v));
                }
                assert_eq!(ix.find(100 << 32, |_| true), None);
            }
        }
        while let Some((h, v)) = model.pop() {
            ix.remove(h, v);
            assert_eq!(ix.find(h, |c| c == v), None);
        }
        assert_eq!(ix.len, 0);
    }

    /// Heap bytes counted the long way (capacities and long members).
    fn full_heap(z: &ZSet) -> usize {
        z.ents.capacity() * std::mem::size_of::<Entry>()
            + z.ents.iter().map(|e| e.mem.heap()).sum::<usize>()
            + z.big.as_ref().map_or(0, |b| {
                std::mem::size_of::<Big>()
                    + b.index.slots.capacity() * 8
                    + b.tree.leaves.capacity() * std::mem::size_of::<Leaf>()
                    + b.tree.inners.capacity() * std::mem::size_of::<Inner>()
            })
    }

    /// Every observable of `z` against the sorted model `m` (in Redis order).
    fn observe(z: &ZSet, m: &[(f64, Vec<u8>)], rnd: &mut impl FnMut(u64) -> u64) {
        let got: Vec<(f64, Vec<u8>)> = z.iter().map(|(k, s)| (s, k.to_vec())).collect();
        assert_eq!(got.len(), m.len());
        for (g, w) in got.iter().zip(m) {
            assert!(g.0.to_bits() == w.0.to_bits() && g.1 == w.1, "{g:?} vs {w:?}");
        }
        assert_eq!(z.len(), m.len());
        assert_eq!(z.heap_bytes(), full_heap(z));
        for (i, (s, k)) in m.iter().enumerate() {
            assert_eq!(z.rank(k), Some(i));
            assert_eq!(z.score(k).map(f64::to_bits), Some(s.to_bits()));
            let (x, s2) = z.lookup(k).unwrap();
            assert_eq!((z.node_member(x), s2.to_bits()), (&k[..], s.to_bits()));
            let c = z.cursor_at(i).unwrap();
            assert_eq!(z.get(c), (&k[..], *s));
            assert_eq!(z.next(c).map(|c| z.get(c).0.to_vec()), m.get(i + 1).map(|e| e.1.clone()));
            assert_eq!(z.prev(c).map(|c| z.get(c).0.to_vec()), i.checked_sub(1).map(|j| m[j].1.clone()));
            assert_eq!(z.step(c, true), z.prev(c));
        }
        assert!(z.cursor_at(m.len()).is_none());
        assert!(!z.contains(b"absent member"));
        assert_eq!(z.rank(b"absent member"), None);
        assert_eq!(z.first().map(|c| z.get(c).0.to_vec()), m.first().map(|e| e.1.clone()));
        assert_eq!(z.last().map(|c| z.get(c).0.to_vec()), m.last().map(|e| e.1.clone()));
        assert_eq!(backward(z), m.iter().map(|e| e.1.clone()).collect::<Vec<_>>());
        // arena positions hold every member once
        let mut pos: Vec<Vec<u8>> = (0..z.len()).map(|i| z.at_pos(i).unwrap().0.to_vec()).collect();
        pos.sort();
        let mut want: Vec<Vec<u8>> = m.iter().map(|e| e.1.clone()).collect();
        want.sort();
        assert_eq!(pos, want);
        assert!(z.at_pos(z.len()).is_none());
        // score ranges
        for _ in 0..4 {
            let pts = [f64::NEG_INFINITY, -1.0, 0.0, 1.0, 2.0, 3.5, f64::INFINITY];
            let r = ScoreRange {
                min: pts[rnd(7) as usize],
                max: pts[rnd(7) as usize],
                minex: rnd(2) == 0,
                maxex: rnd(2) == 0,
            };
            let inr: Vec<usize> = (0..m.len()).filter(|&i| r.gte_min(m[i].0) && r.lte_max(m[i].0)).collect();
            let f = z.first_in_score(&r);
            assert_eq!(f.map(|c| c.1), inr.first().copied());
            assert_eq!(f.map(|c| z.get(c.0).0.to_vec()), inr.first().map(|&i| m[i].1.clone()));
            let l = z.last_in_score(&r);
            assert_eq!(l.map(|c| c.1), inr.last().copied());
            assert_eq!(l.map(|c| z.get(c.0).0.to_vec()), inr.last().map(|&i| m[i].1.clone()));
            let mut walked = Vec::new();
            z.range_nodes(r.min, r.max, |s, n| {
                walked.push((s.to_bits(), z.node_member(n).to_vec()));
                true
            });
            let want: Vec<_> = m.iter().filter(|e| e.0 >= r.min && e.0 < r.max).map(|e| (e.0.to_bits(), e.1.clone())).collect();
            assert_eq!(walked, want);
            let mut one = 0;
            assert!(!z.range_nodes(r.min, r.max, &mut |_, _| {
                one += 1;
                false
            }) || want.is_empty());
        }
        // lex ranges: the linear scans always; the descent when all scores tie
        let ties = m.windows(2).all(|w| w[0].0 == w[1].0);
        for _ in 0..4 {
            let b = |v: u64, lo: bool| -> LexBound {
                let s = format!("k{}", v % (2 * SMALL as u64 + 20)).into_bytes();
                match v % 4 {
                    0 if lo => LexBound::Min,
                    0 => LexBound::Max,
                    1 => LexBound::Excl(s),
                    _ => LexBound::Incl(s),
                }
            };
            let r = LexRange { min: b(rnd(1000), true), max: b(rnd(1000), false) };
            for linear in [true, false] {
                if !linear && !ties {
                    continue;
                }
                let f = z.first_in_lex(&r, linear).map(|c| (c.1, z.get(c.0).0.to_vec()));
                let l = z.last_in_lex(&r, linear).map(|c| (c.1, z.get(c.0).0.to_vec()));
                let (wf, wl) = if r.is_empty() || m.is_empty() || !(r.gte_min(&m[m.len() - 1].1) && r.lte_max(&m[0].1)) {
                    (None, None)
                } else if linear {
                    let i = m.iter().position(|e| r.gte_min(&e.1));
                    let j = m.iter().rposition(|e| r.lte_max(&e.1));
                    (
                        i.filter(|&i| r.lte_max(&m[i].1)).map(|i| (i, m[i].1.clone())),
                        j.filter(|&j| r.gte_min(&m[j].1)).map(|j| (j, m[j].1.clone())),
                    )
                } else {
                    let inr: Vec<usize> = (0..m.len()).filter(|&i| r.gte_min(&m[i].1) && r.lte_max(&m[i].1)).collect();
                    (inr.first().map(|&i| (i, m[i].1.clone())), inr.last().map(|&i| (i, m[i].1.clone())))
                };
                assert_eq!((f, l), (wf, wl), "lex {r:?} linear {linear}");
            }
        }
    }

    /// Random operations that take sets across the small/tree boundary both
    /// ways, every observable compared with a sorted Vec after each step;
    /// SCAN keeps its guarantee across mutations and conversions.
    #[test]
    fn small_and_tree_forms() {
        let mut g = crate::rng::Rng::new(2024u64);
        let mut rnd = |n: u64| g.below(n as usize) as u64;
        let sort = |m: &mut Vec<(f64, Vec<u8>)>| m.sort_by(|a, b| a.0.partial_cmp(&b.0).unwrap().then(a.1.cmp(&b.1)));
        let (mut grown, mut shrunk) = (0, 0);
        for round in 0..6 {
            let mut z = ZSet::new(round % 2 == 0);
            let lp = z.is_listpack();
            let mut model: Vec<(f64, Vec<u8>)> = Vec::new();
            let one_score = round >= 4; // lex descents are defined on single-score sets
            // (scan cursor, members present since the scan began, members seen)
            type Scan = (u64, Vec<Vec<u8>>, Vec<Vec<u8>>);
            let mut scan: Option<Scan> = None;
            let mut target = SMALL + 20;
            for step in 0..8000 {
                if step % 400 == 0 {
                    target = [0, 3, SMALL - 1, SMALL, SMALL + 1, SMALL_BACK - 1, SMALL_BACK, 2 * SMALL + 10][rnd(8) as usize];
                }
                let was_big = z.big.is_some();
                let k = rnd(2 * SMALL as u64 + 20);
                let mem = if k % 3 == 0 { format!("k{k}-a-longer-member-name") } else { format!("k{k}") }.into_bytes();
                let sc = if one_score {
                    0.0
                } else {
                    [0.0, -0.0, 1.0, 2.5, -1.0, f64::INFINITY, f64::NEG_INFINITY][rnd(7) as usize] + rnd(3) as f64
                };
                let want_sc = if lp && sc == 0.0 { 0.0 } else { sc };
                let grow = model.len() < target;
                match rnd(10) {
                    0..=3 if grow || rnd(3) == 0 => {
                        let old = z.set(&mem, sc);
                        let had = model.iter().position(|e| e.1 == mem);
                        assert_eq!(old.map(f64::to_bits), had.map(|i| model[i].0.to_bits()));
                        match had {
                            Some(i) if model[i].0 != sc => model[i].0 = want_sc,
                            Some(_) => {}
                            None => model.push((want_sc, mem.clone())),
                        }
                    }
                    4 => {
                        if let Some((h, s)) = z.lookup(&mem) {
                            let ns = s + 1.5;
                            z.update_at(h, ns);
                            model.iter_mut().filter(|e| e.1 == mem).for_each(|e| e.0 = ns);
                        } else {
                            assert!(!z.update(&mem, 1.0));
                            assert!(!model.iter().any(|e| e.1 == mem));
                        }
                    }
                    5 if !grow => {
                        // pop the first or last
                        let c = if rnd(2) == 0 { z.first() } else { z.last() };
                        if let Some(c) = c {
                            let m = z.get(c).0.to_vec();
                            assert!(z.remove(&m).is_some());
                            model.retain(|e| e.1 != m);
                        }
                    }
                    6 => {
                        if rnd(30) == 0 {
                            z.try_reserve(rnd(40) as usize);
                        }
                        if rnd(20) == 0 {
                            let c = z.clone();
                            assert_eq!(c, z);
                            assert_eq!(c.heap_bytes(), full_heap(&c));
                        }
                    }
                    _ => {
                        let had = model.iter().position(|e| e.1 == mem);
                        assert_eq!(z.remove(&mem).map(f64::to_bits), had.map(|i| model[i].0.to_bits()));
                        model.retain(|e| e.1 != mem);
                    }
                }
                sort(&mut model);
                match (was_big, z.big.is_some()) {
                    (false, true) => grown += 1,
                    (true, false) => shrunk += 1,
                    _ => {}
                }
                assert!(z.big.is_some() || z.len() <= SMALL);
                if step % 7 == 0 || model.len().abs_diff(SMALL) < 3 || model.len().abs_diff(SMALL_BACK) < 2 {
                    observe(&z, &model, &mut rnd);
                    check(&z);
                }
                // SCAN, one step per operation
                let (cur, mut present, mut seen) = scan.take().unwrap_or_else(|| (0, model.iter().map(|e| e.1.clone()).collect(), Vec::new()));
                present.retain(|p| model.iter().any(|e| &e.1 == p));
                let next = z.scan(cur, 1 + rnd(4) as usize, |k, s| {
                    assert_eq!(model.iter().find(|e| e.1 == k).map(|e| e.0.to_bits()), Some(s.to_bits()));
                    seen.push(k.to_vec());
                });
                if next == 0 {
                    for p in &present {
                        assert!(seen.contains(p), "scan missed {:?}", String::from_utf8_lossy(p));
                    }
                } else {
                    scan = Some((next, present, seen));
                }
            }
        }
        assert!(grown > 5 && shrunk > 5, "grown {grown} shrunk {shrunk}");
    }

    #[test]
    fn heap_bytes_is_kept() {
        let mut z = ZSet::new(false);
        let full = full_heap;
        for i in 0..3000u32 {
            z.insert(format!("member{i}").repeat(1 + i as usize % 3).as_bytes(), i as f64);
        }
        assert_eq!(z.heap_bytes(), full(&z));
        for i in (0..3000u32).step_by(2) {
            z.remove(format!("member{i}").repeat(1 + i as usize % 3).as_bytes());
        }
        assert_eq!(z.heap_bytes(), full(&z));
        assert_eq!(z.clone().heap_bytes(), full(&z.clone()));
    }

    #[test]
    fn ties_zero_and_inf() {
        let mut z = ZSet::new(false);
        z.insert(b"b", 0.0);
        z.insert(b"a", -0.0);
        z.insert(b"c", f64::INFINITY);
        z.insert(b"d", f64::NEG_INFINITY);
        z.insert(b"aa", 0.0);
        let order: Vec<_> = z.iter().map(|(m, _)| m.to_vec()).collect();
        assert_eq!(order, [&b"d"[..], b"a", b"aa", b"b", b"c"]);
        assert_eq!(g17(z.score(b"a").unwrap()), "-0");
        // A listpack stores an integral score as an integer: -0 becomes 0.
        let mut lp = ZSet::new(true);
        lp.insert(b"a", -0.0);
        assert_eq!(g17(lp.score(b"a").unwrap()), "0");
        check(&z);
        let r = ScoreRange { min: 0.0, max: f64::INFINITY, minex: false, maxex: true };
        assert_eq!(z.first_in_score(&r).map(|x| x.1), Some(1));
        assert_eq!(z.last_in_score(&r).map(|x| x.1), Some(3));
        let lr = LexRange { min: LexBound::Excl(b"a".to_vec()), max: LexBound::Max };
        // A listpack scans linearly: with mixed scores "d" (first) is already > "a".
        assert_eq!(z.first_in_lex(&lr, true).map(|x| x.1), Some(0));
        // (The tree's descent answers differently: unspecified in Redis, see the README.)
    }

    #[test]
    fn formatting() {
        assert_eq!(g17(0.1), "0.10000000000000001");
        assert_eq!(g17(1.0), "1");
        assert_eq!(g17(-42.0), "-42");
        assert_eq!(g17(9007199254740991.0), "9007199254740991");
        assert_eq!(g17(9007199254740992.0), "9007199254740992");
        assert_eq!(g17(123456789012345680.0), "1.2345678901234568e+17");
        assert_eq!(g17(1e17), "1e+17");
        assert_eq!(g17(123456.5), "123456.5");
        assert_eq!(g17(1e-5), "1.0000000000000001e-05");
        assert_eq!(g17(-2.5e-4), "-0.00025000000000000001");
        assert_eq!(d2string(1e17), b"100000000000000000");
        assert_eq!(d2string(1.5), b"1.5");
        assert_eq!(d2string(-0.0), b"-0");
    }
}

#[cfg(test)]
mod timing {
    use super::*;

    /// CPU time of this thread (the machine is shared: wall time is noisy).
    fn cpu_time() -> std::time::Duration {
        let s = std::fs::read_to_string("/proc/thread-self/schedstat").unwrap_or_default();
        std::time::Duration::from_nanos(s.split_whitespace().next().and_then(|v| v.parse().ok()).unwrap_or(0))
    }

    /// Native microbenchmark at 1,000,000 members (the leaderboard's shape):
    /// `cargo test --release --lib zset_timing -- --ignored --nocapture`
    #[test]
    #[ignore]
    fn zset_timing() {
        let cpu = cpu_time;
        let n: u32 = std::env::var("ZSET_N").ok().and_then(|v| v.parse().ok()).unwrap_or(1_000_000);
        let ops = 200_000;
        let mut g = crate::rng::Rng::new(42u64);
        let mut rnd = |m: u64| g.below(m as usize) as u64;
        let members: Vec<Vec<u8>> = (0..n).map(|i| format!("player:{i:07}").into_bytes()).collect();
        let scores: Vec<f64> = (0..n).map(|_| rnd(1_000_000) as f64).collect();
        let picks: Vec<usize> = (0..ops).map(|_| rnd(n as u64) as usize).collect();
        let mut z = ZSet::new(false);
        let t = cpu();
        for (m, &s) in members.iter().zip(&scores) {
            z.insert(m, s);
        }
        let rate = |d: std::time::Duration, k: usize| k as f64 / d.as_secs_f64() / 1e3;
        eprintln!("insert: {:.0}k/s", rate(cpu() - t, n as usize));
        let t = cpu();
        for (i, &p) in picks.iter().enumerate() {
            let m = &members[p];
            let s = z.score(m).unwrap_or(0.0) + 1.0 + (i % 100) as f64;
            z.update(m, s);
        }
        eprintln!("incr: {:.0}k/s", rate(cpu() - t, ops));
        let t = cpu();
        let mut sum = 0;
        for &p in &picks {
            sum += z.rank(&members[p]).unwrap_or(0);
        }
        eprintln!("rank: {:.0}k/s ({sum})", rate(cpu() - t, ops));
        let t = cpu();
        for _ in 0..ops {
            let mut c = z.cursor_at(z.len() - 1);
            for _ in 0..10 {
                let Some(x) = c else { break };
                sum += z.get(x).0.len();
                c = z.prev(x);
            }
        }
        eprintln!("top10: {:.0}k/s ({sum})", rate(cpu() - t, ops));
        eprintln!("heap: {:.1} B/member", z.heap_bytes() as f64 / n as f64);
    }

    /// Small sets (1 to 32 members): the type's operations and the commands,
    /// with heap bytes per set (`size_of::<ZSet>() + heap_bytes`, native widths):
    /// `cargo test --release --lib zset_small_timing -- --ignored --nocapture`
    #[test]
    #[ignore]
    fn zset_small_timing() {
        let cpu = cpu_time;
        let mut g = crate::rng::Rng::new(42u64);
        let mut rnd = |m: u64| g.below(m as usize) as u64;
        let ns = |d: std::time::Duration, k: usize| d.as_secs_f64() * 1e9 / k as f64;
        let ops = 400_000usize;
        for k in [1usize, 3, 5, 8, 16, 24, 32, 48, 64] {
            let nsets = 20_000usize;
            let members: Vec<Vec<u8>> = (0..k).map(|j| format!("member:{j}").into_bytes()).collect();
            let mut sets: Vec<ZSet> = (0..nsets).map(|_| ZSet::new(true)).collect();
            let t = cpu();
            for z in sets.iter_mut() {
                for m in &members {
                    z.set(m, rnd(1000) as f64);
                }
            }
            let add = ns(cpu() - t, nsets * k);
            let picks: Vec<(usize, usize)> = (0..ops).map(|_| (rnd(nsets as u64) as usize, rnd(k as u64) as usize)).collect();
            let mut sum = 0.0;
            let t = cpu();
            for &(i, j) in &picks {
                sum += sets[i].score(&members[j]).unwrap_or(0.0);
            }
            let score = ns(cpu() - t, ops);
            let t = cpu();
            for &(i, j) in &picks {
                sum += sets[i].rank(&members[j]).unwrap_or(0) as f64;
            }
            let rank = ns(cpu() - t, ops);
            let t = cpu();
            for &(i, _) in &picks {
                sum += sets[i].iter().map(|(m, s)| m.len() as f64 + s).sum::<f64>();
            }
            let range = ns(cpu() - t, ops);
            let t = cpu();
            for &(i, j) in &picks {
                let z = &mut sets[i];
                let s = z.score(&members[j]).unwrap_or(0.0) + rnd(100) as f64 - 50.0;
                z.update(&members[j], s);
            }
            let incr = ns(cpu() - t, ops);
            let t = cpu();
            for z in sets.iter_mut() {
                for m in &members {
                    z.remove(m);
                }
            }
            let del = ns(cpu() - t, nsets * k);
            let bytes = {
                let mut z = ZSet::new(true);
                for m in &members {
                    z.set(m, rnd(1000) as f64);
                }
                std::mem::size_of::<ZSet>() + z.heap_bytes()
            };
            eprintln!(
                "k={k:2}: add {add:.0} score {score:.0} rank {rank:.0} range {range:.0} incr {incr:.0} del {del:.0} ns/op; {bytes} B/set ({sum})"
            );
        }
        // Commands on 20,000 keys of k members (dispatch included).
        for k in [1usize, 5, 16, 32] {
            let mut st = crate::Store::new();
            let nkeys = 20_000usize;
            let keys: Vec<Vec<u8>> = (0..nkeys).map(|i| format!("zs:{i}").into_bytes()).collect();
            let members: Vec<Vec<u8>> = (0..k).map(|j| format!("member:{j}").into_bytes()).collect();
            let t = cpu();
            for key in &keys {
                for m in &members {
                    st.exec(&[&b"ZADD"[..], key, format!("{}", rnd(1000)).as_bytes(), m]);
                }
            }
            let add = ns(cpu() - t, nkeys * k);
            let picks: Vec<(usize, usize)> = (0..ops / 2).map(|_| (rnd(nkeys as u64) as usize, rnd(k as u64) as usize)).collect();
            let mut line = format!("cmd k={k:2}: ZADD {add:.0}");
            for cmd in ["ZSCORE", "ZRANK", "ZRANGE", "ZINCRBY"] {
                let t = cpu();
                for &(i, j) in &picks {
                    match cmd {
                        "ZRANGE" => st.exec(&[&b"ZRANGE"[..], &keys[i], b"0", b"-1", b"WITHSCORES"]),
                        "ZINCRBY" => st.exec(&[&b"ZINCRBY"[..], &keys[i], b"7", &members[j]]),
                        _ => st.exec(&[cmd.as_bytes(), &keys[i], &members[j]]),
                    };
                }
                line += &format!(" {cmd} {:.0}", ns(cpu() - t, picks.len()));
            }
            eprintln!("{line} ns/op");
        }
    }
}
