//! The command table, the dispatcher and the per-command context.
//!
//! Each family declares its commands as data (`COMMANDS` in its own file):
//! name, arity (counting the name; negative = at least), flags, key positions
//! and handler. The dispatcher alone checks existence and arity and queues
//! commands inside MULTI, so handlers never do. A handler parses all its
//! arguments before it touches the keyspace and either runs fully or changes
//! nothing; it returns a [`Reply`] or an [`Error`] value.
//!
//! [`Ctx`] holds the one lookup path: every key read or write goes through
//! `lookup_read`/`lookup_write`, which expire keys lazily, keep the hit/miss
//! counters and access clock, and nothing else touches `Db` slots for keys.
//!
//! Checked access only (`deny(clippy::indexing_slicing)`), here and in every
//! family module below.
#![deny(clippy::indexing_slicing)]

pub mod bitmap;
pub mod geo;
pub mod hash;
pub mod hll;
pub mod keys;
pub mod memory;
pub mod list;
pub mod scan;
pub mod meta;
pub mod pubsub;
pub mod server;
pub mod set;
pub mod stream;
pub mod string;
pub mod tx;
pub mod zset;

use crate::args::{self, Args};
use crate::db::{self, Db};
use crate::error::{self, Error, Result};
use crate::notify;
use crate::num;
use crate::reply::Reply;
use crate::server::{Client, Server};
use crate::value::Value;
use std::sync::OnceLock;

pub type Handler = fn(&mut Ctx, Args) -> Result<Reply>;

// ---- command flags (Redis's names) ----
pub const WRITE: u32 = 1 << 0;
pub const READONLY: u32 = 1 << 1;
pub const DENYOOM: u32 = 1 << 2;
pub const ADMIN: u32 = 1 << 3;
pub const PUBSUB: u32 = 1 << 4;
pub const NOSCRIPT: u32 = 1 << 5;
pub const BLOCKING: u32 = 1 << 6;
pub const LOADING: u32 = 1 << 7;
pub const STALE: u32 = 1 << 8;
pub const FAST: u32 = 1 << 9;
pub const NO_MULTI: u32 = 1 << 10;
pub const MAY_REPLICATE: u32 = 1 << 11;
pub const SENTINEL: u32 = 1 << 12;
pub const ALLOW_BUSY: u32 = 1 << 13;
pub const NO_MANDATORY_KEYS: u32 = 1 << 14;
pub const NO_AUTH: u32 = 1 << 15;
/// Runs even while a transaction is being queued (MULTI, EXEC, DISCARD, WATCH, ...).
pub const TX_CONTROL: u32 = 1 << 16;

pub const FLAG_NAMES: &[(u32, &str)] = &[
    (WRITE, "write"),
    (READONLY, "readonly"),
    (DENYOOM, "denyoom"),
    (ADMIN, "admin"),
    (PUBSUB, "pubsub"),
    (NOSCRIPT, "noscript"),
    (BLOCKING, "blocking"),
    (LOADING, "loading"),
    (STALE, "stale"),
    (FAST, "fast"),
    (NO_MULTI, "no_multi"),
    (MAY_REPLICATE, "may_replicate"),
    (SENTINEL, "sentinel"),
    (ALLOW_BUSY, "allow_busy"),
    (NO_MANDATORY_KEYS, "no_mandatory_keys"),
    (NO_AUTH, "no_auth"),
];

/// Legacy key positions: first, last (negative counts from the end), step.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Keys {
    pub first: i32,
    pub last: i32,
    pub step: i32,
}

impl Keys {
    pub const NONE: Keys = Keys { first: 0, last: 0, step: 0 };
    pub const fn one(i: i32) -> Keys {
        Keys { first: i, last: i, step: 1 }
    }
    pub const fn range(first: i32, last: i32, step: i32) -> Keys {
        Keys { first, last, step }
    }
}

