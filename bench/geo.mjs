// Geo benchmark: cinnabar (wasm, in-process) vs kdbush+geokdbush (static
// k-d tree; its build time is counted) vs redis-server over loopback.
//
//   npm run build && node bench/geo.mjs [--points 1000000] [--no-redis] [--quick]
//
// For each dataset (a metro area: 1°×1° around Paris; the whole world) it
// loads the points, then times 1 km and 10 km radius searches (all results,
// sorted by distance, as geokdbush returns them), the 10 nearest (sorted),
// and a moving-points round: 10% of the points move (up to ~1 km), then the
// same queries again. geokdbush cannot update, so its round rebuilds the index.
// Query points are drawn from the dataset's own distribution; every contender
// answers the same queries. Redis needs `redis-server` on PATH (Debian's 7.0).
import { performance } from "node:perf_hooks";
import { spawn } from "node:child_process";
import net from "node:net";
import KDBush from "kdbush";
import { around } from "geokdbush";
import { Cinnabar } from "../pkg/node.js";

const argv = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = argv.indexOf(name);
  return i >= 0 ? Number(argv[i + 1]) : dflt;
};
const QUICK = argv.includes("--quick");
const N = opt("--points", QUICK ? 100_000 : 1_000_000);
const USE_REDIS = !argv.includes("--no-redis");
const Q1 = QUICK ? 50 : 200; // 1 km and 10-nearest queries
const Q10 = QUICK ? 10 : 30; // 10 km queries (large replies)

// ---------------------------------------------------------------- data

// mulberry32: consecutive draws are independent enough for (lon, lat) pairs
let seed = 42;
const rnd = () => {
  let t = (seed = (seed + 0x6d2b79f5) | 0);
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
const DATASETS = [
  { name: "metro (1°×1°, Paris)", lon: (r) => 1.85 + r(), lat: (r) => 48.35 + r() },
  // uniform on the sphere's area between the ±85° limits
  { name: "world", lon: (r) => r() * 360 - 180, lat: (r) => (Math.asin(r() * 2 - 1) * 180) / Math.PI * (85 / 90) },
];

function makePoints(ds, n) {
  const lon = new Float64Array(n), lat = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    lon[i] = ds.lon(rnd);
    lat[i] = ds.lat(rnd);
  }
  return { lon, lat };
}

function move(p, idx) {
  for (const i of idx) {
    p.lon[i] = Math.max(-180, Math.min(180, p.lon[i] + (rnd() - 0.5) * 0.02));
    p.lat[i] = Math.max(-85, Math.min(85, p.lat[i] + (rnd() - 0.5) * 0.02));
  }
}

// ---------------------------------------------------------------- timing

function time(fn) {
  const t = performance.now();
  const r = fn();
  return [performance.now() - t, r];
}
async function timeAsync(fn) {
  const t = performance.now();
  const r = await fn();
  return [performance.now() - t, r];
}
const fmt = (ms) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : ms >= 1 ? `${ms.toFixed(1)} ms` : `${(ms * 1000).toFixed(0)} µs`);

// ---------------------------------------------------------------- contenders

class CinnabarGeo {
  name = "cinnabar";
  constructor() {
    this.db = new Cinnabar();
  }
  load(p, idx) {
    const B = 2000;
    for (let s = 0; s < idx.length; s += B) {
      const args = [];
      for (let j = s; j < Math.min(idx.length, s + B); j++) {
        const i = idx[j];
        args.push(p.lon[i], p.lat[i], `p${i}`);
      }
      this.db.geoadd("pts", ...args);
    }
  }
  radius(lon, lat, km) {
    return this.db.geosearch("pts", "FROMLONLAT", lon, lat, "BYRADIUS", km, "km", "ASC").length;
  }
  nearest(lon, lat, k, maxKm) {
    return this.db.geosearch("pts", "FROMLONLAT", lon, lat, "BYRADIUS", maxKm, "km", "COUNT", k, "ASC").length;
  }
}

class KdbushGeo {
  name = "kdbush+geokdbush";
  build(p) {
    const n = p.lon.length;
    const ix = new KDBush(n);
    for (let i = 0; i < n; i++) ix.add(p.lon[i], p.lat[i]);
    ix.finish();
    this.ix = ix;
  }
  radius(lon, lat, km) {
    return around(this.ix, lon, lat, Infinity, km).length;
  }
  nearest(lon, lat, k, maxKm) {
    return around(this.ix, lon, lat, k, maxKm).length;
  }
}

/** A minimal pipelined RESP client (enough to send commands and skip replies). */
class Resp {
  constructor(port) {
    this.port = port;
    this.buf = Buffer.alloc(0);
    this.waiting = [];
  }
  async connect() {
    this.sock = net.createConnection({ port: this.port, host: "127.0.0.1" });
    this.sock.setNoDelay(true);
    await new Promise((ok, bad) => this.sock.once("connect", ok).once("error", bad));
    this.sock.on("data", (d) => {
      this.buf = this.buf.length ? Buffer.concat([this.buf, d]) : d;
      for (;;) {
        const w = this.waiting[0];
        if (!w) break;
        const r = parse(this.buf, 0);
        if (r === null) break;
        this.buf = this.buf.subarray(r.end);
        this.waiting.shift();
        w(r.value);
      }
    });
  }
  send(args) {
    let s = `*${args.length}\r\n`;
    for (const a of args) {
      const b = String(a);
      s += `$${Buffer.byteLength(b)}\r\n${b}\r\n`;
    }
    this.sock.write(s);
    return new Promise((ok) => this.waiting.push(ok));
  }
  close() {
    this.sock.destroy();
  }
}

