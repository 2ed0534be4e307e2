//! Configuration parameters the store honours, with Redis's names.
//!
//! CONFIG GET/SET (in `cmd/server.rs`) read and write these through the
//! `PARAMS` table, so a parameter is listed once with its type and bounds.

#![deny(clippy::indexing_slicing)]

use crate::error;
use crate::notify;

#[derive(Clone, Debug)]
pub struct Config {
    /// Number of logical databases (immutable after start, as in Redis).
    pub databases: usize,
    /// Active expiry frequency (the JS timer and `maybe_active_expire` use 1000/hz ms).
    pub hz: u32,
    /// As set by the user, capped to 1..=500 as Redis does (CONFIG GET shows it).
    pub configured_hz: i64,
    /// Keyspace notification flags (`notify::*`).
    pub notify_keyspace_events: u32,
    /// Largest string value (SETRANGE, APPEND), bytes.
    pub proto_max_bulk_len: i64,
    /// Largest sparse HyperLogLog before it turns dense (`hll-sparse-max-bytes`).
    pub hll_sparse_max_bytes: usize,
    /// Largest set kept as an intset (`set-max-intset-entries`).
    pub set_max_intset_entries: usize,
    /// Largest hash kept as a listpack (`hash-max-listpack-entries`).
    pub hash_max_listpack_entries: usize,
    /// Longest field or value a listpack hash keeps (`hash-max-listpack-value`).
    pub hash_max_listpack_value: usize,
    /// Largest sorted set kept as a listpack (`zset-max-listpack-entries`).
    pub zset_max_listpack_entries: usize,
    /// Longest member a listpack sorted set holds (`zset-max-listpack-value`).
    pub zset_max_listpack_value: usize,
    /// Stream node limits (`stream-node-max-bytes`, `stream-node-max-entries`).
    pub stream_node_max_bytes: i64,
    pub stream_node_max_entries: i64,
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
            hash_max_listpack_entries: 512,
            hash_max_listpack_value: 64,
            zset_max_listpack_entries: 128,
            zset_max_listpack_value: 64,
            stream_node_max_bytes: 4096,
            stream_node_max_entries: 100,
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

// ---------------------------------------------------------------- CONFIG GET/SET

/// How a parameter's value is parsed, as Redis's `standardConfig` types.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// `createIntConfig` with `INTEGER_CONFIG`: `string2ll`, then signed bounds.
    Int { min: i64, max: i64 },
    /// `MEMORY_CONFIG` unsigned long long (maxmemory): `memtoull`, any value.
    MemoryU64,
    /// `MEMORY_CONFIG` long long (proto-max-bulk-len): `memtoull`, then signed bounds.
    MemoryI64 { min: i64, max: i64 },
    /// `maxmemory-policy`.
    Policy,
    /// `notify-keyspace-events`.
    Notify,
}

/// One parameter CONFIG GET/SET know.
#[derive(Debug)]
pub struct Param {
    pub name: &'static str,
    pub kind: Kind,
    /// `IMMUTABLE_CONFIG`: CONFIG SET refuses it.
    pub immutable: bool,
}

const INT_MAX: i64 = i32::MAX as i64;

/// The parameters we honour (Redis's names, bounds from its config.c).
pub const PARAMS: &[Param] = &[
    Param { name: "databases", kind: Kind::Int { min: 1, max: INT_MAX }, immutable: true },
    Param { name: "hz", kind: Kind::Int { min: 0, max: INT_MAX }, immutable: false },
    Param { name: "notify-keyspace-events", kind: Kind::Notify, immutable: false },
    Param {
        name: "proto-max-bulk-len",
        kind: Kind::MemoryI64 { min: 1024 * 1024, max: i64::MAX },
        immutable: false,
    },
    Param { name: "maxmemory", kind: Kind::MemoryU64, immutable: false },
    Param { name: "maxmemory-policy", kind: Kind::Policy, immutable: false },
    Param { name: "maxmemory-samples", kind: Kind::Int { min: 1, max: INT_MAX }, immutable: false },
    Param { name: "lfu-log-factor", kind: Kind::Int { min: 0, max: INT_MAX }, immutable: false },
    Param { name: "lfu-decay-time", kind: Kind::Int { min: 0, max: INT_MAX }, immutable: false },
    Param { name: "hash-max-listpack-entries", kind: Kind::Int { min: 0, max: i64::MAX }, immutable: false },
    Param { name: "hash-max-listpack-value", kind: Kind::MemoryI64 { min: 0, max: i64::MAX }, immutable: false },
    Param { name: "set-max-intset-entries", kind: Kind::Int { min: 0, max: i64::MAX }, immutable: false },
    Param { name: "zset-max-listpack-entries", kind: Kind::Int { min: 0, max: i64::MAX }, immutable: false },
    Param { name: "zset-max-listpack-value", kind: Kind::MemoryI64 { min: 0, max: i64::MAX }, immutable: false },
    Param { name: "hll-sparse-max-bytes", kind: Kind::MemoryI64 { min: 0, max: i64::MAX }, immutable: false },
    Param { name: "stream-node-max-bytes", kind: Kind::MemoryI64 { min: 0, max: i64::MAX }, immutable: false },
    Param { name: "stream-node-max-entries", kind: Kind::Int { min: 0, max: i64::MAX }, immutable: false },
];

