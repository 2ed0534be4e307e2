//! Lists: LPUSH RPUSH LPUSHX RPUSHX LPOP RPOP LLEN LRANGE LINDEX LSET LINSERT
//! LREM LTRIM LPOS LMOVE RPOPLPUSH LMPOP, and the blocking BLPOP BRPOP BLMOVE
//! BRPOPLPUSH BLMPOP (mechanism in `crate::blocking`).
//!
//! An emptied list is deleted, as in Redis. Slots are looked up again after
//! any deletion (a removal moves the last slot), never carried across one.
//! Each blocking command has a `serve_*` function that serves it from one
//! ready key, as the blocked client, with the same replies and keyspace events
//! as Redis's `serveClientBlockedOnList`.
//!
//! Arguments come from slice patterns on argv; their `else` branch (a syntax
//! error) is unreachable once the dispatcher has checked the arity.

#![deny(clippy::indexing_slicing)]

use super::*;
use crate::blocking::BlockRequest;
use crate::ldouble::LDouble;
use crate::types::list::{End, List};

pub(crate) const COMMANDS: &[CommandSpec] = &[
    CommandSpec::new("lpush", -3, WRITE | DENYOOM | FAST, Keys::one(1), "list", lpush),
    CommandSpec::new("rpush", -3, WRITE | DENYOOM | FAST, Keys::one(1), "list", rpush),
    CommandSpec::new("lpushx", -3, WRITE | DENYOOM | FAST, Keys::one(1), "list", lpushx),
    CommandSpec::new("rpushx", -3, WRITE | DENYOOM | FAST, Keys::one(1), "list", rpushx),
    CommandSpec::new("lpop", -2, WRITE | FAST, Keys::one(1), "list", lpop),
    CommandSpec::new("rpop", -2, WRITE | FAST, Keys::one(1), "list", rpop),
    CommandSpec::new("llen", 2, READONLY | FAST, Keys::one(1), "list", llen),
    CommandSpec::new("lrange", 4, READONLY, Keys::one(1), "list", lrange),
    CommandSpec::new("lindex", 3, READONLY, Keys::one(1), "list", lindex),
    CommandSpec::new("lset", 4, WRITE | DENYOOM, Keys::one(1), "list", lset),
    CommandSpec::new("linsert", 5, WRITE | DENYOOM, Keys::one(1), "list", linsert),
    CommandSpec::new("lrem", 4, WRITE, Keys::one(1), "list", lrem),
    CommandSpec::new("ltrim", 4, WRITE, Keys::one(1), "list", ltrim),
    CommandSpec::new("lpos", -3, READONLY, Keys::one(1), "list", lpos),
    CommandSpec::new("lmove", 5, WRITE | DENYOOM, Keys::range(1, 2, 1), "list", lmove),
    CommandSpec::new("rpoplpush", 3, WRITE | DENYOOM, Keys::range(1, 2, 1), "list", rpoplpush),
    CommandSpec::new("lmpop", -4, WRITE, Keys::NONE, "list", lmpop),
    CommandSpec::new("blpop", -3, WRITE | NOSCRIPT | BLOCKING, Keys::range(1, -2, 1), "list", blpop),
    CommandSpec::new("brpop", -3, WRITE | NOSCRIPT | BLOCKING, Keys::range(1, -2, 1), "list", brpop),
    CommandSpec::new("blmove", 6, WRITE | DENYOOM | NOSCRIPT | BLOCKING, Keys::range(1, 2, 1), "list", blmove),
    CommandSpec::new("brpoplpush", 4, WRITE | DENYOOM | NOSCRIPT | BLOCKING, Keys::range(1, 2, 1), "list", brpoplpush),
    CommandSpec::new("blmpop", -5, WRITE | BLOCKING, Keys::NONE, "list", blmpop),
];

