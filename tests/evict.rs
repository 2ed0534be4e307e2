//! maxmemory and eviction on our side, with a manual clock: for each of the
//! eight policies a tenfold overfill keeps the store inside its limit and the
//! right keys leave (cold before hot, volatile only, soonest TTL first); the
//! OOM error under noeviction and volatile-* without volatile keys; a value
//! larger than maxmemory refused whole; `evicted` events and counters; MEMORY
//! USAGE/STATS and INFO memory that follow the data.

use cinnabar::notify;
use cinnabar::reply::Reply;
use cinnabar::{Client, ManualClock, Options, Server};

const T0: i64 = 1_700_000_000_000;
const OOM: &str = "OOM command not allowed when used memory > 'maxmemory'.";

fn setup(policy: &str, max: usize) -> (Server, Client, ManualClock) {
    let clock = ManualClock::new(T0);
    let mut srv = Server::with_clock(Options::default(), Box::new(clock.clone()));
    let mut c = srv.new_client();
    assert_eq!(run(&mut srv, &mut c, &["CONFIG", "SET", "maxmemory-policy", policy]), Reply::OK);
    assert_eq!(run(&mut srv, &mut c, &["CONFIG", "SET", "maxmemory", &max.to_string()]), Reply::OK);
    (srv, c, clock)
}

fn run<A: AsRef<[u8]>>(srv: &mut Server, c: &mut Client, argv: &[A]) -> Reply {
    let refs: Vec<&[u8]> = argv.iter().map(|a| a.as_ref()).collect();
    srv.execute(c, &refs)
}

fn exists(srv: &mut Server, c: &mut Client, key: &str) -> bool {
    run(srv, c, &["EXISTS", key]) == Reply::Int(1)
}

fn is_err(r: &Reply, text: &str) -> bool {
    matches!(r, Reply::Error(e) if e.text() == text)
}

const VAL: &str = "vvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvv";

/// Fills a store limited to what `n` keys need, with `10 n` keys; checks the bound
/// after every write. Returns the store and which of the keys survived.
fn overfill(policy: &str, n: usize, prep: impl Fn(&mut Server, &mut Client, &ManualClock, usize)) -> (Server, Client, Vec<bool>) {
    // Measure what n keys cost, then set the limit to that.
    let (mut probe, mut pc, _) = setup("noeviction", 0);
    for i in 0..n {
        run(&mut probe, &mut pc, &["SET", &format!("key:{i:08}"), VAL]);
    }
    let limit = probe.used_memory() + 4096;
    let (mut s, mut c, clock) = setup(policy, limit);
    for i in 0..10 * n {
        clock.advance(1000);
        let r = run(&mut s, &mut c, &["SET", &format!("key:{i:08}"), VAL]);
        assert_eq!(r, Reply::OK, "{policy}: SET #{i}");
        prep(&mut s, &mut c, &clock, i);
        assert!(s.used_memory() <= limit, "{policy}: {} > {limit} after {i}", s.used_memory());
    }
    let alive = (0..10 * n).map(|i| exists(&mut s, &mut c, &format!("key:{i:08}"))).collect();
    (s, c, alive)
}

#[test]
fn allkeys_lru_keeps_recently_used() {
    // Key i is read again right after key i+... : keys divisible by 10 are read every step.
    let (s, _, alive) = overfill("allkeys-lru", 200, |s, c, _, i| {
        for j in (0..i + 1).step_by(10).rev().take(30) {
            run(s, c, &["GET", &format!("key:{j:08}")]);
        }
    });
    let n = alive.len();
    let survivors = alive.iter().filter(|a| **a).count();
    assert!(survivors > 100 && survivors <= 260, "{survivors}");
    // The newest keys survive, the oldest unread ones are gone.
    assert!(alive[n - 1] && alive[n - 2]);
    let old_cold = (0..n / 2).filter(|i| i % 10 != 0 && alive[*i]).count();
    assert!(old_cold < 10, "{old_cold} old cold keys survived");
    assert!(s.stats.evicted_keys as usize >= n - 260);
}

