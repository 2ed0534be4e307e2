//! Redis's geohash arithmetic (`geohash.c`, `geohash_helper.c`, the helpers of
//! `geo.c`), reproduced operation for operation so that scores, decoded
//! coordinates, distances and the 9 search cells are bit-identical.
//!
//! A geo member is a sorted-set member whose score is a 52-bit interleaved
//! geohash (step 26: 26 bits of latitude in the even positions, 26 of
//! longitude in the odd ones) over lon [-180,180] × lat [-85.05112878,
//! 85.05112878]. A point decodes to the centre of its cell. Distances use
//! the haversine formula on a sphere of radius 6372797.560856 m.
//!
//! Also here: Redis's reply formats for distances (`%.4f` via
//! `fixedpoint_d2string`) and coordinates (`%.17Lf` trimmed), the 11-char
//! standard geohash string, and `pqsort`, the partial quicksort Redis uses
//! for `COUNT n` below the number of matches (its tie order is observable).
//!
//! Checked access only: indexes come from fixed arrays or iterators, and the
//! sorts' positions, bounded by construction, go through `get`.
#![deny(clippy::indexing_slicing)]

pub const LON_MIN: f64 = -180.0;
pub const LON_MAX: f64 = 180.0;
pub const LAT_MIN: f64 = -85.05112878;
pub const LAT_MAX: f64 = 85.05112878;
pub const STEP_MAX: u8 = 26;
pub const EARTH_RADIUS: f64 = 6372797.560856;
const MERCATOR_MAX: f64 = 20037726.37;
const D_R: f64 = std::f64::consts::PI / 180.0;

/// A geohash of `step` bits per axis (`GeoHashBits`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Hash {
    pub bits: u64,
    pub step: u8,
}

impl Hash {
    pub fn is_zero(&self) -> bool {
        self.bits == 0 && self.step == 0
    }
    /// The score range `[min, max)` of the members inside this cell (`scoresOfGeoHashBox`).
    pub fn score_range(&self) -> (u64, u64) {
        let sh = 52u32.saturating_sub(self.step as u32 * 2);
        (self.bits << sh, (self.bits.wrapping_add(1)) << sh)
    }
}

/// A cell's extent in degrees.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Area {
    pub lon_min: f64,
    pub lon_max: f64,
    pub lat_min: f64,
    pub lat_max: f64,
}

pub(crate) fn interleave(lat: u32, lon: u32) -> u64 {
    fn spread(v: u32) -> u64 {
        let mut x = v as u64;
        x = (x | (x << 16)) & 0x0000_FFFF_0000_FFFF;
        x = (x | (x << 8)) & 0x00FF_00FF_00FF_00FF;
        x = (x | (x << 4)) & 0x0F0F_0F0F_0F0F_0F0F;
        x = (x | (x << 2)) & 0x3333_3333_3333_3333;
        x = (x | (x << 1)) & 0x5555_5555_5555_5555;
        x
    }
    spread(lat) | (spread(lon) << 1)
}

/// `deinterleave64`: (even bits, odd bits) = (lat, lon).
pub(crate) fn deinterleave(v: u64) -> (u32, u32) {
    fn squash(mut x: u64) -> u32 {
        x &= 0x5555_5555_5555_5555;
        x = (x | (x >> 1)) & 0x3333_3333_3333_3333;
        x = (x | (x >> 2)) & 0x0F0F_0F0F_0F0F_0F0F;
        x = (x | (x >> 4)) & 0x00FF_00FF_00FF_00FF;
        x = (x | (x >> 8)) & 0x0000_FFFF_0000_FFFF;
        x = (x | (x >> 16)) & 0x0000_0000_FFFF_FFFF;
        x as u32
    }
    (squash(v), squash(v >> 1))
}

/// `geohashEncode` over the given ranges; `None` outside them (or a bad step).
pub fn encode_in(lon_r: (f64, f64), lat_r: (f64, f64), lon: f64, lat: f64, step: u8) -> Option<Hash> {
    if step == 0 || step > 32 {
        return None;
    }
    if !(LON_MIN..=LON_MAX).contains(&lon) || !(LAT_MIN..=LAT_MAX).contains(&lat) {
        return None;
    }
    if lat < lat_r.0 || lat > lat_r.1 || lon < lon_r.0 || lon > lon_r.1 {
        return None;
    }
    let scale = (1u64 << step) as f64;
    let lat_off = (lat - lat_r.0) / (lat_r.1 - lat_r.0) * scale;
    let lon_off = (lon - lon_r.0) / (lon_r.1 - lon_r.0) * scale;
    // C converts the doubles to uint32_t (truncation; 2^step itself wraps to 0 at step 32).
    let cvt = |v: f64| (v as u64) as u32;
    Some(Hash { bits: interleave(cvt(lat_off), cvt(lon_off)), step })
}

