// The snapshot workload: 1,000,000 keys of mixed types (strings, integers,
// hashes, sets, sorted sets, lists; a fifth with TTLs), saved and restored
// with cinnabar's snapshot format, side by side with JSON.stringify/parse of an
// equivalent Map, and with redis-server's own RDB size for the same data
// (loaded through `db.dump({ format: "resp" })` and `redis-cli --pipe`).
//
//   node bench/snapshot.mjs [--keys N] [--reps N] [--no-redis] [--markdown]
//
// Needs pkg/dist (npm run build). No bench/node_modules needed. Target:
// smaller than the JSON, and at least 5x faster to save and to restore.
// Save = db.snapshot() (bytes in a JS Uint8Array) vs JSON.stringify of the Map;
// restore = Cinnabar.fromSnapshot(bytes) (a ready store) vs JSON.parse + new Map.
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, statSync, writeFileSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { tmpdir } from "node:os";
import { join } from "node:path";
import net from "node:net";
import { Cinnabar } from "../pkg/node.js";

const args = process.argv.slice(2);

// Child mode (`--fresh-child cinnabar|json FILE`): a new process, as a page
// load is, reads FILE (untimed) and times one restore of it.
if (args[0] === "--fresh-child") {
  const buf = readFileSync(args[2]);
  let t0, n;
  if (args[1] === "cinnabar") {
    const { Cinnabar } = await import("../pkg/node.js");
    const bytes = new Uint8Array(buf);
    t0 = performance.now();
    n = Cinnabar.fromSnapshot(bytes).dbsize();
  } else {
    const text = buf.toString();
    t0 = performance.now();
    n = new Map(JSON.parse(text)).size;
  }
  process.stdout.write(JSON.stringify({ ms: performance.now() - t0, n }) + "\n");
  process.exit(0);
}
const opt = (f, d) => (args.includes(f) ? Number(args[args.indexOf(f) + 1]) : d);
const N = opt("--keys", 1_000_000);
const REPS = opt("--reps", 3);
const MD = args.includes("--markdown");

function rng(seed) {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 4294967296;
  };
}

/** Builds the same data in cinnabar and in a Map ({ t, v, e } per key). */
function build() {
  const db = new Cinnabar();
  const map = new Map();
  const r = rng(42);
  const now = Date.now();
  let p = db.pipeline();
  const flush = () => {
    p.exec();
    p = db.pipeline();
  };
  for (let i = 0; i < N; i++) {
    const x = r();
    const exp = r() < 0.2 ? now + 3600_000 + Math.floor(r() * 86400_000) : 0;
    let key, t, v;
    if (x < 0.5) {
      key = `str:${i}`;
      t = "string";
      v = `value-${i}-${"abcdefghijklmnopqrstuvwxyz".slice(0, 10 + (i % 17))}`;
      p.set(key, v);
    } else if (x < 0.6) {
      key = `count:${i}`;
      t = "string";
      v = String(Math.floor(r() * 1e6));
      p.set(key, v);
    } else if (x < 0.75) {
      key = `user:${i}`;
      t = "hash";
      v = { name: `user${i}`, email: `u${i}@example.com`, visits: String(i % 1000), plan: i % 3 ? "free" : "pro" };
      p.hset(key, v);
    } else if (x < 0.85) {
      key = `tags:${i}`;
      t = "set";
      v = [`t${i % 7}`, `t${i % 11}`, `t${i % 13}`, `tag-${i}`, "common"];
      v = [...new Set(v)];
      p.sadd(key, ...v);
    } else if (x < 0.93) {
      key = `rank:${i}`;
      t = "zset";
      v = [0, 1, 2, 3, 4].map((j) => [`m${j}`, Math.floor(r() * 1000) / 10]);
      p.zadd(key, ...v.flatMap(([m, s]) => [s, m]));
    } else {
      key = `queue:${i}`;
      t = "list";
      v = [0, 1, 2, 3, 4].map((j) => `job-${i}-${j}`);
      p.rpush(key, ...v);
    }
    if (exp) p.pexpireat(key, exp);
    map.set(key, exp ? { t, v, e: exp } : { t, v });
    if (p.length >= 20000) flush();
  }
  flush();
  return { db, map };
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function time(fn) {
  const times = [];
  let out;
  for (let i = 0; i < REPS; i++) {
    globalThis.gc?.();
    const t0 = performance.now();
    out = fn();
    times.push(performance.now() - t0);
    if (i < REPS - 1 && out && typeof out.close === "function") out.close();
  }
  return { ms: median(times), out };
}

async function freePort() {
  return new Promise((ok) => {
    const s = net.createServer().listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => ok(port));
    });
  });
}