pub struct CommandSpec {
    /// Lowercase name (a subcommand's own name, e.g. `encoding`).
    pub name: &'static str,
    /// Name printed in arity errors: `get`, `object|encoding`.
    pub fullname: &'static str,
    pub arity: i32,
    pub flags: u32,
    pub keys: Keys,
    pub handler: Handler,
    pub group: &'static str,
    pub subcommands: &'static [CommandSpec],
}

impl CommandSpec {
    pub const fn new(
        name: &'static str,
        arity: i32,
        flags: u32,
        keys: Keys,
        group: &'static str,
        handler: Handler,
    ) -> CommandSpec {
        CommandSpec { name, fullname: name, arity, flags, keys, handler, group, subcommands: &[] }
    }
    /// A subcommand of `container`; `fullname` is `container|name`.
    pub const fn sub(
        fullname: &'static str,
        name: &'static str,
        arity: i32,
        flags: u32,
        keys: Keys,
        group: &'static str,
        handler: Handler,
    ) -> CommandSpec {
        CommandSpec { name, fullname, arity, flags, keys, handler, group, subcommands: &[] }
    }
    /// A container command (OBJECT, CONFIG, COMMAND) whose work is in subcommands.
    pub const fn container(
        name: &'static str,
        flags: u32,
        group: &'static str,
        subcommands: &'static [CommandSpec],
    ) -> CommandSpec {
        CommandSpec {
            name,
            fullname: name,
            arity: -2,
            flags,
            keys: Keys::NONE,
            handler: container_without_sub,
            group,
            subcommands,
        }
    }
    pub fn is_container(&self) -> bool {
        !self.subcommands.is_empty()
    }
    pub fn arity_ok(&self, argc: usize) -> bool {
        let argc = argc as i64;
        let arity = self.arity as i64;
        if arity >= 0 {
            argc == arity
        } else {
            argc >= -arity
        }
    }
    /// Key argument indexes for `argc` arguments (legacy first/last/step).
    pub fn key_indexes(&self, argc: usize) -> Vec<usize> {
        let k = self.keys;
        if k.first <= 0 || k.step <= 0 {
            return Vec::new();
        }
        let last = if k.last < 0 { argc as i64 + k.last as i64 } else { k.last as i64 };
        let mut out = Vec::new();
        let mut i = k.first as i64;
        while i <= last && i < argc as i64 {
            out.push(i as usize);
            i += k.step as i64;
        }
        out
    }
}

fn container_without_sub(_: &mut Ctx, a: Args) -> Result<Reply> {
    Err(error::wrong_arity(a.get(0).and_then(|n| std::str::from_utf8(n).ok()).unwrap_or("")))
}

/// Every family's table.
pub fn families() -> &'static [&'static [CommandSpec]] {
    &[
        string::COMMANDS,
        keys::COMMANDS,
        server::COMMANDS,
        tx::COMMANDS,
        hll::COMMANDS,
        bitmap::COMMANDS,
        set::COMMANDS,
        hash::COMMANDS,
        zset::COMMANDS,
        pubsub::COMMANDS,
        memory::COMMANDS,
        list::COMMANDS,
        geo::COMMANDS,
        stream::COMMANDS,
    ]
}

struct Table {
    by_name: hashbrown::HashMap<&'static str, &'static CommandSpec>,
    sorted: Vec<&'static CommandSpec>,
}

fn table() -> &'static Table {
    static TABLE: OnceLock<Table> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut by_name = hashbrown::HashMap::new();
        let mut sorted = Vec::new();
        for fam in families().iter().copied() {
            for spec in fam {
                by_name.insert(spec.name, spec);
                sorted.push(spec);
            }
        }
        sorted.sort_by_key(|s| s.name);
        Table { by_name, sorted }
    })
}

/// All top-level commands, sorted by name.
pub fn all_commands() -> &'static [&'static CommandSpec] {
    &table().sorted
}

