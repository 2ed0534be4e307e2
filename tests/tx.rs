//! Transactions across clients of one store: WATCH broken by another client's
//! write, by expiry, by FLUSHDB; EXECABORT; runtime errors inside EXEC; one
//! time for the whole EXEC.

use cinnabar::reply::Reply;
use cinnabar::{Client, ManualClock, Options, Server};

fn run(srv: &mut Server, c: &mut Client, argv: &[&str]) -> Reply {
    let refs: Vec<&[u8]> = argv.iter().map(|a| a.as_bytes()).collect();
    srv.execute(c, &refs)
}

fn setup() -> (Server, Client, Client, ManualClock) {
    let clock = ManualClock::new(1_000_000);
    let mut srv = Server::with_clock(Options::default(), Box::new(clock.clone()));
    let a = srv.new_client();
    let b = srv.new_client();
    (srv, a, b, clock)
}

#[test]
fn watch_broken_by_other_client() {
    let (mut srv, mut a, mut b, _) = setup();
    assert_eq!(run(&mut srv, &mut a, &["WATCH", "k"]), Reply::OK);
    assert_eq!(run(&mut srv, &mut b, &["SET", "k", "x"]), Reply::OK);
    assert_eq!(run(&mut srv, &mut a, &["MULTI"]), Reply::OK);
    assert_eq!(run(&mut srv, &mut a, &["SET", "k", "mine"]), Reply::QUEUED);
    assert_eq!(run(&mut srv, &mut a, &["EXEC"]), Reply::NilArray);
    assert_eq!(run(&mut srv, &mut a, &["GET", "k"]), Reply::bulk_str("x"));
    // The next transaction is clean again.
    assert_eq!(run(&mut srv, &mut a, &["MULTI"]), Reply::OK);
    assert_eq!(run(&mut srv, &mut a, &["SET", "k", "mine"]), Reply::QUEUED);
    assert_eq!(run(&mut srv, &mut a, &["EXEC"]), Reply::Array(vec![Reply::OK]));
}

#[test]
fn watch_untouched_key_commits() {
    let (mut srv, mut a, mut b, _) = setup();
    run(&mut srv, &mut a, &["WATCH", "k"]);
    run(&mut srv, &mut b, &["SET", "other", "x"]);
    run(&mut srv, &mut a, &["MULTI"]);
    run(&mut srv, &mut a, &["SET", "k", "1"]);
    assert_eq!(run(&mut srv, &mut a, &["EXEC"]), Reply::Array(vec![Reply::OK]));
}

#[test]
fn watch_other_db_same_name_does_not_break() {
    let (mut srv, mut a, mut b, _) = setup();
    run(&mut srv, &mut a, &["WATCH", "k"]);
    b.db = 1;
    run(&mut srv, &mut b, &["SET", "k", "x"]);
    run(&mut srv, &mut a, &["MULTI"]);
    run(&mut srv, &mut a, &["SET", "k", "1"]);
    assert_eq!(run(&mut srv, &mut a, &["EXEC"]), Reply::Array(vec![Reply::OK]));
}

#[test]
fn watch_broken_by_expiry() {
    let (mut srv, mut a, _, clock) = setup();
    run(&mut srv, &mut a, &["SET", "k", "v", "PX", "100"]);
    run(&mut srv, &mut a, &["WATCH", "k"]);
    clock.advance(200);
    run(&mut srv, &mut a, &["MULTI"]);
    run(&mut srv, &mut a, &["SET", "j", "1"]);
    assert_eq!(run(&mut srv, &mut a, &["EXEC"]), Reply::NilArray);
}

