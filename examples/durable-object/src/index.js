// "Redis per Durable Object": each name under /db/<name>/ is one Durable
// Object holding one cinnabar store. The store is restored from the object's
// storage when the object starts, its snapshot is written back after every
// write batch, and the object's alarm drives key expiry and delayed jobs, so
// keys expire and jobs run at their time even when no request comes.
//
// HTTP API (JSON in, JSON out):
//   POST /db/<name>            ["SET","k","v","EX","60"]        -> the reply ("OK")
//                              [["INCR","n"],["GET","n"]]        -> [1, "1"] (a batch; errors as {"error": ...})
//   POST /db/<name>/jobs       {"name":"report","delay":5000,"command":["INCR","runs"]}
//                                                                -> 201 {"id":"1","runAt":...}
//   GET  /db/<name>/jobs       {"delayed":[...],"completed":[...]} (the newest 100 completed)
//   GET  /db/<name>/info       {"keys":n,"alarm":ms|null,"expired":[...]} (touches no key)
// A Redis error answers 400 {"error": "<Redis's text>"}.
import { Cinnabar, ReplyError } from "cinnabar";

/** Internal database: the delayed jobs (the API's commands run in database 0). */
const SYS_DB = 15;
/** Snapshot chunk size: Durable Object storage values are limited to 128 KiB. */
const CHUNK = 128 * 1024 - 64;
/** Expirations remembered for GET /info. */
const EXPIRED_LOG = 100;
/** Commands refused over HTTP: they change connection state shared by all requests, or block. */
const REFUSED = new Set(
  ("select swapdb move multi exec discard watch unwatch subscribe psubscribe ssubscribe unsubscribe " +
    "punsubscribe sunsubscribe monitor quit reset client hello blpop brpop blmove brpoplpush blmpop bzpopmin " +
    "bzpopmax bzmpop").split(" "),
);
const WRITES = new Set(Cinnabar.commands.filter((c) => c.flags.includes("write")).map((c) => c.name));
const KNOWN = new Set(Cinnabar.commands.map((c) => c.name));

class HttpError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

const json = (body, status = 200, headers = {}) =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json; charset=utf-8", ...headers } });

/** A command from JSON: a non-empty array of strings and finite numbers, not refused. */
function command(value, where = "command") {
  if (!Array.isArray(value) || value.length === 0) {
    throw new HttpError(400, `${where} must be a non-empty JSON array like ["SET","k","v"]`);
  }
  for (const [i, a] of value.entries()) {
    if (typeof a !== "string" && !(typeof a === "number" && Number.isFinite(a))) {
      throw new HttpError(400, `${where}: argument ${i} must be a string or a finite number`);
    }
  }
  const name = String(value[0]).toLowerCase();
  const blocking = (name === "xread" || name === "xreadgroup") && value.some((a) => String(a).toLowerCase() === "block");
  if (REFUSED.has(name) || blocking) throw new HttpError(400, `${where}: ${String(value[0]).toUpperCase()} is not available over HTTP`);
  return value.map(String);
}

/** A reply or an error as JSON: errors become {"error": text}. */
function run(db, argv) {
  try {
    return { ok: true, reply: db.call(...argv) };
  } catch (e) {
    if (e instanceof ReplyError) return { ok: false, reply: { error: e.message } };
    throw e;
  }
}

export class CinnabarObject {
  constructor(ctx, env) {
    this.ctx = ctx;
    this.env = env;
    this.db = null; // database 0: the API's data
    this.sys = null; // a second connection on SYS_DB: the jobs
    this.chunks = 0; // snapshot chunks in storage
    this.expired = []; // the last expirations: { key, at, whileDown? }
    this.broken = null; // why the stored snapshot could not be loaded
    // No request or alarm runs before the store is loaded. A snapshot that
    // cannot be read leaves the object refusing requests (500) rather than
    // starting empty and overwriting it.
    ctx.blockConcurrencyWhile(() =>
      this.load().catch((e) => {
        this.broken = e;
      }),
    );
  }

