// Queue, Worker and QueueEvents: a BullMQ-like job queue on plain commands of
// one Cinnabar store, so its whole state can be read with LRANGE, ZRANGE and
// HGETALL. Runtime-neutral (no imports): pkg/queue.js wires it to the package.
//
// Keys (prefix "queue" by default; `<q>` = `<prefix>:<name>`):
//   <q>:id           string   INCR counter of automatic job ids
//   <q>:pc           string   INCR counter keeping prioritized jobs FIFO within a priority
//   <q>:job:<id>     hash     name data opts timestamp delay priority attemptsMade
//                             attemptsStarted stalledCounter processedOn finishedOn
//                             returnvalue failedReason stacktrace progress lock
//   <q>:job:<id>:logs list   job.log() rows
//   <q>:wait         list     waiting ids: LPUSH to add, RPOP to take (RPUSH = lifo / retry-first)
//   <q>:prioritized  zset     ids by priority * 2^32 + pc (priority 0 = plain wait list, taken first)
//   <q>:delayed      zset     ids by due time (ms of the queue's clock)
//   <q>:active       zset     ids by lock deadline (ms of the queue's clock); the lock token is
//                             the job hash's `lock` field
//   <q>:completed    zset     ids by finishedOn;  <q>:failed  zset  ids by finishedOn
//   <q>:meta         hash     paused (1), stalledCheck (next due time)
//   <q>:limiter      hash     start, count: the rate limiter's current window
//   <q>:marker       list     wake-up tokens: idle workers wait in BLPOP on it
//   <q>:repeat       zset     repeatable configurations by next run;  <q>:repeat:<key> hash
//
// Invariants
// - Every time in the store is the queue's clock (`clock.now()`), never a key TTL
//   (the store's TTLs use Date.now), so a manual clock drives everything and a
//   store restored from a snapshot resumes: delayed jobs are promoted when due and
//   active jobs whose lock deadline passed are retried by the next stalled check.
// - Each state change is one batch of commands crossing into the store at once
//   (the package's pipeline path), issued in the same synchronous turn as the
//   reads it depends on. The store runs in this thread and JS runs one turn at a
//   time, so no other client can interleave: as atomic as a MULTI/EXEC, at half
//   the cost. A worker finishes a job only while the job's `lock` field still
//   holds its token: a job recovered as stalled (and perhaps taken by another
//   worker) can never be completed twice.
// - Commands of a state change put the job in its destination before taking it
//   out of its source; if one fails (a queue key of the wrong type) the job is
//   left in `active` with an expired lock, so it is retried rather than lost.
// - A job id is in exactly one of wait / prioritized / delayed / active /
//   completed / failed (or in none once removed).

const LOCK = "lock";
const EMPTY = Object.freeze({});
let StoreClass = null; // the package's Cinnabar class (set by pkg/queue.js)

/** @internal called by pkg/queue.js with the Cinnabar class of the package's main entry. */
export function _useCinnabar(C) {
  StoreClass = C;
}
const RESERVED_ID = /^\d+$/;
const P32 = 4294967296;

// ------------------------------------------------------------------ clocks

/** The real clock: Date.now and the global timers. */
export const systemClock = Object.freeze({
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h),
});

const macrotask = typeof setImmediate === "function" ? (r) => setImmediate(r) : (r) => setTimeout(r, 0);

/**
 * A clock whose time moves only when told: `await clock.advance(ms)` runs the
 * timers that fall due, in order, letting promises settle after each.
 */