/// Top-level command by name, ASCII case-insensitive.
pub fn lookup(name: &[u8]) -> Option<&'static CommandSpec> {
    // The last name looked up (length and lower-case bytes, up to 7, packed):
    // a loop of one command skips the hash.
    thread_local! {
        static LAST: std::cell::Cell<(u64, Option<&'static CommandSpec>)> = const { std::cell::Cell::new((0, None)) };
    }
    let packed = (name.len() <= 7 && !name.is_empty()).then(|| {
        let mut p = (name.len() as u64) << 56;
        for (i, b) in name.iter().enumerate() {
            p |= (b.to_ascii_lowercase() as u64) << (8 * i);
        }
        p
    });
    if let Some(p) = packed {
        if let (q, Some(spec)) = LAST.with(|c| c.get()) {
            if q == p {
                return Some(spec);
            }
        }
    }
    let spec = lookup_uncached(name)?;
    if let Some(p) = packed {
        LAST.with(|c| c.set((p, Some(spec))));
    }
    Some(spec)
}

fn lookup_uncached(name: &[u8]) -> Option<&'static CommandSpec> {
    let mut buf = [0u8; 32];
    if name.len() > buf.len() {
        return None;
    }
    for (d, s) in buf.iter_mut().zip(name) {
        *d = s.to_ascii_lowercase();
    }
    let lower = std::str::from_utf8(buf.get(..name.len())?).ok()?;
    table().by_name.get(lower).copied()
}

/// Resolves argv to a command or subcommand, with Redis's existence and arity errors.
pub fn resolve(argv: &[&[u8]]) -> Result<&'static CommandSpec> {
    let Some(name) = argv.first() else {
        return Err(error::EMPTY_COMMAND);
    };
    let Some(spec) = lookup(name) else {
        return Err(error::unknown_command(name, argv.get(1..).unwrap_or(&[])));
    };
    let spec = if let (true, Some(&sub)) = (spec.is_container(), argv.get(1)) {
        match spec.subcommands.iter().find(|s| s.name.as_bytes().eq_ignore_ascii_case(sub)) {
            Some(s) => s,
            None => return Err(error::unknown_subcommand(spec.name, sub)),
        }
    } else {
        spec
    };
    if !spec.arity_ok(argv.len()) {
        return Err(error::wrong_arity(spec.fullname));
    }
    Ok(spec)
}

/// What a handler sees: the store, the calling client, the command's time.
pub struct Ctx<'a> {
    pub srv: &'a mut Server,
    pub client: &'a mut Client,
    /// Unix ms, fixed for this command (and for a whole EXEC).
    pub now: i64,
}

impl<'a> Ctx<'a> {
    pub fn dbi(&self) -> usize {
        self.client.db
    }
    pub fn db(&mut self) -> &mut Db {
        self.srv.db_mut(self.client.db)
    }
    pub fn db_ref(&self) -> &Db {
        self.srv.db(self.client.db)
    }
    /// The LRU clock: seconds, 24 bits (Redis's LRU_CLOCK_RESOLUTION / LRU_BITS).
    pub fn lru_clock(&self) -> u32 {
        ((self.now.max(0) / 1000) & 0xFF_FFFF) as u32
    }

    /// Deletes `key` in database `dbi` when its time has come. Returns the live slot.
    pub fn expire_if_needed(&mut self, dbi: usize, key: &[u8]) -> Option<usize> {
        let h = self.srv.db(dbi).key_hash(key);
        self.expire_if_needed_hashed(dbi, key, h)
    }
    /// `expire_if_needed` with the key's hash in database `dbi` computed.
    fn expire_if_needed_hashed(&mut self, dbi: usize, key: &[u8], h: u64) -> Option<usize> {
        let db = self.srv.db_mut(dbi);
        let slot = db.find_hashed(key, h)?;
        match db.expire_of(slot) {
            Some(t) if t <= self.now => {
                db.delete_at(slot);
                self.srv.stats.expired_keys += 1;
                self.srv.notify(notify::EXPIRED, "expired", dbi, key);
                self.srv.signal_modified_key(dbi, key);
                None
            }
            _ => Some(slot),
        }
    }

