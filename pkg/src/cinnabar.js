// The public API of the `cinnabar` package: Cinnabar, Pipeline, ReplyError.
//
// This file is runtime-neutral: it never loads the wasm itself. Each entry
// (node.js, browser.js, workerd.js) instantiates the wasm its runtime's way and
// hands the glue and exports to `_setup`, which also installs a method per
// command from the wasm's own command table (so every command the core gains
// gets a method without a change here).
//
// Wire: each command crosses into wasm once (`Conn.call`), a pipeline or MULTI
// once for the whole batch (`Conn.batch`). Arguments are encoded straight into
// a buffer inside wasm memory; replies are decoded from another (see
// src/wasm/mod.rs and Reply::write_compact in src/reply.rs):
//   request  u32 argc, then (u32 len, bytes) per argument, little-endian
//   reply    '+' status | '-' error | '$' bulk: u32 len, bytes
//            ':' i64 | '_' nil | '!' nil array | '*' u32 count, items
//            '#' u32 count, items: an array of only '_' and ASCII '$' items
//
// Blocking commands (BLPOP BRPOP BLMOVE BRPOPLPUSH BLMPOP BZPOPMIN BZPOPMAX
// BZMPOP, and XREAD/XREADGROUP with or without BLOCK) return Promises:
// `Conn.callBlocking` either answers at once or returns a wait id. Any command
// on any connection of the store may serve waits (a push, an EXEC); the io
// header's fifth word counts answered waits, and `Shared.deliver` takes them
// (`Store.takeServed`) and settles their Promises. One timer per store, set to
// the earliest deadline, drives `Store.expireWaits` (timeouts resolve null, as
// Redis's nil reply). An AbortSignal cancels a wait (`Store.cancelWait`).

// ---- pubsub ----
import { installPubSub, hubOf, openBridge, closeSubs, _setIo } from "./pubsub.js";
// ---- end pubsub ----
import { getOrSet, memoryUsage } from "./cache.js";

// ---- snapshot ----
import { installSnapshot } from "./snapshot.js";
// ---- end snapshot ----
import { geofence, decodeFenceEvents } from "./geofence.js";

let glue = null; // wasm-bindgen glue module (Store, Conn, ioHeader, reserve, trim)
let memory = null; // WebAssembly.Memory
let u8 = new Uint8Array(0);
let dv = new DataView(u8.buffer);
let hdr = 0; // index (in u32 words) of the io header
let table = []; // [{ name, arity, flags, firstKey, lastKey, step }]
let useTimer = true; // false in workerd: see Shared

const KEEP = 1 << 20; // matches src/wasm/mod.rs: larger buffers are trimmed after use
const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { ignoreBOM: true });

/**
 * Called once by the entry file after the wasm is instantiated. `timer: false`
 * (workerd) drives active expiry from commands instead of a timer.
 */
export function _setup(wasmGlue, exports, { timer = true } = {}) {
  glue = wasmGlue;
  useTimer = timer;
  memory = exports.memory;
  hdr = glue.ioHeader() >>> 2;
  table = Object.freeze(
    JSON.parse(glue.Store.commands()).map(([name, arity, flags, firstKey, lastKey, step]) =>
      Object.freeze({ name, arity, flags: Object.freeze(flags), firstKey, lastKey, step }),
    ),
  );
  for (const { name } of table) installCommand(name);
}

// Node's Buffer decodes short UTF-8 strings several times faster than TextDecoder.
const NodeBuffer = typeof globalThis.Buffer === "function" && typeof globalThis.Buffer.prototype.utf8Slice === "function"
  ? globalThis.Buffer
  : null;
let nb = null; // Buffer view of wasm memory (Node only)

/** Trims the io buffers; trimming may grow memory (a fresh small input), so views are renewed. */
function trimIo() {
  glue.trim();
  views();
}

function views() {
  // Growing a (non-shared) WebAssembly.Memory detaches its old ArrayBuffer, so
  // a zero length is the cheap signal to rebuild the views (reading
  // memory.buffer on every call costs more than a whole small command).
  if (u8.byteLength === 0) {
    u8 = new Uint8Array(memory.buffer);
    dv = new DataView(memory.buffer);
    if (NodeBuffer !== null) nb = NodeBuffer.from(memory.buffer);
  }
}

// ------------------------------------------------------------------ errors

/**
 * An error reply from the store. `message` is Redis's exact text, `code` its
 * first word (`ERR`, `WRONGTYPE`, `EXECABORT`, ...).
 */
export class ReplyError extends Error {
  constructor(message, command) {
    super(message);
    const sp = message.indexOf(" ");
    this.code = sp < 0 ? message : message.slice(0, sp);
    if (command !== undefined) this.command = command;
  }
}
Object.defineProperty(ReplyError.prototype, "name", { value: "ReplyError", configurable: true, writable: true });

function typeName(v) {
  if (v === null) return "null";
  if (Array.isArray(v)) return "a nested array";
  if (typeof v === "number") return String(v);
  if (typeof v === "object") return `an object (${Object.prototype.toString.call(v).slice(8, -1)})`;
  return typeof v === "undefined" ? "undefined" : `a ${typeof v}`;
}

function badArg(name, pos, v) {
  return new TypeError(
    `cinnabar: argument ${pos} of ${String(name).toUpperCase()} is ${typeName(v)}; ` +
      "expected a string, a finite number, a bigint or a Uint8Array",
  );
}

/**
 * Checks and normalises a command's arguments in place: numbers and bigints
 * become strings, arrays are flattened one level (as ioredis does). Throws a
 * TypeError naming the position (1 = first argument after the name) before
 * anything reaches the store.
 */
function normalize(name, args) {
  if (typeof name !== "string") {
    throw new TypeError(`cinnabar: the command name is ${typeName(name)}; expected a string`);
  }
  for (let i = 0; i < args.length; i++) {
    const v = args[i];
    if (typeof v === "string" || v instanceof Uint8Array) continue;
    if (typeof v === "number") {
      if (Number.isNaN(v)) throw badArg(name, i + 1, v);
      args[i] = String(v);
    } else if (typeof v === "bigint") {
      args[i] = v.toString();
    } else if (Array.isArray(v)) {
      return flatten(name, args);
    } else {
      throw badArg(name, i + 1, v);
    }
  }
  return args;
}

