//! The set type with Redis 7.0's two encodings: `intset` (a sorted vector of
//! integers, while every member is a canonical integer and there are at most
//! `set-max-intset-entries`) and `hashtable`. The encoding is observable
//! (OBJECT ENCODING, and intsets iterate in ascending order), so conversions
//! happen exactly when Redis's do; a set never converts back.

#![deny(clippy::indexing_slicing)]

use super::indexmap::IndexMap;
use crate::num::parse_i64;
use crate::rng::Rng;

#[derive(Clone, Debug, PartialEq)]
pub enum Set {
    Ints(Vec<i64>),
    Hash(IndexMap<()>),
}

impl Set {
    /// An empty set in the encoding Redis picks for its first member (`setTypeCreate`).
    pub fn for_member(first: &[u8]) -> Set {
        if parse_i64(first).is_some() {
            Set::Ints(Vec::new())
        } else {
            Set::Hash(IndexMap::new())
        }
    }

    pub fn encoding(&self) -> &'static str {
        match self {
            Set::Ints(_) => "intset",
            Set::Hash(_) => "hashtable",
        }
    }

    pub fn len(&self) -> usize {
        match self {
            Set::Ints(v) => v.len(),
            Set::Hash(h) => h.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn contains(&self, m: &[u8]) -> bool {
        match self {
            Set::Ints(v) => parse_i64(m).is_some_and(|n| v.binary_search(&n).is_ok()),
            Set::Hash(h) => h.contains(m),
        }
    }

    fn convert_to_hash(&mut self) {
        if let Set::Ints(v) = self {
            let mut h = IndexMap::with_capacity(v.len() + 1);
            for n in v.iter() {
                h.insert(n.to_string().as_bytes(), ());
            }
            *self = Set::Hash(h);
        }
    }

    /// Adds a member (`setTypeAdd`); true when it was new.
    pub fn add(&mut self, m: &[u8], max_intset: usize) -> bool {
        if let Set::Ints(v) = self {
            match parse_i64(m) {
                Some(n) => {
                    return match v.binary_search(&n) {
                        Ok(_) => false,
                        Err(at) => {
                            v.insert(at, n);
                            if v.len() > max_intset.min(1 << 30) {
                                self.convert_to_hash();
                            }
                            true
                        }
                    };
                }
                None => self.convert_to_hash(),
            }
        }
        match self {
            Set::Hash(h) => h.insert(m, ()).is_none(),
            Set::Ints(_) => false,
        }
    }

    pub fn remove(&mut self, m: &[u8]) -> bool {
        match self {
            Set::Ints(v) => match parse_i64(m).map(|n| v.binary_search(&n)) {
                Some(Ok(i)) => {
                    v.remove(i);
                    true
                }
                _ => false,
            },
            Set::Hash(h) => h.remove(m).is_some(),
        }
    }

    /// Members in iteration order (ascending for intsets).
    pub fn members(&self) -> Vec<Vec<u8>> {
        match self {
            Set::Ints(v) => v.iter().map(|n| n.to_string().into_bytes()).collect(),
            Set::Hash(h) => h.keys().map(|k| k.to_vec()).collect(),
        }
    }

    /// A uniformly random member, `None` when empty.
    pub fn random(&self, rng: &mut Rng) -> Option<Vec<u8>> {
        if self.is_empty() {
            return None;
        }
        let i = rng.below(self.len());
        match self {
            Set::Ints(v) => v.get(i).map(|n| n.to_string().into_bytes()),
            Set::Hash(h) => h.at(i).map(|(k, _)| k.to_vec()),
        }
    }

    /// Heap bytes, for memory accounting.
    pub fn heap_bytes(&self) -> usize {
        match self {
            Set::Ints(v) => v.capacity() * 8,
            Set::Hash(h) => h.heap_bytes(),
        }
    }
}

#[cfg(test)]
#[allow(clippy::indexing_slicing)]
mod tests {
    use super::*;

    #[test]
    fn intset_converts_like_redis() {
        let mut s = Set::for_member(b"1");
        assert_eq!(s.encoding(), "intset");
        for i in (0..512).rev() {
            assert!(s.add(i.to_string().as_bytes(), 512));
        }
        assert_eq!(s.encoding(), "intset");
        assert_eq!(s.members()[0], b"0");
        assert!(!s.add(b"7", 512));
        assert!(s.add(b"512", 512));
        assert_eq!(s.encoding(), "hashtable");
        assert!(s.contains(b"511"));
        let mut t = Set::for_member(b"1");
        t.add(b"1", 512);
        t.add(b"01", 512);
        assert_eq!(t.encoding(), "hashtable");
        assert!(t.contains(b"1") && t.contains(b"01"));
    }
}
