//! Sets: SADD SREM SISMEMBER SMISMEMBER SMEMBERS SCARD SPOP SRANDMEMBER SMOVE
//! SINTER SINTERCARD SINTERSTORE SUNION SUNIONSTORE SDIFF SDIFFSTORE SSCAN.
//! An emptied set is deleted, as in Redis; the `…STORE` forms build the
//! result with Redis's encoding rules (intset while it can).

#![deny(clippy::indexing_slicing)]

use super::*;
use super::scan::{scan_reply, ScanOpts};
use crate::rng::Rng;
use crate::types::set::Set;

pub(crate) const COMMANDS: &[CommandSpec] = &[
    CommandSpec::new("sadd", -3, WRITE | DENYOOM | FAST, Keys::one(1), "set", sadd),
    CommandSpec::new("srem", -3, WRITE | FAST, Keys::one(1), "set", srem),
    CommandSpec::new("sismember", 3, READONLY | FAST, Keys::one(1), "set", sismember),
    CommandSpec::new("smismember", -3, READONLY | FAST, Keys::one(1), "set", smismember),
    CommandSpec::new("smembers", 2, READONLY, Keys::one(1), "set", smembers),
    CommandSpec::new("scard", 2, READONLY | FAST, Keys::one(1), "set", scard),
    CommandSpec::new("spop", -2, WRITE | FAST, Keys::one(1), "set", spop),
    CommandSpec::new("srandmember", -2, READONLY, Keys::one(1), "set", srandmember),
    CommandSpec::new("smove", 4, WRITE | FAST, Keys::range(1, 2, 1), "set", smove),
    CommandSpec::new("sinter", -2, READONLY, Keys::range(1, -1, 1), "set", sinter),
    CommandSpec::new("sintercard", -3, READONLY, Keys::NONE, "set", sintercard),
    CommandSpec::new("sinterstore", -3, WRITE | DENYOOM, Keys::range(1, -1, 1), "set", sinterstore),
    CommandSpec::new("sunion", -2, READONLY, Keys::range(1, -1, 1), "set", sunion),
    CommandSpec::new("sunionstore", -3, WRITE | DENYOOM, Keys::range(1, -1, 1), "set", sunionstore),
    CommandSpec::new("sdiff", -2, READONLY, Keys::range(1, -1, 1), "set", sdiff),
    CommandSpec::new("sdiffstore", -3, WRITE | DENYOOM, Keys::range(1, -1, 1), "set", sdiffstore),
    CommandSpec::new("sscan", -3, READONLY, Keys::one(1), "set", sscan),
];

/// Largest element count a single reply may carry (SRANDMEMBER with a negative
/// count repeats members): beyond it we answer an error instead of exhausting
/// the wasm heap. Redis has no such limit; documented as a known difference.
pub const MAX_REPLY_ELEMENTS: u64 = 1 << 24;

impl<'a> Ctx<'a> {
    fn set_at(&self, slot: usize) -> Result<&Set> {
        match self.value(slot) {
            Value::Set(s) => Ok(s),
            _ => Err(error::WRONGTYPE),
        }
    }
    fn set_at_mut(&mut self, slot: usize) -> Result<&mut Set> {
        match self.value_mut(slot) {
            Value::Set(s) => Ok(s),
            _ => Err(error::WRONGTYPE),
        }
    }
    /// A set for reading: Ok(None) when missing, WRONGTYPE for other types.
    fn read_set(&mut self, key: &[u8]) -> Result<Option<&Set>> {
        match self.lookup_read(key) {
            None => Ok(None),
            Some(slot) => self.set_at(slot).map(Some),
        }
    }
    fn max_intset(&self) -> usize {
        self.srv.config.set_max_intset_entries
    }
    /// The set in `slot` (for writing) and the server's random generator, borrowed together.
    fn set_mut_and_rng(&mut self, slot: usize) -> Result<(&mut Set, &mut Rng)> {
        let srv = &mut *self.srv;
        match srv.dbs.get_mut(self.client.db).map(|db| &mut db.entry_mut(slot).val) {
            Some(Value::Set(s)) => Ok((s, &mut srv.rng)),
            _ => Err(error::WRONGTYPE),
        }
    }
    /// The set in `slot` (for reading) and the server's random generator, borrowed together.
    fn set_and_rng(&mut self, slot: usize) -> Result<(&Set, &mut Rng)> {
        let srv = &mut *self.srv;
        match srv.dbs.get(self.client.db).map(|db| &db.entry(slot).val) {
            Some(Value::Set(s)) => Ok((s, &mut srv.rng)),
            _ => Err(error::WRONGTYPE),
        }
    }
    /// Removes a key whose set became empty, with Redis's `del` event.
    fn delete_emptied(&mut self, key: &[u8]) {
        if let Some(slot) = self.db().find(key) {
            self.db().remove_at(slot);
        }
        self.notify(notify::GENERIC, "del", key);
    }
}