function flatten(name, args) {
  const flat = [];
  for (const v of args) {
    if (Array.isArray(v)) for (const x of v) flat.push(Array.isArray(x) ? badArgArr(name, flat.length + 1, x) : x);
    else flat.push(v);
  }
  return normalize(name, flat);
}
function badArgArr(name, pos, v) {
  throw badArg(name, pos, v);
}

// ---------------------------------------------------------------- encoding

/** Upper bound of a string's UTF-8 length (exact for BMP text). */
function utf8Bound(s) {
  const n = s.length;
  if (n <= 256) return n * 3;
  let b = n;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x80) b += c >= 0x800 ? 2 : 1;
  }
  return b;
}

function commandBound(name, args) {
  let n = 8 + name.length * 3;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    n += 4 + (typeof a === "string" ? utf8Bound(a) : a.length);
  }
  return n;
}

/** Makes sure the input buffer holds `n` bytes; returns its offset. */
function inputFor(n) {
  views();
  if (u32(hdr + 1) < n) {
    if (n > 0xffffffff || !glue.reserve(n)) throw new RangeError("cinnabar: request too large for wasm memory");
    views();
  }
  return u32(hdr);
}

function u32(word) {
  return dv.getUint32(word << 2, true);
}

/** Writes `s` as `u32 len` and its UTF-8 bytes at `p`; the next position. */
function writeStr(p, s) {
  const q = writeUtf8(p + 4, s);
  dv.setUint32(p, q - p - 4, true);
  return q;
}

/** Writes the UTF-8 bytes of `s` at `p` (room reserved by the caller); the next position. */
function writeUtf8(p, s) {
  const n = s.length;
  // Node: native UTF-8 encoding straight into wasm memory.
  if (nb !== null && n > 24) return p + nb.utf8Write(s, p, utf8Bound(s));
  if (n <= 64) {
    let i = 0;
    for (; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x80) break;
      u8[p + i] = c;
    }
    if (i === n) return p + n;
  }
  return p + encoder.encodeInto(s, u8.subarray(p, p + utf8Bound(s))).written;
}

function writeCommand(p, name, args) {
  dv.setUint32(p, args.length + 1, true);
  p = writeStr(p + 4, name);
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (typeof a === "string") p = writeStr(p, a);
    else {
      dv.setUint32(p, a.length, true);
      u8.set(a, p + 4);
      p += 4 + a.length;
    }
  }
  return p;
}

// ---------------------------------------------------------------- decoding

let rp = 0; // read position in u8

function readStr(len) {
  const start = rp;
  rp += len;
  if (len <= 24) {
    let s = "";
    for (let i = start; i < rp; i++) {
      const c = u8[i];
      if (c >= 0x80) return decode(start, rp);
      s += String.fromCharCode(c);
    }
    return s;
  }
  return decode(start, rp);
}

function decode(start, end) {
  return nb !== null ? nb.utf8Slice(start, end) : decoder.decode(u8.subarray(start, end));
}

/** Decodes one reply at `rp`. Error replies become ReplyError values (not thrown). */
function readReply(asBuffer) {
  const tag = u8[rp++];
  switch (tag) {
    case 0x24: // '$' bulk
    case 0x2b: {
      // '+' status
      const len = dv.getUint32(rp, true);
      rp += 4;
      if (asBuffer) {
        const b = u8.slice(rp, rp + len);
        rp += len;
        return b;
      }
      if (len === 2 && tag === 0x2b && u8[rp] === 0x4f && u8[rp + 1] === 0x4b) {
        rp += 2;
        return "OK"; // the commonest reply, without building a string
      }
      return readStr(len);
    }
    case 0x3a: {
      // ':' integer (i64 LE) → number
      const lo = dv.getUint32(rp, true);
      const hi = dv.getInt32(rp + 4, true);
      rp += 8;
      return hi * 4294967296 + lo;
    }
    case 0x5f: // '_' nil
    case 0x21: // '!' nil array
      return null;
    case 0x23: // '#' array of nils and ASCII bulk strings
      if (!asBuffer) return readAsciiArray();
    // falls through: as Uint8Array items, the same as '*'
    case 0x2a: {
      // '*' array
      const n = dv.getUint32(rp, true);
      rp += 4;
      const arr = new Array(n);
      for (let i = 0; i < n; i++) arr[i] = readReply(asBuffer);
      return arr;
    }
    case 0x2d: {
      // '-' error
      const len = dv.getUint32(rp, true);
      rp += 4;
      return new ReplyError(readStr(len));
    }
    default:
      throw new Error(`cinnabar: corrupt reply from wasm (tag ${tag} at ${rp - 1})`);
  }
}

// ---- fast paths (perf) ----
// An all-ASCII flat array is decoded with one native call for the whole array
// and one substring per item (V8 slices, no copy), instead of one decode each.
const latin1 = NodeBuffer === null ? new TextDecoder("latin1") : null; // one char per byte, as latin1Slice

function readAsciiArray() {
  const n = dv.getUint32(rp, true);
  rp += 4;
  const start = rp;
  // The block ends with the reply when the array is the whole reply (geo
  // searches, MGET): no walk over the items to find its end first.
  let q = wholeEnd;
  if (start - 5 !== wholeStart) {
    q = rp;
    for (let i = 0; i < n; i++) q += u8[q] === 0x24 ? 5 + dv.getUint32(q + 1, true) : 1;
  }
  const block = nb !== null ? nb.latin1Slice(start, q) : latin1.decode(u8.subarray(start, q));
  const arr = new Array(n);
  let o = 0;
  for (let i = 0; i < n; i++) {
    if (u8[start + o] === 0x24) {
      const len = dv.getUint32(start + o + 1, true);
      arr[i] = block.substring(o + 5, o + 5 + len);
      o += 5 + len;
    } else {
      arr[i] = null;
      o += 1;
    }
  }
  rp = start + o;
  return arr;
}

// The reply being read when it is the whole output of one call ([start, end)), else -1.
let wholeStart = -1;
let wholeEnd = -1;

/** Reads the reply at `rp` that fills the call's output (`n` bytes). */
function readWhole(n, asBuffer) {
  wholeStart = rp;
  wholeEnd = rp + n;
  try {
    return readReply(asBuffer);
  } finally {
    wholeStart = -1;
  }
}

