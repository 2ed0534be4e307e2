//! Set parity with redis-server. Replies that Redis gives in hash-table order
//! are compared as multisets; random picks (SPOP, SRANDMEMBER below the set
//! size) by shape, followed by SCARD and DEL so both stores stay identical.

mod support;

use support::{assert_parity, Cmp, Gen, Step};

fn key(g: &mut Gen) -> String {
    format!("s{}", g.below(6))
}

fn member(g: &mut Gen) -> Vec<u8> {
    match g.below(8) {
        0 => g.bytes(6),
        1 => g.numberish().into_bytes(),
        2 | 3 => format!("m{}", g.below(30)).into_bytes(),
        _ => format!("{}", g.below(40)).into_bytes(),
    }
}

fn keys(g: &mut Gen, n: u64) -> Vec<Vec<u8>> {
    (0..n).map(|_| key(g).into_bytes()).collect()
}

#[test]
fn set_hand_written() {
    let u = Cmp::Unordered;
    let steps = vec![
        Step::exact(&["SADD", "a", "1", "2", "3", "2"]),
        Step::exact(&["OBJECT", "ENCODING", "a"]),
        Step::exact(&["SMEMBERS", "a"]),
        Step::exact(&["SADD", "a", "x"]),
        Step::exact(&["OBJECT", "ENCODING", "a"]),
        Step::new(&["SMEMBERS", "a"], u),
        Step::exact(&["TYPE", "a"]),
        Step::exact(&["SISMEMBER", "a", "x"]),
        Step::exact(&["SISMEMBER", "a", "y"]),
        Step::exact(&["SMISMEMBER", "a", "x", "y", "1"]),
        Step::exact(&["SMISMEMBER", "nokey", "x"]),
        Step::exact(&["SCARD", "a"]),
        Step::exact(&["SREM", "a", "1", "x", "nope"]),
        Step::exact(&["SREM", "a", "2", "3"]),
        Step::exact(&["EXISTS", "a"]),
        Step::exact(&["SET", "str", "v"]),
        Step::exact(&["SADD", "str", "x"]),
        Step::exact(&["SCARD", "str"]),
        Step::exact(&["SMISMEMBER", "str", "x"]),
        Step::exact(&["SINTER", "str"]),
        Step::exact(&["SINTER", "nokey", "str"]),
        Step::exact(&["SUNION", "nokey", "str"]),
        Step::exact(&["SADD", "b", "1", "2", "3", "4"]),
        Step::exact(&["SADD", "c", "3", "4", "5", "z"]),
        Step::new(&["SINTER", "b", "c"], u),
        Step::exact(&["SINTERSTORE", "d", "b", "c"]),
        Step::exact(&["OBJECT", "ENCODING", "d"]),
        Step::new(&["SUNION", "b", "c"], u),
        Step::exact(&["SUNIONSTORE", "d", "b", "c"]),
        Step::exact(&["OBJECT", "ENCODING", "d"]),
        Step::new(&["SDIFF", "c", "b"], u),
        Step::exact(&["SDIFF", "b", "b"]),
        Step::exact(&["SDIFF", "b", "c", "b"]),
        Step::exact(&["SDIFFSTORE", "d", "b", "b"]),
        Step::exact(&["EXISTS", "d"]),
        Step::exact(&["SINTERCARD", "2", "b", "c"]),
        Step::exact(&["SINTERCARD", "2", "b", "c", "LIMIT", "1"]),
        Step::exact(&["SINTERCARD", "0", "b"]),
        Step::exact(&["SINTERCARD", "3", "b", "c"]),
        Step::exact(&["SINTERCARD", "1", "b", "LIMIT", "-1"]),
        Step::exact(&["SINTERCARD", "1", "b", "LIMIT"]),
        Step::exact(&["SINTERCARD", "x", "b"]),
        Step::exact(&["SMOVE", "b", "c", "1"]),
        Step::exact(&["SMOVE", "b", "c", "nope"]),
        Step::exact(&["SMOVE", "b", "b", "2"]),
        Step::exact(&["SMOVE", "nokey", "str", "2"]),
        Step::exact(&["SMOVE", "b", "str", "2"]),
        Step::exact(&["SMOVE", "b", "newset", "2"]),
        Step::exact(&["OBJECT", "ENCODING", "newset"]),
        Step::exact(&["SPOP", "nokey"]),
        Step::exact(&["SPOP", "nokey", "3"]),
        Step::exact(&["SPOP", "b", "-1"]),
        Step::exact(&["SPOP", "b", "x"]),
        Step::exact(&["SPOP", "b", "1", "2"]),
        Step::exact(&["SPOP", "b", "0"]),
        Step::new(&["SPOP", "b", "100"], u),
        Step::exact(&["EXISTS", "b"]),
        Step::exact(&["SRANDMEMBER", "nokey"]),
        Step::exact(&["SRANDMEMBER", "nokey", "5"]),
        Step::new(&["SRANDMEMBER", "c", "100"], u),
        Step::exact(&["SRANDMEMBER", "c", "0"]),
        Step::exact(&["SRANDMEMBER", "c", "-9223372036854775808"]),
        Step::exact(&["SRANDMEMBER", "c", "1", "2"]),
        Step::new(&["SRANDMEMBER", "c", "-3"], Cmp::Shape),
        Step::new(&["SRANDMEMBER", "c"], Cmp::Shape),
        Step::exact(&["SRANDMEMBER", "str"]),
        Step::exact(&["SADD", "one", "only"]),
        Step::exact(&["SPOP", "one"]),
        Step::exact(&["EXISTS", "one"]),
        Step::exact(&["SADD", "big", "0"]),
    ];
    let mut steps = steps;
    // Grow an intset past set-max-intset-entries.
    let mut argv = vec!["SADD".to_string(), "big".to_string()];
    for i in 1..=600 {
        argv.push(i.to_string());
        if i % 100 == 0 {
            steps.push(Step::exact(&argv));
            steps.push(Step::exact(&["OBJECT", "ENCODING", "big"]));
            steps.push(Step::exact(&["SCARD", "big"]));
            argv.truncate(2);
        }
    }
    steps.push(Step::exact(&["SREM", "big", "1", "2"]));
    steps.push(Step::exact(&["OBJECT", "ENCODING", "big"]));
    steps.push(Step::new(&["SPOP", "big", "550"], Cmp::Shape));
    steps.push(Step::exact(&["SCARD", "big"]));
    assert_parity("set hand-written", &steps);
}