fn bulk_members(members: Vec<Vec<u8>>) -> Reply {
    Reply::Array(members.into_iter().map(Reply::Bulk).collect())
}

/// SADD key member [member ...]
fn sadd(ctx: &mut Ctx, a: Args) -> Result<Reply> {
    let &[_, key, first, ..] = a.all() else { return Err(error::wrong_arity("sadd")) };
    let max = ctx.max_intset();
    let slot = match ctx.lookup_write(key) {
        Some(slot) => {
            ctx.set_at(slot)?;
            slot
        }
        None => ctx.add_key(key, Value::Set(Box::new(Set::for_member(first)))),
    };
    let set = ctx.set_at_mut(slot)?;
    let added = a.from(2).iter().filter(|m| set.add(m, max)).count();
    if added > 0 {
        ctx.modified(key);
        ctx.notify(notify::SET, "sadd", key);
    }
    Ok(Reply::Int(added as i64))
}

/// SREM key member [member ...]
fn srem(ctx: &mut Ctx, a: Args) -> Result<Reply> {
    let &[_, key, ref members @ ..] = a.all() else { return Err(error::wrong_arity("srem")) };
    let Some(slot) = ctx.lookup_write(key) else { return Ok(Reply::Int(0)) };
    let set = ctx.set_at_mut(slot)?;
    let mut deleted = 0;
    for m in members {
        if set.remove(m) {
            deleted += 1;
            if set.is_empty() {
                break;
            }
        }
    }
    let emptied = set.is_empty();
    if deleted > 0 {
        if emptied {
            ctx.db().remove_at(slot);
        }
        ctx.modified(key);
        ctx.notify(notify::SET, "srem", key);
        if emptied {
            ctx.notify(notify::GENERIC, "del", key);
        }
    }
    Ok(Reply::Int(deleted))
}

/// SMOVE source destination member
fn smove(ctx: &mut Ctx, a: Args) -> Result<Reply> {
    let &[_, src, dst, m] = a.all() else { return Err(error::wrong_arity("smove")) };
    ctx.lookup_write(src);
    ctx.lookup_write(dst);
    // Both lookups done (either may have expired a key and moved slots): find them now.
    let (src_slot, dst_slot) = (ctx.db_ref().find(src), ctx.db_ref().find(dst));
    let Some(src_slot) = src_slot else { return Ok(Reply::Int(0)) };
    ctx.set_at(src_slot)?;
    if let Some(d) = dst_slot {
        ctx.set_at(d)?;
    }
    if src == dst {
        return Ok(Reply::Int(ctx.set_at(src_slot)?.contains(m) as i64));
    }
    let set = ctx.set_at_mut(src_slot)?;
    if !set.remove(m) {
        return Ok(Reply::Int(0));
    }
    let emptied = set.is_empty();
    ctx.notify(notify::SET, "srem", src);
    if emptied {
        ctx.delete_emptied(src);
    }
    let max = ctx.max_intset();
    let dst_slot = match ctx.db().find(dst) {
        Some(s) => s,
        None => ctx.add_key(dst, Value::Set(Box::new(Set::for_member(m)))),
    };
    ctx.modified(src);
    if ctx.set_at_mut(dst_slot)?.add(m, max) {
        ctx.modified(dst);
        ctx.notify(notify::SET, "sadd", dst);
    }
    Ok(Reply::Int(1))
}

