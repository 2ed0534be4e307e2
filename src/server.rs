//! The store ("server") and its clients ("connections").
//!
//! A [`Server`] owns the databases, configuration, counters, the WATCH
//! registry and the clock. A [`Client`] is the state Redis keeps per
//! connection: selected database, the MULTI queue. Several clients may share
//! one server (`db.duplicate()` in JS), so one client's write breaks another's
//! WATCH exactly as in Redis.
//!
//! [`Server::execute`] is the single entry point for a command: resolve,
//! check arity, queue inside MULTI, or run. It never panics on any input.
#![deny(clippy::indexing_slicing)]

use crate::args::Args;
use crate::blocking::Blocking;
use crate::clock::{Clock, SystemClock};
use crate::cmd::{self, CommandSpec, Ctx};
use crate::config::Config;
use crate::db::Db;
use crate::error::{self, Error};
use crate::notify::{self, KeyEvent};
use crate::pubsub::PubSub;
use crate::reply::Reply;
use crate::rng::Rng;
use hashbrown::HashMap;

/// What an empty store counts as used (INFO `used_memory_startup`).
pub const BASELINE_MEMORY: usize = 1024;

/// Counters reported by INFO stats.
#[derive(Clone, Debug, Default)]
pub struct Stats {
    pub expired_keys: u64,
    pub evicted_keys: u64,
    pub keyspace_hits: u64,
    pub keyspace_misses: u64,
    pub total_commands_processed: u64,
    pub total_error_replies: u64,
    pub expired_stale_perc: f64,
    pub expired_time_cap_reached_count: u64,
    pub expire_cycle_cpu_milliseconds: u64,
}

/// Options for a new store.
#[derive(Clone, Debug)]
pub struct Options {
    pub databases: usize,
    pub seed: u64,
}

impl Default for Options {
    fn default() -> Self {
        Options { databases: 16, seed: 0x5EED_C1AA_BA5E }
    }
}

struct QueuedCommand {
    spec: &'static CommandSpec,
    argv: Vec<Vec<u8>>,
}

struct MultiState {
    queue: Vec<QueuedCommand>,
    /// An error while queueing: EXEC answers EXECABORT.
    dirty_exec: bool,
}

/// Per-connection state.
pub struct Client {
    pub id: u64,
    pub db: usize,
    multi: Option<MultiState>,
}

impl Client {
    /// The state of a blocked connection while the store serves it (blocking.rs).
    pub(crate) fn detached(id: u64, db: usize) -> Client {
        Client { id, db, multi: None }
    }
    pub fn in_multi(&self) -> bool {
        self.multi.is_some()
    }
}

#[derive(Default)]
struct WatchedBy {
    client: u64,
    /// The key was logically expired (but present) when WATCH was called.
    expired: bool,
}

#[derive(Default)]
struct ClientWatch {
    keys: Vec<(usize, Box<[u8]>)>,
    dirty_cas: bool,
}

#[derive(Default)]
struct Watches {
    by_key: HashMap<(usize, Box<[u8]>), Vec<WatchedBy>>,
    by_client: HashMap<u64, ClientWatch>,
}

