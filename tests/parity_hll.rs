//! HyperLogLog parity with redis-server: counts, and the exact bytes of the
//! HLL strings (GET), through sparse updates, promotion to dense, merges,
//! cached cardinalities and corrupted values.

mod support;

use cinnabar::reply::Reply;
use support::{assert_parity, Gen, Step};

fn element(g: &mut Gen) -> Vec<u8> {
    match g.below(4) {
        0 => format!("e{}", g.below(5000)).into_bytes(),
        1 => g.bytes(20),
        2 => format!("{}", g.next()).into_bytes(),
        _ => g.numberish().into_bytes(),
    }
}

fn key(g: &mut Gen) -> Vec<u8> {
    format!("h{}", g.below(6)).into_bytes()
}

#[test]
fn hll_hand_written() {
    let mut steps = vec![
        Step::exact(&["PFADD", "h"]),
        Step::exact(&["PFADD", "h"]),
        Step::exact(&["GET", "h"]),
        Step::exact(&["OBJECT", "ENCODING", "h"]),
        Step::exact(&["PFCOUNT", "h"]),
        Step::exact(&["PFADD", "h", "a", "b", "c", "a"]),
        Step::exact(&["PFCOUNT", "h"]),
        Step::exact(&["GET", "h"]),
        Step::exact(&["PFCOUNT", "nope"]),
        Step::exact(&["PFCOUNT", "h", "nope"]),
        Step::exact(&["SET", "s", "hello"]),
        Step::exact(&["PFADD", "s", "x"]),
        Step::exact(&["PFCOUNT", "s"]),
        Step::exact(&["PFCOUNT", "h", "s"]),
        Step::exact(&["PFMERGE", "h", "s"]),
        Step::exact(&["SET", "i", "12345"]),
        Step::exact(&["PFADD", "i", "x"]),
        Step::exact(&["PFADD"]),
        Step::exact(&["PFCOUNT"]),
        Step::exact(&["PFMERGE"]),
        Step::exact(&["PFMERGE", "m"]),
        Step::exact(&["GET", "m"]),
        Step::exact(&["PFMERGE", "m", "h", "missing"]),
        Step::exact(&["GET", "m"]),
        Step::exact(&["PFCOUNT", "m"]),
        // corrupted values: a sparse HLL whose runs do not add up, and a bad dense size
        Step::exact(&[&b"SET"[..], b"c1", b"HYLL\x01\0\0\0\0\0\0\0\0\0\0\0\x7f\xfe"]),
        Step::exact(&["PFADD", "c1", "zz"]),
        Step::exact(&["PFCOUNT", "c1"]),
        Step::exact(&["PFCOUNT", "c1", "h"]),
        Step::exact(&["PFMERGE", "x", "c1"]),
        Step::exact(&[&b"SET"[..], b"c2", b"HYLL\x00\0\0\0\0\0\0\0\0\0\0\0\x7f\xff"]),
        Step::exact(&["PFADD", "c2", "zz"]),
        Step::exact(&[&b"SET"[..], b"c3", b"HYLL\x02\0\0\0\0\0\0\0\0\0\0\0\x7f\xff"]),
        Step::exact(&["PFCOUNT", "c3"]),
        Step::exact(&[&b"SET"[..], b"c4", b"HYLL\x01\0\0\0\0\0\0\0\0\0\0\0\xff\x7f\xff"]),
        Step::exact(&["PFCOUNT", "c4"]),
        Step::exact(&["PFADD", "c4", "a", "b"]),
        Step::exact(&["GET", "c4"]),
        // runs past the last register: two full XZERO runs, then a VAL run
        Step::exact(&[&b"SET"[..], b"c5", b"HYLL\x01\0\0\0\0\0\0\0\0\0\0\0\x7f\xff\x7f\xff\x80"]),
        Step::exact(&["PFCOUNT", "c5"]),
        Step::exact(&["PFCOUNT", "c5", "h"]),
        Step::exact(&["PFMERGE", "x5", "c5"]),
        Step::exact(&["PFADD", "c5", "a"]),
        Step::exact(&["GET", "c5"]),
        Step::exact(&["APPEND", "h", "x"]),
        Step::exact(&["PFCOUNT", "h"]),
        Step::exact(&["PFADD", "h", "q"]),
    ];
    // Grow one HLL through the sparse range into dense, checking bytes on the way.
    let mut g = Gen::new(7);
    for round in 0..40 {
        let mut argv: Vec<Vec<u8>> = vec![b"PFADD".to_vec(), b"big".to_vec()];
        for _ in 0..(round * 10 + 1) {
            argv.push(element(&mut g));
        }
        steps.push(Step::exact(&argv));
        steps.push(Step::exact(&["PFCOUNT", "big"]));
        steps.push(Step::exact(&["GET", "big"]));
        steps.push(Step::exact(&["STRLEN", "big"]));
    }
    steps.push(Step::exact(&["PFMERGE", "m2", "m", "big"]));
    steps.push(Step::exact(&["GET", "m2"]));
    steps.push(Step::exact(&["PFCOUNT", "m2", "m", "big", "h"]));
    assert_parity("hll hand-written", &steps);
}

