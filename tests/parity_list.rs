//! List parity with redis-server 7.0: hand-written steps for every command and
//! option, a seeded random sequence, and the order in which blocked clients are
//! served (several real connections blocked on redis-server against several
//! blocked calls in our core, then pushes; who got what is compared).
//!
//! Inside these sequences BLPOP & co. never block: the parity runner uses
//! `Store::exec` (`Server::execute`), and a blocking command with nothing to
//! serve answers there as on a timeout; on redis-server they run inside MULTI
//! for the same reason. Blocked serving is compared by `blocked_order_*`.

mod support;

use cinnabar::reply::Reply;
use cinnabar::{Client, ManualClock, Options, Outcome, Server};
use support::{assert_parity, Gen, RedisServer, RespClient, Step};

fn key(g: &mut Gen) -> String {
    format!("l{}", g.below(5))
}

fn elem(g: &mut Gen) -> Vec<u8> {
    match g.below(8) {
        0 => g.bytes(5),
        1 => g.numberish().into_bytes(),
        _ => format!("e{}", g.below(8)).into_bytes(),
    }
}

fn index(g: &mut Gen) -> String {
    match g.below(6) {
        0 => g.numberish(),
        1 => format!("-{}", g.below(12)),
        _ => format!("{}", g.below(12)),
    }
}

fn end(g: &mut Gen) -> &'static str {
    const ENDS: [&str; 5] = ["LEFT", "RIGHT", "left", "Right", "up"];
    ENDS[g.below(5) as usize]
}

/// A blocking command runs inside MULTI so the real server never blocks
/// (both answer as a client that cannot block); other commands run as they are.
/// A MULTI opened by the steps themselves is left alone.
fn never_block(v: Vec<Vec<u8>>) -> Vec<Step> {
    thread_local!(static IN_MULTI: std::cell::Cell<bool> = const { std::cell::Cell::new(false) });
    let name = v[0].to_ascii_uppercase();
    if name == b"MULTI" || name == b"EXEC" {
        IN_MULTI.with(|m| m.set(name == b"MULTI"));
    }
    let blocking = [&b"BLPOP"[..], b"BRPOP", b"BLMOVE", b"BRPOPLPUSH", b"BLMPOP"].contains(&name.as_slice());
    if blocking && !IN_MULTI.with(|m| m.get()) {
        vec![Step::exact(&["MULTI"]), Step::exact(&v), Step::exact(&["EXEC"])]
    } else {
        vec![Step::exact(&v)]
    }
}

