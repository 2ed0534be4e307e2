//! Keys and TTLs on our side: exact TTL arithmetic with a manual clock, SCAN's
//! guarantees, RANDOMKEY over live keys, LFU/LRU access tracking (OBJECT FREQ
//! and IDLETIME under each policy), shared-integer refcounts, keyspace events
//! and WATCH signals (also across databases for MOVE and COPY).

use cinnabar::config::Policy;
use cinnabar::notify;
use cinnabar::reply::Reply;
use cinnabar::{Client, ManualClock, Options, Server};
use std::collections::HashSet;

const T0: i64 = 1_700_000_000_000;

fn setup() -> (Server, Client, ManualClock) {
    let clock = ManualClock::new(T0);
    let mut srv = Server::with_clock(Options::default(), Box::new(clock.clone()));
    let c = srv.new_client();
    (srv, c, clock)
}

fn run<A: AsRef<[u8]>>(srv: &mut Server, c: &mut Client, argv: &[A]) -> Reply {
    let refs: Vec<&[u8]> = argv.iter().map(|a| a.as_ref()).collect();
    srv.execute(c, &refs)
}

fn int(n: i64) -> Reply {
    Reply::Int(n)
}
fn bulk(s: &str) -> Reply {
    Reply::bulk_str(s)
}
fn err(s: &str) -> Reply {
    Reply::Error(cinnabar::Error::owned(s.to_string()))
}

#[test]
fn expire_family_with_manual_clock() {
    let (mut s, mut c, clock) = setup();
    run(&mut s, &mut c, &["SET", "k", "v"]);
    assert_eq!(run(&mut s, &mut c, &["EXPIRE", "k", "10"]), int(1));
    assert_eq!(run(&mut s, &mut c, &["PTTL", "k"]), int(10_000));
    assert_eq!(run(&mut s, &mut c, &["EXPIRETIME", "k"]), int(T0 / 1000 + 10));
    assert_eq!(run(&mut s, &mut c, &["PEXPIRETIME", "k"]), int(T0 + 10_000));
    clock.advance(9_499);
    assert_eq!(run(&mut s, &mut c, &["TTL", "k"]), int(1)); // 501 ms rounds up
    clock.advance(2);
    assert_eq!(run(&mut s, &mut c, &["TTL", "k"]), int(0));
    assert_eq!(run(&mut s, &mut c, &["PTTL", "k"]), int(499));
    clock.advance(499);
    assert_eq!(run(&mut s, &mut c, &["TTL", "k"]), int(-2));
    assert_eq!(s.stats.expired_keys, 1);
    assert_eq!(run(&mut s, &mut c, &["DBSIZE"]), int(0));

    run(&mut s, &mut c, &["SET", "k", "v"]);
    assert_eq!(run(&mut s, &mut c, &["PEXPIREAT", "k", &(clock.get() + 1).to_string()]), int(1));
    assert_eq!(run(&mut s, &mut c, &["PEXPIREAT", "k", &clock.get().to_string(), "LT"]), int(1));
    assert_eq!(run(&mut s, &mut c, &["EXISTS", "k"]), int(0)); // a time not in the future deletes
    assert_eq!(s.stats.expired_keys, 1); // ... as a DEL, not an expiry
    run(&mut s, &mut c, &["SET", "k", "v"]);
    assert_eq!(run(&mut s, &mut c, &["EXPIRE", "k", "5", "GT"]), int(0)); // no TTL = infinite
    assert_eq!(run(&mut s, &mut c, &["EXPIRE", "k", "5", "LT"]), int(1));
    assert_eq!(run(&mut s, &mut c, &["EXPIRE", "k", "4", "GT"]), int(0));
    assert_eq!(run(&mut s, &mut c, &["EXPIRE", "k", "6", "GT"]), int(1));
    assert_eq!(run(&mut s, &mut c, &["PTTL", "k"]), int(6000));
    assert_eq!(run(&mut s, &mut c, &["SET", "k", "w"]), Reply::OK);
    assert_eq!(run(&mut s, &mut c, &["TTL", "k"]), int(-1)); // SET drops the TTL
    assert_eq!(
        run(&mut s, &mut c, &["EXPIRE", "k", "9223372036854776"]),
        err("ERR invalid expire time in 'expire' command")
    );
    assert_eq!(
        run(&mut s, &mut c, &["PEXPIRE", "k", "9223372036854775807"]),
        err("ERR invalid expire time in 'pexpire' command")
    );
    assert_eq!(
        run(&mut s, &mut c, &["EXPIREAT", "k", "-9223372036854776"]),
        err("ERR invalid expire time in 'expireat' command")
    );
    assert_eq!(run(&mut s, &mut c, &["EXPIRE", "k", "1", "XX", "NX"]), err("ERR NX and XX, GT or LT options at the same time are not compatible"));
    assert_eq!(run(&mut s, &mut c, &["EXPIRE", "k", "1", "GT", "LT"]), err("ERR GT and LT options at the same time are not compatible"));
    assert_eq!(run(&mut s, &mut c, &["EXPIRE", "k", "x", "bad"]), err("ERR Unsupported option bad"));
}

