//! Geo: GEOADD GEOPOS GEODIST GEOHASH GEOSEARCH GEOSEARCHSTORE GEORADIUS
//! GEORADIUS_RO GEORADIUSBYMEMBER GEORADIUSBYMEMBER_RO, as Redis 7.0's
//! `geo.c`, plus Valkey 9's `GEOSEARCH ... BYPOLYGON n lon lat ...`.
//!
//! Geo keys are sorted sets scored by the 52-bit geohash (types/geohash.rs),
//! so every sorted-set command works on them. Searches produce Redis's hits in
//! Redis's order (types/geoindex.rs prunes cells and uses the set's geo index
//! without changing either), then sort as Redis does: a stable merge sort
//! (glibc `qsort`) for the whole result, `pqsort` when COUNT cuts it.
//!
//! BYPOLYGON answers as Valkey 9 does for simple polygons: edges are straight
//! in lon/lat, containment is the even-odd ray test (half-open on edges, as
//! Valkey's), the distance is measured from the centroid (the direction of
//! the sum of the vertices' unit vectors), the 9 cells come from the
//! vertices' lon/lat box and the distance to its farthest corner, and
//! FROMMEMBER/FROMLONLAT are a syntax error with it. Unlike Valkey, polygons
//! are validated first (`validate`: finite, at least 3 distinct vertices, a
//! simple ring, using the `geo` crate's segment intersection), so a
//! self-intersecting ring is `ERR invalid polygon: self-intersecting`. The
//! crate's `contains` is not used: its boundary rule differs from Valkey's.
#![deny(clippy::indexing_slicing)]

use super::zset::{build, store};
use super::*;
use crate::types::geohash::{self as gh, Shape, ShapeKind};
use crate::types::geoindex::{self, Hit};
use crate::types::zset::ZSet;

const W: u32 = WRITE;
const R: u32 = READONLY;

pub(crate) const COMMANDS: &[CommandSpec] = &[
    CommandSpec::new("geoadd", -5, W | DENYOOM, Keys::one(1), "geo", geoadd),
    CommandSpec::new("geodist", -4, R, Keys::one(1), "geo", geodist),
    CommandSpec::new("geohash", -2, R, Keys::one(1), "geo", geohash),
    CommandSpec::new("geopos", -2, R, Keys::one(1), "geo", geopos),
    CommandSpec::new("georadius", -6, W | DENYOOM, Keys::one(1), "geo", georadius),
    CommandSpec::new("georadius_ro", -6, R, Keys::one(1), "geo", georadius_ro),
    CommandSpec::new("georadiusbymember", -5, W | DENYOOM, Keys::one(1), "geo", georadiusbymember),
    CommandSpec::new("georadiusbymember_ro", -5, R, Keys::one(1), "geo", georadiusbymember_ro),
    CommandSpec::new("geosearch", -7, R, Keys::one(1), "geo", geosearch),
    CommandSpec::new("geosearchstore", -8, W | DENYOOM, Keys::range(1, 2, 1), "geo", geosearchstore),
];

/// Sets at least this large try the k-nearest search before the full scan.
pub const GEO_INDEX_MIN: usize = 128;

/// Option keyword test as C's `strcasecmp` sees it (stops at a NUL byte).
fn word(arg: &[u8], w: &str) -> bool {
    arg.split(|&b| b == 0).next().unwrap_or(b"").eq_ignore_ascii_case(w.as_bytes())
}

fn float(arg: &[u8], msg: Option<Error>) -> Result<f64> {
    num::parse_f64(arg).ok_or_else(|| msg.unwrap_or(error::NOT_FLOAT))
}

/// `extractLongLatOrReply`.
fn lonlat(lon: &[u8], lat: &[u8]) -> Result<(f64, f64)> {
    let (x, y) = (float(lon, None)?, float(lat, None)?);
    if !(gh::LON_MIN..=gh::LON_MAX).contains(&x) || !(gh::LAT_MIN..=gh::LAT_MAX).contains(&y) {
        return Err(error::geo_invalid_pair(x, y));
    }
    Ok((x, y))
}

fn unit(u: &[u8]) -> Result<f64> {
    gh::unit(u).ok_or(error::GEO_UNIT)
}