/// SISMEMBER key member
fn sismember(ctx: &mut Ctx, a: Args) -> Result<Reply> {
    let &[_, key, member] = a.all() else { return Err(error::wrong_arity("sismember")) };
    let found = ctx.read_set(key)?.is_some_and(|s| s.contains(member));
    Ok(Reply::Int(found as i64))
}

/// SMISMEMBER key member [member ...]
fn smismember(ctx: &mut Ctx, a: Args) -> Result<Reply> {
    let &[_, key, ref members @ ..] = a.all() else { return Err(error::wrong_arity("smismember")) };
    let set = ctx.read_set(key)?;
    Ok(Reply::Array(members.iter().map(|m| Reply::Int(set.is_some_and(|s| s.contains(m)) as i64)).collect()))
}

/// SCARD key
fn scard(ctx: &mut Ctx, a: Args) -> Result<Reply> {
    let &[_, key] = a.all() else { return Err(error::wrong_arity("scard")) };
    Ok(Reply::Int(ctx.read_set(key)?.map_or(0, |s| s.len()) as i64))
}

/// SMEMBERS key
fn smembers(ctx: &mut Ctx, a: Args) -> Result<Reply> {
    inter(ctx, a.from(1), None, false, 0)
}

/// SPOP key [count]
fn spop(ctx: &mut Ctx, a: Args) -> Result<Reply> {
    let key = match *a.all() {
        [_, key] => key,
        [_, key, count] => return spop_count(ctx, key, count),
        _ => return Err(error::SYNTAX),
    };
    let Some(slot) = ctx.lookup_write(key) else { return Ok(Reply::Nil) };
    ctx.set_at(slot)?;
    let (set, rng) = ctx.set_mut_and_rng(slot)?;
    let Some(m) = set.random(rng) else { return Ok(Reply::Nil) };
    set.remove(&m);
    let emptied = set.is_empty();
    ctx.notify(notify::SET, "spop", key);
    if emptied {
        ctx.delete_emptied(key);
    }
    ctx.modified(key);
    Ok(Reply::Bulk(m))
}

fn spop_count(ctx: &mut Ctx, key: &[u8], count: &[u8]) -> Result<Reply> {
    let count = args::range_long(count, 0, i64::MAX, Some(error::MUST_BE_POSITIVE))? as u64;
    let Some(slot) = ctx.lookup_write(key) else { return Ok(Reply::empty_array()) };
    ctx.set_at(slot)?;
    if count == 0 {
        return Ok(Reply::empty_array());
    }
    ctx.notify(notify::SET, "spop", key);
    let (set, rng) = ctx.set_mut_and_rng(slot)?;
    let reply = if count >= set.len() as u64 {
        let all = set.members();
        ctx.db().remove_at(slot);
        ctx.notify(notify::GENERIC, "del", key);
        bulk_members(all)
    } else {
        let mut out = Vec::with_capacity(count as usize);
        for _ in 0..count {
            let Some(m) = set.random(rng) else { break };
            set.remove(&m);
            out.push(m);
        }
        bulk_members(out)
    };
    ctx.modified(key);
    Ok(reply)
}

/// SRANDMEMBER key [count]
fn srandmember(ctx: &mut Ctx, a: Args) -> Result<Reply> {
    match *a.all() {
        [_, key] => {
            let Some(slot) = ctx.lookup_read(key) else { return Ok(Reply::Nil) };
            let (set, rng) = ctx.set_and_rng(slot)?;
            Ok(Reply::opt_bulk(set.random(rng)))
        }
        [_, key, count] => {
            let l = args::range_long(count, -i64::MAX, i64::MAX, None)?;
            let Some(slot) = ctx.lookup_read(key) else { return Ok(Reply::empty_array()) };
            let (set, rng) = ctx.set_and_rng(slot)?;
            let count = l.unsigned_abs();
            if count == 0 {
                return Ok(Reply::empty_array());
            }
            if l < 0 || count == 1 {
                if count > MAX_REPLY_ELEMENTS {
                    return Err(error::REPLY_TOO_LARGE);
                }
                let picks = (0..count).filter_map(|_| set.random(rng)).collect();
                return Ok(bulk_members(picks));
            }
            if count >= set.len() as u64 {
                return Ok(bulk_members(set.members()));
            }
            // Distinct members: a partial Fisher-Yates over the member list.
            let mut all = set.members();
            let n = all.len();
            for i in 0..count as usize {
                let j = i + rng.below(n - i);
                all.swap(i, j);
            }
            all.truncate(count as usize);
            Ok(bulk_members(all))
        }
        _ => Err(error::SYNTAX),
    }
}