#[test]
fn rename_move_copy_keep_ttl_and_values() {
    let (mut s, mut c, _) = setup();
    run(&mut s, &mut c, &["SET", "a", "12"]);
    run(&mut s, &mut c, &["PEXPIRE", "a", "5000"]);
    assert_eq!(run(&mut s, &mut c, &["RENAME", "a", "b"]), Reply::OK);
    assert_eq!(run(&mut s, &mut c, &["PTTL", "b"]), int(5000));
    assert_eq!(run(&mut s, &mut c, &["COPY", "b", "c", "DB", "3"]), int(1));
    assert_eq!(run(&mut s, &mut c, &["MOVE", "b", "3"]), int(1));
    assert_eq!(run(&mut s, &mut c, &["DBSIZE"]), int(0));
    run(&mut s, &mut c, &["SELECT", "3"]);
    assert_eq!(run(&mut s, &mut c, &["PTTL", "b"]), int(5000));
    assert_eq!(run(&mut s, &mut c, &["PTTL", "c"]), int(5000));
    assert_eq!(run(&mut s, &mut c, &["GET", "c"]), bulk("12"));
    assert_eq!(run(&mut s, &mut c, &["OBJECT", "REFCOUNT", "b"]), int(i32::MAX as i64));
    assert_eq!(run(&mut s, &mut c, &["OBJECT", "REFCOUNT", "c"]), int(1)); // a copy is not shared
    assert_eq!(run(&mut s, &mut c, &["SET", "c", "12"]), Reply::OK);
    assert_eq!(run(&mut s, &mut c, &["OBJECT", "REFCOUNT", "c"]), int(i32::MAX as i64));
    assert_eq!(run(&mut s, &mut c, &["MOVE", "c", "3"]), err("ERR source and destination objects are the same"));
    assert_eq!(run(&mut s, &mut c, &["MOVE", "c", "16"]), err("ERR DB index is out of range"));
    assert_eq!(run(&mut s, &mut c, &["RENAME", "zz", "c"]), err("ERR no such key"));
    assert_eq!(run(&mut s, &mut c, &["RENAMENX", "b", "c"]), int(0));
    assert_eq!(run(&mut s, &mut c, &["COPY", "b", "c"]), int(0));
    assert_eq!(run(&mut s, &mut c, &["COPY", "b", "c", "REPLACE"]), int(1));
    assert_eq!(run(&mut s, &mut c, &["PTTL", "c"]), int(5000));
}

#[test]
fn refcount_without_shared_integers_under_lru_maxmemory() {
    let (mut s, mut c, _) = setup();
    run(&mut s, &mut c, &["SET", "n", "7"]);
    assert_eq!(run(&mut s, &mut c, &["OBJECT", "REFCOUNT", "n"]), int(i32::MAX as i64));
    s.config.maxmemory = 1 << 30;
    s.config.maxmemory_policy = Policy::AllkeysLru;
    assert_eq!(run(&mut s, &mut c, &["OBJECT", "REFCOUNT", "n"]), int(1));
    s.config.maxmemory_policy = Policy::AllkeysRandom;
    assert_eq!(run(&mut s, &mut c, &["OBJECT", "REFCOUNT", "n"]), int(i32::MAX as i64));
    run(&mut s, &mut c, &["SET", "n", "10000"]);
    assert_eq!(run(&mut s, &mut c, &["OBJECT", "REFCOUNT", "n"]), int(1));
}

