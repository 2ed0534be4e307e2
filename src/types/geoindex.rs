//! The spatial side of geo sorted sets.
//!
//! Range scans walk the sorted set's own B+tree leaves (`ZSet::ranges_nodes`):
//! contiguous (score, handle) pairs, so a scan never touches a member until
//! it is a hit, and a range that starts in the leaf where the previous one
//! ended continues from there instead of descending the tree again.
//!
//! The search: Redis scans the 9 geohash cells of a query in a fixed order
//! and tests every member of each. Here, inside each cell, the finer cells
//! (about an eighth of the query's bounding box) that meet the box are
//! enumerated directly from their latitude and longitude index ranges (split
//! at the antimeridian), sorted and merged into ascending score ranges; the
//! rest of the cell is skipped. The box is computed conservatively, with a
//! margin, so every member of a skipped range would have failed Redis's own
//! test: the hits, and their order, are exactly the plain scan's. A candidate
//! then passes the box test and, for radius searches, a conservative
//! "certainly farther than r" test (a lower bound of the haversine term, no
//! trigonometry) before Redis's haversine.
//!
//! `k` nearest (COUNT k, ascending) grows a radius from one expected to hold
//! about 2(k+1) points (estimated from the density of scores in the tree
//! leaf the centre falls in, one descent) until it holds k+1 hits,
//! finding the points of Redis's 9 cells within it through the finer cells
//! that cover its box. It answers from them only when the top k are
//! unambiguous (distinct distances): otherwise Redis's partial quicksort
//! decides tie order, and the full scan runs.

#![deny(clippy::indexing_slicing)]

use super::geohash::{Hash, Shape, ShapeKind, EARTH_RADIUS};
use super::zset::ZSet;

/// A member that passed the shape test, as Redis's `geoPoint`.
#[derive(Clone, Copy, Debug)]
pub struct Hit {
    pub node: u32,
    pub score: f64,
    /// meters
    pub dist: f64,
    pub lon: f64,
    pub lat: f64,
}

/// Conservative latitude band and longitude half-width (degrees) around a centre.
#[derive(Clone, Copy, Debug)]
struct BBox {
    lat_lo: f64,
    lat_hi: f64,
    lon: f64,
    /// None: every longitude.
    dlon: Option<f64>,
}

const MARGIN: f64 = 1e-7;

impl BBox {
    /// None when nothing can be pruned safely (huge or polar shapes).
    fn of(shape: &Shape, radius_m: Option<f64>) -> Option<BBox> {
        let deg = 180.0 / std::f64::consts::PI;
        let circle = match (radius_m, &shape.kind) {
            (Some(r), _) => Some(r),
            (None, ShapeKind::Radius(r)) => Some(r * shape.conv),
            _ => None,
        };
        let (dlat, dlon) = match (circle, &shape.kind) {
            (Some(r), _) => {
                let d = r / EARTH_RADIUS;
                if d.is_nan() || d >= 1.5 {
                    return None;
                }
                let phi = shape.lat.abs() / deg;
                let dl = if phi + d * (1.0 + 1e-9) + 1e-9 >= std::f64::consts::FRAC_PI_2 {
                    None
                } else {
                    let s = d.sin() / phi.cos();
                    if s >= 0.999_999 { None } else { Some(s.asin() * deg) }
                };
                (d * deg, dl)
            }
            (None, ShapeKind::Box(w, h)) => {
                let (w, h) = (w * shape.conv, h * shape.conv);
                let dlat = h / 2.0 / EARTH_RADIUS;
                let half = w / 2.0 / EARTH_RADIUS;
                if dlat.is_nan() || half.is_nan() || dlat >= 1.5 || half >= 1.5 {
                    return None;
                }
                let maxlat = (shape.lat.abs() / deg + dlat) * (1.0 + 1e-9) + 1e-9;
                let dl = if maxlat >= std::f64::consts::FRAC_PI_2 - 1e-4 {
                    None
                } else {
                    let s = (half / 2.0).sin() / maxlat.cos();
                    if s >= 0.999_999 { None } else { Some(2.0 * s.asin() * deg) }
                };
                (dlat * deg, dl)
            }
            (None, ShapeKind::Radius(_)) => return None,
        };
        let pad = |v: f64| v * (1.0 + 1e-9) + MARGIN;
        Some(BBox {
            lat_lo: shape.lat - pad(dlat),
            lat_hi: shape.lat + pad(dlat),
            lon: shape.lon,
            dlon: dlon.map(pad).filter(|d| *d < 180.0),
        })
    }