    /// Lookup for reading: lazy expiry, hit/miss counters, access clock.
    pub fn lookup_read(&mut self, key: &[u8]) -> Option<usize> {
        let dbi = self.client.db;
        let found = self.expire_if_needed(dbi, key);
        match found {
            Some(slot) => {
                self.srv.stats.keyspace_hits += 1;
                self.touch(dbi, slot);
            }
            None => {
                self.srv.stats.keyspace_misses += 1;
                self.srv.notify(notify::KEY_MISS, "keymiss", dbi, key);
            }
        }
        found
    }

    /// Lookup for writing: lazy expiry and access clock, no counters.
    pub fn lookup_write(&mut self, key: &[u8]) -> Option<usize> {
        let dbi = self.client.db;
        self.lookup_write_in(dbi, key)
    }

    /// `lookup_write` in database `dbi` (MOVE and COPY look at their target).
    pub fn lookup_write_in(&mut self, dbi: usize, key: &[u8]) -> Option<usize> {
        let found = self.expire_if_needed(dbi, key);
        if let Some(slot) = found {
            self.touch(dbi, slot);
        }
        found
    }

    /// Records an access to a live slot: the LRU clock, or under an LFU policy
    /// Redis's logarithmic access counter (`keys::lfu_touch`).
    pub fn touch(&mut self, dbi: usize, slot: usize) {
        let cfg = &self.srv.config;
        let lru = if cfg.maxmemory_policy.is_lfu() {
            let (factor, decay) = (cfg.lfu_log_factor, cfg.lfu_decay_time);
            let old = self.srv.db(dbi).lru(slot);
            keys::lfu_touch(old, self.now, factor, decay, &mut self.srv.rng)
        } else {
            self.lru_clock()
        };
        self.srv.db_mut(dbi).set_lru(slot, lru);
    }

    /// The access field of a new key: the LRU clock, or under an LFU policy
    /// the current minute with the initial counter (Redis's `createObject`).
    pub fn new_lru(&self) -> u32 {
        if self.srv.config.maxmemory_policy.is_lfu() {
            keys::lfu_init(self.now)
        } else {
            self.lru_clock()
        }
    }

    /// Lookup that neither counts nor touches the access clock (TYPE, OBJECT, TTL...).
    pub fn lookup_quiet(&mut self, key: &[u8]) -> Option<usize> {
        let dbi = self.client.db;
        self.expire_if_needed(dbi, key)
    }

    pub fn value(&self, slot: usize) -> &Value {
        &self.db_ref().entry(slot).val
    }
    pub fn value_mut(&mut self, slot: usize) -> &mut Value {
        &mut self.db().entry_mut(slot).val
    }

    /// Reads a string key: `Ok(None)` when missing, WRONGTYPE for other types.
    pub fn read_string(&mut self, key: &[u8]) -> Result<Option<Vec<u8>>> {
        match self.lookup_read(key) {
            None => Ok(None),
            Some(slot) => match self.db_ref().string_bytes(slot) {
                Some(b) => Ok(Some(b.into_owned())),
                None => Err(error::WRONGTYPE),
            },
        }
    }

    /// Redis's `setKey`: adds or overwrites `key`, dropping its TTL unless `keep_ttl`,
    /// and signals WATCHers. Returns the slot.
    pub fn set_key(&mut self, key: &[u8], val: Value, keep_ttl: bool) -> usize {
        let dbi = self.client.db;
        let lru = self.new_lru();
        let slot = match self.lookup_write(key) {
            Some(slot) => {
                let db = self.srv.db_mut(dbi);
                db.replace_value(slot, val);
                if !keep_ttl {
                    db.set_expire(slot, None);
                }
                slot
            }
            None => {
                let slot = self.srv.db_mut(dbi).insert(key, val, None, lru);
                self.srv.notify(notify::NEW, "new", dbi, key);
                slot
            }
        };
        self.srv.signal_modified_key(dbi, key);
        slot
    }

