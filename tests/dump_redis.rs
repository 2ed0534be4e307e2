//! The outgrow path: `dump_resp` output loaded into a real redis-server with
//! `redis-cli --pipe`, then every key, type, value and TTL (±1 s) compared
//! with the store it came from; and the same stream loaded back into a fresh
//! store with the loader (`load_resp`). Field TTLs (HPEXPIREAT) are checked
//! against Valkey 9, since Redis 7.0 has none.

mod support;

use cinnabar::dump::{load_resp, DumpOptions};
use cinnabar::reply::Reply;
use cinnabar::{Client, Options, Server, SystemClock};
use std::io::Write;
use std::process::{Command, Stdio};
use support::{Gen, RedisServer, RespClient};

fn cmd(s: &mut Server, c: &mut Client, argv: &[Vec<u8>]) -> Reply {
    let refs: Vec<&[u8]> = argv.iter().map(|a| a.as_slice()).collect();
    s.execute(c, &refs)
}

fn v(parts: &[&[u8]]) -> Vec<Vec<u8>> {
    parts.iter().map(|p| p.to_vec()).collect()
}

/// A store with strings (int/embstr/raw, binary), sets (intset, hashtable,
/// over 1000 members: chunked), hashes (listpack, hashtable, big), sorted sets
/// (inf, fractions, long members), lists, TTLs, 3 dbs.
fn populated(field_ttl: bool) -> (Server, Client) {
    let mut s = Server::with_clock(Options::default(), Box::new(SystemClock));
    let mut c = s.new_client();
    let mut g = Gen::new(99);
    for i in 0..600 {
        let db = (i % 3 * 4).to_string();
        cmd(&mut s, &mut c, &v(&[b"SELECT", db.as_bytes()]));
        let key = if i % 17 == 0 { [b"bin\x00\r\n".as_slice(), &g.bytes(6)].concat() } else { format!("key:{i}").into_bytes() };
        let k = key.as_slice();
        match i % 9 {
            7 => {
                let n = if i % 90 == 7 { 1200 } else { 1 + g.below(15) };
                let mut args = v(&[b"ZADD", k]);
                for j in 0..n {
                    let score = match g.below(5) {
                        0 => "inf".to_string(),
                        1 => format!("{}", g.below(1 << 40) as f64 / 3.0),
                        2 => format!("-{}", g.below(1000)),
                        _ => g.below(50).to_string(),
                    };
                    args.push(score.into_bytes());
                    args.push(if g.chance(10) { vec![b'z'; 80] } else { format!("m{j}").into_bytes() });
                }
                cmd(&mut s, &mut c, &args)
            }
            8 => {
                let n = if i % 90 == 8 { 2100 } else { 1 + g.below(15) };
                let mut args = v(&[b"RPUSH", k]);
                for _ in 0..n {
                    args.push(g.bytes(10));
                }
                cmd(&mut s, &mut c, &args)
            }
            0 => cmd(&mut s, &mut c, &v(&[b"SET", k, g.numberish().as_bytes()])),
            1 => cmd(&mut s, &mut c, &v(&[b"SET", k, &g.bytes(100)])),
            2 => {
                let n = if i % 70 == 2 { 2500 } else { 1 + g.below(20) };
                let mut args = v(&[b"SADD", k]);
                for _ in 0..n {
                    args.push(if g.chance(50) { g.below(1 << 40).to_string().into_bytes() } else { g.bytes(9) });
                }
                cmd(&mut s, &mut c, &args)
            }
            3 => {
                let mut args = v(&[b"SADD", k]);
                for j in 0..1 + g.below(30) {
                    args.push(j.to_string().into_bytes());
                }
                cmd(&mut s, &mut c, &args)
            }
            4 | 5 => {
                let n = if i % 70 == 4 { 1500 } else { 1 + g.below(12) };
                let mut args = v(&[b"HSET", k]);
                for j in 0..n {
                    args.push(format!("f{j}").into_bytes());
                    args.push(if g.chance(10) { vec![b'y'; 90] } else { g.bytes(8) });
                }
                cmd(&mut s, &mut c, &args)
            }
            _ => cmd(&mut s, &mut c, &v(&[b"SET", k, b"ttl", b"PX", (5000 + g.below(500_000)).to_string().as_bytes()])),
        };
        if i % 5 == 0 {
            cmd(&mut s, &mut c, &v(&[b"PEXPIRE", k, (10_000 + g.below(9_000_000)).to_string().as_bytes()]));
        }
        if field_ttl && i % 9 == 4 {
            cmd(&mut s, &mut c, &v(&[b"HPEXPIRE", k, b"600000", b"FIELDS", b"1", b"f0"]));
        }
    }
    if !field_ttl {
        // Valkey 9's XINFO adds active-time: streams are compared with Redis 7.0 only.
        streams(&mut s, &mut c, &mut g);
    }
    cmd(&mut s, &mut c, &v(&[b"SELECT", b"0"]));
    (s, c)
}

