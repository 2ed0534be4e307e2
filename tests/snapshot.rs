//! Snapshots: round trips of every type (values, encodings, order, TTLs, field
//! TTLs, every database), expiry while "closed", all-or-nothing restores,
//! corruption (truncation at every offset, byte flips, forged checksums, wrong
//! version, oversized counts), and the two-tab merge.

mod support;

use cinnabar::reply::Reply;
use cinnabar::snapshot::{self, SnapshotError};
use cinnabar::value::Value;
use cinnabar::{Client, ManualClock, Options, Server};
use support::Gen;

const T0: i64 = 1_700_000_000_000;

fn run(srv: &mut Server, c: &mut Client, argv: &[&[u8]]) -> Reply {
    srv.execute(c, argv)
}
fn runs(srv: &mut Server, c: &mut Client, argv: &[&str]) -> Reply {
    let refs: Vec<&[u8]> = argv.iter().map(|a| a.as_bytes()).collect();
    srv.execute(c, &refs)
}

fn setup(at: i64) -> (Server, Client, ManualClock) {
    let clock = ManualClock::new(at);
    let mut srv = Server::with_clock(Options::default(), Box::new(clock.clone()));
    let c = srv.new_client();
    (srv, c, clock)
}

/// Every key of every database in slot order: key, type, encoding, value (in
/// iteration order) with field TTLs, and the absolute expiry.
fn describe(srv: &Server) -> Vec<String> {
    let mut out = Vec::new();
    for (i, db) in srv.dbs.iter().enumerate() {
        for e in db.iter() {
            let v = match &e.val {
                Value::Int(n) => format!("{n}"),
                Value::Str(b) | Value::Raw(b) => format!("{b:?}"),
                Value::Set(s) => format!("{:?}", s.members()),
                Value::ZSet(z) => format!("{:?}", z.iter().map(|(m, sc)| (m.to_vec(), sc.to_bits())).collect::<Vec<_>>()),
                Value::List(l) => format!("{:?}", l.iter().collect::<Vec<_>>()),
                Value::Hash(h) => {
                    let mut parts = Vec::new();
                    for (f, x) in h.pairs() {
                        parts.push(format!("{f:?}={x:?}@{:?}", h.expire_of(&f)));
                    }
                    parts.join(",")
                }
                #[allow(unreachable_patterns)]
                other => format!("{other:?}"),
            };
            out.push(format!("{i}|{:?}|{}|{}|{v}|{:?}", e.key(), e.val.type_name(), e.val.encoding(), e.expire()));
        }
    }
    out
}

/// A store holding every type and encoding, TTLs and field TTLs, several
/// databases, binary keys and values.
fn populated(g: &mut Gen, srv: &mut Server, c: &mut Client, keys: usize) {
    for i in 0..keys {
        let db = (g.below(3) * 5).to_string();
        runs(srv, c, &["SELECT", &db]);
        let key = if g.chance(10) { g.bytes(12) } else { format!("k{i}").into_bytes() };
        let k: &[u8] = &key;
        match g.below(13) {
            12 => make_stream(g, srv, c, k),
            9 => {
                let big = g.chance(15);
                for j in 0..1 + g.below(if big { 300 } else { 10 }) {
                    let score = match g.below(6) {
                        0 => "inf".to_string(),
                        1 => "-inf".to_string(),
                        2 => "-0".to_string(),
                        3 => format!("{}", g.below(1000) as f64 / 7.0),
                        _ => g.below(100).to_string(),
                    };
                    let m = if g.chance(10) { vec![b'm'; 70] } else { format!("m{j}").into_bytes() };
                    run(srv, c, &[b"ZADD", k, score.as_bytes(), &m]);
                }
            }
            10 | 11 => {
                for _ in 0..1 + g.below(40) {
                    let v = g.bytes(12);
                    run(srv, c, &[if g.chance(50) { b"LPUSH".as_slice() } else { b"RPUSH" }, k, &v]);
                }
            }
            0 => {
                let v = g.bytes(60);
                run(srv, c, &[b"SET", k, &v]);
            }
            1 => {
                let v = g.numberish();
                run(srv, c, &[b"SET", k, v.as_bytes()]);
            }
            2 => {
                run(srv, c, &[b"SET", k, b"12"]);
                run(srv, c, &[b"APPEND", k, b"3"]);
            }
            3 => {
                for _ in 0..=g.below(20) {
                    let m = (g.below(1000) as i64 - 500).to_string();
                    run(srv, c, &[b"SADD", k, m.as_bytes()]);
                }
            }
            4 => {
                // converts to hashtable past set-max-intset-entries
                let n = if g.chance(20) { 600 } else { 1 + g.below(30) };
                for _ in 0..n {
                    let m = if g.chance(50) { g.bytes(8) } else { g.below(100_000).to_string().into_bytes() };
                    run(srv, c, &[b"SADD", k, &m]);
                }
            }
            5 | 6 => {
                let big = g.chance(10);
                let n = 1 + g.below(if big { 200 } else { 10 });
                for j in 0..n {
                    let v = if g.chance(5) { vec![b'x'; 80] } else { g.bytes(10) };
                    run(srv, c, &[b"HSET", k, format!("f{j}").as_bytes(), &v]);
                }
            }
            7 => {
                for j in 0..5 {
                    run(srv, c, &[b"HSET", k, format!("f{j}").as_bytes(), b"v"]);
                }
                let ms = (1000 + g.below(100_000)).to_string();
                run(srv, c, &[b"HPEXPIRE", k, ms.as_bytes(), b"FIELDS", b"2", b"f1", b"f3"]);
            }
            _ => {
                let px = (1 + g.below(1_000_000)).to_string();
                run(srv, c, &[b"SET", k, b"v", b"PX", px.as_bytes()]);
            }
        }
        if g.chance(25) {
            let px = (1 + g.below(10_000_000)).to_string();
            run(srv, c, &[b"PEXPIRE", k, px.as_bytes()]);
        }
    }
    runs(srv, c, &["SELECT", "0"]);
}

