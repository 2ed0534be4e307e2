/**
 * cinnabar: a Redis-compatible in-memory data store, in process, for the
 * browser, Web Workers, Cloudflare Workers (workerd) and Node. Redis 7.0 is the
 * specification: replies, numbers and error texts are redis-server's.
 *
 * Everything is synchronous (the data lives in this process's memory) and the
 * package needs no init call in any runtime.
 *
 * Replies have ioredis's RESP2 shapes: status and bulk strings → `string`
 * (UTF-8 decoded; the `xxxBuffer` variants give `Uint8Array` instead), integers
 * → `number`, nil → `null`, arrays → `Array`. An error reply throws
 * {@link ReplyError}.
 *
 * @example
 * ```ts
 * import { Cinnabar } from "cinnabar";
 * const db = new Cinnabar();
 * db.set("user:1", "ada", "EX", 60);   // "OK"
 * db.get("user:1");                      // "ada"
 * db.incr("visits");                     // 1
 * ```
 * @packageDocumentation
 */

/** A command argument. Numbers and bigints are sent in decimal (`String(n)`); `Uint8Array` (and Node's `Buffer`) as raw bytes. Arrays are flattened one level, as ioredis does. */
export type Arg = string | number | bigint | Uint8Array;
/** An argument list item: an {@link Arg} or an array of them (flattened). */
export type ArgOrList = Arg | readonly Arg[];

/** Any reply (string mode). Errors nested in arrays (raw `EXEC`) are {@link ReplyError} values. */
export type Reply = string | number | null | ReplyError | Reply[];
/** Any reply with strings as bytes (the `xxxBuffer` variants and {@link Cinnabar.callBuffer}). */
export type BufferReply = Uint8Array | number | null | ReplyError | BufferReply[];

/** The same reply type with every string turned into `Uint8Array` (used for the `xxxBuffer` variants). */
export type ToBuffer<T> = T extends Promise<infer P>
  ? Promise<ToBuffer<P>>
  : T extends string
  ? Uint8Array
  : T extends readonly [infer A, infer B]
    ? [ToBuffer<A>, ToBuffer<B>]
    : T extends readonly (infer U)[]
      ? ToBuffer<U>[]
      : T extends { [field: string]: string }
        ? { [field: string]: Uint8Array }
        : T;

/**
 * Options of a blocking call, passed as its last argument:
 * `db.blpop("jobs", 0, { signal })`. Aborting the signal cancels the wait (the
 * store forgets it, so it never takes an element) and rejects the Promise with
 * `signal.reason`; an already aborted signal rejects without running the command.
 */
export interface BlockingOptions {
  signal?: AbortSignal | null;
}
/** Names of the commands that may block (any case); `call` returns a Promise for them. */
export type BlockingCommand =
  | "blpop" | "brpop" | "blmove" | "brpoplpush" | "blmpop" | "bzpopmin" | "bzpopmax" | "bzmpop" | "xread" | "xreadgroup"
  | "BLPOP" | "BRPOP" | "BLMOVE" | "BRPOPLPUSH" | "BLMPOP" | "BZPOPMIN" | "BZPOPMAX" | "BZMPOP" | "XREAD" | "XREADGROUP";
/** A stream entry: its id and its fields and values, flat. */
export type StreamEntry = [id: string, fieldsAndValues: string[]];
/** XREAD/XREADGROUP's reply: per stream served, its entries (XREADGROUP history shows a deleted entry's fields as null). */
export type StreamRead = [key: string, entries: [id: string, fieldsAndValues: string[] | null][]][];
/** `LEFT` or `RIGHT` (case-insensitive). */
export type ListEnd = "LEFT" | "RIGHT" | "left" | "right" | (string & {});
/** Trailing arguments of a blocking call taking several keys: keys, then the timeout, then optional {@link BlockingOptions}. */
export type BlockingKeys = [...keys: [ArgOrList, ...ArgOrList[]], timeout: Arg] | [...keys: [ArgOrList, ...ArgOrList[]], timeout: Arg, options: BlockingOptions];

/** `[error, undefined]` for a command whose reply was an error, else `[null, result]`. */
export type PipelineResult = [error: null, result: Reply | BufferReply] | [error: ReplyError, result: undefined];

/** Options of `new Cinnabar(options)`. */
export interface CinnabarOptions {
  /** Number of logical databases (SELECT 0..n-1). Default 16. */
  databases?: number;
  /** Active expiry frequency in Hz (a timer runs every 1000/hz ms, 1..500). Default 10. */
  hz?: number;
  /** Seed of the store's random generator (RANDOMKEY, SCAN order, eviction sampling). */
  seed?: number;
  /**
   * Joins the BroadcastChannel bridge of that name (`cinnabar:<name>`): PUBLISH
   * and SPUBLISH here also reach subscribers of every other store (tab, iframe,
   * worker, Node worker_thread) that joined the same name, exactly once, in
   * publish order per sender, never echoed back. With `{ name, keyspace: true }`
   * this store's keyspace notifications travel too. Throws where the runtime
   * has no BroadcastChannel (Cloudflare Workers). In Node the open channel keeps
   * the process alive until `close()`.
   */
  bridge?: string | { name: string; keyspace?: boolean };
  /**
   * Memory limit: bytes, or Redis's units (`"64mb"`, `"1gb"`, `"100k"`); 0 = none.
   * Applied with CONFIG SET, so a bad value throws Redis's {@link ReplyError}.
   */
  maxmemory?: number | string;
  /** What to do at the limit (CONFIG `maxmemory-policy`). Default `"noeviction"`. */
  maxmemoryPolicy?: MaxmemoryPolicy;
  /** Keys sampled per eviction (CONFIG `maxmemory-samples`). Default 5. */
  maxmemorySamples?: number;
  /** LFU counter logarithm factor (CONFIG `lfu-log-factor`). Default 10. */
  lfuLogFactor?: number;
  /** Minutes for an LFU counter to decay (CONFIG `lfu-decay-time`). Default 1. */
  lfuDecayTime?: number;
}

/** Redis's eviction policies. */
export type MaxmemoryPolicy =
  | "noeviction"
  | "allkeys-lru"
  | "allkeys-lfu"
  | "allkeys-random"
  | "volatile-lru"
  | "volatile-lfu"
  | "volatile-random"
  | "volatile-ttl";

/** Options of {@link Cinnabar.getOrSet}. */
export interface GetOrSetOptions {
  /** Time to live of a loaded value, ms (stored as PX). Without it the value does not expire. */
  ttl?: number;
  /**
   * Extra ms during which an expired-by-`ttl` value is still served while ONE
   * background call of the loader refreshes it. Needs `ttl`.
   */
  staleWhileRevalidate?: number;
  /** Store `JSON.stringify(value)` and return parsed values. */
  json?: boolean;
  /** Return cached values as `Uint8Array`. */
  buffer?: boolean;
}

/** Memory figures of a store (see {@link Cinnabar.memoryUsage}). */
export interface MemoryUsage {
  /** INFO `used_memory`: bytes the data and its structures take (what maxmemory bounds). */
  used: number;
  /** INFO `used_memory_peak`. */
  peak: number;
  /** INFO `used_memory_dataset`: `used` minus structure overhead. */
  dataset: number;
  /** The limit in bytes, 0 for none. */
  maxmemory: number;
  /** The eviction policy. */
  policy: MaxmemoryPolicy;
  /** Size of the WebAssembly linear memory (all stores of this module instance). */
  heap: number;
}

/** A channel listener: the message and its channel (strings, or Uint8Array with `{ buffer: true }`). */
export type MessageListener<T = string> = (message: T, channel: T) => void;
/** A pattern listener: the message, the channel it was published to, and the matching pattern. */
export type PatternListener<T = string> = (message: T, channel: T, pattern: T) => void;
/** Options of subscribe / psubscribe / ssubscribe. */
export interface SubscribeOptions {
  /** Deliver channel, message and pattern as Uint8Array (exact bytes) instead of UTF-8 strings. */
  buffer?: boolean;
}
/** Options of {@link Cinnabar.messages}. */
export interface MessagesOptions extends SubscribeOptions {
  /** The arguments are patterns (PSUBSCRIBE); items then carry `pattern`. */
  pattern?: boolean;
  /** The arguments are shard channels (SSUBSCRIBE). */
  shard?: boolean;
  /** Ends the iteration (and unsubscribes) when aborted. */
  signal?: AbortSignal;
}
/** An item of {@link Cinnabar.messages}. */
export interface PubSubMessage<T = string> {
  channel: T;
  message: T;
  /** Set for pattern subscriptions. */
  pattern?: T;
}
/** Unsubscribes; calling it again does nothing. */
export type Unsubscribe = () => void;
/** Channels or patterns: one, or several. */
export type Channels = string | Uint8Array | ReadonlyArray<string | Uint8Array>;

/** One entry of {@link Cinnabar.commands}: the command table of this build. */
export interface CommandInfo {
  /** Lowercase command name, e.g. `"get"`. */
  readonly name: string;
  /** Redis arity: argument count including the name; negative means "at least". */
  readonly arity: number;
  /** Redis command flags, e.g. `["readonly", "fast"]`. */
  readonly flags: readonly string[];
  /** Legacy key positions (first, last, step), as COMMAND INFO reports them. */
  readonly firstKey: number;
  readonly lastKey: number;
  readonly step: number;
}

/**
 * An error reply from the store. Thrown by commands; returned inside pipeline
 * results (`[err, undefined]`) and raw `EXEC` arrays.
 *
 * @example
 * ```ts
 * try { db.incr("name"); } catch (e) {
 *   if (e instanceof ReplyError) console.log(e.code, e.message); // "ERR" "ERR value is not an integer or out of range"
 * }
 * ```
 */
export declare class ReplyError extends Error {
  /** Redis's exact error text, e.g. `WRONGTYPE Operation against a key holding the wrong kind of value`. */
  readonly message: string;
  /** The first word of the message: `ERR`, `WRONGTYPE`, `EXECABORT`, ... */
  readonly code: string;
  /** The command that failed (lowercase name, normalised arguments), as ioredis reports it. */
  command?: { name: string; args: Array<string | Uint8Array> };
  /** On an EXECABORT from `multi().exec()`: the errors of the commands refused while queueing. */
  previousErrors?: ReplyError[];
  /** @internal */
  constructor(message: string, command?: { name: string; args: Array<string | Uint8Array> });
}

/** SET's options: `EX seconds | PX ms | EXAT unix-s | PXAT unix-ms | KEEPTTL`, `NX | XX`, `GET`. */
export type SetOption = "EX" | "PX" | "EXAT" | "PXAT" | "KEEPTTL" | "NX" | "XX" | "GET" | (string & {}) | number | bigint;
/** GETEX's options: `EX seconds | PX ms | EXAT unix-s | PXAT unix-ms | PERSIST`. */
export type GetExOptions = [] | ["PERSIST"] | ["EX" | "PX" | "EXAT" | "PXAT" | (string & {}), Arg];
/** EXPIRE family's condition: `NX | XX | GT | LT`. */
export type ExpireCondition = [] | ["NX" | "XX" | "GT" | "LT" | (string & {})];
/** SCAN's options: `MATCH pattern`, `COUNT n`, `TYPE type`. */
export type ScanOption = "MATCH" | "COUNT" | "TYPE" | (string & {}) | number;
/** LCS's options: `LEN`, `IDX`, `MINMATCHLEN n`, `WITHMATCHLEN`. */
export type LcsOption = "LEN" | "IDX" | "MINMATCHLEN" | "WITHMATCHLEN" | (string & {}) | number;

/**
 * Every supported command with its arguments and reply type (string mode).
 * `Cinnabar` has each as a method returning the reply; `Pipeline` as a method
 * that queues it. Each also has an `xxxBuffer` variant whose strings are
 * `Uint8Array`. A node test checks that every command of the wasm's table is
 * declared here.
 */
