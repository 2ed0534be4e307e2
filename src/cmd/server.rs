//! Server and connection commands: PING ECHO SELECT SWAPDB FLUSHDB FLUSHALL
//! INFO TIME COMMAND CONFIG.
//!
//! COMMAND INFO/DOCS answer from the metadata recorded from redis-server 7.0
//! (`meta.rs`); COMMAND, COUNT and LIST follow OUR table, so they list only
//! the commands we support. CONFIG GET/SET work on `config::PARAMS`; CONFIG SET
//! parses every value before applying any, so it is atomic as Redis's is.
//! INFO prints Redis's section headers and field names for the values we have.
//!
//! Arguments come from slice patterns on argv; their `else` branch (a syntax
//! error) is unreachable once the dispatcher has checked the arity.

#![deny(clippy::indexing_slicing)]

use super::*;
use crate::config::{self, Param, Setting};
use crate::glob;
use meta::{BeginSearch, FindKeys, KeySpec};
use std::fmt::Write as _;

/// Containers Redis builds with a handler of their own (COMMAND with no subcommand).
const fn with_handler(mut spec: CommandSpec, arity: i32, handler: Handler) -> CommandSpec {
    spec.arity = arity;
    spec.handler = handler;
    spec
}

const CMD_SUB: u32 = LOADING | STALE | SENTINEL;
const CFG_SUB: u32 = ADMIN | NOSCRIPT | LOADING | STALE;

const COMMAND_SUBS: &[CommandSpec] = &[
    CommandSpec::sub("command|count", "count", 2, CMD_SUB, Keys::NONE, "server", command_count),
    CommandSpec::sub("command|docs", "docs", -2, CMD_SUB, Keys::NONE, "server", command_docs),
    CommandSpec::sub("command|getkeys", "getkeys", -4, CMD_SUB, Keys::NONE, "server", command_getkeys),
    CommandSpec::sub("command|getkeysandflags", "getkeysandflags", -4, CMD_SUB, Keys::NONE, "server", command_getkeysandflags),
    CommandSpec::sub("command|help", "help", 2, CMD_SUB, Keys::NONE, "server", command_help),
    CommandSpec::sub("command|info", "info", -2, CMD_SUB, Keys::NONE, "server", command_info),
    CommandSpec::sub("command|list", "list", -2, CMD_SUB, Keys::NONE, "server", command_list),
];

const CONFIG_SUBS: &[CommandSpec] = &[
    CommandSpec::sub("config|get", "get", -3, CFG_SUB, Keys::NONE, "server", config_get),
    CommandSpec::sub("config|help", "help", 2, LOADING | STALE, Keys::NONE, "server", config_help),
    CommandSpec::sub("config|resetstat", "resetstat", 2, CFG_SUB, Keys::NONE, "server", config_resetstat),
    CommandSpec::sub("config|rewrite", "rewrite", 2, CFG_SUB, Keys::NONE, "server", config_rewrite),
    CommandSpec::sub("config|set", "set", -4, CFG_SUB, Keys::NONE, "server", config_set),
];

pub(crate) const COMMANDS: &[CommandSpec] = &[
    CommandSpec::new("ping", -1, FAST | SENTINEL, Keys::NONE, "connection", ping),
    CommandSpec::new("echo", 2, LOADING | STALE | FAST, Keys::NONE, "connection", echo),
    CommandSpec::new("select", 2, LOADING | STALE | FAST, Keys::NONE, "connection", select),
    CommandSpec::new("swapdb", 3, WRITE | FAST, Keys::NONE, "server", swapdb),
    CommandSpec::new("flushdb", -1, WRITE, Keys::NONE, "server", flushdb),
    CommandSpec::new("flushall", -1, WRITE, Keys::NONE, "server", flushall),
    CommandSpec::new("info", -1, LOADING | STALE | SENTINEL, Keys::NONE, "server", info),
    CommandSpec::new("time", 1, LOADING | STALE | FAST, Keys::NONE, "server", time),
    with_handler(CommandSpec::container("command", CMD_SUB, "server", COMMAND_SUBS), -1, command_all),
    CommandSpec::container("config", 0, "server", CONFIG_SUBS),
];