/// A stream with every part a snapshot carries: entries sharing and not
/// sharing their node's master fields, several nodes, tombstones (XDEL, exact
/// XTRIM), a max deleted id, consumer groups with consumers, pending entries
/// (some claimed, some with their entry deleted), and sometimes no entries.
fn make_stream(g: &mut Gen, srv: &mut Server, c: &mut Client, k: &[u8]) {
    let per_node: &[u8] = if g.chance(50) { b"4" } else { b"100" };
    run(srv, c, &[b"CONFIG", b"SET", b"stream-node-max-entries", per_node]);
    let big = g.chance(10);
    let n = 1 + g.below(if big { 300 } else { 25 });
    let mut ids = Vec::new();
    for i in 0..n {
        let id = format!("{}-{}", 1000 + i / 3 * 7, i % 3);
        let v = g.bytes(6);
        let r = if g.chance(70) {
            run(srv, c, &[b"XADD", k, id.as_bytes(), b"temp", &v, b"hum", b"12"])
        } else {
            run(srv, c, &[b"XADD", k, id.as_bytes(), b"other", &v])
        };
        assert!(matches!(r, Reply::Bulk(_)), "{r:?}");
        ids.push(id);
    }
    for _ in 0..g.below(4) {
        let id = &ids[g.below(ids.len() as u64) as usize];
        run(srv, c, &[b"XDEL", k, id.as_bytes()]);
    }
    if g.chance(30) {
        let keep = g.below(n + 1).to_string();
        run(srv, c, &[b"XTRIM", k, b"MAXLEN", keep.as_bytes()]);
    }
    for gi in 0..g.below(3) {
        let grp = format!("g{gi}");
        let start = if g.chance(50) { "0" } else { "$" };
        run(srv, c, &[b"XGROUP", b"CREATE", k, grp.as_bytes(), start.as_bytes()]);
        for ci in 0..g.below(4) {
            let cons = format!("c{ci}");
            if g.chance(30) {
                run(srv, c, &[b"XGROUP", b"CREATECONSUMER", k, grp.as_bytes(), cons.as_bytes()]);
            } else {
                let cnt = (1 + g.below(5)).to_string();
                run(srv, c, &[b"XREADGROUP", b"GROUP", grp.as_bytes(), cons.as_bytes(), b"COUNT", cnt.as_bytes(), b"STREAMS", k, b">"]);
            }
        }
        let id = &ids[g.below(ids.len() as u64) as usize];
        run(srv, c, &[b"XCLAIM", k, grp.as_bytes(), b"claimer", b"0", id.as_bytes(), b"RETRYCOUNT", b"7"]);
        if g.chance(30) {
            run(srv, c, &[b"XACK", k, grp.as_bytes(), id.as_bytes()]);
        }
        if g.chance(20) {
            run(srv, c, &[b"XDEL", k, ids[0].as_bytes()]);
        }
    }
    if g.chance(10) {
        run(srv, c, &[b"XTRIM", k, b"MAXLEN", b"0"]);
    }
    run(srv, c, &[b"CONFIG", b"SET", b"stream-node-max-entries", b"100"]);
}

fn sample() -> (Server, Client, ManualClock, Vec<u8>) {
    let (mut srv, mut c, clock) = setup(T0);
    populated(&mut Gen::new(7), &mut srv, &mut c, 400);
    let snap = srv.snapshot().unwrap();
    (srv, c, clock, snap)
}

#[test]
fn round_trip_every_type() {
    let (srv, _c, _clock, snap) = sample();
    let before = describe(&srv);
    assert!(before.len() > 300);
    for ty in ["string", "set", "hash", "zset", "list", "stream"] {
        assert!(before.iter().any(|l| l.contains(&format!("|{ty}|"))), "{ty} missing from the sample");
    }
    for enc in ["|int|", "|embstr|", "|raw|", "|intset|", "|hashtable|", "|listpack|", "|skiplist|", "|quicklist|"] {
        assert!(before.iter().any(|l| l.contains(enc)), "{enc} missing from the sample");
    }
    let (mut other, mut c2, _) = setup(T0);
    let r = other.restore_snapshot(&snap).unwrap();
    assert_eq!(r.keys, before.len());
    assert!(r.expired.is_empty());
    assert_eq!(describe(&other), before);
    // and the bytes are stable
    assert_eq!(other.snapshot().unwrap(), snap);
    // commands see the same TTLs
    for l in before.iter().filter(|l| l.starts_with("0|") && !l.ends_with("None")).take(20) {
        let key = l.split('|').nth(1).unwrap();
        let key: Vec<u8> = serde_like_bytes(key);
        let a = other.execute(&mut c2, &[b"PTTL", &key]);
        assert!(matches!(a, Reply::Int(n) if n > 0), "{l}: {a:?}");
    }
}

/// Parses the `{:?}` of a byte slice back ("[1, 2, 3]").
fn serde_like_bytes(s: &str) -> Vec<u8> {
    s.trim_matches(|c| c == '[' || c == ']').split(", ").filter(|x| !x.is_empty()).map(|x| x.parse().unwrap()).collect()
}