#[test]
fn idletime_follows_touching_commands_only() {
    let (mut s, mut c, clock) = setup();
    run(&mut s, &mut c, &["SET", "k", "v"]);
    clock.advance(10_000);
    for cmd in [&["TYPE", "k"][..], &["EXISTS", "k"], &["TTL", "k"], &["OBJECT", "ENCODING", "k"], &["KEYS", "*"]] {
        run(&mut s, &mut c, cmd);
    }
    assert_eq!(run(&mut s, &mut c, &["OBJECT", "IDLETIME", "k"]), int(10));
    assert_eq!(run(&mut s, &mut c, &["OBJECT", "FREQ", "k"]), err("ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust."));
    run(&mut s, &mut c, &["TOUCH", "k"]);
    assert_eq!(run(&mut s, &mut c, &["OBJECT", "IDLETIME", "k"]), int(0));
    clock.advance(3_000);
    run(&mut s, &mut c, &["RENAME", "k", "k2"]); // the renamed object keeps its clock (touched by RENAME)
    clock.advance(2_000);
    assert_eq!(run(&mut s, &mut c, &["OBJECT", "IDLETIME", "k2"]), int(2));
    run(&mut s, &mut c, &["COPY", "k2", "k3"]);
    assert_eq!(run(&mut s, &mut c, &["OBJECT", "IDLETIME", "k3"]), int(0));
    assert_eq!(run(&mut s, &mut c, &["OBJECT", "IDLETIME", "nokey"]), Reply::Nil);
}

#[test]
fn lfu_counter_in_lookups() {
    let (mut s, mut c, clock) = setup();
    s.config.maxmemory_policy = Policy::AllkeysLfu;
    run(&mut s, &mut c, &["SET", "k", "v"]);
    assert_eq!(run(&mut s, &mut c, &["OBJECT", "FREQ", "k"]), int(5)); // LFU_INIT_VAL
    assert_eq!(run(&mut s, &mut c, &["OBJECT", "IDLETIME", "k"]), err("ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust."));
    // Non-touching reads leave the counter alone.
    run(&mut s, &mut c, &["EXISTS", "k"]);
    run(&mut s, &mut c, &["TTL", "k"]);
    assert_eq!(run(&mut s, &mut c, &["OBJECT", "FREQ", "k"]), int(5));
    // At LFU_INIT_VAL an access always counts.
    run(&mut s, &mut c, &["GET", "k"]);
    assert_eq!(run(&mut s, &mut c, &["OBJECT", "FREQ", "k"]), int(6));
    for _ in 0..2000 {
        run(&mut s, &mut c, &["GET", "k"]);
    }
    let Reply::Int(hot) = run(&mut s, &mut c, &["OBJECT", "FREQ", "k"]) else { panic!() };
    assert!((15..=40).contains(&hot), "{hot}");
    // One point of decay per lfu-decay-time minutes without access.
    clock.advance(4 * 60_000);
    assert_eq!(run(&mut s, &mut c, &["OBJECT", "FREQ", "k"]), int(hot - 4));
    s.config.lfu_decay_time = 2;
    assert_eq!(run(&mut s, &mut c, &["OBJECT", "FREQ", "k"]), int(hot - 2));
    s.config.lfu_decay_time = 0;
    assert_eq!(run(&mut s, &mut c, &["OBJECT", "FREQ", "k"]), int(hot));
    s.config.lfu_decay_time = 1;
    clock.advance(1000 * 60_000);
    assert_eq!(run(&mut s, &mut c, &["OBJECT", "FREQ", "k"]), int(0));
    // A larger log factor makes the counter grow slower.
    s.config.lfu_log_factor = 100;
    run(&mut s, &mut c, &["SET", "j", "v"]);
    for _ in 0..2000 {
        run(&mut s, &mut c, &["GET", "j"]);
    }
    let Reply::Int(slow) = run(&mut s, &mut c, &["OBJECT", "FREQ", "j"]) else { panic!() };
    assert!(slow < hot, "{slow} {hot}");
    // A copy starts over; a moved key keeps its counter.
    run(&mut s, &mut c, &["COPY", "j", "j2"]);
    assert_eq!(run(&mut s, &mut c, &["OBJECT", "FREQ", "j2"]), int(5));
    run(&mut s, &mut c, &["MOVE", "j", "1"]);
    run(&mut s, &mut c, &["SELECT", "1"]);
    let Reply::Int(moved) = run(&mut s, &mut c, &["OBJECT", "FREQ", "j"]) else { panic!() };
    assert!(moved >= slow);
    s.config.maxmemory_policy = Policy::VolatileLfu;
    assert!(matches!(run(&mut s, &mut c, &["OBJECT", "FREQ", "j"]), Reply::Int(_)));
}

