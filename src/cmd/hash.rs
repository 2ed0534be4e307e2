//! Hashes: HSET HSETNX HGET HMGET HMSET HGETALL HDEL HEXISTS HLEN HSTRLEN
//! HKEYS HVALS HINCRBY HINCRBYFLOAT HRANDFIELD HSCAN as Redis 7.0, and the
//! per-field TTL commands of Redis 7.4 / Valkey 9 (HEXPIRE HPEXPIRE HEXPIREAT
//! HPEXPIREAT HTTL HPTTL HEXPIRETIME HPEXPIRETIME HPERSIST HGETEX HSETEX
//! HGETDEL) with Valkey 9's replies and error texts.
//!
//! An emptied hash is deleted. Expired fields are deleted when a hash command
//! looks the key up (`hexpired` event, and `del` when the hash empties) and by
//! the active cycle (`active_expire_fields`, driven from
//! `Server::active_expire_cycle` on a budget).

#![deny(clippy::indexing_slicing)]

use super::scan::{scan_reply, ScanOpts};
use super::set::MAX_REPLY_ELEMENTS;
use super::*;
use crate::ldouble::LDouble;
use crate::types::hash::{Hash, Limits};

pub(crate) const COMMANDS: &[CommandSpec] = &[
    CommandSpec::new("hset", -4, WRITE | DENYOOM | FAST, Keys::one(1), "hash", hset),
    CommandSpec::new("hmset", -4, WRITE | DENYOOM | FAST, Keys::one(1), "hash", hset),
    CommandSpec::new("hsetnx", 4, WRITE | DENYOOM | FAST, Keys::one(1), "hash", hsetnx),
    CommandSpec::new("hget", 3, READONLY | FAST, Keys::one(1), "hash", hget),
    CommandSpec::new("hmget", -3, READONLY | FAST, Keys::one(1), "hash", hmget),
    CommandSpec::new("hgetall", 2, READONLY, Keys::one(1), "hash", hgetall),
    CommandSpec::new("hkeys", 2, READONLY, Keys::one(1), "hash", hkeys),
    CommandSpec::new("hvals", 2, READONLY, Keys::one(1), "hash", hvals),
    CommandSpec::new("hdel", -3, WRITE | FAST, Keys::one(1), "hash", hdel),
    CommandSpec::new("hexists", 3, READONLY | FAST, Keys::one(1), "hash", hexists),
    CommandSpec::new("hlen", 2, READONLY | FAST, Keys::one(1), "hash", hlen),
    CommandSpec::new("hstrlen", 3, READONLY | FAST, Keys::one(1), "hash", hstrlen),
    CommandSpec::new("hincrby", 4, WRITE | DENYOOM | FAST, Keys::one(1), "hash", hincrby),
    CommandSpec::new("hincrbyfloat", 4, WRITE | DENYOOM | FAST, Keys::one(1), "hash", hincrbyfloat),
    CommandSpec::new("hrandfield", -2, READONLY, Keys::one(1), "hash", hrandfield),
    CommandSpec::new("hscan", -3, READONLY, Keys::one(1), "hash", hscan),
    CommandSpec::new("hexpire", -6, WRITE | FAST, Keys::one(1), "hash", hexpire),
    CommandSpec::new("hpexpire", -6, WRITE | FAST, Keys::one(1), "hash", hpexpire),
    CommandSpec::new("hexpireat", -6, WRITE | FAST, Keys::one(1), "hash", hexpireat),
    CommandSpec::new("hpexpireat", -6, WRITE | FAST, Keys::one(1), "hash", hpexpireat),
    CommandSpec::new("httl", -5, READONLY | FAST, Keys::one(1), "hash", httl),
    CommandSpec::new("hpttl", -5, READONLY | FAST, Keys::one(1), "hash", hpttl),
    CommandSpec::new("hexpiretime", -5, READONLY | FAST, Keys::one(1), "hash", hexpiretime),
    CommandSpec::new("hpexpiretime", -5, READONLY | FAST, Keys::one(1), "hash", hpexpiretime),
    CommandSpec::new("hpersist", -5, WRITE | FAST, Keys::one(1), "hash", hpersist),
    CommandSpec::new("hgetex", -5, WRITE | FAST, Keys::one(1), "hash", hgetex),
    CommandSpec::new("hsetex", -6, WRITE | DENYOOM | FAST, Keys::one(1), "hash", hsetex),
    CommandSpec::new("hgetdel", -5, WRITE | FAST, Keys::one(1), "hash", hgetdel),
];

