//! The wasm binding: the only `#[wasm_bindgen]` code in the crate.
//!
//! Two exported classes:
//! - [`Store`] owns the shared [`Server`] (`Rc<RefCell<..>>`): databases, config,
//!   WATCH registry, clock. It runs active expiry for the JS timer and lists the
//!   command table once at load.
//! - [`Conn`] is one connection (`db.duplicate()` makes another on the same
//!   store, so a write on one breaks the other's WATCH, as in Redis).
//!
//! ## One crossing per command or batch, no per-call allocation
//! Requests and replies travel through two buffers in wasm memory that live for
//! the whole instance. JS reads their addresses from a fixed header
//! ([`io_header`]: five little-endian `u32`s: input pointer, input capacity,
//! output pointer, output length, queued pub/sub records), writes the request straight into the input
//! buffer (growing it with [`reserve`] only when a request does not fit), calls
//! [`Conn::call`] or [`Conn::batch`] with the request length, and decodes the
//! reply from the output buffer. Buffers larger than [`KEEP`] are released
//! after use so one huge value does not pin memory.
//!
//! ```text
//! command:  u32 argc, then argc × (u32 len, len bytes)       (little-endian)
//! batch:    u32 count, then count × command
//! reply:    Reply::write_compact, one per command, concatenated
//! ```
//! A malformed request (never produced by the package's encoder) answers an
//! error reply for that command instead of panicking.

use crate::clock::Clock;
use crate::cmd;
use crate::error;
use crate::pubsub::Bytes;
use crate::reply::Reply;
use crate::blocking::Outcome;
use crate::server::{Client, Options, Server};
use std::cell::RefCell;
use std::rc::Rc;
use std::sync::atomic::{AtomicU32, Ordering::Relaxed};
use wasm_bindgen::prelude::*;

mod alloc; // the global allocator: dlmalloc growing the memory geometrically
mod snapshot; // ---- snapshot: snapshot/restore/dump methods of Store ----

/// Buffers above this capacity are dropped after the call that needed them.
const KEEP: usize = 1 << 20;
/// Initial input capacity.
const START: usize = 16 << 10;
/// What the typed calls return for the reply `+OK` (written nowhere).
const REPLY_OK: u32 = u32::MAX;
/// What the typed SET returns, having done nothing, when it was called without
/// the time (`now` NaN) and needs it: JS calls again with `Date.now()`.
const NEED_TIME: u32 = u32::MAX - 1;
/// Arguments kept on the stack before falling back to a heap vector.
const STACK_ARGS: usize = 16;

/// Time from the JS host: the `now` JS passed with the current call (saves an
/// import call per command), else `Date.now()`.
struct JsClock;

thread_local! {
    /// Unix ms given by JS for the call under way; NaN outside one.
    static CALL_NOW: std::cell::Cell<f64> = const { std::cell::Cell::new(f64::NAN) };
}

thread_local! {
    /// The latest exact time the store read (a call's `now`, or `Date.now()`
    /// from the active-expiry timer's pass): the cached clock of the typed SET
    /// (see `Conn::set_typed`), as Redis's cron-updated LRU clock.
    static LAST_NOW: std::cell::Cell<f64> = const { std::cell::Cell::new(f64::NAN) };
}

impl Clock for JsClock {
    fn now_ms(&self) -> i64 {
        let mut t = CALL_NOW.with(|c| c.get());
        if !(t.is_finite() && t > 0.0) {
            t = js_sys::Date::now();
        }
        LAST_NOW.with(|c| c.set(t));
        t as i64
    }
}

/// Runs `f` with the clock reading `now` (when JS gave a usable one).
fn at_time<T>(now: f64, f: impl FnOnce() -> T) -> T {
    CALL_NOW.with(|c| c.set(now));
    let r = f();
    CALL_NOW.with(|c| c.set(f64::NAN));
    r
}

// ------------------------------------------------------------------ io buffers