pub struct Server {
    pub dbs: Vec<Db>,
    pub config: Config,
    pub stats: Stats,
    pub rng: Rng,
    clock: Box<dyn Clock>,
    watches: Watches,
    next_client_id: u64,
    /// Keyspace events queued by the last commands (drained by the layer above).
    pub events: Vec<KeyEvent>,
    pub start_ms: i64,
    /// Which database the active expiry cycle visits next.
    expire_cursor_db: usize,
    last_expire_cycle_ms: i64,
    pub peak_memory: usize,
    /// Clients made by `new_client` and not yet dropped (INFO clients).
    pub connected_clients: usize,
    /// Clients ever made (INFO stats `total_connections_received`).
    pub total_connections: u64,
    /// ---- snapshot: modification count and keys changed since the last save (src/snapshot.rs)
    pub changes: crate::snapshot::Changes,
    /// Pub/sub subscriptions and the queue of deliveries (src/pubsub.rs).
    pub pubsub: PubSub,
    /// True while EXEC runs its queue (SSUBSCRIBE refuses to run there, as Redis's
    /// CLIENT_DENY_BLOCKING).
    pub in_exec: bool,
    /// Eviction candidates kept between commands (src/evict.rs).
    pub evict_pool: crate::evict::Pool,
    /// Blocked calls (BLPOP & co.), see blocking.rs.
    pub blocking: Blocking,
    /// The wasm binding's output buffer, lent for one MGET so it writes its
    /// compact reply straight from the stored bytes (`cmd::string::mget`);
    /// `direct_written` tells the binding it did.
    pub direct: Option<Vec<u8>>,
    pub direct_written: bool,
    /// `db::pending_epoch()` at the last end-of-command cleanup (`run`).
    settled_epoch: u64,
    /// Geofences over geo keys (src/geofence.rs), re-checked after commands.
    pub fences: crate::geofence::Fences,
    /// Stands in for a database index out of range (`db`, `db_mut`): a bug,
    /// never input (SELECT, MOVE, COPY, SWAPDB and the snapshot loader check
    /// indexes), answered without a panic. Emptied whenever handed out.
    scratch: Db,
}

impl Server {
    pub fn new(options: Options) -> Server {
        Server::with_clock(options, Box::new(SystemClock))
    }

    pub fn with_clock(options: Options, clock: Box<dyn Clock>) -> Server {
        let n = options.databases.clamp(1, 1 << 16);
        let start_ms = clock.now_ms();
        Server {
            dbs: (0..n).map(|_| Db::new()).collect(),
            config: Config::new(n),
            stats: Stats::default(),
            rng: Rng::new(options.seed),
            clock,
            watches: Watches::default(),
            next_client_id: 1,
            events: Vec::new(),
            start_ms,
            expire_cursor_db: 0,
            last_expire_cycle_ms: i64::MIN,
            peak_memory: 0,
            connected_clients: 0,
            total_connections: 0,
            changes: Default::default(),
            pubsub: PubSub::default(),
            in_exec: false,
            evict_pool: Default::default(),
            blocking: Blocking::default(),
            direct: None,
            direct_written: false,
            settled_epoch: u64::MAX,
            fences: Default::default(),
            scratch: Db::new(),
        }
    }

    /// Database `i`; an index out of range (a bug, see `scratch`) answers an
    /// empty database (debug builds assert).
    #[inline]
    pub fn db(&self, i: usize) -> &Db {
        match self.dbs.get(i) {
            Some(d) => d,
            None => no_such_db(&self.scratch),
        }
    }
    /// `db` for changes; changes to the stand-in are lost.
    #[inline]
    pub fn db_mut(&mut self, i: usize) -> &mut Db {
        let Server { dbs, scratch, .. } = self;
        match dbs.get_mut(i) {
            Some(d) => d,
            None => {
                scratch.clear();
                no_such_db(scratch)
            }
        }
    }

    pub fn now_ms(&self) -> i64 {
        self.clock.now_ms()
    }
    pub fn now_us(&self) -> i64 {
        self.clock.now_us()
    }

    /// A new connection on this store.
    pub fn new_client(&mut self) -> Client {
        let id = self.next_client_id;
        self.next_client_id += 1;
        self.connected_clients += 1;
        self.total_connections += 1;
        Client { id, db: 0, multi: None }
    }

    /// Forgets a connection's WATCHes (call when a client goes away).
    pub fn drop_client(&mut self, client: &Client) {
        self.unwatch_all(client.id);
        self.watches.by_client.remove(&client.id);
        self.pubsub.drop_client(client.id);
        self.cancel_client_waits(client.id);
        self.connected_clients = self.connected_clients.saturating_sub(1);
    }

    // ---------------------------------------------------------------- dispatch

