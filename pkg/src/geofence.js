// Geofences over a geo key: `db.geofence(key, fence, callback, { channel })`.
//
// The fence lives in the core (src/geofence.rs): it watches `key` in the
// database this connection has selected when the fence is made, and after
// every command that changes that key, by any route and from any connection
// of the store (GEOADD, ZADD, ZINCRBY, ZREM, ZREMRANGEBY*, ZPOP*, DEL, UNLINK,
// expiry lazy or active, eviction, RENAME/MOVE/COPY onto or away, SET and the
// *STORE commands overwriting it, FLUSHDB, FLUSHALL, SWAPDB, snapshot
// restores; each command of a transaction on its own) it compares the members
// inside with the ones before:
//   enter  — not inside before (absent or outside), inside now
//   inside — inside before and now, at another position
//   exit   — inside before, not now (moved out, removed, key gone or replaced)
// "Inside" is what GEOSEARCH would answer: BYPOLYGON (even-odd rule, straight
// edges in lon/lat) or FROMLONLAT ... BYRADIUS (Redis's haversine). Positions
// are the stored ones (GEOPOS's, decoded from the geohash); an exit of a
// member that left the key carries its last position inside. Events reach the
// callback and, with `channel`, are published from the core as JSON on that
// pub/sub channel (so subscribers and the BroadcastChannel bridge see them).

const UNITS = { m: 1, km: 1000, ft: 0.3048, mi: 1609.34 };
const KINDS = ["enter", "inside", "exit"];
const enc = new TextEncoder();
const dec = new TextDecoder();
const bytes = (a) => (typeof a === "string" ? enc.encode(a) : a instanceof Uint8Array ? a : enc.encode(String(a)));

function fail(msg) {
  throw new TypeError(`cinnabar geofence: ${msg}`);
}

function pair(p, what) {
  if (!Array.isArray(p) || p.length !== 2) fail(`${what} must be a [lon, lat] pair`);
  if (typeof p[0] !== "number" || typeof p[1] !== "number") fail(`${what} is not a pair of numbers`);
  return p;
}

/** A fence as the core takes it: [kind, coordinates]. */
function shapeOf(fence) {
  if (fence === null || typeof fence !== "object") fail("the fence must be { polygon } or { circle }");
  if (fence.polygon !== undefined) {
    const v = fence.polygon;
    if (!Array.isArray(v)) fail("polygon must be an array of [lon, lat] pairs");
    const flat = new Float64Array(v.length * 2);
    v.forEach((p, i) => flat.set(pair(p, `polygon vertex ${i}`), 2 * i));
    return [0, flat];
  }
  if (fence.circle !== undefined) {
    const c = fence.circle;
    if (c === null || typeof c !== "object") fail("circle must be { lon, lat, radius, unit? }");
    pair([c.lon, c.lat], "the circle's centre");
    const conv = UNITS[String(c.unit ?? "m").toLowerCase()];
    if (conv === undefined) fail("unsupported unit provided. please use M, KM, FT, MI");
    if (typeof c.radius !== "number") fail("radius must be a number");
    return [1, Float64Array.of(c.lon, c.lat, c.radius * conv)];
  }
  return fail("the fence must be { polygon } or { circle }");
}

/** Decodes `Store.takeFenceEvents` output (see src/wasm/mod.rs). */
export function decodeFenceEvents(b) {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const n = dv.getUint32(0, true);
  const out = [];
  let p = 4;
  for (let i = 0; i < n; i++) {
    const id = dv.getUint32(p, true);
    const type = KINDS[b[p + 4]];
    const lon = dv.getFloat64(p + 5, true);
    const lat = dv.getFloat64(p + 13, true);
    const len = dv.getUint32(p + 21, true);
    const member = dec.decode(b.subarray(p + 25, p + 25 + len));
    p += 25 + len;
    out.push({ id, type, member, lon, lat });
  }
  return out;
}

/**
 * Watches `key`; see the module comment. Returns a function that stops it.
 * `db` is a Cinnabar connection (its selected database is the fence's).
 */
export function geofence(db, key, fence, callback, options = {}) {
  if (typeof callback !== "function") fail("callback must be a function");
  const [kind, coords] = shapeOf(fence);
  const channel = options?.channel;
  if (channel !== undefined && typeof channel !== "string" && !(channel instanceof Uint8Array)) fail("channel must be a string");
  const keyText = typeof key === "string" ? key : dec.decode(bytes(key));
  return db._addFence(bytes(key), kind, coords, channel === undefined ? undefined : bytes(channel), (ev) =>
    callback({ type: ev.type, key: keyText, member: ev.member, lon: ev.lon, lat: ev.lat }),
  );
}
