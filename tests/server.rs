//! Server family: PING ECHO SELECT SWAPDB FLUSHDB FLUSHALL INFO TIME COMMAND
//! CONFIG, with whole-reply expectations; INFO parsed field by field; the
//! command table held against the COMMAND INFO recorded from redis-server 7.0.

use cinnabar::cmd::{self, all_commands, meta, CommandSpec, FLAG_NAMES};
use cinnabar::reply::Reply;
use cinnabar::{Client, ManualClock, Options, Server, Store};

const REGEN: &str = "regenerate with: python3 scripts/gen-command-meta.py (needs redis-server 7.0)";

fn run(srv: &mut Server, c: &mut Client, argv: &[&str]) -> Reply {
    let refs: Vec<&[u8]> = argv.iter().map(|a| a.as_bytes()).collect();
    srv.execute(c, &refs)
}

fn bulk(s: &str) -> Reply {
    Reply::bulk_str(s)
}

fn err(s: &str) -> Reply {
    Reply::Error(cinnabar::Error::owned(s.to_string()))
}

fn every_spec() -> Vec<&'static CommandSpec> {
    let mut v = Vec::new();
    for spec in all_commands() {
        v.push(*spec);
        v.extend(spec.subcommands.iter());
    }
    v
}

/// Prints our command names for scripts/gen-command-meta.py.
#[test]
#[ignore]
fn command_table_names() {
    for s in every_spec() {
        println!("CMDNAME {}", s.fullname);
    }
}

#[test]
fn every_command_has_recorded_metadata() {
    let missing: Vec<&str> = every_spec().iter().map(|s| s.fullname).filter(|n| !meta::has(n)).collect();
    assert!(missing.is_empty(), "no COMMAND INFO/DOCS recorded for {missing:?}; {REGEN}");
}