export interface CommandSignatures {
  // ---------------------------------------------------------------- strings
  /**
   * GET key: the string value, or `null` when the key does not exist.
   * @example db.get("user:1") // "ada"
   */
  get(key: Arg): string | null;
  /**
   * SET key value [NX|XX] [GET] [EX s|PX ms|EXAT t|PXAT t|KEEPTTL]: "OK"; `null` when NX/XX prevented it; with GET the old value.
   * @example db.set("session", "abc", "PX", 30000, "NX") // "OK" or null
   */
  set(key: Arg, value: Arg, ...options: SetOption[]): "OK" | string | null;
  /**
   * SETNX key value: 1 when set, 0 when the key existed.
   * @example db.setnx("lock", "me") // 1
   */
  setnx(key: Arg, value: Arg): number;
  /**
   * SETEX key seconds value.
   * @example db.setex("otp", 60, "123456") // "OK"
   */
  setex(key: Arg, seconds: Arg, value: Arg): "OK";
  /**
   * PSETEX key milliseconds value.
   * @example db.psetex("otp", 1500, "123456") // "OK"
   */
  psetex(key: Arg, milliseconds: Arg, value: Arg): "OK";
  /**
   * GETSET key value: the old value (or `null`), setting the new one.
   * @example db.getset("counter", "0") // "41"
   */
  getset(key: Arg, value: Arg): string | null;
  /**
   * GETDEL key: the value, deleting the key.
   * @example db.getdel("token") // "abc"
   */
  getdel(key: Arg): string | null;
  /**
   * GETEX key [EX s|PX ms|EXAT t|PXAT t|PERSIST]: the value, changing its TTL.
   * @example db.getex("session", "EX", 600) // "abc"
   */
  getex(key: Arg, ...options: GetExOptions): string | null;
  /**
   * MGET key [key ...]: values in order, `null` for missing keys.
   * @example db.mget("a", "b") // ["1", null]
   */
  mget(...keys: [ArgOrList, ...ArgOrList[]]): (string | null)[];
  /**
   * MSET key value [key value ...].
   * @example db.mset("a", "1", "b", "2") // "OK"
   */
  mset(...keysAndValues: [ArgOrList, ...ArgOrList[]]): "OK";
  /**
   * MSETNX key value [key value ...]: 1 when all were set, 0 when any key existed.
   * @example db.msetnx("a", "1", "b", "2") // 1
   */
  msetnx(...keysAndValues: [ArgOrList, ...ArgOrList[]]): number;
  /**
   * APPEND key value: the new length.
   * @example db.append("log", "line\n") // 5
   */
  append(key: Arg, value: Arg): number;
  /**
   * STRLEN key: the value's length in bytes.
   * @example db.strlen("user:1") // 3
   */
  strlen(key: Arg): number;
  /**
   * GETRANGE key start end: the substring (inclusive, negative from the end).
   * @example db.getrange("greeting", 0, 4) // "Hello"
   */
  getrange(key: Arg, start: Arg, end: Arg): string;
  /**
   * SETRANGE key offset value: the new length (zero-padded).
   * @example db.setrange("greeting", 6, "Redis") // 11
   */
  setrange(key: Arg, offset: Arg, value: Arg): number;
  /**
   * SUBSTR key start end (old name of GETRANGE).
   * @example db.substr("greeting", 0, 4) // "Hello"
   */
  substr(key: Arg, start: Arg, end: Arg): string;
  /**
   * LCS key1 key2 [LEN] [IDX] [MINMATCHLEN n] [WITHMATCHLEN]: the longest common subsequence, its length, or its matches.
   * @example db.lcs("a", "b") // "mytext"; db.lcs("a", "b", "LEN") // 6
   */
  lcs(key1: Arg, key2: Arg, ...options: LcsOption[]): string | number | Reply[];
  /**
   * INCR key: the incremented integer.
   * @example db.incr("visits") // 1
   */
  incr(key: Arg): number;
  /**
   * DECR key: the decremented integer.
   * @example db.decr("stock") // 9
   */
  decr(key: Arg): number;
  /**
   * INCRBY key increment.
   * @example db.incrby("score", 10) // 10
   */
  incrby(key: Arg, increment: Arg): number;
  /**
   * DECRBY key decrement.
   * @example db.decrby("stock", 3) // 7
   */
  decrby(key: Arg, decrement: Arg): number;
  /**
   * INCRBYFLOAT key increment: the new value as Redis formats it (a string).
   * @example db.incrbyfloat("price", "0.1") // "10.6"
   */
  incrbyfloat(key: Arg, increment: Arg): string;

  // ------------------------------------------------------------------- keys
  /**
   * DEL key [key ...]: the number of keys removed.
   * @example db.del("a", "b") // 2
   */
  del(...keys: [ArgOrList, ...ArgOrList[]]): number;
  /**
   * UNLINK key [key ...]: as DEL.
   * @example db.unlink("a", "b") // 2
   */
  unlink(...keys: [ArgOrList, ...ArgOrList[]]): number;
  /**
   * EXISTS key [key ...]: how many of the keys exist (repeats count).
   * @example db.exists("a", "missing") // 1
   */
  exists(...keys: [ArgOrList, ...ArgOrList[]]): number;
  /**
   * TYPE key: `"string"`, `"list"`, `"set"`, `"zset"`, `"hash"`, `"stream"` or `"none"`.
   * @example db.type("user:1") // "string"
   */
  type(key: Arg): string;
  /**
   * RENAME key newkey.
   * @example db.rename("tmp", "final") // "OK"
   */
  rename(key: Arg, newkey: Arg): "OK";
  /**
   * RENAMENX key newkey: 1 when renamed, 0 when newkey existed.
   * @example db.renamenx("tmp", "final") // 1
   */
  renamenx(key: Arg, newkey: Arg): number;
  /**
   * COPY source destination [DB db] [REPLACE]: 1 when copied.
   * @example db.copy("a", "b", "REPLACE") // 1
   */
  copy(source: Arg, destination: Arg, ...options: Arg[]): number;
  /**
   * MOVE key db: 1 when moved to the other database.
   * @example db.move("a", 1) // 1
   */
  move(key: Arg, db: Arg): number;
  /**
   * TOUCH key [key ...]: how many exist (updates their access time).
   * @example db.touch("a", "b") // 2
   */
  touch(...keys: [ArgOrList, ...ArgOrList[]]): number;
  /**
   * KEYS pattern: every key matching the glob pattern.
   * @example db.keys("user:*") // ["user:1", "user:2"]
   */
  keys(pattern: Arg): string[];
  /**
   * SCAN cursor [MATCH pattern] [COUNT n] [TYPE type]: `[nextCursor, keys]`; iterate until the cursor is "0".
   * @example const [cursor, keys] = db.scan(0, "MATCH", "user:*", "COUNT", 100)
   */
  scan(cursor: Arg, ...options: ScanOption[]): [cursor: string, keys: string[]];
  /**
   * RANDOMKEY: a random key, or `null` when the database is empty.
   * @example db.randomkey() // "user:2"
   */
  randomkey(): string | null;
  /**
   * DBSIZE: the number of keys in the selected database.
   * @example db.dbsize() // 42
   */
  dbsize(): number;

  // ----------------------------------------------------------------- expiry
  /**
   * EXPIRE key seconds [NX|XX|GT|LT]: 1 when the timeout was set.
   * @example db.expire("session", 600) // 1
   */
  expire(key: Arg, seconds: Arg, ...condition: ExpireCondition): number;
  /**
   * PEXPIRE key milliseconds [NX|XX|GT|LT].
   * @example db.pexpire("session", 1500) // 1
   */
  pexpire(key: Arg, milliseconds: Arg, ...condition: ExpireCondition): number;
  /**
   * EXPIREAT key unix-time-seconds [NX|XX|GT|LT].
   * @example db.expireat("session", Math.floor(Date.now() / 1000) + 60) // 1
   */
  expireat(key: Arg, unixTimeSeconds: Arg, ...condition: ExpireCondition): number;
  /**
   * PEXPIREAT key unix-time-milliseconds [NX|XX|GT|LT].
   * @example db.pexpireat("session", Date.now() + 60000) // 1
   */
  pexpireat(key: Arg, unixTimeMilliseconds: Arg, ...condition: ExpireCondition): number;
  /**
   * TTL key: seconds left; -1 without a timeout, -2 when the key does not exist.
   * @example db.ttl("session") // 599
   */
  ttl(key: Arg): number;
  /**
   * PTTL key: milliseconds left; -1 / -2 as TTL.
   * @example db.pttl("session") // 599874
   */
  pttl(key: Arg): number;
  /**
   * EXPIRETIME key: the absolute Unix time (s) the key expires at; -1 / -2 as TTL.
   * @example db.expiretime("session") // 1767225600
   */
  expiretime(key: Arg): number;
  /**
   * PEXPIRETIME key: as EXPIRETIME in milliseconds.
   * @example db.pexpiretime("session") // 1767225600000
   */
  pexpiretime(key: Arg): number;
  /**
   * PERSIST key: 1 when a timeout was removed.
   * @example db.persist("session") // 1
   */
  persist(key: Arg): number;
  /**
   * OBJECT ENCODING|FREQ|IDLETIME|REFCOUNT|HELP key: internals of a value.
   * @example db.object("ENCODING", "n") // "int"
   */
  object(subcommand: Arg, ...args: Arg[]): string | number | null | string[];
  /**
   * MEMORY USAGE key [SAMPLES n] | STATS | DOCTOR | PURGE | MALLOC-STATS | HELP:
   * USAGE gives the bytes a key takes (null when missing); STATS a flat
   * `[name, value, ...]` array.
   * @example db.memory("USAGE", "user:1") // 152
   */
  memory(subcommand: Arg, ...args: Arg[]): number | string | null | Reply[];

  // ----------------------------------------------------- server, connection
  /**
   * PING [message]: "PONG", or the message.
   * @example db.ping() // "PONG"
   */
  ping(message?: Arg): string;
  /**
   * ECHO message.
   * @example db.echo("hi") // "hi"
   */
  echo(message: Arg): string;
  /**
   * SELECT index: switches this connection's database.
   * @example db.select(1) // "OK"
   */
  select(index: Arg): "OK";
  /**
   * SWAPDB index1 index2: swaps two databases for every connection.
   * @example db.swapdb(0, 1) // "OK"
   */
  swapdb(index1: Arg, index2: Arg): "OK";
  /**
   * FLUSHDB [ASYNC|SYNC]: empties the selected database.
   * @example db.flushdb() // "OK"
   */
  flushdb(mode?: "ASYNC" | "SYNC" | (string & {})): "OK";
  /**
   * FLUSHALL [ASYNC|SYNC]: empties every database.
   * @example db.flushall() // "OK"
   */
  flushall(mode?: "ASYNC" | "SYNC" | (string & {})): "OK";
  /**
   * INFO [section ...]: the INFO text (`# Section` headers, `field:value` lines).
   * @example db.info("keyspace") // "# Keyspace\r\ndb0:keys=1,expires=0,avg_ttl=0\r\n"
   */
  info(...sections: Arg[]): string;
  /**
   * TIME: `[unixSeconds, microseconds]` as strings.
   * @example const [s, us] = db.time()
   */
  time(): [seconds: string, microseconds: string];
  /**
   * COMMAND [COUNT|INFO|LIST|DOCS|GETKEYS ...]: the command table, as Redis reports it.
   * @example db.command("COUNT") // 120
   */
  command(...args: Arg[]): Reply;
  /**
   * CONFIG GET|SET|RESETSTAT|HELP ...: GET gives a flat `[name, value, ...]` array.
   * @example db.config("SET", "maxmemory", "64mb"); db.config("GET", "maxmemory") // ["maxmemory", "67108864"]
   */
  config(subcommand: Arg, ...args: Arg[]): "OK" | string[];

