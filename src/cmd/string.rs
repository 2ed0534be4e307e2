//! Strings and counters, as redis-server 7.0's `t_string.c`.
//!
//! GET SET SETNX SETEX PSETEX GETSET GETDEL GETEX MGET MSET MSETNX APPEND
//! STRLEN GETRANGE SUBSTR SETRANGE LCS INCR DECR INCRBY DECRBY INCRBYFLOAT.
//!
//! Encodings follow Redis: values set whole go through `Value::string`
//! (tryObjectEncoding: int / embstr / raw), APPEND and SETRANGE leave `raw`,
//! counters leave `int`, INCRBYFLOAT leaves embstr/raw (createStringObject).
//! INCRBYFLOAT computes in x87 `long double` (see [`crate::ldouble`]).
#![deny(clippy::indexing_slicing)]

use super::*;
use crate::ldouble::LDouble;

pub(crate) const COMMANDS: &[CommandSpec] = &[
    CommandSpec::new("get", 2, READONLY | FAST, Keys::one(1), "string", get),
    CommandSpec::new("set", -3, WRITE | DENYOOM, Keys::one(1), "string", set),
    CommandSpec::new("setnx", 3, WRITE | DENYOOM | FAST, Keys::one(1), "string", setnx),
    CommandSpec::new("setex", 4, WRITE | DENYOOM, Keys::one(1), "string", setex),
    CommandSpec::new("psetex", 4, WRITE | DENYOOM, Keys::one(1), "string", psetex),
    CommandSpec::new("getset", 3, WRITE | DENYOOM | FAST, Keys::one(1), "string", getset),
    CommandSpec::new("getdel", 2, WRITE | FAST, Keys::one(1), "string", getdel),
    CommandSpec::new("getex", -2, WRITE | FAST, Keys::one(1), "string", getex),
    CommandSpec::new("mget", -2, READONLY | FAST, Keys::range(1, -1, 1), "string", mget),
    CommandSpec::new("mset", -3, WRITE | DENYOOM, Keys::range(1, -1, 2), "string", mset),
    CommandSpec::new("msetnx", -3, WRITE | DENYOOM, Keys::range(1, -1, 2), "string", msetnx),
    CommandSpec::new("append", 3, WRITE | DENYOOM | FAST, Keys::one(1), "string", append),
    CommandSpec::new("strlen", 2, READONLY | FAST, Keys::one(1), "string", strlen),
    CommandSpec::new("getrange", 4, READONLY, Keys::one(1), "string", getrange),
    CommandSpec::new("substr", 4, READONLY, Keys::one(1), "string", getrange),
    CommandSpec::new("setrange", 4, WRITE | DENYOOM, Keys::one(1), "string", setrange),
    CommandSpec::new("lcs", -3, READONLY, Keys::range(1, 2, 1), "string", lcs),
    CommandSpec::new("incr", 2, WRITE | DENYOOM | FAST, Keys::one(1), "string", incr),
    CommandSpec::new("decr", 2, WRITE | DENYOOM | FAST, Keys::one(1), "string", decr),
    CommandSpec::new("incrby", 3, WRITE | DENYOOM | FAST, Keys::one(1), "string", incrby),
    CommandSpec::new("decrby", 3, WRITE | DENYOOM | FAST, Keys::one(1), "string", decrby),
    CommandSpec::new("incrbyfloat", 3, WRITE | DENYOOM | FAST, Keys::one(1), "string", incrbyfloat),
];

// SET / GETEX option flags (Redis's OBJ_* names).
const NX: u32 = 1 << 0;
const XX: u32 = 1 << 1;
const EX: u32 = 1 << 2;
const PX: u32 = 1 << 3;
const KEEPTTL: u32 = 1 << 4;
const GET: u32 = 1 << 5;
const EXAT: u32 = 1 << 6;
const PXAT: u32 = 1 << 7;
const PERSIST: u32 = 1 << 8;
const ANY_EXPIRE: u32 = EX | PX | EXAT | PXAT;

/// An argument as C sees it (`char *`): up to its first NUL byte.
fn cword(b: &[u8]) -> &[u8] {
    b.iter().position(|&c| c == 0).and_then(|i| b.get(..i)).unwrap_or(b)
}

fn is_opt(b: &[u8], word: &str) -> bool {
    cword(b).eq_ignore_ascii_case(word.as_bytes())
}

