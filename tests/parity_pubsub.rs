//! Pub/sub parity with a real redis-server, over several connections on each
//! side: every command's replies (a SUBSCRIBE of n channels answers n arrays),
//! and after every step the pushes each subscribed connection received
//! (collected on redis by a PING, whose `pong` follows all earlier pushes).
//!
//! Also keyspace-notification sequences: a connection PSUBSCRIBEd to
//! `__key*` on both sides while another runs commands of every family on main;
//! the event streams are compared in order, including `expired` from lazy
//! expiry (redis with active expiry off: `DEBUG SET-ACTIVE-EXPIRE 0`) and from
//! active expiry.
//!
//! Deliberate differences, compared narrowly:
//! - Redis walks channel and pattern tables in hash order: PUBSUB CHANNELS /
//!   SHARDCHANNELS are compared as sets; a bare UNSUBSCRIBE / SUNSUBSCRIBE as the
//!   set of channels plus the exact count sequence; when one publish matches
//!   several patterns the `pmessage`s of that step are compared as a multiset
//!   (we deliver in first-subscribed pattern order).
//! - Active expiry samples keys at random on both sides: the `expired` events of
//!   an active cycle are compared as a multiset.

mod support;

use cinnabar::reply::Reply;
use cinnabar::{Client, Options, Server};
use support::{show, Gen, RedisServer, RespClient};

#[derive(Clone, Copy, PartialEq)]
enum Cmp {
    Exact,
    /// Array compared as a set.
    Unordered,
    /// A bare (S)UNSUBSCRIBE: channels as a set, counts in order.
    UnsubAll,
}

#[derive(Clone, Copy, PartialEq)]
enum Pushes {
    Exact,
    /// pmessages of one step compared as a multiset.
    PatternsUnordered,
    /// Everything of one step compared as a multiset.
    Unordered,
}

enum Op {
    Cmd(usize, Vec<Vec<u8>>, Cmp),
    /// Only to redis (DEBUG ...), reply ignored.
    RedisOnly(Vec<Vec<u8>>),
    /// Real sleep (both sides use real time).
    Sleep(u64),
    /// Sleep, then our active expiry cycle (redis runs its own on its timer).
    ActiveExpire(u64),
}

fn v(args: &[&str]) -> Vec<Vec<u8>> {
    args.iter().map(|a| a.as_bytes().to_vec()).collect()
}
fn cmd(conn: usize, args: &[&str]) -> Op {
    Op::Cmd(conn, v(args), Cmp::Exact)
}

struct Side {
    redis: Vec<RespClient>,
    srv: Server,
    clients: Vec<Client>,
}

fn sorted(mut items: Vec<Reply>) -> Vec<Reply> {
    items.sort_by_key(|r| {
        let mut b = Vec::new();
        r.write_resp(&mut b);
        b
    });
    items
}

fn wire(r: &Reply) -> Vec<u8> {
    let mut b = Vec::new();
    r.write_resp(&mut b);
    b
}

fn norm(cmp: Cmp, r: Reply) -> Reply {
    match (cmp, r) {
        (Cmp::Unordered, Reply::Array(items)) => Reply::Array(sorted(items)),
        (Cmp::UnsubAll, Reply::Seq(items)) => {
            let mut names = Vec::new();
            let mut counts = Vec::new();
            for it in items {
                if let Reply::Array(mut parts) = it {
                    counts.push(parts.pop().unwrap_or(Reply::Nil));
                    names.push(parts.pop().unwrap_or(Reply::Nil));
                }
            }
            Reply::Array(vec![Reply::Array(sorted(names)), Reply::Array(counts)])
        }
        (_, r) => r,
    }
}

fn norm_pushes(mode: Pushes, items: Vec<Reply>) -> Vec<Reply> {
    match mode {
        Pushes::Exact => items,
        Pushes::Unordered => sorted(items),
        Pushes::PatternsUnordered => {
            let is_p = |r: &Reply| matches!(r, Reply::Array(p) if p.first() == Some(&Reply::bulk_str("pmessage")));
            let (p, rest): (Vec<Reply>, Vec<Reply>) = items.into_iter().partition(is_p);
            let mut out = rest;
            out.extend(sorted(p));
            out
        }
    }
}

