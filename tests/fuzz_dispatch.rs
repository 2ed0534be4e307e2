//! Property test over the dispatcher: random command names and arguments
//! (including random bytes, extreme numbers and option keywords) through
//! several clients sharing one store, with time jumping around. Nothing may
//! panic, every reply must be well-formed, and the store must stay usable.
//!
//! Default: 1,000,000 commands (seed 1). Longer or different runs:
//!   CINNABAR_FUZZ_ITERS=20000000 CINNABAR_FUZZ_SEED=7 cargo test --release --test fuzz_dispatch -- --nocapture

mod support;

use cinnabar::cmd::all_commands;
use cinnabar::reply::Reply;
use cinnabar::{ManualClock, Options, Server};
use std::panic::{catch_unwind, AssertUnwindSafe};
use support::Gen;

const WORDS: &[&str] = &[
    "EX", "PX", "EXAT", "PXAT", "NX", "XX", "GT", "LT", "KEEPTTL", "GET", "PERSIST", "MATCH", "COUNT",
    "TYPE", "DB", "REPLACE", "LEN", "IDX", "MINMATCHLEN", "WITHMATCHLEN", "SYNC", "ASYNC", "string",
    "ENCODING", "FREQ", "IDLETIME", "REFCOUNT", "HELP", "GETKEYS", "INFO", "DOCS", "LIST", "FILTERBY",
    "PATTERN", "ACLCAT", "MODULE", "all", "everything", "default", "server", "memory", "stats", "keyspace",
    "hz", "databases", "notify-keyspace-events", "KEA", "*", "?", "[a-z]*", "\\", "[", "*a*a*a*b",
    "maxmemory", "maxmemory-policy", "maxmemory-samples", "lfu-log-factor", "lfu-decay-time", "allkeys-lru",
    "allkeys-lfu", "volatile-ttl", "volatile-random", "noeviction", "USAGE", "SAMPLES", "STATS", "DOCTOR",
    // streams
    "STREAMS", "MAXLEN", "MINID", "~", "=", "LIMIT", "NOMKSTREAM", "$", ">", "-", "+", "GROUP", "BLOCK",
    "NOACK", "MKSTREAM", "ENTRIESREAD", "IDLE", "FORCE", "JUSTID", "LASTID", "RETRYCOUNT", "FULL", "0-1", "5-*",
];

/// Numbers around the 32-bit limits (usize on wasm32) and the 512 MB string limit.
const WIDE: &[&str] = &[
    "2147483647", "2147483648", "-2147483648", "-2147483649", "4294967295", "4294967296", "4294967297",
    "-4294967296", "536870911", "536870912", "4294967295999", "9007199254740993", "18446744073709551615",
];

fn arg(g: &mut Gen) -> Vec<u8> {
    if g.chance(4) {
        return g.pick(WIDE).as_bytes().to_vec();
    }
    match g.below(10) {
        0..=2 => format!("k{}", g.below(12)).into_bytes(),
        3 => g.numberish().into_bytes(),
        4 => g.pick(WORDS).as_bytes().to_vec(),
        5 => g.bytes(24),
        6 => format!("{}", g.below(4096)).into_bytes(),
        7 => format!("-{}", g.below(100)).into_bytes(),
        8 => vec![b'a'; g.below(64) as usize],
        _ => format!("v{}", g.below(50)).into_bytes(),
    }
}

fn command(g: &mut Gen) -> Vec<Vec<u8>> {
    let specs = all_commands();
    let mut argv = Vec::new();
    let name: Vec<u8> = match g.below(20) {
        0 => g.bytes(12),
        1 => b"".to_vec(),
        _ => {
            let spec = g.pick(specs);
            let mut n = spec.name.as_bytes().to_vec();
            if g.chance(30) {
                n.make_ascii_uppercase();
            }
            if !spec.subcommands.is_empty() && g.chance(90) {
                argv.push(n);
                let sub = g.pick(spec.subcommands);
                argv.push(sub.name.as_bytes().to_vec());
                let extra = g.below(6);
                for _ in 0..extra {
                    argv.push(arg(g));
                }
                return argv;
            }
            n
        }
    };
    argv.push(name);
    let n = match g.below(10) {
        0 => 0,
        1..=6 => g.below(4),
        _ => g.below(9),
    };
    for _ in 0..n {
        argv.push(arg(g));
    }
    argv
}

