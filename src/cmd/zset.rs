//! Sorted sets: ZADD ZINCRBY ZREM ZCARD ZSCORE ZMSCORE ZCOUNT ZLEXCOUNT ZRANK
//! ZREVRANK ZRANGE ZRANGESTORE ZRANGEBYSCORE ZREVRANGEBYSCORE ZRANGEBYLEX
//! ZREVRANGEBYLEX ZREVRANGE ZREMRANGEBYRANK ZREMRANGEBYSCORE ZREMRANGEBYLEX
//! ZPOPMIN ZPOPMAX ZMPOP ZRANDMEMBER ZUNION ZINTER ZDIFF ZUNIONSTORE
//! ZINTERSTORE ZDIFFSTORE ZINTERCARD ZSCAN, as Redis 7.0's `t_zset.c`.
//!
//! Scores reply as `%.17g` (`inf`/`-inf`); a listpack's ZSCAN shows them as
//! stored (`d2string`). An emptied sorted set is deleted. New sets start as
//! listpacks and turn into skiplists past `zset-max-listpack-entries/value`;
//! stored results (…STORE, ZRANGESTORE) pick their encoding by size.

#![deny(clippy::indexing_slicing)]

use super::scan::{scan_reply, ScanOpts};
use super::set::MAX_REPLY_ELEMENTS;
use super::*;
use crate::types::set::Set;
use crate::types::zset::{d2string, fmt_score, LexBound, LexRange, ScoreRange, ZSet};

const W: u32 = WRITE;
const R: u32 = READONLY;

pub(crate) const COMMANDS: &[CommandSpec] = &[
    CommandSpec::new("zadd", -4, W | DENYOOM | FAST, Keys::one(1), "sorted-set", zadd),
    CommandSpec::new("zincrby", 4, W | DENYOOM | FAST, Keys::one(1), "sorted-set", zincrby),
    CommandSpec::new("zrem", -3, W | FAST, Keys::one(1), "sorted-set", zrem),
    CommandSpec::new("zcard", 2, R | FAST, Keys::one(1), "sorted-set", zcard),
    CommandSpec::new("zscore", 3, R | FAST, Keys::one(1), "sorted-set", zscore),
    CommandSpec::new("zmscore", -3, R | FAST, Keys::one(1), "sorted-set", zmscore),
    CommandSpec::new("zcount", 4, R | FAST, Keys::one(1), "sorted-set", zcount),
    CommandSpec::new("zlexcount", 4, R | FAST, Keys::one(1), "sorted-set", zlexcount),
    CommandSpec::new("zrank", 3, R | FAST, Keys::one(1), "sorted-set", zrank),
    CommandSpec::new("zrevrank", 3, R | FAST, Keys::one(1), "sorted-set", zrevrank),
    CommandSpec::new("zrange", -4, R, Keys::one(1), "sorted-set", zrange),
    CommandSpec::new("zrangestore", -5, W | DENYOOM, Keys::range(1, 2, 1), "sorted-set", zrangestore),
    CommandSpec::new("zrangebyscore", -4, R, Keys::one(1), "sorted-set", zrangebyscore),
    CommandSpec::new("zrevrangebyscore", -4, R, Keys::one(1), "sorted-set", zrevrangebyscore),
    CommandSpec::new("zrangebylex", -4, R, Keys::one(1), "sorted-set", zrangebylex),
    CommandSpec::new("zrevrangebylex", -4, R, Keys::one(1), "sorted-set", zrevrangebylex),
    CommandSpec::new("zrevrange", -4, R, Keys::one(1), "sorted-set", zrevrange),
    CommandSpec::new("zremrangebyrank", 4, W, Keys::one(1), "sorted-set", zremrangebyrank),
    CommandSpec::new("zremrangebyscore", 4, W, Keys::one(1), "sorted-set", zremrangebyscore),
    CommandSpec::new("zremrangebylex", 4, W, Keys::one(1), "sorted-set", zremrangebylex),
    CommandSpec::new("zpopmin", -2, W | FAST, Keys::one(1), "sorted-set", zpopmin),
    CommandSpec::new("zpopmax", -2, W | FAST, Keys::one(1), "sorted-set", zpopmax),
    CommandSpec::new("zmpop", -4, W, Keys::NONE, "sorted-set", zmpop),
    CommandSpec::new("bzpopmin", -3, W | NOSCRIPT | BLOCKING | FAST, Keys::range(1, -2, 1), "sorted-set", bzpopmin),
    CommandSpec::new("bzpopmax", -3, W | NOSCRIPT | BLOCKING | FAST, Keys::range(1, -2, 1), "sorted-set", bzpopmax),
    CommandSpec::new("bzmpop", -5, W | BLOCKING, Keys::NONE, "sorted-set", bzmpop),
    CommandSpec::new("zrandmember", -2, R, Keys::one(1), "sorted-set", zrandmember),
    CommandSpec::new("zunion", -3, R, Keys::NONE, "sorted-set", zunion),
    CommandSpec::new("zinter", -3, R, Keys::NONE, "sorted-set", zinter),
    CommandSpec::new("zdiff", -3, R, Keys::NONE, "sorted-set", zdiff),
    CommandSpec::new("zunionstore", -4, W | DENYOOM, Keys::one(1), "sorted-set", zunionstore),
    CommandSpec::new("zinterstore", -4, W | DENYOOM, Keys::one(1), "sorted-set", zinterstore),
    CommandSpec::new("zdiffstore", -4, W | DENYOOM, Keys::one(1), "sorted-set", zdiffstore),
    CommandSpec::new("zintercard", -3, R, Keys::NONE, "sorted-set", zintercard),
    CommandSpec::new("zscan", -3, R, Keys::one(1), "sorted-set", zscan),
];

impl<'a> Ctx<'a> {
    fn zset_at(&self, slot: usize) -> Result<&ZSet> {
        match self.value(slot) {
            Value::ZSet(z) => Ok(z),
            _ => Err(error::WRONGTYPE),
        }
    }
    fn zset_at_mut(&mut self, slot: usize) -> Result<&mut ZSet> {
        match self.value_mut(slot) {
            Value::ZSet(z) => Ok(z),
            _ => Err(error::WRONGTYPE),
        }
    }
    /// A sorted set for reading: Ok(None) when missing, WRONGTYPE for other types.
    fn read_zset(&mut self, key: &[u8]) -> Result<Option<&ZSet>> {
        match self.lookup_read(key) {
            None => Ok(None),
            Some(slot) => self.zset_at(slot).map(Some),
        }
    }
    /// (zset-max-listpack-entries, zset-max-listpack-value)
    fn zlimits(&self) -> (usize, usize) {
        (self.srv.config.zset_max_listpack_entries, self.srv.config.zset_max_listpack_value)
    }
}

fn score_reply(s: f64) -> Reply {
    Reply::Bulk(fmt_score(s))
}