/// Hz bounds Redis applies to the configured value (`CONFIG_MIN_HZ`, `CONFIG_MAX_HZ`).
const MIN_HZ: i64 = 1;
const MAX_HZ: i64 = 500;

/// A parsed value, ready to apply.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Setting {
    Int(i64),
    U64(u64),
    Policy(Policy),
    Notify(u32),
}

/// The parameter named `name`, ASCII case-insensitive.
pub fn lookup(name: &[u8]) -> Option<&'static Param> {
    PARAMS.iter().find(|p| p.name.as_bytes().eq_ignore_ascii_case(name))
}

/// What C sees of a binary argument: the bytes before the first NUL.
fn c_bytes(b: &[u8]) -> &[u8] {
    b.split(|&c| c == 0).next().unwrap_or(b)
}

/// Redis's `memtoull`: digits with an optional unit (b, k, kb, m, mb, g, gb, any case).
/// An empty digit string is 0; digits beyond 2^64-1 give 2^64-1 (strtoull); the
/// product wraps, as in C.
pub fn memtoull(s: &[u8]) -> Option<u64> {
    let s = c_bytes(s);
    if s.first() == Some(&b'-') {
        return None;
    }
    let (digits, unit) = s.split_at_checked(s.iter().take_while(|c| c.is_ascii_digit()).count())?;
    let mul: u64 = match unit.to_ascii_lowercase().as_slice() {
        b"" | b"b" => 1,
        b"k" => 1000,
        b"kb" => 1024,
        b"m" => 1000 * 1000,
        b"mb" => 1024 * 1024,
        b"g" => 1000 * 1000 * 1000,
        b"gb" => 1024 * 1024 * 1024,
        _ => return None,
    };
    if digits.len() >= 128 {
        return None;
    }
    let mut val: u64 = 0;
    for &c in digits {
        val = val.checked_mul(10).and_then(|v| v.checked_add((c - b'0') as u64)).unwrap_or(u64::MAX);
        if val == u64::MAX {
            break;
        }
    }
    Some(val.wrapping_mul(mul))
}

impl Param {
    /// Parses a CONFIG SET value; the error is Redis's reason text.
    pub fn parse(&self, v: &[u8]) -> Result<Setting, String> {
        match self.kind {
            Kind::Int { min, max } => {
                let n = crate::num::parse_i64(v)
                    .ok_or_else(|| error::CFG_NOT_INTEGER.to_string())?;
                if n < min || n > max {
                    return Err(error::cfg_between(min, max));
                }
                Ok(Setting::Int(n))
            }
            Kind::MemoryU64 => {
                memtoull(v).map(Setting::U64).ok_or_else(|| error::CFG_NOT_MEMORY.into())
            }
            Kind::MemoryI64 { min, max } => {
                let n = memtoull(v).ok_or_else(|| error::CFG_NOT_MEMORY.to_string())? as i64;
                if n < min || n > max {
                    return Err(error::cfg_between(min, max));
                }
                Ok(Setting::Int(n))
            }
            Kind::Policy => Policy::parse(c_bytes(v)).map(Setting::Policy).ok_or_else(|| {
                let names: Vec<&str> = Policy::ALL.iter().map(|p| p.name()).collect();
                error::cfg_one_of(&names)
            }),
            Kind::Notify => notify::parse_flags(c_bytes(v))
                .map(Setting::Notify)
                .ok_or_else(|| error::CFG_BAD_NOTIFY.into()),
        }
    }
}

