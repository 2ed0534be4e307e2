//! The outgrow path: the whole keyspace as a RESP command stream that
//! `redis-cli --pipe` loads into a real Redis server, and a loader that runs
//! such a stream (ours, or one written by any other tool) against this store.
//!
//! Each key becomes the commands that recreate it, one type per arm of
//! [`write_key`]: strings `SET k v [PXAT t]`; sets `SADD`; hashes `HSET`
//! (and, with `field_ttl`, one `HPEXPIREAT k t FIELDS 1 f` per field with a
//! TTL: Redis 7.4+ / Valkey 9 only); sorted sets `ZADD k score member` (scores
//! as `%.17g`, exact); lists `RPUSH`; big collections split into commands of
//! at most [`CHUNK`] elements; streams as Redis's AOF rewrite writes them
//! ([`write_stream`]: XADD, XSETID, XGROUP CREATE, XGROUP CREATECONSUMER,
//! XCLAIM ... FORCE JUSTID), which is as far as Redis 7.0 lets a client
//! recreate one: consumers' seen-times become the load time, pending entries
//! whose stream entry was deleted are dropped by XCLAIM, and the node layout
//! is rebuilt by the target's own XADDs (tombstones are not carried). Expiry is absolute (`PXAT` / `PEXPIREAT`), so
//! the time a transfer takes does not stretch TTLs. Every database with keys
//! starts with `SELECT n`. Keys already expired are left out. The stream
//! assumes an empty target (no `DEL` first), as a restore would.
#![deny(clippy::indexing_slicing)]

use crate::db::Db;
use crate::error::Error;
use crate::reply::Reply;
use crate::server::{Client, Server};
use crate::snapshot::{Out, SnapshotError};
use crate::types::hash::Hash;
use crate::types::set::Set;
use crate::types::stream::{Stream, StreamId};
use crate::types::zset::fmt_score;
use crate::value::Value;

/// Elements per SADD / HSET / RPUSH / ZADD command.
pub const CHUNK: usize = 1000;

/// Options of [`dump_resp`].
#[derive(Clone, Copy, Debug, Default)]
pub struct DumpOptions {
    /// Emit HPEXPIREAT for hash fields with TTLs (Redis ≥ 7.4, Valkey ≥ 9).
    pub field_ttl: bool,
}

struct Resp {
    out: Out,
}

impl Resp {
    fn command(&mut self, args: &[&[u8]]) -> Result<(), SnapshotError> {
        let mut n = 16;
        for a in args {
            n += a.len() + 16;
        }
        self.out.room(n)?;
        let b = &mut self.out.buf;
        header(b, b'*', args.len());
        for a in args {
            header(b, b'$', a.len());
            b.extend_from_slice(a);
            b.extend_from_slice(b"\r\n");
        }
        Ok(())
    }
}

fn header(b: &mut Vec<u8>, c: u8, n: usize) {
    b.push(c);
    b.extend_from_slice(n.to_string().as_bytes());
    b.extend_from_slice(b"\r\n");
}

/// Emits `name key <prefix...> items...` in chunks of [`CHUNK`] items.
fn chunked(r: &mut Resp, name: &[u8], key: &[u8], items: &[Vec<u8>], per: usize) -> Result<(), SnapshotError> {
    let step = (CHUNK * per).max(per);
    for part in items.chunks(step) {
        let mut args: Vec<&[u8]> = Vec::with_capacity(part.len() + 2);
        args.push(name);
        args.push(key);
        args.extend(part.iter().map(|x| x.as_slice()));
        r.command(&args)?;
    }
    Ok(())
}