    /// Runs one command for `client`. `argv[0]` is the command name. A blocking
    /// command never blocks here (it answers as on a timeout, like inside MULTI);
    /// use [`Server::call`] to block.
    pub fn execute(&mut self, client: &mut Client, argv: &[&[u8]]) -> Reply {
        self.blocking.allow = false;
        let reply = self.execute_unserved(client, argv);
        self.serve_ready();
        self.check_fences();
        reply
    }

    /// `execute` without serving blocked clients afterwards.
    pub(crate) fn execute_unserved(&mut self, client: &mut Client, argv: &[&[u8]]) -> Reply {
        self.events.clear();
        let now = self.clock.now_ms();
        let reply = self.dispatch(client, argv, now);
        if reply.is_error() {
            self.stats.total_error_replies += 1;
        }
        reply
    }

    /// `execute` for a command the caller has already resolved (the wasm
    /// binding's typed SET: `spec` is SET's and `argv` a valid SET call).
    /// Everything else is as `execute`: memory check, MULTI, stats, events.
    pub fn execute_resolved(&mut self, client: &mut Client, spec: &'static CommandSpec, argv: &[&[u8]]) -> Reply {
        self.blocking.allow = false;
        self.events.clear();
        let now = self.clock.now_ms();
        self.stats.total_commands_processed += 1;
        let reply = self.dispatch_resolved(spec, client, argv, now);
        if reply.is_error() {
            self.stats.total_error_replies += 1;
        }
        self.serve_ready();
        reply
    }

    fn dispatch(&mut self, client: &mut Client, argv: &[&[u8]], now: i64) -> Reply {
        self.stats.total_commands_processed += 1;
        let spec = match cmd::resolve(argv) {
            Ok(spec) => spec,
            Err(e) => {
                // Redis's rejectCommand: flags the transaction, and an EXEC that is
                // rejected aborts it.
                if argv.first().is_some_and(|n| n.eq_ignore_ascii_case(b"exec")) {
                    self.discard_transaction(client);
                    return Reply::Error(error::exec_abort_because(&strip_err(&e)));
                }
                if let Some(m) = client.multi.as_mut() {
                    m.dirty_exec = true;
                }
                return Reply::Error(e);
            }
        };
        self.dispatch_resolved(spec, client, argv, now)
    }

    fn dispatch_resolved(&mut self, spec: &'static CommandSpec, client: &mut Client, argv: &[&[u8]], now: i64) -> Reply {
        if self.config.maxmemory != 0 {
            if let Err(e) = self.check_memory(spec, client, argv, now) {
                return Reply::Error(e);
            }
        }
        // ---- pubsub: a subscribed RESP2 connection runs only a few commands ----
        if self.pubsub.is_subscribed(client.id) && !cmd::pubsub::allowed_when_subscribed(spec) {
            let e = error::not_allowed_when_subscribed(spec.fullname);
            if spec.name == "exec" {
                self.discard_transaction(client);
                return Reply::Error(error::exec_abort_because(&strip_err(&e)));
            }
            if let Some(m) = client.multi.as_mut() {
                m.dirty_exec = true;
            }
            return Reply::Error(e);
        }
        // ---- end pubsub ----
        if let Some(m) = client.multi.as_mut() {
            if spec.flags & cmd::NO_MULTI != 0 {
                m.dirty_exec = true;
                return Reply::Error(error::NOT_ALLOWED_IN_MULTI);
            }
            if spec.flags & cmd::TX_CONTROL == 0 {
                // No point keeping commands of a transaction that will fail anyway.
                let dirty = self.watches.by_client.get(&client.id).is_some_and(|w| w.dirty_cas);
                if !m.dirty_exec && !dirty {
                    m.queue.push(QueuedCommand {
                        spec,
                        argv: argv.iter().map(|a| a.to_vec()).collect(),
                    });
                }
                return Reply::QUEUED;
            }
        }
        self.run(spec, client, argv, now)
    }

