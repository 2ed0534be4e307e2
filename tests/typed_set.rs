//! The typed SET of the JS package (`cmd::string::typed_set`, the wasm
//! binding's `Conn::set_typed`) against the generic path: two stores with the
//! same clock run the same random sequence, one sending its SETs (plain, EX,
//! PX, with odd TTLs) through `typed_set`, the other as ordinary commands.
//! Every reply, the counters of INFO stats, the keyspace events, WATCH, MULTI
//! queueing, eviction under maxmemory and the OOM error must come out the same.

use cinnabar::rng::Rng;
use cinnabar::cmd::string::typed_set;
use cinnabar::reply::Reply;
use cinnabar::{Client, ManualClock, Options, Server};

const T0: i64 = 1_700_000_000_000;

fn run<A: AsRef<[u8]>>(srv: &mut Server, c: &mut Client, argv: &[A]) -> Reply {
    let refs: Vec<&[u8]> = argv.iter().map(|a| a.as_ref()).collect();
    srv.execute(c, &refs)
}

struct Pair {
    typed: (Server, Client, Client),
    generic: (Server, Client, Client),
    clock: ManualClock,
}

impl Pair {
    fn new() -> Pair {
        let clock = ManualClock::new(T0);
        let mk = || {
            let mut s = Server::with_clock(Options::default(), Box::new(clock.clone()));
            let (a, b) = (s.new_client(), s.new_client());
            (s, a, b)
        };
        Pair { typed: mk(), generic: mk(), clock: clock.clone() }
    }

    /// A command on both stores (by client 0 or 1); the replies must match.
    fn both(&mut self, who: usize, argv: &[&[u8]]) -> Reply {
        let (s, a, b) = &mut self.typed;
        let r1 = s.execute(if who == 0 { a } else { b }, argv);
        let (s, a, b) = &mut self.generic;
        let r2 = s.execute(if who == 0 { a } else { b }, argv);
        assert_eq!(r1, r2, "{:?}", argv.iter().map(|x| String::from_utf8_lossy(x)).collect::<Vec<_>>());
        r1
    }

    /// SET through `typed_set` on one store and as a command on the other.
    fn set(&mut self, who: usize, key: &[u8], val: &[u8], ttl: Option<(bool, i64)>) -> Reply {
        let (s, a, b) = &mut self.typed;
        let r1 = typed_set(s, if who == 0 { a } else { b }, key, val, ttl);
        let mut argv: Vec<Vec<u8>> = vec![b"set".to_vec(), key.to_vec(), val.to_vec()];
        if let Some((ms, n)) = ttl {
            argv.push(if ms { b"PX".to_vec() } else { b"EX".to_vec() });
            argv.push(n.to_string().into_bytes());
        }
        let (s, a, b) = &mut self.generic;
        let r2 = run(s, if who == 0 { a } else { b }, &argv);
        assert_eq!(r1, r2, "SET {:?} {ttl:?}", String::from_utf8_lossy(key));
        let (e1, e2) = (self.typed.0.take_events(), self.generic.0.take_events());
        assert_eq!(format!("{e1:?}"), format!("{e2:?}"));
        r1
    }

    fn same_state(&mut self) {
        for f in ["total_commands_processed", "total_error_replies", "keyspace_hits", "keyspace_misses", "expired_keys", "evicted_keys"] {
            let field = |s: &mut Server, c: &mut Client| {
                let Reply::Bulk(b) = run(s, c, &["INFO", "stats"]) else { panic!("INFO") };
                let t = String::from_utf8(b).unwrap();
                t.lines().find(|l| l.starts_with(&format!("{f}:"))).unwrap_or("").to_string()
            };
            let (s, a, _) = &mut self.typed;
            let x = field(s, a);
            let (s, a, _) = &mut self.generic;
            assert_eq!(x, field(s, a));
        }
        self.both(0, &[b"dbsize"]);
        self.both(0, &[b"memory", b"usage", b"k1"]);
    }
}