impl<'a> Ctx<'a> {
    fn hash_limits(&self) -> Limits {
        let c = &self.srv.config;
        Limits { entries: c.hash_max_listpack_entries, value: c.hash_max_listpack_value }
    }
    fn hash_at(&self, slot: usize) -> Result<&Hash> {
        match self.value(slot) {
            Value::Hash(h) => Ok(h),
            _ => Err(error::WRONGTYPE),
        }
    }
    fn hash_at_mut(&mut self, slot: usize) -> Result<&mut Hash> {
        match self.value_mut(slot) {
            Value::Hash(h) => Ok(h),
            _ => Err(error::WRONGTYPE),
        }
    }
    /// Deletes the expired fields of the hash in `slot` (`hexpired`), and the
    /// key when that empties it (`del`). Returns the slot while the key lives.
    fn purge_fields(&mut self, slot: usize, key: &[u8]) -> Result<Option<usize>> {
        let now = self.now;
        let h = self.hash_at_mut(slot)?;
        if h.purge(now) == 0 {
            return Ok(Some(slot));
        }
        let emptied = h.is_empty();
        self.notify(notify::HASH, "hexpired", key);
        self.modified(key);
        if emptied {
            self.db().remove_at(slot);
            self.notify(notify::GENERIC, "del", key);
            return Ok(None);
        }
        Ok(Some(slot))
    }
    /// A hash for reading: Ok(None) when missing, WRONGTYPE for other types.
    fn hash_read(&mut self, key: &[u8]) -> Result<Option<usize>> {
        match self.lookup_read(key) {
            None => Ok(None),
            Some(slot) => self.purge_fields(slot, key),
        }
    }
    /// A hash for writing: Ok(None) when missing, WRONGTYPE for other types.
    fn hash_write(&mut self, key: &[u8]) -> Result<Option<usize>> {
        match self.lookup_write(key) {
            None => Ok(None),
            Some(slot) => self.purge_fields(slot, key),
        }
    }
    /// Redis's `hashTypeLookupWriteOrCreate`.
    fn hash_write_or_create(&mut self, key: &[u8]) -> Result<usize> {
        match self.hash_write(key)? {
            Some(slot) => Ok(slot),
            None => Ok(self.add_key(key, Value::Hash(Box::default()))),
        }
    }
    /// Deletes the key when its hash is empty (with `del`); true when deleted.
    fn drop_if_empty(&mut self, slot: usize, key: &[u8]) -> bool {
        if matches!(self.value(slot), Value::Hash(h) if h.is_empty()) {
            self.db().remove_at(slot);
            self.notify(notify::GENERIC, "del", key);
            return true;
        }
        false
    }
    /// The hash in `slot` and the server's random generator, borrowed together.
    fn hash_and_rng(&mut self, slot: usize) -> Result<(&Hash, &mut crate::rng::Rng)> {
        let srv = &mut *self.srv;
        match srv.dbs.get(self.client.db).map(|db| &db.entry(slot).val) {
            Some(Value::Hash(h)) => Ok((h, &mut srv.rng)),
            _ => Err(error::WRONGTYPE),
        }
    }
    /// Lists the key for the active expiry of fields when its hash has TTLs.
    fn track_field_ttl(&mut self, slot: usize, key: &[u8]) {
        if self.value(slot).has_field_ttl() {
            self.db().field_ttl_keys.insert(key, ());
        }
    }
}

/// Active expiry of hash fields: visits up to `budget` tracked hashes over all
/// databases, deleting their expired fields (and emptied keys). Returns the
/// number of fields deleted.
pub(crate) fn active_expire_fields(srv: &mut crate::server::Server, now: i64, budget: usize) -> usize {
    let mut deleted = 0;
    let mut spent = 0;
    for dbi in 0..srv.dbs.len() {
        let tries = srv.dbs.get(dbi).map_or(0, |db| db.field_ttl_keys.len().min(20));
        for _ in 0..tries {
            if spent >= budget {
                return deleted;
            }
            spent += 1;
            let Some(db) = srv.dbs.get_mut(dbi) else { break };
            let n = db.field_ttl_keys.len();
            if n == 0 {
                break;
            }
            let i = srv.rng.below(n);
            let Some(key) = db.field_ttl_keys.at(i).map(|(k, _)| k.to_vec()) else { break };
            let slot = db.find(&key);
            let h = match slot.map(|s| &mut db.entry_mut(s).val) {
                Some(Value::Hash(h)) if h.has_ttl() => h,
                _ => {
                    db.field_ttl_keys.remove_at(i);
                    continue;
                }
            };
            let n = h.purge(now);
            let (emptied, still) = (h.is_empty(), h.has_ttl());
            if !still {
                db.field_ttl_keys.remove_at(i);
            }
            if n > 0 {
                deleted += n;
                spent += n;
                srv.notify(notify::HASH, "hexpired", dbi, &key);
                if emptied {
                    if let (Some(s), Some(db)) = (slot, srv.dbs.get_mut(dbi)) {
                        db.remove_at(s);
                    }
                    srv.notify(notify::GENERIC, "del", dbi, &key);
                }
                srv.signal_modified_key(dbi, &key);
            }
        }
    }
    deleted
}