#[test]
fn hll_random_sequence() {
    let mut g = Gen::new(2024);
    let mut steps = Vec::new();
    for _ in 0..3000 {
        let k = key(&mut g);
        let step = match g.below(12) {
            0..=3 => {
                let mut argv = vec![b"PFADD".to_vec(), k];
                let n = if g.chance(10) { g.below(400) } else { g.below(6) };
                for _ in 0..n {
                    argv.push(element(&mut g));
                }
                argv
            }
            4 | 5 => vec![b"PFCOUNT".to_vec(), k],
            6 => {
                let mut argv = vec![b"PFCOUNT".to_vec(), k];
                for _ in 0..g.below(4) {
                    argv.push(key(&mut g));
                }
                argv
            }
            7 => {
                let mut argv = vec![b"PFMERGE".to_vec(), k];
                for _ in 0..g.below(4) {
                    argv.push(key(&mut g));
                }
                argv
            }
            8 => vec![b"GET".to_vec(), k],
            9 => match g.below(4) {
                0 => vec![b"SET".to_vec(), k, g.numberish().into_bytes()],
                1 => vec![b"DEL".to_vec(), k],
                2 => vec![b"APPEND".to_vec(), k, g.bytes(3)],
                _ => vec![b"SET".to_vec(), k, b"HYLL".to_vec()],
            },
            10 => vec![b"STRLEN".to_vec(), k],
            _ => vec![b"PFADD".to_vec()],
        };
        steps.push(Step::exact(&step));
    }
    assert_parity("hll random", &steps);
}

#[test]
fn hll_counts_many_elements_like_redis() {
    // One HLL per size, compared on count only (GET bytes are covered above).
    let mut steps = Vec::new();
    let mut g = Gen::new(99);
    for (i, n) in [10usize, 100, 1000, 5000, 20000, 100000].iter().enumerate() {
        let k = format!("n{i}");
        let mut left = *n;
        while left > 0 {
            let batch = left.min(1000);
            let mut argv = vec![b"PFADD".to_vec(), k.clone().into_bytes()];
            for _ in 0..batch {
                argv.push(format!("{}", g.next()).into_bytes());
            }
            steps.push(Step::exact(&argv));
            left -= batch;
        }
        steps.push(Step::exact(&["PFCOUNT", &k]));
        steps.push(Step::exact(&["OBJECT", "ENCODING", &k]));
    }
    steps.push(Step::exact(&["PFCOUNT", "n0", "n1", "n2", "n3", "n4", "n5"]));
    steps.push(Step::exact(&["PFMERGE", "all", "n0", "n1", "n2", "n3", "n4", "n5"]));
    steps.push(Step::exact(&["PFCOUNT", "all"]));
    steps.push(Step::exact(&["GET", "all"]));
    assert_parity("hll counts", &steps);
    let _ = Reply::Nil;
}
