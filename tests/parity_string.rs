//! Parity of the strings family with a real redis-server 7.0: hand-written
//! steps for every command and option, a seeded random sequence of mixed string
//! commands, and a long run of random INCRBYFLOAT increments (x87 `long double`
//! arithmetic and `%.17Lf` formatting must match byte for byte).
//!
//! Deliberate exclusions: no relative expiries short enough to race the clock
//! (EX/PX values are large, or absolute times far in the past or future), since
//! the two servers do not share a clock. Nothing else is excluded.

mod support;
use support::{assert_parity, Cmp, Gen, Step};

fn s(argv: &[&str]) -> Step {
    Step::exact(argv)
}

fn hand_written() -> Vec<Step> {
    let mut v = vec![
        s(&["GET", "nokey"]),
        s(&["SET", "k", "v"]),
        s(&["GET", "k"]),
        s(&["SET", "k"]),
        s(&["GET"]),
        s(&["GET", "a", "b"]),
        s(&["SET", "k", "v2", "NX"]),
        s(&["SET", "k", "v2", "XX"]),
        s(&["GET", "k"]),
        s(&["SET", "n", "v", "XX"]),
        s(&["SET", "n", "v", "NX"]),
        s(&["SET", "k", "v", "NX", "XX"]),
        s(&["SET", "k", "v", "XX", "NX"]),
        s(&["SET", "k", "v", "nx", "nx"]),
        s(&["SET", "k", "v", "EX"]),
        s(&["SET", "k", "v", "EX", "10", "PX", "100"]),
        s(&["SET", "k", "v", "EX", "10", "EX", "100"]),
        s(&["SET", "k", "v", "EX", "10", "KEEPTTL"]),
        s(&["SET", "k", "v", "KEEPTTL", "EX", "10"]),
        s(&["SET", "k", "v", "KEEPTTL", "KEEPTTL"]),
        s(&["SET", "k", "v", "PERSIST"]),
        s(&["SET", "k", "v", "EXAT", "1", "PXAT", "1"]),
        s(&["SET", "k", "v", "EX", "0"]),
        s(&["SET", "k", "v", "EX", "-1"]),
        s(&["SET", "k", "v", "PX", "0"]),
        s(&["SET", "k", "v", "EX", "abc"]),
        s(&["SET", "k", "v", "EX", "1.5"]),
        s(&["SET", "k", "v", "EX", "9223372036854775807"]),
        s(&["SET", "k", "v", "EX", "9223372036854775"]),
        s(&["SET", "k", "v", "EX", "9223372036854776"]),
        s(&["SET", "k", "v", "PX", "9223372036854775807"]),
        s(&["SET", "k", "v", "PX", "9223372036854775000"]),
        s(&["SET", "k", "v", "EXAT", "9223372036854775"]),
        s(&["SET", "k", "v", "PXAT", "9223372036854775807"]),
        s(&["GET", "k"]),
        s(&["SET", "k", "v", "EXAT", "0"]),
        s(&["SET", "k", "v", "EXAT", "1"]),
        s(&["GET", "k"]),
        s(&["SET", "k", "v", "PXAT", "1"]),
        s(&["MGET", "k"]),
        s(&["SET", "k", "v", "EX", "1000", "GET"]),
        s(&["SET", "k", "w", "GET"]),
        s(&["SET", "k", "x", "GET", "GET"]),
        s(&["SET", "k", "y", "NX", "GET"]),
        s(&["SET", "k2", "y", "NX", "GET"]),
        s(&["SET", "k3", "y", "XX", "GET"]),
        s(&["GET", "k3"]),
        s(&["SET", "k", "z", "KEEPTTL"]),
        s(&["SET", "k", "z", "get", "px", "100000", "xx"]),
        s(&["SET", "k", "v", "BOGUS"]),
        s(&["SET", "k", "v", "EX", "10", "BOGUS"]),
        s(&["SET", "k", "v", "GET", "EX", "-5"]),
        s(&["SETNX", "k", "a"]),
        s(&["SETNX", "sn", "a"]),
        s(&["SETNX", "sn"]),
        s(&["SETEX", "se", "100", "v"]),
        s(&["GET", "se"]),
        s(&["SETEX", "se", "0", "v"]),
        s(&["SETEX", "se", "-3", "v"]),
        s(&["SETEX", "se", "x", "v"]),
        s(&["SETEX", "se", "9223372036854775807", "v"]),
        s(&["PSETEX", "pe", "100000", "v"]),
        s(&["PSETEX", "pe", "0", "v"]),
        s(&["PSETEX", "pe", "9223372036854775807", "v"]),
        s(&["GETSET", "k", "new"]),
        s(&["GETSET", "fresh", "new"]),
        s(&["GETSET", "fresh"]),
        s(&["GETDEL", "fresh"]),
        s(&["GETDEL", "fresh"]),
        s(&["GETEX", "k"]),
        s(&["GETEX", "missing", "EX", "-5"]),
        s(&["GETEX", "k", "EX", "-5"]),
        s(&["GETEX", "k", "EX", "100"]),
        s(&["GETEX", "k", "PX", "100000"]),
        s(&["GETEX", "k", "EXAT", "99999999999"]),
        s(&["GETEX", "k", "PXAT", "99999999999999"]),
        s(&["GETEX", "k", "PERSIST"]),
        s(&["GETEX", "k", "PERSIST", "EX", "10"]),
        s(&["GETEX", "k", "EX", "10", "PERSIST"]),
        s(&["GETEX", "k", "KEEPTTL"]),
        s(&["GETEX", "k", "NX"]),
        s(&["GETEX", "k", "GET"]),
        s(&["GETEX", "k", "EX"]),
        s(&["GETEX", "k", "EXAT", "1"]),
        s(&["GET", "k"]),
        s(&["SET", "k", "v"]),
        s(&["GETEX", "k", "PXAT", "1", "PXAT", "2"]),
        s(&["MSET", "a", "1", "b", "2", "c", "3"]),
        s(&["MSET", "a", "1", "b"]),
        s(&["MSET", "a"]),
        s(&["MGET", "a", "b", "c", "nokey"]),
        s(&["MSETNX", "a", "x", "z", "y"]),
        s(&["MSETNX", "y1", "x", "y2", "y"]),
        s(&["MSETNX", "y1", "x", "y2"]),
        s(&["MGET", "y1", "y2"]),
        s(&["MSET", "d", "1", "d", "2"]),
        s(&["GET", "d"]),
        s(&["APPEND", "ap", "hello"]),
        s(&["APPEND", "ap", " world"]),
        s(&["GET", "ap"]),
        s(&["APPEND", "ap", ""]),
        s(&["APPEND", "apn", ""]),
        s(&["STRLEN", "ap"]),
        s(&["STRLEN", "nokey"]),
        s(&["SET", "num", "12345"]),
        s(&["STRLEN", "num"]),
        s(&["APPEND", "num", "6"]),
        s(&["INCR", "num"]),
        s(&["SET", "neg", "-9223372036854775808"]),
        s(&["STRLEN", "neg"]),
        s(&["GETRANGE", "ap", "0", "4"]),
        s(&["GETRANGE", "ap", "-5", "-1"]),
        s(&["GETRANGE", "ap", "-1", "-5"]),
        s(&["GETRANGE", "ap", "5", "1"]),
        s(&["GETRANGE", "ap", "0", "-1"]),
        s(&["GETRANGE", "ap", "-100", "100"]),
        s(&["GETRANGE", "ap", "100", "200"]),
        s(&["GETRANGE", "ap", "-9223372036854775808", "9223372036854775807"]),
        s(&["GETRANGE", "ap", "9223372036854775807", "-9223372036854775808"]),
        s(&["GETRANGE", "ap", "x", "1"]),
        s(&["GETRANGE", "ap", "1", "x"]),
        s(&["GETRANGE", "nokey", "0", "1"]),
        s(&["GETRANGE", "num", "1", "2"]),
        s(&["GETRANGE", "apn", "0", "-1"]),
        s(&["GETRANGE", "apn", "-1", "0"]),
        s(&["SUBSTR", "ap", "0", "2"]),
        s(&["SUBSTR", "ap", "0"]),
        s(&["SETRANGE", "sr", "5", "abc"]),
        s(&["GET", "sr"]),
        s(&["SETRANGE", "sr", "0", "XY"]),
        s(&["SETRANGE", "sr", "0", ""]),
        s(&["SETRANGE", "srnew", "10", ""]),
        s(&["GET", "srnew"]),
        s(&["SETRANGE", "sr", "-1", "a"]),
        s(&["SETRANGE", "sr", "x", "a"]),
        s(&["SETRANGE", "sr", "536870911", "ab"]),
        s(&["SETRANGE", "sr", "536870912", "a"]),
        s(&["SETRANGE", "sr", "9223372036854775807", "a"]),
        s(&["SETRANGE", "srx", "536870912", "a"]),
        s(&["SETRANGE", "srx", "536870912", ""]),
        s(&["SETRANGE", "num", "0", "9"]),
        s(&["GET", "num"]),
        s(&["APPEND", "sr", "tail"]),
        s(&["GET", "sr"]),
        s(&["LCS", "l1", "l2"]),
        s(&["MSET", "l1", "ohmytext", "l2", "mynewtext"]),
        s(&["LCS", "l1", "l2"]),
        s(&["LCS", "l1", "l2", "LEN"]),
        s(&["LCS", "l1", "l2", "IDX"]),
        s(&["LCS", "l1", "l2", "IDX", "MINMATCHLEN", "4"]),
        s(&["LCS", "l1", "l2", "IDX", "MINMATCHLEN", "4", "WITHMATCHLEN"]),
        s(&["LCS", "l1", "l2", "idx", "withmatchlen"]),
        s(&["LCS", "l1", "l2", "IDX", "MINMATCHLEN", "-4"]),
        s(&["LCS", "l1", "l2", "IDX", "MINMATCHLEN", "x"]),
        s(&["LCS", "l1", "l2", "IDX", "MINMATCHLEN"]),
        s(&["LCS", "l1", "l2", "IDX", "LEN"]),
        s(&["LCS", "l1", "l2", "LEN", "IDX"]),
        s(&["LCS", "l1", "l2", "BOGUS"]),
        s(&["LCS", "l1", "nokey"]),
        s(&["LCS", "l1", "nokey", "IDX"]),
        s(&["LCS", "l1"]),
        s(&["LCS", "l1", "l1", "IDX", "WITHMATCHLEN"]),
        s(&["INCR", "cnt"]),
        s(&["INCR", "cnt"]),
        s(&["DECR", "cnt"]),
        s(&["DECR", "cnt2"]),
        s(&["INCRBY", "cnt", "100"]),
        s(&["INCRBY", "cnt", "-1000"]),
        s(&["INCRBY", "cnt", "x"]),
        s(&["INCRBY", "cnt", "1.5"]),
        s(&["DECRBY", "cnt", "7"]),
        s(&["DECRBY", "cnt", "-9223372036854775808"]),
        s(&["DECRBY", "cnt", "-9223372036854775807"]),
        s(&["SET", "big", "9223372036854775807"]),
        s(&["INCR", "big"]),
        s(&["INCRBY", "big", "0"]),
        s(&["SET", "small", "-9223372036854775808"]),
        s(&["DECR", "small"]),
        s(&["INCRBY", "small", "-1"]),
        s(&["SET", "sp", " 1"]),
        s(&["INCR", "sp"]),
        s(&["SET", "sp", "01"]),
        s(&["INCR", "sp"]),
        s(&["SET", "sp", "1.0"]),
        s(&["INCR", "sp"]),
        s(&["INCRBYFLOAT", "sp", "1"]),
        s(&["INCRBYFLOAT", "f", "10.5"]),
        s(&["INCRBYFLOAT", "f", "0.1"]),
        s(&["INCRBYFLOAT", "f", "-10.6"]),
        s(&["INCRBYFLOAT", "f", "5.0e3"]),
        s(&["INCRBYFLOAT", "f", "0x1p3"]),
        s(&["INCRBYFLOAT", "f", "inf"]),
        s(&["INCRBYFLOAT", "f", "nan"]),
        s(&["INCRBYFLOAT", "f", " 1"]),
        s(&["INCRBYFLOAT", "f", "1 "]),
        s(&["INCRBYFLOAT", "f", ""]),
        s(&["INCRBYFLOAT", "f", "1e4933"]),
        s(&["INCRBYFLOAT", "f", "1e-4960"]),
        s(&["INCRBYFLOAT", "f", "1.18e4932"]),
        s(&["INCRBYFLOAT", "f", "1.18e4932"]),
        s(&["INCRBYFLOAT", "g", "0.000003814697265625"]),
        s(&["INCRBYFLOAT", "g", "3e-4950"]),
        s(&["SET", "inf", "inf"]),
        s(&["INCRBYFLOAT", "inf", "1"]),
        s(&["SET", "h", "0x10"]),
        s(&["INCRBYFLOAT", "h", "1"]),
        s(&["SET", "h", "abc"]),
        s(&["INCRBYFLOAT", "h", "1"]),
        s(&["INCRBYFLOAT", "h", "x"]),
        s(&["INCRBYFLOAT", "cnt", "1.5"]),
        s(&["INCR", "cnt"]),
        s(&["INCRBYFLOAT", "ap", "1"]),
        s(&["INCRBYFLOAT", "nokey2", "-0.0"]),
        s(&["GET", "nokey2"]),
        s(&["INCRBYFLOAT", "z", "1e400"]),
        s(&["INCRBYFLOAT", "z", "-1e400"]),
        s(&["INCRBYFLOAT", "z", "123456789012345678901234567890"]),
        s(&["INCRBYFLOAT", "z", "0.1"]),
        s(&["INCRBYFLOAT", "z"]),
        // binary-safe keys and values
        Step::exact(&[&b"SET"[..], b"bin\x00\xff", b"\x00\x01\x02\xfe"]),
        Step::exact(&[&b"GET"[..], b"bin\x00\xff"]),
        Step::exact(&[&b"APPEND"[..], b"bin\x00\xff", b"\r\n"]),
        Step::exact(&[&b"STRLEN"[..], b"bin\x00\xff"]),
        Step::exact(&[&b"SET"[..], b"k", b"v", b"nx\x00zz"]),
        Step::exact(&[&b"SET"[..], b"k", b"v", b"EX\x00", b"100"]),
        Step::exact(&[&b"INCRBYFLOAT"[..], b"f2", b"1\x00"]),
        s(&["SET", "encx", "v"]),
        s(&["GETSET"]),
    ];
    // Wrong types: every command on a key of another type is impossible here (no
    // other families on this branch), so WRONGTYPE is covered by the unit tests.
    v.push(s(&["DEL", "k", "a", "b"]));
    v
}

