//! The sorted set: an order-statistic skiplist with spans (Redis's `zskiplist`)
//! kept in an arena (`Vec` of nodes linked by `u32` indexes, no `unsafe`), plus
//! a hash table from member to node, so score lookup is O(1) and rank, insert,
//! delete, score update and range starts are O(log n).
//!
//! Order is Redis's: by score, ties by member bytes (`memcmp`, shorter first);
//! `-0.0` and `0.0` compare equal. Node 0 is the header. The arena is dense
//! (a removal moves the last node into the hole and relinks it), so a uniform
//! random member is one index and a cursor over positions gives ZSCAN with the
//! usual guarantee (the moved node was already visited by the top-down scan).
//!
//! Redis 7.0 shows two encodings, `listpack` and `skiplist`; both answer from
//! the same order, so the encoding is a flag here. Where the listpack's linear
//! scans differ observably from the skiplist's descent (lex ranges over mixed
//! scores, which Redis leaves unspecified), the `linear` variants reproduce it.
//!
//! Also here: Redis's score formatting (`%.17g` replies, `d2string` storage).

use super::geoindex::GeoIndex;
use core::hash::BuildHasher;
use hashbrown::{DefaultHashBuilder, HashTable};

const NIL: u32 = u32::MAX;
const MAX_LEVEL: usize = 32;

/// Packed to 4-byte alignment: 20 bytes instead of 24, in every node and tower.
#[derive(Clone, Copy, Debug, PartialEq)]
#[repr(C, packed(4))]
struct Link {
    next: u32,
    span: u32,
    /// The score of `next` (when not NIL), so a search decides each step from
    /// the link it already holds. Kept by `link_in`, `unlink`, `update` and
    /// `set_listpack`.
    nscore: f64,
    /// Where `next`'s upper levels start in the tower arena, so a search
    /// reads them without touching `next`'s node: together with `nscore`, one
    /// cache miss per step at a million members instead of three.
    ntower: u32,
}

const NO_LINK: Link = Link { next: NIL, span: 0, nscore: 0.0, ntower: 0 };
const LINK: usize = std::mem::size_of::<Link>();

#[derive(Clone, Debug)]
struct Node {
    member: Box<[u8]>,
    score: f64,
    back: u32,
    /// Level 0 inline (three nodes in four have no other level); levels 1.. at
    /// `towers[tower..tower + levels - 1]`.
    lv0: Link,
    tower: u32,
    levels: u8,
}

impl Node {
    fn levels(&self) -> usize {
        self.levels as usize
    }
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

#[derive(Clone)]
pub struct ZSet {
    nodes: Vec<Node>,
    /// Upper levels of all nodes, each node's contiguous (the header's first).
    towers: Vec<Link>,
    /// Heads of the free lists of released towers, by height (linked through `next`).
    free_towers: [u32; MAX_LEVEL],
    level: usize,
    tail: u32,
    index: HashTable<u32>,
    hasher: DefaultHashBuilder,
    seed: u64,
    listpack: bool,
    /// The geo index (types/geoindex.rs), built by the first geo search of a large set.
    geo: Option<Box<GeoIndex>>,
    /// Heap bytes owned by the nodes (members and upper levels), kept as nodes
    /// come and go so `heap_bytes` is O(1): it runs after every write command.
    node_heap: usize,
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

/// Where a search ended: the predecessor at each level and its rank.
struct Path {
    update: [u32; MAX_LEVEL],
    rank: [u32; MAX_LEVEL],
}

impl ZSet {
    /// An empty sorted set, listpack-encoded or not.
    pub fn new(listpack: bool) -> ZSet {
        let header = Node { member: Box::new([]), score: 0.0, back: NIL, lv0: NO_LINK, tower: 0, levels: MAX_LEVEL as u8 };
        ZSet {
            nodes: vec![header],
            towers: vec![NO_LINK; MAX_LEVEL - 1],
            free_towers: [NIL; MAX_LEVEL],
            level: 1,
            tail: NIL,
            index: HashTable::new(),
            hasher: DefaultHashBuilder::default(),
            seed: 0x2545_F491_4F6C_DD1D,
            listpack,
            geo: None,
            node_heap: 0,
        }
    }