fn names(r: &Reply) -> Vec<String> {
    match r {
        Reply::Array(v) => v
            .iter()
            .filter_map(|x| match x {
                Reply::Status(s) => Some(s.to_string()),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    }
}

#[test]
fn table_agrees_with_recorded_command_info() {
    let known: Vec<&str> = FLAG_NAMES.iter().map(|f| f.1).collect();
    let mut bad = Vec::new();
    for spec in every_spec() {
        let Some((Reply::Array(info), docs)) = meta::recorded(spec.fullname) else { continue };
        let Reply::Array(docs) = docs else { continue };
        let group = docs.chunks(2).find(|p| p[0] == bulk("group")).and_then(|p| p.get(1).cloned());
        if group != Some(bulk(spec.group)) {
            bad.push(format!("{}: group {:?} vs redis {group:?}", spec.fullname, spec.group));
        }
        let int = |i: usize| match info.get(i) {
            Some(Reply::Int(n)) => *n,
            _ => i64::MIN,
        };
        if int(1) != spec.arity as i64 {
            bad.push(format!("{}: arity {} vs redis {}", spec.fullname, spec.arity, int(1)));
        }
        let k = spec.keys;
        if (int(3), int(4), int(5)) != (k.first as i64, k.last as i64, k.step as i64) {
            bad.push(format!(
                "{}: keys {:?} vs redis ({}, {}, {})",
                spec.fullname, k, int(3), int(4), int(5)
            ));
        }
        let mut theirs: Vec<String> =
            names(&info[2]).into_iter().filter(|n| known.contains(&n.as_str())).collect();
        let mut ours: Vec<String> = FLAG_NAMES
            .iter()
            .filter(|(f, n)| spec.flags & f != 0 && !matches!(*n, "may_replicate" | "sentinel"))
            .map(|(_, n)| n.to_string())
            .collect();
        theirs.sort();
        ours.sort();
        if theirs != ours {
            bad.push(format!("{}: flags {ours:?} vs redis {theirs:?}", spec.fullname));
        }
    }
    assert!(bad.is_empty(), "command table differs from redis-server 7.0 ({REGEN} if redis is right):\n{}", bad.join("\n"));
}

#[test]
fn command_count_and_list_follow_our_table() {
    let mut s = Store::new();
    assert_eq!(s.exec(&["COMMAND", "COUNT"]), Reply::Int(all_commands().len() as i64));
    let Reply::Array(list) = s.exec(&["COMMAND", "LIST"]) else { panic!() };
    assert_eq!(list.len(), every_spec().len());
    assert!(list.contains(&bulk("config|get")));
    let Reply::Array(all) = s.exec(&["COMMAND"]) else { panic!() };
    assert_eq!(all.len(), all_commands().len());
    assert_eq!(
        s.exec(&["COMMAND", "LIST", "FILTERBY", "PATTERN", "CONFIG|[gs]ET"]),
        Reply::Array(vec![bulk("config|get"), bulk("config|set")])
    );
    assert_eq!(s.exec(&["COMMAND", "LIST", "FILTERBY", "MODULE", "x"]), Reply::empty_array());
    let Reply::Array(conn) = s.exec(&["COMMAND", "LIST", "FILTERBY", "ACLCAT", "Connection"]) else { panic!() };
    assert!(conn.contains(&bulk("ping")) && conn.contains(&bulk("echo")) && !conn.contains(&bulk("flushdb")));
    assert_eq!(s.exec(&["COMMAND", "LIST", "FILTERBY", "ACLCAT"]), err("ERR syntax error"));
    assert_eq!(s.exec(&["COMMAND", "INFO", "nope", "config|nope", ""]), Reply::Array(vec![Reply::Nil; 3]));
    // A container lists exactly our subcommands.
    let Reply::Array(cfg) = s.exec(&["COMMAND", "INFO", "config"]) else { panic!() };
    let Reply::Array(entry) = &cfg[0] else { panic!() };
    let Reply::Array(subs) = &entry[9] else { panic!() };
    assert_eq!(subs.len(), cmd::lookup(b"config").unwrap().subcommands.len());
}

#[test]
fn command_getkeys() {
    let mut s = Store::new();
    assert_eq!(s.exec(&["COMMAND", "GETKEYS", "get", "k"]), Reply::Array(vec![bulk("k")]));
    assert_eq!(s.exec(&["COMMAND", "GETKEYS", "del", "a", "b"]), Reply::Array(vec![bulk("a"), bulk("b")]));
    assert_eq!(s.exec(&["COMMAND", "GETKEYS", "nope", "k"]), err("ERR Invalid command specified"));
    assert_eq!(s.exec(&["COMMAND", "GETKEYS", "ping", "k"]), err("ERR The command has no key arguments"));
    assert_eq!(
        s.exec(&["COMMAND", "GETKEYS", "get", "k", "x"]),
        err("ERR Invalid number of arguments specified for command")
    );
}

/// INFO's text as (section title, [(field, value)]).
fn parse_info(r: &Reply) -> Vec<(String, Vec<(String, String)>)> {
    let Reply::Bulk(b) = r else { panic!("INFO is not a bulk: {r:?}") };
    let text = String::from_utf8(b.clone()).unwrap();
    assert!(text.is_empty() || text.ends_with("\r\n"), "INFO ends with CRLF");
    assert!(!text.replace("\r\n", "").contains('\n'), "INFO uses CRLF line ends");
    let mut out: Vec<(String, Vec<(String, String)>)> = Vec::new();
    for line in text.split("\r\n") {
        if let Some(t) = line.strip_prefix("# ") {
            out.push((t.to_string(), Vec::new()));
        } else if let Some((k, v)) = line.split_once(':') {
            out.last_mut().expect("field before a section header").1.push((k.into(), v.into()));
        }
    }
    out
}

fn field<'a>(info: &'a [(String, Vec<(String, String)>)], name: &str) -> Option<&'a str> {
    info.iter().flat_map(|s| s.1.iter()).find(|(k, _)| k == name).map(|(_, v)| v.as_str())
}