export class ManualClock {
  #t;
  #timers = new Map();
  #seq = 0;
  constructor(start = 0) {
    this.#t = start;
  }
  now() {
    return this.#t;
  }
  setTimeout(fn, ms) {
    const id = ++this.#seq;
    this.#timers.set(id, { at: this.#t + Math.max(0, Number(ms) || 0), fn, id });
    return id;
  }
  clearTimeout(id) {
    this.#timers.delete(id);
  }
  /** Number of timers not yet run. */
  get pending() {
    return this.#timers.size;
  }
  /** Lets queued promise callbacks (and real-time macrotasks) run. */
  async settle(turns = 3) {
    for (let i = 0; i < turns; i++) await new Promise(macrotask);
  }
  /** Moves time forward by `ms`, running each timer at its due time. */
  async advance(ms) {
    const end = this.#t + ms;
    await this.settle();
    for (;;) {
      let next = null;
      for (const t of this.#timers.values()) if (t.at <= end && (next === null || t.at < next.at || (t.at === next.at && t.id < next.id))) next = t;
      if (next === null) break;
      this.#timers.delete(next.id);
      if (next.at > this.#t) this.#t = next.at;
      next.fn();
      await this.settle();
    }
    this.#t = end;
    await this.settle();
  }
}

// ------------------------------------------------------------------ events

/** A small EventEmitter (no node:events, so it runs in browsers and workerd too). */
class Emitter {
  #l = new Map();
  on(event, fn) {
    if (typeof fn !== "function") throw new TypeError("cinnabar/queue: a listener must be a function");
    let s = this.#l.get(event);
    if (s === undefined) this.#l.set(event, (s = []));
    s.push(fn);
    return this;
  }
  addListener(event, fn) {
    return this.on(event, fn);
  }
  once(event, fn) {
    const w = (...a) => {
      this.off(event, w);
      fn(...a);
    };
    w.listener = fn;
    return this.on(event, w);
  }
  off(event, fn) {
    const s = this.#l.get(event);
    if (s !== undefined) {
      const i = s.findIndex((x) => x === fn || x.listener === fn);
      if (i >= 0) s.splice(i, 1);
      if (s.length === 0) this.#l.delete(event);
    }
    return this;
  }
  removeListener(event, fn) {
    return this.off(event, fn);
  }
  removeAllListeners(event) {
    if (event === undefined) this.#l.clear();
    else this.#l.delete(event);
    return this;
  }
  listenerCount(event) {
    return this.#l.get(event)?.length ?? 0;
  }
  /** Calls the listeners; one that throws does not stop the others (its error goes to "error"). */
  emit(event, ...args) {
    const s = this.#l.get(event);
    if (s === undefined) {
      if (event === "error") console.error("cinnabar/queue:", args[0]);
      return false;
    }
    for (const fn of [...s]) {
      try {
        fn(...args);
      } catch (e) {
        if (event !== "error") this.emit("error", e);
        else console.error("cinnabar/queue: an error listener threw:", e);
      }
    }
    return true;
  }
  /** A Promise of the next `event` (its first argument, or all of them with `all`). */
  waitFor(event, { all = false } = {}) {
    return new Promise((resolve) => this.once(event, (...a) => resolve(all ? a : a[0])));
  }
}

/** In-process bus: store (shared state) → "<prefix>:<name>" → set of QueueEvents. */
const buses = new WeakMap();
function busOf(db) {
  const shared = db._shared();
  let m = buses.get(shared);
  if (m === undefined) buses.set(shared, (m = new Map()));
  return m;
}

// ------------------------------------------------------------------ errors

/** Thrown by a processor to fail the job at once, with no further attempts. */
export class UnrecoverableError extends Error {}
Object.defineProperty(UnrecoverableError.prototype, "name", { value: "UnrecoverableError", configurable: true, writable: true });

/** Thrown by a processor (via `worker.rateLimit(ms)`) to put the job back and pause fetching. */
export class RateLimitError extends Error {
  constructor(message = "rate limit exceeded") {
    super(message);
  }
}
Object.defineProperty(RateLimitError.prototype, "name", { value: "RateLimitError", configurable: true, writable: true });

/**
 * Runs commands (`[name, ...args]` arrays; numbers allowed) in one crossing into
 * the store (the package's batch path). The replies, error replies as values.
 */
function runRaw(conn, cmds) {
  const list = new Array(cmds.length);
  for (let i = 0; i < cmds.length; i++) {
    const c = cmds[i];
    const args = new Array(c.length - 1);
    for (let j = 1; j < c.length; j++) {
      const a = c[j];
      args[j - 1] = typeof a === "string" ? a : String(a);
    }
    list[i] = { name: c[0], args, asBuffer: false, exec: false, queued: null };
  }
  return conn._batch(list, false);
}
/** As runRaw; the first error reply is thrown (after all ran), naming the key. */
function run(conn, cmds) {
  const res = runRaw(conn, cmds);
  for (let i = 0; i < res.length; i++) if (res[i] instanceof Error) throw keyError(res[i], cmds[i]);
  return res;
}
function keyError(e, cmd) {
  if (e.code === "WRONGTYPE") {
    const err = new TypeError(`cinnabar/queue: key "${cmd[1]}" holds the wrong kind of value for ${String(cmd[0]).toUpperCase()} (${e.message})`);
    err.cause = e;
    return err;
  }
  return e;
}

function serialise(value, what) {
  let s;
  try {
    s = JSON.stringify(value === undefined ? null : value);
  } catch (e) {
    const err = new TypeError(`cinnabar/queue: ${what} cannot be serialised as JSON: ${e.message}`);
    err.cause = e;
    throw err;
  }
  if (s === undefined) throw new TypeError(`cinnabar/queue: ${what} cannot be serialised as JSON (it is ${typeof value})`);
  return s;
}
function parse(s, dflt = null) {
  if (s === null || s === undefined) return dflt;
  try {
    return JSON.parse(s);
  } catch {
    return s;
  }
}

function checkInt(v, what, min = 0) {
  if (v === undefined) return;
  if (!Number.isSafeInteger(v) || v < min) throw new RangeError(`cinnabar/queue: ${what} must be an integer ≥ ${min}`);
}

function errorMessage(err) {
  if (err instanceof Error) return err.message;
  try {
    return String(err);
  } catch {
    return "unknown error";
  }
}

// ------------------------------------------------------------------ keys

function keysOf(prefix, name) {
  const q = `${prefix}:${name}`;
  return {
    base: q,
    id: q + ":id",
    pc: q + ":pc",
    job: q + ":job:",
    wait: q + ":wait",
    prioritized: q + ":prioritized",
    delayed: q + ":delayed",
    active: q + ":active",
    completed: q + ":completed",
    failed: q + ":failed",
    meta: q + ":meta",
    limiter: q + ":limiter",
    marker: q + ":marker",
    repeat: q + ":repeat",
  };
}

const MARKERS = 64; // the marker list is trimmed to this many tokens
const KEY_TYPES = [
  ["wait", "list"], ["marker", "list"], ["prioritized", "zset"], ["delayed", "zset"], ["active", "zset"],
  ["completed", "zset"], ["failed", "zset"], ["meta", "hash"], ["limiter", "hash"], ["repeat", "zset"],
];

/** A connection of its own (MULTI or SELECT of the caller's connection cannot leak in), on the caller's database. */
function ownConnection(db) {
  if (db === null || typeof db !== "object" || typeof db.duplicate !== "function" || typeof db._shared !== "function") {
    throw new TypeError("cinnabar/queue: expected a Cinnabar instance (new Cinnabar())");
  }
  const conn = db.duplicate();
  const index = typeof db._dbIndex === "function" ? db._dbIndex() : 0;
  if (index) conn.select(index);
  return conn;
}

// ------------------------------------------------------------------ job

/** One job: its stored fields, plus methods acting on it. */
export class Job {
  #queue;
  #worker = null;
  /** @internal (jobs come from Queue.add / getJob); `fresh` = [name, data, opts, timestamp, delay, priority] of a new job. */
  constructor(queue, id, fields, fresh) {
    this.#queue = queue;
    this.id = id;
    if (fresh !== undefined) fields = EMPTY;
    this.name = fresh !== undefined ? fresh[0] : fields.name ?? "";
    this.data = fresh !== undefined ? fresh[1] : parse(fields.data);
    this.opts = fresh !== undefined ? fresh[2] : parse(fields.opts, {}) ?? {};
    this.timestamp = fresh !== undefined ? fresh[3] : Number(fields.timestamp ?? 0);
    this.delay = fresh !== undefined ? fresh[4] : Number(fields.delay ?? 0);
    this.priority = fresh !== undefined ? fresh[5] : Number(fields.priority ?? 0);
    this.attemptsMade = Number(fields.attemptsMade ?? 0);
    this.attemptsStarted = Number(fields.attemptsStarted ?? 0);
    this.stalledCounter = Number(fields.stalledCounter ?? 0);
    this.progress = parse(fields.progress, 0);
    this.processedOn = fields.processedOn === undefined ? undefined : Number(fields.processedOn);
    this.finishedOn = fields.finishedOn === undefined ? undefined : Number(fields.finishedOn);
    this.returnvalue = parse(fields.returnvalue, null);
    this.failedReason = fields.failedReason;
    this.stacktrace = parse(fields.stacktrace, []) ?? [];
    /** The lock token while a worker processes the job. */
    this.token = undefined;
  }

  /** The queue of the job. */
  get queue() {
    return this.#queue;
  }
  /** @internal the worker holding the job's lock, or null. */
  get worker() {
    return this.#worker;
  }
  set worker(w) {
    this.#worker = w;
  }

  /** Sets the job's progress (a number or any JSON value) and emits "progress". */
  async updateProgress(progress) {
    const s = serialise(progress, "progress");
    const q = this.queue;
    const conn = q._conn();
    // A removed job stays removed (no stray hash holding only a progress field).
    if (conn.exists(q.keys.job + this.id) === 0) return;
    conn.hset(q.keys.job + this.id, "progress", s);
    this.progress = progress;
    if (this.worker !== null) this.worker.emit("progress", this, progress);
    q._publish("progress", { jobId: this.id, data: progress });
  }

  /** Replaces the job's data. */
  async updateData(data) {
    const s = serialise(data, "job data");
    this.queue._conn().hset(this.queue.keys.job + this.id, "data", s);
    this.data = data;
  }

  /** Appends a row to the job's log (a list `<q>:job:<id>:logs`); the log's length. */
  async log(row) {
    return this.queue._conn().rpush(this.queue.keys.job + this.id + ":logs", String(row));
  }

  /** "completed" | "failed" | "delayed" | "active" | "prioritized" | "waiting" | "unknown". */
  async getState() {
    return this.queue.getJobState(this.id);
  }
  async isCompleted() {
    return (await this.getState()) === "completed";
  }
  async isFailed() {
    return (await this.getState()) === "failed";
  }
  async isActive() {
    return (await this.getState()) === "active";
  }
  async isDelayed() {
    return (await this.getState()) === "delayed";
  }
  async isWaiting() {
    return (await this.getState()) === "waiting";
  }

  /** Removes the job (refused while a worker holds it). */
  async remove() {
    return this.queue.remove(this.id);
  }

  /** Moves a failed (or completed) job back to waiting, with its attempts reset. */
  async retry(state = "failed") {
    const q = this.queue;
    const conn = q._conn();
    const k = q.keys;
    if (conn.zscore(state === "completed" ? k.completed : k.failed, this.id) === null) {
      throw new Error(`cinnabar/queue: job ${this.id} is not ${state}`);
    }
    run(conn, [
      ["zrem", state === "completed" ? k.completed : k.failed, this.id],
      ["hset", k.job + this.id, "attemptsMade", 0, "stalledCounter", 0],
      ["hdel", k.job + this.id, "finishedOn", "failedReason", "returnvalue", "processedOn"],
      ...q._enqueueCmds(this.id, this.priority, false),
    ]);
    this.attemptsMade = 0;
    q._publish("waiting", { jobId: this.id, prev: state });
  }

  /** Moves a delayed job to waiting now. */
  async promote() {
    const q = this.queue;
    const conn = q._conn();
    if (conn.zscore(q.keys.delayed, this.id) === null) throw new Error(`cinnabar/queue: job ${this.id} is not delayed`);
    run(conn, [["zrem", q.keys.delayed, this.id], ["hset", q.keys.job + this.id, "delay", 0], ...q._enqueueCmds(this.id, this.priority, false)]);
    q._publish("waiting", { jobId: this.id, prev: "delayed" });
  }

  toJSON() {
    const { token, ...rest } = this;
    return rest;
  }
}

// ------------------------------------------------------------------ queue

/**
 * A named queue in a store. See queue.d.ts.
 */
export class Queue extends Emitter {
  #conn;
  constructor(db, name, options = {}) {
    super();
    if (typeof db === "string") {
      // BullMQ's form: new Queue(name, { connection: db }); no connection = a store of its own.
      options = name ?? {};
      name = db;
      db = options.connection;
      if (db === undefined) {
        if (StoreClass === null) throw new TypeError("cinnabar/queue: give a store: new Queue(db, name)");
        db = new StoreClass();
        this.ownsStore = true;
      }
    }
    if (typeof name !== "string" || name === "" || name.includes(":")) {
      throw new TypeError("cinnabar/queue: a queue name must be a non-empty string without ':'");
    }
    if (options === null || typeof options !== "object") throw new TypeError("cinnabar/queue: options must be an object");
    const prefix = options.prefix ?? "queue";
    if (typeof prefix !== "string" || prefix === "") throw new TypeError("cinnabar/queue: option prefix must be a non-empty string");
    this.db = db;
    this.name = name;
    this.prefix = prefix;
    this.clock = options.clock ?? systemClock;
    if (typeof this.clock.now !== "function" || typeof this.clock.setTimeout !== "function" || typeof this.clock.clearTimeout !== "function") {
      throw new TypeError("cinnabar/queue: option clock must have now(), setTimeout(fn, ms) and clearTimeout(handle)");
    }
    this.defaultJobOptions = options.defaultJobOptions ?? {};
    this.keys = keysOf(prefix, name);
    this.#conn = ownConnection(db);
    this.checkKeys();
  }

  /** @internal */
  _conn() {
    if (this.#conn === null) throw new Error("cinnabar/queue: the queue is closed");
    return this.#conn;
  }

  /** Throws a TypeError naming the first queue key that holds the wrong type. */
  checkKeys() {
    const conn = this._conn();
    const types = run(conn, KEY_TYPES.map(([k]) => ["type", this.keys[k]]));
    KEY_TYPES.forEach(([k, want], i) => {
      if (types[i] !== "none" && types[i] !== want) {
        throw new TypeError(`cinnabar/queue: key "${this.keys[k]}" is a ${types[i]}, expected a ${want} (queue "${this.name}")`);
      }
    });
  }

  /** @internal emits on this queue's QueueEvents listeners in this process. */
  _publish(event, payload) {
    const m = buses.get(this.#conn?._shared?.() ?? null);
    const set = m?.get(this.keys.base);
    if (set === undefined || set.size === 0) return;
    for (const qe of set) qe.emit(event, payload, this.clock.now());
  }

  /** @internal commands putting `id` where workers take it (wait list or prioritized set) + a wake-up. */
  _enqueueCmds(id, priority, lifo, pc) {
    const k = this.keys;
    const cmds = [];
    if (priority > 0) cmds.push(["zadd", k.prioritized, priority * P32 + (pc ?? this._conn().incr(k.pc)) % P32, id]);
    else cmds.push([lifo ? "rpush" : "lpush", k.wait, id]);
    cmds.push(["lpush", k.marker, "1"], ["ltrim", k.marker, 0, MARKERS - 1]);
    return cmds;
  }

  #normalizeOptions(opts) {
    if (opts === null || typeof opts !== "object") throw new TypeError("cinnabar/queue: job options must be an object");
    const o = { ...this.defaultJobOptions, ...opts };
    checkInt(o.delay, "option delay");
    checkInt(o.priority, "option priority");
    if (o.priority !== undefined && o.priority > 2097152) throw new RangeError("cinnabar/queue: option priority must be at most 2097152");
    checkInt(o.attempts, "option attempts", 1);
    checkInt(o.timeout, "option timeout", 1);
    if (o.backoff !== undefined) {
      const b = typeof o.backoff === "number" ? { type: "fixed", delay: o.backoff } : o.backoff;
      if (b === null || typeof b !== "object" || typeof b.type !== "string") {
        throw new TypeError('cinnabar/queue: option backoff must be a number or { type: "fixed" | "exponential" | custom, delay }');
      }
      checkInt(b.delay ?? 0, "option backoff.delay");
      o.backoff = b;
    }
    if (o.jobId !== undefined) {
      if (typeof o.jobId !== "string" || o.jobId === "" || RESERVED_ID.test(o.jobId) || o.jobId.includes(":")) {
        throw new TypeError("cinnabar/queue: option jobId must be a non-empty string that is not an integer and has no ':'");
      }
    }
    if (o.repeat !== undefined) {
      const r = o.repeat;
      if (r === null || typeof r !== "object" || !Number.isSafeInteger(r.every) || r.every <= 0) {
        throw new TypeError("cinnabar/queue: option repeat must be { every: ms (integer > 0), limit?, immediately?, key? }");
      }
      checkInt(r.limit, "option repeat.limit", 1);
    }
    for (const f of ["removeOnComplete", "removeOnFail"]) {
      const v = o[f];
      if (v === undefined || typeof v === "boolean" || (Number.isSafeInteger(v) && v >= 0)) continue;
      if (v !== null && typeof v === "object" && (v.age === undefined || v.age >= 0) && (v.count === undefined || v.count >= 0)) continue;
      throw new TypeError(`cinnabar/queue: option ${f} must be true, false, a count, or { age (seconds), count }`);
    }
    return o;
  }

  /**
   * Adds a job; resolves to it. With `jobId`, an existing job of that id is
   * returned unchanged (deduplication). Throws a TypeError when `data` cannot
   * be serialised as JSON.
   */
  async add(name, data, opts = {}) {
    if (typeof name !== "string") throw new TypeError("cinnabar/queue: a job name must be a string");
    const o = this.#normalizeOptions(opts);
    if (o.repeat !== undefined) return this.#addRepeatable(name, data, o);
    return this._addOne(name, serialise(data, "job data"), o, data);
  }

  /** Adds several jobs (`[{ name, data, opts }]`) in one transaction; resolves to them. */
  async addBulk(jobs) {
    if (!Array.isArray(jobs)) throw new TypeError("cinnabar/queue: addBulk takes an array of { name, data, opts }");
    const prepared = jobs.map((j) => {
      if (j === null || typeof j !== "object" || typeof j.name !== "string") throw new TypeError("cinnabar/queue: addBulk takes an array of { name, data, opts }");
      const o = this.#normalizeOptions(j.opts ?? {});
      if (o.repeat !== undefined) throw new TypeError("cinnabar/queue: addBulk does not take repeatable jobs");
      return [j.name, serialise(j.data, "job data"), o, j.data];
    });
    const conn = this._conn();
    const auto = prepared.filter(([, , o]) => o.jobId === undefined).length;
    let next = auto > 0 ? conn.incrby(this.keys.id, auto) - auto : 0;
    const cmds = [];
    const out = [];
    const plain = []; // ids going to the wait list in order: one LPUSH for all
    const seen = new Map(); // custom ids added by this call
    for (const [name, s, o, data] of prepared) {
      const id = o.jobId ?? String(++next);
      if (o.jobId !== undefined && (seen.has(id) || conn.exists(this.keys.job + id))) {
        out.push(seen.get(id) ?? (await this.getJob(id)));
        continue;
      }
      const job = this.#jobCmds(cmds, id, name, s, o, data, plain);
      if (o.jobId !== undefined) seen.set(id, job);
      out.push(job);
    }
    if (plain.length) {
      for (let i = 0; i < plain.length; i += 1024) cmds.push(["lpush", this.keys.wait, ...plain.slice(i, i + 1024)]);
      cmds.push(["lpush", this.keys.marker, ...Array(Math.min(plain.length, MARKERS)).fill("1")], ["ltrim", this.keys.marker, 0, MARKERS - 1]);
    }
    this.#runAdd(cmds, out);
    return out;
  }

  async _addOne(name, s, o, data) {
    const conn = this._conn();
    let id;
    if (o.jobId !== undefined) {
      id = o.jobId;
      if (conn.exists(this.keys.job + id)) return this.getJob(id);
    } else id = String(conn.incr(this.keys.id));
    const cmds = [];
    const job = this.#jobCmds(cmds, id, name, s, o, data);
    this.#runAdd(cmds, [job]);
    return job;
  }

  #jobCmds(cmds, id, name, s, o, data, plain) {
    const now = this.clock.now();
    const k = this.keys;
    const delay = o.delay ?? 0;
    const priority = o.priority ?? 0;
    const hset = ["hset", k.job + id, "name", name, "data", s, "opts", JSON.stringify(o), "timestamp", now];
    if (delay > 0) hset.push("delay", delay);
    if (priority > 0) hset.push("priority", priority);
    cmds.push(hset);
    if (delay > 0) cmds.push(["zadd", k.delayed, (o.timestampDue ?? now + delay), id], ["lpush", k.marker, "1"], ["ltrim", k.marker, 0, MARKERS - 1]);
    else if (plain !== undefined && priority === 0 && o.lifo !== true) plain.push(id);
    else cmds.push(...this._enqueueCmds(id, priority, o.lifo === true));
    return new Job(this, id, null, [name, data, o, now, delay, priority]);
  }

  #runAdd(cmds, jobs) {
    if (cmds.length === 0) return;
    const conn = this._conn();
    try {
      run(conn, cmds);
    } catch (e) {
      // A key of the wrong type refused part of the transaction: undo the rest (no half-added job).
      const ids = jobs.map((j) => j.id);
      const k = this.keys;
      try {
        run(conn, [["del", ...ids.map((id) => k.job + id)]]);
        for (const key of [k.wait, k.prioritized, k.delayed]) {
          const t = conn.type(key);
          for (const id of ids) {
            if (t === "list") conn.lrem(key, 0, id);
            else if (t === "zset") conn.zrem(key, id);
          }
        }
      } catch {
        // leave it: the original error says what is wrong
      }
      throw e;
    }
    for (const job of jobs) {
      this.emit("waiting", job);
      if (job.delay > 0) this._publish("delayed", { jobId: job.id, delay: job.timestamp + job.delay });
      else this._publish("waiting", { jobId: job.id, prev: undefined });
      this._publish("added", { jobId: job.id, name: job.name });
    }
  }

  // ---- repeatable jobs

  #repeatKey(name, r, jobId) {
    return r.key ?? `${name}:${jobId ?? ""}:${r.every}`;
  }