    /// Makes room for `n` more members if memory allows (snapshot loads size
    /// the set once instead of growing it step by step).
    pub fn try_reserve(&mut self, n: usize) {
        if self.nodes.try_reserve(n).is_ok() {
            let ZSet { index, nodes, hasher, .. } = self;
            let _ = index.try_reserve(n, |&j| nodes.get(j as usize).map_or(0, |n| hasher.hash_one(&*n.member)));
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
            for n in self.nodes.iter_mut().skip(1) {
                if n.score == 0.0 {
                    n.score = 0.0;
                }
            }
            for x in 0..self.nodes.len() {
                for i in 0..self.nodes[x].levels() {
                    let next = self.link(x as u32, i).next;
                    if next != NIL {
                        self.link_mut(x as u32, i).nscore = self.node(next).score;
                    }
                }
            }
        }
    }
    fn norm(&self, s: f64) -> f64 {
        if self.listpack && s == 0.0 { 0.0 } else { s }
    }
    pub fn len(&self) -> usize {
        self.nodes.len() - 1
    }
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn node(&self, i: u32) -> &Node {
        &self.nodes[i as usize]
    }
    fn link(&self, i: u32, l: usize) -> Link {
        let n = &self.nodes[i as usize];
        if l == 0 {
            n.lv0
        } else {
            self.towers[n.tower as usize + l - 1]
        }
    }
    fn link_mut(&mut self, i: u32, l: usize) -> &mut Link {
        let n = &mut self.nodes[i as usize];
        if l == 0 {
            &mut n.lv0
        } else {
            &mut self.towers[n.tower as usize + l - 1]
        }
    }
    /// The link at level `l` of the node whose tower starts at `tower` (`x` for level 0).
    fn link_at(&self, x: u32, tower: u32, l: usize) -> Link {
        if l == 0 {
            self.nodes[x as usize].lv0
        } else {
            self.towers[tower as usize + l - 1]
        }
    }

    /// Room for `h` upper levels in the tower arena (a released tower of that height first).
    fn alloc_tower(&mut self, h: usize) -> u32 {
        if h == 0 {
            return 0;
        }
        let head = self.free_towers[h];
        if head != NIL {
            self.free_towers[h] = self.towers[head as usize].next;
            self.towers[head as usize..head as usize + h].fill(NO_LINK);
            return head;
        }
        let at = self.towers.len() as u32;
        self.towers.resize(self.towers.len() + h, NO_LINK);
        at
    }
    fn free_tower(&mut self, at: u32, h: usize) {
        if h == 0 {
            return;
        }
        self.towers[at as usize].next = self.free_towers[h];
        self.free_towers[h] = at;
    }

    fn random_level(&mut self) -> usize {
        // xorshift64*; Redis's P = 1/4.
        let mut lvl = 1;
        loop {
            self.seed ^= self.seed >> 12;
            self.seed ^= self.seed << 25;
            self.seed ^= self.seed >> 27;
            let r = self.seed.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 48;
            if r & 0xFFFF < 0x4000 && lvl < MAX_LEVEL {
                lvl += 1;
            } else {
                return lvl;
            }
        }
    }

    fn find(&self, member: &[u8]) -> Option<u32> {
        let h = self.hasher.hash_one(member);
        let nodes = &self.nodes;
        self.index.find(h, |&i| nodes.get(i as usize).is_some_and(|n| &*n.member == member)).copied()
    }

    /// The score of `member`.
    pub fn score(&self, member: &[u8]) -> Option<f64> {
        self.find(member).map(|i| self.node(i).score)
    }
    pub fn contains(&self, member: &[u8]) -> bool {
        self.find(member).is_some()
    }

    /// Node `n` sorts strictly before (score, member).
    fn before(n: &Node, score: f64, member: &[u8]) -> bool {
        n.score < score || (n.score == score && &*n.member < member)
    }

    fn path(&self, score: f64, member: &[u8]) -> Path {
        let mut p = Path { update: [0; MAX_LEVEL], rank: [0; MAX_LEVEL] };
        let (mut x, mut tower) = (0u32, 0u32);
        for i in (0..self.level).rev() {
            p.rank[i] = if i + 1 == self.level { 0 } else { p.rank[i + 1] };
            loop {
                let l = self.link_at(x, tower, i);
                if l.next != NIL
                    && (l.nscore < score || (l.nscore == score && &*self.node(l.next).member < member))
                {
                    p.rank[i] = p.rank[i].wrapping_add(l.span);
                    x = l.next;
                    tower = l.ntower;
                } else {
                    break;
                }
            }
            p.update[i] = x;
        }
        p
    }