    /// A point the shape may hold (a cheap test before the haversine; the box
    /// is conservative, so a point outside it fails Redis's own test).
    #[inline]
    fn has(&self, lon: f64, lat: f64) -> bool {
        if lat < self.lat_lo || lat > self.lat_hi {
            return false;
        }
        let Some(d) = self.dlon else { return true };
        let dl = (lon - self.lon).abs();
        dl <= d || 360.0 - dl <= d
    }
    /// The fine step for sub-cells about `1/q` of the box's height (or of its
    /// width, whichever is the finer step's coarser): the first step whose
    /// cell height (170.1° / 2^step) is at most height/q, or whose width
    /// (360° / 2^step) is at most width/q.
    fn fine_step(&self, q: f64) -> u8 {
        let h = ((self.lat_hi - self.lat_lo) / q).max(1e-9);
        let w = (self.dlon.map_or(360.0, |d| 2.0 * d) / q).max(1e-9);
        let (mut step, mut ch, mut cw) = (1u8, 170.102_257_56 / 2.0, 180.0);
        while ch > h && cw > w && step < 26 {
            ch /= 2.0;
            cw /= 2.0;
            step += 1;
        }
        step
    }
}

/// The latitude (or longitude) cell indexes at `step` whose cells may hold a
/// decoded coordinate in `[lo, hi]`: every cell the interval touches (the
/// index of each end rounded outwards by a hair, so rounding never loses one).
fn index_span(lo: f64, hi: f64, min: f64, max: f64, step: u8) -> Option<(u32, u32)> {
    let n = (1u64 << step) as f64;
    let at = |v: f64| (v - min) / (max - min) * n;
    let (a, b) = ((at(lo) - 1e-6).floor(), (at(hi) + 1e-6).floor());
    if b < 0.0 || a > n - 1.0 || a.is_nan() || b.is_nan() {
        return None;
    }
    Some((a.max(0.0) as u32, b.min(n - 1.0) as u32))
}

/// Cells above this many per Redis cell are not enumerated (a coarser step is used).
const MAX_SUB_CELLS: u64 = 1024;