/// input ptr, input capacity, output ptr, output length, queued pub/sub
/// records (the fifth word tells JS to call `Store.drain`), and blocked calls
/// answered and not yet taken (the sixth: JS calls `Store.takeServed`).
static HDR: [AtomicU32; 6] = [
    AtomicU32::new(0),
    AtomicU32::new(0),
    AtomicU32::new(0),
    AtomicU32::new(0),
    AtomicU32::new(0),
    AtomicU32::new(0),
];

/// Publishes the pub/sub queue length and the answered-waits count in the header.
fn note_pending(srv: &Server) {
    // Geofence events count as pending records too: `Store.takeFenceEvents`.
    let n = srv.pubsub.pending().saturating_add(srv.fences.pending());
    HDR[4].store(n.min(u32::MAX as usize) as u32, Relaxed);
    HDR[5].store(srv.blocking.served_len().min(u32::MAX as usize) as u32, Relaxed);
}

struct Io {
    /// Always `len == capacity`: JS writes anywhere inside it.
    input: Vec<u8>,
    out: Vec<u8>,
}

thread_local! {
    static IO: RefCell<Io> = const { RefCell::new(Io { input: Vec::new(), out: Vec::new() }) };
}

fn publish_input(input: &[u8]) {
    HDR[0].store(input.as_ptr() as usize as u32, Relaxed);
    HDR[1].store(input.len() as u32, Relaxed);
}

/// Address of the five-word io header (see the module doc).
#[wasm_bindgen(js_name = ioHeader)]
pub fn io_header() -> u32 {
    IO.with(|io| {
        if let Ok(mut io) = io.try_borrow_mut() {
            if io.input.is_empty() {
                io.input = vec![0; START];
                publish_input(&io.input);
            }
        }
    });
    HDR.as_ptr() as usize as u32
}

/// Grows the input buffer to at least `n` bytes; false when memory is exhausted.
#[wasm_bindgen]
pub fn reserve(n: u32) -> bool {
    let n = n as usize;
    IO.with(|io| {
        let Ok(mut io) = io.try_borrow_mut() else { return false };
        if io.input.len() >= n {
            return true;
        }
        let mut v = Vec::new();
        if v.try_reserve_exact(n).is_err() {
            return false;
        }
        v.resize(n, 0);
        io.input = v;
        publish_input(&io.input);
        true
    })
}

/// Runs `f` with the request bytes and a cleared output buffer, then publishes
/// the output and trims oversized buffers. Returns the output length.
fn with_io(len: u32, f: impl FnOnce(&[u8], &mut Vec<u8>)) -> u32 {
    IO.with(|io| {
        let Ok(mut guard) = io.try_borrow_mut() else { return 0 };
        let io = &mut *guard;
        io.out.clear();
        let req = io.input.get(..len as usize).unwrap_or(&[]);
        f(req, &mut io.out);
        HDR[2].store(io.out.as_ptr() as usize as u32, Relaxed);
        HDR[3].store(io.out.len() as u32, Relaxed);
        io.out.len() as u32
    })
}

/// Called by JS after it has decoded a reply: drops buffers a huge request or
/// reply grew beyond [`KEEP`].
#[wasm_bindgen]
pub fn trim() {
    IO.with(|io| {
        let Ok(mut io) = io.try_borrow_mut() else { return };
        if io.out.capacity() > KEEP {
            io.out = Vec::new();
        }
        if io.input.len() > KEEP {
            io.input = vec![0; START];
            publish_input(&io.input);
        }
    })
}

// ------------------------------------------------------------ request decoding

struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn u32(&mut self) -> Option<usize> {
        let end = self.pos.checked_add(4)?;
        let b = self.buf.get(self.pos..end)?;
        self.pos = end;
        Some(u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize)
    }
    fn bytes(&mut self) -> Option<&'a [u8]> {
        let n = self.u32()?;
        let end = self.pos.checked_add(n)?;
        let b = self.buf.get(self.pos..end)?;
        self.pos = end;
        Some(b)
    }
}

