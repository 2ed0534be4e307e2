//! The list type: a deque of binary-safe elements.
//!
//! Redis 7.0 always encodes lists as a `quicklist` (the `listpack` list
//! encoding arrived in 7.2), so `OBJECT ENCODING` has one answer and no
//! conversions need mirroring. Indexes follow Redis: negative counts from the
//! tail. Nothing here knows about keys or replies.

#![deny(clippy::indexing_slicing)]

use std::collections::VecDeque;

#[derive(Clone, Debug, Default)]
pub struct List {
    items: VecDeque<Vec<u8>>,
    /// Σ capacity of the elements, kept by every mutation so memory accounting
    /// (which asks after each write) is O(1), not O(length).
    bytes: usize,
}

impl PartialEq for List {
    fn eq(&self, other: &Self) -> bool {
        self.items == other.items
    }
}

/// Which end of a list (Redis's LIST_HEAD / LIST_TAIL).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum End {
    Left,
    Right,
}

impl End {
    /// `LEFT` / `RIGHT`, ASCII case-insensitive.
    pub fn parse(b: &[u8]) -> Option<End> {
        if b.eq_ignore_ascii_case(b"left") {
            Some(End::Left)
        } else if b.eq_ignore_ascii_case(b"right") {
            Some(End::Right)
        } else {
            None
        }
    }
}

