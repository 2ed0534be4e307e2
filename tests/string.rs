//! Strings and counters: whole-reply expectations, value encodings (what
//! OBJECT ENCODING will show), TTL kept or dropped, keyspace events, WATCH,
//! proto-max-bulk-len and allocation failures.

use cinnabar::error;
use cinnabar::notify;
use cinnabar::reply::Reply;
use cinnabar::{ManualClock, Options, Server, Store};

const T0: i64 = 1_700_000_000_000;

fn store() -> (Store, ManualClock) {
    let clock = ManualClock::new(T0);
    (Store::with_clock(Box::new(clock.clone())), clock)
}

fn bulk(s: &str) -> Reply {
    Reply::bulk_str(s)
}

fn err(s: &str) -> Reply {
    Reply::Error(error::Error::owned(s.to_string()))
}

fn encoding(st: &Store, key: &str) -> Option<&'static str> {
    let db = &st.server.dbs[0];
    db.find(key.as_bytes()).map(|i| db.entry(i).val.encoding())
}

fn expire(st: &Store, key: &str) -> Option<i64> {
    let db = &st.server.dbs[0];
    db.find(key.as_bytes()).and_then(|i| db.entry(i).expire())
}

#[test]
fn set_options_and_expiry() {
    let (mut st, clock) = store();
    assert_eq!(st.exec(&["SET", "k", "v", "EX", "10"]), Reply::OK);
    assert_eq!(expire(&st, "k"), Some(T0 + 10_000));
    assert_eq!(st.exec(&["SET", "k", "w", "KEEPTTL"]), Reply::OK);
    assert_eq!(expire(&st, "k"), Some(T0 + 10_000));
    assert_eq!(st.exec(&["SET", "k", "x"]), Reply::OK);
    assert_eq!(expire(&st, "k"), None);
    assert_eq!(st.exec(&["SET", "k", "v", "PX", "1500", "GET"]), bulk("x"));
    assert_eq!(expire(&st, "k"), Some(T0 + 1500));
    assert_eq!(st.exec(&["SET", "k", "v", "PXAT", "123"]), Reply::OK);
    assert_eq!(st.exec(&["GET", "k"]), Reply::Nil);
    assert_eq!(st.exec(&["SET", "k", "v", "EXAT", &((T0 / 1000) + 5).to_string()]), Reply::OK);
    assert_eq!(expire(&st, "k"), Some(T0 + 5000));
    clock.advance(5000);
    assert_eq!(st.exec(&["GET", "k"]), Reply::Nil);
    for (args, name) in [
        (&["SET", "k", "v", "EX", "0"][..], "set"),
        (&["SET", "k", "v", "PX", "-1"], "set"),
        (&["SET", "k", "v", "EX", "9223372036854776"], "set"),
        (&["SET", "k", "v", "PX", "9223372036854775807"], "set"),
        (&["SETEX", "k", "0", "v"], "setex"),
        (&["PSETEX", "k", "-5", "v"], "psetex"),
    ] {
        assert_eq!(st.exec(args), err(&format!("ERR invalid expire time in '{name}' command")), "{args:?}");
    }
    // The largest EX passes the first check, then overflows when added to now.
    assert_eq!(st.exec(&["SET", "k", "v", "EX", "9223372036854775"]), err("ERR invalid expire time in 'set' command"));
    assert_eq!(st.exec(&["SET", "k", "v", "EXAT", "9223372036854775"]), Reply::OK);
    assert_eq!(st.exec(&["SET", "k", "v", "EX", "1", "PX", "1"]), Reply::Error(error::SYNTAX));
    assert_eq!(st.exec(&["SET", "k", "v", "NX", "XX"]), Reply::Error(error::SYNTAX));
    assert_eq!(st.exec(&["SET", "k", "v", "KEEPTTL", "EXAT", "1"]), Reply::Error(error::SYNTAX));
    assert_eq!(st.exec(&["SET", "k", "v", "EX"]), Reply::Error(error::SYNTAX));
    assert_eq!(st.exec(&["SET", "k", "v", "EX", "x"]), Reply::Error(error::NOT_INTEGER));
    assert_eq!(st.exec(&["SET", "k", "new", "NX", "GET"]), bulk("v"));
    assert_eq!(st.exec(&["GET", "k"]), bulk("v"));
    assert_eq!(st.exec(&["SET", "k2", "new", "XX", "GET"]), Reply::Nil);
    assert_eq!(st.exec(&["SET", "k2", "new", "XX"]), Reply::Nil);
    assert_eq!(st.exec(&["SETNX", "k2", "a"]), Reply::Int(1));
    assert_eq!(st.exec(&["SETNX", "k2", "b"]), Reply::Int(0));
    assert_eq!(st.exec(&["SETEX", "k3", "7", "v"]), Reply::OK);
    assert_eq!(expire(&st, "k3"), Some(T0 + 5000 + 7000));
}