/// Streams in three databases: several nodes, deleted and trimmed entries (so
/// a max deleted id and entries-added above the length), an empty stream,
/// consumer groups (entries-read known and unknown), consumers with and
/// without pending entries, pending entries delivered several times and
/// claimed, TTLs. Entries are deleted only before any group reads them: a
/// pending entry whose entry is gone cannot be recreated in Redis (XCLAIM
/// drops it).
fn streams(s: &mut Server, c: &mut Client, g: &mut Gen) {
    cmd(s, c, &v(&[b"CONFIG", b"SET", b"stream-node-max-entries", b"10"]));
    for i in 0..30 {
        let db = (i % 3 * 4).to_string();
        cmd(s, c, &v(&[b"SELECT", db.as_bytes()]));
        let key = format!("stream:{i}").into_bytes();
        let k = key.as_slice();
        let n = 1 + g.below(if i % 10 == 0 { 1500 } else { 40 });
        for j in 0..n {
            let id = format!("{}-{}", 1_700_000_000_000u64 + j / 2 * 13, j % 2);
            let val = g.bytes(7);
            if g.chance(80) {
                cmd(s, c, &v(&[b"XADD", k, id.as_bytes(), b"temp", &val, b"n", j.to_string().as_bytes()]));
            } else {
                cmd(s, c, &v(&[b"XADD", k, id.as_bytes(), b"other\x00", &val]));
            }
        }
        for _ in 0..g.below(4) {
            let j = g.below(n);
            let id = format!("{}-{}", 1_700_000_000_000u64 + j / 2 * 13, j % 2);
            cmd(s, c, &v(&[b"XDEL", k, id.as_bytes()]));
        }
        match i % 7 {
            3 => {
                cmd(s, c, &v(&[b"XTRIM", k, b"MAXLEN", b"5"]));
            }
            5 => {
                cmd(s, c, &v(&[b"XTRIM", k, b"MAXLEN", b"0"]));
            }
            _ => {}
        }
        for gi in 0..g.below(4) {
            let grp = format!("grp{gi}").into_bytes();
            let start: &[u8] = if gi == 2 { b"$" } else { b"0" };
            cmd(s, c, &v(&[b"XGROUP", b"CREATE", k, &grp, start]));
            if gi == 1 {
                cmd(s, c, &v(&[b"XGROUP", b"SETID", k, &grp, b"1700000000013-0"]));
            }
            for ci in 0..g.below(4) {
                let cons = format!("consumer-{ci}").into_bytes();
                if ci == 3 {
                    cmd(s, c, &v(&[b"XGROUP", b"CREATECONSUMER", k, &grp, &cons]));
                    continue;
                }
                let cnt = (1 + g.below(6)).to_string();
                cmd(s, c, &v(&[b"XREADGROUP", b"GROUP", &grp, &cons, b"COUNT", cnt.as_bytes(), b"STREAMS", k, b">"]));
                if g.chance(40) {
                    cmd(s, c, &v(&[b"XREADGROUP", b"GROUP", &grp, &cons, b"STREAMS", k, b"0"]));
                }
            }
            if g.chance(50) {
                cmd(s, c, &v(&[b"XAUTOCLAIM", k, &grp, b"thief", b"0", b"0-0", b"COUNT", b"2"]));
            }
        }
        if i % 4 == 0 {
            cmd(s, c, &v(&[b"PEXPIRE", k, (100_000 + g.below(9_000_000)).to_string().as_bytes()]));
        }
    }
    cmd(s, c, &v(&[b"XGROUP", b"CREATE", b"stream:mk", b"g", b"$", b"MKSTREAM"]));
    cmd(s, c, &v(&[b"CONFIG", b"SET", b"stream-node-max-entries", b"100"]));
}