/// C's `strtod` on a NUL-terminated copy of `s`: the value and the index
/// where parsing stopped (0 when nothing was converted).
fn strtod(s: &[u8]) -> (f64, usize) {
    let s = s.split(|&b| b == 0).next().unwrap_or(b"");
    let i = s.iter().take_while(|c| matches!(c, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')).count();
    let (neg, i) = crate::num::sign_at(s, i);
    let rest = s.get(i..).unwrap_or(b"");
    let lower: Vec<u8> = rest.iter().take(8).map(|c| c.to_ascii_lowercase()).collect();
    let sign = |v: f64| if neg { -v } else { v };
    if lower.starts_with(b"infinity") {
        return (sign(f64::INFINITY), i + 8);
    }
    if lower.starts_with(b"inf") {
        return (sign(f64::INFINITY), i + 3);
    }
    if lower.starts_with(b"nan") {
        return (f64::NAN, i + 3);
    }
    let hexdig = |c: &u8| c.is_ascii_hexdigit();
    if lower.starts_with(b"0x")
        && (rest.get(2).is_some_and(hexdig) || (rest.get(2) == Some(&b'.') && rest.get(3).is_some_and(hexdig)))
    {
        let mut j = 2;
        let mut v = 0f64;
        let mut e: i64 = 0;
        let mut frac = false;
        while let Some(&c) = rest.get(j) {
            if c == b'.' && !frac {
                frac = true;
            } else if let Some(d) = (c as char).to_digit(16) {
                v = v * 16.0 + d as f64;
                if frac {
                    e -= 4;
                }
            } else {
                break;
            }
            j += 1;
        }
        if matches!(rest.get(j), Some(b'p' | b'P')) {
            let mut k = j + 1;
            let eneg = match rest.get(k) {
                Some(b'-') => {
                    k += 1;
                    true
                }
                Some(b'+') => {
                    k += 1;
                    false
                }
                _ => false,
            };
            let start = k;
            let mut x: i64 = 0;
            while let Some(c) = rest.get(k).filter(|c| c.is_ascii_digit()) {
                x = (x * 10 + (c - b'0') as i64).min(100_000);
                k += 1;
            }
            if k > start {
                e += if eneg { -x } else { x };
                j = k;
            }
        }
        let v = v * 2f64.powi(e.clamp(-2000, 2000) as i32);
        return (sign(v), i + j);
    }
    // decimal: digits [. digits] [e [sign] digits]
    let mut j = 0;
    let int_digits = rest.iter().take_while(|c| c.is_ascii_digit()).count();
    j += int_digits;
    let mut frac_digits = 0;
    if rest.get(j) == Some(&b'.') {
        frac_digits = rest.get(j + 1..).unwrap_or(b"").iter().take_while(|c| c.is_ascii_digit()).count();
        if int_digits + frac_digits > 0 {
            j += 1 + frac_digits;
        }
    }
    if int_digits + frac_digits == 0 {
        return (0.0, 0);
    }
    if matches!(rest.get(j), Some(b'e' | b'E')) {
        let mut k = j + 1;
        if matches!(rest.get(k), Some(b'+' | b'-')) {
            k += 1;
        }
        let d = rest.get(k..).unwrap_or(b"").iter().take_while(|c| c.is_ascii_digit()).count();
        if d > 0 {
            j = k + d;
        }
    }
    let text = std::str::from_utf8(rest.get(..j).unwrap_or_default()).unwrap_or("0");
    let v: f64 = text.parse().unwrap_or(0.0);
    (sign(v), i + j)
}

/// One end of a score range (`zslParseRange`): `(` makes it exclusive; the rest
/// must be a whole `strtod` number (leading spaces allowed, an empty rest is 0).
fn score_bound(arg: &[u8]) -> Option<(f64, bool)> {
    let (ex, body) = match arg {
        [b'(', body @ ..] => (true, body),
        _ => (false, arg),
    };
    let (v, used) = strtod(body);
    let c_len = body.iter().position(|&b| b == 0).unwrap_or(body.len());
    if used != c_len || v.is_nan() {
        return None;
    }
    Some((v, ex))
}

fn parse_score_range(min: &[u8], max: &[u8]) -> Result<ScoreRange> {
    match (score_bound(min), score_bound(max)) {
        (Some((min, minex)), Some((max, maxex))) => Ok(ScoreRange { min, max, minex, maxex }),
        _ => Err(error::ZSET_MIN_MAX_NOT_FLOAT),
    }
}

/// `zslParseLexRangeItem`.
fn lex_bound(arg: &[u8]) -> Option<LexBound> {
    let rest = arg.get(1..).unwrap_or(b"");
    match arg.first() {
        Some(b'+') if rest.first().is_none_or(|&c| c == 0) => Some(LexBound::Max),
        Some(b'-') if rest.first().is_none_or(|&c| c == 0) => Some(LexBound::Min),
        Some(b'(') => Some(LexBound::Excl(rest.to_vec())),
        Some(b'[') => Some(LexBound::Incl(rest.to_vec())),
        _ => None,
    }
}

fn parse_lex_range(min: &[u8], max: &[u8]) -> Result<LexRange> {
    match (lex_bound(min), lex_bound(max)) {
        (Some(min), Some(max)) => Ok(LexRange { min, max }),
        _ => Err(error::ZSET_LEX_RANGE),
    }
}

// ---- ZADD / ZINCRBY ----

#[derive(Default, Clone, Copy)]
struct AddFlags {
    nx: bool,
    xx: bool,
    gt: bool,
    lt: bool,
    incr: bool,
}

enum AddOutcome {
    Added(f64),
    Updated(f64),
    /// Present and unchanged (same score, zero increment): still "processed".
    Same(f64),
    Nop,
    Nan,
}

/// `zsetAdd`: adds or updates one member, converting a listpack first when it would outgrow it.
fn zset_add(z: &mut ZSet, score: f64, m: &[u8], f: AddFlags, limits: (usize, usize)) -> AddOutcome {
    if score.is_nan() {
        return AddOutcome::Nan;
    }
    match z.lookup(m) {
        Some((x, cur)) => {
            if f.nx {
                return AddOutcome::Nop;
            }
            let score = if f.incr { score + cur } else { score };
            if score.is_nan() {
                return AddOutcome::Nan;
            }
            if (f.lt && score >= cur) || (f.gt && score <= cur) {
                return AddOutcome::Nop;
            }
            if score != cur {
                z.update_at(x, score);
                AddOutcome::Updated(score)
            } else {
                AddOutcome::Same(score)
            }
        }
        None if f.xx => AddOutcome::Nop,
        None => {
            if z.is_listpack() && (z.len() + 1 > limits.0 || m.len() > limits.1) {
                z.set_listpack(false);
            }
            z.insert(m, score);
            AddOutcome::Added(score)
        }
    }
}

fn zadd_generic(ctx: &mut Ctx, a: Args, mut f: AddFlags) -> Result<Reply> {
    let key = a.get(1).unwrap_or_default();
    let mut ch = false;
    let mut idx = 2;
    while idx < a.len() {
        let o = a.get(idx).unwrap_or_default();
        if crate::args::is_word(o, "nx") {
            f.nx = true;
        } else if crate::args::is_word(o, "xx") {
            f.xx = true;
        } else if crate::args::is_word(o, "ch") {
            ch = true;
        } else if crate::args::is_word(o, "incr") {
            f.incr = true;
        } else if crate::args::is_word(o, "gt") {
            f.gt = true;
        } else if crate::args::is_word(o, "lt") {
            f.lt = true;
        } else {
            break;
        }
        idx += 1;
    }
    let elements = a.len() - idx;
    if elements % 2 == 1 || elements == 0 {
        return Err(error::SYNTAX);
    }
    if f.nx && f.xx {
        return Err(error::ZADD_XX_NX);
    }
    if ((f.gt || f.lt) && f.nx) || (f.gt && f.lt) {
        return Err(error::ZADD_GT_LT_NX);
    }
    if f.incr && elements > 2 {
        return Err(error::ZADD_INCR_PAIR);
    }
    let pairs: Vec<(f64, &[u8])> = a
        .from(idx)
        .chunks_exact(2)
        .map(|p| {
            let &[score, member] = p else { return Err(error::SYNTAX) };
            Ok((num::parse_f64(score).ok_or(error::NOT_FLOAT)?, member))
        })
        .collect::<Result<_>>()?;
    let limits = ctx.zlimits();
    let slot = match ctx.lookup_write(key) {
        Some(slot) => {
            ctx.zset_at(slot)?;
            slot
        }
        None if f.xx => {
            return Ok(if f.incr { Reply::Nil } else { Reply::Int(0) });
        }
        None => {
            let first_len = pairs.first().map_or(0, |p| p.1.len());
            let listpack = !(limits.0 == 0 || limits.1 < first_len);
            ctx.add_key(key, Value::ZSet(Box::new(ZSet::new(listpack))))
        }
    };
    let z = ctx.zset_at_mut(slot)?;
    let (mut added, mut updated, mut processed) = (0i64, 0i64, 0i64);
    let mut last = 0.0;
    let mut failed = false;
    for (score, m) in pairs {
        match zset_add(z, score, m, f, limits) {
            AddOutcome::Nan => {
                failed = true;
                break;
            }
            AddOutcome::Added(s) => {
                added += 1;
                processed += 1;
                last = s;
            }
            AddOutcome::Updated(s) => {
                updated += 1;
                processed += 1;
                last = s;
            }
            AddOutcome::Same(s) => {
                processed += 1;
                last = s;
            }
            AddOutcome::Nop => {}
        }
    }
    if added + updated > 0 {
        ctx.modified(key);
        ctx.notify(notify::ZSET, if f.incr { "zincr" } else { "zadd" }, key);
    }
    if failed {
        return Err(error::ZSET_NAN);
    }
    Ok(if f.incr {
        if processed > 0 { score_reply(last) } else { Reply::Nil }
    } else {
        Reply::Int(if ch { added + updated } else { added })
    })
}

/// ZADD key [NX|XX] [GT|LT] [CH] [INCR] score member [score member ...]
pub(super) fn zadd(ctx: &mut Ctx, a: Args) -> Result<Reply> {
    zadd_generic(ctx, a, AddFlags::default())
}

/// ZINCRBY key increment member
fn zincrby(ctx: &mut Ctx, a: Args) -> Result<Reply> {
    zadd_generic(ctx, a, AddFlags { incr: true, ..AddFlags::default() })
}

/// Deletes a key whose sorted set became empty (after its own event), with `del`.
fn drop_if_empty(ctx: &mut Ctx, slot: usize) -> bool {
    if ctx.zset_at(slot).is_ok_and(|z| z.is_empty()) {
        ctx.db().remove_at(slot);
        true
    } else {
        false
    }
}

/// ZREM key member [member ...]
fn zrem(ctx: &mut Ctx, a: Args) -> Result<Reply> {
    let key = a.get(1).unwrap_or_default();
    let Some(slot) = ctx.lookup_write(key) else { return Ok(Reply::Int(0)) };
    let z = ctx.zset_at_mut(slot)?;
    let mut deleted = 0;
    for m in a.from(2) {
        if z.remove(m).is_some() {
            deleted += 1;
        }
        if z.is_empty() {
            break;
        }
    }
    if deleted > 0 {
        let removed = drop_if_empty(ctx, slot);
        ctx.notify(notify::ZSET, "zrem", key);
        if removed {
            ctx.notify(notify::GENERIC, "del", key);
        }
        ctx.modified(key);
    }
    Ok(Reply::Int(deleted))
}

/// ZCARD key
fn zcard(ctx: &mut Ctx, a: Args) -> Result<Reply> {
    let &[_, key] = a.all() else { return Err(error::wrong_arity("zcard")) };
    Ok(Reply::Int(ctx.read_zset(key)?.map_or(0, |z| z.len()) as i64))
}

/// ZSCORE key member
fn zscore(ctx: &mut Ctx, a: Args) -> Result<Reply> {
    let &[_, key, member] = a.all() else { return Err(error::wrong_arity("zscore")) };
    let Some(z) = ctx.read_zset(key)? else { return Ok(Reply::Nil) };
    Ok(z.score(member).map_or(Reply::Nil, score_reply))
}

/// ZMSCORE key member [member ...]
fn zmscore(ctx: &mut Ctx, a: Args) -> Result<Reply> {
    let z = ctx.read_zset(a.get(1).unwrap_or_default())?;
    Ok(Reply::Array(a.from(2).iter().map(|m| z.and_then(|z| z.score(m)).map_or(Reply::Nil, score_reply)).collect()))
}

fn rank_generic(ctx: &mut Ctx, a: Args, rev: bool) -> Result<Reply> {
    let &[_, key, member] = a.all() else { return Err(error::wrong_arity(if rev { "zrevrank" } else { "zrank" })) };
    let Some(z) = ctx.read_zset(key)? else { return Ok(Reply::Nil) };
    let len = z.len();
    Ok(match z.rank(member) {
        Some(r) => Reply::Int(if rev { len.saturating_sub(r + 1) } else { r } as i64),
        None => Reply::Nil,
    })
}

/// ZRANK key member
fn zrank(ctx: &mut Ctx, a: Args) -> Result<Reply> {
    rank_generic(ctx, a, false)
}

/// ZREVRANK key member
fn zrevrank(ctx: &mut Ctx, a: Args) -> Result<Reply> {
    rank_generic(ctx, a, true)
}

/// ZCOUNT key min max
fn zcount(ctx: &mut Ctx, a: Args) -> Result<Reply> {
    let &[_, key, min, max] = a.all() else { return Err(error::wrong_arity("zcount")) };
    let range = parse_score_range(min, max)?;
    let Some(z) = ctx.read_zset(key)? else { return Ok(Reply::Int(0)) };
    let count = match (z.first_in_score(&range), z.last_in_score(&range)) {
        (Some((_, f)), Some((_, l))) => l as i64 - f as i64 + 1,
        _ => 0,
    };
    Ok(Reply::Int(count))
}

/// ZLEXCOUNT key min max
fn zlexcount(ctx: &mut Ctx, a: Args) -> Result<Reply> {
    let &[_, key, min, max] = a.all() else { return Err(error::wrong_arity("zlexcount")) };
    let range = parse_lex_range(min, max)?;
    let Some(z) = ctx.read_zset(key)? else { return Ok(Reply::Int(0)) };
    let lp = z.is_listpack();
    let Some((first, frank)) = z.first_in_lex(&range, lp) else { return Ok(Reply::Int(0)) };
    if lp {
        let mut n = 0;
        let mut cur = Some(first);
        while let Some(c) = cur {
            if !range.lte_max(z.get(c).0) {
                break;
            }
            n += 1;
            cur = z.next(c);
        }
        return Ok(Reply::Int(n));
    }
    let len = z.len() as i64;
    let mut count = len - frank as i64;
    if let Some((_, lrank)) = z.last_in_lex(&range, false) {
        count -= len - (lrank as i64 + 1);
    }
    Ok(Reply::Int(count))
}

// ---- ZRANGE family ----

#[derive(Clone, Copy, PartialEq)]
enum RangeType {
    Auto,
    Rank,
    Score,
    Lex,
}

/// The members (and scores) a rank range selects.
fn by_rank(z: &ZSet, start: i64, end: i64, rev: bool) -> Vec<(Vec<u8>, f64)> {
    let llen = z.len() as i64;
    let mut start = if start < 0 { llen + start } else { start };
    let mut end = if end < 0 { llen + end } else { end };
    if start < 0 {
        start = 0;
    }
    if start > end || start >= llen {
        return Vec::new();
    }
    if end >= llen {
        end = llen - 1;
    }
    let n = (end - start + 1) as usize;
    let first = if rev { z.cursor_at((llen - 1 - start) as usize) } else { z.cursor_at(start as usize) };
    walk(z, first, rev, n, |_, _| true)
}

/// Up to `n` members from `from` on (backwards when `rev`) while `keep` holds.
fn walk(z: &ZSet, from: Option<crate::types::zset::Cursor>, rev: bool, n: usize, keep: impl Fn(&[u8], f64) -> bool) -> Vec<(Vec<u8>, f64)> {
    let mut out = Vec::new();
    let mut cur = from;
    while let Some(c) = cur {
        if out.len() >= n {
            break;
        }
        let (m, s) = z.get(c);
        if !keep(m, s) {
            break;
        }
        out.push((m.to_vec(), s));
        cur = z.step(c, rev);
    }
    out
}

/// Skips `offset` members (a negative offset skips everything, as Redis's `offset--` loop).
fn skip(z: &ZSet, mut cur: Option<crate::types::zset::Cursor>, rev: bool, offset: i64) -> Option<crate::types::zset::Cursor> {
    if offset < 0 {
        return None;
    }
    for _ in 0..offset {
        cur = z.step(cur?, rev);
    }
    cur
}

fn limit_count(limit: i64) -> usize {
    if limit < 0 { usize::MAX } else { limit as usize }
}

fn by_score(z: &ZSet, r: &ScoreRange, rev: bool, offset: i64, limit: i64) -> Vec<(Vec<u8>, f64)> {
    if offset > 0 && offset as u64 >= z.len() as u64 {
        return Vec::new();
    }
    let start = if rev { z.last_in_score(r) } else { z.first_in_score(r) }.map(|x| x.0);
    let start = skip(z, start, rev, offset);
    walk(z, start, rev, limit_count(limit), |_, s| if rev { r.gte_min(s) } else { r.lte_max(s) })
}

fn by_lex(z: &ZSet, r: &LexRange, rev: bool, offset: i64, limit: i64) -> Vec<(Vec<u8>, f64)> {
    let lp = z.is_listpack();
    let start = if rev { z.last_in_lex(r, lp) } else { z.first_in_lex(r, lp) }.map(|x| x.0);
    let start = skip(z, start, rev, offset);
    walk(z, start, rev, limit_count(limit), |m, _| if rev { r.gte_min(m) } else { r.lte_max(m) })
}

fn members_reply(items: Vec<(Vec<u8>, f64)>, withscores: bool) -> Reply {
    let mut out = Vec::with_capacity(items.len() * if withscores { 2 } else { 1 });
    for (m, s) in items {
        out.push(Reply::Bulk(m));
        if withscores {
            out.push(score_reply(s));
        }
    }
    Reply::Array(out)
}

/// Builds a …STORE result as Redis does: a skiplist, converted to a listpack
/// when it fits the limits (`zsetConvertToListpackIfNeeded`).
pub(super) fn build(items: impl IntoIterator<Item = (Vec<u8>, f64)>, limits: (usize, usize)) -> ZSet {
    let mut z = ZSet::new(false);
    let mut maxlen = 0;
    for (m, s) in items {
        maxlen = maxlen.max(m.len());
        z.set(&m, s);
    }
    if z.len() <= limits.0 && maxlen <= limits.1 {
        z.set_listpack(true);
    }
    z
}

/// Builds a ZRANGESTORE result as Redis does: member by member (`zsetAdd`)
/// into a listpack, or a skiplist when a rank range is known to be too long.
fn build_incremental(items: Vec<(Vec<u8>, f64)>, known_len: Option<usize>, limits: (usize, usize)) -> ZSet {
    let mut z = ZSet::new(known_len.is_none_or(|n| n <= limits.0));
    for (m, s) in items {
        zset_add(&mut z, s, &m, AddFlags::default(), limits);
    }
    z
}

/// Stores a result at `dst` (or deletes `dst` when empty), as the …STORE commands do.
pub(super) fn store(ctx: &mut Ctx, dst: &[u8], z: ZSet, event: &'static str) -> Result<Reply> {
    if z.is_empty() {
        if ctx.delete_key(dst) {
            ctx.notify(notify::GENERIC, "del", dst);
        }
        return Ok(Reply::Int(0));
    }
    let n = z.len();
    ctx.set_key(dst, Value::ZSet(Box::new(z)), false);
    ctx.notify(notify::ZSET, event, dst);
    Ok(Reply::Int(n as i64))
}

/// `zrangeGenericCommand`: `at` is the key's index; `store` for ZRANGESTORE (dst at 1).
fn zrange_generic(ctx: &mut Ctx, a: Args, at: usize, store_to: bool, mut rt: RangeType, mut rev: Option<bool>) -> Result<Reply> {
    let key = a.get(at).unwrap_or_default();
    let (mut minidx, mut maxidx) = (at + 1, at + 2);
    let mut withscores = false;
    let (mut offset, mut limit) = (0i64, -1i64);
    let mut j = at + 3;
    while j < a.len() {
        let left = a.len() - j - 1;
        if !store_to && a.is(j, "withscores") {
            withscores = true;
        } else if a.is(j, "limit") && left >= 2 {
            offset = a.i64(j + 1)?;
            limit = a.i64(j + 2)?;
            j += 2;
        } else if rev.is_none() && a.is(j, "rev") {
            rev = Some(true);
        } else if rt == RangeType::Auto && a.is(j, "bylex") {
            rt = RangeType::Lex;
        } else if rt == RangeType::Auto && a.is(j, "byscore") {
            rt = RangeType::Score;
        } else {
            return Err(error::SYNTAX);
        }
        j += 1;
    }
    let rev = rev.unwrap_or(false);
    if rt == RangeType::Auto {
        rt = RangeType::Rank;
    }
    if limit != -1 && rt == RangeType::Rank {
        return Err(error::ZRANGE_LIMIT);
    }
    if withscores && rt == RangeType::Lex {
        return Err(error::ZRANGE_WITHSCORES_BYLEX);
    }
    if rev && rt != RangeType::Rank {
        std::mem::swap(&mut minidx, &mut maxidx);
    }
    enum Spec {
        Rank(i64, i64),
        Score(ScoreRange),
        Lex(LexRange),
    }
    let spec = match rt {
        RangeType::Score => Spec::Score(parse_score_range(a.get(minidx).unwrap_or_default(), a.get(maxidx).unwrap_or_default())?),
        RangeType::Lex => Spec::Lex(parse_lex_range(a.get(minidx).unwrap_or_default(), a.get(maxidx).unwrap_or_default())?),
        _ => Spec::Rank(a.i64(minidx)?, a.i64(maxidx)?),
    };
    let limits = ctx.zlimits();
    let items = match ctx.read_zset(key)? {
        None => Vec::new(),
        Some(z) => match &spec {
            Spec::Rank(s, e) => by_rank(z, *s, *e, rev),
            Spec::Score(r) => by_score(z, r, rev, offset, limit),
            Spec::Lex(r) => by_lex(z, r, rev, offset, limit),
        },
    };
    if store_to {
        let known = matches!(spec, Spec::Rank(..)).then_some(items.len());
        let z = build_incremental(items, known, limits);
        return store(ctx, a.get(1).unwrap_or_default(), z, "zrangestore");
    }
    Ok(members_reply(items, withscores))
}

/// ZRANGE key start stop [BYSCORE|BYLEX] [REV] [LIMIT offset count] [WITHSCORES]
fn zrange(ctx: &mut Ctx, a: Args) -> Result<Reply> {
    zrange_generic(ctx, a, 1, false, RangeType::Auto, None)
}

/// ZRANGESTORE dst src min max [BYSCORE|BYLEX] [REV] [LIMIT offset count]
fn zrangestore(ctx: &mut Ctx, a: Args) -> Result<Reply> {
    zrange_generic(ctx, a, 2, true, RangeType::Auto, None)
}

/// ZREVRANGE key start stop [WITHSCORES]
fn zrevrange(ctx: &mut Ctx, a: Args) -> Result<Reply> {
    zrange_generic(ctx, a, 1, false, RangeType::Rank, Some(true))
}

/// ZRANGEBYSCORE key min max [WITHSCORES] [LIMIT offset count]
fn zrangebyscore(ctx: &mut Ctx, a: Args) -> Result<Reply> {
    zrange_generic(ctx, a, 1, false, RangeType::Score, Some(false))
}

/// ZREVRANGEBYSCORE key max min [WITHSCORES] [LIMIT offset count]
fn zrevrangebyscore(ctx: &mut Ctx, a: Args) -> Result<Reply> {
    zrange_generic(ctx, a, 1, false, RangeType::Score, Some(true))
}

/// ZRANGEBYLEX key min max [LIMIT offset count]
fn zrangebylex(ctx: &mut Ctx, a: Args) -> Result<Reply> {
    zrange_generic(ctx, a, 1, false, RangeType::Lex, Some(false))
}

/// ZREVRANGEBYLEX key max min [LIMIT offset count]
fn zrevrangebylex(ctx: &mut Ctx, a: Args) -> Result<Reply> {
    zrange_generic(ctx, a, 1, false, RangeType::Lex, Some(true))
}

// ---- ZREMRANGEBY… ----

fn zremrange(ctx: &mut Ctx, a: Args, rt: RangeType) -> Result<Reply> {
    let key = a.get(1).unwrap_or_default();
    enum Spec {
        Rank(i64, i64),
        Score(ScoreRange),
        Lex(LexRange),
    }
    let (spec, event) = match rt {
        RangeType::Score => (Spec::Score(parse_score_range(a.get(2).unwrap_or_default(), a.get(3).unwrap_or_default())?), "zremrangebyscore"),
        RangeType::Lex => (Spec::Lex(parse_lex_range(a.get(2).unwrap_or_default(), a.get(3).unwrap_or_default())?), "zremrangebylex"),
        _ => (Spec::Rank(a.i64(2)?, a.i64(3)?), "zremrangebyrank"),
    };
    let Some(slot) = ctx.lookup_write(key) else { return Ok(Reply::Int(0)) };
    let z = ctx.zset_at_mut(slot)?;
    let victims = match &spec {
        Spec::Rank(s, e) => by_rank(z, *s, *e, false),
        Spec::Score(r) => by_score(z, r, false, 0, -1),
        Spec::Lex(r) => by_lex(z, r, false, 0, -1),
    };
    if victims.len() == z.len() {
        *z = ZSet::new(z.is_listpack()); // everything goes: no need to unlink one by one
    } else {
        for (m, _) in &victims {
            z.remove(m);
        }
    }
    let deleted = victims.len() as i64;
    if deleted > 0 {
        let removed = drop_if_empty(ctx, slot);
        ctx.modified(key);
        ctx.notify(notify::ZSET, event, key);
        if removed {
            ctx.notify(notify::GENERIC, "del", key);
        }
    }
    Ok(Reply::Int(deleted))
}

/// ZREMRANGEBYRANK key start stop
fn zremrangebyrank(ctx: &mut Ctx, a: Args) -> Result<Reply> {
    zremrange(ctx, a, RangeType::Rank)
}

/// ZREMRANGEBYSCORE key min max
fn zremrangebyscore(ctx: &mut Ctx, a: Args) -> Result<Reply> {
    zremrange(ctx, a, RangeType::Score)
}

/// ZREMRANGEBYLEX key min max
fn zremrangebylex(ctx: &mut Ctx, a: Args) -> Result<Reply> {
    zremrange(ctx, a, RangeType::Lex)
}

// ---- pops ----

/// `genericZpopCommand`: pops from the first existing key of `keys`.
/// `count` None = a single pop without a count argument.
fn zpop_generic(ctx: &mut Ctx, keys: &[&[u8]], max: bool, count: Option<i64>, zmpop: bool) -> Result<Reply> {
    let mut found = None;
    for k in keys {
        if let Some(slot) = ctx.lookup_write(k) {
            ctx.zset_at(slot)?;
            found = Some((*k, slot));
            break;
        }
    }
    let Some((key, slot)) = found else {
        return Ok(if zmpop { Reply::NilArray } else { Reply::empty_array() });
    };
    if count == Some(0) {
        return Ok(Reply::empty_array());
    }
    let z = ctx.zset_at_mut(slot)?;
    let n = (count.unwrap_or(1).max(1) as u64).min(z.len() as u64) as usize;
    let mut popped = Vec::with_capacity(n);
    if n == z.len() {
        popped = z.iter().map(|(m, s)| (m.to_vec(), s)).collect();
        if max {
            popped.reverse();
        }
        *z = ZSet::new(z.is_listpack());
    }
    for _ in popped.len()..n {
        let Some(c) = (if max { z.last() } else { z.first() }) else { break };
        let (m, s) = z.get(c);
        let m = m.to_vec();
        z.remove(&m);
        popped.push((m, s));
    }
    let removed = drop_if_empty(ctx, slot);
    ctx.notify(notify::ZSET, if max { "zpopmax" } else { "zpopmin" }, key);
    ctx.modified(key);
    if removed {
        ctx.notify(notify::GENERIC, "del", key);
    }
    if zmpop {
        let pairs = popped.into_iter().map(|(m, s)| Reply::Array(vec![Reply::Bulk(m), score_reply(s)])).collect();
        return Ok(Reply::Array(vec![Reply::Bulk(key.to_vec()), Reply::Array(pairs)]));
    }
    Ok(members_reply(popped, true))
}

fn zpop(ctx: &mut Ctx, a: Args, max: bool) -> Result<Reply> {
    if a.len() > 3 {
        return Err(error::SYNTAX);
    }
    let count = if a.len() == 3 { Some(args::range_long(a.get(2).unwrap_or_default(), 0, i64::MAX, Some(error::MUST_BE_POSITIVE))?) } else { None };
    zpop_generic(ctx, a.from(1).get(..1).unwrap_or(&[]), max, count, false)
}

/// ZPOPMIN key [count]
fn zpopmin(ctx: &mut Ctx, a: Args) -> Result<Reply> {
    zpop(ctx, a, false)
}

/// ZPOPMAX key [count]
fn zpopmax(ctx: &mut Ctx, a: Args) -> Result<Reply> {
    zpop(ctx, a, true)
}

/// Parsed `numkeys key [key ...] MIN|MAX [COUNT count]`: (keys, max, count).
type Zmpop<'a> = (&'a [&'a [u8]], bool, Option<i64>);

/// Parses `numkeys key [key ...] MIN|MAX [COUNT count]` from `a[at]`.
fn parse_zmpop<'a>(a: &Args<'a>, at: usize) -> Result<Zmpop<'a>> {
    let numkeys = args::range_long(a.get(at).unwrap_or_default(), 1, i64::MAX, Some(error::NUMKEYS_GT_ZERO))? as u64;
    let where_idx = numkeys.checked_add(at as u64 + 1).filter(|&w| w < a.len() as u64).ok_or(error::SYNTAX)? as usize;
    let max = if a.is(where_idx, "min") {
        false
    } else if a.is(where_idx, "max") {
        true
    } else {
        return Err(error::SYNTAX);
    };
    let mut count = None;
    let mut j = where_idx + 1;
    while j < a.len() {
        if count.is_none() && a.is(j, "count") && j + 1 < a.len() {
            count = Some(args::range_long(a.get(j + 1).unwrap_or_default(), 1, i64::MAX, Some(error::COUNT_GT_ZERO))?);
            j += 2;
        } else {
            return Err(error::SYNTAX);
        }
    }
    Ok((a.from(at + 1).get(..numkeys as usize).unwrap_or(&[]), max, count))
}

/// ZMPOP numkeys key [key ...] MIN|MAX [COUNT count]
fn zmpop(ctx: &mut Ctx, a: Args) -> Result<Reply> {
    let (keys, max, count) = parse_zmpop(&a, 1)?;
    zpop_generic(ctx, keys, max, Some(count.unwrap_or(1)), true)
}

// ---- blocking pops (mechanism in `crate::blocking`) ----

/// `blockingGenericZpopCommand`: pops from the first non-empty sorted set of
/// `keys`, else blocks (or answers a nil array when the caller cannot block).
/// `count` None is BZPOPMIN/BZPOPMAX (reply `[key, member, score]`).
fn bzpop_generic(ctx: &mut Ctx, keys: &[&[u8]], max: bool, timeout: &[u8], count: Option<i64>) -> Result<Reply> {
    let deadline = super::list::parse_timeout(timeout, ctx.now)?;
    for key in keys {
        if let Some(slot) = ctx.lookup_write(key) {
            ctx.zset_at(slot)?;
            return Ok(serve_zpop(ctx, key, max, count));
        }
    }
    if !ctx.may_block() {
        return Ok(Reply::NilArray);
    }
    Ok(ctx.block(crate::blocking::BlockRequest {
        keys: keys.iter().map(|k| k.to_vec()).collect(),
        deadline,
        wakes_on: "zset",
        serve: serve_bzpop,
        timeout_reply: Reply::NilArray,
        argv: None,
        wakes_on_gone: false,
    }))
}

fn serve_zpop(ctx: &mut Ctx, key: &[u8], max: bool, count: Option<i64>) -> Reply {
    match count {
        Some(n) => into_reply(zpop_generic(ctx, &[key], max, Some(n), true)),
        None => match zpop_generic(ctx, &[key], max, None, false) {
            Ok(Reply::Array(mut v)) => {
                v.insert(0, Reply::bulk(key));
                Reply::Array(v)
            }
            other => into_reply(other),
        },
    }
}

/// Serves a blocked BZPOPMIN/BZPOPMAX/BZMPOP from `key`.
fn serve_bzpop(ctx: &mut Ctx, a: Args, key: &[u8]) -> Option<Reply> {
    if a.is(0, "bzmpop") {
        let (_, max, count) = parse_zmpop(&a, 2).ok()?;
        return Some(serve_zpop(ctx, key, max, Some(count.unwrap_or(1))));
    }
    Some(serve_zpop(ctx, key, a.is(0, "bzpopmax"), None))
}

/// BZPOPMIN key [key ...] timeout
fn bzpopmin(ctx: &mut Ctx, a: Args) -> Result<Reply> {
    let last = a.len().saturating_sub(1);
    bzpop_generic(ctx, a.all().get(1..last).unwrap_or(&[]), false, a.get(last).unwrap_or_default(), None)
}

/// BZPOPMAX key [key ...] timeout
fn bzpopmax(ctx: &mut Ctx, a: Args) -> Result<Reply> {
    let last = a.len().saturating_sub(1);
    bzpop_generic(ctx, a.all().get(1..last).unwrap_or(&[]), true, a.get(last).unwrap_or_default(), None)
}

/// BZMPOP timeout numkeys key [key ...] MIN|MAX [COUNT count]
fn bzmpop(ctx: &mut Ctx, a: Args) -> Result<Reply> {
    let (keys, max, count) = parse_zmpop(&a, 2)?;
    bzpop_generic(ctx, keys, max, a.get(1).unwrap_or_default(), Some(count.unwrap_or(1)))
}

// ---- ZRANDMEMBER ----

/// ZRANDMEMBER key [count [WITHSCORES]]
fn zrandmember(ctx: &mut Ctx, a: Args) -> Result<Reply> {
    if a.len() == 2 {
        let Some(slot) = ctx.lookup_read(a.get(1).unwrap_or_default()) else { return Ok(Reply::Nil) };
        let Some(Value::ZSet(z)) = ctx.srv.dbs.get(ctx.client.db).map(|db| &db.entry(slot).val) else { return Err(error::WRONGTYPE) };
        let i = ctx.srv.rng.below(z.len());
        return Ok(Reply::opt_bulk(z.at_pos(i).map(|(m, _)| m.to_vec())));
    }
    let l = args::range_long(a.get(2).unwrap_or_default(), -i64::MAX, i64::MAX, None)?;
    let withscores = match a.len() {
        3 => false,
        4 if a.is(3, "withscores") => true,
        _ => return Err(error::SYNTAX),
    };
    if withscores && !(-i64::MAX / 2..=i64::MAX / 2).contains(&l) {
        return Err(error::OUT_OF_RANGE);
    }
    let Some(slot) = ctx.lookup_read(a.get(1).unwrap_or_default()) else { return Ok(Reply::empty_array()) };
    let Some(Value::ZSet(z)) = ctx.srv.dbs.get(ctx.client.db).map(|db| &db.entry(slot).val) else { return Err(error::WRONGTYPE) };
    let rng = &mut ctx.srv.rng;
    let count = l.unsigned_abs();
    if count == 0 {
        return Ok(Reply::empty_array());
    }
    let size = z.len();
    let pick = |i: usize| z.at_pos(i).map(|(m, s)| (m.to_vec(), s));
    if l < 0 || count == 1 {
        if count.saturating_mul(if withscores { 2 } else { 1 }) > MAX_REPLY_ELEMENTS {
            return Err(error::REPLY_TOO_LARGE);
        }
        let items = (0..count).filter_map(|_| pick(rng.below(size))).collect();
        return Ok(members_reply(items, withscores));
    }
    if count >= size as u64 {
        // Redis's zset iterator (`zuiNext`) walks from the highest score down.
        let mut all: Vec<_> = z.iter().map(|(m, s)| (m.to_vec(), s)).collect();
        all.reverse();
        return Ok(members_reply(all, withscores));
    }
    let count = count as usize;
    let items = if count * 3 > size {
        // Distinct members, many of them: a partial Fisher-Yates over positions.
        let mut pos: Vec<usize> = (0..size).collect();
        for i in 0..count {
            let j = i + rng.below(size - i);
            pos.swap(i, j);
        }
        pos.get(..count).unwrap_or_default().iter().filter_map(|&i| pick(i)).collect()
    } else {
        // Few of a big set: draw positions until `count` distinct ones (O(count)).
        let mut seen = hashbrown::HashSet::with_capacity(count);
        let mut out = Vec::with_capacity(count);
        while out.len() < count {
            let i = rng.below(size);
            if seen.insert(i) {
                out.extend(pick(i));
            }
        }
        out
    };
    Ok(members_reply(items, withscores))
}

// ---- ZUNION / ZINTER / ZDIFF ----

#[derive(Clone, Copy, PartialEq)]
enum Op {
    Union,
    Inter,
    Diff,
}

#[derive(Clone, Copy)]
enum Src<'z> {
    Missing,
    Z(&'z ZSet),
    S(&'z Set),
}

impl<'z> Src<'z> {
    fn len(&self) -> usize {
        match self {
            Src::Missing => 0,
            Src::Z(z) => z.len(),
            Src::S(s) => s.len(),
        }
    }
    fn find(&self, m: &[u8]) -> Option<f64> {
        match self {
            Src::Missing => None,
            Src::Z(z) => z.score(m),
            Src::S(s) => s.contains(m).then_some(1.0),
        }
    }
    fn items(&self) -> Vec<(Vec<u8>, f64)> {
        match self {
            Src::Missing => Vec::new(),
            Src::Z(z) => z.iter().map(|(m, s)| (m.to_vec(), s)).collect(),
            Src::S(s) => s.members().into_iter().map(|m| (m, 1.0)).collect(),
        }
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Aggr {
    Sum,
    Min,
    Max,
}

fn aggregate(target: &mut f64, v: f64, ag: Aggr) {
    match ag {
        Aggr::Sum => {
            *target += v;
            if target.is_nan() {
                *target = 0.0;
            }
        }
        Aggr::Min => {
            if v < *target {
                *target = v;
            }
        }
        Aggr::Max => {
            if v > *target {
                *target = v;
            }
        }
    }
}

/// `zunionInterDiffGenericCommand`. `dst` for the …STORE forms; `card` for ZINTERCARD.
fn set_op(ctx: &mut Ctx, a: Args, numkeys_idx: usize, dst: Option<&[u8]>, op: Op, card: bool) -> Result<Reply> {
    let setnum = a.i64(numkeys_idx)?;
    if setnum < 1 {
        let name = String::from_utf8_lossy(a.get(0).unwrap_or_default()).to_ascii_lowercase();
        return Err(error::zset_at_least_one_key(&name));
    }
    if setnum as u64 > (a.len() - numkeys_idx - 1) as u64 {
        return Err(error::SYNTAX);
    }
    let setnum = setnum as usize;
    let keys = a.from(numkeys_idx + 1).get(..setnum).unwrap_or(&[]);
    // Type checks come before the options, as in Redis.
    let mut slots = Vec::with_capacity(setnum);
    for k in keys {
        let slot = ctx.lookup_read(k);
        if let Some(s) = slot {
            if !matches!(ctx.value(s), Value::ZSet(_) | Value::Set(_)) {
                return Err(error::WRONGTYPE);
            }
        }
        slots.push(slot);
    }
    // A lookup may expire a key, and the keyspace then moves its last slot into
    // the hole: resolve the slots again once every key has been looked up.
    let slots: Vec<Option<usize>> = slots.iter().zip(keys).map(|(s, k)| s.and_then(|_| ctx.db().find(k))).collect();
    let mut weights = vec![1.0f64; setnum];
    let mut ag = Aggr::Sum;
    let mut withscores = false;
    let mut limit = 0u64;
    let mut j = numkeys_idx + 1 + setnum;
    while j < a.len() {
        let remaining = a.len() - j;
        if op != Op::Diff && !card && remaining > setnum && a.is(j, "weights") {
            for (i, w) in weights.iter_mut().enumerate() {
                *w = num::parse_f64(a.get(j + 1 + i).unwrap_or_default()).ok_or(error::ZSET_WEIGHT)?;
            }
            j += 1 + setnum;
        } else if op != Op::Diff && !card && remaining >= 2 && a.is(j, "aggregate") {
            ag = if a.is(j + 1, "sum") {
                Aggr::Sum
            } else if a.is(j + 1, "min") {
                Aggr::Min
            } else if a.is(j + 1, "max") {
                Aggr::Max
            } else {
                return Err(error::SYNTAX);
            };
            j += 2;
        } else if dst.is_none() && !card && a.is(j, "withscores") {
            withscores = true;
            j += 1;
        } else if card && remaining >= 2 && a.is(j, "limit") {
            limit = args::range_long(a.get(j + 1).unwrap_or_default(), 0, i64::MAX, Some(error::LIMIT_NEGATIVE))? as u64;
            j += 2;
        } else {
            return Err(error::SYNTAX);
        }
    }
    let limits = ctx.zlimits();
    let mut srcs: Vec<(Src, f64, Option<&[u8]>)> = slots
        .iter()
        .zip(weights)
        .zip(keys)
        .map(|((s, w), k)| {
            let src = match s.map(|s| ctx.value(s)) {
                Some(Value::ZSet(z)) => Src::Z(z),
                Some(Value::Set(st)) => Src::S(st),
                _ => Src::Missing,
            };
            (src, w, s.map(|_| *k))
        })
        .collect();
    if op != Op::Diff {
        srcs.sort_by_key(|s| s.0.len());
    }
    let mut result: Vec<(Vec<u8>, f64)> = Vec::new();
    let mut cardinality = 0u64;
    match op {
        Op::Inter => {
            if let Some(((first, w0, _), rest)) = srcs.split_first() {
                for (m, s) in first.items() {
                    let mut score = w0 * s;
                    if score.is_nan() {
                        score = 0.0;
                    }
                    let mut all = true;
                    for (src, w, _) in rest {
                        match src.find(&m) {
                            Some(v) => aggregate(&mut score, v * w, ag),
                            None => {
                                all = false;
                                break;
                            }
                        }
                    }
                    if !all {
                        continue;
                    }
                    if card {
                        cardinality += 1;
                        if limit != 0 && cardinality >= limit {
                            break;
                        }
                    } else {
                        result.push((m, score));
                    }
                }
            }
        }
        Op::Union => {
            let mut acc: hashbrown::HashMap<Vec<u8>, f64> = hashbrown::HashMap::new();
            for (src, w, _) in &srcs {
                for (m, s) in src.items() {
                    let mut score = w * s;
                    if score.is_nan() {
                        score = 0.0;
                    }
                    match acc.get_mut(&m) {
                        Some(t) => aggregate(t, score, ag),
                        None => {
                            acc.insert(m, score);
                        }
                    }
                }
            }
            result = acc.into_iter().collect();
        }
        Op::Diff => {
            if let Some(((first, _, k0), rest)) = srcs.split_first() {
                let same = k0.is_some() && rest.iter().any(|r| r.2 == *k0);
                if !same {
                    for (m, s) in first.items() {
                        if rest.iter().all(|(src, _, _)| src.find(&m).is_none()) {
                            result.push((m, s));
                        }
                    }
                }
            }
        }
    }
    drop(srcs);
    if card {
        return Ok(Reply::Int(cardinality as i64));
    }
    match dst {
        Some(d) => {
            let z = build(result, limits);
            let event = match op {
                Op::Union => "zunionstore",
                Op::Inter => "zinterstore",
                Op::Diff => "zdiffstore",
            };
            store(ctx, d, z, event)
        }
        None => {
            // Replied from the skiplist Redis builds: ordered, -0 kept.
            result.sort_by(|a, b| a.1.partial_cmp(&b.1).unwrap_or(std::cmp::Ordering::Equal).then_with(|| a.0.cmp(&b.0)));
            Ok(members_reply(result, withscores))
        }
    }
}

/// ZUNION numkeys key [key ...] [WEIGHTS weight ...] [AGGREGATE SUM|MIN|MAX] [WITHSCORES]
fn zunion(ctx: &mut Ctx, a: Args) -> Result<Reply> {
    set_op(ctx, a, 1, None, Op::Union, false)
}

/// ZINTER numkeys key [key ...] [WEIGHTS weight ...] [AGGREGATE SUM|MIN|MAX] [WITHSCORES]
fn zinter(ctx: &mut Ctx, a: Args) -> Result<Reply> {
    set_op(ctx, a, 1, None, Op::Inter, false)
}

/// ZDIFF numkeys key [key ...] [WITHSCORES]
fn zdiff(ctx: &mut Ctx, a: Args) -> Result<Reply> {
    set_op(ctx, a, 1, None, Op::Diff, false)
}

/// ZUNIONSTORE destination numkeys key [key ...] [WEIGHTS weight ...] [AGGREGATE SUM|MIN|MAX]
fn zunionstore(ctx: &mut Ctx, a: Args) -> Result<Reply> {
    set_op(ctx, a, 2, Some(a.get(1).unwrap_or_default()), Op::Union, false)
}

/// ZINTERSTORE destination numkeys key [key ...] [WEIGHTS weight ...] [AGGREGATE SUM|MIN|MAX]
fn zinterstore(ctx: &mut Ctx, a: Args) -> Result<Reply> {
    set_op(ctx, a, 2, Some(a.get(1).unwrap_or_default()), Op::Inter, false)
}

/// ZDIFFSTORE destination numkeys key [key ...]
fn zdiffstore(ctx: &mut Ctx, a: Args) -> Result<Reply> {
    set_op(ctx, a, 2, Some(a.get(1).unwrap_or_default()), Op::Diff, false)
}

/// ZINTERCARD numkeys key [key ...] [LIMIT limit]
fn zintercard(ctx: &mut Ctx, a: Args) -> Result<Reply> {
    set_op(ctx, a, 1, None, Op::Inter, true)
}

/// ZSCAN key cursor [MATCH pattern] [COUNT count]
fn zscan(ctx: &mut Ctx, a: Args) -> Result<Reply> {
    let &[_, key, cursor, ..] = a.all() else { return Err(error::wrong_arity("zscan")) };
    let cursor = keys::parse_cursor(cursor).ok_or(error::INVALID_CURSOR)?;
    let Some(z) = ctx.read_zset(key)? else { return Ok(scan_reply(0, Vec::new())) };
    let opts = ScanOpts::parse(&a, 3)?;
    let mut items = Vec::new();
    let next = if z.is_listpack() {
        for (m, s) in z.iter() {
            if opts.keep(m) {
                items.push(m.to_vec());
                items.push(d2string(s));
            }
        }
        0
    } else {
        z.scan(cursor, opts.count, |m, s| {
            if opts.keep(m) {
                items.push(m.to_vec());
                items.push(fmt_score(s));
            }
        })
    };
    Ok(scan_reply(next, items))
}