/** Writes a command name given as ASCII bytes at `p`; the next position. */
function writeName(p, bytes) {
  const n = bytes.length;
  dv.setUint32(p, n, true);
  for (let i = 0; i < n; i++) u8[p + 4 + i] = bytes[i];
  return p + 4 + n;
}
const nameBytes = (name) => Uint8Array.from(name, (c) => c.charCodeAt(0));
const N_GET = nameBytes("get");
const N_SET = nameBytes("set");
const N_MGET = nameBytes("mget");
const N_MSET = nameBytes("mset");
const N_INCR = nameBytes("incr");
const N_DEL = nameBytes("del");
const N_EXISTS = nameBytes("exists");

/** True when every item of `a` is a string (the common shape of the typed methods). */
function allStrings(a) {
  for (let i = 0; i < a.length; i++) if (typeof a[i] !== "string") return false;
  return true;
}

/** Runs `name` with string arguments `args` (already checked): no copy, no normalize. */
function runStrings(conn, shared, name, bytes, args, asBuffer) {
  shared.beforeCommand();
  let bound = 8 + bytes.length;
  for (let i = 0; i < args.length; i++) bound += 4 + utf8Bound(args[i]);
  const p = inputFor(bound);
  dv.setUint32(p, args.length + 1, true);
  let q = writeName(p + 4, bytes);
  for (let i = 0; i < args.length; i++) q = writeStr(q, args[i]);
  return finish(conn.call(q - p, Date.now()), q - p, shared, name, args, undefined, asBuffer);
}

/** `runStrings` for one or two arguments, without an array. */
function runStrings12(conn, shared, name, bytes, a, b, asBuffer) {
  shared.beforeCommand();
  const two = b !== undefined;
  const p = inputFor(16 + bytes.length + utf8Bound(a) + (two ? 4 + utf8Bound(b) : 0));
  dv.setUint32(p, two ? 3 : 2, true);
  let q = writeStr(writeName(p + 4, bytes), a);
  if (two) q = writeStr(q, b);
  return finish(conn.call(q - p, Date.now()), q - p, shared, name, a, b, asBuffer);
}

/**
 * The typed SET (`Conn.setTyped`): key and value bytes back to back in the
 * input buffer, no request header; `unit` 0 (no TTL), 1 (EX) or 2 (PX) `ttl`.
 * The reply +OK comes back as a code, with nothing to decode.
 */
function runSet(conn, shared, key, value, unit, ttl, opt) {
  shared.beforeCommand();
  const p = inputFor(utf8Bound(key) + utf8Bound(value));
  const q = writeUtf8(p, key);
  const r = writeUtf8(q, value);
  // Without a TTL and with the active-expiry timer running, the store may use
  // its cached clock (see Conn.set_typed in src/wasm/mod.rs): no Date.now().
  // After a refusal (maxmemory set, keys with TTLs being overwritten) the next
  // 64 SETs pass the time at once instead of asking twice.
  let n;
  if (unit === 0 && shared.timer && shared.exactSets === 0) {
    n = conn.setTyped(q - p, r - q, unit, ttl, NaN);
    if (n === NEED_TIME) {
      shared.exactSets = 64;
      n = conn.setTyped(q - p, r - q, unit, ttl, Date.now());
    }
  } else {
    if (shared.exactSets > 0) shared.exactSets--;
    n = conn.setTyped(q - p, r - q, unit, ttl, Date.now());
  }
  if (n !== REPLY_OK) return finish(n, r - p, shared, "set", unit === 0 ? [key, value] : [key, value, opt, String(ttl)], undefined, false);
  views();
  if (r - p > KEEP) glue.trim();
  if (u32(hdr + 4) !== 0) shared.flush();
  if (u32(hdr + 5) !== 0) shared.deliver();
  return "OK";
}
const REPLY_OK = 0xffffffff; // matches src/wasm/mod.rs
const NEED_TIME = 0xfffffffe; // matches src/wasm/mod.rs

/** 1 for the SET option EX, 2 for PX (as the typed SET takes them), else 0. */
function ttlUnit(opt) {
  return opt === "PX" || opt === "px" ? 2 : opt === "EX" || opt === "ex" ? 1 : 0;
}

/**
 * Decodes the reply of a call and runs the after-call duties (as `runOn`).
 * The arguments (for an error's `command`) are an array, or one or two strings
 * (no array built unless the reply is an error).
 */
function finish(n, reqLen, shared, name, a, b, asBuffer) {
  const r = reply(n, reqLen, shared, asBuffer);
  if (r instanceof ReplyError) {
    r.command = { name, args: Array.isArray(a) ? a : b === undefined ? [a] : [a, b] };
    throw r;
  }
  return r;
}

/** The reply of a call (an error reply as a ReplyError value), after the after-call duties. */
function reply(n, reqLen, shared, asBuffer) {
  views();
  rp = u32(hdr + 2);
  const r = readWhole(n, asBuffer);
  if (n > KEEP || reqLen > KEEP) glue.trim();
  if (u32(hdr + 4) !== 0) shared.flush();
  if (u32(hdr + 5) !== 0) shared.deliver();
  return r;
}

// Sorted-set methods take numbers (scores, ranks): they are written as
// String(v) would print them, integers straight as digits (no string made).
const N_ZADD = nameBytes("zadd");
const N_ZINCRBY = nameBytes("zincrby");
const N_ZSCORE = nameBytes("zscore");
const N_ZRANK = nameBytes("zrank");
const N_ZREVRANK = nameBytes("zrevrank");
const N_ZRANGE = nameBytes("zrange");
const N_ZREVRANGE = nameBytes("zrevrange");

/** A string, or a number that is not NaN (what the generic path accepts as such). */
const plain = (v) => typeof v === "string" || (typeof v === "number" && v === v);

