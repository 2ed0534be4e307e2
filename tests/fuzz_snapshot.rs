//! Fuzz target for the snapshot decoder: mutated snapshots (byte changes,
//! insertions, deletions, spliced pieces of other snapshots) with the checksum
//! recomputed so they reach the parser, plus random bodies behind a valid
//! header. Nothing may panic; a refused input leaves the store untouched; an
//! accepted one leaves a usable store whose own snapshot restores again, and
//! whose streams (whatever odd counters a forged one carries) answer stream
//! commands without panicking.
//!
//! Default: 100,000 inputs (seed 1). Longer runs:
//!   CINNABAR_FUZZ_ITERS=5000000 CINNABAR_FUZZ_SEED=9 cargo test --release --test fuzz_snapshot -- --nocapture

mod support;

use cinnabar::snapshot;
use cinnabar::{ManualClock, Options, Server};
use support::Gen;

const T0: i64 = 1_700_000_000_000;

fn store(at: i64) -> (Server, cinnabar::Client) {
    let mut s = Server::with_clock(Options::default(), Box::new(ManualClock::new(at)));
    let c = s.new_client();
    (s, c)
}

fn seeds() -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    let mut g = Gen::new(42);
    for n in [3usize, 12, 40] {
        let (mut s, mut c) = store(T0);
        for i in 0..n {
            let k = format!("k{i}");
            let cmds: Vec<Vec<String>> = match g.below(9) {
                8 => {
                    let sv = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<String>>();
                    vec![
                        sv(&["XADD", &k, "1-1", "f", "v", "g", "w"]),
                        sv(&["XADD", &k, "1-2", "f", "x", "g", "y"]),
                        sv(&["XADD", &k, "3-0", "other", "z"]),
                        sv(&["XGROUP", "CREATE", &k, "grp", "0"]),
                        sv(&["XREADGROUP", "GROUP", "grp", "alice", "COUNT", "2", "STREAMS", &k, ">"]),
                        sv(&["XGROUP", "CREATECONSUMER", &k, "grp", "bob"]),
                        sv(&["XDEL", &k, "1-2"]),
                    ]
                }
                6 => vec![vec!["ZADD".into(), k, "1.5".into(), "a".into(), "-inf".into(), "b".into()]],
                7 => vec![vec!["RPUSH".into(), k, "x".into(), "".into(), "y".into()]],
                0 => vec![vec!["SET".into(), k, g.numberish()]],
                1 => vec![vec!["SADD".into(), k.clone(), "1".into(), "5".into(), "-9".into()]],
                2 => vec![vec!["SADD".into(), k, "a".into(), "b".into()]],
                3 => vec![vec!["HSET".into(), k, "f".into(), "v".into(), "g".into(), "w".into()]],
                4 => vec![
                    vec!["HSET".into(), k.clone(), "f".into(), "v".into()],
                    vec!["HPEXPIRE".into(), k, "5000".into(), "FIELDS".into(), "1".into(), "f".into()],
                ],
                _ => vec![vec!["SET".into(), k, "x".into(), "PX".into(), "9000".into()]],
            };
            for argv in cmds {
                let refs: Vec<&[u8]> = argv.iter().map(|a| a.as_bytes()).collect();
                s.execute(&mut c, &refs);
            }
            if i % 7 == 3 {
                s.execute(&mut c, &[b"SELECT", b"2"]);
            }
        }
        out.push(s.snapshot().unwrap());
    }
    out
}

fn forge(b: &mut [u8]) {
    if b.len() < 4 {
        return;
    }
    let n = b.len();
    let crc = snapshot::crc32c(&b[..n - 4]);
    b[n - 4..].copy_from_slice(&crc.to_le_bytes());
}

fn mutate(g: &mut Gen, seeds: &[Vec<u8>]) -> Vec<u8> {
    let mut b = g.pick(seeds).clone();
    match g.below(8) {
        0 => {
            // random body behind a valid header
            b.truncate(15);
            let n = g.below(80);
            for _ in 0..n {
                b.push(if g.chance(50) { g.below(4) as u8 } else { g.below(256) as u8 });
            }
            b.extend_from_slice(&[0; 4]);
        }
        1 => {
            let other = g.pick(seeds);
            let (i, j) = (g.below(b.len() as u64) as usize, g.below(other.len() as u64) as usize);
            let len = g.below(24) as usize;
            let piece: Vec<u8> = other[j..(j + len).min(other.len())].to_vec();
            b.splice(i..i, piece);
        }
        2 => {
            let i = 15 + g.below(b.len() as u64 - 19) as usize;
            let n = (1 + g.below(6) as usize).min(b.len() - 4 - i);
            b.drain(i..i + n);
        }
        _ => {
            for _ in 0..1 + g.below(4) {
                let i = g.below(b.len() as u64) as usize;
                b[i] = match g.below(4) {
                    0 => 0,
                    1 => 0xFF,
                    2 => b[i].wrapping_add(1),
                    _ => g.below(256) as u8,
                };
            }
        }
    }
    if g.chance(95) {
        forge(&mut b);
    }
    b
}

