//! `maxmemory` eviction: Redis's `performEvictions` (evict.c), run by the
//! dispatcher before each command while a limit is set.
//!
//! The LRU, LFU and TTL policies use Redis's approximation: each round samples
//! `maxmemory-samples` keys per database (from all keys, or from the keys with
//! a TTL for `volatile-*`), scores them (idle seconds, 255 − LFU counter, or
//! "expires sooner"), keeps the best 16 candidates in a pool that survives
//! between calls, and evicts the best candidate still present. The random
//! policies pick a random key, visiting databases round-robin. Each eviction
//! counts `evicted_keys`, emits the `evicted` keyspace event and signals WATCH.
//!
//! Where we differ from Redis, on purpose: Redis evicts only once memory is
//! already over the limit, so one big write can overshoot it. We evict until
//! the data *plus the incoming command's argument bytes* fit, and refuse a
//! DENYOOM command whose arguments alone can never fit (without evicting
//! anything), so a store never grows past its limit and a value larger than
//! `maxmemory` is refused whole.

#![deny(clippy::indexing_slicing)]

use crate::cmd::keys::lfu_value;
use crate::config::Policy;
use crate::notify;
use crate::server::Server;

/// Redis's EVPOOL_SIZE.
const POOL_SIZE: usize = 16;
/// Accounting overhead we add per key an incoming command may create.
pub const PER_KEY_OVERHEAD: usize = 64;

/// One candidate: its score (higher = evict first), database, slot, and the
/// hash of its key. Slots move when other keys are removed, so a candidate is
/// checked before use: the entry now in its slot must hash the same (Redis
/// keeps a copy of the key instead; the hash costs no allocation per sample).
#[derive(Debug)]
struct Candidate {
    score: u64,
    db: usize,
    slot: usize,
    hash: u64,
}

/// The candidates kept between eviction rounds, sorted by ascending score.
#[derive(Debug, Default)]
pub struct Pool {
    items: Vec<Candidate>,
    /// Round-robin start for the random policies (Redis's static `next_db`).
    next_db: usize,
}

impl Pool {
    /// Redis's `evictionPoolPopulate`: inserts a candidate if it scores better
    /// than the worst kept, or there is room.
    fn offer(&mut self, score: u64, db: usize, slot: usize, hash: u64) {
        if self.items.iter().any(|c| c.db == db && c.slot == slot) {
            return;
        }
        let pos = self.items.partition_point(|c| c.score < score);
        if self.items.len() >= POOL_SIZE {
            if pos == 0 {
                return; // worse than every kept candidate
            }
            // Drop the worst (first) to make room; the new one goes one place lower.
            self.items.remove(0);
            self.items.insert(pos - 1, Candidate { score, db, slot, hash });
        } else {
            self.items.insert(pos, Candidate { score, db, slot, hash });
        }
    }
}

/// Outcome of `perform_evictions`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Evict {
    /// Within the limit (possibly after evicting).
    Ok,
    /// Over the limit and nothing (more) can be evicted.
    Fail,
}

impl Server {
    /// Bytes counted against `maxmemory` (Redis subtracts replication buffers
    /// and AOF buffers, which we do not have).
    pub fn memory_for_limit(&self) -> usize {
        self.used_memory()
    }

