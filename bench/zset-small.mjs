// Memory of many small sorted sets in the wasm build: per set, MEMORY USAGE of
// one key (our exact accounting), INFO used_memory growth and wasm linear-memory
// growth (what the allocator really took, key and entry overhead included);
// then CPU time (the machine is shared) of ZADD fills, of commands on random
// sets, and of a snapshot save and restore of the whole store.
// One fresh process per size (the heap only grows).
//
//   node bench/zset-small.mjs [--sets N] [--sizes 1,3,5,16,32]
//
// Not part of the test suite.
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const args = process.argv.slice(2);
const opt = (f, d) => (args.includes(f) ? args[args.indexOf(f) + 1] : d);
const SETS = Number(opt("--sets", 100_000));

if (args.includes("--child")) {
  const k = Number(opt("--k", 3));
  const { Cinnabar } = await import("../pkg/node.js");
  const db = new Cinnabar();
  // warm up the allocator and the database index so growth below is the sets'
  for (let i = 0; i < 1000; i++) db.set(`warm:${i}`, "x");
  const m0 = db.memoryUsage();
  const cpu = () => {
    const u = process.cpuUsage();
    return (u.user + u.system) * 1000; // ns
  };
  const t0 = cpu();
  for (let i = 0; i < SETS; i++) {
    const key = `zs:${i}`;
    for (let j = 0; j < k; j++) db.zadd(key, (i * 7 + j * 13) % 1000, `member:${j}`);
  }
  const t1 = cpu();
  const m1 = db.memoryUsage();
  const usage = db.call("memory", "usage", "zs:1");
  // Commands on random sets (typed methods: one wasm call each), ns per call.
  const OPS = 200_000;
  let x = 12345;
  const rnd = (n) => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) % n;
  };
  const keys = Array.from({ length: OPS }, () => `zs:${rnd(SETS)}`);
  const mems = Array.from({ length: OPS }, () => `member:${rnd(k)}`);
  const time = (f) => {
    const t = cpu();
    for (let i = 0; i < OPS; i++) f(i);
    return (cpu() - t) / OPS;
  };
  const ops = {
    zscore: time((i) => db.zscore(keys[i], mems[i])),
    zrank: time((i) => db.zrank(keys[i], mems[i])),
    zincrby: time((i) => db.zincrby(keys[i], 3, mems[i])),
    zrange: time((i) => db.zrange(keys[i], 0, -1)),
  };
  // snapshot save and restore of the whole store (ms of CPU, best of 3)
  let save = Infinity,
    restore = Infinity;
  for (let r = 0; r < 3; r++) {
    let t = cpu();
    const snap = db.snapshot();
    save = Math.min(save, (cpu() - t) / 1e6);
    t = cpu();
    const back = Cinnabar.fromSnapshot(snap);
    restore = Math.min(restore, (cpu() - t) / 1e6);
    back.close();
  }
  process.stdout.write(
    JSON.stringify({
      k,
      memoryUsage: usage,
      usedPerSet: (m1.used - m0.used) / SETS,
      heapPerSet: (m1.heap - m0.heap) / SETS,
      fillNsPerZadd: (t1 - t0) / SETS / k,
      save,
      restore,
      encoding: db.call("object", "encoding", "zs:1"),
      ops,
    }) + "\n",
  );
} else {
  const sizes = opt("--sizes", "1,3,5,16,32").split(",").map(Number);
  console.log("| members | MEMORY USAGE | used_memory / set | wasm heap / set | ZADD fill ns | ZSCORE ns | ZRANK ns | ZINCRBY ns | ZRANGE 0 -1 ns | save ms | restore ms |");
  console.log("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
  for (const k of sizes) {
    const r = spawnSync(process.execPath, [fileURLToPath(import.meta.url), "--child", "--k", String(k), "--sets", String(SETS)], { encoding: "utf8" });
    if (r.status !== 0) throw new Error(r.stderr);
    const j = JSON.parse(r.stdout);
    console.log(`| ${k} | ${j.memoryUsage} | ${j.usedPerSet.toFixed(0)} | ${j.heapPerSet.toFixed(0)} | ${j.fillNsPerZadd.toFixed(0)} | ${Object.values(j.ops).map((v) => v.toFixed(0)).join(" | ")} | ${j.save.toFixed(0)} | ${j.restore.toFixed(0)} |`);
  }
}
