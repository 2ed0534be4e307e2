// Pub/sub for the `cinnabar` package: callbacks, async iterators and events on
// top of the core's registry (src/pubsub.rs), and the hand-off to the bridge.
//
// How it works
// - Every `subscribe`/`psubscribe`/`ssubscribe` call (and every `messages()`
//   iterator) gets its own connection (client) in the store, so PUBLISH counts
//   it and PUBSUB NUMSUB/NUMPAT report it exactly as Redis would report that
//   many connections. The main connection stays free for other commands.
// - The core never calls JS: a publish queues records; after each command,
//   batch or expiry pass the package sees the queue length in the io header and
//   drains it (`Store.drain`), then delivers. Delivery is synchronous (before
//   the publishing call returns) and in publish order: records go through one
//   FIFO; a callback that publishes again appends to it instead of recursing.
// - A listener that throws does not stop the others: the error goes to the
//   owning connection's "error" listeners (`db.on("error", fn)`) or, when it has
//   none, to console.warn.
// - Outbound records (PUBLISH/SPUBLISH, opt-in keyspace events) go to the
//   bridge (bridge.js) when the store has one.

import { Bridge } from "./bridge.js";

const fatal = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
const lenient = new TextDecoder("utf-8", { ignoreBOM: true });

let io = null; // set by cinnabar.js: { runOn, pending, drain, remote }

/** Called once by cinnabar.js with its internal io functions. */
export function _setIo(fns) {
  io = fns;
}

/** UTF-8 → string; short ASCII without TextDecoder (much cheaper per call). */
function text(b) {
  const n = b.length;
  if (n <= 64) {
    let s = "";
    for (let i = 0; i < n; i++) {
      const c = b[i];
      if (c >= 0x80) return lenient.decode(b);
      s += String.fromCharCode(c);
    }
    return s;
  }
  return lenient.decode(b);
}

/** A channel, message or pattern: bytes, decoded once on demand (shared by the
 * records of one publish to several subscribers). */
class Field {
  constructor(b) {
    this.b = b;
    this.s = undefined;
  }
  get str() {
    if (this.s === undefined) this.s = text(this.b);
    return this.s;
  }
}

/** One record from the core's queue. */
class Rec {
  constructor(tag, client, pattern, channel, message) {
    this.tag = tag;
    this.client = client;
    this.pattern = pattern; // Field or null
    this.channel = channel;
    this.message = message;
  }
}

const SAME = 0xffffffff; // drain encoding: the previous record's same field

function decodeDrain(bytes) {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let p = 4;
  const take = (prev) => {
    const n = dv.getUint32(p, true);
    if (n === SAME && prev) {
      p += 4;
      return prev;
    }
    const f = new Field(bytes.subarray(p + 4, p + 4 + n));
    p += 4 + n;
    return f;
  };
  const count = dv.getUint32(0, true);
  const out = new Array(count);
  let prev = null;
  for (let i = 0; i < count; i++) {
    const tag = String.fromCharCode(bytes[p]);
    const client = dv.getUint32(p + 1, true);
    p += 5;
    const pattern = tag === "p" ? take(prev && prev.pattern) : null;
    const channel = take(prev && prev.channel);
    prev = out[i] = new Rec(tag, client, pattern, channel, take(prev && prev.message));
  }
  return out;
}

/** Bytes → string when they are valid UTF-8 (lossless), else the bytes. */
function envelopeValue(b) {
  const n = b.length;
  if (n <= 64) {
    let s = "";
    let i = 0;
    for (; i < n && b[i] < 0x80; i++) s += String.fromCharCode(b[i]);
    if (i === n) return s;
  }
  try {
    return fatal.decode(b);
  } catch {
    return b.slice();
  }
}

/**
 * The per-store pub/sub state (one per `new Cinnabar()`, shared by duplicates).
 */
export class Hub {
  constructor(shared) {
    this.shared = shared;
    this.subs = new Map(); // client id → Sub (callback subscriptions)
    this.conns = new Map(); // client id → WeakRef<Cinnabar> (raw SUBSCRIBE on a main connection)
    this.queue = [];
    this.flushing = false;
    this.bridge = null;
  }

  /** Drains the core's queue and delivers, in order; re-entrant calls just append. */
  flush() {
    if (this.shared.store === null) return;
    const bytes = io.drain(this.shared.store);
    if (bytes !== null) for (const r of decodeDrain(bytes)) this.queue.push(r);
    if (this.flushing) return;
    this.flushing = true;
    try {
      for (let i = 0; i < this.queue.length; i++) this.dispatch(this.queue[i]);
    } finally {
      this.queue.length = 0;
      this.flushing = false;
    }
  }

