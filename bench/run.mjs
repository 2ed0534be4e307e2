// The benchmark command: cinnabar side by side with a plain Map, lru-cache and
// ioredis-mock, in one run, contenders interleaved, medians of several
// repetitions, results as ratios to lru-cache. Then memory per entry for
// 1,000,000 entries (16-byte keys, 100-byte values), each contender in a fresh
// process (and redis-server, when one is installed).
//
//   npm run bench                      (from the repository root; builds nothing)
//   node bench/run.mjs [--quick] [--reps N] [--only name,name] [--no-memory] [--markdown]
//
// Needs pkg/dist (npm run build) and bench/node_modules (cd bench && npm ci).
// Not part of the test suite: timings depend on the machine and its load.
import { spawnSync, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import os from "node:os";
import net from "node:net";
import { readFileSync } from "node:fs";

const here = fileURLToPath(new URL(".", import.meta.url));
const args = process.argv.slice(2);
const flag = (f) => args.includes(f);
const opt = (f, d) => (args.includes(f) ? args[args.indexOf(f) + 1] : d);

// ------------------------------------------------------------ data helpers

/** A flat (sequential) one-byte V8 string, as a value read from the network would be. */
function flat(prefix, n, width) {
  const s = prefix + String(n).padStart(width - prefix.length, "0");
  return Buffer.from(s, "latin1").toString("latin1");
}
const key16 = (i) => flat("key:", i, 16);
const VALUE_BASE = "v".repeat(90);
const value100 = (i) => Buffer.from(VALUE_BASE + String(i).padStart(10, "0"), "latin1").toString("latin1");

/** Seeded xorshift, so every contender gets the same sequence. */
function rng(seed) {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 4294967296;
  };
}

/** `n` indices in [0, k) following Zipf(s) (inverse CDF on a table). */
function zipf(n, k, s, seed) {
  const cdf = new Float64Array(k);
  let sum = 0;
  for (let i = 0; i < k; i++) cdf[i] = sum += 1 / Math.pow(i + 1, s);
  const r = rng(seed);
  const out = new Uint32Array(n);
  for (let j = 0; j < n; j++) {
    const u = r() * sum;
    let lo = 0;
    let hi = k - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cdf[mid] < u) lo = mid + 1;
      else hi = mid;
    }
    out[j] = lo;
  }
  return out;
}

function shuffled(n, seed) {
  const a = new Uint32Array(n);
  for (let i = 0; i < n; i++) a[i] = i;
  const r = rng(seed);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}

// -------------------------------------------------------------- contenders