/// Reads one command from `r` and runs it; writes its compact reply to `out`.
/// Returns false when the request is malformed (an error reply is written).
fn run_one(srv: &mut Server, client: &mut Client, r: &mut Reader, out: &mut Vec<u8>) -> bool {
    run_one_with(srv, client, r, out, |srv, client, argv, out| {
        // MGET and the geo searches may write their reply themselves (no copy
        // per value): lend them the buffer.
        let direct = argv.first().is_some_and(|n| {
            [&b"mget"[..], b"geosearch", b"georadius_ro", b"georadiusbymember_ro", b"georadius", b"georadiusbymember"]
                .iter()
                .any(|c| n.eq_ignore_ascii_case(c))
        });
        if direct {
            srv.direct = Some(std::mem::take(out));
        }
        let reply = srv.execute(client, argv);
        if direct {
            if let Some(buf) = srv.direct.take() {
                *out = buf;
            }
            if std::mem::take(&mut srv.direct_written) {
                return;
            }
        }
        reply.write_compact(out)
    })
}

/// `run_one` with the way the decoded command runs.
fn run_one_with(
    srv: &mut Server,
    client: &mut Client,
    r: &mut Reader,
    out: &mut Vec<u8>,
    run: impl FnOnce(&mut Server, &mut Client, &[&[u8]], &mut Vec<u8>),
) -> bool {
    let Some(argc) = r.u32() else {
        Reply::Error(error::BAD_REQUEST).write_compact(out);
        return false;
    };
    let mut stack: [&[u8]; STACK_ARGS] = [&[]; STACK_ARGS];
    let mut heap: Vec<&[u8]> = Vec::new();
    if argc > STACK_ARGS {
        // Each argument takes at least 4 request bytes: bounds the allocation.
        if argc > r.buf.len() / 4 || heap.try_reserve_exact(argc).is_err() {
            Reply::Error(error::BAD_REQUEST).write_compact(out);
            return false;
        }
    }
    for i in 0..argc {
        let Some(b) = r.bytes() else {
            Reply::Error(error::BAD_REQUEST).write_compact(out);
            return false;
        };
        if argc > STACK_ARGS {
            heap.push(b);
        } else if let Some(slot) = stack.get_mut(i) {
            *slot = b;
        }
    }
    let argv: &[&[u8]] = if argc > STACK_ARGS { &heap } else { stack.get(..argc).unwrap_or(&[]) };
    run(srv, client, argv, out);
    true
}

// ---------------------------------------------------------------------- Store

/// The shared data of one `new Cinnabar()` and all its duplicates.
#[wasm_bindgen]
pub struct Store {
    srv: Rc<RefCell<Server>>,
}

#[wasm_bindgen]
impl Store {
    /// A new, empty store. `seed` (optional) seeds the store's RNG (RANDOMKEY, eviction).
    #[wasm_bindgen(constructor)]
    pub fn new(databases: u32, hz: u32, seed: Option<f64>) -> Store {
        let mut opts = Options { databases: databases.max(1) as usize, ..Options::default() };
        if let Some(s) = seed {
            if s.is_finite() && s >= 0.0 {
                opts.seed = s as u64;
            }
        }
        let mut srv = Server::with_clock(opts, Box::new(JsClock));
        srv.config.hz = hz.clamp(1, 500);
        srv.config.configured_hz = hz as i64;
        Store { srv: Rc::new(RefCell::new(srv)) }
    }

    /// A new connection (client) on this store.
    pub fn connect(&self) -> Result<Conn, JsError> {
        // The borrow only fails on re-entrancy, which JS cannot cause.
        let client = self.srv.try_borrow_mut().map_err(|_| JsError::new("store busy"))?.new_client();
        Ok(Conn { srv: self.srv.clone(), client })
    }

