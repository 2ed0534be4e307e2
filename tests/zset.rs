//! Sorted sets on our side: whole replies, keyspace events and WATCH signals
//! per command, TTL handling of the …STORE forms with a manual clock, and the
//! leaderboard operations at a million members (O(log n) rank, insert, delete,
//! score update; ranges in O(log n + m)).

use cinnabar::rng::Rng;
use cinnabar::notify;
use cinnabar::reply::Reply;
use cinnabar::types::zset::ZSet;
use cinnabar::{Client, ManualClock, Options, Server};
use std::time::Instant;

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
fn arr(items: &[&str]) -> Reply {
    Reply::Array(items.iter().map(|s| bulk(s)).collect())
}
fn err(s: &str) -> Reply {
    Reply::Error(cinnabar::Error::owned(s.to_string()))
}

fn events(s: &Server) -> Vec<String> {
    s.events.iter().map(|e| format!("{}:{}", e.event, String::from_utf8_lossy(&e.key))).collect()
}

#[test]
fn whole_replies() {
    let (mut s, mut c, _) = setup();
    assert_eq!(run(&mut s, &mut c, &["ZADD", "z", "1", "a", "2", "b", "0.1", "c", "inf", "d"]), int(4));
    assert_eq!(run(&mut s, &mut c, &["ZSCORE", "z", "c"]), bulk("0.10000000000000001"));
    assert_eq!(run(&mut s, &mut c, &["ZRANGE", "z", "0", "-1", "WITHSCORES"]), arr(&["c", "0.10000000000000001", "a", "1", "b", "2", "d", "inf"]));
    assert_eq!(run(&mut s, &mut c, &["ZRANGE", "z", "+inf", "(1", "BYSCORE", "REV", "LIMIT", "1", "5"]), arr(&["b"]));
    assert_eq!(run(&mut s, &mut c, &["ZRANK", "z", "b"]), int(2));
    assert_eq!(run(&mut s, &mut c, &["ZREVRANK", "z", "b"]), int(1));
    assert_eq!(run(&mut s, &mut c, &["ZINCRBY", "z", "-inf", "d"]), err("ERR resulting score is not a number (NaN)"));
    assert_eq!(run(&mut s, &mut c, &["ZADD", "z", "XX", "NX", "1", "a"]), err("ERR XX and NX options at the same time are not compatible"));
    assert_eq!(run(&mut s, &mut c, &["ZADD", "z", "GT", "LT", "1", "a"]), err("ERR GT, LT, and/or NX options at the same time are not compatible"));
    assert_eq!(run(&mut s, &mut c, &["ZADD", "z", "INCR", "1", "a", "1", "b"]), err("ERR INCR option supports a single increment-element pair"));
    assert_eq!(run(&mut s, &mut c, &["ZCOUNT", "z", "x", "1"]), err("ERR min or max is not a float"));
    assert_eq!(run(&mut s, &mut c, &["ZLEXCOUNT", "z", "a", "+"]), err("ERR min or max not valid string range item"));
    assert_eq!(run(&mut s, &mut c, &["ZUNIONSTORE", "d", "0", "z"]), err("ERR at least 1 input key is needed for 'zunionstore' command"));
    assert_eq!(run(&mut s, &mut c, &["ZUNION", "1", "z", "WEIGHTS", "x"]), err("ERR weight value is not a float"));
    assert_eq!(run(&mut s, &mut c, &["ZADD", "z", "GT", "CH", "5", "a", "0", "b"]), int(1));
    assert_eq!(run(&mut s, &mut c, &["ZPOPMIN", "z", "2"]), arr(&["c", "0.10000000000000001", "b", "2"]));
    assert_eq!(run(&mut s, &mut c, &["ZMPOP", "2", "none", "z", "MAX"]), Reply::Array(vec![bulk("z"), Reply::Array(vec![arr(&["d", "inf"])])]));
    assert_eq!(run(&mut s, &mut c, &["ZREM", "z", "a"]), int(1));
    assert_eq!(run(&mut s, &mut c, &["EXISTS", "z"]), int(0));
    assert_eq!(run(&mut s, &mut c, &["ZMPOP", "1", "z", "MIN"]), Reply::NilArray);
}