// ------------------------------------------------------------------ connection

/// PING [message]
fn ping(ctx: &mut Ctx, a: Args) -> Result<Reply> {
    // pubsub: a subscribed connection gets ["pong", message-or-""] (RESP2).
    if a.len() <= 2 && ctx.srv.pubsub.is_subscribed(ctx.client.id) {
        return Ok(Reply::Array(vec![Reply::bulk_str("pong"), Reply::bulk(a.get(1).unwrap_or(b""))]));
    }
    match *a.all() {
        [_] => Ok(Reply::status("PONG")),
        [_, message] => Ok(Reply::bulk(message)),
        _ => Err(error::wrong_arity("ping")),
    }
}

/// ECHO message
fn echo(_: &mut Ctx, a: Args) -> Result<Reply> {
    let &[_, message, ..] = a.all() else { return Err(error::SYNTAX) };
    Ok(Reply::bulk(message))
}

/// SELECT index
fn select(ctx: &mut Ctx, a: Args) -> Result<Reply> {
    let &[_, index, ..] = a.all() else { return Err(error::SYNTAX) };
    let Some(i) = num::parse_i64(index) else {
        return Err(error::NOT_INTEGER);
    };
    if i < i32::MIN as i64 || i > i32::MAX as i64 {
        return Err(error::out_of_range_between(i32::MIN as i64, i32::MAX as i64));
    }
    if i < 0 || i >= ctx.srv.dbs.len() as i64 {
        return Err(error::DB_INDEX_OUT_OF_RANGE);
    }
    ctx.client.db = i as usize;
    Ok(Reply::OK)
}

// ------------------------------------------------------------------- keyspace

/// A C `int` argument (`getIntFromObjectOrReply`), with the given error.
fn int_arg(b: &[u8], e: Error) -> Result<i64> {
    match num::parse_i64(b) {
        Some(n) if n >= i32::MIN as i64 && n <= i32::MAX as i64 => Ok(n),
        _ => Err(e),
    }
}

/// SWAPDB index1 index2
fn swapdb(ctx: &mut Ctx, a: Args) -> Result<Reply> {
    let &[_, x, y, ..] = a.all() else { return Err(error::SYNTAX) };
    let x = int_arg(x, error::INVALID_FIRST_DB_INDEX)?;
    let y = int_arg(y, error::INVALID_SECOND_DB_INDEX)?;
    let n = ctx.srv.dbs.len() as i64;
    if x < 0 || x >= n || y < 0 || y >= n {
        return Err(error::DB_INDEX_OUT_OF_RANGE);
    }
    let (x, y) = (x as usize, y as usize);
    if x == y {
        return Ok(Reply::OK);
    }
    let now = ctx.now;
    ctx.srv.touch_all_watched_in_db(x, Some(y), now);
    ctx.srv.touch_all_watched_in_db(y, Some(x), now);
    ctx.srv.dbs.swap(x, y);
    Ok(Reply::OK)
}

/// The optional SYNC|ASYNC of FLUSHDB / FLUSHALL (both flush at once here).
fn flush_mode(a: Args) -> Result<()> {
    match a.len() {
        1 => Ok(()),
        2 if a.is(1, "SYNC") || a.is(1, "ASYNC") => Ok(()),
        _ => Err(error::SYNTAX),
    }
}

impl<'a> Ctx<'a> {
    /// Empties database `dbi`, breaking the WATCHes on its keys (`emptyData`).
    fn flush_db(&mut self, dbi: usize) {
        let now = self.now;
        self.srv.touch_all_watched_in_db(dbi, None, now);
        if let Some(db) = self.srv.dbs.get_mut(dbi) {
            *db = Db::new();
        }
    }
}