    /// One active expiry pass when due (`Server::maybe_active_expire`); the
    /// number of keys it deleted.
    #[wasm_bindgen(js_name = activeExpire)]
    pub fn active_expire(&self) -> u32 {
        self.srv.try_borrow_mut().map_or(0, |mut s| {
            let n = s.maybe_active_expire() as u32;
            note_pending(&s);
            n
        })
    }

    // ---- pubsub ----

    /// Writes every queued pub/sub record to the output buffer and returns its
    /// length: `u32 count`, then per record `u8 tag` (`m` `p` `s` deliveries,
    /// `P` `S` `K` outbound for the bridge), `u32 client id`, for `p` the
    /// pattern, then channel and message, each as `u32 len, bytes`, or as
    /// `u32::MAX` alone when it is the previous record's same field.
    pub fn drain(&self) -> u32 {
        let Ok(mut srv) = self.srv.try_borrow_mut() else { return 0 };
        let recs = srv.pubsub.drain();
        note_pending(&srv);
        with_io(0, |_, out| {
            out.extend_from_slice(&(recs.len() as u32).to_le_bytes());
            // A field shared with the previous record (one publish fanned out to
            // several subscribers) is written as the length u32::MAX only.
            let put = |out: &mut Vec<u8>, b: &Bytes, prev: Option<&Bytes>| {
                if prev.is_some_and(|p| Rc::ptr_eq(p, b)) {
                    out.extend_from_slice(&u32::MAX.to_le_bytes());
                } else {
                    out.extend_from_slice(&(b.len() as u32).to_le_bytes());
                    out.extend_from_slice(b);
                }
            };
            let mut prev: Option<&crate::pubsub::Push> = None;
            for r in &recs {
                out.push(r.kind.tag());
                out.extend_from_slice(&(r.client.min(u32::MAX as u64) as u32).to_le_bytes());
                if let Some(p) = &r.pattern {
                    put(out, p, prev.and_then(|x| x.pattern.as_ref()));
                }
                put(out, &r.channel, prev.map(|x| &x.channel));
                put(out, &r.message, prev.map(|x| &x.message));
                prev = Some(r);
            }
        })
    }

    /// Writes the blocked calls answered since the last take to the output
    /// buffer: `u32 count`, then per call `u32 id` and its compact reply.
    /// Returns the output length.
    #[wasm_bindgen(js_name = takeServed)]
    pub fn take_served(&self) -> u32 {
        let Ok(mut srv) = self.srv.try_borrow_mut() else { return 0 };
        let served = srv.take_served();
        note_pending(&srv);
        with_io(0, |_, out| {
            out.extend_from_slice(&(served.len() as u32).to_le_bytes());
            for (id, r) in &served {
                out.extend_from_slice(&(*id as u32).to_le_bytes());
                r.write_compact(out);
            }
        })
    }

    /// A message from another member of the bridge: the request in the input
    /// buffer is `[_, channel, message]`; delivers to local subscribers only
    /// (never back to the bridge). Returns the local receivers.
    pub fn remote(&self, len: u32, shard: bool) -> u32 {
        let Ok(mut srv) = self.srv.try_borrow_mut() else { return 0 };
        let n = IO.with(|io| {
            let Ok(io) = io.try_borrow() else { return 0 };
            let mut r = Reader { buf: io.input.get(..len as usize).unwrap_or(&[]), pos: 0 };
            let (Some(3), Some(_), Some(ch), Some(msg)) = (r.u32(), r.bytes(), r.bytes(), r.bytes()) else { return 0 };
            srv.pubsub.publish(ch, msg, shard, None).max(0) as u32
        });
        note_pending(&srv);
        n
    }

    /// Turns the bridge outbox on or off (PUBLISH/SPUBLISH, and keyspace events).
    #[wasm_bindgen(js_name = setBridge)]
    pub fn set_bridge(&self, publish: bool, keyspace: bool) {
        if let Ok(mut srv) = self.srv.try_borrow_mut() {
            srv.pubsub.outbox = crate::pubsub::Outbox { publish, keyspace };
        }
    }
    // ---- end pubsub ----

