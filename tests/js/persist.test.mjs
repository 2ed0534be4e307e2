// Cinnabar.open("idb://...") in Node with fake-indexeddb: restore on open,
// debounced saves, TTLs across a close, expired-while-closed events, two
// "tabs" on one name keeping both writers' keys, quota and connection errors
// (data kept in memory, retried), a corrupt newest snapshot falling back to the
// previous generation, and memory://.
import { test } from "node:test";
import assert from "node:assert/strict";
import { IDBFactory } from "fake-indexeddb";
import { Cinnabar } from "./load.mjs";

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const until = async (cond, ms = 3000) => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error("timed out");
    await sleep(10);
  }
};

test("memory:// and the default are plain stores", async () => {
  const a = await Cinnabar.open();
  const b = await Cinnabar.open("memory://", { databases: 2 });
  a.set("k", "v");
  assert.equal(a.get("k"), "v");
  assert.equal(b.persistence, undefined);
  await assert.rejects(Cinnabar.open("s3://bucket"), TypeError);
  await assert.rejects(Cinnabar.open("idb://x", { indexedDB: new IDBFactory(), durability: "sometimes" }), RangeError);
});

test("idb:// restores on open; saves are debounced; TTLs keep counting", async () => {
  const indexedDB = new IDBFactory();
  const db = await Cinnabar.open("idb://app", { indexedDB });
  assert.equal(db.dbsize(), 0);
  const saves = [];
  db.persistence.on("save", (d) => saves.push(d));
  db.set("user", "ada");
  db.hset("sess:1", { name: "ada", role: "admin" });
  db.set("ttl", "x", "PX", 60000);
  await until(() => saves.length === 1);
  assert.equal(saves[0].generation, 1);
  db.sadd("later", "a");
  await db.close();
  assert.equal(saves.length, 2, "close() saves what is pending");

  await sleep(30);
  const again = await Cinnabar.open("idb://app", { indexedDB });
  assert.equal(again.get("user"), "ada");
  assert.deepEqual(again.hgetall("sess:1"), { name: "ada", role: "admin" });
  assert.deepEqual(again.smembers("later"), ["a"]);
  const ttl = again.pttl("ttl");
  assert.ok(ttl > 59000 && ttl <= 60000 - 30, `ttl ${ttl}`);
  assert.equal(again.persistence.generation, 2);
  await again.close();
});

test("keys that expired while closed are dropped and reported", async () => {
  const indexedDB = new IDBFactory();
  const db = await Cinnabar.open("idb://exp", { indexedDB });
  db.set("soon", "1", "PX", 40);
  db.set("later", "1", "PX", 60000);
  await db.close();
  await sleep(60);
  const seen = [];
  const again = await Cinnabar.open("idb://exp", { indexedDB, onExpired: (keys) => seen.push(...keys.map((k) => k.key)) });
  const events = [];
  again.persistence.on("expired", (d) => events.push(...d.keys.map((k) => k.key)));
  await sleep(10);
  assert.deepEqual(seen, ["soon"]);
  assert.deepEqual(events, ["soon"]);
  assert.deepEqual(again.keys("*"), ["later"]);
  await again.close();
});

test("two tabs on one name keep both tabs' writes", async () => {
  const indexedDB = new IDBFactory();
  const opts = { indexedDB, durability: "relaxed", saveDelay: 20 };
  const a = await Cinnabar.open("idb://shared", opts);
  const b = await Cinnabar.open("idb://shared", opts);
  a.set("from-a", "1");
  b.set("from-b", "2");
  a.set("both", "a");
  b.hset("h", "f", "b");
  await a.save();
  await b.save(); // merges a's save under b's own keys first
  await until(() => a.get("from-b") === "2"); // a pulls b's save when told over BroadcastChannel
  assert.equal(b.get("from-a"), "1");
  b.set("both", "b"); // last saved writer wins per key
  await b.save();
  await until(() => a.get("both") === "b");
  a.del("from-b");
  await a.save();
  await until(() => b.exists("from-b") === 0);
  await a.close();
  await b.close();
  const c = await Cinnabar.open("idb://shared", opts);
  assert.deepEqual(c.keys("*").sort(), ["both", "from-a", "h"]);
  assert.equal(c.get("both"), "b");
  await c.close();
});