#[test]
fn allkeys_lfu_keeps_frequently_used() {
    let (mut s, mut c, clock) = setup("allkeys-lfu", 0);
    for i in 0..20 {
        run(&mut s, &mut c, &["SET", &format!("hot:{i}"), VAL]);
    }
    for _ in 0..200 {
        for i in 0..20 {
            run(&mut s, &mut c, &["GET", &format!("hot:{i}")]);
        }
    }
    let limit = s.used_memory() + 200 * 200;
    run(&mut s, &mut c, &["CONFIG", "SET", "maxmemory", &limit.to_string()]);
    for i in 0..3000 {
        clock.advance(10);
        assert_eq!(run(&mut s, &mut c, &["SET", &format!("cold:{i}"), VAL]), Reply::OK);
        assert!(s.used_memory() <= limit);
    }
    let hot = (0..20).filter(|i| exists(&mut s, &mut c, &format!("hot:{i}"))).count();
    assert_eq!(hot, 20, "frequently read keys were evicted");
    assert!(s.stats.evicted_keys > 2000);
}

#[test]
fn allkeys_random_holds_the_bound() {
    let (s, _, alive) = overfill("allkeys-random", 200, |_, _, _, _| {});
    let survivors = alive.iter().filter(|a| **a).count();
    assert!(survivors > 100 && survivors <= 260, "{survivors}");
    // Random: survivors spread over the whole range, not only the newest.
    assert!(alive[..1800].iter().any(|a| *a));
    assert_eq!(s.stats.evicted_keys as usize, 2000 - survivors);
}

/// Under volatile-* only keys with a TTL leave; keys without one stay.
fn volatile_policy(policy: &str) {
    let (s, mut c, alive) = overfill(policy, 200, |s, c, _, i| {
        if i >= 50 {
            // the first 50 keys stay persistent; later keys expire later
            run(s, c, &["PEXPIRE", &format!("key:{i:08}"), &(1_000_000_000 + i * 1000).to_string()]);
        }
    });
    let mut s = s;
    for (i, a) in alive.iter().enumerate().take(50) {
        assert!(a, "{policy}: persistent key {i} was evicted");
    }
    assert!(s.stats.evicted_keys > 0);
    let survivors = alive.iter().filter(|a| **a).count();
    assert!(survivors <= 260, "{survivors}");
    // Once only persistent keys remain, the next write is refused with OOM.
    let mut refused = false;
    for i in 0..3000 {
        let r = run(&mut s, &mut c, &["SET", &format!("p:{i}"), VAL]);
        if is_err(&r, OOM) {
            refused = true;
            break;
        }
    }
    assert!(refused, "{policy}: never refused");
    assert_eq!(s.dbs[0].volatile_len(), 0);
}

#[test]
fn volatile_lru_evicts_only_volatile() {
    volatile_policy("volatile-lru");
}
#[test]
fn volatile_lfu_evicts_only_volatile() {
    volatile_policy("volatile-lfu");
}
#[test]
fn volatile_random_evicts_only_volatile() {
    volatile_policy("volatile-random");
}
#[test]
fn volatile_ttl_evicts_only_volatile() {
    volatile_policy("volatile-ttl");
}

#[test]
fn volatile_ttl_evicts_soonest_expiry_first() {
    let (mut s, mut c, _) = setup("volatile-ttl", 0);
    for i in 0..300 {
        run(&mut s, &mut c, &["SET", &format!("t:{i}"), VAL, "EX", &(100_000 - i * 100).to_string()]);
    }
    let limit = s.used_memory() - 60 * 150;
    run(&mut s, &mut c, &["CONFIG", "SET", "maxmemory", &limit.to_string()]);
    run(&mut s, &mut c, &["SET", "x", "1", "EX", "1000000"]);
    assert!(s.used_memory() <= limit);
    // The keys expiring soonest (highest i) went first: the oldest-expiring ones stay.
    for i in 0..150 {
        assert!(exists(&mut s, &mut c, &format!("t:{i}")), "t:{i} (late expiry) evicted");
    }
    let gone = (150..300).filter(|i| !exists(&mut s, &mut c, &format!("t:{i}"))).count();
    assert!(gone > 30, "{gone}");
}

#[test]
fn noeviction_refuses_writes_not_reads() {
    let (mut s, mut c, _) = setup("noeviction", 0);
    for i in 0..100 {
        run(&mut s, &mut c, &["SET", &format!("k{i}"), VAL]);
    }
    let limit = s.used_memory();
    run(&mut s, &mut c, &["CONFIG", "SET", "maxmemory", &limit.to_string()]);
    let r = run(&mut s, &mut c, &["SET", "new", VAL]);
    assert!(is_err(&r, OOM), "{r:?}");
    assert_eq!(run(&mut s, &mut c, &["GET", "k1"]), Reply::bulk_str(VAL));
    assert_eq!(run(&mut s, &mut c, &["DEL", "k1"]), Reply::Int(1)); // DEL is not DENYOOM
    assert_eq!(s.stats.evicted_keys, 0);
    // Inside MULTI: queued commands are refused and EXEC aborts.
    let mut big = String::new();
    for _ in 0..100 {
        big.push_str(VAL);
    }
    assert_eq!(run(&mut s, &mut c, &["MULTI"]), Reply::OK);
    assert!(is_err(&run(&mut s, &mut c, &["SET", "a", &big]), OOM));
    let r = run(&mut s, &mut c, &["EXEC"]);
    assert!(
        is_err(&r, "EXECABORT Transaction discarded because of previous errors."),
        "{r:?}"
    );
}

