//! The list type: a deque of binary-safe elements.
//!
//! Redis 7.0 always encodes lists as a `quicklist` (the `listpack` list
//! encoding arrived in 7.2), so `OBJECT ENCODING` has one answer and no
//! conversions need mirroring. Indexes follow Redis: negative counts from the
//! tail. Nothing here knows about keys or replies.

use std::collections::VecDeque;

#[derive(Clone, Debug, Default, PartialEq)]
pub struct List {
    items: VecDeque<Vec<u8>>,
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
        List { items: VecDeque::new() }
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
        match end {
            End::Left => self.items.push_front(v),
            End::Right => self.items.push_back(v),
        }
    }
    pub fn pop(&mut self, end: End) -> Option<Vec<u8>> {
        match end {
            End::Left => self.items.pop_front(),
            End::Right => self.items.pop_back(),
        }
    }
    /// Pops up to `n` elements from `end`, in pop order.
    pub fn pop_many(&mut self, end: End, n: usize) -> Vec<Vec<u8>> {
        let n = n.min(self.len());
        match end {
            End::Left => self.items.drain(..n).collect(),
            End::Right => {
                let at = self.len() - n;
                let mut v: Vec<Vec<u8>> = self.items.drain(at..).collect();
                v.reverse();
                v
            }
        }
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
            None => self.items.clear(),
            Some((s, e)) => {
                self.items.truncate(e + 1);
                self.items.drain(..s);
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
                self.items.insert(if after { i + 1 } else { i }, v);
                true
            }
            None => false,
        }
    }
    /// LREM: removes up to |count| matches (all when 0), from the tail when negative.
    pub fn remove(&mut self, count: i64, v: &[u8]) -> usize {
        let limit = if count == 0 { usize::MAX } else { count.unsigned_abs().min(usize::MAX as u64) as usize };
        let mut removed = 0;
        if count >= 0 {
            let mut i = 0;
            while i < self.items.len() && removed < limit {
                if self.items[i] == v {
                    self.items.remove(i);
                    removed += 1;
                } else {
                    i += 1;
                }
            }
        } else {
            let mut i = self.items.len();
            while i > 0 && removed < limit {
                i -= 1;
                if self.items[i] == v {
                    self.items.remove(i);
                    removed += 1;
                }
            }
        }
        removed
    }
    pub fn heap_bytes(&self) -> usize {
        self.items.capacity() * std::mem::size_of::<Vec<u8>>() + self.items.iter().map(|v| v.capacity()).sum::<usize>()
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