  dispatch(r) {
    switch (r.tag) {
      case "P":
      case "S":
      case "K":
        if (this.bridge !== null) {
          const type = r.tag === "P" ? "publish" : r.tag === "S" ? "spublish" : "keyspace";
          this.bridge.post(type, envelopeValue(r.channel.b), envelopeValue(r.message.b));
        }
        return;
    }
    const sub = this.subs.get(r.client);
    if (sub !== undefined) return sub.deliver(r);
    const ref = this.conns.get(r.client);
    const db = ref && ref.deref();
    if (db !== undefined) emitRaw(db, r);
  }

  /** A message from another member of the bridge: delivered locally only. */
  remote(type, channel, message) {
    if (this.shared.store === null) return;
    io.remote(this.shared.store, type === "spublish", channel, message);
    this.flush();
  }

  close() {
    for (const sub of [...this.subs.values()]) sub.close();
    if (this.bridge !== null) this.bridge.close();
    this.bridge = null;
    this.queue.length = 0;
  }
}

/** The store's hub, made on first use. */
export function hubOf(shared) {
  if (shared.hub == null) shared.hub = new Hub(shared);
  return shared.hub;
}

/** Joins the bridge named by the `bridge` option (string or { name, keyspace }). */
export function openBridge(shared, option) {
  const name = typeof option === "string" ? option : option && option.name;
  if (typeof name !== "string" || name === "") {
    throw new TypeError('cinnabar: option bridge must be a non-empty string or { name: string, keyspace?: boolean }');
  }
  const keyspace = typeof option === "object" && option.keyspace === true;
  const hub = hubOf(shared);
  hub.bridge = new Bridge(name, (type, channel, message) => hub.remote(type, channel, message));
  shared.store.setBridge(true, keyspace);
}

// ------------------------------------------------------------ subscriptions

function asList(what, v) {
  const list = Array.isArray(v) ? v : [v];
  if (list.length === 0) throw new TypeError(`cinnabar: ${what} needs at least one channel or pattern`);
  for (const x of list) {
    if (typeof x !== "string" && !(x instanceof Uint8Array)) {
      throw new TypeError(`cinnabar: ${what}: channels and patterns are strings or Uint8Array`);
    }
  }
  return list;
}

/** One callback subscription: its own client in the store. */
class Sub {
  constructor(db, hub, kind, targets, listener, buffer) {
    this.db = db;
    this.hub = hub;
    this.kind = kind; // "subscribe" | "psubscribe" | "ssubscribe"
    this.listener = listener;
    this.buffer = buffer;
    this.conn = hub.shared.store.connect();
    this.id = this.conn.id;
    this.active = true;
    hub.subs.set(this.id, this);
    ownSubs(db).add(this);
    io.runOn(this.conn, hub.shared, kind, targets);
  }
  deliver(r) {
    if (!this.active) return;
    const buf = this.buffer;
    const args =
      r.tag === "p"
        ? buf
          ? [r.message.b.slice(), r.channel.b.slice(), r.pattern.b.slice()]
          : [r.message.str, r.channel.str, r.pattern.str]
        : buf
          ? [r.message.b.slice(), r.channel.b.slice()]
          : [r.message.str, r.channel.str];
    try {
      this.listener(...args);
    } catch (err) {
      reportError(this.db, err, { channel: args[1], pattern: args[2] });
    }
  }
  close() {
    if (!this.active) return;
    this.active = false;
    this.hub.subs.delete(this.id);
    ownSubs(this.db).delete(this);
    if (this.hub.shared.store !== null) {
      // Dropping the client unsubscribes it everywhere and drops its queued deliveries.
      this.conn.free();
    }
    this.conn = null;
    if (this.onclose) this.onclose();
  }
}

const SUBS = new WeakMap(); // Cinnabar → Set<Sub>
function ownSubs(db) {
  let s = SUBS.get(db);
  if (s === undefined) SUBS.set(db, (s = new Set()));
  return s;
}

/** Closes the subscriptions made through `db` (its close()). */
export function closeSubs(db) {
  const s = SUBS.get(db);
  if (s !== undefined) for (const sub of [...s]) sub.close();
  const hub = db._shared().hub;
  if (hub != null) hub.conns.delete(db._connId());
}