  // ---------------------------------------------------------- transactions
  /**
   * MULTI: starts queueing on this connection (on a `Cinnabar`, prefer `db.multi()`, which builds a transaction).
   * @example db.pipeline().multi().incr("n").exec()
   */
  multi(): "OK";
  /**
   * EXEC: runs the queued commands; the raw replies (errors as ReplyError values), or `null` when a WATCHed key changed.
   * @example db.multi({ pipeline: false }); db.incr("n"); db.exec() // [1]
   */
  exec(): Reply[] | null;
  /**
   * DISCARD: drops the queued commands.
   * @example db.multi({ pipeline: false }); db.discard() // "OK"
   */
  discard(): "OK";
  /**
   * WATCH key [key ...]: the next EXEC on this connection fails (null) if any of these keys changes first.
   * @example db.watch("balance"); const b = Number(db.get("balance")); db.multi().set("balance", b - 10).exec()
   */
  watch(...keys: [ArgOrList, ...ArgOrList[]]): "OK";
  /**
   * UNWATCH: forgets all WATCHed keys of this connection.
   * @example db.unwatch() // "OK"
   */
  unwatch(): "OK";

  // ---- HyperLogLog ----
  /**
   * PFADD key [element ...]: 1 when the HyperLogLog changed (or was created), else 0.
   * @example db.pfadd("visitors", "ada", "bob") // 1
   */
  pfadd(key: Arg, ...elements: ArgOrList[]): number;
  /**
   * PFCOUNT key [key ...]: the estimated number of distinct elements (of the union, for several keys).
   * @example db.pfcount("visitors") // 2
   */
  pfcount(...keys: [ArgOrList, ...ArgOrList[]]): number;
  /**
   * PFMERGE destkey [sourcekey ...]: stores the union of the HyperLogLogs.
   * @example db.pfmerge("all", "mon", "tue") // "OK"
   */
  pfmerge(destkey: Arg, ...sourcekeys: ArgOrList[]): "OK";

  // ---- bitmaps ----
  /**
   * SETBIT key offset value: the bit's previous value.
   * @example db.setbit("active:2026-11-24", 42, 1) // 0
   */
  setbit(key: Arg, offset: Arg, value: 0 | 1 | Arg): number;
  /**
   * GETBIT key offset: the bit at offset (0 past the end).
   * @example db.getbit("active:2026-11-24", 42) // 1
   */
  getbit(key: Arg, offset: Arg): number;
  /**
   * BITCOUNT key [start end [BYTE|BIT]]: the number of set bits.
   * @example db.bitcount("active:2026-11-24") // 1
   */
  bitcount(key: Arg, ...range: [] | [Arg, Arg] | [Arg, Arg, "BYTE" | "BIT" | (string & {})]): number;
  /**
   * BITPOS key bit [start [end [BYTE|BIT]]]: position of the first bit equal to `bit`, or -1.
   * @example db.bitpos("active:2026-11-24", 1) // 42
   */
  bitpos(key: Arg, bit: Arg, ...range: Arg[]): number;
  /**
   * BITOP AND|OR|XOR|NOT destkey key [key ...]: the length of the stored result.
   * @example db.bitop("AND", "both", "active:mon", "active:tue") // 6
   */
  bitop(operation: "AND" | "OR" | "XOR" | "NOT" | (string & {}), destkey: Arg, ...keys: [ArgOrList, ...ArgOrList[]]): number;
  /**
   * BITFIELD key [GET type offset] [SET type offset value] [INCRBY type offset increment] [OVERFLOW WRAP|SAT|FAIL] ...:
   * one reply per GET/SET/INCRBY (null when OVERFLOW FAIL refused it).
   * @example db.bitfield("counters", "INCRBY", "u8", "#0", 1, "GET", "u8", "#0") // [1, 1]
   */
  bitfield(key: Arg, ...operations: Arg[]): Array<number | null>;
  /**
   * BITFIELD_RO key [GET type offset ...]: the read-only form.
   * @example db.bitfield_ro("counters", "GET", "u8", "#0") // [1]
   */
  bitfield_ro(key: Arg, ...operations: Arg[]): number[];

  // ---- sets ----
  /**
   * SADD key member [member ...]: how many members were new.
   * @example db.sadd("tags", "redis", "wasm") // 2
   */
  sadd(key: Arg, ...members: [ArgOrList, ...ArgOrList[]]): number;
  /**
   * SREM key member [member ...]: how many members were removed (an emptied set is deleted).
   * @example db.srem("tags", "wasm") // 1
   */
  srem(key: Arg, ...members: [ArgOrList, ...ArgOrList[]]): number;
  /**
   * SISMEMBER key member: 1 or 0.
   * @example db.sismember("tags", "redis") // 1
   */
  sismember(key: Arg, member: Arg): number;
  /**
   * SMISMEMBER key member [member ...]: 1 or 0 per member.
   * @example db.smismember("tags", "redis", "go") // [1, 0]
   */
  smismember(key: Arg, ...members: [ArgOrList, ...ArgOrList[]]): number[];
  /**
   * SMEMBERS key: every member (order unspecified; ascending for small integer sets).
   * @example db.smembers("tags") // ["redis"]
   */
  smembers(key: Arg): string[];
  /**
   * SCARD key: the number of members.
   * @example db.scard("tags") // 1
   */
  scard(key: Arg): number;
  /**
   * SPOP key [count]: removes and returns a random member (null when missing), or `count` of them.
   * @example db.spop("raffle") // "ada"
   */
  spop(key: Arg, ...count: [] | [Arg]): string | null | string[];
  /**
   * SRANDMEMBER key [count]: a random member, or `count` distinct ones (a negative count may repeat).
   * @example db.srandmember("tags", 2) // ["redis", "wasm"]
   */
  srandmember(key: Arg, ...count: [] | [Arg]): string | null | string[];
  /**
   * SMOVE source destination member: 1 when moved.
   * @example db.smove("todo", "done", "task:1") // 1
   */
  smove(source: Arg, destination: Arg, member: Arg): number;
  /**
   * SINTER key [key ...]: the members present in every set.
   * @example db.sinter("a", "b") // ["x"]
   */
  sinter(...keys: [ArgOrList, ...ArgOrList[]]): string[];
  /**
   * SINTERCARD numkeys key [key ...] [LIMIT limit]: the size of the intersection.
   * @example db.sintercard(2, "a", "b", "LIMIT", 10) // 1
   */
  sintercard(numkeys: Arg, ...keysAndOptions: [ArgOrList, ...ArgOrList[]]): number;
  /**
   * SINTERSTORE destination key [key ...]: stores the intersection; its size.
   * @example db.sinterstore("both", "a", "b") // 1
   */
  sinterstore(destination: Arg, ...keys: [ArgOrList, ...ArgOrList[]]): number;
  /**
   * SUNION key [key ...]: the members of any set.
   * @example db.sunion("a", "b") // ["x", "y", "z"]
   */
  sunion(...keys: [ArgOrList, ...ArgOrList[]]): string[];
  /**
   * SUNIONSTORE destination key [key ...]: stores the union; its size.
   * @example db.sunionstore("any", "a", "b") // 3
   */
  sunionstore(destination: Arg, ...keys: [ArgOrList, ...ArgOrList[]]): number;
  /**
   * SDIFF key [key ...]: the members of the first set that are in none of the others.
   * @example db.sdiff("a", "b") // ["y"]
   */
  sdiff(...keys: [ArgOrList, ...ArgOrList[]]): string[];
  /**
   * SDIFFSTORE destination key [key ...]: stores the difference; its size.
   * @example db.sdiffstore("only-a", "a", "b") // 1
   */
  sdiffstore(destination: Arg, ...keys: [ArgOrList, ...ArgOrList[]]): number;
  /**
   * SSCAN key cursor [MATCH pattern] [COUNT n]: `[nextCursor, members]`; iterate until the cursor is "0".
   * @example const [cursor, members] = db.sscan("tags", 0, "MATCH", "r*")
   */
  sscan(key: Arg, cursor: Arg, ...options: ScanOption[]): [cursor: string, members: string[]];