#[test]
fn expired_while_closed_are_dropped_and_reported() {
    let (mut srv, mut c, _) = setup(T0);
    runs(&mut srv, &mut c, &["SET", "short", "1", "PX", "1000"]);
    runs(&mut srv, &mut c, &["SET", "long", "1", "PX", "100000"]);
    runs(&mut srv, &mut c, &["HSET", "h", "a", "1", "b", "2"]);
    runs(&mut srv, &mut c, &["HPEXPIRE", "h", "1000", "FIELDS", "1", "a"]);
    runs(&mut srv, &mut c, &["HSET", "gone", "a", "1"]);
    runs(&mut srv, &mut c, &["HPEXPIRE", "gone", "1000", "FIELDS", "1", "a"]);
    runs(&mut srv, &mut c, &["SELECT", "3"]);
    runs(&mut srv, &mut c, &["SET", "short3", "x", "PX", "10"]);
    let snap = srv.snapshot().unwrap();

    // reopened 5 s later
    let (mut srv2, mut c2, _) = setup(T0 + 5000);
    runs(&mut srv2, &mut c2, &["CONFIG", "SET", "notify-keyspace-events", "Ex"]);
    let r = srv2.restore_snapshot(&snap).unwrap();
    let mut exp: Vec<String> = r.expired.iter().map(|(d, k)| format!("{d}:{}", String::from_utf8_lossy(k))).collect();
    exp.sort();
    assert_eq!(exp, ["0:gone", "0:short", "3:short3"]);
    assert_eq!(r.keys, 2);
    let ev: Vec<String> = srv2.take_events().iter().map(|e| format!("{}:{}", e.event, String::from_utf8_lossy(&e.key))).collect();
    assert_eq!(ev.len(), 3);
    assert!(ev.iter().all(|e| e.starts_with("expired:")));
    assert_eq!(runs(&mut srv2, &mut c2, &["PTTL", "long"]), Reply::Int(95_000));
    assert_eq!(runs(&mut srv2, &mut c2, &["HGETALL", "h"]), Reply::Array(vec![Reply::bulk_str("b"), Reply::bulk_str("2")]));
    assert_eq!(runs(&mut srv2, &mut c2, &["INFO", "keyspace"]), runs(&mut srv2, &mut c2, &["INFO", "keyspace"]));
}

#[test]
fn snapshot_leaves_out_expired_keys_and_fields() {
    let (mut srv, mut c, clock) = setup(T0);
    runs(&mut srv, &mut c, &["SET", "a", "1", "PX", "10"]);
    runs(&mut srv, &mut c, &["HSET", "h", "f", "1"]);
    runs(&mut srv, &mut c, &["HPEXPIRE", "h", "10", "FIELDS", "1", "f"]);
    runs(&mut srv, &mut c, &["SET", "b", "2"]);
    clock.advance(20);
    let snap = srv.snapshot().unwrap();
    assert_eq!(snapshot::info(&snap).unwrap().keys, 1);
    let (mut other, _, _) = setup(T0 + 20);
    assert_eq!(other.restore_snapshot(&snap).unwrap().keys, 1);
}

#[test]
fn restore_is_all_or_nothing() {
    let (_srv, _c, _clock, snap) = sample();
    let (mut other, mut c, _) = setup(T0);
    runs(&mut other, &mut c, &["SET", "mine", "1"]);
    let before = describe(&other);
    let mut bad = snap.clone();
    let n = bad.len();
    bad[n / 2] ^= 0x40;
    assert!(matches!(other.restore_snapshot(&bad), Err(SnapshotError::Checksum { .. })));
    assert_eq!(describe(&other), before);
    // a well-formed snapshot that needs more databases than the store has
    let (mut small, mut sc, _) = {
        let clock = ManualClock::new(T0);
        let mut s = Server::with_clock(Options { databases: 2, ..Options::default() }, Box::new(clock.clone()));
        let c = s.new_client();
        (s, c, clock)
    };
    runs(&mut small, &mut sc, &["SET", "keep", "me"]);
    let err = small.restore_snapshot(&snap).unwrap_err();
    assert!(matches!(err, SnapshotError::Databases { have: 2, .. }), "{err}");
    assert_eq!(runs(&mut small, &mut sc, &["GET", "keep"]), Reply::bulk_str("me"));
}

#[test]
fn restore_breaks_watch() {
    let (_srv, _c, _clock, snap) = sample();
    let (mut other, mut c, _) = setup(T0);
    runs(&mut other, &mut c, &["WATCH", "k1"]);
    other.restore_snapshot(&snap).unwrap();
    runs(&mut other, &mut c, &["MULTI"]);
    runs(&mut other, &mut c, &["PING"]);
    assert_eq!(runs(&mut other, &mut c, &["EXEC"]), Reply::NilArray);
}

fn check_refused(b: &[u8]) -> SnapshotError {
    let (mut s, _, _) = setup(T0);
    let e = s.restore_snapshot(b).expect_err("a damaged snapshot must be refused");
    assert_eq!(s.total_keys(), 0);
    assert!(!e.to_string().is_empty());
    e
}

#[test]
fn truncation_at_every_offset_is_refused() {
    let (srv, _c, _clock, _) = sample();
    // a small but complete sample keeps this O(n²) loop quick
    let mut small = setup(T0);
    populated(&mut Gen::new(3), &mut small.0, &mut small.1, 40);
    let snap = small.0.snapshot().unwrap();
    assert!(snap.len() > 500);
    assert!(describe(&small.0).iter().any(|l| l.contains("|stream|")), "no stream in the truncation sample");
    for cut in 0..snap.len() {
        check_refused(&snap[..cut]);
    }
    drop(srv);
}