#[test]
fn list_hand_written() {
    let mut steps: Vec<Step> = [
        &["RPUSH", "l", "a", "b", "c", "b", "a"][..],
        &["OBJECT", "ENCODING", "l"],
        &["TYPE", "l"],
        &["LPUSH", "l", "z"],
        &["LPUSHX", "nokey", "x"],
        &["RPUSHX", "nokey", "x"],
        &["EXISTS", "nokey"],
        &["RPUSHX", "l", "y", "w"],
        &["LRANGE", "l", "0", "-1"],
        &["LRANGE", "l", "-3", "100"],
        &["LRANGE", "l", "5", "2"],
        &["LRANGE", "l", "x", "2"],
        &["LRANGE", "nokey", "0", "-1"],
        &["LLEN", "l"],
        &["LLEN", "nokey"],
        &["LINDEX", "l", "0"],
        &["LINDEX", "l", "-1"],
        &["LINDEX", "l", "100"],
        &["LINDEX", "l", "x"],
        &["LINDEX", "nokey", "x"],
        &["LSET", "l", "1", "A"],
        &["LSET", "l", "100", "A"],
        &["LSET", "l", "x", "A"],
        &["LSET", "nokey", "x", "A"],
        &["LINSERT", "l", "BEFORE", "b", "B"],
        &["LINSERT", "l", "after", "b", "B2"],
        &["LINSERT", "l", "after", "nope", "B2"],
        &["LINSERT", "l", "middle", "b", "B2"],
        &["LINSERT", "nokey", "before", "b", "B2"],
        &["LRANGE", "l", "0", "-1"],
        &["LPOS", "l", "b"],
        &["LPOS", "l", "b", "RANK", "2"],
        &["LPOS", "l", "b", "RANK", "-1"],
        &["LPOS", "l", "b", "RANK", "0"],
        &["LPOS", "l", "b", "RANK", "-9223372036854775808"],
        &["LPOS", "l", "b", "RANK", "-9223372036854775808", "COUNT", "2"],
        &["LPOS", "l", "b", "RANK", "-9223372036854775807", "COUNT", "0"],
        &["LPOS", "l", "b", "RANK", "9223372036854775807", "COUNT", "0"],
        &["LPOS", "l", "b", "COUNT", "0"],
        &["LPOS", "l", "b", "COUNT", "1"],
        &["LPOS", "l", "b", "COUNT", "-1"],
        &["LPOS", "l", "b", "COUNT", "x"],
        &["LPOS", "l", "b", "MAXLEN", "2"],
        &["LPOS", "l", "b", "MAXLEN", "-2"],
        &["LPOS", "l", "b", "COUNT", "0", "MAXLEN", "3", "RANK", "-1"],
        &["LPOS", "l", "b", "COUNT"],
        &["LPOS", "l", "b", "bogus", "1"],
        &["LPOS", "nokey", "b"],
        &["LPOS", "nokey", "b", "COUNT", "2"],
        &["LREM", "l", "1", "b"],
        &["LREM", "l", "-1", "a"],
        &["LREM", "l", "0", "B2"],
        &["LREM", "l", "x", "B2"],
        &["LREM", "nokey", "0", "B2"],
        &["LTRIM", "l", "1", "-2"],
        &["LRANGE", "l", "0", "-1"],
        &["LTRIM", "l", "5", "1"],
        &["EXISTS", "l"],
        &["LTRIM", "nokey", "0", "1"],
        &["RPUSH", "l", "1", "2", "3", "4", "5"],
        &["LPOP", "l"],
        &["RPOP", "l"],
        &["LPOP", "l", "2"],
        &["RPOP", "l", "0"],
        &["RPOP", "l", "-1"],
        &["RPOP", "l", "x"],
        &["RPOP", "l", "1", "2"],
        &["RPOP", "l", "10"],
        &["EXISTS", "l"],
        &["LPOP", "nokey"],
        &["LPOP", "nokey", "0"],
        &["LPOP", "nokey", "3"],
        &["SET", "str", "v"],
        &["LPUSH", "str", "x"],
        &["LPUSHX", "str", "x"],
        &["LPOP", "str"],
        &["LLEN", "str"],
        &["LRANGE", "str", "0", "1"],
        &["LINDEX", "str", "0"],
        &["LPOS", "str", "0"],
        &["LMOVE", "str", "d", "LEFT", "LEFT"],
        &["RPUSH", "s", "a", "b", "c"],
        &["LMOVE", "s", "str", "LEFT", "LEFT"],
        &["LMOVE", "s", "d", "LEFT", "RIGHT"],
        &["LMOVE", "s", "d", "RIGHT", "LEFT"],
        &["LMOVE", "s", "d", "UP", "LEFT"],
        &["LMOVE", "s", "s", "LEFT", "RIGHT"],
        &["LRANGE", "s", "0", "-1"],
        &["RPOPLPUSH", "s", "d"],
        &["RPOPLPUSH", "nokey", "d"],
        &["LRANGE", "d", "0", "-1"],
        &["EXISTS", "s"],
        &["RPUSH", "one", "x"],
        &["LMOVE", "one", "one", "LEFT", "LEFT"],
        &["LRANGE", "one", "0", "-1"],
        &["LMPOP", "2", "nokey", "d", "LEFT"],
        &["LMPOP", "2", "nokey", "d", "RIGHT", "COUNT", "5"],
        &["LMPOP", "1", "nokey", "LEFT"],
        &["LMPOP", "0", "d", "LEFT"],
        &["LMPOP", "-1", "d", "LEFT"],
        &["LMPOP", "x", "d", "LEFT"],
        &["LMPOP", "3", "d", "LEFT"],
        &["LMPOP", "1", "d", "MIDDLE"],
        &["LMPOP", "1", "d", "LEFT", "COUNT", "0"],
        &["LMPOP", "1", "d", "LEFT", "COUNT", "1", "COUNT", "1"],
        &["LMPOP", "1", "d", "LEFT", "COUNT"],
        &["LMPOP", "2", "str", "d", "LEFT"],
        &["LMPOP", "9223372036854775807", "d", "LEFT"],
        &["BLPOP", "nokey", "0"],
        &["BLPOP", "nokey", "x"],
        &["BLPOP", "nokey", "-1"],
        &["BLPOP", "nokey", "1e30"],
        &["BLPOP", "nokey", "inf"],
        &["BLPOP", "nokey", "nan"],
        &["BLPOP", "nokey", "-0.0001"],
        &["BLPOP", "nokey", " 1"],
        &["BLPOP", "str", "0"],
        &["BLPOP", "nokey", "str", "0"],
        &["RPUSH", "q", "1", "2", "3"],
        &["BLPOP", "nokey", "q", "0"],
        &["BRPOP", "q", "nokey", "0.5"],
        &["BLMPOP", "0", "2", "nokey", "q", "LEFT", "COUNT", "9"],
        &["BLMPOP", "x", "1", "q", "LEFT"],
        &["BLMPOP", "0", "0", "q", "LEFT"],
        &["BLMPOP", "0", "1", "q", "sideways"],
        &["RPUSH", "q", "1", "2", "3"],
        &["BLMOVE", "q", "d2", "LEFT", "RIGHT", "0"],
        &["BLMOVE", "q", "d2", "LEFT", "NOPE", "0"],
        &["BLMOVE", "q", "d2", "LEFT", "RIGHT", "-1"],
        &["BLMOVE", "q", "str", "LEFT", "RIGHT", "0"],
        &["BRPOPLPUSH", "q", "d2", "0"],
        &["BRPOPLPUSH", "q", "d2", "abc"],
        &["LRANGE", "d2", "0", "-1"],
        &["MULTI"],
        &["BLPOP", "empty", "0"],
        &["BLMOVE", "empty", "d2", "LEFT", "LEFT", "0"],
        &["BRPOPLPUSH", "empty", "d2", "0"],
        &["BLMPOP", "0", "1", "empty", "LEFT"],
        &["BLPOP", "d2", "0"],
        &["EXEC"],
        &["LPOP"],
        &["LPUSH", "k"],
        &["LMOVE", "a", "b", "LEFT"],
        &["BLPOP", "k"],
        &["BLMPOP", "0", "1", "k"],
        &["LPOS", "k"],
    ]
    .iter()
    .flat_map(|s| never_block(s.iter().map(|x| x.as_bytes().to_vec()).collect()))
    .collect();
    // A long list (Redis 7.0 lists are always quicklists).
    let mut argv = vec!["RPUSH".to_string(), "big".to_string()];
    argv.extend((0..300).map(|i| format!("{i}")));
    steps.push(Step::exact(&argv));
    steps.push(Step::exact(&["OBJECT", "ENCODING", "big"]));
    steps.push(Step::exact(&["LPOS", "big", "150", "MAXLEN", "100"]));
    steps.push(Step::exact(&["LPOS", "big", "150", "MAXLEN", "151"]));
    steps.push(Step::exact(&["LRANGE", "big", "-5", "-1"]));
    assert_parity("list hand-written", &steps);
}