    /// Evicts keys under the current policy until `used + incoming` fits in
    /// `maxmemory`. `incoming` is the size of what the next command may add.
    /// With `grow_db`, also room for the arrays of that database to grow if the
    /// command adds a key (evicting one key from a full array avoids the growth).
    pub fn perform_evictions(&mut self, incoming: usize, grow_db: Option<usize>, now: i64) -> Evict {
        let max = self.config.maxmemory;
        if max == 0 {
            return Evict::Ok;
        }
        let max = usize::try_from(max).unwrap_or(usize::MAX);
        let fits = |srv: &Server| {
            let growth = grow_db.and_then(|d| srv.dbs.get(d)).map_or(0, |d| d.growth_on_insert());
            srv.memory_for_limit().saturating_add(incoming).saturating_add(growth) <= max
        };
        if fits(self) {
            return Evict::Ok;
        }
        let policy = self.config.maxmemory_policy;
        if policy == Policy::NoEviction {
            return Evict::Fail;
        }
        // What remains when every key is gone: if the incoming data cannot fit
        // even then, refuse without evicting anything.
        let empty = self.used_memory().saturating_sub(self.dbs.iter().map(|d| d.footprint()).sum::<usize>());
        if empty.saturating_add(incoming) > max {
            return Evict::Fail;
        }
        while !fits(self) {
            let Some((dbi, slot)) = self.pick_victim(policy, now) else {
                return Evict::Fail;
            };
            let Some(db) = self.dbs.get_mut(dbi) else { return Evict::Fail };
            let key = db.key(slot).to_vec();
            db.delete_at(slot);
            self.stats.evicted_keys += 1;
            self.notify(notify::EVICTED, "evicted", dbi, &key);
            self.signal_modified_key(dbi, &key);
        }
        Evict::Ok
    }

    /// The next key to evict, as `(db, slot)`.
    fn pick_victim(&mut self, policy: Policy, now: i64) -> Option<(usize, usize)> {
        let volatile = matches!(
            policy,
            Policy::VolatileLru | Policy::VolatileLfu | Policy::VolatileRandom | Policy::VolatileTtl
        );
        if matches!(policy, Policy::AllkeysRandom | Policy::VolatileRandom) {
            let n = self.dbs.len();
            for _ in 0..n {
                let dbi = self.evict_pool.next_db % n;
                self.evict_pool.next_db = (self.evict_pool.next_db + 1) % n;
                let Some(db) = self.dbs.get(dbi) else { continue };
                let slot =
                    if volatile { db.random_volatile_slot(&mut self.rng) } else { db.random_slot(&mut self.rng) };
                if let Some(slot) = slot {
                    return Some((dbi, slot));
                }
            }
            return None;
        }
        loop {
            // Populate the pool from every database.
            let mut total = 0;
            let samples = self.config.maxmemory_samples.max(1) as usize;
            for dbi in 0..self.dbs.len() {
                let Some(db) = self.dbs.get(dbi) else { continue };
                let n = if volatile { db.volatile_len() } else { db.len() };
                if n == 0 {
                    continue;
                }
                total += n;
                for _ in 0..samples.min(n) {
                    let Some(db) = self.dbs.get(dbi) else { break };
                    let slot =
                        if volatile { db.random_volatile_slot(&mut self.rng) } else { db.random_slot(&mut self.rng) };
                    let Some(slot) = slot else { break };
                    let score = self.score(policy, db.lru(slot), db.expire_of(slot), now);
                    let hash = db.key_hash(db.key(slot));
                    self.evict_pool.offer(score, dbi, slot, hash);
                }
            }
            if total == 0 {
                return None;
            }
            // Best candidate first (end of the pool); skip ghosts.
            while let Some(c) = self.evict_pool.items.pop() {
                let Some(db) = self.dbs.get(c.db) else { continue };
                if c.slot < db.len()
                    && db.key_hash(db.key(c.slot)) == c.hash
                    && (!volatile || db.expire_of(c.slot).is_some())
                {
                    return Some((c.db, c.slot));
                }
            }
        }
    }

    /// Redis's pool score: idle time (LRU), 255 − counter (LFU), or how soon the
    /// key expires (TTL): higher is evicted first.
    fn score(&self, policy: Policy, lru: u32, expire: Option<i64>, now: i64) -> u64 {
        match policy {
            Policy::VolatileTtl => u64::MAX - expire.unwrap_or(i64::MAX).max(0) as u64,
            Policy::VolatileLfu | Policy::AllkeysLfu => {
                255 - lfu_value(lru, now, self.config.lfu_decay_time).min(255) as u64
            }
            _ => {
                // Redis's estimateObjectIdleTime on a seconds clock (24 bits wrap).
                let clock = ((now.max(0) / 1000) as u64) & 0xFF_FFFF;
                let last = lru as u64 & 0xFF_FFFF;
                if clock >= last {
                    clock - last
                } else {
                    clock + (0xFF_FFFF - last)
                }
            }
        }
    }
}
