// Snapshots from JS: round trips of every type, TTLs that keep counting,
// expired keys reported on load, corrupt input refused with the store kept,
// the RESP dump and its loader.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Cinnabar } from "./load.mjs";

const { SnapshotError } = await import("../../pkg/node.js");
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function fill(db) {
  db.set("str", "hello");
  db.set("int", 42);
  db.set("bin", new Uint8Array([0, 255, 13, 10]));
  db.append("raw", "grown");
  db.sadd("ints", 3, 1, 2);
  db.sadd("words", "a", "b", "c");
  db.hset("small", { a: "1", b: "2" });
  db.hset("big", Object.fromEntries(Array.from({ length: 600 }, (_, i) => [`f${i}`, `v${i}`])));
  db.hset("fttl", { keep: "1", go: "2" });
  db.call("hpexpire", "fttl", 600000, "FIELDS", 1, "go");
  db.set("ttl", "x", "PX", 500000);
  db.select(3);
  db.set("in3", "three");
  db.select(0);
}

function describe(db) {
  const out = {};
  for (const d of [0, 3]) {
    db.select(d);
    for (const k of db.keys("*").sort()) {
      const type = db.type(k);
      const value =
        type === "string" ? db.getBuffer(k) : type === "set" ? db.smembers(k).sort() : db.hgetall(k);
      out[`${d}:${k}`] = { type, enc: db.object("ENCODING", k), value, ttl: db.pttl(k) > 0 };
    }
  }
  db.select(0);
  return out;
}

test("snapshot → fromSnapshot / restore keep every key, value, encoding and TTL", () => {
  const db = new Cinnabar();
  fill(db);
  const snap = db.snapshot();
  assert.ok(snap instanceof Uint8Array);
  const info = Cinnabar.snapshotInfo(snap);
  assert.deepEqual({ v: info.version, d: info.databases, k: info.keys }, { v: 2, d: 16, k: 11 });
  const copy = Cinnabar.fromSnapshot(snap);
  assert.deepEqual(describe(copy), describe(db));
  assert.ok(Math.abs(copy.pttl("ttl") - db.pttl("ttl")) <= 50);
  assert.deepEqual(copy.call("hpttl", "fttl", "FIELDS", 2, "keep", "go").map((x) => x > 0), [false, true]);
  const other = new Cinnabar();
  other.set("replaced", "1");
  const r = other.restore(snap.buffer.slice(snap.byteOffset, snap.byteOffset + snap.byteLength));
  assert.equal(r.keys, 11);
  assert.deepEqual(r.expired, []);
  assert.equal(other.exists("replaced"), 0);
  assert.deepEqual(describe(other), describe(db));
});

test("keys that expire while closed are dropped and reported", async () => {
  const db = new Cinnabar();
  db.set("short", "1", "PX", 30);
  db.set("long", "1", "PX", 60000);
  const snap = db.snapshot();
  await sleep(60);
  const seen = [];
  const copy = Cinnabar.fromSnapshot(snap, { onExpired: (keys) => seen.push(...keys) });
  assert.deepEqual(seen.map((k) => [k.db, k.key]), [[0, "short"]]);
  assert.ok(seen[0].keyBuffer instanceof Uint8Array);
  assert.deepEqual(copy.keys("*"), ["long"]);
  assert.deepEqual(new Cinnabar().restore(snap).expired.map((k) => k.key), ["short"]);
});

test("a bad snapshot is refused and leaves the store as it was", () => {
  const db = new Cinnabar();
  fill(db);
  const snap = db.snapshot();
  const target = new Cinnabar();
  target.set("mine", "kept");
  for (const bad of [snap.subarray(0, snap.length - 1), snap.subarray(0, 20), new Uint8Array(0), new TextEncoder().encode("REDIS0011...")]) {
    assert.throws(() => target.restore(bad), SnapshotError);
    assert.equal(target.get("mine"), "kept");
  }
  const flipped = snap.slice();
  flipped[40] ^= 1;
  assert.throws(() => target.restore(flipped), /checksum mismatch/);
  assert.throws(() => Cinnabar.fromSnapshot(flipped), /checksum mismatch/);
  const v2 = snap.slice();
  v2[4] = 9;
  assert.throws(() => target.restore(v2), /unsupported format version 9|checksum/);
  assert.throws(() => target.restore("nope"), TypeError);
  assert.equal(target.get("mine"), "kept");
  const few = new Cinnabar({ databases: 2 });
  assert.throws(() => few.restore(snap), /database 3 but the store has 2 databases/);
});

test("dump({ format: 'resp' }) and load() round trip", () => {
  const db = new Cinnabar();
  fill(db);
  const resp = db.dump({ format: "resp" });
  assert.ok(resp instanceof Uint8Array);
  const text = new TextDecoder().decode(resp);
  assert.match(text, /^\*2\r\n\$6\r\nSELECT\r\n\$1\r\n0\r\n/);
  assert.match(text, /PXAT/);
  assert.match(text, /HPEXPIREAT/);
  assert.doesNotMatch(new TextDecoder().decode(db.dump({ hashFieldTtl: false })), /HPEXPIREAT/);
  const back = new Cinnabar();
  const rep = back.load(resp, { format: "resp" });
  assert.equal(rep.errorCount, 0);
  assert.ok(rep.commands >= 11);
  const a = describe(db);
  const b = describe(back);
  for (const k of Object.keys(a)) delete a[k].enc, delete b[k].enc; // listpack/hashtable may differ after replay
  assert.deepEqual(b, a);
  assert.throws(() => back.load("*1\r\n$4\r\nPIN"), /RESP: /);
  assert.deepEqual(back.load("*2\r\n$4\r\nINCR\r\n$3\r\nstr\r\n").errors, [{ index: 0, message: "ERR value is not an integer or out of range" }]);
  assert.throws(() => db.dump({ format: "rdb" }), RangeError);
});

test("a restore answers a waiting BLPOP and tells keyspace subscribers what expired", async () => {
  const src = new Cinnabar();
  src.rpush("jobs", "a", "b");
  src.set("gone", "1", "PX", 20);
  const snap = src.snapshot();
  await sleep(40);
  const db = new Cinnabar();
  db.config("SET", "notify-keyspace-events", "Ex");
  const events = [];
  const off = db.subscribe("__keyevent@0__:expired", (key) => events.push(key));
  const waiter = db.duplicate();
  const popped = waiter.blpop("jobs", 0);
  db.restore(snap);
  assert.deepEqual(await popped, ["jobs", "a"]);
  assert.deepEqual(db.lrange("jobs", 0, -1), ["b"]);
  assert.deepEqual(events, ["gone"]);
  off();
});
