// ioredis conveniences of the typed methods: objects and Maps as field/value
// arguments (HSET, HMSET, MSET, MSETNX), HGETALL as an object (also in
// pipelines and transactions, and with Buffer values); `call` stays raw.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Cinnabar } from "./load.mjs";

test("objects and Maps expand into field/value pairs", () => {
  const db = new Cinnabar();
  assert.equal(db.hset("s", { user: "ada", n: 1 }), 2);
  assert.equal(db.hset("s", new Map([["theme", "dark"]])), 1);
  assert.equal(db.hmset("s", { user: "bob" }), "OK");
  assert.equal(db.mset({ a: "1", b: 2 }), "OK");
  assert.deepEqual(db.mget("a", "b"), ["1", "2"]);
  assert.equal(db.msetnx(new Map([["c", "3"]])), 1);
  db.close();
});

test("HGETALL answers an object; call() keeps Redis's flat array", () => {
  const db = new Cinnabar();
  db.hset("s", "user", "ada", "theme", "dark");
  assert.deepEqual(db.hgetall("s"), { user: "ada", theme: "dark" });
  assert.deepEqual(db.hgetall("missing"), {});
  assert.deepEqual(db.call("HGETALL", "s"), ["user", "ada", "theme", "dark"]);
  const buf = db.hgetallBuffer("s");
  assert.deepEqual(Object.keys(buf), ["user", "theme"]);
  assert.ok(buf.user instanceof Uint8Array);
  assert.deepEqual(db.pipeline().hgetall("s").get("nope").exec(), [[null, { user: "ada", theme: "dark" }], [null, null]]);
  assert.deepEqual(db.multi().hgetall("s").exec(), [[null, { user: "ada", theme: "dark" }]]);
  db.set("str", "x");
  const [[err]] = db.pipeline().hgetall("str").exec();
  assert.equal(err.message, "WRONGTYPE Operation against a key holding the wrong kind of value");
  db.close();
});