/// FLUSHDB [ASYNC|SYNC]
fn flushdb(ctx: &mut Ctx, a: Args) -> Result<Reply> {
    flush_mode(a)?;
    let dbi = ctx.dbi();
    ctx.flush_db(dbi);
    Ok(Reply::OK)
}

/// FLUSHALL [ASYNC|SYNC]
fn flushall(ctx: &mut Ctx, a: Args) -> Result<Reply> {
    flush_mode(a)?;
    for dbi in 0..ctx.srv.dbs.len() {
        ctx.flush_db(dbi);
    }
    Ok(Reply::OK)
}

// ----------------------------------------------------------------------- TIME

/// TIME
fn time(ctx: &mut Ctx, _: Args) -> Result<Reply> {
    let us = ctx.srv.now_us();
    Ok(Reply::Array(vec![
        Reply::bulk(us.div_euclid(1_000_000).to_string()),
        Reply::bulk(us.rem_euclid(1_000_000).to_string()),
    ]))
}

// ----------------------------------------------------------------------- INFO

/// The version we answer as, so that clients parsing `redis_version` see 7.0.
pub const REDIS_VERSION: &str = "7.0.15";

/// The sections we produce, in Redis's order; the flag marks those in `default`.
const SECTIONS: &[(&str, bool)] = &[
    ("server", true),
    ("clients", true),
    ("memory", true),
    ("persistence", true),
    ("stats", true),
    ("replication", true),
    ("cluster", true),
    ("keyspace", true),
];

/// Redis's `bytesToHuman`.
pub fn bytes_to_human(n: u64) -> String {
    const K: f64 = 1024.0;
    let d = n as f64;
    match n {
        0..=1023 => format!("{n}B"),
        _ if n < 1 << 20 => format!("{:.2}K", d / K),
        _ if n < 1 << 30 => format!("{:.2}M", d / (K * K)),
        _ if n < 1 << 40 => format!("{:.2}G", d / (K * K * K)),
        _ if n < 1 << 50 => format!("{:.2}T", d / (K * K * K * K)),
        _ if n < 1 << 60 => format!("{:.2}P", d / (K * K * K * K * K)),
        _ => format!("{n}B"),
    }
}