  /** Restores the snapshot from storage (keys that expired meanwhile are dropped) or starts empty. */
  async load() {
    const storage = this.ctx.storage;
    const meta = await storage.get("snapshot:meta");
    let dropped = 0;
    if (meta) {
      const names = Array.from({ length: meta.chunks }, (_, i) => `snapshot:${i}`);
      const bytes = new Uint8Array(meta.bytes);
      let at = 0;
      for (let i = 0; i < names.length; i += 128) {
        const got = await storage.get(names.slice(i, i + 128));
        for (const n of names.slice(i, i + 128)) {
          const part = got.get(n);
          bytes.set(part, at);
          at += part.length;
        }
      }
      this.db = Cinnabar.fromSnapshot(bytes, {
        onExpired: (keys) => {
          dropped = keys.length;
          for (const k of keys) if (k.db === 0) this.logExpired(k.key, Date.now(), true);
        },
      });
      this.chunks = meta.chunks;
    } else {
      this.db = new Cinnabar();
    }
    this.sys = this.db.duplicate();
    this.sys.select(SYS_DB);
    // Keyspace events (not part of a snapshot): log expirations for GET /info.
    this.db.config("SET", "notify-keyspace-events", "Ex");
    this.db.subscribe("__keyevent@0__:expired", (key) => this.logExpired(key, Date.now()));
    // Keys that expired while the object was down are gone: store that, and
    // make sure the alarm is set for what remains.
    if (dropped > 0) await this.afterWrite();
    else await this.schedule();
  }

  logExpired(key, at, whileDown = false) {
    this.expired.push(whileDown ? { key, at, whileDown } : { key, at });
    if (this.expired.length > EXPIRED_LOG) this.expired.shift();
  }

  /**
   * Writes the snapshot, in chunks, in one implicit transaction: Durable Object
   * storage commits the puts issued without an await in between atomically.
   * Runs after every write batch, before the reply is sent (the output gate
   * holds the reply until storage has it): an acknowledged write is durable.
   */
  async persist() {
    const bytes = this.db.snapshot();
    const n = Math.max(1, Math.ceil(bytes.length / CHUNK));
    const entries = { "snapshot:meta": { chunks: n, bytes: bytes.length, savedAt: Date.now() } };
    for (let i = 0; i < n; i++) entries[`snapshot:${i}`] = bytes.slice(i * CHUNK, (i + 1) * CHUNK);
    const names = Object.keys(entries);
    const writes = [];
    for (let i = 0; i < names.length; i += 128) {
      writes.push(this.ctx.storage.put(Object.fromEntries(names.slice(i, i + 128).map((k) => [k, entries[k]]))));
    }
    const stale = Array.from({ length: Math.max(0, this.chunks - n) }, (_, i) => `snapshot:${n + i}`);
    for (let i = 0; i < stale.length; i += 128) writes.push(this.ctx.storage.delete(stale.slice(i, i + 128)));
    this.chunks = n;
    await Promise.all(writes);
  }

  /**
   * The earliest key deadline (PEXPIRETIME, Unix ms) in database 0, or
   * Infinity. Looking keys up also deletes the ones already expired (Redis's
   * lazy expiry), firing their "expired" events. O(keys), like the snapshot.
   */
  sweep() {
    let next = Infinity;
    let cursor = "0";
    do {
      const [c, keys] = this.db.callBuffer("SCAN", cursor, "COUNT", 1000);
      cursor = new TextDecoder().decode(c);
      if (keys.length === 0) continue;
      const p = this.db.pipeline();
      for (const k of keys) p.pexpiretime(k);
      for (const [, at] of p.exec()) if (at > 0 && at < next) next = at;
    } while (cursor !== "0");
    return next;
  }

  /** Sets the alarm at the next key deadline or delayed job, whichever is first (or deletes it). */
  async schedule(nextKey = this.sweep()) {
    const [, score] = this.sys.zrange("jobs:delayed", 0, 0, "WITHSCORES");
    // A key is expired once the clock passes its deadline: wake 1 ms after it.
    const at = Math.min(nextKey + 1, score === undefined ? Infinity : Number(score));
    if (at === Infinity) await this.ctx.storage.deleteAlarm();
    else await this.ctx.storage.setAlarm(at);
  }

  /** After a write batch: expire what is due, persist, re-arm the alarm. */
  async afterWrite() {
    const next = this.sweep();
    await this.persist();
    await this.schedule(next);
  }

  /** Runs the delayed jobs due by `now`: each runs its command (if any) and is logged as completed. */
  runDueJobs(now) {
    const ids = this.sys.zrangebyscore("jobs:delayed", "-inf", now);
    for (const id of ids) {
      const job = JSON.parse(this.sys.hget("jobs:data", id));
      const done = { ...job, ranAt: now };
      if (job.command) {
        const { ok, reply } = run(this.db, job.command);
        done[ok ? "result" : "error"] = ok ? reply : reply.error;
      }
      this.sys.multi().zrem("jobs:delayed", id).hdel("jobs:data", id).lpush("jobs:completed", JSON.stringify(done)).ltrim("jobs:completed", 0, 99).exec();
    }
    return ids.length;
  }

  /** The alarm: runs due jobs, expires due keys (the sweep), persists, sets the next alarm. */
  async alarm() {
    if (this.broken) return;
    this.runDueJobs(Date.now());
    await this.afterWrite();
  }