impl<'a> Ctx<'a> {
    fn list_at(&self, slot: usize) -> Result<&List> {
        match self.value(slot) {
            Value::List(l) => Ok(l),
            _ => Err(error::WRONGTYPE),
        }
    }
    fn list_at_mut(&mut self, slot: usize) -> Result<&mut List> {
        match self.value_mut(slot) {
            Value::List(l) => Ok(l),
            _ => Err(error::WRONGTYPE),
        }
    }
    /// The live list under `key` after a lookup already expired it (no counters).
    fn list_mut(&mut self, key: &[u8]) -> Option<&mut List> {
        let slot = self.db().find(key)?;
        self.list_at_mut(slot).ok()
    }
    /// Redis's `listElementsRemoved`: the pop event, deletion of an emptied
    /// list with its `del` event, and the WATCH signal.
    fn list_removed(&mut self, key: &[u8], end: End) {
        self.notify(notify::LIST, pop_event(end), key);
        self.delete_if_emptied(key);
        self.modified(key);
    }
    fn delete_if_emptied(&mut self, key: &[u8]) {
        if let Some(slot) = self.db().find(key) {
            if matches!(self.value(slot), Value::List(l) if l.is_empty()) {
                self.db().remove_at(slot);
                self.notify(notify::GENERIC, "del", key);
            }
        }
    }
    /// Redis's `lmoveHandlePush`: creates the destination when missing, pushes,
    /// signals and notifies. The caller checked the destination's type.
    fn push_to(&mut self, dst: &[u8], v: Vec<u8>, end: End) {
        if self.db().find(dst).is_none() {
            self.add_key(dst, Value::List(Box::default()));
        }
        self.modified(dst);
        if let Some(l) = self.list_mut(dst) {
            l.push(end, v);
        }
        self.notify(notify::LIST, push_event(end), dst);
    }
    /// LMOVE once both keys were checked: the source exists and is a list, the
    /// destination is a list or missing.
    fn move_one(&mut self, src: &[u8], dst: &[u8], from: End, to: End) -> Option<Vec<u8>> {
        let v = self.list_mut(src)?.pop(from)?;
        self.push_to(dst, v.clone(), to);
        self.notify(notify::LIST, pop_event(from), src);
        self.delete_if_emptied(src);
        self.modified(src);
        Some(v)
    }
    /// Pops up to `count` from a live list: `[key, [elements]]` (LMPOP's reply).
    fn pop_range_with_key(&mut self, key: &[u8], end: End, count: usize) -> Reply {
        let items = self.list_mut(key).map(|l| l.pop_many(end, count)).unwrap_or_default();
        self.list_removed(key, end);
        Reply::Array(vec![Reply::bulk(key), bulk_items(items)])
    }
    /// Whether a live list is under `key`: Ok(false) when missing, WRONGTYPE otherwise.
    fn list_exists_write(&mut self, key: &[u8]) -> Result<bool> {
        match self.lookup_write(key) {
            None => Ok(false),
            Some(slot) => self.list_at(slot).map(|_| true),
        }
    }
}

fn pop_event(end: End) -> &'static str {
    match end {
        End::Left => "lpop",
        End::Right => "rpop",
    }
}
fn push_event(end: End) -> &'static str {
    match end {
        End::Left => "lpush",
        End::Right => "rpush",
    }
}

fn bulk_items(items: Vec<Vec<u8>>) -> Reply {
    Reply::Array(items.into_iter().map(Reply::Bulk).collect())
}

fn end_arg(b: &[u8]) -> Result<End> {
    End::parse(b).ok_or(error::SYNTAX)
}

/// Redis's getTimeoutFromObjectOrReply in seconds: the absolute deadline (0 = none).
pub(super) fn parse_timeout(arg: &[u8], now: i64) -> Result<i64> {
    if LDouble::parse(arg).is_none() {
        return Err(error::TIMEOUT_NOT_FLOAT);
    }
    // (long long) ceill(x * 1000): out-of-range conversions give LLONG_MIN on x86.
    let ms = match num::parse_f64(arg) {
        Some(f) => {
            let x = (f * 1000.0).ceil();
            if (-9.2e18..=9.2e18).contains(&x) {
                x as i64
            } else {
                i64::MIN
            }
        }
        None => i64::MIN,
    };
    if ms < 0 {
        return Err(error::TIMEOUT_NEGATIVE);
    }
    Ok(if ms > 0 { ms.wrapping_add(now) } else { 0 })
}

