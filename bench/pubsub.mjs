#!/usr/bin/env node
// Pub/sub benchmark: messages delivered per second.
//
//   node bench/pubsub.mjs            (after `npm run build`; ~20 s)
//   node bench/pubsub.mjs --quick    (fewer messages)
//   node bench/pubsub.mjs --json     (machine-readable results)
//
// Workloads, each side by side with its contenders:
//   local, 1 subscriber     cinnabar subscribe+publish | Node EventEmitter | ioredis-mock
//   local, 10 subscribers   the same with 10 listeners/subscribers of one channel
//   across contexts         cinnabar bridge to a worker_thread (1 and 10 subscribers there)
//                           | a bare BroadcastChannel to a worker_thread
// A "delivery" is one listener call with one message. Cross-context times run
// from the first publish until the worker has counted every delivery.
import { EventEmitter } from "node:events";
EventEmitter.defaultMaxListeners = 100; // ioredis-mock with 10 subscribers
import { Worker } from "node:worker_threads";
import { Cinnabar } from "../pkg/node.js";

const QUICK = process.argv.includes("--quick");
const JSON_OUT = process.argv.includes("--json");
const LOCAL_N = QUICK ? 20_000 : 200_000;
const BRIDGE_N = QUICK ? 5_000 : 50_000;
const MSG = "hello world, a pub/sub message of 40 bytes";

let RedisMock = null;
try {
  RedisMock = (await import("ioredis-mock")).default;
} catch {
  // optional: `npm ci` installs it (devDependency)
}

const results = [];
function record(workload, contender, deliveries, ms) {
  const r = { workload, contender, deliveries, ms: +ms.toFixed(1), perSecond: Math.round((deliveries / ms) * 1000) };
  results.push(r);
  if (!JSON_OUT) console.log(`${workload.padEnd(24)} ${contender.padEnd(30)} ${String(r.perSecond).padStart(12)} deliveries/s  (${deliveries} in ${r.ms} ms)`);
}
const now = () => performance.now();

// ------------------------------------------------------------------ local

function cinnabarLocal(subs, n) {
  const db = new Cinnabar();
  let seen = 0;
  for (let i = 0; i < subs; i++) db.subscribe("bench", () => seen++);
  db.publish("bench", MSG); // warm-up
  seen = 0;
  const t = now();
  for (let i = 0; i < n; i++) db.publish("bench", MSG);
  const ms = now() - t;
  if (seen !== n * subs) throw new Error(`cinnabar: ${seen} deliveries`);
  db.close();
  return ms;
}

function emitterLocal(subs, n) {
  const ee = new EventEmitter();
  ee.setMaxListeners(subs + 1);
  let seen = 0;
  for (let i = 0; i < subs; i++) ee.on("bench", () => seen++);
  const t = now();
  for (let i = 0; i < n; i++) ee.emit("bench", MSG, "bench");
  const ms = now() - t;
  if (seen !== n * subs) throw new Error(`EventEmitter: ${seen} deliveries`);
  return ms;
}

async function ioredisMockLocal(subs, n) {
  const pub = new RedisMock({ port: 6390 + subs });
  let seen = 0;
  const subscribers = [];
  for (let i = 0; i < subs; i++) {
    const s = pub.duplicate();
    await s.subscribe("bench");
    s.on("message", () => seen++);
    subscribers.push(s);
  }
  const t = now();
  for (let i = 0; i < n; i++) await pub.publish("bench", MSG);
  while (seen < n * subs) await new Promise((r) => setImmediate(r));
  const ms = now() - t;
  for (const s of subscribers) s.disconnect();
  pub.disconnect();
  return ms;
}

// ----------------------------------------------------------------- bridge

async function acrossContexts(mode, subs, n) {
  const name = `bench-${mode}-${subs}-${process.pid}`;
  const w = new Worker(new URL("./pubsub-worker.mjs", import.meta.url), { workerData: { mode, name, n, subscribers: subs } });
  const msg = (pred) => new Promise((resolve) => w.on("message", (m) => pred(m) && resolve(m)));
  await msg((m) => m.ready);
  const finished = msg((m) => m.done);
  let ms;
  if (mode === "cinnabar") {
    const db = new Cinnabar({ bridge: name });
    const t = now();
    for (let i = 0; i < n; i++) db.publish("bench", MSG);
    await finished;
    ms = now() - t;
    db.close();
  } else {
    const bc = new BroadcastChannel(name);
    const t = now();
    for (let i = 0; i < n; i++) bc.postMessage(MSG);
    await finished;
    ms = now() - t;
    bc.close();
  }
  w.postMessage({ close: true });
  await new Promise((r) => w.once("exit", r));
  return ms;
}

// -------------------------------------------------------------------- run

for (const subs of [1, 10]) {
  const wl = `local, ${subs} subscriber${subs > 1 ? "s" : ""}`;
  const n = subs === 1 ? LOCAL_N : LOCAL_N / 10;
  record(wl, "cinnabar", n * subs, cinnabarLocal(subs, n));
  record(wl, "Node EventEmitter", n * subs, emitterLocal(subs, n));
  if (RedisMock) {
    const m = Math.min(n, QUICK ? 5_000 : 20_000);
    record(wl, "ioredis-mock", m * subs, await ioredisMockLocal(subs, m));
  } else if (!JSON_OUT) console.log(`${wl.padEnd(24)} ioredis-mock: not installed (npm ci)`);
}
for (const subs of [1, 10]) {
  const wl = `across worker_threads, ${subs}`;
  record(wl, "cinnabar bridge", BRIDGE_N * subs, await acrossContexts("cinnabar", subs, BRIDGE_N));
  record(wl, "bare BroadcastChannel", BRIDGE_N * subs, await acrossContexts("bare", subs, BRIDGE_N));
}
if (JSON_OUT) console.log(JSON.stringify({ node: process.version, results }, null, 2));