/** RDB size of the same data: dump → redis-cli --pipe → SAVE. null when redis is missing. */
async function rdbSize(db) {
  if (spawnSync("redis-server", ["--version"]).status !== 0) return null;
  const dir = mkdtempSync(join(tmpdir(), "cinnabar-rdb-"));
  const port = await freePort();
  const srv = spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir], { stdio: "ignore" });
  try {
    for (let i = 0; i < 100; i++) {
      if (spawnSync("redis-cli", ["-p", String(port), "ping"]).stdout?.toString().trim() === "PONG") break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const dump = db.dump({ format: "resp" });
    const pipe = spawnSync("redis-cli", ["-p", String(port), "--pipe"], { input: dump, maxBuffer: 1 << 26 });
    const report = pipe.stdout.toString();
    if (!/errors: 0/.test(report)) throw new Error("redis-cli --pipe: " + report);
    const dbsize = Number(spawnSync("redis-cli", ["-p", String(port), "dbsize"]).stdout.toString());
    const t0 = performance.now();
    spawnSync("redis-cli", ["-p", String(port), "save"]);
    const saveMs = performance.now() - t0;
    return { bytes: statSync(join(dir, "dump.rdb")).size, dbsize, saveMs, resp: dump.length };
  } finally {
    srv.kill();
    rmSync(dir, { recursive: true, force: true });
  }
}

const fmtMB = (b) => (b / 1e6).toFixed(1) + " MB";
const fmtMs = (m) => m.toFixed(0) + " ms";

const t0 = performance.now();
const { db, map } = build();
console.log(`# built ${db.dbsize().toLocaleString()} keys in ${fmtMs(performance.now() - t0)} (node ${process.version}, ${REPS} reps, medians)`);

const save = time(() => db.snapshot());
const snap = save.out;
const restore = time(() => Cinnabar.fromSnapshot(snap));
const copy = restore.out;
if (copy.dbsize() !== db.dbsize()) throw new Error("restore lost keys");

const jsave = time(() => JSON.stringify(Array.from(map)));
const json = jsave.out;
const jbytes = Buffer.byteLength(json);
const jrestore = time(() => new Map(JSON.parse(json)));
if (jrestore.out.size !== map.size) throw new Error("JSON restore lost keys");

const rdb = args.includes("--no-redis") ? null : await rdbSize(db);

/** Restore in a fresh process (median of REPS), as after a page load: the memory starts small. */
function fresh(kind, data) {
  const dir = mkdtempSync(join(tmpdir(), "cinnabar-fresh-"));
  try {
    const file = join(dir, "data");
    writeFileSync(file, data);
    const times = [];
    for (let i = 0; i < REPS; i++) {
      const r = spawnSync(process.execPath, [fileURLToPath(import.meta.url), "--fresh-child", kind, file], { encoding: "utf8", maxBuffer: 1 << 20 });
      const out = JSON.parse(r.stdout || "{}");
      if (out.n !== map.size) throw new Error(`fresh ${kind} restore: ${r.stderr || r.stdout}`);
      times.push(out.ms);
    }
    return median(times);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
const freshMs = fresh("cinnabar", snap);
const jfreshMs = fresh("json", json);

const rows = [
  ["cinnabar snapshot", snap.length, save.ms, restore.ms],
  ["JSON.stringify / parse + Map", jbytes, jsave.ms, jrestore.ms],
];
if (rdb) rows.push(["redis-server 7.0 RDB (SAVE)", rdb.bytes, rdb.saveMs, null]);

if (MD) {
  console.log("| format | bytes | save | restore |\n|---|---:|---:|---:|");
  for (const [n, b, s, r] of rows) console.log(`| ${n} | ${fmtMB(b)} | ${fmtMs(s)} | ${r === null ? "—" : fmtMs(r)} |`);
} else {
  for (const [n, b, s, r] of rows) {
    console.log(`${n.padEnd(32)} ${fmtMB(b).padStart(10)}  save ${fmtMs(s).padStart(7)}  restore ${r === null ? "      —" : fmtMs(r).padStart(7)}`);
  }
}
const sizeRatio = jbytes / snap.length;
const saveX = jsave.ms / save.ms;
const restoreX = jrestore.ms / restore.ms;
console.log(
  `# vs JSON: ${sizeRatio.toFixed(2)}x smaller, ${saveX.toFixed(1)}x faster to save, ${restoreX.toFixed(1)}x faster to restore` +
    (rdb ? `; vs RDB: ${(snap.length / rdb.bytes).toFixed(2)}x the size (redis DBSIZE ${rdb.dbsize}, RESP dump ${fmtMB(rdb.resp)})` : ""),
);
console.log(
  `# restore in a fresh process (as after a page load): cinnabar ${fmtMs(freshMs)}, JSON.parse + Map ${fmtMs(jfreshMs)}: ${(jfreshMs / freshMs).toFixed(1)}x`,
);
const ok = sizeRatio > 1 && saveX >= 5 && restoreX >= 5;
console.log(`# target (smaller than JSON, >= 5x faster save and restore): ${ok ? "met" : "NOT met"}`);
db.close();
copy.close();
