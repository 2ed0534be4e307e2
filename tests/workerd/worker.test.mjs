// workerd (Cloudflare's runtime, from npm via Miniflare) runs a Worker that
// imports pkg/workerd.js (the .wasm imported as a module), answering HTTP on
// 127.0.0.1. Modules rules per the shared TOOLCHAIN.md.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { setTimeout as sleep } from "node:timers/promises";
import { Miniflare } from "miniflare";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
let mf, base;

before(async () => {
  assert.ok(existsSync(`${ROOT}pkg/dist/cinnabar_bg.wasm`), "pkg/dist is not built: run `npm run build`");
  mf = new Miniflare({
    modules: true,
    scriptPath: fileURLToPath(new URL("./fixtures/worker.js", import.meta.url)),
    modulesRoot: ROOT,
    modulesRules: [
      { type: "ESModule", include: ["**/*.js"] },
      { type: "CompiledWasm", include: ["**/*.wasm"] },
    ],
    compatibilityDate: "2026-04-01",
    host: "127.0.0.1",
    port: 0,
  });
  base = await mf.ready;
  assert.equal(base.hostname, "127.0.0.1");
});
after(async () => {
  await mf?.dispose();
});

const get = async (path) => {
  const r = await fetch(new URL(path, base));
  return { status: r.status, body: await r.json() };
};
const call = (...argv) => get("/call?argv=" + encodeURIComponent(JSON.stringify(argv)));

test("set/get over HTTP, with the store created at module scope", async () => {
  assert.deepEqual(await get("/set?k=user:1&v=ada"), { status: 200, body: "OK" });
  assert.deepEqual(await get("/get?k=user:1"), { status: 200, body: "ada" });
  assert.deepEqual(await get("/get?k=missing"), { status: 200, body: null });
  assert.deepEqual(await get("/get?k=" + encodeURIComponent("zażółć 🦀")), { status: 200, body: null });
  await get("/set?k=u&v=" + encodeURIComponent("zażółć 🦀"));
  assert.deepEqual(await get("/get?k=u"), { status: 200, body: "zażółć 🦀" });
});

test("errors, pipelines, transactions and bytes in workerd", async () => {
  assert.deepEqual(await call("GET"), {
    status: 400,
    body: { error: "ERR wrong number of arguments for 'get' command", code: "ERR" },
  });
  assert.deepEqual((await get("/pipeline")).body, ["OK", "1", "ERR unknown command 'NOPE', with args beginning with: "]);
  assert.deepEqual((await get("/multi")).body, [[null, "OK"], [null, "1"]]);
  assert.deepEqual((await get("/bytes")).body, [1, 2, 255]);
  assert.deepEqual(await call("SET", "k", { bad: 1 }), { status: 400, body: { error: "cinnabar: argument 2 of SET is an object (Object); expected a string, a finite number, a bigint or a Uint8Array", code: "TypeError" } });
});

test("active expiry runs in workerd (driven by commands: workerd ends a request's timers)", async () => {
  const names = (await get("/commands")).body;
  for (const c of ["pexpire", "dbsize"]) {
    assert.ok(names.includes(c), `this test needs ${c.toUpperCase()} (keys family) in the wasm build`);
  }
  await call("FLUSHALL");
  for (let i = 0; i < 20; i++) {
    await call("SET", "tmp:" + i, "v");
    await call("PEXPIRE", "tmp:" + i, "20");
  }
  await call("SET", "keep", "v");
  const deadline = Date.now() + 3000;
  let size;
  while ((size = (await call("DBSIZE")).body) > 1 && Date.now() < deadline) await sleep(50);
  assert.equal(size, 1);
});

test("pub/sub in workerd: local delivery works, the bridge option fails clearly", async () => {
  const { body } = await get("/pubsub");
  assert.equal(body.hasBroadcastChannel, "undefined");
  assert.equal(body.n, 1);
  assert.deepEqual(body.got, [["hi", "w:1", "w:*"]]);
  assert.match(body.bridge, /^cinnabar: the bridge option needs BroadcastChannel, which this runtime does not provide/);
});
