// Geofences over a geo key: `db.geofence(key, fence, callback, { channel })`.
//
// A fence is a polygon ([[lon, lat], ...], straight edges in lon/lat, the
// even-odd rule, as GEOSEARCH ... BYPOLYGON) or a circle ({ lon, lat, radius,
// unit }), measured with Redis's haversine. After every command that runs
// GEOADD on the key (from any connection to the same store, in pipelines and
// transactions too), the moved members' stored positions (GEOPOS: the decoded
// geohash, as every geo command sees them) are tested against the fence:
//   enter  — was outside (or absent), now inside
//   inside — was inside, moved, still inside
//   exit   — was inside, now outside
// A member outside that stays outside gives nothing; an unchanged position
// gives nothing. Events go to the callback and, with `channel`, are published
// as JSON on that pub/sub channel (PUBLISH on the writing connection).
// Several GEOADDs of one pipeline or transaction are seen once, after it ran.

const EARTH_RADIUS = 6372797.560856;
const UNITS = { m: 1, km: 1000, ft: 0.3048, mi: 1609.34 };
const LAT_MAX = 85.05112878;

function fail(msg) {
  throw new TypeError(`cinnabar geofence: ${msg}`);
}

function checkPoint(p, what) {
  if (!Array.isArray(p) || p.length !== 2) fail(`${what} must be a [lon, lat] pair`);
  const [lon, lat] = p;
  if (typeof lon !== "number" || typeof lat !== "number" || Number.isNaN(lon) || Number.isNaN(lat)) {
    fail(`${what} is not a pair of numbers`);
  }
  if (lon < -180 || lon > 180 || lat < -LAT_MAX || lat > LAT_MAX) {
    fail(`invalid longitude,latitude pair ${lon.toFixed(6)},${lat.toFixed(6)}`);
  }
}

/** Segments (a,b) and (c,d) cross or touch, excluding the shared ends of neighbours. */
function segmentsIntersect(a, b, c, d) {
  const o = (p, q, r) => Math.sign((q[0] - p[0]) * (r[1] - p[1]) - (q[1] - p[1]) * (r[0] - p[0]));
  const on = (p, q, r) =>
    Math.min(p[0], r[0]) <= q[0] && q[0] <= Math.max(p[0], r[0]) && Math.min(p[1], r[1]) <= q[1] && q[1] <= Math.max(p[1], r[1]);
  const o1 = o(a, b, c), o2 = o(a, b, d), o3 = o(c, d, a), o4 = o(c, d, b);
  if (o1 !== o2 && o3 !== o4) return true;
  return (o1 === 0 && on(a, c, b)) || (o2 === 0 && on(a, d, b)) || (o3 === 0 && on(c, a, d)) || (o4 === 0 && on(c, b, d));
}

function haversine(lon1, lat1, lon2, lat2) {
  const r = Math.PI / 180;
  const v = Math.sin((lon2 * r - lon1 * r) / 2);
  if (v === 0) return EARTH_RADIUS * Math.abs(lat2 * r - lat1 * r);
  const u = Math.sin((lat2 * r - lat1 * r) / 2);
  const a = u * u + Math.cos(lat1 * r) * Math.cos(lat2 * r) * v * v;
  return 2 * EARTH_RADIUS * Math.asin(Math.sqrt(a));
}