#[test]
fn byte_flips_are_refused() {
    let (_srv, _c, _clock, snap) = sample();
    let mut g = Gen::new(11);
    for _ in 0..2000 {
        let mut b = snap.clone();
        let flips = 1 + g.below(4);
        for _ in 0..flips {
            let i = g.below(b.len() as u64) as usize;
            b[i] ^= 1 << g.below(8);
        }
        check_refused(&b);
    }
}

/// Recomputes the checksum so damage reaches the parser.
fn forge(b: &mut [u8]) {
    let n = b.len();
    let crc = snapshot::crc32c(&b[..n - 4]);
    b[n - 4..].copy_from_slice(&crc.to_le_bytes());
}

#[test]
fn forged_checksums_never_panic_and_stay_atomic() {
    let (_srv, _c, _clock, snap) = sample();
    let mut g = Gen::new(5);
    let mut accepted = 0;
    for _ in 0..3000 {
        let mut b = snap.clone();
        for _ in 0..1 + g.below(3) {
            let i = 6 + g.below(b.len() as u64 - 10) as usize;
            b[i] = g.below(256) as u8;
        }
        forge(&mut b);
        let (mut s, mut c, _) = setup(T0);
        runs(&mut s, &mut c, &["SET", "sentinel", "1"]);
        match s.restore_snapshot(&b) {
            Ok(_) => accepted += 1,
            Err(_) => assert_eq!(runs(&mut s, &mut c, &["GET", "sentinel"]), Reply::bulk_str("1")),
        }
        // the store stays usable either way
        runs(&mut s, &mut c, &["SET", "x", "y"]);
        let _ = s.snapshot().unwrap();
    }
    // changing a value byte inside a string keeps the snapshot valid: some pass
    assert!(accepted > 0 && accepted < 3000, "{accepted}");
}

#[test]
fn header_errors_are_clear() {
    let (_srv, _c, _clock, snap) = sample();
    assert_eq!(check_refused(b""), SnapshotError::TooShort(0));
    assert_eq!(check_refused(b"REDIS0009 not ours, not ours at all"), SnapshotError::BadMagic);
    let mut v = snap.clone();
    v[4] = 3;
    forge(&mut v);
    assert_eq!(check_refused(&v), SnapshotError::Version(3));
    assert!(check_refused(&v).to_string().contains("unsupported format version 3"));
    let mut f = snap.clone();
    f[5] = 1;
    forge(&mut f);
    assert_eq!(check_refused(&f), SnapshotError::Flags(1));
    let mut extra = snap.clone();
    extra.insert(extra.len() - 4, 0);
    forge(&mut extra);
    assert!(matches!(check_refused(&extra), SnapshotError::Corrupt { .. }));
}

/// Hand-built bodies: huge counts and lengths must fail before allocating.
#[test]
fn oversized_counts_fail_without_allocating() {
    fn build(body: &[u8]) -> Vec<u8> {
        let mut b = vec![0x89, b'C', b'N', b'B', 1, 0, 16];
        b.extend_from_slice(&T0.to_le_bytes());
        b.push(0xFE);
        b.extend_from_slice(&[0, 1]);
        b.extend_from_slice(body);
        b.push(0xFF);
        b.extend_from_slice(&1u64.to_le_bytes());
        b.extend_from_slice(&[0; 4]);
        forge(&mut b);
        b
    }
    let max = [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01];
    // set of 2^64-1 members
    let mut body = vec![0x11, 1, b'k'];
    body.extend_from_slice(&max);
    assert!(matches!(check_refused(&build(&body)), SnapshotError::Truncated(_)));
    // string of 2^63 bytes
    let mut body = vec![0x00, 1, b'k'];
    body.extend_from_slice(&[0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01]);
    assert!(matches!(check_refused(&build(&body)), SnapshotError::Truncated(_)));
    // an 11-byte varint
    let mut body = vec![0x00, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01];
    body.push(0);
    assert!(matches!(check_refused(&build(&body)), SnapshotError::Corrupt { .. }));
    // unsorted intset, duplicate members, empty set, unknown tag, duplicate key
    for body in [
        vec![0x10, 1, b'k', 2, 4, 0],
        vec![0x11, 1, b'k', 2, 1, b'a', 1, b'a'],
        vec![0x11, 1, b'k', 0],
        vec![0x7A, 1, b'k', 0],
        vec![0x20, 1, b'k', 2, 1, b'f', 1, b'v', 1, b'f', 1, b'w'],
    ] {
        assert!(matches!(check_refused(&build(&body)), SnapshotError::Corrupt { .. }), "{body:?}");
    }
    // counts that pass the bytes-left check, then duplicates: the tables
    // sized by the count are reserved fallibly (in wasm an infallible one
    // of ~13 bytes per claimed member could abort the instance)
    for (tag, each) in [(0x11u8, 1usize), (0x21, 3)] {
        let n = 1usize << 20;
        let mut body = vec![tag, 1, b'k', 0x80, 0x80, 0x40];
        body.resize(body.len() + n * each, 0);
        assert!(matches!(check_refused(&build(&body)), SnapshotError::Corrupt { .. }), "{tag:#x}");
    }
    // a valid body for the same builder (sanity)
    let (mut s, mut c, _) = setup(T0);
    s.restore_snapshot(&build(&[0x00, 1, b'k', 1, b'v'])).unwrap();
    assert_eq!(runs(&mut s, &mut c, &["GET", "k"]), Reply::bulk_str("v"));
}