fn run(name: &str, conns: usize, ops: &[Op], mode: Pushes, server_args: &[&str]) -> usize {
    let Some(server) = RedisServer::start_with(server_args) else { return 0 };
    let mut srv = Server::new(Options::default());
    let clients = (0..conns).map(|_| srv.new_client()).collect();
    let mut side = Side { redis: (0..conns).map(|_| server.client()).collect(), srv, clients };
    let mut bad = Vec::new();
    let mut n = 0;
    for (i, op) in ops.iter().enumerate() {
        let step_mode = match op {
            Op::Cmd(..) => mode,
            Op::ActiveExpire(_) => Pushes::Unordered,
            _ => mode,
        };
        match op {
            Op::Cmd(c, argv, cmp) => {
                n += 1;
                let refs: Vec<&[u8]> = argv.iter().map(|a| a.as_slice()).collect();
                let ours = side.srv.execute(&mut side.clients[*c], &refs);
                side.redis[*c].send(argv);
                let theirs = match &ours {
                    Reply::Seq(items) => Reply::Seq((0..items.len()).map(|_| side.redis[*c].read()).collect()),
                    _ => side.redis[*c].read(),
                };
                let (o, t) = (norm(*cmp, ours), norm(*cmp, theirs));
                // Compared as wire bytes: a Seq inside EXEC is on the wire what redis sends.
                if wire(&o) != wire(&t) {
                    bad.push(format!("[{name} #{i}] conn {c}: {}\n    redis: {t:?}\n    ours:  {o:?}", show(argv)));
                }
            }
            Op::RedisOnly(argv) => {
                side.redis[0].call(argv);
            }
            Op::Sleep(ms) => std::thread::sleep(std::time::Duration::from_millis(*ms)),
            Op::ActiveExpire(ms) => {
                std::thread::sleep(std::time::Duration::from_millis(*ms));
                side.srv.active_expire_cycle(10_000);
            }
        }
        // The pushes each subscribed connection got from this step.
        for c in 0..conns {
            let id = side.clients[c].id;
            let ours: Vec<Reply> = side.srv.pubsub.take_for(id).iter().map(|p| p.to_reply()).collect();
            if !side.srv.pubsub.is_subscribed(id) && ours.is_empty() {
                continue;
            }
            let r = &mut side.redis[c];
            r.send(&["PING"]);
            let mut theirs = Vec::new();
            loop {
                let x = r.read();
                let pong = Reply::Array(vec![Reply::bulk_str("pong"), Reply::bulk_str("")]);
                if x == pong || x == Reply::status("PONG") {
                    break;
                }
                theirs.push(x);
            }
            let (o, t) = (norm_pushes(step_mode, ours), norm_pushes(step_mode, theirs));
            if o != t {
                let what = match op {
                    Op::Cmd(_, argv, _) => show(argv),
                    Op::Sleep(ms) => format!("sleep {ms}"),
                    Op::ActiveExpire(_) => "active expiry".into(),
                    Op::RedisOnly(argv) => show(argv),
                };
                bad.push(format!("[{name} #{i}] pushes to conn {c} after {what}\n    redis: {t:?}\n    ours:  {o:?}"));
            }
        }
        assert_eq!(side.srv.pubsub.pending(), 0, "undrained deliveries");
    }
    eprintln!("parity {name}: {n} commands, {} mismatches", bad.len());
    if !bad.is_empty() {
        panic!("{} mismatches:\n{}", bad.len(), bad.iter().take(25).cloned().collect::<Vec<_>>().join("\n"));
    }
    n
}