fn flat_pairs(pairs: Vec<(Vec<u8>, Vec<u8>)>, with_values: bool) -> Reply {
    let mut out = Vec::with_capacity(pairs.len() * if with_values { 2 } else { 1 });
    for (k, v) in pairs {
        out.push(Reply::Bulk(k));
        if with_values {
            out.push(Reply::Bulk(v));
        }
    }
    Reply::Array(out)
}

/// HSET key field value [field value ...] (also HMSET, which answers OK)
fn hset(ctx: &mut Ctx, a: Args) -> Result<Reply> {
    let is_hmset = a.get(0).and_then(|n| n.get(1)).is_some_and(|c| c.eq_ignore_ascii_case(&b'm'));
    let arity = || error::wrong_arity(if is_hmset { "hmset" } else { "hset" });
    if a.len() % 2 == 1 {
        return Err(arity());
    }
    let &[_, key, ref pairs @ ..] = a.all() else { return Err(arity()) };
    let lim = ctx.hash_limits();
    let slot = ctx.hash_write_or_create(key)?;
    let h = ctx.hash_at_mut(slot)?;
    h.try_conversion(pairs, lim);
    let mut created = 0;
    for p in pairs.chunks_exact(2) {
        if let [f, v] = p {
            created += h.set(f, v.to_vec(), false, lim) as i64;
        }
    }
    ctx.modified(key);
    ctx.notify(notify::HASH, "hset", key);
    Ok(if is_hmset { Reply::OK } else { Reply::Int(created) })
}

/// HSETNX key field value
fn hsetnx(ctx: &mut Ctx, a: Args) -> Result<Reply> {
    let &[_, key, field, value] = a.all() else { return Err(error::wrong_arity("hsetnx")) };
    let lim = ctx.hash_limits();
    let slot = ctx.hash_write_or_create(key)?;
    let h = ctx.hash_at_mut(slot)?;
    if h.contains(field) {
        return Ok(Reply::Int(0));
    }
    h.try_conversion(&[field, value], lim);
    h.set(field, value.to_vec(), false, lim);
    ctx.modified(key);
    ctx.notify(notify::HASH, "hset", key);
    Ok(Reply::Int(1))
}

/// HGET key field
fn hget(ctx: &mut Ctx, a: Args) -> Result<Reply> {
    let &[_, key, field] = a.all() else { return Err(error::wrong_arity("hget")) };
    let Some(slot) = ctx.hash_read(key)? else { return Ok(Reply::Nil) };
    Ok(Reply::opt_bulk(ctx.hash_at(slot)?.get(field).map(|v| v.to_vec())))
}

/// HMGET key field [field ...]
fn hmget(ctx: &mut Ctx, a: Args) -> Result<Reply> {
    let &[_, key, ref fields @ ..] = a.all() else { return Err(error::wrong_arity("hmget")) };
    let slot = ctx.hash_read(key)?;
    let h = match slot {
        Some(s) => Some(ctx.hash_at(s)?),
        None => None,
    };
    Ok(Reply::Array(fields.iter().map(|f| Reply::opt_bulk(h.and_then(|h| h.get(f)).map(|v| v.to_vec()))).collect()))
}

fn getall(ctx: &mut Ctx, key: &[u8], fields: bool, values: bool) -> Result<Reply> {
    let Some(slot) = ctx.hash_read(key)? else { return Ok(Reply::empty_array()) };
    let pairs = ctx.hash_at(slot)?.pairs();
    Ok(match (fields, values) {
        (true, true) => flat_pairs(pairs, true),
        (true, false) => Reply::Array(pairs.into_iter().map(|(k, _)| Reply::Bulk(k)).collect()),
        _ => Reply::Array(pairs.into_iter().map(|(_, v)| Reply::Bulk(v)).collect()),
    })
}

/// HGETALL key
fn hgetall(ctx: &mut Ctx, a: Args) -> Result<Reply> {
    let &[_, key] = a.all() else { return Err(error::wrong_arity("hgetall")) };
    getall(ctx, key, true, true)
}

/// HKEYS key
fn hkeys(ctx: &mut Ctx, a: Args) -> Result<Reply> {
    let &[_, key] = a.all() else { return Err(error::wrong_arity("hkeys")) };
    getall(ctx, key, true, false)
}

