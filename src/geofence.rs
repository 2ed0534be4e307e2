//! Geofences: a polygon or a circle watched over one geo key of one database,
//! reporting members that cross it.
//!
//! A fence's "inside" is exactly what a search would answer: the members
//! `GEOSEARCH key BYPOLYGON ...` (Valkey's even-odd rule, straight edges in
//! lon/lat) or `GEOSEARCH key FROMLONLAT lon lat BYRADIUS r m` would return.
//! The registry keeps each fence's inside set (member → score). Every route
//! that changes a key already signals it (`Server::signal_modified_key`:
//! member writes, DEL, expiry lazy and active, eviction, RENAME/MOVE/COPY/
//! RESTORE, overwrites, stores; `touch_all_watched_in_db`: FLUSHDB, FLUSHALL,
//! SWAPDB, snapshot loads), so the fences on a signalled key are marked dirty
//! and, after the command (each command of an EXEC on its own, and after each
//! active expiry pass), re-evaluated with one search over the key (the geo
//! index makes it cost about the members inside) and diffed with the old set:
//! - `enter`: not inside before (absent, or outside), inside now;
//! - `inside`: inside before and now, at another position (score);
//! - `exit`: inside before, not now (moved out, removed, key deleted,
//!   overwritten by another type, flushed, swapped away, ...); the position is
//!   the new one when the member is still in the key, else the last inside.
//!
//! Events of one evaluation come in the search's order (geohash order) for
//! enter/inside, then the exits by member bytes. They are queued for the
//! binding (`take_events`) and, when the fence has a channel, published there
//! as JSON (`{"type":..,"key":..,"member":..,"lon":..,"lat":..}`, numbers as
//! JavaScript prints them) from the core, so subscribers and the bridge see
//! them however the change happened.
#![deny(clippy::indexing_slicing)]

use crate::cmd::geo::{polygon_hits, Polygon};
use crate::error::{self, Error};
use crate::pubsub::Kind as PushKind;
use crate::server::Server;
use crate::types::geohash::{self as gh, Shape, ShapeKind};
use crate::types::geoindex;
use crate::types::zset::ZSet;
use crate::value::Value;
use hashbrown::HashMap;

/// What a fence watches.
pub enum FenceShape {
    Polygon(Box<Polygon>),
    /// A radius search shape (meters).
    Circle(Shape),
}

impl FenceShape {
    /// A polygon from its vertices (validated as GEOSEARCH BYPOLYGON's).
    pub fn polygon(v: Vec<(f64, f64)>) -> Result<FenceShape, Error> {
        for &(x, y) in &v {
            check_pair(x, y)?;
        }
        Ok(FenceShape::Polygon(Box::new(Polygon::checked(v)?)))
    }
    /// A circle: centre and radius in meters.
    pub fn circle(lon: f64, lat: f64, radius_m: f64) -> Result<FenceShape, Error> {
        check_pair(lon, lat)?;
        if radius_m.is_nan() || !radius_m.is_finite() {
            return Err(error::GEO_NEED_RADIUS);
        }
        if radius_m < 0.0 {
            return Err(error::GEO_NEGATIVE_RADIUS);
        }
        Ok(FenceShape::Circle(Shape { lon, lat, conv: 1.0, kind: ShapeKind::Radius(radius_m) }))
    }
    /// Members inside, in the search's order: (node, score, lon, lat).
    fn hits(&self, z: &ZSet) -> Vec<geoindex::Hit> {
        match self {
            FenceShape::Polygon(p) => polygon_hits(z, p, 0),
            FenceShape::Circle(s) => geoindex::search(z, s, 0, false),
        }
    }
}