impl Config {
    /// CONFIG GET's text for a parameter.
    pub fn get(&self, p: &Param) -> String {
        match p.name {
            "databases" => self.databases.to_string(),
            "hz" => self.configured_hz.to_string(),
            "notify-keyspace-events" => self.notify_string(),
            "proto-max-bulk-len" => self.proto_max_bulk_len.to_string(),
            "maxmemory" => self.maxmemory.to_string(),
            "maxmemory-policy" => self.maxmemory_policy.name().to_string(),
            "maxmemory-samples" => self.maxmemory_samples.to_string(),
            "lfu-log-factor" => self.lfu_log_factor.to_string(),
            "lfu-decay-time" => self.lfu_decay_time.to_string(),
            "hash-max-listpack-entries" => self.hash_max_listpack_entries.to_string(),
            "hash-max-listpack-value" => self.hash_max_listpack_value.to_string(),
            "set-max-intset-entries" => self.set_max_intset_entries.to_string(),
            "zset-max-listpack-entries" => self.zset_max_listpack_entries.to_string(),
            "zset-max-listpack-value" => self.zset_max_listpack_value.to_string(),
            "hll-sparse-max-bytes" => self.hll_sparse_max_bytes.to_string(),
            "stream-node-max-bytes" => self.stream_node_max_bytes.to_string(),
            "stream-node-max-entries" => self.stream_node_max_entries.to_string(),
            _ => String::new(),
        }
    }

    /// Applies a value parsed by [`Param::parse`] for the same parameter.
    pub fn set(&mut self, p: &Param, s: Setting) {
        let small = |n: i64| n.clamp(0, INT_MAX) as u32;
        match (p.name, s) {
            ("hz", Setting::Int(n)) => {
                // Redis's updateHZ caps the configured value itself (CONFIG GET shows 500).
                self.configured_hz = n.clamp(MIN_HZ, MAX_HZ);
                self.hz = self.configured_hz as u32;
            }
            ("notify-keyspace-events", Setting::Notify(f)) => self.notify_keyspace_events = f,
            ("proto-max-bulk-len", Setting::Int(n)) => self.proto_max_bulk_len = n,
            ("maxmemory", Setting::U64(n)) => self.maxmemory = n,
            ("maxmemory-policy", Setting::Policy(pol)) => self.maxmemory_policy = pol,
            ("maxmemory-samples", Setting::Int(n)) => self.maxmemory_samples = small(n),
            ("lfu-log-factor", Setting::Int(n)) => self.lfu_log_factor = small(n),
            ("lfu-decay-time", Setting::Int(n)) => self.lfu_decay_time = small(n),
            ("hash-max-listpack-entries", Setting::Int(n)) => self.hash_max_listpack_entries = n.max(0) as usize,
            ("hash-max-listpack-value", Setting::Int(n)) => self.hash_max_listpack_value = n.max(0) as usize,
            ("set-max-intset-entries", Setting::Int(n)) => self.set_max_intset_entries = n.max(0) as usize,
            ("zset-max-listpack-entries", Setting::Int(n)) => self.zset_max_listpack_entries = n.max(0) as usize,
            ("zset-max-listpack-value", Setting::Int(n)) => self.zset_max_listpack_value = n.max(0) as usize,
            ("hll-sparse-max-bytes", Setting::Int(n)) => self.hll_sparse_max_bytes = n.max(0) as usize,
            ("stream-node-max-bytes", Setting::Int(n)) => self.stream_node_max_bytes = n,
            ("stream-node-max-entries", Setting::Int(n)) => self.stream_node_max_entries = n,
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memory_units() {
        assert_eq!(memtoull(b"64mb"), Some(64 << 20));
        assert_eq!(memtoull(b"1GB"), Some(1 << 30));
        assert_eq!(memtoull(b"1g"), Some(1_000_000_000));
        assert_eq!(memtoull(b""), Some(0));
        assert_eq!(memtoull(b"kb"), Some(0));
        assert_eq!(memtoull(b"99999999999999999999999"), Some(u64::MAX));
        assert_eq!(memtoull(b"18446744073709551615kb"), Some(18446744073709550592));
        assert_eq!(memtoull(b"-1"), None);
        assert_eq!(memtoull(b"0x10"), None);
        assert_eq!(memtoull(b"1.5"), None);
        assert_eq!(memtoull(b"10\0zz"), Some(10));
    }
}