fn push(ctx: &mut Ctx, a: Args, end: End, only_existing: bool) -> Result<Reply> {
    let &[_, key, ref values @ ..] = a.all() else { return Err(error::SYNTAX) };
    if !ctx.list_exists_write(key)? {
        if only_existing {
            return Ok(Reply::Int(0));
        }
        ctx.add_key(key, Value::List(Box::default()));
    }
    let l = ctx.list_mut(key).ok_or(error::WRONGTYPE)?;
    for v in values {
        l.push(end, v.to_vec());
    }
    let len = l.len();
    ctx.modified(key);
    ctx.notify(notify::LIST, push_event(end), key);
    Ok(Reply::Int(len as i64))
}

/// LPUSH key element [element ...]
fn lpush(ctx: &mut Ctx, a: Args) -> Result<Reply> {
    push(ctx, a, End::Left, false)
}
/// RPUSH key element [element ...]
fn rpush(ctx: &mut Ctx, a: Args) -> Result<Reply> {
    push(ctx, a, End::Right, false)
}
/// LPUSHX key element [element ...]
fn lpushx(ctx: &mut Ctx, a: Args) -> Result<Reply> {
    push(ctx, a, End::Left, true)
}
/// RPUSHX key element [element ...]
fn rpushx(ctx: &mut Ctx, a: Args) -> Result<Reply> {
    push(ctx, a, End::Right, true)
}

fn pop(ctx: &mut Ctx, a: Args, end: End) -> Result<Reply> {
    let (key, count) = match *a.all() {
        [_, key] => (key, None),
        [_, key, count] => (key, Some(args::range_long(count, 0, i64::MAX, Some(error::MUST_BE_POSITIVE))?)),
        _ => return Err(error::wrong_arity(if end == End::Left { "lpop" } else { "rpop" })),
    };
    let has_count = count.is_some();
    let count = count.unwrap_or(0);
    if !ctx.list_exists_write(key)? {
        return Ok(if has_count { Reply::NilArray } else { Reply::Nil });
    }
    if has_count && count == 0 {
        return Ok(Reply::empty_array());
    }
    let l = ctx.list_mut(key).ok_or(error::WRONGTYPE)?;
    let reply = if has_count {
        bulk_items(l.pop_many(end, usize::try_from(count).unwrap_or(usize::MAX)))
    } else {
        Reply::opt_bulk(l.pop(end))
    };
    ctx.list_removed(key, end);
    Ok(reply)
}

/// LPOP key [count]
fn lpop(ctx: &mut Ctx, a: Args) -> Result<Reply> {
    pop(ctx, a, End::Left)
}
/// RPOP key [count]
fn rpop(ctx: &mut Ctx, a: Args) -> Result<Reply> {
    pop(ctx, a, End::Right)
}

/// LLEN key
fn llen(ctx: &mut Ctx, a: Args) -> Result<Reply> {
    let &[_, key] = a.all() else { return Err(error::SYNTAX) };
    match ctx.lookup_read(key) {
        None => Ok(Reply::Int(0)),
        Some(slot) => Ok(Reply::Int(ctx.list_at(slot)?.len() as i64)),
    }
}

/// LRANGE key start stop
fn lrange(ctx: &mut Ctx, a: Args) -> Result<Reply> {
    let &[_, key, start, end] = a.all() else { return Err(error::SYNTAX) };
    let (start, end) = (args::parse_i64(start)?, args::parse_i64(end)?);
    let Some(slot) = ctx.lookup_read(key) else { return Ok(Reply::empty_array()) };
    let l = ctx.list_at(slot)?;
    Ok(match l.range_bounds(start, end) {
        None => Reply::empty_array(),
        Some((s, e)) => Reply::Array(l.range(s, e).map(|v| Reply::Bulk(v.clone())).collect()),
    })
}

/// LINDEX key index
fn lindex(ctx: &mut Ctx, a: Args) -> Result<Reply> {
    let &[_, key, index] = a.all() else { return Err(error::SYNTAX) };
    let Some(slot) = ctx.lookup_read(key) else { return Ok(Reply::Nil) };
    ctx.list_at(slot)?;
    let index = args::parse_i64(index)?;
    Ok(Reply::opt_bulk(ctx.list_at(slot)?.get(index).map(|v| v.to_vec())))
}