    /// Links the (unlinked) node `x` into the list at its score.
    fn link_in(&mut self, x: u32) {
        // x is not linked, so the search never reads its member: borrow it out.
        let member = std::mem::take(&mut self.nodes[x as usize].member);
        let mut p = self.path(self.node(x).score, &member);
        self.nodes[x as usize].member = member;
        let lvl = self.node(x).levels();
        let (xs, xt) = (self.node(x).score, self.node(x).tower);
        let len = self.len() as u32;
        if lvl > self.level {
            for i in self.level..lvl {
                p.rank[i] = 0;
                p.update[i] = 0;
                self.link_mut(0, i).span = len.wrapping_sub(1);
            }
            self.level = lvl;
        }
        for i in 0..lvl {
            let u = p.update[i];
            let ul = self.link(u, i);
            let d = p.rank[0].wrapping_sub(p.rank[i]);
            *self.link_mut(x, i) = Link { next: ul.next, span: ul.span.wrapping_sub(d), ..ul };
            *self.link_mut(u, i) = Link { next: x, span: d.wrapping_add(1), nscore: xs, ntower: xt };
        }
        for i in lvl..self.level {
            let u = p.update[i];
            let s = self.link_mut(u, i);
            s.span = s.span.wrapping_add(1);
        }
        let back = if p.update[0] == 0 { NIL } else { p.update[0] };
        self.nodes[x as usize].back = back;
        let next = self.link(x, 0).next;
        if next != NIL {
            self.nodes[next as usize].back = x;
        } else {
            self.tail = x;
        }
    }

    /// Unlinks node `x` (found at path `p`) from the list; it stays in the arena.
    fn unlink(&mut self, x: u32, p: &Path) {
        for i in 0..self.level {
            let u = p.update[i];
            let ul = self.link(u, i);
            if ul.next == x {
                let xl = self.link(x, i);
                *self.link_mut(u, i) = Link { span: ul.span.wrapping_add(xl.span).wrapping_sub(1), ..xl };
            } else {
                self.link_mut(u, i).span = ul.span.wrapping_sub(1);
            }
        }
        let next = self.link(x, 0).next;
        let back = self.node(x).back;
        if next != NIL {
            self.nodes[next as usize].back = back;
        } else {
            self.tail = back;
        }
        while self.level > 1 && self.link(0, self.level - 1).next == NIL {
            self.level -= 1;
        }
    }

    /// Adds a member known to be absent.
    pub fn insert(&mut self, member: &[u8], score: f64) {
        let score = self.norm(score);
        let lvl = self.random_level();
        let x = self.nodes.len() as u32;
        let tower = self.alloc_tower(lvl - 1);
        self.nodes.push(Node { member: member.into(), score, back: NIL, lv0: NO_LINK, tower, levels: lvl as u8 });
        self.node_heap += member.len();
        // The new node counts in len() already; link_in's header span uses len-1.
        self.link_in(x);
        let h = self.hasher.hash_one(member);
        let ZSet { index, nodes, hasher, .. } = self;
        index.insert_unique(h, x, |&j| nodes.get(j as usize).map_or(0, |n| hasher.hash_one(&*n.member)));
        // geo index hook
        if let ZSet { geo: Some(g), nodes, .. } = self {
            g.insert(score, x, member, &|j| nodes.get(j as usize).map_or(&[][..], |n| &n.member));
        }
    }

    /// Sets the score of an existing member (O(log n)); false when absent.
    pub fn update(&mut self, member: &[u8], score: f64) -> bool {
        let Some(x) = self.find(member) else { return false };
        let score = self.norm(score);
        let n = self.node(x);
        let (back, next) = (n.back, self.link(x, 0).next);
        let fits_back = back == NIL || Self::before(self.node(back), score, member);
        let fits_next = next == NIL || {
            let m = self.node(next);
            m.score > score || (m.score == score && &*m.member > member)
        };
        // geo index hook: an in-place change keeps its place, a move re-inserts.
        if let ZSet { geo: Some(g), nodes, .. } = self {
            let m = |j: u32| nodes.get(j as usize).map_or(&[][..], |n| &*n.member);
            let old = nodes[x as usize].score;
            if fits_back && fits_next {
                g.rescore(old, member, &m, score);
            } else {
                g.remove(old, member, &m);
                g.insert(score, x, member, &m);
            }
        }
        let n = self.node(x);
        let p = self.path(n.score, member);
        if fits_back && fits_next {
            self.nodes[x as usize].score = score;
            for i in 0..self.node(x).levels() {
                let u = p.update[i];
                let l = self.link_mut(u, i);
                if l.next == x {
                    l.nscore = score;
                }
            }
            return true;
        }
        self.unlink(x, &p);
        self.nodes[x as usize].score = score;
        self.link_in(x);
        true
    }