impl<'a> Ctx<'a> {
    /// The text of one INFO section (with its `# Title` line).
    fn info_section(&mut self, name: &str) -> String {
        let mut s = String::new();
        let srv = &mut *self.srv;
        let now = self.now;
        let uptime = now.saturating_sub(srv.start_ms).max(0) / 1000;
        macro_rules! field {
            ($k:expr, $v:expr) => {
                let _ = write!(s, "{}:{}\r\n", $k, $v);
            };
        }
        match name {
            "server" => {
                s.push_str("# Server\r\n");
                field!("redis_version", REDIS_VERSION);
                field!("cinnabar_version", env!("CARGO_PKG_VERSION"));
                field!("redis_git_sha1", "00000000");
                field!("redis_git_dirty", 0);
                field!("redis_mode", "standalone");
                field!("os", format!("{} {}", std::env::consts::OS, std::env::consts::ARCH));
                field!("arch_bits", usize::BITS);
                field!("process_id", 0);
                field!("tcp_port", 0);
                field!("server_time_usec", srv.now_us());
                field!("uptime_in_seconds", uptime);
                field!("uptime_in_days", uptime / 86_400);
                field!("hz", srv.config.hz);
                field!("configured_hz", srv.config.configured_hz);
                field!("lru_clock", (now.max(0) / 1000) & 0xFF_FFFF);
                field!("executable", "");
                field!("config_file", "");
                field!("io_threads_active", 0);
            }
            "clients" => {
                s.push_str("# Clients\r\n");
                field!("connected_clients", srv.connected_clients);
                field!("cluster_connections", 0);
                field!("maxclients", 10000);
                field!("client_recent_max_input_buffer", 0);
                field!("client_recent_max_output_buffer", 0);
                field!("blocked_clients", srv.blocking.blocked_clients());
                field!("tracking_clients", 0);
                field!("clients_in_timeout_table", 0);
            }
            "memory" => {
                let used = srv.used_memory();
                srv.peak_memory = srv.peak_memory.max(used);
                let peak = srv.peak_memory;
                let max = srv.config.maxmemory;
                s.push_str("# Memory\r\n");
                // rss: the wasm linear memory (what the isolate holds), natively the data.
                let rss = super::memory::heap_bytes(used);
                let startup = crate::server::BASELINE_MEMORY;
                let overhead = startup + srv.dbs.iter().map(|d| d.overhead().0 + d.overhead().1).sum::<usize>();
                let dataset = used.saturating_sub(overhead);
                field!("used_memory", used);
                field!("used_memory_human", bytes_to_human(used as u64));
                field!("used_memory_rss", rss);
                field!("used_memory_rss_human", bytes_to_human(rss as u64));
                field!("used_memory_peak", peak);
                field!("used_memory_peak_human", bytes_to_human(peak as u64));
                field!("used_memory_peak_perc", format!("{:.2}%", used as f64 * 100.0 / peak.max(1) as f64));
                field!("used_memory_overhead", overhead);
                field!("used_memory_startup", startup);
                field!("used_memory_dataset", dataset);
                let net = used.saturating_sub(startup).max(1);
                field!("used_memory_dataset_perc", format!("{:.2}%", dataset as f64 * 100.0 / net as f64));
                field!("maxmemory", max as i64);
                field!("maxmemory_human", bytes_to_human(max));
                field!("maxmemory_policy", srv.config.maxmemory_policy.name());
                field!("mem_fragmentation_ratio", format!("{:.2}", rss as f64 / used.max(1) as f64));
                field!("mem_fragmentation_bytes", rss as i64 - used as i64);
                field!("mem_not_counted_for_evict", 0);
                field!("mem_allocator", "libc");
                field!("lazyfree_pending_objects", 0);
                field!("lazyfreed_objects", 0);
            }
            "persistence" => {
                s.push_str("# Persistence\r\n");
                field!("loading", 0);
                field!("async_loading", 0);
                field!("rdb_bgsave_in_progress", 0);
                field!("aof_enabled", 0);
                field!("aof_rewrite_in_progress", 0);
            }
            "stats" => {
                let st = &srv.stats;
                s.push_str("# Stats\r\n");
                field!("total_connections_received", srv.total_connections);
                field!("total_commands_processed", st.total_commands_processed);
                field!("instantaneous_ops_per_sec", 0);
                field!("expired_keys", st.expired_keys);
                field!("expired_stale_perc", format!("{:.2}", st.expired_stale_perc * 100.0));
                field!("expired_time_cap_reached_count", st.expired_time_cap_reached_count);
                field!("expire_cycle_cpu_milliseconds", st.expire_cycle_cpu_milliseconds);
                field!("evicted_keys", st.evicted_keys);
                field!("keyspace_hits", st.keyspace_hits);
                field!("keyspace_misses", st.keyspace_misses);
                field!("total_error_replies", st.total_error_replies);
            }
            "replication" => {
                s.push_str("# Replication\r\n");
                field!("role", "master");
                field!("connected_slaves", 0);
            }
            "cluster" => {
                s.push_str("# Cluster\r\n");
                field!("cluster_enabled", 0);
            }
            "keyspace" => {
                s.push_str("# Keyspace\r\n");
                for (i, db) in srv.dbs.iter().enumerate() {
                    if db.is_empty() {
                        continue;
                    }
                    let (mut vkeys, mut ttl_sum) = (0i64, 0i128);
                    for slot in 0..db.len() {
                        if let Some(t) = db.get(slot).and_then(|e| e.expire()) {
                            vkeys += 1;
                            ttl_sum += t.saturating_sub(now).max(0) as i128;
                        }
                    }
                    let avg = if vkeys > 0 { (ttl_sum / vkeys as i128) as i64 } else { 0 };
                    let _ = write!(s, "db{i}:keys={},expires={vkeys},avg_ttl={avg}\r\n", db.len());
                }
            }
            _ => {}
        }
        s
    }
}

