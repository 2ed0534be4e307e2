// Streams and the blocking sorted-set pops through the package: XREAD/XREADGROUP
// and BZPOP* as Promises, served by XADD/ZADD from other connections, timeouts
// resolving null, AbortSignal cancellation, the object form of XADD.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Cinnabar, ReplyError } from "./load.mjs";

const tick = () => new Promise((r) => setImmediate(r));

test("stream commands answer synchronously; XREAD is a Promise", async () => {
  const db = new Cinnabar();
  assert.equal(db.xadd("s", "1-0", { a: "1", b: 2 }), "1-0");
  assert.equal(db.xadd("s", "2-0", "a", "3"), "2-0");
  assert.equal(db.xlen("s"), 2);
  assert.deepEqual(db.xrange("s", "-", "+"), [["1-0", ["a", "1", "b", "2"]], ["2-0", ["a", "3"]]]);
  assert.deepEqual(db.xrevrange("s", "+", "-", "COUNT", 1), [["2-0", ["a", "3"]]]);
  assert.match(db.xadd("s", "*", "a", "4"), /^\d+-\d+$/);
  assert.equal(db.call("OBJECT", "ENCODING", "s"), "stream");
  const p = db.xread("COUNT", 1, "STREAMS", "s", "0");
  assert.ok(p instanceof Promise);
  assert.deepEqual(await p, [["s", [["1-0", ["a", "1", "b", "2"]]]]]);
  assert.equal(await db.xread("STREAMS", "s", "$"), null);
  assert.equal(db.xgroup("CREATE", "s", "g", "0"), "OK");
  const r = await db.xreadgroup("GROUP", "g", "c", "COUNT", 1, "STREAMS", "s", ">");
  assert.deepEqual(r, [["s", [["1-0", ["a", "1", "b", "2"]]]]]);
  assert.equal(db.xack("s", "g", "1-0"), 1);
  await assert.rejects(db.xreadgroup("GROUP", "nog", "c", "STREAMS", "s", ">"), (e) => e instanceof ReplyError && e.code === "NOGROUP");
  db.close();
});

test("XREAD BLOCK waits for an XADD from another connection; timeouts resolve null", async () => {
  const db = new Cinnabar();
  const other = db.duplicate();
  db.xadd("s", "1-0", "f", "old");
  const got = [];
  const p1 = db.xread("BLOCK", 0, "STREAMS", "s", "$").then((r) => got.push(["a", r]));
  const p2 = db.xread("BLOCK", 0, "COUNT", 5, "STREAMS", "s", "1-0").then((r) => got.push(["b", r]));
  await tick();
  assert.equal(got.length, 0);
  other.xadd("s", "2-0", "f", "new");
  await Promise.all([p1, p2]);
  assert.deepEqual(got, [
    ["a", [["s", [["2-0", ["f", "new"]]]]]],
    ["b", [["s", [["2-0", ["f", "new"]]]]]],
  ]);
  assert.equal(await db.xread("BLOCK", 20, "STREAMS", "s", "$"), null);
  // Inside a transaction XREAD does not wait.
  assert.deepEqual(db.multi().xread("BLOCK", 0, "STREAMS", "s", "$").exec(), [[null, null]]);
  other.close();
  db.close();
});

test("XREADGROUP BLOCK consumers share a group; AbortSignal cancels", async () => {
  const db = new Cinnabar();
  db.xgroup("CREATE", "jobs", "g", "$", "MKSTREAM");
  const ac = new AbortController();
  const cancelled = db.xreadgroup("GROUP", "g", "w0", "BLOCK", 0, "STREAMS", "jobs", ">", { signal: ac.signal });
  const w1 = db.xreadgroup("GROUP", "g", "w1", "BLOCK", 0, "STREAMS", "jobs", ">");
  const w2 = db.xreadgroup("GROUP", "g", "w2", "BLOCK", 0, "STREAMS", "jobs", ">");
  ac.abort(new Error("stop"));
  await assert.rejects(cancelled, /stop/);
  db.xadd("jobs", "1-0", "n", "1");
  db.xadd("jobs", "2-0", "n", "2");
  assert.deepEqual(await w1, [["jobs", [["1-0", ["n", "1"]]]]]);
  assert.deepEqual(await w2, [["jobs", [["2-0", ["n", "2"]]]]]);
  assert.deepEqual(db.xpending("jobs", "g"), [2, "1-0", "2-0", [["w1", "1"], ["w2", "1"]]]);
  db.close();
});

test("BZPOPMIN / BZPOPMAX / BZMPOP wait for a ZADD", async () => {
  const db = new Cinnabar();
  const other = db.duplicate();
  const a = db.bzpopmin("z", 0);
  const b = db.bzmpop(0, 1, "z", "MAX", "COUNT", 2);
  const c = db.bzpopmax("y", 0.02);
  other.zadd("z", 1, "a", 2, "b", 3, "c", 4, "d");
  assert.deepEqual(await a, ["z", "a", "1"]);
  assert.deepEqual(await b, ["z", [["d", "4"], ["c", "3"]]]);
  assert.equal(await c, null);
  assert.deepEqual(await db.call("BZPOPMIN", "z", 0), ["z", "b", "2"]);
  db.set("s", "x");
  await assert.rejects(db.bzpopmin("s", 0), (e) => e.code === "WRONGTYPE");
  other.close();
  db.close();
});