/// Redis's `parseExtendedStringArgumentsOrReply`: options from `a[first]` on.
/// Returns the flags and the expire argument, if any.
fn parse_extended<'a>(a: &Args<'a>, first: usize, for_set: bool) -> Result<(u32, Option<&'a [u8]>)> {
    // (word, flag, conflicting flags, takes a value, SET only / GETEX only / both)
    const OPTS: &[(&str, u32, u32, bool, Option<bool>)] = &[
        ("nx", NX, XX, false, Some(true)),
        ("xx", XX, NX, false, Some(true)),
        ("get", GET, 0, false, Some(true)),
        ("keepttl", KEEPTTL, PERSIST | ANY_EXPIRE, false, Some(true)),
        ("persist", PERSIST, ANY_EXPIRE | KEEPTTL, false, Some(false)),
        ("ex", EX, KEEPTTL | PERSIST | EXAT | PX | PXAT, true, None),
        ("px", PX, KEEPTTL | PERSIST | EX | EXAT | PXAT, true, None),
        ("exat", EXAT, KEEPTTL | PERSIST | EX | PX | PXAT, true, None),
        ("pxat", PXAT, KEEPTTL | PERSIST | EX | EXAT | PX, true, None),
    ];
    let mut flags = 0u32;
    let mut expire = None;
    let mut rest = a.from(first).iter();
    while let Some(&opt) = rest.next() {
        let next = rest.as_slice().first().copied();
        let found = OPTS.iter().find(|&&(word, _, conflicts, takes, only)| {
            is_opt(opt, word)
                && flags & conflicts == 0
                && only.is_none_or(|s| s == for_set)
                && (!takes || next.is_some())
        });
        let Some(&(_, flag, _, takes, _)) = found else { return err(error::SYNTAX) };
        flags |= flag;
        if takes {
            expire = next;
            rest.next();
        }
    }
    Ok((flags, expire))
}

/// Redis's `getExpireMillisecondsOrReply`: the absolute expiry in Unix ms.
fn expire_at_ms(ctx: &Ctx, arg: &[u8], flags: u32, cmd: &str) -> Result<i64> {
    let mut ms = crate::args::parse_i64(arg)?;
    let seconds = flags & (EX | EXAT) != 0;
    if ms <= 0 || (seconds && ms > i64::MAX / 1000) {
        return Err(error::invalid_expire(cmd));
    }
    if seconds {
        ms *= 1000;
    }
    if flags & (EX | PX) != 0 {
        ms = ms.wrapping_add(ctx.now);
    }
    if ms <= 0 {
        return Err(error::invalid_expire(cmd));
    }
    Ok(ms)
}

/// Redis's `setGenericCommand`. `replies` = (done, aborted) when not OK / nil.
fn set_generic(
    ctx: &mut Ctx,
    key: &[u8],
    val: &[u8],
    flags: u32,
    expire: Option<&[u8]>,
    cmd: &str,
    replies: Option<(Reply, Reply)>,
) -> Result<Reply> {
    let at = match expire {
        Some(e) => Some(expire_at_ms(ctx, e, flags, cmd)?),
        None => None,
    };
    let old = if flags & GET != 0 { Some(Reply::opt_bulk(ctx.read_string(key)?)) } else { None };
    // set_key looks the key up again: only NX/XX need to know first.
    let found = flags & (NX | XX) != 0 && ctx.lookup_write(key).is_some();
    if (flags & NX != 0 && found) || (flags & XX != 0 && !found) {
        return Ok(old.unwrap_or_else(|| replies.map_or(Reply::Nil, |r| r.1)));
    }
    let slot = ctx.set_string(key, val, flags & KEEPTTL != 0, at);
    ctx.notify(notify::STRING, "set", key);
    if let Some(at) = at {
        ctx.set_expire(slot, at);
        ctx.notify(notify::GENERIC, "expire", key);
    }
    Ok(old.unwrap_or_else(|| replies.map_or(Reply::OK, |r| r.0)))
}

