// cinnabar/sessions: hashes with TTLs visible to HGETALL/TTL, 128-bit ids,
// sliding expiry, listing, malformed ids, persistence across a reopen.
import { test } from "node:test";
import assert from "node:assert/strict";
import { IDBFactory } from "fake-indexeddb";
import { Cinnabar } from "./load.mjs";

const { Sessions, parseTtl } = await import("../../pkg/sessions.js");
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

test("ttl parsing", () => {
  assert.equal(parseTtl("30m"), 1800000);
  assert.equal(parseTtl("1.5h"), 5400000);
  assert.equal(parseTtl("250ms"), 250);
  assert.equal(parseTtl(1000), 1000);
  for (const bad of ["", "10", "5y", -1, 0, 1.5, "1e3s", null]) assert.throws(() => parseTtl(bad), RangeError);
});

test("create, get, set, touch, destroy, list", async () => {
  const db = new Cinnabar();
  const s = new Sessions(db, { ttl: "2s", prefix: "sess:" });
  const id = s.create({ user: "ada", cart: 3, admin: true });
  assert.match(id, /^[0-9a-f]{32}$/);
  assert.deepEqual(s.get(id), { user: "ada", cart: "3", admin: "true" });
  const raw = db.hgetall("sess:" + id);
  assert.equal(raw.user, "ada");
  assert.ok(Number(raw._created) <= Date.now());
  assert.ok(db.pttl(s.key(id)) > 1900);
  assert.equal(db.type(s.key(id)), "hash");
  assert.equal(s.set(id, "cart", 4), true);
  assert.equal(db.hget(s.key(id), "cart"), "4");
  assert.equal(s.set("0".repeat(32), "x", "y"), false);
  assert.equal(db.exists("sess:" + "0".repeat(32)), 0);
  assert.throws(() => s.set(id, "_created", "1"), RangeError);
  await sleep(300);
  assert.ok(s.ttlOf(id) < 1800);
  assert.equal(s.touch(id), true);
  assert.ok(s.ttlOf(id) > 1900);
  const other = s.create();
  assert.deepEqual(s.get(other), {});
  assert.deepEqual(s.list().sort(), [id, other].sort());
  db.set("sess:not-a-session", "x");
  db.hset("sess:zzz", "a", "b");
  assert.equal(s.list().length, 2);
  // malformed ids never address other keys
  for (const bad of ["*", "not-a-session", "../x", id.toUpperCase(), 42, undefined]) {
    assert.equal(s.get(bad), null);
    assert.equal(s.destroy(bad), false);
    assert.equal(s.touch(bad), false);
  }
  assert.equal(s.destroy(id), true);
  assert.equal(s.get(id), null);
  assert.equal(s.destroy(id), false);
  const ids = new Set(Array.from({ length: 500 }, () => s.create({ n: 1 })));
  assert.equal(ids.size, 500);
});

test("sessions expire, and survive a reopen with their TTL still counting", async () => {
  const indexedDB = new IDBFactory();
  let db = await Cinnabar.open("idb://sess", { indexedDB });
  let s = new Sessions(db, { ttl: "150ms" });
  const short = s.create({ user: "short" });
  const s2 = new Sessions(db, { ttl: "30m" });
  const long = s2.create({ user: "long" });
  await db.close();
  await sleep(200);
  const expired = [];
  db = await Cinnabar.open("idb://sess", { indexedDB, onExpired: (k) => expired.push(...k.map((x) => x.key)) });
  s = new Sessions(db, { ttl: "30m" });
  assert.deepEqual(expired, ["sess:" + short]);
  assert.equal(s.get(short), null);
  assert.deepEqual(s.get(long), { user: "long" });
  const left = s.ttlOf(long);
  assert.ok(left < 1800000 - 150 && left > 1800000 - 5000, `${left}`);
  await db.close();
});