/// HVALS key
fn hvals(ctx: &mut Ctx, a: Args) -> Result<Reply> {
    let &[_, key] = a.all() else { return Err(error::wrong_arity("hvals")) };
    getall(ctx, key, false, true)
}

/// HDEL key field [field ...]
fn hdel(ctx: &mut Ctx, a: Args) -> Result<Reply> {
    let &[_, key, ref fields @ ..] = a.all() else { return Err(error::wrong_arity("hdel")) };
    let Some(slot) = ctx.hash_write(key)? else { return Ok(Reply::Int(0)) };
    let h = ctx.hash_at_mut(slot)?;
    let mut deleted = 0;
    for f in fields {
        if h.remove(f) {
            deleted += 1;
            if h.is_empty() {
                break;
            }
        }
    }
    if deleted > 0 {
        ctx.modified(key);
        ctx.notify(notify::HASH, "hdel", key);
        ctx.drop_if_empty(slot, key);
    }
    Ok(Reply::Int(deleted))
}

/// HEXISTS key field
fn hexists(ctx: &mut Ctx, a: Args) -> Result<Reply> {
    let &[_, key, field] = a.all() else { return Err(error::wrong_arity("hexists")) };
    let Some(slot) = ctx.hash_read(key)? else { return Ok(Reply::Int(0)) };
    Ok(Reply::Int(ctx.hash_at(slot)?.contains(field) as i64))
}

/// HLEN key
fn hlen(ctx: &mut Ctx, a: Args) -> Result<Reply> {
    let &[_, key] = a.all() else { return Err(error::wrong_arity("hlen")) };
    let Some(slot) = ctx.hash_read(key)? else { return Ok(Reply::Int(0)) };
    Ok(Reply::Int(ctx.hash_at(slot)?.len() as i64))
}

/// HSTRLEN key field
fn hstrlen(ctx: &mut Ctx, a: Args) -> Result<Reply> {
    let &[_, key, field] = a.all() else { return Err(error::wrong_arity("hstrlen")) };
    let Some(slot) = ctx.hash_read(key)? else { return Ok(Reply::Int(0)) };
    Ok(Reply::Int(ctx.hash_at(slot)?.get(field).map_or(0, |v| v.len()) as i64))
}

/// HINCRBY key field increment
fn hincrby(ctx: &mut Ctx, a: Args) -> Result<Reply> {
    let &[_, key, field, incr] = a.all() else { return Err(error::wrong_arity("hincrby")) };
    let incr = args::parse_i64(incr)?;
    let lim = ctx.hash_limits();
    let slot = ctx.hash_write_or_create(key)?;
    let h = ctx.hash_at_mut(slot)?;
    let old = match h.get(field) {
        Some(v) => num::parse_i64(v).ok_or(error::HASH_NOT_INTEGER)?,
        None => 0,
    };
    let new = old.checked_add(incr).ok_or(error::OVERFLOW)?;
    h.set(field, new.to_string().into_bytes(), true, lim);
    ctx.modified(key);
    ctx.notify(notify::HASH, "hincrby", key);
    Ok(Reply::Int(new))
}

/// HINCRBYFLOAT key field increment
fn hincrbyfloat(ctx: &mut Ctx, a: Args) -> Result<Reply> {
    let &[_, key, field, incr] = a.all() else { return Err(error::wrong_arity("hincrbyfloat")) };
    let incr = LDouble::parse(incr).ok_or(error::NOT_FLOAT)?;
    if !incr.is_finite() {
        return Err(error::VALUE_NAN_OR_INF);
    }
    let lim = ctx.hash_limits();
    let slot = ctx.hash_write_or_create(key)?;
    let h = ctx.hash_at_mut(slot)?;
    let old = match h.get(field) {
        Some(v) => LDouble::parse(v).ok_or(error::HASH_NOT_FLOAT)?,
        None => LDouble::ZERO,
    };
    let sum = old.plus(incr);
    let text = match sum.is_finite().then(|| sum.to_human()).flatten() {
        Some(t) => t.into_bytes(),
        None => return Err(error::NAN_OR_INF),
    };
    h.set(field, text.clone(), true, lim);
    ctx.modified(key);
    ctx.notify(notify::HASH, "hincrbyfloat", key);
    Ok(Reply::Bulk(text))
}

