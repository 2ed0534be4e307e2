//! Bitmaps: bit-level commands on string values (SETBIT GETBIT BITCOUNT
//! BITPOS BITOP BITFIELD BITFIELD_RO). Bit 0 is the most significant bit of
//! the first byte; strings grow with zero bytes as Redis's do.

#![deny(clippy::indexing_slicing)]

use super::*;

pub(crate) const COMMANDS: &[CommandSpec] = &[
    CommandSpec::new("setbit", 4, WRITE | DENYOOM, Keys::one(1), "bitmap", setbit),
    CommandSpec::new("getbit", 3, READONLY | FAST, Keys::one(1), "bitmap", getbit),
    CommandSpec::new("bitcount", -2, READONLY, Keys::one(1), "bitmap", bitcount),
    CommandSpec::new("bitpos", -3, READONLY, Keys::one(1), "bitmap", bitpos),
    CommandSpec::new("bitop", -4, WRITE | DENYOOM, Keys::range(2, -1, 1), "bitmap", bitop),
    CommandSpec::new("bitfield", -2, WRITE | DENYOOM, Keys::one(1), "bitmap", bitfield),
    CommandSpec::new("bitfield_ro", -2, READONLY | FAST, Keys::one(1), "bitmap", bitfield_ro),
];

/// A bit offset argument (`getBitOffsetFromArgument`): `#n` means n*bits for BITFIELD.
fn bit_offset(ctx: &Ctx, arg: &[u8], bits: Option<u32>) -> Result<u64> {
    let (digits, mul) = match (arg.split_first(), bits) {
        (Some((b'#', digits)), Some(bits)) => (digits, bits as i64),
        _ => (arg, 1),
    };
    let off = num::parse_i64(digits)
        .and_then(|n| n.checked_mul(mul))
        .filter(|&n| n >= 0 && (n >> 3) < ctx.srv.config.proto_max_bulk_len)
        .ok_or(error::BIT_OFFSET)?;
    Ok(off as u64)
}

/// The index of the byte holding bit `off`, and the string length that covers
/// it; None when that does not fit the address space (a wasm32 `usize`), where
/// the allocation could not succeed anyway.
fn byte_of(off: u64) -> Option<(usize, usize)> {
    let byte = usize::try_from(off >> 3).ok()?;
    Some((byte, byte.checked_add(1)?))
}

/// The bytes of a string value for reading (ints as their decimal form).
fn read_bytes(ctx: &mut Ctx, key: &[u8]) -> Result<Option<Vec<u8>>> {
    ctx.read_string(key)
}

/// Redis's `lookupStringForBitCommand`: the string at `key` as a raw buffer at
/// least `byte_len` long (created or zero-padded). Returns the slot and
/// whether the value was created or grown.
fn string_for_bits(ctx: &mut Ctx, key: &[u8], byte_len: usize) -> Result<(usize, bool)> {
    match ctx.lookup_write(key) {
        Some(slot) => {
            if !ctx.value(slot).is_string() {
                return Err(error::WRONGTYPE);
            }
            let buf = ctx.value_mut(slot).make_raw().ok_or(error::WRONGTYPE)?;
            let grown = buf.len() < byte_len;
            if grown {
                buf.try_reserve(byte_len - buf.len()).map_err(|_| error::OOM)?;
                buf.resize(byte_len, 0);
            }
            Ok((slot, grown))
        }
        None => {
            let buf = Ctx::try_zeroed(byte_len)?;
            Ok((ctx.add_key(key, Value::Raw(buf)), true))
        }
    }
}

fn raw_mut<'c>(ctx: &'c mut Ctx, slot: usize) -> &'c mut [u8] {
    match ctx.value_mut(slot) {
        Value::Raw(b) => b,
        _ => &mut [],
    }
}

/// SETBIT key offset value
fn setbit(ctx: &mut Ctx, a: Args) -> Result<Reply> {
    let &[_, key, offset, value] = a.all() else { return Err(error::wrong_arity("setbit")) };
    let off = bit_offset(ctx, offset, None)?;
    let on = match num::parse_i64(value) {
        Some(v @ (0 | 1)) => v as u8,
        _ => return Err(error::BIT_VALUE),
    };
    let (byte, len) = byte_of(off).ok_or(error::OOM)?;
    let (slot, dirty) = string_for_bits(ctx, key, len)?;
    let buf = raw_mut(ctx, slot);
    let shift = 7 - (off & 7) as u8;
    let Some(b) = buf.get_mut(byte) else { return Err(error::OOM) };
    let old = (*b >> shift) & 1;
    if dirty || old != on {
        *b = (*b & !(1 << shift)) | (on << shift);
        ctx.modified(key);
        ctx.notify(notify::STRING, "setbit", key);
    }
    Ok(Reply::Int(old as i64))
}