/// INFO [section [section ...]]
fn info(ctx: &mut Ctx, a: Args) -> Result<Reply> {
    let (mut all, mut wanted) = (a.len() == 1, Vec::<&str>::new());
    for arg in a.from(1) {
        let arg = error::c_str(arg, usize::MAX).to_ascii_lowercase();
        match arg.as_str() {
            "default" => wanted.extend(SECTIONS.iter().filter(|s| s.1).map(|s| s.0)),
            "all" | "everything" => all = true,
            other => {
                if let Some((name, _)) = SECTIONS.iter().find(|s| s.0 == other) {
                    wanted.push(name);
                }
            }
        }
    }
    let mut out = String::new();
    for (name, default) in SECTIONS {
        let on = if a.len() == 1 { *default } else { all || wanted.contains(name) };
        if on {
            if !out.is_empty() {
                out.push_str("\r\n");
            }
            out.push_str(&ctx.info_section(name));
        }
    }
    Ok(Reply::Bulk(out.into_bytes()))
}

// -------------------------------------------------------------------- COMMAND

/// Redis's `lookupCommandBySds`: `name` or `container|sub`, case-insensitive.
fn lookup_fullname(name: &[u8]) -> Option<&'static CommandSpec> {
    let mut parts = name.split(|&b| b == b'|');
    let base = parts.next()?;
    let sub = parts.next();
    if name.is_empty() || parts.next().is_some() {
        return None;
    }
    let spec = lookup(base)?;
    match sub {
        None => Some(spec),
        Some(sub) => spec.subcommands.iter().find(|s| s.name.as_bytes().eq_ignore_ascii_case(sub)),
    }
}

/// COMMAND
fn command_all(_: &mut Ctx, _: Args) -> Result<Reply> {
    Ok(Reply::Array(all_commands().iter().map(|s| meta::info(s)).collect()))
}

/// COMMAND COUNT
fn command_count(_: &mut Ctx, _: Args) -> Result<Reply> {
    Ok(Reply::Int(all_commands().len() as i64))
}

/// COMMAND INFO [command-name ...]
fn command_info(ctx: &mut Ctx, a: Args) -> Result<Reply> {
    if a.len() == 2 {
        return command_all(ctx, a);
    }
    Ok(Reply::Array(
        a.from(2).iter().map(|n| lookup_fullname(n).map_or(Reply::Nil, meta::info)).collect(),
    ))
}

/// COMMAND DOCS [command-name ...]
fn command_docs(_: &mut Ctx, a: Args) -> Result<Reply> {
    let mut out = Vec::new();
    let mut add = |s: &CommandSpec| {
        out.push(Reply::bulk_str(s.fullname));
        out.push(meta::docs(s));
    };
    if a.len() == 2 {
        all_commands().iter().for_each(|s| add(s));
    } else {
        a.from(2).iter().filter_map(|n| lookup_fullname(n)).for_each(add);
    }
    Ok(Reply::Array(out))
}

/// COMMAND LIST [FILTERBY MODULE module-name|ACLCAT category|PATTERN pattern]
fn command_list(_: &mut Ctx, a: Args) -> Result<Reply> {
    enum Filter {
        None,
        Module,
        AclCat(String),
        Pattern(glob::Pattern),
    }
    let filter = match *a.from(2) {
        [] => Filter::None,
        [by, kind, arg] if args::is_word(by, "FILTERBY") => {
            if args::is_word(kind, "MODULE") {
                Filter::Module
            } else if args::is_word(kind, "ACLCAT") {
                Filter::AclCat(format!("@{}", error::c_str(arg, usize::MAX)))
            } else if args::is_word(kind, "PATTERN") {
                // Redis matches case-insensitively; our names are lowercase.
                let name = arg.split(|&b| b == 0).next().unwrap_or(arg);
                Filter::Pattern(glob::Pattern::new(&name.to_ascii_lowercase()))
            } else {
                return Err(error::SYNTAX);
            }
        }
        _ => return Err(error::SYNTAX),
    };
    let keep = |s: &CommandSpec| match &filter {
        Filter::None => true,
        Filter::Module => false,
        Filter::AclCat(cat) => meta::acl_categories(s).iter().any(|c| c.eq_ignore_ascii_case(cat)),
        Filter::Pattern(p) => p.matches(s.fullname.as_bytes()),
    };
    let mut out = Vec::new();
    for spec in all_commands() {
        for s in std::iter::once(*spec).chain(spec.subcommands.iter()) {
            if keep(s) {
                out.push(Reply::bulk_str(s.fullname));
            }
        }
    }
    Ok(Reply::Array(out))
}