  // ---- hashes ----
  /**
   * HSET key field value [field value ...]: how many fields were new. Also takes an object or Map of fields (ioredis).
   * @example db.hset("session:1", { user: "ada", theme: "dark" }) // 2
   */
  hset(key: Arg, ...fieldsAndValues: [Record<string, Arg> | Map<Arg, Arg>] | [Arg, Arg, ...Arg[]]): number;
  /**
   * HMSET key field value [field value ...]: "OK" (deprecated form of HSET). Also takes an object or Map.
   * @example db.hmset("session:1", "user", "ada") // "OK"
   */
  hmset(key: Arg, ...fieldsAndValues: [Record<string, Arg> | Map<Arg, Arg>] | [Arg, Arg, ...Arg[]]): "OK";
  /**
   * HSETNX key field value: 1 when the field was set, 0 when it existed.
   * @example db.hsetnx("session:1", "created", Date.now()) // 1
   */
  hsetnx(key: Arg, field: Arg, value: Arg): number;
  /**
   * HGET key field: the value, or null.
   * @example db.hget("session:1", "user") // "ada"
   */
  hget(key: Arg, field: Arg): string | null;
  /**
   * HMGET key field [field ...]: the values (null for missing fields).
   * @example db.hmget("session:1", "user", "nope") // ["ada", null]
   */
  hmget(key: Arg, ...fields: [ArgOrList, ...ArgOrList[]]): Array<string | null>;
  /**
   * HGETALL key: every field and value, as an object (as ioredis returns it; `call("HGETALL", …)` gives the flat array).
   * @example db.hgetall("session:1") // { user: "ada", theme: "dark" }
   */
  hgetall(key: Arg): { [field: string]: string };
  /**
   * HDEL key field [field ...]: how many fields were removed (an emptied hash is deleted).
   * @example db.hdel("session:1", "theme") // 1
   */
  hdel(key: Arg, ...fields: [ArgOrList, ...ArgOrList[]]): number;
  /**
   * HEXISTS key field: 1 or 0.
   * @example db.hexists("session:1", "user") // 1
   */
  hexists(key: Arg, field: Arg): number;
  /**
   * HLEN key: the number of fields.
   * @example db.hlen("session:1") // 2
   */
  hlen(key: Arg): number;
  /**
   * HSTRLEN key field: the length of the field's value.
   * @example db.hstrlen("session:1", "user") // 3
   */
  hstrlen(key: Arg, field: Arg): number;
  /**
   * HKEYS key: the field names.
   * @example db.hkeys("session:1") // ["user", "theme"]
   */
  hkeys(key: Arg): string[];
  /**
   * HVALS key: the values.
   * @example db.hvals("session:1") // ["ada", "dark"]
   */
  hvals(key: Arg): string[];
  /**
   * HINCRBY key field increment: the new integer value.
   * @example db.hincrby("stats", "views", 1) // 1
   */
  hincrby(key: Arg, field: Arg, increment: Arg): number;
  /**
   * HINCRBYFLOAT key field increment: the new value as Redis formats it.
   * @example db.hincrbyfloat("stats", "score", "1.5") // "1.5"
   */
  hincrbyfloat(key: Arg, field: Arg, increment: Arg): string;
  /**
   * HRANDFIELD key [count [WITHVALUES]]: a random field, or several (a negative count may repeat).
   * @example db.hrandfield("session:1", 2, "WITHVALUES") // ["user", "ada", "theme", "dark"]
   */
  hrandfield(key: Arg, ...countAndOptions: [] | [Arg] | [Arg, "WITHVALUES" | (string & {})]): string | null | string[];
  /**
   * HSCAN key cursor [MATCH pattern] [COUNT n]: `[nextCursor, [field, value, ...]]`.
   * @example const [cursor, pairs] = db.hscan("session:1", 0)
   */
  hscan(key: Arg, cursor: Arg, ...options: ScanOption[]): [cursor: string, fieldsAndValues: string[]];
  /**
   * HEXPIRE key seconds [NX|XX|GT|LT] FIELDS numfields field [field ...]: per field, 1 set, 0 condition not met,
   * 2 deleted (time already past), -2 no such field. (Redis 7.4+/Valkey 9 syntax.)
   * @example db.hexpire("session:1", 60, "FIELDS", 1, "csrf") // [1]
   */
  hexpire(key: Arg, seconds: Arg, ...conditionAndFields: Arg[]): number[];
  /**
   * HPEXPIRE key milliseconds [NX|XX|GT|LT] FIELDS numfields field [field ...]: as HEXPIRE, in milliseconds.
   * @example db.hpexpire("session:1", 1500, "FIELDS", 1, "csrf") // [1]
   */
  hpexpire(key: Arg, milliseconds: Arg, ...conditionAndFields: Arg[]): number[];
  /**
   * HEXPIREAT key unix-time-seconds [NX|XX|GT|LT] FIELDS numfields field [field ...].
   * @example db.hexpireat("session:1", 1893456000, "FIELDS", 1, "csrf") // [1]
   */
  hexpireat(key: Arg, unixSeconds: Arg, ...conditionAndFields: Arg[]): number[];
  /**
   * HPEXPIREAT key unix-time-milliseconds [NX|XX|GT|LT] FIELDS numfields field [field ...].
   * @example db.hpexpireat("session:1", Date.now() + 5000, "FIELDS", 1, "csrf") // [1]
   */
  hpexpireat(key: Arg, unixMilliseconds: Arg, ...conditionAndFields: Arg[]): number[];
  /**
   * HTTL key FIELDS numfields field [field ...]: seconds left per field (-1 no TTL, -2 no such field).
   * @example db.httl("session:1", "FIELDS", 1, "csrf") // [59]
   */
  httl(key: Arg, ...fields: Arg[]): number[];
  /**
   * HPTTL key FIELDS numfields field [field ...]: milliseconds left per field.
   * @example db.hpttl("session:1", "FIELDS", 1, "csrf") // [59000]
   */
  hpttl(key: Arg, ...fields: Arg[]): number[];
  /**
   * HEXPIRETIME key FIELDS numfields field [field ...]: the absolute expiry per field, Unix seconds.
   * @example db.hexpiretime("session:1", "FIELDS", 1, "csrf") // [1893456000]
   */
  hexpiretime(key: Arg, ...fields: Arg[]): number[];
  /**
   * HPEXPIRETIME key FIELDS numfields field [field ...]: the absolute expiry per field, Unix milliseconds.
   * @example db.hpexpiretime("session:1", "FIELDS", 1, "csrf") // [1893456000000]
   */
  hpexpiretime(key: Arg, ...fields: Arg[]): number[];
  /**
   * HPERSIST key FIELDS numfields field [field ...]: per field, 1 TTL removed, -1 had none, -2 no such field.
   * @example db.hpersist("session:1", "FIELDS", 1, "csrf") // [1]
   */
  hpersist(key: Arg, ...fields: Arg[]): number[];
  /**
   * HGETEX key [EX s|PX ms|EXAT t|PXAT t|PERSIST] FIELDS numfields field [field ...]: the values, setting or clearing their TTLs.
   * @example db.hgetex("session:1", "EX", 60, "FIELDS", 1, "user") // ["ada"]
   */
  hgetex(key: Arg, ...optionsAndFields: Arg[]): Array<string | null>;
  /**
   * HSETEX key [FNX|FXX] [EX s|PX ms|EXAT t|PXAT t|KEEPTTL] FIELDS numfields field value [field value ...]: 1 when set, 0 when a condition failed.
   * @example db.hsetex("session:1", "EX", 60, "FIELDS", 1, "csrf", "t0k3n") // 1
   */
  hsetex(key: Arg, ...optionsAndFields: Arg[]): number;
  /**
   * HGETDEL key FIELDS numfields field [field ...]: the values, removing the fields.
   * @example db.hgetdel("session:1", "FIELDS", 1, "csrf") // ["t0k3n"]
   */
  hgetdel(key: Arg, ...fields: Arg[]): Array<string | null>;