/// GETBIT key offset
fn getbit(ctx: &mut Ctx, a: Args) -> Result<Reply> {
    let &[_, key, offset] = a.all() else { return Err(error::wrong_arity("getbit")) };
    let off = bit_offset(ctx, offset, None)?;
    let Some(s) = read_bytes(ctx, key)? else { return Ok(Reply::Int(0)) };
    let bit = byte_of(off).and_then(|(i, _)| s.get(i)).map_or(0, |b| (b >> (7 - (off & 7))) & 1);
    Ok(Reply::Int(bit as i64))
}

fn bit_or_byte(arg: &[u8]) -> Result<bool> {
    if arg.eq_ignore_ascii_case(b"bit") {
        Ok(true)
    } else if arg.eq_ignore_ascii_case(b"byte") {
        Ok(false)
    } else {
        Err(error::SYNTAX)
    }
}

/// A byte range clamped as BITCOUNT/BITPOS do, with edge masks in bit mode.
struct Range {
    start: i64,
    end: i64,
    first_mask: u8,
    last_mask: u8,
}

fn clamp_range(mut start: i64, mut end: i64, strlen: i64, isbit: bool) -> Range {
    let totlen = if isbit { strlen << 3 } else { strlen };
    if start < 0 {
        start += totlen;
    }
    if end < 0 {
        end += totlen;
    }
    start = start.max(0);
    end = end.max(0);
    if end >= totlen {
        end = totlen - 1;
    }
    let (mut first_mask, mut last_mask) = (0u8, 0u8);
    if isbit && start <= end {
        first_mask = !((1u16 << (8 - (start & 7))) - 1) as u8;
        last_mask = ((1u16 << (7 - (end & 7))) - 1) as u8;
        start >>= 3;
        end >>= 3;
    }
    Range { start, end, first_mask, last_mask }
}

/// BITCOUNT key [start end [BYTE|BIT]]
fn bitcount(ctx: &mut Ctx, a: Args) -> Result<Reply> {
    let &[_, key, ref rest @ ..] = a.all() else { return Err(error::wrong_arity("bitcount")) };
    let Some(s) = read_bytes(ctx, key)? else { return Ok(Reply::Int(0)) };
    let strlen = s.len() as i64;
    let r = match *rest {
        [start, end, ref unit @ ..] if unit.len() <= 1 => {
            let start = args::parse_i64(start)?;
            let end = args::parse_i64(end)?;
            if start < 0 && end < 0 && start > end {
                return Ok(Reply::Int(0));
            }
            let isbit = match unit.first() {
                Some(u) => bit_or_byte(u)?,
                None => false,
            };
            clamp_range(start, end, strlen, isbit)
        }
        [] => Range { start: 0, end: strlen - 1, first_mask: 0, last_mask: 0 },
        _ => return Err(error::SYNTAX),
    };
    if r.start > r.end {
        return Ok(Reply::Int(0));
    }
    let bytes = s.get(r.start as usize..=r.end as usize).unwrap_or(&[]);
    let mut count: i64 = bytes.iter().map(|b| b.count_ones() as i64).sum();
    if let (Some(&f), Some(&l)) = (bytes.first(), bytes.last()) {
        count -= (f & r.first_mask).count_ones() as i64 + (l & r.last_mask).count_ones() as i64;
    }
    Ok(Reply::Int(count))
}

/// Redis's `redisBitpos`: first bit equal to `bit` in `s`, the bytes after `s`
/// read as zeros (so a 0 is always found, at worst just past the end).
fn first_bit(s: &[u8], bit: u8) -> i64 {
    let skip = if bit == 1 { 0u8 } else { 0xff };
    match s.iter().enumerate().find(|&(_, &b)| b != skip) {
        Some((i, &b)) => {
            let within = if bit == 1 { b.leading_zeros() } else { b.leading_ones() };
            i as i64 * 8 + within as i64
        }
        None if bit == 1 => -1,
        None => s.len() as i64 * 8,
    }
}