/// `extractDistanceOrReply`: (radius, conversion).
fn radius_arg(r: &[u8], u: &[u8]) -> Result<(f64, f64)> {
    let d = float(r, Some(error::GEO_NEED_RADIUS))?;
    if d < 0.0 {
        return Err(error::GEO_NEGATIVE_RADIUS);
    }
    Ok((d, unit(u)?))
}

impl<'a> Ctx<'a> {
    /// A sorted set slot for reading (WRONGTYPE for other types).
    fn geo_read(&mut self, key: &[u8]) -> Result<Option<usize>> {
        match self.lookup_read(key) {
            None => Ok(None),
            Some(slot) => match self.value(slot) {
                Value::ZSet(_) => Ok(Some(slot)),
                _ => Err(error::WRONGTYPE),
            },
        }
    }
    fn geo_zset(&self, slot: usize) -> Option<&ZSet> {
        match self.value(slot) {
            Value::ZSet(z) => Some(z),
            _ => None,
        }
    }
}

/// GEOADD key [NX|XX] [CH] longitude latitude member [longitude latitude member ...]
fn geoadd(ctx: &mut Ctx, a: Args) -> Result<Reply> {
    let (mut nx, mut xx) = (false, false);
    let mut i = 2;
    while let Some(arg) = a.get(i) {
        if word(arg, "nx") {
            nx = true;
        } else if word(arg, "xx") {
            xx = true;
        } else if !word(arg, "ch") {
            break;
        }
        i += 1;
    }
    if (a.len() - i) % 3 != 0 || (xx && nx) {
        return Err(error::SYNTAX);
    }
    let mut argv: Vec<Vec<u8>> = vec![b"zadd".to_vec()];
    argv.extend(a.all().get(1..i).unwrap_or_default().iter().map(|x| x.to_vec()));
    for t in a.from(i).chunks_exact(3) {
        let &[lon, lat, member] = t else { continue }; // (chunks of exactly 3)
        let (lon, lat) = lonlat(lon, lat)?;
        let score = gh::score_of(lon, lat).unwrap_or(0);
        argv.push(score.to_string().into_bytes());
        argv.push(member.to_vec());
    }
    let refs: Vec<&[u8]> = argv.iter().map(|v| v.as_slice()).collect();
    super::zset::zadd(ctx, Args::new(&refs))
}

/// GEODIST key member1 member2 [M|KM|FT|MI]
fn geodist(ctx: &mut Ctx, a: Args) -> Result<Reply> {
    let conv = match a.len() {
        5 => unit(a.get(4).unwrap_or_default())?,
        n if n > 5 => return Err(error::SYNTAX),
        _ => 1.0,
    };
    let Some(slot) = ctx.geo_read(a.get(1).unwrap_or_default())? else { return Ok(Reply::Nil) };
    let Some(z) = ctx.geo_zset(slot) else { return Ok(Reply::Nil) };
    match (z.score(a.get(2).unwrap_or_default()), z.score(a.get(3).unwrap_or_default())) {
        (Some(s1), Some(s2)) => {
            let (p, q) = (gh::decode_score(s1), gh::decode_score(s2));
            Ok(Reply::Bulk(gh::fmt_distance(gh::distance(p.0, p.1, q.0, q.1) / conv)))
        }
        _ => Ok(Reply::Nil),
    }
}

/// GEOHASH key [member [member ...]]
fn geohash(ctx: &mut Ctx, a: Args) -> Result<Reply> {
    let slot = ctx.geo_read(a.get(1).unwrap_or_default())?;
    let z = slot.and_then(|s| ctx.geo_zset(s));
    let out = a.from(2).iter().map(|m| match z.and_then(|z| z.score(m)) {
        Some(s) => Reply::Bulk(gh::geohash_string(s)),
        None => Reply::Nil,
    });
    Ok(Reply::Array(out.collect()))
}

/// GEOPOS key [member [member ...]]
fn geopos(ctx: &mut Ctx, a: Args) -> Result<Reply> {
    let slot = ctx.geo_read(a.get(1).unwrap_or_default())?;
    let z = slot.and_then(|s| ctx.geo_zset(s));
    let out = a.from(2).iter().map(|m| match z.and_then(|z| z.score(m)) {
        Some(s) => {
            let (lon, lat) = gh::decode_score(s);
            Reply::Array(vec![Reply::Bulk(gh::fmt_coord(lon)), Reply::Bulk(gh::fmt_coord(lat))])
        }
        None => Reply::NilArray,
    });
    Ok(Reply::Array(out.collect()))
}