    fn run(&mut self, spec: &'static CommandSpec, client: &mut Client, argv: &[&[u8]], now: i64) -> Reply {
        let mut ctx = Ctx { srv: self, client, now };
        let reply = cmd::into_reply((spec.handler)(&mut ctx, Args::new(argv)));
        self.check_fences(); // each command of an EXEC on its own
        // Only when some database noted work since the last cleanup (most
        // commands note none: visiting all 16 databases cost more than a GET).
        let epoch = crate::db::pending_epoch();
        if epoch != self.settled_epoch {
            self.settled_epoch = epoch;
            for db in self.dbs.iter_mut() {
                if db.is_dirty() {
                    db.settle();
                }
                if db.has_views() {
                    db.drop_views(); // views of compact slots live for one command (db.rs)
                }
            }
        }
        reply
    }

    /// Redis's processCommand memory check (evict.c performEvictions, then the
    /// OOM rejection of DENYOOM commands, of anything queued inside MULTI
    /// but EXEC/DISCARD/QUIT/RESET, and of an EXEC whose queue holds one).
    fn check_memory(
        &mut self,
        spec: &'static CommandSpec,
        client: &mut Client,
        argv: &[&[u8]],
        now: i64,
    ) -> Result<(), Error> {
        let name = spec.fullname.as_bytes();
        let is_exec = name == b"exec";
        let denyoom = spec.flags & cmd::DENYOOM != 0
            || (is_exec
                && client.multi.as_ref().is_some_and(|m| m.queue.iter().any(|q| q.spec.flags & cmd::DENYOOM != 0)));
        let writes = spec.flags & cmd::DENYOOM != 0;
        let incoming = if writes {
            argv.iter().map(|a| a.len()).sum::<usize>() + crate::evict::PER_KEY_OVERHEAD
        } else if spec.flags & cmd::WRITE != 0 {
            // EXPIRE and other writes may turn a compact string slot into a full one.
            crate::db::FULL_ENTRY_GROWTH
        } else {
            0
        };
        let grow_db = writes.then_some(client.db);
        let oom = self.perform_evictions(incoming, grow_db, now) == crate::evict::Evict::Fail;
        let reject = denyoom
            || (client.multi.is_some() && !matches!(name, b"exec" | b"discard" | b"quit" | b"reset"));
        if !(oom && reject) {
            return Ok(());
        }
        if is_exec {
            self.discard_transaction(client);
            return Err(error::exec_abort_because(&error::OOM));
        }
        if let Some(m) = client.multi.as_mut() {
            m.dirty_exec = true;
        }
        Err(error::OOM)
    }

    // ------------------------------------------------------------ transactions

    pub(crate) fn multi(&mut self, client: &mut Client) -> Result<Reply, Error> {
        if client.multi.is_some() {
            return Err(error::MULTI_NESTED);
        }
        client.multi = Some(MultiState { queue: Vec::new(), dirty_exec: false });
        Ok(Reply::OK)
    }

    pub(crate) fn discard(&mut self, client: &mut Client) -> Result<Reply, Error> {
        if client.multi.is_none() {
            return Err(error::DISCARD_WITHOUT_MULTI);
        }
        self.discard_transaction(client);
        Ok(Reply::OK)
    }

    fn discard_transaction(&mut self, client: &mut Client) {
        client.multi = None;
        self.unwatch_all(client.id);
    }

