//! Bitmap parity with redis-server: SETBIT GETBIT BITCOUNT BITPOS BITOP
//! BITFIELD BITFIELD_RO, hand-written edge cases and a seeded random run.

mod support;

use support::{assert_parity, Gen, Step};

fn key(g: &mut Gen) -> Vec<u8> {
    format!("b{}", g.below(5)).into_bytes()
}

fn index(g: &mut Gen) -> String {
    match g.below(6) {
        0 => format!("-{}", g.below(80)),
        1 => g.numberish(),
        _ => format!("{}", g.below(80)),
    }
}

fn offset(g: &mut Gen) -> String {
    match g.below(8) {
        0 => g.numberish(),
        1 => format!("#{}", g.below(20)),
        2 => "-1".into(),
        _ => format!("{}", g.below(300)),
    }
}

fn ftype(g: &mut Gen) -> String {
    match g.below(10) {
        0 => g.pick(&["u64", "i65", "u0", "x8", "", "i", "u-1", "I8", "i08"]).to_string(),
        1..=4 => format!("i{}", 1 + g.below(64)),
        _ => format!("u{}", 1 + g.below(63)),
    }
}

fn value(g: &mut Gen) -> String {
    match g.below(5) {
        0 => g.numberish(),
        1 => format!("-{}", g.below(1 << 20)),
        _ => format!("{}", g.below(1 << 20)),
    }
}

#[test]
fn bitmap_hand_written() {
    let steps = vec![
        Step::exact(&["SETBIT", "k", "7", "1"]),
        Step::exact(&["GET", "k"]),
        Step::exact(&["SETBIT", "k", "7", "1"]),
        Step::exact(&["SETBIT", "k", "100", "0"]),
        Step::exact(&["STRLEN", "k"]),
        Step::exact(&["SETBIT", "k", "-1", "1"]),
        Step::exact(&["SETBIT", "k", "1", "2"]),
        Step::exact(&["SETBIT", "k", "x", "1"]),
        Step::exact(&["SETBIT", "k", "4294967296", "1"]),
        Step::exact(&["GETBIT", "k", "7"]),
        Step::exact(&["GETBIT", "k", "100000"]),
        Step::exact(&["GETBIT", "nokey", "1"]),
        Step::exact(&["GETBIT", "k", "-1"]),
        Step::exact(&["SET", "n", "12345"]),
        Step::exact(&["GETBIT", "n", "2"]),
        Step::exact(&["BITCOUNT", "n"]),
        Step::exact(&["SETBIT", "n", "0", "1"]),
        Step::exact(&["GET", "n"]),
        Step::exact(&["OBJECT", "ENCODING", "n"]),
        Step::exact(&["SET", "s", "foobar"]),
        Step::exact(&["BITCOUNT", "s"]),
        Step::exact(&["BITCOUNT", "s", "0", "0"]),
        Step::exact(&["BITCOUNT", "s", "1", "1"]),
        Step::exact(&["BITCOUNT", "s", "1", "1", "BYTE"]),
        Step::exact(&["BITCOUNT", "s", "5", "30", "BIT"]),
        Step::exact(&["BITCOUNT", "s", "-1", "-2"]),
        Step::exact(&["BITCOUNT", "s", "-1", "-2", "foo"]),
        Step::exact(&["BITCOUNT", "s", "0"]),
        Step::exact(&["BITCOUNT", "s", "0", "1", "bit", "x"]),
        Step::exact(&["BITCOUNT", "s", "a", "1"]),
        Step::exact(&["BITCOUNT", "nokey", "a", "1"]),
        Step::exact(&["SET", "p", "\u{ff}\u{f0}\u{00}"]),
        Step::exact(&["BITPOS", "p", "0"]),
        Step::exact(&["BITPOS", "p", "1", "2", "-1", "BYTE"]),
        Step::exact(&["BITPOS", "p", "0", "7", "15", "BIT"]),
        Step::exact(&["BITPOS", "p", "1", "7", "15", "BIT"]),
        Step::exact(&["BITPOS", "p", "0", "0", "-1"]),
        Step::exact(&["BITPOS", "p", "2"]),
        Step::exact(&["BITPOS", "p", "x"]),
        Step::exact(&["BITPOS", "nokey", "1", "x"]),
        Step::exact(&["BITPOS", "nokey", "0"]),
        Step::exact(&["BITPOS", "p", "1", "0", "1", "BIT", "extra"]),
        Step::exact(&["SET", "a", "abc"]),
        Step::exact(&["SET", "b", "a"]),
        Step::exact(&["BITOP", "AND", "d", "a", "b"]),
        Step::exact(&["GET", "d"]),
        Step::exact(&["OBJECT", "ENCODING", "d"]),
        Step::exact(&["BITOP", "or", "d", "a", "b", "nokey"]),
        Step::exact(&["GET", "d"]),
        Step::exact(&["BITOP", "XOR", "d", "a", "b"]),
        Step::exact(&["GET", "d"]),
        Step::exact(&["BITOP", "NOT", "d", "a"]),
        Step::exact(&["GET", "d"]),
        Step::exact(&["BITOP", "NOT", "d", "a", "b"]),
        Step::exact(&["BITOP", "NAND", "d", "a"]),
        Step::exact(&["BITOP", "AND", "d", "nokey", "nokey2"]),
        Step::exact(&["EXISTS", "d"]),
        Step::exact(&["BITFIELD", "bf", "SET", "i8", "0", "100", "GET", "u4", "0", "INCRBY", "i8", "0", "100"]),
        Step::exact(&["BITFIELD", "bf", "OVERFLOW", "SAT", "INCRBY", "i8", "0", "100", "OVERFLOW", "FAIL", "INCRBY", "i8", "0", "1"]),
        Step::exact(&["BITFIELD", "bf", "INCRBY", "u2", "#3", "5", "GET", "u2", "#3"]),
        Step::exact(&["BITFIELD", "bf", "SET", "i64", "0", "-9223372036854775808", "INCRBY", "i64", "0", "-1"]),
        Step::exact(&["BITFIELD", "bf", "OVERFLOW", "SAT", "INCRBY", "i64", "0", "-1", "INCRBY", "u63", "0", "-1"]),
        Step::exact(&["BITFIELD", "bf", "GET", "u64", "0"]),
        Step::exact(&["BITFIELD", "bf", "GET", "i8"]),
        Step::exact(&["BITFIELD", "bf", "OVERFLOW", "bogus"]),
        Step::exact(&["BITFIELD", "bf", "SET", "i8", "0", "x"]),
        Step::exact(&["BITFIELD", "bf"]),
        Step::exact(&["BITFIELD", "nokey2", "GET", "i8", "0"]),
        Step::exact(&["EXISTS", "nokey2"]),
        Step::exact(&["BITFIELD", "nokey3", "OVERFLOW", "FAIL", "SET", "u2", "100", "9"]),
        Step::exact(&["GET", "nokey3"]),
        Step::exact(&["BITFIELD_RO", "bf", "GET", "i8", "0"]),
        Step::exact(&["BITFIELD_RO", "bf", "SET", "i8", "0", "1"]),
        Step::exact(&["BITFIELD_RO", "bf", "GET", "i8", "#-1"]),
        Step::exact(&["GET", "bf"]),
    ];
    assert_parity("bitmap hand-written", &steps);
}