// ---- searches ----

const COORDS: u8 = 1;
const MEMBER: u8 = 2;
const NOSTORE: u8 = 4;
const SEARCH: u8 = 8;
const SEARCHSTORE: u8 = 16;

#[derive(Clone, Copy, PartialEq)]
enum Sort {
    None,
    Asc,
    Desc,
}

/// A polygon search (Valkey 9's BYPOLYGON).
pub struct Polygon {
    v: Vec<(f64, f64)>,
    /// Distances are measured from here.
    centroid: (f64, f64),
    /// The 9 cells Valkey scans, in its order.
    cells: [Option<gh::Hash>; 9],
}

impl Polygon {
    /// The even-odd rule (crossings of a horizontal ray), straight edges in
    /// lon/lat: what Valkey answers.
    fn contains(&self, x: f64, y: f64) -> bool {
        let mut inside = false;
        // Each vertex with the one before it (the last before the first).
        let Some(&(mut b)) = self.v.last() else { return false };
        for &a in &self.v {
            if (a.1 > y) != (b.1 > y) && x < (b.0 - a.0) * (y - a.1) / (b.1 - a.1) + a.0 {
                inside = !inside;
            }
            b = a;
        }
        inside
    }

    /// A polygon after validation: finite vertices, at least 3 distinct, and
    /// a simple ring; see `validate`.
    pub fn checked(v: Vec<(f64, f64)>) -> Result<Polygon> {
        validate(&v)?;
        Ok(Polygon::new(v))
    }

    /// Valkey's cover: the centroid is the direction of the sum of the
    /// vertices' unit vectors; the box is the vertices' lon/lat box; the
    /// radius the farthest of its corners from the centroid.
    fn new(v: Vec<(f64, f64)>) -> Polygon {
        let d = std::f64::consts::PI / 180.0;
        let (mut x, mut y, mut z) = (0.0, 0.0, 0.0);
        let mut b = [gh::LON_MAX, gh::LAT_MAX, gh::LON_MIN, gh::LAT_MIN];
        for &(lon, lat) in &v {
            b = [b[0].min(lon), b[1].min(lat), b[2].max(lon), b[3].max(lat)];
            x += (lat * d).cos() * (lon * d).cos();
            y += (lat * d).cos() * (lon * d).sin();
            z += (lat * d).sin();
        }
        let (lon, lat) = (y.atan2(x) / d, z.atan2((x * x + y * y).sqrt()) / d);
        let radius = [(b[0], b[3]), (b[2], b[3]), (b[0], b[1]), (b[2], b[1])]
            .iter()
            .map(|c| gh::distance(lon, lat, c.0, c.1))
            .fold(0.0, |m, r| if r > m { r } else { m });
        let cells = gh::cells_for(lon, lat, radius, b);
        Polygon { v, centroid: (lon, lat), cells }
    }
}

