// Queue benchmark: cinnabar/queue side by side with BullMQ on a real
// redis-server over loopback, in one run. Measures jobs added per second (one
// `await add()` at a time, and addBulk in batches of 1,000) and jobs processed
// per second by one Worker with a no-op processor at concurrency 1 and 8
// (jobs added beforehand; the clock runs from the worker's start to the last
// "completed" event), in wall-clock time and per CPU second (this process, plus
// redis-server for BullMQ). Both sides use removeOnComplete: true and the same job
// payload; each figure is the median of --reps runs (default 3), after one
// untimed warm-up round of 2,000 jobs on each side (JIT, wasm memory growth).
//
//   npm ci --prefix bench && node bench/queue.mjs [--jobs N] [--bull-jobs N] [--reps N] [--markdown]
//
// Starts Debian's /usr/bin/redis-server (no persistence) on a free 127.0.0.1
// port and stops it at the end. Needs pkg/dist (npm run build).
import { spawn } from "node:child_process";
import net from "node:net";
import os from "node:os";
import { readFileSync } from "node:fs";
import { Cinnabar } from "../pkg/node.js";
import { Queue, Worker } from "../pkg/queue.js";

const args = process.argv.slice(2);
const opt = (f, d) => (args.includes(f) ? Number(args[args.indexOf(f) + 1]) : d);
const JOBS_MAIN = opt("--jobs", 10000);
const BULL_JOBS_MAIN = opt("--bull-jobs", 10000);
const REPS = opt("--reps", 3);
const markdown = args.includes("--markdown");
const DATA = { to: "someone@example.com", subject: "welcome", n: 42 };
const OPTS = { removeOnComplete: true };

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

// CPU seconds of this process plus redis-server's (from /proc; 0 when absent),
// so "jobs per CPU second" compares the work each side needs, whatever else
// runs on the machine (wall-clock figures swing with load on shared cores).
let redisPid = null;
const TICK = 100; // getconf CLK_TCK on Linux
function redisCpu() {
  if (redisPid === null) return 0;
  try {
    const f = readFileSync(`/proc/${redisPid}/stat`, "utf8").split(") ")[1].split(" ");
    return (Number(f[11]) + Number(f[12])) / TICK; // utime, stime
  } catch {
    return 0;
  }
}
function stopwatch(withRedis) {
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const r0 = withRedis ? redisCpu() : 0;
  return (n) => {
    const wall = (performance.now() - t0) / 1000;
    const c = process.cpuUsage(c0);
    const cpu = (c.user + c.system) / 1e6 + (withRedis ? redisCpu() - r0 : 0);
    return { wall: n / wall, cpu: n / cpu };
  };
}

