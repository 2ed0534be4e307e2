//! Pub/sub on the core with whole-reply expectations: confirmations as
//! `Reply::Seq`, the delivery queue per client, the bridge outbox, keyspace
//! events from lazy and active expiry under a manual clock, dropped clients.

use cinnabar::pubsub::Kind;
use cinnabar::reply::Reply;
use cinnabar::{Client, ManualClock, Options, Server};

fn run(srv: &mut Server, c: &mut Client, argv: &[&str]) -> Reply {
    let refs: Vec<&[u8]> = argv.iter().map(|a| a.as_bytes()).collect();
    srv.execute(c, &refs)
}
fn b(s: &str) -> Reply {
    Reply::bulk_str(s)
}
fn confirm(kind: &str, ch: &str, n: i64) -> Reply {
    Reply::Array(vec![b(kind), b(ch), Reply::Int(n)])
}
fn pushes(srv: &mut Server, c: &Client) -> Vec<Reply> {
    srv.pubsub.take_for(c.id).iter().map(|p| p.to_reply()).collect()
}
fn setup() -> (Server, Client, Client, ManualClock) {
    let clock = ManualClock::new(1_000_000);
    let mut srv = Server::with_clock(Options::default(), Box::new(clock.clone()));
    let a = srv.new_client();
    let s = srv.new_client();
    (srv, a, s, clock)
}

#[test]
fn confirmations_and_deliveries() {
    let (mut srv, mut a, mut s, _) = setup();
    assert_eq!(
        run(&mut srv, &mut s, &["SUBSCRIBE", "x", "y", "x"]),
        Reply::Seq(vec![confirm("subscribe", "x", 1), confirm("subscribe", "y", 2), confirm("subscribe", "x", 2)])
    );
    assert_eq!(run(&mut srv, &mut s, &["PSUBSCRIBE", "x*"]), Reply::Seq(vec![confirm("psubscribe", "x*", 3)]));
    assert_eq!(run(&mut srv, &mut a, &["PUBLISH", "x", "hi"]), Reply::Int(2));
    assert_eq!(
        pushes(&mut srv, &s),
        vec![
            Reply::Array(vec![b("message"), b("x"), b("hi")]),
            Reply::Array(vec![b("pmessage"), b("x*"), b("x"), b("hi")]),
        ]
    );
    // subscribed mode
    assert_eq!(run(&mut srv, &mut s, &["PING"]), Reply::Array(vec![b("pong"), b("")]));
    assert_eq!(
        run(&mut srv, &mut s, &["SET", "k", "v"]),
        Reply::Error(cinnabar::Error::owned(
            "ERR Can't execute 'set': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context".into()
        ))
    );
    // wire form: several replies in a row
    let mut wire = Vec::new();
    run(&mut srv, &mut s, &["PUNSUBSCRIBE"]).write_resp(&mut wire);
    assert_eq!(wire, b"*3\r\n$12\r\npunsubscribe\r\n$2\r\nx*\r\n:2\r\n");
    // dropping a client unsubscribes it and drops its queued deliveries
    run(&mut srv, &mut a, &["PUBLISH", "y", "queued"]);
    srv.drop_client(&s);
    assert_eq!(srv.pubsub.pending(), 0);
    assert_eq!(run(&mut srv, &mut a, &["PUBSUB", "NUMSUB", "x", "y"]), Reply::Array(vec![b("x"), Reply::Int(0), b("y"), Reply::Int(0)]));
    assert_eq!(run(&mut srv, &mut a, &["PUBLISH", "x", "nobody"]), Reply::Int(0));
}

#[test]
fn bridge_outbox_and_remote_messages() {
    let (mut srv, mut a, mut s, _) = setup();
    run(&mut srv, &mut s, &["SUBSCRIBE", "c"]);
    srv.pubsub.outbox.publish = true;
    assert_eq!(run(&mut srv, &mut a, &["PUBLISH", "c", "1"]), Reply::Int(1));
    assert_eq!(run(&mut srv, &mut a, &["SPUBLISH", "c", "2"]), Reply::Int(0));
    let q = srv.pubsub.drain();
    let kinds: Vec<(u64, Kind)> = q.iter().map(|p| (p.client, p.kind)).collect();
    assert_eq!(kinds, [(s.id, Kind::Message), (0, Kind::OutPublish), (0, Kind::OutSPublish)]);
    // a message from another member is delivered locally, never sent out again
    assert_eq!(srv.pubsub.publish(b"c", b"remote", false, None), 1);
    assert_eq!(srv.pubsub.drain().len(), 1);
    // keyspace events reach the outbox only when opted in
    run(&mut srv, &mut a, &["CONFIG", "SET", "notify-keyspace-events", "E$"]);
    run(&mut srv, &mut a, &["SET", "k", "v"]);
    assert_eq!(srv.pubsub.drain().len(), 0);
    srv.pubsub.outbox.keyspace = true;
    run(&mut srv, &mut a, &["SET", "k", "v"]);
    let q = srv.pubsub.drain();
    assert_eq!(q.len(), 1);
    assert_eq!((q[0].kind, &*q[0].channel, &*q[0].message), (Kind::OutKeyspace, &b"__keyevent@0__:set"[..], &b"k"[..]));
}

#[test]
fn expired_events_from_lazy_and_active_expiry() {
    let (mut srv, mut a, mut s, clock) = setup();
    run(&mut srv, &mut a, &["CONFIG", "SET", "notify-keyspace-events", "KEx"]);
    run(&mut srv, &mut s, &["PSUBSCRIBE", "__key*"]);
    run(&mut srv, &mut a, &["SELECT", "3"]);
    run(&mut srv, &mut a, &["SET", "lazy", "v", "PX", "10"]);
    run(&mut srv, &mut a, &["SET", "active", "v", "PX", "10"]);
    clock.advance(20);
    run(&mut srv, &mut a, &["GET", "lazy"]);
    let ev = |ch: &str, m: &str| Reply::Array(vec![b("pmessage"), b("__key*"), b(ch), b(m)]);
    assert_eq!(
        pushes(&mut srv, &s),
        vec![ev("__keyspace@3__:lazy", "expired"), ev("__keyevent@3__:expired", "lazy")]
    );
    assert_eq!(srv.active_expire_cycle(100), 1);
    assert_eq!(
        pushes(&mut srv, &s),
        vec![ev("__keyspace@3__:active", "expired"), ev("__keyevent@3__:expired", "active")]
    );
}

#[test]
fn subscribe_inside_exec() {
    let (mut srv, _, mut s, _) = setup();
    run(&mut srv, &mut s, &["MULTI"]);
    run(&mut srv, &mut s, &["SSUBSCRIBE", "x"]);
    run(&mut srv, &mut s, &["SUBSCRIBE", "a", "b"]);
    let r = run(&mut srv, &mut s, &["EXEC"]);
    let mut wire = Vec::new();
    r.write_resp(&mut wire);
    // Redis writes the header for 2 commands, then 3 replies (one per channel).
    assert_eq!(
        String::from_utf8(wire).unwrap(),
        "*2\r\n-ERR SSUBSCRIBE isn't allowed for a DENY BLOCKING client\r\n*3\r\n$9\r\nsubscribe\r\n$1\r\na\r\n:1\r\n*3\r\n$9\r\nsubscribe\r\n$1\r\nb\r\n:2\r\n"
    );
    assert!(srv.pubsub.is_subscribed(s.id));
}
