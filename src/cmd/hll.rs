//! HyperLogLog commands (PFADD PFCOUNT PFMERGE). An HLL is a string value in
//! Redis's byte format (see `types::hll`), so GET/SET/APPEND see the same
//! bytes Redis would hold, and a string that is not a valid HLL is refused
//! with Redis's WRONGTYPE variant.

#![deny(clippy::indexing_slicing)]

use super::*;
use crate::types::hll::{self, REGISTERS};

pub(crate) const COMMANDS: &[CommandSpec] = &[
    CommandSpec::new("pfadd", -2, WRITE | DENYOOM | FAST, Keys::one(1), "hyperloglog", pfadd),
    CommandSpec::new("pfcount", -2, READONLY | MAY_REPLICATE, Keys::range(1, -1, 1), "hyperloglog", pfcount),
    CommandSpec::new("pfmerge", -2, WRITE | DENYOOM, Keys::range(1, -1, 1), "hyperloglog", pfmerge),
];

/// The HLL bytes of a live slot, or Redis's errors for other values.
fn hll_bytes<'c>(ctx: &'c Ctx, slot: usize) -> Result<&'c [u8]> {
    match ctx.value(slot) {
        Value::Str(b) | Value::Raw(b) if hll::is_valid(b) => Ok(b),
        v if v.is_string() => Err(error::INVALID_HLL_STRING),
        _ => Err(error::WRONGTYPE),
    }
}

/// The value as a modifiable buffer (Redis's `dbUnshareStringValue`).
fn hll_buf<'c>(ctx: &'c mut Ctx, slot: usize) -> Result<&'c mut Vec<u8>> {
    ctx.value_mut(slot).make_raw().ok_or(error::WRONGTYPE)
}

/// PFADD key [element ...]
fn pfadd(ctx: &mut Ctx, a: Args) -> Result<Reply> {
    let &[_, key, ref elements @ ..] = a.all() else { return Err(error::wrong_arity("pfadd")) };
    let sparse_max = ctx.srv.config.hll_sparse_max_bytes;
    let mut updated = 0;
    let slot = match ctx.lookup_write(key) {
        Some(slot) => {
            hll_bytes(ctx, slot)?;
            slot
        }
        None => {
            updated += 1;
            ctx.add_key(key, Value::Raw(hll::new_sparse()))
        }
    };
    let buf = hll_buf(ctx, slot)?;
    for ele in elements {
        match hll::add(buf, ele, sparse_max) {
            Ok(true) => updated += 1,
            Ok(false) => {}
            Err(hll::Corrupt) => return Err(error::INVALID_HLL),
        }
    }
    if updated > 0 {
        hll::invalidate_cache(buf);
        ctx.modified(key);
        ctx.notify(notify::STRING, "pfadd", key);
    }
    Ok(Reply::Int((updated > 0) as i64))
}

/// PFCOUNT key [key ...]
fn pfcount(ctx: &mut Ctx, a: Args) -> Result<Reply> {
    let key = match *a.all() {
        [_, key] => key,
        [_, ref keys @ ..] => return pfcount_union(ctx, keys),
        [] => return Err(error::wrong_arity("pfcount")),
    };
    let Some(slot) = ctx.lookup_read(key) else { return Ok(Reply::Int(0)) };
    hll_bytes(ctx, slot)?;
    let buf = hll_buf(ctx, slot)?;
    if let Some(card) = hll::cached(buf) {
        return Ok(Reply::Int(card as i64));
    }
    let card = hll::count(buf).map_err(|_| error::INVALID_HLL)?;
    hll::set_cached(buf, card);
    ctx.modified(key);
    Ok(Reply::Int(card as i64))
}

/// PFCOUNT over several keys: the cardinality of their union.
fn pfcount_union(ctx: &mut Ctx, keys: &[&[u8]]) -> Result<Reply> {
    let mut max = Box::new([0u8; REGISTERS]);
    for key in keys {
        let Some(slot) = ctx.lookup_read(key) else { continue };
        let b = hll_bytes(ctx, slot)?;
        hll::merge_into(&mut max, b).map_err(|_| error::INVALID_HLL)?;
    }
    Ok(Reply::Int(hll::count_registers(&max) as i64))
}

/// PFMERGE destkey [sourcekey ...]
fn pfmerge(ctx: &mut Ctx, a: Args) -> Result<Reply> {
    let &[_, key, ..] = a.all() else { return Err(error::wrong_arity("pfmerge")) };
    let mut max = Box::new([0u8; REGISTERS]);
    let mut use_dense = false;
    for key in a.from(1) {
        let Some(slot) = ctx.lookup_read(key) else { continue };
        let b = hll_bytes(ctx, slot)?;
        use_dense |= !b.is_empty() && b.get(4) == Some(&0);
        hll::merge_into(&mut max, b).map_err(|_| error::INVALID_HLL)?;
    }
    let sparse_max = ctx.srv.config.hll_sparse_max_bytes;
    let slot = match ctx.lookup_write(key) {
        Some(slot) => slot,
        None => {
            ctx.add_key(key, Value::Raw(hll::new_sparse()))
        }
    };
    let buf = hll_buf(ctx, slot)?;
    if use_dense && hll::to_dense(buf).is_err() {
        return Err(error::INVALID_HLL);
    }
    for (i, &m) in max.iter().enumerate() {
        if m != 0 {
            // Redis ignores a failure here (the destination was validated above).
            let _ = hll::set_register(buf, i, m, sparse_max);
        }
    }
    hll::invalidate_cache(buf);
    ctx.modified(key);
    ctx.notify(notify::STRING, "pfadd", key);
    Ok(Reply::OK)
}
