//! Hash parity with redis-server 7.0. Listpack hashes reply in insertion
//! order and are compared exactly; hash-table hashes (long values convert
//! them) are compared as multisets of pairs. Random picks (HRANDFIELD below
//! the hash size, or negative counts) are compared by shape, then the key is
//! resynchronised (HLEN, then DEL) as in parity_set.rs. HSCAN of a hash table
//! is compared by whole iterations (cursors are ours).
//! Known difference: HRANDFIELD with a negative count beyond
//! `set::MAX_REPLY_ELEMENTS` answers an error instead of a huge reply; the
//! random sequence keeps negative counts small.

mod support;

use support::{assert_parity, Cmp, Gen, Step};

fn key(g: &mut Gen) -> Vec<u8> {
    format!("h{}", g.below(6)).into_bytes()
}

fn field(g: &mut Gen) -> Vec<u8> {
    match g.below(10) {
        0 => g.bytes(6),
        1 => g.numberish().into_bytes(),
        2 => vec![b'F'; 60 + g.below(10) as usize],
        _ => format!("f{}", g.below(20)).into_bytes(),
    }
}

fn value(g: &mut Gen) -> Vec<u8> {
    match g.below(10) {
        0 => g.bytes(8),
        1 | 2 => g.numberish().into_bytes(),
        3 => vec![b'v'; 62 + g.below(5) as usize],
        _ => format!("{}", g.below(100)).into_bytes(),
    }
}