function freePort() {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

async function startRedis() {
  const port = await freePort();
  const srv = spawn("/usr/bin/redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], { stdio: "ignore" });
  for (let i = 0; i < 100; i++) {
    const ok = await new Promise((r) => {
      const c = net.connect(port, "127.0.0.1", () => (c.end(), r(true)));
      c.on("error", () => r(false));
    });
    if (ok) {
      redisPid = srv.pid;
      return { port, stop: () => srv.kill() };
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  srv.kill();
  throw new Error("redis-server did not start");
}

/** Runs a worker over `n` already added jobs; jobs per second. */
async function processRate(makeWorker, n, withRedis) {
  let done = 0;
  let resolve;
  const finished = new Promise((r) => (resolve = r));
  const stop = stopwatch(withRedis);
  const w = makeWorker();
  w.on("completed", () => {
    if (++done === n) resolve();
  });
  await finished;
  const rate = stop(n);
  await w.close();
  return rate;
}

// One contender = { add(n), bulk(n), process(n, concurrency), reset() }; each
// returns jobs per second. Phases run interleaved (cinnabar, then BullMQ, for
// each phase of each repetition), so load drifting on a shared machine hits
// both sides alike.
const batches = (n) => Array.from({ length: Math.ceil(n / 1000) }, (_, b) =>
  Array.from({ length: Math.min(1000, n - b * 1000) }, () => ({ name: "job", data: DATA, opts: OPTS })));

function cinnabarContender() {
  const db = new Cinnabar();
  const q = new Queue(db, "bench");
  return {
    name: "cinnabar",
    async add(n) {
      const stop = stopwatch(false);
      for (let i = 0; i < n; i++) await q.add("job", DATA, OPTS);
      return stop(n);
    },
    async bulk(n) {
      const bs = batches(n);
      const stop = stopwatch(false);
      for (const b of bs) await q.addBulk(b);
      return stop(n);
    },
    async process(n, c) {
      for (const b of batches(n)) await q.addBulk(b);
      return processRate(() => new Worker(q, async () => {}, { concurrency: c }), n, false);
    },
    reset: () => q.obliterate(),
    async close() {
      await q.close();
      db.close();
    },
  };
}

async function bullContender(port) {
  const { Queue: BQueue, Worker: BWorker } = await import("bullmq");
  const connection = { host: "127.0.0.1", port, maxRetriesPerRequest: null };
  const q = new BQueue("bench", { connection });
  await q.obliterate({ force: true });
  return {
    name: "bullmq",
    async add(n) {
      const stop = stopwatch(true);
      for (let i = 0; i < n; i++) await q.add("job", DATA, OPTS);
      return stop(n);
    },
    async bulk(n) {
      const bs = batches(n);
      const stop = stopwatch(true);
      for (const b of bs) await q.addBulk(b);
      return stop(n);
    },
    async process(n, c) {
      for (const b of batches(n)) await q.addBulk(b);
      return processRate(() => new BWorker("bench", async () => {}, { connection, concurrency: c }), n, true);
    },
    reset: () => q.obliterate({ force: true }),
    close: () => q.close(),
  };
}

const PHASES = [
  ["add", (c, n) => c.add(n)],
  ["bulk", (c, n) => c.bulk(n)],
  ["c1", (c, n) => c.process(n, 1)],
  ["c8", (c, n) => c.process(n, 8)],
];

const redis = await startRedis();
const cin = {};
const bull = {};
try {
  const contenders = [[cinnabarContender(), JOBS_MAIN, cin], [await bullContender(redis.port), BULL_JOBS_MAIN, bull]];
  for (let rep = -1; rep < REPS; rep++) {
    for (const [phase, fn] of PHASES) {
      for (const [c, n, out] of contenders) {
        const rate = await fn(c, rep < 0 ? 2000 : n); // rep -1: untimed warm-up
        await c.reset();
        if (rep >= 0) {
          (out[phase] ??= []).push(rate.wall);
          (out[phase + ":cpu"] ??= []).push(rate.cpu);
        }
      }
    }
  }
  for (const [c] of contenders) await c.close();
} finally {
  redis.stop();
}
for (const out of [cin, bull]) for (const k in out) out[k] = median(out[k]);

const bullVersion = JSON.parse(readFileSync(new URL("./node_modules/bullmq/package.json", import.meta.url))).version;
const rows = [
  ["add (one `await add()` at a time)", "add"],
  ["addBulk (1,000 per call)", "bulk"],
  ["processed, concurrency 1", "c1"],
  ["processed, concurrency 8", "c8"],
];
const fmt = (x) => Math.round(x).toLocaleString("en-US");
console.log(
  `queue benchmark: Node ${process.version}, ${os.cpus()[0]?.model ?? "cpu"} ×${os.cpus().length}, load average ${os.loadavg()[0].toFixed(1)}, ` +
    `bullmq ${bullVersion} on redis-server (loopback); ${JOBS_MAIN} cinnabar jobs, ${BULL_JOBS_MAIN} BullMQ jobs, median of ${REPS}`,
);
if (markdown) {
  console.log("\n| jobs per second | cinnabar/queue | BullMQ + redis-server | ratio | per CPU second: cinnabar | BullMQ (node + redis-server) | ratio |");
  console.log("|---|---:|---:|---:|---:|---:|---:|");
  for (const [label, k] of rows) {
    const c = k + ":cpu";
    console.log(`| ${label} | ${fmt(cin[k])} | ${fmt(bull[k])} | ${(cin[k] / bull[k]).toFixed(1)}× | ${fmt(cin[c])} | ${fmt(bull[c])} | ${(cin[c] / bull[c]).toFixed(1)}× |`);
  }
} else {
  for (const [label, k] of rows) {
    const c = k + ":cpu";
    console.log(`${label.padEnd(36)} cinnabar ${fmt(cin[k]).padStart(9)}/s   bullmq ${fmt(bull[k]).padStart(7)}/s   ${(cin[k] / bull[k]).toFixed(1).padStart(5)}×` +
      `   | per CPU s: ${fmt(cin[c]).padStart(9)} vs ${fmt(bull[c]).padStart(7)}  ${(cin[c] / bull[c]).toFixed(1).padStart(5)}×`);
  }
}
process.exit(0);