async function loadContenders() {
  const { Cinnabar } = await import("../pkg/node.js");
  const { LRUCache } = await import("lru-cache");
  const { default: RedisMock } = await import("ioredis-mock");
  /** Bytes cinnabar needs for `n` of the bench's entries (to bound it like lru-cache's `max`). */
  const cinnabarBytesFor = (n) => {
    const db = new Cinnabar();
    for (let i = 0; i < n; i++) db.set(key16(i), value100(i));
    const used = db.memoryUsage().used;
    db.close();
    return used;
  };
  return {
    cinnabar: {
      make: ({ max } = {}) =>
        max ? new Cinnabar({ maxmemory: cinnabarBytesFor(max), maxmemoryPolicy: "allkeys-lru" }) : new Cinnabar(),
      set: (db, k, v) => db.set(k, v),
      get: (db, k) => db.get(k),
      setTtl: (db, k, v, ms) => db.set(k, v, "PX", ms),
      incr: (db, k) => db.incr(k),
      mset: (db, flatKv) => db.mset(flatKv),
      mget: (db, keys) => db.mget(keys),
      close: (db) => db.close(),
    },
    Map: {
      // A Map with what the workloads need: expiry times checked on read, and
      // for the bounded workload FIFO eviction (Map keeps insertion order).
      make: ({ max } = {}) => ({ m: new Map(), exp: new Map(), max: max ?? Infinity }),
      set: (db, k, v) => {
        db.m.set(k, v);
        if (db.m.size > db.max) db.m.delete(db.m.keys().next().value);
      },
      get: (db, k) => {
        if (db.exp.size !== 0) {
          const t = db.exp.get(k);
          if (t !== undefined && t <= Date.now()) {
            db.m.delete(k);
            db.exp.delete(k);
            return undefined;
          }
        }
        return db.m.get(k);
      },
      setTtl: (db, k, v, ms) => {
        db.m.set(k, v);
        db.exp.set(k, Date.now() + ms);
      },
      incr: (db, k) => db.m.set(k, (db.m.get(k) ?? 0) + 1),
      mset: (db, flatKv) => {
        for (let i = 0; i < flatKv.length; i += 2) db.m.set(flatKv[i], flatKv[i + 1]);
      },
      mget: (db, keys) => keys.map((k) => db.m.get(k)),
      close: () => {},
    },
    "lru-cache": {
      make: ({ max, ttl } = {}) => new LRUCache({ max: max ?? 2_000_000, ...(ttl ? { ttl } : {}) }),
      set: (c, k, v) => c.set(k, v),
      get: (c, k) => c.get(k),
      setTtl: (c, k, v, ms) => c.set(k, v, { ttl: ms }),
      incr: (c, k) => c.set(k, (c.get(k) ?? 0) + 1),
      mset: (c, flatKv) => {
        for (let i = 0; i < flatKv.length; i += 2) c.set(flatKv[i], flatKv[i + 1]);
      },
      mget: (c, keys) => keys.map((k) => c.get(k)),
      close: () => {},
    },
    "ioredis-mock": {
      async: true,
      slow: 10, // runs a tenth of the operations (it is much slower); rates stay comparable
      make: ({ max } = {}) => (max ? null : new RedisMock()), // no eviction: skipped when bounded
      set: (r, k, v) => r.set(k, v),
      get: (r, k) => r.get(k),
      setTtl: (r, k, v, ms) => r.set(k, v, "PX", ms),
      incr: (r, k) => r.incr(k),
      mset: (r, flatKv) => r.mset(...flatKv),
      mget: (r, keys) => r.mget(...keys),
      close: (r) => r.disconnect(),
    },
  };
}

// --------------------------------------------------------------- workloads
// Each: prepare(c, n) → state (untimed), run(c, state) → operations done (timed).

