//! Keys and TTLs: DEL UNLINK EXISTS TYPE RENAME RENAMENX COPY MOVE TOUCH KEYS
//! SCAN RANDOMKEY DBSIZE, the EXPIRE family, TTL/PTTL/EXPIRETIME/PEXPIRETIME,
//! PERSIST and OBJECT, as Redis 7.0's db.c, expire.c and object.c.
//!
//! Lookups follow Redis's flags: EXISTS, TYPE and the TTL family read without
//! touching the access clock (but count hits/misses); OBJECT reads without
//! touching and without keymiss events; TOUCH and COPY's source read normally;
//! writers use `lookup_write` (and `lookup_write_in` for another database).
//!
//! The entry's `lru` field is Redis's: the LRU clock in seconds, or under an
//! LFU `maxmemory-policy` 16 bits of minutes and an 8-bit logarithmic counter
//! (`lfu_init`, `lfu_touch`, `lfu_value`: evict.c's LFU_INIT_VAL, LFULogIncr,
//! LFUDecrAndReturn). RENAME and MOVE carry the entry's access field along
//! (Redis moves the object); COPY makes a new object with a fresh one.
//!
//! Known difference: Redis shares one object among all keys holding the
//! integers 0..9999, so in Redis reading one such key also resets the idle
//! time (and bumps the LFU counter) of every other key with the same value;
//! here each key keeps its own access field. OBJECT REFCOUNT still reports
//! Redis's numbers (INT_MAX for shared integers, 1 otherwise).
//!
//! SCAN cursors are slot positions (`Db::scan_slots`), not Redis's
//! reverse-binary dict cursors; they keep SCAN's guarantees (a key present
//! for the whole iteration is returned at least once; cursor 0 ends it).
//!
//! Arguments come from slice patterns on argv; their `else` branch (a syntax
//! error) is unreachable once the dispatcher has checked the arity.

#![deny(clippy::indexing_slicing)]

use super::*;
use crate::config::Policy;
use crate::args::is_word;
use crate::glob::Pattern;
use crate::rng::Rng;
use crate::value::SHARED_INTEGERS;

const GENERIC: &str = "generic";

pub(crate) const COMMANDS: &[CommandSpec] = &[
    CommandSpec::new("del", -2, WRITE, Keys::range(1, -1, 1), GENERIC, del),
    CommandSpec::new("unlink", -2, WRITE | FAST, Keys::range(1, -1, 1), GENERIC, del),
    CommandSpec::new("exists", -2, READONLY | FAST, Keys::range(1, -1, 1), GENERIC, exists),
    CommandSpec::new("type", 2, READONLY | FAST, Keys::one(1), GENERIC, type_),
    CommandSpec::new("rename", 3, WRITE, Keys::range(1, 2, 1), GENERIC, rename),
    CommandSpec::new("renamenx", 3, WRITE | FAST, Keys::range(1, 2, 1), GENERIC, renamenx),
    CommandSpec::new("copy", -3, WRITE | DENYOOM, Keys::range(1, 2, 1), GENERIC, copy),
    CommandSpec::new("move", 3, WRITE | FAST, Keys::one(1), GENERIC, move_),
    CommandSpec::new("touch", -2, READONLY | FAST, Keys::range(1, -1, 1), GENERIC, touch),
    CommandSpec::new("keys", 2, READONLY, Keys::NONE, GENERIC, keys),
    CommandSpec::new("scan", -2, READONLY, Keys::NONE, GENERIC, scan),
    CommandSpec::new("randomkey", 1, READONLY, Keys::NONE, GENERIC, randomkey),
    CommandSpec::new("dbsize", 1, READONLY | FAST, Keys::NONE, "server", dbsize),
    CommandSpec::new("expire", -3, WRITE | FAST, Keys::one(1), GENERIC, expire),
    CommandSpec::new("pexpire", -3, WRITE | FAST, Keys::one(1), GENERIC, pexpire),
    CommandSpec::new("expireat", -3, WRITE | FAST, Keys::one(1), GENERIC, expireat),
    CommandSpec::new("pexpireat", -3, WRITE | FAST, Keys::one(1), GENERIC, pexpireat),
    CommandSpec::new("ttl", 2, READONLY | FAST, Keys::one(1), GENERIC, ttl),
    CommandSpec::new("pttl", 2, READONLY | FAST, Keys::one(1), GENERIC, pttl),
    CommandSpec::new("expiretime", 2, READONLY | FAST, Keys::one(1), GENERIC, expiretime),
    CommandSpec::new("pexpiretime", 2, READONLY | FAST, Keys::one(1), GENERIC, pexpiretime),
    CommandSpec::new("persist", 2, WRITE | FAST, Keys::one(1), GENERIC, persist),
    CommandSpec::container("object", 0, GENERIC, OBJECT_SUBCOMMANDS),
];