/// The commands recreating one live key.
fn write_key(r: &mut Resp, key: &[u8], val: &Value, expire: Option<i64>, now: i64, o: DumpOptions) -> Result<(), SnapshotError> {
    let exp = expire.map(|t| t.to_string().into_bytes());
    match val {
        Value::Stream(st) => write_stream(r, key, st)?,
        Value::Int(_) | Value::Str(_) | Value::Raw(_) => {
            let bytes = val.as_bytes().unwrap_or_default();
            match &exp {
                Some(t) => r.command(&[b"SET", key, &bytes, b"PXAT", t])?,
                None => r.command(&[b"SET", key, &bytes])?,
            }
            return Ok(());
        }
        Value::Set(s) => {
            let members = match &**s {
                Set::Ints(v) => v.iter().map(|n| n.to_string().into_bytes()).collect(),
                Set::Hash(_) => s.members(),
            };
            chunked(r, b"SADD", key, &members, 1)?;
        }
        Value::Hash(h) => {
            let mut flat = Vec::with_capacity(h.len() * 2);
            let mut ttls = Vec::new();
            match &**h {
                Hash::List(v) => {
                    for (f, x) in v {
                        flat.push(f.clone());
                        flat.push(x.clone());
                    }
                }
                Hash::Table { map, .. } => {
                    for (f, x) in map.iter() {
                        if x.expire != 0 && x.expire <= now {
                            continue;
                        }
                        if x.expire != 0 {
                            ttls.push((f.to_vec(), x.expire));
                        }
                        flat.push(f.to_vec());
                        flat.push(x.val.clone());
                    }
                }
            }
            if flat.is_empty() {
                return Ok(());
            }
            chunked(r, b"HSET", key, &flat, 2)?;
            if o.field_ttl {
                for (f, t) in ttls {
                    r.command(&[b"HPEXPIREAT", key, t.to_string().as_bytes(), b"FIELDS", b"1", &f])?;
                }
            }
        }
        Value::ZSet(z) => {
            let mut flat = Vec::with_capacity(z.len() * 2);
            for (m, score) in z.iter() {
                flat.push(fmt_score(score));
                flat.push(m.to_vec());
            }
            chunked(r, b"ZADD", key, &flat, 2)?;
        }
        Value::List(l) => {
            let items: Vec<Vec<u8>> = l.iter().cloned().collect();
            chunked(r, b"RPUSH", key, &items, 1)?;
        }
    }
    if let Some(t) = &exp {
        r.command(&[b"PEXPIREAT", key, t])?;
    }
    Ok(())
}

/// A stream as Redis's own AOF rewrite writes one (Redis 7.0 semantics):
/// `XADD key id f v ...` per live entry (an empty stream: `XADD key MAXLEN 0
/// 0-1 x y`), `XSETID key last-id ENTRIESADDED n MAXDELETEDID id`, then per
/// group `XGROUP CREATE key g last-id ENTRIESREAD n`, `XGROUP CREATECONSUMER`
/// for every consumer, and each pending entry as `XCLAIM key g consumer 0 id
/// TIME delivery-ms RETRYCOUNT count FORCE JUSTID` (absolute time, like PXAT).
fn write_stream(r: &mut Resp, key: &[u8], st: &Stream) -> Result<(), SnapshotError> {
    let id = |i: StreamId| i.to_bytes();
    if st.length == 0 {
        r.command(&[b"XADD", key, b"MAXLEN", b"0", b"0-1", b"x", b"y"])?;
    }
    for it in st.range(StreamId::MIN, StreamId::MAX, false, 0) {
        let idb = id(it.id);
        let mut args: Vec<&[u8]> = Vec::with_capacity(it.fv.len() + 3);
        args.extend([b"XADD".as_slice(), key, &idb]);
        args.extend(it.fv.iter().map(|x| x.as_slice()));
        r.command(&args)?;
    }
    let added = st.entries_added.to_string();
    r.command(&[b"XSETID", key, &id(st.last_id), b"ENTRIESADDED", added.as_bytes(), b"MAXDELETEDID", &id(st.max_deleted)])?;
    for (name, g) in &st.groups {
        let read = g.entries_read.to_string();
        r.command(&[b"XGROUP", b"CREATE", key, name, &id(g.last_id), b"ENTRIESREAD", read.as_bytes()])?;
        for cname in g.consumers.keys() {
            r.command(&[b"XGROUP", b"CREATECONSUMER", key, name, cname])?;
        }
        for (pid, nack) in &g.pel {
            let (t, n) = (nack.delivery_time.to_string(), nack.delivery_count.to_string());
            r.command(&[
                b"XCLAIM", key, name, &nack.consumer, b"0", &id(*pid), b"TIME", t.as_bytes(), b"RETRYCOUNT", n.as_bytes(), b"FORCE",
                b"JUSTID",
            ])?;
        }
    }
    Ok(())
}