/// BITPOS key bit [start [end [BYTE|BIT]]]
fn bitpos(ctx: &mut Ctx, a: Args) -> Result<Reply> {
    let &[_, key, bit, ref rest @ ..] = a.all() else { return Err(error::wrong_arity("bitpos")) };
    let bit = match num::parse_i64(bit) {
        Some(b @ (0 | 1)) => b as u8,
        Some(_) => return Err(error::BIT_ARG),
        None => return Err(error::NOT_INTEGER),
    };
    let Some(s) = read_bytes(ctx, key)? else {
        return Ok(Reply::Int(if bit == 1 { -1 } else { 0 }));
    };
    let strlen = s.len() as i64;
    let mut end_given = false;
    let r = match *rest {
        [start, ref more @ ..] if more.len() <= 2 => {
            let start = args::parse_i64(start)?;
            let isbit = match more {
                [_, unit] => bit_or_byte(unit)?,
                _ => false,
            };
            let end = match more.first() {
                Some(end) => {
                    end_given = true;
                    args::parse_i64(end)?
                }
                None if isbit => (strlen << 3) + 7,
                None => strlen - 1,
            };
            clamp_range(start, end, strlen, isbit)
        }
        [] => Range { start: 0, end: strlen - 1, first_mask: 0, last_mask: 0 },
        _ => return Err(error::SYNTAX),
    };
    if r.start > r.end {
        return Ok(Reply::Int(-1));
    }
    let byte = |i: i64| s.get(i as usize).copied().unwrap_or(0);
    let (mut start, mut bytes) = (r.start, r.end - r.start + 1);
    let pos = 'found: {
        if r.first_mask != 0 {
            let mut t = if bit == 1 { byte(start) & !r.first_mask } else { byte(start) | r.first_mask };
            if r.last_mask != 0 && bytes == 1 {
                t = if bit == 1 { t & !r.last_mask } else { t | r.last_mask };
            }
            let pos = first_bit(&[t], bit);
            if bytes == 1 || (pos != -1 && pos != 8) {
                break 'found pos;
            }
            start += 1;
            bytes -= 1;
        }
        let cur = bytes - (r.last_mask != 0) as i64;
        if cur > 0 {
            let slice = s.get(start as usize..(start + cur) as usize).unwrap_or(&[]);
            let pos = first_bit(slice, bit);
            if bytes == cur || (pos != -1 && pos != cur << 3) {
                break 'found pos;
            }
            start += cur;
            bytes -= cur;
        }
        let t = if bit == 1 { byte(r.end) & !r.last_mask } else { byte(r.end) | r.last_mask };
        first_bit(&[t], bit)
    };
    if end_given && bit == 0 && pos == bytes << 3 {
        return Ok(Reply::Int(-1));
    }
    Ok(Reply::Int(if pos != -1 { pos + (start << 3) } else { pos }))
}

/// BITOP AND|OR|XOR|NOT destkey key [key ...]
fn bitop(ctx: &mut Ctx, a: Args) -> Result<Reply> {
    #[derive(PartialEq)]
    enum Op {
        And,
        Or,
        Xor,
        Not,
    }
    let &[_, op, dest, ref keys @ ..] = a.all() else { return Err(error::wrong_arity("bitop")) };
    let op = match op.to_ascii_lowercase().as_slice() {
        b"and" => Op::And,
        b"or" => Op::Or,
        b"xor" => Op::Xor,
        b"not" => Op::Not,
        _ => return Err(error::SYNTAX),
    };
    if op == Op::Not && a.len() != 4 {
        return Err(error::BITOP_NOT_ONE_KEY);
    }
    let mut srcs: Vec<Vec<u8>> = Vec::with_capacity(keys.len());
    for key in keys {
        srcs.push(read_bytes(ctx, key)?.unwrap_or_default());
    }
    let maxlen = srcs.iter().map(|s| s.len()).max().unwrap_or(0);
    if maxlen == 0 {
        if ctx.delete_key(dest) {
            ctx.notify(notify::GENERIC, "del", dest);
        }
        return Ok(Reply::Int(0));
    }
    let mut res = Ctx::try_zeroed(maxlen)?;
    let at = |s: &Vec<u8>, j: usize| s.get(j).copied().unwrap_or(0);
    for (j, out) in res.iter_mut().enumerate() {
        let mut v = srcs.first().map_or(0, |s| at(s, j));
        match op {
            Op::Not => v = !v,
            Op::And => srcs.iter().skip(1).for_each(|s| v &= at(s, j)),
            Op::Or => srcs.iter().skip(1).for_each(|s| v |= at(s, j)),
            Op::Xor => srcs.iter().skip(1).for_each(|s| v ^= at(s, j)),
        }
        *out = v;
    }
    ctx.set_key(dest, Value::Raw(res), false);
    ctx.notify(notify::STRING, "set", dest);
    Ok(Reply::Int(maxlen as i64))
}