/// `geohashEncodeWGS84`.
pub fn encode(lon: f64, lat: f64, step: u8) -> Option<Hash> {
    encode_in((LON_MIN, LON_MAX), (LAT_MIN, LAT_MAX), lon, lat, step)
}

/// The 52-bit score of a point (GEOADD).
pub fn score_of(lon: f64, lat: f64) -> Option<u64> {
    encode(lon, lat, STEP_MAX).map(|h| h.bits << (52 - 2 * STEP_MAX as u32))
}

/// `geohashDecode` (WGS84 ranges).
pub fn decode(h: Hash) -> Option<Area> {
    if h.is_zero() {
        return None;
    }
    let (ilat, ilon) = deinterleave(h.bits);
    let div = (1u64 << h.step.min(63)) as f64;
    let (lat_s, lon_s) = (LAT_MAX - LAT_MIN, LON_MAX - LON_MIN);
    Some(Area {
        lat_min: LAT_MIN + (ilat as f64 / div) * lat_s,
        lat_max: LAT_MIN + (ilat.wrapping_add(1) as f64 / div) * lat_s,
        lon_min: LON_MIN + (ilon as f64 / div) * lon_s,
        lon_max: LON_MIN + (ilon.wrapping_add(1) as f64 / div) * lon_s,
    })
}

/// `geohashDecodeAreaToLongLat`: the clamped centre.
pub fn area_center(a: &Area) -> (f64, f64) {
    let lon = ((a.lon_min + a.lon_max) / 2.0).clamp(LON_MIN, LON_MAX);
    let lat = ((a.lat_min + a.lat_max) / 2.0).clamp(LAT_MIN, LAT_MAX);
    (lon, lat)
}

/// C's `(uint64_t)score` on x86-64.
pub fn score_bits(score: f64) -> u64 {
    const TWO63: f64 = 9_223_372_036_854_775_808.0;
    if score < TWO63 {
        if score.is_nan() {
            return 1 << 63;
        }
        (score as i64) as u64
    } else {
        let t = score - TWO63;
        let v = if t < TWO63 { t as i64 as u64 } else { 1 << 63 };
        v ^ (1 << 63)
    }
}

/// `decodeGeohash`: a member's (lon, lat) from its score. Every score decodes.
pub fn decode_score(score: f64) -> (f64, f64) {
    let h = Hash { bits: score_bits(score), step: STEP_MAX };
    decode(h).map(|a| area_center(&a)).unwrap_or((0.0, 0.0))
}

/// Neighbours in Redis's search order after the centre: N, S, E, W, NE, NW, SE, SW.
pub fn neighbors(h: Hash) -> [Hash; 8] {
    let mv = |h: Hash, dx: i8, dy: i8| -> Hash {
        let mut bits = h.bits;
        let sh = 64u32.saturating_sub(h.step as u32 * 2);
        let shr = |m: u64| if sh >= 64 { 0 } else { m >> sh };
        if dx != 0 {
            let x = bits & 0xaaaa_aaaa_aaaa_aaaa;
            let y = bits & 0x5555_5555_5555_5555;
            let zz = shr(0x5555_5555_5555_5555);
            let x = if dx > 0 { x.wrapping_add(zz + 1) } else { (x | zz).wrapping_sub(zz + 1) };
            bits = (x & shr(0xaaaa_aaaa_aaaa_aaaa)) | y;
        }
        if dy != 0 {
            let x = bits & 0xaaaa_aaaa_aaaa_aaaa;
            let y = bits & 0x5555_5555_5555_5555;
            let zz = shr(0xaaaa_aaaa_aaaa_aaaa);
            let y = if dy > 0 { y.wrapping_add(zz.wrapping_add(1)) } else { (y | zz).wrapping_sub(zz.wrapping_add(1)) };
            bits = x | (y & shr(0x5555_5555_5555_5555));
        }
        Hash { bits, step: h.step }
    };
    [mv(h, 0, 1), mv(h, 0, -1), mv(h, 1, 0), mv(h, -1, 0), mv(h, 1, 1), mv(h, -1, 1), mv(h, 1, -1), mv(h, -1, -1)]
}

/// `geohashEstimateStepsByRadius`.
pub fn estimate_steps(range_m: f64, lat: f64) -> u8 {
    if range_m == 0.0 {
        return 26;
    }
    let mut r = range_m;
    let mut step: i32 = 1;
    while r < MERCATOR_MAX {
        r *= 2.0;
        step += 1;
    }
    step -= 2;
    if !(-66.0..=66.0).contains(&lat) {
        step -= 1;
        if !(-80.0..=80.0).contains(&lat) {
            step -= 1;
        }
    }
    step.clamp(1, 26) as u8
}