#[test]
fn loading_respects_the_stores_limits() {
    let (mut srv, mut c, _) = setup(T0);
    for i in 0..100 {
        runs(&mut srv, &mut c, &["SADD", "s", &i.to_string()]);
        runs(&mut srv, &mut c, &["HSET", "h", &format!("f{i}"), "v"]);
    }
    let snap = srv.snapshot().unwrap();
    let (mut small, mut c2, _) = setup(T0);
    small.config.set_max_intset_entries = 10; // not settable by CONFIG here
    runs(&mut small, &mut c2, &["CONFIG", "SET", "hash-max-listpack-entries", "10"]);
    small.restore_snapshot(&snap).unwrap();
    assert_eq!(runs(&mut small, &mut c2, &["OBJECT", "ENCODING", "s"]), Reply::bulk_str("hashtable"));
    assert_eq!(runs(&mut small, &mut c2, &["OBJECT", "ENCODING", "h"]), Reply::bulk_str("hashtable"));
    assert_eq!(runs(&mut small, &mut c2, &["SCARD", "s"]), Reply::Int(100));
}

#[test]
fn merge_keeps_both_writers_keys() {
    // tab A and tab B start from the same saved state
    let (mut a, mut ca, _) = setup(T0);
    runs(&mut a, &mut ca, &["SET", "shared", "0"]);
    runs(&mut a, &mut ca, &["SET", "gone", "x"]);
    let base = a.snapshot().unwrap();
    let (mut b, mut cb, _) = setup(T0);
    b.restore_snapshot(&base).unwrap();
    a.changes.track(true);
    b.changes.track(true);
    runs(&mut a, &mut ca, &["SET", "from-a", "1"]);
    runs(&mut a, &mut ca, &["SET", "shared", "a"]);
    runs(&mut b, &mut cb, &["SET", "from-b", "2"]);
    runs(&mut b, &mut cb, &["DEL", "gone"]);
    runs(&mut b, &mut cb, &["HSET", "hb", "f", "v"]);
    // A saves first
    a.changes.begin_save();
    let saved_a = a.snapshot().unwrap();
    a.changes.end_save(true);
    assert_eq!(a.changes.pending(), 0);
    // B merges A's save under its own changes, then saves
    b.merge_snapshot(&saved_a).unwrap();
    assert_eq!(b.changes.pending(), 3);
    for (k, v) in [("from-a", "1"), ("from-b", "2"), ("shared", "a")] {
        assert_eq!(runs(&mut b, &mut cb, &["GET", k]), Reply::bulk_str(v), "{k}");
    }
    assert_eq!(runs(&mut b, &mut cb, &["EXISTS", "gone"]), Reply::Int(0));
    // a database flushed in B is B's whole
    runs(&mut b, &mut cb, &["SELECT", "1"]);
    runs(&mut b, &mut cb, &["SET", "only-b", "1"]);
    runs(&mut a, &mut ca, &["SELECT", "1"]);
    runs(&mut a, &mut ca, &["SET", "a1", "1"]);
    runs(&mut b, &mut cb, &["FLUSHDB"]);
    runs(&mut b, &mut cb, &["SET", "after-flush", "1"]);
    let saved_a2 = a.snapshot().unwrap();
    b.merge_snapshot(&saved_a2).unwrap();
    assert_eq!(runs(&mut b, &mut cb, &["KEYS", "*"]), Reply::Array(vec![Reply::bulk_str("after-flush")]));
    // a failed save keeps its changes pending
    b.changes.begin_save();
    b.changes.end_save(false);
    assert!(b.changes.pending() >= 4);
}

/// A merge drops, from the incoming snapshot's expired keys, exactly the ones
/// this store has pending writes to (theirs stand), whatever their number.
#[test]
fn merge_keeps_pending_keys_out_of_the_expired() {
    let (mut a, mut ca, clock_a) = setup(T0);
    for i in 0..2000 {
        runs(&mut a, &mut ca, &["SET", &format!("k{i}"), "a", "PX", "100"]);
    }
    let saved_a = a.snapshot().unwrap();
    let (mut b, mut cb, clock_b) = setup(T0);
    b.changes.track(true);
    // B writes every other key (and one in database 1 of the same name, not pending in 0)
    for i in (0..2000).step_by(2) {
        runs(&mut b, &mut cb, &["SET", &format!("k{i}"), "b"]);
    }
    runs(&mut b, &mut cb, &["SELECT", "1"]);
    runs(&mut b, &mut cb, &["SET", "k1", "b1"]);
    runs(&mut b, &mut cb, &["SELECT", "0"]);
    clock_a.advance(1000);
    clock_b.advance(1000);
    let r = b.merge_snapshot(&saved_a).unwrap();
    // A's keys have expired: the odd ones are reported expired, B's even ones kept
    let mut exp: Vec<_> = r.expired.iter().map(|(d, k)| (*d, String::from_utf8_lossy(k).into_owned())).collect();
    exp.sort();
    let mut want: Vec<_> = (1..2000).step_by(2).map(|i| (0, format!("k{i}"))).collect();
    want.sort();
    assert_eq!(exp, want);
    assert_eq!(runs(&mut b, &mut cb, &["DBSIZE"]), Reply::Int(1000));
    assert_eq!(runs(&mut b, &mut cb, &["GET", "k0"]), Reply::bulk_str("b"));
    assert_eq!(runs(&mut b, &mut cb, &["GET", "k1"]), Reply::Nil);
}