#[test]
fn getex_getdel_getset() {
    let (mut st, _) = store();
    st.exec(&["SET", "k", "v"]);
    assert_eq!(st.exec(&["GETEX", "k", "PX", "100"]), bulk("v"));
    assert_eq!(expire(&st, "k"), Some(T0 + 100));
    assert_eq!(st.exec(&["GETEX", "k", "PERSIST"]), bulk("v"));
    assert_eq!(expire(&st, "k"), None);
    assert_eq!(st.exec(&["GETEX", "k", "PERSIST", "EX", "1"]), Reply::Error(error::SYNTAX));
    assert_eq!(st.exec(&["GETEX", "k", "EX", "0"]), err("ERR invalid expire time in 'getex' command"));
    assert_eq!(st.exec(&["GETEX", "nokey", "EX", "0"]), Reply::Nil);
    assert_eq!(st.exec(&["GETEX", "k", "EXAT", "1"]), bulk("v"));
    assert!(st.server.dbs[0].find(b"k").is_none());
    st.exec(&["SET", "k", "v", "EX", "100"]);
    assert_eq!(st.exec(&["GETSET", "k", "w"]), bulk("v"));
    assert_eq!(expire(&st, "k"), None);
    assert_eq!(st.exec(&["GETDEL", "k"]), bulk("w"));
    assert_eq!(st.exec(&["GETDEL", "k"]), Reply::Nil);
}

#[test]
fn encodings_follow_redis() {
    let (mut st, _) = store();
    st.exec(&["SET", "i", "12345"]);
    assert_eq!(encoding(&st, "i"), Some("int"));
    st.exec(&["SET", "e", "0123"]);
    assert_eq!(encoding(&st, "e"), Some("embstr"));
    st.exec(&["SET", "r", &"x".repeat(45)]);
    assert_eq!(encoding(&st, "r"), Some("raw"));
    st.exec(&["APPEND", "i", ""]);
    assert_eq!(encoding(&st, "i"), Some("raw"));
    assert_eq!(st.exec(&["INCR", "i"]), Reply::Int(12346));
    assert_eq!(encoding(&st, "i"), Some("int"));
    st.exec(&["APPEND", "new", "77"]);
    assert_eq!(encoding(&st, "new"), Some("int"));
    st.exec(&["SETRANGE", "sr", "0", "1"]);
    assert_eq!(encoding(&st, "sr"), Some("raw"));
    st.exec(&["INCRBYFLOAT", "f", "3"]);
    assert_eq!(encoding(&st, "f"), Some("embstr"));
    st.exec(&["INCRBYFLOAT", "big", "1e60"]);
    assert_eq!(encoding(&st, "big"), Some("raw"));
    st.exec(&["MSET", "m1", "5", "m2", "five"]);
    assert_eq!(encoding(&st, "m1"), Some("int"));
    assert_eq!(encoding(&st, "m2"), Some("embstr"));
}

#[test]
fn counters_and_floats() {
    let (mut st, _) = store();
    st.exec(&["SET", "c", "5", "EX", "100"]);
    assert_eq!(st.exec(&["INCRBY", "c", "10"]), Reply::Int(15));
    assert_eq!(expire(&st, "c"), Some(T0 + 100_000), "INCR keeps the TTL");
    assert_eq!(st.exec(&["DECRBY", "c", "-9223372036854775808"]), err("ERR decrement would overflow"));
    st.exec(&["SET", "c", "9223372036854775807"]);
    assert_eq!(st.exec(&["INCR", "c"]), err("ERR increment or decrement would overflow"));
    st.exec(&["SET", "c", "1.5"]);
    assert_eq!(st.exec(&["INCR", "c"]), Reply::Error(error::NOT_INTEGER));
    assert_eq!(st.exec(&["INCRBYFLOAT", "c", "0.1"]), bulk("1.6"));
    assert_eq!(st.exec(&["INCRBYFLOAT", "c", "abc"]), Reply::Error(error::NOT_FLOAT));
    assert_eq!(st.exec(&["INCRBYFLOAT", "c", "inf"]), err("ERR increment would produce NaN or Infinity"));
    st.exec(&["SET", "f", "10.5"]);
    assert_eq!(st.exec(&["INCRBYFLOAT", "f", "0.1"]), bulk("10.6"));
    st.exec(&["DEL", "f"]);
    assert_eq!(st.exec(&["INCRBYFLOAT", "f", "0.1"]), bulk("0.1"));
    assert_eq!(st.exec(&["INCRBYFLOAT", "f", "0.2"]), bulk("0.3"));
    assert_eq!(st.exec(&["INCRBYFLOAT", "f", "5.0e3"]), bulk("5000.29999999999999982"));
    assert_eq!(st.exec(&["INCRBYFLOAT", "h", "0x1p3"]), bulk("8"));
    assert_eq!(st.exec(&["INCRBYFLOAT", "t", "0.000003814697265625"]), bulk("0.00000381469726562"));
    assert_eq!(st.exec(&["INCRBYFLOAT", "z", "-0.0000000000000000001"]), bulk("0"));
    assert_eq!(
        st.exec(&["INCRBYFLOAT", "e", "1e30"]),
        bulk("1000000000000000000024696061952")
    );
}