#[test]
fn hand_written_pubsub() {
    use Cmp::*;
    let ops = vec![
        cmd(0, &["PUBSUB", "NUMPAT"]),
        cmd(0, &["PUBSUB", "CHANNELS"]),
        cmd(0, &["PUBSUB", "NUMSUB"]),
        cmd(0, &["PUBSUB", "NUMSUB", "a", "b"]),
        cmd(0, &["PUBSUB", "SHARDNUMSUB", "a"]),
        cmd(0, &["PUBSUB", "SHARDCHANNELS"]),
        cmd(0, &["PUBSUB", "HELP"]),
        cmd(0, &["pubsub", "help", "x"]),
        cmd(0, &["PUBSUB"]),
        cmd(0, &["PUBSUB", "nope"]),
        cmd(0, &["PUBSUB", "CHANNELS", "a", "b"]),
        cmd(0, &["PUBSUB", "ShardChannels", "a", "b"]),
        cmd(0, &["PUBSUB", "NUMPAT", "x"]),
        cmd(0, &["PUBLISH", "a"]),
        cmd(0, &["PUBLISH", "a", "nobody"]),
        cmd(0, &["SPUBLISH", "a", "nobody"]),
        cmd(0, &["SUBSCRIBE"]),
        cmd(0, &["UNSUBSCRIBE"]),
        cmd(0, &["PUNSUBSCRIBE"]),
        cmd(0, &["SUNSUBSCRIBE"]),
        cmd(0, &["UNSUBSCRIBE", "x", "y"]),
        cmd(1, &["SUBSCRIBE", "news", "chat:1", "news"]),
        cmd(1, &["PING"]),
        cmd(1, &["PING", "hello"]),
        cmd(1, &["PING", "a", "b"]),
        cmd(1, &["GET", "k"]),
        cmd(1, &["CONFIG", "GET", "maxmemory"]),
        cmd(1, &["PUBSUB", "NUMPAT"]),
        cmd(1, &["MULTI"]),
        cmd(1, &["EXEC"]),
        cmd(1, &["NOSUCH"]),
        cmd(1, &["PSUBSCRIBE", "chat:*", "n?ws", "[a-c]*"]),
        cmd(2, &["PSUBSCRIBE", "chat:*"]),
        cmd(3, &["SSUBSCRIBE", "shard1", "shard2"]),
        cmd(3, &["SUBSCRIBE", "news"]),
        cmd(0, &["PUBLISH", "news", "hello"]),
        cmd(0, &["PUBLISH", "chat:1", "hi there"]),
        cmd(0, &["PUBLISH", "chat:2", "x"]),
        cmd(0, &["PUBLISH", "bob", "y"]),
        cmd(0, &["SPUBLISH", "shard1", "s"]),
        cmd(0, &["SPUBLISH", "news", "only shard subscribers"]),
        cmd(0, &["PUBLISH", "shard1", "not to shard subscribers"]),
        Op::Cmd(0, v(&["PUBSUB", "CHANNELS"]), Unordered),
        Op::Cmd(0, v(&["PUBSUB", "CHANNELS", "c*"]), Unordered),
        Op::Cmd(0, v(&["PUBSUB", "SHARDCHANNELS"]), Unordered),
        Op::Cmd(0, v(&["PUBSUB", "SHARDCHANNELS", "*2"]), Unordered),
        cmd(0, &["PUBSUB", "NUMSUB", "news", "chat:1", "nothing", "chat:*"]),
        cmd(0, &["PUBSUB", "SHARDNUMSUB", "shard1", "news"]),
        cmd(0, &["PUBSUB", "NUMPAT"]),
        cmd(1, &["UNSUBSCRIBE", "news", "never"]),
        cmd(1, &["PUNSUBSCRIBE", "n?ws"]),
        cmd(1, &["PUNSUBSCRIBE"]),
        cmd(1, &["PUNSUBSCRIBE"]),
        cmd(0, &["PUBLISH", "chat:1", "after"]),
        Op::Cmd(1, v(&["UNSUBSCRIBE"]), UnsubAll),
        cmd(1, &["PING"]),
        cmd(1, &["GET", "k"]),
        Op::Cmd(3, v(&["SUNSUBSCRIBE"]), UnsubAll),
        cmd(3, &["PING"]),
        cmd(3, &["UNSUBSCRIBE", "news"]),
        cmd(3, &["PING"]),
        cmd(0, &["PUBSUB", "NUMPAT"]),
        // binary channels, messages and patterns
        Op::Cmd(2, vec![b"SUBSCRIBE".to_vec(), b"\x00\xff\r\n".to_vec()], Exact),
        Op::Cmd(2, vec![b"PSUBSCRIBE".to_vec(), b"\x00*".to_vec()], Exact),
        Op::Cmd(0, vec![b"PUBLISH".to_vec(), b"\x00\xff\r\n".to_vec(), b"\x01\x02\xfe".to_vec()], Exact),
        Op::Cmd(0, vec![b"PUBLISH".to_vec(), vec![], vec![]], Exact),
        cmd(0, &["PUBSUB", "NUMSUB", ""]),
        // SUBSCRIBE inside MULTI runs at EXEC; SSUBSCRIBE is refused there
        cmd(0, &["MULTI"]),
        cmd(0, &["SSUBSCRIBE", "s"]),
        cmd(0, &["SUBSCRIBE", "m"]),
        cmd(0, &["PING"]),
        cmd(0, &["EXEC"]),
        cmd(0, &["PING"]),
        cmd(0, &["SET", "a", "b"]),
        cmd(1, &["PUBLISH", "m", "in-multi-subscriber"]),
        cmd(0, &["UNSUBSCRIBE", "m"]),
        cmd(0, &["SET", "a", "b"]),
        // rejected in MULTI while subscribed? (MULTI itself is refused)
        cmd(2, &["MULTI"]),
        cmd(2, &["PUBLISH", "x", "y"]),
    ];
    run("pubsub hand-written", 4, &ops, Pushes::PatternsUnordered, &[]);
}