const OBJECT_SUBCOMMANDS: &[CommandSpec] = &[
    CommandSpec::sub("object|encoding", "encoding", 3, READONLY, Keys::one(2), GENERIC, object_encoding),
    CommandSpec::sub("object|freq", "freq", 3, READONLY, Keys::one(2), GENERIC, object_freq),
    CommandSpec::sub("object|help", "help", 2, LOADING | STALE, Keys::NONE, GENERIC, object_help),
    CommandSpec::sub("object|idletime", "idletime", 3, READONLY, Keys::one(2), GENERIC, object_idletime),
    CommandSpec::sub("object|refcount", "refcount", 3, READONLY, Keys::one(2), GENERIC, object_refcount),
];

// ------------------------------------------------------------------ LFU (evict.c)

/// A new key's counter (LFU_INIT_VAL), so new keys are not evicted at once.
pub const LFU_INIT_VAL: u32 = 5;

/// Redis's `LFUGetTimeInMinutes`: Unix minutes, 16 bits.
fn lfu_minutes(now_ms: i64) -> u32 {
    ((now_ms.max(0) / 60_000) & 65535) as u32
}

/// The access field of a key created now under an LFU policy.
pub fn lfu_init(now_ms: i64) -> u32 {
    (lfu_minutes(now_ms) << 8) | LFU_INIT_VAL
}

/// Redis's `LFUDecrAndReturn`: the counter, halved... decremented once per
/// `decay` minutes elapsed since the last access (16-bit minutes wrap once).
pub fn lfu_value(field: u32, now_ms: i64, decay: u32) -> u32 {
    let ldt = (field >> 8) & 65535;
    let counter = field & 255;
    let now = lfu_minutes(now_ms);
    let elapsed = if now >= ldt { now - ldt } else { 65535 - ldt + now };
    let periods = elapsed.checked_div(decay).unwrap_or(0);
    counter.saturating_sub(periods)
}