impl List {
    pub fn new() -> List {
        List { items: VecDeque::new(), bytes: 0 }
    }
    /// Makes room for `n` more elements if memory allows (snapshot loads).
    pub fn try_reserve(&mut self, n: usize) {
        let _ = self.items.try_reserve(n);
    }
    pub fn encoding(&self) -> &'static str {
        "quicklist"
    }
    pub fn len(&self) -> usize {
        self.items.len()
    }
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }
    pub fn push(&mut self, end: End, v: Vec<u8>) {
        self.bytes += v.capacity();
        match end {
            End::Left => self.items.push_front(v),
            End::Right => self.items.push_back(v),
        }
    }
    pub fn pop(&mut self, end: End) -> Option<Vec<u8>> {
        let v = match end {
            End::Left => self.items.pop_front(),
            End::Right => self.items.pop_back(),
        };
        if let Some(v) = &v {
            self.bytes = self.bytes.saturating_sub(v.capacity());
        }
        v
    }
    /// Pops up to `n` elements from `end`, in pop order.
    pub fn pop_many(&mut self, end: End, n: usize) -> Vec<Vec<u8>> {
        let n = n.min(self.len());
        let out: Vec<Vec<u8>> = match end {
            End::Left => self.items.drain(..n).collect(),
            End::Right => {
                let at = self.len() - n;
                let mut v: Vec<Vec<u8>> = self.items.drain(at..).collect();
                v.reverse();
                v
            }
        };
        self.bytes = self.bytes.saturating_sub(out.iter().map(|v| v.capacity()).sum());
        out
    }
    /// Redis index (negative from the tail) to a position, when in range.
    pub fn pos(&self, index: i64) -> Option<usize> {
        let len = self.len() as i64;
        let i = if index < 0 { index.checked_add(len)? } else { index };
        (0..len).contains(&i).then_some(i as usize)
    }
    pub fn get(&self, index: i64) -> Option<&[u8]> {
        self.pos(index).and_then(|i| self.items.get(i)).map(|v| v.as_slice())
    }
    pub fn set(&mut self, index: i64, v: Vec<u8>) -> bool {
        match self.pos(index).and_then(|i| self.items.get_mut(i)) {
            Some(slot) => {
                self.bytes = (self.bytes + v.capacity()).saturating_sub(slot.capacity());
                *slot = v;
                true
            }
            None => false,
        }
    }
    /// Redis's start/end normalisation (LRANGE, LTRIM): `None` when empty.
    pub fn range_bounds(&self, start: i64, end: i64) -> Option<(usize, usize)> {
        let len = self.len() as i64;
        let mut s = if start < 0 { start.saturating_add(len) } else { start };
        let mut e = if end < 0 { end.saturating_add(len) } else { end };
        if s < 0 {
            s = 0;
        }
        if s > e || s >= len {
            return None;
        }
        if e >= len {
            e = len - 1;
        }
        Some((s as usize, e as usize))
    }
    pub fn range(&self, start: usize, end: usize) -> impl Iterator<Item = &Vec<u8>> {
        self.items.range(start..=end)
    }
    /// Keeps only positions `start..=end` (or nothing).
    pub fn trim(&mut self, keep: Option<(usize, usize)>) {
        match keep {
            None => {
                self.items.clear();
                self.bytes = 0;
            }
            Some((s, e)) => {
                let gone: usize = self.items.range(e.saturating_add(1)..).chain(self.items.range(..s.min(self.items.len()))).map(|v| v.capacity()).sum();
                self.items.truncate(e + 1);
                self.items.drain(..s.min(self.items.len()));
                self.bytes = self.bytes.saturating_sub(gone);
            }
        }
    }
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = &Vec<u8>> + ExactSizeIterator {
        self.items.iter()
    }
    /// Inserts `v` before or after the first element equal to `pivot`.
    pub fn insert(&mut self, after: bool, pivot: &[u8], v: Vec<u8>) -> bool {
        match self.items.iter().position(|x| x == pivot) {
            Some(i) => {
                self.bytes += v.capacity();
                self.items.insert(if after { i + 1 } else { i }, v);
                true
            }
            None => false,
        }
    }
    /// LREM: removes up to |count| matches (all when 0), from the tail when negative.
    /// One pass over the list (Redis's is O(n) too).
    pub fn remove(&mut self, count: i64, v: &[u8]) -> usize {
        let limit = if count == 0 { usize::MAX } else { count.unsigned_abs().min(usize::MAX as u64) as usize };
        let n = self.items.len();
        let mut drop = vec![false; n];
        let mut removed = 0;
        let order: Box<dyn Iterator<Item = usize>> = if count >= 0 { Box::new(0..n) } else { Box::new((0..n).rev()) };
        for i in order {
            if removed >= limit {
                break;
            }
            if let (Some(x), Some(d)) = (self.items.get(i), drop.get_mut(i)) {
                if x == v {
                    *d = true;
                    removed += 1;
                }
            }
        }
        if removed > 0 {
            let mut i = 0;
            let mut gone = 0;
            self.items.retain(|x| {
                let keep = !drop.get(i).copied().unwrap_or(false);
                if !keep {
                    gone += x.capacity();
                }
                i += 1;
                keep
            });
            self.bytes = self.bytes.saturating_sub(gone);
        }
        removed
    }
    pub fn heap_bytes(&self) -> usize {
        self.items.capacity() * std::mem::size_of::<Vec<u8>>() + self.bytes
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn basics() {
        let mut l = List::new();
        for x in ["a", "b", "c", "b"] {
            l.push(End::Right, x.into());
        }
        assert_eq!(l.get(-1), Some(&b"b"[..]));
        assert_eq!(l.get(i64::MIN), None);
        assert_eq!(l.range_bounds(1, -1), Some((1, 3)));
        assert_eq!(l.range_bounds(i64::MIN, i64::MAX), Some((0, 3)));
        assert_eq!(l.remove(-1, b"b"), 1);
        assert_eq!(l.pop_many(End::Right, 5), vec![b"c".to_vec(), b"b".to_vec(), b"a".to_vec()]);
    }
}

#[cfg(test)]
mod bytes_tests {
    use super::*;

    /// The running byte count equals a full recount after any sequence of changes.
    #[test]
    fn running_bytes_match_a_recount() {
        let mut l = List::new();
        let mut g = crate::rng::Rng::new(7);
        let mut next = || g.next_u64();
        for _ in 0..5000 {
            let r = next();
            let v = vec![b'a'; (r % 9) as usize];
            match r % 9 {
                0 | 1 => l.push(End::Left, v),
                2 | 3 => l.push(End::Right, v),
                4 => {
                    l.pop(if r & 16 == 0 { End::Left } else { End::Right });
                }
                5 => {
                    l.pop_many(End::Right, (r % 4) as usize);
                }
                6 => {
                    l.set((r % 7) as i64 - 3, v);
                }
                7 => {
                    l.remove((r % 5) as i64 - 2, &v);
                }
                _ => {
                    if r % 50 == 0 {
                        let b = l.range_bounds(1, -2);
                        l.trim(b);
                    } else {
                        l.insert(r & 32 == 0, b"aa", v);
                    }
                }
            }
            assert_eq!(l.bytes, l.items.iter().map(|v| v.capacity()).sum::<usize>());
        }
    }
}