/// A search shape. Sizes are in the unit given; `conv` turns them into meters.
#[derive(Clone, Debug, PartialEq)]
pub enum ShapeKind {
    Radius(f64),
    /// width, height
    Box(f64, f64),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Shape {
    pub lon: f64,
    pub lat: f64,
    pub conv: f64,
    pub kind: ShapeKind,
}

impl Shape {
    /// `geohashBoundingBox`: [min lon, min lat, max lon, max lat].
    pub fn bounds(&self) -> [f64; 4] {
        let (h, w) = match self.kind {
            ShapeKind::Radius(r) => (self.conv * r, self.conv * r),
            ShapeKind::Box(w, h) => (self.conv * (h / 2.0), self.conv * (w / 2.0)),
        };
        let lat_delta = h / EARTH_RADIUS / D_R;
        let top = w / EARTH_RADIUS / ((self.lat + lat_delta) * D_R).cos() / D_R;
        let bottom = w / EARTH_RADIUS / ((self.lat - lat_delta) * D_R).cos() / D_R;
        let south = self.lat < 0.0;
        let d = if south { bottom } else { top };
        [self.lon - d, self.lat - lat_delta, self.lon + d, self.lat + lat_delta]
    }

    /// `geoWithinShape` on a decoded point: its distance in meters when inside.
    pub fn test(&self, lon: f64, lat: f64) -> Option<f64> {
        self.test_from(&From::new(self.lon, self.lat), lon, lat)
    }

    /// `test` with the centre's terms computed once per query (same results).
    pub fn test_from(&self, c: &From, lon: f64, lat: f64) -> Option<f64> {
        match self.kind {
            ShapeKind::Radius(r) => {
                let d = c.distance(lon, lat);
                (d <= r * self.conv).then_some(d)
            }
            ShapeKind::Box(w, h) => {
                let (w, h) = (w * self.conv, h * self.conv);
                if lat_distance(lat, self.lat) > h / 2.0 {
                    return None;
                }
                if distance(lon, lat, self.lon, lat) > w / 2.0 {
                    return None;
                }
                Some(c.distance(lon, lat))
            }
        }
    }