  // ---- sorted sets ----
  /**
   * ZADD key [NX|XX] [GT|LT] [CH] [INCR] score member [score member ...]: members added (changed with CH); with INCR the new score or null.
   * @example db.zadd("board", 10, "ada", 7, "bob") // 2
   */
  zadd(key: Arg, ...optionsScoresMembers: [Arg, ...Arg[]]): number | string | null;
  /**
   * ZINCRBY key increment member: the new score (a string, as Redis formats it).
   * @example db.zincrby("board", 5, "bob") // "12"
   */
  zincrby(key: Arg, increment: Arg, member: Arg): string;
  /**
   * ZREM key member [member ...]: members removed (an emptied sorted set is deleted).
   * @example db.zrem("board", "bob") // 1
   */
  zrem(key: Arg, ...members: [ArgOrList, ...ArgOrList[]]): number;
  /**
   * ZCARD key: the number of members.
   * @example db.zcard("board") // 2
   */
  zcard(key: Arg): number;
  /**
   * ZSCORE key member: the score as a string, or null.
   * @example db.zscore("board", "ada") // "10"
   */
  zscore(key: Arg, member: Arg): string | null;
  /**
   * ZMSCORE key member [member ...]: scores (null for missing members).
   * @example db.zmscore("board", "ada", "nope") // ["10", null]
   */
  zmscore(key: Arg, ...members: [ArgOrList, ...ArgOrList[]]): Array<string | null>;
  /**
   * ZCOUNT key min max: members with a score in the range (`(` for exclusive, `-inf`/`+inf`).
   * @example db.zcount("board", "(5", "+inf") // 2
   */
  zcount(key: Arg, min: Arg, max: Arg): number;
  /**
   * ZLEXCOUNT key min max: members in the lexicographical range (`[a`, `(b`, `-`, `+`).
   * @example db.zlexcount("names", "[a", "(c") // 2
   */
  zlexcount(key: Arg, min: Arg, max: Arg): number;
  /**
   * ZRANK key member: the 0-based rank by ascending score, or null.
   * @example db.zrank("board", "ada") // 1
   */
  zrank(key: Arg, member: Arg): number | null;
  /**
   * ZREVRANK key member: the 0-based rank by descending score, or null (a leaderboard position).
   * @example db.zrevrank("board", "ada") // 0
   */
  zrevrank(key: Arg, member: Arg): number | null;
  /**
   * ZRANGE key start stop [BYSCORE|BYLEX] [REV] [LIMIT offset count] [WITHSCORES]: members (and scores, flat).
   * @example db.zrange("board", 0, 9, "REV", "WITHSCORES") // ["ada", "10", "bob", "7"]
   */
  zrange(key: Arg, start: Arg, stop: Arg, ...options: Arg[]): string[];
  /**
   * ZRANGESTORE dst src min max [BYSCORE|BYLEX] [REV] [LIMIT offset count]: the size of the stored range.
   * @example db.zrangestore("top3", "board", 0, 2, "REV") // 2
   */
  zrangestore(dst: Arg, src: Arg, min: Arg, max: Arg, ...options: Arg[]): number;
  /**
   * ZRANGEBYSCORE key min max [WITHSCORES] [LIMIT offset count].
   * @example db.zrangebyscore("board", 5, "+inf") // ["bob", "ada"]
   */
  zrangebyscore(key: Arg, min: Arg, max: Arg, ...options: Arg[]): string[];
  /**
   * ZREVRANGEBYSCORE key max min [WITHSCORES] [LIMIT offset count].
   * @example db.zrevrangebyscore("board", "+inf", 5) // ["ada", "bob"]
   */
  zrevrangebyscore(key: Arg, max: Arg, min: Arg, ...options: Arg[]): string[];
  /**
   * ZRANGEBYLEX key min max [LIMIT offset count].
   * @example db.zrangebylex("names", "-", "+") // ["ada", "bob"]
   */
  zrangebylex(key: Arg, min: Arg, max: Arg, ...options: Arg[]): string[];
  /**
   * ZREVRANGEBYLEX key max min [LIMIT offset count].
   * @example db.zrevrangebylex("names", "+", "-") // ["bob", "ada"]
   */
  zrevrangebylex(key: Arg, max: Arg, min: Arg, ...options: Arg[]): string[];
  /**
   * ZREVRANGE key start stop [WITHSCORES]: by descending score (the top-N of a leaderboard).
   * @example db.zrevrange("board", 0, 9, "WITHSCORES") // ["ada", "10", "bob", "7"]
   */
  zrevrange(key: Arg, start: Arg, stop: Arg, ...withscores: [] | ["WITHSCORES" | (string & {})]): string[];
  /**
   * ZREMRANGEBYRANK key start stop: members removed.
   * @example db.zremrangebyrank("board", 0, -11) // 0
   */
  zremrangebyrank(key: Arg, start: Arg, stop: Arg): number;
  /**
   * ZREMRANGEBYSCORE key min max: members removed.
   * @example db.zremrangebyscore("board", "-inf", "(0") // 0
   */
  zremrangebyscore(key: Arg, min: Arg, max: Arg): number;
  /**
   * ZREMRANGEBYLEX key min max: members removed.
   * @example db.zremrangebylex("names", "[a", "[b") // 2
   */
  zremrangebylex(key: Arg, min: Arg, max: Arg): number;
  /**
   * ZPOPMIN key [count]: the lowest members with their scores, flat.
   * @example db.zpopmin("board") // ["bob", "7"]
   */
  zpopmin(key: Arg, ...count: [] | [Arg]): string[];
  /**
   * ZPOPMAX key [count]: the highest members with their scores, flat.
   * @example db.zpopmax("board") // ["ada", "10"]
   */
  zpopmax(key: Arg, ...count: [] | [Arg]): string[];
  /**
   * ZMPOP numkeys key [key ...] MIN|MAX [COUNT count]: `[key, [[member, score], ...]]` from the first non-empty key, or null.
   * @example db.zmpop(1, "board", "MAX") // ["board", [["ada", "10"]]]
   */
  zmpop(numkeys: Arg, ...keysAndOptions: Arg[]): [key: string, members: [member: string, score: string][]] | null;
  /**
   * ZRANDMEMBER key [count [WITHSCORES]]: a random member, or several (a negative count may repeat).
   * @example db.zrandmember("board", 2) // ["bob", "ada"]
   */
  zrandmember(key: Arg, ...countAndOptions: [] | [Arg] | [Arg, "WITHSCORES" | (string & {})]): string | null | string[];
  /**
   * ZUNION numkeys key [key ...] [WEIGHTS w ...] [AGGREGATE SUM|MIN|MAX] [WITHSCORES].
   * @example db.zunion(2, "week1", "week2", "WITHSCORES") // ["bob", "9", "ada", "22"]
   */
  zunion(numkeys: Arg, ...keysAndOptions: Arg[]): string[];
  /**
   * ZINTER numkeys key [key ...] [WEIGHTS w ...] [AGGREGATE SUM|MIN|MAX] [WITHSCORES].
   * @example db.zinter(2, "week1", "week2") // ["ada"]
   */
  zinter(numkeys: Arg, ...keysAndOptions: Arg[]): string[];
  /**
   * ZDIFF numkeys key [key ...] [WITHSCORES].
   * @example db.zdiff(2, "week1", "week2") // ["bob"]
   */
  zdiff(numkeys: Arg, ...keysAndOptions: Arg[]): string[];
  /**
   * ZUNIONSTORE destination numkeys key [key ...] [WEIGHTS w ...] [AGGREGATE SUM|MIN|MAX]: the size of the result.
   * @example db.zunionstore("total", 2, "week1", "week2") // 2
   */
  zunionstore(destination: Arg, numkeys: Arg, ...keysAndOptions: Arg[]): number;
  /**
   * ZINTERSTORE destination numkeys key [key ...] [WEIGHTS w ...] [AGGREGATE SUM|MIN|MAX]: the size of the result.
   * @example db.zinterstore("both", 2, "week1", "week2") // 1
   */
  zinterstore(destination: Arg, numkeys: Arg, ...keysAndOptions: Arg[]): number;
  /**
   * ZDIFFSTORE destination numkeys key [key ...]: the size of the result.
   * @example db.zdiffstore("only1", 2, "week1", "week2") // 1
   */
  zdiffstore(destination: Arg, numkeys: Arg, ...keys: Arg[]): number;
  /**
   * ZINTERCARD numkeys key [key ...] [LIMIT limit]: the size of the intersection.
   * @example db.zintercard(2, "week1", "week2") // 1
   */
  zintercard(numkeys: Arg, ...keysAndOptions: Arg[]): number;
  /**
   * ZSCAN key cursor [MATCH pattern] [COUNT n]: `[nextCursor, [member, score, ...]]`.
   * @example const [cursor, pairs] = db.zscan("board", 0)
   */
  zscan(key: Arg, cursor: Arg, ...options: ScanOption[]): [cursor: string, membersAndScores: string[]];
  // ----------------------------------------------------------------- pubsub
  // On `Cinnabar`, subscribe / psubscribe / ssubscribe take a listener (see the
  // class); these raw forms are what `db.call(...)` and pipelines run: they put
  // the connection itself in subscribed mode and answer Redis's confirmations.
  /**
   * SUBSCRIBE channel [channel ...] (raw): one `["subscribe", channel, count]` per channel (an array of them for several).
   * @example db.call("SUBSCRIBE", "news") // ["subscribe", "news", 1]
   */
  subscribe(...channels: [ArgOrList, ...ArgOrList[]]): Reply[];
  /**
   * UNSUBSCRIBE [channel ...]: one `["unsubscribe", channel | null, count]` per channel (an array of them for several).
   * @example sub.unsubscribe("news") // ["unsubscribe", "news", 0]
   */
  unsubscribe(...channels: ArgOrList[]): Reply[];
  /**
   * PSUBSCRIBE pattern [pattern ...] (raw): one `["psubscribe", pattern, count]` per pattern.
   * @example db.call("PSUBSCRIBE", "chat:*") // ["psubscribe", "chat:*", 1]
   */
  psubscribe(...patterns: [ArgOrList, ...ArgOrList[]]): Reply[];
  /**
   * PUNSUBSCRIBE [pattern ...]: one `["punsubscribe", pattern | null, count]` per pattern.
   * @example sub.punsubscribe() // ["punsubscribe", null, 0]
   */
  punsubscribe(...patterns: ArgOrList[]): Reply[];
  /**
   * SSUBSCRIBE shardchannel [shardchannel ...] (raw): one `["ssubscribe", channel, count]` per channel.
   * @example db.call("SSUBSCRIBE", "orders") // ["ssubscribe", "orders", 1]
   */
  ssubscribe(...channels: [ArgOrList, ...ArgOrList[]]): Reply[];
  /**
   * SUNSUBSCRIBE [shardchannel ...]: one `["sunsubscribe", channel | null, count]` per channel.
   * @example sub.sunsubscribe("orders") // ["sunsubscribe", "orders", 0]
   */
  sunsubscribe(...channels: ArgOrList[]): Reply[];
  /**
   * PUBLISH channel message: the number of receivers in this store (channel
   * subscriptions + matching pattern subscriptions, as Redis counts them).
   * Members of a bridge in other contexts also receive it but are not counted.
   * @example db.publish("chat:42", "hi") // 2
   */
  publish(channel: Arg, message: Arg): number;
  /**
   * SPUBLISH shardchannel message: the number of shard-channel receivers in this store.
   * @example db.spublish("orders", "o1") // 1
   */
  spublish(shardchannel: Arg, message: Arg): number;
  /**
   * PUBSUB CHANNELS [pattern] | NUMSUB [channel ...] | NUMPAT | SHARDCHANNELS [pattern] | SHARDNUMSUB [channel ...] | HELP.
   * @example db.pubsub("NUMSUB", "chat:42") // ["chat:42", 1]
   */
  pubsub(
    subcommand: "CHANNELS" | "NUMSUB" | "NUMPAT" | "SHARDCHANNELS" | "SHARDNUMSUB" | "HELP" | (string & {}),
    ...args: Arg[]
  ): number | Array<string | number>;
  // ---- lists ----
  /**
   * LPUSH key element [element ...]: prepends; the new length.
   * @example db.lpush("jobs", "a", "b") // 2
   */
  lpush(key: Arg, ...elements: [ArgOrList, ...ArgOrList[]]): number;
  /**
   * RPUSH key element [element ...]: appends; the new length.
   * @example db.rpush("jobs", "a", "b") // 2
   */
  rpush(key: Arg, ...elements: [ArgOrList, ...ArgOrList[]]): number;
  /**
   * LPUSHX key element [element ...]: prepends only to an existing list; the length (0 when missing).
   * @example db.lpushx("nokey", "a") // 0
   */
  lpushx(key: Arg, ...elements: [ArgOrList, ...ArgOrList[]]): number;
  /**
   * RPUSHX key element [element ...]: appends only to an existing list; the length (0 when missing).
   * @example db.rpushx("jobs", "c") // 3
   */
  rpushx(key: Arg, ...elements: [ArgOrList, ...ArgOrList[]]): number;
  /**
   * LPOP key [count]: removes the first element (or up to `count`, as an array).
   * @example db.lpop("jobs") // "a"
   */
  lpop(key: Arg, ...count: [] | [Arg]): string | null | string[];
  /**
   * RPOP key [count]: removes the last element (or up to `count`, as an array).
   * @example db.rpop("jobs", 2) // ["c", "b"]
   */
  rpop(key: Arg, ...count: [] | [Arg]): string | null | string[];
  /**
   * LLEN key: the length (0 when missing).
   * @example db.llen("jobs") // 3
   */
  llen(key: Arg): number;
  /**
   * LRANGE key start stop: elements from `start` to `stop` inclusive (negative from the end).
   * @example db.lrange("jobs", 0, -1) // ["a", "b", "c"]
   */
  lrange(key: Arg, start: Arg, stop: Arg): string[];
  /**
   * LINDEX key index: the element at `index`, or null.
   * @example db.lindex("jobs", -1) // "c"
   */
  lindex(key: Arg, index: Arg): string | null;
  /**
   * LSET key index element: replaces the element at `index`.
   * @example db.lset("jobs", 0, "z") // "OK"
   */
  lset(key: Arg, index: Arg, element: Arg): "OK";
  /**
   * LINSERT key BEFORE|AFTER pivot element: the new length, -1 without the pivot, 0 without the key.
   * @example db.linsert("jobs", "BEFORE", "b", "a2") // 4
   */
  linsert(key: Arg, where: "BEFORE" | "AFTER" | (string & {}), pivot: Arg, element: Arg): number;
  /**
   * LREM key count element: removes `count` matches (0: all; negative: from the tail); how many.
   * @example db.lrem("jobs", 0, "a") // 1
   */
  lrem(key: Arg, count: Arg, element: Arg): number;
  /**
   * LTRIM key start stop: keeps only that range.
   * @example db.ltrim("log", 0, 99) // "OK"
   */
  ltrim(key: Arg, start: Arg, stop: Arg): "OK";
  /**
   * LPOS key element [RANK rank] [COUNT n] [MAXLEN len]: index of a match (an array with COUNT).
   * @example db.lpos("jobs", "b", "COUNT", 0) // [1]
   */
  lpos(key: Arg, element: Arg, ...options: Arg[]): number | null | number[];
  /**
   * LMOVE source destination LEFT|RIGHT LEFT|RIGHT: moves one element; it, or null.
   * @example db.lmove("jobs", "active", "LEFT", "RIGHT") // "a"
   */
  lmove(source: Arg, destination: Arg, from: ListEnd, to: ListEnd): string | null;
  /**
   * RPOPLPUSH source destination: LMOVE source destination RIGHT LEFT.
   * @example db.rpoplpush("jobs", "active") // "c"
   */
  rpoplpush(source: Arg, destination: Arg): string | null;
  /**
   * LMPOP numkeys key [key ...] LEFT|RIGHT [COUNT n]: pops from the first non-empty list: `[key, elements]`.
   * @example db.lmpop(2, "a", "b", "LEFT", "COUNT", 2) // ["b", ["x", "y"]]
   */
  lmpop(numkeys: Arg, ...args: Arg[]): [key: string, elements: string[]] | null;
  /**
   * BLPOP key [key ...] timeout [options]: a Promise of `[key, element]` from the first
   * non-empty list, waiting up to `timeout` seconds (0 = forever) for a push from any
   * connection or transaction; null on timeout. Waiters are served first come, first served.
   * Inside MULTI or a pipeline it does not wait (null at once), as in Redis.
   * @example const [key, job] = (await db.blpop("jobs", 0, { signal: AbortSignal.timeout(5000) }))!
   */
  blpop(...args: BlockingKeys): Promise<[key: string, element: string] | null>;
  /**
   * BRPOP key [key ...] timeout [options]: as {@link CommandSignatures.blpop}, from the tail.
   * @example await db.brpop("jobs", 1.5) // ["jobs", "c"] or null after 1.5 s
   */
  brpop(...args: BlockingKeys): Promise<[key: string, element: string] | null>;
  /**
   * BLMOVE source destination LEFT|RIGHT LEFT|RIGHT timeout [options]: LMOVE that waits for
   * an element; a Promise of it, or null on timeout.
   * @example await db.blmove("jobs", "active", "LEFT", "RIGHT", 0) // "a"
   */
  blmove(
    source: Arg,
    destination: Arg,
    from: ListEnd,
    to: ListEnd,
    timeout: Arg,
    options?: BlockingOptions,
  ): Promise<string | null>;
  /**
   * BRPOPLPUSH source destination timeout [options]: BLMOVE source destination RIGHT LEFT.
   * @example await db.brpoplpush("jobs", "active", 0) // "c"
   */
  brpoplpush(source: Arg, destination: Arg, timeout: Arg, options?: BlockingOptions): Promise<string | null>;
  /**
   * BLMPOP timeout numkeys key [key ...] LEFT|RIGHT [COUNT n] [options]: LMPOP that waits;
   * a Promise of `[key, elements]`, or null on timeout.
   * @example await db.blmpop(0, 1, "jobs", "LEFT", "COUNT", 10) // ["jobs", ["a", "b"]]
   */
  blmpop(timeout: Arg, numkeys: Arg, ...args: [...Arg[]] | [...Arg[], BlockingOptions]): Promise<[key: string, elements: string[]] | null>;