    // ---- geo: geofences (src/geofence.rs) ----

    /// Starts a fence over `key` of database `db`: `kind` 0 a polygon
    /// (`coords` = lon, lat, lon, lat, ...), 1 a circle (lon, lat, radius in
    /// meters). Events go to `takeFenceEvents` and, with `channel`, are
    /// published there. Returns the fence id; an invalid fence throws the
    /// Redis-style error text.
    #[wasm_bindgen(js_name = geofenceAdd)]
    pub fn geofence_add(&self, db: u32, key: &[u8], kind: u32, coords: &[f64], channel: Option<Vec<u8>>) -> Result<u32, JsError> {
        let mut srv = self.srv.try_borrow_mut().map_err(|_| JsError::new("store busy"))?;
        let shape = match (kind, coords) {
            (0, c) => crate::geofence::FenceShape::polygon(c.chunks_exact(2).filter_map(|p| match p { &[lon, lat] => Some((lon, lat)), _ => None }).collect()),
            (1, &[lon, lat, r]) => crate::geofence::FenceShape::circle(lon, lat, r),
            _ => return Err(JsError::new("bad fence")),
        };
        let shape = shape.map_err(|e| JsError::new(e.text()))?;
        srv.geofence_add(db as usize, key, shape, channel.as_deref()).map_err(|e| JsError::new(e.text()))
    }

    /// Stops a fence.
    #[wasm_bindgen(js_name = geofenceRemove)]
    pub fn geofence_remove(&self, id: u32) -> bool {
        self.srv.try_borrow_mut().is_ok_and(|mut s| s.geofence_remove(id))
    }

    /// Writes the queued geofence events to the output buffer: `u32 count`,
    /// then per event `u32 fence id`, `u8 kind` (0 enter, 1 inside, 2 exit),
    /// `f64 lon`, `f64 lat` (little-endian), `u32 len` and the member bytes.
    /// Returns the output length.
    #[wasm_bindgen(js_name = takeFenceEvents)]
    pub fn take_fence_events(&self) -> u32 {
        let Ok(mut srv) = self.srv.try_borrow_mut() else { return 0 };
        let evs = srv.fences.take_events();
        note_pending(&srv);
        with_io(0, |_, out| {
            out.extend_from_slice(&(evs.len() as u32).to_le_bytes());
            for e in &evs {
                out.extend_from_slice(&e.fence.to_le_bytes());
                out.push(e.kind as u8);
                out.extend_from_slice(&e.lon.to_le_bytes());
                out.extend_from_slice(&e.lat.to_le_bytes());
                out.extend_from_slice(&(e.member.len() as u32).to_le_bytes());
                out.extend_from_slice(&e.member);
            }
        })
    }
    // ---- end geo ----
    /// Times out blocked calls whose deadline has passed (their replies are
    /// then taken with `takeServed`); the number timed out.
    #[wasm_bindgen(js_name = expireWaits)]
    pub fn expire_waits(&self) -> u32 {
        let Ok(mut srv) = self.srv.try_borrow_mut() else { return 0 };
        let n = srv.expire_waits() as u32;
        note_pending(&srv);
        n
    }

    /// The earliest deadline (Unix ms) of a blocked call, or -1.
    #[wasm_bindgen(js_name = nextWaitDeadline)]
    pub fn next_wait_deadline(&self) -> f64 {
        self.srv.try_borrow().ok().and_then(|s| s.next_wait_deadline()).map_or(-1.0, |d| d as f64)
    }

    /// Cancels a blocked call (no reply will come); false when it already ended.
    #[wasm_bindgen(js_name = cancelWait)]
    pub fn cancel_wait(&self, id: f64) -> bool {
        self.srv.try_borrow_mut().is_ok_and(|mut s| s.cancel_wait(id as u64))
    }