#[test]
fn scan_guarantees() {
    let (mut s, mut c, _) = setup();
    for i in 0..500 {
        run(&mut s, &mut c, &["SET", &format!("key:{i}"), "v"]);
    }
    // Full iteration with nothing changing: every key exactly once or more, cursor 0 ends.
    let mut seen = HashSet::new();
    let mut cursor = "0".to_string();
    let mut calls = 0;
    loop {
        let r = run(&mut s, &mut c, &["SCAN", &cursor, "COUNT", "7"]);
        let Reply::Array(parts) = r else { panic!("{r:?}") };
        let (Reply::Bulk(cur), Reply::Array(items)) = (&parts[0], &parts[1]) else { panic!() };
        assert!(items.len() <= 7);
        for it in items {
            let Reply::Bulk(k) = it else { panic!() };
            seen.insert(k.clone());
        }
        calls += 1;
        cursor = String::from_utf8(cur.clone()).unwrap();
        // Mutate while scanning: delete keys >= 400, add new ones.
        if calls < 30 {
            run(&mut s, &mut c, &["DEL", &format!("key:{}", 400 + calls)]);
            run(&mut s, &mut c, &["SET", &format!("new:{calls}"), "v"]);
        }
        if cursor == "0" {
            break;
        }
    }
    for i in 0..400 {
        assert!(seen.contains(format!("key:{i}").as_bytes()), "key:{i} missed");
    }
    assert!(calls < 200);
    // MATCH and TYPE filter; expired keys are never returned and get deleted.
    run(&mut s, &mut c, &["SET", "gone", "v"]);
    run(&mut s, &mut c, &["PEXPIREAT", "gone", &(T0 + 1).to_string()]);
    let all = run(&mut s, &mut c, &["SCAN", "0", "COUNT", "100000", "MATCH", "key:1?", "TYPE", "STRING"]);
    let Reply::Array(parts) = all else { panic!() };
    assert_eq!(parts[0], bulk("0"));
    let Reply::Array(items) = &parts[1] else { panic!() };
    assert_eq!(items.len(), 10);
    // Large or negative cursors are valid and finish.
    assert!(matches!(run(&mut s, &mut c, &["SCAN", "-1"]), Reply::Array(_)));
    assert_eq!(run(&mut s, &mut c, &["SCAN", "1x"]), err("ERR invalid cursor"));
}

#[test]
fn scan_and_randomkey_skip_expired() {
    let (mut s, mut c, clock) = setup();
    for i in 0..20 {
        run(&mut s, &mut c, &["SET", &format!("k{i}"), "v"]);
        if i % 2 == 0 {
            run(&mut s, &mut c, &["PEXPIRE", &format!("k{i}"), "100"]);
        }
    }
    clock.advance(100);
    assert_eq!(run(&mut s, &mut c, &["DBSIZE"]), int(20)); // not deleted yet
    let Reply::Array(keys) = run(&mut s, &mut c, &["KEYS", "*"]) else { panic!() };
    assert_eq!(keys.len(), 10);
    assert_eq!(run(&mut s, &mut c, &["DBSIZE"]), int(20)); // KEYS does not delete
    let mut seen = HashSet::new();
    for _ in 0..500 {
        let Reply::Bulk(k) = run(&mut s, &mut c, &["RANDOMKEY"]) else { panic!() };
        let n: usize = std::str::from_utf8(&k[1..]).unwrap().parse().unwrap();
        assert_eq!(n % 2, 1, "expired key returned");
        seen.insert(n);
    }
    assert_eq!(seen.len(), 10, "every live key eventually");
    assert_eq!(run(&mut s, &mut c, &["DBSIZE"]), int(10));
    run(&mut s, &mut c, &["SELECT", "5"]);
    assert_eq!(run(&mut s, &mut c, &["RANDOMKEY"]), Reply::Nil);
    run(&mut s, &mut c, &["SET", "only", "v"]);
    run(&mut s, &mut c, &["PEXPIRE", "only", "1"]);
    clock.advance(1);
    assert_eq!(run(&mut s, &mut c, &["RANDOMKEY"]), Reply::Nil);
}

