//! The options of SSCAN/HSCAN/ZSCAN (`scanGenericCommand` for a key): COUNT
//! and MATCH, parsed after the key's type was checked, as Redis does. The
//! keyspace SCAN (with TYPE) lives in `keys.rs`.

#![deny(clippy::indexing_slicing)]

use super::*;
use crate::glob::Pattern;

pub(crate) struct ScanOpts {
    pub count: usize,
    pub pattern: Option<Pattern>,
}

impl ScanOpts {
    /// Options from argument `from` on (after `key cursor`).
    pub fn parse(a: &Args, from: usize) -> Result<ScanOpts> {
        let mut count: i64 = 10;
        let mut pattern = None;
        let mut opts = a.from(from).iter();
        while let Some(opt) = opts.next() {
            match opts.next() {
                Some(v) if crate::args::is_word(opt, "count") => {
                    count = crate::args::parse_i64(v)?;
                    if count < 1 {
                        return Err(error::SYNTAX);
                    }
                }
                Some(v) if crate::args::is_word(opt, "match") => pattern = (*v != b"*").then(|| Pattern::new(v)),
                _ => return Err(error::SYNTAX),
            }
        }
        Ok(ScanOpts { count: usize::try_from(count).unwrap_or(usize::MAX), pattern })
    }

    pub fn keep(&self, member: &[u8]) -> bool {
        self.pattern.as_ref().is_none_or(|p| p.matches(member))
    }
}

/// The `[cursor, [items...]]` reply.
pub(crate) fn scan_reply(cursor: u64, items: Vec<Vec<u8>>) -> Reply {
    Reply::Array(vec![Reply::bulk(cursor.to_string()), Reply::Array(items.into_iter().map(Reply::Bulk).collect())])
}