/// Sub-ranges of `cell` that may hold points inside `bb`, ascending and
/// merged: the cells at a finer step (about `1/q` of the box) inside both
/// `cell` and the box, enumerated directly from their index ranges.
fn sub_ranges(cell: Hash, bb: &BBox, q: f64, out: &mut Vec<(u64, u64)>) {
    use super::geohash::{deinterleave, interleave, LAT_MAX, LAT_MIN, LON_MAX, LON_MIN};
    let whole = cell.score_range();
    if cell.step == 0 || cell.step > 26 || whole.1 > 1 << 52 {
        // A zero hash, or cells past the 52-bit range (they only hold
        // overflowed encodings, lon 180 or lat 85.05112878, whose sub-ranges
        // would not be exact as doubles): scan them whole.
        out.push(whole);
        return;
    }
    let (clat, clon) = deinterleave(cell.bits);
    // the box's longitude intervals, split at the antimeridian
    let mut lons = [(LON_MIN, LON_MAX); 2];
    let nlon = match bb.dlon {
        None => 1,
        Some(d) => {
            let (a, b) = (bb.lon - d, bb.lon + d);
            if a < LON_MIN {
                lons = [(LON_MIN, b), (a + 360.0, LON_MAX)];
                2
            } else if b > LON_MAX {
                lons = [(LON_MIN, b - 360.0), (a, LON_MAX)];
                2
            } else {
                lons[0] = (a, b);
                1
            }
        }
    };
    let mut step = bb.fine_step(q).clamp(cell.step, 26);
    loop {
        let d = u32::from(step - cell.step);
        // the cell's children at `step`, as index ranges
        let (la0, la1) = (clat << d, ((clat + 1) << d) - 1);
        let (lo0, lo1) = (clon << d, ((clon + 1) << d) - 1);
        let Some((a0, a1)) = index_span(bb.lat_lo, bb.lat_hi, LAT_MIN, LAT_MAX, step) else { return };
        let (a0, a1) = (a0.max(la0), a1.min(la1));
        if a0 > a1 {
            return;
        }
        let mut spans = [(1u32, 0u32); 2];
        for (k, &(x, y)) in lons.iter().take(nlon).enumerate() {
            if let (Some((b0, b1)), Some(s)) = (index_span(x, y, LON_MIN, LON_MAX, step), spans.get_mut(k)) {
                *s = (b0.max(lo0), b1.min(lo1));
            }
        }
        let cols: u64 = spans.iter().map(|&(b0, b1)| if b0 <= b1 { u64::from(b1 - b0) + 1 } else { 0 }).sum();
        if cols == 0 {
            return;
        }
        if (u64::from(a1 - a0) + 1) * cols > MAX_SUB_CELLS && step > cell.step {
            step -= 1;
            continue;
        }
        let sh = 52 - 2 * u32::from(step);
        let first = out.len();
        for i in a0..=a1 {
            for &(b0, b1) in &spans {
                for j in b0..=b1 {
                    let v = interleave(i, j) << sh;
                    out.push((v, v + (1 << sh)));
                }
            }
        }
        if let Some(new) = out.get_mut(first..) {
            new.sort_unstable();
            // merge adjacent ranges in place
            let mut w: usize = 0;
            for r in 0..new.len() {
                let cur = new.get(r).copied().unwrap_or_default();
                match w.checked_sub(1).and_then(|p| new.get_mut(p)) {
                    Some(last) if last.1 == cur.0 => last.1 = cur.1,
                    _ => {
                        if let Some(slot) = new.get_mut(w) {
                            *slot = cur;
                        }
                        w += 1;
                    }
                }
            }
            out.truncate(first + w);
        }
        return;
    }
}

/// A cheap test that a decoded point is farther than `r` meters from the
/// centre, exact in one direction: a lower bound of the haversine term `a`
/// (`sin x >= x - x^3/6`, `cos(lat2)` at least its least value over the
/// box's band) above `sin^2(r / 2R)` with a wide margin means Redis's
/// computed distance exceeds `r`; otherwise the distance is computed.
#[derive(Clone, Copy, Debug)]
struct Far {
    lon: f64,
    lat1r: f64,
    /// cos(lat1) * least cos(lat2) over the band
    cc: f64,
    /// cos(lat1) * greatest cos(lat2) over the band
    cc_hi: f64,
    amax: f64,
}