/** Writes the number `v` as String(v) does; the next position. */
function writeNum(p, v) {
  if (v >= 0 && v < 1e9 && (v | 0) === v) {
    // small integers in int32 arithmetic (the common case: scores, ranks)
    let n = v | 0;
    let len = 1;
    for (let t = n; t >= 10; t = (t / 10) | 0) len++;
    dv.setUint32(p, len, true);
    for (let q = p + 4 + len; q > p + 4; ) {
      const d = (n / 10) | 0;
      u8[--q] = 48 + n - d * 10;
      n = d;
    }
    return p + 4 + len;
  }
  if (!Number.isSafeInteger(v)) return writeStr(p, String(v));
  let n = v < 0 ? -v : v;
  let len = v < 0 ? 2 : 1;
  for (let t = n; t >= 10; t = Math.floor(t / 10)) len++;
  dv.setUint32(p, len, true);
  let q = p + 4 + len;
  do {
    u8[--q] = 48 + (n % 10);
    n = Math.floor(n / 10);
  } while (n > 0);
  if (v < 0) u8[q - 1] = 45;
  return p + 4 + len;
}

const argBound = (v) => 4 + (typeof v === "string" ? utf8Bound(v) : 32);
const putArg = (q, v) => (typeof v === "string" ? writeStr(q, v) : writeNum(q, v));

/**
 * Runs `name` with 2 to 4 arguments, each a string or a number (checked by
 * `plain`): no argument array, no normalize. `d`, then `c`, may be undefined.
 */
function runPlain(conn, shared, name, bytes, a, b, c, d) {
  shared.beforeCommand();
  const argc = d !== undefined ? 4 : c !== undefined ? 3 : 2;
  const p = inputFor(8 + bytes.length + argBound(a) + argBound(b) + (argc > 2 ? argBound(c) : 0) + (argc > 3 ? argBound(d) : 0));
  dv.setUint32(p, argc + 1, true);
  let q = putArg(putArg(writeName(p + 4, bytes), a), b);
  if (argc > 2) q = putArg(q, c);
  if (argc > 3) q = putArg(q, d);
  const r = reply(conn.call(q - p, Date.now()), q - p, shared, false);
  if (r instanceof ReplyError) {
    const args = [a, b, c, d].slice(0, argc).map((v) => (typeof v === "string" ? v : String(v)));
    r.command = { name, args };
    throw r;
  }
  return r;
}
// ---- end fast paths ----

// ---------------------------------------------------------- shared engine

/**
 * What all duplicates of one store share: the wasm Store and active expiry.
 *
 * Active expiry runs `Store.activeExpire()` every 1000/hz ms. In Node and
 * browsers a timer does it (unref'd in Node so it never keeps a process alive),
 * started at the first command because workerd forbids timers at global scope.
 * workerd also ends a request's timers with the request and freezes Date.now()
 * inside it, so there (`timer: false`) the pass runs before a command when one
 * is due instead.
 */
class Shared {
  constructor(store) {
    this.store = store;
    this.waits = new Map(); // wait id -> { resolve, reject, asBuffer, command, owner, cleanup }
    this.waitTimer = null;
    this.waitTimerAt = -1;
    this.open = 0;
    this.timer = null; // null: not started yet; false: no timer (workerd, closed)
    this.hz = 0;
    this.due = 0; // without a timer: when the next pass is due (Date.now() ms)
    this.fences = null; // geofences (src/geofence.js): Map of core fence id -> callback
    this.fenceQueue = [];
    this.fenceFlushing = false;
    this.exactSets = 0; // typed SETs left that pass Date.now() (see runSet)
  }
  /**
   * Delivers queued pub/sub records and geofence events (the io header's
   * fifth word counts both): fence callbacks first, in the core's order;
   * re-entrant calls (a callback running commands) just append.
   */
  flush() {
    if (this.fences !== null && this.store !== null) {
      const n = this.store.takeFenceEvents();
      if (n > 4) {
        views();
        const p = u32(hdr + 2);
        for (const ev of decodeFenceEvents(u8.slice(p, p + n))) this.fenceQueue.push(ev);
        if (n > KEEP) trimIo();
      }
      if (!this.fenceFlushing) {
        this.fenceFlushing = true;
        try {
          for (let i = 0; i < this.fenceQueue.length; i++) {
            const ev = this.fenceQueue[i];
            this.fences?.get(ev.id)?.(ev);
          }
        } finally {
          this.fenceQueue.length = 0;
          this.fenceFlushing = false;
        }
      }
    }
    hubOf(this).flush();
  }
  /** Called before every command. */
  beforeCommand() {
    if (this.timer === null) this.start();
    else if (this.timer === false && this.store !== null) {
      const now = Date.now();
      if (now >= this.due) {
        this.store.activeExpire();
        this.due = now + Math.floor(1000 / this.store.hz);
      }
    }
  }
  start() {
    this.hz = this.store.hz;
    if (!useTimer) {
      this.timer = false;
      return this.beforeCommand();
    }
    const ref = new WeakRef(this);
    try {
      const t = setInterval(() => {
        const s = ref.deref();
        if (s === undefined || s.timer !== t) return clearInterval(t);
        s.tick();
      }, Math.max(1, Math.floor(1000 / this.hz)));
      if (typeof t === "object" && typeof t.unref === "function") t.unref();
      this.timer = t;
    } catch {
      this.timer = false;
    }
  }
  tick() {
    this.store.activeExpire();
    views();
    if (u32(hdr + 4) !== 0) this.flush();
    if (u32(hdr + 5) !== 0) this.deliver(); // an expired stream answers its XREADGROUP waiters
    if (this.store.hz !== this.hz) {
      clearInterval(this.timer);
      this.start();
    }
  }
  /** Settles the Promises of waits the store answered (call when header word 5 > 0). */
  deliver() {
    const n = this.store.takeServed();
    views();
    rp = u32(hdr + 2);
    const count = dv.getUint32(rp, true);
    rp += 4;
    const done = [];
    for (let i = 0; i < count; i++) {
      const id = dv.getUint32(rp, true);
      rp += 4;
      const w = this.waits.get(id);
      const r = readReply(w !== undefined && w.asBuffer);
      if (w !== undefined) {
        this.waits.delete(id);
        done.push([w, r]);
      }
    }
    if (n > KEEP) trimIo();
    this.schedule();
    for (const [w, r] of done) {
      w.cleanup();
      if (r instanceof ReplyError) {
        r.command = w.command;
        w.reject(r);
      } else w.resolve(r);
    }
  }
  /** Keeps one timer at the earliest wait deadline (the store times waits out strictly after it). */
  schedule() {
    const at = this.store === null || this.waits.size === 0 ? -1 : this.store.nextWaitDeadline();
    if (at === this.waitTimerAt) return;
    if (this.waitTimer !== null) clearTimeout(this.waitTimer);
    this.waitTimer = null;
    this.waitTimerAt = at;
    if (at < 0) return;
    this.waitTimer = setTimeout(() => {
      this.waitTimer = null;
      this.waitTimerAt = -1;
      if (this.store === null) return;
      if (this.store.expireWaits() > 0) this.deliver();
      else this.schedule();
    }, Math.max(0, at - Date.now() + 1));
  }
  /** Forgets a wait (AbortSignal, closed connection); returns whether it was pending. */
  cancel(id, w) {
    if (this.waits.get(id) !== w) return false;
    this.waits.delete(id);
    if (this.store !== null) this.store.cancelWait(id);
    w.cleanup();
    this.schedule();
    return true;
  }
  release() {
    if (--this.open > 0) return;
    if (this.waitTimer !== null) clearTimeout(this.waitTimer);
    this.waitTimer = null;
    if (this.timer) clearInterval(this.timer);
    this.timer = false;
    this.due = Infinity;
    if (this.hub) this.hub.close(); // pubsub: subscriptions and the bridge
    this.store.free();
    this.store = null;
  }
}