/// LSET key index element
fn lset(ctx: &mut Ctx, a: Args) -> Result<Reply> {
    let &[_, key, index, element] = a.all() else { return Err(error::SYNTAX) };
    let Some(slot) = ctx.lookup_write(key) else { return Err(error::NO_SUCH_KEY) };
    ctx.list_at(slot)?;
    let index = args::parse_i64(index)?;
    if !ctx.list_at_mut(slot)?.set(index, element.to_vec()) {
        return Err(error::INDEX_OUT_OF_RANGE);
    }
    ctx.modified(key);
    ctx.notify(notify::LIST, "lset", key);
    Ok(Reply::OK)
}

/// LINSERT key BEFORE|AFTER pivot element
fn linsert(ctx: &mut Ctx, a: Args) -> Result<Reply> {
    let &[_, key, place, pivot, element] = a.all() else { return Err(error::SYNTAX) };
    let after = if args::is_word(place, "after") {
        true
    } else if args::is_word(place, "before") {
        false
    } else {
        return Err(error::SYNTAX);
    };
    let Some(slot) = ctx.lookup_write(key) else { return Ok(Reply::Int(0)) };
    let l = ctx.list_at_mut(slot)?;
    if !l.insert(after, pivot, element.to_vec()) {
        return Ok(Reply::Int(-1));
    }
    let len = l.len();
    ctx.modified(key);
    ctx.notify(notify::LIST, "linsert", key);
    Ok(Reply::Int(len as i64))
}

/// LREM key count element
fn lrem(ctx: &mut Ctx, a: Args) -> Result<Reply> {
    let &[_, key, count, element] = a.all() else { return Err(error::SYNTAX) };
    let count = args::parse_i64(count)?;
    let Some(slot) = ctx.lookup_write(key) else { return Ok(Reply::Int(0)) };
    let removed = ctx.list_at_mut(slot)?.remove(count, element);
    if removed > 0 {
        ctx.notify(notify::LIST, "lrem", key);
    }
    ctx.delete_if_emptied(key);
    if removed > 0 {
        ctx.modified(key);
    }
    Ok(Reply::Int(removed as i64))
}

/// LTRIM key start stop
fn ltrim(ctx: &mut Ctx, a: Args) -> Result<Reply> {
    let &[_, key, start, end] = a.all() else { return Err(error::SYNTAX) };
    let (start, end) = (args::parse_i64(start)?, args::parse_i64(end)?);
    let Some(slot) = ctx.lookup_write(key) else { return Ok(Reply::OK) };
    let l = ctx.list_at_mut(slot)?;
    let keep = l.range_bounds(start, end);
    l.trim(keep);
    ctx.notify(notify::LIST, "ltrim", key);
    ctx.delete_if_emptied(key);
    ctx.modified(key);
    Ok(Reply::OK)
}

/// LPOS key element [RANK rank] [COUNT num-matches] [MAXLEN len]
fn lpos(ctx: &mut Ctx, a: Args) -> Result<Reply> {
    let &[_, key, ele, ref opts @ ..] = a.all() else { return Err(error::SYNTAX) };
    let (mut rank, mut count, mut maxlen) = (1i64, -1i64, 0i64);
    let mut opts = opts.iter();
    while let Some(opt) = opts.next() {
        match opts.next() {
            Some(v) if args::is_word(opt, "rank") => {
                rank = args::parse_i64(v)?;
                if rank == 0 {
                    return Err(error::LPOS_RANK_ZERO);
                }
            }
            Some(v) if args::is_word(opt, "count") => {
                count = args::range_long(v, 0, i64::MAX, Some(error::LPOS_COUNT_NEGATIVE))?;
            }
            Some(v) if args::is_word(opt, "maxlen") => {
                maxlen = args::range_long(v, 0, i64::MAX, Some(error::LPOS_MAXLEN_NEGATIVE))?;
            }
            _ => return Err(error::SYNTAX),
        }
    }
    // A negative rank searches from the tail (LONG_MIN stays negative, as in C).
    let from_tail = rank < 0;
    if from_tail {
        rank = rank.wrapping_neg();
    }
    let Some(slot) = ctx.lookup_read(key) else {
        return Ok(if count != -1 { Reply::empty_array() } else { Reply::Nil });
    };
    let l = ctx.list_at(slot)?;
    let len = l.len() as i64;
    let mut found = Vec::new();
    let mut matches = 0i64;
    let iter: Box<dyn Iterator<Item = &Vec<u8>>> = if from_tail { Box::new(l.iter().rev()) } else { Box::new(l.iter()) };
    for (index, v) in iter.enumerate() {
        let index = index as i64;
        if maxlen != 0 && index >= maxlen {
            break;
        }
        if v.as_slice() == ele {
            matches += 1;
            if matches >= rank {
                found.push(if from_tail { len - index - 1 } else { index });
                if count == -1 || (count != 0 && matches.wrapping_sub(rank).wrapping_add(1) >= count) {
                    break;
                }
            }
        }
    }
    Ok(if count != -1 {
        Reply::Array(found.into_iter().map(Reply::Int).collect())
    } else {
        found.first().map_or(Reply::Nil, |i| Reply::Int(*i))
    })
}