    /// `geohashCalculateAreasByShapeWGS84`: the 9 cells in search order (centre,
    /// N, S, E, W, NE, NW, SE, SW); `None` for the ones Redis zeroes.
    pub fn cells(&self) -> [Option<Hash>; 9] {
        let radius_m = match self.kind {
            ShapeKind::Radius(r) => r,
            ShapeKind::Box(w, h) => ((w / 2.0) * (w / 2.0) + (h / 2.0) * (h / 2.0)).sqrt(),
        } * self.conv;
        cells_for(self.lon, self.lat, radius_m, self.bounds())
    }
}

/// The 9 cells around (lon, lat) for a search of `radius_m` meters whose
/// bounding box is `b` ([min lon, min lat, max lon, max lat]): the body of
/// `geohashCalculateAreasByShapeWGS84` (Valkey's polygons give their own
/// radius and box).
pub fn cells_for(lon: f64, lat: f64, radius_m: f64, b: [f64; 4]) -> [Option<Hash>; 9] {
    {
        let (min_lon, min_lat, max_lon, max_lat) = (b[0], b[1], b[2], b[3]);
        let mut steps = estimate_steps(radius_m, lat);
        let enc = |s| encode(lon, lat, s).unwrap_or(Hash { bits: 0, step: s });
        let mut hash = enc(steps);
        let mut nb = neighbors(hash);
        let mut area = decode(hash).unwrap_or_default();
        let ar = |h: Hash| decode(h).unwrap_or_default();
        let decrease = ar(nb[0]).lat_max < max_lat
            || ar(nb[1]).lat_min > min_lat
            || ar(nb[2]).lon_max < max_lon
            || ar(nb[3]).lon_min > min_lon;
        if steps > 1 && decrease {
            steps -= 1;
            hash = enc(steps);
            nb = neighbors(hash);
            area = decode(hash).unwrap_or_default();
        }
        // One bit per neighbour, in `nb`'s order: 0 N, 1 S, 2 E, 3 W, 4 NE, 5 NW, 6 SE, 7 SW.
        const N: u8 = 1;
        const S: u8 = 1 << 1;
        const E: u8 = 1 << 2;
        const W: u8 = 1 << 3;
        const NE: u8 = 1 << 4;
        const NW: u8 = 1 << 5;
        const SE: u8 = 1 << 6;
        const SW: u8 = 1 << 7;
        let mut keep = u8::MAX;
        if steps >= 2 {
            if area.lat_min < min_lat {
                keep &= !(S | SW | SE);
            }
            if area.lat_max > max_lat {
                keep &= !(N | NE | NW);
            }
            if area.lon_min < min_lon {
                keep &= !(W | SW | NW);
            }
            if area.lon_max > max_lon {
                keep &= !(E | SE | NE);
            }
        }
        let mut out = [None; 9];
        out[0] = Some(hash);
        for (bit, (o, n)) in out.iter_mut().skip(1).zip(nb).enumerate() {
            // A zeroed neighbour is {0,0}; a kept one with bits 0 and step > 0 is still searched.
            if keep & (1u8 << bit) != 0 {
                *o = Some(n);
            }
        }
        out
    }
}

/// The ranges Redis scans, in order, with its "same as the previous processed" skip.
pub fn scan_ranges(cells: &[Option<Hash>; 9]) -> Vec<(u64, u64)> {
    let mut out = Vec::with_capacity(9);
    let mut last: Option<Hash> = None;
    for (i, c) in cells.iter().enumerate() {
        let Some(h) = c else { continue };
        if h.is_zero() {
            continue;
        }
        if i > 0 && last == Some(*h) {
            continue;
        }
        out.push(h.score_range());
        if i > 0 {
            last = Some(*h);
        }
    }
    out
}

/// A distance origin: `distance(lon1, lat1, ..)` with lat1's cosine computed
/// once. The operations and their order are `distance`'s, so results are equal.
#[derive(Clone, Copy, Debug)]
pub struct From {
    lon1r: f64,
    lat1: f64,
    lat1r: f64,
    cos_lat1: f64,
}

impl From {
    pub fn new(lon1: f64, lat1: f64) -> From {
        From { lon1r: lon1 * D_R, lat1, lat1r: lat1 * D_R, cos_lat1: (lat1 * D_R).cos() }
    }
    pub fn distance(&self, lon2: f64, lat2: f64) -> f64 {
        let v = ((lon2 * D_R - self.lon1r) / 2.0).sin();
        if v == 0.0 {
            return lat_distance(self.lat1, lat2);
        }
        let lat2r = lat2 * D_R;
        let u = ((lat2r - self.lat1r) / 2.0).sin();
        let a = u * u + self.cos_lat1 * lat2r.cos() * v * v;
        2.0 * EARTH_RADIUS * a.sqrt().asin()
    }
}

/// `geohashGetLatDistance`.
pub fn lat_distance(lat1: f64, lat2: f64) -> f64 {
    EARTH_RADIUS * (lat2 * D_R - lat1 * D_R).abs()
}

/// `geohashGetDistance`: haversine in meters.
pub fn distance(lon1: f64, lat1: f64, lon2: f64, lat2: f64) -> f64 {
    let (lon1r, lon2r) = (lon1 * D_R, lon2 * D_R);
    let v = ((lon2r - lon1r) / 2.0).sin();
    if v == 0.0 {
        return lat_distance(lat1, lat2);
    }
    let (lat1r, lat2r) = (lat1 * D_R, lat2 * D_R);
    let u = ((lat2r - lat1r) / 2.0).sin();
    let a = u * u + lat1r.cos() * lat2r.cos() * v * v;
    2.0 * EARTH_RADIUS * a.sqrt().asin()
}

/// Unit name to meters (`extractUnitOrReply`), compared as a C string.
pub fn unit(u: &[u8]) -> Option<f64> {
    let u = u.split(|&b| b == 0).next().unwrap_or(b"");
    [(&b"m"[..], 1.0), (b"km", 1000.0), (b"ft", 0.3048), (b"mi", 1609.34)]
        .iter()
        .find(|(n, _)| u.eq_ignore_ascii_case(n))
        .map(|p| p.1)
}

/// `addReplyDoubleDistance`: `fixedpoint_d2string(d, 4)` (llrint, ties to even).
pub fn fmt_distance(d: f64) -> Vec<u8> {
    if d == 0.0 {
        return b"0.0000".to_vec();
    }
    let r = (d * 10000.0).round_ties_even();
    let sv: i64 = if r.is_nan() || !(-(2f64.powi(63))..2f64.powi(63)).contains(&r) {
        i64::MIN
    } else {
        r as i64
    };
    let digits = sv.unsigned_abs().to_string();
    let digits = format!("{digits:0>5}");
    let (int, frac) = digits.split_at(digits.len() - 4);
    format!("{}{int}.{frac}", if sv < 0 { "-" } else { "" }).into_bytes()
}

/// `addReplyHumanLongDouble`: `%.17Lf` with trailing zeros (and dot) removed.
pub fn fmt_coord(v: f64) -> Vec<u8> {
    if v.is_infinite() {
        return if v > 0.0 { b"inf".to_vec() } else { b"-inf".to_vec() };
    }
    let mut s = format!("{v:.17}");
    if s.contains('.') {
        while s.ends_with('0') {
            s.pop();
        }
        if s.ends_with('.') {
            s.pop();
        }
    }
    if s == "-0" {
        s = "0".into();
    }
    s.into_bytes()
}

/// GEOHASH's 11-character standard geohash of a score.
pub fn geohash_string(score: f64) -> Vec<u8> {
    const ALPHABET: &[u8; 32] = b"0123456789bcdefghjkmnpqrstuvwxyz";
    let (lon, lat) = decode_score(score);
    let bits = encode_in((-180.0, 180.0), (-90.0, 90.0), lon, lat, 26).map_or(0, |h| h.bits);
    // 10 characters of 5 bits from the top of the 52, then Redis's 11th, always '0'.
    // (`idx` is masked to 0..32: the fallback is unreachable.)
    (1..=10)
        .map(|i| ALPHABET.get(((bits >> (52 - i * 5)) & 0x1f) as usize).copied().unwrap_or(b'0'))
        .chain([ALPHABET[0]])
        .collect()
}

/// glibc's `qsort` for arrays that fit in memory: a top-down merge sort
/// (`msort_with_tmp`), stable, which takes from the left run on `cmp <= 0`.
/// Written out so that a comparator that is not a total order (NaN
/// distances) gives glibc's order and never a panic.
pub fn msort<T: Copy>(a: &mut [T], cmp: &impl Fn(&T, &T) -> std::cmp::Ordering) {
    let mut tmp = Vec::with_capacity(a.len());
    msort_with(a, &mut tmp, cmp);
}

/// Stable sort by a distance key, as glibc's `qsort` orders it: the standard
/// library's stable sort when the keys are a total order (every stable sort
/// then gives the same result, faster), `msort` when a NaN is among them.
pub fn stable_by_dist<T: Copy>(a: &mut [T], key: impl Fn(&T) -> f64, desc: bool) {
    let cmp = |x: &T, y: &T| {
        let (p, q) = (key(x), key(y));
        let o = if p > q {
            std::cmp::Ordering::Greater
        } else if p == q {
            std::cmp::Ordering::Equal
        } else {
            std::cmp::Ordering::Less
        };
        if desc { o.reverse() } else { o }
    };
    if a.iter().any(|x| key(x).is_nan()) {
        msort(a, &cmp);
    } else {
        a.sort_by(cmp);
    }
}

/// `stable_by_dist` for (distance, position) pairs whose positions are
/// distinct and ascending in the current order (so position breaks ties
/// exactly as a stable sort keeps them): without NaNs, a sort of
/// (ordered bits, position) gives the same order much faster.
pub fn sort_by_dist_pos(a: &mut [(f64, u32)], desc: bool) {
    if a.iter().any(|x| x.0.is_nan()) {
        return stable_by_dist(a, |k| k.0, desc);
    }
    let mut k: Vec<(u64, u32)> = a.iter().map(|&(d, i)| (dist_key(d, desc), i)).collect();
    sort_keys(&mut k);
    for (dst, (t, i)) in a.iter_mut().zip(k) {
        *dst = (key_dist(t, desc), i);
    }
}

/// The positions of `items` (0, 1, ...) in the order glibc's stable `qsort`
/// gives them by `dist` (ascending, or descending when `desc`).
pub fn sort_positions<T>(items: &[T], dist: impl Fn(&T) -> f64, desc: bool) -> Vec<u32> {
    if items.iter().any(|x| dist(x).is_nan()) {
        let mut a: Vec<(f64, u32)> = items.iter().enumerate().map(|(i, x)| (dist(x), i as u32)).collect();
        stable_by_dist(&mut a, |k| k.0, desc);
        return a.into_iter().map(|k| k.1).collect();
    }
    let mut k: Vec<(u64, u32)> = items.iter().enumerate().map(|(i, x)| (dist_key(dist(x), desc), i as u32)).collect();
    sort_keys(&mut k);
    k.into_iter().map(|k| k.1).collect()
}

/// A distance (not NaN) as an unsigned key in its order (`-0.0` as `0.0`),
/// reversed for `desc`.
#[inline]
fn dist_key(d: f64, desc: bool) -> u64 {
    let b = if d == 0.0 { 0.0f64 } else { d }.to_bits();
    let t = if b >> 63 == 1 { !b } else { b | 1 << 63 };
    if desc { !t } else { t }
}

fn key_dist(t: u64, desc: bool) -> f64 {
    let t = if desc { !t } else { t };
    f64::from_bits(if t >> 63 == 1 { t & !(1 << 63) } else { !t })
}

/// Sorts (key, position) pairs, positions distinct: an LSD radix sort of
/// the keys' high 32 bits (stable passes over 8-bit digits, or 11-bit ones
/// for large inputs; a pass is skipped when one digit value holds every
/// pair), then each run of equal high bits sorted by the whole pair. Tiny
/// inputs use `sort_unstable`.
pub fn sort_keys(v: &mut Vec<(u64, u32)>) {
    let n = v.len();
    if n < 64 {
        v.sort_unstable();
        return;
    }
    let bits: u32 = if n < 8192 { 8 } else { 11 };
    let passes = 32u32.div_ceil(bits) as usize;
    let b = 1usize << bits;
    let digit = |k: u64, pass: usize| ((k >> (32 + pass as u32 * bits)) as usize) & (b - 1);
    let mut hist = vec![0u32; b * passes];
    for e in v.iter() {
        for pass in 0..passes {
            if let Some(c) = hist.get_mut(pass * b + digit(e.0, pass)) {
                *c += 1;
            }
        }
    }
    let mut tmp = vec![(0u64, 0u32); n];
    for (pass, h) in hist.chunks_mut(b).enumerate() {
        if h.iter().any(|&c| c as usize == n) {
            continue;
        }
        let mut sum = 0u32;
        for c in h.iter_mut() {
            let t = *c;
            *c = sum;
            sum = sum.wrapping_add(t);
        }
        for e in v.iter() {
            if let Some(c) = h.get_mut(digit(e.0, pass)) {
                if let Some(slot) = tmp.get_mut(*c as usize) {
                    *slot = *e;
                }
                *c = c.wrapping_add(1);
            }
        }
        std::mem::swap(v, &mut tmp);
    }
    let mut rest: &mut [(u64, u32)] = v;
    while let Some(first) = rest.first() {
        let hi = first.0 >> 32;
        let run = rest.iter().position(|e| e.0 >> 32 != hi).unwrap_or(rest.len());
        let (head, tail) = rest.split_at_mut(run);
        if head.len() > 1 {
            head.sort_unstable();
        }
        rest = tail;
    }
}

fn msort_with<T: Copy>(a: &mut [T], tmp: &mut Vec<T>, cmp: &impl Fn(&T, &T) -> std::cmp::Ordering) {
    if a.len() <= 1 {
        return;
    }
    let (l, r) = a.split_at_mut(a.len() / 2);
    msort_with(l, tmp, cmp);
    msort_with(r, tmp, cmp);
    tmp.clear();
    let (mut l, mut r) = (&*l, &*r);
    while let (Some((x, xs)), Some((y, ys))) = (l.split_first(), r.split_first()) {
        if cmp(x, y) != std::cmp::Ordering::Greater {
            tmp.push(*x);
            l = xs;
        } else {
            tmp.push(*y);
            r = ys;
        }
    }
    tmp.extend_from_slice(l);
    // the rest of the right run is already in place: `tmp` is a prefix of `a`
    for (d, s) in a.iter_mut().zip(tmp.iter()) {
        *d = *s;
    }
}

/// `pqsort(a, n, cmp, lrange, rrange)`: Redis's partial quicksort (a
/// Bentley–McIlroy quicksort that skips partitions outside `[lo, hi]`).
/// Only the elements at `lo..=hi` end up in their sorted places; the order
/// of equal elements follows the algorithm exactly.
pub fn pqsort<T>(a: &mut [T], cmp: &impl Fn(&T, &T) -> std::cmp::Ordering, lo: usize, hi: usize) {
    // Byte-offset arithmetic of the C version, in element units scaled by 2 so
    // that `rrange` = (hi+1)*es - 1 stays representable: positions p map to 2p.
    let lr = 2 * lo as i64;
    let rr = 2 * (hi as i64 + 1) - 1;
    pq(a, 0, cmp, lr, rr);
}

fn pq<T>(a: &mut [T], base0: usize, cmp: &impl Fn(&T, &T) -> std::cmp::Ordering, lr: i64, rr: i64) {
    use std::cmp::Ordering::*;
    let mut base = base0;
    let mut n = a.len();
    let mut s: &mut [T] = a;
    // `s[i]` against `s[j]`. Every index below is under `n` = `s.len()` by
    // construction (as in the C code); `Equal` for one that is not is never
    // used, and cannot stop the loops, which count positions, not results.
    let at = |s: &[T], i: usize, j: usize| match (s.get(i), s.get(j)) {
        (Some(x), Some(y)) => cmp(x, y),
        _ => Equal,
    };
    loop {
        if n < 7 {
            for m in 1..n {
                let mut l = m;
                while l > 0 && at(s, l - 1, l) == Greater {
                    swap_in(s, l, l - 1);
                    l -= 1;
                }
            }
            return;
        }
        let med3 = |s: &[T], a: usize, b: usize, c: usize| -> usize {
            if at(s, a, b) == Less {
                if at(s, b, c) == Less {
                    b
                } else if at(s, a, c) == Less {
                    c
                } else {
                    a
                }
            } else if at(s, b, c) == Greater {
                b
            } else if at(s, a, c) == Less {
                a
            } else {
                c
            }
        };
        let mut pm = n / 2;
        if n > 7 {
            let mut pl = 0;
            let mut pn = n - 1;
            if n > 40 {
                let d = n / 8;
                pl = med3(s, pl, pl + d, pl + 2 * d);
                pm = med3(s, pm - d, pm, pm + d);
                pn = med3(s, pn - 2 * d, pn - d, pn);
            }
            pm = med3(s, pl, pm, pn);
        }
        swap_in(s, 0, pm);
        let (mut pa, mut pb) = (1usize, 1usize);
        let (mut pc, mut pd) = (n as isize - 1, n as isize - 1);
        {
            // The pivot stays at 0 while the rest is partitioned: `r[k - 1]` is
            // `s[k]`, and every `k` below is at least 1 (pc and pd when they
            // are used are at least pb).
            let Some((p, r)) = s.split_first_mut() else { return };
            let p = &*p;
            let vs = |r: &[T], k: usize| r.get(k.wrapping_sub(1)).map_or(Equal, |x| cmp(x, p));
            loop {
                while pb as isize <= pc {
                    let o = vs(r, pb);
                    if o == Greater {
                        break;
                    }
                    if o == Equal {
                        swap_in(r, pa - 1, pb - 1);
                        pa += 1;
                    }
                    pb += 1;
                }
                while pb as isize <= pc {
                    let o = vs(r, pc as usize);
                    if o == Less {
                        break;
                    }
                    if o == Equal {
                        swap_in(r, pc as usize - 1, pd as usize - 1);
                        pd -= 1;
                    }
                    pc -= 1;
                }
                if pb as isize > pc {
                    break;
                }
                swap_in(r, pb - 1, pc as usize - 1);
                pb += 1;
                pc -= 1;
            }
        }
        let pn = n;
        let r = pa.min(pb - pa);
        for i in 0..r {
            swap_in(s, i, pb - r + i);
        }
        let r2 = ((pd - pc) as usize).min(pn - pd as usize - 1);
        for i in 0..r2 {
            swap_in(s, pb + i, pn - r2 + i);
        }
        let outside = |start: usize, len: usize| -> bool {
            let l = 2 * (base + start) as i64;
            let r = 2 * (base + start + len) as i64 - 1;
            (lr < l && rr < l) || (lr > r && rr > r)
        };
        let left = pb - pa;
        if left > 1 && !outside(0, left) {
            if let Some(l) = s.get_mut(..left) {
                pq(l, base, cmp, lr, rr);
            }
        }
        let right = (pd - pc) as usize;
        if right > 1 {
            let start = pn - right;
            if outside(start, right) {
                return;
            }
            base += start;
            n = right;
            s = match std::mem::take(&mut s).get_mut(start..) {
                Some(t) => t,
                None => return,
            };
        } else {
            return;
        }
    }
}

/// `s.swap(i, j)` for positions in range (every caller's are), else nothing.
#[inline(always)]
fn swap_in<T>(s: &mut [T], i: usize, j: usize) {
    if i < s.len() && j < s.len() {
        s.swap(i, j);
    }
}

#[cfg(test)]
#[allow(clippy::indexing_slicing)]
mod tests {
    use super::*;