    /// The configured active expiry frequency (1..=500); the JS timer runs every 1000/hz ms.
    #[wasm_bindgen(getter)]
    pub fn hz(&self) -> u32 {
        self.srv.try_borrow().map_or(10, |s| s.config.hz.max(1))
    }

    /// The command table as JSON: `[[name, arity, [flags...], first, last, step], ...]`.
    pub fn commands() -> String {
        let mut s = String::from("[");
        for (i, c) in cmd::all_commands().iter().enumerate() {
            if i > 0 {
                s.push(',');
            }
            s.push_str("[\"");
            s.push_str(c.name);
            s.push_str("\",");
            s.push_str(&c.arity.to_string());
            s.push_str(",[");
            let mut first = true;
            for (bit, name) in cmd::FLAG_NAMES {
                if c.flags & bit != 0 {
                    if !first {
                        s.push(',');
                    }
                    first = false;
                    s.push('"');
                    s.push_str(name);
                    s.push('"');
                }
            }
            s.push_str(&format!("],{},{},{}]", c.keys.first, c.keys.last, c.keys.step));
        }
        s.push(']');
        s
    }
}

// ----------------------------------------------------------------------- Conn

/// One connection: its selected database, MULTI queue and WATCHes.
#[wasm_bindgen]
pub struct Conn {
    srv: Rc<RefCell<Server>>,
    client: Client,
}

#[wasm_bindgen]
impl Conn {
    /// Runs the command in the first `len` bytes of the input buffer; returns
    /// the reply's length in the output buffer. `now` is JS's `Date.now()`
    /// (omitted or NaN: the store asks for the time itself).
    pub fn call(&mut self, len: u32, now: f64) -> u32 {
        let Ok(mut srv) = self.srv.try_borrow_mut() else { return 0 };
        let client = &mut self.client;
        let n = at_time(now, || {
            with_io(len, |req, out| {
                run_one(&mut srv, client, &mut Reader { buf: req, pos: 0 }, out);
            })
        });
        note_pending(&srv);
        n
    }

    /// The typed `db.set(key, value[, "EX" | "PX", ttl])`: the input buffer
    /// holds the key (`klen` bytes) and then the value (`vlen` bytes), no
    /// header; `unit` is 0 (no TTL), 1 (EX) or 2 (PX) and `ttl` an integer.
    /// Runs exactly as that SET command would (`cmd::string::typed_set`).
    /// Returns [`REPLY_OK`] for the reply `+OK` (nothing written), else the
    /// length of the compact reply in the output buffer, as `call`.
    ///
    /// `now` NaN: JS did not read the clock (it costs about a fifth of a SET).
    /// A SET without a TTL needs the time only to stamp the key's LRU/LFU clock
    /// (second resolution) unless the existing key has a TTL (lazy expiry) or
    /// `maxmemory` is set (eviction): in those cases this
    /// returns [`NEED_TIME`] having done nothing; otherwise the command runs at
    /// the latest exact time the store read, which the active-expiry timer
    /// refreshes every 1000/hz ms while the event loop runs (Redis likewise
    /// stamps keys from an LRU clock its cron updates).
    #[wasm_bindgen(js_name = setTyped)]
    pub fn set_typed(&mut self, klen: u32, vlen: u32, unit: u32, ttl: f64, now: f64) -> u32 {
        let Ok(mut srv) = self.srv.try_borrow_mut() else { return 0 };
        let client = &mut self.client;
        let mut ok = false;
        let len = klen.saturating_add(vlen);
        let mut now = now;
        if now.is_nan() {
            let last = LAST_NOW.with(|c| c.get());
            let coarse_ok = unit == 0
                && last.is_finite()
                && srv.config.maxmemory == 0
                && IO.with(|io| {
                    let Ok(io) = io.try_borrow() else { return false };
                    let Some(key) = io.input.get(..klen as usize) else { return false };
                    let Some(db) = srv.dbs.get(client.db) else { return false };
                    // no key to expire lazily (no lookup when no key has a TTL)
                    db.volatile_len() == 0 || db.find(key).is_none_or(|i| db.expire_of(i).is_none())
                });
            if !coarse_ok {
                return NEED_TIME;
            }
            now = last;
        }
        let n = at_time(now, || {
            with_io(len, |req, out| {
                let (key, val) = (req.get(..klen as usize), req.get(klen as usize..));
                let (Some(key), Some(val), true) = (key, val, len < u32::MAX && req.len() == len as usize) else {
                    Reply::Error(error::BAD_REQUEST).write_compact(out);
                    return;
                };
                let ttl = match unit {
                    0 => None,
                    1 | 2 if ttl.is_finite() => Some((unit == 2, ttl as i64)),
                    _ => {
                        Reply::Error(error::BAD_REQUEST).write_compact(out);
                        return;
                    }
                };
                let reply = cmd::string::typed_set(&mut srv, client, key, val, ttl);
                if matches!(&reply, Reply::Status(s) if s.as_bytes() == b"OK") {
                    ok = true;
                } else {
                    reply.write_compact(out);
                }
            })
        });
        note_pending(&srv);
        if ok {
            REPLY_OK
        } else {
            n
        }
    }