#[test]
fn events_and_watch() {
    let (mut s, mut c, _) = setup();
    s.config.notify_keyspace_events = notify::parse_flags(b"KEA").unwrap();
    let cases: &[(&[&str], &[&str])] = &[
        (&["ZADD", "z", "1", "a", "2", "b", "3", "c"], &["zadd:z"]),
        (&["ZADD", "z", "1", "a"], &[]),
        (&["ZINCRBY", "z", "1", "a"], &["zincr:z"]),
        (&["ZINCRBY", "z", "0", "a"], &[]),
        (&["ZREM", "z", "nope"], &[]),
        (&["ZREM", "z", "a"], &["zrem:z"]),
        (&["ZREMRANGEBYSCORE", "z", "0", "2"], &["zremrangebyscore:z"]),
        (&["ZPOPMAX", "z"], &["zpopmax:z", "del:z"]),
        (&["ZADD", "y", "1", "a", "2", "b"], &["zadd:y"]),
        (&["ZUNIONSTORE", "d", "1", "y"], &["zunionstore:d"]),
        (&["ZINTERSTORE", "d", "2", "y", "none"], &["del:d"]),
        (&["ZRANGESTORE", "d", "y", "0", "0"], &["zrangestore:d"]),
        (&["ZDIFFSTORE", "d", "1", "y"], &["zdiffstore:d"]),
        (&["ZREMRANGEBYRANK", "y", "0", "0"], &["zremrangebyrank:y"]),
        (&["ZREMRANGEBYLEX", "y", "-", "+"], &["zremrangebylex:y", "del:y"]),
    ];
    for (argv, want) in cases {
        s.take_events();
        run(&mut s, &mut c, argv);
        assert_eq!(events(&s), want.iter().map(|x| x.to_string()).collect::<Vec<_>>(), "{argv:?}");
    }
    // WATCH: a change breaks the transaction, a no-op does not.
    let mut b = s.new_client();
    run(&mut s, &mut c, &["ZADD", "w", "1", "a"]);
    for (cmd, breaks) in [(&["ZADD", "w", "1", "a"][..], false), (&["ZADD", "w", "2", "a"][..], true), (&["ZREM", "w", "x"][..], false)] {
        run(&mut s, &mut c, &["WATCH", "w"]);
        run(&mut s, &mut c, &["MULTI"]);
        run(&mut s, &mut c, &["PING"]);
        run(&mut s, &mut b, cmd);
        let r = run(&mut s, &mut c, &["EXEC"]);
        assert_eq!(r == Reply::NilArray, breaks, "{cmd:?}");
    }
}

#[test]
fn ttls_and_encodings() {
    let (mut s, mut c, clock) = setup();
    run(&mut s, &mut c, &["ZADD", "z", "1", "a"]);
    run(&mut s, &mut c, &["PEXPIRE", "z", "100"]);
    run(&mut s, &mut c, &["ZADD", "z", "2", "b"]);
    assert_eq!(run(&mut s, &mut c, &["PTTL", "z"]), int(100));
    run(&mut s, &mut c, &["ZADD", "d", "1", "x"]);
    run(&mut s, &mut c, &["PEXPIRE", "d", "100"]);
    run(&mut s, &mut c, &["ZUNIONSTORE", "d", "1", "z"]);
    assert_eq!(run(&mut s, &mut c, &["PTTL", "d"]), int(-1));
    clock.advance(100);
    assert_eq!(run(&mut s, &mut c, &["ZCARD", "z"]), int(0));
    assert_eq!(run(&mut s, &mut c, &["ZCARD", "d"]), int(2));
    // listpack → skiplist by count or member length, never back (except stored results)
    let mut argv = vec!["ZADD".to_string(), "big".into()];
    for i in 0..129 {
        argv.push(i.to_string());
        argv.push(format!("m{i}"));
    }
    run(&mut s, &mut c, &argv);
    assert_eq!(run(&mut s, &mut c, &["OBJECT", "ENCODING", "big"]), bulk("skiplist"));
    run(&mut s, &mut c, &["ZREMRANGEBYRANK", "big", "0", "100"]);
    assert_eq!(run(&mut s, &mut c, &["OBJECT", "ENCODING", "big"]), bulk("skiplist"));
    run(&mut s, &mut c, &["ZRANGESTORE", "small", "big", "0", "-1"]);
    assert_eq!(run(&mut s, &mut c, &["OBJECT", "ENCODING", "small"]), bulk("listpack"));
    let long = "x".repeat(65);
    run(&mut s, &mut c, &["ZADD", "small", "1", &long]);
    assert_eq!(run(&mut s, &mut c, &["OBJECT", "ENCODING", "small"]), bulk("skiplist"));
}

#[test]
fn huge_negative_random_count_is_refused() {
    let (mut s, mut c, _) = setup();
    run(&mut s, &mut c, &["ZADD", "z", "1", "a"]);
    let r = run(&mut s, &mut c, &["ZRANDMEMBER", "z", "-100000000000"]);
    assert!(r.is_error(), "{r:?}");
    let Reply::Array(items) = run(&mut s, &mut c, &["ZRANDMEMBER", "z", "-5", "WITHSCORES"]) else { panic!() };
    assert_eq!(items.len(), 10);
    // distinct picks below the size
    for i in 0..200 {
        run(&mut s, &mut c, &["ZADD", "z", &i.to_string(), &format!("m{i}")]);
    }
    for count in ["3", "100", "150"] {
        let Reply::Array(items) = run(&mut s, &mut c, &["ZRANDMEMBER", "z", count]) else { panic!() };
        let set: std::collections::HashSet<_> = items.iter().map(|r| format!("{r:?}")).collect();
        assert_eq!(set.len(), items.len());
        assert_eq!(items.len().to_string(), count);
    }
}