fn events(s: &Server) -> Vec<(String, usize, String)> {
    s.events
        .iter()
        .map(|e| (e.event.to_string(), e.db, String::from_utf8_lossy(&e.key).into_owned()))
        .collect()
}

fn ev(list: &[(&str, usize, &str)]) -> Vec<(String, usize, String)> {
    list.iter().map(|(e, d, k)| (e.to_string(), *d, k.to_string())).collect()
}

#[test]
fn keyspace_events() {
    let (mut s, mut c, clock) = setup();
    s.config.notify_keyspace_events = notify::parse_flags(b"KEA").unwrap() | notify::KEY_MISS;
    run(&mut s, &mut c, &["SET", "a", "1"]);
    run(&mut s, &mut c, &["RENAME", "a", "b"]);
    assert_eq!(events(&s), ev(&[("rename_from", 0, "a"), ("rename_to", 0, "b")]));
    run(&mut s, &mut c, &["EXPIRE", "b", "100"]);
    assert_eq!(events(&s), ev(&[("expire", 0, "b")]));
    run(&mut s, &mut c, &["PERSIST", "b"]);
    assert_eq!(events(&s), ev(&[("persist", 0, "b")]));
    run(&mut s, &mut c, &["PERSIST", "b"]);
    assert_eq!(events(&s), ev(&[]));
    run(&mut s, &mut c, &["COPY", "b", "c", "DB", "2"]);
    assert_eq!(events(&s), ev(&[("copy_to", 2, "c")]));
    run(&mut s, &mut c, &["MOVE", "b", "1"]);
    assert_eq!(events(&s), ev(&[("move_from", 0, "b"), ("move_to", 1, "b")]));
    run(&mut s, &mut c, &["SET", "d", "1"]);
    run(&mut s, &mut c, &["EXPIRE", "d", "-1"]);
    assert_eq!(events(&s), ev(&[("del", 0, "d")]));
    run(&mut s, &mut c, &["SET", "d", "1"]);
    run(&mut s, &mut c, &["PEXPIRE", "d", "10"]);
    clock.advance(10);
    run(&mut s, &mut c, &["EXISTS", "d"]);
    assert_eq!(events(&s), ev(&[("expired", 0, "d"), ("keymiss", 0, "d")]));
    run(&mut s, &mut c, &["OBJECT", "ENCODING", "d"]); // no keymiss from OBJECT
    assert_eq!(events(&s), ev(&[]));
    run(&mut s, &mut c, &["SET", "e", "1"]);
    run(&mut s, &mut c, &["DEL", "e", "nothere"]);
    assert_eq!(events(&s), ev(&[("del", 0, "e")]));
    run(&mut s, &mut c, &["UNLINK", "b", "nothere"]);
    assert_eq!(events(&s), ev(&[]));
}

#[test]
fn watch_signals_including_other_databases() {
    let (mut s, mut a, _) = setup();
    let mut b = s.new_client();
    let cases: &[(&[&str], usize, &str)] = &[
        (&["MOVE", "src", "1"], 1, "src"),
        (&["COPY", "src", "dst", "DB", "2"], 2, "dst"),
        (&["RENAME", "src", "dst"], 0, "dst"),
        (&["RENAME", "src", "dst"], 0, "src"),
        (&["EXPIRE", "src", "100"], 0, "src"),
        (&["EXPIRE", "src", "0"], 0, "src"),
        (&["DEL", "src"], 0, "src"),
    ];
    for (cmd, db, key) in cases {
        run(&mut s, &mut b, &["SELECT", "0"]);
        run(&mut s, &mut b, &["SET", "src", "v"]);
        run(&mut s, &mut a, &["SELECT", &db.to_string()]);
        run(&mut s, &mut a, &["WATCH", key]);
        run(&mut s, &mut b, cmd);
        run(&mut s, &mut a, &["MULTI"]);
        run(&mut s, &mut a, &["PING"]);
        assert_eq!(run(&mut s, &mut a, &["EXEC"]), Reply::NilArray, "{cmd:?} should break WATCH {key}@{db}");
        run(&mut s, &mut b, &["SELECT", &db.to_string()]);
        run(&mut s, &mut b, &["DEL", key]);
        run(&mut s, &mut b, &["SELECT", "0"]);
        run(&mut s, &mut b, &["DEL", "src", "dst"]);
    }
    // PERSIST without a TTL and a refused EXPIRE change nothing.
    run(&mut s, &mut b, &["SET", "k", "v"]);
    run(&mut s, &mut a, &["SELECT", "0"]);
    run(&mut s, &mut a, &["WATCH", "k"]);
    run(&mut s, &mut b, &["PERSIST", "k"]);
    run(&mut s, &mut b, &["EXPIRE", "k", "10", "XX"]);
    run(&mut s, &mut b, &["OBJECT", "ENCODING", "k"]);
    run(&mut s, &mut a, &["MULTI"]);
    run(&mut s, &mut a, &["PING"]);
    assert_eq!(run(&mut s, &mut a, &["EXEC"]), Reply::Array(vec![Reply::status("PONG")]));
}