    pub(crate) fn exec(&mut self, client: &mut Client, now: i64) -> Result<Reply, Error> {
        let Some(state) = client.multi.take() else {
            return Err(error::EXEC_WITHOUT_MULTI);
        };
        if self.watched_key_expired(client.id, now) {
            self.watches.by_client.entry(client.id).or_default().dirty_cas = true;
        }
        let dirty_cas = self.watches.by_client.get(&client.id).is_some_and(|w| w.dirty_cas);
        self.unwatch_all(client.id);
        if state.dirty_exec {
            return Err(error::EXECABORT);
        }
        if dirty_cas {
            return Ok(Reply::NilArray);
        }
        let mut replies = Vec::with_capacity(state.queue.len());
        self.in_exec = true;
        // Commands inside EXEC never block; blocked clients are served after it.
        let allow = std::mem::replace(&mut self.blocking.allow, false);
        for q in &state.queue {
            let argv: Vec<&[u8]> = q.argv.iter().map(|a| a.as_slice()).collect();
            let r = self.run(q.spec, client, &argv, now);
            if r.is_error() {
                self.stats.total_error_replies += 1;
            }
            replies.push(r);
        }
        self.in_exec = false;
        self.blocking.allow = allow;
        Ok(Reply::Array(replies))
    }

    // ------------------------------------------------------------------- WATCH

    pub(crate) fn watch(&mut self, client: &Client, keys: &[&[u8]], now: i64) -> Result<Reply, Error> {
        if client.multi.is_some() {
            return Err(error::WATCH_IN_MULTI);
        }
        let w = self.watches.by_client.entry(client.id).or_default();
        if w.dirty_cas {
            return Ok(Reply::OK);
        }
        for key in keys {
            let dbi = client.db;
            let w = self.watches.by_client.entry(client.id).or_default();
            if w.keys.iter().any(|(d, k)| *d == dbi && &**k == *key) {
                continue;
            }
            w.keys.push((dbi, (*key).into()));
            let expired = self.key_is_expired(dbi, key, now);
            self.watches
                .by_key
                .entry((dbi, (*key).into()))
                .or_default()
                .push(WatchedBy { client: client.id, expired });
        }
        Ok(Reply::OK)
    }

    pub(crate) fn unwatch(&mut self, client: &Client) -> Reply {
        self.unwatch_all(client.id);
        if let Some(w) = self.watches.by_client.get_mut(&client.id) {
            w.dirty_cas = false;
        }
        Reply::OK
    }

    fn unwatch_all(&mut self, id: u64) {
        let Some(w) = self.watches.by_client.get_mut(&id) else { return };
        let keys = std::mem::take(&mut w.keys);
        w.dirty_cas = false;
        for k in keys {
            if let Some(list) = self.watches.by_key.get_mut(&k) {
                list.retain(|x| x.client != id);
                if list.is_empty() {
                    self.watches.by_key.remove(&k);
                }
            }
        }
    }

    fn key_is_expired(&self, dbi: usize, key: &[u8], now: i64) -> bool {
        let db = self.db(dbi);
        db.find(key).and_then(|i| db.expire_of(i)).is_some_and(|t| t <= now)
    }

    fn watched_key_expired(&self, id: u64, now: i64) -> bool {
        let Some(w) = self.watches.by_client.get(&id) else { return false };
        w.keys.iter().any(|(dbi, key)| {
            let was_expired = self
                .watches
                .by_key
                .get(&(*dbi, key.clone()))
                .and_then(|l| l.iter().find(|x| x.client == id))
                .is_some_and(|x| x.expired);
            !was_expired && self.key_is_expired(*dbi, key, now)
        })
    }

    /// Redis's `signalModifiedKey` → `touchWatchedKey`.
    pub fn signal_modified_key(&mut self, dbi: usize, key: &[u8]) {
        self.changes.key(dbi, key); // snapshot: saves and the two-tab merge
        if !self.fences.is_empty() {
            self.fences.touch(dbi, key);
        }
        if !self.blocking.is_empty() {
            self.signal_ready(dbi, key);
        }
        if self.watches.by_key.is_empty() {
            return;
        }
        let Some(list) = self.watches.by_key.get_mut(&(dbi, Box::<[u8]>::from(key))) else {
            return;
        };
        let present = self.dbs.get(dbi).is_some_and(|d| d.find(key).is_some());
        let mut to_dirty = Vec::new();
        for wk in list.iter_mut() {
            if wk.expired {
                if !present {
                    // The expired key is gone: logically no change.
                    wk.expired = false;
                    continue;
                }
                break; // as Redis 7.0 does
            }
            to_dirty.push(wk.client);
        }
        for id in to_dirty {
            self.unwatch_all(id);
            self.watches.by_client.entry(id).or_default().dirty_cas = true;
        }
    }

