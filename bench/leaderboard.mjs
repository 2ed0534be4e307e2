// Leaderboard benchmark: a sorted set of 1,000,000 members, side by side in one
// run with Debian's redis-server (over loopback, pipelined) and ioredis-mock.
//
//   npm run bench                       (runs bench/run.mjs, then this file)
//   node --expose-gc bench/leaderboard.mjs [--quick] [--n N] [--ops N] [--reps N] [--mock-n N] [--no-mock] [--markdown]
//
// Workloads, per operation, one command per member or call:
//   ZADD        fill an empty key with N members (`player:0000000`, integer scores)
//   ZINCRBY     random member, increment 1..100
//   ZREVRANK    random member
//   ZREVRANGE   key 0 9 WITHSCORES (the top 10)
// cinnabar: its typed methods (`db.zadd(key, score, member)`, ...), one wasm
// call per command, replies decoded to JS values.
// redis-server: started here on a free 127.0.0.1 port (no persistence), driven
// by a minimal RESP client in this file that writes commands in batches of
// 1,000 with up to 4 batches in flight, and parses every reply into JS values
// (bulk strings, integers, arrays) as a client would.
// ioredis-mock: awaited one command at a time. It copies the whole sorted set
// on every command (its data layer clones Maps on get and set), so it runs
// with --mock-n members (default 5,000) and fewer operations; its rates at 1M
// members would be far lower (its cost per command grows with the set), so
// the ratios against it are conservative.
//
// Then bytes per member of the N-member set: cinnabar in a fresh process (wasm
// linear-memory growth and INFO used_memory), redis-server by INFO used_memory
// before and after the fill.
//
// Not part of the test suite: timings depend on the machine and its load.
import { spawn, spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import net from "node:net";
import os from "node:os";
import { readFileSync } from "node:fs";

const here = fileURLToPath(new URL(".", import.meta.url));
const args = process.argv.slice(2);
const flag = (f) => args.includes(f);
const opt = (f, d) => (args.includes(f) ? args[args.indexOf(f) + 1] : d);

const QUICK = flag("--quick");
const N = Number(opt("--n", QUICK ? 100_000 : 1_000_000));
const OPS = Number(opt("--ops", QUICK ? 50_000 : 200_000));
const REPS = Number(opt("--reps", QUICK ? 1 : 3));
const MOCK_N = Number(opt("--mock-n", QUICK ? 2_000 : 5_000));
const MOCK_OPS = Number(opt("--mock-ops", QUICK ? 100 : 300));
const KEY = "leaderboard";

// ------------------------------------------------------------------- data

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
/** A flat one-byte string, as one read from the network would be. */
const member = (i) => Buffer.from("player:" + String(i).padStart(7, "0"), "latin1").toString("latin1");

function data(n, ops) {
  const r = rng(42);
  const members = Array.from({ length: n }, (_, i) => member(i));
  const scores = Float64Array.from({ length: n }, () => Math.floor(r() * 1_000_000));
  const pick = Uint32Array.from({ length: ops }, () => Math.floor(r() * n));
  const incr = Float64Array.from({ length: ops }, () => 1 + Math.floor(r() * 100));
  return { n, ops, members, scores, pick, incr };
}

// ------------------------------------------------------------ RESP client

/** A pipelining RESP2 client: `send(cmds)` resolves with every reply, parsed. */
class Resp {
  constructor(sock) {
    this.sock = sock;
    this.buf = Buffer.alloc(0);
    this.pos = 0;
    this.queue = []; // { left, replies, resolve }
    sock.on("data", (d) => this.onData(d));
  }
  static connect(port) {
    return new Promise((resolve, reject) => {
      const s = net.connect(port, "127.0.0.1");
      s.setNoDelay(true);
      s.once("connect", () => resolve(new Resp(s)));
      s.once("error", reject);
    });
  }
  /** Encodes commands (arrays of strings/numbers) into one buffer. */
  static encode(cmds) {
    let s = "";
    for (const c of cmds) {
      s += `*${c.length}\r\n`;
      for (const a of c) {
        const t = typeof a === "string" ? a : String(a);
        s += `$${Buffer.byteLength(t)}\r\n${t}\r\n`;
      }
    }
    return s;
  }
  /** Sends a batch; resolves with its replies (errors as Error values). */
  send(cmds) {
    return new Promise((resolve) => {
      this.queue.push({ left: cmds.length, replies: [], resolve });
      this.sock.write(Resp.encode(cmds), "latin1");
    });
  }
  onData(d) {
    this.buf = this.pos < this.buf.length ? Buffer.concat([this.buf.subarray(this.pos), d]) : d;
    this.pos = 0;
    for (;;) {
      const start = this.pos;
      const v = this.parse();
      if (v === undefined) {
        this.pos = start;
        return;
      }
      const q = this.queue[0];
      q.replies.push(v);
      if (--q.left === 0) {
        this.queue.shift();
        q.resolve(q.replies);
      }
    }
  }
  line() {
    const e = this.buf.indexOf(13, this.pos);
    if (e < 0 || e + 1 >= this.buf.length) return undefined;
    const s = this.buf.latin1Slice(this.pos + 1, e);
    this.pos = e + 2;
    return s;
  }
  /** One reply at `pos`, or undefined when incomplete. */
  parse() {
    if (this.pos >= this.buf.length) return undefined;
    const t = this.buf[this.pos];
    const l = this.line();
    if (l === undefined) return undefined;
    switch (t) {
      case 43: // +
        return l;
      case 45: // -
        return new Error(l);
      case 58: // :
        return Number(l);
      case 36: {
        // $
        const n = Number(l);
        if (n < 0) return null;
        if (this.pos + n + 2 > this.buf.length) return undefined;
        const s = this.buf.utf8Slice(this.pos, this.pos + n);
        this.pos += n + 2;
        return s;
      }
      case 42: {
        // *
        const n = Number(l);
        if (n < 0) return null;
        const a = new Array(n);
        for (let i = 0; i < n; i++) {
          const v = this.parse();
          if (v === undefined) return undefined;
          a[i] = v;
        }
        return a;
      }
      default:
        throw new Error(`bad RESP type ${t}`);
    }
  }
  close() {
    this.sock.destroy();
  }
}

/** Runs `count` commands made by `make(i)` pipelined: batches of 1,000, up to 4 in flight. */
async function pipelined(client, count, make) {
  const B = 1000;
  const inflight = [];
  for (let s = 0; s < count; s += B) {
    const cmds = [];
    for (let i = s; i < Math.min(count, s + B); i++) cmds.push(make(i));
    inflight.push(client.send(cmds));
    if (inflight.length >= 4) checkReplies(await inflight.shift());
  }
  for (const p of inflight) checkReplies(await p);
}
function checkReplies(rs) {
  for (const r of rs) if (r instanceof Error) throw r;
}

async function startRedis() {
  if (spawnSync("sh", ["-c", "command -v redis-server"]).status !== 0) return null;
  const port = await new Promise((res) => {
    const s = net.createServer().listen(0, "127.0.0.1", () => {
      const p = s.address().port;
      s.close(() => res(p));
    });
  });
  const srv = spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], {
    stdio: "ignore",
  });
  for (let i = 0; i < 100; i++) {
    try {
      const c = await Resp.connect(port);
      return { srv, client: c };
    } catch {
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  srv.kill();
  return null;
}
/** INFO memory's used_memory and used_memory_rss. */
async function usedMemory(c) {
  const t = (await c.send([["INFO", "memory"]]))[0];
  return { used: Number(t.match(/used_memory:(\d+)/)[1]), rss: Number(t.match(/used_memory_rss:(\d+)/)[1]) };
}

// ------------------------------------------------------------- contenders

function contenders(redis, mock) {
  const list = [];
  list.push({
    name: "cinnabar",
    async open() {
      const { Cinnabar } = await import("../pkg/node.js");
      return new Cinnabar();
    },
    close: (db) => db.close(),
    zadd(db, d) {
      for (let i = 0; i < d.n; i++) db.zadd(KEY, d.scores[i], d.members[i]);
      return d.n;
    },
    zincrby(db, d) {
      for (let i = 0; i < d.ops; i++) db.zincrby(KEY, d.incr[i], d.members[d.pick[i]]);
      return d.ops;
    },
    zrevrank(db, d) {
      for (let i = 0; i < d.ops; i++) db.zrevrank(KEY, d.members[d.pick[i]]);
      return d.ops;
    },
    top10(db, d) {
      for (let i = 0; i < d.ops; i++) db.zrevrange(KEY, 0, 9, "WITHSCORES");
      return d.ops;
    },
    check: (db) => [db.zcard(KEY), db.zrevrange(KEY, 0, 2, "WITHSCORES")],
  });
  if (redis) {
    list.push({
      name: "redis-server",
      async open() {
        await redis.client.send([["FLUSHALL"]]);
        return redis.client;
      },
      close: async (c) => void (await c.send([["FLUSHALL"]])),
      zadd: async (c, d) => (await pipelined(c, d.n, (i) => ["ZADD", KEY, d.scores[i], d.members[i]]), d.n),
      zincrby: async (c, d) =>
        (await pipelined(c, d.ops, (i) => ["ZINCRBY", KEY, d.incr[i], d.members[d.pick[i]]]), d.ops),
      zrevrank: async (c, d) => (await pipelined(c, d.ops, (i) => ["ZREVRANK", KEY, d.members[d.pick[i]]]), d.ops),
      top10: async (c, d) => (await pipelined(c, d.ops, () => ["ZREVRANGE", KEY, "0", "9", "WITHSCORES"]), d.ops),
      check: async (c) => (await c.send([["ZCARD", KEY], ["ZREVRANGE", KEY, 0, 2, "WITHSCORES"]])),
    });
  }
  if (mock) {
    list.push({
      name: "ioredis-mock",
      mock: true,
      open: () => new mock(),
      close: (r) => r.disconnect(),
      async zadd(r, d) {
        for (let i = 0; i < d.n; i++) await r.zadd(KEY, d.scores[i], d.members[i]);
        return d.n;
      },
      async zincrby(r, d) {
        for (let i = 0; i < d.ops; i++) await r.zincrby(KEY, d.incr[i], d.members[d.pick[i]]);
        return d.ops;
      },
      async zrevrank(r, d) {
        for (let i = 0; i < d.ops; i++) await r.zrevrank(KEY, d.members[d.pick[i]]);
        return d.ops;
      },
      async top10(r, d) {
        for (let i = 0; i < d.ops; i++) await r.zrevrange(KEY, 0, 9, "WITHSCORES");
        return d.ops;
      },
      check: async (r) => [await r.zcard(KEY), await r.zrevrange(KEY, 0, 2, "WITHSCORES")],
    });
  }
  return list;
}

const WORKLOADS = [
  ["zadd", "ZADD (fill an empty key, 1 member per command)"],
  ["zincrby", "ZINCRBY random member"],
  ["zrevrank", "ZREVRANK random member"],
  ["top10", "ZREVRANGE 0 9 WITHSCORES (top 10)"],
];

// ------------------------------------------------------------------ memory

/** In a fresh process: fills cinnabar with N members; prints bytes/member as JSON. */
async function memoryChild(n) {
  const { Cinnabar } = await import("../pkg/node.js");
  const d = data(n, 0);
  const db = new Cinnabar();
  db.ping();
  const m0 = db.memoryUsage();
  for (let i = 0; i < n; i++) db.zadd(KEY, d.scores[i], d.members[i]);
  const m1 = db.memoryUsage();
  process.stdout.write(
    JSON.stringify({ wasmHeap: (m1.heap - m0.heap) / n, usedMemory: (m1.used - m0.used) / n, encoding: db.object("encoding", KEY) }) + "\n",
  );
}

// -------------------------------------------------------------------- main

const median = (a) => {
  const s = [...a].sort((x, y) => x - y);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const fmt = (x) => (x >= 1e6 ? `${(x / 1e6).toFixed(2)}M/s` : x >= 1e3 ? `${(x / 1e3).toFixed(0)}k/s` : `${x.toFixed(0)}/s`);

function machine() {
  const v = (p) => JSON.parse(readFileSync(new URL(`./node_modules/${p}/package.json`, import.meta.url))).version;
  const cin = JSON.parse(readFileSync(new URL("../pkg/package.json", import.meta.url))).version;
  const redis = spawnSync("redis-server", ["--version"], { encoding: "utf8" }).stdout?.match(/v=(\S+)/)?.[1];
  return (
    `${os.cpus()[0]?.model ?? "unknown CPU"}, ${os.cpus().length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GB; ` +
    `Node ${process.version}; cinnabar ${cin}, ioredis-mock ${v("ioredis-mock")}` +
    (redis ? `, redis-server ${redis}` : "")
  );
}

async function main() {
  if (flag("--memory-child")) return memoryChild(Number(opt("--memory-child")));
  const mock = flag("--no-mock") ? null : (await import("ioredis-mock")).default;
  const redis = await startRedis();
  const list = contenders(redis, mock);
  const full = data(N, OPS);
  const small = mock ? data(MOCK_N, MOCK_OPS) : null;
  process.stderr.write(
    `${machine()}\nleaderboard: ${N.toLocaleString("en")} members, ${OPS.toLocaleString("en")} operations per workload, ` +
      `median of ${REPS} interleaved repetitions` +
      (mock ? `; ioredis-mock at ${MOCK_N.toLocaleString("en")} members, ${MOCK_OPS} operations` : "") +
      "\n",
  );
  const rates = Object.fromEntries(list.map((c) => [c.name, Object.fromEntries(WORKLOADS.map(([w]) => [w, []]))]));
  let redisBytes = null;
  const tops = {};
  for (let r = 0; r < REPS; r++) {
    for (let j = 0; j < list.length; j++) {
      const c = list[(j + r) % list.length];
      if (c.mock && r > 0) continue; // one repetition of the slow mock is enough
      const d = c.mock ? small : full;
      const db = await c.open();
      const u0 = c.name === "redis-server" && r === 0 ? await usedMemory(db) : null;
      for (const [w] of WORKLOADS) {
        globalThis.gc?.();
        const t0 = process.hrtime.bigint();
        const ops = await c[w](db, d);
        const dt = Number(process.hrtime.bigint() - t0) / 1e9;
        rates[c.name][w].push(ops / dt);
        if (w === "zadd" && u0) {
          const u1 = await usedMemory(db);
          redisBytes = { used: (u1.used - u0.used) / d.n, rss: (u1.rss - u0.rss) / d.n };
        }
      }
      tops[c.name] = await c.check(db);
      await c.close(db);
    }
    process.stderr.write(`repetition ${r + 1}/${REPS} done\n`);
  }
  if (redis) {
    redis.client.close();
    redis.srv.kill();
  }
  // Same data, same operations: cinnabar and redis-server must agree.
  if (tops["redis-server"] && JSON.stringify(tops.cinnabar) !== JSON.stringify(tops["redis-server"])) {
    process.stderr.write(`warning: cinnabar and redis-server disagree: ${JSON.stringify(tops)}\n`);
  }

  const mem = spawnSync(process.execPath, ["--expose-gc", fileURLToPath(import.meta.url), "--memory-child", String(N)], {
    encoding: "utf8",
    cwd: here,
  });
  const cm = mem.status === 0 ? JSON.parse(mem.stdout.trim().split("\n").pop()) : null;
  if (!cm) process.stderr.write(`memory child failed:\n${mem.stderr}\n`);

  const names = list.map((c) => c.name);
  const lines = [];
  lines.push(`Machine: ${machine()}.`);
  lines.push(
    `${N.toLocaleString("en")} members (\`player:0000000\`…, integer scores), ${OPS.toLocaleString("en")} operations per workload, ` +
      `median of ${REPS} interleaved repetitions` +
      (mock ? `; ioredis-mock with ${MOCK_N.toLocaleString("en")} members and ${MOCK_OPS} operations, one repetition` : "") +
      ". Ratios are cinnabar's rate over the contender's (higher is better).",
  );
  lines.push("");
  lines.push(`| operation | ${names.join(" | ")} |${names.slice(1).map((n) => ` cinnabar ÷ ${n} |`).join("")}`);
  lines.push(`|---|${names.map(() => "---:").join("|")}|${names.slice(1).map(() => "---:|").join("")}`);
  for (const [w, label] of WORKLOADS) {
    const m = Object.fromEntries(names.map((n) => [n, median(rates[n][w])]));
    lines.push(
      `| ${label} | ${names.map((n) => fmt(m[n])).join(" | ")} |` +
        names
          .slice(1)
          .map((n) => {
            const x = m.cinnabar / m[n];
            return ` ${x.toFixed(x >= 100 ? 0 : x >= 10 ? 1 : 2)}× |`;
          })
          .join(""),
    );
  }
  lines.push("");
  lines.push(`Bytes per member of a ${N.toLocaleString("en")}-member sorted set:`);
  lines.push("");
  lines.push("| store | bytes/member |");
  lines.push("|---|---:|");
  if (cm) {
    lines.push(`| cinnabar, wasm linear-memory growth (fresh process) | ${cm.wasmHeap.toFixed(1)} |`);
    lines.push(`| cinnabar, INFO used_memory | ${cm.usedMemory.toFixed(1)} |`);
  }
  if (redisBytes !== null) {
    lines.push(`| redis-server, INFO used_memory | ${redisBytes.used.toFixed(1)} |`);
    lines.push(`| redis-server, INFO used_memory_rss growth | ${redisBytes.rss.toFixed(1)} |`);
  }
  process.stdout.write(lines.join("\n") + "\n");
}

await main();