let duplicating = null;

function optionInt(options, key, min, max, dflt) {
  const v = options[key];
  if (v === undefined) return dflt;
  if (!Number.isInteger(v) || v < min || v > max) {
    throw new RangeError(`cinnabar: option ${key} must be an integer from ${min} to ${max}`);
  }
  return v;
}

// ----------------------------------------------------------------- client

/**
 * An in-process Redis-compatible store (one connection to it). See index.d.ts.
 */
export class Cinnabar {
  #conn;
  #shared;

  constructor(options = {}) {
    if (glue === null) throw new Error("cinnabar: import the package entry (cinnabar), not src/cinnabar.js");
    let shared = duplicating;
    duplicating = null;
    if (shared === null) {
      if (options === null || typeof options !== "object") throw new TypeError("cinnabar: options must be an object");
      const databases = optionInt(options, "databases", 1, 65536, 16);
      const hz = optionInt(options, "hz", 1, 500, 10);
      const seed = optionInt(options, "seed", 0, Number.MAX_SAFE_INTEGER, undefined);
      shared = new Shared(new glue.Store(databases, hz, seed));
      this.#conn = shared.store.connect();
      this.#shared = shared;
      shared.open++;
      try {
        this.#configure(options);
        if (options.bridge !== undefined) openBridge(shared, options.bridge);
      } catch (e) {
        this.close();
        throw e;
      }
      return;
    }
    this.#conn = shared.store.connect();
    this.#shared = shared;
    shared.open++;
  }