    #[test]
    fn vectors() {
        // Palermo and Catania, from Redis's documentation.
        assert_eq!(score_of(13.361389, 38.115556), Some(3479099956230698));
        assert_eq!(score_of(15.087269, 37.502669), Some(3479447370796909));
        let (lon, lat) = decode_score(3479099956230698.0);
        assert_eq!(fmt_coord(lon), b"13.36138933897018433");
        assert_eq!(fmt_coord(lat), b"38.11555639549629859");
        let (lon2, lat2) = decode_score(3479447370796909.0);
        assert_eq!(fmt_distance(distance(lon, lat, lon2, lat2)), b"166274.1516");
        assert_eq!(geohash_string(3479099956230698.0), b"sqc8b49rny0");
        assert_eq!(fmt_distance(0.00001), b"0.0000");
        assert_eq!(fmt_distance(0.7750), b"0.7750");
        assert_eq!(unit(b"KM"), Some(1000.0));
        assert_eq!(unit(b"yd"), None);
    }

    #[test]
    fn sort_by_dist_pos_is_the_stable_sort() {
        let mut g = crate::rng::Rng::new(7u64);
        let mut rnd = |n: u64| g.below(n as usize) as u64;
        let vals = [0.0, -0.0, 1.5, 1.5, 2.0, -3.0, f64::INFINITY, f64::NEG_INFINITY, 1e-300, 7.25];
        for _ in 0..500 {
            let n = rnd(40) as usize;
            let v: Vec<(f64, u32)> = (0..n).map(|i| (vals[rnd(vals.len() as u64) as usize], i as u32)).collect();
            for desc in [false, true] {
                let (mut a, mut b) = (v.clone(), v.clone());
                stable_by_dist(&mut a, |k| k.0, desc);
                sort_by_dist_pos(&mut b, desc);
                let pos = |w: &[(f64, u32)]| w.iter().map(|k| k.1).collect::<Vec<_>>();
                assert_eq!(pos(&a), pos(&b));
            }
        }
    }