/// `georadiusGeneric`.
fn georadius_generic(ctx: &mut Ctx, a: Args, src_idx: usize, flags: u8) -> Result<Reply> {
    let src = a.get(src_idx).unwrap_or_default();
    let slot = ctx.geo_read(src)?;
    let mut storekey: Option<&[u8]> = None;
    let mut storedist = false;
    let mut shape = Shape { lon: 0.0, lat: 0.0, conv: 1.0, kind: ShapeKind::Radius(0.0) };
    let base;
    let member_xy = |ctx: &Ctx, m: &[u8]| -> Result<(f64, f64)> {
        slot.and_then(|s| ctx.geo_zset(s))
            .and_then(|z| z.score(m))
            .map(gh::decode_score)
            .ok_or(error::GEO_DECODE_MEMBER)
    };
    if flags & COORDS != 0 {
        base = 6;
        (shape.lon, shape.lat) = lonlat(a.get(2).unwrap_or_default(), a.get(3).unwrap_or_default())?;
        let (r, conv) = radius_arg(a.get(4).unwrap_or_default(), a.get(5).unwrap_or_default())?;
        shape.kind = ShapeKind::Radius(r);
        shape.conv = conv;
    } else if flags & MEMBER != 0 {
        base = 5;
        if slot.is_some() {
            (shape.lon, shape.lat) = member_xy(ctx, a.get(2).unwrap_or_default())?;
            let (r, conv) = radius_arg(a.get(3).unwrap_or_default(), a.get(4).unwrap_or_default())?;
            shape.kind = ShapeKind::Radius(r);
            shape.conv = conv;
        }
    } else if flags & SEARCHSTORE != 0 {
        base = 3;
        storekey = Some(a.get(1).unwrap_or_default());
    } else {
        base = 2;
    }
    let (mut withdist, mut withhash, mut withcoord, mut any) = (false, false, false, false);
    let (mut frommember, mut fromloc, mut byradius, mut bybox) = (false, false, false, false);
    let mut polygon: Option<Polygon> = None;
    let mut sort = Sort::None;
    let mut count: i64 = 0;
    let search = flags & SEARCH != 0;
    let store_ok = flags & NOSTORE == 0 && !search;
    let remaining = a.len().saturating_sub(base);
    let mut i = 0;
    while i < remaining {
        let arg = a.get(base + i).unwrap_or_default();
        let left = remaining - i - 1;
        if word(arg, "withdist") {
            withdist = true;
        } else if word(arg, "withhash") {
            withhash = true;
        } else if word(arg, "withcoord") {
            withcoord = true;
        } else if word(arg, "any") {
            any = true;
        } else if word(arg, "asc") {
            sort = Sort::Asc;
        } else if word(arg, "desc") {
            sort = Sort::Desc;
        } else if word(arg, "count") && left >= 1 {
            count = a.i64(base + i + 1)?;
            if count <= 0 {
                return Err(error::GEO_COUNT);
            }
            i += 1;
        } else if word(arg, "store") && left >= 1 && store_ok {
            storekey = Some(a.get(base + i + 1).unwrap_or_default());
            storedist = false;
            i += 1;
        } else if word(arg, "storedist") && left >= 1 && store_ok {
            storekey = Some(a.get(base + i + 1).unwrap_or_default());
            storedist = true;
            i += 1;
        } else if word(arg, "storedist") && search && flags & SEARCHSTORE != 0 {
            storedist = true;
        } else if word(arg, "frommember") && left >= 1 && search && !fromloc && polygon.is_none() {
            if slot.is_some() {
                (shape.lon, shape.lat) = member_xy(ctx, a.get(base + i + 1).unwrap_or_default())?;
            }
            frommember = true;
            i += 1;
        } else if word(arg, "fromlonlat") && left >= 2 && search && !frommember && polygon.is_none() {
            (shape.lon, shape.lat) = lonlat(a.get(base + i + 1).unwrap_or_default(), a.get(base + i + 2).unwrap_or_default())?;
            fromloc = true;
            i += 2;
        } else if word(arg, "byradius") && left >= 2 && search && !bybox && polygon.is_none() {
            let (r, conv) = radius_arg(a.get(base + i + 1).unwrap_or_default(), a.get(base + i + 2).unwrap_or_default())?;
            shape.kind = ShapeKind::Radius(r);
            shape.conv = conv;
            byradius = true;
            i += 2;
        } else if word(arg, "bybox") && left >= 3 && search && !byradius && polygon.is_none() {
            let w = float(a.get(base + i + 1).unwrap_or_default(), Some(error::GEO_NEED_WIDTH))?;
            let h = float(a.get(base + i + 2).unwrap_or_default(), Some(error::GEO_NEED_HEIGHT))?;
            if h < 0.0 || w < 0.0 {
                return Err(error::GEO_NEGATIVE_BOX);
            }
            shape.conv = unit(a.get(base + i + 3).unwrap_or_default())?;
            shape.kind = ShapeKind::Box(w, h);
            bybox = true;
            i += 3;
        } else if word(arg, "bypolygon") && left >= 1 && search && !byradius && !bybox && !frommember && !fromloc {
            let n = num::parse_i64(a.get(base + i + 1).unwrap_or_default())
                .filter(|n| i32::try_from(*n).is_ok())
                .ok_or(error::GEO_POLYGON_VERTICES)?;
            if n < 3 || (n as u64).saturating_mul(2) > (left - 1) as u64 {
                return Err(error::GEO_POLYGON_MIN);
            }
            let mut v = Vec::with_capacity(n as usize);
            for k in 0..n as usize {
                let at = base + i + 2 + 2 * k;
                v.push(lonlat(a.get(at).unwrap_or_default(), a.get(at + 1).unwrap_or_default())?);
            }
            polygon = Some(Polygon::checked(v)?);
            i += 1 + 2 * n as usize;
        } else {
            return Err(error::SYNTAX);
        }
        i += 1;
    }
    if storekey.is_some() && (withdist || withhash || withcoord) {
        return Err(if flags & SEARCHSTORE != 0 { error::GEO_STORE_SEARCH } else { error::GEO_STORE_RADIUS });
    }
    let name = String::from_utf8_lossy(a.get(0).unwrap_or_default().split(|&b| b == 0).next().unwrap_or(b"")).into_owned();
    if search && !(frommember || fromloc) && polygon.is_none() {
        return Err(error::geo_need_from(&name));
    }
    if search && !(byradius || bybox) && polygon.is_none() {
        return Err(error::geo_need_by(&name));
    }
    if any && count == 0 {
        return Err(error::GEO_ANY_COUNT);
    }
    let Some(slot) = slot else {
        return match storekey {
            Some(dst) => {
                if ctx.delete_key(dst) {
                    ctx.notify(notify::GENERIC, "del", dst);
                }
                Ok(Reply::Int(0))
            }
            None => Ok(Reply::empty_array()),
        };
    };
    if count != 0 && sort == Sort::None && !any {
        sort = Sort::Asc;
    }
    // The wasm binding lends its output buffer for plain member replies: they
    // are written there directly (as `Reply::write_compact` would), without a
    // Reply per member.
    let mut direct = match storekey.is_none() && !(withdist || withhash || withcoord) {
        true => ctx.srv.direct.take(),
        false => None,
    };
    let Some(z) = ctx.geo_zset(slot) else {
        ctx.srv.direct = direct;
        return Err(error::WRONGTYPE);
    };
    // (usize is 32 bits in wasm: a COUNT above it means "all")
    let count = usize::try_from(count).unwrap_or(usize::MAX);
    // The hits in Redis's scan order, and the positions of the ones to reply
    // with, in reply order.
    let (hits, ord) = match &polygon {
        Some(p) => {
            let h = polygon_hits(z, p, if any { count } else { 0 });
            let ord = order(&h, sort, count);
            (h, ord)
        }
        None => {
            let fast = (sort == Sort::Asc && count > 0 && !any && z.len() >= GEO_INDEX_MIN)
                .then(|| geoindex::nearest(z, &shape, count))
                .flatten();
            match fast {
                Some(h) => {
                    let ord = (0..h.len() as u32).collect();
                    (h, ord)
                }
                None => {
                    let h = geoindex::search(z, &shape, if any { count } else { 0 }, false);
                    let ord = order(&h, sort, count);
                    (h, ord)
                }
            }
        }
    };
    let returned = ord.len();
    let conv = if polygon.is_some() { 1.0 } else { shape.conv };
    if let Some(out) = direct.as_mut() {
        if write_members(out, z, &hits, &ord).is_err() {
            ctx.srv.direct = direct;
            return Err(error::OOM);
        }
        ctx.srv.direct = direct;
        ctx.srv.direct_written = true;
        return Ok(Reply::Nil); // not written: the binding sees `direct_written`
    }
    let picked = || ord.iter().filter_map(|&i| hits.get(i as usize));
    match storekey {
        None => {
            let opts = withdist as usize + withhash as usize + withcoord as usize;
            let mut out = Vec::with_capacity(returned);
            for h in picked() {
                let m = Reply::Bulk(z.node_member(h.node).to_vec());
                if opts == 0 {
                    out.push(m);
                    continue;
                }
                let mut item = Vec::with_capacity(opts + 1);
                item.push(m);
                if withdist {
                    item.push(Reply::Bulk(gh::fmt_distance(h.dist / conv)));
                }
                if withhash {
                    item.push(Reply::Int(h.score as i64));
                }
                if withcoord {
                    item.push(Reply::Array(vec![Reply::Bulk(gh::fmt_coord(h.lon)), Reply::Bulk(gh::fmt_coord(h.lat))]));
                }
                out.push(Reply::Array(item));
            }
            Ok(Reply::Array(out))
        }
        Some(dst) => {
            let items: Vec<(Vec<u8>, f64)> = picked()
                .map(|h| (z.node_member(h.node).to_vec(), if storedist { h.dist / conv } else { h.score }))
                .collect();
            let limits = (ctx.srv.config.zset_max_listpack_entries, ctx.srv.config.zset_max_listpack_value);
            let event = if search { "geosearchstore" } else { "georadiusstore" };
            store(ctx, dst, build(items, limits), event)
        }
    }
}

