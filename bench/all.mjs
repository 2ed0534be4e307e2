// The benchmark command: every workload, one after another, each in its own process.
//   npm run bench                 (from the repository root; installs bench/'s pinned dev dependencies first)
//   node bench/all.mjs [--quick] [--only cache,leaderboard,geo,snapshot,queue,pubsub]
// --quick is passed to every script that knows it (smaller datasets, fewer repetitions).
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const here = fileURLToPath(new URL(".", import.meta.url));
const args = process.argv.slice(2);
const quick = args.includes("--quick");
const onlyAt = args.indexOf("--only");
const only = onlyAt >= 0 ? new Set(String(args[onlyAt + 1] ?? "").split(",")) : null;

// [name, script, node flags, extra arguments]
const suites = [
  ["cache", "run.mjs", ["--expose-gc"], []],                 // issue 3: vs Map, lru-cache, ioredis-mock
  ["leaderboard", "leaderboard.mjs", ["--expose-gc"], []],  // issue 4: sorted sets vs redis-server, ioredis-mock
  ["geo", "geo.mjs", [], []],                                 // issue 5: vs kdbush/geokdbush, redis-server
  ["snapshot", "snapshot.mjs", ["--expose-gc"], quick ? ["--keys", "200000"] : []], // issue 7
  ["queue", "queue.mjs", [], quick ? ["--jobs", "2000", "--bull-jobs", "2000", "--reps", "1"] : []],                             // issue 8: vs BullMQ on redis-server
  ["pubsub", "pubsub.mjs", [], []],                           // issue 6: vs EventEmitter, ioredis-mock, BroadcastChannel
];

let failed = 0;
for (const [name, script, flags, extra] of suites) {
  if (only && !only.has(name)) continue;
  const argv = [...flags, script, ...(quick && !["snapshot", "queue"].includes(name) ? ["--quick"] : []), ...extra];
  console.log(`\n==== ${name}: node ${argv.join(" ")}\n`);
  const r = spawnSync(process.execPath, argv, { cwd: here, stdio: "inherit" });
  if (r.status !== 0) {
    failed++;
    console.error(`==== ${name} failed (exit ${r.status ?? r.signal})`);
  }
}
process.exit(failed ? 1 : 0);