    /// The radix paths (64 pairs and more; 8-bit and 11-bit digits): ties, one shared exponent, long
    /// runs of equal high bits (a far cluster), both signs, NaN.
    #[test]
    fn sort_positions_is_the_stable_sort() {
        let mut g = crate::rng::Rng::new(99u64);
        let mut rnd = || g.next_u64();
        for round in 0..60 {
            let n = [0, 1, 63, 64, 300, 2000, 9000][round % 7];
            let v: Vec<f64> = (0..n)
                .map(|_| {
                    let r = rnd();
                    let u = (r >> 11) as f64 / (1u64 << 53) as f64;
                    match round % 6 {
                        0 => [0.0, -0.0, 1.5, 2.0, 7.25][(r % 5) as usize],
                        1 => u * 10000.0,
                        2 => 1.0e6 + u * 1e-3,
                        3 => (u - 0.5) * 1e300,
                        4 => if r % 97 == 0 { f64::NAN } else { u * 3.0 },
                        _ => (r % 50) as f64 * 0.125 + if r % 3 == 0 { 1e-12 } else { 0.0 },
                    }
                })
                .collect();
            for desc in [false, true] {
                let mut a: Vec<(f64, u32)> = v.iter().enumerate().map(|(i, &d)| (d, i as u32)).collect();
                let mut b = a.clone();
                stable_by_dist(&mut a, |k| k.0, desc);
                let want: Vec<u32> = a.iter().map(|k| k.1).collect();
                assert_eq!(sort_positions(&v, |d| *d, desc), want, "round {round} desc {desc}");
                sort_by_dist_pos(&mut b, desc);
                assert_eq!(b.iter().map(|k| k.1).collect::<Vec<_>>(), want);
                assert!(a.iter().zip(&b).all(|(p, q)| p.0.to_bits() == q.0.to_bits() || (p.0 == 0.0 && q.0 == 0.0) || p.0.is_nan()));
            }
        }
    }

