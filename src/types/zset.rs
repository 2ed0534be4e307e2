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
//! `renumber` on a removal). Handles are `u32` (`NIL` reserved): more than
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
        if m.len() <= INLINE {
            let mut b = [0; INLINE];
            b[..m.len()].copy_from_slice(m);
            Mem::Short(m.len() as u8, b)
        } else {
            Mem::Long(m.into())
        }
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

    /// The first key for which `before` is false (`before` holds for a prefix
    /// of the order), and its rank; None (and the length) past the end.
    /// `lower_bound` without the rank (no counts summed on the way down).
    fn seek(&self, before: impl Fn(f64, u32) -> bool) -> Option<Cursor> {
        if self.root == NIL {
            return None;
        }
        let mut id = self.root;
        for _ in 0..self.height {
            let n = &self.inners[id as usize];
            let i = first_false(n.len as usize, |j| before(n.ks[j], n.kh[j])).saturating_sub(1);
            id = n.child[i];
        }
        let l = &self.leaves[id as usize];
        let len = l.len as usize;
        let pos = first_false(len, |j| before(l.score[j], l.h[j]));
        if pos < len {
            Some(Cursor { leaf: id, pos: pos as u32 })
        } else {
            (l.next != NIL).then_some(Cursor { leaf: l.next, pos: 0 })
        }
    }

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

#[derive(Clone)]
pub struct ZSet {
    ents: Vec<Entry>,
    index: Index,
    hasher: DefaultHashBuilder,
    tree: Tree,
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

impl ZSet {
    /// An empty sorted set, listpack-encoded or not.
    pub fn new(listpack: bool) -> ZSet {
        ZSet {
            ents: Vec::new(),
            index: Index::default(),
            hasher: DefaultHashBuilder::default(),
            tree: Tree::new(),
            listpack,
            long_bytes: 0,
        }
    }