    /// `set_key` for a string value given as bytes (SET, MSET): stored as
    /// `Value::string` would, without building a `Value` for plain strings
    /// (they go to a compact slot: key, value and TTL in one allocation).
    /// With `expire` the key gets that TTL at once (the caller still sets it
    /// as usual, which then changes nothing).
    pub fn set_string(&mut self, key: &[u8], val: &[u8], keep_ttl: bool, expire: Option<i64>) -> usize {
        if val.len() <= 20 && crate::num::parse_i64(val).is_some() {
            // An int: a full entry (Value::Int), as Redis's shared/int encoding.
            let slot = self.set_key(key, Value::string(val.to_vec()), keep_ttl || expire.is_some());
            return slot;
        }
        let dbi = self.client.db;
        let lru = self.new_lru();
        let h = self.srv.db(dbi).key_hash(key); // once for the lookup and the insert
        let found = self.expire_if_needed_hashed(dbi, key, h);
        if let Some(slot) = found {
            self.touch(dbi, slot); // as lookup_write
        }
        let slot = match found {
            Some(slot) => {
                let ttl = match expire {
                    Some(at) => db::NewTtl::At(at),
                    None if keep_ttl => db::NewTtl::Keep,
                    None => db::NewTtl::Clear,
                };
                self.srv.db_mut(dbi).replace_str(slot, val, ttl);
                slot
            }
            None => {
                let slot = self.srv.db_mut(dbi).insert_str(key, h, val, lru, expire);
                self.srv.notify(notify::NEW, "new", dbi, key);
                slot
            }
        };
        self.srv.signal_modified_key(dbi, key);
        slot
    }

    /// Adds a key known to be absent (after `lookup_write` said so).
    pub fn add_key(&mut self, key: &[u8], val: Value) -> usize {
        let dbi = self.client.db;
        let lru = self.new_lru();
        let slot = self.srv.db_mut(dbi).insert(key, val, None, lru);
        self.srv.notify(notify::NEW, "new", dbi, key);
        self.srv.signal_modified_key(dbi, key);
        slot
    }

    /// Deletes a live key (after expiry). Returns whether it existed.
    pub fn delete_key(&mut self, key: &[u8]) -> bool {
        let dbi = self.client.db;
        match self.lookup_write(key) {
            Some(slot) => {
                self.srv.db_mut(dbi).delete_at(slot);
                self.srv.signal_modified_key(dbi, key);
                true
            }
            None => false,
        }
    }

    /// Sets an absolute expiry on a live slot of the current database.
    pub fn set_expire(&mut self, slot: usize, at_ms: i64) {
        self.db().set_expire(slot, Some(at_ms));
    }

    /// Signals a modification of `key` in the current database (WATCH).
    pub fn modified(&mut self, key: &[u8]) {
        let dbi = self.client.db;
        self.srv.signal_modified_key(dbi, key);
    }

    /// Queues a keyspace event for `key` in the current database.
    pub fn notify(&mut self, class: u32, event: &'static str, key: &[u8]) {
        let dbi = self.client.db;
        self.srv.notify(class, event, dbi, key);
    }

    /// A zeroed buffer of `len` bytes, or OOM when the allocator cannot give it
    /// (a failed allocation in wasm would abort the instance and lose every key).
    pub fn try_zeroed(len: usize) -> Result<Vec<u8>> {
        let mut v: Vec<u8> = Vec::new();
        v.try_reserve_exact(len).map_err(|_| error::OOM)?;
        v.resize(len, 0);
        Ok(v)
    }
}

/// Turns a handler result into a reply.
pub fn into_reply(r: Result<Reply>) -> Reply {
    r.unwrap_or_else(Reply::Error)
}

pub(crate) fn err<T>(e: Error) -> Result<T> {
    Err(e)
}