/// Redis's `updateLFU`: decay, then `LFULogIncr` (the counter grows with
/// probability 1 / ((counter - LFU_INIT_VAL) * factor + 1), saturating at 255).
pub fn lfu_touch(field: u32, now_ms: i64, factor: u32, decay: u32, rng: &mut Rng) -> u32 {
    let mut counter = lfu_value(field, now_ms, decay);
    if counter < 255 {
        let r = (rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
        let base = counter.saturating_sub(LFU_INIT_VAL) as f64;
        if r < 1.0 / (base * factor as f64 + 1.0) {
            counter += 1;
        }
    }
    (lfu_minutes(now_ms) << 8) | counter
}

// ------------------------------------------------------------------ lookups

impl<'a> Ctx<'a> {
    /// Redis's `lookupKeyReadWithFlags(LOOKUP_NOTOUCH[|LOOKUP_NONOTIFY])`:
    /// lazy expiry and hit/miss counters, no access clock.
    fn lookup_notouch(&mut self, key: &[u8], keymiss_event: bool) -> Option<usize> {
        let dbi = self.client.db;
        let found = self.expire_if_needed(dbi, key);
        if found.is_some() {
            self.srv.stats.keyspace_hits += 1;
        } else {
            self.srv.stats.keyspace_misses += 1;
            if keymiss_event {
                self.srv.notify(notify::KEY_MISS, "keymiss", dbi, key);
            }
        }
        found
    }

    /// Whether `key` is present in the current database but past its time.
    fn is_expired(&self, key: &[u8]) -> bool {
        let db = self.db_ref();
        db.find(key).and_then(|i| db.expire_of(i)).is_some_and(|t| t <= self.now)
    }
}

/// Redis's `getIntFromObjectOrReply` followed by `selectDb`'s range check.
fn parse_db(ctx: &Ctx, arg: &[u8]) -> Result<usize> {
    let n = num::parse_i64(arg).ok_or(error::NOT_INTEGER)?;
    if i32::try_from(n).is_err() {
        return Err(error::out_of_range_between(i32::MIN as i64, i32::MAX as i64));
    }
    if n < 0 || n >= ctx.srv.dbs.len() as i64 {
        return Err(error::DB_INDEX_OUT_OF_RANGE);
    }
    Ok(n as usize)
}

// ------------------------------------------------------------------ commands

/// DEL key [key ...] / UNLINK key [key ...]
fn del(ctx: &mut Ctx, a: Args) -> Result<Reply> {
    let mut n = 0;
    for key in a.from(1) {
        if ctx.delete_key(key) {
            ctx.notify(notify::GENERIC, "del", key);
            n += 1;
        }
    }
    Ok(Reply::Int(n))
}

/// EXISTS key [key ...]
fn exists(ctx: &mut Ctx, a: Args) -> Result<Reply> {
    let mut n = 0;
    for key in a.from(1) {
        if ctx.lookup_notouch(key, true).is_some() {
            n += 1;
        }
    }
    Ok(Reply::Int(n))
}

/// TYPE key
fn type_(ctx: &mut Ctx, a: Args) -> Result<Reply> {
    let &[_, key, ..] = a.all() else { return Err(error::SYNTAX) };
    let name = match ctx.lookup_notouch(key, true) {
        Some(slot) => ctx.db_ref().type_name(slot),
        None => "none",
    };
    Ok(Reply::status(name))
}

/// RENAME key newkey
fn rename(ctx: &mut Ctx, a: Args) -> Result<Reply> {
    rename_generic(ctx, a, false)
}

/// RENAMENX key newkey
fn renamenx(ctx: &mut Ctx, a: Args) -> Result<Reply> {
    rename_generic(ctx, a, true)
}

fn rename_generic(ctx: &mut Ctx, a: Args, nx: bool) -> Result<Reply> {
    let &[_, src, dst, ..] = a.all() else { return Err(error::SYNTAX) };
    ctx.lookup_write(src).ok_or(error::NO_SUCH_KEY)?;
    let done = if nx { Reply::Int(1) } else { Reply::OK };
    if src == dst {
        return Ok(if nx { Reply::Int(0) } else { Reply::OK });
    }
    if ctx.lookup_write(dst).is_some() {
        if nx {
            return Ok(Reply::Int(0));
        }
        ctx.db().remove(dst);
    }
    let dbi = ctx.dbi();
    move_entry(ctx, src, dbi, dst);
    ctx.modified(src);
    ctx.modified(dst);
    ctx.notify(notify::GENERIC, "rename_from", src);
    ctx.notify(notify::GENERIC, "rename_to", dst);
    Ok(done)
}

/// Moves the live entry `src` of the current database to the absent key `dst`
/// of database `to`, with its value, expiry and access field.
fn move_entry(ctx: &mut Ctx, src: &[u8], to: usize, dst: &[u8]) {
    let Some(slot) = ctx.db_ref().find(src) else { return };
    let expire = ctx.db_ref().expire_of(slot);
    let e = ctx.db().remove_at(slot);
    let (lru, unshared) = (e.lru, e.unshared);
    let Some(db) = ctx.srv.dbs.get_mut(to) else { return };
    let slot = db.insert(dst, e.val, expire, lru);
    db.entry_mut(slot).unshared = unshared;
    ctx.srv.notify(notify::NEW, "new", to, dst);
}

/// MOVE key db
fn move_(ctx: &mut Ctx, a: Args) -> Result<Reply> {
    let &[_, key, db, ..] = a.all() else { return Err(error::SYNTAX) };
    let to = parse_db(ctx, db)?;
    let from = ctx.dbi();
    if to == from {
        return Err(error::SAME_OBJECT);
    }
    if ctx.lookup_write(key).is_none() || ctx.lookup_write_in(to, key).is_some() {
        return Ok(Reply::Int(0));
    }
    move_entry(ctx, key, to, key);
    ctx.srv.signal_modified_key(from, key);
    ctx.srv.signal_modified_key(to, key);
    ctx.srv.notify(notify::GENERIC, "move_from", from, key);
    ctx.srv.notify(notify::GENERIC, "move_to", to, key);
    Ok(Reply::Int(1))
}

/// COPY source destination [DB destination-db] [REPLACE]
fn copy(ctx: &mut Ctx, a: Args) -> Result<Reply> {
    let &[_, src, dst, ref opts @ ..] = a.all() else { return Err(error::SYNTAX) };
    let from = ctx.dbi();
    let mut to = from;
    let mut replace = false;
    let mut opts = opts.iter();
    while let Some(opt) = opts.next() {
        if is_word(opt, "replace") {
            replace = true;
        } else if let (true, Some(db)) = (is_word(opt, "db"), opts.as_slice().first()) {
            to = parse_db(ctx, db)?;
            opts.next();
        } else {
            return Err(error::SYNTAX);
        }
    }
    if from == to && src == dst {
        return Err(error::SAME_OBJECT);
    }
    let Some(slot) = ctx.lookup_read(src) else {
        return Ok(Reply::Int(0));
    };
    let entry = ctx.db_ref().entry(slot);
    let (val, expire) = (entry.val.clone(), entry.expire());
    let exists = ctx.lookup_write_in(to, dst).is_some();
    if exists && !replace {
        return Ok(Reply::Int(0));
    }
    // A copied integer is a new object, never a shared one (dupStringObject).
    let unshared = matches!(val, Value::Int(_));
    let lru = ctx.new_lru();
    let Some(db) = ctx.srv.dbs.get_mut(to) else { return Err(error::DB_INDEX_OUT_OF_RANGE) };
    if exists {
        db.remove(dst);
    }
    let slot = db.insert(dst, val, expire, lru);
    db.entry_mut(slot).unshared = unshared;
    ctx.srv.notify(notify::NEW, "new", to, dst);
    ctx.srv.signal_modified_key(to, dst);
    ctx.srv.notify(notify::GENERIC, "copy_to", to, dst);
    Ok(Reply::Int(1))
}

/// TOUCH key [key ...]
fn touch(ctx: &mut Ctx, a: Args) -> Result<Reply> {
    let mut n = 0;
    for key in a.from(1) {
        if ctx.lookup_read(key).is_some() {
            n += 1;
        }
    }
    Ok(Reply::Int(n))
}

/// KEYS pattern
fn keys(ctx: &mut Ctx, a: Args) -> Result<Reply> {
    let &[_, pattern, ..] = a.all() else { return Err(error::SYNTAX) };
    let all = pattern == b"*";
    let pattern = Pattern::new(pattern);
    let now = ctx.now;
    let out = ctx
        .db_ref()
        .iter()
        .filter(|e| all || pattern.matches(e.key()))
        .filter(|e| e.expire().is_none_or(|t| t > now))
        .map(|e| Reply::bulk(e.key()))
        .collect();
    Ok(Reply::Array(out))
}

/// Redis's `parseScanCursorOrReply`: C `strtoul` base 10 (optional sign, a
/// leading '-' negates modulo 2^64), no leading space, nothing after the
/// digits up to the first NUL, no overflow. An empty cursor is 0.
pub(crate) fn parse_cursor(arg: &[u8]) -> Option<u64> {
    let s = arg.split(|&b| b == 0).next().unwrap_or(b"");
    if s.is_empty() {
        return Some(0);
    }
    if matches!(s.first(), Some(b' ' | b'\t' | b'\n' | b'\x0b' | b'\x0c' | b'\r')) {
        return None;
    }
    let (neg, digits) = match s.first() {
        Some(b'-') => (true, s.get(1..).unwrap_or(b"")),
        Some(b'+') => (false, s.get(1..).unwrap_or(b"")),
        _ => (false, s),
    };
    if digits.is_empty() {
        return None;
    }
    let mut v: u64 = 0;
    for &d in digits {
        if !d.is_ascii_digit() {
            return None;
        }
        v = v.checked_mul(10)?.checked_add((d - b'0') as u64)?;
    }
    Some(if neg { v.wrapping_neg() } else { v })
}

/// SCAN cursor [MATCH pattern] [COUNT count] [TYPE type]
fn scan(ctx: &mut Ctx, a: Args) -> Result<Reply> {
    let &[_, cursor, ref opts @ ..] = a.all() else { return Err(error::SYNTAX) };
    let cursor = parse_cursor(cursor).ok_or(error::INVALID_CURSOR)?;
    let mut count: i64 = 10;
    let mut pattern = None;
    let mut type_name: Option<&[u8]> = None;
    let mut opts = opts.iter();
    while let Some(opt) = opts.next() {
        match opts.next() {
            Some(v) if is_word(opt, "count") => {
                count = crate::args::parse_i64(v)?;
                if count < 1 {
                    return Err(error::SYNTAX);
                }
            }
            Some(v) if is_word(opt, "match") => pattern = (*v != b"*").then(|| Pattern::new(v)),
            Some(v) if is_word(opt, "type") => type_name = Some(v),
            _ => return Err(error::SYNTAX),
        }
    }
    let mut found = Vec::new();
    let db = ctx.db_ref();
    let next = db.scan_slots(cursor, usize::try_from(count).unwrap_or(usize::MAX), |slot| {
        found.push(db.key(slot).to_vec())
    });
    let mut out = Vec::with_capacity(found.len());
    for key in found {
        if pattern.as_ref().is_some_and(|p| !p.matches(&key)) {
            continue;
        }
        if let Some(want) = type_name {
            let have = match ctx.lookup_notouch(&key, true) {
                Some(slot) => ctx.db_ref().type_name(slot),
                None => "none",
            };
            if !have.as_bytes().eq_ignore_ascii_case(want) {
                continue;
            }
        }
        if ctx.is_expired(&key) {
            let dbi = ctx.dbi();
            ctx.expire_if_needed(dbi, &key);
            continue;
        }
        out.push(Reply::Bulk(key));
    }
    Ok(Reply::Array(vec![Reply::bulk(next.to_string()), Reply::Array(out)]))
}

/// RANDOMKEY
fn randomkey(ctx: &mut Ctx, _: Args) -> Result<Reply> {
    let dbi = ctx.dbi();
    loop {
        let Some(db) = ctx.srv.dbs.get(dbi) else { return Ok(Reply::Nil) };
        let Some(slot) = db.random_slot(&mut ctx.srv.rng) else {
            return Ok(Reply::Nil);
        };
        let key = db.key(slot).to_vec();
        if ctx.expire_if_needed(dbi, &key).is_some() {
            return Ok(Reply::Bulk(key));
        }
    }
}

/// DBSIZE
fn dbsize(ctx: &mut Ctx, _: Args) -> Result<Reply> {
    Ok(Reply::Int(ctx.db_ref().len() as i64))
}

/// EXPIRE key seconds [NX | XX | GT | LT]
fn expire(ctx: &mut Ctx, a: Args) -> Result<Reply> {
    let now = ctx.now;
    expire_generic(ctx, a, "expire", now, 1000)
}

/// PEXPIRE key milliseconds [NX | XX | GT | LT]
fn pexpire(ctx: &mut Ctx, a: Args) -> Result<Reply> {
    let now = ctx.now;
    expire_generic(ctx, a, "pexpire", now, 1)
}

/// EXPIREAT key unix-time-seconds [NX | XX | GT | LT]
fn expireat(ctx: &mut Ctx, a: Args) -> Result<Reply> {
    expire_generic(ctx, a, "expireat", 0, 1000)
}

/// PEXPIREAT key unix-time-milliseconds [NX | XX | GT | LT]
fn pexpireat(ctx: &mut Ctx, a: Args) -> Result<Reply> {
    expire_generic(ctx, a, "pexpireat", 0, 1)
}

const NX: u8 = 1;
const XX: u8 = 2;
const GT: u8 = 4;
const LT: u8 = 8;

/// Redis's `expireGenericCommand`: options first, then the number, the
/// overflow checks, the key, the conditions; a time not in the future deletes.
fn expire_generic(ctx: &mut Ctx, a: Args, name: &str, base: i64, unit: i64) -> Result<Reply> {
    let &[_, key, when, ref opts @ ..] = a.all() else { return Err(error::SYNTAX) };
    let mut flags = 0;
    for opt in opts {
        flags |= [("nx", NX), ("xx", XX), ("gt", GT), ("lt", LT)]
            .iter()
            .find(|(w, _)| crate::args::is_word(opt, w))
            .map(|(_, f)| *f)
            .ok_or_else(|| error::unsupported_option(opt))?;
    }
    if flags & NX != 0 && flags & (XX | GT | LT) != 0 {
        return Err(error::EXPIRE_NX_XX_GT_LT);
    }
    if flags & GT != 0 && flags & LT != 0 {
        return Err(error::EXPIRE_GT_LT);
    }
    let when = crate::args::parse_i64(when)?
        .checked_mul(unit)
        .and_then(|w| w.checked_add(base))
        .ok_or_else(|| error::invalid_expire(name))?;
    let Some(slot) = ctx.lookup_write(key) else {
        return Ok(Reply::Int(0));
    };
    let current = ctx.db_ref().expire_of(slot);
    let refused = (flags & NX != 0 && current.is_some())
        || (flags & XX != 0 && current.is_none())
        || (flags & GT != 0 && current.is_none_or(|c| when <= c))
        || (flags & LT != 0 && current.is_some_and(|c| when >= c));
    if refused {
        return Ok(Reply::Int(0));
    }
    if when <= ctx.now {
        ctx.db().remove_at(slot);
        ctx.modified(key);
        ctx.notify(notify::GENERIC, "del", key);
    } else {
        ctx.set_expire(slot, when);
        ctx.modified(key);
        ctx.notify(notify::GENERIC, "expire", key);
    }
    Ok(Reply::Int(1))
}

/// TTL key
fn ttl(ctx: &mut Ctx, a: Args) -> Result<Reply> {
    ttl_generic(ctx, a, false, false)
}

/// PTTL key
fn pttl(ctx: &mut Ctx, a: Args) -> Result<Reply> {
    ttl_generic(ctx, a, true, false)
}

/// EXPIRETIME key
fn expiretime(ctx: &mut Ctx, a: Args) -> Result<Reply> {
    ttl_generic(ctx, a, false, true)
}

/// PEXPIRETIME key
fn pexpiretime(ctx: &mut Ctx, a: Args) -> Result<Reply> {
    ttl_generic(ctx, a, true, true)
}

fn ttl_generic(ctx: &mut Ctx, a: Args, ms: bool, absolute: bool) -> Result<Reply> {
    let &[_, key, ..] = a.all() else { return Err(error::SYNTAX) };
    let Some(slot) = ctx.lookup_notouch(key, true) else {
        return Ok(Reply::Int(-2));
    };
    let Some(at) = ctx.db_ref().expire_of(slot) else {
        return Ok(Reply::Int(-1));
    };
    let t = if absolute { at } else { at.saturating_sub(ctx.now).max(0) };
    // Redis rounds with (t + 500) / 1000; near i64::MAX its build gives the exact
    // quotient (no wrap), so compute it wide.
    Ok(Reply::Int(if ms { t } else { ((t as i128 + 500) / 1000) as i64 }))
}

/// PERSIST key
fn persist(ctx: &mut Ctx, a: Args) -> Result<Reply> {
    let &[_, key, ..] = a.all() else { return Err(error::SYNTAX) };
    let Some(slot) = ctx.lookup_write(key) else {
        return Ok(Reply::Int(0));
    };
    if ctx.db_ref().expire_of(slot).is_none() {
        return Ok(Reply::Int(0));
    }
    ctx.db().set_expire(slot, None);
    ctx.modified(key);
    ctx.notify(notify::GENERIC, "persist", key);
    Ok(Reply::Int(1))
}

/// OBJECT ENCODING key
fn object_encoding(ctx: &mut Ctx, a: Args) -> Result<Reply> {
    let &[_, _, key, ..] = a.all() else { return Err(error::SYNTAX) };
    Ok(match ctx.lookup_notouch(key, false) {
        Some(slot) => Reply::bulk_str(ctx.value(slot).encoding()),
        None => Reply::Nil,
    })
}

/// OBJECT FREQ key
fn object_freq(ctx: &mut Ctx, a: Args) -> Result<Reply> {
    let &[_, _, key, ..] = a.all() else { return Err(error::SYNTAX) };
    let Some(slot) = ctx.lookup_notouch(key, false) else {
        return Ok(Reply::Nil);
    };
    if !ctx.srv.config.maxmemory_policy.is_lfu() {
        return Err(error::LFU_NOT_SELECTED);
    }
    let field = ctx.db_ref().lru(slot);
    Ok(Reply::Int(lfu_value(field, ctx.now, ctx.srv.config.lfu_decay_time) as i64))
}

/// OBJECT IDLETIME key
fn object_idletime(ctx: &mut Ctx, a: Args) -> Result<Reply> {
    let &[_, _, key, ..] = a.all() else { return Err(error::SYNTAX) };
    let Some(slot) = ctx.lookup_notouch(key, false) else {
        return Ok(Reply::Nil);
    };
    if ctx.srv.config.maxmemory_policy.is_lfu() {
        return Err(error::LFU_SELECTED);
    }
    // Redis's estimateObjectIdleTime: the 24-bit clock may have wrapped.
    let last = (ctx.db_ref().lru(slot) & 0xFF_FFFF) as i64;
    let now = ctx.lru_clock() as i64;
    Ok(Reply::Int(if now >= last { now - last } else { now + (0xFF_FFFF - last) }))
}

/// OBJECT REFCOUNT key: Redis shares the integers 0..9999 (refcount INT_MAX)
/// unless maxmemory is set with an LRU or LFU policy, or the value was COPYed.
fn object_refcount(ctx: &mut Ctx, a: Args) -> Result<Reply> {
    let &[_, _, key, ..] = a.all() else { return Err(error::SYNTAX) };
    let Some(slot) = ctx.lookup_notouch(key, false) else {
        return Ok(Reply::Nil);
    };
    let cfg = &ctx.srv.config;
    let sharing = cfg.maxmemory == 0
        || !matches!(
            cfg.maxmemory_policy,
            Policy::VolatileLru | Policy::AllkeysLru | Policy::VolatileLfu | Policy::AllkeysLfu
        );
    let e = ctx.db_ref().entry(slot);
    let shared = sharing && !e.unshared && matches!(e.val, Value::Int(n) if (0..SHARED_INTEGERS).contains(&n));
    Ok(Reply::Int(if shared { i32::MAX as i64 } else { 1 }))
}

const OBJECT_HELP: &[&str] = &[
    "OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
    "ENCODING <key>",
    "    Return the kind of internal representation used in order to store the value",
    "    associated with a <key>.",
    "FREQ <key>",
    "    Return the access frequency index of the <key>. The returned integer is",
    "    proportional to the logarithm of the recent access frequency of the key.",
    "IDLETIME <key>",
    "    Return the idle time of the <key>, that is the approximated number of",
    "    seconds elapsed since the last access to the key.",
    "REFCOUNT <key>",
    "    Return the number of references of the value associated with the specified",
    "    <key>.",
    "HELP",
    "    Prints this help.",
];

/// OBJECT HELP
fn object_help(_: &mut Ctx, _: Args) -> Result<Reply> {
    Ok(Reply::Array(OBJECT_HELP.iter().map(|l| Reply::status(l)).collect()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursor_parsing_is_strtoul() {
        assert_eq!(parse_cursor(b"0"), Some(0));
        assert_eq!(parse_cursor(b""), Some(0));
        assert_eq!(parse_cursor(b"+7"), Some(7));
        assert_eq!(parse_cursor(b"-1"), Some(u64::MAX));
        assert_eq!(parse_cursor(b"18446744073709551615"), Some(u64::MAX));
        assert_eq!(parse_cursor(b"18446744073709551616"), None);
        assert_eq!(parse_cursor(b" 1"), None);
        assert_eq!(parse_cursor(b"1 "), None);
        assert_eq!(parse_cursor(b"-"), None);
        assert_eq!(parse_cursor(b"1x"), None);
        assert_eq!(parse_cursor(b"3\0junk"), Some(3));
    }

    #[test]
    fn lfu_counter() {
        let now = 10 * 60_000;
        let f = lfu_init(now);
        assert_eq!(lfu_value(f, now, 1), LFU_INIT_VAL);
        assert_eq!(lfu_value(f, now + 3 * 60_000, 1), LFU_INIT_VAL - 3);
        assert_eq!(lfu_value(f, now + 30 * 60_000, 1), 0);
        assert_eq!(lfu_value(f, now + 30 * 60_000, 0), LFU_INIT_VAL);
        let mut rng = Rng::new(1);
        // At or below LFU_INIT_VAL the counter always grows.
        assert_eq!(lfu_value(lfu_touch(f, now, 10, 1, &mut rng), now, 1), LFU_INIT_VAL + 1);
        let mut x = f;
        for _ in 0..100_000 {
            x = lfu_touch(x, now, 10, 1, &mut rng);
        }
        let c = lfu_value(x, now, 1);
        assert!((120..170).contains(&c), "{c}");
        let mut x = (lfu_minutes(now) << 8) | 255;
        x = lfu_touch(x, now, 10, 1, &mut rng);
        assert_eq!(x & 255, 255);
    }
}