#[test]
fn set_random_sequence() {
    let mut g = Gen::new(4242);
    let mut steps = Vec::new();
    let u = Cmp::Unordered;
    for _ in 0..5000 {
        let k = key(&mut g).into_bytes();
        match g.below(20) {
            0..=4 => {
                let mut v = vec![b"SADD".to_vec(), k];
                for _ in 0..1 + g.below(5) {
                    v.push(member(&mut g));
                }
                steps.push(Step::exact(&v));
            }
            5 | 6 => {
                let mut v = vec![b"SREM".to_vec(), k];
                for _ in 0..1 + g.below(4) {
                    v.push(member(&mut g));
                }
                steps.push(Step::exact(&v));
            }
            7 => steps.push(Step::exact(&[b"SISMEMBER".to_vec(), k, member(&mut g)])),
            8 => steps.push(Step::exact(&[b"SMISMEMBER".to_vec(), k, member(&mut g), member(&mut g)])),
            9 => steps.push(Step::new(&[b"SMEMBERS".to_vec(), k], u)),
            10 => steps.push(Step::exact(&[b"SCARD".to_vec(), k])),
            11 => steps.push(Step::exact(&[b"SMOVE".to_vec(), k, key(&mut g).into_bytes(), member(&mut g)])),
            12 => {
                let cmd = g.pick(&["SINTER", "SUNION", "SDIFF"]).as_bytes().to_vec();
                let mut v = vec![cmd, k];
                let n = g.below(3);
                v.extend(keys(&mut g, n));
                steps.push(Step::new(&v, u));
            }
            13 => {
                let cmd = g.pick(&["SINTERSTORE", "SUNIONSTORE", "SDIFFSTORE"]).as_bytes().to_vec();
                let mut v = vec![cmd, key(&mut g).into_bytes(), k];
                let n = g.below(3);
                v.extend(keys(&mut g, n));
                steps.push(Step::exact(&v));
            }
            14 => {
                let n = g.below(4);
                let mut v = vec![b"SINTERCARD".to_vec(), if g.chance(10) { g.numberish().into_bytes() } else { n.to_string().into_bytes() }];
                v.extend(keys(&mut g, n));
                if g.chance(40) {
                    v.push(b"LIMIT".to_vec());
                    v.push(if g.chance(20) { g.numberish() } else { g.below(4).to_string() }.into_bytes());
                }
                steps.push(Step::exact(&v));
            }
            15 => {
                // random picks: compare by shape, then make both sides equal again
                if g.chance(50) {
                    steps.push(Step::new(&[b"SPOP".to_vec(), k.clone()], Cmp::Shape));
                } else {
                    steps.push(Step::new(&[b"SPOP".to_vec(), k.clone(), g.below(4).to_string().into_bytes()], Cmp::Shape));
                }
                steps.push(Step::exact(&[b"SCARD".to_vec(), k.clone()]));
                steps.push(Step::exact(&[b"DEL".to_vec(), k]));
            }
            16 => {
                // Redis would build a reply of |count| members for a huge negative count: keep those small.
                let c = match g.numberish() {
                    c if c.starts_with('-') && c.len() > 4 && c.parse::<i64>().is_ok_and(|n| n > i64::MIN) => "-7".to_string(),
                    c => c,
                };
                let deterministic = c.parse::<i64>().map_or(true, |n| n == 0 || n >= 1000);
                let cmp = if deterministic { u } else { Cmp::Shape };
                steps.push(Step::new(&[b"SRANDMEMBER".to_vec(), k, c.into_bytes()], cmp));
            }
            17 => steps.push(Step::exact(&[b"OBJECT".to_vec(), b"ENCODING".to_vec(), k])),
            18 => steps.push(Step::exact(&[b"TYPE".to_vec(), k])),
            _ => steps.push(Step::exact(&[b"SET".to_vec(), k, b"x".to_vec()])),
        }
    }
    assert_parity("set random", &steps);
}

