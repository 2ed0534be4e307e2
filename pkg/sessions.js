// `import { Sessions } from "cinnabar/sessions"`: server-style sessions on a
// Cinnabar store. Each session is a hash under `prefix + id` with a key TTL,
// so HGETALL, TTL and friends see exactly what this API stores; with
// `Cinnabar.open("idb://...")` sessions survive reloads and their TTLs keep
// counting while the page is closed.
//
// Ids are 128 random bits from crypto.getRandomValues, as 32 lowercase hex
// digits; a malformed id is treated as a missing session (it can never address
// another key). Every session hash carries a `_created` field (Unix ms) so an
// empty session still exists; `get` leaves it out.

const UNITS = { ms: 1, s: 1000, m: 60000, h: 3600000, d: 86400000 };
const ID = /^[0-9a-f]{32}$/;
const CREATED = "_created";

/** "30m", "1h", "45s", "250ms", "7d" or a number of milliseconds → ms. */
export function parseTtl(ttl) {
  if (typeof ttl === "number") {
    if (Number.isInteger(ttl) && ttl > 0) return ttl;
  } else if (typeof ttl === "string") {
    const m = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)$/.exec(ttl.trim());
    if (m) {
      const ms = Math.round(Number(m[1]) * UNITS[m[2]]);
      if (ms > 0 && Number.isSafeInteger(ms)) return ms;
    }
  }
  throw new RangeError(`cinnabar/sessions: bad ttl ${JSON.stringify(ttl)} (use e.g. "30m", "12h", "45s" or milliseconds)`);
}

function newId() {
  const b = new Uint8Array(16);
  globalThis.crypto.getRandomValues(b);
  let s = "";
  for (const x of b) s += x.toString(16).padStart(2, "0");
  return s;
}

function field(value) {
  if (typeof value === "string" || value instanceof Uint8Array) return value;
  if (typeof value === "number" || typeof value === "bigint" || typeof value === "boolean") return String(value);
  throw new TypeError("cinnabar/sessions: session values must be strings, numbers, booleans, bigints or Uint8Arrays");
}

function escapeGlob(s) {
  return s.replace(/[*?[\]\\]/g, "\\$&");
}

export class Sessions {
  #db;
  #prefix;

  /**
   * @param db a Cinnabar store (any connection to it)
   * @param options { ttl = "30m", prefix = "sess:" }
   */
  constructor(db, { ttl = "30m", prefix = "sess:" } = {}) {
    if (db === null || typeof db !== "object" || typeof db.call !== "function") {
      throw new TypeError("cinnabar/sessions: new Sessions(db) needs a Cinnabar instance");
    }
    if (typeof prefix !== "string") throw new TypeError("cinnabar/sessions: prefix must be a string");
    this.#db = db;
    this.#prefix = prefix;
    /** The session lifetime in milliseconds (sliding: `touch` restarts it). */
    this.ttl = parseTtl(ttl);
  }

  /** The key a session lives under (for HGETALL, TTL, ...). */
  key(id) {
    return this.#prefix + id;
  }

  #key(id) {
    return typeof id === "string" && ID.test(id) ? this.#prefix + id : null;
  }

  /** Creates a session holding `data`; returns its new id. */
  create(data = {}) {
    const args = [CREATED, String(Date.now())];
    for (const [f, v] of Object.entries(data ?? {})) {
      if (f === CREATED) continue;
      args.push(f, field(v));
    }
    for (;;) {
      const id = newId();
      const key = this.#prefix + id;
      const [[err, created]] = this.#db
        .multi()
        .call("hsetnx", key, CREATED, args[1])
        .call("hset", key, ...args)
        .call("pexpire", key, this.ttl)
        .exec();
      if (err) throw err;
      if (created === 1) return id; // (a collision of 128 random bits: try another id)
    }
  }

  /** The session's fields (without `_created`), or null when missing or expired. */
  get(id) {
    const key = this.#key(id);
    if (key === null) return null;
    const flat = this.#db.call("hgetall", key);
    if (flat.length === 0) return null;
    const out = {};
    for (let i = 0; i + 1 < flat.length; i += 2) if (flat[i] !== CREATED) out[flat[i]] = flat[i + 1];
    return out;
  }

  /** Sets one field of an existing session; false when the session is missing. */
  set(id, name, value) {
    const key = this.#key(id);
    if (key === null || typeof name !== "string" || name === CREATED) {
      if (key !== null && name === CREATED) throw new RangeError("cinnabar/sessions: _created is reserved");
      return false;
    }
    if (this.#db.call("exists", key) === 0) return false;
    this.#db.call("hset", key, name, field(value));
    return true;
  }

  /** Restarts the session's lifetime (sliding expiry); false when missing. */
  touch(id) {
    const key = this.#key(id);
    return key !== null && this.#db.call("pexpire", key, this.ttl) === 1;
  }

  /** Milliseconds the session has left, or null when missing. */
  ttlOf(id) {
    const key = this.#key(id);
    if (key === null) return null;
    const ms = this.#db.call("pttl", key);
    return ms < 0 ? null : ms;
  }

  /** Deletes the session; false when it was missing. */
  destroy(id) {
    const key = this.#key(id);
    return key !== null && this.#db.call("del", key) === 1;
  }

  /** Ids of the live sessions (SCAN over the prefix; order unspecified). */
  list() {
    const ids = [];
    const match = escapeGlob(this.#prefix) + "*";
    let cursor = "0";
    do {
      const [next, keys] = this.#db.call("scan", cursor, "MATCH", match, "COUNT", 1000, "TYPE", "hash");
      for (const k of keys) {
        const id = k.slice(this.#prefix.length);
        if (ID.test(id)) ids.push(id);
      }
      cursor = next;
    } while (cursor !== "0");
    return ids;
  }
}
