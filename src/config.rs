//! Configuration parameters the store honours, with Redis's names.
//!
//! CONFIG GET/SET (in `cmd/server.rs`) read and write these through the
//! `PARAMS` table, so a parameter is listed once with its type and bounds.

use crate::notify;

#[derive(Clone, Debug)]
pub struct Config {
    /// Number of logical databases (immutable after start, as in Redis).
    pub databases: usize,
    /// Active expiry frequency (the JS timer and `maybe_active_expire` use 1000/hz ms).
    pub hz: u32,
    /// As set by the user (CONFIG GET shows it; `hz` is it clamped to 1..=500).
    pub configured_hz: i64,
    /// Keyspace notification flags (`notify::*`).
    pub notify_keyspace_events: u32,
    /// Largest string value (SETRANGE, APPEND), bytes.
    pub proto_max_bulk_len: i64,
    /// Largest sparse HyperLogLog before it turns dense (`hll-sparse-max-bytes`).
    pub hll_sparse_max_bytes: usize,
    /// Largest set kept as an intset (`set-max-intset-entries`).
    pub set_max_intset_entries: usize,
    /// Largest sorted set kept as a listpack (`zset-max-listpack-entries`).
    pub zset_max_listpack_entries: usize,
    /// Longest member a listpack sorted set holds (`zset-max-listpack-value`).
    pub zset_max_listpack_value: usize,
    /// Memory limit in bytes; 0 = none (`maxmemory`).
    pub maxmemory: u64,
    /// What to do at the limit (`maxmemory-policy`).
    pub maxmemory_policy: Policy,
    /// Keys sampled per eviction (`maxmemory-samples`).
    pub maxmemory_samples: u32,
    /// LFU counter logarithm factor (`lfu-log-factor`).
    pub lfu_log_factor: u32,
    /// Minutes for the LFU counter to halve (`lfu-decay-time`).
    pub lfu_decay_time: u32,
}

/// Redis's eviction policies, with their config names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Policy {
    VolatileLru,
    VolatileLfu,
    VolatileRandom,
    VolatileTtl,
    AllkeysLru,
    AllkeysLfu,
    AllkeysRandom,
    NoEviction,
}

impl Policy {
    pub const ALL: [Policy; 8] = [
        Policy::VolatileLru,
        Policy::VolatileLfu,
        Policy::VolatileRandom,
        Policy::VolatileTtl,
        Policy::AllkeysLru,
        Policy::AllkeysLfu,
        Policy::AllkeysRandom,
        Policy::NoEviction,
    ];
    pub fn name(self) -> &'static str {
        match self {
            Policy::VolatileLru => "volatile-lru",
            Policy::VolatileLfu => "volatile-lfu",
            Policy::VolatileRandom => "volatile-random",
            Policy::VolatileTtl => "volatile-ttl",
            Policy::AllkeysLru => "allkeys-lru",
            Policy::AllkeysLfu => "allkeys-lfu",
            Policy::AllkeysRandom => "allkeys-random",
            Policy::NoEviction => "noeviction",
        }
    }
    /// Case-insensitive, as Redis's enum configs.
    pub fn parse(s: &[u8]) -> Option<Policy> {
        Policy::ALL.into_iter().find(|p| p.name().as_bytes().eq_ignore_ascii_case(s))
    }
    /// The LFU policies keep a frequency counter in each entry instead of an access time.
    pub fn is_lfu(self) -> bool {
        matches!(self, Policy::VolatileLfu | Policy::AllkeysLfu)
    }
}

impl Config {
    pub fn new(databases: usize) -> Config {
        Config {
            databases,
            hz: 10,
            configured_hz: 10,
            notify_keyspace_events: 0,
            proto_max_bulk_len: 512 * 1024 * 1024,
            hll_sparse_max_bytes: 3000,
            set_max_intset_entries: 512,
            zset_max_listpack_entries: 128,
            zset_max_listpack_value: 64,
            maxmemory: 0,
            maxmemory_policy: Policy::NoEviction,
            maxmemory_samples: 5,
            lfu_log_factor: 10,
            lfu_decay_time: 1,
        }
    }

    pub fn notify_string(&self) -> String {
        notify::flags_to_string(self.notify_keyspace_events)
    }
}