/// Writes the reply of plain members into the lent output buffer, as
/// `Reply::write_compact` would (`#` for an all-ASCII array of 2 or more).
/// The members are looked up first, in a tight loop so that the reads of
/// their entries (cache misses at random places) overlap, then written into
/// room reserved at once, in fixed-size pieces (in wasm a `memory.copy` per
/// member costs more than the member).
#[inline(never)]
fn write_members(out: &mut Vec<u8>, z: &ZSet, hits: &[Hit], ord: &[u32]) -> std::result::Result<(), ()> {
    let mems = gather(z, hits, ord);
    let total = mems.iter().fold(5usize, |t, m| t.saturating_add(5).saturating_add(m.len()));
    let start = out.len();
    out.try_reserve(total).map_err(|_| ())?;
    out.resize(start.saturating_add(total), 0);
    let Some((head, mut rest)) = out.get_mut(start..).and_then(|b| b.split_first_chunk_mut::<5>()) else { return Err(()) };
    let n = (mems.len() as u32).to_le_bytes();
    *head = [b'*', n[0], n[1], n[2], n[3]];
    let mut high = 0u64;
    for m in &mems {
        let l = (m.len() as u32).to_le_bytes();
        let Some((h, tail)) = rest.split_first_chunk_mut::<5>() else { return Err(()) };
        *h = [b'$', l[0], l[1], l[2], l[3]];
        let Some((body, tail)) = tail.split_at_mut_checked(m.len()) else { return Err(()) };
        high |= put(body, m);
        rest = tail;
    }
    if high == 0 && mems.len() > 1 {
        head[0] = b'#';
    }
    Ok(())
}

