// The cache features of the package: maxmemory options (mapped to CONFIG SET,
// Redis's errors for bad values), eviction keeping the store bounded,
// memoryUsage(), and getOrSet: single flight, stale-while-revalidate, failing
// loaders, strings / Uint8Array / JSON values.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Cinnabar, ReplyError } from "./load.mjs";

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

test("maxmemory options map to CONFIG SET", () => {
  const db = new Cinnabar({ maxmemory: "64mb", maxmemoryPolicy: "allkeys-lfu", maxmemorySamples: 10 });
  assert.deepEqual(db.config("GET", "maxmemory"), ["maxmemory", String(64 * 1024 * 1024)]);
  assert.deepEqual(db.config("GET", "maxmemory-policy"), ["maxmemory-policy", "allkeys-lfu"]);
  assert.deepEqual(db.config("GET", "maxmemory-samples"), ["maxmemory-samples", "10"]);
  assert.equal(new Cinnabar({ maxmemory: 1000000 }).config("GET", "maxmemory")[1], "1000000");
  db.close();
});

test("bad maxmemory options throw Redis's errors", () => {
  assert.throws(
    () => new Cinnabar({ maxmemory: "64xb" }),
    (e) => e instanceof ReplyError && e.message === "ERR CONFIG SET failed (possibly related to argument 'maxmemory') - argument must be a memory value",
  );
  assert.throws(
    () => new Cinnabar({ maxmemoryPolicy: "lru" }),
    (e) => e instanceof ReplyError && /argument\(s\) must be one of the following/.test(e.message),
  );
  assert.throws(() => new Cinnabar({ maxmemory: {} }), TypeError);
});

test("an evicting store stays inside its limit; OOM under noeviction", () => {
  const limit = 2 * 1024 * 1024;
  const db = new Cinnabar({ maxmemory: limit, maxmemoryPolicy: "allkeys-lru" });
  const value = "x".repeat(100);
  for (let i = 0; i < 100_000; i++) db.set(`key:${i}`, value);
  const m = db.memoryUsage();
  assert.ok(m.used <= limit, `${m.used} > ${limit}`);
  assert.ok(db.dbsize() < 100_000 && db.dbsize() > 5_000);
  assert.match(db.info("stats"), /evicted_keys:[1-9]\d*/);
  assert.equal(m.maxmemory, limit);
  assert.equal(m.policy, "allkeys-lru");
  assert.ok(m.heap >= m.used);
  db.config("SET", "maxmemory-policy", "noeviction");
  let refused = null;
  try {
    for (let i = 0; i < 100_000; i++) db.set(`more:${i}`, value);
  } catch (e) {
    refused = e;
  }
  assert.ok(refused instanceof ReplyError);
  assert.equal(refused.message, "OOM command not allowed when used memory > 'maxmemory'.");
  assert.equal(refused.code, "OOM");
  // A value larger than the limit is refused whole.
  db.config("SET", "maxmemory-policy", "allkeys-lru");
  assert.throws(() => db.set("huge", "y".repeat(limit + 1)), /^ReplyError: OOM/);
  assert.equal(db.exists("huge"), 0);
  db.close();
});

test("getOrSet: a miss loads once, a hit does not call the loader", async () => {
  const db = new Cinnabar();
  let calls = 0;
  const loader = async () => {
    calls++;
    await sleep(5);
    return "ada";
  };
  const results = await Promise.all(Array.from({ length: 50 }, () => db.getOrSet("user:1", loader)));
  assert.deepEqual(new Set(results), new Set(["ada"]));
  assert.equal(calls, 1, "single flight");
  assert.equal(await db.getOrSet("user:1", loader), "ada");
  assert.equal(calls, 1);
  assert.equal(db.get("user:1"), "ada");
  assert.equal(db.ttl("user:1"), -1);
  db.close();
});

