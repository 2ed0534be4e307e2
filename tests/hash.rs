//! Hashes with a manual clock: field TTLs expire lazily (on access) and
//! actively (the server's expiry cycle), with `hexpired`/`del` events; an
//! emptied hash disappears; WATCH sees field expiry and field writes.

use cinnabar::reply::Reply;
use cinnabar::{Client, ManualClock, Options, Server};

fn run(srv: &mut Server, c: &mut Client, argv: &[&str]) -> Reply {
    let refs: Vec<&[u8]> = argv.iter().map(|a| a.as_bytes()).collect();
    srv.execute(c, &refs)
}

fn setup() -> (Server, Client, ManualClock) {
    let clock = ManualClock::new(1_700_000_000_000);
    let mut srv = Server::with_clock(Options::default(), Box::new(clock.clone()));
    let c = srv.new_client();
    (srv, c, clock)
}

fn events(srv: &mut Server) -> Vec<String> {
    srv.take_events().iter().map(|e| format!("{}:{}", e.event, String::from_utf8_lossy(&e.key))).collect()
}

#[test]
fn field_ttl_expires_lazily_with_events() {
    let (mut srv, mut c, clock) = setup();
    run(&mut srv, &mut c, &["CONFIG", "SET", "notify-keyspace-events", "KEA"]);
    run(&mut srv, &mut c, &["HSET", "s", "user", "ada", "token", "t1"]);
    assert_eq!(run(&mut srv, &mut c, &["HPEXPIRE", "s", "100", "FIELDS", "1", "token"]), Reply::Array(vec![Reply::Int(1)]));
    assert_eq!(run(&mut srv, &mut c, &["HPTTL", "s", "FIELDS", "1", "token"]), Reply::Array(vec![Reply::Int(100)]));
    clock.advance(99);
    assert_eq!(run(&mut srv, &mut c, &["HGET", "s", "token"]), Reply::bulk_str("t1"));
    clock.advance(1);
    assert_eq!(run(&mut srv, &mut c, &["HGET", "s", "token"]), Reply::Nil);
    assert!(events(&mut srv).contains(&"hexpired:s".to_string()));
    assert_eq!(run(&mut srv, &mut c, &["HLEN", "s"]), Reply::Int(1));
    // The last field expiring deletes the key once a hash command sees it (EXISTS, like
    // Valkey's, does not look inside the hash).
    run(&mut srv, &mut c, &["HPEXPIRE", "s", "10", "FIELDS", "1", "user"]);
    clock.advance(10);
    assert_eq!(run(&mut srv, &mut c, &["HGET", "s", "user"]), Reply::Nil);
    let ev = events(&mut srv);
    assert_eq!(run(&mut srv, &mut c, &["EXISTS", "s"]), Reply::Int(0));
    assert!(ev.contains(&"hexpired:s".to_string()) && ev.contains(&"del:s".to_string()), "{ev:?}");
}

#[test]
fn field_ttl_expires_actively_without_access() {
    let (mut srv, mut c, clock) = setup();
    for i in 0..50 {
        let k = format!("h{i}");
        run(&mut srv, &mut c, &["HSET", &k, "a", "1", "b", "2"]);
        run(&mut srv, &mut c, &["HPEXPIRE", &k, "50", "FIELDS", "1", "a"]);
    }
    clock.advance(1000);
    for _ in 0..20 {
        srv.active_expire_cycle(1000);
    }
    // No command touched the hashes, yet their TTL'd fields are gone (HLEN does not lazily expire in
    // a way that could hide this: count the fields through the raw value's length via HGETALL).
    for i in 0..50 {
        let k = format!("h{i}");
        assert_eq!(run(&mut srv, &mut c, &["HGETALL", &k]), Reply::Array(vec![Reply::bulk_str("b"), Reply::bulk_str("2")]), "{k}");
    }
    // A hash whose only field had a TTL disappears entirely.
    run(&mut srv, &mut c, &["HSET", "only", "f", "v"]);
    run(&mut srv, &mut c, &["HPEXPIRE", "only", "5", "FIELDS", "1", "f"]);
    clock.advance(10);
    for _ in 0..20 {
        srv.active_expire_cycle(1000);
    }
    assert_eq!(srv.dbs[0].find(b"only"), None);
}

#[test]
fn hpersist_and_overwrite_clear_the_ttl() {
    let (mut srv, mut c, clock) = setup();
    run(&mut srv, &mut c, &["HSET", "h", "f", "v", "g", "w"]);
    run(&mut srv, &mut c, &["HEXPIRE", "h", "1", "FIELDS", "2", "f", "g"]);
    assert_eq!(run(&mut srv, &mut c, &["HPERSIST", "h", "FIELDS", "1", "f"]), Reply::Array(vec![Reply::Int(1)]));
    run(&mut srv, &mut c, &["HSET", "h", "g", "new"]);
    clock.advance(5000);
    assert_eq!(run(&mut srv, &mut c, &["HLEN", "h"]), Reply::Int(2));
}

#[test]
fn watch_sees_hash_writes_and_field_expiry() {
    let (mut srv, mut a, clock) = setup();
    let mut b = srv.new_client();
    run(&mut srv, &mut a, &["HSET", "h", "f", "v"]);
    run(&mut srv, &mut a, &["WATCH", "h"]);
    run(&mut srv, &mut b, &["HSET", "h", "g", "w"]);
    run(&mut srv, &mut a, &["MULTI"]);
    run(&mut srv, &mut a, &["HGET", "h", "f"]);
    assert_eq!(run(&mut srv, &mut a, &["EXEC"]), Reply::NilArray);

    run(&mut srv, &mut a, &["HPEXPIRE", "h", "10", "FIELDS", "1", "g"]);
    run(&mut srv, &mut a, &["WATCH", "h"]);
    clock.advance(20);
    run(&mut srv, &mut b, &["HGET", "h", "g"]); // lazily expires the field: a change to the key
    run(&mut srv, &mut a, &["MULTI"]);
    run(&mut srv, &mut a, &["HGET", "h", "f"]);
    assert_eq!(run(&mut srv, &mut a, &["EXEC"]), Reply::NilArray);
}

#[test]
fn emptied_hash_is_deleted_and_types_are_checked() {
    let (mut srv, mut c, _) = setup();
    run(&mut srv, &mut c, &["HSET", "h", "f", "v"]);
    assert_eq!(run(&mut srv, &mut c, &["HDEL", "h", "f"]), Reply::Int(1));
    assert_eq!(run(&mut srv, &mut c, &["EXISTS", "h"]), Reply::Int(0));
    run(&mut srv, &mut c, &["SET", "s", "x"]);
    for cmd in [&["HGET", "s", "f"][..], &["HSET", "s", "f", "v"], &["HEXPIRE", "s", "1", "FIELDS", "1", "f"], &["HGETDEL", "s", "FIELDS", "1", "f"]] {
        assert_eq!(run(&mut srv, &mut c, cmd), Reply::Error(cinnabar::error::WRONGTYPE), "{cmd:?}");
    }
}
