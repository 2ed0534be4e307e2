//! Replies, and their two encodings.
//!
//! [`Reply`] is what a command answers, in RESP2 shapes (RESP3-only shapes are
//! not produced). Two encoders:
//! - [`Reply::write_resp`]: the RESP2 wire form, used by tests that compare
//!   with redis-server and by the RESP dump of later issues.
//! - [`Reply::write_compact`]: the little-endian tagged form the JS package
//!   decodes after one boundary crossing (see `pkg/src/codec.js`):
//!
//! ```text
//! '+' u32 len, bytes        status          '-' u32 len, bytes   error
//! ':' i64 (8 bytes LE)      integer         '$' u32 len, bytes   bulk string
//! '_'                       nil bulk        '!'                  nil array
//! '*' u32 count, items...   array
//! '#' u32 count, items...   array whose items are all '$' with ASCII bytes or '_'
//! ```

#![deny(clippy::indexing_slicing)]

use crate::error::Error;
use std::borrow::Cow;

#[derive(Clone, Debug, PartialEq)]
pub enum Reply {
    /// Simple string (`+OK`).
    Status(Cow<'static, str>),
    /// Error reply; inside arrays (EXEC) or at top level.
    Error(Error),
    Int(i64),
    Bulk(Vec<u8>),
    /// Null bulk string (`$-1`).
    Nil,
    /// Null array (`*-1`), e.g. EXEC aborted by WATCH.
    NilArray,
    Array(Vec<Reply>),
    /// Several top-level replies in a row: SUBSCRIBE a b c answers one
    /// confirmation per channel (on the wire they simply follow each other).
    /// In the compact form one item is written as itself, several as an array.
    Seq(Vec<Reply>),
}

impl Reply {
    pub const OK: Reply = Reply::Status(Cow::Borrowed("OK"));
    pub const QUEUED: Reply = Reply::Status(Cow::Borrowed("QUEUED"));

    pub fn status(s: &'static str) -> Reply {
        Reply::Status(Cow::Borrowed(s))
    }
    pub fn bulk(b: impl Into<Vec<u8>>) -> Reply {
        Reply::Bulk(b.into())
    }
    pub fn bulk_str(s: &str) -> Reply {
        Reply::Bulk(s.as_bytes().to_vec())
    }
    /// `Some(bytes)` → bulk, `None` → nil.
    pub fn opt_bulk(b: Option<Vec<u8>>) -> Reply {
        b.map_or(Reply::Nil, Reply::Bulk)
    }
    pub fn empty_array() -> Reply {
        Reply::Array(Vec::new())
    }
    pub fn is_error(&self) -> bool {
        matches!(self, Reply::Error(_))
    }

    /// RESP2 wire encoding.
    pub fn write_resp(&self, out: &mut Vec<u8>) {
        match self {
            Reply::Status(s) => {
                out.push(b'+');
                out.extend_from_slice(s.as_bytes());
                out.extend_from_slice(b"\r\n");
            }
            Reply::Error(e) => {
                out.push(b'-');
                out.extend_from_slice(e.text().as_bytes());
                out.extend_from_slice(b"\r\n");
            }
            Reply::Int(n) => {
                out.push(b':');
                out.extend_from_slice(n.to_string().as_bytes());
                out.extend_from_slice(b"\r\n");
            }
            Reply::Bulk(b) => {
                out.push(b'$');
                out.extend_from_slice(b.len().to_string().as_bytes());
                out.extend_from_slice(b"\r\n");
                out.extend_from_slice(b);
                out.extend_from_slice(b"\r\n");
            }
            Reply::Nil => out.extend_from_slice(b"$-1\r\n"),
            Reply::NilArray => out.extend_from_slice(b"*-1\r\n"),
            Reply::Array(items) => {
                out.push(b'*');
                out.extend_from_slice(items.len().to_string().as_bytes());
                out.extend_from_slice(b"\r\n");
                for r in items {
                    r.write_resp(out);
                }
            }
            Reply::Seq(items) => {
                for r in items {
                    r.write_resp(out);
                }
            }
        }
    }