  async fetch(request) {
    if (this.broken) return json({ error: `the stored snapshot cannot be loaded: ${this.broken.message}` }, 500);
    try {
      return await this.route(request);
    } catch (e) {
      if (e instanceof HttpError) return json({ error: e.message }, e.status);
      if (e instanceof ReplyError) return json({ error: e.message }, 400);
      console.error(e);
      return json({ error: "internal error" }, 500);
    }
  }

  async route(request) {
    const url = new URL(request.url);
    const [, , , action = ""] = url.pathname.split("/"); // "", "db", name, action
    const method = request.method;
    if (action === "" && method === "POST") return this.commands(await body(request));
    if (action === "jobs" && method === "POST") return this.enqueue(await body(request));
    if (action === "jobs" && method === "GET") return this.jobs();
    if (action === "info" && method === "GET") {
      return json({ keys: this.db.dbsize(), alarm: await this.ctx.storage.getAlarm(), expired: this.expired });
    }
    if (action === "" || action === "jobs" || action === "info") {
      throw new HttpError(405, `method ${method} not allowed on ${url.pathname}`);
    }
    throw new HttpError(404, `no route for ${url.pathname}`);
  }

  /** POST /db/<name>: one command (its reply; a Redis error is a 400) or a batch (replies, errors inline). */
  async commands(input) {
    const batch = Array.isArray(input) && input.length > 0 && input.every(Array.isArray);
    const argvs = batch ? input.map((c, i) => command(c, `command ${i}`)) : [command(input)];
    const results = argvs.map((argv) => run(this.db, argv));
    if (argvs.some((argv) => WRITES.has(argv[0].toLowerCase()))) await this.afterWrite();
    if (batch) return json(results.map((r) => r.reply));
    return json(results[0].reply, results[0].ok ? 200 : 400);
  }

  /** POST /db/<name>/jobs {name, delay, command?}: a job run by the alarm `delay` ms from now. */
  async enqueue(input) {
    if (input === null || typeof input !== "object" || Array.isArray(input)) {
      throw new HttpError(400, 'body must be a JSON object like {"name":"report","delay":5000,"command":["INCR","runs"]}');
    }
    const { name = "job", delay, command: cmd } = input;
    if (typeof name !== "string" || name.length === 0 || name.length > 200) throw new HttpError(400, "name must be a string of 1 to 200 characters");
    if (!Number.isInteger(delay) || delay < 0 || delay > 365 * 86400_000) throw new HttpError(400, "delay must be an integer number of ms from 0 to 31536000000");
    const argv = cmd === undefined ? null : command(cmd, "command");
    if (argv && !KNOWN.has(argv[0].toLowerCase())) throw new HttpError(400, `command: unknown command '${argv[0]}'`);
    const id = String(this.sys.incr("jobs:seq"));
    const runAt = Date.now() + delay;
    const job = argv ? { id, name, runAt, command: argv } : { id, name, runAt };
    this.sys.multi().hset("jobs:data", id, JSON.stringify(job)).zadd("jobs:delayed", runAt, id).exec();
    await this.afterWrite();
    return json({ id, runAt }, 201);
  }

  /** GET /db/<name>/jobs: delayed jobs (soonest first) and the newest completed ones. */
  jobs() {
    const delayed = this.sys.zrange("jobs:delayed", 0, -1).map((id) => JSON.parse(this.sys.hget("jobs:data", id)));
    const completed = this.sys.lrange("jobs:completed", 0, -1).map((s) => JSON.parse(s));
    return json({ delayed, completed });
  }
}

async function body(request) {
  try {
    return JSON.parse(await request.text());
  } catch {
    throw new HttpError(400, "body must be JSON");
  }
}

const NAME = /^[A-Za-z0-9_.-]{1,64}$/;

export default {
  /** Routes /db/<name>/... to the Durable Object named <name>. */
  async fetch(request, env) {
    const url = new URL(request.url);
    const [, first, name] = url.pathname.split("/");
    if (first !== "db" || name === undefined) {
      return json({ error: `no route for ${url.pathname}; use /db/<name>, /db/<name>/jobs or /db/<name>/info` }, 404);
    }
    if (!NAME.test(name)) return json({ error: "the object name must be 1 to 64 characters of A-Z a-z 0-9 _ . -" }, 400);
    try {
      return await env.DB.get(env.DB.idFromName(name)).fetch(request);
    } catch (e) {
      // the object was reset (e.g. an exception, a code update) or is overloaded
      return json({ error: `Durable Object unavailable: ${e?.message ?? e}` }, e?.overloaded ? 503 : 500);
    }
  },
};