  async #addRepeatable(name, data, o) {
    const r = o.repeat;
    const s = serialise(data, "job data");
    const key = this.#repeatKey(name, r, o.jobId);
    if (key.includes(":") && r.key !== undefined) throw new TypeError("cinnabar/queue: option repeat.key must not contain ':'");
    const now = this.clock.now();
    const first = r.immediately ? now : Math.floor(now / r.every) * r.every + r.every;
    const conn = this._conn();
    const rk = this.keys.repeat + ":" + key;
    const jobOpts = { ...o };
    delete jobOpts.jobId;
    delete jobOpts.delay;
    if (conn.exists(rk) === 1) {
      // Already configured: answer its pending run (adding again never doubles the schedule).
      const next = conn.zscore(this.keys.repeat, key);
      return (await this.getJob(`repeat:${key}:${next}`)) ?? null;
    }
    run(conn, [
      ["hset", rk, "name", name, "data", s, "opts", JSON.stringify(jobOpts), "every", r.every, "limit", r.limit ?? 0, "count", 0],
      ["zadd", this.keys.repeat, first, key],
    ]);
    return this._scheduleRepeat(key, first);
  }

  /** @internal adds the run of repeatable `key` due at `millis` (an idempotent job id). */
  _scheduleRepeat(key, millis) {
    const conn = this._conn();
    const rk = this.keys.repeat + ":" + key;
    const h = conn.hgetall(rk);
    if (h === null || h.name === undefined) return null;
    const limit = Number(h.limit);
    const count = Number(h.count);
    if (limit > 0 && count >= limit) {
      run(conn, [["zrem", this.keys.repeat, key], ["del", rk]]);
      return null;
    }
    const opts = parse(h.opts, {});
    const id = `repeat:${key}:${millis}`;
    if (conn.exists(this.keys.job + id)) return new Job(this, id, conn.hgetall(this.keys.job + id));
    const delay = Math.max(0, millis - this.clock.now());
    run(conn, [["hincrby", rk, "count", 1], ["zadd", this.keys.repeat, millis, key]]);
    const o = { ...opts, jobId: id, delay, timestampDue: millis, repeat: { ...opts.repeat, key, millis } };
    const cmds = [];
    const job = this.#jobCmds(cmds, id, h.name, h.data, o, parse(h.data));
    this.#runAdd(cmds, [job]);
    return job;
  }

  /** The repeatable configurations: `[{ key, name, every, next, limit, count }]`. */
  async getRepeatableJobs() {
    const conn = this._conn();
    const r = conn.zrange(this.keys.repeat, 0, -1, "WITHSCORES");
    const out = [];
    for (let i = 0; i < r.length; i += 2) {
      const h = conn.hgetall(this.keys.repeat + ":" + r[i]) ?? {};
      out.push({ key: r[i], name: h.name, every: Number(h.every), next: Number(r[i + 1]), limit: Number(h.limit) || undefined, count: Number(h.count) });
    }
    return out;
  }

  /** Stops a repeatable job by name and repeat options (as given to add); whether it existed. */
  async removeRepeatable(name, repeat, jobId) {
    return this.removeRepeatableByKey(this.#repeatKey(name, repeat, jobId));
  }

  /** Stops a repeatable job by key (see getRepeatableJobs); its pending run is removed too. */
  async removeRepeatableByKey(key) {
    const conn = this._conn();
    const next = conn.zscore(this.keys.repeat, key);
    const [removed] = run(conn, [["del", this.keys.repeat + ":" + key], ["zrem", this.keys.repeat, key]]);
    if (next !== null) {
      const id = `repeat:${key}:${next}`;
      if (conn.zscore(this.keys.delayed, id) !== null) await this.remove(id);
    }
    return removed === 1;
  }

  // ---- reading

  /** A job by id, or undefined. */
  async getJob(id) {
    const h = this._conn().hgetall(this.keys.job + String(id));
    if (h === null || h.name === undefined) return undefined;
    return new Job(this, String(id), h);
  }

  /** The state of job `id` (see Job.getState). */
  async getJobState(id) {
    const k = this.keys;
    const conn = this._conn();
    id = String(id);
    const [c, f, d, a, p, w] = run(conn, [
      ["zscore", k.completed, id], ["zscore", k.failed, id], ["zscore", k.delayed, id],
      ["zscore", k.active, id], ["zscore", k.prioritized, id], ["lpos", k.wait, id],
    ]);
    if (c !== null) return "completed";
    if (f !== null) return "failed";
    if (d !== null) return "delayed";
    if (a !== null) return "active";
    if (p !== null) return "prioritized";
    if (w !== null) return "waiting";
    return "unknown";
  }

  /** Counts by state: `{ waiting, active, delayed, prioritized, completed, failed, paused }` (or the named ones). */
  async getJobCounts(...types) {
    if (types.length === 1 && Array.isArray(types[0])) types = types[0];
    const k = this.keys;
    const [w, p, a, d, c, f, paused] = run(this._conn(), [
      ["llen", k.wait], ["zcard", k.prioritized], ["zcard", k.active], ["zcard", k.delayed],
      ["zcard", k.completed], ["zcard", k.failed], ["hget", k.meta, "paused"],
    ]);
    const isPaused = paused === "1";
    const all = {
      waiting: isPaused ? 0 : w, prioritized: isPaused ? 0 : p, active: a, delayed: d,
      completed: c, failed: f, paused: isPaused ? w + p : 0,
    };
    if (types.length === 0) return all;
    const out = {};
    for (const t of types) out[t] = all[t === "wait" ? "waiting" : t] ?? 0;
    return out;
  }

  /** Sum of the counts of the given states. */
  async getJobCountByTypes(...types) {
    const c = await this.getJobCounts(...types);
    return Object.values(c).reduce((a, b) => a + b, 0);
  }

  /** Jobs waiting, prioritized or delayed (not yet processed). */
  async count() {
    const c = await this.getJobCounts();
    return c.waiting + c.prioritized + c.delayed + c.paused;
  }

  /** Ids in a state, in processing order (waiting, prioritized, delayed) or newest first (completed, failed). */
  #ids(type, start, end) {
    const k = this.keys;
    const conn = this._conn();
    switch (type) {
      case "wait":
      case "waiting":
      case "paused": {
        // processing order = from the tail of the list
        const len = conn.llen(k.wait);
        const s = end < 0 ? len + end : Math.min(end, len - 1);
        const b = start < 0 ? len + start : start;
        if (s < b) return [];
        return conn.lrange(k.wait, -1 - s, -1 - b).reverse();
      }
      case "prioritized":
      case "delayed":
      case "active":
        return conn.zrange(k[type], start, end);
      case "completed":
      case "failed":
        return conn.zrange(k[type], start, end, "REV");
      default:
        throw new TypeError(`cinnabar/queue: unknown job state "${type}"`);
    }
  }

  /** Jobs in the given states (`"waiting" | "active" | ...` or an array), `start`..`end` of each. */
  async getJobs(types = ["waiting", "active", "delayed", "prioritized", "completed", "failed"], start = 0, end = -1) {
    if (typeof types === "string") types = [types];
    const out = [];
    for (const t of types) for (const id of this.#ids(t, start, end)) {
      const j = await this.getJob(id);
      if (j !== undefined) out.push(j);
    }
    return out;
  }
  getWaiting(start = 0, end = -1) {
    return this.getJobs(["waiting"], start, end);
  }
  getPrioritized(start = 0, end = -1) {
    return this.getJobs(["prioritized"], start, end);
  }
  getActive(start = 0, end = -1) {
    return this.getJobs(["active"], start, end);
  }
  getDelayed(start = 0, end = -1) {
    return this.getJobs(["delayed"], start, end);
  }
  getCompleted(start = 0, end = -1) {
    return this.getJobs(["completed"], start, end);
  }
  getFailed(start = 0, end = -1) {
    return this.getJobs(["failed"], start, end);
  }
  /** The log rows of a job. */
  async getJobLogs(id, start = 0, end = -1) {
    const key = this.keys.job + id + ":logs";
    return { logs: this._conn().lrange(key, start, end), count: this._conn().llen(key) };
  }

  // ---- control

  /** Stops workers from taking jobs (jobs being processed finish). */
  async pause() {
    this._conn().hset(this.keys.meta, "paused", "1");
    this.emit("paused");
    this._publish("paused", {});
  }
  /** Lets workers take jobs again. */
  async resume() {
    run(this._conn(), [["hdel", this.keys.meta, "paused"], ["lpush", this.keys.marker, "1"], ["ltrim", this.keys.marker, 0, MARKERS - 1]]);
    this.emit("resumed");
    this._publish("resumed", {});
  }
  async isPaused() {
    return this._conn().hget(this.keys.meta, "paused") === "1";
  }

  /** Removes a job that no worker holds; 1 if removed, 0 if missing. Throws for an active job. */
  async remove(id) {
    id = String(id);
    const k = this.keys;
    const conn = this._conn();
    if (conn.zscore(k.active, id) !== null) throw new Error(`cinnabar/queue: job ${id} is active (locked by a worker) and cannot be removed`);
    const res = run(conn, [
      ["lrem", k.wait, 0, id], ["zrem", k.prioritized, id], ["zrem", k.delayed, id],
      ["zrem", k.completed, id], ["zrem", k.failed, id], ["del", k.job + id, k.job + id + ":logs"],
    ]);
    const removed = res[5] > 0 ? 1 : 0;
    if (removed) {
      this.emit("removed", id);
      this._publish("removed", { jobId: id });
    }
    return removed;
  }

  /** Removes every waiting and prioritized job (and delayed ones with `delayed: true`). */
  async drain(delayed = false) {
    const k = this.keys;
    const conn = this._conn();
    const ids = [...conn.lrange(k.wait, 0, -1), ...conn.zrange(k.prioritized, 0, -1), ...(delayed ? conn.zrange(k.delayed, 0, -1) : [])];
    const cmds = [["del", k.wait, k.prioritized, ...(delayed ? [k.delayed] : [])]];
    for (let i = 0; i < ids.length; i += 512) cmds.push(["del", ...ids.slice(i, i + 512).flatMap((id) => [k.job + id, k.job + id + ":logs"])]);
    run(conn, cmds);
    this._publish("drained", {});
  }

  /**
   * Removes up to `limit` (0 = all) jobs of `type` ("completed" | "failed" | "delayed" |
   * "wait" | "prioritized") older than `grace` ms (by finish time, or creation time
   * for unfinished states); resolves to the removed ids.
   */
  async clean(grace, limit = 0, type = "completed") {
    checkInt(grace, "grace");
    checkInt(limit, "limit");
    const k = this.keys;
    const conn = this._conn();
    const cutoff = this.clock.now() - grace;
    let ids;
    if (type === "completed" || type === "failed") {
      ids = conn.zrangebyscore(k[type], "-inf", cutoff, ...(limit > 0 ? ["LIMIT", 0, limit] : []));
    } else if (type === "delayed" || type === "prioritized" || type === "wait" || type === "waiting" || type === "paused") {
      const all = type === "delayed" || type === "prioritized" ? conn.zrange(k[type], 0, -1) : conn.lrange(k.wait, 0, -1).reverse();
      ids = [];
      for (const id of all) {
        if (limit > 0 && ids.length >= limit) break;
        const ts = conn.hget(k.job + id, "timestamp");
        if (ts === null || Number(ts) <= cutoff) ids.push(id);
      }
    } else throw new TypeError(`cinnabar/queue: clean cannot remove "${type}" jobs`);
    for (const id of ids) await this.remove(id);
    this.emit("cleaned", ids, type);
    this._publish("cleaned", { count: ids.length });
    return ids;
  }

  /** Deletes every key of the queue (refused while jobs are active, unless `force`). */
  async obliterate({ force = false } = {}) {
    const k = this.keys;
    const conn = this._conn();
    if (!force && conn.zcard(k.active) > 0) throw new Error("cinnabar/queue: cannot obliterate a queue with active jobs (use { force: true })");
    let cursor = "0";
    do {
      const [next, keys] = conn.scan(cursor, "MATCH", k.base.replace(/[*?[\]\\]/g, "\\$&") + ":*", "COUNT", 1000);
      if (keys.length) conn.del(...keys);
      cursor = next;
    } while (cursor !== "0");
  }

  /** Closes the queue's connection (the data stays). */
  async close() {
    if (this.#conn === null) return;
    this.#conn.close();
    this.#conn = null;
    if (this.ownsStore) this.db.close();
    this.emit("closed");
  }
}