#[test]
fn hash_hand_written() {
    let p = Cmp::Pairs;
    let mut steps = vec![
        Step::exact(&["HSET", "a", "f1", "v1", "f2", "v2", "f1", "v3"]),
        Step::exact(&["HGETALL", "a"]),
        Step::exact(&["OBJECT", "ENCODING", "a"]),
        Step::exact(&["TYPE", "a"]),
        Step::exact(&["HSET", "a", "f1"]),
        Step::exact(&["HSET", "a"]),
        Step::exact(&["HMSET", "a", "f3", "v3"]),
        Step::exact(&["HMSET", "a", "f3"]),
        Step::exact(&["HSETNX", "a", "f3", "x"]),
        Step::exact(&["HSETNX", "a", "f4", "x"]),
        Step::exact(&["HGET", "a", "f4"]),
        Step::exact(&["HGET", "a", "nope"]),
        Step::exact(&["HGET", "nokey", "f"]),
        Step::exact(&["HMGET", "a", "f1", "nope", "f2"]),
        Step::exact(&["HMGET", "nokey", "f1", "f2"]),
        Step::exact(&["HKEYS", "a"]),
        Step::exact(&["HVALS", "a"]),
        Step::exact(&["HLEN", "a"]),
        Step::exact(&["HSTRLEN", "a", "f1"]),
        Step::exact(&["HSTRLEN", "a", "nope"]),
        Step::exact(&["HEXISTS", "a", "f1"]),
        Step::exact(&["HEXISTS", "a", "nope"]),
        Step::exact(&["HDEL", "a", "f1", "nope", "f1"]),
        Step::exact(&["HGETALL", "a"]),
        Step::exact(&["HINCRBY", "a", "n", "5"]),
        Step::exact(&["HINCRBY", "a", "n", "-7"]),
        Step::exact(&["HINCRBY", "a", "n", "x"]),
        Step::exact(&["HINCRBY", "a", "f2", "1"]),
        Step::exact(&["HINCRBY", "a", "n", "9223372036854775807"]),
        Step::exact(&["HINCRBY", "a", "n", "-9223372036854775808"]),
        Step::exact(&["HINCRBY", "a", "n", "-9223372036854775806"]),
        Step::exact(&["HINCRBY", "a", "n", "-1"]),
        Step::exact(&["HINCRBYFLOAT", "a", "fl", "1.5"]),
        Step::exact(&["HINCRBYFLOAT", "a", "fl", "0.1"]),
        Step::exact(&["HINCRBYFLOAT", "a", "fl", "1e400"]),
        Step::exact(&["HINCRBYFLOAT", "a", "fl", "inf"]),
        Step::exact(&["HINCRBYFLOAT", "a", "fl", "nan"]),
        Step::exact(&["HINCRBYFLOAT", "a", "fl", "abc"]),
        Step::exact(&["HINCRBYFLOAT", "a", "f2", "1"]),
        Step::exact(&["HINCRBYFLOAT", "a", "n", "1.25"]),
        Step::exact(&["HINCRBYFLOAT", "a", "big", "1.7976931348623157e308"]),
        Step::exact(&["HINCRBYFLOAT", "a", "big", "1.7976931348623157e308"]),
        Step::exact(&["HINCRBYFLOAT", "a", "e", "5.0e3"]),
        Step::new(&["HGETALL", "a"], p),
        Step::exact(&["SET", "str", "v"]),
        Step::exact(&["HSET", "str", "f", "v"]),
        Step::exact(&["HGET", "str", "f"]),
        Step::exact(&["HMGET", "str", "f"]),
        Step::exact(&["HGETALL", "str"]),
        Step::exact(&["HLEN", "str"]),
        Step::exact(&["HDEL", "str", "f"]),
        Step::exact(&["HINCRBY", "str", "f", "1"]),
        Step::exact(&["HINCRBY", "str", "f", "x"]),
        Step::exact(&["HINCRBYFLOAT", "str", "f", "x"]),
        Step::exact(&["HRANDFIELD", "str"]),
        Step::exact(&["HRANDFIELD", "str", "1"]),
        Step::exact(&["HSCAN", "str", "0"]),
        Step::exact(&["HSCAN", "str", "x"]),
        Step::exact(&["HSCAN", "nokey", "0"]),
        Step::new(&["HSCAN", "a", "0"], Cmp::Shape),
        Step::new(&["HSCAN", "a", "0", "MATCH", "f*"], Cmp::Shape),
        Step::new(&["HSCAN", "a", "7", "COUNT", "1"], Cmp::Shape),
        Step::exact(&["HSCAN", "long", "0", "MATCH", "f*"]),
        Step::exact(&["HSCAN", "a", "0", "COUNT", "0"]),
        Step::exact(&["HSCAN", "a", "0", "NOVALUES"]),
        Step::exact(&["HRANDFIELD", "nokey"]),
        Step::exact(&["HRANDFIELD", "nokey", "3"]),
        Step::new(&["HRANDFIELD", "a", "100"], Cmp::Unordered),
        Step::new(&["HRANDFIELD", "a", "100", "WITHVALUES"], p),
        Step::exact(&["HRANDFIELD", "bin", "100", "WITHVALUES"]),
        Step::exact(&["HRANDFIELD", "a", "0"]),
        Step::exact(&["HRANDFIELD", "a", "1", "withvalue"]),
        Step::exact(&["HRANDFIELD", "a", "1", "WITHVALUES", "x"]),
        Step::exact(&["HRANDFIELD", "a", "x"]),
        Step::exact(&["HRANDFIELD", "a", "-9223372036854775808"]),
        Step::exact(&["HRANDFIELD", "a", "4611686018427387904", "WITHVALUES"]),
        Step::exact(&["HRANDFIELD", "a", "-4611686018427387904", "WITHVALUES"]),
        Step::new(&["HRANDFIELD", "a", "-5", "WITHVALUES"], Cmp::Shape),
        Step::new(&["HRANDFIELD", "a", "2"], Cmp::Shape),
        Step::new(&["HRANDFIELD", "a"], Cmp::Shape),
        Step::exact(&["HSET", "one", "f", "v"]),
        Step::exact(&["HRANDFIELD", "one", "-3", "WITHVALUES"]),
        Step::exact(&["HRANDFIELD", "one"]),
        Step::exact(&["HDEL", "one", "f"]),
        Step::exact(&["EXISTS", "one"]),
        Step::exact(&[&b"HSET"[..], b"bin", b"a\0b", b"\x00\x01\xff", b"", b"empty"]),
        Step::exact(&["HGETALL", "bin"]),
        Step::exact(&["HSET", "long", "f", &"x".repeat(64)]),
        Step::exact(&["OBJECT", "ENCODING", "long"]),
        Step::exact(&["HSET", "long", "g", &"x".repeat(65)]),
        Step::exact(&["OBJECT", "ENCODING", "long"]),
        Step::new(&["HGETALL", "long"], p),
        Step::exact(&["HSET", "lf", &"k".repeat(65), "v"]),
        Step::exact(&["OBJECT", "ENCODING", "lf"]),
        Step::exact(&["HSETNX", "lf2", &"k".repeat(65), "v"]),
        Step::exact(&["OBJECT", "ENCODING", "lf2"]),
        Step::exact(&["HINCRBY", "lf3", &"k".repeat(65), "1"]),
        Step::exact(&["OBJECT", "ENCODING", "lf3"]),
        Step::new(&["CONFIG", "GET", "hash-max-listpack-*"], p),
        Step::exact(&["HSET", "lp", "a", "1", "b", "2", "c", "3"]),
        Step::exact(&["HDEL", "lp", "a"]),
        Step::exact(&["HSET", "lp", "a", "4"]),
        Step::exact(&["HGETALL", "lp"]),
        Step::exact(&["HSCAN", "lp", "0", "MATCH", "a"]),
    ];
    // Grow a listpack past hash-max-listpack-entries.
    let mut argv = vec!["HSET".to_string(), "big".to_string()];
    for i in 1..=520 {
        argv.push(format!("f{i}"));
        argv.push(i.to_string());
        if i % 40 == 0 || i > 510 {
            steps.push(Step::exact(&argv));
            steps.push(Step::exact(&["OBJECT", "ENCODING", "big"]));
            argv.truncate(2);
        }
    }
    steps.push(Step::exact(&["HLEN", "big"]));
    steps.push(Step::new(&["HGETALL", "big"], p));
    steps.push(Step::new(&["HKEYS", "big"], Cmp::Unordered));
    steps.push(Step::new(&["HRANDFIELD", "big", "600", "WITHVALUES"], p));
    steps.push(Step::new(&["HRANDFIELD", "big", "20"], Cmp::Shape));
    steps.push(Step::exact(&["CONFIG", "SET", "hash-max-listpack-entries", "2"]));
    steps.push(Step::exact(&["HSET", "small", "a", "1", "b", "2"]));
    steps.push(Step::exact(&["OBJECT", "ENCODING", "small"]));
    steps.push(Step::exact(&["HSET", "small", "c", "3"]));
    steps.push(Step::exact(&["OBJECT", "ENCODING", "small"]));
    steps.push(Step::exact(&["CONFIG", "SET", "hash-max-listpack-entries", "512"]));
    steps.push(Step::exact(&["CONFIG", "SET", "hash-max-listpack-value", "3"]));
    steps.push(Step::exact(&["HSET", "tiny", "a", "1234"]));
    steps.push(Step::exact(&["OBJECT", "ENCODING", "tiny"]));
    steps.push(Step::exact(&["CONFIG", "SET", "hash-max-listpack-value", "64"]));
    assert_parity("hash hand-written", &steps);
}