/// A million members: building, ranks, score updates, deletes and ranges stay
/// logarithmic (loose time bounds; the machine is shared).
#[test]
fn leaderboard_at_a_million() {
    const N: u64 = 1_000_000;
    let mut z = ZSet::new(false);
    let t = Instant::now();
    let mut g = Rng::new(12345u64);
    let mut next = || g.next_u64();
    for i in 0..N {
        z.insert(format!("player{i}").as_bytes(), (next() % 100_000) as f64);
    }
    let build = t.elapsed();
    assert_eq!(z.len(), N as usize);
    let t = Instant::now();
    for i in 0..100_000u64 {
        let m = format!("player{}", next() % N);
        let s = z.score(m.as_bytes()).unwrap();
        z.update(m.as_bytes(), s + (i % 7) as f64);
        let r = z.rank(m.as_bytes()).unwrap();
        let c = z.cursor_at(r).unwrap();
        assert_eq!(z.get(c).0, m.as_bytes());
    }
    let ops = t.elapsed();
    // top 10 and a window around a rank
    let top: Vec<_> = {
        let mut out = Vec::new();
        let mut c = z.last();
        while let Some(x) = c {
            if out.len() == 10 {
                break;
            }
            out.push(z.get(x).1);
            c = z.prev(x);
        }
        out
    };
    assert!(top.windows(2).all(|w| w[0] >= w[1]));
    let t = Instant::now();
    for i in 0..50_000u64 {
        z.remove(format!("player{}", i * 7 % N).as_bytes());
    }
    let dels = t.elapsed();
    assert_eq!(z.len(), N as usize - 50_000);
    eprintln!("1M build {build:?}, 100k update+rank+seek {ops:?}, 50k deletes {dels:?}");
    assert!(ops.as_secs() < 20 && dels.as_secs() < 20, "too slow: {ops:?} {dels:?}");
}

/// Random sorted-set commands with option words, odd numbers and binary
/// members: nothing panics and ZCARD always matches a full ZRANGE.
#[test]
fn zset_fuzz_no_panic() {
    let (mut s, mut c, clock) = setup();
    let words = [
        "NX", "XX", "GT", "LT", "CH", "INCR", "WITHSCORES", "BYSCORE", "BYLEX", "REV", "LIMIT", "WEIGHTS", "AGGREGATE",
        "SUM", "MIN", "MAX", "COUNT", "MATCH", "-", "+", "(", "[", "(a", "[z", "inf", "-inf", "nan", "1e400", "-0",
        "0x1p3", " 1", "(1", "9223372036854775807", "-9223372036854775808", "-1", "0", "1", "2", "3",
    ];
    let cmds = [
        "ZADD", "ZINCRBY", "ZREM", "ZCARD", "ZSCORE", "ZMSCORE", "ZCOUNT", "ZLEXCOUNT", "ZRANK", "ZREVRANK", "ZRANGE",
        "ZRANGESTORE", "ZRANGEBYSCORE", "ZREVRANGEBYSCORE", "ZRANGEBYLEX", "ZREVRANGEBYLEX", "ZREVRANGE",
        "ZREMRANGEBYRANK", "ZREMRANGEBYSCORE", "ZREMRANGEBYLEX", "ZPOPMIN", "ZPOPMAX", "ZMPOP", "ZRANDMEMBER",
        "ZUNION", "ZINTER", "ZDIFF", "ZUNIONSTORE", "ZINTERSTORE", "ZDIFFSTORE", "ZINTERCARD", "ZSCAN", "SADD", "SET",
        "PEXPIRE", "DEL", "DEL", "DEL", "DEL",
    ];
    let mut g = Rng::new(7u64);
    let mut rnd = move |n: u64| g.below(n as usize) as u64;
    let mut ok = 0;
    for i in 0..200_000u64 {
        let mut argv: Vec<Vec<u8>> = vec![cmds[rnd(cmds.len() as u64) as usize].as_bytes().to_vec()];
        if rnd(10) > 0 {
            argv.push(format!("k{}", rnd(4)).into_bytes());
        }
        if argv[0].starts_with(b"ZADD") && rnd(2) == 0 {
            for _ in 0..1 + rnd(4) {
                argv.push(format!("{}", rnd(50) as i64 - 10).into_bytes());
                argv.push(format!("m{}", rnd(300)).into_bytes());
            }
        }
        for _ in 0..rnd(6) {
            argv.push(match rnd(6) {
                0 => format!("k{}", rnd(4)).into_bytes(),
                1 => words[rnd(words.len() as u64) as usize].as_bytes().to_vec(),
                2 => (0..rnd(5)).map(|_| rnd(256) as u8).collect(),
                3 => format!("{}", rnd(300) as i64 - 100).into_bytes(),
                4 => format!("m{}", rnd(200)).into_bytes(),
                _ => format!("{}.{}", rnd(10), rnd(10)).into_bytes(),
            });
        }
        let r = run(&mut s, &mut c, &argv);
        match &r {
            Reply::Error(e) => assert!(!e.text().is_empty()),
            _ => ok += 1,
        }
        if i % 1000 == 0 {
            clock.advance(7);
            for k in ["k0", "k1", "k2", "k3"] {
                if let Reply::Int(n) = run(&mut s, &mut c, &["ZCARD", k]) {
                    let Reply::Array(all) = run(&mut s, &mut c, &["ZRANGE", k, "0", "-1"]) else { panic!() };
                    assert_eq!(all.len() as i64, n);
                }
            }
        }
    }
    assert!(ok > 30_000, "only {ok} commands succeeded");
}