/// Timing of save and restore for 200,000 mixed keys (not a pass/fail test):
/// `cargo test --release --test snapshot -- --ignored --nocapture timing`.
#[test]
#[ignore]
fn timing() {
    let (mut srv, mut c, _) = setup(T0);
    for i in 0..200_000 {
        let k = format!("key:{i}");
        let argv: Vec<String> = match i % 10 {
            0..=5 => vec!["SET".into(), k, format!("value-{i}-abcdefghijklmno")],
            6 => vec!["HSET".into(), k, "name".into(), format!("u{i}"), "mail".into(), format!("u{i}@x.com"), "n".into(), "1".into()],
            7 => vec!["SADD".into(), k, "a".into(), "b".into(), format!("t{i}"), "common".into()],
            8 => vec!["ZADD".into(), k, "1".into(), "a".into(), "2.5".into(), "b".into(), "3".into(), "c".into()],
            _ => vec!["RPUSH".into(), k, "j1".into(), "j2".into(), "j3".into(), "j4".into()],
        };
        let refs: Vec<&[u8]> = argv.iter().map(|a| a.as_bytes()).collect();
        run(&mut srv, &mut c, &refs);
    }
    let t = std::time::Instant::now();
    let mut snap = Vec::new();
    for _ in 0..5 {
        snap = srv.snapshot().unwrap();
    }
    let save = t.elapsed() / 5;
    let lim = snapshot::Limits::of(&srv);
    let (mut restore, mut drop) = (std::time::Duration::ZERO, std::time::Duration::ZERO);
    for _ in 0..5 {
        let t = std::time::Instant::now();
        let l = snapshot::decode(&snap, &lim, T0, 0).unwrap();
        restore += t.elapsed();
        assert_eq!(l.keys, 200_000);
        let t = std::time::Instant::now();
        std::mem::drop(l);
        drop += t.elapsed();
    }
    let (restore, drop) = (restore / 5, drop / 5);
    eprintln!("decode {restore:?}, dropping the decoded store {drop:?}");
    let t = std::time::Instant::now();
    for _ in 0..5 {
        std::hint::black_box(snapshot::crc32c(&snap));
    }
    eprintln!("{} bytes; save {save:?}, restore {restore:?}, crc {:?}", snap.len(), t.elapsed() / 5);
}

/// Every stream key's XINFO STREAM FULL, XINFO GROUPS/CONSUMERS (idle times
/// included: they count from the absolute times the snapshot keeps) and
/// OBJECT ENCODING, database by database.
fn streams_view(srv: &mut Server, c: &mut Client) -> Vec<(Vec<u8>, Reply)> {
    let mut out = Vec::new();
    for d in 0..16 {
        runs(srv, c, &["SELECT", &d.to_string()]);
        let Reply::Array(keys) = runs(srv, c, &["KEYS", "*"]) else { panic!() };
        let mut keys: Vec<Vec<u8>> = keys.into_iter().map(|k| if let Reply::Bulk(b) = k { b } else { panic!() }).collect();
        keys.sort();
        for k in keys {
            if runs(srv, c, &["TYPE", &String::from_utf8_lossy(&k)]) != Reply::Status("stream".into()) {
                continue;
            }
            let full = run(srv, c, &[b"XINFO", b"STREAM", &k, b"FULL"]);
            let short = run(srv, c, &[b"XINFO", b"STREAM", &k]);
            let groups = run(srv, c, &[b"XINFO", b"GROUPS", &k]);
            let mut consumers = Vec::new();
            for gi in 0..3 {
                consumers.push(run(srv, c, &[b"XINFO", b"CONSUMERS", &k, format!("g{gi}").as_bytes()]));
            }
            out.push((k, Reply::Array(vec![full, short, groups, Reply::Array(consumers)])));
        }
    }
    runs(srv, c, &["SELECT", "0"]);
    out
}

#[test]
fn streams_round_trip_with_xinfo_stream_full_identical() {
    let (mut srv, mut c, clock) = setup(T0);
    let mut g = Gen::new(21);
    for i in 0..60 {
        let k = format!("s{i}");
        clock.advance(g.below(5000) as i64);
        make_stream(&mut g, &mut srv, &mut c, k.as_bytes());
    }
    // an empty stream with groups, one with a TTL, one in another database
    runs(&mut srv, &mut c, &["XGROUP", "CREATE", "empty", "g0", "$", "MKSTREAM"]);
    runs(&mut srv, &mut c, &["XADD", "ttl", "5-5", "a", "b"]);
    runs(&mut srv, &mut c, &["PEXPIRE", "ttl", "100000"]);
    runs(&mut srv, &mut c, &["SELECT", "3"]);
    runs(&mut srv, &mut c, &["XADD", "s3", "*", "a", "b"]);
    runs(&mut srv, &mut c, &["SELECT", "0"]);
    clock.advance(1234);
    let before = streams_view(&mut srv, &mut c);
    assert!(before.len() >= 60);
    // the sample holds pending entries with delivery counts > 1 and tombstones
    let text = format!("{:?}", before.iter().map(|(_, r)| r).collect::<Vec<_>>());
    assert!(text.contains("Int(7)"), "no XCLAIM RETRYCOUNT 7 in the sample");
    let mut tomb = 0;
    for e in srv.dbs[0].iter() {
        if let Value::Stream(st) = &e.val {
            tomb += st.nodes().flatten().filter(|it| it.is_deleted()).count();
        }
    }
    assert!(tomb > 0);
    let snap = srv.snapshot().unwrap();

    // the same moment, and 50 s later (idle times grow, absolute times stay)
    let base = clock.get();
    for later in [0, 50_000] {
        clock.set(base);
        srv.restore_snapshot(&snap).unwrap();
        let (mut other, mut c2, clock2) = setup(base + later);
        let r = other.restore_snapshot(&snap).unwrap();
        assert!(r.expired.is_empty());
        clock.set(base + later);
        let after = streams_view(&mut other, &mut c2);
        assert_eq!(after, streams_view(&mut srv, &mut c), "after {later} ms");
        if later == 0 {
            assert_eq!(after, before);
        }
        assert_eq!(describe(&other), describe(&srv));
        // the reloaded streams keep working the same way
        for k in ["s1", "s2", "s7", "empty"] {
            for cmd in [
                &["XADD", k, "*", "temp", "1", "hum", "12"][..],
                &["XREADGROUP", "GROUP", "g0", "c9", "COUNT", "3", "STREAMS", k, ">"],
                &["XAUTOCLAIM", k, "g0", "c8", "0", "0-0"],
                &["XTRIM", k, "MAXLEN", "~", "2"],
                &["XINFO", "STREAM", k, "FULL"],
            ] {
                clock.advance(3);
                clock2.advance(3);
                assert_eq!(runs(&mut other, &mut c2, cmd), runs(&mut srv, &mut c, cmd), "{cmd:?}");
            }
        }
        assert_eq!(other.snapshot().unwrap()[15..], srv.snapshot().unwrap()[15..]);
    }
}