fn check_pair(x: f64, y: f64) -> Result<(), Error> {
    if x.is_nan() || y.is_nan() {
        return Err(error::GEO_POLYGON_NAN);
    }
    if !(gh::LON_MIN..=gh::LON_MAX).contains(&x) || !(gh::LAT_MIN..=gh::LAT_MAX).contains(&y) {
        return Err(error::geo_invalid_pair(x, y));
    }
    Ok(())
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EventKind {
    Enter,
    Inside,
    Exit,
}

impl EventKind {
    pub fn name(self) -> &'static str {
        match self {
            EventKind::Enter => "enter",
            EventKind::Inside => "inside",
            EventKind::Exit => "exit",
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct FenceEvent {
    pub fence: u32,
    pub kind: EventKind,
    pub member: Vec<u8>,
    pub lon: f64,
    pub lat: f64,
}

struct Fence {
    id: u32,
    db: usize,
    key: Box<[u8]>,
    shape: FenceShape,
    channel: Option<Box<[u8]>>,
    inside: HashMap<Box<[u8]>, f64>,
    dirty: bool,
}

/// The registry (one per store).
#[derive(Default)]
pub struct Fences {
    list: Vec<Fence>,
    /// Some fence is dirty.
    dirty: bool,
    next_id: u32,
    events: Vec<FenceEvent>,
}

impl Fences {
    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }
    /// `key` of database `db` changed.
    pub fn touch(&mut self, db: usize, key: &[u8]) {
        for f in self.list.iter_mut().filter(|f| f.db == db && *f.key == *key) {
            f.dirty = true;
            self.dirty = true;
        }
    }
    /// Every key of database `db` may have changed (flush, swap, load).
    pub fn touch_db(&mut self, db: usize) {
        for f in self.list.iter_mut().filter(|f| f.db == db) {
            f.dirty = true;
            self.dirty = true;
        }
    }
    /// Events not yet taken.
    pub fn pending(&self) -> usize {
        self.events.len()
    }
    pub fn take_events(&mut self) -> Vec<FenceEvent> {
        std::mem::take(&mut self.events)
    }
}

fn zset_of<'a>(dbs: &'a [crate::db::Db], db: usize, key: &[u8]) -> Option<&'a ZSet> {
    let d = dbs.get(db)?;
    let slot = d.find(key)?;
    if d.type_name(slot) != "zset" {
        return None; // (never builds a view of a compact string)
    }
    match &d.entry(slot).val {
        Value::ZSet(z) => Some(z),
        _ => None,
    }
}

/// A number as JavaScript's `String(x)` / `JSON.stringify` prints it.
fn js_number(x: f64) -> String {
    if x == 0.0 {
        return "0".into();
    }
    let a = x.abs();
    if (1e-6..1e21).contains(&a) || !x.is_finite() {
        // Rust's shortest round-trip digits, positional: what JS prints here.
        return if x.is_finite() { format!("{x}") } else { "null".into() };
    }
    // Exponent form: Rust writes "1.5e-7" and "1e21"; JS "1.5e-7" and "1e+21".
    let s = format!("{x:e}");
    match s.split_once('e') {
        Some((m, e)) if !e.starts_with('-') => format!("{m}e+{e}"),
        _ => s,
    }
}