#[test]
fn random_pubsub() {
    let mut g = Gen::new(0xB0B_5EED);
    let chans = ["a", "b", "chat:1", "chat:2", "news", "x\u{1}y", "[", "h*llo", ""];
    let pats = ["*", "a", "chat:*", "c?at:[12]", "[!a]*", "h\\*llo", "[", "*[", "n[^x]ws", "\\"];
    let mut ops = Vec::new();
    for _ in 0..3000 {
        let c = g.below(4) as usize;
        let ch = || 0;
        let _ = ch;
        let pick_ch = |g: &mut Gen| -> Vec<u8> {
            if g.chance(5) { g.bytes(4) } else { g.pick(&chans).as_bytes().to_vec() }
        };
        let mut argv: Vec<Vec<u8>> = Vec::new();
        let mut cmp = Cmp::Exact;
        match g.below(20) {
            0..=2 => {
                argv.push(b"SUBSCRIBE".to_vec());
                for _ in 0..=g.below(3) {
                    argv.push(pick_ch(&mut g));
                }
            }
            3 => {
                argv.push(b"UNSUBSCRIBE".to_vec());
                if g.chance(30) {
                    cmp = Cmp::UnsubAll;
                } else {
                    for _ in 0..=g.below(2) {
                        argv.push(pick_ch(&mut g));
                    }
                }
            }
            4 | 5 => {
                argv.push(b"PSUBSCRIBE".to_vec());
                for _ in 0..=g.below(2) {
                    argv.push(g.pick(&pats).as_bytes().to_vec());
                }
            }
            6 => {
                argv.push(b"PUNSUBSCRIBE".to_vec());
                for _ in 0..g.below(3) {
                    argv.push(g.pick(&pats).as_bytes().to_vec());
                }
            }
            7 => {
                argv.push(b"SSUBSCRIBE".to_vec());
                for _ in 0..=g.below(2) {
                    argv.push(pick_ch(&mut g));
                }
            }
            8 => {
                argv.push(b"SUNSUBSCRIBE".to_vec());
                if g.chance(30) {
                    cmp = Cmp::UnsubAll;
                } else {
                    argv.push(pick_ch(&mut g));
                }
            }
            9..=13 => {
                argv.push(if g.chance(80) { b"PUBLISH".to_vec() } else { b"SPUBLISH".to_vec() });
                argv.push(pick_ch(&mut g));
                argv.push(g.bytes(6));
                if g.chance(3) {
                    argv.pop();
                }
            }
            14 => {
                argv.push(b"PUBSUB".to_vec());
                let sub = *g.pick(&["CHANNELS", "SHARDCHANNELS", "NUMSUB", "SHARDNUMSUB", "NUMPAT", "help", "bogus"]);
                argv.push(sub.as_bytes().to_vec());
                for _ in 0..g.below(3) {
                    argv.push(if g.chance(50) { pick_ch(&mut g) } else { g.pick(&pats).as_bytes().to_vec() });
                }
                if sub.contains("CHANNELS") {
                    cmp = Cmp::Unordered;
                }
            }
            15 => {
                argv.push(b"PING".to_vec());
                for _ in 0..g.below(3) {
                    argv.push(g.bytes(3));
                }
            }
            16 => argv = v(&["GET", "k"]),
            17 => argv = v(&["SET", "k", "v"]),
            18 => argv = v(&[*g.pick(&["subscribe", "psubscribe", "ssubscribe", "publish", "spublish"])]),
            _ => argv = v(&["ECHO", "e"]),
        }
        ops.push(Op::Cmd(c, argv, cmp));
    }
    let n = run("pubsub random", 4, &ops, Pushes::PatternsUnordered, &[]);
    assert!(n >= 2000);
}

