//! The arguments of one command, as Redis's `argv`: `a[0]` is the command name.
//!
//! Indexing never panics: the dispatcher has already checked the arity, and an
//! index past the end yields an empty argument rather than aborting the wasm
//! instance. Option keywords compare ASCII case-insensitively, as Redis's
//! `strcasecmp` does.

use crate::error::{self, Error, Result};
use std::ops::Index;

#[derive(Clone, Copy)]
pub struct Args<'a> {
    argv: &'a [&'a [u8]],
}

impl<'a> Args<'a> {
    pub fn new(argv: &'a [&'a [u8]]) -> Args<'a> {
        Args { argv }
    }
    /// Number of arguments including the command name (Redis's `argc`).
    pub fn len(&self) -> usize {
        self.argv.len()
    }
    pub fn is_empty(&self) -> bool {
        self.argv.is_empty()
    }
    pub fn get(&self, i: usize) -> Option<&'a [u8]> {
        self.argv.get(i).copied()
    }
    /// Arguments from `i` on (empty when past the end).
    pub fn from(&self, i: usize) -> &'a [&'a [u8]] {
        self.argv.get(i..).unwrap_or(&[])
    }
    pub fn all(&self) -> &'a [&'a [u8]] {
        self.argv
    }
    /// `a[i]` equals `word` ignoring ASCII case.
    pub fn is(&self, i: usize, word: &str) -> bool {
        self.get(i).is_some_and(|b| b.eq_ignore_ascii_case(word.as_bytes()))
    }
    /// `a[i]` as Redis's `getLongLongFromObjectOrReply`.
    pub fn i64(&self, i: usize) -> Result<i64> {
        parse_i64(self.get(i).unwrap_or(b""))
    }
}

impl<'a> Index<usize> for Args<'a> {
    type Output = [u8];
    fn index(&self, i: usize) -> &[u8] {
        self.argv.get(i).copied().unwrap_or(b"")
    }
}

/// Integer argument, Redis's error when it is not one.
pub fn parse_i64(b: &[u8]) -> Result<i64> {
    crate::num::parse_i64(b).ok_or(error::NOT_INTEGER)
}

/// Case-insensitive keyword test for a single argument.
pub fn is_word(b: &[u8], word: &str) -> bool {
    b.eq_ignore_ascii_case(word.as_bytes())
}

/// Redis's getRangeLongFromObjectOrReply: an integer in `min..=max`. With `msg`,
/// that text is the error for both a non-integer and an out-of-range value (as
/// Redis's callers that pass one, e.g. getPositiveLongFromObjectOrReply); without,
/// Redis's default texts.
pub fn range_long(arg: &[u8], min: i64, max: i64, msg: Option<Error>) -> Result<i64> {
    match crate::num::parse_i64(arg) {
        Some(n) if n >= min && n <= max => Ok(n),
        Some(_) => Err(msg.unwrap_or_else(|| error::out_of_range_between(min, max))),
        None => Err(msg.unwrap_or(error::NOT_INTEGER)),
    }
}
