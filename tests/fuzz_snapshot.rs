//! Fuzz target for the snapshot decoder: mutated snapshots (byte changes,
//! insertions, deletions, spliced pieces of other snapshots) with the checksum
//! recomputed so they reach the parser, plus random bodies behind a valid
//! header. Nothing may panic; a refused input leaves the store untouched; an
//! accepted one leaves a usable store whose own snapshot restores again.
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
            let cmds: Vec<Vec<String>> = match g.below(8) {
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

#[test]
fn decoder_survives_hostile_input() {
    let iters: u64 = std::env::var("CINNABAR_FUZZ_ITERS").ok().and_then(|s| s.parse().ok()).unwrap_or(100_000);
    let seed: u64 = std::env::var("CINNABAR_FUZZ_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or(1);
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