/// Copies `src` into `dst` (of the same length) 8, 4, 2 and 1 bytes at a
/// time; the OR of the bytes' high bits (0 when all are ASCII).
#[inline]
fn put(dst: &mut [u8], src: &[u8]) -> u64 {
    macro_rules! piece {
        ($n:literal, $t:ty, $d:ident, $s:ident, $high:ident) => {{
            let Some((s, sr)) = $s.split_first_chunk::<$n>() else { return $high | 0x80 };
            let Some((d, dr)) = std::mem::take(&mut $d).split_first_chunk_mut::<$n>() else { return $high | 0x80 };
            $high |= <$t>::from_le_bytes(*s) as u64;
            *d = *s;
            ($s, $d) = (sr, dr);
        }};
    }
    let (mut d, mut s, mut high) = (dst, src, 0u64);
    while s.len() >= 8 {
        piece!(8, u64, d, s, high);
    }
    if s.len() >= 4 {
        piece!(4, u32, d, s, high);
    }
    if s.len() >= 2 {
        piece!(2, u16, d, s, high);
    }
    if !s.is_empty() {
        piece!(1, u8, d, s, high);
    }
    let _ = (d, s);
    high & 0x8080_8080_8080_8080
}

#[inline(never)]
fn gather<'z>(z: &'z ZSet, hits: &[Hit], ord: &[u32]) -> Vec<&'z [u8]> {
    ord.iter().map(|&i| hits.get(i as usize).map_or(&[][..], |h| z.node_member(h.node))).collect()
}