/// A later source key expiring during the lookups must not invalidate the
/// slot of an earlier one (the keyspace moves its last slot into the hole).
#[test]
fn sources_survive_expiry_of_later_keys() {
    let (mut s, mut c, clock) = setup();
    run(&mut s, &mut c, &["ZADD", "b", "1", "x"]);
    run(&mut s, &mut c, &["ZADD", "a", "2", "y"]);
    run(&mut s, &mut c, &["PEXPIRE", "b", "10"]);
    clock.advance(10);
    assert_eq!(run(&mut s, &mut c, &["ZUNION", "2", "a", "b", "WITHSCORES"]), arr(&["y", "2"]));
    run(&mut s, &mut c, &["ZADD", "b", "1", "x"]);
    run(&mut s, &mut c, &["ZADD", "a", "2", "y"]);
    run(&mut s, &mut c, &["DEL", "a"]);
    run(&mut s, &mut c, &["ZADD", "a", "2", "y"]);
    run(&mut s, &mut c, &["PEXPIRE", "b", "10"]);
    clock.advance(10);
    assert_eq!(run(&mut s, &mut c, &["ZUNIONSTORE", "d", "2", "a", "b"]), int(1));
}

/// The small form (up to 64 members, no tree) and the tree form answer alike
/// across the boundary both ways; OBJECT ENCODING follows only
/// zset-max-listpack-entries / -value; a small set costs a few hundred bytes.
#[test]
fn small_form_boundary() {
    let (mut s, mut c, _) = setup();
    run(&mut s, &mut c, &["ZADD", "z", "1", "a", "2", "b", "3", "c"]);
    let Reply::Int(small) = run(&mut s, &mut c, &["MEMORY", "USAGE", "z"]) else { panic!() };
    assert!(small < 400, "3-member set: {small} bytes");
    for i in 0..100 {
        run(&mut s, &mut c, &["ZADD", "z", &format!("{}", i % 9), &format!("m{i:03}")]);
        if i == 70 {
            let Reply::Int(big) = run(&mut s, &mut c, &["MEMORY", "USAGE", "z"]) else { panic!() };
            assert!(big > small * 4, "tree form: {big} bytes");
        }
    }
    assert_eq!(run(&mut s, &mut c, &["OBJECT", "ENCODING", "z"]), bulk("listpack"));
    assert_eq!(run(&mut s, &mut c, &["ZCARD", "z"]), int(103));
    assert_eq!(run(&mut s, &mut c, &["ZRANK", "z", "m099"]), int(11));
    assert_eq!(run(&mut s, &mut c, &["ZRANGE", "z", "0", "2"]), arr(&["m000", "m009", "m018"]));
    assert_eq!(run(&mut s, &mut c, &["ZREMRANGEBYRANK", "z", "3", "-4"]), int(97));
    let all = ["m000", "0", "m009", "0", "m018", "0", "m080", "8", "m089", "8", "m098", "8"];
    assert_eq!(run(&mut s, &mut c, &["ZRANGE", "z", "0", "-1", "WITHSCORES"]), arr(&all));
    assert_eq!(run(&mut s, &mut c, &["ZINCRBY", "z", "-10", "m098"]), bulk("-2"));
    assert_eq!(run(&mut s, &mut c, &["ZRANGE", "z", "0", "-1"]), arr(&["m098", "m000", "m009", "m018", "m080", "m089"]));
    // a long member: skiplist at any size
    run(&mut s, &mut c, &["ZADD", "y", "1", &"L".repeat(70)]);
    assert_eq!(run(&mut s, &mut c, &["OBJECT", "ENCODING", "y"]), bulk("skiplist"));
}
