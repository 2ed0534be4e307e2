//! Every error text the store can answer with, in one place.
//!
//! An [`Error`] is a value, not an exception: it travels inside EXEC and pipeline
//! replies exactly like any other reply. Its text is the exact wire text of
//! redis-server 7.0 without the leading `-` (so `ERR syntax error`,
//! `WRONGTYPE Operation against ...`). The first word is the error code.
//!
//! Fixed texts are `pub const` strings; texts with arguments are functions
//! below. Handlers never spell an error inline.

#![deny(clippy::indexing_slicing)]

use std::borrow::Cow;
use std::fmt;

/// An error reply. `Display` prints the exact wire text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Error(Cow<'static, str>);

pub type Result<T> = std::result::Result<T, Error>;

impl Error {
    /// A fixed error text.
    pub const fn fixed(text: &'static str) -> Error {
        Error(Cow::Borrowed(text))
    }
    /// An error text built at run time.
    pub fn owned(text: String) -> Error {
        Error(Cow::Owned(text))
    }
    /// The whole text, e.g. `ERR syntax error`.
    pub fn text(&self) -> &str {
        &self.0
    }
    /// The code: the first word (`ERR`, `WRONGTYPE`, `EXECABORT`, ...).
    pub fn code(&self) -> &str {
        self.0.split(' ').next().unwrap_or("")
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Error {}

// ---- fixed texts (shared.* objects and literal addReplyError calls in Redis 7.0) ----
pub const WRONGTYPE: Error =
    Error::fixed("WRONGTYPE Operation against a key holding the wrong kind of value");
pub const SYNTAX: Error = Error::fixed("ERR syntax error");
pub const NO_SUCH_KEY: Error = Error::fixed("ERR no such key");
pub const NOT_INTEGER: Error = Error::fixed("ERR value is not an integer or out of range");
pub const NOT_FLOAT: Error = Error::fixed("ERR value is not a valid float");
pub const OUT_OF_RANGE: Error = Error::fixed("ERR value is out of range");
pub const INDEX_OUT_OF_RANGE: Error = Error::fixed("ERR index out of range");
pub const OVERFLOW: Error = Error::fixed("ERR increment or decrement would overflow");
pub const NAN_OR_INF: Error = Error::fixed("ERR increment would produce NaN or Infinity");
pub const STRING_TOO_LONG: Error =
    Error::fixed("ERR string exceeds maximum allowed size (proto-max-bulk-len)");
pub const OFFSET_OUT_OF_RANGE: Error = Error::fixed("ERR offset is out of range");
pub const DB_INDEX_OUT_OF_RANGE: Error = Error::fixed("ERR DB index is out of range");
pub const INVALID_FIRST_DB_INDEX: Error = Error::fixed("ERR invalid first DB index");
pub const INVALID_SECOND_DB_INDEX: Error = Error::fixed("ERR invalid second DB index");
pub const SAME_OBJECT: Error = Error::fixed("ERR source and destination objects are the same");
pub const INVALID_CURSOR: Error = Error::fixed("ERR invalid cursor");
pub const MULTI_NESTED: Error = Error::fixed("ERR MULTI calls can not be nested");
pub const EXEC_WITHOUT_MULTI: Error = Error::fixed("ERR EXEC without MULTI");
pub const DISCARD_WITHOUT_MULTI: Error = Error::fixed("ERR DISCARD without MULTI");
pub const WATCH_IN_MULTI: Error = Error::fixed("ERR WATCH inside MULTI is not allowed");
pub const EXECABORT: Error =
    Error::fixed("EXECABORT Transaction discarded because of previous errors.");
pub const NOT_ALLOWED_IN_MULTI: Error = Error::fixed("ERR Command not allowed inside a transaction");
pub const EXPIRE_NX_XX_GT_LT: Error = Error::fixed(
    "ERR NX and XX, GT or LT options at the same time are not compatible",
);
pub const EXPIRE_GT_LT: Error =
    Error::fixed("ERR GT and LT options at the same time are not compatible");
pub const OOM: Error = Error::fixed("OOM command not allowed when used memory > 'maxmemory'.");
pub const LFU_NOT_SELECTED: Error = Error::fixed("ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.");
pub const LFU_SELECTED: Error = Error::fixed("ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.");
pub const INVALID_COMMAND: Error = Error::fixed("ERR Invalid command specified");
pub const NO_KEY_ARGS: Error = Error::fixed("ERR The command has no key arguments");
pub const INVALID_NUM_ARGS: Error =
    Error::fixed("ERR Invalid number of arguments specified for command");
pub const LCS_NOT_STRINGS: Error =
    Error::fixed("ERR The specified keys must contain string values");
pub const LCS_IDX_LEN: Error = Error::fixed(
    "ERR If you want both the length and indexes, please just use IDX.",
);
pub const LCS_TOO_LONG: Error = Error::fixed("ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len");
pub const EMPTY_COMMAND: Error = Error::fixed("ERR empty command");

/// `ERR unknown command 'x', with args beginning with: 'a' 'b' `
pub fn unknown_command(name: &[u8], args: &[&[u8]]) -> Error {
    let mut list = String::new();
    for a in args {
        if list.len() >= 128 {
            break;
        }
        let room = 128 - list.len();
        list.push('\'');
        list.push_str(&c_str(a, room));
        list.push_str("' ");
    }
    let text = format!(
        "ERR unknown command '{}', with args beginning with: {}",
        c_str(name, 128),
        list
    );
    Error::owned(no_newlines(text))
}

/// `ERR unknown subcommand 'x'. Try OBJECT HELP.`
pub fn unknown_subcommand(container: &str, sub: &[u8]) -> Error {
    let text = format!(
        "ERR unknown subcommand '{}'. Try {} HELP.",
        c_str(sub, 128),
        container.to_ascii_uppercase()
    );
    Error::owned(no_newlines(text))
}

/// `ERR wrong number of arguments for 'get' command` (full name: `object|encoding`).
pub fn wrong_arity(fullname: &str) -> Error {
    Error::owned(format!("ERR wrong number of arguments for '{fullname}' command"))
}

/// `ERR invalid expire time in 'set' command`
pub fn invalid_expire(cmd: &str) -> Error {
    Error::owned(format!("ERR invalid expire time in '{cmd}' command"))
}

/// `ERR Unsupported option foo`
pub fn unsupported_option(opt: &[u8]) -> Error {
    Error::owned(no_newlines(format!("ERR Unsupported option {}", c_str(opt, usize::MAX))))
}

/// `EXECABORT Transaction discarded because of: <reason without its code-less dash>`
pub fn exec_abort_because(reason: &Error) -> Error {
    let text = reason.text();
    // Redis strips a leading '-' and, for texts starting with "ERR ", keeps them whole.
    Error::owned(format!("EXECABORT Transaction discarded because of: {text}"))
}

/// `ERR value is out of range, value must between <min> and <max>`
pub fn out_of_range_between(min: i64, max: i64) -> Error {
    Error::owned(format!("ERR value is out of range, value must between {min} and {max}"))
}

/// `ERR Unknown option or number of arguments for CONFIG SET - 'x'`
pub fn config_set_unknown(name: &[u8]) -> Error {
    Error::owned(no_newlines(format!(
        "ERR Unknown option or number of arguments for CONFIG SET - '{}'",
        c_str(name, usize::MAX)
    )))
}

/// `ERR CONFIG SET failed (possibly related to argument 'x') - reason`
pub fn config_set_failed(name: &str, reason: &str) -> Error {
    Error::owned(no_newlines(format!(
        "ERR CONFIG SET failed (possibly related to argument '{name}') - {reason}"
    )))
}

/// `ERR Unknown subcommand or wrong number of arguments for 'x'. Try Y HELP.`
pub fn unknown_subcommand_or_arity(sub: &[u8], container: &str) -> Error {
    Error::owned(no_newlines(format!(
        "ERR unknown subcommand or wrong number of arguments for '{}'. Try {} HELP.",
        c_str(sub, 128),
        container.to_ascii_uppercase()
    )))
}

/// A C `%.Ns` of a binary argument: stops at the first NUL byte and after `max` bytes.
/// Bytes that are not UTF-8 are shown as U+FFFD (the wire text would carry them raw).
pub fn c_str(bytes: &[u8], max: usize) -> String {
    let s = bytes.split(|&b| b == 0).next().unwrap_or(bytes);
    String::from_utf8_lossy(s.get(..max).unwrap_or(s)).into_owned()
}

/// Redis maps `\r` and `\n` to spaces in errors built from user input.
fn no_newlines(s: String) -> String {
    if s.contains(['\r', '\n']) {
        s.replace(['\r', '\n'], " ")
    } else {
        s
    }
}


// ---- hyperloglog ----
pub const INVALID_HLL_STRING: Error = Error::fixed("WRONGTYPE Key is not a valid HyperLogLog string value.");
pub const INVALID_HLL: Error = Error::fixed("INVALIDOBJ Corrupted HLL object detected");

// ---- bitmaps ----
pub const BIT_OFFSET: Error = Error::fixed("ERR bit offset is not an integer or out of range");
pub const BIT_VALUE: Error = Error::fixed("ERR bit is not an integer or out of range");
pub const BIT_ARG: Error = Error::fixed("ERR The bit argument must be 1 or 0.");
pub const BITOP_NOT_ONE_KEY: Error = Error::fixed("ERR BITOP NOT must be called with a single source key.");
pub const BITFIELD_TYPE: Error = Error::fixed(
    "ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.",
);
pub const BITFIELD_OVERFLOW_TYPE: Error = Error::fixed("ERR Invalid OVERFLOW type specified");
pub const BITFIELD_RO_GET_ONLY: Error = Error::fixed("ERR BITFIELD_RO only supports the GET subcommand");

// ---- sets ----
pub const MUST_BE_POSITIVE: Error = Error::fixed("ERR value is out of range, must be positive");
pub const NUMKEYS_GT_ZERO: Error = Error::fixed("ERR numkeys should be greater than 0");
pub const NUMKEYS_GT_ARGS: Error = Error::fixed("ERR Number of keys can't be greater than number of args");
pub const LIMIT_NEGATIVE: Error = Error::fixed("ERR LIMIT can't be negative");
/// Not a Redis error: a reply that would hold more elements than we allow (see README).
pub const REPLY_TOO_LARGE: Error = Error::fixed("ERR reply too large: more than 16777216 elements");
// ---- server ----
pub const INVALID_ARGS_FOR_COMMAND: Error = Error::fixed("ERR Invalid arguments specified for command");
pub const NO_CONFIG_FILE: Error = Error::fixed("ERR The server is running without a config file");
/// Reasons CONFIG SET gives after `... (possibly related to argument 'x') - `.
pub const CFG_NOT_INTEGER: &str = "argument couldn't be parsed into an integer";
pub const CFG_NOT_MEMORY: &str = "argument must be a memory value";
pub const CFG_IMMUTABLE: &str = "can't set immutable config";
pub const CFG_DUPLICATE: &str = "duplicate parameter";
pub const CFG_BAD_NOTIFY: &str = "Invalid event class character. Use 'Ag$lshzxeKEtmdn'.";

/// `argument must be between <min> and <max> inclusive`
pub fn cfg_between(min: i64, max: i64) -> String {
    format!("argument must be between {min} and {max} inclusive")
}

/// `argument(s) must be one of the following: a, b, c`
pub fn cfg_one_of(names: &[&str]) -> String {
    format!("argument(s) must be one of the following: {}", names.join(", "))
}
// ---- strings ----
pub const DECREMENT_OVERFLOW: Error = Error::fixed("ERR decrement would overflow");
pub const LCS_ALLOC_FAILED: Error =
    Error::fixed("ERR Insufficient memory, failed allocating transient memory for LCS");
// ---- wasm binding ----
/// A request buffer the package's encoder did not produce (never seen in normal use).
pub const BAD_REQUEST: Error = Error::fixed("ERR Protocol error: malformed request from the JS binding");
// ---- hashes ----
pub const HASH_NOT_INTEGER: Error = Error::fixed("ERR hash value is not an integer");
pub const HASH_NOT_FLOAT: Error = Error::fixed("ERR hash value is not a float");
pub const VALUE_NAN_OR_INF: Error = Error::fixed("ERR value is NaN or Infinity");
pub const VALUE_OUT_OF_RANGE: Error = Error::fixed("ERR value is out of range");
/// Valkey 9's field-TTL commands (HEXPIRE, HGETEX, HSETEX, HPERSIST, HGETDEL).
pub const NUMFIELDS: Error =
    Error::fixed("ERR numfields should be greater than 0 and match the provided number of fields");

// ---- sorted sets ----
pub const ZSET_MIN_MAX_NOT_FLOAT: Error = Error::fixed("ERR min or max is not a float");
pub const ZSET_LEX_RANGE: Error = Error::fixed("ERR min or max not valid string range item");
pub const ZSET_NAN: Error = Error::fixed("ERR resulting score is not a number (NaN)");
pub const ZADD_XX_NX: Error = Error::fixed("ERR XX and NX options at the same time are not compatible");
pub const ZADD_GT_LT_NX: Error =
    Error::fixed("ERR GT, LT, and/or NX options at the same time are not compatible");
pub const ZADD_INCR_PAIR: Error = Error::fixed("ERR INCR option supports a single increment-element pair");
pub const ZSET_WEIGHT: Error = Error::fixed("ERR weight value is not a float");
pub const ZRANGE_LIMIT: Error =
    Error::fixed("ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX");
pub const ZRANGE_WITHSCORES_BYLEX: Error =
    Error::fixed("ERR syntax error, WITHSCORES not supported in combination with BYLEX");
pub const COUNT_GT_ZERO: Error = Error::fixed("ERR count should be greater than 0");

/// `ERR at least 1 input key is needed for 'zunionstore' command`
pub fn zset_at_least_one_key(cmd: &str) -> Error {
    Error::owned(format!("ERR at least 1 input key is needed for '{cmd}' command"))
}
// ---- pubsub ----
/// What a subscribed RESP2 connection gets for any other command.
pub fn not_allowed_when_subscribed(fullname: &str) -> Error {
    Error::owned(format!(
        "ERR Can't execute '{fullname}': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context"
    ))
}
/// SSUBSCRIBE inside EXEC (Redis marks a client running EXEC as deny-blocking).
pub const SSUBSCRIBE_DENY_BLOCKING: Error = Error::fixed("ERR SSUBSCRIBE isn't allowed for a DENY BLOCKING client");
// ---- lists ----
pub const LPOS_RANK_ZERO: Error = Error::fixed(
    "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list",
);
pub const LPOS_COUNT_NEGATIVE: Error = Error::fixed("ERR COUNT can't be negative");
pub const LPOS_MAXLEN_NEGATIVE: Error = Error::fixed("ERR MAXLEN can't be negative");
pub const TIMEOUT_NOT_FLOAT: Error = Error::fixed("ERR timeout is not a float or out of range");
pub const TIMEOUT_NEGATIVE: Error = Error::fixed("ERR timeout is negative");

// ---- geo ----
pub const GEO_UNIT: Error = Error::fixed("ERR unsupported unit provided. please use M, KM, FT, MI");
pub const GEO_NEED_RADIUS: Error = Error::fixed("ERR need numeric radius");
pub const GEO_NEGATIVE_RADIUS: Error = Error::fixed("ERR radius cannot be negative");
pub const GEO_NEED_WIDTH: Error = Error::fixed("ERR need numeric width");
pub const GEO_NEED_HEIGHT: Error = Error::fixed("ERR need numeric height");
pub const GEO_NEGATIVE_BOX: Error = Error::fixed("ERR height or width cannot be negative");
pub const GEO_COUNT: Error = Error::fixed("ERR COUNT must be > 0");
pub const GEO_DECODE_MEMBER: Error = Error::fixed("ERR could not decode requested zset member");
pub const GEO_ANY_COUNT: Error = Error::fixed("ERR the ANY argument requires COUNT argument");
pub const GEO_STORE_RADIUS: Error =
    Error::fixed("ERR STORE option in GEORADIUS is not compatible with WITHDIST, WITHHASH and WITHCOORD options");
pub const GEO_STORE_SEARCH: Error =
    Error::fixed("ERR GEOSEARCHSTORE is not compatible with WITHDIST, WITHHASH and WITHCOORD options");
/// Valkey 9's BYPOLYGON.
pub const GEO_POLYGON_VERTICES: Error = Error::fixed("ERR invalid number of vertices");
pub const GEO_POLYGON_MIN: Error = Error::fixed("ERR GEOSEARCH BYPOLYGON must have at least 3 vertices");

/// `ERR invalid longitude,latitude pair 200.000000,10.000000` (C's `%f`).
pub fn geo_invalid_pair(lon: f64, lat: f64) -> Error {
    Error::owned(format!("ERR invalid longitude,latitude pair {lon:.6},{lat:.6}"))
}
pub fn geo_need_from(cmd: &str) -> Error {
    Error::owned(format!("ERR exactly one of FROMMEMBER or FROMLONLAT can be specified for {cmd}"))
}
pub fn geo_need_by(cmd: &str) -> Error {
    Error::owned(format!("ERR exactly one of BYRADIUS and BYBOX can be specified for {cmd}"))
}
// ---- streams ----
pub const STREAM_INVALID_ID: Error = Error::fixed("ERR Invalid stream ID specified as stream command argument");
pub const XADD_ID_ZERO: Error = Error::fixed("ERR The ID specified in XADD must be greater than 0-0");
pub const XADD_EXHAUSTED: Error =
    Error::fixed("ERR The stream has exhausted the last possible ID, unable to add more items");
pub const XADD_ID_SMALL: Error =
    Error::fixed("ERR The ID specified in XADD is equal or smaller than the target stream top item");
pub const XADD_TOO_LARGE: Error = Error::fixed("ERR Elements are too large to be stored");
pub const XTRIM_MAXLEN_NEG: Error = Error::fixed("ERR The MAXLEN argument must be >= 0.");
pub const XTRIM_LIMIT_NEG: Error = Error::fixed("ERR The LIMIT argument must be >= 0.");
pub const XTRIM_BOTH: Error =
    Error::fixed("ERR syntax error, MAXLEN and MINID options at the same time are not compatible");
pub const XTRIM_LIMIT_NO_STRATEGY: Error =
    Error::fixed("ERR syntax error, LIMIT cannot be used without specifying a trimming strategy");
pub const XTRIM_NO_STRATEGY: Error = Error::fixed("ERR syntax error, XTRIM must be called with a trimming strategy");
pub const XTRIM_LIMIT_NO_APPROX: Error =
    Error::fixed("ERR syntax error, LIMIT cannot be used without the special ~ option");
pub const STREAM_INVALID_START: Error = Error::fixed("ERR invalid start ID for the interval");
pub const STREAM_INVALID_END: Error = Error::fixed("ERR invalid end ID for the interval");
pub const TIMEOUT_NOT_INTEGER: Error = Error::fixed("ERR timeout is not an integer or out of range");
pub const XREAD_UNBALANCED: Error = Error::fixed(
    "ERR Unbalanced XREAD list of streams: for each stream key an ID or '$' must be specified.",
);
pub const XREAD_GROUP_OPTION: Error =
    Error::fixed("ERR The GROUP option is only supported by XREADGROUP. You called XREAD instead.");
pub const XREAD_NOACK_OPTION: Error =
    Error::fixed("ERR The NOACK option is only supported by XREADGROUP. You called XREAD instead.");
pub const XREADGROUP_NO_GROUP: Error = Error::fixed("ERR Missing GROUP option for XREADGROUP");
pub const XREADGROUP_DOLLAR: Error = Error::fixed("ERR The $ ID is meaningless in the context of XREADGROUP: you want to read the history of this consumer by specifying a proper ID, or use the > ID to get new messages. The $ ID would just return an empty result set.");
pub const XREAD_GT: Error = Error::fixed(
    "ERR The > ID can be specified only when calling XREADGROUP using the GROUP <group> <consumer> option.",
);
pub const NOGROUP_BLOCKED: Error =
    Error::fixed("NOGROUP the consumer group this client was blocked on no longer exists");
pub const UNBLOCKED_STREAM_GONE: Error = Error::fixed("UNBLOCKED the stream key no longer exists");
pub const XGROUP_ENTRIESREAD: Error = Error::fixed("ERR value for ENTRIESREAD must be positive or -1");
pub const XGROUP_NEED_KEY: Error = Error::fixed("ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you may want to use the MKSTREAM option to create an empty stream automatically.");
pub const BUSYGROUP: Error = Error::fixed("BUSYGROUP Consumer Group name already exists");
pub const XSETID_ENTRIES_NEG: Error = Error::fixed("ERR entries_added must be positive");
pub const XSETID_MAXDEL: Error =
    Error::fixed("ERR The ID specified in XSETID is smaller than the provided max_deleted_entry_id");
pub const XSETID_SMALL: Error =
    Error::fixed("ERR The ID specified in XSETID is smaller than the target stream top item");
pub const XSETID_ENTRIES_SMALL: Error =
    Error::fixed("ERR The entries_added specified in XSETID is smaller than the target stream length");
pub const XCLAIM_MINIDLE: Error = Error::fixed("ERR Invalid min-idle-time argument for XCLAIM");
pub const XCLAIM_IDLE: Error = Error::fixed("ERR Invalid IDLE option argument for XCLAIM");
pub const XCLAIM_TIME: Error = Error::fixed("ERR Invalid TIME option argument for XCLAIM");
pub const XCLAIM_RETRYCOUNT: Error = Error::fixed("ERR Invalid RETRYCOUNT option argument for XCLAIM");
pub const XAUTOCLAIM_MINIDLE: Error = Error::fixed("ERR Invalid min-idle-time argument for XAUTOCLAIM");
pub const XAUTOCLAIM_COUNT: Error = Error::fixed("ERR COUNT must be > 0");
pub const XAUTOCLAIM_MEMORY: Error =
    Error::fixed("ERR Insufficient memory, failed allocating transient memory, COUNT too high.");

/// `NOGROUP No such key 'k' or consumer group 'g'` (+ a suffix for XREADGROUP).
pub fn nogroup_key_or_group(key: &[u8], group: &[u8], suffix: &str) -> Error {
    Error::owned(no_newlines(format!(
        "NOGROUP No such key '{}' or consumer group '{}'{suffix}",
        c_str(key, usize::MAX),
        c_str(group, usize::MAX)
    )))
}
/// `NOGROUP No such consumer group 'g' for key name 'k'`.
pub fn nogroup_for_key(group: &[u8], key: &[u8]) -> Error {
    Error::owned(no_newlines(format!(
        "NOGROUP No such consumer group '{}' for key name '{}'",
        c_str(group, usize::MAX),
        c_str(key, usize::MAX)
    )))
}
/// `ERR Unrecognized XCLAIM option 'x'`.
pub fn xclaim_unrecognized(opt: &[u8]) -> Error {
    Error::owned(no_newlines(format!("ERR Unrecognized XCLAIM option '{}'", c_str(opt, usize::MAX))))
}

// ---- geo polygons (BYPOLYGON and geofences; Valkey accepts these) ----
pub const GEO_POLYGON_SELF_INTERSECTING: Error = Error::fixed("ERR invalid polygon: self-intersecting");
pub const GEO_POLYGON_DISTINCT: Error = Error::fixed("ERR invalid polygon: fewer than 3 distinct vertices");
pub const GEO_POLYGON_NAN: Error = Error::fixed("ERR invalid polygon: coordinate is not a number");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_command_text() {
        let e = unknown_command(b"foo", &[b"a", b"b\r\nc"]);
        assert_eq!(e.text(), "ERR unknown command 'foo', with args beginning with: 'a' 'b  c' ");
        assert_eq!(e.code(), "ERR");
        assert_eq!(WRONGTYPE.code(), "WRONGTYPE");
    }

    #[test]
    fn c_str_stops_at_nul() {
        assert_eq!(c_str(b"ab\0cd", 10), "ab");
        assert_eq!(c_str(b"abcdef", 3), "abc");
    }
}