/// HRANDFIELD key [count [WITHVALUES]]
fn hrandfield(ctx: &mut Ctx, a: Args) -> Result<Reply> {
    let &[_, key, ref rest @ ..] = a.all() else { return Err(error::wrong_arity("hrandfield")) };
    let [count, opts @ ..] = rest else {
        let Some(slot) = ctx.hash_read(key)? else { return Ok(Reply::Nil) };
        let (h, rng) = ctx.hash_and_rng(slot)?;
        return Ok(Reply::opt_bulk(h.random(rng).map(|(k, _)| k.to_vec())));
    };
    let l = args::range_long(count, -i64::MAX, i64::MAX, None)?;
    let wv = match opts {
        [] => false,
        [w] if args::is_word(w, "withvalues") => true,
        _ => return Err(error::SYNTAX),
    };
    if wv && !(-i64::MAX / 2..=i64::MAX / 2).contains(&l) {
        return Err(error::VALUE_OUT_OF_RANGE);
    }
    let Some(slot) = ctx.hash_read(key)? else { return Ok(Reply::empty_array()) };
    let (h, rng) = ctx.hash_and_rng(slot)?;
    let count = l.unsigned_abs();
    if count == 0 {
        return Ok(Reply::empty_array());
    }
    if l < 0 || count == 1 {
        if count > MAX_REPLY_ELEMENTS {
            return Err(error::REPLY_TOO_LARGE);
        }
        let picks = (0..count).filter_map(|_| h.random(rng).map(|(k, v)| (k.to_vec(), v.to_vec()))).collect();
        return Ok(flat_pairs(picks, wv));
    }
    if count >= h.len() as u64 {
        return Ok(flat_pairs(h.pairs(), wv));
    }
    // Distinct fields: a partial Fisher-Yates over the pairs.
    let mut all = h.pairs();
    let n = all.len();
    for i in 0..count as usize {
        let j = i + rng.below(n - i);
        all.swap(i, j);
    }
    all.truncate(count as usize);
    Ok(flat_pairs(all, wv))
}

/// HSCAN key cursor [MATCH pattern] [COUNT count]
fn hscan(ctx: &mut Ctx, a: Args) -> Result<Reply> {
    let &[_, key, cursor, ..] = a.all() else { return Err(error::wrong_arity("hscan")) };
    let cursor = keys::parse_cursor(cursor).ok_or(error::INVALID_CURSOR)?;
    let Some(slot) = ctx.hash_read(key)? else { return Ok(scan_reply(0, Vec::new())) };
    ctx.hash_at(slot)?;
    let opts = ScanOpts::parse(&a, 3)?;
    let h = ctx.hash_at(slot)?;
    let (next, pairs) = match h {
        Hash::List(v) => (0, v.clone()),
        Hash::Table { map, .. } => {
            let mut found = Vec::new();
            let next = map.scan(cursor, opts.count, |k, x| found.push((k.to_vec(), x.val.clone())));
            (next, found)
        }
    };
    let mut items = Vec::with_capacity(pairs.len() * 2);
    for (k, v) in pairs.into_iter().filter(|(k, _)| opts.keep(k)) {
        items.push(k);
        items.push(v);
    }
    Ok(scan_reply(next, items))
}

// ---------------------------------------------------------------- field TTLs

/// Finds `FIELDS numfields` as Valkey does: the first `FIELDS` word from
/// argument `from` on (not the last argument). Returns its index and the
/// parsed count (`default` when there is no FIELDS word).
fn find_fields(a: &Args, from: usize, default: i64) -> Result<(usize, i64, usize)> {
    let mut j = from;
    while j + 1 < a.len() {
        if a.is(j, "fields") {
            let n = a.i64(j + 1)?;
            return Ok((j, n, j + 2));
        }
        j += 1;
    }
    Ok((a.len(), default, a.len()))
}

/// An expiry argument made absolute (Valkey's `convertExpireArgumentToUnixTime`).
fn expire_at(arg: &[u8], unit_ms: i64, base: i64, cmd: &str) -> Result<i64> {
    let n = num::parse_i64(arg).ok_or(error::NOT_INTEGER)?;
    if n < 0 {
        return Err(error::invalid_expire(cmd));
    }
    n.checked_mul(unit_ms).and_then(|ms| ms.checked_add(base)).ok_or_else(|| error::invalid_expire(cmd))
}