/// A random float-ish string: random digits, exponents, signs, extremes, hex.
fn floatish(g: &mut Gen) -> String {
    let sign = *g.pick(&["", "", "-", "+"]);
    let digits = |g: &mut Gen, n: u64| -> String { (0..n).map(|_| char::from(b'0' + g.below(10) as u8)).collect() };
    match g.below(14) {
        0 => {
            let n = 1 + g.below(22);
            format!("{sign}{}", digits(g, n))
        }
        1 => {
            let (a, b) = (1 + g.below(10), 1 + g.below(25));
            format!("{sign}{}.{}", digits(g, a), digits(g, b))
        }
        2 => format!("{sign}{}.{}e{}", 1 + g.below(9), digits(g, 8), g.below(9900) as i64 - 4960),
        3 => format!("{sign}{}e{}", 1 + g.below(9), g.pick(&["4931", "4932", "4933", "-4950", "-4951", "-4952", "308", "-308", "19", "18", "17", "-17"])),
        4 => {
            let n = 1 + g.below(20);
            let h: String = (0..n).map(|_| *g.pick(&['0', '1', '7', '9', 'a', 'f', 'F', 'c'])).collect();
            format!("{sign}0x{h}p{}", g.below(400) as i64 - 200)
        }
        5 => {
            let (z, n) = (g.below(25) as usize, 1 + g.below(18));
            format!("{sign}0.{}{}", "0".repeat(z), digits(g, n))
        }
        6 => {
            let (a, b) = (1 + g.below(80), g.below(80));
            format!("{sign}{}.{}", digits(g, a), digits(g, b))
        }
        7 => g.pick(&["inf", "-inf", "nan", "1e", ".5", "5.", "1E+5", "-0", "0", "0e99999999", "1e-99999", "0x.8p1", "abc", "", "00012", " 2", "1.5.5", "infinity", "0x"]).to_string(),
        8 => format!("{sign}{}", g.next() >> g.below(64)),
        9 => format!("{sign}{}.{}", 1u128 << g.below(100), 5u128.pow(g.below(50) as u32)),
        10 => format!("{sign}1{}.{}1", "0".repeat(g.below(40) as usize), "0".repeat(g.below(20) as usize)),
        11 => format!("{sign}{}", "9".repeat(1 + g.below(50) as usize)),
        12 => format!("{sign}{}e-{}", 1 + g.below(999), 1 + g.below(30)),
        _ => format!("{sign}{}.{}", g.below(1000), g.below(1000)),
    }
}