#[derive(Clone, Copy, PartialEq)]
enum Overflow {
    Wrap,
    Sat,
    Fail,
}

struct FieldOp {
    set: Option<bool>, // None = GET, Some(false) = SET, Some(true) = INCRBY
    signed: bool,
    bits: u32,
    offset: u64,
    value: i64,
    overflow: Overflow,
}

fn field_type(arg: &[u8]) -> Result<(bool, u32)> {
    // Redis reads the width as a C string: it stops at a NUL byte.
    let arg = arg.split(|&b| b == 0).next().unwrap_or(&[]);
    let (signed, width) = match arg.split_first() {
        Some((b'i', width)) => (true, width),
        Some((b'u', width)) => (false, width),
        _ => return Err(error::BITFIELD_TYPE),
    };
    match num::parse_i64(width) {
        Some(b) if b >= 1 && b <= if signed { 64 } else { 63 } => Ok((signed, b as u32)),
        _ => Err(error::BITFIELD_TYPE),
    }
}

fn get_field(buf: &[u8], offset: u64, bits: u32, signed: bool) -> i64 {
    let mut v: u64 = 0;
    for i in 0..bits as u64 {
        let o = offset + i;
        let b = byte_of(o).and_then(|(i, _)| buf.get(i)).copied().unwrap_or(0);
        v = (v << 1) | ((b >> (7 - (o & 7))) & 1) as u64;
    }
    if signed && bits < 64 && v & (1u64 << (bits - 1)) != 0 {
        v |= u64::MAX << bits;
    }
    v as i64
}

fn set_field(buf: &mut [u8], offset: u64, bits: u32, value: u64) {
    for i in 0..bits as u64 {
        let bit = (value >> (bits as u64 - 1 - i)) & 1;
        let o = offset + i;
        if let Some(b) = byte_of(o).and_then(|(i, _)| buf.get_mut(i)) {
            let shift = 7 - (o & 7);
            *b = (*b & !(1 << shift)) | ((bit as u8) << shift);
        }
    }
}

/// Redis's overflow checks: Some(result) when `value + incr` does not fit.
fn unsigned_overflow(value: u64, incr: i64, bits: u32, ow: Overflow) -> Option<u64> {
    let max = if bits == 64 { u64::MAX } else { (1u64 << bits) - 1 };
    let maxincr = max.wrapping_sub(value) as i64;
    let minincr = value.wrapping_neg() as i64;
    let wrap = || value.wrapping_add(incr as u64) & !(u64::MAX.checked_shl(bits).unwrap_or(0));
    if value > max || (incr > 0 && incr > maxincr) {
        Some(if ow == Overflow::Sat { max } else { wrap() })
    } else if incr < 0 && incr < minincr {
        Some(if ow == Overflow::Sat { 0 } else { wrap() })
    } else {
        None
    }
}

fn signed_overflow(value: i64, incr: i64, bits: u32, ow: Overflow) -> Option<i64> {
    let max = if bits == 64 { i64::MAX } else { (1i64 << (bits - 1)) - 1 };
    let min = -max - 1;
    let maxincr = (max as u64).wrapping_sub(value as u64) as i64;
    let minincr = min.wrapping_sub(value);
    let wrap = || {
        let mut c = (value as u64).wrapping_add(incr as u64);
        if bits < 64 {
            let mask = u64::MAX << bits;
            if c & (1u64 << (bits - 1)) != 0 {
                c |= mask;
            } else {
                c &= !mask;
            }
        }
        c as i64
    };
    if value > max || (bits != 64 && incr > maxincr) || (value >= 0 && incr > 0 && incr > maxincr) {
        Some(if ow == Overflow::Sat { max } else { wrap() })
    } else if value < min || (bits != 64 && incr < minincr) || (value < 0 && incr < 0 && incr < minincr) {
        Some(if ow == Overflow::Sat { min } else { wrap() })
    } else {
        None
    }
}

/// BITFIELD key [GET type offset | SET type offset value | INCRBY type offset increment | OVERFLOW WRAP|SAT|FAIL ...]
fn bitfield(ctx: &mut Ctx, a: Args) -> Result<Reply> {
    bitfield_generic(ctx, a, false)
}

/// BITFIELD_RO key [GET type offset ...]
fn bitfield_ro(ctx: &mut Ctx, a: Args) -> Result<Reply> {
    bitfield_generic(ctx, a, true)
}