// ------------------------------------------------------------------ worker

let workerSeq = 0;

/**
 * Takes jobs from a queue and runs `processor(job)` on them. See queue.d.ts.
 */
export class Worker extends Emitter {
  #queue;
  #conn; // commands
  #bconn; // blocking waits
  #processor;
  #running = new Map(); // id -> { job, token, timer }
  #finished = []; // jobs settled in this turn, recorded together by #flush
  #closing = null;
  #closed = false;
  #paused = false;
  #resume = null;
  #slot = null;
  #idleAbort = null;
  #timers = new Set();
  #loop = null;
  #tokenSeq = 0;
  #drained = false;
  #rateLimitedUntil = 0;

  constructor(queue, processor, options = {}) {
    super();
    if (!(queue instanceof Queue)) throw new TypeError("cinnabar/queue: new Worker(queue, processor): queue must be a Queue");
    if (typeof processor !== "function") throw new TypeError("cinnabar/queue: new Worker(queue, processor): processor must be a function");
    if (options === null || typeof options !== "object") throw new TypeError("cinnabar/queue: options must be an object");
    const o = {
      concurrency: 1, lockDuration: 30000, stalledInterval: 30000, maxStalledCount: 1, autorun: true,
      retryDelay: 1000, ...options,
    };
    checkInt(o.concurrency, "option concurrency", 1);
    checkInt(o.lockDuration, "option lockDuration", 1);
    checkInt(o.stalledInterval, "option stalledInterval", 1);
    checkInt(o.maxStalledCount, "option maxStalledCount", 0);
    checkInt(o.timeout, "option timeout", 1);
    if (o.limiter !== undefined) {
      const l = o.limiter;
      if (l === null || typeof l !== "object" || !Number.isSafeInteger(l.max) || l.max < 1 || !Number.isSafeInteger(l.duration) || l.duration < 1) {
        throw new TypeError("cinnabar/queue: option limiter must be { max: integer ≥ 1, duration: ms ≥ 1 }");
      }
    }
    this.opts = o;
    this.#queue = queue;
    this.#processor = processor;
    this.clock = options.clock ?? queue.clock;
    this.id = `w${++workerSeq}`;
    this.#conn = ownConnection(queue.db);
    this.#bconn = ownConnection(queue.db);
    if (o.autorun) this.run();
  }

