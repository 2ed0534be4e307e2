// Streams through the package's persistence: snapshot / fromSnapshot /
// restore and idb:// keep entries, ids, counters, consumer groups, consumers
// and pending entries (XINFO STREAM FULL identical); the RESP dump carries
// them back through load(). Restores honour maxmemory.
import { test } from "node:test";
import assert from "node:assert/strict";
import { IDBFactory } from "fake-indexeddb";
import { Cinnabar } from "./load.mjs";

const { SnapshotError } = await import("../../pkg/node.js");

async function fillStream(db) {
  for (let i = 1; i <= 30; i++) db.xadd("jobs", `${1000 + i}-0`, { kind: "mail", n: String(i) });
  db.xadd("jobs", "2000-5", { other: "field" });
  db.xdel("jobs", "1003-0");
  db.xgroup("CREATE", "jobs", "workers", "0");
  db.xgroup("CREATE", "jobs", "audit", "$");
  db.xgroup("CREATECONSUMER", "jobs", "workers", "idle-one");
  await db.xreadgroup("GROUP", "workers", "w1", "COUNT", 3, "STREAMS", "jobs", ">");
  await db.xreadgroup("GROUP", "workers", "w2", "COUNT", 2, "STREAMS", "jobs", ">");
  db.xack("jobs", "workers", "1002-0");
  db.xclaim("jobs", "workers", "w2", 0, "1001-0", "RETRYCOUNT", 4);
  db.xgroup("CREATE", "empty", "g", "$", "MKSTREAM");
}

const full = (db, k) => JSON.stringify(db.xinfo("STREAM", k, "FULL"));

test("a stream with consumer groups survives snapshot → fromSnapshot / restore", async () => {
  const db = new Cinnabar();
  await fillStream(db);
  const snap = db.snapshot();
  assert.equal(Cinnabar.snapshotInfo(snap).version, 2);
  const copy = Cinnabar.fromSnapshot(snap);
  for (const k of ["jobs", "empty"]) assert.equal(full(copy, k), full(db, k), k);
  assert.deepEqual(copy.xpending("jobs", "workers"), db.xpending("jobs", "workers"));
  const other = new Cinnabar();
  const r = other.restore(snap);
  assert.deepEqual({ keys: r.keys, evicted: r.evicted }, { keys: 2, evicted: 0 });
  assert.equal(full(other, "jobs"), full(db, "jobs"));
  // the groups keep working: the next read continues after the last delivered id
  const next = await other.xreadgroup("GROUP", "workers", "w3", "COUNT", 1, "STREAMS", "jobs", ">");
  assert.deepEqual(next, [["jobs", [["1007-0", ["kind", "mail", "n", "7"]]]]]);
  db.close();
  copy.close();
  other.close();
});

test("the RESP dump carries streams and load() recreates them", async () => {
  const db = new Cinnabar();
  await fillStream(db);
  const resp = new TextDecoder().decode(db.dump({ format: "resp" }));
  for (const c of ["XSETID", "ENTRIESREAD", "CREATECONSUMER", "XCLAIM"]) assert.ok(resp.includes(c), c);
  const back = new Cinnabar();
  const r = back.load(db.dump({ format: "resp" }));
  assert.equal(r.errorCount, 0);
  const strip = (db) => JSON.stringify(db.xinfo("STREAM", "jobs", "FULL")).replace(/"seen-time",\d+/g, "");
  // the node layout differs (tombstones are not carried): compare what is not layout
  const noLayout = (s) => s.replace(/"radix-tree-(keys|nodes)",\d+/g, "");
  assert.equal(noLayout(strip(back)), noLayout(strip(db)));
  db.close();
  back.close();
});

test("idb:// persists streams with their groups across a close", async () => {
  const indexedDB = new IDBFactory();
  const db = await Cinnabar.open("idb://streams", { indexedDB });
  await fillStream(db);
  const before = full(db, "jobs");
  await db.close();
  const again = await Cinnabar.open("idb://streams", { indexedDB });
  assert.equal(full(again, "jobs"), before);
  assert.equal(again.xlen("empty"), 0);
  await again.close();
});

test("restores honour maxmemory: evict by the policy, or refuse under noeviction", () => {
  const src = new Cinnabar();
  for (let i = 0; i < 3000; i++) src.set(`k${i}`, "v".repeat(200));
  const snap = src.snapshot();
  const used = Number(/used_memory:(\d+)/.exec(src.info("memory"))[1]);

  const strict = new Cinnabar({ maxmemory: Math.floor(used / 2), maxmemoryPolicy: "noeviction" });
  strict.set("mine", "1");
  assert.throws(() => strict.restore(snap), (e) => e instanceof SnapshotError && /maxmemory.*noeviction.*not changed/.test(e.message));
  assert.deepEqual(strict.keys("*"), ["mine"]);
  assert.throws(() => Cinnabar.fromSnapshot(snap, { maxmemory: Math.floor(used / 2) }), SnapshotError);

  const lru = new Cinnabar({ maxmemory: Math.floor(used / 2), maxmemoryPolicy: "allkeys-lru" });
  const r = lru.restore(snap);
  assert.ok(r.evicted > 1000 && r.keys + r.evicted === 3000, JSON.stringify({ keys: r.keys, evicted: r.evicted }));
  assert.ok(Number(/used_memory:(\d+)/.exec(lru.info("memory"))[1]) <= Math.floor(used / 2));
  assert.equal(lru.set("more", "x"), "OK");
  for (const d of [src, strict, lru]) d.close();
});

test("idb:// open refuses a saved store over maxmemory (noeviction) instead of loading an older save", async () => {
  const indexedDB = new IDBFactory();
  const db = await Cinnabar.open("idb://big", { indexedDB });
  db.set("small", "1");
  await db.persistence.flush?.();
  await db.close();
  const db2 = await Cinnabar.open("idb://big", { indexedDB });
  for (let i = 0; i < 3000; i++) db2.set(`k${i}`, "v".repeat(200));
  await db2.close();
  await assert.rejects(Cinnabar.open("idb://big", { indexedDB, maxmemory: 200000 }), (e) => e instanceof SnapshotError && / maxmemory /.test(e.message));
  const ok = await Cinnabar.open("idb://big", { indexedDB, maxmemory: 200000, maxmemoryPolicy: "allkeys-lru" });
  assert.ok(ok.dbsize() > 0 && ok.dbsize() < 3001);
  await ok.close();
});