    /// The compact form decoded by the JS package (see the module doc).
    pub fn write_compact(&self, out: &mut Vec<u8>) {
        fn len_bytes(out: &mut Vec<u8>, tag: u8, b: &[u8]) {
            out.push(tag);
            out.extend_from_slice(&(b.len() as u32).to_le_bytes());
            out.extend_from_slice(b);
        }
        match self {
            Reply::Status(s) => len_bytes(out, b'+', s.as_bytes()),
            Reply::Error(e) => len_bytes(out, b'-', e.text().as_bytes()),
            Reply::Int(n) => {
                out.push(b':');
                out.extend_from_slice(&n.to_le_bytes());
            }
            Reply::Bulk(b) => len_bytes(out, b'$', b),
            Reply::Nil => out.push(b'_'),
            Reply::NilArray => out.push(b'!'),
            Reply::Array(items) => {
                // '#' instead of '*' when every item is a nil or an ASCII bulk
                // string (MGET, LRANGE...): JS then decodes them in one go.
                let at = out.len();
                out.push(b'*');
                out.extend_from_slice(&(items.len() as u32).to_le_bytes());
                let mut ascii = items.len() > 1;
                for r in items {
                    if ascii {
                        ascii = match r {
                            Reply::Bulk(b) => b.is_ascii(),
                            Reply::Nil => true,
                            _ => false,
                        };
                    }
                    r.write_compact(out);
                }
                if ascii {
                    if let Some(t) = out.get_mut(at) {
                        *t = b'#';
                    }
                }
            }
            Reply::Seq(items) => match items.as_slice() {
                [one] => one.write_compact(out),
                _ => {
                    out.push(b'*');
                    out.extend_from_slice(&(items.len() as u32).to_le_bytes());
                    for r in items {
                        r.write_compact(out);
                    }
                }
            },
        }
    }
}

impl From<Error> for Reply {
    fn from(e: Error) -> Reply {
        Reply::Error(e)
    }
}

impl From<i64> for Reply {
    fn from(n: i64) -> Reply {
        Reply::Int(n)
    }
}

/// Parses one RESP2 reply from `buf` (as sent by redis-server). Returns the reply
/// and the bytes consumed, or `None` when `buf` holds no complete reply yet.
/// Used by the parity tests' client; lenient only in what a server never sends.
pub fn parse_resp(buf: &[u8]) -> Option<(Reply, usize)> {
    let line_end = buf.windows(2).position(|w| w == b"\r\n")?;
    let (kind, line) = buf.get(..line_end)?.split_first()?;
    let after = line_end + 2;
    let text = std::str::from_utf8(line).ok()?;
    match kind {
        b'+' => Some((Reply::Status(Cow::Owned(text.to_string())), after)),
        b'-' => Some((Reply::Error(Error::owned(text.to_string())), after)),
        b':' => Some((Reply::Int(text.parse().ok()?), after)),
        b'$' => {
            let n: i64 = text.parse().ok()?;
            if n < 0 {
                return Some((Reply::Nil, after));
            }
            let end = usize::try_from(n).ok().and_then(|n| after.checked_add(n))?;
            let used = end.checked_add(2).filter(|&u| u <= buf.len())?;
            Some((Reply::Bulk(buf.get(after..end)?.to_vec()), used))
        }
        b'*' => {
            let n: i64 = text.parse().ok()?;
            if n < 0 {
                return Some((Reply::NilArray, after));
            }
            let mut items = Vec::with_capacity(n.min(1024) as usize);
            let mut pos = after;
            for _ in 0..n {
                let (r, used) = parse_resp(buf.get(pos..)?)?;
                items.push(r);
                pos += used;
            }
            Some((Reply::Array(items), pos))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resp_round_trip() {
        let r = Reply::Array(vec![
            Reply::OK,
            Reply::Int(-3),
            Reply::bulk(&b"a\r\nb"[..]),
            Reply::Nil,
            Reply::NilArray,
            Reply::Error(crate::error::SYNTAX),
            Reply::empty_array(),
        ]);
        let mut out = Vec::new();
        r.write_resp(&mut out);
        let (back, used) = parse_resp(&out).unwrap();
        assert_eq!(used, out.len());
        assert_eq!(back, r);
    }

    #[test]
    fn resp_parse_odd_input() {
        // An empty first line, and lengths no server sends, are not a reply (no panic).
        assert_eq!(parse_resp(b"\r\n"), None);
        assert_eq!(parse_resp(b"$9223372036854775807\r\nab\r\n"), None);
        assert_eq!(parse_resp(b"*9223372036854775807\r\n:1\r\n"), None);
        assert_eq!(parse_resp(b"$2\r\nab\r\n"), Some((Reply::Bulk(b"ab".to_vec()), 8)));
        assert_eq!(parse_resp(b"$2\r\nab\r"), None);
    }

    #[test]
    fn compact_shape() {
        let mut out = Vec::new();
        Reply::Array(vec![Reply::Int(1), Reply::Nil]).write_compact(&mut out);
        assert_eq!(out, [b'*', 2, 0, 0, 0, b':', 1, 0, 0, 0, 0, 0, 0, 0, b'_']);
    }
}