/// Redis's sort step: qsort (glibc: a stable merge sort) of everything, or
/// `pqsort` of the first `count` when COUNT cuts the result. The positions of
/// the hits to reply with, in order.
fn order(h: &[Hit], sort: Sort, count: usize) -> Vec<u32> {
    use std::cmp::Ordering::*;
    let returned = if count == 0 { h.len() } else { h.len().min(count) };
    if sort == Sort::None {
        return (0..returned as u32).collect();
    }
    let desc = sort == Sort::Desc;
    if returned == h.len() {
        return gh::sort_positions(h, |x| x.dist, desc);
    }
    let asc = |a: f64, b: f64| {
        if a > b {
            Greater
        } else if a == b {
            Equal
        } else {
            Less
        }
    };
    let mut keys: Vec<(f64, u32)> = h.iter().enumerate().map(|(i, x)| (x.dist, i as u32)).collect();
    let cmp = |a: &(f64, u32), b: &(f64, u32)| {
        let o = asc(a.0, b.0);
        if desc { o.reverse() } else { o }
    };
    gh::pqsort(&mut keys, &cmp, 0, returned.saturating_sub(1));
    keys.iter().take(returned).map(|k| k.1).collect()
}

/// Valkey's polygon search: the cells of the covering circle, then the polygon test.
pub(crate) fn polygon_hits(z: &ZSet, p: &Polygon, limit: usize) -> Vec<Hit> {
    let ranges = gh::scan_ranges(&p.cells);
    let mut hits = Vec::new();
    for (min, max) in ranges {
        if limit > 0 && hits.len() >= limit {
            break;
        }
        geoindex::scan_range(z, false, min as f64, max as f64, &mut |score, node| {
            let (lon, lat) = gh::decode_score(score);
            if p.contains(lon, lat) {
                let dist = gh::distance(p.centroid.0, p.centroid.1, lon, lat);
                hits.push(Hit { node, score, dist, lon, lat });
            }
            !(limit > 0 && hits.len() >= limit)
        });
    }
    hits
}

/// Rejects polygons Valkey would accept but that have no well-defined
/// inside: NaN or infinite coordinates, fewer than 3 distinct vertices, and
/// rings that are not simple: two edges that cross or touch (beyond the
/// vertex neighbours share), or neighbours that double back along each other
/// (which includes every zero-area ring). Segment intersection is the `geo`
/// crate's (robust orientation predicates). A closing vertex equal to the
/// first, and repeated consecutive vertices, are allowed.
pub fn validate(v: &[(f64, f64)]) -> Result<()> {
    use ::geo::{line_intersection::line_intersection, Coord, Line, LineIntersection};
    if v.iter().any(|p| !p.0.is_finite() || !p.1.is_finite()) {
        return Err(error::GEO_POLYGON_NAN);
    }
    let mut ring: Vec<Coord<f64>> = Vec::with_capacity(v.len());
    for &(x, y) in v {
        if ring.last() != Some(&Coord { x, y }) {
            ring.push(Coord { x, y });
        }
    }
    while ring.len() > 1 && ring.first() == ring.last() {
        ring.pop();
    }
    let mut distinct = ring.clone();
    distinct.sort_by(|a, b| a.x.total_cmp(&b.x).then(a.y.total_cmp(&b.y)));
    distinct.dedup();
    if distinct.len() < 3 {
        return Err(error::GEO_POLYGON_DISTINCT);
    }
    let n = ring.len();
    // Edge i runs from vertex i to the next one (the last to the first). (Its
    // indexes are below n, so the default vertex is never used.)
    let vertex = |i: usize| ring.get(i % n).copied().unwrap_or_default();
    let edge = |i: usize| Line::new(vertex(i), vertex(i + 1));
    // Edges by their smallest x: only edges whose x ranges overlap can meet.
    let mut order: Vec<(f64, f64, usize)> = (0..n)
        .map(|i| {
            let (a, b) = (vertex(i), vertex(i + 1));
            (a.x.min(b.x), a.x.max(b.x), i)
        })
        .collect();
    order.sort_by(|a, b| a.0.total_cmp(&b.0));
    for (k, &(_, hi, i)) in order.iter().enumerate() {
        for &(lo2, _, j) in order.get(k + 1..).unwrap_or_default() {
            if lo2 > hi {
                break;
            }
            let neighbours = (i + 1) % n == j || (j + 1) % n == i;
            match line_intersection(edge(i), edge(j)) {
                None => {}
                Some(LineIntersection::SinglePoint { .. }) if neighbours => {}
                Some(_) => return Err(error::GEO_POLYGON_SELF_INTERSECTING),
            }
        }
    }
    Ok(())
}