#[test]
fn list_random_sequence() {
    let mut g = Gen::new(0x11_57);
    let mut steps = Vec::new();
    for _ in 0..4000 {
        let k = key(&mut g).into_bytes();
        let v: Vec<Vec<u8>> = match g.below(30) {
            0..=3 => {
                let mut v = vec![g.pick(&["LPUSH", "RPUSH", "LPUSHX", "RPUSHX"]).as_bytes().to_vec(), k];
                for _ in 0..1 + g.below(4) {
                    v.push(elem(&mut g));
                }
                v
            }
            4 | 5 => {
                let mut v = vec![g.pick(&["LPOP", "RPOP"]).as_bytes().to_vec(), k];
                if g.chance(50) {
                    v.push(index(&mut g).into_bytes());
                }
                if g.chance(3) {
                    v.push(b"1".to_vec());
                }
                v
            }
            6 => vec![b"LLEN".to_vec(), k],
            7 | 8 => vec![b"LRANGE".to_vec(), k, index(&mut g).into_bytes(), index(&mut g).into_bytes()],
            9 => vec![b"LINDEX".to_vec(), k, index(&mut g).into_bytes()],
            10 => vec![b"LSET".to_vec(), k, index(&mut g).into_bytes(), elem(&mut g)],
            11 => vec![
                b"LINSERT".to_vec(),
                k,
                g.pick(&["BEFORE", "after", "x"]).as_bytes().to_vec(),
                elem(&mut g),
                elem(&mut g),
            ],
            12 => vec![b"LREM".to_vec(), k, index(&mut g).into_bytes(), elem(&mut g)],
            13 => vec![b"LTRIM".to_vec(), k, index(&mut g).into_bytes(), index(&mut g).into_bytes()],
            14 | 15 => {
                let mut v = vec![b"LPOS".to_vec(), k, elem(&mut g)];
                for _ in 0..g.below(4) {
                    v.push(g.pick(&["RANK", "COUNT", "MAXLEN", "rank", "bad"]).as_bytes().to_vec());
                    if g.chance(90) {
                        v.push(index(&mut g).into_bytes());
                    }
                }
                v
            }
            16 | 17 => vec![
                b"LMOVE".to_vec(),
                k,
                key(&mut g).into_bytes(),
                end(&mut g).as_bytes().to_vec(),
                end(&mut g).as_bytes().to_vec(),
            ],
            18 => vec![b"RPOPLPUSH".to_vec(), k, key(&mut g).into_bytes()],
            19 | 20 => {
                let blocking = g.chance(40);
                let mut v = vec![if blocking { b"BLMPOP".to_vec() } else { b"LMPOP".to_vec() }];
                if blocking {
                    v.push(g.pick(&["0", "0.01", "-1", "x"]).as_bytes().to_vec());
                }
                let n = g.below(4);
                v.push(if g.chance(90) { n.to_string().into_bytes() } else { index(&mut g).into_bytes() });
                for _ in 0..n {
                    v.push(key(&mut g).into_bytes());
                }
                v.push(end(&mut g).as_bytes().to_vec());
                if g.chance(50) {
                    v.push(b"COUNT".to_vec());
                    v.push(index(&mut g).into_bytes());
                }
                v
            }
            21 => {
                let mut v = vec![g.pick(&["BLPOP", "BRPOP"]).as_bytes().to_vec(), k];
                if g.chance(50) {
                    v.push(key(&mut g).into_bytes());
                }
                v.push(g.pick(&["0", "0.01", "-1", "x", "1e30"]).as_bytes().to_vec());
                v
            }
            22 => vec![
                b"BLMOVE".to_vec(),
                k,
                key(&mut g).into_bytes(),
                end(&mut g).as_bytes().to_vec(),
                end(&mut g).as_bytes().to_vec(),
                g.pick(&["0", "0.01", "-1"]).as_bytes().to_vec(),
            ],
            23 => vec![b"BRPOPLPUSH".to_vec(), k, key(&mut g).into_bytes(), b"0".to_vec()],
            24 => vec![b"SET".to_vec(), k, elem(&mut g)],
            25 => vec![b"DEL".to_vec(), k],
            26 => vec![b"OBJECT".to_vec(), b"ENCODING".to_vec(), k],
            // PEXPIREAT 1 expires at once (deterministic); PEXPIRE 100000 leaves a TTL.
            27 => match g.below(2) {
                0 => vec![b"PEXPIREAT".to_vec(), k, b"1".to_vec()],
                _ => vec![b"PEXPIRE".to_vec(), k, b"100000".to_vec()],
            },
            28 => vec![b"TYPE".to_vec(), k],
            _ => vec![b"LRANGE".to_vec(), k, b"0".to_vec(), b"-1".to_vec()],
        };
        steps.extend(never_block(v));
    }
    assert_parity("list random", &steps);
}