  // ---- geo (sorted sets scored by a 52-bit geohash; ZRANGE, ZSCORE, ZREM work on them) ----
  /**
   * GEOADD key [NX|XX] [CH] longitude latitude member [longitude latitude member ...]: members added (changed with CH).
   * @example db.geoadd("shops", 13.361389, 38.115556, "Palermo", 15.087269, 37.502669, "Catania") // 2
   */
  geoadd(key: Arg, ...optionsAndTriples: [Arg, ...Arg[]]): number;
  /**
   * GEODIST key member1 member2 [M|KM|FT|MI]: the distance with 4 decimals (a string), or null.
   * @example db.geodist("shops", "Palermo", "Catania", "km") // "166.2742"
   */
  geodist(key: Arg, member1: Arg, member2: Arg, unit?: GeoUnit): string | null;
  /**
   * GEOHASH key [member ...]: 11-character standard geohashes (null for missing members).
   * @example db.geohash("shops", "Palermo") // ["sqc8b49rny0"]
   */
  geohash(key: Arg, ...members: Arg[]): Array<string | null>;
  /**
   * GEOPOS key [member ...]: [longitude, latitude] as Redis prints them, or null.
   * @example db.geopos("shops", "Palermo") // [["13.36138933897018433", "38.11555639549629859"]]
   */
  geopos(key: Arg, ...members: Arg[]): Array<[longitude: string, latitude: string] | null>;
  /**
   * GEOSEARCH key FROMMEMBER m|FROMLONLAT lon lat BYRADIUS r unit|BYBOX w h unit|BYPOLYGON n lon lat ...
   * [ASC|DESC] [COUNT n [ANY]] [WITHCOORD] [WITHDIST] [WITHHASH]: members, or with WITH* options
   * arrays [member, dist?, hash?, [lon, lat]?] in that order (as Redis replies).
   * @example db.geosearch("shops", "FROMLONLAT", 15, 37, "BYRADIUS", 200, "km", "ASC", "WITHDIST") // [["Catania", "56.4413"], ["Palermo", "190.4424"]]
   */
  geosearch(key: Arg, ...options: GeoSearchOption[]): GeoSearchReply;
  /**
   * GEOSEARCHSTORE destination source FROMMEMBER m|FROMLONLAT lon lat BYRADIUS ...|BYBOX ...|BYPOLYGON ... [ASC|DESC] [COUNT n [ANY]] [STOREDIST]: members stored.
   * @example db.geosearchstore("near", "shops", "FROMLONLAT", 15, 37, "BYRADIUS", 200, "km", "STOREDIST") // 2
   */
  geosearchstore(destination: Arg, source: Arg, ...options: GeoSearchOption[]): number;
  /**
   * GEORADIUS key longitude latitude radius M|KM|FT|MI [WITHCOORD] [WITHDIST] [WITHHASH] [COUNT n [ANY]] [ASC|DESC] [STORE key|STOREDIST key]: as GEOSEARCH, or a count with STORE.
   * @example db.georadius("shops", 15, 37, 200, "km", "WITHDIST") // [["Palermo", "190.4424"], ["Catania", "56.4413"]]
   */
  georadius(key: Arg, longitude: Arg, latitude: Arg, radius: Arg, unit: GeoUnit, ...options: GeoSearchOption[]): GeoSearchReply | number;
  /**
   * GEORADIUS_RO key longitude latitude radius M|KM|FT|MI [WITHCOORD] [WITHDIST] [WITHHASH] [COUNT n [ANY]] [ASC|DESC].
   * @example db.georadius_ro("shops", 15, 37, 200, "km") // ["Palermo", "Catania"]
   */
  georadius_ro(key: Arg, longitude: Arg, latitude: Arg, radius: Arg, unit: GeoUnit, ...options: GeoSearchOption[]): GeoSearchReply;
  /**
   * GEORADIUSBYMEMBER key member radius M|KM|FT|MI [WITHCOORD] [WITHDIST] [WITHHASH] [COUNT n [ANY]] [ASC|DESC] [STORE key|STOREDIST key].
   * @example db.georadiusbymember("shops", "Palermo", 200, "km") // ["Palermo", "Catania"]
   */
  georadiusbymember(key: Arg, member: Arg, radius: Arg, unit: GeoUnit, ...options: GeoSearchOption[]): GeoSearchReply | number;
  /**
   * GEORADIUSBYMEMBER_RO key member radius M|KM|FT|MI [WITHCOORD] [WITHDIST] [WITHHASH] [COUNT n [ANY]] [ASC|DESC].
   * @example db.georadiusbymember_ro("shops", "Palermo", 200, "km", "COUNT", 1) // ["Palermo"]
   */
  georadiusbymember_ro(key: Arg, member: Arg, radius: Arg, unit: GeoUnit, ...options: GeoSearchOption[]): GeoSearchReply;

  // ---- blocking sorted-set pops ----
  /**
   * BZPOPMIN key [key ...] timeout [options]: a Promise of `[key, member, score]` popped
   * from the first non-empty sorted set, waiting up to `timeout` seconds (0 = forever);
   * null on timeout. Served first come, first served; inside MULTI it does not wait.
   * @example await db.bzpopmin("tasks", 0, { signal }) // ["tasks", "a", "1"]
   */
  bzpopmin(...args: BlockingKeys): Promise<[key: string, member: string, score: string] | null>;
  /**
   * BZPOPMAX key [key ...] timeout [options]: as {@link CommandSignatures.bzpopmin}, the highest score.
   * @example await db.bzpopmax("tasks", 1.5) // ["tasks", "z", "9"] or null
   */
  bzpopmax(...args: BlockingKeys): Promise<[key: string, member: string, score: string] | null>;
  /**
   * BZMPOP timeout numkeys key [key ...] MIN|MAX [COUNT n] [options]: ZMPOP that waits;
   * a Promise of `[key, [member, score][]]`, or null on timeout.
   * @example await db.bzmpop(0, 1, "tasks", "MIN", "COUNT", 2) // ["tasks", [["a", "1"], ["b", "2"]]]
   */
  bzmpop(timeout: Arg, numkeys: Arg, ...args: [...Arg[]] | [...Arg[], BlockingOptions]): Promise<[key: string, members: [member: string, score: string][]] | null>;

  // ---- streams ----
  /**
   * XADD key [NOMKSTREAM] [MAXLEN|MINID [=|~] threshold [LIMIT n]] *|id field value [...]: the
   * new entry's id (`*` from the store's clock), null with NOMKSTREAM and no stream. The fields
   * may also be an object or Map.
   * @example db.xadd("events", "*", { type: "click", x: 3 }) // "1700000000000-0"
   */
  xadd(key: Arg, ...args: [...Arg[], Record<string, Arg> | Map<Arg, Arg>] | Arg[]): string | null;
  /**
   * XLEN key: the number of entries.
   * @example db.xlen("events") // 2
   */
  xlen(key: Arg): number;
  /**
   * XRANGE key start end [COUNT n]: entries from `start` to `end` (`-`, `+`, `(` for exclusive).
   * @example db.xrange("events", "-", "+", "COUNT", 10) // [["1-0", ["type", "click"]]]
   */
  xrange(key: Arg, start: Arg, end: Arg, ...count: [] | [Arg, Arg]): StreamEntry[] | null;
  /**
   * XREVRANGE key end start [COUNT n]: as {@link CommandSignatures.xrange}, newest first.
   * @example db.xrevrange("events", "+", "-", "COUNT", 1) // [["2-0", ["type", "view"]]]
   */
  xrevrange(key: Arg, end: Arg, start: Arg, ...count: [] | [Arg, Arg]): StreamEntry[] | null;
  /**
   * XDEL key id [id ...]: how many entries were deleted.
   * @example db.xdel("events", "1-0") // 1
   */
  xdel(key: Arg, ...ids: Arg[]): number;
  /**
   * XTRIM key MAXLEN|MINID [=|~] threshold [LIMIT n]: how many entries were removed
   * (`~` removes whole nodes only, as Redis does).
   * @example db.xtrim("events", "MAXLEN", "~", 1000) // 0
   */
  xtrim(key: Arg, ...args: Arg[]): number;
  /**
   * XREAD [COUNT n] [BLOCK ms] STREAMS key [key ...] id [id ...] [options]: a Promise of the
   * entries after each id (`$` = only new ones), per stream; with BLOCK it waits up to `ms`
   * (0 = forever) for an XADD; null when nothing came.
   * @example const r = await db.xread("BLOCK", 0, "STREAMS", "events", "$", { signal })
   */
  xread(...args: [...ArgOrList[]] | [...ArgOrList[], BlockingOptions]): Promise<StreamRead | null>;
  /**
   * XREADGROUP GROUP group consumer [COUNT n] [BLOCK ms] [NOACK] STREAMS key [...] id [...] [options]:
   * as {@link CommandSignatures.xread} for a consumer of a group (`>` = never delivered to the group,
   * else the consumer's pending history).
   * @example await db.xreadgroup("GROUP", "mail", "w1", "COUNT", 10, "BLOCK", 5000, "STREAMS", "jobs", ">")
   */
  xreadgroup(...args: [...ArgOrList[]] | [...ArgOrList[], BlockingOptions]): Promise<StreamRead | null>;
  /**
   * XGROUP CREATE|SETID|DESTROY|CREATECONSUMER|DELCONSUMER|HELP ...: manages consumer groups.
   * @example db.xgroup("CREATE", "jobs", "mail", "$", "MKSTREAM") // "OK"
   */
  xgroup(subcommand: string, ...args: Arg[]): "OK" | number | string[];
  /**
   * XACK key group id [id ...]: how many pending entries were acknowledged.
   * @example db.xack("jobs", "mail", "1-0") // 1
   */
  xack(key: Arg, group: Arg, ...ids: Arg[]): number;
  /**
   * XPENDING key group [[IDLE ms] start end count [consumer]]: the summary
   * `[count, first, last, [consumer, count][]]`, or the pending entries
   * `[id, consumer, idle ms, deliveries][]`.
   * @example db.xpending("jobs", "mail", "-", "+", 10) // [["1-0", "w1", 1500, 1]]
   */
  xpending(
    key: Arg,
    group: Arg,
    ...range: Arg[]
  ): [count: number, first: string | null, last: string | null, consumers: [name: string, count: string][] | null] | [id: string, consumer: string, idle: number, deliveries: number][];
  /**
   * XCLAIM key group consumer min-idle-time id [id ...] [IDLE ms] [TIME ms] [RETRYCOUNT n] [FORCE] [JUSTID] [LASTID id]:
   * the entries (or ids with JUSTID) now owned by `consumer`.
   * @example db.xclaim("jobs", "mail", "w2", 60000, "1-0") // [["1-0", ["to", "a@b.c"]]]
   */
  xclaim(key: Arg, group: Arg, consumer: Arg, minIdleTime: Arg, ...idsAndOptions: Arg[]): StreamEntry[] | string[];
  /**
   * XAUTOCLAIM key group consumer min-idle-time start [COUNT n] [JUSTID]: `[next cursor, claimed, deleted ids]`.
   * @example db.xautoclaim("jobs", "mail", "w2", 60000, "0-0", "COUNT", 10) // ["0-0", [["1-0", ["to", "a@b.c"]]], []]
   */
  xautoclaim(key: Arg, group: Arg, consumer: Arg, minIdleTime: Arg, start: Arg, ...options: Arg[]): [cursor: string, claimed: StreamEntry[] | string[], deleted: string[]];
  /**
   * XINFO STREAM key [FULL [COUNT n]] | GROUPS key | CONSUMERS key group | HELP: flat field/value arrays, as Redis's RESP2 replies.
   * @example db.xinfo("GROUPS", "jobs") // [["name", "mail", "consumers", 1, ...]]
   */
  xinfo(subcommand: string, ...args: Arg[]): Reply;
  /**
   * XSETID key last-id [ENTRIESADDED n] [MAXDELETEDID id]: sets the stream's last id.
   * @example db.xsetid("jobs", "5-0") // "OK"
   */
  xsetid(key: Arg, lastId: Arg, ...options: Arg[]): "OK";
}

/** Distance units of the geo commands (any case). */
export type GeoUnit = "m" | "km" | "mi" | "ft" | "M" | "KM" | "MI" | "FT" | (string & {});
/** Keywords and values of GEOSEARCH and the GEORADIUS family. */
export type GeoSearchOption =
  | "FROMMEMBER" | "FROMLONLAT" | "BYRADIUS" | "BYBOX" | "BYPOLYGON" | "ASC" | "DESC" | "COUNT" | "ANY"
  | "WITHCOORD" | "WITHDIST" | "WITHHASH" | "STORE" | "STOREDIST" | Arg;