#[test]
fn hash_random_sequence() {
    let mut g = Gen::new(0x4a54);
    let mut steps = Vec::new();
    let p = Cmp::Pairs;
    while steps.len() < 4000 {
        let k = key(&mut g);
        match g.below(22) {
            0..=4 => {
                let cmd = if g.chance(85) { "HSET" } else { "HMSET" };
                let mut v = vec![cmd.as_bytes().to_vec(), k];
                for _ in 0..1 + g.below(3) {
                    v.push(field(&mut g));
                    v.push(value(&mut g));
                }
                if g.chance(5) {
                    v.pop();
                }
                steps.push(Step::exact(&v));
            }
            5 => steps.push(Step::exact(&[b"HSETNX".to_vec(), k, field(&mut g), value(&mut g)])),
            6 => {
                let mut v = vec![b"HDEL".to_vec(), k];
                for _ in 0..1 + g.below(3) {
                    v.push(field(&mut g));
                }
                steps.push(Step::exact(&v));
            }
            7 => steps.push(Step::exact(&[b"HGET".to_vec(), k, field(&mut g)])),
            8 => steps.push(Step::exact(&[b"HMGET".to_vec(), k, field(&mut g), field(&mut g)])),
            9 => steps.push(Step::new(&[b"HGETALL".to_vec(), k], p)),
            10 => {
                let c = g.pick(&["HKEYS", "HVALS"]).as_bytes().to_vec();
                steps.push(Step::new(&[c, k], Cmp::Unordered));
            }
            11 => {
                let c = g.pick(&["HLEN", "HEXISTS", "HSTRLEN"]).as_bytes().to_vec();
                let mut v = vec![c.clone(), k];
                if c != b"HLEN" {
                    v.push(field(&mut g));
                }
                steps.push(Step::exact(&v));
            }
            12 | 13 => {
                let by = if g.chance(70) { format!("{}", g.below(200) as i64 - 100) } else { g.numberish() };
                steps.push(Step::exact(&[b"HINCRBY".to_vec(), k, format!("n{}", g.below(4)).into_bytes(), by.into_bytes()]));
            }
            14 | 15 => {
                let by = if g.chance(60) { format!("{}.{}", g.below(20) as i64 - 10, g.below(1000)) } else { g.numberish() };
                let f = if g.chance(80) { format!("n{}", g.below(4)).into_bytes() } else { field(&mut g) };
                steps.push(Step::exact(&[b"HINCRBYFLOAT".to_vec(), k, f, by.into_bytes()]));
            }
            16 => {
                let c = match g.numberish() {
                    c if c.starts_with('-') && c.len() > 4 && c.parse::<i64>().is_ok_and(|n| n > i64::MIN) => "-7".to_string(),
                    c => c,
                };
                let mut v = vec![b"HRANDFIELD".to_vec(), k.clone(), c.clone().into_bytes()];
                if g.chance(40) {
                    v.push(b"WITHVALUES".to_vec());
                }
                let deterministic = c.parse::<i64>().map_or(true, |n| n == 0 || n >= 1000);
                let whole = if v.len() == 4 { p } else { Cmp::Unordered };
                steps.push(Step::new(&v, if deterministic { whole } else { Cmp::Shape }));
                if !deterministic {
                    steps.push(Step::exact(&[b"HLEN".to_vec(), k]));
                }
            }
            17 => {
                let mut v = vec![b"HSCAN".to_vec(), k, b"0".to_vec()];
                if g.chance(30) {
                    v.push(b"MATCH".to_vec());
                    v.push(b"f1*".to_vec());
                }
                if g.chance(20) {
                    v.push(b"COUNT".to_vec());
                    v.push(g.numberish().into_bytes());
                }
                // a hash table's cursor and order are ours: shape only then
                steps.push(Step::new(&v, Cmp::Shape));
            }
            18 => steps.push(Step::exact(&[b"OBJECT".to_vec(), b"ENCODING".to_vec(), k])),
            19 => steps.push(Step::exact(&[b"TYPE".to_vec(), k])),
            20 => steps.push(Step::exact(&[b"HGET".to_vec(), k])),
            _ => {
                if g.chance(30) {
                    steps.push(Step::exact(&[b"SET".to_vec(), k, b"x".to_vec()]));
                } else {
                    steps.push(Step::exact(&[b"DEL".to_vec(), k]));
                }
            }
        }
    }
    assert_parity("hash random", &steps);
}