test("getOrSet: single flight is per key and per database, shared by duplicates", async () => {
  const db = new Cinnabar();
  const other = db.duplicate();
  const seen = [];
  const loader = async (k) => {
    seen.push(k);
    await sleep(5);
    return `v-${k}`;
  };
  const [a, b, c] = await Promise.all([db.getOrSet("a", loader), other.getOrSet("a", loader), db.getOrSet("b", loader)]);
  assert.deepEqual([a, b, c], ["v-a", "v-a", "v-b"]);
  assert.deepEqual(seen.sort(), ["a", "b"]);
  other.select(1);
  assert.equal(await other.getOrSet("a", async () => "db1"), "db1");
  assert.equal(db.get("a"), "v-a");
  db.close();
  other.close();
});

test("getOrSet: ttl and stale-while-revalidate", async () => {
  const db = new Cinnabar();
  let version = 0;
  let calls = 0;
  const loader = async () => {
    calls++;
    await sleep(10);
    return `v${++version}`;
  };
  const opts = { ttl: 60, staleWhileRevalidate: 200 };
  assert.equal(await db.getOrSet("k", loader, opts), "v1");
  const pttl = db.pttl("k");
  assert.ok(pttl > 200 && pttl <= 260, `${pttl}`);
  // Fresh: no reload.
  assert.equal(await db.getOrSet("k", loader, opts), "v1");
  assert.equal(calls, 1);
  await sleep(80);
  // Stale: served at once, one background refresh for many callers.
  const stale = await Promise.all([1, 2, 3].map(() => db.getOrSet("k", loader, opts)));
  assert.deepEqual(stale, ["v1", "v1", "v1"]);
  await sleep(40);
  assert.equal(calls, 2, "one refresh");
  assert.equal(await db.getOrSet("k", loader, opts), "v2");
  assert.ok(db.pttl("k") > 200);
  db.close();
});

test("getOrSet: a failing loader is not cached and reaches every waiter", async () => {
  const db = new Cinnabar();
  let calls = 0;
  const boom = async () => {
    calls++;
    await sleep(5);
    throw new Error("backend down");
  };
  const results = await Promise.allSettled(Array.from({ length: 5 }, () => db.getOrSet("k", boom)));
  assert.equal(calls, 1);
  for (const r of results) {
    assert.equal(r.status, "rejected");
    assert.equal(r.reason.message, "backend down");
  }
  assert.equal(db.exists("k"), 0);
  // The next call tries again.
  assert.equal(await db.getOrSet("k", async () => "ok"), "ok");
  // A failing background refresh keeps the stale value.
  db.set("s", "old", "PX", 50);
  assert.equal(await db.getOrSet("s", boom, { ttl: 10, staleWhileRevalidate: 100 }), "old");
  await sleep(20);
  assert.equal(db.get("s"), "old");
  db.close();
});

test("getOrSet: Uint8Array and JSON values", async () => {
  const db = new Cinnabar();
  const bytes = new Uint8Array([0, 255, 1, 128]);
  assert.deepEqual(await db.getOrSet("b", async () => bytes, { buffer: true }), bytes);
  assert.deepEqual(await db.getOrSet("b", async () => assert.fail("cached"), { buffer: true }), bytes);
  const user = { id: 7, name: "Ada", tags: ["x"] };
  assert.deepEqual(await db.getOrSet("u", () => user, { json: true, ttl: 1000 }), user);
  assert.deepEqual(await db.getOrSet("u", () => assert.fail("cached"), { json: true }), user);
  assert.equal(db.get("u"), JSON.stringify(user));
  await assert.rejects(db.getOrSet("o", async () => ({ a: 1 })), TypeError);
  await assert.rejects(db.getOrSet("o", async () => "x", { ttl: -1 }), RangeError);
  await assert.rejects(db.getOrSet("o", async () => "x", { staleWhileRevalidate: 5 }), RangeError);
  assert.equal(await db.getOrSet("n", async () => null), null);
  assert.equal(db.exists("n"), 0);
  db.close();
});