/** A factory whose readwrite transactions throw `failWith` while it is set. */
function flaky() {
  const real = new IDBFactory();
  const state = { failWith: null, opens: 0 };
  const factory = {
    open(name, v) {
      const r = real.open(name, v);
      state.opens++;
      r.addEventListener("success", () => {
        const idb = r.result;
        const tx = idb.transaction.bind(idb);
        idb.transaction = (s, mode, o) => {
          if (mode === "readwrite" && state.failWith) throw new DOMException("simulated", state.failWith);
          return tx(s, mode, o);
        };
      });
      return r;
    },
  };
  return { factory, state, real };
}

test("a quota error keeps the data in memory, is reported and retried", async () => {
  const { factory, state } = flaky();
  const db = await Cinnabar.open("idb://quota", { indexedDB: factory });
  const errors = [];
  const saves = [];
  db.persistence.on("error", (d) => errors.push(d));
  db.persistence.on("save", (d) => saves.push(d));
  state.failWith = "QuotaExceededError";
  db.set("precious", "data");
  await assert.rejects(db.save(), { name: "QuotaExceededError" });
  assert.ok(errors.length >= 1);
  assert.equal(errors[0].kind, "quota");
  assert.equal(errors[0].retryIn, 1000);
  assert.equal(db.get("precious"), "data");
  state.failWith = null;
  await until(() => saves.length === 1, 4000); // the retry after the backoff
  await db.close();
  const again = await Cinnabar.open("idb://quota", { indexedDB: factory });
  assert.equal(again.get("precious"), "data");
  await again.close();
});

test("a lost connection is reported and reopened for the retry", async () => {
  const { factory, state } = flaky();
  const db = await Cinnabar.open("idb://conn", { indexedDB: factory });
  const errors = [];
  db.persistence.on("error", (d) => errors.push(d.kind));
  state.failWith = "InvalidStateError";
  db.set("k", "v");
  await assert.rejects(db.save());
  assert.deepEqual(errors, ["connection"]);
  const opens = state.opens;
  state.failWith = null;
  await db.save();
  assert.equal(state.opens, opens + 1);
  await db.close();
});

test("a corrupt newest snapshot falls back to the previous one; never overwritten by nothing", async () => {
  const indexedDB = new IDBFactory();
  const db = await Cinnabar.open("idb://corrupt", { indexedDB });
  db.set("v", "1");
  await db.save();
  db.set("v", "2");
  await db.save();
  await db.close();
  // damage the newest slot
  const raw = await new Promise((res, rej) => {
    const r = indexedDB.open("cinnabar:corrupt", 1);
    r.onsuccess = () => res(r.result);
    r.onerror = () => rej(r.error);
  });
  const head = await new Promise((res) => {
    const g = raw.transaction("cinnabar").objectStore("cinnabar").get("head");
    g.onsuccess = () => res(g.result);
  });
  const put = (key, value) =>
    new Promise((res) => {
      const tx = raw.transaction("cinnabar", "readwrite");
      tx.objectStore("cinnabar").put(value, key);
      tx.oncomplete = res;
    });
  await put("slot" + head.slot, new Uint8Array([1, 2, 3]));
  const errors = [];
  const again = await Cinnabar.open("idb://corrupt", { indexedDB });
  again.persistence.on("error", (d) => errors.push(d));
  assert.equal(again.get("v"), "1");
  await again.close();
  // both slots bad: open refuses instead of starting empty and saving over them
  await put("slot0", new Uint8Array([9]));
  await put("slot1", new Uint8Array([9]));
  await assert.rejects(Cinnabar.open("idb://corrupt", { indexedDB }), /snapshot/);
  raw.close();
});