impl Far {
    fn new(from_lon: f64, from_lat: f64, r: f64, bb: &BBox) -> Option<Far> {
        let d_r = std::f64::consts::PI / 180.0;
        let half = r / EARTH_RADIUS / 2.0;
        if !(0.0..1.0).contains(&half) {
            return None;
        }
        let s = half.sin();
        let maxabs = bb.lat_lo.abs().max(bb.lat_hi.abs());
        let minabs = if bb.lat_lo <= 0.0 && bb.lat_hi >= 0.0 { 0.0 } else { bb.lat_lo.abs().min(bb.lat_hi.abs()) };
        let cmin = if maxabs >= 90.0 { 0.0 } else { ((maxabs * d_r).cos() * (1.0 - 1e-9)).max(0.0) };
        let cmax = ((minabs * d_r).cos() * (1.0 + 1e-9)).min(1.0 + 1e-9);
        let c1 = (from_lat * d_r).cos();
        let cc = (c1 * (1.0 - 1e-9)).max(0.0) * cmin;
        let cc_hi = c1.abs() * (1.0 + 1e-9) * cmax;
        Some(Far { lon: from_lon, lat1r: from_lat * d_r, cc, cc_hi, amax: s * s * (1.0 + 1e-6) + 1e-300 })
    }
    /// Bounds of Redis's haversine term `a` for a point (Redis's distance is
    /// `2R asin(sqrt(a))`): below, `sin x >= x - x^3/6` and the band's least
    /// cosine; above, `sin x <= x` and its greatest. Both within about 1e-4
    /// of `a` for the radii k-nearest rounds use.
    #[inline]
    fn bounds(&self, lon: f64, lat: f64) -> (f64, f64) {
        let d_r = std::f64::consts::PI / 180.0;
        let x = (lat * d_r - self.lat1r).abs() * 0.5;
        let mut dl = (lon - self.lon).abs();
        if dl > 180.0 {
            dl = 360.0 - dl;
        }
        let y = dl * d_r * 0.5;
        let (sx, sy) = (x - x * x * x / 6.0, y - y * y * y / 6.0);
        // both are below sqrt(6): the lower bounds are positive and increasing
        let lo = sx.max(0.0) * sx.max(0.0) + self.cc * sy.max(0.0) * sy.max(0.0);
        (lo, x * x + self.cc_hi * y * y)
    }
    #[inline]
    fn far(&self, lon: f64, lat: f64) -> bool {
        self.bounds(lon, lat).0 > self.amax
    }
}

/// Scores of one range in order (`plain` or not: both walk the tree's leaves).
pub fn scan_range(z: &ZSet, _plain: bool, min: f64, max: f64, f: impl FnMut(f64, u32) -> bool) -> bool {
    z.range_nodes(min, max, f)
}

/// Sets smaller than this are scanned unpruned (cheaper than the pruning).
const PRUNE_MIN: usize = 128;

/// `membersOfAllNeighbors`: every hit in Redis's order. `limit` is ANY's count (0: none).
/// `plain` forces Redis's unpruned skiplist scan (the reference the tests compare with).
pub fn search(z: &ZSet, shape: &Shape, limit: usize, plain: bool) -> Vec<Hit> {
    let cells = scan_cells(&shape.cells());
    let bb = if plain || z.len() < PRUNE_MIN { None } else { BBox::of(shape, None) };
    let circle = match shape.kind {
        ShapeKind::Radius(r) => Some(r * shape.conv),
        ShapeKind::Box(..) => None,
    };
    let far = bb.as_ref().zip(circle).and_then(|(b, r)| Far::new(shape.lon, shape.lat, r, b));
    collect(z, shape, &cells, bb, far, 8.0, limit, None)
}

/// The cells Redis scans, in order, with its "same as the previous processed"
/// skip (`scan_ranges`, as cells).
fn scan_cells(cells: &[Option<Hash>; 9]) -> Vec<Hash> {
    let mut out = Vec::with_capacity(9);
    let mut last: Option<Hash> = None;
    for (i, c) in cells.iter().enumerate() {
        let Some(h) = c else { continue };
        if h.is_zero() || (i > 0 && last == Some(*h)) {
            continue;
        }
        out.push(*h);
        if i > 0 {
            last = Some(*h);
        }
    }
    out
}

/// The score ranges to walk in one of Redis's cells, as doubles, into `fl`:
/// the finer cells that meet `bb` (the cell whole without a box).
fn cell_ranges(cell: Hash, bb: Option<&BBox>, q: f64, subs: &mut Vec<(u64, u64)>, fl: &mut Vec<(f64, f64)>) {
    subs.clear();
    match bb {
        Some(bb) => sub_ranges(cell, bb, q, subs),
        None => subs.push(cell.score_range()),
    }
    // (exact as doubles: the sub-ranges lie below 2^52, whole cells below 2^54)
    fl.clear();
    fl.extend(subs.iter().map(|&(lo, hi)| (lo as f64, hi as f64)));
}

/// What `collect` tests a member with, and the hits so far.
struct Tests<'s> {
    shape: &'s Shape,
    from: super::geohash::From,
    bb: Option<BBox>,
    far: Option<Far>,
    within: Option<f64>,
    limit: usize,
    hits: Vec<Hit>,
}