    /// Redis's `touchAllWatchedKeysInDb` (FLUSHDB, FLUSHALL, SWAPDB), called
    /// before the change with `replaced_with` the database swapped in, if any.
    pub fn touch_all_watched_in_db(&mut self, emptied: usize, replaced_with: Option<usize>, now: i64) {
        self.changes.db(emptied); // snapshot: saves and the two-tab merge
        self.fences.touch_db(emptied);
        if self.watches.by_key.is_empty() {
            return;
        }
        let mut to_dirty = Vec::new();
        let keys: Vec<(usize, Box<[u8]>)> =
            self.watches.by_key.keys().filter(|(d, _)| *d == emptied).cloned().collect();
        for k in keys {
            let exists_in_emptied = self.db(emptied).find(&k.1).is_some();
            let exists_in_other = replaced_with.is_some_and(|r| self.db(r).find(&k.1).is_some());
            if !(exists_in_emptied || exists_in_other) {
                continue;
            }
            let other_expired = replaced_with.is_some_and(|r| self.key_is_expired(r, &k.1, now));
            if let Some(list) = self.watches.by_key.get_mut(&k) {
                for wk in list.iter_mut() {
                    if wk.expired {
                        if !exists_in_other {
                            wk.expired = false;
                            continue;
                        } else if other_expired {
                            continue;
                        }
                    } else if !exists_in_emptied && other_expired {
                        wk.expired = true;
                        continue;
                    }
                    to_dirty.push(wk.client);
                }
            }
        }
        for id in to_dirty {
            self.watches.by_client.entry(id).or_default().dirty_cas = true;
        }
    }

    // ------------------------------------------------------------ notifications

    /// Queues a keyspace event when the configured flags select its class.
    pub fn notify(&mut self, class: u32, event: &'static str, dbi: usize, key: &[u8]) {
        let flags = self.config.notify_keyspace_events;
        if flags & class == 0 || flags & (notify::KEYSPACE | notify::KEYEVENT) == 0 {
            return;
        }
        self.events.push(KeyEvent { class, event, db: dbi, key: key.to_vec() });
        if self.pubsub.wants_events() {
            crate::pubsub::publish_key_event(&mut self.pubsub, flags, event, dbi, key);
        }
    }

    /// Takes the queued keyspace events.
    pub fn take_events(&mut self) -> Vec<KeyEvent> {
        std::mem::take(&mut self.events)
    }

    // ------------------------------------------------------------ active expiry