fn lmove_generic(ctx: &mut Ctx, src: &[u8], dst: &[u8], from: End, to: End) -> Result<Reply> {
    if !ctx.list_exists_write(src)? {
        return Ok(Reply::Nil);
    }
    ctx.list_exists_write(dst)?;
    Ok(Reply::opt_bulk(ctx.move_one(src, dst, from, to)))
}

/// LMOVE source destination LEFT|RIGHT LEFT|RIGHT
fn lmove(ctx: &mut Ctx, a: Args) -> Result<Reply> {
    let &[_, src, dst, from, to] = a.all() else { return Err(error::SYNTAX) };
    let (from, to) = (end_arg(from)?, end_arg(to)?);
    lmove_generic(ctx, src, dst, from, to)
}

/// RPOPLPUSH source destination
fn rpoplpush(ctx: &mut Ctx, a: Args) -> Result<Reply> {
    let &[_, src, dst] = a.all() else { return Err(error::SYNTAX) };
    lmove_generic(ctx, src, dst, End::Right, End::Left)
}

/// Parsed `numkeys key [key ...] LEFT|RIGHT [COUNT count]` from `a[at]`.
struct Mpop<'a> {
    keys: &'a [&'a [u8]],
    end: End,
    count: i64,
}

fn parse_mpop<'a>(a: &Args<'a>, at: usize) -> Result<Mpop<'a>> {
    let numkeys = args::range_long(a.get(at).unwrap_or_default(), 1, i64::MAX, Some(error::NUMKEYS_GT_ZERO))?;
    let split = usize::try_from(numkeys).ok().and_then(|n| a.from(at + 1).split_at_checked(n));
    let Some((keys, &[end, ref opts @ ..])) = split else { return Err(error::SYNTAX) };
    let end = end_arg(end)?;
    let mut count = -1;
    let mut opts = opts.iter();
    while let Some(opt) = opts.next() {
        match opts.next() {
            Some(v) if count == -1 && args::is_word(opt, "count") => {
                count = args::range_long(v, 1, i64::MAX, Some(error::COUNT_GT_ZERO))?;
            }
            _ => return Err(error::SYNTAX),
        }
    }
    Ok(Mpop { keys, end, count: count.max(1) })
}

fn count_usize(n: i64) -> usize {
    usize::try_from(n).unwrap_or(usize::MAX)
}

/// LMPOP numkeys key [key ...] LEFT|RIGHT [COUNT count]
fn lmpop(ctx: &mut Ctx, a: Args) -> Result<Reply> {
    let m = parse_mpop(&a, 1)?;
    for key in m.keys {
        if ctx.list_exists_write(key)? {
            return Ok(ctx.pop_range_with_key(key, m.end, count_usize(m.count)));
        }
    }
    Ok(Reply::NilArray)
}

// ---------------------------------------------------------------- blocking

fn block_on(ctx: &mut Ctx, keys: &[&[u8]], deadline: i64, serve: crate::blocking::ServeFn) -> Reply {
    ctx.block(BlockRequest {
        keys: keys.iter().map(|k| k.to_vec()).collect(),
        deadline,
        wakes_on: "list",
        serve,
        timeout_reply: Reply::NilArray,
        argv: None,
        wakes_on_gone: false,
    })
}

/// BLPOP/BRPOP/BLMPOP once parsed (Redis's blockingPopGenericCommand).
fn blocking_pop(ctx: &mut Ctx, keys: &[&[u8]], end: End, deadline: i64, count: Option<i64>) -> Result<Reply> {
    for key in keys {
        if ctx.list_exists_write(key)? {
            return Ok(serve_pop(ctx, key, end, count));
        }
    }
    if !ctx.may_block() {
        return Ok(Reply::NilArray);
    }
    Ok(block_on(ctx, keys, deadline, serve_bpop))
}