function workloads(N) {
  const keys = Array.from({ length: N }, (_, i) => key16(i));
  const vals = Array.from({ length: N }, (_, i) => value100(i));
  const missKeys = Array.from({ length: N }, (_, i) => flat("miss:", i, 16));
  const order = shuffled(N, 7);
  const z = zipf(N, N, 0.99, 11);
  const mix = rng(5);
  const isSet = Uint8Array.from({ length: N }, () => (mix() < 0.1 ? 1 : 0));
  const counters = Array.from({ length: 10_000 }, (_, i) => flat("ctr:", i, 16));
  const ctrOrder = Uint32Array.from({ length: N }, (_, i) => (i * 7919) % 10_000);
  const B = 100;
  const batches = Math.floor(N / B);
  const flatKv = Array.from({ length: batches }, (_, b) => {
    const a = [];
    for (let i = 0; i < B; i++) a.push(keys[b * B + i], vals[b * B + i]);
    return a;
  });
  const keyBatches = Array.from({ length: batches }, (_, b) => keys.slice(b * B, b * B + B));
  const fill = async (c, db, n) => {
    for (let i = 0; i < n; i++) {
      const r = c.set(db, keys[i], vals[i]);
      if (c.async) await r;
    }
  };
  // sync and async variants of one loop body
  const loop = (body) => async (c, db, n) => {
    if (c.async) for (let i = 0; i < n; i++) await body(c, db, i);
    else for (let i = 0; i < n; i++) body(c, db, i);
    return n;
  };
  return [
    {
      name: "SET into an empty store",
      run: loop((c, db, i) => c.set(db, keys[i], vals[i])),
    },
    {
      name: "GET hits and misses, random order",
      prepare: (c, db, n) => fill(c, db, n),
      run: loop((c, db, i) => c.get(db, (i & 1) === 0 ? keys[order[i]] : missKeys[order[i]])),
    },
    {
      name: "SET with a TTL",
      opts: { ttl: 60_000 },
      run: loop((c, db, i) => c.setTtl(db, keys[i], vals[i], 60_000)),
    },
    {
      name: "GET of TTL'd keys",
      opts: { ttl: 60_000 },
      prepare: async (c, db, n) => {
        for (let i = 0; i < n; i++) {
          const r = c.setTtl(db, keys[i], vals[i], 60_000);
          if (c.async) await r;
        }
      },
      run: loop((c, db, i) => c.get(db, keys[order[i]])),
    },
    {
      name: "90/10 GET/SET, Zipf keys",
      prepare: (c, db, n) => fill(c, db, n),
      run: loop((c, db, i) => (isSet[i] ? c.set(db, keys[z[i]], vals[i]) : c.get(db, keys[z[i]]))),
    },
    {
      name: "SET, bounded at N/10 keys (evicting)",
      opts: { max: Math.floor(N / 10) },
      run: loop((c, db, i) => c.set(db, keys[i], vals[i])),
    },
    {
      name: "INCR on 10k counters",
      run: loop((c, db, i) => c.incr(db, counters[ctrOrder[i]])),
    },
    {
      name: "MSET 100 keys (per key)",
      run: async (c, db, n) => {
        const nb = Math.max(1, Math.floor(n / B));
        if (c.async) for (let b = 0; b < nb; b++) await c.mset(db, flatKv[b]);
        else for (let b = 0; b < nb; b++) c.mset(db, flatKv[b]);
        return nb * B;
      },
    },
    {
      name: "MGET 100 keys (per key)",
      prepare: (c, db, n) => fill(c, db, n),
      run: async (c, db, n) => {
        const nb = Math.max(1, Math.floor(n / B));
        if (c.async) for (let b = 0; b < nb; b++) await c.mget(db, keyBatches[b]);
        else for (let b = 0; b < nb; b++) c.mget(db, keyBatches[b]);
        return nb * B;
      },
    },
  ];
}