#[test]
fn version_1_snapshots_still_load() {
    // a store without streams written as version 1 (the same bytes but the version)
    let (mut srv, mut c, _) = setup(T0);
    runs(&mut srv, &mut c, &["SET", "a", "1"]);
    runs(&mut srv, &mut c, &["RPUSH", "l", "x", "y"]);
    let mut v1 = srv.snapshot().unwrap();
    assert_eq!(v1[4], snapshot::VERSION);
    v1[4] = 1;
    forge(&mut v1);
    let (mut other, mut c2, _) = setup(T0);
    assert_eq!(snapshot::info(&v1).unwrap().version, 1);
    assert_eq!(other.restore_snapshot(&v1).unwrap().keys, 2);
    assert_eq!(runs(&mut other, &mut c2, &["LRANGE", "l", "0", "-1"]), runs(&mut srv, &mut c, &["LRANGE", "l", "0", "-1"]));
}

/// Hand-built stream bodies that must be refused, not panic or allocate.
#[test]
fn hostile_stream_bodies_are_refused() {
    fn build(body: &[u8]) -> Vec<u8> {
        let mut b = vec![0x89, b'C', b'N', b'B', 2, 0, 16];
        b.extend_from_slice(&T0.to_le_bytes());
        b.extend_from_slice(&[0xFE, 0, 1, 0x50, 1, b's']);
        b.extend_from_slice(body);
        b.push(0xFF);
        b.extend_from_slice(&1u64.to_le_bytes());
        b.extend_from_slice(&[0; 4]);
        forge(&mut b);
        b
    }
    let big = [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01];
    // header: last 9-0, first 1-0, max deleted 0-0, added 1
    let head = [9, 0, 1, 0, 0, 0, 1];
    let ok_node = [1, 1, 0, 1, 0, 1, 1, b'f', 1, b'v']; // 1 node, 1 entry 1-0 f=v
    let ok = [&head[..], &ok_node, &[0]].concat();
    let (mut s, mut c, _) = setup(T0);
    s.restore_snapshot(&build(&ok)).unwrap();
    assert_eq!(runs(&mut s, &mut c, &["XLEN", "s"]), Reply::Int(1));
    let cases: Vec<Vec<u8>> = vec![
        [&head[..], &big, &[0]].concat(),                                       // 2^64 nodes
        [&head[..], &[1, 0], &[0]].concat(),                                    // empty node
        [&head[..], &[1, 1, 4, 1, 0, 1, 1, b'f', 1, b'v'], &[0]].concat(),     // unknown flag
        [&head[..], &[1, 1, 2, 1, 0, 1, b'v'], &[0]].concat(),                 // master fields on the master
        [&head[..], &[1, 1, 0, 1, 0, 0], &[0]].concat(),                       // no fields
        [&[0, 0, 1, 0, 0, 0, 1][..], &ok_node, &[0]].concat(),                 // entry above last id
        [&head[..0], &[9, 0, 1, 0, 0, 0, 0], &ok_node, &[0]].concat(),         // more entries than added
        [&head[..], &[1, 2, 0, 1, 0, 1, 1, b'f', 1, b'v', 0], &big, &big, &[0]].concat(), // id overflow
        [&ok[..ok.len() - 1], &[1, 1, b'g', 0, 0, 0, 0, 1, 1, 0, 5, 0, 1]].concat(),     // PEL owner missing
        [&ok[..ok.len() - 1], &[1, 1, b'g', 0, 0, 0, 2, 1, b'b', 0, 1, b'a', 0, 0]].concat(), // consumers unsorted
        [&ok[..ok.len() - 1], &[2, 1, b'g', 0, 0, 0, 0, 0, 1, b'g', 0, 0, 0, 0, 0]].concat(), // duplicate group
        [&ok[..ok.len() - 1], &[1, 1, b'g', 0, 0, 0], &big].concat(),                     // 2^64 consumers
    ];
    for (i, body) in cases.iter().enumerate() {
        let e = check_refused(&build(body)).to_string();
        let want = [
            "truncated", "empty stream node", "flags", "flags", "without fields", "above the last id",
            "more entries than were added", "id out of range", "owned by no consumer", "not in order",
            "duplicate stream consumer group", "truncated",
        ][i];
        assert!(e.contains(want), "case {i}: {e}");
    }
    // one huge master field repeated by tiny entries: refused by the copy budget
    let mut body = vec![9, 0, 1, 0, 0, 0];
    let n: u64 = 200_000;
    let mut added = Vec::new();
    let mut x = n;
    while x >= 0x80 {
        added.push((x as u8) | 0x80);
        x >>= 7;
    }
    added.push(x as u8);
    body.truncate(6);
    body.extend_from_slice(&added);
    body[0] = 0xFF; // last id ms large enough
    body.splice(0..1, [0xFF, 0xFF, 0x7F]);
    let mut node = vec![1];
    let mut cnt = Vec::new();
    let mut x = n;
    while x >= 0x80 {
        cnt.push((x as u8) | 0x80);
        x >>= 7;
    }
    cnt.push(x as u8);
    node.extend_from_slice(&cnt);
    node.extend_from_slice(&[0, 1, 0, 1, 0xA0, 0x8D, 0x06]); // master 1-0, one field of 100,000 bytes
    node.extend(std::iter::repeat_n(b'f', 100_000));
    node.extend_from_slice(&[1, b'v']);
    for _ in 1..n {
        node.extend_from_slice(&[2, 0, 0, 1, b'v']); // same fields, next seq
    }
    body.extend_from_slice(&node);
    body.push(0);
    let e = check_refused(&build(&body));
    assert!(e.to_string().contains("repeat"), "{e}");
}