/// The typed `db.set(key, value[, "EX" | "PX", ttl])` of the JS package
/// (the wasm binding's `Conn::set_typed`): runs `SET key value [EX|PX ttl]`
/// through the same handler, memory check, MULTI queueing and counters as the
/// generic path, only without building and parsing a request or resolving
/// the name. `ttl` is `(milliseconds?, amount)`.
pub fn typed_set(srv: &mut Server, client: &mut Client, key: &[u8], val: &[u8], ttl: Option<(bool, i64)>) -> Reply {
    static SPEC: OnceLock<Option<&'static CommandSpec>> = OnceLock::new();
    let Some(spec) = *SPEC.get_or_init(|| COMMANDS.iter().find(|c| c.name == "set")) else {
        return Reply::Error(error::BAD_REQUEST); // unreachable: SET is in the table above
    };
    let Some((ms, n)) = ttl else {
        return srv.execute_resolved(client, spec, &[b"set", key, val]);
    };
    let mut digits = [0u8; 20];
    let amount = decimal(n, &mut digits);
    srv.execute_resolved(client, spec, &[b"set", key, val, if ms { b"PX" } else { b"EX" }, amount])
}

/// `n` in decimal, written at the end of `buf` (20 bytes hold any i64).
fn decimal(n: i64, buf: &mut [u8; 20]) -> &[u8] {
    let mut v = n.unsigned_abs();
    let mut i = buf.len();
    for d in buf.iter_mut().rev() {
        *d = b'0' + (v % 10) as u8;
        i -= 1;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    // 19 digits at most for an i64, so the sign has its byte.
    if let Some(d) = i.checked_sub(1).filter(|_| n < 0).and_then(|j| buf.get_mut(j)) {
        *d = b'-';
        i -= 1;
    }
    buf.get(i..).unwrap_or(&[])
}

/// GET key
fn get(ctx: &mut Ctx, a: Args) -> Result<Reply> {
    let &[_, key] = a.all() else { return Err(error::wrong_arity("get")) };
    Ok(Reply::opt_bulk(ctx.read_string(key)?))
}

/// SET key value [NX | XX] [GET] [EX seconds | PX milliseconds |
///     EXAT unix-time-seconds | PXAT unix-time-milliseconds | KEEPTTL]
fn set(ctx: &mut Ctx, a: Args) -> Result<Reply> {
    let &[_, key, val, ..] = a.all() else { return Err(error::wrong_arity("set")) };
    let (flags, expire) = parse_extended(&a, 3, true)?;
    set_generic(ctx, key, val, flags, expire, "set", None)
}

/// SETNX key value
fn setnx(ctx: &mut Ctx, a: Args) -> Result<Reply> {
    let &[_, key, val] = a.all() else { return Err(error::wrong_arity("setnx")) };
    set_generic(ctx, key, val, NX, None, "setnx", Some((Reply::Int(1), Reply::Int(0))))
}

/// SETEX key seconds value
fn setex(ctx: &mut Ctx, a: Args) -> Result<Reply> {
    let &[_, key, secs, val] = a.all() else { return Err(error::wrong_arity("setex")) };
    set_generic(ctx, key, val, EX, Some(secs), "setex", None)
}

/// PSETEX key milliseconds value
fn psetex(ctx: &mut Ctx, a: Args) -> Result<Reply> {
    let &[_, key, ms, val] = a.all() else { return Err(error::wrong_arity("psetex")) };
    set_generic(ctx, key, val, PX, Some(ms), "psetex", None)
}

/// GETSET key value
fn getset(ctx: &mut Ctx, a: Args) -> Result<Reply> {
    let &[_, key, val] = a.all() else { return Err(error::wrong_arity("getset")) };
    let old = ctx.read_string(key)?;
    ctx.set_key(key, Value::string(val.to_vec()), false);
    ctx.notify(notify::STRING, "set", key);
    Ok(Reply::opt_bulk(old))
}

/// GETDEL key
fn getdel(ctx: &mut Ctx, a: Args) -> Result<Reply> {
    let &[_, key] = a.all() else { return Err(error::wrong_arity("getdel")) };
    let old = ctx.read_string(key)?;
    if old.is_some() && ctx.delete_key(key) {
        ctx.notify(notify::GENERIC, "del", key);
    }
    Ok(Reply::opt_bulk(old))
}

/// GETEX key [EX seconds | PX milliseconds | EXAT unix-time-seconds |
///     PXAT unix-time-milliseconds | PERSIST]
fn getex(ctx: &mut Ctx, a: Args) -> Result<Reply> {
    let &[_, key, ..] = a.all() else { return Err(error::wrong_arity("getex")) };
    let (flags, expire) = parse_extended(&a, 2, false)?;
    let Some(slot) = ctx.lookup_read(key) else { return Ok(Reply::Nil) };
    let Some(val) = ctx.value(slot).as_bytes().map(|b| b.into_owned()) else {
        return Err(error::WRONGTYPE);
    };
    let at = match expire {
        Some(e) => Some(expire_at_ms(ctx, e, flags, "getex")?),
        None => None,
    };
    match at {
        Some(at) if flags & (EXAT | PXAT) != 0 && at <= ctx.now => {
            ctx.delete_key(key);
            ctx.notify(notify::GENERIC, "del", key);
        }
        Some(at) => {
            ctx.set_expire(slot, at);
            ctx.modified(key);
            ctx.notify(notify::GENERIC, "expire", key);
        }
        None if flags & PERSIST != 0 && ctx.db_ref().expire_of(slot).is_some() => {
            ctx.db().set_expire(slot, None);
            ctx.modified(key);
            ctx.notify(notify::GENERIC, "persist", key);
        }
        None => {}
    }
    Ok(Reply::Bulk(val))
}

/// MGET key [key ...]
fn mget(ctx: &mut Ctx, a: Args) -> Result<Reply> {
    if let Some(out) = ctx.srv.direct.take() {
        return Ok(mget_direct(ctx, a, out));
    }
    let mut out = Vec::with_capacity(a.len().saturating_sub(1));
    for key in a.from(1) {
        let v = ctx.lookup_read(key).and_then(|slot| ctx.db_ref().string_bytes(slot).map(|b| b.into_owned()));
        out.push(Reply::opt_bulk(v));
    }
    Ok(Reply::Array(out))
}

/// MGET writing its compact reply (`Reply::write_compact`'s form) straight into
/// the wasm binding's output buffer: no owned copy per value.
fn mget_direct(ctx: &mut Ctx, a: Args, mut out: Vec<u8>) -> Reply {
    let keys = a.from(1);
    let at = out.len();
    out.push(b'*');
    out.extend_from_slice(&(keys.len() as u32).to_le_bytes());
    let mut ascii = keys.len() > 1;
    for key in keys {
        match ctx.lookup_read(key).and_then(|slot| ctx.db_ref().string_bytes(slot)) {
            Some(b) => {
                ascii = ascii && b.is_ascii();
                out.push(b'$');
                out.extend_from_slice(&(b.len() as u32).to_le_bytes());
                out.extend_from_slice(&b);
            }
            None => out.push(b'_'),
        }
    }
    if ascii {
        if let Some(t) = out.get_mut(at) {
            *t = b'#';
        }
    }
    ctx.srv.direct = Some(out);
    ctx.srv.direct_written = true;
    Reply::Nil // not written: the binding sees `direct_written`
}

fn mset_generic(ctx: &mut Ctx, a: Args, nx: bool, name: &str) -> Result<Reply> {
    if a.len() % 2 == 0 {
        return Err(error::wrong_arity(name));
    }
    let pairs = a.from(1);
    if nx && pairs.chunks(2).any(|p| p.first().is_some_and(|k| ctx.lookup_write(k).is_some())) {
        return Ok(Reply::Int(0));
    }
    for p in pairs.chunks(2) {
        if let [k, v] = p {
            ctx.set_string(k, v, false, None);
            ctx.notify(notify::STRING, "set", k);
        }
    }
    Ok(if nx { Reply::Int(1) } else { Reply::OK })
}

/// MSET key value [key value ...]
fn mset(ctx: &mut Ctx, a: Args) -> Result<Reply> {
    mset_generic(ctx, a, false, "mset")
}

/// MSETNX key value [key value ...]
fn msetnx(ctx: &mut Ctx, a: Args) -> Result<Reply> {
    mset_generic(ctx, a, true, "msetnx")
}

/// Redis's `checkStringLength`: `size + append` must fit `proto-max-bulk-len`.
fn check_string_length(ctx: &Ctx, size: i128, append: i128) -> Result<()> {
    if size + append > ctx.srv.config.proto_max_bulk_len as i128 {
        return Err(error::STRING_TOO_LONG);
    }
    Ok(())
}

/// The live string at `slot` as an in-place-modifiable raw buffer (WRONGTYPE otherwise).
fn raw_string<'c>(ctx: &'c mut Ctx, slot: usize) -> Result<&'c mut Vec<u8>> {
    ctx.value_mut(slot).make_raw().ok_or(error::WRONGTYPE)
}