// ------------------------------------------------------------ blocked order

/// One scenario: blocking calls (by client index) in order, then commands run
/// by a separate connection; every blocked client's reply is compared, plus
/// the final state read by `check`.
struct Scenario {
    name: &'static str,
    setup: Vec<Vec<&'static str>>,
    blocked: Vec<Vec<&'static str>>,
    pushes: Vec<Vec<&'static str>>,
    check: Vec<Vec<&'static str>>,
}

fn blocked_count(c: &mut RespClient) -> usize {
    match c.call(&["INFO", "clients"]) {
        Reply::Bulk(b) => {
            let s = String::from_utf8_lossy(&b).to_string();
            s.lines()
                .find_map(|l| l.strip_prefix("blocked_clients:"))
                .and_then(|n| n.trim().parse().ok())
                .unwrap_or(0)
        }
        _ => 0,
    }
}

fn run_redis(server: &RedisServer, sc: &Scenario) -> (Vec<Reply>, Vec<Reply>) {
    let mut ctl = server.client();
    ctl.call(&["FLUSHALL"]);
    for c in &sc.setup {
        ctl.call(c);
    }
    let mut clients = Vec::new();
    for (i, b) in sc.blocked.iter().enumerate() {
        let mut c = server.client();
        c.send(b);
        // Wait until redis-server has blocked it, so arrival order is certain.
        let t = std::time::Instant::now();
        while blocked_count(&mut ctl) < i + 1 && t.elapsed().as_secs() < 5 {
            std::thread::sleep(std::time::Duration::from_millis(2));
        }
        clients.push(c);
    }
    let mut out = Vec::new();
    for p in &sc.pushes {
        out.push(ctl.call(p));
    }
    let mut replies: Vec<Reply> = clients.iter_mut().map(|c| c.read()).collect();
    for c in &sc.check {
        replies.push(ctl.call(c));
    }
    (out, replies)
}