#[test]
fn sscan_parity() {
    let steps = vec![
        Step::exact(&["SADD", "ints", "5", "3", "9", "-1"]),
        Step::exact(&["SSCAN", "ints", "0"]),
        Step::exact(&["SSCAN", "ints", "0", "MATCH", "*9*"]),
        Step::exact(&["SSCAN", "ints", "123", "COUNT", "1"]),
        Step::exact(&["SSCAN", "ints", "0", "COUNT", "0"]),
        Step::exact(&["SSCAN", "ints", "0", "COUNT", "x"]),
        Step::exact(&["SSCAN", "ints", "0", "TYPE", "set"]),
        Step::exact(&["SSCAN", "ints", "0", "MATCH"]),
        Step::exact(&["SSCAN", "ints", "x"]),
        Step::exact(&["SSCAN", "nokey", "0", "COUNT", "0"]),
        Step::exact(&["SET", "str", "v"]),
        Step::exact(&["SSCAN", "str", "0", "bogus"]),
        Step::exact(&["SSCAN", "str", "x"]),
    ];
    assert_parity("sscan", &steps);

    // A hash-table set: whole iterations must return the same members.
    let Some(server) = support::RedisServer::start() else { return };
    let mut redis = server.client();
    let mut store = cinnabar::Store::new();
    let mut argv = vec!["SADD".to_string(), "h".into()];
    argv.extend((0..700).map(|i| format!("m{i}")));
    redis.call(&argv);
    store.exec(&argv);
    for (count, pat) in [("10", "*"), ("3", "m1*"), ("1000", "*5")] {
        let mut sides = Vec::new();
        for side in 0..2 {
            let mut cursor = b"0".to_vec();
            let mut seen = std::collections::BTreeSet::new();
            loop {
                let cmd: Vec<Vec<u8>> = vec![b"SSCAN".to_vec(), b"h".to_vec(), cursor.clone(), b"COUNT".to_vec(), count.into(), b"MATCH".to_vec(), pat.into()];
                let r = if side == 0 { redis.call(&cmd) } else { store.exec(&cmd) };
                let cinnabar::Reply::Array(parts) = r else { panic!("bad SSCAN reply {r:?}") };
                let [cinnabar::Reply::Bulk(c), cinnabar::Reply::Array(items)] = &parts[..] else { panic!("bad SSCAN reply") };
                for it in items {
                    if let cinnabar::Reply::Bulk(b) = it {
                        seen.insert(b.clone());
                    }
                }
                if c == b"0" {
                    break;
                }
                cursor = c.clone();
            }
            sides.push(seen);
        }
        assert_eq!(sides[0], sides[1], "SSCAN COUNT {count} MATCH {pat}");
    }
}