/// The whole keyspace as a RESP command stream (see the module doc).
pub fn dump_resp(dbs: &[Db], now: i64, o: DumpOptions) -> Result<Vec<u8>, SnapshotError> {
    let mut r = Resp { out: Out::new() };
    for (i, db) in dbs.iter().enumerate() {
        if db.is_empty() {
            continue;
        }
        r.command(&[b"SELECT", i.to_string().as_bytes()])?;
        for i in 0..db.len() {
            if let Some((key, bytes)) = db.compact_string(i) {
                r.command(&[b"SET", key, bytes])?;
                continue;
            }
            let Some(e) = db.get(i) else { continue };
            if e.expire().is_some_and(|t| t <= now) {
                continue;
            }
            write_key(&mut r, e.key(), &e.val, e.expire(), now, o)?;
        }
    }
    Ok(r.out.buf)
}

// ------------------------------------------------------------------ loader

/// Splits a RESP stream into commands (arrays of bulk strings, as
/// `redis-cli --pipe` sends; inline commands are refused). Checks the whole
/// stream before anything runs.
pub fn parse_resp(b: &[u8]) -> Result<Vec<Vec<&[u8]>>, String> {
    let mut cmds = Vec::new();
    let mut pos = 0usize;
    let line = |pos: &mut usize, lead: u8| -> Result<usize, String> {
        let at = *pos;
        if b.get(at) != Some(&lead) {
            return Err(format!("RESP: expected '{}' at byte {at}", lead as char));
        }
        let rest = b.get(at + 1..).unwrap_or(&[]);
        let Some(end) = rest.windows(2).position(|w| w == b"\r\n") else {
            return Err(format!("RESP: unterminated line at byte {at}"));
        };
        let digits = rest.get(..end).unwrap_or(&[]);
        if digits.is_empty() || digits.len() > 10 || !digits.iter().all(u8::is_ascii_digit) {
            return Err(format!("RESP: bad length at byte {at}"));
        }
        let n: usize = std::str::from_utf8(digits).ok().and_then(|s| s.parse().ok()).ok_or(format!("RESP: bad length at byte {at}"))?;
        *pos = at + 1 + end + 2;
        Ok(n)
    };
    while pos < b.len() {
        let n = line(&mut pos, b'*')?;
        if n == 0 || n > b.len() - pos {
            return Err(format!("RESP: bad argument count at byte {pos}"));
        }
        let mut args = Vec::new();
        args.try_reserve_exact(n).map_err(|_| "RESP: out of memory".to_string())?;
        for _ in 0..n {
            let len = line(&mut pos, b'$')?;
            let end = pos.checked_add(len).filter(|&e| e.checked_add(2).is_some_and(|x| x <= b.len()));
            let (Some(end), Some(arg)) = (end, end.and_then(|e| b.get(pos..e))) else {
                return Err(format!("RESP: truncated bulk string at byte {pos}"));
            };
            if b.get(end..end + 2) != Some(b"\r\n") {
                return Err(format!("RESP: bulk string not followed by CRLF at byte {end}"));
            }
            args.push(arg);
            pos = end + 2;
        }
        cmds.push(args);
    }
    Ok(cmds)
}

/// What running a RESP stream did.
#[derive(Debug, Default)]
pub struct LoadReport {
    pub commands: usize,
    /// (command index, error) for the first errors (at most 100 kept).
    pub errors: Vec<(usize, Error)>,
    pub error_count: usize,
}

/// Parses the whole stream, then runs every command on `client` (its own
/// SELECT state), as `redis-cli --pipe` would. A stream that does not parse
/// runs nothing.
pub fn load_resp(srv: &mut Server, client: &mut Client, b: &[u8]) -> Result<LoadReport, String> {
    let cmds = parse_resp(b)?;
    let mut rep = LoadReport { commands: cmds.len(), ..Default::default() };
    for (i, argv) in cmds.iter().enumerate() {
        if let Reply::Error(e) = srv.execute(client, argv) {
            rep.error_count += 1;
            if rep.errors.len() < 100 {
                rep.errors.push((i, e));
            }
        }
    }
    Ok(rep)
}

impl Server {
    /// The keyspace as a RESP command stream (`db.dump({ format: "resp" })`).
    pub fn dump_resp(&self, o: DumpOptions) -> Result<Vec<u8>, SnapshotError> {
        dump_resp(&self.dbs, self.now_ms(), o)
    }
}