fn hexpire_generic(ctx: &mut Ctx, a: Args, unit_ms: i64, absolute: bool, cmd: &str) -> Result<Reply> {
    let &[_, key, time, ..] = a.all() else { return Err(error::wrong_arity(cmd)) };
    let (fi, numfields, first) = find_fields(&a, 3, 0)?;
    let (mut nx, mut xx, mut gt, mut lt) = (false, false, false, false);
    // Options come before FIELDS (checked before the FIELDS count is parsed).
    let opts_end = if fi < a.len() { fi } else { 3 };
    for &opt in a.all().get(3..opts_end).unwrap_or_default() {
        match () {
            _ if args::is_word(opt, "nx") => nx = true,
            _ if args::is_word(opt, "xx") => xx = true,
            _ if args::is_word(opt, "gt") => gt = true,
            _ if args::is_word(opt, "lt") => lt = true,
            _ => return Err(error::unsupported_option(opt)),
        }
    }
    if nx && (xx || gt || lt) {
        return Err(error::EXPIRE_NX_XX_GT_LT);
    }
    if gt && lt {
        return Err(error::EXPIRE_GT_LT);
    }
    if numfields == 0 || numfields != (a.len() - first) as i64 {
        return Err(error::NUMFIELDS);
    }
    let when = expire_at(time, unit_ms, if absolute { 0 } else { ctx.now }, cmd)?;
    let expired = when <= ctx.now;
    let fields = a.from(first);
    let Some(slot) = ctx.hash_write(key)? else {
        return Ok(Reply::Array(fields.iter().map(|_| Reply::Int(-2)).collect()));
    };
    let h = ctx.hash_at_mut(slot)?;
    let (mut n_expired, mut n_updated) = (0, 0);
    let mut out = Vec::with_capacity(fields.len());
    for f in fields {
        let r = match h.expire_of(f) {
            None => -2,
            Some(cur) => {
                let has = cur != 0;
                let skip = (nx && has) || (xx && !has) || (gt && (!has || when <= cur)) || (lt && has && when >= cur);
                if skip {
                    0
                } else if expired {
                    h.remove(f);
                    n_expired += 1;
                    2
                } else {
                    h.set_expire(f, when);
                    n_updated += 1;
                    1
                }
            }
        };
        out.push(Reply::Int(r));
    }
    if n_expired + n_updated > 0 {
        ctx.notify(notify::HASH, if n_expired > 0 { "hexpired" } else { "hexpire" }, key);
        ctx.modified(key);
        if !ctx.drop_if_empty(slot, key) {
            ctx.track_field_ttl(slot, key);
        }
    }
    Ok(Reply::Array(out))
}

/// HEXPIRE key seconds [NX | XX | GT | LT] FIELDS numfields field [field ...]
fn hexpire(ctx: &mut Ctx, a: Args) -> Result<Reply> {
    hexpire_generic(ctx, a, 1000, false, "hexpire")
}

/// HPEXPIRE key milliseconds [NX | XX | GT | LT] FIELDS numfields field [field ...]
fn hpexpire(ctx: &mut Ctx, a: Args) -> Result<Reply> {
    hexpire_generic(ctx, a, 1, false, "hpexpire")
}

/// HEXPIREAT key unix-time-seconds [NX | XX | GT | LT] FIELDS numfields field [field ...]
fn hexpireat(ctx: &mut Ctx, a: Args) -> Result<Reply> {
    hexpire_generic(ctx, a, 1000, true, "hexpireat")
}

/// HPEXPIREAT key unix-time-milliseconds [NX | XX | GT | LT] FIELDS numfields field [field ...]
fn hpexpireat(ctx: &mut Ctx, a: Args) -> Result<Reply> {
    hexpire_generic(ctx, a, 1, true, "hpexpireat")
}

/// `FIELDS numfields field...` at argument 2 (HTTL family, HPERSIST, HGETDEL).
fn fixed_fields<'x>(a: &Args<'x>, mismatch: Error) -> Result<&'x [&'x [u8]]> {
    if !a.is(2, "fields") {
        return Err(error::SYNTAX);
    }
    let n = a.i64(3)?;
    if n <= 0 || n != (a.len() - 4) as i64 {
        return Err(mismatch);
    }
    Ok(a.from(4))
}

#[derive(Clone, Copy)]
enum TtlKind {
    Ttl,
    Pttl,
    ExpireTime,
    PexpireTime,
}

fn ttl_generic(ctx: &mut Ctx, a: Args, kind: TtlKind) -> Result<Reply> {
    let fields = fixed_fields(&a, error::SYNTAX)?;
    let key = a.get(1).unwrap_or_default();
    let Some(slot) = ctx.hash_read(key)? else {
        return Ok(Reply::Array(fields.iter().map(|_| Reply::Int(-2)).collect()));
    };
    let now = ctx.now;
    let h = ctx.hash_at(slot)?;
    Ok(Reply::Array(
        fields
            .iter()
            .map(|f| {
                Reply::Int(match h.expire_of(f) {
                    None => -2,
                    Some(0) => -1,
                    Some(t) => {
                        let left = t.saturating_sub(now).max(0);
                        match kind {
                            TtlKind::Ttl => left.saturating_add(500) / 1000,
                            TtlKind::Pttl => left,
                            TtlKind::ExpireTime => t.saturating_add(500) / 1000,
                            TtlKind::PexpireTime => t,
                        }
                    }
                })
            })
            .collect(),
    ))
}

