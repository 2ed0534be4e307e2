//! Geo: whole-reply expectations, and the geo index held to Redis's plain
//! 9-cell scan (same members, same order) while points move.

use cinnabar::rng::Rng;
use cinnabar::reply::Reply;
use cinnabar::types::geohash::{Shape, ShapeKind};
use cinnabar::types::geoindex;
use cinnabar::value::Value;
use cinnabar::Store;

fn bulk(s: &str) -> Reply {
    Reply::Bulk(s.as_bytes().to_vec())
}

#[test]
fn basics() {
    let mut db = Store::new();
    assert_eq!(db.exec(&["GEOADD", "s", "13.361389", "38.115556", "Palermo", "15.087269", "37.502669", "Catania"]), Reply::Int(2));
    assert_eq!(db.exec(&["GEODIST", "s", "Palermo", "Catania", "km"]), bulk("166.2742"));
    assert_eq!(
        db.exec(&["GEOPOS", "s", "Palermo", "x"]),
        Reply::Array(vec![Reply::Array(vec![bulk("13.36138933897018433"), bulk("38.11555639549629859")]), Reply::NilArray])
    );
    assert_eq!(db.exec(&["GEOHASH", "s", "Palermo"]), Reply::Array(vec![bulk("sqc8b49rny0")]));
    assert_eq!(
        db.exec(&["GEOSEARCH", "s", "FROMLONLAT", "15", "37", "BYRADIUS", "200", "km", "ASC", "WITHDIST"]),
        Reply::Array(vec![
            Reply::Array(vec![bulk("Catania"), bulk("56.4413")]),
            Reply::Array(vec![bulk("Palermo"), bulk("190.4424")]),
        ])
    );
    assert_eq!(
        db.exec(&["GEOADD", "s", "200", "1", "x"]),
        Reply::Error(cinnabar::error::geo_invalid_pair(200.0, 1.0))
    );
}

fn zset_of<'a>(db: &'a Store, key: &str) -> &'a cinnabar::types::zset::ZSet {
    let d = &db.server.dbs[0];
    match &d.entry(d.find(key.as_bytes()).unwrap()).val {
        Value::ZSet(z) => z,
        _ => panic!("not a zset"),
    }
}

/// Moving points: after every batch of GEOADD/ZREM the indexed, pruned search
/// returns exactly the plain scan's hits in the plain scan's order.
#[test]
fn index_equals_plain_scan() {
    let mut db = Store::new();
    let mut rnd = uniform(11);
    let pt = |rnd: &mut dyn FnMut(u64) -> u64| -> (f64, f64) {
        match rnd(4) {
            0 => (rnd(36000) as f64 / 100.0 - 180.0, rnd(17000) as f64 / 100.0 - 85.0),
            1 => (2.3 + rnd(1000) as f64 / 10000.0, 48.8 + rnd(1000) as f64 / 10000.0),
            2 => (179.9 + rnd(1001) as f64 / 10000.0 - if rnd(2) == 0 { 359.9 } else { 0.0 }, rnd(100) as f64 / 10.0),
            _ => (rnd(3600) as f64 / 10.0 - 180.0, 84.0 + rnd(105) as f64 / 100.0),
        }
    };
    for round in 0..40 {
        let mut argv = vec!["GEOADD".to_string(), "k".into()];
        for _ in 0..200 {
            let (lon, lat) = pt(&mut rnd);
            argv.extend([format!("{lon}"), format!("{lat}"), format!("m{}", rnd(3000))]);
        }
        assert!(!db.exec(&argv).is_error());
        for _ in 0..20 {
            db.exec(&["ZREM".to_string(), "k".into(), format!("m{}", rnd(3000))]);
        }
        db.exec(&["GEOSEARCH", "k", "FROMLONLAT", "0", "0", "BYRADIUS", "1", "m"]);
        let z = zset_of(&db, "k");
        for _ in 0..30 {
            let (lon, lat) = pt(&mut rnd);
            let conv = [1.0, 1000.0, 0.3048, 1609.34][rnd(4) as usize];
            let size = [0.0, 5.0, 300.0, 5000.0, 80000.0, 2.0e6, 1.5e7][rnd(7) as usize] / conv * (1.0 + rnd(100) as f64 / 100.0);
            let kind = if rnd(2) == 0 { ShapeKind::Radius(size) } else { ShapeKind::Box(size, size * (0.2 + rnd(30) as f64 / 10.0)) };
            let shape = Shape { lon, lat, conv, kind };
            let limit = if rnd(4) == 0 { 1 + rnd(20) as usize } else { 0 };
            let plain = geoindex::search(z, &shape, limit, true);
            let fast = geoindex::search(z, &shape, limit, false);
            let key = |h: &geoindex::Hit| (h.node, h.score.to_bits(), h.dist.to_bits());
            assert_eq!(plain.iter().map(key).collect::<Vec<_>>(), fast.iter().map(key).collect::<Vec<_>>(), "round {round} {shape:?}");
            if let Some(k) = geoindex::nearest(z, &shape, 1 + rnd(15) as usize) {
                let mut all = geoindex::search(z, &shape, 0, true);
                all.sort_by(|a, b| a.dist.partial_cmp(&b.dist).unwrap());
                assert_eq!(k.iter().map(key).collect::<Vec<_>>(), all[..k.len()].iter().map(key).collect::<Vec<_>>());
            }
        }
    }
}