/// XINFO STREAM FULL with what Redis cannot recreate set aside: the node
/// layout (`radix-tree-keys`/`-nodes`: tombstones are not carried) is
/// blanked; consumers' `seen-time` (set to the load time by XCLAIM / XGROUP
/// CREATECONSUMER) is taken out to be compared within 1 s.
fn xinfo_full(r: Reply, times: &mut Vec<i64>) -> Reply {
    match r {
        Reply::Array(items) => {
            let mut out = Vec::with_capacity(items.len());
            let mut blank = None;
            for x in items {
                if let Some(name) = blank.take() {
                    if let (true, Reply::Int(t)) = (name == "seen-time", &x) {
                        times.push(*t);
                    }
                    out.push(Reply::Int(0));
                    continue;
                }
                if let Reply::Bulk(b) = &x {
                    if let Some(n) = ["seen-time", "radix-tree-keys", "radix-tree-nodes"].iter().find(|n| n.as_bytes() == b.as_slice()) {
                        blank = Some(*n);
                    }
                }
                out.push(xinfo_full(x, times));
            }
            Reply::Array(out)
        }
        other => other,
    }
}

fn sorted(r: Reply) -> Vec<Vec<u8>> {
    let Reply::Array(items) = r else { panic!("not an array: {r:?}") };
    let mut out: Vec<Vec<u8>> = items
        .into_iter()
        .map(|x| match x {
            Reply::Bulk(b) => b,
            other => panic!("{other:?}"),
        })
        .collect();
    out.sort();
    out
}

fn pairs(r: Reply) -> Vec<(Vec<u8>, Vec<u8>)> {
    let Reply::Array(items) = r else { panic!("not an array: {r:?}") };
    let flat: Vec<Vec<u8>> = items.into_iter().map(|x| if let Reply::Bulk(b) = x { b } else { panic!() }).collect();
    let mut p: Vec<_> = flat.chunks(2).map(|c| (c[0].clone(), c[1].clone())).collect();
    p.sort();
    p
}

fn scored(r: Reply) -> Vec<(Vec<u8>, u64)> {
    let Reply::Array(items) = r else { panic!("not an array: {r:?}") };
    let flat: Vec<Vec<u8>> = items.into_iter().map(|x| if let Reply::Bulk(b) = x { b } else { panic!() }).collect();
    flat.chunks(2)
        .map(|c| {
            let t = String::from_utf8_lossy(&c[1]).to_string();
            let f: f64 = match t.as_str() { "inf" => f64::INFINITY, "-inf" => f64::NEG_INFINITY, _ => t.parse().unwrap() };
            (c[0].clone(), f.to_bits())
        })
        .collect()
}

