// The BroadcastChannel bridge across Node worker_threads: a PUBLISH in one
// member reaches matching subscribers in every other member exactly once, in
// publish order per sender, never echoed back; Uint8Array payloads arrive as
// the same bytes; keyspace events travel only when opted in; a closed member
// leaves cleanly.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Worker } from "node:worker_threads";
import { Cinnabar } from "./load.mjs";

const WORKER = new URL("./fixtures/bridge-worker.mjs", import.meta.url);

function member(bridge) {
  const w = new Worker(WORKER, { workerData: { bridge } });
  const got = [];
  const waiters = [];
  w.on("message", (m) => {
    got.push(m);
    for (const f of [...waiters]) f();
  });
  const until = (pred, ms = 5000) =>
    new Promise((resolve, reject) => {
      const check = () => {
        if (pred(got)) {
          waiters.splice(waiters.indexOf(check), 1);
          clearTimeout(t);
          resolve(got);
        }
      };
      const t = setTimeout(() => {
        waiters.splice(waiters.indexOf(check), 1);
        reject(new Error(`timed out; got ${JSON.stringify(got.slice(-5))}`));
      }, ms);
      waiters.push(check);
      check();
    });
  return { w, got, until, of: (kind) => got.filter((m) => m.kind === kind) };
}

const settle = (ms = 100) => new Promise((r) => setTimeout(r, ms));

test("publish reaches every other member once, in order, never echoed", async () => {
  const name = `t-${process.pid}-1`;
  const a = member(name);
  const b = member(name);
  await a.until((g) => g.some((m) => m.kind === "ready"));
  await b.until((g) => g.some((m) => m.kind === "ready"));
  const db = new Cinnabar({ bridge: name });
  const local = [];
  db.psubscribe("chat:*", (message) => local.push(message));
  const N = 300;
  for (let i = 0; i < N; i++) assert.equal(db.publish(`chat:${i % 3}`, `m${i}`), 1); // local receivers only
  assert.equal(local.length, N); // delivered locally once, not echoed back by the bridge
  for (const m of [a, b]) {
    await m.until(() => m.of("p").length >= N);
    assert.deepEqual(
      m.of("p").map((x) => x.message),
      Array.from({ length: N }, (_, i) => `m${i}`),
    );
    assert.equal(m.of("p")[4].channel, "chat:1");
    assert.equal(m.of("p")[4].pattern, "chat:*");
  }
  // a worker publishes: main and the other worker get it, the sender's own
  // subscriber gets it once (locally)
  a.w.postMessage({ publish: ["chat:x", "from a"] });
  await a.until(() => a.of("p").length === N + 1);
  await b.until(() => b.of("p").length === N + 1);
  await settle();
  assert.equal(local.at(-1), "from a");
  assert.equal(local.length, N + 1);
  assert.equal(a.of("p").length, N + 1);
  assert.deepEqual(a.of("published"), [{ kind: "published", n: 1 }]);
  // binary payloads arrive as the same bytes
  const bytes = new Uint8Array([0, 255, 128, 10, 13, 0xc3]);
  db.publish("bin", bytes);
  for (const m of [a, b]) {
    await m.until(() => m.of("bin").length === 1);
    const got = m.of("bin")[0];
    assert.ok(got.message instanceof Uint8Array);
    assert.deepEqual([...got.message], [...bytes]);
    assert.deepEqual(new TextDecoder().decode(got.channel), "bin");
  }
  // a closed member leaves cleanly: the others keep working
  a.w.postMessage({ close: true });
  await a.until(() => a.of("closed").length === 1);
  db.publish("chat:after", "after close");
  await b.until(() => b.of("p").length === N + 2);
  await settle();
  assert.equal(a.of("p").length, N + 1);
  // keyspace events do not travel unless opted in
  db.config("SET", "notify-keyspace-events", "E$");
  db.set("k", "v");
  await settle();
  assert.equal(b.of("key").length, 0);
  db.close();
  await Promise.all([a.w.terminate(), b.w.terminate()]);
});

test("keyspace events travel the bridge when opted in", async () => {
  const name = `t-${process.pid}-2`;
  const b = member(name);
  await b.until((g) => g.some((m) => m.kind === "ready"));
  const db = new Cinnabar({ bridge: { name, keyspace: true } });
  db.config("SET", "notify-keyspace-events", "E$");
  db.set("user:1", "ada");
  await b.until(() => b.of("key").length === 1);
  assert.deepEqual(b.of("key")[0], { kind: "key", channel: "__keyevent@0__:set", message: "user:1" });
  db.close();
  // after close nothing more is sent (and nothing throws)
  await settle();
  await b.w.terminate();
});

test("foreign or malformed envelopes on the channel are ignored", async () => {
  const name = `t-${process.pid}-3`;
  const db = new Cinnabar({ bridge: name });
  const got = [];
  db.subscribe("c", (m) => got.push(m));
  const raw = new BroadcastChannel(`cinnabar:${name}`);
  raw.postMessage("junk");
  raw.postMessage({ v: 2, type: "publish", channel: "c", message: "future", origin: "x" });
  raw.postMessage({ v: 1, type: "publish", channel: 5, message: "bad", origin: "x" });
  raw.postMessage({ v: 1, type: "publish", channel: "c", message: "ok", origin: "x" });
  await settle();
  assert.deepEqual(got, ["ok"]);
  raw.close();
  db.close();
});
