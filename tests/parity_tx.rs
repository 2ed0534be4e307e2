//! Transaction parity with redis-server across three connections: a seeded
//! random interleaving of MULTI / EXEC / DISCARD / WATCH / UNWATCH with reads
//! and writes (including queued-command errors, runtime errors inside EXEC,
//! nested MULTI, EXEC/DISCARD without MULTI, WATCH inside MULTI, writes from
//! other connections that break WATCH, SELECT, FLUSHDB and SWAPDB), each
//! command sent on the same connection number to both sides and the replies
//! compared exactly.

mod support;

use cinnabar::reply::Reply;
use cinnabar::{Client, Options, Server};
use support::{show, Gen, RedisServer, RespClient};

const CONNS: usize = 3;

fn command(g: &mut Gen) -> Vec<String> {
    let k = format!("k{}", g.below(4));
    let words: Vec<String> = match g.below(26) {
        0..=3 => vec!["MULTI".into()],
        4..=6 => vec!["EXEC".into()],
        7 => vec!["DISCARD".into()],
        8..=10 => {
            let mut v = vec!["WATCH".to_string(), k];
            if g.chance(30) {
                v.push(format!("k{}", g.below(4)));
            }
            v
        }
        11 => vec!["UNWATCH".into()],
        12..=14 => vec!["SET".into(), k, format!("v{}", g.below(9))],
        15 | 16 => vec!["INCR".into(), k],
        17 => vec!["GET".into(), k],
        18 => vec!["DEL".into(), k],
        19 => vec!["SELECT".into(), g.below(2).to_string()],
        20 => vec!["NOSUCHCMD".into(), k],
        21 => vec!["GET".into()],
        22 => vec!["LPUSHX_NOT_HERE".into()],
        23 => vec!["EXEC".into(), "extra".into()],
        24 => vec![g.pick(&["FLUSHDB", "SWAPDB"]).to_string()],
        _ => vec!["SET".into(), k, "x".into(), g.pick(&["PX", "EX", "NX", "XX", "KEEPTTL"]).to_string(), "100000".into()],
    };
    match words[0].as_str() {
        "SWAPDB" => vec!["SWAPDB".into(), "0".into(), "1".into()],
        _ => words,
    }
}

#[test]
fn transactions_across_connections_match_redis() {
    let Some(server) = RedisServer::start() else { return };
    let mut redis: Vec<RespClient> = (0..CONNS).map(|_| server.client()).collect();
    let mut srv = Server::new(Options::default());
    let mut ours: Vec<Client> = (0..CONNS).map(|_| srv.new_client()).collect();
    assert_eq!(redis[0].call(&["FLUSHALL"]), Reply::OK);

    let mut g = Gen::new(77);
    let mut bad = Vec::new();
    let total = 4000;
    for i in 0..total {
        let c = g.below(CONNS as u64) as usize;
        let argv = command(&mut g);
        let theirs = redis[c].call(&argv);
        let refs: Vec<&[u8]> = argv.iter().map(|a| a.as_bytes()).collect();
        let mine = srv.execute(&mut ours[c], &refs);
        if mine != theirs {
            let argv: Vec<Vec<u8>> = argv.iter().map(|a| a.clone().into_bytes()).collect();
            bad.push(format!("[tx #{i} conn {c}] {}\n    redis: {theirs:?}\n    ours:  {mine:?}", show(&argv)));
        }
    }
    eprintln!("parity tx: {total} commands over {CONNS} connections, {} mismatches", bad.len());
    assert!(bad.is_empty(), "{} differ:\n{}", bad.len(), bad.iter().take(20).cloned().collect::<Vec<_>>().join("\n"));
}