fn serve_pop(ctx: &mut Ctx, key: &[u8], end: End, count: Option<i64>) -> Reply {
    match count {
        Some(n) => ctx.pop_range_with_key(key, end, count_usize(n)),
        None => {
            let v = ctx.list_mut(key).and_then(|l| l.pop(end)).unwrap_or_default();
            ctx.list_removed(key, end);
            Reply::Array(vec![Reply::bulk(key), Reply::Bulk(v)])
        }
    }
}

/// Serves a blocked BLPOP/BRPOP/BLMPOP from `key`.
fn serve_bpop(ctx: &mut Ctx, a: Args, key: &[u8]) -> Option<Reply> {
    let (end, count) = if a.is(0, "blmpop") {
        let m = parse_mpop(&a, 2).ok()?;
        (m.end, Some(m.count))
    } else if a.is(0, "brpop") {
        (End::Right, None)
    } else {
        (End::Left, None)
    };
    Some(serve_pop(ctx, key, end, count))
}

/// BLPOP key [key ...] timeout
fn blpop(ctx: &mut Ctx, a: Args) -> Result<Reply> {
    let &[_, ref keys @ .., timeout] = a.all() else { return Err(error::SYNTAX) };
    let deadline = parse_timeout(timeout, ctx.now)?;
    blocking_pop(ctx, keys, End::Left, deadline, None)
}

/// BRPOP key [key ...] timeout
fn brpop(ctx: &mut Ctx, a: Args) -> Result<Reply> {
    let &[_, ref keys @ .., timeout] = a.all() else { return Err(error::SYNTAX) };
    let deadline = parse_timeout(timeout, ctx.now)?;
    blocking_pop(ctx, keys, End::Right, deadline, None)
}

/// BLMPOP timeout numkeys key [key ...] LEFT|RIGHT [COUNT count]
fn blmpop(ctx: &mut Ctx, a: Args) -> Result<Reply> {
    let m = parse_mpop(&a, 2)?;
    let &[_, timeout, ..] = a.all() else { return Err(error::SYNTAX) };
    let deadline = parse_timeout(timeout, ctx.now)?;
    blocking_pop(ctx, m.keys, m.end, deadline, Some(m.count))
}

fn blocking_move(ctx: &mut Ctx, src: &[u8], dst: &[u8], from: End, to: End, timeout: &[u8]) -> Result<Reply> {
    let deadline = parse_timeout(timeout, ctx.now)?;
    if ctx.list_exists_write(src)? {
        return lmove_generic(ctx, src, dst, from, to);
    }
    if !ctx.may_block() {
        return Ok(Reply::Nil);
    }
    Ok(block_on(ctx, &[src], deadline, serve_bmove))
}

/// Serves a blocked BLMOVE/BRPOPLPUSH from `key` (its source).
fn serve_bmove(ctx: &mut Ctx, a: Args, key: &[u8]) -> Option<Reply> {
    let (dst, from, to) = match *a.all() {
        [name, _, dst, from, to, ..] if args::is_word(name, "blmove") => (dst, End::parse(from)?, End::parse(to)?),
        [_, _, dst, ..] => (dst, End::Right, End::Left),
        _ => return None,
    };
    if let Err(e) = ctx.list_exists_write(dst) {
        return Some(Reply::Error(e));
    }
    ctx.move_one(key, dst, from, to).map(Reply::Bulk)
}

/// BLMOVE source destination LEFT|RIGHT LEFT|RIGHT timeout
fn blmove(ctx: &mut Ctx, a: Args) -> Result<Reply> {
    let &[_, src, dst, from, to, timeout] = a.all() else { return Err(error::SYNTAX) };
    let (from, to) = (end_arg(from)?, end_arg(to)?);
    blocking_move(ctx, src, dst, from, to, timeout)
}

/// BRPOPLPUSH source destination timeout
fn brpoplpush(ctx: &mut Ctx, a: Args) -> Result<Reply> {
    let &[_, src, dst, timeout] = a.all() else { return Err(error::SYNTAX) };
    blocking_move(ctx, src, dst, End::Right, End::Left, timeout)
}