#[test]
fn ranges_and_lcs() {
    let (mut st, _) = store();
    st.exec(&["SET", "s", "Hello World"]);
    assert_eq!(st.exec(&["GETRANGE", "s", "-5", "-1"]), bulk("World"));
    assert_eq!(st.exec(&["GETRANGE", "s", "-1", "-5"]), bulk(""));
    assert_eq!(st.exec(&["SUBSTR", "s", "0", "100"]), bulk("Hello World"));
    assert_eq!(st.exec(&["SETRANGE", "s", "6", "Redis"]), Reply::Int(11));
    assert_eq!(st.exec(&["GET", "s"]), bulk("Hello Redis"));
    assert_eq!(st.exec(&["SETRANGE", "p", "3", "x"]), Reply::Int(4));
    assert_eq!(st.exec(&["GET", "p"]), Reply::bulk(&b"\0\0\0x"[..]));
    assert_eq!(st.exec(&["SETRANGE", "p", "-1", "x"]), err("ERR offset is out of range"));
    st.exec(&["MSET", "a", "ohmytext", "b", "mynewtext"]);
    assert_eq!(st.exec(&["LCS", "a", "b"]), bulk("mytext"));
    assert_eq!(st.exec(&["LCS", "a", "b", "LEN"]), Reply::Int(6));
    let m = |a: i64, b: i64, c: i64, d: i64, len: Option<i64>| {
        let mut v = vec![
            Reply::Array(vec![Reply::Int(a), Reply::Int(b)]),
            Reply::Array(vec![Reply::Int(c), Reply::Int(d)]),
        ];
        v.extend(len.map(Reply::Int));
        Reply::Array(v)
    };
    assert_eq!(
        st.exec(&["LCS", "a", "b", "IDX", "MINMATCHLEN", "4", "WITHMATCHLEN"]),
        Reply::Array(vec![
            bulk("matches"),
            Reply::Array(vec![m(4, 7, 5, 8, Some(4))]),
            bulk("len"),
            Reply::Int(6)
        ])
    );
    assert_eq!(
        st.exec(&["LCS", "a", "b", "IDX"]),
        Reply::Array(vec![
            bulk("matches"),
            Reply::Array(vec![m(4, 7, 5, 8, None), m(2, 3, 0, 1, None)]),
            bulk("len"),
            Reply::Int(6)
        ])
    );
    assert_eq!(st.exec(&["LCS", "a", "b", "IDX", "LEN"]), Reply::Error(error::LCS_IDX_LEN));
}

#[test]
fn size_limits_and_oom() {
    let (mut st, _) = store();
    st.server.config.proto_max_bulk_len = 10;
    st.exec(&["SET", "k", "12345"]);
    assert_eq!(st.exec(&["APPEND", "k", "123456"]), Reply::Error(error::STRING_TOO_LONG));
    assert_eq!(st.exec(&["APPEND", "k", "12345"]), Reply::Int(10));
    assert_eq!(st.exec(&["SETRANGE", "k", "10", "x"]), Reply::Error(error::STRING_TOO_LONG));
    assert_eq!(st.exec(&["SETRANGE", "n", "10", "x"]), Reply::Error(error::STRING_TOO_LONG));
    assert_eq!(st.exec(&["SETRANGE", "n", "10", ""]), Reply::Int(0));
    st.server.config.proto_max_bulk_len = 20;
    assert_eq!(st.exec(&["LCS", "k", "k"]), Reply::Error(error::LCS_TOO_LONG));
    // A limit the machine cannot honour: the allocation fails cleanly.
    st.server.config.proto_max_bulk_len = i64::MAX;
    assert_eq!(st.exec(&["SETRANGE", "n", "4611686018427387904", "x"]), Reply::Error(error::OOM));
    assert_eq!(st.exec(&["SETRANGE", "k", "4611686018427387904", "x"]), Reply::Error(error::OOM));
    assert_eq!(st.exec(&["GET", "k"]), bulk("1234512345"));
    assert_eq!(st.exec(&["GET", "n"]), Reply::Nil);
}