fn used_memory(s: &mut Server, c: &mut Client) -> i64 {
    let Reply::Bulk(info) = runs(s, c, &["INFO", "memory"]) else { panic!() };
    let t = String::from_utf8(info).unwrap();
    t.lines().find_map(|l| l.strip_prefix("used_memory:")).unwrap().trim().parse().unwrap()
}

/// A restore honours maxmemory: under an evicting policy the store evicts
/// right after loading until it fits (as Redis does after loading an RDB);
/// under noeviction a snapshot that does not fit is refused whole.
#[test]
fn restore_honours_maxmemory() {
    let (mut src, mut c, _) = setup(T0);
    for i in 0..2000 {
        runs(&mut src, &mut c, &["SET", &format!("key:{i}"), &"v".repeat(200)]);
    }
    runs(&mut src, &mut c, &["XADD", "stream", "1-1", "f", "v"]);
    let snap = src.snapshot().unwrap();
    let full = used_memory(&mut src, &mut c);

    // fits: loads whole whatever the policy
    let (mut s, mut c2, _) = setup(T0);
    runs(&mut s, &mut c2, &["CONFIG", "SET", "maxmemory", &(full * 2).to_string()]);
    let r = s.restore_snapshot(&snap).unwrap();
    assert_eq!((r.keys, r.evicted), (2001, 0));

    // noeviction: refused, the store unchanged, with a clear error
    let (mut s, mut c2, _) = setup(T0);
    runs(&mut s, &mut c2, &["SET", "mine", "1"]);
    runs(&mut s, &mut c2, &["CONFIG", "SET", "maxmemory", &(full / 2).to_string()]);
    let before = describe(&s);
    let e = s.restore_snapshot(&snap).unwrap_err();
    assert!(matches!(e, SnapshotError::OverMaxmemory { .. }), "{e}");
    assert!(e.to_string().contains("maxmemory") && e.to_string().contains("noeviction"), "{e}");
    assert_eq!(describe(&s), before);
    // the two-tab merge follows the same rule
    s.changes.track(true);
    assert!(matches!(s.merge_snapshot(&snap), Err(SnapshotError::OverMaxmemory { .. })));
    assert_eq!(describe(&s), before);

    // allkeys-lru: loads, then evicts until under the limit, with events and stats
    for policy in ["allkeys-lru", "allkeys-lfu", "allkeys-random", "volatile-lru"] {
        let (mut s, mut c2, _) = setup(T0);
        runs(&mut s, &mut c2, &["CONFIG", "SET", "maxmemory-policy", policy]);
        runs(&mut s, &mut c2, &["CONFIG", "SET", "maxmemory", &(full / 2).to_string()]);
        runs(&mut s, &mut c2, &["CONFIG", "SET", "notify-keyspace-events", "Ee"]);
        let r = s.restore_snapshot(&snap).unwrap();
        let ev = s.take_events();
        if policy == "volatile-lru" {
            // nothing has a TTL: nothing can be evicted; the store is over its
            // limit and writes answer OOM, as in Redis after such an RDB load
            assert_eq!((r.keys, r.evicted), (2001, 0));
            let oom = runs(&mut s, &mut c2, &["SET", "more", "x"]);
            assert!(matches!(oom, Reply::Error(ref e) if e.text().starts_with("OOM")), "{oom:?}");
            continue;
        }
        assert!(r.evicted > 500 && r.keys as u64 + r.evicted == 2001, "{policy}: {r:?}");
        assert!(used_memory(&mut s, &mut c2) <= full / 2, "{policy}");
        assert_eq!(ev.iter().filter(|e| e.event == "evicted").count() as u64, r.evicted, "{policy}");
        let Reply::Bulk(info) = runs(&mut s, &mut c2, &["INFO", "stats"]) else { panic!() };
        assert!(String::from_utf8(info).unwrap().contains(&format!("evicted_keys:{}", r.evicted)), "{policy}");
        assert_eq!(runs(&mut s, &mut c2, &["SET", "more", "x"]), Reply::Status("OK".into()));
    }
}