/// Compares every key of `ours` with what `theirs` answers.
fn compare(ours: &mut Server, c: &mut Client, theirs: &mut dyn FnMut(&[Vec<u8>]) -> Reply, field_ttl: bool) -> usize {
    let mut checked = 0;
    let streams = &mut 0usize;
    for dbi in 0..ours.dbs.len() {
        let sel = v(&[b"SELECT", dbi.to_string().as_bytes()]);
        cmd(ours, c, &sel);
        theirs(&sel);
        assert_eq!(cmd(ours, c, &v(&[b"DBSIZE"])), theirs(&v(&[b"DBSIZE"])), "DBSIZE of db {dbi}");
        let keys: Vec<Vec<u8>> = ours.dbs[dbi].iter().map(|e| e.key().to_vec()).collect();
        for k in keys {
            let k = k.as_slice();
            let ty = cmd(ours, c, &v(&[b"TYPE", k]));
            assert_eq!(ty, theirs(&v(&[b"TYPE", k])), "TYPE {k:?}");
            match &ty {
                Reply::Status(t) if t == "string" => {
                    assert_eq!(cmd(ours, c, &v(&[b"GET", k])), theirs(&v(&[b"GET", k])), "GET {k:?}")
                }
                Reply::Status(t) if t == "set" => {
                    assert_eq!(sorted(cmd(ours, c, &v(&[b"SMEMBERS", k]))), sorted(theirs(&v(&[b"SMEMBERS", k]))), "SMEMBERS {k:?}")
                }
                Reply::Status(t) if t == "hash" => {
                    assert_eq!(pairs(cmd(ours, c, &v(&[b"HGETALL", k]))), pairs(theirs(&v(&[b"HGETALL", k]))), "HGETALL {k:?}");
                    if field_ttl {
                        let q = v(&[b"HPTTL", k, b"FIELDS", b"1", b"f0"]);
                        let (a, b) = (cmd(ours, c, &q), theirs(&q));
                        let (Reply::Array(a), Reply::Array(b)) = (a, b) else { panic!() };
                        match (&a[0], &b[0]) {
                            (Reply::Int(x), Reply::Int(y)) => assert!((x - y).abs() <= 1000, "HPTTL {k:?}: {x} vs {y}"),
                            other => panic!("HPTTL {k:?}: {other:?}"),
                        }
                    }
                }
                Reply::Status(t) if t == "zset" => {
                    // Scores compared as numbers: Valkey 9 prints doubles in shortest form.
                    let q = v(&[b"ZRANGE", k, b"0", b"-1", b"WITHSCORES"]);
                    let (a, b) = (scored(cmd(ours, c, &q)), scored(theirs(&q)));
                    assert!(a == b, "ZRANGE {k:?} differs ({} vs {} members)", a.len(), b.len())
                }
                Reply::Status(t) if t == "list" => {
                    let q = v(&[b"LRANGE", k, b"0", b"-1"]);
                    assert_eq!(cmd(ours, c, &q), theirs(&q), "LRANGE {k:?}")
                }
                Reply::Status(t) if t == "stream" => {
                    let q = v(&[b"XINFO", b"STREAM", k, b"FULL"]);
                    let (mut ta, mut tb) = (Vec::new(), Vec::new());
                    let a = xinfo_full(cmd(ours, c, &q), &mut ta);
                    let b = xinfo_full(theirs(&q), &mut tb);
                    assert_eq!(a, b, "XINFO STREAM FULL {k:?}");
                    assert_eq!(ta.len(), tb.len());
                    for (x, y) in ta.iter().zip(&tb) {
                        assert!((x - y).abs() <= 1000, "seen-time {k:?}: {x} vs {y}");
                    }
                    *streams += 1;
                }
                other => panic!("unexpected type {other:?}"),
            }
            let (Reply::Int(a), Reply::Int(b)) = (cmd(ours, c, &v(&[b"PTTL", k])), theirs(&v(&[b"PTTL", k]))) else { panic!("PTTL") };
            assert!((a - b).abs() <= 1000 && (a < 0) == (b < 0), "PTTL {k:?}: {a} vs {b}");
            checked += 1;
        }
    }
    assert!(field_ttl || *streams >= 30, "{streams} streams compared");
    checked
}