#[test]
fn keyspace_events() {
    let (mut st, _) = store();
    st.server.config.notify_keyspace_events = notify::ALL | notify::KEYEVENT;
    let ev = |st: &mut Store, argv: &[&str]| -> Vec<&'static str> {
        st.exec(argv);
        st.server.take_events().into_iter().map(|e| e.event).collect()
    };
    assert_eq!(ev(&mut st, &["SET", "k", "1", "EX", "10"]), ["set", "expire"]);
    assert_eq!(ev(&mut st, &["INCR", "k"]), ["incrby"]);
    assert_eq!(ev(&mut st, &["INCRBYFLOAT", "k", "1"]), ["incrbyfloat"]);
    assert_eq!(ev(&mut st, &["APPEND", "k", "1"]), ["append"]);
    assert_eq!(ev(&mut st, &["SETRANGE", "k", "0", "1"]), ["setrange"]);
    assert_eq!(ev(&mut st, &["SETRANGE", "k", "0", ""]), Vec::<&str>::new());
    assert_eq!(ev(&mut st, &["GETEX", "k", "EX", "5"]), ["expire"]);
    assert_eq!(ev(&mut st, &["GETEX", "k", "PERSIST"]), ["persist"]);
    assert_eq!(ev(&mut st, &["GETEX", "k", "PERSIST"]), Vec::<&str>::new());
    assert_eq!(ev(&mut st, &["GETSET", "k", "2"]), ["set"]);
    assert_eq!(ev(&mut st, &["MSET", "a", "1", "b", "2"]), ["set", "set"]);
    assert_eq!(ev(&mut st, &["MSETNX", "a", "1", "c", "2"]), Vec::<&str>::new());
    assert_eq!(ev(&mut st, &["GETDEL", "k"]), ["del"]);
    assert_eq!(ev(&mut st, &["SET", "x", "1", "NX"]), ["set"]);
    assert_eq!(ev(&mut st, &["SET", "x", "1", "NX"]), Vec::<&str>::new());
    assert_eq!(ev(&mut st, &["GETEX", "x", "PXAT", "1"]), ["del"]);
    assert_eq!(ev(&mut st, &["INCR", "a"]), ["incrby"]);
    assert_eq!(ev(&mut st, &["INCR", "nosuch"]), ["incrby"]);
    assert_eq!(ev(&mut st, &["INCRBYFLOAT", "a", "x"]), Vec::<&str>::new());
}

#[test]
fn watch_sees_string_writes() {
    let clock = ManualClock::new(T0);
    let mut srv = Server::with_clock(Options::default(), Box::new(clock));
    let mut a = srv.new_client();
    let mut b = srv.new_client();
    let writes: &[&[&str]] = &[
        &["SET", "k", "v"],
        &["APPEND", "k", "x"],
        &["SETRANGE", "k", "0", "y"],
        &["INCR", "n"],
        &["INCRBYFLOAT", "n", "1.5"],
        &["GETEX", "k", "EX", "100"],
        &["GETEX", "k", "PERSIST"],
        &["GETDEL", "k"],
        &["MSET", "k", "1"],
        &["GETSET", "k", "2"],
    ];
    for w in writes {
        let key = w[1];
        srv.execute(&mut a, &[b"WATCH", key.as_bytes()]);
        if w[0] == "GETEX" && w[2] == "PERSIST" {
            // needs a TTL to change anything
            srv.execute(&mut a, &[&b"UNWATCH"[..]]);
            srv.execute(&mut b, &[&b"SET"[..], b"k", b"v", b"EX", b"100"]);
            srv.execute(&mut a, &[b"WATCH", key.as_bytes()]);
        }
        let argv: Vec<&[u8]> = w.iter().map(|s| s.as_bytes()).collect();
        srv.execute(&mut b, &argv);
        srv.execute(&mut a, &[&b"MULTI"[..]]);
        srv.execute(&mut a, &[&b"GET"[..], b"zz"]);
        assert_eq!(srv.execute(&mut a, &[&b"EXEC"[..]]), Reply::NilArray, "{w:?}");
    }
    // A write that changes nothing does not break the WATCH.
    srv.execute(&mut a, &[&b"WATCH"[..], b"k"]);
    srv.execute(&mut b, &[&b"SET"[..], b"k", b"v", b"NX"]);
    srv.execute(&mut b, &[&b"GETEX"[..], b"k"]);
    srv.execute(&mut a, &[&b"MULTI"[..]]);
    srv.execute(&mut a, &[&b"GET"[..], b"zz"]);
    assert_eq!(srv.execute(&mut a, &[&b"EXEC"[..]]), Reply::Array(vec![Reply::Nil]));
}