/// HTTL key FIELDS numfields field [field ...]
fn httl(ctx: &mut Ctx, a: Args) -> Result<Reply> {
    ttl_generic(ctx, a, TtlKind::Ttl)
}

/// HPTTL key FIELDS numfields field [field ...]
fn hpttl(ctx: &mut Ctx, a: Args) -> Result<Reply> {
    ttl_generic(ctx, a, TtlKind::Pttl)
}

/// HEXPIRETIME key FIELDS numfields field [field ...]
fn hexpiretime(ctx: &mut Ctx, a: Args) -> Result<Reply> {
    ttl_generic(ctx, a, TtlKind::ExpireTime)
}

/// HPEXPIRETIME key FIELDS numfields field [field ...]
fn hpexpiretime(ctx: &mut Ctx, a: Args) -> Result<Reply> {
    ttl_generic(ctx, a, TtlKind::PexpireTime)
}

/// HPERSIST key FIELDS numfields field [field ...]
fn hpersist(ctx: &mut Ctx, a: Args) -> Result<Reply> {
    let fields = fixed_fields(&a, error::NUMFIELDS)?;
    let key = a.get(1).unwrap_or_default();
    let Some(slot) = ctx.hash_write(key)? else {
        return Ok(Reply::Array(fields.iter().map(|_| Reply::Int(-2)).collect()));
    };
    let h = ctx.hash_at_mut(slot)?;
    let mut changed = false;
    let out = fields
        .iter()
        .map(|f| {
            Reply::Int(match h.expire_of(f) {
                None => -2,
                Some(0) => -1,
                Some(_) => {
                    h.set_expire(f, 0);
                    changed = true;
                    1
                }
            })
        })
        .collect();
    if changed {
        ctx.notify(notify::HASH, "hpersist", key);
        ctx.modified(key);
    }
    Ok(Reply::Array(out))
}

/// HGETDEL key FIELDS numfields field [field ...]
fn hgetdel(ctx: &mut Ctx, a: Args) -> Result<Reply> {
    let fields = fixed_fields(&a, error::NUMFIELDS)?;
    let key = a.get(1).unwrap_or_default();
    let Some(slot) = ctx.hash_write(key)? else {
        return Ok(Reply::Array(fields.iter().map(|_| Reply::Nil).collect()));
    };
    let h = ctx.hash_at_mut(slot)?;
    let mut deleted = 0;
    let out = fields
        .iter()
        .map(|f| {
            let v = h.get(f).map(|v| v.to_vec());
            if v.is_some() {
                h.remove(f);
                deleted += 1;
            }
            Reply::opt_bulk(v)
        })
        .collect();
    if deleted > 0 {
        ctx.modified(key);
        ctx.notify(notify::HASH, "hdel", key);
        ctx.drop_if_empty(slot, key);
    }
    Ok(Reply::Array(out))
}

/// The SET-style options of HGETEX / HSETEX before FIELDS.
#[derive(Default)]
struct ExOpts<'x> {
    nx: bool,
    xx: bool,
    fnx: bool,
    fxx: bool,
    keepttl: bool,
    persist: bool,
    /// (time argument, unit ms, absolute)
    expire: Option<(&'x [u8], i64, bool)>,
    kind: u8,
}

fn parse_ex_opts<'x>(a: &Args<'x>, end: usize, setex: bool) -> Result<ExOpts<'x>> {
    let mut o = ExOpts::default();
    let mut j = 2;
    while j < end {
        let exp = [("ex", 1000, false), ("px", 1, false), ("exat", 1000, true), ("pxat", 1, true)]
            .iter()
            .zip(1u8..)
            .find(|((w, _, _), _)| a.is(j, w));
        if let Some((&(_, unit, abs), k)) = exp {
            let time = a.get(j + 1).filter(|_| j + 1 < end);
            let Some(time) = time.filter(|_| !o.keepttl && !o.persist && (o.kind == 0 || o.kind == k)) else {
                return Err(error::SYNTAX);
            };
            o.kind = k;
            o.expire = Some((time, unit, abs));
            j += 2;
            continue;
        }
        match () {
            _ if setex && a.is(j, "nx") && !o.xx => o.nx = true,
            _ if setex && a.is(j, "xx") && !o.nx => o.xx = true,
            _ if setex && a.is(j, "fnx") && !o.fxx => o.fnx = true,
            _ if setex && a.is(j, "fxx") && !o.fnx => o.fxx = true,
            _ if setex && a.is(j, "keepttl") && o.kind == 0 => o.keepttl = true,
            _ if !setex && a.is(j, "persist") && o.kind == 0 => o.persist = true,
            _ => return Err(error::SYNTAX),
        }
        j += 1;
    }
    Ok(o)
}

