// Cache helpers of the Cinnabar class: getOrSet (cache-aside with single
// flight and stale-while-revalidate) and memoryUsage.
//
// Freshness lives in the store, not in JS: a value loaded with `ttl` and
// `staleWhileRevalidate` is stored with PX = ttl + staleWhileRevalidate, and a
// hit whose remaining PTTL is at most `staleWhileRevalidate` is stale. So any
// connection (or a reloaded snapshot) agrees on what is fresh, and the value
// stays a plain string key that GET, TTL and eviction see as usual.
//
// Single flight is per store: concurrent callers for the same key and
// database share one loader promise (also across `duplicate()` connections).

/** In-flight loads per shared store: Map<"db\0key", Promise>. */
const flights = new WeakMap();

function flightsOf(shared) {
  let m = flights.get(shared);
  if (m === undefined) flights.set(shared, (m = new Map()));
  return m;
}

function checkOptions(o) {
  if (o === undefined || o === null) return {};
  if (typeof o !== "object") throw new TypeError("cinnabar: getOrSet options must be an object");
  for (const k of ["ttl", "staleWhileRevalidate"]) {
    const v = o[k];
    if (v !== undefined && (!Number.isInteger(v) || v <= 0)) {
      throw new RangeError(`cinnabar: getOrSet option ${k} must be a positive integer (milliseconds)`);
    }
  }
  if (o.staleWhileRevalidate !== undefined && o.ttl === undefined) {
    throw new RangeError("cinnabar: getOrSet option staleWhileRevalidate needs ttl");
  }
  if (o.json && o.buffer) throw new TypeError("cinnabar: getOrSet options json and buffer exclude each other");
  return o;
}

function encode(value, o) {
  if (o.json) {
    const s = JSON.stringify(value);
    if (s === undefined) throw new TypeError("cinnabar: getOrSet loader returned a value JSON cannot encode");
    return s;
  }
  if (typeof value === "string" || value instanceof Uint8Array) return value;
  if (typeof value === "number" || typeof value === "bigint") return String(value);
  throw new TypeError(
    "cinnabar: getOrSet loader must return a string, number or Uint8Array (or pass { json: true })",
  );
}

function decode(raw, o) {
  return o.json ? JSON.parse(raw) : raw;
}

/**
 * Reads `key`; on a miss calls `loader` once however many callers wait, stores
 * its result and returns it. See index.d.ts.
 */
export async function getOrSet(db, shared, key, loader, options) {
  if (typeof loader !== "function") throw new TypeError("cinnabar: getOrSet needs a loader function");
  const o = checkOptions(options);
  const swr = o.staleWhileRevalidate ?? 0;
  const dbIndex = db._dbIndex();
  const id = `${dbIndex}\0${typeof key === "string" ? key : Array.from(key).join(",")}`;
  const inflight = flightsOf(shared);

  // One crossing for both: the value and its remaining time.
  const get = o.buffer ? "getBuffer" : "get";
  const [[e1, raw], [e2, pttl]] = db.pipeline()[get](key).pttl(key).exec();
  if (e1) throw e1;
  if (e2) throw e2;
  if (raw !== null) {
    if (swr > 0 && pttl >= 0 && pttl <= swr && !inflight.has(id)) {
      // Stale: serve it, refresh once in the background. A failing refresh
      // keeps the stale value until it expires.
      const p = load(db, key, loader, o, id, inflight);
      p.catch(() => {});
    }
    return decode(raw, o);
  }
  const pending = inflight.get(id);
  if (pending !== undefined) return pending;
  return load(db, key, loader, o, id, inflight);
}

function load(db, key, loader, o, id, inflight) {
  const p = (async () => {
    try {
      const value = await loader(key);
      if (value === undefined || value === null) return value; // nothing to cache
      const stored = encode(value, o);
      const px = o.ttl === undefined ? null : o.ttl + (o.staleWhileRevalidate ?? 0);
      if (!db._closed()) {
        if (px === null) db.set(key, stored);
        else db.set(key, stored, "PX", px);
      }
      return o.json ? JSON.parse(stored) : value;
    } finally {
      inflight.delete(id);
    }
  })();
  inflight.set(id, p);
  return p;
}

/** `INFO memory` as numbers, plus the wasm heap size. See index.d.ts. */
export function memoryUsage(db, wasmMemory) {
  const text = db.info("memory");
  const f = {};
  for (const line of text.split("\r\n")) {
    const i = line.indexOf(":");
    if (i > 0) f[line.slice(0, i)] = line.slice(i + 1);
  }
  return {
    used: Number(f.used_memory),
    peak: Number(f.used_memory_peak),
    dataset: Number(f.used_memory_dataset),
    maxmemory: Number(f.maxmemory),
    policy: f.maxmemory_policy,
    heap: wasmMemory.buffer.byteLength,
  };
}