#[test]
fn hscan_whole_iterations() {
    let Some(server) = support::RedisServer::start() else { return };
    let mut redis = server.client();
    let mut store = cinnabar::Store::new();
    let mut argv = vec!["HSET".to_string(), "h".into()];
    for i in 0..300 {
        argv.push(format!("f{i}"));
        argv.push(format!("v{i}"));
    }
    redis.call(&argv);
    store.exec(&argv);
    for (count, pat) in [("10", "*"), ("3", "f1*"), ("1000", "*5")] {
        let mut sides = Vec::new();
        for side in 0..2 {
            let mut cursor = b"0".to_vec();
            let mut seen = std::collections::BTreeSet::new();
            loop {
                let cmd: Vec<Vec<u8>> = vec![b"HSCAN".to_vec(), b"h".to_vec(), cursor.clone(), b"COUNT".to_vec(), count.into(), b"MATCH".to_vec(), pat.into()];
                let r = if side == 0 { redis.call(&cmd) } else { store.exec(&cmd) };
                let cinnabar::Reply::Array(parts) = r else { panic!("bad HSCAN reply {r:?}") };
                let [cinnabar::Reply::Bulk(c), cinnabar::Reply::Array(items)] = &parts[..] else { panic!("bad HSCAN reply") };
                for pair in items.chunks(2) {
                    seen.insert(format!("{:?}", pair));
                }
                if c == b"0" {
                    break;
                }
                cursor = c.clone();
            }
            sides.push(seen);
        }
        assert_eq!(sides[0], sides[1], "HSCAN COUNT {count} MATCH {pat}");
    }
}