/// Runs stream commands on every stream key of database 0 (panics would show).
fn poke_streams(s: &mut Server, c: &mut cinnabar::Client) {
    s.execute(c, &[b"SELECT", b"0"]);
    let cinnabar::reply::Reply::Array(keys) = s.execute(c, &[b"KEYS", b"*"]) else { return };
    for k in keys {
        let cinnabar::reply::Reply::Bulk(k) = k else { continue };
        if s.execute(c, &[b"TYPE", &k]) != cinnabar::reply::Reply::Status("stream".into()) {
            continue;
        }
        for argv in [
            &[b"XINFO".as_slice(), b"STREAM", &k, b"FULL"][..],
            &[b"XINFO", b"GROUPS", &k],
            &[b"XINFO", b"CONSUMERS", &k, b"grp"],
            &[b"XRANGE", &k, b"-", b"+"],
            &[b"XREVRANGE", &k, b"+", b"-", b"COUNT", b"2"],
            &[b"XPENDING", &k, b"grp", b"-", b"+", b"10"],
            &[b"XREADGROUP", b"GROUP", b"grp", b"carol", b"STREAMS", &k, b">"],
            &[b"XREADGROUP", b"GROUP", b"grp", b"alice", b"STREAMS", &k, b"0"],
            &[b"XAUTOCLAIM", &k, b"grp", b"dave", b"0", b"0-0"],
            &[b"XCLAIM", &k, b"grp", b"erin", b"0", b"1-1", b"1-2", b"3-0"],
            &[b"XACK", &k, b"grp", b"1-1"],
            &[b"XDEL", &k, b"1-1", b"3-0"],
            &[b"XADD", &k, b"*", b"f", b"v"],
            &[b"XTRIM", &k, b"MAXLEN", b"~", b"1"],
            &[b"XTRIM", &k, b"MINID", b"2-0"],
            &[b"XSETID", &k, b"99999999999999-0"],
            &[b"XINFO", b"STREAM", &k],
            &[b"XLEN", &k],
        ] {
            s.execute(c, argv);
        }
    }
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", allow(dead_code))]
fn decoder_survives_hostile_input() {
    let iters: u64 = std::env::var("CINNABAR_FUZZ_ITERS").ok().and_then(|s| s.parse().ok()).unwrap_or(100_000);
    let seed: u64 = std::env::var("CINNABAR_FUZZ_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or(1);
    fuzz(iters, seed);
}

/// The same fuzz compiled for wasm32 (32-bit usize: counts and lengths read from
/// hostile bytes overflow sooner there), run in Node by wasm-bindgen-test
/// (see tests/fuzz_dispatch.rs and scripts/test.sh).
#[cfg(target_arch = "wasm32")]
#[wasm_bindgen_test::wasm_bindgen_test]
fn wasm32_decoder_survives_hostile_input() {
    fuzz(100_000, 5);
}

fn fuzz(iters: u64, seed: u64) {
    let seeds = seeds();
    let mut g = Gen::new(seed);
    let (mut s, mut c) = store(T0 + 3000);
    s.execute(&mut c, &[b"SET", b"sentinel", b"1"]);
    let base = s.snapshot().unwrap();
    let (mut ok, mut refused) = (0u64, 0u64);
    for i in 0..iters {
        let input = mutate(&mut g, &seeds);
        match s.restore_snapshot(&input) {
            Ok(_) => {
                ok += 1;
                let again = s.snapshot().expect("an accepted snapshot re-encodes");
                poke_streams(&mut s, &mut c);
                let (mut t, _) = store(T0 + 3000);
                t.restore_snapshot(&again).unwrap_or_else(|e| panic!("input {i}: re-encoded snapshot refused: {e}"));
                s.restore_snapshot(&base).unwrap();
            }
            Err(e) => {
                refused += 1;
                assert!(!e.to_string().is_empty());
                assert_eq!(s.snapshot().unwrap(), base, "input {i}: a refused snapshot changed the store");
            }
        }
    }
    eprintln!("fuzz_snapshot: {iters} inputs, {ok} accepted, {refused} refused");
    assert!(ok > 0 && refused > 0);
}