fn well_formed(r: &Reply) -> bool {
    match r {
        Reply::Error(e) => {
            let t = e.text();
            !t.is_empty() && !t.contains('\r') && !t.contains('\n') && t.split(' ').next().is_some_and(|c| c.chars().all(|ch| ch.is_ascii_uppercase()))
        }
        Reply::Status(s) => !s.contains('\r') && !s.contains('\n'),
        Reply::Array(items) | Reply::Seq(items) => items.iter().all(well_formed),
        _ => true,
    }
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", allow(dead_code))]
fn a_million_random_commands_never_panic() {
    let iters: u64 = std::env::var("CINNABAR_FUZZ_ITERS").ok().and_then(|s| s.parse().ok()).unwrap_or(1_000_000);
    let seed: u64 = std::env::var("CINNABAR_FUZZ_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or(1);
    fuzz(iters, seed);
}

/// The same fuzz compiled for wasm32 (usize is 32 bits there: offsets, counts
/// and lengths that fit natively may not), run in Node by wasm-bindgen-test:
///   CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
///     cargo test --target wasm32-unknown-unknown --test fuzz_dispatch
/// A panic there is a trap that fails the run (wasm has no unwinding).
#[cfg(target_arch = "wasm32")]
#[wasm_bindgen_test::wasm_bindgen_test]
fn wasm32_random_commands_never_panic() {
    fuzz(1_000_000, 3);
}

fn fuzz(iters: u64, seed: u64) {
    let clock = ManualClock::new(1_700_000_000_000);
    let mut srv = Server::with_clock(Options { seed, ..Options::default() }, Box::new(clock.clone()));
    let mut clients = [srv.new_client(), srv.new_client(), srv.new_client()];
    // Keep strings small so the run measures the dispatcher, not memset.
    let cap: [&[u8]; 4] = [b"CONFIG", b"SET", b"proto-max-bulk-len", b"1mb"];
    let _ = srv.execute(&mut clients[0], &cap);
    let mut g = Gen::new(seed);
    let mut errors = 0u64;
    for i in 0..iters {
        let mut argv = command(&mut g);
        // Never let the fuzzer lift the size cap (a 512 MB memset per command is not a finding).
        if argv.len() >= 3 && argv[0].eq_ignore_ascii_case(b"config") && argv[1].eq_ignore_ascii_case(b"set") {
            argv.retain(|a| !a.eq_ignore_ascii_case(b"proto-max-bulk-len"));
        }
        match g.below(100) {
            0 => clock.advance(g.below(200_000) as i64),
            1 => {
                let _ = srv.active_expire_cycle(50);
            }
            2 => {
                // Memory pressure: a limit near the current use under a random policy.
                let policies: [&[u8]; 8] = [
                    b"noeviction", b"allkeys-lru", b"allkeys-lfu", b"allkeys-random",
                    b"volatile-lru", b"volatile-lfu", b"volatile-random", b"volatile-ttl",
                ];
                let p: [&[u8]; 4] = [b"CONFIG", b"SET", b"maxmemory-policy", *g.pick(&policies)];
                let _ = srv.execute(&mut clients[0], &p);
                let used = srv.used_memory() as u64;
                let max = if g.chance(30) { 0 } else { used.saturating_sub(g.below(2048)) + g.below(4096) };
                let max = max.to_string();
                let m: [&[u8]; 4] = [b"CONFIG", b"SET", b"maxmemory", max.as_bytes()];
                let _ = srv.execute(&mut clients[0], &m);
            }
            _ => {}
        }
        let c = g.below(clients.len() as u64) as usize;
        // pubsub: a subscribed client refuses most commands; leave that mode
        // half of the time so the fuzz keeps reaching every family. Deliveries
        // are drained as the JS binding does after each command.
        if srv.pubsub.is_subscribed(clients[c].id) && g.chance(50) {
            for u in ["UNSUBSCRIBE", "PUNSUBSCRIBE", "SUNSUBSCRIBE"] {
                let _ = srv.execute(&mut clients[c], &[u.as_bytes()]);
            }
        }
        srv.pubsub.drain();
        let refs: Vec<&[u8]> = argv.iter().map(|a| a.as_slice()).collect();
        let client = &mut clients[c];
        let out = catch_unwind(AssertUnwindSafe(|| srv.execute(client, &refs)));
        match out {
            Ok(r) => {
                assert!(well_formed(&r), "malformed reply {r:?} to {}", support::show(&argv));
                if r.is_error() {
                    errors += 1;
                }
            }
            Err(_) => panic!("panic at command #{i} (seed {seed}): {}", support::show(&argv)),
        }
        if i % 100_000 == 0 {
            // The store must still answer plainly.
            let ping: [&[u8]; 1] = [b"PING"];
            let mut fresh = srv.new_client();
            assert_eq!(srv.execute(&mut fresh, &ping), Reply::status("PONG"));
            srv.drop_client(&fresh);
        }
    }
    eprintln!("fuzz: {iters} commands, {errors} error replies, {} keys at the end", srv.total_keys());
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn random_bytes_as_whole_commands() {
    let clock = ManualClock::new(1_000);
    let mut srv = Server::with_clock(Options::default(), Box::new(clock));
    let mut c = srv.new_client();
    let mut g = Gen::new(99);
    for _ in 0..100_000 {
        let n = g.below(6) as usize;
        let argv: Vec<Vec<u8>> = (0..n).map(|_| g.bytes(40)).collect();
        let refs: Vec<&[u8]> = argv.iter().map(|a| a.as_slice()).collect();
        let r = srv.execute(&mut c, &refs);
        assert!(well_formed(&r));
    }
}