#[test]
fn bitmap_random_sequence() {
    let mut g = Gen::new(31337);
    let mut steps = Vec::new();
    for _ in 0..4000 {
        let k = key(&mut g);
        let argv: Vec<Vec<u8>> = match g.below(14) {
            0 | 1 => vec!["SETBIT".into(), k, offset(&mut g).into(), g.pick(&["0", "1", "1", "2", "x"]).to_string().into()],
            2 => vec!["GETBIT".into(), k, offset(&mut g).into()],
            3 | 4 => {
                let mut v = vec![b"BITCOUNT".to_vec(), k];
                let n = g.below(5);
                if n >= 1 {
                    v.push(index(&mut g).into());
                }
                if n >= 2 {
                    v.push(index(&mut g).into());
                }
                if n >= 3 {
                    v.push(g.pick(&["BIT", "BYTE", "bit", "x"]).to_string().into());
                }
                v
            }
            5 | 6 => {
                let mut v = vec![b"BITPOS".to_vec(), k, g.pick(&["0", "1", "1", "0", "2", "-1"]).to_string().into()];
                let n = g.below(5);
                if n >= 1 {
                    v.push(index(&mut g).into());
                }
                if n >= 2 {
                    v.push(index(&mut g).into());
                }
                if n >= 3 {
                    v.push(g.pick(&["BIT", "BYTE", "bit", "x"]).to_string().into());
                }
                v
            }
            7 => {
                let mut v = vec![b"BITOP".to_vec(), g.pick(&["AND", "OR", "XOR", "NOT", "not", "foo"]).to_string().into(), k];
                for _ in 0..1 + g.below(3) {
                    v.push(key(&mut g));
                }
                v
            }
            8..=10 => {
                let mut v = vec![if g.chance(20) { b"BITFIELD_RO".to_vec() } else { b"BITFIELD".to_vec() }, k];
                for _ in 0..g.below(4) {
                    match g.below(5) {
                        0 => {
                            v.push(b"OVERFLOW".to_vec());
                            v.push(g.pick(&["WRAP", "SAT", "FAIL", "fail", "x"]).to_string().into());
                        }
                        1 => {
                            v.push(b"GET".to_vec());
                            v.push(ftype(&mut g).into());
                            v.push(offset(&mut g).into());
                        }
                        2 => {
                            v.push(b"SET".to_vec());
                            v.push(ftype(&mut g).into());
                            v.push(offset(&mut g).into());
                            v.push(value(&mut g).into());
                        }
                        _ => {
                            v.push(b"INCRBY".to_vec());
                            v.push(ftype(&mut g).into());
                            v.push(offset(&mut g).into());
                            v.push(value(&mut g).into());
                        }
                    }
                }
                v
            }
            11 => vec!["SET".into(), k, if g.chance(50) { g.numberish().into() } else { g.bytes(12) }],
            12 => vec!["GET".into(), k],
            _ => vec!["DEL".into(), k],
        };
        steps.push(Step::exact(&argv));
    }
    assert_parity("bitmap random", &steps);
}
