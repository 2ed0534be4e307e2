//! MEMORY: USAGE, STATS, DOCTOR, MALLOC-STATS, PURGE, HELP.
//!
//! Byte counts are ours, not jemalloc's: an entry costs its slot in the
//! database's dense array, its share of the hash index, the key bytes and the
//! value's heap bytes (`Db::entry_footprint`); the dataset is `Db::footprint`.
//! So MEMORY USAGE answers the same shape (an integer, nil for a missing key)
//! with a different number than Redis. `SAMPLES` is parsed and checked as
//! Redis does, but we always count exactly (our containers know their sizes).
//! The allocator figures in MEMORY STATS come from the wasm heap size when
//! compiled to wasm (`core::arch::wasm32::memory_size`), else equal the data.

#![deny(clippy::indexing_slicing)]

use super::{CommandSpec, Ctx, Keys, LOADING, READONLY, STALE};
use crate::args::Args;
use crate::error::{self, Result};
use crate::reply::Reply;

const SUBS: &[CommandSpec] = &[
    CommandSpec::sub("memory|doctor", "doctor", 2, 0, Keys::NONE, "server", memory_doctor),
    CommandSpec::sub("memory|help", "help", 2, LOADING | STALE, Keys::NONE, "server", memory_help),
    CommandSpec::sub("memory|malloc-stats", "malloc-stats", 2, 0, Keys::NONE, "server", memory_malloc_stats),
    CommandSpec::sub("memory|purge", "purge", 2, 0, Keys::NONE, "server", memory_purge),
    CommandSpec::sub("memory|stats", "stats", 2, 0, Keys::NONE, "server", memory_stats),
    CommandSpec::sub("memory|usage", "usage", -3, READONLY, Keys::one(2), "server", memory_usage),
];

pub(super) const COMMANDS: &[CommandSpec] = &[CommandSpec::container("memory", 0, "server", SUBS)];

/// Bytes the process holds for the store's heap: the wasm linear memory, or
/// (natively) the data itself.
pub fn heap_bytes(used: usize) -> usize {
    #[cfg(target_arch = "wasm32")]
    {
        let _ = used;
        core::arch::wasm32::memory_size(0) * 65536
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        used
    }
}

/// MEMORY USAGE key [SAMPLES count]
fn memory_usage(ctx: &mut Ctx, a: Args) -> Result<Reply> {
    let mut j = 3;
    while j < a.len() {
        if a.is(j, "SAMPLES") && j + 1 < a.len() {
            let n = a.i64(j + 1)?;
            if n < 0 {
                return Err(error::SYNTAX);
            }
            j += 2;
        } else {
            return Err(error::SYNTAX);
        }
    }
    // Redis's dictFind: no expiry, no stats, no access clock.
    let db = ctx.db_ref();
    Ok(match db.find(a.get(2).unwrap_or_default()) {
        Some(slot) => Reply::Int(db.entry_footprint(slot) as i64),
        None => Reply::Nil,
    })
}

/// MEMORY STATS
fn memory_stats(ctx: &mut Ctx, _: Args) -> Result<Reply> {
    let srv = &mut *ctx.srv;
    let used = srv.used_memory();
    srv.peak_memory = srv.peak_memory.max(used);
    let peak = srv.peak_memory;
    let startup = crate::server::BASELINE_MEMORY;
    let heap = heap_bytes(used);
    let mut out = Vec::new();
    let int = |out: &mut Vec<Reply>, k: &str, v: usize| {
        out.push(Reply::bulk_str(k));
        out.push(Reply::Int(v.min(i64::MAX as usize) as i64));
    };
    int(&mut out, "peak.allocated", peak);
    int(&mut out, "total.allocated", used);
    int(&mut out, "startup.allocated", startup);
    for k in ["replication.backlog", "clients.slaves", "clients.normal", "cluster.links", "aof.buffer", "lua.caches"]
    {
        int(&mut out, k, 0);
    }
    int(&mut out, "functions.caches", 0);
    let mut overhead = startup;
    let mut keys = 0usize;
    for (i, db) in srv.dbs.iter().enumerate() {
        if db.is_empty() {
            continue;
        }
        let (main, expires) = db.overhead();
        overhead += main + expires;
        keys += db.len();
        out.push(Reply::bulk(format!("db.{i}")));
        let mut m = Vec::new();
        int(&mut m, "overhead.hashtable.main", main);
        int(&mut m, "overhead.hashtable.expires", expires);
        int(&mut m, "overhead.hashtable.slot-to-keys", 0);
        out.push(Reply::Array(m));
    }
    let dataset = used.saturating_sub(overhead);
    let net = used.saturating_sub(startup);
    int(&mut out, "overhead.total", overhead);
    int(&mut out, "keys.count", keys);
    int(&mut out, "keys.bytes-per-key", net.checked_div(keys).unwrap_or(0));
    int(&mut out, "dataset.bytes", dataset);
    let pct = |a: usize, b: usize| if b == 0 { 0.0 } else { a as f64 * 100.0 / b as f64 };
    let dbl = |out: &mut Vec<Reply>, k: &str, v: f64| {
        out.push(Reply::bulk_str(k));
        out.push(Reply::bulk(fmt_17g(v)));
    };
    dbl(&mut out, "dataset.percentage", pct(dataset, net));
    dbl(&mut out, "peak.percentage", pct(used, peak));
    int(&mut out, "allocator.allocated", used);
    int(&mut out, "allocator.active", heap);
    int(&mut out, "allocator.resident", heap);
    let ratio = if used == 0 { 0.0 } else { heap as f64 / used as f64 };
    let extra = heap.saturating_sub(used);
    dbl(&mut out, "allocator-fragmentation.ratio", ratio);
    int(&mut out, "allocator-fragmentation.bytes", extra);
    dbl(&mut out, "allocator-rss.ratio", 1.0);
    int(&mut out, "allocator-rss.bytes", 0);
    dbl(&mut out, "rss-overhead.ratio", 1.0);
    int(&mut out, "rss-overhead.bytes", 0);
    dbl(&mut out, "fragmentation", ratio);
    int(&mut out, "fragmentation.bytes", extra);
    Ok(Reply::Array(out))
}

