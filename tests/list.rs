//! Lists and blocking calls driven through `Server::call` with a manual clock:
//! timeouts, cancellation, FIFO serving, wake-ups by other connections and
//! transactions, MULTI never blocking, keyspace events of served pops.

use cinnabar::reply::Reply;
use cinnabar::{Client, ManualClock, Options, Outcome, Server};

fn setup() -> (Server, ManualClock) {
    let clock = ManualClock::new(1_000_000);
    (Server::with_clock(Options::default(), Box::new(clock.clone())), clock)
}

fn call(srv: &mut Server, c: &mut Client, argv: &[&str]) -> Outcome {
    let refs: Vec<&[u8]> = argv.iter().map(|a| a.as_bytes()).collect();
    srv.call(c, &refs)
}

fn run(srv: &mut Server, c: &mut Client, argv: &[&str]) -> Reply {
    match call(srv, c, argv) {
        Outcome::Reply(r) => r,
        Outcome::Blocked(id) => panic!("{argv:?} blocked as {id}"),
    }
}

fn block(srv: &mut Server, c: &mut Client, argv: &[&str]) -> u64 {
    match call(srv, c, argv) {
        Outcome::Blocked(id) => id,
        Outcome::Reply(r) => panic!("{argv:?} answered {r:?}"),
    }
}

fn b(s: &str) -> Reply {
    Reply::Bulk(s.as_bytes().to_vec())
}
fn pair(k: &str, v: &str) -> Reply {
    Reply::Array(vec![b(k), b(v)])
}

#[test]
fn served_in_arrival_order_by_another_connection() {
    let (mut srv, _) = setup();
    let (mut a, mut b1, mut c, mut p) = (srv.new_client(), srv.new_client(), srv.new_client(), srv.new_client());
    let ia = block(&mut srv, &mut a, &["BLPOP", "q", "0"]);
    let ib = block(&mut srv, &mut b1, &["BRPOP", "q", "0"]);
    let ic = block(&mut srv, &mut c, &["BLPOP", "q", "0"]);
    assert_eq!(srv.blocking.waiting_on(0, b"q"), vec![ia, ib, ic]);
    match run(&mut srv, &mut p, &["INFO", "clients"]) {
        Reply::Bulk(info) => assert!(String::from_utf8_lossy(&info).contains("blocked_clients:3\r\n")),
        r => panic!("{r:?}"),
    }
    assert_eq!(run(&mut srv, &mut p, &["RPUSH", "q", "x", "y"]), Reply::Int(2));
    assert_eq!(srv.take_served(), vec![(ia, pair("q", "x")), (ib, pair("q", "y"))]);
    assert_eq!(run(&mut srv, &mut p, &["EXISTS", "q"]), Reply::Int(0));
    assert_eq!(srv.blocking.waiting_on(0, b"q"), vec![ic]);
    // A transaction wakes the remaining waiter once, after EXEC.
    run(&mut srv, &mut p, &["MULTI"]);
    run(&mut srv, &mut p, &["RPUSH", "q", "z"]);
    run(&mut srv, &mut p, &["RPUSH", "q", "w"]);
    assert!(srv.take_served().is_empty());
    run(&mut srv, &mut p, &["EXEC"]);
    assert_eq!(srv.take_served(), vec![(ic, pair("q", "z"))]);
    assert_eq!(run(&mut srv, &mut p, &["LRANGE", "q", "0", "-1"]), Reply::Array(vec![b("w")]));
}

#[test]
fn timeouts_follow_the_clock() {
    let (mut srv, clock) = setup();
    let (mut a, mut b1) = (srv.new_client(), srv.new_client());
    let ia = block(&mut srv, &mut a, &["BLPOP", "q", "1.5"]);
    let ib = block(&mut srv, &mut b1, &["BLMOVE", "q", "d", "LEFT", "LEFT", "0"]);
    assert_eq!(srv.next_wait_deadline(), Some(1_001_500));
    clock.advance(1500);
    assert_eq!(srv.expire_waits(), 0, "times out strictly after the deadline, as Redis");
    clock.advance(1);
    assert_eq!(srv.expire_waits(), 1);
    assert_eq!(srv.take_served(), vec![(ia, Reply::NilArray)]);
    assert_eq!(srv.next_wait_deadline(), None);
    clock.advance(1_000_000_000);
    assert_eq!(srv.expire_waits(), 0, "timeout 0 waits forever");
    assert!(srv.cancel_wait(ib));
    assert!(!srv.cancel_wait(ib));
    let mut p = srv.new_client();
    run(&mut srv, &mut p, &["RPUSH", "q", "v"]);
    assert!(srv.take_served().is_empty(), "a cancelled wait is never served");
    assert_eq!(run(&mut srv, &mut p, &["LLEN", "q"]), Reply::Int(1));
}