/// APPEND key value
fn append(ctx: &mut Ctx, a: Args) -> Result<Reply> {
    let &[_, key, add] = a.all() else { return Err(error::wrong_arity("append")) };
    let total = match ctx.lookup_write(key) {
        None => {
            ctx.add_key(key, Value::string(add.to_vec()));
            add.len()
        }
        Some(slot) => {
            let Some(len) = ctx.value(slot).str_len() else { return Err(error::WRONGTYPE) };
            check_string_length(ctx, len as i128, add.len() as i128)?;
            let buf = raw_string(ctx, slot)?;
            buf.try_reserve(add.len()).map_err(|_| error::OOM)?;
            buf.extend_from_slice(add);
            buf.len()
        }
    };
    ctx.modified(key);
    ctx.notify(notify::STRING, "append", key);
    Ok(Reply::Int(total as i64))
}

/// STRLEN key
fn strlen(ctx: &mut Ctx, a: Args) -> Result<Reply> {
    let &[_, key] = a.all() else { return Err(error::wrong_arity("strlen")) };
    match ctx.lookup_read(key) {
        None => Ok(Reply::Int(0)),
        Some(slot) => ctx.value(slot).str_len().map(|n| Reply::Int(n as i64)).ok_or(error::WRONGTYPE),
    }
}