/// GEORADIUS key longitude latitude radius M|KM|FT|MI [WITHCOORD] [WITHDIST] [WITHHASH] [COUNT count [ANY]] [ASC|DESC] [STORE key|STOREDIST key]
fn georadius(ctx: &mut Ctx, a: Args) -> Result<Reply> {
    georadius_generic(ctx, a, 1, COORDS)
}

/// GEORADIUS_RO key longitude latitude radius M|KM|FT|MI [WITHCOORD] [WITHDIST] [WITHHASH] [COUNT count [ANY]] [ASC|DESC]
fn georadius_ro(ctx: &mut Ctx, a: Args) -> Result<Reply> {
    georadius_generic(ctx, a, 1, COORDS | NOSTORE)
}

/// GEORADIUSBYMEMBER key member radius M|KM|FT|MI [WITHCOORD] [WITHDIST] [WITHHASH] [COUNT count [ANY]] [ASC|DESC] [STORE key|STOREDIST key]
fn georadiusbymember(ctx: &mut Ctx, a: Args) -> Result<Reply> {
    georadius_generic(ctx, a, 1, MEMBER)
}

/// GEORADIUSBYMEMBER_RO key member radius M|KM|FT|MI [WITHCOORD] [WITHDIST] [WITHHASH] [COUNT count [ANY]] [ASC|DESC]
fn georadiusbymember_ro(ctx: &mut Ctx, a: Args) -> Result<Reply> {
    georadius_generic(ctx, a, 1, MEMBER | NOSTORE)
}

/// GEOSEARCH key FROMMEMBER member|FROMLONLAT longitude latitude BYRADIUS radius M|KM|FT|MI|BYBOX width height M|KM|FT|MI|BYPOLYGON num-vertices longitude latitude [longitude latitude ...] [ASC|DESC] [COUNT count [ANY]] [WITHCOORD] [WITHDIST] [WITHHASH]
fn geosearch(ctx: &mut Ctx, a: Args) -> Result<Reply> {
    georadius_generic(ctx, a, 1, SEARCH)
}

/// GEOSEARCHSTORE destination source FROMMEMBER member|FROMLONLAT longitude latitude BYRADIUS radius M|KM|FT|MI|BYBOX width height M|KM|FT|MI|BYPOLYGON num-vertices longitude latitude [longitude latitude ...] [ASC|DESC] [COUNT count [ANY]] [STOREDIST]
fn geosearchstore(ctx: &mut Ctx, a: Args) -> Result<Reply> {
    georadius_generic(ctx, a, 2, SEARCH | SEARCHSTORE)
}

#[cfg(test)]
mod tests {
    use super::validate;

    /// `validate` agrees with the `geo` crate's full `Validation` (plus "zero
    /// area is invalid") on random rings, small enough to often cross, touch
    /// and repeat vertices. (The full validation is not used at run time: it
    /// adds ~120 KB to the wasm.)
    #[test]
    fn validate_agrees_with_geo_validation() {
        use ::geo::{Area, Coord, LineString, Polygon, Validation};
        let mut g = crate::rng::Rng::new(0x9e37_79b9_7f4a_7c15u64);
        let mut rnd = |n: u64| g.below(n as usize) as u64;
        let (mut bad, mut good) = (0, 0);
        for _ in 0..20_000 {
            let n = 3 + rnd(6) as usize;
            let grid = 2 + rnd(5);
            let v: Vec<(f64, f64)> = (0..n).map(|_| (rnd(grid) as f64, rnd(grid) as f64)).collect();
            let ring: Vec<Coord<f64>> = v.iter().map(|&(x, y)| Coord { x, y }).collect();
            let p = Polygon::new(LineString::new(ring), vec![]);
            let reference = p.is_valid() && p.unsigned_area() != 0.0;
            assert_eq!(validate(&v).is_ok(), reference, "{v:?}");
            if reference { good += 1 } else { bad += 1 }
        }
        assert!(good > 1000 && bad > 1000, "{good} {bad}");
    }
}