  get queue() {
    return this.#queue;
  }
  get name() {
    return this.#queue.name;
  }
  /** Jobs this worker is processing. */
  get activeCount() {
    return this.#running.size;
  }
  isRunning() {
    return this.#loop !== null && this.#closing === null;
  }
  isPaused() {
    return this.#paused;
  }

  /** Starts the worker (done by the constructor unless `autorun: false`). */
  run() {
    if (this.#loop !== null || this.#closed) return this.#loop ?? Promise.resolve();
    // After a microtask: listeners attached right after `new Worker()` see the first jobs.
    this.#loop = Promise.resolve().then(() => this.#main());
    return this.#loop;
  }

  #after(ms, fn) {
    const h = this.clock.setTimeout(() => {
      this.#timers.delete(h);
      fn();
    }, ms);
    this.#timers.add(h);
    return h;
  }
  #cancel(h) {
    if (h === null || h === undefined) return;
    this.clock.clearTimeout(h);
    this.#timers.delete(h);
  }
  #sleep(ms) {
    return new Promise((r) => {
      const ac = new AbortController();
      this.#idleAbort = ac;
      const h = this.#after(ms, () => ac.abort());
      ac.signal.addEventListener("abort", () => {
        this.#cancel(h);
        r();
      }, { once: true });
    });
  }

  async #main() {
    this.#checkStalled(true); // at once, unthrottled: a store restored from a snapshot resumes its stalled jobs
    this.#scheduleRenew();
    this.#scheduleStalled();
    const conc = this.opts.concurrency;
    while (this.#closing === null) {
      if (this.#paused) {
        await new Promise((r) => (this.#resume = r));
        continue;
      }
      if (this.#running.size >= conc) {
        await new Promise((r) => (this.#slot = r));
        continue;
      }
      let r;
      try {
        r = this.#fetch(conc - this.#running.size);
      } catch (e) {
        this.emit("error", e);
        await this.#sleep(this.opts.retryDelay);
        continue;
      }
      if (r.jobs.length > 0) {
        this.#drained = false;
        for (const job of r.jobs) this.#process(job);
        continue;
      }
      if (!this.#drained && this.#running.size === 0) {
        this.#drained = true;
        this.emit("drained");
      }
      try {
        await this.#idle(r.wakeAt);
      } catch (e) {
        this.emit("error", e);
        await this.#sleep(this.opts.retryDelay);
      }
    }
  }

  /** Waits for a wake-up token (BLPOP on the marker list), the timer at `wakeAt`, or close. */
  async #idle(wakeAt) {
    const ac = new AbortController();
    this.#idleAbort = ac;
    let h = null;
    if (wakeAt !== null) h = this.#after(Math.max(0, wakeAt - this.clock.now()), () => ac.abort());
    try {
      await this.#bconn.blpop(this.#queue.keys.marker, 0, { signal: ac.signal });
    } catch (e) {
      if (!ac.signal.aborted) throw keyError(e, ["blpop", this.#queue.keys.marker]);
    } finally {
      this.#cancel(h);
      if (this.#idleAbort === ac) this.#idleAbort = null;
    }
  }

  #wake() {
    const s = this.#slot;
    this.#slot = null;
    if (s !== null) s();
  }

  /**
   * Takes up to `n` jobs in one synchronous turn: promotes due delayed jobs, honours
   * pause and the rate limiter, pops ids and locks them. `{ jobs, wakeAt }`.
   */
  #fetch(n, prefix = null) {
    const q = this.#queue;
    const k = q.keys;
    const conn = this.#conn;
    const now = this.clock.now();
    const lim = this.opts.limiter;
    const reads = [["hget", k.meta, "paused"], ["zrangebyscore", k.delayed, "-inf", now, "LIMIT", 0, 1000]];
    if (lim) reads.push(["hmget", k.limiter, "start", "count"]);
    else reads.push(["rpop", k.wait, n]);
    // A finishing job's commands ride in the same crossing (one fewer per job).
    let all = reads;
    let off = 0;
    if (prefix !== null && prefix.length) {
      all = [];
      for (const p of prefix) for (const c of p.cmds) all.push(c);
      off = all.length;
      for (const c of reads) all.push(c);
    }
    const res = runRaw(conn, all);
    if (off > 0) {
      let at = 0;
      for (const p of prefix) {
        p.ok = this.#checkTransition(res, at, at + p.cmds.length, p.cmds, p.id);
        at += p.cmds.length;
      }
    }
    const paused = res[off];
    const due = res[off + 1];
    const third = res[off + 2];
    for (let i = off; i < res.length; i++) {
      if (res[i] instanceof Error) {
        if (!lim && Array.isArray(third) && third.length) runRaw(conn, [["rpush", k.wait, ...third.reverse()]]);
        throw keyError(res[i], all[i]);
      }
    }
    if (due.length > 0) this.#promote(due);
    if (paused === "1") {
      if (!lim && third !== null) run(conn, [["rpush", k.wait, ...third.reverse()]]);
      conn.del(k.marker);
      return { jobs: [], wakeAt: this.#nextDelayed() };
    }
    let limStart = 0;
    let limCount = 0;
    let ids = lim ? [] : third ?? [];
    if (lim) {
      limStart = Number(third[0] ?? 0);
      limCount = Number(third[1] ?? 0);
      if (now >= limStart + lim.duration) {
        limStart = now;
        limCount = 0;
      }
      const allow = lim.max - limCount;
      if (allow <= 0) {
        conn.del(k.marker);
        return { jobs: [], wakeAt: minOf(limStart + lim.duration, this.#nextDelayed()) };
      }
      n = Math.min(n, allow);
    }
    if (this.#rateLimitedUntil > now) {
      if (ids.length) run(conn, [["rpush", k.wait, ...ids.reverse()]]);
      conn.del(k.marker);
      return { jobs: [], wakeAt: this.#rateLimitedUntil };
    }
    if (lim || (due.length > 0 && ids.length < n)) ids = ids.concat(conn.rpop(k.wait, n - ids.length) ?? []);
    const fromWait = ids.length;
    let pz = [];
    if (ids.length < n) {
      pz = conn.zpopmin(k.prioritized, n - ids.length);
      for (let i = 0; i < pz.length; i += 2) ids.push(pz[i]);
    }
    if (ids.length === 0) {
      conn.del(k.marker);
      return { jobs: [], wakeAt: this.#nextDelayed() };
    }
    const deadline = now + this.opts.lockDuration;
    const cmds = [];
    const tokens = [];
    for (const id of ids) {
      const token = `${this.id}:${++this.#tokenSeq}`;
      tokens.push(token);
      cmds.push(["zadd", k.active, deadline, id], ["hset", k.job + id, LOCK, token, "processedOn", now], ["hgetall", k.job + id]);
    }
    if (lim) cmds.push(["hset", k.limiter, "start", limStart, "count", limCount + ids.length]);
    const act = runRaw(conn, cmds);
    const bad = act.findIndex((r) => r instanceof Error);
    if (bad >= 0) {
      // Not locked: put every id back where it came from (none is lost), then report.
      const back = [["zrem", k.active, ...ids]];
      if (fromWait > 0) back.push(["rpush", k.wait, ...ids.slice(0, fromWait).reverse()]);
      if (pz.length) back.push(["zadd", k.prioritized, ...pz.flatMap((m, i) => (i % 2 ? [] : [pz[i + 1], m]))]);
      runRaw(conn, back);
      throw keyError(act[bad], cmds[bad]);
    }
    const jobs = [];
    const orphans = [];
    for (let i = 0; i < ids.length; i++) {
      const flat = act[i * 3 + 2];
      const fields = {};
      for (let j = 0; j + 1 < flat.length; j += 2) fields[flat[j]] = flat[j + 1];
      if (fields.name === undefined) {
        orphans.push(ids[i]); // the hash was deleted behind the queue's back
        continue;
      }
      const job = new Job(q, ids[i], fields);
      job.attemptsStarted++;
      job.token = tokens[i];
      job.worker = this;
      jobs.push(job);
    }
    if (orphans.length) run(conn, [["zrem", k.active, ...orphans], ["del", ...orphans.map((id) => k.job + id)]]);
    for (const job of jobs) {
      const r = job.opts.repeat;
      if (r && r.key !== undefined && r.millis !== undefined) {
        let next = r.millis + r.every;
        if (next <= now) next += Math.ceil((now - next + 1) / r.every) * r.every; // skip missed runs
        try {
          q._scheduleRepeat(r.key, next);
        } catch (e) {
          this.emit("error", e);
        }
      }
    }
    return { jobs, wakeAt: null };
  }

  /**
   * Checks the replies `from`..`to` of a job's state change. On an error reply (a
   * queue key of the wrong type), the job goes back to `active` with an expired
   * lock, so the next stalled check retries it instead of losing it.
   */
  #checkTransition(res, from, to, cmds, id) {
    for (let i = from; i < to; i++) {
      if (res[i] instanceof Error) {
        const k = this.#queue.keys;
        runRaw(this.#conn, [["zadd", k.active, 0, id], ["hdel", k.job + id, LOCK]]);
        this.emit("error", keyError(res[i], cmds[i - from]));
        return false;
      }
    }
    return true;
  }

  #promote(due) {
    const q = this.#queue;
    const k = q.keys;
    const conn = this.#conn;
    const pr = run(conn, due.map((id) => ["hmget", k.job + id, "priority", "opts"]));
    const cmds = [];
    const waiting = [];
    due.forEach((id, i) => {
      const [p, opts] = pr[i];
      if (p === null && opts === null) return; // removed job
      const priority = Number(p ?? 0);
      const lifo = opts !== null && opts.includes('"lifo":true');
      cmds.push(["hset", k.job + id, "delay", 0], ...q._enqueueCmds(id, priority, lifo));
      waiting.push(id);
    });
    cmds.push(["zrem", k.delayed, ...due]);
    run(conn, cmds);
    for (const id of waiting) q._publish("waiting", { jobId: id, prev: "delayed" });
  }

  #nextDelayed() {
    const r = this.#conn.zrange(this.#queue.keys.delayed, 0, 0, "WITHSCORES");
    return r.length ? Number(r[1]) : null;
  }

  // ---- processing

  async #process(job) {
    const id = job.id;
    const entry = { job, token: job.token, timer: null };
    this.#running.set(id, entry);
    const q = this.#queue;
    this.emit("active", job, "waiting");
    q._publish("active", { jobId: id, prev: "waiting" });
    const timeout = job.opts.timeout ?? this.opts.timeout;
    let result;
    let error;
    let ok = false;
    try {
      const p = this.#processor(job, job.token);
      if (timeout !== undefined) {
        result = await new Promise((resolve, reject) => {
          entry.timer = this.#after(timeout, () => reject(new Error(`cinnabar/queue: job ${id} timed out after ${timeout} ms`)));
          Promise.resolve(p).then(resolve, reject);
        });
      } else result = await p;
      ok = true;
    } catch (e) {
      error = e;
    }
    this.#cancel(entry.timer);
    this.#finished.push({ job, entry, ok, result, error });
    if (this.#finished.length === 1) queueMicrotask(() => this.#flush());
  }

  /**
   * Records the jobs that finished in this turn, all in one crossing together
   * with the fetch of as many new jobs as slots came free: lock checks (one
   * pipeline), then the state changes + the next fetch (another).
   */
  #flush() {
    const done = this.#finished;
    this.#finished = [];
    const k = this.#queue.keys;
    let locks;
    try {
      locks = run(this.#conn, done.map((d) => ["hget", k.job + d.job.id, LOCK]));
    } catch (e) {
      locks = [];
      this.emit("error", e);
    }
    const parts = [];
    for (let i = 0; i < done.length; i++) {
      const d = done[i];
      this.#running.delete(d.job.id);
      d.job.worker = null;
      if (locks[i] !== d.entry.token) {
        if (locks.length) this.#lost(d.job);
        continue;
      }
      try {
        const fin = d.ok ? this.#completion(d.job, d.result) : this.#failure(d.job, d.error);
        parts.push({ cmds: fin.cmds, id: d.job.id, ok: false, after: fin.after });
      } catch (e) {
        this.emit("error", e);
      }
    }
    const conc = this.opts.concurrency;
    let next = null;
    if (this.#slot !== null && this.#closing === null && !this.#paused) {
      try {
        next = this.#fetch(conc - this.#running.size, parts);
      } catch (e) {
        this.emit("error", e); // the finishing commands ran (each part's ok tells how); the fetch did not
      }
    } else if (parts.length) {
      const cmds = parts.flatMap((p) => p.cmds);
      const res = runRaw(this.#conn, cmds);
      let at = 0;
      for (const p of parts) {
        p.ok = this.#checkTransition(res, at, at + p.cmds.length, p.cmds, p.id);
        at += p.cmds.length;
      }
    }
    for (const p of parts) {
      if (!p.ok) continue;
      try {
        p.after();
      } catch (e) {
        this.emit("error", e);
      }
    }
    if (this.#closed && this.#running.size === 0) this.#conn.close();
    if (next !== null && next.jobs.length > 0) {
      for (const j of next.jobs) this.#process(j);
      if (this.#running.size < conc) this.#wake();
    } else this.#wake();
  }

  #lost(job) {
    const e = new Error(`cinnabar/queue: lock of job ${job.id} was lost (stalled and recovered, or removed); its result is dropped`);
    this.emit("error", e);
    return null;
  }

  /**
   * The commands finishing a job as completed (destination first, removal from
   * `active` last) and what to do once they ran; null when the lock was lost.
   */
  #completion(job, result) {
    let s;
    try {
      s = serialise(result, `the return value of job ${job.id}`);
    } catch (e) {
      return this.#failure(job, e);
    }
    const q = this.#queue;
    const k = q.keys;
    const now = this.clock.now();
    const id = job.id;
    const keep = job.opts.removeOnComplete;
    job.attemptsMade++;
    const cmds = [];
    if (keep === true) cmds.push(["del", k.job + id, k.job + id + ":logs"]);
    else {
      cmds.push(
        ["zadd", k.completed, now, id],
        ["hset", k.job + id, "returnvalue", s, "finishedOn", now, "attemptsMade", job.attemptsMade, "attemptsStarted", job.attemptsStarted],
        ["hdel", k.job + id, LOCK],
      );
    }
    cmds.push(["zrem", k.active, id]);
    return {
      cmds,
      after: () => {
        if (keep !== true && keep !== undefined && keep !== false) this.#retain(k.completed, keep, now);
        job.returnvalue = result;
        job.finishedOn = now;
        this.emit("completed", job, result, "active");
        q._publish("completed", { jobId: id, returnvalue: result, prev: "active" });
      },
    };
  }

  /** Keeps at most `count` / nothing older than `age` seconds in a finished set. */
  #retain(set, keep, now) {
    const conn = this.#conn;
    const k = this.#queue.keys;
    const count = typeof keep === "number" ? keep : keep.count;
    const age = typeof keep === "object" ? keep.age : undefined;
    let ids = [];
    if (count !== undefined) ids = conn.zrange(set, 0, -count - 1);
    if (age !== undefined) ids = ids.concat(conn.zrangebyscore(set, "-inf", now - age * 1000));
    if (ids.length === 0) return;
    ids = [...new Set(ids)];
    run(conn, [["zrem", set, ...ids], ["del", ...ids.flatMap((id) => [k.job + id, k.job + id + ":logs"])]]);
  }

  #backoff(job, err) {
    const b = job.opts.backoff;
    if (b === undefined) return 0;
    const d = b.delay ?? 0;
    if (b.type === "fixed") return d;
    if (b.type === "exponential") return Math.round(2 ** (job.attemptsMade - 1) * d);
    const fn = this.opts.settings?.backoffStrategy;
    if (typeof fn === "function") return fn(job.attemptsMade, b.type, err, job);
    throw new TypeError(`cinnabar/queue: unknown backoff type "${b.type}" (give the worker settings.backoffStrategy)`);
  }

  /** As #completion, for a failed attempt: a retry (waiting or delayed) or the failed set. */
  #failure(job, err) {
    const q = this.#queue;
    const k = q.keys;
    const now = this.clock.now();
    const id = job.id;
    if (err instanceof RateLimitError) {
      // Back to the front of the line untouched (not an attempt); the worker pauses fetching.
      return {
        cmds: [...q._enqueueCmds(id, job.priority, true), ["hdel", k.job + id, LOCK], ["zrem", k.active, id]],
        after: () => {},
      };
    }
    job.attemptsMade++;
    const message = errorMessage(err);
    job.failedReason = message;
    job.stacktrace = [...job.stacktrace, err instanceof Error && err.stack ? err.stack : message].slice(-10);
    const attempts = job.opts.attempts ?? 1;
    let delay = -1;
    if (!(err instanceof UnrecoverableError) && job.attemptsMade < attempts) {
      try {
        delay = Number(this.#backoff(job, err));
        if (!Number.isFinite(delay)) delay = -1;
      } catch (e) {
        this.emit("error", e);
        delay = -1;
      }
    }
    const fields = ["hset", k.job + id, "attemptsMade", job.attemptsMade, "attemptsStarted", job.attemptsStarted, "failedReason", message, "stacktrace", JSON.stringify(job.stacktrace)];
    if (delay >= 0) {
      const cmds = [fields, ["hdel", k.job + id, LOCK]];
      if (delay > 0) cmds.push(["zadd", k.delayed, now + delay, id], ["hset", k.job + id, "delay", delay], ["lpush", k.marker, "1"], ["ltrim", k.marker, 0, MARKERS - 1]);
      else cmds.push(...q._enqueueCmds(id, job.priority, false));
      cmds.push(["zrem", k.active, id]);
      return {
        cmds,
        after: () => {
          this.emit("failed", job, err, "active");
          q._publish("failed", { jobId: id, failedReason: message, prev: "active", attemptsMade: job.attemptsMade, willRetry: true });
          q._publish(delay > 0 ? "delayed" : "waiting", delay > 0 ? { jobId: id, delay: now + delay } : { jobId: id, prev: "failed" });
        },
      };
    }
    const keep = job.opts.removeOnFail;
    const cmds = [];
    if (keep === true) cmds.push(["del", k.job + id, k.job + id + ":logs"]);
    else cmds.push(["zadd", k.failed, now, id], fields, ["hset", k.job + id, "finishedOn", now], ["hdel", k.job + id, LOCK]);
    cmds.push(["zrem", k.active, id]);
    return {
      cmds,
      after: () => {
        if (keep !== true && keep !== undefined && keep !== false) this.#retain(k.failed, keep, now);
        job.finishedOn = now;
        this.emit("failed", job, err, "active");
        q._publish("failed", { jobId: id, failedReason: message, prev: "active", attemptsMade: job.attemptsMade, willRetry: false });
        if (attempts > 1) q._publish("retries-exhausted", { jobId: id, attemptsMade: job.attemptsMade });
      },
    };
  }

  // ---- locks and stalled jobs

  #scheduleRenew() {
    const every = Math.max(1, Math.floor(this.opts.lockDuration / 2));
    this.#after(every, () => {
      if (this.#closed) return;
      try {
        this.#renew();
      } catch (e) {
        this.emit("error", e);
      }
      this.#scheduleRenew();
    });
  }

  #renew() {
    if (this.#running.size === 0) return;
    const k = this.#queue.keys;
    const entries = [...this.#running.values()];
    const locks = run(this.#conn, entries.map((e) => ["hget", k.job + e.job.id, LOCK]));
    const deadline = this.clock.now() + this.opts.lockDuration;
    const cmds = [];
    entries.forEach((e, i) => {
      if (locks[i] === e.token) cmds.push(["zadd", k.active, "XX", deadline, e.job.id]);
      else if (!e.lostReported) {
        e.lostReported = true;
        this.emit("lockRenewalFailed", [e.job.id]);
      }
    });
    if (cmds.length) run(this.#conn, cmds);
  }

  #scheduleStalled() {
    this.#after(this.opts.stalledInterval, () => {
      if (this.#closed) return;
      this.#checkStalled();
      this.#scheduleStalled();
    });
  }

  #checkStalled(force = false) {
    try {
      this.moveStalledJobs(force);
    } catch (e) {
      this.emit("error", e);
    }
  }

  /**
   * Moves active jobs whose lock deadline passed back to waiting (or to failed
   * after `maxStalledCount` stalls); the ids moved. Runs every `stalledInterval`
   * (at most once per interval across the workers of the queue) and at start.
   */
  moveStalledJobs(force = false) {
    const q = this.#queue;
    const k = q.keys;
    const conn = this.#conn;
    const now = this.clock.now();
    const [nextCheck, expired] = run(conn, [["hget", k.meta, "stalledCheck"], ["zrangebyscore", k.active, "-inf", `(${now}`]]);
    if (!force && nextCheck !== null && Number(nextCheck) > now && Number(nextCheck) - now <= this.opts.stalledInterval) return [];
    conn.hset(k.meta, "stalledCheck", now + this.opts.stalledInterval);
    const mine = expired;
    if (mine.length === 0) return [];
    const info = run(conn, mine.map((id) => ["hmget", k.job + id, "stalledCounter", "priority", "opts", "attemptsMade", "name"]));
    const moved = [];
    mine.forEach((id, i) => {
      const [sc, p, opts, am, name] = info[i];
      if (name === null) {
        conn.zrem(k.active, id);
        return;
      }
      const count = Number(sc ?? 0) + 1;
      const base = [["hdel", k.job + id, LOCK], ["hset", k.job + id, "stalledCounter", count], ["hincrby", k.job + id, "attemptsStarted", 1]];
      this.emit("stalled", id, "active");
      q._publish("stalled", { jobId: id, prev: "active" });
      if (count > this.opts.maxStalledCount) {
        const reason = "job stalled more than allowable limit";
        const o = parse(opts, {}) ?? {};
        const attemptsMade = Number(am ?? 0) + 1;
        const keep = o.removeOnFail;
        base.push(["hset", k.job + id, "failedReason", reason, "finishedOn", now, "attemptsMade", attemptsMade]);
        if (keep === true) base.push(["del", k.job + id]);
        else base.push(["zadd", k.failed, now, id]);
        base.push(["zrem", k.active, id]);
        run(conn, base);
        q._publish("failed", { jobId: id, failedReason: reason, prev: "active", attemptsMade, willRetry: false });
      } else {
        // back to the front of the line: it was already taken once
        base.push(...q._enqueueCmds(id, Number(p ?? 0), true), ["zrem", k.active, id]);
        run(conn, base);
        q._publish("waiting", { jobId: id, prev: "active" });
      }
      moved.push(id);
    });
    return moved;
  }

  // ---- control

  /** Stops taking new jobs (jobs being processed finish). */
  pause() {
    this.#paused = true;
    this.#idleAbort?.abort();
    this.emit("paused");
  }
  /** Takes jobs again after pause(). */
  resume() {
    if (!this.#paused) return;
    this.#paused = false;
    const r = this.#resume;
    this.#resume = null;
    if (r) r();
    this.emit("resumed");
  }

  /** Makes this worker take no job for `ms` (use with `throw new RateLimitError()` in a processor). */
  rateLimit(ms) {
    this.#rateLimitedUntil = this.clock.now() + ms;
  }

  /**
   * Stops the worker: no new jobs; waits for running ones unless `force` (their
   * locks then expire and another worker retries them).
   */
  close(force = false) {
    if (this.#closing !== null) return this.#closing;
    this.#closing = (async () => {
      this.#idleAbort?.abort();
      this.#wake();
      const r = this.#resume;
      this.#resume = null;
      if (r) r();
      if (!force) {
        while (this.#running.size > 0) await new Promise((res) => (this.#slot = res));
      }
      await this.#loop;
      this.#closed = true;
      for (const h of this.#timers) this.clock.clearTimeout(h);
      this.#timers.clear();
      try {
        // hand the timers over: another idle worker recomputes its wake-up
        run(this.#conn, [["lpush", this.#queue.keys.marker, "1"], ["ltrim", this.#queue.keys.marker, 0, MARKERS - 1]]);
      } catch {
        // a wrong-type marker key was already reported
      }
      this.#bconn.close();
      // A forced close leaves jobs running: their outcome still needs the connection
      // (to find the lock lost, or to finish the job if it is still held).
      if (this.#running.size === 0) this.#conn.close();
      this.emit("closed");
    })();
    return this.#closing;
  }
}

function minOf(a, b) {
  if (a === null) return b;
  if (b === null) return a;
  return Math.min(a, b);
}

// ------------------------------------------------------------------ events

/**
 * Events of one queue from every Queue and Worker of it in this process
 * (BullMQ's QueueEvents payloads: `{ jobId, ... }`).
 */
export class QueueEvents extends Emitter {
  #set;
  #db;
  constructor(queueOrDb, name, options = {}) {
    super();
    let db;
    let base;
    if (queueOrDb instanceof Queue) {
      db = queueOrDb.db;
      base = queueOrDb.keys.base;
    } else {
      db = queueOrDb;
      if (typeof name !== "string" || name === "") throw new TypeError("cinnabar/queue: new QueueEvents(db, name): name must be a string");
      base = `${options.prefix ?? "queue"}:${name}`;
    }
    if (db === null || typeof db !== "object" || typeof db._shared !== "function") throw new TypeError("cinnabar/queue: expected a Queue or a Cinnabar instance");
    this.#db = db;
    const bus = busOf(db);
    let set = bus.get(base);
    if (set === undefined) bus.set(base, (set = new Set()));
    set.add(this);
    this.#set = set;
  }
  /** Stops listening. */
  async close() {
    this.#set.delete(this);
  }
}