#[test]
fn info_sections_and_fields() {
    let clock = ManualClock::new(1_700_000_000_000);
    let mut srv = Server::with_clock(Options::default(), Box::new(clock.clone()));
    let mut c = srv.new_client();
    let titles = |r: &Reply| parse_info(r).into_iter().map(|s| s.0).collect::<Vec<_>>();
    let default = run(&mut srv, &mut c, &["INFO"]);
    assert_eq!(
        titles(&default),
        ["Server", "Clients", "Memory", "Persistence", "Stats", "Replication", "Cluster", "Keyspace"]
    );
    assert_eq!(titles(&run(&mut srv, &mut c, &["INFO", "all"])), titles(&default));
    assert_eq!(titles(&run(&mut srv, &mut c, &["INFO", "everything"])), titles(&default));
    assert_eq!(titles(&run(&mut srv, &mut c, &["INFO", "default"])), titles(&default));
    assert_eq!(titles(&run(&mut srv, &mut c, &["INFO", "KEYSPACE", "server"])), ["Server", "Keyspace"]);
    assert_eq!(titles(&run(&mut srv, &mut c, &["INFO", "memory", "memory"])), ["Memory"]);
    assert_eq!(run(&mut srv, &mut c, &["INFO", "nosuch"]), bulk(""));
    // Sections are separated by one empty line, as Redis's.
    let Reply::Bulk(b) = run(&mut srv, &mut c, &["INFO", "server", "clients"]) else { panic!() };
    assert!(String::from_utf8(b).unwrap().contains("io_threads_active:0\r\n\r\n# Clients\r\n"));

    let i = parse_info(&default);
    assert_eq!(field(&i, "redis_version"), Some("7.0.15"));
    assert_eq!(field(&i, "cinnabar_version"), Some(env!("CARGO_PKG_VERSION")));
    assert_eq!(field(&i, "redis_mode"), Some("standalone"));
    assert_eq!(field(&i, "hz"), Some("10"));
    assert_eq!(field(&i, "connected_clients"), Some("1"));
    assert_eq!(field(&i, "maxmemory"), Some("0"));
    assert_eq!(field(&i, "maxmemory_human"), Some("0B"));
    assert_eq!(field(&i, "maxmemory_policy"), Some("noeviction"));
    assert_eq!(field(&i, "loading"), Some("0"));
    assert_eq!(field(&i, "role"), Some("master"));
    assert_eq!(field(&i, "server_time_usec"), Some("1700000000000000"));
    for f in ["used_memory", "used_memory_human", "used_memory_peak", "used_memory_peak_human", "keyspace_hits",
        "keyspace_misses", "expired_keys", "evicted_keys", "total_commands_processed", "uptime_in_seconds"]
    {
        assert!(field(&i, f).is_some(), "INFO has no {f}");
    }

    run(&mut srv, &mut c, &["CONFIG", "SET", "maxmemory", "64mb", "maxmemory-policy", "allkeys-lru", "hz", "1000"]);
    run(&mut srv, &mut c, &["SET", "a", "1"]);
    run(&mut srv, &mut c, &["GET", "a"]);
    run(&mut srv, &mut c, &["GET", "b"]);
    run(&mut srv, &mut c, &["SELECT", "3"]);
    run(&mut srv, &mut c, &["SET", "x", "1"]);
    run(&mut srv, &mut c, &["SET", "y", "1"]);
    clock.advance(5_000);
    let i = parse_info(&run(&mut srv, &mut c, &["INFO"]));
    assert_eq!(field(&i, "maxmemory"), Some("67108864"));
    assert_eq!(field(&i, "maxmemory_human"), Some("64.00M"));
    assert_eq!(field(&i, "maxmemory_policy"), Some("allkeys-lru"));
    assert_eq!(field(&i, "hz"), Some("500"));
    assert_eq!(field(&i, "configured_hz"), Some("500"));
    assert_eq!(field(&i, "keyspace_hits"), Some("1"));
    assert_eq!(field(&i, "keyspace_misses"), Some("1"));
    assert_eq!(field(&i, "uptime_in_seconds"), Some("5"));
    let ks = &i.iter().find(|s| s.0 == "Keyspace").unwrap().1;
    assert_eq!(
        ks,
        &vec![
            ("db0".to_string(), "keys=1,expires=0,avg_ttl=0".to_string()),
            ("db3".to_string(), "keys=2,expires=0,avg_ttl=0".to_string())
        ]
    );
    let used: u64 = field(&i, "used_memory").unwrap().parse().unwrap();
    let peak: u64 = field(&i, "used_memory_peak").unwrap().parse().unwrap();
    assert!(used > 0 && peak >= used);

    assert_eq!(run(&mut srv, &mut c, &["CONFIG", "RESETSTAT"]), Reply::OK);
    let i = parse_info(&run(&mut srv, &mut c, &["INFO", "stats"]));
    assert_eq!(field(&i, "keyspace_hits"), Some("0"));
}

#[test]
fn bytes_to_human_as_redis() {
    use cinnabar::cmd::server::bytes_to_human as h;
    assert_eq!(h(0), "0B");
    assert_eq!(h(1023), "1023B");
    assert_eq!(h(1024), "1.00K");
    assert_eq!(h(64 << 20), "64.00M");
    assert_eq!(h(1 << 30), "1.00G");
    assert_eq!(h(u64::MAX), "18446744073709551615B");
}

#[test]
fn time_from_the_clock() {
    let clock = ManualClock::new(1_700_000_123_456);
    let mut srv = Server::with_clock(Options::default(), Box::new(clock));
    let mut c = srv.new_client();
    assert_eq!(run(&mut srv, &mut c, &["TIME"]), Reply::Array(vec![bulk("1700000123"), bulk("456000")]));
}