fn json_string(out: &mut String, b: &[u8]) {
    out.push('"');
    for c in String::from_utf8_lossy(b).chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

/// The JSON a fence publishes for an event.
pub fn event_json(key: &[u8], ev: &FenceEvent) -> String {
    let mut s = String::from("{\"type\":\"");
    s.push_str(ev.kind.name());
    s.push_str("\",\"key\":");
    json_string(&mut s, key);
    s.push_str(",\"member\":");
    json_string(&mut s, &ev.member);
    s.push_str(",\"lon\":");
    s.push_str(&js_number(ev.lon));
    s.push_str(",\"lat\":");
    s.push_str(&js_number(ev.lat));
    s.push('}');
    s
}

impl Server {
    /// Starts watching `key` of database `db`; the members inside now are the
    /// initial state (no events for them). Returns the fence's id. A key of
    /// another type is refused (WRONGTYPE); it may become one later (an exit
    /// for everyone inside).
    pub fn geofence_add(&mut self, db: usize, key: &[u8], shape: FenceShape, channel: Option<&[u8]>) -> Result<u32, Error> {
        let Some(d) = self.dbs.get(db) else { return Err(error::DB_INDEX_OUT_OF_RANGE) };
        if d.find(key).is_some_and(|slot| d.type_name(slot) != "zset") {
            return Err(error::WRONGTYPE);
        }
        let mut inside = HashMap::new();
        if let Some(z) = zset_of(&self.dbs, db, key) {
            for h in shape.hits(z) {
                inside.insert(Box::<[u8]>::from(z.node_member(h.node)), h.score);
            }
        }
        self.fences.next_id = self.fences.next_id.wrapping_add(1).max(1);
        let id = self.fences.next_id;
        self.fences.list.push(Fence {
            id,
            db,
            key: key.into(),
            shape,
            channel: channel.map(Into::into),
            inside,
            dirty: false,
        });
        Ok(id)
    }

    /// Stops a fence (its queued events stay). Returns whether it existed.
    pub fn geofence_remove(&mut self, id: u32) -> bool {
        let n = self.fences.list.len();
        self.fences.list.retain(|f| f.id != id);
        n != self.fences.list.len()
    }

    /// Re-evaluates the fences whose key was signalled since the last check.
    pub fn check_fences(&mut self) {
        if !self.fences.dirty {
            return;
        }
        self.fences.dirty = false;
        let mut fences = std::mem::take(&mut self.fences.list);
        for f in fences.iter_mut().filter(|f| f.dirty) {
            f.dirty = false;
            let start = self.fences.events.len();
            let mut now: HashMap<Box<[u8]>, f64> = HashMap::with_capacity(f.inside.len());
            let z = zset_of(&self.dbs, f.db, &f.key);
            if let Some(z) = z {
                for h in f.shape.hits(z) {
                    let m = z.node_member(h.node);
                    let kind = match f.inside.get(m) {
                        None => Some(EventKind::Enter),
                        Some(&old) if old.to_bits() != h.score.to_bits() => Some(EventKind::Inside),
                        Some(_) => None,
                    };
                    if let Some(kind) = kind {
                        self.fences.events.push(FenceEvent { fence: f.id, kind, member: m.to_vec(), lon: h.lon, lat: h.lat });
                    }
                    now.insert(m.into(), h.score);
                }
            }
            let mut exits: Vec<(&Box<[u8]>, f64)> =
                f.inside.iter().filter(|(m, _)| !now.contains_key(*m)).map(|(m, s)| (m, *s)).collect();
            exits.sort_unstable_by(|a, b| a.0.cmp(b.0));
            for (m, old) in exits {
                let score = z.and_then(|z| z.score(m)).unwrap_or(old);
                let (lon, lat) = gh::decode_score(score);
                self.fences.events.push(FenceEvent { fence: f.id, kind: EventKind::Exit, member: m.to_vec(), lon, lat });
            }
            f.inside = now;
            if let Some(ch) = &f.channel {
                for i in start..self.fences.events.len() {
                    if let Some(ev) = self.fences.events.get(i) {
                        let msg = event_json(&f.key, ev);
                        self.pubsub.publish(ch, msg.as_bytes(), false, Some(PushKind::OutPublish));
                    }
                }
            }
        }
        // A fence added or removed meanwhile cannot happen (no callbacks run here).
        self.fences.list = fences;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn js_numbers() {
        assert_eq!(js_number(2.35), "2.35");
        assert_eq!(js_number(-0.0), "0");
        assert_eq!(js_number(1.5e-7), "1.5e-7");
        assert_eq!(js_number(1e-7), "1e-7");
        assert_eq!(js_number(0.000001), "0.000001");
        assert_eq!(js_number(13.361389338970184), "13.361389338970184");
        assert_eq!(js_number(-180.0), "-180");
    }

    #[test]
    fn json_escapes() {
        let ev = FenceEvent { fence: 1, kind: EventKind::Exit, member: b"a\"b\\\n\x01\xff".to_vec(), lon: 1.0, lat: -2.5 };
        assert_eq!(event_json(b"k", &ev), r#"{"type":"exit","key":"k","member":"a\"b\\\n\u0001�","lon":1,"lat":-2.5}"#);
    }
}