/// HGETEX key [EX seconds | PX milliseconds | EXAT unix-time-seconds | PXAT unix-time-milliseconds | PERSIST] FIELDS numfields field [field ...]
fn hgetex(ctx: &mut Ctx, a: Args) -> Result<Reply> {
    let (fi, numfields, first) = find_fields(&a, 1, -1)?;
    let o = if fi < a.len() { parse_ex_opts(&a, fi, false)? } else { ExOpts::default() };
    if numfields == 0 || numfields != (a.len() - first) as i64 {
        return Err(error::NUMFIELDS);
    }
    let key = a.get(1).unwrap_or_default();
    let fields = a.from(first);
    let slot = ctx.hash_write(key)?;
    let mut when = None;
    if !o.persist {
        if let Some((time, unit, abs)) = o.expire {
            when = Some(expire_at(time, unit, if abs { 0 } else { ctx.now }, "hgetex")?);
        }
    }
    let Some(slot) = slot else { return Ok(Reply::Array(fields.iter().map(|_| Reply::Nil).collect())) };
    let now = ctx.now;
    let h = ctx.hash_at_mut(slot)?;
    let mut changes = 0;
    let out = fields
        .iter()
        .map(|f| {
            let v = h.get(f).map(|v| v.to_vec());
            let changed = match when {
                Some(t) if t <= now => h.remove(f),
                Some(t) => h.set_expire(f, t),
                None if o.persist => h.expire_of(f).is_some_and(|e| e != 0) && h.set_expire(f, 0),
                None => false,
            };
            changes += changed as usize;
            Reply::opt_bulk(v)
        })
        .collect();
    if changes > 0 {
        let event = match when {
            Some(t) if t <= now => "hexpired",
            Some(_) => "hexpire",
            None => "hpersist",
        };
        ctx.notify(notify::HASH, event, key);
        ctx.modified(key);
        if !ctx.drop_if_empty(slot, key) {
            ctx.track_field_ttl(slot, key);
        }
    }
    Ok(Reply::Array(out))
}

/// HSETEX key [NX | XX] [FNX | FXX] [EX seconds | PX milliseconds | EXAT unix-time-seconds | PXAT unix-time-milliseconds | KEEPTTL] FIELDS numfields field value [field value ...]
fn hsetex(ctx: &mut Ctx, a: Args) -> Result<Reply> {
    let (fi, numfields, first) = find_fields(&a, 1, 0)?;
    let o = if fi < a.len() { parse_ex_opts(&a, fi, true)? } else { ExOpts::default() };
    let given = (a.len() - first) as i64;
    if numfields == 0 || numfields.checked_mul(2) != Some(given) {
        return Err(error::NUMFIELDS);
    }
    let key = a.get(1).unwrap_or_default();
    let pairs = a.from(first);
    let slot = ctx.hash_write(key)?;
    if let Some(s) = slot {
        ctx.hash_at(s)?;
    }
    if (o.nx && slot.is_some()) || (o.xx && slot.is_none()) {
        return Ok(Reply::Int(0));
    }
    let mut when = None;
    if !o.keepttl {
        if let Some((time, unit, abs)) = o.expire {
            when = Some(expire_at(time, unit, if abs { 0 } else { ctx.now }, "hsetex")?);
        }
    }
    if o.fnx || o.fxx {
        match slot {
            Some(s) => {
                let h = ctx.hash_at(s)?;
                if pairs.iter().step_by(2).any(|f| h.contains(f) == o.fnx) {
                    return Ok(Reply::Int(0));
                }
            }
            None if o.fxx => return Ok(Reply::Int(0)),
            None => {}
        }
    }
    let slot = match slot {
        Some(s) => s,
        None => ctx.add_key(key, Value::Hash(Box::default())),
    };
    let lim = ctx.hash_limits();
    let now = ctx.now;
    let h = ctx.hash_at_mut(slot)?;
    let expired = when.is_some_and(|t| t <= now);
    for p in pairs.chunks(2) {
        let [f, v] = p else { continue };
        if expired {
            h.remove(f);
        } else {
            h.set(f, v.to_vec(), o.keepttl, lim);
            if let Some(t) = when {
                h.set_expire(f, t);
            }
        }
    }
    if expired {
        ctx.notify(notify::HASH, "hexpired", key);
    } else {
        ctx.notify(notify::HASH, "hset", key);
        if when.is_some() {
            ctx.notify(notify::HASH, "hexpire", key);
        }
    }
    ctx.modified(key);
    if !ctx.drop_if_empty(slot, key) {
        ctx.track_field_ttl(slot, key);
    }
    Ok(Reply::Int(1))
}