#[test]
fn object_help_and_errors() {
    let (mut s, mut c, _) = setup();
    let Reply::Array(lines) = run(&mut s, &mut c, &["OBJECT", "HELP"]) else { panic!() };
    assert_eq!(lines.len(), 15);
    assert_eq!(lines[0], Reply::status("OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:"));
    assert_eq!(run(&mut s, &mut c, &["OBJECT", "foo", "k"]), err("ERR unknown subcommand 'foo'. Try OBJECT HELP."));
    assert_eq!(run(&mut s, &mut c, &["OBJECT", "encoding"]), err("ERR wrong number of arguments for 'object|encoding' command"));
    assert_eq!(run(&mut s, &mut c, &["TYPE", "nokey"]), Reply::status("none"));
}

/// Multi-key commands whose later lookup lazily expires a key: the removal moves
/// the last slot into the hole, so slots found earlier must not be reused.
#[test]
fn multi_key_commands_survive_expiry_moving_slots() {
    use cinnabar::{ManualClock, Options, Server};
    let clock = ManualClock::new(1_000_000);
    let mut srv = Server::with_clock(Options::default(), Box::new(clock.clone()));
    let mut c = srv.new_client();
    let mut run = |srv: &mut Server, argv: &[&str]| {
        let refs: Vec<&[u8]> = argv.iter().map(|a| a.as_bytes()).collect();
        srv.execute(&mut c, &refs)
    };
    let cases: &[&[&str]] = &[
        &["SUNION", "a", "b"],
        &["SINTER", "a", "b"],
        &["SDIFF", "a", "b"],
        &["SUNIONSTORE", "d", "a", "b"],
        &["SMOVE", "a", "b", "x"],
        &["LCS", "s1", "s2"],
        &["ZUNION", "2", "z1", "z2"],
        &["PFCOUNT", "h1", "h2"],
        &["BITOP", "OR", "d", "s1", "s2"],
        &["RENAME", "s1", "s2"],
        &["COPY", "s1", "s2", "REPLACE"],
    ];
    for cmd in cases {
        run(&mut srv, &["FLUSHALL"]);
        // The first key is created last (so it sits in the last slot); the second has expired.
        match cmd[0] {
            "LCS" | "BITOP" | "RENAME" | "COPY" => {
                run(&mut srv, &["SET", "s2", "xyz", "PX", "10"]);
                run(&mut srv, &["SET", "s1", "abc"]);
            }
            "ZUNION" => {
                run(&mut srv, &["ZADD", "z2", "1", "m"]);
                run(&mut srv, &["PEXPIRE", "z2", "10"]);
                run(&mut srv, &["ZADD", "z1", "1", "m"]);
            }
            "PFCOUNT" => {
                run(&mut srv, &["PFADD", "h2", "x"]);
                run(&mut srv, &["PEXPIRE", "h2", "10"]);
                run(&mut srv, &["PFADD", "h1", "y"]);
            }
            _ => {
                run(&mut srv, &["SADD", "b", "y"]);
                run(&mut srv, &["PEXPIRE", "b", "10"]);
                run(&mut srv, &["SADD", "a", "x"]);
            }
        }
        clock.advance(100);
        let r = run(&mut srv, cmd);
        assert!(!matches!(r, cinnabar::Reply::Error(ref e) if e.text().contains("WRONGTYPE")), "{cmd:?}: {r:?}");
    }
}