/** One GEOSEARCH result with WITH* options: [member, distance?, hash?, [lon, lat]?]. */
export type GeoSearchItem = [member: string, ...extras: Array<string | number | [longitude: string, latitude: string]>];
/** GEOSEARCH's reply: members, or GeoSearchItem arrays when a WITH* option was given. */
export type GeoSearchReply = string[] | GeoSearchItem[];

/** A geofence: a polygon ([lon, lat] vertices, straight edges in lon/lat) or a circle. */
export type Geofence =
  | { polygon: ReadonlyArray<readonly [longitude: number, latitude: number]> }
  | { circle: { lon: number; lat: number; radius: number; unit?: "m" | "km" | "mi" | "ft" } };
/** What a geofence reports when any write moves a member across it (positions as stored, decoded; an exit of a removed member carries its last position inside). */
export interface GeofenceEvent {
  type: "enter" | "inside" | "exit";
  key: string;
  member: string;
  lon: number;
  lat: number;
}
/** Options of {@link Cinnabar.geofence}. */
export interface GeofenceOptions {
  /** Also PUBLISH each event, as JSON, on this pub/sub channel. */
  channel?: string;
}

type Sigs = CommandSignatures;
type Fn = (...args: any) => any;
/** Commands whose `Cinnabar` method is the listener form (declared on the class). */
type ListenerForms = "subscribe" | "psubscribe" | "ssubscribe";
/** Command methods of a client: each returns its reply; `xxxBuffer` with strings as Uint8Array. */
export type ClientCommands = { [K in Exclude<keyof Sigs, "multi" | ListenerForms>]: Sigs[K] } & {
  [K in Exclude<keyof Sigs, "multi" | ListenerForms> as `${K}Buffer`]: Sigs[K] extends Fn
    ? (...args: Parameters<Sigs[K]>) => ToBuffer<ReturnType<Sigs[K]>>
    : never;
};
/** Command methods of a pipeline: each queues the command and returns the pipeline. */
export type PipelineCommands = { [K in Exclude<keyof Sigs, "exec">]: (...args: Parameters<Sigs[K]>) => Pipeline } & {
  [K in Exclude<keyof Sigs, "exec"> as `${K}Buffer`]: (...args: Parameters<Sigs[K]>) => Pipeline;
};

export interface Cinnabar extends ClientCommands {}

/**
 * A connection to an in-process store. `new Cinnabar()` creates an empty store
 * (independent of any other); {@link Cinnabar.duplicate} opens another
 * connection to the same data.
 *
 * @example
 * ```ts
 * const db = new Cinnabar({ databases: 16, hz: 10 });
 * db.set("k", "v");
 * db.close();
 * ```
 */
export declare class Cinnabar {
  /**
   * Creates a new, empty store and a connection to it. No init call is needed.
   * @throws RangeError for an out-of-range option.
   * @example const db = new Cinnabar({ hz: 20 })
   */
  constructor(options?: CinnabarOptions);

  /**
   * A blocking command by name returns a Promise, like its method (trailing {@link BlockingOptions} allowed).
   * @example await db.call("BLPOP", "jobs", 0) // ["jobs", "a"]
   */
  call(name: BlockingCommand, ...args: Array<ArgOrList | BlockingOptions>): Promise<Reply>;
  /**
   * Runs any command by name (case-insensitive); the reply, or throws {@link ReplyError}.
   * Throws a TypeError (and changes nothing) for an argument that is not a
   * string, finite number, bigint or Uint8Array.
   * @example db.call("SET", "user:1", "ada", "EX", 60) // "OK"
   */
  call(name: string, ...args: ArgOrList[]): Reply;

  /**
   * As {@link Cinnabar.call}, with every string of the reply as `Uint8Array`.
   * @example db.callBuffer("GET", "img:1") // Uint8Array [...]
   */
  callBuffer(name: BlockingCommand, ...args: Array<ArgOrList | BlockingOptions>): Promise<BufferReply>;
  callBuffer(name: string, ...args: ArgOrList[]): BufferReply;

  /**
   * A pipeline: queue commands, then `exec()` runs them all in one boundary
   * crossing and returns `[[err, result], ...]`.
   * @example db.pipeline().set("a", "1").incr("b").exec() // [[null, "OK"], [null, 1]]
   */
  pipeline(commands?: Array<[name: string, ...args: ArgOrList[]]>): Pipeline;

  /**
   * A MULTI/EXEC transaction built like a pipeline. `exec()` returns
   * `[[err, result], ...]`, `null` when a WATCHed key changed, and throws the
   * EXECABORT {@link ReplyError} when a command was refused while queueing.
   * With `{ pipeline: false }` it sends MULTI now and returns "OK" (then queue
   * with normal calls and finish with `db.exec()`).
   * @example db.multi().set("a", "1").incr("a").exec() // [[null, "OK"], [null, 2]]
   */
  multi(commands?: Array<[name: string, ...args: ArgOrList[]]>): Pipeline;
  multi(options: { pipeline: false }): "OK";
  multi(options: { pipeline?: true }): Pipeline;

  /**
   * Cache-aside: the value of `key`, or on a miss (or with `ttl`, once stale)
   * the loader's result, stored and returned. Concurrent callers for the same
   * key share ONE loader call; with `staleWhileRevalidate` a stale value is
   * served while one background refresh runs. A loader that throws is not
   * cached; its error reaches every waiting caller. `null`/`undefined` results
   * are returned but not cached. Values: strings (numbers are stored as
   * strings), `Uint8Array` (with `buffer: true` to read them back as bytes),
   * or any JSON value with `json: true`.
   * @example const user = await db.getOrSet(`user:${id}`, () => fetchUser(id), { ttl: 60_000, staleWhileRevalidate: 10_000, json: true })
   */
  getOrSet<T = string>(
    key: string | Uint8Array,
    loader: (key: string | Uint8Array) => T | Promise<T>,
    options?: GetOrSetOptions,
  ): Promise<T>;

  /**
   * Memory figures: INFO memory as numbers, plus the wasm heap size.
   * @example db.memoryUsage().used // 1234567
   */
  memoryUsage(): MemoryUsage;

  /**
   * Another connection to the same data, with its own selected database,
   * MULTI and WATCH state (a write on one breaks the other's WATCH).
   * @example const other = db.duplicate(); other.set("k", "x")
   */
  duplicate(): Cinnabar;
  /**
   * Watches a geo key of the selected database (Tile38-style, in-process):
   * after any write that changes the key (GEOADD, ZADD, ZREM, ZPOP*, DEL,
   * expiry, RENAME/MOVE/COPY, overwrites, *STORE, FLUSH*, SWAPDB, snapshot
   * restores; each command of a transaction on its own; from any connection
   * to this store) calls `callback` with `enter` (now inside), `inside`
   * (moved, still inside) or `exit` (moved out or removed) for each member,
   * exactly once per crossing. Inside means what GEOSEARCH BYPOLYGON / BYRADIUS
   * would return. With `options.channel` each event is also published as
   * JSON on that channel. Throws a ReplyError for an invalid polygon
   * (`ERR invalid polygon: self-intersecting`, `... fewer than 3 distinct
   * vertices`, `... coordinate is not a number`), out-of-range coordinates or
   * a negative radius, WRONGTYPE for a key of another type, and a TypeError
   * for a malformed fence object or unit.
   * Returns a function that stops watching.
   * @example
   * const stop = db.geofence("couriers", { polygon: [[2.29, 48.85], [2.36, 48.85], [2.36, 48.88], [2.29, 48.88]] },
   *   (ev) => console.log(ev.type, ev.member), { channel: "fence:paris" });
   * db.geoadd("couriers", 2.33, 48.86, "ada"); // logs "enter ada"
   * stop();
   */
  geofence(key: Arg, fence: Geofence, callback: (event: GeofenceEvent) => void, options?: GeofenceOptions): () => void;

  /**
   * Closes this connection (dropping its WATCHes). The data and the expiry timer
   * go when the last connection of the store is closed. Idempotent.
   * @example db.close()
   */
  close(): void;

  /**
   * Same as {@link Cinnabar.close} (ioredis's name).
   * @example db.disconnect()
   */
  disconnect(): void;

  /**
   * Closes the connection at the end of a `using` block.
   * @example { using db = new Cinnabar(); db.set("k", "v"); }
   */
  [Symbol.dispose](): void;

  // ---- snapshot ----

  /**
   * The whole keyspace (every database, type, value and absolute expiry time)
   * as compact, versioned, checksummed bytes. Keys already expired are left out.
   * @throws SnapshotError when memory runs out while encoding (the store is unchanged).
   * @example
   * ```ts
   * const bytes = db.snapshot();           // Uint8Array
   * const copy = Cinnabar.fromSnapshot(bytes);
   * ```
   */
  snapshot(): Uint8Array;

  /**
   * Replaces the whole keyspace with a snapshot's. All or nothing: a truncated,
   * corrupted, wrong-version or oversized snapshot throws {@link SnapshotError}
   * and leaves the store exactly as it was. Keys whose time came since the
   * snapshot was taken are dropped and listed in `expired` (and queued as
   * `expired` keyspace events). WATCHes on any key present before or after break.
   * @example
   * ```ts
   * const { keys, expired } = db.restore(bytes);
   * ```
   */
  restore(bytes: Uint8Array | ArrayBuffer | ArrayBufferView): RestoreResult;

  /**
   * The keyspace as a RESP command stream (`SELECT`, `SET … PXAT`, `SADD`,
   * `HSET`, `PEXPIREAT`; big collections in chunks of 1,000) that
   * `redis-cli --pipe` loads into an empty Redis server. Expiry is absolute, so
   * TTLs survive a slow transfer. Hash field TTLs become `HPEXPIREAT` (Redis ≥ 7.4,
   * Valkey ≥ 9); pass `hashFieldTtl: false` for older servers (fields then persist).
   * @example
   * ```ts
   * import { writeFileSync } from "node:fs";
   * writeFileSync("dump.resp", db.dump({ format: "resp" }));
   * // shell: redis-cli --pipe < dump.resp
   * ```
   */
  dump(options?: DumpOptions): Uint8Array;

  /**
   * Runs a RESP command stream (a {@link Cinnabar.dump}, or any stream
   * `redis-cli --pipe` accepts) on a connection of its own, like
   * `redis-cli --pipe`: the whole stream is parsed first (a malformed one
   * throws {@link SnapshotError} and runs nothing), then every command runs;
   * command errors are counted and the first 100 returned.
   * @example
   * ```ts
   * const { commands, errorCount } = db.load(readFileSync("dump.resp"));
   * ```
   */
  load(stream: Uint8Array | ArrayBuffer | ArrayBufferView | string, options?: { format?: "resp" }): LoadResult;

  /**
   * A new store holding a snapshot's data. `databases` defaults to the
   * snapshot's count; `onExpired` hears about keys that expired meanwhile.
   * @throws SnapshotError for a bad snapshot.
   * @example
   * ```ts
   * const db = Cinnabar.fromSnapshot(bytes, { onExpired: (keys) => console.log(keys) });
   * ```
   */
  static fromSnapshot(bytes: Uint8Array | ArrayBuffer | ArrayBufferView, options?: FromSnapshotOptions): Cinnabar;

  /**
   * Header facts of a snapshot (checks its magic, version and checksum).
   * @example Cinnabar.snapshotInfo(bytes) // { version: 1, databases: 16, savedAt: 1764..., keys: 42 }
   */
  static snapshotInfo(bytes: Uint8Array | ArrayBuffer | ArrayBufferView): SnapshotInfo;