#[test]
fn typed_set_answers_as_set() {
    let mut p = Pair::new();
    assert_eq!(p.set(0, b"k", b"v", None), Reply::OK);
    assert_eq!(p.both(0, &[b"get", b"k"]), Reply::Bulk(b"v".to_vec()));
    assert_eq!(p.set(0, b"k", b"12345", Some((true, 1500))), Reply::OK);
    assert_eq!(p.both(0, &[b"pttl", b"k"]), Reply::Int(1500));
    assert_eq!(p.both(0, &[b"object", b"encoding", b"k"]), Reply::Bulk(b"int".to_vec()));
    assert_eq!(p.set(0, b"k", b"v", Some((false, 2))), Reply::OK);
    assert_eq!(p.both(0, &[b"ttl", b"k"]), Reply::Int(2));
    for bad in [0, -1, i64::MIN, i64::MAX, i64::MAX / 1000 + 1] {
        for ms in [false, true] {
            let r = p.set(0, b"k", b"v", Some((ms, bad)));
            // (the generic path's reply is checked by `set`)
            assert!(r.is_error() || bad > 0, "{bad} {r:?}");
        }
    }
    // Empty key and value, a key too long for a compact slot, binary bytes.
    p.set(0, b"", b"", None);
    p.set(0, &[b'x'; 300], b"\x00\xff", Some((true, 10)));
    // MULTI queues it; EXEC runs it; WATCH sees it from the other client.
    p.both(1, &[b"watch", b"k"]);
    p.both(1, &[b"multi"]);
    assert_eq!(p.set(1, b"q", b"1", None), Reply::QUEUED);
    p.set(0, b"k", b"changed", None);
    assert_eq!(p.both(1, &[b"exec"]), Reply::NilArray);
    p.both(1, &[b"multi"]);
    p.set(1, b"q", b"1", Some((true, 100)));
    assert!(matches!(p.both(1, &[b"exec"]), Reply::Array(_)));
    p.same_state();
}

#[test]
fn typed_set_random_sequence() {
    let mut p = Pair::new();
    p.both(0, &[b"config", b"set", b"notify-keyspace-events", b"KEA"]);
    let mut g = Rng::new(0x9E37_79B9_7F4A_7C15);
    let mut rnd = move |n: u64| g.below(n as usize) as u64;
    for step in 0..6000 {
        let key = format!("k{}", rnd(50)).into_bytes();
        let val: Vec<u8> = match rnd(4) {
            0 => rnd(1000).to_string().into_bytes(),
            1 => vec![b'v'; rnd(150) as usize],
            2 => vec![0xff, 0, b'a'],
            _ => Vec::new(),
        };
        match rnd(20) {
            0..=6 => {
                p.set(0, &key, &val, None);
            }
            7..=10 => {
                let n = [1, 5, 100, 3000, 0, -3, 1 << 40][rnd(7) as usize];
                p.set((step % 2) as usize, &key, &val, Some((rnd(2) == 0, n)));
            }
            11 => p.clock.advance(rnd(4000) as i64),
            12 => {
                p.both(1, &[b"watch", &key]);
            }
            13 => {
                p.both(1, &[b"multi"]);
            }
            14 => {
                p.both(1, &[b"exec"]);
            }
            15 => {
                p.both(0, &[b"lpush", &key, b"x"]);
            }
            16 => {
                let max = [0u64, 20_000, 60_000][rnd(3) as usize].to_string().into_bytes();
                p.both(0, &[b"config", b"set", b"maxmemory", &max]);
                let pol: &[u8] = [&b"allkeys-lru"[..], b"noeviction", b"volatile-ttl"][rnd(3) as usize];
                p.both(0, &[b"config", b"set", b"maxmemory-policy", pol]);
            }
            17 => {
                p.both(0, &[b"get", &key]);
            }
            18 => {
                p.both(0, &[b"pttl", &key]);
            }
            _ => {
                p.both(0, &[b"object", b"encoding", &key]);
            }
        }
        if step % 500 == 0 {
            p.same_state();
        }
    }
    p.same_state();
}