    /// Makes room for `n` more members if memory allows (snapshot loads size
    /// the set once instead of growing it step by step).
    pub fn try_reserve(&mut self, n: usize) {
        if self.ents.try_reserve(n).is_ok() {
            self.index.try_reserve(n);
        }
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
            self.tree.leaves.iter_mut().for_each(|l| l.score.iter_mut().for_each(z));
            self.tree.inners.iter_mut().for_each(|n| n.ks.iter_mut().for_each(z));
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
        let h = self.hasher.hash_one(member);
        let ents = &self.ents;
        self.index.find(h, |i| mem(ents, i) == member)
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
        let x = self.ents.len() as u32;
        let m = Mem::new(member);
        self.long_bytes += m.heap();
        self.ents.push(Entry { score, mem: m });
        self.tree.insert(&self.ents, score, x, member);
        self.index.insert(self.hasher.hash_one(member), x);
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
        let Some(e) = self.ents.get(x as usize) else { return };
        let old = e.score;
        let m = e.mem.bytes();
        self.tree.rescore(&self.ents, old, x, m, score);
        if let Some(e) = self.ents.get_mut(x as usize) {
            e.score = score;
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
        self.tree.remove(&self.ents, score, x, member);
        self.index.remove(self.hasher.hash_one(member), x);
        // The last entry moves into x's place (x is valid, so `ents` is not empty).
        let last = self.ents.len().saturating_sub(1) as u32;
        if x != last {
            if let Some(e) = self.ents.last() {
                let (ls, lm) = (e.score, e.mem.bytes());
                self.tree.renumber(&self.ents, ls, last, lm, x);
                self.index.renumber(self.hasher.hash_one(lm), last, x);
            }
        }
        let gone = self.ents.swap_remove(x as usize);
        self.long_bytes = self.long_bytes.saturating_sub(gone.mem.heap());
        if self.ents.is_empty() {
            *self = ZSet::new(self.listpack);
        } else if self.ents.len() * 4 < self.ents.capacity() && self.ents.capacity() > 64 {
            self.ents.shrink_to(self.ents.len() * 2);
        }
        let t = &self.tree;
        if t.free > 64 && t.free * 2 > t.leaves.len() + t.inners.len() {
            self.rebuild();
        }
        Some(score)
    }

    /// Rebuilds the tree packed (after many removals left free nodes behind).
    fn rebuild(&mut self) {
        let v: Vec<(f64, u32)> = self.cursors().map(|c| self.key(c)).collect();
        self.tree = Tree::bulk(&v);
    }

    /// 0-based rank of `member` in ascending order.
    pub fn rank(&self, member: &[u8]) -> Option<usize> {
        let x = self.find(member)?;
        self.tree.locate(&self.ents, self.ents.get(x as usize)?.score, x, member).map(|c| c.1)
    }

    /// A cursor at 0-based rank `r` (ascending).
    pub fn cursor_at(&self, r: usize) -> Option<Cursor> {
        if r.checked_add(1) == Some(self.len()) {
            return self.last();
        }
        self.tree.at_rank(r)
    }
    pub fn first(&self) -> Option<Cursor> {
        (self.tree.first != NIL).then_some(Cursor { leaf: self.tree.first, pos: 0 })
    }
    pub fn last(&self) -> Option<Cursor> {
        let l = self.tree.last;
        let len = self.tree.leaves.get(l as usize).map_or(0, |l| l.len);
        (l != NIL && len > 0).then(|| Cursor { leaf: l, pos: len - 1 })
    }
    pub fn next(&self, c: Cursor) -> Option<Cursor> {
        let l = self.tree.leaves.get(c.leaf as usize)?;
        if c.pos + 1 < l.len {
            Some(Cursor { leaf: c.leaf, pos: c.pos + 1 })
        } else {
            (l.next != NIL).then_some(Cursor { leaf: l.next, pos: 0 })
        }
    }
    pub fn prev(&self, c: Cursor) -> Option<Cursor> {
        if c.pos > 0 {
            return Some(Cursor { leaf: c.leaf, pos: c.pos - 1 });
        }
        let p = self.tree.leaves.get(c.leaf as usize)?.prev;
        let len = self.tree.leaves.get(p as usize)?.len;
        (len > 0).then(|| Cursor { leaf: p, pos: len - 1 })
    }
    /// Steps forward or backward.
    pub fn step(&self, c: Cursor, rev: bool) -> Option<Cursor> {
        if rev { self.prev(c) } else { self.next(c) }
    }
    /// The (score, handle) key at `c`.
    fn key(&self, c: Cursor) -> (f64, u32) {
        let (leaf, pos) = (self.tree.leaves.get(c.leaf as usize), c.pos as usize);
        match leaf.and_then(|l| Some((*l.score.get(pos)?, *l.h.get(pos)?))) {
            Some(k) => k,
            None => (0.0, NIL),
        }
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

    /// The first key not `before`, and its 0-based rank.
    fn first_not(&self, before: impl Fn(f64, &[u8]) -> bool) -> Option<(Cursor, usize)> {
        let e = &self.ents;
        match self.tree.lower_bound(|s, h| before(s, mem(e, h))) {
            (Some(c), r) => Some((c, r)),
            _ => None,
        }
    }

    /// The last key `within`, and its 0-based rank.
    fn last_within(&self, within: impl Fn(f64, &[u8]) -> bool) -> Option<(Cursor, usize)> {
        let e = &self.ents;
        let (c, r) = self.tree.lower_bound(|s, h| within(s, mem(e, h)));
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

    /// One SCAN step over arena positions, top down (see the module doc).
    pub fn scan(&self, cursor: u64, count: usize, mut f: impl FnMut(&[u8], f64)) -> u64 {
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

    /// How many members score below `s` (a rank: geo density estimates).
    pub fn count_below(&self, s: f64) -> usize {
        self.tree.lower_bound(|x, _| x < s).1
    }
    /// The member with handle `n`.
    pub fn node_member(&self, n: u32) -> &[u8] {
        mem(&self.ents, n)
    }
    /// Calls `f(score, handle)` for `min <= score < max` in order until it
    /// returns false (a walk over the leaves' score arrays).
    pub fn range_nodes(&self, min: f64, max: f64, mut f: impl FnMut(f64, u32) -> bool) -> bool {
        // (a score-only bound: the first pair of score >= min, whatever its member)
        let Some(c) = self.tree.seek(|s, _| s < min) else { return true };
        let (mut leaf, mut pos) = (c.leaf, c.pos as usize);
        while let Some(l) = self.tree.leaves.get(leaf as usize) {
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

    /// `range_nodes` over several ranges, ascending and disjoint (each one's
    /// `min` at least the previous `max`): a range that starts in the leaf
    /// where the previous one ended, or in the next, continues from there
    /// instead of descending the tree again. False when `f` stopped the walk.
    pub fn ranges_nodes(&self, ranges: &[(f64, f64)], mut f: impl FnMut(f64, u32) -> bool) -> bool {
        let leaves = &self.tree.leaves;
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
                None => match self.tree.seek(|s, _| s < min) {
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
            + self.index.heap_bytes()
            + self.tree.leaves.capacity() * std::mem::size_of::<Leaf>()
            + self.tree.inners.capacity() * std::mem::size_of::<Inner>()
    }
}

/// A position in a sorted set (valid until the set changes).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Cursor {
    leaf: u32,
    pos: u32,
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

    /// Checks a subtree: counts, exact least keys, order; returns (count, min key).
    fn check_node(z: &ZSet, id: u32, ht: u32, leaves: &mut Vec<u32>) -> (u32, (f64, u32)) {
        let t = &z.tree;
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

    fn check(z: &ZSet) {
        let t = &z.tree;
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
        let mut back = Vec::new();
        let mut c = z.last();
        while let Some(x) = c {
            back.push(z.get(x).0.to_vec());
            c = z.prev(x);
        }
        back.reverse();
        assert_eq!(back, v.iter().map(|x| x.0.clone()).collect::<Vec<_>>());
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
            assert!(z.tree.leaves.len() * LCAP < z.len() * 11 / 10 + LCAP, "{} leaves", z.tree.leaves.len());
            for i in (0..20_000u32).filter(|i| i % 10 != 0) {
                z.remove(format!("long-member-name-{i}").as_bytes());
            }
            check(&z);
            assert_eq!(z.len(), 2000);
            assert!(z.tree.leaves.len() < 200, "{} leaves after removals", z.tree.leaves.len());
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
            let mut x = 99u64 + keys;
            let mut rnd = |n: u64| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                x % n
            };
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
        let mut x = 7u64;
        let mut rnd = |n: u64| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x % n
        };
        let n = 150_000u64;
        for i in 0..n {
            z.insert(format!("p{i}").as_bytes(), rnd(1000) as f64);
        }
        assert!(z.tree.height >= 2);
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
        let mut x = 11u64;
        let mut rnd = |n: u64| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x % n
        };
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

    #[test]
    fn heap_bytes_is_kept() {
        let mut z = ZSet::new(false);
        let full = |z: &ZSet| {
            z.ents.capacity() * std::mem::size_of::<Entry>()
                + z.ents.iter().map(|e| e.mem.heap()).sum::<usize>()
                + z.index.slots.capacity() * 8
                + z.tree.leaves.capacity() * std::mem::size_of::<Leaf>()
                + z.tree.inners.capacity() * std::mem::size_of::<Inner>()
        };
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
    /// Native microbenchmark at 1,000,000 members (the leaderboard's shape):
    /// `cargo test --release --lib zset_timing -- --ignored --nocapture`
    #[test]
    #[ignore]
    fn zset_timing() {
        let n: u32 = std::env::var("ZSET_N").ok().and_then(|v| v.parse().ok()).unwrap_or(1_000_000);
        let ops = 200_000;
        let mut x = 42u64;
        let mut rnd = move |m: u64| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x % m
        };
        let members: Vec<Vec<u8>> = (0..n).map(|i| format!("player:{i:07}").into_bytes()).collect();
        let scores: Vec<f64> = (0..n).map(|_| rnd(1_000_000) as f64).collect();
        let picks: Vec<usize> = (0..ops).map(|_| rnd(n as u64) as usize).collect();
        // CPU time of this thread (the machine is shared: wall time is noisy).
        let cpu = || -> std::time::Duration {
            let s = std::fs::read_to_string("/proc/thread-self/schedstat").unwrap_or_default();
            std::time::Duration::from_nanos(s.split_whitespace().next().and_then(|v| v.parse().ok()).unwrap_or(0))
        };
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
}