/// Redis's `getKeysUsingKeySpecs`: key positions in `argv` (`argv[0]` is the
/// command name) with the index of the spec that found each; `None` when a spec
/// does not apply (Redis then falls back to the command's own key finder).
fn keys_by_specs(specs: &[KeySpec], argv: &[&[u8]], arity: i32) -> Option<Vec<(usize, usize)>> {
    let argc = argv.len() as i64;
    let mut out = Vec::new();
    for (j, s) in specs.iter().enumerate() {
        if s.has_flag("not_key") {
            continue;
        }
        let mut first = match &s.bs {
            BeginSearch::Index(p) => *p,
            BeginSearch::Keyword { keyword, startfrom } => {
                let start = if *startfrom > 0 { *startfrom } else { argc + startfrom };
                let end = if *startfrom > 0 { argc - 1 } else { 1 };
                let (mut i, mut found) = (start, 0);
                while i != end && i >= 1 && i < argc {
                    let arg = argv.get(i as usize).copied().unwrap_or(b"");
                    if error::c_str(arg, usize::MAX).eq_ignore_ascii_case(&String::from_utf8_lossy(keyword)) {
                        found = i + 1;
                        break;
                    }
                    i += if start <= end { 1 } else { -1 };
                }
                if found == 0 {
                    continue;
                }
                found
            }
            BeginSearch::Unknown => return None,
        };
        let (last, step) = match s.fk {
            FindKeys::Range { lastkey, keystep, limit } => {
                let last = if lastkey >= 0 {
                    first + lastkey
                } else if limit == 0 {
                    argc + lastkey
                } else {
                    first + ((argc - first) / limit + lastkey)
                };
                (last, keystep)
            }
            FindKeys::Keynum { keynumidx, firstkey, keystep } => {
                if keynumidx >= argc {
                    return None;
                }
                let n = usize::try_from(first + keynumidx).ok().and_then(|i| argv.get(i))?;
                let n = num::parse_i64(n).filter(|n| *n >= 0)?;
                first += firstkey;
                (first.saturating_add(n as i32 as i64).saturating_sub(1), keystep)
            }
            FindKeys::Unknown => return None,
        };
        if last >= argc || last < first || first >= argc || step <= 0 {
            return None;
        }
        let mut i = first;
        while i <= last {
            if i >= argc || i < first {
                if arity < 0 {
                    i += step;
                    continue;
                }
                return None;
            }
            out.push((i as usize, j));
            i += step;
        }
        if s.has_flag("incomplete") {
            return None;
        }
    }
    Some(out)
}

/// The key flags of the two commands whose key-spec has `variable_flags`
/// (Redis's `setGetKeys` and `bitfieldGetKeys`).
fn variable_key_flags(name: &str, argv: &[&[u8]]) -> Option<&'static [&'static str]> {
    let word = |i: usize, w: &str| argv.get(i).is_some_and(|a| error::c_str(a, usize::MAX).eq_ignore_ascii_case(w));
    match name {
        "set" => Some(if (3..argv.len()).any(|i| word(i, "get")) {
            &["RW", "access", "update"]
        } else {
            &["OW", "update"]
        }),
        "bitfield" => {
            let (mut i, mut readonly) = (2, true);
            while i < argv.len() {
                let rem = argv.len() - i - 1;
                if word(i, "get") && rem >= 2 {
                    i += 2;
                } else if (word(i, "set") || word(i, "incrby")) && rem >= 3 {
                    readonly = false;
                    break;
                } else if word(i, "overflow") && rem >= 1 {
                    i += 1;
                } else {
                    readonly = false;
                    break;
                }
                i += 1;
            }
            Some(if readonly { &["RO", "access"] } else { &["RW", "access", "update"] })
        }
        _ => None,
    }
}