  /**
   * Opens a store: `"memory://"` (the default: nothing kept) or `"idb://name"`,
   * kept in IndexedDB. An idb:// store restores the last saved snapshot, then
   * saves after writes (debounced), on pagehide / visibilitychange, on
   * `await db.save()` and `await db.close()`. Saves are atomic (one IndexedDB
   * transaction; the previous generation stays as a fallback). Several tabs
   * may open one name: each keeps its own copy and may write; saves are
   * serialised by a Web Lock and merge other tabs' saves key by key first, so
   * no tab overwrites keys it did not change (last saved writer wins per key).
   * @throws SnapshotError when the stored snapshots are unreadable (nothing is overwritten).
   * @example
   * ```ts
   * const db = await Cinnabar.open("idb://app", { durability: "strict" });
   * db.set("theme", "dark");
   * db.persistence.on("error", ({ kind, error }) => console.warn(kind, error));
   * await db.close(); // saves first
   * ```
   */
  static open(url: `idb://${string}`, options?: OpenOptions): Promise<PersistentCinnabar>;
  static open(url?: `memory://${string}`, options?: OpenOptions): Promise<Cinnabar>;
  static open(url?: string, options?: OpenOptions): Promise<Cinnabar | PersistentCinnabar>;

  // ---- end snapshot ----
  // ---------------------------------------------------------------- pub/sub
  /**
   * Subscribes a listener to one or more channels; returns the function that
   * unsubscribes it. Each call is its own subscriber (its own connection to
   * the store), so PUBLISH and PUBSUB NUMSUB count it as Redis counts a
   * connection. Listeners run synchronously after the publishing command, in
   * publish order. A listener that throws does not stop the others: the error
   * goes to `db.on("error")` listeners, or to console.warn when there are none.
   * @example
   * ```ts
   * const off = db.subscribe("chat:42", (message, channel) => console.log(channel, message));
   * db.publish("chat:42", "hi"); // 1
   * off();
   * ```
   */
  subscribe(channels: Channels, listener: MessageListener, options?: SubscribeOptions & { buffer?: false }): Unsubscribe;
  subscribe(channels: Channels, listener: MessageListener<Uint8Array>, options: SubscribeOptions & { buffer: true }): Unsubscribe;

  /**
   * Subscribes a listener to glob-style patterns (Redis's `*`, `?`, `[a-z]`, `\`).
   * @example db.psubscribe("chat:*", (message, channel, pattern) => console.log(channel, message))
   */
  psubscribe(patterns: Channels, listener: PatternListener, options?: SubscribeOptions & { buffer?: false }): Unsubscribe;
  psubscribe(patterns: Channels, listener: PatternListener<Uint8Array>, options: SubscribeOptions & { buffer: true }): Unsubscribe;

  /**
   * Subscribes a listener to shard channels (SSUBSCRIBE; reached by SPUBLISH only).
   * @example db.ssubscribe("orders", (message) => handle(message))
   */
  ssubscribe(channels: Channels, listener: MessageListener, options?: SubscribeOptions & { buffer?: false }): Unsubscribe;
  ssubscribe(channels: Channels, listener: MessageListener<Uint8Array>, options: SubscribeOptions & { buffer: true }): Unsubscribe;

  /**
   * The messages of channels (or patterns, with `{ pattern: true }`) as an async
   * iterator; leaving the loop (or aborting `signal`) unsubscribes. Messages
   * wait in an unbounded queue until read.
   * @example for await (const { channel, message } of db.messages("alerts")) console.log(channel, message)
   */
  messages(channels: Channels, options?: MessagesOptions & { buffer?: false }): AsyncIterableIterator<PubSubMessage>;
  messages(channels: Channels, options: MessagesOptions & { buffer: true }): AsyncIterableIterator<PubSubMessage<Uint8Array>>;

  /**
   * Listens to this connection's events: `"error"` (a pub/sub listener threw:
   * `(error, { channel, pattern })`), and, when this connection ran SUBSCRIBE /
   * PSUBSCRIBE / SSUBSCRIBE itself through `call`, ioredis-style `"message"`
   * `(channel, message)`, `"pmessage"` `(pattern, channel, message)`,
   * `"smessage"` and their `...Buffer` variants with Uint8Array.
   * @example db.on("error", (err, { channel }) => console.error(channel, err))
   */
  on(event: "error", listener: (error: unknown, info: { channel?: string | Uint8Array; pattern?: string | Uint8Array }) => void): this;
  on(event: "message" | "smessage", listener: (channel: string, message: string) => void): this;
  on(event: "pmessage", listener: (pattern: string, channel: string, message: string) => void): this;
  on(event: "messageBuffer" | "smessageBuffer", listener: (channel: Uint8Array, message: Uint8Array) => void): this;
  on(event: "pmessageBuffer", listener: (pattern: Uint8Array, channel: Uint8Array, message: Uint8Array) => void): this;

  /**
   * Removes a listener added with {@link Cinnabar.on}.
   * @example db.off("error", onError)
   */
  off(event: string, listener: (...args: any[]) => void): this;

  /**
   * The commands this build supports, from the wasm's command table.
   * @example Cinnabar.commands.map((c) => c.name) // ["append", "copy", ...]
   */
  static readonly commands: readonly CommandInfo[];
}

export interface Pipeline extends PipelineCommands {}

/**
 * Commands queued by {@link Cinnabar.pipeline} or {@link Cinnabar.multi} and
 * run together by {@link Pipeline.exec}. Argument errors (TypeError) are thrown
 * when a command is queued.
 *
 * @example
 * ```ts
 * const results = db.pipeline().set("a", "1").get("a").exec(); // [[null, "OK"], [null, "1"]]
 * ```
 */
export declare class Pipeline {
  private constructor();

  /**
   * Queues any command by name.
   * @example db.pipeline().call("SET", "a", "1").exec()
   */
  call(name: string, ...args: ArgOrList[]): this;

  /**
   * Queues any command by name; its reply's strings come back as `Uint8Array`.
   * @example db.pipeline().callBuffer("GET", "a").exec() // [[null, Uint8Array [49]]]
   */
  callBuffer(name: string, ...args: ArgOrList[]): this;

  /**
   * The number of queued commands.
   * @example db.pipeline().set("a", "1").length // 1
   */
  readonly length: number;

  /**
   * Runs the queued commands in one boundary crossing. A pipeline may run once.
   * - pipeline: `[[null, result] | [ReplyError, undefined], ...]`
   * - transaction (`multi()`): the same, or `null` when a WATCHed key changed;
   *   throws the EXECABORT ReplyError (with `previousErrors`) when a command was
   *   refused while queueing.
   * @example db.multi().incr("n").incr("n").exec() // [[null, 1], [null, 2]]
   */
  exec(): PipelineResult[] | null;
}

// ---- snapshot ----

/**
 * A snapshot or RESP stream was refused; `message` says why (truncated,
 * checksum mismatch, unsupported version, corrupt at byte N, too large, over
 * maxmemory under noeviction, ...).
 * @example try { db.restore(bytes) } catch (e) { if (e instanceof SnapshotError) ... }
 */
export declare class SnapshotError extends Error {
  name: "SnapshotError";
}

/** A key that expired while the snapshot was stored. */
export interface ExpiredKey {
  db: number;
  /** The key decoded as UTF-8 (see `keyBuffer` for binary keys). */
  key: string;
  keyBuffer: Uint8Array;
}

/** What {@link Cinnabar.restore} did. */
export interface RestoreResult {
  /** Keys in the store afterwards. */
  keys: number;
  expired: ExpiredKey[];
  /**
   * Keys evicted right after loading to get under `maxmemory` (by the store's
   * `maxmemory-policy`; under `noeviction` a snapshot that does not fit is
   * refused with a SnapshotError and the store is left unchanged).
   */
  evicted: number;
}

/** What a snapshot holds, read from its header without restoring it. */
export interface SnapshotInfo {
  version: number;
  databases: number;
  /** Unix ms when the snapshot was taken. */
  savedAt: number;
  keys: number;
}

/** Options of {@link Cinnabar.dump}. */
export interface DumpOptions {
  /** The only format: RESP commands, as `redis-cli --pipe` reads them. */
  format?: "resp";
  /** Emit HPEXPIREAT for hash fields with TTLs (default true; Redis ≥ 7.4 / Valkey ≥ 9). */
  hashFieldTtl?: boolean;
}

/** What {@link Cinnabar.load} ran: the number of commands and of error replies. */
export interface LoadResult {
  /** Commands run. */
  commands: number;
  /** Commands that answered an error. */
  errorCount: number;
  /** The first 100 error replies, with the index of their command in the stream. */
  errors: Array<{ index: number; message: string }>;
}

/** Options of {@link Cinnabar.fromSnapshot}: the store's options, plus a callback for keys that expired meanwhile. */
export interface FromSnapshotOptions extends CinnabarOptions {
  /** Called once with the keys that expired since the snapshot was taken. */
  onExpired?: (keys: ExpiredKey[]) => void;
}

/** Options of {@link Cinnabar.open}: how and when the store saves itself. */
export interface OpenOptions extends FromSnapshotOptions {
  /**
   * "strict" (default): save as soon as writes pause, with IndexedDB's strict
   * durability (flushed to disk before the save resolves). "relaxed": save 1 s
   * after writes pause, with the relaxed hint (faster; a power cut may lose the
   * last second).
   */
  durability?: "strict" | "relaxed";
  /** Quiet time after the last write before saving (ms); default 0 (strict) / 1000 (relaxed). */
  saveDelay?: number;
  /** Longest a change waits while writes keep coming (ms); default 5000. */
  maxSaveDelay?: number;
  /** The IndexedDB factory (default globalThis.indexedDB; in Node e.g. fake-indexeddb's). */
  indexedDB?: IDBFactory;
  /** The Web Locks manager (default navigator.locks; an in-process queue where missing). */
  locks?: LockManager;
}

/** Detail of the events {@link Persistence} dispatches. */
export interface PersistenceEvents {
  /** A snapshot was committed. */
  save: { generation: number; bytes: number; ms: number };
  /** A save or load failed; the data stays in memory; `retryIn` ms until the retry (null: none). */
  error: { error: unknown; kind: "quota" | "connection" | "corrupt" | "io"; retryIn: number | null };
  /** Keys that expired while the page was closed (or in another tab's snapshot). */
  expired: { keys: ExpiredKey[] };
  /** Another tab's save was merged in. */
  sync: { generation: number; keys: number };
}

/**
 * The persistence of an idb:// store: an EventTarget of CustomEvents whose
 * `detail` is in {@link PersistenceEvents}.
 * @example const off = db.persistence.on("save", ({ generation }) => console.log(generation))
 */
export interface Persistence extends EventTarget {
  readonly name: string;
  /** IndexedDB database name ("cinnabar:" + name). */
  readonly dbName: string;
  readonly durability: "strict" | "relaxed";
  /** Generation of the snapshot last loaded or saved here. */
  readonly generation: number;
  /** The last save error, null after a successful save. */
  readonly lastError: unknown;
  /** Adds a listener that gets the event's detail; returns a function removing it. */
  on<K extends keyof PersistenceEvents>(type: K, listener: (detail: PersistenceEvents[K]) => void): () => void;
  /** Merges other tabs' newer saves now (it also happens when they announce one). */
  sync(): Promise<void>;
}

/**
 * A store opened with `Cinnabar.open("idb://…")`.
 * @example
 * ```ts
 * const db = await Cinnabar.open("idb://app");
 * await db.save();
 * ```
 */
export interface PersistentCinnabar extends Cinnabar {
  readonly persistence: Persistence;
  /**
   * Saves now (merging other tabs' saves first). Rejects with the storage error
   * (e.g. QuotaExceededError); the data stays in memory and a retry is scheduled.
   * @example await db.save()
   */
  save(): Promise<void>;
  /**
   * Saves what is pending, releases IndexedDB, the lock channel and timers,
   * then closes the connection.
   * @example await db.close()
   */
  close(): Promise<void>;
}

// ---- end snapshot ----
