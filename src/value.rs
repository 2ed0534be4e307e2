//! Typed values stored under keys.
//!
//! Strings keep Redis's three encodings because `OBJECT ENCODING` shows them
//! and because `int` is also the compact form: `Int` holds a canonical
//! integer (see `num::parse_i64`), `Str` a string created whole (`embstr` when
//! at most 44 bytes, else `raw`), `Raw` a string changed in place (APPEND,
//! SETRANGE), which Redis always reports as `raw`. Later families add their
//! variants here.

use crate::types::hash::Hash;
use crate::types::list::List;
use crate::types::set::Set;
use crate::types::stream::Stream;
use crate::types::zset::ZSet;
use std::borrow::Cow;

/// Longest string Redis stores with the `embstr` encoding.
pub const EMBSTR_LIMIT: usize = 44;
/// Redis shares integer objects 0..10000 (OBJECT REFCOUNT shows INT_MAX for them).
pub const SHARED_INTEGERS: i64 = 10_000;

#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Int(i64),
    Str(Vec<u8>),
    Raw(Vec<u8>),
    Set(Box<Set>),
    Hash(Box<Hash>),
    ZSet(Box<ZSet>),
    List(Box<List>),
    Stream(Box<Stream>),
}

impl Value {
    /// A string value encoded as Redis's `tryObjectEncoding` would: int when
    /// canonical and at most 20 bytes, else embstr/raw by length.
    pub fn string(bytes: Vec<u8>) -> Value {
        if bytes.len() <= 20 {
            if let Some(n) = crate::num::parse_i64(&bytes) {
                return Value::Int(n);
            }
        }
        Value::Str(bytes)
    }

    /// A string value created without trying the int encoding
    /// (Redis's `createStringObject`: INCRBYFLOAT results, SET ... GET copies).
    pub fn plain_string(bytes: Vec<u8>) -> Value {
        Value::Str(bytes)
    }

    /// `TYPE` name.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Int(_) | Value::Str(_) | Value::Raw(_) => "string",
            Value::Set(_) => "set",
            Value::Hash(_) => "hash",
            Value::ZSet(_) => "zset",
            Value::List(_) => "list",
            Value::Stream(_) => "stream",
        }
    }

    /// `OBJECT ENCODING` name.
    pub fn encoding(&self) -> &'static str {
        match self {
            Value::Int(_) => "int",
            Value::Str(b) if b.len() <= EMBSTR_LIMIT => "embstr",
            Value::Str(_) | Value::Raw(_) => "raw",
            Value::Set(s) => s.encoding(),
            Value::Hash(h) => h.encoding(),
            Value::ZSet(z) => z.encoding(),
            Value::List(l) => l.encoding(),
            Value::Stream(_) => "stream",
        }
    }

    /// A hash with per-field TTLs (the database tracks these for active expiry).
    pub fn has_field_ttl(&self) -> bool {
        matches!(self, Value::Hash(h) if h.has_ttl())
    }

    pub fn is_string(&self) -> bool {
        matches!(self, Value::Int(_) | Value::Str(_) | Value::Raw(_))
    }

    /// The bytes of a string value, `None` for other types.
    pub fn as_bytes(&self) -> Option<Cow<'_, [u8]>> {
        match self {
            Value::Int(n) => Some(Cow::Owned(n.to_string().into_bytes())),
            Value::Str(b) | Value::Raw(b) => Some(Cow::Borrowed(b)),
            _ => None,
        }
    }

    /// Length in bytes of a string value (STRLEN), without formatting ints twice.
    pub fn str_len(&self) -> Option<usize> {
        match self {
            Value::Int(n) => Some(int_len(*n)),
            Value::Str(b) | Value::Raw(b) => Some(b.len()),
            _ => None,
        }
    }

    /// Turns a string value into an in-place-modifiable `Raw` buffer and returns it
    /// (Redis's `dbUnshareStringValue`). `None` for other types.
    pub fn make_raw(&mut self) -> Option<&mut Vec<u8>> {
        let bytes = match self {
            Value::Int(n) => n.to_string().into_bytes(),
            Value::Str(b) => std::mem::take(b),
            Value::Raw(b) => return Some(b),
            _ => return None,
        };
        *self = Value::Raw(bytes);
        match self {
            Value::Raw(b) => Some(b),
            _ => None,
        }
    }

    /// Heap bytes held by the value beyond its inline size (for memory accounting).
    pub fn heap_bytes(&self) -> usize {
        match self {
            Value::Int(_) => 0,
            Value::Str(b) | Value::Raw(b) => b.capacity(),
            Value::Set(s) => std::mem::size_of::<Set>() + s.heap_bytes(),
            Value::Hash(h) => std::mem::size_of::<Hash>() + h.heap_bytes(),
            Value::ZSet(z) => std::mem::size_of::<ZSet>() + z.heap_bytes(),
            Value::List(l) => std::mem::size_of::<List>() + l.heap_bytes(),
            Value::Stream(s) => std::mem::size_of::<Stream>() + s.heap_bytes(),
        }
    }
}

/// Number of decimal characters of `n`.
pub fn int_len(n: i64) -> usize {
    let mut len = if n < 0 { 2 } else { 1 };
    let mut v = n.unsigned_abs();
    while v >= 10 {
        v /= 10;
        len += 1;
    }
    len
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn encodings() {
        assert_eq!(Value::string(b"123".to_vec()).encoding(), "int");
        assert_eq!(Value::string(b"0123".to_vec()).encoding(), "embstr");
        assert_eq!(Value::string(vec![b'a'; 44]).encoding(), "embstr");
        assert_eq!(Value::string(vec![b'a'; 45]).encoding(), "raw");
        let mut v = Value::string(b"12".to_vec());
        v.make_raw().unwrap().push(b'3');
        assert_eq!(v.encoding(), "raw");
        assert_eq!(v.as_bytes().unwrap().as_ref(), b"123");
        assert_eq!(int_len(-100), 4);
        assert_eq!(int_len(i64::MIN), 20);
    }
}
