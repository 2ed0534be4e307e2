//! The spatial side of geo sorted sets.
//!
//! Range scans walk the sorted set's own B+tree leaves (`ZSet::range_nodes`):
//! contiguous (score, handle) pairs, so a scan never touches a member until
//! it is a hit.
//!
//! The search: Redis scans the 9 geohash cells of a query in a fixed order
//! and tests every member of each. Here each cell is split, quadtree-style,
//! into sub-cells (still contiguous score ranges, visited in ascending order)
//! and the ones that cannot meet the query's bounding box (computed
//! conservatively, with a margin) are skipped. Every member of a skipped
//! sub-cell would have failed Redis's own test, so the hits, and their order,
//! are exactly the plain scan's. `k` nearest (COUNT k, ascending) grows a
//! radius from small until it holds k+1 hits, and answers from them only when
//! the top k are unambiguous (distinct distances): otherwise Redis's partial
//! quicksort decides tie order, and the full scan runs.

use super::geohash::{decode, Area, Hash, Shape, ShapeKind, EARTH_RADIUS};
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

    fn lat_overlap(&self, a: &Area) -> bool {
        a.lat_max >= self.lat_lo && a.lat_min <= self.lat_hi
    }
    fn intersects(&self, a: &Area) -> bool {
        if !self.lat_overlap(a) {
            return false;
        }
        let Some(d) = self.dlon else { return true };
        [-360.0, 0.0, 360.0].iter().any(|k| a.lon_max >= self.lon - d + k && a.lon_min <= self.lon + d + k)
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
    fn contains(&self, a: &Area) -> bool {
        if !(a.lat_min >= self.lat_lo && a.lat_max <= self.lat_hi) {
            return false;
        }
        let Some(d) = self.dlon else { return true };
        [-360.0, 0.0, 360.0].iter().any(|k| a.lon_min >= self.lon - d + k && a.lon_max <= self.lon + d + k)
    }
    /// Step at which sub-cells are about an eighth of the box.
    fn stop_step(&self) -> u8 {
        let h = self.lat_hi - self.lat_lo;
        let w = self.dlon.map_or(360.0, |d| 2.0 * d);
        let size = h.min(w).max(1e-9) / 8.0;
        // the first step whose cell height (170.1° / 2^step) is at most `size`
        let mut step = 1u8;
        let mut h = 170.102_257_56 / 2.0;
        while h > size && step < 26 {
            h /= 2.0;
            step += 1;
        }
        step
    }
}

/// Sub-ranges of `cell` that may hold points inside `bb`, ascending and merged.
fn sub_ranges(cell: Hash, bb: &BBox, out: &mut Vec<(u64, u64)>) {
    let stop = bb.stop_step().max(cell.step).min(cell.step.saturating_add(10)).min(26);
    fn visit(h: Hash, bb: &BBox, stop: u8, out: &mut Vec<(u64, u64)>) {
        let Some(area) = decode(h) else {
            // bits 0 at step > 0 is never "zero"; a zero hash has no area: scan it whole.
            out.push(h.score_range());
            return;
        };
        if !bb.intersects(&area) {
            return;
        }
        if h.step >= stop || bb.contains(&area) {
            let r = h.score_range();
            match out.last_mut() {
                Some(last) if last.1 == r.0 => last.1 = r.1,
                _ => out.push(r),
            }
            return;
        }
        for c in 0..4u64 {
            visit(Hash { bits: (h.bits << 2) | c, step: h.step + 1 }, bb, stop, out);
        }
    }
    if cell.score_range().1 > 1 << 52 {
        // Cells past the 52-bit range only hold overflowed encodings (lon 180);
        // their sub-ranges would not be exact as doubles: scan them whole.
        out.push(cell.score_range());
        return;
    }
    visit(cell, bb, stop, out);
}

/// Scores of one range in order (`plain` or not: both walk the tree's leaves).
pub fn scan_range(z: &ZSet, _plain: bool, min: f64, max: f64, f: &mut dyn FnMut(f64, u32) -> bool) -> bool {
    z.range_nodes(min, max, f)
}