/// Commands of every family on main, each expected to emit Redis's events.
fn family_commands() -> Vec<Vec<&'static str>> {
    vec![
        // strings
        vec!["SET", "s", "1"],
        vec!["SET", "s", "2", "EX", "100"],
        vec!["SET", "s", "3", "KEEPTTL"],
        vec!["SET", "s", "4", "NX"],
        vec!["SET", "s", "5", "XX", "GET"],
        vec!["SETNX", "s2", "x"],
        vec!["SETNX", "s2", "x"],
        vec!["SETEX", "s3", "100", "x"],
        vec!["PSETEX", "s4", "100000", "x"],
        vec!["GETSET", "s", "6"],
        vec!["GETDEL", "s4"],
        vec!["GETDEL", "s4"],
        vec!["GETEX", "s", "PX", "50000"],
        vec!["GETEX", "s", "PERSIST"],
        vec!["GETEX", "s", "PXAT", "1"],
        vec!["MSET", "m1", "1", "m2", "2"],
        vec!["MSETNX", "m3", "1", "m4", "2"],
        vec!["MSETNX", "m3", "1", "m5", "2"],
        vec!["APPEND", "ap", "x"],
        vec!["APPEND", "ap", "y"],
        vec!["SETRANGE", "sr", "3", "abc"],
        vec!["SETRANGE", "sr", "0", ""],
        vec!["SETRANGE", "nosr", "0", ""],
        vec!["INCR", "n"],
        vec!["INCRBY", "n", "5"],
        vec!["DECR", "n"],
        vec!["DECRBY", "n", "2"],
        vec!["INCRBYFLOAT", "f", "1.5"],
        vec!["INCR", "s2"],
        vec!["GET", "missing"],
        vec!["STRLEN", "missing"],
        vec!["GETRANGE", "missing", "0", "1"],
        vec!["MGET", "m1", "nope", "m2"],
        vec!["LCS", "m1", "nope"],
        // keys
        vec!["DEL", "m1", "m2", "nope"],
        vec!["UNLINK", "m3", "nope"],
        vec!["EXISTS", "nope", "m4"],
        vec!["TYPE", "nope"],
        vec!["RENAME", "m4", "r1"],
        vec!["RENAME", "r1", "r1"],
        vec!["RENAMENX", "r1", "ap"],
        vec!["RENAMENX", "r1", "r2"],
        vec!["COPY", "r2", "c1"],
        vec!["COPY", "r2", "c1", "REPLACE"],
        vec!["COPY", "r2", "c2", "DB", "1"],
        vec!["MOVE", "c1", "2"],
        vec!["EXPIRE", "r2", "100"],
        vec!["EXPIRE", "r2", "100", "NX"],
        vec!["PEXPIRE", "r2", "200000", "GT"],
        vec!["EXPIREAT", "r2", "99999999999"],
        vec!["PEXPIREAT", "r2", "99999999999999"],
        vec!["TTL", "r2"],
        vec!["PERSIST", "r2"],
        vec!["PERSIST", "r2"],
        vec!["EXPIRE", "r2", "0"],
        vec!["EXPIRE", "sr", "-1"],
        vec!["PEXPIREAT", "ap", "1"],
        vec!["TOUCH", "n", "nope"],
        vec!["OBJECT", "ENCODING", "nope"],
        // sets
        vec!["SADD", "set", "a", "b", "c", "d"],
        vec!["SADD", "set", "a"],
        vec!["SREM", "set", "a", "zz"],
        vec!["SREM", "set", "zz"],
        vec!["SISMEMBER", "noset", "a"],
        vec!["SMOVE", "set", "set2", "b"],
        vec!["SMOVE", "set", "set2", "zz"],
        vec!["SMOVE", "set2", "set2", "b"],
        vec!["SADD", "set3", "x", "y"],
        vec!["SINTERSTORE", "dst", "set", "set3"],
        vec!["SUNIONSTORE", "dst", "set", "set3"],
        vec!["SDIFFSTORE", "dst", "set", "set3"],
        vec!["SDIFFSTORE", "dst", "set", "set"],
        vec!["SINTERSTORE", "dst", "nope", "set3"],
        vec!["SREM", "set2", "b"],
        vec!["SADD", "set5", "only"],
        vec!["SPOP", "set5", "1"],
        vec!["SADD", "set6", "only", "two"],
        vec!["SREM", "set6", "two"],
        vec!["SPOP", "set6"],
        vec!["SPOP", "set6"],
        vec!["SPOP", "set6", "0"],
        vec!["SADD", "set4", "1", "2", "3"],
        vec!["SPOP", "set4", "10"],
        vec!["SMEMBERS", "nope"],
        vec!["SINTER", "nope", "set"],
        // hll
        vec!["PFADD", "h1", "a", "b"],
        vec!["PFADD", "h1", "a"],
        vec!["PFADD", "h2"],
        vec!["PFMERGE", "h3", "h1", "h2"],
        vec!["PFCOUNT", "h1", "h3"],
        vec!["PFCOUNT", "nope"],
        // bitmaps
        vec!["SETBIT", "b1", "7", "1"],
        vec!["SETBIT", "b1", "7", "1"],
        vec!["BITOP", "OR", "b2", "b1", "nope"],
        vec!["BITOP", "AND", "b3", "nope", "nope2"],
        vec!["BITFIELD", "b4", "SET", "u8", "0", "255", "GET", "u8", "0"],
        vec!["BITFIELD", "b4", "GET", "u8", "0"],
        vec!["BITFIELD", "b5", "INCRBY", "u2", "0", "1", "OVERFLOW", "FAIL", "INCRBY", "u2", "0", "5"],
        vec!["GETBIT", "nope", "1"],
        vec!["BITCOUNT", "nope"],
        // databases
        vec!["SELECT", "1"],
        vec!["SET", "indb1", "x"],
        vec!["DEL", "indb1"],
        vec!["SELECT", "0"],
        vec!["SWAPDB", "0", "1"],
        vec!["SWAPDB", "0", "1"],
        vec!["FLUSHDB"],
        vec!["SET", "after", "flush"],
        vec!["FLUSHALL"],
        // wrong types and errors emit nothing
        vec!["SET", "str", "x"],
        vec!["SADD", "str", "a"],
        vec!["INCR", "str"],
        vec!["SET"],
    ]
}