#[test]
fn swapdb_and_flush_with_watch() {
    let mut srv = Server::with_clock(Options::default(), Box::new(ManualClock::new(1_000_000)));
    let mut a = srv.new_client();
    let mut b = srv.new_client();
    run(&mut srv, &mut a, &["SET", "k", "0"]);
    run(&mut srv, &mut b, &["SELECT", "1"]);
    run(&mut srv, &mut b, &["SET", "k", "1"]);
    assert_eq!(run(&mut srv, &mut a, &["SWAPDB", "0", "1"]), Reply::OK);
    assert_eq!(run(&mut srv, &mut a, &["GET", "k"]), bulk("1"));
    assert_eq!(run(&mut srv, &mut b, &["GET", "k"]), bulk("0"));

    // SWAPDB breaks a WATCH on a key whose value changes under the client.
    run(&mut srv, &mut a, &["WATCH", "k"]);
    run(&mut srv, &mut b, &["SWAPDB", "1", "0"]);
    run(&mut srv, &mut a, &["MULTI"]);
    run(&mut srv, &mut a, &["GET", "k"]);
    assert_eq!(run(&mut srv, &mut a, &["EXEC"]), Reply::NilArray);

    // FLUSHDB breaks it; FLUSHDB of another database does not.
    run(&mut srv, &mut a, &["WATCH", "k"]);
    run(&mut srv, &mut b, &["FLUSHDB"]);
    run(&mut srv, &mut a, &["MULTI"]);
    run(&mut srv, &mut a, &["GET", "k"]);
    assert_eq!(run(&mut srv, &mut a, &["EXEC"]), Reply::Array(vec![bulk("0")]));
    run(&mut srv, &mut a, &["WATCH", "k"]);
    run(&mut srv, &mut b, &["FLUSHALL", "ASYNC"]);
    run(&mut srv, &mut a, &["MULTI"]);
    run(&mut srv, &mut a, &["GET", "k"]);
    assert_eq!(run(&mut srv, &mut a, &["EXEC"]), Reply::NilArray);
    assert_eq!(srv.total_keys(), 0);
    assert_eq!(run(&mut srv, &mut a, &["FLUSHALL", "LAZY"]), err("ERR syntax error"));
    assert_eq!(run(&mut srv, &mut a, &["SWAPDB", "0", "16"]), err("ERR DB index is out of range"));
    assert_eq!(run(&mut srv, &mut a, &["SWAPDB", "x", "1"]), err("ERR invalid first DB index"));
    assert_eq!(run(&mut srv, &mut a, &["SWAPDB", "0", "4294967296"]), err("ERR invalid second DB index"));
}

#[test]
fn config_set_is_atomic() {
    let mut s = Store::new();
    assert_eq!(
        s.exec(&["CONFIG", "SET", "hz", "20", "maxmemory", "1.5gb"]),
        err("ERR CONFIG SET failed (possibly related to argument 'maxmemory') - argument must be a memory value")
    );
    assert_eq!(s.exec(&["CONFIG", "GET", "hz"]), Reply::Array(vec![bulk("hz"), bulk("10")]));
    assert_eq!(s.exec(&["CONFIG", "SET", "hz", "20", "maxmemory", "1GB", "lfu-log-factor", "3"]), Reply::OK);
    assert_eq!(
        s.exec(&["CONFIG", "GET", "HZ", "maxmem*ry", "lfu-log-factor"]),
        Reply::Array(vec![bulk("HZ"), bulk("20"), bulk("maxmemory"), bulk("1073741824"), bulk("lfu-log-factor"), bulk("3")])
    );
    assert_eq!(s.server.config.hz, 20);
    assert_eq!(s.server.config.maxmemory, 1 << 30);
    assert_eq!(
        s.exec(&["CONFIG", "SET", "nope", "1", "databases", "2"]),
        err("ERR Unknown option or number of arguments for CONFIG SET - 'nope'")
    );
    assert_eq!(
        s.exec(&["CONFIG", "SET", "Databases", "2", "nope", "1"]),
        err("ERR CONFIG SET failed (possibly related to argument 'Databases') - can't set immutable config")
    );
    assert_eq!(
        s.exec(&["CONFIG", "SET", "hz", "x"]),
        err("ERR CONFIG SET failed (possibly related to argument 'hz') - argument couldn't be parsed into an integer")
    );
}