/// GETRANGE key start end (also SUBSTR key start end)
fn getrange(ctx: &mut Ctx, a: Args) -> Result<Reply> {
    let &[_, key, ..] = a.all() else { return Err(error::wrong_arity("getrange")) };
    let start = a.i64(2)?;
    let end = a.i64(3)?;
    let Some(s) = ctx.read_string(key)? else { return Ok(Reply::bulk(Vec::new())) };
    if start < 0 && end < 0 && start > end {
        return Ok(Reply::bulk(Vec::new()));
    }
    let len = s.len() as i128;
    let (mut start, mut end) = (start as i128, end as i128);
    if start < 0 {
        start += len;
    }
    if end < 0 {
        end += len;
    }
    start = start.max(0);
    end = end.max(0);
    if end >= len {
        end = len - 1;
    }
    if start > end || len == 0 {
        return Ok(Reply::bulk(Vec::new()));
    }
    Ok(Reply::bulk(s.get(start as usize..=end as usize).unwrap_or(&[]).to_vec()))
}

/// SETRANGE key offset value
fn setrange(ctx: &mut Ctx, a: Args) -> Result<Reply> {
    let &[_, key, offset, value] = a.all() else { return Err(error::wrong_arity("setrange")) };
    let offset = crate::args::parse_i64(offset)?;
    if offset < 0 {
        return Err(error::OFFSET_OUT_OF_RANGE);
    }
    let slot = match ctx.lookup_write(key) {
        None => {
            if value.is_empty() {
                return Ok(Reply::Int(0));
            }
            check_string_length(ctx, offset as i128, value.len() as i128)?;
            let total = usize::try_from(offset).ok().and_then(|o| o.checked_add(value.len())).ok_or(error::OOM)?;
            let buf = Ctx::try_zeroed(total)?;
            ctx.add_key(key, Value::Raw(buf))
        }
        Some(slot) => {
            let Some(len) = ctx.value(slot).str_len() else { return Err(error::WRONGTYPE) };
            if value.is_empty() {
                return Ok(Reply::Int(len as i64));
            }
            check_string_length(ctx, offset as i128, value.len() as i128)?;
            slot
        }
    };
    let off = usize::try_from(offset).map_err(|_| error::OOM)?;
    let end = off.checked_add(value.len()).ok_or(error::OOM)?;
    let buf = raw_string(ctx, slot)?;
    if buf.len() < end {
        buf.try_reserve(end - buf.len()).map_err(|_| error::OOM)?;
        buf.resize(end, 0);
    }
    if let Some(dst) = buf.get_mut(off..end) {
        dst.copy_from_slice(value);
    }
    let total = buf.len();
    ctx.modified(key);
    ctx.notify(notify::STRING, "setrange", key);
    Ok(Reply::Int(total as i64))
}