#[test]
fn parity_string_hand_written() {
    assert_parity("string-hand", &hand_written());
}

#[test]
fn parity_incrbyfloat_random() {
    let mut g = Gen::new(0xF10A7);
    let mut steps = Vec::new();
    for i in 0..6000 {
        let key = format!("f{}", i % 7);
        match g.below(10) {
            0 => steps.push(Step::exact(&["SET".to_string(), key.clone(), floatish(&mut g)])),
            1 => steps.push(Step::exact(&["DEL".to_string(), key.clone()])),
            _ => {}
        }
        steps.push(Step::exact(&["INCRBYFLOAT".to_string(), key, floatish(&mut g)]));
    }
    assert_parity("incrbyfloat-random", &steps);
}

#[test]
fn parity_string_random() {
    let mut g = Gen::new(0x57A1);
    let mut steps = Vec::new();
    let keys: Vec<Vec<u8>> = vec![b"a".to_vec(), b"b".to_vec(), b"c".to_vec(), b"k\x00\xff".to_vec(), b"n".to_vec()];
    for _ in 0..4000 {
        let k = g.pick(&keys).clone();
        let k2 = g.pick(&keys).clone();
        let val = |g: &mut Gen| -> Vec<u8> {
            match g.below(4) {
                0 => g.numberish().into_bytes(),
                1 => g.bytes(12),
                2 => floatish(g).into_bytes(),
                _ => vec![b'x'; g.below(60) as usize],
            }
        };
        let num = |g: &mut Gen| g.numberish().into_bytes();
        let argv: Vec<Vec<u8>> = match g.below(24) {
            0 => vec![b"GET".to_vec(), k],
            1 => {
                let mut v = vec![b"SET".to_vec(), k, val(&mut g)];
                for _ in 0..g.below(4) {
                    let o = *g.pick(&["NX", "XX", "GET", "KEEPTTL", "EX", "PX", "EXAT", "PXAT", "px", "get", "BAD"]);
                    v.push(o.as_bytes().to_vec());
                    if o.len() >= 2 && o.as_bytes()[1].eq_ignore_ascii_case(&b'x') && g.chance(90) {
                        // relative times never short enough to race; absolute ones past or far
                        let t = if o.len() == 4 {
                            *g.pick(&["1", "0", "-1", "x", "9223372036854775807", "99999999999999"])
                        } else {
                            *g.pick(&["100000", "0", "-1", "x", "9223372036854775807", "3000000000"])
                        };
                        v.push(t.as_bytes().to_vec());
                    }
                }
                v
            }
            2 => vec![b"SETNX".to_vec(), k, val(&mut g)],
            3 => vec![b"SETEX".to_vec(), k, g.pick(&["1000", "0", "-2", "x", "9223372036854775807"]).as_bytes().to_vec(), val(&mut g)],
            4 => vec![b"PSETEX".to_vec(), k, g.pick(&["1000000", "0", "x"]).as_bytes().to_vec(), val(&mut g)],
            5 => vec![b"GETSET".to_vec(), k, val(&mut g)],
            6 => vec![b"GETDEL".to_vec(), k],
            7 => {
                let mut v = vec![b"GETEX".to_vec(), k];
                if g.chance(70) {
                    let o = *g.pick(&["EX", "PX", "EXAT", "PXAT", "PERSIST", "KEEPTTL"]);
                    v.push(o.as_bytes().to_vec());
                    if o != "PERSIST" && o != "KEEPTTL" {
                        let t = if o.len() == 4 { *g.pick(&["1", "99999999999999", "0", "x"]) } else { *g.pick(&["100000", "0", "-1", "x"]) };
                        v.push(t.as_bytes().to_vec());
                    }
                }
                v
            }
            8 => {
                let mut v = vec![b"MGET".to_vec()];
                for _ in 0..1 + g.below(4) {
                    v.push(g.pick(&keys).clone());
                }
                v
            }
            9 | 10 => {
                let mut v = vec![if g.chance(50) { b"MSET".to_vec() } else { b"MSETNX".to_vec() }];
                for _ in 0..1 + g.below(5) {
                    v.push(g.pick(&keys).clone());
                    if g.chance(95) {
                        v.push(val(&mut g));
                    }
                }
                v
            }
            11 => vec![b"APPEND".to_vec(), k, val(&mut g)],
            12 => vec![b"STRLEN".to_vec(), k],
            13 => vec![if g.chance(50) { b"GETRANGE".to_vec() } else { b"SUBSTR".to_vec() }, k, num(&mut g), num(&mut g)],
            14 => {
                let off = match g.below(4) {
                    0 => g.numberish(),
                    _ => g.below(70).to_string(),
                };
                vec![b"SETRANGE".to_vec(), k, off.into_bytes(), g.bytes(8)]
            }
            15 => {
                let mut v = vec![b"LCS".to_vec(), k, k2];
                for _ in 0..g.below(4) {
                    let o = *g.pick(&["IDX", "LEN", "WITHMATCHLEN", "MINMATCHLEN", "BAD"]);
                    v.push(o.as_bytes().to_vec());
                    if o == "MINMATCHLEN" && g.chance(90) {
                        v.push(g.pick(&["0", "1", "2", "-1", "x"]).as_bytes().to_vec());
                    }
                }
                v
            }
            16 => vec![b"INCR".to_vec(), k],
            17 => vec![b"DECR".to_vec(), k],
            18 => vec![b"INCRBY".to_vec(), k, num(&mut g)],
            19 => vec![b"DECRBY".to_vec(), k, num(&mut g)],
            20 | 21 => vec![b"INCRBYFLOAT".to_vec(), k, floatish(&mut g).into_bytes()],
            22 => vec![b"DEL".to_vec(), k],
            _ => {
                // wrong arity for a random command of the family
                let name = *g.pick(&["GET", "SET", "SETNX", "GETSET", "GETDEL", "MGET", "APPEND", "STRLEN", "GETRANGE", "SETRANGE", "LCS", "INCR", "INCRBY", "INCRBYFLOAT", "SETEX", "PSETEX", "GETEX", "MSET"]);
                let mut v = vec![name.as_bytes().to_vec()];
                for _ in 0..g.below(2) {
                    v.push(k.clone());
                }
                if g.chance(30) {
                    v.extend([b"1".to_vec(), b"2".to_vec(), b"3".to_vec(), b"4".to_vec()]);
                }
                v
            }
        };
        steps.push(Step::new(&argv, Cmp::Exact));
    }
    for k in &keys {
        steps.push(Step::new(&[b"GET".to_vec(), k.clone()], Cmp::Exact));
    }
    assert_parity("string-random", &steps);
}