/// COMMAND GETKEYS / GETKEYSANDFLAGS: keys by the recorded key-specs, else by
/// the legacy first/last/step positions.
fn getkeys(a: Args, with_flags: bool) -> Result<Reply> {
    let argv = a.from(2);
    let base = lookup(argv.first().copied().unwrap_or_default()).ok_or(error::INVALID_COMMAND)?;
    let spec = match (base.is_container(), argv.get(1)) {
        (true, Some(sub)) => base
            .subcommands
            .iter()
            .find(|s| s.name.as_bytes().eq_ignore_ascii_case(sub))
            .ok_or(error::INVALID_COMMAND)?,
        _ => base,
    };
    let specs = meta::key_specs(spec);
    let has_keyspec = specs.iter().any(|s| !s.has_flag("not_key"));
    let variable = specs.iter().any(|s| s.has_flag("variable_flags"));
    if !has_keyspec && spec.keys.first <= 0 {
        return Err(error::NO_KEY_ARGS);
    }
    if !spec.arity_ok(argv.len()) {
        return Err(error::INVALID_NUM_ARGS);
    }
    let found = if has_keyspec && !variable { keys_by_specs(&specs, argv, spec.arity) } else { None };
    let found = found.unwrap_or_else(|| spec.key_indexes(argv.len()).into_iter().map(|i| (i, 0)).collect());
    if found.is_empty() {
        if spec.flags & NO_MANDATORY_KEYS != 0 {
            return Ok(Reply::empty_array());
        }
        return Err(error::INVALID_ARGS_FOR_COMMAND);
    }
    let key = |i: usize| Reply::bulk(argv.get(i).copied().unwrap_or(b""));
    Ok(Reply::Array(
        found
            .into_iter()
            .map(|(i, j)| {
                if with_flags {
                    let flags = match variable_key_flags(spec.fullname, argv) {
                        Some(f) => f.iter().map(|n| Reply::status(n)).collect(),
                        None => specs.get(j).map(|s| s.flags.clone()).unwrap_or_default(),
                    };
                    Reply::Array(vec![key(i), Reply::Array(flags)])
                } else {
                    key(i)
                }
            })
            .collect(),
    ))
}

/// COMMAND GETKEYS command [arg ...]
fn command_getkeys(_: &mut Ctx, a: Args) -> Result<Reply> {
    getkeys(a, false)
}

/// COMMAND GETKEYSANDFLAGS command [arg ...]
fn command_getkeysandflags(_: &mut Ctx, a: Args) -> Result<Reply> {
    getkeys(a, true)
}