/// LCS key1 key2 [LEN] [IDX] [MINMATCHLEN min-match-len] [WITHMATCHLEN]
fn lcs(ctx: &mut Ctx, a: Args) -> Result<Reply> {
    let &[_, ka, kb, ref opts @ ..] = a.all() else { return Err(error::wrong_arity("lcs")) };
    ctx.lookup_read(ka);
    ctx.lookup_read(kb);
    // The second lookup may expire a key and move the first one's slot: find both now.
    let (sa, sb) = (ctx.db_ref().find(ka), ctx.db_ref().find(kb));
    let fetch = |slot: Option<usize>| -> Option<Vec<u8>> {
        match slot {
            None => Some(Vec::new()),
            Some(s) => ctx.value(s).as_bytes().map(|b| b.into_owned()),
        }
    };
    let (Some(x), Some(y)) = (fetch(sa), fetch(sb)) else { return Err(error::LCS_NOT_STRINGS) };
    let (mut getlen, mut getidx, mut withmatchlen, mut minmatchlen) = (false, false, false, 0i64);
    let mut opts = opts.iter();
    while let Some(&opt) = opts.next() {
        if is_opt(opt, "idx") {
            getidx = true;
        } else if is_opt(opt, "len") {
            getlen = true;
        } else if let (true, Some(&n)) = (is_opt(opt, "minmatchlen"), opts.as_slice().first()) {
            minmatchlen = crate::args::parse_i64(n)?.max(0);
            opts.next();
        } else if is_opt(opt, "withmatchlen") {
            withmatchlen = true;
        } else {
            return Err(error::SYNTAX);
        }
    }
    if getlen && getidx {
        return Err(error::LCS_IDX_LEN);
    }
    let (alen, blen) = (x.len(), y.len());
    let cells = (alen as u128 + 1) * (blen as u128 + 1);
    if cells * 4 > ctx.srv.config.proto_max_bulk_len.max(0) as u128 {
        return Err(error::LCS_TOO_LONG);
    }
    let cells = usize::try_from(cells).map_err(|_| error::LCS_ALLOC_FAILED)?;
    let mut t: Vec<u32> = Vec::new();
    t.try_reserve_exact(cells).map_err(|_| error::LCS_ALLOC_FAILED)?;
    t.resize(cells, 0);
    let w = blen + 1;
    let at = |t: &[u32], i: usize, j: usize| t.get(i * w + j).copied().unwrap_or(0);
    for i in 1..=alen {
        for j in 1..=blen {
            let v = if x.get(i - 1) == y.get(j - 1) {
                at(&t, i - 1, j - 1).saturating_add(1)
            } else {
                at(&t, i - 1, j).max(at(&t, i, j - 1))
            };
            if let Some(c) = t.get_mut(i * w + j) {
                *c = v;
            }
        }
    }
    let total = at(&t, alen, blen);
    if getlen {
        return Ok(Reply::Int(total as i64));
    }
    // Walk back from the end, as Redis does, collecting the string and the ranges.
    let mut result: Vec<u8> = Vec::new();
    result.try_reserve_exact(total as usize).map_err(|_| error::LCS_ALLOC_FAILED)?;
    result.resize(total as usize, 0);
    let mut idx = total as usize;
    let mut matches = Vec::new();
    let (mut i, mut j) = (alen, blen);
    let (mut a_start, mut a_end, mut b_start, mut b_end) = (alen, 0usize, 0usize, 0usize);
    while i > 0 && j > 0 {
        let mut emit = false;
        if x.get(i - 1) == y.get(j - 1) {
            if let (Some(r), Some(&c)) = (result.get_mut(idx.wrapping_sub(1)), x.get(i - 1)) {
                *r = c;
            }
            if a_start == alen {
                (a_start, a_end, b_start, b_end) = (i - 1, i - 1, j - 1, j - 1);
            } else if a_start == i && b_start == j {
                a_start -= 1;
                b_start -= 1;
            } else {
                emit = true;
            }
            if a_start == 0 || b_start == 0 {
                emit = true;
            }
            idx = idx.saturating_sub(1);
            i -= 1;
            j -= 1;
        } else {
            if at(&t, i - 1, j) > at(&t, i, j - 1) {
                i -= 1;
            } else {
                j -= 1;
            }
            if a_start != alen {
                emit = true;
            }
        }
        if emit {
            let match_len = (a_end as i64) - (a_start as i64) + 1;
            if getidx && (minmatchlen == 0 || match_len >= minmatchlen) {
                let mut m = vec![
                    Reply::Array(vec![Reply::Int(a_start as i64), Reply::Int(a_end as i64)]),
                    Reply::Array(vec![Reply::Int(b_start as i64), Reply::Int(b_end as i64)]),
                ];
                if withmatchlen {
                    m.push(Reply::Int(match_len));
                }
                matches.push(Reply::Array(m));
            }
            a_start = alen;
        }
    }
    if getidx {
        return Ok(Reply::Array(vec![
            Reply::bulk_str("matches"),
            Reply::Array(matches),
            Reply::bulk_str("len"),
            Reply::Int(total as i64),
        ]));
    }
    Ok(Reply::Bulk(result))
}