/** Parses one RESP value at `i`: { value, end } or null when incomplete (arrays give their length). */
function parse(b, i) {
  const nl = b.indexOf("\r\n", i);
  if (nl < 0) return null;
  const t = String.fromCharCode(b[i]);
  const line = b.toString("latin1", i + 1, nl);
  let p = nl + 2;
  if (t === "+" || t === "-" || t === ":") return { value: line, end: p };
  const n = Number(line);
  if (t === "$") {
    if (n < 0) return { value: null, end: p };
    if (b.length < p + n + 2) return null;
    return { value: n, end: p + n + 2 };
  }
  if (t === "*") {
    if (n < 0) return { value: null, end: p };
    for (let k = 0; k < n; k++) {
      const r = parse(b, p);
      if (r === null) return null;
      p = r.end;
    }
    return { value: n, end: p };
  }
  throw new Error(`bad RESP type ${t}`);
}

class RedisGeo {
  name = "redis-server (loopback)";
  async start() {
    const port = 20000 + Math.floor(Math.random() * 20000);
    this.proc = spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], { stdio: "ignore" });
    for (let i = 0; i < 50; i++) {
      try {
        this.c = new Resp(port);
        await this.c.connect();
        return;
      } catch {
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    throw new Error("redis-server did not start");
  }
  async load(p, idx) {
    const B = 2000;
    const pending = [];
    for (let s = 0; s < idx.length; s += B) {
      const args = ["GEOADD", "pts"];
      for (let j = s; j < Math.min(idx.length, s + B); j++) {
        const i = idx[j];
        args.push(p.lon[i], p.lat[i], `p${i}`);
      }
      pending.push(this.c.send(args));
    }
    await Promise.all(pending);
  }
  radius(lon, lat, km) {
    return this.c.send(["GEOSEARCH", "pts", "FROMLONLAT", lon, lat, "BYRADIUS", km, "km", "ASC"]);
  }
  nearest(lon, lat, k, maxKm) {
    return this.c.send(["GEOSEARCH", "pts", "FROMLONLAT", lon, lat, "BYRADIUS", maxKm, "km", "COUNT", k, "ASC"]);
  }
  async flush() {
    await this.c.send(["FLUSHALL"]);
  }
  stop() {
    this.c?.close();
    this.proc?.kill();
  }
}

// ---------------------------------------------------------------- run

const rows = [];
function row(dataset, contender, what, ms, count, hits) {
  rows.push({ dataset, contender, what, total: fmt(ms), per: count ? fmt(ms / count) : "", hits: hits ?? "" });
}

async function queries(ds, c, qs, label) {
  const maxKm = ds.name === "world" ? 20000 : 200;
  for (const [what, list, fn] of [
    ["radius 1 km", qs.slice(0, Q1), (q) => c.radius(q[0], q[1], 1)],
    ["radius 10 km", qs.slice(0, Q10), (q) => c.radius(q[0], q[1], 10)],
    // Redis scans every point within maxKm for these: fewer queries for it
    ["10 nearest", qs.slice(0, c instanceof RedisGeo ? Q10 : Q1), (q) => c.nearest(q[0], q[1], 10, maxKm)],
  ]) {
    let hits = 0;
    const [ms] = await timeAsync(async () => {
      for (const q of list) hits += await fn(q);
    });
    row(ds.name, c.name, `${label}${what}`, ms, list.length, (hits / list.length).toFixed(1));
  }
}

const redis = USE_REDIS ? new RedisGeo() : null;
if (redis) await redis.start();
try {
  for (const ds of DATASETS) {
    seed = 7;
    const p = makePoints(ds, N);
    const all = Array.from({ length: N }, (_, i) => i);
    const qs = Array.from({ length: Q1 }, () => [ds.lon(rnd), ds.lat(rnd)]);
    const movers = Array.from({ length: Math.floor(N / 10) }, () => Math.floor(rnd() * N));
    const moved = { lon: Float64Array.from(p.lon), lat: Float64Array.from(p.lat) };
    move(moved, movers);

    // cinnabar
    const cz = new CinnabarGeo();
    let [ms] = time(() => cz.load(p, all));
    row(ds.name, cz.name, `load ${N} (GEOADD)`, ms);
    [ms] = time(() => cz.radius(0, 0, 1));
    row(ds.name, cz.name, "first search", ms);
    await queries(ds, cz, qs, "");
    [ms] = time(() => cz.load(moved, movers));
    row(ds.name, cz.name, `move ${movers.length} (GEOADD; the sorted set is the index)`, ms);
    await queries(ds, cz, qs, "after moves: ");
    cz.db.close();

    // kdbush + geokdbush
    const kd = new KdbushGeo();
    [ms] = time(() => kd.build(p));
    row(ds.name, kd.name, `build ${N}`, ms);
    await queries(ds, kd, qs, "");
    [ms] = time(() => kd.build(moved));
    row(ds.name, kd.name, `move ${movers.length} (rebuild: no updates)`, ms);
    await queries(ds, kd, qs, "after moves: ");

    // redis-server over loopback
    if (redis) {
      await redis.flush();
      [ms] = await timeAsync(() => redis.load(p, all));
      row(ds.name, redis.name, `load ${N} (pipelined GEOADD)`, ms);
      await queries(ds, redis, qs, "");
      [ms] = await timeAsync(() => redis.load(moved, movers));
      row(ds.name, redis.name, `move ${movers.length} (pipelined GEOADD)`, ms);
      await queries(ds, redis, qs, "after moves: ");
    }
  }
} finally {
  redis?.stop();
}

console.log(`geo benchmark: ${N} points, ${Q1} queries (1 km, 10 nearest), ${Q10} queries (10 km); node ${process.version}`);
console.table(rows);