function subscribeWith(db, kind, targets, listener, options, onclose) {
  if (typeof listener !== "function") throw new TypeError(`cinnabar: ${kind} needs a listener function`);
  const list = asList(kind, targets);
  const shared = db._shared();
  const sub = new Sub(db, hubOf(shared), kind, list, listener, !!(options && options.buffer));
  sub.onclose = onclose;
  return () => sub.close();
}

// ------------------------------------------------------------------ events

const LISTENERS = new WeakMap(); // Cinnabar → Map<event, Set<fn>>

function listeners(db, event) {
  const m = LISTENERS.get(db);
  return m && m.get(event);
}

function emit(db, event, args) {
  const set = listeners(db, event);
  if (set === undefined || set.size === 0) return false;
  for (const fn of [...set]) {
    try {
      fn(...args);
    } catch (err) {
      if (event !== "error") reportError(db, err, { event });
      else console.warn("cinnabar: an error listener threw", err);
    }
  }
  return true;
}

function reportError(db, err, info) {
  if (!emit(db, "error", [err, info])) {
    console.warn("cinnabar: a pub/sub listener threw (other listeners still ran):", err);
  }
}

/** Deliveries to a main connection that ran SUBSCRIBE itself: ioredis-style events. */
function emitRaw(db, r) {
  const name = r.tag === "p" ? "pmessage" : r.tag === "s" ? "smessage" : "message";
  const p = r.tag === "p";
  if (listeners(db, name)?.size) {
    emit(db, name, p ? [r.pattern.str, r.channel.str, r.message.str] : [r.channel.str, r.message.str]);
  }
  if (listeners(db, name + "Buffer")?.size) {
    const c = r.channel.b.slice();
    const m = r.message.b.slice();
    emit(db, name + "Buffer", p ? [r.pattern.b.slice(), c, m] : [c, m]);
  }
}

// ----------------------------------------------------------- async iterator

function messagesIterator(db, targets, options = {}) {
  const kind = options.pattern ? "psubscribe" : options.shard ? "ssubscribe" : "subscribe";
  const queue = [];
  let wake = null;
  let done = false;
  let off = null;
  const finish = () => {
    if (done) return;
    done = true;
    if (off !== null) off();
    if (wake !== null) {
      wake({ value: undefined, done: true });
      wake = null;
    }
  };
  off = subscribeWith(
    db,
    kind,
    targets,
    (message, channel, pattern) => {
      const item = pattern === undefined ? { channel, message } : { channel, message, pattern };
      if (wake !== null) {
        const w = wake;
        wake = null;
        w({ value: item, done: false });
      } else queue.push(item);
    },
    options,
    finish, // the connection (or store) closed: end the loop
  );
  const signal = options.signal;
  if (signal) {
    if (signal.aborted) finish();
    else signal.addEventListener("abort", finish, { once: true });
  }
  return {
    next() {
      if (queue.length > 0) return Promise.resolve({ value: queue.shift(), done: false });
      if (done) return Promise.resolve({ value: undefined, done: true });
      return new Promise((resolve) => (wake = resolve));
    },
    return() {
      finish();
      queue.length = 0;
      return Promise.resolve({ value: undefined, done: true });
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}

// ------------------------------------------------------------- the methods

/** Adds the pub/sub methods to Cinnabar.prototype (before the generated ones). */
export function installPubSub(proto) {
  const methods = {
    subscribe(channels, listener, options) {
      return subscribeWith(this, "subscribe", channels, listener, options);
    },
    psubscribe(patterns, listener, options) {
      return subscribeWith(this, "psubscribe", patterns, listener, options);
    },
    ssubscribe(channels, listener, options) {
      return subscribeWith(this, "ssubscribe", channels, listener, options);
    },
    messages(channels, options) {
      return messagesIterator(this, channels, options);
    },
    on(event, fn) {
      if (typeof fn !== "function") throw new TypeError("cinnabar: on(event, listener) needs a function");
      let m = LISTENERS.get(this);
      if (m === undefined) LISTENERS.set(this, (m = new Map()));
      let s = m.get(event);
      if (s === undefined) m.set(event, (s = new Set()));
      s.add(fn);
      if (event !== "error") hubOf(this._shared()).conns.set(this._connId(), new WeakRef(this));
      return this;
    },
    off(event, fn) {
      listeners(this, event)?.delete(fn);
      return this;
    },
  };
  for (const [k, fn] of Object.entries(methods)) {
    Object.defineProperty(proto, k, { value: fn, writable: true, configurable: true, enumerable: false });
  }
}