fn help(lines: &[&'static str]) -> Reply {
    Reply::Array(lines.iter().map(|l| Reply::status(l)).collect())
}

/// COMMAND HELP
fn command_help(_: &mut Ctx, _: Args) -> Result<Reply> {
    Ok(help(&[
        "COMMAND <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "(no subcommand)",
        "    Return details about all Redis commands.",
        "COUNT",
        "    Return the total number of commands in this Redis server.",
        "LIST",
        "    Return a list of all commands in this Redis server.",
        "INFO [<command-name> ...]",
        "    Return details about multiple Redis commands.",
        "    If no command names are given, documentation details for all",
        "    commands are returned.",
        "DOCS [<command-name> ...]",
        "    Return documentation details about multiple Redis commands.",
        "    If no command names are given, documentation details for all",
        "    commands are returned.",
        "GETKEYS <full-command>",
        "    Return the keys from a full Redis command.",
        "GETKEYSANDFLAGS <full-command>",
        "    Return the keys and the access flags from a full Redis command.",
        "HELP",
        "    Prints this help.",
    ]))
}

// --------------------------------------------------------------------- CONFIG

/// CONFIG GET parameter [parameter ...]
fn config_get(ctx: &mut Ctx, a: Args) -> Result<Reply> {
    let mut found: Vec<(String, &'static Param)> = Vec::new();
    let seen = |found: &Vec<(String, &Param)>, name: &str| {
        found.iter().any(|(k, _)| k.eq_ignore_ascii_case(name))
    };
    for arg in a.from(2) {
        let c = error::c_str(arg, usize::MAX);
        if !c.contains(['[', '*', '?']) {
            if seen(&found, &String::from_utf8_lossy(arg)) {
                continue;
            }
            if let Some(p) = config::lookup(arg) {
                found.push((String::from_utf8_lossy(arg).into_owned(), p));
            }
            continue;
        }
        let pat = glob::Pattern::new(c.to_ascii_lowercase().as_bytes());
        for p in config::PARAMS {
            if !seen(&found, p.name) && pat.matches(p.name.as_bytes()) {
                found.push((p.name.to_string(), p));
            }
        }
    }
    let mut out = Vec::with_capacity(found.len() * 2);
    for (k, p) in found {
        out.push(Reply::Bulk(k.into_bytes()));
        out.push(Reply::Bulk(ctx.srv.config.get(p).into_bytes()));
    }
    Ok(Reply::Array(out))
}

/// CONFIG SET parameter value [parameter value ...]
fn config_set(ctx: &mut Ctx, a: Args) -> Result<Reply> {
    if a.len() % 2 == 1 {
        return Err(error::SYNTAX);
    }
    let pairs: Vec<(&[u8], &[u8])> =
        a.from(2).chunks_exact(2).filter_map(|p| if let [name, value] = *p { Some((name, value)) } else { None }).collect();
    let mut params: Vec<&'static Param> = Vec::with_capacity(pairs.len());
    let mut failure: Option<Error> = None;
    for (name, _) in &pairs {
        let Some(p) = config::lookup(name) else {
            if failure.is_none() {
                return Err(error::config_set_unknown(name));
            }
            continue;
        };
        if failure.is_some() {
            continue;
        }
        let typed = error::c_str(name, usize::MAX);
        if p.immutable {
            failure = Some(error::config_set_failed(&typed, error::CFG_IMMUTABLE));
        } else if params.iter().any(|q| std::ptr::eq(*q, p)) {
            failure = Some(error::config_set_failed(&typed, error::CFG_DUPLICATE));
        }
        params.push(p);
    }
    if let Some(e) = failure {
        return Err(e);
    }
    let mut settings: Vec<Setting> = Vec::with_capacity(params.len());
    for (p, (_, value)) in params.iter().zip(&pairs) {
        settings.push(p.parse(value).map_err(|why| error::config_set_failed(p.name, &why))?);
    }
    for (p, s) in params.into_iter().zip(settings) {
        ctx.srv.config.set(p, s);
    }
    Ok(Reply::OK)
}

/// CONFIG RESETSTAT
fn config_resetstat(ctx: &mut Ctx, _: Args) -> Result<Reply> {
    ctx.srv.stats = Default::default();
    Ok(Reply::OK)
}

/// CONFIG REWRITE (there is no config file to rewrite)
fn config_rewrite(_: &mut Ctx, _: Args) -> Result<Reply> {
    Err(error::NO_CONFIG_FILE)
}

/// CONFIG HELP
fn config_help(_: &mut Ctx, _: Args) -> Result<Reply> {
    Ok(help(&[
        "CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "GET <pattern>",
        "    Return parameters matching the glob-like <pattern> and their values.",
        "SET <directive> <value>",
        "    Set the configuration <directive> to <value>.",
        "RESETSTAT",
        "    Reset statistics reported by the INFO command.",
        "REWRITE",
        "    Rewrite the configuration file.",
        "HELP",
        "    Prints this help.",
    ]))
}