/** Validates a fence and returns its point test. */
export function compileFence(fence) {
  if (fence === null || typeof fence !== "object") fail("the fence must be { polygon } or { circle }");
  if (fence.polygon !== undefined) {
    const v = fence.polygon;
    if (!Array.isArray(v)) fail("polygon must be an array of [lon, lat] pairs");
    v.forEach((p, i) => checkPoint(p, `polygon vertex ${i}`));
    // A closing vertex equal to the first is allowed and dropped.
    const ring = v.length > 1 && v[0][0] === v[v.length - 1][0] && v[0][1] === v[v.length - 1][1] ? v.slice(0, -1) : v;
    if (ring.length < 3) fail("a polygon needs at least 3 vertices");
    const n = ring.length;
    for (let i = 0; i < n; i++) {
      for (let j = i + 1; j < n; j++) {
        if (j === i + 1 || (i === 0 && j === n - 1)) continue; // neighbours share a vertex
        if (segmentsIntersect(ring[i], ring[(i + 1) % n], ring[j], ring[(j + 1) % n])) {
          fail(`the polygon intersects itself (edges ${i} and ${j})`);
        }
      }
    }
    return (x, y) => {
      let inside = false;
      for (let i = 0, j = n - 1; i < n; j = i++) {
        const [ax, ay] = ring[i], [bx, by] = ring[j];
        if (ay > y !== by > y && x < ((bx - ax) * (y - ay)) / (by - ay) + ax) inside = !inside;
      }
      return inside;
    };
  }
  if (fence.circle !== undefined) {
    const c = fence.circle;
    if (c === null || typeof c !== "object") fail("circle must be { lon, lat, radius, unit? }");
    checkPoint([c.lon, c.lat], "the circle's centre");
    const conv = UNITS[String(c.unit ?? "m").toLowerCase()];
    if (conv === undefined) fail("unsupported unit provided. please use M, KM, FT, MI");
    if (typeof c.radius !== "number" || !(c.radius >= 0) || !Number.isFinite(c.radius)) fail("radius must be a finite number >= 0");
    const r = c.radius * conv;
    return (x, y) => haversine(c.lon, c.lat, x, y) <= r;
  }
  return fail("the fence must be { polygon } or { circle }");
}

const dec = new TextDecoder();
const text = (a) => (typeof a === "string" ? a : a instanceof Uint8Array ? dec.decode(a) : String(a));
const OPTIONS = new Set(["nx", "xx", "ch"]);

/** Members a GEOADD argument list names (after its NX/XX/CH options). */
function geoaddMembers(args) {
  let i = 1;
  while (i < args.length && OPTIONS.has(text(args[i]).toLowerCase())) i++;
  const out = [];
  for (; i + 2 < args.length; i += 3) out.push(args[i + 2]);
  return out;
}

/**
 * Watches `key`; see the module comment. Returns a function that stops it.
 * `db` is a Cinnabar connection (the initial state is read through it).
 */
export function geofence(db, key, fence, callback, options = {}) {
  if (typeof callback !== "function") fail("callback must be a function");
  const test = compileFence(fence);
  const channel = options?.channel;
  if (channel !== undefined && typeof channel !== "string" && !(channel instanceof Uint8Array)) fail("channel must be a string");
  const keyText = text(key);
  const inside = new Map(); // member (string) -> "lon,lat" as GEOPOS gave it

  const position = (conn, members) => {
    const out = [];
    for (let i = 0; i < members.length; i += 1000) {
      out.push(...conn.call("geopos", key, ...members.slice(i, i + 1000)));
    }
    return out;
  };

  // Initial state: who is inside now (no events for them).
  const all = db.call("zrange", key, 0, -1);
  position(db, all).forEach((p, i) => {
    if (p && test(Number(p[0]), Number(p[1]))) inside.set(all[i], `${p[0]},${p[1]}`);
  });

  const emit = (conn, ev) => {
    callback(ev);
    if (channel !== undefined) {
      try {
        conn.call("publish", channel, JSON.stringify(ev));
      } catch (e) {
        // A build without pub/sub answers "unknown command": the callback still ran.
        if (!(e && typeof e.message === "string" && e.message.startsWith("ERR unknown command"))) throw e;
      }
    }
  };

  const onWrite = (conn, cmds) => {
    const moved = new Set();
    for (const c of cmds) {
      if (c.name.toLowerCase() !== "geoadd" || c.args.length === 0 || text(c.args[0]) !== keyText) continue;
      for (const m of geoaddMembers(c.args)) moved.add(text(m));
    }
    if (moved.size === 0) return;
    const members = [...moved];
    position(conn, members).forEach((p, i) => {
      const member = members[i];
      const was = inside.get(member);
      if (!p) return; // not added (NX/XX, wrong type)
      const where = `${p[0]},${p[1]}`;
      const lon = Number(p[0]), lat = Number(p[1]);
      if (test(lon, lat)) {
        if (was === undefined) {
          inside.set(member, where);
          emit(conn, { type: "enter", key: keyText, member, lon, lat });
        } else if (was !== where) {
          inside.set(member, where);
          emit(conn, { type: "inside", key: keyText, member, lon, lat });
        }
      } else if (was !== undefined) {
        inside.delete(member);
        emit(conn, { type: "exit", key: keyText, member, lon, lat });
      }
    });
  };
  return db._onWrite(onWrite);
}