    /// `msort` is a stable sort (the standard library's is the reference).
    #[test]
    fn msort_is_the_stable_sort() {
        let mut g = crate::rng::Rng::new(11);
        for n in [0usize, 1, 2, 3, 7, 64, 301] {
            let v: Vec<(u32, u32)> = (0..n).map(|i| (g.below(9) as u32, i as u32)).collect();
            let cmp = |a: &(u32, u32), b: &(u32, u32)| a.0.cmp(&b.0);
            let (mut x, mut y) = (v.clone(), v);
            msort(&mut x, &cmp);
            y.sort_by(cmp);
            assert_eq!(x, y);
        }
    }

    #[test]
    fn pqsort_sorts_its_range() {
        let mut g = crate::rng::Rng::new(7);
        for n in [0usize, 1, 5, 8, 41, 100, 1000] {
            let v: Vec<u32> = (0..n).map(|_| g.below(50) as u32).collect();
            let mut sorted = v.clone();
            sorted.sort();
            for (lo, hi) in [(0, n.saturating_sub(1)), (0, n / 3), (0, 0)] {
                let mut w = v.clone();
                pqsort(&mut w, &|a: &u32, b: &u32| a.cmp(b), lo, hi);
                if n > 0 {
                    assert_eq!(&w[lo..=hi], &sorted[lo..=hi]);
                }
            }
        }
    }
}