fn pipe_into(server: &RedisServer, stream: &[u8]) -> String {
    let mut child = Command::new("redis-cli")
        .args(["-h", "127.0.0.1", "-p", &server.port.to_string(), "--pipe"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("redis-cli (Debian's redis-tools) on PATH");
    child.stdin.take().unwrap().write_all(stream).unwrap();
    let out = child.wait_with_output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "redis-cli --pipe failed: {text}");
    text
}

fn run_against(server: RedisServer, field_ttl: bool) {
    let (mut ours, mut c) = populated(field_ttl);
    let stream = ours.dump_resp(DumpOptions { field_ttl }).unwrap();
    let report = pipe_into(&server, &stream);
    assert!(report.contains("errors: 0"), "{report}");
    let mut rc: RespClient = server.client();
    let checked = compare(&mut ours, &mut c, &mut |argv| rc.call(argv), field_ttl);
    assert_eq!(checked, ours.total_keys());
    eprintln!("dump_redis: {checked} keys, {} bytes of RESP; redis-cli: {}", stream.len(), report.trim().replace('\n', " / "));

    // The loader: the same stream into a fresh store.
    let mut back = Server::with_clock(Options::default(), Box::new(SystemClock));
    let mut bc = back.new_client();
    let rep = load_resp(&mut back, &mut bc, &stream).unwrap();
    assert_eq!(rep.error_count, 0, "{:?}", rep.errors);
    let mut bc2 = back.new_client();
    let checked = compare(&mut ours, &mut c, &mut |argv| {
        let refs: Vec<&[u8]> = argv.iter().map(|a| a.as_slice()).collect();
        back.execute(&mut bc2, &refs)
    }, field_ttl);
    assert_eq!(checked, ours.total_keys());
}

#[test]
fn dump_loads_into_redis_with_redis_cli_pipe() {
    let Some(server) = RedisServer::start() else { return };
    run_against(server, false);
}

#[test]
fn dump_with_field_ttls_loads_into_valkey() {
    let Some(server) = RedisServer::start_valkey() else { return };
    run_against(server, true);
}

#[test]
fn loader_refuses_malformed_streams_before_running_anything() {
    let mut s = Server::with_clock(Options::default(), Box::new(SystemClock));
    let mut c = s.new_client();
    for bad in [&b"*1\r\n$4\r\nPING\r\n*2\r\n$3\r\nSET\r\n"[..], b"PING\r\n", b"*1\r\n$9\r\nPING\r\n", b"*x\r\n", b"*0\r\n"] {
        let stream = [b"*3\r\n$3\r\nSET\r\n$1\r\na\r\n$1\r\nb\r\n".as_slice(), bad].concat();
        assert!(load_resp(&mut s, &mut c, &stream).is_err(), "{bad:?}");
        assert_eq!(s.total_keys(), 0);
    }
    let rep = load_resp(&mut s, &mut c, b"*3\r\n$3\r\nSET\r\n$1\r\na\r\n$1\r\nb\r\n*2\r\n$4\r\nINCR\r\n$1\r\na\r\n").unwrap();
    assert_eq!((rep.commands, rep.error_count), (2, 1));
    assert_eq!(rep.errors[0].1.text(), "ERR value is not an integer or out of range");
}

#[test]
fn parser_survives_every_truncation_and_byte_change() {
    use cinnabar::dump::parse_resp;
    let good = b"*3\r\n$3\r\nSET\r\n$1\r\na\r\n$10\r\n0123456789\r\n*1\r\n$0\r\n\r\n".to_vec();
    assert_eq!(parse_resp(&good).map(|c| c.len()), Ok(2));
    for cut in 0..good.len() {
        let _ = parse_resp(&good[..cut]);
        for b in [0u8, b'\r', b'\n', b'*', b'$', b'9', 0xFF] {
            let mut m = good.clone();
            m[cut] = b;
            let _ = parse_resp(&m);
        }
    }
    assert!(parse_resp(b"*1\r\n$4294967295\r\n").is_err());
    assert!(parse_resp(b"*9999999999\r\n").is_err());
}
