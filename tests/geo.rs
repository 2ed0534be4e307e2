//! Geo: whole-reply expectations, and the geo index held to Redis's plain
//! 9-cell scan (same members, same order) while points move.

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
    let mut x = 11u64;
    let mut rnd = move |n: u64| {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x % n
    };
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
    let mut x = 3u64;
    let mut rnd = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        (x >> 11) as f64 / (1u64 << 53) as f64
    };
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
    let mut x = 42u64;
    let mut rnd = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        (x >> 11) as f64 / (1u64 << 53) as f64
    };
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