    /// Like `call`, but a blocking command may block: returns 0 when it was
    /// answered (the reply is in the output buffer, its length in the header),
    /// else the id of the wait, answered later through `Store.takeServed`.
    #[wasm_bindgen(js_name = callBlocking)]
    pub fn call_blocking(&mut self, len: u32) -> f64 {
        let Ok(mut srv) = self.srv.try_borrow_mut() else { return 0.0 };
        let client = &mut self.client;
        let mut id = 0u64;
        with_io(len, |req, out| {
            run_one_with(&mut srv, client, &mut Reader { buf: req, pos: 0 }, out, |srv, client, argv, out| {
                match srv.call(client, argv) {
                    Outcome::Reply(r) => r.write_compact(out),
                    Outcome::Blocked(w) => id = w,
                }
            });
        });
        note_pending(&srv);
        id as f64
    }

    /// Runs a batch (`u32 count` then the commands) in one crossing; replies
    /// are concatenated. With `transaction`, the batch is MULTI … EXEC built by
    /// the package: when this connection is already inside MULTI, only MULTI's
    /// error reply is written and nothing else runs.
    pub fn batch(&mut self, len: u32, transaction: bool) -> u32 {
        let Ok(mut srv) = self.srv.try_borrow_mut() else { return 0 };
        let client = &mut self.client;
        let n = with_io(len, |req, out| {
            let mut r = Reader { buf: req, pos: 0 };
            let Some(n) = r.u32() else {
                Reply::Error(error::BAD_REQUEST).write_compact(out);
                return;
            };
            if transaction && client.in_multi() {
                Reply::Error(error::MULTI_NESTED).write_compact(out);
                return;
            }
            for _ in 0..n {
                if !run_one(&mut srv, client, &mut r, out) {
                    return;
                }
            }
        });
        note_pending(&srv);
        n
    }

    /// This connection's client id (pub/sub deliveries name it).
    #[wasm_bindgen(getter)]
    pub fn id(&self) -> u32 {
        self.client.id.min(u32::MAX as u64) as u32
    }

    /// The selected database (getOrSet keys its single flight by it).
    #[wasm_bindgen(getter)]
    pub fn db(&self) -> u32 {
        self.client.db as u32
    }

    /// True while this connection is queueing a MULTI.
    #[wasm_bindgen(js_name = inMulti)]
    pub fn in_multi(&self) -> bool {
        self.client.in_multi()
    }
}

impl Drop for Conn {
    fn drop(&mut self) {
        if let Ok(mut s) = self.srv.try_borrow_mut() {
            s.drop_client(&self.client);
        }
    }
}