/// Redis's `incrDecrCommand`.
fn incr_decr(ctx: &mut Ctx, key: &[u8], incr: i64) -> Result<Reply> {
    let slot = ctx.lookup_write(key);
    let old = match slot {
        None => 0,
        Some(s) => match ctx.value(s) {
            Value::Int(n) => *n,
            v => {
                let b = v.as_bytes().ok_or(error::WRONGTYPE)?;
                num::parse_i64(&b).ok_or(error::NOT_INTEGER)?
            }
        },
    };
    let new = old.checked_add(incr).ok_or(error::OVERFLOW)?;
    match slot {
        Some(s) => *ctx.value_mut(s) = Value::Int(new),
        None => {
            ctx.add_key(key, Value::Int(new));
        }
    }
    ctx.modified(key);
    ctx.notify(notify::STRING, "incrby", key);
    Ok(Reply::Int(new))
}

/// INCR key
fn incr(ctx: &mut Ctx, a: Args) -> Result<Reply> {
    let &[_, key] = a.all() else { return Err(error::wrong_arity("incr")) };
    incr_decr(ctx, key, 1)
}

/// DECR key
fn decr(ctx: &mut Ctx, a: Args) -> Result<Reply> {
    let &[_, key] = a.all() else { return Err(error::wrong_arity("decr")) };
    incr_decr(ctx, key, -1)
}

/// INCRBY key increment
fn incrby(ctx: &mut Ctx, a: Args) -> Result<Reply> {
    let &[_, key, by] = a.all() else { return Err(error::wrong_arity("incrby")) };
    let by = crate::args::parse_i64(by)?;
    incr_decr(ctx, key, by)
}

/// DECRBY key decrement
fn decrby(ctx: &mut Ctx, a: Args) -> Result<Reply> {
    let &[_, key, by] = a.all() else { return Err(error::wrong_arity("decrby")) };
    let by = crate::args::parse_i64(by)?;
    if by == i64::MIN {
        return Err(error::DECREMENT_OVERFLOW);
    }
    incr_decr(ctx, key, -by)
}

/// INCRBYFLOAT key increment
fn incrbyfloat(ctx: &mut Ctx, a: Args) -> Result<Reply> {
    let &[_, key, by] = a.all() else { return Err(error::wrong_arity("incrbyfloat")) };
    let slot = ctx.lookup_write(key);
    let old = match slot {
        None => LDouble::ZERO,
        Some(s) => match ctx.value(s) {
            Value::Int(n) => LDouble::from_i64(*n),
            v => {
                let b = v.as_bytes().ok_or(error::WRONGTYPE)?;
                LDouble::parse(&b).ok_or(error::NOT_FLOAT)?
            }
        },
    };
    let by = LDouble::parse(by).ok_or(error::NOT_FLOAT)?;
    let sum = old.plus(by);
    let text = match sum.is_finite().then(|| sum.to_human()).flatten() {
        Some(t) => t.into_bytes(),
        None => return Err(error::NAN_OR_INF),
    };
    let val = Value::plain_string(text.clone());
    match slot {
        Some(s) => *ctx.value_mut(s) = val,
        None => {
            ctx.add_key(key, val);
        }
    }
    ctx.modified(key);
    ctx.notify(notify::STRING, "incrbyfloat", key);
    Ok(Reply::Bulk(text))
}

#[cfg(test)]
mod tests {
    #[test]
    fn decimal_writes_every_i64() {
        for n in [0, 1, -1, 9, -10, 1234567890, i64::MAX, i64::MIN, i64::MIN + 1] {
            let mut buf = [0u8; 20];
            assert_eq!(super::decimal(n, &mut buf), n.to_string().as_bytes());
        }
    }
}
