// Lists and blocking commands through the package: Promises for BLPOP & co.,
// FIFO serving across connections, wake-ups by pushes, transactions and other
// connections, timeouts resolving null, cancellation by AbortSignal, closing.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Cinnabar, ReplyError } from "./load.mjs";

const tick = () => new Promise((r) => setImmediate(r));

test("list commands answer synchronously", () => {
  const db = new Cinnabar();
  assert.equal(db.rpush("l", "a", "b", "c"), 3);
  assert.deepEqual(db.lrange("l", 0, -1), ["a", "b", "c"]);
  assert.equal(db.lpos("l", "c"), 2);
  assert.deepEqual(db.lmpop(1, "l", "RIGHT", "COUNT", 2), ["l", ["c", "b"]]);
  assert.equal(db.call("OBJECT", "ENCODING", "l"), "quicklist");
  assert.deepEqual(db.lpopBuffer("l", 1), [new Uint8Array([97])]);
  db.close();
});

test("a blocking call with data answers at once; errors reject", async () => {
  const db = new Cinnabar();
  db.rpush("q", "x");
  const p = db.blpop("q", 0);
  assert.ok(p instanceof Promise);
  assert.deepEqual(await p, ["q", "x"]);
  await assert.rejects(db.blpop("q", -1), (e) => e instanceof ReplyError && e.message === "ERR timeout is negative");
  db.set("s", "v");
  await assert.rejects(db.brpop("s", 0), (e) => e.code === "WRONGTYPE");
  await assert.rejects(db.blpop("q", {}), (e) => e instanceof ReplyError); // options alone: wrong arity
  db.close();
});

test("waiters are served first come, first served, by another connection", async () => {
  const db = new Cinnabar();
  const other = db.duplicate();
  const order = [];
  const ps = ["a", "b", "c"].map((name) => db.blpop("jobs", 0).then((r) => order.push([name, r[1]])));
  await tick();
  assert.equal(order.length, 0);
  other.rpush("jobs", "1", "2");
  await tick();
  assert.deepEqual(order, [["a", "1"], ["b", "2"]]);
  other.multi().rpush("jobs", "3").rpush("jobs", "4").exec();
  await Promise.all(ps);
  assert.deepEqual(order, [["a", "1"], ["b", "2"], ["c", "3"]]);
  assert.deepEqual(other.lrange("jobs", 0, -1), ["4"]);
  other.close();
  db.close();
});

test("BLMOVE, BRPOPLPUSH, BLMPOP and Buffer variants", async () => {
  const db = new Cinnabar();
  const w = db.duplicate();
  const moved = w.blmove("src", "dst", "LEFT", "RIGHT", 0);
  const popped = w.blmpopBuffer(0, 1, "dst", "LEFT", "COUNT", 5);
  const rpl = w.call("BRPOPLPUSH", "src2", "x", 0);
  db.rpush("src", "job");
  assert.equal(await moved, "job");
  assert.deepEqual(await popped, [new Uint8Array([100, 115, 116]), [new Uint8Array([106, 111, 98])]]);
  db.rpush("src2", "y");
  assert.equal(await rpl, "y");
  assert.deepEqual(db.lrange("x", 0, -1), ["y"]);
  w.close();
  db.close();
});

test("timeouts resolve null, as Redis's nil reply", async () => {
  const db = new Cinnabar();
  const t0 = Date.now();
  assert.equal(await db.brpop("never", 0.05), null);
  assert.ok(Date.now() - t0 >= 45, "waited about 50 ms");
  assert.equal(await db.blmove("never", "d", "LEFT", "LEFT", 0.02), null);
  // a short waiter times out while a longer one stays served by a later push
  const longer = db.blpop("q2", 5);
  assert.equal(await db.blpop("q2", 0.02), null);
  db.duplicate().rpush("q2", "v");
  assert.deepEqual(await longer, ["q2", "v"]);
  db.close();
});

test("AbortSignal cancels a wait; the element goes to the next waiter", async () => {
  const db = new Cinnabar();
  const ac = new AbortController();
  const first = db.blpop("q", 0, { signal: ac.signal });
  const second = db.blpop("q", 0);
  ac.abort();
  await assert.rejects(first, (e) => e.name === "AbortError");
  db.rpush("q", "v");
  assert.deepEqual(await second, ["q", "v"]);
  await assert.rejects(db.blpop("q", 0, { signal: AbortSignal.abort(new Error("nope")) }), /nope/);
  assert.equal(db.exists("q"), 0, "an aborted call never ran");
  // AbortSignal.timeout's timer is unref'd in Node, and a wait without a
  // deadline keeps nothing alive (only this process could push): hold the loop.
  const hold = setTimeout(() => {}, 1000);
  const timed = db.blpop("q", 0, { signal: AbortSignal.timeout(20) });
  await assert.rejects(timed, (e) => e.name === "TimeoutError");
  clearTimeout(hold);
  db.close();
});

test("inside MULTI and pipelines blocking commands answer at once", async () => {
  const db = new Cinnabar();
  assert.deepEqual(db.multi().blpop("q", 0).blmove("q", "d", "LEFT", "LEFT", 0).exec(), [[null, null], [null, null]]);
  assert.deepEqual(db.pipeline().brpop("q", 0).exec(), [[null, null]]);
  db.close();
});

test("closing a connection rejects its waits and frees the element for others", async () => {
  const db = new Cinnabar();
  const w = db.duplicate();
  const gone = w.blpop("q", 0);
  const stays = db.blpop("q", 0);
  w.close();
  await assert.rejects(gone, /Connection is closed/);
  db.rpush("q", "v");
  assert.deepEqual(await stays, ["q", "v"]);
  assert.match(db.info("clients"), /blocked_clients:0/);
  db.close();
});