fn run_ours(sc: &Scenario) -> (Vec<Reply>, Vec<Reply>) {
    let clock = ManualClock::new(1_000_000);
    let mut srv = Server::with_clock(Options::default(), Box::new(clock.clone()));
    let mut ctl = srv.new_client();
    let argv = |v: &Vec<&str>| v.iter().map(|s| s.as_bytes().to_vec()).collect::<Vec<_>>();
    let exec = |srv: &mut Server, c: &mut Client, v: &Vec<&str>| {
        let a = argv(v);
        let refs: Vec<&[u8]> = a.iter().map(|x| x.as_slice()).collect();
        srv.call(c, &refs)
    };
    for c in &sc.setup {
        exec(&mut srv, &mut ctl, c);
    }
    let mut ids = Vec::new();
    let mut clients: Vec<Client> = Vec::new();
    let mut early: Vec<Option<Reply>> = Vec::new();
    for b in &sc.blocked {
        let mut c = srv.new_client();
        match exec(&mut srv, &mut c, b) {
            Outcome::Blocked(id) => {
                ids.push(Some(id));
                early.push(None);
            }
            Outcome::Reply(r) => {
                ids.push(None);
                early.push(Some(r));
            }
        }
        clients.push(c);
    }
    let mut got: std::collections::HashMap<u64, Reply> = Default::default();
    let mut out = Vec::new();
    for p in &sc.pushes {
        match exec(&mut srv, &mut ctl, p) {
            Outcome::Reply(r) => out.push(r),
            Outcome::Blocked(_) => panic!("control connection blocked"),
        }
        got.extend(srv.take_served());
    }
    clock.advance(60_000);
    srv.expire_waits();
    got.extend(srv.take_served());
    let mut replies: Vec<Reply> = ids
        .iter()
        .zip(early)
        .map(|(id, e)| e.unwrap_or_else(|| id.and_then(|id| got.remove(&id)).unwrap_or(Reply::Status("NO REPLY".into()))))
        .collect();
    for c in &sc.check {
        if let Outcome::Reply(r) = exec(&mut srv, &mut ctl, c) {
            replies.push(r);
        }
    }
    (out, replies)
}