#[test]
fn lon_180_overflow_cells() {
    // lon 180 encodes past the 52 bits (Redis does the same); pruning must not lose it.
    let mut db = Store::new();
    db.exec(&["GEOADD", "big", "180", "-85.0511", "b369"]);
    for i in 0..200 {
        db.exec(&["GEOADD".to_string(), "big".into(), format!("{}", i as f64 / 10.0), "1".into(), format!("p{i}")]);
    }
    let r = db.exec(&["GEORADIUSBYMEMBER_RO", "big", "b369", "0", "km", "COUNT", "21"]);
    assert_eq!(r, Reply::Array(vec![bulk("b369")]));
}

/// Timing aid (not a benchmark of record; see bench/geo.mjs):
/// `cargo test --release --test geo -- --ignored --nocapture`.
#[test]
#[ignore]
fn timing_native() {
    let mut db = Store::new();
    let mut g = Rng::new(3u64);
    let mut rnd = move || (g.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
    for s in 0..50 {
        let mut argv = vec!["GEOADD".to_string(), "k".into()];
        for i in 0..2000 {
            argv.extend([format!("{}", 1.85 + rnd()), format!("{}", 48.35 + rnd()), format!("p{}", s * 2000 + i)]);
        }
        db.exec(&argv);
    }
    db.exec(&["GEOSEARCH", "k", "FROMLONLAT", "2", "48.5", "BYRADIUS", "1", "km"]);
    let qs: Vec<(f64, f64)> = (0..50).map(|_| (1.85 + rnd(), 48.35 + rnd())).collect();
    for plain in [true, false] {
        let z = zset_of(&db, "k");
        let t = std::time::Instant::now();
        let mut n = 0;
        for &(lon, lat) in &qs {
            n += geoindex::search(z, &Shape { lon, lat, conv: 1000.0, kind: ShapeKind::Radius(10.0) }, 0, plain).len();
        }
        eprintln!("search 10 km plain={plain}: {:?}/query, {} hits", t.elapsed() / 50, n / 50);
    }
    let t = std::time::Instant::now();
    for s in 0..5 {
        let mut argv = vec!["GEOADD".to_string(), "k".into()];
        for i in 0..2000 {
            argv.extend([format!("{}", 1.85 + rnd()), format!("{}", 48.35 + rnd()), format!("p{}", s * 2000 + i)]);
        }
        db.exec(&argv);
    }
    eprintln!("10000 moves with the index: {:?}/move", t.elapsed() / 10000);
    let t = std::time::Instant::now();
    for s in 0..5 {
        let mut argv = vec!["GEOADD".to_string(), "fresh".into()];
        for i in 0..2000 {
            argv.extend([format!("{}", 1.85 + rnd()), format!("{}", 48.35 + rnd()), format!("p{}", s * 2000 + i)]);
        }
        db.exec(&argv);
    }
    eprintln!("10000 adds to a new key: {:?}/add", t.elapsed() / 10000);
    let t = std::time::Instant::now();
    for s in 0..5 {
        let mut argv = vec!["GEOADD".to_string(), "fresh".into()];
        for i in 0..2000 {
            argv.extend([format!("{}", 1.85 + rnd()), format!("{}", 48.35 + rnd()), format!("p{}", s * 2000 + i)]);
        }
        db.exec(&argv);
    }
    eprintln!("10000 moves without an index: {:?}/move", t.elapsed() / 10000);
    for cmd in [&["ASC"][..], &[][..], &["COUNT", "10", "ASC"][..]] {
        let t = std::time::Instant::now();
        for &(lon, lat) in &qs {
            let mut v = vec!["GEOSEARCH".to_string(), "k".into(), "FROMLONLAT".into(), lon.to_string(), lat.to_string(), "BYRADIUS".into(), "10".into(), "km".into()];
            v.extend(cmd.iter().map(|s| s.to_string()));
            db.exec(&v);
        }
        eprintln!("GEOSEARCH 10 km {cmd:?}: {:?}/query", t.elapsed() / 50);
    }
}

/// The index lives in the sorted set value, so it follows RENAME, COPY, MOVE
/// and goes with DEL and expiry; copies are independent.
#[test]
fn index_follows_the_value() {
    use cinnabar::ManualClock;
    let clock = ManualClock::new(1_000_000);
    let mut db = Store::with_clock(Box::new(clock.clone()));
    let mut argv = vec!["GEOADD".to_string(), "a".into()];
    for i in 0..500 {
        argv.extend([format!("{}", 2.0 + (i % 25) as f64 * 0.01), format!("{}", 48.0 + (i / 25) as f64 * 0.01), format!("m{i}")]);
    }
    db.exec(&argv);
    let q = |db: &mut Store, k: &str| db.exec(&["GEOSEARCH", k, "FROMLONLAT", "2.1", "48.1", "BYRADIUS", "5", "km", "ASC", "COUNT", "7"]);
    let before = q(&mut db, "a");
    assert_eq!(db.exec(&["RENAME", "a", "b"]), Reply::OK);
    assert_eq!(q(&mut db, "b"), before);
    assert_eq!(db.exec(&["COPY", "b", "c"]), Reply::Int(1));
    // move the nearest member far away in the copy only
    let Reply::Array(items) = &before else { panic!() };
    let Reply::Bulk(first) = &items[0] else { panic!() };
    let first = String::from_utf8(first.clone()).unwrap();
    db.exec(&["GEOADD", "c", "100", "10", first.as_str()]);
    assert_eq!(q(&mut db, "b"), before);
    let after = q(&mut db, "c");
    assert_ne!(after, before);
    for key in ["b", "c"] {
        let z = zset_of(&db, key);
        for (lon, lat, r) in [(2.1, 48.1, 5000.0), (2.0, 48.0, 300.0), (100.0, 10.0, 1.0)] {
            let s = Shape { lon, lat, conv: 1.0, kind: ShapeKind::Radius(r) };
            let key = |h: &geoindex::Hit| (h.node, h.score.to_bits());
            let plain: Vec<_> = geoindex::search(z, &s, 0, true).iter().map(key).collect();
            let fast: Vec<_> = geoindex::search(z, &s, 0, false).iter().map(key).collect();
            assert_eq!(plain, fast);
        }
    }
    db.exec(&["ZREM", "c", first.as_str()]);
    db.exec(&["PEXPIRE", "c", "10"]);
    clock.advance(20);
    assert_eq!(q(&mut db, "c"), Reply::Array(vec![]));
    assert_eq!(db.exec(&["MOVE", "b", "1"]), Reply::Int(1));
    db.exec(&["SELECT", "1"]);
    assert_eq!(q(&mut db, "b"), before);
}

/// Native timing of the GEOSEARCH path on 1,000,000 points in a 1°×1° box
/// (the metro dataset of bench/geo.mjs), split into the command and the
/// compact reply encoding:
/// `cargo test --release --test geo geosearch_timing -- --ignored --nocapture`
#[test]
#[ignore]
fn geosearch_timing() {
    use cinnabar::{Options, Server};
    use std::time::Instant;
    let mut srv = Server::new(Options::default());
    let mut c = srv.new_client();
    let mut g = Rng::new(42u64);
    let mut rnd = move || (g.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
    let n = 1_000_000;
    let mut i = 0;
    while i < n {
        let mut argv: Vec<Vec<u8>> = vec![b"GEOADD".to_vec(), b"pts".to_vec()];
        for _ in 0..2000 {
            argv.push(format!("{}", 1.85 + rnd()).into_bytes());
            argv.push(format!("{}", 48.35 + rnd()).into_bytes());
            argv.push(format!("p{i}").into_bytes());
            i += 1;
        }
        let refs: Vec<&[u8]> = argv.iter().map(|a| a.as_slice()).collect();
        srv.execute(&mut c, &refs);
    }
    let qs: Vec<(String, String)> = (0..200).map(|_| (format!("{}", 1.85 + rnd()), format!("{}", 48.35 + rnd()))).collect();
    // the first search builds the geo index
    let warm: Vec<&[u8]> = vec![b"GEOSEARCH", b"pts", b"FROMLONLAT", b"2", b"48.5", b"BYRADIUS", b"1", b"km"];
    srv.execute(&mut c, &warm);
    let reps: usize = std::env::var("GEO_TIMING_REPS").ok().and_then(|s| s.parse().ok()).unwrap_or(1);
    let only = std::env::var("GEO_TIMING_ONLY").unwrap_or_default();
    for (label, km, count, nq) in [("1 m", "0.001", None, 200), ("1 km", "1", None, 200), ("10 km", "10", None, 30), ("10 nearest", "200", Some("10"), 200)] {
        if !only.is_empty() && !label.contains(only.as_str()) {
            continue;
        }
        // per query, the fastest of `reps` runs (the machine is shared)
        let (mut t_cmd, mut t_enc, mut hits) = (0.0, 0.0, 0usize);
        for q in qs.iter().take(nq) {
            let mut argv = vec!["GEOSEARCH", "pts", "FROMLONLAT", &q.0, &q.1, "BYRADIUS", km, "km", "ASC"];
            if let Some(k) = count {
                argv.extend(["COUNT", k]);
            }
            let refs: Vec<&[u8]> = argv.iter().map(|a| a.as_bytes()).collect();
            let (mut best_cmd, mut best_enc) = (f64::MAX, f64::MAX);
            for _ in 0..reps {
                // as the wasm binding runs it: the output buffer lent (`direct`)
                srv.direct = Some(Vec::with_capacity(1 << 20));
                let t = Instant::now();
                let r = srv.execute(&mut c, &refs);
                best_cmd = best_cmd.min(t.elapsed().as_secs_f64());
                let t = Instant::now();
                let mut out = srv.direct.take().unwrap_or_default();
                if !std::mem::take(&mut srv.direct_written) {
                    r.write_compact(&mut out);
                }
                best_enc = best_enc.min(t.elapsed().as_secs_f64());
                hits += out.get(1..5).map_or(0, |b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize);
            }
            t_cmd += best_cmd;
            t_enc += best_enc;
        }
        eprintln!(
            "{label}: {:.1} µs/query command + {:.1} µs/query encode, {} hits/query",
            t_cmd * 1e6 / nq as f64,
            t_enc * 1e6 / nq as f64,
            hits / (nq * reps)
        );
    }
}

/// The wasm binding lends its output buffer to the geo searches (`srv.direct`):
/// what they write there equals the compact encoding of their usual reply.
#[test]
fn direct_replies_equal_compact_replies() {
    use cinnabar::{Options, Server};
    let mut srv = Server::new(Options::default());
    let mut c = srv.new_client();
    let run = |srv: &mut Server, c: &mut cinnabar::Client, v: &[&[u8]]| srv.execute(c, v);
    run(&mut srv, &mut c, &[b"GEOADD", b"k", b"13.361389", b"38.115556", b"Palermo", b"15.087269", b"37.502669", b"Catania"]);
    run(&mut srv, &mut c, &[b"GEOADD", b"k", b"13.5", b"38", "caf\u{e9}".as_bytes(), b"13.6", b"38.1", b""]);
    run(&mut srv, &mut c, &[b"SET", b"s", b"x"]);
    let queries: Vec<Vec<&[u8]>> = vec![
        vec![b"GEOSEARCH", b"k", b"FROMLONLAT", b"15", b"37", b"BYRADIUS", b"200", b"km", b"ASC"],
        vec![b"GEOSEARCH", b"k", b"FROMLONLAT", b"15", b"37", b"BYRADIUS", b"100", b"km"],
        vec![b"GEOSEARCH", b"k", b"FROMLONLAT", b"15", b"37", b"BYRADIUS", b"1", b"m"],
        vec![b"GEOSEARCH", b"k", b"FROMLONLAT", b"15", b"37", b"BYRADIUS", b"200", b"km", b"DESC", b"COUNT", b"2"],
        vec![b"GEOSEARCH", b"k", b"FROMLONLAT", b"15", b"37", b"BYRADIUS", b"200", b"km", b"WITHDIST"],
        vec![b"GEOSEARCH", b"k", b"BYPOLYGON", b"3", b"12", b"37", b"16", b"37", b"14", b"39"],
        vec![b"GEOSEARCH", b"nokey", b"FROMLONLAT", b"15", b"37", b"BYRADIUS", b"200", b"km"],
        vec![b"GEOSEARCH", b"s", b"FROMLONLAT", b"15", b"37", b"BYRADIUS", b"200", b"km"],
        vec![b"GEOSEARCH", b"k", b"FROMLONLAT", b"15", b"37", b"BYRADIUS", b"-1", b"km"],
        vec![b"GEORADIUS_RO", b"k", b"15", b"37", b"200", b"km"],
        vec![b"GEORADIUS", b"k", b"15", b"37", b"200", b"km", b"STORE", b"dst"],
        vec![b"GEORADIUSBYMEMBER", b"k", b"Palermo", b"200", b"km", b"ASC"],
        vec![b"GEORADIUSBYMEMBER_RO", b"k", b"nobody", b"200", b"km"],
    ];
    for q in &queries {
        let mut want = Vec::new();
        run(&mut srv, &mut c, q).write_compact(&mut want);
        srv.direct = Some(Vec::new());
        let r = run(&mut srv, &mut c, q);
        let buf = srv.direct.take().unwrap_or_default();
        let got = if std::mem::take(&mut srv.direct_written) {
            buf
        } else {
            let mut out = Vec::new();
            r.write_compact(&mut out);
            out
        };
        assert_eq!(got, want, "{:?}", q.iter().map(|a| String::from_utf8_lossy(a)).collect::<Vec<_>>());
    }
}

/// Uniform draws in `0..n` (0 for n = 0) from the crate's seeded generator.
fn uniform(seed: u64) -> impl FnMut(u64) -> u64 {
    let mut g = Rng::new(seed);
    move |n: u64| g.below(n as usize) as u64
}

/// Datasets for the k-nearest and pruning checks: clusters of identical
/// points (ties), a grid (distance ties by symmetry), the antimeridian, the
/// poles' limits with lon ±180, and a uniform city.
fn datasets() -> Vec<(&'static str, Vec<(f64, f64)>)> {
    let mut rnd = uniform(0x5eed);
    let mut sets = Vec::new();
    let mut v = Vec::new();
    for i in 0..3000 {
        let c = (i % 7) as f64;
        v.push((2.3 + c * 0.01, 48.8 + c * 0.005));
    }
    sets.push(("clusters", v));
    let mut v = Vec::new();
    for i in 0..60 {
        for j in 0..50 {
            v.push((10.0 + i as f64 * 0.001, 45.0 + j as f64 * 0.001));
        }
    }
    sets.push(("grid", v));
    let v = (0..3000)
        .map(|_| {
            let lon = 179.0 + rnd(2_000_000) as f64 / 1_000_000.0;
            (if lon > 180.0 { lon - 360.0 } else { lon }, rnd(400_000) as f64 / 100_000.0 - 2.0)
        })
        .collect();
    sets.push(("antimeridian", v));
    let v = (0..3000)
        .map(|i| match i % 5 {
            0 => ([180.0, -180.0, 0.0, 179.99999][rnd(4) as usize], [85.05112878, -85.05112878][rnd(2) as usize]),
            1 => (rnd(36_000) as f64 / 100.0 - 180.0, 85.0 + rnd(5_112) as f64 / 100_000.0),
            2 => (rnd(36_000) as f64 / 100.0 - 180.0, -85.0 - rnd(5_112) as f64 / 100_000.0),
            _ => (rnd(36_000) as f64 / 100.0 - 180.0, 80.0 + rnd(500) as f64 / 100.0),
        })
        .collect();
    sets.push(("poles", v));
    let v = (0..5000).map(|_| (1.85 + rnd(1_000_000) as f64 / 1e6, 48.35 + rnd(1_000_000) as f64 / 1e6)).collect();
    sets.push(("city", v));
    sets
}

fn load(points: &[(f64, f64)]) -> Store {
    let mut db = Store::new();
    for (c, chunk) in points.chunks(500).enumerate() {
        let mut argv = vec!["GEOADD".to_string(), "k".into()];
        for (i, (lon, lat)) in chunk.iter().enumerate() {
            argv.extend([format!("{lon}"), format!("{lat}"), format!("m{}", c * 500 + i)]);
        }
        assert!(!db.exec(&argv).is_error());
    }
    db
}

/// k-nearest (the rounds over a growing radius, the first radius from the
/// centre cell's count) equals Redis's scan + sort on every dataset, for
/// radius and box queries, COUNT from 1 to past the number of hits; and
/// the pruned scan equals the plain one.
#[test]
fn nearest_and_pruned_scan_equal_the_plain_scan() {
    let mut rnd = uniform(77);
    let key = |h: &geoindex::Hit| (h.node, h.score.to_bits(), h.dist.to_bits());
    for (name, points) in datasets() {
        let db = load(&points);
        let z = zset_of(&db, "k");
        let (mut fast, mut total) = (0, 0);
        for round in 0..150 {
            let (lon, lat) = match round % 10 {
                0 => ([180.0, -180.0, 0.0][rnd(3) as usize], [85.05112878, -85.05112878, 0.0][rnd(3) as usize]),
                _ => {
                    let p = points[rnd(points.len() as u64) as usize];
                    let jig = |v: f64, r: &mut dyn FnMut(u64) -> u64| v + (r(2001) as f64 - 1000.0) / 1e5;
                    (jig(p.0, &mut rnd).clamp(-180.0, 180.0), jig(p.1, &mut rnd).clamp(-85.05112878, 85.05112878))
                }
            };
            let conv = [1.0, 1000.0, 1609.34][rnd(3) as usize];
            let size = [50.0, 2_000.0, 200_000.0, 5.0e6][rnd(4) as usize] / conv;
            let kind = if rnd(3) == 0 { ShapeKind::Box(size, size * 0.5) } else { ShapeKind::Radius(size) };
            let shape = Shape { lon, lat, conv, kind };
            let plain = geoindex::search(z, &shape, 0, true);
            let pruned = geoindex::search(z, &shape, 0, false);
            assert_eq!(plain.iter().map(key).collect::<Vec<_>>(), pruned.iter().map(key).collect::<Vec<_>>(), "{name} {shape:?}");
            let mut sorted = plain.clone();
            sorted.sort_by(|a, b| a.dist.partial_cmp(&b.dist).unwrap());
            for k in [1, 2, 10, 50, 1000, plain.len() + 5] {
                total += 1;
                if let Some(near) = geoindex::nearest(z, &shape, k) {
                    fast += 1;
                    assert_eq!(near.len(), k.min(plain.len()), "{name} {shape:?} k={k}");
                    assert_eq!(near.iter().map(key).collect::<Vec<_>>(), sorted[..near.len()].iter().map(key).collect::<Vec<_>>(), "{name} {shape:?} k={k}");
                }
            }
        }
        // the fast path is taken on every dataset but the all-ties one (often
        // near the poles, where the limits hold stacks of identical points)
        let min = match name {
            "clusters" => 0,
            "poles" => total / 10,
            _ => total / 4,
        };
        assert!(fast > min || min == 0, "{name}: {fast} of {total}");
    }
}

/// GEOSEARCH ... COUNT k ASC through the command (k-nearest when it can)
/// equals the same search unsorted, sorted here as Redis would.
#[test]
fn count_asc_replies_equal_the_sorted_scan() {
    let mut rnd = uniform(5);
    for (name, points) in datasets() {
        let mut db = load(&points);
        for _ in 0..40 {
            let p = points[rnd(points.len() as u64) as usize];
            let (lon, lat) = (format!("{}", p.0), format!("{}", p.1));
            let k = [1, 3, 10, 100, 10_000][rnd(5) as usize].to_string();
            let r = ["0.5", "20", "3000", "20000"][rnd(4) as usize];
            let q = |extra: &[&str]| {
                let mut v = vec!["GEOSEARCH", "k", "FROMLONLAT", &lon, &lat, "BYRADIUS", r, "km", "WITHDIST"];
                v.extend_from_slice(extra);
                v.iter().map(|s| s.to_string()).collect::<Vec<_>>()
            };
            let got = db.exec(&q(&["COUNT", &k, "ASC"]));
            let Reply::Array(all) = db.exec(&q(&[])) else { panic!() };
            let dist = |r: &Reply| match r {
                Reply::Array(v) => match &v[1] {
                    Reply::Bulk(b) => String::from_utf8_lossy(b).parse::<f64>().unwrap(),
                    _ => panic!(),
                },
                _ => panic!(),
            };
            let Reply::Array(got_items) = &got else { panic!() };
            // distances ascending and the right number of them
            assert_eq!(got_items.len(), all.len().min(k.parse().unwrap()), "{name}");
            assert!(got_items.windows(2).all(|w| dist(&w[0]) <= dist(&w[1])), "{name}");
            // and every reply item is one of the scan's hits
            assert!(got_items.iter().all(|g| all.contains(g)), "{name}");
        }
    }
}

/// Plain member replies written straight into the lent buffer equal the
/// compact encoding of the usual reply, for large replies (the radix sort)
/// of binary, non-ASCII, empty, short, 8-byte and long members.
#[test]
fn direct_replies_with_all_kinds_of_members() {
    use cinnabar::{Options, Server};
    let mut srv = Server::new(Options::default());
    let mut c = srv.new_client();
    let mut rnd = uniform(9);
    let mut argv: Vec<Vec<u8>> = vec![b"GEOADD".to_vec(), b"k".to_vec()];
    for i in 0..1500u64 {
        argv.push(format!("{}", 2.0 + rnd(100_000) as f64 / 1e6).into_bytes());
        argv.push(format!("{}", 48.0 + rnd(100_000) as f64 / 1e6).into_bytes());
        let m: Vec<u8> = match i % 6 {
            0 => format!("p{i}").into_bytes(),
            1 => (0..rnd(40)).map(|_| rnd(256) as u8).chain(i.to_le_bytes()).collect(),
            2 => format!("caf\u{e9}-{i}").into_bytes(),
            3 => format!("{i:08}").into_bytes(),
            4 => format!("a-much-longer-member-name-{i}").into_bytes(),
            _ => format!("{i:x}").into_bytes(),
        };
        argv.push(m);
    }
    let refs: Vec<&[u8]> = argv.iter().map(|a| a.as_slice()).collect();
    srv.execute(&mut c, &refs);
    let ascii: Vec<&[u8]> = vec![b"GEOADD", b"a", b"2", b"48", b"x", b"2.0001", b"48", b"", b"2.0002", b"48", b"12345678"];
    srv.execute(&mut c, &ascii);
    for q in [
        vec![&b"GEOSEARCH"[..], b"k", b"FROMLONLAT", b"2.05", b"48.05", b"BYRADIUS", b"20", b"km", b"ASC"],
        vec![&b"GEOSEARCH"[..], b"k", b"FROMLONLAT", b"2.05", b"48.05", b"BYRADIUS", b"20", b"km", b"DESC"],
        vec![&b"GEOSEARCH"[..], b"k", b"FROMLONLAT", b"2.05", b"48.05", b"BYRADIUS", b"20", b"km"],
        vec![&b"GEOSEARCH"[..], b"k", b"FROMLONLAT", b"2.05", b"48.05", b"BYRADIUS", b"3", b"km", b"COUNT", b"700", b"ASC"],
        vec![&b"GEOSEARCH"[..], b"k", b"FROMLONLAT", b"2.05", b"48.05", b"BYRADIUS", b"20", b"km", b"COUNT", b"7", b"ASC"],
        vec![&b"GEOSEARCH"[..], b"a", b"FROMLONLAT", b"2", b"48", b"BYRADIUS", b"20", b"km", b"ASC"],
    ] {
        let mut want = Vec::new();
        srv.execute(&mut c, &q).write_compact(&mut want);
        srv.direct = Some(b"prefix".to_vec());
        let r = srv.execute(&mut c, &q);
        let mut got = srv.direct.take().unwrap_or_default();
        assert!(std::mem::take(&mut srv.direct_written));
        assert_eq!(r, Reply::Nil);
        assert_eq!(&got[..6], b"prefix");
        got.drain(..6);
        assert_eq!(got, want);
    }
}

/// `ranges_nodes` over ascending ranges gives what `range_nodes` gives for
/// each range in turn, whether the ranges share leaves or not.
#[test]
fn ranges_nodes_equals_range_by_range() {
    let mut db = Store::new();
    let mut rnd = uniform(3);
    let mut argv = vec!["ZADD".to_string(), "z".into()];
    for i in 0..5000 {
        argv.extend([format!("{}", rnd(20_000)), format!("m{i}")]);
    }
    db.exec(&argv);
    let z = zset_of(&db, "z");
    for _ in 0..300 {
        let mut bounds: Vec<f64> = (0..2 * (1 + rnd(12))).map(|_| rnd(21_000) as f64 - 500.0).collect();
        bounds.sort_by(|a, b| a.partial_cmp(b).unwrap());
        let ranges: Vec<(f64, f64)> = bounds.chunks(2).map(|p| (p[0], p[1])).collect();
        let mut want = Vec::new();
        for &(lo, hi) in &ranges {
            z.range_nodes(lo, hi, |s, n| {
                want.push((s.to_bits(), n));
                true
            });
        }
        let mut got = Vec::new();
        z.ranges_nodes(&ranges, |s, n| {
            got.push((s.to_bits(), n));
            true
        });
        assert_eq!(got, want);
        // stopping early stops the walk
        let stop = rnd(want.len() as u64 + 1) as usize;
        let mut seen = 0;
        let done = z.ranges_nodes(&ranges, |_, _| {
            seen += 1;
            seen < stop
        });
        assert_eq!(done, stop == 0 || stop > want.len(), "{stop} {}", want.len());
    }
}

/// A reply as redis-cli prints it, on one line: errors as their text,
/// arrays as `[a, b]`.
fn flat(r: &Reply) -> String {
    match r {
        Reply::Error(e) => e.text().to_string(),
        Reply::Bulk(b) => String::from_utf8_lossy(b).into_owned(),
        Reply::Int(n) => n.to_string(),
        Reply::Array(v) => format!("[{}]", v.iter().map(flat).collect::<Vec<_>>().join(", ")),
        other => format!("{other:?}"),
    }
}

/// The panic audit's odd inputs (huge and negative COUNT, NaN/inf/-0
/// coordinates, radius 0 and huge, a missing FROMMEMBER, WITH* on missing and
/// wrong-type keys, a store onto its own source, polygons short of or over
/// their count): Redis 7.0.15's replies (Valkey 9's for BYPOLYGON), taken
/// with redis-cli.
#[test]
fn odd_inputs_answer_as_redis() {
    let mut db = Store::new();
    db.exec(&["GEOADD", "k", "0", "0", "origin", "-0", "-0", "negzero", "13.361389", "38.115556", "Palermo", "180", "85.05112878", "corner"]);
    db.exec(&["SET", "str", "x"]);
    let cases: &[(&str, &str)] = &[
        ("GEOSEARCH k FROMLONLAT 0 0 BYRADIUS 1 km COUNT 9223372036854775807", "[negzero, origin]"),
        ("GEOSEARCH k FROMLONLAT 0 0 BYRADIUS 1 km COUNT -9223372036854775808", "ERR COUNT must be > 0"),
        ("GEOSEARCH k FROMLONLAT nan 0 BYRADIUS 1 km", "ERR value is not a valid float"),
        ("GEOSEARCH k FROMLONLAT 0 0 BYRADIUS nan km", "ERR need numeric radius"),
        ("GEOSEARCH k FROMLONLAT inf 0 BYRADIUS 1 km", "ERR invalid longitude,latitude pair inf,0.000000"),
        ("GEOSEARCH k FROMLONLAT -0 -0 BYRADIUS 0 m WITHDIST WITHCOORD WITHHASH", "[]"),
        ("GEOSEARCH k FROMLONLAT 0 0 BYRADIUS 1e300 km ASC WITHDIST", "[[negzero, 0.0003], [origin, 0.0003], [Palermo, 4454.7332]]"),
        ("GEOSEARCH k FROMLONLAT 0 0 BYRADIUS inf km DESC COUNT 2", "[Palermo, negzero]"),
        ("GEOSEARCH k FROMLONLAT 0 0 BYBOX inf inf mi COUNT 1 ANY", "[negzero]"),
        ("GEOSEARCH k FROMMEMBER missing BYRADIUS 1 km", "ERR could not decode requested zset member"),
        ("GEOSEARCH nokey FROMMEMBER missing BYRADIUS 1 km WITHDIST WITHHASH WITHCOORD", "[]"),
        ("GEOSEARCH str FROMLONLAT 0 0 BYRADIUS 1 km WITHDIST", "WRONGTYPE Operation against a key holding the wrong kind of value"),
        ("GEOSEARCHSTORE k k FROMMEMBER origin BYRADIUS 1 km STOREDIST", "2"),
        ("ZRANGE k 0 -1 WITHSCORES", "[negzero, 0, origin, 0]"),
        // (the scores are now distances: both points decode to the cell at score 0)
        ("GEORADIUS k 0 0 1e308 ft WITHDIST COUNT 4294967296", "[[negzero, 34648332.5982], [origin, 34648332.5982]]"),
        ("GEORADIUSBYMEMBER nokey missing 1 km STORE k", "0"),
        ("EXISTS k", "0"),
        // Valkey 9's BYPOLYGON (its replies) with fewer coordinates than the count says, and one too many.
        ("GEOSEARCH k BYPOLYGON 3 0 0 1 0", "ERR GEOSEARCH BYPOLYGON must have at least 3 vertices"),
        ("GEOSEARCH k BYPOLYGON 3 0 0 1 0 1", "ERR GEOSEARCH BYPOLYGON must have at least 3 vertices"),
        ("GEOSEARCH k BYPOLYGON 3 0 0 2 0 2 2 0", "ERR syntax error"),
    ];
    for (cmd, want) in cases {
        let argv: Vec<&str> = cmd.split(' ').collect();
        assert_eq!(flat(&db.exec(&argv)), *want, "{cmd}");
    }
}