#[test]
fn timeout_errors_and_multi_never_blocks() {
    let (mut srv, _) = setup();
    let mut a = srv.new_client();
    let e = |s: &str| Reply::Error(cinnabar::Error::owned(s.to_string()));
    assert_eq!(run(&mut srv, &mut a, &["BLPOP", "q", "-1"]), e("ERR timeout is negative"));
    assert_eq!(run(&mut srv, &mut a, &["BLPOP", "q", "soon"]), e("ERR timeout is not a float or out of range"));
    assert_eq!(run(&mut srv, &mut a, &["BLPOP", "q", "inf"]), e("ERR timeout is negative"));
    run(&mut srv, &mut a, &["MULTI"]);
    run(&mut srv, &mut a, &["BLPOP", "q", "0"]);
    run(&mut srv, &mut a, &["BLMOVE", "q", "d", "LEFT", "LEFT", "0"]);
    assert_eq!(
        run(&mut srv, &mut a, &["EXEC"]),
        Reply::Array(vec![Reply::NilArray, Reply::Nil])
    );
    // `execute` never leaves a waiter behind either.
    let r = srv.execute(&mut a, &[b"BRPOP", b"q", b"0"]);
    assert_eq!(r, Reply::NilArray);
    assert!(srv.blocking.is_empty());
}

#[test]
fn several_keys_blmove_chain_and_dropped_clients() {
    let (mut srv, _) = setup();
    let (mut a, mut b1, mut c, mut p) = (srv.new_client(), srv.new_client(), srv.new_client(), srv.new_client());
    let ia = block(&mut srv, &mut a, &["BLMOVE", "src", "mid", "RIGHT", "LEFT", "0"]);
    let ib = block(&mut srv, &mut b1, &["BLMPOP", "0", "2", "other", "mid", "LEFT", "COUNT", "5"]);
    let ic = block(&mut srv, &mut c, &["BLPOP", "mid", "0"]);
    srv.drop_client(&c);
    assert_eq!(run(&mut srv, &mut p, &["RPUSH", "src", "1", "2"]), Reply::Int(2));
    assert_eq!(
        srv.take_served(),
        vec![(ia, b("2")), (ib, Reply::Array(vec![b("mid"), Reply::Array(vec![b("2")])]))]
    );
    assert!(!srv.cancel_wait(ic), "dropping a client cancels its waits");
    assert_eq!(run(&mut srv, &mut p, &["LRANGE", "src", "0", "-1"]), Reply::Array(vec![b("1")]));
    assert_eq!(run(&mut srv, &mut p, &["EXISTS", "mid"]), Reply::Int(0));
}

#[test]
fn waits_are_per_database_and_swapdb_wakes() {
    let (mut srv, _) = setup();
    let (mut a, mut p) = (srv.new_client(), srv.new_client());
    run(&mut srv, &mut a, &["SELECT", "1"]);
    let ia = block(&mut srv, &mut a, &["BLPOP", "q", "0"]);
    run(&mut srv, &mut p, &["RPUSH", "q", "db0"]);
    assert!(srv.take_served().is_empty());
    run(&mut srv, &mut p, &["SWAPDB", "0", "1"]);
    assert_eq!(srv.take_served(), vec![(ia, pair("q", "db0"))]);
    assert_eq!(run(&mut srv, &mut p, &["DBSIZE"]), Reply::Int(0));
}

#[test]
fn served_pops_raise_keyspace_events() {
    let (mut srv, _) = setup();
    let (mut a, mut p) = (srv.new_client(), srv.new_client());
    run(&mut srv, &mut p, &["CONFIG", "SET", "notify-keyspace-events", "KEAl"]);
    block(&mut srv, &mut a, &["BLPOP", "q", "0"]);
    run(&mut srv, &mut p, &["RPUSH", "q", "v"]);
    let ev: Vec<&str> = srv.events.iter().map(|e| e.event).collect();
    assert_eq!(ev, vec!["rpush", "lpop", "del"]);
    srv.take_served();
}