#[test]
fn queued_error_aborts_and_runtime_error_stays_inside() {
    let (mut srv, mut a, _, _) = setup();
    run(&mut srv, &mut a, &["MULTI"]);
    assert!(run(&mut srv, &mut a, &["NOPE"]).is_error());
    run(&mut srv, &mut a, &["SET", "k", "v"]);
    assert_eq!(
        run(&mut srv, &mut a, &["EXEC"]),
        Reply::Error(cinnabar::error::EXECABORT)
    );
    assert_eq!(run(&mut srv, &mut a, &["GET", "k"]), Reply::Nil);

    run(&mut srv, &mut a, &["MULTI"]);
    run(&mut srv, &mut a, &["SET", "k", "v"]);
    run(&mut srv, &mut a, &["SET", "k"]); // arity error at queue time
    assert!(run(&mut srv, &mut a, &["EXEC"]).is_error());

    run(&mut srv, &mut a, &["MULTI"]);
    run(&mut srv, &mut a, &["SET", "k", "v"]);
    run(&mut srv, &mut a, &["SET", "k", "v", "BOGUS"]); // syntax error at run time
    run(&mut srv, &mut a, &["GET", "k"]);
    match run(&mut srv, &mut a, &["EXEC"]) {
        Reply::Array(r) => {
            assert_eq!(r.len(), 3);
            assert_eq!(r[0], Reply::OK);
            assert!(r[1].is_error());
            assert_eq!(r[2], Reply::bulk_str("v"));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn tx_control_errors() {
    let (mut srv, mut a, _, _) = setup();
    assert_eq!(run(&mut srv, &mut a, &["EXEC"]), Reply::Error(cinnabar::error::EXEC_WITHOUT_MULTI));
    assert_eq!(run(&mut srv, &mut a, &["DISCARD"]), Reply::Error(cinnabar::error::DISCARD_WITHOUT_MULTI));
    run(&mut srv, &mut a, &["MULTI"]);
    assert_eq!(run(&mut srv, &mut a, &["MULTI"]), Reply::Error(cinnabar::error::MULTI_NESTED));
    assert_eq!(run(&mut srv, &mut a, &["WATCH", "x"]), Reply::Error(cinnabar::error::WATCH_IN_MULTI));
    // Neither error flags the transaction.
    run(&mut srv, &mut a, &["SET", "k", "v"]);
    assert_eq!(run(&mut srv, &mut a, &["EXEC"]), Reply::Array(vec![Reply::OK]));
    // EXEC with wrong arity outside MULTI: Redis answers EXECABORT too.
    match run(&mut srv, &mut a, &["EXEC", "x"]) {
        Reply::Error(e) => assert_eq!(
            e.text(),
            "EXECABORT Transaction discarded because of: wrong number of arguments for 'exec' command"
        ),
        other => panic!("{other:?}"),
    }
}

#[test]
fn own_write_breaks_own_watch_and_unwatch_clears() {
    let (mut srv, mut a, _, _) = setup();
    run(&mut srv, &mut a, &["WATCH", "k"]);
    run(&mut srv, &mut a, &["SET", "k", "1"]);
    run(&mut srv, &mut a, &["MULTI"]);
    run(&mut srv, &mut a, &["GET", "k"]);
    assert_eq!(run(&mut srv, &mut a, &["EXEC"]), Reply::NilArray);

    run(&mut srv, &mut a, &["WATCH", "k"]);
    run(&mut srv, &mut a, &["SET", "k", "2"]);
    run(&mut srv, &mut a, &["UNWATCH"]);
    run(&mut srv, &mut a, &["MULTI"]);
    run(&mut srv, &mut a, &["GET", "k"]);
    assert_eq!(run(&mut srv, &mut a, &["EXEC"]), Reply::Array(vec![Reply::bulk_str("2")]));
}

#[test]
fn dropped_client_leaves_no_watch_behind() {
    let (mut srv, mut a, mut b, _) = setup();
    run(&mut srv, &mut a, &["WATCH", "k"]);
    srv.drop_client(&a);
    run(&mut srv, &mut b, &["SET", "k", "1"]);
    assert_eq!(run(&mut srv, &mut b, &["GET", "k"]), Reply::bulk_str("1"));
}