    /// Adds or updates; returns the previous score.
    pub fn set(&mut self, member: &[u8], score: f64) -> Option<f64> {
        match self.score(member) {
            Some(old) => {
                if old != score {
                    self.update(member, score);
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
        let score = self.node(x).score;
        let p = self.path(score, member);
        self.unlink(x, &p);
        self.drop_node(x);
        Some(score)
    }

    /// Removes the unlinked node `x` from the arena and the index, moving the
    /// last node into its place.
    fn drop_node(&mut self, x: u32) {
        // geo index hook: forget x, and renumber the last node, which moves into x.
        if let ZSet { geo: Some(g), nodes, .. } = self {
            let m = |j: u32| nodes.get(j as usize).map_or(&[][..], |n| &*n.member);
            let last = nodes.len() - 1;
            g.remove(nodes[x as usize].score, &nodes[x as usize].member, &m);
            if x as usize != last {
                g.renumber(nodes[last].score, &nodes[last].member, &m, x);
            }
        }
        let h = self.hasher.hash_one(&*self.node(x).member);
        if let Ok(e) = self.index.find_entry(h, |&j| j == x) {
            e.remove();
        }
        let last = (self.nodes.len() - 1) as u32;
        if x != last {
            let (ls, lm) = (self.node(last).score, self.node(last).member.clone());
            let p = self.path(ls, &lm);
            for i in 0..self.level {
                let u = p.update[i];
                if self.link(u, i).next == last {
                    self.link_mut(u, i).next = x;
                }
            }
            let next = self.link(last, 0).next;
            if next != NIL {
                self.nodes[next as usize].back = x;
            }
            if self.tail == last {
                self.tail = x;
            }
            let hl = self.hasher.hash_one(&*lm);
            if let Some(slot) = self.index.find_mut(hl, |&j| j == last) {
                *slot = x;
            }
        }
        let gone = self.nodes.swap_remove(x as usize);
        self.free_tower(gone.tower, gone.levels() - 1);
        self.node_heap = self.node_heap.saturating_sub(gone.member.len());
        if self.nodes.len() * 4 < self.nodes.capacity() && self.nodes.capacity() > 64 {
            self.nodes.shrink_to(self.nodes.len() * 2);
            let ZSet { index, nodes, hasher, .. } = self;
            index.shrink_to(nodes.len(), |&j| nodes.get(j as usize).map_or(0, |n| hasher.hash_one(&*n.member)));
        }
    }

    /// 0-based rank of `member` in ascending order.
    pub fn rank(&self, member: &[u8]) -> Option<usize> {
        let x = self.find(member)?;
        let p = self.path(self.node(x).score, member);
        Some(p.rank[0] as usize)
    }

    /// The node at 1-based rank `r`.
    fn at_rank(&self, r: usize) -> Option<u32> {
        if r == 0 || r > self.len() {
            return None;
        }
        if r == self.len() {
            return Some(self.tail);
        }
        let r = r as u64;
        let (mut x, mut tower) = (0u32, 0u32);
        let mut traversed = 0u64;
        for i in (0..self.level).rev() {
            loop {
                let l = self.link_at(x, tower, i);
                if l.next != NIL && traversed + l.span as u64 <= r {
                    traversed += l.span as u64;
                    x = l.next;
                    tower = l.ntower;
                } else {
                    break;
                }
            }
            if traversed == r {
                return Some(x);
            }
        }
        None
    }

    /// A cursor at 0-based rank `r` (ascending).
    pub fn cursor_at(&self, r: usize) -> Option<Cursor> {
        self.at_rank(r.checked_add(1)?).map(Cursor)
    }
    pub fn first(&self) -> Option<Cursor> {
        let n = self.link(0, 0).next;
        (n != NIL).then_some(Cursor(n))
    }
    pub fn last(&self) -> Option<Cursor> {
        (self.tail != NIL).then_some(Cursor(self.tail))
    }
    pub fn next(&self, c: Cursor) -> Option<Cursor> {
        let n = self.link(c.0, 0).next;
        (n != NIL).then_some(Cursor(n))
    }
    pub fn prev(&self, c: Cursor) -> Option<Cursor> {
        let b = self.node(c.0).back;
        (b != NIL).then_some(Cursor(b))
    }
    /// Steps forward or backward.
    pub fn step(&self, c: Cursor, rev: bool) -> Option<Cursor> {
        if rev { self.prev(c) } else { self.next(c) }
    }
    pub fn get(&self, c: Cursor) -> (&[u8], f64) {
        let n = self.node(c.0);
        (&n.member, n.score)
    }

    /// Ascending iteration.
    pub fn iter(&self) -> impl Iterator<Item = (&[u8], f64)> + '_ {
        let mut cur = self.first();
        std::iter::from_fn(move || {
            let c = cur?;
            cur = self.next(c);
            Some(self.get(c))
        })
    }

    /// Descends while `before(next)`; returns the first node not before, and its 0-based rank.
    fn first_not(&self, before: impl Fn(&Node) -> bool) -> Option<(Cursor, usize)> {
        let (mut x, mut tower) = (0u32, 0u32);
        let mut traversed = 0usize;
        for i in (0..self.level).rev() {
            loop {
                let l = self.link_at(x, tower, i);
                if l.next != NIL && before(self.node(l.next)) {
                    traversed += l.span as usize;
                    x = l.next;
                    tower = l.ntower;
                } else {
                    break;
                }
            }
        }
        let n = self.link(x, 0).next;
        (n != NIL).then_some((Cursor(n), traversed))
    }

    /// Descends while `within(next)`; returns the last such node and its 0-based rank.
    fn last_within(&self, within: impl Fn(&Node) -> bool) -> Option<(Cursor, usize)> {
        let (mut x, mut tower) = (0u32, 0u32);
        let mut traversed = 0usize;
        for i in (0..self.level).rev() {
            loop {
                let l = self.link_at(x, tower, i);
                if l.next != NIL && within(self.node(l.next)) {
                    traversed += l.span as usize;
                    x = l.next;
                    tower = l.ntower;
                } else {
                    break;
                }
            }
        }
        (x != 0).then_some((Cursor(x), traversed.saturating_sub(1)))
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
        let (c, rank) = self.first_not(|n| !r.gte_min(n.score))?;
        r.lte_max(self.get(c).1).then_some((c, rank))
    }

    /// Last member in the score range, with its rank.
    pub fn last_in_score(&self, r: &ScoreRange) -> Option<(Cursor, usize)> {
        if !self.in_score_range(r) {
            return None;
        }
        let (c, rank) = self.last_within(|n| r.lte_max(n.score))?;
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
            self.first_not(|n| !r.gte_min(&n.member))?
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
            self.last_within(|n| r.lte_max(&n.member))?
        };
        r.gte_min(self.get(c).0).then_some((c, rank))
    }

    /// The member at arena position `i` (0-based, any order): random picks and SCAN.
    pub fn at_pos(&self, i: usize) -> Option<(&[u8], f64)> {
        self.nodes.get(i.checked_add(1)?).map(|n| (&*n.member, n.score))
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

    // ---- geo index hooks (the index itself is types/geoindex.rs) ----

    /// Builds the geo index when absent (the order is copied from the skiplist).
    pub fn build_geo_index(&mut self) {
        if self.geo.is_none() {
            let mut v = Vec::with_capacity(self.len());
            let mut x = self.link(0, 0).next;
            while x != NIL {
                v.push((self.node(x).score, x));
                x = self.link(x, 0).next;
            }
            self.geo = Some(Box::new(GeoIndex::from_sorted(v)));
        }
    }
    pub fn geo_index(&self) -> Option<&GeoIndex> {
        self.geo.as_deref()
    }
    /// The member of arena node `n` (as the geo index and `range_nodes` name them).
    pub fn node_member(&self, n: u32) -> &[u8] {
        self.nodes.get(n as usize).map_or(&[][..], |n| &n.member)
    }
    /// Calls `f(score, node)` for `min <= score < max` in order (skiplist) until it returns false.
    pub fn range_nodes(&self, min: f64, max: f64, f: &mut dyn FnMut(f64, u32) -> bool) -> bool {
        let Some((mut c, _)) = self.first_not(|n| n.score < min) else { return true };
        loop {
            let s = self.node(c.0).score;
            if s >= max {
                return true;
            }
            if !f(s, c.0) {
                return false;
            }
            match self.next(c) {
                Some(n) => c = n,
                None => return true,
            }
        }
    }

    /// Heap bytes, for memory accounting.
    pub fn heap_bytes(&self) -> usize {
        self.geo.as_ref().map_or(0, |g| g.heap_bytes())
            + self.nodes.capacity() * std::mem::size_of::<Node>()
            + self.towers.capacity() * LINK
            + self.node_heap
            + self.index.capacity() * (std::mem::size_of::<u32>() + 1)
    }
}

/// A position in a sorted set (valid until the set changes).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Cursor(u32);

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

    fn check(z: &ZSet) {
        for x in 0..z.nodes.len() {
            for i in 0..z.nodes[x].levels() {
                let l = z.link(x as u32, i);
                if l.next != NIL {
                    assert_eq!(l.nscore.to_bits(), z.node(l.next).score.to_bits(), "cached score at node {x} level {i}");
                }
            }
        }
        let v: Vec<_> = z.iter().map(|(m, s)| (m.to_vec(), s)).collect();
        assert_eq!(v.len(), z.len());
        for w in v.windows(2) {
            assert!(w[0].1 < w[1].1 || (w[0].1 == w[1].1 && w[0].0 < w[1].0), "order {:?}", w);
        }
        for (i, (m, s)) in v.iter().enumerate() {
            assert_eq!(z.rank(m), Some(i));
            assert_eq!(z.score(m), Some(*s));
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
        }
        assert!(z.is_empty());
        check(&z);
    }

    /// Random operations against a sorted-Vec model: order, ranks, links, the
    /// arena after swap-removals, range starts and scans.
    #[test]
    fn model_check() {
        let mut z = ZSet::new(false);
        let mut model: Vec<(f64, Vec<u8>)> = Vec::new();
        let mut x = 99u64;
        let mut rnd = |n: u64| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x % n
        };
        for step in 0..20_000 {
            let m = format!("k{}", rnd(400)).into_bytes();
            let sc = [0.0, -0.0, 1.0, 2.5, f64::INFINITY, f64::NEG_INFINITY][rnd(6) as usize] + (rnd(3) as f64);
            match rnd(4) {
                0 | 1 => {
                    z.set(&m, sc);
                    model.retain(|e| e.1 != m);
                    model.push((sc, m.clone()));
                }
                2 => {
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
            if step % 500 == 0 {
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
            }
        }
    }

    #[test]
    fn heap_bytes_is_kept() {
        let mut z = ZSet::new(false);
        let full = |z: &ZSet| {
            z.nodes.capacity() * std::mem::size_of::<Node>()
                + z.towers.capacity() * LINK
                + z.nodes.iter().map(|n| n.member.len()).sum::<usize>()
                + z.index.capacity() * 5
        };
        for i in 0..3000u32 {
            z.insert(format!("member{i}").as_bytes(), i as f64);
        }
        assert_eq!(z.heap_bytes(), full(&z));
        for i in (0..3000u32).step_by(2) {
            z.remove(format!("member{i}").as_bytes());
        }
        assert_eq!(z.heap_bytes(), full(&z));
        assert_eq!(z.clone().heap_bytes(), full(&z.clone()));
    }

    #[test]
    fn level_distribution() {
        let mut z = ZSet::new(false);
        for i in 0..40_000u32 {
            z.insert(&i.to_be_bytes(), 0.0);
        }
        let tall = z.nodes.iter().skip(1).filter(|n| n.levels() > 1).count();
        let taller = z.nodes.iter().skip(1).filter(|n| n.levels() > 2).count();
        assert!((9_000..11_000).contains(&tall), "{tall}");
        assert!((2_000..3_000).contains(&taller), "{taller}");
        assert!(z.level >= 6 && z.level <= 14, "{}", z.level);
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
        assert_eq!(z.first_in_lex(&lr, false).map(|x| x.1), Some(0));
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