/// `membersOfAllNeighbors`: every hit in Redis's order. `limit` is ANY's count (0: none).
/// `plain` forces Redis's unpruned skiplist scan (the reference the tests compare with).
pub fn search(z: &ZSet, shape: &Shape, limit: usize, plain: bool) -> Vec<Hit> {
    let cells = shape.cells();
    let ranges = super::geohash::scan_ranges(&cells);
    let bb = if plain { None } else { BBox::of(shape, None) };
    collect(z, shape, &cells, &ranges, bb, limit, plain, None)
}

#[allow(clippy::too_many_arguments)]
fn collect(
    z: &ZSet,
    shape: &Shape,
    cells: &[Option<Hash>; 9],
    ranges: &[(u64, u64)],
    bb: Option<BBox>,
    limit: usize,
    plain: bool,
    within: Option<f64>,
) -> Vec<Hit> {
    let mut hits: Vec<Hit> = Vec::new();
    // The cell behind each range (scan_ranges keeps Redis's order and skips).
    let mut cell_of = Vec::with_capacity(ranges.len());
    let mut last: Option<Hash> = None;
    for (i, c) in cells.iter().enumerate() {
        let Some(h) = c else { continue };
        if h.is_zero() || (i > 0 && last == Some(*h)) {
            continue;
        }
        cell_of.push(*h);
        if i > 0 {
            last = Some(*h);
        }
    }
    let mut subs = Vec::new();
    let from = super::geohash::From::new(shape.lon, shape.lat);
    for (k, &(min, max)) in ranges.iter().enumerate() {
        if limit > 0 && hits.len() >= limit {
            break;
        }
        subs.clear();
        match (&bb, cell_of.get(k)) {
            (Some(bb), Some(cell)) => sub_ranges(*cell, bb, &mut subs),
            _ => subs.push((min, max)),
        }
        for &(lo, hi) in &subs {
            let go = scan_range(z, plain, lo as f64, hi as f64, &mut |score, node| {
                let (lon, lat) = super::geohash::decode_score(score);
                if bb.as_ref().is_some_and(|b| !b.has(lon, lat)) {
                    return true;
                }
                if let Some(dist) = shape.test_from(&from, lon, lat) {
                    if within.is_none_or(|r| dist <= r) {
                        hits.push(Hit { node, score, dist, lon, lat });
                    }
                }
                !(limit > 0 && hits.len() >= limit)
            });
            if !go {
                break;
            }
        }
    }
    hits
}

/// Redis's radius for the cell estimate: the radius, or the box's half diagonal, in meters.
fn reach(shape: &Shape) -> f64 {
    match shape.kind {
        ShapeKind::Radius(r) => r * shape.conv,
        ShapeKind::Box(w, h) => ((w / 2.0) * (w / 2.0) + (h / 2.0) * (h / 2.0)).sqrt() * shape.conv,
    }
}

/// The `k` nearest hits in ascending distance, exactly as Redis's scan + sort
/// would return them, or None when only the full scan can tell (ties).
pub fn nearest(z: &ZSet, shape: &Shape, k: usize) -> Option<Vec<Hit>> {
    let full = reach(shape);
    if k == 0 || k >= z.len() || full.is_nan() || full <= 0.0 || !full.is_finite() {
        return None;
    }
    let cells = shape.cells();
    let ranges = super::geohash::scan_ranges(&cells);
    // Start where k+1 points would fall if the set were spread evenly over
    // the query's reach, then double: the last round costs about as much as
    // all the ones before it.
    let n = z.len().max(1) as f64;
    let mut r = (full * (k.saturating_add(1) as f64 / n).sqrt() / 2.0).max(full / 65536.0);
    while r < full / 2.0 {
        let bb = BBox::of(shape, Some(r))?;
        let hits = collect(z, shape, &cells, &ranges, Some(bb), 0, false, Some(r));
        if hits.len() > k {
            let mut keys: Vec<(f64, u32)> = hits.iter().enumerate().map(|(i, h)| (h.dist, i as u32)).collect();
            super::geohash::sort_by_dist_pos(&mut keys, false);
            let mut hits: Vec<Hit> = keys.iter().filter_map(|k| hits.get(k.1 as usize).copied()).collect();
            let distinct = hits.windows(2).take(k).all(|w| w[0].dist < w[1].dist);
            if !distinct {
                return None;
            }
            hits.truncate(k);
            return Some(hits);
        }
        r *= 2.0;
    }
    None
}