/// Looks up every source set (slot or None when missing), WRONGTYPE on the first other type.
fn sources(ctx: &mut Ctx, keys: &[&[u8]]) -> Result<Vec<Option<usize>>> {
    for k in keys {
        if let Some(s) = ctx.lookup_read(k) {
            ctx.set_at(s)?;
        }
    }
    // A later lookup may expire a key and move another into its slot: find the
    // slots again once every lookup (and so every lazy expiry) is done.
    Ok(keys.iter().map(|k| ctx.db_ref().find(k)).collect())
}

/// The sets in `slots` (all live sets of the current database).
fn sets_at<'c>(ctx: &'c Ctx, slots: &[Option<usize>]) -> Vec<Option<&'c Set>> {
    slots.iter().map(|s| s.and_then(|s| ctx.set_at(s).ok())).collect()
}

/// Stores `result` at `dst` (or deletes `dst` when empty) as the `…STORE` commands do.
fn store(ctx: &mut Ctx, dst: &[u8], result: Set, event: &'static str) -> Result<Reply> {
    if result.is_empty() {
        if ctx.delete_key(dst) {
            ctx.notify(notify::GENERIC, "del", dst);
        }
        return Ok(Reply::Int(0));
    }
    let n = result.len();
    ctx.set_key(dst, Value::Set(Box::new(result)), false);
    ctx.notify(notify::SET, event, dst);
    Ok(Reply::Int(n as i64))
}

/// The engine of SINTER, SINTERSTORE, SINTERCARD and SMEMBERS.
fn inter(ctx: &mut Ctx, keys: &[&[u8]], dst: Option<&[u8]>, card_only: bool, limit: u64) -> Result<Reply> {
    let slots = sources(ctx, keys)?;
    let max = ctx.max_intset();
    if slots.iter().any(|s| s.is_none()) {
        return match dst {
            Some(d) => store(ctx, d, Set::Ints(Vec::new()), "sinterstore"),
            None if card_only => Ok(Reply::Int(0)),
            None => Ok(Reply::empty_array()),
        };
    }
    let mut sets: Vec<&Set> = sets_at(ctx, &slots).into_iter().flatten().collect();
    sets.sort_by_key(|s| s.len());
    let Some((first, rest)) = sets.split_first() else { return Ok(Reply::empty_array()) };
    let mut found = Vec::new();
    let mut card = 0u64;
    for m in first.members() {
        if rest.iter().all(|s| s.contains(&m)) {
            card += 1;
            if card_only {
                if limit != 0 && card >= limit {
                    break;
                }
            } else {
                found.push(m);
            }
        }
    }
    drop(sets);
    if card_only {
        return Ok(Reply::Int(card as i64));
    }
    match dst {
        Some(d) => {
            let mut out = Set::Ints(Vec::new());
            for m in &found {
                out.add(m, max);
            }
            store(ctx, d, out, "sinterstore")
        }
        None => Ok(bulk_members(found)),
    }
}

/// SINTER key [key ...]
fn sinter(ctx: &mut Ctx, a: Args) -> Result<Reply> {
    inter(ctx, a.from(1), None, false, 0)
}

/// SINTERSTORE destination key [key ...]
fn sinterstore(ctx: &mut Ctx, a: Args) -> Result<Reply> {
    let &[_, dst, ref keys @ ..] = a.all() else { return Err(error::wrong_arity("sinterstore")) };
    inter(ctx, keys, Some(dst), false, 0)
}