  // ---- cache options and helpers (see cache.js) ----
  /** Applies the memory options through CONFIG SET, so bad values get Redis's errors. */
  #configure(options) {
    const params = [
      ["maxmemoryPolicy", "maxmemory-policy"],
      ["maxmemorySamples", "maxmemory-samples"],
      ["lfuLogFactor", "lfu-log-factor"],
      ["lfuDecayTime", "lfu-decay-time"],
      ["maxmemory", "maxmemory"],
    ];
    try {
      for (const [opt, name] of params) {
        const v = options[opt];
        if (v === undefined) continue;
        if (typeof v !== "string" && typeof v !== "number") {
          throw new TypeError(`cinnabar: option ${opt} must be a string or a number`);
        }
        this._run("config", ["set", name, String(v)], false);
      }
    } catch (e) {
      this.close();
      throw e;
    }
  }

  /** Cache-aside with single flight and stale-while-revalidate; see index.d.ts. */
  getOrSet(key, loader, options) {
    if (this.#conn === null) return Promise.reject(new Error("Connection is closed."));
    return getOrSet(this, this.#shared, key, loader, options);
  }

  /** Memory figures of the store (INFO memory) and the wasm heap; see index.d.ts. */
  memoryUsage() {
    return memoryUsage(this, memory);
  }

  _dbIndex() {
    return this.#conn.db;
  }
  _closed() {
    return this.#conn === null;
  }
  // ---- end cache ----

  // ---- fast paths (perf): the hot typed methods, for string arguments ----
  get(key) {
    if (arguments.length !== 1 || typeof key !== "string" || this.#conn === null) return this._run("get", [...arguments], false);
    return runStrings12(this.#conn, this.#shared, "get", N_GET, key, undefined, false);
  }
  set(key, value, opt, ttl) {
    const n = arguments.length;
    if (typeof key === "string" && typeof value === "string" && this.#conn !== null) {
      // SET key value, and SET key value EX|PX n with an integer n: the typed call.
      if (n === 2) return runSet(this.#conn, this.#shared, key, value, 0, 0, undefined);
      if (n === 4 && typeof ttl === "number" && Number.isSafeInteger(ttl)) {
        const unit = ttlUnit(opt);
        if (unit !== 0) return runSet(this.#conn, this.#shared, key, value, unit, ttl, opt);
      }
    }
    return this._run("set", [...arguments], false);
  }
  incr(key) {
    if (arguments.length !== 1 || typeof key !== "string" || this.#conn === null) return this._run("incr", [...arguments], false);
    return runStrings12(this.#conn, this.#shared, "incr", N_INCR, key, undefined, false);
  }
  mget(...keys) {
    const a = keys.length === 1 && Array.isArray(keys[0]) ? keys[0] : keys;
    if (a.length === 0 || this.#conn === null || !allStrings(a)) return this._run("mget", keys, false);
    return runStrings(this.#conn, this.#shared, "mget", N_MGET, a, false);
  }
  mset(...kv) {
    const a = kv.length === 1 && Array.isArray(kv[0]) ? kv[0] : kv;
    if (a.length === 0 || this.#conn === null || !allStrings(a)) return this._run("mset", expandPairs(kv), false);
    return runStrings(this.#conn, this.#shared, "mset", N_MSET, a, false);
  }
  del(...keys) {
    if (keys.length === 0 || this.#conn === null || !allStrings(keys)) return this._run("del", keys, false);
    return runStrings(this.#conn, this.#shared, "del", N_DEL, keys, false);
  }
  exists(...keys) {
    if (keys.length === 0 || this.#conn === null || !allStrings(keys)) return this._run("exists", keys, false);
    return runStrings(this.#conn, this.#shared, "exists", N_EXISTS, keys, false);
  }
  // Sorted sets (the leaderboard): strings or numbers, one score-member pair.
  zadd(key, score, member) {
    if (arguments.length !== 3 || typeof key !== "string" || !plain(score) || !plain(member) || !this.#plainWrite()) {
      return this._run("zadd", [...arguments], false);
    }
    return runPlain(this.#conn, this.#shared, "zadd", N_ZADD, key, score, member);
  }
  zincrby(key, increment, member) {
    if (arguments.length !== 3 || typeof key !== "string" || !plain(increment) || !plain(member) || !this.#plainWrite()) {
      return this._run("zincrby", [...arguments], false);
    }
    return runPlain(this.#conn, this.#shared, "zincrby", N_ZINCRBY, key, increment, member);
  }
  zscore(key, member) {
    if (arguments.length !== 2 || typeof key !== "string" || !plain(member) || this.#conn === null) return this._run("zscore", [...arguments], false);
    return runPlain(this.#conn, this.#shared, "zscore", N_ZSCORE, key, member);
  }
  zrank(key, member) {
    if (arguments.length !== 2 || typeof key !== "string" || !plain(member) || this.#conn === null) return this._run("zrank", [...arguments], false);
    return runPlain(this.#conn, this.#shared, "zrank", N_ZRANK, key, member);
  }
  zrevrank(key, member) {
    if (arguments.length !== 2 || typeof key !== "string" || !plain(member) || this.#conn === null) return this._run("zrevrank", [...arguments], false);
    return runPlain(this.#conn, this.#shared, "zrevrank", N_ZREVRANK, key, member);
  }
  zrange(key, start, stop, opt) {
    const n = arguments.length;
    if ((n !== 3 && n !== 4) || typeof key !== "string" || !plain(start) || !plain(stop) || (n === 4 && !plain(opt)) || this.#conn === null) {
      return this._run("zrange", [...arguments], false);
    }
    return runPlain(this.#conn, this.#shared, "zrange", N_ZRANGE, key, start, stop, opt);
  }
  zrevrange(key, start, stop, opt) {
    const n = arguments.length;
    if ((n !== 3 && n !== 4) || typeof key !== "string" || !plain(start) || !plain(stop) || (n === 4 && !plain(opt)) || this.#conn === null) {
      return this._run("zrevrange", [...arguments], false);
    }
    return runPlain(this.#conn, this.#shared, "zrevrange", N_ZREVRANGE, key, start, stop, opt);
  }
  /** Writes may take the fast path: open, and no write hooks (geofences) to tell. */
  #plainWrite() {
    return this.#conn !== null && this.#shared.writeHooks === null;
  }
  // ---- end fast paths ----

  /** Runs one normalised command; the reply, with error replies thrown. */
  _run(name, args, asBuffer) {
    const conn = this.#conn;
    if (conn === null) throw new Error("Connection is closed.");
    return runOn(conn, this.#shared, name, args, asBuffer);
  }

  /** @internal the store's shared state (pub/sub). */
  _shared() {
    if (this.#conn === null) throw new Error("Connection is closed.");
    return this.#shared;
  }

  /** @internal this connection's client id (pub/sub). */
  _connId() {
    return this.#conn === null ? 0 : this.#conn.id;
  }

  /** @internal the wasm store (snapshots and persistence, src/snapshot.js). */
  _snapshotStore() {
    if (this.#conn === null) throw new Error("Connection is closed.");
    return this.#shared.store;
  }

  /** Runs a batch of normalised commands in one crossing; raw replies (errors as values). */
  _batch(cmds, transaction) {
    const conn = this.#conn;
    if (conn === null) throw new Error("Connection is closed.");
    this.#shared.beforeCommand();
    let bound = 4;
    for (const c of cmds) bound += commandBound(c.name, c.args);
    const start = inputFor(bound);
    dv.setUint32(start, cmds.length, true);
    let p = start + 4;
    for (const c of cmds) p = writeCommand(p, c.name, c.args);
    const n = conn.batch(p - start, transaction);
    views();
    rp = u32(hdr + 2);
    const end = rp + n;
    const out = [];
    for (let i = 0; i < cmds.length && rp < end; i++) {
      const c = cmds[i];
      out.push(c.exec ? readExec(cmds, c) : readReply(c.asBuffer));
    }
    if (n > KEEP || p - start > KEEP) trimIo();
    const pending = u32(hdr + 4);
    const served = u32(hdr + 5);
    if (pending !== 0) this.#shared.flush();
    if (served !== 0) this.#shared.deliver();
    return out;
  }

  /**
   * Runs a blocking command; a Promise of its reply. A trailing plain object is
   * the options (`{ signal }`). See index.d.ts.
   */
  _block(name, args, asBuffer) {
    let signal;
    const last = args[args.length - 1];
    if (last !== null && typeof last === "object" && !Array.isArray(last) && !(last instanceof Uint8Array)) {
      args = args.slice(0, -1);
      signal = last.signal;
      if (signal !== undefined && signal !== null && typeof signal.addEventListener !== "function") {
        return Promise.reject(new TypeError("cinnabar: option signal must be an AbortSignal"));
      }
    }
    if (signal && signal.aborted) return Promise.reject(signal.reason);
    const conn = this.#conn;
    if (conn === null) return Promise.reject(new Error("Connection is closed."));
    const shared = this.#shared;
    let id;
    try {
      args = normalize(name, args);
      shared.beforeCommand();
      const p = inputFor(commandBound(name, args));
      const end = writeCommand(p, name, args);
      id = conn.callBlocking(end - p);
      views();
      if (id === 0) {
        rp = u32(hdr + 2);
        const r = readReply(asBuffer);
        if (u32(hdr + 3) > KEEP || end - p > KEEP) trimIo();
        if (u32(hdr + 5) !== 0) shared.deliver();
        if (r instanceof ReplyError) {
          r.command = { name: name.toLowerCase(), args };
          return Promise.reject(r);
        }
        return Promise.resolve(r);
      }
    } catch (e) {
      return Promise.reject(e);
    }
    return new Promise((resolve, reject) => {
      const w = { resolve, reject, asBuffer, command: { name: name.toLowerCase(), args }, owner: this, cleanup: noop };
      if (signal) {
        const onAbort = () => {
          if (shared.cancel(id, w)) reject(signal.reason);
        };
        signal.addEventListener("abort", onAbort, { once: true });
        w.cleanup = () => signal.removeEventListener("abort", onAbort);
      }
      shared.waits.set(id, w);
      shared.schedule();
      if (u32(hdr + 5) !== 0) shared.deliver();
    });
  }

  /**
   * Runs any command by name; see index.d.ts.
   */
  call(name, ...args) {
    if (typeof name === "string" && BLOCKING.has(name.toLowerCase())) return this._block(name.toLowerCase(), args, false);
    return this._run(name, args, false);
  }

  /** As `call`, with strings in the reply as Uint8Array. */
  callBuffer(name, ...args) {
    if (typeof name === "string" && BLOCKING.has(name.toLowerCase())) return this._block(name.toLowerCase(), args, true);
    return this._run(name, args, true);
  }

  /** A batch of commands run in one crossing by `exec()`. */
  pipeline(commands) {
    const p = new Pipeline(this, false);
    if (commands !== undefined) for (const [name, ...args] of commands) p.call(name, ...args);
    return p;
  }

  /** A MULTI/EXEC transaction built like a pipeline; `{ pipeline: false }` sends MULTI at once. */
  multi(options) {
    if (options !== undefined && options !== null && options.pipeline === false) return this._run("multi", [], false);
    const commands = Array.isArray(options) ? options : undefined;
    const p = new Pipeline(this, true);
    if (commands !== undefined) for (const [name, ...args] of commands) p.call(name, ...args);
    return p;
  }

  /** Another connection to the same data (own selected database, MULTI, WATCH). */
  duplicate() {
    if (this.#conn === null) throw new Error("Connection is closed.");
    duplicating = this.#shared;
    return new Cinnabar();
  }

  /** Closes this connection; the data goes when the last connection closes. */
  close() {
    if (this.#conn === null) return;
    closeSubs(this); // pubsub
    const shared = this.#shared;
    for (const [id, w] of [...shared.waits]) {
      if (w.owner === this && shared.cancel(id, w)) w.reject(new Error("Connection is closed."));
    }
    this.#conn.free();
    this.#conn = null;
    this.#shared.release();
  }

  /** Alias of close() (ioredis's name). */
  disconnect() {
    this.close();
  }

  /**
   * Watches a geo key of the selected database: `enter` / `inside` / `exit`
   * events whenever a write moves a member across the fence (see
   * src/geofence.js and index.d.ts).
   */
  geofence(key, fence, callback, options) {
    return geofence(this, key, fence, callback, options);
  }

  /** @internal Starts a core fence (src/geofence.js); returns its stopper. */
  _addFence(key, kind, coords, channel, onEvent) {
    const conn = this.#conn;
    if (conn === null) throw new Error("Connection is closed.");
    const sh = this.#shared;
    let id;
    try {
      id = sh.store.geofenceAdd(conn.db, key, kind, coords, channel);
    } catch (e) {
      const msg = e instanceof Error ? e.message : String(e);
      throw msg.startsWith("ERR ") || msg.startsWith("WRONGTYPE ") ? new ReplyError(msg) : e;
    }
    if (sh.fences === null) sh.fences = new Map();
    sh.fences.set(id, onEvent);
    return () => {
      if (sh.fences === null || !sh.fences.delete(id)) return;
      if (sh.store !== null) sh.store.geofenceRemove(id);
      if (sh.fences.size === 0) sh.fences = null;
    };
  }

  /** The commands this build supports (name, arity, flags, key positions). */
  static get commands() {
    return table;
  }
}

// `using db = new Cinnabar()` where the runtime has explicit resource management.
if (typeof Symbol.dispose === "symbol") {
  Object.defineProperty(Cinnabar.prototype, Symbol.dispose, {
    value() {
      this.close();
    },
    writable: true,
    configurable: true,
  });
}

// ---- snapshot: snapshot(), restore(), dump(), load(), Cinnabar.fromSnapshot/open/snapshotInfo ----
// `settle` delivers what a restore queued (keyspace `expired` events to subscribers).
installSnapshot(Cinnabar, (db) => db._snapshotStore(), () => glue, (db) => {
  views();
  const shared = db._shared();
  if (u32(hdr + 4) !== 0) shared.flush();
  if (u32(hdr + 5) !== 0) shared.deliver();
});
// ---- end snapshot ----

/** Runs one command on a wasm connection; the reply, with error replies thrown. */
function runOn(conn, shared, name, args, asBuffer) {
  args = normalize(name, args);
  shared.beforeCommand();
  const p = inputFor(commandBound(name, args));
  const end = writeCommand(p, name, args);
  const n = conn.call(end - p, Date.now());
  views();
  rp = u32(hdr + 2);
  const r = readWhole(n, asBuffer);
  if (n > KEEP || end - p > KEEP) trimIo();
  const pending = u32(hdr + 4);
  const served = u32(hdr + 5);
  if (pending !== 0) shared.flush();
  if (served !== 0) shared.deliver();
  if (r instanceof ReplyError) {
    r.command = { name: name.toLowerCase(), args };
    throw r;
  }
  return r;
}

// ---- pubsub ----
installPubSub(Cinnabar.prototype);
_setIo({
  runOn(conn, shared, name, args) {
    return runOn(conn, shared, name, args, false);
  },
  drain(store) {
    const n = store.drain();
    if (n <= 4) return null;
    views();
    const p = u32(hdr + 2);
    const bytes = u8.slice(p, p + n);
    if (n > KEEP) trimIo();
    return bytes;
  },
  remote(store, shard, channel, message) {
    const args = [channel, message];
    const p = inputFor(commandBound("x", args));
    const end = writeCommand(p, "x", args);
    return store.remote(end - p, shard);
  },
});
// ---- end pubsub ----

function readExec(cmds, execCmd) {
  const tag = u8[rp];
  if (tag !== 0x2a && tag !== 0x23) return readReply(false); // error (EXECABORT) or nil array
  rp++;
  const n = dv.getUint32(rp, true);
  rp += 4;
  const items = execCmd.queued;
  const arr = new Array(n);
  for (let i = 0; i < n; i++) arr[i] = readReply(items[i] !== undefined && items[i].asBuffer);
  return arr;
}

// --------------------------------------------------------------- pipeline

/**
 * Commands queued and run together by `exec()` (as MULTI/EXEC when made by
 * `multi()`). See index.d.ts.
 */
export class Pipeline {
  #db;
  #tx;
  #cmds = [];
  #done = false;

  constructor(db, transaction) {
    this.#db = db;
    this.#tx = transaction;
  }

  /** Queues a command by name. */
  call(name, ...args) {
    return this._add(name, args, false);
  }

  /** Queues a command by name whose strings come back as Uint8Array. */
  callBuffer(name, ...args) {
    return this._add(name, args, true);
  }

  _add(name, args, asBuffer, transform) {
    if (this.#done) throw new Error("cinnabar: this pipeline was already executed");
    args = normalize(name, args);
    this.#cmds.push({ name, args, asBuffer, exec: false, queued: null, transform });
    return this;
  }

  /** Number of queued commands. */
  get length() {
    return this.#cmds.length;
  }

  /**
   * Runs the queued commands in one crossing. Pipeline: `[[err, result], ...]`.
   * Transaction: the same, or null when a WATCHed key changed; throws the
   * EXECABORT ReplyError (with `previousErrors`) when a command was refused
   * while queueing.
   */
  exec() {
    if (this.#done) throw new Error("cinnabar: this pipeline was already executed");
    this.#done = true;
    const cmds = this.#cmds;
    const db = this.#db;
    if (!this.#tx) {
      if (cmds.length === 0) return [];
      const replies = db._batch(cmds, false);
      return replies.map((r, i) => pair(r, cmds[i]));
    }
    const execCmd = { name: "exec", args: [], asBuffer: false, exec: true, queued: cmds };
    const all = [{ name: "multi", args: [], asBuffer: false, exec: false, queued: null }, ...cmds, execCmd];
    const replies = db._batch(all, true);
    if (replies[0] instanceof ReplyError) {
      // Already inside MULTI on this connection: nothing ran.
      replies[0].command = { name: "multi", args: [] };
      throw replies[0];
    }
    const previousErrors = [];
    for (let i = 1; i <= cmds.length; i++) {
      const r = replies[i];
      if (r instanceof ReplyError) {
        r.command = { name: cmds[i - 1].name.toLowerCase(), args: cmds[i - 1].args };
        previousErrors.push(r);
      }
    }
    const res = replies[cmds.length + 1];
    if (res instanceof ReplyError) {
      res.command = { name: "exec", args: [] };
      res.previousErrors = previousErrors;
      throw res;
    }
    if (res === null) return null;
    return res.map((r, i) => pair(r, cmds[i]));
  }
}

function pair(r, c) {
  if (r instanceof ReplyError) {
    r.command = { name: c.name.toLowerCase(), args: c.args };
    return [r, undefined];
  }
  return [null, c.transform && r !== null ? c.transform(r) : r];
}

// ---------------------------------------------------- generated methods

// ioredis conveniences of the typed methods (not of `call`, which stays raw Redis):
// an object or Map as the field/value argument of HSET/HMSET/MSET/MSETNX, and
// HGETALL answering an object.
const PAIR_ARGS = new Set(["hset", "hmset", "mset", "msetnx", "xadd"]);
const REPLY_TRANSFORMS = { hgetall: pairsToObject };

function isPlainObject(v) {
  if (v === null || typeof v !== "object" || Array.isArray(v) || ArrayBuffer.isView(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/** Expands a trailing object / Map argument into field, value pairs. */
function expandPairs(args) {
  const last = args[args.length - 1];
  if (last instanceof Map) return [...args.slice(0, -1), ...[...last].flat()];
  if (isPlainObject(last)) return [...args.slice(0, -1), ...Object.entries(last).flat()];
  return args;
}

/** A flat [field, value, ...] reply as an object (keys as strings, values as returned). */
function pairsToObject(r) {
  if (!Array.isArray(r)) return r;
  const o = {};
  const dec = new TextDecoder();
  for (let i = 0; i + 1 < r.length; i += 2) o[typeof r[i] === "string" ? r[i] : dec.decode(r[i])] = r[i + 1];
  return o;
}

function noop() {}

/** Commands that may block: their methods (and `call`) return Promises. */
// ---- streams & sorted sets: BZPOP* block; XREAD/XREADGROUP are Promises with or without BLOCK ----
const BLOCKING = new Set(["blpop", "brpop", "blmove", "brpoplpush", "blmpop", "bzpopmin", "bzpopmax", "bzmpop", "xread", "xreadgroup"]);
for (const name of BLOCKING) {
  Object.defineProperty(Cinnabar.prototype, name, {
    value: { [name](...args) { return this._block(name, args, false); } }[name],
    writable: true,
    configurable: true,
    enumerable: false,
  });
  Object.defineProperty(Cinnabar.prototype, name + "Buffer", {
    value(...args) {
      return this._block(name, args, true);
    },
    writable: true,
    configurable: true,
    enumerable: false,
  });
}

function installCommand(name) {
  const lower = name.toLowerCase();
  const define = (proto, key, fn) => {
    if (!Object.prototype.hasOwnProperty.call(proto, key)) {
      Object.defineProperty(proto, key, { value: fn, writable: true, configurable: true, enumerable: false });
    }
  };
  const prep = PAIR_ARGS.has(lower) ? expandPairs : (args) => args;
  const tf = REPLY_TRANSFORMS[lower];
  const out = tf ? (r) => (r === null ? r : tf(r)) : (r) => r;
  define(Cinnabar.prototype, lower, {
    [lower](...args) {
      return out(this._run(lower, prep(args), false));
    },
  }[lower]);
  define(Cinnabar.prototype, lower + "Buffer", function (...args) {
    return out(this._run(lower, prep(args), true));
  });
  define(Pipeline.prototype, lower, function (...args) {
    return this._add(lower, prep(args), false, tf);
  });
  define(Pipeline.prototype, lower + "Buffer", function (...args) {
    return this._add(lower, prep(args), true, tf);
  });
}