#[test]
fn value_larger_than_maxmemory_refused_whole() {
    let (mut s, mut c, _) = setup("allkeys-lru", 0);
    for i in 0..50 {
        run(&mut s, &mut c, &["SET", &format!("k{i}"), VAL]);
    }
    let limit = s.used_memory() + 1000;
    run(&mut s, &mut c, &["CONFIG", "SET", "maxmemory", &limit.to_string()]);
    let huge = "x".repeat(limit + 10);
    let r = run(&mut s, &mut c, &["SET", "huge", &huge]);
    assert!(is_err(&r, OOM), "{r:?}");
    assert_eq!(run(&mut s, &mut c, &["EXISTS", "huge"]), Reply::Int(0));
    // Nothing was evicted for a write that could never fit.
    assert_eq!(s.stats.evicted_keys, 0);
    assert_eq!(run(&mut s, &mut c, &["DBSIZE"]), Reply::Int(50));
}

#[test]
fn evicted_events_and_watch() {
    let (mut s, mut c, clock) = setup("allkeys-lru", 0);
    run(&mut s, &mut c, &["CONFIG", "SET", "notify-keyspace-events", "Ee"]);
    for i in 0..20 {
        clock.advance(1000);
        run(&mut s, &mut c, &["SET", &format!("k{i}"), VAL]);
    }
    let mut w = s.new_client();
    let all: Vec<String> = (0..20).map(|i| format!("k{i}")).collect();
    let mut watch = vec!["WATCH".to_string()];
    watch.extend(all.iter().cloned());
    run(&mut s, &mut w, &watch);
    let limit = s.used_memory() - 100;
    run(&mut s, &mut c, &["CONFIG", "SET", "maxmemory", &limit.to_string()]);
    run(&mut s, &mut c, &["SET", "new", VAL]);
    let events = s.take_events();
    assert!(events.iter().any(|e| e.event == "evicted" && e.class == notify::EVICTED));
    assert!(all.iter().any(|k| !exists(&mut s, &mut c, k)));
    run(&mut s, &mut w, &["MULTI"]);
    run(&mut s, &mut w, &["PING"]);
    assert_eq!(run(&mut s, &mut w, &["EXEC"]), Reply::NilArray, "eviction must break WATCH");
    let info = match run(&mut s, &mut c, &["INFO", "stats"]) {
        Reply::Bulk(b) => String::from_utf8(b).unwrap(),
        r => panic!("{r:?}"),
    };
    assert!(info.contains(&format!("evicted_keys:{}\r\n", s.stats.evicted_keys)));
}

#[test]
fn accounting_follows_in_place_changes() {
    let (mut s, mut c, _) = setup("noeviction", 0);
    let base = s.used_memory();
    run(&mut s, &mut c, &["SET", "k", "abc"]);
    let one = s.used_memory();
    assert!(one > base);
    run(&mut s, &mut c, &["APPEND", "k", &"x".repeat(10_000)]);
    assert!(s.used_memory() >= one + 10_000);
    for i in 0..1000 {
        run(&mut s, &mut c, &["SADD", "set", &format!("member-{i}")]);
    }
    let with_set = s.used_memory();
    run(&mut s, &mut c, &["DEL", "set", "k"]);
    assert!(s.used_memory() < with_set - 10_000);
    // A full recount agrees with the running total.
    run(&mut s, &mut c, &["FLUSHALL"]);
    assert_eq!(s.used_memory(), base);
    let usage = run(&mut s, &mut c, &["MEMORY", "USAGE", "nokey"]);
    assert_eq!(usage, Reply::Nil);
    run(&mut s, &mut c, &["SET", "k", VAL]);
    match run(&mut s, &mut c, &["MEMORY", "USAGE", "k", "SAMPLES", "0"]) {
        Reply::Int(n) => assert!((100..300).contains(&n), "{n}"),
        r => panic!("{r:?}"),
    }
}