/// SINTERCARD numkeys key [key ...] [LIMIT limit]
fn sintercard(ctx: &mut Ctx, a: Args) -> Result<Reply> {
    let &[_, numkeys, ref rest @ ..] = a.all() else { return Err(error::wrong_arity("sintercard")) };
    let numkeys = args::range_long(numkeys, 1, i64::MAX, Some(error::NUMKEYS_GT_ZERO))?;
    let split = usize::try_from(numkeys).ok().and_then(|n| rest.split_at_checked(n));
    let Some((keys, mut opts)) = split else { return Err(error::NUMKEYS_GT_ARGS) };
    let mut limit = 0;
    while !opts.is_empty() {
        let [word, l, tail @ ..] = opts else { return Err(error::SYNTAX) };
        if !args::is_word(word, "LIMIT") {
            return Err(error::SYNTAX);
        }
        limit = args::range_long(l, 0, i64::MAX, Some(error::LIMIT_NEGATIVE))? as u64;
        opts = tail;
    }
    inter(ctx, keys, None, true, limit)
}

#[derive(PartialEq)]
enum SetOp {
    Union,
    Diff,
}

/// The engine of SUNION(STORE) and SDIFF(STORE): builds the result the way
/// Redis does (into an intset-first set), so its encoding matches.
fn union_diff(ctx: &mut Ctx, keys: &[&[u8]], dst: Option<&[u8]>, op: SetOp) -> Result<Reply> {
    let slots = sources(ctx, keys)?;
    let max = ctx.max_intset();
    let sets = sets_at(ctx, &slots);
    let mut out = Set::Ints(Vec::new());
    match op {
        SetOp::Union => {
            for s in sets.iter().flatten() {
                for m in s.members() {
                    out.add(&m, max);
                }
            }
        }
        SetOp::Diff => {
            // Redis treats a key named twice (first and another) as "the same set": empty result.
            let same = keys.iter().skip(1).any(|k| Some(k) == keys.first()) && sets.first().is_some_and(|s| s.is_some());
            if let (Some(Some(first)), false) = (sets.first(), same) {
                for m in first.members() {
                    if !sets.iter().skip(1).flatten().any(|s| s.contains(&m)) {
                        out.add(&m, max);
                    }
                }
            }
        }
    }
    drop(sets);
    match dst {
        Some(d) => store(ctx, d, out, if op == SetOp::Union { "sunionstore" } else { "sdiffstore" }),
        None => Ok(bulk_members(out.members())),
    }
}

/// SUNION key [key ...]
fn sunion(ctx: &mut Ctx, a: Args) -> Result<Reply> {
    union_diff(ctx, a.from(1), None, SetOp::Union)
}

/// SUNIONSTORE destination key [key ...]
fn sunionstore(ctx: &mut Ctx, a: Args) -> Result<Reply> {
    let &[_, dst, ref keys @ ..] = a.all() else { return Err(error::wrong_arity("sunionstore")) };
    union_diff(ctx, keys, Some(dst), SetOp::Union)
}

/// SDIFF key [key ...]
fn sdiff(ctx: &mut Ctx, a: Args) -> Result<Reply> {
    union_diff(ctx, a.from(1), None, SetOp::Diff)
}

/// SDIFFSTORE destination key [key ...]
fn sdiffstore(ctx: &mut Ctx, a: Args) -> Result<Reply> {
    let &[_, dst, ref keys @ ..] = a.all() else { return Err(error::wrong_arity("sdiffstore")) };
    union_diff(ctx, keys, Some(dst), SetOp::Diff)
}

/// SSCAN key cursor [MATCH pattern] [COUNT count]
fn sscan(ctx: &mut Ctx, a: Args) -> Result<Reply> {
    let &[_, key, cursor, ..] = a.all() else { return Err(error::wrong_arity("sscan")) };
    let cursor = keys::parse_cursor(cursor).ok_or(error::INVALID_CURSOR)?;
    let Some(set) = ctx.read_set(key)? else { return Ok(scan_reply(0, Vec::new())) };
    let opts = ScanOpts::parse(&a, 3)?;
    let (next, members) = match set {
        Set::Ints(_) => (0, set.members()),
        Set::Hash(h) => {
            let mut found = Vec::new();
            let next = h.scan(cursor, opts.count, |m, _| found.push(m.to_vec()));
            (next, found)
        }
    };
    Ok(scan_reply(next, members.into_iter().filter(|m| opts.keep(m)).collect()))
}