impl Tests<'_> {
    /// The box test, `far`'s cheap one, then the shape's own, and within
    /// `within` meters; false once `limit` hits are in.
    #[inline(always)]
    fn visit(&mut self, score: f64, node: u32) -> bool {
        let (lon, lat) = super::geohash::decode_score(score);
        if let Some(b) = &self.bb {
            if !b.has(lon, lat) {
                return true;
            }
            if self.far.is_some_and(|f| f.far(lon, lat)) {
                return true;
            }
        }
        if let Some(dist) = self.shape.test_from(&self.from, lon, lat) {
            if self.within.is_none_or(|r| dist <= r) {
                self.hits.push(Hit { node, score, dist, lon, lat });
            }
        }
        !(self.limit > 0 && self.hits.len() >= self.limit)
    }
}

/// The hits in Redis's `cells`, in Redis's order (see `Tests::visit`); at
/// most `limit` (0: all).
#[allow(clippy::too_many_arguments)]
fn collect(
    z: &ZSet,
    shape: &Shape,
    cells: &[Hash],
    bb: Option<BBox>,
    far: Option<Far>,
    q: f64,
    limit: usize,
    within: Option<f64>,
) -> Vec<Hit> {
    let (mut subs, mut fl) = (Vec::new(), Vec::new());
    let from = super::geohash::From::new(shape.lon, shape.lat);
    let mut t = Tests { shape, from, bb, far, within, limit, hits: Vec::new() };
    for cell in cells {
        if limit > 0 && t.hits.len() >= limit {
            break;
        }
        // (a cell of a few points is walked whole: cheaper than cutting it)
        let few = match bb {
            Some(_) => {
                let (lo, hi) = cell.score_range();
                z.range_nodes_if_few(lo as f64, hi as f64, |s, n| t.visit(s, n))
            }
            None => None,
        };
        let go = match few {
            Some(go) => go,
            None => {
                cell_ranges(*cell, bb.as_ref(), q, &mut subs, &mut fl);
                z.ranges_nodes(&fl, |s, n| t.visit(s, n))
            }
        };
        if !go {
            break;
        }
    }
    t.hits
}

/// Redis's radius for the cell estimate: the radius, or the box's half diagonal, in meters.
fn reach(shape: &Shape) -> f64 {
    match shape.kind {
        ShapeKind::Radius(r) => r * shape.conv,
        ShapeKind::Box(w, h) => ((w / 2.0) * (w / 2.0) + (h / 2.0) * (h / 2.0)).sqrt() * shape.conv,
    }
}

/// A first radius for `nearest`: one expected to hold about 2(k+1) + 4
/// points, from the density of the scores in the tree leaf where the
/// centre's score falls (one descent, along the path the walk takes next).
/// Scores are Z-order cell numbers: each stands for an equal cell at step 26
/// (170.1°/2^26 by 360°/2^26), so the gaps between a leaf's scores sample
/// the density. The three widest gaps are left out (where the Z curve leaves
/// the populated area and comes back, at the edges of a cluster, one gap can
/// span empty cells far away); for points spread evenly (exponential gaps),
/// the n - 3 narrowest of n gaps sum to `trimmed_share(n)` mean gaps.
/// `guess` when the leaf says nothing (too few points, or all at one place).
fn first_radius(z: &ZSet, shape: &Shape, k: usize, guess: f64) -> f64 {
    const TRIM: usize = 3;
    let want = k as f64 * 2.0 + 6.0;
    let Some(centre) = super::geohash::score_of(shape.lon, shape.lat) else { return guess };
    let Some(leaf) = z.leaf_around(centre as f64) else { return guess };
    let n = leaf.len().saturating_sub(1);
    let (mut sum, mut top) = (0.0, [0.0f64; TRIM]);
    for (a, b) in leaf.iter().zip(leaf.iter().skip(1)) {
        let mut g = b - a;
        sum += g;
        // keep the widest three, descending
        for t in top.iter_mut() {
            if g > *t {
                std::mem::swap(t, &mut g);
            }
        }
    }
    if n < TRIM + 4 {
        return guess;
    }
    let mean = (sum - top.iter().sum::<f64>()) / trimmed_share(n, n - TRIM);
    if mean.is_nan() || mean < 1.0 {
        return guess;
    }
    let m_per_deg = EARTH_RADIUS * std::f64::consts::PI / 180.0;
    let cos = (shape.lat * std::f64::consts::PI / 180.0).cos().max(1e-6);
    let unit = (1u64 << 26) as f64;
    let cell = 170.102_257_56 / unit * m_per_deg * (360.0 / unit * m_per_deg * cos);
    let per_m2 = 1.0 / (mean * cell);
    (want / per_m2 / std::f64::consts::PI).sqrt()
}