/// MEMORY DOCTOR
fn memory_doctor(ctx: &mut Ctx, _: Args) -> Result<Reply> {
    // Redis's text for an instance under 5 MB (it has nothing to diagnose there);
    // above that we report no issue, as Redis does when its checks pass.
    let text = if ctx.srv.used_memory() < 5 << 20 {
        "Hi Sam, this instance is empty or is using very little memory, my issues detector can't be used in these conditions. Please, leave for your mission on Earth and fill it with some data. The new Sam and I will be back to our programming as soon as I finished rebooting.\n"
    } else {
        "Hi Sam, I can't find any memory issue in your instance. I can only account for what occurs on this base.\n"
    };
    Ok(Reply::bulk_str(text))
}

/// MEMORY MALLOC-STATS
fn memory_malloc_stats(_: &mut Ctx, _: Args) -> Result<Reply> {
    // Redis answers this when built without jemalloc.
    Ok(Reply::bulk_str("Stats not supported for the current allocator"))
}

/// MEMORY PURGE
fn memory_purge(_: &mut Ctx, _: Args) -> Result<Reply> {
    Ok(Reply::OK)
}

const HELP: &[&str] = &[
    "MEMORY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
    "DOCTOR",
    "    Return memory problems reports.",
    "MALLOC-STATS",
    "    Return internal statistics report from the memory allocator.",
    "PURGE",
    "    Attempt to purge dirty pages for reclamation by the allocator.",
    "STATS",
    "    Return information about the memory usage of the server.",
    "USAGE <key> [SAMPLES <count>]",
    "    Return memory in bytes used by <key> and its value. Nested values are",
    "    sampled up to <count> times (default: 5, 0 means sample all).",
    "HELP",
    "    Prints this help.",
];

/// MEMORY HELP
fn memory_help(_: &mut Ctx, _: Args) -> Result<Reply> {
    Ok(Reply::Array(HELP.iter().map(|l| Reply::status(l)).collect()))
}

/// C's `%.17g`, as Redis's RESP2 `addReplyDouble` prints.
fn fmt_17g(v: f64) -> String {
    if v == 0.0 || !v.is_finite() {
        return if v.is_nan() { "nan".into() } else if v.is_infinite() { if v > 0.0 { "inf".into() } else { "-inf".into() } } else { "0".into() };
    }
    let exp = v.abs().log10().floor() as i32;
    if !(-5..17).contains(&exp) {
        let s = format!("{:.16e}", v);
        let (m, e) = s.split_once('e').unwrap_or((&s, "0"));
        let m = if m.contains('.') { m.trim_end_matches('0').trim_end_matches('.') } else { m };
        let e: i32 = e.parse().unwrap_or(0);
        return format!("{m}e{}{:02}", if e < 0 { '-' } else { '+' }, e.abs());
    }
    let decimals = (16 - exp).max(0) as usize;
    let s = format!("{:.*}", decimals, v);
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn g17() {
        assert_eq!(super::fmt_17g(99.75821685791016), "99.758216857910156");
        assert_eq!(super::fmt_17g(1.0), "1");
        assert_eq!(super::fmt_17g(0.0), "0");
    }
}