fn keyspace_ops(flags: &str) -> Vec<Op> {
    let mut ops = vec![
        cmd(1, &["CONFIG", "SET", "notify-keyspace-events", flags]),
        cmd(0, &["PSUBSCRIBE", "__key*"]),
    ];
    for c in family_commands() {
        ops.push(cmd(1, &c));
    }
    ops
}

#[test]
fn keyspace_events_all_families() {
    for flags in ["KEA", "KA", "EA", "KEAmn", "Eg", "K$s", "Ex", "El", "KEh", "KEz", "KEt", "KEd", "KEe", "Km", "En"] {
        run(&format!("keyspace {flags}"), 2, &keyspace_ops(flags), Pushes::Exact, &[]);
    }
}

#[test]
fn keyspace_lazy_expiry() {
    let ops = vec![
        Op::RedisOnly(v(&["DEBUG", "SET-ACTIVE-EXPIRE", "0"])),
        cmd(1, &["CONFIG", "SET", "notify-keyspace-events", "KEAmn"]),
        cmd(0, &["PSUBSCRIBE", "__key*"]),
        cmd(1, &["SET", "a", "1", "PX", "30"]),
        cmd(1, &["SET", "b", "1", "PX", "30"]),
        cmd(1, &["SET", "c", "1", "PX", "30"]),
        cmd(1, &["SET", "d", "1", "PX", "30"]),
        cmd(1, &["SADD", "e", "x"]),
        cmd(1, &["PEXPIRE", "e", "30"]),
        cmd(1, &["SET", "f", "1", "PX", "30"]),
        Op::Sleep(80),
        cmd(1, &["GET", "a"]),
        cmd(1, &["SET", "b", "2"]),
        cmd(1, &["EXISTS", "c"]),
        cmd(1, &["INCR", "d"]),
        cmd(1, &["SADD", "e", "y"]),
        cmd(1, &["DEL", "f"]),
        cmd(1, &["DBSIZE"]),
    ];
    run("keyspace lazy expiry", 2, &ops, Pushes::Exact, &["--enable-debug-command", "yes"]);
}

#[test]
fn keyspace_active_expiry() {
    let mut ops = vec![cmd(1, &["CONFIG", "SET", "notify-keyspace-events", "Ex"]), cmd(0, &["PSUBSCRIBE", "*"])];
    for i in 0..15 {
        ops.push(cmd(1, &["SET", &format!("k{i}"), "v", "PX", "20"]));
    }
    ops.push(cmd(1, &["SET", "stays", "v", "EX", "100"]));
    ops.push(Op::ActiveExpire(600));
    ops.push(cmd(1, &["DBSIZE"]));
    run("keyspace active expiry", 2, &ops, Pushes::Exact, &[]);
}