    /// One active expiry cycle, as Redis's: per database, sample up to 20 keys
    /// with a TTL, delete the expired ones, and repeat while more than a quarter
    /// of a sample had expired, within `budget` samples in all. Returns the
    /// number of keys deleted. Driven by the JS timer and by tests by hand.
    pub fn active_expire_cycle(&mut self, budget: usize) -> usize {
        const PER_LOOP: usize = 20;
        let now = self.clock.now_ms();
        self.last_expire_cycle_ms = now;
        let ndb = self.dbs.len();
        let mut deleted = 0;
        let mut spent = 0;
        let mut sampled_total = 0usize;
        let mut expired_total = 0usize;
        for _ in 0..ndb {
            if spent >= budget {
                self.stats.expired_time_cap_reached_count += 1;
                break;
            }
            let dbi = self.expire_cursor_db % ndb;
            self.expire_cursor_db = (self.expire_cursor_db + 1) % ndb;
            loop {
                let n = self.db(dbi).volatile_len();
                if n == 0 || spent >= budget {
                    break;
                }
                let sample = n.min(PER_LOOP);
                let mut expired = 0;
                for _ in 0..sample {
                    spent += 1;
                    // (`dbi` is below `ndb`, the number of databases)
                    let Some(db) = self.dbs.get_mut(dbi) else { break };
                    let Some(slot) = db.random_volatile_slot(&mut self.rng) else { break };
                    // (expire_of/key: no `&Entry` view for a compact slot)
                    if db.expire_of(slot).is_some_and(|t| t <= now) {
                        let key = db.key(slot).to_vec();
                        db.delete_at(slot);
                        self.stats.expired_keys += 1;
                        self.notify(notify::EXPIRED, "expired", dbi, &key);
                        self.signal_modified_key(dbi, &key);
                        expired += 1;
                        deleted += 1;
                    }
                }
                sampled_total += sample;
                expired_total += expired;
                if expired * 4 <= sample {
                    break;
                }
            }
        }
        let left = budget.saturating_sub(spent).max(PER_LOOP);
        // Hash fields with TTLs (HEXPIRE...) have their own sweep on the rest of the budget.
        cmd::hash::active_expire_fields(self, now, left);
        if sampled_total > 0 {
            let current = expired_total as f64 / sampled_total as f64;
            self.stats.expired_stale_perc = current * 0.05 + self.stats.expired_stale_perc * 0.95;
        }
        self.check_fences();
        // An expired stream unblocks its XREADGROUP waiters (Redis serves them in beforeSleep).
        if deleted > 0 && !self.blocking.is_empty() {
            self.serve_ready();
        }
        deleted
    }

    /// Runs a short active expiry cycle when at least `1000/hz` ms passed since the
    /// last one. Cheap when not due; the binding calls it before commands.
    pub fn maybe_active_expire(&mut self) -> usize {
        let now = self.clock.now_ms();
        let period = 1000 / self.config.hz.max(1) as i64;
        if now.saturating_sub(self.last_expire_cycle_ms) < period {
            return 0;
        }
        self.active_expire_cycle(200)
    }

    /// Total keys in all databases.
    pub fn total_keys(&self) -> usize {
        self.dbs.iter().map(|d| d.len()).sum()
    }

    /// Bytes used by the data (O(1) per database; see `Db::footprint`) plus
    /// a fixed baseline for the store itself.
    pub fn used_memory(&self) -> usize {
        self.dbs.iter().map(|d| d.footprint()).sum::<usize>() + BASELINE_MEMORY
    }
}

/// The stand-in for a database index out of range (`Server::scratch`).
#[cold]
#[track_caller]
fn no_such_db<T>(scratch: T) -> T {
    debug_assert!(false, "database index out of range");
    scratch
}

/// Strips the code word Redis removes from a rejection reason before EXECABORT
/// ("ERR wrong number..." → "wrong number...").
fn strip_err(e: &Error) -> Error {
    let t = e.text();
    match t.strip_prefix("ERR ") {
        Some(rest) => Error::owned(rest.to_string()),
        None => e.clone(),
    }
}

/// A database index out of range (a bug, never input) panics nowhere in
/// release builds (debug builds assert instead: `cargo test --release --lib server::`).
#[cfg(all(test, not(debug_assertions)))]
mod wrong_db {
    use super::*;

    #[test]
    fn out_of_range_databases_answer_an_emptied_stand_in() {
        let mut s = Server::new(Options { databases: 2, seed: 1 });
        let mut c = s.new_client();
        s.execute(&mut c, &[b"SET", b"k", b"v"]);
        c.db = 7;
        assert_eq!(s.execute(&mut c, &[b"GET", b"k"]), Reply::Nil);
        assert_eq!(s.execute(&mut c, &[b"SET", b"x", b"1"]), Reply::OK);
        assert_eq!(s.execute(&mut c, &[b"GET", b"x"]), Reply::Nil);
        assert_eq!(s.execute(&mut c, &[b"DEL", b"x", b"k"]), Reply::Int(0));
        c.db = 0;
        assert_eq!(s.execute(&mut c, &[b"GET", b"k"]), Reply::bulk_str("v"));
        assert_eq!(s.total_keys(), 1);
    }
}