const median = (a) => {
  const s = [...a].sort((x, y) => x - y);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const fmtOps = (x) => (x >= 1e6 ? `${(x / 1e6).toFixed(2)}M` : `${(x / 1e3).toFixed(0)}k`);

async function speed(contenders, N, reps, only) {
  const names = Object.keys(contenders).filter((n) => !only || only.includes(n));
  const results = [];
  for (const w of workloads(N)) {
    const rates = Object.fromEntries(names.map((n) => [n, []]));
    for (let r = 0; r < reps; r++) {
      // Interleaved: every contender once per repetition, rotating who goes first.
      for (let j = 0; j < names.length; j++) {
        const name = names[(j + r) % names.length];
        const c = contenders[name];
        const db = c.make(w.opts);
        if (db === null) continue;
        const n = c.slow ? Math.floor(N / c.slow) : N;
        if (w.prepare) await w.prepare(c, db, n);
        globalThis.gc?.();
        const t0 = process.hrtime.bigint();
        const ops = await w.run(c, db, n);
        const dt = Number(process.hrtime.bigint() - t0) / 1e9;
        rates[name].push(ops / dt);
        c.close(db);
      }
    }
    const row = { workload: w.name };
    for (const n of names) row[n] = rates[n].length ? median(rates[n]) : null;
    results.push(row);
    const base = row["lru-cache"];
    process.stderr.write(
      `${w.name.padEnd(40)} ` +
        names.map((n) => `${n} ${row[n] === null ? "—" : `${fmtOps(row[n])}/s (${(row[n] / base).toFixed(2)}×)`}`).join("  ") +
        "\n",
    );
  }
  return { names, results };
}

// ------------------------------------------------------------------ memory

const MEM_N = 1_000_000;

/** Runs in a fresh process: fills one contender with MEM_N entries, prints bytes/entry as JSON. */
async function memoryChild(name) {
  const before = () => {
    globalThis.gc();
    globalThis.gc();
    const m = process.memoryUsage();
    return { js: m.heapUsed + m.external, rss: m.rss };
  };
  let db;
  let wasm0 = 0;
  let extra = {};
  if (name === "cinnabar") {
    const { Cinnabar } = await import("../pkg/node.js");
    db = new Cinnabar();
    db.ping();
    wasm0 = db.memoryUsage().heap;
  } else if (name === "lru-cache") {
    const { LRUCache } = await import("lru-cache");
    db = new LRUCache({ max: 2 * MEM_N });
  } else if (name === "ioredis-mock") {
    const { default: RedisMock } = await import("ioredis-mock");
    db = new RedisMock();
  } else db = new Map();
  const b = before();
  for (let i = 0; i < MEM_N; i++) {
    const k = key16(i);
    const v = value100(i);
    if (name === "ioredis-mock") await db.set(k, v);
    else db.set(k, v);
  }
  const a = before();
  if (name === "cinnabar") {
    const m = db.memoryUsage();
    extra = { wasmHeap: (m.heap - wasm0) / MEM_N, usedMemory: m.used / MEM_N };
  }
  const out = { name, js: (a.js - b.js) / MEM_N, rss: (a.rss - b.rss) / MEM_N, ...extra };
  process.stdout.write(JSON.stringify(out) + "\n");
  void db;
}

function redisMemory() {
  return new Promise((resolve) => {
    const which = spawnSync("sh", ["-c", "command -v redis-server"], { encoding: "utf8" });
    if (which.status !== 0) return resolve(null);
    const port = 20000 + Math.floor(Math.random() * 20000);
    const srv = spawn("redis-server", ["--port", String(port), "--save", "", "--appendonly", "no"], { stdio: "ignore" });
    const info = (sock) =>
      new Promise((res) => {
        let buf = "";
        const onData = (d) => {
          buf += d;
          const m = buf.match(/^\$(\d+)\r\n/);
          if (m && buf.length >= m[0].length + Number(m[1])) {
            sock.off("data", onData);
            res(Number(buf.match(/used_memory:(\d+)/)[1]));
          }
        };
        sock.on("data", onData);
        sock.write("*2\r\n$4\r\nINFO\r\n$6\r\nmemory\r\n");
      });
    const tryConnect = (left) => {
      const sock = net.connect(port, "127.0.0.1");
      sock.setEncoding("latin1");
      sock.on("error", () => (left > 0 ? setTimeout(() => tryConnect(left - 1), 100) : resolve(null)));
      sock.on("connect", async () => {
        const u0 = await info(sock);
        // Pipelined SETs in chunks; the replies are counted, not parsed.
        let replies = 0;
        const counter = (d) => {
          for (let i = 0; i < d.length; i++) if (d.charCodeAt(i) === 10) replies++;
        };
        sock.on("data", counter);
        for (let start = 0; start < MEM_N; start += 10_000) {
          let chunk = "";
          for (let i = start; i < start + 10_000; i++) {
            chunk += `*3\r\n$3\r\nSET\r\n$16\r\n${key16(i)}\r\n$100\r\n${value100(i)}\r\n`;
          }
          sock.write(chunk);
          while (replies < start + 10_000) await new Promise((r) => setTimeout(r, 5));
        }
        sock.off("data", counter);
        const u1 = await info(sock);
        sock.destroy();
        srv.kill();
        resolve((u1 - u0) / MEM_N);
      });
    };
    setTimeout(() => tryConnect(50), 200);
  });
}

function memory(names) {
  const rows = [];
  for (const name of names) {
    const r = spawnSync(process.execPath, ["--expose-gc", fileURLToPath(import.meta.url), "--memory-child", name], {
      encoding: "utf8",
      cwd: here,
      maxBuffer: 1 << 20,
    });
    if (r.status !== 0) {
      process.stderr.write(`memory ${name}: failed\n${r.stderr}\n`);
      continue;
    }
    const row = JSON.parse(r.stdout.trim().split("\n").pop());
    process.stderr.write(`memory per entry ${name.padEnd(14)} ${JSON.stringify(row)}\n`);
    rows.push(row);
  }
  return rows;
}

// -------------------------------------------------------------------- main

function machine() {
  const cpu = os.cpus()[0]?.model ?? "unknown CPU";
  const v = (p) => JSON.parse(readFileSync(new URL(`./node_modules/${p}/package.json`, import.meta.url))).version;
  const cin = JSON.parse(readFileSync(new URL("../pkg/package.json", import.meta.url))).version;
  const redis = spawnSync("redis-server", ["--version"], { encoding: "utf8" }).stdout?.match(/v=(\S+)/)?.[1];
  return (
    `${cpu}, ${os.cpus().length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GB, ${os.type()} ${os.release()}; ` +
    `Node ${process.version}; cinnabar ${cin}, lru-cache ${v("lru-cache")}, ioredis-mock ${v("ioredis-mock")}` +
    (redis ? `, redis-server ${redis}` : "")
  );
}

async function main() {
  if (flag("--memory-child")) return memoryChild(opt("--memory-child"));
  const quick = flag("--quick");
  const N = Number(opt("--n", quick ? 20_000 : 100_000));
  const reps = Number(opt("--reps", quick ? 3 : 7));
  const only = opt("--only", null)?.split(",");
  const contenders = await loadContenders();
  process.stderr.write(`${machine()}\nN=${N} keys per workload, median of ${reps} interleaved repetitions\n`);
  const { names, results } = await speed(contenders, N, reps, only);
  const mem = flag("--no-memory") ? [] : memory(names);
  const redisBytes = flag("--no-memory") ? null : await redisMemory();

  // Markdown table: ops/s and the ratio to lru-cache.
  const lines = [];
  lines.push(`Machine: ${machine()}.`);
  lines.push(`N = ${N.toLocaleString("en")} keys per workload; median of ${reps} interleaved repetitions; × = ratio to lru-cache (higher is better).`);
  lines.push("");
  lines.push(`| workload | ${names.join(" | ")} |`);
  lines.push(`|---|${names.map(() => "---:").join("|")}|`);
  for (const row of results) {
    const base = row["lru-cache"];
    lines.push(
      `| ${row.workload} | ${names
        .map((n) => (row[n] === null ? "—" : `${fmtOps(row[n])}/s (${(row[n] / base).toFixed(2)}×)`))
        .join(" | ")} |`,
    );
  }
  if (mem.length) {
    lines.push("");
    lines.push("Memory per entry, 1,000,000 entries of 16-byte keys and 100-byte values, each in a fresh process:");
    lines.push("");
    lines.push("| contender | bytes/entry (JS heap + external incl. wasm memory) | bytes/entry (RSS) |");
    lines.push("|---|---:|---:|");
    for (const m of mem) {
      const note = m.name === "cinnabar" ? ` (wasm heap growth ${m.wasmHeap.toFixed(0)}, INFO used_memory ${m.usedMemory.toFixed(0)})` : "";
      lines.push(`| ${m.name} | ${m.js.toFixed(0)}${note} | ${m.rss.toFixed(0)} |`);
    }
    if (redisBytes !== null) lines.push(`| redis-server (INFO used_memory) | ${redisBytes.toFixed(0)} | — |`);
  }
  process.stdout.write(lines.join("\n") + "\n");
}

await main();