fn bitfield_generic(ctx: &mut Ctx, a: Args, ro: bool) -> Result<Reply> {
    let &[_, key, ref rest @ ..] = a.all() else { return Err(error::wrong_arity("bitfield")) };
    let mut ops = Vec::new();
    let mut overflow = Overflow::Wrap;
    let mut highest: Option<u64> = None;
    let mut rest = rest;
    while let [sub, tail @ ..] = rest {
        let (set, ty, off, val, next) = match tail {
            [ty, off, next @ ..] if sub.eq_ignore_ascii_case(b"get") => (None, ty, off, None, next),
            [ty, off, v, next @ ..] if sub.eq_ignore_ascii_case(b"set") => (Some(false), ty, off, Some(v), next),
            [ty, off, v, next @ ..] if sub.eq_ignore_ascii_case(b"incrby") => (Some(true), ty, off, Some(v), next),
            [t, next @ ..] if sub.eq_ignore_ascii_case(b"overflow") => {
                overflow = if t.eq_ignore_ascii_case(b"wrap") {
                    Overflow::Wrap
                } else if t.eq_ignore_ascii_case(b"sat") {
                    Overflow::Sat
                } else if t.eq_ignore_ascii_case(b"fail") {
                    Overflow::Fail
                } else {
                    return Err(error::BITFIELD_OVERFLOW_TYPE);
                };
                rest = next;
                continue;
            }
            _ => return Err(error::SYNTAX),
        };
        let (signed, bits) = field_type(ty)?;
        let offset = bit_offset(ctx, off, Some(bits))?;
        let mut value = 0;
        if let Some(v) = val {
            let last = offset + bits as u64 - 1;
            highest = Some(highest.map_or(last, |h| h.max(last)));
            value = args::parse_i64(v)?;
        }
        ops.push(FieldOp { set, signed, bits, offset, value, overflow });
        rest = next;
    }

    let (slot, dirty) = match highest {
        None => {
            let slot = ctx.lookup_read(key);
            if let Some(s) = slot {
                if !ctx.value(s).is_string() {
                    return Err(error::WRONGTYPE);
                }
            }
            (slot, false)
        }
        Some(_) if ro => return Err(error::BITFIELD_RO_GET_ONLY),
        Some(h) => {
            let (_, len) = byte_of(h).ok_or(error::OOM)?;
            let (s, d) = string_for_bits(ctx, key, len)?;
            (Some(s), d)
        }
    };
    let mut replies = Vec::with_capacity(ops.len());
    let mut changes = 0;
    // Values read for GET on an int-encoded string use its decimal form.
    let snapshot: Option<Vec<u8>> = match (highest, slot) {
        (None, Some(s)) => ctx.value(s).as_bytes().map(|b| b.into_owned()),
        _ => None,
    };
    for op in &ops {
        match op.set {
            None => {
                let buf: &[u8] = match (&snapshot, slot) {
                    (Some(b), _) => b,
                    (None, Some(s)) => raw_mut(ctx, s),
                    (None, None) => &[],
                };
                replies.push(Reply::Int(get_field(buf, op.offset, op.bits, op.signed)));
            }
            Some(incr) => {
                let buf = match slot {
                    Some(s) => raw_mut(ctx, s),
                    None => &mut [],
                };
                let old = get_field(buf, op.offset, op.bits, op.signed);
                let (new, ret, over) = if op.signed {
                    if incr {
                        let o = signed_overflow(old, op.value, op.bits, op.overflow);
                        let new = o.unwrap_or(old.wrapping_add(op.value));
                        (new as u64, new, o.is_some())
                    } else {
                        let o = signed_overflow(op.value, 0, op.bits, op.overflow);
                        (o.unwrap_or(op.value) as u64, old, o.is_some())
                    }
                } else {
                    let oldu = old as u64;
                    if incr {
                        let o = unsigned_overflow(oldu, op.value, op.bits, op.overflow);
                        let new = o.unwrap_or(oldu.wrapping_add(op.value as u64));
                        (new, new as i64, o.is_some())
                    } else {
                        let o = unsigned_overflow(op.value as u64, 0, op.bits, op.overflow);
                        (o.unwrap_or(op.value as u64), old, o.is_some())
                    }
                };
                if over && op.overflow == Overflow::Fail {
                    replies.push(Reply::Nil);
                } else {
                    replies.push(Reply::Int(ret));
                    set_field(buf, op.offset, op.bits, new);
                    if dirty || old as u64 != new {
                        changes += 1;
                    }
                }
            }
        }
    }
    if changes > 0 {
        ctx.modified(key);
        ctx.notify(notify::STRING, "setbit", key);
    }
    Ok(Reply::Array(replies))
}