fn v(s: &[&'static str]) -> Vec<&'static str> {
    s.to_vec()
}

#[test]
fn blocked_order_parity() {
    let scenarios = vec![
        Scenario {
            name: "fifo on one key",
            setup: vec![],
            blocked: vec![v(&["BLPOP", "q", "1"]), v(&["BRPOP", "q", "1"]), v(&["BLPOP", "q", "1"]), v(&["BLPOP", "q", "1"])],
            pushes: vec![v(&["RPUSH", "q", "a", "b"]), v(&["LPUSH", "q", "c"])],
            check: vec![v(&["EXISTS", "q"])],
        },
        Scenario {
            name: "several keys: first ready key serves",
            setup: vec![],
            blocked: vec![v(&["BLPOP", "k1", "k2", "1"]), v(&["BLPOP", "k2", "1"]), v(&["BRPOP", "k1", "1"])],
            pushes: vec![v(&["MULTI"]), v(&["RPUSH", "k2", "x"]), v(&["RPUSH", "k1", "y", "z"]), v(&["EXEC"])],
            check: vec![v(&["LRANGE", "k1", "0", "-1"]), v(&["LRANGE", "k2", "0", "-1"])],
        },
        Scenario {
            name: "blmove chain",
            setup: vec![],
            blocked: vec![
                v(&["BLMOVE", "a", "b", "LEFT", "RIGHT", "1"]),
                v(&["BRPOPLPUSH", "b", "c", "1"]),
                v(&["BLPOP", "c", "a", "1"]),
            ],
            pushes: vec![v(&["RPUSH", "a", "v1", "v2"])],
            check: vec![v(&["LRANGE", "a", "0", "-1"]), v(&["LRANGE", "b", "0", "-1"]), v(&["LRANGE", "c", "0", "-1"])],
        },
        Scenario {
            name: "blmpop counts",
            setup: vec![],
            blocked: vec![v(&["BLMPOP", "1", "2", "x", "q", "RIGHT", "COUNT", "2"]), v(&["BLPOP", "q", "1"]), v(&["BLMPOP", "1", "1", "q", "LEFT"])],
            pushes: vec![v(&["RPUSH", "q", "1", "2", "3", "4"])],
            check: vec![v(&["LRANGE", "q", "0", "-1"])],
        },
        Scenario {
            name: "blmove to wrong type",
            setup: vec![v(&["SET", "d", "str"])],
            blocked: vec![v(&["BRPOPLPUSH", "s", "d", "1"]), v(&["BLPOP", "s", "1"])],
            pushes: vec![v(&["RPUSH", "s", "v"])],
            check: vec![v(&["LRANGE", "s", "0", "-1"])],
        },
        Scenario {
            name: "pushed and popped inside one transaction",
            setup: vec![],
            blocked: vec![v(&["BLPOP", "q", "1"])],
            pushes: vec![v(&["MULTI"]), v(&["RPUSH", "q", "a"]), v(&["LPOP", "q"]), v(&["EXEC"]), v(&["RPUSH", "q", "b"])],
            check: vec![v(&["EXISTS", "q"])],
        },
        Scenario {
            name: "wrong type then list",
            setup: vec![],
            blocked: vec![v(&["BLPOP", "q", "1"]), v(&["BLMOVE", "q", "q", "RIGHT", "LEFT", "1"])],
            pushes: vec![v(&["SET", "q", "x"]), v(&["DEL", "q"]), v(&["LPUSH", "q", "1", "2", "3"])],
            check: vec![v(&["LRANGE", "q", "0", "-1"])],
        },
        Scenario {
            name: "lmove and rename create the key",
            setup: vec![v(&["RPUSH", "src", "a", "b"])],
            blocked: vec![v(&["BLPOP", "dst", "ren", "1"]), v(&["BRPOP", "ren", "1"])],
            pushes: vec![v(&["LMOVE", "src", "dst", "LEFT", "LEFT"]), v(&["RENAME", "src", "ren"])],
            check: vec![v(&["EXISTS", "src", "dst", "ren"])],
        },
    ];
    let Some(server) = RedisServer::start() else { return };
    let mut bad = Vec::new();
    for sc in &scenarios {
        let theirs = run_redis(&server, sc);
        let ours = run_ours(sc);
        if theirs != ours {
            bad.push(format!("[{}]\n  redis: {:?}\n  ours:  {:?}", sc.name, theirs, ours));
        }
    }
    eprintln!("blocked order parity: {} scenarios, {} mismatches", scenarios.len(), bad.len());
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