/// The expected sum of the `m` least of `n` independent exponential
/// variables of mean 1: sum over j in 1..=m of (m - j + 1) / (n - j + 1)
/// (the i-th least is a sum of spacings E_j / (n - j + 1), j <= i).
fn trimmed_share(n: usize, m: usize) -> f64 {
    (1..=m).map(|j| (m - j + 1) as f64 / (n - j + 1) as f64).sum()
}

/// The `k` nearest hits in ascending distance, exactly as Redis's scan + sort
/// would return them, or None when only the full scan can tell (ties).
///
/// Rounds over a growing radius `r`: the points Redis's 9 cells (for the full
/// reach) hold within `r`, found through the finer cells that cover `r`'s
/// box inside each of them. When more than `k` are found and the first
/// `k + 1` distances are distinct, the first `k` are Redis's answer (every
/// point outside `r` is farther; a point Redis would list twice shows as a
/// tie and falls back).
pub fn nearest(z: &ZSet, shape: &Shape, k: usize) -> Option<Vec<Hit>> {
    let full = reach(shape);
    if k == 0 || k >= z.len() || full.is_nan() || full <= 0.0 || !full.is_finite() {
        return None;
    }
    let cells = scan_cells(&shape.cells());
    // Start where k+1 points would fall if the set were spread evenly over
    // the query's reach, then double: the last round costs about as much as
    // all the ones before it.
    let n = z.len().max(1) as f64;
    let guess = (full * (k.saturating_add(1) as f64 / n).sqrt() / 2.0).max(full / 65536.0);
    let mut r = first_radius(z, shape, k, guess).max(full / 65536.0);
    let from = super::geohash::From::new(shape.lon, shape.lat);
    let radius = matches!(shape.kind, ShapeKind::Radius(_));
    let mut cands: Vec<Cand> = Vec::new();
    let mut his: Vec<f64> = Vec::new();
    while r < full / 2.0 {
        let bb = BBox::of(shape, Some(r))?;
        let far = Far::new(shape.lon, shape.lat, r, &bb);
        let hits = match far.filter(|_| radius) {
            // (a box's own test may refuse a candidate: only radius shapes are filtered)
            Some(far) => refine(z, &cells, &bb, &far, k, &mut cands, &mut his, |lon, lat| {
                shape.test_from(&from, lon, lat).filter(|&d| d <= r)
            }),
            None => collect(z, shape, &cells, Some(bb), far, 1.0, 0, Some(r)),
        };
        if hits.len() > k {
            let ord = super::geohash::sort_positions(&hits, |h| h.dist, false);
            let mut top = Vec::with_capacity(k.saturating_add(1));
            top.extend(ord.iter().take(k.saturating_add(1)).filter_map(|&i| hits.get(i as usize).copied()));
            let distinct = top.windows(2).all(|w| w.first().zip(w.get(1)).is_some_and(|(a, b)| a.dist < b.dist));
            if !distinct {
                return None;
            }
            top.truncate(k);
            return Some(top);
        }
        r *= 2.0;
    }
    None
}

/// A candidate of a k-nearest round: a point in the round's box not
/// certainly farther than its radius, with bounds of its haversine term.
#[derive(Clone, Copy, Debug)]
struct Cand {
    lo: f64,
    hi: f64,
    node: u32,
    score: f64,
    lon: f64,
    lat: f64,
}

/// One k-nearest round without a haversine per candidate (filter and
/// refine): the candidates' bounds of the haversine term `a` give T, the
/// (k+1)-th least upper bound; a candidate whose lower bound exceeds T by
/// more than rounding can reach is farther than k+1 others, so only the rest
/// get Redis's distance (`exact`: the distance when the point is a hit of
/// the round). When at least k+1 of those are hits, the k+1 nearest hits are
/// among them (with their ties); otherwise the round fails as a plain one
/// would (fewer than k+1 points within the radius). The hits are in scan
/// order.
#[allow(clippy::too_many_arguments)]
fn refine(
    z: &ZSet,
    cells: &[Hash],
    bb: &BBox,
    far: &Far,
    k: usize,
    cands: &mut Vec<Cand>,
    his: &mut Vec<f64>,
    exact: impl Fn(f64, f64) -> Option<f64>,
) -> Vec<Hit> {
    cands.clear();
    let (mut subs, mut fl) = (Vec::new(), Vec::new());
    for cell in cells {
        cell_ranges(*cell, Some(bb), 1.0, &mut subs, &mut fl);
        z.ranges_nodes(&fl, |score, node| {
            let (lon, lat) = super::geohash::decode_score(score);
            if bb.has(lon, lat) {
                let (lo, hi) = far.bounds(lon, lat);
                if lo <= far.amax {
                    cands.push(Cand { lo, hi, node, score, lon, lat });
                }
            }
            true
        });
    }
    if cands.len() <= k {
        return Vec::new();
    }
    his.clear();
    his.extend(cands.iter().map(|c| c.hi));
    let (_, &mut t, _) = his.select_nth_unstable_by(k, f64::total_cmp);
    let t = t * (1.0 + 1e-9) + 1e-300;
    cands
        .iter()
        .filter(|c| c.lo <= t)
        .filter_map(|c| exact(c.lon, c.lat).map(|dist| Hit { node: c.node, score: c.score, dist, lon: c.lon, lat: c.lat }))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::geohash::{score_of, From};

    #[test]
    fn trimmed_share_of_all_is_the_count() {
        for n in 1..40 {
            assert!((trimmed_share(n, n) - n as f64).abs() < 1e-9);
            assert!(trimmed_share(n, n.saturating_sub(3)) < n as f64);
        }
    }

    /// The first radius holds about the 2(k+1)+4 points it aims at: over a
    /// uniform box, in a sparse one and in a dense cluster (the estimate is a
    /// cost, not a correctness matter: this guards its scale).
    #[test]
    fn first_radius_holds_about_the_points_it_aims_at() {
        let mut r = crate::rng::Rng::new(11);
        let mut unit = || (r.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
        for (lon0, lat0, side) in [(1.85, 48.35, 1.0), (-60.0, -10.0, 20.0), (139.7, 35.6, 0.02)] {
            let mut z = ZSet::new(false);
            let pts: Vec<(f64, f64)> = (0..20_000).map(|_| (lon0 + unit() * side, lat0 + unit() * side)).collect();
            for (i, &(lon, lat)) in pts.iter().enumerate() {
                let s = score_of(lon, lat).unwrap_or(0) as f64;
                z.insert(format!("p{i}").as_bytes(), s);
            }
            let (mut total, mut queries) = (0usize, 0usize);
            for _ in 0..60 {
                let (lon, lat) = (lon0 + side * (0.2 + 0.6 * unit()), lat0 + side * (0.2 + 0.6 * unit()));
                let shape = Shape { lon, lat, conv: 1.0, kind: ShapeKind::Radius(5.0e6) };
                let rad = first_radius(&z, &shape, 10, f64::NAN);
                assert!(rad.is_finite(), "{lon0} {lat0}: no estimate");
                let from = From::new(lon, lat);
                total += pts.iter().filter(|&&(x, y)| from.distance(x, y) <= rad).count();
                queries += 1;
            }
            let mean = total as f64 / queries as f64;
            // aims at 26 points
            assert!((16.0..=40.0).contains(&mean), "{lon0} {lat0} side {side}: {mean} points on average");
        }
    }
}
